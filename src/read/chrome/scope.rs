//! Which posts chrome removal applies to: bodies that came from a web page, never text an
//! author wrote.
//!
//! A news mirror saves the article's HTML as the page served it, furniture included, and its
//! posts say where they were taken from (`from:`/`source:` in the front matter). A blogger's
//! Jekyll, Hugo or Hexo post is Markdown they typed: a `## Related Reading` section, a `By
//! <name>` line, a download list repeated in every release announcement are their choice, and
//! so are the raw HTML blocks and the template output (Liquid includes, shortcodes, Hexo tags)
//! between their paragraphs. So a post's body is taken for a web page only when
//!
//! - it is a whole HTML document (`<!DOCTYPE html>` or `<html>` first: a saved page), or
//! - it is an `.html` file outside a Jekyll/Hugo/Hexo site (a page saved as a post), or
//! - its front matter names the page it was taken from and most of the body (more than half of
//!   its non-blank bytes, code fences aside) is in blocks that open with an HTML tag: the
//!   mirrors' `.md` files whose body is the page's HTML, after a `[title](url)` line.
//!
//! Everything else is authored: no chrome rule and no cross-post boilerplate applies to it.
//! The body is judged as written, before a site's templates are expanded (their output is
//! HTML, and it is the author's).

/// Whether a post's body came from a web page (see the module documentation). `html_file`: the
/// post is an `.html` file; `in_site`: it is in a Jekyll, Hugo or Hexo site; `has_source`: its
/// front matter names the page it was taken from.
pub fn from_web_page(body: &str, html_file: bool, in_site: bool, has_source: bool) -> bool {
    if is_whole_document(body) {
        return true;
    }
    if html_file && !in_site {
        return true;
    }
    if !has_source {
        return false;
    }
    let (html, all) = html_share(body);
    html * 2 > all
}

/// A whole saved page: after comments, a document type or the `<html>` element comes first.
fn is_whole_document(body: &str) -> bool {
    crate::read::page::after_prolog(body)
        .is_some_and(|(rest, doctype)| doctype || crate::read::page::opens_html_element(rest))
}

/// The body's non-blank bytes in blocks (runs of lines between blank lines) that open with an
/// HTML tag, and in all: as CommonMark sees raw HTML blocks, roughly, without parsing the
/// Markdown. Fenced code counts as Markdown, whatever it holds; an indented line (code) or an
/// autolink (`<https://…>`) does not open HTML.
fn html_share(body: &str) -> (usize, usize) {
    let (mut html, mut all) = (0, 0);
    let mut fence: Option<&str> = None;
    // Whether the block being read opened with a tag; `None` between blocks.
    let mut block: Option<bool> = None;
    for line in body.lines() {
        let text = line.trim();
        let n = text.len();
        if let Some(f) = fence {
            all += n;
            if text.starts_with(f) {
                fence = None;
            }
            continue;
        }
        if text.is_empty() {
            block = None;
            continue;
        }
        if text.starts_with("```") || text.starts_with("~~~") {
            fence = Some(&text[..3]);
            block = Some(false);
            all += n;
            continue;
        }
        let opens_html = *block.get_or_insert_with(|| {
            let indent = line.len() - line.trim_start().len();
            indent < 4
                && text.starts_with('<')
                && text[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!')
                && !text[1..].starts_with("http")
        });
        all += n;
        if opens_html {
            html += n;
        }
    }
    (html, all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirrored_html_is_a_web_page_and_typed_markdown_is_not() {
        let mirror = "<!--NaN-->\n[Title](https://news.example/1)\n------\n\n<div>\n<p>One.</p>\n\
                      <div class=\"share\"><a href=\"https://twitter.com/share\">Tweet</a></div>\n</div>\n";
        assert!(from_web_page(mirror, false, false, true));
        // The same without a source in its front matter: someone's own HTML.
        assert!(!from_web_page(mirror, false, false, false));
        let typed =
            "Some text I wrote.\n\n## Related Reading\n\n- [A post](/a/)\n- [Another](/b/)\n\n\
                     <div class=\"note\">An aside</div>\n";
        assert!(!from_web_page(typed, false, false, true));
        // HTML inside a code fence is Markdown.
        let code = "Text.\n\n```html\n<div class=\"share\">\n<a href=\"x\">y</a>\n</div>\n```\n";
        assert!(!from_web_page(code, false, false, true));
    }

    #[test]
    fn saved_pages_and_html_files_outside_sites_are_web_pages() {
        assert!(from_web_page(
            "\n<!DOCTYPE html><html><body>x</body></html>",
            true,
            true,
            false
        ));
        assert!(from_web_page("<HTML lang=en><p>x</p>", false, true, false));
        assert!(from_web_page("<p>x</p>", true, false, false));
        // A Jekyll post written as HTML is the author's.
        assert!(!from_web_page("<p>x</p>", true, true, false));
        assert!(!from_web_page("<html5 is nice>", false, false, false));
    }
}
