//! SVG pictures made safe and valid for EPUB.
//!
//! Drawing tools write SVG that EPUB readers and EPUBCheck refuse: Excalidraw and Illustrator
//! declare entities in a DOCTYPE (EPUBCheck HTM-003/OPF-073), Illustrator gives ids starting with
//! a digit and attributes in its own namespace, and any SVG may carry scripts and event
//! handlers. So every SVG is parsed (entities expanded) and written again from what is kept:
//! SVG elements and attributes only, no DOCTYPE, scripts, `foreignObject`, event handlers,
//! `javascript:` links, external pictures or web fonts, and ids made valid XML names with every
//! reference to them (`url(#id)`, `href="#id"`) renamed alike. An SVG that does not parse is
//! refused, so nothing scriptable gets in unchecked.
//!
//! What is kept is also what EPUB 3's SVG profile allows ([`profile`], generated from the
//! schemas EPUBCheck validates with): an element the profile does not know (SVG 2's `mesh`,
//! `hatch`) is dropped with its content, and each attribute is kept only on the elements that
//! take it, with one of its keywords when it has a fixed list: `fill` on a `<linearGradient>`
//! or `<stop>`, `font-family` on a `<rect>`, `fill="#fff"` on an `<animate>` (whose `fill` is
//! `freeze | remove`) are all errors there (RSC-005). None of them changes the drawing: SVG
//! 1.1 gives each element the presentation attributes that apply to it. Ids are made unique
//! (`xsd:ID`): a later duplicate loses its id, as a browser resolves references to the first.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;

// Generated (tools/svg_profile.py), kept as the generator writes it.
#[rustfmt::skip]
#[path = "svg_profile.rs"]
mod profile;

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Why an SVG picture cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SvgError {
    NotUtf8,
    Parse(String),
    /// The root element is not `svg`.
    NotSvg,
    /// The root `svg` element is not in the SVG namespace.
    NoNamespace,
}

impl fmt::Display for SvgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SvgError::NotUtf8 => f.write_str("the SVG is not UTF-8 text"),
            SvgError::Parse(detail) => {
                write!(f, "the SVG cannot be parsed ({detail}); kept as a link")
            }
            SvgError::NotSvg => f.write_str("not an SVG picture"),
            SvgError::NoNamespace => write!(
                f,
                "the SVG does not declare the SVG namespace (xmlns=\"{SVG_NS}\"); kept as a link"
            ),
        }
    }
}

impl std::error::Error for SvgError {}

/// Elements dropped with everything inside them.
const DROPPED: [&str; 5] = ["script", "foreignObject", "metadata", "handler", "listener"];

/// The SVG re-written safe, or why it cannot be used.
pub fn sanitize(bytes: &[u8]) -> Result<Vec<u8>, SvgError> {
    let text = std::str::from_utf8(bytes).map_err(|_| SvgError::NotUtf8)?;
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        nodes_limit: 1_000_000,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, opts)
        .map_err(|e| SvgError::Parse(e.to_string()))?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" {
        return Err(SvgError::NotSvg);
    }
    if root.tag_name().namespace() != Some(SVG_NS) {
        // Browsers do not draw such a file either: its elements are not SVG elements.
        return Err(SvgError::NoNamespace);
    }
    let mut ids = HashMap::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        if let Some(id) = node.attribute("id") {
            let valid = valid_id(id);
            if valid != id {
                ids.insert(id.to_string(), valid);
            }
        }
    }
    // Written twice: the first time tells which ids the picture keeps, so that the second
    // can leave out references to the others (forward references included).
    let mut first = Writer {
        ids: &ids,
        written_ids: HashSet::new(),
        kept_ids: None,
    };
    let mut out = String::with_capacity(text.len());
    first.element(root, true, &mut out);
    let mut writer = Writer {
        ids: &ids,
        written_ids: HashSet::new(),
        kept_ids: Some(&first.written_ids),
    };
    out.clear();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    writer.element(root, true, &mut out);
    out.push('\n');
    Ok(out.into_bytes())
}

/// Writes the kept elements, remembering the ids written so far.
struct Writer<'a> {
    /// Invalid ids and their valid names.
    ids: &'a HashMap<String, String>,
    written_ids: HashSet<String>,
    /// The ids the finished picture has, once known: a reference to another one is left out.
    kept_ids: Option<&'a HashSet<String>>,
}

