//! What a new user hit (issue 17): file modes, date order, kept edits, entities in front
//! matter, warning counts, option checks, inputs, unwritable folders, stdin lists, Ctrl-C,
//! plurals and the man page.

mod common;
use common::*;
use predicates::prelude::*;
use std::path::Path;

/// The binary run under `umask` by a shell, as a user's terminal or cron job would run it.
#[cfg(unix)]
fn postbook_with_umask(umask: &str) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new("sh");
    cmd.arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(assert_cmd::cargo::cargo_bin("postbook"));
    cmd
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

#[cfg(unix)]
#[test]
fn outputs_get_the_mode_cp_would_give_them() {
    for (umask, want) in [("022", 0o644), ("027", 0o640)] {
        let dir = tempfile::tempdir().unwrap();
        let (books, notes, report) = (
            dir.path().join("books"),
            dir.path().join("notes"),
            dir.path().join("report.json"),
        );
        postbook_with_umask(umask)
            .args([
                "convert",
                "-q",
                "-t",
                "epub",
                "--images",
                "embed",
                "--offline",
                "--no-cache",
            ])
            .arg(samples())
            .arg("-o")
            .arg(&books)
            .arg("--report")
            .arg(&report)
            .assert()
            .success();
        postbook_with_umask(umask)
            .args([
                "convert",
                "-q",
                "-t",
                "md",
                "--images",
                "embed",
                "--offline",
                "--no-cache",
            ])
            .arg(samples())
            .arg("-o")
            .arg(&notes)
            .assert()
            .success();
        let posts = dir.path().join("posts");
        postbook_with_umask(umask)
            .arg("init")
            .arg(&posts)
            .assert()
            .success();
        let mut files = all_files(&books);
        files.extend(all_files(&notes));
        files.push(report.clone());
        files.push(posts.join("postbook.toml"));
        assert!(files.iter().any(|f| f.ends_with(".postbook-manifest.json")));
        assert!(files
            .iter()
            .any(|f| f.to_string_lossy().contains("/assets/")));
        for f in &files {
            assert_eq!(mode(f), want, "{} under umask {umask}", f.display());
        }
    }
}

#[cfg(unix)]
#[test]
fn a_replaced_output_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (posts, out) = (dir.path().join("posts"), dir.path().join("out"));
    copy_samples_to(&posts);
    let run = || {
        postbook_with_umask("022")
            .args(["convert", "-q", "-t", "md", "--no-config"])
            .arg(&posts)
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
    };
    run();
    let note = out.join("2021-07-15-local-image.md");
    std::fs::set_permissions(&note, std::fs::Permissions::from_mode(0o640)).unwrap();
    let post = posts.join("2021-07-15-local-image.md");
    let text = std::fs::read_to_string(&post).unwrap();
    std::fs::write(&post, format!("{text}\nOne more line.\n")).unwrap();
    run();
    assert!(std::fs::read_to_string(&note)
        .unwrap()
        .contains("One more line."));
    assert_eq!(mode(&note), 0o640);
}

/// Writes `name` with YAML front matter `fm` and a short body into `dir`.
fn post(dir: &Path, name: &str, fm: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(name), format!("---\n{fm}\n---\n\nSome text.\n")).unwrap();
}

#[test]
fn posts_are_in_date_order_whether_or_not_they_have_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("posts");
    // Named so that path order is not date order.
    for (name, date) in [
        ("a.md", "2024-01-20"),
        ("b.md", "2024-01-15 09:30 +0800"),
        ("c.md", "2024-01-10T09:00Z"),
        ("d.md", "2024-01-05"),
        ("e.md", "2024-01-10"),
    ] {
        post(&posts, name, &format!("title: Day {date}\ndate: {date}"));
    }
    let books = dir.path().join("books");
    postbook()
        .args(["convert", "-q", "-t", "epub", "-g", "none", "--lang", "en"])
        .arg(&posts)
        .arg("-o")
        .arg(&books)
        .assert()
        .success();
    let book = &epubs_in(&books)[0];
    let nav = epub_text(book, "nav.xhtml");
    let at = |date: &str| {
        nav.find(&format!("Day {date}"))
            .unwrap_or_else(|| panic!("{date} not in the contents: {nav}"))
    };
    let order = [
        "2024-01-05",
        "2024-01-10",
        "2024-01-10T09:00Z",
        "2024-01-15 09:30 +0800",
        "2024-01-20",
    ];
    for pair in order.windows(2) {
        assert!(at(pair[0]) < at(pair[1]), "{} after {}", pair[0], pair[1]);
    }
    // The title page spans every post.
    let title = epub_text(book, "title.xhtml");
    assert!(title.contains("2024-01-05 – 2024-01-20"), "{title}");
}

