//! The sections of a book, as a magazine divides an issue (issue 32): each gets an index page
//! listing its articles before them, and the contents list sections, then their articles.
//!
//! What a section is follows what the book is a group of, one level finer:
//!
//! | book (`-g`)            | sections                                                     |
//! |------------------------|--------------------------------------------------------------|
//! | `year`                 | its months                                                   |
//! | `month`, `day`         | its days (a day book has one)                                |
//! | `category`             | the sub-categories of Hexo-style paths (`前端 › CSS`: `CSS`), when a post has one; else its months |
//! | `tag`, `author`, `none`| its months                                                   |
//!
//! Undated posts make a section of their own, last. Whether a book gets index pages is
//! `--section-index`'s (`auto`: two sections or more; see
//! [`crate::options::SectionIndex::wanted`]): a book of one section would list the same
//! articles twice, on its contents page and its one index page.

use crate::group::GroupBy;
use crate::locale::Locale;
use crate::model::{category_levels, Document};
use chrono::{Datelike, NaiveDate};

/// How a book is divided into sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionBy {
    Days,
    Months,
    /// The second level of the posts' categories under this top-level one (a category book's
    /// own), when any post has one; else months.
    SubCategories(String),
}

impl SectionBy {
    /// The sections of a book of the group `key` (its id, `category:前端`) of `group_by`.
    pub fn of_group(group_by: GroupBy, key: &str) -> SectionBy {
        match group_by {
            GroupBy::Month | GroupBy::Day => SectionBy::Days,
            GroupBy::Category => match key.strip_prefix("category:") {
                Some(top) => SectionBy::SubCategories(top.to_string()),
                None => SectionBy::Months,
            },
            GroupBy::Year | GroupBy::Tag | GroupBy::Author | GroupBy::None => SectionBy::Months,
        }
    }
}

/// One section: its heading and its posts, as indices into the book's posts, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub heading: String,
    pub posts: Vec<usize>,
}

/// The sections of `posts` (in reading order), in the order their first posts come; each
/// section's posts keep their order. Posts of a section are together in date-ordered books
/// whatever the division; sub-categories can interleave, and the book's chapters then follow
/// the sections' order (an article is read in its section).
pub fn sections(posts: &[&Document], by: &SectionBy, locale: Locale) -> Vec<Section> {
    let by = match by {
        SectionBy::SubCategories(top) if posts.iter().any(|d| sub_category(d, top).is_some()) => by,
        SectionBy::SubCategories(_) => &SectionBy::Months,
        other => other,
    };
    let mut out: Vec<(Key, Section)> = Vec::new();
    for (i, doc) in posts.iter().enumerate() {
        let key = key(doc, by);
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, section)) => section.posts.push(i),
            None => {
                let heading = heading(&key, locale);
                out.push((
                    key,
                    Section {
                        heading,
                        posts: vec![i],
                    },
                ));
            }
        }
    }
    // Undated posts last, as the book orders them.
    out.sort_by_key(|(k, _)| matches!(k, Key::Day(None) | Key::Month(None)));
    out.into_iter().map(|(_, s)| s).collect()
}

/// What puts a post in its section.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    Day(Option<NaiveDate>),
    Month(Option<NaiveDate>),
    /// A sub-category, or `None` for the posts in the top-level category itself.
    SubCategory(String),
}

fn key(doc: &Document, by: &SectionBy) -> Key {
    let day = doc.meta.date.map(|d| d.day());
    match by {
        SectionBy::Days => Key::Day(day),
        SectionBy::Months => Key::Month(day.and_then(|d| d.with_day(1))),
        SectionBy::SubCategories(top) => {
            Key::SubCategory(sub_category(doc, top).unwrap_or(top).to_string())
        }
    }
}

fn heading(key: &Key, locale: Locale) -> String {
    match key {
        Key::Day(day) => locale.day_heading(*day),
        Key::Month(month) => locale.month_heading(*month),
        Key::SubCategory(name) => name.clone(),
    }
}

/// The post's first category's second level under `top` (`前端 › CSS › Grid` → `CSS`).
fn sub_category<'d>(doc: &'d Document, top: &str) -> Option<&'d str> {
    doc.meta.categories.iter().find_map(|c| {
        let mut levels = category_levels(c);
        (levels.next()? == top).then(|| levels.next()).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Meta, PostDate};

    fn post(date: Option<&str>, categories: &[&str]) -> Document {
        Document {
            meta: Meta {
                date: date.map(|d| PostDate::Day(d.parse().unwrap())),
                categories: categories.iter().map(|c| c.to_string()).collect(),
                ..Meta::default()
            },
            blocks: Vec::new(),
        }
    }

    fn headings(sections: &[Section]) -> Vec<(&str, Vec<usize>)> {
        sections
            .iter()
            .map(|s| (s.heading.as_str(), s.posts.clone()))
            .collect()
    }

    #[test]
    fn a_month_book_is_divided_into_days_and_undated_posts_come_last() {
        let docs = [
            post(None, &[]),
            post(Some("2023-05-01"), &[]),
            post(Some("2023-05-01"), &[]),
            post(Some("2023-05-03"), &[]),
        ];
        let refs: Vec<&Document> = docs.iter().collect();
        let by = SectionBy::of_group(GroupBy::Month, "month:2023-05");
        assert_eq!(
            headings(&sections(&refs, &by, Locale::English)),
            [
                ("1 May 2023", vec![1, 2]),
                ("3 May 2023", vec![3]),
                ("Undated", vec![0])
            ]
        );
        let zh = sections(&refs, &by, Locale::Chinese);
        assert_eq!(zh[0].heading, "2023年5月1日");
        assert_eq!(zh[2].heading, "无日期");
    }

    #[test]
    fn year_tag_and_whole_books_are_divided_into_months() {
        let docs = [post(Some("2023-05-01"), &[]), post(Some("2023-06-30"), &[])];
        let refs: Vec<&Document> = docs.iter().collect();
        for (g, key) in [
            (GroupBy::Year, "year:2023"),
            (GroupBy::Tag, "tag:x"),
            (GroupBy::None, "all"),
        ] {
            let by = SectionBy::of_group(g, key);
            assert_eq!(
                headings(&sections(&refs, &by, Locale::English)),
                [("May 2023", vec![0]), ("June 2023", vec![1])],
                "{g:?}"
            );
        }
    }

    #[test]
    fn a_category_book_is_divided_into_sub_categories_when_it_has_some() {
        let docs = [
            post(Some("2023-05-01"), &["前端 › CSS"]),
            post(Some("2023-05-02"), &["后端", "前端 › 工具 › 构建"]),
            post(Some("2023-05-03"), &["前端"]),
            post(Some("2023-05-04"), &["前端 › CSS"]),
        ];
        let refs: Vec<&Document> = docs.iter().collect();
        let by = SectionBy::of_group(GroupBy::Category, "category:前端");
        assert_eq!(
            headings(&sections(&refs, &by, Locale::Chinese)),
            [("CSS", vec![0, 3]), ("工具", vec![1]), ("前端", vec![2])]
        );
        // Without sub-categories: months.
        let flat = [post(Some("2023-05-01"), &["后端"])];
        let refs: Vec<&Document> = flat.iter().collect();
        let by = SectionBy::of_group(GroupBy::Category, "category:后端");
        assert_eq!(
            headings(&sections(&refs, &by, Locale::Chinese)),
            [("2023年5月", vec![0])]
        );
    }
}
