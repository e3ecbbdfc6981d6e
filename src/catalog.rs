//! An OPDS 1.2 catalog of the EPUBs in a folder: `catalog.xml` (an Atom acquisition feed) and
//! the books' covers and thumbnails in `catalog/covers/`, so that KOReader, Thorium, Calibre-Web
//! style readers or any static file server can offer the folder as a shelf.
//!
//! The catalog is made from what is on disk, not from a run's plan: each `.epub` below the
//! folder is opened with `zip` and its OPF read with roxmltree, so books from earlier runs, books
//! another tool made and books a user dropped in are listed alike, and `postbook catalog DIR`
//! makes byte for byte the catalog `convert --catalog` keeps. Reading a book's OPF, nav and
//! cover is a few small zip entries; only a cover never seen before is decoded (covers are named
//! by the hash of their bytes, so a thumbnail made once is reused), which is what makes
//! rewriting the whole catalog after every `convert --catalog` cheap — incremental without a
//! cache of its own.
//!
//! `catalog.xml` is written under the same clobber policy as the books (recorded in the
//! folder's manifest; an edited or foreign `catalog.xml` is kept or refused, unless
//! `--overwrite`). A file that is not a readable EPUB is left out with a warning naming it.

use crate::output::{sha256_hex, write_atomic, write_output, Manifest, Written};
use anyhow::{anyhow, Context, Result};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use rayon::prelude::*;
use roxmltree::{Document, Node};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The catalog's file name, at the top of the folder it lists.
pub const CATALOG_NAME: &str = "catalog.xml";
/// Where the covers and thumbnails go, relative to the folder: `catalog/covers/`.
pub const COVERS_DIR: &str = "catalog/covers";
/// Thumbnails are scaled to this height (OPDS readers show them in lists).
const THUMBNAIL_HEIGHT: u32 = 300;
const THUMBNAIL_QUALITY: u8 = 85;
/// How many post titles (from the book's table of contents) follow the description in an
/// entry's summary: enough to tell a month of news from the next while browsing.
const SUMMARY_TITLES: usize = 5;
/// The most bytes read from one zip entry: a broken or hostile book cannot exhaust memory.
const MAX_ENTRY_BYTES: u64 = 64 << 20;

/// The feed's links to itself: an acquisition feed (it lists books, not other feeds).
const FEED_TYPE: &str = "application/atom+xml;profile=opds-catalog;kind=acquisition";
const EPUB_TYPE: &str = "application/epub+zip";
const ACQUISITION: &str = "http://opds-spec.org/acquisition";
const IMAGE: &str = "http://opds-spec.org/image";
const THUMBNAIL: &str = "http://opds-spec.org/image/thumbnail";
/// The feed ids are UUIDs made from the feed title in this namespace.
const CATALOG_NAMESPACE: uuid::Uuid = uuid::uuid!("0d5b7f3e-8a61-4c2e-9f4d-71c3a2b86e15");

/// What one catalog run did: for `-v`, the exit status and the `--report` of `convert`.
#[derive(Debug, serde::Serialize)]
pub struct Catalogued {
    pub path: PathBuf,
    /// What became of `catalog.xml`; `None` when it could not be written (see `error`).
    pub status: Option<Written>,
    /// Books listed.
    pub books: usize,
    /// Files left out (not readable EPUBs) and covers that could not be used, one line each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Catalogued {
    /// `catalog out/catalog.xml: 6 books (created); 1 file left out`.
    pub fn summary_line(&self) -> String {
        let books = match self.books {
            1 => "1 book".to_string(),
            n => format!("{n} books"),
        };
        let status = self.status.map_or("not written", Written::name);
        let mut line = format!("catalog {}: {books} ({status})", self.path.display());
        if !self.warnings.is_empty() {
            let n = self.warnings.len();
            line.push_str(&format!("; {n} warning{}", if n == 1 { "" } else { "s" }));
        }
        line
    }
}

