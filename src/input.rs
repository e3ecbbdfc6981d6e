//! Finding the post files to read.

use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// A walk of `root` that visits each folder's entries in file name order, as walkdir's
/// `sort_by_file_name` does, comparing the paths' bytes directly: `sort_by_file_name` parses
/// each path into components for every comparison, which was 14% of an unchanged re-run's
/// instructions at 100,000 posts in one folder. The entries sorted together are one folder's,
/// each path that folder's path joined with the entry's name: the same bytes up to the name,
/// so comparing whole paths compares names (and costs less than finding each name first).
fn sorted_walk(root: &Path) -> WalkDir {
    WalkDir::new(root).sort_by(|a, b| path_bytes(a).cmp(path_bytes(b)))
}

fn path_bytes(entry: &walkdir::DirEntry) -> &[u8] {
    entry.path().as_os_str().as_encoded_bytes()
}

/// What [`discover`] found.
#[derive(Debug, Default)]
pub struct Found {
    /// The post files, sorted and without duplicates.
    pub files: Vec<PathBuf>,
    /// Inputs that do not exist or could not be listed, with why.
    pub missing: Vec<(PathBuf, String)>,
    /// Files in the folders that have a post's extension but are not posts (a well-known name
    /// of something else, [`is_not_a_post`]; a Hexo scaffold or page; a document of a Jekyll
    /// collection that is not output, or a file without front matter in one that is), sorted,
    /// with why ([`why_not_a_post`]).
    pub skipped: Vec<(PathBuf, String)>,
    /// Symbolic links in the folders that were not followed, with why (their target does not
    /// exist, or is a folder that contains the link: a loop).
    pub links_skipped: Vec<(PathBuf, String)>,
}

