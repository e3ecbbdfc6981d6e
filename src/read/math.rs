//! TeX math in Markdown bodies, found before any Markdown parsing.
//!
//! Inside a formula nothing is Markdown: `a_1 * b_2` is not emphasis, `\\` is a row break, a
//! line starting `- \log` is not a list item. So formulas are cut out of the source first and
//! replaced by placeholders (private-use characters around a number, which CommonMark treats
//! like a word), the rest is parsed as usual, and [`restore`] puts each formula back into the
//! model as [`Math`]. A placeholder that lands where no formula can be (a code block, a URL,
//! alt text) gets the original source text back, so a false detection loses nothing.
//!
//! Delimiters: `$…$` with pandoc's `tex_math_dollars` rules (the opening `$` is followed by a
//! non-space, the closing `$` follows a non-space and is not followed by a digit, so `$5 and
//! $10` is prose); `$$…$$`, which is display math when it stands alone as a paragraph and
//! inline math inside one (kramdown's rule: Jekyll sites write every formula with `$$`);
//! `\(…\)` and `\[…\]`, also in kramdown's doubled form `\\(…\\)` for MathJax; and the
//! math environments (`\begin{align}…\end{align}`, …). Code blocks (as the Markdown parser
//! finds them: [`CodeRegions`]), code spans and raw `<pre>`, `<code>`, `<script>` and
//! `<style>` elements are skipped.

use super::regions::CodeRegions;
use crate::model::{Block, Image, Inline, Math, VisitMut};

const OPEN: char = '\u{F8F0}';
const CLOSE: char = '\u{F8F1}';

/// Environments whose whole text is a display formula.
const ENVIRONMENTS: &[&str] = &[
    "equation",
    "equation*",
    "align",
    "align*",
    "alignat",
    "alignat*",
    "gather",
    "gather*",
    "multline",
    "multline*",
    "eqnarray",
    "eqnarray*",
    "flalign",
    "flalign*",
    "displaymath",
    "math",
];

/// A formula cut out of the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    pub math: Math,
    /// The formula as written, delimiters included: what a placeholder becomes where no
    /// formula can be.
    pub source: String,
}

/// Replaces every formula in a Markdown body by a placeholder. `None` when there is none (the
/// common case, which costs a scan for `$` and for each `\` whether a `(`, `[` or `begin`
/// follows), or when the text already holds the placeholder characters.
pub fn protect(src: &str) -> Option<(String, Vec<Formula>)> {
    let bytes = src.as_bytes();
    let opens_math = |i: usize| {
        let rest = &bytes[i + 1..];
        // `\(` and `\[` too: kramdown's doubled backslash.
        let rest = rest.strip_prefix(b"\\").unwrap_or(rest);
        rest.starts_with(b"(") || rest.starts_with(b"[") || rest.starts_with(b"begin")
    };
    if memchr::memchr(b'$', bytes).is_none() && !memchr::memchr_iter(b'\\', bytes).any(opens_math) {
        return None;
    }
    let mut out = String::with_capacity(src.len());
    let mut formulas = Vec::new();
    let mut text_start = 0;
    // Code blocks are copied as they are; the text between them is scanned whole, since a
    // formula may span lines.
    for block in CodeRegions::of(src).blocks() {
        scan(&src[text_start..block.start], &mut out, &mut formulas);
        out.push_str(&src[block.clone()]);
        text_start = block.end;
    }
    scan(&src[text_start..], &mut out, &mut formulas);
    // Text that already holds the placeholder characters could not be told apart.
    (!formulas.is_empty() && !src.contains([OPEN, CLOSE])).then_some((out, formulas))
}

/// Scans text outside code fences, appending it to `out` with formulas replaced.
fn scan(text: &str, out: &mut String, formulas: &mut Vec<Formula>) {
    let b = text.as_bytes();
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        // Straight to the next byte that can start anything.
        match b[i..]
            .iter()
            .position(|c| matches!(c, b'`' | b'<' | b'\\' | b'$'))
        {
            Some(k) => i += k,
            None => break,
        }
        let found: Option<(usize, bool, &str)> = match b[i] {
            b'`' => {
                i = skip_code_span(text, i);
                continue;
            }
            b'<' => {
                i = skip_raw_element(text, i);
                continue;
            }
            b'\\' => match backslash(text, i) {
                Backslash::Math(end, display, tex) => Some((end, display, tex)),
                Backslash::Skip(n) => {
                    i += n;
                    continue;
                }
            },
            b'$' if b.get(i + 1) == Some(&b'$') => double_dollar(text, i),
            b'$' => single_dollar(text, i),
            _ => None,
        };
        match found {
            Some((end, display, tex)) if !tex.trim().is_empty() => {
                out.push_str(&text[copied..i]);
                out.push(OPEN);
                out.push_str(&formulas.len().to_string());
                out.push(CLOSE);
                formulas.push(Formula {
                    math: Math {
                        display,
                        tex: without_blank_lines(tex.trim()),
                    },
                    source: text[i..end].to_string(),
                });
                i = end;
                copied = end;
            }
            _ => i += if b[i] == b'$' { 1 } else { utf8_len(b[i]) },
        }
    }
    out.push_str(&text[copied..]);
}

