//! Distill's article elements (distill.pub, and al-folio's `distill` layout for Jekyll):
//! `<d-footnote>` is a footnote, `<d-math>` a formula (`block` for display math), `<d-cite
//! key="a,b">` a citation of entries of the post's BibTeX bibliography. Browsers show them
//! through Distill's script, which no book has: read as plain HTML they would vanish (a
//! citation) or run into the sentence (a footnote).
//!
//! A citation becomes a footnote holding its entries (authors, title, year), so books show
//! them at the chapter's end, linked from the place they are cited, and notes list them
//! after the post; a key the bibliography does not have (or a post without one) stays
//! visible as `[key]`. The bibliography is the post's front matter `bibliography:` file
//! (al-folio keeps it in `assets/bibliography/`) and jekyll-scholar's `_bibliography/*.bib`.

use crate::model::{Block, Inline};
use crate::site::cache::BibFile;
use crate::site::Site;
use crate::warning::{Warning, WarningKind};
use biblatex::ChunksExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Parses BibTeX text, the error as a warning says it.
fn parse_bib(src: &str) -> Result<biblatex::Bibliography, String> {
    biblatex::Bibliography::parse(src)
        .map_err(|e| format!("{} at bytes {}..{}", e.kind, e.span.start, e.span.end))
}

/// Reads and parses a `.bib` file.
fn read_bib(file: &Path) -> BibFile {
    Arc::new(
        std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|text| parse_bib(&text)),
    )
}

/// The entries a post's citations can name: its `.bib` files in the order they are looked
/// up in, parsed by `biblatex`. A key is the first file's that has it.
#[derive(Debug, Default)]
pub struct Bibliography(Vec<BibFile>);

impl Bibliography {
    /// Parses BibTeX text; entries that do not parse are left out (the whole file is then
    /// warned about).
    pub fn parse(src: &str) -> Result<Bibliography, String> {
        parse_bib(src).map(|b| Bibliography(vec![Arc::new(Ok(b))]))
    }

    /// The bibliography of the post at `post`: its front matter's `bibliography` file (`named`,
    /// looked for beside the post, in the site's `assets/bibliography/` and `_bibliography/`)
    /// and every `.bib` in the site's `_bibliography/`. `None` when there is no such file.
    /// A file that cannot be read or parsed is warned about (in every post that uses it).
    ///
    /// In a site, each file is read and parsed once per run, the first time a citing post needs
    /// it, and kept in the site's cache ([`crate::site::cache::SiteCache::bib_files`]). A post
    /// outside a site has only its `named` file beside it, read and parsed for that post.
    pub fn for_post(
        post: &Path,
        site: Option<&Site>,
        named: Option<&str>,
        warnings: &mut Vec<Warning>,
    ) -> Option<Bibliography> {
        let mut files: Vec<PathBuf> = Vec::new();
        let dir = post.parent().unwrap_or(Path::new("."));
        let roots: Vec<&Path> = site.map(|s| s.root.as_path()).into_iter().collect();
        if let Some(name) = named.map(str::trim).filter(|n| !n.is_empty()) {
            let name = name.trim_start_matches('/');
            let candidates = std::iter::once(dir.join(name)).chain(roots.iter().flat_map(|r| {
                [
                    r.join(name),
                    r.join("assets/bibliography").join(name),
                    r.join("_bibliography").join(name),
                ]
            }));
            files.extend(candidates.filter(|f| f.is_file()).take(1));
        }
        for root in &roots {
            if let Ok(entries) = std::fs::read_dir(root.join("_bibliography")) {
                let mut bibs: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|e| e == "bib"))
                    .filter(|p| !files.contains(p))
                    .collect();
                bibs.sort();
                files.extend(bibs);
            }
        }
        if files.is_empty() {
            return None;
        }
        let mut parsed = Vec::with_capacity(files.len());
        for file in files {
            let bib = match site {
                Some(site) => {
                    let mut cache = site
                        .cache
                        .bib_files
                        .lock()
                        .unwrap_or_else(|e| e.into_inner());
                    cache
                        .entry(file.clone())
                        .or_insert_with(|| read_bib(&file))
                        .clone()
                }
                None => read_bib(&file),
            };
            match &*bib {
                Ok(_) => parsed.push(bib),
                Err(e) => warnings.push(Warning::new(
                    WarningKind::Citation,
                    format!(
                        "bibliography {} not read ({e}); its citations show their keys",
                        file.display()
                    ),
                )),
            }
        }
        Some(Bibliography(parsed))
    }

    /// The entry `key` names: the first file's that has it.
    fn get(&self, key: &str) -> Option<&biblatex::Entry> {
        self.0
            .iter()
            .find_map(|file| file.as_ref().as_ref().ok()?.get(key))
    }

    /// An entry as a reference list shows it: `Gregor, K. and Danihelka, I. DRAW: A
    /// Recurrent Neural Network. 2015.` (as much of it as the entry has).
    fn entry(&self, key: &str) -> Option<String> {
        let entry = self.get(key)?;
        let mut parts: Vec<String> = Vec::new();
        if let Ok(people) = entry.author() {
            let names: Vec<String> = people
                .iter()
                .map(|p| match p.given_name.is_empty() {
                    true => p.name.clone(),
                    false => format!("{}, {}", p.name, p.given_name),
                })
                .collect();
            if !names.is_empty() {
                parts.push(names.join(" and "));
            }
        }
        for field in ["title", "journal", "booktitle", "year"] {
            if let Some(v) = entry.get(field) {
                let v = v.format_verbatim();
                let v = v.trim();
                if !v.is_empty() {
                    parts.push(v.to_string());
                }
            }
        }
        if parts.is_empty() {
            return None;
        }
        let parts: Vec<String> = parts
            .into_iter()
            .map(|p| match p.ends_with(['.', '?', '!']) {
                true => p,
                false => p + ".",
            })
            .collect();
        Some(parts.join(" "))
    }
}

