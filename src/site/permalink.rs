//! Permalinks: the path a Jekyll or Hexo site serves each of its posts at, from the site's
//! `permalink:` pattern or the post's own, so links between posts written as web addresses
//! (`[Note 1](/notes/1)`, `{{ site.baseurl }}/2020/01/02/x.html`) find the post they mean, and
//! a link to a post the book does not hold can lead to its page on the web instead.
//!
//! Patterns are expanded as the generators do:
//! - Jekyll (`Jekyll::URL`, `Drops::UrlDrop`): the styles `date` (the default), `pretty`,
//!   `ordinal`, `weekdate` and `none`, or a pattern of `:placeholders` (`:categories`,
//!   `:year`, `:month`, `:i_month`, `:short_year`, `:day`, `:y_day`, `:title`, `:slug`,
//!   `:output_ext`…); a post's own `permalink:` may use them too. `:categories` are the folders
//!   above `_posts/` and the front matter's, lower-cased; `:title` is the file name's slug (or
//!   the front matter's `slug`). `//` collapses, and the path starts with `/`.
//! - Hexo (`hexo/lib/plugins/filter/post_permalink.js`): `permalink: :year/:month/:day/:title/`
//!   relative to the site's `root`, `:title` the file's path under `_posts/` less what
//!   `new_post_name` puts before the slug, `:name` its last segment, `:post_title` the title,
//!   `:category` the post's category path (else `default_category`), and any front matter
//!   key; a post's own `permalink:` is taken as it is.
//!
//! A pattern naming what cannot be known here (Hexo's database `:id`, `:hash`) gives no
//! permalink: such posts are found by the older slug match alone ([`super::Site::localize`]).

use chrono::{Datelike, NaiveDateTime, Timelike};
use serde_json::Value;
use std::collections::HashMap;

/// What a post's front matter says that its permalink depends on. Read by the reader (which
/// parses front matter), handed to the site through [`super::Site::permalinks`].
#[derive(Debug, Clone, Default)]
pub struct PostFacts {
    pub title: String,
    /// The front matter's `slug`.
    pub slug: Option<String>,
    /// The front matter's date, in the time zone it was written in.
    pub date: Option<NaiveDateTime>,
    /// Hugo's `publishDate` (or `pubDate`), which its permalinks use when there is no `date`.
    pub publish_date: Option<NaiveDateTime>,
    /// The front matter's `categories` and `category`, as written.
    pub categories: Vec<Value>,
    /// The post's own `permalink:`.
    pub permalink: Option<String>,
    /// The other front matter values that are text, for Hexo's placeholders named after them.
    pub fields: Vec<(String, String)>,
}

/// Jekyll's built-in styles, by name; any other value is a pattern itself.
pub fn jekyll_style(style: &str) -> &str {
    match style.trim() {
        "" | "date" => "/:categories/:year/:month/:day/:title:output_ext",
        "pretty" => "/:categories/:year/:month/:day/:title/",
        "ordinal" => "/:categories/:year/:y_day/:title:output_ext",
        "weekdate" => "/:categories/:year/W:week/:short_day/:title:output_ext",
        "none" => "/:categories/:title:output_ext",
        pattern => pattern,
    }
}

/// What a Jekyll document's placeholders are filled from.
#[derive(Debug, Clone, Default)]
pub struct JekyllDoc<'a> {
    /// The file name's slug (`liquid-tour` of `2019-01-05-liquid-tour.md`), or for a
    /// collection's document its file name less the extension.
    pub file_slug: &'a str,
    /// The folders above `_posts/` (`en/news/_posts`: `en`, `news`).
    pub dir_categories: Vec<String>,
    /// The collection's name and the document's path in it less its extension, for
    /// collections other than posts.
    pub collection: Option<(&'a str, &'a str)>,
    /// The date: the front matter's, else the file name's.
    pub date: Option<NaiveDateTime>,
}

