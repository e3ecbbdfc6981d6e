//! Plan: decide every output before anything is written — which posts are kept (drafts,
//! filters, duplicates), how they are grouped and ordered, each output's title, series, file
//! name and fingerprint. Planning first is what makes `--dry-run` exact and lets rendering run
//! in parallel.

use super::report::{post_warning, record_titles, Report, SplitRecord, VolumeRecord};
use super::volumes::{self, Limit};
use crate::group::{GroupBy, GroupKey};
use crate::images::{self, AssetSource, ImageStore, Lookup};
use crate::incremental::Fingerprints;
use crate::input::jekyll_name;
use crate::lang;
use crate::locale::Locale;
use crate::model::{Document, Meta, PostPath};
use crate::options::{Filters, NoteOptions, Options, TitlePattern, Verbosity};
use crate::output::{safe_file_stem, NameAllocator};
use crate::write::Unit;
use rayon::prelude::*;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What becomes of a post that was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Converted.
    Keep,
    /// Unpublished (a draft, or a page its site does not publish, by why), and `--drafts`
    /// was not given.
    Draft(crate::model::LeftOut),
    /// Left out by `--since`, `--until`, `--category` or `--tag`, or by `--lang` (a post of
    /// another language edition of a multilingual site).
    Filtered,
    /// `--dedupe`: the same article as this earlier post.
    Duplicate(PostPath),
}

/// Which posts are converted: drafts, filters and `--dedupe`, decided as posts are read.
pub(crate) struct Selection<'o> {
    drafts: bool,
    /// `--lang`: on a multilingual site, the language edition converted.
    lang: Option<&'o str>,
    filters: &'o Filters,
    dedupe: bool,
    /// `--dedupe`: the first post (in path order) with each key.
    firsts: HashMap<String, PostPath>,
    /// The time of the run (Unix seconds): what future and expired posts are judged by.
    now: i64,
}

impl<'o> Selection<'o> {
    pub(crate) fn new(opts: &'o Options) -> Selection<'o> {
        Selection {
            drafts: opts.drafts,
            lang: opts.lang.as_deref(),
            filters: &opts.filters,
            dedupe: opts.dedupe,
            firsts: HashMap::new(),
            now: chrono::Utc::now().timestamp(),
        }
    }

    /// The verdict on the post `doc`; posts must come in path order (the first of duplicates
    /// is kept).
    pub(crate) fn judge(&mut self, doc: &Document) -> Verdict {
        if let Some(why) = doc.meta.left_out(self.now).filter(|_| !self.drafts) {
            return Verdict::Draft(why);
        }
        if self.filters.is_active() && !self.filters.accepts(doc) {
            return Verdict::Filtered;
        }
        if let (Some(want), Some(edition)) = (self.lang, doc.meta.site_language.as_deref()) {
            if !crate::lang::same_language(want, edition) {
                return Verdict::Filtered;
            }
        }
        // Computed only for `--dedupe`: parsing every source URL was 8% of an unchanged re-run.
        match self.dedupe.then(|| duplicate_key(&doc.meta)).flatten() {
            Some(key) => match self.firsts.entry(key) {
                Entry::Occupied(first) => Verdict::Duplicate(first.get().clone()),
                Entry::Vacant(slot) => {
                    slot.insert(doc.meta.path.clone());
                    Verdict::Keep
                }
            },
            None => Verdict::Keep,
        }
    }
}

/// What makes two posts the same article for `--dedupe`: the same source URL, compared with
/// scheme and host in lowercase, without the `#fragment` and without a trailing `/`; or, for
/// posts without a source, the same title on the same day. Posts without a source and without a
/// title or date have no key and are never duplicates. The first post in path order is kept.
pub fn duplicate_key(meta: &Meta) -> Option<String> {
    if let Some(source) = meta
        .source
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let url = match url::Url::parse(source) {
            Ok(u) => {
                let host = u.host_str().unwrap_or_default().to_lowercase();
                let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
                let path = u.path().trim_end_matches('/');
                let query = u.query().map(|q| format!("?{q}")).unwrap_or_default();
                format!("{}://{host}{port}{path}{query}", u.scheme())
            }
            Err(_) => source
                .split('#')
                .next()
                .unwrap_or_default()
                .trim_end_matches('/')
                .into(),
        };
        return Some(format!("source {url}"));
    }
    let title = meta.title.trim();
    let day = meta.date.map(|d| d.day())?;
    (!title.is_empty()).then(|| format!("title {day} {title}"))
}

/// What book titles are made from: the options that name the collection and its language.
#[derive(Clone)]
pub(crate) struct Titling<'o> {
    /// `--title`.
    pub title: Option<&'o str>,
    /// `--title-pattern`.
    pub pattern: Option<&'o TitlePattern>,
    /// `--lang`.
    pub lang: Option<&'o str>,
    /// The inputs: a collection without a shared name is named after the first.
    pub inputs: &'o [PathBuf],
    /// The site's own title when it is multilingual (its config's root `title`): the
    /// collection's name under `--title`, which a multilingual site's config does not fill.
    pub site_title: Option<&'o str>,
    /// The language editions of the run's multilingual sites, in the sites' order, with the
    /// title each language's config gives (none under `--title`).
    pub editions: Vec<Edition>,
}

/// One language edition of a multilingual site: its BCP 47 tag and its config's title.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Edition {
    pub tag: String,
    pub title: Option<String>,
}

