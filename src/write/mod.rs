//! Writers: render the document model into an output format.
//!
//! Writers only ever see [`crate::model`] values. Every format implements [`Writer`]: it renders
//! one planned output — a [`Book`] of posts in reading order — taking pictures from an
//! [`AssetSource`]. A format whose outputs hold one post each ([`Unit::Post`]: Markdown, text)
//! gets a book of that post; EPUB ([`Unit::Book`]) a group of posts.

pub mod accessibility;
mod book;
pub mod cover;
pub mod digest;
pub mod epub;
mod footnotes;
pub mod gate;
pub mod grid;
pub mod highlight;
pub mod markdown;
pub mod mathml;
mod ocf;
pub mod package;
pub mod sections;
mod tex_compat;
pub mod text;
pub mod xhtml;

// The output every writer renders.
pub use book::{Book, BookStats, Cover, PostLangs};
// How every writer numbers footnotes.
use footnotes::Footnotes;

use crate::images::AssetSource;

/// What one output file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// One post: a note beside the others.
    Post,
    /// A group of posts: a book.
    Book,
}

/// A writer: renders one planned output from its posts.
pub trait Writer: Sync {
    /// The format's name in messages (`EPUB`).
    fn name(&self) -> &'static str;
    /// The output file extension, without the dot.
    fn extension(&self) -> &'static str;
    /// What one output holds.
    fn unit(&self) -> Unit;
    /// Renders the whole output file: `book`'s posts, their pictures from `assets`.
    fn render_output(
        &self,
        book: &Book,
        assets: &dyn AssetSource,
    ) -> anyhow::Result<(Vec<u8>, BookStats)>;
}

/// A writer of one note per post (Markdown, text): it renders a post to text, and the
/// [`Writer`] around it is this one impl, shared.
pub trait NoteWriter: Sync {
    /// The format's name in messages and warnings (`Markdown`).
    const NAME: &'static str;
    /// The file extension, without the dot.
    const EXTENSION: &'static str;
    /// Renders the whole note.
    fn render(&self, doc: &crate::model::Document) -> String;
}

impl<W: NoteWriter> Writer for W {
    fn name(&self) -> &'static str {
        W::NAME
    }

    fn extension(&self) -> &'static str {
        W::EXTENSION
    }

    fn unit(&self) -> Unit {
        Unit::Post
    }

    /// The note, and what it reports about its one post: how its tables were laid out and its
    /// pictures without alt text.
    fn render_output(
        &self,
        book: &Book,
        _: &dyn AssetSource,
    ) -> anyhow::Result<(Vec<u8>, BookStats)> {
        let post = book.post()?;
        let stats = BookStats {
            warnings: grid::warnings(post, W::NAME)
                .into_iter()
                .map(|w| (post.meta.path.clone(), w))
                .collect(),
            pictures_without_alt: post.pictures_without_alt(),
            ..BookStats::default()
        };
        Ok((self.render(post).into_bytes(), stats))
    }
}
