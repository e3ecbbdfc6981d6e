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
    /// The title as inline markup, when the front matter's title is written with inline HTML
    /// (`Tip: <code>Foo</code>`, which Hugo and Jekyll themes print as HTML): chapters show
    /// it. Empty for a plain title. `title` is its text, for everything that takes plain
    /// text (contents, file names, `dc:title`, notes' front matter). Not cached: only
    /// rendering uses it, and rendering reads the post again.
    #[serde(skip)]
    pub title_markup: Vec<Inline>,
    /// When the post was published, as precise as the source said.
    pub date: Option<PostDate>,
    /// When the post was last changed: Hexo's `updated`, Hugo's `lastmod`, Jekyll's
    /// `last_modified_at`. Chapters show it, notes keep it as `updated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<PostDate>,
    pub authors: Vec<String>,
    /// Categories; a hierarchical one (Hexo's `[前端, CSS]`, a note's `[[前端, CSS]]`) is one
    /// entry, its levels joined by [`CATEGORY_LEVELS`] (`前端 › CSS`), as books show it.
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    /// The original URL the post was copied from (`from`, `source`, `link`, … in front matter).
    pub source: Option<String>,
    /// BCP 47 language tag, when the front matter gives one.
    pub lang: Option<String>,
    /// The language edition of a multilingual site the post belongs to (a BCP 47 tag), set
    /// only by the site reader from the site's layout (`content/zh-cn/`, `index.en.md`,
    /// `en/_posts/`; see [`crate::site::languages`]), never from front matter. Books are split
    /// by it when a run has more than one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_language: Option<String>,
    /// The slug from front matter or from a Jekyll file name (`2023-05-24-slug.md`).
    pub slug: Option<String>,
    /// Front matter keys postbook does not interpret, in their original order, so the Markdown
    /// writer can carry them through to note apps untouched.
    pub extra: Vec<(String, Value)>,
    /// The file the post was read from; not part of the content.
    pub path: PostPath,
    /// Unpublished (`draft: true`, `published: false`): left out unless `--drafts`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
    /// Why its site does not publish it though it is no draft ([`Unpublished`]): left out
    /// unless `--drafts`, counted by reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unpublished: Option<Unpublished>,
    /// A Hugo page's `weight` (non-zero: Hugo takes 0 as none), which orders undated pages in
    /// a book as Hugo's default sort does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<i64>,
}

/// What keeps a page of a Hugo site off the site besides `draft: true`
/// (`crate::site::hugo_build`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Unpublished {
    /// Hugo never renders it: `headless: true`, or `build.render` (`_build.render`) `never`
    /// (or `false`, or `link`), on the page or through a section's `cascade`.
    NotRendered,
    /// Its body is empty and a `layout` makes its page (an archive, a search page): the site's
    /// templates fill it, and the book has nothing of it.
    LayoutOnly,
    /// Its publication window, in Unix seconds: Hugo publishes it from `publishDate` (else
    /// `date`) and until `expiryDate`, unless `buildFuture`/`buildExpired`. Judged against the
    /// time of each run ([`Meta::left_out`]), as the window may have opened since it was read.
    Window {
        publish: Option<i64>,
        expiry: Option<i64>,
    },
}

/// Why a post is left out as unpublished: the summary counts each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LeftOut {
    Draft,
    NotRendered,
    LayoutOnly,
    Future,
    Expired,
}

impl LeftOut {
    /// Its name in the report.
    pub fn name(self) -> &'static str {
        match self {
            LeftOut::Draft => "draft",
            LeftOut::NotRendered => "not-rendered",
            LeftOut::LayoutOnly => "layout-only",
            LeftOut::Future => "future",
            LeftOut::Expired => "expired",
        }
    }

    /// How the summary line counts `n` of them (`2 future posts`).
    pub fn count(self, n: usize) -> String {
        let (one, many) = match self {
            LeftOut::Draft => ("draft", "drafts"),
            LeftOut::NotRendered => (
                "page the site never renders",
                "pages the site never renders",
            ),
            LeftOut::LayoutOnly => (
                "page only its layout fills",
                "pages only their layouts fill",
            ),
            LeftOut::Future => ("future post", "future posts"),
            LeftOut::Expired => ("expired post", "expired posts"),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    }
}

