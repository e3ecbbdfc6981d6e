//! How postbook writes dates, counts and its few words in a language.
//!
//! Every piece of text postbook makes up itself (a book title's date, a chapter's date, the
//! contents page's month headings, the title page's and cover's counts and author line, a text
//! file's dateline) is written here, in one function per thing written, so a writer never
//! checks a language tag itself and a new language is one new [`Locale`] variant.
//!
//! Dates in titles and labels are Chinese (`2020年7月5日`), which is what most of the news
//! mirrors are written in, or ISO (`2020-07-05`) in every other language: ISO reads the same
//! everywhere and sorts as text, so a library of monthly books lines up.

use crate::model::PostDate;
use chrono::NaiveDate;

/// The style postbook writes its own text in, decided from a BCP 47 tag by [`Locale::of`].
///
/// Where the tag comes from depends on what is written: a run's book titles follow `--lang`,
/// else the languages its posts declare, else the language of their titles (one style for the
/// whole run); a book's pages follow the book's language; a text file's dateline follows its
/// post's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    /// `2020年7月5日`, `共 31 篇`, `目录`.
    Chinese,
    /// Datelines as in Chinese (`2014年9月24日 22:43`); everything else as [`Locale::English`].
    Japanese,
    /// Datelines as `2014년 9월 24일 22:43`; everything else as [`Locale::English`].
    Korean,
    /// English words (`31 posts`, `Contents`) and ISO dates; the style of every language
    /// postbook has no words for.
    English,
}

/// What an embedded player or page shows, as [`Locale::embed`] names it (the embed table is
/// [`crate::read::embed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Embedded {
    YouTube,
    Vimeo,
    Tweet,
    Instagram,
    Gist,
    Map,
    Video,
    Audio,
    /// A live code example (CodePen, JSFiddle).
    Code,
    /// Any other page shown in a frame (a plot, a slide deck, a form).
    Page,
}

/// How much of a date a label shows: a book of a year, a month or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    Year,
    Month,
    Day,
}

/// The fixed words of an EPUB's pages and navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// The contents page and its landmark.
    Contents,
    /// The cover's landmark.
    Cover,
    /// Before the title page's list of contributors.
    With,
    /// Before the title page's list of sources.
    Sources,
    /// The text of a picture without a description.
    Image,
    /// The link to a post's original.
    OriginalArticle,
    /// Before the day a post was last changed.
    Updated,
}

impl Locale {
    /// The style for a BCP 47 language tag (`zh`, `zh-Hant-TW`, `ja`, `en`); tags are
    /// case-insensitive, and `_` is taken for `-`.
    pub fn of(lang: &str) -> Locale {
        let primary = lang.split(['-', '_']).next().unwrap_or("");
        match primary.to_ascii_lowercase().as_str() {
            "zh" => Locale::Chinese,
            "ja" => Locale::Japanese,
            "ko" => Locale::Korean,
            _ => Locale::English,
        }
    }

    /// A date as a book title, a chapter or a cover shows it: `2020年7月`, `2020-07`.
    pub fn date(self, day: NaiveDate, precision: Precision) -> String {
        let format = match (self, precision) {
            (Locale::Chinese, Precision::Year) => "%Y年",
            (Locale::Chinese, Precision::Month) => "%Y年%-m月",
            (Locale::Chinese, Precision::Day) => "%Y年%-m月%-d日",
            (_, Precision::Year) => "%Y",
            (_, Precision::Month) => "%Y-%m",
            (_, Precision::Day) => "%Y-%m-%d",
        };
        day.format(format).to_string()
    }

    /// The days a book spans: `2023年5月1日 – 2023年5月31日`, `2023-05-01 – 2023-05-31`, or
    /// one day alone when the first is the last.
    pub fn date_range(self, first: NaiveDate, last: NaiveDate) -> String {
        let day = |d| self.date(d, Precision::Day);
        if first == last {
            day(first)
        } else {
            format!("{} – {}", day(first), day(last))
        }
    }

