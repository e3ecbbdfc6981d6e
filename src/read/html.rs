//! The HTML reader: an HTML5 fragment (parsed by html5ever, through `scraper`) → model blocks.
//!
//! This is where scraped-news cleanup happens, once for every writer: lazy-loaded images get
//! their real source, `<figcaption>`s find their picture (even outside `<figure>`, as on the seed
//! post), scripts, iframes, forms and tracking pixels are dropped, and empty ad slots simply
//! produce no blocks. What a dropped element stands for is kept: an embed's link, its fallback
//! content, an inline SVG's words; tables keep their spans and the blocks in their cells.

use super::distill::Bibliography;
use super::dom::{attr, is_hidden};
use crate::inline::{collapse_whitespace, normalize, trim};
use crate::locale::Locale;
use crate::model::{list_is_tight, plain_text, slug, Block, Cell, Image, Inline, Link, Table};
use crate::warning::{Warning, WarningKind};
use ego_tree::{NodeId, NodeRef};
use scraper::{node::Element, CaseSensitivity, Html, Node};
use std::collections::{HashMap, HashSet};

/// Nesting deeper than this is flattened to its text: real posts never come close, and recursion
/// without a bound would let a hostile file overflow the stack.
const MAX_DEPTH: usize = 256;

/// Parses an HTML fragment into blocks, removing site chrome without reporting it (see
/// [`read_html_with`]). Warnings (such as flattened nesting) go to `warnings`.
pub fn read_html(html: &str, warnings: &mut Vec<Warning>) -> Vec<Block> {
    read_html_with(html, warnings, &mut super::chrome::Cleaning::default())
}

/// Parses an HTML fragment into blocks, removing site chrome or not as `cleaning` says and
/// recording what was removed there.
pub fn read_html_with(
    html: &str,
    warnings: &mut Vec<Warning>,
    cleaning: &mut super::chrome::Cleaning,
) -> Vec<Block> {
    read_html_in(html, warnings, cleaning, PostContext::default())
}

/// What the HTML reader knows of the post a body belongs to.
#[derive(Debug, Default, Clone, Copy)]
pub struct PostContext<'a> {
    /// The post's language, which names its embeds (see [`super::embed`]); `None` detects
    /// it from the fragment's text when there is an embed.
    pub locale: Option<Locale>,
    /// The entries its Distill citations name (see [`super::distill`]).
    pub bibliography: Option<&'a Bibliography>,
}

/// [`read_html_with`] for a post whose language or bibliography is known.
pub fn read_html_in(
    html: &str,
    warnings: &mut Vec<Warning>,
    cleaning: &mut super::chrome::Cleaning,
    post: PostContext<'_>,
) -> Vec<Block> {
    read_fragment(html, warnings, cleaning, false, post)
}

/// [`read_html`]; `fallback` when the fragment is an `<iframe>`'s fallback content (which
/// HTML parses as text), whose own iframes then give only their text, so that nested iframes
/// are not parsed again and again.
fn read_fragment(
    html: &str,
    warnings: &mut Vec<Warning>,
    cleaning: &mut super::chrome::Cleaning,
    fallback: bool,
    post: PostContext<'_>,
) -> Vec<Block> {
    let capped = super::nesting::cap(html);
    if capped.is_some() {
        warnings.push(Warning::new(
            WarningKind::Nesting,
            format!(
                "HTML nested deeper than {} levels; the excess tags were dropped, their text kept",
                super::nesting::LIMIT
            ),
        ));
    }
    let doc = Html::parse_fragment(capped.as_deref().unwrap_or(html));
    // Most posts have no footnotes: their document is not walked for them.
    let notes = match memchr::memmem::find(html.as_bytes(), b"footnote").is_some()
        || memchr::memmem::find(html.as_bytes(), b"doc-endnotes").is_some()
    {
        true => Footnotes::find(doc.tree.root()),
        false => Footnotes::default(),
    };
    let mut reader = Reader {
        warnings,
        flattened: false,
        tree: &doc.tree,
        notes,
        expanding: Vec::new(),
        chrome: super::chrome::mark(doc.tree.root(), cleaning),
        cleaning,
        in_fallback: fallback,
        locale: post.locale,
        bibliography: post.bibliography,
    };
    let mut sink = Sink::default();
    reader.blocks(doc.tree.root(), &mut sink, 0);
    let mut blocks = sink.finish();
    if memchr::memmem::find(html.as_bytes(), b"title=").is_some() {
        tooltips_as_alt(&mut blocks);
    }
    blocks
}

/// The last source of a picture's alt text (see [`Image::alt`]): its `title` tooltip, for a
/// picture that got none from its `alt`, caption or link. Taken at the end, so that a caption
/// read later replaces the alt text and the tooltip stays a tooltip.
fn tooltips_as_alt(blocks: &mut Vec<Block>) {
    struct Tooltips;
    impl crate::model::VisitMut for Tooltips {
        fn blocks(&mut self, blocks: &mut Vec<Block>) {
            for b in blocks {
                if let Block::Figure(img) = b {
                    tooltip_as_alt(img);
                }
            }
        }
        fn inlines(&mut self, inlines: &mut Vec<Inline>) {
            for x in inlines {
                if let Inline::Image(img) = x {
                    tooltip_as_alt(img);
                }
            }
        }
    }
    fn tooltip_as_alt(img: &mut Image) {
        if !img.has_alt() {
            if let Some(title) = img.title.take() {
                img.alt = title;
            }
        }
    }
    crate::model::walk_mut(blocks, &mut Tooltips);
}

struct Reader<'w, 'd> {
    warnings: &'w mut Vec<Warning>,
    /// Whether chrome is removed, and what was (an iframe's fallback is read with it too).
    cleaning: &'w mut super::chrome::Cleaning,
    flattened: bool,
    tree: &'d ego_tree::Tree<Node>,
    notes: Footnotes,
    /// The footnotes being read, innermost last: a note that refers to itself (directly or
    /// not) is read once.
    expanding: Vec<NodeId>,
    /// Site chrome found in the fragment (see [`super::chrome`]), skipped with what it holds.
    chrome: super::chrome::Marks,
    /// Reading an `<iframe>`'s fallback content (see [`read_fragment`]).
    in_fallback: bool,
    /// The language embeds are named in: the post's, else detected from the fragment's text
    /// at the first embed.
    locale: Option<Locale>,
    /// The post's bibliography, for Distill citations.
    bibliography: Option<&'d Bibliography>,
}

/// The footnotes of a document, as the Markdown renderers that made it write them:
/// pulldown-cmark's `div.footnote-definition`, and kramdown's, Goldmark's and pandoc's list
/// in a `.footnotes` (or `role="doc-endnotes"`) container, one `li` per note.
#[derive(Default)]
struct Footnotes {
    /// Each note's definition, by the id its references link to.
    by_id: HashMap<String, NodeId>,
    /// Every definition's node, referenced or not.
    definitions: HashSet<NodeId>,
    /// Definitions (and note containers) that are referenced, so read at their references and
    /// not where they stand.
    placed: HashSet<NodeId>,
}

impl Footnotes {
    fn find(root: NodeRef<'_, Node>) -> Footnotes {
        let mut notes = Footnotes::default();
        let mut containers = Vec::new();
        for node in root.descendants() {
            let Some(el) = node.value().as_element() else {
                continue;
            };
            let id = attr(el, "id").filter(|id| !id.is_empty());
            if el.has_class("footnote-definition", CaseSensitivity::AsciiCaseInsensitive) {
                if let Some(id) = id {
                    notes.by_id.insert(id.to_string(), node.id());
                }
            } else if el.has_class("footnotes", CaseSensitivity::AsciiCaseInsensitive)
                || attr(el, "role") == Some("doc-endnotes")
            {
                containers.push(node);
                for li in node
                    .descendants()
                    .filter(|d| d.value().as_element().is_some_and(|e| e.name() == "li"))
                {
                    if let Some(id) = li.value().as_element().and_then(|e| attr(e, "id")) {
                        notes.by_id.insert(id.to_string(), li.id());
                    }
                }
            }
        }
        if notes.by_id.is_empty() {
            return notes;
        }
        notes.definitions = notes.by_id.values().copied().collect();
        for node in root.descendants() {
            if let Some(target) = node
                .value()
                .as_element()
                .filter(|e| e.name() == "a")
                .and_then(|e| attr(e, "href")?.strip_prefix('#'))
                .and_then(|id| notes.by_id.get(id))
            {
                if !is_backlink(node) {
                    notes.placed.insert(*target);
                }
            }
        }
        // A container whose every note is placed goes (with its rule and heading).
        for c in containers {
            let mut lis = c
                .descendants()
                .filter(|d| d.value().as_element().is_some_and(|e| e.name() == "li"));
            if lis.all(|li| notes.placed.contains(&li.id())) {
                notes.placed.insert(c.id());
            }
        }
        notes
    }

    /// The definition a link refers to, when it is a footnote reference.
    fn target(&self, a: &scraper::node::Element) -> Option<NodeId> {
        let id = attr(a, "href")?.strip_prefix('#')?;
        self.by_id.get(id).copied()
    }
}

