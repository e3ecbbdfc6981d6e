//! kramdown's and pandoc's attribute lists, applied or removed before Markdown parsing.
//!
//! Jekyll's default Markdown is kramdown, whose inline attribute lists (`{: .class #id}`,
//! `{:toc}`) CommonMark does not know: left alone they show up as text in every writer. A
//! list that gives a heading its `#id` is kept as the `{#id}` anchor CommonMark readers
//! (pulldown-cmark, Goldmark) understand, so in-post links still find it; classes and styling
//! keys mean nothing in an ebook or a note and are dropped. `{:toc}` (with the one-item list it
//! replaces) and `[TOC]` markers are dropped too: the book's own table of contents lists the
//! posts, and a post's sections are one tap away in it (a decision recorded in README).

use super::regions::CodeRegions;
use std::borrow::Cow;

/// The Markdown body with attribute lists applied or removed; borrowed when it has none.
pub fn strip_attribute_lists(src: &str) -> Cow<'_, str> {
    if !src.contains("{:") && !src.contains("TOC") && !src.contains("){") {
        return Cow::Borrowed(src);
    }
    let code = CodeRegions::of(src);
    let mut starts = Vec::new();
    let mut pos = 0;
    let src_lines: Vec<&str> = src
        .split_inclusive('\n')
        .inspect(|l| {
            starts.push(pos);
            pos += l.len();
        })
        .collect();
    let mut lines: Vec<String> = Vec::new();
    let mut changed = false;
    // A notice class given before its paragraph: the paragraph's lines become a quote's.
    let mut quote_following = false;
    let mut i = 0;
    while i < src_lines.len() {
        let line = src_lines[i];
        i += 1;
        if code.in_block(starts[i - 1]) {
            quote_following = false;
            lines.push(line.to_string());
            continue;
        }
        let body = line.trim_end_matches(['\n', '\r']);
        let ending = &line[body.len()..];
        let trimmed = body.trim_start();
        let mut t = trimmed.trim_end().to_string();
        // kramdown's block lists may go on over several lines (`{: .a` then `.b}`).
        if let Some(end) = list_continued(&t, &src_lines[i..]) {
            for next in &src_lines[i..i + end] {
                t.push(' ');
                t.push_str(next.trim());
            }
            i += end;
        }
        if is_block_attribute_list(&t) {
            changed = true;
            if t.contains(":toc") {
                drop_toc_list(&mut lines);
            } else if let Some(id) = attribute_id(&t) {
                give_heading_id(&mut lines, &id);
            }
            // kramdown ends a list at its list; CommonMark would run it on into the next one
            // after a blank line, unless something stands between them.
            if !t.contains(":toc") && last_block_is_list(&lines) {
                lines.push("<!-- -->\n".into());
            }
            if names_notice(&t) {
                match lines.last().is_some_and(|l| !l.trim().is_empty()) {
                    // After its paragraph; a blank line keeps what follows out of the quote.
                    true if quote_paragraph(&mut lines) => lines.push("\n".into()),
                    true => {}
                    false => quote_following = !body.starts_with([' ', '\t']),
                }
            }
            continue;
        }
        if ["[TOC]", "[[TOC]]", "[[_TOC_]]", "[toc]"].contains(&t.as_str()) {
            changed = true;
            continue;
        }
        if quote_following {
            // The paragraph right after the list, up to a blank line or another block.
            quote_following = starts_paragraph(trimmed) && !body.starts_with("    ");
            if quote_following {
                let cleaned = strip_span_lists(body);
                lines.push(format!("> {cleaned}{ending}"));
                changed = true;
                continue;
            }
        }
        let cleaned = strip_span_lists(body);
        if cleaned != body {
            changed = true;
            lines.push(format!("{cleaned}{ending}"));
        } else {
            lines.push(line.to_string());
        }
    }
    match changed {
        true => Cow::Owned(lines.concat()),
        false => Cow::Borrowed(src),
    }
}