/// Expands the command-line inputs into post files, sorted and without duplicates.
///
/// Directories are walked recursively, skipping hidden folders and generated sites. A Jekyll site
/// root (one with `_posts/`) contributes only its `_posts/`, and a Hugo site root (a `hugo.toml` or
/// `config.toml` next to `content/`) only its `content/`, so pages like `about.md` or a README are
/// not mistaken for posts (with `drafts`, a Jekyll root's `_drafts/` too, and Hugo's `_index.md`
/// list pages are read). In any folder, files named like a project's papers (`README.md`,
/// `LICENSE.txt`, `CHANGELOG.md`, …; see [`is_not_a_post`]) are skipped; a file given by name is
/// always read. `exclude` (the output folder) is never read, so a second run does not convert
/// its own output. Inputs that do not exist are returned as errors.
///
/// Symbolic links in folders are followed, as `find -L` does (a folder of posts is often
/// assembled from links); a link whose target is missing, or a folder link that loops back to
/// one of its own parents, is skipped and said so. A file reached twice (through a link and
/// directly) is read once, under the first of its paths.
pub fn discover(inputs: &[PathBuf], exclude: Option<&Path>, drafts: bool) -> Found {
    let exclude = exclude.and_then(|e| e.canonicalize().ok());
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut skipped = Vec::new();
    // Skipped with a reason of their own, not [`why_not_a_post`]'s.
    let mut skipped_why: Vec<(PathBuf, String)> = Vec::new();
    let mut links_skipped = Vec::new();
    let mut followed_links = false;
    // Documents of output collections that Jekyll copies as static files.
    let mut static_docs = std::collections::HashSet::new();
    for input in inputs {
        if input.is_file() {
            files.push(input.clone());
            continue;
        }
        if !input.is_dir() {
            errors.push((input.clone(), "no such file or directory".to_string()));
            continue;
        }
        skipped.extend(hexo_not_posts(input, drafts));
        // The folders of a Jekyll root's output collections (see below).
        let mut collection_dirs = Vec::new();
        if is_jekyll_root(input) {
            // Drafts are named among the skipped files, as a Hexo site's are.
            if !drafts {
                for dir in jekyll_posts_dirs(input, true) {
                    if dir.file_name().is_some_and(|n| n == "_drafts") {
                        skipped.extend(post_files_in(&dir));
                    }
                }
            }
            let collections = crate::jekyll_collections::of_root(input);
            collection_dirs.extend(
                collections
                    .iter()
                    .filter(|c| c.output)
                    .map(|c| c.dir.clone()),
            );
            for c in collections {
                if !c.output {
                    // Collections that are not output are the site's data, not pages.
                    let why = crate::jekyll_collections::why_skipped(&c);
                    let docs = collection_documents(&c);
                    skipped_why.extend(docs.into_iter().map(|d| (d, why.clone())));
                } else {
                    // A document without front matter (an empty placeholder, a stray text)
                    // is a static file to Jekyll, copied as it is, not a page.
                    for doc in collection_documents(&c) {
                        if !has_yaml_header(&doc) {
                            let why = crate::jekyll_collections::why_static(&c);
                            static_docs.insert(doc.clone());
                            skipped_why.push((doc, why));
                        }
                    }
                }
            }
        }
        for root in site_posts_dirs(input, drafts) {
            // A document of an output collection is a page of the site whatever its name
            // (`_docs/contributing.md` is a page of a documentation site), when it has front
            // matter, as Jekyll renders only such documents (others are copied as files).
            let in_collection = collection_dirs.contains(&root);
            // `content/`, or a language's `content.en/` beside it.
            let hugo_content = root.parent().is_some_and(is_hugo_root)
                && root
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("content"));
            let walker = sorted_walk(&root)
                .follow_links(true)
                .into_iter()
                .filter_entry(|e| {
                    let name = e.file_name().to_string_lossy();
                    let skipped_name = e.depth() > 0
                        && (name.starts_with('.') || name == "node_modules" || name == "_site");
                    // Only a folder can be the output folder: files are not resolved one by one.
                    let is_output = e.file_type().is_dir()
                        && exclude
                            .as_ref()
                            .is_some_and(|x| e.path().canonicalize().is_ok_and(|p| p == *x));
                    !skipped_name && !is_output
                });
            for entry in walker {
                if let Ok(e) = &entry {
                    followed_links |= e.path_is_symlink();
                }
                match entry {
                    Ok(e)
                        if e.file_type().is_file() && BodyFormat::for_path(e.path()).is_some() =>
                    {
                        // Hugo's list pages (a section's `_index.md`) are not posts.
                        let list_page = e
                            .file_name()
                            .to_str()
                            .is_some_and(|n| n.starts_with("_index."));
                        let named_as_paper = is_not_a_post(e.path())
                            && !(in_collection && has_yaml_header(e.path()));
                        if named_as_paper || hugo_content && is_bundle_resource(e.path(), &root) {
                            skipped.push(e.into_path())
                        } else if drafts || !list_page {
                            files.push(e.into_path())
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let path = e.path().map_or_else(|| root.clone(), Path::to_path_buf);
                        match skipped_link(&e) {
                            Some(why) => links_skipped.push((path, why)),
                            None => errors.push((path, e.to_string())),
                        }
                    }
                }
            }
        }
    }
    files.retain(|f| !static_docs.contains(f));
    files.sort();
    files.dedup();
    if followed_links {
        // The same file through a link and directly: read once, under its first path.
        let mut seen = std::collections::HashSet::new();
        files.retain(|f| seen.insert(f.canonicalize().unwrap_or_else(|_| f.clone())));
    }
    let mut skipped: Vec<(PathBuf, String)> = skipped
        .into_iter()
        .map(|p| {
            let why = why_not_a_post(&p, drafts).to_string();
            (p, why)
        })
        .chain(skipped_why)
        .collect();
    skipped.sort();
    skipped.dedup_by(|a, b| a.0 == b.0);
    links_skipped.sort();
    links_skipped.dedup();
    Found {
        files,
        missing: errors,
        skipped,
        links_skipped,
    }
}

/// Why a walk error is a symbolic link that is skipped rather than an input that failed: a
/// loop, or a link whose target does not exist.
fn skipped_link(e: &walkdir::Error) -> Option<String> {
    let path = e.path()?;
    if let Some(ancestor) = e.loop_ancestor() {
        return Some(format!(
            "symbolic link loops back to {}, a folder that contains it",
            ancestor.display()
        ));
    }
    let link = std::fs::symlink_metadata(path).ok()?;
    (link.file_type().is_symlink() && std::fs::metadata(path).is_err()).then(|| {
        let target = std::fs::read_link(path).unwrap_or_default();
        format!(
            "symbolic link to {}, which does not exist",
            target.display()
        )
    })
}