/// A footnote's link back to its reference (`↩`), which a note in the model does not need.
fn is_backlink(node: NodeRef<'_, Node>) -> bool {
    node.value().as_element().is_some_and(|e| {
        attr(e, "role") == Some("doc-backlink")
            || ["reversefootnote", "footnote-back", "footnote-backref"]
                .iter()
                .any(|c| e.has_class(c, CaseSensitivity::AsciiCaseInsensitive))
    })
}

/// Blocks being built, with the paragraph currently collecting inline content.
#[derive(Default)]
struct Sink {
    blocks: Vec<Block>,
    pending: Vec<Inline>,
}

impl Sink {
    /// Ends the pending paragraph. Two or more consecutive line breaks (`<br><br>`, a common
    /// paragraph separator in scraped HTML) split it into separate paragraphs.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut inlines = normalize(std::mem::take(&mut self.pending))
            .into_iter()
            .peekable();
        let mut paragraph = Vec::with_capacity(inlines.len());
        while let Some(inline) = inlines.next() {
            if matches!(inline, Inline::LineBreak)
                && matches!(inlines.peek(), Some(Inline::LineBreak))
            {
                self.paragraph(std::mem::take(&mut paragraph));
                while inlines
                    .next_if(|i| matches!(i, Inline::LineBreak))
                    .is_some()
                {}
            } else {
                paragraph.push(inline);
            }
        }
        self.paragraph(paragraph);
    }

    /// Adds a paragraph; one that holds nothing but an image is a figure.
    fn paragraph(&mut self, inlines: Vec<Inline>) {
        let inlines = trim(inlines);
        match <[Inline; 1]>::try_from(inlines) {
            Ok([Inline::Image(img)]) => self.blocks.push(Block::Figure(img)),
            Ok([Inline::Link(link)]) if matches!(link.content.as_slice(), [Inline::Image(_)]) => {
                if let Some(Inline::Image(img)) = link.content.into_iter().next() {
                    self.blocks.push(Block::Figure(img));
                }
            }
            Ok([other]) => self.blocks.push(Block::Paragraph(vec![other])),
            Err(inlines) if !inlines.is_empty() => self.blocks.push(Block::Paragraph(inlines)),
            Err(_) => {}
        }
    }

    fn push(&mut self, block: Block) {
        self.flush();
        self.blocks.push(block);
    }

    fn finish(mut self) -> Vec<Block> {
        self.flush();
        self.blocks
    }
}

/// How an element takes part in the document.
#[derive(PartialEq)]
enum Kind {
    /// Never shown: scripts, forms, embeds, metadata. Embeds, plugins and inline SVG leave
    /// what stands for them (see [`Reader::fallback_blocks`]).
    Dropped,
    /// Starts and ends a block of its own.
    Block,
    Inline,
}

fn kind(name: &str) -> Kind {
    match name {
        "script" | "style" | "noscript" | "iframe" | "object" | "embed" | "form" | "input"
        | "button" | "select" | "textarea" | "option" | "svg" | "canvas" | "template" | "video"
        | "audio" | "map" | "head" | "title" | "meta" | "link" | "base" | "frame" | "frameset"
        | "applet" | "param" | "source" | "track" | "dialog" | "picture-source" => Kind::Dropped,
        "p" | "div" | "section" | "article" | "main" | "header" | "footer" | "aside" | "nav"
        | "center" | "address" | "details" | "summary" | "body" | "html" | "hgroup" | "h1"
        | "h2" | "h3" | "h4" | "h5" | "h6" | "ul" | "ol" | "li" | "dl" | "dt" | "dd"
        | "blockquote" | "pre" | "figure" | "figcaption" | "table" | "thead" | "tbody"
        | "tfoot" | "tr" | "td" | "th" | "caption" | "hr" | "fieldset" | "legend" | "menu" => {
            Kind::Block
        }
        _ => Kind::Inline,
    }
}

/// The `bad-link` warning for an author's `<iframe>` that has no page to link to: no `src`
/// (a document written inline in `srcdoc`, or a frame a script fills) or one of another
/// scheme (`javascript:`). Its fallback content, if any, is still read; the frame is not.
fn frame_not_shown(el: &Element) -> Warning {
    let src = attr(el, "src").map(str::trim).filter(|s| !s.is_empty());
    let srcdoc = attr(el, "srcdoc").is_some_and(|d| !d.trim().is_empty());
    let what = match (src, srcdoc) {
        (Some(src), _) => {
            let scheme = src.split_once(':').map_or(src, |(s, _)| s);
            format!("an <iframe> whose source is not a page (`{scheme}:`)")
        }
        (None, true) => "an <iframe> without a source, its document written in `srcdoc`".into(),
        (None, false) => "an <iframe> without a source".into(),
    };
    Warning::new(
        WarningKind::BadLink,
        format!("{what} is not shown: it has no page to link to"),
    )
}

fn has_block_descendant(node: NodeRef<'_, Node>) -> bool {
    node.descendants().skip(1).any(|d| {
        d.value()
            .as_element()
            .is_some_and(|e| kind(e.name()) == Kind::Block)
    })
}

impl Reader<'_, '_> {
    fn blocks_of(&mut self, node: NodeRef<'_, Node>, depth: usize) -> Vec<Block> {
        let mut sink = Sink::default();
        self.blocks(node, &mut sink, depth);
        sink.finish()
    }

    /// Reads the children of `node` in block context.
    fn blocks(&mut self, node: NodeRef<'_, Node>, sink: &mut Sink, depth: usize) {
        for child in node.children() {
            self.block(child, sink, depth + 1);
        }
    }

    /// Reads one node in block context: text joins the pending paragraph, inline elements
    /// add to it, block elements become blocks ([`Self::block_element`]).
    fn block(&mut self, node: NodeRef<'_, Node>, sink: &mut Sink, depth: usize) {
        if depth > MAX_DEPTH {
            self.flatten(node, &mut sink.pending);
            return;
        }
        if self.chrome.skips(node.id()) {
            return;
        }
        let el = match node.value() {
            Node::Text(t) => {
                sink.pending.push(Inline::Text(t.to_string()));
                return;
            }
            Node::Element(el) => el,
            _ => return,
        };
        if self.is_left_out(node, el) {
            return;
        }
        if let Some(check) = checkbox(el) {
            sink.pending.push(check);
            return;
        }
        self.check_footnote_referred(node, el);
        if el.has_class(
            "footnote-definition-label",
            CaseSensitivity::AsciiCaseInsensitive,
        ) {
            return;
        }
        if matches!(el.name(), "d-footnote" | "d-cite" | "d-math") {
            // Distill's inline elements, whatever they hold (a note's paragraphs).
            return self.inline(node, &mut sink.pending, depth);
        }
        match kind(el.name()) {
            Kind::Dropped => {
                let link = self.embed(node);
                let fallback = self.fallback_blocks(node, el, depth);
                let repeats = link.as_ref().is_some_and(|l| {
                    fallback.iter().all(|b| match b {
                        Block::Paragraph(xs) => only_links_like(xs, l),
                        _ => false,
                    })
                });
                if let Some(link) = link {
                    sink.push(Block::Paragraph(vec![link]));
                }
                if !repeats {
                    for b in fallback {
                        sink.push(b);
                    }
                }
            }
            Kind::Inline => {
                if has_block_descendant(node) {
                    // An inline wrapper around blocks (`<a><div>…</div></a>`): keep the blocks.
                    self.blocks(node, sink, depth);
                } else {
                    self.inline(node, &mut sink.pending, depth);
                }
            }
            Kind::Block => self.block_element(node, el, sink, depth),
        }
    }

    /// The link an embed (`<iframe>`, `<video>`, `<audio>`) stands for (see
    /// [`super::embed`]). An author's body is one whose chrome is kept (authored bodies keep
    /// all of it); in a web page's, an iframe of an unknown site is an ad slot, counted as
    /// `promo` chrome and dropped.
    fn embed(&mut self, node: NodeRef<'_, Node>) -> Option<Inline> {
        use super::chrome::Kind as Chrome;
        use super::embed::{read_embed, Embed};
        let el = node.value().as_element()?;
        let gist_script = el.name() == "script"
            && super::dom::attr(el, "src").is_some_and(|s| s.contains("gist.github.com/"));
        if !matches!(el.name(), "iframe" | "video" | "audio") && !gist_script {
            return None;
        }
        let locale = self.embed_locale();
        let authored = !self.cleaning.removes(Chrome::Promo);
        let Some(embed) = read_embed(node, locale, authored) else {
            if authored && el.name() == "iframe" {
                self.warnings.push(frame_not_shown(el));
            }
            return None;
        };
        match embed {
            Embed::Link(link) => Some(link),
            Embed::AdSlot(src) => {
                self.cleaning.record_ad_slot(&src);
                None
            }
        }
    }

