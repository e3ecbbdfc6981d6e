//! The Markdown reader: CommonMark + GFM tables and strikethrough, with embedded raw HTML.
//!
//! Posts mix the two freely (the seed post opens with a Markdown link and rule, then switches
//! to raw HTML whose `<div>` spans what CommonMark sees as several blocks). So the Markdown is
//! rendered to HTML by pulldown-cmark, which passes raw HTML through untouched, and the result
//! goes through the one HTML reader. Every construct then has a single path into the model, and
//! HTML split across Markdown blocks is reassembled by a real HTML5 parser.

use crate::model::Block;
use crate::warning::Warning;
use pulldown_cmark::{html, CodeBlockKind, Event, Parser, Tag};
use std::borrow::Cow;

pub use super::dialect::options;
use super::dialect::read_options;

/// Parses a Markdown body into blocks, removing site chrome without reporting it (see
/// [`read_markdown_with`]).
pub fn read_markdown(src: &str, warnings: &mut Vec<Warning>) -> Vec<Block> {
    read_markdown_with(src, warnings, &mut super::chrome::Cleaning::default())
}

/// Parses a Markdown body into blocks, removing the site chrome in its HTML or not as
/// `cleaning` says and recording what was removed there.
pub fn read_markdown_with(
    src: &str,
    warnings: &mut Vec<Warning>,
    cleaning: &mut super::chrome::Cleaning,
) -> Vec<Block> {
    read_markdown_in(
        src,
        warnings,
        cleaning,
        Default::default(),
        Reading::default(),
    )
}

/// How the site's Markdown renderer reads what CommonMark leaves to it; the default is
/// CommonMark's own reading.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// A single newline inside a paragraph is a line break (GFM's `breaks` option, on in
    /// Hexo's renderers), not a space.
    pub breaks: bool,
    /// The body is kramdown's (a Jekyll site's default Markdown): its HTML blocks run to their
    /// end tag ([`super::kramdown_html::join_html_blocks`]), its tables and definitions are
    /// kramdown's ([`super::kramdown_blocks`]).
    pub kramdown: bool,
}

/// [`read_markdown_with`] for a post whose language or bibliography is known (see
/// [`super::html::read_html_in`]).
pub fn read_markdown_in(
    src: &str,
    warnings: &mut Vec<Warning>,
    cleaning: &mut super::chrome::Cleaning,
    post: super::html::PostContext<'_>,
    reading: Reading,
) -> Vec<Block> {
    // Distill's `<d-math>`, as the TeX the math reader takes.
    let distill = super::distill::math_delimiters(src);
    let src = distill.as_deref().unwrap_or(src);
    let extended = super::kramdown_ext::apply_extensions(src);
    let stripped = super::kramdown::strip_attribute_lists(&extended);
    let attributed = super::kramdown_html::apply_markdown_attributes(&stripped);
    let joined;
    let src = match reading.kramdown {
        true => {
            joined = super::kramdown_html::join_html_blocks(&attributed);
            super::kramdown_blocks::rewrite(&joined)
        }
        false => Cow::Borrowed(attributed.as_ref()),
    };
    let protected = super::math::protect(&src);
    let src = protected
        .as_ref()
        .map_or(src.as_ref(), |(text, _)| text.as_str());
    let mut out = String::with_capacity(src.len() + src.len() / 4);
    html::push_html(
        &mut out,
        Parser::new_ext(src, read_options())
            .map(numbered_fences)
            .map(|e| match e {
                Event::SoftBreak if reading.breaks => Event::HardBreak,
                e => e,
            }),
    );
    let mut blocks = super::html::read_html_in(&out, warnings, cleaning, post);
    if let Some((_, formulas)) = &protected {
        super::math::restore(&mut blocks, formulas);
    }
    blocks
}

