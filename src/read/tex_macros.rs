//! TeX macros in a post's math: `\newcommand`, `\renewcommand`, `\providecommand`, `\def` and
//! `\DeclareMathOperator` in a formula, and the site's own macros (MathJax `TeX.Macros` /
//! `tex.macros`, KaTeX `macros`, read by [`crate::site`]).
//!
//! MathJax and KaTeX keep a definition for the rest of the page, so a post defines
//! `\newcommand{\pof}[1]{p(#1)}` once and writes `\pof{x}` in every later formula. A
//! converter that takes each formula alone fails on all of them. So the post's formulas are
//! read in order here: definitions are collected (and taken out of their formula: a formula
//! that only defines disappears, as it shows nothing on the page either) and every later use
//! is expanded in the model's TeX. All writers then see self-contained TeX: the MathML in the
//! book, and the `$…$` of a note, which renders anywhere without the site's configuration.
//!
//! Simple forms only, as MathJax's own: up to nine parameters `#1`…`#9`, an optional first
//! argument with a default (`\newcommand{\x}[2][0]{…}`); `\def` with undelimited
//! parameters. A definition of another form stays in its formula for the TeX parser. Expansion
//! is bounded in depth and size: `\def\a{\a}` gives a `math-macro` warning and the formula
//! is left as written.

use crate::model::{Block, Inline, Math};
use crate::warning::{Warning, WarningKind};
use std::collections::HashMap;

/// How many rounds of expansion a formula gets: nested macros need one each.
const MAX_ROUNDS: usize = 32;
/// How long an expanded formula may grow, past its own length.
const MAX_GROWTH: usize = 64 * 1024;

/// One macro: its parameter count, the default of an optional first argument, its body.
#[derive(Debug, Clone, PartialEq)]
pub struct Macro {
    pub params: usize,
    pub default: Option<String>,
    pub body: String,
}

/// The macros in force at a point of a post, by name (without the backslash).
#[derive(Debug, Clone, Default)]
pub struct Macros {
    defs: HashMap<String, Macro>,
}

impl Macros {
    /// The site's macros (name, body, parameters, default of the first), as a starting set.
    pub fn new(site: &[crate::site::TexMacro]) -> Macros {
        let mut m = Macros::default();
        for d in site {
            let params = d.params.unwrap_or_else(|| highest_parameter(&d.body));
            m.defs.insert(
                d.name.trim_start_matches('\\').to_string(),
                Macro {
                    params: params.min(9),
                    default: d.default.clone(),
                    body: d.body.clone(),
                },
            );
        }
        m
    }

    /// Takes the definitions out of `tex` (keeping them for what follows) and expands the
    /// macros in the rest. `Err` names a macro whose expansion did not end.
    pub fn apply(&mut self, tex: &str) -> Result<String, String> {
        let rest = if tex.contains("command") || tex.contains("\\def") || tex.contains("Declare") {
            self.take_definitions(tex)
        } else {
            tex.to_string()
        };
        if self.defs.is_empty() {
            return Ok(rest);
        }
        self.expand(&rest)
    }

    /// `tex` without the definitions it makes, which are recorded.
    fn take_definitions(&mut self, tex: &str) -> String {
        let mut out = String::with_capacity(tex.len());
        let mut i = 0;
        while let Some(k) = tex[i..].find('\\') {
            let at = i + k;
            out.push_str(&tex[i..at]);
            let (name, after) = control_sequence(tex, at);
            let parsed = match name {
                "newcommand" | "renewcommand" | "providecommand" => {
                    parse_newcommand(tex, after).map(|(n, m, end)| (n, m, end, name))
                }
                "def" => parse_def(tex, after).map(|(n, m, end)| (n, m, end, name)),
                "DeclareMathOperator" => {
                    parse_operator(tex, after).map(|(n, m, end)| (n, m, end, name))
                }
                _ => None,
            };
            match parsed {
                Some((defined, m, end, how)) => {
                    // `\providecommand` keeps an earlier definition.
                    if how != "providecommand" || !self.defs.contains_key(&defined) {
                        self.defs.insert(defined, m);
                    }
                    i = end;
                }
                None => {
                    out.push_str(&tex[at..after]);
                    i = after;
                }
            }
        }
        out.push_str(&tex[i..]);
        out
    }

