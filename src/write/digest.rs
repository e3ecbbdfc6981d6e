//! A post in brief, as a magazine's section index lists it (issue 32): a summary — its first
//! sentence or two — and its reading time. Both come from the model's text, never from the
//! post's HTML, so what the index says is what the chapter shows.
//!
//! Reading time counts what a reader reads at: words in Latin (and other spaced) scripts at
//! [`WORDS_PER_MINUTE`], characters in CJK scripts at [`CJK_CHARS_PER_MINUTE`], the usual
//! rates for silent reading of prose on a screen (English ~230 words a minute; Chinese and
//! Japanese ~400 characters a minute), rounded up to whole minutes, at least one.

use crate::cjk::read_per_character;
use crate::model::{walk, Block, Document, Inline, Node};
use unicode_segmentation::UnicodeSegmentation;

/// Silent reading speed of English prose, in words a minute.
pub const WORDS_PER_MINUTE: u32 = 230;

/// Silent reading speed of Chinese and Japanese prose, in characters a minute.
pub const CJK_CHARS_PER_MINUTE: u32 = 400;

/// The longest summary, in characters; a longer first sentence is cut at a word with `…`.
pub const SUMMARY_CHARS: usize = 200;

/// How much text a post holds, for its reading time.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Length {
    /// Words outside CJK scripts.
    pub words: u32,
    /// Han, kana and Hangul characters.
    pub cjk_chars: u32,
}

impl Length {
    /// The length of the text a post's chapter shows: its paragraphs, headings, lists,
    /// quotes, tables, code, captions and footnotes (not its title).
    pub fn of(doc: &Document) -> Length {
        let mut length = Length::default();
        walk(&doc.blocks, &mut |node| {
            match node {
                Node::Inline(Inline::Text(t) | Inline::Code(t)) => length.add(t),
                Node::Block(Block::Code { text, .. }) => length.add(text),
                Node::Block(Block::Figure(img)) => length.add(&img.alt),
                _ => {}
            }
            true
        });
        length
    }

    /// Counts `text`: each CJK character, and each word of other letters or digits (a run of
    /// them, joined by `'` `’` `-` `.` `_` as in `don't`, `e-mail`, `3.14`). One pass over the
    /// text rather than Unicode word segmentation (`unicode_words`), which made converting the
    /// corpus to EPUB measurably slower: this runs over every post of a book with section
    /// index pages. It reads bytes: ASCII, and the three-byte characters of most CJK text (the
    /// ideographs U+3400–U+4DBF and U+4E00–U+9FFF, CJK punctuation U+3000–U+303F, the
    /// full-width punctuation among U+FF01–U+FF20), are told apart by their code point decoded
    /// in place; the rest is decoded and classified by [`Length::add_char`].
    fn add(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let mut in_word = false;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii() {
                if b.is_ascii_alphanumeric() {
                    self.words += u32::from(!in_word);
                    in_word = true;
                } else if !(in_word && matches!(b, b'\'' | b'-' | b'.' | b'_')) {
                    in_word = false;
                }
                i += 1;
                continue;
            }
            if b >> 4 == 0xE {
                // A three-byte sequence (the text is valid UTF-8).
                let code = u32::from(b & 0x0F) << 12
                    | u32::from(bytes[i + 1] & 0x3F) << 6
                    | u32::from(bytes[i + 2] & 0x3F);
                match code {
                    0x3400..=0x4DBF | 0x4E00..=0x9FFF => {
                        self.cjk_chars += 1;
                        in_word = false;
                        i += 3;
                        continue;
                    }
                    0x3000..=0x303F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 => {
                        in_word = false;
                        i += 3;
                        continue;
                    }
                    _ => {}
                }
            }
            let c = text[i..].chars().next().unwrap_or_default();
            self.add_char(c, &mut in_word);
            i += c.len_utf8();
        }
    }

    /// Counts one character that is not ASCII, for [`Length::add`]: the common ones of CJK
    /// text and typography first, so that only other scripts ask Unicode's tables.
    fn add_char(&mut self, c: char, in_word: &mut bool) {
        let letter = if read_per_character(c) {
            self.cjk_chars += 1;
            *in_word = false;
            return;
        } else if matches!(c,
            '\u{2000}'..='\u{206F}'   // General Punctuation: — “ ” …
            | '\u{3000}'..='\u{303F}' // CJK Symbols and Punctuation: 、。「」
            | '\u{FF01}'..='\u{FF0F}' // Fullwidth ！＂＃…／
            | '\u{FF1A}'..='\u{FF20}' // Fullwidth ：；＜＝＞？＠
        ) {
            false
        } else {
            c.is_alphanumeric()
        };
        if letter {
            // A word with CJK characters in it too (`iPhone版`) counts once as a word.
            self.words += u32::from(!*in_word);
            *in_word = true;
        } else if !(*in_word && c == '’') {
            *in_word = false;
        }
    }

    /// Minutes to read it at the stated rates, rounded up, at least one.
    pub fn minutes(self) -> u32 {
        let minutes = f64::from(self.words) / f64::from(WORDS_PER_MINUTE)
            + f64::from(self.cjk_chars) / f64::from(CJK_CHARS_PER_MINUTE);
        (minutes.ceil() as u32).max(1)
    }
}