/// `convert --catalog`: rewrites the output folder's catalog once the books are written (not
/// after a dry run, Ctrl-C or into a folder that cannot be written), for the report. A catalog
/// that cannot be written is an error of the run (exit code 1), not its end.
pub fn after_convert(
    opts: &crate::options::Options,
    dir: Option<&Path>,
    writable: bool,
) -> Option<Catalogued> {
    use crate::options::Verbosity;
    let dir = dir
        .filter(|_| opts.catalog && !opts.dry_run && !crate::interrupt::requested() && writable)?;
    let quiet = opts.verbosity == Verbosity::Quiet;
    let done = write(dir, opts.overwrite, quiet).unwrap_or_else(|e| {
        let error = format!("{e:#}");
        crate::diag::error(&format!("catalog not written: {error}"));
        Catalogued {
            path: dir.join(CATALOG_NAME),
            status: None,
            books: 0,
            warnings: Vec::new(),
            error: Some(error),
        }
    });
    if opts.verbosity == Verbosity::Verbose {
        eprintln!("{}", done.summary_line());
    }
    Some(done)
}

/// One book as the catalog lists it, read from its OPF.
#[derive(Debug, Default)]
struct Book {
    /// The book's path relative to the folder, `/`-separated.
    rel: String,
    size: u64,
    id: Option<String>,
    title: Option<String>,
    authors: Vec<String>,
    language: Option<String>,
    /// `dc:date`, as written.
    date: Option<String>,
    /// `dcterms:modified`, as written.
    modified: Option<String>,
    description: Option<String>,
    subjects: Vec<String>,
    /// The series (`belongs-to-collection`, or calibre's `calibre:series`).
    series: Option<String>,
    /// The first entries of the table of contents.
    chapters: Vec<String>,
    cover: Option<Cover>,
    /// The file's modification time, RFC 3339, for a book with no usable date.
    mtime: Option<String>,
}

#[derive(Debug)]
struct Cover {
    bytes: Vec<u8>,
    media_type: String,
}

/// The covers of an entry, as written into `catalog/covers/`.
struct CoverFiles {
    /// Relative to the folder.
    image: (String, String),
    thumbnail: Option<(String, String)>,
}

/// Writes (or leaves as it is, when nothing changed) the catalog of the EPUBs below `dir`.
/// `Err` only when the catalog itself cannot be written; an unreadable book or cover is a
/// warning in the result, printed here unless `quiet`.
pub fn write(dir: &Path, overwrite: bool, quiet: bool) -> Result<Catalogued> {
    let mut warnings = Vec::new();
    let files = find_books(dir);
    let covers_dir = dir.join(COVERS_DIR);
    // Each book's cover is written (or found written) as soon as the book is read, so only the
    // covers of the books being read at once are in memory, not every book's.
    let read: Vec<Result<(Book, Result<Option<CoverFiles>>)>> = files
        .par_iter()
        .map(|p| {
            let mut book = read_book(dir, p)?;
            let cover = book.cover.take();
            let files = write_covers(&covers_dir, cover.as_ref());
            Ok((book, files))
        })
        .collect();
    let mut books = Vec::with_capacity(read.len());
    let mut kept_covers = BTreeSet::new();
    for (path, book) in files.iter().zip(read) {
        match book {
            Ok((book, Ok(covers))) => {
                if let Some(c) = &covers {
                    kept_covers.insert(c.image.0.clone());
                    if let Some(t) = &c.thumbnail {
                        kept_covers.insert(t.0.clone());
                    }
                }
                books.push((book, covers));
            }
            Ok((book, Err(e))) => {
                warnings.push(format!(
                    "{}: cover left out of the catalog: {e:#}",
                    path.display()
                ));
                books.push((book, None));
            }
            Err(e) => warnings.push(format!(
                "{}: not listed in the catalog: {e:#}",
                path.display()
            )),
        }
    }
    // Newest first (the order OPDS asks of "new" feeds), books without a date of their own
    // last, then by path.
    books.sort_by_cached_key(|(b, _)| (std::cmp::Reverse(book_date(b)), b.rel.clone()));
    remove_stale_covers(&covers_dir, &kept_covers);
    let xml = feed(dir, &books);
    let path = dir.join(CATALOG_NAME);
    let mut manifest = Manifest::load(dir);
    let (status, hash) = write_output(dir, &path, xml.as_bytes(), overwrite, &manifest)?;
    if matches!(status, Written::Created | Written::Replaced) {
        // `write_output` leaves the flush to one `syncfs`; the manifest must not list a file
        // the disk does not hold yet.
        crate::output::sync_outputs(dir)?;
    }
    if status != Written::Kept {
        manifest.record(dir, &path, hash, None, None);
        manifest
            .save(dir)
            .with_context(|| format!("cannot write the manifest in {}", dir.display()))?;
    }
    if !quiet {
        for w in &warnings {
            crate::diag::warning(w);
        }
        if status == Written::Kept {
            crate::diag::warning(&format!(
                "keeping {}: edited since postbook wrote it (pass --overwrite to replace it)",
                path.display()
            ));
        }
    }
    Ok(Catalogued {
        path,
        status: Some(status),
        books: books.len(),
        warnings,
        error: None,
    })
}

