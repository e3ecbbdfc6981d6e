//! A Hexo site as its author wrote it (`tests/fixtures/hexo-site/`): found from its root or
//! from `source/_posts`, its `_config.yml` (title, author, language, time zone), pages,
//! scaffolds and drafts left out, pictures from `source/`, the theme and post asset folders,
//! and Hexo's tag plugins.

mod common;
use common::*;
use std::path::{Path, PathBuf};

/// Converts `input` with `args` into a temporary folder; returns it and the run's stderr.
fn convert(input: &Path, args: &[&str]) -> (tempfile::TempDir, String) {
    let out = tempfile::tempdir().unwrap();
    let run = postbook()
        .arg("convert")
        .args(args)
        .arg(input)
        .arg("-o")
        .arg(out.path().join("out"))
        .assert()
        .success();
    let stderr = String::from_utf8(run.get_output().stderr.clone()).unwrap();
    (out, stderr)
}

fn site() -> PathBuf {
    fixture("hexo-site")
}

/// The one book of a `-g none` run, and its chapters' XHTML in reading order.
fn the_book(out: &Path) -> (PathBuf, Vec<String>) {
    let books = epubs_in(&out.join("out"));
    assert_eq!(books.len(), 1, "{books:?}");
    let mut entries = unzip(&books[0]);
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let chapters = entries
        .iter()
        .filter(|(n, _)| n.starts_with("OEBPS/post-"))
        .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
        .collect();
    (books[0].clone(), chapters)
}

const BOOK: &[&str] = &["-t", "epub", "-g", "none", "--images", "embed"];

#[test]
fn a_hexo_site_reads_the_same_from_its_root_and_from_source_posts() {
    let (from_root, stderr) = convert(&site(), BOOK);
    let (book, chapters) = the_book(from_root.path());
    // `_config.yml` gives the book its title, author and language.
    assert_eq!(book.file_name().unwrap(), "前端札记.epub");
    let opf = epub_text(&book, ".opf");
    assert!(opf.contains("<dc:title>前端札记</dc:title>"), "{opf}");
    assert!(opf.contains(">林小舟</dc:creator>"), "{opf}");
    assert!(opf.contains("<dc:language>zh-CN</dc:language>"), "{opf}");
    // Three posts: the scaffolds, the draft and the about page are not chapters, and are named.
    assert_eq!(chapters.len(), 3, "{chapters:?}");
    let all = chapters.concat();
    for absent in ["不应该成为一章", "不应出现在书中", "{{ title }}"] {
        assert!(!all.contains(absent), "{absent}");
    }
    for skipped in [
        "scaffolds/post.md",
        "source/_drafts/idea.md",
        "source/about/index.md",
    ] {
        assert!(stderr.contains(skipped), "{skipped} not said: {stderr}");
    }
    // `date: 2021-06-01 00:30:00` is in the config's `timezone: Asia/Shanghai`.
    let (notes, _) = convert(&site(), &["-t", "markdown"]);
    let note = std::fs::read_to_string(
        all_files(&notes.path().join("out"))
            .into_iter()
            .find(|f| f.to_string_lossy().contains("reading-notes"))
            .unwrap(),
    )
    .unwrap();
    assert!(note.contains("date: 2021-06-01T00:30:00+08:00"), "{note}");

    // From `source/_posts`, the site is found two folders up: the same book.
    let (from_posts, _) = convert(&site().join("source/_posts"), BOOK);
    let (book2, chapters2) = the_book(from_posts.path());
    assert_eq!(book2.file_name(), book.file_name());
    assert_eq!(chapters2, chapters);
    // With `--drafts`, the draft is read; the scaffolds and the page still are not.
    let (with_drafts, _) = convert(&site(), &[BOOK, &["--drafts"]].concat());
    let (_, chapters) = the_book(with_drafts.path());
    assert_eq!(chapters.len(), 4);
    assert!(chapters.concat().contains("不应出现在书中"));
    assert!(!chapters.concat().contains("不应该成为一章"));
}
