//! What a Hexo site's config says beyond what every site's does: where its files are
//! (`source/`, the theme's `source/`, post asset folders) and how it names its posts
//! (`new_post_name`, `permalink`).
//!
//! Hexo keeps its posts two folders below the root (`source/_posts/`), so the site is found
//! from there as from the root ([`root_of`]); its pages (`source/about/index.md`), scaffolds and
//! drafts are not posts (see [`crate::input::hexo_not_posts`]).

use serde_json::Value;
use std::path::{Path, PathBuf};

/// A Hexo site's layout and naming, from its `_config.yml`.
#[derive(Debug, Clone)]
pub struct Hexo {
    /// `source/` (the config's `source_dir`), absolute.
    pub source: PathBuf,
    /// The theme's own `source/` folders (`themes/<theme>/source`, `node_modules/hexo-theme-<theme>/source`).
    pub theme_sources: Vec<PathBuf>,
    /// `post_asset_folder: true`: each post's pictures are in a folder named after it.
    pub post_asset_folder: bool,
    /// `new_post_name` (`:year-:month-:day-:title.md`): how a post's file name is made from its
    /// slug, so the slug can be taken back out of the file name.
    pub new_post_name: String,
    /// `permalink` (`:year/:month/:day/:title/`).
    pub permalink: String,
    /// `code_dir` under `source/`, where `{% include_code %}` files are.
    pub code_dir: PathBuf,
    /// Each post's title and front matter slug, in the order of [`super::Site::posts`]: what
    /// `{% post_link %}` finds a post by and names it with. Read by the first post that
    /// links to another, once per run.
    pub index: std::sync::OnceLock<Vec<PostName>>,
    /// Whether the site's Markdown renderer makes a single newline a line break (see
    /// [`breaks`]).
    pub breaks: bool,
    /// `render_drafts: true`: drafts are posts of the site, which `post_link` finds.
    pub render_drafts: bool,
}

/// What a post is called: its title and its front matter `slug`.
#[derive(Debug, Clone, Default)]
pub struct PostName {
    pub title: String,
    pub slug: Option<String>,
}

/// The Hexo site root `dir` is, or is inside: the root itself, its `source/` or a folder under
/// it (`source/_posts`, `source/_posts/2020`). Looked for at most four folders up.
pub fn root_of(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().take(5).find_map(|root| {
        let source = crate::input::hexo_source(root)?;
        (root == dir || dir.starts_with(&source)).then(|| root.to_path_buf())
    })
}

impl Hexo {
    pub fn new(root: &Path, config: &Value) -> Hexo {
        let text = |key: &str| config.get(key).and_then(Value::as_str).map(str::trim);
        let source = root.join(text("source_dir").unwrap_or("source"));
        let mut theme_sources = Vec::new();
        if let Some(theme) = text("theme").filter(|t| !t.is_empty()) {
            for dir in [
                root.join("themes").join(theme),
                root.join("node_modules")
                    .join(format!("hexo-theme-{theme}")),
            ] {
                let dir = dir.join("source");
                if dir.is_dir() {
                    theme_sources.push(dir);
                }
            }
        }
        let package = std::fs::read_to_string(root.join("package.json")).unwrap_or_default();
        let flag = |key: &str| {
            config
                .get(key)
                .is_some_and(|v| v.as_bool() == Some(true) || v.as_str() == Some("true"))
        };
        Hexo {
            breaks: breaks(config, &package),
            code_dir: source.join(text("code_dir").unwrap_or("downloads/code")),
            index: std::sync::OnceLock::new(),
            source,
            theme_sources,
            post_asset_folder: flag("post_asset_folder"),
            render_drafts: flag("render_drafts"),
            new_post_name: text("new_post_name").unwrap_or(":title.md").to_string(),
            permalink: text("permalink")
                .unwrap_or(":year/:month/:day/:title/")
                .to_string(),
        }
    }

    /// The folders a `/absolute` path is looked up in: `source/`, then the theme's.
    pub fn static_dirs(&self) -> Vec<PathBuf> {
        let mut dirs = vec![self.source.clone()];
        dirs.extend(self.theme_sources.iter().cloned());
        dirs
    }

