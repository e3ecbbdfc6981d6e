//! Covers end to end: the generated cover, `--no-cover`, and `--cover FILE` winning over it.

mod common;
use common::*;

/// The cover image of a book, when its OPF declares one (`properties="cover-image"`).
fn cover_image(book: &std::path::Path) -> Option<Vec<u8>> {
    let opf = epub_text(book, ".opf");
    let item = opf
        .split("<item ")
        .find(|item| item.contains("properties=\"cover-image\""))?;
    let href = item.split("href=\"").nth(1)?.split('"').next()?;
    unzip(book)
        .into_iter()
        .find(|(n, _)| n == &format!("OEBPS/{href}"))
        .map(|(_, b)| b)
}

#[test]
fn every_sample_book_gets_a_generated_cover() {
    let (_out, books) = sample_books(&[]);
    assert_eq!(books.len(), 6);
    let mut covers = Vec::new();
    for book in &books {
        let png = cover_image(book).unwrap_or_else(|| panic!("{book:?} has no cover-image"));
        assert!(png.starts_with(b"\x89PNG"), "{book:?}");
        let img = image::load_from_memory(&png).unwrap();
        assert_eq!((img.width(), img.height()), (1600, 2400), "{book:?}");
        assert_eq!(img.color(), image::ColorType::L8, "greyscale for e-ink");
        let page = epub_text(book, "cover.xhtml");
        assert!(page.contains("epub:type=\"cover\""), "{page}");
        covers.push(png);
    }
    covers.dedup();
    assert_eq!(covers.len(), 6, "each book's cover shows its own title");
    epubcheck(&books);

    // Reproducible: the same posts give the same bytes.
    let (_again, again) = sample_books(&[]);
    for (a, b) in books.iter().zip(&again) {
        assert_eq!(
            std::fs::read(a).unwrap(),
            std::fs::read(b).unwrap(),
            "{a:?}"
        );
    }
}

#[test]
fn no_cover_gives_none() {
    let (_out, books) = sample_books(&["--no-cover"]);
    assert_eq!(books.len(), 6);
    for book in &books {
        assert_eq!(cover_image(book), None, "{book:?}");
        assert!(!unzip(book).iter().any(|(n, _)| n.ends_with("cover.xhtml")));
    }
    epubcheck(&books[..1]);
    // It contradicts --cover and --auto-cover: a usage error.
    for other in [&["--cover", "x.png"][..], &["--auto-cover"]] {
        postbook()
            .args(["convert", "-t", "epub", "--no-cover"])
            .args(other)
            .arg(samples())
            .arg("-o")
            .arg(tempfile::tempdir().unwrap().path())
            .assert()
            .code(2);
    }
}

#[test]
fn a_cover_file_wins_over_the_generated_cover() {
    let picture = samples().join("images/harbour.png");
    let (_out, books) = sample_books(&["--cover", picture.to_str().unwrap()]);
    for book in &books {
        assert_eq!(cover_image(book), Some(std::fs::read(&picture).unwrap()));
    }
}
