//! Site chrome: the furniture a news site puts inside an article's body — newsletter sign-up
//! boxes, share bars, "read more" link lists, ad and promo slots, "click to enlarge" prompts,
//! labels of interactive graphics, the mirror's own footer — found and taken out before the
//! model is built, so no writer shows it (`--keep-chrome` keeps it).
//!
//! Unlike a readability scorer, which keeps what looks most like the article and drops the rest,
//! this works the other way round: everything is kept unless it is positively recognized as
//! chrome, and every rule has a guard that refuses blocks carrying prose. Losing a sentence of
//! the article is worse than leaving a share bar in. Each signal and why it exists:
//!
//! - **Form controls** (`input`, `button`, `select`, `textarea`): an article never asks for
//!   input, so the short block around a control is its label and message text (sign-up boxes
//!   without a `<form>`, "enter a valid e-mail address", "thanks for subscribing").
//! - **Class, id and role names** (`subscribe`, `newsletter`, `share`, `social`, `related`,
//!   `recommend`, `promo`, `ad`, `banner`, `toolbar`, `comment-form`, …): what the site itself
//!   calls the block, in any language the text is in. Names are split into words (`moreArticle`
//!   → `more article`), so `shadow` is not `ad` and `shared` is not `share`.
//! - **Cue labels** (`延伸閱讀`, `相关阅读`, `Related`, `関連記事`, `分享到`, …): a block whose first
//!   words say it is a list of other articles or a share bar, and whose remaining text is (nearly)
//!   all links, or a label followed by such a block. Only whole labels count, never words in a
//!   sentence.
//! - **Link density**: a related-articles block is mostly link text; so is the run of headline
//!   links at the end of a post pointing back to its own site (position + same host).
//! - **Prompts**: a block or link whose whole text is `点击查看大图`, `Continue reading`, `Read
//!   more`, … — a button, not a sentence.
//! - **Positioned labels**: text placed with `top:…%; left:…%` over a picture is the legend of an
//!   interactive graphic (ai2html); alone, it is a pile of words.
//! - **Position**: the mirror's footer and the site's sign-off are the last blocks, after a rule;
//!   links to bare home pages (`https://feedx.net`) at the tail are a footer, not a citation.
//! - **Repetition across the folder** ([`edge_hashes`], applied by `convert`): a short block
//!   that opens or closes many posts of the same source, word for word, is the source's
//!   boilerplate. No per-page reader can see this; postbook reads the whole folder.
//!
//! Guards: a block is never chrome when it holds a `figcaption`, more than [`MAX_PROSE`]
//! characters of text outside links, or most of the post's text with some prose.

use super::dom::{attr, attrs, is_hidden};
use crate::model::{for_each_plain_text, plain_text, Block, Inline, Meta};
use ego_tree::{NodeId, NodeRef};
use scraper::Node;
use std::collections::HashMap;

/// What a removed block was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Form labels, inputs and buttons.
    Form,
    /// Newsletter and subscription boxes or lines.
    Newsletter,
    /// Share bars and social buttons.
    Share,
    /// "Read more" / related-article lists.
    Related,
    /// Ads, promos, banners.
    Promo,
    /// Toolbars, breadcrumbs, pagination, site navigation.
    Navigation,
    /// "Click to enlarge", "continue reading" and other buttons.
    Prompt,
    /// Labels of interactive graphics.
    Widget,
    /// The site's or the mirror's footer.
    Footer,
    /// Short blocks repeated word for word across many posts of one source.
    Boilerplate,
}

impl Kind {
    /// Every kind, in declaration order (the index of each in [`Counts`]).
    pub const ALL: [Kind; 10] = [
        Kind::Form,
        Kind::Newsletter,
        Kind::Share,
        Kind::Related,
        Kind::Promo,
        Kind::Navigation,
        Kind::Prompt,
        Kind::Widget,
        Kind::Footer,
        Kind::Boilerplate,
    ];

    /// Every kind in the order of its name: the order of the report's maps.
    const BY_NAME: [Kind; 10] = [
        Kind::Boilerplate,
        Kind::Footer,
        Kind::Form,
        Kind::Navigation,
        Kind::Newsletter,
        Kind::Promo,
        Kind::Prompt,
        Kind::Related,
        Kind::Share,
        Kind::Widget,
    ];

    /// The name used in the report and on stderr.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Form => "form",
            Kind::Newsletter => "newsletter",
            Kind::Share => "share",
            Kind::Related => "related",
            Kind::Promo => "promo",
            Kind::Navigation => "navigation",
            Kind::Prompt => "prompt",
            Kind::Widget => "widget",
            Kind::Footer => "footer",
            Kind::Boilerplate => "boilerplate",
        }
    }
}

/// One block taken out of a post, with its visible text (for `-v`, and for tests that check
/// no article sentence is among them).
#[derive(Debug, Clone, PartialEq)]
pub struct Removed {
    pub kind: Kind,
    pub text: String,
}

/// Above this many characters of text outside links, a block is article, whatever its names.
pub const MAX_PROSE: usize = 200;

/// Blocks at most this long (in characters) can be a source's boilerplate.
const MAX_BOILERPLATE: usize = 240;

/// Shorter blocks without a link are never boilerplate: they are bylines, editor and photo
/// credits, section names (`责任编辑：叶紫微`, `© 2020 AFP`), which recur because people and
/// agencies do, and which belong to the article.
const MIN_BOILERPLATE: usize = 24;

/// How many blocks at each end of a post are looked at for boilerplate.
const EDGE_BLOCKS: usize = 3;

/// Whether chrome is being removed from the post being read (not with `--keep-chrome`), and
/// what was removed from it, in order. `read::read_post_with` makes one per post and passes it
/// down the readers that find chrome: the Markdown reader renders to HTML, which the HTML reader
/// parses ([`mark`]), then [`clean_blocks`] looks at the blocks. `Cleaning::default()` removes
/// chrome, as a run without `--keep-chrome` does (the readers' unit tests use it).
#[derive(Debug, Default)]
pub struct Cleaning {
    keep: bool,
    removed: Vec<Removed>,
}

impl Cleaning {
    /// Chrome removal on (`keep == false`) or off.
    pub fn new(keep: bool) -> Cleaning {
        Cleaning {
            keep,
            removed: Vec::new(),
        }
    }

    /// Whether chrome is being removed.
    pub fn removing(&self) -> bool {
        !self.keep
    }

    /// What was removed, in the order it was found.
    pub fn into_removed(self) -> Vec<Removed> {
        self.removed
    }

    fn record(&mut self, kind: Kind, text: String) {
        self.removed.push(Removed { kind, text });
    }
}

/// The nodes of a parsed HTML fragment that are chrome, found before the HTML reader walks it.
#[derive(Default)]
pub struct Marks {
    nodes: IdMap<Kind>,
}

/// Node ids are small integers handed out in order: a multiplication spreads them well enough,
/// at a fraction of SipHash's cost (the finder looks up every element of every post).
#[derive(Default)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type IdMap<V> = HashMap<NodeId, V, std::hash::BuildHasherDefault<IdHasher>>;

impl Marks {
    /// Whether the reader skips this node (and everything in it).
    pub fn skips(&self, id: NodeId) -> bool {
        !self.nodes.is_empty() && self.nodes.contains_key(&id)
    }
}

/// Finds the chrome in `root` and records it (when removing). With `--keep-chrome` nothing is
/// marked.
pub fn mark(root: NodeRef<'_, Node>, cleaning: &mut Cleaning) -> Marks {
    let mut marks = Marks::default();
    if !cleaning.removing() {
        return marks;
    }
    // The tree's arena holds every node (and the odd orphan): one allocation.
    let mut infos = Vec::with_capacity(root.tree().values().len());
    survey(root, &mut infos);
    let finder = Finder {
        infos: &infos,
        total: infos[0].stats.text,
    };
    finder.walk(root, 0, true, &mut marks, cleaning);
    marks
}

/// What a subtree holds, counted in characters (not bytes: CJK and Latin alike).
#[derive(Default, Debug, Clone, Copy)]
struct Stats {
    /// Visible non-whitespace characters.
    text: usize,
    /// Of those, inside links.
    link_text: usize,
    links: usize,
    /// The longest text node outside links: a sentence, when long.
    longest_run: usize,
    /// A `<figcaption>` inside: captions belong to the article.
    caption: bool,
    /// Pictures (ads and buttons have them; whether they matter is up to the rule).
    images: usize,
    /// A `<blockquote>` inside: quoted posts and tweets are content, even in "social" boxes.
    quote: bool,
    /// Links to a social network's share endpoint (`twitter.com/share`, `facebook.com/sharer`).
    share_links: usize,
}

