//! Writing outputs safely: atomic replacement and file names that stay inside the output folder.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file in an output folder that records what postbook wrote there.
pub const MANIFEST_NAME: &str = ".postbook-manifest.json";

/// Lowercase hex SHA-256 of `bytes`: names stored images and records written files.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of every file postbook last wrote in an output folder, with what it was made from.
///
/// This is how postbook tells its own previous output, which a re-run may replace, from a file
/// a user edited or that postbook never wrote, which it refuses to clobber without
/// `--overwrite`. A missing or unreadable manifest is empty, so the safe choice (refuse) wins.
/// It is also how a re-run knows an output is up to date and need not be rendered at all
/// ([`Manifest::up_to_date`], see [`crate::incremental`]).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    version: u32,
    /// Path relative to the output folder, with `/` separators → what was written there.
    files: BTreeMap<String, Entry>,
}

/// What postbook wrote to one output file.
#[derive(Debug, Clone, serde::Serialize)]
struct Entry {
    sha256: String,
    /// The file's stamp right after it was written: while it holds, so does the hash.
    #[serde(skip_serializing_if = "Option::is_none")]
    stamp: Option<Stamp>,
    /// The fingerprint of the options and inputs the file was made from.
    #[serde(skip_serializing_if = "Option::is_none")]
    inputs: Option<String>,
    /// Which book or note it is, so a later run that makes the same one under another name
    /// knows this file is replaced ([`Manifest::replaced_by`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    made: Option<Made>,
}

/// What a book or note was made as: its group and its posts. A later run's output is the same
/// book or note under another name (its title, and so its file name, changed) when it has the
/// same group and shares a post with it; a book of the same group made from other posts (another
/// site converted into the same folder) is not.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Made {
    /// The book's group id (`month:2023-05`, `all`), with its volume; `None` for a note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Its posts' absolute paths, sorted.
    pub posts: Vec<String>,
}

impl Made {
    /// What an output of `posts` in `group` is made as.
    pub fn new(group: Option<&str>, posts: &[impl AsRef<Path>]) -> Made {
        // Asked once, not by `std::path::absolute` for every post (a system call each).
        let cwd = std::env::current_dir().ok();
        let mut posts: Vec<String> = posts
            .iter()
            .map(|p| {
                let p = p.as_ref();
                let abs = match &cwd {
                    Some(cwd) if p.is_relative() => cwd.join(p),
                    _ => p.to_path_buf(),
                };
                crate::relink::normalize(&abs)
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        posts.sort();
        posts.dedup();
        Made {
            group: group.map(str::to_string),
            posts,
        }
    }
}

/// A file postbook wrote in an earlier run that an output of this run replaces: the same book
/// or note, now under another name ([`Manifest::replaced_by`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaced {
    pub path: PathBuf,
    pub state: ReplacedState,
}

/// What a replaced file ([`Replaced`]) holds now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplacedState {
    /// What postbook wrote: it may be removed.
    Intact,
    /// Something else: a user edited it, and it stays.
    Edited,
    /// It is not in the folder any more.
    Gone,
}

/// A manifest entry as stored since version 2 (version 1 kept only the hash).
#[derive(serde::Deserialize)]
struct FullEntry {
    sha256: String,
    stamp: Option<Stamp>,
    inputs: Option<String>,
    #[serde(default)]
    made: Option<Made>,
}

/// An entry is read as the hash alone (version 1) or a map, told apart by the JSON value's
/// type rather than by serde's `untagged`, which buffers each entry before trying the forms:
/// with 100,000 posts in the books' lists, that was most of loading the manifest.
impl<'de> serde::Deserialize<'de> for Entry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Entry, D::Error> {
        struct Form;
        impl<'de> serde::de::Visitor<'de> for Form {
            type Value = Entry;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a SHA-256 or a manifest entry")
            }

