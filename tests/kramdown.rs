//! kramdown as Jekyll sites use it (issue 27): Markdown inside HTML (`markdown="1"`,
//! `"span"`, `"0"`), block attribute lists over a line break and after lists, extensions
//! (`{::comment}`, `{::options}`, `{::nomarkdown}`), notice boxes from includes and from
//! classes, and a `_data/` file that does not parse — in the book and in the notes.

mod common;
use common::*;
use std::path::Path;

/// Converts the kramdown fixture site; returns the temporary folder (keep it alive), the output
/// folder and the report.
fn convert(format: &str) -> (tempfile::TempDir, std::path::PathBuf, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let report = convert_with_report(
        &fixture("jekyll-kramdown"),
        &out,
        &[
            "--no-config",
            "-t",
            format,
            "-g",
            "none",
            "--images",
            "embed",
        ],
    );
    (dir, out, report)
}

/// The posts' notes, by file name.
fn notes(out: &Path) -> Vec<(String, String)> {
    let mut notes: Vec<(String, String)> = files_with_ext(out, "md")
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(p).unwrap())
        })
        .collect();
    notes.sort();
    notes
}

#[test]
fn kramdown_markup_is_read_as_kramdown_reads_it_in_the_book() {
    let (_dir, out, report) = convert("epub");
    let books = epubs_in(&out);
    assert_eq!(books.len(), 1, "{books:?}");
    let chapters: Vec<String> = unzip(&books[0])
        .into_iter()
        .filter(|(n, _)| n.ends_with(".xhtml") && n.contains("/post-"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect();
    assert_eq!(chapters.len(), 2);
    let (html, notices) = (&chapters[0], &chapters[1]);
    // `markdown="1"` on a caption and a div, `markdown="span"` on a paragraph: Markdown, and
    // the attribute gone; `markdown="0"` keeps its content raw.
    assert!(
        text_of(html).contains("Left the old layout, right the new one."),
        "{html}"
    );
    assert!(
        html.contains("<strong>the block is Markdown</strong>"),
        "{html}"
    );
    assert!(html.contains("<li>second point</li>"), "{html}");
    assert!(
        html.contains("A lead with <em>span</em> emphasis and <code>code</code>."),
        "{html}"
    );
    assert!(html.contains("Raw *stars stay*."), "{html}");
    // A list's attribute list over two lines goes, and the next list stays a list of its own.
    let lists: Vec<&str> = html.split("<ul").skip(1).collect();
    assert!(
        lists
            .iter()
            .any(|l| l.contains("pears")
                && !l.split("</ul>").next().unwrap().contains("second list")),
        "{html}"
    );
    // Extensions: the comment's content never shows, options are gone, nomarkdown is HTML.
    assert!(
        html.contains("Raw <strong>HTML</strong> from nomarkdown."),
        "{html}"
    );
    for absent in [
        "markdown=",
        "**",
        "{:",
        "checklist",
        "Remember to check",
        "auto_ids",
        "nomarkdown}",
    ] {
        assert!(!html.contains(absent), "{absent}: {html}");
    }
    // Notice boxes: an include's alert, a class after and before its paragraph, a markdownified
    // include, al-folio's quoted tip — each a quote with its text.
    let quotes: Vec<String> = [html, notices]
        .iter()
        .flat_map(|c| c.split("<blockquote>").skip(1))
        .map(|q| text_of(q.split("</blockquote>").next().unwrap()))
        .collect();
    for words in [
        "Update 2024-04-02: The prices below were checked again.",
        "This post moved to a new address.",
        "Note: Comments are closed on this post.",
        "Just-the-docs puts the class first.",
        "Tips stay quoted.",
    ] {
        assert!(
            quotes.iter().any(|q| squash(q).contains(&squash(words))),
            "{words}: {quotes:?}"
        );
    }
    assert!(notices.contains("<strong>closed</strong>"), "{notices}");
    // The broken data file is named in a warning; the other data files still work.
    assert!(
        notices.contains("The team: Kim (writer), Lee (editor). Data still works."),
        "{notices}"
    );
    assert!(notices.contains("Links: none."), "{notices}");
    let names = &report["summary"]["warnings_by_name"];
    assert_eq!(names["liquid-error"]["_data/broken.yml"], 1, "{report}");
    assert_eq!(
        report["summary"]["warnings_by_kind"]["liquid-error"], 1,
        "{report}"
    );
    let posts = report["posts"].as_array().unwrap();
    let warning = posts
        .iter()
        .flat_map(|p| p["warnings"].as_array().cloned().unwrap_or_default())
        .find_map(|w| {
            let m = w["message"].as_str().unwrap_or_default().to_string();
            m.contains("_data/broken.yml").then_some(m)
        })
        .unwrap_or_else(|| panic!("{report}"));
    assert!(warning.contains("line 3"), "{warning}");
    // The code sample is as written (highlighted: its text, without the spans).
    let code = text_of(notices)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"");
    for line in [
        "<div markdown=\"1\">**not bold**</div>",
        "{::comment}shown{:/comment}",
        "{: .notice--info}",
        "{::options parse_block_html=\"true\" /}",
        "<p markdown=\"span\">*indented*</p>",
    ] {
        assert!(code.contains(line), "{line}: {notices}");
    }
    assert!(epubcheck(&books));
}

#[test]
fn kramdown_markup_is_read_as_kramdown_reads_it_in_the_notes() {
    let (_dir, out, report) = convert("markdown");
    let notes = notes(&out);
    assert_eq!(notes.len(), 2, "{notes:?}");
    let (html, notices) = (&notes[0].1, &notes[1].1);
    for words in [
        "Left the old layout, right the new one.",
        "In short: **the block is Markdown**.",
        "A lead with *span* emphasis and `code`.",
        "Raw \\*stars stay\\*.",
        "Raw **HTML** from nomarkdown.",
        "> **Update 2024-04-02:** The prices below were checked again.",
    ] {
        assert!(html.contains(words), "{words}: {html}");
    }
    // Two lists, each tight, not one loose list run together (the writer changes the marker
    // so that they stay two).
    assert!(
        html.contains("- apples\n- pears\n\n* a second list\n* stays apart\n"),
        "{html}"
    );
    for absent in ["markdown=", "{:", "Remember to check", "auto_ids"] {
        assert!(!html.contains(absent), "{absent}: {html}");
    }
    for words in [
        "> This post moved to a new address.",
        "> **Note:** Comments are **closed** on this post.",
        "> Just-the-docs puts the class first.",
        "> Tips stay quoted.",
        "The team: Kim (writer), Lee (editor). Data still works.",
        // Code, byte for byte.
        "```markdown\n<div markdown=\"1\">**not bold**</div>\n{::comment}shown{:/comment}\n\
         {: .notice--info}\n```",
        "{::options parse_block_html=\"true\" /}\n<p markdown=\"span\">*indented*</p>",
    ] {
        assert!(notices.contains(words), "{words}: {notices}");
    }
    assert_eq!(
        report["summary"]["warnings_by_name"]["liquid-error"]["_data/broken.yml"], 1,
        "{report}"
    );
}

#[test]
fn parse_block_html_reads_the_html_after_it_as_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let post = dir.path().join("2024-05-01-options.md");
    std::fs::write(
        &post,
        "---\ntitle: Options\ndate: 2024-05-01\n---\n<div>\n*raw before*\n</div>\n\n\
         {::options parse_block_html=\"true\" /}\n\n<div class=\"note-less\">\n*read after*\n</div>\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    convert_with_report(&post, &out, &["--no-config", "-t", "md"]);
    let note = std::fs::read_to_string(&files_with_ext(&out, "md")[0]).unwrap();
    assert!(note.contains("\\*raw before\\*"), "{note}");
    assert!(
        note.contains("*read after*") && !note.contains("\\*read"),
        "{note}"
    );
    assert!(!note.contains("options"), "{note}");
}

#[test]
fn a_sites_parse_block_html_reads_every_posts_html_as_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("_posts")).unwrap();
    std::fs::write(
        site.join("_config.yml"),
        "title: Parsed\nkramdown:\n  parse_block_html: true\n",
    )
    .unwrap();
    std::fs::write(
        site.join("_posts/2024-05-02-site.md"),
        "---\ntitle: Site option\ndate: 2024-05-02\n---\n<div class=\"box\">\n**read as Markdown**\n</div>\n\n\
         <div markdown=\"0\">\n**kept raw**\n</div>\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    convert_with_report(&site, &out, &["--no-config", "-t", "md"]);
    let note = std::fs::read_to_string(&files_with_ext(&out, "md")[0]).unwrap();
    assert!(note.contains("\n**read as Markdown**\n"), "{note}");
    assert!(note.contains("\\*\\*kept raw\\*\\*"), "{note}");
}

