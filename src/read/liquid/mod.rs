//! Jekyll's Liquid, run over a post's whole text before it is read, as Jekyll does (code
//! blocks included: authors protect examples with `{% raw %}`).
//!
//! The engine is liquid-core and liquid-lib's standard library (cobalt-org's), with Jekyll's
//! filters ([`filters`]) and tags ([`tags`]) added, fed with `site` and `page` ([`vars`]) and
//! the site's `_includes/`. One [`Engine`] is built per site, the first time one of its posts
//! has Liquid (the parser's filters and tags, `site.*`, parsed includes), and shared by every
//! read of its posts; runs without a Jekyll site never build one.
//!
//! Jekyll's Liquid forgives what the engine does not, so the differences are made up here:
//! - a variable or key that does not exist is `nil` ([`Lenient`]), not an error;
//! - a filter or tag the engine does not know — a site's `_plugins/*.rb` — is a pass-through
//!   stand-in ([`scan`]), named in a warning;
//! - a post the engine still cannot parse or render keeps its text, its Liquid markup
//!   removed ([`strip_markup`]), with a `liquid-error` warning; other posts are unaffected.

mod filters;
mod runtime;
mod scan;
mod tags;
mod vars;

use crate::site::{Page, Site};
use crate::warning::{Unknown, Warning, WarningKind};
use liquid_core::runtime::{
    PartialStore, Renderable, Runtime, RuntimeBuilder, StackFrame, Template,
};
use liquid_core::{Error, Language, Object, Result, Value};
use runtime::{first_line, Lenient, Notes, RELATIVE};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Evaluates the Liquid in `src` for `page`; `None` when there is none.
pub fn expand(src: &str, page: &Page, warnings: &mut Vec<Warning>) -> Option<String> {
    if !src.contains("{%") && !src.contains("{{") {
        return None;
    }
    let engine = page
        .site
        .cache
        .liquid
        .get_or_init(|| Engine::new(page.site));
    Some(engine.render(src, page, warnings))
}

/// A Jekyll site's Liquid: the parser's language, the `site` variable, its includes. Its data
/// is kept in the site's cache ([`crate::site::cache`], which says why it is defined there);
/// what it does is here.
pub use crate::site::cache::LiquidEngine as Engine;

/// The names a language knows, for [`scan::prepare`].
struct Names<'a>(&'a Language);

impl scan::Known for Names<'_> {
    fn filter(&self, name: &str) -> bool {
        self.0.filters.get(name).is_some()
    }
    fn tag(&self, name: &str) -> bool {
        let blocks = &self.0.blocks;
        self.0.tags.get(name).is_some()
            || blocks.get(name).is_some()
            || matches!(name, "else" | "elsif" | "when")
            || name
                .strip_prefix("end")
                .is_some_and(|b| blocks.get(b).is_some())
    }
}

