//! The `convert` pipeline: find posts → read them in parallel → filter → group → write.
//!
//! Every post is independent until grouping, so reading runs on all cores (rayon); books and
//! note files are then rendered in parallel too. A post that fails is recorded with its reason
//! and the run goes on: the exit code and the report say what failed.

use crate::config::TitlePattern;
use crate::group::{GroupBy, GroupKey};
use crate::images::{
    self, AssetSource, ImageCounts, ImageOptions, ImagePolicy, ImageStore, Lookup,
};
use crate::incremental::{
    CacheWriter, CachedPost, Fingerprints, InputInfo, PostCache, Stamp, CACHE_NAME,
};
use crate::locale::Locale;
use crate::model::{Document, Meta, PostPath};
use crate::output::{
    safe_file_stem, sync_outputs, write_json_atomic, write_output, Manifest, NameAllocator,
    Written, MANIFEST_NAME,
};
use crate::read::chrome::{self, Removed};
use crate::read::{front_matter, read_post_with, PostError, ReadOptions, ReadPost};
use crate::templates::Templates;
use crate::warning::{self, Warning, WarningCounts, WarningKind};
use crate::write::epub::{Book, BookStats, Cover, EpubWriter};
use crate::write::markdown::MarkdownWriter;
use crate::write::text::TextWriter;
use crate::write::PostWriter;
use crate::{diag, input, lang};
use anyhow::Result;
use chrono::NaiveDate;
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Why an output was not written: the run was interrupted (Ctrl-C) first.
#[derive(Debug)]
struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted before it was written")
    }
}

impl std::error::Error for Interrupted {}

/// An error in how postbook was called (exit code 2), as opposed to a failure while working.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[value(alias = "md")]
    Markdown,
    #[value(alias = "txt")]
    Text,
    Epub,
}

/// Where output goes.
#[derive(Debug, Clone)]
pub enum Destination {
    Dir(PathBuf),
    Stdout,
}

/// How much to print on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// Which posts to keep.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub categories: Vec<String>,
    pub tags: Vec<String>,
}

impl Filters {
    fn is_active(&self) -> bool {
        self.since.is_some()
            || self.until.is_some()
            || !self.categories.is_empty()
            || !self.tags.is_empty()
    }

    /// Whether a post passes. Undated posts fail any date bound; names match case-insensitively.
    pub fn accepts(&self, doc: &Document) -> bool {
        let day = doc.meta.date.map(|d| d.day());
        if self.since.is_some_and(|s| day.is_none_or(|d| d < s))
            || self.until.is_some_and(|u| day.is_none_or(|d| d > u))
        {
            return false;
        }
        let any = |wanted: &[String], have: &[String]| {
            wanted.is_empty()
                || wanted.iter().any(|w| {
                    have.iter()
                        .any(|h| h.eq_ignore_ascii_case(w) || h.to_lowercase() == w.to_lowercase())
                })
        };
        any(&self.categories, &doc.meta.categories) && any(&self.tags, &doc.meta.tags)
    }
}

/// What makes two posts the same article for `--dedupe`: the same source URL, compared with
/// scheme and host in lowercase, without the `#fragment` and without a trailing `/`; or, for
/// posts without a source, the same title on the same day. Posts without a source and without a
/// title or date have no key and are never duplicates. The first post in path order is kept.
pub fn duplicate_key(meta: &Meta) -> Option<String> {
    if let Some(source) = meta
        .source
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let url = match url::Url::parse(source) {
            Ok(u) => {
                let host = u.host_str().unwrap_or_default().to_lowercase();
                let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
                let path = u.path().trim_end_matches('/');
                let query = u.query().map(|q| format!("?{q}")).unwrap_or_default();
                format!("{}://{host}{port}{path}{query}", u.scheme())
            }
            Err(_) => source
                .split('#')
                .next()
                .unwrap_or_default()
                .trim_end_matches('/')
                .into(),
        };
        return Some(format!("source {url}"));
    }
    let title = meta.title.trim();
    let day = meta.date.map(|d| d.day())?;
    (!title.is_empty()).then(|| format!("title {day} {title}"))
}

/// Everything `convert` needs to know.
#[derive(Debug, Clone)]
pub struct Options {
    pub inputs: Vec<PathBuf>,
    pub destination: Destination,
    pub format: Format,
    /// `None` means the format's default (month for EPUB, none otherwise).
    pub group_by: Option<GroupBy>,
    pub filters: Filters,
    pub title: Option<String>,
    /// Book titles per group (`--title-pattern`), instead of `collection — group`.
    pub title_pattern: Option<TitlePattern>,
    pub author: Option<String>,
    pub lang: Option<String>,
    /// Site root for `/absolute` image paths and the limit no image path may leave.
    pub root: Option<PathBuf>,
    pub wrap: Option<usize>,
    pub templates: Option<PathBuf>,
    /// A stylesheet added after the template's (`--css`).
    pub css: Option<PathBuf>,
    /// Write Kobo EPUBs (`.kepub.epub`, with Kobo's sentence spans).
    pub kepub: bool,
    /// Leave EPUB code blocks unhighlighted (`--no-highlight`).
    pub no_highlight: bool,
    pub report: Option<PathBuf>,
    pub verbosity: Verbosity,
    pub images: ImageOptions,
    /// A picture to use as every book's cover.
    pub cover: Option<PathBuf>,
    /// Use the first good landscape picture of each book as its cover.
    pub auto_cover: bool,
    /// No cover at all; otherwise a book without a picture gets a generated one.
    pub no_cover: bool,
    /// Keep only the posts' metadata in memory and read each post again when its output is
    /// written, so memory stays bounded by the largest output instead of growing with the
    /// archive. Costs a second read of every post; automatic above [`STREAM_ABOVE`] posts.
    pub low_memory: bool,
    /// Plan and report, but write nothing.
    pub dry_run: bool,
    /// Replace existing outputs even when a user edited them (see [`write_output`]).
    pub overwrite: bool,
    /// Read every post and render every output, even when the output folder's manifest shows
    /// they are up to date (re-runs are otherwise incremental: see [`crate::incremental`]).
    pub rebuild: bool,
    /// Convert posts with the same source (or, without one, the same title and day) once:
    /// see [`duplicate_key`].
    pub dedupe: bool,
    /// Convert unpublished posts too (`--drafts`): see [`crate::read`]'s draft marks and
    /// [`input::discover`].
    pub drafts: bool,
    /// Keep the site's chrome (share bars, newsletter boxes, related links, …) instead of
    /// removing it: see [`crate::read::chrome`].
    pub keep_chrome: bool,
}

/// The machine-readable record of a run (`--report FILE.json`).
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub postbook: &'static str,
    /// Where the time went, in seconds of wall time (for benchmarks and `-v`).
    pub timings: Timings,
    pub format: Option<Format>,
    pub group_by: String,
    pub summary: Summary,
    pub outputs: Vec<OutputRecord>,
    /// One record per input, sorted by path.
    pub posts: Vec<PostRecord>,
    /// Why the output folder cannot be written, when it cannot: said once, and every output
    /// fails with it instead of each saying so.
    #[serde(skip)]
    unwritable: Option<String>,
}

/// The record of the input at `path` in `posts`, sorted by path (warnings and outputs arrive by
/// path, from parallel work).
fn record_of<'r>(posts: &'r mut [PostRecord], path: &Path) -> Option<&'r mut PostRecord> {
    let i = posts.binary_search_by(|r| (*r.input).cmp(path)).ok()?;
    Some(&mut posts[i])
}