impl Meta {
    /// Why the post is left out as unpublished at `now` (Unix seconds), if it is.
    pub fn left_out(&self, now: i64) -> Option<LeftOut> {
        if self.draft {
            return Some(LeftOut::Draft);
        }
        match self.unpublished? {
            Unpublished::NotRendered => Some(LeftOut::NotRendered),
            Unpublished::LayoutOnly => Some(LeftOut::LayoutOnly),
            Unpublished::Window { publish, expiry } => {
                if publish.is_some_and(|t| t > now) {
                    Some(LeftOut::Future)
                } else if expiry.is_some_and(|t| t <= now) {
                    Some(LeftOut::Expired)
                } else {
                    None
                }
            }
        }
    }
}

/// The file a post was read from, shared rather than copied by everything that refers to the
/// post (its report record, the outputs it is in, its fingerprint): at 100,000 posts, five
/// copies of every path cost more memory than the posts' metadata.
///
/// Two `PostPath`s that share their path are equal without comparing it: sorting and merging
/// report records with the outputs' posts compares a post with itself 100,000 times at
/// 100,000 posts, and `Path` compares component by component.
#[derive(Debug, Clone, Eq)]
pub struct PostPath(Arc<Path>);

/// As its path hashes (which equal `PostPath`s share), so maps keyed by it can be searched
/// with a `&Path`.
impl std::hash::Hash for PostPath {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state)
    }
}

impl PartialEq for PostPath {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl Ord for PostPath {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        match Arc::ptr_eq(&self.0, &other.0) {
            true => std::cmp::Ordering::Equal,
            false => self.0.cmp(&other.0),
        }
    }
}

impl PartialOrd for PostPath {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

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
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Block {
    /// Level 1–6. `id` is the anchor the source gave explicitly (`{#id}`, `id="…"`); writers
    /// that need one for every heading derive the rest from its text ([`slug`]).
    Heading {
        level: u8,
        id: Option<String>,
        content: Vec<Inline>,
    },
    Paragraph(Vec<Inline>),
    /// Items are block sequences, so lists nest. `start` is the first number of ordered lists.
    /// `tight`: items set close together, as `<li>text</li>` and Markdown items without blank
    /// lines between them show; loose lists' items are paragraphs (`<li><p>text</p></li>`),
    /// spaced apart (see [`list_is_tight`]).
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
        tight: bool,
    },
    Quote(Vec<Block>),
    /// Preformatted text, kept verbatim; `lang` is the info string or `language-*` class.
    Code {
        lang: Option<String>,
        text: String,
        /// The number of the first line, when the source asked for line numbers (Jekyll's
        /// `linenos`, Hugo's `linenos=table`, a highlighter's numbered table).
        first_line: Option<u32>,
    },
    /// A standalone picture. Its alt text is the caption: in scraped news the alt attribute and
    /// the `<figcaption>` are nearly always the same sentence, and Markdown (pandoc's implicit
    /// figures) can carry only one of them. Boxed, as the largest variant, to keep `Block` small.
    Figure(Box<Image>),
    Table(Table),
    Rule,
}

/// An image reference: a URL, a `data:` URI or a path relative to the post.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Image {
    pub src: String,
    /// The text alternative, which readers fill from the first of: the `alt` attribute (or
    /// `aria-label`), the figure's caption (which wins when there is one, see
    /// [`Block::Figure`]), the picture's own `title` tooltip, the text of the link around the
    /// picture. Empty when the source gave none of them: such pictures are counted in the
    /// report (`pictures_without_alt`).
    pub alt: String,
    /// The tooltip title, only when it adds something beyond the alt/caption.
    pub title: Option<String>,
}

impl Image {
    /// Whether the picture has a text alternative (not empty, not only spaces).
    pub fn has_alt(&self) -> bool {
        !self.alt.trim().is_empty()
    }
}

