//! Where template syntax counts in a Markdown body: everywhere but code.
//!
//! The Liquid and shortcode pre-passes ([`super::liquid`], [`super::shortcode`]) run on the
//! Markdown text before pulldown-cmark sees it, so they must tell code from prose themselves:
//! `{{ x }}` inside a fenced or indented code block or a code span is an example, not a tag.

use super::regions::CodeRegions;
use std::ops::Range;

/// A Markdown text with its code located (see [`CodeRegions`]), to search for tags outside it.
pub struct Prose<'a> {
    pub src: &'a str,
    code: CodeRegions,
}

impl<'a> Prose<'a> {
    pub fn new(src: &'a str) -> Self {
        Prose {
            src,
            code: CodeRegions::of(src),
        }
    }

    /// The code blocks (fenced and indented), as byte ranges of whole lines.
    pub fn code_blocks(&self) -> &[Range<usize>] {
        self.code.blocks()
    }

    /// The code blocks and code spans, as byte ranges, in order.
    pub fn code(&self) -> &[Range<usize>] {
        self.code.from(0)
    }

    /// The first position at or after `from` where one of `needles` starts outside code blocks
    /// and code spans.
    pub fn find(&self, from: usize, needles: &[&str]) -> Option<usize> {
        let mut i = from;
        for code in self.code.from(from) {
            if code.start > i {
                if let Some(at) = self.first(i, code.start, needles) {
                    return Some(at);
                }
            }
            i = i.max(code.end);
        }
        self.first(i, self.src.len(), needles)
    }

    /// The first position in `from..to` where one of `needles` starts (it may end past `to`).
    fn first(&self, from: usize, to: usize, needles: &[&str]) -> Option<usize> {
        let bytes = self.src.as_bytes();
        needles
            .iter()
            .filter_map(|n| {
                let end = (to + n.len()).saturating_sub(1).min(bytes.len());
                memchr::memmem::find(&bytes[from..end], n.as_bytes()).map(|k| from + k)
            })
            .min()
    }
}

/// A fenced code block of `text` in `lang`, with a fence longer than any backtick run inside,
/// on lines of its own.
pub fn fenced_code(lang: &str, text: &str, first_line: Option<u32>) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let text = text.trim_start_matches(['\r', '\n']).trim_end();
    let numbers = first_line.map_or(String::new(), |n| {
        format!(" {{linenos=true,linenostart={n}}}")
    });
    let lang = if lang.is_empty() && first_line.is_some() {
        "text"
    } else {
        lang
    };
    format!("\n\n{fence}{lang}{numbers}\n{text}\n{fence}\n\n")
}

/// The first line number a code block's options ask for, if they ask for numbers: Jekyll's
/// `linenos` (`{% highlight ruby linenos %}`) and Hugo's `linenos=true|table|inline`, with
/// `linenostart=N`, whether comma- or space-separated (`linenos=table,hl_lines=2`).
/// `linenos=false` and options without `linenos` ask for none.
pub fn line_numbers(options: &str) -> Option<u32> {
    let mut numbered = false;
    let mut start = 1;
    for option in options.split([',', ' ']).map(str::trim) {
        let (key, value) = option.split_once('=').unwrap_or((option, "true"));
        match (key.trim(), unquote(value.trim())) {
            ("linenos", v) => numbered = v != "false",
            ("linenostart", v) => start = v.parse().unwrap_or(1),
            _ => {}
        }
    }
    numbered.then_some(start)
}

/// A figure the HTML reader turns into a model figure: `<figure><img><figcaption>`, on lines
/// of its own. The caption, when there is one, is the figure's text (see `Block::Figure`).
pub fn figure_html(src: &str, alt: &str, caption: &str) -> String {
    let caption = match caption.trim() {
        "" => String::new(),
        c => format!("<figcaption>{}</figcaption>", crate::xml::escape(c)),
    };
    format!(
        "\n\n<figure><img src=\"{}\" alt=\"{}\">{caption}</figure>\n\n",
        crate::xml::escape(src.trim()),
        crate::xml::escape(alt.trim())
    )
}

/// `info` → `Info`.
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Escapes the characters that would make Markdown of plain text.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\`*_[]<>#".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Splits `s` at whitespace outside quotes: `a "b c" d='e f'` → `a`, `"b c"`, `d='e f'`.
pub fn split_args(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c.is_whitespace() => {
                if let Some(st) = start.take() {
                    out.push(&s[st..i]);
                }
            }
            None => {
                start.get_or_insert(i);
                if matches!(c, '"' | '\'' | '`') {
                    quote = Some(c);
                }
            }
        }
    }
    if let Some(st) = start {
        out.push(&s[st..]);
    }
    out
}

/// A quoted value without its quotes; an unquoted one as it is.
pub fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['"', '\'', '`'] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return &s[1..s.len() - 1];
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_number_options_of_jekyll_and_hugo() {
        assert_eq!(line_numbers("linenos"), Some(1));
        assert_eq!(line_numbers("linenos=table"), Some(1));
        assert_eq!(
            line_numbers("linenos=inline,hl_lines=3 6-8,linenostart=199"),
            Some(199)
        );
        assert_eq!(line_numbers("linenos=true linenostart=5"), Some(5));
        assert_eq!(line_numbers("linenos=false"), None);
        assert_eq!(line_numbers("hl_lines=2"), None);
        assert_eq!(line_numbers(""), None);
    }

    #[test]
    fn finds_tags_outside_code_only() {
        let src =
            "a {{x}}\n\n```\n{{y}}\n```\n\n    {{z}}\n\nb `{{w}}` {{v}}\n\n- item\n\n    {{u}}\n";
        let p = Prose::new(src);
        let mut found = Vec::new();
        let mut i = 0;
        while let Some(at) = p.find(i, &["{{"]) {
            found.push(&src[at + 2..at + 3]);
            i = at + 2;
        }
        assert_eq!(found, ["x", "v", "u"]);
    }

    #[test]
    fn fences_outgrow_backticks_inside() {
        assert_eq!(
            fenced_code("py", "a ``` b", None),
            "\n\n````py\na ``` b\n````\n\n"
        );
    }
}
