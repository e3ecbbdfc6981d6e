//! Hugo shortcodes, expanded on the Markdown text before it is parsed.
//!
//! Shortcodes are parsed generically — `{{< name … >}}` and `{{% name … %}}`, positional and
//! named parameters, paired (`{{< /name >}}`) and self-closing — and the built-in ones and common
//! theme ones are given their meaning: pictures become figures, videos and tweets links to the
//! original, `highlight` a code block, `ref`/`relref` a link to the other post, admonitions a
//! quote keeping their content. Any other shortcode keeps its inner content and is named in a
//! warning. Code blocks and code spans are left alone.

use super::embed::frame;
use super::prose::{
    capitalize, escape_markdown, fenced_code, figure_html, line_numbers, split_args, unquote, Prose,
};
use super::tags::{self, Expander, Found, Role};
use crate::site::Page;
use crate::warning::{Unknown, Warning, WarningKind};

/// Paired shortcodes that set off their content: rendered as a quote with their title.
const ADMONITIONS: [&str; 16] = [
    "notice",
    "admonition",
    "details",
    "hint",
    "alert",
    "callout",
    "note",
    "warning",
    "tip",
    "info",
    "caution",
    "important",
    "danger",
    "expand",
    "spoiler",
    "aside",
];

/// Expands the shortcodes in `src`; `None` when there are none.
pub fn expand(src: &str, page: &Page, warnings: &mut Vec<Warning>) -> Option<String> {
    if !src.contains("{{<") && !src.contains("{{%") {
        return None;
    }
    let unescaped = unescape_in_code(src);
    let src = unescaped.as_deref().unwrap_or(src);
    let mut pass = Pass {
        page,
        unknown: Unknown::default(),
        missing_posts: Unknown::default(),
        diagrams: Unknown::default(),
        templates: Unknown::default(),
        depth: 0,
        inline: false,
    };
    let out = tags::expand_all(&mut pass, src);
    pass.unknown.into_warnings(
        WarningKind::UnknownShortcode,
        "unknown shortcode",
        "its content kept, the shortcode removed",
        warnings,
    );
    pass.templates.into_warnings(
        WarningKind::UnknownShortcode,
        "inline shortcode (a Go template postbook does not run)",
        "left out",
        warnings,
    );
    pass.diagrams.into_warnings(
        WarningKind::DiagramNotRendered,
        "diagram not rendered",
        "kept as a code block",
        warnings,
    );
    pass.missing_posts.into_warnings(
        WarningKind::MissingPost,
        "link to a missing post",
        "not found in the site; the link is left out",
        warnings,
    );
    Some(out)
}

struct Pass<'a> {
    page: &'a Page<'a>,
    unknown: Unknown,
    missing_posts: Unknown,
    /// Diagrams kept as their source (`mermaid`), by kind.
    diagrams: Unknown,
    /// Inline shortcodes whose Go template was not run, by name.
    templates: Unknown,
    /// Nesting of paired shortcodes, bounded so hostile input cannot exhaust the stack.
    depth: usize,
    /// Whether the shortcode being expanded stands inside a line of text.
    inline: bool,
}

/// One shortcode tag as written.
#[derive(Debug)]
struct Tag<'s> {
    name: &'s str,
    closing: bool,
    self_closing: bool,
    args: Vec<&'s str>,
    end: usize,
}

impl Tag<'_> {
    /// A named parameter, or else the positional one at `position`.
    fn param(&self, names: &[&str], position: Option<usize>) -> Option<String> {
        for a in &self.args {
            if let Some((k, v)) = a.split_once('=') {
                if names.contains(&k.trim()) {
                    return Some(unquote(v).to_string());
                }
            }
        }
        let positional: Vec<&&str> = self.args.iter().filter(|a| !is_named(a)).collect();
        position
            .and_then(|p| positional.get(p))
            .map(|a| unquote(a).to_string())
    }
}

/// Built-in shortcodes whose meaning is in their parameters only (see `expand_tag`).
const CONTENT_FREE: &[&str] = &[
    "ref",
    "relref",
    "youtube",
    "vimeo",
    "tweet",
    "x",
    "twitter",
    "instagram",
    "gist",
    "param",
];

