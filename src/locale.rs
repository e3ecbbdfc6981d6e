//! How dates and labels read in a book's language.
//!
//! Two styles: Chinese (`2020年7月5日`), which is what most of the news mirrors are written in,
//! and everything else, which keeps ISO dates (`2020-07-05`): they read the same in every
//! language and sort as text, so a library of monthly books lines up.

use chrono::NaiveDate;

/// The date and label style of a book or a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    /// `2020年7月5日`, `无日期`.
    Chinese,
    /// ISO dates, English words.
    Neutral,
}

/// How much of a date a label shows: a book of a year, a month or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    Year,
    Month,
    Day,
}

impl Locale {
    /// The style for a BCP 47 language tag (`zh`, `zh-Hant-TW`, `en`).
    pub fn of(lang: &str) -> Locale {
        let primary = lang.split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("zh") {
            Locale::Chinese
        } else {
            Locale::Neutral
        }
    }

    /// A date as a title or chapter shows it: `2020年7月`, `2020-07`.
    pub fn date(self, day: NaiveDate, precision: Precision) -> String {
        let format = match (self, precision) {
            (Locale::Chinese, Precision::Year) => "%Y年",
            (Locale::Chinese, Precision::Month) => "%Y年%-m月",
            (Locale::Chinese, Precision::Day) => "%Y年%-m月%-d日",
            (Locale::Neutral, Precision::Year) => "%Y",
            (Locale::Neutral, Precision::Month) => "%Y-%m",
            (Locale::Neutral, Precision::Day) => "%Y-%m-%d",
        };
        day.format(format).to_string()
    }

    /// The label of the posts that have no date.
    pub fn undated(self) -> &'static str {
        match self {
            Locale::Chinese => "无日期",
            Locale::Neutral => "undated",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_tags_of_every_script_and_region_get_chinese_dates() {
        let day = NaiveDate::from_ymd_opt(2020, 7, 5).unwrap();
        for tag in ["zh", "zh-CN", "zh-Hant-TW", "ZH_tw"] {
            assert_eq!(Locale::of(tag), Locale::Chinese, "{tag}");
        }
        let zh = Locale::Chinese;
        assert_eq!(zh.date(day, Precision::Year), "2020年");
        assert_eq!(zh.date(day, Precision::Month), "2020年7月");
        assert_eq!(zh.date(day, Precision::Day), "2020年7月5日");
        for tag in ["en", "ja", "", "zhx"] {
            assert_eq!(Locale::of(tag), Locale::Neutral, "{tag}");
        }
        let iso = Locale::Neutral;
        assert_eq!(iso.date(day, Precision::Month), "2020-07");
        assert_eq!(iso.date(day, Precision::Day), "2020-07-05");
    }
}
