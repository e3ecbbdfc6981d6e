//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};

/// Says that a check is skipped because `what` is missing. Under CI (`CI` set, as `.ci/run`
/// does) that is a failure instead, so CI can never pass without running every check.
/// Locally the line is written straight to stderr, past the test harness's capture (which takes
/// only `print!`/`eprint!`), so a skip is seen without `--nocapture`.
pub fn skipped(what: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{what} is missing, and CI must run every check");
    }
    use std::io::Write;
    let line = format!("\nSKIPPED: {what} not found; its checks did not run\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
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

/// Writes `files` (path, text) under `root`, making their folders.
#[allow(dead_code)]
pub fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// A folder of `files` (path, text), made in a new temporary folder.
#[allow(dead_code)]
pub fn site_of(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), files);
    dir
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

/// Copies a fixture folder into `to`.
#[allow(dead_code)] // Each test binary compiles this module; not every one copies fixtures.
pub fn copy_tree(from: &Path, to: &Path) {
    for file in all_files(from) {
        let dest = to.join(file.strip_prefix(from).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&file, &dest).unwrap();
    }
}

/// Runs `postbook convert -q ARGS INPUT -o OUT` with a JSON report, which it returns.
#[allow(dead_code)]
pub fn convert_with_report(input: &Path, out: &Path, args: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    postbook()
        .args(["convert", "-q"])
        .args(args)
        .arg(input)
        .arg("-o")
        .arg(out)
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap()
}

