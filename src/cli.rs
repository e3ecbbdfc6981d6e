//! Command-line interface: argument definitions and dispatch.

use crate::config::{self, Config};
use crate::convert;
use crate::diag;
use crate::group::GroupBy;
use crate::images::fetch::FetchOptions;
use crate::images::process::ProcessOptions;
use crate::images::{ImageOptions, ImagePolicy};
use crate::inspect;
use crate::options::{parse_attachments, LinkStyle, NoteOptions, NoteStyle};
use crate::options::{Destination, Filters, Format, Options, TitlePattern, UsageError, Verbosity};
use crate::output::to_stdout;
use chrono::NaiveDate;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, ColorChoice, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Convert folders of blog and news posts (Jekyll/Hugo Markdown or HTML with YAML/TOML front
/// matter) into EPUB collections, clean Markdown and plain text.
#[derive(Debug, Parser)]
#[command(name = "postbook", version, about, long_about = None, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// When to colour errors and warnings (`auto`: on a terminal, unless NO_COLOR is set).
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

const EXAMPLES: &str = "\
Examples:
  postbook convert -t epub posts/ -o books/                 one EPUB per month
  postbook convert -t markdown _posts/ -o vault/news         clean notes for Obsidian
  postbook convert -t text post.md -o - | less               one post as text on stdout
  find posts -name '2023-*' | postbook convert -t epub - -o books/ --group-by none
  postbook inspect posts/                                    what is in this folder

Exit codes: 0 all converted, 1 some posts failed (the rest are written), 2 usage error.";

const INSPECT_EXAMPLES: &str = "\
Examples:
  postbook inspect posts/                      counts by year, month, category, author
  postbook inspect --json posts/ | jq .errors  front matter errors, for a script
  git ls-files '*.md' | postbook inspect -     only the posts git knows about";

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  postbook completions bash > ~/.local/share/bash-completion/completions/postbook
  postbook completions zsh > ~/.zfunc/_postbook       (with fpath+=~/.zfunc in .zshrc)
  postbook completions fish > ~/.config/fish/completions/postbook.fish";

const INIT_EXAMPLES: &str = "\
Examples:
  postbook init posts/                 write posts/postbook.toml, then edit it
  postbook convert posts/              convert with the options in posts/postbook.toml
  postbook convert posts/ -t text      the same, but this once as text (flags win)";

const CATALOG_EXAMPLES: &str = "\
Examples:
  postbook catalog books/                  books/catalog.xml lists every EPUB in books/
  postbook convert -t epub posts/ -o books/ --catalog     the same, kept current by each run
  cd books && python3 -m http.server       then add http://HOST:8000/catalog.xml in KOReader";

const MAN_EXAMPLES: &str = "\
Examples:
  postbook man > ~/.local/share/man/man1/postbook.1 && man postbook
  postbook man -o /usr/local/share/man/man1/            one page per command";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Convert posts to EPUB books, Markdown notes or plain text.
    #[command(after_help = EXAMPLES)]
    Convert(Box<ConvertArgs>),
    /// Summarize a folder of posts: dates, categories, authors, images, front matter errors.
    #[command(after_help = INSPECT_EXAMPLES)]
    Inspect(InspectArgs),
    /// Print a shell completion script.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write an OPDS catalog (catalog.xml, covers in catalog/covers/) of the EPUBs in a folder,
    /// for e-reader apps (KOReader, Thorium, …) and static file servers.
    #[command(after_help = CATALOG_EXAMPLES)]
    Catalog(CatalogArgs),
    /// Write a commented postbook.toml (every option of `convert`) into a folder of posts.
    #[command(after_help = INIT_EXAMPLES)]
    Init {
        /// The folder of posts.
        #[arg(default_value = ".", value_name = "DIR")]
        dir: PathBuf,
        /// Replace an existing postbook.toml.
        #[arg(long)]
        force: bool,
    },
    /// Print the man page (roff) with every command and option, or write one page per command
    /// into a folder.
    #[command(after_help = MAN_EXAMPLES)]
    Man {
        /// Folder for postbook.1, postbook-convert.1, …; default: postbook.1 on stdout.
        #[arg(short, long, value_name = "DIR")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Post files or folders (searched recursively); `-` reads a list of paths from stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// The paths read from stdin (`-`) end with NUL bytes, as `find -print0` writes them,
    /// instead of newlines.
    #[arg(short = '0', long)]
    pub null: bool,
    /// Output format (required here or as `to` in postbook.toml).
    #[arg(short = 't', long = "to", value_enum)]
    pub format: Option<Format>,
    /// Output folder, or `-` for stdout (one post, markdown or text); required here or as
    /// `output` in postbook.toml.
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Read options from this file instead of postbook.toml in the first input folder.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore postbook.toml in the input folder.
    #[arg(long)]
    pub no_config: bool,
    /// Group posts into books (EPUB, default month) or sub-folders (markdown/text, default none).
    #[arg(short, long, value_enum)]
    pub group_by: Option<GroupBy>,
    /// Keep posts dated on or after this day (YYYY-MM-DD).
    #[arg(long, value_parser = parse_day)]
    pub since: Option<NaiveDate>,
    /// Keep posts dated on or before this day (YYYY-MM-DD).
    #[arg(long, value_parser = parse_day)]
    pub until: Option<NaiveDate>,
    /// Keep posts in this category (repeatable; any matches).
    #[arg(long = "category", value_name = "NAME")]
    pub categories: Vec<String>,
    /// Keep posts with this tag (repeatable; any matches).
    #[arg(long = "tag", value_name = "NAME")]
    pub tags: Vec<String>,
    /// Book title (EPUB); with grouping, books are titled `TITLE — GROUP`.
    #[arg(long)]
    pub title: Option<String>,
    /// Book titles per group (EPUB), e.g. "{collection} — {year}年{month}月"; placeholders:
    /// {collection} {group} {author} {count} {year} {month} {month2} {day} {day2}.
    #[arg(long, value_name = "PATTERN", value_parser = parse_title_pattern)]
    pub title_pattern: Option<TitlePattern>,
    /// Book author (EPUB), instead of the posts' authors.
    #[arg(long)]
    pub author: Option<String>,
    /// Book language as a BCP 47 tag (EPUB), instead of detecting it from the text
    /// (`zh_CN`, `English (US)` are taken as zh-CN, en-US). On a multilingual site: convert
    /// that language only.
    #[arg(long, value_parser = crate::options::parse_lang)]
    pub lang: Option<String>,
    /// Site root for `/absolute` image paths; no image outside it is read. Default: the input folder.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Wrap plain text at this many display columns (CJK characters count two; 2-10000).
    #[arg(long, value_name = "COLUMNS")]
    pub wrap: Option<usize>,
    /// Folder whose style.css, chapter.xhtml, title-page.xhtml or cover.xhtml replace the
    /// built-in templates.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// A stylesheet added after the built-in (or --templates) one, for a few rules of your own.
    #[arg(long, value_name = "FILE.css")]
    pub css: Option<PathBuf>,
    /// Write Kobo EPUBs (BOOK.kepub.epub, with Kobo's sentence spans for highlights, reading
    /// statistics and faster page turns).
    #[arg(long)]
    pub kepub: bool,
    /// Leave code blocks in EPUBs unhighlighted (by default code that names its language is
    /// highlighted with CSS classes, in weight and slant for e-ink).
    #[arg(long)]
    pub no_highlight: bool,
    /// Which EPUBs get a section index page before each section's articles (a month book's
    /// days, a year book's months, a category's sub-categories or months), listing each
    /// article's title, byline, date, first sentences and reading time: `auto` books of two
    /// sections or more, `always`, `never`.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub section_index: crate::options::SectionIndex,
    /// Show a small picture (the post's first, when embedded) beside each article of a
    /// section index page.
    #[arg(long)]
    pub thumbnails: bool,
    /// Write a JSON record of every input, output, failure and warning to this file.
    #[arg(long, value_name = "FILE.json")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub images: ImageArgs,
    /// List each output and the posts that would go into it, on stdout; write nothing
    /// (except the --report, if asked for).
    #[arg(short = 'n', long)]
    pub dry_run: bool,
    /// Keep only metadata in memory and read each post again when writing it: memory stays
    /// bounded on huge archives, at the cost of a second read. Automatic above 5,000 posts.
    #[arg(long)]
    pub low_memory: bool,
    /// Replace existing outputs even if they were edited since postbook wrote them. Without it,
    /// postbook replaces only its own untouched earlier output, keeps edited ones, and refuses
    /// files it did not write.
    #[arg(long)]
    pub overwrite: bool,
    /// Read every post and render every output again. Without it, a re-run into a folder with a
    /// manifest is incremental: it reads only changed posts and renders only outputs whose
    /// posts or options changed.
    #[arg(long)]
    pub rebuild: bool,
    /// Convert posts with the same source URL (or, without one, the same title and day) only
    /// once: the first in path order is kept, the others are reported as duplicates.
    #[arg(long)]
    pub dedupe: bool,
    /// Also convert unpublished posts: `draft: true`, `published: false`, a Jekyll site's
    /// `_drafts/` and a Hugo site's `_index.md` list pages.
    #[arg(long)]
    pub drafts: bool,
    /// Keep the site's chrome in posts taken from web pages: newsletter boxes, share bars,
    /// "read more" link lists, promos, "click to enlarge" prompts, the mirror's footer and
    /// boilerplate repeated across a source's posts. Without it they are removed (the summary
    /// and report count them; -v lists them). With KINDS, a comma list (related,widget), keeps
    /// only those kinds: form, newsletter, share, related, promo, navigation, prompt, widget,
    /// footer, boilerplate.
    #[arg(
        long,
        value_name = "KINDS",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "all",
        value_parser = parse_keep_chrome
    )]
    pub keep_chrome: Option<crate::chrome_kind::Kept>,
    /// Keep an OPDS catalog of the output folder's books (catalog.xml, covers in
    /// catalog/covers/) for e-reader apps and static file servers; EPUB only. Rewritten after
    /// every run from the books on disk (see `postbook catalog`).
    #[arg(long)]
    pub catalog: bool,
    // Volumes (issue 32): options of size-limited books.
    /// Split a book larger than this into volumes, `Title (1/3)` … (EPUB): bytes, or with a
    /// unit such as 50MB (Send to Kindle's e-mail limit), 25MiB, 800k. Keeps posts in memory
    /// (no --low-memory).
    #[arg(long, value_name = "SIZE", value_parser = crate::options::parse_size)]
    pub max_book_size: Option<u64>,
    #[command(flatten)]
    pub notes: NoteArgs,
    #[command(flatten)]
    pub verbosity: VerbosityArgs,
}

