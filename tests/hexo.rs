//! A Hexo site as its author wrote it (`tests/fixtures/hexo-site/`): found from its root or
//! from `source/_posts`, its `_config.yml` (title, author, language, time zone), pages,
//! scaffolds and drafts left out, pictures from `source/`, the theme and post asset folders,
//! and Hexo's tag plugins.

mod common;
use common::*;
use std::path::{Path, PathBuf};

/// Converts `input` with `args` into a temporary folder; returns it and the run's stderr.
fn convert(input: &Path, args: &[&str]) -> (tempfile::TempDir, String) {
    let out = tempfile::tempdir().unwrap();
    let run = postbook()
        .arg("convert")
        .args(args)
        .arg(input)
        .arg("-o")
        .arg(out.path().join("out"))
        .assert()
        .success();
    let stderr = String::from_utf8(run.get_output().stderr.clone()).unwrap();
    (out, stderr)
}

fn site() -> PathBuf {
    fixture("hexo-site")
}

/// The one book of a `-g none` run, and its chapters' XHTML in reading order.
fn the_book(out: &Path) -> (PathBuf, Vec<String>) {
    let books = epubs_in(&out.join("out"));
    assert_eq!(books.len(), 1, "{books:?}");
    let mut entries = unzip(&books[0]);
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let chapters = entries
        .iter()
        .filter(|(n, _)| n.starts_with("OEBPS/post-"))
        .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
        .collect();
    (books[0].clone(), chapters)
}

const BOOK: &[&str] = &["-t", "epub", "-g", "none", "--images", "embed"];

#[test]
fn a_hexo_site_reads_the_same_from_its_root_and_from_source_posts() {
    let (from_root, stderr) = convert(&site(), BOOK);
    let (book, chapters) = the_book(from_root.path());
    // `_config.yml` gives the book its title, author and language.
    assert_eq!(book.file_name().unwrap(), "前端札记.epub");
    let opf = epub_text(&book, ".opf");
    assert!(opf.contains("<dc:title>前端札记</dc:title>"), "{opf}");
    assert!(opf.contains(">林小舟</dc:creator>"), "{opf}");
    assert!(opf.contains("<dc:language>zh-CN</dc:language>"), "{opf}");
    // Three posts: the scaffolds, the draft and the about page are not chapters, and are named.
    assert_eq!(chapters.len(), 3, "{chapters:?}");
    let all = chapters.concat();
    for absent in ["不应该成为一章", "不应出现在书中", "{{ title }}"] {
        assert!(!all.contains(absent), "{absent}");
    }
    for skipped in [
        "scaffolds/post.md",
        "source/_drafts/idea.md",
        "source/about/index.md",
    ] {
        assert!(stderr.contains(skipped), "{skipped} not said: {stderr}");
    }
    // `date: 2021-06-01 00:30:00` is in the config's `timezone: Asia/Shanghai`.
    let (notes, _) = convert(&site(), &["-t", "markdown"]);
    let note = std::fs::read_to_string(
        all_files(&notes.path().join("out"))
            .into_iter()
            .find(|f| f.to_string_lossy().contains("reading-notes"))
            .unwrap(),
    )
    .unwrap();
    assert!(note.contains("date: 2021-06-01T00:30:00+08:00"), "{note}");

    // From `source/_posts`, the site is found two folders up: the same book.
    let (from_posts, _) = convert(&site().join("source/_posts"), BOOK);
    let (book2, chapters2) = the_book(from_posts.path());
    assert_eq!(book2.file_name(), book.file_name());
    assert_eq!(chapters2, chapters);
    // With `--drafts`, the draft is read; the scaffolds and the page still are not.
    let (with_drafts, _) = convert(&site(), &[BOOK, &["--drafts"]].concat());
    let (_, chapters) = the_book(with_drafts.path());
    assert_eq!(chapters.len(), 4);
    assert!(chapters.concat().contains("不应出现在书中"));
    assert!(!chapters.concat().contains("不应该成为一章"));
}

/// The text outside `<pre>` and `<code>`: where no tag may be left.
fn outside_code(xhtml: &str) -> String {
    let mut out = String::new();
    let mut rest = xhtml;
    while let Some(at) = rest.find("<pre").or_else(|| rest.find("<code")) {
        let at = [rest.find("<pre"), rest.find("<code")]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(at);
        out.push_str(&rest[..at]);
        let close = if rest[at..].starts_with("<pre") {
            "</pre>"
        } else {
            "</code>"
        };
        rest = rest[at..]
            .find(close)
            .map_or("", |e| &rest[at + e + close.len()..]);
    }
    out.push_str(rest);
    out
}