/// The post's first sentence or two, from its first paragraph with text: sentences are added
/// while the summary stays within [`SUMMARY_CHARS`] (a second one only when the first is short,
/// under 80 characters); a first sentence longer than that is cut at a word, with `…`. Empty
/// for a post without a paragraph.
pub fn summary(doc: &Document) -> String {
    let Some(text) = doc.blocks.iter().find_map(|b| match b {
        Block::Paragraph(inlines) => {
            let text = crate::model::plain_text(inlines);
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            (!text.is_empty()).then_some(text)
        }
        _ => None,
    }) else {
        return String::new();
    };
    let mut out = String::new();
    for sentence in text.split_sentence_bounds() {
        let length = out.chars().count();
        if length > 0 && (length >= 80 || length + sentence.chars().count() > SUMMARY_CHARS) {
            break;
        }
        out.push_str(sentence);
    }
    let out = out.trim_end();
    if out.chars().count() <= SUMMARY_CHARS {
        return out.to_string();
    }
    // One long sentence: cut at the last word boundary that fits, leaving room for `…`.
    let mut cut = String::new();
    for piece in out.split_word_bounds() {
        if cut.chars().count() + piece.chars().count() > SUMMARY_CHARS - 1 {
            break;
        }
        cut.push_str(piece);
    }
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Meta;

    fn post(paragraphs: &[&str]) -> Document {
        Document {
            meta: Meta::default(),
            blocks: paragraphs
                .iter()
                .map(|p| Block::Paragraph(vec![Inline::Text(p.to_string())]))
                .collect(),
        }
    }

    #[test]
    fn reading_time_counts_words_and_cjk_characters_at_the_stated_rates() {
        // 460 English words: two minutes at 230 a minute.
        let english = post(&[&"word ".repeat(460)]);
        assert_eq!(
            Length::of(&english),
            Length {
                words: 460,
                cjk_chars: 0
            }
        );
        assert_eq!(Length::of(&english).minutes(), 2);
        // 461 words: just over two minutes, rounded up.
        assert_eq!(Length::of(&post(&[&"word ".repeat(461)])).minutes(), 3);
        // 2,000 Chinese characters (and their punctuation): five minutes at 400 a minute.
        let chinese = post(&[&"中国新闻报道，".repeat(333), "中国"]);
        assert_eq!(Length::of(&chinese).cjk_chars, 2_000);
        assert_eq!(Length::of(&chinese).minutes(), 5);
        // Mixed: 230 words and 400 characters, a minute each.
        let mixed = post(&["iPhone ".repeat(230).as_str(), &"港".repeat(400)]);
        assert_eq!(Length::of(&mixed).minutes(), 2);
        assert_eq!(Length::of(&post(&[])).minutes(), 1, "at least a minute");
    }

    /// The byte loop of [`Length::add`] counts what a plain loop over the characters counts
    /// (the rule in the doc comment, written the obvious way), on text mixing every path:
    /// ASCII words and joiners, ideographs of each range and beyond (`一` `䶵` `𠀀`, and `䷀`
    /// just past one), kana, Hangul, CJK and general punctuation, fullwidth forms, and other
    /// scripts.
    #[test]
    fn the_byte_loop_counts_as_a_loop_over_characters_would() {
        fn by_chars(text: &str) -> Length {
            let mut length = Length::default();
            let mut in_word = false;
            for c in text.chars() {
                if read_per_character(c) {
                    length.cjk_chars += 1;
                    in_word = false;
                    continue;
                }
                let punctuation = matches!(c, '\u{2000}'..='\u{206F}' | '\u{3000}'..='\u{303F}'
                    | '\u{FF01}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}');
                if !punctuation && c.is_alphanumeric() {
                    length.words += u32::from(!in_word);
                    in_word = true;
                } else if !(in_word && matches!(c, '\'' | '’' | '-' | '.' | '_')) {
                    in_word = false;
                }
            }
            length
        }
        let text = "Don't e-mail me at 3.14 o’clock — iPhone版 售价 一 䶵 𠀀 (5,000元)。\
                    ひらがなカタカナ 한국어 Ελληνικά Ґрушевський Nguyễn Łukasz ＡＢＣ１２３ ！？\
                    “quoted’ ’tis 2023年5月1日 x_y a.b. 中文English混排 ﬁ ½ 𝔘 ䷀a［b＠c〇 — end.";
        let expected = by_chars(text);
        assert!(
            expected.words > 20 && expected.cjk_chars > 20,
            "{expected:?}"
        );
        let mut length = Length::default();
        length.add(text);
        assert_eq!(length, expected);
        // Every prefix and suffix too, so that each character starts and ends a text once.
        for (i, _) in text.char_indices() {
            for part in [&text[..i], &text[i..]] {
                let mut length = Length::default();
                length.add(part);
                assert_eq!(length, by_chars(part), "{part:?}");
            }
        }
    }

    #[test]
    fn summaries_are_the_first_sentences_within_200_characters() {
        let doc = post(&[
            "",
            "The harbour opened at dawn. Ships came in. The rest of the story is long.",
            "A second paragraph.",
        ]);
        assert_eq!(
            summary(&doc),
            "The harbour opened at dawn. Ships came in. The rest of the story is long."
        );
        let long_first = format!("{} Second.", "A sentence of many words. ".repeat(4).trim());
        assert_eq!(
            summary(&post(&[&long_first])),
            "A sentence of many words. A sentence of many words. A sentence of many words. A \
             sentence of many words."
        );
        // Chinese sentences end at 。！？
        let zh = post(&["香港今天宣布新的措施。市民反应不一！其他内容在后面。"]);
        assert_eq!(
            summary(&zh),
            "香港今天宣布新的措施。市民反应不一！其他内容在后面。"
        );
        // One sentence longer than the limit: cut at a word, with an ellipsis.
        let cut = summary(&post(&[&"endless ".repeat(60)]));
        assert!(cut.ends_with("endless…"), "{cut}");
        assert!(cut.chars().count() <= SUMMARY_CHARS, "{cut}");
        assert_eq!(summary(&post(&[])), "");
    }
}
