//! kramdown's block syntax where it differs from CommonMark's, rewritten before Markdown
//! parsing for a body kramdown reads (a Jekyll site's post): its table separator lines and
//! definitions whose text starts further in. Code (fenced blocks) is left alone.
//!
//! Tables (kramdown syntax, "Tables"): a table is "an optional separator line, ... one or more
//! table rows, optionally interspersed with separator lines, optionally followed by a footer
//! separator line ... and an optional trailing separator line". A separator line holds only
//! `|`, `+`, `:`, spaces and `-` (`|---`, `|-------+-------|`, `|-|-:`); the first one after a
//! row ends the header rows; a footer separator holds `=` (`|===`). GFM knows only the
//! delimiter row under one header row, so the others showed as text (`|---`) or as rows whose
//! cells were `---`. Here the separator under the header becomes a GFM delimiter row (one cell
//! per header cell, alignment kept); leading, body, footer and trailing separators go. The
//! document model has neither table bodies nor footers: the footer rows follow as body rows
//! (decision: a row kept beats a row lost). A table whose rows have no header separator is
//! left as it was.
//!
//! Definitions: kramdown reads a definition's text from the first non-space character after
//! the `:` ("the rules for a list item also apply to a definition"), so `:     text` is text;
//! CommonMark's rules make four spaces more an indented code block. Such a marker is written
//! `: text`.

use std::borrow::Cow;

/// `src` with kramdown's table separators and indented definitions rewritten; borrowed when
/// there is none.
pub fn rewrite(src: &str) -> Cow<'_, str> {
    if !src.contains('|') && !src.contains(':') {
        return Cow::Borrowed(src);
    }
    let lines: Vec<&str> = src.split_inclusive('\n').collect();
    let mut out: Vec<Cow<'_, str>> = Vec::with_capacity(lines.len());
    let mut changed = false;
    let mut fence: Option<(u8, usize)> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(f) = fence_change(line, fence) {
            fence = f;
            out.push(Cow::Borrowed(line));
            i += 1;
            continue;
        }
        if fence.is_some() {
            out.push(Cow::Borrowed(line));
            i += 1;
            continue;
        }
        let after_text = i > 0 && !lines[i - 1].trim().is_empty() && !is_indented(lines[i - 1])
            || i > 1
                && lines[i - 1].trim().is_empty()
                && !lines[i - 2].trim().is_empty()
                && !is_indented(lines[i - 2]);
        if is_table_line(line) && (i == 0 || !is_table_line(lines[i - 1])) {
            let end = (i..lines.len())
                .find(|&k| !is_table_line(lines[k]))
                .unwrap_or(lines.len());
            if let Some(table) = table(&lines[i..end]) {
                out.push(Cow::Owned(table));
                changed = true;
            } else {
                out.extend(lines[i..end].iter().map(|l| Cow::Borrowed(*l)));
            }
            i = end;
            continue;
        }
        if let Some(fixed) = after_text.then(|| definition(line)).flatten() {
            out.push(Cow::Owned(fixed));
            changed = true;
        } else {
            out.push(Cow::Borrowed(line));
        }
        i += 1;
    }
    match changed {
        true => Cow::Owned(out.concat()),
        false => Cow::Borrowed(src),
    }
}

/// Whether `line` opens or closes a code fence given the fence open now (`None` when the line
/// changes nothing): the new state.
fn fence_change(line: &str, open: Option<(u8, usize)>) -> Option<Option<(u8, usize)>> {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 {
        return None;
    }
    let c = *t.as_bytes().first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let n = t.bytes().take_while(|&b| b == c).count();
    if n < 3 {
        return None;
    }
    match open {
        None => Some(Some((c, n))),
        Some((oc, on)) if oc == c && n >= on && t[n..].trim().is_empty() => Some(None),
        Some(_) => None,
    }
}

fn is_indented(line: &str) -> bool {
    line.starts_with('\t') || line.starts_with("    ")
}

/// A line of a kramdown table block: `|` first, up to three spaces in.
fn is_table_line(line: &str) -> bool {
    let t = line.trim_start_matches(' ');
    line.len() - t.len() <= 3 && t.starts_with('|')
}

/// What a table line is.
#[derive(PartialEq, Clone, Copy)]
enum Line {
    Row,
    Separator,
    Footer,
}

fn kind(line: &str) -> Line {
    let t = line.trim();
    let only = |extra: char| {
        t.chars()
            .all(|c| matches!(c, '|' | '+' | ':' | ' ' | '\t') || c == extra)
    };
    if t.contains('-') && only('-') {
        Line::Separator
    } else if t.contains('=') && only('=') {
        Line::Footer
    } else {
        Line::Row
    }
}

