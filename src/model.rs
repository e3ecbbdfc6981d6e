//! The intermediate document model: the one thing readers produce and writers consume.
//!
//! Like pandoc's AST, it is deliberately small. Everything a reader understands about a post is
//! normalized into these types once (lazy images resolved, ads dropped, whitespace collapsed), so
//! every writer renders the same clean content and none of them ever sees the input's raw HTML.

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat};
use serde_json::Value;
use std::borrow::Borrow;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One post, read and normalized.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub meta: Meta,
    pub blocks: Vec<Block>,
}

/// What is known about a post besides its body. Serializable for the metadata cache
/// ([`crate::incremental`]).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Meta {
    /// The post title; empty when the post has none (writers then fall back to the file name).
    pub title: String,
    /// When the post was published, as precise as the source said.
    pub date: Option<PostDate>,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    /// The original URL the post was copied from (`from`, `source`, `link`, … in front matter).
    pub source: Option<String>,
    /// BCP 47 language tag, when the front matter gives one.
    pub lang: Option<String>,
    /// The slug from front matter or from a Jekyll file name (`2023-05-24-slug.md`).
    pub slug: Option<String>,
    /// Front matter keys postbook does not interpret, in their original order, so the Markdown
    /// writer can carry them through to note apps untouched.
    pub extra: Vec<(String, Value)>,
    /// The file the post was read from; not part of the content.
    pub path: PostPath,
}

/// The file a post was read from, shared rather than copied by everything that refers to the
/// post (its report record, the outputs it is in, its fingerprint): at 100,000 posts, five
/// copies of every path cost more memory than the posts' metadata.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PostPath(Arc<Path>);

impl Default for PostPath {
    fn default() -> Self {
        PostPath(Arc::from(Path::new("")))
    }
}

impl Deref for PostPath {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for PostPath {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

/// Lets maps keyed by `PostPath` be searched with a `&Path`.
impl Borrow<Path> for PostPath {
    fn borrow(&self) -> &Path {
        &self.0
    }
}

impl From<&Path> for PostPath {
    fn from(p: &Path) -> Self {
        PostPath(Arc::from(p))
    }
}

impl From<&PathBuf> for PostPath {
    fn from(p: &PathBuf) -> Self {
        PostPath(Arc::from(p.as_path()))
    }
}

impl From<&PostPath> for PostPath {
    fn from(p: &PostPath) -> Self {
        p.clone()
    }
}

impl From<PathBuf> for PostPath {
    fn from(p: PathBuf) -> Self {
        PostPath(Arc::from(p))
    }
}

impl serde::Serialize for PostPath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for PostPath {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        PathBuf::deserialize(d).map(PostPath::from)
    }
}

/// A publication date: either a calendar day or an instant with its UTC offset.
///
/// The two are kept apart so that a post dated `2020-05-16` is not silently given a midnight UTC
/// time, which would move it to another day (and another monthly book) in other time zones.
///
/// Dates order by calendar day first (the day in the post's own time zone, as grouping sees
/// it), a day-only date at the start of its day, then instants by the moment they name, then
/// by offset (so that only identical dates are equal). A derived order would put every
/// day-only post before every post with a time, whatever their days.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub enum PostDate {
    Day(NaiveDate),
    Instant(DateTime<FixedOffset>),
}

impl PostDate {
    /// What dates are compared by: day, then (for an instant) UTC time and offset.
    fn sort_key(&self) -> (NaiveDate, Option<(chrono::NaiveDateTime, i32)>) {
        match self {
            PostDate::Day(d) => (*d, None),
            PostDate::Instant(t) => (
                t.date_naive(),
                Some((t.naive_utc(), t.offset().local_minus_utc())),
            ),
        }
    }
}

impl PartialEq for PostDate {
    fn eq(&self, other: &Self) -> bool {
        self.sort_key() == other.sort_key()
    }
}

impl Eq for PostDate {}

impl PartialOrd for PostDate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PostDate {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PostDate {
    /// The calendar day in the post's own time zone: what grouping by day/month/year uses.
    pub fn day(&self) -> NaiveDate {
        match self {
            PostDate::Day(d) => *d,
            PostDate::Instant(t) => t.date_naive(),
        }
    }

    /// ISO 8601 / W3CDTF text, as written to front matter and EPUB metadata.
    pub fn to_iso(&self) -> String {
        match self {
            PostDate::Day(d) => d.format("%Y-%m-%d").to_string(),
            PostDate::Instant(t) => t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        }
    }
}

/// Block-level content.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Level 1–6.
    Heading {
        level: u8,
        content: Vec<Inline>,
    },
    Paragraph(Vec<Inline>),
    /// Items are block sequences, so lists nest. `start` is the first number of ordered lists.
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
    Quote(Vec<Block>),
    /// Preformatted text, kept verbatim; `lang` is the info string or `language-*` class.
    Code {
        lang: Option<String>,
        text: String,
    },
    /// A standalone picture. Its alt text is the caption: in scraped news the alt attribute and
    /// the `<figcaption>` are nearly always the same sentence, and Markdown (pandoc's implicit
    /// figures) can carry only one of them. Boxed, as the largest variant, to keep `Block` small.
    Figure(Box<Image>),
    Table(Table),
    Rule,
}