/// Whether a file found in a folder of posts is, by its name, a project's paper rather than a
/// post: `README`, `LICENSE`, `CHANGELOG`, `CONTRIBUTING` and the like, with any extension. The
/// names that are nowhere a post's are matched in any case (`readme.md`); those that are also
/// words a post could be named after (`security.md`, `history.md`) only in capitals, as
/// projects write them. A Markdown file without front matter is still a post.
pub fn is_not_a_post(path: &Path) -> bool {
    const ANY_CASE: &[&str] = &[
        "README",
        "LICENSE",
        "LICENCE",
        "COPYING",
        "CHANGELOG",
        "CONTRIBUTING",
        "CODE_OF_CONDUCT",
        "CODEOWNERS",
    ];
    const CAPITALS: &[&str] = &[
        "AUTHORS",
        "CONTRIBUTORS",
        "NOTICE",
        "CHANGES",
        "HISTORY",
        "SECURITY",
        "SUPPORT",
        "FUNDING",
    ];
    let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
        return false;
    };
    // Compared byte by byte, `-` read as `_`, without making new strings (every file found
    // passes here).
    let is = |name: &str, any_case: bool| {
        stem.len() == name.len()
            && stem.bytes().zip(name.bytes()).all(|(s, n)| {
                let s = if s == b'-' { b'_' } else { s };
                s == n || any_case && s.to_ascii_uppercase() == n
            })
    };
    CAPITALS.iter().any(|n| is(n, false)) || ANY_CASE.iter().any(|n| is(n, true))
}

/// The folders of `dir` that hold posts: a Hexo root's `source/_posts/` (and `source/_drafts/`
/// with `drafts`), a Jekyll root's `_posts/` (and `_drafts/` with `drafts`) and the folders of
/// its collections with `output: true` (see [`crate::jekyll_collections`]), a Hugo root's
/// `content/`, else `dir` itself.
fn site_posts_dirs(dir: &Path, drafts: bool) -> Vec<PathBuf> {
    if let Some(source) = hexo_source(dir) {
        return site_posts_dirs(&source, drafts);
    }
    if is_jekyll_root(dir) {
        let mut dirs = jekyll_posts_dirs(dir, drafts);
        dirs.extend(
            crate::jekyll_collections::of_root(dir)
                .into_iter()
                .filter(|c| c.output && c.dir.is_dir())
                .map(|c| c.dir),
        );
        return dirs;
    }
    site_posts_dirs_of(dir)
}

/// Whether `dir` is a Jekyll site root: it has a `_posts/`, or a `_config.yml` and `_posts/`
/// below language or section folders (`en/_posts`, `zh_cn/news/_posts`), or a `_config.yml`
/// whose `collections:` name a folder that exists. `_posts/` is optional in Jekyll (every
/// underscore folder is): a site of collections only (a documentation or catalogue site) is
/// read as Jekyll reads it, its output collections as its pages, never its `_includes/` or
/// `_layouts/` as posts. Decision: a config with collections and none of them output still
/// makes a Jekyll root (its documents are listed as skipped, with why) rather than a folder of
/// posts whose templates would be read as posts.
pub fn is_jekyll_root(dir: &Path) -> bool {
    if dir.join("_posts").is_dir() {
        return true;
    }
    if !dir.join("_config.yml").is_file() && !dir.join("_config.yaml").is_file() {
        return false;
    }
    !jekyll_posts_dirs(dir, false).is_empty()
        || crate::jekyll_collections::of_root(dir)
            .iter()
            .any(|c| c.dir.is_dir())
}

/// Every `_posts/` folder of a Jekyll site (and `_drafts/` with `drafts`), in path order: the
/// root's and those below other folders (`en/_posts`, `zh_cn/news/_posts`), as Jekyll reads
/// them, down to three folders deep; never in hidden folders, in folders Jekyll ignores
/// (`_site`, `_includes`, any other `_name`), `node_modules` or `vendor`.
pub fn jekyll_posts_dirs(root: &Path, drafts: bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut walk = sorted_walk(root).min_depth(1).max_depth(4).into_iter();
    while let Some(entry) = walk.next() {
        let Ok(e) = entry else { continue };
        if !e.file_type().is_dir() {
            continue;
        }
        let name = e.file_name().to_string_lossy();
        if name == "_posts" || drafts && name == "_drafts" {
            out.push(e.path().to_path_buf());
            walk.skip_current_dir();
        } else if name.starts_with(['.', '_']) || name == "node_modules" || name == "vendor" {
            walk.skip_current_dir();
        }
    }
    out
}

