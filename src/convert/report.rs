//! Report: the record of a run — one record per input and per output, the counts, the summary
//! line on stderr and `--dry-run`'s listing. Every stage adds to it; it imports no stage.

use crate::diag;
use crate::images::ImageCounts;
use crate::model::{Document, PostPath};
use crate::options::{Format, Verbosity};
use crate::output::Written;
use crate::read::{chrome, PostError};
use crate::warning::{self, Warning, WarningCounts};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

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
    /// Symbolic links in the input folders that were not followed, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links_skipped: Vec<SkippedLink>,
    /// Files in the input folders with a post's extension that are not posts (a Hexo site's
    /// scaffolds, pages and drafts, a project's README), and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedLink>,
    /// Books and notes of earlier runs that this run's outputs replace under another name (a
    /// title edited): removed, or left because a user edited them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replaced: Vec<ReplacedRecord>,
    /// The groups `--max-book-size` split into volumes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub splits: Vec<SplitRecord>,
    /// The OPDS catalog rewritten after the books (`--catalog`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog: Option<crate::catalog::Catalogued>,
    /// Why the output folder cannot be written, when it cannot: said once, and every output
    /// fails with it instead of each saying so.
    #[serde(skip)]
    pub(crate) unwritable: Option<crate::output::OutputError>,
}

/// The record of the input at `path` in `posts`, sorted by path (warnings and outputs arrive by
/// path, from parallel work).
pub(crate) fn record_of<'r>(
    posts: &'r mut [PostRecord],
    path: &Path,
) -> Option<&'r mut PostRecord> {
    let i = posts.binary_search_by(|r| (*r.input).cmp(path)).ok()?;
    Some(&mut posts[i])
}

/// A group split into volumes by `--max-book-size` (see [`super::volumes`]).
#[derive(Debug, Clone, Serialize)]
pub struct SplitRecord {
    /// The group's id (`month:2023-05`).
    pub group: String,
    /// The title the group's one book would have had.
    pub title: String,
    /// `--max-book-size`, in bytes.
    pub limit: u64,
    pub volumes: Vec<VolumeRecord>,
}

/// One volume of a split group.
#[derive(Debug, Clone, Serialize)]
pub struct VolumeRecord {
    pub path: Arc<Path>,
    /// How many posts it holds.
    pub posts: usize,
    /// Its size as estimated when it was planned.
    pub estimated_bytes: u64,
    /// Its size once written (`None` in a dry run, or when it was not written).
    pub bytes: Option<u64>,
}

/// A book or note of an earlier run that an output of this run replaces under another name.
#[derive(Debug, Serialize)]
pub struct ReplacedRecord {
    pub path: std::path::PathBuf,
    /// Removed; else left as it is, as a user edited it since postbook wrote it.
    pub removed: bool,
}

/// A symbolic link in an input folder that was not followed, or a file that is not a post
/// ([`crate::input::Found`]).
#[derive(Debug, Serialize)]
pub struct SkippedLink {
    pub path: std::path::PathBuf,
    pub why: String,
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
    /// Not read, or in no output written, because the run was interrupted.
    pub not_run: usize,
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
    /// Other pages a site does not publish, left out (see `--drafts`), by why
    /// ([`crate::model::LeftOut::name`]: `not-rendered`, `layout-only`, `future`, `expired`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub unpublished: BTreeMap<&'static str, usize>,
    /// Outputs edited since postbook wrote them, left as they are (status `kept`).
    pub kept: usize,
    /// Books and notes of earlier runs removed as this run's outputs replace them (the
    /// report's `replaced` list).
    pub removed: usize,
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
    /// Pictures in the outputs rendered without a text alternative (no alt, caption or link
    /// words: see `model::Image::alt`), each time an output shows one. Not a warning: nothing
    /// is lost, the source never said what the picture shows.
    pub pictures_without_alt: usize,
    /// Pictures fetched from the network in this run.
    pub images_downloaded: usize,
    /// Blocks of site chrome removed from the posts, by kind (see [`crate::read::chrome`]).
    pub chrome_removed: chrome::Counts,
    /// Remote pictures found in the image cache.
    pub images_from_cache: usize,
    /// Symbolic links in the input folders not followed (dangling, or a loop).
    pub links_skipped: usize,
    /// Files in the input folders that are not posts (the report's `skipped` list).
    pub files_skipped: usize,
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
    /// Not written: the run was interrupted (Ctrl-C) before it was.
    #[serde(rename = "not-run")]
    NotRun,
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
    /// Unpublished (`draft: true`, `published: false`, or a page its site does not publish:
    /// the summary's `unpublished` counts why) and left out: `--drafts` keeps it.
    Draft,
    /// Its every output was edited since postbook wrote it and was left as it is.
    Kept,
    /// Not read, or read but in no output written: the run was interrupted (Ctrl-C) first.
    #[serde(rename = "not-run")]
    NotRun,
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
    #[serde(skip_serializing_if = "chrome::Counts::is_empty")]
    pub chrome_removed: chrome::Counts,
}