impl Engine {
    pub fn new(site: &Site) -> Engine {
        let urls = Arc::new(filters::Urls {
            baseurl: site.baseurl.clone(),
            origin: site.origin.clone(),
        });
        let mut language = base_language(&urls);
        // Stand-ins for what the includes use that the engine lacks, so each include parses
        // with the site's one language.
        let includes = site.root.join("_includes");
        let mut found = scan::Prepared {
            text: String::new(),
            unknown_filters: Default::default(),
            unknown_tags: Default::default(),
        };
        for e in walkdir::WalkDir::new(&includes)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
        {
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                let p = scan::prepare(&text, &Names(&language));
                found.unknown_filters.extend(p.unknown_filters);
                found.unknown_tags.extend(p.unknown_tags);
            }
        }
        add_stand_ins(&mut language, &found);
        let mut globals = Object::new();
        let (site_value, broken_data) = vars::site_object(site);
        globals.insert("site".into(), site_value);
        Engine {
            language,
            site: globals,
            broken_data,
            includes,
            root: site.root.clone(),
            templates: Mutex::default(),
        }
    }

    /// The post's text with its Liquid evaluated.
    fn render(&self, src: &str, page: &Page, warnings: &mut Vec<Warning>) -> String {
        let prepared = scan::prepare(src, &Names(&self.language));
        let own;
        let language = if prepared.unknown_filters.is_empty() && prepared.unknown_tags.is_empty() {
            &self.language
        } else {
            own = with_stand_ins(&self.language, &prepared);
            &own
        };
        let template = match liquid_core::parser::parse(&prepared.text, language) {
            Ok(t) => Template::new(t),
            Err(e) => return fallback(src, &e, warnings),
        };
        let mut globals = Object::new();
        globals.insert(
            "page".into(),
            Value::Object(vars::page_object(page.site, page.path, page.meta)),
        );
        let post_dir = std::path::absolute(page.path)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        let partials = Partials {
            engine: self,
            post_dir,
            language,
        };
        let runtime = RuntimeBuilder::new()
            .set_globals(&globals)
            .set_partials(&partials)
            .build();
        let frame = Lenient(StackFrame::new(&runtime, &self.site));
        let out = match template.render(&frame) {
            Ok(out) => out,
            Err(e) => return fallback(src, &e, warnings),
        };
        let mut notes = std::mem::take(&mut *frame.registers().get_mut::<Notes>());
        let out = resolve_links(&out, page, warnings);
        self.broken_data_looked_up(&mut notes, warnings);
        notes.into_warnings(warnings);
        out
    }

    /// A `liquid-error` naming each broken `_data/` file the post looked up (its keys are then
    /// empty, not unknown variables).
    fn broken_data_looked_up(&self, notes: &mut Notes, warnings: &mut Vec<Warning>) {
        for broken in &self.broken_data {
            let key = format!("site.data.{}", broken.key);
            let n = notes.unknown_vars.take_within(&key);
            if n > 0 {
                let message = format!(
                    "data file `{}` could not be read ({}): left out, `{key}` is empty",
                    broken.file, broken.error
                );
                warnings.push(Warning::named(
                    WarningKind::LiquidError,
                    &broken.file,
                    1,
                    message,
                ));
            }
        }
    }

    /// The include `name` of `_includes/`, parsed once.
    fn include(&self, name: &str) -> std::result::Result<Arc<Template>, String> {
        if let Some(hit) = self
            .templates
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
        {
            return hit.clone();
        }
        let parsed = std::fs::read_to_string(self.includes.join(name))
            .map_err(|e| e.to_string())
            .and_then(|text| {
                let prepared = scan::prepare(&text, &Names(&self.language));
                liquid_core::parser::parse(&prepared.text, &self.language)
                    .map(|t| Arc::new(Template::new(t)))
                    .map_err(|e| first_line(&e))
            });
        self.templates
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_string(), parsed.clone());
        parsed
    }
}

/// The standard library, liquid-lib's Jekyll filters, and Jekyll's own filters and tags.
fn base_language(urls: &Arc<filters::Urls>) -> Language {
    use liquid_lib::{jekyll, stdlib};
    let mut l = Language::default();
    macro_rules! tags {
        ($($t:expr),*) => { $( { let t = $t; l.tags.register(liquid_core::parser::ParseTag::reflection(&t).tag().to_string(), Box::new(t)); } )* };
    }
    macro_rules! blocks {
        ($($b:expr),*) => { $( { let b = $b; l.blocks.register(liquid_core::parser::ParseBlock::reflection(&b).start_tag().to_string(), Box::new(b)); } )* };
    }
    macro_rules! filters {
        ($($f:expr),*) => { $( { let f = $f; l.filters.register(liquid_core::parser::ParseFilter::reflection(&f).name().to_string(), Box::new(f)); } )* };
    }
    tags!(
        stdlib::AssignTag,
        stdlib::BreakTag,
        stdlib::ContinueTag,
        stdlib::CycleTag,
        stdlib::IncrementTag,
        stdlib::DecrementTag,
        tags::IncludeTag { relative: false },
        tags::IncludeTag { relative: true },
        tags::LinkTag { name: "post_url" },
        tags::LinkTag { name: "link" },
        tags::GistTag
    );
    blocks!(
        stdlib::RawBlock,
        stdlib::IfBlock,
        stdlib::UnlessBlock,
        stdlib::IfChangedBlock,
        stdlib::ForBlock,
        stdlib::TableRowBlock,
        stdlib::CommentBlock,
        stdlib::CaptureBlock,
        stdlib::CaseBlock,
        tags::HighlightBlock
    );
    filters!(
        stdlib::Abs,
        stdlib::Append,
        stdlib::AtLeast,
        stdlib::AtMost,
        stdlib::Capitalize,
        stdlib::Ceil,
        stdlib::Compact,
        stdlib::Concat,
        stdlib::Date,
        stdlib::Default,
        stdlib::DividedBy,
        stdlib::Downcase,
        stdlib::Escape,
        stdlib::EscapeOnce,
        stdlib::First,
        stdlib::Floor,
        stdlib::Join,
        stdlib::Last,
        stdlib::Lstrip,
        stdlib::Map,
        stdlib::Minus,
        stdlib::Modulo,
        stdlib::NewlineToBr,
        stdlib::Plus,
        stdlib::Prepend,
        stdlib::Remove,
        stdlib::RemoveFirst,
        stdlib::Replace,
        stdlib::ReplaceFirst,
        stdlib::Reverse,
        stdlib::Round,
        stdlib::Rstrip,
        stdlib::Size,
        stdlib::Slice,
        stdlib::SortNatural,
        stdlib::Split,
        stdlib::Strip,
        stdlib::StripHtml,
        stdlib::StripNewlines,
        stdlib::Times,
        stdlib::Truncate,
        stdlib::TruncateWords,
        stdlib::Uniq,
        stdlib::Upcase,
        stdlib::UrlDecode,
        stdlib::UrlEncode,
        stdlib::Where,
        jekyll::Sort,
        jekyll::Push,
        jekyll::Pop,
        jekyll::Shift,
        jekyll::Unshift,
        jekyll::ArrayToSentenceString,
        jekyll::Slugify
    );
    filters::register(&mut l, urls);
    filters::make_forgiving(&mut l);
    l
}

