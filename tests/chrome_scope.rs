//! What chrome removal may touch (issue 29): only bodies that came from a web page, never what
//! an author wrote in Markdown; boilerplate needs the same words and the same links; every
//! removal shows (summary line, `-v`); `--keep-chrome KINDS` keeps some kinds; ai2html charts
//! keep their labels (`tests/fixtures/chrome-scope`).

mod common;
use common::*;
use std::path::Path;

/// Runs `postbook convert ARGS INPUT -o OUT --report R`; returns the report and stderr.
fn run(input: &Path, out: &Path, args: &[&str]) -> (serde_json::Value, String) {
    let report = out.with_extension("json");
    let output = postbook()
        .arg("convert")
        .args(args)
        .arg(input)
        .arg("-o")
        .arg(out)
        .arg("--report")
        .arg(&report)
        .assert()
        .success()
        .get_output()
        .clone();
    let report = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    (report, String::from_utf8(output.stderr).unwrap())
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn removed(report: &serde_json::Value) -> &serde_json::Map<String, serde_json::Value> {
    report["summary"]["chrome_removed"].as_object().unwrap()
}

#[test]
fn markdown_an_author_wrote_is_never_chrome() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("notes");
    let (report, stderr) = run(
        &fixture("chrome-scope/blog"),
        &dir,
        &["-t", "markdown", "-v"],
    );
    // Five posts end with the same download list, word for word and link for link: the
    // author's, so not boilerplate. The related-reading section and the byline stay.
    assert!(removed(&report).is_empty(), "{report}");
    assert!(!stderr.contains("removed "), "{stderr}");
    assert!(!stderr.contains("site chrome"), "{stderr}");
    let notes: Vec<_> = all_files(&dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    assert_eq!(notes.len(), 5);
    for note in &notes {
        let text = std::fs::read_to_string(note).unwrap();
        assert!(text.contains("## Downloads"), "{text}");
        assert!(
            text.contains(
                "[Checksums (SHA-256)](https://downloads.tidepool.example/latest/SHA256SUMS)"
            ),
            "{text}"
        );
        assert!(text.contains("Thanks to everyone who reported bugs"));
    }
    let third = read(&dir, "2024-03-15-tidepool-1-4-0.md");
    assert!(third.contains("By Marta Kowalczyk"), "{third}");
    assert!(third.contains("## Related Reading"), "{third}");
    assert!(third.contains(
        "- [How the new parser handles nested quotes](https://tidepool.example/blog/nested-quotes/)"
    ));
    assert!(third.contains("- [Benchmarks: 1.4 against 1.3]"));
}

#[test]
fn boilerplate_needs_the_same_links_and_every_removal_is_shown() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("notes");
    let (report, stderr) = run(
        &fixture("chrome-scope/mirror"),
        &dir,
        &["-t", "markdown", "-v"],
    );
    for day in 1..=5 {
        let name = format!("2024-08-0{day}-daily-brief.md");
        let note = read(&dir, &name);
        // The same words, linking to that day's page: the day's content.
        assert!(
            note.contains(&format!(
                "[More stories from today's brief](https://www.harbourgazette.example/news/2024/08/0{day}/more)"
            )),
            "{note}"
        );
        // The same words and the same link in every post: the site's furniture.
        assert!(!note.contains("Follow the Daily Brief"), "{note}");
        assert!(note.contains("Here is what matters in the city today"));
        assert!(
            stderr.contains(&format!(
                "removed boilerplate from {}: Follow the Daily Brief on our channel",
                fixture("chrome-scope/mirror").join(&name).display()
            )),
            "{stderr}"
        );
    }
    assert_eq!(removed(&report)["boilerplate"], 5, "{report}");
    assert_eq!(removed(&report).len(), 1, "{report}");
    assert!(
        stderr.contains("; 5 blocks of site chrome removed (5 boilerplate)"),
        "{stderr}"
    );
    // A re-run takes the posts from the cache and still says what was removed.
    let (again, stderr) = run(
        &fixture("chrome-scope/mirror"),
        &dir,
        &["-t", "markdown", "-v"],
    );
    assert_eq!(again["summary"]["posts_from_cache"], 5);
    assert!(
        stderr.contains("; 5 blocks of site chrome removed (5 boilerplate)"),
        "{stderr}"
    );
}

