//! Whole saved web pages: the read-it-later case, where a post file is a page as a browser
//! saved it (`<html><head>…<body>` with the site's navigation, footers, cookie banners,
//! related links and comments) rather than a post's body.
//!
//! Such a page goes through article extraction before the HTML reader sees it: the main
//! content is found by `rs-trafilatura` (a Rust port of trafilatura; measured against the
//! alternatives in the README's "Crates, and why"), and the page's title, authors, date, site
//! name, address and language — from `<meta>`, OpenGraph and JSON-LD — become the post's
//! metadata. The article's HTML then takes the normal path ([`super::html`], the chrome
//! cleaner), so a saved page reads like any post.
//!
//! Only whole pages are extracted: a file with front matter, or whose markup does not open
//! with an `<html>` root holding a `<head>`, is a post body and is read exactly as before
//! ([`is_whole_page`] looks at the first tags only). When extraction finds no article, the
//! whole body is kept and an `extraction-failed` warning says so: nothing is lost silently.

use crate::model::{plain_text, walk, Block, Inline, Meta, Node, PostDate};
use crate::warning::{Warning, WarningKind};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashSet;

/// How far into a file the `<head>` of a whole page is looked for: past the doctype and
/// comments, a page's `<head>` opens within its first bytes.
const HEAD_WITHIN: usize = 4096;

/// Whether `text` (an `.html` file without front matter) is a whole page: its first tag,
/// after a byte order mark, a doctype and comments, is `<html`, and a `<head` follows
/// within the first [`HEAD_WITHIN`] bytes.
pub fn is_whole_page(text: &str) -> bool {
    let Some((rest, _)) = after_prolog(text) else {
        return false;
    };
    if !opens_html_element(rest) {
        return false;
    }
    let mut window = HEAD_WITHIN.min(rest.len());
    while !rest.is_char_boundary(window) {
        window -= 1;
    }
    rest[..window].to_ascii_lowercase().contains("<head")
}

/// What follows the prolog of an HTML document (a byte order mark, comments, a doctype, an XML
/// declaration, and the white space between them), and whether it held a doctype; `None` when
/// a comment or declaration is never closed.
pub fn after_prolog(text: &str) -> Option<(&str, bool)> {
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    let mut doctype = false;
    loop {
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->")?;
            rest = after[end + 3..].trim_start();
        } else if starts_with_ignore_case(rest, "<!doctype") || rest.starts_with("<?xml") {
            doctype |= rest.as_bytes()[1] == b'!';
            let end = rest.find('>')?;
            rest = rest[end + 1..].trim_start();
        } else {
            return Some((rest, doctype));
        }
    }
}

