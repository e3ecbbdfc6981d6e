//! A look at a Liquid text before the engine parses it.
//!
//! Two things the engine's grammar cannot do for Jekyll text are done here, on the tags
//! outside `{% raw %}` and `{% comment %}`:
//! - Jekyll's own tags take free-form arguments (`{% link _posts/2019-01-01-a.md %}`,
//!   `{% include blog/figure.html src="a.png" %}`, `{% highlight c++ %}`) that the grammar
//!   rejects (`/`, `+`), and so may a site's plugin tags (`{% youtube https://… %}`). Their
//!   arguments are handed over as one quoted string ([`quote_args`]); the tag splits them
//!   itself ([`unquote_args`]).
//! - A filter or tag the engine does not know is a parse error for the whole text. Their
//!   names are collected here, so the engine can stand in a pass-through for each (a site's
//!   `_plugins/*.rb` cannot run) and warn.

use std::collections::BTreeSet;

/// Tags whose arguments are free-form: passed to the tag as one quoted string.
const FREE_FORM: [&str; 6] = [
    "include",
    "include_relative",
    "post_url",
    "link",
    "highlight",
    "gist",
];

/// What [`prepare`] found and made.
pub struct Prepared {
    /// The text, with free-form tag arguments quoted.
    pub text: String,
    /// Filter names used that the engine does not know.
    pub unknown_filters: BTreeSet<String>,
    /// Tag names used that the engine does not know.
    pub unknown_tags: BTreeSet<String>,
}

/// Which names the engine knows.
pub trait Known {
    fn filter(&self, name: &str) -> bool;
    fn tag(&self, name: &str) -> bool;
}

/// Quotes free-form tag arguments and collects unknown names (see the module doc).
pub fn prepare(src: &str, known: &dyn Known) -> Prepared {
    let mut out = Prepared {
        text: String::with_capacity(src.len() + 64),
        unknown_filters: BTreeSet::new(),
        unknown_tags: BTreeSet::new(),
    };
    let mut copied = 0;
    let mut i = 0;
    let bytes = src.as_bytes();
    while let Some(rel) = memchr::memchr(b'{', &bytes[i..]) {
        let at = i + rel;
        match bytes.get(at + 1) {
            Some(b'{') => {
                let Some(end) = find_close(src, at + 2, "}}") else {
                    i = at + 2;
                    continue;
                };
                filters_of(&src[at + 2..end], known, &mut out.unknown_filters);
                i = end + 2;
            }
            Some(b'%') => {
                let Some(end) = find_close(src, at + 2, "%}") else {
                    i = at + 2;
                    continue;
                };
                let inner = &src[at + 2..end];
                let inner_trim = inner.trim_start_matches('-').trim_end_matches('-').trim();
                let (name, args) = inner_trim
                    .split_once(char::is_whitespace)
                    .map_or((inner_trim, ""), |(n, a)| (n, a.trim()));
                i = end + 2;
                if matches!(name, "raw" | "comment") {
                    // Their content is not Liquid: skip to the end tag.
                    if let Some(after) = end_tag(src, i, &format!("end{name}")) {
                        i = after;
                    }
                    continue;
                }
                let unknown = !known.tag(name);
                if unknown && is_identifier(name) {
                    out.unknown_tags.insert(name.to_string());
                }
                if FREE_FORM.contains(&name) || unknown {
                    let open = if inner.starts_with('-') { "{%-" } else { "{%" };
                    let close = if inner.ends_with('-') { "-%}" } else { "%}" };
                    out.text.push_str(&src[copied..at]);
                    out.text.push_str(open);
                    out.text.push(' ');
                    out.text.push_str(name);
                    out.text.push(' ');
                    out.text.push_str(&quote_args(args));
                    out.text.push(' ');
                    out.text.push_str(close);
                    copied = i;
                } else {
                    filters_of(args, known, &mut out.unknown_filters);
                }
            }
            _ => i = at + 1,
        }
    }
    out.text.push_str(&src[copied..]);
    out
}

