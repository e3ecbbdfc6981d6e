//! The options of a conversion: what to read, how to shape and title the outputs, where they
//! go. The bottom of the pipeline: every stage takes the part of [`Options`] it needs, and this
//! module imports no stage.

use crate::group::GroupBy;
use crate::images::ImageOptions;
use crate::model::Document;
use chrono::NaiveDate;
use clap::ValueEnum;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// An error in how postbook was called (exit code 2), as opposed to a failure while working.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// `--lang` (and `lang` in postbook.toml): a language as a valid BCP 47 tag
/// ([`crate::lang::normalize`]), or a usage error naming the value.
pub fn parse_lang(s: &str) -> Result<String, String> {
    crate::lang::normalize(s).ok_or_else(|| {
        format!("`{s}` is not a language tag postbook knows; give a BCP 47 tag such as zh-CN, zh-Hant, en or en-US")
    })
}

/// The smallest `--max-book-size`: a book's own pages, stylesheet and drawn cover take tens
/// of kilobytes before any post.
pub const MIN_BOOK_SIZE: u64 = 200_000;

/// `--max-book-size` (and `max-book-size` in postbook.toml): a size in bytes, plain (`800000`)
/// or with a unit — decimal `k`/`kB`, `M`/`MB`, `G`/`GB` (Send to Kindle's 50 MB is decimal) or
/// binary `KiB`, `MiB`, `GiB`, in any case — at least [`MIN_BOOK_SIZE`].
pub fn parse_size(s: &str) -> Result<u64, String> {
    let text = s.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let unit = unit.trim().to_ascii_lowercase();
    let factor: u64 = match unit.as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "`{s}` is not a size: give bytes or a unit, e.g. 50MB, 25MiB, 800k"
            ))
        }
    };
    let value: f64 = number
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| {
            format!("`{s}` is not a size: give bytes or a unit, e.g. 50MB, 25MiB, 800k")
        })?;
    let bytes = (value * factor as f64).round();
    if bytes < MIN_BOOK_SIZE as f64 || bytes > u64::MAX as f64 / 2.0 {
        return Err(format!(
            "`{s}` is not a book size postbook can keep to: give at least {MIN_BOOK_SIZE} bytes (200k)"
        ));
    }
    Ok(bytes as u64)
}

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
#[derive(Debug, Clone, Default, Serialize)]
pub struct Filters {
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub categories: Vec<String>,
    pub tags: Vec<String>,
}

impl Filters {
    /// Whether any filter is set.
    pub fn is_active(&self) -> bool {
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
        let same =
            |h: &str, w: &str| h.eq_ignore_ascii_case(w) || h.to_lowercase() == w.to_lowercase();
        let any = |wanted: &[String], have: &[String]| {
            wanted.is_empty() || wanted.iter().any(|w| have.iter().any(|h| same(h, w)))
        };
        // A category path matches its top level too (`前端 › CSS` is in `--category 前端`), as
        // `-g category` makes one book per top-level category.
        let top = |c: &String| {
            crate::model::category_levels(c)
                .next()
                .unwrap_or(c)
                .to_string()
        };
        let tops: Vec<String> = doc.meta.categories.iter().map(top).collect();
        let category = self.categories.is_empty()
            || any(&self.categories, &doc.meta.categories)
            || any(&self.categories, &tops);
        category && any(&self.tags, &doc.meta.tags)
    }
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
    /// Which books get magazine-style section index pages (`--section-index`).
    pub section_index: SectionIndex,
    /// A small picture beside each article of a section index page (`--thumbnails`).
    pub thumbnails: bool,
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
    /// Replace existing outputs even when a user edited them (see [`crate::output::write_output`]).
    pub overwrite: bool,
    /// Read every post and render every output, even when the output folder's manifest shows
    /// they are up to date (re-runs are otherwise incremental: see [`crate::incremental`]).
    pub rebuild: bool,
    /// Convert posts with the same source (or, without one, the same title and day) once:
    /// see [`crate::convert::plan::duplicate_key`].
    pub dedupe: bool,
    /// Convert unpublished posts too (`--drafts`): see [`crate::read`]'s draft marks and
    /// [`crate::input::discover`].
    pub drafts: bool,
    /// The kinds of site chrome (share bars, newsletter boxes, related links, …) kept instead
    /// of removed (`--keep-chrome [KINDS]`): see [`crate::read::chrome`].
    pub keep_chrome: crate::chrome_kind::Kept,
    /// Keep an OPDS catalog of the output folder's books current (`--catalog`, EPUB only):
    /// see [`crate::catalog`].
    pub catalog: bool,
    /// How notes are written for a note app (Markdown only).
    pub notes: NoteOptions,
    /// Split a group whose book would be larger than this many bytes into volumes
    /// (`--max-book-size`, EPUB only): see [`crate::convert::volumes`].
    pub max_book_size: Option<u64>,
}

