//! The plain text writer: readable text for terminals, search indexes and TTS.
//!
//! Title, date and source come first; then paragraphs separated by blank lines, lists with
//! markers, captions in brackets and links as `text <url>`. With a wrap width, lines are broken
//! by display width (CJK characters count two columns) at Unicode line-break opportunities, so
//! Chinese wraps between characters without spaces being inserted.

use super::{Book, BookStats, Unit, Writer};
use crate::images::AssetSource;
use crate::model::{Block, Document, Inline, Link};
use std::cell::RefCell;

/// Renders posts as plain text.
pub struct TextWriter {
    /// Wrap width in display columns; `None` leaves each paragraph on one line.
    pub wrap: Option<usize>,
}

impl Writer for TextWriter {
    fn name(&self) -> &'static str {
        "text"
    }

    fn extension(&self) -> &'static str {
        "txt"
    }

    fn unit(&self) -> Unit {
        Unit::Post
    }

    fn render_output(
        &self,
        book: &Book,
        _: &dyn AssetSource,
    ) -> anyhow::Result<(Vec<u8>, BookStats)> {
        Ok((self.render(book.post()?).into_bytes(), BookStats::default()))
    }
}

impl TextWriter {
    /// Renders the whole text file.
    pub fn render(&self, doc: &Document) -> String {
        let mut out = String::new();
        // Wrapped like the body (`--wrap`); URLs and other long words are never broken.
        out.push_str(&self.fill(&doc.display_title(), "", ""));
        out.push('\n');
        let mut info = Vec::new();
        if let Some(d) = &doc.meta.date {
            info.push(d.to_iso());
        }
        if !doc.meta.authors.is_empty() {
            info.push(doc.meta.authors.join(", "));
        }
        if !info.is_empty() {
            out.push_str(&info.join(" · "));
            out.push('\n');
        }
        if let Some(s) = &doc.meta.source {
            out.push_str(s);
            out.push('\n');
        }
        let notes = RefCell::new(Vec::new());
        let body = self.blocks(&doc.blocks, "", &notes);
        if !body.is_empty() {
            out.push('\n');
            out.push_str(&body);
            out.push('\n');
        }
        // Footnotes are numbered in the text (`[1]`) and listed after the post; a note's own
        // notes continue the numbering.
        let mut n = 0;
        while n < notes.borrow().len() {
            let note = notes.borrow()[n].clone();
            n += 1;
            let text = self.blocks(&note, "    ", &notes);
            let text = text.strip_prefix("    ").unwrap_or(&text);
            out.push_str(&format!("{}[{n}] {text}\n", if n == 1 { "\n" } else { "" }));
        }
        out
    }
}

