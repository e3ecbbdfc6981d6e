//! Front matter: splitting it from the body and mapping its keys onto [`Meta`].
//!
//! YAML (`---`) and TOML (`+++`, Hugo) are both parsed into one neutral key/value list first, so
//! the key mapping (aliases, Jekyll's space-separated `categories`, date formats) exists once.

use super::error::PostError;
pub use crate::input::jekyll_name;
use crate::model::{note_tag, Meta, PostDate};
use crate::warning::{Warning, WarningKind};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde_json::Value;

/// The syntax of a post's front matter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Yaml,
    Toml,
}

/// A post split into its front matter and its body.
#[derive(Debug)]
pub struct Split<'a> {
    pub front_matter: Option<(Syntax, &'a str)>,
    /// 1-based line of the first front matter line (the one after the opening fence).
    pub first_line: usize,
    pub body: &'a str,
}

/// Splits `text` at its front matter fences.
///
/// A file whose first line is a fence but that has no closing fence is an error rather than a body
/// that starts with a rule: swallowing the keys as text would silently lose the metadata.
pub fn split(text: &str) -> Result<Split<'_>, PostError> {
    let (syntax, fence) = if text.starts_with("---") {
        (Syntax::Yaml, "---")
    } else if text.starts_with("+++") {
        (Syntax::Toml, "+++")
    } else {
        return Ok(Split {
            front_matter: None,
            first_line: 1,
            body: text,
        });
    };
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != fence {
        // `----` or `--- text`: a Markdown rule or a heading underline, not front matter.
        return Ok(Split {
            front_matter: None,
            first_line: 1,
            body: text,
        });
    }
    let content_start = (first_end + 1).min(text.len());
    let mut pos = content_start;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = text[pos..end].trim_end();
        // YAML documents may also end with `...`.
        if line == fence || (syntax == Syntax::Yaml && line == "...") {
            let body_start = (end + 1).min(text.len());
            return Ok(Split {
                front_matter: Some((syntax, &text[content_start..pos])),
                first_line: 2,
                body: &text[body_start..],
            });
        }
        pos = end + 1;
    }
    Err(PostError::at(
        1,
        1,
        format!("front matter opened with `{fence}` is never closed"),
    ))
}

/// Parses front matter into an ordered key/value list.
pub fn parse(
    syntax: Syntax,
    src: &str,
    first_line: usize,
) -> Result<Vec<(String, Value)>, PostError> {
    match syntax {
        Syntax::Yaml => parse_yaml(src, first_line),
        Syntax::Toml => parse_toml(src, first_line),
    }
}

fn parse_yaml(src: &str, first_line: usize) -> Result<Vec<(String, Value)>, PostError> {
    if src.trim().is_empty() {
        return Ok(Vec::new());
    }
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(src).map_err(|e| {
        let (line, col) = e.location().map_or((0, 1), |l| (l.line(), l.column()));
        // serde_yaml's message repeats the location; keep only the explanation.
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        PostError::at(
            first_line + line.saturating_sub(1),
            col,
            format!("invalid YAML front matter: {msg}"),
        )
    })?;
    match value {
        serde_yaml_ng::Value::Mapping(map) => Ok(map
            .into_iter()
            .map(|(k, v)| (yaml_key(k), yaml_to_json(v)))
            .collect()),
        serde_yaml_ng::Value::Null => Ok(Vec::new()),
        _ => Err(PostError::at(
            first_line,
            1,
            "YAML front matter is not a mapping of keys to values".into(),
        )),
    }
}

fn yaml_key(k: serde_yaml_ng::Value) -> String {
    match yaml_to_json(k) {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

fn yaml_to_json(v: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(xs) => Value::Array(xs.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (yaml_key(k), yaml_to_json(v)))
                .collect(),
        ),
        Y::Tagged(t) => yaml_to_json(t.value),
    }
}

fn parse_toml(src: &str, first_line: usize) -> Result<Vec<(String, Value)>, PostError> {
    let table: toml::Table = toml::from_str(src).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let (line, col) = crate::position::line_col(src, offset);
        PostError::at(
            first_line + line - 1,
            col,
            format!("invalid TOML front matter: {}", e.message()),
        )
    })?;
    Ok(table
        .into_iter()
        .map(|(k, v)| (k, toml_to_json(v)))
        .collect())
}

fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(xs) => Value::Array(xs.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// Maps front matter keys onto [`Meta`]. Returns warnings for values it could not use; such
/// values stay in `extra` so nothing is lost.
///
/// The text values postbook interprets (title, authors, categories, tags, source, language,
/// slug) have their HTML character references decoded: scraped posts copy them from HTML
/// (`author: Zhao Tong &#38; more`), and they are plain text everywhere postbook shows them.
/// Other keys are kept exactly as written: they may hold HTML.
pub fn to_meta(pairs: Vec<(String, Value)>, meta: &mut Meta) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let mut original_tags: Option<Vec<String>> = None;
    for (key, value) in pairs {
        match key.to_ascii_lowercase().as_str() {
            crate::model::ORIGINAL_TAGS => original_tags = Some(list(&value, false)),
            "title" if meta.title.is_empty() => meta.title = text(&value).unwrap_or_default(),
            "date" if meta.date.is_none() => match scalar(&value).as_deref().map(parse_date) {
                Some(Some(d)) => meta.date = Some(d),
                _ => {
                    warnings.push(Warning::new(
                        WarningKind::FrontMatter,
                        format!("cannot read date {value}; the post is treated as undated"),
                    ));
                    meta.extra.push((key, value));
                }
            },
            "updated" | "lastmod" | "last_modified_at" if meta.updated.is_none() => {
                match scalar(&value).as_deref().map(parse_date) {
                    Some(Some(d)) => meta.updated = Some(d),
                    // `updated:` left empty (Hexo's scaffolds write it so) says nothing.
                    _ if value.is_null() || scalar(&value).is_some_and(|s| s.is_empty()) => {}
                    _ => {
                        warnings.push(Warning::new(
                            WarningKind::FrontMatter,
                            format!("cannot read `{key}` date {value}; kept as it is"),
                        ));
                        meta.extra.push((key, value));
                    }
                }
            }
            "author" | "authors" => meta.authors.extend(list(&value, false)),
            "categories" | "category" => meta.categories.extend(list(&value, true)),
            "tags" | "tag" => meta.tags.extend(list(&value, true)),
            "from" | "source" | "source_url" | "original_url" | "canonical_url" | "link"
                if meta.source.is_none() =>
            {
                meta.source = text(&value).filter(|s| !s.is_empty())
            }
            "lang" | "language" if meta.lang.is_none() => match text(&value) {
                Some(raw) if !raw.trim().is_empty() => match crate::lang::normalize(&raw) {
                    Some(tag) => meta.lang = Some(tag),
                    None => {
                        warnings.push(Warning::new(
                            WarningKind::FrontMatter,
                            format!(
                                "`{key}: {raw}` names no language postbook knows (a BCP 47 tag \
                                 such as zh-CN or en); the language is detected from the text"
                            ),
                        ));
                        meta.extra.push((key, value));
                    }
                },
                _ => {}
            },
            "slug" if meta.slug.is_none() => meta.slug = text(&value).filter(|s| !s.is_empty()),
            _ => meta.extra.push((key, value)),
        }
    }
    // A note postbook wrote: the tags by their own names, then any added in the note app.
    if let Some(mut originals) = original_tags {
        let written: std::collections::HashSet<String> =
            originals.iter().map(|t| note_tag(t)).collect();
        originals.extend(
            std::mem::take(&mut meta.tags)
                .into_iter()
                .filter(|t| !written.contains(t)),
        );
        meta.tags = originals;
    }
    dedup(&mut meta.authors);
    dedup(&mut meta.categories);
    dedup(&mut meta.tags);
    warnings
}