impl Stats {
    fn prose(&self) -> usize {
        self.text - self.link_text
    }

    /// Adds the stats of a part of the subtree; `in_link` when that part is inside a link,
    /// where all its text is link text and none of it a run of prose.
    fn add(&mut self, o: &Stats, in_link: bool) {
        self.text += o.text;
        self.link_text += if in_link { o.text } else { o.link_text };
        self.links += o.links;
        if !in_link {
            self.longest_run = self.longest_run.max(o.longest_run);
        }
        self.caption |= o.caption;
        self.images += o.images;
        self.quote |= o.quote;
        self.share_links += o.share_links;
    }
}

/// How far into an element [`Info::first`] looks, in nodes (the element itself first).
const LABEL_DEPTH: usize = 48;

/// An element's first visible, non-blank text, with its position among the element's nodes in
/// document order, and how many of those nodes there are (counted up to [`LABEL_DEPTH`]). A
/// label deeper than that is no label.
#[derive(Clone, Copy, Default)]
struct FirstText {
    text: Option<(usize, Label)>,
    nodes: usize,
}

/// A non-blank text node, trimmed, judged once as a label: nested wrappers share their first
/// text, and every level asks.
#[derive(Clone, Copy)]
struct Label {
    /// Its [`cue_prefix`] among [`RELATED_CUES`] and [`SHARE_CUES`].
    related: Option<usize>,
    share: Option<usize>,
    /// [`is_prompt`] of the trimmed text.
    prompt: bool,
}

impl Label {
    fn of(text: &str) -> Label {
        Label {
            related: cue_prefix(text, &RELATED_CUES),
            share: cue_prefix(text, &SHARE_CUES),
            prompt: is_prompt(text),
        }
    }
}

/// What the finder's rules ask of a node, surveyed for every node of a post in one pass
/// ([`survey`]) rather than computed at each level of nested wrappers that asks.
#[derive(Clone, Copy, Default)]
struct Info {
    /// The node's subtree, itself included, in nodes: the next sibling's index is this node's
    /// plus this.
    size: usize,
    /// What the subtree holds, as if it were the whole post (links around it do not count).
    stats: Stats,
    /// For elements; for a non-blank text node, its own label at position 0.
    first: FirstText,
    /// Not hidden by attributes and not a script, style or the like.
    visible: bool,
    /// A form control (other than hidden fields and task-list checkboxes) in the subtree,
    /// hidden or not.
    control: bool,
    /// A link to a share endpoint in the subtree.
    share: bool,
    /// A link element in the subtree.
    link: bool,
}

/// Appends the [`Info`] of `node` and of every node in it to `infos`, in document order (so a
/// node's index is its position in a preorder walk); returns the index of `node`'s.
fn survey(node: NodeRef<'_, Node>, infos: &mut Vec<Info>) -> usize {
    let at = infos.len();
    infos.push(Info::default());
    let mut info = Info {
        visible: true,
        ..Info::default()
    };
    let mut link = false;
    match node.value() {
        Node::Text(t) => {
            let n = visible_chars(t);
            info.stats.text = n;
            info.stats.longest_run = n;
            let trimmed = t.trim();
            if !trimmed.is_empty() {
                info.first.text = Some((0, Label::of(trimmed)));
            }
        }
        Node::Element(el) => {
            let name = el.name();
            info.visible = !(is_invisible(name) || is_hidden(el));
            let href = (name == "a").then(|| attr(el, "href")).flatten();
            link = href.is_some();
            let share = href.is_some_and(is_share_endpoint);
            info.share = share;
            info.link = name == "a";
            // A checkbox is a task list's (Markdown `- [x]`); a sign-up form has other controls.
            info.control = is_control(name)
                && attr(el, "type").is_none_or(|t| {
                    !t.eq_ignore_ascii_case("hidden") && !t.eq_ignore_ascii_case("checkbox")
                });
            if info.visible {
                info.stats.links = usize::from(link);
                info.stats.share_links = usize::from(share);
                info.stats.caption = name == "figcaption";
                info.stats.quote = name == "blockquote";
                info.stats.images = usize::from(name == "img");
            }
        }
        _ => {}
    }
    let element = node.value().is_element();
    // `node` itself is position 0 of its first text's.
    let mut seen = 1;
    let mut looking = element;
    for child in node.children() {
        let i = survey(child, infos);
        let c = &infos[i];
        info.size += c.size;
        info.control |= c.control;
        info.share |= c.share;
        info.link |= c.link;
        if info.visible {
            info.stats.add(&c.stats, link);
        }
        if !looking {
            continue;
        }
        if seen >= LABEL_DEPTH {
            looking = false;
            continue;
        }
        match child.value() {
            Node::Text(_) if c.first.text.is_some() => {
                info.first.text = c.first.text.map(|(_, label)| (seen, label));
                looking = false;
            }
            Node::Element(_) if c.visible => match c.first.text {
                Some((at, t)) => {
                    info.first.text = Some((seen + at, t)).filter(|&(at, _)| at < LABEL_DEPTH);
                    looking = false;
                }
                None => seen += c.first.nodes,
            },
            // Hidden elements count, though their text does not.
            Node::Element(_) => seen += c.size.min(LABEL_DEPTH - seen),
            _ => seen += 1,
        }
    }
    info.size += 1;
    if element {
        info.first.nodes = seen.min(LABEL_DEPTH);
    }
    infos[at] = info;
    at
}

/// Characters other than ASCII whitespace, counted on bytes (every text node of every post
/// passes here): each character has one byte that is not a UTF-8 continuation byte. Counted
/// without branches, in blocks a byte-wide counter holds: the loop vectorizes.
fn visible_chars(text: &str) -> usize {
    text.as_bytes()
        .chunks(255)
        .map(|block| {
            block.iter().fold(0u8, |n, &b| {
                let starts_char = (b as i8) >= -0x40;
                let space = (b == b' ') | ((b'\t'..=b'\r').contains(&b) & (b != 0x0B));
                n + u8::from(starts_char & !space)
            })
        })
        .map(usize::from)
        .sum()
}

fn is_invisible(name: &str) -> bool {
    matches!(
        name,
        "script" | "style" | "noscript" | "template" | "svg" | "head" | "title"
    )
}

/// Whether `href` posts the page to a social network or messenger: a share button, whatever
/// its label or picture.
fn is_share_endpoint(href: &str) -> bool {
    // As written, not lowercased: hosts and these paths are lowercase in practice, and this
    // runs on every link, so the host is looked at first.
    let h = href;
    let host = h.split_once("//").map_or("", |(_, rest)| rest);
    let host = host.split(['/', '?', '#']).next().unwrap_or_default();
    const HOSTS: &[&str] = &[
        "twitter.com",
        "x.com",
        "facebook.com",
        "linkedin.com",
        "weibo.com",
        "line.me",
        "whatsapp.com",
        "wa.me",
        "telegram.me",
        "t.me",
        "reddit.com",
        "pinterest.com",
        "google.com",
        "qq.com",
        "hatena.ne.jp",
        "getpocket.com",
        "tumblr.com",
        "vk.com",
    ];
    let known = HOSTS.iter().any(|s| {
        host.ends_with(s)
            && (host.len() == s.len() || host.as_bytes()[host.len() - s.len() - 1] == b'.')
    });
    if !known {
        return h.starts_with("mailto:?") && h.contains("subject=");
    }
    const ENDPOINTS: &[&str] = &[
        "twitter.com/share",
        "twitter.com/intent/tweet",
        "x.com/intent/tweet",
        "facebook.com/sharer",
        "facebook.com/share.php",
        "linkedin.com/sharearticle",
        "linkedin.com/shareArticle",
        "service.weibo.com/share",
        "social-plugins.line.me",
        "line.me/r/msg",
        "api.whatsapp.com/send",
        "wa.me/?text",
        "telegram.me/share",
        "t.me/share",
        "reddit.com/submit",
        "pinterest.com/pin/create",
        "plus.google.com/share",
        "connect.qq.com/widget/shareqq",
        "sns.qzone.qq.com/cgi-bin/qzshare",
        "b.hatena.ne.jp/entry",
        "getpocket.com/save",
        "tumblr.com/share",
        "vk.com/share.php",
    ];
    ENDPOINTS.iter().any(|e| h.contains(e)) || (h.starts_with("mailto:?") && h.contains("subject="))
}

