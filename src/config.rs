//! `postbook.toml`: the options of a repeatable conversion, kept beside the posts.
//!
//! A nightly job should be `postbook convert posts/`, not a line of twenty flags that drifts
//! between scripts. Every key is named after the `convert` option it stands for (kebab-case,
//! `group-by = "month"` for `--group-by month`), so the `--help` text documents the file too;
//! options given on the command line win over the file. Paths in the file are taken relative to
//! the file's folder, so the job works from any working directory (cron's is `$HOME`).

use crate::options::{TitlePattern, UsageError};
use chrono::NaiveDate;
use clap::ValueEnum;
use serde::{Deserialize, Deserializer};
use std::path::{Path, PathBuf};

/// The file name postbook looks for in the input folder.
pub const FILE_NAME: &str = "postbook.toml";

/// A commented example with every key, written by `postbook init`.
pub const EXAMPLE: &str = include_str!("postbook.example.toml");

/// The keys of `postbook.toml`. All are optional; an unknown key is an error (a typo must not
/// silently build the wrong books).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    #[serde(deserialize_with = "value_enum")]
    pub to: Option<crate::options::Format>,
    pub output: Option<PathBuf>,
    #[serde(deserialize_with = "value_enum")]
    pub group_by: Option<crate::group::GroupBy>,
    #[serde(deserialize_with = "day")]
    pub since: Option<NaiveDate>,
    #[serde(deserialize_with = "day")]
    pub until: Option<NaiveDate>,
    pub categories: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
    pub title: Option<String>,
    /// Book titles per group, e.g. `"{collection} — {year}年{month}月"` (see [`TitlePattern`]).
    #[serde(deserialize_with = "title_pattern")]
    pub title_pattern: Option<TitlePattern>,
    pub author: Option<String>,
    #[serde(deserialize_with = "language")]
    pub lang: Option<String>,
    pub root: Option<PathBuf>,
    pub wrap: Option<usize>,
    pub templates: Option<PathBuf>,
    pub css: Option<PathBuf>,
    pub kepub: Option<bool>,
    pub no_highlight: Option<bool>,
    #[serde(deserialize_with = "value_enum")]
    pub section_index: Option<crate::options::SectionIndex>,
    pub thumbnails: Option<bool>,
    pub report: Option<PathBuf>,
    #[serde(deserialize_with = "value_enum")]
    pub images: Option<crate::images::ImagePolicy>,
    pub max_image_width: Option<u32>,
    pub max_image_height: Option<u32>,
    pub grayscale: Option<bool>,
    pub jpeg_quality: Option<u8>,
    pub image_jobs: Option<u16>,
    pub max_image_bytes: Option<u64>,
    pub image_timeout: Option<f64>,
    pub cache_dir: Option<PathBuf>,
    pub no_cache: Option<bool>,
    pub offline: Option<bool>,
    pub allow_private_hosts: Option<bool>,
    pub cover: Option<PathBuf>,
    pub auto_cover: Option<bool>,
    pub no_cover: Option<bool>,
    pub low_memory: Option<bool>,
    pub overwrite: Option<bool>,
    pub dedupe: Option<bool>,
    pub drafts: Option<bool>,
    /// `true` (every kind), `false`, or the kinds kept: `"related,widget"` or a list.
    #[serde(deserialize_with = "keep_chrome")]
    pub keep_chrome: Option<crate::chrome_kind::Kept>,
    pub catalog: Option<bool>,
    #[serde(deserialize_with = "value_enum")]
    pub notes: Option<crate::options::NoteStyle>,
    #[serde(deserialize_with = "value_enum")]
    pub links: Option<crate::options::LinkStyle>,
    /// Relative to the output folder, not to this file (see [`crate::options::parse_attachments`]).
    #[serde(deserialize_with = "attachments")]
    pub attachments: Option<PathBuf>,
    /// `--max-book-size`: bytes, or a string with a unit (`"50MB"`).
    #[serde(deserialize_with = "size")]
    pub max_book_size: Option<u64>,
}

