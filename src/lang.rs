//! Language tags for book metadata (`dc:language`, `lang` attributes): normalized when given,
//! detected when not.
//!
//! E-readers use the language for hyphenation, fonts and CJK line breaking, so a wrong or missing
//! one is visible, and Send to Kindle refuses a book whose `dc:language` is not a real BCP 47
//! tag (`zh_CN`, `us`, `C`). Front matter wins; otherwise the text is classified with `whatlang`.

use crate::model::{plain_text, walk, Block, Document, Node};

/// The post's language: from front matter, else detected from its title and opening text.
pub fn of_document(doc: &Document) -> Option<String> {
    if let Some(l) = &doc.meta.lang {
        return Some(l.clone());
    }
    // The title and the body's own paragraphs and headings (not lists, quotes or notes, which
    // are more often quoted or foreign), up to about 2,000 bytes.
    let mut sample = doc.meta.title.clone();
    walk(&doc.blocks, &mut |node| {
        if let Node::Block(Block::Paragraph(c) | Block::Heading { content: c, .. }) = node {
            if sample.len() <= 2000 {
                sample.push('\n');
                sample.push_str(&plain_text(c));
            }
        }
        false
    });
    detect(&sample)
}

/// `raw` — a language as front matter, a site's config or `--lang` give it — as a valid BCP 47
/// tag, or `None` when it names no language postbook can tell.
///
/// Accepted: tags in any case and with `_` (`zh_CN`, `en-us` → `zh-CN`, `en-US`), POSIX locale
/// names (`zh_CN.UTF-8`), three-letter codes with a two-letter one (`eng` → `en`, as BCP 47
/// requires), English names with an optional region (`English (US)` → `en-US`), and a
/// language's name in its own script (`中文` → `zh`, `简体中文` → `zh-Hans`, `日本語` → `ja`).
/// Refused: a primary subtag that is not an ISO 639 language (`us`, `C`, `xx`), anything not
/// well-formed (`xx-!!`), `und` and private-use tags (they say nothing to a reader).
pub fn normalize(raw: &str) -> Option<String> {
    let s = raw.trim();
    // POSIX locales: `zh_CN.UTF-8`, `de_DE@euro`.
    let s = s.split(['.', '@']).next().unwrap_or("").replace('_', "-");
    if let Some(tag) = as_tag(&s) {
        return Some(tag);
    }
    by_name(&s)
}

/// A well-formed tag whose primary language is a real one, in canonical case.
fn as_tag(s: &str) -> Option<String> {
    let tag = oxilangtag::LanguageTag::parse_and_normalize(s).ok()?;
    let primary = tag.primary_language();
    let language = match primary.len() {
        2 => isolang::Language::from_639_1(primary)?,
        3 if primary != "und" => isolang::Language::from_639_3(primary)?,
        _ => return None,
    };
    let short = language.to_639_1().unwrap_or(primary);
    Some(format!("{short}{}", &tag.as_str()[primary.len()..]))
}

/// A language named in English (`English`, `English (US)`) or in its own script (`中文`).
fn by_name(s: &str) -> Option<String> {
    let (name, region) = match s.split_once('(') {
        Some((name, rest)) => (name.trim(), rest.strip_suffix(')').map(str::trim)),
        None => (s, None),
    };
    // Chinese is named by its script more often than by its language.
    let chinese = match name {
        "简体中文" | "简体" | "簡體中文" | "中文简体" => Some("zh-Hans"),
        "繁體中文" | "繁体中文" | "繁體" | "中文繁體" | "正體中文" => {
            Some("zh-Hant")
        }
        "汉语" | "漢語" | "华语" | "華語" | "中文" => Some("zh"),
        _ => None,
    };
    let language = match chinese {
        Some(tag) => tag.to_string(),
        None => {
            let lang = isolang::Language::from_name_lowercase(&name.to_lowercase())
                .or_else(|| isolang::Language::from_autonym(name))
                .filter(|&l| l != isolang::Language::Und)?;
            lang.to_639_1().unwrap_or(lang.to_639_3()).to_string()
        }
    };
    let region = match region {
        None => return Some(language),
        Some(r) if r.eq_ignore_ascii_case("UK") => "GB".to_string(),
        Some(r) if r.len() == 2 && r.bytes().all(|b| b.is_ascii_alphabetic()) => {
            r.to_ascii_uppercase()
        }
        // A region named in words: the language alone is still right.
        Some(_) => return Some(language),
    };
    as_tag(&format!("{language}-{region}"))
}

