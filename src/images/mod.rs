//! Image resources: where the picture bytes for an image reference come from.
//!
//! Writers that embed pictures (EPUB, Markdown with `--images embed`) ask an [`AssetSource`]
//! for each image of the model; the model itself only holds references. [`ImageStore`] is the
//! one implementation: before writing, it resolves every reference (local path, `data:` URI,
//! remote URL), downloads what is needed ([`fetch`]), and prepares each distinct picture once
//! for e-readers ([`process`]), all in parallel.

mod asset;
pub use asset::Asset;
pub mod fetch;
pub mod hosts;
pub mod process;
pub mod svg;

use crate::model::{Document, Meta, PostPath};
use crate::warning::{Warning, WarningKind};
use clap::ValueEnum;
use fetch::{FetchError, FetchOptions, Fetcher};
use indicatif::ProgressBar;
use process::{ProcessError, ProcessOptions};
use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// What to do with pictures (`--images`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImagePolicy {
    /// Remote pictures stay links; local ones are embedded in EPUBs (Markdown keeps all paths).
    Keep,
    /// Download remote pictures too and embed everything: into the EPUB, or into an `assets/`
    /// folder beside Markdown and text notes.
    Embed,
    /// Drop pictures, keeping their captions and alt text.
    Strip,
}

/// Everything about picture handling.
#[derive(Debug, Clone)]
pub struct ImageOptions {
    pub policy: ImagePolicy,
    pub process: ProcessOptions,
    pub fetch: FetchOptions,
    /// Downloads at once (`--image-jobs`).
    pub jobs: usize,
}

/// What happened when an image reference was looked up.
#[derive(Debug, Clone)]
pub enum Lookup {
    Found(Arc<Asset>),
    /// A remote reference that is not downloaded (`--images keep`): the writer keeps the link.
    NotLocal,
    /// A tracking pixel: the writer leaves the picture out.
    Dropped,
    /// The picture could not be used; the reason is reported as a warning
    /// ([`ImageError::warning`]) and the writer keeps the caption and a link to the original.
    Failed(ImageError),
}

/// Provides the bytes of the images a document references.
pub trait AssetSource: Sync {
    /// Looks up image reference `src` of the post described by `meta`.
    fn lookup(&self, meta: &Meta, src: &str) -> Lookup;
}

/// Where an image reference points.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    File(PathBuf),
    Url(String),
    Data(Vec<u8>),
}

impl Source {
    /// Identifies the picture across posts, so each is loaded and prepared once per run.
    fn key(&self) -> String {
        match self {
            Source::File(p) => format!("file:{}", p.display()),
            Source::Url(u) => u.clone(),
            Source::Data(b) => format!("data:{}", crate::output::sha256_hex(b)),
        }
    }
}

/// Resolves an image reference of `doc`. Relative paths are taken against the post's folder,
/// root-absolute ones (`/img/a.png`) against the site root; a path that does not exist locally
/// is taken against the post's source URL when it has one (scraped posts keep the site's
/// relative links). Paths that leave the root and `file:` URLs are refused: a post must not
/// pull arbitrary files (`../../etc/passwd`) into a book.
pub fn resolve(meta: &Meta, src: &str, root: &Path) -> Result<Source, ImageError> {
    let trimmed = src.trim();
    let lower = trimmed.to_ascii_lowercase();
    if lower.starts_with("data:") {
        // The data-url crate's errors have no Display; their Debug names the problem.
        let bad = |detail: String| ImageError::BadDataUri { detail };
        let url = data_url::DataUrl::process(trimmed).map_err(|e| bad(format!("{e:?}")))?;
        let (bytes, _) = url.decode_to_vec().map_err(|e| bad(format!("{e:?}")))?;
        return Ok(Source::Data(bytes));
    }
    if let Some(rest) = trimmed.strip_prefix("//") {
        return Ok(Source::Url(format!("https://{rest}")));
    }
    if is_remote(trimmed) {
        let src = src.to_string();
        return match url::Url::parse(trimmed) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(Source::Url(u.into())),
            Ok(u) if u.scheme() == "file" => Err(ImageError::FileUrl { src }),
            Ok(u) => Err(ImageError::Scheme {
                scheme: u.scheme().to_string(),
                src,
            }),
            Err(e) => Err(ImageError::BadUrl {
                src,
                detail: e.to_string(),
            }),
        };
    }
    let rel = trimmed.split(['?', '#']).next().unwrap_or(trimmed);
    let rel = percent_encoding::percent_decode_str(rel).decode_utf8_lossy();
    let base = match rel.strip_prefix('/') {
        Some(_) => root.to_path_buf(),
        None => meta
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
    };
    let path = join_within(&base, rel.trim_start_matches('/'), root).map_err(|out| {
        let (src, root) = (src.to_string(), root.to_path_buf());
        match out {
            Outside::Path => ImageError::OutsideRoot { src, root },
            Outside::Link { link, target } => ImageError::LinkOutsideRoot {
                src,
                link,
                target,
                root,
            },
        }
    })?;
    if !path.is_file() {
        let page = meta.source.as_deref().and_then(|s| url::Url::parse(s).ok());
        if let Some(u) = page
            .filter(|p| matches!(p.scheme(), "http" | "https"))
            .and_then(|p| p.join(trimmed).ok())
        {
            return Ok(Source::Url(u.into()));
        }
        let src = src.to_string();
        return Err(ImageError::NotFound { src, path });
    }
    Ok(Source::File(path))
}