/// The `source/` folder of `dir` when `dir` is a Hexo site root: a `source/` folder beside
/// `scaffolds/`, a `package.json` depending on `hexo`, or a `_config.yml` with keys only Hexo
/// has; or beside a `source/_posts/` where no `Rakefile` says it is Octopress (Jekyll, whose
/// sites have the same layout).
pub fn hexo_source(dir: &Path) -> Option<PathBuf> {
    let source = dir.join("source");
    if !source.is_dir() {
        return None;
    }
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    let config = read("_config.yml");
    let hexo_key = |key: &str| config.lines().any(|l| l.starts_with(key));
    let hexo = dir.join("scaffolds").is_dir()
        || read("package.json").contains("\"hexo\"")
        || hexo_key("new_post_name:")
        || hexo_key("post_asset_folder:")
        || source.join("_posts").is_dir() && !dir.join("Rakefile").is_file();
    hexo.then_some(source)
}

/// What a Hexo site root holds that is not a post, for the "skipped" note: its scaffolds,
/// its pages (every post file under `source/` outside `_posts/` and `_drafts/`), and its
/// drafts unless `drafts`.
pub fn hexo_not_posts(root: &Path, drafts: bool) -> Vec<PathBuf> {
    let Some(source) = hexo_source(root) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let walk = |dir: &Path, out: &mut Vec<PathBuf>, skip: &[&str]| {
        let walker = sorted_walk(dir).into_iter();
        for e in walker
            .filter_entry(|e| {
                let name = e.file_name().to_string_lossy();
                e.depth() == 0 || !(skip.contains(&name.as_ref()) && e.depth() == 1)
            })
            .flatten()
        {
            if e.file_type().is_file() && BodyFormat::for_path(e.path()).is_some() {
                out.push(e.into_path());
            }
        }
    };
    walk(&root.join("scaffolds"), &mut out, &[]);
    walk(&source, &mut out, &["_posts", "_drafts"]);
    if !drafts {
        walk(&source.join("_drafts"), &mut out, &[]);
    }
    out
}

/// Why discovery skipped `path` ([`Found::skipped`]): a Hexo scaffold, draft or page, or a
/// project's paper ([`is_not_a_post`]).
pub fn why_not_a_post(path: &Path, drafts: bool) -> &'static str {
    let in_folder = |name: &str| path.components().any(|c| c.as_os_str() == name);
    if in_folder("scaffolds") {
        "scaffold (a template for new posts)"
    } else if in_folder("_drafts") && !drafts {
        "draft (see --drafts)"
    } else if is_not_a_post(path) {
        "a project file by its name"
    } else if path
        .ancestors()
        .skip(1)
        .take_while(|d| d.file_name().is_some_and(|n| n != "content"))
        .any(|d| bundle_page(d).is_some_and(|page| page != path))
    {
        "resource of a page bundle (Hugo shows it only through the bundle's page)"
    } else {
        "page of the site, not a post"
    }
}

fn site_posts_dirs_of(dir: &Path) -> Vec<PathBuf> {
    if is_hugo_root(dir) {
        let content = dir.join("content");
        if content.is_dir() {
            return vec![content];
        }
        // A site whose languages all keep their own `contentDir` (`content.en/`,
        // `content.zh/`) has no `content/`: the run adds those folders as inputs
        // (`convert::with_language_dirs`), as the rest of a root is not posts.
        let language_dirs = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("content.") && e.path().is_dir());
        if language_dirs {
            return Vec::new();
        }
    }
    vec![dir.to_path_buf()]
}

/// Whether `dir` is a Hugo site root: it has a `hugo.*` or `config.*` file, or `config/_default/`.
fn is_hugo_root(dir: &Path) -> bool {
    ["hugo", "config"].iter().any(|name| {
        ["toml", "yaml", "yml", "json"]
            .iter()
            .any(|ext| dir.join(format!("{name}.{ext}")).is_file())
    }) || dir.join("config/_default").is_dir()
}

/// Whether `path` is a bundle's own page: `index.md`, or `index.<lang>.md` on a multilingual site.
fn is_index_page(path: &Path) -> bool {
    path.file_stem()
        .and_then(|s| s.to_str())
        .is_some_and(|s| s == "index" || s.starts_with("index."))
}