/// A formula's TeX without the blank lines a math block may hold: TeX itself refuses them
/// in math, and a Markdown note's `$$` block must not be cut by one.
fn without_blank_lines(tex: &str) -> String {
    if !has_blank_line(tex) {
        return tex.to_string();
    }
    tex.lines()
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

/// The end of a code span starting at `i` (a run of backticks closed by a run of the same
/// length), or just past the run when it is never closed.
fn skip_code_span(text: &str, i: usize) -> usize {
    let run = text[i..].bytes().take_while(|&b| b == b'`').count();
    let ticks = &text[i..i + run];
    let mut j = i + run;
    while let Some(k) = text[j..].find(ticks) {
        let at = j + k;
        let len = text[at..].bytes().take_while(|&b| b == b'`').count();
        if len == run {
            return at + run;
        }
        j = at + len;
    }
    i + run
}

/// Past a raw `<pre>`, `<code>`, `<script>` or `<style>` element starting at `i`, or past
/// any other tag (so attribute values are never scanned).
fn skip_raw_element(text: &str, i: usize) -> usize {
    let rest = &text[i + 1..];
    let name_len = rest.bytes().take_while(u8::is_ascii_alphanumeric).count();
    if name_len == 0 {
        return i + 1;
    }
    let name = &rest[..name_len];
    if ["pre", "code", "script", "style"]
        .iter()
        .any(|raw| raw.eq_ignore_ascii_case(name))
    {
        // The matching end tag, in any case, found without copying the text.
        let closes = |k: usize| {
            text[i + k + 2..]
                .get(..name_len)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        };
        if let Some((k, _)) = text[i..].match_indices("</").find(|&(k, _)| closes(k)) {
            return i + k + 2 + name_len;
        }
    }
    match rest.find(['>', '\n']) {
        Some(k) if rest.as_bytes()[k] == b'>' => i + 1 + k + 1,
        _ => i + 1,
    }
}

enum Backslash<'t> {
    /// A formula: its end, whether it is display math, its TeX.
    Math(usize, bool, &'t str),
    /// Not a formula: how many bytes to copy.
    Skip(usize),
}

/// What a backslash at `i` starts: `\(`, `\[`, `\\(`, `\\[`, `\begin{env}`, or an escape.
fn backslash(text: &str, i: usize) -> Backslash<'_> {
    let rest = &text[i..];
    // `\(`, `\[` are also CommonMark escapes (`\[citation\]`): only TeX-looking content
    // makes them math.
    let delimited = |open: &str, close: &str, display: bool| {
        let body = &text[i + open.len()..];
        find_closing(body, close)
            .filter(|&k| looks_like_tex(&body[..k]))
            .map(|k| {
                let end = i + open.len() + k + close.len();
                Backslash::Math(end, display, &body[..k])
            })
    };
    let found = if rest.starts_with("\\\\(") {
        delimited("\\\\(", "\\\\)", false)
    } else if rest.starts_with("\\\\[") {
        delimited("\\\\[", "\\\\]", true)
    } else if rest.starts_with("\\(") {
        delimited("\\(", "\\)", false)
    } else if rest.starts_with("\\[") {
        delimited("\\[", "\\]", true)
    } else if let Some(env) = rest.strip_prefix("\\begin{").and_then(|r| {
        let name = &r[..r.find('}')?];
        ENVIRONMENTS.contains(&name).then_some(name)
    }) {
        let close = format!("\\end{{{env}}}");
        rest.find(&close).map(|k| {
            let end = i + k + close.len();
            Backslash::Math(end, true, &text[i..end])
        })
    } else {
        None
    };
    match found {
        Some(found) => found,
        // An escape: the backslash and the character after it are copied together, so `\$`
        // and `\\` never start anything.
        None => Backslash::Skip(1 + rest[1..].chars().next().map_or(0, char::len_utf8)),
    }
}