    /// Expands known macros in `tex`, round after round, until none is left.
    fn expand(&self, tex: &str) -> Result<String, String> {
        let limit = tex.len() + MAX_GROWTH;
        let mut current = tex.to_string();
        for _ in 0..MAX_ROUNDS {
            match self.expand_once(&current)? {
                None => return Ok(current),
                Some(next) if next.len() > limit => return Err(self.first_used(&next)),
                Some(next) => current = next,
            }
        }
        Err(self.first_used(&current))
    }

    /// The name of the first defined macro used in `tex` (for the warning).
    fn first_used(&self, tex: &str) -> String {
        let mut i = 0;
        while let Some(k) = tex[i..].find('\\') {
            let (name, after) = control_sequence(tex, i + k);
            if self.defs.contains_key(name) {
                return name.to_string();
            }
            i = after;
        }
        String::new()
    }

    /// One round: every use of a defined macro replaced by its body, arguments put in.
    /// `None` when nothing was expanded.
    fn expand_once(&self, tex: &str) -> Result<Option<String>, String> {
        let mut out = String::with_capacity(tex.len() + 16);
        let mut expanded = false;
        let mut i = 0;
        while let Some(k) = tex[i..].find('\\') {
            let at = i + k;
            out.push_str(&tex[i..at]);
            let (name, after) = control_sequence(tex, at);
            let Some(m) = self.defs.get(name) else {
                out.push_str(&tex[at..after]);
                i = after;
                continue;
            };
            let mut args = Vec::with_capacity(m.params);
            let mut pos = after;
            for n in 0..m.params {
                if n == 0 {
                    if let Some(default) = &m.default {
                        match optional_argument(tex, pos) {
                            Some((arg, end)) => {
                                args.push(arg.to_string());
                                pos = end;
                            }
                            None => args.push(default.clone()),
                        }
                        continue;
                    }
                }
                let (arg, end) =
                    argument(tex, pos).ok_or_else(|| format!("{name} (an argument is missing)"))?;
                args.push(arg.to_string());
                pos = end;
            }
            let body = substitute(&m.body, &args);
            out.push_str(&body);
            // `\R x` with `\R` → `\mathbb{R}`: fine; `\a x` with `\a` → `\alpha` would
            // run into `\alphax`.
            if ends_with_control_word(&body)
                && tex[pos..].starts_with(|c: char| c.is_ascii_alphabetic())
            {
                out.push(' ');
            }
            expanded = true;
            i = pos;
        }
        out.push_str(&tex[i..]);
        Ok(expanded.then_some(out))
    }
}

/// Applies the macros of `site` and of the post's own formulas to every formula of `blocks`,
/// in reading order. A formula that only defines is removed, and so is a paragraph it leaves
/// empty.
pub fn apply(blocks: &mut Vec<Block>, site: &[crate::site::TexMacro], warnings: &mut Vec<Warning>) {
    if site.is_empty() && !has_definition(blocks) {
        return;
    }
    let mut macros = Macros::new(site);
    walk_blocks(blocks, &mut |math| {
        match macros.apply(&math.tex) {
            Ok(tex) => math.tex = tex.trim().to_string(),
            Err(name) => warnings.push(Warning::named(
                WarningKind::MathMacro,
                &name,
                1,
                format!(
                    "TeX macro \\{name} could not be expanded (it never ends or lacks an \
                     argument); the formula is left as written"
                ),
            )),
        }
        !math.tex.is_empty()
    });
}

/// Whether any formula in `blocks` defines a macro (most posts have none: nothing to do).
fn has_definition(blocks: &[Block]) -> bool {
    let mut found = false;
    crate::model::walk(blocks, &mut |node| {
        if let crate::model::Node::Inline(Inline::Math(m)) = node {
            found |= m.tex.contains("command")
                || m.tex.contains("\\def")
                || m.tex.contains("DeclareMathOperator");
        }
        !found
    });
    found
}

