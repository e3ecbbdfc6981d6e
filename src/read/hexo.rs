//! Hexo's tag plugins (`{% asset_img a.png 说明 %}`), expanded on the Markdown text before it
//! is parsed, with the parameters Hexo's own tags take (hexo/lib/plugins/tag/*) and those of
//! the NexT, Fluid and Butterfly themes (`note`, `fold`, `tabs`, `label`, `button`).
//!
//! Each tag becomes what the rest of the reader already reads: pictures figures (from the
//! post's asset folder, `source/` or the theme's), `post_link` a link to the other post's file
//! (a chapter link in a book), quotes with their attribution, code blocks with their language,
//! embedded players and pages a paragraph linking to them, notes and folds a quote led by their
//! title. Any other tag keeps its inner content and is named in a warning. As in Hexo, tags in
//! code blocks and code spans are examples and stay as written.

use super::embed::frame;
use super::prose::{capitalize, escape_markdown, fenced_code, figure_html, Prose};
use super::tags::{self, Expander, Found, Role};
use crate::relink::{path_to_url, relative_path};
use crate::site::hexo::PostName;
use crate::site::Page;
use crate::warning::{Unknown, Warning, WarningKind};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Tags that enclose content up to `{% endNAME %}`; any other tag is searched for an end tag
/// only when unknown.
const PAIRED: &[&str] = &[
    "blockquote",
    "quote",
    "codeblock",
    "code",
    "pullquote",
    "raw",
    "note",
    "fold",
    "folding",
    "tabs",
    "subtabs",
    "hidetoggle",
    "hideblock",
    "mermaid",
    "centerquote",
    "cq",
];

/// The colour and style words themes put before a note's or fold's title.
const STYLES: &[&str] = &[
    "default",
    "primary",
    "success",
    "info",
    "warning",
    "danger",
    "secondary",
    "light",
    "dark",
    "no-icon",
    "simple",
    "modern",
    "flat",
    "disabled",
    "red",
    "orange",
    "yellow",
    "green",
    "blue",
    "purple",
    "pink",
    "cyan",
];

/// Expands the Hexo tags in `src`; `None` when there are none.
pub fn expand(src: &str, page: &Page, warnings: &mut Vec<Warning>) -> Option<String> {
    if !src.contains("{%") {
        return None;
    }
    let mut pass = Pass {
        page,
        unknown: Unknown::default(),
        unknown_inline: Unknown::default(),
        diagrams: Unknown::default(),
        missing_posts: Unknown::default(),
        missing_files: Unknown::default(),
        depth: 0,
        levels: vec![Level::default()],
    };
    let out = tags::expand_all(&mut pass, src);
    pass.unknown.into_warnings(
        WarningKind::UnknownLiquid,
        "unknown Hexo tag",
        "removed, its content kept",
        warnings,
    );
    pass.unknown_inline.into_warnings(
        WarningKind::UnknownLiquid,
        "unknown Hexo tag",
        "removed, its arguments kept as text",
        warnings,
    );
    pass.diagrams.into_warnings(
        WarningKind::DiagramNotRendered,
        "diagram not rendered",
        "kept as a code block",
        warnings,
    );
    pass.missing_files.into_warnings(
        WarningKind::IncludeMissing,
        "include_code file",
        "not in the site's code_dir; the code is left out",
        warnings,
    );
    pass.missing_posts.into_warnings(
        WarningKind::MissingPost,
        "link to a missing post",
        "not found in the site; its text is kept without the link",
        warnings,
    );
    Some(out)
}

struct Pass<'a> {
    page: &'a Page<'a>,
    /// Unknown tags with content (`{% x %}…{% endx %}`), and without.
    unknown: Unknown,
    unknown_inline: Unknown,
    /// Diagrams kept as their source (`mermaid`), by kind.
    diagrams: Unknown,
    missing_posts: Unknown,
    missing_files: Unknown,
    /// Nesting of paired tags, bounded so hostile input cannot exhaust the stack.
    depth: usize,
    /// What is known of the texts being read, the body's first, then the content of each
    /// paired tag being expanded in it.
    levels: Vec<Level>,
}

/// What the tags of one text need to know of all of it, found at the first tag that asks.
#[derive(Default)]
struct Level {
    /// Its backtick spans ([`backtick_spans`]).
    spans: Option<Vec<Range<usize>>>,
    /// The names its end tags close (`note` for `{% endnote %}`): a tag whose name is not
    /// among them is not searched for an end, which would read the rest of the text each time.
    ends: Option<std::collections::HashSet<String>>,
}

/// The names `src`'s end tags close, in one pass over its `{%` and `%}`.
fn end_names(src: &str) -> std::collections::HashSet<String> {
    let b = src.as_bytes();
    let mut closes = memchr::memmem::find_iter(b, b"%}").peekable();
    let mut names = std::collections::HashSet::new();
    for open in memchr::memmem::find_iter(b, b"{%") {
        while closes.peek().is_some_and(|&c| c < open + 2) {
            closes.next();
        }
        let Some(&close) = closes.peek() else { break };
        let inner = src[open + 2..close].trim_start_matches('-').trim_start();
        let name = inner.split(char::is_whitespace).next().unwrap_or("");
        let name = name.trim_end_matches('-');
        if let Some(closed) = name.strip_prefix("end").filter(|n| !n.is_empty()) {
            names.insert(closed.to_string());
        }
    }
    names
}

/// One `{% name args %}` tag: its name, its arguments as written, and where it ends.
struct Tag<'s> {
    name: &'s str,
    args: &'s str,
    end: usize,
}

fn parse_tag(src: &str, at: usize) -> Option<Tag<'_>> {
    let (inner, end) = tags::delimited(src, at, "{%", "%}")?;
    let inner = inner.trim_start_matches('-').trim_end_matches('-').trim();
    let (name, args) = inner
        .split_once(char::is_whitespace)
        .map_or((inner, ""), |(n, a)| (n, a.trim()));
    (!name.is_empty()).then_some(Tag { name, args, end })
}