#[derive(Debug, Default, Serialize)]
pub struct Timings {
    /// Finding and reading the posts.
    pub read: f64,
    /// Downloading pictures (or finding them in the cache).
    pub images_download: f64,
    /// Decoding, resizing and re-encoding pictures.
    pub images_process: f64,
    /// Rendering, zipping and writing the outputs.
    pub write: f64,
    pub total: f64,
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub inputs: usize,
    pub converted: usize,
    pub failed: usize,
    pub filtered_out: usize,
    pub outputs: usize,
    /// Outputs that already held exactly what would be written.
    pub unchanged: usize,
    /// Of those, the outputs not even rendered: made from the same options and inputs as the
    /// file already there (incremental re-runs).
    pub skipped: usize,
    /// Posts whose metadata came from the output folder's cache instead of being read.
    pub posts_from_cache: usize,
    /// Posts dropped by `--dedupe` (each post record says which post it duplicates).
    pub duplicates: usize,
    /// Unpublished posts left out (`draft: true`, `published: false`; see `--drafts`).
    pub drafts: usize,
    /// Outputs edited since postbook wrote them, left as they are (status `kept`).
    pub kept: usize,
    pub warnings: usize,
    /// The warnings counted by kind (`picture-missing`, `undated`, …).
    pub warnings_by_kind: WarningCounts,
    /// Named warnings (unknown shortcodes and Liquid tags, …) counted by kind, then name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub warnings_by_name: warning::WarningNames,
    pub images_embedded: usize,
    pub images_linked: usize,
    /// Image references that could not be embedded (each has a warning on its post).
    pub images_failed: usize,
    /// Pictures fetched from the network in this run.
    pub images_downloaded: usize,
    /// Blocks of site chrome removed from the posts, by kind (see [`crate::read::chrome`]).
    pub chrome_removed: BTreeMap<String, usize>,
    /// Remote pictures found in the image cache.
    pub images_from_cache: usize,
}

#[derive(Debug, Serialize)]
pub struct OutputRecord {
    /// Shared with the records of the posts in it.
    pub path: Arc<Path>,
    pub status: OutputStatus,
    /// Why the output could not be written (`status` is `failed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The book title, for EPUB outputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub posts: Vec<PostPath>,
}

/// What became of one output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputStatus {
    Created,
    Replaced,
    /// Already held exactly this content; not touched.
    Unchanged,
    /// `--dry-run`: would be written.
    Planned,
    /// Edited since postbook wrote it: left as it is (`--overwrite` replaces it).
    Kept,
    /// Not written (refused or an error); the record's `error` says why.
    Failed,
}

impl From<Written> for OutputStatus {
    fn from(w: Written) -> Self {
        match w {
            Written::Created => OutputStatus::Created,
            Written::Replaced => OutputStatus::Replaced,
            Written::Unchanged => OutputStatus::Unchanged,
            Written::Kept => OutputStatus::Kept,
        }
    }
}

/// What became of one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PostStatus {
    Converted,
    /// Not readable, or no output could be written; the record's `error` says why.
    Failed,
    /// Left out by `--since`, `--until`, `--category` or `--tag`.
    Filtered,
    /// Dropped by `--dedupe`; the record's `duplicate_of` names the post kept.
    Duplicate,
    /// Unpublished (`draft: true`, `published: false`) and left out: `--drafts` keeps it.
    Draft,
    /// Its every output was edited since postbook wrote it and was left as it is.
    Kept,
}

/// One input in the report. Kept small: a run holds one per post until the report is written.
#[derive(Debug, Serialize)]
pub struct PostRecord {
    pub input: PostPath,
    pub status: PostStatus,
    /// The post this one duplicates (`status` is `duplicate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<PostPath>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<Arc<Path>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Box<ErrorRecord>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    /// Blocks of site chrome removed from it, by kind.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub chrome_removed: BTreeMap<String, usize>,
}

#[derive(Debug, Serialize)]
pub struct ErrorRecord {
    pub message: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

/// Above this many posts, `convert` streams (see [`Options::low_memory`]).
pub const STREAM_ABOVE: usize = 5_000;

/// How many posts are read in parallel before they are handed on in path order: bounds the
/// memory held by posts read but not yet sorted into the plan and the report.
const READ_CHUNK: usize = 1024;

/// Reads `files` in parallel, a chunk at a time, and hands each post (or why it failed) to
/// `each` in path order; then the `missing` inputs, as failures. When `streaming`, only the
/// metadata is kept (each output reads its posts again) and posts found unchanged in `cache`
/// are not read at all.
pub(crate) fn read_posts(
    files: Vec<PathBuf>,
    missing: Vec<(PathBuf, String)>,
    streaming: bool,
    read: ReadOptions,
    progress: &ProgressBar,
    cache: &mut PostCache,
    mut each: impl FnMut(Read),
) {
    set_total(progress, files.len());
    let mut files = files.into_iter().peekable();
    // Ctrl-C stops reading between chunks; nothing is then written (see `execute`).
    while files.peek().is_some() && !crate::interrupt::requested() {
        let chunk: Vec<_> = files
            .by_ref()
            .take(READ_CHUNK)
            .map(|path| {
                let cached = cache.take(&path).filter(|_| streaming);
                (cached, PostPath::from(path))
            })
            .collect();
        let reads: Vec<Read> = chunk
            .into_par_iter()
            .map(|(cached, path)| {
                let read = read_one(path, cached, streaming, read);
                progress.inc(1);
                read
            })
            .collect();
        reads.into_iter().for_each(&mut each);
    }
    for (path, why) in missing {
        each(Read {
            path: path.into(),
            result: Err(PostError::whole_file(why)),
            took: Duration::ZERO,
            input: None,
            from_cache: false,
        });
    }
}

/// Reads one post, or takes its metadata from its `cached` entry when its stamp still matches.
fn read_one(
    path: PostPath,
    cached: Option<CachedPost>,
    streaming: bool,
    opts: ReadOptions,
) -> Read {
    let started = Instant::now();
    // Stamped before reading: a post changed meanwhile is read again next time.
    let stamp = Stamp::of(&path);
    let (mut result, input, from_cache) = match cached.and_then(|c| c.fresh(stamp)) {
        Some((meta, input, warnings)) => {
            // The path shared with the report, not the cache's copy.
            let meta = Meta {
                path: path.clone(),
                ..meta
            };
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
                }),
                Some(input),
                true,
            )
        }
        None => {
            let result = read_post_with(&path, opts);
            let input = match (&result, stamp) {
                (Ok(post), Some(stamp)) => Some(InputInfo::new(stamp, &post.doc, &post.chrome)),
                _ => None,
            };
            (result, input, false)
        }
    };
    if let (true, Ok(post)) = (streaming, &mut result) {
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
}

