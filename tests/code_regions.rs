//! Code is never rewritten (issue 26): the passes that change a Markdown body's text before it
//! is parsed — kramdown attribute lists, `[TOC]` markers, formulas, Liquid, shortcodes — skip
//! code blocks (fenced and indented, also in lists and quotes) and code spans, found by the
//! Markdown parser itself. Each code text must come out byte-identical in every format.

mod common;
use common::*;

/// Lines that every pass would rewrite outside code.
const CODE: &[&str] = &[
    "# Heading {: #custom-id}",
    "{: #custom-id}",
    "[TOC]",
    "*word*{: .cls} and ![a](b.png){width=50%}",
    "price $x$ and $$y$$ and \\(z\\)",
    // kramdown's Markdown in HTML, extensions and notice classes (issue 27).
    "<div markdown=\"1\">**not bold**</div>",
    "{::comment}shown{:/comment}",
    "{::options parse_block_html=\"true\" /}",
    "{: .notice--info}",
];

fn post() -> String {
    let indented: String = CODE.iter().map(|l| format!("    {l}\n")).collect();
    let fenced: String = CODE.iter().map(|l| format!("{l}\n")).collect();
    let listed: String = CODE.iter().map(|l| format!("      {l}\n")).collect();
    format!(
        "---\ntitle: Code regions\ndate: 2024-02-03\n---\n\nAn indented block:\n\n{indented}\n\
         A fenced one:\n\n```\n{fenced}```\n\n- In a list:\n\n{listed}\n\
         A span: `{{: .x}} $y$ [TOC]` and real math $a^2$.\n\n## Kept heading\n{{: #kept}}\n"
    )
}

fn convert(dir: &std::path::Path, format: &str) -> std::path::PathBuf {
    let input = dir.join("2024-02-03-code.md");
    std::fs::write(&input, post()).unwrap();
    let out = dir.join(format);
    postbook()
        .args(["convert", "-q", "--no-config", "-t", format, "-g", "none"])
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    out
}

/// How many times `line` appears as a whole line (trimmed) of `text`.
fn occurrences(text: &str, line: &str) -> usize {
    text.lines().filter(|l| l.trim() == line).count()
}

#[test]
fn code_text_is_byte_identical_in_markdown_and_text() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["markdown", "text"] {
        let out = convert(dir.path(), format);
        let ext = if format == "markdown" { "md" } else { "txt" };
        let note = std::fs::read_to_string(&files_with_ext(&out, ext)[0]).unwrap();
        for line in CODE {
            assert_eq!(
                occurrences(&note, line),
                3,
                "{format}: {line:?} in:\n{note}"
            );
        }
        assert!(
            note.contains("{: .x} $y$ [TOC]"),
            "{format}: span lost:\n{note}"
        );
        // Outside code the passes still work: the attribute list is applied, math is math.
        assert!(!note.contains("{: #kept}"), "{format}:\n{note}");
    }
}

#[test]
fn code_text_is_byte_identical_in_the_book() {
    let dir = tempfile::tempdir().unwrap();
    let out = convert(dir.path(), "epub");
    let book = &epubs_in(&out)[0];
    let chapter = unzip(book)
        .into_iter()
        .filter(|(n, _)| n.ends_with(".xhtml") && n.contains("/post-"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect::<String>();
    let text = chapter
        .replace("<pre><code>", "\n")
        .replace("</code></pre>", "\n")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    for line in CODE {
        assert_eq!(occurrences(&text, line), 3, "{line:?} in:\n{chapter}");
    }
    assert!(text.contains("{: .x} $y$ [TOC]"), "{chapter}");
    assert!(
        chapter.contains("<math"),
        "the real formula is math:\n{chapter}"
    );
    assert!(chapter.contains("id=\"kept\""), "{chapter}");
    assert!(epubcheck(std::slice::from_ref(book)));
}
