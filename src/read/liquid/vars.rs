//! The variables Jekyll gives a post's Liquid: `site` (the config, `site.data` from `_data/`,
//! `site.posts`, `site.tags`, `site.categories`) and `page` (front matter, `url`, `date`,
//! `slug`…).

use crate::model::{Meta, PostDate};
use crate::read::front_matter;
use crate::site::Site;
use liquid_core::model::{DateTime, ValueView};
use liquid_core::{Object, Value};
use std::path::Path;

/// Keys every post object has, `nil` when its front matter lacks them: Jekyll's Liquid gives
/// `nil` for a missing key, the engine an error, and loops over `site.posts` read these.
const POST_KEYS: [&str; 10] = [
    "excerpt",
    "image",
    "description",
    "subtitle",
    "summary",
    "author",
    "layout",
    "permalink",
    "content",
    "last_modified_at",
];

/// A JSON value (config, front matter, data file) as a Liquid value.
pub fn from_json(v: &serde_json::Value) -> Value {
    liquid_core::model::to_value(v).unwrap_or(Value::Nil)
}

pub use crate::site::cache::BrokenData;

/// The `site` variable, and the data files left out of it.
pub fn site_object(site: &Site) -> (Value, Vec<BrokenData>) {
    let mut obj = match from_json(&site.config) {
        Value::Object(o) => o,
        _ => Object::new(),
    };
    for key in ["url", "baseurl", "title", "description"] {
        if !obj.contains_key(key) {
            obj.insert(key.into(), Value::scalar(""));
        }
    }
    let (data, broken) = data(&site.root.join("_data"));
    obj.insert("data".into(), Value::Object(data));
    let posts = posts(site);
    let mut tags = Object::new();
    let mut categories = Object::new();
    for post in &posts {
        for (key, index) in [("tags", &mut tags), ("categories", &mut categories)] {
            let names = post.get(key).and_then(|v| v.as_array());
            for name in names.into_iter().flat_map(|a| a.values()) {
                let name = name.to_kstr().into_owned();
                let entry = index
                    .entry(name)
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Some(list) = entry.as_array_mut() {
                    list.push(Value::Object(post.clone()));
                }
            }
        }
    }
    obj.insert(
        "posts".into(),
        Value::Array(posts.into_iter().map(Value::Object).collect()),
    );
    obj.insert("tags".into(), Value::Object(tags));
    obj.insert("categories".into(), Value::Object(categories));
    // `site.<label>`: each collection's documents (Jekyll's site drop looks collections up
    // before the config), and `site.collections`, one object per collection.
    let mut collections = Vec::new();
    for c in &site.collections {
        let docs = Value::Array(documents(site, c).into_iter().map(Value::Object).collect());
        let mut drop = Object::new();
        drop.insert("label".into(), Value::scalar(c.label.clone()));
        drop.insert("output".into(), Value::scalar(c.output));
        drop.insert(
            "relative_directory".into(),
            Value::scalar(format!("_{}", c.label)),
        );
        drop.insert("docs".into(), docs.clone());
        collections.push(Value::Object(drop));
        obj.insert(c.label.clone().into(), docs);
    }
    if !site.collections.is_empty() {
        obj.insert("collections".into(), Value::Array(collections));
    }
    (Value::Object(obj), broken)
}

/// A collection's documents (its files with a post's extension), in Jekyll's order: by date,
/// then by path.
fn documents(site: &Site, collection: &crate::jekyll_collections::Collection) -> Vec<Object> {
    let mut docs: Vec<(Option<chrono::NaiveDateTime>, std::path::PathBuf, Object)> =
        walkdir::WalkDir::new(&collection.dir)
            .sort_by_file_name()
            .into_iter()
            .flatten()
            .filter(|e| {
                e.file_type().is_file() && crate::input::BodyFormat::for_path(e.path()).is_some()
            })
            .filter_map(|e| {
                let path = e.into_path();
                let meta = read_meta(&path)?;
                let mut o = page_object(site, &path, &meta);
                o.insert("collection".into(), Value::scalar(collection.label.clone()));
                let date = meta.date.as_ref().map(|d| match d {
                    PostDate::Day(d) => d.and_time(chrono::NaiveTime::MIN),
                    PostDate::Instant(t) => t.naive_utc(),
                });
                Some((date, path, o))
            })
            .collect();
    // An undated document has the build's time: after every dated one.
    docs.sort_by(|a, b| {
        let key = |d: &Option<chrono::NaiveDateTime>| d.unwrap_or(chrono::NaiveDateTime::MAX);
        key(&a.0).cmp(&key(&b.0)).then_with(|| a.1.cmp(&b.1))
    });
    docs.into_iter().map(|(_, _, o)| o).collect()
}

