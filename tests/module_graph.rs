//! The crate's module graph has no cycles, and the layers stay in order: read/ and write/
//! never reach into the pipeline, and options (the bottom of the pipeline) imports no stage.
//!
//! A module depends on another when its code (tests excluded) names a path in it:
//! `use crate::x`, `crate::x::f()`, `super::…`, and in a `mod.rs` its children's names
//! (`html::read_html`). Two graphs are checked: one whose nodes are the top-level modules and the
//! stages of `convert/` (for the layering), and one whose nodes are the files themselves (no
//! cycle even inside `read/` or `write/`). Run with `--nocapture` to see them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// Top-level modules whose children are nodes of their own.
const SPLIT: &[&str] = &["convert"];

/// How fine the graph's nodes are.
#[derive(Clone, Copy, PartialEq)]
enum Level {
    /// Top-level modules, and the stages of `convert/`.
    Layers,
    /// Every file (`read::html`, `read`, `write::xhtml`).
    Files,
}

/// The node a module path (`["read", "html"]`) belongs to, if it names a module of the crate.
fn node(src: &Path, path: &[&str], level: Level) -> Option<String> {
    if level == Level::Files {
        return file_node(src, path);
    }
    let first = *path.first()?;
    let is_module = src.join(format!("{first}.rs")).is_file() || src.join(first).is_dir();
    if !is_module || first == "lib" || first == "main" {
        return None;
    }
    if let Some(second) = path.get(1).filter(|_| SPLIT.contains(&first)) {
        if src.join(first).join(format!("{second}.rs")).is_file() {
            return Some(format!("{first}::{second}"));
        }
    }
    Some(first.to_string())
}

/// The file a module path (`["read", "html", "read_html"]`) is defined in: its longest prefix
/// that is a module file (`read::html`) or folder (`read`).
fn file_node(src: &Path, path: &[&str]) -> Option<String> {
    let mut dir = src.to_path_buf();
    let mut found = None;
    for (i, part) in path.iter().enumerate() {
        let is_file = dir.join(format!("{part}.rs")).is_file();
        let is_dir = dir.join(part).join("mod.rs").is_file();
        if !is_file && !is_dir || (i == 0 && (*part == "lib" || *part == "main")) {
            break;
        }
        found = Some(path[..=i].join("::"));
        if !is_dir {
            break;
        }
        dir = dir.join(part);
    }
    found
}

/// The children a `mod.rs` (or `lib.rs`-like) file declares: `mod html;`, `pub(crate) mod x;`.
fn child_modules(code: &str) -> Vec<String> {
    code.lines()
        .filter_map(|l| {
            let l = l.trim();
            let rest = l.strip_suffix(';')?;
            let name = rest.rsplit_once("mod ")?.1;
            let before = rest[..rest.len() - name.len() - 4].trim();
            let visibility = before.is_empty() || before.starts_with("pub");
            (visibility && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                .then(|| name.to_string())
        })
        .collect()
}

/// The module path of a source file: `src/read/mod.rs` → `["read"]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The code of a file without its tests and comments.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|l| match l.trim_start().starts_with("//") {
            true => "",
            false => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path that follows `prefix` in `code`: `crate::a::b`, and each of `crate::{a, b::c}`.
fn paths_after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = Vec::new();
    for (at, _) in code.match_indices(prefix) {
        if code[..at].ends_with(ident) {
            continue;
        }
        let rest = &code[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let item: Vec<String> = item.trim().split("::").map(str::to_string).collect();
                out.push(item);
            }
            continue;
        }
        let mut path = Vec::new();
        let mut rest = rest;
        loop {
            let end = rest.find(|c: char| !ident(c)).unwrap_or(rest.len());
            if end == 0 {
                break;
            }
            path.push(rest[..end].to_string());
            match rest[end..].strip_prefix("::") {
                Some(more) => rest = more,
                None => break,
            }
        }
        out.push(path);
    }
    out
}

fn graph(level: Level) -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph = Graph::new();
    let files = walk(&src);
    for file in files {
        let module = module_of(&src, &file);
        let parts: Vec<&str> = module.iter().map(String::as_str).collect();
        let Some(me) = node(&src, &parts, level) else {
            continue;
        };
        let code = code(&std::fs::read_to_string(&file).unwrap());
        let mut targets = paths_after(&code, "crate::");
        // `super::x` in `a/b.rs` is `a::x`.
        let parent = &module[..module.len().saturating_sub(1)];
        for path in paths_after(&code, "super::") {
            targets.push(parent.iter().cloned().chain(path).collect());
        }
        // A `mod.rs` names its children without a prefix: `html::read_html(…)`.
        if file.ends_with("mod.rs") {
            for child in child_modules(&code) {
                for path in paths_after(&code, &format!("{child}::")) {
                    let full = module.iter().cloned().chain([child.clone()]).chain(path);
                    targets.push(full.collect());
                }
            }
        }
        let deps = graph.entry(me.clone()).or_default();
        for target in targets {
            let target: Vec<&str> = target.iter().map(String::as_str).collect();
            if let Some(to) = node(&src, &target, level).filter(|to| *to != me) {
                deps.insert(to);
            }
        }
    }
    graph
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The strongly connected components of more than one node (Tarjan).
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    state.found
}

fn show(graph: &Graph) -> String {
    graph
        .iter()
        .map(|(from, to)| {
            let to: Vec<&str> = to.iter().map(String::as_str).collect();
            format!("{from:18} → {}\n", to.join(", "))
        })
        .collect()
}

#[test]
fn modules_form_no_cycles() {
    let graph = graph(Level::Layers);
    println!("{}", show(&graph));
    assert!(graph.contains_key("convert::plan"), "{}", show(&graph));
    let cycles = cycles(&graph);
    assert!(cycles.is_empty(), "cycles: {cycles:?}\n{}", show(&graph));
}

#[test]
fn files_form_no_cycles() {
    let graph = graph(Level::Files);
    println!("{}", show(&graph));
    // The graph really is per file: the reader's files are nodes, and `read` (its mod.rs)
    // reaches them through its children's names.
    for file in [
        "read::html",
        "read::chrome",
        "write::xhtml",
        "convert::plan",
    ] {
        assert!(graph.contains_key(file), "{file} missing\n{}", show(&graph));
    }
    assert!(graph["read"].contains("read::markdown"), "{}", show(&graph));
    let cycles = cycles(&graph);
    assert!(cycles.is_empty(), "cycles: {cycles:?}\n{}", show(&graph));
}

#[test]
fn layers_import_only_downwards() {
    let graph = graph(Level::Layers);
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(n) = todo.pop() {
            for next in graph.get(&n).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen.iter()
            .any(|n| n == to || n.starts_with(&format!("{to}::")))
    };
    // Readers and writers know the model, never the pipeline that drives them.
    for layer in [
        "read",
        "write",
        "model",
        "options",
        "images",
        "output",
        "incremental",
    ] {
        assert!(!reaches(layer, "convert"), "{layer} reaches convert");
        assert!(!reaches(layer, "cli"), "{layer} reaches cli");
    }
    assert!(!reaches("read", "write"), "a reader knows a writer");
    assert!(!reaches("write", "read"), "a writer knows a reader");
    // The stages in data-flow order: each imports only those before it (and the report).
    let stages = ["collect", "plan", "prepare", "render", "save"];
    for (i, stage) in stages.iter().enumerate() {
        for later in &stages[i + 1..] {
            let (from, to) = (format!("convert::{stage}"), format!("convert::{later}"));
            assert!(!reaches(&from, &to), "{from} reaches {to}");
        }
    }
}
