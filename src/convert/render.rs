//! Render: one planned output from its posts — held in memory, or from the spill when streaming —
//! and their pictures, by the format's [`Writer`]. Books get their language, authors and cover
//! here; notes get their links and pictures pointed at where the note is written.

use super::passes::PostPasses;
use super::plan::{book_authors, docs_at, Plan, Planned};
use super::prepare::remove_tracking_pixels;
use super::spill::Spill;
use crate::group::GroupBy;
use crate::images::{self, AssetSource, ImageCounts, ImageOptions, ImagePolicy, ImageStore};
use crate::images::{Asset, Lookup};
use crate::isolate;
use crate::lang;
use crate::model::{Document, Image, Meta, PostPath};
use crate::options::{Format, LinkStyle, NoteOptions, NoteStyle, Options, UsageError};
use crate::read::{read_post_with, ReadOptions};
use crate::templates::Templates;
use crate::write::epub::EpubWriter;
use crate::write::markdown::MarkdownWriter;
use crate::write::sections::SectionBy;
use crate::write::text::TextWriter;
use crate::write::{Book, BookStats, Cover, PostLangs, Unit, Writer};
use anyhow::Result;
use indicatif::ProgressBar;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A streaming run hands the memory a book freed back to the system only after a book at
/// least this large (its file; a 1 MB book is a few hundred posts). Handing it back costs the
/// next book a page fault for each page it touches again: after every book of 4,000 posts in
/// 240 monthly books of 17 posts (120 KB), that was 270,000 page faults against 35,000 held in
/// memory, and 0.7 s more system time (0.9 s against 0.2 s, beside about 6 s of user time)
/// for a peak about 20 MB lower. The 240 books of 100,000 posts (1.1–3.1 MB each) still hand
/// their memory back after each book: there the peak is the end of reading, not the books.
const RELEASE_AFTER: usize = 1 << 20;

/// The templates a format renders with: EPUB's (`--templates`, `--css`); none for the others.
pub(crate) fn templates(opts: &Options) -> Result<Option<Templates>> {
    match opts.format {
        Format::Epub => Ok(Some(Templates::load(
            opts.templates.as_deref(),
            opts.css.as_deref(),
        )?)),
        Format::Markdown | Format::Text => Ok(None),
    }
}

/// The writer of `opts.format`: the one place a format is matched to its writer (a new writer
/// is a file in `write/` and a line here).
pub(crate) fn writer<'t>(opts: &Options, templates: Option<&'t Templates>) -> Box<dyn Writer + 't> {
    match (opts.format, templates) {
        (Format::Markdown, _) => Box::new(MarkdownWriter::for_notes(
            &opts.notes,
            opts.images.policy == ImagePolicy::Embed,
        )),
        (Format::Text, _) => Box::new(TextWriter { wrap: opts.wrap }),
        (Format::Epub, Some(templates)) => Box::new(EpubWriter {
            templates,
            kobo: opts.kepub,
            highlight: !opts.no_highlight,
            section_index: opts.section_index,
            thumbnails: opts.thumbnails,
            cover_glyphs: Default::default(),
        }),
        (Format::Epub, None) => unreachable!("EPUB templates are loaded by `templates`"),
    }
}

/// What a book is given besides its posts: `--author`, `--lang` and the cover options.
#[derive(Default)]
pub(crate) struct BookOptions {
    pub author: Option<String>,
    pub lang: Option<String>,
    /// `--cover FILE`, loaded.
    pub cover: Option<Arc<Asset>>,
    pub auto_cover: bool,
    pub no_cover: bool,
    /// What the books are groups of, which decides their sections (`None` for notes).
    pub group_by: Option<GroupBy>,
}

impl BookOptions {
    /// The book options of `opts`, with the `--cover` picture loaded (a usage error if it
    /// cannot be).
    pub(crate) fn new(opts: &Options) -> Result<BookOptions> {
        let cover = match &opts.cover {
            Some(path) => Some(
                images::load_file(path, &opts.images.process)
                    .map_err(|e| UsageError(e.to_string()))?,
            ),
            None => None,
        };
        Ok(BookOptions {
            author: opts.author.clone(),
            lang: opts.lang.clone(),
            cover,
            auto_cover: opts.auto_cover,
            no_cover: opts.no_cover,
            group_by: Some(opts.group_by()),
        })
    }
}

