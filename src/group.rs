//! Grouping posts into books (EPUB) or sub-folders (Markdown, text).

use crate::locale::Precision;
use crate::model::Document;
use clap::ValueEnum;

/// How posts are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    /// One group with every post.
    None,
    Year,
    Month,
    Day,
    Category,
    Tag,
    Author,
}

/// A group a post belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupKey {
    /// Machine-stable identity, e.g. `month:2023-05`; the EPUB UUID derives from it.
    pub id: String,
    /// What a person reads: `2023-05`, `联合早报`, or the "no value" label.
    pub label: String,
    /// Posts without the grouped-by value (undated, uncategorized, …) sort last.
    pub missing: bool,
}

impl GroupBy {
    /// The option's value naming this grouping (`month`), as the report and `--help` write it.
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::None => "none",
            GroupBy::Year => "year",
            GroupBy::Month => "month",
            GroupBy::Day => "day",
            GroupBy::Category => "category",
            GroupBy::Tag => "tag",
            GroupBy::Author => "author",
        }
    }

    /// The groups of a post. A post with several categories or tags is in each of their groups.
    pub fn keys(self, doc: &Document) -> Vec<GroupKey> {
        let kind = match self {
            GroupBy::None => {
                return vec![GroupKey {
                    id: "all".into(),
                    label: String::new(),
                    missing: false,
                }]
            }
            other => other.name(),
        };
        let values: Vec<String> = match self {
            GroupBy::Year | GroupBy::Month | GroupBy::Day => doc
                .meta
                .date
                .map(|d| {
                    let fmt = match self {
                        GroupBy::Year => "%Y",
                        GroupBy::Month => "%Y-%m",
                        _ => "%Y-%m-%d",
                    };
                    vec![d.day().format(fmt).to_string()]
                })
                .unwrap_or_default(),
            // One book per top-level category: `前端 › CSS` and `前端 › 工具` are both `前端`.
            GroupBy::Category => {
                let mut tops: Vec<String> = Vec::new();
                for c in &doc.meta.categories {
                    let top = crate::model::category_levels(c).next().unwrap_or(c);
                    if !tops.iter().any(|t| t == top) {
                        tops.push(top.to_string());
                    }
                }
                tops
            }
            GroupBy::Tag => doc.meta.tags.clone(),
            GroupBy::Author => doc.meta.authors.clone(),
            GroupBy::None => unreachable!(),
        };
        let missing_label = match self {
            GroupBy::Category => "uncategorized",
            GroupBy::Tag => "untagged",
            GroupBy::Author => "unknown-author",
            _ => "undated",
        };
        let missing = || GroupKey {
            id: format!("{kind}:{missing_label}"),
            label: missing_label.into(),
            missing: true,
        };
        if values.is_empty() {
            return vec![missing()];
        }
        // A value that names the missing group itself (WordPress's default category
        // `Uncategorized`, kept by blogs migrated from it) is that group: not a second book
        // of the same title.
        let mut keys: Vec<GroupKey> = Vec::with_capacity(values.len());
        for v in values {
            let key = match v.eq_ignore_ascii_case(missing_label) {
                true => missing(),
                false => GroupKey {
                    id: format!("{kind}:{v}"),
                    label: v,
                    missing: false,
                },
            };
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        keys
    }

    /// Whether a group label is a date (book titles then read `Collection — 2023-05`).
    pub fn is_date(self) -> bool {
        self.date_precision().is_some()
    }

    /// How much of a date the groups span, for grouping by date.
    pub fn date_precision(self) -> Option<Precision> {
        match self {
            GroupBy::Year => Some(Precision::Year),
            GroupBy::Month => Some(Precision::Month),
            GroupBy::Day => Some(Precision::Day),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Meta, PostDate};

    #[test]
    fn group_names_are_the_option_values() {
        use clap::ValueEnum;
        for g in GroupBy::value_variants() {
            assert_eq!(g.to_possible_value().unwrap().get_name(), g.name());
        }
    }

    #[test]
    fn keys_by_month_and_tag() {
        let mut doc = Document {
            meta: Meta::default(),
            blocks: vec![],
        };
        assert_eq!(GroupBy::Month.keys(&doc)[0].label, "undated");
        doc.meta.date = Some(PostDate::Instant(
            chrono::DateTime::parse_from_rfc3339("2023-05-31T23:30:00-02:00").unwrap(),
        ));
        doc.meta.tags = vec!["a".into(), "b".into()];
        assert_eq!(GroupBy::Month.keys(&doc)[0].id, "month:2023-05");
        assert_eq!(GroupBy::Tag.keys(&doc).len(), 2);
    }

    /// A post in WordPress's default category `Uncategorized` is in the same book as posts
    /// without a category.
    #[test]
    fn a_category_named_like_the_missing_group_is_that_group() {
        let mut doc = Document {
            meta: Meta::default(),
            blocks: vec![],
        };
        let none = GroupBy::Category.keys(&doc);
        doc.meta.categories = vec!["Uncategorized".into()];
        assert_eq!(GroupBy::Category.keys(&doc), none);
        doc.meta.categories = vec!["uncategorized".into(), "Notes".into()];
        let keys = GroupBy::Category.keys(&doc);
        assert_eq!(keys[0], none[0]);
        assert_eq!(keys[1].label, "Notes");
    }

    #[test]
    fn every_grouping_has_ids_labels_and_a_missing_group() {
        let dated = Document {
            meta: Meta {
                date: Some(PostDate::Day(
                    chrono::NaiveDate::from_ymd_opt(2020, 7, 4).unwrap(),
                )),
                categories: vec!["国际".into()],
                tags: vec!["a".into(), "b".into()],
                authors: vec!["联合早报".into()],
                ..Meta::default()
            },
            blocks: vec![],
        };
        let bare = Document {
            meta: Meta::default(),
            blocks: vec![],
        };
        let ids = |g: GroupBy, d: &Document| -> Vec<(String, String, bool)> {
            g.keys(d)
                .into_iter()
                .map(|k| (k.id, k.label, k.missing))
                .collect()
        };
        let k = |id: &str, label: &str, missing: bool| (id.to_string(), label.to_string(), missing);
        assert_eq!(ids(GroupBy::None, &dated), [k("all", "", false)]);
        assert_eq!(ids(GroupBy::None, &bare), [k("all", "", false)]);
        assert_eq!(ids(GroupBy::Year, &dated), [k("year:2020", "2020", false)]);
        assert_eq!(
            ids(GroupBy::Month, &dated),
            [k("month:2020-07", "2020-07", false)]
        );
        assert_eq!(
            ids(GroupBy::Day, &dated),
            [k("day:2020-07-04", "2020-07-04", false)]
        );
        assert_eq!(
            ids(GroupBy::Category, &dated),
            [k("category:国际", "国际", false)]
        );
        assert_eq!(
            ids(GroupBy::Tag, &dated),
            [k("tag:a", "a", false), k("tag:b", "b", false)]
        );
        assert_eq!(
            ids(GroupBy::Author, &dated),
            [k("author:联合早报", "联合早报", false)]
        );
        for (g, label) in [
            (GroupBy::Year, "undated"),
            (GroupBy::Month, "undated"),
            (GroupBy::Day, "undated"),
            (GroupBy::Category, "uncategorized"),
            (GroupBy::Tag, "untagged"),
            (GroupBy::Author, "unknown-author"),
        ] {
            let kind = g.name();
            assert_eq!(ids(g, &bare), [k(&format!("{kind}:{label}"), label, true)]);
            assert_eq!(g.is_date(), label == "undated");
        }
    }
}
