//! postbook.toml and `postbook init`: repeatable books from a file of options, overridden by
//! the command line.

mod common;
use common::*;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

/// A copy of `samples/` in a temporary folder, so a postbook.toml can be put beside the posts.
fn samples_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("posts");
    copy_samples_to(&posts);
    (dir, posts)
}

fn book_titles(dir: &Path) -> Vec<String> {
    epubs_in(dir)
        .iter()
        .map(|b| {
            let opf = epub_text(b, ".opf");
            let start = opf.find("<dc:title").unwrap();
            let start = start + opf[start..].find('>').unwrap() + 1;
            let end = start + opf[start..].find("</dc:title>").unwrap();
            opf[start..end].to_string()
        })
        .collect()
}

#[test]
fn init_writes_an_example_that_convert_accepts() {
    let (dir, posts) = samples_copy();
    postbook().arg("init").arg(&posts).assert().success();
    let toml = posts.join("postbook.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(text.contains("# title-pattern = "), "{text}");
    // A second init refuses to replace the user's file.
    postbook().arg("init").arg(&posts).assert().code(2);
    postbook()
        .args(["init", "--force"])
        .arg(&posts)
        .assert()
        .success();

    // Everything commented out: the file changes nothing, and -t/-o are still needed.
    postbook()
        .arg("convert")
        .arg(&posts)
        .assert()
        .code(2)
        .stderr(
            predicates::str::contains("no output format")
                .and(predicates::str::contains("postbook.toml")),
        );
    // Uncomment `to`, `output` and a title pattern: `postbook convert posts/` is the whole job.
    let text = text
        .replace("# to = \"epub\"", "to = \"epub\"")
        .replace("# output = \"books\"", "output = \"../books\"")
        .replace(
            "# title-pattern = \"{collection} — {year}年{month}月\"",
            "title-pattern = \"{collection} — {year}年{month}月\"",
        );
    std::fs::write(&toml, text).unwrap();
    postbook()
        .args(["convert", "-q"])
        .arg(&posts)
        .current_dir(std::env::temp_dir()) // paths in the file are relative to the file
        .assert()
        .success();
    let books = dir.path().join("books");
    let titles = book_titles(&books);
    assert!(
        titles.iter().any(|t| t.ends_with("— 2023年5月")),
        "{titles:?}"
    );
    // Undated posts keep the default title (in the run's style: the samples' titles are mostly
    // Chinese).
    assert!(titles.iter().any(|t| t.ends_with("— 无日期")), "{titles:?}");
    epubcheck(&epubs_in(&books));
}

#[test]
fn command_line_wins_over_the_file() {
    let (dir, posts) = samples_copy();
    std::fs::write(
        posts.join("postbook.toml"),
        "to = \"epub\"\noutput = \"../books\"\ngroup-by = \"year\"\ntitle = \"From the file\"\n",
    )
    .unwrap();
    let out = dir.path().join("cli-out");
    postbook()
        .args(["convert", "-q", "-t", "markdown", "-g", "none", "-o"])
        .arg(&out)
        .arg(&posts)
        .assert()
        .success();
    assert!(!dir.path().join("books").exists());
    assert!(!files_with_ext(&out, "md").is_empty());

    postbook()
        .args(["convert", "-q", "--title", "From the flag"])
        .arg(&posts)
        .assert()
        .success();
    let titles = book_titles(&dir.path().join("books"));
    // group-by = "year" from the file, the title from the flag.
    assert!(
        titles.contains(&"From the flag — 2023年".to_string()),
        "{titles:?}"
    );
    assert!(!titles.iter().any(|t| t.contains("From the file")));

    // --no-config ignores the file; --config names another one.
    postbook()
        .args(["convert", "--no-config"])
        .arg(&posts)
        .assert()
        .code(2);
    let other = dir.path().join("other.toml");
    std::fs::write(&other, "to = \"text\"\noutput = \"text-out\"\n").unwrap();
    postbook()
        .args(["convert", "-q", "--config"])
        .arg(&other)
        .arg(&posts)
        .assert()
        .success();
    assert!(!files_with_ext(&dir.path().join("text-out"), "txt").is_empty());
}

/// Every key of the example, uncommented, reaches `convert` (a key the command line does not
/// know would make clap panic in a debug build; a wrong value type fails the parse).
#[test]
fn every_key_of_the_example_is_accepted() {
    let (dir, posts) = samples_copy();
    let all: String = postbook_example()
        .lines()
        .map(|l| {
            l.strip_prefix("# ")
                .filter(|s| s.contains(" = "))
                .unwrap_or(l)
        })
        // `attachments` is where Markdown notes' embedded pictures go: with this EPUB run it
        // is a usage error (tested in tests/vault.rs).
        .filter(|l| {
            !l.starts_with("cover =")
                && !l.starts_with("cache-dir =")
                && !l.starts_with("attachments =")
        })
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .replace("templates = \"theme\"", "")
        .replace("offline = false", "offline = true");
    std::fs::write(posts.join("postbook.toml"), all).unwrap();
    std::fs::write(posts.join("extra.css"), "h1 { letter-spacing: 0.1em; }\n").unwrap();
    postbook()
        .args(["convert", "-q", "--dry-run"])
        .arg(&posts)
        .assert()
        .success();
    assert!(
        !dir.path().join("posts/books").exists(),
        "dry run wrote books"
    );
}

fn postbook_example() -> String {
    let dir = tempfile::tempdir().unwrap();
    postbook().arg("init").arg(dir.path()).assert().success();
    std::fs::read_to_string(dir.path().join("postbook.toml")).unwrap()
}

#[test]
fn config_errors_are_usage_errors_with_a_line() {
    let (_dir, posts) = samples_copy();
    std::fs::write(
        posts.join("postbook.toml"),
        "to = \"epub\"\ngroup_by = \"month\"\n",
    )
    .unwrap();
    postbook()
        .arg("convert")
        .arg(&posts)
        .assert()
        .code(2)
        .stderr(
            predicates::str::contains("postbook.toml:2:1")
                .and(predicates::str::contains("group_by")),
        );
    std::fs::write(posts.join("postbook.toml"), "jpeg-quality = 0\n").unwrap();
    postbook()
        .args(["convert", "-t", "epub", "-o", "-"])
        .arg(&posts)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("jpeg-quality"));
}

#[test]
fn extra_css_is_added_to_the_stylesheet() {
    let (dir, posts) = samples_copy();
    let css = dir.path().join("mine.css");
    std::fs::write(&css, "@media print{#x{color:red}}\n").unwrap();
    let out = dir.path().join("books");
    postbook()
        .args(["convert", "-q", "-t", "epub", "-g", "none", "--css"])
        .arg(&css)
        .arg("-o")
        .arg(&out)
        .arg(&posts)
        .assert()
        .success();
    let books = epubs_in(&out);
    let style = epub_text(&books[0], "stylesheet.css");
    assert!(style.contains("text-indent: 2em"), "built-in rules kept");
    assert!(style.contains("@media print{#x{color:red}}"), "{style}");
    epubcheck(&books);
}
