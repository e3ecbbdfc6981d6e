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
}

impl Warning {
    pub fn new(kind: WarningKind, message: impl Into<String>) -> Self {
        Warning {
            kind,
            message: message.into(),
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
    /// A footnote reference without a definition, or a definition never referenced.
    Footnote,
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
            WarningKind::Footnote => ("footnote problem", "footnote problems"),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    }
}

/// Counts of warnings by kind, in a stable order (the report's `summary.warnings_by_kind`).
pub type WarningCounts = BTreeMap<WarningKind, usize>;

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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn kinds_serialize_in_kebab_case() {
        let w = Warning::new(WarningKind::PictureMissing, "a.png: not found");
        assert_eq!(
            serde_json::to_string(&w).unwrap(),
            r#"{"kind":"picture-missing","message":"a.png: not found"}"#
        );
    }
}
