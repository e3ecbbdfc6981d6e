//! Incremental re-runs (only outputs whose posts or options changed are rendered; unchanged
//! posts come from the metadata cache) and `--dedupe`.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A copy of `samples/` (6 posts, one per book) plus a second May 2023 post, so the 2023-05
/// book has two posts. Returns the temporary folder; posts are in `posts/`, outputs go to `out/`.
fn site() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let posts = tmp.path().join("posts");
    copy_samples_to(&posts);
    std::fs::write(
        posts.join("2023-05-30-second.md"),
        "---\ntitle: 五月的第二篇\ndate: 2023-05-30\n---\n同一个月的另一篇文章。\n",
    )
    .unwrap();
    tmp
}

/// Runs `convert -t FORMAT posts/ -o out/` with `extra` and returns the report.
fn convert(site: &Path, format: &str, extra: &[&str]) -> Value {
    let report = site.join("report.json");
    postbook()
        .args(["convert", "-q", "-t", format])
        .args(extra)
        .arg(site.join("posts"))
        .arg("-o")
        .arg(site.join("out"))
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap()
}

/// Each output's file name → its status.
fn statuses(report: &Value) -> BTreeMap<String, String> {
    report["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let path = PathBuf::from(o["path"].as_str().unwrap());
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, o["status"].as_str().unwrap().to_owned())
        })
        .collect()
}

/// The outputs that are not `unchanged`, by name.
fn rebuilt(report: &Value) -> Vec<String> {
    statuses(report)
        .into_iter()
        .filter(|(_, s)| s != "unchanged")
        .map(|(n, s)| format!("{n} {s}"))
        .collect()
}

fn mtimes(dir: &Path) -> BTreeMap<PathBuf, SystemTime> {
    all_files(dir)
        .into_iter()
        .filter(|p| !p.to_string_lossy().contains("/.postbook-"))
        .map(|p| {
            let t = std::fs::metadata(&p).unwrap().modified().unwrap();
            (p, t)
        })
        .collect()
}

fn summary(report: &Value, key: &str) -> u64 {
    report["summary"][key].as_u64().unwrap()
}

#[test]
fn an_unchanged_rerun_reads_and_renders_nothing() {
    for format in ["epub", "markdown"] {
        let site = site();
        let first = convert(site.path(), format, &[]);
        assert_eq!(summary(&first, "posts_from_cache"), 0);
        assert_eq!(summary(&first, "skipped"), 0);
        let before = mtimes(&site.path().join("out"));
        assert_eq!(
            before.len(),
            7 - usize::from(format == "epub"),
            "{before:?}"
        );

        let again = convert(site.path(), format, &[]);
        assert_eq!(summary(&again, "posts_from_cache"), 7, "{format}");
        let outputs = summary(&again, "outputs");
        assert_eq!(summary(&again, "skipped"), outputs, "{format}");
        assert_eq!(summary(&again, "unchanged"), outputs, "{format}");
        assert_eq!(summary(&again, "converted"), 7, "{format}");
        assert!(
            rebuilt(&again).is_empty(),
            "{format}: {:?}",
            rebuilt(&again)
        );
        assert_eq!(mtimes(&site.path().join("out")), before, "{format}");
        // Read warnings are kept in the cache and reported again.
        assert_eq!(
            summary(&again, "warnings"),
            summary(&first, "warnings"),
            "{format}"
        );
    }
}

#[test]
fn an_edited_post_rebuilds_exactly_its_output() {
    for (format, output) in [
        ("epub", "2023-05.epub"),
        ("markdown", "2023-05-30-second.md"),
    ] {
        let site = site();
        convert(site.path(), format, &[]);
        let post = site.path().join("posts/2023-05-30-second.md");
        let mut text = std::fs::read_to_string(&post).unwrap();
        text.push_str("\n补充一段。\n");
        std::fs::write(&post, text).unwrap();

        let report = convert(site.path(), format, &[]);
        assert_eq!(rebuilt(&report), [format!("{output} replaced")], "{format}");
        assert_eq!(summary(&report, "posts_from_cache"), 6, "{format}");
        assert_eq!(
            summary(&report, "skipped"),
            summary(&report, "outputs") - 1,
            "{format}"
        );
        let out = site.path().join("out").join(output);
        let written = match format {
            "epub" => unzip(&out)
                .into_iter()
                .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
                .collect(),
            _ => std::fs::read_to_string(out).unwrap(),
        };
        assert!(
            written.contains("补充一段"),
            "{format}: edit not in {output}"
        );
    }
}

