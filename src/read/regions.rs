//! Where a Markdown body's code is, as the Markdown parser itself sees it.
//!
//! Several passes rewrite a Markdown body's text before it is parsed — kramdown attribute
//! lists ([`super::kramdown`]), formulas ([`super::math`]), Liquid and shortcodes
//! ([`super::prose`]) — and each must leave code alone: `{: #id}` or `$x$` in a code block is an
//! example, not markup. Each pass once found code with a scanner of its own, with its own
//! rules (fences only, fences and spans, fences and indented blocks), and an indented code
//! block was rewritten by the passes that knew only fences. Here the code regions come from
//! pulldown-cmark's offset iterator, with the options the Markdown reader parses with, so
//! every pass skips exactly what the reader will render as code: fenced and indented blocks
//! (also inside lists and block quotes) and code spans.
//!
//! A pass that changes the text works on its own map of its input ([`CodeRegions::of`] is
//! one parse, without rendering); the passes that cannot find anything to do never build one.

use pulldown_cmark::{Event, Parser, Tag};
use std::ops::Range;

/// The code of a Markdown text, as byte ranges in order.
#[derive(Debug, Default)]
pub struct CodeRegions {
    /// Code blocks, as whole lines (fences included).
    blocks: Vec<Range<usize>>,
    /// Code blocks and code spans (backticks included), in order; they never overlap.
    all: Vec<Range<usize>>,
}

impl CodeRegions {
    pub fn of(src: &str) -> CodeRegions {
        let mut blocks = Vec::new();
        let mut all = Vec::new();
        let parser = Parser::new_ext(src, super::dialect::read_options());
        for (event, range) in parser.into_offset_iter() {
            match event {
                Event::Start(Tag::CodeBlock(_)) => {
                    let lines = whole_lines(src, range);
                    push_merged(&mut blocks, lines.clone());
                    push_merged(&mut all, lines);
                }
                Event::Code(_) => push_merged(&mut all, range),
                _ => {}
            }
        }
        CodeRegions { blocks, all }
    }

    /// The code blocks, as byte ranges of whole lines.
    pub fn blocks(&self) -> &[Range<usize>] {
        &self.blocks
    }

    /// The code blocks and spans that end after `from`, in order.
    pub fn from(&self, from: usize) -> &[Range<usize>] {
        let first = self.all.partition_point(|r| r.end <= from);
        &self.all[first..]
    }

    /// Whether the byte at `i` is code.
    pub fn contains(&self, i: usize) -> bool {
        self.from(i).first().is_some_and(|r| r.contains(&i))
    }

    /// Whether the byte at `i` is in a code block.
    pub fn in_block(&self, i: usize) -> bool {
        let first = self.blocks.partition_point(|r| r.end <= i);
        self.blocks.get(first).is_some_and(|r| r.contains(&i))
    }
}

/// `range` widened to the whole lines it touches, line ending included.
/// Adds `range` to `ranges` (in order), merged with the last one when they overlap: two code
/// blocks on one line (fences in a quote, `>[` then `~~~`) are taken to whole lines, which
/// then share that line, and the scans that walk the text between them need them disjoint.
fn push_merged(ranges: &mut Vec<Range<usize>>, range: Range<usize>) {
    match ranges.last_mut() {
        Some(last) if range.start < last.end => last.end = last.end.max(range.end),
        _ => ranges.push(range),
    }
}

fn whole_lines(src: &str, range: Range<usize>) -> Range<usize> {
    let start = src[..range.start].rfind('\n').map_or(0, |k| k + 1);
    let end = match range.end {
        e if e > start && src.as_bytes()[e - 1] == b'\n' => e,
        e => src[e..].find('\n').map_or(src.len(), |k| e + k + 1),
    };
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(src: &str) -> Vec<&str> {
        CodeRegions::of(src)
            .from(0)
            .iter()
            .map(|r| &src[r.clone()])
            .collect()
    }

    #[test]
    fn fenced_indented_nested_blocks_and_spans() {
        let src = "Text `a {: x}` here.\n\n    indented {: #id}\n    [TOC]\n\n\
                   ```\nfenced $x$\n```\n\n- item\n\n      list code\n\n> ~~~\n> quoted\n> ~~~\n";
        assert_eq!(
            code_of(src),
            [
                "`a {: x}`",
                "    indented {: #id}\n    [TOC]\n",
                "```\nfenced $x$\n```\n",
                "      list code\n",
                "> ~~~\n> quoted\n> ~~~\n",
            ]
        );
    }

    #[test]
    fn indented_lines_continuing_a_paragraph_are_not_code() {
        let src = "A paragraph\n    still the paragraph {: .x}\n";
        assert!(code_of(src).is_empty());
        let regions = CodeRegions::of("`a` b\n\n    c\n");
        assert!(regions.contains(0) && !regions.contains(4) && regions.contains(8));
        assert!(!regions.in_block(0) && regions.in_block(8));
    }
}