/// The `{% endNAME %}` closing the tag `name` opened before `from`, minding nested ones
/// (none in `{% raw %}`): (start, end). Searched in the raw text: a code block's content is
/// not prose.
fn find_end(src: &str, from: usize, name: &str) -> Option<(usize, usize)> {
    let end_name = format!("end{name}");
    let read = |at| {
        let t = parse_tag(src, at)?;
        let role = match t.name {
            n if n == end_name => Role::Closes,
            n if n == name && name != "raw" => Role::Opens,
            _ => Role::Neither,
        };
        Some((role, t.end))
    };
    let next = |i: usize| src[i..].find("{%").map(|rel| i + rel);
    tags::find_close(from, next, read, 2)
}

/// Splits tag arguments as Hexo does (Nunjucks' lexer): at whitespace outside quotes, the
/// quotes removed and what touches them joined (`title:'a b'` is `title:a b`).
pub fn args(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut started = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {
                started = true;
                let mut escaped = false;
                for d in chars.by_ref() {
                    match d {
                        '\\' if !escaped => escaped = true,
                        d if d == c && !escaped => break,
                        d => {
                            cur.push(d);
                            escaped = false;
                        }
                    }
                }
            }
            c if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut cur));
                    started = false;
                }
            }
            c => {
                cur.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(cur);
    }
    out
}

/// The width and height that follow a picture's source (`300 200`, `300`), as Hexo's `img`.
fn take_sizes(args: &mut Vec<String>) {
    for _ in 0..2 {
        if args
            .first()
            .is_some_and(|a| !a.is_empty() && a.chars().all(|c| c.is_ascii_digit() || c == '%'))
        {
            args.remove(0);
        }
    }
}

/// Hexo's `img` title and alt, from what follows the sizes, as img.ts reads them: the words
/// joined, then a title in double quotes when they start with one (else up to a single
/// quote), then an alt in double quotes when they end with one (else in single quotes). So
/// `"lorem ipsum'dolor'"` and `'"标题" "说明"'` give both; `"标题" "说明"` — whose quotes the
/// tag's parser removes — is one title, as on the site. `title="x" alt="y"`, which Hexo
/// would take whole as the title, is read as the keys say (themes that replace `img` take it).
fn title_alt(rest: &[String]) -> (Option<String>, Option<String>) {
    let keyed = |key: &str| {
        rest.iter()
            .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
            .map(str::to_string)
    };
    if rest
        .iter()
        .all(|w| w.starts_with("title=") || w.starts_with("alt="))
        && !rest.is_empty()
    {
        return (keyed("title"), keyed("alt"));
    }
    let meta = rest.join(" ");
    let title_quote = if meta.starts_with('"') { '"' } else { '\'' };
    let alt_quote = if meta.ends_with('"') { '"' } else { '\'' };
    let mut s = meta.as_str();
    s = s.strip_prefix(title_quote).unwrap_or(s);
    let end = s.find(title_quote).unwrap_or(s.len());
    let title = &s[..end];
    s = &s[end..];
    s = s.strip_prefix(title_quote).unwrap_or(s);
    s = s.trim_start();
    s = s.strip_prefix(alt_quote).unwrap_or(s);
    let alt = &s[..s.find(alt_quote).unwrap_or(s.len())];
    let some = |t: &str| (!t.is_empty()).then(|| t.to_string());
    (some(title), some(alt))
}

impl<'p> Expander for Pass<'p> {
    /// A tag, its name in lower case, and what continues the block its line is in (see
    /// [`tags::continuation`]).
    type Tag<'s> = (String, Tag<'s>, Option<String>);
    const OPENERS: &'static [&'static str] = &["{%"];

    fn read<'s>(&mut self, prose: &Prose<'s>, at: usize) -> Found<'s, Self::Tag<'s>> {
        let src = prose.src;
        if self.levels.is_empty() {
            self.levels.push(Level::default());
        }
        let level = self.levels.last_mut().expect("a level");
        let spans = level
            .spans
            .get_or_insert_with(|| backtick_spans(src, prose.code_blocks()));
        let k = spans.partition_point(|r| r.end <= at);
        if let Some(span) = spans.get(k).filter(|r| r.start < at) {
            let end = span.end;
            return Found::Text(src[at..end].into(), end);
        }
        let Some(tag) = parse_tag(src, at) else {
            // With no `%}` after it, no tag follows: the rest is text (not searched again at
            // each `{%`).
            if tags::delimited(src, at, "{%", "%}").is_none() {
                return Found::Text(src[at..].into(), src.len());
            }
            return Found::Text("{%".into(), at + 2);
        };
        let name = tag.name.to_ascii_lowercase();
        let known = PAIRED.contains(&name.as_str());
        let close = if self.depth > 32 || name.starts_with("end") {
            None
        } else if known || !is_inline(&name) {
            let level = self.levels.last_mut().expect("a level");
            let ends = level.ends.get_or_insert_with(|| end_names(src));
            match ends.contains(tag.name) {
                true => find_end(src, tag.end, tag.name),
                false => None,
            }
        } else {
            None
        };
        let end = tag.end;
        let line = src[..at].rfind('\n').map_or(0, |k| k + 1);
        Found::Tag((name, tag, tags::continuation(&src[line..at])), end, close)
    }

    /// The tag's content less the indentation its lines share, as Hexo gives it to every
    /// paired tag but `raw`; what the tag becomes, its lines after the first led by what
    /// continues the list item or quote the tag is in (`{% code %}` in a list item stays in it).
    fn expand(&mut self, (name, tag, cont): Self::Tag<'_>, inner: Option<&str>, out: &mut String) {
        let inner = match name.as_str() {
            "raw" => inner.map(str::to_string),
            _ => inner.map(strip_indent),
        };
        let mut piece = String::new();
        self.tag(&name, &tag, inner.as_deref(), &mut piece);
        tags::place(&piece, cont.as_deref(), out);
    }

    fn depth(&mut self) -> &mut usize {
        &mut self.depth
    }

    /// [`Expander::inner`], with the content's own backtick spans.
    fn inner(&mut self, inner: &str) -> String {
        self.depth += 1;
        self.levels.push(Level::default());
        let out = tags::expand_all(self, inner);
        self.levels.pop();
        self.depth -= 1;
        out
    }
}

