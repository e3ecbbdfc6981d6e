//! What MathJax and KaTeX accept in a formula that `pulldown-latex` does not, rewritten into
//! TeX it parses, before [`super::mathml`] builds MathML. The formula's annotation keeps the
//! TeX as written.
//!
//! Posts are written for MathJax or KaTeX, and theme demo posts use these in their first
//! formulas (Chirpy's `\label`/`\eqref`, TeXt's `\over` and `\notag`); each made the whole
//! formula fall back to its TeX source:
//! - numbering: `\label{…}`, `\notag` and `\nonumber` only steer equation numbers, which a
//!   book does not number, and are dropped; `\tag{3}` is shown as `(3)` at the end of its
//!   line; `\eqref{key}`/`\ref{key}` show their key, as MathJax shows a reference it cannot
//!   resolve (as `(key)` and `key`).
//! - plain TeX's infix fractions: `{a \over b}` is `\frac{a}{b}`, `\choose` `\binom`, `\atop`
//!   a fraction without a bar, each within its group.
//! - the logos `\TeX`, `\LaTeX`, `\KaTeX` as text.
//! - lines broken with `\\` outside any environment, which MathJax and KaTeX show as lines of
//!   a `gathered` (or `aligned`, when the lines hold `&`) block.
//! - MathJax's other spellings: `\bm`/`\pmb` (bold), `\mbox`/`\hbox` (text), `\emph`,
//!   `\mathscr` (as calligraphic), `\Bbb`, `\space`, `\newline`, `\mod`, `\verb|…|`, plain
//!   TeX's `\pmatrix{…}`/`\matrix`/`\cases`, `eqnarray` (as a three-column array); size
//!   commands (`\large`), `\require{…}` and a box's frame (`\boxed`, `\fbox`, `\bbox[…]`)
//!   are dropped, keeping what they hold, and a phantom becomes a space.
//!
//! - mhchem's `\ce{…}` for the formulas posts write (`2H2 + O2 -> 2H2O`, `SO4^2-`, arrows
//!   with text above): symbols upright, numbers after them subscripts, charges superscripts.
//!   mhchem's rarer notation (bonds, states as subscripts, `\pu` units) is not read.

use std::borrow::Cow;

/// How deep groups are searched for infix fractions.
const MAX_NESTING: usize = 64;

/// `tex` in the TeX `pulldown-latex` reads, borrowed when nothing needed rewriting.
pub fn compat(tex: &str) -> Cow<'_, str> {
    if !tex.contains('\\') {
        return Cow::Borrowed(tex);
    }
    let commands = commands(tex);
    let infix = infix(&commands, 0);
    let lines = lines(&infix);
    if lines == tex {
        Cow::Borrowed(tex)
    } else {
        Cow::Owned(lines)
    }
}

/// The name of the command starting at `at` (a `\`), letters only, or one other character.
fn command_at(tex: &str, at: usize) -> &str {
    let rest = &tex[at + 1..];
    let letters = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    if letters > 0 {
        &rest[..letters]
    } else {
        rest.chars().next().map_or("", |c| &rest[..c.len_utf8()])
    }
}

