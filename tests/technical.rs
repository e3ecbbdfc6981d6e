//! Technical blog posts (tests/fixtures/technical): math, footnotes, task lists, heading
//! anchors, highlighted code and kramdown attribute lists, through every writer.

mod common;
use common::*;

const POST: &str = "technical";

fn chapter_of(book: &std::path::Path) -> (String, String) {
    let entries = unzip(book);
    let text = |name: &str| {
        entries
            .iter()
            .find(|(n, _)| n.ends_with(name))
            .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
            .unwrap()
    };
    (text("post-0001.xhtml"), text("content.opf"))
}

#[test]
fn epub_has_mathml_footnotes_anchors_tasks_and_highlighting() {
    let out = tempfile::tempdir().unwrap();
    postbook()
        .args(["convert", "-q", "-t", "epub", "--no-config"])
        .arg(fixture(POST))
        .arg("-o")
        .arg(out.path())
        .assert()
        .success();
    let books = epubs_in(out.path());
    assert_eq!(books.len(), 1);
    let (chapter, opf) = chapter_of(&books[0]);
    parse_xml(chapter.as_bytes()).unwrap();
    // Every formula of the post is MathML (11: 6 inline, 5 display; one of them in a
    // footnote); the `$5 and $10` prices and the shell `$HOME` are not.
    assert_eq!(chapter.matches("<math").count(), 11, "{chapter}");
    assert_eq!(chapter.matches("display=\"block\"").count(), 5);
    assert!(chapter.contains("<annotation encoding=\"application/x-tex\">"));
    assert!(chapter.contains("costs $5 and $10 in total"));
    assert!(!chapter.contains("$$") && !chapter.contains("\\("));
    let item = opf
        .split("<item ")
        .find(|item| item.contains("href=\"post-0001.xhtml\""))
        .unwrap();
    assert!(item.contains("properties=\"mathml\""), "{opf}");
    // Footnotes: references and EPUB 3 footnote asides, linked both ways.
    assert_eq!(chapter.matches("epub:type=\"noteref\"").count(), 2);
    assert_eq!(chapter.matches("<aside epub:type=\"footnote\"").count(), 2);
    assert!(chapter.contains("href=\"#fn-2\"") && chapter.contains("id=\"fn-2\""));
    assert!(chapter.contains("Its second paragraph"));
    // Task lists.
    assert!(chapter.contains("☑") && chapter.contains("☐"));
    assert!(!chapter.contains("[x]"));
    // Headings get anchors, unique in the post; in-post links resolve to them.
    for id in ["setup", "the-softmax", "tasks", "setup-1"] {
        assert!(chapter.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(chapter.contains("<a href=\"#the-softmax\">the softmax section</a>"));
    assert!(chapter.contains("<a href=\"#setup\">the setup</a>"));
    // Code in five languages is highlighted with classes.
    assert!(chapter.matches("class=\"language-").count() >= 6);
    assert!(chapter.contains("hl-keyword") || chapter.contains("hl-storage"));
    assert!(chapter.contains("hl-comment"));
    // Hugo's `{linenos=table,linenostart=10}`: numbered lines from 10, outside the code's text.
    assert!(
        chapter.contains("<span class=\"ln\">10 </span>"),
        "{chapter}"
    );
    assert!(chapter.contains("<span class=\"ln\">11 </span>"));
    assert!(!chapter.contains("linenos"));
    // kramdown attribute lists and the TOC marker never show.
    assert!(!chapter.contains("{:") && !chapter.contains("TOC"));
    // Definition list terms are bold paragraphs over their definitions.
    assert!(chapter
        .contains("<p><strong>Softmax</strong></p>\n<p>Turns scores into probabilities.</p>"));
    epubcheck(&books);

    let plain = tempfile::tempdir().unwrap();
    postbook()
        .args([
            "convert",
            "-q",
            "-t",
            "epub",
            "--no-config",
            "--no-highlight",
        ])
        .arg(fixture(POST))
        .arg("-o")
        .arg(plain.path())
        .assert()
        .success();
    let (chapter, _) = chapter_of(&epubs_in(plain.path())[0]);
    assert!(!chapter.contains("hl-"));
}

#[test]
fn markdown_keeps_math_footnotes_and_tasks_and_reads_back_the_same() {
    let convert = |input: &std::path::Path| {
        let out = postbook()
            .args(["convert", "-q", "-t", "markdown", "--no-config", "-o", "-"])
            .arg(input)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let md = convert(&fixture(POST).join("2024-02-10-attention-math.md"));
    for expected in [
        "$a_1 * b_2$",
        "$W_q, W_k, W_v$",
        "$$\n\\operatorname{Attention}",
        "1 & 2 \\\\\n3 & 4",
        "- \\log p(y_i \\mid x_i) \\\\",
        "costs $5 and $10",
        "a note[^1] and a named note[^2]",
        "[^2]: A longer note.\n\n    Its second paragraph, with $\\alpha$ math.",
        "- [x] derive the gradient\n- [ ] write the code",
        "## Setup\n",
        "```go {linenos=true,linenostart=10}\npackage main",
        // A definition list: bold terms over their definitions.
        "**Softmax**\n\nTurns scores into probabilities.\n\nAlso called *normalized exponential*.\n\n**Logit**\n\nA raw score.",
    ] {
        assert!(md.contains(expected), "missing {expected:?} in:\n{md}");
    }
    assert!(
        !md.contains("\\_") && !md.contains("{:") && !md.contains("\\["),
        "{md}"
    );
    // Reading the note back gives the same note.
    let dir = tempfile::tempdir().unwrap();
    let again = dir.path().join("2024-02-10-attention-math.md");
    std::fs::write(&again, &md).unwrap();
    assert_eq!(convert(&again), md);
}

#[test]
fn text_shows_tex_and_numbered_notes() {
    let out = postbook()
        .args(["convert", "-q", "-t", "text", "--no-config", "-o", "-"])
        .arg(fixture(POST).join("2024-02-10-attention-math.md"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("a note[1] and a named note[2]"), "{text}");
    assert!(text.contains("\n[1] The first footnote.\n[2] A longer note."));
    assert!(text.contains("    A = \\begin{pmatrix}"));
    assert!(text.contains("☑ derive the gradient"));
    assert!(
        text.contains("Softmax\n\nTurns scores into probabilities.\n\nAlso called"),
        "{text}"
    );
}

/// Fenced blocks as people write them, each language by the name used in its fence (Jekyll
/// and Hugo highlight tags use the same names), with a small real snippet.
const LANGUAGES: &[(&str, &str)] = &[
    ("sh", "# list the files\nls -la \"$HOME\""),
    ("bash", "for f in *.md; do echo \"$f\"; done # each post"),
    ("console", "$ cargo build --release # build it\n"),
    ("shell-session", "$ echo \"hi\"\nhi"),
    ("zsh", "autoload -U compinit # completion\ncompinit"),
    ("fish", "set -x PATH $HOME/bin $PATH # fish"),
    ("yml", "# config\ntitle: \"My blog\"\ntags: [a, b]"),
    ("yaml", "on:\n  push: # CI\n    branches: [main]"),
    ("toml", "# Cargo\n[package]\nname = \"postbook\""),
    ("ini", "; settings\n[core]\neditor = vim"),
    ("json", "{\"name\": \"postbook\", \"version\": 1}"),
    (
        "dockerfile",
        "# build\nFROM rust:1.89\nRUN cargo build --release",
    ),
    ("docker", "FROM alpine\nCMD [\"sh\"] # run"),
    (
        "tf",
        "# the bucket\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}",
    ),
    (
        "hcl",
        "variable \"region\" {\n  default = \"eu-west-1\" # Ireland\n}",
    ),
    (
        "nginx",
        "# site\nserver {\n  listen 80;\n  server_name example.com;\n}",
    ),
    (
        "puppet",
        "# web server\npackage { 'nginx': ensure => installed }",
    ),
    (
        "jinja2",
        "{# a loop #}\n{% for p in posts %}{{ p.title }}{% endfor %}",
    ),
    ("j2", "{% if user %}Hello {{ user.name }}{% endif %}"),
    (
        "ts",
        "// typed\nconst n: number = 42;\nexport function f(x: string): void {}",
    ),
    (
        "tsx",
        "const App = () => <div className=\"x\">hi</div>; // view",
    ),
    ("js", "// log it\nconsole.log(\"hello\");"),
    ("jsx", "const el = <h1>Hello</h1>; // JSX"),
    ("kt", "// Kotlin\nfun main() { println(\"hi\") }"),
    (
        "swift",
        "// Swift\nlet greeting = \"Hello\"\nprint(greeting)",
    ),
    ("rs", "// Rust\nfn main() { println!(\"hi\"); }"),
    ("py", "# Python\ndef f(x):\n    return \"x\""),
    ("rb", "# Ruby\nputs \"hello\""),
    ("golang", "// Go\npackage main\nfunc main() {}"),
    ("c++", "// C++\n#include <vector>\nint main() { return 0; }"),
    ("cpp", "std::string s = \"x\"; // C++"),
    ("c", "/* C */\nint main(void) { return 0; }"),
    ("cs", "// C#\npublic class A { string s = \"x\"; }"),
    ("csharp", "var list = new List<int>(); // C#"),
    ("java", "// Java\npublic class A { String s = \"x\"; }"),
    ("objc", "// Objective-C\n@interface Foo : NSObject\n@end"),
    ("objective-c", "NSString *s = @\"hi\"; // Objective-C"),
    ("vim", "\" Vim\nset number\nlet g:x = 1"),
    ("viml", "\" VimL\nnnoremap <leader>w :w<CR>"),
    ("diff", "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new"),
    (
        "patch",
        "diff --git a/y b/y\n--- a/y\n+++ b/y\n@@ -1 +1 @@\n-a\n+b",
    ),
    ("make", "# build\nall:\n\tcargo build"),
    (
        "cmake",
        "# CMake\nproject(demo C)\nadd_executable(demo main.c)",
    ),
    ("sql", "-- the latest\nSELECT * FROM posts WHERE id = 'x';"),
    ("graphql", "# a query\nquery { user(id: \"1\") { name } }"),
    ("php", "<?php\n// PHP\necho \"hi\";"),
    ("lua", "-- Lua\nprint(\"hi\")"),
    ("hs", "-- Haskell\nmain = putStrLn \"hi\""),
    ("scala", "// Scala\nobject A { val s = \"x\" }"),
    ("dart", "// Dart\nvoid main() { print('hi'); }"),
    ("elixir", "# Elixir\nIO.puts \"hi\""),
    ("r", "# R\nx <- c(1, 2, 3)"),
    ("perl", "# Perl\nmy $s = \"hi\";"),
    ("html", "<!-- a page -->\n<p class=\"lead\">Hello</p>"),
    ("css", "/* links */\na { color: red; }"),
    (
        "xml",
        "<?xml version=\"1.0\"?>\n<!-- feed -->\n<rss version=\"2.0\"/>",
    ),
    ("tex", "% TeX\n\\section{Intro}"),
    ("protobuf", "// proto\nmessage Post { string title = 1; }"),
    ("zig", "// Zig\nconst std = @import(\"std\");"),
    (
        "groovy",
        "// Gradle\ndependencies { implementation 'x:y:1.0' }",
    ),
];

/// The language of each `<pre><code class="language-…">` block of a chapter, with its content.
fn code_blocks(chapter: &str) -> Vec<(String, String)> {
    chapter
        .split("<pre><code class=\"language-")
        .skip(1)
        .map(|rest| {
            let (lang, rest) = rest.split_once("\">").unwrap();
            let body = rest.split("</code></pre>").next().unwrap();
            (lang.to_string(), body.to_string())
        })
        .collect()
}

/// Issue 25: code in 60 languages, named as people write them, is highlighted in the EPUB
/// with token classes (not just the grammar's outer span); an unknown language or `text` stays
/// plain with no warning; the book passes EPUBCheck.
#[test]
fn code_in_sixty_languages_is_highlighted() {
    assert!(LANGUAGES.len() >= 40);
    let dir = tempfile::tempdir().unwrap();
    let mut post = String::from("---\ntitle: Every language\ndate: 2024-05-01\n---\n\n");
    post.push_str("Snippets in many languages, as a polyglot blog shows them.\n\n");
    for (lang, code) in LANGUAGES {
        post.push_str(&format!("```{lang}\n{code}\n```\n\n"));
    }
    post.push_str("```nosuchlanguage\nlet x = \"plain\" // stays\n```\n\n");
    post.push_str("```text\nplain \"text\" // too\n```\n\nThe end of the post, in prose.\n");
    let input = dir.path().join("2024-05-01-languages.md");
    std::fs::write(&input, post).unwrap();
    let out = dir.path().join("out");
    let report = dir.path().join("report.json");
    postbook()
        .args(["convert", "-q", "-t", "epub", "-g", "none", "--no-config"])
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    let books = epubs_in(&out);
    let (chapter, _) = chapter_of(&books[0]);
    parse_xml(chapter.as_bytes()).unwrap();
    let blocks = code_blocks(&chapter);
    assert_eq!(blocks.len(), LANGUAGES.len() + 2, "{chapter}");
    let tokens = [
        "hl-comment",
        "hl-string",
        "hl-keyword",
        "hl-storage",
        "hl-entity",
        "hl-constant",
        "hl-markup",
        "hl-variable",
        "hl-support",
    ];
    let plain: Vec<&str> = blocks
        .iter()
        .zip(LANGUAGES)
        .filter(|((_, body), _)| !tokens.iter().any(|t| body.contains(t)))
        .map(|(_, (lang, _))| *lang)
        .collect();
    assert!(plain.is_empty(), "not highlighted: {plain:?}\n{chapter}");
    for ((class, _), (lang, _)) in blocks.iter().zip(LANGUAGES) {
        assert_eq!(class, lang);
    }
    for (class, body) in &blocks[LANGUAGES.len()..] {
        assert!(!body.contains("<span"), "{class}: {body}");
        assert!(body.contains("&quot;"), "{class}: {body}");
    }
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(json["summary"]["warnings"], 0, "{json:#}");
    assert!(json["posts"][0]["warnings"].is_null(), "{json:#}");
    epubcheck(&books);
}
