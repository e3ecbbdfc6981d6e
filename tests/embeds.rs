//! Embeds never vanish (tests/fixtures/distill, a Jekyll site with al-folio's Distill layout):
//! Distill footnotes, citations and math, iframes of any site and the site's own video and
//! audio all reach the book, which passes EPUBCheck; Hugo shortcodes, Hexo tags and raw HTML
//! give one and the same link paragraph, in the post's language.

mod common;
use common::*;
use postbook::model::{Block, Inline};
use postbook::read::{read_post_with, ReadOptions};
use std::path::Path;

/// The chapters of the one book in `dir`, in order.
fn chapters(dir: &Path) -> Vec<String> {
    let books = epubs_in(dir);
    assert_eq!(books.len(), 1, "{books:?}");
    let mut chapters: Vec<(String, Vec<u8>)> = unzip(&books[0])
        .into_iter()
        .filter(|(n, _)| n.contains("post-") && n.ends_with(".xhtml"))
        .collect();
    chapters.sort();
    chapters
        .into_iter()
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect()
}

#[test]
fn a_distill_post_keeps_its_notes_citations_math_and_embeds() {
    let out = tempfile::tempdir().unwrap();
    let report = convert_with_report(
        &fixture("distill"),
        out.path(),
        &["--no-config", "-t", "epub", "-g", "none"],
    );
    let chapters = chapters(out.path());
    assert_eq!(chapters.len(), 2);
    let (en, zh) = (&chapters[0], &chapters[1]);
    let text = squash(&text_of(en));

    // The footnote is a note, out of the sentence.
    assert!(
        text.contains("Afootnotesitsinthissentence3andthesentencegoeson."),
        "{text}"
    );
    assert!(
        en.contains("<p>This is the footnote's own text.</p>"),
        "{en}"
    );
    // Citations: notes with their BibTeX entries; a key the .bib lacks, in brackets.
    assert!(en.contains(
        "<p>[gregor2015draw] Gregor, Karol and Danihelka, Ivo and Graves, Alex. DRAW: A Recurrent Neural Network For Image Generation. arXiv preprint arXiv:1502.04623. 2015.</p>"
    ));
    assert!(en.contains(
        "<p>[mercier2017enigma] Mercier, Hugo and Sperber, Dan. The Enigma of Reason. 2017.</p>"
    ));
    assert!(en.contains("reasoning is social [unknown2099]<a epub:type=\"noteref\""));
    assert_eq!(en.matches("epub:type=\"noteref\"").count(), 3);
    // Math: inline and display MathML, with the TeX kept as its annotation.
    assert!(en.contains(
        "display=\"inline\"><semantics><mrow><mi>E</mi><mo>=</mo><mi>m</mi><msup><mi>c</mi><mn>2</mn></msup></mrow><annotation encoding=\"application/x-tex\">E = m c^2</annotation>"
    ), "{en}");
    assert!(en.contains("display=\"block\""), "{en}");
    assert!(en.contains("\\sum_{i=1}^{n} x_i^2</annotation>"));
    // Iframes: a link paragraph named by the host, or by the title.
    assert!(en.contains(
        "<p><a href=\"https://plotly.example.net/~ada/12.embed\">Embedded content from plotly.example.net</a></p>"
    ));
    assert!(en.contains(
        "<p><a href=\"https://charts.example.com/unemployment/\">Unemployment by month</a></p>"
    ));
    // The site's own media: links to the files on the site, named by the file.
    assert!(en.contains(
        "<p><a href=\"https://distill.example.org/assets/video/clip.mp4\">Video: clip.mp4</a></p>"
    ));
    assert!(en.contains(
        "<p><a href=\"https://distill.example.org/assets/audio/recording.mp3\">Audio: recording.mp3</a></p>"
    ));

    // Without a bibliography the key shows; a Chinese post's embeds are labelled in Chinese.
    assert!(text_of(zh).contains("这篇文章引用了一篇论文[vaswani2017attention]，"));
    assert!(!zh.contains("noteref"));
    assert!(zh.contains(
        "<a href=\"https://plotly.example.net/~ada/13.embed\">来自 plotly.example.net 的嵌入内容</a>"
    ));
    assert!(zh.contains(
        "<a href=\"https://distill.example.org/assets/video/clip.mp4\">视频：clip.mp4</a>"
    ));

    // The one key missing from the bibliography is warned about; nothing else is.
    assert_eq!(
        report["summary"]["warnings_by_kind"]["citation"], 1,
        "{report:#}"
    );
    assert_eq!(
        report["summary"]["warnings_by_kind"]
            .as_object()
            .map_or(0, |m| m.len()),
        1,
        "{report:#}"
    );
    assert!(epubcheck(&epubs_in(out.path())), "EPUBCheck must run here");
}