impl Pass<'_> {
    fn tag(&mut self, name: &str, tag: &Tag, inner: Option<&str>, out: &mut String) {
        let mut a = args(tag.args);
        match name {
            "asset_img" | "asset_image" | "img" | "image" => {
                let src = match name {
                    "asset_img" | "asset_image" => self.asset_arg(&mut a),
                    _ => {
                        // Class names come before the source, which is a URL or `/absolute`.
                        let at = a
                            .iter()
                            .position(|x| x.starts_with('/') || x.contains("://"))
                            .unwrap_or(0);
                        a.drain(..at);
                        (!a.is_empty()).then(|| a.remove(0))
                    }
                };
                let Some(src) = src else { return };
                take_sizes(&mut a);
                out.push_str(&match title_alt(&a) {
                    // Both: the picture as Hexo writes it, its title a tooltip beside the alt
                    // (a figure's caption is its alt, see `Block::Figure`).
                    (Some(title), Some(alt)) if title != alt => format!(
                        "\n\n<figure><img src=\"{}\" alt=\"{}\" title=\"{}\"></figure>\n\n",
                        crate::xml::escape(src.trim()),
                        crate::xml::escape(alt.trim()),
                        crate::xml::escape(title.trim())
                    ),
                    (title, alt) => {
                        let text = title.or(alt).unwrap_or_default();
                        figure_html(&src, &text, &text)
                    }
                });
            }
            "asset_path" => {
                if let Some(src) = self.asset_arg(&mut a) {
                    out.push_str(&src);
                }
            }
            "asset_link" => {
                if let Some(src) = self.asset_arg(&mut a) {
                    if matches!(a.last().map(String::as_str), Some("true" | "false")) {
                        a.pop();
                    }
                    let text = match a.join(" ") {
                        t if t.is_empty() => src.rsplit('/').next().unwrap_or(&src).to_string(),
                        t => t,
                    };
                    out.push_str(&format!(
                        "<a href=\"{}\">{}</a>",
                        crate::xml::escape(&src),
                        crate::xml::escape(&text)
                    ));
                }
            }
            "post_link" | "post_path" => self.post_link(name, &mut a, out),
            "link" | "a" | "anchor" => out.push_str(&link_tag(&a)),
            "url_for" | "full_url_for" => {
                // `{% url_for text path [relative] %}`, `{% full_url_for text path %}`: the
                // text is one argument, as in Hexo (`"the archive"` is quoted). Whether Hexo
                // writes the path relative to the page or under `root`, it is the same page:
                // here it is under `root` (full: with `url`), which the site's links are then
                // made local from.
                let text = a.first().cloned().unwrap_or_default();
                let path = a.get(1).map_or("", String::as_str);
                let site = self.page.site;
                let url = match name {
                    "full_url_for" => site
                        .absolute_url(path)
                        .unwrap_or_else(|| site.relative_url(path)),
                    _ => site.relative_url(path),
                };
                out.push_str(&link_html(&url, "", &text));
            }
            "blockquote" | "quote" => {
                let body = self.inner(inner.unwrap_or(""));
                let footer = blockquote_footer(&a.join(" "));
                out.push_str(&format!(
                    "\n\n<blockquote>\n\n{}\n\n{footer}\n\n</blockquote>\n\n",
                    body.trim()
                ));
            }
            "pullquote" | "centerquote" | "cq" => {
                let body = self.inner(inner.unwrap_or(""));
                out.push_str(&format!(
                    "\n\n<blockquote>\n\n{}\n\n</blockquote>\n\n",
                    body.trim()
                ));
            }
            "codeblock" | "code" => {
                let (lang, first_line, caption) = code_options(&a);
                out.push_str(&caption);
                out.push_str(&fenced_code(&lang, inner.unwrap_or(""), first_line));
            }
            "include_code" | "include-code" => self.include_code(&a, out),
            "raw" => out.push_str(inner.unwrap_or("")),
            "iframe" => {
                if let Some(url) = a.first() {
                    out.push_str(&frame(url, None));
                }
            }
            "youtube" => {
                if let Some(id) = a.first() {
                    let url = match a.get(1).map(String::as_str) {
                        Some("playlist") => format!("https://www.youtube.com/playlist?list={id}"),
                        _ => format!("https://www.youtube.com/watch?v={id}"),
                    };
                    out.push_str(&frame(&url, None));
                }
            }
            "vimeo" => {
                if let Some(id) = a.first() {
                    let url = format!("https://vimeo.com/{id}");
                    out.push_str(&frame(&url, None));
                }
            }
            "note" | "fold" | "folding" | "hidetoggle" | "hideblock" => {
                self.boxed(name, &a, inner, out)
            }
            "tabs" | "subtabs" => self.tabs(&a, inner.unwrap_or(""), out),
            "label" => {
                // NexT: `{% label primary@text %}`; Butterfly: `{% label text colour %}`.
                let all = a.join(" ");
                let text = match all.split_once('@') {
                    Some((_, text)) => text,
                    None => a.first().map_or("", String::as_str),
                };
                out.push_str(&escape_markdown(text.trim()));
            }
            "button" | "btn" => {
                // `{% button url, text, icon [class], [title] %}` (NexT, Fluid, Butterfly).
                let mut parts = tag.args.split(',').map(|p| unquote_all(p.trim()));
                let url = parts.next().unwrap_or_default();
                let text = parts
                    .next()
                    .filter(|t| !t.is_empty())
                    .unwrap_or(url.clone());
                let url = match url.starts_with('/') && !url.starts_with("//") {
                    true => self.page.site.relative_url(&url),
                    false => url,
                };
                out.push_str(&format!(
                    "<a href=\"{}\">{}</a>",
                    crate::xml::escape(&url),
                    crate::xml::escape(&text)
                ));
            }
            // Embeds of hexo-tag-embed (part of Hexo before 7.0): the page they show.
            "gist" => {
                // `{% gist id [filename] %}`; GitHub leads `gist.github.com/<id>` to the gist.
                if let Some(id) = a.first() {
                    let url = format!("https://gist.github.com/{}", id.trim_matches('/'));
                    out.push_str(&frame(&url, a.get(1).map(String::as_str)));
                }
            }
            "jsfiddle" => {
                if let Some(id) = a.first() {
                    let url = format!("https://jsfiddle.net/{}/", id.trim_matches('/'));
                    out.push_str(&frame(&url, None));
                }
            }
            // NexT's `video url` writes a `<video>` (read as any post's: a link to the file);
            // its `pdf url` a viewer that scripts fill, here a link to the document.
            "video" => {
                if let Some(url) = a.first() {
                    out.push_str(&format!(
                        "<video src=\"{}\" controls></video>",
                        crate::xml::escape(url)
                    ));
                }
            }
            "pdf" => {
                if let Some(url) = a.first() {
                    out.push_str(&frame(url, None));
                }
            }
            // NexT's, Fluid's and Butterfly's `mermaid`: the diagram's source, NexT's arguments
            // its first line (`{% mermaid graph TD %}`), as Hugo's `mermaid` shortcode gives.
            "mermaid" => {
                self.diagrams.add(name);
                let body = strip_indent(inner.unwrap_or(""));
                let first = a.join(" ");
                let source = match first.is_empty() {
                    true => body,
                    false => format!("{first}\n{body}"),
                };
                out.push_str(&fenced_code("mermaid", &source, None));
            }
            // Fluid's `{% cb text, checked?, inline? %}` (also `checkbox`): a checkbox, which
            // a list item reads as a task.
            "cb" | "checkbox" => {
                let all = a.join(" ");
                let all = all.strip_prefix(',').unwrap_or(&all);
                let mut parts = all.split(',');
                let text = parts.next().unwrap_or("").trim();
                let checked = parts
                    .next()
                    .is_some_and(|c| !c.is_empty() && c.trim() != "false");
                let check = if checked { " checked" } else { "" };
                out.push_str(&format!("<input type=\"checkbox\"{check}> {text}"));
            }
            // Butterfly's `{% hideInline content,display %}`: a button (`display`) that shows
            // the content, which is what a reader is meant to get.
            "hideinline" => {
                let all = a.join(" ");
                out.push_str(all.split(',').next().unwrap_or("").trim());
            }
            // Fluid's `{% heimu title @text %}`: text shown on hover, the title its tooltip.
            "heimu" => {
                let all = a.join(" ");
                out.push_str(all.split_once('@').map_or("", |(_, t)| t).trim());
            }
            _ => match inner {
                Some(inner) => {
                    self.unknown.add(tag.name);
                    let inner = self.inner(inner);
                    out.push_str(&inner);
                }
                None => {
                    self.unknown_inline.add(tag.name);
                    out.push_str(&arguments_text(&a));
                }
            },
        }
    }

    /// The asset an `asset_*` tag names, as a path from the post's folder: the first argument
    /// that is a file of the post's asset folder (class names may come before it), removed
    /// from `a`. An asset not found keeps its name beside the post, so the picture is reported
    /// missing rather than lost.
    fn asset_arg(&self, a: &mut Vec<String>) -> Option<String> {
        let hexo = self.page.site.hexo.as_ref()?;
        let post = std::path::absolute(self.page.path).ok()?;
        let dir = post.parent()?;
        let found = a
            .iter()
            .enumerate()
            .find_map(|(i, name)| hexo.asset(&post, name).map(|f| (i, f)));
        match found {
            Some((i, file)) => {
                a.drain(..=i);
                Some(path_to_url(&relative_path(dir, &file)))
            }
            None if !a.is_empty() => {
                let name = a.remove(0);
                let folder = hexo
                    .slug(&post)
                    .map_or_else(|| name.clone(), |s| format!("{s}/{name}"));
                Some(folder)
            }
            None => None,
        }
    }

    /// `{% post_link slug [title] [escape] %}`: a link to the other post's file, titled with
    /// its title unless the tag gives one; `post_path` the path alone. A post the site does not
    /// have keeps the tag's text, unlinked, and is named in a warning.
    fn post_link(&mut self, name: &str, a: &mut Vec<String>, out: &mut String) {
        if a.is_empty() {
            return;
        }
        let mut slug = a.remove(0);
        // `slug#anchor` (post_link only): a section of the post.
        let mut hash = None;
        if name == "post_link" {
            if let Some((s, h)) = slug.split_once('#').filter(|(_, h)| !h.contains('#')) {
                hash = Some(h.to_string());
                slug = s.to_string();
            }
        }
        // A last `false` writes the text as HTML, `true` (the default) escapes it.
        let escape = match a.last().map(String::as_str) {
            Some(e @ ("true" | "false")) => {
                let escape = e == "true";
                a.pop();
                escape
            }
            _ => true,
        };
        let found = self.find_post(&slug);
        let Some((target, title)) = found else {
            self.missing_posts.add(&slug);
            if name == "post_link" {
                let text = if a.is_empty() { slug } else { a.join(" ") };
                out.push_str(&escape_markdown(&text));
            }
            return;
        };
        let mut url = std::path::absolute(self.page.path)
            .ok()
            .and_then(|p| p.parent().map(|d| path_to_url(&relative_path(d, &target))))
            .unwrap_or_default();
        if name == "post_path" {
            out.push_str(&url);
            return;
        }
        if let Some(hash) = hash.filter(|h| !h.is_empty()) {
            url = format!("{url}#{hash}");
        }
        let text = match a.join(" ") {
            t if t.is_empty() => title,
            t => t,
        };
        let text = match escape {
            true => crate::xml::escape(&text),
            false => text,
        };
        out.push_str(&format!(
            "<a href=\"{}\">{text}</a>",
            crate::xml::escape(&url),
        ));
    }

    /// The site's post `name` names (by file name or path as other sites' tags do, by Hexo's
    /// slug, by front matter `slug`, then by title), with its title.
    fn find_post(&self, name: &str) -> Option<(PathBuf, String)> {
        let site = self.page.site;
        let hexo = site.hexo.as_ref()?;
        let index = hexo
            .index
            .get_or_init(|| site.posts.iter().map(|p| post_name(p)).collect());
        let title_of = |p: &Path| {
            let i = site.posts.iter().position(|q| q == p)?;
            let n = &index[i];
            Some(match n.title.is_empty() {
                true => hexo.slug(p).unwrap_or_default().to_string(),
                false => n.title.clone(),
            })
        };
        // Drafts are no posts of the site unless it renders them: Hexo finds no such post.
        let listed = |p: &Path| hexo.render_drafts || !hexo.is_draft(p);
        if let Some(p) = site.find_post(name, self.page.path).filter(|p| listed(p)) {
            return Some((p.to_path_buf(), title_of(p)?));
        }
        let by = |f: &dyn Fn(&Path, &PostName) -> bool| {
            site.posts
                .iter()
                .zip(index)
                .find(|(p, n)| listed(p) && f(p, n))
                .map(|(p, _)| p.clone())
        };
        let target = by(&|p, _| hexo.slug(p) == Some(name))
            .or_else(|| by(&|_, n| n.slug.as_deref() == Some(name)))
            .or_else(|| by(&|_, n| n.title == name))?;
        let title = title_of(&target)?;
        Some((target, title))
    }

    /// `{% include_code [title] [lang:x] [from:n] [to:n] path %}`: the file under `code_dir`.
    fn include_code(&mut self, a: &[String], out: &mut String) {
        let Some(hexo) = self.page.site.hexo.as_ref() else {
            return;
        };
        let mut lang = String::new();
        let (mut from, mut to) = (1usize, usize::MAX);
        let mut rest = Vec::new();
        for arg in a {
            match arg.split_once(':') {
                Some(("lang", v)) => lang = v.to_string(),
                Some(("from", v)) => from = v.parse().unwrap_or(1),
                Some(("to", v)) => to = v.parse().unwrap_or(usize::MAX),
                _ => rest.push(arg.as_str()),
            }
        }
        let Some(path) = rest.pop() else { return };
        // Without `lang:`, the file's extension, as Hexo takes it (`hi.py` is `py`).
        if lang.is_empty() {
            let name = path.rsplit('/').next().unwrap_or(path);
            if let Some((stem, ext)) = name.rsplit_once('.') {
                if !stem.is_empty() {
                    lang = ext.to_string();
                }
            }
        }
        let safe = !path.split('/').any(|c| c == "..");
        let file = hexo.code_dir.join(path.trim_start_matches('/'));
        let Some(code) = safe.then(|| std::fs::read_to_string(&file).ok()).flatten() else {
            self.missing_files.add(path);
            return;
        };
        let code: Vec<&str> = code
            .lines()
            .skip(from.saturating_sub(1))
            .take(to.saturating_sub(from.saturating_sub(1)))
            .collect();
        let title = match rest.join(" ") {
            t if t.is_empty() => path.rsplit('/').next().unwrap_or(path).to_string(),
            t => t,
        };
        out.push_str(&format!(
            "\n\n<p><em>{}</em></p>",
            crate::xml::escape(&title)
        ));
        out.push_str(&fenced_code(&lang, &code.join("\n"), None));
    }

    /// A theme's box (`note`, `fold`): a quote led by its title in bold — the words after the
    /// style words (`{% note info 标题 %}`, `{% fold info @标题 %}`), else the style's name.
    fn boxed(&mut self, name: &str, a: &[String], inner: Option<&str>, out: &mut String) {
        let styles: Vec<&String> = a
            .iter()
            .take_while(|w| {
                STYLES.contains(&w.to_ascii_lowercase().as_str()) || w.starts_with("fa")
            })
            .collect();
        let title = a[styles.len()..].join(" ");
        let title = title.trim().trim_start_matches('@').trim();
        // A note without a title is led by its kind when it has one (`info`: "Info"); its
        // colour, icon and look (Butterfly's `orange 'fas fa-car' flat`) say nothing in words.
        let kind = styles.iter().find(|s| {
            matches!(
                s.to_ascii_lowercase().as_str(),
                "primary" | "info" | "success" | "warning" | "danger"
            )
        });
        let label = match (title.is_empty(), kind) {
            (false, _) => Some(title.to_string()),
            (true, Some(kind)) if name == "note" => Some(capitalize(kind)),
            (true, _) if name == "note" => None,
            (true, _) => Some(capitalize(name)),
        };
        let label = label.map_or(String::new(), |l| {
            format!("**{}**\n\n", escape_markdown(&l))
        });
        let body = inner.map(|s| self.inner(s)).unwrap_or_default();
        out.push_str(&format!(
            "\n\n<blockquote>\n\n{label}{}\n\n</blockquote>\n\n",
            body.trim()
        ));
    }

    /// `{% tabs name %}` with `<!-- tab title -->…<!-- endtab -->` panes: each pane in turn,
    /// led by its title in bold (`name 1`, `name 2` for panes without one, as NexT numbers them).
    fn tabs(&mut self, a: &[String], inner: &str, out: &mut String) {
        let name = a.join(" ");
        let name = name.split(',').next().unwrap_or("").trim().to_string();
        let mut rest = inner;
        let mut n = 0;
        while let Some(open) = rest.find("<!-- tab") {
            let after = &rest[open + "<!-- tab".len()..];
            let Some(close) = after.find("-->") else {
                break;
            };
            let title = after[..close].trim();
            let title = title.split('@').next().unwrap_or("").trim();
            let body_start = &after[close + 3..];
            let (body, next) = match body_start.find("<!-- endtab -->") {
                Some(e) => (&body_start[..e], &body_start[e + "<!-- endtab -->".len()..]),
                None => (body_start, ""),
            };
            n += 1;
            let label = match title.is_empty() {
                true => format!("{name} {n}").trim().to_string(),
                false => title.to_string(),
            };
            let body = self.inner(body);
            out.push_str(&format!(
                "\n\n**{}**\n\n{}\n\n",
                escape_markdown(&label),
                body.trim()
            ));
            rest = next;
        }
        if n == 0 {
            let body = self.inner(inner);
            out.push_str(&body);
        }
    }
}

