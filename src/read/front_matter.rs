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
    /// A JSON object, braces included: Hugo's front matter that starts with `{`.
    Json,
    /// The members of a JSON object without its braces: Hexo's `;;;` front matter, which Hexo
    /// reads as `JSON.parse('{' + block + '}')`.
    JsonMembers,
}

/// A post split into its front matter and its body.
#[derive(Debug)]
pub struct Split<'a> {
    pub front_matter: Option<(Syntax, &'a str)>,
    /// 1-based line of the first front matter line (the one after the opening fence).
    pub first_line: usize,
    pub body: &'a str,
}

/// Splits `text` at its front matter fences (`---` YAML, `+++` TOML): the forms every
/// generator reads. See [`split_for`] for a post of a known site.
pub fn split(text: &str) -> Result<Split<'_>, PostError> {
    split_for(text, None)
}

/// Splits `text` at its front matter, in the forms its site's `generator` reads besides
/// `---` YAML and `+++` TOML:
///
/// - Hugo: a JSON object at the start of the file (Hugo's page lexer takes a leading `{` as
///   JSON front matter, to its matching `}`).
/// - Hexo (hexo-front-matter's `split`): `;;;` fences around JSON members, and front matter
///   without an opening fence, ended by the first line of `---` or `;;;` (`rFrontMatterNew`).
///   The latter is taken only where it cannot be Markdown: the block before that line must
///   be a YAML mapping (or JSON members) with at least one key, as Hexo also requires, so a
///   setext heading (`Title` over `---`) stays a heading.
///
/// These are read only in their generator's sites: elsewhere a file starting with `{` or
/// `;;;`, or a `key: value` paragraph over a rule, is ordinary text.
///
/// A file whose first line is a fence but that has no closing fence is an error rather than a body
/// that starts with a rule: swallowing the keys as text would silently lose the metadata.
pub fn split_for(
    text: &str,
    generator: Option<crate::site::Generator>,
) -> Result<Split<'_>, PostError> {
    use crate::site::Generator;
    let plain = Split {
        front_matter: None,
        first_line: 1,
        body: text,
    };
    let (syntax, fence) = if text.starts_with("---") {
        (Syntax::Yaml, "---")
    } else if text.starts_with("+++") {
        (Syntax::Toml, "+++")
    } else if text.starts_with(";;;") && generator == Some(Generator::Hexo) {
        (Syntax::JsonMembers, ";;;")
    } else if text.starts_with('{') && generator == Some(Generator::Hugo) {
        return json_object(text);
    } else if generator == Some(Generator::Hexo) {
        return Ok(hexo_unopened(text).unwrap_or(plain));
    } else {
        return Ok(plain);
    };
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != fence {
        // `----` or `--- text`: a Markdown rule or a heading underline, not front matter.
        return Ok(plain);
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

/// Hugo's JSON front matter: the object `text` starts with, and the rest of its last line.
/// A body opening with a template (`{{< figure >}}`, `{{ .Title }}`) is not JSON: it is the
/// body. (Hugo itself fails on such a file; postbook reads it rather than lose it.)
fn json_object(text: &str) -> Result<Split<'_>, PostError> {
    if text.starts_with("{{") {
        return Ok(Split {
            front_matter: None,
            first_line: 1,
            body: text,
        });
    }
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<serde::de::IgnoredAny>();
    match values.next() {
        Some(Ok(_)) => {}
        Some(Err(e)) => {
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            return Err(PostError::at(
                e.line(),
                e.column().max(1),
                format!("invalid JSON front matter: {msg}"),
            ));
        }
        None => unreachable!("the text starts with `{{`"),
    }
    let end = values.byte_offset();
    // Like Hugo, the line break after the closing brace belongs to the front matter.
    let rest = &text[end..];
    let after = rest.trim_start_matches([' ', '\t']);
    let body = after
        .strip_prefix("\r\n")
        .or_else(|| after.strip_prefix('\n'))
        .unwrap_or(rest);
    Ok(Split {
        front_matter: Some((Syntax::Json, &text[..end])),
        first_line: 1,
        body,
    })
}