/// Elements that make blocks of their own, where labels and lists live.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "aside"
            | "nav"
            | "header"
            | "footer"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "blockquote"
            | "table"
            | "figure"
    )
}

fn is_control(name: &str) -> bool {
    matches!(name, "input" | "button" | "select" | "textarea" | "form")
}

/// The visible text of a subtree, whitespace collapsed.
fn text_of(node: NodeRef<'_, Node>) -> String {
    let mut out = String::new();
    push_text(node, &mut out);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn push_text(node: NodeRef<'_, Node>, out: &mut String) {
    match node.value() {
        Node::Text(t) => out.push_str(t),
        Node::Element(el) if is_invisible(el.name()) || is_hidden(el) => {}
        // Icons say what a button is: `[Twitter logo]`.
        Node::Element(el) if el.name() == "img" => {
            if let Some(alt) = attr(el, "alt").map(str::trim).filter(|a| !a.is_empty()) {
                out.push_str(&format!(" [{alt}] "));
            }
        }
        Node::Element(el) => {
            let block = !matches!(
                el.name(),
                "a" | "span" | "b" | "i" | "em" | "strong" | "small" | "font" | "u" | "sup" | "sub"
            );
            if block {
                out.push(' ');
            }
            for c in node.children() {
                push_text(c, out);
            }
            if block {
                out.push(' ');
            }
        }
        _ => {
            for c in node.children() {
                push_text(c, out);
            }
        }
    }
}

/// Marks `node` as chrome of `kind`, recording its text.
fn mark_node(marks: &mut Marks, cleaning: &mut Cleaning, node: NodeRef<'_, Node>, kind: Kind) {
    cleaning.record(kind, text_of(node));
    marks.nodes.insert(node.id(), kind);
}

/// The chrome finder's view of one post: every node's [`Info`] by preorder index.
struct Finder<'i> {
    infos: &'i [Info],
    /// The post's visible characters.
    total: usize,
}

impl Finder<'_> {
    /// The children of the node at index `at`, with theirs.
    fn children<'t>(
        &'t self,
        node: NodeRef<'t, Node>,
        at: usize,
    ) -> impl Iterator<Item = (NodeRef<'t, Node>, usize)> + 't {
        node.children().scan(at + 1, |next, child| {
            let i = *next;
            *next += self.infos[i].size;
            Some((child, i))
        })
    }

    fn walk(
        &self,
        node: NodeRef<'_, Node>,
        at: usize,
        root: bool,
        marks: &mut Marks,
        cleaning: &mut Cleaning,
    ) {
        if !root {
            if let Some(kind) = self.classify(node, at) {
                mark_node(marks, cleaning, node, kind);
                return;
            }
        }
        let mut children = self.children(node, at).peekable();
        while let Some((child, i)) = children.next() {
            // A label alone ("相关阅读：", `<h3>Related</h3>`) followed by link lists.
            if self.is_label(child, i, |l| l.related) {
                let mut lists = Vec::new();
                while let Some(&(next, j)) = children.peek() {
                    if self.is_blank(next, j) {
                        children.next();
                        continue;
                    }
                    let s = self.infos[j].stats;
                    let linky = s.links > 0 && s.prose() <= 12 && s.link_text * 10 >= s.text * 8;
                    if !linky || s.caption {
                        break;
                    }
                    lists.push(next);
                    children.next();
                }
                if !lists.is_empty() {
                    mark_node(marks, cleaning, child, Kind::Related);
                    for l in lists {
                        mark_node(marks, cleaning, l, Kind::Related);
                    }
                    continue;
                }
            }
            if child.value().is_element() {
                self.walk(child, i, false, marks, cleaning);
            } else if child.value().as_text().is_some_and(|t| {
                // `is_prompt` of the untrimmed text: the trimmed one's, unless too long.
                t.len() <= PROMPT_LEN && self.infos[i].first.text.is_some_and(|(_, l)| l.prompt)
            }) {
                mark_node(marks, cleaning, child, Kind::Prompt);
            }
        }
    }

    /// A line inviting to subscribe, whose link goes to the sign-up page: NYT's
    /// "（欢迎点击此处订阅NYT简报…）", "Sign up here".
    fn subscribe_line(&self, node: NodeRef<'_, Node>, at: usize) -> Option<Kind> {
        let s = self.infos[at].stats;
        (s.links > 0
            && s.text <= 120
            && contains_cue(&text_of(node), SUBSCRIBE_VERBS)
            && links_to_sign_up(node))
        .then_some(Kind::Newsletter)
    }

    /// Whitespace, comments, or an element with no visible text and no picture.
    fn is_blank(&self, node: NodeRef<'_, Node>, at: usize) -> bool {
        match node.value() {
            Node::Text(t) => t.trim().is_empty(),
            Node::Element(_) => {
                let s = self.infos[at].stats;
                s.text == 0 && s.images == 0
            }
            _ => true,
        }
    }

    /// Whether `node`'s whole text is a label in `cues` ("相关阅读：", "Related articles").
    fn is_label(
        &self,
        node: NodeRef<'_, Node>,
        at: usize,
        cues: impl Fn(&Label) -> Option<usize>,
    ) -> bool {
        let Some(el) = node.value().as_element() else {
            return false;
        };
        if !is_block(el.name()) {
            return false;
        }
        // The label starts the block (cheap to look at), and is all of it.
        let info = &self.infos[at];
        let Some(n) = info.first.text.and_then(|(_, label)| cues(&label)) else {
            return false;
        };
        info.stats.text == n
    }

    /// The kind of chrome `node` is, or `None` for content (or a wrapper to look into).
    fn classify(&self, node: NodeRef<'_, Node>, at: usize) -> Option<Kind> {
        let el = node.value().as_element()?;
        let name = el.name();
        if is_invisible(name) || matches!(name, "html" | "body" | "article" | "main") {
            return None;
        }
        let info = &self.infos[at];
        let by_name = attr_kind(el);
        let has_control = !is_control(name) && info.control;
        // Labels head blocks; a link or a word in a sentence can be "recommended".
        let block = is_block(name);
        let prompt_name = matches!(name, "a" | "p" | "div" | "span" | "button" | "figcaption");
        let label = info.first.text.map(|(_, label)| label);
        let related_label = label.filter(|_| block).and_then(|l| l.related);
        let share_label = label.filter(|_| block).and_then(|l| l.share);
        let positioned = attr(el, "style").is_some_and(is_positioned_over);
        let prompt = prompt_name && label.is_some_and(|l| l.prompt);
        let signal = by_name.is_some()
            || has_control
            || related_label.is_some()
            || share_label.is_some()
            || positioned
            || prompt
            || name == "nav"
            || info.share;
        if !signal {
            // A paragraph can still be a line inviting to subscribe, which has a link.
            let linked = name == "p" && info.link;
            return linked.then(|| self.subscribe_line(node, at)).flatten();
        }
        let s = info.stats;
        // Empty slots produce nothing anyway; marking them would only add noise to the report.
        // Most of a post, in words, is the post (a short one is never mostly a share bar).
        let most = s.prose() > 40 && s.text * 2 > self.total;
        if (s.text == 0 && s.images == 0) || s.caption || most {
            return None;
        }
        if s.share_links > 0 && s.share_links * 2 >= s.links && s.prose() <= 40 && !s.quote {
            return Some(Kind::Share);
        }
        let short = s.prose() <= MAX_PROSE && s.longest_run <= MAX_PROSE / 2;
        let linky = s.links > 0 && s.link_text * 10 >= s.text * 6;
        // A prompt's own element, not the figure it sits in.
        if prompt && s.text <= 30 && s.images == 0 {
            return Some(Kind::Prompt);
        }
        if let Some(label_len) = related_label {
            // The label, then links: `延伸閱讀` + headlines, or one `延伸阅读：<title>` link.
            let rest_prose = s.prose().saturating_sub(label_len);
            if s.links > 0 && rest_prose <= 12 && s.link_text * 10 >= (s.text - label_len) * 8 {
                return Some(Kind::Related);
            }
        }
        if let Some(label_len) = share_label {
            if s.prose().saturating_sub(label_len) <= 12 && s.text <= 60 {
                return Some(Kind::Share);
            }
        }
        if has_control && s.text <= 150 && short {
            return Some(by_name.unwrap_or(Kind::Form));
        }
        if positioned && s.text <= 80 && s.links == 0 {
            return Some(Kind::Widget);
        }
        // A name alone is not enough (sites misuse them: one scraped site puts its article
        // text in `subscriInnTitle` boxes): each kind also needs the content it names.
        if let Some(kind) = by_name.filter(|_| short && !s.quote) {
            let fits = match kind {
                Kind::Newsletter => contains_cue(&text_of(node), SUBSCRIBE_CUES),
                Kind::Share => s.prose() <= 60 && s.longest_run <= 40,
                Kind::Related | Kind::Navigation => linky && s.longest_run <= 60,
                Kind::Promo => s.prose() <= 60 && s.longest_run <= 30,
                _ => s.prose() <= 100,
            };
            if fits {
                return Some(kind);
            }
        }
        if name == "p" {
            if let Some(kind) = self.subscribe_line(node, at) {
                return Some(kind);
            }
        }
        if name == "nav" && linky && short {
            return Some(Kind::Navigation);
        }
        None
    }
}