    /// The label of a book title's group of posts that have no date.
    pub fn undated(self) -> &'static str {
        match self {
            Locale::Chinese => "无日期",
            _ => "undated",
        }
    }

    /// A month heading of a book's table of contents (the month of `day`): `2023年5月`,
    /// `May 2023`; `无日期`, `Undated` for the undated posts.
    pub fn month_heading(self, day: Option<NaiveDate>) -> String {
        match (self, day) {
            (Locale::Chinese, Some(day)) => self.date(day, Precision::Month),
            (_, Some(day)) => day.format("%B %Y").to_string(),
            (Locale::Chinese, None) => self.undated().to_string(),
            (_, None) => "Undated".to_string(),
        }
    }

    /// A day heading of a book's sections (a month book's days, see
    /// [`crate::write::sections`]): `2023年5月1日`, `1 May 2023`; `无日期`, `Undated` for the
    /// undated posts.
    pub fn day_heading(self, day: Option<NaiveDate>) -> String {
        match (self, day) {
            (Locale::Chinese, Some(day)) => self.date(day, Precision::Day),
            (_, Some(day)) => day.format("%-d %B %Y").to_string(),
            (_, None) => self.month_heading(None),
        }
    }

    /// A post's date in a text file's heading, at the post's own time of day and without
    /// seconds; a day alone has no time: `2014年9月24日 22:43` in Chinese and Japanese,
    /// `2014년 9월 24일 22:43` in Korean, `24 September 2014, 22:43` otherwise.
    pub fn dateline(self, date: &PostDate) -> String {
        let (day, time) = match self {
            Locale::Chinese | Locale::Japanese => ("%Y年%-m月%-d日", "%Y年%-m月%-d日 %H:%M"),
            Locale::Korean => ("%Y년 %-m월 %-d일", "%Y년 %-m월 %-d일 %H:%M"),
            Locale::English => ("%-d %B %Y", "%-d %B %Y, %H:%M"),
        };
        match date {
            PostDate::Day(d) => d.format(day).to_string(),
            PostDate::Instant(t) => t.format(time).to_string(),
        }
    }

    /// A book's number of posts on its title page and cover: `共 31 篇`, `31 posts`, `1 post`.
    pub fn post_count(self, n: usize) -> String {
        match (self, n) {
            (Locale::Chinese, _) => format!("共 {n} 篇"),
            (_, 1) => "1 post".into(),
            (_, _) => format!("{n} posts"),
        }
    }

    /// A post's reading time on a section index page (see [`crate::write::digest`]):
    /// `阅读约 5 分钟`, `5 min read`.
    pub fn reading_time(self, minutes: u32) -> String {
        match self {
            Locale::Chinese => format!("阅读约 {minutes} 分钟"),
            _ => format!("{minutes} min read"),
        }
    }

    /// A book's description (`dc:description`): its number of posts and the days they span,
    /// `31 篇文章，2023年5月1日 – 2023年5月31日`, `31 posts, 2023-05-01 – 2023-05-31`, `1 post`.
    pub fn description(self, posts: usize, dates: Option<&str>) -> String {
        match (self, dates) {
            (Locale::Chinese, Some(r)) => format!("{posts} 篇文章，{r}"),
            (Locale::Chinese, None) => format!("{posts} 篇文章"),
            (_, Some(r)) => format!("{}, {r}", self.post_count(posts)),
            (_, None) => self.post_count(posts),
        }
    }

    /// A book's author line: its authors and how many more contributed, `甲、乙、丙等 20 位作者`,
    /// `A, B, C and 17 more`; none without authors.
    pub fn byline(self, names: &[String], more: usize) -> Option<String> {
        if names.is_empty() {
            return None;
        }
        Some(match (self, more) {
            (Locale::Chinese, 0) => names.join("、"),
            (Locale::Chinese, _) => format!("{}等 {} 位作者", names.join("、"), names.len() + more),
            (_, 0) => names.join(", "),
            (_, _) => format!("{} and {more} more", names.join(", ")),
        })
    }

    /// The words an embed's link paragraph starts with: `YouTube video`, `YouTube 视频`. A
    /// page of another site is named by its `host` (`Embedded content from plot.ly`,
    /// `来自 plot.ly 的嵌入内容`), or generically when it has none (a file of the site).
    pub fn embed(self, what: Embedded, host: Option<&str>) -> String {
        let chinese = self == Locale::Chinese;
        let words = match what {
            Embedded::YouTube if chinese => "YouTube 视频",
            Embedded::YouTube => "YouTube video",
            Embedded::Vimeo if chinese => "Vimeo 视频",
            Embedded::Vimeo => "Vimeo video",
            Embedded::Tweet if chinese => "推文",
            Embedded::Tweet => "Tweet",
            Embedded::Instagram if chinese => "Instagram 帖子",
            Embedded::Instagram => "Instagram post",
            Embedded::Gist if chinese => "Gist 代码片段",
            Embedded::Gist => "Gist",
            Embedded::Map if chinese => "地图",
            Embedded::Map => "Map",
            Embedded::Video if chinese => "视频",
            Embedded::Video => "Video",
            Embedded::Audio if chinese => "音频",
            Embedded::Audio => "Audio",
            Embedded::Code if chinese => "代码示例",
            Embedded::Code => "Code example",
            Embedded::Page => {
                return match (chinese, host) {
                    (true, Some(h)) => format!("来自 {h} 的嵌入内容"),
                    (true, None) => "嵌入内容".into(),
                    (false, Some(h)) => format!("Embedded content from {h}"),
                    (false, None) => "Embedded content".into(),
                }
            }
        };
        words.to_string()
    }

    /// A label and what it labels: `Video: clip.mp4`, `视频：clip.mp4`.
    pub fn labelled(self, label: &str, what: &str) -> String {
        match self {
            Locale::Chinese => format!("{label}：{what}"),
            _ => format!("{label}: {what}"),
        }
    }

    /// One of the fixed words of an EPUB: `目录`, `Contents`.
    pub fn label(self, label: Label) -> &'static str {
        let chinese = self == Locale::Chinese;
        match label {
            Label::Contents if chinese => "目录",
            Label::Contents => "Contents",
            Label::Cover if chinese => "封面",
            Label::Cover => "Cover",
            Label::With if chinese => "另有：",
            Label::With => "With: ",
            Label::Sources if chinese => "来源：",
            Label::Sources => "Sources: ",
            Label::Image if chinese => "图片",
            Label::Image => "image",
            Label::OriginalArticle if chinese => "原文链接",
            Label::OriginalArticle => "Original article",
            Label::Updated if chinese => "更新于",
            Label::Updated => "Updated",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_times_in_chinese_and_english() {
        assert_eq!(Locale::Chinese.reading_time(5), "阅读约 5 分钟");
        assert_eq!(Locale::English.reading_time(1), "1 min read");
        assert_eq!(Locale::Japanese.reading_time(12), "12 min read");
    }
    use crate::read::front_matter::parse_date;

    const ZH: Locale = Locale::Chinese;
    const EN: Locale = Locale::English;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn tags_of_every_script_region_and_case_get_their_style() {
        for tag in ["zh", "zh-CN", "zh-Hant-TW", "ZH_tw"] {
            assert_eq!(Locale::of(tag), ZH, "{tag}");
        }
        for tag in ["ja", "ja-JP", "JA"] {
            assert_eq!(Locale::of(tag), Locale::Japanese, "{tag}");
        }
        assert_eq!(Locale::of("ko-KR"), Locale::Korean);
        for tag in ["en", "en_GB", "fr", "", "zhx"] {
            assert_eq!(Locale::of(tag), EN, "{tag}");
        }
    }

    #[test]
    fn dates_are_chinese_or_iso() {
        let d = day(2020, 7, 5);
        assert_eq!(ZH.date(d, Precision::Year), "2020年");
        assert_eq!(ZH.date(d, Precision::Month), "2020年7月");
        assert_eq!(ZH.date(d, Precision::Day), "2020年7月5日");
        for iso in [EN, Locale::Japanese, Locale::Korean] {
            assert_eq!(iso.date(d, Precision::Year), "2020");
            assert_eq!(iso.date(d, Precision::Month), "2020-07");
            assert_eq!(iso.date(d, Precision::Day), "2020-07-05");
        }
        assert_eq!(ZH.undated(), "无日期");
        assert_eq!(EN.undated(), "undated");
    }

    #[test]
    fn a_range_of_one_day_is_that_day() {
        let (first, last) = (day(2023, 5, 1), day(2023, 5, 31));
        assert_eq!(ZH.date_range(first, last), "2023年5月1日 – 2023年5月31日");
        assert_eq!(EN.date_range(first, last), "2023-05-01 – 2023-05-31");
        assert_eq!(ZH.date_range(first, first), "2023年5月1日");
        assert_eq!(EN.date_range(last, last), "2023-05-31");
    }

    #[test]
    fn month_headings_name_the_month() {
        let d = Some(day(2023, 5, 25));
        assert_eq!(ZH.month_heading(d), "2023年5月");
        assert_eq!(EN.month_heading(d), "May 2023");
        assert_eq!(Locale::Japanese.month_heading(d), "May 2023");
        assert_eq!(ZH.month_heading(None), "无日期");
        assert_eq!(EN.month_heading(None), "Undated");
        assert_eq!(ZH.day_heading(d), "2023年5月25日");
        assert_eq!(EN.day_heading(d), "25 May 2023");
        assert_eq!(ZH.day_heading(None), "无日期");
        assert_eq!(EN.day_heading(None), "Undated");
    }

    #[test]
    fn datelines_have_the_time_when_the_post_does() {
        let t = parse_date("2014-09-24T22:43:10+08:00").unwrap();
        let d = parse_date("2014-09-04").unwrap();
        assert_eq!(ZH.dateline(&t), "2014年9月24日 22:43");
        assert_eq!(ZH.dateline(&d), "2014年9月4日");
        assert_eq!(Locale::Japanese.dateline(&d), "2014年9月4日");
        assert_eq!(Locale::Korean.dateline(&t), "2014년 9월 24일 22:43");
        assert_eq!(EN.dateline(&t), "24 September 2014, 22:43");
        assert_eq!(EN.dateline(&d), "4 September 2014");
    }

    #[test]
    fn counts_and_descriptions() {
        assert_eq!(ZH.post_count(31), "共 31 篇");
        assert_eq!(ZH.post_count(1), "共 1 篇");
        assert_eq!(EN.post_count(31), "31 posts");
        assert_eq!(EN.post_count(1), "1 post");
        let r = Some("2023-05-01 – 2023-05-31");
        assert_eq!(ZH.description(31, r), "31 篇文章，2023-05-01 – 2023-05-31");
        assert_eq!(ZH.description(31, None), "31 篇文章");
        assert_eq!(EN.description(31, r), "31 posts, 2023-05-01 – 2023-05-31");
        assert_eq!(EN.description(31, None), "31 posts");
        assert_eq!(EN.description(1, Some("2023-05-31")), "1 post, 2023-05-31");
    }

    #[test]
    fn bylines_count_the_authors_not_named() {
        let names = ["甲".to_string(), "乙".to_string(), "丙".to_string()];
        assert_eq!(ZH.byline(&names, 0).unwrap(), "甲、乙、丙");
        assert_eq!(ZH.byline(&names, 17).unwrap(), "甲、乙、丙等 20 位作者");
        assert_eq!(EN.byline(&names[..2], 0).unwrap(), "甲, 乙");
        assert_eq!(EN.byline(&names, 17).unwrap(), "甲, 乙, 丙 and 17 more");
        assert_eq!(ZH.byline(&[], 3), None);
        assert_eq!(EN.byline(&[], 0), None);
    }

    #[test]
    fn embeds_are_named_in_the_post_language() {
        assert_eq!(ZH.embed(Embedded::Video, None), "视频");
        assert_eq!(EN.embed(Embedded::YouTube, None), "YouTube video");
        assert_eq!(Locale::Japanese.embed(Embedded::Audio, None), "Audio");
        assert_eq!(
            ZH.embed(Embedded::Page, Some("plot.ly")),
            "来自 plot.ly 的嵌入内容"
        );
        assert_eq!(
            EN.embed(Embedded::Page, Some("plot.ly")),
            "Embedded content from plot.ly"
        );
        assert_eq!(EN.embed(Embedded::Page, None), "Embedded content");
        assert_eq!(ZH.labelled("视频", "a.mp4"), "视频：a.mp4");
        assert_eq!(EN.labelled("Video", "a.mp4"), "Video: a.mp4");
    }

    #[test]
    fn labels_are_chinese_or_english() {
        assert_eq!(ZH.label(Label::Contents), "目录");
        assert_eq!(EN.label(Label::Contents), "Contents");
        assert_eq!(Locale::Korean.label(Label::Cover), "Cover");
        assert_eq!(ZH.label(Label::Cover), "封面");
        assert_eq!(ZH.label(Label::With), "另有：");
        assert_eq!(EN.label(Label::With), "With: ");
        assert_eq!(ZH.label(Label::Sources), "来源：");
        assert_eq!(EN.label(Label::Sources), "Sources: ");
        assert_eq!(ZH.label(Label::Image), "图片");
        assert_eq!(EN.label(Label::Image), "image");
        assert_eq!(ZH.label(Label::OriginalArticle), "原文链接");
        assert_eq!(EN.label(Label::OriginalArticle), "Original article");
    }
}