/// A table: a grid of cells, every row as wide as the table. A cell spanning several rows or
/// columns (HTML's `rowspan`/`colspan`) stands at its top-left position, and the positions it
/// covers hold [`Cell::covered`] markers, so each row still has one cell per column: writers
/// that can span (EPUB) skip the markers, writers that cannot (GFM, plain text) lay the grid
/// out from them (see [`crate::write::grid`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Table {
    /// `None` when the source had no header row. Its cells never span rows (the header is one
    /// row; a header cell spanning into a second header row is cut to its own).
    pub header: Option<Vec<Cell>>,
    pub rows: Vec<Vec<Cell>>,
}

/// One position of a [`Table`]'s grid.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Cell {
    /// The cell's content. Most cells hold one paragraph (none when empty); lists and several
    /// paragraphs stay blocks, as EPUB can show them (GFM and text flatten them).
    pub blocks: Vec<Block>,
    /// How many rows and columns the cell spans, down and right from its position: 1 and 1
    /// for most cells; 0 and 0 for a position covered by a spanning cell, which has no content.
    pub rows: u16,
    pub cols: u16,
}

impl Cell {
    /// A cell of one row and column holding `inlines` as its paragraph (nothing when empty).
    pub fn inline(inlines: Vec<Inline>) -> Cell {
        let blocks = match inlines.is_empty() {
            true => Vec::new(),
            false => vec![Block::Paragraph(inlines)],
        };
        Cell::of(blocks)
    }

    /// A cell of one row and column holding `blocks`.
    pub fn of(blocks: Vec<Block>) -> Cell {
        Cell {
            blocks,
            rows: 1,
            cols: 1,
        }
    }

    /// A position covered by a spanning cell above or to the left of it.
    pub fn covered() -> Cell {
        Cell {
            blocks: Vec::new(),
            rows: 0,
            cols: 0,
        }
    }

    pub fn is_covered(&self) -> bool {
        self.rows == 0
    }

    /// Whether the cell spans more than its own position.
    pub fn spans(&self) -> bool {
        self.rows > 1 || self.cols > 1
    }

    /// The cell's content when it is inline only (one paragraph, or nothing).
    pub fn inlines(&self) -> Option<&[Inline]> {
        match self.blocks.as_slice() {
            [] => Some(&[]),
            [Block::Paragraph(content)] => Some(content),
            _ => None,
        }
    }
}

/// Inline content. Text is already whitespace-normalized (see [`crate::inline`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
    /// A formula in TeX, as written between `$…$`, `$$…$$`, `\(…\)`, `\[…\]` or in a math
    /// environment. Kept as TeX in the model: each writer decides how to show it (MathML,
    /// `$…$`, the source).
    Math(Box<Math>),
    /// A footnote, with its content at the place it is referenced (as pandoc does): writers
    /// number notes and place them (EPUB pop-ups, `[^n]`, a list after the post).
    Note(Vec<Block>),
    /// A task list checkbox (`- [x]`), at the start of a list item's first paragraph.
    Check(bool),
}

/// A TeX formula.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Math {
    /// Display (a block of its own) or inline (in the line of text).
    pub display: bool,
    pub tex: String,
}

/// A hyperlink around inline content.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    pub url: String,
    /// The tooltip title, when the source gave one.
    pub title: Option<String>,
    pub content: Vec<Inline>,
    /// For a link to another post of the site (`url` is then the path to that post's file):
    /// the post's web page (site URL, `baseurl` and its permalink), where a book or note that
    /// does not hold that post links instead. `None` for other links, or when the site's
    /// config gives no `url`.
    pub web: Option<String>,
}

/// What joins the levels of a hierarchical category (`前端 › CSS`) in [`Meta::categories`].
pub const CATEGORY_LEVELS: &str = " › ";