/// A progress bar on stderr, drawn only on a terminal and not in quiet mode, and not before
/// it is given a length (with [`set_total`]): an empty `0/0` bar says nothing.
pub fn progress_bar(verbosity: Verbosity, what: &'static str) -> ProgressBar {
    if verbosity == Verbosity::Quiet {
        return ProgressBar::hidden();
    }
    // `with_*`, unlike `set_*`, does not draw.
    ProgressBar::new(0)
        .with_style(
            ProgressStyle::with_template("{msg:>9} [{bar:30}] {pos}/{len} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        )
        .with_message(what)
}

/// Sets a bar's length, which draws it, unless there is nothing to count.
pub fn set_total(progress: &ProgressBar, len: usize) {
    if len > 0 {
        progress.set_length(len as u64);
    }
}

/// Runs a conversion and returns its report. `Err` only for problems that stop the whole run
/// (unusable options, an output folder that cannot be created); per-post problems are in the
/// report.
pub fn run(opts: &Options) -> Result<Report> {
    let started = Instant::now();
    // A site root's config gives the book its title, author and language, under the flags
    // and postbook.toml.
    let sites = crate::site::find_sites(&opts.inputs);
    let with_site;
    let opts = match sites.first() {
        Some(site) => {
            with_site = site_defaults(opts, site);
            &with_site
        }
        None => opts,
    };
    let templates = match opts.format {
        Format::Epub => Some(Templates::load(
            opts.templates.as_deref(),
            opts.css.as_deref(),
        )?),
        _ => None,
    };
    let group_by = opts.group_by.unwrap_or(if opts.format == Format::Epub {
        GroupBy::Month
    } else {
        GroupBy::None
    });
    let out_dir = match &opts.destination {
        Destination::Dir(d) => Some(d.clone()),
        Destination::Stdout => None,
    };
    let progress = progress_bar(opts.verbosity, "reading");
    // Markdown notes with `--images embed` need every picture planned up front: no streaming.
    let can_stream = !(opts.format != Format::Epub && opts.images.policy == ImagePolicy::Embed)
        && matches!(opts.destination, Destination::Dir(_));
    // A re-run into a folder postbook wrote is incremental: it streams, taking unchanged posts'
    // metadata from the cache, and renders only the outputs whose fingerprint changed.
    let incremental = !opts.rebuild
        && out_dir
            .as_ref()
            .is_some_and(|d| d.join(MANIFEST_NAME).is_file());
    let mut cache = match &out_dir {
        Some(dir) if incremental && can_stream => PostCache::load(dir),
        _ => PostCache::default(),
    };
    let input::Found {
        files,
        missing,
        skipped,
    } = input::discover(&opts.inputs, out_dir.as_deref(), opts.drafts);
    if !skipped.is_empty() && opts.verbosity >= Verbosity::Normal {
        let mut names: Vec<String> = skipped
            .iter()
            .take(5)
            .map(|p| p.display().to_string())
            .collect();
        if skipped.len() > names.len() {
            names.push(format!("and {} more", skipped.len() - names.len()));
        }
        diag::note(&format!("skipped, not posts: {}", names.join(", ")));
    }
    if files.is_empty() && missing.is_empty() {
        // Nothing to convert is not success: a script given the wrong folder must notice.
        let inputs: Vec<String> = opts
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        return Err(match inputs.is_empty() {
            true => anyhow::anyhow!("no posts found: no paths were given on stdin"),
            false => anyhow::anyhow!("no posts found in {}", inputs.join(", ")),
        });
    }
    let streaming = can_stream && (opts.low_memory || incremental || files.len() > STREAM_ABOVE);
    let inputs = files.len() + missing.len();
    if streaming {
        crate::memory::unmap_large_buffers();
    }

    let mut report = Report {
        postbook: env!("CARGO_PKG_VERSION"),
        format: Some(opts.format),
        group_by: format!("{group_by:?}").to_lowercase(),
        ..Report::default()
    };
    report.summary.inputs = inputs;
    // Sized once: at 100,000 posts, growing by doubling left a third of these lists unused.
    let mut docs: Vec<Document> = Vec::with_capacity(inputs);
    report.posts.reserve_exact(inputs);
    let mut fingerprints = Fingerprints::new(opts, &image_root(opts), templates.as_ref());
    fingerprints.inputs.reserve(inputs);
    // An output folder that cannot be written fails every output, said once; the posts are
    // still read, so the summary and the report say what would have been converted.
    report.unwritable = out_dir
        .as_deref()
        .filter(|_| !opts.dry_run)
        .and_then(|dir| writable(dir).err());
    if let Some(why) = &report.unwritable {
        diag::error(why);
    }
    let mut new_cache = match &out_dir {
        Some(dir) if !opts.dry_run && report.unwritable.is_none() => {
            // A killed run's temporary files go first: the cache is being written among them.
            remove_stale_temporaries(dir);
            CacheWriter::create(Some(dir))
        }
        _ => CacheWriter::create(None),
    };
    // `--dedupe`: the first post (in path order) with each key.
    let mut firsts: HashMap<String, PostPath> = HashMap::new();
    let each = |Read {
                    path,
                    result,
                    took,
                    input,
                    from_cache,
                }| {
        if opts.verbosity == Verbosity::Verbose {
            match from_cache {
                true => eprintln!("cached {}", path.display()),
                false => eprintln!(
                    "read {} ({:.2} ms)",
                    path.display(),
                    took.as_secs_f64() * 1e3
                ),
            }
        }
        report.summary.posts_from_cache += usize::from(from_cache);
        let record = match result {
            Ok(ReadPost {
                doc,
                warnings,
                chrome,
            }) => {
                for w in &warnings {
                    warn(opts.verbosity, &format!("{}: {w}", path.display()));
                }
                if opts.verbosity == Verbosity::Verbose {
                    list_chrome(&path, &chrome);
                }
                let chrome_removed = match &input {
                    Some(input) => input.chrome.clone(),
                    None => crate::read::chrome::counts(&chrome),
                };
                if let Some(input) = input {
                    new_cache.add(&doc.meta, &input, &warnings);
                    fingerprints.inputs.insert(path.clone(), input);
                }
                let draft = doc.meta.draft && !opts.drafts;
                let filtered = !draft && opts.filters.is_active() && !opts.filters.accepts(&doc);
                let duplicate_of = match duplicate_key(&doc.meta).filter(|_| opts.dedupe) {
                    Some(key) if !filtered && !draft => match firsts.entry(key) {
                        Entry::Occupied(first) => Some(first.get().clone()),
                        Entry::Vacant(slot) => {
                            slot.insert(path.clone());
                            None
                        }
                    },
                    _ => None,
                };
                // A converted post's title is copied into its record when planning ends
                // (`record_titles`), so that it is not held twice meanwhile.
                let title =
                    (draft || filtered || duplicate_of.is_some()).then(|| doc.display_title());
                let status = match (filtered, &duplicate_of) {
                    _ if draft => {
                        if opts.verbosity == Verbosity::Verbose {
                            eprintln!("draft {}: left out (--drafts keeps it)", path.display());
                        }
                        report.summary.drafts += 1;
                        PostStatus::Draft
                    }
                    (true, _) => {
                        report.summary.filtered_out += 1;
                        PostStatus::Filtered
                    }
                    (false, Some(first)) => {
                        if opts.verbosity == Verbosity::Verbose {
                            let (p, f) = (path.display(), first.display());
                            eprintln!("duplicate {p} (of {f}): dropped");
                        }
                        report.summary.duplicates += 1;
                        PostStatus::Duplicate
                    }
                    (false, None) => {
                        docs.push(doc);
                        PostStatus::Converted
                    }
                };
                PostRecord {
                    input: path.clone(),
                    status,
                    duplicate_of,
                    title,
                    outputs: vec![],
                    error: None,
                    warnings,
                    chrome_removed,
                }
            }
            Err(e) => {
                diag::post_error(&path, &e);
                PostRecord {
                    input: path.clone(),
                    status: PostStatus::Failed,
                    duplicate_of: None,
                    title: None,
                    outputs: vec![],
                    error: Some(Box::new(ErrorRecord {
                        message: e.message.clone(),
                        line: e.line,
                        column: e.column,
                    })),
                    warnings: vec![],
                    chrome_removed: BTreeMap::new(),
                }
            }
        };
        report.posts.push(record);
    };
    let read = ReadOptions {
        keep_chrome: opts.keep_chrome,
    };
    read_posts(files, missing, streaming, read, &progress, &mut cache, each);
    if cache.ignored && opts.verbosity == Verbosity::Verbose {
        eprintln!("note: {CACHE_NAME} is corrupt or from another version: posts were read instead");
    }
    if streaming {
        // The posts' bodies, read in chunks and dropped, leave free pages among the metadata.
        crate::memory::release_free_memory();
    }
    progress.finish_and_clear();
    report.timings.read = started.elapsed().as_secs_f64();
    // Inputs come sorted; the missing ones were added at the end.
    report.posts.sort_by(|a, b| a.input.cmp(&b.input));
    let boilerplate = find_boilerplate(opts, &mut docs, &mut fingerprints, &mut report);

    let inputs_known = fingerprints.inputs.len();
    // No pictures are fetched for outputs that cannot be written, or after Ctrl-C.
    let store = match streaming || report.unwritable.is_some() || crate::interrupt::requested() {
        true => None,
        false => prepare_images(opts, &mut docs, &mut report)?,
    };
    let writing = Instant::now();
    match (&opts.destination, opts.format) {
        (Destination::Stdout, Format::Epub) => {
            return Err(UsageError(
                "EPUB cannot be written to stdout; give an output folder with -o DIR".into(),
            )
            .into())
        }
        (Destination::Stdout, _) => {
            if report.posts.len() != 1 {
                let msg = format!("-o - writes one post to stdout, but {} inputs were found; give an output folder with -o DIR", report.posts.len());
                return Err(UsageError(msg).into());
            }
            record_titles(&docs, &mut report);
            let stopped = crate::interrupt::requested();
            if let Some(doc) = docs.first().filter(|_| !opts.dry_run && !stopped) {
                let rendered = post_writer(opts).render(doc);
                crate::cli::to_stdout(rendered.as_bytes())?;
            }
        }
        (Destination::Dir(dir), Format::Epub) => {
            let templates = templates.as_ref().expect("loaded for EPUB");
            write_books(
                opts,
                dir,
                group_by,
                docs,
                streaming,
                templates,
                store.as_ref(),
                fingerprints,
                &boilerplate,
                &mut report,
            )?;
        }
        (Destination::Dir(dir), _) => write_posts(
            opts,
            dir,
            group_by,
            docs,
            store.as_ref(),
            streaming,
            fingerprints,
            &boilerplate,
            &mut report,
        )?,
    }
    // The cache is rewritten unless every post came from it and it holds no one else.
    let cache_current =
        report.summary.posts_from_cache == inputs_known && cache.unused() == 0 && inputs_known > 0;
    let interrupted = crate::interrupt::requested();
    if let Some(dir) = out_dir
        .as_deref()
        .filter(|_| !opts.dry_run && !cache_current && report.unwritable.is_none())
        .filter(|_| !interrupted)
    {
        if let Err(e) = new_cache.save(dir) {
            warn(
                opts.verbosity,
                &format!("cannot write {}: {e}", dir.join(CACHE_NAME).display()),
            );
        }
    }

    // Record outputs against their posts.
    let mut output_errors: BTreeMap<&Path, &str> = BTreeMap::new();
    for out in &report.outputs {
        for p in &out.posts {
            if let Some(rec) = record_of(&mut report.posts, p) {
                match &out.error {
                    None => rec.outputs.push(out.path.clone()),
                    Some(e) => _ = output_errors.insert(p, e),
                }
            }
        }
    }
    for rec in report.posts.iter_mut() {
        if rec.status == PostStatus::Converted
            && rec.outputs.is_empty()
            && matches!(opts.destination, Destination::Dir(_))
        {
            // The render or the write failed (already printed); the post is not in any output.
            rec.status = PostStatus::Failed;
            let why = output_errors.get(&*rec.input).copied();
            rec.error.get_or_insert(Box::new(ErrorRecord {
                message: why.unwrap_or("no output was written").into(),
                line: None,
                column: None,
            }));
        }
    }
    // A post whose outputs all hold a user's edits is kept rather than converted.
    let kept: HashSet<&Path> = report
        .outputs
        .iter()
        .filter(|o| o.status == OutputStatus::Kept)
        .map(|o| &*o.path)
        .collect();
    if !kept.is_empty() {
        for rec in report.posts.iter_mut() {
            if rec.status == PostStatus::Converted
                && !rec.outputs.is_empty()
                && rec.outputs.iter().all(|o| kept.contains(&**o))
            {
                rec.status = PostStatus::Kept;
            }
        }
    }
    report.summary.kept = kept.len();
    report.summary.converted = report
        .posts
        .iter()
        .filter(|p| p.status == PostStatus::Converted)
        .count();
    report.summary.failed = report
        .posts
        .iter()
        .filter(|p| p.status == PostStatus::Failed)
        .count();
    report.summary.outputs = report
        .outputs
        .iter()
        .filter(|o| !matches!(o.status, OutputStatus::Failed | OutputStatus::Kept))
        .count();
    report.summary.unchanged = report
        .outputs
        .iter()
        .filter(|o| o.status == OutputStatus::Unchanged)
        .count();
    for w in report.posts.iter().flat_map(|p| &p.warnings) {
        report.summary.warnings += w.times;
        let s = &mut report.summary;
        warning::count(w, &mut s.warnings_by_kind, &mut s.warnings_by_name);
    }
    for (kind, n) in report.posts.iter().flat_map(|p| &p.chrome_removed) {
        *report
            .summary
            .chrome_removed
            .entry(kind.clone())
            .or_default() += n;
    }

    report.timings.write = writing.elapsed().as_secs_f64();
    report.timings.total = started.elapsed().as_secs_f64();
    if opts.verbosity == Verbosity::Verbose {
        let t = &report.timings;
        eprintln!(
            "time: read {:.2}s, image downloads {:.2}s, image processing {:.2}s, writing {:.2}s",
            t.read, t.images_download, t.images_process, t.write
        );
        let s = &report.summary;
        eprintln!(
            "incremental: {} from the cache, {} read; {} of {} up to date (not rendered)",
            plural(s.posts_from_cache, "post", "posts"),
            s.inputs - s.posts_from_cache,
            s.skipped,
            plural(report.outputs.len(), "output", "outputs"),
        );
    }
    if opts.dry_run {
        print_plan(&report).map_err(|e| anyhow::anyhow!("cannot write to stdout: {e}"))?;
    }
    if interrupted {
        if let Some(dir) = out_dir.as_deref().filter(|_| !opts.dry_run) {
            remove_stale_temporaries(dir);
        }
        let written = report
            .outputs
            .iter()
            .filter(|o| matches!(o.status, OutputStatus::Created | OutputStatus::Replaced))
            .count();
        let left = report
            .outputs
            .iter()
            .filter(|o| o.status == OutputStatus::Failed)
            .count();
        diag::error(&format!(
            "interrupted: {} written, {left} not (the next run makes them)",
            plural(written, "output", "outputs")
        ));
    }
    let report_error = opts.report.as_ref().and_then(|path| {
        write_json_atomic(path, &report)
            .err()
            .map(|e| anyhow::anyhow!("cannot write report {}: {e}", path.display()))
    });
    if opts.verbosity >= Verbosity::Normal {
        eprintln!(
            "{}",
            summary_line(&report, opts.format, opts.dry_run, started)
        );
    }
    match report_error {
        Some(e) => Err(e),
        None => Ok(report),
    }
}

/// The folder's boilerplate (see [`chrome::boilerplate`]), from every post read or cached:
/// counted on each post's record, made part of every output's fingerprint, and removed at once
/// from the posts held in memory (a streaming run removes it as it reads posts again). Empty
/// with `--keep-chrome`.
fn find_boilerplate(
    opts: &Options,
    docs: &mut [Document],
    fingerprints: &mut Fingerprints,
    report: &mut Report,
) -> Vec<u64> {
    if opts.keep_chrome {
        return Vec::new();
    }
    let boilerplate = chrome::boilerplate(fingerprints.inputs.values().map(|i| i.edges.as_slice()));
    fingerprints.add_boilerplate(&boilerplate);
    if boilerplate.is_empty() {
        return boilerplate;
    }
    for rec in report.posts.iter_mut() {
        if let Some(input) = fingerprints.inputs.get(&rec.input) {
            let n = input
                .edges
                .iter()
                .filter(|h| boilerplate.binary_search(h).is_ok())
                .count();
            if n > 0 {
                *rec.chrome_removed
                    .entry(chrome::Kind::Boilerplate.name().into())
                    .or_default() += n;
            }
        }
    }
    for doc in docs.iter_mut() {
        let removed = chrome::remove_boilerplate(&doc.meta, &mut doc.blocks, &boilerplate);
        if opts.verbosity == Verbosity::Verbose {
            list_chrome(&doc.meta.path, &removed);
        }
    }
    boilerplate
}

/// `-v`: each block of chrome removed from a post, by kind, with the start of its text.
fn list_chrome(path: &Path, removed: &[Removed]) {
    for r in removed {
        let mut text: String = r.text.chars().take(60).collect();
        if text.len() < r.text.len() {
            text.push('…');
        }
        eprintln!("removed {} from {}: {text}", r.kind.name(), path.display());
    }
}

/// `--dry-run`'s listing on stdout: each output path, then the posts that would go into it.
fn print_plan(report: &Report) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for o in &report.outputs {
        writeln!(out, "{}", o.path.display())?;
        for p in &o.posts {
            writeln!(out, "  {}", p.display())?;
        }
    }
    out.flush()
}

fn post_writer(opts: &Options) -> Box<dyn PostWriter> {
    match opts.format {
        Format::Text => Box::new(TextWriter { wrap: opts.wrap }),
        _ => Box::new(MarkdownWriter),
    }
}

fn warn(verbosity: Verbosity, msg: &str) {
    if verbosity >= Verbosity::Normal {
        diag::warning(msg);
    }
}

/// `1 post`, `2 posts`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `converted 1498 posts into 27 books; 2 failed`.
fn summary_line(r: &Report, format: Format, dry_run: bool, started: Instant) -> String {
    let s = &r.summary;
    let unit = match (format, s.outputs) {
        (Format::Epub, 1) => "book",
        (Format::Epub, _) => "books",
        (_, 1) => "file",
        _ => "files",
    };
    let posts = if s.converted == 1 { "post" } else { "posts" };
    let verb = if dry_run {
        "dry run: would convert"
    } else {
        "converted"
    };
    let mut line = match r.outputs.is_empty() && s.converted > 0 {
        true => format!("{verb} {} {posts} to stdout", s.converted),
        false => format!("{verb} {} {posts} into {} {unit}", s.converted, s.outputs),
    };
    if s.unchanged > 0 {
        line.push_str(&format!(" ({} unchanged)", s.unchanged));
    }
    if s.failed > 0 {
        line.push_str(&format!("; {} failed", s.failed));
    }
    if s.kept > 0 {
        line.push_str(&format!("; {} kept (edited since written)", s.kept));
    }
    if s.filtered_out > 0 {
        line.push_str(&format!("; {} filtered out", s.filtered_out));
    }
    if s.drafts > 0 {
        let d = if s.drafts == 1 { "draft" } else { "drafts" };
        line.push_str(&format!("; {} {d} left out", s.drafts));
    }
    if s.duplicates > 0 {
        let d = if s.duplicates == 1 {
            "duplicate"
        } else {
            "duplicates"
        };
        line.push_str(&format!("; {} {d} dropped", s.duplicates));
    }
    if s.images_embedded > 0 || s.images_failed > 0 {
        line.push_str(&format!(
            "; {} embedded, {} failed",
            plural(s.images_embedded, "image", "images"),
            s.images_failed
        ));
    }
    if s.warnings > 0 {
        line.push_str(&format!(
            "; {} ({})",
            plural(s.warnings, "warning", "warnings"),
            warning::describe_named_counts(&s.warnings_by_kind, &s.warnings_by_name)
        ));
    }
    line.push_str(&format!(" ({:.2}s)", started.elapsed().as_secs_f64()));
    line
}

/// Posts sorted for reading: by date, undated last, then by path.
fn reading_order(docs: &mut [&Document]) {
    docs.sort_by(|a, b| match (a.meta.date, b.meta.date) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.meta.path.cmp(&b.meta.path)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.meta.path.cmp(&b.meta.path),
    });
}

