//! Which pages of a Hugo site Hugo does not publish though they are no drafts, so a book leaves
//! them out as the site does (counted by why; `--drafts` keeps them, as it keeps drafts):
//!
//! - **Never rendered** (Hugo's build options, `content-management/build-options.md`):
//!   `headless: true` (a headless bundle), `build: {render: never}` — or `render: false`, the
//!   older form, or `link` (a permalink but no page) — under `build` or the older `_build`, on
//!   the page or from the `cascade` of a section's `_index.md` above it (the nearest section's
//!   cascade wins, and the page's own values win over any cascade, as Hugo merges them; a
//!   cascade entry with a `_target` is not matched here and is ignored). `list` and
//!   `publishResources` do not keep a rendered page off the site: such pages stay.
//! - **Layout only**: an empty body with a `layout` (`layout: archives`, `layout: search`):
//!   the theme's template makes the page, and the book would have an empty chapter.
//! - **Future and expired** (`buildFuture`, `buildExpired`, both false by default): the page's
//!   `publishDate` (else `pubDate`, `published`, then `date`, Hugo's default front matter
//!   order) and `expiryDate` (else `unpublishDate`), kept as a window judged at each run's time
//!   ([`crate::model::Meta::left_out`]). Only for Hugo sites: a news mirror's dates follow no
//!   generator's rules.

use crate::model::{Meta, PostDate, Unpublished};
use crate::site::Generator;
use serde_json::Value;
use std::path::Path;

/// What keeps the Hugo page at `path` (with its front matter read into `meta`, and its body
/// `empty` or not) off `site`, if anything.
pub fn unpublished(
    site: &crate::site::Site,
    path: &Path,
    meta: &Meta,
    empty: bool,
) -> Option<Unpublished> {
    let own = |key: &str| field(&meta.extra, key);
    if never_rendered(&own) == Some(true)
        || never_rendered(&own) != Some(false) && cascaded_never(site, path)
    {
        return Some(Unpublished::NotRendered);
    }
    if empty
        && own("layout")
            .and_then(Value::as_str)
            .is_some_and(|l| !l.trim().is_empty())
    {
        return Some(Unpublished::LayoutOnly);
    }
    let date_of = |keys: &[&str]| -> Option<i64> {
        keys.iter().find_map(|k| {
            let text = crate::site::value_text(own(k)?)?;
            let t = text.trim();
            let date = match super::front_matter::floating_time(t) {
                Some(local) => site
                    .local_time(local)
                    .map(PostDate::Instant)
                    .or_else(|| super::front_matter::parse_date(t)),
                None => super::front_matter::parse_date(t),
            }?;
            Some(timestamp(date))
        })
    };
    let publish = match site.config_flag("buildFuture") {
        true => None,
        false => {
            date_of(&["publishDate", "pubDate", "published"]).or_else(|| meta.date.map(timestamp))
        }
    };
    let expiry = match site.config_flag("buildExpired") {
        true => None,
        false => date_of(&["expiryDate", "unpublishDate"]),
    };
    (publish.is_some() || expiry.is_some()).then_some(Unpublished::Window { publish, expiry })
}

/// A date as Unix seconds; a day alone is its start in UTC, as Hugo reads a date without a
/// time or zone (unless the site gives a `timeZone`, which the reader has applied).
fn timestamp(date: PostDate) -> i64 {
    match date {
        PostDate::Day(d) => d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp(),
        PostDate::Instant(t) => t.timestamp(),
    }
}

/// A front matter key, case-insensitively (Hugo's keys are).
fn field<'v>(pairs: &'v [(String, Value)], key: &str) -> Option<&'v Value> {
    pairs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// Whether front matter values (`get`) say the page is never rendered (`Some(true)`), say it
