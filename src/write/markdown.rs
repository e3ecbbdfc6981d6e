//! The Markdown writer: clean CommonMark + GFM with normalized YAML front matter.
//!
//! Output is rendered from the model only, and reading it back gives the same model (tested
//! over the whole corpus). That contract decides the details: figures are pandoc-style implicit
//! figures (a lone image whose alt text is the caption), emphasis whose delimiters CommonMark's
//! flanking rules would not recognize next to CJK punctuation is written as inline HTML, and
//! constructs GFM lacks (sub/superscript, breaks in table cells) use inline HTML tags.

use super::grid::Flattening;
use super::{Footnotes, NoteWriter};
use crate::inline::normalize;
use crate::model::{
    note_tag, walk_mut, Block, Document, Image, Inline, Link, Table, VisitMut, ORIGINAL_TAGS,
};
use crate::options::{LinkStyle, NoteOptions, NoteStyle};
use serde_json::{Map, Value};

/// Renders posts as Markdown notes (Obsidian, Logseq, static site generators).
#[derive(Debug, Clone, Copy, Default)]
pub struct MarkdownWriter {
    /// YAML front matter, or Logseq page properties (`--notes`).
    pub style: NoteStyle,
    /// How links to other notes and saved pictures are written.
    pub links: NoteLinks,
}

/// How a note refers to another note and to a picture saved beside it. The references are
/// the ones [`crate::relink::for_note`] pointed at the other note's file (a relative path to a
/// `.md` file) and at the saved picture (a relative path): the writer only changes their
/// syntax, and a note app finds the file by its name ([`crate::options::NoteOptions::unique_names`]
/// makes note names unique in the vault; saved pictures are named after their content).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NoteLinks {
    /// `[text](../other.md)`, `![alt](assets/x.png)`.
    #[default]
    Markdown,
    /// Obsidian: `[[other|text]]`; with `pictures` (`--images embed`: every relative picture
    /// is a saved one), `![[x.png]]`.
    Wikilinks { pictures: bool },
    /// Logseq page references: `[text]([[other]])`; pictures stay Markdown images, as Logseq
    /// writes them (`![alt](../assets/x.png)`).
    Logseq,
}

impl MarkdownWriter {
    /// The writer `--notes` and `--links` ask for; `embed`: pictures are saved beside the
    /// notes (`--images embed`).
    pub fn for_notes(notes: &NoteOptions, embed: bool) -> MarkdownWriter {
        let links = match (notes.style, notes.links) {
            (NoteStyle::Logseq, _) => NoteLinks::Logseq,
            (NoteStyle::FrontMatter, LinkStyle::Wikilinks) => {
                NoteLinks::Wikilinks { pictures: embed }
            }
            (NoteStyle::FrontMatter, LinkStyle::Markdown) => NoteLinks::Markdown,
        };
        MarkdownWriter {
            style: notes.style,
            links,
        }
    }
}

impl NoteWriter for MarkdownWriter {
    const NAME: &'static str = "Markdown";
    const EXTENSION: &'static str = "md";