fn is_named(arg: &str) -> bool {
    !arg.starts_with(['"', '`', '\''])
        && arg.split_once('=').is_some_and(|(k, _)| {
            k.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        })
}

/// Parses the shortcode tag starting at `at` (`{{<` or `{{%`).
fn parse_tag(src: &str, at: usize) -> Option<Tag<'_>> {
    let (open, close) = match src[at..].starts_with("{{<") {
        true => ("{{<", ">}}"),
        false => ("{{%", "%}}"),
    };
    let (inner, end) = tags::delimited(src, at, open, close)?;
    let mut inner = inner.trim();
    if inner.starts_with("/*") {
        return None;
    }
    let closing = inner.starts_with('/');
    inner = inner.trim_start_matches('/').trim();
    let self_closing = inner.ends_with('/');
    inner = inner.trim_end_matches('/').trim();
    let mut args = split_args(inner);
    if args.is_empty() {
        return None;
    }
    let name = args.remove(0);
    Some(Tag {
        name,
        closing,
        self_closing,
        args,
        end,
    })
}

/// A commented-out shortcode at `at` (`{{</* name */>}}`): its literal text and end. As
/// Hugo's lexer (`lexShortcodeComment`) does, only the comment markers go: the text between
/// `/*` and the first `*/` followed by the closing delimiter stays as written, so
/// `{{</* x */>}}` shows `{{< x >}}` and `{{</*/* x */*/>}}` shows `{{</* x */>}}`.
fn commented(src: &str, at: usize) -> Option<(String, usize)> {
    let delim = &src[at + 2..at + 3];
    let close = if delim == "<" { ">}}" } else { "%}}" };
    let rest = &src[at + 3..];
    let lead = rest.len() - rest.trim_start().len();
    let body = rest[lead..].strip_prefix("/*")?;
    // The first `*/` before the closing delimiter (whitespace allowed between them).
    let mut from = 0;
    let (inner, after) = loop {
        let stop = body[from..].find("*/")? + from;
        let after = body[stop + 2..].trim_start();
        if after.starts_with(close) {
            break (&body[..stop], after);
        }
        from = stop + 2;
    };
    let end = src.len() - after.len() + close.len();
    let open = &src[at..at + 3];
    Some((format!("{open}{}{inner}{close}", &rest[..lead]), end))
}

/// `code` with every commented-out shortcode shown as the one it quotes.
fn unescape_all(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut i = 0;
    let mut at = 0;
    while let Some(k) = code[at..].find("{{").map(|k| at + k) {
        let tag = code[k..].starts_with("{{<") || code[k..].starts_with("{{%");
        match commented(code, k).filter(|_| tag) {
            Some((literal, end)) => {
                out.push_str(&code[i..k]);
                out.push_str(&literal);
                (i, at) = (end, end);
            }
            None => at = k + 2,
        }
    }
    out.push_str(&code[i..]);
    out
}

/// `src` with the commented-out shortcodes inside its code blocks and code spans shown as the
/// shortcodes they quote (`{{</* youtube x */>}}` → `{{< youtube x >}}`), as Hugo renders
/// them there; `None` when it has none.
fn unescape_in_code(src: &str) -> Option<String> {
    let quoted = |open: &str| {
        let mut parts = src.split(open).skip(1);
        parts.any(|p| p.trim_start().starts_with("/*"))
    };
    if !quoted("{{<") && !quoted("{{%") {
        return None;
    }
    let prose = Prose::new(src);
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    for code in prose.code() {
        let mut at = code.start.max(i);
        while let Some(k) = src[at..code.end].find("{{").map(|k| at + k) {
            let tag = src[k..].starts_with("{{<") || src[k..].starts_with("{{%");
            match commented(src, k).filter(|(_, end)| tag && *end <= code.end) {
                Some((literal, end)) => {
                    out.push_str(&src[i..k]);
                    out.push_str(&literal);
                    i = end;
                    at = end;
                }
                None => at = k + 2,
            }
        }
    }
    out.push_str(&src[i..]);
    Some(out)
}