/// Hexo's front matter without an opening fence (hexo-front-matter's `rFrontMatterNew`):
/// everything up to the first line that starts with `---` or `;;;`. Hexo takes the block when
/// it parses to an object; postbook also wants that line to be the fence alone and the block
/// to hold at least one key, so that Markdown with a rule or a heading underline is never
/// read as front matter.
fn hexo_unopened(text: &str) -> Option<Split<'_>> {
    let mut pos = text.find('\n')? + 1;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = &text[pos..end];
        if line.starts_with("---") || line.starts_with(";;;") {
            let fence = line.trim_end();
            let syntax = match fence.as_bytes()[0] {
                b'-' if fence.bytes().all(|b| b == b'-') => Syntax::Yaml,
                b';' if fence.bytes().all(|b| b == b';') => Syntax::JsonMembers,
                _ => return None,
            };
            let block = &text[..pos];
            let keys = parse(syntax, block, 1).ok()?;
            return (!keys.is_empty()).then(|| Split {
                front_matter: Some((syntax, block)),
                first_line: 1,
                body: &text[(end + 1).min(text.len())..],
            });
        }
        pos = end + 1;
    }
    None
}

/// Parses front matter into an ordered key/value list.
pub fn parse(
    syntax: Syntax,
    src: &str,
    first_line: usize,
) -> Result<Vec<(String, Value)>, PostError> {
    parse_with(syntax, src, first_line, &mut Vec::new())
}