            fn visit_str<E: serde::de::Error>(self, sha256: &str) -> Result<Entry, E> {
                Ok(Entry {
                    sha256: sha256.to_string(),
                    stamp: None,
                    inputs: None,
                    made: None,
                })
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Entry, A::Error> {
                let map = serde::de::value::MapAccessDeserializer::new(map);
                let FullEntry {
                    sha256,
                    stamp,
                    inputs,
                    made,
                } = serde::Deserialize::deserialize(map)?;
                Ok(Entry {
                    sha256,
                    stamp,
                    inputs,
                    made,
                })
            }
        }
        d.deserialize_any(Form)
    }
}

impl Manifest {
    /// The manifest in `dir`, or an empty one when there is none or it cannot be read. Parsed
    /// from a buffered reader: 100,000 notes make 35 MB of JSON, which need not be in memory.
    pub fn load(dir: &Path) -> Manifest {
        std::fs::File::open(dir.join(MANIFEST_NAME))
            .ok()
            .and_then(|f| serde_json::from_reader(std::io::BufReader::new(f)).ok())
            .unwrap_or_default()
    }

    /// Writes the manifest atomically into `dir`.
    pub fn save(&mut self, dir: &Path) -> std::io::Result<()> {
        self.version = 2;
        write_json_atomic(&dir.join(MANIFEST_NAME), self)
    }

    fn key(dir: &Path, path: &Path) -> String {
        let rel = path.strip_prefix(dir).unwrap_or(path);
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Remembers that `path` now holds content with this hash, made from `inputs` (a
    /// fingerprint; `None` when it cannot be known) as the book or note `made` (`None` for
    /// other files). Takes the file's stamp as it is now.
    pub fn record(
        &mut self,
        dir: &Path,
        path: &Path,
        sha256: String,
        inputs: Option<String>,
        made: Option<Made>,
    ) {
        let entry = Entry {
            sha256,
            stamp: Stamp::of(path),
            inputs,
            made,
        };
        self.files.insert(Self::key(dir, path), entry);
    }

    /// Forgets `path` (removed from the folder).
    pub fn forget(&mut self, dir: &Path, path: &Path) {
        self.files.remove(&Self::key(dir, path));
    }

    /// The files of earlier runs that the outputs of this run replace: each recorded as the
    /// same book or note as one of `made` (see [`Made`]) at a path that is not among this
    /// run's `planned` outputs. Only files in the manifest are ever named: a file postbook
    /// never wrote is never replaced.
    ///
    /// "The same" is the same group, sharing a post, and holding no post the new output lacks
    /// (but for posts deleted since): a retitled book, or one that gained posts. A book of
    /// fewer posts made into the same folder (`--since`, `--category` with a title of its
    /// own) replaces nothing, so the fuller book it was cut from stays.
    pub fn replaced_by(&self, dir: &Path, planned: &[&Path], made: &[&Made]) -> Vec<Replaced> {
        let planned: std::collections::HashSet<String> =
            planned.iter().map(|p| Self::key(dir, p)).collect();
        let mut out = Vec::new();
        for (key, entry) in &self.files {
            let Some(old) = &entry.made else { continue };
            let same = || {
                made.iter().filter(|m| m.group == old.group).any(|m| {
                    let has = |p: &String| m.posts.binary_search(p).is_ok();
                    old.posts.iter().any(has)
                        && old.posts.iter().all(|p| has(p) || !Path::new(p).exists())
                })
            };
            if planned.contains(key) || !same() {
                continue;
            }
            let path = dir.join(key);
            let state = match Stamp::of(&path) {
                None if std::fs::symlink_metadata(&path).is_err() => ReplacedState::Gone,
                Some(stamp) if entry.stamp == Some(stamp) => ReplacedState::Intact,
                _ if std::fs::read(&path).is_ok_and(|b| sha256_hex(&b) == entry.sha256) => {
                    ReplacedState::Intact
                }
                _ => ReplacedState::Edited,
            };
            out.push(Replaced { path, state });
        }
        out
    }

    fn wrote(&self, dir: &Path, path: &Path, sha256: &str) -> bool {
        self.files
            .get(&Self::key(dir, path))
            .is_some_and(|e| e.sha256 == sha256)
    }

    /// Whether postbook ever wrote `path` (whatever the file holds now).
    fn knows(&self, dir: &Path, path: &Path) -> bool {
        self.files.contains_key(&Self::key(dir, path))
    }

    /// Whether `path` was made from exactly `inputs` and still holds what postbook wrote:
    /// its stamp is unchanged, or else its content hashes the same. Returns that hash.
    pub fn up_to_date(&self, dir: &Path, path: &Path, inputs: &str) -> Option<String> {
        let entry = self.files.get(&Self::key(dir, path))?;
        if entry.inputs.as_deref() != Some(inputs) {
            return None;
        }
        let stamp = Stamp::of(path)?;
        let intact = entry.stamp == Some(stamp)
            || std::fs::read(path).is_ok_and(|bytes| sha256_hex(&bytes) == entry.sha256);
        intact.then(|| entry.sha256.clone())
    }
}

/// What happened to one output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Written {
    /// The file did not exist.
    Created,
    /// postbook's own earlier output (or, with `--overwrite`, any file) was replaced.
    Replaced,
    /// The file already had exactly this content; it was not touched.
    Unchanged,
    /// postbook wrote the file, but it was edited since: the edit is kept (not written;
    /// `--overwrite` replaces it). The manifest entry must stay as it was.
    Kept,
}

impl Written {
    /// The word the report (through serde) and `-v` use for it.
    pub fn name(self) -> &'static str {
        match self {
            Written::Created => "created",
            Written::Replaced => "replaced",
            Written::Unchanged => "unchanged",
            Written::Kept => "kept",
        }
    }
}

