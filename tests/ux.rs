//! The command-line experience: help, completions, man page, colour, diagnostics, dry runs,
//! the refuse-to-clobber policy and reproducible books.

mod common;
use common::*;
use predicates::prelude::*;
use std::path::Path;

fn stdout_of(cmd: &mut assert_cmd::Command) -> String {
    String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
}

#[test]
fn every_subcommand_has_help_with_examples() {
    for sub in ["convert", "inspect", "init", "completions", "man"] {
        let help = stdout_of(postbook().args([sub, "--help"]));
        assert!(help.contains("Examples:"), "{sub} --help:\n{help}");
        assert!(
            help.contains("postbook "),
            "{sub} --help has no example command"
        );
    }
    let version = stdout_of(postbook().arg("--version"));
    assert_eq!(
        version.trim(),
        format!("postbook {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = stdout_of(postbook().args(["completions", shell]));
        assert!(
            script.contains("convert"),
            "{shell} completions lack convert"
        );
        assert!(
            script.contains("group-by"),
            "{shell} completions lack flags"
        );
    }
    postbook().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn man_page_is_roff() {
    let page = stdout_of(postbook().arg("man"));
    assert!(page.starts_with(".TH postbook 1"), "{}", &page[..80]);
    assert!(page.contains("convert"));
    let dir = tempfile::tempdir().unwrap();
    postbook()
        .args(["man", "-o"])
        .arg(dir.path())
        .assert()
        .success();
    let sub = std::fs::read_to_string(dir.path().join("postbook-convert.1")).unwrap();
    assert!(sub.contains("\\-\\-group\\-by") || sub.contains("group-by"));
}

#[test]
fn dry_run_lists_outputs_and_writes_nothing() {
    let out = tempfile::tempdir().unwrap();
    let books = out.path().join("books");
    let listing = stdout_of(
        postbook()
            .args(["convert", "-t", "epub", "--dry-run"])
            .arg(samples())
            .arg("-o")
            .arg(&books),
    );
    assert!(!books.exists(), "dry run created the output folder");
    let seed = samples().join("2023-05-24-习近平会见俄罗斯总理米舒斯京.md");
    let expected = format!(
        "{}\n  {}\n",
        books.join("2023-05.epub").display(),
        seed.display()
    );
    assert!(listing.contains(&expected), "{listing}");
    assert_eq!(listing.lines().filter(|l| l.ends_with(".epub")).count(), 6);
}

#[test]
fn colour_only_when_asked() {
    let broken = fixture("broken");
    let run = |args: &[&str]| {
        let out = postbook()
            .args(args)
            .args(["convert", "-t", "md"])
            .arg(&broken)
            .arg("-o")
            .arg(tempfile::tempdir().unwrap().path())
            .assert()
            .code(1)
            .get_output()
            .stderr
            .clone();
        String::from_utf8(out).unwrap()
    };
    // Not a terminal: plain text, whatever the default.
    assert!(!run(&[]).contains('\x1b'));
    assert!(!run(&["--color", "never"]).contains('\x1b'));
    assert!(run(&["--color", "always"]).contains("\x1b["));
}

#[test]
fn front_matter_errors_show_the_line_with_a_caret() {
    let bad = fixture("broken/2023-01-01-bad-yaml.md");
    let text = std::fs::read_to_string(&bad).unwrap();
    let out = postbook()
        .args(["convert", "-t", "text", "-o", "-", "--color", "never"])
        .arg(&bad)
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    // `error: path:LINE:COL: message`, then `LINE | <that line>` and a caret line.
    let head = err.lines().next().unwrap();
    let pos = head
        .strip_prefix(&format!("error: {}:", bad.display()))
        .expect(head);
    let mut nums = pos.splitn(3, ':');
    let line: usize = nums.next().unwrap().parse().unwrap();
    let column: usize = nums.next().unwrap().parse().unwrap();
    let source = text.lines().nth(line - 1).unwrap();
    assert!(err.contains(&format!("{line} | {source}\n")), "{err}");
    let caret = err
        .lines()
        .find(|l| l.trim_end().ends_with('^'))
        .expect(&err);
    assert_eq!(
        caret.find('^').unwrap(),
        line.to_string().len() + 3 + column - 1
    );
}

#[test]
fn verbose_times_each_post_and_quiet_prints_nothing() {
    let out = tempfile::tempdir().unwrap();
    let verbose = postbook()
        .args(["convert", "-t", "md", "-v"])
        .arg(samples())
        .arg("-o")
        .arg(out.path().join("v"))
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    let verbose = String::from_utf8(verbose).unwrap();
    assert_eq!(
        verbose
            .lines()
            .filter(|l| l.starts_with("read ") && l.ends_with(" ms)"))
            .count(),
        6,
        "{verbose}"
    );
    assert_eq!(
        verbose
            .lines()
            .filter(|l| l.starts_with("created "))
            .count(),
        6
    );
    postbook()
        .args(["convert", "-t", "md", "-q"])
        .arg(samples())
        .arg("-o")
        .arg(out.path().join("q"))
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
}

fn convert_md(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    postbook()
        .args(["convert", "-t", "md", "--color", "never"])
        .args(extra)
        .arg(samples())
        .arg("-o")
        .arg(out)
        .assert()
}

#[test]
fn edited_notes_are_never_clobbered_silently() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    convert_md(out, &[]).success();
    let note = out.join("2021-07-15-local-image.md");
    let written = std::fs::read_to_string(&note).unwrap();

    // An unchanged re-run touches nothing.
    let mtime = std::fs::metadata(&note).unwrap().modified().unwrap();
    convert_md(out, &[])
        .success()
        .stderr(predicate::str::contains("(6 unchanged)"));
    assert_eq!(std::fs::metadata(&note).unwrap().modified().unwrap(), mtime);

    // A user edits a note: every later run keeps the edit, says so once, converts the rest
    // and succeeds; a note the user deleted is made again.
    let edited = format!("{written}\nMy own remark.\n");
    std::fs::write(&note, &edited).unwrap();
    std::fs::remove_file(out.join("2024-03-02-markdown-features.md")).unwrap();
    let reports = tempfile::tempdir().unwrap();
    let report = reports.path().join("report.json");
    for _ in 0..2 {
        let assert = convert_md(out, &["--report", report.to_str().unwrap()]).success();
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        let keeping = format!("keeping {}: edited since postbook wrote it", note.display());
        assert_eq!(stderr.matches(&keeping).count(), 1, "{stderr}");
        assert!(stderr.contains("--overwrite"), "{stderr}");
        assert!(
            stderr.contains("; 1 kept (edited since written)"),
            "{stderr}"
        );
        assert!(!stderr.contains("failed"), "{stderr}");
        assert_eq!(std::fs::read_to_string(&note).unwrap(), edited);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
        assert_eq!(json["summary"]["kept"], 1);
        assert_eq!(json["summary"]["failed"], 0);
        let rec = json["posts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| {
                p["input"]
                    .as_str()
                    .unwrap()
                    .ends_with("2021-07-15-local-image.md")
            })
            .unwrap();
        assert_eq!(rec["status"], "kept");
        let out_rec = json["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| {
                o["path"]
                    .as_str()
                    .unwrap()
                    .ends_with("2021-07-15-local-image.md")
            })
            .unwrap();
        assert_eq!(out_rec["status"], "kept");
    }
    assert!(out.join("2024-03-02-markdown-features.md").exists());

    // A file postbook never wrote is refused: that post has no output, and fails.
    let foreign = tempfile::tempdir().unwrap();
    std::fs::write(foreign.path().join("2021-07-15-local-image.md"), "mine").unwrap();
    convert_md(foreign.path(), &[]).code(1);

    // --overwrite replaces it.
    convert_md(out, &["--overwrite"]).success();
    assert_eq!(std::fs::read_to_string(&note).unwrap(), written);
}

