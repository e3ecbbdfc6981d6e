//! Accessible books (EPUB Accessibility 1.1): each accessibility property of the OPF is checked
//! against what the book holds — pictures with and without alt text, formulas, footnotes,
//! pictures that can move —, alt text falls back to the caption and the link's words, headings
//! nest in order, posts carry their own language, books are safe for Send to Kindle, the
//! stylesheet works under dark themes, and every book passes EPUBCheck.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A folder of posts: `(file name, content)`, plus a red and a blue PNG, a still GIF and an
/// animated one beside them.
fn posts(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let picture = |name: &str, colour: [u8; 3], format: image::ImageFormat| {
        let img = image::RgbImage::from_pixel(40, 30, image::Rgb(colour));
        image::DynamicImage::ImageRgb8(img)
            .save_with_format(dir.path().join(name), format)
            .unwrap();
    };
    picture("red.png", [200, 0, 0], image::ImageFormat::Png);
    picture("blue.png", [0, 0, 200], image::ImageFormat::Png);
    picture("green.gif", [0, 200, 0], image::ImageFormat::Gif);
    let mut gif = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut gif);
        for shade in [0, 120, 240] {
            let frame = image::RgbaImage::from_pixel(40, 30, image::Rgba([shade, shade, 0, 255]));
            encoder.encode_frame(image::Frame::new(frame)).unwrap();
        }
    }
    std::fs::write(dir.path().join("moving.gif"), gif).unwrap();
    dir
}

/// Converts `input` to one EPUB (`-g none`) with `extra` flags; returns the output folder, the
/// book and the JSON report.
fn convert(input: &Path, extra: &[&str]) -> (tempfile::TempDir, PathBuf, serde_json::Value) {
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    postbook()
        .args(["convert", "-q", "-t", "epub", "-g", "none", "--no-config"])
        .args(extra)
        .arg(input)
        .arg("-o")
        .arg(out.path())
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    let books = epubs_in(out.path());
    assert_eq!(books.len(), 1, "{books:?}");
    let report = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let path = books[0].clone();
    (out, path, report)
}

/// The book's accessibility metadata: each `schema:` property's values, in order, and the
/// summary's `xml:lang` when it has one.
fn a11y(book: &Path) -> (BTreeMap<String, Vec<String>>, Option<String>) {
    let opf = epub_text(book, "content.opf");
    let doc = roxmltree::Document::parse(&opf).unwrap();
    let mut props: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut summary_lang = None;
    for meta in doc.descendants().filter(|n| n.has_tag_name("meta")) {
        let Some(property) = meta.attribute("property") else {
            continue;
        };
        if property == "dcterms:conformsTo" {
            panic!("postbook claims conformance it cannot check:\n{opf}");
        }
        let Some(name) = property.strip_prefix("schema:") else {
            continue;
        };
        if name == "accessibilitySummary" {
            summary_lang = meta
                .attribute(("http://www.w3.org/XML/1998/namespace", "lang"))
                .map(str::to_string);
        }
        props
            .entry(name.to_string())
            .or_default()
            .push(meta.text().unwrap_or_default().to_string());
    }
    (props, summary_lang)
}