impl TextWriter {
    fn blocks(&self, bs: &[Block], indent: &str, notes: &Notes) -> String {
        bs.iter()
            .map(|b| self.block(b, indent, notes))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    fn block(&self, b: &Block, indent: &str, notes: &Notes) -> String {
        match b {
            Block::Paragraph(content) if matches!(content.as_slice(), [Inline::Math(m)] if m.display) =>
            {
                let text = inlines(content, notes);
                text.trim_matches('\n')
                    .lines()
                    .map(|l| format!("{indent}    {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            }
            Block::Heading { content, .. } | Block::Paragraph(content) => {
                self.fill(&inlines(content, notes), indent, indent)
            }
            Block::List {
                ordered,
                start,
                items,
            } => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let marker = if *ordered {
                        format!("{}. ", start + i as u64)
                    } else {
                        "- ".to_string()
                    };
                    let inner_indent = format!("{indent}{}", " ".repeat(marker.len()));
                    let body = self.blocks(item, &inner_indent, notes);
                    let body = body.strip_prefix(inner_indent.as_str()).unwrap_or(&body);
                    format!("{indent}{marker}{body}")
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Block::Quote(inner) => self.blocks(inner, &format!("{indent}> "), notes),
            Block::Code { text, .. } => text
                .lines()
                .map(|l| format!("{indent}    {l}"))
                .collect::<Vec<_>>()
                .join("\n"),
            Block::Figure(img) => {
                let caption = if img.alt.is_empty() {
                    img.src.clone()
                } else {
                    format!("{} <{}>", img.alt, img.src)
                };
                self.fill(&format!("[{caption}]"), indent, indent)
            }
            Block::Table(t) => t
                .header
                .iter()
                .chain(t.rows.iter())
                .map(|row| {
                    let cells: Vec<String> = row
                        .iter()
                        .map(|c| inlines(c, notes).replace('\n', " "))
                        .collect();
                    format!("{indent}{}", cells.join(" | "))
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Block::Rule => format!("{indent}* * *"),
        }
    }

    /// Prefixes each line with `indent`, wrapping to the width when one is set.
    fn fill(&self, text: &str, first: &str, rest: &str) -> String {
        match self.wrap {
            Some(width) => {
                let opts = textwrap::Options::new(width.max(8))
                    .initial_indent(first)
                    .subsequent_indent(rest)
                    .word_separator(textwrap::WordSeparator::Custom(words_keeping_urls))
                    .break_words(false);
                text.split('\n')
                    .map(|l| textwrap::fill(l, &opts))
                    .collect::<Vec<_>>()
                    .join("\n")
            }
            None => text
                .split('\n')
                .map(|l| format!("{first}{l}"))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// Unicode line breaking (CJK breaks between characters), except inside URLs, which would no
/// longer work once broken (UAX #14 allows a break after each `/`).
fn words_keeping_urls(line: &str) -> Box<dyn Iterator<Item = textwrap::core::Word<'_>> + '_> {
    let unicode = textwrap::WordSeparator::UnicodeBreakProperties;
    let mut words = Vec::new();
    let mut rest = line;
    // The next URL, of either scheme.
    while let Some(start) = rest
        .find("http://")
        .into_iter()
        .chain(rest.find("https://"))
        .min()
    {
        words.extend(unicode.find_words(&rest[..start]));
        let url_end = rest[start..]
            .find(char::is_whitespace)
            .map_or(rest.len(), |k| start + k);
        let end = url_end + (rest[url_end..].len() - rest[url_end..].trim_start().len());
        words.push(textwrap::core::Word::from(&rest[start..end]));
        rest = &rest[end..];
    }
    words.extend(unicode.find_words(rest));
    Box::new(words.into_iter())
}

/// The footnotes of the post being rendered, in the order they are referenced.
type Notes = RefCell<Vec<Vec<Block>>>;

/// Inline content as text: links become `text <url>` (just the URL when the text is the URL),
/// formulas their TeX, footnotes `[n]`, task boxes ☐/☑.
fn inlines(xs: &[Inline], notes: &Notes) -> String {
    let mut out = String::new();
    for x in xs {
        match x {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Emph(c)
            | Inline::Strong(c)
            | Inline::Strike(c)
            | Inline::Sub(c)
            | Inline::Sup(c) => out.push_str(&inlines(c, notes)),
            Inline::Link(link) => {
                let Link { url, content, .. } = link.as_ref();
                let text = inlines(content, notes);
                if text.is_empty() || text == *url {
                    out.push_str(url);
                } else if url.starts_with('#') {
                    out.push_str(&text);
                } else {
                    out.push_str(&format!("{text} <{url}>"));
                }
            }
            Inline::Image(img) => {
                let alt = if img.alt.is_empty() {
                    "image".to_string()
                } else {
                    img.alt.clone()
                };
                out.push_str(&format!("[{alt}]"));
            }
            Inline::LineBreak => out.push('\n'),
            Inline::Math(m) => match m.display {
                true => out.push_str(&format!("\n{}\n", m.tex)),
                false => out.push_str(&m.tex),
            },
            Inline::Note(blocks) => {
                let mut notes = notes.borrow_mut();
                notes.push(blocks.clone());
                out.push_str(&format!("[{}]", notes.len()));
            }
            Inline::Check(done) => out.push_str(if *done { "☑" } else { "☐" }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Image, Meta};

    fn doc(blocks: Vec<Block>) -> Document {
        Document {
            meta: Meta {
                title: "标题".into(),
                source: Some("https://x.test/p".into()),
                ..Meta::default()
            },
            blocks,
        }
    }

    #[test]
    fn renders_lists_captions_and_links() {
        let d = doc(vec![
            Block::Paragraph(vec![
                Inline::Text("see ".into()),
                Inline::Link(Box::new(Link {
                    url: "https://a.test".into(),
                    title: None,
                    content: vec![Inline::Text("this".into())],
                })),
            ]),
            Block::List {
                ordered: true,
                start: 1,
                items: vec![vec![Block::Paragraph(vec![Inline::Text("one".into())])]],
            },
            Block::Figure(Box::new(Image {
                src: "https://x.test/a.jpg".into(),
                alt: "说明".into(),
                title: None,
            })),
        ]);
        let out = TextWriter { wrap: None }.render(&d);
        assert_eq!(out, "标题\nhttps://x.test/p\n\nsee this <https://a.test>\n\n1. one\n\n[说明 <https://x.test/a.jpg>]\n");
    }

    #[test]
    fn wraps_cjk_by_display_width_without_spaces() {
        let text = "中国国家主席习近平星期三在北京人民大会堂会见访华的俄罗斯总理米舒斯京。";
        let d = doc(vec![Block::Paragraph(vec![Inline::Text(text.into())])]);
        let out = TextWriter { wrap: Some(20) }.render(&d);
        let body: Vec<&str> = out
            .split("\n\n")
            .nth(1)
            .unwrap()
            .trim_end()
            .lines()
            .collect();
        assert!(body.len() > 3);
        for line in &body {
            assert!(unicode_width::UnicodeWidthStr::width(*line) <= 20, "{line}");
            assert!(!line.contains(' '));
        }
        assert_eq!(body.concat(), text);
    }

    #[test]
    fn wrap_applies_to_the_title_and_never_breaks_urls() {
        let mut d = doc(vec![Block::Paragraph(vec![Inline::Text(
            "see https://example.test/a/very/long/path/that/is/longer/than/the/width ok".into(),
        )])]);
        d.meta.title = "A title long enough to need two lines".into();
        let out = TextWriter { wrap: Some(20) }.render(&d);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "A title long enough");
        assert_eq!(lines[1], "to need two lines");
        assert!(
            out.contains("\nhttps://example.test/a/very/long/path/that/is/longer/than/the/width\n")
        );
    }
}