impl Config {
    /// Reads and checks a config file. Errors name the file, line and column.
    pub fn load(path: &Path) -> Result<Config, UsageError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| UsageError(format!("cannot read {}: {e}", path.display())))?;
        let mut config: Config = toml::from_str(&text).map_err(|e| {
            let at = e
                .span()
                .map(|s| crate::position::line_col(&text, s.start))
                .map(|(l, c)| format!(":{l}:{c}"))
                .unwrap_or_default();
            UsageError(format!("{}{at}: {}", path.display(), e.message()))
        })?;
        config.resolve_paths(path.parent().unwrap_or(Path::new(".")));
        Ok(config)
    }

    /// The config that applies to a run: `explicit` (`--config`), else `postbook.toml` in the
    /// first input folder, else none.
    pub fn find(explicit: Option<&Path>, inputs: &[PathBuf]) -> Result<Option<Config>, UsageError> {
        if let Some(path) = explicit {
            return Config::load(path).map(Some);
        }
        let beside = inputs
            .first()
            .filter(|p| p.is_dir())
            .map(|d| d.join(FILE_NAME))
            .filter(|p| p.is_file());
        beside.map(|p| Config::load(&p)).transpose()
    }

    /// Makes the file's relative paths relative to its folder.
    fn resolve_paths(&mut self, base: &Path) {
        for path in [
            &mut self.output,
            &mut self.root,
            &mut self.templates,
            &mut self.css,
            &mut self.report,
            &mut self.cache_dir,
            &mut self.cover,
        ]
        .into_iter()
        .flatten()
        {
            if path.is_relative() && path.as_os_str() != "-" {
                *path = base.join(&*path);
            }
        }
    }
}

