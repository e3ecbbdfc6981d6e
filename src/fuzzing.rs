//! Entry points shared by the cargo-fuzz targets (`fuzz/`) and `tests/fuzz_regressions.rs`, so
//! a crash found by fuzzing is replayed by exactly the code that found it. Each panics on a bug
//! and returns normally on any input postbook handles. (Hidden from the docs: not an API.)

use crate::images::{AssetSource, Lookup};
use crate::model::Meta;
use crate::read::front_matter::{parse, split_for, to_meta};
use crate::read::{html::read_html, markdown::read_markdown, read_post_bytes};
use crate::write::markdown::{blocks as markdown_blocks, MarkdownWriter};
use crate::write::text::TextWriter;
use crate::write::xhtml::{body as xhtml_body, Anchors, Context, Found};
use crate::write::NoteWriter;
use std::path::Path;

/// The nesting guard's byte scan against html5ever's tokenizer: they must find the same depth.
pub fn nesting(data: &[u8]) {
    crate::read::nesting::check_scan_agrees(&String::from_utf8_lossy(data));
}

/// The front matter splitter and the YAML/TOML → metadata mapping.
pub fn front_matter(data: &[u8]) {
    use crate::site::Generator;
    let text = String::from_utf8_lossy(data);
    for generator in [
        None,
        Some(Generator::Jekyll),
        Some(Generator::Hugo),
        Some(Generator::Hexo),
    ] {
        if let Ok(s) = split_for(&text, generator) {
            if let Some((syntax, src)) = s.front_matter {
                if let Ok(pairs) = parse(syntax, src, s.first_line) {
                    let _ = to_meta(pairs, &mut Meta::default());
                }
            }
        }
    }
}

/// The HTML reader feeding the EPUB serializer. Returns the XHTML `<body>`, which callers
/// check with an XML parser: it must always be well-formed.
pub fn html_to_xhtml(data: &[u8]) -> String {
    let html = String::from_utf8_lossy(data);
    let model = read_html(&html, &mut Vec::new());
    let base = url::Url::parse("https://news.test/a/b.html").ok();
    let anchors = Anchors::of(&model, None);
    let ctx = Context {
        image_href: &|_| None,
        base: base.as_ref(),
        post_href: &|_| None,
        image_label: "image",
        kobo: None,
        highlight: true,
        mathml: true,
        anchors: &anchors,
        found: Found::default(),
    };
    let mut body = String::from(
        "<body xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\">",
    );
    xhtml_body(&model, &ctx, 1, &mut body);
    body.push_str("</body>");
    body
}

/// The Markdown reader, and reading postbook's own Markdown back.
pub fn markdown(data: &[u8]) {
    let src = String::from_utf8_lossy(data);
    let model = read_markdown(&src, &mut Vec::new());
    let _ = read_markdown(&markdown_blocks(&model), &mut Vec::new());
}

/// Whole posts from raw bytes (encodings, front matter, bodies) through the per-post writers.
pub fn post(data: &[u8]) {
    for name in ["2023-05-24-post.md", "post.html"] {
        if let Ok(post) = read_post_bytes(Path::new(name), data) {
            let _ = MarkdownWriter::default().render(&post.doc);
            let _ = (TextWriter { wrap: Some(20) }).render(&post.doc);
        }
    }
}

/// Posts inside a Jekyll, a Hugo and a Hexo site, so that each site's template language runs
/// on them (Liquid with the site's includes and `site.data`, Hugo shortcodes with a theme-less
/// site's own, Hexo tag plugins), then the note writers. The three small sites are made once
/// per process in the temporary folder (`postbook-fuzz-sites-PID`); each input is written as a
/// post of each and read back. A static is never dropped, so a process cannot remove its own
/// sites when it ends: instead each process first removes those of processes that have ended
/// ([`remove_stale_sites`]), and at most the live fuzzers' sites stay.
pub fn site_post(data: &[u8]) {
    use crate::read::{read_post_with, ReadOptions};
    use crate::site::Site;
    use std::path::PathBuf;
    use std::sync::OnceLock;
    static SITES: OnceLock<(Vec<PathBuf>, Vec<Site>)> = OnceLock::new();
    let (posts, sites) = SITES.get_or_init(|| {
        remove_stale_sites();
        let root = std::env::temp_dir().join(format!("{SITES_PREFIX}{}", std::process::id()));
        let files: &[(&str, &str)] = &[
            ("jekyll/_config.yml", "title: Fuzz\nurl: https://fuzz.test\npermalink: /:year/:title/\n"),
            ("jekyll/_data/people.yml", "ann:\n  name: Ann\n"),
            ("jekyll/_includes/note.html", "<div class=\"notice\">{{ include.message | markdownify }}</div>"),
            ("jekyll/_includes/figure.html", "{% include img.html file=include.file %}<figcaption>{{ include.caption }}</figcaption>"),
            ("jekyll/_includes/img.html", "<img src=\"{{ site.url }}/img/{{ include.file }}\">"),
            ("jekyll/_posts/2023-01-01-other.md", "---\ntitle: Other\n---\nOther post.\n"),
            ("hugo/hugo.toml", "title = \"Fuzz\"\nbaseURL = \"https://fuzz.test/\"\n"),
            ("hugo/layouts/shortcodes/box.html", "<div class=\"box\">{{ .Inner }}</div>"),
            ("hugo/content/posts/other.md", "---\ntitle: Other\ndate: 2023-01-01\n---\nOther post.\n"),
            ("hexo/package.json", "{\"dependencies\": {\"hexo\": \"^7.3.0\"}}"),
            ("hexo/_config.yml", "title: Fuzz\nurl: https://fuzz.test\npost_asset_folder: true\n"),
            ("hexo/source/_posts/other.md", "---\ntitle: Other\ndate: 2023-01-01\n---\nOther post.\n"),
        ];
        for (name, text) in files {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("temporary folder");
            std::fs::write(&path, text).expect("temporary folder");
        }
        let posts = ["jekyll/_posts", "hugo/content/posts", "hexo/source/_posts"]
            .map(|dir| root.join(dir).join("2023-05-24-post.md"))
            .to_vec();
        let roots = ["jekyll", "hugo", "hexo"].map(|r| root.join(r)).to_vec();
        let sites = crate::site::find_sites(&roots);
        assert_eq!(sites.len(), 3, "the three fuzz sites are found");
        (posts, sites)
    });
    for post in posts {
        if std::fs::write(post, data).is_err() {
            continue;
        }
        let opts = ReadOptions {
            keep_chrome: crate::chrome_kind::Kept::NONE,
            sites,
        };
        if let Ok(read) = read_post_with(post.as_path(), opts) {
            let _ = MarkdownWriter::default().render(&read.doc);
            let _ = (TextWriter { wrap: Some(20) }).render(&read.doc);
        }
    }
}

