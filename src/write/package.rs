//! EPUB packaging: the zip container and the package documents (the OPF, the EPUB 3 `nav.xhtml`,
//! the printed contents page and the EPUB 2 NCX), rendered from `templates/package/` straight
//! into the [`ocf`] container.
//!
//! These templates are part of the book's structure, not of its look, so unlike
//! [`crate::templates`] they are compiled in and cannot be replaced with `--templates`: a
//! user's copy could make every book invalid.
//!
//! Every entry is stamped with the book's modification time, so the same posts and options
//! give a byte-identical EPUB; `mimetype` comes first and is stored, as OCF requires. Every XML
//! entry passes the [`gate`] on its way in: a book never holds a document that is not
//! well-formed, nor a link to a fragment that no document of the book has.

use super::gate::{self, Checked, Strictness};
use super::ocf::{Container, Method};
use anyhow::{Context as _, Result};
use chrono::{DateTime, Utc};
use minijinja::{context, AutoEscape, Environment, Value};
use std::collections::HashMap;
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

impl Landmark {
    /// The EPUB 2 guide's name for the same part of the book.
    fn guide_type(&self) -> &'static str {
        match self.kind {
            "titlepage" => "title-page",
            "bodymatter" => "text",
            kind => kind,
        }
    }
}

/// What the navigation documents show.
pub struct Navigation {
    /// The heading of the contents (`Contents`, `目录`).
    pub toc_name: &'static str,
    /// The posts, grouped by month in books of several months. Front matter (cover, title
    /// page, the contents page itself) is not listed: a reader opening the contents wants the
    /// posts; the landmarks (and the OPF guide) lead to the rest.
    pub toc: Vec<NavPoint>,
    pub landmarks: Vec<Landmark>,
}

/// The book's metadata, for the OPF and the navigation documents.
pub struct Metadata {
    /// `urn:uuid:…`, the OPF's unique identifier (the NCX repeats it as `dtb:uid`).
    pub identifier: String,
    pub title: String,
    /// BCP 47 language tag.
    pub lang: String,
    /// `dc:creator`s (role `aut`).
    pub creators: Vec<String>,
    /// `dc:contributor`s (role `ctb`).
    pub contributors: Vec<String>,
    /// `dc:date`: the newest post's.
    pub published: Option<DateTime<Utc>>,
    /// `dcterms:modified`, also every zip entry's time.
    pub modified: DateTime<Utc>,
    pub description: String,
    /// `dc:subject`s: the posts' categories and tags.
    pub subjects: Vec<String>,
    /// `dc:source`s: the sites the posts come from.
    pub sources: Vec<String>,
    /// The series (EPUB 3 collection and calibre's fields) and the book's position in it.
    pub series: Option<(String, usize)>,
    /// The accessibility properties ([`super::accessibility::metadata`]), known once every
    /// page is written.
    pub accessibility: Vec<super::accessibility::Property>,
}

/// The OPF's and navigation documents' `generator`.
const GENERATOR: &str = concat!("postbook ", env!("CARGO_PKG_VERSION"));

impl Metadata {
    /// `nav.xhtml`: the EPUB 3 navigation document (contents and hidden landmarks).
    fn nav(&self, navigation: &Navigation) -> Result<String> {
        self.render_xhtml(navigation, false)
    }

    /// `toc.xhtml`: the contents page printed in the book (in the spine), the posts only.
    fn printed(&self, navigation: &Navigation) -> Result<String> {
        self.render_xhtml(navigation, true)
    }

    /// `toc.ncx`: the EPUB 2 table of contents, titled with the book's title.
    fn ncx(&self, navigation: &Navigation) -> Result<String> {
        let toc = numbered(&navigation.toc);
        let depth = if toc.iter().any(|p| !p.children.is_empty()) {
            2
        } else {
            1
        };
        render(
            "toc.ncx",
            context! {
                identifier => self.identifier.as_str(),
                title => self.title.as_str(),
                lang => self.lang.as_str(),
                depth => depth,
                toc => values(&toc),
            },
        )
    }