    fn render(&self, doc: &Document) -> String {
        let mut out = match self.style {
            NoteStyle::FrontMatter => front_matter(doc),
            NoteStyle::Logseq => logseq_properties(doc),
        };
        out.push('\n');
        let body = Render {
            links: self.links,
            ..Render::default()
        }
        .blocks(&doc.blocks);
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
    let yaml = serde_yaml_ng::to_string(&metadata(doc)).unwrap_or_default();
    format!("---\n{yaml}---\n")
}

/// A Logseq page's properties, `key:: value` lines on top of the page (Logseq reads no YAML
/// front matter): the same keys as [`front_matter`], lists as comma lists (how Logseq writes
/// `tags::` and `alias::`; tags are note tags, which hold no comma), other values on one line
/// (a line break in a value would end the property: it becomes a space), maps and nested lists
/// as JSON.
fn logseq_properties(doc: &Document) -> String {
    let one_line = |s: &str| s.split(['\r', '\n']).collect::<Vec<_>>().join(" ");
    let value = |v: &Value| match v {
        Value::String(s) => one_line(s),
        Value::Null => String::new(),
        other => one_line(&other.to_string()),
    };
    let mut out = String::new();
    for (key, v) in metadata(doc) {
        let text = match &v {
            Value::String(s) if key == "title" && s.trim().is_empty() => continue,
            Value::Array(items) if items.iter().all(|i| !i.is_array() && !i.is_object()) => items
                .iter()
                .map(value)
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
            v => value(v),
        };
        out.push_str(&format!("{key}:: {text}\n"));
    }
    out
}

/// A note's metadata, in order: known keys first in a fixed order, then the post's other
/// keys as they were.
fn metadata(doc: &Document) -> Map<String, Value> {
    let m = &doc.meta;
    let mut map = Map::new();
    map.insert("title".into(), Value::String(m.title.clone()));
    if let Some(d) = &m.date {
        map.insert("date".into(), Value::String(d.to_iso()));
    }
    if let Some(d) = m.updated {
        map.insert("updated".into(), Value::String(d.to_iso()));
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
            // A hierarchical category as the list of its levels (`[前端, CSS]`), which
            // postbook and Hexo read back as one path.
            m.categories
                .iter()
                .map(|c| match c.contains(crate::model::CATEGORY_LEVELS) {
                    true => crate::model::category_levels(c)
                        .map(|l| Value::String(l.to_string()))
                        .collect(),
                    false => Value::String(c.clone()),
                })
                .collect(),
        );
    }
    // Tags as note apps accept them; the post's own names too, when any differs (they are
    // what postbook reads back, see `read::front_matter`).
    let mut tags: Vec<String> = Vec::with_capacity(m.tags.len());
    for tag in m.tags.iter().map(|t| note_tag(t)) {
        if !tag.is_empty() && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if !tags.is_empty() {
        map.insert(
            "tags".into(),
            tags.iter().cloned().map(Value::String).collect(),
        );
    }
    if tags != m.tags {
        map.insert(
            ORIGINAL_TAGS.into(),
            m.tags.iter().cloned().map(Value::String).collect(),
        );
    }
    if let Some(s) = &m.source {
        map.insert("source".into(), Value::String(s.clone()));
    }
    // The post's language, else its edition's on a multilingual site.
    if let Some(l) = m.lang.as_ref().or(m.site_language.as_ref()) {
        map.insert("lang".into(), Value::String(l.clone()));
    }
    // A dated post's slug is carried by its `YYYY-MM-DD-slug.md` file name.
    if let (Some(s), None) = (&m.slug, &m.date) {
        map.insert("slug".into(), Value::String(s.clone()));
    }
    for (k, v) in &m.extra {
        map.entry(k.clone()).or_insert_with(|| v.clone());
    }
    map
}

/// A file stem a note app keeps as it is and can name in a link, for notes named by their
/// file name alone (wikilinks, Logseq page references). Obsidian ends a link target at `#`,
/// `^` and `|` and cannot hold brackets in one; Logseq (`:file/name-format :triple-lowbar`, the
/// default since 0.8.9) reads `___` in a file name as `/` (a namespace) and `%` as the start of
/// a percent-escape, and cannot write a page name with `[`, `]` or `,` in a page reference or
/// an `alias::` list. [`crate::output::safe_file_stem`] has already replaced
/// `/ \ : * ? " < > | # %`; this replaces the rest with `-` and shortens `___`.
pub fn vault_file_stem(stem: &str) -> String {
    let mut out = String::with_capacity(stem.len());
    for c in stem.chars() {
        let c = match c {
            '[' | ']' | ',' | '{' | '}' | '^' | '|' | '%' | '#' | '/' | '\\' | ':' | '?' => '-',
            c => c,
        };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    while out.contains("___") {
        out = out.replace("___", "_");
    }
    let out = out.trim_matches('-');
    if out.is_empty() {
        "page".to_string()
    } else {
        out.to_string()
    }
}

/// The state of rendering one post (or one call of [`blocks`]): what the writer carries from
/// one piece of the post to a later one. One is made per call, so nothing outlives it.
#[derive(Default)]
struct Render {
    /// The footnotes met so far, in order: a reference is written as `[^n]` where it stands
    /// and its definition after the post.
    notes: Footnotes<Vec<Block>>,
    /// Whether the text being written is a link's text or an image's alt (see
    /// [`brackets_to_escape`]).
    in_link: bool,
    /// Whether the next text's first character must be a character reference (see
    /// [`Render::wrapped`]).
    reference_next: bool,
    /// How links to other notes and saved pictures are written.
    links: NoteLinks,
}

/// Renders blocks separated by blank lines, then the definitions of their footnotes
/// (`[^1]: …`, continuation lines indented).
pub fn blocks(bs: &[Block]) -> String {
    Render::default().blocks(bs)
}

impl Render {
    fn blocks(&mut self, bs: &[Block]) -> String {
        let bs = prepare(bs);
        let mut out = self.block_list(&bs);
        let mut n = 1;
        // Not `write_each`: writing a note needs `&mut self`.
        while let Some(note) = self.notes.get(n) {
            let body = self.block_list(&note);
            out.push_str(&format!("\n\n[^{n}]:"));
            for (i, line) in body.split('\n').enumerate() {
                match (i, line.is_empty()) {
                    (0, _) => out.push(' '),
                    (_, true) => out.push('\n'),
                    (_, false) => out.push_str("\n    "),
                }
                out.push_str(line);
            }
            n += 1;
        }
        out
    }
}

/// The blocks as a note holds them, which is what reading the note back gives: the few
/// things CommonMark cannot say are said the nearest way it can. Sub- and superscripts become
/// Unicode letters or `^(…)` (see [`script`]); emphasis inside emphasis of the same kind is
/// one emphasis, and bold italics are emphasis of strong emphasis; punctuation at the inner edge of emphasis moves out where the delimiters
/// would not be recognized next to it (`**“引用”**后` → `“**引用**”后`; CJK text has no spaces
/// to put between them); a line break in a table cell is a space (GFM cells are one line), and
/// tables with spanning cells or blocks in cells are laid out on a plain grid
/// ([`super::grid`]).
/// Everything else is rendered exactly.
pub fn prepare(bs: &[Block]) -> Vec<Block> {
    struct Prepare;
    impl VisitMut for Prepare {
        fn blocks(&mut self, blocks: &mut Vec<Block>) {
            for b in blocks {
                if let Block::Table(t) = b {
                    if Flattening::of(t) != Flattening::default() {
                        *t = super::grid::flatten(t);
                    }
                    for cell in t.header.iter_mut().chain(t.rows.iter_mut()).flatten() {
                        if let [Block::Paragraph(content)] = cell.blocks.as_mut_slice() {
                            breaks_to_spaces(content);
                        }
                    }
                }
            }
        }
        fn inlines(&mut self, xs: &mut Vec<Inline>) {
            // The model's inlines are canonical (`inline::normalize`) and most lists need none
            // of these rewrites: those are left as they are rather than normalized again (the
            // writer's largest cost when it did).
            let mut changed = false;
            let mut out = Vec::with_capacity(xs.len());
            for x in std::mem::take(xs) {
                match x {
                    Inline::Sub(_) | Inline::Sup(_) => {
                        changed = true;
                        out.extend(script(&x))
                    }
                    Inline::Emph(c) => {
                        out.push(Inline::Emph(unnest(c, &mut changed, &|x| match x {
                            Inline::Emph(c) => Some(c),
                            _ => None,
                        })))
                    }
                    Inline::Strong(c) => {
                        let c = unnest(c, &mut changed, &|x| match x {
                            Inline::Strong(c) => Some(c),
                            _ => None,
                        });
                        // Bold italics are one thing: written `***x***`, read as em(strong).
                        out.push(match <[Inline; 1]>::try_from(c) {
                            Ok([Inline::Emph(inner)]) => {
                                changed = true;
                                Inline::Emph(vec![Inline::Strong(inner)])
                            }
                            Ok([x]) => Inline::Strong(vec![x]),
                            Err(c) => Inline::Strong(c),
                        })
                    }
                    Inline::Strike(c) => {
                        out.push(Inline::Strike(unnest(c, &mut changed, &|x| match x {
                            Inline::Strike(c) => Some(c),
                            _ => None,
                        })))
                    }
                    x => out.push(x),
                }
            }
            // Model transforms after reading (links made plain, pictures removed) may have left
            // texts side by side.
            changed |= !looks_canonical(&out);
            if changed {
                out = normalize(out);
            }
            if move_edge_punctuation(&mut out) || changed {
                out = normalize(out);
            }
            *xs = out;
        }
    }
    let mut bs = bs.to_vec();
    walk_mut(&mut bs, &mut Prepare);
    bs
}

/// The content of an emphasis with emphasis of the same kind (`kind` gives its content)
/// inside it, at any depth, replaced by its content; `changed` is set when there was any.
fn unnest(
    xs: Vec<Inline>,
    changed: &mut bool,
    kind: &dyn Fn(&mut Inline) -> Option<&mut Vec<Inline>>,
) -> Vec<Inline> {
    fn nests(xs: &mut [Inline], kind: &dyn Fn(&mut Inline) -> Option<&mut Vec<Inline>>) -> bool {
        xs.iter_mut().any(|x| {
            kind(x).is_some()
                || match x {
                    Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) => nests(c, kind),
                    Inline::Link(l) => nests(&mut l.content, kind),
                    _ => false,
                }
        })
    }
    let mut xs = xs;
    if !nests(&mut xs, kind) {
        return xs;
    }
    *changed = true;
    unnest_all(xs, kind)
}

fn unnest_all(
    xs: Vec<Inline>,
    kind: &dyn Fn(&mut Inline) -> Option<&mut Vec<Inline>>,
) -> Vec<Inline> {
    let mut out = Vec::with_capacity(xs.len());
    for mut x in xs {
        if let Some(inner) = kind(&mut x) {
            out.extend(unnest_all(std::mem::take(inner), kind));
            continue;
        }
        if let Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) = &mut x {
            *c = unnest_all(std::mem::take(c), kind);
        } else if let Inline::Link(l) = &mut x {
            l.content = unnest_all(std::mem::take(&mut l.content), kind);
        }
        out.push(x);
    }
    normalize(out)
}