/// An image reference: a URL, a `data:` URI or a path relative to the post.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    pub src: String,
    pub alt: String,
    /// The tooltip title, only when it adds something beyond the alt/caption.
    pub title: Option<String>,
}

/// A table of inline-only cells. Block content inside cells (paragraphs, lists) is flattened with
/// line breaks, since neither GFM nor most e-readers handle more.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// `None` when the source had no header row.
    pub header: Option<Vec<Vec<Inline>>>,
    pub rows: Vec<Vec<Vec<Inline>>>,
}

/// Inline content. Text is already whitespace-normalized (see [`crate::read::inline`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(String),
    Emph(Vec<Inline>),
    Strong(Vec<Inline>),
    Strike(Vec<Inline>),
    Sub(Vec<Inline>),
    Sup(Vec<Inline>),
    Code(String),
    // Links and images are boxed: inline, they would make every `Inline` (mostly text runs)
    // 80 bytes instead of 32, and a book's model a third larger.
    Link(Box<Link>),
    Image(Box<Image>),
    LineBreak,
}

/// A hyperlink around inline content.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub url: String,
    /// The tooltip title, when the source gave one.
    pub title: Option<String>,
    pub content: Vec<Inline>,
}

impl Meta {
    /// Frees the unused capacity of the lists, for metadata kept for a whole run (streaming
    /// keeps every post's): lists filled one item at a time reserve room for four.
    pub fn shrink_to_fit(&mut self) {
        for list in [&mut self.authors, &mut self.categories, &mut self.tags] {
            list.shrink_to_fit();
        }
        self.extra.shrink_to_fit();
    }
}