fn add_stand_ins(language: &mut Language, found: &scan::Prepared) {
    for name in &found.unknown_filters {
        filters::stand_in(language, name);
    }
    for name in &found.unknown_tags {
        language
            .tags
            .register(name.clone(), Box::new(tags::StandIn { name: name.clone() }));
    }
}

fn with_stand_ins(base: &Language, found: &scan::Prepared) -> Language {
    let mut language = base.clone();
    add_stand_ins(&mut language, found);
    language
}

/// A post the engine could not take: its text with the Liquid markup removed, and a warning.
fn fallback(src: &str, e: &Error, warnings: &mut Vec<Warning>) -> String {
    let error = first_line(e);
    warnings.push(Warning::named(
        WarningKind::LiquidError,
        &error,
        1,
        format!("Liquid the engine could not evaluate ({error}): its tags removed, the text kept"),
    ));
    strip_markup(src)
}

/// `src` without `{% … %}` and `{{ … }}`, the text of `{% raw %}` kept.
fn strip_markup(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while let Some(rel) = src[i..].find('{') {
        let at = i + rel;
        let close = match src.as_bytes().get(at + 1) {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            _ => {
                out.push_str(&src[i..at + 1]);
                i = at + 1;
                continue;
            }
        };
        out.push_str(&src[i..at]);
        match src[at + 2..].find(close) {
            Some(k) => i = at + 2 + k + 2,
            None => {
                out.push_str(&src[at..]);
                return out;
            }
        }
    }
    out.push_str(&src[i..]);
    out
}

/// Resolves the `post_url`/`link` markers of [`tags::LinkTag`] in `text`: the target post's
/// file relative to this post (writers make it a chapter link), a page's URL on the site for
/// a `link` to a page, nothing (and a warning) for a missing post.
fn resolve_links(text: &str, page: &Page, warnings: &mut Vec<Warning>) -> String {
    if !text.contains(tags::LINK_OPEN) {
        return text.to_string();
    }
    let mut missing = Unknown::default();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(tags::LINK_OPEN) {
        out.push_str(&rest[..at]);
        let after = &rest[at + tags::LINK_OPEN.len_utf8()..];
        let Some(end) = after.find(tags::LINK_CLOSE) else {
            rest = after;
            continue;
        };
        let (tag, target) = after[..end]
            .split_once(tags::LINK_SEP)
            .unwrap_or(("", &after[..end]));
        let target = target.trim();
        let resolved = page.link_to_post(target);
        if resolved.is_some() || tag == "link" && !target.starts_with("_posts") {
            drop_site_prefix(&mut out, page.site);
        }
        match resolved {
            Some(url) => out.push_str(&url),
            None if tag == "link" && !target.starts_with("_posts") => {
                // A page, not a post: its URL on the site.
                let html = target
                    .rsplit_once('.')
                    .map_or(target.to_string(), |(p, _)| format!("{p}.html"));
                let path = format!("/{}", html.trim_start_matches('/'));
                let site = page.site;
                out.push_str(
                    &site
                        .absolute_url(&path)
                        .unwrap_or_else(|| site.relative_url(&path)),
                );
            }
            None => missing.add(target),
        }
        rest = &after[end + tags::LINK_CLOSE.len_utf8()..];
    }
    out.push_str(rest);
    missing.into_warnings(
        WarningKind::MissingPost,
        "link to a missing post",
        "not found in the site; the link is left out",
        warnings,
    );
    out
}