/// Calls `f` on every formula in reading order; a formula for which it returns `false` is
/// removed, and a paragraph left empty by that too.
fn walk_blocks(blocks: &mut Vec<Block>, f: &mut dyn FnMut(&mut Math) -> bool) {
    blocks.retain_mut(|b| match b {
        Block::Heading { content, .. } => {
            walk_inlines(content, f);
            true
        }
        Block::Paragraph(content) => {
            let had = !content.is_empty();
            walk_inlines(content, f);
            !had || !content.is_empty()
        }
        Block::List { items, .. } => {
            items.iter_mut().for_each(|i| walk_blocks(i, f));
            true
        }
        Block::Quote(c) => {
            walk_blocks(c, f);
            true
        }
        Block::Table(t) => {
            for row in t.header.iter_mut().chain(t.rows.iter_mut()) {
                row.iter_mut()
                    .for_each(|cell| walk_blocks(&mut cell.blocks, f));
            }
            true
        }
        Block::Figure(_) | Block::Code { .. } | Block::Rule => true,
    });
}

fn walk_inlines(xs: &mut Vec<Inline>, f: &mut dyn FnMut(&mut Math) -> bool) {
    xs.retain_mut(|x| match x {
        Inline::Math(m) => f(m),
        Inline::Emph(c)
        | Inline::Strong(c)
        | Inline::Strike(c)
        | Inline::Sub(c)
        | Inline::Sup(c) => {
            walk_inlines(c, f);
            true
        }
        Inline::Link(link) => {
            walk_inlines(&mut link.content, f);
            true
        }
        Inline::Note(blocks) => {
            walk_blocks(blocks, f);
            true
        }
        Inline::Text(_)
        | Inline::Code(_)
        | Inline::Image(_)
        | Inline::LineBreak
        | Inline::Check(_) => true,
    });
}

/// The control sequence at `at` (a backslash): its name (letters, or one other character) and
/// where it ends.
fn control_sequence(tex: &str, at: usize) -> (&str, usize) {
    let start = at + 1;
    let rest = &tex[start..];
    let letters = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters > 0 {
        let end = start + letters;
        return (&tex[start..end], end);
    }
    match rest.chars().next() {
        Some(c) => (&tex[start..start + c.len_utf8()], start + c.len_utf8()),
        None => ("", start),
    }
}

fn skip_spaces(tex: &str, pos: usize) -> usize {
    pos + tex[pos..].len() - tex[pos..].trim_start().len()
}

/// A brace group at `pos` (after spaces): its content and where it ends.
fn group(tex: &str, pos: usize) -> Option<(&str, usize)> {
    let pos = skip_spaces(tex, pos);
    if !tex[pos..].starts_with('{') {
        return None;
    }
    let mut depth = 0usize;
    let mut escaped = false;
    for (k, c) in tex[pos..].char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((&tex[pos + 1..pos + k], pos + k + 1));
                }
            }
            _ => {}
        }
    }
    None
}

/// A macro argument at `pos`: a brace group's content, or one token.
fn argument(tex: &str, pos: usize) -> Option<(&str, usize)> {
    let pos = skip_spaces(tex, pos);
    match tex[pos..].chars().next()? {
        '{' => group(tex, pos),
        '\\' => {
            let (_, end) = control_sequence(tex, pos);
            Some((&tex[pos..end], end))
        }
        '}' => None,
        c => Some((&tex[pos..pos + c.len_utf8()], pos + c.len_utf8())),
    }
}

/// `[…]` at `pos` (after spaces), brackets inside braces not counting.
fn optional_argument(tex: &str, pos: usize) -> Option<(&str, usize)> {
    let pos = skip_spaces(tex, pos);
    if !tex[pos..].starts_with('[') {
        return None;
    }
    let mut depth = 0usize;
    for (k, c) in tex[pos + 1..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ']' if depth == 0 => return Some((&tex[pos + 1..pos + 1 + k], pos + 1 + k + 1)),
            _ => {}
        }
    }
    None
}

/// The name defined by `{\name}` or `\name` at `pos`.
fn defined_name(tex: &str, pos: usize) -> Option<(String, usize)> {
    let pos = skip_spaces(tex, pos);
    let (inner, end) = match group(tex, pos) {
        Some((inner, end)) => (inner.trim(), end),
        None if tex[pos..].starts_with('\\') => {
            let (_, end) = control_sequence(tex, pos);
            (&tex[pos..end], end)
        }
        None => return None,
    };
    let name = inner.strip_prefix('\\')?;
    let (cs, len) = control_sequence(inner, 0);
    (len == inner.len() && !cs.is_empty()).then(|| (name.to_string(), end))
}