/// Counts for the summary and the report.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ImageCounts {
    /// Pictures fetched from the network in this run.
    pub downloaded: usize,
    /// Remote pictures found in the cache.
    pub from_cache: usize,
    /// Distinct pictures that could not be used.
    pub failed: usize,
    /// Wall time spent downloading (or finding pictures in the cache).
    pub download_seconds: f64,
    /// Wall time spent decoding, resizing and re-encoding.
    pub process_seconds: f64,
}

impl std::ops::AddAssign<&ImageCounts> for ImageCounts {
    /// Adds another store's counts (a streaming run prepares each book's pictures apart).
    fn add_assign(&mut self, other: &ImageCounts) {
        self.downloaded += other.downloaded;
        self.from_cache += other.from_cache;
        self.failed += other.failed;
        self.download_seconds += other.download_seconds;
        self.process_seconds += other.process_seconds;
    }
}

/// Every picture a run needs, resolved, fetched and prepared once.
pub struct ImageStore {
    root: PathBuf,
    policy: ImagePolicy,
    /// Each post's references, resolved once while preparing, so writers' lookups neither touch
    /// the file system nor decode `data:` URIs again. By post path, then `src`.
    resolved: HashMap<PostPath, HashMap<String, Resolved>>,
    prepared: HashMap<String, Result<Option<Arc<Asset>>, PictureError>>,
    pub counts: ImageCounts,
}

/// A reference after resolution: the prepared picture's key, `None` for a remote picture that
/// is not downloaded (`--images keep`), or why it was refused.
type Resolved = Result<Option<String>, ImageError>;

/// Resolves a reference to the key of the picture to prepare (and its source), or `None` for
/// a remote picture the policy does not download.
fn resolve_key(
    meta: &Meta,
    src: &str,
    root: &Path,
    policy: ImagePolicy,
) -> Result<Option<(String, Source)>, ImageError> {
    let source = resolve(meta, src, root)?;
    if matches!(source, Source::Url(_)) && policy != ImagePolicy::Embed {
        return Ok(None);
    }
    Ok(Some((source.key(), source)))
}