/// is (`Some(false)`: an explicit `render: always` or `headless: false` overrides a cascade),
/// or say nothing.
fn never_rendered<'v>(get: &dyn Fn(&str) -> Option<&'v Value>) -> Option<bool> {
    let headless = get("headless").and_then(Value::as_bool);
    let render = ["build", "_build"].iter().find_map(|k| {
        let build = get(k)?;
        let render = build
            .as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("render"))?
            .1;
        match render {
            Value::Bool(b) => Some(!b),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "never" | "link" | "false" => Some(true),
                "always" | "true" => Some(false),
                _ => None,
            },
            _ => None,
        }
    });
    match (headless, render) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), _) | (_, Some(false)) => Some(false),
        _ => None,
    }
}

/// Whether the `cascade` of the nearest section above `path` that says anything about
/// rendering says never.
fn cascaded_never(site: &crate::site::Site, path: &Path) -> bool {
    let Ok(abs) = std::path::absolute(path) else {
        return false;
    };
    let Some(content) = site
        .languages
        .of_post(&abs)
        .and_then(|l| l.dir.clone())
        .filter(|d| abs.starts_with(d))
        .or_else(|| {
            let c = site.hugo_content_dir();
            abs.starts_with(&c).then_some(c)
        })
        .or_else(|| {
            // A language's own folder on a site in one language.
            let rel = abs.strip_prefix(&site.root).ok()?;
            Some(site.root.join(rel.components().next()?))
        })
    else {
        return false;
    };
    let own_list = abs
        .file_stem()
        .and_then(|s| s.to_str())
        .is_some_and(|s| s == "_index" || s.starts_with("_index."));
    // A section's own `_index.md` takes its cascade from the sections above it.
    let mut dirs = abs.ancestors().skip(if own_list { 2 } else { 1 });
    for dir in dirs.by_ref() {
        if !dir.starts_with(&content) {
            break;
        }
        let said = {
            let mut cache = site
                .cache
                .render_cascades
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            *cache
                .entry(dir.to_path_buf())
                .or_insert_with(|| section_cascade(dir))
        };
        if let Some(never) = said {
            return never;
        }
        if dir == content {
            break;
        }
    }
    false
}

/// What the `cascade` of the section page (`_index.md`) in `dir` says about rendering.
fn section_cascade(dir: &Path) -> Option<bool> {
    for index in section_pages(dir) {
        let Some(pairs) = super::front_matter::pairs_of_file(&index, Some(Generator::Hugo)) else {
            continue;
        };
        let Some(cascade) = field(&pairs, "cascade") else {
            continue;
        };
        let entries: Vec<&Value> = match cascade {
            Value::Array(a) => a.iter().collect(),
            one => vec![one],
        };
        for entry in entries {
            let Some(map) = entry.as_object() else {
                continue;
            };
            if map.keys().any(|k| k.eq_ignore_ascii_case("_target")) {
                continue;
            }
            let get = |k: &str| {
                map.iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(k))
                    .map(|(_, v)| v)
            };
            if let Some(never) = never_rendered(&get) {
                return Some(never);
            }
        }
    }
    None
}

/// The `_index.*` files of a section folder.
fn section_pages(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut pages: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("_index."))
                && crate::input::BodyFormat::for_path(p).is_some()
        })
        .collect();
    pages.sort();
    pages
}

/// A Hugo page's `weight` (a number, or a number written as text); `None` for 0, which Hugo
/// takes as no weight.
pub fn weight(meta: &Meta) -> Option<i64> {
    let w = match field(&meta.extra, "weight")? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }?;
    (w != 0).then_some(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn weights_are_numbers_or_numeric_text_and_zero_is_none() {
        let meta = |v: Value| Meta {
            extra: vec![("Weight".into(), v)],
            ..Meta::default()
        };
        assert_eq!(weight(&meta(json!(20))), Some(20));
        assert_eq!(weight(&meta(json!("-5"))), Some(-5));
        assert_eq!(weight(&meta(json!(0))), None);
        assert_eq!(weight(&meta(json!("heavy"))), None);
    }
}
