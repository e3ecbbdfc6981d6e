//! Syntax highlighting of code blocks for EPUB, as CSS classes.
//!
//! The grammars are bat's set for syntect (`two-face`: Sublime Text grammars for ~200
//! languages, a superset of syntect's own), in its fancy-regex build, so no C library is
//! needed; that build lacks the few grammars fancy-regex cannot compile (PowerShell, ARM
//! assembly, Salt), whose blocks stay plain. Each token's scope becomes `hl-` classes
//! (`hl-keyword`, `hl-comment`, …) that `templates/style.css` styles with weight and slant
//! first, since most e-readers are greyscale. The grammars load once per run (≈2 ms), on the
//! first code block with a language, so posts without code cost nothing.

use std::sync::OnceLock;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

fn syntaxes() -> &'static SyntaxSet {
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    SYNTAXES.get_or_init(two_face::syntax::extra_newlines)
}

/// Language names as people write them in fences (```` ```sh ````) and Jekyll/Hugo highlight
/// tags (`{% highlight ps1 %}`: Rouge's and Chroma's lexer names) that are neither a file
/// extension nor the name of a grammar, or that would find the wrong one (`fs` is GLSL's
/// extension too, `h` Objective-C's), with the grammar they mean. Everything else is looked
/// up as an extension, then as a grammar name (`swift`, `tf`, `kotlin`, `nginx`).
const ALIASES: &[(&str, &str)] = &[
    ("shell", BASH),
    ("console", BASH),
    ("terminal", BASH),
    ("shell-session", BASH),
    ("shellsession", BASH),
    ("sh-session", BASH),
    ("bash-session", BASH),
    ("shellscript", BASH),
    ("ksh", BASH),
    ("node", "JavaScript"),
    ("nodejs", "JavaScript"),
    ("mjs", "JavaScript"),
    ("cjs", "JavaScript"),
    // bat's JSX grammar (JavaScript (Babel)) needs Oniguruma; TSX's reads JSX as well.
    ("jsx", "TypeScriptReact"),
    ("python3", "Python"),
    ("python2", "Python"),
    ("py2", "Python"),
    ("ipython", "Python"),
    ("golang", "Go"),
    ("h", "C"),
    ("csharp", "C#"),
    ("c-sharp", "C#"),
    ("objc", "Objective-C"),
    ("obj-c", "Objective-C"),
    ("objective-c", "Objective-C"),
    ("objectivec", "Objective-C"),
    ("objc++", "Objective-C++"),
    ("objcpp", "Objective-C++"),
    ("objective-c++", "Objective-C++"),
    ("fs", "F#"),
    ("fsharp", "F#"),
    ("viml", "VimL"),
    ("vimscript", "VimL"),
    ("nginxconf", "nginx"),
    ("udiff", "Diff"),
    ("mk", "Makefile"),
    ("mf", "Makefile"),
    ("mysql", "SQL"),
    ("postgresql", "SQL"),
    ("postgres", "SQL"),
    ("psql", "SQL"),
    ("plsql", "SQL"),
    ("plpgsql", "SQL"),
    ("sqlite", "SQL"),
    ("tsql", "SQL"),
    ("docker", "Dockerfile"),
    ("containerfile", "Dockerfile"),
    ("django", "Jinja2"),
    ("jsonc", "JSON"),
    ("json5", "JSON"),
    ("xsl", "XML"),
    ("plist", "XML"),
    ("mdx", "Markdown"),
    ("batch", "Batch File"),
    ("dos", "Batch File"),
    ("x86asm", "x86_64 Assembly"),
    ("assembly", "x86_64 Assembly"),
    ("elisp", "Lisp"),
    ("emacs-lisp", "Lisp"),
    ("scheme", "Lisp"),
    ("common-lisp", "Lisp"),
    ("graphviz", "Graphviz (DOT)"),
    ("regex", "Regular Expression"),
    ("apache", "Apache Conf"),
    ("apacheconf", "Apache Conf"),
    ("env", "DotENV"),
    ("gdscript", "GDScript (Godot Engine)"),
    ("fortran", "Fortran (Modern)"),
    ("delphi", "Pascal"),
    ("lean", "Lean 4"),
    ("ssh-config", "SSH Config"),
    ("sshconfig", "SSH Config"),
];

const BASH: &str = "Bourne Again Shell (bash)";

