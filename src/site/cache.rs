//! What reading a site's posts builds once per site and run, the first time a post needs it:
//! a Jekyll site's Liquid engine and the parsed `.bib` files of its Distill citations.
//!
//! The types are defined here, beside [`Site`](super::Site) which owns them, and hold only the
//! data; what they do is the reader's ([`crate::read::liquid`], [`crate::read::distill`]),
//! which builds and uses them. They cannot live in the reader: the site would then name a
//! reader module while every reader names the site, a cycle `tests/module_graph.rs` forbids.
//! So the cache is typed (no `dyn Any`, no downcast) and the site still knows no reader.
//!
//! A cache belongs to one `Site` value, which lives for one run: nothing is shared between
//! runs (see `tests/global_state.rs`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// A site's reading cache ([`super::Site::cache`]).
#[derive(Debug, Default)]
pub struct SiteCache {
    /// A Jekyll site's Liquid engine, built by `read::liquid` for the first post with Liquid.
    pub liquid: OnceLock<LiquidEngine>,
    /// Each `.bib` file of the site a Distill citation needed, parsed once by `read::distill`
    /// (the parser's message when it cannot be read or parsed, warned about in every post that
    /// uses it).
    pub bib_files: Mutex<HashMap<PathBuf, BibFile>>,
    /// A Jekyll site's authors' names by key, from `_data/authors.yml`
    /// ([`super::Site::author_names`]).
    pub authors: OnceLock<HashMap<String, String>>,
    /// What each Hugo section folder's `_index.md` cascades about rendering (`Some(true)`:
    /// never rendered), read once by `read::hugo_build` for all the posts below it.
    pub render_cascades: Mutex<HashMap<PathBuf, Option<bool>>>,
}

/// A parsed `.bib` file, or why it could not be read or parsed.
pub type BibFile = Arc<Result<biblatex::Bibliography, String>>;

/// A Jekyll site's Liquid: the parser's language, the `site` variable, its includes. Built and
/// run by `read::liquid` (`LiquidEngine::new`, `render`).
pub struct LiquidEngine {
    pub(crate) language: liquid_core::Language,
    /// `{ "site": … }`, built once.
    pub(crate) site: liquid_core::Object,
    pub(crate) includes: PathBuf,
    pub(crate) root: PathBuf,
    /// The `_data/` files left out of `site.data`, for a warning in the posts that look them up.
    pub(crate) broken_data: Vec<BrokenData>,
    /// Parsed includes by name (an error's text when one cannot be parsed).
    pub(crate) templates: Mutex<IncludeCache>,
}

/// Parsed includes by name.
pub(crate) type IncludeCache = HashMap<String, Result<Arc<liquid_core::runtime::Template>, String>>;

impl std::fmt::Debug for LiquidEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Liquid engine for {}", self.root.display())
    }
}

/// A `_data/` file that could not be read: Jekyll stops at it, postbook leaves it out of
/// `site.data` and says so in the posts that look it up.
#[derive(Debug, Clone, PartialEq)]
pub struct BrokenData {
    /// Where it would be in `site.data` (`broken`, `folder.file`).
    pub key: String,
    /// The file, relative to the site (`_data/broken.yml`).
    pub file: String,
    /// The parser's message, with the line where it gives one.
    pub error: String,
}
