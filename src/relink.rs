//! Links between posts, and local pictures, pointed at where they are in the outputs.
//!
//! The reader writes a link to another post of the site (`{% post_url %}`, `{{< ref >}}`,
//! `../other-post/`) as the path from the post's folder to the other post's file. A book turns
//! it into a link to that post's chapter; a note into the relative path to that post's note.
//! Notes also get their local pictures' paths from the note's own folder, so they stay
//! reachable wherever the note is written.

use crate::model::{walk, walk_mut, Block, Document, Image, Inline, Link, Node, VisitMut};
use std::path::{Component, Path, PathBuf};

/// The post file a link of the post at `post` points at (absolute, normalized), when the link is
/// a relative path to an existing post file (`2019-01-01-name.md`, `../other/index.md#part`).
/// Scraped posts' relative links to pages of their site (`story.html`) are not files here.
pub fn post_target(post: &Path, url: &str) -> Option<PathBuf> {
    let url = url.trim();
    if url.is_empty() || url.starts_with(['#', '/', '?']) || has_scheme(url) {
        return None;
    }
    let path = url.split(['#', '?']).next()?;
    let path = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    let target = Path::new(path.as_ref());
    crate::input::BodyFormat::for_path(target)?;
    let dir = std::path::absolute(post).ok()?.parent()?.to_path_buf();
    let file = normalize(&dir.join(target));
    file.is_file().then_some(file)
}

/// The local file a picture `src` of the post at `post` names, if it exists (relative to the
/// post's folder, or `/root-absolute` under `root`).
pub fn local_picture(post: &Path, src: &str, root: &Path) -> Option<PathBuf> {
    let src = src.trim();
    if src.is_empty() || src.starts_with("//") || has_scheme(src) {
        return None;
    }
    let path = src.split(['#', '?']).next()?;
    let path = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    let file = match path.strip_prefix('/') {
        Some(rest) => std::path::absolute(root).ok()?.join(rest),
        None => std::path::absolute(post)
            .ok()?
            .parent()?
            .join(path.as_ref()),
    };
    let file = normalize(&file);
    file.is_file().then_some(file)
}

/// Whether `url` starts with a scheme (`https:`, `mailto:`, `data:`).
pub fn has_scheme(url: &str) -> bool {
    url.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// `a/b/../c` → `a/c`, without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c.as_os_str()),
        }
    }
    out
}

/// Whether `doc` has a link or picture [`for_note`] may change: a relative reference.
fn has_relative_references(doc: &Document) -> bool {
    let relative = |s: &str| !has_scheme(s) && !s.starts_with('#');
    let mut found = false;
    walk(&doc.blocks, &mut |node| {
        found |= match node {
            Node::Block(Block::Figure(img)) | Node::Inline(Inline::Image(img)) => {
                relative(&img.src)
            }
            Node::Inline(Inline::Link(link)) => relative(&link.url),
            _ => false,
        };
        !found
    });
    found
}

/// The path, relative to the note, of a picture saved beside the notes, if it was saved.
pub type SavedPicture<'a> = &'a dyn Fn(&Image) -> Option<String>;

/// Where a note is written and where what it references is, for [`for_note`].
pub struct NoteTargets<'a> {
    /// The note's file (absolute).
    pub note: &'a Path,
    /// The note of another post, by the post's file.
    pub note_of: &'a dyn Fn(&Path) -> Option<PathBuf>,
    /// Where local pictures are, when they are linked where they are (not saved beside the
    /// notes).
    pub pictures: Option<&'a Path>,
    /// The root `/absolute` paths are under, when links to local files that are not posts (a
    /// PDF in a post's asset folder) are pointed at the files.
    pub files: Option<&'a Path>,
    /// Where saved pictures are (`None` when pictures are not saved beside the notes).
    pub saved: Option<SavedPicture<'a>>,
}

