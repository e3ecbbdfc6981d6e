//! Escaping for every piece of markup postbook writes (EPUB documents, MathML, the package
//! files, the OPDS catalog, sanitized SVG, the nesting guard's re-serialized HTML, the HTML the
//! Liquid and shortcode passes hand to the reader); and names valid as ids.

/// Appends `s` escaped for XML and HTML, in text and in (double-quoted) attribute values alike:
/// `&`, `<`, `>` and `"` become references, and the characters XML 1.0 cannot carry
/// ([`is_forbidden`]) are left out, so no escaped string can make a document ill-formed.
///
/// Leaving them out loses nothing a reader of the book would see: a post's own text has been
/// through `read::xml_chars` already, which removes them and counts them in a warning; this is
/// the guard for every other string (config values, template variables, tag parameters).
pub fn escape_into(s: &str, out: &mut String) {
    // Runs of ordinary text are copied whole: most of a chapter is text, and copying it
    // character by character was 2% of writing an EPUB. A run ends only at an ASCII byte or at
    // `EF` (a lead byte), so every slice below starts and ends on a character boundary.
    //
    // Finding where a run ends, a table lookup per byte, was 3% of the instructions of writing
    // EPUBs of Chinese news (`docs/performance.md`). Now 32 bytes at a time are tested with
    // arithmetic that vectorizes, and a block without a stop is skipped whole. There `EF`
    // counts only before `BF` (U+FFC0–U+FFFF, the two forbidden characters among them):
    // full-width punctuation (`，` is `EF BC 8C`) would otherwise stop most blocks of Chinese
    // text. The byte loop after a stopped block tells the rest with the table.
    // The C0 controls but tab, line feed and carriage return; the four markup characters; `EF`.
    const STOPS: [bool; 256] = crate::byte_set::of(
        b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f&<>\"\xef",
    );
    let stop = |b: u8, next: u8| {
        is_forbidden_control(b)
            | (b == b'&')
            | (b == b'<')
            | (b == b'>')
            | (b == b'"')
            | ((b == 0xEF) & (next == 0xBF))
    };
    let bytes = s.as_bytes();
    out.reserve(s.len());
    let (mut run, mut i) = (0, 0);
    loop {
        // A block and the byte after it, to see what follows an `EF` at its end.
        while let Some(window) = bytes.get(i..i + 33) {
            let (block, next) = (&window[..32], &window[1..]);
            if block
                .iter()
                .zip(next)
                .fold(false, |any, (&b, &n)| any | stop(b, n))
            {
                break;
            }
            i += 32;
        }
        while i < bytes.len() && !STOPS[usize::from(bytes[i])] {
            i += 1;
        }
        let Some(&b) = bytes.get(i) else { break };
        let (skip, replacement) = match b {
            b'&' => (1, "&amp;"),
            b'<' => (1, "&lt;"),
            b'>' => (1, "&gt;"),
            b'"' => (1, "&quot;"),
            // U+FFFE and U+FFFF; any other character starting with `EF` is kept.
            0xEF if bytes[i + 1] == 0xBF && matches!(bytes[i + 2], 0xBE | 0xBF) => (3, ""),
            0xEF => {
                i += 1;
                continue;
            }
            // The C0 controls XML cannot carry.
            _ => (1, ""),
        };
        out.push_str(&s[run..i]);
        out.push_str(replacement);
        i += skip;
        run = i;
    }
    out.push_str(&s[run..]);
}

/// A C0 control XML cannot carry (all but tab, line feed and carriage return): arithmetic, not
/// a table, so that the loops testing every byte with it vectorize.
fn is_forbidden_control(b: u8) -> bool {
    (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')
}

/// `s` escaped (see [`escape_into`]).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(s, &mut out);
    out
}

/// Whether XML 1.0 cannot carry `c` at all, even as a character reference: the C0 controls
/// other than tab, line feed and carriage return, and U+FFFE and U+FFFF. (Surrogates cannot
/// be in a Rust string.) One such character makes a whole EPUB document ill-formed.
pub fn is_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Whether `s` holds a character [`is_forbidden`]: a byte scan, as every string of every post
/// is checked (see `read::xml_chars`; 84,000 strings in the corpus). Control bytes are looked
/// for 32 at a time, with no early exit inside a block, so that the loop vectorizes; U+FFFE and
/// U+FFFF (`EF BF BE`, `EF BF BF`) with a searcher built once, not at each call.
pub fn has_forbidden(s: &str) -> bool {
    static FFFX: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\xEF\xBF"));
    let control = is_forbidden_control;
    let b = s.as_bytes();
    let mut blocks = b.chunks_exact(32);
    blocks
        .by_ref()
        .any(|block| block.iter().fold(false, |any, &c| any | control(c)))
        || blocks.remainder().iter().any(|&c| control(c))
        || FFFX
            .find_iter(b)
            .any(|i| matches!(b.get(i + 2), Some(0xBE | 0xBF)))
}

/// `s` as a valid XML name without colons (an NCName, what EPUBCheck takes an `id` to be):
/// characters a name cannot have become `_`, and `prefix` goes first when `s` does not start
/// with a letter or `_` (`2024-plans` → `h-2024-plans`); an empty `s` is `empty`.
///
/// EPUBCheck's validator (Jing) judges names by XML 1.0's first-edition character classes
/// (Unicode 2.0), stricter than the fifth edition: `ａ` (fullwidth), `ǅ` and CJK extension A
/// are refused there. So only letters of those classes in the common scripts are kept, which
/// both editions accept.
pub fn ncname(s: &str, prefix: &str, empty: &str) -> String {
    if s.is_empty() {
        return empty.to_string();
    }
    let mut out = String::with_capacity(s.len() + prefix.len());
    for c in s.chars() {
        out.push(if name_letter(c) || name_other(c) {
            c
        } else {
            '_'
        });
    }
    if !out.starts_with(|c: char| name_letter(c) || c == '_') {
        out.insert_str(0, prefix);
    }
    out
}

