//! Entry points shared by the cargo-fuzz targets (`fuzz/`) and `tests/fuzz_regressions.rs`, so
//! a crash found by fuzzing is replayed by exactly the code that found it. Each panics on a bug
//! and returns normally on any input postbook handles. (Hidden from the docs: not an API.)

use crate::model::Meta;
use crate::read::front_matter::{parse, split, to_meta};
use crate::read::{html::read_html, markdown::read_markdown, read_post_bytes};
use crate::write::markdown::{blocks as markdown_blocks, MarkdownWriter};
use crate::write::text::TextWriter;
use crate::write::xhtml::{body as xhtml_body, Anchors, Context, Found};
use std::path::Path;

/// The front matter splitter and the YAML/TOML → metadata mapping.
pub fn front_matter(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(s) = split(&text) {
        if let Some((syntax, src)) = s.front_matter {
            if let Ok(pairs) = parse(syntax, src, s.first_line) {
                let _ = to_meta(pairs, &mut Meta::default());
            }
        }
    }
}

/// The HTML reader feeding the EPUB serializer. Returns the XHTML `<body>`, which callers
/// check with an XML parser: it must always be well-formed.
pub fn html_to_xhtml(data: &[u8]) -> String {
    let html = String::from_utf8_lossy(data);
    let model = read_html(&html, &mut Vec::new());
    let base = url::Url::parse("https://news.test/a/b.html").ok();
    let anchors = Anchors::of(&model, None);
    let ctx = Context {
        image_href: &|_| None,
        base: base.as_ref(),
        post_href: &|_| None,
        image_label: "image",
        kobo: None,
        highlight: true,
        mathml: true,
        anchors: &anchors,
        found: Found::default(),
    };
    let mut body = String::from(
        "<body xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\">",
    );
    xhtml_body(&model, &ctx, 1, &mut body);
    body.push_str("</body>");
    body
}

/// The Markdown reader, and reading postbook's own Markdown back.
pub fn markdown(data: &[u8]) {
    let src = String::from_utf8_lossy(data);
    let model = read_markdown(&src, &mut Vec::new());
    let _ = read_markdown(&markdown_blocks(&model), &mut Vec::new());
}

/// Whole posts from raw bytes (encodings, front matter, bodies) through the per-post writers.
pub fn post(data: &[u8]) {
    for name in ["2023-05-24-post.md", "post.html"] {
        if let Ok(post) = read_post_bytes(Path::new(name), data) {
            let _ = MarkdownWriter.render(&post.doc);
            let _ = (TextWriter { wrap: Some(20) }).render(&post.doc);
        }
    }
}