/// Options of `convert` for notes that drop into a note app's vault (Markdown only).
#[derive(Debug, Args)]
#[command(next_help_heading = "Notes for Obsidian and Logseq")]
pub struct NoteArgs {
    /// front-matter: YAML front matter (Obsidian, static site generators); logseq: a Logseq
    /// graph, with `key:: value` page properties, pages in pages/, pictures in assets/ and
    /// page references between pages.
    #[arg(long, value_enum, default_value_t = NoteStyle::FrontMatter, value_name = "STYLE")]
    pub notes: NoteStyle,
    /// markdown: `[text](other.md)`; wikilinks: Obsidian's `[[other|text]]`, saved pictures as
    /// `![[x.png]]`, and the title in `aliases` when the file name differs from it.
    #[arg(long, value_enum, default_value_t = LinkStyle::Markdown, value_name = "STYLE")]
    pub links: LinkStyle,
    /// With --images embed: save pictures in this folder of the output folder (like Obsidian's
    /// attachment folder setting) instead of assets/.
    #[arg(long, value_name = "DIR", value_parser = parse_attachments)]
    pub attachments: Option<PathBuf>,
}

impl NoteArgs {
    /// The notes' options, or a usage error when they do not fit the rest of the run.
    fn options(
        &self,
        format: Format,
        images: ImagePolicy,
        group_by: Option<GroupBy>,
    ) -> Result<NoteOptions, UsageError> {
        let fail = |msg: &str| Err(UsageError(msg.into()));
        let changed = self.notes != NoteStyle::FrontMatter
            || self.links != LinkStyle::Markdown
            || self.attachments.is_some();
        if changed && format != Format::Markdown {
            return fail("--notes, --links and --attachments shape Markdown notes: use them with -t markdown");
        }
        if self.attachments.is_some() && images != ImagePolicy::Embed {
            return fail(
                "--attachments is where --images embed saves pictures: add --images embed",
            );
        }
        if self.notes == NoteStyle::Logseq {
            if self.links == LinkStyle::Wikilinks {
                return fail("--notes logseq links pages with Logseq's page references: leave out --links wikilinks");
            }
            if group_by.is_some_and(|g| g != GroupBy::None) {
                return fail("--notes logseq writes one pages/ folder, as Logseq expects: leave out --group-by (tags and categories are page properties)");
            }
        }
        Ok(NoteOptions {
            style: self.notes,
            links: self.links,
            attachments: self.attachments.clone(),
        })
    }
}

