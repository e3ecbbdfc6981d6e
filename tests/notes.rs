//! Notes for note apps and plain text readers (issue 17, output polish): no raw HTML and no
//! needless escapes in Markdown, tight lists kept tight, tags Obsidian accepts; dates and URLs
//! in text as people read them. On `tests/fixtures/notes`.

mod common;
use common::*;

const POST: &str = "notes/2014-09-24-note-app.html";

fn convert(to: &str, input: &std::path::Path) -> String {
    let out = postbook()
        .args(["convert", "-q", "--no-config", "-t", to, "-o", "-"])
        .arg(input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn markdown_notes_have_no_html_and_no_needless_escapes() {
    let md = convert("markdown", &fixture(POST));
    let body = md.splitn(3, "---\n").nth(2).unwrap();
    // No raw HTML: no tags, no comments.
    assert!(!body.contains('<'), "{md}");
    // A wikilink-looking text stays text in Obsidian with one backslash; `[1]` is left alone.
    assert!(body.contains("原文写着 \\[[Note]] 和注[1]，"), "{md}");
    // Emphasis next to CJK punctuation: the punctuation moves out of the delimiters.
    assert!(body.contains("**第一階段**：6月9日开始。"), "{md}");
    assert!(body.contains("他说“**重要**”后来***还是***走了。"), "{md}");
    assert!(body.contains("CO₂ 排放[¹](https://x.test/p#fn1)"), "{md}");
    // Tight lists stay tight (nested ones too), loose ones loose; lists in a row keep apart
    // by their markers.
    assert!(
        body.contains("- 第一项\n  - 子项一\n  - 子项二\n- 第二项\n\n* 另一个列表\n\n1. 松散的一项\n\n2. 松散的二项"),
        "{md}"
    );
    // Tags are Obsidian tags; the originals are kept.
    assert!(
        md.contains("tags:\n- RTI_中央廣播電臺\n- 臺_中央社CNA\n- 法广\n"),
        "{md}"
    );
    assert!(
        md.contains("original_tags:\n- RTI 中央廣播電臺\n- (臺)中央社CNA\n- 法广\n"),
        "{md}"
    );
    // Reading the note back gives the same note, tags included.
    let dir = tempfile::tempdir().unwrap();
    let again = dir.path().join("2014-09-24-note-app.md");
    std::fs::write(&again, &md).unwrap();
    assert_eq!(convert("markdown", &again), md);
}

#[test]
fn text_shows_local_dates_and_decoded_urls() {
    let text = convert("text", &fixture(POST));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1], "2014年9月24日 22:43 · 央广", "{text}");
    assert_eq!(
        lines[2], "https://zh.wikipedia.org/wiki/連儂牆_(香港)",
        "{text}"
    );
    assert!(
        text.contains("中文页面 <https://中国.test/中文?a=1&b=%20>"),
        "{text}"
    );
}

/// A scraped news post's site-relative links and pictures lead to its site in notes, as they do
/// in the book (issue 30): `/comment/reply/1` means the news site's page, not a file beside
/// the note. In-note anchors and absolute URLs stay; a post that names no page keeps its
/// references as written.
#[test]
fn site_relative_references_resolve_against_the_post_source_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let body = "<p>Read <a href=\"/comment/reply/1\">the replies</a>, \
        <a href=\"related.html?id=2\">a related story</a>, \
        <a href=\"//cdn.news.test/live\">the live page</a>, \
        <a href=\"#top\">the top</a> and <a href=\"https://other.test/x\">elsewhere</a>.</p>\n\
        <p><img src=\"/res/zoom.png\" alt=\"zoom\"></p>\n";
    let with = dir.path().join("2023-05-01-with-source.html");
    let from = "from: https://www.news.test/world/2023/story-1.html\n";
    std::fs::write(&with, format!("---\ntitle: With\n{from}---\n{body}")).unwrap();
    let without = dir.path().join("2023-05-02-without-source.html");
    std::fs::write(&without, format!("---\ntitle: Without\n---\n{body}")).unwrap();

    let md = convert("markdown", &with);
    for expected in [
        "(https://www.news.test/comment/reply/1)",
        "(https://www.news.test/world/2023/related.html?id=2)",
        "(https://cdn.news.test/live)",
        "(https://other.test/x)",
        "![zoom](https://www.news.test/res/zoom.png)",
    ] {
        assert!(md.contains(expected), "{expected} missing from:\n{md}");
    }
    assert!(
        !md.contains("](/"),
        "a site-relative reference is left:\n{md}"
    );

    let text = convert("text", &with);
    assert!(text.contains("www.news.test/comment/reply/1"), "{text}");
    assert!(
        text.contains("www.news.test/world/2023/related.html?id=2"),
        "{text}"
    );

    // The folder run (notes written to files) resolves them the same way.
    let out = dir.path().join("out");
    postbook()
        .args(["convert", "-q", "--no-config", "-t", "markdown"])
        .arg(&with)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let written = std::fs::read_to_string(&files_with_ext(&out, "md")[0]).unwrap();
    assert!(
        written.contains("(https://www.news.test/comment/reply/1)"),
        "{written}"
    );

    let md = convert("markdown", &without);
    assert!(md.contains("(/comment/reply/1)"), "{md}");
    assert!(md.contains("(/res/zoom.png)"), "{md}");
}

/// Run from inside a site with the notes beside it (`-o ../notes`): a picture of the site is
/// linked by a path that reaches it from the note, not one `..` too many.
#[test]
fn picture_paths_hold_when_the_output_folder_is_given_with_dot_dot() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("_posts")).unwrap();
    std::fs::create_dir_all(site.join("assets")).unwrap();
    std::fs::write(site.join("_config.yml"), "title: Kitchen notes\n").unwrap();
    std::fs::copy(
        fixture("hugo-site/static/images/banner.png"),
        site.join("assets/kettle.png"),
    )
    .unwrap();
    std::fs::write(
        site.join("_posts/2020-08-08-kettle.md"),
        "---\ntitle: The kettle\n---\n\nIt whistles.\n\n![kettle](/assets/kettle.png)\n",
    )
    .unwrap();
    postbook()
        .current_dir(&site)
        .args([
            "convert",
            "-q",
            "--no-config",
            "-t",
            "markdown",
            ".",
            "-o",
            "../notes",
        ])
        .assert()
        .success();
    let notes = dir.path().join("notes");
    let note = &files_with_ext(&notes, "md")[0];
    let text = std::fs::read_to_string(note).unwrap();
    let src = text
        .split("![kettle](")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no picture in:\n{text}"));
    assert!(
        note.parent().unwrap().join(src).is_file(),
        "{src} does not reach the picture from {}",
        note.display()
    );
}