/// The name of the whole collection, used in book titles: `--title`, else the category or
/// author every post shares (`联合早报`), else the input folder's name.
fn collection_name(opts: &Options, docs: &[&Document]) -> String {
    if let Some(t) = &opts.title {
        return t.clone();
    }
    let shared = |get: fn(&Document) -> Option<&String>| {
        let first = get(docs.first()?)?;
        docs.iter()
            .all(|d| get(d) == Some(first))
            .then(|| first.clone())
    };
    shared(|d| d.meta.categories.first())
        .or_else(|| shared(|d| d.meta.authors.first()))
        .or_else(|| {
            let input = opts.inputs.first()?;
            let abs = std::path::absolute(input).ok()?;
            let name = if abs.is_dir() {
                abs.file_name()
            } else {
                abs.file_stem()
            };
            name.map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "postbook".into())
}

/// The date style of a run's book titles: one for all its books, from `--lang` (or the site's),
/// else the languages posts declare, else the language of their titles. Titles, not bodies:
/// they are in the metadata a rerun keeps in its cache, so the choice (and with it every title)
/// is the same whether a post was read again or not. 64 titles spread over the run decide a
/// majority as well as all of them would.
fn run_locale(opts: &Options, docs: &[&Document]) -> Locale {
    if let Some(lang) = &opts.lang {
        return Locale::of(lang);
    }
    if docs.iter().any(|d| d.meta.lang.is_some()) {
        return Locale::of(&lang::majority(docs.iter().map(|d| d.meta.lang.as_deref())));
    }
    let step = docs.len().div_ceil(64).max(1);
    let titles: Vec<&str> = docs
        .iter()
        .step_by(step)
        .map(|d| d.meta.title.as_str())
        .collect();
    Locale::of(&lang::detect(&titles.join("\n")).unwrap_or_default())
}

/// A group's label in a book title: a date group's in the run's style (`2020年7月`), others as
/// they are (a category's or tag's own name).
fn title_label(group_by: GroupBy, key: &GroupKey, posts: &[&Document], locale: Locale) -> String {
    let day = posts.iter().find_map(|d| d.meta.date).map(|d| d.day());
    match (group_by.date_precision(), day) {
        (Some(precision), Some(day)) if !key.missing => locale.date(day, precision),
        (Some(_), _) => locale.undated().to_string(),
        (None, _) => key.label.clone(),
    }
}

/// A book title from `--title-pattern`: the group's values put into the pattern.
fn pattern_title(
    pattern: &TitlePattern,
    collection: &str,
    key: &GroupKey,
    posts: &[&Document],
) -> String {
    let day = posts.iter().find_map(|d| d.meta.date).map(|d| d.day());
    let date = |fmt: &str| day.map(|d| d.format(fmt).to_string()).unwrap_or_default();
    pattern.render(|field| match field {
        "collection" => collection.to_string(),
        "group" => key.label.clone(),
        "author" => book_authors(posts).join(", "),
        "count" => posts.len().to_string(),
        "year" => date("%Y"),
        "month" => date("%-m"),
        "month2" => date("%m"),
        "day" => date("%-d"),
        "day2" => date("%d"),
        _ => unreachable!("TitlePattern::parse admits only known placeholders"),
    })
}

/// One output file, decided before anything is written: where it goes and what it holds.
/// Planning first is what makes `--dry-run` exact and lets rendering run in parallel.
struct Planned {
    path: PathBuf,
    /// The book title (EPUB) or `None` for a single-post file.
    title: Option<String>,
    /// The group's stable id (EPUB identifiers derive from it).
    key: Option<String>,
    /// The posts in it (for a picture: the posts that show it), by path: a streaming run frees
    /// every post's metadata once planning is done, and reads each post again to render it.
    posts: Vec<PostPath>,
    /// For a picture saved beside notes: its bytes.
    asset: Option<Arc<images::Asset>>,
    /// For a book in a series: the series name and this book's position in it.
    series: Option<(String, usize)>,
    /// What the output is made from (see [`Fingerprints::of`]), to compare with the manifest;
    /// `None` when it cannot be known, and the output is then always rendered.
    fingerprint: Option<String>,
}

impl Planned {
    /// A plan of `posts`, not yet fingerprinted.
    fn new(path: PathBuf, posts: &[&Document]) -> Planned {
        Planned {
            path,
            title: None,
            key: None,
            posts: posts.iter().map(|d| d.meta.path.clone()).collect(),
            asset: None,
            series: None,
            fingerprint: None,
        }
    }

    /// The output's fingerprint (see [`Fingerprints::of`]): its posts, and everything planning
    /// decided about it. The fields are listed without `..`, so a new one must be considered.
    fn fingerprint_of(
        &self,
        dir: &Path,
        fingerprints: &Fingerprints,
        docs: &[&Document],
    ) -> Option<String> {
        let Planned {
            path,
            title,
            key,
            // The same posts as `docs`, whose metadata the fingerprint needs.
            posts: _,
            // A picture's file name (in `path`) is its content hash.
            asset: _,
            series,
            fingerprint: _,
        } = self;
        let path = path.strip_prefix(dir).unwrap_or(path);
        fingerprints.of(&format!("{:?}", (path, title, key, series)), docs)
    }
}

/// Fingerprints plans while their posts' metadata is at hand, in parallel (at 100,000 notes,
/// this is much of an unchanged re-run), and lets go of the metadata.
fn fingerprint_plans(
    mut plans: Vec<(Planned, Vec<&Document>)>,
    dir: &Path,
    fingerprints: Fingerprints,
) -> Vec<Planned> {
    plans.par_iter_mut().for_each(|(plan, docs)| {
        plan.fingerprint = plan.fingerprint_of(dir, &fingerprints, docs);
    });
    plans.into_iter().map(|(plan, _)| plan).collect()
}

/// Ends planning: converted posts' titles go into their report records, and a streaming run
/// drops every post's metadata (most of its memory), since rendering reads posts again.
/// Returns the documents rendering may use.
fn end_planning(docs: Vec<Document>, streaming: bool, report: &mut Report) -> Vec<Document> {
    record_titles(&docs, report);
    if !streaming {
        return docs;
    }
    drop(docs);
    crate::memory::release_free_memory();
    Vec::new()
}

/// Copies converted posts' titles into their report records (not kept there while reading:
/// filtered and duplicate posts have theirs already).
fn record_titles(docs: &[Document], report: &mut Report) {
    // A merge walk: records and documents are both sorted by path, documents a subset. A record
    // is skipped only when it sorts before the document, so one miss cannot lose the rest.
    let records = &mut report.posts;
    let mut i = 0;
    for doc in docs {
        while records.get(i).is_some_and(|r| r.input < doc.meta.path) {
            i += 1;
        }
        if let Some(rec) = records.get_mut(i).filter(|r| r.input == doc.meta.path) {
            rec.title = Some(doc.display_title());
        }
    }
}

/// The documents read from `paths`, found in `docs` (sorted by path, as posts are read), which
/// holds them all: a run that keeps its documents plans only posts it read.
fn docs_at<'d>(docs: &'d [Document], paths: &[PostPath]) -> Vec<&'d Document> {
    let find = |p: &PostPath| {
        let i = docs.binary_search_by(|d| d.meta.path.cmp(p));
        &docs[i.expect("every planned post was read, in path order")]
    };
    paths.iter().map(find).collect()
}