/// The levels of a category: `前端 › CSS` is `前端`, `CSS`; a flat one is itself.
pub fn category_levels(category: &str) -> impl Iterator<Item = &str> {
    category.split(CATEGORY_LEVELS)
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
        walk(&self.blocks, &mut |node| {
            match node {
                Node::Block(Block::Figure(img)) | Node::Inline(Inline::Image(img)) => f(img),
                _ => {}
            }
            true
        })
    }

    /// How many pictures (figures and inline images, each time it is shown) have no text
    /// alternative ([`Image::has_alt`]).
    pub fn pictures_without_alt(&self) -> usize {
        let mut n = 0;
        self.for_each_image(&mut |img| n += usize::from(!img.has_alt()));
        n
    }

    /// Calls `f` on every image, to change where it points (`--images embed` relinks pictures to
    /// the saved files).
    pub fn for_each_image_mut(&mut self, f: &mut dyn FnMut(&mut Image)) {
        struct Images<'f>(&'f mut dyn FnMut(&mut Image));
        impl VisitMut for Images<'_> {
            fn blocks(&mut self, blocks: &mut Vec<Block>) {
                for b in blocks {
                    if let Block::Figure(img) = b {
                        (self.0)(img)
                    }
                }
            }
            fn inlines(&mut self, inlines: &mut Vec<Inline>) {
                for i in inlines {
                    if let Inline::Image(img) = i {
                        (self.0)(img)
                    }
                }
            }
        }
        walk_mut(&mut self.blocks, &mut Images(f))
    }

    /// Removes the images `remove` selects (`--images strip`, tracking pixels). Their caption or
    /// alt text stays as plain text, so no words are lost; a figure without one disappears.
    pub fn remove_images(&mut self, remove: &mut dyn FnMut(&Image) -> bool) {
        struct Remove<'f>(&'f mut dyn FnMut(&Image) -> bool);
        impl VisitMut for Remove<'_> {
            fn blocks(&mut self, blocks: &mut Vec<Block>) {
                blocks.retain_mut(|b| match b {
                    Block::Figure(img) if (self.0)(img) => {
                        let alt = std::mem::take(&mut img.alt);
                        *b = Block::Paragraph(vec![Inline::Text(alt)]);
                        !matches!(b, Block::Paragraph(c) if matches!(&c[..], [Inline::Text(t)] if t.is_empty()))
                    }
                    _ => true,
                })
            }
            fn inlines(&mut self, inlines: &mut Vec<Inline>) {
                inlines.retain_mut(|x| match x {
                    Inline::Image(img) if (self.0)(img) => {
                        let alt = std::mem::take(&mut img.alt);
                        *x = Inline::Text(alt);
                        !matches!(x, Inline::Text(t) if t.is_empty())
                    }
                    _ => true,
                })
            }
        }
        walk_mut(&mut self.blocks, &mut Remove(remove))
    }
}

/// Whether a list read from HTML is tight: unless its items hold their text in paragraphs
/// (`paragraphs`: an `<li>` has a `<p>` child, as a loose Markdown list gives), and then only
/// where that is visible (an item has a paragraph or figure of its own and the list more than
/// one block). Items holding two blocks that Markdown keeps apart only with a blank line (two
/// paragraphs, a paragraph after a nested list, …) make a list loose, as in CommonMark: a
/// list reads back from Markdown as it was written.
pub fn list_is_tight(paragraphs: bool, items: &[Vec<Block>]) -> bool {
    let shown_loose = paragraphs
        && items.len() + items.first().map_or(0, Vec::len) > 2
        && items
            .iter()
            .flatten()
            .any(|b| matches!(b, Block::Paragraph(_) | Block::Figure(_)));
    let joinable = |pair: &[Block]| match pair {
        [Block::Paragraph(_) | Block::Figure(_), next] => match next {
            // An ordered list not starting at 1 cannot interrupt a paragraph.
            Block::List { ordered, start, .. } => !ordered || *start == 1,
            Block::Code { .. } | Block::Heading { .. } | Block::Quote(_) => true,
            _ => false,
        },
        [Block::Heading { .. } | Block::Code { .. } | Block::Rule, _] => true,
        _ => false,
    };
    !shown_loose && items.iter().all(|item| item.windows(2).all(joinable))
}

