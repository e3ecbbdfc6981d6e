//! Collect: find the post files and read them in parallel, handing each post on in path order
//! (shared with `inspect`); then find the folder's boilerplate, which needs every post.

use super::report::Report;
use super::spill::{Extent, SpillWriter};
use crate::diag::{self, set_total};
use crate::incremental::{CacheEntry, Fingerprints, InputInfo, PostCache, Stamp};
use crate::input;
use crate::isolate;
use crate::model::{Document, PostPath};
use crate::options::Verbosity;
use crate::read::chrome::{self, Removed};
use crate::read::{read_post_with, PostError, ReadOptions, ReadPost};
use anyhow::Result;
use indicatif::ProgressBar;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Finds the post files under `inputs` (see [`input::discover`]), never reading `out_dir`.
/// Says which files were skipped as not posts; finding none at all is an error, since a script
/// given the wrong folder must notice.
pub(crate) fn discover(
    inputs: &[PathBuf],
    out_dir: Option<&Path>,
    drafts: bool,
    verbosity: Verbosity,
) -> Result<input::Found> {
    let found = input::discover(inputs, out_dir, drafts);
    let skipped = &found.skipped;
    if !skipped.is_empty() && verbosity >= Verbosity::Normal {
        let mut names: Vec<String> = skipped
            .iter()
            .take(5)
            .map(|(p, _)| p.display().to_string())
            .collect();
        if skipped.len() > names.len() {
            names.push(format!("and {} more", skipped.len() - names.len()));
        }
        diag::note(&format!("skipped, not posts: {}", names.join(", ")));
    }
    if verbosity >= Verbosity::Normal {
        for (link, why) in &found.links_skipped {
            diag::warning(&format!("{}: skipped, a {why}", link.display()));
        }
    }
    if found.files.is_empty() && found.missing.is_empty() {
        let inputs: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
        return Err(match inputs.is_empty() {
            true => anyhow::anyhow!("no posts found: no paths were given on stdin"),
            false => anyhow::anyhow!("no posts found in {}", inputs.join(", ")),
        });
    }
    Ok(found)
}

/// How many posts are read in parallel before they are handed on in path order (two chunks
/// are read at a time): bounds the memory held by posts read but not yet taken into the plan
/// and the report.
const READ_CHUNK: usize = 1024;

/// What reading keeps of each post's body.
#[derive(Clone, Copy)]
pub(crate) enum Bodies<'s> {
    /// The whole post, held in memory.
    Kept,
    /// Only the metadata (streaming: each output reads its posts again).
    Dropped,
    /// Only the metadata; the post goes to the spill ([`super::spill`]), where
    /// [`Read::spilled`] says it is: each output decodes its posts instead of reading them again.
    Spilled(&'s SpillWriter),
}

/// Reads `files` in parallel, two chunks at a time, and hands each post (or why it failed) to
/// `each` in path order; then the `missing` inputs, as failures. Unless `bodies` are kept
/// (streaming), posts found unchanged in `cache` are not read at all. Returns the files not
/// read because the run was interrupted.
pub(crate) fn read_posts(
    files: Vec<PathBuf>,
    missing: Vec<(PathBuf, String)>,
    bodies: Bodies<'_>,
    read: ReadOptions<'_>,
    progress: &ProgressBar,
    cache: &mut PostCache,
    mut each: impl FnMut(Read),
) -> Vec<PathBuf> {
    set_total(progress, files.len());
    let mut files = files.into_iter().peekable();
    // Two chunks are read at a time, and each is handed on, on this thread, as soon as it
    // and those before it are read: so a core is not left idle while the other reads the
    // longest posts of a chunk, nor while this thread takes a chunk in (reading one chunk at a
    // time left 7–8% of two cores idle on 100,000 posts), and what `each` keeps is allocated
    // here, not among the pages the reading threads parse in (see `Intake::take`).
    let mut reading = std::collections::VecDeque::new();
    rayon::in_place_scope(|scope| loop {
        // Ctrl-C stops reading between chunks; nothing is then written (see [`super::save`]).
        while reading.len() < 2 && files.peek().is_some() && !crate::interrupt::requested() {
            let chunk: Vec<_> = files
                .by_ref()
                .take(READ_CHUNK)
                .map(|path| {
                    let cached = cache
                        .take(&path)
                        .filter(|_| !matches!(bodies, Bodies::Kept));
                    (cached, PostPath::from(path))
                })
                .collect();
            let (done, reads) = std::sync::mpsc::sync_channel::<Vec<Read>>(1);
            scope.spawn(move |_| {
                let posts: Vec<Read> = chunk
                    .into_par_iter()
                    .map(|(cached, path)| {
                        let read = read_one(path, cached, bodies, read);
                        progress.inc(1);
                        read
                    })
                    .collect();
                // The receiver is only gone if `each` panicked.
                let _ = done.send(posts);
            });
            reading.push_back(reads);
        }
        let Some(reads) = reading.pop_front() else {
            break;
        };
        // A reading thread that panicked has sent nothing: the scope passes its panic on.
        let posts = reads.recv().unwrap_or_default();
        let parsed = posts.iter().any(|r| !r.from_cache);
        posts.into_iter().for_each(&mut each);
        // A streaming run's peak is at the end of reading, while every post's metadata is
        // kept: memory this thread freed while taking a chunk of posts read (not cached) in is
        // handed back at once. 100,000 posts → monthly EPUBs: peak 160 → 145 MiB in two
        // alternating pairs of runs, though single runs vary by ±7 MiB (docs/performance.md),
        // for about 0.3 s more system time; doing it on the reading threads too gained nothing.
        if parsed && !matches!(bodies, Bodies::Kept) {
            crate::memory::release_free_memory();
        }
    });
    for (path, why) in missing {
        each(Read {
            path: path.into(),
            result: Err(PostError::whole_file(why)),
            took: Duration::ZERO,
            input: None,
            from_cache: false,
            cache_record: None,
            spilled: None,
        });
    }
    files.collect()
}