/// Whether `text` opens with the `<html>` element's start tag.
pub fn opens_html_element(text: &str) -> bool {
    starts_with_ignore_case(text, "<html")
        && matches!(
            text.as_bytes().get(5),
            Some(b'>' | b' ' | b'\t' | b'\n' | b'\r')
        )
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// A whole page's article, as the extractor found it.
pub struct Article {
    /// The HTML of the page's element that holds the article, for the HTML reader. It is the
    /// element as it stands, so it may still hold asides (share bars, "previous/next" lists,
    /// datelines) that the extractor left out of [`Article::text`].
    pub html: String,
    /// The article's text as the extractor judged it, paragraph by paragraph: what
    /// [`Article::keep_only`] keeps the read blocks to.
    text: ArticleText,
    /// The article's pictures as the extractor listed them, for those its HTML leaves out.
    pictures: Vec<rs_trafilatura::ImageData>,
}

/// Extracts the article of the whole page `page` and fills what `meta` does not have yet from
/// the page's metadata. `None` when no article is found: an `extraction-failed` warning is
/// added, `meta` is left alone, and the caller reads the whole page as it would without
/// extraction.
pub fn extract(page: &str, meta: &mut Meta, warnings: &mut Vec<Warning>) -> Option<Article> {
    // The main pass first; the extractor's fallback only when it finds no article (see
    // `options`).
    let main = rs_trafilatura::extract_with_options(page, &options(false));
    let result = match main {
        Ok(found) if is_article(&found) => Ok(found),
        _ => rs_trafilatura::extract_with_options(page, &options(true)),
    };
    match result {
        Ok(found) => {
            // No article: the page is read exactly as without extraction, metadata included.
            if !is_article(&found) {
                warnings.push(failed("no article found"));
                return None;
            }
            apply_metadata(&found.metadata, meta);
            let text = ArticleText::new(&found.content_text);
            Some(match found.content_html.filter(|h| !h.trim().is_empty()) {
                Some(html) => Article {
                    html,
                    text,
                    pictures: found.images,
                },
                // The extractor's fallback found the article's text but no element holding
                // it: the text it is, a paragraph a line.
                None => Article {
                    html: paragraphs(&found.content_text),
                    text,
                    pictures: found.images,
                },
            })
        }
        Err(e) => {
            warnings.push(failed(&e.to_string()));
            None
        }
    }
}

/// The extractor's options for a saved post, with or without its `fallback` recovery.
///
/// rs-trafilatura 0.2 first guesses the page's type with a classifier and picks an extraction
/// profile by it. A saved page here is a post, so the type is fixed instead, to its
/// `Category` profile: it is the `Article` profile (same cleaning, same content scoring)
/// without the "aggregate sections" step, which, when the article is under 3,000 characters,
/// replaces it with the text of the page's top-scoring blocks run together (made for
/// service and listing pages; on a post it pulls in the teasers, sidebars and the headline
/// block, and returns no HTML). The only other thing the profile does is prepend an
/// e-commerce category description (`category-description`, `seo-text` classes), which a
/// post page does not have. The classifier's other answers hurt posts too: blog posts taken
/// for "forum" pages had their comment forms extracted as content.
///
/// The fallback ("baseline" and wild-text recovery) runs in the extractor whenever its
/// chosen element has no `<p>` or is short, and takes a candidate twice its size from the
/// uncleaned page: for a short post written without `<p>`, the page's whole column of
/// teasers and bylines. It is asked for only when the main pass finds no article.
///
/// Measured on the article-extraction benchmark (`bench/extraction.sh`, raw extractor text):
/// default options F1 0.957, precision 0.927, recall 0.990; this profile with the fallback
/// on demand 0.964, 0.940, 0.989.
fn options(fallback: bool) -> rs_trafilatura::Options {
    rs_trafilatura::Options {
        // The article's structure (headings, lists, emphasis, code), its pictures and links
        // go on into the model; the text-only defaults would flatten them.
        include_formatting: true,
        include_images: true,
        include_links: true,
        include_tables: true,
        page_type: Some(rs_trafilatura::page_type::PageType::Category),
        use_fallback_extraction: fallback,
        ..rs_trafilatura::Options::default()
    }
}

/// Whether the extractor found an article: at least [`MIN_LETTERS`] letters and digits
/// besides the title.
fn is_article(found: &rs_trafilatura::ExtractResult) -> bool {
    letters_besides(&found.content_text, found.metadata.title.as_deref()) >= MIN_LETTERS
}

impl Article {
    /// Keeps of `blocks` (read from [`Article::html`]) what the extractor's text has: a
    /// paragraph, heading or code block whose words are in it, list items and quotes by their
    /// content, a table with at least half of its cells in it. A picture, a rule, or a short
    /// line the text holds only as part of a longer one, goes with its neighbours: kept when a
    /// block before or after it is.
    ///
    /// Should that leave nothing (the text and the HTML share no block), every block stays:
    /// an article is never emptied by this step.
    pub fn keep_only(&self, blocks: &mut Vec<Block>) {
        let before = blocks.clone();
        self.text.filter(blocks);
        if blocks.is_empty() {
            *blocks = before;
        }
        self.restore_pictures(blocks);
    }

    /// Puts back the article's pictures that the extractor's HTML left out (it drops the
    /// `<img>` of a `<figure>` and keeps its caption): a picture whose caption is a kept
    /// paragraph becomes that paragraph's figure (the model's figure carries its caption as
    /// alt text). The extractor's list also holds the page's other pictures (logos, avatars,
    /// teasers), so one without its caption in the article is not taken: adding them all cut
    /// the benchmark's precision from 0.926 to 0.842.
    fn restore_pictures(&self, blocks: &mut [Block]) {
        let mut present: HashSet<String> = HashSet::new();
        walk(blocks, &mut |node| {
            if let Node::Block(Block::Figure(img)) | Node::Inline(Inline::Image(img)) = node {
                present.insert(img.src.clone());
            }
            true
        });
        for picture in &self.pictures {
            if picture.src.is_empty() || !present.insert(picture.src.clone()) {
                continue;
            }
            let caption = picture.caption.as_deref().map(squash);
            let at = caption.filter(|c| !c.is_empty()).and_then(|c| {
                blocks.iter().position(|b| match b {
                    Block::Paragraph(x) => squash(&plain_text(x)) == c,
                    _ => false,
                })
            });
            let Some(i) = at else {
                continue;
            };
            let Block::Paragraph(caption) = &blocks[i] else {
                continue;
            };
            blocks[i] = Block::Figure(Box::new(crate::model::Image {
                src: picture.src.clone(),
                alt: plain_text(caption).trim().to_string(),
                title: None,
            }));
        }
    }
}

/// The extractor's text, prepared for matching blocks against it. Only letters and digits are
/// compared: whitespace, punctuation and list markers differ between its text and the HTML.
struct ArticleText {
    /// Every letter and digit, in order.
    squashed: String,
    /// Each line, squashed.
    lines: HashSet<String>,
    /// Every run of [`SHINGLE`] words.
    shingles: HashSet<String>,
}

/// Words in a shingle (as the article-extraction benchmark counts).
const SHINGLE: usize = 4;

/// Below this many letters and digits a block is too short to be told apart by containment
/// alone ("Next", a date): it must be a whole line of the text, or go with its neighbours.
const SHORT: usize = 25;

/// Whether a block stays: yes, no, or as its neighbours.
#[derive(Clone, Copy, PartialEq)]
enum Keep {
    Yes,
    No,
    WithNeighbours,
}

impl ArticleText {
    fn new(text: &str) -> Self {
        ArticleText {
            squashed: squash(text),
            lines: text.lines().map(squash).filter(|l| !l.is_empty()).collect(),
            shingles: shingles(text).collect(),
        }
    }

    fn filter(&self, blocks: &mut Vec<Block>) {
        let mut verdicts: Vec<Keep> = blocks.iter_mut().map(|b| self.verdict(b)).collect();
        // A block that goes with its neighbours stays when the nearest decided block before or
        // after it stays.
        let decided: Vec<Keep> = verdicts.clone();
        for (i, v) in verdicts.iter_mut().enumerate() {
            if *v == Keep::WithNeighbours {
                let before = decided[..i]
                    .iter()
                    .rev()
                    .find(|&&d| d != Keep::WithNeighbours);
                let after = decided[i + 1..]
                    .iter()
                    .find(|&&d| d != Keep::WithNeighbours);
                *v = match before == Some(&Keep::Yes) || after == Some(&Keep::Yes) {
                    true => Keep::Yes,
                    false => Keep::No,
                };
            }
        }
        let mut verdicts = verdicts.into_iter();
        blocks.retain(|_| verdicts.next() == Some(Keep::Yes));
    }

    fn verdict(&self, block: &mut Block) -> Keep {
        match block {
            Block::Heading { content, .. } | Block::Paragraph(content) => {
                self.text_verdict(&plain_text(content))
            }
            Block::Code { text, .. } => self.text_verdict(text),
            Block::List { items, .. } => {
                for item in items.iter_mut() {
                    self.filter(item);
                }
                items.retain(|item| !item.is_empty());
                match items.is_empty() {
                    true => Keep::No,
                    false => Keep::Yes,
                }
            }
            Block::Quote(inner) => {
                self.filter(inner);
                match inner.is_empty() {
                    true => Keep::No,
                    false => Keep::Yes,
                }
            }
            Block::Table(table) => {
                let mut cells = 0;
                let mut found = 0;
                for row in table.header.iter().chain(table.rows.iter()) {
                    for cell in row {
                        let mut text = String::new();
                        walk(&cell.blocks, &mut |node| {
                            if let Node::Inline(Inline::Text(t) | Inline::Code(t)) = node {
                                text.push_str(t);
                            }
                            true
                        });
                        let text = squash(&text);
                        if !text.is_empty() {
                            cells += 1;
                            found += usize::from(self.squashed.contains(&text));
                        }
                    }
                }
                match cells > 0 && found * 2 >= cells {
                    true => Keep::Yes,
                    false => Keep::No,
                }
            }
            Block::Figure(img) => {
                let caption = squash(&img.alt);
                match caption.chars().count() >= SHORT && self.squashed.contains(&caption) {
                    true => Keep::Yes,
                    false => Keep::WithNeighbours,
                }
            }
            Block::Rule => Keep::WithNeighbours,
        }
    }

    fn text_verdict(&self, text: &str) -> Keep {
        let squashed = squash(text);
        if squashed.is_empty() {
            return Keep::WithNeighbours;
        }
        if self.lines.contains(&squashed) {
            return Keep::Yes;
        }
        let contained = self.squashed.contains(&squashed);
        if squashed.chars().count() < SHORT {
            return match contained {
                true => Keep::WithNeighbours,
                false => Keep::No,
            };
        }
        if contained {
            return Keep::Yes;
        }
        // The extractor may have left out a part (a link, an inline ad): the block stays when
        // most of its word runs are in the text.
        let (mut total, mut found) = (0usize, 0usize);
        for s in shingles(text) {
            total += 1;
            found += usize::from(self.shingles.contains(&s));
        }
        match total > 0 && found * 2 >= total {
            true => Keep::Yes,
            false => Keep::No,
        }
    }
}

/// The letters and digits of `text`.
fn squash(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The runs of [`SHINGLE`] words of `text` (words: runs of letters and digits).
fn shingles(text: &str) -> impl Iterator<Item = String> {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let runs: Vec<String> = words.windows(SHINGLE).map(|w| w.join(" ")).collect();
    runs.into_iter()
}

/// `text` as HTML paragraphs, one a line.
fn paragraphs(text: &str) -> String {
    let mut html = String::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        html.push_str("<p>");
        crate::xml::escape_into(line, &mut html);
        html.push_str("</p>\n");
    }
    html
}

/// Fewer letters and digits than this, besides the title, is no article. On a page without
/// one the extractor still answers, with the title again and again or a menu's links run
/// together (`LinksLinksLinks`, `MenuAlphaBeta…`): keeping the whole page is better then.
const MIN_LETTERS: usize = 60;

/// The letters and digits of `text` outside the copies of `title` in it.
fn letters_besides(text: &str, title: Option<&str>) -> usize {
    let rest = match title.map(str::trim).filter(|t| !t.is_empty()) {
        Some(title) => Cow::Owned(text.replace(title, " ")),
        None => Cow::Borrowed(text),
    };
    rest.chars().filter(|c| c.is_alphanumeric()).count()
}

fn failed(why: &str) -> Warning {
    Warning::new(
        WarningKind::ExtractionFailed,
        format!("a whole web page, but article extraction failed ({why}); the whole page is kept"),
    )
}

/// Fills the post's metadata from the page's, leaving what is already known.
fn apply_metadata(found: &rs_trafilatura::Metadata, meta: &mut Meta) {
    let clean = |s: &Option<String>| {
        s.as_deref()
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|s| !s.is_empty())
    };
    if meta.title.is_empty() {
        if let Some(title) = clean(&found.title) {
            meta.title = title;
        }
    }
    if meta.authors.is_empty() {
        // trafilatura joins several authors with "; ".
        meta.authors = clean(&found.author)
            .map(|a| {
                a.split(';')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
    }
    if meta.date.is_none() {
        meta.date = found.date.map(|t| {
            // A page that gives only a day (most do) has it at midnight UTC: a day it stays.
            if t.time() == chrono::NaiveTime::MIN {
                PostDate::Day(t.date_naive())
            } else {
                PostDate::Instant(t.fixed_offset())
            }
        });
    }
    if meta.source.is_none() {
        meta.source = clean(&found.url).filter(|u| u.starts_with("http"));
    }
    if meta.lang.is_none() {
        meta.lang = clean(&found.language).and_then(|l| crate::lang::normalize(&l));
    }
    if meta.categories.is_empty() {
        meta.categories = found.categories.clone();
    }
    if meta.tags.is_empty() {
        meta.tags = found.tags.clone();
    }
    if let Some(site) = clean(&found.sitename) {
        if !meta.extra.iter().any(|(k, _)| k == SITE_NAME) {
            meta.extra
                .push((SITE_NAME.to_string(), Value::String(site)));
        }
    }
}

/// The key the page's site name is kept under (in a note's front matter).
pub const SITE_NAME: &str = "site_name";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_pages_are_told_from_bodies() {
        assert!(is_whole_page(
            "<!DOCTYPE html>\n<html lang=en><head><title>t</title></head>"
        ));
        assert!(is_whole_page(
            "\u{feff}<!-- saved from url=(0040)https://example.com/ -->\n<HTML>\n<HEAD>"
        ));
        assert!(is_whole_page(
            "<?xml version=\"1.0\"?><!DOCTYPE html><html><head>"
        ));
        // A body, or a document without a head, is a post's body.
        assert!(!is_whole_page("<p>Text</p><html><head>"));
        assert!(!is_whole_page("<html><body><p>no head</p></body></html>"));
        assert!(!is_whole_page("<htmlx><head>"));
        assert!(!is_whole_page("<!-- never closed <html><head>"));
        assert!(!is_whole_page(""));
    }

    fn para(text: &str) -> Block {
        Block::Paragraph(vec![Inline::Text(text.to_string())])
    }

    #[test]
    fn blocks_are_kept_to_the_extracted_text() {
        let text = ArticleText::new(
            "Posted on the quay\n\nThe harbour lamps were lit by hand for forty winters.\n\
             - Trim every wick.\n- Light the seaward lamps first.\n\
             She kept the lamp room, 15:23\nand the ledger.",
        );
        let mut blocks = vec![
            para("Share this story"),
            para("Posted on the quay"),
            para("The harbour lamps were lit by hand for forty winters."),
            Block::Rule,
            Block::List {
                ordered: false,
                start: 1,
                items: vec![
                    vec![para("Trim every wick.")],
                    vec![para("Previous")],
                    vec![para("Light the seaward lamps first.")],
                ],
                tight: true,
            },
            // Short, in the text only as part of a line: it goes with its neighbours.
            para("15:23"),
            para("She kept the lamp room, 15:23 and the ledger."),
            para("Related: new breakwater opens after two years of storms"),
            para("Next"),
        ];
        text.filter(&mut blocks);
        let kept: Vec<String> = blocks
            .iter()
            .map(|b| match b {
                Block::Paragraph(c) => plain_text(c),
                Block::List { items, .. } => format!("list of {}", items.len()),
                Block::Rule => "rule".to_string(),
                _ => "other".to_string(),
            })
            .collect();
        assert_eq!(
            kept,
            [
                "Posted on the quay",
                "The harbour lamps were lit by hand for forty winters.",
                "rule",
                "list of 2",
                "15:23",
                "She kept the lamp room, 15:23 and the ledger."
            ]
        );
    }
}