impl Writer<'_> {
    fn element(&mut self, node: roxmltree::Node, top: bool, out: &mut String) {
        let ids = self.ids;
        let tag = node.tag_name();
        let name = tag.name();
        if tag.namespace() != Some(SVG_NS) || DROPPED.contains(&name) {
            return;
        }
        if name == "image" || name == "feImage" {
            // Only embedded pictures: an external one would be a resource missing from the book.
            let href = node
                .attribute((XLINK_NS, "href"))
                .or_else(|| node.attribute("href"))
                .unwrap_or("");
            if !is_embedded_picture(href) {
                return;
            }
        }
        // Links become groups: a link inside a picture is rarely followable on a reader, and
        // EPUBCheck wants each one titled (ACC-011).
        let name = if name == "a" { "g" } else { name };
        let Some(allowed) = profile_of(name) else {
            return;
        };
        let mut kept = Vec::new();
        for attr in node.attributes() {
            let qualified = match attr.namespace() {
                None => attr.name().to_string(),
                Some(XLINK_NS) => format!("xlink:{}", attr.name()),
                Some(XML_NS) => format!("xml:{}", attr.name()),
                Some(_) => continue,
            };
            let lower = attr.name().to_ascii_lowercase();
            let value = attr.value();
            if !allowed.takes(&qualified, value) {
                continue;
            }
            // Only references inside the picture, and a picture element's embedded picture.
            let picture = matches!(name, "image" | "feImage") && is_embedded_picture(value);
            if lower.starts_with("on")
                || is_script_url(value)
                || (lower == "href" && !value.trim_start().starts_with('#') && !picture)
            {
                continue;
            }
            kept.push((qualified, Cow::Borrowed(value)));
        }
        if !with_required(name, node, &mut kept) {
            return;
        }
        out.push('<');
        out.push_str(name);
        if top {
            out.push_str(
            " xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\"",
        );
        }
        for (qualified, value) in kept {
            let value = if qualified == "id" || qualified == "xml:id" {
                let id = ids
                    .get(&*value)
                    .cloned()
                    .unwrap_or_else(|| value.to_string());
                if !self.written_ids.insert(id.clone()) {
                    continue;
                }
                id
            } else {
                let value = rename_references(&value, ids);
                match self.kept_ids {
                    Some(kept) => match without_dangling_references(&qualified, value, kept) {
                        Some(value) => value,
                        None => continue,
                    },
                    None => value,
                }
            };
            out.push(' ');
            out.push_str(&qualified);
            out.push_str("=\"");
            crate::xml::escape_into(&value, out);
            out.push('"');
        }
        let children: Vec<_> = node
            .children()
            .filter(|c| c.is_element() || c.is_text())
            .collect();
        if children.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        for child in children {
            if child.is_element() {
                self.element(child, false, out);
            } else if let Some(t) = child.text() {
                let t = if name == "style" {
                    rename_references(&without_font_faces(t), ids)
                } else {
                    t.to_string()
                };
                crate::xml::escape_into(&t, out);
            }
        }
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }
}

/// What the EPUB 3 SVG profile allows on one element.
struct Allowed {
    name: &'static str,
    groups: &'static [&'static [&'static str]],
    own: &'static [&'static str],
}

/// The profile's entry for an element, `None` for an element it does not have.
fn profile_of(name: &str) -> Option<Allowed> {
    let at = profile::ELEMENTS
        .binary_search_by(|(n, _, _)| n.cmp(&name))
        .ok()?;
    let (name, groups, own) = profile::ELEMENTS[at];
    Some(Allowed { name, groups, own })
}

impl Allowed {
    /// Whether the element takes attribute `qualified` (`fill`, `xlink:href`) with `value`.
    fn takes(&self, qualified: &str, value: &str) -> bool {
        let known =
            self.own.contains(&qualified) || self.groups.iter().any(|g| g.contains(&qualified));
        if !known {
            return false;
        }
        let special = profile::ELEMENT_KEYWORDS
            .iter()
            .find(|(e, a, _)| *e == self.name && *a == qualified);
        let keywords = match special {
            Some((_, _, keywords)) => *keywords,
            None => profile::KEYWORDS
                .binary_search_by(|(a, _)| a.cmp(&qualified))
                .ok()
                .map(|at| profile::KEYWORDS[at].1),
        };
        keywords.is_none_or(|k| k.contains(&value.trim()))
    }
}

