//! The accessibility metadata of a book (EPUB Accessibility 1.1, schema.org's accessibility
//! properties with the values of the "Schema.org Accessibility Properties for Discoverability"
//! vocabulary), worked out from what the book holds.
//!
//! Every property is a statement about this book, so each one is decided from its content as
//! the EPUB writer counted it ([`Content`]), never declared wholesale:
//!
//! - `accessMode`: `textual` always; `visual` when the book holds a picture (the cover too).
//! - `accessModeSufficient`: `textual` when every picture has a text alternative (or there is
//!   none), since text alone then carries the content; `textual,visual` whenever there are
//!   pictures, the combination that always works.
//! - `accessibilityFeature`: `tableOfContents` (the `nav` document), `readingOrder` (the spine
//!   follows the posts, one column of text), `structuralNavigation` (every post is a chapter
//!   under its `<h1>`, its headings nested in order without skipped levels) and
//!   `displayTransformability` (no fonts, no text or background colours, sizes in `em`: a
//!   reader's font, size and theme apply) in every book; `alternativeText` only when the book
//!   has pictures and every one has alt text; `MathML` when a formula is MathML; `ARIA` when
//!   the footnotes carry DPUB-ARIA roles (`doc-noteref`, `doc-footnote`, `doc-endnotes`).
//!   There is no `synthesizedSpeech` feature in the vocabulary: text-to-speech reads the text
//!   as it is; `ttsMarkup` (SSML, pronunciation lexicons) is not declared as postbook writes none.
//! - `accessibilityHazard`: `none`, unless the book holds a picture that moves — a GIF of
//!   several frames (postbook passes GIFs through as they are) or an SVG with SMIL animation —
//!   whose flashing and motion nobody checked: then `unknownFlashingHazard` and
//!   `unknownMotionSimulationHazard`, with `noSoundHazard` (a book has no sound).
//! - `accessibilitySummary`: a sentence in the book's language ([`summary`]), with the number
//!   of pictures without a text alternative when there are some.
//! - `dcterms:conformsTo` is never declared: conformance to EPUB Accessibility 1.1 and WCAG
//!   2.2 AA needs judgement postbook cannot make about the posts (whether an alt text really
//!   describes its picture, the contrast inside pictures, link text such as "here"), and a
//!   claim is the publisher's to make after an evaluation (see the README's *Accessibility*).

/// What a book holds that its accessibility metadata speaks about, counted by the EPUB writer
/// as it writes the book.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Content {
    /// Pictures shown in the book (`<img>` of embedded pictures, the cover included).
    pub pictures: usize,
    /// Of those, the pictures whose alt text is empty.
    pub pictures_without_alt: usize,
    /// Of those, pictures that move: animated GIFs and SVGs ([`can_move`]).
    pub moving_pictures: usize,
    /// A formula is written as MathML.
    pub math: bool,
    /// Footnotes are written (with their DPUB-ARIA roles).
    pub footnotes: bool,
}

/// One `<meta property="…">` of the OPF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// `schema:accessMode`, …
    pub name: &'static str,
    pub value: String,
    /// `xml:lang`, when the value's language is not the book's (the English fallback of the
    /// summary).
    pub lang: Option<&'static str>,
}

/// The accessibility properties of a book in `lang` (BCP 47) holding `content`, in the order
/// the OPF lists them.
pub fn metadata(content: &Content, lang: &str) -> Vec<Property> {
    let mut out = Vec::new();
    let mut add = |name: &'static str, value: &str| {
        out.push(Property {
            name,
            value: value.to_string(),
            lang: None,
        })
    };
    let pictures = content.pictures > 0;
    let described = content.pictures_without_alt == 0;
    add("schema:accessMode", "textual");
    if pictures {
        add("schema:accessMode", "visual");
    }
    if described {
        add("schema:accessModeSufficient", "textual");
    }
    if pictures {
        add("schema:accessModeSufficient", "textual,visual");
    }
    for feature in ["tableOfContents", "readingOrder", "structuralNavigation"] {
        add("schema:accessibilityFeature", feature);
    }
    add("schema:accessibilityFeature", "displayTransformability");
    if pictures && described {
        add("schema:accessibilityFeature", "alternativeText");
    }
    if content.math {
        add("schema:accessibilityFeature", "MathML");
    }
    if content.footnotes {
        add("schema:accessibilityFeature", "ARIA");
    }
    if content.moving_pictures > 0 {
        add("schema:accessibilityHazard", "unknownFlashingHazard");
        add(
            "schema:accessibilityHazard",
            "unknownMotionSimulationHazard",
        );
        add("schema:accessibilityHazard", "noSoundHazard");
    } else {
        add("schema:accessibilityHazard", "none");
    }
    let (summary_lang, text) = summary(content, lang);
    out.push(Property {
        name: "schema:accessibilitySummary",
        value: text,
        lang: summary_lang,
    });
    out
}