fn dedup(xs: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    xs.retain(|x| seen.insert(x.clone()));
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A scalar as plain text: HTML character references decoded (`&#38;`, `&amp;`, `&eacute;`).
fn text(v: &Value) -> Option<String> {
    let s = scalar(v)?;
    match html_escape::decode_html_entities(&s) {
        std::borrow::Cow::Borrowed(_) => Some(s),
        std::borrow::Cow::Owned(decoded) => Some(decoded.trim().to_string()),
    }
}

/// A string-or-list value as a list. Jekyll splits a plain string of categories or tags on
/// spaces (`categories: news tech`); authors are never split.
fn list(v: &Value, split_spaces: bool) -> Vec<String> {
    let items: Vec<String> = match v {
        // A list inside the list is a path (`[[前端, CSS], 随笔]`, as Hexo and postbook's notes
        // write hierarchical categories): one entry, its levels joined.
        Value::Array(xs) => xs
            .iter()
            .filter_map(|x| match x {
                Value::Array(levels) => {
                    let levels: Vec<String> = levels.iter().filter_map(text).collect();
                    (!levels.is_empty()).then(|| levels.join(crate::model::CATEGORY_LEVELS))
                }
                x => text(x),
            })
            .collect(),
        Value::Null => Vec::new(),
        other => match text(other) {
            Some(s) if split_spaces => s.split_whitespace().map(str::to_string).collect(),
            Some(s) => vec![s],
            None => Vec::new(),
        },
    };
    items.into_iter().filter(|s| !s.is_empty()).collect()
}

/// What the front matter of the site post at `path` says that its permalink depends on (see
/// [`crate::site::permalink`]); empty for a file that cannot be read or has none. Dates are
/// taken as written, in their own time zone, as the generators build URLs from them.
pub fn post_facts(path: &std::path::Path) -> crate::site::permalink::PostFacts {
    let mut facts = crate::site::permalink::PostFacts::default();
    let Ok(text) = std::fs::read_to_string(path) else {
        return facts;
    };
    let Ok(Split {
        front_matter: Some((syntax, src)),
        first_line,
        ..
    }) = split(&text)
    else {
        return facts;
    };
    for (key, value) in parse(syntax, src, first_line).unwrap_or_default() {
        let text = crate::site::value_text(&value).map(|s| s.trim().to_string());
        match key.as_str() {
            "title" => facts.title = text.unwrap_or_default(),
            "slug" => facts.slug = text.filter(|s| !s.is_empty()),
            "permalink" => facts.permalink = text.filter(|s| !s.is_empty()),
            "date" => facts.date = text.as_deref().and_then(parse_date).map(naive),
            k if k.eq_ignore_ascii_case("publishDate") || k.eq_ignore_ascii_case("pubDate") => {
                facts.publish_date = text.as_deref().and_then(parse_date).map(naive);
                if let Some(text) = text {
                    facts.fields.push((key, text));
                }
            }
            "categories" | "category" => facts.categories.push(value),
            _ => {
                if let (Some(text), false) = (text, value.is_object() || value.is_array()) {
                    facts.fields.push((key, text));
                }
            }
        }
    }
    facts
}

/// A date as written, without its offset (the generators build URLs from it so).
fn naive(d: PostDate) -> NaiveDateTime {
    match d {
        PostDate::Day(d) => d.and_time(chrono::NaiveTime::MIN),
        PostDate::Instant(t) => t.naive_local(),
    }
}

/// Parses the date forms found in Jekyll and Hugo posts: RFC 3339 (`2023-05-25T01:48:05.414Z`,
/// `…+08:00`), Jekyll's `2023-05-25 09:48:05 +0800`, a bare day, and local times without an
/// offset (taken as UTC: there is no site configuration to say otherwise).
pub fn parse_date(s: &str) -> Option<PostDate> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(PostDate::Instant(t));
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%Y-%m-%d %H:%M %z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        // RFC 3339 without seconds (`2024-01-10T09:00Z`); `%#z` also reads `Z`.
        "%Y-%m-%dT%H:%M%#z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Some(PostDate::Instant(t));
        }
    }
    if let Some(t) = floating_time(s) {
        return Some(PostDate::Instant(t.and_utc().fixed_offset()));
    }
    for fmt in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Some(PostDate::Day(d));
        }
    }
    None
}

