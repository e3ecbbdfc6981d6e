//! The EPUB writer: one EPUB 3 book (with NCX fallback) per group of posts.
//!
//! This module decides what a book holds: its pages (cover, title page, one chapter per post,
//! valid XHTML from [`super::xhtml`] and the templates), pictures, table of contents, credits,
//! and metadata chosen so that the same posts always give the same book identity (UUID from
//! the group key, dates from the posts). [`super::package`] writes them into the zip with the
//! OPF and navigation documents.

use super::accessibility;
use super::book::{Book, BookStats, Cover};
use super::cover::{self, CoverText};
use super::digest;
use super::gate::{self, Strictness};
use super::package::{Landmark, Metadata, NavPoint, Navigation, Package};
use super::sections;
use super::xhtml::{self, Anchors, Context, Found};
use crate::images::{Asset, AssetSource, Lookup};
use crate::locale::{Label, Locale, Precision};
use crate::model::{Document, PostDate};
use crate::options::SectionIndex;
use crate::templates::Templates;
use crate::warning::{Warning, WarningKind};
use anyhow::Result;
use chrono::Datelike;
use chrono::{DateTime, Utc};
use minijinja::context;
use std::collections::HashMap;
use std::path::PathBuf;

/// Writes EPUB books.
pub struct EpubWriter<'t> {
    pub templates: &'t Templates,
    /// Write a Kobo EPUB (`--kepub`): sentence spans and Kobo's page wrappers in every chapter.
    pub kobo: bool,
    /// Highlight code blocks (`--no-highlight` turns it off).
    pub highlight: bool,
    /// Which books get section index pages (`--section-index`).
    pub section_index: SectionIndex,
    /// Section index pages show each article's first picture (`--thumbnails`).
    pub thumbnails: bool,
    /// The glyphs of the run's generated covers, drawn once (`cover::GlyphCache`).
    pub cover_glyphs: cover::GlyphCache,
}

/// UUID namespace for postbook book identifiers (a fixed random UUID).
const BOOK_NAMESPACE: uuid::Uuid = uuid::uuid!("6f1c2a5e-3d4b-4e8a-9c1f-2b7d5e8a9c30");