/// How a streamed output's posts are read again: as they were read the first time, then
/// through the same post passes as posts held in memory.
pub(crate) struct Reload<'a> {
    pub read: ReadOptions<'a>,
    /// Boilerplate and `--images strip` (a streamed post's other chrome was listed by `-v`
    /// when it was first read).
    pub passes: PostPasses<'a>,
    /// For a streamed book's own pictures.
    pub image_root: PathBuf,
    pub images: &'a ImageOptions,
    /// The posts as the run read them, decoded instead of read again.
    pub spill: Option<&'a Spill>,
}

impl<'a> Reload<'a> {
    pub(crate) fn new(
        opts: &'a Options,
        read: ReadOptions<'a>,
        passes: PostPasses<'a>,
        spill: Option<&'a Spill>,
    ) -> Reload<'a> {
        Reload {
            read,
            passes,
            image_root: opts.image_root(),
            images: &opts.images,
            spill,
        }
    }

    /// A post for a streamed output, through the post passes: from the spill, or read again
    /// (a post whose metadata came from the cache, or when the spill was given up).
    fn post(&self, path: &Path) -> Result<Document> {
        let (mut doc, from_web_page) = match self.spill.and_then(|s| s.post(path)) {
            Some(spilled) => spilled,
            None => {
                let post = read_post_with(path, self.read).map_err(|e| {
                    anyhow::anyhow!("{} changed while converting: {e}", path.display())
                })?;
                (post.doc, post.from_web_page)
            }
        };
        self.passes.apply(&mut doc, from_web_page);
        Ok(doc)
    }

    /// Reads a streamed book's posts again in full and prepares their pictures.
    fn book(&self, paths: &[PostPath]) -> Result<(Vec<Document>, ImageStore)> {
        // In parallel too: a book much bigger than the others would otherwise finish the run
        // alone.
        let mut docs = paths
            .par_iter()
            .map(|path| self.post(path))
            .collect::<Result<Vec<_>>>()?;
        let refs: Vec<&Document> = docs.iter().collect();
        let store =
            ImageStore::prepare(&refs, &self.image_root, self.images, &ProgressBar::hidden())
                .map_err(|e| anyhow::anyhow!("cannot prepare images: {e}"))?;
        remove_tracking_pixels(&mut docs, &store);
        Ok((docs, store))
    }
}

/// Renders planned outputs (from any thread).
pub(crate) struct Renderer<'a> {
    pub writer: &'a dyn Writer,
    /// The output folder.
    pub dir: &'a Path,
    /// The posts, when held in memory (sorted by path); empty when streaming.
    pub docs: &'a [Document],
    pub streaming: bool,
    /// The pictures prepared for the whole run, if any.
    pub store: Option<&'a ImageStore>,
    pub plan: &'a Plan,
    pub book: BookOptions,
    pub reload: Reload<'a>,
    /// `--images keep`: notes show local pictures from where they are, found under this root.
    pub kept_pictures: Option<PathBuf>,
    /// The root `/absolute` paths are under: notes link the local files their links name
    /// (a PDF beside a post) where they are, whatever becomes of pictures.
    pub file_root: PathBuf,
    /// Where notes and saved pictures are, and the names note apps find notes by.
    pub notes: &'a NoteOptions,
    /// What streamed books' own picture stores did.
    pub streamed_images: Mutex<ImageCounts>,
}

/// The asset source of outputs that show no prepared pictures.
struct NoPictures;

impl AssetSource for NoPictures {
    fn lookup(&self, _: &Meta, _: &str) -> Lookup {
        Lookup::NotLocal
    }
}

