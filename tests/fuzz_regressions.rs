//! Replays inputs found by the fuzzers (`fuzz/`) through the same entry points, so a fixed crash
//! stays fixed. Each file in `tests/fixtures/fuzz/<target>/` (crashes found) and
//! `fuzz/seeds/<target>/` (the committed seed corpus cargo-fuzz starts from: small real posts
//! and hand-made edge cases of math, footnotes, task lists, attribute lists, entities) is one
//! input for that target; the messy fixtures and the samples are replayed too.

mod common;
use common::*;
use std::path::Path;

fn inputs(dir: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.retain(|p: &std::path::PathBuf| p.is_file());
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn replay(target: &str, run: impl Fn(&[u8])) {
    let mut all = inputs(&fixture(&format!("fuzz/{target}")));
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let seeds = inputs(&seeds);
    assert!(!seeds.is_empty(), "no seed corpus for {target}");
    all.extend(seeds);
    all.extend(inputs(&fixture("messy")));
    all.extend(inputs(&samples()));
    assert!(all.len() > 10);
    for data in &all {
        run(data);
    }
}

#[test]
fn front_matter() {
    replay("front_matter", postbook::fuzzing::front_matter);
}

#[test]
fn markdown() {
    replay("markdown", postbook::fuzzing::markdown);
}

#[test]
fn post() {
    replay("post", postbook::fuzzing::post);
}

#[test]
fn html_to_xhtml() {
    replay("html_to_xhtml", |data| {
        let xhtml = postbook::fuzzing::html_to_xhtml(data);
        if let Err(e) = parse_xml(xhtml.as_bytes()) {
            panic!("ill-formed XHTML ({e}):\n{xhtml}");
        }
    });
}

#[test]
fn epub() {
    replay("epub", postbook::fuzzing::epub);
}

#[test]
fn site_post() {
    replay("site_post", postbook::fuzzing::site_post);
}

#[test]
fn nesting() {
    replay("nesting", postbook::fuzzing::nesting);
}
