//! Language detection for book metadata (`dc:language`, `lang` attributes).
//!
//! E-readers use the language for hyphenation, fonts and CJK line breaking, so a wrong or missing
//! one is visible. Front matter wins; otherwise the text is classified with `whatlang`.

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
}