#[test]
fn a_deleted_post_rebuilds_its_book() {
    let site = site();
    convert(site.path(), "epub", &[]);
    std::fs::remove_file(site.path().join("posts/2023-05-30-second.md")).unwrap();
    let report = convert(site.path(), "epub", &[]);
    assert_eq!(rebuilt(&report), ["2023-05.epub replaced"]);
    assert_eq!(summary(&report, "posts_from_cache"), 6);
    let book = site.path().join("out/2023-05.epub");
    assert!(!unzip(&book)
        .iter()
        .any(|(_, b)| String::from_utf8_lossy(b).contains("五月的第二篇")));
}

#[test]
fn a_changed_option_template_or_picture_rebuilds_what_it_affects() {
    let site = site();
    let theme = site.path().join("theme");
    std::fs::create_dir(&theme).unwrap();
    let css =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/style.css"))
            .unwrap();
    std::fs::write(theme.join("style.css"), &css).unwrap();
    let theme_arg = theme.to_str().unwrap();
    let all_replaced = |report: &Value| {
        statuses(report).values().all(|s| s == "replaced") && summary(report, "skipped") == 0
    };

    convert(site.path(), "epub", &["--templates", theme_arg]);
    // An option that changes every book: all are rendered again, from cached metadata.
    let retitled = convert(
        site.path(),
        "epub",
        &["--templates", theme_arg, "--title", "新闻"],
    );
    assert!(all_replaced(&retitled), "{:?}", statuses(&retitled));
    assert_eq!(summary(&retitled, "posts_from_cache"), 7);
    let same = convert(
        site.path(),
        "epub",
        &["--templates", theme_arg, "--title", "新闻"],
    );
    assert!(rebuilt(&same).is_empty(), "{:?}", rebuilt(&same));

    // A template file edited in place (same option, new content): every book.
    std::fs::write(
        theme.join("style.css"),
        format!("{css}\nh1 {{ color: gray; }}\n"),
    )
    .unwrap();
    let restyled = convert(
        site.path(),
        "epub",
        &["--templates", theme_arg, "--title", "新闻"],
    );
    assert!(all_replaced(&restyled), "{:?}", statuses(&restyled));

    // A local picture replaced without touching its post: the book that shows it.
    let picture = site.path().join("posts/images/harbour.png");
    let mut bytes = std::fs::read(&picture).unwrap();
    bytes.extend_from_slice(b"\0"); // trailing bytes after IEND: still the same PNG to decoders
    std::fs::write(&picture, bytes).unwrap();
    let repictured = convert(
        site.path(),
        "epub",
        &["--templates", theme_arg, "--title", "新闻"],
    );
    assert_eq!(
        rebuilt(&repictured),
        ["2021-07.epub replaced"],
        "{:?}",
        statuses(&repictured)
    );
}

#[test]
fn a_corrupt_cache_is_ignored() {
    let site = site();
    let first = convert(site.path(), "epub", &[]);
    let cache = site.path().join("out/.postbook-cache");
    for garbage in [
        &b"{\"format\": 1, \"postbook\""[..],
        b"\xff\xfe garbage",
        b"postbook cache\n\xff\xff\xff\xff",
        b"",
    ] {
        std::fs::write(&cache, garbage).unwrap();
        let report = convert(site.path(), "epub", &[]);
        // Every post is read again, and the outputs are still known to be up to date.
        assert_eq!(summary(&report, "posts_from_cache"), 0);
        assert_eq!(summary(&report, "skipped"), summary(&first, "outputs"));
        // The cache is written anew.
        let report = convert(site.path(), "epub", &[]);
        assert_eq!(summary(&report, "posts_from_cache"), 7);
    }
}

