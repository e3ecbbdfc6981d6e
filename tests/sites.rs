//! Jekyll and Hugo site roots as their authors wrote them (`tests/fixtures/jekyll-site/`,
//! `tests/fixtures/hugo-site/`): config, drafts, Liquid, shortcodes, embeds, SVGs, pictures and
//! links between posts.

mod common;
use common::*;
use std::path::{Path, PathBuf};

/// Converts `site` with `args` into a temporary folder; returns it and the run's report.
fn convert(site: &str, args: &[&str]) -> (tempfile::TempDir, serde_json::Value) {
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    postbook()
        .args(["convert", "-q"])
        .args(args)
        .arg(fixture(site))
        .arg("-o")
        .arg(out.path().join("out"))
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    let report = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    (out, report)
}

/// The one book of a `-g none` run, its chapters' XHTML, and its OPF.
fn the_book(out: &Path) -> (PathBuf, Vec<String>, String) {
    let books = epubs_in(&out.join("out"));
    assert_eq!(books.len(), 1, "{books:?}");
    let entries = unzip(&books[0]);
    let chapters = entries
        .iter()
        .filter(|(n, _)| n.starts_with("OEBPS/post-"))
        .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
        .collect();
    let opf = epub_text(&books[0], ".opf");
    (books[0].clone(), chapters, opf)
}

fn hrefs(chapter: &str) -> Vec<(String, String)> {
    chapter
        .split("<a href=\"")
        .skip(1)
        .map(|s| {
            let href = s[..s.find('"').unwrap()].to_string();
            let text_start = s.find('>').unwrap() + 1;
            let text = s[text_start..text_start + s[text_start..].find('<').unwrap()].to_string();
            (href, text)
        })
        .collect()
}