#[test]
fn hexo_tag_plugins_become_pictures_links_quotes_and_code() {
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    postbook()
        .args(["convert", "-q"])
        .args(BOOK)
        .arg(site())
        .arg("-o")
        .arg(out.path().join("out"))
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    let (book, chapters) = the_book(out.path());
    let [grid, tags, notes] = &chapters[..] else {
        panic!("{chapters:?}")
    };
    // No tag left outside code; the ones in code spans and fences stay as examples.
    for c in &chapters {
        assert!(!outside_code(c).contains("{%"), "{c}");
        assert!(!outside_code(c).contains("%}"), "{c}");
    }
    assert!(
        grid.contains("<code>{% asset_img x.png %}</code>"),
        "{grid}"
    );
    assert!(grid.contains("{% post_link hexo-tags %}"), "{grid}");
    // Every picture is embedded: asset folders by file stem (`2020-01-01-css-grid/`) and by
    // name (`hexo-tags/`), `asset_path` in HTML, relative Markdown, `/images` from `source/`
    // and from the theme's `source/`.
    let pictures: Vec<&str> = chapters
        .iter()
        .flat_map(|c| c.split("<img src=\"").skip(1))
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(pictures.len(), 7, "{pictures:?}");
    assert!(
        pictures.iter().all(|p| p.starts_with("images/")),
        "{pictures:?}"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(report["summary"]["images_failed"], 0, "{report}");
    assert_eq!(report["summary"]["images_embedded"], 6, "{report}");
    // Captions: `asset_img`'s title, quoted `"封面 图"`; `img`'s `'"title" "alt"'` gives the
    // picture its alt (the figure's caption) and its title (a tooltip).
    assert!(
        grid.contains("<figcaption>网格示意图</figcaption>"),
        "{grid}"
    );
    assert!(grid.contains("<figcaption>横幅说明</figcaption>"), "{grid}");
    assert!(tags.contains("<figcaption>封面 图</figcaption>"), "{tags}");
    // `post_link` with and without its text, `post_path`: links to the chapters.
    assert!(
        grid.contains("见 <a href=\"post-0002.xhtml#post\">上一篇</a>。"),
        "{grid}"
    );
    assert!(
        grid.contains("<a href=\"post-0002.xhtml#post\">Hexo 标签插件一览</a>"),
        "{grid}"
    );
    assert!(
        tags.contains("回到 <a href=\"post-0001.xhtml#post\">CSS Grid</a>"),
        "{tags}"
    );
    // A post the site does not have: its text stays, unlinked, and is warned about.
    assert!(tags.contains("也提到一篇不存在的文章：不存在。"), "{tags}");
    // Notes and folds keep their box and title; blockquotes their attribution.
    let squashed = squash(grid);
    assert!(
        squashed.contains("<blockquote><p><strong>Info</strong></p><p><strong>提示</strong>"),
        "{grid}"
    );
    assert!(
        squashed.contains("<p>—<strong>鲁迅</strong>,<em>呐喊</em></p></blockquote>"),
        "{grid}"
    );
    let squashed = squash(tags);
    assert!(
        squashed.contains(
            "<blockquote><p><strong>点击展开</strong></p><p>折叠起来的内容。</p></blockquote>"
        ),
        "{tags}"
    );
    assert!(
        squashed.contains("<p>—<strong>老子</strong></p></blockquote>"),
        "{tags}"
    );
    assert!(
        squashed.contains("<blockquote><p>好的工具让人忘记工具。</p></blockquote>"),
        "{tags}"
    );
    // Tabs: each pane under its title.
    assert!(
        squashed.contains(
            "<p><strong>npm</strong></p><p>使用npm安装。</p><p><strong>yarn</strong></p>"
        ),
        "{tags}"
    );
    // Code: `codeblock` with its language and caption, `code`, `include_code` from `code_dir`.
    assert!(grid.contains("<p><em>grid.css</em></p>"), "{grid}");
    assert!(grid.contains("class=\"language-css\""), "{grid}");
    assert!(notes.contains("class=\"language-python\""), "{notes}");
    assert!(tags.contains("<p><em>问候函数</em></p>"), "{tags}");
    assert!(tags.contains("class=\"language-javascript\""), "{tags}");
    assert!(text_of(tags).contains("return `你好，${name}`;"), "{tags}");
    // Embeds and links keep their URLs; `label` its text; `raw` its content.
    for url in [
        "https://codepen.io/lin/embed/abcdef",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://vimeo.com/76979871",
        "https://lin.example.com/blog/about/",
    ] {
        assert!(tags.contains(&format!("href=\"{url}\"")), "{url} in {tags}");
    }
    assert!(
        tags.contains("重要的文字，<a href=\"https://lin.example.com/blog/about/\">关于我</a>"),
        "{tags}"
    );
    assert!(tags.contains("{{ 原样保留 }}"), "{tags}");
    // The unknown tag and the missing post are named in the report.
    let warnings = report.to_string();
    assert!(
        warnings.contains("unknown Hexo tag `bilibili`"),
        "{warnings}"
    );
    assert!(
        warnings.contains("link to a missing post `no-such-post`"),
        "{warnings}"
    );
    epubcheck(&[book]);
}

#[test]
fn hexo_category_paths_and_updated_dates() {
    // In the book: the full path beside the tags, and the day it was updated.
    let (out, _) = convert(&site(), BOOK);
    let (_, chapters) = the_book(out.path());
    assert!(
        chapters[0].contains("<p class=\"tags\">前端 › CSS · CSS · 布局</p>"),
        "{}",
        chapters[0]
    );
    assert!(
        chapters[0].contains("<p class=\"updated\">更新于 2020年2月1日</p>"),
        "{}",
        chapters[0]
    );
    assert!(chapters[1].contains("<p class=\"tags\">前端 › 工具 · 随笔 · Hexo</p>"));
    assert!(!chapters[1].contains("class=\"updated\""));
    assert!(chapters[2].contains("<p class=\"tags\">读书 › 小说 · 随笔 · 鲁迅</p>"));

    // In notes: paths as lists, `updated` in the time zone, never `null`.
    let (notes, _) = convert(&site(), &["-t", "markdown"]);
    let notes: Vec<String> = files_with_ext(&notes.path().join("out"), "md")
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let all = notes.concat();
    assert!(!all.contains("null"), "{all}");
    assert!(all.contains("categories:\n- - 前端\n  - CSS\n"), "{all}");
    assert!(
        all.contains("categories:\n- - 前端\n  - 工具\n- 随笔\n"),
        "{all}"
    );
    assert!(all.contains("updated: 2020-02-01T09:30:00+08:00"), "{all}");
    // Notes read back give the same paths (a book of the notes shows them the same way).
    let dir = tempfile::tempdir().unwrap();
    for (i, n) in notes.iter().enumerate() {
        std::fs::write(dir.path().join(format!("{i}.md")), n).unwrap();
    }
    let (again, _) = convert(dir.path(), BOOK);
    let (_, chapters) = the_book(again.path());
    let again = chapters.concat();
    for path in ["前端 › CSS", "前端 › 工具", "读书 › 小说"] {
        assert!(again.contains(path), "{path}: {again}");
    }
    assert!(again.contains("更新于 2020年2月1日"), "{again}");

    // `-g category`: one book per top-level category, each post once in each of its own.
    let (grouped, _) = convert(
        &site(),
        &["-t", "epub", "-g", "category", "--images", "embed"],
    );
    let books = epubs_in(&grouped.path().join("out"));
    let mut counts: Vec<(String, usize)> = books
        .iter()
        .map(|b| {
            let posts = unzip(b)
                .iter()
                .filter(|(n, _)| n.starts_with("OEBPS/post-"))
                .count();
            let name = b.file_stem().unwrap().to_string_lossy().into_owned();
            (name, posts)
        })
        .collect();
    counts.sort();
    let names: Vec<String> = counts.iter().map(|(n, c)| format!("{n}:{c}")).collect();
    assert_eq!(counts.len(), 3, "{names:?}");
    assert_eq!(counts.iter().map(|(_, c)| c).sum::<usize>(), 5, "{names:?}");
    for top in ["前端", "随笔", "读书"] {
        assert!(names.iter().any(|n| n.contains(top)), "{top} in {names:?}");
    }
    epubcheck(&books);
}

/// Editing the site's `_config.yml` (here its author, the book's creator) makes the book again
/// on the next run, instead of reporting it unchanged.
#[test]
fn editing_the_config_makes_the_book_again() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    copy_tree(&fixture("hexo-site"), &site);
    let out = tmp.path().join("out");
    let run = || -> (serde_json::Value, String) {
        let report = convert_with_report(&site, &out, &["-t", "epub", "-g", "none"]);
        let books = epubs_in(&out);
        assert_eq!(books.len(), 1, "{books:?}");
        let opf = unzip(&books[0])
            .into_iter()
            .find(|(n, _)| n.ends_with(".opf"))
            .map(|(_, b)| String::from_utf8(b).unwrap())
            .unwrap();
        (report, opf)
    };
    let (_, opf) = run();
    assert!(opf.contains(">林小舟</dc:creator>"), "{opf}");
    let (report, _) = run();
    assert_eq!(outputs_written(&report), 0, "{report}");
    let config = site.join("_config.yml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("author: 林小舟", "author: 林大舟")).unwrap();
    let (report, opf) = run();
    assert_eq!(outputs_written(&report), 1, "{report}");
    assert!(opf.contains(">林大舟</dc:creator>"), "{opf}");
}

/// `--category` names a top-level category as `-g category` does: `前端` takes the posts in
/// `前端 › CSS` and `前端 › 工具`. The files that are not posts are in the report's `skipped`
/// list, each with why.
#[test]
fn category_filter_takes_sub_categories_and_the_report_lists_skipped_files() {
    let out = tempfile::tempdir().unwrap();
    let report = convert_with_report(
        &site(),
        &out.path().join("out"),
        &["-t", "epub", "-g", "none", "--category", "前端"],
    );
    assert_eq!(report["summary"]["converted"], 2, "{:#}", report["summary"]);
    assert_eq!(report["summary"]["filtered_out"], 1);
    let (_, chapters) = the_book(out.path());
    let text = text_of(&chapters.concat());
    assert!(
        text.contains("前端 › CSS") && text.contains("前端 › 工具"),
        "{text}"
    );
    assert!(!text.contains("读书"), "{text}");

    let skipped: Vec<(String, String)> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let path = s["path"].as_str().unwrap();
            let rel = path.split("hexo-site/").nth(1).unwrap_or(path);
            (rel.to_string(), s["why"].as_str().unwrap().to_string())
        })
        .collect();
    let why = |p: &str| {
        skipped
            .iter()
            .find(|(path, _)| path == p)
            .map(|(_, why)| why.as_str())
            .unwrap_or_else(|| panic!("{p} not in {skipped:?}"))
    };
    assert!(why("scaffolds/post.md").starts_with("scaffold"));
    assert!(why("source/_drafts/idea.md").starts_with("draft"));
    assert!(why("source/about/index.md").starts_with("page"));
    assert_eq!(report["summary"]["files_skipped"], skipped.len());
}

