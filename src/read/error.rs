//! The error of a post that cannot be read.

use std::fmt;
use std::path::Path;

/// Why a post could not be read, with the position in the file when there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct PostError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    /// The text of the offending line, for diagnostics that show it with a caret.
    pub source_line: Option<String>,
}

impl PostError {
    pub fn at(line: usize, column: usize, message: String) -> Self {
        PostError {
            line: Some(line),
            column: Some(column),
            message,
            source_line: None,
        }
    }

    pub fn whole_file(message: impl Into<String>) -> Self {
        PostError {
            line: None,
            column: None,
            message: message.into(),
            source_line: None,
        }
    }

    /// Attaches the offending line of `text` (the whole decoded file).
    pub(super) fn with_source(mut self, text: &str) -> Self {
        if let Some(n) = self.line.filter(|&n| n > 0) {
            self.source_line = text.lines().nth(n - 1).map(str::to_owned);
        }
        self
    }

    /// `path:line:column: message`, the form editors and terminals link to.
    pub fn display_for(&self, path: &Path) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}: {}", path.display(), self.message),
            (Some(l), None) => format!("{}:{l}: {}", path.display(), self.message),
            _ => format!("{}: {}", path.display(), self.message),
        }
    }
}

impl fmt::Display for PostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