/// A Jekyll document's URL path (`/2019/01/05/liquid-tour/`) under `pattern` (a style or a
/// pattern); `None` when the pattern needs a date and the document has none.
pub fn jekyll(pattern: &str, doc: &JekyllDoc, facts: &PostFacts) -> Option<String> {
    let pattern = jekyll_style(pattern);
    let mut categories: Vec<String> = doc.dir_categories.clone();
    for v in &facts.categories {
        let words: Vec<String> = match v {
            Value::Array(a) => a.iter().filter_map(super::value_text).collect(),
            v => super::value_text(v)
                .map(|s| s.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default(),
        };
        categories.extend(words);
    }
    let mut seen = Vec::new();
    for c in categories {
        let c = c.to_lowercase();
        if !c.is_empty() && !seen.contains(&c) {
            seen.push(c);
        }
    }
    let slug_source = facts.slug.as_deref().unwrap_or(doc.file_slug);
    let value = |name: &str| -> Option<Option<String>> {
        let date = doc.date;
        let d = |f: &dyn Fn(NaiveDateTime) -> String| Some(date.map(f));
        Some(match name {
            "categories" => Some(seen.join("/")),
            "title" => Some(slugify(slug_source, true, true)),
            "slug" => Some(slugify(slug_source, false, false)),
            "name" => Some(slugify(doc.file_slug, false, false)),
            "output_ext" => Some(".html".to_string()),
            "collection" => Some(doc.collection.map_or("posts", |c| c.0).to_string()),
            "path" => Some(doc.collection.map_or(doc.file_slug, |c| c.1).to_string()),
            "year" => return d(&|t| format!("{:04}", t.year())),
            "short_year" => return d(&|t| format!("{:02}", t.year() % 100)),
            "month" => return d(&|t| format!("{:02}", t.month())),
            "i_month" => return d(&|t| t.month().to_string()),
            "short_month" => return d(&|t| t.format("%b").to_string()),
            "long_month" => return d(&|t| t.format("%B").to_string()),
            "day" => return d(&|t| format!("{:02}", t.day())),
            "i_day" => return d(&|t| t.day().to_string()),
            "y_day" => return d(&|t| format!("{:03}", t.ordinal())),
            "hour" => return d(&|t| format!("{:02}", t.hour())),
            "minute" => return d(&|t| format!("{:02}", t.minute())),
            "second" => return d(&|t| format!("{:02}", t.second())),
            "week" => return d(&|t| format!("{:02}", t.iso_week().week())),
            "w_year" => return d(&|t| t.iso_week().year().to_string()),
            "w_day" => return d(&|t| t.weekday().number_from_monday().to_string()),
            "short_day" => return d(&|t| t.format("%a").to_string()),
            "long_day" => return d(&|t| t.format("%A").to_string()),
            _ => return None,
        })
    };
    let path = expand(pattern, &value)?;
    Some(clean_path(&path))
}

/// What a Hexo post's placeholders are filled from.
#[derive(Debug, Clone, Default)]
pub struct HexoPost<'a> {
    /// Its path under `_posts/` less the extension and what `new_post_name` puts before the
    /// slug (`2020/hello` for `_posts/2020/hello.md`).
    pub slug: &'a str,
    /// The date: the front matter's, else the file's.
    pub date: Option<NaiveDateTime>,
    /// The config's `default_category`.
    pub default_category: &'a str,
}

