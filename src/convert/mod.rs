//! The `convert` pipeline, one stage a module, in the order data flows:
//!
//! ```text
//! options → collect → plan → prepare → render → save → report
//! ```
//!
//! [`collect`] finds the posts and reads them in parallel (rayon), in path order; [`plan`]
//! keeps, groups, orders and names every output before anything is written; [`prepare`]
//! fetches and prepares the pictures the outputs hold; [`save`] renders each output
//! ([`render`], by the format's [`crate::write::Writer`]) and writes it atomically, in
//! parallel; [`report`] is the record every stage adds to. A post that fails is recorded with
//! its reason and the run goes on: the exit code and the report say what failed. [`run`] is
//! only the order of the stages.

pub mod collect;
pub mod passes;
pub mod plan;
pub mod prepare;
pub mod render;
pub mod report;
pub mod save;
mod spill;
pub mod volumes;

pub use crate::options::{
    Destination, Filters, Format, Options, UsageError, Verbosity, STREAM_ABOVE,
};
pub use plan::{duplicate_key, ASSETS_DIR};
pub use report::{
    ErrorRecord, OutputRecord, OutputStatus, PostRecord, PostStatus, Report, Summary, Timings,
};

use crate::diag::{self, progress_bar};
use crate::images::{ImagePolicy, ImageStore};
use crate::incremental::{CacheWriter, Fingerprints, PostCache, CACHE_NAME};
use crate::model::{Document, PostPath};
use crate::output::{write_json_atomic, MANIFEST_NAME};
use crate::read::{chrome, ReadOptions, ReadPost};
use crate::templates::Templates;
use crate::write::{Unit, Writer};
use anyhow::Result;
use collect::{Bodies, Read};
use passes::PostPasses;
use plan::{Layout, Selection, Titling, Verdict};
use render::{BookOptions, Reload, Renderer};
use report::{add_image_counts, record_titles, summary_line, warn, PostRecord as Record};
use save::Saving;
use spill::{Extent, Spill, SpillWriter};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

/// Runs a conversion and returns its report. `Err` only for problems that stop the whole run
/// (unusable options, an output folder that cannot be created); per-post problems are in the
/// report.
pub fn run(opts: &Options) -> Result<Report> {
    let started = Instant::now();
    // The sites of the inputs, found once: every read of a post gets them in its options.
    let sites = crate::site::find_sites(&opts.inputs);
    let opts = &with_site_defaults(opts, &sites);
    // A template that does not compile is the user's input, like an unknown option.
    let templates = render::templates(opts).map_err(|e| UsageError(format!("{e:#}")))?;
    let writer = render::writer(opts, templates.as_ref());
    let out_dir = match &opts.destination {
        Destination::Dir(dir) => Some(dir.as_path()),
        Destination::Stdout => None,
    };
    let inputs = with_language_dirs(&opts.inputs, &sites);
    let found = collect::discover(&inputs, out_dir, opts.drafts, opts.verbosity)?;
    let run = Run::new(opts, &sites, writer.as_ref(), out_dir, found.files.len());
    let inputs = found.files.len() + found.missing.len();
    let mut report = Report::new(opts.format, opts.group_by(), inputs);
    report.skip_links(&found.links_skipped);
    report.skip_files(&found.skipped);
    let mut read = run.read(found, templates.as_ref(), &mut report);
    let boilerplate =
        collect::find_boilerplate(opts.keep_chrome, &mut read.fingerprints, &mut report);
    let passes = run.passes(&boilerplate);
    for doc in read.docs.iter_mut() {
        let input = read.fingerprints.inputs.get(&doc.meta.path);
        let may_have = input.is_some_and(|i| collect::boilerplate_blocks(i, &boilerplate) > 0);
        passes.apply(doc, may_have);
    }
    let store = run.prepare(&mut read.docs, &mut report)?;
    let writing = Instant::now();
    let inputs_known = read.fingerprints.inputs.len();
    match out_dir {
        None => run.to_stdout(&read.docs, &mut report)?,
        Some(dir) => {
            let output = Output {
                dir,
                store: store.as_ref(),
                boilerplate: &boilerplate,
                spill: read.spill.as_ref(),
            };
            run.write(&output, read.docs, read.fingerprints, &mut report)?
        }
    }
    report.catalog = crate::catalog::after_convert(opts, out_dir, report.unwritable.is_none());
    let interrupted = crate::interrupt::requested();
    if !interrupted {
        run.save_cache(read.cache, read.new_cache, inputs_known, &report);
    }
    report.finish(out_dir.is_some());
    report.timings.write = writing.elapsed().as_secs_f64();
    report.timings.total = started.elapsed().as_secs_f64();
    run.end(report, interrupted, started)
}