/// Whether text between `\(…\)` or `\[…\]` is a formula rather than escaped brackets: it has
/// a TeX command (`\alpha`), a script (`^`, `_`), a group or an equals sign, and no link or URL
/// (`\[see [here](https://a.test/x_y)\]`).
fn looks_like_tex(s: &str) -> bool {
    if s.contains("](") || s.contains("://") {
        return false;
    }
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &c)| match c {
        b'\\' => b.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic()),
        b'^' | b'=' | b'{' => true,
        b'_' => i == 0 || b[i - 1] != b'\\',
        _ => false,
    })
}

/// The offset of `close` in `body`, if it comes before a blank line and an HTML tag (in
/// posts with HTML bodies, paragraphs are tags, not blank lines).
fn find_closing(body: &str, close: &str) -> Option<usize> {
    let k = body.find(close)?;
    // Tags first: an HTML body has one within a paragraph, and a Markdown body has few `<`, so
    // each check stops early.
    (!has_html_tag(&body[..k]) && !has_blank_line(&body[..k])).then_some(k)
}

/// Whether `s` holds an HTML tag (`<p>`, `</div>`, `<br/>`, `<a href="…">`); `a<b` alone is not.
fn has_html_tag(s: &str) -> bool {
    s.match_indices('<').any(|(i, _)| is_tag(&s[i + 1..]))
}

/// Whether the text after a `<` is a tag: a name, then `>`, a space, `/` or a newline, and a
/// `>` before the next `<`.
fn is_tag(rest: &str) -> bool {
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    let name = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    name > 0
        && rest.as_bytes()[0].is_ascii_alphabetic()
        && rest[name..].starts_with(['>', ' ', '/', '\n'])
        && rest[name..]
            .split('<')
            .next()
            .is_some_and(|r| r.contains('>'))
}

fn has_blank_line(s: &str) -> bool {
    // The lines between two newlines, up to the first blank one: a paragraph's length, not the
    // distance to the next `$`, which may be the end of the post.
    let mut newlines = memchr::memchr_iter(b'\n', s.as_bytes());
    let Some(mut prev) = newlines.next() else {
        return false;
    };
    for next in newlines {
        if s[prev + 1..next].trim().is_empty() {
            return true;
        }
        prev = next;
    }
    false
}

/// `$$…$$` at `i`: display math when it is a paragraph of its own, else inline (kramdown).
fn double_dollar(text: &str, i: usize) -> Option<(usize, bool, &str)> {
    let body = &text[i + 2..];
    let (before, _) = text.split_at(i);
    let (line_before, lines_before) = match before.rfind('\n') {
        Some(n) => (&before[n + 1..], &before[..n]),
        None => (before, ""),
    };
    let previous_line = lines_before.rsplit('\n').next().unwrap_or("");
    let alone_before = line_before.trim().is_empty()
        && (previous_line.trim().is_empty() || previous_line.trim_start().starts_with('#'));
    // A block that opens a paragraph may hold blank lines (kramdown's math block, which ends
    // at a `$$` closing its line); within a paragraph, a blank line ends the search.
    let k = match find_closing(body, "$$") {
        Some(k) => k,
        None if alone_before => block_closing(body)?,
        None => return None,
    };
    let end = i + 2 + k + 2;
    let after = &text[end..];
    let (line_after, lines_after) = match after.find('\n') {
        Some(n) => (&after[..n], &after[n + 1..]),
        None => (after, ""),
    };
    let next_line = lines_after.split('\n').next().unwrap_or("");
    let alone_after = line_after.trim().is_empty() && next_line.trim().is_empty();
    Some((end, alone_before && alone_after, &body[..k]))
}

/// The offset of the `$$` closing a math block that spans blank lines: the first `$$` in
/// `body` that ends its line, with no HTML tag before it.
fn block_closing(body: &str) -> Option<usize> {
    let k = body.find("$$")?;
    let rest = &body[k + 2..];
    let ends_line = rest[..rest.find('\n').unwrap_or(rest.len())]
        .trim()
        .is_empty();
    (ends_line && !has_html_tag(&body[..k])).then_some(k)
}

