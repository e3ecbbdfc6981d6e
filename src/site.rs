//! Jekyll, Hugo and Hexo site roots: their config (book metadata, `baseurl`, time zone), their
//! posts (targets of `post_url`, `link`, `ref`, `post_link`) and where their root-absolute
//! pictures live.
//!
//! Sites are found once per run from the inputs ([`find_sites`]) and carried in the run's
//! [`crate::read::ReadOptions`] to every read of a post (the first pass, streaming re-reads,
//! cover selection), where the reader looks up the site the post belongs to ([`for_post`]).
//! Nothing is kept process-wide: two runs in one process (tests, a library user) do not see
//! each other's sites. A run without a site root has none and reads posts as before.

pub mod cache;
pub mod hexo;
pub mod languages;
pub mod lead;
pub mod permalink;

use crate::relink::{path_to_url, relative_path};
use permalink::{Permalinks, PostFacts};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Which generator a site is written for: it decides which template syntax its posts contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generator {
    Jekyll,
    Hugo,
    Hexo,
}

/// A site root and what its config says.
#[derive(Debug, Clone)]
pub struct Site {
    pub generator: Generator,
    /// The site root, absolute.
    pub root: PathBuf,
    /// The whole config, for `{{ site.* }}` variables.
    pub config: Value,
    pub title: Option<String>,
    pub author: Option<String>,
    pub lang: Option<String>,
    pub description: Option<String>,
    /// Scheme and host (`https://example.org`), when the config gives them.
    pub origin: Option<String>,
    /// The path the site is served under (`/blog`), without a trailing slash; empty at the root.
    pub baseurl: String,
    /// Every post file of the site (drafts included), and every document of its Jekyll
    /// collections with `output: true` (pages of the site, read as posts), for `post_url`,
    /// `link`, `ref` and links by permalink.
    pub posts: Vec<PathBuf>,
    /// A Jekyll site's collections other than `posts` ([`crate::jekyll_collections`]).
    pub collections: Vec<crate::jekyll_collections::Collection>,
    /// The TeX macros its MathJax or KaTeX configuration defines, for every post's math.
    pub math_macros: Vec<TexMacro>,
    /// Its picture files by lower-case file name, indexed the first time a picture is not
    /// where its path says ([`Site::find_asset`]).
    pub assets: std::sync::OnceLock<std::collections::HashMap<String, Vec<PathBuf>>>,
    /// [`Site::files_digest`], computed once.
    pub digest: std::sync::OnceLock<String>,
    /// What reading its posts builds once per run, the first time a post needs it: a Jekyll
    /// site's Liquid engine, the parsed `.bib` files of Distill citations ([`cache`]).
    pub cache: std::sync::Arc<cache::SiteCache>,
    /// The config's time zone (`timezone: Asia/Shanghai`): what a date without an offset is in.
    pub timezone: Option<chrono_tz::Tz>,
    /// A Hexo site's layout and naming.
    pub hexo: Option<hexo::Hexo>,
    /// Its languages, when its layout holds posts in several ([`languages`]).
    pub languages: languages::Languages,
    /// Each post's permalink ([`Site::permalinks`]), computed the first time a link needs one.
    pub permalinks: std::sync::OnceLock<permalink::Permalinks>,
}

/// A TeX macro from a site's config: MathJax's `TeX: Macros:` (v2) or `tex: macros:` (v3),
/// KaTeX's `macros:`, wherever the theme nests them.
#[derive(Debug, Clone, PartialEq)]
pub struct TexMacro {
    /// The name, with or without its backslash (KaTeX writes it, MathJax does not).
    pub name: String,
    pub body: String,
    /// The parameter count MathJax's `[body, n]` gives; `None` for a plain string (KaTeX
    /// counts the `#n` in the body).
    pub params: Option<usize>,
    /// The default of an optional first argument (`[body, n, default]`).
    pub default: Option<String>,
}

impl Site {
    /// The site whose root is `dir`, or which `dir` is inside (`site/_posts`, `site/content/x`).
    pub fn find(dir: &Path) -> Option<Site> {
        let dir = std::path::absolute(dir).ok()?;
        // First, as Hexo's `source/` holds a `_posts/` that is not a Jekyll site's.
        if let Some(root) = hexo::root_of(&dir) {
            return Site::at(&root);
        }
        if let Some(site) = Site::at(&dir) {
            return Some(site);
        }
        // However deep the folder is below `content/` or `_posts/` (a post given alone, four
        // folders down in a Hugo section).
        let mut child = dir.as_path();
        for root in dir.ancestors().skip(1) {
            let top = child.file_name().and_then(|n| n.to_str()).unwrap_or("");
            // `content.en`: a Hugo language's `contentDir`.
            if matches!(top, "_posts" | "_drafts") || top.starts_with("content") {
                if let Some(site) = Site::at(root) {
                    // `en/_posts` is a language of the site whose config is further up.
                    if site.generator == Generator::Jekyll && !has_jekyll_config(root) {
                        let outer = root
                            .ancestors()
                            .skip(1)
                            .take(3)
                            .find(|r| has_jekyll_config(r) && crate::input::is_jekyll_root(r));
                        if let Some(outer) = outer.and_then(Site::at) {
                            return Some(outer);
                        }
                    }
                    return Some(site);
                }
            }
            child = root;
        }
        None
    }

    /// The site rooted exactly at `root` (absolute), if it is one.
    pub fn at(root: &Path) -> Option<Site> {
        if crate::input::hexo_source(root).is_some() {
            let config = read_config(&root.join("_config.yml"))
                .or_else(|| read_config(&root.join("_config.yaml")))
                .unwrap_or(Value::Null);
            return Some(Site::new(Generator::Hexo, root, config));
        }
        if root.join("_posts").is_dir() {
            return Some(Site::new(Generator::Jekyll, root, jekyll_config(root)));
        }
        // A Hugo site keeps its pages in `content/` (or the config's `contentDir`), or only in
        // its languages' own `contentDir`s (`content.en/`, `content.zh/`).
        if let Some(config) = hugo_config(root) {
            if !hugo_content_dirs(root, &config).is_empty() {
                return Some(Site::new(Generator::Hugo, root, config));
            }
        }
        if crate::input::is_jekyll_root(root) {
            return Some(Site::new(Generator::Jekyll, root, jekyll_config(root)));
        }
        None
    }