/// How many outputs a run's report says were written (not `unchanged`).
#[allow(dead_code)]
pub fn outputs_written(report: &serde_json::Value) -> usize {
    report["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["status"] != "unchanged")
        .count()
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

/// What the EPUBCheck checks need, as a skipped check names it.
pub const EPUBCHECK_NEEDS: &str = "EPUBCheck (/usr/share/java/epubcheck.jar, or $EPUBCHECK, and a \
     java with its jdk.compiler module, which Debian's JRE has, to run EpubCheckServer.java)";

/// The EPUBCheck jar: `$EPUBCHECK` when set, else Debian's (`apt-get install epubcheck`), when
/// it and a `java` that can run [`EpubCheckServer`]'s source file (Java's single-file source
/// launcher needs the `jdk.compiler` module; a trimmed runtime may lack it) are there.
pub fn epubcheck_jar() -> Option<PathBuf> {
    let jar = std::env::var_os("EPUBCHECK")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/share/java/epubcheck.jar"));
    let java = std::process::Command::new("java")
        .arg("--list-modules")
        .output()
        .is_ok_and(|o| {
            o.status.success() && String::from_utf8_lossy(&o.stdout).contains("jdk.compiler@")
        });
    (jar.is_file() && java).then_some(jar)
}

/// One EPUBCheck JVM (`EpubCheckServer.java`, beside this file): it is given book paths on its
/// input and answers with EPUBCheck's report for each, ending in `@@END <exit code>`.
struct EpubCheckServer {
    child: std::process::Child,
    input: std::process::ChildStdin,
    output: std::io::BufReader<std::process::ChildStdout>,
}

impl EpubCheckServer {
    fn start(jar: &Path) -> EpubCheckServer {
        use std::process::{Command, Stdio};
        let source =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/common/EpubCheckServer.java");
        // C1 only and the serial collector: the checks are short, so compiling hot code
        // further and a parallel collector cost more CPU than they save.
        let mut child = Command::new("java")
            .args(["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp"])
            .arg(jar)
            .arg(source)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("java runs");
        let input = child.stdin.take().unwrap();
        let output = std::io::BufReader::new(child.stdout.take().unwrap());
        EpubCheckServer {
            child,
            input,
            output,
        }
    }

    /// EPUBCheck's report on `book` and its exit code (None when the JVM ended).
    fn check(&mut self, path: &str) -> (String, Option<i32>) {
        use std::io::{BufRead, Write};
        if writeln!(self.input, "{path}")
            .and_then(|_| self.input.flush())
            .is_err()
        {
            return (String::new(), None);
        }
        let mut report = String::new();
        loop {
            let mut line = String::new();
            match self.output.read_line(&mut line) {
                Ok(0) | Err(_) => return (report, None),
                Ok(_) => {}
            }
            if let Some(code) = line.trim_end().strip_prefix("@@END ") {
                return (report, code.parse().ok());
            }
            report.push_str(&line);
        }
    }
}

impl Drop for EpubCheckServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The EPUBCheck JVMs of this test process: at most [`EPUBCHECK_JVMS`], each started on first
/// need and kept for the process's later checks (a JVM whose input closes ends itself).
struct EpubCheckPool {
    idle: Vec<EpubCheckServer>,
    /// Idle and in use.
    started: usize,
}

static EPUBCHECK_POOL: std::sync::Mutex<EpubCheckPool> = std::sync::Mutex::new(EpubCheckPool {
    idle: Vec::new(),
    started: 0,
});
static EPUBCHECK_FREED: std::sync::Condvar = std::sync::Condvar::new();
const EPUBCHECK_JVMS: usize = 2;

/// An idle EPUBCheck JVM, started when fewer than [`EPUBCHECK_JVMS`] exist, else waited for.
fn epubcheck_server(jar: &Path) -> EpubCheckServer {
    let mut pool = EPUBCHECK_POOL.lock().unwrap();
    loop {
        if let Some(server) = pool.idle.pop() {
            return server;
        }
        if pool.started < EPUBCHECK_JVMS {
            pool.started += 1;
            drop(pool);
            return EpubCheckServer::start(jar);
        }
        pool = EPUBCHECK_FREED.wait(pool).unwrap();
    }
}

/// Gives a JVM back to the pool, or `None` for one that ended (it is not reused).
fn epubcheck_release(server: Option<EpubCheckServer>) {
    let mut pool = EPUBCHECK_POOL.lock().unwrap();
    match server {
        Some(server) => pool.idle.push(server),
        None => pool.started -= 1,
    }
    drop(pool);
    EPUBCHECK_FREED.notify_one();
}

/// EPUBCheck's report on one book; Err with its FATAL, ERROR and WARNING lines (or what went
/// wrong) unless it has 0 fatal errors, 0 errors and 0 warnings.
pub fn epubcheck_one(jar: &Path, book: &Path) -> Result<(), String> {
    let path = std::path::absolute(book).unwrap();
    let path = path.to_str().expect("book paths are UTF-8");
    assert!(
        !path.contains('\n'),
        "a book path with a line break: {path:?}"
    );
    let mut server = epubcheck_server(jar);
    let (report, code) = server.check(path);
    epubcheck_release(code.is_some().then_some(server));
    let clean = report
        .lines()
        .any(|l| l.starts_with("Messages: 0 fatals / 0 errors / 0 warnings"));
    if clean && code == Some(0) {
        return Ok(());
    }
    let found: Vec<&str> = report
        .lines()
        .filter(|l| l.starts_with("FATAL") || l.starts_with("ERROR") || l.starts_with("WARNING"))
        .take(20)
        .collect();
    Err(match code {
        None => format!("EPUBCheck's JVM ended: {}", report.trim_end()),
        Some(_) => found.join("\n  "),
    })
}

/// Runs EPUBCheck on the books (two at a time, in JVMs kept for the whole test process) and
/// fails unless every one has 0 fatal errors, 0 errors and 0 warnings. Returns false when
/// EPUBCheck is not installed (a failure under CI).
pub fn epubcheck(paths: &[PathBuf]) -> bool {
    let Some(jar) = epubcheck_jar() else {
        skipped(EPUBCHECK_NEEDS);
        return false;
    };
    let next = std::sync::atomic::AtomicUsize::new(0);
    let problems = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..EPUBCHECK_JVMS {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(book) = paths.get(i) else { break };
                if let Err(found) = epubcheck_one(&jar, book) {
                    problems
                        .lock()
                        .unwrap()
                        .push(format!("{}:\n  {found}", book.display()));
                }
            });
        }
    });
    let problems = problems.into_inner().unwrap();
    assert!(
        problems.is_empty(),
        "EPUBCheck found problems in {} of {} books:\n{}",
        problems.len(),
        paths.len(),
        problems.join("\n")
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

/// XHTML without its tags (highlighted code is split into spans).
#[allow(dead_code)]
pub fn text_of(xhtml: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in xhtml.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The text outside `<pre>` and `<code>`: where no template syntax may be left.
pub fn outside_code(xhtml: &str) -> String {
    let mut out = String::new();
    let mut rest = xhtml;
    loop {
        let next = ["<pre", "<code"]
            .iter()
            .filter_map(|t| rest.find(t).map(|i| (i, *t)))
            .min();
        let Some((at, tag)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..at]);
        let close = if tag == "<pre" { "</pre>" } else { "</code>" };
        rest = match rest[at..].find(close) {
            Some(end) => &rest[at + end + close.len()..],
            None => "",
        };
    }
}

pub fn assert_no_template_residue(chapters: &[String]) {
    for c in chapters {
        let prose = outside_code(c);
        for residue in ["{%", "{{<", "{{%", "{{ site", "{{ page", "%}", ">}}"] {
            assert!(!prose.contains(residue), "{residue:?} left in:\n{c}");
        }
    }
}

/// Every `<img src>` of the chapters: embedded pictures are in the book's `images/`.
pub fn picture_sources(chapters: &[String]) -> Vec<String> {
    chapters
        .iter()
        .flat_map(|c| c.split("<img src=\"").skip(1))
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}
