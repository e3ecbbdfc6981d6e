//! End-to-end tests of the `postbook` binary on the fixtures and samples.

mod common;
use common::*;
use predicates::prelude::*;
use std::path::Path;

fn chapters(entries: &[(String, Vec<u8>)]) -> Vec<String> {
    entries
        .iter()
        .filter(|(n, _)| n.starts_with("OEBPS/post-"))
        .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
        .collect()
}

#[test]
fn samples_make_valid_monthly_epubs() {
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    postbook()
        .args(["convert", "-t", "epub"])
        .arg(samples())
        .arg("-o")
        .arg(out.path().join("books"))
        .arg("--report")
        .arg(&report)
        .assert()
        .success()
        .stderr(predicate::str::contains("converted 6 posts into 6 books"));
    let books = epubs_in(&out.path().join("books"));
    let names: Vec<String> = books
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "2020-07.epub",
            "2021-07.epub",
            "2022-11.epub",
            "2023-05.epub",
            "2024-03.epub",
            "undated.epub"
        ]
    );

    // The seed post's book: metadata, one chapter, the figure kept as a captioned link.
    let seed = unzip(&out.path().join("books/2023-05.epub"));
    assert_eq!(seed[0].0, "mimetype");
    assert_eq!(seed[0].1, b"application/epub+zip");
    let opf = String::from_utf8(
        seed.iter()
            .find(|(n, _)| n == "OEBPS/content.opf")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(opf.contains("<dc:language>zh</dc:language>"), "{opf}");
    // Titled after the run (the input folder), like every book of the series; the samples'
    // titles are mostly Chinese (three in Chinese, three in Chinese and English), so the run's
    // date style is Chinese.
    assert!(
        opf.contains("<dc:title>samples — 2023年5月</dc:title>"),
        "{opf}"
    );
    assert!(opf.contains(">联合早报</dc:creator>"));
    assert!(opf.contains("<dc:subject>联合早报</dc:subject>"));
    let ch = chapters(&seed);
    assert_eq!(ch.len(), 1);
    let xhtml = &ch[0];
    assert!(xhtml.contains("<h1>习近平会见俄罗斯总理米舒斯京</h1>"));
    assert!(xhtml.contains("2023年5月25日"));
    assert!(xhtml.contains("<figcaption>中国国家主席习近平（右）星期三在北京会见俄罗斯总理米舒斯京。（法新社）</figcaption>"));
    assert!(!xhtml.contains("data-src") && !xhtml.contains("dfp-ad") && !xhtml.contains("NaN"));
    assert!(xhtml.contains("<p>米舒斯京星期三早些时候也与中国总理李强会谈"));
    for (name, bytes) in seed.iter().filter(|(n, _)| n.ends_with(".xhtml")) {
        parse_xml(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    }

    // The local image is embedded, as a real PNG declared in the manifest (beside the cover).
    let local = unzip(&out.path().join("books/2021-07.epub"));
    let png = local
        .iter()
        .find(|(n, _)| {
            n.starts_with("OEBPS/images/") && n.ends_with(".png") && !n.ends_with("/cover.png")
        })
        .expect("embedded image");
    assert!(png.1.starts_with(b"\x89PNG"));
    let opf = String::from_utf8(
        local
            .iter()
            .find(|(n, _)| n == "OEBPS/content.opf")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(opf.contains("media-type=\"image/png\""));
    assert!(chapters(&local)[0].contains(&format!(
        "<img src=\"{}\"",
        png.0.trim_start_matches("OEBPS/")
    )));

    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(json["summary"]["converted"], 6);
    assert_eq!(json["summary"]["failed"], 0);
    assert_eq!(json["summary"]["images_embedded"], 1);
    assert_eq!(json["outputs"].as_array().unwrap().len(), 6);

    epubcheck(&books);
}

#[test]
fn broken_posts_are_reported_and_the_rest_converted() {
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("r.json");
    let assert = postbook()
        .args(["convert", "-t", "markdown"])
        .arg(fixture("broken"))
        .arg("-o")
        .arg(out.path().join("md"))
        .arg("--report")
        .arg(&report)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("2023-01-01-bad-yaml.md:3:"), "{stderr}");
    assert!(stderr.contains("invalid YAML front matter"), "{stderr}");
    assert!(
        stderr.contains(
            "2023-01-02-no-closing.md:1:1: front matter opened with `---` is never closed"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("empty.md: empty file"), "{stderr}");
    assert!(stderr.contains("binary.md: binary file"), "{stderr}");
    assert!(
        stderr.contains("converted 2 posts into 2 files; 4 failed"),
        "{stderr}"
    );
    let ok = std::fs::read_to_string(out.path().join("md/2023-01-04-ok.md")).unwrap();
    assert!(ok.starts_with("---\ntitle: "));
    let truncated = std::fs::read_to_string(out.path().join("md/2023-01-03-truncated.md")).unwrap();
    assert!(truncated.contains("半截"), "{truncated}");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let failed: Vec<&serde_json::Value> = json["posts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["status"] == "failed")
        .collect();
    assert_eq!(failed.len(), 4);
    let bad = failed
        .iter()
        .find(|p| p["input"].as_str().unwrap().ends_with("bad-yaml.md"))
        .unwrap();
    assert_eq!(bad["error"]["line"], 3);
    // Converted posts are listed with their title and output, streaming or not.
    let ok = |json: &serde_json::Value| -> Vec<(String, String)> {
        let posts = json["posts"].as_array().unwrap().iter();
        posts
            .filter(|p| p["status"] == "converted")
            .map(|p| {
                let output = p["outputs"][0].as_str().unwrap();
                let output = Path::new(output).file_name().unwrap().to_string_lossy();
                (
                    p["title"].as_str().unwrap().to_string(),
                    output.into_owned(),
                )
            })
            .collect()
    };
    let converted = ok(&json);
    assert_eq!(converted.len(), 2);
    assert!(converted.iter().any(|(_, o)| o == "2023-01-04-ok.md"));
    assert!(
        converted.iter().all(|(t, _)| !t.is_empty()),
        "{converted:?}"
    );
    let streamed = out.path().join("streamed.json");
    postbook()
        .args(["convert", "-t", "markdown", "--low-memory"])
        .arg(fixture("broken"))
        .arg("-o")
        .arg(out.path().join("streamed"))
        .arg("--report")
        .arg(&streamed)
        .assert()
        .code(1);
    let streamed: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&streamed).unwrap()).unwrap();
    assert_eq!(ok(&streamed), converted);
    // Nothing but the outputs, postbook's manifest and metadata cache (no temp files) in the
    // output folder.
    let mut names: Vec<String> = std::fs::read_dir(out.path().join("md"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".postbook-cache",
            ".postbook-manifest.json",
            "2023-01-03-truncated.md",
            "2023-01-04-ok.md"
        ]
    );
}

#[test]
fn text_to_stdout_for_one_post() {
    let seed = samples().join("2023-05-24-习近平会见俄罗斯总理米舒斯京.md");
    let out = postbook()
        .args(["convert", "-t", "txt"])
        .arg(&seed)
        .args(["-o", "-"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.starts_with("习近平会见俄罗斯总理米舒斯京\n2023年5月25日 01:48 · 联合早报\nhttps://www.zaobao.com/realtime/china/story20230524-1397792\n\n"));
    assert!(text.contains("\n\n中国央视新闻星期三下午报道上述消息。\n\n"));
    assert!(
        !text.contains("<p") && !text.contains("<div") && !text.contains("<img"),
        "no markup in text output"
    );
    assert!(text.contains("[中国国家主席习近平（右）星期三在北京会见俄罗斯总理米舒斯京。（法新社） <https://static.zaobao.com/"));

    let wrapped = postbook()
        .args(["convert", "-t", "text", "--wrap", "30"])
        .arg(&seed)
        .args(["-o", "-"])
        .assert()
        .success();
    let wrapped = String::from_utf8(wrapped.get_output().stdout.clone()).unwrap();
    for line in wrapped.lines().skip(3) {
        // Only an unbreakable word (a long URL) may exceed the width.
        let unbreakable = !line.contains(' ') && !line.chars().any(|c| c > '\u{2E80}');
        assert!(
            unicode_width::UnicodeWidthStr::width(line) <= 30 || unbreakable,
            "{line}"
        );
    }
    assert_eq!(squash(&wrapped), squash(&text));
}

#[test]
fn stdout_refuses_many_inputs_and_epub() {
    postbook()
        .args(["convert", "-t", "md"])
        .arg(samples())
        .args(["-o", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("one post"));
    postbook()
        .args(["convert", "-t", "epub"])
        .arg(samples())
        .args(["-o", "-"])
        .assert()
        .code(2);
    postbook()
        .args(["convert", "-t", "pdf"])
        .arg(samples())
        .args(["-o", "x"])
        .assert()
        .code(2);
}

#[test]
fn paths_from_stdin_and_filters() {
    let out = tempfile::tempdir().unwrap();
    let list = format!(
        "{}\n{}\n",
        samples().join("2024-03-02-markdown-features.md").display(),
        samples()
            .join("2023-05-24-习近平会见俄罗斯总理米舒斯京.md")
            .display()
    );
    postbook()
        .args(["convert", "-t", "md", "-", "-o"])
        .arg(out.path())
        .args(["--since", "2024-01-01"])
        .write_stdin(list)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "converted 1 post into 1 file; 1 filtered out",
        ));
    assert!(out.path().join("2024-03-02-markdown-features.md").exists());
}

#[test]
fn markdown_groups_into_folders_and_keeps_front_matter() {
    let out = tempfile::tempdir().unwrap();
    postbook()
        .args(["convert", "-t", "markdown", "-g", "year"])
        .arg(samples())
        .arg("-o")
        .arg(out.path())
        .assert()
        .success();
    let md =
        std::fs::read_to_string(out.path().join("2024/2024-03-02-markdown-features.md")).unwrap();
    let fm: serde_json::Value = serde_yaml_ng::from_str(md.split("---\n").nth(1).unwrap()).unwrap();
    assert_eq!(fm["date"], "2024-03-02T09:30:00+08:00");
    assert_eq!(fm["categories"], serde_json::json!(["notes", "tech"]));
    assert_eq!(fm["series"], "demo", "unknown keys survive");
    assert!(md.contains("| --- |"), "GFM table: {md}");
    assert!(md.contains("```rust\n"));
    assert!(
        out.path()
            .join("undated/无日期的笔记 Undated note.md")
            .exists(),
        "undated posts are named from their title"
    );
    let hugo =
        std::fs::read_to_string(out.path().join("2022/2022-11-08-hugo-toml-post.md")).unwrap();
    assert!(hugo.contains("date: 2022-11-08T14:00:00+01:00"), "{hugo}");
}

#[test]
fn inspect_counts_posts() {
    let out = postbook()
        .args(["inspect", "--json"])
        .arg(samples())
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["posts"], 6);
    assert_eq!(json["undated"].as_array().unwrap().len(), 1);
    assert_eq!(json["by_year"]["2023"], 1);
    assert_eq!(json["images"]["local"], 1);
    assert!(json["images"]["remote"].as_u64().unwrap() >= 2);
    postbook()
        .arg("inspect")
        .arg(fixture("broken"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("bad-yaml.md:3:"));
}

#[test]
fn inputs_are_never_modified_and_output_is_not_reread() {
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("posts");
    std::fs::create_dir(&posts).unwrap();
    for e in std::fs::read_dir(fixture("good")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), posts.join(e.file_name())).unwrap();
    }
    let before: Vec<Vec<u8>> = sorted_files(&posts)
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    for _ in 0..2 {
        postbook()
            .args(["convert", "-t", "md"])
            .arg(&posts)
            .arg("-o")
            .arg(posts.join("notes"))
            .assert()
            .success()
            .stderr(predicate::str::contains("converted 4 posts"));
    }
    let after: Vec<Vec<u8>> = sorted_files(&posts)
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert_eq!(before, after);
}

fn sorted_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}
