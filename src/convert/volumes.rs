//! Volumes: `--max-book-size` splits a group whose book would be larger than the limit into
//! volumes, in reading order, each planned as a book of its own (`Title (1/3)`,
//! `2023-05-vol1.epub`), instead of one book a reader or Send to Kindle (50 MB by e-mail)
//! refuses.
//!
//! A volume's size is estimated while planning, before anything is written, from what makes
//! an EPUB large: the pictures it embeds (their prepared bytes, each distinct picture once per
//! volume, as the book stores it) and the posts' text, plus what every book holds besides its
//! posts. The estimate cannot be exact (deflate, markup), so every book is weighed again once
//! written, and one still over the limit — a single post larger than the limit, which gets a
//! volume of its own, or an underestimate — is a `book-too-large` warning, never a silently
//! oversized book.

use super::report::{post_warning, OutputStatus, Report, SplitRecord, VolumeRecord};
use crate::images::{AssetSource, ImageStore, Lookup};
use crate::model::{walk, Block, Document, Inline, Node};
use crate::options::{Options, Verbosity};
use crate::warning::{Warning, WarningKind};
use std::collections::HashSet;

/// What a book holds besides its posts' chapters and pictures: the stylesheet, title page,
/// contents, navigation documents, OPF and a drawn cover (about 40 KB), rounded up.
const BOOK_BYTES: u64 = 96_000;

/// What each post adds besides its text: its chapter's template, its entries in the OPF, the
/// contents page, `nav.xhtml` and the NCX, and the zip entry.
const POST_BYTES: u64 = 2_000;

/// A formula's MathML is several times its TeX.
const MATH_FACTOR: u64 = 8;

/// The size books must keep under, and what each book takes before its posts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limit {
    /// `--max-book-size`, in bytes.
    pub bytes: u64,
    /// What every book holds besides its posts (a `--cover` picture included).
    pub reserve: u64,
}

impl Limit {
    /// The limit of a run, if `--max-book-size` was given.
    pub(crate) fn of(opts: &Options) -> Option<Limit> {
        let bytes = opts.max_book_size?;
        // The cover picture is stored in every book (processed, but rarely larger than this).
        let cover = opts
            .cover
            .as_deref()
            .and_then(|p| std::fs::metadata(p).ok())
            .map_or(0, |m| m.len());
        Some(Limit {
            bytes,
            reserve: BOOK_BYTES + cover,
        })
    }
}

/// One volume of a group: its posts in reading order and their estimated book size.
pub(crate) struct Volume<'d> {
    pub posts: Vec<&'d Document>,
    pub estimate: u64,
}

/// Splits `posts` (in reading order) into volumes whose estimated size stays under
/// `limit`: each volume takes posts until the next would take it over; a post that is over the
/// limit on its own is a volume by itself. One volume when everything fits. `pictures`: the
/// run's prepared pictures (none: only text is weighed).
pub(crate) fn split<'d>(
    posts: &[&'d Document],
    limit: Limit,
    pictures: Option<&ImageStore>,
) -> Vec<Volume<'d>> {
    let mut volumes = Vec::new();
    let mut current = Volume {
        posts: Vec::new(),
        estimate: limit.reserve,
    };
    // The pictures the current volume stores, by file name (each is stored once per book).
    let mut stored: HashSet<String> = HashSet::new();
    for &doc in posts {
        let own = post_pictures(doc, pictures);
        let adds = |stored: &HashSet<String>| {
            text_bytes(doc)
                + own
                    .iter()
                    .filter(|(name, _)| !stored.contains(name))
                    .map(|(_, n)| n)
                    .sum::<u64>()
        };
        let mut weight = adds(&stored);
        if !current.posts.is_empty() && current.estimate + weight > limit.bytes {
            volumes.push(std::mem::replace(
                &mut current,
                Volume {
                    posts: Vec::new(),
                    estimate: limit.reserve,
                },
            ));
            stored.clear();
            weight = adds(&stored);
        }
        current.posts.push(doc);
        current.estimate += weight;
        stored.extend(own.into_iter().map(|(name, _)| name));
    }
    if !current.posts.is_empty() || volumes.is_empty() {
        volumes.push(current);
    }
    volumes
}

/// The pictures a post's chapter embeds, by file name, with their prepared size.
fn post_pictures(doc: &Document, pictures: Option<&ImageStore>) -> Vec<(String, u64)> {
    let Some(store) = pictures else {
        return Vec::new();
    };
    let mut found = Vec::new();
    doc.for_each_image(&mut |img| {
        if let Lookup::Found(asset) = store.lookup(&doc.meta, &img.src) {
            found.push((asset.file_name(), asset.bytes.len() as u64));
        }
    });
    found
}

/// What a post's text adds to a book: its characters' bytes (deflate roughly pays for the
/// markup around them), formulas as MathML, and a chapter's fixed part.
fn text_bytes(doc: &Document) -> u64 {
    let mut n = POST_BYTES + doc.meta.title.len() as u64;
    walk(&doc.blocks, &mut |node| {
        n += match node {
            Node::Inline(Inline::Text(t) | Inline::Code(t)) => t.len() as u64,
            Node::Inline(Inline::Math(m)) => m.tex.len() as u64 * MATH_FACTOR,
            Node::Inline(Inline::Link(link)) => link.url.len() as u64,
            Node::Inline(Inline::Image(img)) => (img.src.len() + img.alt.len()) as u64,
            Node::Block(Block::Code { text, .. }) => text.len() as u64,
            Node::Block(Block::Figure(img)) => (img.src.len() + img.alt.len()) as u64,
            _ => 0,
        };
        true
    });
    n
}