/// The start of the name of [`site_post`]'s folder of sites, before its process's id.
const SITES_PREFIX: &str = "postbook-fuzz-sites-";

/// Removes the temporary folders of [`site_post`]'s sites whose process has ended, as
/// `/proc/PID` tells (several fuzzers may run at once: `-jobs`, `-fork`). Where there is no
/// `/proc` nothing is removed rather than risk a live fuzzer's sites.
fn remove_stale_sites() {
    let proc = Path::new("/proc");
    if !proc.join("self").is_dir() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let pid = name.to_str().and_then(|n| n.strip_prefix(SITES_PREFIX));
        let Some(pid) = pid.filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        if pid != std::process::id().to_string() && !proc.join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Whole posts from raw bytes (as Markdown and as HTML: two chapters, which may link to each
/// other) through the EPUB writer, plain and Kobo, with no pictures fetched; every document of
/// each book must be well-formed XML. The writer's gate already stops debug builds at an
/// ill-formed document; release builds (the seed replay of `cargo test --release`) repair
/// it instead, so a repair, a refused book, or an entry that does not parse is a finding too.
pub fn epub(data: &[u8]) {
    use crate::write::epub::EpubWriter;
    use crate::write::Writer as _;
    use crate::write::{Book, Cover};
    struct NoPictures;
    impl AssetSource for NoPictures {
        fn lookup(&self, _: &Meta, _: &str) -> Lookup {
            Lookup::NotLocal
        }
    }
    let posts: Vec<_> = ["2023-05-24-post.md", "post.html"]
        .iter()
        .filter_map(|name| read_post_bytes(Path::new(name), data).ok())
        .map(|post| post.doc)
        .collect();
    if posts.is_empty() {
        return;
    }
    let templates = crate::templates::Templates::load(None, None).expect("built-in templates");
    let book = Book {
        key: "fuzz".into(),
        title: posts[0].display_title(),
        authors: posts[0].meta.authors.clone(),
        lang: posts[0].meta.lang.clone().unwrap_or_else(|| "en".into()),
        posts: posts.iter().collect(),
        post_langs: crate::write::PostLangs::new(posts.len()),
        cover: Cover::None,
        series: None,
        sections: crate::write::sections::SectionBy::Days,
    };
    for kobo in [false, true] {
        let writer = EpubWriter {
            templates: &templates,
            kobo,
            highlight: true,
            section_index: crate::options::SectionIndex::Always,
            thumbnails: true,
            cover_glyphs: Default::default(),
        };
        let (bytes, stats) = match writer.render_output(&book, &NoPictures) {
            Ok(done) => done,
            Err(e) => panic!("the book was refused: {e:#}"),
        };
        if let Some((_, w)) = stats
            .warnings
            .iter()
            .find(|(_, w)| w.kind == crate::warning::WarningKind::InvalidXml)
        {
            panic!("a document failed the XML gate: {}", w.message);
        }
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).expect("an entry");
            let name = entry.name().to_string();
            let xml = [".xhtml", ".opf", ".ncx", ".svg", ".xml"];
            if !xml.iter().any(|ext| name.ends_with(ext)) {
                continue;
            }
            let mut text = String::new();
            std::io::Read::read_to_string(&mut entry, &mut text).expect("UTF-8");
            let opts = roxmltree::ParsingOptions {
                allow_dtd: true,
                nodes_limit: u32::MAX,
                ..Default::default()
            };
            if let Err(e) = roxmltree::Document::parse_with_options(&text, opts) {
                panic!("{name} is not well-formed ({e}):\n{text}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An ended process's sites are removed; this process's and other names are not.
    #[test]
    fn only_ended_processes_sites_are_removed() {
        if !Path::new("/proc/self").is_dir() {
            return; // Nothing is removed without /proc (see remove_stale_sites).
        }
        let tmp = std::env::temp_dir();
        // Above Linux's highest possible process id (2^22).
        let ended = tmp.join(format!("{SITES_PREFIX}999999999"));
        let mine = tmp.join(format!("{SITES_PREFIX}{}", std::process::id()));
        let other = tmp.join(format!("{SITES_PREFIX}not-a-pid"));
        for dir in [&ended, &mine, &other] {
            std::fs::create_dir_all(dir.join("jekyll")).unwrap();
        }
        remove_stale_sites();
        assert!(!ended.exists());
        assert!(mine.exists() && other.exists());
        for dir in [&mine, &other] {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