/// The matching closing tag of `name` after `from`, minding nested ones: (start, end).
fn find_close(prose: &Prose, from: usize, name: &str) -> Option<(usize, usize)> {
    let read = |at| {
        let t = parse_tag(prose.src, at)?;
        let role = match (t.name == name, t.closing) {
            (true, true) => Role::Closes,
            (true, false) if !t.self_closing => Role::Opens,
            _ => Role::Neither,
        };
        Some((role, t.end))
    };
    tags::find_close(from, |i| prose.find(i, &["{{<", "{{%"]), read, 3)
}

impl<'p> Expander for Pass<'p> {
    type Tag<'s> = Tag<'s>;
    const OPENERS: &'static [&'static str] = &["{{<", "{{%"];

    fn read<'s>(&mut self, prose: &Prose<'s>, at: usize) -> Found<'s, Tag<'s>> {
        let src = prose.src;
        if let Some((literal, end)) = commented(src, at) {
            // `{{</* x */>}}` shows a shortcode literally, as Hugo's docs do.
            return Found::Text(format!("`{literal}`").into(), end);
        }
        let Some(tag) = parse_tag(src, at) else {
            return Found::Text(src[at..at + 3].into(), at + 3);
        };
        if tag.closing {
            // A closing tag without its opening (or past the nesting bound): it has no
            // content, and its opening was already counted.
            return Found::Skip(tag.end);
        }
        // Shortcodes that never take content are not searched for a closing tag: a closing
        // tag found far away would swallow (and lose) the text in between, and the search
        // would read the rest of the post for each of them.
        let close = match tag.self_closing || self.depth > 64 || CONTENT_FREE.contains(&tag.name) {
            true => None,
            false => find_close(prose, tag.end, tag.name),
        };
        let end = tag.end;
        Found::Tag(tag, end, close)
    }

    /// Expands where the tag stands, as Hugo does: a shortcode alone on its line in a list
    /// item or a quote has its output kept there ([`tags::place`]), so that a figure, an
    /// embed or a notice stays in its item; one inside a line of text is inline, so a picture
    /// there is a picture in the text (PaperMod's `inTextImg` in a bold sentence), not a
    /// figure that ends the paragraph (unless it has a caption to show).
    fn expand(&mut self, tag: Tag<'_>, inner: Option<&str>, out: &mut String) {
        let before = &out[out.rfind('\n').map_or(0, |i| i + 1)..];
        let cont = tags::continuation(before);
        let was_inline = std::mem::replace(&mut self.inline, cont.is_none() && !before.is_empty());
        let mut piece = String::new();
        self.expand_tag(&tag, inner, &mut piece);
        self.inline = was_inline;
        tags::place(&piece, cont.as_deref(), out);
    }

    fn depth(&mut self) -> &mut usize {
        &mut self.depth
    }
}