/// Which books get a section index page before each section's articles (`--section-index`):
/// see [`crate::write::sections`] for what a section is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SectionIndex {
    /// Books of two sections or more: a book of one section has only its contents page.
    #[default]
    Auto,
    /// Every book, even one of one section.
    Always,
    /// No book.
    Never,
}

impl SectionIndex {
    /// Whether a book of `sections` sections gets index pages.
    pub fn wanted(self, sections: usize) -> bool {
        match self {
            SectionIndex::Auto => sections > 1,
            SectionIndex::Always => sections > 0,
            SectionIndex::Never => false,
        }
    }
}

// --- Notes for note apps (issue 32): `--notes`, `--links`, `--attachments`. ---

/// How notes hold their metadata, and how they are laid out (`--notes`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteStyle {
    /// YAML front matter (`---` … `---`), which Obsidian, static site generators and postbook
    /// itself read; notes in the output folder (or its group sub-folders).
    #[default]
    FrontMatter,
    /// A Logseq graph: `key:: value` page properties on the first lines, pages in `pages/`,
    /// pictures in `assets/`, links between pages as page references.
    Logseq,
}

/// How a note links to another note and shows a saved picture (`--links`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkStyle {
    /// `[text](other-note.md)` and `![alt](assets/x.png)`: any Markdown reader follows them.
    #[default]
    Markdown,
    /// Obsidian's `[[other-note|text]]` and `![[x.png]]`, which Obsidian keeps up to date when
    /// notes are renamed or moved.
    Wikilinks,
}

/// How notes are written for a note app: `--notes`, `--links`, `--attachments`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NoteOptions {
    pub style: NoteStyle,
    pub links: LinkStyle,
    /// `--attachments DIR`: where `--images embed` saves pictures, relative to the output
    /// folder (checked by [`parse_attachments`]).
    pub attachments: Option<PathBuf>,
}

/// Where `--images embed` saves pictures beside notes, unless `--attachments` says otherwise.
pub const ASSETS_DIR: &str = "assets";

/// Where a Logseq graph keeps its pages.
pub const LOGSEQ_PAGES_DIR: &str = "pages";

impl NoteOptions {
    /// The folder, relative to the output folder, that holds the notes: `pages/` in a Logseq
    /// graph, else the output folder itself.
    pub fn notes_dir(&self) -> &'static str {
        match self.style {
            NoteStyle::FrontMatter => "",
            NoteStyle::Logseq => LOGSEQ_PAGES_DIR,
        }
    }

    /// The folder, relative to the output folder, where saved pictures go.
    pub fn attachments_dir(&self) -> &Path {
        self.attachments.as_deref().unwrap_or(Path::new(ASSETS_DIR))
    }

    /// Whether note file names must be unique in the whole output folder, not only in their
    /// own sub-folder: wikilinks and Logseq page references name a note by its file name alone.
    pub fn unique_names(&self) -> bool {
        self.links == LinkStyle::Wikilinks || self.style == NoteStyle::Logseq
    }
}