/// `\newcommand{\name}[n][default]{body}` after the command (a `*` allowed).
fn parse_newcommand(tex: &str, pos: usize) -> Option<(String, Macro, usize)> {
    let pos = skip_spaces(tex, pos);
    let pos = if tex[pos..].starts_with('*') {
        pos + 1
    } else {
        pos
    };
    let (name, mut pos) = defined_name(tex, pos)?;
    let mut params = 0;
    let mut default = None;
    if let Some((n, end)) = optional_argument(tex, pos) {
        params = n.trim().parse::<usize>().ok().filter(|&n| n <= 9)?;
        pos = end;
        if let Some((d, end)) = optional_argument(tex, pos) {
            default = Some(d.to_string());
            pos = end;
        }
    }
    let (body, end) = group(tex, pos)?;
    let body = body.to_string();
    Some((
        name,
        Macro {
            params,
            default,
            body,
        },
        end,
    ))
}

/// `\def\name#1#2{body}`: undelimited parameters only.
fn parse_def(tex: &str, pos: usize) -> Option<(String, Macro, usize)> {
    let pos = skip_spaces(tex, pos);
    if !tex[pos..].starts_with('\\') {
        return None;
    }
    let (name, after) = control_sequence(tex, pos);
    if name.is_empty() {
        return None;
    }
    let brace = after + tex[after..].find('{')?;
    let spec: String = tex[after..brace].split_whitespace().collect();
    // `#1#2…` in order, nothing between them.
    let mut params = 0;
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        let n = chars.next()?.to_digit(10)? as usize;
        if c != '#' || n != params + 1 {
            return None;
        }
        params = n;
    }
    let (body, end) = group(tex, brace)?;
    Some((
        name.to_string(),
        Macro {
            params,
            default: None,
            body: body.to_string(),
        },
        end,
    ))
}

/// `\DeclareMathOperator{\name}{text}` (or `*` for limits below).
fn parse_operator(tex: &str, pos: usize) -> Option<(String, Macro, usize)> {
    let pos = skip_spaces(tex, pos);
    let (star, pos) = match tex[pos..].starts_with('*') {
        true => ("*", pos + 1),
        false => ("", pos),
    };
    let (name, pos) = defined_name(tex, pos)?;
    let (text, end) = group(tex, pos)?;
    let body = format!("\\operatorname{star}{{{text}}}");
    Some((
        name,
        Macro {
            params: 0,
            default: None,
            body,
        },
        end,
    ))
}

/// `body` with `#1`…`#9` replaced by the arguments and `##` by `#`.
fn substitute(body: &str, args: &[String]) -> String {
    if !body.contains('#') {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len() + args.iter().map(String::len).sum::<usize>());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '#' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some('#') => {
                chars.next();
                out.push('#');
            }
            Some(d @ '1'..='9') => {
                chars.next();
                let n = d as usize - '1' as usize;
                if let Some(arg) = args.get(n) {
                    out.push_str(arg);
                }
            }
            _ => out.push('#'),
        }
    }
    out
}

/// The highest `#n` in a body: KaTeX's macros give no parameter count.
fn highest_parameter(body: &str) -> usize {
    body.as_bytes()
        .windows(2)
        .filter(|w| w[0] == b'#' && w[1].is_ascii_digit())
        .map(|w| (w[1] - b'0') as usize)
        .max()
        .unwrap_or(0)
}

