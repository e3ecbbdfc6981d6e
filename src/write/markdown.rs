//! The Markdown writer: clean CommonMark + GFM with normalized YAML front matter.
//!
//! Output is rendered from the model only, and reading it back gives the same model (tested
//! over the whole corpus). That contract decides the details: figures are pandoc-style implicit
//! figures (a lone image whose alt text is the caption), emphasis whose delimiters CommonMark's
//! flanking rules would not recognize next to CJK punctuation is written as inline HTML, and
//! constructs GFM lacks (sub/superscript, breaks in table cells) use inline HTML tags.

use super::{Book, BookStats, Unit, Writer};
use crate::images::AssetSource;
use crate::model::{Block, Document, Image, Inline, Link, Table};
use serde_json::{Map, Value};
use std::cell::RefCell;

/// Renders posts as Markdown notes (Obsidian, Logseq, static site generators).
pub struct MarkdownWriter;

impl Writer for MarkdownWriter {
    fn name(&self) -> &'static str {
        "Markdown"
    }

    fn extension(&self) -> &'static str {
        "md"
    }

    fn unit(&self) -> Unit {
        Unit::Post
    }

    fn render_output(
        &self,
        book: &Book,
        _: &dyn AssetSource,
    ) -> anyhow::Result<(Vec<u8>, BookStats)> {
        Ok((self.render(book.post()?).into_bytes(), BookStats::default()))
    }
}

impl MarkdownWriter {
    /// Renders the whole note.
    pub fn render(&self, doc: &Document) -> String {
        let mut out = front_matter(doc);
        out.push('\n');
        let body = blocks(&doc.blocks);
        if !body.is_empty() {
            out.push_str(&body);
            out.push('\n');
        }
        out
    }
}

/// Normalized front matter: known keys first in a fixed order, then the post's other keys as
/// they were.
fn front_matter(doc: &Document) -> String {
    let m = &doc.meta;
    let mut map = Map::new();
    map.insert("title".into(), Value::String(m.title.clone()));
    if let Some(d) = &m.date {
        map.insert("date".into(), Value::String(d.to_iso()));
    }
    match m.authors.as_slice() {
        [] => {}
        [one] => {
            map.insert("author".into(), Value::String(one.clone()));
        }
        many => {
            map.insert(
                "author".into(),
                many.iter().cloned().map(Value::String).collect(),
            );
        }
    }
    if !m.categories.is_empty() {
        map.insert(
            "categories".into(),
            m.categories.iter().cloned().map(Value::String).collect(),
        );
    }
    if !m.tags.is_empty() {
        map.insert(
            "tags".into(),
            m.tags.iter().cloned().map(Value::String).collect(),
        );
    }
    if let Some(s) = &m.source {
        map.insert("source".into(), Value::String(s.clone()));
    }
    if let Some(l) = &m.lang {
        map.insert("lang".into(), Value::String(l.clone()));
    }
    // A dated post's slug is carried by its `YYYY-MM-DD-slug.md` file name.
    if let (Some(s), None) = (&m.slug, &m.date) {
        map.insert("slug".into(), Value::String(s.clone()));
    }
    for (k, v) in &m.extra {
        map.entry(k.clone()).or_insert_with(|| v.clone());
    }
    let yaml = serde_yaml_ng::to_string(&map).unwrap_or_default();
    format!("---\n{yaml}---\n")
}

thread_local! {
    /// The footnotes met while rendering one post (or one call of [`blocks`]), in order: a
    /// reference is written as `[^n]` where it stands and its definition after the post, so
    /// the writer's functions need no extra parameter for something most posts never have.
    static NOTES: RefCell<Vec<Vec<Block>>> = const { RefCell::new(Vec::new()) };
}

/// Renders blocks separated by blank lines, then the definitions of their footnotes
/// (`[^1]: …`, continuation lines indented).
pub fn blocks(bs: &[Block]) -> String {
    let outer = NOTES.with(|n| std::mem::take(&mut *n.borrow_mut()));
    let mut out = block_list(bs);
    let mut n = 0;
    while let Some(note) = NOTES.with(|notes| notes.borrow().get(n).cloned()) {
        n += 1;
        let body = block_list(&note);
        out.push_str(&format!("\n\n[^{n}]:"));
        for (i, line) in body.split('\n').enumerate() {
            match (i, line.is_empty()) {
                (0, _) => out.push(' '),
                (_, true) => out.push('\n'),
                (_, false) => out.push_str("\n    "),
            }
            out.push_str(line);
        }
    }
    NOTES.with(|n| *n.borrow_mut() = outer);
    out
}