/// The backtick spans of `src` as Hexo finds them, in order: Hexo keeps every one as written,
/// wherever it is — inside raw HTML too, where Markdown sees no code span
/// (`<pre><code>`{% x %}`</code></pre>`). Its `escapeAllSwigTags` opens a span at a run of
/// backticks not after `\`, closes it at a run as long, and gives up at a blank line; tags met
/// in the text are skipped whole, and code blocks (`blocks`), which Hexo sets aside before,
/// are not looked into. Each search is cached, so the scan stays linear in hostile input but
/// for unmatched runs of many lengths.
fn backtick_spans(src: &str, blocks: &[Range<usize>]) -> Vec<Range<usize>> {
    let b = src.as_bytes();
    let run = |i: usize| b[i..].iter().take_while(|&&c| c == b'`').count();
    let mut spans = Vec::new();
    let mut blocks = blocks.iter().peekable();
    // The next blank line and the next `%}` at or after the scan, once looked for.
    let mut blank: Option<usize> = None;
    let mut tag_end: Option<Option<usize>> = None;
    let mut i = 0;
    while i < b.len() {
        while blocks.peek().is_some_and(|r| r.end <= i) {
            blocks.next();
        }
        if let Some(r) = blocks.peek().filter(|r| r.start <= i) {
            i = r.end;
            continue;
        }
        match b[i] {
            b'`' if i == 0 || b[i - 1] != b'\\' => {
                let n = run(i);
                let stop = match blank {
                    Some(k) if k >= i => k,
                    _ => {
                        let k = memchr::memmem::find(&b[i..], b"\n\n").map_or(b.len(), |k| i + k);
                        blank = Some(k);
                        k
                    }
                };
                // The closing run: exactly `n` backticks before the blank line.
                let mut j = i + n;
                let close = loop {
                    let Some(k) = memchr::memchr(b'`', &b[j..stop]) else {
                        break None;
                    };
                    let m = run(j + k);
                    if m == n {
                        break Some(j + k + m);
                    }
                    j += k + m;
                };
                match close {
                    Some(end) => {
                        spans.push(i..end);
                        i = end;
                    }
                    None => i += n,
                }
            }
            b'{' if b.get(i + 1) == Some(&b'%') => {
                let close = match tag_end {
                    Some(Some(k)) if k >= i + 2 => Some(k),
                    Some(None) => None,
                    _ => {
                        let k = memchr::memmem::find(&b[i + 2..], b"%}").map(|k| i + 2 + k);
                        tag_end = Some(k);
                        k
                    }
                };
                i = close.map_or(i + 2, |k| k + 2);
            }
            _ => i += 1,
        }
    }
    spans
}