impl Pass<'_> {
    /// Expands one shortcode (with its content, when paired) into `out`: Hugo's built-in
    /// shortcodes, then theme pictures and admonitions by their look; any other is reported
    /// unknown and only its content is kept.
    fn expand_tag(&mut self, tag: &Tag, inner: Option<&str>, out: &mut String) {
        let name = tag.name.to_ascii_lowercase();
        let name = name.as_str();
        // The picture's own parameter before a link around it (PaperMod's `figure link=…`).
        let src = || {
            ["src", "url", "image", "file", "path", "link"]
                .iter()
                .find_map(|n| tag.param(&[n], None))
        };
        if name.ends_with(".inline") {
            // An inline shortcode's content is a Go template (`{{ now.Format "2006" }}`),
            // which postbook does not run: nothing of it is shown, and a warning names it
            // (decided here; Hugo shows the template's output, and nothing at all unless
            // `enableInlineShortcodes`). A content without actions is plain text: shown.
            match inner.filter(|t| !t.contains("{{")) {
                Some(text) => out.push_str(text),
                None => self.templates.add(name),
            }
        } else if let Some(text) = self.builtin(name, tag, inner) {
            out.push_str(&text);
        } else if let Some(src) = is_picture_shortcode(name).then(src).flatten() {
            self.picture(tag, &src, inner, out);
        } else if ADMONITIONS.contains(&name) {
            self.admonition(name, tag, inner, out);
        } else if !self.theme(name, tag, inner, out) {
            self.unknown.add(name);
            if let Some(inner) = inner {
                let inner = self.inner(inner);
                out.push_str(&inner);
            }
        }
    }

    /// Hugo's built-in shortcodes: code, links to other posts, embeds, page parameters.
    /// `None` for any other name.
    fn builtin(&mut self, name: &str, tag: &Tag, inner: Option<&str>) -> Option<String> {
        Some(match name {
            "highlight" | "code" | "codeblock" => {
                let lang = tag
                    .param(&["lang", "language"], Some(0))
                    .unwrap_or_default();
                let options = tag.param(&["options"], Some(1)).unwrap_or_default();
                let numbers = line_numbers(&options);
                // Its content is code: a commented-out shortcode there shows the one it quotes.
                let code = unescape_all(inner.unwrap_or(""));
                fenced_code(&lang, &code, numbers)
            }
            "ref" | "relref" => {
                let target = tag.param(&["path", "page"], Some(0)).unwrap_or_default();
                // `{{< ref "#setup" >}}`: a heading of this very page.
                if target.starts_with('#') && target.len() > 1 {
                    return Some(target);
                }
                let url = self.page.link_to_post(&target);
                if url.is_none() {
                    self.missing_posts.add(&target);
                }
                url.unwrap_or_default()
            }
            "param" => {
                let key = tag.param(&["name"], Some(0)).unwrap_or_default();
                let value = self
                    .page
                    .variable(&key)
                    .or_else(|| self.page.site.variable(&format!("params.{key}")));
                crate::xml::escape(&value.unwrap_or_default())
            }
            _ => return embed(name, tag),
        })
    }

    /// Theme shortcodes that only style their content or carry prose in their parameters:
    /// Congo's and Blowfish's `lead` (its content) and `badge` (its text), Docsy's `tabpane`
    /// and `tab` (each tab's content under its header in bold), a `link` (`href`, `content`),
    /// a `gallery` without a picture of its own (its content, then its caption), `mermaid` (a
    /// code block in that language, and a `diagram-not-rendered` warning). `false` for any
    /// other name.
    fn theme(&mut self, name: &str, tag: &Tag, inner: Option<&str>, out: &mut String) -> bool {
        let content = |this: &mut Self| inner.map(|s| this.inner(s)).unwrap_or_default();
        match name {
            "lead" => {
                let text = content(self);
                out.push_str(&format!("\n\n{}\n\n", text.trim()));
            }
            "badge" => {
                let text = content(self);
                out.push_str(text.trim());
            }
            "tabpane" | "tabs" => {
                let text = content(self);
                out.push_str(&format!("\n\n{}\n\n", text.trim()));
            }
            "tab" => {
                let header = tag.param(&["header", "title", "name"], Some(0));
                let text = content(self);
                match header.filter(|h| !h.trim().is_empty()) {
                    Some(h) => out.push_str(&format!(
                        "\n\n**{}**\n\n{}\n\n",
                        escape_markdown(h.trim()),
                        text.trim()
                    )),
                    None => out.push_str(&format!("\n\n{}\n\n", text.trim())),
                }
            }
            "link" => {
                let Some(href) = tag.param(&["href", "url", "link"], Some(0)) else {
                    return false;
                };
                let text = tag
                    .param(&["content", "text", "title"], Some(1))
                    .unwrap_or_else(|| content(self).trim().to_string());
                let text = if text.is_empty() { href.clone() } else { text };
                out.push_str(&format!(
                    "<a href=\"{}\">{}</a>",
                    crate::xml::escape(&href),
                    crate::xml::escape(&text)
                ));
            }
            "gallery" => {
                let text = content(self);
                out.push_str(&format!("\n\n{}\n\n", text.trim()));
                if let Some(caption) = tag.param(&["caption", "title"], None) {
                    out.push_str(&format!("{}\n\n", escape_markdown(caption.trim())));
                }
            }
            "mermaid" => {
                self.diagrams.add(name);
                out.push_str(&fenced_code("mermaid", inner.unwrap_or(""), None));
            }
            _ => return false,
        }
        true
    }

    /// A picture shortcode (`figure`, a theme's `image`): a figure, then its content.
    fn picture(&mut self, tag: &Tag, src: &str, inner: Option<&str>, out: &mut String) {
        let caption = tag
            .param(&["caption", "title", "alt", "description"], None)
            .unwrap_or_default();
        let alt = tag.param(&["alt"], None).unwrap_or_else(|| caption.clone());
        // A caption needs a figure, which ends the paragraph as a browser shows it too.
        let captioned = tag
            .param(&["caption", "title", "description"], None)
            .is_some_and(|c| !c.trim().is_empty());
        if self.inline && !captioned {
            out.push_str(&format!(
                "<img src=\"{}\" alt=\"{}\">",
                crate::xml::escape(src.trim()),
                crate::xml::escape(alt.trim())
            ));
        } else {
            out.push_str(&figure_html(src, &alt, &caption));
        }
        if let Some(inner) = inner {
            let inner = self.inner(inner);
            out.push_str(&inner);
        }
    }

    /// An admonition (`notice`, `tip`, `warning`…): a quote led by its title in bold, or by its
    /// kind when it has no title.
    fn admonition(&mut self, name: &str, tag: &Tag, inner: Option<&str>, out: &mut String) {
        // Congo's and Blowfish's `alert` names an icon first (`alert "circle-info"`), which is
        // no label; Docsy's gives a `title` and a `color`.
        if name == "alert" {
            let first = tag.param(&[], Some(0)).unwrap_or_default();
            let kind = ADMONITIONS
                .contains(&first.to_ascii_lowercase().as_str())
                .then_some(first);
            let label = tag
                .param(&["title"], None)
                .or(kind)
                .or_else(|| tag.param(&["color"], None));
            let label = label
                .filter(|l| !l.trim().is_empty())
                .map(|l| capitalize(&l));
            let inner = inner.map(|s| self.inner(s)).unwrap_or_default();
            out.push_str(&quote_box(label.as_deref(), &inner));
            return;
        }
        // These name their kind in the first argument (`{{< notice tip >}}`), the title second.
        let generic = matches!(name, "notice" | "admonition" | "callout" | "hint");
        let kind = match generic {
            true => tag
                .param(&["type", "kind", "theme"], Some(0))
                .unwrap_or_else(|| name.to_string()),
            false => name.to_string(),
        };
        let title = tag
            .param(&["title", "summary", "header"], None)
            .or_else(|| tag.param(&[], Some(usize::from(generic))));
        let label = match title {
            Some(t) if !t.is_empty() => t,
            _ => capitalize(&kind),
        };
        let inner = inner.map(|s| self.inner(s)).unwrap_or_default();
        out.push_str(&quote_box(Some(&label), &inner));
    }
}