/// Whether a link in `node` leads to a sign-up page, or says it does.
fn links_to_sign_up(node: NodeRef<'_, Node>) -> bool {
    node.descendants().any(|d| {
        let Some(el) = d.value().as_element().filter(|e| e.name() == "a") else {
            return false;
        };
        let href = attr(el, "href").unwrap_or_default().to_ascii_lowercase();
        [
            "subscri",
            "newsletter",
            "signup",
            "sign-up",
            "email",
            "register",
        ]
        .iter()
        .any(|w| href.contains(w))
            || contains_cue(&text_of(d), SUBSCRIBE_VERBS)
    })
}

/// When `text` starts with one of `cues` as a whole label (followed by nothing, a colon, a
/// dash or a space), the number of non-whitespace characters of that label and its separator.
fn cue_prefix(text: &str, cues: &Cues) -> Option<usize> {
    let text = text.trim_start_matches(['【', '[', '〖', '《', '■', '▶', '►', '»', ' ']);
    let first = &text.as_bytes()[..text.chars().next()?.len_utf8()];
    if !cues.may_start(first) {
        return None;
    }
    for cue in cues.words {
        // Most labels are not cues: compare whole cues only when the first character matches.
        if !cue
            .as_bytes()
            .get(..first.len())
            .is_some_and(|c| c.eq_ignore_ascii_case(first))
        {
            continue;
        }
        let Some(head) = text.get(..cue.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(cue) {
            continue;
        }
        let rest = &text[cue.len()..];
        let sep: String = rest
            .chars()
            .take_while(|c| {
                matches!(
                    c,
                    ':' | '：'
                        | '】'
                        | ']'
                        | '〗'
                        | '》'
                        | '|'
                        | '｜'
                        | '丨'
                        | '-'
                        | '—'
                        | '>'
                        | '»'
                        | ' '
                )
            })
            .collect();
        let after = &rest[sep.len()..];
        // A whole label: the cue ends there or at punctuation (not "Related to this, the
        // minister said"; a space ends a label only in scripts without spaces between words).
        let whole =
            after.is_empty() || !sep.trim().is_empty() || (!sep.is_empty() && !cue.is_ascii());
        if whole {
            let n = cue.chars().filter(|c| !c.is_whitespace()).count()
                + sep.chars().filter(|c| !c.is_whitespace()).count();
            return Some(n);
        }
    }
    None
}

fn contains_cue(text: &str, cues: &[&str]) -> bool {
    let lower = text.to_lowercase();
    cues.iter().any(|c| lower.contains(c))
}

/// Words that start labels (or make up prompts), with a filter on their first character: most
/// text starts none of them, and the finder looks at the first text of every block of every
/// post.
struct Cues {
    words: &'static [&'static str],
    /// Bit `first_char_key(w)` is set for every word `w`.
    firsts: [u64; 16],
}

impl Cues {
    const fn new(words: &'static [&'static str]) -> Cues {
        let mut firsts = [0; 16];
        let mut i = 0;
        while i < words.len() {
            let k = first_char_key(words[i].as_bytes());
            firsts[k / 64] |= 1 << (k % 64);
            i += 1;
        }
        Cues { words, firsts }
    }

    /// Whether a word may start with the character whose UTF-8 bytes `first` starts with (false
    /// means none does; true may be a collision).
    fn may_start(&self, first: &[u8]) -> bool {
        let k = first_char_key(first);
        self.firsts[k / 64] >> (k % 64) & 1 == 1
    }
}

/// The first character's bytes, ASCII folded to lower case, hashed to 10 bits.
const fn first_char_key(bytes: &[u8]) -> usize {
    let len = match bytes[0] {
        0..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    };
    let mut h: u32 = 0;
    let mut i = 0;
    while i < len && i < bytes.len() {
        h = h
            .wrapping_mul(31)
            .wrapping_add(bytes[i].to_ascii_lowercase() as u32);
        i += 1;
    }
    (h % 1024) as usize
}

/// Labels of related-article lists, in the languages of news sites.
static RELATED_CUES: Cues = Cues::new(&[
    "延伸閱讀",
    "延伸阅读",
    "相關閱讀",
    "相关阅读",
    "相關新聞",
    "相关新闻",
    "相關報導",
    "相关报道",
    "相關文章",
    "相关文章",
    "推薦閱讀",
    "推荐阅读",
    "推荐文章",
    "猜你喜歡",
    "猜你喜欢",
    "更多新聞",
    "更多新闻",
    "更多報導",
    "往期回顾",
    "往期回顧",
    "热门文章",
    "熱門文章",
    "閱讀更多",
    "阅读更多",
    "関連記事",
    "関連ニュース",
    "あわせて読みたい",
    "관련 기사",
    "관련기사",
    "Related articles",
    "Related stories",
    "Related coverage",
    "Related content",
    "Related links",
    "Related news",
    "Related posts",
    "Related reading",
    "Related",
    "Read more",
    "Read also",
    "Read next",
    "More on this story",
    "More from",
    "Recommended",
    "You may also like",
    "You might also like",
    "Also read",
    "See also",
    "Lire aussi",
    "À lire aussi",
    "Mehr zum Thema",
    "Lesen Sie auch",
    "Leer más",
    "Te puede interesar",
    "Leia também",
]);

/// Labels of share bars.
static SHARE_CUES: Cues = Cues::new(&[
    "分享到",
    "分享至",
    "分享",
    "分享本文",
    "Share this article",
    "Share this story",
    "Share this",
    "Share on",
    "Share",
    "シェア",
    "共有",
    "공유하기",
    "Partager",
    "Teilen",
    "Compartir",
]);

/// Words of a subscription invitation (lowercase).
const SUBSCRIBE_CUES: &[&str] = &[
    "订阅",
    "訂閱",
    "电子报",
    "電子報",
    "newsletter",
    "subscribe",
    "sign up",
    "メルマガ",
    "購読",
    "구독",
    "abonnez",
    "abonnieren",
    "suscríbete",
];

/// Words asking to subscribe (lowercase): a line that names a newsletter is not yet an
/// invitation ("Newsletters" is also a category).
const SUBSCRIBE_VERBS: &[&str] = &[
    "订阅",
    "訂閱",
    "subscribe",
    "sign up",
    "購読",
    "登録",
    "구독",
    "abonnez",
    "abonnieren",
    "suscríbete",
];

/// Whole-block texts of buttons and prompts (compared without case, spaces and arrows).
static PROMPTS: Cues = Cues::new(&[
    "点击查看大图",
    "點擊查看大圖",
    "点击看大图",
    "點擊看大圖",
    "点击图片查看大图",
    "点击放大",
    "點擊放大",
    "查看大图",
    "查看原图",
    "继续阅读",
    "繼續閱讀",
    "阅读全文",
    "閱讀全文",
    "查看全文",
    "阅读原文",
    "閱讀原文",
    "查看原文",
    "展开全文",
    "展開全文",
    "点击阅读全文",
    "點擊閱讀全文",
    "clicktoenlarge",
    "clicktoexpand",
    "clickheretoenlarge",
    "continuereading",
    "continuereadingthemainstory",
    "continuereadingthestory",
    "readmore",
    "readthefullstory",
    "readthefullarticle",
    "readfullstory",
    "readfullarticle",
    "続きを読む",
    "もっと見る",
    "拡大する",
    "더보기",
    "계속읽기",
    "lirelasuite",
    "weiterlesen",
    "leermás",
]);