impl EpubWriter<'_> {
    /// Builds the book and returns the EPUB file's bytes.
    pub fn render(&self, book: &Book, assets: &dyn AssetSource) -> Result<(Vec<u8>, BookStats)> {
        let mut stats = BookStats::default();
        let credits = Credits::of(book);
        let dates: Vec<PostDate> = book.posts.iter().filter_map(|d| d.meta.date).collect();
        let mut metadata = metadata(book, &credits, &dates);
        let mut content = accessibility::Content::default();
        let mut package = Package::new(metadata.modified);
        let mut navigation = Navigation {
            toc_name: book.locale().label(Label::Contents),
            toc: Vec::new(),
            landmarks: Vec::new(),
        };
        let css = self.templates.stylesheet();
        package.add_resource("stylesheet.css", css.as_bytes(), "text/css")?;
        self.front_matter(
            book,
            &credits,
            &dates,
            &mut package,
            &mut navigation,
            &mut stats,
            &mut content,
        )?;
        self.posts(
            book,
            assets,
            &mut package,
            &mut navigation,
            &mut stats,
            &mut content,
        )?;
        stats.incomplete = stats.images_failed > 0;
        stats.pictures_without_alt = book.posts.iter().map(|d| d.pictures_without_alt()).sum();
        metadata.accessibility = accessibility::metadata(&content, &book.lang);
        Ok((package.finish(&metadata, &navigation)?, stats))
    }

    /// The cover (unless `--no-cover`), the title page and the place of the contents page.
    #[allow(clippy::too_many_arguments)]
    fn front_matter(
        &self,
        book: &Book,
        credits: &Credits,
        dates: &[PostDate],
        package: &mut Package,
        navigation: &mut Navigation,
        stats: &mut BookStats,
        content: &mut accessibility::Content,
    ) -> Result<()> {
        let locale = book.locale();
        let generated;
        let cover = match &book.cover {
            Cover::Picture(asset) => Some(asset.as_ref()),
            Cover::Generated => {
                generated = generated_cover(&self.cover_glyphs, book, credits, dates, stats);
                Some(&generated)
            }
            Cover::None => None,
        };
        if let Some(cover) = cover {
            let title = locale.label(Label::Cover);
            navigation
                .landmarks
                .push(landmark("cover", "cover.xhtml", title));
            let name = format!("images/cover.{}", cover.extension);
            package.add_cover_image(&name, &cover.bytes, cover.media_type)?;
            // `cover.xhtml` gives the cover the book's title as its alt text.
            content.pictures += 1;
            content.pictures_without_alt += usize::from(book.title.trim().is_empty());
            if accessibility::can_move(cover.media_type, &cover.bytes) {
                content.moving_pictures += 1;
            }
            let page = self.templates.render(
                "cover.xhtml",
                context! { lang => book.lang.clone(), title => book.title.clone(), image => name },
            )?;
            package.add_page("cover.xhtml", &page, false)?;
        }
        let title_page = self.templates.render(
            "title-page.xhtml",
            context! {
                lang => book.lang.clone(),
                title => book.title.clone(),
                authors => book.authors.clone(),
                byline => credits.byline(locale),
                contributors => credits.contributors.clone(),
                contributors_label => locale.label(Label::With),
                date_range => date_range(dates, locale),
                post_count_label => locale.post_count(book.posts.len()),
                sources => sources(book, credits),
                sources_label => locale.label(Label::Sources),
            },
        )?;
        package.add_page("title.xhtml", &title_page, false)?;
        navigation
            .landmarks
            .push(landmark("titlepage", "title.xhtml", &book.title));
        package.add_contents_page();
        let toc_name = navigation.toc_name;
        navigation
            .landmarks
            .push(landmark("toc", "toc.xhtml", toc_name));
        Ok(())
    }

    /// The posts' chapters and pictures, their sections' index pages, and the table of
    /// contents listing them: sections, then their articles, in a book with index pages;
    /// otherwise the posts (under their month when there are several).
    fn posts(
        &self,
        book: &Book,
        assets: &dyn AssetSource,
        package: &mut Package,
        navigation: &mut Navigation,
        stats: &mut BookStats,
        content: &mut accessibility::Content,
    ) -> Result<()> {
        let locale = book.locale();
        let sections = sections::sections(&book.posts, &book.sections, locale);
        let indexed = self.section_index.wanted(sections.len());
        // The chapters' reading order: the sections' when they have index pages (a category
        // book's sub-categories can interleave), else the book's.
        let order: Vec<usize> = match indexed {
            true => sections.iter().flat_map(|s| s.posts.clone()).collect(),
            false => (0..book.posts.len()).collect(),
        };
        let posts: Vec<&Document> = order.iter().map(|&i| book.posts[i]).collect();
        let mut position = vec![0; book.posts.len()];
        for (p, &i) in order.iter().enumerate() {
            position[i] = p;
        }
        // Each post's chapter file and heading ids, by the post's file, for links between posts.
        let chapters: HashMap<PathBuf, (String, Anchors)> = posts
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                let path = crate::relink::normalize(&std::path::absolute(&d.meta.path).ok()?);
                Some((
                    path,
                    (chapter_file(i), Anchors::of(&d.blocks, Some(CHAPTER_TOP))),
                ))
            })
            .collect();
        // Each post's language when it is not the book's, in reading order, for its chapter and
        // its index entry (told once per post: see `PostLangs`).
        let langs: Vec<Option<String>> = (order.iter())
            .map(|&i| post_lang(book.post_lang(i), &book.lang))
            .collect();
        let reading = Reading {
            posts: &posts,
            chapters: &chapters,
            langs: &langs,
        };
        let mut pictures = Pictures::default();
        let mut out = Out {
            package,
            pictures: &mut pictures,
            stats,
            content,
        };
        let toc = &mut navigation.toc;
        if indexed {
            for (s, section) in sections.iter().enumerate() {
                let file = section_file(s);
                let articles: Vec<usize> = section.posts.iter().map(|&i| position[i]).collect();
                let page = self.section_page(
                    book,
                    &section.heading,
                    &articles,
                    assets,
                    &reading,
                    &mut out,
                )?;
                out.package.add_page(&file, &page, false)?;
                let mut entry = NavPoint::new(section.heading.clone(), &file);
                for &p in &articles {
                    let title = self.post_chapter(p, book, assets, &reading, &mut out)?;
                    entry.children.push(NavPoint::new(title, chapter_file(p)));
                }
                toc.push(entry);
            }
        } else {
            // A book spanning several months gets a two-level table of contents: month → posts.
            let month_of = |doc: &Document| {
                doc.meta
                    .date
                    .map(|d| d.day().with_day(1).unwrap_or_default())
            };
            let months: std::collections::BTreeSet<_> = posts.iter().map(|d| month_of(d)).collect();
            let two_level = months.len() > 1;
            let mut previous_month = None;
            for (i, doc) in posts.iter().enumerate() {
                let title = self.post_chapter(i, book, assets, &reading, &mut out)?;
                let file = chapter_file(i);
                let month = month_of(doc);
                match (two_level, i == 0 || previous_month != Some(month)) {
                    (false, _) => toc.push(NavPoint::new(title, &file)),
                    (true, true) => {
                        let mut entry = NavPoint::new(locale.month_heading(month), &file);
                        // Under the month, the post itself: the same file, so a fragment keeps
                        // the NCX playOrder targets distinct (`chapter.xhtml` has `id="post"`).
                        entry.children = vec![NavPoint::new(title, format!("{file}#post"))];
                        toc.push(entry);
                    }
                    (true, false) => {
                        if let Some(month) = toc.last_mut() {
                            month.children.push(NavPoint::new(title, &file));
                        }
                    }
                }
                previous_month = Some(month);
            }
        }
        if let Some(first) = toc.first() {
            let start = landmark("bodymatter", &first.href, &first.label);
            navigation.landmarks.push(start);
        }
        Ok(())
    }

    /// Adds the chapter of the `i`th post in reading order (from 0) and its pictures; returns
    /// its title as the table of contents lists it.
    fn post_chapter(
        &self,
        i: usize,
        book: &Book,
        assets: &dyn AssetSource,
        reading: &Reading,
        out: &mut Out,
    ) -> Result<String> {
        let doc = reading.posts[i];
        let Out {
            package,
            pictures: Pictures { stored, moving },
            stats,
            content,
        } = out;
        let strictness = package.strictness();
        let mut hrefs: HashMap<String, Option<String>> = HashMap::new();
        let mut pending = Vec::new();
        doc.for_each_image(&mut |img| {
            if hrefs.contains_key(&img.src) {
                return;
            }
            let href = match assets.lookup(&doc.meta, &img.src) {
                Lookup::Found(asset) => {
                    let file = asset.file_name();
                    let href = stored.entry(file).or_insert_with_key(|file| {
                        if let Err(why) = svg_gate(&asset, file, strictness) {
                            stats.warnings.push((doc.meta.path.clone(), why));
                            return None;
                        }
                        let name = format!("images/{file}");
                        if accessibility::can_move(asset.media_type, &asset.bytes) {
                            moving.insert(name.clone());
                        }
                        pending.push((name.clone(), asset.clone()));
                        Some(name)
                    });
                    match href {
                        Some(href) => {
                            stats.images_embedded += 1;
                            Some(href.clone())
                        }
                        None => {
                            stats.images_failed += 1;
                            None
                        }
                    }
                }
                Lookup::NotLocal | Lookup::Dropped => {
                    stats.images_linked += 1;
                    None
                }
                Lookup::Failed(why) => {
                    stats.warnings.push((doc.meta.path.clone(), why.warning()));
                    stats.images_failed += 1;
                    None
                }
            };
            hrefs.insert(img.src.clone(), href);
        });
        for (name, asset) in pending {
            package.add_resource(&name, &asset.bytes, asset.media_type)?;
        }
        // Every picture the chapter shows as an `<img>`, each time it shows it.
        doc.for_each_image(&mut |img| {
            if let Some(Some(href)) = hrefs.get(&img.src) {
                content.pictures += 1;
                content.pictures_without_alt += usize::from(!img.has_alt());
                content.moving_pictures += usize::from(moving.contains(href));
            }
        });
        let file = chapter_file(i);
        let lang = reading.langs[i].as_deref();
        let render = |mode| self.chapter(doc, book, lang, &hrefs, reading.chapters, mode);
        let (warnings, found) = add_chapter(package, &file, &render)?;
        content.math |= found.math;
        content.footnotes |= found.footnotes;
        for w in warnings {
            stats.warnings.push((doc.meta.path.clone(), w));
        }
        Ok(match &doc.meta.date {
            Some(d) => format!("{} ({})", doc.display_title(), d.day()),
            None => doc.display_title(),
        })
    }

    /// A section's index page: its heading and number of articles, then each article (by its
    /// place in reading order) with its linked title, byline, date,
    /// summary and reading time ([`digest`]), and with `--thumbnails` its first picture that
    /// is in the book, stored here if no chapter has stored it yet (never a remote one, and
    /// not an SVG, which the chapter passes through its gate).
    fn section_page(
        &self,
        book: &Book,
        heading: &str,
        articles: &[usize],
        assets: &dyn AssetSource,
        reading: &Reading,
        out: &mut Out,
    ) -> Result<String> {
        let Out {
            package,
            pictures,
            content,
            ..
        } = out;
        let locale = book.locale();
        let mut entries = Vec::with_capacity(articles.len());
        for &i in articles {
            let doc = reading.posts[i];
            let title = doc.display_title();
            let thumbnail = match self.thumbnails {
                true => thumbnail(doc, assets, package, pictures)?,
                false => None,
            };
            let thumbnail = thumbnail.map(|(src, alt)| {
                let alt = if alt.trim().is_empty() {
                    title.clone()
                } else {
                    alt
                };
                content.pictures += 1;
                content.pictures_without_alt += usize::from(alt.trim().is_empty());
                content.moving_pictures += usize::from(pictures.moving.contains(&src));
                context! { src => src, alt => alt }
            });
            entries.push(context! {
                href => chapter_file(i),
                title => title,
                lang => reading.langs[i].as_deref(),
                byline => locale.byline(&doc.meta.authors, 0),
                date => doc.meta.date.map(|d| locale.date(d.day(), Precision::Day)),
                summary => digest::summary(doc),
                reading_time => locale.reading_time(digest::Length::of(doc).minutes()),
                thumbnail => thumbnail,
            });
        }
        self.templates.render(
            "section-index.xhtml",
            context! {
                lang => book.lang.clone(),
                heading => heading,
                count => locale.post_count(articles.len()),
                articles => entries,
                kobo => self.kobo,
            },
        )
    }

    /// A post's chapter, rendered in `mode`.
    fn chapter(
        &self,
        doc: &Document,
        book: &Book,
        post_lang: Option<&str>,
        hrefs: &HashMap<String, Option<String>>,
        chapters: &HashMap<PathBuf, (String, Anchors)>,
        mode: Mode,
    ) -> Result<Chapter> {
        let locale = book.locale();
        let base = doc
            .meta
            .source
            .as_deref()
            .and_then(|s| url::Url::parse(s).ok());
        let image_href = |src: &str| hrefs.get(src).cloned().flatten();
        let post_href = |url: &str| {
            let target = crate::relink::post_target(&doc.meta.path, url)?;
            Some(
                chapters
                    .get(&target)
                    .map(|(file, anchors)| (file.as_str(), anchors)),
            )
        };
        let kobo = xhtml::KoboSpans::default();
        let own = std::path::absolute(&doc.meta.path)
            .ok()
            .and_then(|p| chapters.get(&crate::relink::normalize(&p)));
        let made;
        let anchors = match own {
            Some((_, anchors)) => anchors,
            None => {
                made = Anchors::of(&doc.blocks, Some(CHAPTER_TOP));
                &made
            }
        };
        let ctx = Context {
            image_href: &image_href,
            base: base.as_ref(),
            post_href: &post_href,
            image_label: locale.label(Label::Image),
            kobo: self.kobo.then_some(&kobo),
            highlight: self.highlight && mode == Mode::Normal,
            mathml: mode == Mode::Normal,
            anchors,
            found: Found::default(),
        };
        // The heading shows the title's markup when it has some (`<code>` in a title). It is
        // rendered before the body, with the body's context: a footnote in it is the chapter's
        // first, listed with the body's at its end.
        let mut heading = String::new();
        match doc.meta.title_markup.is_empty() || mode == Mode::Plain {
            true => crate::xml::escape_into(&doc.display_title(), &mut heading),
            false => xhtml::inlines(&doc.meta.title_markup, &ctx, &mut heading),
        }
        let mut body = String::new();
        match mode {
            Mode::Plain => xhtml::plain_body(&doc.blocks, &mut body),
            _ => xhtml::body(&doc.blocks, &ctx, 1, &mut body),
        }
        if test_hook_breaks(mode) {
            body.push_str("<p>&nbsp;</p>");
        }
        let source = doc
            .meta
            .source
            .as_deref()
            .and_then(|s| xhtml::safe_href(s, None));
        let date = doc.meta.date.map(|d| locale.date(d.day(), Precision::Day));
        // The day it was last changed, when that is another day.
        let updated = doc
            .meta
            .updated
            .filter(|u| doc.meta.date.is_none_or(|d| d.day() != u.day()))
            .map(|u| locale.date(u.day(), Precision::Day));
        // Categories, then tags; a name already shown (a news site is often both the author and
        // the category) is not repeated.
        let mut tags: Vec<String> = Vec::new();
        for t in doc.meta.categories.iter().chain(&doc.meta.tags) {
            if !tags.contains(t) && !doc.meta.authors.contains(t) {
                tags.push(t.clone());
            }
        }
        let page = self.templates.render(
            "chapter.xhtml",
            context! {
                lang => book.lang.clone(),
                post_lang => post_lang,
                title => doc.display_title(),
                heading => minijinja::Value::from_safe_string(heading),
                date => date,
                updated => updated,
                updated_label => locale.label(Label::Updated),
                authors => doc.meta.authors.clone(),
                tags => tags,
                source => source,
                source_label => locale.label(Label::OriginalArticle),
                body => minijinja::Value::from_safe_string(body),
                kobo => self.kobo,
            },
        )?;
        Ok(Chapter {
            page,
            math: ctx.found.math.get(),
            footnotes: ctx.found.has_notes(),
            warnings: ctx.found.warnings.into_inner(),
        })
    }
}