/// Writes one output under the clobber policy: a new file is created; an existing file with the
/// same bytes is left alone (its modification time too); an existing different file is replaced
/// only if the manifest shows postbook wrote it and nobody changed it since, or `overwrite` is
/// set. A file postbook wrote that was edited since is kept as it is ([`Written::Kept`]: a
/// user's notes are not a failure); a file postbook never wrote is refused (an error: the post
/// then has no output). Returns what happened and the hash to record in the manifest.
pub fn write_output(
    dir: &Path,
    path: &Path,
    bytes: &[u8],
    overwrite: bool,
    manifest: &Manifest,
) -> Result<(Written, String), OutputError> {
    let new_hash = sha256_hex(bytes);
    let path_buf = || path.to_path_buf();
    let outcome = match std::fs::read(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Written::Created,
        Err(e) => return Err(OutputError::ReadExisting(path_buf(), e)),
        Ok(old) if old == bytes => return Ok((Written::Unchanged, new_hash)),
        Ok(old) => {
            if !overwrite && !manifest.wrote(dir, path, &sha256_hex(&old)) {
                if manifest.knows(dir, path) {
                    return Ok((Written::Kept, new_hash));
                }
                return Err(OutputError::NotOurs(path_buf()));
            }
            Written::Replaced
        }
    };
    write_atomic_with(path, SYNC_EACH_OUTPUT, |w| w.write_all(bytes))
        .map_err(|e| OutputError::Write(path_buf(), e))?;
    Ok((outcome, new_hash))
}

/// Why an output could not be written, or the output folder cannot be used.
///
/// The message includes the cause (`cannot write out/a.epub: No space left on device`), so the
/// cause is not also given as `source()`: chained printing (`{:#}`) would say it twice.
#[derive(Debug)]
pub enum OutputError {
    /// The file already at the output's path could not be read to compare.
    ReadExisting(PathBuf, std::io::Error),
    /// A file postbook did not write is in the way (`--overwrite` replaces it).
    NotOurs(PathBuf),
    Write(PathBuf, std::io::Error),
    /// The output folder could not be created.
    CreateFolder(PathBuf, std::io::Error),
    /// The output folder exists, but no file can be made in it.
    FolderNotWritable(PathBuf, std::io::Error),
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::ReadExisting(path, e) => {
                write!(f, "cannot read existing {}: {e}", path.display())
            }
            OutputError::NotOurs(path) => write!(
                f,
                "refusing to replace {}: postbook did not write it (pass --overwrite to \
                 replace it)",
                path.display()
            ),
            OutputError::Write(path, e) => write!(f, "cannot write {}: {e}", path.display()),
            OutputError::CreateFolder(dir, e) => {
                write!(f, "cannot create output folder {}: {e}", dir.display())
            }
            OutputError::FolderNotWritable(dir, e) => {
                write!(f, "cannot write in output folder {}: {e}", dir.display())
            }
        }
    }
}

