//! Model → XHTML, for EPUB content documents.
//!
//! Written by hand from the model rather than by an HTML serializer, because EPUB needs XML:
//! void elements self-closed, only the five XML entities, no characters XML forbids, and every
//! URL one that EPUBCheck accepts (relative links of the original site, which would point to
//! files missing from the book, are resolved against the post's source URL or dropped).

use super::Footnotes;
use crate::model::{slug, Block, Image, Inline, Link, Node, Table};
use crate::warning::{Warning, WarningKind};
use crate::xml::escape_into;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use unicode_segmentation::UnicodeSegmentation;
use url::Url;

/// What the serializer needs besides the blocks.
pub struct Context<'a> {
    /// The in-book path of an embedded image, by its `src`; `None` keeps it as a link.
    pub image_href: &'a dyn Fn(&str) -> Option<String>,
    /// The post's source URL, against which relative links are resolved.
    pub base: Option<&'a Url>,
    /// For a link to another post: `Some(Some((file, anchors)))` of its chapter in this book,
    /// `Some(None)` when that post is not in the book (the link text is kept); `None` for
    /// other links.
    pub post_href: &'a PostHref<'a>,
    /// Link text for pictures that are not in the book (`图片` / `image`).
    pub image_label: &'a str,
    /// Kobo's sentence spans (`--kepub`), or `None` for plain EPUB.
    pub kobo: Option<&'a KoboSpans>,
    /// Highlight code blocks that name their language (off with `--no-highlight`).
    pub highlight: bool,
    /// Formulas as MathML; `false` shows their TeX (the safe mode of a chapter repaired after
    /// failing the gate, `write::gate`).
    pub mathml: bool,
    /// The ids of the post's headings, which in-post links point at.
    pub anchors: &'a Anchors,
    /// What rendering met on the way.
    pub found: Found<'a>,
}

/// For a link, the chapter of the post it links to and that post's anchors (see
/// [`Context::post_href`]).
pub type PostHref<'a> = dyn Fn(&str) -> Option<Option<(&'a str, &'a Anchors)>> + 'a;

/// What rendering a chapter met: footnotes to place at its end, formulas (the OPF item then
/// needs `properties="mathml"`), and warnings for the post.
#[derive(Debug, Default)]
pub struct Found<'a> {
    notes: Footnotes<&'a [Block]>,
    pub math: Cell<bool>,
    pub warnings: RefCell<Vec<Warning>>,
}

impl Found<'_> {
    /// Whether the chapter has footnotes.
    pub fn has_notes(&self) -> bool {
        !self.notes.is_empty()
    }
}

/// The ids a chapter gives its post's headings, and the heading an in-post `#fragment` link
/// means. Ids are the headings' own (`{#setup}`, an HTML `id`) or slugs of their text, made
/// unique in the chapter and never one the chapter uses otherwise (its top, the footnotes'
/// `fn-N` and `fnref-N`, Kobo's `kobo.P.S`). They are HTML ids, which EPUBCheck takes for
/// XHTML (`2024-plans`, `中文-标题`), with what a URL fragment cannot carry replaced; SVG ids
/// must be XML names ([`crate::xml::ncname`]). Each heading is found again by its address when
/// rendered, wherever it is, so the ids cannot drift from the headings (a heading inside a
/// footnote is written after the text, but counted where the note is referenced).
#[derive(Debug, Default)]
pub struct Anchors {
    /// Each heading's id, by the address of its block.
    by_heading: HashMap<usize, String>,
    /// Each heading's depth in the post's outline, by the address of its block (see
    /// [`Anchors::depth`]).
    depths: HashMap<usize, u8>,
    /// Every heading's id as the post has it (its own, or a slug of its text) and as the
    /// chapter writes it, in the post's order.
    ids: Vec<(String, String)>,
    /// The id of the chapter's top (`#top` and `#` lead there), when it has one.
    top: Option<String>,
}

