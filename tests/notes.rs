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
