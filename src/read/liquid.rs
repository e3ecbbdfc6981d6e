//! The Liquid that Jekyll posts contain, evaluated on the Markdown text before it is parsed.
//!
//! Not a template engine: the tags and filters real posts use in their bodies are given their
//! meaning (links to other posts, URLs under `baseurl`, highlighted code, picture includes);
//! any other tag is removed with the text around it kept, and named in a warning. Code blocks
//! and code spans are left alone (there, `{{ x }}` is an example), except that `{% raw %}`
//! markers are removed from them as Jekyll does.

use super::prose::{fenced_code, figure_html, line_numbers, split_args, unquote, Prose, Unknown};
use crate::site::Page;
use crate::warning::{Warning, WarningKind};
use std::collections::HashMap;

/// Include parameters that name a picture, and those that describe it (in order of preference
/// for the caption).
const SRC_PARAMS: [&str; 6] = ["url", "src", "file", "image", "path", "img"];
const CAPTION_PARAMS: [&str; 4] = ["caption", "description", "title", "alt"];

/// Evaluates the Liquid in `src` for `page`; `None` when there is none.
pub fn expand(src: &str, page: &Page, warnings: &mut Vec<Warning>) -> Option<String> {
    if !src.contains("{%") && !src.contains("{{") {
        return None;
    }
    let mut pass = Pass {
        page,
        vars: HashMap::new(),
        unknown_tags: Unknown::default(),
        unknown_vars: Unknown::default(),
        unknown_filters: Unknown::default(),
        unknown_includes: Unknown::default(),
        missing_posts: Unknown::default(),
    };
    let out = pass.run(src);
    let liquid = WarningKind::UnknownLiquid;
    pass.unknown_tags.into_warnings(
        liquid,
        "unknown Liquid tag",
        "removed, the text around it kept",
        warnings,
    );
    pass.unknown_includes.into_warnings(
        liquid,
        "unknown Liquid include",
        "removed (not a picture include)",
        warnings,
    );
    pass.unknown_vars
        .into_warnings(liquid, "unknown Liquid variable", "left empty", warnings);
    pass.unknown_filters
        .into_warnings(liquid, "unknown Liquid filter", "ignored", warnings);
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
    /// `{% assign %}`ed variables.
    vars: HashMap<String, String>,
    unknown_tags: Unknown,
    unknown_vars: Unknown,
    unknown_filters: Unknown,
    unknown_includes: Unknown,
    missing_posts: Unknown,
}

/// A `{% … %}` or `{{ … }}` at some position: its inside and where it ends.
struct Token<'s> {
    inner: &'s str,
    end: usize,
}

fn token<'s>(src: &'s str, at: usize, close: &str) -> Option<Token<'s>> {
    let open_len = 2;
    let rel = src[at + open_len..].find(close)?;
    let inner = &src[at + open_len..at + open_len + rel];
    let inner = inner.trim_start_matches('-').trim_end_matches('-').trim();
    Some(Token {
        inner,
        end: at + open_len + rel + close.len(),
    })
}

/// Finds the `{% end %}` tag (any whitespace, `-` trims) at or after `from`: (start, end).
fn find_end_tag(src: &str, from: usize, end: &str) -> Option<(usize, usize)> {
    let mut i = from;
    while let Some(rel) = src[i..].find("{%") {
        let at = i + rel;
        let t = token(src, at, "%}")?;
        if t.inner.split_whitespace().next() == Some(end) {
            return Some((at, t.end));
        }
        i = at + 2;
    }
    None
}

/// Removes `{% raw %}` and `{% endraw %}` markers, keeping what they enclose.
fn strip_raw_markers(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut i = 0;
    while let Some(rel) = code[i..].find("{%") {
        let at = i + rel;
        match token(code, at, "%}") {
            Some(t) if matches!(t.inner, "raw" | "endraw") => {
                out.push_str(&code[i..at]);
                i = t.end;
            }
            _ => {
                out.push_str(&code[i..at + 2]);
                i = at + 2;
            }
        }
    }
    out.push_str(&code[i..]);
    out
}