/// `--attachments DIR`: a folder inside the output folder. An absolute path or one that climbs
/// out with `..` is refused: postbook writes nothing outside the folder it was given.
pub fn parse_attachments(s: &str) -> Result<PathBuf, String> {
    use std::path::Component;
    let path = PathBuf::from(s.trim_end_matches(['/', '\\']));
    if path.as_os_str().is_empty() {
        return Err("give a folder name, such as `attachments`".into());
    }
    if path.is_absolute() || path.has_root() {
        return Err(format!(
            "`{s}` is absolute; give a folder inside the output folder, such as `attachments`"
        ));
    }
    for c in path.components() {
        match c {
            Component::Normal(_) | Component::CurDir => {}
            _ => {
                return Err(format!(
                    "`{s}` leads out of the output folder; give a folder inside it, such as `attachments`"
                ))
            }
        }
    }
    let path: PathBuf = path
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    if path.as_os_str().is_empty() {
        return Err(format!(
            "`{s}` is the output folder itself; give a folder inside it, such as `attachments`"
        ));
    }
    Ok(path)
}

/// Above this many posts, `convert` streams (see [`Options::low_memory`]).
pub const STREAM_ABOVE: usize = 5_000;

impl Options {
    /// The format's own grouping unless `--group-by` says otherwise: a book per month for
    /// EPUB, one folder of notes otherwise.
    pub fn group_by(&self) -> GroupBy {
        self.group_by.unwrap_or(match self.format {
            Format::Epub => GroupBy::Month,
            Format::Markdown | Format::Text => GroupBy::None,
        })
    }

    /// Where local pictures are looked for and may not leave: `--root`, else the first input
    /// folder (or a file's folder).
    pub fn image_root(&self) -> PathBuf {
        let opts = self;
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
}

/// A book title pattern such as `{collection} — {year}年{month}月`: literal text with
/// `{placeholder}`s ([`TitlePattern::PLACEHOLDERS`]); `{{` and `}}` are literal braces.
/// Checked when the config is read, so a typo fails before any work is done.
#[derive(Debug, Clone, Serialize)]
pub struct TitlePattern(Vec<Piece>);

#[derive(Debug, Clone, Serialize)]
enum Piece {
    Text(String),
    Field(String),
}

impl TitlePattern {
    /// What a pattern may use.
    pub const PLACEHOLDERS: &'static [&'static str] = &[
        "collection",
        "group",
        "author",
        "year",
        "month",
        "month2",
        "day",
        "day2",
        "count",
    ];