/// How many of the `next` lines finish a block attribute list that `first` opens without
/// closing (kramdown's lists may hold line breaks), if they do within a few lines.
fn list_continued(first: &str, next: &[&str]) -> Option<usize> {
    if !first.starts_with("{:") || first.starts_with("{::") || first.contains(['}', '`']) {
        return None;
    }
    for (n, line) in next.iter().take(4).enumerate() {
        let t = line.trim();
        if t.is_empty() || t.contains(['{', '`']) || t.starts_with(['>', '<']) {
            return None;
        }
        if t.contains('}') {
            return t.ends_with('}').then_some(n + 1);
        }
    }
    None
}

/// Whether the last lines written (back to a blank one) are a list.
fn last_block_is_list(lines: &[String]) -> bool {
    let Some(last) = lines.iter().rposition(|l| !l.trim().is_empty()) else {
        return false;
    };
    let first = lines[..last]
        .iter()
        .rposition(|l| l.trim().is_empty())
        .map_or(0, |k| k + 1);
    let t = lines[first].trim_start();
    !lines[first].starts_with("    ") && !t.is_empty() && !starts_paragraph(t) && {
        let marker = t.starts_with(['*', '-', '+']) && t[1..].starts_with(' ');
        marker
            || t.split_once(['.', ')'])
                .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    }
}

/// Whether an attribute list gives a notice box's class (see [`super::notice`]).
fn names_notice(list: &str) -> bool {
    list.trim_start_matches('{')
        .trim_start_matches(':')
        .trim_end_matches('}')
        .split_whitespace()
        .filter_map(|w| w.strip_prefix('.'))
        .any(super::notice::is_notice_class)
}

/// Whether a line can start or go on with a paragraph's text (not a heading, list item, quote,
/// table, HTML block or indented code).
fn starts_paragraph(trimmed: &str) -> bool {
    let is_item = trimmed.starts_with(['*', '-', '+']) && trimmed[1..].starts_with(' ')
        || trimmed
            .split_once(['.', ')'])
            .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    !trimmed.is_empty() && !is_item && !trimmed.starts_with(['#', '>', '<', '|', '{'])
}

/// The paragraph just written (the lines back to a blank one) becomes a quote: a notice class
/// given after its paragraph. `false` when those lines are not a plain paragraph (a quote
/// already, a list, a heading…), which stay as they are.
fn quote_paragraph(lines: &mut [String]) -> bool {
    let first = lines
        .iter()
        .rposition(|l| l.trim().is_empty())
        .map_or(0, |k| k + 1);
    let paragraph = &mut lines[first..];
    // A paragraph that starts indented is in a list item or code: a quote marker at the start
    // of its lines would take it out.
    let plain = paragraph
        .iter()
        .all(|l| starts_paragraph(l.trim_start()) && !l.starts_with("    "))
        && paragraph
            .first()
            .is_some_and(|l| !l.starts_with([' ', '\t']));
    if paragraph.is_empty() || !plain {
        return false;
    }
    for line in paragraph {
        line.insert_str(0, "> ");
    }
    true
}

/// A line that is only a kramdown block attribute list or attribute definition.
fn is_block_attribute_list(t: &str) -> bool {
    t.starts_with("{:") && t.ends_with('}') && !t[1..t.len() - 1].contains(['{', '}'])
}

/// The `#id` of an attribute list, if it names one.
fn attribute_id(list: &str) -> Option<String> {
    list.trim_start_matches('{')
        .trim_start_matches(':')
        .trim_end_matches('}')
        .split_whitespace()
        .find_map(|w| w.strip_prefix('#'))
        .filter(|id| !id.is_empty())
        .map(str::to_string)
}

/// `{: #id}` after a heading: the heading gets `{#id}`, which the Markdown parser reads.
fn give_heading_id(lines: &mut [String], id: &str) {
    let Some(last) = lines.iter().rposition(|l| !l.trim().is_empty()) else {
        return;
    };
    let is_setext_underline = |l: &str| {
        let t = l.trim();
        !t.is_empty() && (t.chars().all(|c| c == '=') || t.chars().all(|c| c == '-'))
    };
    let heading = if lines[last].trim_start().starts_with('#') {
        last
    } else if is_setext_underline(&lines[last]) && last > 0 {
        last - 1
    } else {
        return;
    };
    let line = &lines[heading];
    let body = line.trim_end_matches(['\n', '\r']);
    let ending = line[body.len()..].to_string();
    lines[heading] = format!("{} {{#{id}}}{ending}", body.trim_end());
}