    /// A post's slug, as Hexo takes it from the file name: the name less what `new_post_name`
    /// puts before `:title` (`2020-01-01-` for `:year-:month-:day-:title.md`).
    pub fn slug<'p>(&self, post: &'p Path) -> Option<&'p str> {
        let stem = post.file_stem()?.to_str()?;
        let pattern = self.new_post_name.rsplit('/').next().unwrap_or("");
        let prefix = pattern.split(":title").next().unwrap_or("");
        if !pattern.contains(":title") || prefix.is_empty() {
            return Some(stem);
        }
        // Each placeholder of the prefix is digits (`:year`, `:month`, `:i_day`…); the rest is
        // literal.
        let mut rest = stem;
        let mut pat = prefix;
        while !pat.is_empty() {
            if let Some(after) = pat.strip_prefix(':') {
                // Hexo's date placeholders; a name is not followed by a separator (`:day_`).
                let name = [
                    "i_month", "i_day", "year", "month", "day", "hour", "minute", "second",
                ]
                .into_iter()
                .find(|n| after.starts_with(n))
                .unwrap_or("");
                let name_len = name.len();
                let run = rest
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(rest.len());
                let digits = match name {
                    "year" => 4,
                    "month" | "day" | "hour" | "minute" | "second" => 2,
                    _ => run,
                };
                if name.is_empty() || digits == 0 || digits > run {
                    return Some(stem);
                }
                rest = &rest[digits..];
                pat = &after[name_len..];
            } else {
                let c = pat.chars().next()?;
                rest = match rest.strip_prefix(c) {
                    Some(r) => r,
                    None => return Some(stem),
                };
                pat = &pat[c.len_utf8()..];
            }
        }
        Some(if rest.is_empty() { stem } else { rest })
    }

    /// Whether `post` is one of `source/_drafts/`, which Hexo leaves out of its posts unless
    /// `render_drafts` is set.
    pub fn is_draft(&self, post: &Path) -> bool {
        std::path::absolute(post).is_ok_and(|p| p.starts_with(self.source.join("_drafts")))
    }

    /// A post's asset folders: `source/_posts/2020-01-01-a/` beside `2020-01-01-a.md` (where
    /// Hexo puts it) and `source/_posts/a/`, named by the slug (where some sites do).
    pub fn asset_dirs(&self, post: &Path) -> Vec<PathBuf> {
        if !self.post_asset_folder {
            return Vec::new();
        }
        let Ok(post) = std::path::absolute(post) else {
            return Vec::new();
        };
        let mut dirs = vec![post.with_extension("")];
        if let (Some(slug), Some(parent)) = (self.slug(&post), post.parent()) {
            let by_slug = parent.join(slug);
            if by_slug != dirs[0] {
                dirs.push(by_slug);
            }
        }
        dirs.retain(|d| d.is_dir());
        dirs
    }

    /// The file `name` of a post's asset folder, if there is one.
    pub fn asset(&self, post: &Path, name: &str) -> Option<PathBuf> {
        let name = name.trim().trim_start_matches("./");
        if name.is_empty() || name.split('/').any(|c| c == "..") {
            return None;
        }
        self.asset_dirs(post)
            .into_iter()
            .map(|d| d.join(name))
            .find(|f| f.is_file())
    }
}

/// Whether the site's Markdown renderer reads a single newline inside a paragraph as a line
/// break, from its config and the renderer its `package.json` installs. Every common one does
/// by default: hexo-renderer-marked (`hexo init`'s, `marked: breaks:`), hexo-renderer-kramed
/// (a fork of it, `kramed: breaks:`) and hexo-renderer-markdown-it and its forks
/// (`markdown: render: breaks:`); hexo-renderer-pandoc does not (pandoc's Markdown has no such
/// option). A site whose renderer cannot be told (no `package.json`) is taken to use the
/// option it configures, marked's first.
pub fn breaks(config: &Value, package_json: &str) -> bool {
    let package: Value = serde_json::from_str(package_json).unwrap_or(Value::Null);
    let renderers: Vec<&str> = ["dependencies", "devDependencies"]
        .iter()
        .filter_map(|k| package.get(k)?.as_object())
        .flat_map(|deps| deps.keys())
        .map(String::as_str)
        .filter(|name| name.starts_with("hexo-renderer-"))
        .collect();
    let option = |path: &[&str]| {
        let v = path.iter().try_fold(config, |v, k| v.get(k))?;
        v.as_bool().or_else(|| match v.as_str()?.trim() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        })
    };
    let marked = || option(&["marked", "breaks"]);
    let kramed = || option(&["kramed", "breaks"]);
    let markdown_it = || option(&["markdown", "render", "breaks"]);
    let uses = |f: &dyn Fn(&str) -> bool| renderers.iter().any(|r| f(r));
    let found = if uses(&|r| r == "hexo-renderer-marked") {
        marked()
    } else if uses(&|r| r.starts_with("hexo-renderer-markdown")) {
        markdown_it()
    } else if uses(&|r| r == "hexo-renderer-kramed") {
        kramed()
    } else if uses(&|r| r == "hexo-renderer-pandoc") {
        Some(false)
    } else {
        marked().or_else(markdown_it).or_else(kramed)
    };
    found.unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_lose_the_date_prefix_new_post_name_gives() {
        let mut h = Hexo::new(Path::new("/s"), &Value::Null);
        assert_eq!(
            h.slug(Path::new("/s/source/_posts/2020-01-01-a-b.md")),
            Some("2020-01-01-a-b")
        );
        h.new_post_name = ":year-:month-:day-:title.md".into();
        assert_eq!(h.slug(Path::new("/x/2020-01-01-a-b.md")), Some("a-b"));
        assert_eq!(h.slug(Path::new("/x/undated.md")), Some("undated"));
        h.new_post_name = ":year/:month/:title.md".into();
        assert_eq!(h.slug(Path::new("/x/2020/01/a.md")), Some("a"));
        h.new_post_name = ":year:month:day_:title.md".into();
        assert_eq!(h.slug(Path::new("/x/20200101_a.md")), Some("a"));
    }

    #[test]
    fn line_breaks_follow_the_renderer_and_its_option() {
        let config = |y: &str| serde_yaml_ng::from_str::<Value>(y).unwrap();
        let deps = |r: &str| format!(r#"{{"dependencies": {{"hexo": "^7", "{r}": "^7"}}}}"#);
        let marked = deps("hexo-renderer-marked");
        let markdown_it = deps("hexo-renderer-markdown-it");
        assert!(breaks(&Value::Null, &marked));
        assert!(breaks(&Value::Null, ""));
        assert!(!breaks(&config("marked: {breaks: false}"), &marked));
        assert!(breaks(&config("marked: {gfm: true}"), &marked));
        // Another renderer's option does not count.
        assert!(breaks(&config("marked: {breaks: false}"), &markdown_it));
        assert!(!breaks(
            &config("markdown: {render: {breaks: false}}"),
            &markdown_it
        ));
        assert!(!breaks(
            &config("markdown: {render: {breaks: false}}"),
            &deps("hexo-renderer-markdown-it-plus")
        ));
        assert!(!breaks(&Value::Null, &deps("hexo-renderer-pandoc")));
        // No package.json: the option the config sets.
        assert!(!breaks(&config("markdown: {render: {breaks: false}}"), ""));
    }
}
