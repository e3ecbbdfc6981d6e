//! Technical blog posts (tests/fixtures/technical): math, footnotes, task lists, heading
//! anchors, highlighted code and kramdown attribute lists, through every writer.

mod common;
use common::*;

const POST: &str = "technical";

fn chapter_of(book: &std::path::Path) -> (String, String) {
    let entries = unzip(book);
    let text = |name: &str| {
        entries
            .iter()
            .find(|(n, _)| n.ends_with(name))
            .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
            .unwrap()
    };
    (text("post-0001.xhtml"), text("content.opf"))
}

#[test]
fn epub_has_mathml_footnotes_anchors_tasks_and_highlighting() {
    let out = tempfile::tempdir().unwrap();
    postbook()
        .args(["convert", "-q", "-t", "epub", "--no-config"])
        .arg(fixture(POST))
        .arg("-o")
        .arg(out.path())
        .assert()
        .success();
    let books = epubs_in(out.path());
    assert_eq!(books.len(), 1);
    let (chapter, opf) = chapter_of(&books[0]);
    parse_xml(chapter.as_bytes()).unwrap();
    // Every formula of the post is MathML (11: 6 inline, 5 display; one of them in a
    // footnote); the `$5 and $10` prices and the shell `$HOME` are not.
    assert_eq!(chapter.matches("<math").count(), 11, "{chapter}");
    assert_eq!(chapter.matches("display=\"block\"").count(), 5);
    assert!(chapter.contains("<annotation encoding=\"application/x-tex\">"));
    assert!(chapter.contains("costs $5 and $10 in total"));
    assert!(!chapter.contains("$$") && !chapter.contains("\\("));
    let item = opf
        .split("<item ")
        .find(|item| item.contains("href=\"post-0001.xhtml\""))
        .unwrap();
    assert!(item.contains("properties=\"mathml\""), "{opf}");
    // Footnotes: references and EPUB 3 footnote asides, linked both ways.
    assert_eq!(chapter.matches("epub:type=\"noteref\"").count(), 2);
    assert_eq!(chapter.matches("<aside epub:type=\"footnote\"").count(), 2);
    assert!(chapter.contains("href=\"#fn-2\"") && chapter.contains("id=\"fn-2\""));
    assert!(chapter.contains("Its second paragraph"));
    // Task lists.
    assert!(chapter.contains("☑") && chapter.contains("☐"));
    assert!(!chapter.contains("[x]"));
    // Headings get anchors, unique in the post; in-post links resolve to them.
    for id in ["setup", "the-softmax", "tasks", "setup-1"] {
        assert!(chapter.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(chapter.contains("<a href=\"#the-softmax\">the softmax section</a>"));
    assert!(chapter.contains("<a href=\"#setup\">the setup</a>"));
    // Code in five languages is highlighted with classes.
    assert!(chapter.matches("class=\"language-").count() >= 6);
    assert!(chapter.contains("hl-keyword") || chapter.contains("hl-storage"));
    assert!(chapter.contains("hl-comment"));
    // Hugo's `{linenos=table,linenostart=10}`: numbered lines from 10, outside the code's text.
    assert!(
        chapter.contains("<span class=\"ln\">10 </span>"),
        "{chapter}"
    );
    assert!(chapter.contains("<span class=\"ln\">11 </span>"));
    assert!(!chapter.contains("linenos"));
    // kramdown attribute lists and the TOC marker never show.
    assert!(!chapter.contains("{:") && !chapter.contains("TOC"));
    // Definition list terms are bold paragraphs over their definitions.
    assert!(chapter
        .contains("<p><strong>Softmax</strong></p>\n<p>Turns scores into probabilities.</p>"));
    epubcheck(&books);

    let plain = tempfile::tempdir().unwrap();
    postbook()
        .args([
            "convert",
            "-q",
            "-t",
            "epub",
            "--no-config",
            "--no-highlight",
        ])
        .arg(fixture(POST))
        .arg("-o")
        .arg(plain.path())
        .assert()
        .success();
    let (chapter, _) = chapter_of(&epubs_in(plain.path())[0]);
    assert!(!chapter.contains("hl-"));
}

#[test]
fn markdown_keeps_math_footnotes_and_tasks_and_reads_back_the_same() {
    let convert = |input: &std::path::Path| {
        let out = postbook()
            .args(["convert", "-q", "-t", "markdown", "--no-config", "-o", "-"])
            .arg(input)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let md = convert(&fixture(POST).join("2024-02-10-attention-math.md"));
    for expected in [
        "$a_1 * b_2$",
        "$W_q, W_k, W_v$",
        "$$\n\\operatorname{Attention}",
        "1 & 2 \\\\\n3 & 4",
        "- \\log p(y_i \\mid x_i) \\\\",
        "costs $5 and $10",
        "a note[^1] and a named note[^2]",
        "[^2]: A longer note.\n\n    Its second paragraph, with $\\alpha$ math.",
        "- [x] derive the gradient\n- [ ] write the code",
        "## Setup\n",
        "```go {linenos=true,linenostart=10}\npackage main",
        // A definition list: bold terms over their definitions.
        "**Softmax**\n\nTurns scores into probabilities.\n\nAlso called *normalized exponential*.\n\n**Logit**\n\nA raw score.",
    ] {
        assert!(md.contains(expected), "missing {expected:?} in:\n{md}");
    }
    assert!(
        !md.contains("\\_") && !md.contains("{:") && !md.contains("\\["),
        "{md}"
    );
    // Reading the note back gives the same note.
    let dir = tempfile::tempdir().unwrap();
    let again = dir.path().join("2024-02-10-attention-math.md");
    std::fs::write(&again, &md).unwrap();
    assert_eq!(convert(&again), md);
}

#[test]
fn text_shows_tex_and_numbered_notes() {
    let out = postbook()
        .args(["convert", "-q", "-t", "text", "--no-config", "-o", "-"])
        .arg(fixture(POST).join("2024-02-10-attention-math.md"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("a note[1] and a named note[2]"), "{text}");
    assert!(text.contains("\n[1] The first footnote.\n[2] A longer note."));
    assert!(text.contains("    A = \\begin{pmatrix}"));
    assert!(text.contains("☑ derive the gradient"));
    assert!(
        text.contains("Softmax\n\nTurns scores into probabilities.\n\nAlso called"),
        "{text}"
    );
}