#[test]
fn a_jekyll_site_root_gives_the_book_its_author_wrote() {
    let (out, report) = convert(
        "jekyll-site",
        &["-t", "epub", "-g", "none", "--images", "embed"],
    );
    let (book, chapters, opf) = the_book(out.path());
    // Titled, authored and in the language `_config.yml` gives.
    assert_eq!(book.file_name().unwrap(), "Ann's Field Notes.epub");
    assert!(
        opf.contains("<dc:title>Ann&apos;s Field Notes</dc:title>")
            || opf.contains("<dc:title>Ann's Field Notes</dc:title>"),
        "{opf}"
    );
    assert!(opf.contains(">Ann Example</dc:creator>"), "{opf}");
    assert!(opf.contains("<dc:language>en-GB</dc:language>"), "{opf}");
    // `published: false` and `_drafts/` are left out, and said so; `about.md` is a page.
    assert_eq!(chapters.len(), 2);
    assert_eq!(report["summary"]["drafts"], 1, "{report}");
    let all = chapters.concat();
    for absent in ["Not yet", "A draft idea", "not a post", "must not reach"] {
        assert!(!all.contains(absent), "{absent}");
    }
    // Chapters in date order (a dated instant and a bare day).
    assert!(chapters[0].contains("<h1>A tour of Liquid</h1>"));
    assert!(chapters[1].contains("<h1>Second post</h1>"));
    assert_no_template_residue(&chapters);
    // Variables, `relative_url` pictures, includes and `page.*` parameters: all embedded.
    assert!(
        all.contains("Welcome to Ann&apos;s Field Notes")
            || all.contains("Welcome to Ann's Field Notes")
    );
    assert!(all.contains("This post is called &quot;A tour of Liquid&quot;"));
    let pictures = picture_sources(&chapters);
    assert_eq!(pictures.len(), 7, "{pictures:?}");
    assert!(
        pictures.iter().all(|p| p.starts_with("images/")),
        "{pictures:?}"
    );
    assert!(all.contains("<figcaption>A picture from an include</figcaption>"));
    assert!(all.contains("<figcaption>By its full address</figcaption>"));
    assert!(all.contains("<figcaption>The hero picture</figcaption>"));
    // `highlight` is a code block with its language (and `linenos`, its line numbers); raw
    // text literal; comments gone; the text inside an unknown tag kept.
    assert!(
        text_of(&all).contains("1 def greet(name):\n2     return f&quot;Hello {name}&quot;")
            && all.contains("<code class=\"language-python\"><span class=\"ln\">1 </span>"),
        "{all}"
    );
    assert!(all.contains("<code>{{ page.title }}</code> literally"));
    assert!(all.contains("<p>Tagged text stays.</p>"));
    assert!(all.contains("{{ site.baseurl }} and {% include example.html %} are code here."));
    // Links between posts go to chapters, the site's own URLs included.
    let first = hrefs(&chapters[0]);
    let second = hrefs(&chapters[1]);
    assert!(
        first.contains(&("post-0002.xhtml#post".into(), "the second post".into())),
        "{first:?}"
    );
    assert!(
        second.contains(&("post-0001.xhtml#post".into(), "the tour".into())),
        "{second:?}"
    );
    assert!(
        second.contains(&("post-0001.xhtml#post".into(), "its address".into())),
        "{second:?}"
    );
    // Site-relative links are made absolute from `url` and `baseurl`.
    assert!(first.contains(&(
        "https://ann.example/blog/about/".into(),
        "about page".into()
    )));
    // Embeds are links to the original.
    assert!(first.contains(&(
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ".into(),
        "YouTube video: A talk about Liquid".into()
    )));
    assert!(second.contains(&("https://vimeo.com/76979871".into(), "Vimeo video".into())));
    assert!(second.contains(&(
        "https://ann.example/blog/assets/video/clip.mp4".into(),
        "Video: A short clip".into()
    )));
    assert!(second.contains(&("https://cdn.example.org/episode.mp3".into(), "Audio".into())));
    // SVGs from Excalidraw and Illustrator are made safe.
    let svgs: Vec<String> = unzip(&book)
        .into_iter()
        .filter(|(n, _)| n.ends_with(".svg"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect();
    assert_eq!(svgs.len(), 2);
    for svg in &svgs {
        for bad in [
            "<!DOCTYPE",
            "<!ENTITY",
            "<script",
            "onload",
            "onclick",
            "javascript:",
            "i:extraneous",
            "id=\"1",
            "#3_",
        ] {
            assert!(!svg.contains(bad), "{bad} in {svg}");
        }
        parse_xml(svg.as_bytes()).unwrap();
    }
    // Warnings by kind and name.
    assert_eq!(
        report["summary"]["warnings_by_kind"]["unknown-liquid"], 1,
        "{report}"
    );
    assert_eq!(
        report["summary"]["warnings_by_name"]["unknown-liquid"]["toc.html"],
        1
    );
    epubcheck(&[book]);
}

#[test]
fn jekyll_includes_data_and_plugins_give_every_picture_and_text() {
    let (out, report) = convert(
        "jekyll-includes",
        &["-t", "epub", "-g", "none", "--images", "embed"],
    );
    let (book, chapters, _) = the_book(out.path());
    assert_eq!(chapters.len(), 2);
    assert_no_template_residue(&chapters);
    let all = chapters.concat();
    let text = text_of(&all);
    // Includes with parameters calling includes, the folder from the include's parameters,
    // the post's front matter or the site's config; a theme figure's path from the site root.
    for caption in [
        "The flow, from the post folder",
        "The flow, photographed",
        "A theme figure from the site root",
    ] {
        assert!(
            all.contains(&format!("<figcaption>{caption}</figcaption>")),
            "{caption}: {all}"
        );
    }
    // Every include's text: the notice with its message, `site.data`, a CSV loop, the
    // other config file's key, a plugin filter's input.
    for words in [
        "Warning: This notice must keep its message.",
        "Follow @ida_writes on Mastodon.",
        "The team: Ida (author), Max (editor).",
        "quiet words and from plugins.",
        "Written with care.",
        "01 June 2024",
        "puts \"Pictures the site serves\"",
    ] {
        let words = words.replace('"', "&quot;");
        assert!(text.contains(&words), "{words}: {text}");
    }
    // Pictures: through includes, relative to the site root, by unique name, by name in
    // another case; the one whose name two files share is not guessed.
    let pictures = picture_sources(&chapters);
    assert_eq!(pictures.len(), 6, "{pictures:?}");
    assert!(
        pictures.iter().all(|p| p.starts_with("images/")),
        "{pictures:?}"
    );
    let kinds = &report["summary"]["warnings_by_kind"];
    let names = &report["summary"]["warnings_by_name"];
    assert_eq!(names["picture-missing"]["images/twin.png"], 1, "{report}");
    // The plugin's filter and tag are named; nothing else is unknown.
    assert_eq!(names["unknown-liquid"]["shout"], 1, "{report}");
    assert_eq!(names["unknown-liquid"]["figlet"], 1, "{report}");
    assert_eq!(kinds["unknown-liquid"], 2, "{report}");
    assert!(kinds.get("liquid-error").is_none(), "{report}");
    // `post_url` is a chapter link.
    assert!(
        hrefs(&chapters[1]).contains(&("post-0001.xhtml#post".into(), "the figures".into())),
        "{}",
        chapters[1]
    );
    epubcheck(&[book]);
}

#[test]
fn editing_a_sites_config_data_include_layout_or_plugin_renders_its_posts_again() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    copy_tree(&fixture("jekyll-includes"), &site);
    let out = tmp.path().join("out");
    let run = || -> (serde_json::Value, String) {
        let report = convert_with_report(&site, &out, &["-t", "md", "-g", "none"]);
        let notes = files_with_ext(&out, "md")
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect::<Vec<_>>()
            .concat();
        (report, notes)
    };
    let (report, notes) = run();
    assert!(outputs_written(&report) > 0);
    assert!(notes.contains("Written with care."), "{notes}");
    let (report, _) = run();
    assert_eq!(outputs_written(&report), 0, "{report}");
    let edits = [
        ("_config_dev.yml", "Written with care.", "Written in haste."),
        ("_data/social.yml", "@ida_writes", "@idaedits"),
        ("_includes/notice.html", "<strong>", "<strong>Heads up, "),
    ];
    for (file, old, new) in edits {
        let path = site.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace(old, new)).unwrap();
        let (report, notes) = run();
        assert!(outputs_written(&report) > 0, "{file}: {report}");
        let expect = if new.starts_with('<') {
            "Heads up, Warning"
        } else {
            new
        };
        assert!(notes.contains(expect), "{file}: {notes}");
    }
    // Layouts and plugins are not run, but editing them renders the posts again too (the
    // notes come out the same: `skipped` counts the outputs not rendered).
    let (report, _) = run();
    assert_eq!(report["summary"]["skipped"], 2, "{report}");
    let layout = site.join("_layouts/post.html");
    std::fs::create_dir_all(layout.parent().unwrap()).unwrap();
    std::fs::write(&layout, "<article>{{ content }}</article>\n").unwrap();
    let (report, _) = run();
    assert_eq!(report["summary"]["skipped"], 0, "_layouts: {report}");
    let plugin = site.join("_plugins/shout.rb");
    let text = std::fs::read_to_string(&plugin).unwrap();
    std::fs::write(&plugin, text + "\n# edited\n").unwrap();
    let (report, _) = run();
    assert_eq!(report["summary"]["skipped"], 0, "_plugins: {report}");
}

#[test]
fn drafts_are_converted_with_the_drafts_flag() {
    let (out, report) = convert("jekyll-site", &["-t", "epub", "-g", "none", "--drafts"]);
    let (book, chapters, _) = the_book(out.path());
    assert_eq!(chapters.len(), 4);
    assert_eq!(report["summary"]["drafts"], 0);
    let all = chapters.concat();
    assert!(all.contains("This post is unpublished."));
    assert!(all.contains("This draft is not published yet."));
    epubcheck(&[book]);

    let (out, _) = convert("hugo-site", &["-t", "epub", "-g", "none", "--drafts"]);
    let (_, chapters, _) = the_book(out.path());
    let all = chapters.concat();
    assert!(all.contains("Not ready."));
    assert!(
        all.contains("The posts section&apos;s list page.")
            || all.contains("The posts section's list page.")
    );
}