    fn new(generator: Generator, root: &Path, config: Value) -> Site {
        let text = |v: Option<&Value>| {
            v.and_then(|v| match v {
                Value::String(s) => Some(s.trim().to_string()),
                Value::Object(m) => m.get("name").and_then(Value::as_str).map(str::to_string),
                Value::Array(a) => a.first().and_then(Value::as_str).map(str::to_string),
                _ => None,
            })
            .filter(|s| !s.is_empty())
        };
        let get = |key: &str| config.get(key);
        let params = |key: &str| config.get("params").and_then(|p| p.get(key));
        // Jekyll sites named by `name:` alone (Jekyll's own docs, jekyll-now: `{{ site.name }}`
        // heads their pages) are titled by it.
        let title = text(get("title")).or_else(|| match generator {
            Generator::Jekyll => text(get("name")),
            _ => None,
        });
        let author = text(get("author")).or_else(|| text(params("author")));
        let lang = text(get("lang"))
            .or_else(|| text(get("language")))
            .or_else(|| text(get("languageCode")))
            .or_else(|| text(get("defaultContentLanguage")))
            .or_else(|| text(get("locale")))
            // A value that names no language is left to detection, as a post's would be.
            .and_then(|l| crate::lang::normalize(&l));
        let description = text(get("description")).or_else(|| text(params("description")));
        let (origin, baseurl) = match generator {
            // Hexo's `root` is its `baseurl`.
            Generator::Hexo => {
                let origin = text(get("url")).and_then(|u| origin_of(&u));
                let base = text(get("root")).unwrap_or_default();
                (origin, base)
            }
            Generator::Jekyll => {
                let origin = text(get("url")).and_then(|u| origin_of(&u));
                let base = text(get("baseurl")).unwrap_or_default();
                (origin, base)
            }
            Generator::Hugo => {
                let base = text(get("baseURL")).or_else(|| text(get("baseurl")));
                match base.as_deref().and_then(|b| url::Url::parse(b).ok()) {
                    Some(u) => (origin_of(u.as_str()), u.path().to_string()),
                    None => (None, base.unwrap_or_default()),
                }
            }
        };
        let baseurl = match baseurl.trim().trim_end_matches('/') {
            "" => String::new(),
            b if b.starts_with('/') => b.to_string(),
            b => format!("/{b}"),
        };
        let mut posts = Vec::new();
        let hexo = (generator == Generator::Hexo).then(|| hexo::Hexo::new(root, &config));
        let collections = match generator {
            Generator::Jekyll => crate::jekyll_collections::from_config(root, &config),
            _ => Vec::new(),
        };
        let (dirs, languages) = match generator {
            Generator::Jekyll => {
                let mut dirs = crate::input::jekyll_posts_dirs(root, true);
                let languages = languages::Languages::jekyll(root, &config, &dirs);
                // Documents of output collections are pages links can lead to.
                let output = collections.iter().filter(|c| c.output && c.dir.is_dir());
                dirs.extend(output.map(|c| c.dir.clone()));
                (dirs, languages)
            }
            Generator::Hugo => {
                let languages = languages::Languages::hugo(root, &config);
                (hugo_content_dirs(root, &config), languages)
            }
            Generator::Hexo => (
                vec![root.join("source/_posts"), root.join("source/_drafts")],
                Default::default(),
            ),
        };
        for d in dirs {
            for e in walkdir::WalkDir::new(d)
                .sort_by_file_name()
                .into_iter()
                .flatten()
            {
                if e.file_type().is_file() && crate::input::BodyFormat::for_path(e.path()).is_some()
                {
                    posts.push(e.into_path());
                }
            }
        }
        let math_macros = tex_macros(&config);
        let timezone = text(get("timezone"))
            .or_else(|| text(get("timeZone")))
            .and_then(|z| z.parse().ok());
        Site {
            timezone,
            hexo,
            languages,
            generator,
            root: root.to_path_buf(),
            math_macros,
            config,
            title,
            author,
            lang,
            description,
            origin,
            baseurl,
            posts,
            collections,
            cache: Default::default(),
            permalinks: Default::default(),
            assets: Default::default(),
            digest: Default::default(),
        }
    }

    /// A Jekyll site's authors' display names by key, from `_data/authors.{yml,yaml,json}`
    /// (`billy: {name: Billy Rick}`): the `name` that jekyll-seo-tag and the themes that
    /// document the file (Minimal Mistakes, Chirpy) show for a post's `author: billy`. Read
    /// once per run; empty for other sites, or when the file is missing or has no names.
    pub fn author_names(&self) -> &std::collections::HashMap<String, String> {
        self.cache.authors.get_or_init(|| {
            if self.generator != Generator::Jekyll {
                return Default::default();
            }
            let data = ["yml", "yaml", "json"].iter().find_map(|ext| {
                read_config(&self.root.join("_data").join(format!("authors.{ext}")))
            });
            let Some(Value::Object(authors)) = data else {
                return Default::default();
            };
            authors
                .into_iter()
                .filter_map(|(key, entry)| {
                    let name = value_text(entry.get("name")?)?.trim().to_string();
                    (!name.is_empty()).then_some((key, name))
                })
                .collect()
        })
    }

    /// The language edition of the site a post (`path`) is in, as a BCP 47 tag; `None` unless
    /// the site is multilingual ([`languages::Languages::of_post`]).
    pub fn language_of(&self, path: &Path) -> Option<String> {
        if !self.languages.is_multilingual() {
            return None;
        }
        let abs = std::path::absolute(path).ok()?;
        self.languages.of_post(&abs).map(|l| l.tag.clone())
    }

    /// A digest of the files besides its posts that reading the site's posts depends on
    /// ([`site_files`]: paths and contents).
    pub fn files_digest(&self) -> &str {
        self.digest.get_or_init(|| {
            use sha2::Digest;
            let mut h = sha2::Sha256::new();
            for file in site_files(&self.root, self.generator) {
                let rel = file.strip_prefix(&self.root).unwrap_or(&file);
                let bytes = std::fs::read(&file).unwrap_or_default();
                for field in [rel.as_os_str().as_encoded_bytes(), &bytes] {
                    h.update((field.len() as u64).to_le_bytes());
                    h.update(field);
                }
            }
            crate::output::hex(&h.finalize())
        })
    }

    /// The folders `/absolute` pictures are taken from: Hugo's `static/`, Hexo's `source/`
    /// and its theme's, Jekyll's root.
    pub fn static_dirs(&self) -> Vec<PathBuf> {
        match (&self.hexo, self.generator) {
            (Some(hexo), _) => hexo.static_dirs(),
            (None, Generator::Hugo) => vec![self.root.join("static")],
            (None, _) => vec![self.root.clone()],
        }
    }