/// The `dc:title` of an EPUB.
fn book_title(book: &Path) -> String {
    let opf = epub_text(book, "content.opf");
    let start = opf
        .find("<dc:title")
        .and_then(|i| opf[i..].find('>').map(|j| i + j + 1));
    let start = start.unwrap_or_else(|| panic!("no dc:title: {opf}"));
    let end = start + opf[start..].find("</dc:title>").unwrap();
    opf[start..end].to_string()
}

#[test]
fn a_runs_books_share_one_collection_name_and_one_date_style() {
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("新闻");
    // July's posts all come from 泡泡, August's from two sources: both books are still titled
    // after the whole run, in Chinese date style since the posts are Chinese.
    let body = "中国国家主席今天在北京会见了来访的外国领导人，双方就两国关系和共同关心的国际问题交换了意见。";
    for (name, title, date, source) in [
        ("a.md", "央视在美驻成都总领馆附近直播", "2020-07-05", "泡泡"),
        ("b.md", "闭馆声明公布后的第一天", "2020-07-20", "泡泡"),
        ("c.md", "外交部发言人回答记者提问", "2020-08-02", "泡泡"),
        (
            "d.md",
            "两国关系的未来走向",
            "2020-08-09T10:00:00+08:00",
            "中参馆",
        ),
    ] {
        std::fs::create_dir_all(&posts).unwrap();
        std::fs::write(
            posts.join(name),
            format!("---\ntitle: {title}\ndate: {date}\ncategories: [{source}]\n---\n\n{body}\n"),
        )
        .unwrap();
    }
    let books = dir.path().join("books");
    postbook()
        .args(["convert", "-q", "-t", "epub", "-g", "month"])
        .arg(&posts)
        .arg("-o")
        .arg(&books)
        .assert()
        .success();
    let titles: Vec<String> = epubs_in(&books).iter().map(|b| book_title(b)).collect();
    assert_eq!(titles, ["新闻 — 2020年7月", "新闻 — 2020年8月"]);
    // File names stay ISO, so they sort.
    assert!(books.join("2020-07.epub").is_file());
    // English books keep ISO dates.
    let books = dir.path().join("en");
    postbook()
        .args(["convert", "-q", "-t", "epub", "-g", "month", "--lang", "en"])
        .arg(&posts)
        .arg("-o")
        .arg(&books)
        .assert()
        .success();
    let titles: Vec<String> = epubs_in(&books).iter().map(|b| book_title(b)).collect();
    assert_eq!(titles, ["新闻 — 2020-07", "新闻 — 2020-08"]);
}

#[test]
fn html_character_references_in_front_matter_are_decoded_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("posts");
    post(
        &posts,
        "2024-02-01-entities.md",
        "title: Q&amp;A with R&#38;D\nauthor: Zhao Tong &#38; more\ndate: 2024-02-01\ntags: [a &amp; b]",
    );
    for format in ["md", "text", "epub"] {
        let out = dir.path().join(format);
        postbook()
            .args(["convert", "-q", "-t", format, "--lang", "en"])
            .arg(&posts)
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
        let file = &all_files(&out)
            .into_iter()
            .find(|f| !f.file_name().unwrap().to_string_lossy().starts_with('.'))
            .unwrap();
        let text = match format {
            "epub" => epub_text(file, ".opf") + &epub_text(file, "post-0001.xhtml"),
            _ => std::fs::read_to_string(file).unwrap(),
        };
        let (title, author) = match format {
            // Escaped once, as XML needs.
            "epub" => ("Q&amp;A with R&amp;D", "Zhao Tong &amp; more"),
            _ => ("Q&A with R&D", "Zhao Tong & more"),
        };
        assert!(text.contains(title), "{format}: {text}");
        assert!(text.contains(author), "{format}: {text}");
        assert!(!text.contains("#38;"), "{format}: {text}");
    }
}

/// `convert` of the samples to text in `dir` with `extra` options, and a `postbook.toml`
/// holding `config` beside copies of the samples.
fn convert_with(dir: &Path, extra: &[&str], config: &str) -> assert_cmd::assert::Assert {
    let posts = dir.join("posts");
    if !posts.exists() {
        copy_samples_to(&posts);
    }
    std::fs::write(posts.join("postbook.toml"), config).unwrap();
    postbook()
        .args(["convert", "-q", "-t", "text", "--color", "never"])
        .args(extra)
        .arg(&posts)
        .arg("-o")
        .arg(dir.join("out"))
        .assert()
}