/// The volume `index` (from 1) of `count`: its title, `Title (2/3)`.
pub(crate) fn title(title: &str, index: usize, count: usize) -> String {
    format!("{title} ({index}/{count})")
}

/// The file stem of volume `index` of `count`: `2023-05-vol2`, numbers padded to the widest
/// (`vol01` … `vol12`) so the files sort in reading order; no spaces, as Send to Kindle wants.
pub(crate) fn stem(stem: &str, index: usize, count: usize) -> String {
    let width = count.to_string().len();
    format!("{stem}-vol{index:0width$}")
}

/// The stable group id of volume `index`, from which its book identifier derives: a volume
/// is a book of its own in a reader's library.
pub(crate) fn key(id: &str, index: usize) -> String {
    format!("{id}#vol{index}")
}

/// The record of a group's split, for the report (sizes after writing are added by
/// [`weigh_written`]).
pub(crate) fn record(
    group: &str,
    title: &str,
    limit: Limit,
    volumes: &[VolumeRecord],
) -> SplitRecord {
    SplitRecord {
        group: group.to_string(),
        title: title.to_string(),
        limit: limit.bytes,
        volumes: volumes.to_vec(),
    }
}

/// Weighs every book written (or left as it was) against the limit: the report's splits get
/// each volume's size, and a book over the limit is a `book-too-large` warning on its first
/// post.
pub(crate) fn weigh_written(limit: Limit, report: &mut Report, verbosity: Verbosity) {
    let mut over = Vec::new();
    for out in &report.outputs {
        let written = matches!(
            out.status,
            OutputStatus::Created
                | OutputStatus::Replaced
                | OutputStatus::Unchanged
                | OutputStatus::Kept
        );
        let Some(bytes) = written
            .then(|| std::fs::metadata(&out.path).ok())
            .flatten()
            .map(|m| m.len())
        else {
            continue;
        };
        for split in &mut report.splits {
            for volume in split.volumes.iter_mut().filter(|v| *v.path == *out.path) {
                volume.bytes = Some(bytes);
            }
        }
        if bytes > limit.bytes {
            if let Some(first) = out.posts.first() {
                let why = match out.posts.len() {
                    1 => "its one post is larger than the limit".to_string(),
                    n => format!("its {n} posts were estimated to fit"),
                };
                over.push((first.clone(), out.path.clone(), bytes, why));
            }
        }
    }
    for (post, path, bytes, why) in over {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let message = format!(
            "{} is {bytes} bytes, over the --max-book-size of {} bytes: {why}",
            name.as_deref().unwrap_or_default(),
            limit.bytes
        );
        let warning = Warning::new(WarningKind::BookTooLarge, message);
        post_warning(report, verbosity, &post, warning);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Meta;
    use std::path::PathBuf;

    fn post(path: &str, chars: usize) -> Document {
        Document {
            meta: Meta {
                path: PathBuf::from(path).into(),
                ..Meta::default()
            },
            blocks: vec![Block::Paragraph(vec![Inline::Text("x".repeat(chars))])],
        }
    }

    #[test]
    fn volumes_fill_in_reading_order_and_a_big_post_stands_alone() {
        let docs = [
            post("a", 30_000),
            post("b", 30_000),
            post("c", 30_000),
            post("d", 500_000),
            post("e", 10_000),
        ];
        let refs: Vec<&Document> = docs.iter().collect();
        let limit = Limit {
            bytes: 200_000,
            reserve: 96_000,
        };
        let volumes = split(&refs, limit, None);
        let names: Vec<Vec<String>> = volumes
            .iter()
            .map(|v| {
                v.posts
                    .iter()
                    .map(|d| d.meta.path.display().to_string())
                    .collect()
            })
            .collect();
        assert_eq!(names, [vec!["a", "b", "c"], vec!["d"], vec!["e"]]);
        assert!(volumes[0].estimate <= limit.bytes);
        assert!(
            volumes[1].estimate > limit.bytes,
            "the big post is over alone"
        );
        // Everything fits: one volume, the book as it was.
        let fits = split(
            &refs[..2],
            Limit {
                bytes: 10_000_000,
                ..limit
            },
            None,
        );
        assert_eq!(fits.len(), 1);
        assert_eq!(fits[0].posts.len(), 2);
    }

    #[test]
    fn volume_names_sort_and_carry_no_spaces() {
        assert_eq!(stem("2023-05", 2, 3), "2023-05-vol2");
        assert_eq!(stem("2023-05", 2, 12), "2023-05-vol02");
        assert_eq!(title("早报 — 2023年5月", 1, 3), "早报 — 2023年5月 (1/3)");
        assert_eq!(key("month:2023-05", 3), "month:2023-05#vol3");
    }
}
