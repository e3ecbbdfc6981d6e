//! Inline normalization: readers apply it once so every writer gets canonical inlines, and the
//! Markdown writer again after it rewrites emphasis for CJK punctuation.
//!
//! The rules follow how a browser displays the text, so the model holds what a reader saw:
//! whitespace runs collapse to one space; a line break between two CJK characters
//! ([`crate::cjk::joins_without_spaces`]: not Hangul) disappears
//! entirely (CSS Text 3 segment-break rule: Chinese text wrapped in the HTML source must not gain
//! spaces); spaces move out of emphasis and links; adjacent text merges; empty wrappers vanish.
//! Canonical form is also what makes the Markdown round trip exact.

use crate::cjk::joins_without_spaces;
use crate::model::Inline;

/// Collapses whitespace in one run of text (see the module docs for the CJK rule).
pub fn collapse_whitespace(s: &str) -> String {
    // Most runs of text have nothing to change: copy them without decoding characters (this
    // function was the reader's largest cost of its own).
    match needs_collapsing(s.as_bytes()) {
        true => collapse(s),
        false => s.to_owned(),
    }
}

/// [`collapse_whitespace`] of a string already owned, which is kept when nothing changes
/// (normalizing canonical inlines again, as the Markdown writer does, then copies nothing).
fn collapse_owned(s: String) -> String {
    match needs_collapsing(s.as_bytes()) {
        true => collapse(&s),
        false => s,
    }
}

fn collapse(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    // Text is copied in runs, from `start` up to the next whitespace byte that changes
    // anything; every such byte is ASCII, so the runs end on character boundaries.
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            // A lone space stays as it is.
            b' ' if !bytes.get(i + 1).is_some_and(|&b| is_html_space_byte(b)) => i += 1,
            b' ' | b'\t' | b'\n' | b'\r' | 0x0C => {
                out.push_str(&s[start..i]);
                let mut newline = false;
                while let Some(&b) = bytes.get(i).filter(|&&b| is_html_space_byte(b)) {
                    newline |= b == b'\n';
                    i += 1;
                }
                start = i;
                let before_cjk = out.chars().next_back().is_some_and(joins_without_spaces);
                let after_cjk = s[i..].chars().next().is_some_and(joins_without_spaces);
                if !(newline && before_cjk && after_cjk) {
                    out.push(' ');
                }
            }
            _ => i += 1,
        }
    }
    out.push_str(&s[start..]);
    out
}

/// HTML's ASCII whitespace; no-break and ideographic spaces are content and are kept.
fn is_html_space_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0C)
}

/// Whether [`collapse_whitespace`] could change `s`: it holds HTML whitespace other than a
/// space (tab, line feed, carriage return, form feed), or two spaces in a row.
fn needs_collapsing(s: &[u8]) -> bool {
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    static DOUBLE_SPACE: LazyLock<Finder> = LazyLock::new(|| Finder::new(b"  "));
    // Each test is a vector scan (this runs on all text of every post): whitespace controls
    // chunk by chunk without stopping at the first, the double space with memchr. Tab, line
    // feed, form feed and carriage return are 9–13 but 11, tested as a range: four tests of
    // equality did not vectorize and were eight times slower.
    s.chunks(32).any(|c| {
        c.iter().fold(false, |hit, &b| {
            hit | ((b.wrapping_sub(9) < 5) & (b != 0x0B))
        })
    }) || DOUBLE_SPACE.find(s).is_some()
}

/// Brings inlines into canonical form, without trimming the ends (see [`trim`]).
pub fn normalize(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for inline in inlines {
        match inline {
            Inline::Text(t) => push_text(&mut out, t),
            Inline::Emph(c) => push_wrapped(&mut out, c, Inline::Emph),
            Inline::Strong(c) => push_wrapped(&mut out, c, Inline::Strong),
            Inline::Strike(c) => push_wrapped(&mut out, c, Inline::Strike),
            Inline::Sub(c) => push_wrapped(&mut out, c, Inline::Sub),
            Inline::Sup(c) => push_wrapped(&mut out, c, Inline::Sup),
            Inline::Link(mut link) => {
                let content = std::mem::take(&mut link.content);
                push_wrapped(&mut out, content, |content| {
                    link.content = content;
                    Inline::Link(link)
                })
            }
            Inline::Code(c) => {
                let c = collapse_owned(c);
                if !c.trim().is_empty() {
                    out.push(Inline::Code(c));
                }
            }
            inline @ (Inline::Image(_) | Inline::Math(_) | Inline::Note(_) | Inline::Check(_)) => {
                out.push(inline)
            }
            Inline::LineBreak => {
                trim_end(&mut out);
                // A line of nothing but (ideographic, no-break) spaces between two breaks is an
                // empty line: paragraph separation, as in Markdown.
                let n = out.len();
                if n >= 2
                    && matches!(out[n - 2], Inline::LineBreak)
                    && matches!(&out[n - 1], Inline::Text(t) if t.chars().all(char::is_whitespace))
                {
                    out.pop();
                }
                out.push(Inline::LineBreak);
            }
        }
    }
    out
}

