//! Incremental runs: what an output depends on, and the metadata cache that spares reading
//! unchanged posts.
//!
//! Re-running into a folder that has a manifest is incremental (`--rebuild` turns it off):
//!
//! 1. Every input is stamped (size and modification time in nanoseconds) before it is read.
//!    Posts whose stamp matches the metadata cache ([`CACHE_NAME`], in the output folder) are not
//!    read at all: their metadata (what planning needs: title, date, authors, categories, tags,
//!    source, slug — no body) and their read warnings come from the cache.
//! 2. Outputs are planned from that metadata as usual (the streaming path of `convert`).
//! 3. Each planned output gets a fingerprint ([`Fingerprints::of`]): SHA-256 over the postbook
//!    version, every option that can change output bytes ([`Fingerprints::new`]), what the plan
//!    decided for it (file name, book title, group, series position), and its ordered inputs with
//!    their stamps, including the local pictures they reference. An output whose fingerprint is
//!    the one the manifest recorded, and whose file still holds what postbook wrote, is not
//!    rendered at all; the others read their posts in full and are rendered and written as usual.
//!
//! Stamps are taken before reading, so a post edited while postbook reads it is stamped with
//! its old size/time and read again next time: a cache or fingerprint can be too old, never
//! too new. Remote pictures are identified by URL (the download cache keeps them). An output
//! rendered with a picture missing is recorded without a fingerprint, so the next run makes it
//! again and retries the picture.

use crate::images::{self, fetch::FetchOptions, ImageOptions, Source};
use crate::model::{Document, Meta, PostDate, PostPath};
use crate::options::Options;
pub use crate::output::Stamp;
use crate::output::{hex, sha256_hex};
use crate::read::{chrome, ReadOptions};
use crate::templates::Templates;
use crate::warning::{Warning, WarningKind};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// The file in an output folder that caches each input's metadata.
pub const CACHE_NAME: &str = ".postbook-cache";

/// Where postbook before cache format 6 kept its cache (JSON lines): never read (a new cache is
/// made in its place), and removed when the new one is saved.
const OLD_CACHE_NAME: &str = ".postbook-cache.json";

/// Bumped whenever the records change shape.
const CACHE_FORMAT: u32 = 7;

/// What a cache file starts with. A file that starts otherwise (an old JSON-lines cache,
/// anything else) is not used.
const MAGIC: &[u8] = b"postbook cache\n";

/// What an incremental run knows about one input besides its metadata.
#[derive(Debug, Clone)]
pub struct InputInfo {
    /// Taken before the post was read.
    pub stamp: Stamp,
    /// The post's local picture references (paths, not URLs or `data:`): the files they point
    /// to are embedded in books, so they are part of the fingerprint of every output they are in.
    pub pictures: Vec<String>,
    /// The hashes of its short opening and closing blocks ([`chrome::edge_hashes`]): the
    /// folder-wide boilerplate count needs every post's, read or cached.
    pub edges: Vec<u64>,
    /// How many blocks of site chrome its reader removed, by kind (for the report of a run
    /// that takes the post from the cache).
    pub chrome: chrome::Counts,
}

impl InputInfo {
    /// What an incremental run keeps of the post `doc`, read with `chrome` removed;
    /// `boilerplate`: whether its edge blocks can be its source's boilerplate (a post from a
    /// web page, read by a run that removes boilerplate).
    pub fn new(
        stamp: Stamp,
        doc: &Document,
        chrome: &[chrome::Removed],
        boilerplate: bool,
    ) -> InputInfo {
        let mut pictures: Vec<String> = Vec::new();
        doc.for_each_image(&mut |img| {
            if !images::is_remote(&img.src) && !pictures.contains(&img.src) {
                pictures.push(img.src.clone());
            }
        });
        InputInfo {
            stamp,
            pictures,
            // Only a run that removes boilerplate looks for it, in posts from web pages.
            edges: match boilerplate {
                false => Vec::new(),
                true => chrome::edge_hashes(&doc.meta, &doc.blocks),
            },
            chrome: chrome::Counts::of(chrome),
        }
    }
}

/// A post as the cache keeps it: what planning needs of its metadata (no front matter extras,
/// no title markup, no path: the record holds the path), its [`InputInfo`] and its read
/// warnings. Its own type rather than [`Meta`]'s: bincode writes every field in order, so
/// none may be left out when empty, as the report's JSON leaves them; and dates are kept as
/// numbers, not text to parse. The fields are listed without `..` where they are taken from
/// [`Meta`] and [`Warning`], so a new field there does not compile until it is considered here
/// (and [`CACHE_FORMAT`] bumped if it is kept).
#[derive(Serialize, Deserialize)]
pub struct CachedPost {
    title: String,
    date: Option<CachedDate>,
    updated: Option<CachedDate>,
    authors: Vec<String>,
    categories: Vec<String>,
    tags: Vec<String>,
    source: Option<String>,
    lang: Option<String>,
    site_language: Option<String>,
    slug: Option<String>,
    draft: bool,
    unpublished: Option<crate::model::Unpublished>,
    weight: Option<i64>,
    stamp: Stamp,
    pictures: Vec<String>,
    edges: Vec<u64>,
    /// The chrome removed: each kind's name (as the report names it) and count, zeros left
    /// out (bincode needs the length of a sequence before it, which `Counts`' map lacks).
    chrome: Vec<(String, u32)>,
    warnings: Vec<CachedWarning>,
}