/// Text longer than this, in bytes, is never a prompt.
const PROMPT_LEN: usize = 80;

/// Whether `text` is nothing but a prompt ("点击查看大图", "Continue reading »").
fn is_prompt(text: &str) -> bool {
    if text.len() > PROMPT_LEN {
        return false;
    }
    // Most text is no prompt: its first letter already says so (this runs on every short text).
    let Some(first) = text.chars().find(|c| c.is_alphanumeric()) else {
        return false;
    };
    let first = first.to_lowercase().next().unwrap_or(first);
    if !PROMPTS.may_start(first.encode_utf8(&mut [0; 4]).as_bytes()) {
        return false;
    }
    // The key (letters and digits, lowercase) in a buffer on the stack: this runs on every
    // short label of every post.
    let mut buf = [0u8; 96];
    let mut len = 0;
    for c in text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
    {
        if len + c.len_utf8() > buf.len() {
            return false;
        }
        len += c.encode_utf8(&mut buf[len..]).len();
    }
    let key = std::str::from_utf8(&buf[..len]).unwrap_or_default();
    !key.is_empty() && PROMPTS.words.contains(&key)
}

/// Text placed over a picture at percentages (`top:6.4%;left:42.9%`), as ai2html graphics do.
fn is_positioned_over(style: &str) -> bool {
    if !style.contains('%') {
        return false;
    }
    let s: String = style
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    let pct = |prop: &str| {
        s.split(';').any(|decl| {
            decl.strip_prefix(prop)
                .is_some_and(|v| v.ends_with('%') && v.len() > 1)
        })
    };
    pct("top:") && pct("left:")
}

/// What the element's class, id or role names call it.
fn attr_kind(el: &scraper::node::Element) -> Option<Kind> {
    let mut found: Option<Kind> = None;
    // One pass over the attributes (this runs on every element of every post).
    for (name, value) in attrs(el) {
        match name {
            // A landmark role says it all.
            "role" => match value.trim() {
                "navigation" | "menubar" | "toolbar" => return Some(Kind::Navigation),
                "form" | "search" => return Some(Kind::Form),
                "banner" | "contentinfo" => return Some(Kind::Navigation),
                _ => {}
            },
            "class" | "id" => {
                let mut prev = Word::default();
                for_each_word(value, |w| {
                    // Each word is judged with the one after it (`more article`); the last
                    // with "".
                    if let Some(kind) = word_kind(prev.as_bytes(), w) {
                        // The most specific kind wins over a generic one (a "newsletter promo"
                        // box).
                        if found.is_none_or(|f| kind < f) {
                            found = Some(kind);
                        }
                    }
                    prev = Word::from(w);
                });
            }
            _ => {}
        }
    }
    found
}

/// A word of a class name, lowercased, on the stack (longer words are cut; none that long is
/// a chrome word).
#[derive(Default, Clone, Copy)]
struct Word {
    buf: [u8; 24],
    len: usize,
}

impl Word {
    fn from(w: &[u8]) -> Word {
        let mut word = Word::default();
        let n = w.len().min(word.buf.len());
        word.buf[..n].copy_from_slice(&w[..n]);
        word.len = n;
        word
    }

