//! Model → XHTML, for EPUB content documents.
//!
//! Written by hand from the model rather than by an HTML serializer, because EPUB needs XML:
//! void elements self-closed, only the five XML entities, no characters XML forbids, and every
//! URL one that EPUBCheck accepts (relative links of the original site, which would point to
//! files missing from the book, are resolved against the post's source URL or dropped).

use crate::model::{slug, Block, Image, Inline, Link, Table};
use crate::warning::{Warning, WarningKind};
use std::cell::{Cell, RefCell};
use unicode_segmentation::UnicodeSegmentation;
use url::Url;

/// What the serializer needs besides the blocks.
pub struct Context<'a> {
    /// The in-book path of an embedded image, by its `src`; `None` keeps it as a link.
    pub image_href: &'a dyn Fn(&str) -> Option<String>,
    /// The post's source URL, against which relative links are resolved.
    pub base: Option<&'a Url>,
    /// For a link to another post: `Some(Some(href))` of its chapter in this book, `Some(None)`
    /// when that post is not in the book (the link text is kept); `None` for other links.
    pub post_href: &'a dyn Fn(&str) -> Option<Option<String>>,
    /// Link text for pictures that are not in the book (`图片` / `image`).
    pub image_label: &'a str,
    /// Kobo's sentence spans (`--kepub`), or `None` for plain EPUB.
    pub kobo: Option<&'a KoboSpans>,
    /// Highlight code blocks that name their language (off with `--no-highlight`).
    pub highlight: bool,
    /// The anchors of the post's headings, in order ([`crate::model::heading_ids`]).
    pub heading_ids: &'a [String],
    /// What rendering met on the way.
    pub found: Found,
}

/// What rendering a chapter met: footnotes to place at its end, formulas (the OPF item then
/// needs `properties="mathml"`), and warnings for the post.
#[derive(Debug, Default)]
pub struct Found {
    notes: RefCell<Vec<Vec<Block>>>,
    headings: Cell<usize>,
    pub math: Cell<bool>,
    pub warnings: RefCell<Vec<Warning>>,
}

/// Numbering for Kobo's `<span class="koboSpan" id="kobo.P.S">` around each sentence, as Kobo's
/// own conversion (and kepubify) make them: P counts text blocks, S sentences in a block. Kobo's
/// reader needs them for highlights, reading statistics and page turns within a chapter;
/// without them a `.kepub.epub` falls back to the slower EPUB renderer's behaviour.
#[derive(Debug, Default)]
pub struct KoboSpans {
    paragraph: Cell<u32>,
    sentence: Cell<u32>,
}

impl KoboSpans {
    /// Starts a new text block (paragraph, heading, list item, cell, caption).
    fn next_block(&self) {
        self.paragraph.set(self.paragraph.get() + 1);
        self.sentence.set(0);
    }

    /// Appends `text` escaped, one span per sentence (Unicode sentence boundaries, UAX #29,
    /// which end CJK sentences at `。！？` as well).
    fn text_into(&self, text: &str, out: &mut String) {
        if self.paragraph.get() == 0 {
            self.next_block();
        }
        for sentence in text.split_sentence_bounds() {
            if sentence.trim().is_empty() {
                escape_into(sentence, out);
                continue;
            }
            self.sentence.set(self.sentence.get() + 1);
            out.push_str(&format!(
                "<span class=\"koboSpan\" id=\"kobo.{}.{}\">",
                self.paragraph.get(),
                self.sentence.get()
            ));
            escape_into(sentence, out);
            out.push_str("</span>");
        }
    }
}

/// Appends text content: escaped, and in sentence spans for Kobo.
fn text_into(text: &str, ctx: &Context, out: &mut String) {
    match ctx.kobo {
        Some(kobo) => kobo.text_into(text, out),
        None => escape_into(text, out),
    }
}

/// Starts a text block for Kobo's numbering.
fn start_block(ctx: &Context) {
    if let Some(kobo) = ctx.kobo {
        kobo.next_block();
    }
}

/// Appends `s` escaped for XML text and attribute values.
pub fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\u{0}'..='\u{8}'
            | '\u{B}'
            | '\u{C}'
            | '\u{E}'..='\u{1F}'
            | '\u{FFFE}'
            | '\u{FFFF}' => {}
            _ => out.push(c),
        }
    }
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(s, &mut out);
    out
}