/// A Hexo post's URL path under the site's `root` (`/2020/01/01/css-grid/`), from its own
/// `permalink:` or the site's `pattern`; `None` when the pattern names what is unknown here.
pub fn hexo(pattern: &str, post: &HexoPost, facts: &PostFacts) -> Option<String> {
    if let Some(own) = facts.permalink.as_deref().filter(|p| !p.trim().is_empty()) {
        return Some(clean_path(own.trim()));
    }
    // The last category, as a path of its levels (`[前端, CSS]` is one path, `前端/CSS`).
    let category = match facts.categories.last() {
        Some(Value::Array(levels)) => {
            let last = match levels.last() {
                Some(Value::Array(inner)) => inner.clone(),
                _ => levels.clone(),
            };
            last.iter()
                .filter_map(super::value_text)
                .map(|l| hexo_slugize(&l))
                .collect::<Vec<_>>()
                .join("/")
        }
        Some(v) => super::value_text(v)
            .map(|s| hexo_slugize(&s))
            .unwrap_or_default(),
        None => String::new(),
    };
    let category = match category.is_empty() {
        true => post.default_category.to_string(),
        false => category,
    };
    let value = |name: &str| -> Option<Option<String>> {
        let date = post.date;
        let d = |f: &dyn Fn(NaiveDateTime) -> String| Some(date.map(f));
        Some(match name {
            "title" => Some(post.slug.to_string()),
            "name" => Some(post.slug.rsplit('/').next().unwrap_or("").to_string()),
            "post_title" => Some(hexo_slugize(&facts.title).to_lowercase()),
            "category" => Some(category.clone()),
            "year" => return d(&|t| format!("{:04}", t.year())),
            "month" => return d(&|t| format!("{:02}", t.month())),
            "i_month" => return d(&|t| t.month().to_string()),
            "day" => return d(&|t| format!("{:02}", t.day())),
            "i_day" => return d(&|t| t.day().to_string()),
            "hour" => return d(&|t| format!("{:02}", t.hour())),
            "minute" => return d(&|t| format!("{:02}", t.minute())),
            "second" => return d(&|t| format!("{:02}", t.second())),
            other => {
                let field = facts.fields.iter().find(|(k, _)| k == other);
                // `:id` and `:hash` come from Hexo's database: unknowable here.
                return Some(field.map(|(_, v)| v.clone()));
            }
        })
    };
    let path = expand(pattern, &value)?;
    Some(clean_path(&path))
}

/// What a Hugo page's path is made of.
#[derive(Debug, Clone, Default)]
pub struct HugoPage<'a> {
    /// Its file's path under its language's content folder, less the extension and language
    /// suffix (`posts/older`, `posts/trip/index`, `posts/_index`).
    pub rel: &'a str,
    /// Its date (front matter `date`, else `publishDate`).
    pub date: Option<NaiveDateTime>,
    /// The language key its paths are under (`fr` for `/fr/posts/x/`): a multilingual site's
    /// languages other than the default one (all with `defaultContentLanguageInSubdir`).
    pub language: Option<&'a str>,
    /// Hugo lower-cases paths unless `disablePathToLower`.
    pub to_lower: bool,
    /// `uglyURLs`: `/posts/x.html` instead of `/posts/x/`.
    pub ugly: bool,
}

