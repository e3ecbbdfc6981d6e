//! The gate every XML document passes before it goes into a book: chapters, the cover and
//! title pages, the navigation documents, the OPF, the NCX and SVG pictures are parsed as XML
//! (roxmltree, already used for SVG) on their way into the zip.
//!
//! The writers build their documents so that they are well-formed, and a strict reader (Apple
//! Books, Send to Kindle, any XML parser) refuses a book with one document that is not. So a
//! document that fails is a bug of postbook's: debug builds and tests stop there with the
//! document's name and the parser's error ([`Strictness::Panic`]); release builds repair what
//! they can (a chapter is rendered again in a safe mode, then as plain text, with an
//! `invalid-xhtml` warning: see `epub.rs`) and never write the invalid document.
//!
//! Besides well-formedness, the gate checks what a parser sees at no extra cost and EPUBCheck
//! also rejects: every `id` unique in its document (RSC-005) and every `href="#x"` pointing at
//! one of them (RSC-012).

use std::collections::HashSet;

/// What to do with a document that fails the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// Stop with the document and the error: a bug to fix (debug builds, tests).
    Panic,
    /// Go on, to repair the document or refuse the book (release builds).
    Repair,
}

impl Strictness {
    /// [`Strictness::Panic`] in debug builds and tests, [`Strictness::Repair`] in release.
    pub fn of_build() -> Strictness {
        if cfg!(any(debug_assertions, test)) {
            Strictness::Panic
        } else {
            Strictness::Repair
        }
    }
}

/// What the gate learnt about a well-formed document.
#[derive(Debug, Default)]
pub struct Checked {
    /// The ids of its elements.
    pub ids: HashSet<String>,
    /// Links to fragments of other documents of the book (`post-0002.xhtml#setup`), checked
    /// once every document is known ([`missing_fragments`]).
    pub external_fragments: Vec<String>,
}

/// Parses `text` as XML. `Err` says why it cannot go into a book: the parser's error, a
/// duplicate id, or a link to a fragment the document does not have.
pub fn check(text: &str) -> Result<Checked, String> {
    let opts = roxmltree::ParsingOptions {
        // XHTML pages start with `<!DOCTYPE html>`.
        allow_dtd: true,
        nodes_limit: u32::MAX,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, opts).map_err(|e| e.to_string())?;
    let mut checked = Checked::default();
    let mut internal = Vec::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        for attr in node.attributes() {
            match (attr.namespace(), attr.name()) {
                (None | Some("http://www.w3.org/XML/1998/namespace"), "id")
                    if !checked.ids.insert(attr.value().to_string()) =>
                {
                    return Err(format!("duplicate id {:?}", attr.value()));
                }
                (None, "href") => {
                    let href = attr.value();
                    if let Some(fragment) = href.strip_prefix('#') {
                        internal.push(fragment);
                    } else if href.contains('#') && !href.contains(':') {
                        checked.external_fragments.push(href.to_string());
                    }
                }
                _ => {}
            }
        }
    }
    if let Some(missing) = internal.iter().find(|f| !checked.ids.contains(**f)) {
        return Err(format!(
            "a link to #{missing}, which is not in the document"
        ));
    }
    Ok(checked)
}

/// A document of postbook's own failed the gate: with [`Strictness::Panic`], stops with its
/// name, the error and the document; else returns, for the caller to repair it.
pub fn failed(strictness: Strictness, name: &str, error: &str, text: &str) {
    if strictness == Strictness::Panic {
        panic!("postbook wrote an invalid document {name} ({error}); this is a bug:\n{text}");
    }
}

/// The links of `checked` documents (by file name) to fragments no document of the book has.
pub fn missing_fragments(
    documents: &std::collections::HashMap<String, Checked>,
) -> Vec<(&str, &str)> {
    let mut missing = Vec::new();
    for (name, checked) in documents {
        for href in &checked.external_fragments {
            let (file, fragment) = href.split_once('#').unwrap_or((href, ""));
            let found = documents
                .get(file)
                .is_some_and(|target| target.ids.contains(fragment));
            if !found {
                missing.push((name.as_str(), href.as_str()));
            }
        }
    }
    missing.sort();
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_documents_pass_with_their_ids_and_links() {
        let page = "<?xml version=\"1.0\"?>\n<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">\
            <body><h2 id=\"a\">A</h2><a href=\"#a\">up</a><a href=\"post-0002.xhtml#b\">b</a>\
            <a href=\"https://x.test/#c\">c</a></body></html>";
        let checked = check(page).unwrap();
        assert_eq!(checked.ids, HashSet::from(["a".to_string()]));
        assert_eq!(checked.external_fragments, ["post-0002.xhtml#b"]);
    }

    #[test]
    fn what_a_strict_reader_refuses_fails() {
        for (doc, why) in [
            ("<p>a < b</p>", "invalid"),
            ("<p>&nbsp;</p>", "unknown entity"),
            ("<p>\u{2}</p>", "character"),
            ("<mo stretchy=\"true\"minsize=\"1\">(</mo>", ""),
            ("<p><b>x</p></b>", ""),
            ("<p id=\"a\"><b id=\"a\">x</b></p>", "duplicate id \"a\""),
            ("<p><a href=\"#nowhere\">x</a></p>", "#nowhere"),
            ("<epub:x>y</epub:x>", "prefix"),
        ] {
            let err = check(doc).expect_err(doc);
            assert!(err.contains(why), "{doc}: {err}");
        }
    }

    #[test]
    fn links_across_documents_are_checked_once_all_are_known() {
        let mut docs = std::collections::HashMap::new();
        docs.insert(
            "post-0001.xhtml".to_string(),
            check("<p><a href=\"post-0002.xhtml#b\">b</a><a href=\"post-0002.xhtml#c\">c</a><a href=\"post-0003.xhtml#post\">d</a></p>")
                .unwrap(),
        );
        docs.insert(
            "post-0002.xhtml".to_string(),
            check("<p id=\"b\">b</p>").unwrap(),
        );
        assert_eq!(
            missing_fragments(&docs),
            [
                ("post-0001.xhtml", "post-0002.xhtml#c"),
                ("post-0001.xhtml", "post-0003.xhtml#post")
            ]
        );
    }

    #[test]
    #[should_panic(expected = "invalid document post-0001.xhtml (unknown entity")]
    fn a_failed_document_stops_debug_builds_and_tests() {
        assert_eq!(Strictness::of_build(), Strictness::Panic);
        let text = "<p>&nbsp;</p>";
        let err = check(text).unwrap_err();
        failed(Strictness::of_build(), "post-0001.xhtml", &err, text);
    }
}
