//! Math in EPUBs (tests/fixtures/math, made by its make-formulas.py): every formula of a post
//! with three hundred of the kinds technical blogs hold becomes MathML that is XML and
//! passes EPUBCheck; `$$` blocks with blank lines stay one formula; TeX macros of the post
//! and of the site's MathJax/KaTeX config are expanded.

mod common;
use common::*;
use std::path::Path;

/// Converts `input` to `format` into `out`, one book, without a config file; the report.
fn convert(format: &str, input: &Path, out: &Path) -> serde_json::Value {
    convert_with_report(input, out, &["--no-config", "-t", format, "-g", "none"])
}

/// Formulas the test accepts as TeX in `<code>` (with a `math` warning): none.
const UNSUPPORTED: &[&str] = &[];

/// Every warning of the report's posts, as (kind, message).
fn warnings(report: &serde_json::Value) -> Vec<(String, String)> {
    report["posts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["warnings"].as_array().cloned().unwrap_or_default())
        .map(|w| {
            (
                w["kind"].as_str().unwrap().to_string(),
                w["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The chapters (XHTML documents other than nav and cover) of the books in `dir`.
fn chapters(dir: &Path) -> Vec<String> {
    epubs_in(dir)
        .iter()
        .flat_map(|b| unzip(b))
        .filter(|(n, _)| n.ends_with(".xhtml") && n.contains("post-"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect()
}

/// A front matter number of the fixture (`formulas: 334`).
fn front_matter_number(post: &str, key: &str) -> usize {
    post.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
        .unwrap_or_else(|| panic!("no {key} in the fixture"))
        .trim()
        .parse()
        .unwrap()
}

/// Asserts that every MathML element with a fixed number of arguments has that many
/// children (EPUBCheck's RSC-005 for a `<munder>` with three).
fn assert_arity(xhtml: &str) {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(xhtml, opts).unwrap();
    for node in doc.descendants().filter(|n| n.is_element()) {
        let want = match node.tag_name().name() {
            "msub" | "msup" | "munder" | "mover" | "mfrac" | "mroot" => 2,
            "msubsup" | "munderover" => 3,
            _ => continue,
        };
        let got = node.children().filter(|c| c.is_element()).count();
        assert_eq!(got, want, "<{}>", node.tag_name().name());
    }
}

#[test]
fn three_hundred_formulas_are_all_valid_mathml() {
    let post = std::fs::read_to_string(fixture("math/2024-05-01-formulas.md")).unwrap();
    let formulas = front_matter_number(&post, "formulas");
    assert!(formulas >= 300, "{formulas}");
    let out = tempfile::tempdir().unwrap();
    let report = convert("epub", &fixture("math"), out.path());
    let problems: Vec<_> = warnings(&report)
        .into_iter()
        .filter(|(kind, message)| {
            kind.starts_with("math") && !UNSUPPORTED.iter().any(|u| message.ends_with(u))
        })
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    let chapters = chapters(out.path());
    assert_eq!(chapters.len(), 1);
    let chapter = &chapters[0];
    parse_xml(chapter.as_bytes()).unwrap();
    assert_arity(chapter);
    assert_eq!(
        chapter.matches("<math ").count() + chapter.matches("<code class=\"tex\">").count(),
        formulas
    );
    assert_eq!(
        chapter.matches("<code class=\"tex\">").count(),
        UNSUPPORTED.len()
    );
    assert!(!chapter.contains("&nbsp;"));
    // The four: `<` escaped, spaces as characters, sized delimiters, `\max_\theta`.
    assert!(chapter.contains("<mi>N</mi><mo>&lt;</mo><mi>P</mi>"));
    assert!(chapter.contains("<mtext>\u{A0}where\u{A0}</mtext>"));
    assert!(chapter.contains("minsize=\"1.8em\" maxsize=\"1.8em\""));
    assert!(chapter.contains("<munder><mi>max</mi><mrow><mi>θ</mi></mrow></munder>"));
    // Macros: defined once, expanded in every later formula; the definitions show nothing.
    let annotations: Vec<&str> = chapter
        .split("<annotation encoding=\"application/x-tex\">")
        .skip(1)
        .map(|a| a.split("</annotation>").next().unwrap())
        .collect();
    assert!(
        annotations.contains(&"x \\in \\mathbb{R}^n"),
        "{annotations:#?}"
    );
    assert!(annotations
        .iter()
        .any(|a| a.contains("\\operatorname*{arg\\,max}_\\theta p\\left(x \\mid \\theta\\right)")));
    for name in [
        "\\pof",
        "\\norm",
        "\\argmax",
        "\\R^",
        "\\newcommand",
        "\\def",
    ] {
        assert!(
            !annotations.iter().any(|a| a.contains(name)),
            "{name} left in {annotations:#?}"
        );
    }
    // Prices are not math.
    assert!(chapter.contains("such as $5 and $10 are not math"));
    epubcheck(&epubs_in(out.path()));
}

/// A kramdown `$$` block with a blank line inside: one formula in every format, its `\\`
/// row breaks kept.
#[test]
fn a_math_block_across_a_blank_line_is_one_formula() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(
        input.join("2024-03-01-aligned.md"),
        "---\ntitle: Aligned\n---\n\nBefore.\n\n$$\n\\begin{aligned}\na &= b \\\\\n\nc &= d\n\\end{aligned}\n$$\n\nAfter.\n",
    )
    .unwrap();

    let md = dir.path().join("md");
    let report = convert("markdown", &input, &md);
    assert!(warnings(&report).is_empty(), "{report}");
    let note = std::fs::read_to_string(&files_with_ext(&md, "md")[0]).unwrap();
    assert!(
        note.contains(
            "Before.\n\n$$\n\\begin{aligned}\na &= b \\\\\nc &= d\n\\end{aligned}\n$$\n\nAfter."
        ),
        "{note}"
    );
    assert!(!note.contains("\\$"), "{note}");

    let txt = dir.path().join("txt");
    convert("text", &input, &txt);
    let text = std::fs::read_to_string(&files_with_ext(&txt, "txt")[0]).unwrap();
    assert!(text.contains("    a &= b \\\\\n    c &= d"), "{text}");

    let epub = dir.path().join("epub");
    let report = convert("epub", &input, &epub);
    assert!(warnings(&report).is_empty(), "{report}");
    let chapter = &chapters(&epub)[0];
    assert_eq!(chapter.matches("<math ").count(), 1, "{chapter}");
    assert_eq!(chapter.matches("<mtr>").count(), 2, "{chapter}");
    assert!(!chapter.contains("$$"));
    epubcheck(&epubs_in(&epub));
}

/// A Jekyll site whose `_config.yml` gives MathJax and KaTeX macros: they apply to its posts;
/// a macro that never ends is a `math-macro` warning and its formula stays TeX.
#[test]
fn site_macros_and_endless_macros() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("_posts")).unwrap();
    std::fs::write(
        site.join("_config.yml"),
        "title: Math blog\nmathjax:\n  TeX:\n    Macros:\n      RR: \"\\\\mathbb{R}\"\n      set: [\"\\\\left\\\\{ #1 \\\\right\\\\}\", 1]\nkatex:\n  macros:\n    \"\\\\ZZ\": \"\\\\mathbb{Z}\"\n",
    )
    .unwrap();
    std::fs::write(
        site.join("_posts/2024-04-01-macros.md"),
        "---\ntitle: Macros\n---\n\nLet $x \\in \\RR$ and $\\set{1, 2} \\subset \\ZZ$.\n\n$$\\def\\loop{\\loop} \\loop$$\n",
    )
    .unwrap();

    let md = dir.path().join("md");
    let report = convert("markdown", &site, &md);
    let note = std::fs::read_to_string(&files_with_ext(&md, "md")[0]).unwrap();
    assert!(note.contains("$x \\in \\mathbb{R}$"), "{note}");
    assert!(
        note.contains("$\\left\\{ 1, 2 \\right\\} \\subset \\mathbb{Z}$"),
        "{note}"
    );
    let kinds: Vec<String> = warnings(&report).into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, ["math-macro"]);

    let epub = dir.path().join("epub");
    let report = convert("epub", &site, &epub);
    let kinds: Vec<String> = warnings(&report).into_iter().map(|(k, _)| k).collect();
    // The endless macro: not expanded, and not MathML either.
    assert_eq!(kinds, ["math-macro", "math"]);
    let chapter = &chapters(&epub)[0];
    assert_eq!(chapter.matches("<math ").count(), 2);
    assert!(chapter.contains("<mi>ℝ</mi>") && chapter.contains("<mi>ℤ</mi>"));
    epubcheck(&epubs_in(&epub));
}

/// What theme demo posts write for MathJax and KaTeX and the TeX parser lacks (`\label`,
/// `\eqref`, `\over`, `\notag`, top-level `\\`, `\bm`, mhchem's `\ce`…), in a Jekyll site:
/// every formula becomes MathML (no `math` warning), at its arity, and the book passes
/// EPUBCheck; the annotation keeps the TeX as written.
#[test]
fn mathjax_spellings_in_a_site_become_mathml() {
    let site = site_of(&[
        ("_config.yml", "title: Notes on series\n"),
        (
            "_posts/2024-02-01-series.md",
            "---\ntitle: Series\n---\n\n\
             $$\n\\sum_{n=1}^\\infty \\frac{1}{n^2} = {\\pi^2 \\over 6} \\label{eq:basel}\n$$\n\n\
             By $\\eqref{eq:basel}$, and $x = 1 \\tag{2}$ with $\\LaTeX$.\n\n\
             $$\na &= b \\notag \\\\\nc &= {n \\choose k}\n$$\n\n\
             $$ \\bm{v} = \\mbox{speed} \\cdot \\verb|dt| $$\n\n\
             Water is $\\ce{2H2 + O2 -> 2H2O}$ and sulfate $\\ce{SO4^2-}$.\n",
        ),
    ]);
    let out = tempfile::tempdir().unwrap();
    let report = convert("epub", site.path(), out.path());
    assert_eq!(warnings(&report), Vec::<(String, String)>::new());
    let chapters = chapters(out.path());
    let all = chapters.join("\n");
    assert_eq!(all.matches("<math ").count(), 8, "{all}");
    assert!(!all.contains("<code class=\"tex\">"), "{all}");
    assert!(all.contains("\\label{eq:basel}</annotation>"), "{all}");
    for chapter in &chapters {
        assert_arity(chapter);
    }
    epubcheck(&epubs_in(out.path()));
}