/// Whether inlines show none of what model transforms leave behind: texts side by side, empty
/// texts or wrappers. (The rest of canonical form holds from the reader on.)
fn looks_canonical(xs: &[Inline]) -> bool {
    let empty = |x: &Inline| match x {
        Inline::Text(t) => t.is_empty(),
        Inline::Emph(c)
        | Inline::Strong(c)
        | Inline::Strike(c)
        | Inline::Sub(c)
        | Inline::Sup(c) => c.is_empty(),
        _ => false,
    };
    !xs.iter().any(empty)
        && !xs
            .windows(2)
            .any(|w| matches!(w, [Inline::Text(_), Inline::Text(_)]))
}

/// Moves what keeps emphasis delimiters from being recognized (CommonMark's flanking rules)
/// out of the emphasis, as long as something is left inside: spaces at its inner edges (no-break
/// and ideographic ones; the reader has moved ASCII ones out already), and punctuation at an
/// edge with a letter outside it. An emphasized link becomes a link of emphasized text.
/// Emphasis of punctuation alone between letters (a bold `、`
/// between two names) is plain text: it could only be written with character references, and
/// a bold comma hardly shows.
fn move_edge_punctuation(xs: &mut Vec<Inline>) -> bool {
    let mut moved = false;
    let punct = |c: char| !c.is_alphanumeric() && !c.is_whitespace();
    let letter = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    let mut i = 0;
    while i < xs.len() {
        let before = i.checked_sub(1).and_then(|p| last_char(&xs[p..=p]));
        let after = xs
            .get(i + 1)
            .and_then(|n| first_char(std::slice::from_ref(n)));
        // Spaces go out only between siblings: at the ends of a paragraph or link, or next to
        // a line break, they are trimmed.
        let sibling = |j: Option<usize>| {
            j.and_then(|j| xs.get(j))
                .is_some_and(|x| !matches!(x, Inline::LineBreak))
        };
        let (lead_space, trail_space) = (sibling(i.checked_sub(1)), sibling(Some(i + 1)));
        let (Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c)) = &mut xs[i] else {
            i += 1;
            continue;
        };
        if let [Inline::Text(t)] = c.as_slice() {
            if (letter(before) || letter(after))
                && t.chars().any(punct)
                && t.chars().all(|c| !c.is_alphanumeric())
            {
                xs[i] = Inline::Text(t.clone());
                moved = true;
                i += 1;
                continue;
            }
        }
        // A link emphasized as a whole is written as a link of emphasized text, inside
        // brackets that the delimiters flank (`看[**链接**](u)吧`).
        if let [Inline::Link(_)] = c.as_slice() {
            if letter(before) || letter(after) {
                let Some(Inline::Link(mut link)) = c.pop() else {
                    unreachable!()
                };
                let content = std::mem::take(&mut link.content);
                let mut wrapper = std::mem::replace(&mut xs[i], Inline::LineBreak);
                if let Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) = &mut wrapper {
                    *c = content;
                }
                link.content = vec![wrapper];
                xs[i] = Inline::Link(link);
                moved = true;
                i += 1;
                continue;
            }
        }
        let (lead_letter, trail_letter) = (letter(before), letter(after));
        let several = c.len() > 1;
        let mut lead = String::new();
        if let Some(Inline::Text(t)) = c.first_mut() {
            let rest = t.trim_start_matches(|c: char| {
                c.is_whitespace() && lead_space || lead_letter && punct(c)
            });
            let n = t.len() - rest.len();
            if n > 0 && (n < t.len() || several) {
                lead = t[..n].to_string();
                t.replace_range(..n, "");
                if t.is_empty() {
                    c.remove(0);
                }
            }
        }
        let several = c.len() > 1;
        let mut trail = String::new();
        if let Some(Inline::Text(t)) = c.last_mut() {
            let keep = t
                .trim_end_matches(|c: char| {
                    c.is_whitespace() && trail_space || trail_letter && punct(c)
                })
                .len();
            if keep < t.len() && (keep > 0 || several) {
                trail = t[keep..].to_string();
                t.truncate(keep);
                if t.is_empty() {
                    c.pop();
                }
            }
        }
        moved |= !(lead.is_empty() && trail.is_empty());
        if !trail.is_empty() {
            xs.insert(i + 1, Inline::Text(trail));
        }
        if !lead.is_empty() {
            xs.insert(i, Inline::Text(lead));
            i += 1;
        }
        i += 1;
    }
    moved
}

/// Line breaks in a table cell, at any depth, as spaces.
fn breaks_to_spaces(xs: &mut Vec<Inline>) {
    if !xs.iter().any(|x| !matches!(x, Inline::Text(_))) {
        return;
    }
    for x in xs.iter_mut() {
        match x {
            Inline::LineBreak => *x = Inline::Text(" ".into()),
            Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) => breaks_to_spaces(c),
            Inline::Link(l) => breaks_to_spaces(&mut l.content),
            _ => {}
        }
    }
    *xs = normalize(std::mem::take(xs));
}

/// Where inline content sits, which decides what must be escaped.
#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Block,
    Heading,
    Cell,
}

impl Render {
    /// Renders blocks separated by blank lines.
    fn block_list(&mut self, bs: &[Block]) -> String {
        self.joined(bs, "\n\n")
    }

