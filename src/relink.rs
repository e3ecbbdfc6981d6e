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

fn has_scheme(url: &str) -> bool {
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
pub fn has_relative_references(doc: &Document) -> bool {
    let relative = |s: &str| !s.starts_with("//") && !has_scheme(s) && !s.starts_with('#');
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

/// A copy of `doc` for the note at `note` (absolute): links to other posts point at their notes
/// (`note_of` gives a post's note), and local pictures (`pictures`, when they are not saved
/// beside the notes) at their files, both relative to the note's folder.
pub fn for_note(
    doc: &Document,
    note: &Path,
    note_of: &dyn Fn(&Path) -> Option<PathBuf>,
    pictures: Option<&Path>,
) -> Document {
    let mut out = doc.clone();
    let note_dir = note.parent().map(Path::to_path_buf).unwrap_or_default();
    let post = doc.meta.path.clone();
    let mut on_image = |img: &mut Image| {
        if let Some(root) = pictures {
            if let Some(file) = local_picture(&post, &img.src, root) {
                img.src = path_to_url(&relative_path(&note_dir, &file));
            }
        }
    };
    let mut on_link = |link: &mut Link| {
        if let Some(target) = post_target(&post, &link.url) {
            if let Some(target_note) = note_of(&target) {
                link.url = path_to_url(&relative_path(&note_dir, &target_note));
            }
        }
    };
    for_each_mut(&mut out.blocks, &mut on_image, &mut on_link);
    out
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
pub fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component> = from.components().collect();
    let to_parts: Vec<Component> = to.components().collect();
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