    /// A date written without an offset (`2020-01-01 10:00:00`) in the config's time zone;
    /// `None` without one (the reader then takes it as UTC) or for a time the zone skips.
    pub fn local_time(
        &self,
        t: chrono::NaiveDateTime,
    ) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        use chrono::TimeZone;
        let zone = self.timezone?;
        zone.from_local_datetime(&t)
            .earliest()
            .map(|t| t.fixed_offset())
    }

    /// The post a `{% post_url %}`, `{% link %}` or `{{< ref >}}` names, if the site has it.
    ///
    /// Jekyll names posts by file stem (`2019-01-01-name`, maybe under a sub-folder) or by path
    /// from the root (`_posts/2019-01-01-name.md`); Hugo by path under `content/` (with or
    /// without extension), by bundle folder, or by bare file name.
    pub fn find_post(&self, name: &str, from: &Path) -> Option<&Path> {
        let name = name.trim().trim_matches(['"', '\'']);
        let name = name.split('#').next().unwrap_or(name).trim_end_matches('/');
        if name.is_empty() {
            return None;
        }
        let from_dir = std::path::absolute(from)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf));
        let candidates = |p: &Path| -> bool {
            let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let no_ext = p.with_extension("");
            let bundle = matches!(stem, "index" | "_index");
            let under = |base: &Path| {
                let rel = no_ext.strip_prefix(base).ok();
                rel.is_some_and(|r| {
                    let r = r.to_string_lossy().replace('\\', "/");
                    r == name.trim_start_matches('/')
                        || r == Path::new(name.trim_start_matches('/'))
                            .with_extension("")
                            .to_string_lossy()
                        || (bundle
                            && Path::new(&r).parent().is_some_and(|b| {
                                b.to_string_lossy() == name.trim_start_matches('/')
                            }))
                })
            };
            // `other-post.md`: a file name, found wherever it is.
            let file_name = !name.contains('/')
                && crate::input::BodyFormat::for_path(Path::new(name)).is_some()
                && p.file_name().is_some_and(|f| f == name);
            let by_stem = stem == name
                || file_name
                || name.rsplit('/').next() == Some(stem)
                    && no_ext.to_string_lossy().ends_with(name)
                || bundle
                    && p.parent()
                        .and_then(|d| d.file_name())
                        .is_some_and(|d| d.to_string_lossy() == name.rsplit('/').next().unwrap());
            by_stem
                || under(&self.root)
                || under(&self.hugo_content_dir())
                || under(&self.root.join("_posts"))
                || from_dir.as_deref().is_some_and(under)
        };
        self.posts
            .iter()
            .map(PathBuf::as_path)
            .find(|p| candidates(p))
    }

    /// The site URL of a site path (`/2019/01/page/`): origin and path, or `None` without an
    /// origin in the config.
    pub fn absolute_url(&self, path: &str) -> Option<String> {
        let origin = self.origin.as_ref()?;
        Some(format!("{origin}{}", self.relative_url(path)))
    }

    /// `relative_url`: the path under `baseurl`, as Jekyll's filter gives it.
    pub fn relative_url(&self, path: &str) -> String {
        relative_url(&self.baseurl, path)
    }

    /// A `{{ site.x.y }}` variable.
    pub fn variable(&self, path: &str) -> Option<String> {
        match path {
            "baseurl" => return Some(self.baseurl.clone()),
            "url" => return Some(self.origin.clone().unwrap_or_default()),
            _ => {}
        }
        let mut v = &self.config;
        for key in path.split('.') {
            v = v.get(key)?;
        }
        value_text(v)
    }
}