/// A post's rendered chapter page, and what rendering found.
struct Chapter {
    page: String,
    /// It has MathML.
    math: bool,
    /// It has footnotes.
    footnotes: bool,
    warnings: Vec<Warning>,
}

/// What the chapter that went into the book holds, for the accessibility metadata.
#[derive(Debug, Default, Clone, Copy)]
struct Holds {
    math: bool,
    footnotes: bool,
}

/// The language of a post, for its chapter's `<section>`, when it is another language than
/// the book's: the post's `own` (its front matter's, else detected from its text: see
/// [`crate::write::PostLangs`]), so an English post in a Chinese book is read, hyphenated and
/// spoken as English. `None` when the post is in the book's language (whatever the spelling of
/// its tag: `zh` in a `zh-Hans` book).
fn post_lang(own: Option<&str>, book_lang: &str) -> Option<String> {
    let primary = |tag: &str| {
        tag.split('-')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    own.filter(|own| !own.is_empty() && primary(own) != primary(book_lang))
        .map(str::to_string)
}

/// The id of a chapter's top (`<section id="post">` in `chapter.xhtml`), which links to a post
/// lead to.
const CHAPTER_TOP: &str = "post";

/// How a chapter is rendered: normally, or again to repair a chapter that failed the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Normal,
    /// Formulas as their TeX in `<code>`, code unhighlighted: what other crates' output
    /// could have broken.
    Safe,
    /// The post as paragraphs of its plain text.
    Plain,
}