/// A link target valid in an EPUB: an absolute http(s)/mailto URL, resolved against `base` when
/// relative and normalized (percent-encoded) by the `url` crate.
pub fn safe_href(href: &str, base: Option<&Url>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let url = match Url::parse(href) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(href).ok()?,
        Err(_) => return None,
    };
    let s = url.to_string();
    // The url crate keeps stray `%` and a second `#`; EPUBCheck rejects both (RSC-020).
    let escapes_ok = s.match_indices('%').all(|(i, _)| {
        s.get(i + 1..i + 3)
            .is_some_and(|h| h.chars().all(|c| c.is_ascii_hexdigit()))
    });
    let ok = matches!(url.scheme(), "http" | "https" | "mailto")
        && escapes_ok
        && s.matches('#').count() <= 1;
    ok.then_some(s)
}

/// Renders a post's body, then its footnotes as EPUB 3 footnotes: `<aside
/// epub:type="footnote">` after the text, each linked from its `noteref` and back, which Kindle,
/// Kobo, Apple Books and KOReader show as pop-ups (and other readers as endnotes).
pub fn body(bs: &[Block], ctx: &Context, shift: u8, out: &mut String) {
    blocks(bs, ctx, shift, out);
    let mut n = 0;
    loop {
        // Not `while let`: its borrow would last through the body, where notes inside this
        // note are added.
        let Some(note) = ctx.found.notes.borrow().get(n).cloned() else {
            break;
        };
        if n == 0 {
            out.push_str("<section class=\"footnotes\" epub:type=\"footnotes\">\n");
        }
        n += 1;
        out.push_str(&format!(
            "<aside epub:type=\"footnote\" id=\"fn-{n}\">\n<p class=\"note-number\"><a href=\"#fnref-{n}\">{n}.</a></p>\n"
        ));
        blocks(&note, ctx, shift, out);
        out.push_str("</aside>\n");
    }
    if n > 0 {
        out.push_str("</section>\n");
    }
}

/// Renders blocks. Headings are shifted down by `shift` levels, because the post title is the
/// chapter's `<h1>`.
pub fn blocks(bs: &[Block], ctx: &Context, shift: u8, out: &mut String) {
    for b in bs {
        block(b, ctx, shift, out);
    }
}

/// The heading anchor an in-post `#fragment` link means: the id itself, or the heading whose
/// id reads the same once case and punctuation are set aside (kramdown's ids drop leading
/// numbers and non-ASCII letters, GitHub's and Goldmark's keep them).
fn anchor_for<'c>(fragment: &str, ctx: &'c Context) -> Option<&'c str> {
    let fragment = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
    if let Some(id) = ctx.heading_ids.iter().find(|id| **id == fragment) {
        return Some(id);
    }
    let letters = |s: &str| -> String { slug(s).chars().filter(|c| c.is_alphanumeric()).collect() };
    let wanted = letters(&fragment);
    if wanted.is_empty() {
        return None;
    }
    ctx.heading_ids
        .iter()
        .find(|id| letters(id) == wanted)
        .or_else(|| {
            ctx.heading_ids
                .iter()
                .find(|id| letters(id).ends_with(&wanted))
        })
        .map(String::as_str)
}

/// Renders one block, by kind.
fn block(b: &Block, ctx: &Context, shift: u8, out: &mut String) {
    match b {
        Block::Heading { level, content, .. } => heading((level + shift).min(6), content, ctx, out),
        Block::Paragraph(content) if matches!(content.as_slice(), [Inline::Math(m)] if m.display) =>
        {
            out.push_str("<div class=\"math-display\">");
            inlines(content, ctx, out);
            out.push_str("</div>\n");
        }
        Block::Paragraph(content) => {
            out.push_str("<p>");
            start_block(ctx);
            inlines(content, ctx, out);
            out.push_str("</p>\n");
        }
        Block::List {
            ordered,
            start,
            items,
            ..
        } => list(*ordered, *start, items, ctx, shift, out),
        Block::Quote(inner) => {
            out.push_str("<blockquote>\n");
            blocks(inner, ctx, shift, out);
            out.push_str("</blockquote>\n");
        }
        Block::Code {
            lang,
            text,
            first_line,
        } => code(lang.as_deref(), text, *first_line, ctx, out),
        Block::Figure(img) => figure(img, ctx, out),
        Block::Table(t) => table(t, ctx, shift, out),
        Block::Rule => out.push_str("<hr />\n"),
    }
}