#[test]
fn links_to_posts_outside_the_book_lead_to_their_permalinks() {
    // A copy of the site with a post that links to the others by their addresses: the
    // site's `:year/:month/:day/:title/` under `root: /blog/`, and a post's own `permalink:`.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_tree(&site(), &root);
    let posts = root.join("source/_posts");
    std::fs::write(
        posts.join("2021-07-01-links.md"),
        "---\ntitle: 链接\ndate: 2021-07-01 08:00:00\n---\n\n\
         见 [网格](/blog/2020/01/01/css-grid/)、[标签](/blog/2020/03/15/hexo-tags) 和 \
         [自定义](/blog/notes/custom.html)，还有 {% post_link hexo-tags %}。\n",
    )
    .unwrap();
    std::fs::write(
        posts.join("2021-08-01-own.md"),
        "---\ntitle: 自定义地址\ndate: 2021-08-01\npermalink: notes/custom.html\n---\n\n正文。\n",
    )
    .unwrap();
    // The whole site: every link is a chapter's.
    let (out, _) = convert(&root, &["-t", "epub", "-g", "none"]);
    let (book, chapters) = the_book(out.path());
    let links = chapters
        .iter()
        .find(|c| c.contains("<h1>链接</h1>"))
        .unwrap();
    for href in [
        "<a href=\"post-0001.xhtml#post\">网格</a>",
        "<a href=\"post-0002.xhtml#post\">标签</a>",
        "<a href=\"post-0005.xhtml#post\">自定义</a>",
        "<a href=\"post-0002.xhtml#post\">Hexo 标签插件一览</a>",
    ] {
        assert!(links.contains(href), "{href} in {links}");
    }
    epubcheck(&[book]);

    // That post alone: the others are on the web, at `url`, `root` and their permalinks,
    // and the report counts each link.
    let out = tempfile::tempdir().unwrap();
    let report = convert_with_report(
        &posts.join("2021-07-01-links.md"),
        out.path(),
        &["-t", "epub"],
    );
    let books = epubs_in(out.path());
    assert_eq!(books.len(), 1, "{books:?}");
    let chapter = epub_text(&books[0], "post-0001.xhtml");
    let web = "https://lin.example.com/blog";
    for href in [
        format!("<a href=\"{web}/2020/01/01/css-grid/\">网格</a>"),
        format!("<a href=\"{web}/2020/03/15/hexo-tags/\">标签</a>"),
        format!("<a href=\"{web}/notes/custom.html\">自定义</a>"),
        format!("<a href=\"{web}/2020/03/15/hexo-tags/\">Hexo 标签插件一览</a>"),
    ] {
        assert!(chapter.contains(&href), "{href} in {chapter}");
    }
    assert_eq!(
        report["summary"]["warnings_by_kind"]["link-outside-book"], 4,
        "{report}"
    );
    epubcheck(&books);
}