impl Site {
    /// Points a post's references where they can be followed outside the site: pictures
    /// become paths from the post's folder to the file the site serves — root-absolute ones
    /// (`/img/a.png`, `{{ site.baseurl }}/img/a.png`, the site's own absolute URLs) from Hugo's
    /// `static/` or Jekyll's root, relative ones from the post's folder, else the site root;
    /// failing both, the one file of that name in the site ([`Site::find_asset`]) —,
    /// links to posts given by URL (a Jekyll or Hexo post's permalink, `/2020/01/02/x.html`,
    /// with or without `baseurl`, `.html` or its trailing slash; a Hugo page's `../other-post/`)
    /// become links to that post's file, and other site-relative links (`/about/`) absolute
    /// URLs on the site's origin. Every link to a post's file carries the post's web page
    /// ([`crate::model::Link::web`]), for the outputs that do not hold it.
    pub fn localize(
        &self,
        post: &Path,
        blocks: &mut Vec<crate::model::Block>,
        warnings: &mut Vec<crate::warning::Warning>,
        facts: &dyn Fn(&Path) -> PostFacts,
    ) {
        let Some(dir) = std::path::absolute(post)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
        else {
            return;
        };
        // The path on this site of a site-relative URL or of one of the site's own full URLs,
        // without `baseurl`: `/img/a.png` for `https://ann.example/blog/img/a.png`.
        let site_path = |url: &str| -> Option<String> {
            let path = match self.origin.as_deref().and_then(|o| url.strip_prefix(o)) {
                Some(rest) if rest.starts_with('/') => rest,
                _ if url.starts_with('/') && !url.starts_with("//") => url,
                _ => return None,
            };
            Some(
                match path
                    .strip_prefix(&self.baseurl)
                    .filter(|_| !self.baseurl.is_empty())
                {
                    Some(rest) if rest.starts_with('/') => rest.to_string(),
                    _ => path.to_string(),
                },
            )
        };
        let mut ambiguous = crate::warning::Unknown::default();
        let mut on_image = |img: &mut crate::model::Image| {
            // Hexo (hexo-renderer-marked's `postAsset`): a relative picture not beside the post
            // is in its asset folder (`![](a.png)` in `2020-01-01-x.md`: `2020-01-01-x/a.png`).
            if let Some(hexo) = &self.hexo {
                let relative = !img.src.contains(':') && !img.src.starts_with('/');
                let name = img.src.split(['?', '#']).next().unwrap_or("");
                let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
                if relative && !dir.join(name.as_ref()).is_file() {
                    if let Some(file) = hexo.asset(post, &name) {
                        img.src = path_to_url(&relative_path(&dir, &file));
                        return;
                    }
                }
            }
            let src = img.src.trim();
            let decode = |p: &str| -> String {
                let clean = p.split(['?', '#']).next().unwrap_or(p);
                percent_encoding::percent_decode_str(clean)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            let found = if let Some(path) = site_path(src) {
                // Root-absolute: Hugo's `static/`, Hexo's `source/` (and its theme's) or the
                // root, else where the site has it.
                let clean = decode(&path);
                let rel = clean.trim_start_matches('/');
                self.static_dirs()
                    .into_iter()
                    .chain([self.root.clone()])
                    .map(|d| d.join(rel))
                    .find(|f| f.is_file() && !rel.split('/').any(|c| c == ".."))
                    .or_else(|| self.find_asset(rel, &mut ambiguous))
            } else if !src.is_empty() && !src.contains(':') && !src.starts_with(['/', '#']) {
                // Relative: beside the post (as it is), else from the site root (a theme's
                // `assets/img/…` written without its slash), else where the site has it.
                let rel = decode(src);
                if dir.join(&rel).is_file() {
                    None
                } else {
                    let at_root = crate::relink::normalize(&self.root.join(&rel));
                    Some(at_root)
                        .filter(|f| f.starts_with(&self.root) && f.is_file())
                        .or_else(|| beside_in_any_case(&dir, &rel))
                        .or_else(|| self.find_asset(&rel, &mut ambiguous))
                }
            } else {
                None
            };
            if let Some(file) = found {
                img.src = path_to_url(&relative_path(&dir, &file));
            }
        };
        let mut on_link = |link: &mut crate::model::Link| {
            let url = link.url.trim().to_string();
            if url.is_empty() || url.starts_with('#') {
                return;
            }
            let own_path = site_path(&url);
            let relative = !url.contains(':') && !url.starts_with('/');
            let fragment = url.find('#').map_or("", |i| &url[i..]);
            if let Some(page) = own_path.as_deref().or(relative.then_some(url.as_str())) {
                // The post whose permalink it is: a Hugo page's relative link (`../older/`)
                // is read from its own page's URL, as a browser does.
                let exact = || {
                    let path = match own_path.as_deref() {
                        Some(path) => path.to_string(),
                        None if self.generator == Generator::Hugo => {
                            self.resolve_from_page(post, &url, facts)?
                        }
                        None => return None,
                    };
                    let i = self.permalinks(facts).find(&path)?;
                    Some(self.posts[i].clone())
                };
                // Else the one whose slug ends it.
                let by_slug = || self.post_at_url(own_path.as_deref()?);
                let target = match self.generator {
                    // Hugo's permalinks are known exactly; a link written as a path of files
                    // (`../other/` from `content/posts/x.md`) is the fallback.
                    Generator::Hugo => exact().or_else(|| self.hugo_page(post, page)),
                    _ => exact(),
                };
                if let Some(target) = target.or_else(by_slug) {
                    link.url = path_to_url(&relative_path(&dir, &target)) + fragment;
                    link.web = self.web_page(&target, facts).map(|w| w + fragment);
                    return;
                }
            }
            // A link to another post's file (`post_url`, `link`, `post_link`, `other.md`):
            // its web page, for outputs that do not hold that post.
            if relative {
                if let Some(target) = crate::relink::post_target(post, &url) {
                    if self.posts.contains(&target) {
                        link.web = self.web_page(&target, facts).map(|w| w + fragment);
                    }
                    return;
                }
            }
            if let (Some(origin), true) =
                (&self.origin, url.starts_with('/') && !url.starts_with("//"))
            {
                link.url = format!("{origin}{url}");
            }
        };
        crate::relink::for_each_mut(blocks, &mut on_image, &mut on_link);
        ambiguous.into_warnings(
            crate::warning::WarningKind::PictureMissing,
            "picture not at its path, and several files of its name in the site",
            "none chosen",
            warnings,
        );
    }

    /// The picture file `rel` (a path as the post wrote it) names when it is not where the
    /// path says: the one file of that name in the site's folders (a path ending as `rel`
    /// does when several share the name), matched case-insensitively as a last resort.
    /// `None` (and `rel` noted in `ambiguous`) when several remain.
    fn find_asset(&self, rel: &str, ambiguous: &mut crate::warning::Unknown) -> Option<PathBuf> {
        let name = rel.rsplit('/').next()?;
        let index = self.assets.get_or_init(|| asset_index(&self.root));
        let bucket = index.get(&name.to_lowercase())?;
        let ends_as = |p: &PathBuf, fold: bool| {
            let p = p.to_string_lossy().replace('\\', "/");
            let want = format!("/{}", rel.trim_start_matches("./").trim_start_matches('/'));
            match fold {
                false => p.ends_with(&want),
                true => p.to_lowercase().ends_with(&want.to_lowercase()),
            }
        };
        let exact: Vec<&PathBuf> = bucket
            .iter()
            .filter(|p| p.file_name().is_some_and(|n| n == name))
            .collect();
        let pick = |c: &[&PathBuf], fold: bool| -> Option<Option<PathBuf>> {
            match c {
                [] => None,
                [one] => Some(Some((*one).clone())),
                many => {
                    let by_path: Vec<_> = many.iter().filter(|p| ends_as(p, fold)).collect();
                    Some(match by_path.as_slice() {
                        [one] => Some((**one).clone()),
                        _ => None,
                    })
                }
            }
        };
        let all: Vec<&PathBuf> = bucket.iter().collect();
        match pick(&exact, false).or_else(|| pick(&all, true)) {
            Some(Some(found)) => Some(found),
            Some(None) => {
                ambiguous.add(rel);
                None
            }
            None => None,
        }
    }

    /// Every post's permalink (its path under `baseurl`), computed once per run from what each
    /// post's front matter says (`facts`, which the reader parses): see [`permalink`].
    pub fn permalinks(&self, facts: &dyn Fn(&Path) -> PostFacts) -> &Permalinks {
        self.permalinks.get_or_init(|| {
            let paths = self
                .posts
                .iter()
                .map(|p| self.permalink_of(p, &facts(p)))
                .collect();
            Permalinks::with_case(paths, self.generator == Generator::Hugo)
        })
    }

    /// The path the site serves `post` at, by its own `permalink:` (Hugo's `url`) or the site's
    /// pattern (Hugo's `permalinks`, else its path under `content/`); `None` for posts whose
    /// pattern cannot be filled.
    pub fn permalink_of(&self, post: &Path, facts: &PostFacts) -> Option<String> {
        let stem = post.file_stem()?.to_str()?;
        let name = crate::input::jekyll_name(stem);
        let midnight = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0);
        match (self.generator, &self.hexo) {
            (Generator::Jekyll, _) => {
                let site_style = self.config.get("permalink").and_then(Value::as_str);
                if let Some(c) = crate::jekyll_collections::containing(&self.collections, post) {
                    // A collection's document: `:collection` is its label, `:path` its path
                    // in the collection's folder less the extension.
                    let rel = post.strip_prefix(&c.dir).ok()?.with_extension("");
                    let rel = rel.to_string_lossy().replace('\\', "/");
                    let doc = permalink::JekyllDoc {
                        file_slug: name.map_or(stem, |(_, slug)| slug),
                        dir_categories: Vec::new(),
                        collection: Some((&c.label, &rel)),
                        date: facts.date.or_else(|| midnight(name?.0)),
                    };
                    let default = crate::jekyll_collections::default_permalink(site_style);
                    let pattern = facts
                        .permalink
                        .as_deref()
                        .or(c.permalink.as_deref())
                        .unwrap_or(&default);
                    return permalink::jekyll(pattern, &doc, facts);
                }
                let rel = post.strip_prefix(&self.root).ok()?;
                let parts: Vec<&str> = rel
                    .parent()?
                    .components()
                    .filter_map(|c| c.as_os_str().to_str())
                    .collect();
                let special = parts
                    .iter()
                    .position(|p| matches!(*p, "_posts" | "_drafts"));
                let doc = permalink::JekyllDoc {
                    file_slug: name.map_or(stem, |(_, slug)| slug),
                    dir_categories: parts[..special.unwrap_or(0)]
                        .iter()
                        .map(|p| p.to_string())
                        .collect(),
                    collection: None,
                    date: facts.date.or_else(|| midnight(name?.0)),
                };
                let site_pattern = self.config.get("permalink").and_then(Value::as_str);
                let pattern = facts
                    .permalink
                    .as_deref()
                    .or(site_pattern)
                    .unwrap_or("date");
                permalink::jekyll(pattern, &doc, facts)
            }
            (Generator::Hexo, Some(hexo)) => {
                let under = post.strip_prefix(hexo.source.join("_posts")).ok();
                let folder = under
                    .and_then(Path::parent)
                    .map(|d| d.to_string_lossy().replace('\\', "/"))
                    .filter(|d| !d.is_empty());
                let slug = hexo.slug(post)?;
                let slug = match folder {
                    Some(folder) => format!("{folder}/{slug}"),
                    None => slug.to_string(),
                };
                // Hexo dates a post without one by its file's time.
                let modified = || {
                    let t = std::fs::metadata(post).ok()?.modified().ok()?;
                    Some(chrono::DateTime::<chrono::Local>::from(t).naive_local())
                };
                let date = facts.date.or_else(|| midnight(name?.0)).or_else(modified);
                let default_category = self
                    .config
                    .get("default_category")
                    .and_then(Value::as_str)
                    .unwrap_or("uncategorized");
                let post = permalink::HexoPost {
                    slug: &slug,
                    date,
                    default_category,
                };
                permalink::hexo(&hexo.permalink, &post, facts)
            }
            (Generator::Hugo, _) => {
                let abs = std::path::absolute(post).ok()?;
                let language = self.languages.of_post(&abs);
                // Its language's folder, else the content folder, else any language's (a
                // site in one language may still keep it in `content.en/`).
                let dirs = language.and_then(|l| l.dir.clone()).into_iter();
                let dirs = dirs.chain([self.hugo_content_dir()]);
                let dirs = dirs.chain(self.languages.list.iter().filter_map(|l| l.dir.clone()));
                let content = dirs
                    .filter(|d| abs.starts_with(d))
                    .max_by_key(|d| d.components().count())?;
                let rel = abs.strip_prefix(&content).ok()?.with_extension("");
                let mut rel = rel.to_string_lossy().replace('\\', "/");
                // `post.fr.md`, `index.en.md`: the language suffix is no part of the path.
                if let Some((base, suffix)) = rel.rsplit_once('.') {
                    let default = self.languages.default.as_deref().unwrap_or("en");
                    let known = self.languages.by_key(suffix).is_some()
                        || suffix.eq_ignore_ascii_case(default);
                    if known && !base.ends_with('/') {
                        rel = base.to_string();
                    }
                }
                let in_subdir = self.config_flag("defaultContentLanguageInSubdir");
                let prefix = language
                    .filter(|l| {
                        in_subdir || Some(l.key.as_str()) != self.languages.default.as_deref()
                    })
                    .map(|l| l.key.as_str());
                let page = permalink::HugoPage {
                    rel: &rel,
                    date: facts.date.or(facts.publish_date),
                    language: prefix,
                    to_lower: !self.config_flag("disablePathToLower"),
                    ugly: self.config_flag("uglyURLs"),
                };
                permalink::hugo(&page, self.config_value("permalinks"), facts)
            }
            _ => None,
        }
    }

