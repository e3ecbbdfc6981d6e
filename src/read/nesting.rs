//! A guard in front of the HTML parser against absurdly deep nesting.
//!
//! html5ever's tree builder checks element scopes by walking the stack of open elements, so
//! its time grows with the square of the nesting depth: 100,000 nested `<div>`s (600 KB) took
//! 55 s, and 100,000 nested Markdown quotes 98 s. Real posts never nest more than a few dozen
//! levels, so a document that could be deeper than [`LIMIT`] is re-tokenized (linear time) and
//! every tag beyond that depth is dropped, keeping all text. The reader then flattens anything
//! deeper than its own limit, with a warning, as for any deep document.
//!
//! Whether a document is that deep is decided by [`depth`], a byte scanner that follows the
//! tokenizer's tag, comment and markup-declaration states (the only states a tokenizer with no
//! tree builder behind it enters) and finds the same tags html5ever would. Running html5ever's
//! own tokenizer for the check took 6% of a corpus → Markdown run (its nine longest posts were
//! tokenized twice); the scan takes a small part of that. Tests check that both agree.

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use std::cell::{Cell, RefCell};

/// Elements deeper than this are dropped (their text kept).
pub const LIMIT: usize = 2_000;

/// Returns `html` with tags nested deeper than [`LIMIT`] removed, or `None` when it is not that
/// deep. Most documents cannot be, which counting tags decides without tokenizing; most of
/// the others (long posts) are not, which a byte scan that only follows the depth decides
/// ([`depth`]); only a document that is too deep is tokenized and re-serialized.
pub fn cap(html: &str) -> Option<String> {
    let bytes = html.as_bytes();
    let tags = memchr::memchr_iter(b'<', bytes)
        .filter(|&i| bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic))
        .count();
    if tags <= LIMIT || !depth(html, LIMIT).too_deep {
        return None;
    }
    let serializing = Capper {
        out: Some(RefCell::default()),
        ..Capper::default()
    };
    tokenize(html, serializing).out.map(RefCell::into_inner)
}

fn tokenize(html: &str, sink: Capper) -> Capper {
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink
}

/// Follows an approximate stack of open elements and, when `out` is given, re-serializes the
/// tokens without the elements deeper than [`LIMIT`].
struct Capper {
    out: Option<RefCell<String>>,
    open: RefCell<Vec<html5ever::LocalName>>,
    too_deep: Cell<bool>,
    /// The depth elements are dropped beyond ([`LIMIT`]; smaller in tests).
    limit: usize,
    /// The deepest the stack got (compared with [`depth`]'s in tests).
    deepest: Cell<usize>,
}

impl Default for Capper {
    fn default() -> Self {
        Capper {
            out: None,
            open: RefCell::default(),
            too_deep: Cell::new(false),
            limit: LIMIT,
            deepest: Cell::new(0),
        }
    }
}

/// Elements without content (never pushed) and elements a following sibling closes implicitly.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];
const SELF_CLOSING_SIBLINGS: &[&str] = &[
    "p", "li", "dt", "dd", "option", "tr", "td", "th", "thead", "tbody",
];