/// Picture options of `convert`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Images")]
pub struct ImageArgs {
    /// keep: remote pictures stay links (local ones are embedded in EPUBs); embed: download
    /// them too and put every picture in the EPUB, or in assets/ beside notes; strip: drop
    /// pictures, keep their captions.
    #[arg(long, value_enum, default_value_t = ImagePolicy::Keep, value_name = "WHAT")]
    pub images: ImagePolicy,
    /// Downscale pictures wider than this (pixels, 1-16384).
    #[arg(long, default_value_t = ProcessOptions::default().max_width, value_parser = clap::value_parser!(u32).range(1..=MAX_PIXELS), value_name = "PX")]
    pub max_image_width: u32,
    /// Downscale pictures taller than this (pixels, 1-16384).
    #[arg(long, default_value_t = ProcessOptions::default().max_height, value_parser = clap::value_parser!(u32).range(1..=MAX_PIXELS), value_name = "PX")]
    pub max_image_height: u32,
    /// Convert pictures to greyscale (smaller books; e-ink shows grey anyway).
    #[arg(long)]
    pub grayscale: bool,
    /// JPEG quality for re-encoded pictures (1-100).
    #[arg(long, default_value_t = ProcessOptions::default().jpeg_quality, value_parser = clap::value_parser!(u8).range(1..=100), value_name = "Q")]
    pub jpeg_quality: u8,
    /// Downloads at once (1-64).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=MAX_JOBS), value_name = "N")]
    pub image_jobs: u16,
    /// Refuse pictures larger than this many bytes (at most 1 GiB: a picture is held in memory).
    #[arg(long, default_value_t = 20_000_000, value_parser = clap::value_parser!(u64).range(1..=MAX_IMAGE_BYTES), value_name = "BYTES")]
    pub max_image_bytes: u64,
    /// Connect and read timeout per download, in seconds (more than 0, at most 3600).
    #[arg(long, default_value_t = 30.0, value_name = "SECS")]
    pub image_timeout: f64,
    /// Where downloaded pictures are cached [default: the platform cache folder, e.g.
    /// ~/.cache/postbook/images].
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,
    /// Do not keep downloaded pictures after this run.
    #[arg(long)]
    pub no_cache: bool,
    /// Never download: use only pictures already in the cache.
    #[arg(long)]
    pub offline: bool,
    /// Download pictures from loopback, private and link-local addresses too (refused by
    /// default: a scraped post must not make postbook reach the local network or cloud
    /// metadata).
    #[arg(long)]
    pub allow_private_hosts: bool,
    /// Use this picture as the cover of every book.
    #[arg(long, value_name = "FILE")]
    pub cover: Option<PathBuf>,
    /// Use each book's first large landscape picture as its cover.
    #[arg(long, conflicts_with = "cover")]
    pub auto_cover: bool,
    /// Give books no cover [default: a cover drawn from the title, dates and post count, unless
    /// --cover or --auto-cover provides a picture].
    #[arg(long, conflicts_with_all = ["cover", "auto_cover"])]
    pub no_cover: bool,
}

