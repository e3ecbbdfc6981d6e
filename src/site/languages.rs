//! A multilingual site's languages, and which one each post is written in.
//!
//! One concept for every generator: a site is multilingual when its layout puts posts in more
//! than one language, and each post's *site language* ([`crate::model::Meta::site_language`])
//! comes from where the site keeps it, never from the post's front matter (a post may quote
//! another language; the site says which edition it belongs to).
//!
//! - **Hugo**: the config's `languages` (`[languages.en]` in `hugo.toml`, or
//!   `config/_default/languages.toml`, or one `config/_default/languages.<key>.toml` per
//!   language, as Hugo merges them) with their `title`, `languageCode`, `weight` and
//!   `contentDir`; a post belongs to the language whose `contentDir` holds it, else to the one
//!   its file name ends with (`index.zh-cn.md`, `post.en.md`), else to `defaultContentLanguage`
//!   (`en` when unset), as Hugo assigns it.
//! - **Jekyll**: `_posts/` folders below language folders (`en/_posts`, `zh_cn/news/_posts`,
//!   the folder a two-letter language tag or one the config's `languages` list names); posts of
//!   the root `_posts/` are in the config's `default_lang` or `lang`.
//!
//! A language is named by its BCP 47 tag (`zh-CN`, from Hugo's `languageCode` or the
//! language's key), which is what the book's `dc:language` and file name carry.

use serde_json::Value;
use std::path::{Path, PathBuf};

/// One language of a site.
#[derive(Debug, Clone, PartialEq)]
pub struct Language {
    /// The site's own name for it: Hugo's key (`zh-cn`), Jekyll's folder (`zh_cn`).
    pub key: String,
    /// Its BCP 47 tag (`zh-CN`); the key as written when it names no language postbook knows.
    pub tag: String,
    /// The site's title in this language (Hugo's per-language `title`).
    pub title: Option<String>,
    /// Hugo's `contentDir` (absolute); Jekyll's language folder.
    pub dir: Option<PathBuf>,
    /// Hugo's `weight`: the order languages are listed in.
    pub weight: i64,
}

/// The languages of a site; empty for a site in one language.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Languages {
    /// Sorted by weight, then key.
    pub list: Vec<Language>,
    /// The key of the language of posts the layout places in none (Hugo's
    /// `defaultContentLanguage`, Jekyll's `default_lang`).
    pub default: Option<String>,
}

impl Languages {
    /// A Hugo site's languages, from its merged config (see `site::hugo_config`).
    pub fn hugo(root: &Path, config: &Value) -> Languages {
        let Some(Value::Object(map)) = config.get("languages") else {
            return Languages::default();
        };
        let mut list: Vec<Language> = map
            .iter()
            .filter(|(_, v)| v.get("disabled").and_then(Value::as_bool) != Some(true))
            .map(|(key, v)| {
                let text = |k: &str| {
                    v.get(k)
                        .and_then(Value::as_str)
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                };
                let tag = text("languageCode")
                    .or_else(|| text("locale"))
                    .and_then(|c| crate::lang::normalize(&c))
                    .or_else(|| crate::lang::normalize(key))
                    .unwrap_or_else(|| key.clone());
                Language {
                    key: key.clone(),
                    tag,
                    title: text("title"),
                    dir: text("contentDir").map(|d| crate::relink::normalize(&root.join(d))),
                    weight: v.get("weight").and_then(Value::as_i64).unwrap_or(0),
                }
            })
            .collect();
        list.sort_by(|a, b| (a.weight, &a.key).cmp(&(b.weight, &b.key)));
        let default = config
            .get("defaultContentLanguage")
            .or_else(|| config.get("defaultcontentlanguage"))
            .and_then(Value::as_str)
            .unwrap_or("en")
            .to_string();
        Languages {
            list,
            default: Some(default),
        }
    }