/// Adds a post's chapter (`render` renders it in a [`Mode`]) to the package, through the
/// gate; returns the post's warnings. A chapter that fails the gate is a bug: it stops debug
/// builds and tests; release builds render it again in the safe mode, then as plain text,
/// with an `invalid-xml` warning, and refuse the book only if even that fails.
fn add_chapter(
    package: &mut Package,
    file: &str,
    render: &dyn Fn(Mode) -> Result<Chapter>,
) -> Result<(Vec<Warning>, Holds)> {
    let chapter = render(Mode::Normal)?;
    let holds = |c: &Chapter| Holds {
        math: c.math,
        footnotes: c.footnotes,
    };
    let Err(error) = package.try_add_page(file, &chapter.page, chapter.math)? else {
        let found = holds(&chapter);
        return Ok((chapter.warnings, found));
    };
    gate::failed(package.strictness(), file, &error, &chapter.page);
    for (mode, how) in [
        (Mode::Safe, "formulas shown as TeX, code unhighlighted"),
        (Mode::Plain, "shown as plain text"),
    ] {
        let chapter = render(mode)?;
        if package
            .try_add_page(file, &chapter.page, chapter.math)?
            .is_ok()
        {
            let found = holds(&chapter);
            let mut warnings = chapter.warnings;
            warnings.push(Warning::new(
                WarningKind::InvalidXml,
                format!(
                    "{file} was not well-formed XHTML ({error}), a bug in postbook: \
                     written again with the post {how}"
                ),
            ));
            return Ok((warnings, found));
        }
    }
    anyhow::bail!(
        "{file} is not valid XHTML ({error}), even as plain text; the book is not written"
    )
}