#[allow(clippy::too_many_arguments)]
fn write_books(
    opts: &Options,
    dir: &Path,
    group_by: GroupBy,
    docs: Vec<Document>,
    streaming: bool,
    templates: &Templates,
    store: Option<&ImageStore>,
    fingerprints: Fingerprints,
    boilerplate: &[u64],
    report: &mut Report,
) -> Result<()> {
    let mut groups: BTreeMap<GroupKey, Vec<&Document>> = BTreeMap::new();
    for doc in &docs {
        for key in group_by.keys(doc) {
            groups.entry(key).or_default().push(doc);
        }
    }
    let mut groups: Vec<(GroupKey, Vec<&Document>)> = groups.into_iter().collect();
    groups.sort_by(|a, b| (a.0.missing, &a.0.label).cmp(&(b.0.missing, &b.0.label)));
    let mut names = NameAllocator::default();
    // Kobo readers pick their own renderer (sentence spans, reading statistics) by this name.
    let extension = if opts.kepub { "kepub.epub" } else { "epub" };
    // One collection name for the whole run: every book of a series is titled after it, even a
    // month whose posts all happen to come from one source.
    let all: Vec<&Document> = docs.iter().collect();
    let collection = collection_name(opts, &all);
    // Books of dated groups form a series (calibre sorts monthly books by it), named after the
    // collection and numbered in date order.
    let series_name = group_by.is_date().then(|| collection.clone());
    let locale = run_locale(opts, &all);
    let mut series_index = 0;
    let plans: Vec<(Planned, Vec<&Document>)> = groups
        .into_iter()
        .map(|(key, mut posts)| {
            reading_order(&mut posts);
            let series = match (&series_name, key.missing) {
                (Some(name), false) => {
                    series_index += 1;
                    Some((name.clone(), series_index))
                }
                _ => None,
            };
            let title = match (&opts.title_pattern, group_by) {
                (Some(pattern), _) if !key.missing => {
                    pattern_title(pattern, &collection, &key, &posts)
                }
                (_, GroupBy::None) => collection.clone(),
                (_, g) if g.is_date() || key.missing || opts.title.is_some() => {
                    format!(
                        "{collection} — {}",
                        title_label(group_by, &key, &posts, locale)
                    )
                }
                _ => key.label.clone(),
            };
            let stem = if group_by == GroupBy::None {
                safe_file_stem(&collection)
            } else {
                safe_file_stem(&key.label)
            };
            let plan = Planned {
                title: Some(title),
                key: Some(key.id),
                series,
                ..Planned::new(names.allocate(dir, &stem, extension), &posts)
            };
            (plan, posts)
        })
        .collect();
    let plans = fingerprint_plans(plans, dir, fingerprints);
    let docs = end_planning(docs, streaming, report);
    let cover = match &opts.cover {
        Some(path) => Some(images::load_file(path, &opts.images.process).map_err(UsageError)?),
        None => None,
    };
    let writer = EpubWriter {
        templates,
        kobo: opts.kepub,
        highlight: !opts.no_highlight,
    };
    // Streaming: what the books' own picture stores did.
    let streamed_images = Mutex::new(ImageCounts::default());
    execute(opts, dir, plans, report, "books", |plan| {
        let in_memory = store.map(|store| (docs_at(&docs, &plan.posts), store));
        let rendered = render_book(
            opts,
            &writer,
            plan,
            in_memory,
            cover.as_ref(),
            &streamed_images,
            boilerplate,
        );
        if streaming {
            // This book's posts and pictures were just freed.
            crate::memory::release_free_memory();
        }
        rendered
    })?;
    let counts = streamed_images
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    add_image_counts(report, &counts);
    Ok(())
}