/// The largest `--max-image-width/height`: pictures are not decoded beyond this size anyway.
const MAX_PIXELS: i64 = 16_384;
/// The most downloads at once: more only gets a client throttled or banned.
const MAX_JOBS: i64 = 64;
/// The largest `--max-image-bytes`: a download is held in memory.
const MAX_IMAGE_BYTES: u64 = 1 << 30;
/// The longest `--image-timeout`, in seconds.
const MAX_TIMEOUT: f64 = 3600.0;
/// The widest `--wrap`.
const MAX_WRAP: usize = 10_000;

/// A usage error unless `value` is within `range`: postbook.toml's values do not pass
/// through clap's checks, so every numeric option is checked again here.
fn check_range<T: PartialOrd + std::fmt::Display>(
    name: &str,
    value: T,
    range: std::ops::RangeInclusive<T>,
    unit: &str,
) -> Result<(), UsageError> {
    if range.contains(&value) {
        return Ok(());
    }
    let (lo, hi) = (range.start(), range.end());
    Err(UsageError(format!(
        "{name} must be from {lo} to {hi}{unit}, not {value}"
    )))
}

impl ImageArgs {
    fn options(&self) -> Result<ImageOptions, UsageError> {
        check_range("jpeg-quality", self.jpeg_quality, 1..=100, "")?;
        check_range("image-jobs", i64::from(self.image_jobs), 1..=MAX_JOBS, "")?;
        check_range(
            "max-image-width",
            i64::from(self.max_image_width),
            1..=MAX_PIXELS,
            " pixels",
        )?;
        check_range(
            "max-image-height",
            i64::from(self.max_image_height),
            1..=MAX_PIXELS,
            " pixels",
        )?;
        check_range(
            "max-image-bytes",
            self.max_image_bytes,
            1..=MAX_IMAGE_BYTES,
            " bytes",
        )?;
        // NaN and infinities fail too; `Duration::from_secs_f64` panics on them and on huge values.
        let t = self.image_timeout;
        if !(t > 0.0 && t <= MAX_TIMEOUT) {
            return Err(UsageError(format!(
                "image-timeout must be more than 0 and at most {MAX_TIMEOUT} seconds, not {t}"
            )));
        }
        let cache_dir = match (&self.cache_dir, self.no_cache) {
            (_, true) => None,
            (Some(d), false) => Some(d.clone()),
            (None, false) => FetchOptions::default_cache_dir(),
        };
        Ok(ImageOptions {
            policy: self.images,
            process: ProcessOptions {
                max_width: self.max_image_width,
                max_height: self.max_image_height,
                grayscale: self.grayscale,
                jpeg_quality: self.jpeg_quality,
            },
            fetch: FetchOptions {
                cache_dir,
                offline: self.offline,
                max_bytes: self.max_image_bytes,
                timeout: std::time::Duration::from_secs_f64(self.image_timeout),
                attempts: 3,
                allow_private_hosts: self.allow_private_hosts,
            },
            jobs: usize::from(self.image_jobs),
        })
    }
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Post files or folders; `-` reads a list of paths from stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// The paths read from stdin (`-`) end with NUL bytes (`find -print0`), not newlines.
    #[arg(short = '0', long)]
    pub null: bool,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Site root for `/absolute` image paths. Default: the input folder.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    #[command(flatten)]
    pub verbosity: VerbosityArgs,
}

