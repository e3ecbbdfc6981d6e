//! Magazine-style books (issue 32): section index pages before each section's articles (a
//! month book's days), listing each article's linked title, byline, date, first sentence and
//! reading time in the book's language; the contents list sections, then their articles.

mod common;
use common::*;
use std::path::{Path, PathBuf};

/// A post file in `dir`, with a first paragraph `first` and `body` after it.
fn post(dir: &Path, name: &str, title: &str, date: &str, author: &str, first: &str, body: &str) {
    let text = format!(
        "---\ntitle: \"{title}\"\ndate: {date}\nauthor: \"{author}\"\n---\n\n{first}\n\n{body}\n"
    );
    std::fs::write(dir.join(name), text).unwrap();
}

/// The first sentences of the posts, each its first paragraph's first sentence (at least 80
/// characters, so the summary is that sentence alone).
const EN_FIRST: &str = "The harbour authority opened the new container terminal on Monday after four years of construction work.";
const EN_SECOND: &str = "The city council voted late on Tuesday night to keep the old tram line running through the winter months.";
const ZH_FIRST: &str = "香港特区政府今天宣布，将在明年起分阶段推行新的公共交通票价优惠计划，以减轻市民日常出行的负担，并鼓励更多人使用铁路和巴士出行，减少路面交通挤塞和空气污染问题。";
const ZH_SECOND: &str = "台北市政府周三表示，今年夏季的用电高峰期间将启动新的节能措施，包括调整公共建筑的空调温度和延长部分地铁站的照明时间，以确保供电稳定并减少碳排放。";

/// Two month books: May 2023 of Chinese posts on two days (and one English post), June 2023
/// of English posts on two days. Each body's length gives a known reading time.
fn magazine(dir: &Path) {
    // 1,200 CJK characters after the first paragraph: with it, 4 minutes at 400 a minute.
    let zh_body = "新闻报道内容".repeat(200);
    post(
        dir,
        "2023-05-01-a.md",
        "票价优惠计划",
        "2023-05-01",
        "联合早报",
        ZH_FIRST,
        &zh_body,
    );
    post(
        dir,
        "2023-05-01-b.md",
        "节能措施",
        "2023-05-01T18:00:00+08:00",
        "中央社",
        ZH_SECOND,
        "短。",
    );
    // 700 words after the first paragraph (16 words): 716 words, 4 minutes at 230 a minute.
    let en_body = "word ".repeat(700);
    post(
        dir,
        "2023-05-03-c.md",
        "Harbour terminal",
        "2023-05-03",
        "Reuters",
        EN_FIRST,
        &en_body,
    );
    post(
        dir,
        "2023-05-04-d.md",
        "天气",
        "2023-05-04",
        "联合早报",
        ZH_SECOND,
        "",
    );
    post(
        dir,
        "2023-06-02-e.md",
        "Harbour terminal opens",
        "2023-06-02",
        "Reuters",
        EN_FIRST,
        &en_body,
    );
    post(
        dir,
        "2023-06-09-f.md",
        "Tram line stays",
        "2023-06-09",
        "AP",
        EN_SECOND,
        "Short.",
    );
}

fn convert(input: &Path, out: &Path, extra: &[&str]) -> Vec<PathBuf> {
    postbook()
        .args(["convert", "-q", "-t", "epub", "--no-config", "--no-cover"])
        .args(extra)
        .arg(input)
        .arg("-o")
        .arg(out)
        .assert()
        .success();
    epubs_in(out)
}

fn entry(book: &Path, suffix: &str) -> String {
    epub_text(book, suffix)
}

/// A document of the book, parsed (XHTML pages have a DOCTYPE).
fn xml(text: &str) -> roxmltree::Document<'_> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, opts).unwrap()
}

fn files(book: &Path) -> Vec<String> {
    unzip(book).into_iter().map(|(n, _)| n).collect()
}