/// The chart's Markdown: the wide artboard's picture once, then its labels in reading order,
/// then the label only the narrow one has.
const CHART: &str = "![](https://graphics.harbourgazette.example/rainfall/rainfall-720.png)\n\n\
- Monthly rainfall at the harbour gauge\n\
- Long-term August average (96 mm)\n\
- 2014\n\
- 212 mm\n\
- Source: Met Office\n\
- Graphic by Ines Laforet\n";

#[test]
fn an_ai2html_chart_keeps_its_labels_in_reading_order_once() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("notes");
    let (report, stderr) = run(&fixture("chrome-scope/chart"), &dir, &["-t", "markdown"]);
    let note = read(&dir, "2024-09-02-rainfall.md");
    assert!(note.contains(CHART), "{note}");
    // The narrow artboard of the same chart is not read.
    assert!(!note.contains("rainfall-300.png"), "{note}");
    assert_eq!(note.matches("Monthly rainfall").count(), 1, "{note}");
    // The share bar and the map's positioned labels (not a chart) are chrome, and said so.
    assert!(
        !note.contains("Share on X") && !note.contains("Quay Street"),
        "{note}"
    );
    let chrome = removed(&report);
    assert_eq!(chrome["share"], 1, "{report}");
    assert_eq!(chrome["widget"], 2, "{report}");
    assert!(
        stderr.contains("; 3 blocks of site chrome removed (1 share, 2 widget)"),
        "{stderr}"
    );
    // The book has the labels too, and passes EPUBCheck.
    let books = out.path().join("books");
    run(
        &fixture("chrome-scope/chart"),
        &books,
        &["-q", "-t", "epub"],
    );
    let epubs = epubs_in(&books);
    assert_eq!(epubs.len(), 1);
    let chapter = unzip(&epubs[0])
        .into_iter()
        .filter(|(n, _)| n.starts_with("OEBPS/post-"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect::<String>();
    let text = text_of(&chapter);
    let order: Vec<usize> = [
        "Monthly rainfall",
        "Long-term August average (96 mm)",
        "2014",
        "212 mm",
        "Source: Met Office",
        "Graphic by Ines Laforet",
    ]
    .iter()
    .map(|l| {
        text.find(l)
            .unwrap_or_else(|| panic!("{l} missing: {text}"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(epubcheck(&epubs) || epubcheck_jar().is_none());
}

#[test]
fn keep_chrome_with_kinds_keeps_only_those_and_rebuilds_when_they_change() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("notes");
    let input = fixture("chrome-scope/chart");
    // Written with a space, as the other options are; the input folder after it is no kind.
    let (report, _) = run(
        &input,
        &dir,
        &["-q", "-t", "markdown", "--keep-chrome", "widget"],
    );
    let note = read(&dir, "2024-09-02-rainfall.md");
    assert!(
        note.contains("Quay Street") && note.contains("Mill Lane"),
        "{note}"
    );
    assert!(!note.contains("Share on X"), "{note}");
    assert_eq!(
        report["summary"]["chrome_removed"],
        serde_json::json!({"share": 1})
    );
    // Another list makes the note again.
    let (report, _) = run(
        &input,
        &dir,
        &["-q", "-t", "markdown", "--keep-chrome=share"],
    );
    assert_eq!(report["summary"]["posts_from_cache"], 0, "{report}");
    assert_eq!(outputs_written(&report), 1, "{report}");
    let note = read(&dir, "2024-09-02-rainfall.md");
    assert!(
        note.contains("Share on X") && !note.contains("Quay Street"),
        "{note}"
    );
    // A bare --keep-chrome before the input keeps every kind, as it always did.
    let (report, _) = run(&input, &dir, &["-q", "-t", "markdown", "--keep-chrome"]);
    assert!(removed(&report).is_empty(), "{report}");
    // The config file takes the same list.
    let posts = out.path().join("posts");
    copy_tree(&input, &posts);
    std::fs::write(posts.join("postbook.toml"), "keep-chrome = \"widget\"\n").unwrap();
    let (report, _) = run(&posts, &out.path().join("conf"), &["-q", "-t", "markdown"]);
    assert_eq!(
        report["summary"]["chrome_removed"],
        serde_json::json!({"share": 1})
    );
    // An unknown kind is a usage error naming the kinds.
    postbook()
        .args(["convert", "--keep-chrome=ads"])
        .arg(&input)
        .arg("-o")
        .arg(out.path().join("x"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown kind of chrome"));
}
