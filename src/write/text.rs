//! The plain text writer: readable text for terminals, search indexes and TTS.
//!
//! Title, date and source come first; then paragraphs separated by blank lines, lists with
//! markers, captions in brackets and links as `text <url>`. With a wrap width, lines are broken
//! by display width (CJK characters count two columns) at Unicode line-break opportunities, so
//! Chinese wraps between characters without spaces being inserted.

use super::{Footnotes, NoteWriter};
use crate::locale::Locale;
use crate::model::{Block, Document, Inline, Link};
use std::borrow::Cow;

/// Renders posts as plain text.
pub struct TextWriter {
    /// Wrap width in display columns; `None` leaves each paragraph on one line.
    pub wrap: Option<usize>,
}

impl NoteWriter for TextWriter {
    const NAME: &'static str = "text";
    const EXTENSION: &'static str = "txt";

    fn render(&self, doc: &Document) -> String {
        let mut out = String::new();
        // Wrapped like the body (`--wrap`); URLs and other long words are never broken.
        out.push_str(&self.fill(&doc.display_title(), "", ""));
        out.push('\n');
        let mut info = Vec::new();
        if let Some(d) = &doc.meta.date {
            let lang = crate::lang::of_document(doc).unwrap_or_default();
            info.push(Locale::of(&lang).dateline(d));
        }
        if !doc.meta.authors.is_empty() {
            info.push(doc.meta.authors.join(", "));
        }
        if !info.is_empty() {
            out.push_str(&info.join(" · "));
            out.push('\n');
        }
        if let Some(s) = &doc.meta.source {
            out.push_str(&display_url(s));
            out.push('\n');
        }
        let notes = Notes::default();
        let body = self.blocks(&doc.blocks, "", &notes);
        if !body.is_empty() {
            out.push('\n');
            out.push_str(&body);
            out.push('\n');
        }
        // Footnotes are numbered in the text (`[1]`) and listed after the post.
        notes.write_each(|n, note| {
            let text = self.blocks(&note, "    ", &notes);
            let text = text.strip_prefix("    ").unwrap_or(&text);
            out.push_str(&format!("{}[{n}] {text}\n", if n == 1 { "\n" } else { "" }));
        });
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
            // Tight or loose, items are a line apart: plain text has no paragraph spacing.
            Block::List {
                ordered,
                start,
                items,
                ..
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
                let src = display_url(&img.src);
                let caption = if img.alt.is_empty() {
                    src.into_owned()
                } else {
                    format!("{} <{src}>", img.alt)
                };
                self.fill(&format!("[{caption}]"), indent, indent)
            }
            // One line a row, cells between `|`, on the plain grid of [`super::grid`].
            Block::Table(t) => {
                let flat = super::grid::flatten(t);
                flat.header
                    .iter()
                    .chain(flat.rows.iter())
                    .map(|row| {
                        let cells: Vec<String> = row
                            .iter()
                            .map(|c| inlines(c.inlines().unwrap_or(&[]), notes).replace('\n', " "))
                            .collect();
                        format!("{indent}{}", cells.join(" | "))
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            }
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

/// A URL as browsers' address bars show it: percent-escaped UTF-8 decoded
/// (`/wiki/%E9%A6%99%E6%B8%AF` → `/wiki/香港`) and an internationalized host in its own script
/// (`xn--fiqs8s.test` → `中国.test`). Escaped ASCII (`%20`, `%2F`, `%3F`) stays escaped, as it
/// means something else unescaped, and so do spaces, controls and invisible or bidirectional
/// formatting characters, which would hide what the URL says.
pub fn display_url(url: &str) -> Cow<'_, str> {
    let lower = url.to_ascii_lowercase();
    if !url.contains('%') && !lower.contains("xn--") {
        return Cow::Borrowed(url);
    }
    let mut out = String::with_capacity(url.len());
    let Some((scheme, rest)) = url.find("://").map(|i| url.split_at(i + 3)) else {
        decode_non_ascii(url, &mut out);
        return Cow::Owned(out);
    };
    let (authority, path) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    out.push_str(scheme);
    let (userinfo, host_port) = authority.split_at(authority.rfind('@').map_or(0, |i| i + 1));
    let (host, port) = match host_port.rfind(':') {
        Some(i) if !host_port.starts_with('[') => host_port.split_at(i),
        _ => (host_port, ""),
    };
    out.push_str(userinfo);
    let punycode = host
        .split('.')
        // On bytes: a label need not be ASCII (a corrupted byte decodes to U+FFFD), and a
        // `&str` slice inside a character panics.
        .any(|l| l.len() > 4 && l.as_bytes()[..4].eq_ignore_ascii_case(b"xn--"));
    match punycode.then(|| idna::domain_to_unicode(host)) {
        Some((unicode, Ok(()))) => out.push_str(&unicode),
        _ => out.push_str(host),
    }
    out.push_str(port);
    decode_non_ascii(path, &mut out);
    Cow::Owned(out)
}

/// Copies `s`, decoding the runs of `%XX` escapes that are UTF-8 for characters worth showing
/// (see [`display_url`]).
fn decode_non_ascii(s: &str, out: &mut String) {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        let start = i;
        let mut run = Vec::new();
        while let (Some(b'%'), Some(h), Some(l)) = (
            bytes.get(i),
            bytes.get(i + 1).and_then(|&b| hex(b)),
            bytes.get(i + 2).and_then(|&b| hex(b)),
        ) {
            run.push((h * 16 + l) as u8);
            i += 3;
        }
        if run.is_empty() {
            i += 1;
            continue;
        }
        out.push_str(&s[copied..start]);
        // Each decoded byte stands for three characters of the escaped run.
        let mut at = start;
        for chunk in run.utf8_chunks() {
            for c in chunk.valid().chars() {
                let len = 3 * c.len_utf8();
                if shown(c) {
                    out.push(c);
                } else {
                    out.push_str(&s[at..at + len]);
                }
                at += len;
            }
            let len = 3 * chunk.invalid().len();
            out.push_str(&s[at..at + len]);
            at += len;
        }
        copied = i;
    }
    out.push_str(&s[copied..]);
}

/// Whether a decoded character is shown in a URL: not ASCII (whose escapes mean something),
/// not a space, control or invisible formatting character.
fn shown(c: char) -> bool {
    !c.is_ascii()
        && !c.is_whitespace()
        && !c.is_control()
        && !matches!(c, '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// The footnotes of the post being rendered, in the order they are referenced.
type Notes = Footnotes<Vec<Block>>;

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
                let shown = display_url(url);
                if text.is_empty() || text == *url || text == shown {
                    out.push_str(&shown);
                } else if url.starts_with('#') {
                    out.push_str(&text);
                } else {
                    out.push_str(&format!("{text} <{shown}>"));
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
                out.push_str(&format!("[{}]", notes.refer(blocks.clone())));
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
                    web: None,
                })),
            ]),
            Block::List {
                ordered: true,
                start: 1,
                items: vec![vec![Block::Paragraph(vec![Inline::Text("one".into())])]],
                tight: true,
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
    fn urls_are_shown_decoded() {
        for (url, shown) in [
            (
                "https://zh.wikipedia.org/wiki/%E9%80%A3%E5%84%82%E7%89%86_(%E9%A6%99%E6%B8%AF)",
                "https://zh.wikipedia.org/wiki/連儂牆_(香港)",
            ),
            (
                "https://xn--fiqs8s.xn--fiqz9s/a?q=%E4%B8%AD",
                "https://中国.中國/a?q=中",
            ),
            (
                "https://x.test/a%20b%2Fc%3F?x=%26",
                "https://x.test/a%20b%2Fc%3F?x=%26",
            ),
            (
                "https://x.test/%E2%80%AEevil%FF%E4%B8",
                "https://x.test/%E2%80%AEevil%FF%E4%B8",
            ),
            (
                "https://user@xn--fiqs8s.test:8080/%e4%b8%ad",
                "https://user@中国.test:8080/中",
            ),
            ("mailto:a%40b", "mailto:a%40b"),
            ("100%", "100%"),
        ] {
            assert_eq!(display_url(url), shown, "{url}");
        }
        let d = doc(vec![Block::Paragraph(vec![Inline::Link(Box::new(Link {
            url: "https://x.test/%E4%B8%AD".into(),
            title: None,
            content: vec![Inline::Text("https://x.test/中".into())],
            web: None,
        }))])]);
        let out = TextWriter { wrap: None }.render(&d);
        assert!(out.ends_with("\n\nhttps://x.test/中\n"), "{out}");
    }

    #[test]
    fn dates_are_shown_as_the_post_language_writes_them() {
        let mut d = doc(vec![Block::Paragraph(vec![Inline::Text(
            "中国国家主席习近平星期三在北京人民大会堂会见访华的俄罗斯总理。".into(),
        )])]);
        d.meta.date = crate::read::front_matter::parse_date("2014-09-24T22:43:00+08:00");
        let out = TextWriter { wrap: None }.render(&d);
        assert!(out.starts_with("标题\n2014年9月24日 22:43\n"), "{out}");
        d.meta.lang = Some("en".into());
        let out = TextWriter { wrap: None }.render(&d);
        assert!(out.starts_with("标题\n24 September 2014, 22:43\n"), "{out}");
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
