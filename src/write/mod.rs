//! Writers: render the document model into an output format.
//!
//! Writers only ever see [`crate::model`] values. Per-post formats implement [`PostWriter`];
//! EPUB works on whole groups of posts ([`epub::EpubWriter`]) because one book holds many.

pub mod cover;
pub mod epub;
pub mod highlight;
pub mod markdown;
pub mod package;
pub mod text;
pub mod xhtml;

use crate::model::Document;

/// A writer producing one output file per post.
pub trait PostWriter: Sync {
    /// The output file extension, without the dot.
    fn extension(&self) -> &'static str;
    /// Renders the whole output file.
    fn render(&self, doc: &Document) -> String;
}
