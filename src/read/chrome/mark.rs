//! Finding chrome in a post's HTML before the HTML reader walks it: one survey of every node
//! ([`Info`]), then the rules (form controls, class/id/role names, cue labels, link density,
//! prompts, positioned labels) mark whole subtrees ([`Marks`]).

use super::cues::{
    contains_cue, cue_prefix, is_prompt, PROMPT_LEN, RELATED_CUES, SHARE_CUES, SUBSCRIBE_CUES,
    SUBSCRIBE_VERBS,
};
use super::removal::{Cleaning, Kind, MAX_PROSE};
use crate::read::dom::{attr, attrs, is_hidden};
use ego_tree::{NodeId, NodeRef};
use scraper::Node;
use std::collections::HashMap;

/// The nodes of a parsed HTML fragment that are chrome, found before the HTML reader walks it.
#[derive(Default)]
pub struct Marks {
    nodes: IdMap<Kind>,
}

/// Node ids are small integers handed out in order: a multiplication spreads them well enough,
/// at a fraction of SipHash's cost (the finder looks up every element of every post).
#[derive(Default)]
pub(super) struct IdHasher(u64);

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

pub(super) type IdMap<V> = HashMap<NodeId, V, std::hash::BuildHasherDefault<IdHasher>>;

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
pub(super) struct Stats {
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
pub(super) const LABEL_DEPTH: usize = 48;

/// An element's first visible, non-blank text, with its position among the element's nodes in
/// document order, and how many of those nodes there are (counted up to [`LABEL_DEPTH`]). A
/// label deeper than that is no label.
#[derive(Clone, Copy, Default)]
pub(super) struct FirstText {
    text: Option<(usize, Label)>,
    nodes: usize,
}

/// A non-blank text node, trimmed, judged once as a label: nested wrappers share their first
/// text, and every level asks.
#[derive(Clone, Copy)]
pub(super) struct Label {
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
pub(super) struct Info {
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
pub(super) fn survey(node: NodeRef<'_, Node>, infos: &mut Vec<Info>) -> usize {
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
pub(super) fn visible_chars(text: &str) -> usize {
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

pub(super) fn is_invisible(name: &str) -> bool {
    matches!(
        name,
        "script" | "style" | "noscript" | "template" | "svg" | "head" | "title"
    )
}

/// Whether `href` posts the page to a social network or messenger: a share button, whatever
/// its label or picture.
pub(super) fn is_share_endpoint(href: &str) -> bool {
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
pub(super) fn is_block(name: &str) -> bool {
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

pub(super) fn is_control(name: &str) -> bool {
    matches!(name, "input" | "button" | "select" | "textarea" | "form")
}

/// The visible text of a subtree, whitespace collapsed.
pub(super) fn text_of(node: NodeRef<'_, Node>) -> String {
    let mut out = String::new();
    push_text(node, &mut out);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(super) fn push_text(node: NodeRef<'_, Node>, out: &mut String) {
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
pub(super) fn mark_node(
    marks: &mut Marks,
    cleaning: &mut Cleaning,
    node: NodeRef<'_, Node>,
    kind: Kind,
) {
    cleaning.record(kind, text_of(node));
    marks.nodes.insert(node.id(), kind);
}

/// The chrome finder's view of one post: every node's [`Info`] by preorder index.
pub(super) struct Finder<'i> {
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
        // A chart's positioned labels are its text: the HTML reader lists them.
        if node
            .value()
            .as_element()
            .is_some_and(crate::read::chart::is_artboard)
        {
            return;
        }
        if !root {
            // A kept kind is content here; the chrome of other kinds inside it still goes.
            if let Some(kind) = self
                .classify(node, at)
                .filter(|&kind| cleaning.removes(kind))
            {
                mark_node(marks, cleaning, node, kind);
                return;
            }
        }
        let mut children = self.children(node, at).peekable();
        while let Some((child, i)) = children.next() {
            // A label alone ("相关阅读：", `<h3>Related</h3>`) followed by link lists.
            if cleaning.removes(Kind::Related) && self.is_label(child, i, |l| l.related) {
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
            } else if cleaning.removes(Kind::Prompt)
                && child.value().as_text().is_some_and(|t| {
                    // `is_prompt` of the untrimmed text: the trimmed one's, unless too long.
                    t.len() <= PROMPT_LEN && self.infos[i].first.text.is_some_and(|(_, l)| l.prompt)
                })
            {
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
pub(super) fn links_to_sign_up(node: NodeRef<'_, Node>) -> bool {
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

/// Text placed over a picture at percentages (`top:6.4%;left:42.9%`), as ai2html graphics do.
pub(super) fn is_positioned_over(style: &str) -> bool {
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
pub(super) fn attr_kind(el: &scraper::node::Element) -> Option<Kind> {
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
pub(super) struct Word {
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
pub(super) fn for_each_word(value: &str, mut f: impl FnMut(&[u8])) {
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

pub(super) fn word_kind(w: &[u8], next: &[u8]) -> Option<Kind> {
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