    /// A Jekyll site's languages: the language folders its `_posts/` folders are below
    /// (`posts_dirs`, every `_posts/` of the site).
    pub fn jekyll(root: &Path, config: &Value, posts_dirs: &[PathBuf]) -> Languages {
        let listed: Vec<String> = match config.get("languages") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_lowercase)
                .collect(),
            _ => Vec::new(),
        };
        let default = ["default_lang", "lang", "language"]
            .iter()
            .find_map(|k| config.get(*k).and_then(Value::as_str))
            .map(str::to_string);
        let mut list: Vec<Language> = Vec::new();
        for dir in posts_dirs {
            let Ok(rel) = dir.strip_prefix(root) else {
                continue;
            };
            let Some(top) = rel.components().next() else {
                continue;
            };
            let key = top.as_os_str().to_string_lossy().into_owned();
            if key == "_posts" || list.iter().any(|l| l.key == key) {
                continue;
            }
            let named = listed.contains(&key.to_lowercase()) || looks_like_tag(&key);
            let Some(tag) = named.then(|| crate::lang::normalize(&key)).flatten() else {
                continue;
            };
            list.push(Language {
                key: key.clone(),
                tag,
                title: None,
                dir: Some(root.join(&key)),
                weight: 0,
            });
        }
        if list.is_empty() {
            return Languages::default();
        }
        // The root `_posts/` is the default language's, a language of the site like the others.
        let root_posts = posts_dirs.iter().any(|d| d == &root.join("_posts"));
        if let Some(key) = default.as_ref().filter(|_| root_posts) {
            if let Some(tag) = crate::lang::normalize(key) {
                if !list.iter().any(|l| l.tag == tag) {
                    list.push(Language {
                        key: key.clone(),
                        tag,
                        title: None,
                        dir: None,
                        weight: 0,
                    });
                }
            }
        }
        list.sort_by(|a, b| a.key.cmp(&b.key));
        Languages { list, default }
    }

    /// Whether posts of the site are in more than one language.
    pub fn is_multilingual(&self) -> bool {
        self.list.len() > 1
    }

    /// The language a post of the site (`path`, absolute) is in; `None` for a site in one
    /// language, or a post the layout places in no language it knows.
    pub fn of_post(&self, path: &Path) -> Option<&Language> {
        if !self.is_multilingual() {
            return None;
        }
        // The innermost language folder holding it (`content/` may be one language's and
        // `content/zh` another's).
        let by_dir = self
            .list
            .iter()
            .filter(|l| l.dir.as_ref().is_some_and(|d| path.starts_with(d)))
            .max_by_key(|l| l.dir.as_ref().map_or(0, |d| d.components().count()));
        if by_dir.is_some() {
            return by_dir;
        }
        // `index.zh-cn.md`, `post.en.md`.
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if let Some((_, suffix)) = stem.rsplit_once('.') {
            if let Some(l) = self.by_key(suffix) {
                return Some(l);
            }
        }
        self.default.as_deref().and_then(|d| self.by_key(d))
    }

    /// The language a site calls `key` (case-insensitively, `zh_cn` as `zh-cn`).
    pub fn by_key(&self, key: &str) -> Option<&Language> {
        let fold = |s: &str| s.to_lowercase().replace('_', "-");
        let key = fold(key);
        self.list
            .iter()
            .find(|l| fold(&l.key) == key)
            .or_else(|| self.list.iter().find(|l| fold(&l.tag) == key))
    }

    /// The title the site gives itself in the language tagged `tag`.
    pub fn title_of(&self, tag: &str) -> Option<&str> {
        self.list
            .iter()
            .find(|l| l.tag == tag)
            .and_then(|l| l.title.as_deref())
    }

    /// Folders outside `content/` that hold a language's posts (Hugo's `contentDir =
    /// "content.zh"`), which discovery walks besides `content/`.
    pub fn extra_dirs(&self, content: &Path) -> Vec<PathBuf> {
        self.list
            .iter()
            .filter_map(|l| l.dir.clone())
            .filter(|d| !d.starts_with(content) && d.is_dir())
            .collect()
    }
}

/// A folder named like a language tag: two letters, maybe a region or script (`en`, `zh_cn`,
/// `pt-BR`, `zh-Hant`). Longer words (`news`, `doc`) are folders of topics, even when ISO 639-3
/// has a language of that code.
fn looks_like_tag(name: &str) -> bool {
    let mut parts = name.split(['-', '_']);
    let primary = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    primary.len() == 2
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && rest.len() <= 1
        && rest
            .iter()
            .all(|r| (2..=4).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hugo_languages_place_posts_by_folder_suffix_or_default() {
        let root = Path::new("/s");
        let config = json!({
            "defaultContentLanguage": "zh-cn",
            "languages": {
                "en": {"title": "My Blog", "languageCode": "en-US", "weight": 2},
                "zh-cn": {"title": "我的博客", "weight": 1, "contentDir": "content/zh"},
                "fr": {"disabled": true},
            }
        });
        let langs = Languages::hugo(root, &config);
        let keys: Vec<&str> = langs.list.iter().map(|l| l.key.as_str()).collect();
        assert_eq!(keys, ["zh-cn", "en"]);
        assert!(langs.is_multilingual());
        let tag = |p: &str| langs.of_post(Path::new(p)).map(|l| l.tag.as_str());
        assert_eq!(tag("/s/content/zh/posts/a/index.md"), Some("zh-CN"));
        assert_eq!(tag("/s/content/posts/a/index.en.md"), Some("en-US"));
        assert_eq!(tag("/s/content/posts/b.EN.md"), Some("en-US"));
        assert_eq!(tag("/s/content/posts/a/index.md"), Some("zh-CN"));
        assert_eq!(langs.title_of("en-US"), Some("My Blog"));
        // One language is no split.
        let one = Languages::hugo(root, &json!({"languages": {"en": {"title": "T"}}}));
        assert_eq!(one.of_post(Path::new("/s/content/a.md")), None);
    }

    #[test]
    fn jekyll_language_folders_are_short_tags() {
        let root = Path::new("/j");
        let dirs: Vec<PathBuf> = ["_posts", "en/_posts", "zh_cn/news/_posts", "news/_posts"]
            .iter()
            .map(|d| root.join(d))
            .collect();
        let langs = Languages::jekyll(root, &json!({"lang": "fr"}), &dirs);
        let tags: Vec<&str> = langs.list.iter().map(|l| l.tag.as_str()).collect();
        assert_eq!(tags, ["en", "fr", "zh-CN"]);
        let tag = |p: &str| langs.of_post(Path::new(p)).map(|l| l.tag.as_str());
        assert_eq!(tag("/j/zh_cn/news/_posts/2020-01-01-a.md"), Some("zh-CN"));
        assert_eq!(tag("/j/_posts/2020-01-01-a.md"), Some("fr"));
        assert_eq!(tag("/j/news/_posts/2020-01-01-a.md"), Some("fr"));
        assert!(!looks_like_tag("news"));
        assert!(!looks_like_tag("doc"));
        assert!(looks_like_tag("pt-BR"));
        assert!(looks_like_tag("zh-Hant"));
    }
}
