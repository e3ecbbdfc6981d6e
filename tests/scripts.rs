//! What scripts rely on: usage errors found before any post is read (exit 2, naming the
//! problem, nothing written), `--report -`, and language tags that e-readers accept.

mod common;
use common::*;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

/// Runs `convert` with `args` on the samples into a fresh folder and expects a usage error
/// whose message contains `says`, with no warning about any post (none was read) and no output.
fn refused(args: &[&str], says: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    postbook()
        .arg("convert")
        .args(args)
        .arg(samples())
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(says))
        .stderr(predicate::str::contains("warning").not());
    assert!(!out.exists(), "{args:?} made the output folder");
}

#[test]
fn impossible_combinations_are_usage_errors_before_reading() {
    refused(
        &[
            "-t",
            "epub",
            "--since",
            "2021-01-01",
            "--until",
            "2020-01-01",
        ],
        "--since 2021-01-01 is after --until 2020-01-01",
    );
    refused(
        &["-t", "epub", "--css", "no-such.css"],
        "--css no-such.css: no such file",
    );
    refused(
        &["-t", "epub", "--templates", "no-such-dir"],
        "--templates no-such-dir: no such folder",
    );
    refused(&["-t", "epub", "--lang", "xx-!!"], "not a language tag");
    refused(
        &["-t", "md", "--report", "-", "--dry-run"],
        "--report - and --dry-run",
    );
    // EPUB to stdout: refused before the samples' warnings are printed.
    postbook()
        .args(["convert", "-t", "epub"])
        .arg(samples())
        .args(["-o", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("EPUB cannot be written to stdout"))
        .stderr(predicate::str::contains("warning").not());
    postbook()
        .args(["convert", "-t", "md", "--report", "-"])
        .arg(samples().join("undated-note.md"))
        .args(["-o", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("both write to stdout"));
}

#[test]
fn output_folder_equal_to_the_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    copy_samples_to(dir.path());
    postbook()
        .args(["convert", "-t", "md"])
        .arg(dir.path())
        .arg("-o")
        .arg(dir.path().join(".").join("images").join(".."))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is the input folder"));
    // Inside the input is fine: it is skipped when reading.
    postbook()
        .args(["convert", "-q", "-t", "md"])
        .arg(dir.path())
        .arg("-o")
        .arg(dir.path().join("notes"))
        .assert()
        .success();
}

#[test]
fn a_broken_template_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("chapter.xhtml"), "{% if %}").unwrap();
    postbook()
        .args(["convert", "-t", "epub", "--templates"])
        .arg(dir.path())
        .arg(samples())
        .arg("-o")
        .arg(dir.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("chapter.xhtml does not compile"));
}

#[test]
fn nul_separated_paths_without_dash_zero_get_a_hint() {
    let mut list = Vec::new();
    for post in ["undated-note.md", "hugo-toml-post.md"] {
        list.extend_from_slice(samples().join(post).to_str().unwrap().as_bytes());
        list.push(0);
    }
    let dir = tempfile::tempdir().unwrap();
    postbook()
        .args(["convert", "-t", "md", "-", "-o"])
        .arg(dir.path().join("out"))
        .write_stdin(list.clone())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("add -0"));
    postbook()
        .args(["convert", "-q", "-0", "-t", "md", "-", "-o"])
        .arg(dir.path().join("out"))
        .write_stdin(list)
        .assert()
        .success();
}

#[test]
fn report_dash_writes_the_json_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out = postbook()
        .current_dir(dir.path())
        .args(["convert", "-q", "-t", "md", "--report", "-"])
        .arg(samples())
        .args(["-o", "notes"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["posts"].as_array().unwrap().len(), 6);
    // No file named `-` anywhere.
    assert!(!dir.path().join("-").exists());
    assert!(!dir.path().join("notes").join("-").exists());
}