    /// The site path (under `baseurl`) a relative URL in `post` leads to, read from the post's
    /// own permalink as a browser reads it from the page.
    fn resolve_from_page(
        &self,
        post: &Path,
        url: &str,
        facts: &dyn Fn(&Path) -> PostFacts,
    ) -> Option<String> {
        let abs = std::path::absolute(post).ok()?;
        let i = self.posts.iter().position(|p| *p == abs)?;
        let own = self.permalinks(facts).path(i)?;
        let base = url::Url::parse(&format!("http://site.invalid{own}")).ok()?;
        Some(base.join(url).ok()?.path().to_string())
    }

    /// The web page of the site's post `post`: the config's `url`, `baseurl` (Hexo's `root`)
    /// and the post's permalink; `None` without a `url`, or a permalink.
    pub fn web_page(&self, post: &Path, facts: &dyn Fn(&Path) -> PostFacts) -> Option<String> {
        self.origin.as_ref()?;
        let i = self.posts.iter().position(|p| p == post)?;
        let path = self.permalinks(facts).path(i)?;
        self.absolute_url(path)
    }

    /// The post a path on this site (`/2019/01/05/liquid-tour/`, `/blog/x.html` less its
    /// `baseurl`) is the permalink of. Permalink patterns vary by site and post, so a post is
    /// recognised by its slug as the URL's last segment, and by its date's digits in the URL when
    /// several posts share that slug.
    fn post_at_url(&self, path: &str) -> Option<PathBuf> {
        let path = path.split(['?', '#']).next()?;
        let last = path.trim_end_matches('/').rsplit('/').next()?;
        let last = last.strip_suffix(".html").unwrap_or(last);
        if last.is_empty() {
            return None;
        }
        let slug_of = |p: &Path| -> Option<(String, Option<String>)> {
            let stem = p.file_stem()?.to_str()?;
            if matches!(stem, "index" | "_index") {
                let dir = p.parent()?.file_name()?.to_str()?;
                return Some((dir.to_string(), None));
            }
            match crate::input::jekyll_name(stem) {
                Some((day, slug)) => Some((slug.to_string(), Some(day.format("%Y").to_string()))),
                None => Some((stem.to_string(), None)),
            }
        };
        let matches: Vec<(&PathBuf, Option<String>)> = self
            .posts
            .iter()
            .filter_map(|p| {
                let (slug, year) = slug_of(p)?;
                (slug == last).then_some((p, year))
            })
            .collect();
        match matches.as_slice() {
            [] => None,
            [(one, _)] => Some((*one).clone()),
            many => many
                .iter()
                .find(|(_, year)| year.as_deref().is_some_and(|y| path.contains(y)))
                .map(|(p, _)| (*p).clone()),
        }
    }

    /// A top-level key of the config, in any case (Hugo's keys are case-insensitive:
    /// `buildFuture`, `buildfuture`).
    pub fn config_value(&self, key: &str) -> Option<&Value> {
        self.config
            .as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }

    /// Whether the config sets `key` (in any case) to true, or to the text `true`.
    pub fn config_flag(&self, key: &str) -> bool {
        self.config_value(key)
            .and_then(|v| {
                v.as_bool()
                    .or_else(|| v.as_str().map(|s| s.trim() == "true"))
            })
            .unwrap_or(false)
    }

    /// A Hugo site's content folder: the config's `contentDir`, else `content/`.
    pub fn hugo_content_dir(&self) -> PathBuf {
        hugo_content_dir(&self.root, &self.config)
    }