impl Anchors {
    /// The anchors of a post's `blocks`, in a chapter whose top has the id `top`.
    pub fn of(blocks: &[Block], top: Option<&str>) -> Anchors {
        let mut anchors = Anchors {
            top: top.map(str::to_string),
            ..Anchors::default()
        };
        let mut taken: HashSet<String> = top.iter().map(|t| t.to_string()).collect();
        let mut numbered: HashMap<String, usize> = HashMap::new();
        // The source levels of the headings that enclose the next one.
        let mut open: Vec<u8> = Vec::new();
        crate::model::walk(blocks, &mut |node| match node {
            Node::Block(b @ Block::Heading { id, content, level }) => {
                while open.last().is_some_and(|l| l >= level) {
                    open.pop();
                }
                open.push(*level);
                let depth = u8::try_from(open.len()).unwrap_or(u8::MAX);
                anchors.depths.insert(b as *const Block as usize, depth);
                let source = match id {
                    Some(id) => id.split_whitespace().collect::<Vec<_>>().join("-"),
                    None => slug(&crate::model::plain_text(content)),
                };
                let mut base = html_id(&source);
                if (taken.contains(&base) || chapter_id(&base)) && chapter_id(&format!("{base}-1"))
                {
                    // A number makes `fn-1` another id (`fn-1-1`), but no number takes
                    // `kobo.1.1`, `fn` or `fnref` out of the shape of the chapter's own ids (the
                    // loop below never ended); a prefix does.
                    base.insert_str(0, "h-");
                }
                let mut candidate = base.clone();
                // Numbered from where this base last stopped: thousands of equal headings are
                // not quadratic.
                let n = numbered.entry(base.clone()).or_default();
                while taken.contains(&candidate) || chapter_id(&candidate) {
                    *n += 1;
                    candidate = format!("{base}-{n}");
                }
                taken.insert(candidate.clone());
                anchors
                    .by_heading
                    .insert(b as *const Block as usize, candidate.clone());
                anchors.ids.push((source, candidate));
                true
            }
            // A note inside a link's text is written as text: its headings are not in the
            // chapter.
            Node::Inline(Inline::Link(_)) => false,
            _ => true,
        });
        anchors
    }

    /// The id of the chapter's top.
    pub fn top(&self) -> Option<&str> {
        self.top.as_deref()
    }

    /// The depth of `heading` (a block of the post these anchors were made from) in the post's
    /// outline: 1 for a heading no earlier heading of a higher level encloses, one more for
    /// each that does. Levels a post skips (an `h2` then an `h4`, or a post whose sections
    /// start at `h2` or `h3`) are closed up, so the chapter's headings go down one level at a
    /// time under its `<h1>`, as screen readers' heading navigation expects (WCAG 1.3.1).
    fn depth(&self, heading: &Block) -> Option<u8> {
        self.depths
            .get(&(heading as *const Block as usize))
            .copied()
    }

    /// The id of `heading` (a block of the post these anchors were made from).
    fn of_heading(&self, heading: &Block) -> Option<&str> {
        self.by_heading
            .get(&(heading as *const Block as usize))
            .map(String::as_str)
    }

    /// The id an in-post `#fragment` link means: a heading's id, or the id of the heading
    /// whose id reads the same once case and punctuation are set aside (kramdown's ids drop
    /// leading numbers and non-ASCII letters, GitHub's and Goldmark's keep them); `#top` and
    /// `#` (when no heading is `top`) mean the chapter's top.
    pub fn find(&self, fragment: &str) -> Option<&str> {
        let fragment = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
        let found = self
            .ids
            .iter()
            .find(|(source, id)| *source == fragment || *id == fragment);
        if let Some((_, id)) = found {
            return Some(id);
        }
        if fragment.is_empty() || fragment.eq_ignore_ascii_case("top") {
            return self.top.as_deref();
        }
        let letters =
            |s: &str| -> String { slug(s).chars().filter(|c| c.is_alphanumeric()).collect() };
        let wanted = letters(&fragment);
        if wanted.is_empty() {
            return None;
        }
        self.ids
            .iter()
            .find(|(source, _)| letters(source) == wanted)
            .or_else(|| {
                self.ids
                    .iter()
                    .find(|(source, _)| letters(source).ends_with(&wanted))
            })
            .map(|(_, id)| id.as_str())
    }
}