impl<'o> Titling<'o> {
    pub(crate) fn new(opts: &'o Options, sites: &'o [crate::site::Site]) -> Titling<'o> {
        let multilingual = sites.iter().filter(|s| s.languages.is_multilingual());
        let mut editions: Vec<Edition> = Vec::new();
        for l in multilingual.clone().flat_map(|s| &s.languages.list) {
            if !editions.iter().any(|e| e.tag == l.tag) {
                editions.push(Edition {
                    tag: l.tag.clone(),
                    title: l.title.clone().filter(|_| opts.title.is_none()),
                });
            }
        }
        Titling {
            title: opts.title.as_deref(),
            pattern: opts.title_pattern.as_ref(),
            lang: opts.lang.as_deref(),
            inputs: &opts.inputs,
            site_title: multilingual.clone().find_map(|s| s.title.as_deref()),
            editions,
        }
    }

    /// A language edition's collection name and whether it says its language: the title the
    /// site gives itself in that language when no other edition shares it, else `collection`
    /// with the language's tag (`My Blog (zh-CN)`).
    fn edition_name(&self, tag: &str, collection: &str) -> String {
        let own = self
            .editions
            .iter()
            .find(|e| e.tag == tag)
            .and_then(|e| e.title.as_deref());
        let shared = |t: &str| {
            self.editions
                .iter()
                .filter(|e| e.title.as_deref() == Some(t))
                .count()
                > 1
        };
        match own {
            Some(t) if !shared(t) => t.to_string(),
            Some(t) => format!("{t} ({tag})"),
            None => format!("{collection} ({tag})"),
        }
    }
}

/// The posts of each language edition (see [`crate::model::Meta::site_language`]) in the
/// order of `editions`, then any other tag in name order, posts of no edition last; one part
/// with every post when none is of an edition. A multilingual site's books are always named
/// by edition, also when `--lang` leaves only one.
fn by_edition<'d>(
    docs: &'d [Document],
    editions: &[Edition],
) -> Vec<(Option<&'d str>, Vec<&'d Document>)> {
    let mut parts: BTreeMap<Option<&str>, Vec<&Document>> = BTreeMap::new();
    for doc in docs {
        parts
            .entry(doc.meta.site_language.as_deref())
            .or_default()
            .push(doc);
    }
    if parts.keys().all(Option::is_none) {
        return vec![(None, docs.iter().collect())];
    }
    let mut parts: Vec<_> = parts.into_iter().collect();
    let rank = |tag: Option<&str>| match tag {
        Some(t) => editions
            .iter()
            .position(|e| e.tag == t)
            .unwrap_or(usize::MAX - 1),
        None => usize::MAX,
    };
    parts.sort_by_key(|(tag, _)| (rank(*tag), *tag));
    parts
}

/// Where and how outputs are laid out.
pub(crate) struct Layout<'a> {
    /// The output folder.
    pub dir: &'a Path,
    /// What one output holds.
    pub unit: Unit,
    /// Output file extension, without the dot.
    pub extension: &'static str,
    pub group_by: GroupBy,
    /// How loudly to warn about pictures that cannot be saved.
    pub verbosity: Verbosity,
    /// Where notes and their saved pictures go, and how notes are named (`--notes`, `--links`,
    /// `--attachments`).
    pub notes: &'a NoteOptions,
    /// `--max-book-size`: books over it are split into volumes (see [`volumes`]).
    pub limit: Option<Limit>,
}

/// Every output of a run, planned.
pub(crate) struct Plan {
    pub outputs: Vec<Planned>,
    /// Each post's note, by the post's absolute path, for links between posts (see
    /// [`crate::relink`]); empty for books.
    pub note_of: HashMap<PathBuf, PathBuf>,
    /// Notes link to pictures saved in the attachments folder (`--images embed`).
    pub assets_saved: bool,
}

/// Plans every output of `docs` (sorted by path). `pictures`: for notes, the pictures they
/// save beside themselves (`--images embed`); for books, the pictures they embed, which
/// `--max-book-size` weighs. Returns the plan and the documents rendering may use: none when
/// `streaming`, which reads each output's posts again.
pub(crate) fn outputs(
    layout: &Layout,
    titling: &Titling,
    docs: Vec<Document>,
    pictures: Option<&ImageStore>,
    streaming: bool,
    fingerprints: Fingerprints,
    report: &mut Report,
) -> (Plan, Vec<Document>) {
    let (plans, assets_saved) = match layout.unit {
        Unit::Book => {
            let (plans, splits) = books(layout, titling, &docs, pictures);
            report.splits = splits;
            (plans, false)
        }
        Unit::Post => notes(layout, &docs, pictures, report),
    };
    let note_of = match layout.unit {
        Unit::Book => HashMap::new(),
        Unit::Post => note_of(&plans),
    };
    let outputs = fingerprint_plans(plans, layout.dir, fingerprints);
    let plan = Plan {
        outputs,
        note_of,
        assets_saved,
    };
    (plan, end_planning(docs, streaming, report))
}