/// The body blocks of the post at `rel` in the site at `root`, read as a run over the site
/// reads it.
fn body_of(root: &Path, rel: &str) -> Vec<Block> {
    let inputs = [root.to_path_buf()];
    let sites = postbook::site::find_sites(&inputs);
    assert_eq!(sites.len(), 1, "{} is not a site", root.display());
    let opts = ReadOptions {
        sites: &sites,
        ..ReadOptions::default()
    };
    read_post_with(root.join(rel).as_path(), opts)
        .unwrap()
        .doc
        .blocks
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A paragraph holding only a link: (its URL, its text).
fn link_paragraphs(blocks: &[Block]) -> Vec<(String, String)> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(xs) => match xs.as_slice() {
                [Inline::Link(l)] => Some((l.url.clone(), postbook::model::plain_text(&l.content))),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[test]
fn shortcodes_tags_and_html_give_the_same_paragraph_in_the_post_language() {
    let dir = tempfile::tempdir().unwrap();
    let front = "---\ntitle: 视频合集\ndate: 2024-03-01\n---\n\n这里有两段视频。\n\n";
    // Hugo, a Chinese site.
    let hugo = dir.path().join("hugo");
    write(
        &hugo,
        "hugo.toml",
        "title = \"博客\"\nlanguageCode = \"zh-CN\"\n",
    );
    write(
        &hugo,
        "content/posts/videos.md",
        &format!("{front}{{{{< youtube dQw4w9WgXcQ >}}}}\n\n{{{{< vimeo 76979871 >}}}}\n\n{{{{< tweet user=\"jack\" id=\"20\" >}}}}\n"),
    );
    // Hexo, a Chinese site.
    let hexo = dir.path().join("hexo");
    write(&hexo, "_config.yml", "title: 博客\nlanguage: zh-CN\n");
    write(
        &hexo,
        "source/_posts/videos.md",
        &format!("{front}{{% youtube dQw4w9WgXcQ %}}\n\n{{% vimeo 76979871 %}}\n\n<iframe src=\"https://platform.twitter.com/embed/Tweet.html?id=20\"></iframe>\n"),
    );
    // Jekyll, raw HTML players.
    let jekyll = dir.path().join("jekyll");
    write(&jekyll, "_config.yml", "title: 博客\nlang: zh-CN\n");
    write(
        &jekyll,
        "_posts/2024-03-01-videos.md",
        &format!("{front}<iframe width=\"560\" src=\"https://www.youtube.com/embed/dQw4w9WgXcQ\" title=\"YouTube video player\" allowfullscreen></iframe>\n\n<iframe src=\"https://player.vimeo.com/video/76979871\"></iframe>\n\n<iframe src=\"https://twitter.com/jack/status/20\"></iframe>\n"),
    );
    let hugo = link_paragraphs(&body_of(&hugo, "content/posts/videos.md"));
    let hexo = link_paragraphs(&body_of(&hexo, "source/_posts/videos.md"));
    let jekyll = link_paragraphs(&body_of(&jekyll, "_posts/2024-03-01-videos.md"));
    let videos = [
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ".to_string(),
            "YouTube 视频".to_string(),
        ),
        ("https://vimeo.com/76979871".into(), "Vimeo 视频".into()),
    ];
    assert_eq!(hugo[..2], videos, "{hugo:?}");
    assert_eq!(hexo[..2], videos, "{hexo:?}");
    assert_eq!(jekyll[..2], videos, "{jekyll:?}");
    assert_eq!(
        hugo[2],
        ("https://twitter.com/jack/status/20".into(), "推文".into())
    );
    assert_eq!(hugo[2], jekyll[2]);
    assert_eq!(
        hexo[2],
        ("https://twitter.com/i/status/20".into(), "推文".into())
    );
}

#[test]
fn theme_media_shortcodes_give_what_their_html_gives() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("hugo");
    write(
        &site,
        "hugo.toml",
        "title = \"Rockets\"\nlanguageCode = \"en\"\n",
    );
    let front = "---\ntitle: Launch films\ndate: 2024-09-01\n---\n\n";
    write(
        &site,
        "content/posts/films.md",
        &format!(
            "{front}{{{{< audio src=\"https://media.example/countdown.ogg\" caption=\"The countdown\" >}}}}\n\n\
             {{{{< video src=\"https://media.example/clips/stage-two.webm\" >}}}}\n\n\
             {{{{< bilibili BV1xx411c7XW 2 >}}}}\n\n\
             <video src=\"https://media.example/clips/stage-two.webm\" controls></video>\n"
        ),
    );
    let links = link_paragraphs(&body_of(&site, "content/posts/films.md"));
    assert_eq!(
        links,
        [
            (
                "https://media.example/countdown.ogg".to_string(),
                "Audio: The countdown".to_string()
            ),
            (
                "https://media.example/clips/stage-two.webm".into(),
                "Video".into()
            ),
            (
                "https://www.bilibili.com/video/BV1xx411c7XW/?p=2".into(),
                "Video".into()
            ),
            (
                "https://media.example/clips/stage-two.webm".into(),
                "Video".into()
            ),
        ],
        "{links:?}"
    );
}