    /// The language embeds are named in: the post's, else the fragment's (detected once, from
    /// the text a reader sees: not a script's or a style sheet's, which would make a Chinese
    /// post's video a "YouTube video" after a page's inline JavaScript).
    fn embed_locale(&mut self) -> Locale {
        if let Some(l) = self.locale {
            return l;
        }
        // Asked of text nodes only: it walks up the node's ancestors.
        let shown = |n: &NodeRef<'_, Node>| {
            n.ancestors().all(|a| {
                a.value()
                    .as_element()
                    .is_none_or(|e| kind(e.name()) != Kind::Dropped)
            })
        };
        let mut sample = String::new();
        for t in self
            .tree
            .root()
            .descendants()
            .filter(|n| n.value().is_text() && shown(n))
            .filter_map(|n| n.value().as_text())
        {
            sample.push_str(t);
            if sample.len() > 2000 {
                break;
            }
        }
        let locale = Locale::of(&crate::lang::detect(&sample).unwrap_or_default());
        self.locale = Some(locale);
        locale
    }

    /// Whether an element is not read at all: it is hidden, or it is a footnote (or its back
    /// link) already placed where it is referred to.
    fn is_left_out(&self, node: NodeRef<'_, Node>, el: &Element) -> bool {
        let has_notes = !self.notes.by_id.is_empty();
        is_hidden(el) || has_notes && (self.notes.placed.contains(&node.id()) || is_backlink(node))
    }

    /// Warns about a footnote nobody refers to (placed ones never get here): its text stays
    /// where it is, without its number.
    fn check_footnote_referred(&mut self, node: NodeRef<'_, Node>, el: &Element) {
        if !self.notes.by_id.is_empty() && self.notes.definitions.contains(&node.id()) {
            self.warnings.push(Warning::new(
                WarningKind::Footnote,
                format!(
                    "footnote {:?} is never referred to; its text is kept where it was defined",
                    attr(el, "id").unwrap_or_default()
                ),
            ));
        }
    }

    /// A block element, by kind: headings, lists, quotes, code, figures, tables, rules; any
    /// other (`div`, `section`…) is a container whose children are read in its place.
    fn block_element(
        &mut self,
        node: NodeRef<'_, Node>,
        el: &Element,
        sink: &mut Sink,
        depth: usize,
    ) {
        let name = el.name();
        if super::chart::is_artboard(el) {
            return self.chart(node, sink, depth);
        }
        if is_notice_box(el) {
            let inner = self.blocks_of(node, depth);
            if !inner.is_empty() {
                sink.push(Block::Quote(inner));
            }
            return;
        }
        match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => self.heading(node, el, sink, depth),
            "ul" | "ol" | "menu" => self.list(node, el, sink, depth),
            "blockquote" => {
                let mut inner = self.blocks_of(node, depth);
                if let Some(alert) = super::notice::Alert::of(node) {
                    alert.lead(&mut inner);
                }
                if !inner.is_empty() {
                    sink.push(Block::Quote(inner));
                }
            }
            "pre" => {
                if let Some(code) = code_block(node, None) {
                    sink.push(code);
                }
            }
            "figure" => self.figure(node, sink, depth),
            "figcaption" => self.stray_caption(node, sink, depth),
            "dt" => self.term(node, sink, depth),
            "table" => self.table(node, sink, depth),
            "hr" => sink.push(Block::Rule),
            _ => {
                sink.flush();
                self.blocks(node, sink, depth);
                sink.flush();
            }
        }
    }

    /// `<h1>`…`<h6>`, on one line; empty headings are dropped.
    fn heading(&mut self, node: NodeRef<'_, Node>, el: &Element, sink: &mut Sink, depth: usize) {
        let level = el.name().as_bytes()[1] - b'0';
        let content = self.inlines_of(node, depth);
        // Markdown headings are one line: a break inside becomes a space.
        let content = trim(normalize(
            content
                .into_iter()
                .map(|i| {
                    if i == Inline::LineBreak {
                        Inline::Text(" ".into())
                    } else {
                        i
                    }
                })
                .collect(),
        ));
        if !content.is_empty() {
            // An id that is the heading's own slug (`model::slug`) is the one a writer derives
            // from its text anyway: only others are kept as explicit.
            let id = attr(el, "id")
                .map(str::trim)
                .filter(|id| !id.is_empty() && *id != slug(&plain_text(&content)))
                .map(str::to_string);
            sink.push(Block::Heading { level, id, content });
        }
    }

    /// A definition list's term (`<dt>`: kramdown's and Goldmark's `Term` / `: definition`), as a
    /// paragraph in bold; its definitions (`<dd>`) follow as the blocks they hold. The model has
    /// no definition list: note apps render none, and bold terms over their definitions read
    /// the same in every writer (pandoc's plain-text writer does much the same).
    fn term(&mut self, node: NodeRef<'_, Node>, sink: &mut Sink, depth: usize) {
        sink.flush();
        let content = trim(normalize(self.inlines_of(node, depth)));
        if !content.is_empty() {
            sink.push(Block::Paragraph(vec![Inline::Strong(content)]));
        }
    }

    /// `<ul>`, `<ol>` (with its `start`) or `<menu>`; loose when an item holds paragraphs.
    fn list(&mut self, node: NodeRef<'_, Node>, el: &Element, sink: &mut Sink, depth: usize) {
        let ordered = el.name() == "ol";
        let start = attr(el, "start")
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(1);
        let items = self.list_items(node, depth);
        let paragraphs = node.children().any(|li| {
            li.children()
                .any(|c| c.value().as_element().is_some_and(|e| e.name() == "p"))
        });
        if !items.is_empty() {
            sink.push(Block::List {
                ordered,
                start,
                tight: list_is_tight(paragraphs, &items),
                items,
            });
        }
    }

    fn list_items(&mut self, list: NodeRef<'_, Node>, depth: usize) -> Vec<Vec<Block>> {
        let mut items: Vec<Vec<Block>> = Vec::new();
        let mut loose = Sink::default();
        for child in list.children() {
            if child.value().as_text().is_some_and(|t| t.trim().is_empty()) {
                continue;
            }
            let is_li = child.value().as_element().is_some_and(|e| e.name() == "li");
            if is_li {
                let before = std::mem::take(&mut loose).finish();
                if !before.is_empty() {
                    items.push(before);
                }
                items.push(self.blocks_of(child, depth + 1));
            } else {
                // Content directly inside <ul> (invalid but common) becomes an item of its own.
                self.block(child, &mut loose, depth + 1);
            }
        }
        let rest = loose.finish();
        if !rest.is_empty() {
            items.push(rest);
        }
        items
    }

    /// `<figure>`: each picture becomes a figure block; the caption goes with the last one.
    fn figure(&mut self, node: NodeRef<'_, Node>, sink: &mut Sink, depth: usize) {
        sink.flush();
        let caption = node
            .children()
            .find(|c| {
                c.value()
                    .as_element()
                    .is_some_and(|e| e.name() == "figcaption")
            })
            .map(|c| caption_text(self.inlines_of(c, depth)));
        let mut inner = Sink::default();
        for child in node.children() {
            if child
                .value()
                .as_element()
                .is_some_and(|e| e.name() == "figcaption")
            {
                continue;
            }
            self.block(child, &mut inner, depth + 1);
        }
        let mut blocks = inner.finish();
        let last_figure = blocks.iter_mut().rev().find_map(|b| match b {
            Block::Figure(img) => Some(img),
            _ => None,
        });
        match (last_figure, caption) {
            (Some(img), Some(cap)) if !cap.is_empty() => set_caption(img, cap),
            (None, Some(cap)) if !cap.is_empty() => {
                blocks.push(Block::Paragraph(vec![Inline::Text(cap)]))
            }
            _ => {}
        }
        for b in blocks {
            sink.push(b);
        }
    }

    /// An ai2html chart's artboard (see [`super::chart`]): its picture, then its labels as a
    /// list in reading order, each label on one line; nothing for the artboards of the same
    /// chart made for other screen widths.
    fn chart(&mut self, node: NodeRef<'_, Node>, sink: &mut Sink, depth: usize) {
        sink.flush();
        if !super::chart::is_chosen(node) {
            return;
        }
        if let Some(img) = super::chart::picture(node) {
            self.block(img, sink, depth + 1);
            sink.flush();
        }
        let mut items = Vec::new();
        // Each label once: the chosen artboard's, then what the others add.
        let mut seen = HashSet::new();
        let others = super::chart::artboards(node).filter(|b| b.id() != node.id());
        let labels: Vec<_> = std::iter::once(node)
            .chain(others)
            .flat_map(super::chart::labels)
            .collect();
        for label in labels {
            let blocks = self.blocks_of(label, depth + 1);
            // A label's lines (`TOTAL` / `POPULATION`) make one item.
            let item = match blocks.iter().all(|b| matches!(b, Block::Paragraph(_))) {
                true => {
                    let mut line = Vec::new();
                    for b in blocks {
                        if let Block::Paragraph(xs) = b {
                            if !line.is_empty() {
                                line.push(Inline::Text(" ".into()));
                            }
                            line.extend(xs);
                        }
                    }
                    let line = trim(normalize(line));
                    match line.is_empty() {
                        true => Vec::new(),
                        false => vec![Block::Paragraph(line)],
                    }
                }
                false => blocks,
            };
            let mut text = String::new();
            crate::model::walk(&item, &mut |n| {
                if let crate::model::Node::Inline(Inline::Text(t)) = n {
                    text.extend(t.chars().filter(|c| !c.is_whitespace()));
                }
                true
            });
            if !item.is_empty() && (text.is_empty() || seen.insert(text)) {
                items.push(item);
            }
        }
        if !items.is_empty() {
            sink.push(Block::List {
                ordered: false,
                start: 1,
                tight: list_is_tight(false, &items),
                items,
            });
        }
    }

    /// A `<figcaption>` outside any `<figure>` (the seed post puts it after the image's `<div>`):
    /// it captions the figure right before it, or stays a paragraph so no text is lost.
    fn stray_caption(&mut self, node: NodeRef<'_, Node>, sink: &mut Sink, depth: usize) {
        sink.flush();
        let inlines = self.inlines_of(node, depth);
        let text = caption_text(inlines.clone());
        if text.is_empty() {
            return;
        }
        if let Some(Block::Figure(img)) = sink.blocks.last_mut() {
            set_caption(img, text);
            return;
        }
        let inlines = trim(normalize(inlines));
        sink.push(Block::Paragraph(inlines));
    }

    /// `<table>` → a grid of cells (see [`Table`]): spanning cells are placed as HTML's table
    /// model places them, so the cells after them do not shift.
    fn table(&mut self, node: NodeRef<'_, Node>, sink: &mut Sink, depth: usize) {
        if let Some(code) = numbered_code_table(node) {
            sink.push(code);
            return;
        }
        // Only rows of this table, not of tables nested in its cells.
        let trs: Vec<NodeRef<'_, Node>> = node
            .descendants()
            .filter(|d| d.value().as_element().is_some_and(|e| e.name() == "tr"))
            .filter(|tr| {
                let owner = tr
                    .ancestors()
                    .find(|a| a.value().as_element().is_some_and(|e| e.name() == "table"));
                owner.map(|o| o.id()) == Some(node.id())
            })
            .collect();
        fn cells_of<'a>(tr: &NodeRef<'a, Node>) -> Vec<NodeRef<'a, Node>> {
            tr.children()
                .filter(|c| {
                    c.value()
                        .as_element()
                        .is_some_and(|e| e.name() == "td" || e.name() == "th")
                })
                .collect()
        }
        let all_cells: Vec<_> = trs.iter().flat_map(cells_of).collect();
        // A one-cell table is page layout, not data: keep its content as blocks.
        if let [cell] = all_cells[..] {
            sink.flush();
            self.blocks(cell, sink, depth);
            sink.flush();
            return;
        }
        let mut grid = Grid::default();
        let mut header_row = false;
        let trs: Vec<_> = trs
            .into_iter()
            .filter(|tr| !cells_of(tr).is_empty())
            .collect();
        for (r, tr) in trs.iter().enumerate() {
            let cells = cells_of(tr);
            if r == 0 {
                let in_thead = tr
                    .parent()
                    .and_then(|p| p.value().as_element().map(|e| e.name() == "thead"))
                    .unwrap_or(false);
                let all_th = cells
                    .iter()
                    .all(|c| c.value().as_element().is_some_and(|e| e.name() == "th"));
                header_row = in_thead || all_th;
            }
            // A span ends with its row group (`<thead>`, `<tbody>`, …: the row's parent).
            let group = tr.parent().map(|p| p.id());
            let last_row = (r..trs.len())
                .take_while(|&j| trs[j].parent().map(|p| p.id()) == group)
                .last()
                .unwrap_or(r);
            grid.start_row();
            for cell in cells {
                let Some(el) = cell.value().as_element() else {
                    continue;
                };
                let span = |name: &str, default: u16| {
                    attr(el, name)
                        .and_then(|s| s.trim().parse::<u16>().ok())
                        .unwrap_or(default)
                };
                // `rowspan="0"`: to the end of the row group.
                let rows = match span("rowspan", 1) {
                    0 => u16::MAX,
                    n => n,
                };
                let cols = span("colspan", 1).clamp(1, 64);
                let blocks = self.cell(cell, depth);
                grid.place(blocks, rows, cols, last_row);
            }
        }
        let mut rows = grid.finish();
        if header_row {
            unspan_header(&mut rows);
        }
        let mut header = match header_row {
            true => Some(rows.remove(0)),
            false => None,
        };
        if header
            .as_ref()
            .is_some_and(|h| h.iter().all(|c| c.blocks.is_empty() && !c.spans()))
        {
            header = None;
        }
        if rows.is_empty() && header.is_none() {
            return;
        }
        // The model's table has no caption: it goes before the table, as a paragraph.
        if let Some(caption) = node.children().find(|c| {
            c.value()
                .as_element()
                .is_some_and(|e| e.name() == "caption")
        }) {
            let content = trim(normalize(self.inlines_of(caption, depth)));
            if !content.is_empty() {
                sink.push(Block::Paragraph(content));
            }
        }
        sink.push(Block::Table(Table { header, rows }));
    }

    /// A table cell's content: inline when it holds no blocks (the common case, and what
    /// GFM cells read as), else the blocks it holds.
    fn cell(&mut self, cell: NodeRef<'_, Node>, depth: usize) -> Vec<Block> {
        if has_block_descendant(cell) {
            return self.blocks_of(cell, depth);
        }
        let inlines = trim(normalize(self.inlines_of(cell, depth)));
        Cell::inline(inlines).blocks
    }

    fn inlines_of(&mut self, node: NodeRef<'_, Node>, depth: usize) -> Vec<Inline> {
        let mut out = Vec::new();
        for child in node.children() {
            self.inline(child, &mut out, depth + 1);
        }
        out
    }

    /// Reads `node` in inline context, appending to `out`.
    fn inline(&mut self, node: NodeRef<'_, Node>, out: &mut Vec<Inline>, depth: usize) {
        if depth > MAX_DEPTH {
            self.flatten(node, out);
            return;
        }
        if self.chrome.skips(node.id()) {
            return;
        }
        let el = match node.value() {
            Node::Text(t) => {
                out.push(Inline::Text(t.to_string()));
                return;
            }
            Node::Element(el) => el,
            _ => return,
        };
        let has_notes = !self.notes.by_id.is_empty();
        if is_hidden(el) || has_notes && is_backlink(node) {
            return;
        }
        let name = el.name();
        if let Some(check) = checkbox(el) {
            out.push(check);
            return;
        }
        if let Some(note) = has_notes.then(|| self.note(node, el, depth)).flatten() {
            out.push(note);
            return;
        }
        match kind(name) {
            Kind::Dropped => {
                let link = self.embed(node);
                let fallback = self.fallback_inlines(node, el, depth);
                let repeats = link.as_ref().is_some_and(|l| only_links_like(&fallback, l));
                out.extend(link);
                if !repeats {
                    out.extend(fallback);
                }
            }
            Kind::Block if name == "hr" => {}
            Kind::Block => {
                // Blocks inside inline-only places (cells, headings): keep the text, separated.
                let inner = self.inlines_of(node, depth);
                out.push(Inline::LineBreak);
                out.extend(inner);
                out.push(Inline::LineBreak);
            }
            Kind::Inline => self.inline_element(node, el, out, depth),
        }
    }

    /// An inline element, by kind: breaks, pictures, code, links, quotes, emphasis and the
    /// like; transparent wrappers (`span`, `font`, `u`…) add their content.
    fn inline_element(
        &mut self,
        node: NodeRef<'_, Node>,
        el: &Element,
        out: &mut Vec<Inline>,
        depth: usize,
    ) {
        let wrapper: Option<fn(Vec<Inline>) -> Inline> = match el.name() {
            "em" | "i" | "cite" | "dfn" | "var" => Some(Inline::Emph),
            "strong" | "b" => Some(Inline::Strong),
            "s" | "del" | "strike" => Some(Inline::Strike),
            "sub" => Some(Inline::Sub),
            "sup" => Some(Inline::Sup),
            _ => None,
        };
        match el.name() {
            "br" => out.push(Inline::LineBreak),
            // Distill (see `super::distill`).
            "d-footnote" => {
                let note = self.blocks_of(node, depth);
                if !note.is_empty() {
                    out.push(Inline::Note(note));
                }
            }
            "d-cite" => {
                let keys = attr(el, "key").unwrap_or_default();
                out.extend(super::distill::citation(
                    keys,
                    self.bibliography,
                    self.warnings,
                ));
            }
            "d-math" => {
                let tex: String = node
                    .descendants()
                    .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
                    .collect();
                let tex = tex.trim();
                if !tex.is_empty() {
                    out.push(Inline::Math(Box::new(crate::model::Math {
                        display: attr(el, "block").is_some(),
                        tex: tex.to_string(),
                    })));
                }
            }
            "img" => {
                if let Some(img) = image(el) {
                    out.push(Inline::Image(Box::new(img)));
                }
            }
            "code" | "kbd" | "samp" | "tt" => {
                let text: String = node
                    .descendants()
                    .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
                    .collect();
                out.push(Inline::Code(text));
            }
            "a" => self.link(node, el, out, depth),
            "q" => {
                out.push(Inline::Text("“".into()));
                let inner = self.inlines_of(node, depth);
                out.extend(inner);
                out.push(Inline::Text("”".into()));
            }
            _ => {
                let content = self.inlines_of(node, depth);
                match wrapper {
                    Some(wrap) => out.push(wrap(content)),
                    None => out.extend(content),
                }
            }
        }
    }

    /// `<a>`: a link when its `href` can be followed, else just its content.
    fn link(&mut self, node: NodeRef<'_, Node>, el: &Element, out: &mut Vec<Inline>, depth: usize) {
        let mut content = self.inlines_of(node, depth);
        match attr(el, "href").map(str::trim).filter(|h| is_followable(h)) {
            Some(href) => {
                let title = attr(el, "title")
                    .map(|t| collapse_whitespace(t).trim().to_string())
                    .filter(|t| !t.is_empty());
                describe_pictures(&mut content);
                out.push(Inline::Link(Box::new(Link {
                    url: absolutize(href),
                    title,
                    content,
                    web: None,
                })))
            }
            None => out.extend(content),
        }
    }

    /// A footnote reference (`<a href="#fn:1">`, or a `<sup>` around only that) becomes the
    /// note itself, read from its definition.
    fn note(
        &mut self,
        node: NodeRef<'_, Node>,
        el: &scraper::node::Element,
        depth: usize,
    ) -> Option<Inline> {
        let link = match el.name() {
            "a" => node,
            "sup" => {
                let mut elements = node.children().filter(|c| {
                    c.value().as_element().is_some()
                        || c.value().as_text().is_some_and(|t| !t.trim().is_empty())
                });
                match (elements.next(), elements.next()) {
                    (Some(a), None) if a.value().as_element()?.name() == "a" => a,
                    _ => return None,
                }
            }
            _ => return None,
        };
        let target = self.notes.target(link.value().as_element()?)?;
        if self.expanding.contains(&target) {
            return None;
        }
        let definition = self.tree.get(target)?;
        self.expanding.push(target);
        let mut sink = Sink::default();
        for child in definition.children() {
            // pulldown-cmark's definition starts with its label.
            let is_label = child.value().as_element().is_some_and(|e| {
                e.has_class(
                    "footnote-definition-label",
                    CaseSensitivity::AsciiCaseInsensitive,
                )
            });
            if !is_label {
                self.block(child, &mut sink, depth + 1);
            }
        }
        self.expanding.pop();
        Some(Inline::Note(sink.finish()))
    }

    /// What stands for an element postbook cannot show, in block context: an inline SVG's
    /// words, and the fallback content of players and plugins, which browsers show when they
    /// cannot show the element (`<canvas>`, `<object>`, `<video>`, `<audio>` hold it as their
    /// children, `<iframe>` as text to parse).
    fn fallback_blocks(
        &mut self,
        node: NodeRef<'_, Node>,
        el: &Element,
        depth: usize,
    ) -> Vec<Block> {
        match el.name() {
            "svg" => {
                let words = self.svg_words(node);
                match words.is_empty() {
                    true => Vec::new(),
                    false => vec![Block::Paragraph(vec![Inline::Text(words)])],
                }
            }
            "canvas" | "object" | "video" | "audio" => self.blocks_of(node, depth),
            "iframe" => {
                let raw = raw_text(node);
                match (raw.trim().is_empty(), self.in_fallback) {
                    (true, _) => Vec::new(),
                    (false, false) => {
                        let post = PostContext {
                            locale: self.locale,
                            bibliography: self.bibliography,
                        };
                        read_fragment(&raw, self.warnings, self.cleaning, true, post)
                    }
                    (false, true) => {
                        vec![Block::Paragraph(vec![Inline::Text(fragment_text(&raw))])]
                    }
                }
            }
            _ => Vec::new(),
        }
    }

    /// [`Self::fallback_blocks`] in inline context (in a line of text, a cell, a heading).
    fn fallback_inlines(
        &mut self,
        node: NodeRef<'_, Node>,
        el: &Element,
        depth: usize,
    ) -> Vec<Inline> {
        match el.name() {
            "svg" => {
                let words = self.svg_words(node);
                match words.is_empty() {
                    true => Vec::new(),
                    false => vec![Inline::Text(format!(" {words} "))],
                }
            }
            "canvas" | "object" | "video" | "audio" => self.inlines_of(node, depth),
            "iframe" => {
                let raw = raw_text(node);
                match raw.trim().is_empty() {
                    true => Vec::new(),
                    false => vec![Inline::Text(fragment_text(&raw))],
                }
            }
            _ => Vec::new(),
        }
    }

    /// The words of an inline `<svg>` drawing, which the model cannot hold: its title,
    /// description and text labels in document order, joined with ` · `. Warns that the
    /// drawing itself is dropped.
    fn svg_words(&mut self, svg: NodeRef<'_, Node>) -> String {
        let mut pieces: Vec<String> = Vec::new();
        let mut inside: Option<NodeId> = None;
        let mut piece = String::new();
        for edge in svg.traverse() {
            match edge {
                ego_tree::iter::Edge::Open(n) => {
                    let Some(e) = n.value().as_element() else {
                        if let (Some(_), Some(t)) = (inside, n.value().as_text()) {
                            piece.push(' ');
                            piece.push_str(t);
                        }
                        continue;
                    };
                    if inside.is_none()
                        && ["text", "title", "desc", "foreignObject"]
                            .iter()
                            .any(|w| e.name().eq_ignore_ascii_case(w))
                    {
                        inside = Some(n.id());
                    }
                }
                ego_tree::iter::Edge::Close(n) => {
                    if inside == Some(n.id()) {
                        inside = None;
                        let text = collapse_whitespace(&piece).trim().to_string();
                        piece.clear();
                        if !text.is_empty() && pieces.last() != Some(&text) {
                            pieces.push(text);
                        }
                    }
                }
            }
        }
        let words = pieces.join(" · ");
        let message = match words.is_empty() {
            true => "an inline SVG drawing was dropped (the book cannot hold it); it had no text"
                .to_string(),
            false => {
                let shown: String = words.chars().take(60).collect();
                let more = if shown.len() < words.len() { "…" } else { "" };
                format!(
                    "an inline SVG drawing was dropped (the book cannot hold it); its text is kept: \"{shown}{more}\""
                )
            }
        };
        self.warnings
            .push(Warning::new(WarningKind::InlineSvg, message));
        words
    }

    /// Keeps the text of a subtree nested too deeply to read structurally. Iterative, so depth
    /// costs no stack.
    fn flatten(&mut self, node: NodeRef<'_, Node>, out: &mut Vec<Inline>) {
        if !self.flattened {
            self.flattened = true;
            self.warnings.push(Warning::new(
                WarningKind::Nesting,
                format!(
                    "HTML nested deeper than {MAX_DEPTH} levels; the excess is kept as plain text"
                ),
            ));
        }
        let mut text = String::new();
        for d in node.descendants() {
            if let Some(t) = d.value().as_text() {
                text.push_str(t);
            } else if d
                .value()
                .as_element()
                .is_some_and(|e| kind(e.name()) == Kind::Block)
            {
                text.push(' ');
            }
        }
        out.push(Inline::Text(text));
    }
}

