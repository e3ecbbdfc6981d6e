//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};

/// Says that a check is skipped because `what` is missing. Under CI (`CI` set, as `.ci/run`
/// does) that is a failure instead, so CI can never pass without running every check.
pub fn skipped(what: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{what} is missing, and CI must run every check");
    }
    eprintln!("note: {what} not found; its checks are skipped");
}

/// The real post corpus beside the repository, when present (it is in CI).
pub fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/posts");
    if p.is_dir() {
        Some(p)
    } else {
        skipped("../shared/corpus/posts");
        None
    }
}

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

pub fn postbook() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("postbook").expect("binary built")
}

/// Copies `samples/` (with its sub-folders) into `dir`, for tests that change the posts or put
/// a file beside them.
pub fn copy_samples_to(dir: &Path) {
    for file in all_files(&samples()) {
        let to = dir.join(file.strip_prefix(samples()).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&file, &to).unwrap();
    }
}

/// All files in a zip archive, by name.
pub fn unzip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut buf = Vec::new();
            f.read_to_end(&mut buf).unwrap();
            (f.name().to_string(), buf)
        })
        .collect()
}

pub fn epubs_in(dir: &Path) -> Vec<PathBuf> {
    files_with_ext(dir, "epub")
}

/// Every file below `dir` (recursively), sorted; nothing when `dir` does not exist.
pub fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    files.sort();
    files
}

/// The files directly in `dir` with extension `ext`, sorted.
pub fn files_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

/// Runs EPUBCheck (through ../shared/tools/epubcheck-all) on the books, when Java's EPUBCheck is
/// installed; CI installs it. Returns false when it could not run.
pub fn epubcheck(paths: &[PathBuf]) -> bool {
    let jar = Path::new("/usr/share/java/epubcheck.jar");
    let tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/epubcheck-all");
    if !jar.exists() || !tool.exists() {
        skipped("EPUBCheck (/usr/share/java/epubcheck.jar)");
        return false;
    }
    let out = std::process::Command::new("bash")
        .arg(&tool)
        .args(paths)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "epubcheck found problems:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("0 errors, 0 warnings, 0 fatals"),
        "{stdout}"
    );
    true
}

/// Text with all whitespace removed, for comparing content regardless of layout.
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Parses XHTML as XML (with its DOCTYPE), failing on anything not well-formed.
pub fn parse_xml(bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, opts)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Converts `samples/` to EPUB with `extra` flags into a temporary folder; returns the folder
/// (keep it alive) and the books.
pub fn sample_books(extra: &[&str]) -> (tempfile::TempDir, Vec<PathBuf>) {
    let out = tempfile::tempdir().unwrap();
    postbook()
        .args(["convert", "-q", "-t", "epub"])
        .args(extra)
        .arg(samples())
        .arg("-o")
        .arg(out.path())
        .assert()
        .success();
    let books = epubs_in(out.path());
    (out, books)
}

/// The text of the first entry of an EPUB whose name ends with `suffix` (`.opf`, `nav.xhtml`).
pub fn epub_text(book: &Path, suffix: &str) -> String {
    unzip(book)
        .into_iter()
        .find(|(n, _)| n.ends_with(suffix))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .unwrap_or_else(|| panic!("{} has no {suffix}", book.display()))
}