/// In a post taken from a web page, an iframe of an unknown site is an ad slot: dropped, but
/// counted as `promo` chrome; `--keep-chrome` keeps it as a link. A known player stays a link.
#[test]
fn a_web_page_s_unknown_iframes_are_counted_not_silently_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("posts");
    write(
        &posts,
        "2020-07-01-news.md",
        "---\ntitle: A mirrored story\ndate: 2020-07-01\nsource: https://news.example.com/1\n---\n\n\
         <div class=\"article\">\n<p>The first paragraph of the story, as the page served it.</p>\n\
         <iframe src=\"https://ads.example.net/slot/728x90\"></iframe>\n\
         <p>The second paragraph, after the ad slot.</p>\n\
         <iframe src=\"https://www.youtube.com/embed/dQw4w9WgXcQ\"></iframe>\n</div>\n",
    );
    let run = |extra: &[&str]| {
        let out = dir.path().join(format!("out{}", extra.len()));
        let mut args = vec!["--no-config", "-t", "markdown"];
        args.extend_from_slice(extra);
        let report = convert_with_report(&posts, &out, &args);
        let md = std::fs::read_to_string(out.join("2020-07-01-news.md")).unwrap();
        (report, md)
    };
    let (report, md) = run(&[]);
    assert_eq!(
        report["summary"]["chrome_removed"]["promo"], 1,
        "{report:#}"
    );
    assert!(!md.contains("ads.example.net"), "{md}");
    assert!(
        md.contains("[YouTube video](https://www.youtube.com/watch?v=dQw4w9WgXcQ)"),
        "{md}"
    );
    let (_, kept) = run(&["--keep-chrome"]);
    assert!(
        kept.contains(
            "[Embedded content from ads.example.net](https://ads.example.net/slot/728x90)"
        ),
        "{kept}"
    );
}

#[test]
fn an_author_s_iframe_without_a_source_is_warned_about_not_silently_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("posts");
    write(
        &posts,
        "2020-07-02-frames.md",
        "---\ntitle: Frames\ndate: 2020-07-02\n---\n\n\
         <p>Before the frames.</p>\n\
         <iframe srcdoc=\"&lt;p&gt;A document written inline&lt;/p&gt;\"></iframe>\n\
         <iframe id=\"player\"></iframe>\n\
         <iframe src=\"javascript:void(0)\"></iframe>\n\
         <iframe src=\"https://www.youtube.com/embed/dQw4w9WgXcQ\"></iframe>\n\
         <p>After the frames.</p>\n",
    );
    let out = dir.path().join("out");
    let report = convert_with_report(&posts, &out, &["--no-config", "-t", "markdown"]);
    let md = std::fs::read_to_string(out.join("2020-07-02-frames.md")).unwrap();
    assert!(
        md.contains("Before the frames.") && md.contains("After the frames."),
        "{md}"
    );
    assert!(
        md.contains("[YouTube video](https://www.youtube.com/watch?v=dQw4w9WgXcQ)"),
        "{md}"
    );
    // The three frames with no page to link to: one `bad-link` warning each, saying why.
    assert_eq!(
        report["summary"]["warnings_by_kind"]["bad-link"], 3,
        "{report:#}"
    );
    let messages = report.to_string();
    assert!(
        messages.contains("its document written in `srcdoc`"),
        "{messages}"
    );
    assert!(
        messages.contains("whose source is not a page (`javascript:`)"),
        "{messages}"
    );
}

#[test]
fn gists_by_jekyll_tag_script_or_hugo_shortcode_give_the_same_link() {
    let dir = tempfile::tempdir().unwrap();
    let front = "---\ntitle: Snippets\ndate: 2024-03-02\n---\n\nTwo snippets.\n\n";
    let jekyll = dir.path().join("jekyll");
    write(
        &jekyll,
        "_config.yml",
        "title: Code\nplugins:\n  - jekyll-gist\n",
    );
    write(
        &jekyll,
        "_posts/2024-03-02-snippets.md",
        &format!(
            "{front}{{% gist octo/1234abcd deploy.sh %}}\n\n\
             <script src=\"https://gist.github.com/octo/1234abcd.js?file=deploy.sh\"></script>\n\n\
             {{% gist 98765 %}}\n\n<script src=\"https://example.com/app.js\"></script>\n\nEnd.\n"
        ),
    );
    let hugo = dir.path().join("hugo");
    write(
        &hugo,
        "hugo.toml",
        "title = \"Code\"\nlanguageCode = \"en\"\n",
    );
    write(
        &hugo,
        "content/posts/snippets.md",
        &format!("{front}{{{{< gist octo 1234abcd deploy.sh >}}}}\n"),
    );
    let jekyll = link_paragraphs(&body_of(&jekyll, "_posts/2024-03-02-snippets.md"));
    let hugo = link_paragraphs(&body_of(&hugo, "content/posts/snippets.md"));
    assert_eq!(jekyll.len(), 3, "{jekyll:?}");
    assert_eq!(jekyll[0], hugo[0]);
    assert_eq!(jekyll[1], hugo[0]);
    assert_eq!(jekyll[0].0, "https://gist.github.com/octo/1234abcd");
    assert!(jekyll[0].1.contains("deploy.sh"), "{jekyll:?}");
    assert_eq!(jekyll[2].0, "https://gist.github.com/98765");
}