/// A [`PostDate`] as numbers.
#[derive(Serialize, Deserialize)]
enum CachedDate {
    /// Days since 1 January of the year 1 (proleptic Gregorian calendar), as chrono counts.
    Day(i32),
    /// Seconds and nanoseconds since the Unix epoch, and the UTC offset in seconds.
    Instant(i64, u32, i32),
}

impl CachedDate {
    fn new(date: PostDate) -> CachedDate {
        match date {
            PostDate::Day(d) => CachedDate::Day(d.num_days_from_ce()),
            PostDate::Instant(t) => CachedDate::Instant(
                t.timestamp(),
                t.timestamp_subsec_nanos(),
                t.offset().local_minus_utc(),
            ),
        }
    }

    /// The date, or `None` if the numbers name none (a corrupt record).
    fn get(self) -> Option<PostDate> {
        Some(match self {
            CachedDate::Day(days) => PostDate::Day(NaiveDate::from_num_days_from_ce_opt(days)?),
            CachedDate::Instant(secs, nanos, offset) => {
                let offset = FixedOffset::east_opt(offset)?;
                PostDate::Instant(DateTime::from_timestamp(secs, nanos)?.with_timezone(&offset))
            }
        })
    }
}

/// A [`Warning`] as the cache keeps it: its kind by name, as the report writes it, so that a
/// build whose kinds are numbered otherwise cannot read another kind.
#[derive(Serialize, Deserialize)]
struct CachedWarning {
    #[serde(with = "kind_by_name")]
    kind: WarningKind,
    message: String,
    name: Option<String>,
    times: u64,
}

mod kind_by_name {
    use crate::warning::WarningKind;
    use serde::de::{Deserialize, Deserializer, Error as _, IntoDeserializer};
    use serde::ser::{Error as _, Serializer};