impl Pass<'_> {
    fn run(&mut self, src: &str) -> String {
        let prose = Prose::new(src);
        let mut out = String::with_capacity(src.len());
        let mut copied = 0;
        let mut i = 0;
        loop {
            // Copy code blocks between here and the next tag with `{% raw %}` markers removed.
            let next = prose.find(i, &["{%", "{{"]);
            let upto = next.unwrap_or(src.len());
            for block in prose.code_blocks() {
                if block.start >= copied && block.end <= upto {
                    out.push_str(&src[copied..block.start]);
                    out.push_str(&strip_raw_markers(&src[block.clone()]));
                    copied = block.end;
                }
            }
            let Some(at) = next else { break };
            out.push_str(&src[copied..at]);
            let end = if src[at..].starts_with("{{") {
                match token(src, at, "}}") {
                    Some(t) => {
                        let value = self.eval(t.inner);
                        out.push_str(&value);
                        t.end
                    }
                    None => {
                        out.push_str("{{");
                        at + 2
                    }
                }
            } else {
                match token(src, at, "%}") {
                    Some(t) => self.tag(src, t, &mut out),
                    None => {
                        out.push_str("{%");
                        at + 2
                    }
                }
            };
            copied = end;
            i = end;
        }
        out.push_str(&src[copied..]);
        out
    }

    /// Handles the tag `t`, writing what it stands for; returns where the text resumes.
    fn tag(&mut self, src: &str, t: Token, out: &mut String) -> usize {
        let (name, args) = t
            .inner
            .split_once(char::is_whitespace)
            .map_or((t.inner, ""), |(n, a)| (n, a.trim()));
        match name {
            "raw" => match find_end_tag(src, t.end, "endraw") {
                Some((start, end)) => {
                    out.push_str(&src[t.end..start]);
                    end
                }
                None => t.end,
            },
            "comment" => find_end_tag(src, t.end, "endcomment").map_or(t.end, |(_, end)| end),
            "highlight" => {
                let (lang, options) = args.trim().split_once(' ').unwrap_or((args.trim(), ""));
                match find_end_tag(src, t.end, "endhighlight") {
                    Some((start, end)) => {
                        let code = strip_raw_markers(&src[t.end..start]);
                        out.push_str(&fenced_code(lang, &code, line_numbers(options)));
                        end
                    }
                    None => t.end,
                }
            }
            "post_url" | "link" => {
                let target = unquote(args.split_whitespace().next().unwrap_or(""));
                let target = self.eval_text(target);
                match self.page.link_to_post(&target) {
                    Some(url) => out.push_str(&url),
                    None if name == "link" && !target.starts_with("_posts") => {
                        // A page, not a post: its URL on the site.
                        let page = target
                            .rsplit_once('.')
                            .map_or(target.clone(), |(p, _)| format!("{p}.html"));
                        let path = format!("/{}", page.trim_start_matches('/'));
                        let site = self.page.site;
                        out.push_str(
                            &site
                                .absolute_url(&path)
                                .unwrap_or_else(|| site.relative_url(&path)),
                        );
                    }
                    None => self.missing_posts.add(&target),
                }
                t.end
            }
            "include" | "include_relative" => {
                self.include(args, out);
                t.end
            }
            "assign" => {
                if let Some((var, value)) = args.split_once('=') {
                    let value = self.eval(value);
                    self.vars.insert(var.trim().to_string(), value);
                }
                t.end
            }
            _ => {
                self.unknown_tags.add(name);
                t.end
            }
        }
    }

    /// `{% include name.html key="value" … %}`: a figure when it names a picture.
    fn include(&mut self, args: &str, out: &mut String) {
        let mut parts = split_args(args).into_iter();
        let name = parts.next().unwrap_or("").to_string();
        let mut params: HashMap<String, String> = HashMap::new();
        for p in parts {
            if let Some((k, v)) = p.split_once('=') {
                let v = v.trim();
                let value = if v.starts_with(['"', '\'']) {
                    self.eval_text(unquote(v))
                } else {
                    self.eval(v)
                };
                params.insert(k.trim().to_ascii_lowercase(), value);
            }
        }
        let src = SRC_PARAMS
            .iter()
            .find_map(|k| params.get(*k).filter(|v| !v.trim().is_empty()));
        match src {
            Some(src) => {
                let caption = CAPTION_PARAMS
                    .iter()
                    .find_map(|k| params.get(*k).filter(|v| !v.trim().is_empty()))
                    .map_or("", String::as_str);
                let alt = params.get("alt").map_or(caption, String::as_str);
                out.push_str(&figure_html(src, alt, caption));
            }
            None => self.unknown_includes.add(&name),
        }
    }

    /// Evaluates `{{ }}`s inside a quoted include parameter (`url="{{ site.baseurl }}/a.png"`).
    fn eval_text(&mut self, s: &str) -> String {
        if !s.contains("{{") {
            return s.to_string();
        }
        let mut out = String::new();
        let mut i = 0;
        while let Some(rel) = s[i..].find("{{") {
            let at = i + rel;
            out.push_str(&s[i..at]);
            match token(s, at, "}}") {
                Some(t) => {
                    out.push_str(&self.eval(t.inner));
                    i = t.end;
                }
                None => {
                    out.push_str(&s[at..]);
                    return out;
                }
            }
        }
        out.push_str(&s[i..]);
        out
    }

    /// An output expression: a value and its filters.
    fn eval(&mut self, expr: &str) -> String {
        let mut parts = split_filters(expr).into_iter();
        let mut value = self.value(parts.next().unwrap_or("").trim());
        for filter in parts {
            let (name, arg) = filter
                .split_once(':')
                .map_or((filter.trim(), ""), |(n, a)| (n.trim(), a.trim()));
            let arg = self.value(arg.split(',').next().unwrap_or("").trim());
            let site = self.page.site;
            value = match name {
                "relative_url" => site.relative_url(&value),
                "absolute_url" => site
                    .absolute_url(&value)
                    .unwrap_or_else(|| site.relative_url(&value)),
                "prepend" => format!("{arg}{value}"),
                "append" => format!("{value}{arg}"),
                "default" if value.is_empty() => arg,
                "downcase" => value.to_lowercase(),
                "upcase" => value.to_uppercase(),
                "strip" => value.trim().to_string(),
                "escape" | "xml_escape" => crate::xml::escape(&value),
                "default"
                | "markdownify"
                | "smartify"
                | "strip_html"
                | "uri_escape"
                | "url_encode"
                | "slugify"
                | "date_to_string"
                | "date_to_long_string"
                | "date"
                | "jsonify" => value,
                other => {
                    self.unknown_filters.add(other);
                    value
                }
            };
        }
        value
    }

    /// A literal or a variable.
    fn value(&mut self, v: &str) -> String {
        if v.is_empty() {
            return String::new();
        }
        if v.starts_with(['"', '\'']) {
            return unquote(v).to_string();
        }
        // Liquid's literals: `null` is `nil`'s other name; `empty` and `blank` compare equal
        // to empty values and print nothing.
        if v.parse::<f64>().is_ok() || matches!(v, "true" | "false") {
            return v.to_string();
        }
        if matches!(v, "nil" | "null" | "empty" | "blank") {
            return String::new();
        }
        let found = if let Some(key) = v.strip_prefix("site.") {
            self.page.site.variable(key)
        } else if let Some(key) = v.strip_prefix("page.") {
            self.page.variable(key)
        } else {
            self.vars.get(v).cloned()
        };
        found.unwrap_or_else(|| {
            self.unknown_vars.add(v);
            String::new()
        })
    }
}