/// The `.epub` files below `dir`, sorted; hidden files and folders and the catalog's own
/// folder are not looked into.
fn find_books(dir: &Path) -> Vec<PathBuf> {
    let catalog_dir = dir.join("catalog");
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_name().to_string_lossy().starts_with('.') || e.path() == catalog_dir)
        })
        .filter_map(std::result::Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            e.path()
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("epub"))
        })
        .map(walkdir::DirEntry::into_path)
        .collect();
    files.sort();
    files
}

/// Reads what the catalog needs from one book: its OPF's metadata, the start of its table of
/// contents and its cover's bytes.
fn read_book(dir: &Path, path: &Path) -> Result<Book> {
    let file = std::fs::File::open(path).context("cannot open it")?;
    let meta = file.metadata().context("cannot read it")?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| anyhow!("not an EPUB (zip): {e}"))?;
    let container = entry_text(&mut zip, "META-INF/container.xml")?;
    let container = Document::parse(&container)
        .map_err(|e| anyhow!("META-INF/container.xml is not well-formed: {e}"))?;
    let opf_path = container
        .descendants()
        .find(|n| n.has_tag_name("rootfile"))
        .and_then(|n| n.attribute("full-path"))
        .ok_or_else(|| anyhow!("META-INF/container.xml names no package document"))?
        .to_string();
    let opf_text = entry_text(&mut zip, &opf_path)?;
    let opf = Document::parse_with_options(&opf_text, xml_options())
        .map_err(|e| anyhow!("{opf_path} is not well-formed: {e}"))?;
    let rel = path.strip_prefix(dir).unwrap_or(path);
    let mut book = Book {
        rel: rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        size: meta.len(),
        mtime: meta.modified().ok().map(|t| {
            chrono::DateTime::<chrono::Utc>::from(t)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        }),
        ..Book::default()
    };
    read_metadata(&opf, &mut book);
    let base = opf_path.rsplit_once('/').map_or("", |(d, _)| d);
    let manifest: Vec<Node> = opf
        .descendants()
        .filter(|n| n.has_tag_name("item"))
        .collect();
    // EPUB 3 names the cover with `properties="cover-image"`; EPUB 2 with `<meta name="cover">`.
    let cover_id = opf
        .descendants()
        .find(|n| n.has_tag_name("meta") && n.attribute("name") == Some("cover"))
        .and_then(|n| n.attribute("content"));
    let cover_item = manifest
        .iter()
        .find(|n| {
            n.attribute("properties")
                .is_some_and(|p| p.split_whitespace().any(|p| p == "cover-image"))
        })
        .or_else(|| {
            manifest
                .iter()
                .find(|n| cover_id.is_some() && n.attribute("id") == cover_id)
        });
    if let Some(item) = cover_item {
        let href = item.attribute("href").unwrap_or_default();
        let media_type = item.attribute("media-type").unwrap_or_default().to_string();
        let name = join_href(base, href);
        // A cover that cannot be read leaves the book listed without one.
        if let Ok(bytes) = entry_bytes(&mut zip, &name) {
            book.cover = Some(Cover { bytes, media_type });
        }
    }
    let nav = manifest.iter().find(|n| {
        n.attribute("properties")
            .is_some_and(|p| p.split_whitespace().any(|p| p == "nav"))
    });
    if let Some(nav) = nav.and_then(|n| n.attribute("href")) {
        if let Ok(text) = entry_text(&mut zip, &join_href(base, nav)) {
            book.chapters = toc_titles(&text);
        }
    }
    Ok(book)
}