/// A copy of `doc` for the note at `targets.note`, each reference pointed at where it is, the
/// first that applies:
/// - a picture saved beside the notes, at its copy; a local picture, at its file; a link to
///   another post, at that post's note; a link to another local file, at the file — each
///   relative to the note's folder;
/// - a reference relative to the post's web page (`/comment/reply/1`, `story.html`,
///   `//cdn.test/a.png`), when the post names that page (`from:`, `source:`), at the page's
///   site, as the book does: a scraped post's site-relative links lead nowhere in a note folder.
///
/// `None` when nothing changes.
pub fn for_note(doc: &Document, targets: &NoteTargets) -> Option<Document> {
    // Most notes of a large run have nothing to change: they are not copied.
    if targets.saved.is_none() && !has_relative_references(doc) {
        return None;
    }
    let web = doc
        .meta
        .source
        .as_deref()
        .and_then(|s| url::Url::parse(s).ok());
    let mut out = doc.clone();
    let note_dir = targets
        .note
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let post = doc.meta.path.clone();
    let changed = std::cell::Cell::new(false);
    let mut on_image = |img: &mut Image| {
        let local = || {
            let file = local_picture(&post, &img.src, targets.pictures?)?;
            Some(path_to_url(&relative_path(&note_dir, &file)))
        };
        let found = targets
            .saved
            .and_then(|saved| saved(img))
            .or_else(local)
            .or_else(|| on_the_web(&img.src, web.as_ref()));
        if let Some(src) = found {
            img.src = src;
            changed.set(true);
        }
    };
    let mut on_link = |link: &mut Link| {
        let found = match post_target(&post, &link.url) {
            // The place in the other post (`#part`) is the same place in its note.
            // A post not among the notes: its web page, when the site gives one.
            Some(target) => (targets.note_of)(&target)
                .map(|note| {
                    let fragment = link.url.find('#').map_or("", |i| &link.url[i..]);
                    path_to_url(&relative_path(&note_dir, &note)) + fragment
                })
                .or_else(|| link.web.clone()),
            // Any other local file the link names, where it is.
            None => targets
                .files
                .and_then(|root| local_picture(&post, &link.url, root))
                .map(|file| {
                    let fragment = link.url.find('#').map_or("", |i| &link.url[i..]);
                    path_to_url(&relative_path(&note_dir, &file)) + fragment
                })
                .or_else(|| on_the_web(&link.url, web.as_ref())),
        };
        if let Some(url) = found {
            link.url = url;
            changed.set(true);
        }
    };
    for_each_mut(&mut out.blocks, &mut on_image, &mut on_link);
    changed.get().then_some(out)
}

/// `href` made absolute against `page`, the web page it was written on, when it is relative
/// to it and leads to a web address; `None` for absolute URLs, fragments (`#part`, a place in
/// the note itself) and what does not resolve.
pub fn on_the_web(href: &str, page: Option<&url::Url>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') || has_scheme(href) {
        return None;
    }
    let url = page?.join(href).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// Calls `on_image` on every picture and `on_link` on every link of `blocks`, to change them
/// (through [`walk_mut`], so footnotes and any new node kind are covered).
pub fn for_each_mut(
    blocks: &mut Vec<Block>,
    on_image: &mut dyn FnMut(&mut Image),
    on_link: &mut dyn FnMut(&mut Link),
) {
    struct Visit<'f> {
        on_image: &'f mut dyn FnMut(&mut Image),
        on_link: &'f mut dyn FnMut(&mut Link),
    }
    impl VisitMut for Visit<'_> {
        fn blocks(&mut self, blocks: &mut Vec<Block>) {
            for b in blocks {
                if let Block::Figure(img) = b {
                    (self.on_image)(img)
                }
            }
        }
        fn inlines(&mut self, inlines: &mut Vec<Inline>) {
            for i in inlines {
                match i {
                    Inline::Image(img) => (self.on_image)(img),
                    Inline::Link(link) => (self.on_link)(link),
                    _ => {}
                }
            }
        }
    }
    walk_mut(blocks, &mut Visit { on_image, on_link })
}

/// The path from folder `from` to `to`, both absolute, lexically (`../../static/a.png`).
/// `.` and `..` inside either are resolved first: `-o ../notes` run from a site makes an
/// output folder `/home/me/site/../notes`, from which a picture in the site is one `..` away,
/// not two.
pub fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from = resolved_components(from);
    let to_parts = resolved_components(to);
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to_parts[common..] {
        out.push(c.as_os_str());
    }
    out
}

/// The components of an absolute path with `.` dropped and each `..` taking off the one
/// before it (never the root).
fn resolved_components(path: &Path) -> Vec<Component<'_>> {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.last(), Some(Component::Normal(_))) {
                    out.pop();
                } else if out.is_empty() {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// A path as a URL path: `/` separators, each segment percent-encoded where Markdown or URLs
/// need it (spaces, parentheses, non-ASCII stays readable as UTF-8 percent-escapes).
pub fn path_to_url(path: &Path) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'(')
        .add(b')')
        .add(b'[')
        .add(b']')
        .add(b'`');
    path.components()
        .map(|c| {
            percent_encoding::utf8_percent_encode(&c.as_os_str().to_string_lossy(), SEGMENT)
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_targets_are_relative_post_files() {
        let d = tempfile::tempdir().unwrap();
        let posts = d.path().join("_posts");
        std::fs::create_dir_all(d.path().join("content/a b")).unwrap();
        std::fs::create_dir_all(&posts).unwrap();
        std::fs::write(posts.join("2019-01-01-b.md"), "x").unwrap();
        std::fs::write(d.path().join("content/a b/index.md"), "x").unwrap();
        let post = posts.join("2020-01-01-a.md");
        assert_eq!(
            post_target(&post, "2019-01-01-b.md#x"),
            Some(posts.join("2019-01-01-b.md"))
        );
        assert_eq!(
            post_target(&post, "../content/a%20b/index.md"),
            Some(d.path().join("content/a b/index.md"))
        );
        for not in [
            "https://x.test/a.md",
            "/a.md",
            "#a",
            "pic.png",
            "mailto:a@b.md",
            "story.html",
        ] {
            assert_eq!(post_target(&post, not), None, "{not}");
        }
    }
}
