//! EPUB packaging: the navigation documents (EPUB 3 `nav.xhtml`, the printed contents page
//! and the EPUB 2 NCX), rendered from `templates/package/`.
//!
//! These templates are part of the book's structure, not of its look, so unlike
//! [`crate::templates`] they are compiled in and cannot be replaced with `--templates`: a
//! user's copy could make every book invalid.

use super::xhtml;
use anyhow::{Context as _, Result};
use minijinja::{context, AutoEscape, Environment, Value};
use std::sync::OnceLock;

/// An entry of the table of contents.
#[derive(Debug, Clone)]
pub struct NavPoint {
    pub label: String,
    pub href: String,
    pub children: Vec<NavPoint>,
    /// Position in reading order from 1 (the NCX `playOrder`), set by [`Navigation::new`].
    order: usize,
}

impl NavPoint {
    pub fn new(label: impl Into<String>, href: impl Into<String>) -> NavPoint {
        NavPoint {
            label: label.into(),
            href: href.into(),
            children: Vec::new(),
            order: 0,
        }
    }
}

/// A landmark: a part of the book a reading system can jump to (`cover`, `titlepage`, `toc`,
/// `bodymatter`), in the EPUB 3 `landmarks` list.
#[derive(Debug, Clone)]
pub struct Landmark {
    /// The `epub:type`.
    pub kind: &'static str,
    pub href: String,
    pub title: String,
}

/// What the navigation documents show.
pub struct Navigation<'a> {
    /// `urn:uuid:…`, the OPF's unique identifier (the NCX repeats it as `dtb:uid`).
    pub identifier: &'a str,
    pub title: &'a str,
    pub lang: &'a str,
    pub generator: &'a str,
    /// The heading of the contents (`Contents`, `目录`).
    pub toc_name: &'a str,
    /// The posts, grouped by month in books of several months. Front matter (cover, title
    /// page, the contents page itself) is not listed: a reader opening the contents wants the
    /// posts; the landmarks lead to the rest.
    pub toc: Vec<NavPoint>,
    pub landmarks: Vec<Landmark>,
}

impl Navigation<'_> {
    /// `nav.xhtml`: the EPUB 3 navigation document (contents and hidden landmarks).
    pub fn nav(&self) -> Result<String> {
        self.render_xhtml(false)
    }

    /// `toc.xhtml`: the contents page printed in the book (in the spine), the posts only.
    pub fn printed(&self) -> Result<String> {
        self.render_xhtml(true)
    }

    /// `toc.ncx`: the EPUB 2 table of contents, titled with the book's title.
    pub fn ncx(&self) -> Result<String> {
        let toc = numbered(&self.toc);
        let depth = if toc.iter().any(|p| !p.children.is_empty()) {
            2
        } else {
            1
        };
        render(
            "toc.ncx",
            context! {
                identifier => self.identifier,
                title => self.title,
                lang => self.lang,
                depth => depth,
                toc => values(&toc),
            },
        )
    }

    fn render_xhtml(&self, printed: bool) -> Result<String> {
        render(
            "nav.xhtml",
            context! {
                lang => self.lang,
                generator => self.generator,
                toc_name => self.toc_name,
                toc => values(&self.toc),
                landmarks => Value::from_iter(self.landmarks.iter().map(|l| context! {
                    kind => l.kind,
                    href => l.href.as_str(),
                    title => l.title.as_str(),
                })),
                printed => printed,
                // Navigation documents must use ordered lists; the printed page is a plain list.
                list => if printed { "ul" } else { "ol" },
            },
        )
    }
}

/// The entries with their `order` set, depth first (the NCX's `playOrder`).
fn numbered(points: &[NavPoint]) -> Vec<NavPoint> {
    fn walk(points: &mut [NavPoint], next: &mut usize) {
        for p in points {
            p.order = *next;
            *next += 1;
            walk(&mut p.children, next);
        }
    }
    let mut points = points.to_vec();
    walk(&mut points, &mut 1);
    points
}

/// Template values of the entries of a table of contents.
fn values(points: &[NavPoint]) -> Value {
    Value::from_iter(points.iter().map(|p| {
        context! {
            label => p.label.as_str(),
            href => p.href.as_str(),
            order => p.order,
            children => values(&p.children),
        }
    }))
}

/// Renders one of `templates/package/`.
fn render(name: &str, ctx: Value) -> Result<String> {
    env()
        .get_template(name)?
        .render(ctx)
        .with_context(|| format!("cannot render {name}"))
}

/// The package templates, compiled once. Values are escaped for XML (`&amp; &lt; &gt; &quot;`,
/// and characters XML forbids dropped) rather than minijinja's HTML escaping, which also
/// turns every `/` of a path into `&#x2f;`.
fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_formatter(|out, state, value| match value.as_str() {
            Some(s) if !value.is_safe() => Ok(out.write_str(&xhtml::escape(s))?),
            _ => minijinja::escape_formatter(out, state, value),
        });
        for (name, source) in [
            (
                "nav.xhtml",
                include_str!("../../templates/package/nav.xhtml"),
            ),
            ("toc.ncx", include_str!("../../templates/package/toc.ncx")),
        ] {
            env.add_template(name, source)
                .expect("the package templates compile");
        }
        env
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn navigation() -> Navigation<'static> {
        let mut may = NavPoint::new("May 2023", "post-0001.xhtml");
        may.children = vec![
            NavPoint::new("A & B", "post-0001.xhtml#post"),
            NavPoint::new("C", "post-0002.xhtml"),
        ];
        Navigation {
            identifier: "urn:uuid:0",
            title: "Book <1>",
            lang: "en",
            generator: "postbook",
            toc_name: "Contents",
            toc: vec![may, NavPoint::new("June 2023", "post-0003.xhtml")],
            landmarks: vec![Landmark {
                kind: "toc",
                href: "toc.xhtml".into(),
                title: "Contents".into(),
            }],
        }
    }

    #[test]
    fn the_ncx_numbers_entries_in_reading_order_and_is_titled_after_the_book() {
        let ncx = navigation().ncx().unwrap();
        roxmltree::Document::parse(&ncx).unwrap();
        assert!(ncx.contains("<text>Book &lt;1&gt;</text>"), "{ncx}");
        assert!(ncx.contains("<meta name=\"dtb:depth\" content=\"2\" />"));
        let orders: Vec<&str> = ncx
            .match_indices("playOrder=\"")
            .map(|(i, _)| &ncx[i + 11..i + 12])
            .collect();
        assert_eq!(orders, ["1", "2", "3", "4"]);
    }

    #[test]
    fn nav_and_printed_page_are_well_formed_and_escape_text() {
        let nav = navigation();
        for (text, landmarks) in [(nav.nav().unwrap(), true), (nav.printed().unwrap(), false)] {
            let opts = roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            };
            roxmltree::Document::parse_with_options(&text, opts).unwrap();
            assert!(text.contains(">A &amp; B</a>"), "{text}");
            assert!(text.contains("href=\"post-0001.xhtml#post\""), "{text}");
            assert_eq!(
                text.contains("epub:type=\"landmarks\""),
                landmarks,
                "{text}"
            );
        }
    }
}