/// A Hexo site made of `files` (path, text) in a temporary folder, with a `package.json`
/// installing hexo-renderer-marked unless `files` has one.
fn hexo_site(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let package = r#"{"dependencies": {"hexo": "^7.3.0", "hexo-renderer-marked": "^7.0.0"}}"#;
    write_files(
        dir.path(),
        &[("package.json", package), ("_config.yml", "title: 测试\n")],
    );
    write_files(dir.path(), files);
    dir
}

/// Hexo's other front matter forms (hexo-front-matter): YAML without the opening `---`, JSON
/// between `;;;` fences or ended by one, and its documented `2013/7/13 20:46:25` dates, in the
/// config's time zone. A post whose first lines are a setext heading stays a heading.
#[test]
fn front_matter_without_opening_fence_json_and_slash_dates() {
    let site = site_of(&[
        ("_config.yml", "title: 札记\ntimezone: Asia/Shanghai\n"),
        (
            "source/_posts/unopened.md",
            "title: 没有开头的线\ndate: 2019/3/5 08:07:06\ntags: [茶, 水]\ncategories: 随笔\n---\n\n正文一。\n",
        ),
        (
            "source/_posts/fenced-json.md",
            ";;;\n\"title\": \"分号包围\",\n\"date\": \"2019/4/1 12:00:00\",\n\"tags\": [\"豆\"]\n;;;\n\n正文二。\n",
        ),
        (
            "source/_posts/open-json.md",
            "\"title\": \"只有结尾\",\n\"date\": \"2019-05-02 09:30:00\"\n;;;\n正文三。\n",
        ),
        (
            "source/_posts/2019-06-01-setext.md",
            "Setext heading\n---\n\nA paragraph: with a colon.\n",
        ),
    ]);
    let (out, stderr) = convert(site.path(), &["-t", "markdown"]);
    let notes: Vec<String> = files_with_ext(&out.path().join("out"), "md")
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let note = |title: &str| {
        notes
            .iter()
            .find(|n| n.contains(&format!("title: {title}\n")))
            .unwrap_or_else(|| panic!("{title} in {notes:?}"))
            .clone()
    };
    let unopened = note("没有开头的线");
    assert!(
        unopened.contains("date: 2019-03-05T08:07:06+08:00"),
        "{unopened}"
    );
    assert!(unopened.contains("tags:\n- 茶\n- 水\n"), "{unopened}");
    assert!(unopened.contains("categories:\n- 随笔\n"), "{unopened}");
    assert!(!unopened.contains("2019/3/5"), "{unopened}");
    assert!(unopened.contains("正文一。"), "{unopened}");
    let fenced = note("分号包围");
    assert!(
        fenced.contains("date: 2019-04-01T12:00:00+08:00"),
        "{fenced}"
    );
    assert!(fenced.contains("tags:\n- 豆\n"), "{fenced}");
    assert!(!fenced.contains(";;;"), "{fenced}");
    let open = note("只有结尾");
    assert!(open.contains("date: 2019-05-02T09:30:00+08:00"), "{open}");
    assert!(!open.contains(";;;") && open.contains("正文三。"), "{open}");
    // The setext heading is the post's title (a heading), not front matter.
    let setext = note("Setext heading");
    assert!(setext.contains("A paragraph: with a colon."), "{setext}");
    assert!(!stderr.contains("cannot read date"), "{stderr}");
    assert!(!stderr.contains("undated"), "{stderr}");
}

