//! Command-line interface: argument definitions and dispatch.

use crate::convert::{self, Destination, Filters, Format, Options, UsageError, Verbosity};
use crate::diag;
use crate::group::GroupBy;
use crate::images::fetch::FetchOptions;
use crate::images::process::ProcessOptions;
use crate::images::{ImageOptions, ImagePolicy};
use crate::inspect;
use chrono::NaiveDate;
use clap::{Args, ColorChoice, CommandFactory, Parser, Subcommand};
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
    /// Output format.
    #[arg(short = 't', long = "to", value_enum)]
    pub format: Format,
    /// Output folder, or `-` for stdout (one post, markdown or text).
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
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
    /// Folder whose style.css, chapter.xhtml or title-page.xhtml replace the built-in templates.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
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
}

impl ImageArgs {
    fn options(&self) -> Result<ImageOptions, UsageError> {
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
    let cli = Cli::parse();
    diag::set_color(cli.color);
    match run(cli) {
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

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Convert(a) => {
            let a = *a;
            let destination = if a.output.as_os_str() == "-" {
                Destination::Stdout
            } else {
                Destination::Dir(a.output)
            };
            let opts = Options {
                inputs: expand_stdin(a.inputs)?,
                destination,
                format: a.format,
                group_by: a.group_by,
                filters: Filters {
                    since: a.since,
                    until: a.until,
                    categories: a.categories,
                    tags: a.tags,
                },
                title: a.title,
                author: a.author,
                lang: a.lang,
                root: a.root,
                wrap: a.wrap,
                templates: a.templates,
                report: a.report,
                verbosity: a.verbosity.level(),
                images: a.images.options()?,
                cover: a.images.cover.clone(),
                auto_cover: a.images.auto_cover,
                dry_run: a.dry_run,
                low_memory: a.low_memory,
                overwrite: a.overwrite,
                rebuild: a.rebuild,
                dedupe: a.dedupe,
            };
            let report = convert::run(&opts)?;
            Ok(if report.summary.failed > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
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