/// An SVG picture passes the gate before any page links it; one that fails (a bug of the
/// sanitizer's) stops debug builds, and in release stays out of the book, with a warning.
fn svg_gate(
    asset: &crate::images::Asset,
    file: &str,
    strictness: Strictness,
) -> std::result::Result<(), Warning> {
    if asset.media_type != "image/svg+xml" {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&asset.bytes);
    let Err(error) = gate::check(&text) else {
        return Ok(());
    };
    gate::failed(strictness, file, &error, &text);
    Err(Warning::new(
        WarningKind::InvalidXml,
        format!("the picture {file} is not valid SVG ({error}), a bug in postbook: kept as a link"),
    ))
}

/// A test hook: `POSTBOOK_TEST_BREAK_CHAPTERS=normal` (or `safe`) makes every chapter rendered
/// in that mode (and the modes before it) ill-formed, to exercise the gate's repairs in the
/// built binary. Unset, as always outside tests, it does nothing.
fn test_hook_breaks(mode: Mode) -> bool {
    static HOOK: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let hook = HOOK.get_or_init(|| std::env::var("POSTBOOK_TEST_BREAK_CHAPTERS").ok());
    match hook.as_deref() {
        Some("normal") => mode == Mode::Normal,
        Some("safe") => mode != Mode::Plain,
        _ => false,
    }
}

/// The posts in reading order, with what their pages need of each other.
struct Reading<'r> {
    posts: &'r [&'r Document],
    /// Each post's chapter file and heading ids, by the post's file, for links between posts.
    chapters: &'r HashMap<PathBuf, (String, Anchors)>,
    /// Each post's language when it is not the book's ([`post_lang`]).
    langs: &'r [Option<String>],
}

