//! Image resources: where the picture bytes for an image reference come from.
//!
//! Writers that embed pictures (EPUB) ask an [`AssetSource`] for each image of the model; the
//! model itself only holds references. This is the seam for remote downloading: today's
//! [`LocalImages`] resolves files next to the posts, and a downloading source can implement the
//! same trait without any writer changing.

use crate::model::Document;
use std::path::{Component, Path, PathBuf};

/// Picture bytes ready to embed, with their detected type.
#[derive(Debug, Clone)]
pub struct Asset {
    pub bytes: Vec<u8>,
    /// A media type every EPUB 3 reader must support (`image/jpeg`, `png`, `gif`, `svg+xml`).
    pub media_type: &'static str,
    pub extension: &'static str,
}

/// What happened when an image reference was looked up.
#[derive(Debug, Clone)]
pub enum Lookup {
    Found(Asset),
    /// A remote or `data:` reference this source does not fetch: the writer keeps it as a link.
    NotLocal,
    /// A local reference that could not be used; the reason is reported as a warning.
    Failed(String),
}

/// Provides the bytes of the images a document references.
pub trait AssetSource: Sync {
    fn lookup(&self, doc: &Document, src: &str) -> Lookup;
}

/// Resolves relative image paths against the post's folder, and root-absolute ones (`/img/a.png`)
/// against the site root. Paths that leave the root are refused: a post must not be able to
/// pull arbitrary files (`../../etc/passwd`) into a book.
pub struct LocalImages {
    pub root: PathBuf,
}

impl AssetSource for LocalImages {
    fn lookup(&self, doc: &Document, src: &str) -> Lookup {
        if is_remote(src) {
            return Lookup::NotLocal;
        }
        let rel = src.split(['?', '#']).next().unwrap_or(src);
        let rel = percent_encoding::percent_decode_str(rel).decode_utf8_lossy();
        let base = match rel.strip_prefix('/') {
            Some(_) => self.root.clone(),
            None => doc
                .meta
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
        };
        let Some(path) = join_within(&base, rel.trim_start_matches('/'), &self.root) else {
            return Lookup::Failed(format!(
                "image path {src} leaves the root folder {}; not embedded",
                self.root.display()
            ));
        };
        match std::fs::read(&path) {
            Ok(bytes) => match sniff(&bytes, &path) {
                Some((media_type, extension)) => Lookup::Found(Asset {
                    bytes,
                    media_type,
                    extension,
                }),
                None => Lookup::Failed(format!(
                    "image {src} is not a JPEG, PNG, GIF or SVG; not embedded"
                )),
            },
            Err(e) => Lookup::Failed(format!("image {src} not found ({}): {e}", path.display())),
        }
    }
}

/// Whether a reference points outside the file system (URL schemes, `data:`).
pub fn is_remote(src: &str) -> bool {
    let lower = src.trim_start().to_ascii_lowercase();
    lower.starts_with("data:")
        || lower.starts_with("//")
        || lower.split_once(':').is_some_and(|(scheme, _)| {
            scheme.len() > 1
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        })
}

/// Joins `rel` to `base` lexically and checks the result stays under `root`.
fn join_within(base: &Path, rel: &str, root: &Path) -> Option<PathBuf> {
    let root = std::path::absolute(root).ok()?;
    let mut path = std::path::absolute(base).ok()?;
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(p) => path.push(p),
            Component::ParentDir => {
                path.pop();
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    let real = path.canonicalize().unwrap_or(path.clone());
    let real_root = root.canonicalize().unwrap_or(root);
    real.starts_with(&real_root).then_some(path)
}

/// The EPUB core media type of an image, detected from its bytes (SVG from its text).
pub fn sniff(bytes: &[u8], path: &Path) -> Option<(&'static str, &'static str)> {
    match image::guess_format(bytes) {
        Ok(image::ImageFormat::Jpeg) => Some(("image/jpeg", "jpg")),
        Ok(image::ImageFormat::Png) => Some(("image/png", "png")),
        Ok(image::ImageFormat::Gif) => Some(("image/gif", "gif")),
        _ => {
            let is_svg_name = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
            let head =
                String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
            (is_svg_name && head.contains("<svg")).then_some(("image/svg+xml", "svg"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Meta;

    #[test]
    fn remote_detection() {
        assert!(is_remote("https://a.test/x.png"));
        assert!(is_remote("data:image/png;base64,xx"));
        assert!(is_remote("//cdn.test/x.png"));
        assert!(!is_remote("images/x.png"));
        assert!(!is_remote("/images/x.png"));
    }

    #[test]
    fn refuses_paths_leaving_the_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("posts")).unwrap();
        std::fs::write(dir.path().join("secret.png"), b"\x89PNG\r\n\x1a\n").unwrap();
        let root = dir.path().join("posts");
        let doc = Document {
            meta: Meta {
                path: root.join("p.md"),
                ..Meta::default()
            },
            blocks: vec![],
        };
        let src = LocalImages { root: root.clone() };
        assert!(
            matches!(src.lookup(&doc, "../secret.png"), Lookup::Failed(m) if m.contains("leaves the root"))
        );
        std::fs::write(root.join("ok.png"), b"\x89PNG\r\n\x1a\n0000").unwrap();
        assert!(
            matches!(src.lookup(&doc, "ok.png"), Lookup::Found(a) if a.media_type == "image/png")
        );
        assert!(matches!(src.lookup(&doc, "missing.png"), Lookup::Failed(_)));
        assert!(matches!(
            src.lookup(&doc, "https://x.test/a.png"),
            Lookup::NotLocal
        ));
    }
}