impl std::error::Error for OutputError {}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder is written, synced
/// and renamed over the target, so readers never see a half-written book or note, and an
/// interrupted run leaves the old file intact.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, true, |w| w.write_all(bytes))
}

/// [`write_atomic`] for pretty-printed JSON, serialized straight into the temporary file: a
/// report of 100,000 posts is 30 MB of text that need not be held in memory.
pub fn write_json_atomic(path: &Path, value: &impl serde::Serialize) -> std::io::Result<()> {
    write_atomic_with(path, true, |w| {
        let mut buffered = std::io::BufWriter::new(w);
        serde_json::to_writer_pretty(&mut buffered, value)?;
        buffered.flush()
    })
}

/// Whether each output is synced to disk as it is written. One `fsync` per file made writing
/// 1,500 notes take 1.6 s of a 2 s run (each is a journal commit, and file creations wait for
/// it); on Linux, [`sync_outputs`] flushes them all with one `syncfs` at the end of the run.
const SYNC_EACH_OUTPUT: bool = !cfg!(target_os = "linux");

/// Flushes the outputs written with [`write_output`] to disk (one `syncfs` of `dir`'s file
/// system on Linux; elsewhere each output was synced as it was written). Called before the
/// manifest is saved, so the manifest never lists a file the disk does not hold yet.
pub fn sync_outputs(dir: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    rustix::fs::syncfs(std::fs::File::open(dir)?)?;
    let _ = dir;
    Ok(())
}

/// A temporary file (`.postbook-*.tmp`) beside `path`, to be renamed over it with
/// [`TemporaryFile::persist`]; creates the folder. tempfile makes 0600 files, and the rename
/// would keep that: the temporary file gets the mode `cp` would give a new file instead (0666
/// less the umask, applied by the kernel), or the mode of the file it replaces.
pub fn temporary_for(path: &Path) -> std::io::Result<TemporaryFile> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".postbook-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let file = builder.tempfile_in(dir).map_err(without_temporary_path)?;
    #[cfg(unix)]
    if let Ok(existing) = std::fs::metadata(path) {
        file.as_file().set_permissions(existing.permissions())?;
    }
    let registered = crate::interrupt::Temporary::register(file.path());
    Ok(TemporaryFile {
        file,
        _registered: registered,
    })
}

/// A temporary file being written: removed when dropped, renamed into place by
/// [`TemporaryFile::persist`], and removed by a second Ctrl-C (see [`crate::interrupt`]).
pub struct TemporaryFile {
    file: tempfile::NamedTempFile,
    _registered: crate::interrupt::Temporary,
}

impl TemporaryFile {
    pub fn as_file(&self) -> &std::fs::File {
        self.file.as_file()
    }

    pub fn as_file_mut(&mut self) -> &mut std::fs::File {
        self.file.as_file_mut()
    }

    /// Renames the file over `path`.
    pub fn persist(self, path: &Path) -> std::io::Result<()> {
        self.file.persist(path).map(drop).map_err(|e| e.error)
    }
}

impl Write for TemporaryFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// tempfile's error without the name of the temporary file it adds (`… at path
/// "out/.postbook-qm5gOb.tmp"`): messages name the output, and the user never sees that file.
fn without_temporary_path(e: std::io::Error) -> std::io::Error {
    // tempfile keeps the cause private: only its message can be had.
    let message = e.to_string();
    match message.rfind(" at path \"") {
        Some(end) => std::io::Error::new(e.kind(), &message[..end]),
        None => e,
    }
}