/// The Markdown of the one post `site` has, and the run's stderr.
fn markdown_of(site: &Path) -> (String, String) {
    let (out, stderr) = convert(site, &["-t", "markdown"]);
    let files = files_with_ext(&out.path().join("out"), "md");
    assert_eq!(files.len(), 1, "{files:?}");
    (std::fs::read_to_string(&files[0]).unwrap(), stderr)
}

#[test]
fn single_newlines_are_line_breaks_as_hexo_renderers_make_them() {
    let post = "---\ntitle: 诗\ndate: 2021-01-01\n---\n\n白日依山尽，\n黄河入海流。\n";
    let site = hexo_site(&[("source/_posts/poem.md", post)]);
    let (md, _) = markdown_of(site.path());
    assert!(md.contains("白日依山尽，\\\n黄河入海流。"), "{md}");
    // `marked: breaks: false` in the config: one paragraph line, as CommonMark reads it.
    let site = hexo_site(&[
        ("source/_posts/poem.md", post),
        ("_config.yml", "title: 测试\nmarked:\n  breaks: false\n"),
    ]);
    let (md, _) = markdown_of(site.path());
    assert!(md.contains("白日依山尽，黄河入海流。"), "{md}");
}

#[test]
fn link_url_for_and_full_url_for_tags_are_links() {
    let post = "---\ntitle: 链接\ndate: 2021-01-01\n---\n\n\
                先读 {% link 官方 文档 https://docs.example.org/start/ %}。\n\n\
                {% link 搜索 https://search.example.org true 站内 搜索 %}\n\n\
                见 {% url_for \"所有 文章\" /archives/ %} 与 {% full_url_for 关于 /about/ %}。\n";
    let site = hexo_site(&[
        ("source/_posts/links.md", post),
        ("_config.yml", "title: 测试\nurl: https://lin.example.net\n"),
    ]);
    let (md, stderr) = markdown_of(site.path());
    for link in [
        "[官方 文档](https://docs.example.org/start/)",
        "[搜索](https://search.example.org \"站内 搜索\")",
        "[所有 文章](https://lin.example.net/archives/)",
        "[关于](https://lin.example.net/about/)",
    ] {
        assert!(md.contains(link), "{link} in {md}");
    }
    assert!(!stderr.contains("unknown Hexo tag"), "{stderr}");
}

