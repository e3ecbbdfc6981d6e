//! The one rule every writer numbers footnotes by: a note is numbered where it is referenced,
//! its text is written after the post's, and notes referenced inside a note continue the
//! numbering (they are written after the notes before them). EPUB writes them as pop-up
//! `<aside>`s, Markdown as `[^n]:` definitions, text as `[n]` lines; the numbers agree.

use std::cell::RefCell;

/// The footnotes a writer has met in one post, in the order they were referenced. `T` is how
/// the writer holds a note's blocks: borrowed from the post (`&[Block]`), or owned where the
/// writer renders a prepared copy of the post.
#[derive(Debug)]
pub struct Footnotes<T>(RefCell<Vec<T>>);

impl<T> Default for Footnotes<T> {
    fn default() -> Self {
        Footnotes(RefCell::new(Vec::new()))
    }
}

impl<T: Clone> Footnotes<T> {
    /// Keeps a note referenced in the text; returns its number, from 1.
    pub fn refer(&self, note: T) -> usize {
        let mut notes = self.0.borrow_mut();
        notes.push(note);
        notes.len()
    }

    /// The note numbered `n` (from 1), when there is one. Writers ask for 1, 2, … until there
    /// is none, so the notes referenced while a note is written are written too.
    pub fn get(&self, n: usize) -> Option<T> {
        self.0.borrow().get(n.checked_sub(1)?).cloned()
    }

    /// Writes every note, in order, with its number, including those referenced while writing.
    pub fn write_each(&self, mut write: impl FnMut(usize, T)) {
        let mut n = 1;
        // Each note is taken out before it is written: writing it may refer to more notes.
        while let Some(note) = self.get(n) {
            write(n, note);
            n += 1;
        }
    }

    /// Whether no note was referenced.
    pub fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A note referenced while another is written is numbered after every note met before.
    #[test]
    fn notes_in_notes_continue_the_numbering() {
        let notes = Footnotes::default();
        assert_eq!(notes.refer("a"), 1);
        assert_eq!(notes.refer("b"), 2);
        let mut written = Vec::new();
        notes.write_each(|n, note| {
            if note == "a" {
                assert_eq!(notes.refer("a's note"), 3);
            }
            written.push((n, note));
        });
        assert_eq!(written, [(1, "a"), (2, "b"), (3, "a's note")]);
        assert_eq!(notes.get(0), None);
    }
}
