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
use crate::model::{Document, Meta, PostPath};
use crate::options::Options;
pub use crate::output::Stamp;
use crate::output::{hex, sha256_hex};
use crate::read::{chrome, ReadOptions};
use crate::templates::Templates;
use crate::warning::Warning;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The file in an output folder that caches each input's metadata.
pub const CACHE_NAME: &str = ".postbook-cache.json";

/// Bumped whenever the cache lines change shape.
const CACHE_FORMAT: u32 = 5;

/// What an incremental run knows about one input besides its metadata.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InputInfo {
    /// Taken before the post was read.
    pub stamp: Stamp,
    /// The post's local picture references (paths, not URLs or `data:`): the files they point
    /// to are embedded in books, so they are part of the fingerprint of every output they are in.
    pub pictures: Vec<String>,
    /// The hashes of its short opening and closing blocks ([`chrome::edge_hashes`]): the
    /// folder-wide boilerplate count needs every post's, read or cached.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edges: Vec<u64>,
    /// How many blocks of site chrome its reader removed, by kind (for the report of a run
    /// that takes the post from the cache).
    #[serde(default, skip_serializing_if = "chrome::Counts::is_empty")]
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

/// One line of the cache: a post's metadata, stamp, pictures and read warnings. Generic so the
/// same shape is written from borrowed values and read back into owned ones.
#[derive(Serialize, Deserialize)]
pub struct CacheLine<M, I, W> {
    meta: M,
    input: I,
    warnings: W,
}

/// A post as the cache has it.
pub type CachedPost = CacheLine<Meta, InputInfo, Vec<Warning>>;

impl CachedPost {
    /// The cached metadata, input info and read warnings, if the post still has this `stamp`.
    pub fn fresh(self, stamp: Option<Stamp>) -> Option<(Meta, InputInfo, Vec<Warning>)> {
        (Some(self.input.stamp) == stamp).then_some((self.meta, self.input, self.warnings))
    }
}

/// A post's line of the cache, not parsed yet: [`PostCache`] hands lines out in step with the
/// inputs, on one thread, knowing only their paths; each is parsed by the thread that would
/// otherwise read the post, and a post taken from the cache gives its line to the next cache
/// as it is (re-encoding 100,000 entries was a tenth of an unchanged re-run).
pub struct CacheEntry {
    path: PathBuf,
    /// The whole line: the path as a JSON string, a tab, the [`CacheLine`] as JSON.
    line: String,
}

impl CacheEntry {
    /// The post as cached; `None` when its line cannot be parsed (the post is then read).
    pub fn parse(&self) -> Option<CachedPost> {
        let (_, json) = self.line.split_once('\t')?;
        serde_json::from_str(json).ok()
    }

    /// The line, for the next run's cache ([`CacheWriter::add_line`]).
    pub fn into_line(self) -> String {
        self.line
    }
}

/// The path a cache line starts with, or `None` if the line is not one.
fn line_path(line: &str) -> Option<PathBuf> {
    let (path, _) = line.split_once('\t')?;
    serde_json::from_str(path).ok()
}

#[derive(Serialize, Deserialize, PartialEq)]
struct CacheHeader {
    format: u32,
    postbook: String,
    /// Posts read with chrome kept have no chrome counts (of the kinds kept) and no edge
    /// hashes (with boilerplate kept): a cache is only used by runs that read posts the same
    /// way.
    keep_chrome: chrome::Kept,
    /// The digests of the files the sites' Liquid reads: a post's cached warnings (missing
    /// includes, unknown variables) hold only while they are unchanged.
    sites: Vec<String>,
}

