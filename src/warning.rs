//! Warnings: what postbook could not render or had to guess, each of a named kind.
//!
//! Nothing may be lost silently, so every reader and writer reports what it could not keep as
//! a [`Warning`]. The kind lets the summary line say *what* went wrong at a glance
//! (`3 pictures missing, 2 unknown shortcodes`) and lets scripts filter the report by kind;
//! the message says where and why, for a person.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// One thing about a post that a user should know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub kind: WarningKind,
    pub message: String,
    /// What it is about, when the summary should name it (`notice` of unknown shortcodes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How many times it happened in the post (one warning for eight `notice` shortcodes).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub times: usize,
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

impl Warning {
    /// A warning with `message` on one line (line breaks in it, as in a formula's TeX or a
    /// parser's error, become spaces), so every warning is one line of stderr for `grep`.
    pub fn new(kind: WarningKind, message: impl Into<String>) -> Self {
        let mut message: String = message.into();
        if message.contains(['\n', '\r']) {
            message = message.split_whitespace().collect::<Vec<_>>().join(" ");
        }
        Warning {
            kind,
            message,
            name: None,
            times: 1,
        }
    }

    /// A warning about `name`, which happened `times` times in the post.
    pub fn named(kind: WarningKind, name: &str, times: usize, message: impl Into<String>) -> Self {
        Warning {
            name: Some(name.to_string()),
            times,
            ..Warning::new(kind, message)
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What a warning is about. Serialized in kebab-case (`picture-missing`) in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// The file was not valid UTF-8: decoded as a legacy encoding, or bad bytes replaced.
    Encoding,
    /// A front matter value postbook could not use (it stays in the Markdown front matter).
    FrontMatter,
    /// No date anywhere: the post goes into the undated book.
    Undated,
    /// HTML nested too deeply to read as structure; its text is kept.
    Nesting,
    /// A picture that could not be embedded (missing, unreadable, refused); its caption and
    /// link stay.
    PictureMissing,
    /// The generated cover has no glyph for some characters of its title or byline.
    CoverGlyphs,
    /// A formula that could not be converted to MathML; its TeX is shown instead.
    Math,
    /// A TeX macro defined in a post or its site whose expansion never ends or lacks an
    /// argument; the formula is left as written.
    MathMacro,
    /// A footnote reference without a definition, or a definition never referenced.
    Footnote,
    /// A Hugo shortcode postbook has no meaning for: removed, its inner content kept.
    UnknownShortcode,
    /// A Liquid tag, include, filter or variable postbook has no meaning for.
    UnknownLiquid,
    /// Liquid the engine could not parse or render: in a post (its markup removed, its text
    /// kept) or in an include (left out). Named by the post's or include's error.
    LiquidError,
    /// A `post_url`, `link` or `ref` to a post the site does not have.
    MissingPost,
    /// A link to a post of the input's site that is not in this book (another month's or
    /// volume's book, or a post not given to the run): it leads to the post's web page (the
    /// site's `url` and `baseurl` and the post's permalink), or without a `url` in the site's
    /// config its text stays unlinked.
    LinkOutsideBook,
    /// A link or picture whose URL is not valid (browsers could not follow it, EPUBCheck
    /// rejects it): its text or caption is kept without the target.
    BadLink,
    /// Characters XML 1.0 cannot carry (C0 controls other than tab and line breaks, U+FFFE,
    /// U+FFFF): removed from the post, counted one by one.
    ControlCharacters,
    /// A link to a fragment (`#setup`, `other-post.md#setup`) that is not in the book: it
    /// points at the post's web page instead (the fragment kept), or its text stays unlinked.
    BrokenAnchor,
    /// A document postbook wrote was not well-formed XML (a bug): the chapter was written
    /// again in a safe mode or as plain text, or the picture kept as a link.
    InvalidXml,
    /// A table a format could not show as it was: cells spanning rows or columns, or holding
    /// lists and paragraphs, laid out on a plain grid (Markdown, text; see
    /// [`crate::write::grid`]). Named by what was flattened.
    TableFlattened,
    /// An inline `<svg>` drawing, which the model cannot hold: its words (labels, title,
    /// description) are kept as a paragraph where it stood.
    InlineSvg,
    /// A diagram written as text for a renderer (a `mermaid` shortcode): kept as a code block
    /// in its language, not drawn.
    DiagramNotRendered,
    /// A book larger than `--max-book-size` once written: one post bigger than the limit
    /// (it has a volume of its own), or a volume whose size was underestimated. Given on the
    /// book's first post.
    BookTooLarge,
    /// A whole saved web page (an `.html` file with an `<html>` root and a `<head>`, no
    /// front matter) in which article extraction found no article: the whole page is kept,
    /// navigation and all (see [`crate::read::page`]).
    ExtractionFailed,
    /// A Distill citation (`<d-cite key>`) whose key is not in the post's bibliography, or a
    /// bibliography file that could not be read: the key is shown in brackets.
    Citation,
    /// A file a post includes that the site does not have (Hexo's `include_code` from its
    /// `code_dir`): left out.
    IncludeMissing,
}

impl WarningKind {
    /// How the summary line names `n` warnings of this kind.
    pub fn describe(self, n: usize) -> String {
        let (one, many) = match self {
            WarningKind::Encoding => ("encoding problem", "encoding problems"),
            WarningKind::FrontMatter => (
                "unusable front matter value",
                "unusable front matter values",
            ),
            WarningKind::Undated => ("undated post", "undated posts"),
            WarningKind::Nesting => ("over-nested HTML", "over-nested HTML"),
            WarningKind::PictureMissing => ("picture missing", "pictures missing"),
            WarningKind::CoverGlyphs => ("cover glyph missing", "cover glyphs missing"),
            WarningKind::Math => ("formula not converted", "formulas not converted"),
            WarningKind::MathMacro => ("unexpandable TeX macro", "unexpandable TeX macros"),
            WarningKind::Footnote => ("footnote problem", "footnote problems"),
            WarningKind::UnknownShortcode => ("unknown shortcode", "unknown shortcodes"),
            WarningKind::UnknownLiquid => ("unknown Liquid tag", "unknown Liquid tags"),
            WarningKind::LiquidError => ("Liquid error", "Liquid errors"),
            WarningKind::MissingPost => ("link to a missing post", "links to missing posts"),
            WarningKind::LinkOutsideBook => (
                "link to a post outside the book",
                "links to posts outside the book",
            ),
            WarningKind::BadLink => ("bad link URL", "bad link URLs"),
            WarningKind::ControlCharacters => {
                ("control character removed", "control characters removed")
            }
            WarningKind::BrokenAnchor => ("link to a missing anchor", "links to missing anchors"),
            WarningKind::InvalidXml => (
                "invalid XML document repaired",
                "invalid XML documents repaired",
            ),
            WarningKind::TableFlattened => ("table flattened", "tables flattened"),
            WarningKind::InlineSvg => ("inline SVG drawing dropped", "inline SVG drawings dropped"),
            WarningKind::DiagramNotRendered => ("diagram not rendered", "diagrams not rendered"),
            WarningKind::BookTooLarge => ("book over the size limit", "books over the size limit"),
            WarningKind::ExtractionFailed => (
                "page without an article found",
                "pages without an article found",
            ),
            WarningKind::Citation => ("citation not found", "citations not found"),
            WarningKind::IncludeMissing => ("included file missing", "included files missing"),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    }
}

/// Counts of warnings by kind, in a stable order (the report's `summary.warnings_by_kind`).
pub type WarningCounts = BTreeMap<WarningKind, usize>;

/// Counts of named warnings by kind, then name (the report's `summary.warnings_by_name`).
pub type WarningNames = BTreeMap<WarningKind, BTreeMap<String, usize>>;

/// Adds `w` to the counts: its `times`, and under its name when it has one.
pub fn count(w: &Warning, counts: &mut WarningCounts, names: &mut WarningNames) {
    *counts.entry(w.kind).or_default() += w.times;
    if let Some(name) = &w.name {
        *names
            .entry(w.kind)
            .or_default()
            .entry(name.clone())
            .or_default() += w.times;
    }
}

/// `12 unknown shortcodes (notice ×8, chart ×4), 3 pictures missing`: [`describe_counts`]
/// with the names counted for each kind, most frequent first.
pub fn describe_named_counts(counts: &WarningCounts, names: &WarningNames) -> String {
    let mut kinds: Vec<(WarningKind, usize)> = counts
        .iter()
        .filter(|&(_, &n)| n > 0)
        .map(|(&k, &n)| (k, n))
        .collect();
    kinds.sort_by_key(|&(k, n)| (std::cmp::Reverse(n), k));
    kinds
        .into_iter()
        .map(|(k, n)| {
            let mut text = k.describe(n);
            if let Some(by_name) = names.get(&k).filter(|m| !m.is_empty()) {
                let mut named: Vec<(&String, &usize)> = by_name.iter().collect();
                named.sort_by_key(|&(name, &n)| (std::cmp::Reverse(n), name));
                let list: Vec<String> = named
                    .into_iter()
                    .map(|(name, n)| format!("{name} ×{n}"))
                    .collect();
                text.push_str(&format!(" ({})", list.join(", ")));
            }
            text
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `3 pictures missing, 1 undated post`: the counts, most frequent first.
pub fn describe_counts(counts: &WarningCounts) -> String {
    let mut kinds: Vec<(WarningKind, usize)> = counts
        .iter()
        .filter(|&(_, &n)| n > 0)
        .map(|(&k, &n)| (k, n))
        .collect();
    kinds.sort_by_key(|&(k, n)| (std::cmp::Reverse(n), k));
    kinds
        .into_iter()
        .map(|(k, n)| k.describe(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Things postbook does not know or cannot find (template tags, posts, pictures), by name,
/// counted for one warning per name.
#[derive(Default)]
pub struct Unknown(std::collections::BTreeMap<String, usize>);

impl Unknown {
    pub fn add(&mut self, name: &str) {
        *self.0.entry(name.to_string()).or_default() += 1;
    }

    /// Takes out the names that are `name` or a key inside it (`name.x`); how many times
    /// they were noted.
    pub fn take_within(&mut self, name: &str) -> usize {
        let inside =
            |k: &String| k == name || k.strip_prefix(name).is_some_and(|r| r.starts_with('.'));
        let keys: Vec<String> = self.0.keys().filter(|k| inside(k)).cloned().collect();
        keys.iter().filter_map(|k| self.0.remove(k)).sum()
    }

    /// One warning per name: `{what} `name` (×3): …` — the form the run summary counts by kind.
    pub fn into_warnings(
        self,
        kind: WarningKind,
        what: &str,
        note: &str,
        warnings: &mut Vec<Warning>,
    ) {
        for (name, n) in self.0 {
            let times = if n > 1 {
                format!(" (×{n})")
            } else {
                String::new()
            };
            let message = format!("{what} `{name}`{times}: {note}");
            warnings.push(Warning::named(kind, &name, n, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_warning_is_one_line() {
        let w = Warning::new(
            WarningKind::Math,
            "formula not converted:\n  \\begin{x}\r\n  a \\\\ b",
        );
        assert_eq!(w.message, "formula not converted: \\begin{x} a \\\\ b");
        let kept = "two  spaces kept";
        assert_eq!(Warning::new(WarningKind::Math, kept).message, kept);
    }

    #[test]
    fn counts_are_described_most_frequent_first() {
        let mut counts = WarningCounts::new();
        counts.insert(WarningKind::Undated, 1);
        counts.insert(WarningKind::PictureMissing, 3);
        counts.insert(WarningKind::Math, 0);
        assert_eq!(
            describe_counts(&counts),
            "3 pictures missing, 1 undated post"
        );
    }

    #[test]
    fn named_counts_list_their_names() {
        let (mut counts, mut names) = (WarningCounts::new(), WarningNames::new());
        let kind = WarningKind::UnknownShortcode;
        count(
            &Warning::named(kind, "notice", 5, "x"),
            &mut counts,
            &mut names,
        );
        count(
            &Warning::named(kind, "chart", 4, "x"),
            &mut counts,
            &mut names,
        );
        count(
            &Warning::named(kind, "notice", 3, "x"),
            &mut counts,
            &mut names,
        );
        count(
            &Warning::new(WarningKind::PictureMissing, "x"),
            &mut counts,
            &mut names,
        );
        assert_eq!(
            describe_named_counts(&counts, &names),
            "12 unknown shortcodes (notice ×8, chart ×4), 1 picture missing"
        );
    }

    #[test]
    fn kinds_serialize_in_kebab_case() {
        let w = Warning::new(WarningKind::PictureMissing, "a.png: not found");
        assert_eq!(
            serde_json::to_string(&w).unwrap(),
            r#"{"kind":"picture-missing","message":"a.png: not found"}"#
        );
    }
}
