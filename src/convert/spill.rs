//! Spill: the posts a streaming run has read, kept in a temporary file in the output folder
//! until their outputs are rendered, so that each post is read (parsed, cleaned of chrome,
//! its Liquid or shortcodes run) once.
//!
//! Why: a streaming run (more than [`crate::options::STREAM_ABOVE`] posts, `--low-memory`, a
//! re-run) keeps only the posts' metadata in memory while it plans. Reading each post again to
//! render it cost as much as the first reading: 1.3–2× the CPU per post of a run held in
//! memory (issue 31). Decoding a post's model from this file costs a few percent of reading
//! it, and reads the post as it was when the run read it, not as it may have been edited
//! meanwhile.
//!
//! The file is anonymous where the system allows (`O_TMPFILE` on Linux; elsewhere a named file
//! removed at once): it has no name in the output folder and is gone when the run ends, even
//! when the run is killed. It holds about half the inputs' size at most (the model's text,
//! without the source's markup). A spill that cannot be created or written is given up, and
//! posts are read again as before: it is an optimization, never a condition.
//!
//! A record is the post's metadata as JSON (the form the metadata cache already keeps; it
//! holds untyped front matter values, which need a self-describing format) and its body, the
//! title markup and whether it came from a web page, as bincode.

use crate::model::{Block, Document, Inline, Meta, PostPath};
use crate::read::ReadPost;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::{Mutex, PoisonError};

/// One post as spilled, borrowed for writing.
#[derive(serde::Serialize)]
struct RecordOut<'a> {
    meta: String,
    title_markup: &'a [Inline],
    blocks: &'a [Block],
    from_web_page: bool,
}

/// One post as spilled, owned when read back.
#[derive(serde::Deserialize)]
struct RecordIn {
    meta: String,
    title_markup: Vec<Inline>,
    blocks: Vec<Block>,
    from_web_page: bool,
}

/// A post encoded for the spill (on the reading threads), or `None` if it cannot be, which
/// only means that it will be read again.
pub(crate) fn encode(post: &ReadPost) -> Option<Vec<u8>> {
    let meta = serde_json::to_string(&post.doc.meta).ok()?;
    let record = RecordOut {
        meta,
        title_markup: &post.doc.meta.title_markup,
        blocks: &post.doc.blocks,
        from_web_page: post.from_web_page,
    };
    bincode::serialize(&record).ok()
}

/// Where a post's record is in the file: its offset and length.
pub(crate) type Extent = (u64, u32);

/// The spill being written while posts are read: each reading thread appends the post it has
/// read, so that the encoded post is not held until it is taken in path order (with two
/// chunks of 1,024 posts being read, that held 10–15 MB more at the peak of 100,000 posts).
/// Posts that planning then leaves out (drafts, filtered, duplicates) are in the file too,
/// never read back: the index ([`SpillWriter::finish`]) lists the posts to render.
pub(crate) struct SpillWriter {
    out: Mutex<Appending>,
}

struct Appending {
    file: BufWriter<File>,
    end: u64,
    /// A write failed: the spill is given up (a buffered write may fail on a later record).
    failed: bool,
}

impl SpillWriter {
    /// A new, empty spill in `dir`; `None` if it cannot be created (then posts are read again).
    pub(crate) fn create(dir: &Path) -> Option<SpillWriter> {
        let file = tempfile::tempfile_in(dir).ok()?;
        let out = Appending {
            file: BufWriter::with_capacity(1 << 16, file),
            end: 0,
            failed: false,
        };
        Some(SpillWriter {
            out: Mutex::new(out),
        })
    }

    /// Appends a post's record, from any thread: where it is, or `None` when the spill has
    /// failed (a failed write gives the whole spill up: see [`SpillWriter::finish`]).
    pub(crate) fn append(&self, record: &[u8]) -> Option<Extent> {
        let len = u32::try_from(record.len()).ok()?;
        // The lock is held only to write: a panic there leaves `failed` to tell.
        let mut out = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        if out.failed || out.file.write_all(record).is_err() {
            out.failed = true;
            return None;
        }
        let at = out.end;
        out.end += u64::from(len);
        Some((at, len))
    }

    /// The spill, ready to be read from any thread, with where each post to render is;
    /// `None` if a write failed or it cannot be flushed (then posts are read again).
    pub(crate) fn finish(self, index: HashMap<PostPath, Extent>) -> Option<Spill> {
        let out = self.out.into_inner().ok()?;
        if out.failed {
            return None;
        }
        let file = out.file.into_inner().ok()?;
        Some(Spill { file, index })
    }
}

/// The posts read by a streaming run, for its outputs to render.
pub(crate) struct Spill {
    file: File,
    index: HashMap<PostPath, Extent>,
}

