//! Multilingual sites (`tests/fixtures/hugo-multilingual/`: `config/_default/languages.*.toml`,
//! bundles in two languages by file-name suffix, a draft bundle with a sub-page, theme
//! shortcodes, a post four folders down; `tests/fixtures/jekyll-multilingual/`: `_posts/` at
//! the root and below `zh_cn/news/`): one book per language, titled from the config, its
//! pictures embedded, its language in `dc:language`; and the Hugo theme shortcodes.

mod common;
use common::*;
use std::path::{Path, PathBuf};

/// `(file name, dc:title, dc:language, chapters' XHTML)` of each book in `dir`.
fn books(dir: &Path) -> Vec<(String, String, String, Vec<String>)> {
    epubs_in(dir)
        .into_iter()
        .map(|book| {
            let opf = epub_text(&book, ".opf");
            let field = |tag: &str| {
                let open = format!("<dc:{tag}");
                let at = opf
                    .find(&open)
                    .unwrap_or_else(|| panic!("no {tag} in {opf}"));
                let rest = &opf[at..];
                let start = rest.find('>').unwrap() + 1;
                let end = rest.find(&format!("</dc:{tag}>")).unwrap();
                rest[start..end].to_string()
            };
            let chapters = unzip(&book)
                .into_iter()
                .filter(|(n, _)| n.starts_with("OEBPS/post-"))
                .map(|(_, b)| String::from_utf8(b).unwrap())
                .collect();
            let name = book.file_name().unwrap().to_string_lossy().into_owned();
            (name, field("title"), field("language"), chapters)
        })
        .collect()
}

fn check_books(paths: &[PathBuf]) {
    if epubcheck(paths) {
        eprintln!("EPUBCheck: {} books clean", paths.len());
    }
}

#[test]
fn a_hugo_site_in_two_languages_makes_one_book_per_language() {
    let out = tempfile::tempdir().unwrap();
    let report = convert_with_report(
        &fixture("hugo-multilingual"),
        out.path(),
        &["-t", "epub", "-g", "none", "--images", "embed"],
    );
    let got = books(out.path());
    let names: Vec<(&str, &str, &str)> = got
        .iter()
        .map(|(n, t, l, _)| (n.as_str(), t.as_str(), l.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("Field Notes.en-US.epub", "Field Notes", "en-US"),
            ("田野笔记.zh-CN.epub", "田野笔记", "zh-CN"),
        ]
    );
    let (en, zh) = (&got[0].3, &got[1].3);
    let text = |chapters: &[String]| text_of(&chapters.join("\n"));
    let (en_text, zh_text) = (text(en), text(zh));
    // Each post in its language's book only; the deep post (four folders below `content/`)
    // and `harbour.en.md` in English, the suffixed `.zh-cn.md` files in Chinese.
    for title in ["The first trip", "Harbour life", "Deep in the archive"] {
        assert!(en_text.contains(title), "{title} not in:\n{en_text}");
        assert!(!zh_text.contains(title), "{title} in the Chinese book");
    }
    for title in ["第一次旅行", "港口生活"] {
        assert!(zh_text.contains(title), "{title} not in:\n{zh_text}");
        assert!(!en_text.contains(title), "{title} in the English book");
    }
    // The draft bundle and the page beside its `index.md` are left out together; a content
    // file beside a bundle's `index.md` is a page resource, as Hugo has it: not a post of its
    // own (draft bundle or not), and listed as skipped with why.
    for left_out in ["Not ready", "Notes for the unfinished post", "Packing list"] {
        assert!(!en_text.contains(left_out) && !zh_text.contains(left_out));
    }
    assert_eq!(report["summary"]["drafts"], 1, "{:#}", report["summary"]);
    let skipped: Vec<(String, String)> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let path = s["path"].as_str().unwrap().replace('\\', "/");
            (path, s["why"].as_str().unwrap().to_string())
        })
        .collect();
    for resource in ["draft-bundle/extra.md", "first-trip/gear.md"] {
        assert!(
            skipped
                .iter()
                .any(|(p, why)| p.ends_with(resource) && why.contains("page bundle")),
            "{resource} not skipped as a resource: {skipped:?}"
        );
    }
    // Every picture embedded: the bundle's `Harbour-View.png` written `harbour-view.png`, the
    // deep post's `COVER.PNG` (`cover.png`), the site's `/img/map.png`.
    let sources = picture_sources(&[en.clone(), zh.clone()].concat());
    assert_eq!(sources.len(), 4, "{sources:?}");
    assert!(
        sources.iter().all(|s| s.starts_with("images/")),
        "{sources:?}"
    );
    assert_eq!(report["summary"]["images_failed"], 0);
    assert_no_template_residue(en);
    assert_no_template_residue(zh);
    // Theme shortcodes: Blowfish's `alert "circle-info"` is a box without the icon's name;
    // `lead` and `badge` keep their text; `link` its words; FixIt's `admonition` its title;
    // Docsy's tabs their headers; `mermaid` a code block (and a warning).
    assert!(
        en_text.contains("Ferries run hourly in summer."),
        "{en_text}"
    );
    assert!(!en_text.to_lowercase().contains("circle-info"), "{en_text}");
    assert!(en.iter().any(|c| c.contains("<blockquote>")));
    assert!(en_text.contains("The harbour never sleeps."));
    assert!(en_text.contains("New"));
    assert!(en
        .iter()
        .any(|c| c.contains("<a href=\"https://archive.example/harbour\">Source backup</a>")));
    assert!(
        zh.iter().any(|c| c.contains("<strong>小提示</strong>")),
        "{zh:?}"
    );
    assert!(zh.iter().any(|c| c.contains("<strong>早上</strong>")));
    assert!(zh.iter().any(|c| c.contains("<strong>晚上</strong>")));
    assert!(en.iter().any(|c| c.contains("graph LR")));
    // The deep post's `{{< youtube >}}`, found from the site root four folders up.
    assert!(en
        .iter()
        .any(|c| c.contains("https://www.youtube.com/watch?v=abc123XYZ")));
    // `{{< ref "#route" >}}` is a link in the chapter, not a missing post.
    let first = en.iter().find(|c| c.contains("The first trip")).unwrap();
    assert!(first.contains("id=\"route\""), "{first}");
    assert!(
        first.contains("href=\"#route\">the route heading</a>"),
        "{first}"
    );
    let kinds = &report["summary"]["warnings_by_kind"];
    assert_eq!(kinds["diagram-not-rendered"], 1, "{kinds:#}");
    assert!(kinds.get("missing-post").is_none(), "{kinds:#}");
    assert!(kinds.get("unknown-shortcode").is_none(), "{kinds:#}");
    check_books(&epubs_in(out.path()));
}