/// The page of the Hugo leaf bundle `dir` is (its `index.md`, `index.<lang>.md`, …), if it is one.
pub fn bundle_page(dir: &Path) -> Option<PathBuf> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && is_index_page(p) && BodyFormat::for_path(p).is_some())
        .collect();
    pages.sort();
    pages.into_iter().next()
}

/// Whether `path`, a content file below `content` (a Hugo site's content folder), is a page
/// resource of a leaf bundle: a file in the folder (or a sub-folder) of an `index.*` page other
/// than that page. Hugo publishes it only through its bundle's page (`.Resources`), never as a
/// page of its own, so postbook does not make it a post (it is listed as skipped).
pub fn is_bundle_resource(path: &Path, content: &Path) -> bool {
    if is_index_page(path) && path.parent().is_some_and(|d| bundle_page(d).is_some()) {
        // The bundle's own page (a sub-folder's index is the parent bundle's resource).
        return path
            .ancestors()
            .skip(2)
            .take_while(|d| d.starts_with(content) && *d != content)
            .any(|d| bundle_page(d).is_some());
    }
    path.ancestors()
        .skip(1)
        .take_while(|d| d.starts_with(content) && *d != content)
        .any(|d| bundle_page(d).is_some())
}

/// The body syntaxes postbook reads, chosen by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    Markdown,
    Html,
    Text,
}

impl BodyFormat {
    /// The body format for a post file, or `None` when the file is not a post.
    pub fn for_path(path: &Path) -> Option<BodyFormat> {
        let ext = path.extension()?.to_str()?;
        let is = |names: &[&str]| names.iter().any(|n| ext.eq_ignore_ascii_case(n));
        if is(&["md", "markdown", "mdown", "mkd"]) {
            Some(BodyFormat::Markdown)
        } else if is(&["html", "htm"]) {
            Some(BodyFormat::Html)
        } else if is(&["txt"]) {
            Some(BodyFormat::Text)
        } else {
            None
        }
    }
}

/// The date and slug encoded in a Jekyll post file name (`2023-05-24-slug.md`).
///
/// Month and day may have one digit (`2015-4-7-slug`), as Jekyll's `DATE_FILENAME_MATCHER`
/// (`\d{2,4}-\d{1,2}-\d{1,2}`) allows. Its 2- and 3-digit years are not taken: Ruby's date
/// parser guesses a century for them, and postbook would rather call such a post undated
/// (with a warning) than date it in the wrong century.
pub fn jekyll_name(stem: &str) -> Option<(NaiveDate, &str)> {
    let mut rest = stem;
    let mut part = |min: usize, max: usize| -> Option<u32> {
        let len = rest.find(|c: char| !c.is_ascii_digit())?;
        if !(min..=max).contains(&len) || rest.as_bytes()[len] != b'-' {
            return None;
        }
        let n = rest[..len].parse().ok()?;
        rest = &rest[len + 1..];
        Some(n)
    };
    let year = part(4, 4)?;
    let month = part(1, 2)?;
    let day = part(1, 2)?;
    let day = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    (!rest.is_empty()).then_some((day, rest))
}

/// Whether the file at `path` opens with a front matter fence, as Jekyll's
/// `Utils.has_yaml_header?` tells a collection's documents from its static files: a first line
/// of `---` and spaces (after a byte order mark), ended by a line break. An empty or
/// unreadable file has none.
fn has_yaml_header(path: &Path) -> bool {
    use std::io::{BufRead, Read};
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut line = Vec::new();
    if std::io::BufReader::new(file)
        .take(4096)
        .read_until(b'\n', &mut line)
        .is_err()
    {
        return false;
    }
    // Jekyll reads files as `bom|utf-8`.
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&line);
    line.strip_prefix(b"---")
        .and_then(|rest| rest.strip_suffix(b"\n"))
        .is_some_and(|rest| rest.iter().all(u8::is_ascii_whitespace))
}

/// The documents of a collection: the files in its folder with a post's extension, in path
/// order, outside hidden and `_`-prefixed files and folders (which Jekyll does not read).
fn collection_documents(collection: &crate::jekyll_collections::Collection) -> Vec<PathBuf> {
    post_files_in(&collection.dir)
}