/// [`write_atomic`], with the `fsync` before the rename optional: without it the replacement
/// is still atomic for every reader and against a killed process, but durable against power
/// loss only after [`sync_outputs`].
fn write_atomic_with(
    path: &Path,
    sync: bool,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut tmp = temporary_for(path)?;
    fill(tmp.as_file_mut())?;
    if sync {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(path)
}

/// Makes a single path component from arbitrary text (titles, slugs, categories).
///
/// Keeps CJK and other letters; replaces path separators, characters Windows forbids and control
/// characters; trims dots and spaces (so `..` can never appear); avoids reserved device names;
/// caps the length at 120 bytes on a character boundary (file systems allow 255, and a suffix may
/// still be added).
pub fn safe_file_stem(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let bad = matches!(
            c,
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' | '#' | '%'
        ) || c.is_control();
        let c = if bad || c.is_whitespace() {
            if bad {
                '-'
            } else {
                ' '
            }
        } else {
            c
        };
        if (c == '-' && out.ends_with('-')) || (c == ' ' && (out.ends_with(' ') || out.is_empty()))
        {
            continue;
        }
        out.push(c);
    }
    let mut out = out
        .trim_matches(|c: char| c == '.' || c == ' ' || c == '-')
        .to_string();
    if out.len() > 120 {
        let mut cut = 120;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out = out.trim_end_matches(['.', ' ', '-']).to_string();
    }
    let upper = out.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.len() == 4
            && upper.as_bytes()[3].is_ascii_digit());
    if reserved {
        out.insert(0, '_');
    }
    if out.is_empty() {
        "untitled".into()
    } else {
        out
    }
}

/// Hands out unique output paths: a second post with the same name gets `-2`, `-3`, … instead
/// of overwriting the first.
#[derive(Default)]
pub struct NameAllocator {
    taken: std::collections::HashSet<PathBuf>,
}

impl NameAllocator {
    pub fn allocate(&mut self, dir: &Path, stem: &str, ext: &str) -> PathBuf {
        let mut n = 1;
        loop {
            let name = if n == 1 {
                format!("{stem}.{ext}")
            } else {
                format!("{stem}-{n}.{ext}")
            };
            let path = dir.join(name);
            // Case-insensitive file systems (macOS, Windows) would merge names differing in case.
            let folded = PathBuf::from(path.to_string_lossy().to_lowercase());
            if self.taken.insert(folded) {
                return path;
            }
            n += 1;
        }
    }
}

/// A cheap identity of a file's content: its size and modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    pub size: u64,
    /// Nanoseconds since the Unix epoch (negative before it).
    pub mtime_ns: i64,
}

impl Stamp {
    /// The stamp of the file at `path` (following symlinks), or `None` when it cannot be read.
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        let mtime = meta.modified().ok()?;
        let mtime_ns = match mtime.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_nanos()).ok()?,
            Err(e) => -i64::try_from(e.duration().as_nanos()).ok()?,
        };
        Some(Stamp {
            size: meta.len(),
            mtime_ns,
        })
    }
}

