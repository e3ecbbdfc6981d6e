//! Syntax highlighting of code blocks for EPUB, as CSS classes.
//!
//! syntect's bundled grammars (Sublime Text's, pure Rust with `fancy-regex`) tag each token
//! with its scope; the spans get `hl-` classes (`hl-keyword`, `hl-comment`, …) that
//! `templates/style.css` styles with weight and slant first, since most e-readers are
//! greyscale. The grammars load once per run, on the first code block with a language, so
//! posts without code cost nothing.

use std::sync::OnceLock;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

fn syntaxes() -> &'static SyntaxSet {
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    SYNTAXES.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Language names as blogs write them that syntect knows by another name or extension.
fn alias(lang: &str) -> &str {
    match lang {
        "shell" | "console" | "zsh" | "bash" | "sh" | "shell-session" => "bash",
        "js" | "javascript" | "jsx" | "node" => "js",
        "ts" | "typescript" | "tsx" => "js",
        "py" | "python3" | "python" => "py",
        "rs" | "rust" => "rs",
        "c++" | "cpp" | "cxx" => "cpp",
        "golang" | "go" => "go",
        "yml" | "yaml" => "yaml",
        "md" | "markdown" => "md",
        "html" | "xhtml" | "htm" => "html",
        "objc" | "objective-c" => "m",
        "dockerfile" | "docker" => "bash",
        "toml" | "ini" | "cfg" => "ini",
        other => other,
    }
}

/// The code as XHTML spans with `hl-` classes, or `None` when the language is unknown (the
/// block is then written plain). The output escapes `&`, `<`, `>`, `"` and `'`, so it is
/// valid XML text.
pub fn highlight(code: &str, lang: &str) -> Option<String> {
    let set = syntaxes();
    let lang = lang.trim().to_ascii_lowercase();
    let name = alias(&lang);
    let syntax = set
        .find_syntax_by_token(name)
        .or_else(|| set.find_syntax_by_extension(name))?;
    if syntax.name == "Plain Text" {
        return None;
    }
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
}