impl ImageStore {
    /// Resolves every image of `docs`; downloads remote ones when the policy is `embed`
    /// (`jobs` at once, duplicates once); then prepares each distinct picture on all cores.
    pub fn prepare(
        docs: &[&Document],
        root: &Path,
        opts: &ImageOptions,
        progress: &ProgressBar,
    ) -> std::io::Result<ImageStore> {
        let mut wanted: HashMap<String, Source> = HashMap::new();
        let mut resolved: HashMap<PostPath, HashMap<String, Resolved>> = HashMap::new();
        if opts.policy != ImagePolicy::Strip {
            for doc in docs {
                let refs = resolved.entry(doc.meta.path.clone()).or_default();
                doc.for_each_image(&mut |img| {
                    if refs.contains_key(&img.src) {
                        return;
                    }
                    let r = resolve_key(&doc.meta, &img.src, root, opts.policy).map(|found| {
                        found.map(|(key, source)| {
                            wanted.entry(key.clone()).or_insert(source);
                            key
                        })
                    });
                    refs.insert(img.src.clone(), r);
                });
            }
        }
        let mut wanted: Vec<(String, Source)> = wanted.into_iter().collect();
        wanted.sort_by(|a, b| a.0.cmp(&b.0));
        let urls: Vec<String> = wanted
            .iter()
            .filter_map(|(_, s)| match s {
                Source::Url(u) => Some(u.clone()),
                _ => None,
            })
            .collect();
        let mut counts = ImageCounts::default();
        let mut files: HashMap<String, Result<PathBuf, FetchError>> = HashMap::new();
        // Kept until the pictures are read: with --no-cache it is the folder they are in.
        let mut scratch = None;
        let started = std::time::Instant::now();
        if !urls.is_empty() {
            let (fetcher, folder) = Fetcher::new(opts.fetch.clone())?;
            scratch = folder;
            progress.set_message("images");
            progress.set_length(urls.len() as u64);
            for (url, result) in fetcher.fetch_all(urls, opts.jobs, progress)? {
                match &result {
                    Ok(got) if got.from_cache => counts.from_cache += 1,
                    Ok(_) => counts.downloaded += 1,
                    Err(_) => {}
                }
                files.insert(url, result.map(|got| got.path));
            }
        }
        counts.download_seconds = started.elapsed().as_secs_f64();
        let started = std::time::Instant::now();
        let prepared = prepare_all(&wanted, &files, &opts.process);
        counts.process_seconds = started.elapsed().as_secs_f64();
        drop(scratch);
        counts.failed = prepared.values().filter(|r| r.is_err()).count();
        Ok(ImageStore {
            root: root.to_path_buf(),
            policy: opts.policy,
            resolved,
            prepared,
            counts,
        })
    }
}

/// Loads and processes every wanted picture in parallel.
fn prepare_all(
    wanted: &[(String, Source)],
    files: &HashMap<String, Result<PathBuf, FetchError>>,
    opts: &ProcessOptions,
) -> HashMap<String, Result<Option<Arc<Asset>>, PictureError>> {
    let read = |p: &Path| std::fs::read(p).map_err(|e| PictureError::Read(e.to_string()));
    wanted
        .par_iter()
        .map(|(key, src)| {
            if crate::interrupt::requested() {
                return (
                    key.clone(),
                    Err(PictureError::Fetch(FetchError::Interrupted)),
                );
            }
            let bytes = match src {
                Source::File(p) => read(p),
                Source::Data(b) => Ok(b.clone()),
                Source::Url(u) => match files.get(u.as_str()) {
                    Some(Ok(p)) => read(p),
                    Some(Err(e)) => Err(PictureError::Fetch(e.clone())),
                    None => Err(PictureError::NotDownloaded),
                },
            };
            let result = bytes
                .and_then(|b| process::process(b, opts).map_err(PictureError::Process))
                .map(|a| a.map(Arc::new));
            (key.clone(), result)
        })
        .collect()
}

impl AssetSource for ImageStore {
    fn lookup(&self, meta: &Meta, src: &str) -> Lookup {
        let known = self.resolved.get(&meta.path).and_then(|refs| refs.get(src));
        let fresh;
        let key = match known {
            Some(r) => r,
            // A reference the store was not prepared with: resolve it now.
            None => {
                fresh = resolve_key(meta, src, &self.root, self.policy).map(|f| f.map(|(k, _)| k));
                &fresh
            }
        };
        let key = match key {
            Err(why) => return Lookup::Failed(why.clone()),
            Ok(None) => return Lookup::NotLocal,
            Ok(Some(key)) => key,
        };
        match self.prepared.get(key) {
            Some(Ok(Some(asset))) => Lookup::Found(asset.clone()),
            Some(Ok(None)) => Lookup::Dropped,
            Some(Err(why)) => Lookup::Failed(ImageError::Unusable {
                src: short(src),
                why: why.clone(),
            }),
            None => Lookup::Failed(ImageError::NotPrepared { src: short(src) }),
        }
    }
}

