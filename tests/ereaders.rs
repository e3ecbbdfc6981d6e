//! What e-readers and their tools see: Kobo EPUBs (`--kepub`), the navigation documents, and
//! calibre reading and converting postbook's books (when calibre is installed; CI installs it).

mod common;
use common::*;
use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

fn chapters(book: &Path) -> Vec<(String, String)> {
    unzip(book)
        .into_iter()
        .filter(|(n, _)| n.contains("post-"))
        .map(|(n, b)| (n, String::from_utf8(b).unwrap()))
        .collect()
}

#[test]
fn kepub_books_have_kobo_spans_and_lose_no_text() {
    let (_plain_dir, plain) = sample_books(&["-g", "none"]);
    let (_kobo_dir, kobo) = sample_books(&["-g", "none", "--kepub"]);
    assert_eq!(kobo.len(), 1);
    let name = kobo[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.ends_with(".kepub.epub"), "{name}");
    let (plain_chapters, kobo_chapters) = (chapters(&plain[0]), chapters(&kobo[0]));
    assert_eq!(plain_chapters.len(), kobo_chapters.len());
    let mut spans = 0;
    for ((name, plain), (_, kobo)) in plain_chapters.iter().zip(&kobo_chapters) {
        assert_eq!(squash(&text_of(plain)), squash(&text_of(kobo)), "{name}");
        assert!(kobo.contains("<div id=\"book-columns\"><div id=\"book-inner\">"));
        assert!(!plain.contains("koboSpan"));
        parse_xml(kobo.as_bytes()).unwrap();
        let ids: Vec<&str> = kobo
            .match_indices("id=\"kobo.")
            .map(|(i, _)| kobo[i + 4..].split('"').next().unwrap_or(""))
            .collect();
        let unique: HashSet<&&str> = ids.iter().collect();
        assert_eq!(ids.len(), unique.len(), "duplicate span ids in {name}");
        spans += ids.len();
    }
    // The seed post alone has a few dozen sentences.
    assert!(spans > 50, "only {spans} kobo spans");
    epubcheck(&kobo);
}

#[test]
fn navigation_and_metadata_for_libraries() {
    let (_dir, books) = sample_books(&[]);
    let book = books
        .iter()
        .find(|b| b.ends_with("2023-05.epub"))
        .expect("the seed post's month");
    for nav in ["nav.xhtml", "toc.xhtml"] {
        let text = epub_text(book, nav);
        assert!(
            text.contains(" lang=\"zh\" xml:lang=\"zh\""),
            "{nav}: {text}"
        );
    }
    let nav = epub_text(book, "nav.xhtml");
    assert!(
        nav.contains("<nav epub:type=\"landmarks\" hidden=\"hidden\">"),
        "{nav}"
    );
    assert!(nav.contains("epub:type=\"bodymatter\""), "{nav}");
    // The title page: localized dates, the count, and the site; the author is not repeated
    // as a source.
    let title_page = epub_text(book, "title.xhtml");
    for expected in [
        "<p class=\"author\">联合早报</p>",
        "<p class=\"dates\">2023年5月25日</p>",
        "共 1 篇",
        "<p class=\"sources\">来源：www.zaobao.com</p>",
    ] {
        assert!(title_page.contains(expected), "{expected}: {title_page}");
    }
    // The site the posts come from (the seed post's source is on www.zaobao.com).
    let opf = epub_text(book, ".opf");
    assert!(
        opf.contains("<dc:source>https://www.zaobao.com/</dc:source>"),
        "{opf}"
    );
}

/// A book's dates, counts and words follow its language tag however it is written: `ZH-tw`
/// is Chinese (as its book titles already were), `en-GB` English.
#[test]
fn book_words_follow_the_language_tag_in_any_case() {
    for (lang, expected) in [
        ("ZH-tw", ["<title>目录</title>", "篇</p>", "2020年7月24日"]),
        (
            "en-GB",
            ["<title>Contents</title>", "posts</p>", "2020-07-24"],
        ),
    ] {
        let (_dir, books) = sample_books(&["-g", "none", "--lang", lang]);
        let [book] = &books[..] else {
            panic!("{books:?}")
        };
        let pages = epub_text(book, "toc.xhtml") + &epub_text(book, "title.xhtml");
        for e in expected {
            assert!(pages.contains(e), "{lang}: {e}: {pages}");
        }
    }
}

