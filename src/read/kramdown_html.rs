//! kramdown's `markdown` attribute on HTML elements, applied before Markdown parsing.
//!
//! In kramdown the content of an HTML block is raw HTML unless the element asks otherwise:
//! `markdown="block"` reads it as Markdown blocks, `markdown="span"` as a line of Markdown
//! text, `markdown="1"` as the element's content model says (a `div` or `figcaption` holds
//! blocks, a `p` or `h2` text, a `pre` stays raw), `markdown="0"` keeps it raw; the attribute
//! itself never reaches the output. CommonMark has no such thing: a Jekyll caption written
//! `<figcaption markdown="1">**Left**</figcaption>` showed its asterisks. Here each such
//! element's content is rendered to HTML by pulldown-cmark, with the reader's options, in
//! place, so the HTML reader gets what kramdown would have made of it. The rendered content
//! is kept free of blank lines, so the element stays one HTML block for the Markdown parser.
//! Code is left alone ([`super::regions`]).

use super::regions::CodeRegions;
use pulldown_cmark::{html, Parser};
use std::borrow::Cow;

/// Elements whose content kramdown reads as blocks under `markdown="1"` (kramdown's
/// `HTML_CONTENT_MODEL_BLOCK`).
const BLOCK_MODEL: &[&str] = &[
    "address",
    "applet",
    "article",
    "aside",
    "blockquote",
    "body",
    "dd",
    "details",
    "div",
    "dl",
    "fieldset",
    "figure",
    "figcaption",
    "footer",
    "form",
    "header",
    "hgroup",
    "iframe",
    "li",
    "main",
    "map",
    "menu",
    "nav",
    "noscript",
    "object",
    "section",
    "summary",
    "td",
];

/// Elements whose content kramdown reads as text under `markdown="1"`
/// (`HTML_CONTENT_MODEL_SPAN`); any other element's content stays raw.
const SPAN_MODEL: &[&str] = &[
    "a", "abbr", "acronym", "b", "bdo", "big", "button", "cite", "caption", "del", "dfn", "dt",
    "em", "h1", "h2", "h3", "h4", "h5", "h6", "i", "ins", "label", "legend", "optgroup", "p", "q",
    "rb", "rbc", "rp", "rt", "rtc", "ruby", "select", "small", "span", "strong", "sub", "sup",
    "th", "tt",
];

/// How an element's content is read.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Content {
    Block,
    Span,
    Raw,
}

/// The body with every `markdown` attribute applied; borrowed when it has none.
pub fn apply_markdown_attributes(src: &str) -> Cow<'_, str> {
    if !src.contains("markdown=") {
        return Cow::Borrowed(src);
    }
    let code = CodeRegions::of(src);
    match rewrite(src, &|k| code.contains(k)) {
        Some(out) => Cow::Owned(out),
        None => Cow::Borrowed(src),
    }
}

/// kramdown's `parse_block_html` option: every HTML element opening a line whose content
/// kramdown would read (block or span model) and which does not say otherwise is read as if it
/// had `markdown="1"`.
pub fn parse_block_html(src: &str) -> Cow<'_, str> {
    let mut out = String::with_capacity(src.len() + 64);
    let mut changed = false;
    for line in src.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        let name = rest.strip_prefix('<').map(tag_name).unwrap_or("");
        let open = &rest[..rest.find('>').unwrap_or(rest.len())];
        if indent < 4
            && !name.is_empty()
            && model(name) != Content::Raw
            && !open.contains("markdown=")
        {
            let at = indent + 1 + name.len();
            out.push_str(&line[..at]);
            out.push_str(" markdown=\"1\"");
            out.push_str(&line[at..]);
            changed = true;
        } else {
            out.push_str(line);
        }
    }
    match changed {
        true => Cow::Owned(out),
        false => Cow::Borrowed(src),
    }
}