/// Removes the site's address written before a `post_url` or `link` from `out`: Jekyll 3
/// (GitHub Pages) gives these tags no `baseurl`, so sites write `{{ site.baseurl }}{% post_url
/// x %}`, `{{ site.baseurl }}/{% link x.md %}` or `{{ site.url }}{{ site.baseurl }}{% … %}`.
/// The tag becomes a link to the post's file (or a page's full URL), which the prefix would
/// turn into a URL that exists nowhere. Only a prefix that starts the URL is removed (after
/// `(`, a quote, `=`, `<`, a space or at the start), never text that merely ends alike.
fn drop_site_prefix(out: &mut String, site: &crate::site::Site) {
    let config = |key: &str| {
        site.config[key]
            .as_str()
            .map(|v| v.trim_end_matches('/').to_string())
            .filter(|v| !v.is_empty())
    };
    let mut rest = out.as_str();
    rest = rest.strip_suffix('/').unwrap_or(rest);
    for value in [config("baseurl"), config("url")].into_iter().flatten() {
        rest = rest.strip_suffix(value.as_str()).unwrap_or(rest);
        rest = rest.strip_suffix('/').unwrap_or(rest);
    }
    let starts_url = rest
        .chars()
        .next_back()
        .is_none_or(|c| matches!(c, '(' | '"' | '\'' | '=' | '<' | '[') || c.is_whitespace());
    if rest.len() < out.len() && starts_url {
        out.truncate(rest.len());
    }
}

/// The includes one post can reach: the site's `_includes/` (parsed once per site) and, for
/// `include_relative`, files beside the post.
struct Partials<'a> {
    engine: &'a Engine,
    post_dir: PathBuf,
    language: &'a Language,
}

impl std::fmt::Debug for Partials<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "includes of {}", self.engine.root.display())
    }
}

impl Partials<'_> {
    /// The file a name stands for, if it is one inside the site.
    fn file(&self, name: &str) -> Option<PathBuf> {
        let (base, rel) = match name.strip_prefix(RELATIVE) {
            Some(rel) => (&self.post_dir, rel),
            None => (&self.engine.includes, name),
        };
        let path = crate::relink::normalize(&base.join(rel.trim_start_matches('/')));
        (path.starts_with(&self.engine.root) && path.is_file()).then_some(path)
    }
}

impl PartialStore for Partials<'_> {
    fn contains(&self, name: &str) -> bool {
        self.file(name).is_some()
    }
    fn names(&self) -> Vec<&str> {
        Vec::new()
    }
    fn try_get(&self, name: &str) -> Option<Arc<dyn Renderable>> {
        self.get(name).ok()
    }
    fn get(&self, name: &str) -> Result<Arc<dyn Renderable>> {
        if name.starts_with(RELATIVE) {
            let path = self
                .file(name)
                .ok_or_else(|| Error::with_msg("no such file beside the post"))?;
            let text =
                std::fs::read_to_string(&path).map_err(|e| Error::with_msg(e.to_string()))?;
            let prepared = scan::prepare(&text, &Names(self.language));
            let own = with_stand_ins(self.language, &prepared);
            let parsed = liquid_core::parser::parse(&prepared.text, &own)?;
            return Ok(Arc::new(Template::new(parsed)));
        }
        match self.engine.include(name) {
            Ok(t) => Ok(t),
            Err(e) => Err(Error::with_msg(e)),
        }
    }
}

#[cfg(test)]
mod tests;
