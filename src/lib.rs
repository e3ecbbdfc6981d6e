//! postbook: folders of Jekyll/Hugo blog and news posts → EPUB collections, clean Markdown and
//! plain text.
//!
//! The shape follows pandoc: [`read`] turns each post into the [`model`], [`write`] renders the
//! model, and the two meet nowhere else. [`convert`] is the pipeline that connects them.

pub mod byte_set;
pub mod catalog;
pub mod chrome_kind;
pub mod cjk;
pub mod cli;
pub mod config;
pub mod convert;
pub mod diag;
#[doc(hidden)]
pub mod fuzzing;
pub mod group;
pub mod images;
pub mod incremental;
pub mod inline;
pub mod input;
pub mod inspect;
pub mod interrupt;
pub mod isolate;
pub mod jekyll_collections;
pub mod lang;
pub mod locale;
pub mod memory;
pub mod model;
pub mod options;
pub mod output;
pub mod position;
pub mod read;
pub mod relink;
pub mod site;
pub mod templates;
pub mod warning;
pub mod web_url;
pub mod write;
pub mod xml;
