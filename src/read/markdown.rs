//! The Markdown reader: CommonMark + GFM tables and strikethrough, with embedded raw HTML.
//!
//! Posts mix the two freely (the seed post opens with a Markdown link and rule, then switches
//! to raw HTML whose `<div>` spans what CommonMark sees as several blocks). So the Markdown is
//! rendered to HTML by pulldown-cmark, which passes raw HTML through untouched, and the result
//! goes through the one HTML reader. Every construct then has a single path into the model, and
//! HTML split across Markdown blocks is reassembled by a real HTML5 parser.

use crate::model::Block;
use crate::warning::Warning;
use pulldown_cmark::{html, Options, Parser};

/// The Markdown dialect postbook reads and writes: CommonMark with GitHub's tables,
/// strikethrough, footnotes and task lists, and `{#id}` heading anchors (Goldmark and
/// kramdown both have them).
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Parses a Markdown body into blocks.
pub fn read_markdown(src: &str, warnings: &mut Vec<Warning>) -> Vec<Block> {
    let src = super::kramdown::strip_attribute_lists(src);
    let protected = super::math::protect(&src);
    let src = protected
        .as_ref()
        .map_or(src.as_ref(), |(text, _)| text.as_str());
    let mut out = String::with_capacity(src.len() + src.len() / 4);
    html::push_html(&mut out, Parser::new_ext(src, options()));
    let mut blocks = super::html::read_html(&out, warnings);
    if let Some((_, formulas)) = &protected {
        super::math::restore(&mut blocks, formulas);
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Image, Inline};

    #[test]
    fn markdown_and_raw_html_meet_in_one_model() {
        let blocks = read_markdown(
            "# T\n\nsome *em* text\n\n<div>\n\n**md in html**\n\n</div>\n\n![cap](a.png)\n",
            &mut Vec::new(),
        );
        assert_eq!(
            blocks[0],
            Block::Heading {
                level: 1,
                id: None,
                content: vec![Inline::Text("T".into())]
            }
        );
        assert_eq!(
            blocks[1],
            Block::Paragraph(vec![
                Inline::Text("some ".into()),
                Inline::Emph(vec![Inline::Text("em".into())]),
                Inline::Text(" text".into())
            ])
        );
        assert_eq!(
            blocks[2],
            Block::Paragraph(vec![Inline::Strong(vec![Inline::Text(
                "md in html".into()
            )])])
        );
        assert_eq!(
            blocks[3],
            Block::Figure(Box::new(Image {
                src: "a.png".into(),
                alt: "cap".into(),
                title: None
            }))
        );
    }
}
