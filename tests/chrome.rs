//! Site chrome removal (`--keep-chrome` to keep it) on posts from sites the corpus does not
//! contain: an English local paper, a Japanese and a Chinese news site (`tests/fixtures/chrome`).

mod common;
use common::*;
use predicates::prelude::*;
use std::path::Path;

/// Converts `input` to `format` in `out`, with `extra` options; returns the report.
fn convert(input: &Path, out: &Path, format: &str, extra: &[&str]) -> serde_json::Value {
    let report = out.with_extension("json");
    postbook()
        .args(["convert", "-q", "-t", format])
        .args(extra)
        .arg(input)
        .arg("-o")
        .arg(out)
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap()
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

/// Chrome phrases of the three fixtures, and sentences of their articles that use the same
/// words ("share", "subscribe", "related", シェア, 関連記事, 分享, 相关).
const CHROME: &[&str] = &[
    "Share on X",
    "Sign up for our free daily newsletter",
    "Please enter a valid email address",
    "Thanks for signing up",
    "Continue reading",
    "Related articles",
    "Levee project faces",
    "はてブ",
    "拡大する",
    "東京 4/2",
    "花見シーズン",
    "点击查看大图",
    "分享到",
    "推荐阅读",
    "充电桩建设提速",
    "news-mirror.example",
];
const ARTICLE: &[&str] = &[
    "would share the cost if the levee",
    "We subscribe to the idea that prevention is cheaper",
    "argued that related projects",
    "Eastbank levee study (PDF)",
    "Construction is expected to begin in May.",
    "平年より4日早い",
    "開花が確認された靖国神社の標本木",
    "この写真をSNSでシェアする人も多く",
    "関連記事によると、満開は来週の見込みだという",
    "港口待运的汽车",
    "企业应提前分享风险信息",
];

#[test]
fn chrome_is_removed_in_every_writer_and_the_article_kept() {
    let out = tempfile::tempdir().unwrap();
    let input = fixture("chrome");
    for format in ["text", "markdown", "epub"] {
        let dir = out.path().join(format);
        let report = convert(&input, &dir, format, &["-g", "none"]);
        let texts: Vec<String> = match format {
            "epub" => unzip(&dir.join("chrome.epub"))
                .into_iter()
                .filter(|(n, _)| n.starts_with("OEBPS/post-"))
                .map(|(_, b)| String::from_utf8(b).unwrap())
                .collect(),
            _ => all_files(&dir)
                .iter()
                .filter(|p| !p.to_string_lossy().contains("/.postbook-"))
                .map(|p| std::fs::read_to_string(p).unwrap())
                .collect(),
        };
        let all = texts.join("\n");
        for phrase in CHROME {
            assert!(!all.contains(phrase), "{format}: {phrase:?} left in\n{all}");
        }
        for sentence in ARTICLE {
            assert!(all.contains(sentence), "{format}: {sentence:?} lost\n{all}");
        }
        // Counted per post and kind, and in the summary.
        let summary = &report["summary"]["chrome_removed"];
        assert_eq!(summary["share"], 3, "{format}: {summary}");
        assert_eq!(summary["newsletter"], 1);
        assert_eq!(summary["widget"], 3);
        assert_eq!(summary["footer"], 1);
        let english = report["posts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["input"].as_str().unwrap().contains("council"))
            .unwrap();
        assert_eq!(
            english["chrome_removed"],
            serde_json::json!({"newsletter": 1, "prompt": 1, "related": 1, "share": 1})
        );
    }
}

/// A re-run into the same folder that reads posts the other way does not take their chrome
/// counts (or boilerplate) from the first run's cache.
#[test]
fn a_rerun_with_keep_chrome_reports_nothing_removed() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("notes");
    let first = convert(&fixture("chrome"), &dir, "markdown", &[]);
    assert!(!first["summary"]["chrome_removed"]
        .as_object()
        .unwrap()
        .is_empty());
    let kept = convert(&fixture("chrome"), &dir, "markdown", &["--keep-chrome"]);
    assert!(
        kept["summary"]["chrome_removed"]
            .as_object()
            .unwrap()
            .is_empty(),
        "{kept}"
    );
    assert_eq!(kept["summary"]["posts_from_cache"], 0);
    assert!(read(&dir, "2024-05-20-新能源汽车出口.md").contains("点击查看大图"));
    let again = convert(&fixture("chrome"), &dir, "markdown", &["--keep-chrome"]);
    assert_eq!(
        again["summary"]["posts_from_cache"],
        kept["summary"]["inputs"]
    );
}

#[test]
fn keep_chrome_keeps_it_and_lists_related_links_one_per_line() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("text");
    let report = convert(&fixture("chrome"), &dir, "text", &["--keep-chrome"]);
    assert!(report["summary"]["chrome_removed"]
        .as_object()
        .unwrap()
        .is_empty());
    let english = read(&dir, "2024-03-12-council-approves-flood-budget.txt");
    assert!(english.contains("Thanks for signing up!"), "{english}");
    // The related headlines, run together in one paragraph in the page, are a list.
    assert!(english.contains(
        "Related articles\n\n- Eastbank floods again: photos from the weekend <https://www.riversidecourier.example/news/2024/02/28/eastbank-flooding-photos>\n- Levee project faces $8m cost overrun <"
    ), "{english}");
    let chinese = read(&dir, "2024-05-20-新能源汽车出口.txt");
    assert!(
        chinese.contains("推荐阅读\n\n- 一季度汽车产销两旺 <"),
        "{chinese}"
    );
    assert!(chinese.contains("点击查看大图"));
}