/// An attribute's value without references to ids the picture does not have, which EPUBCheck
/// refuses (RSC-012): `None` leaves the attribute out. A browser draws such a reference as if
/// it were not there, and a paint (`fill="url(#gone) red"`) as its fallback, or none.
fn without_dangling_references(
    qualified: &str,
    value: String,
    kept: &HashSet<String>,
) -> Option<String> {
    let trimmed = value.trim();
    if qualified == "href" || qualified == "xlink:href" {
        return match trimmed.strip_prefix('#') {
            Some(id) if !kept.contains(id) => None,
            _ => Some(value),
        };
    }
    let mut rest = trimmed;
    while let Some(at) = rest.find("url(") {
        let after = &rest[at + 4..];
        let close = after.find(')')?;
        let target = after[..close]
            .trim()
            .trim_matches(|c| c == '"' || c == '\'');
        if let Some(id) = target.strip_prefix('#') {
            if !kept.contains(id) {
                if !matches!(qualified, "fill" | "stroke") {
                    return None;
                }
                let fallback = after[close + 1..].trim();
                return Some(
                    if fallback.is_empty() {
                        "none"
                    } else {
                        fallback
                    }
                    .to_string(),
                );
            }
        }
        rest = &after[close + 1..];
    }
    Some(value)
}