fn push_text(out: &mut Vec<Inline>, t: String) {
    let t = collapse_owned(t);
    if t.is_empty() {
        return;
    }
    // Spaces right after a line break are not displayed.
    let t = if matches!(out.last(), Some(Inline::LineBreak) | None) && t.starts_with(' ') {
        if out.is_empty() {
            t
        } else {
            t.trim_start().to_string()
        }
    } else {
        t
    };
    if t.is_empty() {
        return;
    }
    if let Some(Inline::Text(prev)) = out.last_mut() {
        if prev.ends_with(' ') && t.starts_with(' ') {
            prev.push_str(&t[1..]);
        } else {
            prev.push_str(&t);
        }
    } else {
        out.push(Inline::Text(t));
    }
}

/// Pushes a wrapper (emphasis, link, …) with its edge spaces and line breaks moved outside,
/// merging it into an identical neighbour (`<b>a</b><b>b</b>`) and dropping it when empty.
fn push_wrapped(
    out: &mut Vec<Inline>,
    content: Vec<Inline>,
    wrap: impl FnOnce(Vec<Inline>) -> Inline,
) {
    let mut content = normalize(content);
    let mut lead_breaks = 0;
    let mut lead_space = false;
    loop {
        if matches!(content.first(), Some(Inline::LineBreak)) {
            content.remove(0);
            lead_breaks += 1;
        } else if take_leading_space(&mut content) {
            lead_space = true;
        } else {
            break;
        }
    }
    let mut trail_breaks = 0;
    let mut trail_space = false;
    loop {
        if matches!(content.last(), Some(Inline::LineBreak)) {
            content.pop();
            trail_breaks += 1;
        } else if trim_end(&mut content) {
            trail_space = true;
        } else {
            break;
        }
    }
    if lead_space {
        push_text(out, " ".to_owned());
    }
    for _ in 0..lead_breaks {
        trim_end(out);
        out.push(Inline::LineBreak);
    }
    if !content.is_empty() {
        let new = wrap(content);
        let merged = match (out.last_mut(), new) {
            (Some(Inline::Emph(a)), Inline::Emph(b))
            | (Some(Inline::Strong(a)), Inline::Strong(b))
            | (Some(Inline::Strike(a)), Inline::Strike(b)) => {
                a.extend(b);
                let joined = normalize(std::mem::take(a));
                *a = joined;
                None
            }
            (_, new) => Some(new),
        };
        if let Some(new) = merged {
            out.push(new);
        }
    }
    for _ in 0..trail_breaks {
        trim_end(out);
        out.push(Inline::LineBreak);
    }
    if trail_space && trail_breaks == 0 {
        push_text(out, " ".to_owned());
    }
}

fn take_leading_space(xs: &mut Vec<Inline>) -> bool {
    if let Some(Inline::Text(t)) = xs.first_mut() {
        if let Some(rest) = t.strip_prefix(' ') {
            *t = rest.to_string();
            if t.is_empty() {
                xs.remove(0);
            }
            return true;
        }
    }
    false
}

/// Removes trailing spaces and line breaks; returns whether any space was removed.
fn trim_end(xs: &mut Vec<Inline>) -> bool {
    let mut removed = false;
    while let Some(last) = xs.last_mut() {
        match last {
            Inline::Text(t) if t.ends_with(' ') => {
                let keep = t.trim_end_matches(' ').len();
                t.truncate(keep);
                removed = true;
                if t.is_empty() {
                    xs.pop();
                }
            }
            _ => break,
        }
    }
    removed
}