#[test]
fn a_hugo_site_root_gives_the_book_its_author_wrote() {
    let (out, report) = convert(
        "hugo-site",
        &["-t", "epub", "-g", "none", "--images", "embed"],
    );
    let (book, chapters, opf) = the_book(out.path());
    // `config/_default/hugo.toml` and `params.toml`.
    assert_eq!(book.file_name().unwrap(), "Field Notes from Hugo.epub");
    assert!(opf.contains(">Hugo Author</dc:creator>"), "{opf}");
    // `languageCode = "en-us"`, in the canonical case of BCP 47.
    assert!(opf.contains("<dc:language>en-US</dc:language>"), "{opf}");
    // The draft and the `_index.md` list pages are left out; `about.md` is kept (undated).
    assert_eq!(report["summary"]["drafts"], 1);
    let all = chapters.concat();
    for absent in ["Not ready.", "list text", "list page"] {
        assert!(!all.contains(absent), "{absent}");
    }
    assert_eq!(chapters.len(), 3);
    assert!(chapters[0].contains("<h1>A page bundle with shortcodes</h1>"));
    assert_no_template_residue(&chapters);
    // Page bundle pictures, `static/` pictures and picture shortcodes: all embedded.
    let pictures = picture_sources(&chapters);
    assert_eq!(pictures.len(), 6, "{pictures:?}");
    assert!(
        pictures.iter().all(|p| p.starts_with("images/")),
        "{pictures:?}"
    );
    for caption in [
        "A figure shortcode",
        "A theme img shortcode",
        "A picture from static",
        "a figure inside",
    ] {
        assert!(
            all.contains(&format!("<figcaption>{caption}</figcaption>")),
            "{caption}"
        );
    }
    let links = hrefs(&chapters[0]);
    for (href, text) in [
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "YouTube video",
        ),
        (
            "https://www.youtube.com/watch?v=w7Ft2ymGmfc",
            "YouTube video: Hugo in five minutes",
        ),
        ("https://vimeo.com/146022717", "Vimeo video"),
        (
            "https://twitter.com/SanDiegoZoo/status/1453110110599868418",
            "Tweet",
        ),
        ("https://gist.github.com/spf13/7896402", "Gist"),
        ("post-0002.xhtml#post", "the other post"),
        ("post-0002.xhtml#post", "again"),
    ] {
        assert!(
            links.contains(&(href.into(), text.into())),
            "{href} {text}: {links:?}"
        );
    }
    let back = hrefs(&chapters[1]);
    assert!(
        back.contains(&("post-0001.xhtml#post".into(), "the bundle".into())),
        "{back:?}"
    );
    assert!(back.contains(&("post-0001.xhtml#post".into(), "by ref".into())));
    assert!(back.contains(&(
        "https://www.youtube.com/watch?v=aqz-KE-bpKQ".into(),
        "YouTube video: Big Buck Bunny".into()
    )));
    // `highlight` with its language, its content verbatim.
    assert!(
        text_of(&all).contains("func main() {") && all.contains("<code class=\"language-go\">"),
        "{all}"
    );
    assert!(text_of(&all).contains("{{&lt; not a shortcode &gt;}}"));
    // Admonitions are quotes keeping their Markdown; unknown shortcodes keep their content.
    assert!(all.contains("<blockquote>\n<p><strong>Mind the gap</strong></p>\n<p>A <strong>notice</strong> keeps its Markdown"), "{all}");
    assert!(all.contains("<p><strong>More details</strong></p>"));
    assert!(all.contains("<p>1, 2, 3</p>") && all.contains("<p>4, 5</p>"));
    assert!(all.contains("<code>{{&lt; youtube x &gt;}}</code>"));
    assert_eq!(
        report["summary"]["warnings_by_name"]["unknown-shortcode"]["chart"], 2,
        "{report}"
    );
    epubcheck(&[book]);
}