/// Gives `kept` (an element's attributes as they will be written) what the profile requires
/// of the element, or says to drop it (`false`). EPUBCheck refuses a `<path>` without `d`
/// (mind-map tools write them as placeholders) or a `<rect>` without `width`. Where SVG 2
/// gives the missing attribute a value that draws, it is written: a gradient `<stop>`'s offset
/// 0, a transfer function's `identity`, an `<ellipse>`'s missing radius the other one, an
/// `<image>`'s size its picture's own. The rest (a shape without its geometry, a filter
/// primitive without its second input) draws nothing or cannot be drawn, and is dropped with
/// what it holds.
fn with_required<'a>(
    name: &str,
    node: roxmltree::Node<'a, 'a>,
    kept: &mut Vec<(String, Cow<'a, str>)>,
) -> bool {
    let Ok(at) = profile::REQUIRED.binary_search_by(|(n, _)| n.cmp(&name)) else {
        return true;
    };
    let value = |kept: &[(String, Cow<'a, str>)], attr: &str| {
        kept.iter().find(|(q, _)| q == attr).map(|(_, v)| v.clone())
    };
    let image_size = || {
        let href = node
            .attribute((XLINK_NS, "href"))
            .or_else(|| node.attribute("href"))?;
        let data = data_url::DataUrl::process(href.trim()).ok()?;
        let (bytes, _) = data.decode_to_vec().ok()?;
        image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .ok()?
            .into_dimensions()
            .ok()
    };
    for attr in profile::REQUIRED[at].1 {
        if value(kept, attr).is_some() {
            continue;
        }
        let fill = match (name, *attr) {
            ("stop", "offset") => Cow::Borrowed("0"),
            ("feFuncA" | "feFuncB" | "feFuncG" | "feFuncR", "type") => Cow::Borrowed("identity"),
            ("ellipse", "rx") => match value(kept, "ry") {
                Some(ry) => ry,
                None => return false,
            },
            ("ellipse", "ry") => match value(kept, "rx") {
                Some(rx) => rx,
                None => return false,
            },
            ("image", "width" | "height") => {
                let Some((width, height)) = image_size() else {
                    return false;
                };
                Cow::Owned(if *attr == "width" { width } else { height }.to_string())
            }
            _ => return false,
        };
        kept.push((attr.to_string(), fill));
    }
    true
}

/// Whether `value` holds a `javascript:` URL anywhere, as a browser would read it: URL parsers
/// drop tabs and newlines (`java&#9;script:` runs), and `to=`/`values=` of animations may hold
/// one after other text.
fn is_script_url(value: &str) -> bool {
    let squashed: String = value
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .flat_map(char::to_lowercase)
        .collect();
    squashed.contains("javascript:") || squashed.contains("vbscript:")
}

/// Whether an `<image>` reference is a bitmap embedded as a `data:` URI. An embedded SVG is
/// not: it could hold scripts of its own.
fn is_embedded_picture(href: &str) -> bool {
    let href = href.trim_start().to_ascii_lowercase();
    href.starts_with("data:image/") && !href.starts_with("data:image/svg")
}

/// A valid XML name for an id (`1_Layer` → `id-1_Layer`).
fn valid_id(id: &str) -> String {
    crate::xml::ncname(id, "id-", "id")
}

/// Renames `#id` references (`url(#3_g)`, `#3_g`) to the ids' valid names.
fn rename_references(value: &str, ids: &HashMap<String, String>) -> String {
    if ids.is_empty() || !value.contains('#') {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('#') {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')))
            .unwrap_or(rest.len());
        let id = &rest[..end];
        out.push_str(ids.get(id).map_or(id, String::as_str));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// CSS without its `@font-face` rules: web fonts would be remote resources the book lacks.
fn without_font_faces(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(at) = rest.find("@font-face") {
        out.push_str(&rest[..at]);
        match rest[at..].find('}') {
            Some(end) => rest = &rest[at + end + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doctype_entities_scripts_and_bad_ids_are_gone() {
        let svg = br##"<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [
  <!ENTITY ns_svg "http://www.w3.org/2000/svg">
]>
<svg xmlns="&ns_svg;" xmlns:i="http://ns.adobe.com/AdobeIllustrator/10.0/" viewBox="0 0 10 10" onload="alert(1)">
<script>alert(2)</script><style>@font-face { src: url("https://f.test/a.woff2"); } .a{fill:url(#1_g)}</style>
<g id="1_Layer" i:extraneous="self"><circle id="2_c" r="4" onclick="x()" fill="url(#1_g)"/>
<use href="#2_c"/><image href="https://x.test/a.png"/><a href="javascript:alert(3)"><text>t &amp; u</text></a></g>
<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>
<linearGradient id="1_g"/></svg>"##;
        let out = String::from_utf8(sanitize(svg).unwrap()).unwrap();
        for bad in [
            "DOCTYPE",
            "ENTITY",
            "script",
            "alert",
            "onload",
            "onclick",
            "i:extraneous",
            "foreignObject",
            "font-face",
            "x.test",
            "\"1_",
            "#1_",
            "#2_",
        ] {
            assert!(!out.contains(bad), "{bad} in {out}");
        }
        assert!(out.contains("<g id=\"id-1_Layer\">"), "{out}");
        assert!(out.contains("fill=\"url(#id-1_g)\""), "{out}");
        assert!(out.contains("<use href=\"#id-2_c\"/>"), "{out}");
        assert!(out.contains(".a{fill:url(#id-1_g)}"), "{out}");
        assert!(out.contains("<text>t &amp; u</text>"), "{out}");
        assert!(roxmltree::Document::parse(&out).is_ok());
        assert!(sanitize(b"<svg><unclosed></svg>").is_err());
    }

    #[test]
    fn scripts_hidden_from_a_naive_check_are_gone_too() {
        let inner =
            "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0iYWxlcnQoMSkiLz4=";
        let svg = format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">
<a href="java&#9;script:alert(1)"><text>x</text></a>
<set attributeName="fill" to=" JavaScript:alert(2)"/>
<image href="data:image/svg+xml;base64,{inner}"/>
<use xlink:href="data:image/png;base64,AAAA"/>
<image width="1" height="1" xlink:href="data:image/png;base64,iVBORw0KGgo="/></svg>"##
        );
        let out = String::from_utf8(sanitize(svg.as_bytes()).unwrap()).unwrap();
        for bad in ["script", "alert", inner, "<use xlink:href"] {
            assert!(
                !out.to_lowercase().contains(&bad.to_lowercase()),
                "{bad} in {out}"
            );
        }
        assert!(out.contains("data:image/png;base64,iVBORw0KGgo="), "{out}");
    }

    /// Attributes only on the elements that take them in EPUB 3's SVG profile, keywords only
    /// from their lists, elements it has, ids once: what EPUBCheck checks (the book built from
    /// the same picture is checked by EPUBCheck in `tests/images.rs`).
    #[test]
    fn what_the_epub_svg_profile_refuses_is_dropped() {
        let svg = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/svg/profile.svg"),
        )
        .unwrap();
        let out = String::from_utf8(sanitize(&svg).unwrap()).unwrap();
        let doc = roxmltree::Document::parse(&out).unwrap();
        let attrs = |name: &str| -> Vec<Vec<String>> {
            doc.descendants()
                .filter(|n| n.tag_name().name() == name)
                .map(|n| n.attributes().map(|a| a.name().to_string()).collect())
                .collect()
        };
        assert_eq!(
            attrs("linearGradient"),
            [["id", "x1", "y1", "x2", "y2"]],
            "{out}"
        );
        assert_eq!(
            attrs("stop")[..2],
            [["offset", "stop-color"], ["offset", "stop-color"]]
        );
        assert_eq!(attrs("radialGradient"), [["id"]]);
        assert_eq!(attrs("rect"), [["width", "height", "fill"]]);
        assert_eq!(
            attrs("circle")[0],
            ["id", "cx", "cy", "r", "fill"],
            "bad keyword dropped"
        );
        assert_eq!(
            attrs("circle")[1],
            ["cx", "cy", "r", "fill"],
            "second id dropped"
        );
        assert_eq!(attrs("path"), [["d", "fill"]]);
        assert_eq!(attrs("animate"), [["attributeName", "from", "to", "dur"]]);
        assert_eq!(attrs("title"), [Vec::<String>::new()]);
        assert!(attrs("mesh").is_empty() && !out.contains(">mesh<"), "{out}");
        // The link is a group, and keeps what a group takes.
        assert!(out.contains("<g><text x=\"5\" y=\"12\" fill=\"#333\" font-size=\"8\">Harbour at dawn</text></g>"), "{out}");
    }

    /// What EPUBCheck refuses for a missing attribute (RSC-005) or a reference to an id the
    /// picture does not have (RSC-012) is given SVG 2's value or left out as a browser would
    /// draw it (the same picture is checked by EPUBCheck in `tests/images.rs`).
    #[test]
    fn required_attributes_and_references_are_what_epubcheck_wants() {
        let svg = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/svg/required.svg"),
        )
        .unwrap();
        let out = String::from_utf8(sanitize(&svg).unwrap()).unwrap();
        let doc = roxmltree::Document::parse(&out).unwrap();
        let attrs = |name: &str| -> Vec<Vec<(String, String)>> {
            doc.descendants()
                .filter(|n| n.tag_name().name() == name)
                .map(|n| {
                    n.attributes()
                        .map(|a| (a.name().to_string(), a.value().to_string()))
                        .collect()
                })
                .collect()
        };
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(a, v)| (a.to_string(), v.to_string()))
                .collect()
        };
        // A path without `d` and a rect without `width` draw nothing: dropped, and the
        // reference to the path's id with them.
        assert!(attrs("path").is_empty(), "{out}");
        assert_eq!(attrs("use"), [pairs(&[("x", "5")])]);
        assert_eq!(attrs("rect").len(), 1, "{out}");
        assert_eq!(
            attrs("stop")[0],
            pairs(&[("stop-color", "#ff7f50"), ("offset", "0")])
        );
        assert_eq!(
            attrs("ellipse"),
            [pairs(&[
                ("cx", "60"),
                ("cy", "30"),
                ("rx", "12"),
                ("fill", "none"),
                ("stroke", "#123456"),
                ("ry", "12"),
            ])]
        );
        // A reference to an id defined further down is kept.
        assert_eq!(attrs("circle")[0][3], ("fill".into(), "url(#dusk)".into()));
        let image = &attrs("image")[0];
        assert!(image.contains(&("width".into(), "7".into())), "{image:?}");
        assert!(image.contains(&("height".into(), "3".into())), "{image:?}");
        assert!(out.contains("Mind map: tides"));
    }

    #[test]
    fn an_svg_root_outside_the_svg_namespace_is_refused() {
        // Parsed alone, its elements are not SVG: writing nothing would embed an empty file.
        let err = sanitize(b"<svg viewBox=\"0 0 1 1\"><rect width=\"1\" height=\"1\"/></svg>")
            .unwrap_err();
        assert_eq!(err, SvgError::NoNamespace);
        assert_eq!(
            err.to_string(),
            "the SVG does not declare the SVG namespace \
             (xmlns=\"http://www.w3.org/2000/svg\"); kept as a link"
        );
    }
}