impl Renderer<'_> {
    /// Renders one planned output: a saved picture's bytes, or the writer's rendering of its
    /// posts. A panic (a bug) fails this output alone, with its file name (see [`isolate`]).
    pub(crate) fn render(&self, plan: &Planned) -> Result<(Vec<u8>, BookStats)> {
        isolate::catch(|| {
            for post in &plan.posts {
                isolate::fault_point("render", post);
            }
            self.render_output(plan)
        })
        .unwrap_or_else(|bug| Err(anyhow::anyhow!("{}: {bug}", plan.path.display())))
    }

    fn render_output(&self, plan: &Planned) -> Result<(Vec<u8>, BookStats)> {
        if let Some(asset) = &plan.asset {
            return Ok((asset.bytes.clone(), BookStats::default()));
        }
        let (loaded, own_store);
        let (posts, store) = match self.streaming {
            false => (docs_at(self.docs, &plan.posts), self.store),
            true if self.writer.unit() == Unit::Book => {
                (loaded, own_store) = self.reload.book(&plan.posts)?;
                let mut counts = self
                    .streamed_images
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                *counts += &own_store.counts;
                (loaded.iter().collect(), Some(&own_store))
            }
            true => {
                loaded = vec![self.reload.post(&plan.posts[0])?];
                (loaded.iter().collect(), None)
            }
        };
        let assets: &dyn AssetSource = match store {
            Some(store) => store,
            None => &NoPictures,
        };
        let (bytes, mut stats) = match self.writer.unit() {
            Unit::Book => {
                let book = self.book(plan, posts, store);
                self.writer.render_output(&book, assets)?
            }
            Unit::Post => {
                let note = self.note(plan, posts[0], store);
                let post = note.as_ref().unwrap_or(posts[0]);
                self.writer.render_output(&Book::of_post(post), assets)?
            }
        };
        stats.incomplete |= plan.incomplete;
        if self.streaming && self.writer.unit() == Unit::Book && bytes.len() >= RELEASE_AFTER {
            // This output's posts and pictures were just freed.
            crate::memory::release_free_memory();
        }
        Ok((bytes, stats))
    }

    /// A planned book with its language, authors and cover.
    fn book<'d>(
        &self,
        plan: &Planned,
        posts: Vec<&'d Document>,
        store: Option<&ImageStore>,
    ) -> Book<'d> {
        let opts = &self.book;
        // A multilingual site's edition is in its language, whatever its posts quote.
        let edition = posts.first().and_then(|d| d.meta.site_language.as_deref());
        let edition = edition.filter(|&e| {
            posts
                .iter()
                .all(|d| d.meta.site_language.as_deref() == Some(e))
        });
        let post_langs = PostLangs::new(posts.len());
        let lang = edition
            .map(str::to_string)
            .or_else(|| opts.lang.clone())
            .unwrap_or_else(|| {
                lang::majority(posts.iter().enumerate().map(|(i, d)| post_langs.of(i, d)))
            });
        let authors = match &opts.author {
            Some(a) => vec![a.clone()],
            None => book_authors(&posts),
        };
        let picture = opts.cover.clone().or_else(|| {
            let store = store.filter(|_| opts.auto_cover)?;
            landscape_picture(&posts, store)
        });
        let cover = match picture {
            Some(picture) => Cover::Picture(picture),
            None if opts.no_cover => Cover::None,
            None => Cover::Generated,
        };
        let key = plan.key.clone().unwrap_or_default();
        Book {
            sections: SectionBy::of_group(opts.group_by.unwrap_or(GroupBy::None), &key),
            key,
            title: plan.title.clone().unwrap_or_default(),
            authors,
            lang,
            posts,
            post_langs,
            cover,
            series: plan.series.clone(),
        }
    }

    /// A copy of a note's post with its links and pictures pointed at where the note is
    /// written: pictures saved in the attachments folder, other posts' notes, kept local
    /// pictures, the post's web site (see [`crate::relink::for_note`]); and with the names a
    /// note app finds it by ([`Renderer::with_aliases`]). `None` when the post needs no change.
    fn note(&self, plan: &Planned, doc: &Document, store: Option<&ImageStore>) -> Option<Document> {
        let note = std::path::absolute(&plan.path).unwrap_or_else(|_| plan.path.clone());
        let depth = plan
            .path
            .parent()
            .and_then(|p| p.strip_prefix(self.dir).ok())
            .map_or(0, |p| p.components().count());
        let attachments = crate::relink::path_to_url(self.notes.attachments_dir());
        let saved = |img: &Image| match store?.lookup(&doc.meta, &img.src) {
            Lookup::Found(asset) => {
                let up = "../".repeat(depth);
                Some(format!("{up}{attachments}/{}", asset.file_name()))
            }
            _ => None,
        };
        let targets = crate::relink::NoteTargets {
            note: &note,
            note_of: &|post: &Path| self.plan.note_of.get(post).cloned(),
            pictures: self.kept_pictures.as_deref(),
            files: Some(&self.file_root),
            saved: (store.is_some() && self.plan.assets_saved).then_some(&saved),
        };
        let relinked = crate::relink::for_note(doc, &targets);
        self.with_aliases(plan, doc, relinked)
    }

    /// `note` (or a copy of `doc`, when `None`) with the other name a note app finds it by,
    /// when its file name is not its title: Obsidian (`--links wikilinks`) offers the title
    /// for `aliases`, so `[[Original Title]]` finds the note; a Logseq page is named by its
    /// `title::`, and its file name becomes an `alias::`, which the page references postbook
    /// writes (`[[file-name]]`) resolve through. A post's own `aliases`/`alias` are kept, the
    /// name added to them.
    fn with_aliases(
        &self,
        plan: &Planned,
        doc: &Document,
        note: Option<Document>,
    ) -> Option<Document> {
        let stem = plan.path.file_stem().map(|s| s.to_string_lossy());
        let title = doc.meta.title.trim();
        let (Some(stem), false) = (stem, title.is_empty()) else {
            return note;
        };
        let (key, name) = match (self.notes.style, self.notes.links) {
            (NoteStyle::Logseq, _) => ("alias", stem.to_string()),
            (NoteStyle::FrontMatter, LinkStyle::Wikilinks) => ("aliases", title.to_string()),
            (NoteStyle::FrontMatter, LinkStyle::Markdown) => return note,
        };
        if stem == title {
            return note;
        }
        let mut note = note.unwrap_or_else(|| doc.clone());
        add_alias(&mut note.meta.extra, key, name);
        Some(note)
    }
}