#[test]
fn embed_and_theme_one_line_tags_keep_what_they_show() {
    let post = "---\ntitle: 嵌入\ndate: 2021-01-01\n---\n\n\
                代码：{% gist 5a1b2c3d %}\n\n\
                演示：{% jsfiddle x9Yz1 %}\n\n\
                录像：{% video https://media.example.net/demo.mp4 %}\n\n\
                讲义：{% pdf https://media.example.net/notes.pdf %}\n\n\
                - {% cb 买菜, true %}\n\
                - {% cb 做饭 %}\n\n\
                答案是 {% hideInline 七,点我 %}。\n\n\
                {% douban book 1084336 https://book.example.net/1084336 %}\n\n\
                {% mermaid graph LR %}\n    开始 --> 结束\n{% endmermaid %}\n";
    let site = hexo_site(&[("source/_posts/embeds.md", post)]);
    let (md, stderr) = markdown_of(site.path());
    for kept in [
        "(https://gist.github.com/5a1b2c3d)",
        "(https://jsfiddle.net/x9Yz1/)",
        "(https://media.example.net/demo.mp4)",
        "(https://media.example.net/notes.pdf)",
        "- [x] 买菜\n- [ ] 做饭",
        "答案是 七。",
        // An unknown tag keeps its arguments, an address as a link.
        "book 1084336 [https://book.example.net/1084336](https://book.example.net/1084336)",
        "```mermaid\ngraph LR\n开始 --> 结束\n```",
    ] {
        assert!(md.contains(kept), "{kept} in {md}");
    }
    assert!(
        stderr.contains("unknown Hexo tag `douban`: removed, its arguments kept as text"),
        "{stderr}"
    );
    assert!(
        stderr.contains("diagram not rendered `mermaid`"),
        "{stderr}"
    );
    for known in ["gist", "jsfiddle", "video", "pdf", "cb", "hideInline"] {
        assert!(!stderr.contains(&format!("`{known}`")), "{known}: {stderr}");
    }
}