/// A table's grid as it is read, row by row: HTML's table model, which puts each cell in the
/// first column of its row that no cell spanning down from a row above covers.
#[derive(Default)]
struct Grid {
    /// The rows read so far, and those spans reach into; `None` where no cell is yet.
    rows: Vec<Vec<Option<Cell>>>,
    /// How many rows were started: the current row is the last of them.
    started: usize,
    /// The column the current row's next cell goes to.
    col: usize,
}

impl Grid {
    fn start_row(&mut self) {
        self.started += 1;
        if self.rows.len() < self.started {
            self.rows.push(Vec::new());
        }
        self.col = 0;
    }

    /// The position at row `r` (already started), column `c`.
    fn slot(&mut self, r: usize, c: usize) -> &mut Option<Cell> {
        let row = &mut self.rows[r];
        if row.len() <= c {
            row.resize_with(c + 1, || None);
        }
        &mut row[c]
    }

    /// Places a cell spanning `rows` × `cols` positions in the current row. Its rows end at
    /// row `last` (its row group's last); its columns end before a position a cell from above
    /// already covers (the overlap HTML calls a table model error).
    fn place(&mut self, blocks: Vec<Block>, rows: u16, cols: u16, last: usize) {
        let r = self.started - 1;
        while self.slot(r, self.col).is_some() {
            self.col += 1;
        }
        let c = self.col;
        let rows = rows
            .min(u16::try_from(last + 1 - r).unwrap_or(u16::MAX))
            .max(1);
        let mut free = 1;
        while free < cols && self.slot(r, c + usize::from(free)).is_none() {
            free += 1;
        }
        let cols = free;
        *self.slot(r, c) = Some(Cell { blocks, rows, cols });
        for dr in 0..usize::from(rows) {
            if self.rows.len() <= r + dr {
                self.rows.push(Vec::new());
            }
            for dc in 0..usize::from(cols) {
                let slot = self.slot(r + dr, c + dc);
                if slot.is_none() {
                    *slot = Some(Cell::covered());
                }
            }
        }
        self.col = c + usize::from(cols);
    }

