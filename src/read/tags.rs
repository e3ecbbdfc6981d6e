//! The scanning that Hugo's shortcodes ([`super::shortcode`]: `{{< x >}}…{{< /x >}}`,
//! `{{% x %}}`) and Hexo's tag plugins ([`super::hexo`]: `{% x %}…{% endx %}`) share: a tag's
//! text between its delimiters, the closing tag that matches an opening one through nested
//! tags of the same name, and the pass that writes the text between tags and hands each tag,
//! with its content when paired, to its generator.
//!
//! What differs stays with each generator ([`Expander`]): its delimiters, how a tag's name
//! and arguments are split (Hugo keeps quotes, Hexo's Nunjucks lexer removes them), which
//! names are paired, which tags close which (`/x`, `endx`), Hugo's `{{</* x */>}}` escape, and
//! Hexo's `{% raw %}`, whose content nests nothing. Tags in code blocks and code spans are
//! examples and stay as written ([`Prose`]); a closing tag is searched where each generator
//! searches it.

use super::prose::Prose;
use std::borrow::Cow;

/// The text of the tag at `at` between its delimiters `open` and `close`, and where the tag
/// ends; `None` when it is never closed.
pub fn delimited<'s>(src: &'s str, at: usize, open: &str, close: &str) -> Option<(&'s str, usize)> {
    let start = at + open.len();
    let rel = src.get(start..)?.find(close)?;
    Some((&src[start..start + rel], start + rel + close.len()))
}

/// What a tag met while looking for a closing tag is to the tag being closed.
pub enum Role {
    /// It opens another of the same name, which its own closing tag closes first.
    Opens,
    /// It closes a tag of that name.
    Closes,
    /// Any other tag.
    Neither,
}

/// The closing tag matching one opened before `from`, minding nested ones of the same name:
/// its (start, end). `next(i)` is where the next tag may start at or after `i`; `read(at)`
/// is the tag there, its role and end, or `None` when it is none (the search goes on `skip`
/// bytes later).
pub fn find_close(
    from: usize,
    next: impl Fn(usize) -> Option<usize>,
    read: impl Fn(usize) -> Option<(Role, usize)>,
    skip: usize,
) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    let mut i = from;
    while let Some(at) = next(i) {
        let Some((role, end)) = read(at) else {
            i = at + skip;
            continue;
        };
        match role {
            Role::Closes if depth == 0 => return Some((at, end)),
            Role::Closes => depth -= 1,
            Role::Opens => depth += 1,
            Role::Neither => {}
        }
        i = end;
    }
    None
}

/// What a generator makes of a place where one of its tags may start.
pub enum Found<'s, T> {
    /// Text written as it is, the scan going on at `end` (not a tag, or an escaped one).
    Text(Cow<'s, str>, usize),
    /// Nothing written, the scan going on at `end` (a closing tag without its opening).
    Skip(usize),
    /// A tag ending at `end` (the second field), and its closing tag's (start, end) when it
    /// is paired: its content is the text in between.
    Tag(T, usize, Option<(usize, usize)>),
}

/// A generator's tags: how they are found and read, and what each becomes.
pub trait Expander {
    /// A tag as the generator reads it.
    type Tag<'s>;
    /// The texts a tag starts with.
    const OPENERS: &'static [&'static str];
    /// The tag that may start at `at` in `prose.src`.
    fn read<'s>(&mut self, prose: &Prose<'s>, at: usize) -> Found<'s, Self::Tag<'s>>;
    /// Writes what `tag` (with `inner`, its content, when paired) becomes into `out`.
    fn expand(&mut self, tag: Self::Tag<'_>, inner: Option<&str>, out: &mut String);
    /// How deep in paired tags' content the pass is ([`Expander::inner`]), which the
    /// generator bounds so that hostile input cannot exhaust the stack.
    fn depth(&mut self) -> &mut usize;

    /// The content of a paired tag, with its own tags expanded one level deeper.
    fn inner(&mut self, inner: &str) -> String
    where
        Self: Sized,
    {
        *self.depth() += 1;
        let out = expand_all(self, inner);
        *self.depth() -= 1;
        out
    }
}

/// What leads the lines that continue the block a tag's line is in, from the text before the
/// tag on its line: its indentation, a quote's `>`, a list marker's width in spaces
/// (`1. {% code %}`); `None` at the start of a line or after other text.
pub fn continuation(before: &str) -> Option<String> {
    if before.is_empty() {
        return None;
    }
    if before.chars().all(|c| c == ' ' || c == '\t' || c == '>') {
        return Some(before.to_string());
    }
    let marker = before.trim_start();
    let digits = marker.bytes().take_while(u8::is_ascii_digit).count();
    let rest = match marker.as_bytes().first() {
        Some(b'-' | b'*' | b'+') => &marker[1..],
        _ if (1..10).contains(&digits) => marker[digits..].strip_prefix(['.', ')'])?,
        _ => return None,
    };
    (rest.starts_with([' ', '\t']) && rest.trim().is_empty() && before.is_ascii())
        .then(|| " ".repeat(before.len()))
}

/// Writes `piece`, what a tag became, where the tag stood, `cont` being its line's
/// [`continuation`]: its lines after the first led by it (a blank one by the quote's `>`s
/// alone), so that a figure, code block or quote made in a list item or a quote stays there,
/// as Hugo and Hexo keep a tag's output in place. Anywhere else `piece` is written as it is.
pub fn place(piece: &str, cont: Option<&str>, out: &mut String) {
    match cont {
        Some(cont) if piece.contains('\n') => {
            // On the tag's own line: a list marker's line leads its item's first block.
            let blank = cont.trim_end();
            for (i, line) in piece.trim_start_matches('\n').split('\n').enumerate() {
                if i > 0 {
                    out.push('\n');
                    out.push_str(if line.is_empty() { blank } else { cont });
                }
                out.push_str(line);
            }
        }
        _ => out.push_str(piece),
    }
}

/// `src` with every tag outside code expanded by `e`.
pub fn expand_all<E: Expander>(e: &mut E, src: &str) -> String {
    let prose = Prose::new(src);
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while let Some(at) = prose.find(i, E::OPENERS) {
        out.push_str(&src[i..at]);
        i = match e.read(&prose, at) {
            Found::Text(text, end) => {
                out.push_str(&text);
                end
            }
            Found::Skip(end) => end,
            Found::Tag(tag, end, close) => {
                let (inner, resume) = match close {
                    Some((start, close_end)) => (Some(&src[end..start]), close_end),
                    None => (None, end),
                };
                e.expand(tag, inner, &mut out);
                resume
            }
        };
    }
    out.push_str(&src[i..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_continue_where_their_tag_is() {
        assert_eq!(continuation(""), None);
        assert_eq!(continuation("    ").as_deref(), Some("    "));
        assert_eq!(continuation("> ").as_deref(), Some("> "));
        assert_eq!(continuation("1. ").as_deref(), Some("   "));
        assert_eq!(continuation("  - ").as_deref(), Some("    "));
        assert_eq!(continuation("见 "), None);
        assert_eq!(continuation("2020. "), Some("      ".into()));
        let mut out = String::from("> ");
        place("\n\n<figure>x</figure>\n\ntext\n", Some("> "), &mut out);
        assert_eq!(out, "> <figure>x</figure>\n>\n> text\n>");
        let mut out = String::from("see ");
        place("\n\n<figure>x</figure>\n\n", None, &mut out);
        assert_eq!(out, "see \n\n<figure>x</figure>\n\n");
    }
}