    fn render_xhtml(&self, navigation: &Navigation, printed: bool) -> Result<String> {
        render(
            "nav.xhtml",
            context! {
                lang => self.lang.as_str(),
                generator => GENERATOR,
                toc_name => navigation.toc_name,
                toc => values(&navigation.toc),
                landmarks => Value::from_iter(navigation.landmarks.iter().map(|l| context! {
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

    /// `content.opf`: metadata, manifest, spine and guide.
    fn opf(&self, items: &[Item], navigation: &Navigation) -> Result<String> {
        let w3c = |d: &DateTime<Utc>| d.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        render(
            "content.opf",
            context! {
                identifier => self.identifier.as_str(),
                title => self.title.as_str(),
                lang => self.lang.as_str(),
                published => self.published.as_ref().map(w3c),
                modified => w3c(&self.modified),
                creators => self.creators.clone(),
                contributors => self.contributors.clone(),
                description => self.description.as_str(),
                subjects => self.subjects.clone(),
                cover => items.iter().any(|i| i.id == COVER_IMAGE),
                sources => self.sources.clone(),
                series => self.series.as_ref().map(|(name, position)| context! {
                    name => name.as_str(),
                    position => *position,
                }),
                accessibility => Value::from_iter(self.accessibility.iter().map(|p| context! {
                    name => p.name,
                    value => p.value.as_str(),
                    lang => p.lang,
                })),
                items => Value::from_iter(items.iter().map(|i| context! {
                    id => i.id.as_str(),
                    href => i.href.as_str(),
                    media_type => i.media_type,
                    properties => i.properties.join(" "),
                    spine => i.spine,
                })),
                guide => Value::from_iter(navigation.landmarks.iter().map(|l| context! {
                    kind => l.guide_type(),
                    href => l.href.as_str(),
                    title => l.title.as_str(),
                })),
            },
        )
    }
}

/// The manifest id of the cover picture (the EPUB 2 `<meta name="cover">` names it).
const COVER_IMAGE: &str = "cover-image";

/// A file of the book, as the OPF's manifest lists it.
struct Item {
    id: String,
    href: String,
    media_type: &'static str,
    /// `cover-image`, `mathml`.
    properties: Vec<&'static str>,
    /// Read in the spine (pages), or only referenced (stylesheet, pictures).
    spine: bool,
}

/// An EPUB being written: its zip, and its manifest in the order files were added.
pub struct Package {
    zip: Container,
    items: Vec<Item>,
    /// What to do with a document that fails the gate.
    strictness: Strictness,
    /// What the gate found in each XML document, by its `href`, for the links between them.
    checked: HashMap<String, Checked>,
}

/// The OCF container: where the OPF is.
const CONTAINER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml" />
  </rootfiles>
</container>
"#;

/// Apple Books' display options: use the book's fonts and stylesheet (`specified-fonts`).
const IBOOKS_OPTIONS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<display_options>
  <platform name="*">
    <option name="specified-fonts">true</option>
  </platform>
</display_options>
"#;

/// The printed contents page, written when the package is finished (it needs every post).
const CONTENTS_PAGE: &str = "toc.xhtml";

impl Package {
    /// Starts a book whose entries are stamped `modified`: `mimetype` (stored, first) and the
    /// container files.
    pub fn new(modified: DateTime<Utc>) -> Package {
        let mut zip = Container::new(modified);
        // Short names: these cannot fail.
        let _ = zip.add("mimetype", b"application/epub+zip", Method::Stored);
        let container = CONTAINER.as_bytes();
        let _ = zip.add("META-INF/container.xml", container, Method::Deflated);
        let ibooks = "META-INF/com.apple.ibooks.display-options.xml";
        let _ = zip.add(ibooks, IBOOKS_OPTIONS.as_bytes(), Method::Deflated);
        Package {
            zip,
            items: Vec::new(),
            strictness: Strictness::of_build(),
            checked: HashMap::new(),
        }
    }

    /// What this package does with a document that fails the gate.
    pub fn strictness(&self) -> Strictness {
        self.strictness
    }

    /// Repairs (or refuses) documents that fail the gate instead of stopping, as release
    /// builds do: for tests of the repair paths.
    #[cfg(test)]
    pub fn repairing(mut self) -> Package {
        self.strictness = Strictness::Repair;
        self
    }

    /// Adds a file that pages refer to (stylesheet, picture) at `href` below `OEBPS/`. An SVG
    /// picture must have passed the [`gate`] (the EPUB writer checks it before a page links it).
    pub fn add_resource(
        &mut self,
        href: &str,
        bytes: &[u8],
        media_type: &'static str,
    ) -> Result<()> {
        self.add(href, bytes, media_type, Vec::new(), false)
    }

    /// Adds the cover picture (marked `cover-image`).
    pub fn add_cover_image(
        &mut self,
        href: &str,
        bytes: &[u8],
        media_type: &'static str,
    ) -> Result<()> {
        self.add(href, bytes, media_type, vec!["cover-image"], false)
    }

    /// Adds an XHTML page to the spine, after the pages already added; `math` marks a page
    /// with MathML (`properties="mathml"`, which EPUB 3 requires). A page that fails the
    /// [`gate`] is a bug: it stops debug builds, and refuses the book in release ones.
    pub fn add_page(&mut self, href: &str, xhtml: &str, math: bool) -> Result<()> {
        if let Err(error) = self.try_add_page(href, xhtml, math)? {
            gate::failed(self.strictness, href, &error, xhtml);
            anyhow::bail!("{href} is not valid XHTML ({error}); the book is not written");
        }
        Ok(())
    }

    /// Adds an XHTML page to the spine like [`Package::add_page`], unless it fails the gate:
    /// then nothing is added and the inner `Err` says why, for the caller to repair the page.
    pub fn try_add_page(
        &mut self,
        href: &str,
        xhtml: &str,
        math: bool,
    ) -> Result<std::result::Result<(), String>> {
        let checked = match gate::check(xhtml) {
            Ok(checked) => checked,
            Err(error) => return Ok(Err(error)),
        };
        self.checked.insert(href.to_string(), checked);
        let properties = if math { vec!["mathml"] } else { Vec::new() };
        self.add(
            href,
            xhtml.as_bytes(),
            "application/xhtml+xml",
            properties,
            true,
        )?;
        Ok(Ok(()))
    }

    /// Puts the printed contents page here in the spine; it is written by [`Package::finish`].
    pub fn add_contents_page(&mut self) {
        self.items.push(item(
            CONTENTS_PAGE,
            "application/xhtml+xml",
            Vec::new(),
            true,
        ));
    }

    /// Writes the package documents and returns the EPUB's bytes. Every link from one
    /// document to a fragment of another must find it: a book with one that does not is not
    /// written (EPUBCheck RSC-012).
    pub fn finish(mut self, metadata: &Metadata, navigation: &Navigation) -> Result<Vec<u8>> {
        let opf = metadata.opf(&self.items, navigation)?;
        self.write_xml("content.opf", &opf)?;
        let ncx = metadata.ncx(navigation)?;
        self.write_xml("toc.ncx", &ncx)?;
        let nav = metadata.nav(navigation)?;
        self.write_xml("nav.xhtml", &nav)?;
        if self.items.iter().any(|i| i.href == CONTENTS_PAGE) {
            let printed = metadata.printed(navigation)?;
            self.write_xml(CONTENTS_PAGE, &printed)?;
        }
        let missing = gate::missing_fragments(&self.checked);
        if let Some((from, href)) = missing.first() {
            let error = format!(
                "{} links to fragments no document has, the first {href} in {from}",
                missing.len()
            );
            gate::failed(self.strictness, from, &error, "");
            anyhow::bail!("{error}; the book is not written");
        }
        Ok(self.zip.finish())
    }

    /// Writes a package document at `href` below `OEBPS/`, through the gate.
    fn write_xml(&mut self, href: &str, text: &str) -> Result<()> {
        match gate::check(text) {
            Ok(checked) => {
                self.checked.insert(href.to_string(), checked);
            }
            Err(error) => {
                gate::failed(self.strictness, href, &error, text);
                anyhow::bail!("{href} is not valid XML ({error}); the book is not written");
            }
        }
        let name = format!("OEBPS/{href}");
        self.zip.add(&name, text.as_bytes(), Method::Deflated)
    }

    fn add(
        &mut self,
        href: &str,
        bytes: &[u8],
        media_type: &'static str,
        properties: Vec<&'static str>,
        spine: bool,
    ) -> Result<()> {
        let method = if compressed_already(media_type) {
            Method::Stored
        } else {
            Method::Deflated
        };
        self.zip.add(&format!("OEBPS/{href}"), bytes, method)?;
        self.items.push(item(href, media_type, properties, spine));
        Ok(())
    }
}

/// Pictures stored in the zip as they are: JPEG and WebP are compressed already, and
/// deflating them again gains 0–3% on photos for the time of a deflate. PNG and GIF are
/// deflated: postbook's own PNGs (the generated cover, re-encoded pictures) come from the png
/// crate's fast mode, which deflate shrinks by about half (the corpus's covers: 4.6 MB as
/// PNG, 2.4 MB deflated), and GIF's LZW leaves a few percent.
fn compressed_already(media_type: &str) -> bool {
    matches!(media_type, "image/jpeg" | "image/webp")
}

/// A manifest item; its id is `cover-image` for the cover picture, else made from `href`
/// (`images/ab12.png` → `id_images_ab12.png`).
fn item(href: &str, media_type: &'static str, properties: Vec<&'static str>, spine: bool) -> Item {
    let id = if properties.contains(&"cover-image") {
        COVER_IMAGE.to_string()
    } else {
        let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
        format!("id_{}", href.replace(|c| !safe(c), "_"))
    };
    Item {
        id,
        href: href.to_string(),
        media_type,
        properties,
        spine,
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

/// Renders one of `templates/package/`, ending with a newline (minijinja drops the template's).
fn render(name: &str, ctx: Value) -> Result<String> {
    let mut text = env()
        .get_template(name)?
        .render(ctx)
        .with_context(|| format!("cannot render {name}"))?;
    text.push('\n');
    Ok(text)
}

/// The package templates, compiled once, their values escaped for XML
/// (`crate::templates::xml_formatter`).
fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_formatter(crate::templates::xml_formatter);
        for (name, source) in [
            (
                "nav.xhtml",
                include_str!("../../templates/package/nav.xhtml"),
            ),
            ("toc.ncx", include_str!("../../templates/package/toc.ncx")),
            (
                "content.opf",
                include_str!("../../templates/package/content.opf"),
            ),
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
    use std::io::{Cursor, Read};
    use zip::CompressionMethod;

    fn book() -> (Metadata, Navigation) {
        let mut may = NavPoint::new("May 2023", "post-0001.xhtml");
        may.children = vec![
            NavPoint::new("A & B", "post-0001.xhtml#post"),
            NavPoint::new("C", "post-0002.xhtml"),
        ];
        let metadata = Metadata {
            identifier: "urn:uuid:0".into(),
            title: "Book <1>".into(),
            lang: "en".into(),
            creators: vec!["Ann & Co".into()],
            contributors: vec!["Bob".into()],
            published: DateTime::from_timestamp(1_700_000_000, 0),
            modified: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            description: "3 posts".into(),
            subjects: vec!["news".into()],
            sources: vec!["https://example.org/".into()],
            series: Some(("Posts".into(), 2)),
            accessibility: super::super::accessibility::metadata(
                &super::super::accessibility::Content::default(),
                "en",
            ),
        };
        let navigation = Navigation {
            toc_name: "Contents",
            toc: vec![may, NavPoint::new("June 2023", "post-0003.xhtml")],
            landmarks: vec![Landmark {
                kind: "toc",
                href: "toc.xhtml".into(),
                title: "Contents".into(),
            }],
        };
        (metadata, navigation)
    }

    #[test]
    fn the_ncx_numbers_entries_in_reading_order_and_is_titled_after_the_book() {
        let (metadata, navigation) = book();
        let ncx = metadata.ncx(&navigation).unwrap();
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
        let (metadata, navigation) = book();
        for (text, landmarks) in [
            (metadata.nav(&navigation).unwrap(), true),
            (metadata.printed(&navigation).unwrap(), false),
        ] {
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

    /// JPEG and WebP pictures go in stored (deflate cannot shrink them); PNG, GIF and the
    /// documents are deflated; every entry reads back as it was added.
    #[test]
    fn compressed_pictures_are_stored_and_the_rest_deflated() {
        let (metadata, navigation) = book();
        let mut p = Package::new(metadata.modified);
        let photo = vec![7u8; 4000];
        for (href, media_type) in [
            ("images/a.jpg", "image/jpeg"),
            ("images/b.webp", "image/webp"),
            ("images/c.png", "image/png"),
            ("images/d.gif", "image/gif"),
        ] {
            p.add_resource(href, &photo, media_type).unwrap();
        }
        p.add_page("post-0001.xhtml", "<m id=\"post\"/>", false)
            .unwrap();
        let bytes = p.finish(&metadata, &navigation).unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        for (name, method) in [
            ("mimetype", CompressionMethod::Stored),
            ("OEBPS/images/a.jpg", CompressionMethod::Stored),
            ("OEBPS/images/b.webp", CompressionMethod::Stored),
            ("OEBPS/images/c.png", CompressionMethod::Deflated),
            ("OEBPS/images/d.gif", CompressionMethod::Deflated),
            ("OEBPS/post-0001.xhtml", CompressionMethod::Deflated),
            ("OEBPS/content.opf", CompressionMethod::Deflated),
        ] {
            let mut entry = zip.by_name(name).unwrap();
            assert_eq!(entry.compression(), method, "{name}");
            if name.starts_with("OEBPS/images/") {
                let mut back = Vec::new();
                entry.read_to_end(&mut back).unwrap();
                assert_eq!(back, photo, "{name}");
            }
        }
    }

    /// The whole package: `mimetype` first and stored, every entry stamped with the book's
    /// time, the manifest in the order files were added with their properties, the same bytes
    /// every time.
    #[test]
    fn a_package_is_a_valid_reproducible_zip() {
        let build = || {
            let (metadata, navigation) = book();
            let mut p = Package::new(metadata.modified);
            p.add_resource("stylesheet.css", b"p {}", "text/css")
                .unwrap();
            p.add_cover_image("images/cover.png", b"png", "image/png")
                .unwrap();
            p.add_page("title.xhtml", "<t/>", false).unwrap();
            p.add_contents_page();
            p.add_page("post-0001.xhtml", "<m id=\"post\"/>", true)
                .unwrap();
            p.finish(&metadata, &navigation).unwrap()
        };
        let bytes = build();
        assert_eq!(bytes, build());
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let first = zip.by_index(0).unwrap();
        assert_eq!(first.name(), "mimetype");
        assert_eq!(first.compression(), CompressionMethod::Stored);
        drop(first);
        for i in 0..zip.len() {
            let entry = zip.by_index(i).unwrap();
            let time = entry.last_modified().unwrap();
            assert_eq!(
                (time.year(), time.month(), time.day()),
                (2023, 11, 14),
                "{}",
                entry.name()
            );
        }
        let mut opf = String::new();
        zip.by_name("OEBPS/content.opf")
            .unwrap()
            .read_to_string(&mut opf)
            .unwrap();
        roxmltree::Document::parse(&opf).unwrap();
        for expected in [
            "<dc:creator id=\"epub-creator-0\">Ann &amp; Co</dc:creator>",
            "<dc:contributor id=\"contributor-0\">Bob</dc:contributor>",
            "<dc:date>2023-11-14T22:13:20Z</dc:date>",
            "<meta name=\"cover\" content=\"cover-image\"/>",
            "id=\"cover-image\" href=\"images/cover.png\" media-type=\"image/png\" properties=\"cover-image\"",
            "id=\"id_post-0001.xhtml\" href=\"post-0001.xhtml\" media-type=\"application/xhtml+xml\" properties=\"mathml\"",
            "<meta refines=\"#series\" property=\"group-position\">2</meta>",
            "<reference type=\"toc\" title=\"Contents\" href=\"toc.xhtml\"/>",
            "<meta property=\"schema:accessMode\">textual</meta>",
            "<meta property=\"schema:accessibilityHazard\">none</meta>",
        ] {
            assert!(opf.contains(expected), "{expected}\n{opf}");
        }
        let spine: Vec<&str> = opf
            .match_indices("<itemref idref=\"")
            .map(|(i, _)| &opf[i + 16..])
            .map(|r| &r[..r.find('"').unwrap()])
            .collect();
        assert_eq!(
            spine,
            ["id_title.xhtml", "id_toc.xhtml", "id_post-0001.xhtml"]
        );
        assert!(zip.by_name("OEBPS/toc.xhtml").is_ok());
    }
}
