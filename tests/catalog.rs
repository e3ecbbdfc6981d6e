//! The OPDS catalog (`convert --catalog`, `postbook catalog DIR`): what it lists, that it
//! follows the books on disk, and what it does with files that are not books.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const ATOM: &str = "http://www.w3.org/2005/Atom";
const FEED_TYPE: &str = "application/atom+xml;profile=opds-catalog;kind=acquisition";

/// One entry of the catalog, as a reader sees it.
#[derive(Debug)]
struct Entry {
    title: String,
    id: String,
    authors: Vec<String>,
    summary: String,
    /// rel → (href, type).
    links: BTreeMap<String, (String, String)>,
}

/// Parses `dir/catalog.xml`, checking the feed's own required parts, and returns its entries.
fn catalog(dir: &Path) -> Vec<Entry> {
    let text = std::fs::read_to_string(dir.join("catalog.xml")).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("catalog.xml is well-formed XML");
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().namespace(), Some(ATOM), "an Atom feed");
    assert_eq!(feed.tag_name().name(), "feed");
    let child = |n: roxmltree::Node, name: &str| {
        n.children()
            .find(|c| c.has_tag_name((ATOM, name)))
            .and_then(|c| c.text())
            .map(str::to_string)
    };
    for required in ["id", "title", "updated"] {
        assert!(
            child(feed, required).is_some(),
            "the feed has no {required}"
        );
    }
    assert!(child(feed, "id").unwrap().starts_with("urn:uuid:"));
    let feed_links: Vec<(&str, &str, &str)> = feed
        .children()
        .filter(|c| c.has_tag_name((ATOM, "link")))
        .map(|l| {
            let a = |k| l.attribute(k).unwrap_or_default();
            (a("rel"), a("href"), a("type"))
        })
        .collect();
    for rel in ["self", "start"] {
        assert!(
            feed_links.contains(&(rel, "catalog.xml", FEED_TYPE)),
            "no {rel} link: {feed_links:?}"
        );
    }
    let feed_has_author = feed.children().any(|c| c.has_tag_name((ATOM, "author")));
    let entries: Vec<Entry> = feed
        .children()
        .filter(|c| c.has_tag_name((ATOM, "entry")))
        .map(|e| Entry {
            title: child(e, "title").expect("entry title"),
            id: child(e, "id").expect("entry id"),
            authors: e
                .children()
                .filter(|c| c.has_tag_name((ATOM, "author")))
                .filter_map(|a| child(a, "name"))
                .collect(),
            summary: child(e, "summary").unwrap_or_default(),
            links: e
                .children()
                .filter(|c| c.has_tag_name((ATOM, "link")))
                .map(|l| {
                    let a = |k| l.attribute(k).unwrap_or_default().to_string();
                    (a("rel"), (a("href"), a("type")))
                })
                .collect(),
        })
        .collect();
    for e in &entries {
        assert!(child(feed, "updated").is_some());
        // Atom: a feed without an author needs one on every entry (jing skips this rule).
        assert!(
            feed_has_author || !e.authors.is_empty(),
            "{e:?} has no author"
        );
    }
    let ids: std::collections::BTreeSet<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), entries.len(), "entry ids are unique");
    entries
}

/// The file a catalog href names, relative to the catalog: percent-decoded, and never outside
/// the folder.
fn target(dir: &Path, href: &str) -> PathBuf {
    assert!(
        !href.contains(' ') && !href.contains("..") && !href.starts_with('/'),
        "{href}"
    );
    assert!(href.is_ascii(), "hrefs are percent-encoded: {href}");
    let decoded = percent_encoding::percent_decode_str(href)
        .decode_utf8()
        .unwrap();
    dir.join(decoded.as_ref())
}

/// The `dc:title` of a book.
fn book_title(book: &Path) -> String {
    let opf = epub_text(book, ".opf");
    let doc = roxmltree::Document::parse(&opf).unwrap();
    doc.descendants()
        .find(|n| n.tag_name().name() == "title")
        .and_then(|n| n.text())
        .unwrap()
        .to_string()
}