/// `site.posts`: every published post's front matter and URL, newest first.
fn posts(site: &Site) -> Vec<Object> {
    let mut posts: Vec<(Option<PostDate>, Object)> = site
        .posts
        .iter()
        .filter(|p| !p.components().any(|c| c.as_os_str() == "_drafts"))
        // A collection's documents are in `site.<label>`, not in `site.posts`.
        .filter(|p| crate::jekyll_collections::containing(&site.collections, p).is_none())
        .filter_map(|path| {
            let meta = read_meta(path)?;
            let unpublished = meta
                .extra
                .iter()
                .any(|(k, v)| k == "published" && v == &serde_json::Value::Bool(false));
            (!unpublished).then(|| (meta.date, page_object(site, path, &meta)))
        })
        .collect();
    posts.sort_by_key(|p| std::cmp::Reverse(p.0));
    posts.into_iter().map(|(_, o)| o).collect()
}

/// A post's front matter, with the date and slug its file name gives.
fn read_meta(path: &Path) -> Option<Meta> {
    let bytes = std::fs::read(path).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let split = front_matter::split(&text).ok()?;
    let mut meta = Meta::default();
    if let Some((syntax, src)) = split.front_matter {
        let pairs = front_matter::parse(syntax, src, split.first_line).ok()?;
        front_matter::to_meta(pairs, &mut meta);
    }
    with_file_name(path, &mut meta);
    Some(meta)
}

/// The date and slug of a `2019-01-05-name.md` file, where the front matter gives none.
fn with_file_name(path: &Path, meta: &mut Meta) {
    if let Some((day, slug)) = path
        .file_stem()
        .and_then(|s| s.to_str())
        .and_then(crate::input::jekyll_name)
    {
        meta.date.get_or_insert(PostDate::Day(day));
        meta.slug.get_or_insert_with(|| slug.to_string());
    }
}

/// The `page` variable of the post at `path` (and its entry in `site.posts`).
pub fn page_object(site: &Site, path: &Path, meta: &Meta) -> Object {
    let mut meta_owned;
    let meta = if meta.slug.is_none() || meta.date.is_none() {
        meta_owned = meta.clone();
        with_file_name(path, &mut meta_owned);
        &meta_owned
    } else {
        meta
    };
    let mut o = Object::new();
    for key in POST_KEYS {
        o.insert(key.into(), Value::Nil);
    }
    for (k, v) in &meta.extra {
        o.insert(k.clone().into(), from_json(v));
    }
    let strings = |v: &[String]| Value::array(v.iter().map(|s| Value::scalar(s.clone())));
    o.insert("title".into(), Value::scalar(meta.title.clone()));
    o.insert("categories".into(), strings(&meta.categories));
    o.insert("tags".into(), strings(&meta.tags));
    if let Some(author) = meta.authors.first() {
        o.insert("author".into(), Value::scalar(author.clone()));
    }
    let slug = meta.slug.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    o.insert("slug".into(), Value::scalar(slug.clone()));
    o.insert(
        "date".into(),
        meta.date
            .as_ref()
            .and_then(liquid_date)
            .map_or(Value::Nil, Value::scalar),
    );
    let url = permalink(site, path, meta, &slug);
    o.insert(
        "id".into(),
        Value::scalar(
            url.trim_end_matches(".html")
                .trim_end_matches('/')
                .to_string(),
        ),
    );
    o.insert("url".into(), Value::scalar(url));
    let rel = path.strip_prefix(&site.root).unwrap_or(path);
    o.insert(
        "path".into(),
        Value::scalar(rel.to_string_lossy().replace('\\', "/")),
    );
    o
}