/// `<hN>` with the id the chapter gave the post's next heading (`Context::heading_ids`, in
/// order), so in-post links and the table of contents can point at it.
fn heading(h: u8, content: &[Inline], ctx: &Context, out: &mut String) {
    let n = ctx.found.headings.get();
    ctx.found.headings.set(n + 1);
    match ctx.heading_ids.get(n) {
        Some(id) => {
            out.push_str(&format!("<h{h} id=\""));
            escape_into(id, out);
            out.push_str("\">");
        }
        None => out.push_str(&format!("<h{h}>")),
    }
    start_block(ctx);
    inlines(content, ctx, out);
    out.push_str(&format!("</h{h}>\n"));
}

/// `<ul>` or `<ol>` (with `start` when it is not 1).
fn list(
    ordered: bool,
    start: u64,
    items: &[Vec<Block>],
    ctx: &Context,
    shift: u8,
    out: &mut String,
) {
    match (ordered, start) {
        (false, _) => out.push_str("<ul>\n"),
        (true, 1) => out.push_str("<ol>\n"),
        (true, n) => out.push_str(&format!("<ol start=\"{n}\">\n")),
    }
    for item in items {
        out.push_str("<li>");
        // A single paragraph renders without <p>, as tight lists do in HTML.
        match item.as_slice() {
            [Block::Paragraph(content)] => {
                start_block(ctx);
                inlines(content, ctx, out)
            }
            _ => blocks(item, ctx, shift, out),
        }
        out.push_str("</li>\n");
    }
    out.push_str(if ordered { "</ol>\n" } else { "</ul>\n" });
}

/// `<pre><code>`, highlighted when asked (`--highlight`) and the language is known, with line
/// numbers when the source numbered its lines.
fn code(lang: Option<&str>, text: &str, first_line: Option<u32>, ctx: &Context, out: &mut String) {
    match lang {
        Some(l) => {
            out.push_str("<pre><code class=\"language-");
            escape_into(&l.replace(char::is_whitespace, "-"), out);
            out.push_str("\">");
        }
        None => out.push_str("<pre><code>"),
    }
    let highlighted = lang
        .filter(|_| ctx.highlight)
        .and_then(|l| super::highlight::highlight(text, l));
    let html = match highlighted {
        // Without the newline that ends the last line, as the plain block.
        Some(html) => html.strip_suffix('\n').unwrap_or(&html).to_string(),
        None => {
            let mut plain = String::with_capacity(text.len());
            escape_into(text, &mut plain);
            plain
        }
    };
    match first_line {
        Some(first) => number_lines(&html, first, out),
        None => out.push_str(&html),
    }
    out.push_str("</code></pre>\n");
}