/// Tags that never enclose content: not searched for an end tag when unknown.
fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "asset_img"
            | "asset_path"
            | "asset_link"
            | "img"
            | "image"
            | "asset_image"
            | "post_link"
            | "post_path"
            | "link"
            | "a"
            | "anchor"
            | "url_for"
            | "full_url_for"
            | "include_code"
            | "include-code"
            | "iframe"
            | "youtube"
            | "vimeo"
            | "label"
            | "button"
            | "btn"
            | "gist"
            | "jsfiddle"
            | "video"
            | "pdf"
            | "cb"
            | "checkbox"
            | "hideinline"
            | "heimu"
    )
}

/// An unknown one-line tag's arguments as text, those that are web addresses as links.
fn arguments_text(a: &[String]) -> String {
    let words: Vec<String> = a
        .iter()
        .map(
            |w| match w.starts_with("http://") || w.starts_with("https://") {
                true => link_html(w, "", w),
                false => escape_markdown(w),
            },
        )
        .collect();
    words.join(" ")
}

/// `text` less the indentation all its lines share (blank lines aside), and the blank lines
/// around it, as hexo-util's `stripIndent` leaves a code block.
pub fn strip_indent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start_matches([' ', '\t'])))
        .collect();
    let first = lines.iter().position(|l| !l.trim().is_empty());
    let last = lines.iter().rposition(|l| !l.trim().is_empty());
    match (first, last) {
        (Some(f), Some(l)) => lines[f..=l].join("\n"),
        _ => String::new(),
    }
}