/// `{:toc}` replaces the list just before it (kramdown writes `* TOC` there): both go.
fn drop_toc_list(lines: &mut Vec<String>) {
    while let Some(last) = lines.last() {
        let t = last.trim_start();
        let is_item = t.starts_with(['*', '-', '+'])
            || t.split_once(['.', ')'])
                .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if is_item && !t.trim().is_empty() {
            lines.pop();
        } else {
            break;
        }
    }
}

/// Removes span attribute lists (`*word*{: .cls}`, `![a](b){: width="50%"}`) and pandoc's
/// link and image attributes (`![a](b){width=50%}`) outside code spans. A heading's trailing
/// `{: #id}` becomes `{#id}`.
fn strip_span_lists(line: &str) -> Cow<'_, str> {
    if !line.contains("{:") && !line.contains("){") {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let is_heading = line.trim_start().starts_with('#');
    // Even pieces between backticks are outside code spans.
    for (n, piece) in line.split('`').enumerate() {
        if n > 0 {
            out.push('`');
        }
        if n % 2 == 1 {
            out.push_str(piece);
            continue;
        }
        let mut rest = piece;
        while let Some(k) = find_span_list(rest) {
            out.push_str(&rest[..k]);
            let end = match rest[k..].find('}') {
                Some(e) => k + e + 1,
                None => break,
            };
            let list = &rest[k..end];
            if is_heading && rest[end..].trim().is_empty() {
                if let Some(id) = attribute_id(list) {
                    out.push_str(&format!("{{#{id}}}"));
                }
            }
            rest = &rest[end..];
        }
        out.push_str(rest);
    }
    Cow::Owned(out.trim_end().to_string())
}

/// Where the next span attribute list starts: `{:`, or `{` right after a link's `)`.
fn find_span_list(s: &str) -> Option<usize> {
    let kramdown = s.find("{:");
    let pandoc = s
        .find("){")
        .map(|k| k + 1)
        .filter(|&k| s[k + 1..].starts_with(['#', '.']) || s[k..].contains('='));
    let k = match (kramdown, pandoc) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    // Only a list closed on this line.
    s[k..].contains('}').then_some(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_lists_are_applied_or_removed() {
        let src =
            "## Intro\n{: #start .big}\n\nText *word*{: .x} and ![a](b.png){: width=\"50%\"}\n\n\
                   * TOC\n{:toc}\n\nSetext\n======\n{: #setext}\n\n![c](d.png){width=50%}\n\n\
                   ```\n{: kept in code}\n```\n\n`{: kept}` span\n\n### Same line {: #here}\n";
        assert_eq!(
            strip_attribute_lists(src),
            "## Intro {#start}\n\nText *word* and ![a](b.png)\n\n\nSetext {#setext}\n======\n\n\
             ![c](d.png)\n\n```\n{: kept in code}\n```\n\n`{: kept}` span\n\n### Same line {#here}\n"
        );
    }

    #[test]
    fn lists_over_line_breaks_and_notice_classes() {
        let src = "* one\n* two\n{: .gallery\n   #shots}\n\nUpdated in May.\nSee below.\n{: .notice--info}\n\
                   After.\n\n{: .note }\nBefore its paragraph.\n\n> Quoted.\n{: .prompt-tip}\n\n\
                   - item\n{: .notice}\n\n- item\n\n  In the item.\n  {: .note}\n";
        assert_eq!(
            strip_attribute_lists(src),
            "* one\n* two\n<!-- -->\n\n> Updated in May.\n> See below.\n\nAfter.\n\n\
             > Before its paragraph.\n\n> Quoted.\n\n- item\n<!-- -->\n\n- item\n\n  In the item.\n"
        );
    }

    #[test]
    fn text_without_lists_is_borrowed() {
        assert!(matches!(
            strip_attribute_lists("plain {text} and f(x){y}"),
            Cow::Borrowed(_)
        ));
    }
}