fn liquid_date(d: &PostDate) -> Option<DateTime> {
    let text = match d {
        PostDate::Day(d) => format!("{} 00:00:00 +0000", d.format("%Y-%m-%d")),
        PostDate::Instant(t) => t.format("%Y-%m-%d %H:%M:%S %z").to_string(),
    };
    DateTime::from_str(&text)
}

/// The post's URL on the site, after Jekyll's permalink (the post's own, else the site's
/// pattern or style), without `baseurl`: [`crate::site::permalink`], from the post's meta.
fn permalink(site: &Site, path: &Path, meta: &Meta, slug: &str) -> String {
    let facts = crate::site::permalink::PostFacts {
        title: meta.title.clone(),
        slug: Some(slug.to_string()),
        date: meta.date.as_ref().map(|d| match d {
            PostDate::Day(d) => d.and_time(chrono::NaiveTime::MIN),
            PostDate::Instant(t) => t.naive_local(),
        }),
        publish_date: None,
        categories: meta
            .categories
            .iter()
            .map(|c| serde_json::Value::String(c.clone()))
            .collect(),
        permalink: meta
            .extra
            .iter()
            .find(|(k, _)| k == "permalink")
            .and_then(|(_, v)| v.as_str())
            .map(str::to_string),
        fields: Vec::new(),
    };
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    site.permalink_of(&path, &facts)
        .unwrap_or_else(|| format!("/{slug}.html"))
}

/// `site.data`: every `_data/**/*.{yml,yaml,json,csv,tsv}`, nested by folder and file stem;
/// and the files that could not be read.
fn data(dir: &Path) -> (Object, Vec<BrokenData>) {
    let mut root = Object::new();
    let mut broken = Vec::new();
    for e in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
    {
        let path = e.path();
        let rel = path.strip_prefix(dir).unwrap_or(path).with_extension("");
        let keys: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        match data_file(path) {
            Ok(Some(value)) => insert_at(&mut root, &keys, value),
            Ok(None) => {}
            Err(error) => {
                let inside = path.strip_prefix(dir).unwrap_or(path);
                broken.push(BrokenData {
                    key: keys.join("."),
                    file: format!("_data/{}", inside.to_string_lossy().replace('\\', "/")),
                    error,
                })
            }
        }
    }
    (root, broken)
}

/// Puts `value` at the path `keys` (folders, then the file's stem) in `obj`.
fn insert_at(obj: &mut Object, keys: &[String], value: Value) {
    match keys {
        [] => {}
        [last] => _ = obj.insert(last.clone().into(), value),
        [folder, rest @ ..] => {
            let entry = obj
                .entry(folder.clone())
                .or_insert_with(|| Value::Object(Object::new()));
            if let Some(inner) = entry.as_object_mut() {
                insert_at(inner, rest, value);
            }
        }
    }
}

/// One data file as a value; `None` when it is of another kind, the parser's message when
/// it cannot be read.
fn data_file(path: &Path) -> Result<Option<Value>, String> {
    let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
        return Ok(None);
    };
    let ext = ext.to_ascii_lowercase();
    if !matches!(ext.as_str(), "yml" | "yaml" | "json" | "csv" | "tsv") {
        return Ok(None);
    }
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    if text.trim().is_empty() {
        return Ok(Some(Value::Nil));
    }
    let json: serde_json::Value = match ext.as_str() {
        "yml" | "yaml" => serde_yaml_ng::from_str(&text).map_err(|e| e.to_string())?,
        "json" => serde_json::from_str(&text).map_err(|e| e.to_string())?,
        _ => {
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(if ext == "tsv" { b'\t' } else { b',' })
                .flexible(true)
                .from_reader(text.as_bytes());
            let headers = reader.headers().map_err(|e| e.to_string())?.clone();
            let mut rows = Vec::new();
            for record in reader.records() {
                let r = record.map_err(|e| e.to_string())?;
                let row: serde_json::Map<String, serde_json::Value> = headers
                    .iter()
                    .zip(r.iter())
                    .map(|(h, v)| (h.to_string(), serde_json::Value::String(v.to_string())))
                    .collect();
                rows.push(serde_json::Value::Object(row));
            }
            serde_json::Value::Array(rows)
        }
    };
    Ok(Some(from_json(&json)))
}