/// Reads one post, or takes its metadata from its `cached` entry when its stamp still matches.
fn read_one(
    path: PostPath,
    cached: Option<CacheEntry>,
    bodies: Bodies<'_>,
    opts: ReadOptions<'_>,
) -> Read {
    let started = Instant::now();
    // Stamped before reading: a post changed meanwhile is read again next time.
    let stamp = Stamp::of(&path);
    let fresh = cached.and_then(|c| Some((c.parse()?.fresh(&path, stamp)?, c.into_record())));
    let mut cache_record = None;
    let (mut result, input, from_cache) = match fresh {
        Some(((meta, input, warnings), record)) => {
            cache_record = Some(record);
            let doc = Document {
                meta,
                blocks: Vec::new(),
            };
            let chrome = Vec::new();
            (
                Ok(ReadPost {
                    doc,
                    warnings,
                    chrome,
                    // Not known, and not needed: its edge hashes came from the cache too.
                    from_web_page: false,
                }),
                Some(input),
                true,
            )
        }
        None => {
            // A panic (a bug) fails this post alone (see [`isolate`]).
            let result = isolate::catch(|| {
                isolate::fault_point("read", &path);
                read_post_with(&path, opts)
            })
            .unwrap_or_else(|bug| Err(PostError::whole_file(bug.to_string())));
            let input = match (&result, stamp) {
                (Ok(post), Some(stamp)) => {
                    let boilerplate =
                        post.from_web_page && !opts.keep_chrome.keeps(chrome::Kind::Boilerplate);
                    Some(InputInfo::new(stamp, &post.doc, &post.chrome, boilerplate))
                }
                _ => None,
            };
            (result, input, false)
        }
    };
    let mut spilled = None;
    if let (Bodies::Dropped | Bodies::Spilled(_), Ok(post)) = (bodies, &mut result) {
        if let (Bodies::Spilled(spill), false) = (bodies, from_cache) {
            spilled = super::spill::encode(post).and_then(|record| spill.append(&record));
        }
        // Planning needs only the metadata that groups, names and titles outputs.
        post.doc.blocks = Vec::new();
        post.doc.meta.extra = Vec::new();
        post.doc.meta.shrink_to_fit();
    }
    Read {
        path,
        result,
        took: started.elapsed(),
        input,
        from_cache,
        cache_record,
        spilled,
    }
}

/// One input after reading: the post or why it failed, and how long reading took (`-v`).
pub struct Read {
    pub path: PostPath,
    pub result: Result<ReadPost, PostError>,
    pub took: Duration,
    /// Its stamp and local pictures, for fingerprints and the cache (when it was read).
    pub input: Option<InputInfo>,
    /// Whether its metadata came from the cache rather than the file.
    pub from_cache: bool,
    /// Its record in the cache, when it came from there: the next cache's too.
    pub cache_record: Option<Vec<u8>>,
    /// Where the post is in the spill, when reading spills bodies and it could be written.
    pub spilled: Option<Extent>,
}

/// `-v`: how each post was read.
pub(super) fn list_read(read: &Read) {
    match read.from_cache {
        true => eprintln!("cached {}", read.path.display()),
        false => eprintln!(
            "read {} ({:.2} ms)",
            read.path.display(),
            read.took.as_secs_f64() * 1e3
        ),
    }
}

/// The folder's boilerplate (see [`chrome::boilerplate`]), from every post read or cached:
/// counted on each post's record and made part of every output's fingerprint. It is removed
/// from the posts by [`super::passes::PostPasses`]. Empty when boilerplate is kept
/// (`--keep-chrome`, `--keep-chrome boilerplate`).
pub(super) fn find_boilerplate(
    keep_chrome: chrome::Kept,
    fingerprints: &mut Fingerprints,
    report: &mut Report,
) -> Vec<u64> {
    if keep_chrome.keeps(chrome::Kind::Boilerplate) {
        return Vec::new();
    }
    let boilerplate = chrome::boilerplate(fingerprints.inputs.values().map(|i| i.edges.as_slice()));
    fingerprints.add_boilerplate(&boilerplate);
    if boilerplate.is_empty() {
        return boilerplate;
    }
    for rec in report.posts.iter_mut() {
        if let Some(input) = fingerprints.inputs.get(&rec.input) {
            rec.chrome_removed.add(
                chrome::Kind::Boilerplate,
                boilerplate_blocks(input, &boilerplate) as u32,
            );
        }
    }
    boilerplate
}

/// How many of a post's edge blocks (hashed when it was read; none for a post not from a web
/// page) are `boilerplate`.
pub(super) fn boilerplate_blocks(input: &InputInfo, boilerplate: &[u64]) -> usize {
    input
        .edges
        .iter()
        .filter(|h| boilerplate.binary_search(h).is_ok())
        .count()
}

/// `-v`: each block of chrome removed from a post, by kind, with the start of its text.
pub(super) fn list_chrome(path: &Path, removed: &[Removed]) {
    for r in removed {
        let mut text: String = r.text.chars().take(60).collect();
        if text.len() < r.text.len() {
            text.push('…');
        }
        eprintln!("removed {} from {}: {text}", r.kind.name(), path.display());
    }
}
