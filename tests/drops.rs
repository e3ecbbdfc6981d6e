//! What HTML bodies hold that a book cannot show as it is (tests/fixtures/drops): tables with
//! spanning cells and lists in cells, an inline SVG chart, an iframe's and a canvas's fallback
//! text. Nothing is lost silently: EPUB keeps spans and lists, Markdown and text lay the table
//! out on a plain grid, and every flattening is a warning of a named kind in the report.

mod common;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const POSTS: &str = "drops";

/// Converts the fixture posts to `format` with a report; returns the output folder (keep it
/// alive), the report and stderr.
fn convert(format: &str) -> (tempfile::TempDir, Value, String) {
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    let assert = postbook()
        .args(["convert", "-t", format, "--no-config", "--color", "never"])
        .arg(fixture(POSTS))
        .arg("-o")
        .arg(out.path().join("out"))
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    let json = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    (out, json, stderr)
}

fn read(dir: &Path, name_part: &str, ext: &str) -> String {
    let file: PathBuf = files_with_ext(&dir.join("out"), ext)
        .into_iter()
        .find(|p| p.to_string_lossy().contains(name_part))
        .unwrap_or_else(|| panic!("no {name_part}*.{ext}"));
    std::fs::read_to_string(file).unwrap()
}

/// The warnings the report counts, by kind and by name.
fn counts(json: &Value) -> (Value, Value) {
    (
        json["summary"]["warnings_by_kind"].clone(),
        json["summary"]["warnings_by_name"].clone(),
    )
}

#[test]
fn epub_keeps_spans_lists_svg_words_and_fallback_text() {
    let (out, json, _) = convert("epub");
    let books = epubs_in(&out.path().join("out"));
    assert_eq!(books.len(), 1, "{books:?}");
    let chapters: Vec<String> = unzip(&books[0])
        .into_iter()
        .filter(|(n, _)| n.contains("post-"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect();
    for c in &chapters {
        parse_xml(c.as_bytes()).unwrap();
    }
    let all = chapters.join("\n");
    // The turnout table: spans as the source had them, so no cell shifts. The header's
    // `rowspan="2"` ends with its one-row `<thead>`, as browsers end it.
    assert!(all.contains("<p>Turnout by district</p>"), "{all}");
    for row in [
        "<tr><th>Region</th><th>District</th><th colspan=\"2\">Turnout</th></tr>",
        "<tr><td rowspan=\"2\">North</td><td>Hillside</td><td>71.2%</td><td>+4.1</td></tr>",
        "<tr><td>Riverbend</td><td>68.9%</td><td>+6.3</td></tr>",
        "<tr><td colspan=\"2\">All districts</td><td>65.9%</td><td>+3.1</td></tr>",
    ] {
        assert!(all.contains(row), "{row}\n{all}");
    }
    // A list and two paragraphs in cells stay a list and paragraphs.
    assert!(
        all.contains("<td>\n<ul>\n<li>Free bus passes for students</li>\n<li>A tram line to Riverbend</li>\n</ul>\n</td>"),
        "{all}"
    );
    assert!(all.contains(
        "<td>\n<p>Lower property tax.</p>\n<p>More police patrols in Harbour.</p>\n</td>"
    ));
    // The chart's words, the map's and the canvas's fallback text, the video's link.
    assert!(all.contains(
        "<p>Revenue 2023 by quarter (million dollars) · Bar chart: revenue rose every quarter. · Q1 · Q2 · Q3 · Q4 · 12.4 · 31.0</p>"
    ), "{all}");
    assert!(all.contains("Your browser cannot show the interactive map."));
    assert!(all.contains("<a href=\"https://maps.example.org/ferry-routes\">See the ferry routes on the map site</a>"));
    assert!(all.contains("<p>Ridership in 2023: 4.2 million trips, up 38% from 2022.</p>"));
    assert!(all.contains(
        "<a href=\"https://www.youtube.com/watch?v=aqz-KE-bpKQ\">YouTube video: Harbour ferries at dawn</a>"
    ));
    // EPUB flattens nothing; the chart's drawing is the one thing dropped, and said so.
    let (by_kind, _) = counts(&json);
    assert_eq!(by_kind["table-flattened"], Value::Null, "{by_kind}");
    assert_eq!(by_kind["inline-svg"], 1, "{by_kind}");
    epubcheck(&books);
}

#[test]
fn markdown_lays_spans_out_on_a_grid_and_says_so() {
    let (out, json, stderr) = convert("md");
    let md = read(out.path(), "provincial-election", "md");
    // Row-spanning cells repeated in each row, column-spanning ones once with the covered
    // columns empty: every row has its four cells, none shifted.
    let table = "| Region | District | Turnout |  |\n\
                 | --- | --- | --- | --- |\n\
                 | North | Hillside | 71.2% | +4.1 |\n\
                 | North | Riverbend | 68.9% | +6.3 |\n\
                 | South | Harbour | 64.0% | +1.2 |\n\
                 | South | Old Town | 59.5% | +0.8 |\n\
                 | All districts |  | 65.9% | +3.1 |";
    assert!(md.contains(table), "{md}");
    assert!(
        md.contains(
            "| Green Alliance | Free bus passes for students; A tram line to Riverbend |\n\
         | Civic Union | Lower property tax. More police patrols in Harbour. |"
        ),
        "{md}"
    );
    let chart = read(out.path(), "revenue-chart", "md");
    assert!(chart.contains("Revenue 2023 by quarter (million dollars) · Bar chart"));
    assert!(chart.contains("Ridership in 2023: 4.2 million trips"));
    // One table with spans, one with blocks in cells: two warnings of one kind, by name.
    let (by_kind, by_name) = counts(&json);
    assert_eq!(by_kind["table-flattened"], 2, "{json}");
    assert_eq!(by_name["table-flattened"]["spanning cells"], 1);
    assert_eq!(by_name["table-flattened"]["blocks in cells"], 1);
    assert_eq!(by_kind["inline-svg"], 1);
    assert!(stderr.contains("cannot span in Markdown"), "{stderr}");
    assert!(
        stderr.contains("2 tables flattened (blocks in cells ×1, spanning cells ×1)"),
        "{stderr}"
    );
}

#[test]
fn text_lays_spans_out_on_a_grid_and_says_so() {
    let (out, json, _) = convert("text");
    let txt = read(out.path(), "provincial-election", "txt");
    assert!(
        txt.contains(
            "Region | District | Turnout | \n\
         North | Hillside | 71.2% | +4.1\n\
         North | Riverbend | 68.9% | +6.3\n"
        ),
        "{txt}"
    );
    assert!(txt.contains("All districts |  | 65.9% | +3.1"));
    assert!(txt.contains("Green Alliance | Free bus passes for students; A tram line to Riverbend"));
    let (by_kind, by_name) = counts(&json);
    assert_eq!(by_kind["table-flattened"], 2, "{json}");
    assert_eq!(by_name["table-flattened"]["spanning cells"], 1);
}
