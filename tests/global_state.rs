//! Reading and writing keep no hidden state between posts or runs: nothing under `src/` is a
//! `thread_local!`, and no `static` there can change once built (a `Mutex`, `RwLock`, `Cell`,
//! atomic, or a lazily built value not listed below), except in the three modules that are
//! process-wide by nature (panic isolation, Ctrl-C handling, the fuzz harness). The helpers
//! readers share count too: whitespace normalization once reported the control characters it
//! dropped through a thread-local, read back by the next post read on that thread. What a read or a render
//! needs travels in its arguments (`read::ReadOptions`, `read::chrome::Cleaning`, the Markdown
//! writer's `Render`), so two runs in one process, or two posts on one thread, cannot see each
//! other's settings, sites or footnotes (see docs/design.md, "No hidden state").
//!
//! Like tests/module_graph.rs, this reads the sources: code after `#[cfg(test)]` and `//`
//! comment lines are left out.

use std::path::{Path, PathBuf};

/// Statics built once and never changed afterwards, which are allowed: file (under `src/`),
/// name, and why it is not per-run state.
const ALLOWED: &[(&str, &str, &str)] = &[
    (
        "write/highlight.rs",
        "SYNTAXES",
        "syntect's grammar set, the same for every run: parsing it per render would cost more than the render",
    ),
    (
        "write/cover.rs",
        "FACES",
        "the bundled cover fonts, parsed once; immutable",
    ),
    (
        "write/package.rs",
        "ENV",
        "the compiled package templates (minijinja Environment); immutable once built",
    ),
    (
        "write/epub.rs",
        "HOOK",
        "a test hook read from the environment once; postbook never sets it",
    ),
    (
        "read/urls.rs",
        "BASE",
        "a parsed constant base URL for resolving relative links; immutable",
    ),
    (
        "inline.rs",
        "DOUBLE_SPACE",
        "a memchr searcher for a constant needle, built once; immutable",
    ),
    (
        "xml.rs",
        "FFFX",
        "a memchr searcher for a constant needle, built once; immutable",
    ),
];

/// Words in a static's type that mean it can hold state: interior mutability, atomics, and
/// lazily built values (which must be listed in [`ALLOWED`]).
const STATEFUL: &[&str] = &[
    "Cell", // Cell, RefCell, OnceCell, LazyCell, UnsafeCell
    "Mutex", "RwLock", "Atomic", "OnceLock", "LazyLock", "Lazy<",
];

/// What the scanner objects to in one file's code: `(name, why)`.
fn violations(code: &str, allowed: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let lines: Vec<&str> = code.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        if t.contains("thread_local!") {
            out.push(("thread_local!".to_string(), format!("line {}", i + 1)));
            continue;
        }
        let t = match t.strip_prefix("pub") {
            Some(rest) if rest.starts_with('(') => rest.split_once(") ").map_or(rest, |(_, r)| r),
            Some(rest) => rest.trim_start(),
            None => t,
        };
        let Some(item) = t.strip_prefix("static ") else {
            continue;
        };
        let (mutable, item) = match item.strip_prefix("mut ") {
            Some(rest) => (true, rest),
            None => (false, item),
        };
        let Some((name, _)) = item.split_once(':') else {
            continue;
        };
        let name = name.trim().to_string();
        // The type runs to the `=`, perhaps over several lines.
        let mut ty = item.split_once(':').map_or("", |(_, r)| r).to_string();
        let mut k = i + 1;
        while !ty.contains('=') && k < lines.len() {
            ty.push_str(lines[k]);
            k += 1;
        }
        let ty = ty.split('=').next().unwrap_or_default().to_string();
        if mutable {
            out.push((name, "static mut".to_string()));
        } else if STATEFUL.iter().any(|w| ty.contains(w)) && !allowed.contains(&name.as_str()) {
            out.push((name, format!("type {}", ty.trim())));
        }
    }
    out
}

/// The code of a file without its test module and comment lines. Only a `#[cfg(test)]` at the
/// start of a line ends the code: one on an item inside (a test-only field) does not.
fn code(text: &str) -> String {
    let text = text.split("\n#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|l| match l.trim_start().starts_with("//") {
            true => "",
            false => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn read_and_write_keep_no_hidden_state() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    // Process-wide by nature, never consulted by reading or writing: the panic hook's record
    // of which threads are isolating a post (`isolate`), Ctrl-C handling (`interrupt`), and
    // the fuzz targets' fixtures (`fuzzing`).
    let process_wide = ["isolate.rs", "interrupt.rs", "fuzzing.rs"].map(|f| src.join(f));
    files.retain(|f| !process_wide.contains(f));
    files.sort();
    assert!(files.len() > 20, "too few sources found: {files:?}");
    let mut found = Vec::new();
    let mut allowed_seen = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let allowed: Vec<&str> = ALLOWED
            .iter()
            .filter(|(f, _, _)| *f == rel)
            .map(|(_, name, _)| *name)
            .collect();
        let code = code(&std::fs::read_to_string(file).unwrap());
        for name in &allowed {
            if code.contains(&format!("static {name}:")) {
                allowed_seen.push(format!("{rel}:{name}"));
            }
        }
        for (name, why) in violations(&code, &allowed) {
            found.push(format!("{rel}: {name} ({why})"));
        }
    }
    assert!(
        found.is_empty(),
        "state kept outside the arguments of reading and writing (pass it in a context \
         value instead, or list an immutable table in ALLOWED with the reason):\n{}",
        found.join("\n")
    );
    // Every allowed entry still exists: the list says what is there, no more.
    let stale: Vec<_> = ALLOWED
        .iter()
        .map(|(f, n, _)| format!("{f}:{n}"))
        .filter(|e| !allowed_seen.contains(e))
        .collect();
    assert!(
        stale.is_empty(),
        "ALLOWED names statics that are gone: {stale:?}"
    );
}

/// The scanner finds what it forbids and passes immutable data and allowed tables.
#[test]
fn the_scanner_finds_thread_locals_and_stateful_statics() {
    let code = "
thread_local! {
    static NOTES: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}
static SITES: RwLock<Vec<Site>> = RwLock::new(Vec::new());
pub(crate) static COUNT: std::sync::atomic::AtomicUsize = AtomicUsize::new(0);
static mut RAW: u32 = 0;
    static CACHE: OnceLock<
        Table,
    > = OnceLock::new();
static FONT: &[u8] = include_bytes!(\"f.ttf\");
static CUES: Cues = Cues::new(&[\"a\"]);
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
";
    let names: Vec<String> = violations(code, &["SYNTAXES"])
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        ["thread_local!", "NOTES", "SITES", "COUNT", "RAW", "CACHE"],
        "{code}"
    );
}