/// [`parse`], with warnings for what it read leniently: a YAML key given twice.
pub fn parse_with(
    syntax: Syntax,
    src: &str,
    first_line: usize,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<(String, Value)>, PostError> {
    match syntax {
        Syntax::Yaml => parse_yaml(src, first_line, warnings),
        Syntax::Toml => parse_toml(src, first_line),
        Syntax::Json => parse_json(src, first_line, 0, warnings),
        Syntax::JsonMembers => parse_json(&format!("{{{src}}}"), first_line, 1, warnings),
    }
}

/// A JSON object's members in order. `shift` is how many characters were put before the first
/// line of `src` (Hexo's members are read inside braces postbook adds), for error columns.
fn parse_json(
    src: &str,
    first_line: usize,
    shift: usize,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<(String, Value)>, PostError> {
    // Read loosely, so that a key given twice is said: Hugo (Go's `encoding/json`) and Hexo
    // (`JSON.parse`) take its last value without a word.
    let value: Loose = serde_json::from_str(src).map_err(|e| {
        let col = match e.line() {
            1 => e.column().saturating_sub(shift),
            _ => e.column(),
        };
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        PostError::at(
            first_line + e.line().saturating_sub(1),
            col.max(1),
            format!("invalid JSON front matter: {msg}"),
        )
    })?;
    match value {
        Loose::Map(entries) => Ok(last_wins(
            entries,
            src,
            first_line,
            KeyLines::Indented,
            "as Hugo and Hexo do",
            warnings,
        )),
        _ => Err(PostError::at(
            first_line,
            1,
            "JSON front matter is not an object of keys to values".into(),
        )),
    }
}

fn parse_yaml(
    src: &str,
    first_line: usize,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<(String, Value)>, PostError> {
    if src.trim().is_empty() {
        return Ok(Vec::new());
    }
    let parsed = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(src);
    if let Err(e) = &parsed {
        // `duplicate entry with key "tags"`, or `author: duplicate entry …` in a nested mapping.
        if e.to_string().contains("duplicate entry with key") {
            if let Ok(Loose::Map(entries)) = serde_yaml_ng::from_str::<Loose>(src) {
                return Ok(last_wins(
                    entries,
                    src,
                    first_line,
                    KeyLines::AtMargin,
                    "as Jekyll does",
                    warnings,
                ));
            }
        }
    }
    let value = parsed.map_err(|e| {
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

/// A YAML value whose mappings keep every entry, a key given twice included: serde_yaml_ng's
/// `Value` refuses such a mapping, while Jekyll (Psych) takes the last value of the key, and
/// so does postbook, with a warning. (Hugo and Hexo's `yaml` refuse the file; postbook would
/// rather read it than fail the post.)
enum Loose {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(String),
    Seq(Vec<Loose>),
    Map(Vec<(Loose, Loose)>),
}

impl<'de> serde::Deserialize<'de> for Loose {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LooseVisitor)
    }
}

struct LooseVisitor;

impl<'de> serde::de::Visitor<'de> for LooseVisitor {
    type Value = Loose;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_unit<E>(self) -> Result<Loose, E> {
        Ok(Loose::Null)
    }
    fn visit_none<E>(self) -> Result<Loose, E> {
        Ok(Loose::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Loose, D::Error> {
        serde::Deserialize::deserialize(d)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Loose, E> {
        Ok(Loose::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Loose, E> {
        Ok(Loose::I64(n))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Loose, E> {
        Ok(Loose::U64(n))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Loose, E> {
        Ok(Loose::F64(n))
    }
    fn visit_str<E>(self, s: &str) -> Result<Loose, E> {
        Ok(Loose::Str(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Loose, E> {
        Ok(Loose::Str(s))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
        let mut xs = Vec::new();
        while let Some(x) = seq.next_element()? {
            xs.push(x);
        }
        Ok(Loose::Seq(xs))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Loose, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Loose::Map(entries))
    }
    /// A tagged value (`!ruby/object x`): its value, as [`yaml_to_json`] takes it.
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Loose, A::Error> {
        use serde::de::VariantAccess;
        let (_tag, value): (String, _) = data.variant()?;
        value.newtype_variant()
    }
}

/// A mapping's entries, a key given twice taking its last value (in the place of its first,
/// as a Ruby hash keeps it), each repeated key named in a front-matter warning with its lines.
/// Where the lines that give a top-level key are: at the left margin (YAML), or indented
/// anywhere (JSON).
#[derive(Clone, Copy, PartialEq)]
enum KeyLines {
    AtMargin,
    Indented,
}

fn last_wins(
    entries: Vec<(Loose, Loose)>,
    src: &str,
    first_line: usize,
    top_keys: KeyLines,
    as_whom: &str,
    warnings: &mut Vec<Warning>,
) -> Vec<(String, Value)> {
    let mut repeated = Vec::new();
    let map = loose_map(entries, "", &mut repeated);
    for key in repeated {
        // The lines that give the key: a top-level key where `top_keys` says, a key of a
        // nested mapping (`author.name`) anywhere.
        let (name, margin) = match key.rsplit_once('.') {
            Some((_, last)) => (last, false),
            None => (key.as_str(), top_keys == KeyLines::AtMargin),
        };
        let lines: Vec<String> = src
            .lines()
            .enumerate()
            .filter(|(_, line)| {
                let written = match margin {
                    true => line,
                    false => line.trim_start_matches(|c: char| c.is_whitespace() || c == '{'),
                };
                let written = written.trim_start_matches("- ");
                [name.to_string(), format!("\"{name}\""), format!("'{name}'")]
                    .iter()
                    .any(|k| {
                        written
                            .strip_prefix(k.as_str())
                            .is_some_and(|rest| rest.trim_start().starts_with(':'))
                    })
            })
            .map(|(i, _)| (first_line + i).to_string())
            .collect();
        let at = match lines.len() {
            0 => String::new(),
            _ => format!(" (lines {})", lines.join(", ")),
        };
        warnings.push(Warning::named(
            WarningKind::FrontMatter,
            &key,
            1,
            format!(
                "front matter key `{key}` is given more than once{at}; its last value is used, \
                 {as_whom}"
            ),
        ));
    }
    map.into_iter().collect()
}

/// A [`Loose`] mapping as JSON, the last value of a repeated key kept; `path` is the mapping's
/// own key path, and each repeated key's path is added to `repeated`.
fn loose_map(
    entries: Vec<(Loose, Loose)>,
    path: &str,
    repeated: &mut Vec<String>,
) -> serde_json::Map<String, Value> {
    let mut map = serde_json::Map::new();
    for (k, v) in entries {
        let key = match loose_to_json(k, path, repeated) {
            Value::String(s) => s,
            other => other.to_string(),
        };
        let inner = match path {
            "" => key.clone(),
            _ => format!("{path}.{key}"),
        };
        let value = loose_to_json(v, &inner, repeated);
        if map.insert(key, value).is_some() && !repeated.contains(&inner) {
            repeated.push(inner);
        }
    }
    map
}

fn loose_to_json(v: Loose, path: &str, repeated: &mut Vec<String>) -> Value {
    match v {
        Loose::Null => Value::Null,
        Loose::Bool(b) => Value::Bool(b),
        Loose::I64(n) => Value::from(n),
        Loose::U64(n) => Value::from(n),
        Loose::F64(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        Loose::Str(s) => Value::String(s),
        Loose::Seq(xs) => Value::Array(
            xs.into_iter()
                .map(|x| loose_to_json(x, path, repeated))
                .collect(),
        ),
        Loose::Map(entries) => Value::Object(loose_map(entries, path, repeated)),
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

/// The front matter of the file at `path` as key–value pairs, in the forms its site's
/// `generator` reads: for the other pages a site's rules look at (a bundle's `index.md`, a
/// section's `_index.md`, a linked post). `None` when the file cannot be read, has none, or
/// it does not parse.
pub fn pairs_of_file(
    path: &std::path::Path,
    generator: Option<crate::site::Generator>,
) -> Option<Vec<(String, Value)>> {
    let text = std::fs::read_to_string(path).ok()?;
    let split = split_for(&text, generator).ok()?;
    let (syntax, src) = split.front_matter?;
    parse(syntax, src, split.first_line).ok()
}

/// What the front matter of the site post at `path` says that its permalink depends on (see
/// [`crate::site::permalink`]); empty for a file that cannot be read or has none. Dates are
/// taken as written, in their own time zone, as the generators build URLs from them.
/// `generator` is the post's site's, for the front matter forms only it reads.
pub fn post_facts(
    path: &std::path::Path,
    generator: Option<crate::site::Generator>,
) -> crate::site::permalink::PostFacts {
    let mut facts = crate::site::permalink::PostFacts::default();
    for (key, value) in pairs_of_file(path, generator).unwrap_or_default() {
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
        // Hexo's documented form (`2013/7/13 20:46:25`, which moment reads; chrono's `%m`
        // and `%d` take one digit as well as two).
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
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
    fn hexo_front_matter_without_an_opening_fence() {
        use crate::site::Generator::{Hexo, Hugo, Jekyll};
        let post = "title: 你好\ndate: 2013-12-24 17:49:32\n---\n\nBody.\n";
        let s = split_for(post, Some(Hexo)).unwrap();
        assert_eq!(
            s.front_matter,
            Some((Syntax::Yaml, "title: 你好\ndate: 2013-12-24 17:49:32\n"))
        );
        assert_eq!(s.body, "\nBody.\n");
        assert_eq!(s.first_line, 1);
        // Only in a Hexo site.
        for other in [None, Some(Jekyll), Some(Hugo)] {
            assert!(split_for(post, other).unwrap().front_matter.is_none());
        }
        // Markdown stays Markdown: a setext heading, a paragraph over a rule, a rule with
        // text after it, a list.
        for md in [
            "Title\n---\nText.\n",
            "Some words here.\n\n---\n\nMore.\n",
            "key: value\n--- not a fence\n",
            "- a\n- b\n---\n",
            "# Heading\n\nNo rule at all.\n",
            "",
        ] {
            let s = split_for(md, Some(Hexo)).unwrap();
            assert!(s.front_matter.is_none(), "{md:?}");
            assert_eq!(s.body, md);
        }
        // JSON members ended by `;;;`, with or without the opening `;;;`.
        for post in [
            "\"title\": \"J\",\n\"tags\": [\"x\"]\n;;;\nBody.\n",
            ";;;\n\"title\": \"J\",\n\"tags\": [\"x\"]\n;;;\nBody.\n",
        ] {
            let s = split_for(post, Some(Hexo)).unwrap();
            let (syntax, src) = s.front_matter.unwrap();
            assert_eq!(syntax, Syntax::JsonMembers);
            assert_eq!(s.body, "Body.\n");
            let pairs = parse(syntax, src, s.first_line).unwrap();
            assert_eq!(pairs[0], ("title".into(), Value::String("J".into())));
            assert_eq!(pairs[1].1, serde_json::json!(["x"]));
        }
        // Text before `;;;` that is not JSON is the body.
        let text = "Not JSON, just words\n;;;\n";
        assert!(split_for(text, Some(Hexo)).unwrap().front_matter.is_none());
        // A `;;;`-fenced block that is not JSON is an error with its line, as bad YAML is.
        let post = ";;;\n\"title\": \"J\"\n\"date\": 1\n;;;\n";
        let s = split_for(post, Some(Hexo)).unwrap();
        let (syntax, src) = s.front_matter.unwrap();
        let e = parse(syntax, src, s.first_line).unwrap_err();
        assert_eq!(e.line, Some(3), "{}", e.message);
        assert!(
            e.message.starts_with("invalid JSON front matter"),
            "{}",
            e.message
        );
        // Outside Hexo, `;;;` is text.
        assert!(split(";;;\n\"a\": 1\n;;;\n")
            .unwrap()
            .front_matter
            .is_none());
    }

    #[test]
    fn hugo_json_front_matter() {
        use crate::site::Generator::{Hugo, Jekyll};
        let post = "{\n  \"title\": \"J {x}\",\n  \"date\": \"2024-01-06\",\n  \"categories\": [\"x\"]\n}\n\nBody.\n";
        let s = split_for(post, Some(Hugo)).unwrap();
        let (syntax, src) = s.front_matter.unwrap();
        assert_eq!(syntax, Syntax::Json);
        assert!(src.starts_with('{') && src.ends_with('}'), "{src}");
        assert_eq!(s.body, "\nBody.\n");
        let mut meta = Meta::default();
        assert!(to_meta(parse(syntax, src, s.first_line).unwrap(), &mut meta).is_empty());
        assert_eq!(meta.title, "J {x}");
        assert_eq!(meta.date.unwrap().to_iso(), "2024-01-06");
        assert_eq!(meta.categories, ["x"]);
        // Only in a Hugo site; a body opening with a template is a body.
        assert!(split_for(post, Some(Jekyll))
            .unwrap()
            .front_matter
            .is_none());
        assert!(split(post).unwrap().front_matter.is_none());
        let shortcode = "{{< figure src=\"a.png\" >}}\nText.\n";
        let s = split_for(shortcode, Some(Hugo)).unwrap();
        assert!(s.front_matter.is_none());
        assert_eq!(s.body, shortcode);
        // Broken JSON is an error on its line.
        let e = split_for("{\n\"title\": \"a\",\n\"date\" 1\n}\n", Some(Hugo)).unwrap_err();
        assert_eq!(e.line, Some(3), "{}", e.message);
        assert!(
            e.message.starts_with("invalid JSON front matter"),
            "{}",
            e.message
        );
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
    fn a_repeated_key_takes_its_last_value_with_a_warning() {
        let src = "title: Twice\ntags: [a]\ndraft: false\nauthor:\n  name: A\n  name: B\n\
                   tags: [b, c]\n";
        // Without the repeats, the plain reader gives the same as before.
        let mut warnings = Vec::new();
        let pairs = parse_with(Syntax::Yaml, src, 2, &mut warnings).unwrap();
        assert_eq!(
            pairs,
            [
                ("title".to_string(), Value::String("Twice".into())),
                ("tags".to_string(), serde_json::json!(["b", "c"])),
                ("draft".to_string(), Value::Bool(false)),
                ("author".to_string(), serde_json::json!({"name": "B"})),
            ]
        );
        let messages: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(warnings.iter().all(|w| w.kind == WarningKind::FrontMatter));
        assert!(
            messages[0].contains("`author.name`") && messages[0].contains("(lines 6, 7)"),
            "{messages:?}"
        );
        assert!(
            messages[1].contains("`tags`") && messages[1].contains("(lines 3, 8)"),
            "{messages:?}"
        );
        // JSON too (Hugo's object, Hexo's members), where the keys are indented.
        let mut warnings = Vec::new();
        let pairs = parse_with(
            Syntax::Json,
            "{\n  \"title\": \"a\",\n  \"draft\": true,\n  \"draft\": false\n}",
            1,
            &mut warnings,
        )
        .unwrap();
        assert_eq!(pairs[1], ("draft".to_string(), Value::Bool(false)));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0]
            .message
            .contains("`draft` is given more than once (lines 3, 4)"));
        let mut warnings = Vec::new();
        parse_with(
            Syntax::JsonMembers,
            "\"a\": 1,\n\"a\": 2\n",
            2,
            &mut warnings,
        )
        .unwrap();
        assert!(warnings[0].message.contains("(lines 2, 3)"), "{warnings:?}");
        // Other YAML errors are still errors.
        assert!(parse(Syntax::Yaml, "a: [\n", 2).is_err());
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
        // Hexo's documented form, one-digit month and day.
        assert_eq!(
            parse_date("2013/7/13 20:46:25").unwrap().to_iso(),
            "2013-07-13T20:46:25Z"
        );
        assert_eq!(
            floating_time("2013/7/13 20:46").unwrap().to_string(),
            "2013-07-13 20:46:00"
        );
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
        assert!(jekyll_name("2023-05-24-").is_none());
        // One-digit months and days, as Jekyll's matcher allows.
        for (stem, day, slug) in [
            ("2015-4-7-spring-tea", "2015-04-07", "spring-tea"),
            ("2015-10-3-autumn", "2015-10-03", "autumn"),
            ("2015-1-12-x-2", "2015-01-12", "x-2"),
        ] {
            let (d, s) = jekyll_name(stem).unwrap();
            assert_eq!((d.to_string().as_str(), s), (day, slug), "{stem}");
        }
        for stem in [
            "2015-4-071-x",
            "2015-13-1-x",
            "2015-2-30-x",
            "15-4-7-x",
            "2015--7-x",
        ] {
            assert!(jekyll_name(stem).is_none(), "{stem}");
        }
    }
}