impl ImageStore {
    /// Whether any picture turned out to be a tracking pixel (then posts need cleaning).
    pub fn has_dropped(&self) -> bool {
        self.prepared.values().any(|r| matches!(r, Ok(None)))
    }
}

/// Reads and prepares one picture file given on the command line (`--cover`).
pub fn load_file(path: &Path, opts: &ProcessOptions) -> Result<Arc<Asset>, CoverError> {
    let path = path.to_path_buf();
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => return Err(CoverError::Read(path, e.to_string())),
    };
    match process::process(bytes, opts) {
        Ok(Some(asset)) => Ok(Arc::new(asset)),
        Ok(None) => Err(CoverError::Pixel(path)),
        Err(e) => Err(CoverError::Unusable(path, e)),
    }
}

/// An image reference short enough for a warning line (`data:` URIs can be megabytes).
fn short(src: &str) -> String {
    match src.char_indices().nth(120) {
        Some((i, _)) => format!("{}…", &src[..i]),
        None => src.to_string(),
    }
}

/// Why an image reference of a post could not be used. Each is a
/// [`WarningKind::PictureMissing`] warning: the writer keeps the caption and a link instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageError {
    /// A `data:` URI that does not decode.
    BadDataUri { detail: String },
    /// A `file:` URL: a post must not pull arbitrary files into a book.
    FileUrl { src: String },
    /// A URL of a scheme other than HTTP(S) (`ftp:`, `javascript:`).
    Scheme { scheme: String, src: String },
    /// A URL that does not parse.
    BadUrl { src: String, detail: String },
    /// A path that leaves the root folder (`../../etc/passwd`).
    OutsideRoot { src: String, root: PathBuf },
    /// A path through a symbolic link whose target is outside the root folder.
    LinkOutsideRoot {
        src: String,
        link: PathBuf,
        target: PathBuf,
        root: PathBuf,
    },
    /// A local picture that does not exist (at `path`).
    NotFound { src: String, path: PathBuf },
    /// The picture was found, but its bytes could not be had or used.
    Unusable { src: String, why: PictureError },
    /// A picture the store was not prepared with (a bug, should it happen).
    NotPrepared { src: String },
}

impl ImageError {
    /// The kind of warning this failure is reported as.
    pub fn kind(&self) -> WarningKind {
        match self {
            ImageError::BadDataUri { .. }
            | ImageError::FileUrl { .. }
            | ImageError::Scheme { .. }
            | ImageError::BadUrl { .. }
            | ImageError::OutsideRoot { .. }
            | ImageError::LinkOutsideRoot { .. }
            | ImageError::NotFound { .. }
            | ImageError::Unusable { .. }
            | ImageError::NotPrepared { .. } => WarningKind::PictureMissing,
        }
    }

    /// The warning that reports this failure for the post whose picture it is.
    pub fn warning(&self) -> Warning {
        Warning::new(self.kind(), self.to_string())
    }
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageError::BadDataUri { detail } => write!(f, "bad data: URI ({detail})"),
            ImageError::FileUrl { src } => write!(f, "file: URLs are refused ({src})"),
            ImageError::Scheme { scheme, src } => {
                write!(f, "{scheme}: URLs are not fetched ({src})")
            }
            ImageError::BadUrl { src, detail } => write!(f, "bad image URL {src}: {detail}"),
            ImageError::OutsideRoot { src, root } => write!(
                f,
                "image path {src} leaves the root folder {}; refused",
                root.display()
            ),
            ImageError::LinkOutsideRoot {
                src,
                link,
                target,
                root,
            } => write!(
                f,
                "image path {src} goes through the symbolic link {}, whose target {} is outside \
                 the root folder {}; refused (--root can name a folder that holds both)",
                link.display(),
                target.display(),
                root.display()
            ),
            ImageError::NotFound { src, path } => {
                write!(f, "image {src} not found ({})", path.display())
            }
            ImageError::Unusable { src, why } => write!(f, "image {src}: {why}"),
            ImageError::NotPrepared { src } => write!(f, "image {src} was not prepared"),
        }
    }
}

impl std::error::Error for ImageError {}