    /// The grid, every row as wide as the widest: positions no cell reached are empty cells.
    fn finish(self) -> Vec<Vec<Cell>> {
        let width = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        self.rows
            .into_iter()
            .map(|row| {
                let mut row: Vec<Cell> = row
                    .into_iter()
                    .map(|c| c.unwrap_or_else(|| Cell::of(Vec::new())))
                    .collect();
                row.resize_with(width, || Cell::of(Vec::new()));
                row
            })
            .collect()
    }
}

/// The model's header is one row, whose cells span no rows: a header cell spanning down into
/// a second header row (`<th rowspan="2">Region</th>` over `2019 | 2023`) is cut to its own
/// row, and the positions it covered below become empty cells, so nothing shifts.
fn unspan_header(rows: &mut [Vec<Cell>]) {
    let Some((header, below)) = rows.split_first_mut() else {
        return;
    };
    for (c, cell) in header.iter_mut().enumerate().filter(|(_, h)| h.rows > 1) {
        for row in below.iter_mut().take(usize::from(cell.rows) - 1) {
            for slot in row.iter_mut().skip(c).take(usize::from(cell.cols)) {
                if slot.is_covered() {
                    *slot = Cell::of(Vec::new());
                }
            }
        }
        cell.rows = 1;
    }
}