#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// The folder of EPUBs (searched recursively); catalog.xml is written at its top.
    #[arg(default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
    /// Replace catalog.xml even if it was edited since postbook wrote it, or postbook did not
    /// write it.
    #[arg(long)]
    pub overwrite: bool,
    #[command(flatten)]
    pub verbosity: VerbosityArgs,
}

#[derive(Debug, Args)]
pub struct VerbosityArgs {
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print each post read and each output written, with timings.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

impl VerbosityArgs {
    fn level(&self) -> Verbosity {
        match (self.quiet, self.verbose) {
            (true, _) => Verbosity::Quiet,
            (_, true) => Verbosity::Verbose,
            _ => Verbosity::Normal,
        }
    }
}

fn parse_title_pattern(s: &str) -> Result<TitlePattern, String> {
    TitlePattern::parse(s)
}

fn parse_keep_chrome(s: &str) -> Result<crate::chrome_kind::Kept, String> {
    crate::chrome_kind::Kept::parse(s)
}

/// `--keep-chrome related,widget` as `--keep-chrome=related,widget`: the option's value is
/// optional, so clap takes it only after `=`; a bare `--keep-chrome` followed by an input
/// folder must stay what it always was. The next argument is its value when it is a list of
/// kind names and no file or folder of that name exists.
fn join_keep_chrome(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let mut out = Vec::with_capacity(args.len());
    let mut args = args.into_iter().peekable();
    while let Some(arg) = args.next() {
        let value = (arg == "--keep-chrome")
            .then(|| args.peek().and_then(|n| n.to_str()).map(str::to_string))
            .flatten()
            .filter(|v| {
                crate::chrome_kind::Kept::parse(v).is_ok() && !std::path::Path::new(v).exists()
            });
        match value {
            Some(v) => {
                args.next();
                out.push(format!("--keep-chrome={v}").into());
            }
            None => out.push(arg),
        }
    }
    out
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date like 2023-05-24"))
}

/// Replaces a `-` input with the paths listed on stdin, one per line, or ending with NUL bytes
/// when `null` (`-0`: paths may then hold newlines, and need not be UTF-8). A path typed on the
/// command line must exist (a typo is a usage error); a listed path that does not is reported
/// as a failed post, like a file removed while a long list was being made.
fn expand_stdin(inputs: Vec<PathBuf>, null: bool) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::with_capacity(inputs.len());
    for input in inputs {
        if input.as_os_str() != "-" {
            if let Err(e) = std::fs::metadata(&input) {
                let msg = match e.kind() {
                    std::io::ErrorKind::NotFound => {
                        format!("{}: no such file or folder", input.display())
                    }
                    _ => format!("cannot read {}: {e}", input.display()),
                };
                return Err(UsageError(msg).into());
            }
            out.push(input);
        } else if null {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
                .map_err(|e| anyhow::anyhow!("cannot read paths from stdin: {e}"))?;
            out.extend(
                bytes
                    .split(|&b| b == 0)
                    .filter(|p| !p.is_empty())
                    .map(path_from_bytes),
            );
        } else {
            for line in std::io::stdin().lock().lines() {
                let line =
                    line.map_err(|e| anyhow::anyhow!("cannot read paths from stdin: {e}"))?;
                if line.contains('\0') {
                    let msg = "the paths on stdin are separated by NUL bytes (find -print0): \
                               add -0 to read them";
                    return Err(UsageError(msg.into()).into());
                }
                let line = line.trim_end_matches('\r');
                if !line.trim().is_empty() {
                    out.push(PathBuf::from(line));
                }
            }
        }
    }
    Ok(out)
}