/// `src` with its `markdown` attributes applied (none of them at a byte `in_code` says is
/// code), or `None` when it has none outside code.
fn rewrite(src: &str, in_code: &dyn Fn(usize) -> bool) -> Option<String> {
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    while let Some(k) = src[at..].find("markdown=").map(|k| at + k) {
        at = k + "markdown=".len();
        let Some(el) = Element::around(src, k) else {
            continue;
        };
        if in_code(el.start) {
            continue;
        }
        let content = match el.value.as_str() {
            "block" => Content::Block,
            "span" => Content::Span,
            "1" => model(el.name),
            _ => Content::Raw,
        };
        out.push_str(&src[copied..el.start]);
        out.push_str(&el.open_without_attribute(src));
        let Some((inner_end, close_end)) = el.close(src) else {
            // An element never closed: the attribute goes, the rest is read as it is.
            copied = el.open_end;
            at = el.open_end;
            continue;
        };
        let inner = &src[el.open_end..inner_end];
        // Elements inside with their own attribute first (kramdown reads them as it meets them).
        let nested = rewrite(inner, &|_| false);
        let inner = nested.as_deref().unwrap_or(inner);
        match content {
            Content::Raw => out.push_str(inner),
            Content::Block => out.push_str(&one_block(&render(inner))),
            Content::Span => out.push_str(&one_block(&render_span(inner))),
        }
        out.push_str(&src[inner_end..close_end]);
        copied = close_end;
        at = close_end;
    }
    (copied > 0).then(|| {
        out.push_str(&src[copied..]);
        out
    })
}

/// kramdown's span elements (`HTML_SPAN_ELEMENTS`): a line they open is a paragraph's, never
/// an HTML block.
const SPAN_ELEMENTS: &[&str] = &[
    "a", "abbr", "acronym", "b", "big", "bdo", "br", "button", "cite", "code", "del", "dfn", "em",
    "i", "img", "input", "kbd", "label", "option", "q", "rb", "rbc", "rp", "rt", "rtc", "ruby",
    "samp", "select", "small", "span", "strong", "sub", "sup", "textarea", "tt", "var",
];

/// Elements without content (kramdown's `HTML_ELEMENTS_WITHOUT_BODY`).
const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "command", "embed", "hr", "img", "input", "keygen", "link",
    "meta", "param", "source", "track", "wbr",
];

/// kramdown's HTML blocks, made one CommonMark HTML block each.
///
/// In kramdown a line opening with a block element's tag (up to three spaces in) starts an
/// HTML block that runs to the matching end tag, blank lines included (syntax, "HTML Blocks";
/// `parse_raw_html` in its `html.rb`). CommonMark ends an HTML block at the first blank line,
/// and what follows (often indented) became an indented code block of raw HTML: a Jekyll
/// table whose cells hold paragraphs, or an include's output with the blank lines its Liquid
/// `for` leaves. Here the blank lines of each such block go (in a `<pre>`, its line ends
/// become character references), so the Markdown parser keeps it whole, as kramdown does.
/// A block never closed is left as it is: kramdown would swallow the rest of the post as
/// raw HTML and warn; CommonMark's reading loses less. Code is left alone.
pub fn join_html_blocks(src: &str) -> Cow<'_, str> {
    if !src.contains('<') || !src.contains("\n\n") && !src.contains("\n \n") {
        return Cow::Borrowed(src);
    }
    let mut code: Option<CodeRegions> = None;
    // Lower-cased once (ASCII, so offsets stay), and where each name's last end tag is: an
    // element never closed costs no search (a post of unclosed `<div>` lines stays linear).
    let lower = src.to_ascii_lowercase();
    let mut last_close: std::collections::HashMap<String, Option<usize>> = Default::default();
    let mut out = String::new();
    let mut copied = 0;
    let mut line_start = 0;
    while line_start < src.len() {
        let line_end = src[line_start..]
            .find('\n')
            .map_or(src.len(), |k| line_start + k + 1);
        let Some((start, name, open_end)) = block_tag_at(src, line_start, line_end) else {
            line_start = line_end;
            continue;
        };
        let name = name.to_ascii_lowercase();
        let last = *last_close
            .entry(name.clone())
            .or_insert_with(|| lower.rfind(&format!("</{name}")));
        let close = match last {
            Some(l) if l >= open_end => close_in_lower(&lower[open_end..], &name),
            _ => None,
        };
        let Some(close_end) = close.map(|(_, end)| open_end + end) else {
            line_start = line_end;
            continue;
        };
        let next_line = src[close_end..]
            .find('\n')
            .map_or(src.len(), |k| close_end + k + 1);
        let inner = &src[open_end..close_end];
        if !inner.split('\n').skip(1).any(|l| l.trim().is_empty()) {
            // Nothing to join, in it or in the blocks it holds.
            line_start = next_line;
            continue;
        }
        if code
            .get_or_insert_with(|| CodeRegions::of(src))
            .contains(start)
        {
            line_start = line_end;
            continue;
        }
        out.push_str(&src[copied..start]);
        out.push_str(&without_blank_lines(&src[start..close_end]));
        copied = close_end;
        line_start = next_line;
    }
    match copied {
        0 => Cow::Borrowed(src),
        _ => {
            out.push_str(&src[copied..]);
            Cow::Owned(out)
        }
    }
}