/// Whether fallback content says nothing an embed's `link` does not: only links to the same
/// site (a YouTube iframe whose fallback is a link to the video), and spaces.
fn only_links_like(xs: &[Inline], link: &Inline) -> bool {
    let Inline::Link(link) = link else {
        return false;
    };
    let site = |u: &str| {
        url::Url::parse(u).ok().and_then(|u| {
            u.host_str()
                .map(|h| h.trim_start_matches("www.").to_string())
        })
    };
    let own = site(&link.url);
    xs.iter().all(|x| match x {
        Inline::Text(t) => t.trim().is_empty(),
        Inline::LineBreak => true,
        Inline::Link(l) => site(&l.url) == own,
        _ => false,
    })
}

/// The text an element holds directly: an `<iframe>`'s fallback content, which HTML parses
/// as text, not markup.
fn raw_text(node: NodeRef<'_, Node>) -> String {
    node.children()
        .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
        .collect()
}

/// The text of an HTML fragment, whitespace collapsed (an iframe's fallback in a line).
fn fragment_text(html: &str) -> String {
    let doc = Html::parse_fragment(html);
    let text: String = doc.root_element().text().collect();
    collapse_whitespace(&text).trim().to_string()
}

/// A task list's checkbox (`<input type="checkbox" checked>`).
fn checkbox(el: &scraper::node::Element) -> Option<Inline> {
    (el.name() == "input" && attr(el, "type")?.eq_ignore_ascii_case("checkbox"))
        .then(|| Inline::Check(attr(el, "checked").is_some()))
}

fn caption_text(inlines: Vec<Inline>) -> String {
    collapse_whitespace(&plain_text(&trim(normalize(inlines))))
        .trim()
        .to_string()
}

/// Gives a figure its caption, which is also its alt text (see [`crate::model::Block::Figure`]).
fn set_caption(img: &mut Image, caption: String) {
    if img.title.as_deref() == Some(caption.as_str()) {
        img.title = None;
    }
    img.alt = caption;
}

/// The language of a `<pre>` block, from `class="language-x"` / `lang-x` on it or its `<code>`.
/// A code block from a `<pre>`. Line numbers a highlighter wrote into the code (Chroma's
/// `<span class="ln">`, Pygments' `linenos`, Rouge's `lineno`) are not code: they are left out
/// and remembered as the block's first line number, as is postbook's own `data-linenos` marker
/// from a Markdown fence's `{linenos=…}`. `first_line` is a number already known (from a
/// numbered table's gutter).
fn code_block(pre: NodeRef<'_, Node>, first_line: Option<u32>) -> Option<Block> {
    fn collect(node: NodeRef<'_, Node>, text: &mut String, numbers: &mut Option<u32>) {
        for child in node.children() {
            match child.value() {
                Node::Text(t) => text.push_str(t),
                Node::Element(e) => {
                    if e.classes().any(|c| LINE_NUMBER_CLASSES.contains(&c)) {
                        let n: String = child
                            .descendants()
                            .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
                            .collect();
                        numbers.get_or_insert(n.trim().parse().unwrap_or(1));
                    } else {
                        collect(child, text, numbers);
                    }
                }
                _ => {}
            }
        }
    }
    let mut text = String::new();
    let mut numbered = None;
    collect(pre, &mut text, &mut numbered);
    let text = text.strip_suffix('\n').unwrap_or(&text);
    if text.trim().is_empty() {
        return None;
    }
    let marked = pre
        .value()
        .as_element()
        .and_then(|e| attr(e, "data-linenos"))
        .and_then(|n| n.parse().ok());
    Some(Block::Code {
        lang: code_lang(pre),
        text: text.to_string(),
        first_line: first_line.or(marked).or(numbered),
    })
}

/// Classes highlighters give the line numbers they write inside code.
const LINE_NUMBER_CLASSES: [&str; 5] = ["ln", "lnt", "linenos", "lineno", "gl"];

/// A highlighter's numbered code (Rouge's `rouge-table`, Chroma's `lntable`, Pygments'
/// `highlighttable`): a one-row table of two `<pre>`s, the first only line numbers. It is one
/// code block with line numbers, not a table of two code blocks.
fn numbered_code_table(table: NodeRef<'_, Node>) -> Option<Block> {
    let pres: Vec<NodeRef<'_, Node>> = table
        .descendants()
        .filter(|d| d.value().as_element().is_some_and(|e| e.name() == "pre"))
        .collect();
    let rows = table
        .descendants()
        .filter(|d| d.value().as_element().is_some_and(|e| e.name() == "tr"))
        .count();
    let [gutter, code] = pres[..] else {
        return None;
    };
    let numbers: String = gutter
        .descendants()
        .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
        .collect();
    let first = numbers.split_whitespace().next()?.parse().ok()?;
    let only_numbers = numbers
        .split_whitespace()
        .all(|n| n.bytes().all(|b| b.is_ascii_digit()));
    if rows != 1 || !only_numbers {
        return None;
    }
    code_block(code, Some(first))
}

fn code_lang(pre: NodeRef<'_, Node>) -> Option<String> {
    pre.descendants()
        .take(3)
        .filter_map(|d| d.value().as_element())
        .find_map(|e| {
            e.classes().find_map(|c| {
                c.strip_prefix("language-")
                    .or_else(|| c.strip_prefix("lang-"))
                    .map(str::to_string)
            })
        })
}

/// Whether an `href` leads anywhere a reader could follow (not scripts, not empty anchors).
fn is_followable(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    !(href.is_empty()
        || href == "#"
        || lower.starts_with("javascript:")
        || lower.starts_with("vbscript:")
        || lower.starts_with("data:"))
}

/// Characters percent-encoded in URLs; with all non-ASCII bytes, the same set CommonMark
/// renderers encode, so a URL reads back from postbook's Markdown exactly as it went in.
const URL_UNSAFE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Normalizes a URL: protocol-relative ones (`//cdn…`) are made https so they work outside a
/// browser page, and unsafe characters are percent-encoded (existing escapes are kept).
fn absolutize(url: &str) -> String {
    let url = match url.strip_prefix("//") {
        Some(rest) => format!("https://{rest}"),
        None => url.to_string(),
    };
    percent_encoding::utf8_percent_encode(&url, URL_UNSAFE).to_string()
}

/// Attributes lazy-loading scripts put the real image URL in, most specific first.
const LAZY_ATTRS: &[&str] = &[
    "data-src",
    "data-original",
    "data-lazy-src",
    "data-lazy",
    "data-actualsrc",
    "data-original-src",
    "data-echo",
    "data-url",
    "data-hi-res-src",
    "data-full-src",
];

/// Gives the pictures without alt text (nor a tooltip of their own, [`tooltips_as_alt`])
/// inside a link the link's text: an icon or photo beside a link's words is what they name
/// (an author's photo in a link with the author's name). The last of the alt text's sources
/// (see [`Image::alt`]). Not the link's `title`: on news sites a picture alone in a titled
/// link is a "click to enlarge" icon whose title repeats the caption already in the text, and
/// giving it that title would show the caption twice.
fn describe_pictures(content: &mut Vec<Inline>) {
    struct Describe<'w>(&'w str);
    impl crate::model::VisitMut for Describe<'_> {
        fn inlines(&mut self, inlines: &mut Vec<Inline>) {
            for x in inlines {
                if let Inline::Image(img) = x {
                    if !img.has_alt() && img.title.is_none() {
                        img.alt = self.0.to_string();
                    }
                }
            }
        }
    }
    let mut missing = false;
    crate::model::walk_inlines(content, &mut |node| {
        missing |= matches!(node, crate::model::Node::Inline(Inline::Image(img))
            if !img.has_alt() && img.title.is_none());
        !missing
    });
    if !missing {
        return;
    }
    let text = collapse_whitespace(&plain_text(content)).trim().to_string();
    if !text.is_empty() {
        crate::model::walk_inlines_mut(content, &mut Describe(&text));
    }
}