#[test]
fn picture_tags_split_title_and_alt_as_hexo_does() {
    let post = "---\ntitle: 图\ndate: 2021-01-01\n---\n\n\
                {% asset_img cat.png \"小猫 午睡'一只猫睡在沙发上'\" %}\n\n\
                {% img /images/dog.png 300 200 '\"小狗\" \"一只狗在草地上\"' %}\n\n\
                {% asset_img cat.png \"只有 标题\" %}\n";
    let site = hexo_site(&[
        ("_config.yml", "title: 测试\npost_asset_folder: true\n"),
        ("source/_posts/pics.md", post),
        ("source/_posts/pics/cat.png", "png"),
        ("source/images/dog.png", "png"),
    ]);
    let (md, _) = markdown_of(site.path());
    for picture in [
        "![一只猫睡在沙发上](",
        "cat.png \"小猫 午睡\")",
        "![一只狗在草地上](",
        "dog.png \"小狗\")",
        "![只有 标题](",
    ] {
        assert!(md.contains(picture), "{picture} in {md}");
    }
}

#[test]
fn tags_in_backticks_inside_raw_html_stay_as_written() {
    let post = "---\ntitle: 转义\ndate: 2021-01-01\n---\n\n\
                <div class=\"tip\">写法：`{% 示例 参数 %}` 即可。</div>\n";
    let site = hexo_site(&[("source/_posts/esc.md", post)]);
    let (md, stderr) = markdown_of(site.path());
    assert!(md.contains("{% 示例 参数 %}"), "{md}");
    assert!(!stderr.contains("unknown Hexo tag"), "{stderr}");
}

#[test]
fn post_links_keep_anchors_skip_drafts_and_may_be_html() {
    let setup = "---\ntitle: 安装\ndate: 2021-01-01\n---\n\n## 准备\n\n步骤。\n\n## Options {#opts}\n\n选项。\n";
    let guide = "---\ntitle: 指南\ndate: 2021-01-02\n---\n\n\
                 见 {% post_link setup#opts 选项一节 %}。\n\n\
                 即将发布：{% post_link plan %}。\n\n\
                 {% post_link setup '<em>重要</em> 步骤' false %}\n";
    let draft = "---\ntitle: 计划\n---\n\n草稿。\n";
    let site = hexo_site(&[
        ("source/_posts/setup.md", setup),
        ("source/_posts/guide.md", guide),
        ("source/_drafts/plan.md", draft),
    ]);
    let (out, stderr) = convert(site.path(), &["-t", "epub", "-g", "none"]);
    let (_, chapters) = the_book(out.path());
    let guide = chapters
        .iter()
        .find(|c| c.contains("<h1>指南</h1>"))
        .unwrap();
    assert!(
        guide.contains("<a href=\"post-0001.xhtml#opts\">选项一节</a>"),
        "{guide}"
    );
    // A draft is no post of the site: its slug stays as text, and is warned about.
    assert!(guide.contains("即将发布：plan。"), "{guide}");
    assert!(stderr.contains("link to a missing post `plan`"), "{stderr}");
    assert!(
        guide.contains("<a href=\"post-0001.xhtml#post\"><em>重要</em> 步骤</a>"),
        "{guide}"
    );
}

#[test]
fn code_tags_in_list_items_stay_in_them_without_their_indent() {
    let post = "---\ntitle: 步骤\ndate: 2021-01-01\n---\n\n\
                1. 写配置。\n\n    {% code lang:yaml %}\n    站点:\n      名字: 示例\n    {% endcode %}\n\n\
                2. 运行。\n\n\
                - {% codeblock %}\n  npm run build\n  {% endcodeblock %}\n";
    let site = hexo_site(&[("source/_posts/steps.md", post)]);
    let (md, _) = markdown_of(site.path());
    // One ordered list: the code inside its first item, its lines without the item's indent.
    let expected = "1. 写配置。\n\n   ```yaml\n   站点:\n     名字: 示例\n   ```\n\n2. 运行。\n\n\
                    - ```\n  npm run build\n  ```\n";
    assert!(md.ends_with(expected), "{md}");
}