/// A Hugo page's URL path under `baseURL` (Hugo 0.111's `page.CreateTargetPaths` and
/// `PermalinkExpander`): the front matter's `url` as written; else for a regular page of a
/// section the config's `permalinks` pattern (`[permalinks] posts = "/:year/:slug/"` or
/// `[permalinks.page]`), filled from `:year`, `:month`, `:monthname`, `:day`, `:weekday`,
/// `:weekdayname`, `:yearday`, `:section`, `:sections`, `:title`, `:slug`, `:filename`,
/// `:slugorfilename`, `:contentbasename`; else its folders and its `slug` or file name (a
/// bundle's folder name). Paths are sanitized as Hugo's `MakePath` does (spaces become `-`,
/// punctuation other than `._-+~#` goes) and lower-cased unless `disablePathToLower`; the
/// language key of a non-default language goes first. `None` for a pattern postbook cannot
/// fill (`:sections[1:]`, a date the page lacks).
pub fn hugo(page: &HugoPage, permalinks: Option<&Value>, facts: &PostFacts) -> Option<String> {
    let field = |k: &str| {
        facts
            .fields
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let mut segments: Vec<&str> = page.rel.split('/').filter(|s| !s.is_empty()).collect();
    let last = segments.pop()?;
    let list = last == "_index";
    let file_name = match last {
        "index" | "_index" => segments.last().copied().unwrap_or(""),
        name => name,
    };
    if last == "index" {
        segments.pop();
    }
    let dirs = segments;
    let sanitize = |s: &str| make_path(s, page.to_lower);
    let prefix = |path: String| match page.language {
        Some(lang) => clean_path(&format!("/{lang}/{path}")),
        None => clean_path(&path),
    };
    // Hugo takes `url` as written: neither sanitized nor lower-cased.
    if let Some(url) = field("url") {
        return Some(clean_path(url));
    }
    let urlized_title = || sanitize(&facts.title);
    let slug = facts
        .slug
        .as_deref()
        .map(sanitize)
        .filter(|s| !s.is_empty());
    let section = dirs.first().copied().unwrap_or("");
    let pattern = (!list && !section.is_empty())
        .then(|| {
            let by_section = |v: &Value| v.get(section).and_then(Value::as_str).map(str::to_string);
            let p = permalinks?;
            by_section(p.get("page").unwrap_or(p)).or_else(|| by_section(p))
        })
        .flatten();
    let path = match pattern {
        Some(pattern) => {
            if pattern.contains('[') {
                return None;
            }
            let date = page.date;
            let d = |f: &dyn Fn(NaiveDateTime) -> String| Some(date.map(f));
            let file = sanitize(file_name);
            let value = |name: &str| -> Option<Option<String>> {
                Some(match name {
                    "year" => return d(&|t| format!("{:04}", t.year())),
                    "month" => return d(&|t| format!("{:02}", t.month())),
                    "monthname" => return d(&|t| t.format("%B").to_string().to_lowercase()),
                    "day" => return d(&|t| format!("{:02}", t.day())),
                    "weekday" => return d(&|t| t.weekday().num_days_from_sunday().to_string()),
                    "weekdayname" => return d(&|t| t.format("%A").to_string().to_lowercase()),
                    "yearday" => return d(&|t| t.ordinal().to_string()),
                    "section" => Some(sanitize(section)),
                    "sections" => Some(sanitize(&dirs.join("/"))),
                    "title" => Some(urlized_title()),
                    "slug" => Some(slug.clone().unwrap_or_else(urlized_title)),
                    "filename" | "contentbasename" => Some(file.clone()),
                    "slugorfilename" => Some(slug.clone().unwrap_or_else(|| file.clone())),
                    _ => return None,
                })
            };
            expand(&pattern, &value)?
        }
        None => {
            let mut path = sanitize(&dirs.join("/"));
            if !list {
                path.push('/');
                path.push_str(&slug.unwrap_or_else(|| sanitize(file_name)));
            }
            match (page.ugly && !list, path.is_empty()) {
                (true, false) => format!("{path}.html"),
                _ => format!("{path}/"),
            }
        }
    };
    Some(prefix(path))
}

/// Hugo's `MakePath` (`UnicodeSanitize`): letters, digits, marks and `./_-+~#%` kept,
/// whitespace become `-`, anything else dropped; lower-cased when `to_lower`.
fn make_path(s: &str, to_lower: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        if c.is_alphanumeric() || "./_-+~#%".contains(c) || is_mark(c) {
            out.push(c);
        } else if c.is_whitespace() && !out.ends_with('-') {
            out.push('-');
        }
    }
    match to_lower {
        true => out.to_lowercase(),
        false => out,
    }
}

/// A combining mark (Unicode categories Mn, Mc, Me), which Hugo keeps in paths (Devanagari,
/// Thai vowel signs): the blocks of combining characters common in titles.
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0900..=0x0DFF | 0x0E31..=0x0E4E | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
        && !c.is_alphanumeric()
}

