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
