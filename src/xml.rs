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