/// Validates the catalog against the OPDS 1.2 RELAX NG schema (tests/fixtures/opds) with
/// jing, when jing is installed (CI installs it; without it the check is reported skipped).
fn validate_with_jing(catalog: &Path) {
    let jing = std::process::Command::new("jing").arg("-h").output();
    if jing.is_err() {
        skipped("jing (Debian package jing), for the OPDS schema check");
        return;
    }
    let schema = fixture("opds/opds.rnc");
    let out = std::process::Command::new("jing")
        .arg("-c")
        .arg(&schema)
        .arg(catalog)
        .output()
        .unwrap();
    // Debian's wrapper prints `[warning] … Unable to locate …` lines for optional jars.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.trim().is_empty(),
        "catalog.xml does not validate against the OPDS 1.2 schema:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_catalog_lists_every_book_with_its_covers_and_validates() {
    let (out, books) = sample_books(&["--catalog"]);
    let dir = out.path();
    let entries = catalog(dir);
    assert_eq!(entries.len(), books.len(), "one entry per book");
    for book in &books {
        let title = book_title(book);
        let entry = entries
            .iter()
            .find(|e| e.title == title)
            .unwrap_or_else(|| panic!("no entry titled {title}: {entries:?}"));
        let (href, kind) = &entry.links["http://opds-spec.org/acquisition"];
        assert_eq!(kind, "application/epub+zip");
        assert_eq!(target(dir, href), *book, "the acquisition link is the book");
        let (thumb, kind) = &entry.links["http://opds-spec.org/image/thumbnail"];
        assert_eq!(kind, "image/jpeg");
        let thumb = image::open(target(dir, thumb)).expect("the thumbnail decodes");
        assert!(
            thumb.height() <= 300 && thumb.height() > 100,
            "{}",
            thumb.height()
        );
        let (cover, kind) = &entry.links["http://opds-spec.org/image"];
        assert_eq!(kind, "image/png");
        let cover = image::open(target(dir, cover)).expect("the cover decodes");
        assert!(cover.height() > thumb.height());
        assert!(!entry.summary.is_empty());
    }
    // The Chinese books: author and the post's title in the summary.
    let zh = entries
        .iter()
        .find(|e| e.title.ends_with("2023年5月"))
        .unwrap();
    assert_eq!(zh.authors, ["联合早报"]);
    assert!(
        zh.summary.contains("习近平会见俄罗斯总理米舒斯京"),
        "{}",
        zh.summary
    );
    validate_with_jing(&dir.join("catalog.xml"));
    // `postbook catalog` makes the same catalog from the same folder, touching no book.
    let before = std::fs::read(dir.join("catalog.xml")).unwrap();
    let hashes = |books: &[PathBuf]| -> Vec<Vec<u8>> {
        books.iter().map(|b| std::fs::read(b).unwrap()).collect()
    };
    let books_before = hashes(&books);
    let assert = postbook().arg("catalog").arg(dir).assert().success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("6 books (unchanged)"), "{stderr}");
    assert_eq!(std::fs::read(dir.join("catalog.xml")).unwrap(), before);
    assert_eq!(hashes(&books), books_before);
}

#[test]
fn the_catalog_follows_rebuilt_and_new_books() {
    let tmp = tempfile::tempdir().unwrap();
    let posts = tmp.path().join("posts");
    copy_samples_to(&posts);
    let out = tmp.path().join("out");
    let convert = || {
        postbook()
            .args(["convert", "-q", "-t", "epub", "--catalog"])
            .arg(&posts)
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
    };
    convert();
    let first = catalog(&out);
    let thumbs_before = files_with_ext(&out.join("catalog/covers"), "jpg");
    assert_eq!(thumbs_before.len(), first.len());
    // A post retitled: its book is rebuilt, and its entry says the new title.
    let post = posts.join("2024-03-02-markdown-features.md");
    let text = std::fs::read_to_string(&post).unwrap();
    let old = "Markdown 功能一览";
    assert!(text.contains(old));
    std::fs::write(&post, text.replacen(old, "Markdown 全部功能", 1)).unwrap();
    // And a post in a month that had no book.
    std::fs::write(
        posts.join("2025-01-09-new.md"),
        "---\ntitle: 新年的第一篇\ndate: 2025-01-09\nauthor: 王小明\n---\n新的一年。\n",
    )
    .unwrap();
    convert();
    let second = catalog(&out);
    assert_eq!(second.len(), first.len() + 1);
    assert!(
        second[0].title.ends_with("2025年1月"),
        "newest first: {second:?}"
    );
    assert!(second[0].summary.contains("新年的第一篇"));
    let march = second
        .iter()
        .find(|e| e.title.ends_with("2024年3月"))
        .unwrap();
    assert!(
        march.summary.contains("Markdown 全部功能"),
        "{}",
        march.summary
    );
    assert!(!march.summary.contains(old), "{}", march.summary);
    validate_with_jing(&out.join("catalog.xml"));
    // A removed book leaves the catalog, and its covers the covers folder (the generated
    // cover shows the title and dates, so the retitled book's cover changed too).
    std::fs::remove_file(out.join("2025-01.epub")).unwrap();
    postbook()
        .arg("catalog")
        .arg("-q")
        .arg(&out)
        .assert()
        .success();
    let third = catalog(&out);
    assert_eq!(third.len(), first.len());
    let thumbs = files_with_ext(&out.join("catalog/covers"), "jpg");
    assert_eq!(thumbs.len(), third.len(), "{thumbs:?}");
}