/// `<a href title>text</a>`, the text and title escaped as Hexo's `htmlTag` escapes them.
fn link_html(url: &str, title: &str, text: &str) -> String {
    let title = match title.trim() {
        "" => String::new(),
        t => format!(" title=\"{}\"", crate::xml::escape(t)),
    };
    format!(
        "<a href=\"{}\"{title}>{}</a>",
        crate::xml::escape(url),
        crate::xml::escape(text)
    )
}

/// Hexo's `{% link text url [external] [title] %}` (also `a`, `anchor`): the words before the
/// first argument that looks like a URL are the text, the words after it (less `true`/`false`,
/// which opens a new window) the title. Without a URL, Hexo links nowhere: the text is kept.
fn link_tag(a: &[String]) -> String {
    let Some(at) = a.iter().position(|w| looks_like_url(w)) else {
        return escape_markdown(&a.join(" "));
    };
    let mut rest = &a[at + 1..];
    if matches!(rest.first().map(String::as_str), Some("true" | "false")) {
        rest = &rest[1..];
    }
    link_html(&a[at], &rest.join(" "), &a[..at].join(" "))
}

/// Whether `s` holds what Hexo's link tag takes for a URL (its `rUrl`, not anchored): a
/// scheme of 3 to 9 letters and a host (`https://hexo.io`, `mailto:a@b.c`), `www.` and a
/// host, or `user@host`.
fn looks_like_url(s: &str) -> bool {
    let b = s.as_bytes();
    let host = |i: usize| {
        b.get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'.' || *c == b'-')
    };
    let user = |c: u8| c.is_ascii_alphanumeric() || b"-;:&=+$,_".contains(&c);
    // `user@host`, which the scheme may precede.
    let at_host = |from: usize| {
        let run = b[from..].iter().take_while(|c| user(**c)).count();
        run > 0 && b.get(from + run) == Some(&b'@') && host(from + run + 1)
    };
    (0..b.len()).any(|i| match b[i] {
        b':' => {
            let letters = b[..i]
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_alphabetic())
                .count();
            let after = if b[i + 1..].starts_with(b"//") {
                i + 3
            } else {
                i + 1
            };
            letters >= 3 && (host(after) || at_host(after))
        }
        b'@' => i > 0 && user(b[i - 1]) && host(i + 1),
        b'w' => b[i..].starts_with(b"www") && b.len() > i + 3 && host(i + 4),
        _ => false,
    })
}

