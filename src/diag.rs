//! Messages for people on stderr: errors and warnings, coloured only where that helps.
//!
//! Colour goes through `anstream`, which strips it when stderr is not a terminal, when
//! `NO_COLOR` is set, or with `--color never`, and forces it with `--color always`; so scripts
//! and log files never see escape codes unless they ask for them.

use crate::read::PostError;
use anstyle::{AnsiColor, Style};
use std::path::Path;
use unicode_width::UnicodeWidthChar;

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const NOTE: Style = AnsiColor::Cyan.on_default().bold();
const GUTTER: Style = AnsiColor::Blue.on_default().bold();

/// Sets colour for everything postbook prints (`--color`).
pub fn set_color(choice: clap::ColorChoice) {
    let choice = match choice {
        clap::ColorChoice::Auto => anstream::ColorChoice::Auto,
        clap::ColorChoice::Always => anstream::ColorChoice::Always,
        clap::ColorChoice::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
}

/// `error: message`.
pub fn error(message: &str) {
    anstream::eprintln!("{ERROR}error{ERROR:#}: {message}");
}

/// `warning: message`.
pub fn warning(message: &str) {
    anstream::eprintln!("{WARNING}warning{WARNING:#}: {message}");
}

/// `note: message`: something done that the user may not expect, but that is not wrong.
pub fn note(message: &str) {
    anstream::eprintln!("{NOTE}note{NOTE:#}: {message}");
}

/// A post that could not be read: `path:line:col: message`, then, when the position is known,
/// the offending line with a caret under the column, as rustc shows it.
pub fn post_error(path: &Path, e: &PostError) {
    let mut out = format!("{ERROR}error{ERROR:#}: {}", e.display_for(path));
    if let (Some(line), Some(text)) = (e.line, &e.source_line) {
        let number = line.to_string();
        let pad = " ".repeat(number.len());
        let caret = caret_indent(text, e.column.unwrap_or(1));
        out.push_str(&format!(
            "\n{pad} {GUTTER}|{GUTTER:#}\n{GUTTER}{number} |{GUTTER:#} {text}\n{pad} {GUTTER}|{GUTTER:#} {caret}{ERROR}^{ERROR:#}"
        ));
    }
    anstream::eprintln!("{out}");
}

/// The blank space before column `column` (1-based, in characters) of `text`, as wide on screen
/// as the characters it stands for: CJK characters take two columns, tabs stay tabs.
fn caret_indent(text: &str, column: usize) -> String {
    text.chars()
        .take(column.saturating_sub(1))
        .map(|c| match c {
            '\t' => "\t".to_string(),
            c => " ".repeat(c.width().unwrap_or(0)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_lines_up_under_wide_characters() {
        assert_eq!(caret_indent("title: x", 8), "       ");
        assert_eq!(caret_indent("标题: [x", 5), " ".repeat(6));
        assert_eq!(caret_indent("\tkey", 2), "\t");
    }
}