/// Why a picture's bytes could not be had or used: said of every reference to the picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PictureError {
    /// The local file or the cached download could not be read.
    Read(String),
    /// A remote picture that was not downloaded.
    NotDownloaded,
    Fetch(FetchError),
    Process(ProcessError),
}

impl fmt::Display for PictureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PictureError::Read(detail) => write!(f, "cannot read: {detail}"),
            PictureError::NotDownloaded => f.write_str("not downloaded"),
            PictureError::Fetch(e) => e.fmt(f),
            PictureError::Process(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for PictureError {}

/// Why the picture file given with `--cover` cannot be the cover (a usage error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoverError {
    Read(PathBuf, String),
    /// A tracking pixel, not a picture.
    Pixel(PathBuf),
    Unusable(PathBuf, ProcessError),
}

impl fmt::Display for CoverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoverError::Read(path, detail) => write!(f, "cannot read {}: {detail}", path.display()),
            CoverError::Pixel(path) => write!(f, "{} is a 1×1 pixel, not a cover", path.display()),
            CoverError::Unusable(path, why) => write!(f, "{}: {why}", path.display()),
        }
    }
}

impl std::error::Error for CoverError {}

/// Whether a reference points outside the file system (URL schemes, `data:`).
pub fn is_remote(src: &str) -> bool {
    let lower = src.trim_start().to_ascii_lowercase();
    lower.starts_with("data:")
        || lower.starts_with("//")
        || lower.split_once(':').is_some_and(|(scheme, _)| {
            scheme.len() > 1
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        })
}

/// Why a picture path is refused: it leaves the root by itself (`../../etc/passwd`), or
/// through a symbolic link inside the root whose target is outside it.
#[derive(Debug, PartialEq)]
enum Outside {
    Path,
    Link { link: PathBuf, target: PathBuf },
}

/// Joins `rel` to `base` lexically and checks that the file it names stays under `root` once
/// symbolic links are followed. Links whose target is inside the root are fine (`static/img`
/// linked to `assets/img`); both the path and the root are compared resolved, so a root
/// reached through a link (or a missing file under one) is not mistaken for leaving it.
fn join_within(base: &Path, rel: &str, root: &Path) -> Result<PathBuf, Outside> {
    let root = std::path::absolute(root).map_err(|_| Outside::Path)?;
    let mut path = std::path::absolute(base).map_err(|_| Outside::Path)?;
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(p) => path.push(p),
            Component::ParentDir => {
                path.pop();
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return Err(Outside::Path),
        }
    }
    let real_root = resolved(&root);
    if resolved(&path).starts_with(&real_root) {
        return Ok(path);
    }
    // Inside the root as written (or below the resolved root): a link on the way leads out.
    let (below, mut shown) = match path.strip_prefix(&root) {
        Ok(below) => (below, root.clone()),
        Err(_) => (
            path.strip_prefix(&real_root).map_err(|_| Outside::Path)?,
            real_root.clone(),
        ),
    };
    let mut at = real_root.clone();
    for c in below.components() {
        at.push(c);
        shown.push(c);
        if at.is_symlink() {
            let target = resolved(&at);
            if !target.starts_with(&real_root) {
                return Err(Outside::Link {
                    link: shown,
                    target,
                });
            }
            at = target;
        }
    }
    Err(Outside::Path)
}