/// One book per group, in label order (undated and uncategorized last), its posts in reading
/// order: titled, numbered in a series when grouped by date, and named after its group. With
/// `--max-book-size`, a group too large for one book is split into volumes (see [`volumes`]),
/// each in the group's place in the series; the splits are returned for the report.
fn books<'d>(
    layout: &Layout,
    titling: &Titling,
    docs: &'d [Document],
    pictures: Option<&ImageStore>,
) -> (Vec<(Planned, Vec<&'d Document>)>, Vec<SplitRecord>) {
    let mut books = Books {
        layout,
        titling,
        pictures,
        names: NameAllocator::default(),
        plans: Vec::new(),
        splits: Vec::new(),
    };
    // One collection name for the whole run: every book of a series is titled after it, even a
    // month whose posts all happen to come from one source.
    let all: Vec<&Document> = docs.iter().collect();
    let collection = collection_name(titling, &all);
    // A multilingual site: each language edition is grouped on its own, its books named after
    // the edition and carrying its tag in their file names (`My Blog.zh-CN.epub`).
    for (tag, part) in by_edition(docs, &titling.editions) {
        match tag {
            None => {
                let locale = run_locale(titling, &all);
                books.group(&collection, None, locale, &part);
            }
            Some(tag) => {
                let name = titling.edition_name(tag, &collection);
                books.group(&name, Some(tag), Locale::of(tag), &part);
            }
        }
    }
    (books.plans, books.splits)
}

/// The books being planned, and what planning them shares.
struct Books<'a, 'd> {
    layout: &'a Layout<'a>,
    titling: &'a Titling<'a>,
    pictures: Option<&'a ImageStore>,
    names: NameAllocator,
    plans: Vec<(Planned, Vec<&'d Document>)>,
    splits: Vec<SplitRecord>,
}

impl<'d> Books<'_, 'd> {
    /// The books of `docs` (all the run's posts, or one language edition's, `edition`), one per
    /// group, named after `collection`.
    fn group(
        &mut self,
        collection: &str,
        edition: Option<&str>,
        locale: Locale,
        docs: &[&'d Document],
    ) {
        let (layout, titling) = (self.layout, self.titling);
        let group_by = layout.group_by;
        let mut groups: BTreeMap<GroupKey, Vec<&Document>> = BTreeMap::new();
        // A date grouping's keys depend on the post's day alone: they are made once for each
        // run of posts of one day (posts named by date come so), not formatted for each post.
        let mut last: Option<(Option<chrono::NaiveDate>, Vec<GroupKey>)> = None;
        for doc in docs {
            let day = doc.meta.date.map(|d| d.day());
            let same = last
                .as_ref()
                .is_some_and(|(d, _)| group_by.is_date() && *d == day);
            if !same {
                last = Some((day, group_by.keys(doc)));
            }
            for key in last.iter().flat_map(|(_, keys)| keys) {
                match groups.get_mut(key) {
                    Some(posts) => posts.push(doc),
                    None => _ = groups.insert(key.clone(), vec![doc]),
                }
            }
        }
        let mut groups: Vec<(GroupKey, Vec<&Document>)> = groups.into_iter().collect();
        groups.sort_by(|a, b| (a.0.missing, &a.0.label).cmp(&(b.0.missing, &b.0.label)));
        // Books of dated groups form a series (calibre sorts monthly books by it), named after
        // the collection and numbered in date order.
        let series_name = group_by.is_date().then(|| collection.to_string());
        let mut series_index = 0;
        for (mut key, mut posts) in groups {
            reading_order(&mut posts);
            let series = match (&series_name, key.missing) {
                (Some(name), false) => {
                    series_index += 1;
                    Some((name.clone(), series_index))
                }
                _ => None,
            };
            let title = book_title(titling, group_by, collection, &key, &posts, locale);
            let mut stem = if group_by == GroupBy::None {
                safe_file_stem(
                    collection
                        .strip_suffix(&format!(" ({})", edition.unwrap_or_default()))
                        .unwrap_or(collection),
                )
            } else {
                safe_file_stem(&key.label)
            };
            if let Some(tag) = edition {
                stem = format!("{stem}.{tag}");
                key.id = format!("{}@{tag}", key.id);
            }
            let parts = match layout.limit {
                Some(limit) => volumes::split(&posts, limit, self.pictures),
                None => Vec::new(),
            };
            if parts.len() < 2 {
                let plan = Planned {
                    title: Some(title),
                    key: Some(key.id),
                    series,
                    ..Planned::new(
                        self.names.allocate(layout.dir, &stem, layout.extension),
                        &posts,
                    )
                };
                self.plans.push((plan, posts));
                continue;
            }
            let count = parts.len();
            let mut records = Vec::with_capacity(count);
            for (i, part) in parts.into_iter().enumerate() {
                let n = i + 1;
                let path = self.names.allocate(
                    layout.dir,
                    &volumes::stem(&stem, n, count),
                    layout.extension,
                );
                records.push(VolumeRecord {
                    path: Arc::from(path.as_path()),
                    posts: part.posts.len(),
                    estimated_bytes: part.estimate,
                    bytes: None,
                });
                let plan = Planned {
                    title: Some(volumes::title(&title, n, count)),
                    key: Some(volumes::key(&key.id, n)),
                    series: series.clone(),
                    ..Planned::new(path, &part.posts)
                };
                self.plans.push((plan, part.posts));
            }
            if let Some(limit) = layout.limit {
                self.splits
                    .push(volumes::record(&key.id, &title, limit, &records));
            }
        }
    }
}

/// A book's title: `--title-pattern` filled in, else the collection's name, with the group's
/// label for dated, undated and `--title`d groups, else the group's label alone (a category).
fn book_title(
    titling: &Titling,
    group_by: GroupBy,
    collection: &str,
    key: &GroupKey,
    posts: &[&Document],
    locale: Locale,
) -> String {
    match (titling.pattern, group_by) {
        (Some(pattern), _) if !key.missing => pattern_title(pattern, collection, key, posts),
        (_, GroupBy::None) => collection.to_string(),
        (_, g) if g.is_date() || key.missing || titling.title.is_some() => {
            format!(
                "{collection} — {}",
                title_label(group_by, key, posts, locale)
            )
        }
        _ => key.label.clone(),
    }
}

/// One note per post, in path order, in a sub-folder per group (a post in several groups goes
/// to the first: copies would drift apart when edited), under one per language for a
/// multilingual site, of the notes folder (`pages/` in a
/// Logseq graph); with `embed`, each picture once in the attachments folder. Returns the plans
/// and whether pictures are saved. Where notes are named by their file name alone (wikilinks,
/// Logseq page references), names are ones a link can hold
/// ([`crate::write::markdown::vault_file_stem`]) and unique in the whole output folder, not only
/// in their sub-folder.
fn notes<'d>(
    layout: &Layout,
    docs: &'d [Document],
    embed: Option<&ImageStore>,
    report: &mut Report,
) -> (Vec<(Planned, Vec<&'d Document>)>, bool) {
    let dir = layout.dir;
    let notes_dir = match layout.notes.notes_dir() {
        "" => dir.to_path_buf(),
        sub => dir.join(sub),
    };
    let mut names = NameAllocator::default();
    let mut plans: Vec<(Planned, Vec<&Document>)> = docs
        .iter()
        .map(|doc| {
            // A multilingual site's notes are kept apart by language (`en/`, `zh-CN/`), as its
            // books are: translations share titles and file names.
            let edition = match &doc.meta.site_language {
                Some(tag) => notes_dir.join(safe_file_stem(tag)),
                None => notes_dir.clone(),
            };
            let sub = match layout.group_by {
                GroupBy::None => edition,
                g => edition.join(safe_file_stem(&g.keys(doc)[0].label)),
            };
            let path = match layout.notes.unique_names() {
                true => {
                    let stem = crate::write::markdown::vault_file_stem(&output_stem(doc));
                    let unique = names.allocate(dir, &stem, layout.extension);
                    sub.join(unique.file_name().expect("an allocated name"))
                }
                false => names.allocate(&sub, &output_stem(doc), layout.extension),
            };
            (Planned::new(path, &[doc]), vec![doc])
        })
        .collect();
    let verbosity = layout.verbosity;
    let attachments = dir.join(layout.notes.attachments_dir());
    let pictures =
        embed.map(|store| assets(&attachments, docs, store, &mut plans, verbosity, report));
    let pictures = pictures.unwrap_or_default();
    let saved = !pictures.is_empty();
    plans.extend(pictures);
    (plans, saved)
}

/// Each post's note, by the post's absolute path.
fn note_of(plans: &[(Planned, Vec<&Document>)]) -> HashMap<PathBuf, PathBuf> {
    plans
        .iter()
        .filter(|(plan, _)| plan.asset.is_none())
        .filter_map(|(plan, _)| {
            let post = std::path::absolute(plan.posts.first()?).ok()?;
            let note = std::path::absolute(&plan.path).ok()?;
            Some((crate::relink::normalize(&post), note))
        })
        .collect()
}

/// `--images embed` for notes: each picture the posts show, planned once as a file in the
/// attachments folder `dir`, named after its content (so the name is unique and stays the same
/// from run to run). A picture that could not be had is a warning on its post, and its note is
/// marked incomplete.
fn assets<'d>(
    dir: &Path,
    docs: &'d [Document],
    store: &ImageStore,
    notes: &mut [(Planned, Vec<&'d Document>)],
    verbosity: Verbosity,
    report: &mut Report,
) -> Vec<(Planned, Vec<&'d Document>)> {
    let mut assets: BTreeMap<String, (Planned, Vec<&Document>)> = BTreeMap::new();
    for (doc, (note, _)) in docs.iter().zip(notes.iter_mut()) {
        doc.for_each_image(&mut |img| match store.lookup(&doc.meta, &img.src) {
            Lookup::Found(asset) => {
                report.summary.images_embedded += 1;
                let name = asset.file_name();
                let (plan, shown_in) = assets.entry(name.clone()).or_insert_with(|| {
                    let plan = Planned {
                        asset: Some(asset),
                        ..Planned::new(dir.join(&name), &[])
                    };
                    (plan, vec![])
                });
                if plan.posts.last() != Some(&doc.meta.path) {
                    plan.posts.push(doc.meta.path.clone());
                    shown_in.push(doc);
                }
            }
            Lookup::Failed(why) => {
                report.summary.images_failed += 1;
                post_warning(report, verbosity, &doc.meta.path, why.warning());
                note.incomplete = true;
            }
            Lookup::NotLocal | Lookup::Dropped => report.summary.images_linked += 1,
        });
    }
    assets.into_values().collect()
}

/// Posts sorted for reading: by date, undated last, then by path. Undated pages with a Hugo
/// `weight` come first among the undated, by weight, then title, as Hugo's default page order
/// has them (weight, date, title, path). Dated posts keep the order of their dates whatever
/// their weight: a book of posts reads in time, and blog themes use `weight` to pin posts on
/// the home page, not to order them.
fn reading_order(docs: &mut [&Document]) {
    docs.sort_by(|a, b| match (a.meta.date, b.meta.date) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.meta.path.cmp(&b.meta.path)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => match (a.meta.weight, b.meta.weight) {
            (Some(x), Some(y)) => x
                .cmp(&y)
                .then_with(|| a.meta.title.cmp(&b.meta.title))
                .then_with(|| a.meta.path.cmp(&b.meta.path)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.meta.path.cmp(&b.meta.path),
        },
    });
}

/// The name of the whole collection, used in book titles: `--title`, else the category or
/// author every post shares (`联合早报`), else the input folder's name.
fn collection_name(titling: &Titling, docs: &[&Document]) -> String {
    if let Some(t) = titling.title.or(titling.site_title) {
        return t.to_string();
    }
    let shared = |get: fn(&Document) -> Option<&String>| {
        let first = get(docs.first()?)?;
        docs.iter()
            .all(|d| get(d) == Some(first))
            .then(|| first.clone())
    };
    shared(|d| d.meta.categories.first())
        .or_else(|| shared(|d| d.meta.authors.first()))
        .or_else(|| {
            let input = titling.inputs.first()?;
            let abs = std::path::absolute(input).ok()?;
            let name = if abs.is_dir() {
                abs.file_name()
            } else {
                abs.file_stem()
            };
            name.map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "postbook".into())
}

/// The date style of a run's book titles: one for all its books, from `--lang` (or the site's),
/// else the languages posts declare, else the language of their titles. Titles, not bodies:
/// they are in the metadata a rerun keeps in its cache, so the choice (and with it every title)
/// is the same whether a post was read again or not. 64 titles spread over the run decide a
/// majority as well as all of them would.
fn run_locale(titling: &Titling, docs: &[&Document]) -> Locale {
    if let Some(lang) = titling.lang {
        return Locale::of(lang);
    }
    if docs.iter().any(|d| d.meta.lang.is_some()) {
        return Locale::of(&lang::majority(docs.iter().map(|d| d.meta.lang.as_deref())));
    }
    let step = docs.len().div_ceil(64).max(1);
    let titles: Vec<&str> = docs
        .iter()
        .step_by(step)
        .map(|d| d.meta.title.as_str())
        .collect();
    Locale::of(&lang::detect(&titles.join("\n")).unwrap_or_default())
}

/// A group's label in a book title: a date group's in the run's style (`2020年7月`), others as
/// they are (a category's or tag's own name).
fn title_label(group_by: GroupBy, key: &GroupKey, posts: &[&Document], locale: Locale) -> String {
    let day = posts.iter().find_map(|d| d.meta.date).map(|d| d.day());
    match (group_by.date_precision(), day) {
        (Some(precision), Some(day)) if !key.missing => locale.date(day, precision),
        (Some(_), _) => locale.undated().to_string(),
        (None, _) => key.label.clone(),
    }
}

/// A book title from `--title-pattern`: the group's values put into the pattern.
fn pattern_title(
    pattern: &TitlePattern,
    collection: &str,
    key: &GroupKey,
    posts: &[&Document],
) -> String {
    let day = posts.iter().find_map(|d| d.meta.date).map(|d| d.day());
    let date = |fmt: &str| day.map(|d| d.format(fmt).to_string()).unwrap_or_default();
    pattern.render(|field| match field {
        "collection" => collection.to_string(),
        "group" => key.label.clone(),
        "author" => book_authors(posts).join(", "),
        "count" => posts.len().to_string(),
        "year" => date("%Y"),
        "month" => date("%-m"),
        "month2" => date("%m"),
        "day" => date("%-d"),
        "day2" => date("%d"),
        _ => unreachable!("TitlePattern::parse admits only known placeholders"),
    })
}

/// One output file, decided before anything is written: where it goes and what it holds.
/// Planning first is what makes `--dry-run` exact and lets rendering run in parallel.
pub(crate) struct Planned {
    pub path: PathBuf,
    /// The book title (EPUB) or `None` for a single-post file.
    pub title: Option<String>,
    /// The group's stable id (EPUB identifiers derive from it).
    pub key: Option<String>,
    /// The posts in it (for a picture: the posts that show it), by path: a streaming run frees
    /// every post's metadata once planning is done, and reads each post again to render it.
    pub posts: Vec<PostPath>,
    /// For a picture saved beside notes: its bytes.
    pub asset: Option<Arc<images::Asset>>,
    /// For a book in a series: the series name and this book's position in it.
    pub series: Option<(String, usize)>,
    /// What the output is made from (see [`Fingerprints::of`]), to compare with the manifest;
    /// `None` when it cannot be known, and the output is then always rendered.
    pub fingerprint: Option<String>,
    /// A picture of it could not be saved: it is made again on the next run, which retries.
    pub incomplete: bool,
}

impl Planned {
    /// A plan of `posts`, not yet fingerprinted.
    fn new(path: PathBuf, posts: &[&Document]) -> Planned {
        Planned {
            path,
            title: None,
            key: None,
            posts: posts.iter().map(|d| d.meta.path.clone()).collect(),
            asset: None,
            series: None,
            fingerprint: None,
            incomplete: false,
        }
    }

    /// The output's fingerprint (see [`Fingerprints::of`]): its posts, and everything planning
    /// decided about it. The fields are listed without `..`, so a new one must be considered.
    fn fingerprint_of(
        &self,
        dir: &Path,
        fingerprints: &Fingerprints,
        docs: &[&Document],
    ) -> Option<String> {
        let Planned {
            path,
            title,
            key,
            // The same posts as `docs`, whose metadata the fingerprint needs.
            posts: _,
            // A picture's file name (in `path`) is its content hash.
            asset: _,
            series,
            fingerprint: _,
            // Not what it is made from, but whether making it worked.
            incomplete: _,
        } = self;
        let path = path.strip_prefix(dir).unwrap_or(path);
        let (series, position) = match series {
            Some((name, n)) => (Some(name.as_bytes()), n.to_le_bytes()),
            None => (None, [0; 8]),
        };
        let plan = [
            Some(path.as_os_str().as_encoded_bytes()),
            title.as_deref().map(str::as_bytes),
            key.as_deref().map(str::as_bytes),
            series,
            Some(&position[..]),
        ];
        fingerprints.of(&plan, docs)
    }
}

/// Fingerprints plans while their posts' metadata is at hand, in parallel (at 100,000 notes,
/// this is much of an unchanged re-run), and lets go of the metadata.
fn fingerprint_plans(
    mut plans: Vec<(Planned, Vec<&Document>)>,
    dir: &Path,
    fingerprints: Fingerprints,
) -> Vec<Planned> {
    plans.par_iter_mut().for_each(|(plan, docs)| {
        plan.fingerprint = plan.fingerprint_of(dir, &fingerprints, docs);
    });
    plans.into_iter().map(|(plan, _)| plan).collect()
}

/// Ends planning: converted posts' titles go into their report records, and a streaming run
/// drops every post's metadata (most of its memory), since rendering reads posts again.
/// Returns the documents rendering may use.
pub(super) fn end_planning(
    docs: Vec<Document>,
    streaming: bool,
    report: &mut Report,
) -> Vec<Document> {
    record_titles(&docs, report);
    if !streaming {
        return docs;
    }
    drop(docs);
    crate::memory::release_free_memory();
    Vec::new()
}

/// The documents read from `paths`, found in `docs` (sorted by path, as posts are read), which
/// holds them all: a run that keeps its documents plans only posts it read.
pub(super) fn docs_at<'d>(docs: &'d [Document], paths: &[PostPath]) -> Vec<&'d Document> {
    let find = |p: &PostPath| {
        let i = docs.binary_search_by(|d| d.meta.path.cmp(p));
        &docs[i.expect("every planned post was read, in path order")]
    };
    paths.iter().map(find).collect()
}

/// Up to three authors, most prolific first; a book of many voices is credited to its source.
pub(super) fn book_authors(posts: &[&Document]) -> Vec<String> {
    let mut counts: Vec<(&String, usize)> = Vec::new();
    for a in posts.iter().flat_map(|d| &d.meta.authors) {
        match counts.iter_mut().find(|(x, _)| *x == a) {
            Some((_, n)) => *n += 1,
            None => counts.push((a, 1)),
        }
    }
    counts.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    counts.into_iter().take(3).map(|(a, _)| a.clone()).collect()
}

/// The folder beside Markdown and text notes where `--images embed` saves pictures by default.
pub use crate::options::ASSETS_DIR;

/// A post's output file stem: its Jekyll file name when it has one (so links and habits carry
/// over), else `date-slug` or the slug/title alone.
pub(super) fn output_stem(doc: &Document) -> String {
    let stem = doc
        .meta
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if jekyll_name(&stem).is_some() {
        return safe_file_stem(&stem);
    }
    let name = doc
        .meta
        .slug
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| doc.display_title());
    match doc.meta.date {
        Some(d) => safe_file_stem(&format!("{}-{name}", d.day())),
        None => safe_file_stem(&name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PostDate;
    use chrono::NaiveDate;

    fn post(path: &str, title: &str, date: Option<(i32, u32, u32)>) -> Document {
        let date = date.map(|(y, m, d)| PostDate::Day(NaiveDate::from_ymd_opt(y, m, d).unwrap()));
        Document {
            meta: Meta {
                path: PathBuf::from(path).into(),
                title: title.into(),
                date,
                ..Meta::default()
            },
            blocks: vec![],
        }
    }

    #[test]
    fn undated_pages_read_by_hugo_weight_then_title_and_dated_posts_by_date() {
        let weighted = |path: &str, title: &str, date, weight| {
            let mut doc = post(path, title, date);
            doc.meta.weight = weight;
            doc
        };
        let docs = [
            weighted("docs/a-config.md", "Configuration", None, Some(30)),
            weighted("docs/b-install.md", "Install", None, Some(20)),
            weighted("docs/c-intro.md", "Introduction", None, Some(10)),
            weighted("docs/d-faq.md", "FAQ", None, None),
            weighted("docs/e-ask.md", "Ask", None, Some(20)),
            weighted("posts/new.md", "New", Some((2024, 2, 1)), Some(1)),
            weighted("posts/old.md", "Old", Some((2024, 1, 1)), Some(5)),
        ];
        let mut order: Vec<&Document> = docs.iter().collect();
        reading_order(&mut order);
        let titles: Vec<&str> = order.iter().map(|d| d.meta.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Old",
                "New",
                "Introduction",
                "Ask",
                "Install",
                "Configuration",
                "FAQ"
            ]
        );
    }

    fn with_source(source: &str) -> Meta {
        Meta {
            source: Some(source.into()),
            ..Meta::default()
        }
    }

    #[test]
    fn duplicate_keys_compare_sources_loosely() {
        let key = |s: &str| duplicate_key(&with_source(s)).unwrap();
        let plain = key("https://www.zaobao.com/news/china/story1.html");
        assert_eq!(
            plain,
            "source https://www.zaobao.com/news/china/story1.html"
        );
        // Scheme and host in any case, a fragment, a trailing slash: the same article.
        assert_eq!(
            key("HTTPS://WWW.Zaobao.com/news/china/story1.html#top"),
            plain
        );
        assert_eq!(key("https://www.zaobao.com/news/china/story1.html/"), plain);
        // The path and the query are the article's own.
        assert_ne!(key("https://www.zaobao.com/NEWS/china/story1.html"), plain);
        assert_ne!(
            key("https://www.zaobao.com/news/china/story1.html?p=2"),
            plain
        );
        assert_ne!(
            key("https://www.zaobao.com:8443/news/china/story1.html"),
            plain
        );
        // Not a URL: compared as written, without its fragment and trailing slash.
        assert_eq!(key("zaobao story 1/#x"), "source zaobao story 1");
    }

    #[test]
    fn without_a_source_the_title_and_day_decide() {
        let a = post("a.md", " 习近平会见 ", Some((2023, 5, 24)));
        assert_eq!(
            duplicate_key(&a.meta).unwrap(),
            "title 2023-05-24 习近平会见"
        );
        // A blank source is no source.
        let blank = Meta {
            source: Some("  ".into()),
            ..a.meta.clone()
        };
        assert_eq!(duplicate_key(&blank), duplicate_key(&a.meta));
        // Without a title or a date there is no key: never a duplicate.
        assert_eq!(
            duplicate_key(&post("b.md", "", Some((2023, 5, 24))).meta),
            None
        );
        assert_eq!(duplicate_key(&post("c.md", "习近平会见", None).meta), None);
    }

    #[test]
    fn selection_keeps_the_first_of_duplicates_and_judges_drafts_first() {
        let filters = Filters {
            tags: vec!["keep".into()],
            ..Filters::default()
        };
        let mut selection = Selection {
            drafts: false,
            lang: None,
            filters: &filters,
            dedupe: true,
            firsts: HashMap::new(),
            now: 1_700_000_000,
        };
        let tagged = |path: &str, title: &str| {
            let mut doc = post(path, title, Some((2023, 1, 1)));
            doc.meta.tags = vec!["keep".into()];
            doc
        };
        let first = tagged("a.md", "Same");
        assert_eq!(selection.judge(&first), Verdict::Keep);
        assert_eq!(
            selection.judge(&tagged("b.md", "Same")),
            Verdict::Duplicate(first.meta.path.clone())
        );
        assert_eq!(selection.judge(&tagged("c.md", "Other")), Verdict::Keep);
        // Filtered out, so it claims no key: a later copy that passes is kept.
        let untagged = post("d.md", "Third", Some((2023, 1, 1)));
        assert_eq!(selection.judge(&untagged), Verdict::Filtered);
        assert_eq!(selection.judge(&tagged("e.md", "Third")), Verdict::Keep);
        let mut draft = tagged("f.md", "Draft");
        draft.meta.draft = true;
        assert_eq!(
            selection.judge(&draft),
            Verdict::Draft(crate::model::LeftOut::Draft)
        );
        // A Hugo page's publication window is judged at the run's time.
        use crate::model::{LeftOut, Unpublished};
        let window = |publish, expiry| {
            let mut doc = tagged("g.md", "Scheduled");
            doc.meta.unpublished = Some(Unpublished::Window { publish, expiry });
            doc
        };
        let now = selection.now;
        for (publish, expiry, want) in [
            (Some(now + 60), None, Verdict::Draft(LeftOut::Future)),
            (Some(now - 60), Some(now), Verdict::Draft(LeftOut::Expired)),
            (Some(now - 60), Some(now + 60), Verdict::Keep),
            (None, None, Verdict::Keep),
        ] {
            selection.firsts.clear();
            assert_eq!(selection.judge(&window(publish, expiry)), want);
        }
        let mut headless = tagged("h.md", "Snippet");
        headless.meta.unpublished = Some(Unpublished::NotRendered);
        assert_eq!(
            selection.judge(&headless),
            Verdict::Draft(LeftOut::NotRendered)
        );
        selection.drafts = true;
        assert_eq!(selection.judge(&draft), Verdict::Keep);
        selection.firsts.clear();
        assert_eq!(
            selection.judge(&window(Some(now + 60), None)),
            Verdict::Keep
        );
    }

    #[test]
    fn output_stems_keep_jekyll_names_else_date_and_slug_or_title() {
        let stem = |doc: &Document| output_stem(doc);
        let jekyll = post(
            "posts/2023-05-24-习近平会见.md",
            "Title",
            Some((2023, 1, 1)),
        );
        assert_eq!(stem(&jekyll), "2023-05-24-习近平会见");
        let mut hugo = post("content/post/index.md", "A: B/C?", Some((2023, 5, 24)));
        assert_eq!(stem(&hugo), "2023-05-24-A- B-C");
        hugo.meta.slug = Some("my-slug".into());
        assert_eq!(stem(&hugo), "2023-05-24-my-slug");
        hugo.meta.date = None;
        assert_eq!(stem(&hugo), "my-slug");
        hugo.meta.slug = Some(String::new());
        assert_eq!(stem(&hugo), "A- B-C");
    }

    #[test]
    fn title_patterns_are_filled_from_the_group() {
        let pattern = TitlePattern::parse(
            "{collection}|{group}|{author}|{count}|{year}|{month}|{month2}|{day}|{day2}",
        )
        .unwrap();
        let mut a = post("a.md", "A", Some((2020, 7, 4)));
        a.meta.authors = vec!["Li".into(), "Wang".into()];
        let mut b = post("b.md", "B", Some((2020, 7, 9)));
        b.meta.authors = vec!["Wang".into()];
        let key = GroupKey {
            id: "month:2020-07".into(),
            label: "2020-07".into(),
            missing: false,
        };
        let title = pattern_title(&pattern, "早报", &key, &[&a, &b]);
        assert_eq!(title, "早报|2020-07|Wang, Li|2|2020|7|07|4|04");
        // Undated posts leave the date placeholders empty.
        let undated = post("c.md", "C", None);
        let title = pattern_title(&pattern, "早报", &key, &[&undated]);
        assert_eq!(title, "早报|2020-07||1|||||");
    }

    /// `(file name, title, series)` of each book of `docs` grouped `by`.
    fn books_of(
        by: GroupBy,
        titling: &Titling,
        docs: &[Document],
    ) -> Vec<(String, String, String)> {
        let layout = Layout {
            dir: Path::new("out"),
            unit: Unit::Book,
            extension: "epub",
            group_by: by,
            verbosity: Verbosity::Quiet,
            notes: &NoteOptions::default(),
            limit: None,
        };
        books(&layout, titling, docs, None)
            .0
            .into_iter()
            .map(|(plan, _)| {
                let name = plan
                    .path
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let series = plan.series.map(|(s, i)| format!("{s} {i}"));
                (name, plan.title.unwrap(), series.unwrap_or_default())
            })
            .collect()
    }

    #[test]
    fn every_grouping_names_titles_and_numbers_its_books() {
        let mut docs = vec![
            post("a.md", "Alpha", Some((2020, 7, 4))),
            post("b.md", "Beta", Some((2020, 8, 1))),
            post("c.md", "Gamma", None),
        ];
        docs[0].meta.categories = vec!["World".into()];
        docs[0].meta.tags = vec!["x".into(), "y".into()];
        docs[0].meta.authors = vec!["Li".into()];
        docs[1].meta.categories = vec!["World".into()];
        let inputs = [PathBuf::from("/archive/zaobao")];
        let titling = Titling {
            title: None,
            pattern: None,
            lang: Some("en"),
            inputs: &inputs,
            site_title: None,
            editions: Vec::new(),
        };
        let b = |name: &str, title: &str, series: &str| {
            (name.to_string(), title.to_string(), series.to_string())
        };
        assert_eq!(
            books_of(GroupBy::None, &titling, &docs),
            [b("zaobao.epub", "zaobao", "")]
        );
        assert_eq!(
            books_of(GroupBy::Year, &titling, &docs),
            [
                b("2020.epub", "zaobao — 2020", "zaobao 1"),
                b("undated.epub", "zaobao — undated", ""),
            ]
        );
        assert_eq!(
            books_of(GroupBy::Month, &titling, &docs),
            [
                b("2020-07.epub", "zaobao — 2020-07", "zaobao 1"),
                b("2020-08.epub", "zaobao — 2020-08", "zaobao 2"),
                b("undated.epub", "zaobao — undated", ""),
            ]
        );
        assert_eq!(
            books_of(GroupBy::Day, &titling, &docs),
            [
                b("2020-07-04.epub", "zaobao — 2020-07-04", "zaobao 1"),
                b("2020-08-01.epub", "zaobao — 2020-08-01", "zaobao 2"),
                b("undated.epub", "zaobao — undated", ""),
            ]
        );
        // Named groups are titled by their name alone; the missing group keeps the collection.
        assert_eq!(
            books_of(GroupBy::Category, &titling, &docs),
            [
                b("World.epub", "World", ""),
                b("uncategorized.epub", "zaobao — uncategorized", ""),
            ]
        );
        assert_eq!(
            books_of(GroupBy::Tag, &titling, &docs),
            [
                b("x.epub", "x", ""),
                b("y.epub", "y", ""),
                b("untagged.epub", "zaobao — untagged", ""),
            ]
        );
        assert_eq!(
            books_of(GroupBy::Author, &titling, &docs),
            [
                b("Li.epub", "Li", ""),
                b("unknown-author.epub", "zaobao — unknown-author", ""),
            ]
        );
        // `--title` names the collection and keeps the group in every title; Chinese runs date
        // their titles in Chinese.
        let pattern = TitlePattern::parse("{collection}: {count}").unwrap();
        let titled = Titling {
            title: Some("早报"),
            lang: Some("zh"),
            ..titling.clone()
        };
        assert_eq!(
            books_of(GroupBy::Category, &titled, &docs)[0],
            b("World.epub", "早报 — World", "")
        );
        assert_eq!(
            books_of(GroupBy::Month, &titled, &docs)[0],
            b("2020-07.epub", "早报 — 2020年7月", "早报 1")
        );
        let patterned = Titling {
            pattern: Some(&pattern),
            ..titled.clone()
        };
        // A pattern titles every group but the missing one.
        assert_eq!(
            books_of(GroupBy::Month, &patterned, &docs),
            [
                b("2020-07.epub", "早报: 1", "早报 1"),
                b("2020-08.epub", "早报: 1", "早报 2"),
                b("undated.epub", "早报 — 无日期", ""),
            ]
        );
    }
}
