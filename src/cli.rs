//! Command-line interface: argument definitions and dispatch.

use crate::config::{self, Config, TitlePattern};
use crate::convert::{self, Destination, Filters, Format, Options, UsageError, Verbosity};
use crate::diag;
use crate::group::GroupBy;
use crate::images::fetch::FetchOptions;
use crate::images::process::ProcessOptions;
use crate::images::{ImageOptions, ImagePolicy};
use crate::inspect;
use chrono::NaiveDate;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, ColorChoice, CommandFactory, FromArgMatches, Parser, Subcommand};
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
    /// Print the man page (roff), or write one page per command into a folder.
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
    /// Book language as a BCP 47 tag (EPUB), instead of detecting it from the text.
    #[arg(long)]
    pub lang: Option<String>,
    /// Site root for `/absolute` image paths; no image outside it is read. Default: the input folder.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Wrap plain text at this many display columns (CJK characters count two).
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
    /// postbook replaces only its own untouched earlier output and refuses anything else.
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
    /// Keep the site's chrome in the posts: newsletter boxes, share bars, "read more" link lists,
    /// promos, "click to enlarge" prompts, the mirror's footer and boilerplate repeated across
    /// a source's posts. Without it they are removed (the report counts them; -v lists them).
    #[arg(long)]
    pub keep_chrome: bool,
    #[command(flatten)]
    pub verbosity: VerbosityArgs,
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
    /// Downscale pictures wider than this (pixels).
    #[arg(long, default_value_t = ProcessOptions::default().max_width, value_name = "PX")]
    pub max_image_width: u32,
    /// Downscale pictures taller than this (pixels).
    #[arg(long, default_value_t = ProcessOptions::default().max_height, value_name = "PX")]
    pub max_image_height: u32,
    /// Convert pictures to greyscale (smaller books; e-ink shows grey anyway).
    #[arg(long)]
    pub grayscale: bool,
    /// JPEG quality for re-encoded pictures (1-100).
    #[arg(long, default_value_t = ProcessOptions::default().jpeg_quality, value_parser = clap::value_parser!(u8).range(1..=100), value_name = "Q")]
    pub jpeg_quality: u8,
    /// Downloads at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256), value_name = "N")]
    pub image_jobs: u16,
    /// Refuse pictures larger than this many bytes.
    #[arg(long, default_value_t = 20_000_000, value_name = "BYTES")]
    pub max_image_bytes: u64,
    /// Connect and read timeout per download, in seconds.
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