/// The `{…}` group starting at `at` after optional spaces: its content and the index after it.
fn group_at(tex: &str, at: usize) -> Option<(&str, usize)> {
    let start = at + tex[at..].len() - tex[at..].trim_start().len();
    if !tex[start..].starts_with('{') {
        return None;
    }
    let mut depth = 0usize;
    let mut i = start;
    let bytes = tex.as_bytes();
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((&tex[start + 1..i], i + 1));
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Numbering commands and logos rewritten.
fn commands(tex: &str) -> String {
    let mut out = String::with_capacity(tex.len() + 16);
    let mut i = 0;
    while let Some(off) = tex[i..].find('\\') {
        let at = i + off;
        out.push_str(&tex[i..at]);
        let name = command_at(tex, at);
        let after = at + 1 + name.len();
        let starred = name == "tag" && tex[after..].starts_with('*');
        let arg_from = after + usize::from(starred);
        let replaced = match name {
            "notag" | "nonumber" | "tiny" | "scriptsize" | "footnotesize" | "small"
            | "normalsize" | "large" | "Large" | "LARGE" | "huge" | "Huge" => {
                Some((String::new(), after))
            }
            "TeX" | "LaTeX" | "KaTeX" => Some((format!("\\text{{{name}}}"), after)),
            "bm" | "pmb" => Some(("\\boldsymbol".to_string(), after)),
            "mbox" | "hbox" => Some(("\\text".to_string(), after)),
            "emph" => Some(("\\textit".to_string(), after)),
            "mathscr" => Some(("\\mathcal".to_string(), after)),
            "Bbb" => Some(("\\mathbb".to_string(), after)),
            "space" => Some(("\\ ".to_string(), after)),
            "newline" => Some(("\\\\".to_string(), after)),
            "mod" => Some(("\\bmod".to_string(), after)),
            // An invisible box's room, roughly.
            "phantom" | "hphantom" => group_at(tex, after).map(|(_, end)| ("\\;".to_string(), end)),
            // Extensions MathJax loads on demand; a box's frame is lost, not its content.
            "require" => group_at(tex, after).map(|(_, end)| (String::new(), end)),
            "boxed" | "fbox" => Some((String::new(), after)),
            "bbox" => {
                let rest = &tex[after..];
                let skip = match rest.trim_start().strip_prefix('[') {
                    Some(r) => r.find(']').map(|e| rest.len() - r.len() + e + 1),
                    None => Some(0),
                };
                skip.map(|skip| (String::new(), after + skip))
            }
            "ce" => group_at(tex, after).map(|(arg, end)| (chemistry(arg), end)),
            "verb" => tex[after..].chars().next().and_then(|delim| {
                let from = after + delim.len_utf8();
                let end = tex[from..].find(delim)?;
                let text = text_safe(&tex[from..from + end]);
                Some((format!("\\texttt{{{text}}}"), from + end + delim.len_utf8()))
            }),
            // Plain TeX's matrices (MathJax takes them) as environments.
            "matrix" | "pmatrix" | "bmatrix" | "vmatrix" | "cases" => {
                group_at(tex, after).map(|(inner, end)| {
                    let env = if name == "matrix" { "matrix" } else { name };
                    (format!("\\begin{{{env}}}{inner}\\end{{{env}}}"), end)
                })
            }
            "begin" | "end" => group_at(tex, after).and_then(|(env, end)| {
                // `eqnarray` is three columns, right, centre, left.
                let array = match (name, env.trim_end_matches('*')) {
                    ("begin", "eqnarray") => "\\begin{array}{rcl}",
                    ("end", "eqnarray") => "\\end{array}",
                    _ => return None,
                };
                Some((array.to_string(), end))
            }),
            "label" | "eqref" | "ref" | "tag" => group_at(tex, arg_from).map(|(arg, end)| {
                let arg = arg.trim();
                let text = match name {
                    "label" => String::new(),
                    "eqref" => format!("\\text{{({})}}", text_safe(arg)),
                    "ref" => format!("\\text{{{}}}", text_safe(arg)),
                    _ if starred => format!("\\qquad\\text{{{}}}", text_safe(arg)),
                    _ => format!("\\qquad\\text{{({})}}", text_safe(arg)),
                };
                (text, end)
            }),
            _ => None,
        };
        match replaced {
            Some((text, end)) => {
                out.push_str(&text);
                i = end;
            }
            None => {
                out.push_str(&tex[at..after.max(at + 1)]);
                i = after.max(at + 1);
            }
        }
    }
    out.push_str(&tex[i..]);
    out
}

/// mhchem's `\ce{…}` in plain TeX, for the formulas posts write: `H2O`, `2H2 + O2 -> 2H2O`,
/// `SO4^2-`, `Fe^{3+}`, `Na+`, `CuSO4*5H2O`, `A ->[heat] B`. Element symbols upright, a number
/// after a symbol or a bracket a subscript, a charge a superscript, a leading number a
/// coefficient; arrows (`->`, `<-`, `<->`, `<=>`, with `[above]` text) and `+` between terms.
fn chemistry(arg: &str) -> String {
    let mut out = String::with_capacity(arg.len() * 2);
    for (i, token) in arg.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let arrow = ["<=>", "<->", "->", "<-"]
            .into_iter()
            .find(|a| token.starts_with(a));
        if let Some(arrow) = arrow {
            let command = match arrow {
                "<=>" => "rightleftharpoons",
                "<->" => "leftrightarrow",
                "->" => "rightarrow",
                _ => "leftarrow",
            };
            let above = token[arrow.len()..]
                .strip_prefix('[')
                .and_then(|r| r.split(']').next())
                .filter(|a| !a.is_empty());
            match above {
                Some(text) if arrow == "->" => {
                    out.push_str(&format!("\\xrightarrow{{\\text{{{}}}}}", text_safe(text)));
                }
                _ => {
                    out.push('\\');
                    out.push_str(command);
                }
            }
        } else if token == "+" || token == "=" {
            out.push_str(token);
        } else {
            out.push_str("\\mathrm{");
            out.push_str(&chemical_term(token));
            out.push('}');
        }
    }
    out
}

