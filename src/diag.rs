//! Messages for people on stderr: errors and warnings, coloured only where that helps.
//!
//! Colour goes through `anstream`, which strips it when stderr is not a terminal, when
//! `NO_COLOR` is set, or with `--color never`, and forces it with `--color always`; so scripts
//! and log files never see escape codes unless they ask for them.

use crate::options::Verbosity;
use crate::read::PostError;
use anstyle::{AnsiColor, Style};
use indicatif::{ProgressBar, ProgressStyle};
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

/// A progress bar on stderr, drawn only on a terminal and not in quiet mode, and not before
/// it is given a length (with [`set_total`]): an empty `0/0` bar says nothing.
pub fn progress_bar(verbosity: Verbosity, what: &'static str) -> ProgressBar {
    if verbosity == Verbosity::Quiet {
        return ProgressBar::hidden();
    }
    // `with_*`, unlike `set_*`, does not draw.
    ProgressBar::new(0)
        .with_style(
            ProgressStyle::with_template("{msg:>9} [{bar:30}] {pos}/{len} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        )
        .with_message(what)
}

/// Sets a bar's length, which draws it, unless there is nothing to count.
pub fn set_total(progress: &ProgressBar, len: usize) {
    if len > 0 {
        progress.set_length(len as u64);
    }
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