impl Spill {
    /// The post read from `path` and whether it came from a web page, as it was read; `None`
    /// when it was not spilled (taken from the metadata cache, or the spill failed) or cannot
    /// be read back: the caller then reads the post again.
    pub(crate) fn post(&self, path: &Path) -> Option<(Document, bool)> {
        let &(offset, len) = self.index.get(path)?;
        let mut bytes = vec![0; len as usize];
        read_at(&self.file, &mut bytes, offset).ok()?;
        let record: RecordIn = bincode::deserialize(&bytes).ok()?;
        let meta = Meta {
            title_markup: record.title_markup,
            ..serde_json::from_str(&record.meta).ok()?
        };
        let doc = Document {
            meta,
            blocks: record.blocks,
        };
        Some((doc, record.from_web_page))
    }
}

/// Reads `buf.len()` bytes at `offset`, without moving a shared cursor (outputs are rendered
/// on several threads at once).
#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cell, Image, Link, Math, PostDate, Table};

    fn post(path: &str, text: &str) -> ReadPost {
        let meta = Meta {
            title: format!("Title of {path}"),
            title_markup: vec![Inline::Code("x".into()), Inline::Text(" y".into())],
            date: Some(PostDate::Instant(
                chrono::DateTime::parse_from_rfc3339("2024-02-29T23:59:58.123+08:00").unwrap(),
            )),
            tags: vec!["标签".into()],
            extra: vec![
                ("rating".into(), serde_json::json!(0.1 + 0.2)),
                (
                    "nested".into(),
                    serde_json::json!({"b": [1, -2, null], "a": true}),
                ),
            ],
            path: PostPath::from(Path::new(path)),
            draft: true,
            ..Meta::default()
        };
        let blocks = vec![
            Block::Heading {
                level: 2,
                id: Some("h".into()),
                content: vec![Inline::Emph(vec![Inline::Text(text.into())])],
            },
            Block::Paragraph(vec![
                Inline::Link(Box::new(Link {
                    url: "a.md".into(),
                    title: None,
                    content: vec![Inline::Math(Box::new(Math {
                        display: false,
                        tex: "x^2".into(),
                    }))],
                    web: Some("https://example.org/a/".into()),
                })),
                Inline::Note(vec![Block::Rule]),
                Inline::Check(true),
                Inline::LineBreak,
            ]),
            Block::Table(Table {
                header: None,
                rows: vec![vec![
                    Cell::inline(vec![Inline::Text("c".into())]),
                    Cell::covered(),
                ]],
            }),
            Block::Figure(Box::new(Image {
                src: "p.png".into(),
                alt: "alt".into(),
                title: Some("t".into()),
            })),
            Block::Code {
                lang: Some("rust".into()),
                text: "fn main() {}\n".into(),
                first_line: Some(7),
            },
        ];
        ReadPost {
            doc: Document { meta, blocks },
            warnings: Vec::new(),
            chrome: Vec::new(),
            from_web_page: true,
        }
    }

    #[test]
    fn posts_come_back_as_they_were_read() {
        let dir = tempfile::tempdir().unwrap();
        let posts = [post("a.md", "一"), post("b.md", "two"), post("c.md", "")];
        let writer = SpillWriter::create(dir.path()).unwrap();
        let index = (posts.iter())
            .map(|p| {
                (
                    p.doc.meta.path.clone(),
                    writer.append(&encode(p).unwrap()).unwrap(),
                )
            })
            .collect();
        let spill = writer.finish(index).unwrap();
        // Nothing is left in the output folder by the spill.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        for p in posts.iter().rev() {
            let (doc, from_web_page) = spill.post(&p.doc.meta.path).unwrap();
            assert_eq!(doc, p.doc);
            assert!(from_web_page);
        }
        assert!(spill.post(Path::new("missing.md")).is_none());
    }

    #[test]
    fn reading_threads_append_at_once_and_each_post_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let posts: Vec<ReadPost> = (0..64)
            .map(|i| post(&format!("p{i}.md"), &"字".repeat(i * 37)))
            .collect();
        let writer = SpillWriter::create(dir.path()).unwrap();
        let index: HashMap<PostPath, Extent> = std::thread::scope(|s| {
            let threads: Vec<_> = posts
                .chunks(16)
                .map(|chunk| {
                    let writer = &writer;
                    s.spawn(move || {
                        (chunk.iter())
                            .map(|p| {
                                let extent = writer.append(&encode(p).unwrap()).unwrap();
                                (p.doc.meta.path.clone(), extent)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            threads
                .into_iter()
                .flat_map(|t| t.join().unwrap())
                .collect()
        });
        let spill = writer.finish(index).unwrap();
        for p in &posts {
            assert_eq!(spill.post(&p.doc.meta.path).unwrap().0, p.doc);
        }
    }
}
