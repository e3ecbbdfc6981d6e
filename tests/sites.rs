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

/// Writes a site of `files` (path, text) into `root`.
fn write_site(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

#[test]
fn hugo_links_follow_hugos_permalinks_in_any_case_and_reach_other_books_on_the_web() {
    let site = tempfile::tempdir().unwrap();
    write_site(
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
    write_site(
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
