//! Reader golden files, as pandoc's "native" tests are: what the readers make of each fixture
//! site — the typed model itself (metadata, warnings, blocks) before any writer sees it — kept
//! in `tests/snapshots/` and reviewed like code when they change (`INSTA_UPDATE=always cargo
//! test --test model_golden`, then `git diff`). tests/golden.rs shows what the writers make
//! of a model; a change in a reader shows here first, without a writer's rendering in between.

mod common;
use common::*;
use postbook::read::{read_post_with, ReadOptions};
use std::fmt::Write;

/// The model of every post of a fixture site, read as a run over the site's root reads it
/// (its site found, its posts discovered), with paths shown below `<site>`.
fn model_of_site(name: &str) -> String {
    let root = fixture(name);
    let inputs = [root.clone()];
    let found = postbook::input::discover(&inputs, None, false);
    let sites = postbook::site::find_sites(&inputs);
    assert!(!found.files.is_empty(), "{name} has no posts");
    let opts = ReadOptions {
        sites: &sites,
        ..ReadOptions::default()
    };
    let mut out = String::new();
    for path in &found.files {
        let rel = path.strip_prefix(&root).unwrap().display();
        writeln!(out, "=== {rel}").unwrap();
        let post = match read_post_with(path.as_path(), opts) {
            Ok(post) => post,
            Err(e) => {
                writeln!(out, "error: {}\n", e.message).unwrap();
                continue;
            }
        };
        let meta = serde_json::to_value(&post.doc.meta).unwrap();
        for key in [
            "title",
            "date",
            "updated",
            "authors",
            "categories",
            "tags",
            "lang",
            "slug",
            "draft",
        ] {
            match &meta[key] {
                serde_json::Value::Null => {}
                serde_json::Value::Array(a) if a.is_empty() => {}
                value => writeln!(out, "{key}: {value}").unwrap(),
            }
        }
        for w in &post.warnings {
            let w = serde_json::to_value(w).unwrap();
            writeln!(out, "warning {}: {}", w["kind"], w["message"]).unwrap();
        }
        writeln!(out, "{:#?}\n", post.doc.blocks).unwrap();
    }
    out.replace(root.to_str().unwrap(), "<site>")
}

#[test]
fn model_of_a_jekyll_site() {
    insta::assert_snapshot!("model-jekyll-site", model_of_site("jekyll-site"));
}

#[test]
fn model_of_a_jekyll_site_with_includes_and_data() {
    insta::assert_snapshot!("model-jekyll-includes", model_of_site("jekyll-includes"));
}

#[test]
fn model_of_a_hugo_site() {
    insta::assert_snapshot!("model-hugo-site", model_of_site("hugo-site"));
}

#[test]
fn model_of_a_hexo_site() {
    insta::assert_snapshot!("model-hexo-site", model_of_site("hexo-site"));
}