    /// The Hugo post a relative page URL from `post` points at (`../other/`, `/posts/other/`):
    /// Hugo serves `content/a/b.md` and `content/a/b/index.md` both at `/a/b/`.
    fn hugo_page(&self, post: &Path, url: &str) -> Option<PathBuf> {
        if self.generator != Generator::Hugo || !url.ends_with('/') && url.contains('.') {
            return None;
        }
        let url = url.split(['?', '#']).next()?.trim_end_matches('/');
        let post = std::path::absolute(post).ok()?;
        let content = self
            .languages
            .of_post(&post)
            .and_then(|l| l.dir.clone())
            .filter(|d| post.starts_with(d))
            .unwrap_or_else(|| self.hugo_content_dir());
        let page_dir = match post.file_stem()?.to_str()? {
            "index" | "_index" => post.parent()?.to_path_buf(),
            _ => post.with_extension(""),
        };
        let target = match url.strip_prefix('/') {
            Some(abs) => content.join(abs),
            None => page_dir.join(url),
        };
        let target = crate::relink::normalize(&target);
        if !target.starts_with(&content) {
            return None;
        }
        let candidates = [
            target.join("index.md"),
            target.with_extension("md"),
            target.join("index.html"),
        ];
        let exact = candidates.iter().find(|p| self.posts.contains(p)).cloned();
        // Hugo serves `Resources.md` at `resources/`: a path in another case is that file.
        exact.or_else(|| {
            let folded: Vec<String> = candidates
                .iter()
                .map(|c| c.to_string_lossy().to_lowercase())
                .collect();
            self.posts
                .iter()
                .find(|p| folded.contains(&p.to_string_lossy().to_lowercase()))
                .cloned()
        })
    }
}

/// The post being read, in its site: what the Liquid and shortcode passes substitute from.
pub struct Page<'a> {
    pub site: &'a Site,
    /// The post file.
    pub path: &'a Path,
    /// Its front matter, for `{{ page.* }}`.
    pub meta: &'a crate::model::Meta,
}

impl Page<'_> {
    /// A link from this post to the site's post `name`: the target's file, relative to this
    /// post's folder, so writers can turn it into a link to that post's chapter or note.
    pub fn link_to_post(&self, name: &str) -> Option<String> {
        let target = self.site.find_post(name, self.path)?;
        let from = std::path::absolute(self.path).ok()?;
        let rel = relative_path(from.parent()?, target);
        let fragment = name.split_once('#').map(|(_, f)| f);
        let mut url = path_to_url(&rel);
        if let Some(f) = fragment.filter(|f| !f.is_empty()) {
            url.push('#');
            url.push_str(f.trim_matches(['"', '\'']));
        }
        Some(url)
    }

    /// A `{{ page.x }}` variable.
    pub fn variable(&self, key: &str) -> Option<String> {
        let m = self.meta;
        match key {
            "title" => Some(m.title.clone()),
            "date" => m.date.map(|d| d.to_iso()),
            "author" => m.authors.first().cloned(),
            "categories" => Some(m.categories.join(", ")),
            "tags" => Some(m.tags.join(", ")),
            "slug" => m.slug.clone(),
            _ => {
                let (first, rest) = key.split_once('.').unwrap_or((key, ""));
                let mut v = &m.extra.iter().find(|(k, _)| k == first)?.1;
                for k in rest.split('.').filter(|k| !k.is_empty()) {
                    v = v.get(k)?;
                }
                value_text(v)
            }
        }
    }
}

/// A front matter or config value as text, for substitution.
pub fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(a) => Some(
            a.iter()
                .filter_map(value_text)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Value::Object(m) => m.get("name").and_then(value_text),
        Value::Null => None,
    }
}

/// Folders of a site that hold no pictures it serves.
const NOT_ASSETS: [&str; 9] = [
    "_site",
    "_includes",
    "_layouts",
    "_sass",
    "_data",
    "node_modules",
    "vendor",
    "public",
    "resources",
];

/// The picture files under `root` by lower-case file name, outside hidden folders and those
/// of [`NOT_ASSETS`], in path order.
fn asset_index(root: &Path) -> std::collections::HashMap<String, Vec<PathBuf>> {
    let mut index: std::collections::HashMap<String, Vec<PathBuf>> = Default::default();
    let walk = walkdir::WalkDir::new(root)
        .max_depth(12)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(e.file_type().is_dir()
                    && (name.starts_with('.') || NOT_ASSETS.contains(&name.as_ref())))
        });
    for e in walk.flatten().filter(|e| e.file_type().is_file()) {
        let name = e.file_name().to_string_lossy().to_lowercase();
        let ext = name.rsplit('.').next().unwrap_or("");
        if matches!(
            ext,
            "png" | "jpg" | "jpeg" | "gif" | "webp" | "svg" | "avif" | "bmp" | "tif" | "tiff"
        ) {
            index.entry(name).or_default().push(e.into_path());
        }
    }
    index
}

/// Jekyll's `relative_url`: `path` under `baseurl` (normalized, see [`Site::baseurl`]);
/// full URLs and paths already under it unchanged.
pub fn relative_url(baseurl: &str, path: &str) -> String {
    if path.contains("://") || path.starts_with("//") {
        return path.to_string();
    }
    if !baseurl.is_empty() && path.starts_with(&format!("{baseurl}/")) {
        return path.to_string();
    }
    format!("{baseurl}/{}", path.trim_start_matches('/'))
}

/// A Jekyll site's config: `_config.yml` (or `.yaml`), with the keys it lacks taken from the
/// other `_config*.yml` at the root, in name order. `_config.yml` wins: a `_config_dev.yml`
/// that points `url` at localhost does not change the book.
pub fn jekyll_config(root: &Path) -> Value {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("_config") && (name.ends_with(".yml") || name.ends_with(".yaml"))
        })
        .collect();
    files.sort_by_key(|p| {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        (
            !matches!(name.as_str(), "_config.yml" | "_config.yaml"),
            name,
        )
    });
    let mut config = serde_json::Map::new();
    for file in files {
        if let Some(Value::Object(m)) = read_config(&file) {
            for (k, v) in m {
                config.entry(k).or_insert(v);
            }
        }
    }
    Value::Object(config)
}

/// The files besides its posts that reading a site's posts depends on: its config files (every
/// generator takes the book's title, author, language, time zone and URLs from them), and
/// for Jekyll the `_data/`, `_includes/`, `_layouts/` and `_plugins/` its Liquid reads. Editing one changes every post's
/// fingerprint, so the next run renders the site's outputs again.
pub fn site_files(root: &Path, generator: Generator) -> Vec<PathBuf> {
    let config_names: &[&str] = match generator {
        // `_config.yml`, `_config_dev.yml`…; Hexo's `_config.<theme>.yml` too, and its
        // `package.json`, which names its Markdown renderer.
        Generator::Jekyll => &["_config"],
        Generator::Hexo => &["_config", "package.json"],
        Generator::Hugo => &["hugo.", "config."],
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| config_names.iter().any(|c| n.starts_with(c)))
        })
        .collect();
    let dirs: &[&str] = match generator {
        // Neither layouts nor plugins are run, but editing them changes what the site
        // renders: its outputs are made again, as for its config.
        Generator::Jekyll => &["_data", "_includes", "_layouts", "_plugins"],
        Generator::Hugo => &["config"],
        Generator::Hexo => &[],
    };
    for dir in dirs {
        files.extend(
            walkdir::WalkDir::new(root.join(dir))
                .into_iter()
                .flatten()
                .filter(|e| e.file_type().is_file())
                .map(walkdir::DirEntry::into_path),
        );
    }
    files.sort();
    files
}