/// Splits an output expression at `|` outside quotes.
fn split_filters(expr: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quote = None;
    let mut start = 0;
    for (i, c) in expr.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '|') => {
                out.push(&expr[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&expr[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Meta;
    use crate::site::Site;
    use std::path::Path;

    fn site(dir: &Path) -> Site {
        std::fs::create_dir_all(dir.join("_posts")).unwrap();
        std::fs::write(
            dir.join("_config.yml"),
            "title: T\nurl: https://ex.test\nbaseurl: /blog\nsocial:\n  name: me\n",
        )
        .unwrap();
        std::fs::write(dir.join("_posts/2019-01-01-first.md"), "x").unwrap();
        Site::find(dir).unwrap()
    }

    fn run(src: &str) -> (String, Vec<String>) {
        let d = tempfile::tempdir().unwrap();
        let site = site(d.path());
        let path = d.path().join("_posts/2020-01-01-this.md");
        let meta = Meta {
            title: "This post".into(),
            extra: vec![("hero".into(), serde_json::json!("/img/h.png"))],
            ..Meta::default()
        };
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
    fn variables_and_filters() {
        let (out, w) = run(
            "![a]({{ site.baseurl }}/img/a.png) {{ \"/img/b.png\" | relative_url }} {{ 'c' | absolute_url }} {{ page.title }} {{ site.social.name }} {{ page.hero }}",
        );
        assert_eq!(
            out,
            "![a](/blog/img/a.png) /blog/img/b.png https://ex.test/blog/c This post me /img/h.png"
        );
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn literals_are_values_not_unknown_variables() {
        let (out, w) = run(concat!(
            "[{{ nil }}{{ null }}{{ empty }}{{ blank }}{{ true }} {{ 3 }}]\n",
            "{% include image.html url=\"/img/a.png\" source_link=null caption=nil %}\n",
        ));
        assert!(out.starts_with("[true 3]"), "{out}");
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn tags() {
        let (out, w) = run(concat!(
            "[first]({% post_url 2019-01-01-first %}) [l]({% link _posts/2019-01-01-first.md %})\n\n",
            "{% highlight python linenos %}\nprint('{{ x }}')\n{% endhighlight %}\n",
            "{% raw %}{{ kept }}{% endraw %} {% comment %}gone{% endcomment %}",
            "{% if page.x %}kept text{% endif %}\n\n",
            "{% include image.html url=\"/img/a.png\" description=\"A cap\" %}\n",
            "{% include toc.html %}\n",
        ));
        assert!(out.contains("[first](2019-01-01-first.md) [l](2019-01-01-first.md)"));
        assert!(
            out.contains("```python {linenos=true,linenostart=1}\nprint('{{ x }}')\n```"),
            "{out}"
        );
        assert!(out.contains("{{ kept }} kept text"), "{out}");
        assert!(out.contains(
            "<figure><img src=\"/img/a.png\" alt=\"A cap\"><figcaption>A cap</figcaption></figure>"
        ));
        assert!(!out.contains("{%"), "{out}");
        assert_eq!(
            w,
            [
                "unknown Liquid tag `endif`: removed, the text around it kept",
                "unknown Liquid tag `if`: removed, the text around it kept",
                "unknown Liquid include `toc.html`: removed (not a picture include)"
            ]
        );
    }

    #[test]
    fn code_is_left_alone_but_raw_markers_go() {
        let src = "`{{ a }}`\n\n```\n{% raw %}{{ b }}{% endraw %}\n```\n\n    {% c %}\n";
        let (out, w) = run(src);
        assert_eq!(out, "`{{ a }}`\n\n```\n{{ b }}\n```\n\n    {% c %}\n");
        assert!(w.is_empty());
    }

    #[test]
    fn broken_input_never_panics() {
        for src in [
            "{{",
            "{%",
            "{{ }}",
            "{% %}",
            "{%- raw -%}",
            "{% highlight %}",
            "{% comment %}x",
            "é{{ 'é' | append: \"é\" }}é",
            "{% include %}",
            "{% include a.html url= %}",
            "```\n{% raw %}",
            "{% post_url %}",
            "{{ site. }}",
            "{{ | }}",
        ] {
            run(src);
        }
    }

    #[test]
    fn missing_posts_are_warned_about() {
        let (out, w) = run("[x]({% post_url 2000-01-01-gone %})");
        assert_eq!(out, "[x]()");
        assert!(w[0].starts_with("link to a missing post `2000-01-01-gone`"));
    }
}