impl TokenSink for Capper {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut out = self.out.as_ref().map(RefCell::borrow_mut);
        let mut open = self.open.borrow_mut();
        match token {
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                match tag.kind {
                    TagKind::StartTag => {
                        if SELF_CLOSING_SIBLINGS.contains(&name) && open.last() == Some(&tag.name) {
                            open.pop();
                        }
                        let leaf = tag.self_closing || VOID.contains(&name);
                        if !leaf && open.len() >= self.limit {
                            self.too_deep.set(true);
                            return TokenSinkResult::Continue;
                        }
                        if let Some(out) = out.as_deref_mut() {
                            out.push('<');
                            out.push_str(name);
                            for attr in &tag.attrs {
                                out.push(' ');
                                out.push_str(&attr.name.local);
                                out.push_str("=\"");
                                crate::xml::escape_into(&attr.value, out);
                                out.push('"');
                            }
                            out.push_str(if tag.self_closing { "/>" } else { ">" });
                        }
                        if !leaf {
                            open.push(tag.name);
                            self.deepest.set(self.deepest.get().max(open.len()));
                        }
                    }
                    TagKind::EndTag => {
                        // Close the nearest matching element; an end tag matching nothing near
                        // the top belonged to a dropped element.
                        let near = open.len().saturating_sub(64);
                        if let Some(i) = open[near..].iter().rposition(|n| *n == tag.name) {
                            open.truncate(near + i);
                            if let Some(out) = out.as_deref_mut() {
                                out.push_str("</");
                                out.push_str(name);
                                out.push('>');
                            }
                        }
                    }
                }
            }
            Token::CharacterTokens(text) => {
                if let Some(out) = out.as_deref_mut() {
                    crate::xml::escape_into(&text, out);
                }
            }
            Token::DoctypeToken(_)
            | Token::CommentToken(_)
            | Token::NullCharacterToken
            | Token::EOFToken
            | Token::ParseError(_) => {}
        }
        TokenSinkResult::Continue
    }
}

/// What [`depth`] found: whether a start tag would have opened an element deeper than the limit
/// (and was dropped), and the deepest the stack of open elements got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Depth {
    too_deep: bool,
    deepest: usize,
}

/// [`Capper`]'s verdict on `html` without html5ever's tokenizer: the same stack of open
/// elements, fed the tags a byte scan finds where the tokenizer would. A tokenizer with no tree
/// builder never enters the raw-text states (`<script>`, `<style>`, …) nor CDATA, so outside
/// tags there are only text, comments (`<!--` to the first `-->` or `--!>`, or the abrupt
/// `<!-->` and `<!--->`) and what ends at the next `>` (`<!DOCTYPE …>`, `<!…>`, `<?…>`, `</ …>`).
/// A tag left open at the end is dropped, as the tokenizer drops it. Input with a NUL byte (which
/// the tokenizer turns into U+FFFD inside names) goes to the tokenizer.
fn depth(html: &str, limit: usize) -> Depth {
    let b = html.as_bytes();
    if memchr::memchr(0, b).is_some() {
        let capper = tokenize(
            html,
            Capper {
                limit,
                ..Capper::default()
            },
        );
        return Depth {
            too_deep: capper.too_deep.get(),
            deepest: capper.deepest.get(),
        };
    }
    let is =
        |set: &[&str], name: &[u8]| set.iter().any(|s| s.as_bytes().eq_ignore_ascii_case(name));
    let mut open: Vec<&[u8]> = Vec::new();
    let mut found = Depth::default();
    let mut i = 0;
    while let Some(lt) = memchr::memchr(b'<', &b[i..]) {
        i += lt + 1;
        let Some(&c) = b.get(i) else { break };
        match c {
            b'!' if b[i + 1..].starts_with(b"--") => i = comment_end(b, i + 3),
            b'!' | b'?' => i = after(b, i, b'>'),
            b'/' => match b.get(i + 1) {
                Some(c) if c.is_ascii_alphabetic() => {
                    let Some(tag) = tag(b, i + 1) else { break };
                    i = tag.end;
                    let near = open.len().saturating_sub(64);
                    if let Some(k) = open[near..]
                        .iter()
                        .rposition(|n| n.eq_ignore_ascii_case(tag.name))
                    {
                        open.truncate(near + k);
                    }
                }
                Some(b'>') => i += 2,
                Some(_) => i = after(b, i + 1, b'>'),
                None => break,
            },
            c if c.is_ascii_alphabetic() => {
                let Some(tag) = tag(b, i) else { break };
                i = tag.end;
                if is(SELF_CLOSING_SIBLINGS, tag.name)
                    && open
                        .last()
                        .is_some_and(|n| n.eq_ignore_ascii_case(tag.name))
                {
                    open.pop();
                }
                if tag.self_closing || is(VOID, tag.name) {
                    continue;
                }
                if open.len() >= limit {
                    found.too_deep = true;
                    continue;
                }
                open.push(tag.name);
                found.deepest = found.deepest.max(open.len());
            }
            // Text: the `<` was a character, and what follows is read as text again.
            _ => {}
        }
    }
    found
}