/// Adds `name` to the front matter list `key` of `extra` (made a list if it was one value),
/// unless it is there already.
fn add_alias(extra: &mut Vec<(String, serde_json::Value)>, key: &str, name: String) {
    use serde_json::Value;
    let name = Value::String(name);
    match extra.iter_mut().find(|(k, _)| k == key) {
        Some((_, Value::Array(names))) => {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        Some((_, one)) if *one == name => {}
        Some((_, one)) if one.is_null() => *one = Value::Array(vec![name]),
        Some((_, one)) => *one = Value::Array(vec![one.take(), name]),
        None => extra.push((key.to_string(), Value::Array(vec![name]))),
    }
}

/// The first picture of a book wide enough to make a cover (`--auto-cover`): landscape and at
/// least 600 pixels wide, so it is neither an icon nor a portrait crop.
fn landscape_picture(posts: &[&Document], store: &ImageStore) -> Option<Arc<Asset>> {
    let mut found = None;
    for doc in posts {
        doc.for_each_image(&mut |img| {
            if found.is_some() {
                return;
            }
            if let Lookup::Found(a) = store.lookup(&doc.meta, &img.src) {
                if a.dimensions.is_some_and(|(w, h)| w > h && w >= 600) {
                    found = Some(a);
                }
            }
        });
        if found.is_some() {
            break;
        }
    }
    found
}

/// Renders a note of `doc` as it is, with no pictures (`-o -`).
pub(crate) fn alone(writer: &dyn Writer, doc: &Document) -> Result<(Vec<u8>, BookStats)> {
    isolate::catch(|| {
        isolate::fault_point("render", &doc.meta.path);
        // Only the post's site-relative references change: no other note, no saved picture.
        let targets = crate::relink::NoteTargets {
            note: Path::new("-"),
            note_of: &|_| None,
            pictures: None,
            files: None,
            saved: None,
        };
        let web = crate::relink::for_note(doc, &targets);
        writer.render_output(&Book::of_post(web.as_ref().unwrap_or(doc)), &NoPictures)
    })
    .unwrap_or_else(|bug| Err(anyhow::anyhow!("{}: {bug}", doc.meta.path.display())))
}