/// The table block `lines` in GFM's form, or `None` when it needs no change or has no header.
fn table(lines: &[&str]) -> Option<String> {
    let kinds: Vec<Line> = lines.iter().map(|l| kind(l)).collect();
    let first_row = kinds.iter().position(|k| *k == Line::Row)?;
    let header_sep = first_row + kinds[first_row..].iter().position(|k| *k != Line::Row)?;
    if kinds[header_sep] != Line::Separator {
        return None;
    }
    // GFM reads one header row over a delimiter row, then rows: nothing to do.
    let plain = first_row == 0
        && header_sep == 1
        && !lines[1].contains('+')
        && kinds[2..].iter().all(|k| *k == Line::Row);
    if plain {
        return None;
    }
    let header = lines[first_row];
    let columns = cells(header).len().max(1);
    let mut aligns: Vec<&str> = lines[header_sep]
        .trim()
        .trim_matches('|')
        .split(['|', '+'])
        .map(|c| {
            let c = c.trim();
            match (c.starts_with(':'), c.ends_with(':') && c.len() > 1) {
                (true, true) => ":---:",
                (true, false) => ":---",
                (false, true) => "---:",
                (false, false) => "---",
            }
        })
        .collect();
    aligns.resize(columns, "---");
    let mut out = String::new();
    // Header rows after the first are rows (GFM has one header row).
    out.push_str(with_newline(header).as_ref());
    out.push_str(&format!("| {} |\n", aligns.join(" | ")));
    for (line, k) in lines.iter().zip(&kinds).skip(first_row + 1) {
        if *k == Line::Row {
            out.push_str(with_newline(line).as_ref());
        }
    }
    if !lines.last().is_some_and(|l| l.ends_with('\n')) {
        out.pop();
    }
    Some(out)
}

fn with_newline(line: &str) -> Cow<'_, str> {
    match line.ends_with('\n') {
        true => Cow::Borrowed(line),
        false => Cow::Owned(format!("{line}\n")),
    }
}

/// The cells of a row: split at `|` not escaped and not in a code span.
fn cells(row: &str) -> Vec<&str> {
    let t = row.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = match t.strip_suffix('|') {
        Some(s) if !s.ends_with('\\') => s,
        _ => t,
    };
    let mut out = Vec::new();
    let (mut start, mut in_code, mut escaped) = (0, false, false);
    for (k, c) in t.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '`' => in_code = !in_code,
            '|' if !in_code => {
                out.push(&t[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    out.push(&t[start..]);
    out
}

/// A definition marker followed by more than four spaces, written with one.
fn definition(line: &str) -> Option<String> {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 {
        return None;
    }
    let rest = t.strip_prefix(':')?;
    let text = rest.trim_start_matches([' ', '\t']);
    let gap = &rest[..rest.len() - text.len()];
    let wide = gap.contains('\t') || gap.len() > 4;
    (wide && !text.trim().is_empty()).then(|| format!("{}: {text}", &line[..line.len() - t.len()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kramdown_table_separators_become_one_gfm_table() {
        let src = "|---\n| Tool | Cost\n|-|-:\n| Saw | 3\n|---\n| Rake | 4\n|===\n| Sum | 7\n";
        assert_eq!(
            rewrite(src),
            "| Tool | Cost\n| --- | ---: |\n| Saw | 3\n| Rake | 4\n| Sum | 7\n"
        );
        let wide = "|------+------|\n| Tool | Cost |\n|------|-----:|\n| Saw  |    3 |\n\
                    |======+======|\n| Sum  |    3 |\n|------+------|\n";
        assert_eq!(
            rewrite(wide),
            "| Tool | Cost |\n| --- | ---: |\n| Saw  |    3 |\n| Sum  |    3 |\n"
        );
        // GFM's own tables, tables without a header and code stay.
        for same in [
            "| a | b |\n|---|:-:|\n| 1 | 2 |\n",
            "| a | b |\n| 1 | 2 |\n",
            "```\n|---\n| a\n|-\n| b\n```\n",
        ] {
            assert!(matches!(rewrite(same), Cow::Borrowed(_)), "{same}");
        }
    }

    #[test]
    fn a_definition_indented_after_its_marker_is_text() {
        assert_eq!(
            rewrite("Rake\n:     A garden tool\n\nHoe\n\n:\tAnother\n"),
            "Rake\n: A garden tool\n\nHoe\n\n: Another\n"
        );
        // Not after a term, or in code: unchanged.
        for same in ["\n:     text\n", "    code\n:     text\n", "a\n:  b\n"] {
            assert!(matches!(rewrite(same), Cow::Borrowed(_)), "{same:?}");
        }
    }
}