/// `pattern` with each `:name` (the longest run of letters, digits and `_` after the colon, as
/// both generators' patterns read it) replaced by `value(name)`: `Some(Some(text))` its text,
/// `Some(None)` a placeholder without a value here (then there is no permalink), `None` not a
/// placeholder (kept as written, as Jekyll does).
fn expand(pattern: &str, value: &dyn Fn(&str) -> Option<Option<String>>) -> Option<String> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut rest = pattern;
    while let Some(at) = rest.find(':') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let run = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        match value(&after[..run]) {
            Some(Some(text)) => {
                out.push_str(&text);
                rest = &after[run..];
            }
            Some(None) => return None,
            None => {
                out.push(':');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Some(out)
}

/// A URL path as Jekyll sanitizes it: one leading `/`, no `//`, no `.`/`..` segments.
fn clean_path(path: &str) -> String {
    let mut out = String::from("/");
    let trailing = path.ends_with('/');
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .collect();
    out.push_str(&segments.join("/"));
    if trailing && !segments.is_empty() {
        out.push('/');
    }
    out
}

/// Jekyll's `slugify`: runs of characters other than letters and digits (and, in `pretty`
/// mode, `._~!$&'()+,;=@`) become one `-`, trimmed from the ends; lower-cased unless `cased`.
fn slugify(s: &str, pretty: bool, cased: bool) -> String {
    let keep = |c: char| c.is_alphanumeric() || (pretty && "._~!$&'()+,;=@".contains(c));
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    for c in s.chars() {
        if keep(c) {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    match cased {
        true => out,
        false => out.to_lowercase(),
    }
}

/// hexo-util's `slugize` (no case change): whitespace and the characters it calls special
/// become `-`, runs of them one, trimmed from the ends.
fn hexo_slugize(s: &str) -> String {
    let special = |c: char| c.is_whitespace() || "\\<>:\"/|?*`~!@#$%^&()=+[]{};',.".contains(c);
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    for c in s.chars() {
        if special(c) || c.is_control() {
            dash = true;
        } else {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        }
    }
    out
}

/// Every post's permalink, and the post a site path names.
#[derive(Debug, Clone, Default)]
pub struct Permalinks {
    /// Each post's URL path (under `baseurl`), in the order of [`super::Site::posts`].
    paths: Vec<Option<String>>,
    /// Post indexes by [`key`] of their path (lower-cased when `fold_case`).
    by_key: HashMap<String, usize>,
    /// Whether paths are matched in any case: Hugo lower-cases the paths it serves pages at
    /// (`content/methods/Resources.md` at `/methods/resources/`), so a link written in either
    /// case means that page.
    fold_case: bool,
}

impl Permalinks {
    pub fn new(paths: Vec<Option<String>>) -> Permalinks {
        Permalinks::with_case(paths, false)
    }

    /// Permalinks matched in any case when `fold_case` (Hugo's).
    pub fn with_case(paths: Vec<Option<String>>, fold_case: bool) -> Permalinks {
        let mut by_key = HashMap::new();
        for (i, p) in paths.iter().enumerate() {
            if let Some(p) = p {
                // The first post of a path wins, as the generator would overwrite it anyway.
                by_key.entry(fold(key(p), fold_case)).or_insert(i);
            }
        }
        Permalinks {
            paths,
            by_key,
            fold_case,
        }
    }

    /// The URL path of the post at `index` in the site's posts.
    pub fn path(&self, index: usize) -> Option<&str> {
        self.paths.get(index)?.as_deref()
    }

    /// The index of the post served at the site path `path` (less `baseurl`).
    pub fn find(&self, path: &str) -> Option<usize> {
        self.by_key.get(&fold(key(path), self.fold_case)).copied()
    }
}

fn fold(key: String, fold_case: bool) -> String {
    match fold_case {
        true => key.to_lowercase(),
        false => key,
    }
}

/// A site path as it is compared: percent-decoded, without query or fragment, and the same
/// with or without its `index.html`, `.html` or trailing slash (servers answer all of them).
pub fn key(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let path = clean_path(&path);
    let path = path.strip_suffix("index.html").unwrap_or(&path);
    let path = path.strip_suffix(".html").unwrap_or(path);
    path.trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32) -> Option<NaiveDateTime> {
        NaiveDate::from_ymd_opt(y, m, d)?.and_hms_opt(9, 5, 0)
    }

    #[test]
    fn jekyll_styles_and_placeholders() {
        let doc = JekyllDoc {
            file_slug: "Liquid-Tour",
            dir_categories: vec!["En".into()],
            collection: None,
            date: at(2019, 1, 5),
        };
        let facts = PostFacts {
            categories: vec![Value::String("Notes  tech".into())],
            ..PostFacts::default()
        };
        let cases = [
            ("date", "/en/notes/tech/2019/01/05/Liquid-Tour.html"),
            ("", "/en/notes/tech/2019/01/05/Liquid-Tour.html"),
            ("pretty", "/en/notes/tech/2019/01/05/Liquid-Tour/"),
            ("ordinal", "/en/notes/tech/2019/005/Liquid-Tour.html"),
            ("weekdate", "/en/notes/tech/2019/W01/Sat/Liquid-Tour.html"),
            ("none", "/en/notes/tech/Liquid-Tour.html"),
            ("/:year/:i_month/:i_day/:slug", "/2019/1/5/liquid-tour"),
            ("blog/:short_year/:title/", "/blog/19/Liquid-Tour/"),
            (
                "/:categories/:hour:minute/:unknown/",
                "/en/notes/tech/0905/:unknown/",
            ),
        ];
        for (pattern, want) in cases {
            assert_eq!(
                jekyll(pattern, &doc, &facts).as_deref(),
                Some(want),
                "{pattern}"
            );
        }
        let undated = JekyllDoc { date: None, ..doc };
        assert_eq!(jekyll("date", &undated, &facts), None);
        assert_eq!(
            jekyll("/notes/:title", &undated, &facts).as_deref(),
            Some("/notes/Liquid-Tour")
        );
        let tips = JekyllDoc {
            file_slug: "first tip",
            collection: Some(("tips", "basics/first tip")),
            ..JekyllDoc::default()
        };
        assert_eq!(
            jekyll(
                "/:collection/:path:output_ext",
                &tips,
                &PostFacts::default()
            )
            .as_deref(),
            Some("/tips/basics/first tip.html")
        );
        assert_eq!(
            jekyll("/:collection/:name/", &tips, &PostFacts::default()).as_deref(),
            Some("/tips/first-tip/")
        );
    }

    #[test]
    fn hexo_patterns_and_own_permalinks() {
        let post = HexoPost {
            slug: "2020/css-grid",
            date: at(2020, 1, 1),
            default_category: "uncategorized",
        };
        let mut facts = PostFacts {
            title: "CSS Grid, a tour".into(),
            categories: vec![Value::Array(vec!["前端".into(), "CSS".into()])],
            fields: vec![("lang".into(), "zh".into())],
            ..PostFacts::default()
        };
        let cases = [
            (":year/:month/:day/:title/", "/2020/01/01/2020/css-grid/"),
            (":category/:name.html", "/前端/CSS/css-grid.html"),
            (":lang/:post_title/", "/zh/css-grid-a-tour/"),
            (":i_month/:i_day/:id/", ""),
        ];
        for (pattern, want) in cases {
            let got = hexo(pattern, &post, &facts);
            assert_eq!(got.as_deref().unwrap_or(""), want, "{pattern}");
        }
        facts.categories.clear();
        assert_eq!(
            hexo(":category/:name/", &post, &facts).as_deref(),
            Some("/uncategorized/css-grid/")
        );
        facts.permalink = Some("notes/grid".into());
        assert_eq!(
            hexo(":year/:title/", &post, &facts).as_deref(),
            Some("/notes/grid")
        );
    }

    #[test]
    fn hugo_paths_as_hugo_writes_them() {
        // Each case checked against Hugo 0.111's output folder.
        let facts = |title: &str, slug: Option<&str>, url: Option<&str>| PostFacts {
            title: title.into(),
            slug: slug.map(str::to_string),
            fields: url
                .map(|u| ("url".to_string(), u.to_string()))
                .into_iter()
                .collect(),
            ..PostFacts::default()
        };
        let page = |rel| HugoPage {
            rel,
            date: at(2023, 1, 2),
            to_lower: true,
            ..HugoPage::default()
        };
        let patterns = serde_json::json!({"posts": "/:year/:slug/"});
        let cases = [
            (
                "My Dir/Some File!",
                facts("Hello, World: Two", None, None),
                None,
                "/my-dir/some-file/",
            ),
            (
                "posts/Trip/index",
                facts("A B", Some("My Slug"), None),
                None,
                "/posts/my-slug/",
            ),
            (
                "posts/Trip/index",
                facts("A B", Some("My Slug"), None),
                Some(&patterns),
                "/2023/my-slug/",
            ),
            (
                "posts/Other",
                facts("Zed Q", None, None),
                Some(&patterns),
                "/2023/zed-q/",
            ),
            (
                "posts/_index",
                facts("Posts", None, None),
                Some(&patterns),
                "/posts/",
            ),
            (
                "u",
                facts("U", None, Some("/Custom/Path")),
                None,
                "/Custom/Path",
            ),
            (
                "methods/page/Resources",
                facts("R", None, None),
                None,
                "/methods/page/resources/",
            ),
        ];
        for (rel, facts, patterns, want) in cases {
            assert_eq!(
                hugo(&page(rel), patterns, &facts).as_deref(),
                Some(want),
                "{rel}"
            );
        }
        let french = HugoPage {
            language: Some("fr"),
            ..page("posts/Other")
        };
        assert_eq!(
            hugo(&french, None, &facts("Z", None, None)).as_deref(),
            Some("/fr/posts/other/")
        );
        let cased = HugoPage {
            to_lower: false,
            ugly: true,
            ..page("methods/page/Resources")
        };
        assert_eq!(
            hugo(&cased, None, &facts("R", None, None)).as_deref(),
            Some("/methods/page/Resources.html")
        );
        let undated = HugoPage {
            date: None,
            ..page("posts/Other")
        };
        assert_eq!(
            hugo(&undated, Some(&patterns), &facts("Z", None, None)),
            None
        );
        // Case-insensitive matching, as Hugo's paths are lower-cased.
        let links = Permalinks::with_case(vec![Some("/methods/page/resources/".into())], true);
        assert_eq!(links.find("/Methods/Page/Resources"), Some(0));
        assert_eq!(Permalinks::new(vec![Some("/a/".into())]).find("/A/"), None);
    }

    #[test]
    fn paths_match_with_or_without_html_slash_and_escapes() {
        let links = Permalinks::new(vec![
            Some("/2019/01/05/liquid-tour/".into()),
            Some("/notes/1".into()),
            None,
            Some("/中文/x.html".into()),
        ]);
        for (path, want) in [
            ("/2019/01/05/liquid-tour", Some(0)),
            ("/2019/01/05/liquid-tour/index.html", Some(0)),
            ("/2019/01/05/liquid-tour.html#part", Some(0)),
            ("/notes/1/", Some(1)),
            ("/notes/1.html?x=1", Some(1)),
            ("notes/1", Some(1)),
            ("/%E4%B8%AD%E6%96%87/x", Some(3)),
            ("/notes/2", None),
            ("/", None),
        ] {
            assert_eq!(links.find(path), want, "{path}");
        }
        assert_eq!(links.path(1), Some("/notes/1"));
        assert_eq!(links.path(2), None);
    }
}