/// The contents (the printed page, the navigation document's `toc`, the NCX) list the posts;
/// the cover, the title page and the contents page itself are reached through the landmarks
/// and the guide, each once (issue 17).
#[test]
fn contents_list_the_posts_and_landmarks_the_rest() {
    let (_dir, books) = sample_books(&[]);
    let book = books
        .iter()
        .find(|b| b.ends_with("2023-05.epub"))
        .expect("the seed post's month");
    let front = ["cover.xhtml", "title.xhtml", "toc.xhtml"];
    let nav = epub_text(book, "nav.xhtml");
    let (toc, landmarks) = nav.split_once("epub:type=\"landmarks\"").unwrap();
    for (name, text) in [
        ("printed contents", epub_text(book, "toc.xhtml")),
        ("nav toc", toc.to_string()),
        ("NCX", epub_text(book, "toc.ncx")),
    ] {
        assert!(text.contains("post-0001.xhtml"), "{name}: {text}");
        for file in front {
            assert!(!text.contains(file), "{name} lists {file}: {text}");
        }
    }
    assert!(!epub_text(book, "toc.xhtml").contains("landmarks"));
    for (kind, file) in [
        ("cover", "cover.xhtml"),
        ("titlepage", "title.xhtml"),
        ("toc", "toc.xhtml"),
        ("bodymatter", "post-0001.xhtml"),
    ] {
        let link = format!("epub:type=\"{kind}\" href=\"{file}\"");
        assert!(landmarks.contains(&link), "{link}: {landmarks}");
    }
    // The NCX is titled after the book, not its contents page.
    let ncx = epub_text(book, "toc.ncx");
    assert!(
        ncx.contains("<docTitle>\n    <text>samples — 2023年5月</text>"),
        "{ncx}"
    );
    // The guide names each part once; its contents page is the printed one, in the spine.
    let opf = epub_text(book, ".opf");
    let guide = opf.split_once("<guide>").unwrap().1;
    assert_eq!(guide.matches("type=\"toc\"").count(), 1, "{guide}");
    assert!(
        guide.contains("type=\"toc\" title=\"目录\" href=\"toc.xhtml\""),
        "{guide}"
    );
    for kind in ["cover", "title-page", "text"] {
        assert_eq!(
            guide.matches(&format!("type=\"{kind}\"")).count(),
            1,
            "{guide}"
        );
    }
    epubcheck(std::slice::from_ref(book));
}

/// A book whose posts come from 20 authors credits all of them: the three most prolific as
/// `dc:creator` and on the author line (`… and 17 more`), every other one as `dc:contributor`
/// and in the title page's list (issue 17: only three were credited).
#[test]
fn an_anthology_credits_every_author() {
    let posts = tempfile::tempdir().unwrap();
    let mut n = 0;
    for a in 1..=20 {
        let copies = match a {
            1 => 4,
            2 => 3,
            3 => 2,
            _ => 1,
        };
        for _ in 0..copies {
            n += 1;
            let post = format!(
                "---\ntitle: Post {n}\ndate: 2023-05-{:02}\nauthor: Writer {a:02}\n---\nText {n}.\n",
                n.min(28)
            );
            std::fs::write(posts.path().join(format!("{n:02}.md")), post).unwrap();
        }
    }
    let out = tempfile::tempdir().unwrap();
    postbook()
        .args(["convert", "-q", "-t", "epub", "--no-config", "--lang", "en"])
        .arg(posts.path())
        .arg("-o")
        .arg(out.path())
        .assert()
        .success();
    let books = epubs_in(out.path());
    assert_eq!(books.len(), 1);
    let title_page = epub_text(&books[0], "title.xhtml");
    assert!(
        title_page.contains("<p class=\"author\">Writer 01, Writer 02, Writer 03 and 17 more</p>"),
        "{title_page}"
    );
    for a in 1..=20 {
        assert!(
            title_page.contains(&format!("Writer {a:02}")),
            "{a}: {title_page}"
        );
    }
    let opf = epub_text(&books[0], ".opf");
    assert_eq!(opf.matches("<dc:creator").count(), 3, "{opf}");
    assert_eq!(opf.matches("<dc:contributor").count(), 17, "{opf}");
    assert!(opf.contains(">Writer 20</dc:contributor>"), "{opf}");
    epubcheck(&books);
}

fn calibre() -> bool {
    let found = Command::new("ebook-meta").arg("--version").output().is_ok();
    if !found {
        common::skipped("calibre (ebook-meta)");
    }
    found
}

#[test]
fn calibre_reads_the_metadata() {
    if !calibre() {
        return;
    }
    let (_dir, books) = sample_books(&["--title", "联合早报"]);
    let book = books.iter().find(|b| b.ends_with("2023-05.epub")).unwrap();
    let out = Command::new("ebook-meta").arg(book).output().unwrap();
    assert!(out.status.success());
    let meta = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| {
        meta.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_else(|| panic!("no {name} in {meta}"))
    };
    assert_eq!(field("Title"), "联合早报 — 2023年5月");
    assert_eq!(field("Author(s)"), "联合早报");
    assert_eq!(field("Languages"), "zho");
    // Monthly books are a series, numbered in date order (2023-05 is the samples' 4th month).
    assert_eq!(field("Series"), "联合早报 #4");
}

#[test]
fn calibre_converts_books_to_azw3() {
    if !calibre() {
        return;
    }
    let (dir, books) = sample_books(&["-g", "none"]);
    let (_kobo_dir, kobo) = sample_books(&["-g", "none", "--kepub"]);
    for (i, book) in books.iter().chain(&kobo).enumerate() {
        let azw3 = dir.path().join(format!("book-{i}.azw3"));
        let out = Command::new("ebook-convert")
            .arg(book)
            .arg(&azw3)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "ebook-convert {} failed:\n{}",
            book.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let bytes = std::fs::read(&azw3).unwrap();
        // A MOBI/KF8 file: the PalmDB type and creator at offset 60.
        assert_eq!(&bytes[60..68], b"BOOKMOBI", "{}", azw3.display());
    }
}