/// One term of a chemical formula (`2H2O`, `SO4^2-`, `Na+`) in TeX, inside `\mathrm`.
fn chemical_term(term: &str) -> String {
    let chars: Vec<char> = term.chars().collect();
    let mut out = String::with_capacity(term.len() * 2);
    let mut i = 0;
    // After a symbol or a closing bracket, a number is a subscript; at the start, a coefficient.
    let mut after_symbol = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '0'..='9' if after_symbol => {
                let start = i;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                let digits: String = chars[start..i].iter().collect();
                // `Na2+`-style charges are written `^2+`; a number then a sign at the end is one.
                if i + 1 == chars.len() && matches!(chars[i], '+' | '-') {
                    out.push_str(&format!("^{{{digits}{}}}", chars[i]));
                    i += 1;
                } else {
                    out.push_str(&format!("_{{{digits}}}"));
                }
                continue;
            }
            '^' => {
                i += 1;
                let sup: String = if chars.get(i) == Some(&'{') {
                    let end = chars[i..]
                        .iter()
                        .position(|&c| c == '}')
                        .map_or(chars.len(), |e| i + e);
                    let s = chars[i + 1..end].iter().collect();
                    i = (end + 1).min(chars.len());
                    s
                } else {
                    let start = i;
                    while i < chars.len()
                        && (chars[i].is_ascii_digit() || matches!(chars[i], '+' | '-'))
                    {
                        i += 1;
                    }
                    chars[start..i].iter().collect()
                };
                out.push_str(&format!("^{{{}}}", text_safe(&sup)));
                after_symbol = false;
                continue;
            }
            '+' | '-' if i + 1 == chars.len() && after_symbol => {
                out.push_str(&format!("^{{{c}}}"));
            }
            '*' | '.' | '·' => {
                out.push_str("\\cdot ");
                after_symbol = false;
            }
            '{' | '}' | '\\' | '&' | '%' | '#' | '$' | '~' => {}
            _ => {
                out.push(c);
                after_symbol = c.is_alphabetic() || matches!(c, ')' | ']');
            }
        }
        i += 1;
    }
    out
}

/// A label's text for `\text{…}`: braces and backslashes left out.
fn text_safe(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '{' | '}' | '\\'))
        .collect()
}

/// Every brace group (and the formula itself) with one infix fraction at its own level
/// rewritten as the fraction command around its two sides.
fn infix(tex: &str, depth: usize) -> String {
    // Past any real formula's nesting (hostile input nests thousands deep: the stack).
    if depth > MAX_NESTING
        || !["\\over", "\\choose", "\\atop"]
            .iter()
            .any(|c| tex.contains(c))
    {
        return tex.to_string();
    }
    // The group's content, with inner groups rewritten first.
    let mut out = String::with_capacity(tex.len() + 16);
    let mut i = 0;
    let bytes = tex.as_bytes();
    let mut split: Option<(usize, &str)> = None;
    let mut unsplittable = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                let name = command_at(tex, i);
                let end = i + 1 + name.len().max(1).min(tex.len() - i - 1);
                match name {
                    "over" | "choose" | "atop" if split.is_none() => {
                        split = Some((out.len(), name));
                    }
                    "over" | "choose" | "atop" | "\\" | "left" | "right" | "begin" | "end" => {
                        unsplittable = true;
                    }
                    _ => {}
                }
                // The command itself is kept (removed below when it splits the group).
                out.push_str(&tex[i..end]);
                i = end;
            }
            b'{' => match group_at(tex, i) {
                Some((inner, end)) => {
                    out.push('{');
                    out.push_str(&infix(inner, depth + 1));
                    out.push('}');
                    i = end;
                }
                None => {
                    out.push_str(&tex[i..]);
                    i = bytes.len();
                }
            },
            b'&' => {
                unsplittable = true;
                out.push('&');
                i += 1;
            }
            _ => {
                let c = tex[i..].chars().next().unwrap_or_default();
                out.push(c);
                i += c.len_utf8().max(1);
            }
        }
    }
    match split {
        Some((at, name)) if !unsplittable => {
            let left = out[..at].trim();
            let right = out[at + 1 + name.len()..].trim();
            match name {
                "over" => format!("\\frac{{{left}}}{{{right}}}"),
                "choose" => format!("\\binom{{{left}}}{{{right}}}"),
                _ => format!("\\genfrac{{}}{{}}{{0pt}}{{}}{{{left}}}{{{right}}}"),
            }
        }
        _ => out,
    }
}