#[test]
fn include_code_takes_its_language_from_the_file_and_names_a_missing_one() {
    let post = "---\ntitle: 代码\ndate: 2021-01-01\n---\n\n\
                {% include_code 示例 demo/greet.rb %}\n\n{% include_code lang:go gone.go %}\n";
    let site = hexo_site(&[
        ("source/_posts/code.md", post),
        ("source/downloads/code/demo/greet.rb", "puts \"你好\"\n"),
    ]);
    let (md, stderr) = markdown_of(site.path());
    assert!(md.contains("```rb\nputs \"你好\"\n```"), "{md}");
    assert!(
        stderr.contains("include_code file `gone.go`: not in the site's code_dir"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 included file missing (gone.go ×1)"),
        "{stderr}"
    );
}

#[test]
fn butterfly_labels_and_notes_read_their_arguments_as_classes() {
    let post = "---\ntitle: 蝴蝶\ndate: 2021-01-01\n---\n\n\
                这是{% label 要点 blue %}内容。\n\n\
                {% note orange 'fas fa-bell' flat %}\n记得续费。\n{% endnote %}\n\n\
                {% note warning simple %}\n小心。\n{% endnote %}\n";
    let site = hexo_site(&[
        ("source/_posts/bf.md", post),
        ("_config.yml", "title: 测试\ntheme: butterfly\n"),
    ]);
    let (md, _) = markdown_of(site.path());
    assert!(md.contains("这是要点内容。"), "{md}");
    // A colour, an icon and a look are no title; a kind is.
    assert!(md.contains("> 记得续费。"), "{md}");
    assert!(!md.contains("Orange") && !md.contains("fa-bell"), "{md}");
    assert!(md.contains("> **Warning**\n>\n> 小心。"), "{md}");
}

#[test]
fn asset_links_in_notes_lead_to_the_files() {
    let post =
        "---\ntitle: 讲义\ndate: 2021-01-01\n---\n\n下载 {% asset_link notes.pdf 讲义 %}。\n";
    let site = hexo_site(&[
        ("_config.yml", "title: 测试\npost_asset_folder: true\n"),
        ("source/_posts/talk.md", post),
        ("source/_posts/talk/notes.pdf", "%PDF-1.4"),
    ]);
    for images in ["keep", "embed"] {
        let (out, _) = convert(site.path(), &["-t", "markdown", "--images", images]);
        let note = files_with_ext(&out.path().join("out"), "md").remove(0);
        let md = std::fs::read_to_string(&note).unwrap();
        let href = md.split("[讲义](").nth(1).and_then(|s| s.split(')').next());
        let href = href.unwrap_or_else(|| panic!("{md}"));
        let file = note.parent().unwrap().join(href);
        assert!(file.is_file(), "{images}: {href} from {}", note.display());
    }
}

#[test]
fn gallery_photos_in_front_matter_open_the_chapter() {
    let post = "---\ntitle: 相册\ndate: 2021-01-01\nphotos:\n  - /gallery/a.png\n  - /gallery/b.png\n---\n\n两张照片。\n";
    let png = std::fs::read(fixture("hexo-site/source/images/banner.png")).unwrap();
    let site = hexo_site(&[("source/_posts/gallery.md", post)]);
    for name in ["a.png", "b.png"] {
        let file = site.path().join("source/gallery").join(name);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, &png).unwrap();
    }
    let (out, _) = convert(site.path(), BOOK);
    let (_, chapters) = the_book(out.path());
    let body = &chapters[0];
    let first_picture = body.find("<img src=\"images/").unwrap_or(usize::MAX);
    assert!(first_picture < body.find("两张照片").unwrap(), "{body}");
    assert_eq!(body.matches("<img src=\"images/").count(), 2, "{body}");
}

#[test]
fn many_one_line_tags_and_backticks_read_in_linear_time() {
    // Each unknown tag was searched for an end tag through the rest of the post, and each
    // `{%` without a `%}` for one: quadratic, minutes for these posts.
    let tags: String = (0..20000).map(|i| format!("`甲 {{% t{i} %}} ")).collect();
    let opens = "{%".repeat(200_000);
    let quoted = "{% note %}\n<b>`{% 例子 %}`</b>\n{% endnote %}\n";
    let site = hexo_site(&[
        (
            "source/_posts/tags.md",
            &format!("---\ntitle: 多\ndate: 2021-01-01\n---\n\n{tags}\n\n{quoted}"),
        ),
        (
            "source/_posts/opens.md",
            &format!("---\ntitle: 开\ndate: 2021-01-02\n---\n\n{opens}\n"),
        ),
    ]);
    let started = std::time::Instant::now();
    let (out, stderr) = convert(site.path(), &["-t", "markdown"]);
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
    let notes = files_with_ext(&out.path().join("out"), "md");
    let all: String = notes
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    // In a paired tag's content, backticks in HTML keep their tag too.
    assert!(all.contains("{% 例子 %}"), "{stderr}");
    assert!(!stderr.contains("`例子`"), "{stderr}");
}