/// Whether a line starts a Markdown block that a paragraph's text cannot run into: a list
/// item (`-`, `*`, `+`, `1.`, `1)` and a space), a block quote, an ATX heading, a code fence
/// or a table row.
fn starts_block(line: &str) -> bool {
    let t = line.trim_start_matches([' ', '\t']);
    let marker_then_space = |rest: &str| rest.is_empty() || rest.starts_with([' ', '\t', '\n']);
    match t.as_bytes().first() {
        Some(b'-' | b'*' | b'+') => marker_then_space(&t[1..]),
        Some(b'>' | b'|') => true,
        Some(b'#') => marker_then_space(t.trim_start_matches('#')),
        Some(b'`') => t.starts_with("```"),
        Some(b'~') => t.starts_with("~~~"),
        Some(b'0'..=b'9') => {
            let digits = t.bytes().take_while(u8::is_ascii_digit).count();
            digits <= 9
                && t[digits..].starts_with(['.', ')'])
                && marker_then_space(&t[digits + 1..])
        }
        _ => false,
    }
}

/// `$…$` at `i`, by pandoc's rules.
fn single_dollar(text: &str, i: usize) -> Option<(usize, bool, &str)> {
    let body = &text[i + 1..];
    let first = body.chars().next()?;
    if first.is_whitespace() {
        return None;
    }
    let mut escaped = false;
    let mut prev = first;
    for (k, c) in body.char_indices() {
        if escaped {
            escaped = false;
            prev = c;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '$' if k > 0 && !prev.is_whitespace() => {
                let next = body[k + 1..].chars().next();
                if !next.is_some_and(|n| n.is_ascii_digit()) {
                    let tex = &body[..k];
                    if has_blank_line(tex) || has_html_tag(tex) {
                        return None;
                    }
                    return Some((i + 1 + k + 1, false, tex));
                }
            }
            '\n' if body[k + 1..]
                .trim_start_matches([' ', '\t'])
                .starts_with('\n') =>
            {
                return None
            }
            // Inline math never crosses a block (pandoc parses it inside one; kramdown has no
            // `$…$` at all, MathJax on the page sees the rendered blocks): a line that starts
            // a list item, a quote, a heading, a fence or a table row ends the search.
            '\n' if starts_block(&body[k + 1..]) => return None,
            // A formula never spans a tag (in HTML bodies, paragraphs are tags): the search
            // ends there, not at the next `$` of the post, which may be far away.
            '<' if is_tag(&body[k + 1..]) => return None,
            _ => {}
        }
        prev = c;
    }
    None
}

/// Puts the formulas back into blocks read from [`protect`]ed text.
pub fn restore(blocks: &mut Vec<Block>, formulas: &[Formula]) {
    walk_restore(blocks, formulas)
}

fn walk_restore(blocks: &mut Vec<Block>, formulas: &[Formula]) {
    struct Restore<'f>(&'f [Formula]);
    impl VisitMut for Restore<'_> {
        fn blocks(&mut self, blocks: &mut Vec<Block>) {
            for b in blocks {
                match b {
                    Block::Code { text, .. } => *text = sources(text, self.0),
                    Block::Figure(img) => restore_image(img, self.0),
                    _ => {}
                }
            }
        }
        fn inlines(&mut self, inlines: &mut Vec<Inline>) {
            if !inlines.iter().any(|i| match i {
                Inline::Text(t) | Inline::Code(t) => t.contains(OPEN),
                Inline::Link(_) | Inline::Image(_) => true,
                _ => false,
            }) {
                return;
            }
            let old = std::mem::take(inlines);
            for inline in old {
                match inline {
                    Inline::Text(t) if t.contains(OPEN) => split_text(&t, self.0, inlines),
                    Inline::Code(t) => inlines.push(Inline::Code(sources(&t, self.0))),
                    Inline::Image(mut img) => {
                        restore_image(&mut img, self.0);
                        inlines.push(Inline::Image(img));
                    }
                    Inline::Link(mut link) => {
                        link.url = sources(&link.url, self.0);
                        link.title = link.title.map(|t| sources(&t, self.0));
                        inlines.push(Inline::Link(link));
                    }
                    other => inlines.push(other),
                }
            }
        }
    }
    crate::model::walk_mut(blocks, &mut Restore(formulas));
}

fn restore_image(img: &mut Image, formulas: &[Formula]) {
    img.alt = sources(&img.alt, formulas);
    img.src = sources(&img.src, formulas);
    img.title = img.title.as_deref().map(|t| sources(t, formulas));
}

/// Splits text at placeholders into text and math inlines.
fn split_text(t: &str, formulas: &[Formula], out: &mut Vec<Inline>) {
    let mut rest = t;
    while let Some((before, formula, after)) = next_placeholder(rest, formulas) {
        if !before.is_empty() {
            out.push(Inline::Text(before.to_string()));
        }
        out.push(Inline::Math(Box::new(formula.math.clone())));
        rest = after;
    }
    if !rest.is_empty() {
        out.push(Inline::Text(rest.to_string()));
    }
}