/// A box set off from the text: a quote led by its label in bold, when it has one.
fn quote_box(label: Option<&str>, inner: &str) -> String {
    let label = label
        .map(|l| format!("**{}**\n\n", escape_markdown(l)))
        .unwrap_or_default();
    format!(
        "\n\n<blockquote>\n\n{label}{}\n\n</blockquote>\n\n",
        inner.trim()
    )
}

/// An embedded video, post or gist (`youtube`, `tweet`, `gist`…) as the iframe of its page,
/// which the HTML reader makes a paragraph linking to it (see [`super::embed`]).
/// `None` for any other name.
fn embed(name: &str, tag: &Tag) -> Option<String> {
    let id = || tag.param(&["id"], Some(0)).unwrap_or_default();
    Some(match name {
        "youtube" => {
            let url = format!("https://www.youtube.com/watch?v={}", id());
            frame(&url, tag.param(&["title"], None).as_deref())
        }
        "vimeo" => {
            let url = format!("https://vimeo.com/{}", id());
            frame(&url, tag.param(&["title"], None).as_deref())
        }
        "tweet" | "x" | "twitter" => {
            let id = tag.param(&["id"], Some(1).filter(|_| tag.args.len() > 1).or(Some(0)));
            let user = tag
                .param(&["user"], None)
                .or_else(|| {
                    (tag.args.len() > 1)
                        .then(|| tag.param(&[], Some(0)))
                        .flatten()
                })
                .unwrap_or_else(|| "i".into());
            let url = format!(
                "https://twitter.com/{user}/status/{}",
                id.unwrap_or_default()
            );
            frame(&url, None)
        }
        "instagram" => {
            let url = format!("https://www.instagram.com/p/{}/", id());
            frame(&url, None)
        }
        "gist" => {
            let user = tag.param(&["user"], Some(0)).unwrap_or_default();
            let id = tag.param(&["id"], Some(1)).unwrap_or_default();
            let file = tag.param(&["file"], Some(2));
            let url = format!("https://gist.github.com/{user}/{id}");
            frame(&url, file.as_deref())
        }
        // PaperMod's, LoveIt's and Stack's `video`/`audio` write a `<video>`/`<audio>` of `src`
        // (a caption or title beside it): the same element, read as the post's own.
        "video" | "audio" => {
            let src = tag.param(&["src", "url", "file"], Some(0))?;
            let title = tag.param(&["caption", "title", "name"], None);
            format!(
                "\n\n<{name} src=\"{}\"{}></{name}>\n\n",
                crate::xml::escape(src.trim()),
                title
                    .filter(|t| !t.trim().is_empty())
                    .map(|t| format!(" title=\"{}\"", crate::xml::escape(t.trim())))
                    .unwrap_or_default()
            )
        }
        // Stack's and LoveIt's `bilibili BV… [part]` (or `id=`, `p=`): a player of that video,
        // linked as its page on bilibili.com.
        "bilibili" => {
            let id = tag.param(&["id", "bvid", "aid"], Some(0))?;
            let id = id.trim();
            let id = match id.strip_prefix("av").or_else(|| id.strip_prefix("AV")) {
                Some(n) => format!("av{n}"),
                None if id.bytes().all(|b| b.is_ascii_digit()) => format!("av{id}"),
                None => id.to_string(),
            };
            let part = tag
                .param(&["p", "page", "part"], Some(1))
                .filter(|p| !matches!(p.trim(), "" | "1"));
            let url = match part {
                Some(p) => format!("https://www.bilibili.com/video/{id}/?p={}", p.trim()),
                None => format!("https://www.bilibili.com/video/{id}/"),
            };
            frame(&url, tag.param(&["title"], None).as_deref())
        }
        _ => return None,
    })
}