impl ImageArgs {
    fn options(&self) -> Result<ImageOptions, UsageError> {
        // Checked here, not only by clap: postbook.toml's values do not pass through clap.
        if !(1..=100).contains(&self.jpeg_quality) {
            return Err(UsageError("jpeg-quality must be from 1 to 100".into()));
        }
        if self.image_jobs == 0 {
            return Err(UsageError("image-jobs must be at least 1".into()));
        }
        if !(self.image_timeout > 0.0 && self.image_timeout.is_finite()) {
            return Err(UsageError(
                "--image-timeout must be a positive number of seconds".into(),
            ));
        }
        let cache_dir = match (&self.cache_dir, self.no_cache) {
            (_, true) => None,
            (Some(d), false) => Some(d.clone()),
            (None, false) => FetchOptions::default_cache_dir(),
        };
        Ok(ImageOptions {
            policy: self.images,
            process: ProcessOptions {
                max_width: self.max_image_width.max(1),
                max_height: self.max_image_height.max(1),
                grayscale: self.grayscale,
                jpeg_quality: self.jpeg_quality,
            },
            fetch: FetchOptions {
                cache_dir,
                offline: self.offline,
                max_bytes: self.max_image_bytes,
                timeout: std::time::Duration::from_secs_f64(self.image_timeout),
                attempts: 3,
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

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date like 2023-05-24"))
}

/// Replaces a `-` input with the paths listed on stdin, one per line.
fn expand_stdin(inputs: Vec<PathBuf>) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::with_capacity(inputs.len());
    for input in inputs {
        if input.as_os_str() == "-" {
            for line in std::io::stdin().lock().lines() {
                let line = line?;
                let line = line.trim_end_matches('\r');
                if !line.trim().is_empty() {
                    out.push(PathBuf::from(line));
                }
            }
        } else {
            out.push(input);
        }
    }
    Ok(out)
}

/// The options of a `convert` run: the command line, then postbook.toml for whatever the
/// command line did not give (`given` tells which options were typed), then the defaults.
fn convert_options(mut a: ConvertArgs, given: &ArgMatches) -> anyhow::Result<Options> {
    let inputs = expand_stdin(std::mem::take(&mut a.inputs))?;
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
    let format = a.format.ok_or_else(|| {
        UsageError("no output format: give -t epub|markdown|text, or `to` in postbook.toml".into())
    })?;
    let destination = match a.output {
        Some(o) if o.as_os_str() == "-" => Destination::Stdout,
        Some(o) => Destination::Dir(o),
        None => {
            let msg =
                "no output folder: give -o DIR (or -o - for stdout), or `output` in postbook.toml";
            return Err(UsageError(msg.into()).into());
        }
    };
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
        report: a.report,
        verbosity: a.verbosity.level(),
        images: a.images.options()?,
        cover: a.images.cover.clone(),
        auto_cover: a.images.auto_cover,
        no_cover: a.images.no_cover,
        dry_run: a.dry_run,
        low_memory: a.low_memory,
        overwrite: a.overwrite,
        rebuild: a.rebuild,
        dedupe: a.dedupe,
        keep_chrome: a.keep_chrome,
    })
}

/// Sets each option that was not typed on the command line from the config file.
fn apply_config(a: &mut ConvertArgs, c: Config, given: &ArgMatches) {
    let typed = |id: &str| given.value_source(id) == Some(ValueSource::CommandLine);
    // `set!(field, id, value)`: the config's value, unless the option `id` was typed.
    macro_rules! set {
        ($field:expr, $id:literal, $value:expr) => {
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
        cover,
        auto_cover,
        no_cover,
        low_memory,
        overwrite,
        dedupe,
        keep_chrome,
    } = c;
    set!(a.format, "format", to.map(Some));
    set!(a.output, "output", output.map(Some));
    set!(a.group_by, "group_by", group_by.map(Some));
    set!(a.since, "since", since.map(Some));
    set!(a.until, "until", until.map(Some));
    set!(a.categories, "categories", categories);
    set!(a.tags, "tags", tags);
    set!(a.title, "title", title.map(Some));
    set!(a.title_pattern, "title_pattern", title_pattern.map(Some));
    set!(a.author, "author", author.map(Some));
    set!(a.lang, "lang", lang.map(Some));
    set!(a.root, "root", root.map(Some));
    set!(a.wrap, "wrap", wrap.map(Some));
    set!(a.templates, "templates", templates.map(Some));
    set!(a.css, "css", css.map(Some));
    set!(a.kepub, "kepub", kepub);
    set!(a.report, "report", report.map(Some));
    set!(a.low_memory, "low_memory", low_memory);
    set!(a.overwrite, "overwrite", overwrite);
    set!(a.dedupe, "dedupe", dedupe);
    set!(a.keep_chrome, "keep_chrome", keep_chrome);
    let i = &mut a.images;
    set!(i.images, "images", images);
    set!(i.max_image_width, "max_image_width", max_image_width);
    set!(i.max_image_height, "max_image_height", max_image_height);
    set!(i.grayscale, "grayscale", grayscale);
    set!(i.jpeg_quality, "jpeg_quality", jpeg_quality);
    set!(i.image_jobs, "image_jobs", image_jobs);
    set!(i.max_image_bytes, "max_image_bytes", max_image_bytes);
    set!(i.image_timeout, "image_timeout", image_timeout);
    set!(i.cache_dir, "cache_dir", cache_dir.map(Some));
    set!(i.no_cache, "no_cache", no_cache);
    set!(i.offline, "offline", offline);
    // A cover typed on the command line replaces the file's choice of cover, whichever it is.
    if !typed("cover") && !typed("auto_cover") && !typed("no_cover") {
        set!(i.cover, "cover", cover.map(Some));
        set!(i.auto_cover, "auto_cover", auto_cover);
        set!(i.no_cover, "no_cover", no_cover);
    }
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
    let matches = Cli::command().get_matches();
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
            let report = convert::run(&convert_options(*a, given)?)?;
            Ok(if report.summary.failed > 0 {
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
            let inv = inspect::inspect(&expand_stdin(a.inputs)?, a.root, a.verbosity.level());
            if a.json {
                println!("{}", serde_json::to_string_pretty(&inv)?);
            } else {
                print!("{}", inv.to_text());
            }
            Ok(if inv.errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "postbook", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { output } => {
            let cmd = Cli::command();
            match output {
                None => {
                    let mut roff = Vec::new();
                    clap_mangen::Man::new(cmd).render(&mut roff)?;
                    std::io::stdout().write_all(&title_first(&roff))?;
                }
                Some(dir) => {
                    std::fs::create_dir_all(&dir)?;
                    clap_mangen::generate_to(cmd, &dir)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