fn ends_with_control_word(s: &str) -> bool {
    let letters = s.len() - s.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len();
    letters > 0 && s[..s.len() - letters].ends_with('\\')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::TexMacro;

    fn run(formulas: &[&str]) -> Vec<Result<String, String>> {
        let mut m = Macros::default();
        formulas.iter().map(|f| m.apply(f)).collect()
    }

    #[test]
    fn definitions_apply_to_later_formulas() {
        let out = run(&[
            "\\newcommand{\\pof}[1]{p\\left(#1\\right)}",
            "\\pof{x} = \\pof y",
            "\\renewcommand{\\pof}[1]{q(#1)} \\pof{z}",
            "\\def\\R{\\mathbb{R}} \\def\\pair#1#2{(#1, #2)} x \\in \\R^n, \\pair{a}{b}",
            "\\newcommand\\E[2][X]{\\mathbb{E}_{#1}[#2]} \\E{f} + \\E[Y]{g}",
            "\\DeclareMathOperator*{\\argmax}{arg\\,max} \\argmax_\\theta f",
        ]);
        assert_eq!(out[0].as_deref(), Ok(""));
        assert_eq!(
            out[1].as_deref(),
            Ok("p\\left(x\\right) = p\\left(y\\right)")
        );
        assert_eq!(out[2].as_deref(), Ok(" q(z)"));
        assert_eq!(out[3].as_deref(), Ok("  x \\in \\mathbb{R}^n, (a, b)"));
        assert_eq!(
            out[4].as_deref(),
            Ok(" \\mathbb{E}_{X}[f] + \\mathbb{E}_{Y}[g]")
        );
        assert_eq!(
            out[5].as_deref(),
            Ok(" \\operatorname*{arg\\,max}_\\theta f")
        );
    }

    #[test]
    fn nested_macros_expand_and_words_stay_apart() {
        let out = run(&["\\def\\a{\\alpha} \\def\\b{\\a+\\a} \\b x \\a x \\alpha"]);
        assert_eq!(
            out[0].as_deref(),
            Ok("  \\alpha+\\alpha x \\alpha x \\alpha")
        );
    }

    #[test]
    fn endless_expansion_is_an_error() {
        let out = run(&[
            "\\def\\a{\\a} \\a",
            "\\def\\b{\\b\\b} \\b",
            "\\newcommand{\\f}[1]{#1} \\f",
        ]);
        assert_eq!(out[0], Err("a".into()));
        assert_eq!(out[1], Err("b".into()));
        assert!(out[2].is_err());
    }

    #[test]
    fn other_forms_stay_for_the_parser() {
        let out = run(&[
            "\\def\\x#1.{#1} \\x a.",
            "\\newcommand{x}{y}",
            "\\newcommand é",
            "\\def",
            "\\newcommand{\\}",
        ]);
        assert_eq!(out[0].as_deref(), Ok("\\def\\x#1.{#1} \\x a."));
        assert_eq!(out[1].as_deref(), Ok("\\newcommand{x}{y}"));
        assert_eq!(out[2].as_deref(), Ok("\\newcommand é"));
        assert_eq!(out[3].as_deref(), Ok("\\def"));
        assert_eq!(out[4].as_deref(), Ok("\\newcommand{\\}"));
    }

    #[test]
    fn site_macros_and_paragraphs_left_empty() {
        let site = [
            TexMacro {
                name: "RR".into(),
                body: "\\mathbb{R}".into(),
                params: None,
                default: None,
            },
            TexMacro {
                name: "\\norm".into(),
                body: "\\left\\|#1\\right\\|".into(),
                params: None,
                default: None,
            },
        ];
        let math = |tex: &str, display| {
            Inline::Math(Box::new(Math {
                display,
                tex: tex.into(),
            }))
        };
        let mut blocks = vec![
            Block::Paragraph(vec![math("\\newcommand{\\v}{\\mathbf{v}}", true)]),
            Block::Paragraph(vec![
                Inline::Text("Let ".into()),
                math("\\v \\in \\RR^n", false),
                Inline::Emph(vec![math("\\norm{\\v}", false)]),
            ]),
            Block::Paragraph(vec![math("\\def\\x{\\x} \\x", true)]),
        ];
        let mut warnings = Vec::new();
        apply(&mut blocks, &site, &mut warnings);
        assert_eq!(blocks.len(), 2);
        let Block::Paragraph(p) = &blocks[0] else {
            panic!()
        };
        assert_eq!(p[1], math("\\mathbf{v} \\in \\mathbb{R}^n", false));
        assert_eq!(
            p[2],
            Inline::Emph(vec![math("\\left\\|\\mathbf{v}\\right\\|", false)])
        );
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].kind, WarningKind::MathMacro);
        assert_eq!(
            blocks[1],
            Block::Paragraph(vec![math("\\def\\x{\\x} \\x", true)])
        );
    }
}