/// The grammar for a language name as written (any case; `rust,ignore` and `python {…}` are
/// read as their first word), or `None` when there is none (the block is then plain).
fn syntax_for(lang: &str) -> Option<&'static SyntaxReference> {
    let set = syntaxes();
    let lang = lang
        .trim()
        .split([',', ' ', '{'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let syntax = match ALIASES.iter().find(|(alias, _)| *alias == lang) {
        Some((_, name)) => set.find_syntax_by_name(name),
        None => set.find_syntax_by_token(&lang),
    }?;
    (syntax.name != "Plain Text").then_some(syntax)
}

/// The code as XHTML spans with `hl-` classes, or `None` when the language is unknown (the
/// block is then written plain). The output escapes `&`, `<`, `>`, `"` and `'`, so it is
/// valid XML text.
pub fn highlight(code: &str, lang: &str) -> Option<String> {
    let syntax = syntax_for(lang)?;
    let set = syntaxes();
    let mut generator = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        set,
        ClassStyle::SpacedPrefixed { prefix: "hl-" },
    );
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classes_unknown_ones_none() {
        let html = highlight("fn main() { let x = \"<&>\"; } // done\n", "rust").unwrap();
        assert!(
            html.contains("hl-keyword") || html.contains("hl-storage"),
            "{html}"
        );
        assert!(html.contains("hl-comment"), "{html}");
        assert!(html.contains("&lt;&amp;&gt;"), "{html}");
        roxmltree::Document::parse(&format!("<pre>{html}</pre>")).unwrap();
        for lang in ["python", "js", "go", "bash", "c", "java", "yaml"] {
            assert!(highlight("x = 1\n", lang).is_some(), "{lang}");
        }
        assert_eq!(highlight("x", "no-such-language"), None);
    }

    /// Every name people write, with the grammar it must find: the table's aliases and the
    /// names found as an extension or a grammar's name.
    const WRITTEN: &[(&str, &str)] = &[
        ("sh", BASH),
        ("bash", BASH),
        ("zsh", BASH),
        ("shell", BASH),
        ("console", BASH),
        ("shell-session", BASH),
        ("sh-session", BASH),
        ("terminal", BASH),
        ("ksh", BASH),
        ("js", "JavaScript"),
        ("javascript", "JavaScript"),
        ("node", "JavaScript"),
        ("mjs", "JavaScript"),
        ("jsx", "TypeScriptReact"),
        ("ts", "TypeScript"),
        ("typescript", "TypeScript"),
        ("tsx", "TypeScriptReact"),
        ("py", "Python"),
        ("python", "Python"),
        ("python3", "Python"),
        ("py3", "Python"),
        ("rb", "Ruby"),
        ("ruby", "Ruby"),
        ("erb", "HTML (Rails)"),
        ("go", "Go"),
        ("golang", "Go"),
        ("rs", "Rust"),
        ("rust", "Rust"),
        ("c", "C"),
        ("h", "C"),
        ("c++", "C++"),
        ("cpp", "C++"),
        ("cxx", "C++"),
        ("hpp", "C++"),
        ("cs", "C#"),
        ("csharp", "C#"),
        ("c#", "C#"),
        ("java", "Java"),
        ("kt", "Kotlin"),
        ("kotlin", "Kotlin"),
        ("kts", "Kotlin"),
        ("scala", "Scala"),
        ("groovy", "Groovy"),
        ("gradle", "Groovy"),
        ("swift", "Swift"),
        ("objc", "Objective-C"),
        ("objective-c", "Objective-C"),
        ("obj-c", "Objective-C"),
        ("objc++", "Objective-C++"),
        ("m", "Objective-C"),
        ("php", "PHP"),
        ("pl", "Perl"),
        ("perl", "Perl"),
        ("lua", "Lua"),
        ("r", "R"),
        ("jl", "Julia"),
        ("julia", "Julia"),
        ("hs", "Haskell"),
        ("haskell", "Haskell"),
        ("ex", "Elixir"),
        ("elixir", "Elixir"),
        ("erl", "Erlang"),
        ("erlang", "Erlang"),
        ("clj", "Clojure"),
        ("clojure", "Clojure"),
        ("lisp", "Lisp"),
        ("elisp", "Lisp"),
        ("scheme", "Lisp"),
        ("ml", "OCaml"),
        ("ocaml", "OCaml"),
        ("fs", "F#"),
        ("fsharp", "F#"),
        ("f#", "F#"),
        ("dart", "Dart"),
        ("zig", "Zig"),
        ("nim", "Nim"),
        ("nix", "Nix"),
        ("cr", "Crystal"),
        ("crystal", "Crystal"),
        ("elm", "Elm"),
        ("coffee", "CoffeeScript"),
        ("d", "D"),
        ("pascal", "Pascal"),
        ("delphi", "Pascal"),
        ("ada", "Ada"),
        ("fortran", "Fortran (Modern)"),
        ("f90", "Fortran (Modern)"),
        ("matlab", "MATLAB"),
        ("sol", "Solidity"),
        ("solidity", "Solidity"),
        ("verilog", "Verilog"),
        ("systemverilog", "SystemVerilog"),
        ("vhdl", "VHDL"),
        ("glsl", "GLSL"),
        ("wgsl", "WGSL"),
        ("asm", "x86_64 Assembly"),
        ("nasm", "x86_64 Assembly"),
        ("x86asm", "x86_64 Assembly"),
        ("awk", "AWK"),
        ("tcl", "Tcl"),
        ("fish", "Fish"),
        ("bat", "Batch File"),
        ("cmd", "Batch File"),
        ("batch", "Batch File"),
        ("vim", "VimL"),
        ("viml", "VimL"),
        ("vimscript", "VimL"),
        ("yml", "YAML"),
        ("yaml", "YAML"),
        ("toml", "TOML"),
        ("ini", "INI"),
        ("cfg", "INI"),
        ("json", "JSON"),
        ("jsonc", "JSON"),
        ("xml", "XML"),
        ("svg", "XML"),
        ("html", "HTML"),
        ("htm", "HTML"),
        ("xhtml", "HTML"),
        ("css", "CSS"),
        ("scss", "SCSS"),
        ("sass", "Sass"),
        ("less", "Less"),
        ("vue", "Vue Component"),
        ("svelte", "Svelte"),
        ("md", "Markdown"),
        ("markdown", "Markdown"),
        ("tex", "LaTeX"),
        ("latex", "LaTeX"),
        ("bibtex", "BibTeX"),
        ("rst", "reStructuredText"),
        ("adoc", "AsciiDoc (Asciidoctor)"),
        ("diff", "Diff"),
        ("patch", "Diff"),
        ("udiff", "Diff"),
        ("make", "Makefile"),
        ("makefile", "Makefile"),
        ("mk", "Makefile"),
        ("cmake", "CMake"),
        ("sql", "SQL"),
        ("mysql", "SQL"),
        ("postgresql", "SQL"),
        ("graphql", "GraphQL"),
        ("gql", "GraphQL"),
        ("dockerfile", "Dockerfile"),
        ("docker", "Dockerfile"),
        ("tf", "Terraform"),
        ("hcl", "Terraform"),
        ("terraform", "Terraform"),
        ("nginx", "nginx"),
        ("apache", "Apache Conf"),
        ("htaccess", "Apache Conf"),
        ("pp", "Puppet"),
        ("puppet", "Puppet"),
        ("jinja", "Jinja2"),
        ("jinja2", "Jinja2"),
        ("j2", "Jinja2"),
        ("django", "Jinja2"),
        ("twig", "HTML (Twig)"),
        ("proto", "Protocol Buffer"),
        ("protobuf", "Protocol Buffer"),
        ("csv", "Separated Values"),
        ("http", "HTTP Request and Response"),
        ("graphviz", "Graphviz (DOT)"),
        ("dot", "Graphviz (DOT)"),
        ("regex", "Regular Expression"),
        ("crontab", "Crontab"),
        ("dotenv", "DotENV"),
        ("env", "DotENV"),
        ("gdscript", "GDScript (Godot Engine)"),
        ("ssh-config", "SSH Config"),
        ("jq", "JQ"),
        ("typst", "Typst"),
        ("lean", "Lean 4"),
        ("rego", "Rego"),
        ("qml", "QML"),
        ("llvm", "LLVM"),
        ("Rust", "Rust"),
        ("rust,ignore", "Rust"),
        ("python {linenos=table}", "Python"),
    ];

    #[test]
    fn names_people_write_find_their_grammar() {
        let wrong: Vec<String> = WRITTEN
            .iter()
            .filter_map(|&(written, want)| {
                let found = syntax_for(written).map(|s| s.name.as_str());
                (found != Some(want)).then(|| format!("{written}: {found:?}, not {want}"))
            })
            .collect();
        assert!(wrong.is_empty(), "{wrong:#?}");
        // Every alias of the table finds the grammar it names (a renamed grammar fails here).
        for &(alias, name) in ALIASES {
            assert_eq!(
                syntax_for(alias).map(|s| s.name.as_str()),
                Some(name),
                "{alias}"
            );
        }
        // Plain on purpose, or not in the fancy-regex build (PowerShell needs Oniguruma).
        for plain in [
            "text",
            "txt",
            "plain",
            "plaintext",
            "",
            "powershell",
            "ps1",
            "gherkin",
        ] {
            assert!(syntax_for(plain).is_none(), "{plain}");
        }
    }
}