/// roxmltree's options for an EPUB's XML: XHTML documents have a DOCTYPE.
fn xml_options<'a>() -> roxmltree::ParsingOptions<'a> {
    roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    }
}

/// The Dublin Core metadata of an OPF.
fn read_metadata(opf: &Document, book: &mut Book) {
    const DC: &str = "http://purl.org/dc/elements/1.1/";
    let Some(metadata) = opf.descendants().find(|n| n.has_tag_name("metadata")) else {
        return;
    };
    let unique = opf.root_element().attribute("unique-identifier");
    for n in metadata.children().filter(Node::is_element) {
        let (ns, name) = (n.tag_name().namespace(), n.tag_name().name());
        if ns == Some(DC) {
            let Some(value) = node_text(&n) else { continue };
            match name {
                "identifier"
                    if book.id.is_none() || (unique.is_some() && n.attribute("id") == unique) =>
                {
                    book.id = Some(value);
                }
                "title" => _ = book.title.get_or_insert(value),
                "creator" => book.authors.push(value),
                "language" => _ = book.language.get_or_insert(value),
                "date" => _ = book.date.get_or_insert(value),
                "description" => _ = book.description.get_or_insert(value),
                "subject" => book.subjects.push(value),
                _ => {}
            }
        } else if name == "meta" {
            match (n.attribute("property"), n.attribute("name")) {
                (Some("dcterms:modified"), _) => book.modified = node_text(&n),
                (Some("belongs-to-collection"), _) => book.series = node_text(&n),
                (_, Some("calibre:series")) if book.series.is_none() => {
                    book.series = n.attribute("content").map(str::to_string);
                }
                _ => {}
            }
        }
    }
}

/// The titles of the first entries of an EPUB 3 navigation document's table of contents.
fn toc_titles(nav: &str) -> Vec<String> {
    let Ok(doc) = Document::parse_with_options(nav, xml_options()) else {
        return Vec::new();
    };
    let toc = doc.descendants().find(|n| {
        n.has_tag_name("nav")
            && n.attributes()
                .any(|a| a.name() == "type" && a.value().split_whitespace().any(|t| t == "toc"))
    });
    toc.into_iter()
        .flat_map(|toc| toc.descendants().filter(|n| n.has_tag_name("a")))
        .filter_map(|a| node_text(&a))
        .take(SUMMARY_TITLES)
        .collect()
}

/// The text of an element, its whitespace collapsed; `None` when it has none.
fn node_text(n: &Node) -> Option<String> {
    let t: String = n
        .descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect();
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty()).then_some(t)
}

