//! Language tags for book metadata (`dc:language`, `lang` attributes): normalized when given,
//! detected when not.
//!
//! E-readers use the language for hyphenation, fonts and CJK line breaking, so a wrong or missing
//! one is visible, and Send to Kindle refuses a book whose `dc:language` is not a real BCP 47
//! tag (`zh_CN`, `us`, `C`). Front matter wins; otherwise the text is classified: by its CJK
//! characters when they carry most of it ([`cjk_language`]), else with `whatlang`.

use crate::cjk::Script;
use crate::model::{plain_text, walk, Block, Document, Node};

/// The post's language: from front matter, else detected from its title and opening text.
pub fn of_document(doc: &Document) -> Option<String> {
    if let Some(l) = &doc.meta.lang {
        return Some(l.clone());
    }
    // The title and the body's own paragraphs and headings (not lists, quotes or notes, which
    // are more often quoted or foreign), up to 2,000 bytes: a post that is one long paragraph
    // would otherwise be classified whole.
    let mut sample = doc.meta.title.clone();
    walk(&doc.blocks, &mut |node| {
        if let Node::Block(Block::Paragraph(c) | Block::Heading { content: c, .. }) = node {
            if sample.len() < SAMPLE_BYTES {
                sample.push('\n');
                sample.push_str(&plain_text(c));
            }
        }
        false
    });
    let mut end = sample.len().min(SAMPLE_BYTES);
    while !sample.is_char_boundary(end) {
        end -= 1;
    }
    detect(&sample[..end])
}

/// How much of a post's text its language is told from.
const SAMPLE_BYTES: usize = 2000;

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
    if let Some(tag) = cjk_language(text) {
        return Some(tag.to_string());
    }
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

/// `zh`, `ja` or `ko` when CJK characters carry most of `text`, else `None`.
///
/// whatlang names the script with the most characters, then the language. A Han character or
/// Hangul syllable stands for about a word where a Latin word takes about three to five
/// letters, so Chinese news naming companies and people in English (`ViacomCBS 作价 5 亿美元将
/// CNET Media Group 出售给…`) has as many Latin letters as Han characters and came out as
/// English or Latin (`lat`): Latin hyphenation and fonts for a Chinese post. Here CJK
/// characters win when there are at least a third as many of them as other letters. Among
/// them, the choice is whatlang's: Korean when Hangul outnumbers Han and kana, Japanese when
/// more than 5% are kana (`・`, which Chinese uses between the parts of a foreign name, is not
/// counted as kana), else Chinese. Text that is all CJK gets whatlang's answer, without the
/// cost of asking it.
fn cjk_language(text: &str) -> Option<&'static str> {
    let (mut han, mut kana, mut hangul, mut letters) = (0usize, 0usize, 0usize, 0usize);
    for c in text.chars() {
        if c.is_ascii() {
            letters += usize::from(c.is_ascii_alphabetic());
            continue;
        }
        match crate::cjk::script(c) {
            Some(Script::Han) => han += 1,
            Some(Script::Kana) => kana += 1,
            Some(Script::Hangul) => hangul += 1,
            None => letters += usize::from(c.is_alphabetic()),
        }
    }
    let cjk = han + kana + hangul;
    if cjk == 0 || cjk * 3 < letters {
        return None;
    }
    Some(if hangul > han + kana {
        "ko"
    } else if kana * 20 > han + kana {
        "ja"
    } else {
        "zh"
    })
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
    use crate::model::{Inline, Meta};

    #[test]
    fn cjk_text_naming_things_in_latin_letters_keeps_its_language() {
        let cases = [
            // Solidot: as many Latin letters as Han characters (was `lat`).
            ("ViacomCBS 作价 5 亿美元将 CNET Media Group 出售给数字营销公司 Red Ventures。CNET 总经理 Mark Larkin 在收购完成之后将留在 Red Ventures。", "zh"),
            ("唐纳德・特朗普（Donald Trump）周三在 White House 会见了 Apple CEO Tim Cook。", "zh"),
            ("AppleはiPhone 16 ProとiPhone 16 Pro Maxを発表した。A18 Proチップを搭載している。", "ja"),
            ("Samsung Electronics는 Galaxy S24 Ultra를 공개했다. 가격은 1,299달러부터 시작한다.", "ko"),
            // English naming Chinese things is still English.
            ("Xi Jinping (习近平) met the Russian prime minister in the Great Hall of the People on Wednesday, the state broadcaster said.", "en"),
        ];
        for (text, lang) in cases {
            assert_eq!(detect(text).as_deref(), Some(lang), "{text}");
        }
    }

    #[test]
    fn all_cjk_text_gets_whatlangs_answer() {
        for text in [
            "中国国家主席习近平星期三在北京人民大会堂会见访华的俄罗斯总理米舒斯京。",
            "東京都は新型コロナウイルスの感染者が新たに確認されたと発表しました。",
            "서울특별시는 대한민국의 수도이며 최대 도시이다.",
            "新型コロナ対策本部会議",
            "臺灣的總統府位於臺北市中正區。",
        ] {
            let whatlang = match whatlang::detect(text).unwrap().lang() {
                whatlang::Lang::Cmn => "zh",
                whatlang::Lang::Jpn => "ja",
                whatlang::Lang::Kor => "ko",
                other => panic!("{other:?} for {text}"),
            };
            assert_eq!(cjk_language(text), Some(whatlang), "{text}");
        }
        assert_eq!(cjk_language("The quick brown fox."), None);
        assert_eq!(cjk_language(""), None);
    }

    #[test]
    fn a_post_is_told_from_its_first_2000_bytes() {
        // One paragraph: 1,000 Han characters (3,000 bytes), then 6,000 bytes of English.
        let text = "中文".repeat(500) + &"The quick brown fox jumps over it. ".repeat(170);
        let doc = Document {
            meta: Meta::default(),
            blocks: vec![Block::Paragraph(vec![Inline::Text(text.clone())])],
        };
        assert_eq!(of_document(&doc).as_deref(), Some("zh"));
        assert_eq!(detect(&text).as_deref(), Some("en"));
    }

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