    /// Renders blocks separated by `sep` (a newline in the items of tight lists).
    fn joined(&mut self, bs: &[Block], sep: &str) -> String {
        let mut out = String::new();
        // Two lists of one kind in a row would merge into one: the second is given the other
        // bullet (`*`) or number delimiter (`1)`), which CommonMark reads as a new list.
        let mut previous: Option<(bool, bool)> = None;
        for (i, b) in bs.iter().enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            match b {
                Block::List { ordered, .. } => {
                    let other = previous.is_some_and(|(o, other)| o == *ordered && !other);
                    previous = Some((*ordered, other));
                    out.push_str(&self.list(b, other));
                }
                _ => {
                    previous = None;
                    out.push_str(&self.block(b));
                }
            }
        }
        out
    }

    /// A list, with `-` and `1.` markers or, for a list right after another, `*` and `1)`. Tight
    /// lists (see [`crate::model::list_is_tight`]) have no blank lines between their items or
    /// inside them; loose ones have them everywhere.
    fn list(&mut self, b: &Block, other_marker: bool) -> String {
        let Block::List {
            ordered,
            start,
            items,
            tight,
        } = b
        else {
            return self.block(b);
        };
        let sep = if *tight { "\n" } else { "\n\n" };
        let mut out = String::new();
        for (i, item) in items.iter().enumerate() {
            let marker = match (*ordered, other_marker) {
                (true, false) => format!("{}. ", start + i as u64),
                (true, true) => format!("{}) ", start + i as u64),
                (false, false) => "- ".to_string(),
                (false, true) => "* ".to_string(),
            };
            let body = self.joined(item, sep);
            let indent = " ".repeat(marker.len());
            if i > 0 {
                out.push_str(sep);
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
        }
        out
    }

    fn block(&mut self, b: &Block) -> String {
        match b {
            Block::Heading { level, id, content } => {
                let mut out = format!(
                    "{} {}",
                    "#".repeat(*level as usize),
                    self.inlines(content, Ctx::Heading)
                );
                if let Some(id) = id {
                    out.push_str(&format!(" {{#{id}}}"));
                }
                out
            }
            // A formula standing alone is display math, `$$` on lines of their own.
            Block::Paragraph(content) => match content.as_slice() {
                [Inline::Math(m)] if m.display => format!("$$\n{}\n$$", m.tex),
                _ => self.inlines(content, Ctx::Block),
            },
            Block::List { .. } => self.list(b, false),
            Block::Quote(inner) => self
                .block_list(inner)
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
            Block::Figure(img) => self.image(img, Ctx::Block),
            Block::Table(t) => self.table(t),
            Block::Rule => "---".into(),
        }
    }

    /// A GFM pipe table, from the plain grid [`prepare`] made of the model's table.
    fn table(&mut self, t: &Table) -> String {
        let width = t.header.as_ref().or(t.rows.first()).map_or(0, Vec::len);
        let mut row = |cells: &[crate::model::Cell]| {
            let cells: Vec<String> = cells
                .iter()
                .map(|c| match c.inlines() {
                    Some(content) => self.inlines(content, Ctx::Cell),
                    None => self.inlines(&super::grid::cell_line(&c.blocks), Ctx::Cell),
                })
                .collect();
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

    fn inlines(&mut self, xs: &[Inline], ctx: Ctx) -> String {
        let mut out = String::new();
        for (i, x) in xs.iter().enumerate() {
            self.inline(x, xs.get(i + 1), ctx, &mut out);
        }
        if ctx != Ctx::Cell {
            escape_line_starts(&out)
        } else {
            out
        }
    }

    fn inline(&mut self, x: &Inline, next: Option<&Inline>, ctx: Ctx, out: &mut String) {
        match x {
            Inline::Text(t) => self.escape_text(t, ctx, out),
            // Bold italics as one run, `***x***`, which works between letters too.
            Inline::Emph(c) => match c.as_slice() {
                [Inline::Strong(inner)] => self.wrapped(inner, "***", next, ctx, out),
                _ => self.wrapped(c, "*", next, ctx, out),
            },
            Inline::Strong(c) => self.wrapped(c, "**", next, ctx, out),
            Inline::Strike(c) => self.wrapped(c, "~~", next, ctx, out),
            // Already replaced by [`prepare`]; the same replacement, for callers that did not.
            Inline::Sub(_) | Inline::Sup(_) => {
                let xs = script(x);
                for (i, y) in xs.iter().enumerate() {
                    self.inline(y, xs.get(i + 1).or(next), ctx, out);
                }
            }
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
            Inline::Link(link) if self.note_link(link, ctx, out) => {}
            Inline::Link(link) => {
                let Link {
                    url,
                    title,
                    content,
                    ..
                } = link.as_ref();
                out.push('[');
                let outer = std::mem::replace(&mut self.in_link, true);
                for (i, c) in content.iter().enumerate() {
                    self.inline(c, content.get(i + 1), ctx, out);
                }
                self.in_link = outer;
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
            Inline::Image(img) => out.push_str(&self.image(img, ctx)),
            // A table cell is one line (see [`prepare`]).
            Inline::LineBreak => out.push_str(if ctx == Ctx::Block { "\\\n" } else { " " }),
            Inline::Math(m) => out.push_str(&math(&m.tex, m.display, next)),
            Inline::Note(blocks) => {
                let n = self.notes.refer(blocks.clone());
                out.push_str(&format!("[^{n}]"));
            }
            Inline::Check(done) => out.push_str(if *done { "[x]" } else { "[ ]" }),
        }
    }

    fn image(&mut self, img: &Image, ctx: Ctx) -> String {
        if let NoteLinks::Wikilinks { pictures: true } = self.links {
            if let Some(embed) = embed(img, ctx) {
                return embed;
            }
        }
        let mut alt = String::new();
        let outer = std::mem::replace(&mut self.in_link, true);
        self.escape_text(&img.alt, Ctx::Block, &mut alt);
        self.in_link = outer;
        let title = img
            .title
            .as_ref()
            .map(|t| format!(" \"{}\"", t.replace('\\', "\\\\").replace('"', "\\\"")))
            .unwrap_or_default();
        format!("![{alt}]({}{title})", destination(&img.src))
    }

    /// Emphasis-like wrappers, with delimiters CommonMark's flanking rules recognize. [`prepare`]
    /// has moved punctuation out of the delimiters where that makes them flank
    /// (`“**引用**”后`); what is left is handled here: `_` instead of `*` next to another `*`
    /// (`_**a**_`), and a neighbouring character that keeps a delimiter from opening or closing
    /// (a letter after `**“x”**`, a space inside) is written as a character reference (`&#21518;`),
    /// which reads back as the same text. Never raw HTML, which note apps show as tags.
    fn wrapped(
        &mut self,
        c: &[Inline],
        delim: &str,
        next: Option<&Inline>,
        ctx: Ctx,
        out: &mut String,
    ) {
        let punct = |c: char| !c.is_alphanumeric() && !c.is_whitespace();
        // No character (line start or end) counts as whitespace.
        let space = |c: Option<char>| c.is_none_or(char::is_whitespace);
        let left_flanking = |before: Option<char>, first: Option<char>| {
            !space(first)
                && (!first.is_some_and(punct) || space(before) || before.is_some_and(punct))
        };
        let right_flanking = |last: Option<char>, after: Option<char>| {
            !space(last) && (!last.is_some_and(punct) || space(after) || after.is_some_and(punct))
        };
        let first = first_char(c);
        let last = last_char(c);
        let after = next.and_then(|n| first_char(std::slice::from_ref(n)));
        let before = out.chars().next_back();
        // Delimiter runs must not touch another `*` (nested emphasis at the edge).
        let star = [before, first, last, after].contains(&Some('*'));
        let delim = match (delim, star) {
            ("*", true) => "_".to_string(),
            ("**", true) => "__".to_string(),
            ("***", true) => "___".to_string(),
            (d, _) => d.to_string(),
        };
        let under = delim.starts_with('_');
        // A space at an inner edge: written as a reference, which is punctuation to the rules.
        let (ref_first, ref_last) = (space(first), space(last));
        let first = if ref_first { Some('&') } else { first };
        let last = if ref_last { Some(';') } else { last };
        // `_` opens only where it is not also right-flanking, unless after punctuation.
        let opens = left_flanking(before, first)
            && (!under || !right_flanking(before, first) || before.is_some_and(punct));
        if !opens && before.is_some_and(|b| !punct(b) && !b.is_whitespace()) {
            if let Some(b) = out.pop() {
                out.push_str(&format!("&#{};", b as u32));
            }
        }
        let closes = right_flanking(last, after)
            && (!under || !left_flanking(last, after) || after.is_some_and(punct));
        out.push_str(&delim);
        self.reference_next = ref_first;
        for (i, x) in c.iter().enumerate() {
            self.inline(x, c.get(i + 1), ctx, out);
        }
        // (A single space is already a reference.)
        let single = matches!(c, [Inline::Text(t)] if t.chars().nth(1).is_none());
        if ref_last && !(ref_first && single) {
            if let Some(l) = out.pop() {
                out.push_str(&format!("&#{};", l as u32));
            }
        }
        out.push_str(&delim);
        // A letter after the closing delimiter is written as a reference by the next text.
        self.reference_next = !closes;
    }

    /// Escapes the characters that would otherwise start Markdown syntax.
    fn escape_text(&mut self, t: &str, ctx: Ctx, out: &mut String) {
        // Copied in runs between the characters to escape, which are all ASCII.
        let bytes = t.as_bytes();
        // `\[…\]` around TeX-looking text would read as display math (see read::math): such a
        // run writes `[` as a character reference instead.
        let tex_like =
            bytes.contains(&b'[') && bytes.iter().any(|b| matches!(b, b'^' | b'=' | b'{'));
        let brackets = match memchr::memchr2(b'[', b']', bytes).is_some() {
            true => brackets_to_escape(bytes, tex_like, self.in_link),
            false => Vec::new(),
        };
        let mut start = 0;
        if std::mem::replace(&mut self.reference_next, false) {
            if let Some(c) = t.chars().next() {
                out.push_str(&format!("&#{};", c as u32));
                start = c.len_utf8();
            }
        }
        let mut i = start;
        // Straight to the next byte that may need escaping: most text has none (every CJK byte is
        // above ASCII), and this runs on all text of every note.
        while let Some(at) = next_may_escape(bytes, i) {
            i = at + 1;
            let b = bytes[at];
            let prev = at.checked_sub(1).map(|p| bytes[p]);
            let next = bytes.get(at + 1).copied();
            // After a backslash, which is itself escaped, a bracket would still read as `\(` or
            // `\[` math: it is written as a character reference instead.
            // So is `{` in a heading, which would read as `{#id}` attributes there.
            if prev == Some(b'\\') && matches!(b, b'(' | b')' | b'[' | b']')
                || b == b'{' && ctx == Ctx::Heading
                || b == b'[' && tex_like
            {
                out.push_str(&t[start..at]);
                out.push_str(&format!("&#{};", b));
                start = at + 1;
                continue;
            }
            let escape = match b {
                b'\\' | b'`' | b'*' | b'_' | b'<' | b'>' | b'~' | b'!' => true,
                b'[' | b']' => brackets.contains(&at),
                b'&' => starts_reference(&t[at + 1..]),
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
                out.push_str(&t[start..at]);
                out.push('\\');
                start = at;
            }
        }
        out.push_str(&t[start..]);
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

impl Render {
    /// Writes `link` as a wikilink or page reference when the note links that way and the link
    /// leads to another note (a relative path to a `.md` file); `false` when it is written as
    /// a Markdown link instead.
    fn note_link(&mut self, link: &Link, ctx: Ctx, out: &mut String) -> bool {
        if self.links == NoteLinks::Markdown {
            return false;
        }
        let Some((stem, fragment)) = note_target(&link.url) else {
            return false;
        };
        if !fits_wikilink(&stem) || link.content.iter().any(|i| matches!(i, Inline::Image(_))) {
            return false;
        }
        let text = crate::model::plain_text(&link.content);
        match self.links {
            NoteLinks::Wikilinks { .. } => {
                if !fits_wikilink(&text) || fragment.as_deref().is_some_and(|f| !fits_wikilink(f)) {
                    return false;
                }
                // Obsidian finds `#Heading` by the heading's text; a fragment is the id the
                // post's site gave it, which matches when the heading is one word, and otherwise
                // opens the note at its top.
                let target = match &fragment {
                    Some(f) => format!("{stem}#{f}"),
                    None => stem.clone(),
                };
                // In a table cell `|` would end the cell: Obsidian reads `\|` there.
                let bar = if ctx == Ctx::Cell { "\\|" } else { "|" };
                match text.trim() {
                    "" => out.push_str(&format!("[[{target}]]")),
                    t if t == stem || t == target => out.push_str(&format!("[[{target}]]")),
                    t => out.push_str(&format!("[[{target}{bar}{t}]]")),
                }
            }
            // Logseq links to a page, not a place in it: the fragment is left out.
            NoteLinks::Logseq => {
                if text.trim() == stem || text.trim().is_empty() {
                    out.push_str(&format!("[[{stem}]]"));
                } else {
                    out.push('[');
                    let outer = std::mem::replace(&mut self.in_link, true);
                    for (i, c) in link.content.iter().enumerate() {
                        self.inline(c, link.content.get(i + 1), ctx, out);
                    }
                    self.in_link = outer;
                    out.push_str(&format!("]([[{stem}]])"));
                }
            }
            NoteLinks::Markdown => return false,
        }
        true
    }
}

/// The note a link leads to, as its file stem and fragment (`../b/2019-01-01-b.md#part` →
/// `2019-01-01-b`, `part`): a relative path to a `.md` file, which is what
/// [`crate::relink::for_note`] makes of a link to another post's note.
fn note_target(url: &str) -> Option<(String, Option<String>)> {
    let (path, fragment) = local_path(url)?;
    let stem = path.strip_suffix(".md")?.rsplit('/').next()?;
    (!stem.is_empty()).then(|| (stem.to_string(), fragment))
}

/// A relative reference's path and fragment, percent-decoded; `None` for web addresses,
/// `/root` paths and in-page anchors.
fn local_path(url: &str) -> Option<(String, Option<String>)> {
    let url = url.trim();
    if url.is_empty() || url.starts_with(['/', '#', '?']) || crate::relink::has_scheme(url) {
        return None;
    }
    let (path, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (url, None),
    };
    let path = path.split('?').next().unwrap_or(path);
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .ok()
            .map(|s| s.into_owned())
    };
    let fragment = match fragment.filter(|f| !f.is_empty()) {
        Some(f) => Some(decode(f)?),
        None => None,
    };
    Some((decode(path)?, fragment))
}

/// Whether `text` can stand inside `[[…]]`: Obsidian ends a link target at `|`, `#` and `^`
/// and cannot hold brackets or a line break in one.
fn fits_wikilink(text: &str) -> bool {
    !text.contains(['[', ']', '|', '\n', '\r', '^'])
}

/// A saved picture as an Obsidian embed, `![[x.png]]`, or `![[x.png|alt]]` with its alt text;
/// `None` (a Markdown image then) for a web picture, or when the alt text would be read as
/// something else: Obsidian takes `|200` or `|200x100` after an embed as its size, not its
/// alt text, and `|`, `]` and line breaks end the embed. A picture with a tooltip title stays
/// a Markdown image, which holds it.
fn embed(img: &Image, ctx: Ctx) -> Option<String> {
    if img.title.is_some() {
        return None;
    }
    let (path, _) = local_path(&img.src)?;
    let name = path
        .rsplit('/')
        .next()
        .filter(|n| fits_wikilink(n) && !n.contains('#'))?;
    let alt = img.alt.trim();
    let size = |s: &str| {
        let mut parts = s.splitn(2, 'x');
        parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    };
    if alt.is_empty() {
        Some(format!("![[{name}]]"))
    } else if fits_wikilink(alt) && !size(alt) {
        let bar = if ctx == Ctx::Cell { "\\|" } else { "|" };
        Some(format!("![[{name}{bar}{alt}]]"))
    } else {
        None
    }
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

/// Sub- and superscripts, which CommonMark lacks: in Unicode's sub- and superscript letters
/// when every character has one (`CO₂`, `20ᵗʰ`, a note mark `[¹](…)`), else in the notation
/// pandoc falls back to, `^(…)` and `_(…)`.
fn script(x: &Inline) -> Vec<Inline> {
    let (c, sup) = match x {
        Inline::Sup(c) => (c, true),
        Inline::Sub(c) => (c, false),
        other => return vec![other.clone()],
    };
    fn map(xs: &[Inline], sup: bool) -> Option<Vec<Inline>> {
        xs.iter()
            .map(|x| {
                Some(match x {
                    Inline::Text(t) => Inline::Text(
                        t.chars()
                            .map(|c| script_char(c, sup))
                            .collect::<Option<String>>()?,
                    ),
                    Inline::Emph(c) => Inline::Emph(map(c, sup)?),
                    Inline::Strong(c) => Inline::Strong(map(c, sup)?),
                    Inline::Strike(c) => Inline::Strike(map(c, sup)?),
                    Inline::Link(l) => Inline::Link(Box::new(Link {
                        content: map(&l.content, sup)?,
                        ..l.as_ref().clone()
                    })),
                    _ => return None,
                })
            })
            .collect()
    }
    map(c, sup).unwrap_or_else(|| {
        let mut out = vec![Inline::Text(if sup { "^(" } else { "_(" }.into())];
        out.extend(c.iter().cloned());
        out.push(Inline::Text(")".into()));
        out
    })
}

/// The Unicode superscript (`sup`) or subscript form of `c`, when it has one.
fn script_char(c: char, sup: bool) -> Option<char> {
    const DIGITS_SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    const LETTERS_SUP: &str = "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖ ʳˢᵗᵘᵛʷˣʸᶻ";
    const LETTERS_SUB: &str = "ₐ   ₑ  ₕᵢⱼₖₗₘₙₒₚ ᵣₛₜᵤᵥ ₓ  ";
    let found = match c {
        '0'..='9' if sup => Some(DIGITS_SUP[c as usize - '0' as usize]),
        '0'..='9' => char::from_u32(0x2080 + (c as u32 - '0' as u32)),
        'a'..='z' => {
            let letters = if sup { LETTERS_SUP } else { LETTERS_SUB };
            letters.chars().nth(c as usize - 'a' as usize)
        }
        '+' => Some(if sup { '⁺' } else { '₊' }),
        '-' | '−' => Some(if sup { '⁻' } else { '₋' }),
        '=' => Some(if sup { '⁼' } else { '₌' }),
        '(' => Some(if sup { '⁽' } else { '₍' }),
        ')' => Some(if sup { '⁾' } else { '₎' }),
        _ => None,
    };
    found.filter(|&c| c != ' ')
}

/// The first character a reader of the Markdown source would see for these inlines.
fn first_char(xs: &[Inline]) -> Option<char> {
    match xs.first()? {
        Inline::Text(t) => t.chars().next(),
        Inline::Emph(_) | Inline::Strong(_) => Some('*'),
        Inline::Strike(_) => Some('~'),
        Inline::Sub(_) | Inline::Sup(_) => first_char(&script(&xs[0])),
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
        Inline::Sub(_) | Inline::Sup(_) => last_char(&script(&xs[xs.len() - 1])),
        Inline::Code(_) => Some('`'),
        Inline::Link(_) | Inline::Image(_) => Some(')'),
        Inline::Note(_) | Inline::Check(_) => Some(']'),
        Inline::LineBreak => Some('\n'),
        Inline::Math(_) => Some('$'),
    }
}

/// The position of the first byte from `from` on that [`escape_text`] looks at. Runs of 16
/// bytes above ASCII (CJK text, three bytes a character) are skipped whole: that test is one
/// vector instruction, where the table is looked up byte by byte.
fn next_may_escape(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 16) {
        if chunk.iter().fold(false, |ascii, &b| ascii | b.is_ascii()) {
            break;
        }
        i += 16;
    }
    bytes[i..]
        .iter()
        .position(|&b| MAY_ESCAPE[usize::from(b)])
        .map(|k| i + k)
}

/// The bytes [`escape_text`] looks at: those it may escape, and `(`, `)`, `{` after which it
/// may write a character reference.
const MAY_ESCAPE: [bool; 256] = crate::byte_set::of(b"\\`*_<>~![]&|#$(){");

/// The positions of the brackets in `bytes` that must be escaped, CommonMark's and note apps'
/// rules: an opening `[` that could start a link (`[a](b)`, `[a][b]`, `[a]:` definitions), a
/// footnote reference (`[^1]`), a task box (`[ ]`, `[x]`) or a wikilink (`[[Note]]` in Obsidian
/// and Logseq: the first bracket only), or whose closing bracket is not in this text (it could
/// be closed by later content); a `]` only where it could close some other opener. Other
/// brackets are written as they are (`[1]`, `【】` stay readable). `in_link`: the text is inside
/// a link's text or an image's alt, where a stray `]` would end it. Brackets after a backslash
/// and, in TeX-like text (`tex_like`), every `[` are written as character references instead.
fn brackets_to_escape(bytes: &[u8], tex_like: bool, in_link: bool) -> Vec<usize> {
    let mut escape = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for (i, &b) in bytes.iter().enumerate() {
        if i > 0 && bytes[i - 1] == b'\\' {
            continue;
        }
        match b {
            b'[' if !tex_like => open.push(i),
            b']' => match open.pop() {
                Some(o) => {
                    let inner = &bytes[o + 1..i];
                    let starts_syntax = matches!(inner.first(), Some(b'[' | b'^'))
                        || matches!(inner, b" " | b"x" | b"X")
                        || matches!(bytes.get(i + 1), None | Some(b'(' | b'[' | b':'));
                    if starts_syntax {
                        escape.push(o);
                        // With the opener escaped, this `]` would close an outer one.
                        if in_link || !open.is_empty() {
                            escape.push(i);
                        }
                    }
                }
                None if in_link => escape.push(i),
                None => {}
            },
            _ => {}
        }
    }
    escape.extend(open);
    escape
}

/// Escapes what would turn a line into a heading, list, quote, rule, fence or definition
/// (`:` after a line, which postbook reads as kramdown and Goldmark do).
fn escape_line_starts(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let needs = match line.chars().next() {
            Some('#' | '+' | '-' | '=' | '|' | ':') => true,
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

    /// Reading the Markdown back gives the blocks as [`prepare`] left them, and writing those
    /// gives the same Markdown.
    fn roundtrip(bs: Vec<Block>) -> String {
        let md = blocks(&bs);
        let back = read_markdown(&md, &mut Vec::new());
        assert_eq!(back, prepare(&bs), "markdown was:\n{md}");
        assert_eq!(blocks(&back), md);
        md
    }

    /// A table with spans and a list in a cell is written as a plain grid; reading it back
    /// gives that grid ([`prepare`] makes the same), and the writer says what it flattened.
    #[test]
    fn spanning_and_list_cells_flatten_to_a_plain_grid() {
        let html = "<table><tr><th>Region</th><th colspan=\"2\">Results</th></tr>\
            <tr><td rowspan=\"2\">North</td><td>Q1</td><td><ul><li>up</li><li>new office</li></ul></td></tr>\
            <tr><td>Q2</td><td>flat</td></tr></table>";
        let model = crate::read::html::read_html(html, &mut Vec::new());
        let md = roundtrip(model.clone());
        assert_eq!(
            md,
            "| Region | Results |  |\n| --- | --- | --- |\n| North | Q1 | up; new office |\n| North | Q2 | flat |"
        );
        let doc = Document {
            meta: Default::default(),
            blocks: model,
        };
        let names: Vec<Option<String>> = crate::write::grid::warnings(&doc, "Markdown")
            .into_iter()
            .map(|w| w.name)
            .collect();
        assert_eq!(
            names,
            [
                Some("spanning cells".to_string()),
                Some("blocks in cells".to_string())
            ]
        );
    }

    fn list(tight: bool, items: Vec<Vec<Block>>) -> Block {
        Block::List {
            ordered: false,
            start: 1,
            items,
            tight,
        }
    }

    fn p(s: &str) -> Block {
        Block::Paragraph(vec![t(s)])
    }

    fn t(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn escapes_survive_roundtrip() {
        let _ = roundtrip(vec![
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
            // Not a term and its definition.
            Block::Paragraph(vec![t("Term"), Inline::LineBreak, t(": not a definition")]),
            Block::Paragraph(vec![t(": alone")]),
            Block::Paragraph(vec![t(":colon, no space")]),
        ]);
    }

    #[test]
    fn brackets_are_escaped_only_where_they_would_be_syntax() {
        let para = |s: &str| blocks(&[Block::Paragraph(vec![t(s)])]);
        // A wikilink in Obsidian and Logseq: one backslash keeps it text.
        assert_eq!(para("see [[Note]] here"), "see \\[[Note]] here");
        assert_eq!(para("注[1]说 【标题】 [a] b"), "注[1]说 【标题】 [a] b");
        assert_eq!(
            para("[a](b) [c][d] [ ] [x] [e]: f"),
            "\\[a](b) \\[c][d] \\[ ] \\[x] \\[e]: f"
        );
        assert_eq!(para("[^1]"), "&#91;^1]");
        assert_eq!(para("[x [a](b) y] z"), "[x \\[a\\](b) y] z");
        assert_eq!(para("unclosed [ and ]"), "unclosed \\[ and ]");
        let link = |s: &str| {
            blocks(&[Block::Paragraph(vec![Inline::Link(Box::new(Link {
                url: "u".into(),
                title: None,
                content: vec![t(s)],
                web: None,
            }))])])
        };
        assert_eq!(link("[國際] 新聞"), "[[國際] 新聞](u)");
        assert_eq!(link("a ] b [[c]]"), "[a \\] b \\[[c]\\]](u)");
        for s in [
            "see [[Note]] here",
            "[x [a](b) y] z",
            "a ] b [[c]] [d](e) [",
            "[^1]: x [ ]",
        ] {
            roundtrip(vec![Block::Paragraph(vec![t(s)])]);
            roundtrip(vec![Block::Paragraph(vec![Inline::Link(Box::new(Link {
                url: "u".into(),
                title: None,
                content: vec![t(s)],
                web: None,
            }))])]);
        }
    }

    #[test]
    fn cjk_emphasis_next_to_punctuation_has_no_html() {
        let md = roundtrip(vec![Block::Paragraph(vec![
            t("他说"),
            Inline::Strong(vec![t("“重要”")]),
            t("后来"),
            Inline::Emph(vec![t("强调")]),
            t("。"),
            Inline::Strike(vec![t("删")]),
            t(" "),
            Inline::Strong(vec![t("第一階段：")]),
            t("6月9日"),
        ])]);
        assert_eq!(md, "他说“**重要**”后来*强调*。~~删~~ **第一階段**：6月9日");
        // Links move out of emphasis, spaces too; bold punctuation alone between letters is
        // plain; where nothing can move, a neighbouring letter is written as a reference.
        let link = Inline::Link(Box::new(Link {
            url: "u".into(),
            title: None,
            content: vec![t("链接")],
            web: None,
        }));
        let md = roundtrip(vec![Block::Paragraph(vec![
            t("看"),
            Inline::Strong(vec![link.clone()]),
            t("吧 "),
            Inline::Emph(vec![t("\u{3000}空")]),
            t(" a"),
            Inline::Strong(vec![t("：")]),
            t("b "),
            Inline::Strong(vec![t("\u{a0}")]),
            t("x"),
            Inline::Strong(vec![Inline::Code("c".into())]),
            t("y"),
        ])]);
        assert_eq!(
            md,
            "看[**链接**](u)吧 \u{3000}*空* a：b **&#160;**&#120;**`c`**&#121;"
        );
        assert!(!md.contains('<'));
    }

    #[test]
    fn nested_emphasis_and_scripts_have_no_html() {
        let md = roundtrip(vec![Block::Paragraph(vec![
            Inline::Strong(vec![Inline::Strong(vec![t("（泡泡）")]), t(" 工信部")]),
            t(" "),
            Inline::Emph(vec![Inline::Strong(vec![t("还是")])]),
            t(" "),
            Inline::Strong(vec![Inline::Emph(vec![t("也是")])]),
            t("中"),
            Inline::Emph(vec![Inline::Strong(vec![t("间")])]),
            t("字 "),
            Inline::Strong(vec![Inline::Emph(vec![t("x")]), t("y")]),
            t(" CO"),
            Inline::Sub(vec![t("2")]),
            t(" 20"),
            Inline::Sup(vec![t("th")]),
            t(" a"),
            Inline::Sup(vec![Inline::Link(Box::new(Link {
                url: "#fn1".into(),
                title: None,
                content: vec![t("1")],
                web: None,
            }))]),
            t(" 注"),
            Inline::Sup(vec![t("注")]),
            t(" x"),
            Inline::Sub(vec![t("Q")]),
        ])]);
        assert_eq!(
            md,
            "**（泡泡） 工信部** ***还是*** ***也是***中***间***字 __*x*y__ CO₂ 20ᵗʰ a[¹](#fn1) 注^(注) x\\_(Q)"
        );
    }

    #[test]
    fn tight_lists_stay_tight_and_loose_ones_loose() {
        let tight = list(
            true,
            vec![
                vec![p("a"), list(true, vec![vec![p("b")], vec![p("c")]])],
                vec![p("d")],
            ],
        );
        let md = roundtrip(vec![tight]);
        assert_eq!(md, "- a\n  - b\n  - c\n- d");
        let loose = list(false, vec![vec![p("a")], vec![p("b"), p("c")]]);
        assert_eq!(roundtrip(vec![loose]), "- a\n\n- b\n\n  c");
        // Lists in a row: the second one is told apart by its marker, not an HTML comment.
        let md = roundtrip(vec![
            list(true, vec![vec![p("a")]]),
            list(true, vec![vec![p("b")]]),
            list(true, vec![vec![p("c")]]),
        ]);
        assert_eq!(md, "- a\n\n* b\n\n- c");
    }

    #[test]
    fn html_lists_are_tight_unless_their_items_are_paragraphs() {
        let read = |html: &str| crate::read::html::read_html(html, &mut Vec::new());
        let tight = |b: &Block| matches!(b, Block::List { tight: true, .. });
        assert!(tight(
            &read("<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>")[0]
        ));
        assert!(!tight(
            &read("<ul><li><p>a</p></li><li><p>b</p></li></ul>")[0]
        ));
        // One item of one paragraph looks the same either way: tight.
        assert!(tight(&read("<ol><li><p>a</p></li></ol>")[0]));
        // Two paragraphs in an item need a blank line between them in Markdown.
        assert!(!tight(&read("<ul><li>a<div>b</div></li></ul>")[0]));
        let md = |src: &str| read_markdown(src, &mut Vec::new());
        assert!(tight(&md("- a\n- b\n")[0]));
        assert!(!tight(&md("- a\n\n- b\n")[0]));
    }

    #[test]
    fn structures_roundtrip() {
        let _ = roundtrip(vec![
            Block::List {
                ordered: true,
                start: 3,
                items: vec![
                    vec![
                        Block::Paragraph(vec![t("a")]),
                        list(true, vec![vec![Block::Paragraph(vec![t("b")])]]),
                    ],
                    vec![
                        Block::Paragraph(vec![t("c")]),
                        Block::Paragraph(vec![t("d")]),
                    ],
                ],
                tight: false,
            },
            list(true, vec![vec![Block::Paragraph(vec![t("other list")])]]),
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
                    vec![
                        crate::model::Cell::inline(vec![t("a|b")]),
                        crate::model::Cell::inline(vec![Inline::Code("x|y".into())]),
                    ],
                    vec![
                        crate::model::Cell::inline(vec![t("c"), Inline::LineBreak, t("d")]),
                        crate::model::Cell::inline(vec![]),
                    ],
                ],
            }),
            Block::Rule,
            Block::Paragraph(vec![
                Inline::Link(Box::new(Link {
                    url: "https://x.test/(1)?a=1&amp;b=2".into(),
                    title: Some("say \"hi\"".into()),
                    content: vec![t("link")],
                    web: None,
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