/// A zip entry name from an OPF href: relative to the OPF's folder, percent-decoded, `..`
/// resolved (it cannot climb out of the zip: names are only looked up, never extracted).
fn join_href(base: &str, href: &str) -> String {
    let href = href.split(['#', '?']).next().unwrap_or_default();
    let href = percent_encoding::percent_decode_str(href).decode_utf8_lossy();
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in href.split('/') {
        match part {
            "" | "." => {}
            ".." => _ = parts.pop(),
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn entry_bytes(zip: &mut zip::ZipArchive<std::fs::File>, name: &str) -> Result<Vec<u8>> {
    let entry = zip
        .by_name(name)
        .map_err(|e| anyhow!("cannot read {name} in it: {e}"))?;
    let mut bytes = Vec::new();
    entry
        .take(MAX_ENTRY_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| anyhow!("cannot read {name} in it: {e}"))?;
    Ok(bytes)
}

fn entry_text(zip: &mut zip::ZipArchive<std::fs::File>, name: &str) -> Result<String> {
    String::from_utf8(entry_bytes(zip, name)?).map_err(|_| anyhow!("{name} is not UTF-8"))
}

/// The catalog's name for a cover (`catalog/covers/<hash>.png`) and its thumbnail
/// (`<hash>-thumb.jpg`), written unless they are there already.
fn write_covers(covers_dir: &Path, cover: Option<&Cover>) -> Result<Option<CoverFiles>> {
    let Some(cover) = cover else {
        return Ok(None);
    };
    let ext = match cover.media_type.as_str() {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/svg+xml" => "svg",
        other => {
            return Err(anyhow!(
                "a cover of type `{other}` is not a picture a catalog can show"
            ))
        }
    };
    let hash = &sha256_hex(&cover.bytes)[..16];
    let image_name = format!("{hash}.{ext}");
    let image_path = covers_dir.join(&image_name);
    if !image_path.is_file() {
        write_atomic(&image_path, &cover.bytes)
            .with_context(|| format!("cannot write {}", image_path.display()))?;
    }
    let image = (
        format!("{COVERS_DIR}/{image_name}"),
        cover.media_type.clone(),
    );
    // An SVG cover is its own thumbnail: it scales.
    if ext == "svg" {
        return Ok(Some(CoverFiles {
            thumbnail: Some(image.clone()),
            image,
        }));
    }
    let thumb_name = format!("{hash}-thumb.jpg");
    let thumb_path = covers_dir.join(&thumb_name);
    if !thumb_path.is_file() {
        let bytes = thumbnail(&cover.bytes)?;
        write_atomic(&thumb_path, &bytes)
            .with_context(|| format!("cannot write {}", thumb_path.display()))?;
    }
    Ok(Some(CoverFiles {
        image,
        thumbnail: Some((format!("{COVERS_DIR}/{thumb_name}"), "image/jpeg".into())),
    }))
}

/// A JPEG of the picture scaled to [`THUMBNAIL_HEIGHT`] pixels tall (never enlarged).
fn thumbnail(bytes: &[u8]) -> Result<Vec<u8>> {
    let picture = image::load_from_memory(bytes).map_err(|e| anyhow!("cannot decode it: {e}"))?;
    let picture = if picture.height() > THUMBNAIL_HEIGHT {
        picture.thumbnail(u32::MAX, THUMBNAIL_HEIGHT)
    } else {
        picture
    };
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, THUMBNAIL_QUALITY);
    picture
        .to_rgb8()
        .write_with_encoder(encoder)
        .map_err(|e| anyhow!("cannot make its thumbnail: {e}"))?;
    Ok(out)
}

/// Removes the covers no listed book has any more: only files named as [`write_covers`]
/// names them, so nothing a user put in the folder is touched.
fn remove_stale_covers(covers_dir: &Path, kept: &BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(covers_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_cover_name(&name) && !kept.contains(&format!("{COVERS_DIR}/{name}")) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether `name` is one [`write_covers`] makes: 16 hex digits, `-thumb` or not, a picture
/// extension.
fn is_cover_name(name: &str) -> bool {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    let hash = stem.strip_suffix("-thumb").unwrap_or(stem);
    hash.len() == 16
        && hash
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        && matches!(ext, "jpg" | "png" | "gif" | "webp" | "svg")
}

/// `s` as an RFC 3339 date-time (what Atom's dates are), from the forms OPF dates take:
/// full date-times, days, months and years (W3CDTF).
fn date_time(s: &str) -> Option<String> {
    use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(
            t.with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::Secs, true),
        );
    }
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d"))
        .or_else(|_| NaiveDate::parse_from_str(&format!("{s}-01-01"), "%Y-%m-%d"))
        .ok()?;
    Some(format!("{day}T00:00:00Z"))
}

/// An entry's `updated`: the book's `dcterms:modified`, else its `dc:date`, else the file's
/// modification time. The book's own dates, not the file's, so that the same books make the
/// same catalog wherever they are copied; postbook sets them from the newest post's date, and
/// to the Unix epoch in a book of undated posts, which is taken as no date.
fn updated(book: &Book) -> String {
    book_date(book)
        .or_else(|| book.mtime.clone())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

/// The book's own date (see [`updated`]), if it has one.
fn book_date(book: &Book) -> Option<String> {
    [&book.modified, &book.date]
        .into_iter()
        .flatten()
        .filter_map(|d| date_time(d))
        .find(|d| !d.starts_with("1970-01-01T00:00:00"))
}

/// A relative path as a URL: each segment percent-encoded but for the unreserved characters,
/// so spaces, CJK and `#` in book names reach every reader intact.
fn href(rel: &str) -> String {
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    rel.split('/')
        .map(|s| utf8_percent_encode(s, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// The catalog's title: the one series the books belong to (postbook names its series after
/// the collection; its book of undated posts is in none), else the folder's name.
fn feed_title(dir: &Path, books: &[&Book]) -> String {
    let series: BTreeSet<&str> = books.iter().filter_map(|b| b.series.as_deref()).collect();
    if series.len() == 1 {
        if let Some(one) = series.first() {
            return one.to_string();
        }
    }
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    canonical
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "postbook".into())
}

/// The Atom feed.
fn feed(dir: &Path, entries: &[(Book, Option<CoverFiles>)]) -> String {
    let books: Vec<&Book> = entries.iter().map(|(b, _)| b).collect();
    let title = feed_title(dir, &books);
    let feed_id = uuid::Uuid::new_v5(&CATALOG_NAMESPACE, title.as_bytes());
    let newest = books.iter().map(|b| updated(b)).max().unwrap_or_else(|| {
        std::fs::metadata(dir)
            .and_then(|m| m.modified())
            .map(|t| {
                chrono::DateTime::<chrono::Utc>::from(t)
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            })
            .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
    });
    // The feed's author: the books' one author when they share it, else the catalog's title
    // (Atom wants an author on the feed unless every entry has one).
    let mut authors = books.iter().map(|b| &b.authors);
    let shared = match authors.next() {
        Some(first) if !first.is_empty() && authors.all(|a| a == first) => first.clone(),
        _ => vec![title.clone()],
    };
    let mut x = Xml::default();
    x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.raw("<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/terms/\" xmlns:opds=\"http://opds-spec.org/2010/catalog\">\n");
    x.element(1, "id", &uuid::fmt::Urn::from_uuid(feed_id).to_string());
    x.element(1, "title", &title);
    x.element(1, "updated", &newest);
    for a in &shared {
        x.person(1, a);
    }
    x.raw(&format!(
        "  <generator version=\"{}\">postbook</generator>\n",
        env!("CARGO_PKG_VERSION")
    ));
    for rel in ["self", "start"] {
        x.link(1, rel, CATALOG_NAME, FEED_TYPE, None);
    }
    let mut ids = std::collections::HashSet::new();
    for (book, cover) in entries {
        // A copy of a book has its identifier; in one feed, entries with one id are versions
        // of one entry, so a copy gets an id of its own, made from its path.
        let id = match &book.id {
            Some(id) if ids.insert(id.clone()) => id.clone(),
            _ => {
                let uuid = uuid::Uuid::new_v5(&CATALOG_NAMESPACE, book.rel.as_bytes());
                uuid::fmt::Urn::from_uuid(uuid).to_string()
            }
        };
        entry(&mut x, book, &id, cover.as_ref());
    }
    x.raw("</feed>\n");
    x.0
}

/// One book's entry.
fn entry(x: &mut Xml, book: &Book, id: &str, cover: Option<&CoverFiles>) {
    x.raw("  <entry>\n");
    let stem = book.rel.rsplit('/').next().unwrap_or(&book.rel);
    let stem = stem.strip_suffix(".epub").unwrap_or(stem);
    x.element(2, "title", book.title.as_deref().unwrap_or(stem));
    x.element(2, "id", id);
    x.element(2, "updated", &updated(book));
    for a in &book.authors {
        x.person(2, a);
    }
    if let Some(lang) = &book.language {
        x.element(2, "dc:language", lang);
    }
    if let Some(day) = book.date.as_deref().and_then(date_time) {
        x.element(2, "dc:issued", &day[..10]);
    }
    for s in &book.subjects {
        x.indent(2);
        x.raw("<category term=\"");
        x.text(s);
        x.raw("\" label=\"");
        x.text(s);
        x.raw("\"/>\n");
    }
    let mut summary: Vec<&str> = book.description.iter().map(String::as_str).collect();
    summary.extend(book.chapters.iter().map(String::as_str));
    if !summary.is_empty() {
        x.indent(2);
        x.raw("<summary type=\"text\">");
        x.text(&summary.join("\n"));
        x.raw("</summary>\n");
    }
    if let Some(c) = cover {
        x.link(2, IMAGE, &c.image.0, &c.image.1, None);
        if let Some(t) = &c.thumbnail {
            x.link(2, THUMBNAIL, &t.0, &t.1, None);
        }
    }
    x.link(2, ACQUISITION, &book.rel, EPUB_TYPE, Some(book.size));
    x.raw("  </entry>\n");
}

/// The feed's text, built with every value escaped.
#[derive(Default)]
struct Xml(String);

impl Xml {
    fn raw(&mut self, s: &str) {
        self.0.push_str(s);
    }

    fn indent(&mut self, depth: usize) {
        self.0.push_str(&"  ".repeat(depth));
    }

    fn text(&mut self, s: &str) {
        crate::xml::escape_into(s, &mut self.0);
    }

    fn element(&mut self, depth: usize, name: &str, value: &str) {
        self.indent(depth);
        self.0.push_str(&format!("<{name}>"));
        self.text(value);
        self.0.push_str(&format!("</{name}>\n"));
    }

    fn person(&mut self, depth: usize, name: &str) {
        self.indent(depth);
        self.raw("<author><name>");
        self.text(name);
        self.raw("</name></author>\n");
    }

    /// A link; `rel_path` is a path relative to the catalog, percent-encoded here.
    fn link(&mut self, depth: usize, rel: &str, rel_path: &str, kind: &str, length: Option<u64>) {
        self.indent(depth);
        self.raw(&format!("<link rel=\"{rel}\" href=\""));
        self.text(&href(rel_path));
        self.raw("\" type=\"");
        self.text(kind);
        self.raw("\"");
        if let Some(n) = length {
            self.raw(&format!(" length=\"{n}\""));
        }
        self.raw("/>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_are_percent_encoded_by_segment() {
        assert_eq!(href("2023-05.epub"), "2023-05.epub");
        assert_eq!(
            href("新闻 合集/5月#1.epub"),
            "%E6%96%B0%E9%97%BB%20%E5%90%88%E9%9B%86/5%E6%9C%88%231.epub"
        );
    }

    #[test]
    fn opf_dates_become_atom_dates() {
        assert_eq!(
            date_time("2023-05-25T01:48:05Z").unwrap(),
            "2023-05-25T01:48:05Z"
        );
        assert_eq!(
            date_time("2023-05-25T09:48:05+08:00").unwrap(),
            "2023-05-25T01:48:05Z"
        );
        assert_eq!(date_time("2023-05-25").unwrap(), "2023-05-25T00:00:00Z");
        assert_eq!(date_time("2023-05").unwrap(), "2023-05-01T00:00:00Z");
        assert_eq!(date_time("2023").unwrap(), "2023-01-01T00:00:00Z");
        assert_eq!(date_time("last May"), None);
    }

    #[test]
    fn hrefs_in_the_package_resolve_to_zip_names() {
        assert_eq!(
            join_href("OEBPS", "images/cover%20a.png"),
            "OEBPS/images/cover a.png"
        );
        assert_eq!(
            join_href("OEBPS/text", "../images/c.jpg#x"),
            "OEBPS/images/c.jpg"
        );
        assert_eq!(join_href("", "cover.jpg"), "cover.jpg");
    }

    #[test]
    fn only_cover_names_are_cleaned_up() {
        assert!(is_cover_name("0123456789abcdef.png"));
        assert!(is_cover_name("0123456789abcdef-thumb.jpg"));
        assert!(!is_cover_name("my-cover.png"));
        assert!(!is_cover_name("0123456789ABCDEF.png"));
        assert!(!is_cover_name("0123456789abcdef.txt"));
    }
}