/// Whether two language tags name the same language, one maybe more precisely than the other
/// (`zh` and `zh-CN`, `en-US` and `en`), in any case.
pub fn same_language(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    a == b || a.starts_with(&format!("{b}-")) || b.starts_with(&format!("{a}-"))
}

/// A BCP 47 tag for the language of `text`, when it can be told with some confidence.
pub fn detect(text: &str) -> Option<String> {
    let info = whatlang::detect(text)?;
    if !info.is_reliable() && info.confidence() < 0.1 {
        return None;
    }
    use whatlang::Lang::*;
    Some(
        match info.lang() {
            Cmn => "zh",
            Eng => "en",
            Jpn => "ja",
            Kor => "ko",
            Spa => "es",
            Fra => "fr",
            Deu => "de",
            Rus => "ru",
            Por => "pt",
            Ita => "it",
            Nld => "nl",
            Vie => "vi",
            Ara => "ar",
            Tha => "th",
            Ind => "id",
            Tur => "tr",
            Ukr => "uk",
            Pol => "pl",
            other => return Some(other.code().to_string()),
        }
        .to_string(),
    )
}

/// The most common language among posts; English when nothing could be detected.
pub fn majority<'a>(langs: impl Iterator<Item = Option<&'a str>>) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for l in langs.flatten() {
        match counts.iter_mut().find(|(x, _)| *x == l) {
            Some((_, n)) => *n += 1,
            None => counts.push((l, 1)),
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(_, n)| n)
        .map_or_else(|| "en".to_string(), |(l, _)| l.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_chinese_and_english() {
        assert_eq!(
            detect("中国国家主席习近平星期三在北京人民大会堂会见访华的俄罗斯总理米舒斯京。")
                .as_deref(),
            Some("zh")
        );
        assert_eq!(
            detect("The quick brown fox jumps over the lazy dog while the cat sleeps.").as_deref(),
            Some("en")
        );
        assert_eq!(
            majority([Some("zh"), None, Some("en"), Some("zh")].into_iter()),
            "zh"
        );
        assert_eq!(majority(std::iter::empty()), "en");
    }

    #[test]
    fn language_tags_are_normalized_or_refused() {
        let cases = [
            ("zh_CN", Some("zh-CN")),
            ("zh-cn", Some("zh-CN")),
            ("en-us", Some("en-US")),
            ("EN", Some("en")),
            ("zh-hant-tw", Some("zh-Hant-TW")),
            ("zh_CN.UTF-8", Some("zh-CN")),
            ("eng", Some("en")),
            ("yue", Some("yue")),
            ("English (US)", Some("en-US")),
            ("English (UK)", Some("en-GB")),
            ("english", Some("en")),
            ("French", Some("fr")),
            ("中文", Some("zh")),
            ("简体中文", Some("zh-Hans")),
            ("繁體中文", Some("zh-Hant")),
            ("日本語", Some("ja")),
            ("Deutsch", Some("de")),
            (" fr ", Some("fr")),
            ("us", None),
            ("C", None),
            ("xx-!!", None),
            ("xx", None),
            ("und", None),
            ("x-private", None),
            ("", None),
            ("Klingonish (US)", None),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize(raw).as_deref(), want, "{raw}");
        }
    }
}