/// The index after the first `end` at or after `from` (the end of `b` without one).
fn after(b: &[u8], from: usize, end: u8) -> usize {
    memchr::memchr(end, &b[from..]).map_or(b.len(), |k| from + k + 1)
}

/// The index after a comment whose text starts at `from` (after its `<!--`).
fn comment_end(b: &[u8], from: usize) -> usize {
    let rest = &b[from..];
    match rest {
        [b'>', ..] => from + 1,
        [b'-', b'>', ..] => from + 2,
        _ => {
            let dashes = memchr::memmem::find(rest, b"-->").map(|k| k + 3);
            let bang = memchr::memmem::find(rest, b"--!>").map(|k| k + 4);
            from + dashes.into_iter().chain(bang).min().unwrap_or(rest.len())
        }
    }
}

/// A tag as the tokenizer reads it: its name (case as written), whether it closes itself
/// (`<x/>`), and the index after its `>`.
struct Tag<'a> {
    name: &'a [u8],
    self_closing: bool,
    end: usize,
}

/// The tag whose name starts at `start`, read through the tokenizer's attribute states (a `>`
/// in a quoted value does not end it; a `/` in an unquoted one does not close it); `None` when
/// the input ends inside it.
fn tag(b: &[u8], start: usize) -> Option<Tag<'_>> {
    #[derive(Clone, Copy)]
    enum State {
        BeforeName,
        Name,
        AfterName,
        BeforeValue,
        Quoted(u8),
        Unquoted,
        AfterQuoted,
        SelfClosing,
    }
    use State::*;
    let space = |c: u8| matches!(c, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ');
    let mut i = start;
    while i < b.len() && !space(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let name = &b[start..i];
    let mut state = BeforeName;
    loop {
        let c = *b.get(i)?;
        i += 1;
        let end = |self_closing| {
            Some(Tag {
                name,
                self_closing,
                end: i,
            })
        };
        state = match (state, c) {
            (SelfClosing, b'>') => return end(true),
            (Quoted(q), c) if c == q => AfterQuoted,
            (Quoted(q), _) => Quoted(q),
            (_, b'>') => return end(false),
            (Unquoted, c) if space(c) => BeforeName,
            (Unquoted, _) => Unquoted,
            (BeforeValue, b'"' | b'\'') => Quoted(c),
            (BeforeValue, c) if space(c) => BeforeValue,
            (BeforeValue, _) => Unquoted,
            (Name | AfterName, b'=') => BeforeValue,
            (Name | AfterName, c) if space(c) => AfterName,
            (_, b'/') => SelfClosing,
            (_, c) if space(c) => BeforeName,
            _ => Name,
        };
    }
}

/// Panics unless [`depth`] and html5ever's tokenizer agree on `html` at several limits: the
/// scan's correctness check, run by the tests below and the `nesting` fuzz target.
#[doc(hidden)]
pub fn check_scan_agrees(html: &str) {
    for limit in [2, 5, 40, LIMIT] {
        let capper = tokenize(
            html,
            Capper {
                limit,
                ..Capper::default()
            },
        );
        let tokenized = Depth {
            too_deep: capper.too_deep.get(),
            deepest: capper.deepest.get(),
        };
        assert_eq!(depth(html, limit), tokenized, "limit {limit}: {html:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_finds_the_tags_the_tokenizer_finds() {
        let cases = [
            "<div><p>a<p>b</div><div><span>",
            "<DIV><Span></div></SPAN><div/><div / ><br/><img src=a/><div>",
            "<div a='>' b=\"<div>\" c=d/><div e=\"x\"/><div f=\"x\"g><div>",
            "<div a b = c d=\"x\"/ ><div a=b'c\"d ><div =x><div \"y\"=z>",
            "<!-- <div> --><!--><div><!---><div><!----><div><!-- --!><div><!-- -- > <div> -->",
            "<!-- a--!-x --><div><!-----><div><!--a<!--b--><div>",
            "<!DOCTYPE html \"<div>\"><div><!x <div>><div><?php <div> ?><div>",
            "</ <div>><div></><div></div x=\">\"></DIV><<div>a < b<div>",
            "<div\rclass=x\r/><div\tid='a'\n>\r\n<div\x0C>",
            "<script><div></script><style>p { }</style><textarea><div></textarea>",
            "<svg><![CDATA[<div>]]><div></svg><math><div>",
            "<div>x\0y<p\0>z</p\0><div>",
            "<div><div a=\"unterminated",
            "<div><div><!-- unterminated <div>",
            "<div></",
            "<li><li><ul><li><td><td></ul><li>",
            "é<dív><DÍV></DíV><div>&amp;<div title=&quot;>",
        ];
        for html in cases {
            check_scan_agrees(html);
        }
        // An end tag closes only an element among the 64 nearest the top.
        let far = format!("<section>{}</section><div>", "<div>".repeat(70));
        check_scan_agrees(&far);
        let near = format!("<section>{}</section><div>", "<div>".repeat(60));
        check_scan_agrees(&near);
        // Pseudo-random documents of the pieces above.
        let pieces = [
            "<div>",
            "</div>",
            "<p>",
            "</p>",
            "<li>",
            "<br>",
            "<span a='>'>",
            "</span>",
            "<!--",
            "-->",
            "--!>",
            "-",
            ">",
            "<",
            "/",
            "<!",
            "<?",
            "</",
            "=",
            "\"",
            "'",
            " ",
            "\r",
            "x",
            "<DIV/>",
            "<td>",
            "<tr>",
            "</TR>",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..3_000 {
            let mut html = String::new();
            for _ in 0..(seed % 60) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                html.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            check_scan_agrees(&html);
        }
    }

    /// Every corpus post (Markdown with raw HTML, as the tokenizer sees it).
    #[test]
    fn the_scan_agrees_with_the_tokenizer_on_the_corpus() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/posts");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            // As tests/common's `skipped`: a failure under CI, said on stderr elsewhere.
            assert!(std::env::var_os("CI").is_none(), "the corpus is missing");
            eprintln!(
                "SKIPPED: {} not found; its checks did not run",
                dir.display()
            );
            return;
        };
        let mut n = 0;
        for entry in entries {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            check_scan_agrees(&text);
            n += 1;
        }
        assert!(n >= 1_000, "{n} posts");
    }

    #[test]
    fn ordinary_documents_are_left_alone() {
        assert_eq!(cap("<p>a</p><p>b</p>"), None);
        // Many sibling tags, none deep: tokenized, but nothing dropped.
        let many = "<p>x<br>y".repeat(3_000);
        assert_eq!(cap(&many), None);
        // Long and not deep, with end tags that close nothing: still parsed as written.
        let stray = "<div><span>x</span></b></div>".repeat(1_000);
        assert_eq!(cap(&stray), None);
    }

    #[test]
    fn deep_nesting_is_capped_and_text_kept() {
        let deep = format!(
            "<p>start</p>{}<p>deep &amp; \"text\"</p>{}<p>end</p>",
            "<div class=\"x\">".repeat(100_000),
            "</div>".repeat(100_000)
        );
        let capped = cap(&deep).expect("capped");
        assert_eq!(capped.matches("<div").count(), LIMIT);
        assert_eq!(capped.matches("</div>").count(), LIMIT);
        assert!(capped.contains("deep &amp; &quot;text&quot;"));
        assert!(capped.ends_with("<p>end</p>"));
    }
}