/// A formula whose lines are broken with `\\` outside any environment, as the rows of a
/// `gathered` (or `aligned`) block.
fn lines(tex: &str) -> String {
    let bytes = tex.as_bytes();
    let (mut depth, mut envs, mut i) = (0usize, 0usize, 0);
    let (mut breaks, mut amps) = (false, false);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                let name = command_at(tex, i);
                match name {
                    "begin" => envs += 1,
                    "end" => envs = envs.saturating_sub(1),
                    "\\" if depth == 0 && envs == 0 => breaks = true,
                    _ => {}
                }
                i += 1 + name.len();
                continue;
            }
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b'&' if depth == 0 && envs == 0 => amps = true,
            _ => {}
        }
        i += 1;
    }
    if !breaks {
        return tex.to_string();
    }
    let env = if amps { "aligned" } else { "gathered" };
    format!("\\begin{{{env}}}{tex}\\end{{{env}}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_commands_and_logos() {
        assert_eq!(compat(r"\sum_n a_n = 1 \label{eq:sum}"), r"\sum_n a_n = 1 ");
        assert_eq!(compat(r"\eqref{eq:sum}"), r"\text{(eq:sum)}");
        assert_eq!(compat(r"x \notag"), r"x ");
        assert_eq!(compat(r"x \tag{3}"), r"x \qquad\text{(3)}");
        assert_eq!(compat(r"x \tag*{A}"), r"x \qquad\text{A}");
        assert_eq!(compat(r"\LaTeX\ and \TeX"), r"\text{LaTeX}\ and \text{TeX}");
        // Commands that only start alike are left alone.
        assert_eq!(
            compat(r"\labelx + \TeXt + \notags"),
            r"\labelx + \TeXt + \notags"
        );
        assert!(matches!(compat(r"\frac{a}{b}"), Cow::Borrowed(_)));
    }

    #[test]
    fn mathjax_spellings_become_what_the_parser_knows() {
        assert_eq!(compat(r"\bm{x}\Bbb{R}"), r"\boldsymbol{x}\mathbb{R}");
        assert_eq!(compat(r"\require{cancel}\cancel{x}"), r"\cancel{x}");
        assert_eq!(compat(r"\bbox[5px,yellow]{x}"), r"{x}");
        assert_eq!(compat(r"\verb|a_b| c"), r"\texttt{a_b} c");
        assert_eq!(compat(r"\pmatrix{a&b}"), r"\begin{pmatrix}a&b\end{pmatrix}");
        assert_eq!(
            compat(r"\begin{eqnarray*}a&=&b\end{eqnarray*}"),
            r"\begin{array}{rcl}a&=&b\end{array}"
        );
    }

    #[test]
    fn infix_fractions_become_commands_in_their_group() {
        assert_eq!(compat(r"{a \over b} + x"), r"{\frac{a}{b}} + x");
        assert_eq!(compat(r"1 \over 2"), r"\frac{1}{2}");
        assert_eq!(compat(r"{n \choose k}"), r"{\binom{n}{k}}");
        assert_eq!(
            compat(r"{{x+1} \over {y \over 2}}"),
            r"{\frac{{x+1}}{{\frac{y}{2}}}}"
        );
        // `\overline` is not `\over`; a group with two, or with `\left`, stays as it is.
        assert_eq!(compat(r"\overline{x}"), r"\overline{x}");
        assert_eq!(compat(r"{a \over b \over c}"), r"{a \over b \over c}");
        assert_eq!(
            compat(r"{\left( a \over b \right)}"),
            r"{\left( a \over b \right)}"
        );
    }

    #[test]
    fn lines_outside_environments_are_gathered() {
        assert_eq!(
            compat(r"a = b \\ c = d"),
            r"\begin{gathered}a = b \\ c = d\end{gathered}"
        );
        assert_eq!(
            compat(r"a &= b \\ c &= d"),
            r"\begin{aligned}a &= b \\ c &= d\end{aligned}"
        );
        let env = r"\begin{cases} a \\ b \end{cases}";
        assert_eq!(compat(env), env);
    }

    /// Pieces of TeX strung together at random (a fixed seed): rewriting never panics, and
    /// whatever it gives either converts or is refused with an error.
    #[test]
    fn hostile_formulas_never_panic() {
        const PIECES: &[&str] = &[
            r"\over",
            r"\choose",
            r"\atop",
            r"\label",
            r"\tag",
            "*",
            r"\eqref",
            r"\verb",
            r"\bbox",
            r"\pmatrix",
            r"\begin",
            r"\end",
            "{eqnarray}",
            r"\\",
            "&",
            "{",
            "}",
            "[",
            "]",
            "|",
            "x",
            " ",
            r"\",
            "é",
            "中",
            r"\left(",
            r"\right)",
            r"\phantom",
            r"\require",
            r"\ce",
            "->[",
            "2+",
            "^{",
            "H2O",
            r"\TeX",
            r"\notag",
            "^",
            "_",
            r"\frac",
            "{a}",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            let mut tex = String::new();
            for _ in 0..(seed % 12) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                tex.push_str(PIECES[(seed % PIECES.len() as u64) as usize]);
            }
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let _ = super::super::mathml::render(&tex, seed.is_multiple_of(2));
        }
    }

    #[test]
    fn chemistry_in_plain_tex() {
        assert_eq!(compat(r"\ce{H2O}"), r"\mathrm{H_{2}O}");
        assert_eq!(
            compat(r"\ce{2H2 + O2 -> 2H2O}"),
            r"\mathrm{2H_{2}} + \mathrm{O_{2}} \rightarrow \mathrm{2H_{2}O}"
        );
        assert_eq!(compat(r"\ce{SO4^2-}"), r"\mathrm{SO_{4}^{2-}}");
        assert_eq!(
            compat(r"\ce{Fe^{3+} + Na+}"),
            r"\mathrm{Fe^{3+}} + \mathrm{Na^{+}}"
        );
        assert_eq!(
            compat(r"\ce{CuSO4*5H2O}"),
            r"\mathrm{CuSO_{4}\cdot 5H_{2}O}"
        );
        assert_eq!(
            compat(r"\ce{N2 + 3H2 <=> 2NH3}"),
            r"\mathrm{N_{2}} + \mathrm{3H_{2}} \rightleftharpoons \mathrm{2NH_{3}}"
        );
        assert_eq!(
            compat(r"\ce{CaCO3 ->[heat] CaO + CO2}"),
            r"\mathrm{CaCO_{3}} \xrightarrow{\text{heat}} \mathrm{CaO} + \mathrm{CO_{2}}"
        );
        assert_eq!(compat(r"\ce{Ca(OH)2}"), r"\mathrm{Ca(OH)_{2}}");
    }

    /// Deeply nested groups neither overflow the stack nor take long.
    #[test]
    fn deep_nesting_is_left_as_it_is() {
        let deep = format!("{}a \\over b{}", "{".repeat(100_000), "}".repeat(100_000));
        assert_eq!(compat(&deep), deep.as_str());
    }

    /// Each rewritten formula is one `pulldown-latex` reads.
    #[test]
    fn rewritten_formulas_convert() {
        for tex in [
            r"\sum_{n=1}^\infty \frac{1}{n^2} = \frac{\pi^2}{6} \label{eq:series}",
            r"\eqref{eq:series}",
            r"{a \over b} + x \notag",
            r"x \tag{3}",
            r"\LaTeX",
            r"a = b \\ c = d",
            r"a &= b \\ c &= d",
            r"{n \choose k}",
            r"{a \atop b}",
            r"\bm{x} + \pmb{y} + \mbox{if } x \hbox{ and } \emph{z}",
            r"\require{cancel} \cancel{x} + \bbox[yellow]{y} + \boxed{z} + \fbox{w}",
            r"\Large x \verb|a_b| \mathscr{L} + \Bbb{R} \space \phantom{xx} y",
            r"\pmatrix{a & b \\ c & d} + \cases{1 & x > 0 \\ 0 & x \le 0}",
            r"\begin{eqnarray} a &=& b \\ c &=& d \end{eqnarray}",
            r"a \newline b \mod n",
            r"\ce{2H2 + O2 -> 2H2O} \quad \ce{SO4^2- + Ba^{2+} ->[aq] BaSO4 v}",
            r"\ce{{}^}",
            r"\ce{->[}",
        ] {
            super::super::mathml::render(tex, true).unwrap_or_else(|e| panic!("{tex}: {e}"));
        }
    }
}
