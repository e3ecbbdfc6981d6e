//! What every writer renders: a [`Book`] (a group of posts, or one post for the note writers),
//! and the [`BookStats`] it reports back.

use super::sections::SectionBy;
use crate::images::Asset;
use crate::locale::Locale;
use crate::model::{Document, PostPath};
use crate::warning::Warning;
use std::sync::{Arc, OnceLock};

/// A book to write: its metadata and its posts in reading order.
pub struct Book<'a> {
    /// Stable identity of the group (e.g. `month:2023-05`); the book UUID derives from it, so a
    /// rebuilt book replaces the old one in reading apps instead of appearing twice.
    pub key: String,
    pub title: String,
    /// The book's authors (`dc:creator`): `--author`, else the most prolific posts' authors.
    /// Every other author of a post is credited as a contributor (the EPUB writer's `Credits`).
    pub authors: Vec<String>,
    /// BCP 47 language tag.
    pub lang: String,
    pub posts: Vec<&'a Document>,
    /// Each post's own language, told once for the book's language and its chapters'.
    pub post_langs: PostLangs,
    /// The cover readers show in their library.
    pub cover: Cover,
    /// The series this book belongs to and its position (monthly books of one archive).
    pub series: Option<(String, usize)>,
    /// How the book is divided into sections, for its section index pages.
    pub sections: SectionBy,
}

impl Book<'_> {
    /// The style of the book's dates and words: its language's.
    pub fn locale(&self) -> Locale {
        Locale::of(&self.lang)
    }

    /// The own language of the book's post number `i` (from 0, in `posts`' order).
    pub fn post_lang(&self, i: usize) -> Option<&str> {
        self.post_langs.of(i, self.posts[i])
    }
}

/// The language of each post of a book, by its place in the book: its front matter's, else
/// detected from its opening text ([`crate::lang::of_document`]) when first asked for.
/// Detection reads up to 2,000 bytes of text through whatlang's trigram tables, so a book
/// asks once per post although its language (the posts' majority), each chapter and the
/// table of contents all need it: asked twice, it was 6–7% of an EPUB run's CPU. Built
/// before its [`Book`] (the book's language is the posts' majority); afterwards, ask
/// [`Book::post_lang`], which cannot pair a post with another's place.
pub struct PostLangs(Vec<OnceLock<Option<String>>>);

impl PostLangs {
    /// Nothing told yet, for a book of `count` posts.
    pub fn new(count: usize) -> PostLangs {
        PostLangs((0..count).map(|_| OnceLock::new()).collect())
    }

    /// The language of `post`, the book's post number `i` (from 0).
    pub fn of(&self, i: usize, post: &Document) -> Option<&str> {
        self.0[i]
            .get_or_init(|| crate::lang::of_document(post))
            .as_deref()
    }
}

/// Where a book's cover comes from.
#[derive(Debug, Clone)]
pub enum Cover {
    /// A picture: `--cover FILE`, or the one `--auto-cover` found in the book.
    Picture(Arc<Asset>),
    /// A cover drawn from the book's metadata (`write::cover`): title, dates, authors, post count.
    Generated,
    /// No cover (`--no-cover`).
    None,
}

/// What happened while building a book, for the report.
#[derive(Debug, Default)]
pub struct BookStats {
    pub images_embedded: usize,
    pub images_linked: usize,
    /// Pictures that could not be embedded (each also has a warning).
    pub images_failed: usize,
    /// Pictures of the output's posts without alt text ([`Document::pictures_without_alt`]).
    pub pictures_without_alt: usize,
    /// Warnings with the post they concern.
    pub warnings: Vec<(PostPath, Warning)>,
    /// Some picture could not be embedded: the output is made again on the next run, which
    /// retries the download, instead of being taken as up to date.
    pub incomplete: bool,
}

impl<'a> Book<'a> {
    /// The output of a format that writes one file per post: just the post.
    pub fn of_post(post: &'a Document) -> Book<'a> {
        Book {
            key: String::new(),
            title: post.display_title(),
            authors: post.meta.authors.clone(),
            lang: post.meta.lang.clone().unwrap_or_default(),
            posts: vec![post],
            post_langs: PostLangs::new(1),
            cover: Cover::None,
            series: None,
            sections: SectionBy::Days,
        }
    }

    /// The one post of a note (see [`Book::of_post`]).
    pub fn post(&self) -> anyhow::Result<&'a Document> {
        match self.posts.as_slice() {
            [post] => Ok(post),
            posts => anyhow::bail!("a note holds one post, not {}", posts.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Block, Inline, Meta};

    fn post(lang: Option<&str>, text: &str) -> Document {
        Document {
            meta: Meta {
                lang: lang.map(str::to_string),
                ..Meta::default()
            },
            blocks: vec![Block::Paragraph(vec![Inline::Text(text.into())])],
        }
    }

    #[test]
    fn a_post_language_is_its_front_matter_else_its_text() {
        let english = "The quick brown fox jumps over the lazy dog while the cat sleeps.";
        let posts = [
            post(Some("fr"), english),
            post(None, english),
            post(
                None,
                "中国国家主席习近平星期三在北京人民大会堂会见访华的俄罗斯总理米舒斯京。",
            ),
        ];
        let langs = PostLangs::new(posts.len());
        let told: Vec<_> = (posts.iter().enumerate())
            .map(|(i, p)| langs.of(i, p).map(str::to_string))
            .collect();
        assert_eq!(
            told,
            [Some("fr".into()), Some("en".into()), Some("zh".into())]
        );
        // Told once: asked again with another post in its place, the first answer stands.
        assert_eq!(langs.of(1, &posts[2]), Some("en"));
    }
}