/// `id` as a heading id: what a URL fragment cannot carry as it is (space, controls, `#`, `%`,
/// `"`, `<`, `>`, brackets, braces, `\`, `^`, `` ` ``, `|`) becomes `_`; `section` when empty.
fn html_id(id: &str) -> String {
    if id.is_empty() {
        return "section".to_string();
    }
    id.chars()
        .map(|c| {
            let unsafe_in_fragment = c.is_whitespace()
                || c.is_control()
                || matches!(
                    c,
                    '#' | '%' | '"' | '<' | '>' | '[' | ']' | '{' | '}' | '\\' | '^' | '`' | '|'
                );
            if unsafe_in_fragment {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// Whether `id` has the shape of an id the chapter gives something other than a heading:
/// footnotes (`fn-3`, `fnref-3`) and Kobo's sentence spans (`kobo.1.2`).
fn chapter_id(id: &str) -> bool {
    let numbered = |prefix: &str| {
        id.strip_prefix(prefix)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    numbered("fn-") || numbered("fnref-") || id.starts_with("kobo.")
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

/// A link target valid in an EPUB: an absolute http(s)/mailto URL, resolved against `base` when
/// relative and normalized (percent-encoded) by the `url` crate.
pub fn safe_href(href: &str, base: Option<&Url>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    // Nearly every link of a post: as the parser would write it back (see `web_url`).
    if crate::web_url::is_serialized(href) {
        return Some(href.to_string());
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
pub fn body<'a>(bs: &'a [Block], ctx: &Context<'a>, shift: u8, out: &mut String) {
    blocks(bs, ctx, shift, out);
    let notes = &ctx.found.notes;
    notes.write_each(|n, note| {
        if n == 1 {
            out.push_str(
                "<section class=\"footnotes\" epub:type=\"footnotes\" role=\"doc-endnotes\">\n",
            );
        }
        out.push_str(&format!(
            "<aside epub:type=\"footnote\" role=\"doc-footnote\" id=\"fn-{n}\">\n<p class=\"note-number\"><a href=\"#fnref-{n}\" role=\"doc-backlink\">{n}.</a></p>\n"
        ));
        blocks(note, ctx, shift, out);
        out.push_str("</aside>\n");
    });
    if !notes.is_empty() {
        out.push_str("</section>\n");
    }
}

/// Renders blocks. Headings are nested by their depth in the post ([`Anchors::depth`]) below
/// `shift` levels, because the post title is the chapter's `<h1>`.
pub fn blocks<'a>(bs: &'a [Block], ctx: &Context<'a>, shift: u8, out: &mut String) {
    for b in bs {
        block(b, ctx, shift, out);
    }
}

/// Renders one block, by kind.
fn block<'a>(b: &'a Block, ctx: &Context<'a>, shift: u8, out: &mut String) {
    match b {
        Block::Heading { level, content, .. } => {
            let id = ctx.anchors.of_heading(b);
            let depth = ctx.anchors.depth(b).unwrap_or(*level);
            heading(depth.saturating_add(shift).min(6), id, content, ctx, out)
        }
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

/// `<hN>` with the id the chapter gave the heading ([`Anchors`]), so in-post links can point
/// at it.
fn heading<'a>(
    h: u8,
    id: Option<&str>,
    content: &'a [Inline],
    ctx: &Context<'a>,
    out: &mut String,
) {
    match id {
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
fn list<'a>(
    ordered: bool,
    start: u64,
    items: &'a [Vec<Block>],
    ctx: &Context<'a>,
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
    // The highlighter copies characters through as they are, and XML cannot carry some (the
    // reader removes them from posts; a model made otherwise must not break the book).
    let text: std::borrow::Cow<str> = match crate::xml::has_forbidden(text) {
        true => text
            .chars()
            .filter(|&c| !crate::xml::is_forbidden(c))
            .collect::<String>()
            .into(),
        false => text.into(),
    };
    let highlighted = lang
        .filter(|_| ctx.highlight)
        .and_then(|l| super::highlight::highlight(&text, l));
    let html = match highlighted {
        // Without the newline that ends the last line, as the plain block.
        Some(html) => html.strip_suffix('\n').unwrap_or(&html).to_string(),
        None => {
            let mut plain = String::with_capacity(text.len());
            escape_into(&text, &mut plain);
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
fn table<'a>(t: &'a Table, ctx: &Context<'a>, shift: u8, out: &mut String) {
    let row = |cells: &'a [crate::model::Cell], tag: &str, out: &mut String| {
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

pub fn inlines<'a>(xs: &'a [Inline], ctx: &Context<'a>, out: &mut String) {
    inlines_in(xs, ctx, false, out)
}

/// `in_link`: inside an `<a>`, where another `<a>` is not allowed (a linked picture that is not
/// in the book shows only its label).
fn inlines_in<'a>(xs: &'a [Inline], ctx: &Context<'a>, in_link: bool, out: &mut String) {
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
            Inline::Math(m) if ctx.mathml => math(&m.tex, m.display, ctx, out),
            Inline::Math(m) => tex(&m.tex, out),
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
fn link<'a>(link: &'a Link, ctx: &Context<'a>, in_link: bool, out: &mut String) {
    let Link { url, content, .. } = link;
    let fragment = url.split_once('#').map(|(_, f)| f);
    let href = match (ctx.post_href)(url) {
        Some(Some((file, anchors))) => {
            let top = || match anchors.top() {
                Some(top) => format!("{file}#{top}"),
                None => file.to_string(),
            };
            match fragment.filter(|f| !f.is_empty()) {
                None => Some(top()),
                Some(f) => match anchors.find(f) {
                    Some(id) => Some(format!("{file}#{id}")),
                    None => {
                        if !in_link {
                            broken_anchor(url, "the post it links to has no such heading: it leads to that post's start", ctx);
                        }
                        Some(top())
                    }
                },
            }
        }
        // A post of the site that is in another book, or not in the run: its web page.
        Some(None) => {
            let web = link.web.as_deref().and_then(|w| safe_href(w, None));
            if !in_link {
                let what = match &web {
                    Some(w) => format!("it leads to the post's web page {w}"),
                    // No `url` in the config, or a permalink pattern naming what only the
                    // generator knows (Hexo's `:id`, Hugo's `:sections[1:]`).
                    None => "its web page is not known (no url in the site's config, or no \
                             permalink postbook can work out): its text is kept, unlinked"
                        .into(),
                };
                ctx.found.warnings.borrow_mut().push(Warning::new(
                    WarningKind::LinkOutsideBook,
                    format!("link to {url}: the post is not in this book; {what}"),
                ));
            }
            web
        }
        None => match url.strip_prefix('#') {
            Some(f) => match ctx.anchors.find(f) {
                Some(id) => Some(format!("#{id}")),
                None => {
                    let web = ctx.base.and_then(|base| {
                        let mut page = base.clone();
                        page.set_fragment(Some(f));
                        safe_href(page.as_str(), None)
                    });
                    if !in_link {
                        let what = match &web {
                            Some(_) => {
                                "the post has no such heading: it leads to the post's web page"
                            }
                            None => "the post has no such heading: its text is kept, unlinked",
                        };
                        broken_anchor(url, what, ctx);
                    }
                    web
                }
            },
            None => safe_href(url, ctx.base),
        },
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

/// A `broken-anchor` warning for a link to a fragment the book does not have.
fn broken_anchor(url: &str, what: &str, ctx: &Context) {
    ctx.found.warnings.borrow_mut().push(Warning::new(
        WarningKind::BrokenAnchor,
        format!("link to {url}: {what}"),
    ));
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
fn note<'a>(blocks: &'a [Block], ctx: &Context<'a>, in_link: bool, out: &mut String) {
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
    let n = ctx.found.notes.refer(blocks);
    out.push_str(&format!(
        "<a epub:type=\"noteref\" role=\"doc-noteref\" class=\"noteref\" id=\"fnref-{n}\" href=\"#fn-{n}\">{n}</a>"
    ));
}

/// A formula as MathML ([`super::mathml`]), its TeX kept as an annotation for readers that
/// show or speak it. A formula that does not convert is shown as its TeX in `<code>`, with a
/// warning: never lost.
fn math(tex: &str, display: bool, ctx: &Context, out: &mut String) {
    match super::mathml::render(tex, display) {
        Ok(mathml) => {
            ctx.found.math.set(true);
            out.push_str(&mathml);
        }
        Err(why) => {
            // One line, however many the formula has.
            let one_line = tex.split_whitespace().collect::<Vec<_>>().join(" ");
            ctx.found.warnings.borrow_mut().push(Warning::new(
                WarningKind::Math,
                format!("formula not converted to MathML ({why}), shown as TeX: {one_line}"),
            ));
            self::tex(tex, out);
        }
    }
}

/// A formula as its TeX.
fn tex(tex: &str, out: &mut String) {
    out.push_str("<code class=\"tex\">");
    escape_into(tex, out);
    out.push_str("</code>");
}

/// The post as paragraphs of its plain text, one per block (code blocks preformatted): the
/// last resort of a chapter that failed the gate, which keeps every word.
pub fn plain_body(bs: &[Block], out: &mut String) {
    for b in bs {
        if let Block::Code { text, .. } = b {
            out.push_str("<pre>");
            escape_into(text, out);
            out.push_str("</pre>\n");
            continue;
        }
        let mut text = String::new();
        crate::model::walk(std::slice::from_ref(b), &mut |node| {
            match node {
                Node::Block(Block::Code { text: code, .. }) => {
                    text.push(' ');
                    text.push_str(code);
                }
                Node::Block(Block::Figure(img)) => {
                    text.push(' ');
                    text.push_str(&img.alt);
                }
                Node::Block(_) => text.push(' '),
                Node::Inline(Inline::Text(t) | Inline::Code(t)) => text.push_str(t),
                Node::Inline(Inline::Math(m)) => text.push_str(&m.tex),
                Node::Inline(Inline::Image(img)) => text.push_str(&img.alt),
                Node::Inline(Inline::LineBreak | Inline::Note(_)) => text.push(' '),
                Node::Inline(_) => {}
            }
            true
        });
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            out.push_str("<p>");
            escape_into(&text, out);
            out.push_str("</p>\n");
        }
    }
}

fn wrap<'a>(tag: &str, c: &'a [Inline], ctx: &Context<'a>, in_link: bool, out: &mut String) {
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
        let doc = [
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
        ];
        let img = Image {
            src: "https://x.test/a.jpg".into(),
            alt: String::new(),
            title: None,
        };
        let linked_doc = [Inline::Link(Box::new(Link {
            url: "https://x.test/".into(),
            title: None,
            content: vec![Inline::Image(Box::new(img))],
            web: None,
        }))];
        let ctx = Context {
            image_href: &no_images,
            base: None,
            post_href: &|_| None,
            image_label: "image",
            kobo: None,
            highlight: true,
            mathml: true,
            anchors: &Anchors::default(),
            found: Found::default(),
        };
        let mut out = String::from("<div>");
        blocks(&doc, &ctx, 1, &mut out);
        out.push_str("</div>");
        roxmltree::Document::parse(&out).unwrap();
        let mut linked = String::new();
        inlines(&linked_doc, &ctx, &mut linked);
        assert_eq!(
            linked, "<a href=\"https://x.test/\">[image]</a>",
            "no <a> inside <a>"
        );
        assert!(out.contains("a &lt; b &amp; &quot;c&quot; <br />"));
    }

    /// Under the chapter's `<h1>`, headings go down one level at a time whatever levels the
    /// post used: skipped levels are closed up, and a post whose sections are `###` starts at
    /// `h2`.
    #[test]
    fn heading_levels_nest_without_gaps() {
        let heading = |level: u8, text: &str| Block::Heading {
            level,
            id: None,
            content: vec![Inline::Text(text.into())],
        };
        let doc: Vec<Block> = [
            (3, "a"),
            (5, "b"),
            (6, "c"),
            (4, "d"),
            (3, "e"),
            (1, "f"),
            (2, "g"),
        ]
        .into_iter()
        .map(|(l, t)| heading(l, t))
        .collect();
        let anchors = Anchors::of(&doc, Some("post"));
        let ctx = Context {
            image_href: &|_| None,
            base: None,
            post_href: &|_| None,
            image_label: "image",
            kobo: None,
            highlight: true,
            mathml: true,
            anchors: &anchors,
            found: Found::default(),
        };
        let mut out = String::new();
        body(&doc, &ctx, 1, &mut out);
        let levels: Vec<&str> = out.lines().map(|l| &l[1..3]).collect();
        assert_eq!(levels, ["h2", "h3", "h4", "h3", "h2", "h2", "h3"], "{out}");
    }

    /// A heading inside a footnote is written after the text but walked where the note is
    /// referenced: ids follow the headings themselves, not their order, so none drifts.
    #[test]
    fn heading_ids_stay_with_their_headings_wherever_they_are_written() {
        let heading = |text: &str| Block::Heading {
            level: 2,
            id: None,
            content: vec![Inline::Text(text.into())],
        };
        let doc = [
            Block::Paragraph(vec![
                Inline::Text("See [the note](#in-note).".into()),
                Inline::Note(vec![heading("In note")]),
                Inline::Link(Box::new(Link {
                    url: "#after".into(),
                    title: None,
                    content: vec![Inline::Note(vec![heading("In link")])],
                    web: None,
                })),
            ]),
            heading("After"),
            heading("fn-1"),
            // Kobo's sentence ids as headings' own ids, twice.
            Block::Heading {
                level: 2,
                id: Some("kobo.1.1".into()),
                content: vec![Inline::Text("Kobo".into())],
            },
            Block::Heading {
                level: 2,
                id: Some("kobo.1.1".into()),
                content: vec![Inline::Text("Kobo again".into())],
            },
            // `fn` is free the first time; numbered, it would be a note's id.
            heading("fn"),
            heading("fn"),
        ];
        let anchors = Anchors::of(&doc, Some("post"));
        let ctx = Context {
            image_href: &|_| None,
            base: None,
            post_href: &|_| None,
            image_label: "image",
            kobo: None,
            highlight: true,
            mathml: true,
            anchors: &anchors,
            found: Found::default(),
        };
        let mut out =
            String::from("<section xmlns:epub=\"http://www.idpf.org/2007/ops\" id=\"post\">");
        body(&doc, &ctx, 1, &mut out);
        out.push_str("</section>");
        crate::write::gate::check(&out).unwrap();
        let after = out.find("<h2 id=\"after\">After</h2>").expect(&out);
        let in_note = out.find("<h2 id=\"in-note\">In note</h2>").expect(&out);
        assert!(after < in_note, "{out}");
        assert!(out.contains("<h2 id=\"fn-1-1\">fn-1</h2>"), "{out}");
        assert!(out.contains("<h2 id=\"h-kobo.1.1\">Kobo</h2>"), "{out}");
        assert!(
            out.contains("<h2 id=\"h-kobo.1.1-1\">Kobo again</h2>"),
            "{out}"
        );
        assert!(out.contains("<h2 id=\"fn\">fn</h2>"), "{out}");
        assert!(out.contains("<h2 id=\"h-fn\">fn</h2>"), "{out}");
        assert!(!out.contains("in-link"), "{out}");
        assert_eq!(anchors.find("top"), Some("post"));
        assert_eq!(anchors.find("In%20note"), Some("in-note"));
        assert_eq!(anchors.find("nowhere"), None);
        assert_eq!(anchors.find("innote"), Some("in-note"));
    }

    #[test]
    fn formulas_are_mathml_or_tex_with_a_one_line_warning() {
        let math = |tex: &str, display| {
            Inline::Math(Box::new(crate::model::Math {
                display,
                tex: tex.into(),
            }))
        };
        let formulas = [
            Block::Paragraph(vec![math("N < P", true)]),
            Block::Paragraph(vec![math("\\frac{a\n<b", false)]),
        ];
        let ctx = Context {
            image_href: &|_| None,
            base: None,
            post_href: &|_| None,
            image_label: "image",
            kobo: None,
            highlight: true,
            mathml: true,
            anchors: &Anchors::default(),
            found: Found::default(),
        };
        let mut out = String::from("<div>");
        blocks(&formulas, &ctx, 1, &mut out);
        out.push_str("</div>");
        roxmltree::Document::parse(&out).unwrap();
        assert!(out.contains("<mo>&lt;</mo>"), "{out}");
        assert!(
            out.contains("<code class=\"tex\">\\frac{a\n&lt;b</code>"),
            "{out}"
        );
        assert!(ctx.found.math.get());
        let warnings = ctx.found.warnings.borrow();
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].kind, WarningKind::Math);
        assert!(
            !warnings[0].message.contains('\n'),
            "{}",
            warnings[0].message
        );
        assert!(warnings[0].message.ends_with("shown as TeX: \\frac{a <b"));
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
        let doc = [
            Block::Paragraph(vec![
                Inline::Text("中方表示欢迎。双方同意合作！".into()),
                Inline::Emph(vec![Inline::Text("One & two. Three?".into())]),
            ]),
            Block::Paragraph(vec![Inline::Text("Next".into())]),
        ];
        let ctx = Context {
            image_href: &|_| None,
            base: None,
            post_href: &|_| None,
            image_label: "image",
            kobo: Some(&kobo),
            highlight: true,
            mathml: true,
            anchors: &Anchors::default(),
            found: Found::default(),
        };
        let mut out = String::from("<div>");
        blocks(&doc, &ctx, 1, &mut out);
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