#[derive(Debug, Serialize)]
pub struct ErrorRecord {
    pub message: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl Report {
    /// An empty report of a run converting `inputs` posts.
    pub(crate) fn new(format: Format, group_by: crate::group::GroupBy, inputs: usize) -> Report {
        let mut report = Report {
            postbook: env!("CARGO_PKG_VERSION"),
            format: Some(format),
            group_by: group_by.name().to_string(),
            ..Report::default()
        };
        report.summary.inputs = inputs;
        // Sized once: at 100,000 posts, growing by doubling left a third of these lists unused.
        report.posts.reserve_exact(inputs);
        report
    }

    /// Records the symbolic links that discovery did not follow.
    pub(crate) fn skip_links(&mut self, links: &[(std::path::PathBuf, String)]) {
        self.summary.links_skipped = links.len();
        self.links_skipped = links
            .iter()
            .map(|(path, why)| SkippedLink {
                path: path.clone(),
                why: why.clone(),
            })
            .collect();
    }

    /// Records the files discovery found not to be posts, with why.
    pub(crate) fn skip_files(&mut self, files: &[(std::path::PathBuf, String)]) {
        self.summary.files_skipped = files.len();
        self.skipped = files
            .iter()
            .map(|(path, why)| SkippedLink {
                path: path.clone(),
                why: why.clone(),
            })
            .collect();
    }

    /// Records outputs against their posts and counts what became of everything. `to_folder`:
    /// posts were meant to be written into files (not to stdout).
    pub(crate) fn finish(&mut self, to_folder: bool) {
        self.record_outputs(to_folder);
        self.count();
    }

    /// Records each output on its posts' records; a post meant for a file that is in none
    /// failed.
    fn record_outputs(&mut self, to_folder: bool) {
        let report = self;
        // Each post's record by path, looked up by hash: a binary search for each post of
        // each output compared paths component by component (1 G instructions, serial, at
        // 100,000 posts).
        let records: HashMap<PostPath, usize> = (report.posts.iter().enumerate())
            .map(|(i, r)| (r.input.clone(), i))
            .collect();
        let mut output_errors: BTreeMap<&Path, &str> = BTreeMap::new();
        let mut not_run: HashSet<&Path> = HashSet::new();
        for out in &report.outputs {
            for p in &out.posts {
                if let Some(rec) = records.get(p).map(|&i| &mut report.posts[i]) {
                    match &out.error {
                        None => rec.outputs.push(out.path.clone()),
                        Some(_) if out.status == OutputStatus::NotRun => _ = not_run.insert(p),
                        Some(e) => _ = output_errors.insert(p, e),
                    }
                }
            }
        }
        for rec in report.posts.iter_mut() {
            let unwritten = rec.status == PostStatus::Converted && rec.outputs.is_empty();
            if unwritten
                && not_run.contains(&*rec.input)
                && !output_errors.contains_key(&*rec.input)
            {
                rec.status = PostStatus::NotRun;
            } else if unwritten && to_folder {
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
    }

    /// Counts what became of the posts and outputs, the warnings and the chrome removed. A post
    /// whose outputs all hold a user's edits is kept rather than converted.
    fn count(&mut self) {
        let report = self;
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
        report.summary.not_run = report
            .posts
            .iter()
            .filter(|p| p.status == PostStatus::NotRun)
            .count();
        report.summary.outputs = report
            .outputs
            .iter()
            .filter(|o| {
                let unwritten = [
                    OutputStatus::Failed,
                    OutputStatus::NotRun,
                    OutputStatus::Kept,
                ];
                !unwritten.contains(&o.status)
            })
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
        for post in &report.posts {
            report.summary.chrome_removed.add_all(&post.chrome_removed);
        }
    }

    /// `-v`: where the time went and how much of the run was incremental.
    pub(crate) fn print_timings(&self) {
        let report = self;
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

    /// Says how many outputs an interrupted run wrote and how many it left.
    pub(crate) fn print_interrupted(&self) {
        let report = self;
        let written = report
            .outputs
            .iter()
            .filter(|o| matches!(o.status, OutputStatus::Created | OutputStatus::Replaced))
            .count();
        let left = report
            .outputs
            .iter()
            .filter(|o| matches!(o.status, OutputStatus::Failed | OutputStatus::NotRun))
            .count();
        diag::error(&format!(
            "interrupted: {} written, {left} not (the next run makes them)",
            plural(written, "output", "outputs")
        ));
    }
}

impl PostRecord {
    /// The record of a post read as `input` and given `status`.
    pub(crate) fn read(input: PostPath, status: PostStatus, warnings: Vec<Warning>) -> PostRecord {
        PostRecord {
            input,
            status,
            duplicate_of: None,
            title: None,
            outputs: vec![],
            error: None,
            warnings,
            chrome_removed: chrome::Counts::default(),
        }
    }

    /// The record of an input the run never reached: it was interrupted first.
    pub(crate) fn not_run(input: PostPath) -> PostRecord {
        PostRecord::read(input, PostStatus::NotRun, vec![])
    }

    /// The record of an input that could not be read.
    pub(crate) fn failed(input: PostPath, e: &PostError) -> PostRecord {
        PostRecord {
            error: Some(Box::new(ErrorRecord {
                message: e.message.clone(),
                line: e.line,
                column: e.column,
            })),
            ..PostRecord::read(input, PostStatus::Failed, vec![])
        }
    }
}

/// Records a warning about one post: on stderr (unless quiet) and on its report record, from
/// which the summary counts it when the run ends.
pub(crate) fn post_warning(
    report: &mut Report,
    verbosity: Verbosity,
    post: &Path,
    warning: Warning,
) {
    warn(verbosity, &format!("{}: {warning}", post.display()));
    if let Some(rec) = record_of(&mut report.posts, post) {
        rec.warnings.push(warning);
    }
}

/// Adds a picture store's downloads and timings to the report (a streaming run has one store
/// per book, prepared in parallel: its timings are then summed over books, not wall time).
pub(crate) fn add_image_counts(report: &mut Report, counts: &ImageCounts) {
    report.summary.images_downloaded += counts.downloaded;
    report.summary.images_from_cache += counts.from_cache;
    report.timings.images_download += counts.download_seconds;
    report.timings.images_process += counts.process_seconds;
}

/// Copies converted posts' titles into their report records (not kept there while reading:
/// filtered and duplicate posts have theirs already).
pub(crate) fn record_titles(docs: &[Document], report: &mut Report) {
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

/// `--dry-run`'s listing on stdout: each output path, then the posts that would go into it.
pub(crate) fn print_plan(report: &Report) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for o in &report.outputs {
        writeln!(out, "{}", o.path.display())?;
        for p in &o.posts {
            writeln!(out, "  {}", p.display())?;
        }
    }
    out.flush()
}

/// Prints a warning unless `--quiet`.
pub(crate) fn warn(verbosity: Verbosity, msg: &str) {
    if verbosity >= Verbosity::Normal {
        diag::warning(msg);
    }
}

/// `1 post`, `2 posts`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `12 blocks of site chrome removed (6 boilerplate, 3 share, 3 widget)`.
pub(crate) fn describe_chrome(counts: &chrome::Counts) -> String {
    let total: usize = counts.iter().map(|(_, n)| n as usize).sum();
    let kinds: Vec<String> = counts
        .iter()
        .map(|(kind, n)| format!("{n} {}", kind.name()))
        .collect();
    format!(
        "{} of site chrome removed ({})",
        plural(total, "block", "blocks"),
        kinds.join(", ")
    )
}

/// `converted 1498 posts into 27 books; 2 failed`.
pub(crate) fn summary_line(r: &Report, format: Format, dry_run: bool, started: Instant) -> String {
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
    if !r.splits.is_empty() {
        // `--max-book-size`: `; 2 books split into 5 volumes`.
        let volumes: usize = r.splits.iter().map(|x| x.volumes.len()).sum();
        line.push_str(&format!(
            "; {} split into {volumes} volumes",
            plural(r.splits.len(), "book", "books")
        ));
    }
    if s.failed > 0 {
        line.push_str(&format!("; {} failed", s.failed));
    }
    if s.not_run > 0 {
        line.push_str(&format!("; {} not run (interrupted)", s.not_run));
    }
    if s.kept > 0 {
        line.push_str(&format!("; {} kept (edited since written)", s.kept));
    }
    if s.removed > 0 {
        let removed = plural(s.removed, "replaced output", "replaced outputs");
        line.push_str(&format!("; {removed} removed"));
    }
    if s.filtered_out > 0 {
        line.push_str(&format!("; {} filtered out", s.filtered_out));
    }
    if s.drafts > 0 {
        let d = if s.drafts == 1 { "draft" } else { "drafts" };
        line.push_str(&format!("; {} {d} left out", s.drafts));
    }
    for why in [
        crate::model::LeftOut::NotRendered,
        crate::model::LeftOut::LayoutOnly,
        crate::model::LeftOut::Future,
        crate::model::LeftOut::Expired,
    ] {
        if let Some(&n) = s.unpublished.get(why.name()).filter(|n| **n > 0) {
            line.push_str(&format!("; {} left out", why.count(n)));
        }
    }
    if s.duplicates > 0 {
        let d = if s.duplicates == 1 {
            "duplicate"
        } else {
            "duplicates"
        };
        line.push_str(&format!("; {} {d} dropped", s.duplicates));
    }
    if s.links_skipped > 0 {
        let links = plural(s.links_skipped, "symbolic link", "symbolic links");
        line.push_str(&format!("; {links} skipped"));
    }
    if s.images_embedded > 0 || s.images_failed > 0 {
        line.push_str(&format!(
            "; {} embedded, {} failed",
            plural(s.images_embedded, "image", "images"),
            s.images_failed
        ));
    }
    if s.pictures_without_alt > 0 {
        let pictures = plural(s.pictures_without_alt, "picture", "pictures");
        line.push_str(&format!("; {pictures} without alt text"));
    }
    if !s.chrome_removed.is_empty() {
        line.push_str(&format!("; {}", describe_chrome(&s.chrome_removed)));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::warning::WarningKind;

    /// The summary line without its time.
    fn line(r: &Report, format: Format, dry_run: bool) -> String {
        let line = summary_line(r, format, dry_run, Instant::now());
        let (line, time) = line.rsplit_once(" (").unwrap();
        assert!(time.ends_with("s)"), "{time}");
        line.to_string()
    }

    fn output(status: OutputStatus) -> OutputRecord {
        OutputRecord {
            path: Arc::from(Path::new("out/a.epub")),
            status,
            error: None,
            title: None,
            posts: vec![],
        }
    }

    #[test]
    fn summary_counts_books_files_and_stdout() {
        let mut r = Report::default();
        r.summary.converted = 1;
        r.summary.outputs = 1;
        r.outputs.push(output(OutputStatus::Created));
        assert_eq!(
            line(&r, Format::Epub, false),
            "converted 1 post into 1 book"
        );
        assert_eq!(
            line(&r, Format::Text, false),
            "converted 1 post into 1 file"
        );
        r.summary.converted = 1498;
        r.summary.outputs = 27;
        assert_eq!(
            line(&r, Format::Epub, false),
            "converted 1498 posts into 27 books"
        );
        assert_eq!(
            line(&r, Format::Markdown, true),
            "dry run: would convert 1498 posts into 27 files"
        );
        let mut stdout = Report::default();
        stdout.summary.converted = 1;
        assert_eq!(
            line(&stdout, Format::Markdown, false),
            "converted 1 post to stdout"
        );
    }

    #[test]
    fn summary_adds_only_what_happened_in_a_fixed_order() {
        let mut r = Report::default();
        r.outputs.push(output(OutputStatus::Unchanged));
        let s = &mut r.summary;
        (s.converted, s.outputs, s.unchanged, s.failed, s.kept) = (3, 2, 1, 2, 1);
        (s.filtered_out, s.drafts, s.duplicates) = (4, 1, 2);
        (s.images_embedded, s.images_failed) = (1, 0);
        let w = Warning::new(WarningKind::PictureMissing, "gone");
        s.warnings = 2;
        warning::count(&w, &mut s.warnings_by_kind, &mut s.warnings_by_name);
        warning::count(&w, &mut s.warnings_by_kind, &mut s.warnings_by_name);
        assert_eq!(
            line(&r, Format::Epub, false),
            "converted 3 posts into 2 books (1 unchanged); 2 failed; 1 kept (edited since \
             written); 4 filtered out; 1 draft left out; 2 duplicates dropped; 1 image \
             embedded, 0 failed; 2 warnings (2 pictures missing)"
        );
        let s = &mut r.summary;
        (s.drafts, s.duplicates, s.images_embedded, s.images_failed) = (2, 1, 0, 3);
        let line = line(&r, Format::Epub, false);
        assert!(
            line.contains("; 2 drafts left out; 1 duplicate dropped; 0 images embedded, 3 failed;"),
            "{line}"
        );
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(0, "post", "posts"), "0 posts");
        assert_eq!(plural(1, "post", "posts"), "1 post");
        assert_eq!(plural(2, "output", "outputs"), "2 outputs");
    }
}