/// A path from the bytes of a NUL-separated list: any bytes on Unix, UTF-8 elsewhere.
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// The options of a `convert` run: the command line, then postbook.toml for whatever the
/// command line did not give (`given` tells which options were typed), then the defaults.
fn convert_options(mut a: ConvertArgs, given: &ArgMatches) -> anyhow::Result<Options> {
    let inputs = expand_stdin(std::mem::take(&mut a.inputs), a.null)?;
    let config = match a.no_config {
        true => None,
        false => Config::find(a.config.as_deref(), &inputs)?,
    };
    if let Some(c) = config {
        apply_config(&mut a, c, given);
    }
    let covers = [
        a.images.cover.is_some(),
        a.images.auto_cover,
        a.images.no_cover,
    ];
    if covers.iter().filter(|&&c| c).count() > 1 {
        let msg = "cover, auto-cover and no-cover cannot be used together";
        return Err(UsageError(msg.into()).into());
    }
    if let Some(wrap) = a.wrap {
        check_range("wrap", wrap, 2..=MAX_WRAP, " columns")?;
    }
    let format = a.format.ok_or_else(|| {
        UsageError("no output format: give -t epub|markdown|text, or `to` in postbook.toml".into())
    })?;
    let destination = match a.output.take() {
        Some(o) if o.as_os_str() == "-" => Destination::Stdout,
        Some(o) => Destination::Dir(o),
        None => {
            let msg =
                "no output folder: give -o DIR (or -o - for stdout), or `output` in postbook.toml";
            return Err(UsageError(msg.into()).into());
        }
    };
    // Values first (a bad one in postbook.toml names its line), then how they combine.
    let images = a.images.options()?;
    let notes = a.notes.options(format, images.policy, a.group_by)?;
    check_combination(&a, format, &destination, &inputs)?;
    Ok(Options {
        inputs,
        destination,
        format,
        group_by: a.group_by,
        filters: Filters {
            since: a.since,
            until: a.until,
            categories: a.categories,
            tags: a.tags,
        },
        title: a.title,
        title_pattern: a.title_pattern,
        author: a.author,
        lang: a.lang,
        root: a.root,
        wrap: a.wrap,
        templates: a.templates,
        css: a.css,
        kepub: a.kepub,
        no_highlight: a.no_highlight,
        section_index: a.section_index,
        thumbnails: a.thumbnails,
        report: a.report,
        verbosity: a.verbosity.level(),
        images,
        cover: a.images.cover.clone(),
        auto_cover: a.images.auto_cover,
        no_cover: a.images.no_cover,
        dry_run: a.dry_run,
        low_memory: a.low_memory,
        overwrite: a.overwrite,
        rebuild: a.rebuild,
        dedupe: a.dedupe,
        drafts: a.drafts,
        keep_chrome: a.keep_chrome.unwrap_or_default(),
        catalog: a.catalog,
        notes,
        max_book_size: a.max_book_size,
    })
}

/// Refuses, before any post is read, the options that cannot work together or point at
/// nothing: a script learns of its mistake at once, with exit code 2, not after a long run.
fn check_combination(
    a: &ConvertArgs,
    format: Format,
    destination: &Destination,
    inputs: &[PathBuf],
) -> Result<(), UsageError> {
    let fail = |msg: String| Err(UsageError(msg));
    let to_stdout = matches!(destination, Destination::Stdout);
    if to_stdout && format == Format::Epub {
        return fail("EPUB cannot be written to stdout; give an output folder with -o DIR".into());
    }
    if let (Some(since), Some(until)) = (a.since, a.until) {
        if since > until {
            return fail(format!(
                "--since {since} is after --until {until}: no day is in that range"
            ));
        }
    }
    let report_to_stdout = a.report.as_ref().is_some_and(|r| r.as_os_str() == "-");
    if report_to_stdout && to_stdout {
        return fail(
            "--report - and -o - would both write to stdout; give one of them a file".into(),
        );
    }
    if report_to_stdout && a.dry_run {
        return fail(
            "--report - and --dry-run would both write to stdout; give --report a file".into(),
        );
    }
    if let Destination::Dir(out) = destination {
        let same = |input: &PathBuf| match (input.canonicalize(), out.canonicalize()) {
            (Ok(i), Ok(o)) => i == o,
            _ => false,
        };
        if let Some(input) = inputs.iter().find(|i| same(i)) {
            return fail(format!(
                "the output folder {} is the input folder: give -o a folder of its own \
                 (inside the input is fine, it is skipped when reading)",
                input.display()
            ));
        }
    }
    if a.max_book_size.is_some() && format != Format::Epub {
        return fail("--max-book-size splits EPUB books: use it with -t epub".into());
    }
    if a.max_book_size.is_some() && a.low_memory {
        return fail(
            "--max-book-size weighs every post and picture before the books are planned, \
             which --low-memory does not keep in memory: use one of them"
                .into(),
        );
    }
    if a.catalog && format != Format::Epub {
        return fail("--catalog lists EPUB books: use it with -t epub".into());
    }
    if let Some(dir) = a.templates.as_ref().filter(|d| !d.is_dir()) {
        return fail(format!("--templates {}: no such folder", dir.display()));
    }
    if let Some(css) = a.css.as_ref().filter(|c| !c.is_file()) {
        return fail(format!("--css {}: no such file", css.display()));
    }
    Ok(())
}