fn values<'a>(props: &'a BTreeMap<String, Vec<String>>, name: &str) -> Vec<&'a str> {
    props
        .get(name)
        .map(|v| v.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

/// The `alt` of every `<img>` in the book's chapters (not the cover page), in order.
fn alts(book: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for (name, bytes) in unzip(book) {
        if !name.starts_with("OEBPS/post-") {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap();
        let opts = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let doc = roxmltree::Document::parse_with_options(&text, opts).unwrap();
        for img in doc.descendants().filter(|n| n.has_tag_name("img")) {
            out.push(
                img.attribute("alt")
                    .expect("every img has an alt")
                    .to_string(),
            );
        }
    }
    out
}

const FEATURES_OF_EVERY_BOOK: [&str; 4] = [
    "tableOfContents",
    "readingOrder",
    "structuralNavigation",
    "displayTransformability",
];

#[test]
fn a_book_without_pictures_is_textual_only() {
    let dir = posts(&[(
        "2024-03-01-words.md",
        "---\ntitle: Only words\nlang: en\n---\n\nA post of plain words, and a [link](https://example.org/).\n",
    )]);
    let (_out, book, report) = convert(dir.path(), &["--no-cover"]);
    let (props, summary_lang) = a11y(&book);
    assert_eq!(values(&props, "accessMode"), ["textual"]);
    assert_eq!(values(&props, "accessModeSufficient"), ["textual"]);
    assert_eq!(
        values(&props, "accessibilityFeature"),
        FEATURES_OF_EVERY_BOOK
    );
    assert_eq!(values(&props, "accessibilityHazard"), ["none"]);
    let summary = values(&props, "accessibilitySummary");
    assert_eq!(summary.len(), 1);
    assert!(summary[0].starts_with("Reflowable text"), "{summary:?}");
    assert_eq!(summary_lang, None);
    assert_eq!(report["summary"]["pictures_without_alt"], 0);
    epubcheck(&[book]);
}

#[test]
fn every_picture_with_alt_text_makes_the_text_sufficient() {
    let dir = posts(&[(
        "2024-03-01-pictures.md",
        "---\ntitle: Pictures\nlang: en\n---\n\nTwo pictures.\n\n![A red square](red.png)\n\n\
         Between them, <img src=\"blue.png\" alt=\"a blue square\"> inline.\n",
    )]);
    let (_out, book, report) = convert(dir.path(), &[]);
    let (props, _) = a11y(&book);
    assert_eq!(alts(&book), ["A red square", "a blue square"]);
    assert_eq!(values(&props, "accessMode"), ["textual", "visual"]);
    assert_eq!(
        values(&props, "accessModeSufficient"),
        ["textual", "textual,visual"]
    );
    let features = values(&props, "accessibilityFeature");
    assert!(features.contains(&"alternativeText"), "{features:?}");
    assert!(!features.contains(&"MathML") && !features.contains(&"ARIA"));
    assert_eq!(values(&props, "accessibilityHazard"), ["none"]);
    assert!(values(&props, "accessibilitySummary")[0]
        .ends_with("Every picture has a text alternative."));
    assert_eq!(report["summary"]["pictures_without_alt"], 0);
    epubcheck(&[book]);
}

#[test]
fn a_picture_without_alt_text_is_declared_and_counted() {
    let dir = posts(&[(
        "2024-03-01-pictures.md",
        "---\ntitle: Pictures\nlang: en\n---\n\n![A red square](red.png)\n\n![](blue.png)\n",
    )]);
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    let run = postbook()
        .args(["convert", "-t", "epub", "-g", "none", "--no-config"])
        .arg(dir.path())
        .arg("-o")
        .arg(out.path())
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    assert!(stderr.contains("; 1 picture without alt text"), "{stderr}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(report["summary"]["pictures_without_alt"], 1);
    let book = &epubs_in(out.path())[0];
    assert_eq!(alts(book), ["A red square", ""]);
    let (props, _) = a11y(book);
    assert_eq!(values(&props, "accessMode"), ["textual", "visual"]);
    assert_eq!(values(&props, "accessModeSufficient"), ["textual,visual"]);
    assert!(!values(&props, "accessibilityFeature").contains(&"alternativeText"));
    // The cover (described by the book's title) and two pictures; one has no alt text.
    assert!(
        values(&props, "accessibilitySummary")[0]
            .ends_with("Pictures without a text alternative: 1 of 3."),
        "{props:?}"
    );
    // The same post as a note: the same count.
    let notes = tempfile::tempdir().unwrap();
    let run = postbook()
        .args(["convert", "-t", "md", "--no-config"])
        .arg(dir.path())
        .arg("-o")
        .arg(notes.path())
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    assert!(stderr.contains("; 1 picture without alt text"), "{stderr}");
    epubcheck(std::slice::from_ref(book));
}

#[test]
fn alt_text_falls_back_to_the_caption_then_the_link() {
    let dir = posts(&[(
        "2024-03-01-fallbacks.html",
        "---\ntitle: Fallbacks\nlang: en\n---\n\
         <figure><img src=\"red.png\"><figcaption>The caption says red</figcaption></figure>\n\
         <p><a href=\"https://example.org/map\"><img src=\"blue.png\"> Full-size map</a></p>\n\
         <p><a href=\"https://example.org/author\"><img src=\"red.png\"> Ann Author</a> wrote it.</p>\n\
         <p><img src=\"blue.png\" title=\"A tooltip\"> and <img src=\"red.png\" alt=\"own alt\" title=\"tip\"></p>\n",
    )]);
    let (_out, book, report) = convert(dir.path(), &[]);
    assert_eq!(
        alts(&book),
        [
            "The caption says red",
            "Full-size map",
            "Ann Author",
            "A tooltip",
            "own alt"
        ]
    );
    let (props, _) = a11y(&book);
    assert!(values(&props, "accessibilityFeature").contains(&"alternativeText"));
    assert_eq!(report["summary"]["pictures_without_alt"], 0);
    // Markdown notes read the same model: the link's text is the picture's alt there too.
    let notes = tempfile::tempdir().unwrap();
    postbook()
        .args(["convert", "-q", "-t", "md", "--no-config"])
        .arg(dir.path())
        .arg("-o")
        .arg(notes.path())
        .assert()
        .success();
    let note = std::fs::read_to_string(notes.path().join("2024-03-01-fallbacks.md")).unwrap();
    assert!(note.contains("![Full-size map]("), "{note}");
    assert!(note.contains("![A tooltip]("), "{note}");
    epubcheck(&[book]);
}

/// A news site's "click to enlarge" icon: a picture alone in a link titled with the caption
/// that the text already shows. The title is not taken (the caption would show twice): the
/// icon stays without alt text, and is counted.
#[test]
fn a_titled_links_picture_does_not_repeat_the_title() {
    let dir = posts(&[(
        "2024-03-01-zoom.html",
        "---\ntitle: Zoom\nlang: en\n---\n\
         <p>A harbour at dusk. (Photo: Ann)</p>\n\
         <p><a href=\"https://example.org/big.jpg\" title=\"A harbour at dusk. (Photo: Ann)\"><img src=\"red.png\"></a></p>\n",
    )]);
    let (_out, book, report) = convert(dir.path(), &["--no-cover"]);
    assert_eq!(alts(&book), [""]);
    let chapter = epub_text(&book, "post-0001.xhtml");
    assert_eq!(
        chapter.matches("A harbour at dusk.").count(),
        1,
        "{chapter}"
    );
    assert_eq!(report["summary"]["pictures_without_alt"], 1);
    let (props, _) = a11y(&book);
    assert!(!values(&props, "accessibilityFeature").contains(&"alternativeText"));
    epubcheck(&[book]);
}

#[test]
fn math_and_footnotes_are_declared_with_their_markup() {
    let dir = posts(&[(
        "2024-03-01-technical.md",
        "---\ntitle: Technical\nlang: en\n---\n\nEnergy is $E = mc^2$, as noted.[^1]\n\n\
         [^1]: A footnote about it.\n",
    )]);
    let (_out, book, _) = convert(dir.path(), &["--no-cover"]);
    let (props, _) = a11y(&book);
    let features = values(&props, "accessibilityFeature");
    assert!(features.contains(&"MathML"), "{features:?}");
    assert!(features.contains(&"ARIA"), "{features:?}");
    assert_eq!(values(&props, "accessMode"), ["textual"]);
    let chapter = epub_text(&book, "post-0001.xhtml");
    for expected in [
        "<math",
        "role=\"doc-noteref\"",
        "<aside epub:type=\"footnote\" role=\"doc-footnote\" id=\"fn-1\">",
        "role=\"doc-endnotes\"",
        "role=\"doc-backlink\"",
    ] {
        assert!(chapter.contains(expected), "{expected} not in\n{chapter}");
    }
    // A book without them declares neither.
    let plain = posts(&[(
        "2024-03-01-plain.md",
        "---\ntitle: Plain\n---\n\nNo math.\n",
    )]);
    let (_out2, plain_book, _) = convert(plain.path(), &["--no-cover"]);
    let (props, _) = a11y(&plain_book);
    let features = values(&props, "accessibilityFeature");
    assert!(!features.contains(&"MathML") && !features.contains(&"ARIA"));
    epubcheck(&[book, plain_book]);
}

#[test]
fn an_animated_gif_makes_flashing_and_motion_hazards_unknown() {
    let still = posts(&[(
        "2024-03-01-gif.md",
        "---\ntitle: A GIF\nlang: en\n---\n\n![A green square](green.gif)\n",
    )]);
    let (_out, still_book, _) = convert(still.path(), &["--no-cover"]);
    let (props, _) = a11y(&still_book);
    assert_eq!(values(&props, "accessibilityHazard"), ["none"]);
    let moving = posts(&[(
        "2024-03-01-gif.md",
        "---\ntitle: A GIF\nlang: en\n---\n\n![A square turning yellow](moving.gif)\n",
    )]);
    let (_out2, moving_book, _) = convert(moving.path(), &["--no-cover"]);
    let (props, _) = a11y(&moving_book);
    assert_eq!(
        values(&props, "accessibilityHazard"),
        [
            "unknownFlashingHazard",
            "unknownMotionSimulationHazard",
            "noSoundHazard"
        ]
    );
    epubcheck(&[still_book, moving_book]);
}

#[test]
fn the_summary_is_in_the_books_language() {
    for (lang, start, marked) in [
        ("zh-Hans", "可重排的文本", None),
        ("zh-TW", "可重排的文字", None),
        ("ja", "リフロー型", None),
        ("de", "Umbrechbarer Text", None),
        ("fr", "Texte recomposable", None),
        ("es", "Texto adaptable", None),
        ("ko", "Reflowable text", Some("en")),
    ] {
        let dir = posts(&[("2024-03-01-a.md", "---\ntitle: A\n---\n\nText.\n")]);
        let (_out, book, _) = convert(dir.path(), &["--no-cover", "--lang", lang]);
        let (props, summary_lang) = a11y(&book);
        let summary = values(&props, "accessibilitySummary");
        assert!(summary[0].starts_with(start), "{lang}: {summary:?}");
        assert_eq!(summary_lang.as_deref(), marked, "{lang}");
    }
}

/// Headings go down one level at a time under the post's `<h1>` title, whatever levels the
/// post used; a post in another language than its book says so on its chapter.
#[test]
fn headings_nest_in_order_and_chapters_carry_their_posts_language() {
    let dir = posts(&[
        (
            "2024-03-01-zh.md",
            "---\ntitle: 中文文章\nlang: zh\n---\n\n今天天气很好，我们去公园散步。\n",
        ),
        (
            "2024-03-02-en.md",
            "---\ntitle: An English post\n---\n\nThis English post sits in a Chinese book, and \
             says so.\n\n### Starts at three\n\n##### Skips to five\n\n### Three again\n\n\
             ## Two\n",
        ),
    ]);
    let (_out, book, _) = convert(dir.path(), &["--no-cover", "--lang", "zh"]);
    let zh = epub_text(&book, "post-0001.xhtml");
    let en = epub_text(&book, "post-0002.xhtml");
    // Every page has the book's language; the English post's section has its own, and its
    // dates and labels (written in the book's language) say so.
    for page in [&zh, &en] {
        assert!(page.contains("lang=\"zh\" xml:lang=\"zh\">"), "{page}");
    }
    assert!(
        zh.contains("<section epub:type=\"chapter\" id=\"post\">"),
        "{zh}"
    );
    assert!(
        en.contains("<section epub:type=\"chapter\" id=\"post\" lang=\"en\" xml:lang=\"en\">"),
        "{en}"
    );
    assert!(
        en.contains("<div class=\"post-meta\" lang=\"zh\" xml:lang=\"zh\">"),
        "{en}"
    );
    let levels: Vec<&str> = en
        .match_indices("<h")
        .map(|(i, _)| &en[i + 1..i + 3])
        .filter(|h| h.as_bytes()[1].is_ascii_digit())
        .collect();
    assert_eq!(levels, ["h1", "h2", "h3", "h2", "h2"], "{en}");
    epubcheck(&[book]);
}

/// Send to Kindle refuses books with remote resources or odd file names: every file of the
/// book has a plain ASCII name without spaces, and no page loads anything from the network.
#[test]
fn books_are_safe_for_send_to_kindle() {
    let dir = posts(&[(
        "2024-03-01 a post with spaces.md",
        "---\ntitle: Spaces\nlang: en\n---\n\n![A red square](red.png)\n\n\
         ![A remote picture](https://example.org/remote.png)\n",
    )]);
    let (_out, book, _) = convert(dir.path(), &[]);
    for (name, bytes) in unzip(&book) {
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/')),
            "{name}"
        );
        if name.ends_with(".xhtml") {
            let text = String::from_utf8(bytes).unwrap();
            assert!(!text.contains("src=\"http"), "{name}: {text}");
        }
    }
    let opf = epub_text(&book, "content.opf");
    assert!(!opf.contains("remote-resources"), "{opf}");
    assert!(!opf.contains("href=\"http"), "{opf}");
    epubcheck(&[book]);
}

/// The default stylesheet sets no text or background colour a dark theme would fight: every
/// `color` inherits, and the only background is the white matte behind pictures.
#[test]
fn the_stylesheet_works_under_dark_themes() {
    let css =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/style.css"))
            .unwrap();
    // Comments out, then each rule's selector and declarations.
    let mut code = String::new();
    let mut rest = css.as_str();
    while let Some(start) = rest.find("/*") {
        code.push_str(&rest[..start]);
        let end = rest[start..].find("*/").expect("comments close") + start + 2;
        rest = &rest[end..];
    }
    code.push_str(rest);
    assert!(!code.contains("prefers-color-scheme"), "no guard is needed");
    let mut rules = 0;
    for rule in code.split('}') {
        let Some((selector, body)) = rule.split_once('{') else {
            continue;
        };
        rules += 1;
        for declaration in body.split(';') {
            let Some((property, value)) = declaration.split_once(':') else {
                continue;
            };
            let (property, value) = (property.trim(), value.trim().to_ascii_lowercase());
            match property {
                "color" => assert!(
                    matches!(value.as_str(), "inherit" | "currentcolor"),
                    "{selector}: color {value}"
                ),
                "background" | "background-color" => assert!(
                    selector.trim() == "img" && value == "#fff",
                    "{selector}: {property} {value}"
                ),
                _ => assert!(
                    !property.ends_with("color") || value == "currentcolor",
                    "{selector}: {property} {value}"
                ),
            }
            // Borders take the text's colour: no colour value in them.
            if property.starts_with("border") {
                assert!(
                    !value.contains('#') && !value.contains("rgb"),
                    "{selector}: {value}"
                );
            }
        }
    }
    assert!(rules > 30, "{rules} rules parsed");
}