/// `opts` with what the site's config says where the options say nothing (the site of the
/// first input, if it is in one): a site's book title, author and language sit under the flags
/// and postbook.toml.
fn with_site_defaults(opts: &Options, sites: &[crate::site::Site]) -> Options {
    let mut opts = opts.clone();
    if let Some(site) = sites.first() {
        // A multilingual site's books are titled and tagged per language (see
        // `plan::Titling::editions`): `--title` and `--lang` stay what the user said.
        if !site.languages.is_multilingual() {
            opts.title = opts.title.or_else(|| site.title.clone());
            opts.lang = opts.lang.or_else(|| site.lang.clone());
        }
        opts.author = opts.author.or_else(|| site.author.clone());
        // Pictures of a site may be anywhere under its root (Hugo's `static/`, Jekyll's
        // `assets/`), even when the input is its `_posts/` or `content/` folder.
        opts.root = opts.root.or_else(|| Some(site.root.clone()));
    }
    opts
}

/// One run: its options, its writer, and how it reads and writes.
struct Run<'a> {
    opts: &'a Options,
    /// The sites of the inputs, for every read of a post (see [`ReadOptions::sites`]).
    sites: &'a [crate::site::Site],
    writer: &'a dyn Writer,
    out_dir: Option<&'a Path>,
    /// A re-run into a folder postbook wrote: unchanged posts' metadata comes from the cache,
    /// and only the outputs whose fingerprint changed are rendered.
    incremental: bool,
    /// Outputs could read their posts again: the cache and streaming are possible.
    can_stream: bool,
    /// Only the posts' metadata is kept in memory; each output takes its posts from the spill
    /// (or reads them again).
    streaming: bool,
}

/// What reading leaves for the rest of the run.
struct Collected {
    /// The posts converted, sorted by path (only their metadata when streaming).
    docs: Vec<Document>,
    fingerprints: Fingerprints,
    /// The cache this run read from, and the one it writes for the next.
    cache: PostCache,
    new_cache: CacheWriter,
    /// The posts read, for a streaming run's outputs (see [`spill`]).
    spill: Option<Spill>,
}

/// Where the outputs go and what rendering them shares.
struct Output<'a> {
    dir: &'a Path,
    store: Option<&'a ImageStore>,
    /// The folder's boilerplate, removed from streamed posts as they are rendered.
    boilerplate: &'a [u64],
    /// A streaming run's posts, as they were read.
    spill: Option<&'a Spill>,
}

