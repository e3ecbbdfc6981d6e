//! Notes that drop into a note app's vault (issue 32): an Obsidian vault (`--links wikilinks`,
//! `--attachments`, `--images embed`) and a Logseq graph (`--notes logseq`), each read back:
//! every link between notes names a note, every picture a saved file, the metadata is where
//! the app looks for it, and a re-run keeps the user's edits.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A small site: two posts in two categories linking each other (one to a heading), the same
/// local picture shown with and without alt text, a post with a user key (`cssclasses`) and
/// one whose title has every character a file name or page name cannot hold.
fn site(dir: &Path) -> PathBuf {
    let posts = dir.join("posts");
    std::fs::create_dir_all(posts.join("img")).unwrap();
    std::fs::copy(fixture("images/pic.png"), posts.join("img/pic.png")).unwrap();
    let write = |name: &str, text: &str| std::fs::write(posts.join(name), text).unwrap();
    write(
        "2023-05-01-first.md",
        "---\ntitle: \"First: a post\"\ncategories: [World]\ntags: [Vault Test, 中文]\n\
         author: Ann\n---\n\
         See [the second post](2023-05-02-second.md), [its part](2023-05-02-second.md#part) \
         and [the web](https://example.test/a).\n\n\
         ![A red square](img/pic.png)\n\n![](img/pic.png)\n",
    );
    write(
        "2023-05-02-second.md",
        "---\ntitle: Second\ncategories: [Tech]\ncssclasses: [wide]\n---\n\
         Back to [2023-05-01-first](2023-05-01-first.md).\n\n## Part\n\n\
         The same picture: ![square](img/pic.png)\n",
    );
    write(
        "odd.md",
        "---\ntitle: \"Why? A/B: [1], #2 of 100% ___ done\"\ndate: 2023-05-03\n\
         categories: [Tech]\n---\nLinks to [the first](2023-05-01-first.md).\n",
    );
    posts
}

fn run(posts: &Path, out: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    postbook()
        .args([
            "convert",
            "-q",
            "--no-config",
            "-t",
            "markdown",
            "--images",
            "embed",
        ])
        .args(args)
        .arg(posts)
        .arg("-o")
        .arg(out)
        .assert()
}

