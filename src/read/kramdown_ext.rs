//! kramdown's extensions (`{::comment}…{:/comment}`, `{::nomarkdown}…{:/}`, `{::options … /}`),
//! applied before Markdown parsing, as kramdown does.
//!
//! CommonMark does not know them: the markers used to go as attribute lists
//! ([`super::kramdown`]) and what they enclosed stayed, so a comment meant for the author was
//! printed. As kramdown documents: a comment's content is never shown; `nomarkdown` content is
//! passed on as written (raw HTML, which the HTML reader reads; content for another of
//! kramdown's converters, `type="latex"`, is left out, as kramdown's HTML converter does);
//! `options` changes how the rest of the post is parsed and shows nothing. Of the options only
//! `parse_block_html` changes what postbook reads: from the directive on, HTML block elements
//! have their content read as Markdown ([`super::kramdown_html::parse_block_html`]); the
//! others are about kramdown's own output (header ids, typography) and are removed.
//! Code is left alone ([`super::regions`]).

use super::regions::CodeRegions;
use std::borrow::Cow;

/// The body with kramdown's extensions applied; borrowed when it has none.
pub fn apply_extensions(src: &str) -> Cow<'_, str> {
    if !src.contains("{::") {
        return Cow::Borrowed(src);
    }
    let code = CodeRegions::of(src);
    let mut out = String::with_capacity(src.len());
    let mut rest_from = 0;
    let mut parse_html_from: Option<usize> = None;
    let mut at = 0;
    while let Some(k) = src[at..].find("{::").map(|k| at + k) {
        at = k + 3;
        if code.contains(k) {
            continue;
        }
        let Some(tag) = Extension::at(&src[k..]) else {
            continue;
        };
        let (end, content) = if tag.self_closing {
            (k + tag.len, "")
        } else {
            match tag.close_in(&src[k + tag.len..]) {
                Some((from, to)) => (k + tag.len + to, &src[k + tag.len..k + tag.len + from]),
                // kramdown keeps an extension never closed as text; the marker line goes as
                // an attribute list, as before.
                None => continue,
            }
        };
        out.push_str(&src[rest_from..k]);
        match tag.name {
            "comment" => {}
            "nomarkdown" => {
                let html = tag.attribute("type").is_none_or(|t| t == "html");
                if html {
                    out.push_str(content.trim_matches('\n'));
                }
            }
            "options" => {
                if let Some(v) = tag.attribute("parse_block_html") {
                    parse_html_from = match v == "true" {
                        true => Some(out.len()),
                        false => None,
                    };
                }
            }
            // Other extensions (kramdown has no others; plugins may) are left as they were.
            _ => out.push_str(&src[k..end]),
        }
        rest_from = end;
        at = end;
    }
    if rest_from == 0 {
        return Cow::Borrowed(src);
    }
    out.push_str(&src[rest_from..]);
    if let Some(from) = parse_html_from {
        let tail = super::kramdown_html::parse_block_html(&out[from..]);
        if let Cow::Owned(tail) = tail {
            out.truncate(from);
            out.push_str(&tail);
        }
    }
    Cow::Owned(out)
}

/// An extension's opening tag: `{::name key="value" …}` or `{::name … /}`.
struct Extension<'a> {
    name: &'a str,
    attributes: &'a str,
    self_closing: bool,
    /// The tag's length in bytes.
    len: usize,
}

impl<'a> Extension<'a> {
    /// The tag at the start of `s` (which starts with `{::`), if it is one.
    fn at(s: &'a str) -> Option<Extension<'a>> {
        let close = s.find('}')?;
        let inner = &s[3..close];
        if inner.contains(['{', '\n']) {
            return None;
        }
        let (inner, self_closing) = match inner.trim_end().strip_suffix('/') {
            Some(i) => (i, true),
            None => (inner, false),
        };
        let name_end = inner
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '-')
            .unwrap_or(inner.len());
        let name = &inner[..name_end];
        (!name.is_empty()).then_some(Extension {
            name,
            attributes: &inner[name_end..],
            self_closing,
            len: close + 1,
        })
    }

    /// Where the content ends and where the closing tag (`{:/name}` or `{:/}`) ends, in
    /// `after` (the text after the opening tag).
    fn close_in(&self, after: &str) -> Option<(usize, usize)> {
        let named = format!("{{:/{}}}", self.name);
        [named.as_str(), "{:/}"]
            .iter()
            .filter_map(|close| after.find(close).map(|k| (k, k + close.len())))
            .min()
    }

    /// The value of an attribute (`key="v"`, `key='v'` or `key=v`).
    fn attribute(&self, key: &str) -> Option<&'a str> {
        let mut s = self.attributes;
        while let Some(k) = s.find(key) {
            let before_ok = s[..k].ends_with(char::is_whitespace) || k == 0;
            let after = s[k + key.len()..].trim_start();
            if let (true, Some(v)) = (before_ok, after.strip_prefix('=')) {
                let v = v.trim_start();
                return Some(match v.chars().next() {
                    Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or(""),
                    _ => v.split_whitespace().next().unwrap_or(""),
                });
            }
            s = &s[k + key.len()..];
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_options_and_nomarkdown_as_kramdown_has_them() {
        let src = "A\n\n{::comment}\nSecret *note*.\n{:/comment}\n\nB {::comment}inline{:/} C\n\n\
                   {::options auto_ids=\"false\" /}\n\n{::nomarkdown}\n<b>raw</b>\n{:/nomarkdown}\n\n\
                   {::nomarkdown type=\"latex\"}\\LaTeX{:/}\n\n```\n{::comment}kept{:/comment}\n```\n";
        assert_eq!(
            apply_extensions(src),
            "A\n\n\n\nB  C\n\n\n\n<b>raw</b>\n\n\n\n```\n{::comment}kept{:/comment}\n```\n"
        );
    }

    #[test]
    fn unclosed_extensions_and_plain_text_stay() {
        assert!(matches!(
            apply_extensions("{::comment}\nnever closed\n"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(apply_extensions("no {: ext}"), Cow::Borrowed(_)));
    }

    #[test]
    fn parse_block_html_reads_later_html_blocks_as_markdown() {
        let src = "<div>\n*before*\n</div>\n\n{::options parse_block_html=\"true\" /}\n\n\
                   <div>\n*after*\n</div>\n";
        let out = apply_extensions(src);
        assert!(out.starts_with("<div>\n*before*\n</div>"), "{out}");
        assert!(out.contains("<div markdown=\"1\">\n*after*"), "{out}");
    }
}