/// The spine's pages, in reading order.
fn spine(book: &Path) -> Vec<String> {
    let opf = entry(book, "content.opf");
    let doc = xml(&opf);
    let href = |id: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name("item") && n.attribute("id") == Some(id))
            .and_then(|n| n.attribute("href"))
            .unwrap()
            .to_string()
    };
    doc.descendants()
        .filter(|n| n.has_tag_name("itemref"))
        .map(|n| href(n.attribute("idref").unwrap()))
        .collect()
}

/// An index page's articles: (linked file, title, byline, summary, reading time).
fn articles(page: &str) -> Vec<(String, String, String, String, String)> {
    let doc = xml(page);
    let text = |n: roxmltree::Node, class: &str| {
        n.descendants()
            .find(|d| d.attribute("class") == Some(class))
            .map(|d| {
                d.descendants()
                    .filter(|t| t.is_text())
                    .filter_map(|t| t.text())
                    .collect::<String>()
            })
            .unwrap_or_default()
    };
    doc.descendants()
        .filter(|n| n.attribute("class") == Some("article"))
        .map(|n| {
            let link = n.descendants().find(|d| d.has_tag_name("a")).unwrap();
            (
                link.attribute("href").unwrap().to_string(),
                link.text().unwrap_or_default().to_string(),
                text(n, "byline"),
                text(n, "summary"),
                text(n, "reading-time"),
            )
        })
        .collect()
}

/// The chapter's title (its `<h1>`).
fn chapter_title(book: &Path, file: &str) -> String {
    let page = entry(book, &format!("OEBPS/{file}"));
    let doc = xml(&page);
    let h1 = doc.descendants().find(|n| n.has_tag_name("h1")).unwrap();
    h1.text().unwrap().to_string()
}