/// Sets each option that was not typed on the command line from the config file.
fn apply_config(a: &mut ConvertArgs, c: Config, given: &ArgMatches) {
    let typed = |id: &str| given.value_source(id) == Some(ValueSource::CommandLine);
    // `set!(field, key)`: the config's `key`, unless the option of the same name was typed;
    // `Some(key)` for an argument that is itself optional. The option's id *is* the key's
    // name (checked by `config_keys_are_convert_options`), so no string joins them.
    macro_rules! set {
        ($field:expr, Some($key:ident)) => {
            set!(@ $field, stringify!($key), $key.map(Some))
        };
        ($field:expr, $key:ident) => {
            set!(@ $field, stringify!($key), $key)
        };
        (@ $field:expr, $id:expr, $value:expr) => {
            if let Some(v) = $value.filter(|_| !typed($id)) {
                $field = v;
            }
        };
    }
    // Destructured, so that a key added to `Config` but not applied here does not compile.
    let Config {
        to,
        output,
        group_by,
        since,
        until,
        categories,
        tags,
        title,
        title_pattern,
        author,
        lang,
        root,
        wrap,
        templates,
        css,
        kepub,
        no_highlight,
        section_index,
        thumbnails,
        report,
        images,
        max_image_width,
        max_image_height,
        grayscale,
        jpeg_quality,
        image_jobs,
        max_image_bytes,
        image_timeout,
        cache_dir,
        no_cache,
        offline,
        allow_private_hosts,
        cover,
        auto_cover,
        no_cover,
        low_memory,
        overwrite,
        dedupe,
        drafts,
        keep_chrome,
        catalog,
        notes,
        links,
        attachments,
        max_book_size,
    } = c;
    set!(@ a.format, "format", to.map(Some));
    set!(a.output, Some(output));
    set!(a.group_by, Some(group_by));
    set!(a.since, Some(since));
    set!(a.until, Some(until));
    set!(a.categories, categories);
    set!(a.tags, tags);
    set!(a.title, Some(title));
    set!(a.title_pattern, Some(title_pattern));
    set!(a.author, Some(author));
    set!(a.lang, Some(lang));
    set!(a.root, Some(root));
    set!(a.wrap, Some(wrap));
    set!(a.templates, Some(templates));
    set!(a.css, Some(css));
    set!(a.kepub, kepub);
    set!(a.no_highlight, no_highlight);
    set!(a.section_index, section_index);
    set!(a.thumbnails, thumbnails);
    set!(a.report, Some(report));
    set!(a.low_memory, low_memory);
    set!(a.overwrite, overwrite);
    set!(a.dedupe, dedupe);
    set!(a.drafts, drafts);
    set!(a.keep_chrome, Some(keep_chrome));
    set!(a.catalog, catalog);
    set!(a.notes.notes, notes);
    set!(a.notes.links, links);
    set!(a.notes.attachments, Some(attachments));
    set!(a.max_book_size, Some(max_book_size));
    let i = &mut a.images;
    set!(i.images, images);
    set!(i.max_image_width, max_image_width);
    set!(i.max_image_height, max_image_height);
    set!(i.grayscale, grayscale);
    set!(i.jpeg_quality, jpeg_quality);
    set!(i.image_jobs, image_jobs);
    set!(i.max_image_bytes, max_image_bytes);
    set!(i.image_timeout, image_timeout);
    set!(i.cache_dir, Some(cache_dir));
    set!(i.no_cache, no_cache);
    set!(i.offline, offline);
    set!(i.allow_private_hosts, allow_private_hosts);
    // A cover typed on the command line replaces the file's choice of cover, whichever it is.
    if !typed("cover") && !typed("auto_cover") && !typed("no_cover") {
        set!(i.cover, Some(cover));
        set!(i.auto_cover, auto_cover);
        set!(i.no_cover, no_cover);
    }
}

/// The man page of postbook and, in sections of their own, of each command: one page a user
/// can search for any option (`postbook man -o DIR` writes one page per command instead).
fn man_page(cmd: clap::Command) -> std::io::Result<Vec<u8>> {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut roff = Vec::new();
    man.render_title(&mut roff)?;
    man.render_name_section(&mut roff)?;
    man.render_synopsis_section(&mut roff)?;
    man.render_description_section(&mut roff)?;
    man.render_options_section(&mut roff)?;
    man.render_subcommands_section(&mut roff)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_display_name().unwrap_or(sub.get_name());
        let name = name.replace('-', " ").to_uppercase();
        writeln!(roff, ".SH \"{name}\"")?;
        let man = clap_mangen::Man::new(sub.clone());
        let mut part = Vec::new();
        man.render_synopsis_section(&mut part)?;
        man.render_description_section(&mut part)?;
        man.render_options_section(&mut part)?;
        if sub.get_after_help().is_some() {
            man.render_extra_section(&mut part)?;
        }
        // The command's sections become sub-sections of its own.
        for line in String::from_utf8_lossy(&part).lines() {
            match line.strip_prefix(".SH ") {
                Some(heading) => writeln!(roff, ".SS {heading}")?,
                None => writeln!(roff, "{line}")?,
            }
        }
    }
    man.render_extra_section(&mut roff)?;
    man.render_version_section(&mut roff)?;
    // Each part defines the apostrophe string (two lines); once is enough.
    let mut seen = HashSet::new();
    let mut page = String::new();
    for line in String::from_utf8_lossy(&roff).lines() {
        let defines_aq = line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq");
        if !defines_aq || seen.insert(line.to_string()) {
            // clap_mangen heads the after-help text EXTRA: here it is always examples.
            let line = match line {
                ".SH EXTRA" => ".SH EXAMPLES",
                ".SS EXTRA" => ".SS EXAMPLES",
                _ => line,
            };
            page.push_str(line);
            page.push('\n');
        }
    }
    Ok(page.into_bytes())
}

