//! A guard in front of the HTML parser against absurdly deep nesting.
//!
//! html5ever's tree builder checks element scopes by walking the stack of open elements, so
//! its time grows with the square of the nesting depth: 100,000 nested `<div>`s (600 KB) took
//! 55 s, and 100,000 nested Markdown quotes 98 s. Real posts never nest more than a few dozen
//! levels, so a document that could be deeper than [`LIMIT`] is re-tokenized (linear time) and
//! every tag beyond that depth is dropped, keeping all text. The reader then flattens anything
//! deeper than its own limit, with a warning, as for any deep document.

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use std::cell::{Cell, RefCell};

/// Elements deeper than this are dropped (their text kept).
pub const LIMIT: usize = 2_000;

/// Returns `html` with tags nested deeper than [`LIMIT`] removed, or `None` when it is not that
/// deep. Most documents cannot be, which counting tags decides without tokenizing; most of
/// the others (long posts) are not, which one tokenizing pass that only follows the depth
/// decides; only a document that is too deep is tokenized again and re-serialized.
pub fn cap(html: &str) -> Option<String> {
    let bytes = html.as_bytes();
    let tags = memchr::memchr_iter(b'<', bytes)
        .filter(|&i| bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic))
        .count();
    if tags <= LIMIT || !tokenize(html, Capper::default()).too_deep.get() {
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
#[derive(Default)]
struct Capper {
    out: Option<RefCell<String>>,
    open: RefCell<Vec<html5ever::LocalName>>,
    too_deep: Cell<bool>,
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
                        if !leaf && open.len() >= LIMIT {
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

#[cfg(test)]
mod tests {
    use super::*;

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