    pub fn parse(pattern: &str) -> Result<TitlePattern, String> {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek()) {
                ('{', Some('{')) | ('}', Some('}')) => {
                    chars.next();
                    text.push(c);
                }
                ('{', _) => {
                    let (mut name, mut closed) = (String::new(), false);
                    for c in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        name.push(c);
                    }
                    if !closed {
                        return Err(format!(
                            "`{{{name}` is not closed (write `{{{{` for a brace)"
                        ));
                    }
                    if !Self::PLACEHOLDERS.contains(&name.as_str()) {
                        return Err(format!(
                            "unknown placeholder {{{name}}}; use {}",
                            Self::PLACEHOLDERS
                                .iter()
                                .map(|p| format!("{{{p}}}"))
                                .collect::<Vec<_>>()
                                .join(" ")
                        ));
                    }
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                    pieces.push(Piece::Field(name));
                }
                ('}', _) => return Err("a lone `}` (write `}}` for a brace)".into()),
                _ => text.push(c),
            }
        }
        pieces.push(Piece::Text(text));
        Ok(TitlePattern(pieces))
    }

    /// Fills the pattern; `value` answers each placeholder.
    pub fn render(&self, value: impl Fn(&str) -> String) -> String {
        self.0
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Field(f) => value(f),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_take_decimal_and_binary_units() {
        use super::parse_size;
        assert_eq!(parse_size("50MB"), Ok(50_000_000));
        assert_eq!(parse_size("25MiB"), Ok(25 << 20));
        assert_eq!(parse_size("800k"), Ok(800_000));
        assert_eq!(parse_size("2.5 mb"), Ok(2_500_000));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("300000"), Ok(300_000));
        for bad in ["", "MB", "50 parsecs", "-5MB", "1e9", "100k", "NaNMB"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    use super::*;

    fn post(date: Option<(i32, u32, u32)>, categories: &[&str], tags: &[&str]) -> Document {
        let date = date.map(|(y, m, d)| {
            crate::model::PostDate::Day(NaiveDate::from_ymd_opt(y, m, d).unwrap())
        });
        Document {
            meta: crate::model::Meta {
                date,
                categories: categories.iter().map(|c| c.to_string()).collect(),
                tags: tags.iter().map(|t| t.to_string()).collect(),
                ..Default::default()
            },
            blocks: vec![],
        }
    }

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn no_filter_keeps_everything() {
        let none = Filters::default();
        assert!(!none.is_active());
        assert!(none.accepts(&post(None, &[], &[])));
        assert!(none.accepts(&post(Some((2020, 1, 1)), &["a"], &["b"])));
    }

    #[test]
    fn date_bounds_are_inclusive_and_fail_undated_posts() {
        let f = Filters {
            since: day(2020, 7, 1),
            until: day(2020, 7, 31),
            ..Filters::default()
        };
        assert!(f.is_active());
        assert!(f.accepts(&post(Some((2020, 7, 1)), &[], &[])));
        assert!(f.accepts(&post(Some((2020, 7, 31)), &[], &[])));
        assert!(!f.accepts(&post(Some((2020, 6, 30)), &[], &[])));
        assert!(!f.accepts(&post(Some((2020, 8, 1)), &[], &[])));
        assert!(!f.accepts(&post(None, &[], &[])));
        let since = Filters {
            since: day(2020, 7, 1),
            ..Filters::default()
        };
        assert!(since.accepts(&post(Some((2030, 1, 1)), &[], &[])));
        assert!(!since.accepts(&post(None, &[], &[])));
    }

    #[test]
    fn names_match_any_case_insensitively_and_all_kinds_must_match() {
        let f = Filters {
            categories: vec!["news".into(), "Économie".into()],
            tags: vec!["中国".into()],
            ..Filters::default()
        };
        assert!(f.accepts(&post(None, &["NEWS"], &["中国", "x"])));
        assert!(f.accepts(&post(None, &["économie"], &["中国"])));
        // A category matches, no tag does.
        assert!(!f.accepts(&post(None, &["news"], &["美国"])));
        assert!(!f.accepts(&post(None, &[], &["中国"])));
        let tags_only = Filters {
            tags: vec!["Rust".into()],
            ..Filters::default()
        };
        assert!(tags_only.accepts(&post(None, &["anything"], &["rust"])));
    }

    #[test]
    fn attachments_stay_inside_the_output_folder() {
        assert_eq!(
            parse_attachments("attachments/").unwrap(),
            PathBuf::from("attachments")
        );
        assert_eq!(
            parse_attachments("./media/pictures").unwrap(),
            PathBuf::from("media/pictures")
        );
        for bad in ["/tmp/x", "../x", "a/../../x", "a/..", "", ".", "./"] {
            assert!(parse_attachments(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn title_patterns() {
        let p = TitlePattern::parse("{collection} — {year}年{month}月 {{{count}}}").unwrap();
        let title = p.render(|f| match f {
            "collection" => "联合早报".into(),
            "year" => "2023".into(),
            "month" => "5".into(),
            "count" => "12".into(),
            _ => unreachable!(),
        });
        assert_eq!(title, "联合早报 — 2023年5月 {12}");
        assert!(TitlePattern::parse("a } b").is_err());
        assert!(TitlePattern::parse("{nope}").is_err());
        let e = TitlePattern::parse("{collection} {year").unwrap_err();
        assert!(e.contains("`{year` is not closed"), "{e}");
        assert!(TitlePattern::parse("{").is_err());
        assert_eq!(
            TitlePattern::parse("{{year")
                .unwrap()
                .render(|_| unreachable!()),
            "{year"
        );
    }
}