    /// ASCII letters and digits only, so bytes: no UTF-8 check per word.
    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// Calls `f` with each word of a class or id, split at non-alphanumerics and lower-to-upper
/// case changes (`mySubscriptionInner` → `my subscription inner`) and lowercased, then once
/// with "" to end the last pair. Without allocating: it runs on every class of every post.
fn for_each_word(value: &str, mut f: impl FnMut(&[u8])) {
    let mut cur = Word::default();
    let mut prev_lower = false;
    let emit = |cur: &mut Word, f: &mut dyn FnMut(&[u8])| {
        if cur.len > 0 {
            f(cur.as_bytes());
            cur.len = 0;
        }
    };
    for b in value.bytes() {
        if !b.is_ascii_alphanumeric() {
            emit(&mut cur, &mut f);
            prev_lower = false;
            continue;
        }
        if b.is_ascii_uppercase() && prev_lower {
            emit(&mut cur, &mut f);
        }
        prev_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
        if cur.len < cur.buf.len() {
            cur.buf[cur.len] = b.to_ascii_lowercase();
            cur.len += 1;
        }
    }
    emit(&mut cur, &mut f);
    f(b"");
}

fn word_kind(w: &[u8], next: &[u8]) -> Option<Kind> {
    Some(match w {
        b"newsletter" | b"newsletters" | b"subscribe" | b"subscription" | b"subscriptions"
        | b"signup" | b"epaper" | b"mailinglist" => Kind::Newsletter,
        _ if w.starts_with(b"subscri") || w.starts_with(b"newsletter") => Kind::Newsletter,
        b"share" | b"shares" | b"sharing" | b"sharebar" | b"sharedaddy" | b"social" | b"sns"
        | b"addthis" | b"addtoany" | b"sharethis" => Kind::Share,
        b"related" | b"recommend" | b"recommended" | b"recommendation" | b"recommendations"
        | b"readmore" | b"morearticles" | b"morestories" | b"outbrain" | b"taboola" => {
            Kind::Related
        }
        b"more"
            if matches!(
                next,
                b"article" | b"articles" | b"stories" | b"news" | b"link" | b"links"
            ) =>
        {
            Kind::Related
        }
        b"read" if matches!(next, b"more" | b"next" | b"also") => Kind::Related,
        b"ad" | b"ads" | b"adslot" | b"adsense" | b"advert" | b"advertisement" | b"advertising"
        | b"dfp" | b"sponsor" | b"sponsored" | b"promo" | b"promotion" | b"banner" => Kind::Promo,
        _ if w.starts_with(b"advert") || w.starts_with(b"sponsor") => Kind::Promo,
        b"toolbar" | b"breadcrumb" | b"breadcrumbs" | b"pagination" | b"pager" => Kind::Navigation,
        b"comment" | b"comments" if matches!(next, b"form" | b"respond" | b"reply") => Kind::Form,
        b"respond" | b"commentform" => Kind::Form,
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Signals on the model: position, same-site links, the mirror's footer.

/// Cleans the blocks of a post after the readers built them: signals that need the post's
/// metadata (its source's host) or the blocks' positions. With `--keep-chrome`, link lists are
/// still made lists, never removed.
pub fn clean_blocks(blocks: &mut Vec<Block>, meta: &Meta, cleaning: &mut Cleaning) {
    links_to_lists(blocks);
    if !cleaning.removing() {
        return;
    }
    remove_labelled_links(blocks, cleaning);
    let host = meta.source.as_deref().and_then(host_of);
    // The tail: a footer, same-site headline lists, and the rules that set them off.
    while let Some(i) = blocks.iter().rposition(|b| *b != Block::Rule) {
        let after_rule = i > 0 && blocks[i - 1] == Block::Rule;
        let kind = match &blocks[i] {
            b if after_rule && is_footer(b, host.as_deref()) => Kind::Footer,
            b if is_same_site_list(b, host.as_deref()) => Kind::Related,
            _ => break,
        };
        cleaning.record(kind, block_text(&blocks[i]));
        blocks.truncate(i);
        while blocks.last() == Some(&Block::Rule) {
            blocks.pop();
        }
    }
}

/// A related-reading label as a block of its own ("相关阅读：" ending a paragraph, split off at
/// its `<br><br>`), followed by blocks that are nothing but links: all of it goes.
fn remove_labelled_links(blocks: &mut Vec<Block>, cleaning: &mut Cleaning) {
    let mut i = 0;
    while i < blocks.len() {
        let label = match &blocks[i] {
            // Labels are short: no paragraph's text is built just to find that out.
            Block::Paragraph(c) | Block::Heading { content: c, .. } if inlines_fit(c, &mut 64) => {
                let text = plain_text(c);
                cue_prefix(text.trim(), &RELATED_CUES).is_some_and(|n| n == visible_chars(&text))
            }
            _ => false,
        };
        let links = match label {
            true => blocks[i + 1..]
                .iter()
                .take_while(|b| is_links_only(b))
                .count(),
            false => 0,
        };
        if links > 0 {
            for b in blocks.drain(i..=i + links) {
                cleaning.record(Kind::Related, block_text(&b));
            }
        } else {
            i += 1;
        }
    }
}

/// A block of nothing but links: a headline link as paragraph or heading, or a list of them.
fn is_links_only(block: &Block) -> bool {
    let inlines_are_links = |c: &[Inline]| {
        c.iter().any(|i| matches!(i, Inline::Link(_)))
            && c.iter().all(|i| match i {
                Inline::Link(_) | Inline::LineBreak => true,
                Inline::Text(t) => t.trim().is_empty(),
                Inline::Strong(inner) | Inline::Emph(inner) => {
                    inner.iter().all(|x| matches!(x, Inline::Link(_)))
                }
                _ => false,
            })
    };
    match block {
        Block::Paragraph(c) | Block::Heading { content: c, .. } => inlines_are_links(c),
        Block::List { items, .. } => items.iter().all(|item| item.iter().all(is_links_only)),
        Block::Quote(inner) => !inner.is_empty() && inner.iter().all(is_links_only),
        _ => false,
    }
}

/// A paragraph that is nothing but links (and spaces or separators between them) runs the
/// headlines together in one line: it becomes a list, one link per item.
fn links_to_lists(blocks: &mut [Block]) {
    for b in blocks.iter_mut() {
        match b {
            Block::Paragraph(inlines) => {
                // Links with words: a linked picture alone in an item would read back as a figure.
                let links = inlines
                    .iter()
                    .filter(|i| matches!(i, Inline::Link(l) if is_text_link(l)))
                    .count();
                let only_links = inlines.iter().all(|i| match i {
                    Inline::Link(l) => is_text_link(l),
                    Inline::LineBreak => true,
                    Inline::Text(t) => t.trim().is_empty(),
                    _ => false,
                });
                if links >= 2 && only_links {
                    let items = std::mem::take(inlines)
                        .into_iter()
                        .filter(|i| matches!(i, Inline::Link(_)))
                        .map(|l| vec![Block::Paragraph(vec![l])])
                        .collect();
                    *b = Block::List {
                        ordered: false,
                        start: 1,
                        items,
                        tight: true,
                    };
                }
            }
            Block::Quote(inner) => links_to_lists(inner),
            Block::List { items, .. } => items.iter_mut().for_each(|i| links_to_lists(i)),
            _ => {}
        }
    }
}

fn is_text_link(link: &crate::model::Link) -> bool {
    !plain_text(&link.content).trim().is_empty()
        && !link.content.iter().any(|i| matches!(i, Inline::Image(_)))
}

/// A mirror's sign-off at the very end, set off by a rule: short, and linking to the bare home
/// pages of other sites (`获取更多RSS：https://feedx.net https://feedx.xyz`).
fn is_footer(block: &Block, host: Option<&str>) -> bool {
    let Block::Paragraph(inlines) = block else {
        return false;
    };
    let text = plain_text(inlines);
    let chars = text.chars().filter(|c| !c.is_whitespace()).count();
    let mut links = 0;
    let mut home_pages = 0;
    for i in inlines {
        if let Inline::Link(l) = i {
            links += 1;
            let elsewhere = host.is_none_or(|h| host_of(&l.url).is_some_and(|x| !same_site(&x, h)));
            home_pages += usize::from(is_home_page(&l.url) && elsewhere);
        }
    }
    chars <= 120 && links > 0 && home_pages == links
}

fn is_home_page(url: &str) -> bool {
    match url::Url::parse(url) {
        Ok(u) => {
            u.host_str().is_some()
                && matches!(u.path(), "" | "/")
                && u.query().is_none()
                && u.fragment().is_none()
        }
        Err(_) => false,
    }
}

/// A list of at least two headline links to the post's own site, and nothing else.
fn is_same_site_list(block: &Block, host: Option<&str>) -> bool {
    let Some(host) = host else { return false };
    let Block::List { items, .. } = block else {
        return false;
    };
    items.len() >= 2
        && items.iter().all(|item| match item.as_slice() {
            [Block::Paragraph(inlines)] => match inlines.as_slice() {
                [Inline::Link(l)] => host_of(&l.url).is_some_and(|h| same_site(&h, host)),
                _ => false,
            },
            _ => false,
        })
}

fn host_of(url: &str) -> Option<String> {
    let host = plain_host(url).map(str::to_owned).or_else(|| {
        let u = url::Url::parse(url).ok()?;
        Some(u.host_str()?.to_ascii_lowercase())
    })?;
    Some(host.trim_start_matches("www.").to_owned())
}

/// The host of an `http(s)` URL whose host is already in the form URL parsing gives it
/// (lowercase letters, digits, dots and hyphens, not an IPv4 address or punycode), found
/// without parsing the URL: every post's source passes here, and parsing a long
/// percent-encoded path costs more than the rest of the post's boilerplate check.
fn plain_host(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    let plain = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && !host.contains("xn--")
        && host
            .trim_end_matches('.')
            .rsplit('.')
            .next()
            .is_some_and(|last| last.starts_with(|c: char| c.is_ascii_lowercase()));
    plain.then_some(host)
}

/// `cn.nytimes.com` and `www.nytimes.com` are one site.
fn same_site(a: &str, b: &str) -> bool {
    let base = |h: &str| {
        let parts: Vec<&str> = h.rsplitn(3, '.').collect();
        match parts.as_slice() {
            [tld, name, ..] if tld.len() == 2 && name.len() <= 3 => h.to_string(),
            [tld, name, ..] => format!("{name}.{tld}"),
            _ => h.to_string(),
        }
    };
    base(a) == base(b)
}

/// Whether the text of `inlines` takes at most `budget` bytes (what is left of it is left in
/// `budget`), found without building the text and stopping as soon as it does not.
fn inlines_fit(inlines: &[Inline], budget: &mut usize) -> bool {
    inlines.iter().all(|i| match i {
        Inline::Text(t) | Inline::Code(t) => match budget.checked_sub(t.len()) {
            Some(left) => {
                *budget = left;
                true
            }
            None => false,
        },
        Inline::Emph(c)
        | Inline::Strong(c)
        | Inline::Strike(c)
        | Inline::Sub(c)
        | Inline::Sup(c) => inlines_fit(c, budget),
        Inline::Link(l) => inlines_fit(&l.content, budget),
        Inline::Image(img) => match budget.checked_sub(img.alt.len()) {
            Some(left) => {
                *budget = left;
                true
            }
            None => false,
        },
        Inline::Math(m) => match budget.checked_sub(m.tex.len()) {
            Some(left) => {
                *budget = left;
                true
            }
            None => false,
        },
        // A note's text is not part of its line.
        Inline::LineBreak | Inline::Note(_) | Inline::Check(_) => true,
    })
}

fn block_fits(block: &Block, budget: &mut usize) -> bool {
    match block {
        Block::Paragraph(c) | Block::Heading { content: c, .. } => inlines_fit(c, budget),
        Block::List { items, .. } => items.iter().flatten().all(|b| block_fits(b, budget)),
        Block::Quote(inner) => inner.iter().all(|b| block_fits(b, budget)),
        _ => true,
    }
}

fn block_has_link(block: &Block) -> bool {
    let inlines = |c: &[Inline]| c.iter().any(|i| matches!(i, Inline::Link(_)));
    match block {
        Block::Paragraph(c) | Block::Heading { content: c, .. } => inlines(c),
        Block::List { items, .. } => items.iter().flatten().any(block_has_link),
        Block::Quote(inner) => inner.iter().any(block_has_link),
        _ => false,
    }
}

/// A block's text, for the report.
pub fn block_text(block: &Block) -> String {
    let mut out = String::new();
    for_each_text(block, &mut |t| out.push_str(t));
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The pieces of a block's text in order, a space after each paragraph's.
fn for_each_text(block: &Block, f: &mut dyn FnMut(&str)) {
    match block {
        Block::Heading { content, .. } | Block::Paragraph(content) => {
            for_each_plain_text(content, f);
            f(" ");
        }
        Block::List { items, .. } => items.iter().flatten().for_each(|b| for_each_text(b, f)),
        Block::Quote(inner) => inner.iter().for_each(|b| for_each_text(b, f)),
        Block::Code { text, .. } => f(text),
        Block::Figure(img) => f(&img.alt),
        Block::Table(_) | Block::Rule => {}
    }
}

// ---------------------------------------------------------------------------------------------
// The folder-wide signal: boilerplate repeated across posts of one source.

/// The source a post comes from, for comparing its boilerplate with its siblings': the host of
/// its original URL, else its first category or author.
fn source_key(meta: &Meta) -> String {
    meta.source
        .as_deref()
        .and_then(host_of)
        .or_else(|| meta.categories.first().cloned())
        .or_else(|| meta.authors.first().cloned())
        .unwrap_or_default()
}

/// The identity of a short edge block: its source and its text without whitespace. `None` for
/// blocks that are never boilerplate (headings, figures, code, tables, long blocks).
fn edge_hash(source: &str, block: &Block) -> Option<u64> {
    if !matches!(
        block,
        Block::Paragraph(_) | Block::List { .. } | Block::Quote(_)
    ) || !block_fits(block, &mut (MAX_BOILERPLATE * 4))
    {
        return None;
    }
    // Characters other than whitespace, counted no further than one too many, before anything
    // is hashed: most edge blocks are sentences too long to be boilerplate.
    let mut n = 0;
    for_each_text(block, &mut |text| {
        if n <= MAX_BOILERPLATE {
            n += text
                .chars()
                .filter(|c| !c.is_whitespace())
                .take(MAX_BOILERPLATE + 1 - n)
                .count();
        }
    });
    if n > MAX_BOILERPLATE || (n < MIN_BOILERPLATE && !block_has_link(block)) || n < 4 {
        return None;
    }
    // FNV-1a of the source, a NUL and the text without whitespace: stable across runs and
    // versions (the hashes are kept in the cache).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut add = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    source.bytes().chain([0]).for_each(&mut add);
    for_each_text(block, &mut |text| {
        text.split(char::is_whitespace)
            .for_each(|run| run.bytes().for_each(&mut add));
    });
    Some(h)
}

/// The hashes of the short blocks that open and close a post (see [`edge_hash`]): what the
/// folder-wide boilerplate count is made of.
pub fn edge_hashes(meta: &Meta, blocks: &[Block]) -> Vec<u64> {
    let source = source_key(meta);
    let n = blocks.len();
    let mut out: Vec<u64> = blocks
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < EDGE_BLOCKS || *i + EDGE_BLOCKS >= n)
        .filter_map(|(_, b)| edge_hash(&source, b))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// In how many posts of one source a block must recur to be boilerplate.
pub const BOILERPLATE_POSTS: usize = 5;

/// The boilerplate of a folder: edge blocks found in at least [`BOILERPLATE_POSTS`] posts.
/// `hashes` is each post's [`edge_hashes`].
pub fn boilerplate<'a>(hashes: impl Iterator<Item = &'a [u64]>) -> Vec<u64> {
    let mut counts: HashMap<u64, usize> = HashMap::new();
    for post in hashes {
        for &h in post {
            *counts.entry(h).or_default() += 1;
        }
    }
    let mut out: Vec<u64> = counts
        .into_iter()
        .filter(|&(_, n)| n >= BOILERPLATE_POSTS)
        .map(|(h, _)| h)
        .collect();
    out.sort_unstable();
    out
}

/// Removes the edge blocks of a post that are its source's `boilerplate` (sorted), with any
/// rule left dangling at an end; returns what was removed.
pub fn remove_boilerplate(
    meta: &Meta,
    blocks: &mut Vec<Block>,
    boilerplate: &[u64],
) -> Vec<Removed> {
    let mut removed = Vec::new();
    if boilerplate.is_empty() {
        return removed;
    }
    let source = source_key(meta);
    let n = blocks.len();
    let mut i = 0;
    blocks.retain(|b| {
        let edge = i < EDGE_BLOCKS || i + EDGE_BLOCKS >= n;
        i += 1;
        let hit =
            edge && edge_hash(&source, b).is_some_and(|h| boilerplate.binary_search(&h).is_ok());
        if hit {
            removed.push(Removed {
                kind: Kind::Boilerplate,
                text: block_text(b),
            });
        }
        !hit
    });
    if !removed.is_empty() {
        while matches!(blocks.last(), Some(Block::Rule)) {
            blocks.pop();
        }
        while matches!(blocks.first(), Some(Block::Rule)) {
            blocks.remove(0);
        }
    }
    removed
}

/// How many blocks of each kind were removed: the report's `chrome_removed`, per post and in
/// all. A fixed array rather than a map because every post's is held until the run ends (in its
/// record and its cache entry): a map's first node alone is ~400 bytes, which at 100,000 posts
/// was a quarter of the run's peak memory. Serialized as a map from kind name to count, in name
/// order, zeros left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts([u32; Kind::ALL.len()]);

impl Counts {
    /// The count of each kind in `removed`.
    pub fn of(removed: &[Removed]) -> Counts {
        let mut counts = Counts::default();
        for r in removed {
            counts.add(r.kind, 1);
        }
        counts
    }

    pub fn add(&mut self, kind: Kind, n: u32) {
        let slot = &mut self.0[kind as usize];
        *slot = slot.saturating_add(n);
    }

    pub fn get(&self, kind: Kind) -> u32 {
        self.0[kind as usize]
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&n| n == 0)
    }

    /// Adds every count of `other`.
    pub fn add_all(&mut self, other: &Counts) {
        for kind in Kind::ALL {
            self.add(kind, other.get(kind));
        }
    }

    /// The kinds with a count, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (Kind, u32)> + '_ {
        Kind::BY_NAME
            .iter()
            .map(|&kind| (kind, self.get(kind)))
            .filter(|&(_, n)| n > 0)
    }
}

impl serde::Serialize for Counts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter().map(|(kind, n)| (kind.name(), n)))
    }
}