/// Builds an image from `<img>`, resolving lazy loading; `None` for tracking pixels and for
/// placeholders with no real source.
fn image(el: &scraper::node::Element) -> Option<Image> {
    let dim =
        |a| attr(el, a).and_then(|v: &str| v.trim().trim_end_matches("px").parse::<u32>().ok());
    if matches!((dim("width"), dim("height")), (Some(0..=1), Some(0..=1))) {
        return None;
    }
    let candidates = LAZY_ATTRS
        .iter()
        .filter_map(|a| attr(el, a).map(str::to_string))
        .chain(
            ["data-srcset", "srcset"]
                .iter()
                .filter_map(|a| attr(el, a).and_then(best_srcset)),
        )
        .chain(attr(el, "src").map(str::to_string));
    let mut data_uri = None;
    let mut src = None;
    for c in candidates {
        let c = c.trim();
        if c.is_empty()
            || c == "#"
            || c.starts_with("about:")
            || c.to_ascii_lowercase().starts_with("javascript:")
        {
            continue;
        }
        if c.starts_with("data:") {
            data_uri.get_or_insert_with(|| c.to_string());
            continue;
        }
        src = Some(absolutize(c));
        break;
    }
    // A tiny data: URI is a lazy-loading placeholder (a 1×1 GIF); a large one is a real picture.
    let src = src.or(data_uri.filter(|d| d.len() > 256))?;
    let clean = |a| {
        attr(el, a)
            .map(|t: &str| collapse_whitespace(t).trim().to_string())
            .filter(|t| !t.is_empty())
    };
    // The picture's own text alternative: `alt`, else its ARIA label (see [`Image::alt`] for
    // the later sources; the tooltip is the last, [`tooltips_as_alt`]).
    let alt = clean("alt")
        .or_else(|| clean("aria-label"))
        .unwrap_or_default();
    let title = clean("title").filter(|t| *t != alt);
    Some(Image { src, alt, title })
}

/// The largest candidate of a `srcset` (by width descriptor, else density, else the last).
fn best_srcset(srcset: &str) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for part in srcset.split(", ").flat_map(|p| p.split(",\n")) {
        let mut words = part.split_whitespace();
        let Some(url) = words.next() else { continue };
        let size = words
            .next()
            .and_then(|d| {
                d.strip_suffix('w')
                    .or_else(|| d.strip_suffix('x'))
                    .and_then(|n| n.parse::<f64>().ok())
            })
            .unwrap_or(1.0);
        if best.is_none_or(|(s, _)| size >= s) {
            best = Some((size, url));
        }
    }
    best.map(|(_, u)| u.to_string())
}