/// A node of the model, as [`walk`] visits it.
#[derive(Debug, Clone, Copy)]
pub enum Node<'a> {
    Block(&'a Block),
    Inline(&'a Inline),
}

/// Visits every block and inline in document order, each before its content (list items,
/// quotes, cells, emphasis, link text, footnotes at their reference). `f` returns whether to
/// go into the node's content. The one place that knows where content nests: a new node kind
/// is added here, not in every function that looks through a document.
pub fn walk<'a>(blocks: &'a [Block], f: &mut dyn FnMut(Node<'a>) -> bool) {
    for b in blocks {
        if !f(Node::Block(b)) {
            continue;
        }
        match b {
            Block::Heading { content, .. } | Block::Paragraph(content) => walk_inlines(content, f),
            Block::List { items, .. } => items.iter().for_each(|i| walk(i, f)),
            Block::Quote(c) => walk(c, f),
            Block::Table(t) => {
                for row in t.header.iter().chain(t.rows.iter()) {
                    row.iter().for_each(|cell| walk(&cell.blocks, f));
                }
            }
            Block::Figure(_) | Block::Code { .. } | Block::Rule => {}
        }
    }
}

/// [`walk`] over inline content.
pub fn walk_inlines<'a>(xs: &'a [Inline], f: &mut dyn FnMut(Node<'a>) -> bool) {
    for x in xs {
        if !f(Node::Inline(x)) {
            continue;
        }
        match x {
            Inline::Emph(c)
            | Inline::Strong(c)
            | Inline::Strike(c)
            | Inline::Sub(c)
            | Inline::Sup(c) => walk_inlines(c, f),
            Inline::Link(link) => walk_inlines(&link.content, f),
            Inline::Note(blocks) => walk(blocks, f),
            Inline::Text(_)
            | Inline::Code(_)
            | Inline::Image(_)
            | Inline::LineBreak
            | Inline::Math(_)
            | Inline::Check(_) => {}
        }
    }
}

/// What [`walk_mut`] calls on each list of blocks and of inlines: lists rather than nodes, so a
/// visitor can remove, split or replace nodes.
pub trait VisitMut {
    fn blocks(&mut self, _blocks: &mut Vec<Block>) {}
    fn inlines(&mut self, _inlines: &mut Vec<Inline>) {}
}

/// Visits every list of blocks (the body, list items, quotes, table cells, footnotes) and of
/// inlines, the content of a list before the list itself.
pub fn walk_mut(blocks: &mut Vec<Block>, v: &mut dyn VisitMut) {
    for b in blocks.iter_mut() {
        match b {
            Block::Heading { content, .. } | Block::Paragraph(content) => {
                walk_inlines_mut(content, v)
            }
            Block::List { items, .. } => items.iter_mut().for_each(|i| walk_mut(i, v)),
            Block::Quote(c) => walk_mut(c, v),
            Block::Table(t) => {
                for row in t.header.iter_mut().chain(t.rows.iter_mut()) {
                    row.iter_mut()
                        .for_each(|cell| walk_mut(&mut cell.blocks, v));
                }
            }
            Block::Figure(_) | Block::Code { .. } | Block::Rule => {}
        }
    }
    v.blocks(blocks);
}

/// [`walk_mut`] over inline content.
pub fn walk_inlines_mut(xs: &mut Vec<Inline>, v: &mut dyn VisitMut) {
    for x in xs.iter_mut() {
        match x {
            Inline::Emph(c)
            | Inline::Strong(c)
            | Inline::Strike(c)
            | Inline::Sub(c)
            | Inline::Sup(c) => walk_inlines_mut(c, v),
            Inline::Link(link) => walk_inlines_mut(&mut link.content, v),
            Inline::Note(blocks) => walk_mut(blocks, v),
            Inline::Text(_)
            | Inline::Code(_)
            | Inline::Image(_)
            | Inline::LineBreak
            | Inline::Math(_)
            | Inline::Check(_) => {}
        }
    }
    v.inlines(xs);
}

/// The visible text of inlines, without any markup (used for alt text, titles, comparisons).
/// Footnotes are left out: they are not part of the line they are attached to.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for_each_plain_text(inlines, &mut |t| out.push_str(t));
    out
}