/// `<table>`: the header row in `<thead>`, the others in `<tbody>`. Spanning cells keep their
/// `rowspan`/`colspan`, and the positions they cover are left out, as HTML expects. A cell of
/// one paragraph is written as its text (as GFM and most sites write cells), one holding
/// other blocks (a list, several paragraphs) as those blocks.
fn table(t: &Table, ctx: &Context, shift: u8, out: &mut String) {
    let row = |cells: &[crate::model::Cell], tag: &str, out: &mut String| {
        out.push_str("<tr>");
        for c in cells.iter().filter(|c| !c.is_covered()) {
            out.push('<');
            out.push_str(tag);
            if c.rows > 1 {
                out.push_str(&format!(" rowspan=\"{}\"", c.rows));
            }
            if c.cols > 1 {
                out.push_str(&format!(" colspan=\"{}\"", c.cols));
            }
            out.push('>');
            match c.inlines() {
                Some(content) => {
                    start_block(ctx);
                    inlines(content, ctx, out);
                }
                None => {
                    out.push('\n');
                    blocks(&c.blocks, ctx, shift, out);
                }
            }
            out.push_str("</");
            out.push_str(tag);
            out.push('>');
        }
        out.push_str("</tr>");
    };
    out.push_str("<table>\n");
    if let Some(h) = &t.header {
        out.push_str("<thead>");
        row(h, "th", out);
        out.push_str("</thead>\n");
    }
    out.push_str("<tbody>\n");
    for r in &t.rows {
        row(r, "td", out);
        out.push('\n');
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Code with a line number before each line, right-aligned in a column of their width. The
/// numbers are spans of their own (class `ln`, styled apart from the code), put inside any
/// highlighting span a line starts in, which keeps the markup well nested.
fn number_lines(html: &str, first: u32, out: &mut String) {
    let last = first.saturating_add(html.matches('\n').count() as u32);
    let width = last.to_string().len();
    for (i, line) in html.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let n = first.saturating_add(i as u32);
        out.push_str(&format!("<span class=\"ln\">{n:>width$} </span>"));
        out.push_str(line);
    }
}

fn figure(img: &Image, ctx: &Context, out: &mut String) {
    match (ctx.image_href)(&img.src) {
        Some(href) => {
            out.push_str("<figure>\n<img src=\"");
            escape_into(&href, out);
            out.push_str("\" alt=\"");
            escape_into(&img.alt, out);
            out.push_str("\" />\n");
            caption(img, ctx, out);
            out.push_str("</figure>\n");
        }
        None => {
            // Not in the book: keep the caption readable and the picture one tap away.
            out.push_str("<figure class=\"remote-image\">\n<p>");
            remote_image_link(img, ctx, out);
            out.push_str("</p>\n");
            caption(img, ctx, out);
            out.push_str("</figure>\n");
        }
    }
}

fn caption(img: &Image, ctx: &Context, out: &mut String) {
    if !img.alt.is_empty() {
        out.push_str("<figcaption>");
        start_block(ctx);
        text_into(&img.alt, ctx, out);
        out.push_str("</figcaption>\n");
    }
}

fn remote_image_link(img: &Image, ctx: &Context, out: &mut String) {
    match safe_href(&img.src, ctx.base) {
        Some(href) => {
            out.push_str("<a href=\"");
            escape_into(&href, out);
            out.push_str("\">[");
            escape_into(ctx.image_label, out);
            out.push_str("]</a>");
        }
        None => {
            out.push('[');
            escape_into(ctx.image_label, out);
            out.push(']');
        }
    }
}

pub fn inlines(xs: &[Inline], ctx: &Context, out: &mut String) {
    inlines_in(xs, ctx, false, out)
}

/// `in_link`: inside an `<a>`, where another `<a>` is not allowed (a linked picture that is not
/// in the book shows only its label).
fn inlines_in(xs: &[Inline], ctx: &Context, in_link: bool, out: &mut String) {
    for x in xs {
        match x {
            Inline::Text(t) => text_into(t, ctx, out),
            Inline::Emph(c) => wrap("em", c, ctx, in_link, out),
            Inline::Strong(c) => wrap("strong", c, ctx, in_link, out),
            Inline::Strike(c) => wrap("del", c, ctx, in_link, out),
            Inline::Sub(c) => wrap("sub", c, ctx, in_link, out),
            Inline::Sup(c) => wrap("sup", c, ctx, in_link, out),
            Inline::Code(c) => {
                out.push_str("<code>");
                escape_into(c, out);
                out.push_str("</code>");
            }
            Inline::Link(l) => link(l, ctx, in_link, out),
            Inline::Image(img) => image(img, ctx, in_link, out),
            Inline::LineBreak => out.push_str("<br />"),
            Inline::Math(m) => math(&m.tex, m.display, ctx, out),
            Inline::Note(blocks) => note(blocks, ctx, in_link, out),
            Inline::Check(done) => {
                out.push_str(if *done {
                    "<span class=\"task done\">☑</span>"
                } else {
                    "<span class=\"task\">☐</span>"
                });
            }
        }
    }
}

/// A link, its target made one the book can follow: another post's chapter, a heading of this
/// post, or a safe absolute URL. Inside another link (or without a usable target) only its
/// content is written.
fn link(link: &Link, ctx: &Context, in_link: bool, out: &mut String) {
    let Link { url, content, .. } = link;
    let in_post = url
        .strip_prefix('#')
        .and_then(|f| anchor_for(f, ctx))
        .map(|id| format!("#{id}"));
    let href = match (ctx.post_href)(url) {
        Some(chapter) => chapter,
        None => in_post.or_else(|| safe_href(url, ctx.base)),
    };
    match href.filter(|_| !in_link) {
        Some(href) => {
            out.push_str("<a href=\"");
            escape_into(&href, out);
            out.push_str("\">");
            inlines_in(content, ctx, true, out);
            out.push_str("</a>");
        }
        None => inlines_in(content, ctx, in_link, out),
    }
}

/// An embedded picture, or (not embedded) its alt text and a link to it.
fn image(img: &Image, ctx: &Context, in_link: bool, out: &mut String) {
    match (ctx.image_href)(&img.src) {
        Some(href) => {
            out.push_str("<img src=\"");
            escape_into(&href, out);
            out.push_str("\" alt=\"");
            escape_into(&img.alt, out);
            out.push_str("\" />");
        }
        None => {
            if !img.alt.is_empty() {
                escape_into(&img.alt, out);
                out.push(' ');
            }
            if in_link {
                out.push('[');
                escape_into(ctx.image_label, out);
                out.push(']');
            } else {
                remote_image_link(img, ctx, out);
            }
        }
    }
}

/// A footnote reference, its note kept for the end of the chapter ([`body`]).
fn note(blocks: &[Block], ctx: &Context, in_link: bool, out: &mut String) {
    // A note inside a link's text cannot be a link itself: its text follows in brackets.
    if in_link {
        out.push_str(" [");
        let text = crate::model::plain_text(&match blocks {
            [Block::Paragraph(c)] => c.clone(),
            _ => vec![],
        });
        escape_into(&text, out);
        out.push(']');
        return;
    }
    let n = {
        let mut notes = ctx.found.notes.borrow_mut();
        notes.push(blocks.to_vec());
        notes.len()
    };
    out.push_str(&format!(
        "<a epub:type=\"noteref\" class=\"noteref\" id=\"fnref-{n}\" href=\"#fn-{n}\">{n}</a>"
    ));
}

/// A formula as MathML (pulldown-latex), its TeX kept as an annotation for readers that show
/// or speak it. A formula that does not convert is shown as its TeX in `<code>`, with a
/// warning: never lost.
fn math(tex: &str, display: bool, ctx: &Context, out: &mut String) {
    use pulldown_latex::{config::DisplayMode, push_mathml, Parser, RenderConfig, Storage};
    let storage = Storage::new();
    let events: Vec<_> = Parser::new(tex, &storage).collect();
    let error = events
        .iter()
        .find_map(|e| e.as_ref().err().map(|e| e.to_string()));
    let mut mathml = String::new();
    // pulldown-latex writes the annotation as it is given.
    let annotation = escape(tex);
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        annotation: Some(&annotation),
        xml: true,
        ..RenderConfig::default()
    };
    let rendered = match error {
        None => push_mathml(&mut mathml, events.into_iter(), config).map_err(|e| e.to_string()),
        Some(e) => Err(e),
    };
    match rendered {
        Ok(()) => {
            ctx.found.math.set(true);
            out.push_str(&mathml);
        }
        Err(why) => {
            let first_line = why.lines().next().unwrap_or_default().to_string();
            ctx.found.warnings.borrow_mut().push(Warning::new(
                WarningKind::Math,
                format!("formula not converted to MathML ({first_line}), shown as TeX: {tex}"),
            ));
            out.push_str("<code class=\"tex\">");
            escape_into(tex, out);
            out.push_str("</code>");
        }
    }
}