#[test]
fn out_of_range_options_are_usage_errors_on_the_command_line_and_in_the_file() {
    let cases: &[(&str, &str, &str)] = &[
        ("--image-timeout", "1e300", "image-timeout"),
        ("--image-timeout", "0", "image-timeout"),
        ("--image-timeout", "NaN", "image-timeout"),
        ("--image-jobs", "65", "image-jobs"),
        ("--image-jobs", "0", "image-jobs"),
        ("--max-image-width", "0", "max-image-width"),
        ("--max-image-height", "100000", "max-image-height"),
        ("--max-image-bytes", "0", "max-image-bytes"),
        ("--jpeg-quality", "101", "jpeg-quality"),
        ("--wrap", "0", "wrap"),
        ("--title-pattern", "{year", "{year"),
        ("--title-pattern", "{nope}", "{nope}"),
    ];
    for (flag, value, named) in cases {
        let dir = tempfile::tempdir().unwrap();
        convert_with(dir.path(), &[flag, value], "")
            .code(2)
            .stderr(predicate::str::contains(*named));
        // The same value in postbook.toml.
        let key = flag.trim_start_matches("--");
        let toml_value = match key {
            "title-pattern" => format!("{value:?}"),
            _ if *value == "NaN" => "nan".into(),
            _ => value.to_string(),
        };
        let dir = tempfile::tempdir().unwrap();
        convert_with(dir.path(), &[], &format!("{key} = {toml_value}\n"))
            .code(2)
            .stderr(predicate::str::contains(*named));
        assert!(!dir.path().join("out").exists(), "{key} = {toml_value}");
    }
    // The limits themselves are accepted.
    let dir = tempfile::tempdir().unwrap();
    convert_with(
        dir.path(),
        &[
            "--image-jobs",
            "64",
            "--image-timeout",
            "3600",
            "--wrap",
            "2",
        ],
        "",
    )
    .success();
}

#[test]
fn each_warning_is_counted_once() {
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("posts");
    // A picture that is not there, and a title the cover font cannot draw.
    std::fs::create_dir_all(&posts).unwrap();
    std::fs::write(
        posts.join("2024-03-01-a.md"),
        "---\ntitle: Missing 🙂\ndate: 2024-03-01\n---\n\n![gone](gone.png)\n",
    )
    .unwrap();
    let report = dir.path().join("report.json");
    let assert = postbook()
        .args([
            "convert",
            "-t",
            "epub",
            "--color",
            "never",
            "--title",
            "Book 🙂",
        ])
        .arg(&posts)
        .arg("-o")
        .arg(dir.path().join("books"))
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    let printed = stderr.lines().filter(|l| l.starts_with("warning:")).count();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let recorded: usize = json["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["warnings"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(printed, 2, "{stderr}");
    assert_eq!(recorded, 2, "{json}");
    assert_eq!(json["summary"]["warnings"], 2, "{json}");
    assert!(stderr.contains("; 2 warnings"), "{stderr}");
}

#[test]
fn summaries_use_singulars() {
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("posts");
    std::fs::create_dir_all(&posts).unwrap();
    std::fs::write(
        posts.join("2024-03-01-a.md"),
        "---\ntitle: One\ndate: 2024-03-01\n---\n\n![gone](gone.png)\n",
    )
    .unwrap();
    postbook()
        .args(["convert", "-t", "epub", "--color", "never"])
        .arg(&posts)
        .arg("-o")
        .arg(dir.path().join("books"))
        .assert()
        .success()
        .stderr(
            predicate::str::contains("converted 1 post into 1 book")
                .and(predicate::str::contains("; 1 warning ("))
                .and(predicate::str::contains("1 warnings").not()),
        );
}

#[test]
fn a_missing_input_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    postbook()
        .args(["convert", "-t", "md", "--color", "never"])
        .arg(dir.path().join("no-such-folder"))
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no-such-folder: no such file or folder",
        ));
    assert!(!out.exists());
    postbook()
        .args(["inspect", "--color", "never"])
        .arg(dir.path().join("no-such-folder"))
        .assert()
        .code(2);
}

