//! Whole saved web pages (tests/fixtures/saved-page): a page as a browser saves it, with a
//! cookie banner, navigation, breadcrumbs, share links, related stories, comments, a newsletter
//! box and a footer around one article. Only the article is kept, all of it, and the title,
//! author, date, address and site name come from the page's `<meta>`, OpenGraph and JSON-LD.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

const PAGE: &str = "saved-page/harbour-lamps.html";

/// Every paragraph, heading, quote, list item and caption of the article.
const ARTICLE: &[&str] = &[
    "For forty winters, Agnes Thorley climbed the iron stairs of the north mole at dusk and lit \
     the twelve harbour lamps of Port Ellery by hand, one wick at a time, while the fishing boats \
     felt their way home through the fog.",
    "The lamps were converted to electric light in the spring, and the council thanked her with \
     a brass plaque and a bunch of daffodils.",
    "She accepted both politely, then asked whether anyone would still check that the new bulbs \
     came on when the sea mist rolled in early.",
    "A trade that outlived its town",
    "Port Ellery once kept three lamplighters on its books.",
    "the nights when the wind was too strong to open the lantern glass.",
    "“You learn the harbour by its dark corners,” Thorley said. “The lamps only show you where \
     the trouble is.”",
    "She kept three rules for the work, which she wrote on the inside of the lamp-room door:",
    "Light the seaward lamps first, because that is where the boats are.",
    "Trim every wick before you need it, not after.",
    "Never trust a calm evening in October.",
    "The lamp room on the north mole, where the rules are still written on the door.",
    "Fishermen who grew up with her lamps say the harbour feels different now.",
    "nobody stands on the mole to watch the boats come round the point.",
    "Thorley, who is eighty-one, still walks the mole most evenings.",
    "she had always wanted to learn how to sail.",
];

/// Words of the page around the article: none may be kept.
const CHROME: &[&str] = &[
    "cookies",
    "Accept all",
    "Weather and Tides",
    "Subscribe today",
    "Search the Ledger",
    "Home",
    "Share this story",
    "Share on X",
    "Email a friend",
    "Related stories",
    "New breakwater opens",
    "net menders",
    "Comments",
    "SeaDog77",
    "storm of seventy-two",
    "Typical of the council",
    "Join the discussion",
    "in your inbox",
    "tide tables and letters",
    "Privacy policy",
    "All rights reserved",
    "company number",
];

fn convert(input: &Path, format: &str) -> (tempfile::TempDir, Value) {
    let out = tempfile::tempdir().unwrap();
    let report = convert_with_report(input, &out.path().join("out"), &["-t", format]);
    (out, report)
}

fn only_file(dir: &Path, ext: &str) -> std::path::PathBuf {
    let files: Vec<_> = all_files(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.into_iter().next().unwrap()
}

/// Text with every run of whitespace made one space, so wrapped or reflowed text compares.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn assert_article_only(text: &str) {
    let text = flat(text);
    for sentence in ARTICLE {
        assert!(
            text.contains(&flat(sentence)),
            "lost {sentence:?} in:\n{text}"
        );
    }
    for chrome in CHROME {
        assert!(!text.contains(chrome), "kept {chrome:?} in:\n{text}");
    }
}

#[test]
fn text_keeps_the_article_and_nothing_of_the_page() {
    let (out, report) = convert(&fixture(PAGE), "text");
    let text = std::fs::read_to_string(only_file(out.path(), "txt")).unwrap();
    let (header, body) = text.split_once("\n\n").unwrap();
    assert_eq!(
        header.lines().next(),
        Some("The Last Lamplighter of Port Ellery")
    );
    assert!(header.contains("Marta Quillan"), "{header}");
    assert!(header.contains("2024"), "{header}");
    assert!(
        header.contains("ledger.example.org/2024/03/last-lamplighter"),
        "{header}"
    );
    assert_article_only(body);
    // The headline is the title, not repeated in the body; the byline is in the header.
    assert!(!body.contains("The Last Lamplighter"), "{body}");
    assert!(report["summary"]["warnings_by_kind"]["extraction-failed"].is_null());
    assert!(report["summary"]["warnings_by_kind"]["undated"].is_null());
}

#[test]
fn markdown_front_matter_comes_from_the_page() {
    let (out, _) = convert(&fixture(PAGE), "markdown");
    let note = std::fs::read_to_string(only_file(out.path(), "md")).unwrap();
    let (front, body) = note
        .strip_prefix("---\n")
        .and_then(|n| n.split_once("\n---\n"))
        .unwrap_or_else(|| panic!("no front matter:\n{note}"));
    for line in [
        "title: The Last Lamplighter of Port Ellery",
        "author: Marta Quillan",
        "source: https://ledger.example.org/2024/03/last-lamplighter",
        "site_name: The Coastal Ledger",
    ] {
        assert!(front.contains(line), "no {line:?} in:\n{front}");
    }
    assert!(front.contains("date: 2024-03-14"), "{front}");
    assert!(body.contains("## A trade that outlived its town"), "{body}");
    assert!(body.contains("- Trim every wick"), "{body}");
    assert!(body.contains("> “You learn the harbour"), "{body}");
    // The article's picture, with its caption, where the page has it: after the rules.
    let picture = "![The lamp room on the north mole, where the rules are still written on the \
                   door.](https://ledger.example.org/images/lamp-room.jpg)";
    let at = body
        .find(picture)
        .unwrap_or_else(|| panic!("no picture in:\n{body}"));
    assert!(
        body.find("- Never trust a calm evening").unwrap() < at,
        "{body}"
    );
    let squashed = squash(body);
    for sentence in ARTICLE {
        // Markdown may escape or wrap; compare without whitespace and escapes.
        let want = squash(sentence);
        assert!(
            squashed.replace('\\', "").contains(&want),
            "lost {sentence:?} in:\n{body}"
        );
    }
}

