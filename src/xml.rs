//! Escaping text for markup that postbook writes back out itself: the nesting guard's
//! re-serialized HTML and sanitized SVG. (The EPUB writer's XHTML has its own escaper in
//! `write::xhtml`, which also drops the characters XML 1.0 forbids.)

/// Appends `s` with `&`, `<`, `>` escaped, and `"` too in an attribute value.
pub fn escape_into(s: &str, attribute: bool, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// Whether XML 1.0 cannot carry `c` at all, even as a character reference: the C0 controls
/// other than tab, line feed and carriage return, and U+FFFE and U+FFFF. (Surrogates cannot
/// be in a Rust string.) One such character makes a whole EPUB document ill-formed.
pub fn is_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Whether `s` holds a character [`is_forbidden`]: a byte scan, as every string of every post
/// is checked (see `read::xml_chars`). U+FFFE and U+FFFF are `EF BF BE` and `EF BF BF`.
pub fn has_forbidden(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter()
        .any(|&c| c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r'))
        || memchr::memmem::find_iter(b, b"\xEF\xBF")
            .any(|i| matches!(b.get(i + 2), Some(0xBE | 0xBF)))
}
