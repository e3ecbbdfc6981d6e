//! Writing outputs safely: atomic replacement and file names that stay inside the output folder.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a temporary file in the same folder is written, synced
/// and renamed over the target, so readers never see a half-written book or note, and an
/// interrupted run leaves the old file intact.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".postbook-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Makes a single path component from arbitrary text (titles, slugs, categories).
///
/// Keeps CJK and other letters; replaces path separators, characters Windows forbids and control
/// characters; trims dots and spaces (so `..` can never appear); avoids reserved device names;
/// caps the length at 120 bytes on a character boundary (file systems allow 255, and a suffix may
/// still be added).
pub fn safe_file_stem(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let bad = matches!(
            c,
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' | '#' | '%'
        ) || c.is_control();
        let c = if bad || c.is_whitespace() {
            if bad {
                '-'
            } else {
                ' '
            }
        } else {
            c
        };
        if (c == '-' && out.ends_with('-')) || (c == ' ' && (out.ends_with(' ') || out.is_empty()))
        {
            continue;
        }
        out.push(c);
    }
    let mut out = out
        .trim_matches(|c: char| c == '.' || c == ' ' || c == '-')
        .to_string();
    if out.len() > 120 {
        let mut cut = 120;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out = out.trim_end_matches(['.', ' ', '-']).to_string();
    }
    let upper = out.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.len() == 4
            && upper.as_bytes()[3].is_ascii_digit());
    if reserved {
        out.insert(0, '_');
    }
    if out.is_empty() {
        "untitled".into()
    } else {
        out
    }
}

/// Hands out unique output paths: a second post with the same name gets `-2`, `-3`, … instead
/// of overwriting the first.
#[derive(Default)]
pub struct NameAllocator {
    taken: std::collections::HashSet<PathBuf>,
}

impl NameAllocator {
    pub fn allocate(&mut self, dir: &Path, stem: &str, ext: &str) -> PathBuf {
        let mut n = 1;
        loop {
            let name = if n == 1 {
                format!("{stem}.{ext}")
            } else {
                format!("{stem}-{n}.{ext}")
            };
            let path = dir.join(name);
            // Case-insensitive file systems (macOS, Windows) would merge names differing in case.
            let folded = PathBuf::from(path.to_string_lossy().to_lowercase());
            if self.taken.insert(folded) {
                return path;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_safe() {
        assert_eq!(safe_file_stem("../../etc/passwd"), "etc-passwd");
        assert_eq!(safe_file_stem("a: b | c?"), "a- b - c");
        assert_eq!(
            safe_file_stem("习近平会见俄罗斯总理米舒斯京"),
            "习近平会见俄罗斯总理米舒斯京"
        );
        assert_eq!(safe_file_stem("CON"), "_CON");
        assert_eq!(safe_file_stem("\0\n"), "untitled");
        let long = "长".repeat(100);
        let s = safe_file_stem(&long);
        assert!(s.len() <= 120 && s.chars().all(|c| c == '长'));
    }

    #[test]
    fn collisions_get_suffixes() {
        let mut a = NameAllocator::default();
        let d = Path::new("out");
        assert_eq!(a.allocate(d, "x", "md"), d.join("x.md"));
        assert_eq!(a.allocate(d, "X", "md"), d.join("X-2.md"));
        assert_eq!(a.allocate(d, "x", "md"), d.join("x-3.md"));
    }

    #[test]
    fn atomic_write_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/f.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(p.parent().unwrap()).unwrap().count(), 1);
    }
}