/// A letter that may start a name in every edition of XML 1.0: ASCII, Latin-1, Greek,
/// Cyrillic, Hebrew, Arabic, Thai, Devanagari, Hangul, kana and the CJK ideographs of
/// Unicode 2.0 (a subset of the first edition's `Letter`).
fn name_letter(c: char) -> bool {
    matches!(c,
        'a'..='z' | 'A'..='Z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{FF}'
        | '\u{100}'..='\u{131}' | '\u{134}'..='\u{13E}' | '\u{141}'..='\u{148}'
        | '\u{14A}'..='\u{17E}'
        | '\u{386}' | '\u{388}'..='\u{38A}' | '\u{38C}' | '\u{38E}'..='\u{3A1}'
        | '\u{3A3}'..='\u{3CE}'
        | '\u{401}'..='\u{40C}' | '\u{40E}'..='\u{44F}' | '\u{451}'..='\u{45C}'
        | '\u{45E}'..='\u{481}'
        | '\u{5D0}'..='\u{5EA}'
        | '\u{621}'..='\u{63A}' | '\u{641}'..='\u{64A}'
        | '\u{905}'..='\u{939}'
        | '\u{E01}'..='\u{E2E}' | '\u{E30}' | '\u{E32}'..='\u{E33}' | '\u{E40}'..='\u{E45}'
        | '\u{3041}'..='\u{3094}' | '\u{30A1}'..='\u{30FA}'
        | '\u{3007}' | '\u{3021}'..='\u{3029}' | '\u{4E00}'..='\u{9FA5}'
        | '\u{AC00}'..='\u{D7A3}')
}

/// A character a name may have after its first: ASCII digits, `-`, `_`, `.`, `·` and the
/// kana extenders (`ー`, `ゝ`).
fn name_other(c: char) -> bool {
    matches!(c, '0'..='9' | '-' | '_' | '.' | '\u{B7}' | '\u{3031}'..='\u{3035}'
        | '\u{309D}'..='\u{309E}' | '\u{30FC}'..='\u{30FE}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_are_found_wherever_they_are() {
        let chars = ['\0', '\u{1}', '\u{B}', '\u{1F}', '\u{FFFE}', '\u{FFFF}'];
        let allowed = [
            '\t', '\n', '\r', ' ', '\u{7F}', '\u{FFFD}', '\u{FFEE}', '，',
        ];
        // Before, inside and after the 32-byte blocks, in ASCII and in CJK text.
        for filler in ["a", "中"] {
            for len in [0, 1, 31, 32, 33, 64, 70] {
                let text: String = filler.repeat(len);
                for at in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                    for c in chars.iter().chain(&allowed) {
                        let mut s = text.clone();
                        s.insert(at, *c);
                        assert_eq!(has_forbidden(&s), s.chars().any(is_forbidden), "{s:?}");
                    }
                }
            }
        }
    }

    /// The byte scan escapes as a character-by-character one would, in every position.
    #[test]
    fn escaping_copies_text_and_replaces_only_what_it_must() {
        let by_char = |s: &str| {
            let mut out = String::new();
            for c in s.chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '"' => out.push_str("&quot;"),
                    c if is_forbidden(c) => {}
                    c => out.push(c),
                }
            }
            out
        };
        let specials = [
            "&", "<", ">", "\"", "'", "\0", "\u{1F}", "\t", "\n", "\r", "\u{FFFE}", "\u{FFFF}",
            "\u{FFFD}", "\u{FFEF}", "\u{EFFF}", "中", "é", "😀",
        ];
        // Short and long fillers: the specials fall before, inside, across and after the
        // 32-byte blocks the scan skips; with and without `EF BF` elsewhere in the string.
        let long_ascii = "abcdefghij".repeat(7);
        let long_cjk = "中文，".repeat(9);
        for filler in ["", "ab", "中文", "，", &long_ascii, &long_cjk] {
            for tail in ["", "￥"] {
                for a in specials {
                    for b in specials {
                        let s = format!("{filler}{a}{filler}{b}{a}{tail}");
                        assert_eq!(escape(&s), by_char(&s), "{s:?}");
                    }
                }
            }
        }
        for len in 0..100 {
            for special in specials {
                let s = format!("{}{special}{}", "x".repeat(len), "中".repeat(len % 7));
                assert_eq!(escape(&s), by_char(&s), "{s:?}");
            }
        }
        assert_eq!(escape("a<b & \"中\"\u{2}"), "a&lt;b &amp; &quot;中&quot;");
    }

    #[test]
    fn names_are_made_valid_for_every_xml_edition() {
        assert_eq!(ncname("setup", "h-", "x"), "setup");
        assert_eq!(ncname("2024-plans", "h-", "x"), "h-2024-plans");
        assert_eq!(ncname("中文-标题", "h-", "x"), "中文-标题");
        assert_eq!(ncname("ａ²ǅ", "h-", "x"), "___");
        assert_eq!(ncname("-x", "h-", "x"), "h--x");
        assert_eq!(ncname("a:b c", "h-", "x"), "a_b_c");
        assert_eq!(ncname("", "h-", "section"), "section");
    }
}