#[test]
fn verbose_lists_what_was_removed_and_config_can_keep_it() {
    let out = tempfile::tempdir().unwrap();
    postbook()
        .args(["convert", "-v", "-t", "text"])
        .arg(fixture("chrome"))
        .arg("-o")
        .arg(out.path().join("v"))
        .assert()
        .success()
        .stderr(predicate::str::contains("removed newsletter from "))
        .stderr(predicate::str::contains(
            "2024-03-12-council-approves-flood-budget.html: Get the Morning Brief Sign up",
        ))
        .stderr(predicate::str::contains("removed footer from "));
    // `keep-chrome = true` in postbook.toml.
    let posts = out.path().join("posts");
    std::fs::create_dir(&posts).unwrap();
    for f in all_files(&fixture("chrome")) {
        std::fs::copy(&f, posts.join(f.file_name().unwrap())).unwrap();
    }
    std::fs::write(posts.join("postbook.toml"), "keep-chrome = true\n").unwrap();
    let dir = out.path().join("kept");
    convert(&posts, &dir, "text", &[]);
    assert!(read(&dir, "2024-05-20-新能源汽车出口.txt").contains("分享到"));
}

/// Writes `n` posts of one source, each ending with the same sign-off line.
fn posts_with_sign_off(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 1..=n {
        let body = format!(
            "---\ntitle: \"Story {i}\"\ndate: 2024-06-{i:02}\nsource: https://www.harbour-times.example/story/{i}\n---\n\
             <p>Story number {i} begins with its own sentence about the harbour.</p>\n\
             <p>It goes on with a second, different sentence, number {i}.</p>\n\
             <p>© Harbour Times Media Group. All rights reserved. Republication without permission is prohibited.</p>\n"
        );
        std::fs::write(dir.join(format!("2024-06-{i:02}-story-{i}.md")), body).unwrap();
    }
}

#[test]
fn boilerplate_repeated_across_a_source_is_removed_streaming_or_not() {
    let out = tempfile::tempdir().unwrap();
    let sign_off = "Harbour Times Media Group. All rights reserved.";
    // Four posts are not enough to call a line boilerplate.
    let few = out.path().join("few");
    posts_with_sign_off(&few, 4);
    let report = convert(&few, &out.path().join("few-md"), "markdown", &[]);
    assert!(report["summary"]["chrome_removed"]
        .get("boilerplate")
        .is_none());
    assert!(read(&out.path().join("few-md"), "2024-06-01-story-1.md").contains(sign_off));
    // Six are; the article's own sentences stay.
    let many = out.path().join("many");
    posts_with_sign_off(&many, 6);
    let mut outputs = Vec::new();
    for (name, extra) in [("memory", &[][..]), ("stream", &["--low-memory"][..])] {
        let dir = out.path().join(name);
        let report = convert(&many, &dir, "markdown", extra);
        assert_eq!(
            report["summary"]["chrome_removed"]["boilerplate"], 6,
            "{name}"
        );
        let note = read(&dir, "2024-06-03-story-3.md");
        assert!(!note.contains(sign_off), "{name}: {note}");
        assert!(note.contains("Story number 3 begins") && note.contains("number 3."));
        outputs.push(note);
    }
    assert_eq!(outputs[0], outputs[1]);
    // An incremental re-run takes the posts from the cache and still knows the boilerplate.
    let report = convert(&many, &out.path().join("memory"), "markdown", &[]);
    assert_eq!(report["summary"]["posts_from_cache"], 6);
    assert_eq!(report["summary"]["chrome_removed"]["boilerplate"], 6);
    assert_eq!(report["summary"]["skipped"], 6);
    // With --keep-chrome every note is made again, the sign-off back in.
    let report = convert(
        &many,
        &out.path().join("memory"),
        "markdown",
        &["--keep-chrome"],
    );
    assert_eq!(report["summary"]["skipped"], 0);
    assert!(read(&out.path().join("memory"), "2024-06-03-story-3.md").contains(sign_off));
}