/// Renders one planned book, from its posts and pictures `in_memory`, or (streaming) from its
/// posts read again and pictures prepared here, adding what that fetched to `streamed_images`.
fn render_book(
    opts: &Options,
    writer: &EpubWriter,
    plan: &Planned,
    in_memory: Option<(Vec<&Document>, &ImageStore)>,
    cover: Option<&Arc<images::Asset>>,
    streamed_images: &Mutex<ImageCounts>,
    boilerplate: &[u64],
) -> Result<(Vec<u8>, BookStats)> {
    let (loaded, own_store);
    let (posts, store) = match in_memory {
        Some(in_memory) => in_memory,
        None => {
            (loaded, own_store) = load_book(opts, &plan.posts, boilerplate)?;
            *streamed_images.lock().unwrap_or_else(|e| e.into_inner()) += &own_store.counts;
            (loaded.iter().collect(), &own_store)
        }
    };
    let lang = opts.lang.clone().unwrap_or_else(|| {
        let langs: Vec<Option<String>> = posts.iter().map(|d| lang::of_document(d)).collect();
        lang::majority(langs.iter().map(|l| l.as_deref()))
    });
    let authors = match &opts.author {
        Some(a) => vec![a.clone()],
        None => book_authors(&posts),
    };
    let picture = cover.cloned().or_else(|| {
        opts.auto_cover
            .then(|| landscape_picture(&posts, store))
            .flatten()
    });
    let cover = match picture {
        Some(picture) => Cover::Picture(picture),
        None if opts.no_cover => Cover::None,
        None => Cover::Generated,
    };
    let book = Book {
        key: plan.key.clone().unwrap_or_default(),
        title: plan.title.clone().unwrap_or_default(),
        authors,
        lang,
        posts,
        cover,
        series: plan.series.clone(),
    };
    writer.render(&book, store)
}

/// Reads a streamed book's posts again in full and prepares their pictures.
fn load_book(
    opts: &Options,
    paths: &[PostPath],
    boilerplate: &[u64],
) -> Result<(Vec<Document>, ImageStore)> {
    // In parallel too: a book much bigger than the others would otherwise finish the run alone.
    let mut docs = paths
        .par_iter()
        .map(|path| reload(opts, path, boilerplate))
        .collect::<Result<Vec<_>>>()?;
    let refs: Vec<&Document> = docs.iter().collect();
    let store = ImageStore::prepare(
        &refs,
        &image_root(opts),
        &opts.images,
        &ProgressBar::hidden(),
    )
    .map_err(|e| anyhow::anyhow!("cannot prepare images: {e}"))?;
    remove_tracking_pixels(&mut docs, &store);
    Ok((docs, store))
}

/// Reads a post again for a streamed output, with `--images strip` applied.
fn reload(opts: &Options, path: &Path, boilerplate: &[u64]) -> Result<Document> {
    let read = ReadOptions {
        keep_chrome: opts.keep_chrome,
    };
    let mut doc = read_post_with(path, read)
        .map_err(|e| anyhow::anyhow!("{} changed while converting: {e}", path.display()))?
        .doc;
    chrome::remove_boilerplate(&doc.meta, &mut doc.blocks, boilerplate);
    if opts.images.policy == ImagePolicy::Strip {
        doc.remove_images(&mut |_| true);
    }
    Ok(doc)
}