impl Document {
    /// The title to show: the front matter title, else the slug, else the file stem.
    pub fn display_title(&self) -> String {
        if !self.meta.title.is_empty() {
            return self.meta.title.clone();
        }
        if let Some(slug) = &self.meta.slug {
            return slug.clone();
        }
        self.meta
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// Calls `f` on every image in the document, figures and inline images alike.
    pub fn for_each_image<'a>(&'a self, f: &mut dyn FnMut(&'a Image)) {
        fn inlines<'a>(xs: &'a [Inline], f: &mut dyn FnMut(&'a Image)) {
            for x in xs {
                match x {
                    Inline::Image(img) => f(img),
                    Inline::Emph(c)
                    | Inline::Strong(c)
                    | Inline::Strike(c)
                    | Inline::Sub(c)
                    | Inline::Sup(c) => inlines(c, f),
                    Inline::Link(link) => inlines(&link.content, f),
                    Inline::Text(_) | Inline::Code(_) | Inline::LineBreak => {}
                }
            }
        }
        fn blocks<'a>(xs: &'a [Block], f: &mut dyn FnMut(&'a Image)) {
            for b in xs {
                match b {
                    Block::Heading { content, .. } | Block::Paragraph(content) => {
                        inlines(content, f)
                    }
                    Block::List { items, .. } => items.iter().for_each(|i| blocks(i, f)),
                    Block::Quote(c) => blocks(c, f),
                    Block::Figure(img) => f(img),
                    Block::Table(t) => {
                        for row in t.header.iter().chain(t.rows.iter()) {
                            row.iter().for_each(|cell| inlines(cell, f));
                        }
                    }
                    Block::Code { .. } | Block::Rule => {}
                }
            }
        }
        blocks(&self.blocks, f)
    }

    /// Calls `f` on every image, to change where it points (`--images embed` relinks pictures to
    /// the saved files).
    pub fn for_each_image_mut(&mut self, f: &mut dyn FnMut(&mut Image)) {
        fn inlines(xs: &mut [Inline], f: &mut dyn FnMut(&mut Image)) {
            for x in xs {
                match x {
                    Inline::Image(img) => f(img),
                    Inline::Emph(c)
                    | Inline::Strong(c)
                    | Inline::Strike(c)
                    | Inline::Sub(c)
                    | Inline::Sup(c) => inlines(c, f),
                    Inline::Link(link) => inlines(&mut link.content, f),
                    Inline::Text(_) | Inline::Code(_) | Inline::LineBreak => {}
                }
            }
        }
        fn blocks(xs: &mut [Block], f: &mut dyn FnMut(&mut Image)) {
            for b in xs {
                match b {
                    Block::Heading { content, .. } | Block::Paragraph(content) => {
                        inlines(content, f)
                    }
                    Block::List { items, .. } => items.iter_mut().for_each(|i| blocks(i, f)),
                    Block::Quote(c) => blocks(c, f),
                    Block::Figure(img) => f(img),
                    Block::Table(t) => {
                        for row in t.header.iter_mut().chain(t.rows.iter_mut()) {
                            row.iter_mut().for_each(|cell| inlines(cell, f));
                        }
                    }
                    Block::Code { .. } | Block::Rule => {}
                }
            }
        }
        blocks(&mut self.blocks, f)
    }

    /// Removes the images `remove` selects (`--images strip`, tracking pixels). Their caption or
    /// alt text stays as plain text, so no words are lost; a figure without one disappears.
    pub fn remove_images(&mut self, remove: &mut dyn FnMut(&Image) -> bool) {
        fn inlines(xs: &mut Vec<Inline>, remove: &mut dyn FnMut(&Image) -> bool) {
            xs.retain_mut(|x| match x {
                Inline::Image(img) if remove(img) => {
                    let alt = std::mem::take(&mut img.alt);
                    *x = Inline::Text(alt);
                    !matches!(x, Inline::Text(t) if t.is_empty())
                }
                Inline::Emph(c)
                | Inline::Strong(c)
                | Inline::Strike(c)
                | Inline::Sub(c)
                | Inline::Sup(c) => {
                    inlines(c, remove);
                    true
                }
                Inline::Link(link) => {
                    inlines(&mut link.content, remove);
                    true
                }
                _ => true,
            });
        }
        fn blocks(xs: &mut Vec<Block>, remove: &mut dyn FnMut(&Image) -> bool) {
            xs.retain_mut(|b| match b {
                Block::Figure(img) if remove(img) => {
                    let alt = std::mem::take(&mut img.alt);
                    *b = Block::Paragraph(vec![Inline::Text(alt)]);
                    !matches!(b, Block::Paragraph(c) if matches!(&c[..], [Inline::Text(t)] if t.is_empty()))
                }
                Block::Heading { content, .. } | Block::Paragraph(content) => {
                    inlines(content, remove);
                    true
                }
                Block::List { items, .. } => {
                    items.iter_mut().for_each(|i| blocks(i, remove));
                    true
                }
                Block::Quote(c) => {
                    blocks(c, remove);
                    true
                }
                Block::Table(t) => {
                    for row in t.header.iter_mut().chain(t.rows.iter_mut()) {
                        row.iter_mut().for_each(|cell| inlines(cell, remove));
                    }
                    true
                }
                _ => true,
            });
        }
        blocks(&mut self.blocks, remove)
    }
}

/// The visible text of inlines, without any markup (used for alt text, titles, comparisons).
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain_text(inlines, &mut out);
    out
}

fn push_plain_text(inlines: &[Inline], out: &mut String) {
    for i in inlines {
        match i {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Emph(c)
            | Inline::Strong(c)
            | Inline::Strike(c)
            | Inline::Sub(c)
            | Inline::Sup(c) => push_plain_text(c, out),
            Inline::Link(link) => push_plain_text(&link.content, out),
            Inline::Image(img) => out.push_str(&img.alt),
            Inline::LineBreak => out.push('\n'),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A book's model is mostly `Vec<Inline>` and `Vec<Block>`: their element sizes are what
    /// boxing links, images and figures buys (see the comment on [`Inline`]).
    #[test]
    fn model_nodes_stay_small() {
        assert_eq!(std::mem::size_of::<Inline>(), 32);
        assert!(
            std::mem::size_of::<Block>() <= 56,
            "{}",
            std::mem::size_of::<Block>()
        );
    }

    #[test]
    fn dates_order_by_day_then_time() {
        use crate::read::front_matter::parse_date;
        let mut dates: Vec<PostDate> = [
            "2024-01-05",
            "2024-01-20",
            "2024-01-10T09:00Z",
            "2024-01-15 09:30 +0800",
            "2024-01-10",
            "2024-01-10T08:00+08:00",
        ]
        .iter()
        .map(|s| parse_date(s).unwrap())
        .collect();
        dates.sort();
        let iso: Vec<String> = dates.iter().map(PostDate::to_iso).collect();
        assert_eq!(
            iso,
            [
                "2024-01-05",
                "2024-01-10",
                "2024-01-10T08:00:00+08:00",
                "2024-01-10T09:00:00Z",
                "2024-01-15T09:30:00+08:00",
                "2024-01-20",
            ]
        );
        // The same moment in two time zones is two different dates (and days).
        let (a, b) = (
            parse_date("2024-01-10T23:00:00Z").unwrap(),
            parse_date("2024-01-11T07:00:00+08:00").unwrap(),
        );
        assert!(a < b && a != b);
    }
}
