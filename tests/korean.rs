//! Korean is written with spaces between words, unlike Chinese and Japanese: a line break
//! in the source between two Hangul words is a word space in every output (issue 29, where
//! the CJK rule that joins wrapped Chinese lines ran Korean words together).

mod common;
use common::*;
use std::path::Path;

/// An HTML body and a Markdown body, each wrapping Korean sentences across source lines
/// (inside a paragraph, after emphasis and a link, in a list item), and one Chinese post
/// whose wrapped line must still join without a space.
fn write_posts(dir: &Path) {
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    write(
        "2024-05-01-ko-html.html",
        "---\ntitle: 한국어 글\nlang: ko\n---\n\
         <p>대한민국의 수도는 서울이다. 서울은\n한강을 따라 펼쳐진 큰 도시이며\n\
         <em>많은 사람들이</em>\n살고 있다.</p>\n\
         <p>두 번째 문단은 <a href=\"https://example.com/\">링크</a> 뒤에도\n\
         띄어쓰기를 지킨다.</p>\n",
    );
    write(
        "2024-05-02-ko-md.md",
        "---\ntitle: 마크다운 글\nlang: ko\n---\n\
         한국어는 단어 사이를\n띄어 쓴다. **굵은 글씨**와 *기울임* 뒤에도\n공백이 남아야 한다.\n\n\
         - 첫째 항목은\n  두 줄로 쓴다\n",
    );
    write(
        "2024-05-03-zh.md",
        "---\ntitle: 中文\nlang: zh\n---\n中国国家主席\n习近平会见总理。\n",
    );
}

/// The sentences as the outputs must read them, each with its word spaces.
const SENTENCES: [&str; 5] = [
    "서울은 한강을 따라 펼쳐진 큰 도시이며",
    "살고 있다.",
    "뒤에도 띄어쓰기를 지킨다.",
    "한국어는 단어 사이를 띄어 쓴다.",
    "첫째 항목은 두 줄로 쓴다",
];

/// What each output run together before the fix: none of it may appear.
const JOINED: [&str; 5] = [
    "서울은한강을",
    "사람들이살고",
    "뒤에도띄어쓰기를",
    "사이를띄어",
    "항목은두",
];

fn check(format: &str, text: &str) {
    let plain = text.replace(['*', '_'], "");
    for s in SENTENCES {
        assert!(plain.contains(s), "{format}: no {s:?} in\n{text}");
    }
    for j in JOINED {
        assert!(
            !plain.contains(j),
            "{format}: {j:?} run together in\n{text}"
        );
    }
}

#[test]
fn korean_line_breaks_stay_word_spaces_in_every_output() {
    let posts = tempfile::tempdir().unwrap();
    write_posts(posts.path());

    for format in ["text", "markdown"] {
        let out = tempfile::tempdir().unwrap();
        convert_with_report(posts.path(), out.path(), &["-t", format, "--no-config"]);
        let ext = if format == "text" { "txt" } else { "md" };
        let files = files_with_ext(out.path(), ext);
        assert_eq!(files.len(), 3, "{format}: {files:?}");
        let all: String = files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .collect();
        check(format, &all);
        // Chinese wrapped in the source still joins without a space.
        assert!(
            all.contains("中国国家主席习近平会见总理。"),
            "{format}:\n{all}"
        );
    }

    let out = tempfile::tempdir().unwrap();
    convert_with_report(
        posts.path(),
        out.path(),
        &["-t", "epub", "--no-config", "-g", "none"],
    );
    let books = epubs_in(out.path());
    assert_eq!(books.len(), 1);
    let chapters: String = unzip(&books[0])
        .into_iter()
        .filter(|(n, _)| n.starts_with("OEBPS/post-"))
        .map(|(_, b)| text_of(&String::from_utf8(b).unwrap()))
        .collect();
    check("epub", &chapters);
    assert!(
        chapters.contains("中国国家主席习近平会见总理。"),
        "{chapters}"
    );
    if epubcheck(&books) {
        eprintln!("EPUBCheck: clean");
    }
}

/// Wrapping the text output breaks Korean at its spaces and keeps every word whole.
#[test]
fn wrapped_korean_text_breaks_at_word_spaces() {
    let posts = tempfile::tempdir().unwrap();
    write_posts(posts.path());
    let out = tempfile::tempdir().unwrap();
    convert_with_report(
        posts.path(),
        out.path(),
        &["-t", "text", "--no-config", "--wrap", "20"],
    );
    let text = std::fs::read_to_string(out.path().join("2024-05-02-ko-md.txt")).unwrap();
    let body = text.split_once("\n\n").unwrap().1;
    let words: Vec<&str> = body.split_whitespace().collect();
    assert!(
        words.windows(3).any(|w| w == ["단어", "사이를", "띄어"]),
        "{body}"
    );
    for line in body.lines() {
        assert!(
            unicode_width::UnicodeWidthStr::width(line) <= 20,
            "{line:?} in\n{body}"
        );
    }
}