#[test]
fn notes_link_to_each_other_and_reach_their_pictures() {
    for site in ["jekyll-site", "hugo-site"] {
        let (out, _) = convert(site, &["-t", "markdown", "-g", "year"]);
        let notes: Vec<PathBuf> = all_files(&out.path().join("out"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        let (mut pictures, mut post_links) = (0, 0);
        for note in &notes {
            let text = std::fs::read_to_string(note).unwrap();
            let prose = markdown_prose(&text);
            assert!(!prose.contains("{%") && !prose.contains("{{<"), "{text}");
            for (i, _) in text.match_indices("](") {
                let target = &text[i + 2..i + 2 + text[i + 2..].find(')').unwrap()];
                if target.starts_with("http") {
                    continue;
                }
                let decoded = percent_decode(target);
                let file = note.parent().unwrap().join(&decoded);
                assert!(
                    file.is_file(),
                    "{}: {target} is not reachable",
                    note.display()
                );
                if decoded.ends_with(".md") {
                    post_links += 1;
                    assert!(file.starts_with(out.path()), "{target} is not a note");
                } else {
                    pictures += 1;
                }
            }
        }
        assert!(pictures >= 6, "{site}: {pictures} pictures");
        assert!(post_links >= 2, "{site}: {post_links} links between notes");
    }
}

/// A Markdown note without its fenced code blocks and code spans.
fn markdown_prose(text: &str) -> String {
    let mut out = String::new();
    let mut in_fence = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if !in_fence {
            out.extend(line.split('`').step_by(2));
            out.push('\n');
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// A front-matter title written with inline HTML (Hugo and Jekyll themes print titles as
/// HTML) shows its markup in the chapter's heading and its text everywhere only text goes
/// (contents, `dc:title`, the notes' front matter); a title that merely has angle brackets
/// stays the text it is.
#[test]
fn html_in_a_title_is_markup_in_the_heading_and_text_elsewhere() {
    let input = tempfile::tempdir().unwrap();
    std::fs::write(
        input.path().join("2024-01-02-tip.md"),
        "---\ntitle: \"Tip: <code>Foo</code> is <em>fast</em>\"\ndate: 2024-01-02\n---\n\nBody one.\n",
    )
    .unwrap();
    std::fs::write(
        input.path().join("2024-01-03-generics.md"),
        "---\ntitle: \"Vec<String> & a < b\"\ndate: 2024-01-03\n---\n\nBody two.\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    convert_with_report(input.path(), out.path(), &["-t", "epub", "-g", "none"]);
    let books = epubs_in(out.path());
    let book = &books[0];
    let chapters: Vec<String> = unzip(book)
        .into_iter()
        .filter(|(n, _)| n.starts_with("OEBPS/post-"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect();
    let all = chapters.join("\n");
    assert!(
        all.contains("<h1>Tip: <code>Foo</code> is <em>fast</em></h1>"),
        "{all}"
    );
    assert!(
        all.contains("<h1>Vec&lt;String&gt; &amp; a &lt; b</h1>"),
        "{all}"
    );
    assert!(!all.contains("&lt;code"), "{all}");
    let nav = epub_text(book, "nav.xhtml");
    assert!(nav.contains(">Tip: Foo is fast ("), "{nav}");
    assert!(!nav.contains("code"), "{nav}");
    epubcheck(&books);

    let notes = tempfile::tempdir().unwrap();
    convert_with_report(input.path(), notes.path(), &["-t", "markdown"]);
    let texts: Vec<String> = files_with_ext(notes.path(), "md")
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("title: 'Tip: Foo is fast'")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("title: Vec<String> & a < b")),
        "{texts:?}"
    );
}

/// The `<a href>`s of the chapter whose `<h1>` is `title`.
fn links_of(chapters: &[String], title: &str) -> Vec<(String, String)> {
    let chapter = chapters
        .iter()
        .find(|c| c.contains(&format!("<h1>{title}</h1>")))
        .unwrap_or_else(|| panic!("no chapter {title}"));
    hrefs(chapter)
}

#[test]
fn links_by_permalink_lead_to_chapters_or_to_the_posts_web_pages() {
    // One book: every link between posts, written as the site's addresses (its `pretty`
    // pattern, a post's own `permalink:`, with `baseurl`, `.html`, the full URL, a heading),
    // leads to a chapter.
    let (out, report) = convert("jekyll-permalinks", &["-t", "epub", "-g", "none"]);
    let (book, chapters, _) = the_book(out.path());
    assert_eq!(chapters.len(), 3);
    assert_no_template_residue(&chapters);
    let (first, note) = ("post-0001.xhtml#post", "post-0002.xhtml#post");
    let want: Vec<(String, String)> = [
        (note, "Note 1"),
        (note, "note again"),
        (first, "first steps"),
        (first, "the guide"),
        ("post-0002.xhtml#details", "the details"),
        ("post-0001.xhtml#setup", "the setup"),
        (note, "by name"),
        ("https://pat.example/about/", "about"),
    ]
    .iter()
    .map(|(h, t)| (h.to_string(), t.to_string()))
    .collect();
    assert_eq!(links_of(&chapters, "Linking between posts"), want);
    assert_eq!(
        links_of(&chapters, "First steps"),
        [(note.to_string(), "numbered note".to_string())]
    );
    assert!(report["summary"]["warnings_by_kind"]
        .get("link-outside-book")
        .is_none());
    epubcheck(&[book]);

    // A book a month: the same links lead to the other months' posts on the web, at the
    // site's `url`, `baseurl` and each post's permalink, and each is counted.
    let (out, report) = convert("jekyll-permalinks", &["-t", "epub", "-g", "month"]);
    let books = epubs_in(&out.path().join("out"));
    assert_eq!(books.len(), 3, "{books:?}");
    let march = books
        .iter()
        .find(|b| b.file_name().unwrap() == "2020-03.epub")
        .unwrap();
    let chapter = epub_text(march, "post-0001.xhtml");
    let web = "https://pat.example/notes-site";
    let want: Vec<(String, String)> = [
        (format!("{web}/notes/1"), "Note 1"),
        (format!("{web}/notes/1"), "note again"),
        (
            format!("{web}/guides/2020/01/02/first-steps/"),
            "first steps",
        ),
        (format!("{web}/guides/2020/01/02/first-steps/"), "the guide"),
        (format!("{web}/notes/1#details"), "the details"),
        (
            format!("{web}/guides/2020/01/02/first-steps/#setup"),
            "the setup",
        ),
        (format!("{web}/notes/1"), "by name"),
        ("https://pat.example/about/".into(), "about"),
    ]
    .into_iter()
    .map(|(h, t)| (h, t.to_string()))
    .collect();
    assert_eq!(hrefs(&chapter), want);
    assert_eq!(
        report["summary"]["warnings_by_kind"]["link-outside-book"], 8,
        "{report}"
    );
    epubcheck(&books);

    // A note of one post alone links to the others' web pages too.
    let post = fixture("jekyll-permalinks/_posts/2020-01-02-first-steps.md");
    let dir = tempfile::tempdir().unwrap();
    postbook()
        .args(["convert", "-q", "-t", "markdown"])
        .arg(&post)
        .arg("-o")
        .arg(dir.path())
        .assert()
        .success();
    let note = std::fs::read_to_string(dir.path().join("2020-01-02-first-steps.md")).unwrap();
    assert!(
        note.contains("[numbered note](https://pat.example/notes-site/notes/1)"),
        "{note}"
    );
}

#[test]
fn jekyll_collections_with_output_are_chapters_and_the_others_are_skipped() {
    // One book: the post and the `tips` documents (their collection has `output: true`), in
    // Jekyll's order (dated, then by path); the post's links to the tips' permalinks (the
    // collection's own pattern, `/tips/:path/`) lead to their chapters.
    let (out, report) = convert("jekyll-collections", &["-t", "epub", "-g", "none"]);
    let (book, chapters, _) = the_book(out.path());
    let titles: Vec<&str> = chapters
        .iter()
        .map(|c| {
            let start = c.find("<h1>").unwrap() + 4;
            &c[start..start + c[start..].find("</h1>").unwrap()]
        })
        .collect();
    assert_eq!(
        titles,
        [
            "Welcome to the kitchen",
            "Let the dough rest",
            "Keep your knives sharp"
        ]
    );
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(h, t)| (h.to_string(), t.to_string()))
            .collect()
    };
    assert_eq!(
        links_of(&chapters, "Welcome to the kitchen"),
        pairs(&[
            ("post-0003.xhtml#post", "the knife tip"),
            ("post-0002.xhtml#post", "the tip on resting dough"),
            ("https://kitchen.example/about/", "about page"),
        ])
    );
    assert_eq!(
        links_of(&chapters, "Let the dough rest"),
        pairs(&[("post-0003.xhtml#post", "the knife tip")])
    );
    assert!(report["summary"]["warnings_by_kind"]
        .get("link-outside-book")
        .is_none());
    // The `data_only` collection (`output: false`) is data: skipped, and said why.
    let skipped = report["skipped"].as_array().unwrap();
    let data: Vec<&serde_json::Value> = skipped
        .iter()
        .filter(|s| s["path"].as_str().unwrap().contains("_data_only"))
        .collect();
    assert_eq!(data.len(), 1, "{skipped:?}");
    assert!(data[0]["path"].as_str().unwrap().ends_with("robin.md"));
    let why = data[0]["why"].as_str().unwrap();
    assert!(
        why.contains("`data_only`") && why.contains("output: true"),
        "{why}"
    );
    assert_eq!(report["summary"]["converted"], 3);
    assert!(epubcheck(&[book]));

    // A book a month: the undated tips are in the undated book, and the January post's links
    // lead to their pages on the web, at the collection's permalinks.
    let (out, _) = convert("jekyll-collections", &["-t", "epub", "-g", "month"]);
    let books = epubs_in(&out.path().join("out"));
    let names: Vec<String> = books
        .iter()
        .map(|b| b.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["2024-01.epub", "undated.epub"]);
    let january = epub_text(&books[0], "post-0001.xhtml");
    let web: Vec<String> = hrefs(&january).into_iter().map(|(h, _)| h).collect();
    assert_eq!(
        web,
        [
            "https://kitchen.example/tips/sharp-knives/",
            "https://kitchen.example/tips/advanced/resting-dough/",
            "https://kitchen.example/about/",
        ]
    );
    assert!(epubcheck(&books));
}

/// The picture a theme shows above a post (PaperMod's `cover`, Minimal Mistakes' `header`)
/// opens its chapter, embedded like the text's pictures; one the text already shows is not
/// repeated, and a hidden cover is not shown.
#[test]
fn a_themes_lead_picture_opens_the_chapter() {
    let tmp = tempfile::tempdir().unwrap();
    let hugo = tmp.path().join("hugo");
    let bundle = hugo.join("content/posts/harvest");
    std::fs::create_dir_all(&bundle).unwrap();
    std::fs::write(hugo.join("hugo.toml"), "title = \"Farm notes\"\n").unwrap();
    std::fs::copy(
        fixture("hugo-site/static/images/banner.png"),
        bundle.join("fields.png"),
    )
    .unwrap();
    std::fs::write(
        bundle.join("index.md"),
        "---\ntitle: Harvest\ndate: 2024-08-01\ncover:\n  image: fields.png\n  caption: The north field at noon\n---\n\nThe wheat came in early.\n",
    )
    .unwrap();
    std::fs::write(
        hugo.join("content/posts/hidden.md"),
        "---\ntitle: Quiet week\ndate: 2024-08-02\ncover:\n  image: /nowhere.png\n  hidden: true\n---\n\nNothing new.\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    postbook()
        .args(["convert", "-q", "-t", "epub", "-g", "none"])
        .arg(&hugo)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let books = epubs_in(&out);
    let chapters: Vec<String> = unzip(&books[0])
        .into_iter()
        .filter(|(n, _)| n.starts_with("OEBPS/post-"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect();
    let harvest = chapters.iter().find(|c| c.contains("Harvest")).unwrap();
    let figure = harvest.find("<figure").expect("no lead picture");
    assert!(
        figure < harvest.find("The wheat came in early.").unwrap(),
        "{harvest}"
    );
    assert!(harvest.contains("The north field at noon"), "{harvest}");
    assert_eq!(picture_sources(&chapters).len(), 1, "{chapters:?}");
    assert!(picture_sources(&chapters)[0].starts_with("images/"));
    epubcheck(&books);

    // Jekyll: the header's overlay picture, not repeated when the text shows it.
    let jekyll = tmp.path().join("jekyll");
    std::fs::create_dir_all(jekyll.join("_posts")).unwrap();
    std::fs::create_dir_all(jekyll.join("assets")).unwrap();
    std::fs::write(jekyll.join("_config.yml"), "title: Kitchen\n").unwrap();
    std::fs::copy(
        fixture("hugo-site/static/images/banner.png"),
        jekyll.join("assets/pan.png"),
    )
    .unwrap();
    let post = |name: &str, body: &str| {
        std::fs::write(
            jekyll.join("_posts").join(name),
            format!("---\ntitle: Pans\nheader:\n  overlay_image: /assets/pan.png\n  teaser: /assets/t.png\n---\n\n{body}\n"),
        )
        .unwrap();
    };
    post("2024-01-01-pans.md", "Cast iron lasts.");
    post(
        "2024-01-02-again.md",
        "Cast iron again.\n\n![pan](/assets/pan.png)",
    );
    let notes = tmp.path().join("notes");
    postbook()
        .args(["convert", "-q", "-t", "markdown"])
        .arg(&jekyll)
        .arg("-o")
        .arg(&notes)
        .assert()
        .success();
    let notes = files_with_ext(&notes, "md");
    assert_eq!(notes.len(), 2, "{notes:?}");
    for note in notes {
        let text = std::fs::read_to_string(&note).unwrap();
        assert_eq!(text.matches("pan.png)").count(), 1, "{text}");
        assert!(!text.contains("t.png)"), "{text}");
    }
}

/// Converts the folder `input` with `args`; returns the output folder, the report and stderr.
fn convert_dir(input: &Path, args: &[&str]) -> (tempfile::TempDir, serde_json::Value, String) {
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    let run = postbook()
        .arg("convert")
        .args(args)
        .arg(input)
        .arg("-o")
        .arg(out.path().join("out"))
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    let stderr = String::from_utf8(run.get_output().stderr.clone()).unwrap();
    let report = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    (out, report, stderr)
}

/// The Markdown notes of a run, as text.
fn notes_of(out: &Path) -> Vec<String> {
    all_files(&out.join("out"))
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "md"))
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

/// Hugo reads a JSON object at the start of a file as its front matter.
#[test]
fn hugo_json_front_matter_is_metadata() {
    let site = site_of(&[
        ("hugo.toml", "title = 'Tea notes'\n"),
        (
            "content/posts/json.md",
            "{\n  \"title\": \"Oolong {and} more\",\n  \"date\": \"2022-03-04\",\n  \
             \"categories\": [\"leaves\"]\n}\n\nThe body of the post.\n",
        ),
    ]);
    let (out, _, stderr) = convert_dir(site.path(), &["-t", "markdown"]);
    let notes = notes_of(out.path());
    assert_eq!(notes.len(), 1, "{notes:?}");
    let note = &notes[0];
    assert!(note.contains("title: Oolong {and} more\n"), "{note}");
    assert!(note.contains("date: 2022-03-04\n"), "{note}");
    assert!(note.contains("categories:\n- leaves\n"), "{note}");
    assert!(!note.contains("\"title\""), "{note}");
    assert!(note.contains("The body of the post."), "{note}");
    assert!(!stderr.contains("undated"), "{stderr}");
}

/// Jekyll post names with one-digit months and days (`2015-4-7-x.md`) are dated, as Jekyll's
/// `\d{2,4}-\d{1,2}-\d{1,2}` file name matcher has them.
#[test]
fn jekyll_names_with_one_digit_month_and_day_are_dated() {
    let site = site_of(&[
        ("_config.yml", "title: Tea\n"),
        (
            "_posts/2015-4-7-spring-tea.md",
            "---\ntitle: Spring tea\n---\nGreen.\n",
        ),
        (
            "_posts/2015-10-3-autumn-tea.md",
            "---\ntitle: Autumn tea\n---\nRed.\n",
        ),
    ]);
    let (out, _, stderr) = convert_dir(site.path(), &["-t", "markdown"]);
    assert!(!stderr.contains("undated"), "{stderr}");
    let spring = std::fs::read_to_string(out.path().join("out/2015-4-7-spring-tea.md")).unwrap();
    assert!(spring.contains("date: 2015-04-07\n"), "{spring}");
    let autumn = std::fs::read_to_string(out.path().join("out/2015-10-3-autumn-tea.md")).unwrap();
    assert!(autumn.contains("date: 2015-10-03\n"), "{autumn}");
    // By month: one book for each.
    let (books, _, _) = convert_dir(site.path(), &["-t", "epub"]);
    let mut names: Vec<String> = epubs_in(&books.path().join("out"))
        .iter()
        .map(|b| b.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names[0].contains("2015-04") && names[1].contains("2015-10"),
        "{names:?}"
    );
}

/// A front matter key given twice takes its last value, as Jekyll (Psych) has it: the post is
/// converted, with a front-matter warning naming the file, the key and its lines.
#[test]
fn a_repeated_front_matter_key_takes_its_last_value_with_a_warning() {
    let site = site_of(&[
        ("_config.yml", "title: Games\n"),
        (
            "_posts/2016-02-03-twice.md",
            "---\nlayout: post\ntitle: First title\ndraft: true\ntitle: Second title\ndraft: false\n---\nBody.\n",
        ),
    ]);
    let (out, report, stderr) = convert_dir(site.path(), &["-t", "markdown"]);
    let notes = notes_of(out.path());
    assert_eq!(notes.len(), 1, "{notes:?} {stderr}");
    assert!(notes[0].contains("title: Second title\n"), "{}", notes[0]);
    for (key, lines) in [("title", "(lines 3, 5)"), ("draft", "(lines 4, 6)")] {
        let said = stderr.lines().any(|l| {
            l.contains("2016-02-03-twice.md")
                && l.contains(&format!("`{key}`"))
                && l.contains(lines)
        });
        assert!(said, "{key} {lines}: {stderr}");
    }
    assert_eq!(
        report["summary"]["warnings_by_kind"]["front-matter"], 2,
        "{report}"
    );
}

/// A file of an output collection without front matter (an empty placeholder, plain text) is a
/// static file to Jekyll, not a page: skipped and listed with why, and the run succeeds.
#[test]
fn collection_files_without_front_matter_are_skipped_as_static_files() {
    let site = site_of(&[
        (
            "_config.yml",
            "title: Garden\ncollections:\n  recipes:\n    output: true\n",
        ),
        (
            "_posts/2021-05-01-sowing.md",
            "---\ntitle: Sowing\n---\nSeeds.\n",
        ),
        ("_recipes/soup.md", "---\ntitle: Soup\n---\nBoil.\n"),
        ("_recipes/empty.md", ""),
        ("_recipes/plain.md", "Just a list of ideas.\n"),
    ]);
    let (out, report, stderr) = convert_dir(site.path(), &["-t", "markdown"]);
    let notes = notes_of(out.path());
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("title: Soup")), "{notes:?}");
    assert_eq!(report["summary"]["failed"], 0, "{report}");
    assert_eq!(report["summary"]["files_skipped"], 2, "{report}");
    let skipped = report["skipped"].as_array().unwrap();
    for name in ["empty.md", "plain.md"] {
        let entry = skipped
            .iter()
            .find(|s| s["path"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name}: {report}"));
        assert!(
            entry["why"].as_str().unwrap().contains("static file"),
            "{entry}"
        );
        assert!(stderr.contains(name), "{stderr}");
    }
}

/// `author: billy` names an entry of the site's `_data/authors.yml`, shown by its `name` as
/// jekyll-seo-tag and the themes that document the file do; an unlisted author stays as written.
#[test]
fn jekyll_authors_are_looked_up_in_the_authors_data_file() {
    let site = site_of(&[
        ("_config.yml", "title: Shop\nauthor:\n  name: Owner\n"),
        (
            "_data/authors.yml",
            "billy:\n  name: Billy Rick\n  bio: Merchant\nsue:\n  name: Sue Park\nnameless:\n  bio: x\n",
        ),
        ("_posts/2020-03-15-guest.md", "---\ntitle: Guest\nauthor: billy\n---\nHello.\n"),
        (
            "_posts/2020-03-16-pair.md",
            "---\ntitle: Pair\nauthors: [sue, nameless, Walter]\n---\nHi.\n",
        ),
    ]);
    let (out, _, _) = convert_dir(site.path(), &["-t", "markdown"]);
    let notes = notes_of(out.path());
    let note = |title: &str| {
        notes
            .iter()
            .find(|n| n.contains(&format!("title: {title}\n")))
            .unwrap_or_else(|| panic!("{title}: {notes:?}"))
            .clone()
    };
    let guest = note("Guest");
    assert!(guest.contains("author: Billy Rick\n"), "{guest}");
    let pair = note("Pair");
    assert!(
        pair.contains("- Sue Park\n- nameless\n- Walter\n"),
        "{pair}"
    );
}
#[test]
fn a_jekyll_site_of_collections_without_posts_is_read_as_jekyll() {
    // No `_posts/`: the config's output collection makes the folder a Jekyll site, so its
    // documents have their Liquid run and the templates are never posts.
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let write = |path: &str, text: &str| write_files(&site, &[(path, text)]);
    write(
        "_config.yml",
        "title: Garden Notes\ncollections:\n  beds:\n    output: true\n",
    );
    write("_includes/hint.html", "<p><b>{{ include.text }}</b></p>\n");
    write(
        "_layouts/default.html",
        "<html><head><title>{{ page.title }}</title></head><body>{{ content }}</body></html>\n",
    );
    write(
        "_beds/roses.md",
        "---\ntitle: Roses\n---\nPrune in {{ site.title }} style.\n\n\
         {% include hint.html text=\"Wear gloves.\" %}\n",
    );
    let out = dir.path().join("out");
    let report = convert_with_report(&site, &out, &["--no-config", "-t", "md"]);
    let notes = files_with_ext(&out, "md");
    assert_eq!(notes.len(), 1, "{notes:?} {report}");
    let note = std::fs::read_to_string(&notes[0]).unwrap();
    assert!(note.contains("Prune in Garden Notes style."), "{note}");
    assert!(note.contains("**Wear gloves.**"), "{note}");
}

#[test]
fn a_collection_document_named_like_a_project_paper_is_a_page() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let write = |path: &str, text: &str| write_files(&site, &[(path, text)]);
    write(
        "_config.yml",
        "title: Handbook\ncollections:\n  guide:\n    output: true\n",
    );
    write(
        "_posts/2024-02-01-hello.md",
        "---\ntitle: Hello\n---\nHi.\n",
    );
    write(
        "_guide/contributing.md",
        "---\ntitle: Helping out\n---\nSend patches.\n",
    );
    // Without front matter Jekyll copies it as a file: still not a page.
    write("_guide/README.md", "About this folder.\n");
    // The repository's own papers beside the site stay skipped.
    write("CONTRIBUTING.md", "How to help.\n");
    let out = dir.path().join("out");
    let report = convert_with_report(&site, &out, &["--no-config", "-t", "md"]);
    let names: Vec<String> = files_with_ext(&out, "md")
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().any(|n| n.contains("Helping out")), "{names:?}");
    assert_eq!(names.len(), 2, "{names:?} {report}");
    let skipped = report["skipped"].to_string();
    assert!(skipped.contains("README.md"), "{skipped}");
    assert!(!skipped.contains("contributing.md"), "{skipped}");
}

#[test]
fn a_collection_is_a_site_variable_of_its_documents() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let write = |path: &str, text: &str| write_files(&site, &[(path, text)]);
    write(
        "_config.yml",
        "title: Orchard\ncollections:\n  trees:\n    output: true\n  staff:\n    output: false\n",
    );
    write(
        "_posts/2024-03-01-index.md",
        "---\ntitle: Index\n---\n{{ site.trees.size }} trees, {{ site.posts.size }} post, \
         staff {{ site.staff | map: \"name\" | join: \",\" }}.\n\n\
         {% for t in site.trees %}\n- [{{ t.title }}]({{ t.url | relative_url }})\n{% endfor %}\n",
    );
    write("_trees/pear.md", "---\ntitle: Pear\n---\nSweet.\n");
    write("_trees/apple.md", "---\ntitle: Apple\n---\nCrisp.\n");
    write("_staff/ann.md", "---\nname: Ann\n---\nGardener.\n");
    let out = dir.path().join("out");
    let report = convert_with_report(&site, &out, &["--no-config", "-t", "md", "-g", "none"]);
    let index = files_with_ext(&out, "md")
        .into_iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .find(|t| t.contains("title: Index"))
        .unwrap();
    assert!(index.contains("2 trees, 1 post, staff Ann."), "{index}");
    // In path order, each linking to its note.
    let apple = index.find("[Apple](").expect(&index);
    let pear = index.find("[Pear](").expect(&index);
    assert!(apple < pear, "{index}");
    assert!(!index.contains("/trees/"), "{index}");
    assert!(
        report["summary"]["warnings_by_kind"]
            .get("unknown-liquid")
            .is_none(),
        "{report}"
    );
}

#[test]
fn hugo_links_follow_hugos_permalinks_in_any_case_and_reach_other_books_on_the_web() {
    let site = tempfile::tempdir().unwrap();
    write_files(
        site.path(),
        &[
            (
                "hugo.toml",
                "baseURL = \"https://trail.example/journal/\"\ntitle = \"Trail journal\"\n[permalinks]\nwalks = \"/:year/:slug/\"\n",
            ),
            (
                "content/walks/ridge.md",
                "---\ntitle: \"Ridge Loop\"\ndate: 2023-10-04\n---\n\n## Start\n\nA cold morning.\n",
            ),
            (
                "content/gear/Boots.md",
                "---\ntitle: \"Boots\"\ndate: 2024-03-01\n---\n\n## Laces\n\nDouble knots.\n",
            ),
            (
                "content/walks/lake.md",
                "---\ntitle: \"Lake walk\"\ndate: 2024-03-09\n---\n\nAfter [the ridge](/journal/2023/ridge-loop/#start), in [my boots](/gear/boots/#laces) and [boots again](../../gear/boots/).\n",
            ),
        ],
    );
    // One book: every link is a chapter's, the capitalised file's too.
    let out = tempfile::tempdir().unwrap();
    let report = convert_with_report(
        site.path(),
        &out.path().join("out"),
        &["-t", "epub", "-g", "none"],
    );
    let (_, chapters, _) = the_book(out.path());
    let links = links_of(&chapters, "Lake walk");
    let files: Vec<&str> = links
        .iter()
        .map(|(h, _)| h.split('#').next().unwrap())
        .collect();
    let chapter_of = |title: &str| {
        let i = chapters
            .iter()
            .position(|c| c.contains(&format!("<h1>{title}</h1>")))
            .unwrap();
        format!("post-{:04}.xhtml", i + 1)
    };
    assert_eq!(
        files,
        [
            chapter_of("Ridge Loop"),
            chapter_of("Boots"),
            chapter_of("Boots")
        ],
        "{links:?}"
    );
    assert!(
        report["summary"]["warnings_by_kind"]
            .get("link-outside-book")
            .is_none(),
        "{report}"
    );

    // A book a year: the link to last year's post leads to its page on the site.
    let out = tempfile::tempdir().unwrap();
    let report = convert_with_report(
        site.path(),
        &out.path().join("out"),
        &["-t", "epub", "-g", "year"],
    );
    let book = out.path().join("out/2024.epub");
    let chapter = epub_text(&book, "post-0002.xhtml");
    assert!(
        hrefs(&chapter).contains(&(
            "https://trail.example/journal/2023/ridge-loop/#start".to_string(),
            "the ridge".to_string()
        )),
        "{chapter}"
    );
    assert_eq!(
        report["summary"]["warnings_by_kind"]["link-outside-book"], 1,
        "{report}"
    );
    epubcheck(&[book]);
}

#[test]
fn hugo_pages_the_site_never_publishes_are_left_out_and_counted_by_why() {
    let site = tempfile::tempdir().unwrap();
    let page = |title: &str, extra: &str, body: &str| {
        format!("---\ntitle: \"{title}\"\ndate: 2024-04-01\n{extra}---\n{body}")
    };
    write_files(
        site.path(),
        &[
            ("hugo.toml", "baseURL = \"https://orchard.example/\"\ntitle = \"Orchard\"\n"),
            ("content/posts/pruning.md", &page("Pruning", "", "Cut in winter.\n")),
            (
                "content/snippets/_index.md",
                "---\ntitle: Snippets\ncascade:\n  build:\n    render: never\n    list: never\n---\n",
            ),
            ("content/snippets/warning.md", &page("Ladder warning", "", "Mind the ladder.\n")),
            (
                "content/snippets/shown.md",
                &page("Shown anyway", "build:\n  render: always\n", "Rendered.\n"),
            ),
            ("content/blocks/about/index.md", &page("About block", "headless: true\n", "Hi.\n")),
            ("content/old.md", &page("Old key", "_build:\n  render: false\n", "Old.\n")),
            ("content/archives.md", &page("Archives", "layout: archives\n", "\n")),
            ("content/posts/grafting.md", &page("Grafting", "publishDate: 2999-01-01\n", "Soon.\n")),
            (
                "content/posts/sale.md",
                &page("Spring sale", "expiryDate: 2024-05-01\n", "Over.\n"),
            ),
        ],
    );
    let titles = |out: &Path| -> Vec<String> {
        let (_, chapters, _) = the_book(out);
        let mut t: Vec<String> = chapters
            .iter()
            .map(|c| {
                c.split("<h1>")
                    .nth(1)
                    .unwrap()
                    .split('<')
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect();
        t.sort();
        t
    };
    let out = tempfile::tempdir().unwrap();
    let report = convert_with_report(
        site.path(),
        &out.path().join("out"),
        &["-t", "epub", "-g", "none"],
    );
    assert_eq!(titles(out.path()), ["Pruning", "Shown anyway"]);
    let unpublished = &report["summary"]["unpublished"];
    assert_eq!(unpublished["not-rendered"], 3, "{report}");
    assert_eq!(unpublished["layout-only"], 1, "{report}");
    assert_eq!(unpublished["future"], 1, "{report}");
    assert_eq!(unpublished["expired"], 1, "{report}");
    assert_eq!(report["summary"]["drafts"], 0, "{report}");

    // `--drafts` keeps everything the site does not publish; `buildFuture` keeps future posts.
    let out = tempfile::tempdir().unwrap();
    convert_with_report(
        site.path(),
        &out.path().join("out"),
        &["-t", "epub", "-g", "none", "--drafts"],
    );
    // (and, as ever, the `_index.md` list page)
    assert_eq!(titles(out.path()).len(), 9);
    std::fs::write(
        site.path().join("hugo.toml"),
        "baseURL = \"https://orchard.example/\"\ntitle = \"Orchard\"\nbuildFuture = true\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let report = convert_with_report(
        site.path(),
        &out.path().join("out"),
        &["-t", "epub", "-g", "none"],
    );
    assert_eq!(titles(out.path()), ["Grafting", "Pruning", "Shown anyway"]);
    assert!(
        report["summary"]["unpublished"].get("future").is_none(),
        "{report}"
    );
}