    pub fn serialize<S: Serializer>(kind: &WarningKind, s: S) -> Result<S::Ok, S::Error> {
        match serde_json::to_value(kind) {
            Ok(serde_json::Value::String(name)) => s.serialize_str(&name),
            _ => Err(S::Error::custom("a warning kind is named by a string")),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<WarningKind, D::Error> {
        let name = <&str>::deserialize(d)?;
        WarningKind::deserialize(IntoDeserializer::<D::Error>::into_deserializer(name))
            .map_err(|_| D::Error::custom(format!("unknown warning kind {name}")))
    }
}

impl CachedPost {
    fn new(meta: &Meta, input: &InputInfo, warnings: &[Warning]) -> CachedPost {
        let Meta {
            title,
            // Only rendering uses it, and rendering reads the post.
            title_markup: _,
            date,
            updated,
            authors,
            categories,
            tags,
            source,
            lang,
            site_language,
            slug,
            // Planning does not need the front matter's extra keys.
            extra: _,
            // The record's path.
            path: _,
            draft,
            unpublished,
            weight,
        } = meta;
        let InputInfo {
            stamp,
            pictures,
            edges,
            chrome,
        } = input;
        let warnings = warnings.iter().map(|w| {
            let Warning {
                kind,
                message,
                name,
                times,
            } = w;
            CachedWarning {
                kind: *kind,
                message: message.clone(),
                name: name.clone(),
                times: *times as u64,
            }
        });
        CachedPost {
            title: title.clone(),
            date: date.map(CachedDate::new),
            updated: updated.map(CachedDate::new),
            authors: authors.clone(),
            categories: categories.clone(),
            tags: tags.clone(),
            source: source.clone(),
            lang: lang.clone(),
            site_language: site_language.clone(),
            slug: slug.clone(),
            draft: *draft,
            unpublished: *unpublished,
            weight: *weight,
            stamp: *stamp,
            pictures: pictures.clone(),
            edges: edges.clone(),
            chrome: (chrome.iter())
                .map(|(kind, n)| (kind.name().to_string(), n))
                .collect(),
            warnings: warnings.collect(),
        }
    }

    /// The cached metadata of the post at `path`, its input info and read warnings, if it
    /// still has this `stamp` (and the record names a date).
    pub fn fresh(
        self,
        path: &PostPath,
        stamp: Option<Stamp>,
    ) -> Option<(Meta, InputInfo, Vec<Warning>)> {
        if Some(self.stamp) != stamp {
            return None;
        }
        let date = |d: Option<CachedDate>| match d {
            Some(d) => d.get().map(Some),
            None => Some(None),
        };
        let meta = Meta {
            title: self.title,
            title_markup: Vec::new(),
            date: date(self.date)?,
            updated: date(self.updated)?,
            authors: self.authors,
            categories: self.categories,
            tags: self.tags,
            source: self.source,
            lang: self.lang,
            site_language: self.site_language,
            slug: self.slug,
            extra: Vec::new(),
            path: path.clone(),
            draft: self.draft,
            unpublished: self.unpublished,
            weight: self.weight,
        };
        let mut counts = chrome::Counts::default();
        for (name, n) in self.chrome {
            let kind = chrome::Kind::ALL.into_iter().find(|k| k.name() == name)?;
            counts.add(kind, n);
        }
        let input = InputInfo {
            stamp: self.stamp,
            pictures: self.pictures,
            edges: self.edges,
            chrome: counts,
        };
        let warnings = self.warnings.into_iter().map(|w| {
            Some(Warning {
                kind: w.kind,
                message: w.message,
                name: w.name,
                times: usize::try_from(w.times).ok()?,
            })
        });
        Some((meta, input, warnings.collect::<Option<_>>()?))
    }
}

/// Where a record's path starts: after its length, checksum and path length.
const PATH_AT: usize = 12;

/// A post's record in the cache, not decoded yet: [`PostCache`] hands records out in step with
/// the inputs, on one thread, knowing only their paths; each is decoded by the thread that
/// would otherwise read the post, and a post taken from the cache gives its record to the next
/// cache as it is (re-encoding 100,000 entries was a tenth of an unchanged re-run).
///
/// A record is: its length (the bytes after it) and the CRC-32 of the bytes after that, each a
/// little-endian `u32`; its path's length (`u32`) and the path in UTF-8; the [`CachedPost`] in
/// bincode.
pub struct CacheEntry {
    record: Vec<u8>,
    /// Where the path ends and the post starts.
    post_at: usize,
}

impl CacheEntry {
    /// A record of `post` at `path`; `None` if it cannot be made (too long for its lengths).
    fn new(path: &str, post: &CachedPost) -> Option<CacheEntry> {
        let post = bincode::serialize(post).ok()?;
        let post_at = PATH_AT + path.len();
        let len = u32::try_from(post_at - 4 + post.len()).ok()?;
        let mut record = Vec::with_capacity(post_at + post.len());
        record.extend(len.to_le_bytes());
        record.extend([0; 4]);
        record.extend(u32::try_from(path.len()).ok()?.to_le_bytes());
        record.extend(path.as_bytes());
        record.extend(post);
        let crc = crc32fast::hash(&record[8..]);
        record[4..8].copy_from_slice(&crc.to_le_bytes());
        Some(CacheEntry { record, post_at })
    }

    /// The entry of a `record` as read (its length first), or `None` when it is corrupt: its
    /// checksum does not match, or its path is not there or not UTF-8.
    fn check(record: Vec<u8>) -> Option<CacheEntry> {
        let u32_at = |i: usize| Some(u32::from_le_bytes(record.get(i..i + 4)?.try_into().ok()?));
        (crc32fast::hash(record.get(8..)?) == u32_at(4)?).then_some(())?;
        let post_at = PATH_AT.checked_add(u32_at(8)? as usize)?;
        std::str::from_utf8(record.get(PATH_AT..post_at)?).ok()?;
        Some(CacheEntry { record, post_at })
    }

    /// The path of the post it is about.
    fn path(&self) -> &Path {
        // Checked to be UTF-8 when the record was made or read.
        Path::new(std::str::from_utf8(&self.record[PATH_AT..self.post_at]).unwrap_or_default())
    }

    /// The post as cached; `None` when its record cannot be decoded (the post is then read).
    pub fn parse(&self) -> Option<CachedPost> {
        bincode::deserialize(&self.record[self.post_at..]).ok()
    }

    /// The record, for the next run's cache ([`CacheWriter::add_record`]).
    pub fn into_record(self) -> Vec<u8> {
        self.record
    }
}

#[derive(Serialize, Deserialize, PartialEq)]
struct CacheHeader {
    format: u32,
    postbook: String,
    /// Posts read with chrome kept have no chrome counts (of the kinds kept) and no edge
    /// hashes (with boilerplate kept): a cache is only used by runs that read posts the same
    /// way. The kinds' names.
    keep_chrome: Vec<String>,
    /// The digests of the files the sites' Liquid reads: a post's cached warnings (missing
    /// includes, unknown variables) hold only while they are unchanged.
    sites: Vec<String>,
}

impl CacheHeader {
    fn current(read: ReadOptions<'_>) -> CacheHeader {
        CacheHeader {
            format: CACHE_FORMAT,
            postbook: env!("CARGO_PKG_VERSION").into(),
            keep_chrome: (read.keep_chrome.kinds())
                .map(|k| k.name().to_string())
                .collect(),
            sites: read
                .sites
                .iter()
                .map(|s| s.files_digest().to_string())
                .collect(),
        }
    }
}

/// The metadata cache of an earlier run, read in step with the inputs.
///
/// The file is binary: [`MAGIC`], the header's length (a little-endian `u32`) and the header
/// (cache format, postbook version, how posts were read) in bincode, then one record per post
/// (see [`CacheEntry`]) in the order the run recorded them, which is the inputs' sorted
/// order. It is merged with the sorted inputs a record at a time, so a re-run never holds the
/// whole cache (at 100,000 posts a map of it took 40 MB). A missing cache, or one written by
/// another version or format, is not used; a record that is cut short or fails its checksum
/// ends the cache there, and one that cannot be decoded has its post read: the remaining posts
/// are simply read. No length in the file is trusted beyond what the file holds.
#[derive(Default)]
pub struct PostCache {
    file: Option<std::io::BufReader<std::fs::File>>,
    /// How many bytes of the file are not read yet.
    left: u64,
    /// The first entry not handed out yet.
    next: Option<CacheEntry>,
    /// Entries passed over: posts deleted or changed since.
    passed: usize,
    /// Whether the file existed but could not be used (or only in part).
    pub ignored: bool,
}

impl PostCache {
    pub fn load(dir: &Path, read: ReadOptions<'_>) -> PostCache {
        let Ok(file) = std::fs::File::open(dir.join(CACHE_NAME)) else {
            return PostCache::default();
        };
        let mut cache = PostCache {
            left: file.metadata().map_or(0, |m| m.len()),
            file: Some(std::io::BufReader::with_capacity(1 << 16, file)),
            ..PostCache::default()
        };
        let header = cache
            .bytes(MAGIC.len())
            .filter(|magic| magic == MAGIC)
            .and_then(|_| cache.bytes(4))
            .and_then(|len| cache.bytes(u32::from_le_bytes(len.try_into().ok()?) as usize))
            .and_then(|header| bincode::deserialize::<CacheHeader>(&header).ok());
        cache.ignored = header != Some(CacheHeader::current(read));
        match cache.ignored {
            true => cache.file = None,
            false => cache.advance(),
        }
        cache
    }

    /// The next `n` bytes of the file; `None` when it holds fewer (the file then ends here).
    fn bytes(&mut self, n: usize) -> Option<Vec<u8>> {
        let file = self.file.as_mut()?;
        let mut buf = Vec::new();
        self.left = self.left.checked_sub(n as u64)?;
        buf.resize(n, 0);
        file.read_exact(&mut buf).ok()?;
        Some(buf)
    }

    /// The next record of the file, or `None` where the file ends or stops making sense.
    fn record(&mut self) -> Option<CacheEntry> {
        let len = self.bytes(4)?;
        let rest = self.bytes(u32::from_le_bytes(len.as_slice().try_into().ok()?) as usize)?;
        let mut record = len;
        record.extend(rest);
        CacheEntry::check(record)
    }

    fn advance(&mut self) {
        if self.left == 0 {
            self.next = None;
            self.file = None;
            return;
        }
        self.next = self.record();
        if self.next.is_none() {
            // A record cut short or corrupt: the rest of the file is not trusted.
            self.ignored = true;
            self.file = None;
            self.left = 0;
        }
    }

    /// The cache entry of the post at `path` (check it with [`CachedPost::fresh`]). Paths must
    /// be asked for in sorted order, as [`crate::input::discover`] lists them.
    pub fn take(&mut self, path: &Path) -> Option<CacheEntry> {
        loop {
            match self.next.as_ref()?.path().cmp(path) {
                std::cmp::Ordering::Less => {
                    self.passed += 1;
                    self.advance();
                }
                std::cmp::Ordering::Equal => {
                    let post = self.next.take();
                    self.advance();
                    return post;
                }
                std::cmp::Ordering::Greater => return None,
            }
        }
    }

    /// How many entries were not handed out (posts deleted or changed since). Reads the rest
    /// of the file.
    pub fn unused(&mut self) -> usize {
        while self.next.is_some() {
            self.passed += 1;
            self.advance();
        }
        self.passed
    }
}

/// The cache of this run, written record by record to a temporary file in the output folder
/// as posts are recorded (on 100,000 posts it is about 40 MB: better on disk than in memory),
/// and renamed over the old cache by [`CacheWriter::save`]. Dropped unsaved, it leaves nothing.
pub struct CacheWriter {
    /// `None` when there is no cache to write (no output folder, a dry run) or writing failed.
    file: Option<BufWriter<crate::output::TemporaryFile>>,
}

impl CacheWriter {
    /// Starts a cache in `dir`, creating the folder. Without a folder, or when it cannot be
    /// written, the writer does nothing: the next run then reads every post.
    pub fn create(dir: Option<&Path>, read: ReadOptions<'_>) -> CacheWriter {
        let start = |dir: &Path| -> std::io::Result<BufWriter<crate::output::TemporaryFile>> {
            let header =
                bincode::serialize(&CacheHeader::current(read)).map_err(std::io::Error::other)?;
            let len = u32::try_from(header.len()).map_err(std::io::Error::other)?;
            let tmp = crate::output::temporary_for(&dir.join(CACHE_NAME))?;
            let mut file = BufWriter::with_capacity(1 << 16, tmp);
            file.write_all(MAGIC)?;
            file.write_all(&len.to_le_bytes())?;
            file.write_all(&header)?;
            Ok(file)
        };
        CacheWriter {
            file: dir.and_then(|d| start(d).ok()),
        }
    }

    /// Records a post that was read. Posts whose path is not UTF-8 are left out; they are read
    /// on every run.
    pub fn add(&mut self, meta: &Meta, input: &InputInfo, warnings: &[Warning]) {
        let Some(path) = meta.path.to_str() else {
            return;
        };
        if let Some(entry) = CacheEntry::new(path, &CachedPost::new(meta, input, warnings)) {
            self.add_record(&entry.record);
        }
    }

    /// Records a post taken from the cache, with its record as the cache had it.
    pub fn add_record(&mut self, record: &[u8]) {
        if let Some(file) = &mut self.file {
            if file.write_all(record).is_err() {
                self.file = None;
            }
        }
    }

    /// Puts the cache in place in `dir`: synced, then renamed over the old one. The cache of
    /// an earlier format under its old name goes.
    pub fn save(self, dir: &Path) -> std::io::Result<()> {
        let Some(file) = self.file else {
            return Err(std::io::Error::other("the cache could not be written"));
        };
        let tmp = file.into_inner().map_err(|e| e.into_error())?;
        tmp.as_file().sync_all()?;
        tmp.persist(&dir.join(CACHE_NAME))?;
        // Not being able to remove it loses nothing: no version reads it any more.
        let _ = std::fs::remove_file(dir.join(OLD_CACHE_NAME));
        Ok(())
    }
}

/// Computes the fingerprints of a run's outputs.
pub struct Fingerprints {
    /// SHA-256 state after the version and the options.
    base: Sha256,
    /// Where root-absolute picture paths are resolved.
    root: PathBuf,
    /// Each input that was read (or taken from the cache), by path.
    pub inputs: HashMap<PostPath, InputInfo>,
    /// The sites of the run with the digest of the files besides posts that reading them
    /// depends on ([`crate::site::Site::files_digest`]): part of the fingerprint of each of
    /// their posts.
    sites: Vec<(PathBuf, String)>,
}

impl Fingerprints {
    /// Starts from everything in `opts` that can change the bytes of an output, plus what those
    /// options point to (the template files' contents, the cover picture's bytes) and the
    /// environment (`SOURCE_DATE_EPOCH`). The options are listed exhaustively, without `..`:
    /// a new field in [`Options`] does not compile until it is either hashed here or named as
    /// not affecting outputs.
    pub fn new(opts: &Options, root: &Path, templates: Option<&Templates>) -> Fingerprints {
        let Options {
            // Which posts, and where outputs go: the plan and each output's inputs say that.
            inputs: _,
            destination: _,
            format,
            group_by,
            filters,
            title,
            title_pattern,
            author,
            lang,
            // It only decides where pictures resolve, and each picture's resolution is in the
            // fingerprint of the outputs that show it (see `of`).
            root: _,
            wrap,
            // Hashed by content, below (the `--css` file is part of the templates' digest).
            templates: _,
            css: _,
            kepub,
            no_highlight,
            section_index,
            thumbnails,
            // How the run is reported or carried out, not what it writes.
            report: _,
            verbosity: _,
            images,
            cover,
            auto_cover,
            no_cover,
            low_memory: _,
            dry_run: _,
            overwrite: _,
            rebuild: _,
            dedupe,
            // Which posts are read: each output's posts are in its fingerprint.
            drafts: _,
            keep_chrome,
            // Lists the books after they are written; changes none of them.
            catalog: _,
            notes,
            // Decides which posts each volume holds, and the plan's posts, file name and title
            // are in each output's fingerprint: a new limit that splits alike changes nothing.
            max_book_size: _,
        } = opts;
        let ImageOptions {
            policy,
            process,
            fetch,
            jobs: _,
        } = images;
        let FetchOptions {
            // Where and how patiently pictures are fetched, not which pictures.
            cache_dir: _,
            timeout: _,
            attempts: _,
            offline,
            max_bytes,
            allow_private_hosts,
        } = fetch;
        let cover = cover.as_ref().map(|p| match std::fs::read(p) {
            Ok(bytes) => sha256_hex(&bytes),
            Err(e) => format!("unreadable: {e}"),
        });
        // JSON, not `{:?}`: a documented format that a new compiler does not change.
        let described = serde_json::to_string(&(
            env!("CARGO_PKG_VERSION"),
            (
                format,
                group_by,
                filters,
                title,
                title_pattern,
                author,
                lang,
                wrap,
            ),
            (
                policy,
                process,
                offline,
                max_bytes,
                allow_private_hosts,
                cover,
                auto_cover,
                no_cover,
            ),
            (kepub, no_highlight, section_index, thumbnails),
            (dedupe, keep_chrome, templates.map(Templates::digest)),
            notes,
            std::env::var("SOURCE_DATE_EPOCH").ok(),
        ))
        .expect("options serialize to JSON");
        Fingerprints {
            base: Sha256::new_with_prefix(described.as_bytes()),
            root: root.to_path_buf(),
            inputs: HashMap::new(),
            sites: Vec::new(),
        }
    }

    /// Makes the files each site's posts depend on (its config; a Jekyll site's `_data/`,
    /// `_includes/`) part of the fingerprints of its posts: editing one re-renders them.
    pub fn add_sites(&mut self, sites: &[crate::site::Site]) {
        self.sites = sites
            .iter()
            .map(|s| (s.root.clone(), s.files_digest().to_string()))
            .filter(|(_, d)| !d.is_empty())
            .collect();
    }

    /// Adds the folder's boilerplate (see [`chrome::boilerplate`]) to every output's
    /// fingerprint: which blocks count as boilerplate depends on all posts, so when that set
    /// changes every output is made again (rare: a block must start or stop recurring).
    pub fn add_boilerplate(&mut self, boilerplate: &[u64]) {
        self.base.update(b"boilerplate");
        for h in boilerplate {
            self.base.update(h.to_le_bytes());
        }
    }

    /// The fingerprint of one output: the base, `plan` (the output's path relative to the
    /// output folder and what planning decided for it), and its posts in order, each with its
    /// stamp and its local pictures' stamps. `None` when an input has no stamp (it could not be
    /// examined): such an output is never taken as up to date.
    pub fn of(&self, plan: &[Option<&[u8]>], posts: &[&Document]) -> Option<String> {
        let mut h = self.base.clone();
        for &field in plan {
            hash_field(&mut h, field);
        }
        for doc in posts {
            let input = self.inputs.get(&doc.meta.path)?;
            // Raw bytes, not `{:?}`: at 100,000 posts, escaping every path for Debug showed.
            h.update(b"\0");
            h.update(doc.meta.path.as_os_str().as_encoded_bytes());
            h.update(b"\0");
            if !self.sites.is_empty() {
                let abs = std::path::absolute(&*doc.meta.path).unwrap_or_default();
                let site = self
                    .sites
                    .iter()
                    .filter(|(root, _)| abs.starts_with(root))
                    .max_by_key(|(root, _)| root.components().count());
                if let Some((_, digest)) = site {
                    hash_field(&mut h, Some(digest.as_bytes()));
                }
            }
            hash_stamp(&mut h, Some(input.stamp));
            for src in &input.pictures {
                match images::resolve(&doc.meta, src, &self.root) {
                    Ok(Source::File(p)) => {
                        h.update(b"f");
                        hash_field(&mut h, Some(p.as_os_str().as_encoded_bytes()));
                        hash_stamp(&mut h, Stamp::of(&p));
                    }
                    Ok(Source::Url(u)) => {
                        h.update(b"u");
                        hash_field(&mut h, Some(u.as_bytes()));
                    }
                    Ok(Source::Data(bytes)) => {
                        h.update(b"d");
                        hash_field(&mut h, Some(&bytes));
                    }
                    Err(e) => {
                        h.update(b"e");
                        hash_field(&mut h, Some(e.to_string().as_bytes()));
                    }
                }
            }
        }
        Some(hex(&h.finalize()))
    }
}

/// Adds a field to a fingerprint, its length first so that no two sequences of fields give
/// the same bytes; `None` is told apart from every string.
fn hash_field(h: &mut Sha256, field: Option<&[u8]>) {
    match field {
        Some(bytes) => {
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        }
        None => h.update(u64::MAX.to_le_bytes()),
    }
}

/// Adds a file's stamp, a tag byte first so that a missing stamp is told apart from any size.
fn hash_stamp(h: &mut Sha256, stamp: Option<Stamp>) {
    match stamp {
        Some(s) => {
            h.update([1]);
            h.update(s.size.to_le_bytes());
            h.update(s.mtime_ns.to_le_bytes());
        }
        None => h.update([0]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A post written to `dir` and read, with its stamp and input info.
    fn post(dir: &Path, name: &str, text: &str) -> (Document, Stamp, InputInfo) {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let doc = crate::read::read_post(&path).unwrap().doc;
        let stamp = Stamp::of(&path).unwrap();
        let info = InputInfo::new(stamp, &doc, &[], true);
        (doc, stamp, info)
    }

    /// Posts `2023-05-01-<name>.md` in `dir`, one for each of `names`, titled "T".
    fn posts_named(dir: &Path, names: &[&str]) -> Vec<(Document, Stamp, InputInfo)> {
        names
            .iter()
            .map(|n| {
                post(
                    dir,
                    &format!("2023-05-01-{n}.md"),
                    "---\ntitle: T\n---\nhi\n",
                )
            })
            .collect()
    }

    /// A cache in `dir` of `posts`, each with `warnings`.
    fn write_cache(dir: &Path, posts: &[&(Document, Stamp, InputInfo)], warnings: &[Warning]) {
        let mut w = CacheWriter::create(Some(dir), ReadOptions::default());
        for (doc, _, info) in posts {
            w.add(&doc.meta, info, warnings);
        }
        w.save(dir).unwrap();
    }

    /// Where the records of a cache file start: after the magic and the header.
    fn records_at(bytes: &[u8]) -> usize {
        let len = u32::from_le_bytes(bytes[MAGIC.len()..MAGIC.len() + 4].try_into().unwrap());
        MAGIC.len() + 4 + len as usize
    }

    #[test]
    fn cache_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let a = post(
            dir.path(),
            "2023-05-01-a.md",
            "---\ntitle: A\ndate: 2023-05-01T08:30:15.25+08:00\nupdated: 2023-06-02\n\
             author: 王五\ncategories: [新闻, 国际]\ntags: [x]\nsource: https://example.com/a\n\
             lang: zh-CN\ndraft: true\nextra_key: kept only in the post\n---\n\
             hi ![p](pics/p.png)\n",
        );
        let b = post(dir.path(), "2023-05-02-b.md", "no front matter\n");
        let warnings = [
            Warning::new(WarningKind::Undated, "a warning"),
            Warning::named(WarningKind::UnknownShortcode, "notice", 8, "eight notices"),
        ];
        write_cache(dir.path(), &[&a, &b], &warnings);
        // Nothing else is left in the folder: two posts and the cache.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);

        let mut cache = PostCache::load(dir.path(), ReadOptions::default());
        for (doc, stamp, info) in [&a, &b] {
            let path = &doc.meta.path;
            let entry = cache.take(path).unwrap();
            let (meta, input, cached) = entry.parse().unwrap().fresh(path, Some(*stamp)).unwrap();
            // The cache keeps all of the metadata but the front matter's extra keys.
            let expected = Meta {
                extra: Vec::new(),
                ..doc.meta.clone()
            };
            assert_eq!(meta, expected);
            assert_eq!(meta.date.unwrap().to_iso(), doc.meta.date.unwrap().to_iso());
            assert_eq!(cached, warnings);
            assert_eq!(input.stamp, info.stamp);
            assert_eq!(input.pictures, info.pictures);
            assert_eq!(input.edges, info.edges);
        }
        assert_eq!(a.2.pictures, ["pics/p.png"]);
        assert!(!a.0.meta.extra.is_empty() && a.0.meta.draft);
        assert!(!cache.ignored && cache.unused() == 0);
    }

    #[test]
    fn a_changed_post_misses_and_a_cached_one_passes_its_record_on() {
        let dir = tempfile::tempdir().unwrap();
        let a = post(dir.path(), "2023-05-01-a.md", "---\ntitle: A\n---\nhi\n");
        write_cache(dir.path(), &[&a], &[]);
        let path = &a.0.meta.path;
        let file = dir.path().join(CACHE_NAME);
        let bytes = std::fs::read(&file).unwrap();

        // A changed stamp (size or time) misses.
        let mut cache = PostCache::load(dir.path(), ReadOptions::default());
        let entry = cache.take(path).unwrap();
        let changed = Stamp {
            size: a.1.size + 1,
            ..a.1
        };
        assert!(entry.parse().unwrap().fresh(path, Some(changed)).is_none());
        let touched = Stamp {
            mtime_ns: a.1.mtime_ns + 1,
            ..a.1
        };
        assert!(entry.parse().unwrap().fresh(path, Some(touched)).is_none());
        assert!(entry.parse().unwrap().fresh(path, None).is_none());

        // A post taken from the cache gives the next cache its record as it was.
        let mut next = CacheWriter::create(Some(dir.path()), ReadOptions::default());
        next.add_record(&entry.into_record());
        next.save(dir.path()).unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), bytes);
    }

    #[test]
    fn a_cut_or_corrupt_cache_serves_what_comes_before_and_never_fails() {
        let dir = tempfile::tempdir().unwrap();
        let posts = posts_named(dir.path(), &["a", "b", "c"]);
        write_cache(dir.path(), &posts.iter().collect::<Vec<_>>(), &[]);
        let file = dir.path().join(CACHE_NAME);
        let bytes = std::fs::read(&file).unwrap();
        let served = |bytes: &[u8]| {
            std::fs::write(&file, bytes).unwrap();
            let mut cache = PostCache::load(dir.path(), ReadOptions::default());
            let n = posts
                .iter()
                .filter(|(doc, stamp, _)| {
                    let path = &doc.meta.path;
                    let entry = cache.take(path);
                    entry.is_some_and(|e| {
                        e.parse()
                            .and_then(|p| p.fresh(path, Some(*stamp)))
                            .is_some()
                    })
                })
                .count();
            (n, cache.ignored)
        };
        assert_eq!(served(&bytes), (3, false));
        let first = records_at(&bytes);
        let record = (bytes.len() - first) / 3;
        // Cut anywhere: the whole records before the cut are served (a cut between records
        // leaves a cache of fewer posts), and a cache cut inside a header or a record is
        // known to be corrupt.
        for cut in 0..bytes.len() {
            let whole = cut.saturating_sub(first) / record;
            let between = cut >= first && (cut - first).is_multiple_of(record);
            assert_eq!(served(&bytes[..cut]), (whole, !between), "cut at {cut}");
        }
        // Any one byte changed: never a post with other metadata, nor a panic. A change in the
        // header ignores the whole cache; in a record, its checksum ends the cache there.
        for i in 0..bytes.len() {
            let mut corrupt = bytes.clone();
            corrupt[i] ^= 0x20;
            let (n, ignored) = served(&corrupt);
            assert!(ignored && n < 3, "byte {i}");
        }
        // A record's length that claims more than the file holds is not believed.
        let mut huge = bytes.clone();
        huge[first..first + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(served(&huge), (0, true));
    }

    #[test]
    fn an_old_format_cache_is_ignored_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let a = post(dir.path(), "2023-05-01-a.md", "---\ntitle: A\n---\nhi\n");
        // What format 5 wrote (JSON lines), under its name and under the new one.
        let stamp = serde_json::to_string(&a.1).unwrap();
        let path = serde_json::to_string(&a.0.meta.path).unwrap();
        let old = format!(
            "{{\"format\":5,\"postbook\":\"{}\",\"keep_chrome\":[],\"sites\":[]}}\n\
             {path}\t{{\"meta\":{{\"title\":\"A\"}},\"input\":{{\"stamp\":{stamp}}}}}\n",
            env!("CARGO_PKG_VERSION")
        );
        std::fs::write(dir.path().join(OLD_CACHE_NAME), &old).unwrap();
        let mut cache = PostCache::load(dir.path(), ReadOptions::default());
        assert!(cache.take(&a.0.meta.path).is_none() && !cache.ignored);
        std::fs::write(dir.path().join(CACHE_NAME), &old).unwrap();
        let mut cache = PostCache::load(dir.path(), ReadOptions::default());
        assert!(cache.take(&a.0.meta.path).is_none() && cache.ignored);
        // Another format or version of this one: ignored too.
        write_cache(dir.path(), &[&a], &[]);
        let file = dir.path().join(CACHE_NAME);
        let bytes = std::fs::read(&file).unwrap();
        let format_at = MAGIC.len() + 4;
        assert_eq!(bytes[format_at..format_at + 4], CACHE_FORMAT.to_le_bytes());
        let mut other = bytes.clone();
        other[format_at] ^= 1;
        std::fs::write(&file, &other).unwrap();
        let mut cache = PostCache::load(dir.path(), ReadOptions::default());
        assert!(cache.take(&a.0.meta.path).is_none() && cache.ignored);
        // Saving a cache removed the old one.
        assert!(!dir.path().join(OLD_CACHE_NAME).exists());
    }

    #[test]
    fn fingerprint_fields_cannot_run_into_each_other() {
        let digest = |fields: &[Option<&[u8]>]| {
            let mut h = Sha256::new();
            fields.iter().for_each(|&f| hash_field(&mut h, f));
            hex(&h.finalize())
        };
        let ab = digest(&[Some(b"ab"), Some(b"")]);
        assert_ne!(ab, digest(&[Some(b"a"), Some(b"b")]));
        assert_ne!(ab, digest(&[Some(b"ab"), None]));
        assert_eq!(ab, digest(&[Some(b"ab"), Some(b"")]));
    }

    #[test]
    fn a_cache_serves_only_runs_that_read_posts_the_same_way() {
        let dir = tempfile::tempdir().unwrap();
        let kept = ReadOptions {
            keep_chrome: chrome::Kept::ALL,
            ..ReadOptions::default()
        };
        CacheWriter::create(Some(dir.path()), ReadOptions::default())
            .save(dir.path())
            .unwrap();
        assert!(!PostCache::load(dir.path(), ReadOptions::default()).ignored);
        assert!(PostCache::load(dir.path(), kept).ignored);
    }

    #[test]
    fn cache_is_merged_with_sorted_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let posts = posts_named(dir.path(), &["a", "b", "c", "d"]);
        write_cache(dir.path(), &posts.iter().collect::<Vec<_>>(), &[]);
        let path = |i: usize| &posts[i].0.meta.path;
        // `b` was deleted and a new post sorts before `a`: entries are matched or passed over.
        let mut cache = PostCache::load(dir.path(), ReadOptions::default());
        assert!(cache.take(&dir.path().join("2023-04-30-new.md")).is_none());
        assert!(cache.take(path(0)).is_some());
        assert!(cache.take(path(2)).is_some());
        assert_eq!(cache.unused(), 2, "b passed over, d never asked for");
        assert!(!cache.ignored);

        // A corrupt record ends the cache there; the entries before it still count.
        let file = dir.path().join(CACHE_NAME);
        let mut bytes = std::fs::read(&file).unwrap();
        let record = (bytes.len() - records_at(&bytes)) / 4;
        let third = bytes.len() - 2 * record;
        bytes[third + 20] ^= 1;
        std::fs::write(&file, &bytes).unwrap();
        let mut cache = PostCache::load(dir.path(), ReadOptions::default());
        assert!(cache.take(path(0)).is_some() && cache.take(path(1)).is_some());
        assert!(cache.take(path(2)).is_none() && cache.take(path(3)).is_none());
        assert!(cache.ignored);
    }
}