/// The sentences of the summary in one language: what every book is, every picture described,
/// and how many are not (`{missing}` of `{total}`).
struct Sentences {
    base: &'static str,
    described: &'static str,
    undescribed: &'static str,
}

/// The summary's languages. Chinese is written in the script the book is in; a language not
/// here gets English, marked as such (`xml:lang="en"`).
const SUMMARIES: &[(&str, Sentences)] = &[
    (
        "en",
        Sentences {
            base: "Reflowable text with a table of contents, headings in order and a reading order that follows the posts; reading systems can change its fonts, sizes and colours, and read it aloud.",
            described: "Every picture has a text alternative.",
            undescribed: "Pictures without a text alternative: {missing} of {total}.",
        },
    ),
    (
        "zh-Hans",
        Sentences {
            base: "可重排的文本，带目录、层级有序的标题，阅读顺序与文章顺序一致；阅读器可以更改字体、字号和颜色，也可以朗读。",
            described: "每张图片都有替代文本。",
            undescribed: "没有替代文本的图片：{missing} / {total}。",
        },
    ),
    (
        "zh-Hant",
        Sentences {
            base: "可重排的文字，附目錄、層級有序的標題，閱讀順序與文章順序一致；閱讀器可以變更字型、字級和顏色，也可以朗讀。",
            described: "每張圖片都有替代文字。",
            undescribed: "沒有替代文字的圖片：{missing} / {total}。",
        },
    ),
    (
        "ja",
        Sentences {
            base: "リフロー型のテキストで、目次と順序どおりの見出しがあり、読む順序は記事の順序に従います。リーディングシステムでフォント、文字サイズ、色を変更でき、読み上げもできます。",
            described: "すべての画像に代替テキストがあります。",
            undescribed: "代替テキストのない画像：{total} 枚中 {missing} 枚。",
        },
    ),
    (
        "de",
        Sentences {
            base: "Umbrechbarer Text mit Inhaltsverzeichnis, geordneten Überschriften und einer Lesereihenfolge, die den Beiträgen folgt; Lesesysteme können Schriftart, Schriftgröße und Farben ändern und den Text vorlesen.",
            described: "Alle Bilder haben einen Alternativtext.",
            undescribed: "Bilder ohne Alternativtext: {missing} von {total}.",
        },
    ),
    (
        "fr",
        Sentences {
            base: "Texte recomposable avec table des matières, titres hiérarchisés et un ordre de lecture qui suit les articles ; les systèmes de lecture peuvent en changer la police, la taille et les couleurs, et le lire à voix haute.",
            described: "Toutes les images ont un texte de remplacement.",
            undescribed: "Images sans texte de remplacement : {missing} sur {total}.",
        },
    ),
    (
        "es",
        Sentences {
            base: "Texto adaptable con tabla de contenidos, encabezados en orden y un orden de lectura que sigue los artículos; los sistemas de lectura pueden cambiar su fuente, tamaño y colores, y leerlo en voz alta.",
            described: "Todas las imágenes tienen texto alternativo.",
            undescribed: "Imágenes sin texto alternativo: {missing} de {total}.",
        },
    ),
];