/// Renders blocks separated by blank lines.
fn block_list(bs: &[Block]) -> String {
    let mut parts: Vec<String> = Vec::with_capacity(bs.len());
    let mut prev_list = false;
    for b in bs {
        let is_list = matches!(b, Block::List { .. });
        if is_list && prev_list {
            // Two lists in a row would merge into one; a comment keeps them apart.
            parts.push("<!-- -->".into());
        }
        prev_list = is_list;
        parts.push(block(b));
    }
    parts.join("\n\n")
}

fn block(b: &Block) -> String {
    match b {
        Block::Heading { level, id, content } => {
            let mut out = format!(
                "{} {}",
                "#".repeat(*level as usize),
                inlines(content, Ctx::Heading)
            );
            if let Some(id) = id {
                out.push_str(&format!(" {{#{id}}}"));
            }
            out
        }
        // A formula standing alone is display math, `$$` on lines of their own.
        Block::Paragraph(content) => match content.as_slice() {
            [Inline::Math(m)] if m.display => format!("$$\n{}\n$$", m.tex),
            _ => inlines(content, Ctx::Block),
        },
        Block::List {
            ordered,
            start,
            items,
        } => {
            let mut out = String::new();
            for (i, item) in items.iter().enumerate() {
                let marker = if *ordered {
                    format!("{}. ", start + i as u64)
                } else {
                    "- ".to_string()
                };
                let body = block_list(item);
                let indent = " ".repeat(marker.len());
                if i > 0 {
                    out.push('\n');
                }
                out.push_str(marker.trim_end());
                for (j, line) in body.lines().enumerate() {
                    if j == 0 {
                        out.push(' ');
                        out.push_str(line);
                    } else if line.is_empty() {
                        out.push('\n');
                    } else {
                        out.push('\n');
                        out.push_str(&indent);
                        out.push_str(line);
                    }
                }
                // A list item whose content has blank lines (several blocks) needs a blank line
                // before the next item too, or readers may see a lazy continuation.
                if item.len() > 1 && i + 1 < items.len() {
                    out.push('\n');
                }
            }
            out
        }
        Block::Quote(inner) => block_list(inner)
            .lines()
            .map(|l| {
                if l.is_empty() {
                    ">".to_string()
                } else {
                    format!("> {l}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Block::Code {
            lang,
            text,
            first_line,
        } => {
            let fence_len = longest_run(text, '`').max(2) + 1;
            let fence = "`".repeat(fence_len);
            // Hugo's fence attributes, which Goldmark sites and postbook read back; note apps
            // take the info string's first word as the language and ignore the rest.
            let numbers = match first_line {
                Some(1) => " {linenos=true}".to_string(),
                Some(n) => format!(" {{linenos=true,linenostart={n}}}"),
                None => String::new(),
            };
            let lang = lang
                .as_deref()
                .unwrap_or(if numbers.is_empty() { "" } else { "text" });
            format!("{fence}{lang}{numbers}\n{text}\n{fence}")
        }
        Block::Figure(img) => image(img),
        Block::Table(t) => table(t),
        Block::Rule => "---".into(),
    }
}

fn table(t: &Table) -> String {
    let width = t.header.as_ref().or(t.rows.first()).map_or(0, Vec::len);
    let row = |cells: &[Vec<Inline>]| {
        let cells: Vec<String> = cells.iter().map(|c| inlines(c, Ctx::Cell)).collect();
        format!("| {} |", cells.join(" | "))
    };
    let mut lines = Vec::with_capacity(t.rows.len() + 2);
    lines.push(match &t.header {
        Some(h) => row(h),
        None => format!("|{}", "  |".repeat(width)),
    });
    lines.push(format!("|{}", " --- |".repeat(width)));
    lines.extend(t.rows.iter().map(|r| row(r)));
    lines.join("\n")
}

/// Where inline content sits, which decides what must be escaped.
#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Block,
    Heading,
    Cell,
}

fn inlines(xs: &[Inline], ctx: Ctx) -> String {
    let mut out = String::new();
    for (i, x) in xs.iter().enumerate() {
        inline(x, xs.get(i + 1), ctx, &mut out);
    }
    if ctx != Ctx::Cell {
        escape_line_starts(&out)
    } else {
        out
    }
}

fn inline(x: &Inline, next: Option<&Inline>, ctx: Ctx, out: &mut String) {
    match x {
        Inline::Text(t) => escape_text(t, ctx, out),
        Inline::Emph(c) => wrapped(c, "*", "em", next, ctx, out),
        Inline::Strong(c) => wrapped(c, "**", "strong", next, ctx, out),
        Inline::Strike(c) => wrapped(c, "~~", "del", next, ctx, out),
        Inline::Sub(c) => html_wrapped(c, "sub", ctx, out),
        Inline::Sup(c) => html_wrapped(c, "sup", ctx, out),
        Inline::Code(code) => {
            let ticks = "`".repeat(longest_run(code, '`') + 1);
            let code = if ctx == Ctx::Cell {
                code.replace('|', "\\|")
            } else {
                code.clone()
            };
            // CommonMark strips one space from each side of a code span padded on both sides.
            let pad = code.starts_with(['`', ' ']) || code.ends_with(['`', ' ']);
            let sp = if pad { " " } else { "" };
            out.push_str(&format!("{ticks}{sp}{code}{sp}{ticks}"));
        }
        Inline::Link(link) => {
            let Link {
                url,
                title,
                content,
            } = link.as_ref();
            out.push('[');
            for (i, c) in content.iter().enumerate() {
                inline(c, content.get(i + 1), ctx, out);
            }
            out.push_str("](");
            out.push_str(&destination(url));
            if let Some(t) = title {
                out.push_str(&format!(
                    " \"{}\"",
                    t.replace('\\', "\\\\").replace('"', "\\\"")
                ));
            }
            out.push(')');
        }
        Inline::Image(img) => out.push_str(&image(img)),
        Inline::LineBreak => out.push_str(if ctx == Ctx::Block { "\\\n" } else { "<br />" }),
        Inline::Math(m) => out.push_str(&math(&m.tex, m.display, next)),
        Inline::Note(blocks) => {
            let n = NOTES.with(|notes| {
                let mut notes = notes.borrow_mut();
                notes.push(blocks.clone());
                notes.len()
            });
            out.push_str(&format!("[^{n}]"));
        }
        Inline::Check(done) => out.push_str(if *done { "[x]" } else { "[ ]" }),
    }
}

/// A formula in a line: `$tex$` where the reader's rules (pandoc's) take it back as it is,
/// else `$$tex$$` (inline math inside a paragraph, kramdown's rule); display math inside a
/// paragraph is `\[tex\]`. The TeX is never escaped: note apps render it as written.
fn math(tex: &str, display: bool, next: Option<&Inline>) -> String {
    if display {
        return format!("\\[{tex}\\]");
    }
    let next_is_digit = next
        .and_then(|n| first_char(std::slice::from_ref(n)))
        .is_some_and(|c| c.is_ascii_digit());
    let plain = !tex.starts_with(char::is_whitespace)
        && !tex.ends_with(char::is_whitespace)
        && !tex.contains('$')
        && !next_is_digit;
    match plain {
        true => format!("${tex}$"),
        false => format!("$${tex}$$"),
    }
}

fn image(img: &Image) -> String {
    let mut alt = String::new();
    escape_text(&img.alt, Ctx::Block, &mut alt);
    let title = img
        .title
        .as_ref()
        .map(|t| format!(" \"{}\"", t.replace('\\', "\\\\").replace('"', "\\\"")))
        .unwrap_or_default();
    format!("![{alt}]({}{title})", destination(&img.src))
}

/// A link destination; angle brackets when it has spaces or parentheses.
fn destination(url: &str) -> String {
    // `\` is escaped, and `&` where it would start a character reference (`&amp;` in a scraped
    // URL stays literal); `?a=1&b=2` is written as it is.
    let mut escaped = String::with_capacity(url.len());
    for (i, c) in url.char_indices() {
        if c == '\\' || c == '&' && starts_reference(&url[i + 1..]) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    let url = escaped;
    if url.is_empty() {
        "<>".into()
    } else if url.contains([' ', '(', ')', '<', '>', '\n']) || url.starts_with('<') {
        format!(
            "<{}>",
            url.replace('<', "%3C")
                .replace('>', "%3E")
                .replace('\n', "%0A")
        )
    } else {
        url
    }
}

/// Whether text after a `&` would make it a character reference (`amp;`, `#38;`, `#x26;`):
/// only then does the `&` need escaping (CommonMark decodes valid ones; any such name is
/// escaped, which is harmless).
fn starts_reference(after: &str) -> bool {
    let body = after.strip_prefix('#').unwrap_or(after);
    let name = body.bytes().take_while(u8::is_ascii_alphanumeric).count();
    name > 0 && name <= 32 && body.as_bytes().get(name) == Some(&b';')
}

/// Emphasis-like wrappers. CommonMark only recognizes `*`/`~~` delimiters that are "flanking";
/// next to punctuation (`**“引用”**后`) they are not, so the HTML tag is used instead.
fn wrapped(
    c: &[Inline],
    delim: &str,
    tag: &str,
    next: Option<&Inline>,
    ctx: Ctx,
    out: &mut String,
) {
    let before = out.chars().next_back();
    let first = first_char(c);
    let last = last_char(c);
    let after = next.and_then(|n| first_char(std::slice::from_ref(n)));
    let punct = |c: char| !c.is_alphanumeric() && !c.is_whitespace();
    // Unicode whitespace (no-break spaces too) never sits inside a delimiter run.
    let opens = first.is_some_and(|f| {
        !f.is_whitespace() && (!punct(f) || before.is_none_or(|b| b.is_whitespace() || punct(b)))
    });
    let closes = last.is_some_and(|l| {
        !l.is_whitespace() && (!punct(l) || after.is_none_or(|a| a.is_whitespace() || punct(a)))
    });
    // Delimiter runs must not touch another `*`/`~` (nested emphasis at the edge) either.
    let clash = |c: Option<char>| c.is_some_and(|c| c == '*' || c == '~');
    if opens && closes && !clash(before) && !clash(first) && !clash(last) && !clash(after) {
        out.push_str(delim);
        for (i, x) in c.iter().enumerate() {
            inline(x, c.get(i + 1), ctx, out);
        }
        out.push_str(delim);
    } else {
        html_wrapped(c, tag, ctx, out);
    }
}

fn html_wrapped(c: &[Inline], tag: &str, ctx: Ctx, out: &mut String) {
    out.push_str(&format!("<{tag}>"));
    for (i, x) in c.iter().enumerate() {
        inline(x, c.get(i + 1), ctx, out);
    }
    out.push_str(&format!("</{tag}>"));
}

/// The first character a reader of the Markdown source would see for these inlines.
fn first_char(xs: &[Inline]) -> Option<char> {
    match xs.first()? {
        Inline::Text(t) => t.chars().next(),
        Inline::Emph(_) | Inline::Strong(_) => Some('*'),
        Inline::Strike(_) => Some('~'),
        Inline::Sub(_) | Inline::Sup(_) => Some('<'),
        Inline::Code(_) => Some('`'),
        Inline::Link(_) | Inline::Note(_) | Inline::Check(_) => Some('['),
        Inline::Image(_) => Some('!'),
        Inline::LineBreak => Some('\n'),
        Inline::Math(_) => Some('$'),
    }
}

fn last_char(xs: &[Inline]) -> Option<char> {
    match xs.last()? {
        Inline::Text(t) => t.chars().next_back(),
        Inline::Emph(_) | Inline::Strong(_) => Some('*'),
        Inline::Strike(_) => Some('~'),
        Inline::Sub(_) | Inline::Sup(_) => Some('>'),
        Inline::Code(_) => Some('`'),
        Inline::Link(_) | Inline::Image(_) => Some(')'),
        Inline::Note(_) | Inline::Check(_) => Some(']'),
        Inline::LineBreak => Some('\n'),
        Inline::Math(_) => Some('$'),
    }
}

/// Escapes the characters that would otherwise start Markdown syntax.
fn escape_text(t: &str, ctx: Ctx, out: &mut String) {
    // Copied in runs between the characters to escape, which are all ASCII.
    let bytes = t.as_bytes();
    // `\[…\]` around TeX-looking text would read as display math (see read::math): such a
    // run writes `[` as a character reference instead.
    let tex_like = bytes.contains(&b'[') && bytes.iter().any(|b| matches!(b, b'^' | b'=' | b'{'));
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| bytes[p]);
        let next = bytes.get(i + 1).copied();
        // After a backslash, which is itself escaped, a bracket would still read as `\(` or
        // `\[` math: it is written as a character reference instead.
        // So is `{` in a heading, which would read as `{#id}` attributes there.
        if prev == Some(b'\\') && matches!(b, b'(' | b')' | b'[' | b']')
            || b == b'{' && ctx == Ctx::Heading
            || b == b'[' && tex_like
        {
            out.push_str(&t[start..i]);
            out.push_str(&format!("&#{};", b));
            start = i + 1;
            continue;
        }
        let escape = match b {
            b'\\' | b'`' | b'*' | b'_' | b'[' | b']' | b'<' | b'>' | b'~' | b'!' => true,
            b'&' => starts_reference(&t[i + 1..]),
            b'|' => ctx == Ctx::Cell,
            b'#' => ctx == Ctx::Heading,
            // A `$` that could close a formula (after a non-space, not before a digit) or
            // be part of `$$`; `$5` alone opens nothing without a closing `$` (see read::math).
            b'$' => {
                prev.is_none_or(|p| !p.is_ascii_whitespace())
                    && !next.is_some_and(|n| n.is_ascii_digit())
                    || next == Some(b'$')
                    || prev == Some(b'$')
            }
            _ => false,
        };
        if escape {
            out.push_str(&t[start..i]);
            out.push('\\');
            start = i;
        }
    }
    out.push_str(&t[start..]);
}

/// Escapes what would turn a line into a heading, list, quote, rule or fence.
fn escape_line_starts(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let needs = match line.chars().next() {
            Some('#' | '+' | '-' | '=' | '|') => true,
            Some(c) if c.is_ascii_digit() => {
                let rest = line.trim_start_matches(|c: char| c.is_ascii_digit());
                line.len() - rest.len() <= 9 && (rest.starts_with('.') || rest.starts_with(')'))
            }
            _ => false,
        };
        if needs {
            let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            out.push_str(&line[..digits]);
            out.push('\\');
            out.push_str(&line[digits..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

fn longest_run(s: &str, ch: char) -> usize {
    let mut best = 0;
    let mut cur = 0;
    for c in s.chars() {
        if c == ch {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::markdown::read_markdown;

    fn roundtrip(bs: Vec<Block>) {
        let md = blocks(&bs);
        let back = read_markdown(&md, &mut Vec::new());
        assert_eq!(back, bs, "markdown was:\n{md}");
    }

    fn t(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn escapes_survive_roundtrip() {
        roundtrip(vec![
            Block::Paragraph(vec![t("1. not a list * _ [x] <b> & ~~ `tick` | # \\ !")]),
            Block::Paragraph(vec![
                t("# not heading"),
                Inline::LineBreak,
                t("- not item"),
                Inline::LineBreak,
                t("2023) x"),
            ]),
            Block::Heading {
                level: 2,
                id: None,
                content: vec![t("a # b {c} [x^2]")],
            },
        ]);
    }

    #[test]
    fn cjk_emphasis_next_to_punctuation_roundtrips() {
        roundtrip(vec![Block::Paragraph(vec![
            t("他说"),
            Inline::Strong(vec![t("“重要”")]),
            t("后来"),
            Inline::Emph(vec![t("强调")]),
            t("。"),
            Inline::Strike(vec![t("删")]),
        ])]);
    }

    #[test]
    fn structures_roundtrip() {
        roundtrip(vec![
            Block::List {
                ordered: true,
                start: 3,
                items: vec![
                    vec![
                        Block::Paragraph(vec![t("a")]),
                        Block::List {
                            ordered: false,
                            start: 1,
                            items: vec![vec![Block::Paragraph(vec![t("b")])]],
                        },
                    ],
                    vec![
                        Block::Paragraph(vec![t("c")]),
                        Block::Paragraph(vec![t("d")]),
                    ],
                ],
            },
            Block::List {
                ordered: false,
                start: 1,
                items: vec![vec![Block::Paragraph(vec![t("other list")])]],
            },
            Block::Quote(vec![
                Block::Paragraph(vec![t("q")]),
                Block::Code {
                    lang: Some("rust".into()),
                    text: "```\nfn x() {}".into(),
                    first_line: None,
                },
            ]),
            Block::Figure(Box::new(Image {
                src: "https://x.test/a%20b(1).jpg".into(),
                alt: "说明".into(),
                title: Some("t".into()),
            })),
            Block::Table(Table {
                header: None,
                rows: vec![
                    vec![vec![t("a|b")], vec![Inline::Code("x|y".into())]],
                    vec![vec![t("c"), Inline::LineBreak, t("d")], vec![]],
                ],
            }),
            Block::Rule,
            Block::Paragraph(vec![
                Inline::Link(Box::new(Link {
                    url: "https://x.test/(1)?a=1&amp;b=2".into(),
                    title: Some("say \"hi\"".into()),
                    content: vec![t("link")],
                })),
                t(" "),
                Inline::Code(" `a` ".into()),
                t(" H"),
                Inline::Sub(vec![t("2")]),
                t("O"),
            ]),
        ]);
    }
}