#[test]
fn an_empty_folder_is_an_error_and_makes_no_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (posts, out) = (dir.path().join("posts"), dir.path().join("out"));
    std::fs::create_dir_all(&posts).unwrap();
    std::fs::write(posts.join("README.md"), "# My posts\n").unwrap();
    postbook()
        .args(["convert", "-t", "epub", "--color", "never"])
        .arg(&posts)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "error: no posts found in {}",
            posts.display()
        )));
    assert!(!out.exists());
}

#[test]
fn project_papers_beside_posts_are_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let (posts, out) = (dir.path().join("posts"), dir.path().join("out"));
    post(&posts, "2024-01-01-a.md", "title: A\ndate: 2024-01-01");
    std::fs::write(
        posts.join("plain.md"),
        "# A plain note\n\nNo front matter.\n",
    )
    .unwrap();
    for paper in [
        "README.md",
        "README.txt",
        "LICENSE.md",
        "CHANGELOG.md",
        "CONTRIBUTING.md",
    ] {
        std::fs::write(posts.join(paper), "# Not a post\n").unwrap();
    }
    std::fs::write(posts.join("LICENSE"), "MIT\n").unwrap();
    postbook()
        .args(["convert", "-t", "md", "--color", "never"])
        .arg(&posts)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(
            predicate::str::contains("note: skipped, not posts:")
                .and(predicate::str::contains("README.txt"))
                .and(predicate::str::contains("converted 2 posts into 2 files")),
        );
    let notes: Vec<_> = files_with_ext(&out, "md")
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
}

#[cfg(unix)]
#[test]
fn nul_separated_path_lists_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("posts");
    // A name with a newline in it: only a NUL-separated list can carry it.
    post(
        &posts,
        "2024-01-01-line\nbreak.md",
        "title: Broken name\ndate: 2024-01-01",
    );
    post(&posts, "2024-01-02-b.md", "title: B\ndate: 2024-01-02");
    let list = format!(
        "{}\0{}\0",
        posts.join("2024-01-01-line\nbreak.md").display(),
        posts.join("2024-01-02-b.md").display()
    );
    let report = dir.path().join("report.json");
    postbook()
        .args(["convert", "-t", "text", "-0", "-", "--color", "never", "-o"])
        .arg(dir.path().join("out"))
        .arg("--report")
        .arg(&report)
        .write_stdin(list)
        .assert()
        .success()
        .stderr(predicate::str::contains("converted 2 posts"));
    postbook()
        .args(["inspect", "--null", "-"])
        .write_stdin(format!("{}\0", posts.join("2024-01-02-b.md").display()))
        .assert()
        .success()
        .stdout(predicate::str::contains("1 readable"));
}

#[cfg(unix)]
#[test]
fn a_failed_write_to_stdout_says_so() {
    let full = || {
        std::fs::File::options()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let post = samples().join("2021-07-15-local-image.md");
    for args in [
        vec!["convert", "-t", "text", "-o", "-"],
        vec!["inspect"],
        vec![
            "convert",
            "-t",
            "md",
            "-n",
            "-o",
            "/tmp/postbook-never-written",
        ],
    ] {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("postbook"))
            .args(&args)
            .arg(&post)
            .stdout(full())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot write to stdout: No space left on device"),
            "{args:?}: {stderr}"
        );
    }
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("postbook"))
        .arg("man")
        .stdout(full())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write to stdout"));
}

#[test]
fn the_man_page_documents_every_command() {
    let out = postbook().arg("man").assert().success();
    let page = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(page.starts_with(".TH postbook 1"), "{}", &page[..80]);
    for needle in [
        ".SH \"POSTBOOK CONVERT\"",
        ".SH \"POSTBOOK INSPECT\"",
        "\\-\\-group\\-by",
        "\\-\\-image\\-timeout",
        "\\-\\-title\\-pattern",
        "\\-\\-json",
    ] {
        assert!(page.contains(needle), "{needle} missing from the man page");
    }
    assert_eq!(page.matches(".ds Aq \\(aq").count(), 1);
}

/// A folder this process cannot write in: a read-only one, or, for root (whom permissions do
/// not stop), a folder of sysfs. `None` when there is neither.
#[cfg(unix)]
fn unwritable_folder(tmp: &Path) -> Option<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let locked = tmp.join("locked");
    std::fs::create_dir_all(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    let candidates = [locked, Path::new("/sys/kernel").to_path_buf()];
    let found = candidates
        .into_iter()
        .find(|d| d.is_dir() && std::fs::File::create(d.join("postbook-probe")).is_err());
    if found.is_none() {
        eprintln!("note: no unwritable folder found; test skipped");
    }
    found
}