/// Moves the `.TH` title line to the top. clap_mangen starts with an `.ie/.el` pair defining
/// an apostrophe string; some man page tools (and `file`) expect a page to open with `.TH`, and
/// the string is only used later, so the order does not matter to troff.
fn title_first(roff: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(roff);
    let mut lines: Vec<&str> = text.lines().collect();
    if let Some(i) = lines.iter().position(|l| l.starts_with(".TH ")) {
        let th = lines.remove(i);
        lines.insert(0, th);
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out.into_bytes()
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    crate::memory::configure();
    let matches = Cli::command().get_matches_from(join_keep_chrome(std::env::args_os().collect()));
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    diag::set_color(cli.color);
    match run(cli, &matches) {
        Ok(code) => code,
        Err(e) => {
            diag::error(&format!("{e:#}"));
            if e.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

fn run(cli: Cli, matches: &ArgMatches) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Convert(a) => {
            let given = matches
                .subcommand_matches("convert")
                .expect("convert was parsed");
            let options = convert_options(*a, given)?;
            crate::interrupt::install();
            let report = convert::run(&options);
            crate::interrupt::remove_abandoned_temporaries();
            let report = report?;
            Ok(if crate::interrupt::requested() {
                ExitCode::from(crate::interrupt::EXIT_CODE)
            } else if report.summary.failed > 0
                || report.catalog.as_ref().is_some_and(|c| c.error.is_some())
            {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Init { dir, force } => {
            let path = dir.join(config::FILE_NAME);
            if path.exists() && !force {
                let msg = format!("{} exists; pass --force to replace it", path.display());
                return Err(UsageError(msg).into());
            }
            std::fs::create_dir_all(&dir)?;
            crate::output::write_atomic(&path, config::EXAMPLE.as_bytes())
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            eprintln!(
                "wrote {}: remove the `# ` before the options you want",
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Inspect(a) => {
            let inputs = expand_stdin(a.inputs, a.null)?;
            let inv = inspect::inspect(&inputs, a.root, a.verbosity.level());
            if a.json {
                to_stdout(format!("{}\n", serde_json::to_string_pretty(&inv)?).as_bytes())?;
            } else {
                to_stdout(inv.to_text().as_bytes())?;
            }
            Ok(if inv.errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Catalog(a) => {
            if !a.dir.is_dir() {
                let msg = format!("{}: no such folder", a.dir.display());
                return Err(UsageError(msg).into());
            }
            let verbosity = a.verbosity.level();
            let done = crate::catalog::write(&a.dir, a.overwrite, verbosity == Verbosity::Quiet)?;
            if verbosity >= Verbosity::Normal {
                eprintln!("{}", done.summary_line());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "postbook", &mut script);
            to_stdout(&script)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { output } => {
            let cmd = Cli::command();
            match output {
                None => to_stdout(&title_first(&man_page(cmd)?))?,
                Some(dir) => {
                    std::fs::create_dir_all(&dir)?;
                    clap_mangen::generate_to(cmd, &dir)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// `postbook.toml` and `convert` are one set of options: every key of the file is the
    /// option of the same name (`to` is `--to`, whose id is `format`), and every option is a
    /// key unless it is listed here as belonging to one command line only. `apply_config`
    /// looks options up by the key's name, so a key without an option would be silently
    /// applied even when the option was typed.
    #[test]
    fn config_keys_are_convert_options() {
        /// Options that make no sense in a file kept beside the posts, and why.
        const COMMAND_LINE_ONLY: &[&str] = &[
            "inputs",    // the file is found in the first input folder
            "null",      // `-0`: how this invocation's input list is read
            "config",    // which file to read
            "no_config", // whether to read it
            "dry_run",   // a look before one run
            "rebuild",   // a one-off full rebuild
            "quiet",     // how this invocation talks
            "verbose",
            "color",
            "help",
            "version",
        ];
        let mut cli = Cli::command();
        cli.build();
        let convert = cli.find_subcommand("convert").expect("convert exists");
        let options: BTreeSet<String> = convert
            .get_arguments()
            .map(|a| a.get_id().to_string())
            .filter(|id| !COMMAND_LINE_ONLY.contains(&id.as_str()))
            .collect();
        let keys: BTreeSet<String> = crate::config::keys()
            .iter()
            .map(|k| match *k {
                "to" => "format".to_string(),
                k => k.replace('-', "_"),
            })
            .collect();
        assert!(keys.len() > 40, "keys read from serde: {keys:?}");
        let without_option: Vec<_> = keys.difference(&options).collect();
        let without_key: Vec<_> = options.difference(&keys).collect();
        assert!(
            without_option.is_empty() && without_key.is_empty(),
            "keys without an option: {without_option:?}; options without a key \
             (add one to Config, or to COMMAND_LINE_ONLY with the reason): {without_key:?}"
        );
    }
}