/// Writes a post with a `lang:` front matter line into its own folder below `dir`, converts it
/// with `extra` flags, and returns its book, the book's `dc:language` and postbook's stderr.
fn book_language(dir: &Path, key_value: &str, extra: &[&str]) -> (PathBuf, String, String) {
    let case = dir.join(format!("case-{}", std::fs::read_dir(dir).unwrap().count()));
    let posts = case.join("posts");
    std::fs::create_dir_all(&posts).unwrap();
    std::fs::write(
        posts.join("2023-01-01-a.md"),
        format!("---\ntitle: A post\n{key_value}\n---\nSome words of the post, in English.\n"),
    )
    .unwrap();
    let out = postbook()
        .args(["convert", "-t", "epub", "-g", "none"])
        .args(extra)
        .arg(&posts)
        .arg("-o")
        .arg(case.join("out"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let book = epubs_in(&case.join("out")).remove(0);
    let opf = epub_text(&book, ".opf");
    let lang = opf
        .split("<dc:language>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_string();
    (
        book,
        lang,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn language_tags_are_made_valid_for_e_readers() {
    let dir = tempfile::tempdir().unwrap();
    let mut books = Vec::new();
    let mut lang_of = |key_value: &str, extra: &[&str]| {
        let (book, lang, stderr) = book_language(dir.path(), key_value, extra);
        books.push(book);
        (lang, stderr)
    };
    assert_eq!(lang_of("lang: zh_CN", &[]).0, "zh-CN");
    assert_eq!(lang_of("language: English (US)", &[]).0, "en-US");
    assert_eq!(lang_of("lang: 中文", &[]).0, "zh");
    assert_eq!(lang_of("lang: en", &["--lang", "zh_TW"]).0, "zh-TW");
    // A value that names no language: detected from the text instead, with a warning.
    let (lang, stderr) = lang_of("lang: us", &[]);
    assert_eq!(lang, "en");
    assert!(stderr.contains("`lang: us` names no language"), "{stderr}");
    // The POSIX locale `C` (from `LANG=C`) is no language either.
    let (lang, stderr) = lang_of("lang: C", &[]);
    assert_eq!(lang, "en");
    assert!(stderr.contains("`lang: C` names no language"), "{stderr}");
    epubcheck(&books);
}

#[cfg(unix)]
#[test]
fn symbolic_links_in_folders_are_followed_and_bad_ones_named() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("posts");
    let other = dir.path().join("other");
    std::fs::create_dir_all(&posts).unwrap();
    std::fs::create_dir_all(other.join("sub")).unwrap();
    let post = |title: &str, day: &str| {
        format!("---\ntitle: {title}\ndate: 2023-01-{day}\n---\nThe {title} post.\n")
    };
    std::fs::write(posts.join("2023-01-11-own.md"), post("Own", "11")).unwrap();
    std::fs::write(other.join("2023-01-09-linked.md"), post("Linked", "09")).unwrap();
    std::fs::write(other.join("sub/2023-01-10-sub.md"), post("Sub", "10")).unwrap();
    symlink(
        "../other/2023-01-09-linked.md",
        posts.join("2023-01-09-linked.md"),
    )
    .unwrap();
    symlink("../other", posts.join("otherdir")).unwrap();
    // The same file again through a second link: read once.
    symlink("../other/sub", posts.join("again")).unwrap();
    symlink("../nowhere.md", posts.join("dangling.md")).unwrap();
    symlink("..", posts.join("loop")).unwrap();
    let report = dir.path().join("report.json");
    postbook()
        .args(["convert", "-t", "md"])
        .arg(&posts)
        .arg("-o")
        .arg(dir.path().join("out"))
        .arg("--report")
        .arg(&report)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "dangling.md: skipped, a symbolic link to ../nowhere.md, which does not exist",
        ))
        .stderr(predicate::str::contains(
            "loop: skipped, a symbolic link loops back",
        ))
        .stderr(predicate::str::contains(
            "converted 3 posts into 3 files; 2 symbolic links skipped",
        ));
    let notes: Vec<String> = files_with_ext(&dir.path().join("out"), "md")
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        notes,
        [
            "2023-01-09-linked.md",
            "2023-01-10-sub.md",
            "2023-01-11-own.md"
        ]
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(report["summary"]["links_skipped"], 2);
    assert_eq!(report["links_skipped"].as_array().unwrap().len(), 2);
    // A folder named on stdin is walked like one on the command line.
    postbook()
        .args(["convert", "-q", "-t", "md", "-", "-o"])
        .arg(dir.path().join("out2"))
        .write_stdin(format!("{}\n", other.display()))
        .assert()
        .success();
    assert_eq!(files_with_ext(&dir.path().join("out2"), "md").len(), 2);
}

#[test]
fn an_error_in_a_post_read_in_a_guessed_encoding_names_the_guess() {
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("posts");
    std::fs::create_dir_all(&posts).unwrap();
    // Latin-1 bytes (not UTF-8) and front matter that does not parse.
    std::fs::write(
        posts.join("2023-01-01-cafe.md"),
        b"---\ntitle: [Caf\xe9 unclosed\n---\nLe caf\xe9 est bon.\n",
    )
    .unwrap();
    postbook()
        .args(["convert", "-t", "md"])
        .arg(&posts)
        .arg("-o")
        .arg(dir.path().join("out"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "(the file is not UTF-8 and was read as windows-1252 (detected))",
        ));
}

/// A picture server that accepts connections and never answers: each download hangs until its
/// time-out. Returns its port and how many connections it has accepted.
#[cfg(unix)]
fn silent_server() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = std::sync::Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        let mut open = Vec::new();
        for stream in listener.incoming().flatten() {
            count.fetch_add(1, Ordering::SeqCst);
            open.push(stream); // held open, never read or answered
        }
    });
    (port, accepted)
}