fn unquote_all(s: &str) -> String {
    args(s).join(" ")
}

/// A Hexo post's `categories` as paths, as Hexo reads them: a flat list is one path
/// (`[前端, CSS]` is 前端 › CSS), a list of lists several (`[[前端, CSS], [随笔]]`), a string one
/// category; levels joined by [`crate::model::CATEGORY_LEVELS`].
pub fn category_paths(v: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    let text = |x: &Value| crate::site::value_text(x).map(|s| s.trim().to_string());
    let path = |xs: &[Value]| {
        let levels: Vec<String> = xs
            .iter()
            .filter_map(text)
            .filter(|l| !l.is_empty())
            .collect();
        (!levels.is_empty()).then(|| levels.join(crate::model::CATEGORY_LEVELS))
    };
    let mut out: Vec<String> = match v {
        Value::Array(xs) if xs.iter().any(Value::is_array) => xs
            .iter()
            .filter_map(|x| match x {
                Value::Array(levels) => path(levels),
                x => text(x).filter(|t| !t.is_empty()),
            })
            .collect(),
        Value::Array(xs) => path(xs).into_iter().collect(),
        x => text(x).filter(|t| !t.is_empty()).into_iter().collect(),
    };
    out.dedup();
    out
}

/// A post's title and front matter slug, read from its front matter.
fn post_name(path: &Path) -> PostName {
    let pairs = super::front_matter::pairs_of_file(path, Some(crate::site::Generator::Hexo))
        .unwrap_or_default();
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| crate::site::value_text(v))
            .map(|s| s.trim().to_string())
    };
    PostName {
        title: get("title").unwrap_or_default(),
        slug: get("slug").filter(|s| !s.is_empty()),
    }
}

