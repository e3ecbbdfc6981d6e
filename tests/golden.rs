//! Golden files: what each writer makes of `samples/`, `tests/fixtures/messy` and
//! `tests/fixtures/technical`, kept in `tests/snapshots/` and reviewed like code when they
//! change (`cargo insta review`, or `INSTA_UPDATE=always cargo test --test golden` then `git
//! diff`). Other tests check properties; these show the output itself.

mod common;
use common::*;
use postbook::read::read_post;
use postbook::write::markdown::MarkdownWriter;
use postbook::write::text::TextWriter;
use postbook::write::NoteWriter;
use std::path::{Path, PathBuf};

/// The posts of a folder (not its sub-folders), sorted.
fn posts_in(dir: &Path) -> Vec<PathBuf> {
    let mut posts: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .is_some_and(|e| ["md", "html", "txt"].contains(&e.to_str().unwrap_or("")))
        })
        .collect();
    posts.sort();
    posts
}

/// A snapshot name for a post: its folder, position and extension (file names are Chinese).
fn name(set: &str, i: usize, path: &Path, writer: &str) -> String {
    let ext = path.extension().unwrap().to_string_lossy();
    format!("{set}-{:02}-{ext}.{writer}", i + 1)
}

fn snapshot_posts(set: &str, dir: &Path) {
    for (i, path) in posts_in(dir).iter().enumerate() {
        let header = format!("{}\n\n", path.file_name().unwrap().to_string_lossy());
        let post = match read_post(path) {
            Ok(post) => post,
            Err(e) => {
                insta::assert_snapshot!(name(set, i, path, "error"), header + &e.message);
                continue;
            }
        };
        insta::assert_snapshot!(
            name(set, i, path, "md"),
            header.clone() + &MarkdownWriter::default().render(&post.doc)
        );
        let text = TextWriter { wrap: None }.render(&post.doc);
        insta::assert_snapshot!(name(set, i, path, "txt"), header + &text);
    }
}

#[test]
fn markdown_and_text_of_the_samples() {
    snapshot_posts("samples", &samples());
}

#[test]
fn markdown_and_text_of_the_messy_fixtures() {
    snapshot_posts("messy", &fixture("messy"));
}

#[test]
fn markdown_and_text_of_a_technical_post() {
    snapshot_posts("technical", &fixture("technical"));
}

/// The package documents, section index pages and chapters of the samples as one book.
#[test]
fn epub_package_navigation_and_chapters_of_the_samples() {
    let out = tempfile::tempdir().unwrap();
    postbook()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args([
            "convert",
            "-q",
            "-t",
            "epub",
            "-g",
            "none",
            "--no-cover",
            "--no-config",
        ])
        .args(["--title", "Samples"])
        .arg(samples())
        .arg("-o")
        .arg(out.path())
        .assert()
        .success();
    let books = epubs_in(out.path());
    assert_eq!(books.len(), 1);
    for (file, bytes) in unzip(&books[0]) {
        let keep = file.ends_with(".opf")
            || file.ends_with(".ncx")
            || file.ends_with("nav.xhtml")
            || file.ends_with("toc.xhtml")
            || file.contains("post-")
            || file.contains("section-");
        if keep {
            let text = String::from_utf8(bytes).unwrap();
            insta::assert_snapshot!(format!("epub.{}", file.replace('/', "_")), text);
        }
    }
}