impl<'de> serde::Deserialize<'de> for Counts {
    /// Kind names this version does not know (from a cache another version wrote) are left out.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Counts, D::Error> {
        let map = std::collections::BTreeMap::<String, u32>::deserialize(deserializer)?;
        let mut counts = Counts::default();
        for (name, n) in map {
            if let Some(kind) = Kind::ALL.into_iter().find(|k| k.name() == name) {
                counts.add(kind, n);
            }
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::html::read_html_with;

    #[test]
    fn characters_are_counted_on_bytes() {
        for text in [
            "",
            "  a b\tc\n",
            "中文，测试。“引号”",
            "non\u{a0}breaking\u{3000}ideographic\u{2003}em\u{0b}vt",
            &"长句子。".repeat(300),
        ] {
            let visible = text.chars().filter(|c| !c.is_ascii_whitespace()).count();
            assert_eq!(visible_chars(text), visible, "{text}");
        }
    }

    #[test]
    fn plain_hosts_are_the_hosts_url_parsing_gives() {
        let parsed = |u: &str| {
            url::Url::parse(u)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
        };
        for u in [
            "https://www.iyouport.org/%e8%a2%ab/?share=twitter",
            "http://example.com",
            "https://a-b.c-d.example.co.uk?x=1#y",
            "https://news.example.",
        ] {
            assert_eq!(plain_host(u).map(str::to_owned), parsed(u), "{u}");
        }
        // Left to the URL parser: case, ports, user info, IPv4, punycode, other schemes.
        for u in [
            "https://Example.com/",
            "https://example.com:8080/",
            "https://user@example.com/",
            "http://127.1/",
            "http://1.2.3.4/",
            "https://xn--fsqu00a.xn--3lr804guic/",
            "ftp://example.com/",
            "http://www.curry-5.com>curry",
        ] {
            assert_eq!(plain_host(u), None, "{u}");
        }
        assert_eq!(
            host_of("https://www.Example.com:443/x").as_deref(),
            Some("example.com")
        );
    }

    #[test]
    fn counts_index_every_kind_and_serialize_in_name_order() {
        for (i, kind) in Kind::ALL.into_iter().enumerate() {
            assert_eq!(kind as usize, i, "{kind:?}");
        }
        let names: Vec<&str> = Kind::BY_NAME.iter().map(|k| k.name()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
        assert_eq!(names.len(), Kind::ALL.len());

        let removed = |kind| Removed {
            kind,
            text: String::new(),
        };
        let mut counts = Counts::of(&[
            removed(Kind::Share),
            removed(Kind::Footer),
            removed(Kind::Share),
        ]);
        counts.add(Kind::Boilerplate, 0);
        let json = serde_json::to_string(&counts).unwrap();
        assert_eq!(json, r#"{"footer":1,"share":2}"#);
        // Names another version wrote and this one does not know are dropped.
        let read: Counts = serde_json::from_str(r#"{"footer":1,"share":2,"sidebar":7}"#).unwrap();
        assert_eq!(read, counts);
        assert!(Counts::default().is_empty() && !counts.is_empty());
    }

    /// Reads `html` as a post body, removing chrome; returns the text of the blocks kept and what
    /// was removed, by kind.
    fn clean(html: &str) -> (String, Vec<(Kind, String)>) {
        let mut cleaning = Cleaning::new(false);
        let mut blocks = read_html_with(html, &mut Vec::new(), &mut cleaning);
        let meta = Meta {
            source: Some("https://www.example-news.test/a/1".into()),
            ..Meta::default()
        };
        clean_blocks(&mut blocks, &meta, &mut cleaning);
        let removed = cleaning.into_removed();
        let text = blocks.iter().map(block_text).collect::<Vec<_>>().join("\n");
        (
            text,
            removed.into_iter().map(|r| (r.kind, r.text)).collect(),
        )
    }

    fn words(value: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_word(value, |w| out.push(String::from_utf8(w.to_vec()).unwrap()));
        assert_eq!(out.pop().as_deref(), Some(""));
        out
    }

    #[test]
    fn class_names_split_into_words() {
        assert_eq!(
            words("mySubscriptionInner"),
            ["my", "subscription", "inner"]
        );
        assert_eq!(words("o-self-promo--nl"), ["o", "self", "promo", "nl"]);
        assert_eq!(words("ads_KbHEVhh8Rw"), ["ads", "kb", "hevhh8", "rw"]);
        assert_eq!(words("shadow header"), ["shadow", "header"]);
    }

    #[test]
    fn labels_are_whole() {
        assert_eq!(
            cue_prefix("延伸阅读：德国哈勒市枪击案", &RELATED_CUES),
            Some(5)
        );
        assert_eq!(cue_prefix("Related articles", &RELATED_CUES), Some(15));
        assert_eq!(cue_prefix("Related: more", &RELATED_CUES), Some(8));
        assert_eq!(
            cue_prefix("Related to this, the minister said", &RELATED_CUES),
            None
        );
        assert_eq!(cue_prefix("分享经济发展迅速", &SHARE_CUES), None);
        assert!(is_prompt("Continue reading »") && is_prompt("点击查看大图"));
        assert!(!is_prompt("Continue reading the report, she said"));
    }

    #[test]
    fn a_sign_up_box_goes_with_its_labels_and_messages() {
        let (text, removed) = clean(
            "<p>正文第一段。</p><div class='SubscriptionInner'><div>訂閱《早安世界》電子報</div>\
             <input type='text' placeholder='請輸入電子信箱'><div class='errorMsg'>請輸入正確的電子信箱格式</div>\
             <a href='javascript:'>訂閱</a><div>感謝您的訂閱！</div></div><p>正文第二段。</p>",
        );
        assert_eq!(text, "正文第一段。\n正文第二段。");
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].0, Kind::Newsletter);
        assert!(removed[0].1.contains("請輸入正確的電子信箱格式"));
    }

    #[test]
    fn names_without_matching_content_are_not_enough() {
        // A scraped site that puts its article text in boxes named like a sign-up form.
        let html = "<p>第一段。</p><div class=\"subscriInnTitle\">新疆这一波疫情爆发前，当地民众最先发消息指当地疫情恶化。</div>\
                    <div class=\"social-embed\"><blockquote>Today they sanctioned me — Marco Rubio</blockquote></div>";
        let (text, removed) = clean(html);
        assert!(
            text.contains("新疆这一波疫情爆发前") && text.contains("sanctioned me"),
            "{text}"
        );
        assert!(removed.is_empty(), "{removed:?}");
    }

    #[test]
    fn a_cue_word_inside_a_sentence_is_not_a_label() {
        let html =
            "<p>Chinese scholars in turn <a href=\"https://x.test/1\">recommended</a> that other \
                    countries use the hospitals.</p><p>延伸阅读这本书的读者不多。</p>";
        let (text, removed) = clean(html);
        assert!(text.contains("recommended that other") && text.contains("延伸阅读这本书"));
        assert!(removed.is_empty(), "{removed:?}");
    }

    #[test]
    fn related_lists_labelled_or_linking_home_go() {
        let (text, removed) = clean(
            "<p>Body.</p><p><a href=\"https://www.example-news.test/b\">延伸阅读：另一篇</a></p>\
             <p>相关阅读：</p><blockquote><p><a href=\"https://other.test/x\">一</a></p></blockquote>\
             <p>More body.</p><ul><li><a href=\"https://example-news.test/c\">C</a></li>\
             <li><a href=\"https://cn.example-news.test/d\">D</a></li></ul>",
        );
        assert_eq!(text, "Body.\nMore body.");
        assert!(
            removed.iter().all(|(k, _)| *k == Kind::Related),
            "{removed:?}"
        );
        assert_eq!(removed.len(), 4);
        // A list of links to other sites at the end is a list of sources: kept.
        let (text, _) = clean(
            "<p>Sources:</p><ul><li><a href=\"https://un.test/r.pdf\">UN report</a></li>\
             <li><a href=\"https://who.test/s.pdf\">WHO study</a></li></ul>",
        );
        assert!(text.contains("UN report") && text.contains("WHO study"));
    }

    #[test]
    fn share_bars_prompts_and_graphic_labels_go_pictures_stay() {
        let (text, removed) = clean(
            "<div class=\"service-links\"><a href=\"https://twitter.com/share?url=x\"><img src=\"t.png\" alt=\"Twitter logo\"></a></div>\
             <div class=\"pic\"><img src=\"https://i.test/p.jpg\" alt=\"港口\"><p>点击查看大图</p></div>\
             <div><img src=\"https://i.test/map.png\" alt=\"map\"><p style=\"top: 12%; left: 40%;\">Tokyo 4/2</p></div>\
             <p>正文。</p>",
        );
        assert_eq!(text, "港口\nmap\n正文。");
        let kinds: Vec<Kind> = removed.iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, [Kind::Share, Kind::Prompt, Kind::Widget]);
    }

    #[test]
    fn a_mirror_footer_after_a_rule_goes_a_closing_link_stays() {
        let (text, removed) = clean(
            "<p>正文。</p><br><hr><div>获取更多RSS：<br><a href=\"https://feedx.net\">https://feedx.net</a></div>",
        );
        assert_eq!(text, "正文。");
        assert_eq!(removed[0].0, Kind::Footer);
        let (text, removed) = clean("<p>最後再次附上網址：<a href=\"https://my.flightradar24.com/\">https://my.flightradar24.com/</a></p>");
        assert!(text.contains("flightradar24") && removed.is_empty());
    }

    #[test]
    fn keep_chrome_removes_nothing() {
        let html = "<div class=\"share\"><a href=\"https://twitter.com/share?u=1\">Tweet</a></div><p>x</p>";
        let mut cleaning = Cleaning::new(true);
        let blocks = read_html_with(html, &mut Vec::new(), &mut cleaning);
        let removed = cleaning.into_removed();
        assert_eq!(blocks.len(), 2);
        assert!(removed.is_empty());
    }

    #[test]
    fn boilerplate_needs_five_posts_of_one_source() {
        let meta = |host: &str| Meta {
            source: Some(format!("https://{host}/story")),
            ..Meta::default()
        };
        let para = |s: &str| Block::Paragraph(vec![Inline::Text(s.into())]);
        let sign_off = "© Harbour Times Media Group. All rights reserved.";
        let post = |i: usize| {
            vec![
                para(&format!("Story {i} has its own words.")),
                para(sign_off),
            ]
        };
        let mut hashes: Vec<Vec<u64>> = (0..5)
            .map(|i| edge_hashes(&meta("a.test"), &post(i)))
            .collect();
        // The same line from another source does not count for this one.
        hashes.push(edge_hashes(&meta("b.test"), &post(9)));
        let set = boilerplate(hashes.iter().map(Vec::as_slice));
        assert_eq!(set.len(), 1);
        let mut blocks = post(1);
        let removed = remove_boilerplate(&meta("a.test"), &mut blocks, &set);
        assert_eq!(blocks, vec![para("Story 1 has its own words.")]);
        assert_eq!(removed[0].kind, Kind::Boilerplate);
        let mut other = post(9);
        assert!(remove_boilerplate(&meta("b.test"), &mut other, &set).is_empty());
        // Short unlinked lines are credits, never boilerplate.
        assert!(edge_hashes(&meta("a.test"), &[para("责任编辑：叶紫微")]).is_empty());
    }
}