fn remove_tracking_pixels(docs: &mut [Document], store: &ImageStore) {
    if store.has_dropped() {
        for doc in docs.iter_mut() {
            let meta = doc.meta.clone();
            doc.remove_images(&mut |img| matches!(store.lookup(&meta, &img.src), Lookup::Dropped));
        }
    }
}

/// Renders and writes every planned output in parallel under the clobber policy (see
/// [`write_output`]), or with `--dry-run` only records the plan. An output the manifest shows
/// up to date (same fingerprint, file untouched) is not rendered at all, unless `--rebuild`.
/// Per-output failures are reported and the run goes on; the manifest is saved at the end.
fn execute(
    opts: &Options,
    dir: &Path,
    plans: Vec<Planned>,
    report: &mut Report,
    what: &'static str,
    render: impl Fn(&Planned) -> Result<(Vec<u8>, BookStats)> + Sync,
) -> Result<()> {
    let record = |plan: &Planned, status, error| OutputRecord {
        path: Arc::from(plan.path.as_path()),
        status,
        title: plan.title.clone(),
        posts: plan.posts.clone(),
        error,
    };
    // The hash of the file already there, when it is up to date.
    let up_to_date = |manifest: &Manifest, plan: &Planned| {
        let inputs = plan.fingerprint.as_deref().filter(|_| !opts.rebuild)?;
        manifest.up_to_date(dir, &plan.path, inputs)
    };
    if opts.dry_run {
        let manifest = Manifest::load(dir);
        for plan in &plans {
            let status = match up_to_date(&manifest, plan) {
                Some(_) => {
                    report.summary.skipped += 1;
                    OutputStatus::Unchanged
                }
                None => OutputStatus::Planned,
            };
            report.outputs.push(record(plan, status, None));
        }
        return Ok(());
    }
    if let Some(why) = report.unwritable.clone() {
        for plan in &plans {
            let failed = record(plan, OutputStatus::Failed, Some(why.clone()));
            report.outputs.push(failed);
        }
        return Ok(());
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("cannot create output folder {}: {e}", dir.display()))?;
    let mut manifest = Manifest::load(dir);
    let progress = progress_bar(opts.verbosity, what);
    set_total(&progress, plans.len());
    // `Ok(None)`: up to date, not rendered.
    let results: Vec<_> = plans
        .par_iter()
        .map(|plan| {
            let started = Instant::now();
            let result = match up_to_date(&manifest, plan) {
                Some(hash) => Ok((Written::Unchanged, hash, None)),
                // Ctrl-C: a file being written is finished; no other is started.
                None if crate::interrupt::requested() => Err(anyhow::Error::new(Interrupted)),
                None => render(plan).and_then(|(bytes, stats)| {
                    if crate::interrupt::requested() {
                        return Err(anyhow::Error::new(Interrupted));
                    }
                    let (written, hash) =
                        write_output(dir, &plan.path, &bytes, opts.overwrite, &manifest)
                            .map_err(anyhow::Error::msg)?;
                    Ok((written, hash, Some(stats)))
                }),
            };
            progress.inc(1);
            (result, started.elapsed())
        })
        .collect();
    progress.finish_and_clear();
    // Flush only when something was written: `syncfs` also waits for other programs' writes.
    let wrote = results
        .iter()
        .any(|(r, _)| matches!(r, Ok((Written::Created | Written::Replaced, _, _))));
    if let Err(e) = wrote.then(|| sync_outputs(dir)).transpose() {
        diag::warning(&format!("cannot flush {} to disk: {e}", dir.display()));
    }
    for (plan, (result, took)) in plans.iter().zip(results) {
        match result {
            Ok((Written::Kept, _, _)) => {
                // Not written: its manifest entry stays what postbook last wrote, so the edit
                // is kept on every run until `--overwrite`.
                warn(
                    opts.verbosity,
                    &format!(
                        "keeping {}: edited since postbook wrote it (pass --overwrite to replace it)",
                        plan.path.display()
                    ),
                );
                report.outputs.push(record(plan, OutputStatus::Kept, None));
            }
            Ok((written, hash, stats)) => {
                // An output missing a picture is not recorded as up to date: the next run
                // makes it again and retries the picture.
                let incomplete = stats.as_ref().is_some_and(|s| s.incomplete);
                let inputs = plan.fingerprint.clone().filter(|_| !incomplete);
                manifest.record(dir, &plan.path, hash, inputs);
                let rendered = match stats {
                    Some(stats) => {
                        report.summary.images_embedded += stats.images_embedded;
                        report.summary.images_linked += stats.images_linked;
                        report.summary.images_failed += stats.images_failed;
                        for (post, w) in stats.warnings {
                            post_warning(report, opts.verbosity, &post, w);
                        }
                        format!("{:.1} ms", took.as_secs_f64() * 1000.0)
                    }
                    None => {
                        report.summary.skipped += 1;
                        "up to date, not rendered".into()
                    }
                };
                if opts.verbosity == Verbosity::Verbose {
                    let status = format!("{written:?}").to_lowercase();
                    let (path, n) = (plan.path.display(), plan.posts.len());
                    let n = plural(n, "post", "posts");
                    eprintln!("{status} {path} ({n}, {rendered})");
                }
                report.outputs.push(record(plan, written.into(), None));
            }
            Err(e) => {
                if !e.is::<Interrupted>() {
                    diag::error(&format!("{e:#}"));
                }
                report
                    .outputs
                    .push(record(plan, OutputStatus::Failed, Some(format!("{e:#}"))));
            }
        }
    }
    manifest
        .save(dir)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", dir.join(MANIFEST_NAME).display()))
}

/// Up to three authors, most prolific first; a book of many voices is credited to its source.
fn book_authors(posts: &[&Document]) -> Vec<String> {
    let mut counts: Vec<(&String, usize)> = Vec::new();
    for a in posts.iter().flat_map(|d| &d.meta.authors) {
        match counts.iter_mut().find(|(x, _)| *x == a) {
            Some((_, n)) => *n += 1,
            None => counts.push((a, 1)),
        }
    }
    counts.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    counts.into_iter().take(3).map(|(a, _)| a.clone()).collect()
}

/// Whether files can be written in the output folder `dir` (created if missing): a
/// temporary file is made there and removed.
fn writable(dir: &Path) -> std::result::Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create output folder {}: {e}", dir.display()))?;
    crate::output::temporary_for(&dir.join(MANIFEST_NAME))
        .map(drop)
        .map_err(|e| format!("cannot write in output folder {}: {e}", dir.display()))
}