/// The file `rel` names from `dir` with its file name in another case (`S-Video-capture.jpg`
/// for `s-video-capture.jpg` in a page bundle), as Hugo matches page resources; the only one.
fn beside_in_any_case(dir: &Path, rel: &str) -> Option<PathBuf> {
    if rel.split('/').any(|c| c == "..") {
        return None;
    }
    let (folder, name) = match rel.rsplit_once('/') {
        Some((folder, name)) => (dir.join(folder), name),
        None => (dir.to_path_buf(), rel),
    };
    let name = name.to_lowercase();
    let mut found = std::fs::read_dir(folder)
        .ok()?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().to_lowercase() == name)
        .map(|e| e.path())
        .filter(|p| p.is_file());
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// A Hugo site's content folder: the config's `contentDir`, else `content/`.
fn hugo_content_dir(root: &Path, config: &Value) -> PathBuf {
    let dir = config
        .get("contentDir")
        .or_else(|| config.get("contentdir"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or("content");
    crate::relink::normalize(&root.join(dir))
}

/// The folders a Hugo site keeps its pages in that exist: its content folder
/// ([`hugo_content_dir`]) and its languages' `contentDir`s outside it.
fn hugo_content_dirs(root: &Path, config: &Value) -> Vec<PathBuf> {
    let content = hugo_content_dir(root, config);
    let languages = languages::Languages::hugo(root, config);
    let mut dirs: Vec<PathBuf> = Some(content.clone())
        .filter(|c| c.is_dir())
        .into_iter()
        .collect();
    dirs.extend(languages.extra_dirs(&content));
    dirs
}

/// Whether `root` has a Jekyll config file.
fn has_jekyll_config(root: &Path) -> bool {
    root.join("_config.yml").is_file() || root.join("_config.yaml").is_file()
}

fn origin_of(url: &str) -> Option<String> {
    let u = url::Url::parse(url.trim()).ok()?;
    matches!(u.scheme(), "http" | "https").then(|| u.origin().ascii_serialization())
}

/// A config file as JSON, by its extension; `None` when missing or unreadable.
fn read_config(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "yml" | "yaml" => serde_yaml_ng::from_str(&text).ok(),
        "toml" => toml::from_str::<toml::Table>(&text)
            .ok()
            .and_then(|t| serde_json::to_value(t).ok()),
        "json" => serde_json::from_str(&text).ok(),
        _ => None,
    }
}

const CONFIG_EXTENSIONS: [&str; 4] = ["toml", "yaml", "yml", "json"];

/// Hugo's config: `hugo.*` or `config.*` at the root, then `config/_default/`, where
/// `hugo.*`/`config.*` hold root keys and any other file (`params.toml`, `menus.toml`) the key
/// of its name. `None` when the folder has none of them (it is not a Hugo site).
fn hugo_config(root: &Path) -> Option<Value> {
    let mut config = serde_json::Map::new();
    let mut found = false;
    for name in ["hugo", "config"] {
        for ext in CONFIG_EXTENSIONS {
            if let Some(Value::Object(m)) = read_config(&root.join(format!("{name}.{ext}"))) {
                found = true;
                config.extend(m);
            }
        }
    }
    let default = root.join("config/_default");
    if let Ok(entries) = std::fs::read_dir(&default) {
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for file in files {
            let Some(value) = read_config(&file) else {
                continue;
            };
            found = true;
            let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            match (stem.split_once('.'), stem, value) {
                (None, "hugo" | "config", Value::Object(m)) => config.extend(m),
                (None, key, value) => match (config.get_mut(key), value) {
                    // `languages.toml` beside `languages.en.toml`: both hold languages.
                    (Some(Value::Object(have)), Value::Object(m)) => have.extend(m),
                    (_, value) => _ = config.insert(key.to_string(), value),
                },
                // `languages.en.toml` is `[languages.en]`; `params.en.toml` (or `menus.en.toml`)
                // `[languages.en.params]`, as Hugo merges them.
                (Some((key, lang)), _, value) => {
                    let languages = config
                        .entry("languages")
                        .or_insert_with(|| Value::Object(Default::default()));
                    let Value::Object(languages) = languages else {
                        continue;
                    };
                    let language = languages
                        .entry(lang)
                        .or_insert_with(|| Value::Object(Default::default()));
                    match (key, language, value) {
                        ("languages", Value::Object(l), Value::Object(m)) => l.extend(m),
                        (key, Value::Object(l), value) => _ = l.insert(key.to_string(), value),
                        _ => {}
                    }
                }
            }
        }
    }
    found.then_some(Value::Object(config))
}

/// The TeX macros a site config defines: every `macros`/`Macros` object in it (themes nest
/// MathJax's and KaTeX's settings under `mathjax`, `katex`, `params.math`, …) whose values
/// are strings (`RR: "\\mathbb{R}"`) or MathJax's `[body, n]` / `[body, n, default]`.
fn tex_macros(config: &Value) -> Vec<TexMacro> {
    fn walk(v: &Value, depth: usize, out: &mut Vec<TexMacro>) {
        let Value::Object(map) = v else {
            return;
        };
        for (key, value) in map {
            match value {
                Value::Object(defs) if key.eq_ignore_ascii_case("macros") => {
                    for (name, def) in defs {
                        let m = match def {
                            Value::String(body) => Some((body.clone(), None, None)),
                            Value::Array(a) => match a.first() {
                                Some(Value::String(body)) => Some((
                                    body.clone(),
                                    a.get(1).and_then(Value::as_u64).map(|n| n.min(9) as usize),
                                    a.get(2).and_then(Value::as_str).map(str::to_string),
                                )),
                                _ => None,
                            },
                            _ => None,
                        };
                        if let Some((body, params, default)) = m {
                            out.push(TexMacro {
                                name: name.clone(),
                                body,
                                params,
                                default,
                            });
                        }
                    }
                }
                Value::Object(_) if depth < 6 => walk(value, depth + 1, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(config, 0, &mut out);
    out
}

/// Finds the sites of `inputs` (site roots, their post folders, or posts in them), each once.
pub fn find_sites(inputs: &[PathBuf]) -> Vec<Site> {
    let mut found: Vec<Site> = Vec::new();
    let mut dirs: Vec<&Path> = Vec::new();
    for input in inputs {
        let dir = match input.is_dir() {
            true => input.as_path(),
            false => match input.parent() {
                Some(p) if p.as_os_str().is_empty() => Path::new("."),
                Some(p) => p,
                None => continue,
            },
        };
        if dirs.contains(&dir) {
            continue;
        }
        dirs.push(dir);
        if let Some(site) = Site::find(dir) {
            if !found.iter().any(|s| s.root == site.root) {
                found.push(site);
            }
        }
    }
    found
}

/// The site of `sites` that `path` belongs to: the innermost one whose root holds it.
pub fn for_post<'s>(sites: &'s [Site], path: &Path) -> Option<&'s Site> {
    if sites.is_empty() {
        return None;
    }
    let abs = std::path::absolute(path).ok()?;
    sites
        .iter()
        .filter(|s| abs.starts_with(&s.root))
        .max_by_key(|s| s.root.components().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_jekyll_and_hugo_configs() {
        let d = tempfile::tempdir().unwrap();
        let j = d.path().join("j");
        std::fs::create_dir_all(j.join("_posts/sub")).unwrap();
        std::fs::write(
            j.join("_config.yml"),
            "title: My Blog\nauthor:\n  name: Ann\nlang: en_GB\nurl: https://ann.test\nbaseurl: /blog/\n",
        )
        .unwrap();
        std::fs::write(j.join("_posts/sub/2019-01-01-name.md"), "x").unwrap();
        let site = Site::find(&j.join("_posts")).unwrap();
        assert_eq!(site.generator, Generator::Jekyll);
        assert_eq!(site.title.as_deref(), Some("My Blog"));
        // A site named only by `name:` (jekyll-now) is titled by it.
        std::fs::write(
            j.join("_config.yml"),
            "name: Ann's Notes
",
        )
        .unwrap();
        let named = Site::find(&j.join("_posts")).unwrap();
        assert_eq!(named.title.as_deref(), Some("Ann's Notes"));
        assert_eq!(site.author.as_deref(), Some("Ann"));
        assert_eq!(site.lang.as_deref(), Some("en-GB"));
        assert_eq!(site.baseurl, "/blog");
        assert_eq!(site.relative_url("/img/a.png"), "/blog/img/a.png");
        assert_eq!(
            site.absolute_url("img/a.png").as_deref(),
            Some("https://ann.test/blog/img/a.png")
        );
        let from = j.join("_posts/x.md");
        let target = j.join("_posts/sub/2019-01-01-name.md");
        assert_eq!(site.find_post("2019-01-01-name", &from), Some(&*target));
        assert_eq!(site.find_post("sub/2019-01-01-name", &from), Some(&*target));
        assert_eq!(
            site.find_post("_posts/sub/2019-01-01-name.md", &from),
            Some(&*target)
        );
        assert_eq!(site.find_post("2019-01-02-other", &from), None);

        let h = d.path().join("h");
        std::fs::create_dir_all(h.join("content/posts/bundle")).unwrap();
        std::fs::create_dir_all(h.join("config/_default")).unwrap();
        std::fs::write(
            h.join("config/_default/hugo.toml"),
            "title = \"Hugo Site\"\nbaseURL = \"https://h.test/sub/\"\nlanguageCode = \"fr\"\n",
        )
        .unwrap();
        std::fs::write(
            h.join("config/_default/params.yaml"),
            "author: Bob\ndescription: d\n",
        )
        .unwrap();
        std::fs::write(h.join("content/posts/bundle/index.md"), "x").unwrap();
        let site = Site::find(&h).unwrap();
        assert_eq!(site.generator, Generator::Hugo);
        assert_eq!(site.title.as_deref(), Some("Hugo Site"));
        assert_eq!(site.author.as_deref(), Some("Bob"));
        assert_eq!(site.description.as_deref(), Some("d"));
        assert_eq!(site.lang.as_deref(), Some("fr"));
        assert_eq!(site.baseurl, "/sub");
        assert_eq!(site.origin.as_deref(), Some("https://h.test"));
        let target = h.join("content/posts/bundle/index.md");
        assert_eq!(site.find_post("bundle", &target), Some(&*target));
        assert_eq!(
            site.find_post("index.md", &h.join("content/x.md")),
            Some(&*target)
        );
        assert_eq!(site.find_post("posts/bundle", &target), Some(&*target));
        assert_eq!(
            site.find_post("/posts/bundle/index.md", &target),
            Some(&*target)
        );
        assert_eq!(site.variable("params.author").as_deref(), Some("Bob"));
        assert!(Site::find(d.path()).is_none());
    }

    #[test]
    fn hugo_site_with_only_language_content_dirs() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        std::fs::create_dir_all(root.join("content.de/notes")).unwrap();
        std::fs::create_dir_all(root.join("content.it/notes")).unwrap();
        std::fs::write(
            root.join("hugo.toml"),
            "title = \"Hefte\"\ndefaultContentLanguage = \"de\"\n[languages.de]\ncontentDir = \"content.de\"\n[languages.it]\ncontentDir = \"content.it\"\n",
        )
        .unwrap();
        std::fs::write(root.join("content.de/notes/a.md"), "x").unwrap();
        std::fs::write(root.join("content.it/notes/b.md"), "x").unwrap();
        let site = Site::find(root).unwrap();
        assert_eq!(site.generator, Generator::Hugo);
        assert_eq!(site.posts.len(), 2);
        let inner = Site::find(&root.join("content.it/notes")).unwrap();
        assert_eq!(inner.root, site.root);
        // Paths under their language's folder, the default language's at the root.
        let facts = PostFacts::default();
        let path = |p: &str| site.permalink_of(&site.root.join(p), &facts);
        assert_eq!(path("content.de/notes/a.md").as_deref(), Some("/notes/a/"));
        assert_eq!(
            path("content.it/notes/b.md").as_deref(),
            Some("/it/notes/b/")
        );
        let found = crate::input::discover(&[root.to_path_buf()], None, false);
        assert!(
            found.files.is_empty(),
            "the root holds no posts: {:?}",
            found.files
        );
    }

    #[test]
    fn relative_paths_between_folders() {
        assert_eq!(
            relative_path(
                Path::new("/s/content/posts/b"),
                Path::new("/s/static/a.png")
            ),
            PathBuf::from("../../../static/a.png")
        );
        // An output folder given as `-o ../notes` from inside the site.
        assert_eq!(
            relative_path(
                Path::new("/home/me/site/../notes/2020"),
                Path::new("/home/me/site/./assets/kettle.jpg")
            ),
            PathBuf::from("../../site/assets/kettle.jpg")
        );
        assert_eq!(
            path_to_url(Path::new("../a b/(c).md")),
            "../a%20b/%28c%29.md"
        );
    }

    #[test]
    fn tex_macros_from_mathjax_and_katex_settings() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("content/posts")).unwrap();
        std::fs::write(
            d.path().join("hugo.toml"),
            "title = \"H\"\n[params.math.macros]\nRR = \"\\\\mathbb{R}\"\nbold = [\"{\\\\bf #1}\", 1]\nE = [\"\\\\mathbb{E}_{#1}[#2]\", 2, \"X\"]\n[markup.katex.macros]\n\"\\\\ZZ\" = \"\\\\mathbb{Z}\"\nignored = 3\n",
        )
        .unwrap();
        let site = Site::find(d.path()).unwrap();
        let mut got: Vec<_> = site
            .math_macros
            .iter()
            .map(|m| {
                (
                    m.name.as_str(),
                    m.body.as_str(),
                    m.params,
                    m.default.as_deref(),
                )
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("E", "\\mathbb{E}_{#1}[#2]", Some(2), Some("X")),
                ("RR", "\\mathbb{R}", None, None),
                ("\\ZZ", "\\mathbb{Z}", None, None),
                ("bold", "{\\bf #1}", Some(1), None),
            ]
        );
    }
}