/// Writes `bytes` to stdout, saying so when that fails (`-o - > /dev/full`, a closed pipe).
pub fn to_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|_| out.flush())
        .map_err(|e| anyhow::anyhow!("cannot write to stdout: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_names_are_the_reports() {
        for w in [
            Written::Created,
            Written::Replaced,
            Written::Unchanged,
            Written::Kept,
        ] {
            assert_eq!(
                serde_json::to_string(&w).unwrap(),
                format!("\"{}\"", w.name())
            );
        }
    }

    #[test]
    fn stems_are_safe() {
        assert_eq!(safe_file_stem("../../etc/passwd"), "etc-passwd");
        assert_eq!(safe_file_stem("a: b | c?"), "a- b - c");
        assert_eq!(
            safe_file_stem("习近平会见俄罗斯总理米舒斯京"),
            "习近平会见俄罗斯总理米舒斯京"
        );
        assert_eq!(safe_file_stem("CON"), "_CON");
        assert_eq!(safe_file_stem("\0\n"), "untitled");
        let long = "长".repeat(100);
        let s = safe_file_stem(&long);
        assert!(s.len() <= 120 && s.chars().all(|c| c == '长'));
    }

    #[test]
    fn collisions_get_suffixes() {
        let mut a = NameAllocator::default();
        let d = Path::new("out");
        assert_eq!(a.allocate(d, "x", "md"), d.join("x.md"));
        assert_eq!(a.allocate(d, "X", "md"), d.join("X-2.md"));
        assert_eq!(a.allocate(d, "x", "md"), d.join("x-3.md"));
    }

    #[test]
    fn edited_outputs_are_not_clobbered() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let p = d.join("note.md");
        let mut m = Manifest::default();
        let (w, h) = write_output(d, &p, b"one", false, &m).unwrap();
        assert_eq!(w, Written::Created);
        m.record(d, &p, h, Some("inputs".into()), None);
        assert!(m.up_to_date(d, &p, "inputs").is_some());
        assert!(m.up_to_date(d, &p, "other inputs").is_none());
        assert_eq!(
            write_output(d, &p, b"one", false, &m).unwrap().0,
            Written::Unchanged
        );
        // postbook's own output is replaced freely...
        let (w, h) = write_output(d, &p, b"two", false, &m).unwrap();
        assert_eq!(w, Written::Replaced);
        m.record(d, &p, h, Some("inputs".into()), None);
        // ...but not once a user has edited it, unless told to: the edit is kept.
        std::fs::write(&p, b"two, edited").unwrap();
        assert!(m.up_to_date(d, &p, "inputs").is_none());
        let (w, _) = write_output(d, &p, b"three", false, &m).unwrap();
        assert_eq!(w, Written::Kept);
        assert_eq!(std::fs::read(&p).unwrap(), b"two, edited");
        // A file postbook never wrote is refused.
        let foreign = d.join("foreign.md");
        std::fs::write(&foreign, b"mine").unwrap();
        let err = write_output(d, &foreign, b"three", false, &m).unwrap_err();
        assert!(
            matches!(&err, OutputError::NotOurs(p) if *p == foreign),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "refusing to replace {}: postbook did not write it (pass --overwrite to replace \
                 it)",
                foreign.display()
            )
        );
        assert_eq!(std::fs::read(&foreign).unwrap(), b"mine");
        assert_eq!(
            write_output(d, &p, b"three", true, &m).unwrap().0,
            Written::Replaced
        );
        assert_eq!(std::fs::read(&p).unwrap(), b"three");
        // The manifest survives a save and load.
        m.save(d).unwrap();
        assert!(Manifest::load(d).wrote(d, &p, &sha256_hex(b"two")));
        // A version 1 manifest (hashes only) is still understood, and nothing in it is up to date.
        let v1 = format!(
            r#"{{"version": 1, "files": {{"note.md": "{}"}}}}"#,
            sha256_hex(b"three")
        );
        std::fs::write(d.join(MANIFEST_NAME), v1).unwrap();
        let m = Manifest::load(d);
        assert!(m.wrote(d, &p, &sha256_hex(b"three")));
        assert!(m.up_to_date(d, &p, "inputs").is_none());
    }

    #[test]
    fn touched_but_identical_outputs_are_up_to_date() {
        let dir = tempfile::tempdir().unwrap();
        let (d, p) = (dir.path(), dir.path().join("book.epub"));
        let mut m = Manifest::default();
        let (_, h) = write_output(d, &p, b"book", false, &m).unwrap();
        m.record(d, &p, h, Some("inputs".into()), None);
        // Copied or restored without its times: the content decides.
        let f = std::fs::File::options().write(true).open(&p).unwrap();
        f.set_modified(std::time::SystemTime::UNIX_EPOCH).unwrap();
        assert!(m.up_to_date(d, &p, "inputs").is_some());
        std::fs::write(&p, b"b00k").unwrap();
        assert!(m.up_to_date(d, &p, "inputs").is_none());
    }

    #[cfg(unix)]
    #[test]
    fn outputs_get_the_umask_mode_and_replacements_keep_theirs() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        // The test process's umask, as the kernel applies it to a plain new file.
        let dir = tempfile::tempdir().unwrap();
        let probe = dir.path().join("probe");
        std::fs::write(&probe, b"").unwrap();
        let expected = mode(&probe);
        let p = dir.path().join("new.md");
        write_atomic(&p, b"one").unwrap();
        assert_eq!(mode(&p), expected, "like a file made by cp");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(mode(&p), 0o640, "a replaced file keeps its mode");
    }

    #[test]
    fn atomic_write_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/f.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(p.parent().unwrap()).unwrap().count(), 1);
    }
}