impl<'a> Run<'a> {
    fn new(
        opts: &'a Options,
        sites: &'a [crate::site::Site],
        writer: &'a dyn Writer,
        out_dir: Option<&'a Path>,
        posts: usize,
    ) -> Run<'a> {
        // Notes with `--images embed` need every picture planned up front, and
        // `--max-book-size` weighs every post and picture before planning: no streaming.
        let can_stream = !(writer.unit() == Unit::Post && opts.images.policy == ImagePolicy::Embed)
            && opts.max_book_size.is_none()
            && out_dir.is_some();
        let incremental = !opts.rebuild && out_dir.is_some_and(|d| d.join(MANIFEST_NAME).is_file());
        let streaming = can_stream && (opts.low_memory || incremental || posts > STREAM_ABOVE);
        Run {
            opts,
            sites,
            writer,
            out_dir,
            incremental,
            can_stream,
            streaming,
        }
    }

    /// Reads every post (see [`collect::read_posts`]), deciding as they come which are
    /// converted, and records each in the report.
    fn read(
        &self,
        found: crate::input::Found,
        templates: Option<&Templates>,
        report: &mut Report,
    ) -> Collected {
        let (opts, started) = (self.opts, Instant::now());
        let progress = progress_bar(opts.verbosity, "reading");
        let mut cache = match self.out_dir {
            Some(dir) if self.incremental && self.can_stream => {
                PostCache::load(dir, self.read_options())
            }
            _ => PostCache::default(),
        };
        let inputs = report.summary.inputs;
        let mut fingerprints = Fingerprints::new(opts, &opts.image_root(), templates);
        fingerprints.add_sites(self.sites);
        fingerprints.inputs.reserve(inputs);
        let new_cache = self.open_output(report);
        let spill = self.spill_writer(report);
        let bodies = match (self.streaming, &spill) {
            (false, _) => Bodies::Kept,
            (true, None) => Bodies::Dropped,
            (true, Some(spill)) => Bodies::Spilled(spill),
        };
        let mut intake = Intake {
            opts,
            selection: Selection::new(opts),
            // Sized once: at 100,000 posts, growing by doubling left a third unused.
            docs: Vec::with_capacity(inputs),
            streaming: self.streaming,
            fingerprints,
            new_cache,
            spilled: HashMap::new(),
            report,
        };
        let read = self.read_options();
        let crate::input::Found { files, missing, .. } = found;
        // Inputs come sorted, and so do their records; the missing ones are added at the end.
        let sorted = missing.is_empty();
        let not_reached =
            collect::read_posts(files, missing, bodies, read, &progress, &mut cache, |r| {
                intake.take(r)
            });
        let not_run = not_reached.into_iter().map(|p| Record::not_run(p.into()));
        intake.report.posts.extend(not_run);
        if cache.ignored && opts.verbosity == Verbosity::Verbose {
            eprintln!(
                "note: {CACHE_NAME} is corrupt, from another version or from a run that read \
                 posts otherwise (--keep-chrome): posts were read instead"
            );
        }
        if self.streaming {
            // The posts' bodies, read in chunks and dropped, leave free pages among the metadata.
            crate::memory::release_free_memory();
        }
        progress.finish_and_clear();
        let Intake {
            docs,
            fingerprints,
            new_cache,
            spilled,
            report,
            ..
        } = intake;
        report.timings.read = started.elapsed().as_secs_f64();
        // Sorting 100,000 records that are in order still compared paths 300,000 times.
        if !sorted {
            report.posts.sort_by(|a, b| a.input.cmp(&b.input));
        }
        debug_assert!(report.posts.is_sorted_by(|a, b| a.input <= b.input));
        Collected {
            docs,
            fingerprints,
            cache,
            new_cache,
            spill: spill.and_then(|s| s.finish(spilled)),
        }
    }

    /// A spill for a streaming run's posts (see [`spill`]), when its outputs will be rendered.
    fn spill_writer(&self, report: &Report) -> Option<SpillWriter> {
        let dir = self
            .out_dir
            .filter(|_| self.streaming && !self.opts.dry_run)?;
        report.unwritable.is_none().then_some(())?;
        SpillWriter::create(dir)
    }

    /// How this run reads posts; the post cache is kept per way of reading.
    fn read_options(&self) -> ReadOptions<'a> {
        ReadOptions {
            keep_chrome: self.opts.keep_chrome,
            sites: self.sites,
        }
    }

    /// Checks that the output folder can be written, and opens the cache for the next run in
    /// it. An output folder that cannot be written fails every output, said once; the posts
    /// are still read, so the summary and the report say what would have been converted.
    fn open_output(&self, report: &mut Report) -> CacheWriter {
        let dir = self.out_dir.filter(|_| !self.opts.dry_run);
        report.unwritable = dir.and_then(|dir| save::writable(dir).err());
        if let Some(why) = &report.unwritable {
            diag::error(&why.to_string());
        }
        match dir {
            Some(dir) if report.unwritable.is_none() => {
                // A killed run's temporary files go first: the cache is being written among
                // them.
                save::remove_stale_temporaries(dir);
                CacheWriter::create(Some(dir), self.read_options())
            }
            _ => CacheWriter::create(None, self.read_options()),
        }
    }

    /// The passes each post goes through after reading (see [`passes`]).
    fn passes<'b>(&self, boilerplate: &'b [u64]) -> PostPasses<'b> {
        PostPasses {
            boilerplate,
            strip_images: self.opts.images.policy == ImagePolicy::Strip,
            verbose: self.opts.verbosity == Verbosity::Verbose,
        }
    }

    /// Prepares the pictures the outputs will hold, unless they cannot be written (an
    /// unwritable folder, Ctrl-C) or are streamed (each book prepares its own).
    fn prepare(&self, docs: &mut [Document], report: &mut Report) -> Result<Option<ImageStore>> {
        if self.streaming || report.unwritable.is_some() || crate::interrupt::requested() {
            return Ok(None);
        }
        let root = self.opts.image_root();
        let how = prepare::Pictures {
            images: &self.opts.images,
            root: &root,
            embedded: self.writer.unit() == Unit::Book,
            saving: self.out_dir.is_some() && !self.opts.dry_run,
            verbosity: self.opts.verbosity,
        };
        prepare::pictures(&how, docs, report)
    }

    /// `-o -`: the one post, rendered to stdout.
    fn to_stdout(&self, docs: &[Document], report: &mut Report) -> Result<()> {
        if self.writer.unit() == Unit::Book {
            let name = self.writer.name();
            let msg =
                format!("{name} cannot be written to stdout; give an output folder with -o DIR");
            return Err(UsageError(msg).into());
        }
        if report.posts.len() != 1 {
            let msg = format!("-o - writes one post to stdout, but {} inputs were found; give an output folder with -o DIR", report.posts.len());
            return Err(UsageError(msg).into());
        }
        record_titles(docs, report);
        let stopped = crate::interrupt::requested();
        if let Some(doc) = docs.first().filter(|_| !self.opts.dry_run && !stopped) {
            let (bytes, _) = render::alone(self.writer, doc)?;
            crate::output::to_stdout(&bytes)?;
        }
        Ok(())
    }

    /// Plans every output into the output folder, then renders and saves them.
    fn write(
        &self,
        output: &Output,
        docs: Vec<Document>,
        fingerprints: Fingerprints,
        report: &mut Report,
    ) -> Result<()> {
        let (opts, unit) = (self.opts, self.writer.unit());
        let layout = Layout {
            dir: output.dir,
            unit,
            extension: self.writer.extension(),
            group_by: opts.group_by(),
            verbosity: opts.verbosity,
            notes: &opts.notes,
            limit: volumes::Limit::of(opts),
        };
        // Books weigh the pictures they embed (`--max-book-size`); notes plan the pictures
        // they save beside them (`--images embed`).
        let pictures = match unit {
            Unit::Book => output.store,
            Unit::Post => output
                .store
                .filter(|_| opts.images.policy == ImagePolicy::Embed),
        };
        let titling = Titling::new(opts, self.sites);
        let streaming = self.streaming;
        let (plan, docs) = plan::outputs(
            &layout,
            &titling,
            docs,
            pictures,
            streaming,
            fingerprints,
            report,
        );
        let renderer = Renderer {
            writer: self.writer,
            dir: output.dir,
            docs: &docs,
            streaming,
            store: output.store,
            plan: &plan,
            book: match unit {
                Unit::Book => BookOptions::new(opts)?,
                Unit::Post => BookOptions::default(),
            },
            reload: Reload::new(
                opts,
                self.read_options(),
                self.passes(output.boilerplate),
                output.spill,
            ),
            kept_pictures: (opts.images.policy == ImagePolicy::Keep).then(|| opts.image_root()),
            file_root: opts.image_root(),
            notes: &opts.notes,
            streamed_images: Mutex::default(),
        };
        let what = match unit {
            Unit::Book => "books",
            Unit::Post => "writing",
        };
        let saving = Saving::new(opts);
        save::execute(&saving, output.dir, &plan.outputs, report, what, |p| {
            renderer.render(p)
        })?;
        let streamed = renderer.streamed_images.into_inner();
        add_image_counts(report, &streamed.unwrap_or_else(|e| e.into_inner()));
        if let Some(limit) = layout.limit.filter(|_| !opts.dry_run) {
            volumes::weigh_written(limit, report, opts.verbosity);
        }
        Ok(())
    }

    /// Saves the metadata cache for the next run (not after Ctrl-C), unless every post came
    /// from the cache and it holds no one else, or nothing could be written.
    fn save_cache(
        &self,
        mut cache: PostCache,
        new_cache: CacheWriter,
        known: usize,
        report: &Report,
    ) {
        let current = report.summary.posts_from_cache == known && cache.unused() == 0 && known > 0;
        let dir = self
            .out_dir
            .filter(|_| !self.opts.dry_run && !current && report.unwritable.is_none());
        if let Some(dir) = dir {
            save::save_cache(new_cache, dir, self.opts.verbosity);
        }
    }

    /// Ends the run: `-v` timings, the dry run's listing, what an interruption left, the
    /// `--report` file and the summary line.
    fn end(&self, report: Report, interrupted: bool, started: Instant) -> Result<Report> {
        let opts = self.opts;
        if opts.verbosity == Verbosity::Verbose {
            report.print_timings();
        }
        if opts.dry_run {
            report::print_plan(&report)
                .map_err(|e| anyhow::anyhow!("cannot write to stdout: {e}"))?;
        }
        if interrupted {
            if let Some(dir) = self.out_dir.filter(|_| !opts.dry_run) {
                save::remove_stale_temporaries(dir);
            }
            report.print_interrupted();
        }
        let report_error = opts.report.as_ref().and_then(|path| {
            let written = match path.as_os_str() == "-" {
                // `--report -`: the JSON on stdout, where nothing else goes (checked in cli.rs).
                true => serde_json::to_vec_pretty(&report)
                    .map_err(anyhow::Error::from)
                    .and_then(|mut json| {
                        json.push(b'\n');
                        crate::output::to_stdout(&json)
                    }),
                false => write_json_atomic(path, &report).map_err(anyhow::Error::from),
            };
            written
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
}

/// Takes each post as it is read: keeps what incremental runs need, judges it (see
/// [`Selection`]) and records it in the report.
struct Intake<'a, 'r> {
    opts: &'a Options,
    selection: Selection<'a>,
    docs: Vec<Document>,
    /// Whether `docs` hold only metadata, kept until the plan is made (see [`Intake::take`]).
    streaming: bool,
    fingerprints: Fingerprints,
    new_cache: CacheWriter,
    /// Where each post to convert is in the spill, for a streaming run (see [`spill`]).
    spilled: HashMap<PostPath, Extent>,
    report: &'r mut Report,
}

impl Intake<'_, '_> {
    fn take(&mut self, read: Read) {
        let verbosity = self.opts.verbosity;
        if verbosity == Verbosity::Verbose {
            collect::list_read(&read);
            // A cached post was not read: its counts are all there is to list.
            if let Some(input) = read
                .input
                .as_ref()
                .filter(|i| read.from_cache && !i.chrome.is_empty())
            {
                eprintln!(
                    "{} from {} (cached; --rebuild lists each block)",
                    report::describe_chrome(&input.chrome),
                    read.path.display()
                );
            }
        }
        self.report.summary.posts_from_cache += usize::from(read.from_cache);
        let Read {
            path,
            result,
            input,
            cache_record,
            spilled,
            ..
        } = read;
        let ReadPost {
            doc,
            warnings,
            chrome,
            ..
        } = match result {
            Ok(post) => post,
            Err(e) => {
                diag::post_error(&path, &e);
                self.report.posts.push(Record::failed(path, &e));
                return;
            }
        };
        for w in &warnings {
            warn(verbosity, &format!("{}: {w}", path.display()));
        }
        if verbosity == Verbosity::Verbose {
            collect::list_chrome(&path, &chrome);
        }
        let chrome_removed = match &input {
            Some(input) => input.chrome,
            None => chrome::Counts::of(&chrome),
        };
        if let Some(input) = input {
            match &cache_record {
                Some(record) => self.new_cache.add_record(record),
                None => self.new_cache.add(&doc.meta, &input, &warnings),
            }
            // Copied onto this thread, as a streaming run's metadata is (see below).
            let input = match self.streaming {
                true => input.clone(),
                false => input,
            };
            self.fingerprints.inputs.insert(path.clone(), input);
        }
        let verdict = self.selection.judge(&doc);
        let status = self.status(&path, &verdict);
        let record = Record {
            // A converted post's title is copied into its record when planning ends
            // (`record_titles`), so that it is not held twice meanwhile.
            title: (verdict != Verdict::Keep).then(|| doc.display_title()),
            chrome_removed,
            ..Record::read(path, status, warnings)
        };
        let record = match verdict {
            Verdict::Duplicate(first) => Record {
                duplicate_of: Some(first),
                ..record
            },
            Verdict::Keep => {
                // A streaming run keeps every post's metadata until planning ends (100,000
                // posts: about 100 MB). Made on the reading threads, it is scattered among the
                // pages their parsing filled and freed, which stay resident for it; copied here,
                // on this thread, it is packed together. 100,000 posts → monthly EPUBs: peak
                // RSS 171 → 167 MB (medians), for a copy of a few small strings per post.
                let doc = match self.streaming {
                    true => doc.clone(),
                    false => doc,
                };
                if let Some(extent) = spilled {
                    self.spilled.insert(doc.meta.path.clone(), extent);
                }
                self.docs.push(doc);
                record
            }
            Verdict::Draft(_) | Verdict::Filtered => record,
        };
        self.report.posts.push(record);
    }

    /// A post's status for its verdict, counted in the summary (and said with `-v`).
    fn status(&mut self, path: &Path, verdict: &Verdict) -> PostStatus {
        let verbose = self.opts.verbosity == Verbosity::Verbose;
        let summary = &mut self.report.summary;
        match verdict {
            Verdict::Keep => PostStatus::Converted,
            Verdict::Draft(why) => {
                if verbose {
                    let name = why.name();
                    eprintln!("{name} {}: left out (--drafts keeps it)", path.display());
                }
                match why {
                    crate::model::LeftOut::Draft => summary.drafts += 1,
                    why => *summary.unpublished.entry(why.name()).or_default() += 1,
                }
                PostStatus::Draft
            }
            Verdict::Filtered => {
                summary.filtered_out += 1;
                PostStatus::Filtered
            }
            Verdict::Duplicate(first) => {
                if verbose {
                    let (p, f) = (path.display(), first.display());
                    eprintln!("duplicate {p} (of {f}): dropped");
                }
                summary.duplicates += 1;
                PostStatus::Duplicate
            }
        }
    }
}

/// The inputs, and for a Hugo site given by its root, the folders outside `content/` that a
/// language keeps its posts in (`contentDir = "content.zh"`): walking the root reads only
/// `content/`, as it must (the rest of a site's root is not posts).
fn with_language_dirs(inputs: &[PathBuf], sites: &[crate::site::Site]) -> Vec<PathBuf> {
    let mut all = inputs.to_vec();
    for input in inputs.iter().filter(|i| i.is_dir()) {
        let Ok(dir) = std::path::absolute(input) else {
            continue;
        };
        let dir = crate::relink::normalize(&dir);
        let root_of = |s: &&crate::site::Site| s.root == dir || s.root == input.as_path();
        if let Some(site) = sites.iter().find(root_of) {
            if site.generator == crate::site::Generator::Hugo {
                all.extend(site.languages.extra_dirs(&site.hugo_content_dir()));
            }
        }
    }
    all
}
