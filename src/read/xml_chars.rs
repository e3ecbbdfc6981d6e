//! Characters XML 1.0 cannot carry (most C0 controls, U+FFFE, U+FFFF; see
//! [`crate::xml::is_forbidden`]), removed from a post's model once, when it is read.
//!
//! DEL (U+007F), which XML allows but which is no more than an invisible mark in any text, is
//! removed and counted with them. (Whitespace normalization, [`crate::inline`], turns form
//! feeds in running text into spaces as a browser does; those are not counted.)
//!
//! One such character anywhere in an EPUB document makes the book unreadable to any strict
//! reader, and they do turn up: a stray U+0002 pasted into a code block, a `&#14;` in scraped
//! HTML, a control escaped in a YAML string. Removing them from the model, rather than in each
//! writer, means every output agrees (the note, the text and the book show the same code), and
//! the removal is counted once per post as a `control-characters` warning instead of being
//! silent. Writers still never emit them (their escapers drop them too), so a model built by
//! other means stays safe.

use crate::model::{walk_mut, Block, Document, Inline, Meta, VisitMut};
use crate::warning::{Warning, WarningKind};
use crate::xml::{has_forbidden, is_forbidden};
use std::collections::BTreeMap;

/// Removes the forbidden characters and DEL from every string of `doc` (metadata included)
/// and says how many there were, by code point.
pub fn remove(doc: &mut Document) -> Option<Warning> {
    let mut found = Found::default();
    meta(&mut doc.meta, &mut found);
    walk_mut(&mut doc.blocks, &mut found);
    found.warning()
}

/// The characters removed, by code point.
#[derive(Default)]
struct Found(BTreeMap<char, usize>);

impl Found {
    fn clean(&mut self, s: &mut String) {
        if !has_forbidden(s) && memchr::memchr(0x7F, s.as_bytes()).is_none() {
            return;
        }
        s.retain(|c| {
            let bad = is_forbidden(c) || c == '\u{7F}';
            if bad {
                *self.0.entry(c).or_default() += 1;
            }
            !bad
        });
    }

    fn clean_opt(&mut self, s: &mut Option<String>) {
        if let Some(s) = s {
            self.clean(s);
        }
    }

    fn warning(self) -> Option<Warning> {
        let total: usize = self.0.values().sum();
        if total == 0 {
            return None;
        }
        let list: Vec<String> = self
            .0
            .iter()
            .map(|(c, n)| format!("U+{:04X} ×{n}", *c as u32))
            .collect();
        let (noun, verb) = match total {
            1 => ("character", "it"),
            _ => ("characters", "them"),
        };
        Some(Warning {
            times: total,
            ..Warning::new(
                WarningKind::ControlCharacters,
                format!(
                    "{total} {noun} XML cannot carry ({}); removed {verb}",
                    list.join(", ")
                ),
            )
        })
    }
}

impl VisitMut for Found {
    fn blocks(&mut self, blocks: &mut Vec<Block>) {
        for b in blocks {
            // The other blocks' strings are inlines, visited on their own.
            match b {
                Block::Heading { id, .. } => self.clean_opt(id),
                Block::Code { lang, text, .. } => {
                    self.clean_opt(lang);
                    self.clean(text);
                }
                Block::Figure(img) => {
                    self.clean(&mut img.src);
                    self.clean(&mut img.alt);
                    self.clean_opt(&mut img.title);
                }
                _ => {}
            }
        }
    }

    fn inlines(&mut self, inlines: &mut Vec<Inline>) {
        for i in inlines.iter_mut() {
            match i {
                Inline::Text(t) | Inline::Code(t) => self.clean(t),
                Inline::Link(link) => {
                    self.clean(&mut link.url);
                    self.clean_opt(&mut link.title);
                }
                Inline::Image(img) => {
                    self.clean(&mut img.src);
                    self.clean(&mut img.alt);
                    self.clean_opt(&mut img.title);
                }
                Inline::Math(m) => self.clean(&mut m.tex),
                _ => {}
            }
        }
        // A text run made only of such characters leaves nothing to show.
        inlines.retain(|i| !matches!(i, Inline::Text(t) if t.is_empty()));
    }
}

/// The metadata's strings, and those nested in the front matter keys postbook keeps as they
/// are (the Markdown writer's front matter carries them).
fn meta(m: &mut Meta, found: &mut Found) {
    found.clean(&mut m.title);
    for list in [&mut m.authors, &mut m.categories, &mut m.tags] {
        list.iter_mut().for_each(|s| found.clean(s));
    }
    for s in [&mut m.source, &mut m.lang, &mut m.slug] {
        found.clean_opt(s);
    }
    for (key, value) in &mut m.extra {
        found.clean(key);
        json(value, found);
    }
}

fn json(v: &mut serde_json::Value, found: &mut Found) {
    use serde_json::Value;
    match v {
        Value::String(s) => found.clean(s),
        Value::Array(xs) => xs.iter_mut().for_each(|x| json(x, found)),
        Value::Object(map) => {
            // Keys cannot be changed in place: a map with a bad key is rebuilt.
            if map.keys().any(|k| has_forbidden(k)) {
                let old = std::mem::take(map);
                for (mut k, mut x) in old {
                    found.clean(&mut k);
                    json(&mut x, found);
                    map.insert(k, x);
                }
            } else {
                map.values_mut().for_each(|x| json(x, found));
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::read_post_bytes;

    #[test]
    fn every_string_is_cleaned_and_counted_once_per_post() {
        // Prose before and after, so that no block is taken for site chrome.
        let post = "---\ntitle: \"a\\x02b\"\ntags: [\"t\\x0e\"]\nnote: {\"k\\x01\": \"v\\x1f\"}\n---\n\
            The first paragraph of this post is long enough to be read as prose by anyone.\n\n\
            Text\u{2}here\u{7F} &#14;and <https://x.test/a\u{B}b> in the middle of the post, as prose.\n\n\
            ```py\nprint(1)\u{E}\u{FFFF}\n```\n\n![alt\u{1}](a.png \"t\u{FFFE}\")\n\n\
            The last paragraph of this post is long enough to be read as prose by anyone too.\n";
        let read =
            read_post_bytes(std::path::Path::new("2024-01-01-a.md"), post.as_bytes()).unwrap();
        let warnings: Vec<&Warning> = read
            .warnings
            .iter()
            .filter(|w| w.kind == WarningKind::ControlCharacters)
            .collect();
        assert_eq!(warnings.len(), 1, "{:?}", read.warnings);
        let w = warnings[0];
        assert_eq!(w.times, 12, "{}", w.message);
        assert!(w.message.contains("U+007F ×1"), "{}", w.message);
        assert!(w.message.contains("U+0002 ×2"), "{}", w.message);
        assert!(w.message.contains("U+000E ×3"), "{}", w.message);
        let doc = read.doc;
        assert_eq!(doc.meta.title, "ab");
        assert_eq!(doc.meta.tags, ["t"]);
        let dump = format!("{doc:?}");
        assert!(
            !dump.contains(is_forbidden) && !dump.contains("\\u{"),
            "{dump}"
        );
        assert!(dump.contains("print(1)"), "{dump}");
    }

    #[test]
    fn clean_posts_are_untouched() {
        let mut doc = read_post_bytes(
            std::path::Path::new("a.md"),
            "# T\n\ntab\tand 中文，\u{FFFD}\u{FFEE}\n".as_bytes(),
        )
        .unwrap()
        .doc;
        let before = doc.clone();
        assert_eq!(remove(&mut doc), None);
        assert_eq!(doc, before);
    }
}