/// The post files below `dir`, in walk order, but in hidden or `_` folders (which Jekyll does
/// not read).
fn post_files_in(dir: &Path) -> Vec<PathBuf> {
    sorted_walk(dir)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !e.file_name().to_string_lossy().starts_with(['.', '_'])
        })
        .flatten()
        .filter(|e| e.file_type().is_file() && BodyFormat::for_path(e.path()).is_some())
        .map(walkdir::DirEntry::into_path)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_walk_visits_in_walkdirs_file_name_order() {
        let d = tempfile::tempdir().unwrap();
        for name in ["a", "a.b", "a b", "B", "é", "10", "9", "a-", "_x", ".h"] {
            std::fs::create_dir(d.path().join(name)).unwrap();
            std::fs::write(d.path().join(name).join("z.md"), "").unwrap();
            std::fs::write(d.path().join(format!("{name}.md")), "").unwrap();
        }
        let ours: Vec<PathBuf> = sorted_walk(d.path())
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .collect();
        let walkdirs: Vec<PathBuf> = WalkDir::new(d.path())
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .collect();
        assert_eq!(ours.len(), 31);
        assert_eq!(ours, walkdirs);
    }

    #[test]
    fn finds_posts_and_skips_output_and_site_pages() {
        let d = tempfile::tempdir().unwrap();
        let site = d.path().join("site");
        std::fs::create_dir_all(site.join("_posts/2023")).unwrap();
        std::fs::write(site.join("about.md"), "x").unwrap();
        std::fs::write(site.join("_posts/2023/2023-01-01-a.md"), "x").unwrap();
        std::fs::write(site.join("_posts/.hidden.md"), "x").unwrap();
        std::fs::write(site.join("_posts/pic.png"), "x").unwrap();
        let found = discover(&[site.clone(), d.path().join("missing")], None, false);
        assert_eq!(found.files, vec![site.join("_posts/2023/2023-01-01-a.md")]);
        assert_eq!(found.missing.len(), 1);

        // `_drafts/` and Hugo's `_index.md` list pages only with `drafts`.
        std::fs::create_dir_all(site.join("_drafts")).unwrap();
        std::fs::write(site.join("_drafts/idea.md"), "x").unwrap();
        std::fs::write(site.join("_posts/_index.md"), "x").unwrap();
        let files = discover(std::slice::from_ref(&site), None, true).files;
        assert_eq!(
            files,
            vec![
                site.join("_drafts/idea.md"),
                site.join("_posts/2023/2023-01-01-a.md"),
                site.join("_posts/_index.md"),
            ]
        );
        let found = discover(std::slice::from_ref(&site), None, false);
        assert_eq!(found.files, vec![site.join("_posts/2023/2023-01-01-a.md")]);
        // Left out, the drafts are named among the skipped files, with why.
        let draft = site.join("_drafts/idea.md");
        assert!(
            found
                .skipped
                .contains(&(draft, "draft (see --drafts)".to_string())),
            "{:?}",
            found.skipped
        );

        let plain = d.path().join("plain");
        std::fs::create_dir_all(plain.join("out")).unwrap();
        std::fs::write(plain.join("a.md"), "x").unwrap();
        std::fs::write(plain.join("out/a.md"), "x").unwrap();
        let found = discover(
            std::slice::from_ref(&plain),
            Some(&plain.join("out")),
            false,
        );
        assert_eq!(found.files, vec![plain.join("a.md")]);
    }

    #[test]
    fn project_papers_are_not_posts() {
        let d = tempfile::tempdir().unwrap();
        for name in [
            "README.md",
            "readme.txt",
            "LICENSE.md",
            "CHANGELOG.md",
            "CONTRIBUTING.md",
            "code-of-conduct.md",
            "SECURITY.md",
            "security.md",
            "2023-01-01-a.md",
            "no-front-matter.md",
            "readme-first.md",
        ] {
            std::fs::write(d.path().join(name), "x").unwrap();
        }
        let found = discover(&[d.path().to_path_buf()], None, false);
        let names = |v: &[PathBuf]| -> Vec<String> {
            v.iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(
            names(&found.files),
            [
                "2023-01-01-a.md",
                "no-front-matter.md",
                "readme-first.md",
                "security.md"
            ]
        );
        assert_eq!(found.skipped.len(), 7, "{:?}", found.skipped);
        // Named on the command line, a README is read.
        let readme = d.path().join("README.md");
        assert_eq!(
            discover(std::slice::from_ref(&readme), None, false).files,
            [readme]
        );
    }
}