/// A fence with attributes (```` ```go {linenos=table} ````, ```` ```{title="X"} ````, Hugo's
/// and Goldmark's) is in the language written before them — none when nothing is, as Hugo
/// renders a plain code block; pandoc's ```` ```{.python} ```` names it as a class — and one
/// asking for line numbers opens a `<pre>` marked with its first line number, which the HTML
/// reader puts in the model. pulldown-cmark would take the info string's first word, an
/// attribute, as the language. Other fences pass unchanged.
fn numbered_fences(event: Event<'_>) -> Event<'_> {
    let Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) = &event else {
        return event;
    };
    let Some((lang, attributes)) = info.split_once('{') else {
        return event;
    };
    let attributes = attributes.trim_end().trim_end_matches('}');
    let first = super::prose::line_numbers(attributes);
    // Without a language before the braces: pandoc's `{.python}` class, or R Markdown's bare
    // `{r}` (decided here: a first word without `=` names the language); `{title="X"}` none.
    let lang = match lang.trim() {
        "" => {
            let first = attributes
                .trim_start()
                .split(|c: char| c.is_whitespace() || c == ',')
                .next()
                .unwrap_or("");
            let word = first.strip_prefix('.').unwrap_or(first);
            let bare = !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '+'));
            if bare {
                word
            } else {
                ""
            }
        }
        lang => lang,
    };
    if first.is_none() && !lang.is_empty() && info.trim_start().starts_with(lang) {
        // `go {hl_lines=1}`: pulldown-cmark's first word is the language already.
        return event;
    }
    let class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", crate::xml::escape(lang))
    };
    match first {
        Some(first) => Event::Html(format!("<pre data-linenos=\"{first}\"><code{class}>").into()),
        None => Event::Html(format!("<pre><code{class}>").into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Image, Inline};

    #[test]
    fn fence_attributes_ask_for_line_numbers() {
        let blocks = read_markdown(
            "```go {linenos=table,linenostart=4}\na < b\n```\n\n```py {hl_lines=1}\nx\n```\n\n```{title=\"Quine clock\"}\nq\n```\n\n``` {.python}\np\n```\n\n```{r}\nr\n```\n",
            &mut Vec::new(),
        );
        assert_eq!(
            blocks,
            [
                Block::Code {
                    lang: Some("go".into()),
                    text: "a < b".into(),
                    first_line: Some(4),
                },
                Block::Code {
                    lang: Some("py".into()),
                    text: "x".into(),
                    first_line: None,
                },
                Block::Code {
                    lang: None,
                    text: "q".into(),
                    first_line: None,
                },
                Block::Code {
                    lang: Some("python".into()),
                    text: "p".into(),
                    first_line: None,
                },
                Block::Code {
                    lang: Some("r".into()),
                    text: "r".into(),
                    first_line: None,
                }
            ]
        );
    }

    #[test]
    fn single_newlines_are_breaks_when_the_renderer_says() {
        let read = |breaks| {
            let mut cleaning = crate::read::chrome::Cleaning::default();
            read_markdown_in(
                "一行，\n二行。\n\n```\na\nb\n```\n",
                &mut Vec::new(),
                &mut cleaning,
                Default::default(),
                Reading {
                    breaks,
                    kramdown: false,
                },
            )
        };
        let t = |s: &str| Inline::Text(s.into());
        let code = Block::Code {
            lang: None,
            text: "a\nb".into(),
            first_line: None,
        };
        assert_eq!(
            read(true),
            [
                Block::Paragraph(vec![t("一行，"), Inline::LineBreak, t("二行。")]),
                code.clone()
            ]
        );
        assert_eq!(
            read(false),
            [Block::Paragraph(vec![t("一行，二行。")]), code]
        );
    }

    #[test]
    fn definition_lists_become_bold_terms_over_their_definitions() {
        let t = |s: &str| Inline::Text(s.into());
        let term = |s: &str| Block::Paragraph(vec![Inline::Strong(vec![t(s)])]);
        let para = |s: &str| Block::Paragraph(vec![t(s)]);
        // kramdown's and Goldmark's syntax, several definitions, then the same in HTML.
        let md = "Apple\n: A red fruit.\n: Also a company.\n\nOrange\n\n: A *citrus* fruit.\n\n\
                  <dl><dt>HTML term</dt><dd>HTML definition</dd></dl>\n";
        let blocks = read_markdown(md, &mut Vec::new());
        assert_eq!(
            blocks,
            [
                term("Apple"),
                para("A red fruit."),
                para("Also a company."),
                term("Orange"),
                Block::Paragraph(vec![t("A "), Inline::Emph(vec![t("citrus")]), t(" fruit.")]),
                term("HTML term"),
                para("HTML definition"),
            ]
        );
    }

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