/// Where `close` is, from `from`, outside quotes: `{{ "}}" }}` closes at the second.
fn find_close(src: &str, from: usize, close: &str) -> Option<usize> {
    let mut quote = None;
    let bytes = src.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            // Bytes, not `str` slices: `i` walks bytes and may be inside a character.
            None if bytes[i..].starts_with(close.as_bytes()) => return Some(i),
            // A new tag opens before this one closed: not a tag (leave it to the engine).
            // (a `{{ }}` may sit inside a tag: `{% include {{ page.fig }} %}`).
            None if bytes[i..].starts_with(b"{%")
                || close == "}}" && bytes[i..].starts_with(b"{{") =>
            {
                return None
            }
            None => {}
        }
        i += 1;
    }
    // An unbalanced quote: the first closer, quotes ignored.
    src[from..].find(close).map(|k| from + k)
}

/// The end of the `{% end %}` tag (any `-` trims) at or after `from`.
fn end_tag(src: &str, from: usize, end: &str) -> Option<usize> {
    let mut i = from;
    while let Some(rel) = src[i..].find("{%") {
        let at = i + rel;
        let close = at + 2 + src[at + 2..].find("%}")?;
        let inner = src[at + 2..close].trim_matches('-').trim();
        if inner == end {
            return Some(close + 2);
        }
        i = at + 2;
    }
    None
}

/// The names after `|` outside quotes, unknown to the engine.
fn filters_of(expr: &str, known: &dyn Known, unknown: &mut BTreeSet<String>) {
    let mut quote = None;
    for (i, c) in expr.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '|' => {
                let rest = expr[i + 1..].trim_start();
                let name: &str = rest
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                    .next()
                    .unwrap_or("");
                if is_identifier(name) && !known.filter(name) {
                    unknown.insert(name.to_string());
                }
            }
            None => {}
        }
    }
}

/// Whether the grammar reads `name` as one identifier (a name a stand-in can be made for).
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Free-form arguments as one Liquid string literal. The grammar's strings have no escapes,
/// so `"` and `%` are percent-encoded inside and [`unquote_args`] decodes them.
pub fn quote_args(args: &str) -> String {
    format!("\"{}\"", args.replace('%', "%25").replace('"', "%22"))
}

/// The arguments [`quote_args`] quoted.
pub fn unquote_args(quoted: &str) -> String {
    quoted.replace("%22", "\"").replace("%25", "%")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Std;
    impl Known for Std {
        fn filter(&self, name: &str) -> bool {
            matches!(name, "relative_url" | "upcase")
        }
        fn tag(&self, name: &str) -> bool {
            matches!(
                name,
                "if" | "endif" | "include" | "link" | "raw" | "endraw" | "comment" | "endcomment"
            )
        }
    }

    #[test]
    fn quotes_free_form_arguments_and_finds_unknown_names() {
        let p = prepare(
            concat!(
                "{{ 'a' | relative_url | mine: 2 }} {% if x | nope %}y{% endif %}\n",
                "{%- link _posts/a b.md -%} {% include x/y.html a=\"q%\" %}\n",
                "{% raw %}{{ x | hidden }}{% note %}{% endraw %}",
                "{% comment %}{% gone %}{% endcomment %}{% youtube https://y/t %}{% endyoutube %}"
            ),
            &Std,
        );
        assert_eq!(
            p.text,
            concat!(
                "{{ 'a' | relative_url | mine: 2 }} {% if x | nope %}y{% endif %}\n",
                "{%- link \"_posts/a b.md\" -%} {% include \"x/y.html a=%22q%25%22\" %}\n",
                "{% raw %}{{ x | hidden }}{% note %}{% endraw %}",
                "{% comment %}{% gone %}{% endcomment %}{% youtube \"https://y/t\" %}{% endyoutube \"\" %}"
            )
        );
        assert_eq!(
            p.unknown_filters.into_iter().collect::<Vec<_>>(),
            ["mine", "nope"]
        );
        assert_eq!(
            p.unknown_tags.into_iter().collect::<Vec<_>>(),
            ["endyoutube", "youtube"]
        );
        assert_eq!(unquote_args("x/y.html a=%22q%25%22"), "x/y.html a=\"q%\"");
    }

    #[test]
    fn broken_text_is_left_to_the_engine() {
        for src in ["{{", "{%", "{{ '}} ", "{% raw %}", "{% x {{ y }}", "é{é%"] {
            prepare(src, &Std);
        }
    }
}