#[test]
fn lang_converts_one_language_of_a_multilingual_site() {
    let out = tempfile::tempdir().unwrap();
    let report = convert_with_report(
        &fixture("hugo-multilingual"),
        out.path(),
        &["-t", "epub", "-g", "none", "--lang", "zh-CN"],
    );
    let got = books(out.path());
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].0.as_str(), got[0].1.as_str(), got[0].2.as_str()),
        ("田野笔记.zh-CN.epub", "田野笔记", "zh-CN")
    );
    assert_eq!(got[0].3.len(), 2);
    assert_eq!(
        report["summary"]["filtered_out"], 3,
        "{:#}",
        report["summary"]
    );
}

#[test]
fn a_title_given_names_every_language_edition() {
    let out = tempfile::tempdir().unwrap();
    convert_with_report(
        &fixture("hugo-multilingual"),
        out.path(),
        &["-t", "epub", "-g", "year", "--title", "Trips"],
    );
    let got = books(out.path());
    let names: Vec<(&str, &str)> = got
        .iter()
        .map(|(n, t, _, _)| (n.as_str(), t.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("2021.en-US.epub", "Trips (en-US) — 2021"),
            ("2021.zh-CN.epub", "Trips (zh-CN) — 2021年"),
        ]
    );
}

#[test]
fn a_jekyll_site_with_language_folders_makes_one_book_per_language() {
    let out = tempfile::tempdir().unwrap();
    let report = convert_with_report(
        &fixture("jekyll-multilingual"),
        out.path(),
        &["-t", "epub", "-g", "none", "--images", "embed"],
    );
    let got = books(out.path());
    let names: Vec<(&str, &str, &str, usize)> = got
        .iter()
        .map(|(n, t, l, c)| (n.as_str(), t.as_str(), l.as_str(), c.len()))
        .collect();
    assert_eq!(
        names,
        [
            ("Harbour Journal.en.epub", "Harbour Journal (en)", "en", 1),
            (
                "Harbour Journal.zh-CN.epub",
                "Harbour Journal (zh-CN)",
                "zh-CN",
                1
            ),
        ]
    );
    assert!(text_of(&got[1].3[0]).contains("黎明的船"));
    let sources = picture_sources(&[got[0].3.clone(), got[1].3.clone()].concat());
    assert_eq!(sources.len(), 2, "{sources:?}");
    assert!(sources.iter().all(|s| s.starts_with("images/")));
    assert_eq!(report["summary"]["images_failed"], 0);
    // `zh_cn/about.md` is a page, outside every `_posts/`: not read.
    assert_eq!(report["summary"]["inputs"], 2);
    assert_no_template_residue(&got[0].3);
    check_books(&epubs_in(out.path()));
}

/// A post four folders below `content/`, given alone: its site is found by walking up to the
/// config, so its shortcode is expanded and its bundle's picture found.
#[test]
fn a_deep_post_given_alone_is_read_in_its_site() {
    let post = fixture("hugo-multilingual/content/posts/2021/travel/deep-bundle/index.md");
    let out = tempfile::tempdir().unwrap();
    let report = convert_with_report(&post, out.path(), &["-t", "epub", "--images", "embed"]);
    let got = books(out.path());
    assert_eq!(got.len(), 1);
    let chapter = &got[0].3[0];
    assert!(
        chapter.contains("https://www.youtube.com/watch?v=abc123XYZ"),
        "{chapter}"
    );
    assert_no_template_residue(&got[0].3);
    assert_eq!(picture_sources(&got[0].3).len(), 1);
    assert_eq!(report["summary"]["images_failed"], 0);
}