/// Text with every placeholder replaced by its formula's source.
fn sources(t: &str, formulas: &[Formula]) -> String {
    if !t.contains(OPEN) {
        return t.to_string();
    }
    let mut out = String::with_capacity(t.len());
    let mut rest = t;
    while let Some((before, formula, after)) = next_placeholder(rest, formulas) {
        out.push_str(before);
        out.push_str(&formula.source);
        rest = after;
    }
    out.push_str(rest);
    out
}

fn next_placeholder<'t, 'f>(
    t: &'t str,
    formulas: &'f [Formula],
) -> Option<(&'t str, &'f Formula, &'t str)> {
    let open = t.find(OPEN)?;
    let digits = &t[open + OPEN.len_utf8()..];
    let close = digits.find(CLOSE)?;
    let formula = formulas.get(digits[..close].parse::<usize>().ok()?)?;
    Some((&t[..open], formula, &digits[close + CLOSE.len_utf8()..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(src: &str) -> Vec<(bool, String)> {
        protect(src)
            .map(|(_, f)| {
                f.into_iter()
                    .map(|f| (f.math.display, f.math.tex))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn dollars_follow_pandocs_rules() {
        assert_eq!(found("costs $5 and $10 today"), []);
        assert_eq!(found("shell: echo $HOME and $PATH"), []);
        assert_eq!(found("let $x_1 * y_2$ be"), [(false, "x_1 * y_2".into())]);
        assert_eq!(found("not $ x$ nor $x $"), []);
        assert_eq!(found("escaped \\$x$ is text"), []);
        assert_eq!(found("`$x$` in code"), []);
        assert_eq!(found("```\n$x$\n```\n"), []);
        assert_eq!(found("<code>$x$</code> and <a title=\"$y$\">"), []);
        assert_eq!(found("a $x\n\ny$ b"), []);
        assert_eq!(
            found("<p>$700,000 home<br/>and more</p><p>only 5$ left</p>"),
            []
        );
        assert_eq!(
            found("$a<b$ and $$c < d$$"),
            [(false, "a<b".into()), (false, "c < d".into())]
        );
    }

    #[test]
    fn a_dollar_formula_never_crosses_a_block() {
        // From one list item into the next, a quote, a heading: prose, not math.
        for md in [
            "1. Set $x = 1 in one.\n1. And (y$ in two.\n",
            "- a $b\n- c$ d\n",
            "Pay $5\n> then$ more\n",
            "Say $a\n## b$ c\n",
            "| $a | b |\n| c$ | d |\n",
        ] {
            assert!(found(md).is_empty(), "{md}");
        }
        // A paragraph's next line, even within a list item, still closes a formula.
        assert_eq!(
            found("- take $a +\n  b$ now\n"),
            [(false, "a +\n  b".to_string())]
        );
    }

    #[test]
    fn double_dollars_are_display_only_alone() {
        assert_eq!(
            found("inline $$a+b$$ here\n\n$$\nx \\\\\n- \\log y\n$$\n\nafter"),
            [(false, "a+b".into()), (true, "x \\\\\n- \\log y".into())]
        );
        assert_eq!(found("text\n$$x$$\n"), [(false, "x".into())]);
        // kramdown's math block holds blank lines; a paragraph's `$$` does not reach past one.
        assert_eq!(
            found("$$\n\\begin{aligned}\na &= b \\\\\n\nc &= d\n\\end{aligned}\n$$\n\nafter"),
            [(
                true,
                "\\begin{aligned}\na &= b \\\\\nc &= d\n\\end{aligned}".into()
            )]
        );
        assert_eq!(found("costs $$ 5\n\nand $$ 6"), []);
        assert_eq!(found("$$ a\n\nb $$ c\n\nd $$"), []);
        assert_eq!(found("$$x$$"), [(true, "x".into())]);
    }

    #[test]
    fn backslash_delimiters_and_environments() {
        assert_eq!(
            found(
                "a \\(x^2\\) b \\\\(y_1\\\\) c\n\n\\[z = 1\\]\n\n\\begin{align*}a &= b\\\\c\\end{align*}"
            ),
            [
                (false, "x^2".into()),
                (false, "y_1".into()),
                (true, "z = 1".into()),
                (true, "\\begin{align*}a &= b\\\\c\\end{align*}".into())
            ]
        );
        assert_eq!(found("a \\\\ b \\$ c"), []);
        // Escaped brackets and parentheses around prose are not math.
        assert_eq!(
            found("\\[citation needed\\] and \\(aside\\) and \\[a\\_b\\]"),
            []
        );
    }
}