/// A date and time written without an offset (`2020-01-01 10:00:00`), which [`parse_date`]
/// takes as UTC and a site's `timezone` may place elsewhere; `None` for any other form.
pub fn floating_time(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|fmt| NaiveDateTime::parse_from_str(s, fmt).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_yaml_and_toml() {
        let s = split("---\ntitle: a\n---\nbody\n").unwrap();
        assert_eq!(s.front_matter, Some((Syntax::Yaml, "title: a\n")));
        assert_eq!(s.body, "body\n");
        let s = split("+++\ntitle = 'a'\n+++\r\nbody").unwrap();
        assert_eq!(s.front_matter, Some((Syntax::Toml, "title = 'a'\n")));
        assert_eq!(s.body, "body");
        assert!(split("plain body").unwrap().front_matter.is_none());
        assert!(split("-----\ntext").unwrap().front_matter.is_none());
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let e = split("---\ntitle: a\nbody text\n").unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("never closed"));
    }

    #[test]
    fn yaml_error_names_the_file_line() {
        let e = parse(Syntax::Yaml, "title: ok\nauthor: x\ntags: [a, b\n", 2).unwrap_err();
        assert!(e.message.starts_with("invalid YAML"), "{}", e.message);
        assert!(e.line.unwrap() >= 4, "line {:?}", e.line);
    }

    #[test]
    fn original_tags_of_a_note_are_read_back() {
        let pairs = parse(
            Syntax::Yaml,
            "tags: [RTI_中央廣播電臺, 法广, added]\noriginal_tags: [RTI 中央廣播電臺, 法广]\n",
            1,
        )
        .unwrap();
        let mut meta = Meta::default();
        to_meta(pairs, &mut meta);
        assert_eq!(meta.tags, ["RTI 中央廣播電臺", "法广", "added"]);
        assert!(meta.extra.is_empty());
    }

    #[test]
    fn maps_real_quirks() {
        let pairs = parse(
            Syntax::Yaml,
            "title: \"a: b\"\ntags: [ 联合早报 ]\ncomments: True\ncategories: a b\nfrom: https://x.test/1\nlayout: post\n",
            2,
        )
        .unwrap();
        let mut meta = Meta::default();
        assert!(to_meta(pairs, &mut meta).is_empty());
        assert_eq!(meta.title, "a: b");
        assert_eq!(meta.tags, ["联合早报"]);
        assert_eq!(meta.categories, ["a", "b"]);
        assert_eq!(meta.source.as_deref(), Some("https://x.test/1"));
        assert_eq!(meta.extra[0], ("comments".to_string(), Value::Bool(true)));
        assert_eq!(meta.extra[1].0, "layout");
    }

    #[test]
    fn nested_category_lists_are_paths() {
        let pairs = parse(Syntax::Yaml, "categories: [[前端, CSS], 随笔, [读书]]\n", 2).unwrap();
        let mut meta = Meta::default();
        assert!(to_meta(pairs, &mut meta).is_empty());
        assert_eq!(meta.categories, ["前端 › CSS", "随笔", "读书"]);
    }

    #[test]
    fn html_character_references_are_decoded_in_text_values() {
        let pairs = parse(
            Syntax::Yaml,
            "title: Q&amp;A &eacute;t&#233;\nauthor: Zhao Tong &#38; more\ntags: [a &#x26; b]\n\
             categories: R&amp;D\nsource: https://x.test/?a=1&amp;b=2\nexcerpt: <b>&amp;</b>\n",
            2,
        )
        .unwrap();
        let mut meta = Meta::default();
        assert!(to_meta(pairs, &mut meta).is_empty());
        assert_eq!(meta.title, "Q&A été");
        assert_eq!(meta.authors, ["Zhao Tong & more"]);
        assert_eq!(meta.tags, ["a & b"]);
        assert_eq!(meta.categories, ["R&D"]);
        assert_eq!(meta.source.as_deref(), Some("https://x.test/?a=1&b=2"));
        // Keys postbook does not interpret are kept as written.
        assert_eq!(meta.extra[0].1, Value::String("<b>&amp;</b>".into()));
        // A lone ampersand is text.
        let mut meta = Meta::default();
        to_meta(
            parse(Syntax::Yaml, "title: AT&T & co\n", 2).unwrap(),
            &mut meta,
        );
        assert_eq!(meta.title, "AT&T & co");
    }

    #[test]
    fn parses_date_forms() {
        assert_eq!(
            parse_date("2023-05-25T01:48:05.414Z").unwrap().to_iso(),
            "2023-05-25T01:48:05.414Z"
        );
        assert_eq!(
            parse_date("2023-05-25 09:48:05 +0800").unwrap().to_iso(),
            "2023-05-25T09:48:05+08:00"
        );
        let d = parse_date("2023-05-25 09:48:05 +0800").unwrap();
        assert_eq!(d.day().to_string(), "2023-05-25");
        assert_eq!(
            parse_date("2023-05-25").unwrap(),
            PostDate::Day(NaiveDate::from_ymd_opt(2023, 5, 25).unwrap())
        );
        assert!(parse_date("yesterday").is_none());
        for (minutes, iso) in [
            ("2024-01-10T09:00Z", "2024-01-10T09:00:00Z"),
            ("2024-01-10T09:00+08:00", "2024-01-10T09:00:00+08:00"),
        ] {
            assert_eq!(
                parse_date(minutes).map(|d| d.to_iso()).as_deref(),
                Some(iso)
            );
        }
    }

    #[test]
    fn reads_jekyll_names() {
        let (d, slug) = jekyll_name("2023-05-24-习近平会见").unwrap();
        assert_eq!(d.to_string(), "2023-05-24");
        assert_eq!(slug, "习近平会见");
        assert!(jekyll_name("undated-note").is_none());
        assert!(jekyll_name("2023-05-24").is_none());
    }
}