fn wrap(tag: &str, c: &[Inline], ctx: &Context, in_link: bool, out: &mut String) {
    out.push_str(&format!("<{tag}>"));
    inlines_in(c, ctx, in_link, out);
    out.push_str(&format!("</{tag}>"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_are_made_valid_or_dropped() {
        let base = Url::parse("https://news.test/a/b.html").unwrap();
        assert_eq!(
            safe_href("/x y.html", Some(&base)).as_deref(),
            Some("https://news.test/x%20y.html")
        );
        assert_eq!(safe_href("c.html", None), None);
        assert_eq!(safe_href("#top", Some(&base)), None);
        assert_eq!(safe_href("javascript:alert(1)", None), None);
        assert_eq!(safe_href("http://[bad", None), None);
        assert_eq!(safe_href("https://a.test/212%%E5", None), None);
        assert_eq!(safe_href("https://a.test/#a#b", None), None);
    }

    #[test]
    fn output_is_well_formed_xml() {
        let no_images = |_: &str| None;
        let ctx = Context {
            image_href: &no_images,
            base: None,
            post_href: &|_| None,
            image_label: "image",
            kobo: None,
            highlight: true,
            heading_ids: &[],
            found: Found::default(),
        };
        let mut out = String::from("<div>");
        blocks(
            &[
                Block::Paragraph(vec![
                    Inline::Text("a < b & \"c\" \u{1}".into()),
                    Inline::LineBreak,
                    Inline::Image(Box::new(Image {
                        src: "https://x.test/a.jpg".into(),
                        alt: "x".into(),
                        title: None,
                    })),
                ]),
                Block::Figure(Box::new(Image {
                    src: "https://x.test/<a>.jpg".into(),
                    alt: "cap & co".into(),
                    title: None,
                })),
                Block::Rule,
            ],
            &ctx,
            1,
            &mut out,
        );
        out.push_str("</div>");
        roxmltree::Document::parse(&out).unwrap();
        let mut linked = String::new();
        let img = Image {
            src: "https://x.test/a.jpg".into(),
            alt: String::new(),
            title: None,
        };
        inlines(
            &[Inline::Link(Box::new(Link {
                url: "https://x.test/".into(),
                title: None,
                content: vec![Inline::Image(Box::new(img))],
            }))],
            &ctx,
            &mut linked,
        );
        assert_eq!(
            linked, "<a href=\"https://x.test/\">[image]</a>",
            "no <a> inside <a>"
        );
        assert!(out.contains("a &lt; b &amp; &quot;c&quot; <br />"));
    }

    #[test]
    fn numbered_lines_stay_well_nested_in_highlighting() {
        let mut out = String::new();
        number_lines("<span class=\"c\">/* a\nb */</span>\nx", 9, &mut out);
        assert_eq!(
            out,
            "<span class=\"ln\"> 9 </span><span class=\"c\">/* a\n<span class=\"ln\">10 </span>b */</span>\n<span class=\"ln\">11 </span>x"
        );
        roxmltree::Document::parse(&format!("<pre>{out}</pre>")).unwrap();
    }

    #[test]
    fn kobo_spans_number_blocks_and_sentences() {
        let kobo = KoboSpans::default();
        let ctx = Context {
            image_href: &|_| None,
            base: None,
            post_href: &|_| None,
            image_label: "image",
            kobo: Some(&kobo),
            highlight: true,
            heading_ids: &[],
            found: Found::default(),
        };
        let mut out = String::from("<div>");
        blocks(
            &[
                Block::Paragraph(vec![
                    Inline::Text("中方表示欢迎。双方同意合作！".into()),
                    Inline::Emph(vec![Inline::Text("One & two. Three?".into())]),
                ]),
                Block::Paragraph(vec![Inline::Text("Next".into())]),
            ],
            &ctx,
            1,
            &mut out,
        );
        out.push_str("</div>");
        roxmltree::Document::parse(&out).unwrap();
        assert!(
            out.starts_with(
                "<div><p><span class=\"koboSpan\" id=\"kobo.1.1\">中方表示欢迎。</span>\
                 <span class=\"koboSpan\" id=\"kobo.1.2\">双方同意合作！</span>\
                 <em><span class=\"koboSpan\" id=\"kobo.1.3\">One &amp; two. </span>\
                 <span class=\"koboSpan\" id=\"kobo.1.4\">Three?</span></em></p>"
            ),
            "{out}"
        );
        assert!(out.contains("<p><span class=\"koboSpan\" id=\"kobo.2.1\">Next</span></p>"));
    }
}