/// The pieces [`plain_text`] joins, in order, for callers that only look at the text (the
/// chrome finder hashes the edge blocks of every post) and need not build it.
pub fn for_each_plain_text(inlines: &[Inline], f: &mut dyn FnMut(&str)) {
    walk_inlines(inlines, &mut |node| {
        match node {
            Node::Inline(Inline::Text(t) | Inline::Code(t)) => f(t),
            Node::Inline(Inline::Image(img)) => f(&img.alt),
            Node::Inline(Inline::LineBreak) => f("\n"),
            Node::Inline(Inline::Math(m)) => f(&m.tex),
            Node::Inline(Inline::Note(_)) => return false,
            _ => {}
        }
        true
    });
}

/// The front matter key of a note's tags as the post named them, where `tags` has them as
/// [`note_tag`]s.
pub const ORIGINAL_TAGS: &str = "original_tags";

/// A tag as note apps accept it (Obsidian: letters and digits of any script, `_`, `-`; not
/// digits alone): each run of other characters (spaces, punctuation, `/`, which would nest
/// the tag) becomes `_`, none at the ends, and a tag of digits alone gets a leading `_`.
/// `RTI 中央廣播電臺` → `RTI_中央廣播電臺`, `(臺)中央社CNA` → `臺_中央社CNA`; empty when
/// nothing is left. The Markdown writer writes these and keeps the originals beside them.
pub fn note_tag(tag: &str) -> String {
    let mut out = String::with_capacity(tag.len());
    let mut gap = false;
    for c in tag.chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            if gap && !out.is_empty() {
                out.push('_');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    if !out.is_empty() && out.chars().all(|c| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// A heading's text as an anchor, GitHub's and Goldmark's rule: lowercase, letters and digits
/// of any script kept, spaces to `-`, other punctuation dropped (`Why Rust? (2024)` →
/// `why-rust-2024`). The EPUB writer makes them unique in a post (`write::xhtml::Anchors`).
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() {
            out.push('-');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_tags_have_no_spaces_or_punctuation() {
        for (tag, expected) in [
            ("RTI 中央廣播電臺", "RTI_中央廣播電臺"),
            ("(臺)中央社CNA", "臺_中央社CNA"),
            ("Nei.st", "Nei_st"),
            (
                "简·维克菲尔德（Jane Wakefield）",
                "简_维克菲尔德_Jane_Wakefield",
            ),
            ("法广", "法广"),
            ("snake_case-tag", "snake_case-tag"),
            ("C/C++", "C_C"),
            ("2020", "_2020"),
            ("#!?", ""),
        ] {
            assert_eq!(note_tag(tag), expected, "{tag}");
        }
    }

    #[test]
    fn slugs_keep_letters_and_digits_of_any_script() {
        for (text, expected) in [
            ("Why Rust? (2024)", "why-rust-2024"),
            ("中文 标题", "中文-标题"),
            ("!!!", ""),
        ] {
            assert_eq!(slug(text), expected, "{text}");
        }
    }

    #[test]
    fn walk_reaches_into_footnotes() {
        let img = Image {
            src: "a.png".into(),
            alt: String::new(),
            title: None,
        };
        let doc = Document {
            meta: Meta::default(),
            blocks: vec![Block::Paragraph(vec![
                Inline::Text("x".into()),
                Inline::Note(vec![Block::Paragraph(vec![Inline::Image(Box::new(img))])]),
            ])],
        };
        let mut found = 0;
        doc.for_each_image(&mut |_| found += 1);
        assert_eq!(found, 1);
        assert_eq!(
            plain_text(match &doc.blocks[0] {
                Block::Paragraph(c) => c,
                _ => unreachable!(),
            }),
            "x"
        );
    }

    /// A book's model is mostly `Vec<Inline>` and `Vec<Block>`: their element sizes are what
    /// boxing links, images and figures buys (see the comment on [`Inline`]).
    #[test]
    fn model_nodes_stay_small() {
        assert_eq!(std::mem::size_of::<Inline>(), 32);
        // 64 since code blocks carry their first line number (linenos).
        assert!(
            std::mem::size_of::<Block>() <= 64,
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
