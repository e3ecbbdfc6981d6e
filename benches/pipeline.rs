//! Per-stage throughput on real corpus posts: `cargo bench`. Reports MB/s of input for the
//! reader (front matter, Markdown, HTML → model) and for each writer (model → output).
//! Uses `../shared/corpus/posts` when present, else `samples/`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use postbook::images::process::ProcessOptions;
use postbook::images::{fetch::FetchOptions, ImageOptions, ImagePolicy, ImageStore};
use postbook::model::Document;
use postbook::read::read_post_bytes;
use postbook::templates::Templates;
use postbook::write::cover::{self, CoverText};
use postbook::write::epub::EpubWriter;
use postbook::write::markdown::MarkdownWriter;
use postbook::write::text::TextWriter;
use postbook::write::NoteWriter;
use postbook::write::{Book, Cover};
use std::path::{Path, PathBuf};

/// Up to 300 posts (file name, bytes), in name order.
fn posts() -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../shared/corpus/posts");
    let dir = if corpus.is_dir() {
        corpus
    } else {
        root.join("samples")
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md" || e == "html"))
        .collect();
    files.sort();
    files.truncate(300);
    files
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect()
}

fn stages(c: &mut Criterion) {
    let inputs = posts();
    let bytes: u64 = inputs.iter().map(|(_, b)| b.len() as u64).sum();
    let docs: Vec<Document> = inputs
        .iter()
        .map(|(p, b)| read_post_bytes(p, b).unwrap().doc)
        .collect();
    let mut g = c.benchmark_group(format!("{} posts", inputs.len()));
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(20);
    g.bench_function("read", |b| {
        b.iter(|| {
            for (p, bytes) in &inputs {
                std::hint::black_box(read_post_bytes(p, bytes).unwrap());
            }
        })
    });
    g.bench_function("write markdown", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| MarkdownWriter::default().render(d).len())
                .sum::<usize>()
        })
    });
    let text = TextWriter { wrap: None };
    g.bench_function("write text", |b| {
        b.iter(|| docs.iter().map(|d| text.render(d).len()).sum::<usize>())
    });
    let templates = Templates::load(None, None).unwrap();
    let writer = EpubWriter {
        templates: &templates,
        kobo: false,
        highlight: true,
        section_index: postbook::options::SectionIndex::Auto,
        thumbnails: false,
        cover_glyphs: Default::default(),
    };
    let refs: Vec<&Document> = docs.iter().collect();
    let opts = ImageOptions {
        policy: ImagePolicy::Keep,
        process: ProcessOptions::default(),
        fetch: FetchOptions {
            cache_dir: None,
            offline: true,
            max_bytes: 0,
            timeout: std::time::Duration::from_secs(1),
            attempts: 1,
            allow_private_hosts: false,
        },
        jobs: 1,
    };
    let store = ImageStore::prepare(
        &refs,
        Path::new("."),
        &opts,
        &indicatif::ProgressBar::hidden(),
    )
    .unwrap();
    g.bench_function("write epub (one book)", |b| {
        b.iter(|| {
            let book = Book {
                key: "bench".into(),
                title: "Bench".into(),
                authors: vec![],
                lang: "zh".into(),
                posts: refs.clone(),
                post_langs: postbook::write::PostLangs::new(refs.len()),
                cover: Cover::None,
                series: None,
                sections: postbook::write::sections::SectionBy::Months,
            };
            writer.render(&book, &store).unwrap().0.len()
        })
    });
    g.finish();
}

/// One generated cover (layout, rasterizing, PNG encoding): a monthly archive draws ~100.
fn cover(c: &mut Criterion) {
    let text = CoverText {
        title: "联合早报 — 2023-05".into(),
        dates: Some("2023年5月1日 – 2023年5月31日".into()),
        byline: Some("联合早报".into()),
        count: "共 93 篇".into(),
    };
    // Parses the font and draws the glyphs once, as the first book of a run does.
    let glyphs = cover::GlyphCache::default();
    cover::render(&text, &glyphs);
    c.bench_function("generated cover", |b| {
        b.iter(|| cover::render(&text, &glyphs).bytes.len())
    });
}

criterion_group!(benches, stages, cover);
criterion_main!(benches);