/// The summary of a book in `lang`, and the language to mark it with when that is not the
/// book's (English for a language [`SUMMARIES`] lacks).
pub fn summary(content: &Content, lang: &str) -> (Option<&'static str>, String) {
    let key = summary_language(lang);
    let (name, sentences): (&'static str, &Sentences) = SUMMARIES
        .iter()
        .find(|(name, _)| *name == key)
        .map_or((SUMMARIES[0].0, &SUMMARIES[0].1), |(n, s)| (*n, s));
    let primary = |tag: &str| {
        tag.split('-')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    let marked = (primary(name) != primary(lang)).then_some(name);
    // CJK sentences are not separated by a space.
    let gap = if sentences.base.ends_with('。') {
        ""
    } else {
        " "
    };
    let mut text = sentences.base.to_string();
    if content.pictures > 0 {
        text.push_str(gap);
        if content.pictures_without_alt == 0 {
            text.push_str(sentences.described);
        } else {
            text.push_str(
                &sentences
                    .undescribed
                    .replace("{missing}", &content.pictures_without_alt.to_string())
                    .replace("{total}", &content.pictures.to_string()),
            );
        }
    }
    (marked, text)
}

/// The [`SUMMARIES`] key for a BCP 47 tag: its primary language, and for Chinese its script
/// (`zh-Hant`, or a region that writes it: Taiwan, Hong Kong, Macao), simplified otherwise.
fn summary_language(lang: &str) -> &'static str {
    let lower = lang.to_ascii_lowercase();
    let mut parts = lower.split('-');
    match parts.next().unwrap_or_default() {
        "zh" => {
            let rest: Vec<&str> = parts.collect();
            let traditional = rest.contains(&"hant")
                || (!rest.contains(&"hans")
                    && rest.iter().any(|p| matches!(*p, "tw" | "hk" | "mo")));
            if traditional {
                "zh-Hant"
            } else {
                "zh-Hans"
            }
        }
        "ja" => "ja",
        "de" => "de",
        "fr" => "fr",
        "es" => "es",
        _ => "en",
    }
}

/// Whether an embedded picture can move: a GIF of several frames (postbook passes GIFs through
/// as they are) or an SVG with SMIL animation elements.
pub fn can_move(media_type: &str, bytes: &[u8]) -> bool {
    match media_type {
        "image/gif" => gif_frames(bytes).is_none_or(|n| n > 1),
        "image/svg+xml" => {
            let text = String::from_utf8_lossy(bytes);
            text.contains("<animate") || text.contains("<set") || text.contains(":animate")
        }
        _ => false,
    }
}

/// The number of frames of a GIF, read from its block structure without decoding any
/// (GIF89a: header, screen descriptor, colour table, then extension, image and trailer
/// blocks); `None` when the file is not laid out as a GIF should be.
fn gif_frames(bytes: &[u8]) -> Option<usize> {
    /// The position after the data sub-blocks starting at `at` (each a length byte and that
    /// many bytes, ended by a length of 0).
    fn skip_sub_blocks(bytes: &[u8], mut at: usize) -> Option<usize> {
        loop {
            let len = usize::from(*bytes.get(at)?);
            at += 1;
            if len == 0 {
                return Some(at);
            }
            at += len;
        }
    }
    let colour_table = |packed: u8| match packed & 0x80 {
        0 => 0,
        _ => 3 << ((packed & 7) + 1),
    };
    if !bytes.starts_with(b"GIF") {
        return None;
    }
    let mut at = 13 + colour_table(*bytes.get(10)?);
    let mut frames = 0;
    loop {
        match *bytes.get(at)? {
            // An extension: its label, then sub-blocks.
            0x21 => at = skip_sub_blocks(bytes, at + 2)?,
            // An image: its descriptor, local colour table, LZW code size, then sub-blocks.
            0x2C => {
                frames += 1;
                let packed = *bytes.get(at + 9)?;
                at = skip_sub_blocks(bytes, at + 10 + colour_table(packed) + 1)?;
            }
            0x3B => return Some(frames),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values<'a>(props: &'a [Property], name: &str) -> Vec<&'a str> {
        props
            .iter()
            .filter(|p| p.name == name)
            .map(|p| p.value.as_str())
            .collect()
    }

    #[test]
    fn a_text_only_book_is_textual_and_sufficient_as_text() {
        let props = metadata(&Content::default(), "en");
        assert_eq!(values(&props, "schema:accessMode"), ["textual"]);
        assert_eq!(values(&props, "schema:accessModeSufficient"), ["textual"]);
        let features = values(&props, "schema:accessibilityFeature");
        assert!(!features.contains(&"alternativeText"), "{features:?}");
        assert!(!features.contains(&"MathML"), "{features:?}");
        assert_eq!(values(&props, "schema:accessibilityHazard"), ["none"]);
        let summary = values(&props, "schema:accessibilitySummary");
        assert_eq!(summary.len(), 1);
        assert!(summary[0].starts_with("Reflowable text"), "{summary:?}");
        assert!(!summary[0].contains("picture"), "{summary:?}");
    }

    #[test]
    fn pictures_make_a_book_visual_and_alt_text_makes_it_textual() {
        let all = Content {
            pictures: 3,
            ..Content::default()
        };
        let props = metadata(&all, "en");
        assert_eq!(values(&props, "schema:accessMode"), ["textual", "visual"]);
        assert_eq!(
            values(&props, "schema:accessModeSufficient"),
            ["textual", "textual,visual"]
        );
        assert!(values(&props, "schema:accessibilityFeature").contains(&"alternativeText"));
        let some = Content {
            pictures: 3,
            pictures_without_alt: 1,
            ..Content::default()
        };
        let props = metadata(&some, "en");
        assert_eq!(
            values(&props, "schema:accessModeSufficient"),
            ["textual,visual"]
        );
        assert!(!values(&props, "schema:accessibilityFeature").contains(&"alternativeText"));
        assert!(values(&props, "schema:accessibilitySummary")[0]
            .ends_with("Pictures without a text alternative: 1 of 3."));
    }

    #[test]
    fn math_footnotes_and_moving_pictures_are_declared_when_present() {
        let content = Content {
            pictures: 1,
            moving_pictures: 1,
            math: true,
            footnotes: true,
            ..Content::default()
        };
        let props = metadata(&content, "en");
        let features = values(&props, "schema:accessibilityFeature");
        assert!(features.contains(&"MathML") && features.contains(&"ARIA"));
        assert_eq!(
            values(&props, "schema:accessibilityHazard"),
            [
                "unknownFlashingHazard",
                "unknownMotionSimulationHazard",
                "noSoundHazard"
            ]
        );
    }

    #[test]
    fn the_summary_is_in_the_books_language_or_marked_english() {
        let content = Content {
            pictures: 2,
            pictures_without_alt: 1,
            ..Content::default()
        };
        for (lang, marked, start, end) in [
            ("zh", None, "可重排的文本", "没有替代文本的图片：1 / 2。"),
            ("zh-CN", None, "可重排的文本", "1 / 2。"),
            (
                "zh-Hant",
                None,
                "可重排的文字",
                "沒有替代文字的圖片：1 / 2。",
            ),
            ("zh-TW", None, "可重排的文字", "1 / 2。"),
            ("ja", None, "リフロー型", "2 枚中 1 枚。"),
            ("de-DE", None, "Umbrechbarer Text", "1 von 2."),
            ("fr", None, "Texte recomposable", "1 sur 2."),
            ("es", None, "Texto adaptable", "1 de 2."),
            ("en-GB", None, "Reflowable text", "1 of 2."),
            ("ko", Some("en"), "Reflowable text", "1 of 2."),
        ] {
            let (l, text) = summary(&content, lang);
            assert_eq!(l, marked, "{lang}");
            assert!(
                text.starts_with(start) && text.ends_with(end),
                "{lang}: {text}"
            );
        }
    }

    /// A GIF of `frames` 4×4 frames, as the `image` crate writes them.
    fn gif(frames: usize) -> Vec<u8> {
        use image::codecs::gif::GifEncoder;
        let mut out = Vec::new();
        {
            let mut encoder = GifEncoder::new(&mut out);
            for i in 0..frames {
                let shade = u8::try_from(i * 60).unwrap();
                let frame = image::RgbaImage::from_pixel(4, 4, image::Rgba([shade, 0, 0, 255]));
                encoder.encode_frame(image::Frame::new(frame)).unwrap();
            }
        }
        out
    }

    #[test]
    fn gifs_of_several_frames_and_animated_svgs_can_move() {
        assert_eq!(gif_frames(&gif(1)), Some(1));
        assert_eq!(gif_frames(&gif(3)), Some(3));
        assert!(!can_move("image/gif", &gif(1)));
        assert!(can_move("image/gif", &gif(2)));
        // Cut short or not a GIF: it may move, nobody can tell.
        let cut = gif(2);
        assert_eq!(gif_frames(&cut[..cut.len() / 2]), None);
        assert!(can_move("image/gif", b"GIF89a"));
        assert!(!can_move("image/png", b""));
        let still = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>";
        assert!(!can_move("image/svg+xml", still));
        let moving = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><rect><animate attributeName=\"x\"/></rect></svg>";
        assert!(can_move("image/svg+xml", moving));
    }
}