/// `figure`, `img`, and theme shortcodes that show a picture (`image`, `gallery-image`, …).
fn is_picture_shortcode(name: &str) -> bool {
    [
        "figure", "img", "image", "picture", "photo", "imgproc", "gallery",
    ]
    .iter()
    .any(|p| name.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Meta;
    use crate::site::Site;

    fn run(src: &str) -> (String, Vec<String>) {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("content/posts/other")).unwrap();
        std::fs::write(
            d.path().join("hugo.toml"),
            "title = \"H\"\n[params]\nx = \"px\"\n",
        )
        .unwrap();
        std::fs::write(d.path().join("content/posts/other/index.md"), "x").unwrap();
        let site = Site::find(d.path()).unwrap();
        let path = d.path().join("content/posts/this.md");
        let meta = Meta::default();
        let page = Page {
            site: &site,
            path: &path,
            meta: &meta,
        };
        let mut warnings = Vec::new();
        let out = expand(src, &page, &mut warnings).unwrap();
        (out, warnings.into_iter().map(|w| w.message).collect())
    }

    #[test]
    fn commented_shortcodes_in_code_show_the_shortcode_they_quote() {
        let src = "Write:\n\n```markdown\n{{</* youtube abc123 */>}}\n{{%/* notice tip */%}}Hi{{%/* /notice */%}}\n{{</*/* nested */*/>}}\n```\n\nInline `{{</* figure src=\"a.jpg\" */>}}` and {{</* ref \"x\" */>}}.\n";
        let (out, warnings) = run(src);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(
            out.contains("```markdown\n{{< youtube abc123 >}}\n{{% notice tip %}}Hi{{% /notice %}}\n{{</* nested */>}}\n```"),
            "{out}"
        );
        assert!(
            out.contains("Inline `{{< figure src=\"a.jpg\" >}}`"),
            "{out}"
        );
        assert!(out.contains("and `{{< ref \"x\" >}}`."), "{out}");
        let (out, _) = run("{{< highlight go >}}\n{{</* param x */>}}\n{{< /highlight >}}\n");
        assert!(out.contains("\n{{< param x >}}\n"), "{out}");
    }

    #[test]
    fn inline_shortcodes_show_no_template_code() {
        let src = "A\n\n{{< math.inline >}}\n{{ if .Page.Params.math }}<link rel=\"x\">{{ end }}\n{{< /math.inline >}}\n\nYear {{< year.inline >}}{{ now.Format \"2006\" }}{{< /year.inline >}}, {{< plain.inline >}}plain{{< /plain.inline >}}, {{< year.inline />}}.\n";
        let (out, warnings) = run(src);
        assert!(!out.contains("{{"), "{out}");
        assert!(!out.contains("link"), "{out}");
        assert!(out.contains("Year , plain, ."), "{out}");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("inline shortcode") && warnings[0].contains("math.inline"));
        assert!(warnings[1].contains("`year.inline` (×2)"), "{warnings:?}");
    }

    #[test]
    fn theme_shortcodes_keep_their_prose() {
        let (out, w) = run(concat!(
            "{{< alert \"circle-info\" >}}Icon box{{< /alert >}}\n",
            "{{< alert warning >}}Kind box{{< /alert >}}\n",
            "{{% alert title=\"Heads up\" color=\"info\" %}}Docsy box{{% /alert %}}\n",
            "{{< figure link=\"https://x.test/big.png\" src=\"small.png\" caption=\"C\" >}}\n",
            "{{< gallery caption=\"Two boats\" >}}<img src=\"a.png\">{{< /gallery >}}\n",
            "[same page]({{< ref \"#setup\" >}})\n",
        ));
        assert!(out.contains("<blockquote>\n\nIcon box"), "{out}");
        assert!(
            !out.contains("circle-info") && !out.contains("Circle"),
            "{out}"
        );
        assert!(out.contains("**Warning**\n\nKind box"), "{out}");
        assert!(out.contains("**Heads up**\n\nDocsy box"), "{out}");
        assert!(out.contains("<img src=\"small.png\""), "{out}");
        assert!(out.contains("<img src=\"a.png\">\n\nTwo boats"), "{out}");
        assert!(out.contains("[same page](#setup)"), "{out}");
        assert!(w.is_empty(), "{w:?}");
    }

    /// A shortcode alone on an indented line stays in its list item; one inside a sentence
    /// is inline (PaperMod's `inTextImg` inside bold text).
    #[test]
    fn shortcodes_stay_where_they_stand() {
        let (out, _) = run("1. **Install {{< inTextImg url=\"logo.png\" >}} first.**\n\
             2. Open it:\n\n   {{< figure src=\"s.png\" caption=\"Settings\" >}}\n\n   Then pick.\n\n\
             {{< figure src=\"t.png\" >}}\n");
        assert!(
            out.starts_with("1. **Install <img src=\"logo.png\" alt=\"\"> first.**\n"),
            "{out}"
        );
        assert!(
            out.contains("\n   <figure><img src=\"s.png\" alt=\"Settings\"><figcaption>Settings</figcaption></figure>\n"),
            "{out}"
        );
        assert!(out.contains("\n<figure><img src=\"t.png\""), "{out}");
        let blocks = crate::read::markdown::read_markdown(&out, &mut Vec::new());
        let crate::model::Block::List { items, .. } = &blocks[0] else {
            panic!("{blocks:?}");
        };
        assert_eq!(items.len(), 2, "{blocks:?}");
        assert!(
            matches!(items[1][..], [_, crate::model::Block::Figure(_), _]),
            "{items:?}"
        );
        assert!(
            matches!(blocks[1..], [crate::model::Block::Figure(_)]),
            "{blocks:?}"
        );
    }

    #[test]
    fn text_after_a_content_free_shortcode_is_kept() {
        let (out, _) = run("{{< youtube abc >}}\n\nKept text.\n\n{{< /youtube >}}\n");
        assert!(out.contains("watch?v=abc"), "{out}");
        assert!(out.contains("Kept text."), "{out}");
    }

    #[test]
    fn broken_and_hostile_input_never_panics() {
        for src in [
            "{{<",
            "{{< x",
            "{{%%}}",
            "{{< >}}",
            "{{</* x",
            "{{</* x */",
            "{{< /x >}}",
            "{{< a >}}{{< a >}}{{< /a >}}",
            "é{{< figure src=\"é\" >}}é{{% notice é %}}é",
            "```\n{{< x >}}",
            "`{{< x >}}",
        ] {
            run(src);
        }
        let deep = "{{< a >}}".repeat(200) + &"{{< /a >}}".repeat(200);
        let (out, w) = run(&deep);
        assert!(!out.contains("{{<"), "{out}");
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("unknown shortcode `a` (×200)"), "{w:?}");
    }

    #[test]
    fn built_in_shortcodes() {
        let (out, w) = run(concat!(
            "{{< figure src=\"a.jpg\" caption=\"A *cap*\" >}}\n",
            "{{< youtube dQw4w9WgXcQ >}} {{< youtube id=\"abc\" title=\"Talk\" >}}\n",
            "{{< vimeo 123 >}} {{< tweet user=\"jack\" id=\"20\" >}} {{< gist u 1f >}}\n",
            "{{< highlight go \"linenos=table\" >}}\nfunc main() {}\n{{< /highlight >}}\n",
            "[o]({{< ref \"other\" >}}) [p]({{< relref \"posts/other/index.md\" >}}) {{< param x >}}\n",
            "{{% notice warning \"Careful\" %}}\nInner **md** {{< img src=\"b.png\" alt=\"B\" >}}\n{{% /notice %}}\n",
            "{{< chart 1 >}}data{{< /chart >}} {{< chart >}}x{{< /chart >}} {{< unknown-single />}}\n",
            "`{{< youtube x >}}`\n",
        ));
        assert!(out.contains(
            "<figure><img src=\"a.jpg\" alt=\"A *cap*\"><figcaption>A *cap*</figcaption></figure>"
        ));
        // Embeds are the iframes the HTML reader reads (see `read::embed`).
        assert!(
            out.contains("<iframe src=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\"></iframe>")
        );
        assert!(out.contains(
            "<iframe src=\"https://www.youtube.com/watch?v=abc\" title=\"Talk\"></iframe>"
        ));
        assert!(out.contains("https://vimeo.com/123"));
        assert!(out.contains("https://twitter.com/jack/status/20"));
        assert!(out.contains("https://gist.github.com/u/1f"));
        assert!(
            out.contains("```go {linenos=true,linenostart=1}\nfunc main() {}\n```"),
            "{out}"
        );
        assert!(
            out.contains("[o](other/index.md) [p](other/index.md) px"),
            "{out}"
        );
        assert!(
            out.contains(
                "<blockquote>\n\n**Careful**\n\nInner **md** <img src=\"b.png\" alt=\"B\">"
            ),
            "{out}"
        );
        assert!(out.contains("data x"), "{out}");
        assert!(out.contains("`{{< youtube x >}}`"));
        assert_eq!(
            w,
            [
                "unknown shortcode `chart` (×2): its content kept, the shortcode removed",
                "unknown shortcode `unknown-single`: its content kept, the shortcode removed"
            ]
        );
    }
}