/// `path` with every symbolic link resolved, as far as it exists: a missing file's existing
/// folders are resolved and the rest appended.
fn resolved(path: &Path) -> PathBuf {
    let mut missing = Vec::new();
    let mut existing = path;
    loop {
        if let Ok(real) = existing.canonicalize() {
            return missing.iter().rev().fold(real, |p, c| p.join(c));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name);
                existing = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Meta;

    #[test]
    fn remote_detection() {
        assert!(is_remote("https://a.test/x.png"));
        assert!(is_remote("data:image/png;base64,xx"));
        assert!(is_remote("//cdn.test/x.png"));
        assert!(!is_remote("images/x.png"));
        assert!(!is_remote("/images/x.png"));
    }

    #[test]
    fn resolves_references_and_refuses_leaving_the_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("posts")).unwrap();
        std::fs::write(dir.path().join("secret.png"), b"x").unwrap();
        let root = dir.path().join("posts");
        std::fs::write(root.join("ok.png"), b"x").unwrap();
        let mut doc = Document {
            meta: Meta {
                path: root.join("p.md").into(),
                ..Meta::default()
            },
            blocks: vec![],
        };
        let r = |doc: &Document, src: &str| resolve(&doc.meta, src, &root);
        assert!(matches!(
            r(&doc, "../secret.png"),
            Err(ImageError::OutsideRoot { .. })
        ));
        assert!(matches!(
            r(&doc, "/../secret.png"),
            Err(ImageError::OutsideRoot { .. })
        ));
        assert!(matches!(
            r(&doc, "file:///etc/passwd"),
            Err(ImageError::FileUrl { .. })
        ));
        assert_eq!(r(&doc, "ok.png"), Ok(Source::File(root.join("ok.png"))));
        assert_eq!(r(&doc, "/ok.png"), Ok(Source::File(root.join("ok.png"))));
        assert!(matches!(
            r(&doc, "missing.png"),
            Err(ImageError::NotFound { .. })
        ));
        assert_eq!(
            r(&doc, "//cdn.test/a.png"),
            Ok(Source::Url("https://cdn.test/a.png".into()))
        );
        assert_eq!(
            r(&doc, "data:image/png;base64,aGk="),
            Ok(Source::Data(b"hi".to_vec()))
        );
        // A scraped post's missing relative picture comes from its site.
        doc.meta.source = Some("https://news.test/a/b.html".into());
        assert_eq!(
            r(&doc, "/img/x.jpg"),
            Ok(Source::Url("https://news.test/img/x.jpg".into()))
        );
    }

    /// Links inside the root whose target stays inside are followed; one whose target is
    /// outside is refused by name; a root reached through a link is the same root.
    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_judged_by_their_target() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let (site, outside) = (dir.path().join("site"), dir.path().join("outside"));
        for d in [site.join("posts"), site.join("assets/img"), outside.clone()] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(site.join("assets/img/in.png"), b"x").unwrap();
        std::fs::write(outside.join("out.png"), b"x").unwrap();
        symlink("../assets/img", site.join("posts/img")).unwrap();
        symlink(&outside, site.join("ext")).unwrap();
        symlink("../../outside/out.png", site.join("assets/out.png")).unwrap();
        let via = dir.path().join("via");
        symlink(&site, &via).unwrap();
        let meta = |root: &Path| Meta {
            path: root.join("posts/p.md").into(),
            ..Meta::default()
        };
        let r = |root: &Path, src: &str| resolve(&meta(root), src, root);
        assert_eq!(
            r(&site, "img/in.png"),
            Ok(Source::File(site.join("posts/img/in.png")))
        );
        assert_eq!(
            r(&via, "/posts/img/in.png"),
            Ok(Source::File(via.join("posts/img/in.png")))
        );
        for (src, link) in [
            ("/ext/out.png", "ext"),
            ("/assets/out.png", "assets/out.png"),
        ] {
            let err = r(&site, src).unwrap_err();
            assert!(matches!(err, ImageError::LinkOutsideRoot { .. }), "{err}");
            let err = err.to_string();
            let real = outside.canonicalize().unwrap();
            assert!(
                err.contains(&format!("symbolic link {}", site.join(link).display()))
                    && err.contains(&format!("target {}", real.display())),
                "{err}"
            );
        }
        // A missing picture under a root reached through a link is missing, not outside.
        let err = r(&via, "missing.png").unwrap_err();
        assert!(matches!(err, ImageError::NotFound { .. }), "{err}");
    }

    /// Every failure is a `picture-missing` warning whose message is the one earlier versions
    /// gave, word for word (reports and scripts read them).
    #[test]
    fn errors_become_picture_missing_warnings_with_their_messages() {
        let p = PathBuf::from;
        let cases = [
            (
                ImageError::BadDataUri {
                    detail: "NoComma".into(),
                },
                "bad data: URI (NoComma)".to_string(),
            ),
            (
                ImageError::FileUrl {
                    src: "file:///etc/passwd".into(),
                },
                "file: URLs are refused (file:///etc/passwd)".into(),
            ),
            (
                ImageError::Scheme {
                    scheme: "ftp".into(),
                    src: "ftp://a.test/x.png".into(),
                },
                "ftp: URLs are not fetched (ftp://a.test/x.png)".into(),
            ),
            (
                ImageError::BadUrl {
                    src: "http://[x".into(),
                    detail: "invalid IPv6 address".into(),
                },
                "bad image URL http://[x: invalid IPv6 address".into(),
            ),
            (
                ImageError::OutsideRoot {
                    src: "../a.png".into(),
                    root: p("/site"),
                },
                "image path ../a.png leaves the root folder /site; refused".into(),
            ),
            (
                ImageError::LinkOutsideRoot {
                    src: "/ext/a.png".into(),
                    link: p("/site/ext"),
                    target: p("/elsewhere"),
                    root: p("/site"),
                },
                "image path /ext/a.png goes through the symbolic link /site/ext, whose target \
                 /elsewhere is outside the root folder /site; refused (--root can name a folder \
                 that holds both)"
                    .into(),
            ),
            (
                ImageError::NotFound {
                    src: "a.png".into(),
                    path: p("/site/a.png"),
                },
                "image a.png not found (/site/a.png)".into(),
            ),
            (
                ImageError::Unusable {
                    src: "https://a.test/x.png".into(),
                    why: PictureError::Fetch(FetchError::Status(404)),
                },
                "image https://a.test/x.png: HTTP 404".into(),
            ),
            (
                ImageError::Unusable {
                    src: "x.webp".into(),
                    why: PictureError::Process(ProcessError::Empty),
                },
                "image x.webp: the image is empty".into(),
            ),
            (
                ImageError::Unusable {
                    src: "x.png".into(),
                    why: PictureError::Read("Permission denied (os error 13)".into()),
                },
                "image x.png: cannot read: Permission denied (os error 13)".into(),
            ),
            (
                ImageError::Unusable {
                    src: "https://a.test/y.png".into(),
                    why: PictureError::NotDownloaded,
                },
                "image https://a.test/y.png: not downloaded".into(),
            ),
            (
                ImageError::NotPrepared {
                    src: "z.png".into(),
                },
                "image z.png was not prepared".into(),
            ),
        ];
        for (error, message) in cases {
            let warning = error.warning();
            assert_eq!(warning.kind, WarningKind::PictureMissing, "{error:?}");
            assert_eq!(warning.message, message);
        }
    }

    /// A failed picture reaches writers as the typed error, with the reference shortened.
    #[test]
    fn lookups_fail_with_the_typed_error() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("empty.png"), b"").unwrap();
        let long = format!("{}.png", "a".repeat(200));
        let figure = |src: &str| {
            crate::model::Block::Figure(Box::new(crate::model::Image {
                src: src.into(),
                alt: String::new(),
                title: None,
            }))
        };
        let doc = Document {
            meta: Meta {
                path: root.join("p.md").into(),
                ..Meta::default()
            },
            blocks: vec![figure("empty.png"), figure("gone.png"), figure(&long)],
        };
        let opts = ImageOptions {
            policy: ImagePolicy::Keep,
            process: ProcessOptions::default(),
            fetch: FetchOptions {
                cache_dir: None,
                offline: true,
                max_bytes: 1,
                timeout: std::time::Duration::from_secs(1),
                attempts: 1,
                allow_private_hosts: false,
            },
            jobs: 1,
        };
        let store = ImageStore::prepare(&[&doc], root, &opts, &ProgressBar::hidden()).unwrap();
        let failed = |src: &str| match store.lookup(&doc.meta, src) {
            Lookup::Failed(e) => e,
            other => panic!("{src}: {other:?}"),
        };
        assert_eq!(
            failed("empty.png"),
            ImageError::Unusable {
                src: "empty.png".into(),
                why: PictureError::Process(ProcessError::Empty)
            }
        );
        assert!(matches!(failed("gone.png"), ImageError::NotFound { .. }));
        let ImageError::NotFound { src, .. } = failed(&long) else {
            panic!("{long}")
        };
        assert_eq!(
            src, long,
            "resolution errors name the reference in full, as before"
        );
    }
}