/// The block element whose opening tag starts the line `src[from..to]`: where its `<` is, its
/// name and where the tag ends. Comments, span elements, void and self-closed tags are not.
fn block_tag_at(src: &str, from: usize, to: usize) -> Option<(usize, &str, usize)> {
    let line = &src[from..to];
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 || !line[indent..].starts_with('<') {
        return None;
    }
    let start = from + indent + 1;
    let name = tag_name(&src[start..]);
    let lower = name.to_ascii_lowercase();
    if name.is_empty()
        || SPAN_ELEMENTS.contains(&lower.as_str())
        || VOID_ELEMENTS.contains(&lower.as_str())
        || !is_tag_end(&src[start + name.len()..])
    {
        return None;
    }
    let open_end = start + src[start..].find('>')? + 1;
    match src[..open_end].ends_with("/>") {
        true => None,
        false => Some((start - 1, name, open_end)),
    }
}

/// An HTML block's text without blank lines; in preformatted text the line ends become
/// character references instead.
fn without_blank_lines(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_pre = false;
    for line in html.split_inclusive('\n') {
        let lower = line.to_ascii_lowercase();
        let opens = lower.contains("<pre") || lower.contains("<textarea");
        let closes = lower.contains("</pre>") || lower.contains("</textarea>");
        if in_pre || opens && !closes {
            out.push_str(line.trim_end_matches('\n'));
            if line.ends_with('\n') {
                out.push_str(match closes {
                    true => "\n",
                    false => "&#10;",
                });
            }
        } else if !line.trim().is_empty() {
            out.push_str(line);
        }
        in_pre = (in_pre || opens) && !closes;
    }
    out
}

/// How kramdown reads an element's content under `markdown="1"`.
fn model(name: &str) -> Content {
    let name = name.to_ascii_lowercase();
    if BLOCK_MODEL.contains(&name.as_str()) {
        Content::Block
    } else if SPAN_MODEL.contains(&name.as_str()) {
        Content::Span
    } else {
        Content::Raw
    }
}

/// The tag name at the start of `s` (after its `<`).
fn tag_name(s: &str) -> &str {
    let end = s
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .unwrap_or(s.len());
    match s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        true => &s[..end],
        false => "",
    }
}

/// An opening tag with a `markdown` attribute.
struct Element<'a> {
    name: &'a str,
    /// Where the tag's `<` is, and just after its `>`.
    start: usize,
    open_end: usize,
    /// The attribute's byte range in `src` (with the space before it) and its value.
    attribute: std::ops::Range<usize>,
    value: String,
}