#[test]
fn a_broken_book_is_named_and_the_others_are_listed() {
    let (out, books) = sample_books(&[]);
    let dir = out.path();
    // A book with a space, CJK and `#` in its name, in a sub-folder.
    let sub = dir.join("旧 书");
    std::fs::create_dir(&sub).unwrap();
    let renamed = sub.join("五月 新闻#1.epub");
    std::fs::rename(&books[3], &renamed).unwrap();
    std::fs::write(dir.join("broken.epub"), b"PK\x03\x04 not really a zip").unwrap();
    let assert = postbook().arg("catalog").arg(dir).assert().success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("warning:") && stderr.contains("broken.epub: not listed in the catalog"),
        "{stderr}"
    );
    let entries = catalog(dir);
    assert_eq!(entries.len(), books.len(), "the broken file is left out");
    let moved = entries
        .iter()
        .find(|e| e.title == book_title(&renamed))
        .unwrap();
    let (href, _) = &moved.links["http://opds-spec.org/acquisition"];
    assert_eq!(
        href,
        "%E6%97%A7%20%E4%B9%A6/%E4%BA%94%E6%9C%88%20%E6%96%B0%E9%97%BB%231.epub"
    );
    assert_eq!(target(dir, href), renamed);
    validate_with_jing(&dir.join("catalog.xml"));
}

#[test]
fn a_catalog_postbook_did_not_write_is_refused() {
    let (out, _books) = sample_books(&[]);
    let dir = out.path();
    std::fs::write(dir.join("catalog.xml"), "mine").unwrap();
    let assert = postbook().arg("catalog").arg(dir).assert().code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("refusing to replace"), "{stderr}");
    assert_eq!(std::fs::read(dir.join("catalog.xml")).unwrap(), b"mine");
    postbook()
        .args(["catalog", "-q", "--overwrite"])
        .arg(dir)
        .assert()
        .success();
    assert_eq!(catalog(dir).len(), 6);
}

#[test]
fn the_catalog_is_for_epub_only() {
    let out = tempfile::tempdir().unwrap();
    let assert = postbook()
        .args(["convert", "-t", "markdown", "--catalog"])
        .arg(samples())
        .arg("-o")
        .arg(out.path())
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("--catalog lists EPUB books"), "{stderr}");
}

#[test]
fn a_cover_that_does_not_decode_leaves_its_book_listed_without_pictures() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let report = tmp.path().join("report.json");
    postbook()
        .args(["convert", "-q", "-t", "epub", "--catalog"])
        .arg(samples())
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    // The 2021-07 book again, its cover's bytes replaced by text.
    let book = out.join("2021-07.epub");
    let entries = unzip(&book);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&book).unwrap());
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        let bytes = match name.ends_with("images/cover.png") {
            true => b"not a picture".to_vec(),
            false => bytes,
        };
        std::io::Write::write_all(&mut zip, &bytes).unwrap();
    }
    zip.finish().unwrap();
    // The run renders nothing (the book was edited: kept), and rewrites the catalog.
    let assert = postbook()
        .args(["convert", "-t", "epub", "--catalog"])
        .arg(samples())
        .arg("-o")
        .arg(&out)
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("2021-07.epub: cover left out of the catalog: cannot decode it"),
        "{stderr}"
    );
    let entries = catalog(&out);
    assert_eq!(entries.len(), 6);
    let july = entries
        .iter()
        .find(|e| e.title.ends_with("2021年7月"))
        .unwrap();
    assert!(july.links.contains_key("http://opds-spec.org/acquisition"));
    assert!(!july.links.contains_key("http://opds-spec.org/image"));
    assert!(!july
        .links
        .contains_key("http://opds-spec.org/image/thumbnail"));
    // Its old cover and thumbnail are gone; the other five books keep theirs.
    assert_eq!(files_with_ext(&out.join("catalog/covers"), "jpg").len(), 5);
    assert_eq!(files_with_ext(&out.join("catalog/covers"), "png").len(), 5);
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap();
    let record = &report["catalog"];
    assert_eq!(record["books"], 6);
    assert_eq!(record["status"], "replaced");
    assert_eq!(record["warnings"].as_array().unwrap().len(), 1, "{record}");
}
