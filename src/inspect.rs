//! The `inspect` command: what is in a folder of posts, before converting it.

use crate::convert::collect::{read_posts, Bodies, Read};
use crate::diag::progress_bar;
use crate::images::{resolve, Source};
use crate::incremental::PostCache;
use crate::input;
use crate::options::Verbosity;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Counts and problems found in a set of posts.
#[derive(Debug, Default, Serialize)]
pub struct Inventory {
    pub posts: usize,
    pub readable: usize,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    pub undated: Vec<PathBuf>,
    pub by_year: BTreeMap<String, usize>,
    pub by_month: BTreeMap<String, usize>,
    pub by_category: BTreeMap<String, usize>,
    pub by_author: BTreeMap<String, usize>,
    pub images: ImageCounts,
    pub errors: Vec<String>,
}

#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct ImageCounts {
    pub local: usize,
    pub remote: usize,
    pub missing: usize,
}

/// Reads every post under `inputs` and tallies it. Posts are read a chunk at a time (as
/// `convert` reads them) and each is dropped once tallied, so memory stays small on large
/// archives.
pub fn inspect(inputs: &[PathBuf], root: Option<PathBuf>, verbosity: Verbosity) -> Inventory {
    let root = root
        .or_else(|| inputs.first().filter(|p| p.is_dir()).cloned())
        .unwrap_or_else(|| PathBuf::from("."));
    let progress = progress_bar(verbosity, "reading");
    let sites = crate::site::find_sites(inputs);
    let input::Found { files, missing, .. } = input::discover(inputs, None, false);
    let mut inv = Inventory {
        posts: files.len() + missing.len(),
        ..Inventory::default()
    };
    let mut days = Vec::new();
    let tally = |Read { path, result, .. }| {
        let post = match result {
            Ok(post) => post,
            Err(e) => {
                inv.errors.push(e.display_for(&path));
                return;
            }
        };
        inv.readable += 1;
        let meta = &post.doc.meta;
        match meta.date {
            Some(d) => {
                let day = d.day();
                days.push(day);
                *inv.by_year.entry(day.format("%Y").to_string()).or_default() += 1;
                *inv.by_month
                    .entry(day.format("%Y-%m").to_string())
                    .or_default() += 1;
            }
            None => inv.undated.push(path.to_path_buf()),
        }
        for c in &meta.categories {
            *inv.by_category.entry(c.clone()).or_default() += 1;
        }
        for a in &meta.authors {
            *inv.by_author.entry(a.clone()).or_default() += 1;
        }
        let images = image_counts(&post.doc, &root);
        inv.images.local += images.local;
        inv.images.remote += images.remote;
        inv.images.missing += images.missing;
    };
    read_posts(
        files,
        missing,
        Bodies::Kept,
        crate::read::ReadOptions {
            keep_chrome: crate::chrome_kind::Kept::NONE,
            sites: &sites,
        },
        &progress,
        &mut PostCache::default(),
        tally,
    );
    progress.finish_and_clear();
    inv.first_date = days.iter().min().map(|d| d.to_string());
    inv.last_date = days.iter().max().map(|d| d.to_string());
    inv
}

/// A post's pictures by where they are: local files and `data:` URIs, remote URLs, missing.
fn image_counts(doc: &crate::model::Document, root: &Path) -> ImageCounts {
    let mut counts = ImageCounts::default();
    doc.for_each_image(&mut |img| match resolve(&doc.meta, &img.src, root) {
        Ok(Source::File(_) | Source::Data(_)) => counts.local += 1,
        Ok(Source::Url(_)) => counts.remote += 1,
        Err(_) => counts.missing += 1,
    });
    counts
}

impl Inventory {
    /// A report for people, largest groups first.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "posts:       {} ({} readable, {} with errors)\n",
            self.posts,
            self.readable,
            self.errors.len()
        ));
        match (&self.first_date, &self.last_date) {
            (Some(a), Some(b)) => out.push_str(&format!(
                "dates:       {a} – {b}; {} undated\n",
                self.undated.len()
            )),
            _ => out.push_str(&format!(
                "dates:       none; {} undated\n",
                self.undated.len()
            )),
        }
        out.push_str(&format!(
            "images:      {} local, {} remote, {} missing\n",
            self.images.local, self.images.remote, self.images.missing
        ));
        let table =
            |title: &str, map: &BTreeMap<String, usize>, by_count: bool, out: &mut String| {
                if map.is_empty() {
                    return;
                }
                out.push_str(&format!("\n{title}:\n"));
                let mut rows: Vec<(&String, &usize)> = map.iter().collect();
                if by_count {
                    rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                }
                for (k, n) in rows {
                    out.push_str(&format!("  {n:>6}  {k}\n"));
                }
            };
        table("by year", &self.by_year, false, &mut out);
        table("by month", &self.by_month, false, &mut out);
        table("by category", &self.by_category, true, &mut out);
        table("by author", &self.by_author, true, &mut out);
        if !self.undated.is_empty() {
            out.push_str("\nundated:\n");
            for p in &self.undated {
                out.push_str(&format!("  {}\n", p.display()));
            }
        }
        if !self.errors.is_empty() {
            out.push_str("\nerrors:\n");
            for e in &self.errors {
                out.push_str(&format!("  {e}\n"));
            }
        }
        out
    }
}