#[test]
fn epubs_are_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let build = |name: &str| {
        let books = dir.path().join(name);
        postbook()
            .args(["convert", "-t", "epub", "-q"])
            .arg(samples())
            .arg("-o")
            .arg(&books)
            .env_remove("SOURCE_DATE_EPOCH")
            .assert()
            .success();
        epubs_in(&books)
            .into_iter()
            .map(|p| std::fs::read(p).unwrap())
            .collect::<Vec<_>>()
    };
    let first = build("a");
    // Zip timestamps have two-second resolution: let the clock move on.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let second = build("b");
    assert_eq!(first.len(), 6);
    assert!(first == second, "the same input gave different EPUB bytes");
}

#[test]
fn monthly_books_form_a_series_in_date_order() {
    let (_out, books) = sample_books(&[]);
    let mut dated = 0;
    for book in books {
        let opf = epub_text(&book, ".opf");
        let position = opf
            .split("property=\"group-position\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .map(|n| n.parse::<usize>().unwrap());
        if book.ends_with("undated.epub") {
            assert_eq!(position, None, "undated books are not in the series");
            continue;
        }
        dated += 1;
        // Books are listed in name order, which is date order: 2020-07 is 1, 2024-03 is 5.
        assert_eq!(position, Some(dated), "{}", book.display());
        assert!(opf.contains("<meta name=\"calibre:series\" content=\"samples\"/>"));
        assert!(opf.contains(&format!(
            "<meta name=\"calibre:series_index\" content=\"{dated}\"/>"
        )));
    }
    assert_eq!(dated, 5);
}

#[test]
fn books_spanning_months_get_a_two_level_contents() {
    let (_out, books) = sample_books(&["-g", "none"]);
    let nav = epub_text(&books[0], "nav.xhtml");
    let toc = nav.split("epub:type=\"toc\"").nth(1).unwrap();
    let toc = toc.split("</nav>").next().unwrap();
    // Five months (and the undated post), each a heading with its posts nested below.
    assert_eq!(toc.matches("<ol>").count(), 1 + 6, "{toc}");
    assert!(
        toc.contains(">May 2023</a>") || toc.contains(">2023年5月</a>"),
        "{toc}"
    );
    // Each month leads to its section's index page, which lists its articles.
    assert_eq!(toc.matches("<a href=\"section-").count(), 6, "{toc}");
    epubcheck(&books);
}