/// A language whose `contentDir` is outside `content/` (`content.zh`) is found from the site
/// root, though walking the root reads only `content/`.
#[test]
fn a_language_kept_outside_content_is_found_from_the_site_root() {
    let site = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| write_files(site.path(), &[(rel, text)]);
    write(
        "hugo.toml",
        "title = \"Two Folders\"\ndefaultContentLanguage = \"en\"\n\
         [languages.en]\ntitle = \"Two Folders\"\ncontentDir = \"content\"\nweight = 1\n\
         [languages.zh-cn]\ntitle = \"两个文件夹\"\ncontentDir = \"content.zh\"\nweight = 2\n",
    );
    write(
        "content/posts/walk.md",
        "---\ntitle: \"A walk\"\ndate: 2024-03-01\n---\n\nWe walked.\n",
    );
    write(
        "content.zh/posts/walk.md",
        "---\ntitle: \"散步\"\ndate: 2024-03-01\n---\n\n我们去散步。\n",
    );
    let out = tempfile::tempdir().unwrap();
    convert_with_report(site.path(), out.path(), &["-t", "epub", "-g", "none"]);
    let got = books(out.path());
    let titles: Vec<&str> = got.iter().map(|(_, t, _, _)| t.as_str()).collect();
    assert_eq!(titles, ["Two Folders", "两个文件夹"], "{got:?}");
    assert!(text_of(&got[1].3.join("\n")).contains("我们去散步"));
    assert!(!text_of(&got[0].3.join("\n")).contains("我们去散步"));
}

/// A multilingual site's notes are kept apart by language, each carrying its `lang`: a post
/// and its translation (same bundle, same title slug) are not `x.md` and `x-2.md` side by side.
#[test]
fn a_multilingual_sites_notes_are_in_a_folder_per_language() {
    let out = tempfile::tempdir().unwrap();
    postbook()
        .args(["convert", "-q", "-t", "markdown"])
        .arg(fixture("hugo-multilingual"))
        .arg("-o")
        .arg(out.path())
        .assert()
        .success();
    let notes: Vec<_> = all_files(out.path())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    assert!(!notes.is_empty());
    for note in &notes {
        let rel = note.strip_prefix(out.path()).unwrap();
        let lang = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .to_string();
        assert!(
            ["en-US", "zh-CN"].contains(&lang.as_str()),
            "{}",
            rel.display()
        );
        let text = std::fs::read_to_string(note).unwrap();
        assert!(
            text.contains(&format!("\nlang: {lang}\n")),
            "{}:\n{text}",
            rel.display()
        );
        assert!(
            !rel.to_string_lossy().contains("-2.md"),
            "{}",
            rel.display()
        );
    }
    let names = |lang: &str| {
        notes
            .iter()
            .filter(|n| n.strip_prefix(out.path()).unwrap().starts_with(lang))
            .count()
    };
    assert!(names("en-US") >= 3 && names("zh-CN") >= 2, "{notes:?}");
}

#[test]
fn a_site_whose_languages_all_keep_their_own_folders_is_a_hugo_site() {
    // No `content/` at all: `content.en/` and `content.de/` only, a shortcode in each.
    let site = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| write_files(site.path(), &[(rel, text)]);
    write(
        "hugo.toml",
        "title = \"Tide Log\"\ndefaultContentLanguage = \"en\"\n\
         [languages.en]\ncontentDir = \"content.en\"\nweight = 1\n\
         [languages.de]\ntitle = \"Gezeitenbuch\"\ncontentDir = \"content.de\"\nweight = 2\n",
    );
    write(
        "content.en/posts/ebb.md",
        "---\ntitle: \"Ebb\"\ndate: 2024-03-01\n---\n\n{{< notice tip >}}Low water at noon.{{< /notice >}}\n",
    );
    write(
        "content.de/posts/ebbe.md",
        "---\ntitle: \"Ebbe\"\ndate: 2024-03-01\n---\n\nNiedrigwasser am Mittag.\n",
    );
    let out = tempfile::tempdir().unwrap();
    convert_with_report(site.path(), out.path(), &["-t", "epub", "-g", "none"]);
    let got = books(out.path());
    let titles: Vec<&str> = got.iter().map(|(_, t, _, _)| t.as_str()).collect();
    assert_eq!(titles, ["Gezeitenbuch", "Tide Log (en)"], "{got:?}");
    let english = got[1].3.join("\n");
    assert!(text_of(&english).contains("Low water at noon"), "{english}");
    assert!(!english.contains("{{"), "{english}");
}