/// The Markdown files under `dir`, by path.
fn notes_in(dir: &Path) -> BTreeMap<PathBuf, String> {
    all_files(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

/// What each `[[…]]` in `text` holds, and whether it is an embed (`![[…]]`).
fn wikilinks(text: &str) -> Vec<(bool, String)> {
    let mut found = vec![];
    let mut rest = text;
    while let Some(i) = rest.find("[[") {
        let embed = rest[..i].ends_with('!');
        let after = &rest[i + 2..];
        let end = after.find("]]").expect("a closed [[link]]");
        found.push((embed, after[..end].to_string()));
        rest = &after[end + 2..];
    }
    found
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

/// The YAML front matter of a note.
fn front_matter(text: &str) -> serde_yaml_ng::Value {
    let yaml = text
        .strip_prefix("---\n")
        .and_then(|t| t.split_once("\n---\n"))
        .map(|(y, _)| y)
        .expect("front matter");
    serde_yaml_ng::from_str(yaml).unwrap()
}

#[test]
fn an_obsidian_vault_links_notes_and_attachments_by_name_and_keeps_edits() {
    let tmp = tempfile::tempdir().unwrap();
    let posts = site(tmp.path());
    let vault = tmp.path().join("vault");
    let args = [
        "--links",
        "wikilinks",
        "--attachments",
        "files/attachments",
        "-g",
        "category",
    ];
    run(&posts, &vault, &args).success();

    // Pictures are in the one attachments folder, not in assets/; notes in their groups.
    let attachments = vault.join("files/attachments");
    let pictures: Vec<String> = all_files(&attachments)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(pictures.len(), 1, "{pictures:?}");
    assert!(!vault.join("assets").exists());
    let notes: BTreeMap<PathBuf, String> = notes_in(&vault);
    let stems: Vec<String> = notes.keys().map(|p| stem(p)).collect();
    assert_eq!(notes.len(), 3, "{stems:?}");
    // Names a wikilink can hold (the odd title's has no `[`, `]`, `#`, `^`, `|`).
    for s in &stems {
        assert!(!s.contains(['[', ']', '#', '^', '|']), "{s}");
    }
    assert!(vault.join("World/2023-05-01-first.md").is_file());
    assert!(vault.join("Tech/2023-05-02-second.md").is_file());

    // Every [[link]] names a note, every ![[embed]] a saved picture; web links stay Markdown.
    let (mut links, mut embeds) = (0, 0);
    for (path, text) in &notes {
        for (embed, inside) in wikilinks(text) {
            let target = inside.split('|').next().unwrap();
            if embed {
                embeds += 1;
                assert!(pictures.contains(&target.to_string()), "{path:?}: {inside}");
            } else {
                links += 1;
                let note = target.split('#').next().unwrap();
                assert!(stems.contains(&note.to_string()), "{path:?}: {inside}");
            }
        }
    }
    assert_eq!((links, embeds), (4, 3));
    let first = &notes[&vault.join("World/2023-05-01-first.md")];
    for expected in [
        "See [[2023-05-02-second|the second post]], [[2023-05-02-second#part|its part]] \
         and [the web](https://example.test/a).",
        // Alt text after the name; none when the picture has none.
        &format!("![[{}|A red square]]", pictures[0]),
        &format!("\n![[{}]]\n", pictures[0]),
    ] {
        assert!(first.contains(expected), "{expected} not in:\n{first}");
    }
    let second = &notes[&vault.join("Tech/2023-05-02-second.md")];
    assert!(second.contains("Back to [[2023-05-01-first]]."), "{second}");

    // The title is an alias (the file name is not it); the user's own keys are kept.
    let meta = front_matter(first);
    assert_eq!(meta["title"], "First: a post");
    assert_eq!(meta["aliases"][0], "First: a post");
    assert_eq!(meta["tags"][0], "Vault_Test");
    let meta = front_matter(second);
    assert_eq!(meta["aliases"][0], "Second");
    assert_eq!(meta["cssclasses"][0], "wide");

    // The user edits a note's body and front matter; its post changes too, so the re-run
    // would write it: the edit is kept, and the other notes still link to it.
    let note = vault.join("World/2023-05-01-first.md");
    let edited = first.replacen("---\n", "---\ncssclasses: wide\n", 1) + "\nMy own remark.\n";
    std::fs::write(&note, &edited).unwrap();
    let post = posts.join("2023-05-01-first.md");
    let changed = std::fs::read_to_string(&post).unwrap() + "\nA new line.\n";
    std::fs::write(&post, changed).unwrap();
    let report = tmp.path().join("report.json");
    let again = [&args[..], &["--report", report.to_str().unwrap()]].concat();
    run(&posts, &vault, &again).success();
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(report["summary"]["kept"], 1, "{report}");
    assert_eq!(std::fs::read_to_string(&note).unwrap(), edited);
    assert_eq!(front_matter(&edited)["cssclasses"], "wide");
    assert_eq!(notes_in(&vault).len(), 3);
}

#[test]
fn attachments_must_be_a_folder_inside_the_output_used_with_embedded_pictures() {
    let tmp = tempfile::tempdir().unwrap();
    let posts = site(tmp.path());
    let out = tmp.path().join("out");
    for (args, message) in [
        (
            &["--attachments", "../outside"][..],
            "leads out of the output folder",
        ),
        (&["--attachments", "/tmp/x"][..], "is absolute"),
        (
            &["--notes", "logseq", "-g", "month"][..],
            "leave out --group-by",
        ),
    ] {
        run(&posts, &out, args)
            .code(2)
            .stderr(predicates::str::contains(message));
    }
    postbook()
        .args([
            "convert",
            "--no-config",
            "-t",
            "markdown",
            "--attachments",
            "a",
        ])
        .arg(&posts)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("add --images embed"));
    postbook()
        .args([
            "convert",
            "--no-config",
            "-t",
            "text",
            "--links",
            "wikilinks",
        ])
        .arg(&posts)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("use them with -t markdown"));
    assert!(!out.exists());
}

/// A Logseq page's properties (`key:: value` on its first lines) and its body.
fn properties(text: &str) -> (BTreeMap<String, String>, &str) {
    let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let props = head
        .lines()
        .map(|l| {
            let (k, v) = l
                .split_once(":: ")
                .unwrap_or_else(|| panic!("{l:?} in\n{text}"));
            assert!(
                k.chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-'),
                "{k}"
            );
            (k.to_string(), v.to_string())
        })
        .collect();
    (props, body)
}

#[test]
fn a_logseq_graph_has_page_properties_pages_and_assets() {
    let tmp = tempfile::tempdir().unwrap();
    let posts = site(tmp.path());
    let graph = tmp.path().join("graph");
    run(&posts, &graph, &["--notes", "logseq"]).success();

    // Pages in pages/, pictures in assets/, nothing else but postbook's own records.
    let pages = notes_in(&graph);
    assert_eq!(pages.len(), 3);
    assert!(pages
        .keys()
        .all(|p| p.parent() == Some(&graph.join("pages"))));
    let assets: Vec<PathBuf> = all_files(&graph.join("assets"));
    assert_eq!(assets.len(), 1);
    for p in pages.keys() {
        let name = stem(p);
        // Logseq's file name rules (triple-lowbar format): nothing it would read as a
        // namespace, an escape, or that a page reference cannot hold.
        assert!(
            !name.contains(['/', '\\', ':', '?', '#', '%', '[', ']', ',', '|', '"', '*'])
                && !name.contains("___"),
            "{name}"
        );
    }

    let page = |stem_: &str| {
        let (path, text) = pages
            .iter()
            .find(|(p, _)| stem(p) == stem_)
            .unwrap_or_else(|| panic!("no page {stem_} in {:?}", pages.keys()));
        (path.clone(), text.clone())
    };
    let (_, first) = page("2023-05-01-first");
    let (props, body) = properties(&first);
    assert_eq!(props["title"], "First: a post");
    assert_eq!(props["date"], "2023-05-01");
    assert_eq!(props["tags"], "Vault_Test, 中文");
    assert_eq!(props["author"], "Ann");
    assert_eq!(props["categories"], "World");
    assert_eq!(props["alias"], "2023-05-01-first");
    assert!(!first.contains("---"), "{first}");
    assert!(
        body.contains(
            "See [the second post]([[2023-05-02-second]]), [its part]([[2023-05-02-second]])"
        ),
        "{body}"
    );
    let asset = assets[0].file_name().unwrap().to_string_lossy();
    assert!(
        body.contains(&format!("![A red square](../assets/{asset})")),
        "{body}"
    );
    let (_, second) = page("2023-05-02-second");
    let (props, body) = properties(&second);
    assert_eq!(props["cssclasses"], "wide");
    assert!(body.contains("Back to [[2023-05-01-first]]."), "{body}");

    // The odd title keeps its characters in `title::`; its file name is made safe.
    let (path, odd) = pages
        .iter()
        .find(|(_, t)| t.starts_with("title:: Why?"))
        .unwrap();
    let (props, _) = properties(odd);
    assert_eq!(props["title"], "Why? A/B: [1], #2 of 100% ___ done");
    assert_eq!(props["alias"], stem(path));

    // Every page reference names a page (by its alias); every picture exists.
    let aliases: Vec<String> = pages
        .values()
        .map(|t| properties(t).0["alias"].clone())
        .collect();
    for (path, text) in &pages {
        for (embed, inside) in wikilinks(text) {
            assert!(!embed);
            assert!(aliases.contains(&inside), "{path:?}: [[{inside}]]");
        }
        for src in text.split("](").skip(1).filter_map(|s| s.split(')').next()) {
            if let Some(rel) = src.strip_prefix("../") {
                assert!(graph.join(rel).is_file(), "{path:?}: {src}");
            }
        }
    }
}