/// Removes `.postbook-*.tmp` files that a killed run left in the output folder (a run that
/// ends normally leaves none). Two runs writing into one folder at once are not supported.
fn remove_stale_temporaries(dir: &Path) {
    for entry in walkdir::WalkDir::new(dir)
        .max_depth(2)
        .into_iter()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_file() && name.starts_with(".postbook-") && name.ends_with(".tmp") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Records a warning about one post: on stderr (unless quiet) and on its report record, from
/// which the summary counts it when the run ends.
fn post_warning(report: &mut Report, verbosity: Verbosity, post: &Path, warning: Warning) {
    warn(verbosity, &format!("{}: {warning}", post.display()));
    if let Some(rec) = record_of(&mut report.posts, post) {
        rec.warnings.push(warning);
    }
}

/// Applies `--images` to the posts and, when pictures will be embedded, resolves, downloads
/// and prepares them all before any writing starts. Tracking pixels are removed from the posts
/// here, so no writer has to know about them.
fn prepare_images(
    opts: &Options,
    docs: &mut [Document],
    report: &mut Report,
) -> Result<Option<ImageStore>> {
    if opts.images.policy == ImagePolicy::Strip {
        for doc in docs.iter_mut() {
            doc.remove_images(&mut |_| true);
        }
    }
    let to_folder = matches!(opts.destination, Destination::Dir(_));
    let needed = opts.format == Format::Epub
        || (opts.images.policy == ImagePolicy::Embed && to_folder && !opts.dry_run);
    if !needed {
        return Ok(None);
    }
    let progress = progress_bar(opts.verbosity, "images");
    let refs: Vec<&Document> = docs.iter().collect();
    let store = ImageStore::prepare(&refs, &image_root(opts), &opts.images, &progress)
        .map_err(|e| anyhow::anyhow!("cannot prepare images: {e}"))?;
    progress.finish_and_clear();
    remove_tracking_pixels(docs, &store);
    add_image_counts(report, &store.counts);
    Ok(Some(store))
}

/// Adds a picture store's downloads and timings to the report (a streaming run has one store
/// per book, prepared in parallel: its timings are then summed over books, not wall time).
fn add_image_counts(report: &mut Report, counts: &ImageCounts) {
    report.summary.images_downloaded += counts.downloaded;
    report.summary.images_from_cache += counts.from_cache;
    report.timings.images_download += counts.download_seconds;
    report.timings.images_process += counts.process_seconds;
}

/// The first picture of a book wide enough to make a cover (`--auto-cover`): landscape and at
/// least 600 pixels wide, so it is neither an icon nor a portrait crop.
fn landscape_picture(posts: &[&Document], store: &ImageStore) -> Option<Arc<images::Asset>> {
    let mut found = None;
    for doc in posts {
        doc.for_each_image(&mut |img| {
            if found.is_some() {
                return;
            }
            if let Lookup::Found(a) = store.lookup(&doc.meta, &img.src) {
                if a.dimensions.is_some_and(|(w, h)| w > h && w >= 600) {
                    found = Some(a);
                }
            }
        });
        if found.is_some() {
            break;
        }
    }
    found
}

/// `opts` with what the site's config says where the options say nothing.
fn site_defaults(opts: &Options, site: &crate::site::Site) -> Options {
    let mut opts = opts.clone();
    opts.title = opts.title.or_else(|| site.title.clone());
    opts.author = opts.author.or_else(|| site.author.clone());
    opts.lang = opts.lang.or_else(|| site.lang.clone());
    // Pictures of a site may be anywhere under its root (Hugo's `static/`, Jekyll's `assets/`),
    // even when the input is its `_posts/` or `content/` folder.
    opts.root = opts.root.or_else(|| Some(site.root.clone()));
    opts
}

fn image_root(opts: &Options) -> PathBuf {
    if let Some(r) = &opts.root {
        return r.clone();
    }
    match opts.inputs.first() {
        Some(p) if p.is_dir() => p.clone(),
        Some(p) => p
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from(".")),
        None => PathBuf::from("."),
    }
}

#[allow(clippy::too_many_arguments)]
fn write_posts(
    opts: &Options,
    dir: &Path,
    group_by: GroupBy,
    docs: Vec<Document>,
    store: Option<&ImageStore>,
    streaming: bool,
    fingerprints: Fingerprints,
    boilerplate: &[u64],
    report: &mut Report,
) -> Result<()> {
    let writer = post_writer(opts);
    let mut names = NameAllocator::default();
    // In path order, as posts are read.
    let mut plans: Vec<(Planned, Vec<&Document>)> = docs
        .iter()
        .map(|doc| {
            // A post in several groups goes to the first one: copies would drift apart when edited.
            let sub = match group_by {
                GroupBy::None => dir.to_path_buf(),
                g => dir.join(safe_file_stem(&g.keys(doc)[0].label)),
            };
            let path = names.allocate(&sub, &output_stem(doc), writer.extension());
            (Planned::new(path, &[doc]), vec![doc])
        })
        .collect();
    // `--images embed`: pictures go to `assets/`, once each, and notes link to them there.
    let mut assets: BTreeMap<String, (Planned, Vec<&Document>)> = BTreeMap::new();
    // Notes with a picture that could not be embedded (made again on the next run).
    let mut incomplete: HashSet<PostPath> = HashSet::new();
    if let Some(store) = store.filter(|_| opts.images.policy == ImagePolicy::Embed) {
        for doc in &docs {
            doc.for_each_image(&mut |img| match store.lookup(&doc.meta, &img.src) {
                Lookup::Found(asset) => {
                    report.summary.images_embedded += 1;
                    let name = asset.file_name();
                    let (plan, shown_in) = assets.entry(name.clone()).or_insert_with(|| {
                        let plan = Planned {
                            asset: Some(asset),
                            ..Planned::new(dir.join(ASSETS_DIR).join(&name), &[])
                        };
                        (plan, vec![])
                    });
                    if plan.posts.last() != Some(&doc.meta.path) {
                        plan.posts.push(doc.meta.path.clone());
                        shown_in.push(doc);
                    }
                }
                Lookup::Failed(why) => {
                    report.summary.images_failed += 1;
                    let why = Warning::new(WarningKind::PictureMissing, why);
                    post_warning(report, opts.verbosity, &doc.meta.path, why);
                    incomplete.insert(doc.meta.path.clone());
                }
                Lookup::NotLocal | Lookup::Dropped => report.summary.images_linked += 1,
            });
        }
    }
    let relinking = !assets.is_empty();
    // Each post's note, for links between posts (see `relink`).
    let note_of: HashMap<PathBuf, PathBuf> = plans
        .iter()
        .filter_map(|(plan, _)| {
            let post = std::path::absolute(plan.posts.first()?).ok()?;
            let note = std::path::absolute(&plan.path).ok()?;
            Some((crate::relink::normalize(&post), note))
        })
        .collect();
    // With `--images keep`, local pictures are shown from where the note is written.
    let picture_root = image_root(opts);
    let pictures = (opts.images.policy == ImagePolicy::Keep).then_some(picture_root.as_path());
    let for_note = |plan: &Planned, doc: &Document| -> Option<Document> {
        if !crate::relink::has_relative_references(doc) {
            return None;
        }
        let note = std::path::absolute(&plan.path).ok()?;
        let note_of = |post: &Path| note_of.get(post).cloned();
        Some(crate::relink::for_note(doc, &note, &note_of, pictures))
    };
    plans.extend(assets.into_values());
    let plans = fingerprint_plans(plans, dir, fingerprints);
    let docs = end_planning(docs, streaming, report);
    // With pictures saved in `assets/`, a copy of the note's post that links to them there.
    let relinked = |plan: &Planned, doc: &Document| -> Option<Document> {
        let store = store.filter(|_| relinking)?;
        let mut doc = doc.clone();
        let depth = plan
            .path
            .parent()
            .and_then(|p| p.strip_prefix(dir).ok())
            .map_or(0, |p| p.components().count());
        let meta = doc.meta.clone();
        doc.for_each_image_mut(&mut |img| {
            if let Lookup::Found(asset) = store.lookup(&meta, &img.src) {
                img.src = format!("{}{ASSETS_DIR}/{}", "../".repeat(depth), asset.file_name());
            }
        });
        Some(doc)
    };
    execute(opts, dir, plans, report, "writing", |plan| {
        if let Some(asset) = &plan.asset {
            return Ok((asset.bytes.clone(), BookStats::default()));
        }
        let render = |doc: &Document| match for_note(plan, doc) {
            Some(relinked) => writer.render(&relinked),
            None => writer.render(doc),
        };
        let rendered = match streaming {
            true => render(&reload(opts, &plan.posts[0], boilerplate)?),
            false => {
                let doc = docs_at(&docs, &plan.posts[..1])[0];
                match relinked(plan, doc) {
                    Some(relinked) => render(&relinked),
                    None => render(doc),
                }
            }
        };
        let incomplete = incomplete.contains(&plan.posts[0]);
        Ok((
            rendered.into_bytes(),
            BookStats {
                incomplete,
                ..BookStats::default()
            },
        ))
    })
}

/// The folder beside Markdown and text notes where `--images embed` saves pictures.
pub const ASSETS_DIR: &str = "assets";

/// A post's output file stem: its Jekyll file name when it has one (so links and habits carry
/// over), else `date-slug` or the slug/title alone.
fn output_stem(doc: &Document) -> String {
    let stem = doc
        .meta
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if front_matter::jekyll_name(&stem).is_some() {
        return safe_file_stem(&stem);
    }
    let name = doc
        .meta
        .slug
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| doc.display_title());
    match doc.meta.date {
        Some(d) => safe_file_stem(&format!("{}-{name}", d.day())),
        None => safe_file_stem(&name),
    }
}