/// What adding the posts' pages writes to: the package, and what the book holds so far.
struct Out<'o> {
    package: &'o mut Package,
    pictures: &'o mut Pictures,
    stats: &'o mut BookStats,
    content: &'o mut accessibility::Content,
}

/// The pictures stored in a book so far.
#[derive(Default)]
struct Pictures {
    /// Each distinct picture is stored once per book, named by a hash of its bytes: its href
    /// by its file name, `None` for an SVG that failed the gate (kept as a link).
    stored: HashMap<String, Option<String>>,
    /// The stored pictures that can move (GIFs, animated SVGs), by their href.
    moving: std::collections::HashSet<String>,
}

/// A section index page's thumbnail of a post (`--thumbnails`): the href of its first
/// picture that is in the book, stored now if it is not yet, and its alt text; none when the
/// post has no such picture, or it is an SVG (left to the chapter, which gates it).
fn thumbnail(
    doc: &Document,
    assets: &dyn AssetSource,
    package: &mut Package,
    pictures: &mut Pictures,
) -> Result<Option<(String, String)>> {
    let mut first = None;
    doc.for_each_image(&mut |img| {
        if first.is_some() {
            return;
        }
        if let Lookup::Found(asset) = assets.lookup(&doc.meta, &img.src) {
            first = Some((asset, img.alt.clone()));
        }
    });
    let Some((asset, alt)) = first.filter(|(a, _)| a.media_type != "image/svg+xml") else {
        return Ok(None);
    };
    let file = asset.file_name();
    if let Some(stored) = pictures.stored.get(&file) {
        return Ok(stored.clone().map(|href| (href, alt)));
    }
    let name = format!("images/{file}");
    package.add_resource(&name, &asset.bytes, asset.media_type)?;
    if accessibility::can_move(asset.media_type, &asset.bytes) {
        pictures.moving.insert(name.clone());
    }
    pictures.stored.insert(file, Some(name.clone()));
    Ok(Some((name, alt)))
}

/// The file of section number `s`'s index page (from 0).
fn section_file(s: usize) -> String {
    format!("section-{:03}.xhtml", s + 1)
}

/// The file of the chapter of the book's post number `i` (from 0).
fn chapter_file(i: usize) -> String {
    format!("post-{:04}.xhtml", i + 1)
}

/// The book's metadata for the OPF: identity from the group key, dates from the posts.
fn metadata(book: &Book, credits: &Credits, dates: &[PostDate]) -> Metadata {
    let locale = book.locale();
    let uuid = uuid::Uuid::new_v5(&BOOK_NAMESPACE, book.key.as_bytes());
    // Reproducible builds: the modification date is the newest post's unless the standard
    // SOURCE_DATE_EPOCH says otherwise.
    let modified = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| DateTime::from_timestamp(s, 0))
        .or_else(|| dates.iter().max().map(utc))
        .unwrap_or(DateTime::UNIX_EPOCH);
    let mut subjects: Vec<String> = Vec::new();
    for d in &book.posts {
        for s in d.meta.categories.iter().chain(&d.meta.tags) {
            if !subjects.contains(s) {
                subjects.push(s.clone());
            }
        }
    }
    Metadata {
        identifier: uuid::fmt::Urn::from_uuid(uuid).to_string(),
        title: book.title.clone(),
        lang: book.lang.clone(),
        creators: credits.creators.clone(),
        contributors: credits.contributors.clone(),
        published: dates.iter().max().map(utc),
        modified,
        description: locale.description(book.posts.len(), date_range(dates, locale).as_deref()),
        subjects,
        sources: origins(book),
        series: book.series.clone(),
        accessibility: Vec::new(),
    }
}