/// A theme's notice box (`<div class="notice--info">`, `<aside class="callout">`, see
/// [`super::notice`]): read as a quote, so the note stays set off from the text.
fn is_notice_box(el: &Element) -> bool {
    matches!(el.name(), "div" | "aside" | "section" | "p")
        && el.classes().any(super::notice::is_notice_class)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(html: &str) -> Vec<Block> {
        read_html(html, &mut Vec::new())
    }

    fn para(s: &str) -> Block {
        Block::Paragraph(vec![Inline::Text(s.into())])
    }

    #[test]
    fn highlighters_line_numbers_become_the_blocks_first_line_not_code() {
        let code = |lang: &str, text: &str, first: u32| Block::Code {
            lang: Some(lang.into()),
            text: text.into(),
            first_line: Some(first),
        };
        // Jekyll's Rouge with `linenos`: a numbered table inside the code.
        let rouge = r#"<figure class="highlight"><pre><code class="language-ruby" data-lang="ruby"><table class="rouge-table"><tbody><tr><td class="gutter gl"><pre class="lineno">1
2
</pre></td><td class="code"><pre><span class="k">def</span> <span class="nf">foo</span>
<span class="k">end</span>
</pre></td></tr></tbody></table></code></pre></figure>"#;
        assert_eq!(read(rouge), [code("ruby", "def foo\nend", 1)]);
        // Hugo's Chroma with `linenos=table,linenostart=7`: a table of two `<pre>`s.
        let chroma = r#"<div class="highlight"><div class="chroma"><table class="lntable"><tr><td class="lntd"><pre tabindex="0" class="chroma"><code><span class="lnt">7
</span><span class="lnt">8
</span></code></pre></td><td class="lntd"><pre tabindex="0" class="chroma"><code class="language-go" data-lang="go"><span class="line"><span class="cl">a := 1
</span></span><span class="line"><span class="cl">b := 2</span></span></code></pre></td></tr></table></div></div>"#;
        assert_eq!(read(chroma), [code("go", "a := 1\nb := 2", 7)]);
        // Chroma's `linenos=inline`: numbers inside each line.
        let inline = r#"<pre class="chroma"><code class="language-sh"><span class="line"><span class="ln">3</span><span class="cl">ls
</span></span><span class="line"><span class="ln">4</span><span class="cl">pwd</span></span></code></pre>"#;
        assert_eq!(read(inline), [code("sh", "ls\npwd", 3)]);
        // A real two-column table of code is still a table.
        let table = "<table><tr><td><pre>x = 1</pre></td><td><pre>y = 2</pre></td></tr></table>";
        assert!(
            matches!(read(table)[..], [Block::Table(_)]),
            "{:?}",
            read(table)
        );
    }

    #[test]
    fn lazy_image_and_stray_figcaption_make_one_figure() {
        let blocks = read(
            r#"<div class="figure-media"><img data-src="https://x.test/a.jpg?a=1&amp;b=2" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="alt"></div> <figcaption>说明文字</figcaption><p>正文</p>"#,
        );
        assert_eq!(
            blocks,
            vec![
                Block::Figure(Box::new(Image {
                    src: "https://x.test/a.jpg?a=1&b=2".into(),
                    alt: "说明文字".into(),
                    title: None
                })),
                para("正文"),
            ]
        );
    }

    #[test]
    fn drops_ads_scripts_and_pixels() {
        let blocks = read(
            r#"<section id="imu"><div id="dfp-ad-imu1"></div></section><script>alert(1)</script><p>a<img src="https://t.test/p.gif" width="1" height="1"></p><iframe src="x"></iframe><!--NaN-->"#,
        );
        assert_eq!(blocks, vec![para("a")]);
    }

    #[test]
    fn srcset_picks_largest() {
        assert_eq!(
            best_srcset("a.jpg 320w, b.jpg 1024w, c.jpg 640w").as_deref(),
            Some("b.jpg")
        );
        assert_eq!(best_srcset("a.jpg 1x, b.jpg 2x").as_deref(), Some("b.jpg"));
    }

    /// GitHub alerts and Obsidian callouts (as Markdown renders them: the marker is the quote's
    /// first text) are quotes led by their title, or their kind.
    #[test]
    fn alert_quotes_are_led_by_their_label() {
        let strong = |s: &str| Block::Paragraph(vec![Inline::Strong(vec![Inline::Text(s.into())])]);
        let blocks = read(
            "<blockquote>\n<p>[!WARNING]\nBack up first.</p>\n</blockquote>\
             <blockquote><p>[!tip] Faster builds\nTurn the <em>cache</em> on.</p><p>Then build.</p></blockquote>\
             <blockquote><p>[!faq]- Why so?</p></blockquote>\
             <blockquote><p>A quote that says [!NOTE] later.</p></blockquote>\
             <blockquote><p>[!not a kind] text</p></blockquote>",
        );
        assert_eq!(
            blocks[0],
            Block::Quote(vec![strong("Warning"), para("Back up first.")])
        );
        match &blocks[1] {
            Block::Quote(inner) => {
                assert_eq!(inner[0], strong("Faster builds"));
                assert_eq!(
                    inner[1],
                    Block::Paragraph(vec![
                        Inline::Text("Turn the ".into()),
                        Inline::Emph(vec![Inline::Text("cache".into())]),
                        Inline::Text(" on.".into()),
                    ])
                );
                assert_eq!(inner[2], para("Then build."));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(blocks[2], Block::Quote(vec![strong("Why so?")]));
        assert_eq!(
            blocks[3],
            Block::Quote(vec![para("A quote that says [!NOTE] later.")])
        );
        assert_eq!(blocks[4], Block::Quote(vec![para("[!not a kind] text")]));
    }

    #[test]
    fn structure_survives() {
        let blocks = read(
            "<h2>T</h2><ul><li>a<ul><li>b</li></ul></li></ul><blockquote><p>q</p></blockquote><pre><code class=\"language-rust\">fn x() {}\n</code></pre><table><tr><th>h</th><th>i</th></tr><tr><td>1</td><td>2</td></tr></table><hr>",
        );
        assert!(matches!(&blocks[0], Block::Heading { level: 2, .. }));
        match &blocks[1] {
            Block::List {
                ordered: false,
                items,
                ..
            } => {
                assert_eq!(items[0][0], para("a"));
                assert!(matches!(items[0][1], Block::List { .. }));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(blocks[2], Block::Quote(vec![para("q")]));
        assert_eq!(
            blocks[3],
            Block::Code {
                lang: Some("rust".into()),
                text: "fn x() {}".into(),
                first_line: None,
            }
        );
        match &blocks[4] {
            Block::Table(t) => {
                assert_eq!(t.header.as_ref().unwrap().len(), 2);
                assert_eq!(
                    t.rows,
                    vec![vec![
                        Cell::inline(vec![Inline::Text("1".into())]),
                        Cell::inline(vec![Inline::Text("2".into())])
                    ]]
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(blocks[5], Block::Rule);
    }

    /// The grid of a table as text, `^` for a position covered by a span, with each cell's
    /// span when it has one (`North/2x1`).
    fn grid(b: &Block) -> Vec<Vec<String>> {
        let Block::Table(t) = b else { panic!("{b:?}") };
        t.header
            .iter()
            .chain(t.rows.iter())
            .map(|row| {
                row.iter()
                    .map(|c| match (c.is_covered(), c.spans()) {
                        (true, _) => "^".to_string(),
                        (false, span) => {
                            let text = crate::write::grid::cell_line(&c.blocks);
                            let text = plain_text(&text);
                            match span {
                                true => format!("{text}/{}x{}", c.rows, c.cols),
                                false => text,
                            }
                        }
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn spanning_cells_are_placed_as_browsers_place_them() {
        let blocks = read(
            "<table><tr><th>Year</th><th colspan=2>Sales</th></tr>\
             <tr><td rowspan=3>2023</td><td>Q1</td><td>10</td></tr>\
             <tr><td>Q2</td><td rowspan=0>n/a</td></tr>\
             <tr><td colspan=5>Q3</td></tr></table>",
        );
        assert_eq!(
            grid(&blocks[0]),
            [
                ["Year", "Sales/1x2", "^"],
                ["2023/3x1", "Q1", "10"],
                ["^", "Q2", "n/a/2x1"],
                // The colspan stops where the span from above begins.
                ["^", "Q3", "^"],
            ]
        );
        // A span past the last row ends with the table, and later rows' cells move right of
        // it; rows stay as wide as the widest.
        let blocks = read("<table><tr><td rowspan=99>a</td><td>b</td></tr><tr><td>c</td></tr><tr><td>d</td><td>e</td><td>f</td></tr></table>");
        assert_eq!(
            grid(&blocks[0]),
            [
                ["a/3x1", "b", "", ""],
                ["^", "c", "", ""],
                ["^", "d", "e", "f"]
            ]
        );
    }

    #[test]
    fn a_two_row_header_keeps_its_columns() {
        let blocks = read(
            "<table><thead><tr><th rowspan=2>Region</th><th colspan=2>Turnout</th></tr>\
             <tr><th>2019</th><th>2023</th></tr></thead>\
             <tbody><tr><td>North</td><td>67%</td><td>71%</td></tr></tbody></table>",
        );
        assert_eq!(
            grid(&blocks[0]),
            [
                ["Region", "Turnout/1x2", "^"],
                ["", "2019", "2023"],
                ["North", "67%", "71%"]
            ]
        );
    }

    #[test]
    fn lists_in_cells_stay_lists() {
        let blocks = read("<table><tr><td>Pledges</td><td><ul><li>bus</li><li>tram</li></ul></td></tr><tr><td>a<br>b</td><td></td></tr></table>");
        let Block::Table(t) = &blocks[0] else {
            panic!("{blocks:?}")
        };
        assert!(matches!(
            t.rows[0][1].blocks[..],
            [Block::List { ordered: false, .. }]
        ));
        // Cells without blocks are a paragraph of inlines, or nothing.
        assert_eq!(
            t.rows[1][0].inlines().unwrap(),
            [
                Inline::Text("a".into()),
                Inline::LineBreak,
                Inline::Text("b".into())
            ]
        );
        assert!(t.rows[1][1].blocks.is_empty());
    }

    #[test]
    fn svg_words_and_fallback_content_are_kept() {
        let mut warnings = Vec::new();
        let blocks = read_html(
            r#"<svg><title>Revenue</title><g><text>Q1</text><text><tspan>Q2</tspan> <tspan>(est.)</tspan></text></g><style>.a{}</style></svg><p>Icon <svg><path d="M0 0"/></svg>here</p><iframe src="https://x.test/map"><p>See <a href="https://x.test/m">the map</a></p><iframe>nested <b>text</b></iframe></iframe><object data="x.swf"><param name="a" value="b"><p>Flash fallback</p></object><video src="v.mp4">No video support.</video>"#,
            &mut warnings,
        );
        let texts: Vec<String> = blocks
            .iter()
            .map(|b| match b {
                Block::Paragraph(c) => plain_text(c),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            texts,
            [
                "Revenue · Q1 · Q2 (est.)",
                "Icon here",
                "See the map",
                "nested text",
                "Flash fallback",
                "Video: v.mp4",
                "No video support."
            ]
        );
        let svg: Vec<&Warning> = warnings
            .iter()
            .filter(|w| w.kind == WarningKind::InlineSvg)
            .collect();
        assert_eq!(svg.len(), 2, "{warnings:?}");
        assert!(svg[1].message.contains("no text"));
    }

    #[test]
    fn double_breaks_split_paragraphs() {
        assert_eq!(
            read("a<br><br>b<br>c"),
            vec![
                para("a"),
                Block::Paragraph(vec![
                    Inline::Text("b".into()),
                    Inline::LineBreak,
                    Inline::Text("c".into())
                ])
            ]
        );
    }

    #[test]
    fn deep_nesting_is_flattened_not_overflowed() {
        // The reader recurses once per level the guard lets through (2,000): within the 2 MiB
        // of a test or rayon thread in release builds (the README's test command and CI, and
        // the binary), not with a debug build's larger frames, which get a bigger stack here.
        let stack = if cfg!(debug_assertions) {
            64 << 20
        } else {
            2 << 20
        };
        let (blocks, warnings) = std::thread::Builder::new()
            .stack_size(stack)
            .spawn(|| {
                let html = "<div>".repeat(5000) + "deep" + &"</div>".repeat(5000);
                let mut warnings = Vec::new();
                (read_html(&html, &mut warnings), warnings)
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(blocks, vec![para("deep")]);
        // The guard in front of the parser, then the reader's own flattening.
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].message.contains("nested deeper than"));
    }

    #[test]
    fn footnotes_of_every_renderer_become_notes() {
        let note =
            |text: &str| Inline::Note(vec![Block::Paragraph(vec![Inline::Text(text.into())])]);
        // kramdown (Jekyll)
        let kramdown = read(
            r##"<p>Claim<sup id="fnref:1" role="doc-noteref"><a href="#fn:1" class="footnote" rel="footnote">1</a></sup>.</p>
<div class="footnotes" role="doc-endnotes"><ol><li id="fn:1" role="doc-endnote"><p>Source. <a href="#fnref:1" class="reversefootnote" role="doc-backlink">&#8617;</a></p></li></ol></div>"##,
        );
        assert_eq!(
            kramdown,
            vec![Block::Paragraph(vec![
                Inline::Text("Claim".into()),
                note("Source."),
                Inline::Text(".".into())
            ])]
        );
        // pandoc
        let pandoc = read(
            r##"<p>Claim<a href="#fn1" class="footnote-ref" id="fnref1" role="doc-noteref"><sup>1</sup></a></p>
<section class="footnotes" role="doc-endnotes"><hr /><ol><li id="fn1" role="doc-endnote"><p>Source.<a href="#fnref1" class="footnote-back" role="doc-backlink">↩︎</a></p></li></ol></section>"##,
        );
        assert_eq!(
            pandoc,
            vec![Block::Paragraph(vec![
                Inline::Text("Claim".into()),
                note("Source.")
            ])]
        );
        // A definition nobody refers to stays in the text.
        let orphan =
            read(r#"<p>a</p><div class="footnotes"><ol><li id="fn:9"><p>kept</p></li></ol></div>"#);
        assert!(format!("{orphan:?}").contains("kept"));
    }

    #[test]
    fn task_checkboxes_and_heading_ids() {
        let blocks = read(
            r#"<h2 id="intro">Welcome</h2><h2 id="welcome-back">Welcome back</h2><ul><li><input type="checkbox" checked disabled> done</li><li><input type="checkbox"> todo</li></ul>"#,
        );
        assert!(matches!(&blocks[0], Block::Heading { id: Some(id), .. } if id == "intro"));
        // An id that is the heading's own slug is not kept as explicit.
        assert!(matches!(&blocks[1], Block::Heading { id: None, .. }));
        let Block::List { items, .. } = &blocks[2] else {
            panic!("{blocks:?}")
        };
        assert_eq!(
            items[0],
            vec![Block::Paragraph(vec![
                Inline::Check(true),
                Inline::Text(" done".into())
            ])]
        );
        assert_eq!(
            items[1][0],
            Block::Paragraph(vec![Inline::Check(false), Inline::Text(" todo".into())])
        );
    }
}