#[test]
fn a_cut_or_damaged_cache_serves_the_posts_before_the_damage() {
    let site = site();
    let first = convert(site.path(), "epub", &[]);
    let cache = site.path().join("out/.postbook-cache");
    let bytes = std::fs::read(&cache).unwrap();
    let books = || {
        let out = site.path().join("out");
        let mut files: Vec<_> = all_files(&out)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "epub"))
            .map(|p| (p.clone(), std::fs::read(p).unwrap()))
            .collect();
        files.sort();
        files
    };
    let before = books();
    // Cut in the middle, and with one byte of its second half changed: the posts before the
    // damage come from the cache, the rest are read, and every book is as it was.
    let mut damaged = bytes.clone();
    let last = damaged.len() - 10;
    damaged[last] ^= 0x55;
    for broken in [&bytes[..bytes.len() / 2], &damaged[..]] {
        std::fs::write(&cache, broken).unwrap();
        let report = convert(site.path(), "epub", &[]);
        let from_cache = summary(&report, "posts_from_cache");
        assert!((1..7).contains(&from_cache), "{from_cache}");
        assert_eq!(summary(&report, "skipped"), summary(&first, "outputs"));
        assert_eq!(books(), before);
        assert_eq!(std::fs::read(&cache).unwrap(), bytes, "written anew");
    }
}

#[test]
fn an_old_format_cache_is_ignored_and_replaced() {
    let site = site();
    let first = convert(site.path(), "epub", &[]);
    let out = site.path().join("out");
    // A folder last converted by a version that kept its cache as JSON lines.
    std::fs::remove_file(out.join(".postbook-cache")).unwrap();
    let old = out.join(".postbook-cache.json");
    let line = |p: &Path| {
        format!(
            "{}\t{{\"meta\":{{\"title\":\"old\"}}}}\n",
            serde_json::to_string(p).unwrap()
        )
    };
    let mut text = format!(
        "{{\"format\":5,\"postbook\":\"{}\",\"keep_chrome\":[],\"sites\":[]}}\n",
        env!("CARGO_PKG_VERSION")
    );
    for post in all_files(&site.path().join("posts")) {
        text.push_str(&line(&post));
    }
    std::fs::write(&old, text).unwrap();
    let report = convert(site.path(), "epub", &[]);
    assert_eq!(summary(&report, "posts_from_cache"), 0);
    assert_eq!(summary(&report, "skipped"), summary(&first, "outputs"));
    assert!(!old.exists(), "the old cache is removed");
    let report = convert(site.path(), "epub", &[]);
    assert_eq!(summary(&report, "posts_from_cache"), 7);
}

#[test]
fn rebuild_reads_and_renders_everything() {
    let site = site();
    convert(site.path(), "epub", &[]);
    let before = mtimes(&site.path().join("out"));
    let report = convert(site.path(), "epub", &["--rebuild"]);
    assert_eq!(summary(&report, "posts_from_cache"), 0);
    assert_eq!(summary(&report, "skipped"), 0);
    // Rendered again, to the same bytes: the files are still not touched.
    assert_eq!(summary(&report, "unchanged"), summary(&report, "outputs"));
    assert_eq!(mtimes(&site.path().join("out")), before);
}

#[test]
fn an_edited_output_is_rendered_again_and_kept() {
    let site = site();
    convert(site.path(), "markdown", &[]);
    let note = site.path().join("out/2023-05-30-second.md");
    std::fs::write(&note, "my own notes\n").unwrap();
    let out = postbook()
        .args(["convert", "-t", "markdown", "--color", "never"])
        .arg(site.path().join("posts"))
        .arg("-o")
        .arg(site.path().join("out"))
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(err.contains("keeping "), "{err}");
    assert!(
        err.contains("(6 unchanged); 1 kept (edited since written)"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&note).unwrap(), "my own notes\n");
}

#[test]
fn dry_run_tells_up_to_date_outputs_apart() {
    let site = site();
    convert(site.path(), "epub", &[]);
    let post = site.path().join("posts/2023-05-30-second.md");
    std::fs::write(
        &post,
        "---\ntitle: 改了\ndate: 2023-05-30\n---\n新的正文。\n",
    )
    .unwrap();
    let report = convert(site.path(), "epub", &["--dry-run"]);
    assert_eq!(rebuilt(&report), ["2023-05.epub planned"]);
    // Nothing was written: the next real run still has that book to do.
    let report = convert(site.path(), "epub", &[]);
    assert_eq!(rebuilt(&report), ["2023-05.epub replaced"]);
}