#[test]
fn book_has_the_article_and_the_page_metadata_and_passes_epubcheck() {
    let (out, _) = convert(&fixture(PAGE), "epub");
    let books = epubs_in(&out.path().join("out"));
    assert_eq!(books.len(), 1, "{books:?}");
    let opf = epub_text(&books[0], ".opf");
    assert!(opf.contains(">Marta Quillan</dc:creator>"), "{opf}");
    assert!(opf.contains("2024-03-14"), "{opf}");
    let chapter = unzip(&books[0])
        .into_iter()
        .find(|(n, b)| {
            n.ends_with(".xhtml") && String::from_utf8_lossy(b).contains("epub:type=\"chapter\"")
        })
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .expect("a chapter");
    assert!(
        chapter.contains("<h1>The Last Lamplighter of Port Ellery</h1>"),
        "{chapter}"
    );
    assert!(chapter.contains("Marta Quillan"), "{chapter}");
    let body = text_of(chapter.split_once("</h1>").unwrap().1);
    let body = body.split_once("Marta Quillan").unwrap().1;
    assert_article_only(body);
    epubcheck(&books);
}

#[test]
fn a_page_without_an_article_is_kept_whole_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("links.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><head><title>Away</title></head><body>\
         <p>Gone fishing, back on Monday.</p>\
         <ul class=\"menu\"><li><a href=\"/a\">Alpha</a></li><li><a href=\"/b\">Beta</a></li></ul>\
         </body></html>",
    )
    .unwrap();
    let (out, report) = convert(&page, "text");
    let text = std::fs::read_to_string(only_file(out.path(), "txt")).unwrap();
    assert_eq!(
        report["summary"]["warnings_by_kind"]["extraction-failed"], 1,
        "{report}"
    );
    // The extractor answers such a page with its title again and again: postbook keeps the
    // page instead.
    assert!(text.contains("Gone fishing, back on Monday."), "{text}");
    assert!(!text.contains("AwayAway"), "{text}");
}

#[test]
fn posts_with_front_matter_are_not_extracted() {
    // The same page as a scraped post's body under front matter: read as a body, as before.
    let dir = tempfile::tempdir().unwrap();
    let page = std::fs::read_to_string(fixture(PAGE)).unwrap();
    let post = dir.path().join("2024-03-14-lamps.html");
    std::fs::write(&post, format!("---\ntitle: Lamps\n---\n{page}")).unwrap();
    let (out, report) = convert(&post, "text");
    let text = std::fs::read_to_string(only_file(out.path(), "txt")).unwrap();
    assert!(text.starts_with("Lamps\n"), "{text}");
    // The page's own comments are still there: no extraction ran.
    assert!(text.contains("storm of seventy-two"), "{text}");
    assert!(report["summary"]["warnings_by_kind"]["extraction-failed"].is_null());
}

/// A short news brief written without `<p>` (its text straight in a `<div>`), in a column
/// above a list of the site's other briefs. The extractor's fallback, which it runs whenever
/// its article has no `<p>`, took the whole column, teasers and all; it runs only when no
/// article is found now.
#[test]
fn a_brief_without_paragraphs_keeps_out_the_teasers_beside_it() {
    let (out, report) = convert(&fixture("saved-page/harbour-brief.html"), "text");
    let text = flat(&std::fs::read_to_string(only_file(out.path(), "txt")).unwrap());
    for sentence in [
        "Port Ellery's harbour master, Ewan Castell, handed over the keys of the tide office",
        "said he would spend his first free morning watching the fishing fleet go out",
        "His deputy of twelve years takes over the post next month.",
    ] {
        assert!(text.contains(sentence), "lost {sentence:?} in:\n{text}");
    }
    for teaser in [
        "Ferry timetable cut",
        "Lifeboat crew called out",
        "Coastguard warns walkers",
        "WIRE SERVICES",
        "11/19/2019",
    ] {
        assert!(!text.contains(teaser), "kept {teaser:?} in:\n{text}");
    }
    assert!(report["summary"]["warnings_by_kind"]["extraction-failed"].is_null());
}

/// An article the main pass cannot see (inside a `<form>`, which the extractor's cleaning
/// removes) is still found, by the fallback, which reads the page before cleaning.
#[test]
fn the_fallback_finds_an_article_the_main_pass_misses() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("ledgers.html");
    let paragraphs = [
        "The tide office at Port Ellery keeps its ledgers in a form that has not changed since \
         the harbour opened, one line for every boat that passes the mole.",
        "Clerks write the name of the boat, the hour, the state of the tide and the weather, and \
         sign each page at the end of the watch before it is locked away.",
        "The oldest books, bound in sailcloth, are kept in a cupboard under the stairs, and the \
         harbour master still lets schoolchildren turn their pages on open days.",
    ];
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
    std::fs::write(
        &page,
        format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>The tide ledgers</title></head><body>\
             <div class=\"nav\"><a href=\"/\">Home</a> <a href=\"/about\">About</a></div>\
             <form action=\"/post\" method=\"post\"><div class=\"content\">{body}</div></form>\
             <div class=\"footer\">Port Ellery Gazette</div></body></html>"
        ),
    )
    .unwrap();
    let (out, report) = convert(&page, "text");
    let text = flat(&std::fs::read_to_string(only_file(out.path(), "txt")).unwrap());
    for p in paragraphs {
        assert!(text.contains(&flat(p)), "lost {p:?} in:\n{text}");
    }
    assert!(!text.contains("About"), "{text}");
    assert!(
        report["summary"]["warnings_by_kind"]["extraction-failed"].is_null(),
        "{report}"
    );
}
