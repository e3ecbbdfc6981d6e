//! Jekyll collections: the `collections:` of a site's config, and which of their documents are
//! pages of the site.
//!
//! As Jekyll has them (jekyllrb.com/docs/collections): `collections:` is a list of labels or a
//! map of label → metadata; each collection's documents are in `_<label>/` under
//! `collections_dir` (default: the site root). A collection with `output: true` renders each
//! document to its own page, at the collection's `permalink` (default `/:collection/:path`
//! with the suffix of the site's permalink style); `output: false` (the default) makes its
//! documents data for the site's templates, not pages. `posts` is the built-in collection,
//! read from `_posts/` as before (its entry here, if any, is left alone).
//!
//! postbook reads an output collection's documents as it reads posts: they are in the books
//! (grouped like posts: a document dated in its front matter goes with that date's posts, an
//! undated one to the undated group, and `--group-by none` puts everything in one book, where
//! links between posts and documents are chapter links), in Jekyll's order (date, then file
//! path; an undated document sorts after the dated ones by path). The documents of a
//! collection without `output: true` are skipped and listed in the report's `skipped` with why.
//!
//! This module depends only on the config file, so discovery ([`crate::input`]) and the site
//! ([`crate::site`]) share it.

use serde_json::Value;
use std::path::{Path, PathBuf};

/// One collection of a Jekyll site other than `posts`.
#[derive(Debug, Clone, PartialEq)]
pub struct Collection {
    pub label: String,
    /// `<root>/<collections_dir>/_<label>`, absolute when the root is.
    pub dir: PathBuf,
    /// `output: true`: each document is a page of the site (and a chapter or note here).
    pub output: bool,
    /// Its `permalink:` pattern, if the config gives one.
    pub permalink: Option<String>,
}

/// The collections `config` (a Jekyll site's config) defines for the site at `root`, in the
/// config's order; none without a `collections:` key.
pub fn from_config(root: &Path, config: &Value) -> Vec<Collection> {
    let base = match config.get("collections_dir").and_then(Value::as_str) {
        Some(d) if !d.trim().is_empty() && !d.split('/').any(|c| c == "..") => {
            root.join(d.trim().trim_matches('/'))
        }
        _ => root.to_path_buf(),
    };
    let entries: Vec<(String, Option<&Value>)> = match config.get("collections") {
        Some(Value::Array(labels)) => labels
            .iter()
            .filter_map(Value::as_str)
            .map(|l| (l.to_string(), None))
            .collect(),
        Some(Value::Object(map)) => map.iter().map(|(l, v)| (l.clone(), Some(v))).collect(),
        _ => Vec::new(),
    };
    entries
        .into_iter()
        .filter(|(label, _)| {
            let label = label.trim();
            !label.is_empty() && label != "posts" && !label.contains(['/', '\\', '.'])
        })
        .map(|(label, meta)| {
            let get = |key: &str| meta.and_then(|m| m.get(key));
            let output = match get("output") {
                Some(Value::Bool(b)) => *b,
                Some(Value::String(s)) => s.trim() == "true",
                _ => false,
            };
            let permalink = get("permalink")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string);
            Collection {
                dir: base.join(format!("_{}", label.trim())),
                label: label.trim().to_string(),
                output,
                permalink,
            }
        })
        .collect()
}

/// The collections of the Jekyll site at `root`, from its `_config.yml` (or `_config.yaml`),
/// where a site defines them.
pub fn of_root(root: &Path) -> Vec<Collection> {
    let config = ["_config.yml", "_config.yaml"]
        .iter()
        .find_map(|name| std::fs::read_to_string(root.join(name)).ok())
        .and_then(|text| serde_yaml_ng::from_str::<Value>(&text).ok());
    match config {
        Some(config) => from_config(root, &config),
        None => Vec::new(),
    }
}

/// The collection of `collections` whose folder holds `path`.
pub fn containing<'c>(collections: &'c [Collection], path: &Path) -> Option<&'c Collection> {
    collections.iter().find(|c| path.starts_with(&c.dir))
}

/// Why discovery skips the documents of `collection` (one without `output: true`).
pub fn why_skipped(collection: &Collection) -> String {
    format!(
        "document of the Jekyll collection `{}`, which has no `output: true`: data for the \
         site's templates, not a page",
        collection.label
    )
}

/// Why a document of a collection with `output: true` is skipped when it has no front matter.
pub fn why_static(collection: &Collection) -> String {
    format!(
        "file of the Jekyll collection `{}` without front matter: Jekyll copies it as a static \
         file, not a page",
        collection.label
    )
}

/// The permalink pattern of a collection's documents when neither the collection nor the
/// document gives one: Jekyll's `/:collection/:path` with the suffix its
/// `Utils.add_permalink_suffix` takes from the site's permalink style (`site_style`).
pub fn default_permalink(site_style: Option<&str>) -> String {
    let mut template = String::from("/:collection/:path");
    match site_style.map(str::trim).unwrap_or("date") {
        "pretty" => template.push('/'),
        "date" | "ordinal" | "none" | "" => template.push_str(":output_ext"),
        style => {
            if style.ends_with('/') {
                template.push('/');
            }
            if style.ends_with(":output_ext") {
                template.push_str(":output_ext");
            }
        }
    }
    template
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collections_as_a_list_or_a_map_under_collections_dir() {
        let root = Path::new("/site");
        let list: Value = serde_yaml_ng::from_str("collections: [tips, posts]\n").unwrap();
        let got = from_config(root, &list);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].dir, Path::new("/site/_tips"));
        assert!(!got[0].output, "Jekyll's default is output: false");

        let map: Value = serde_yaml_ng::from_str(
            "collections_dir: my_collections\ncollections:\n  tips:\n    output: true\n    \
             permalink: /tip/:name/\n  data_only:\n    output: false\n  docs:\n",
        )
        .unwrap();
        let got = from_config(root, &map);
        let labels: Vec<(&str, bool, Option<&str>)> = got
            .iter()
            .map(|c| (c.label.as_str(), c.output, c.permalink.as_deref()))
            .collect();
        assert_eq!(
            labels,
            [
                ("tips", true, Some("/tip/:name/")),
                ("data_only", false, None),
                ("docs", false, None),
            ]
        );
        assert_eq!(got[0].dir, Path::new("/site/my_collections/_tips"));
        assert_eq!(
            containing(&got, Path::new("/site/my_collections/_tips/a/b.md")).map(|c| &c.label),
            Some(&"tips".to_string())
        );
        assert!(containing(&got, Path::new("/site/_posts/a.md")).is_none());
    }

    #[test]
    fn default_permalinks_follow_the_sites_style() {
        assert_eq!(default_permalink(None), "/:collection/:path:output_ext");
        assert_eq!(default_permalink(Some("pretty")), "/:collection/:path/");
        assert_eq!(
            default_permalink(Some("/:year/:title/")),
            "/:collection/:path/"
        );
        assert_eq!(default_permalink(Some("/:title")), "/:collection/:path");
    }
}