/// The keys of [`Config`] as the file spells them (kebab-case), read from serde's own list of
/// the struct's fields, so that a test can hold them against the `convert` options.
#[cfg(test)]
pub fn keys() -> &'static [&'static str] {
    use serde::de::{self, Visitor};
    /// A deserializer that only records the field names it is asked for.
    struct Fields<'a>(&'a mut &'static [&'static str]);
    #[derive(Debug)]
    struct Recorded;
    impl std::fmt::Display for Recorded {
        fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("fields recorded")
        }
    }
    impl std::error::Error for Recorded {}
    impl de::Error for Recorded {
        fn custom<T: std::fmt::Display>(_: T) -> Self {
            Recorded
        }
    }
    impl<'de> de::Deserializer<'de> for Fields<'_> {
        type Error = Recorded;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Recorded> {
            Err(Recorded)
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Recorded> {
            *self.0 = fields;
            Err(Recorded)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = Config::deserialize(Fields(&mut fields));
    fields
}

/// Reads an enum the way the command line does (same names and aliases, any case).
fn value_enum<'de, D: Deserializer<'de>, T: ValueEnum>(d: D) -> Result<Option<T>, D::Error> {
    let s = String::deserialize(d)?;
    T::from_str(&s, true)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

fn title_pattern<'de, D: Deserializer<'de>>(d: D) -> Result<Option<TitlePattern>, D::Error> {
    let s = String::deserialize(d)?;
    TitlePattern::parse(&s)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// `attachments`, checked as `--attachments` is ([`crate::options::parse_attachments`]).
fn attachments<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PathBuf>, D::Error> {
    let s = String::deserialize(d)?;
    crate::options::parse_attachments(&s)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// A language, normalized as `--lang` is ([`crate::options::parse_lang`]).
fn language<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    crate::options::parse_lang(&s)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// `keep_chrome`, as `--keep-chrome` takes it: `true` keeps every kind, `false` none, a string
/// or list names the kinds kept (`"related,widget"`, `["related", "widget"]`).
fn keep_chrome<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<crate::chrome_kind::Kept>, D::Error> {
    use crate::chrome_kind::Kept;
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Keep {
        All(bool),
        Text(String),
        List(Vec<String>),
    }
    match Keep::deserialize(d)? {
        Keep::All(true) => Ok(Some(Kept::ALL)),
        Keep::All(false) => Ok(Some(Kept::NONE)),
        Keep::Text(s) => Kept::parse(&s).map(Some).map_err(serde::de::Error::custom),
        Keep::List(names) => Kept::parse(&names.join(","))
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

/// A size, as `--max-book-size` takes it ([`crate::options::parse_size`]): a number of bytes
/// or a string with a unit (`"50MB"`).
fn size<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Size {
        Bytes(u64),
        Text(String),
    }
    let text = match Size::deserialize(d)? {
        Size::Bytes(n) => n.to_string(),
        Size::Text(s) => s,
    };
    crate::options::parse_size(&text)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// A day, written as a TOML date (`since = 2023-01-01`) or a string (`"2023-01-01"`).
fn day<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Day {
        Text(String),
        Toml(toml::value::Datetime),
    }
    let s = match Day::deserialize(d)? {
        Day::Text(s) => s,
        Day::Toml(dt) => dt.to_string(),
    };
    NaiveDate::parse_from_str(&s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| serde::de::Error::custom(format!("`{s}` is not a date like 2023-05-24")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, UsageError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, text).unwrap();
        Config::load(&path)
    }

    #[test]
    fn keys_read_like_the_command_line() {
        let c = parse(
            "to = \"md\"\ngroup-by = \"Category\"\nsince = 2023-01-01\nuntil = \"2023-12-31\"\n\
             images = \"embed\"\ngrayscale = true\ntags = [\"a\", \"b\"]\noutput = \"out\"\n",
        )
        .unwrap();
        assert_eq!(c.to, Some(crate::options::Format::Markdown));
        assert_eq!(c.group_by, Some(crate::group::GroupBy::Category));
        assert_eq!(c.since, NaiveDate::from_ymd_opt(2023, 1, 1));
        assert_eq!(c.until, NaiveDate::from_ymd_opt(2023, 12, 31));
        assert_eq!(c.images, Some(crate::images::ImagePolicy::Embed));
        assert_eq!(c.grayscale, Some(true));
        assert_eq!(c.tags.unwrap(), ["a", "b"]);
        // Relative to the file's folder, not to the working directory.
        assert!(c.output.unwrap().is_absolute());
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let e = parse("title = \"x\"\ngroup-by = \"week\"\n").unwrap_err().0;
        assert!(e.contains("postbook.toml:2:12"), "{e}");
        assert!(e.contains("week"), "{e}");
        let e = parse("\n\ngroupby = \"month\"\n").unwrap_err().0;
        assert!(e.contains(":3:1") && e.contains("groupby"), "{e}");
        let e = parse("since = \"May 1\"").unwrap_err().0;
        assert!(e.contains("not a date"), "{e}");
        let e = parse("max-book-size = \"50 parsecs\"").unwrap_err().0;
        assert!(e.contains("not a size"), "{e}");
        assert_eq!(
            parse("max-book-size = 300000").unwrap().max_book_size,
            Some(300_000)
        );
        let c = parse("max-book-size = \"25MiB\"").unwrap();
        assert_eq!(c.max_book_size, Some(25 << 20));
        let e = parse("title-pattern = \"{yaer}年\"").unwrap_err().0;
        assert!(e.contains("{yaer}") && e.contains("{year}"), "{e}");
    }

    /// The example `init` writes documents every key: uncommenting all of it gives a file
    /// that parses, and every key of [`Config`] is in it.
    #[test]
    fn example_documents_every_key() {
        let uncommented: String = EXAMPLE
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|s| s.contains(" = "))
                    .unwrap_or(l)
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let c = parse(&uncommented).unwrap();
        let debug = format!("{c:?}");
        // Every field was set by the example: none is left `None`.
        assert!(
            !debug.contains("None"),
            "keys missing from the example: {debug}"
        );
        parse(EXAMPLE).unwrap();
    }
}