/// `<d-cite key="a,b">`: a footnote listing the entries the bibliography has (each `[key]`
/// and its reference), and `[key]` in the text for keys it has not. Keys that are not in the
/// bibliography are warned about when there is one.
pub fn citation(
    keys: &str,
    bibliography: Option<&Bibliography>,
    warnings: &mut Vec<Warning>,
) -> Vec<Inline> {
    let keys: Vec<&str> = keys
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .collect();
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for key in keys {
        match bibliography.and_then(|b| b.entry(key)) {
            Some(entry) => found.push(Block::Paragraph(vec![Inline::Text(format!(
                "[{key}] {entry}"
            ))])),
            None => {
                if bibliography.is_some() {
                    warnings.push(Warning::new(
                        WarningKind::Citation,
                        format!("citation `{key}` is not in the bibliography; its key is shown"),
                    ));
                }
                missing.push(key);
            }
        }
    }
    let mut out = Vec::new();
    if !missing.is_empty() {
        out.push(Inline::Text(format!("[{}]", missing.join(", "))));
    }
    if !found.is_empty() {
        out.push(Inline::Note(found));
    }
    out
}

/// A Markdown body's `<d-math>` elements as the TeX delimiters the math reader takes
/// (`\(…\)`, and `\[…\]` for `<d-math block>`), so that Markdown does not read the formula
/// (`a_1 * b_2` as emphasis). Code (an example of Distill's markup) is left alone. `None`
/// when there is none.
pub fn math_delimiters(src: &str) -> Option<String> {
    memchr::memmem::find(src.as_bytes(), b"<d-math")?;
    let code = super::regions::CodeRegions::of(src);
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(i) = rest.find("<d-math") {
        let after = &rest[i + "<d-math".len()..];
        let (Some(gt), Some(close)) = (after.find('>'), after.find("</d-math>")) else {
            break;
        };
        let attrs = &after[..gt];
        let at = src.len() - rest.len() + i;
        if gt > close
            || !(attrs.is_empty() || attrs.starts_with(char::is_whitespace))
            || code.contains(at)
        {
            out.push_str(&rest[..i + "<d-math".len()]);
            rest = after;
            continue;
        }
        let tex = after[gt + 1..close].trim();
        let block = attrs
            .split_whitespace()
            .any(|a| a == "block" || a.starts_with("block="));
        out.push_str(&rest[..i]);
        match block {
            true => out.push_str(&format!("\\[{tex}\\]")),
            false => out.push_str(&format!("\\({tex}\\)")),
        }
        rest = &after[close + "</d-math>".len()..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIB: &str = "@article{gregor2015draw,\n  title={DRAW: A Recurrent Neural Network For Image Generation},\n  author={Gregor, Karol and Danihelka, Ivo},\n  journal={arXiv preprint},\n  year={2015}\n}\n";

    #[test]
    fn citations_are_notes_with_their_entries_or_keys() {
        let bib = Bibliography::parse(BIB).unwrap();
        let mut w = Vec::new();
        let got = citation("gregor2015draw, nobody2000", Some(&bib), &mut w);
        assert_eq!(got[0], Inline::Text("[nobody2000]".into()));
        let Inline::Note(note) = &got[1] else {
            panic!("{got:?}")
        };
        assert_eq!(
            crate::read::chrome::block_text(&note[0]),
            "[gregor2015draw] Gregor, Karol and Danihelka, Ivo. DRAW: A Recurrent Neural Network For Image Generation. arXiv preprint. 2015."
        );
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(
            citation("a,b", None, &mut Vec::new()),
            [Inline::Text("[a, b]".into())]
        );
    }

    #[test]
    fn a_sites_bib_files_are_parsed_once_per_run() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("_config.yml"), "title: t\n").unwrap();
        std::fs::create_dir_all(root.join("_posts")).unwrap();
        std::fs::create_dir_all(root.join("_bibliography")).unwrap();
        std::fs::write(root.join("_bibliography/refs.bib"), BIB).unwrap();
        std::fs::write(root.join("_bibliography/broken.bib"), "@article{x,").unwrap();
        let site = Site::at(root).expect("a Jekyll site");
        let mut w = Vec::new();
        let posts = ["2020-01-01-a.md", "2020-01-02-b.md"].map(|p| root.join("_posts").join(p));
        let a = Bibliography::for_post(&posts[0], Some(&site), None, &mut w).unwrap();
        let b = Bibliography::for_post(&posts[1], Some(&site), None, &mut w).unwrap();
        assert!(a.entry("gregor2015draw").is_some());
        assert!(
            Arc::ptr_eq(&a.0[0], &b.0[0]),
            "the second post reuses the parsed file"
        );
        assert_eq!(site.cache.bib_files.lock().unwrap().len(), 2);
        // The broken file is warned about in each post that uses it.
        assert_eq!(w.len(), 2, "{w:?}");
        // Outside a site: only the named file beside the post.
        let lone = tempfile::tempdir().unwrap();
        std::fs::write(lone.path().join("refs.bib"), BIB).unwrap();
        let post = lone.path().join("post.md");
        let bib = Bibliography::for_post(&post, None, Some("refs.bib"), &mut w).unwrap();
        assert!(bib.entry("gregor2015draw").is_some());
        assert!(Bibliography::for_post(&post, None, None, &mut w).is_none());
    }

    #[test]
    fn d_math_becomes_tex_delimiters() {
        assert_eq!(
            math_delimiters("x <d-math>a_1 * b_2</d-math> and <d-math block>\\sum_i x_i</d-math>.")
                .unwrap(),
            "x \\(a_1 * b_2\\) and \\[\\sum_i x_i\\]."
        );
        assert_eq!(math_delimiters("no math"), None);
        let example = "Write `<d-math>x</d-math>`:\n\n```html\n<d-math block>y</d-math>\n```\n";
        assert_eq!(math_delimiters(example).unwrap(), example);
        assert_eq!(
            math_delimiters("<d-mathx>y</d-math>").unwrap(),
            "<d-mathx>y</d-math>"
        );
    }
}