#[cfg(unix)]
#[test]
fn an_unwritable_output_folder_is_one_error_with_a_summary_and_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let Some(out) = unwritable_folder(dir.path()) else {
        return;
    };
    let report = dir.path().join("report.json");
    let assert = postbook()
        .args(["convert", "-t", "md", "--color", "never"])
        .arg(samples())
        .arg("-o")
        .arg(&out)
        .arg("--report")
        .arg(&report)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(
        errors,
        [format!(
            "error: cannot write in output folder {}: Permission denied (os error 13)",
            out.display()
        )],
        "{stderr}"
    );
    assert!(!stderr.contains(".postbook-"), "{stderr}");
    assert!(
        stderr.contains("converted 0 posts into 0 files; 6 failed"),
        "{stderr}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json["summary"]["failed"], 6);
    for o in json["outputs"].as_array().unwrap() {
        assert_eq!(o["status"], "failed");
        assert!(o["error"]
            .as_str()
            .unwrap()
            .contains("cannot write in output folder"));
    }
}

/// A picture server that answers its first request at once and the others after four seconds.
fn slow_picture_server() -> u16 {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let png = std::sync::Arc::new(std::fs::read(samples().join("images/harbour.png")).unwrap());
    std::thread::spawn(move || {
        for (n, req) in server.incoming_requests().enumerate() {
            let png = png.clone();
            std::thread::spawn(move || {
                let wait = if n == 0 { 0 } else { 4000 };
                std::thread::sleep(std::time::Duration::from_millis(wait));
                let _ = req.respond(tiny_http::Response::from_data(png.to_vec()));
            });
        }
    });
    port
}

#[cfg(unix)]
#[test]
fn ctrl_c_keeps_finished_outputs_and_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let (posts, out) = (dir.path().join("posts"), dir.path().join("out"));
    let port = slow_picture_server();
    // Eight monthly books, each waiting for its picture (streamed: pictures are fetched as
    // each book is made); the first is written long before the others.
    for month in 1..=8 {
        std::fs::create_dir_all(&posts).unwrap();
        std::fs::write(
            posts.join(format!("2024-{month:02}-01-p.md")),
            format!(
                "---\ntitle: Month {month}\n---\n\n![picture](http://127.0.0.1:{port}/{month}.png)\n"
            ),
        )
        .unwrap();
    }
    let run = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("postbook"))
            .args(["convert", "-t", "epub", "--images", "embed", "--no-cache"])
            .args(["--low-memory", "--color", "never", "--allow-private-hosts"])
            .arg(&posts)
            .arg("-o")
            .arg(&out)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let child = run();
    let started = std::time::Instant::now();
    while epubs_in_or_none(&out) == 0 {
        assert!(started.elapsed().as_secs() < 60, "no book was written");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("error: interrupted: "), "{stderr}");
    let books: Vec<String> = epubs_in(&out)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(!books.is_empty() && books.len() < 8, "{books:?}");
    assert!(
        stderr.contains(&format!("interrupted: {} output", books.len())),
        "{books:?}: {stderr}"
    );
    // The manifest lists exactly the finished books; no temporary file is left.
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join(".postbook-manifest.json")).unwrap(),
    )
    .unwrap();
    let listed: Vec<String> = manifest["files"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(listed, books);
    let leftovers: Vec<_> = all_files(&out)
        .into_iter()
        .filter(|f| f.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // The next run makes the rest.
    let output = run().wait_with_output().unwrap();
    assert!(output.status.success());
    assert_eq!(epubs_in(&out).len(), 8);
}

/// How many EPUBs are in `dir`, which may not exist yet.
fn epubs_in_or_none(dir: &Path) -> usize {
    match dir.is_dir() {
        true => epubs_in(dir).len(),
        false => 0,
    }
}

/// Progress bars are drawn only on a terminal: `script` gives the run one.
#[cfg(target_os = "linux")]
#[test]
fn no_empty_progress_bars() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("note: script(1) not installed; test skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("posts");
    // No pictures: there is nothing to count while preparing images.
    post(&posts, "2024-01-01-a.md", "title: A\ndate: 2024-01-01");
    let command = format!(
        "'{}' convert -t epub '{}' -o '{}'",
        assert_cmd::cargo::cargo_bin("postbook").display(),
        posts.display(),
        dir.path().join("out").display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("TERM", "xterm")
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("1/1"), "no progress bar drawn: {screen:?}");
    assert!(!screen.contains("0/0"), "{screen:?}");
}