impl CacheHeader {
    fn current(read: ReadOptions<'_>) -> CacheHeader {
        CacheHeader {
            format: CACHE_FORMAT,
            postbook: env!("CARGO_PKG_VERSION").into(),
            keep_chrome: read.keep_chrome,
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
/// The file is lines: a JSON header (cache format and postbook version), then one post per
/// line in the order the run recorded them, which is the inputs' sorted order: its path as a
/// JSON string, a tab, and its [`CacheLine`] as JSON. It is merged with the sorted inputs a
/// line at a time, so a re-run never holds the whole cache (at 100,000 posts a map of it took
/// 40 MB). A missing cache, or one written by another version, is not used; a line without a
/// path ends the cache there, and a line that cannot be parsed has its post read: the
/// remaining posts are simply read.
#[derive(Default)]
pub struct PostCache {
    lines: Option<std::io::Lines<std::io::BufReader<std::fs::File>>>,
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
        let mut lines = std::io::BufReader::new(file).lines();
        let header = lines.next().and_then(|l| l.ok());
        let header: Option<CacheHeader> = header.and_then(|l| serde_json::from_str(&l).ok());
        let mut cache = PostCache {
            ignored: header != Some(CacheHeader::current(read)),
            ..PostCache::default()
        };
        if !cache.ignored {
            cache.lines = Some(lines);
            cache.advance();
        }
        cache
    }

    fn advance(&mut self) {
        let line = self.lines.as_mut().and_then(Iterator::next);
        let entry = |line: String| {
            Some(CacheEntry {
                path: line_path(&line)?,
                line,
            })
        };
        self.next = match line.map(|l| entry(l.ok()?)) {
            Some(Some(entry)) => Some(entry),
            Some(None) => {
                self.ignored = true;
                self.lines = None;
                None
            }
            None => None,
        };
    }

    /// The cache entry of the post at `path` (check it with [`CachedPost::fresh`]). Paths must
    /// be asked for in sorted order, as [`crate::input::discover`] lists them.
    pub fn take(&mut self, path: &Path) -> Option<CacheEntry> {
        loop {
            match self.next.as_ref()?.path.as_path().cmp(path) {
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

/// The cache of this run, written line by line to a temporary file in the output folder as
/// posts are recorded (on 100,000 posts it is about 60 MB: better on disk than in memory), and
/// renamed over the old cache by [`CacheWriter::save`]. Dropped unsaved, it leaves nothing.
pub struct CacheWriter {
    /// `None` when there is no cache to write (no output folder, a dry run) or writing failed.
    file: Option<BufWriter<crate::output::TemporaryFile>>,
}

impl CacheWriter {
    /// Starts a cache in `dir`, creating the folder. Without a folder, or when it cannot be
    /// written, the writer does nothing: the next run then reads every post.
    pub fn create(dir: Option<&Path>, read: ReadOptions<'_>) -> CacheWriter {
        let start = |dir: &Path| -> std::io::Result<BufWriter<crate::output::TemporaryFile>> {
            let tmp = crate::output::temporary_for(&dir.join(CACHE_NAME))?;
            let mut file = BufWriter::new(tmp);
            serde_json::to_writer(&mut file, &CacheHeader::current(read))?;
            file.write_all(b"\n")?;
            Ok(file)
        };
        CacheWriter {
            file: dir.and_then(|d| start(d).ok()),
        }
    }

    /// Records a post that was read. Its front matter's extra keys
    /// are not kept: planning does not need them. Posts whose path is not UTF-8 are left out
    /// (JSON cannot hold it); they are read on every run.
    pub fn add(&mut self, meta: &Meta, input: &InputInfo, warnings: &[Warning]) {
        let extra = Vec::new();
        let meta = &Meta {
            extra,
            ..meta.clone()
        };
        let line = CacheLine {
            meta,
            input,
            warnings,
        };
        let (Some(path), Ok(json)) = (meta.path.to_str(), serde_json::to_string(&line)) else {
            return;
        };
        let Ok(path) = serde_json::to_string(path) else {
            return;
        };
        self.add_line(&format!("{path}\t{json}"));
    }

    /// Records a post taken from the cache, with its line as the cache had it.
    pub fn add_line(&mut self, line: &str) {
        if let Some(file) = &mut self.file {
            if file
                .write_all(line.as_bytes())
                .and(file.write_all(b"\n"))
                .is_err()
            {
                self.file = None;
            }
        }
    }

    /// Puts the cache in place in `dir`: synced, then renamed over the old one.
    pub fn save(self, dir: &Path) -> std::io::Result<()> {
        let Some(file) = self.file else {
            return Err(std::io::Error::other("the cache could not be written"));
        };
        let tmp = file.into_inner().map_err(|e| e.into_error())?;
        tmp.as_file().sync_all()?;
        tmp.persist(&dir.join(CACHE_NAME))
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
    use crate::warning::WarningKind;

    #[test]
    fn cache_round_trip_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let post = dir.path().join("2023-05-01-a.md");
        std::fs::write(&post, "---\ntitle: A\ndate: 2023-05-01\n---\nhi\n").unwrap();
        let doc = crate::read::read_post(&post).unwrap().doc;
        let stamp = Stamp::of(&post);
        let info = InputInfo::new(stamp.unwrap(), &doc, &[], true);
        let mut w = CacheWriter::create(Some(dir.path()), ReadOptions::default());
        let warning = Warning::new(WarningKind::Undated, "a warning");
        w.add(&doc.meta, &info, std::slice::from_ref(&warning));
        w.save(dir.path()).unwrap();
        // Nothing else is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);

        let mut cache = PostCache::load(dir.path(), ReadOptions::default());
        let entry = cache.take(&post).unwrap();
        let (meta, _, warnings) = entry.parse().unwrap().fresh(stamp).expect("cached");
        assert_eq!(meta, doc.meta);
        assert_eq!(warnings, [warning]);
        assert!(cache.take(&post).is_none() && cache.unused() == 0);
        // A changed stamp misses.
        let mut cache = PostCache::load(dir.path(), ReadOptions::default());
        let other = stamp.map(|s| Stamp {
            size: s.size + 1,
            ..s
        });
        let entry = cache.take(&post).unwrap();
        assert!(entry.parse().unwrap().fresh(other).is_none());
        // A post taken from the cache gives the next cache its line as it was.
        let mut next = CacheWriter::create(Some(dir.path()), ReadOptions::default());
        next.add_line(&entry.into_line());
        next.save(dir.path()).unwrap();
        let cache_file = dir.path().join(CACHE_NAME);
        let again = std::fs::read_to_string(&cache_file).unwrap();
        let mut cache = PostCache::load(dir.path(), ReadOptions::default());
        assert!(cache
            .take(&post)
            .unwrap()
            .parse()
            .unwrap()
            .fresh(stamp)
            .is_some());

        // A line cut short: its post is read; without its path, the cache ends there.
        let file = dir.path().join(CACHE_NAME);
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(text, again);
        std::fs::write(&file, &text[..text.len() - 5]).unwrap();
        let mut cache = PostCache::load(dir.path(), ReadOptions::default());
        assert!(cache.take(&post).unwrap().parse().is_none());
        let header_end = text.find('\n').unwrap() + 1;
        std::fs::write(&file, &text[..header_end + 5]).unwrap();
        assert!(PostCache::load(dir.path(), ReadOptions::default()).ignored);

        // From another version: ignored, never an error.
        std::fs::write(
            &file,
            text.replacen(&format!("\"format\":{CACHE_FORMAT}"), "\"format\":0", 1),
        )
        .unwrap();
        let mut cache = PostCache::load(dir.path(), ReadOptions::default());
        assert!(cache.ignored && cache.unused() == 0);
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
        let posts: Vec<PathBuf> = ["a", "b", "c", "d"]
            .iter()
            .map(|n| dir.path().join(format!("2023-05-01-{n}.md")))
            .collect();
        let mut w = CacheWriter::create(Some(dir.path()), ReadOptions::default());
        for p in &posts {
            std::fs::write(p, "---\ntitle: T\n---\nhi\n").unwrap();
            let doc = crate::read::read_post(p).unwrap().doc;
            w.add(
                &doc.meta,
                &InputInfo::new(Stamp::of(p).unwrap(), &doc, &[], true),
                &[],
            );
        }
        w.save(dir.path()).unwrap();
        // `b` was deleted and a new post sorts before `a`: entries are matched or passed over.
        let mut cache = PostCache::load(dir.path(), ReadOptions::default());
        assert!(cache.take(&dir.path().join("2023-04-30-new.md")).is_none());
        assert!(cache.take(&posts[0]).is_some());
        assert!(cache.take(&posts[2]).is_some());
        assert_eq!(cache.unused(), 2, "b passed over, d never asked for");

        // A corrupt line ends the cache there; the entries before it still count.
        let file = dir.path().join(CACHE_NAME);
        let text = std::fs::read_to_string(&file).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines[3] = "{not json";
        std::fs::write(&file, lines.join("\n")).unwrap();
        let mut cache = PostCache::load(dir.path(), ReadOptions::default());
        assert!(cache.take(&posts[0]).is_some() && cache.take(&posts[1]).is_some());
        assert!(cache.take(&posts[2]).is_none() && cache.take(&posts[3]).is_none());
        assert!(cache.ignored);
    }
}