/// Hexo's blockquote footer (`author[, source] [link] [link title]`): `— **author**, *title*`,
/// the title a link when the tag gives one.
fn blockquote_footer(s: &str) -> String {
    let s = s.trim();
    if s.is_empty() {
        return String::new();
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    let url_at = words
        .iter()
        .position(|w| w.starts_with("http://") || w.starts_with("https://"));
    let (author, url, link_title) = match url_at {
        Some(i) if i > 0 => (
            words[..i].join(" "),
            Some(words[i]),
            words[i + 1..].join(" "),
        ),
        _ => (s.to_string(), None, String::new()),
    };
    let (author, title) = match (url, author.split_once(',')) {
        (None, Some((a, t))) if !t.contains(',') => (a.trim().to_string(), t.trim().to_string()),
        _ => (author.trim().to_string(), link_title),
    };
    let mut footer = format!("<footer>— <strong>{}</strong>", crate::xml::escape(&author));
    match (url, title.is_empty()) {
        (Some(u), _) => {
            let text = match title.is_empty() {
                true => u
                    .trim_start_matches("https://")
                    .trim_start_matches("http://")
                    .trim_end_matches('/')
                    .to_string(),
                false => title,
            };
            footer.push_str(&format!(
                ", <cite><a href=\"{}\">{}</a></cite>",
                crate::xml::escape(u),
                crate::xml::escape(&text)
            ));
        }
        (None, false) => footer.push_str(&format!(", <cite>{}</cite>", crate::xml::escape(&title))),
        (None, true) => {}
    }
    footer.push_str("</footer>");
    footer
}

/// A `codeblock`'s options: its language (`lang:css`), its first line number when numbered
/// (`line_number:true`, `first_line:5`), and its caption (`[title] [url] [link text]`) as a
/// paragraph before the code.
fn code_options(a: &[String]) -> (String, Option<u32>, String) {
    let mut lang = String::new();
    let mut numbered = false;
    let mut first = 1;
    let mut rest = Vec::new();
    for arg in a {
        match arg.split_once(':') {
            Some(("lang", v)) => lang = v.to_string(),
            Some(("line_number", v)) => numbered = v == "true",
            Some(("first_line", v)) => first = v.parse().unwrap_or(1),
            Some(("highlight" | "mark" | "wrap" | "line_threshold" | "language_attr", _)) => {}
            _ => rest.push(arg.as_str()),
        }
    }
    let url_at = rest
        .iter()
        .position(|w| w.starts_with("http://") || w.starts_with("https://"));
    let caption = match url_at {
        Some(i) if i > 0 => {
            let link_text = match rest[i + 1..].join(" ") {
                t if t.is_empty() => "link".to_string(),
                t => t,
            };
            format!(
                "\n\n<p><em>{}</em> <a href=\"{}\">{}</a></p>",
                crate::xml::escape(&rest[..i].join(" ")),
                crate::xml::escape(rest[i]),
                crate::xml::escape(&link_text)
            )
        }
        _ if !rest.is_empty() => {
            format!(
                "\n\n<p><em>{}</em></p>",
                crate::xml::escape(&rest.join(" "))
            )
        }
        _ => String::new(),
    };
    (lang, numbered.then_some(first), caption)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_split_as_nunjucks_does() {
        assert_eq!(
            args(r#"a.png "封面 图" 'it''s' title:'a b' x"#),
            ["a.png", "封面 图", "its", "title:a b", "x"]
        );
        assert_eq!(args("  "), Vec::<String>::new());
        assert_eq!(args(r#""""#), [""]);
    }

    #[test]
    fn picture_titles_and_alts() {
        let t = |s: &str| {
            let (title, alt) = title_alt(&args(s));
            (title.unwrap_or_default(), alt.unwrap_or_default())
        };
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            t(r#"'"横幅 标题" "横幅说明"'"#),
            pair("横幅 标题", "横幅说明")
        );
        assert_eq!(t(r#""夜景 照片'城市夜景'""#), pair("夜景 照片", "城市夜景"));
        assert_eq!(
            t(r#""横幅 标题" "横幅说明""#),
            pair("横幅 标题 横幅说明", "")
        );
        assert_eq!(t(r#"title="横幅" alt="说明""#), pair("横幅", "说明"));
        assert_eq!(t(r#"'"" "只有说明"'"#), pair("", "只有说明"));
        assert_eq!(t("网格示意图"), pair("网格示意图", ""));
        assert_eq!(t(""), pair("", ""));
    }

    #[test]
    fn end_tags_are_found_in_one_pass() {
        let names = end_names(
            "{% note %}a{%- endnote -%} {% x %} {%endraw-%} {% endhide-block %} {% end %} {% endy",
        );
        let mut names: Vec<String> = names.into_iter().collect();
        names.sort();
        assert_eq!(names, ["hide-block", "note", "raw"]);
    }

    #[test]
    fn paired_content_loses_its_shared_indent() {
        assert_eq!(strip_indent("\n    a\n\n      b\n"), "a\n\n  b");
    }

    #[test]
    fn tags_in_backticks_stay_even_in_html() {
        let span = |s: &str| {
            let at = s.find("{%").unwrap();
            let spans = backtick_spans(s, &[]);
            spans.into_iter().find(|r| r.contains(&at)).map(|r| r.end)
        };
        let s = "<pre><code>`{% foo %}` x</code></pre>";
        assert_eq!(span(s), Some(s.find(" x").unwrap()));
        assert_eq!(span("``a ` {% foo %}`` b"), Some(17));
        // Closed before the tag, escaped, or cut by a blank line: not code.
        assert_eq!(span("`a` {% foo %}"), None);
        assert_eq!(span("\\`a {% foo %}`"), None);
        assert_eq!(span("`a\n\n{% foo %}`"), None);
        assert_eq!(span("{% x `a %} {% foo %}`"), None);
    }

    #[test]
    fn link_tags_find_their_url_as_hexo_does() {
        let link = |s: &str| link_tag(&args(s));
        assert_eq!(
            link("Hexo 文档 https://hexo.io/docs/"),
            "<a href=\"https://hexo.io/docs/\">Hexo 文档</a>"
        );
        assert_eq!(
            link("搜索 https://www.google.com true 搜索 引擎"),
            "<a href=\"https://www.google.com\" title=\"搜索 引擎\">搜索</a>"
        );
        assert_eq!(
            link("Mail mailto:me@x.test false"),
            "<a href=\"mailto:me@x.test\">Mail</a>"
        );
        assert_eq!(
            link("站点 www.example.org"),
            "<a href=\"www.example.org\">站点</a>"
        );
        // No URL: the words stay.
        assert_eq!(link("只有 文字 /about/"), "只有 文字 /about/");
        assert!(!looks_like_url("ab:c") && !looks_like_url("note:") && !looks_like_url("a@"));
    }

    #[test]
    fn hexo_categories_are_paths() {
        let paths = |y: &str| category_paths(&serde_yaml_ng::from_str(y).unwrap());
        assert_eq!(paths("[前端, CSS]"), ["前端 › CSS"]);
        assert_eq!(paths("[[前端, CSS], [随笔]]"), ["前端 › CSS", "随笔"]);
        assert_eq!(paths("[[前端, 工具], 随笔]"), ["前端 › 工具", "随笔"]);
        assert_eq!(paths("随笔"), ["随笔"]);
        assert!(paths("~").is_empty());
    }

    #[test]
    fn blockquote_footers() {
        assert_eq!(
            blockquote_footer("鲁迅, 呐喊"),
            "<footer>— <strong>鲁迅</strong>, <cite>呐喊</cite></footer>"
        );
        assert_eq!(
            blockquote_footer("David Levithan, Wide Awake"),
            "<footer>— <strong>David Levithan</strong>, <cite>Wide Awake</cite></footer>"
        );
        assert_eq!(
            blockquote_footer("@DevDocs https://twitter.com/devdocs/status/1 Tweet"),
            "<footer>— <strong>@DevDocs</strong>, <cite><a href=\"https://twitter.com/devdocs/status/1\">Tweet</a></cite></footer>"
        );
        assert_eq!(blockquote_footer(""), "");
    }

    #[test]
    fn codeblock_options() {
        let a = args("Array.map lang:js line_number:true first_line:3 mark:1");
        let (lang, first, caption) = code_options(&a);
        assert_eq!((lang.as_str(), first), ("js", Some(3)));
        assert_eq!(caption, "\n\n<p><em>Array.map</em></p>");
        let (_, first, caption) = code_options(&args("_.compact http://x.test/c 文档"));
        assert_eq!(first, None);
        assert!(
            caption.contains("<a href=\"http://x.test/c\">文档</a>"),
            "{caption}"
        );
    }
}