/// Trims a block's inlines: no leading or trailing spaces or line breaks.
pub fn trim(mut xs: Vec<Inline>) -> Vec<Inline> {
    loop {
        let before = xs.len();
        // Edge breaks and texts of nothing but (even no-break) spaces display as nothing.
        let blank = |x: Option<&Inline>| match x {
            Some(Inline::LineBreak) => true,
            Some(Inline::Text(t)) => t.chars().all(char::is_whitespace),
            _ => false,
        };
        while blank(xs.last()) {
            xs.pop();
        }
        while blank(xs.first()) {
            xs.remove(0);
        }
        trim_end(&mut xs);
        take_leading_space(&mut xs);
        if xs.len() == before {
            return xs;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Inline::*;

    fn text(s: &str) -> Inline {
        Text(s.into())
    }

    #[test]
    fn cjk_line_breaks_vanish_latin_become_spaces() {
        assert_eq!(collapse_whitespace("中国\n  国家"), "中国国家");
        assert_eq!(collapse_whitespace("中国 国家"), "中国 国家");
        assert_eq!(collapse_whitespace("hello\n  world"), "hello world");
        assert_eq!(collapse_whitespace("a\u{a0} b"), "a\u{a0} b");
        // Korean is written with spaces between words: a line break in it is one.
        assert_eq!(collapse_whitespace("서울은\n한강을"), "서울은 한강을");
        assert_eq!(collapse_whitespace("漢字\n한글"), "漢字 한글");
        assert_eq!(collapse_whitespace("ﾊﾝ\nｶﾅ"), "ﾊﾝｶﾅ");
        // The fast path and the slow path agree.
        for s in [
            "a b",
            " a ",
            "a  b",
            "x\u{FFFE}y",
            "x\u{FFFD}y",
            "a\u{1}b",
            "中\t国",
            "한\n국",
            "a\u{7F}",
            "中国 国家",
            "é ü",
            "\u{EFBF}",
        ] {
            assert_eq!(collapse_whitespace(s), collapse(s), "{s:?}");
        }
    }

    fn is_html_space(c: char) -> bool {
        c.is_ascii() && is_html_space_byte(c as u8)
    }

    /// The character-by-character definition that [`collapse`] implements on byte runs.
    fn collapse_reference(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            if !is_html_space(c) {
                out.push(c);
                continue;
            }
            let mut newline = c == '\n';
            while let Some(&n) = chars.peek().filter(|&&n| is_html_space(n)) {
                newline |= n == '\n';
                chars.next();
            }
            let before_cjk = out.chars().next_back().is_some_and(joins_without_spaces);
            let after_cjk = chars.peek().is_some_and(|&n| joins_without_spaces(n));
            if !(newline && before_cjk && after_cjk) {
                out.push(' ');
            }
        }
        out
    }

    #[test]
    fn collapsing_by_runs_matches_the_definition() {
        // Every string of up to four pieces from an alphabet of the cases that matter.
        let pieces = [
            " ", "\n", "\t", "\r", "\u{C}", "\u{1}", "\u{7F}", "\u{FFFE}", "\u{FFFF}", "\u{FFFD}",
            "中", "a", "é", "한", "\u{3000}", "\u{a0}",
        ];
        let mut strings = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = strings
                .iter()
                .flat_map(|s| pieces.iter().map(move |p| format!("{s}{p}")))
                .collect();
            strings.extend(longer);
            strings.dedup();
        }
        for s in &strings {
            assert_eq!(collapse(s), collapse_reference(s), "{s:?}");
        }
    }

    #[test]
    fn spaces_move_out_of_wrappers_and_texts_merge() {
        let got = trim(normalize(vec![
            text(" a"),
            Strong(vec![text(" b ")]),
            text(" c "),
            Emph(vec![]),
        ]));
        assert_eq!(got, vec![text("a "), Strong(vec![text("b")]), text(" c")]);
    }

    #[test]
    fn adjacent_same_wrappers_merge() {
        let got = normalize(vec![Strong(vec![text("a")]), Strong(vec![text("b")])]);
        assert_eq!(got, vec![Strong(vec![text("ab")])]);
    }

    #[test]
    fn breaks_move_out_of_wrappers() {
        let got = normalize(vec![
            Strong(vec![text("a"), LineBreak]),
            LineBreak,
            text("b"),
        ]);
        assert_eq!(
            got,
            vec![Strong(vec![text("a")]), LineBreak, LineBreak, text("b")]
        );
    }

    #[test]
    fn trims_breaks_at_edges() {
        let got = trim(normalize(vec![
            LineBreak,
            text("a "),
            LineBreak,
            text(" b"),
            LineBreak,
        ]));
        assert_eq!(got, vec![text("a"), LineBreak, text("b")]);
    }
}