#[test]
fn dedupe_drops_reposts_and_says_which() {
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    let run = |extra: &[&str]| {
        let assert = postbook()
            .args(["convert", "-t", "markdown", "--color", "never"])
            .args(extra)
            .arg(fixture("duplicates"))
            .arg("-o")
            .arg(out.path().join("notes"))
            .arg("--report")
            .arg(&report)
            .assert()
            .success();
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        let json: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
        (stderr, json)
    };
    let (_, all) = run(&[]);
    assert_eq!(summary(&all, "converted"), 10);
    assert_eq!(summary(&all, "duplicates"), 0);

    let (stderr, json) = run(&["--dedupe"]);
    assert!(stderr.contains("converted 6 posts into"), "{stderr}");
    assert!(stderr.contains("; 4 duplicates dropped"), "{stderr}");
    assert_eq!(summary(&json, "duplicates"), 4);
    let dropped: BTreeMap<String, String> = json["posts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["status"] == "duplicate")
        .map(|p| {
            let name = |v: &Value| {
                let p = PathBuf::from(v.as_str().unwrap());
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                name.chars().take(17).collect::<String>()
            };
            (name(&p["input"]), name(&p["duplicate_of"]))
        })
        .collect();
    let expected: BTreeMap<String, String> = [
        // The same source URL (real reposts from the corpus)...
        ("2020-10-05-中国宗教自由", "2020-10-03-中国宗教自由"),
        ("2022-10-25-Tracki", "2022-04-05-Tracki"),
        // ...spelled differently (case, trailing slash, fragment).
        ("2022-11-01-tracki", "2022-04-05-Tracki"),
        // No source: the same title on the same day (not the next day's).
        ("2023-03-01-note-b", "2023-03-01-note-a"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .collect();
    assert_eq!(dropped, expected);
}

/// The files in `dir` with extension `ext`, by name.
fn names_with_ext(dir: &Path, ext: &str) -> Vec<String> {
    files_with_ext(dir, ext)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// The report's `replaced` list: file name → whether it was removed.
fn replaced(report: &Value) -> Vec<(String, bool)> {
    report["replaced"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    let path = PathBuf::from(r["path"].as_str().unwrap());
                    let name = path.file_name().unwrap().to_string_lossy().into_owned();
                    (name, r["removed"].as_bool().unwrap())
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_retitled_book_replaces_the_old_one() {
    let site = site();
    let out = site.path().join("out");
    let first = convert(
        site.path(),
        "epub",
        &["--group-by", "none", "--title", "旧名"],
    );
    assert!(replaced(&first).is_empty());
    assert_eq!(names_with_ext(&out, "epub"), ["旧名.epub"]);

    // The title edited: one book, under its new name; the old one is gone, and said so.
    let retitled = convert(
        site.path(),
        "epub",
        &["--group-by", "none", "--title", "新名"],
    );
    assert_eq!(names_with_ext(&out, "epub"), ["新名.epub"]);
    assert_eq!(replaced(&retitled), [("旧名.epub".to_string(), true)]);
    assert_eq!(summary(&retitled, "removed"), 1);
    let manifest = std::fs::read_to_string(out.join(".postbook-manifest.json")).unwrap();
    assert!(!manifest.contains("旧名"), "{manifest}");

    // The same again: nothing to remove.
    let again = convert(
        site.path(),
        "epub",
        &["--group-by", "none", "--title", "新名"],
    );
    assert!(replaced(&again).is_empty());
    assert!(rebuilt(&again).is_empty(), "{:?}", rebuilt(&again));

    // Another folder of posts converted into the same folder is another book: both stay.
    let other = site.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(
        other.join("2020-01-01-x.md"),
        "---\ntitle: 别的\n---\n别的文章。\n",
    )
    .unwrap();
    postbook()
        .args(["convert", "-q", "-t", "epub", "--group-by", "none"])
        .args(["--title", "别的书"])
        .arg(&other)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    assert_eq!(names_with_ext(&out, "epub"), ["别的书.epub", "新名.epub"]);

    // A book cut from the same posts (fewer of them, a title of its own) is another book too:
    // the fuller one it was cut from stays.
    let cut = convert(
        site.path(),
        "epub",
        &[
            "--group-by",
            "none",
            "--title",
            "五月",
            "--since",
            "2023-05-30",
        ],
    );
    assert!(replaced(&cut).is_empty(), "{:?}", replaced(&cut));
    assert_eq!(
        names_with_ext(&out, "epub"),
        ["五月.epub", "别的书.epub", "新名.epub"]
    );
}

#[test]
fn a_replaced_output_a_user_edited_is_kept_with_a_warning() {
    let site = site();
    let out = site.path().join("out");
    convert(
        site.path(),
        "epub",
        &["--group-by", "none", "--title", "旧名"],
    );
    let old = out.join("旧名.epub");
    std::fs::write(&old, b"my own copy").unwrap();
    let run = postbook()
        .args([
            "convert",
            "-t",
            "epub",
            "--group-by",
            "none",
            "--title",
            "新名",
        ])
        .args(["--color", "never"])
        .arg(site.path().join("posts"))
        .arg("-o")
        .arg(&out)
        .arg("--report")
        .arg(site.path().join("report.json"))
        .assert()
        .success();
    let err = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    assert!(
        err.contains("not removing") && err.contains("旧名.epub"),
        "{err}"
    );
    assert_eq!(std::fs::read(&old).unwrap(), b"my own copy");
    let report: Value =
        serde_json::from_slice(&std::fs::read(site.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(replaced(&report), [("旧名.epub".to_string(), false)]);
    assert_eq!(summary(&report, "removed"), 0);
    assert_eq!(names_with_ext(&out, "epub"), ["新名.epub", "旧名.epub"]);
}

#[test]
fn a_note_renamed_by_its_title_replaces_the_old_note() {
    let site = site();
    let out = site.path().join("out");
    let post = site.path().join("posts/note.md");
    std::fs::write(
        &post,
        "---\ntitle: Old name\ndate: 2023-06-01\n---\nBody.\n",
    )
    .unwrap();
    convert(site.path(), "markdown", &[]);
    assert!(out.join("2023-06-01-Old name.md").is_file());
    // A note next to it that the user wrote is never touched.
    std::fs::write(out.join("my-own.md"), "mine\n").unwrap();

    std::fs::write(
        &post,
        "---\ntitle: New name\ndate: 2023-06-01\n---\nBody.\n",
    )
    .unwrap();
    let report = convert(site.path(), "markdown", &[]);
    assert!(out.join("2023-06-01-New name.md").is_file());
    assert!(!out.join("2023-06-01-Old name.md").exists());
    assert_eq!(
        replaced(&report),
        [("2023-06-01-Old name.md".to_string(), true)]
    );
    assert_eq!(
        std::fs::read_to_string(out.join("my-own.md")).unwrap(),
        "mine\n"
    );
    // Every other note stays.
    assert_eq!(
        names_with_ext(&out, "md").len(),
        9,
        "{:?}",
        names_with_ext(&out, "md")
    );
}

#[test]
fn a_site_retitled_in_its_config_replaces_its_book() {
    // A Jekyll site's `title:` names its one book: editing it renames the book, and the
    // re-run removes the old one.
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    copy_tree(&fixture("jekyll-collections"), &site);
    let out = tmp.path().join("out");
    let run = || convert_with_report(&site, &out, &["-t", "epub", "-g", "none"]);
    run();
    assert_eq!(names_with_ext(&out, "epub"), ["Kitchen Notes.epub"]);
    let config = site.join("_config.yml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("Kitchen Notes", "Kitchen Tips")).unwrap();
    let report = run();
    assert_eq!(names_with_ext(&out, "epub"), ["Kitchen Tips.epub"]);
    assert_eq!(
        replaced(&report),
        [("Kitchen Notes.epub".to_string(), true)]
    );
}