/// Converts a Jekyll site made of `files` (path, text) to notes; returns the notes' texts by
/// file name and the report.
fn site_notes(files: &[(&str, &str)]) -> (Vec<(String, String)>, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    for (path, text) in files {
        let file = site.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    let out = dir.path().join("out");
    let report = convert_with_report(&site, &out, &["--no-config", "-t", "md"]);
    (notes(&out), report)
}

#[test]
fn an_html_block_runs_to_its_end_tag_over_blank_lines() {
    let (notes, report) = site_notes(&[
        ("_config.yml", "title: Shed\n"),
        (
            "_posts/2024-06-01-shed.md",
            "---\ntitle: Shed\n---\nTools first.\n\n<table>\n  <tr>\n    <td>\n      \
             <p id=\"saw\">Hand saw</p>\n\n      <p>Oil the blade.</p>\n    </td>\n  </tr>\n\
             </table>\n\nSee [the saw](#saw).\n\n<div class=\"row\">\n  \n    <img src=\"/a.png\" \
             alt=\"rake\">\n  \n</div>\n\n<div>\n<pre>one\n\ntwo</pre>\n\n</div>\n",
        ),
    ]);
    let note = &notes[0].1;
    // The cells' paragraphs are text, not a code block of raw HTML.
    assert!(note.contains("\nOil the blade.\n"), "{note}");
    assert!(!note.contains("<p>") && !note.contains("<img"), "{note}");
    assert!(note.contains("![rake]"), "{note}");
    // A blank line in preformatted text stays.
    assert!(note.contains("one\n\ntwo"), "{note}");
    assert!(
        report["summary"]["warnings_by_kind"]
            .get("broken-anchor")
            .is_none(),
        "{report}"
    );
}

#[test]
fn a_figure_includes_caption_keeps_to_its_figure() {
    // A theme's figure include: the caption through `markdownify`, whose paragraph tags go and
    // whose line end stays, so a blank line stands inside the `<figcaption>`.
    let (notes, _) = site_notes(&[
        ("_config.yml", "title: Kitchen\n"),
        (
            "_includes/pic",
            "<figure>\n  <img src=\"{{ include.src }}\" alt=\"{{ include.alt }}\">\n  \
             {%- if include.caption -%}\n    <figcaption>\n      \
             {{ include.caption | markdownify | remove: \"<p>\" | remove: \"</p>\" }}\n    \
             </figcaption>\n  {%- endif -%}\n</figure>\n",
        ),
        (
            "_posts/2024-06-02-pan.md",
            "---\ntitle: Pan\n---\n{% include pic src=\"/pan.png\" alt=\"a pan\" caption=\"An *iron* pan.\" %}\n\n\
             The next paragraph.\n",
        ),
    ]);
    let note = &notes[0].1;
    assert!(!note.contains("figcaption"), "{note}");
    assert!(note.contains("\n\nThe next paragraph.\n"), "{note}");
    assert!(note.contains("![An iron pan.](/pan.png)"), "{note}");
}

#[test]
fn kramdown_table_separators_and_indented_definitions() {
    let (notes, _) = site_notes(&[
        ("_config.yml", "title: Shed\n"),
        (
            "_posts/2024-06-03-costs.md",
            "---\ntitle: Costs\n---\n|------+------|\n| Tool | Cost |\n|------|-----:|\n\
             | Saw  |    3 |\n|------+------|\n| Rake |    4 |\n|======+======|\n| Sum  |    7 |\n\
             |------+------|\n\nHoe\n:     A tool for weeds\n",
        ),
    ]);
    let note = &notes[0].1;
    // One table: its header, three rows, no separator shown as text or as a row.
    assert!(note.contains("| Tool | Cost |\n|"), "{note}");
    for row in ["| Saw | 3 |", "| Rake | 4 |", "| Sum | 7 |"] {
        assert!(note.contains(row), "{row} in {note}");
    }
    assert!(!note.contains("---+") && !note.contains("==="), "{note}");
    assert!(!note.contains("```"), "{note}");
    assert!(note.contains("**Hoe**\n\nA tool for weeds"), "{note}");
}