impl<'a> Element<'a> {
    /// The opening tag around the `markdown=` at `k`, if it is in one.
    fn around(src: &'a str, k: usize) -> Option<Element<'a>> {
        let start = src[..k].rfind('<')?;
        if src[start..k].contains('>') {
            return None;
        }
        let name = tag_name(&src[start + 1..]);
        // A word ending in `markdown` (`data-markdown=`) is another attribute.
        let space_before = src[..k].ends_with(char::is_whitespace);
        if name.is_empty() || !space_before {
            return None;
        }
        let after = &src[k + "markdown=".len()..];
        let (value, len) = match after.chars().next()? {
            q @ ('"' | '\'') => {
                let end = after[1..].find(q)?;
                (after[1..1 + end].to_string(), end + 2)
            }
            _ => {
                let end = after
                    .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                    .unwrap_or(after.len());
                (after[..end].to_string(), end)
            }
        };
        let attr_end = k + "markdown=".len() + len;
        let open_end = attr_end + src[attr_end..].find('>')? + 1;
        let attr_start = src[..k].trim_end().len();
        Some(Element {
            name,
            start,
            open_end,
            attribute: attr_start..attr_end,
            value: value.trim().to_ascii_lowercase(),
        })
    }

    /// The opening tag as written, without the attribute.
    fn open_without_attribute(&self, src: &str) -> String {
        format!(
            "{}{}",
            &src[self.start..self.attribute.start],
            &src[self.attribute.end..self.open_end]
        )
    }

    /// Where the content ends (the matching `</name>` starts) and where that tag ends,
    /// counting elements of the same name opened inside. `None` for a self-closed tag or one
    /// never closed.
    fn close(&self, src: &str) -> Option<(usize, usize)> {
        if src[..self.open_end].ends_with("/>") {
            return None;
        }
        matching_close(src, self.open_end, self.name)
    }
}

/// Where the content of a `name` element whose opening tag ends at `open_end` ends (its
/// matching `</name>` starts) and where that end tag ends, counting elements of the same name
/// opened inside; `None` when it is never closed.
fn matching_close(src: &str, open_end: usize, name: &str) -> Option<(usize, usize)> {
    let lower = src[open_end..].to_ascii_lowercase();
    close_in_lower(&lower, name).map(|(a, b)| (open_end + a, open_end + b))
}

/// [`matching_close`] in `lower`, the text after the opening tag in lower case; offsets in it.
fn close_in_lower(lower: &str, name: &str) -> Option<(usize, usize)> {
    let name = name.to_ascii_lowercase();
    let (open, close) = (format!("<{name}"), format!("</{name}"));
    let mut depth = 0usize;
    let mut i = 0;
    loop {
        let next_close = lower[i..].find(&close)? + i;
        let next_open = lower[i..].find(&open).map(|o| o + i);
        match next_open {
            Some(o) if o < next_close && is_tag_end(&lower[o + open.len()..]) => {
                depth += 1;
                i = o + open.len();
            }
            _ if !is_tag_end(&lower[next_close + close.len()..]) => i = next_close + 1,
            _ if depth > 0 => {
                depth -= 1;
                i = next_close + close.len();
            }
            _ => {
                let end = lower[next_close..].find('>')? + next_close + 1;
                return Some((next_close, end));
            }
        }
    }
}

/// Whether a tag name ends here (`<div` in `<div>` or `<div class`, not in `<divider>`).
fn is_tag_end(s: &str) -> bool {
    s.starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/')
}

/// Markdown blocks rendered to HTML with the reader's options.
fn render(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() * 5 / 4);
    html::push_html(
        &mut out,
        Parser::new_ext(markdown, super::dialect::read_options()),
    );
    out
}

/// A line of Markdown text rendered to HTML, without the paragraph around it: what starts
/// it is never read as a block (`# 1` is text in a span).
fn render_span(markdown: &str) -> String {
    let text = markdown.trim();
    let starts_block = text.starts_with(['#', '>', '-', '+', '*', '=', '|'])
        && text[1..].starts_with([' ', '#', '-', '='])
        || text
            .split_once(['.', ')'])
            .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let text = match starts_block {
        true => format!("\\{text}"),
        false => text.to_string(),
    };
    let html = render(&text);
    let html = html.trim_end();
    match html
        .strip_prefix("<p>")
        .and_then(|h| h.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => html.to_string(),
    }
}