#[test]
fn a_month_book_has_an_index_page_per_day_with_summaries_and_reading_times() {
    let input = tempfile::tempdir().unwrap();
    magazine(input.path());
    let out = tempfile::tempdir().unwrap();
    let books = convert(input.path(), out.path(), &[]);
    assert_eq!(books.len(), 2, "{books:?}");
    let (may, june) = (&books[0], &books[1]);
    assert!(may.ends_with("2023-05.epub") && june.ends_with("2023-06.epub"));

    // May: three days, each index page in the spine before its articles.
    let order = spine(may);
    let pages: Vec<&str> = order
        .iter()
        .map(String::as_str)
        .filter(|p| p.starts_with("section-") || p.starts_with("post-"))
        .collect();
    assert_eq!(
        pages,
        [
            "section-001.xhtml",
            "post-0001.xhtml",
            "post-0002.xhtml",
            "section-002.xhtml",
            "post-0003.xhtml",
            "section-003.xhtml",
            "post-0004.xhtml"
        ]
    );
    // The book is Chinese (most of its posts are): headings, bylines and reading times too.
    let first = entry(may, "OEBPS/section-001.xhtml");
    assert!(first.contains("<h1>2023年5月1日</h1>"), "{first}");
    assert!(first.contains("共 2 篇"), "{first}");
    let listed = articles(&first);
    assert_eq!(listed.len(), 2);
    let (href, title, byline, summary, time) = &listed[0];
    assert_eq!(
        (href.as_str(), title.as_str()),
        ("post-0001.xhtml", "票价优惠计划")
    );
    assert_eq!(chapter_title(may, href), *title);
    assert_eq!(byline, "联合早报 · 2023年5月1日");
    assert_eq!(summary, ZH_FIRST);
    // 1,200 and the first sentence's 74 CJK characters: 1,274 at 400 a minute.
    assert_eq!(time, "阅读约 4 分钟");
    let (href, title, _, summary, time) = &listed[1];
    assert_eq!(chapter_title(may, href), *title);
    assert_eq!(summary, ZH_SECOND);
    assert_eq!(time, "阅读约 1 分钟");
    // An English article in a Chinese book: its entry is marked English, its labels Chinese.
    let second = entry(may, "OEBPS/section-002.xhtml");
    assert!(second.contains("<h1>2023年5月3日</h1>"), "{second}");
    assert!(
        second.contains(r#"<div class="article" lang="en" xml:lang="en">"#),
        "{second}"
    );
    let (href, title, byline, summary, time) = &articles(&second)[0];
    assert_eq!(chapter_title(may, href), *title);
    assert_eq!(byline, "Reuters · 2023年5月3日");
    assert_eq!(summary, EN_FIRST);
    assert_eq!(time, "阅读约 4 分钟");

    // June: English, two days.
    let page = entry(june, "OEBPS/section-001.xhtml");
    assert!(page.contains("<h1>2 June 2023</h1>"), "{page}");
    assert!(page.contains("1 post"), "{page}");
    let (href, title, byline, summary, time) = &articles(&page)[0];
    assert_eq!(chapter_title(june, href), *title);
    assert_eq!(title, "Harbour terminal opens");
    assert_eq!(byline, "Reuters · 2023-06-02");
    assert_eq!(summary, EN_FIRST);
    assert_eq!(time, "4 min read");
    let page = entry(june, "OEBPS/section-002.xhtml");
    assert_eq!(articles(&page)[0].4, "1 min read");
    assert!(!files(june).iter().any(|f| f.contains("section-003")));

    epubcheck(&books);
}

/// The navigation documents nest each section's articles under the section, which links to
/// its index page; the NCX too, two levels deep.
#[test]
fn the_contents_list_sections_then_their_articles() {
    let input = tempfile::tempdir().unwrap();
    magazine(input.path());
    let out = tempfile::tempdir().unwrap();
    let books = convert(input.path(), out.path(), &[]);
    let may = &books[0];
    let nav = entry(may, "OEBPS/nav.xhtml");
    let doc = xml(&nav);
    let toc = doc
        .descendants()
        .find(|n| n.attribute(("http://www.idpf.org/2007/ops", "type")) == Some("toc"))
        .unwrap();
    let top = toc.children().find(|n| n.has_tag_name("ol")).unwrap();
    let sections: Vec<(String, String, Vec<String>)> = top
        .children()
        .filter(|n| n.has_tag_name("li"))
        .map(|li| {
            let a = li.children().find(|n| n.has_tag_name("a")).unwrap();
            let inner = li.children().find(|n| n.has_tag_name("ol")).unwrap();
            let posts = inner
                .descendants()
                .filter(|n| n.has_tag_name("a"))
                .map(|a| a.attribute("href").unwrap().to_string())
                .collect();
            (
                a.text().unwrap().to_string(),
                a.attribute("href").unwrap().to_string(),
                posts,
            )
        })
        .collect();
    let expected = [
        (
            "2023年5月1日",
            "section-001.xhtml",
            vec!["post-0001.xhtml", "post-0002.xhtml"],
        ),
        ("2023年5月3日", "section-002.xhtml", vec!["post-0003.xhtml"]),
        ("2023年5月4日", "section-003.xhtml", vec!["post-0004.xhtml"]),
    ];
    assert_eq!(sections.len(), expected.len(), "{nav}");
    for ((label, href, posts), (l, h, p)) in sections.iter().zip(&expected) {
        assert_eq!((label.as_str(), href.as_str()), (*l, *h));
        assert_eq!(posts, p);
    }
    // The printed contents page has the same structure, and the NCX is two levels deep.
    let printed = entry(may, "OEBPS/toc.xhtml");
    assert!(printed.contains(r#"<a href="section-002.xhtml">2023年5月3日</a>"#));
    let ncx = entry(may, "OEBPS/toc.ncx");
    assert!(
        ncx.contains(r#"<meta name="dtb:depth" content="2" />"#),
        "{ncx}"
    );
    assert!(
        ncx.contains(r#"<content src="section-001.xhtml"/>"#),
        "{ncx}"
    );
    // Reading starts at the first section's index page.
    assert!(
        nav.contains(r#"<a epub:type="bodymatter" href="section-001.xhtml">2023年5月1日</a>"#),
        "{nav}"
    );
}

/// `--section-index never` (and a book of one section, by default) keeps the book as it was:
/// no index page; `always` gives a book of one section its index page.
#[test]
fn index_pages_are_for_books_of_several_sections_unless_asked() {
    let input = tempfile::tempdir().unwrap();
    magazine(input.path());
    let out = tempfile::tempdir().unwrap();
    let books = convert(input.path(), out.path(), &["--section-index", "never"]);
    for book in &books {
        assert!(!files(book).iter().any(|f| f.contains("section-")));
    }
    // One day: one section.
    let one = tempfile::tempdir().unwrap();
    std::fs::copy(
        input.path().join("2023-05-01-a.md"),
        one.path().join("a.md"),
    )
    .unwrap();
    std::fs::copy(
        input.path().join("2023-05-01-b.md"),
        one.path().join("b.md"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let books = convert(one.path(), out.path(), &[]);
    assert!(!files(&books[0]).iter().any(|f| f.contains("section-")));
    let out = tempfile::tempdir().unwrap();
    let books = convert(one.path(), out.path(), &["--section-index", "always"]);
    assert_eq!(
        spine(&books[0])[2..4],
        ["section-001.xhtml", "post-0001.xhtml"]
    );
    // The config file's key does the same.
    std::fs::write(
        one.path().join("postbook.toml"),
        "section-index = \"always\"\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    postbook()
        .args(["convert", "-q", "-t", "epub", "--no-cover"])
        .arg(one.path())
        .arg("-o")
        .arg(out.path())
        .assert()
        .success();
    assert!(files(&epubs_in(out.path())[0])
        .iter()
        .any(|f| f == "OEBPS/section-001.xhtml"));
}

/// `--thumbnails`: each article shows its post's first picture when it is in the book — the
/// chapter's own stored file, never a remote address — with the figure's alt text, else the
/// title; a post whose picture is remote has none.
#[test]
fn thumbnails_show_the_posts_first_local_picture() {
    let input = tempfile::tempdir().unwrap();
    magazine(input.path());
    std::fs::copy(fixture("images/pic.png"), input.path().join("pic.png")).unwrap();
    post(
        input.path(),
        "2023-05-03-c.md",
        "Harbour terminal",
        "2023-05-03",
        "Reuters",
        EN_FIRST,
        "![The new terminal at dusk](pic.png)\n\nMore text.",
    );
    post(
        input.path(),
        "2023-05-04-d.md",
        "天气",
        "2023-05-04",
        "联合早报",
        ZH_SECOND,
        "![](https://example.com/remote.jpg)",
    );
    let out = tempfile::tempdir().unwrap();
    let books = convert(input.path(), out.path(), &["--thumbnails", "--offline"]);
    let may = &books[0];
    let page = entry(may, "OEBPS/section-002.xhtml");
    let doc = xml(&page);
    let img = doc
        .descendants()
        .find(|n| n.has_tag_name("img"))
        .expect("a thumbnail");
    assert_eq!(img.attribute("class"), Some("thumbnail"));
    assert_eq!(img.attribute("alt"), Some("The new terminal at dusk"));
    let src = img.attribute("src").unwrap();
    assert!(src.starts_with("images/") && src.ends_with(".png"), "{src}");
    // The chapter shows the same stored file; the book holds it once.
    let chapter = entry(may, "OEBPS/post-0003.xhtml");
    assert!(chapter.contains(&format!("src=\"{src}\"")), "{chapter}");
    let stored: Vec<String> = files(may)
        .into_iter()
        .filter(|f| f.starts_with("OEBPS/images/"))
        .collect();
    assert_eq!(stored, [format!("OEBPS/{src}")]);
    // A remote picture is no thumbnail.
    let remote = entry(may, "OEBPS/section-003.xhtml");
    assert!(!remote.contains("<img"), "{remote}");
    // Without the flag, no thumbnail.
    let out = tempfile::tempdir().unwrap();
    let plain = convert(input.path(), out.path(), &["--offline"]);
    assert!(!entry(&plain[0], "OEBPS/section-002.xhtml").contains("<img"));
    epubcheck(&books);
}