/// `dc:source`: the sites the posts come from (the origin of each source URL, at most 12), so
/// a library can tell where a collection was taken from.
fn origins(book: &Book) -> Vec<String> {
    let mut origins: Vec<String> = Vec::new();
    for doc in &book.posts {
        let origin = doc
            .meta
            .source
            .as_deref()
            .and_then(|s| url::Url::parse(s).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(|u| u.origin().ascii_serialization() + "/");
        if let Some(o) = origin.filter(|o| !origins.contains(o)) {
            origins.push(o);
        }
        if origins.len() == 12 {
            break;
        }
    }
    origins
}

fn landmark(kind: &'static str, href: &str, title: &str) -> Landmark {
    Landmark {
        kind,
        href: href.into(),
        title: title.into(),
    }
}

fn utc(d: &PostDate) -> DateTime<Utc> {
    match d {
        PostDate::Day(day) => day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
        PostDate::Instant(t) => t.with_timezone(&Utc),
    }
}

/// Draws the cover from the book's metadata. Characters the cover font lacks are drawn as boxes
/// and reported as a warning on the book's first post (a book has no path of its own).
fn generated_cover(
    glyphs: &cover::GlyphCache,
    book: &Book,
    credits: &Credits,
    dates: &[PostDate],
    stats: &mut BookStats,
) -> Asset {
    let locale = book.locale();
    let text = CoverText {
        title: book.title.clone(),
        dates: date_range(dates, locale),
        byline: credits.byline(locale),
        count: locale.post_count(book.posts.len()),
    };
    let shown = format!("{}{}", text.title, text.byline.as_deref().unwrap_or(""));
    let missing: String = cover::missing_glyphs(&shown).into_iter().collect();
    if let (false, Some(first)) = (missing.is_empty(), book.posts.first()) {
        stats.warnings.push((
            first.meta.path.clone(),
            Warning::new(
                WarningKind::CoverGlyphs,
                format!(
                    "the cover font has no glyph for {missing:?}: drawn as boxes on the cover of {:?}",
                    book.title
                ),
            ),
        ));
    }
    cover::render(&text, glyphs)
}

/// The days a book's posts span; none for undated books.
fn date_range(dates: &[PostDate], locale: Locale) -> Option<String> {
    let first = dates.iter().min()?.day();
    let last = dates.iter().max()?.day();
    Some(locale.date_range(first, last))
}

/// Who a book credits for its posts.
///
/// An anthology of 20 sources names all 20, in two tiers: the book's authors (`dc:creator`,
/// the cover and the title page's author line) stay few, so a library's author field and a
/// cover stay readable; every other author of a post is a contributor (`dc:contributor`, role
/// `ctb`), counted on the author line (`A, B, C and 17 more`) and listed in full, in small type,
/// on the title page.
struct Credits {
    creators: Vec<String>,
    /// Every author of a post who is not a creator, most posts first (ties in reading order).
    contributors: Vec<String>,
}

impl Credits {
    fn of(book: &Book) -> Credits {
        let mut counts: Vec<(&String, usize)> = Vec::new();
        for a in book.posts.iter().flat_map(|d| &d.meta.authors) {
            match counts.iter_mut().find(|(x, _)| *x == a) {
                Some((_, n)) => *n += 1,
                None => counts.push((a, 1)),
            }
        }
        // Stable: authors with as many posts keep their order of appearance.
        counts.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
        Credits {
            creators: book.authors.clone(),
            contributors: counts
                .into_iter()
                .map(|(a, _)| a.clone())
                .filter(|a| !book.authors.contains(a))
                .collect(),
        }
    }

    /// Whether `name` is credited, as creator or contributor.
    fn credits(&self, name: &str) -> bool {
        self.creators
            .iter()
            .chain(&self.contributors)
            .any(|c| c == name)
    }

    /// The author line of the title page and the cover (see [`Locale::byline`]).
    fn byline(&self, locale: Locale) -> Option<String> {
        locale.byline(&self.creators, self.contributors.len())
    }
}

/// Where the posts come from, for the title page: the publications (a post's first category)
/// not already credited as authors, then the sites (host names), each once.
fn sources(book: &Book, credits: &Credits) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let names = book.posts.iter().filter_map(|d| {
        d.meta
            .categories
            .first()
            .filter(|n| !credits.credits(n))
            .cloned()
    });
    let hosts = book.posts.iter().filter_map(|d| {
        let url = url::Url::parse(d.meta.source.as_deref()?).ok()?;
        Some(url.host_str()?.to_string())
    });
    for source in names.chain(hosts) {
        if !out.contains(&source) {
            out.push(source);
        }
    }
    out
}