/// Starts a conversion of 30 posts whose pictures are on a server that never answers (a
/// minute's time-out), waits until the downloads are under way, and sends `signals` SIGINTs.
/// Returns the exit code, stderr, how long the exit took after the first signal, and the
/// run's folder (posts/, out/, tmp/ — the temporary folder it was given — and report.json).
#[cfg(unix)]
fn interrupted_download(signals: usize) -> (Option<i32>, String, f64, tempfile::TempDir) {
    use std::sync::atomic::Ordering;
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let (posts, tmp) = (dir.path().join("posts"), dir.path().join("tmp"));
    std::fs::create_dir_all(&posts).unwrap();
    std::fs::create_dir_all(&tmp).unwrap();
    let (port, accepted) = silent_server();
    for n in 1..=30 {
        let day = (n % 28) + 1;
        std::fs::write(
            posts.join(format!("2024-{:02}-{day:02}-p{n}.md", n % 12 + 1)),
            format!(
                "---\ntitle: Post {n}\n---\n\nText {n}.\n\n![a](http://127.0.0.1:{port}/{n}.png)\n"
            ),
        )
        .unwrap();
    }
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("postbook"))
        .args(["convert", "-t", "epub", "-g", "month", "--images", "embed"])
        .args([
            "--no-cache",
            "--allow-private-hosts",
            "--image-timeout",
            "60",
        ])
        .args(["--color", "never", "--report"])
        .arg(dir.path().join("report.json"))
        .arg(&posts)
        .arg("-o")
        .arg(dir.path().join("out"))
        .env("TMPDIR", &tmp)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while accepted.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "no download started");
        assert!(child.try_wait().unwrap().is_none(), "postbook ended early");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(200));
    let signalled = Instant::now();
    for _ in 0..signals {
        let pid = child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status();
        assert!(sent.unwrap().success());
        std::thread::sleep(Duration::from_millis(20));
    }
    while child.try_wait().unwrap().is_none() {
        assert!(signalled.elapsed().as_secs() < 30, "postbook did not stop");
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = signalled.elapsed().as_secs_f64();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr, took, dir)
}

/// The files left under `dir` whose names say they are temporary.
#[cfg(unix)]
fn temporaries_in(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .map(|e| e.into_path())
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.ends_with(".tmp") || name.starts_with("postbook-images-")
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_downloads_stops_within_two_seconds_and_reports_not_run() {
    let (code, stderr, took, dir) = interrupted_download(1);
    assert_eq!(code, Some(130), "{stderr}");
    assert!(took <= 2.0, "exit took {took:.2} s after Ctrl-C: {stderr}");
    assert!(
        stderr.contains("interrupted: 0 outputs written"),
        "{stderr}"
    );
    assert!(stderr.contains("30 not run (interrupted)"), "{stderr}");
    assert!(!stderr.contains("failed"), "{stderr}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    let statuses: Vec<&str> = report["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["not-run"; 30], "{report:#}");
    assert_eq!(report["summary"]["not_run"], 30);
    assert_eq!(report["summary"]["failed"], 0);
    let outputs = report["outputs"].as_array().unwrap();
    assert!(!outputs.is_empty() && outputs.iter().all(|o| o["status"] == "not-run"));
    assert!(epubs_in(&dir.path().join("out")).is_empty());
    let left = temporaries_in(dir.path());
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[cfg(unix)]
#[test]
fn a_second_ctrl_c_exits_at_once_and_leaves_no_temporary_files() {
    let (code, stderr, took, dir) = interrupted_download(2);
    assert_eq!(code, Some(130), "{stderr}");
    assert!(took <= 2.0, "exit took {took:.2} s after Ctrl-C: {stderr}");
    let left = temporaries_in(dir.path());
    assert!(left.is_empty(), "temporary files left: {left:?}");
}