/// Rendered HTML without blank lines, so the Markdown parser keeps it in one HTML block: line
/// ends in preformatted text become character references, other blank lines go.
fn one_block(html: &str) -> String {
    let mut out = without_blank_lines(html.trim_end());
    // The closing tag goes on a line of its own after block content.
    if !out.ends_with('\n') && out.contains('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_blocks_run_to_their_end_tag() {
        // Blank lines inside go (a `<pre>`'s become references); nested elements of the same
        // name count; the text after the block stays.
        assert_eq!(
            join_html_blocks("<div>\n<div>\n\n  a\n</div>\n\n<pre>x\n\ny</pre>\n</DIV>\n\nafter\n"),
            "<div>\n<div>\n  a\n</div>\n<pre>x&#10;&#10;y</pre>\n</DIV>\n\nafter\n"
        );
        for same in [
            // Never closed, a span element, a self-closed tag, in code, indented code.
            "<div>\n\n a\n",
            "<span>\n\n a</span>\n",
            "<div/>\n\n</div>\n",
            "```\n<div>\n\n</div>\n```\n",
            "para\n\n    <div>\n\n    </div>\n",
            // Nothing to join.
            "<div>\na\n</div>\n\nb\n",
        ] {
            assert!(
                matches!(join_html_blocks(same), Cow::Borrowed(_)),
                "{same:?}"
            );
        }
        // Many elements never closed: each line looked at once.
        let unclosed = "<div>\n\n".repeat(20_000);
        assert!(matches!(join_html_blocks(&unclosed), Cow::Borrowed(_)));
    }

    #[test]
    fn markdown_in_html_as_kramdown_reads_it() {
        let src = "<figure>\n<img src=\"a.png\">\n<figcaption markdown=\"1\">**Left** and *right*</figcaption>\n</figure>\n\n\
                   <div class=\"box\" markdown=\"1\">\nA **block**.\n\n* one\n</div>\n\n\
                   <p markdown=\"span\">Some *span*</p>\n\n<div markdown=\"0\">\n*raw*\n</div>\n\n\
                   <pre markdown=\"1\">*raw too*</pre>\n";
        assert_eq!(
            apply_markdown_attributes(src),
            "<figure>\n<img src=\"a.png\">\n<figcaption><p><strong>Left</strong> and <em>right</em></p></figcaption>\n</figure>\n\n\
             <div class=\"box\"><p>A <strong>block</strong>.</p>\n<ul>\n<li>one</li>\n</ul>\n</div>\n\n\
             <p>Some <em>span</em></p>\n\n<div>\n*raw*\n</div>\n\n<pre>*raw too*</pre>\n"
        );
    }

    #[test]
    fn nested_elements_code_and_blank_lines() {
        let src = "<div markdown=\"1\">\n<div markdown=\"1\">\n*in*\n</div>\n\n```\nx\n\ny\n```\n</div>\n\n\
                   ```html\n<div markdown=\"1\">*code*</div>\n```\n";
        let out = apply_markdown_attributes(src);
        assert!(out.contains("<div><div><p><em>in</em></p></div>"), "{out}");
        assert!(
            out.contains("<code>x&#10;&#10;y&#10;</code></pre>"),
            "{out}"
        );
        assert!(
            out.ends_with("```html\n<div markdown=\"1\">*code*</div>\n```\n"),
            "{out}"
        );
        assert!(!out.contains("\n\n<"), "{out}");
    }

    #[test]
    fn other_attributes_and_text_stay() {
        for src in ["<div data-markdown=\"1\">*x*</div>", "markdown= is a word"] {
            assert!(matches!(apply_markdown_attributes(src), Cow::Borrowed(_)));
        }
        assert_eq!(
            parse_block_html("<div class=\"a\">\n<pre>\n<p markdown=\"0\">x</p>\n"),
            "<div markdown=\"1\" class=\"a\">\n<pre>\n<p markdown=\"0\">x</p>\n"
        );
    }
}
