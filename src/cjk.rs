//! The CJK characters, in one table, for the two questions postbook asks of them:
//!
//! - [`joins_without_spaces`]: is it of a script written without spaces between words (Han,
//!   kana, bopomofo, CJK punctuation and full-width forms)? A line break of the source between
//!   two such characters vanishes (`crate::inline`, CSS Text 3's segment-break rule). Hangul is
//!   not: Korean puts spaces between words, so a line break between two Hangul syllables is a
//!   word space (CSS Text 3 excepts Hangul from the removal by name).
//! - [`read_per_character`]: is it read by the character rather than by the word (Han, kana
//!   and Hangul syllables)? Reading time counts such characters one by one
//!   (`write::digest::Length`); punctuation and full-width forms are not counted as text.
//!
//! - [`script`]: which of Han, kana and Hangul is it? Language detection weighs the three
//!   (`crate::lang`).
//!
//! The first two are read off [`RANGES`], whose rows say which of the two each block is.

/// Which of the two questions a block of [`RANGES`] answers yes to.
#[derive(Debug, Clone, Copy)]
struct Block {
    /// Written without spaces between words.
    unspaced: bool,
    /// Read (and counted) by the character.
    per_character: bool,
}

const BOTH: Block = Block {
    unspaced: true,
    per_character: true,
};
/// Punctuation, symbols, radicals, bopomofo, full-width forms.
const UNSPACED: Block = Block {
    unspaced: true,
    per_character: false,
};
/// Hangul.
const SPACED: Block = Block {
    unspaced: false,
    per_character: true,
};

/// The CJK blocks, by code point, in order and without overlaps.
const RANGES: &[(u32, u32, Block)] = &[
    (0x2E80, 0x2FDF, UNSPACED),   // CJK Radicals Supplement, Kangxi Radicals
    (0x3000, 0x303F, UNSPACED),   // CJK Symbols and Punctuation: 、。「」
    (0x3040, 0x30FF, BOTH),       // Hiragana, Katakana
    (0x3100, 0x312F, UNSPACED),   // Bopomofo
    (0x3190, 0x31FF, UNSPACED),   // Kanbun, Bopomofo Extended, CJK Strokes, Katakana Ext.
    (0x3400, 0x4DBF, BOTH),       // CJK Extension A
    (0x4E00, 0x9FFF, BOTH),       // CJK Unified Ideographs
    (0xAC00, 0xD7AF, SPACED),     // Hangul Syllables
    (0xF900, 0xFAFF, BOTH),       // CJK Compatibility Ideographs
    (0xFE30, 0xFE4F, UNSPACED),   // CJK Compatibility Forms
    (0xFF00, 0xFF9F, UNSPACED),   // Full-width forms, half-width katakana
    (0xFFE0, 0xFFEF, UNSPACED),   // Full-width and half-width symbols
    (0x20000, 0x3134F, BOTH),     // CJK Extensions B–G
    (0x31350, 0x3FFFF, UNSPACED), // the rest of planes 2 and 3 (Extension H, unassigned)
];

/// The block `c` is in, if it is CJK.
fn block(c: char) -> Option<Block> {
    let c = c as u32;
    let i = RANGES.partition_point(|&(_, last, _)| last < c);
    RANGES
        .get(i)
        .filter(|&&(first, _, _)| first <= c)
        .map(|&(_, _, b)| b)
}

/// True for characters of scripts written without spaces between words (Han, kana, bopomofo,
/// CJK punctuation and full-width forms; not Hangul), between which a line break of the
/// source vanishes.
pub fn joins_without_spaces(c: char) -> bool {
    block(c).is_some_and(|b| b.unspaced)
}

/// True for characters read one at a time rather than as words (Han, kana, Hangul syllables;
/// not punctuation or full-width forms).
pub fn read_per_character(c: char) -> bool {
    block(c).is_some_and(|b| b.per_character)
}

/// The three scripts CJK text is told apart by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// Ideographs (Chinese hanzi, Japanese kanji, Korean hanja), of every extension.
    Han,
    /// Hiragana and katakana, also half-width and the phonetic extensions.
    Kana,
    /// Hangul syllables and jamo.
    Hangul,
}

/// The script of `c` when it is a Han, kana or Hangul letter; `None` for CJK punctuation,
/// symbols and full-width forms, and for the katakana middle dot `・` (U+30FB), which Chinese
/// also writes between the parts of a foreign name (`埃隆・马斯克`).
pub fn script(c: char) -> Option<Script> {
    match c as u32 {
        // The common case first, without a table lookup.
        0x4E00..=0x9FFF => Some(Script::Han),
        0x30FB => None,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9D => Some(Script::Kana),
        0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F => Some(Script::Hangul),
        _ if read_per_character(c) => Some(Script::Han),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_without_overlaps() {
        for w in RANGES.windows(2) {
            assert!(
                w[0].0 <= w[0].1 && w[0].1 < w[1].0,
                "{:X?}",
                (w[0].0, w[1].0)
            );
        }
    }

    /// Each question's answer, block by block, as the two tables it replaces gave it.
    #[test]
    fn the_two_questions_differ_where_they_should() {
        for (c, unspaced, per_character) in [
            ('中', true, true),
            ('の', true, true),
            ('ア', true, true),
            ('한', false, true),
            ('。', true, false),
            ('，', true, false),
            ('ㄅ', true, false),
            ('⺀', true, false),
            ('𠀀', true, true),
            ('\u{31350}', true, false),
            ('豈', true, true),
            ('a', false, false),
            ('é', false, false),
            ('—', false, false),
            ('\u{1100}', false, false), // Hangul Jamo: in neither
        ] {
            assert_eq!(joins_without_spaces(c), unspaced, "{c:?}");
            assert_eq!(read_per_character(c), per_character, "{c:?}");
        }
    }

    /// Every character read per character has a script, and every Han or kana character
    /// outside the phonetic extras is read per character: the two lookups describe the same
    /// characters.
    #[test]
    fn scripts_agree_with_the_table() {
        for c in (0..=0x3FFFF).filter_map(char::from_u32) {
            let extra = matches!(c as u32, 0x31F0..=0x31FF | 0xFF66..=0xFF9D | 0x1100..=0x11FF | 0x3130..=0x318F);
            match script(c) {
                Some(_) if !extra => assert!(read_per_character(c), "{c:?}"),
                Some(_) => {}
                None => assert!(!read_per_character(c) || c == '・', "{c:?}"),
            }
        }
        assert_eq!(script('中'), Some(Script::Han));
        assert_eq!(script('𠀀'), Some(Script::Han));
        assert_eq!(script('の'), Some(Script::Kana));
        assert_eq!(script('ｱ'), Some(Script::Kana));
        assert_eq!(script('한'), Some(Script::Hangul));
        assert_eq!(script('ㄱ'), Some(Script::Hangul));
        assert_eq!(script('・'), None);
        assert_eq!(script('。'), None);
        assert_eq!(script('a'), None);
    }
}