impl super::Writer for EpubWriter<'_> {
    fn name(&self) -> &'static str {
        "EPUB"
    }

    fn extension(&self) -> &'static str {
        // Kobo readers pick their own renderer (sentence spans, reading statistics) by this name.
        if self.kobo {
            "kepub.epub"
        } else {
            "epub"
        }
    }

    fn unit(&self) -> super::Unit {
        super::Unit::Book
    }

    fn render_output(&self, book: &Book, assets: &dyn AssetSource) -> Result<(Vec<u8>, BookStats)> {
        self.render(book, assets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body>\
        <section id=\"post\"><p>x</p></section></body></html>";
    const BROKEN: &str = "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body>\
        <section id=\"post\"><p>&nbsp;</p></section></body></html>";

    fn page(page: &str) -> Result<Chapter> {
        Ok(Chapter {
            page: page.to_string(),
            math: false,
            footnotes: false,
            warnings: Vec::new(),
        })
    }

    fn package() -> Package {
        Package::new(DateTime::UNIX_EPOCH).repairing()
    }

    /// Release builds: a chapter that fails the gate is rendered again in the safe mode, then
    /// as plain text, with a warning saying which; when nothing passes, the book is refused.
    #[test]
    fn a_chapter_that_fails_the_gate_is_rendered_again_safe_then_plain() {
        for (good_from, how) in [
            (
                Mode::Safe,
                "with the post formulas shown as TeX, code unhighlighted",
            ),
            (Mode::Plain, "with the post shown as plain text"),
        ] {
            let mut package = package();
            let render = |mode: Mode| {
                let repaired = mode == good_from || mode == Mode::Plain;
                page(if repaired { GOOD } else { BROKEN })
            };
            let (warnings, _) = add_chapter(&mut package, "post-0001.xhtml", &render).unwrap();
            assert_eq!(warnings.len(), 1, "{warnings:?}");
            assert_eq!(warnings[0].kind, WarningKind::InvalidXml);
            let message = &warnings[0].message;
            assert!(
                message.starts_with("post-0001.xhtml was not well-formed XHTML (unknown entity"),
                "{message}"
            );
            assert!(message.ends_with(how), "{message}");
        }
        let mut package = package();
        let err = add_chapter(&mut package, "post-0001.xhtml", &|_| page(BROKEN)).unwrap_err();
        assert!(
            err.to_string()
                .contains("even as plain text; the book is not written"),
            "{err}"
        );
    }

    /// A category book whose sub-categories interleave reads its posts in the sections' order,
    /// not the book's: each chapter still gets its own post's language.
    #[test]
    fn chapters_in_section_order_get_their_own_posts_language() {
        struct NoPictures;
        impl AssetSource for NoPictures {
            fn lookup(&self, _: &crate::model::Meta, _: &str) -> Lookup {
                Lookup::NotLocal
            }
        }
        let post = |name: &str, category: &str, text: &str| Document {
            meta: crate::model::Meta {
                title: name.into(),
                categories: vec![category.into()],
                path: crate::model::PostPath::from(std::path::Path::new(name)),
                ..Default::default()
            },
            blocks: vec![crate::model::Block::Paragraph(vec![
                crate::model::Inline::Text(text.into()),
            ])],
        };
        let zh = "中国国家主席习近平星期三在北京人民大会堂会见访华的俄罗斯总理米舒斯京。";
        let en = "The quick brown fox jumps over the lazy dog while the cat sleeps in the sun.";
        // In the book's order: 国内, 国际, 国内. Read in sections: 国内, 国内, 国际.
        let posts = [
            post("a.md", "新闻 › 国内", zh),
            post("b.md", "新闻 › 国际", en),
            post("c.md", "新闻 › 国内", zh),
        ];
        let book = Book {
            key: "category:新闻".into(),
            title: "新闻".into(),
            authors: Vec::new(),
            lang: "zh".into(),
            posts: posts.iter().collect(),
            post_langs: super::super::PostLangs::new(posts.len()),
            cover: Cover::None,
            series: None,
            sections: sections::SectionBy::SubCategories("新闻".into()),
        };
        // Told in the book's order first, as the book's language (their majority) asks them.
        let told: Vec<_> = (0..posts.len()).map(|i| book.post_lang(i)).collect();
        assert_eq!(told, [Some("zh"), Some("en"), Some("zh")]);
        let templates = Templates::load(None, None).unwrap();
        let writer = EpubWriter {
            templates: &templates,
            kobo: false,
            highlight: true,
            section_index: SectionIndex::Always,
            thumbnails: false,
            cover_glyphs: Default::default(),
        };
        let (bytes, _) = writer.render(&book, &NoPictures).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let chapter = |zip: &mut zip::ZipArchive<_>, n: usize| {
            let mut text = String::new();
            let name = format!("OEBPS/{}", chapter_file(n));
            std::io::Read::read_to_string(&mut zip.by_name(&name).unwrap(), &mut text).unwrap();
            text
        };
        let english = "<section epub:type=\"chapter\" id=\"post\" lang=\"en\"";
        let (second, third) = (chapter(&mut zip, 1), chapter(&mut zip, 2));
        assert!(
            second.contains("国家主席") && !second.contains(english),
            "{second}"
        );
        assert!(
            third.contains("quick brown fox") && third.contains(english),
            "{third}"
        );
    }

    /// Debug builds and tests: the same chapter is a bug, and stops there.
    #[test]
    #[should_panic(expected = "postbook wrote an invalid document post-0001.xhtml (unknown entity")]
    fn in_tests_a_chapter_that_fails_the_gate_stops() {
        let mut package = Package::new(DateTime::UNIX_EPOCH);
        let _ = add_chapter(&mut package, "post-0001.xhtml", &|_| page(BROKEN));
    }
}
