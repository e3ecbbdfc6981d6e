//! Link and picture URLs as browsers and EPUBCheck read them (`tests/fixtures/links`, shapes
//! taken from the corpus): what cannot be followed keeps its text and is a `bad-link` warning,
//! what only needs encoding is encoded, and every book passes EPUBCheck.

mod common;
use common::*;
use std::path::Path;

/// Converts the links fixture to `format` into `out`, one book; the report.
fn convert(format: &str, out: &Path) -> serde_json::Value {
    convert_with_report(&fixture("links"), out, &["-t", format, "-g", "none"])
}

/// The `bad-link` warnings of a report's posts.
fn bad_links(report: &serde_json::Value) -> Vec<String> {
    report["posts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["warnings"].as_array().cloned().unwrap_or_default())
        .filter(|w| w["kind"] == "bad-link")
        .map(|w| w["message"].as_str().unwrap().to_string())
        .collect()
}

/// The URLs that do not parse, or whose host is no domain name, as the warnings name them.
const BAD: &[&str] = &[
    "https://urlofchoice.com&/#8221",
    "http://https：//www.youtube.com/playlist",
    "http://为什么隐私保护法规并没能起到作用？",
    "http://cheapcheapvia.com>viagra</a>",
    "http://erxbid.com]cialis",
    "http://news-.blogspot.com/",
    "http://bad-.example.com/photo.jpg",
    "http://exa mple.com/x",
    "http://bad-.example.com/inline.png",
];

#[test]
fn unusable_urls_lose_their_target_and_keep_their_text() {
    let tmp = tempfile::tempdir().unwrap();
    let books = tmp.path().join("books");
    let report = convert("epub", &books);
    let warnings = bad_links(&report);
    for url in BAD {
        assert!(
            warnings.iter().any(|w| w.contains(url)),
            "no bad-link warning naming {url}: {warnings:#?}"
        );
    }
    // Plus `http://`, which has no host at all.
    assert_eq!(warnings.len(), BAD.len() + 1, "{warnings:#?}");
    assert_eq!(
        report["summary"]["warnings_by_kind"]["bad-link"],
        BAD.len() + 1
    );

    let books = epubs_in(&books);
    let chapters: String = unzip(&books[0])
        .into_iter()
        .filter(|(n, _)| n.contains("post-"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect();
    for host in [
        "urlofchoice",
        "cheapcheapvia",
        "erxbid",
        "news-.",
        "bad-.",
        "exa mple",
    ] {
        assert!(
            !chapters.contains(&format!("href=\"http://{host}"))
                && !chapters.contains(&format!("href=\"https://{host}"))
                && !chapters.contains(&format!("src=\"http://{host}")),
            "{host} is still a target"
        );
    }
    for text in [
        "作者的网站",
        "财商天下",
        "erxbid",
        "旧博客",
        "坏地址的图片说明",
        "坏主机",
    ] {
        assert!(chapters.contains(text), "{text} lost");
    }
    // Repaired as a browser would send them.
    for href in [
        "https://zh.wikipedia.org/wiki/%E9%98%B2%E7%81%AB%E9%95%BF%E5%9F%8E%20(%E4%B8%AD%E5%9B%BD)",
        "http://xn--fsqu00a.xn--0zwm56d/%E8%B7%AF%E5%BE%84",
        "https://example.com/a?q=x%7Cy",
        "https://example.com/a%20b.html",
    ] {
        assert!(
            chapters.contains(&format!("href=\"{href}\"")),
            "{href} missing"
        );
    }
    epubcheck(&books);
}

#[test]
fn notes_get_the_same_links() {
    let tmp = tempfile::tempdir().unwrap();
    let notes = tmp.path().join("notes");
    let report = convert("markdown", &notes);
    assert_eq!(bad_links(&report).len(), BAD.len() + 1);
    let text: String = files_with_ext(&notes, "md")
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(!text.contains("urlofchoice") && !text.contains("(http://)"));
    assert!(text.contains("http://xn--fsqu00a.xn--0zwm56d/%E8%B7%AF%E5%BE%84"));
    assert!(text.contains("作者的网站") && text.contains("坏地址的图片说明"));
}

/// Links to fragments (`tests/fixtures/anchors`): in-post links find their heading, links to
/// another post keep their fragment when that post has it, footnotes link both ways, `#top`
/// leads to the chapter's top, and a fragment the book does not have leads to the post's web
/// page (or stays text) with a `broken-anchor` warning; ids are unique (a heading named
/// `fn-1` does not take the footnote's id). EPUBCheck: no RSC-012, no duplicate id.
#[test]
fn every_fragment_link_finds_its_target_or_is_warned() {
    let tmp = tempfile::tempdir().unwrap();
    let books = tmp.path().join("books");
    let report = tmp.path().join("report.json");
    postbook()
        .args(["convert", "-q", "-t", "epub", "-g", "none"])
        .arg(fixture("anchors"))
        .arg("-o")
        .arg(&books)
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let mut warnings: Vec<(String, String)> = report["posts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["warnings"].as_array().cloned().unwrap_or_default())
        .map(|w| {
            let text = |k: &str| w[k].as_str().unwrap().to_string();
            (text("kind"), text("message"))
        })
        .collect();
    warnings.sort();
    let broken = |url: &str, what: &str| {
        (
            "broken-anchor".to_string(),
            format!("link to {url}: {what}"),
        )
    };
    assert_eq!(
        warnings,
        [
            broken(
                "#gone",
                "the post has no such heading: its text is kept, unlinked"
            ),
            broken(
                "#missing",
                "the post has no such heading: it leads to the post's web page"
            ),
            broken(
                "2024-04-02-other.md#nowhere",
                "the post it links to has no such heading: it leads to that post's start"
            ),
        ]
    );
    let book = &epubs_in(&books)[0];
    let first = epub_text(book, "post-0001.xhtml");
    let second = epub_text(book, "post-0002.xhtml");
    for expected in [
        "<h2 id=\"setup\">",
        "<a href=\"#setup\">the setup</a>",
        "<a href=\"https://blog.test/2024/04/anchors/#missing\">the missing part</a>",
        "id=\"fnref-1\" href=\"#fn-1\"",
        "<aside epub:type=\"footnote\" role=\"doc-footnote\" id=\"fn-1\">",
        "<a href=\"#setup\">a link up</a>",
        "<a href=\"post-0002.xhtml#install\">how to install</a>",
        "<a href=\"post-0002.xhtml#post\">the other's lost part</a>",
        "<a href=\"post-0002.xhtml#post\">the other post</a>",
        "<h3 id=\"2024-plans\">",
        "<a href=\"#2024-plans\">linked to themselves</a>",
        "<a href=\"#post\">Back to top</a>",
    ] {
        assert!(first.contains(expected), "{expected} not in:\n{first}");
    }
    for expected in [
        "<h2 id=\"install\">",
        "with a gone link and",
        "<a href=\"post-0001.xhtml#setup\">the first post's setup</a>",
        "<h2 id=\"fn-1-1\">",
        "<aside epub:type=\"footnote\" role=\"doc-footnote\" id=\"fn-1\">",
    ] {
        assert!(second.contains(expected), "{expected} not in:\n{second}");
    }
    epubcheck(std::slice::from_ref(book));
}
