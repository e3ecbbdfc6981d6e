//! Pictures: downloading from a local HTTP server (never the internet), caching, processing for
//! e-readers, and what happens to a post when a picture fails.

mod common;
use common::*;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn encoded(img: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), format).unwrap();
    out
}

/// A landscape photo-like picture, big enough for --auto-cover.
fn photo() -> Vec<u8> {
    let img = RgbImage::from_fn(800, 400, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    encoded(DynamicImage::ImageRgb8(img), ImageFormat::Png)
}

/// A 64×64 GIF as a percent-encoded `data:` URI (big enough not to be taken for a lazy-loading
/// placeholder by the reader).
fn data_uri_gif() -> String {
    let img = RgbImage::from_fn(64, 64, |x, y| Rgb([(x * 4) as u8, (y * 4) as u8, 0]));
    let gif = encoded(DynamicImage::ImageRgb8(img), ImageFormat::Gif);
    let enc = percent_encoding::percent_encode(&gif, percent_encoding::NON_ALPHANUMERIC);
    format!("data:image/gif,{enc}")
}

/// A test server on 127.0.0.1 with the misbehaviours of real news sites. Counts hits per path.
struct Server {
    port: u16,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    server: Arc<tiny_http::Server>,
}

impl Server {
    fn start() -> Server {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let photo = Arc::new(photo());
        let (s, h) = (server.clone(), hits.clone());
        std::thread::spawn(move || {
            for req in s.incoming_requests() {
                let path = req.url().to_string();
                let n = {
                    let mut hits = h.lock().unwrap();
                    let n = hits.entry(path.clone()).or_default();
                    *n += 1;
                    *n
                };
                let photo = photo.clone();
                // One thread per request, so a stalled one does not hold up the rest.
                std::thread::spawn(move || respond(req, &path, n, &photo));
            }
        });
        Server { port, hits, server }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    /// Every request the server has seen, whatever its path.
    fn total_hits(&self) -> usize {
        self.hits.lock().unwrap().values().sum()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

fn respond(req: tiny_http::Request, path: &str, hit: usize, photo: &[u8]) {
    use tiny_http::{Header, Response, StatusCode};
    let header = |k: &str, v: &str| Header::from_bytes(k, v).unwrap();
    let bytes =
        |b: Vec<u8>, ty: &str| Response::from_data(b).with_header(header("Content-Type", ty));
    let redirect = |to: &str| Response::empty(302).with_header(header("Location", to));
    let fixture = |name: &str| std::fs::read(fixture(&format!("images/remote/{name}"))).unwrap();
    let _ = match path {
        "/photo.png" => req.respond(bytes(photo.to_vec(), "image/png")),
        // The type comes from the bytes, not from what the server claims.
        "/mislabelled" => req.respond(bytes(photo.to_vec(), "text/html")),
        "/missing.png" => req.respond(Response::empty(404)),
        "/flaky.png" if hit == 1 => req.respond(Response::empty(503)),
        "/flaky.png" => req.respond(bytes(photo.to_vec(), "image/png")),
        "/down.png" => req.respond(Response::empty(500)),
        // Down for a whole run (three tries), then back.
        p if p.starts_with("/later") && hit <= 3 => req.respond(Response::empty(500)),
        p if p.starts_with("/later") => req.respond(bytes(photo.to_vec(), "image/png")),
        "/stall.png" => {
            std::thread::sleep(Duration::from_secs(20));
            req.respond(Response::empty(200))
        }
        "/hop1" => req.respond(redirect("/hop2")),
        "/hop2" => req.respond(redirect("/photo.png")),
        "/loop" => req.respond(redirect("/loop")),
        "/huge.png" => {
            let body = std::io::repeat(0).take_bytes(50_000_000);
            req.respond(Response::new(
                StatusCode(200),
                vec![],
                body,
                Some(50_000_000),
                None,
            ))
        }
        "/page.png" => req.respond(bytes(b"<html>not found</html>".to_vec(), "image/png")),
        "/picture.webp" => {
            let img = RgbImage::from_pixel(300, 200, Rgb([10, 200, 10]));
            req.respond(bytes(
                encoded(DynamicImage::ImageRgb8(img), ImageFormat::WebP),
                "image/webp",
            ))
        }
        "/logo.png" => {
            // Transparent and wider than the books' limit: re-encoded, and must stay PNG.
            let img = RgbaImage::from_fn(1000, 100, |x, _| Rgba([0, 0, 0, (x % 256) as u8]));
            req.respond(bytes(
                encoded(DynamicImage::ImageRgba8(img), ImageFormat::Png),
                "image/png",
            ))
        }
        "/pixel.gif" => {
            let img = RgbImage::new(1, 1);
            req.respond(bytes(
                encoded(DynamicImage::ImageRgb8(img), ImageFormat::Gif),
                "image/gif",
            ))
        }
        "/cmyk.jpg" => req.respond(bytes(fixture("cmyk.jpg"), "image/jpeg")),
        "/tiny.avif" => req.respond(bytes(fixture("tiny.avif"), "image/avif")),
        _ => req.respond(Response::empty(404)),
    };
}

trait TakeBytes: std::io::Read + Sized {
    fn take_bytes(self, n: u64) -> std::io::Take<Self> {
        std::io::Read::take(self, n)
    }
}
impl<R: std::io::Read> TakeBytes for R {}

/// Writes a post whose body shows each picture as a captioned figure.
fn post(dir: &Path, name: &str, date: &str, pictures: &[(&str, &str)]) {
    let mut body = format!("---\ntitle: \"{name}\"\ndate: {date}\n---\n\n开头的一段文字。\n\n");
    for (caption, src) in pictures {
        body.push_str(&format!("![{caption}]({src})\n\n"));
    }
    std::fs::write(dir.join(format!("{date}-{name}.md")), body).unwrap();
}

fn report_of(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn warnings_of(report: &serde_json::Value) -> Vec<String> {
    report["posts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["warnings"].as_array().cloned().unwrap_or_default())
        .map(|w| {
            format!(
                "{}: {}",
                w["kind"].as_str().unwrap(),
                w["message"].as_str().unwrap()
            )
        })
        .collect()
}

fn pictures_in(book: &Path) -> Vec<(String, Vec<u8>)> {
    unzip(book)
        .into_iter()
        .filter(|(n, _)| n.starts_with("OEBPS/images/"))
        .collect()
}

#[test]
fn embedding_downloads_each_picture_once_and_survives_every_failure() {
    let server = Server::start();
    let posts = tempfile::tempdir().unwrap();
    std::fs::write(posts.path().join("local.png"), photo()).unwrap();
    let u = |p: &str| server.url(p);
    let good: Vec<(&str, String)> = vec![
        ("照片 photo", u("/photo.png")),
        ("重定向 redirected", u("/hop1")),
        ("错标类型 mislabelled", u("/mislabelled")),
        ("重试 retried", u("/flaky.png")),
        ("WebP 图", u("/picture.webp")),
        ("透明标志 logo", u("/logo.png")),
        ("CMYK 图", u("/cmyk.jpg")),
        ("内嵌 inline", data_uri_gif()),
        ("本地 local", "local.png".into()),
    ];
    let bad: Vec<(&str, String)> = vec![
        ("不存在 missing", u("/missing.png")),
        ("服务器错误 down", u("/down.png")),
        ("循环 loop", u("/loop")),
        ("太大 huge", u("/huge.png")),
        ("网页 page", u("/page.png")),
        ("AVIF 图", u("/tiny.avif")),
        ("越界 escape", "../../etc/passwd.png".into()),
        ("文件 file URL", "file:///etc/passwd".into()),
    ];
    fn refs<'a>(v: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
        v.iter().map(|(c, s)| (*c, s.as_str())).collect()
    }
    post(posts.path(), "good", "2024-01-01", &refs(&good));
    post(posts.path(), "bad", "2024-01-02", &refs(&bad));
    // The same photo in many posts is downloaded once.
    for day in 3..=9 {
        post(
            posts.path(),
            &format!("again-{day}"),
            &format!("2024-01-0{day}"),
            &[("again", &u("/photo.png"))],
        );
    }
    post(
        posts.path(),
        "pixel",
        "2024-01-10",
        &[("", &u("/pixel.gif"))],
    );

    let out = tempfile::tempdir().unwrap();
    let cache = out.path().join("cache");
    // One book of every post, pictures embedded, with the given report and extra flags.
    let embed = |books: &str, report: &Path, extra: &[&str]| {
        postbook()
            .timeout(Duration::from_secs(120))
            .args(["convert", "-t", "epub", "-g", "none", "--images", "embed"])
            .args(["--max-image-width", "600", "--allow-private-hosts"])
            .args(extra)
            .arg(posts.path())
            .arg("-o")
            .arg(out.path().join(books))
            .arg("--cache-dir")
            .arg(&cache)
            .arg("--report")
            .arg(report)
            .assert()
            .success();
    };
    let report = out.path().join("report.json");
    embed("books", &report, &["--auto-cover", "--image-jobs", "4"]);

    assert_eq!(
        server.hits("/photo.png"),
        2,
        "once directly, once at the end of the redirects"
    );
    assert_eq!(server.hits("/flaky.png"), 2, "503, then retried");
    assert_eq!(
        server.hits("/down.png"),
        3,
        "5xx is retried, a bounded number of times"
    );
    assert_eq!(server.hits("/missing.png"), 1, "404 is not retried");

    let json = report_of(&report);
    assert_eq!(json["summary"]["failed"], 0, "a picture never fails a post");
    assert_eq!(json["summary"]["images_failed"], bad.len());
    let warnings = warnings_of(&json);
    for (why, path) in [
        ("HTTP 404", "/missing.png"),
        ("HTTP 500", "/down.png"),
        ("redirect", "/loop"),
        ("byte limit", "/huge.png"),
        ("a web page (HTML), not a picture", "/page.png"),
        ("AVIF pictures are not supported", "/tiny.avif"),
        ("leaves the root", "passwd.png"),
        ("file: URLs are refused", "file:///etc/passwd"),
    ] {
        assert!(
            warnings.iter().any(|w| w.contains(why) && w.contains(path)),
            "no warning with {why:?} for {path}: {warnings:#?}"
        );
    }

    let books = epubs_in(&out.path().join("books"));
    assert_eq!(books.len(), 1);
    let pictures = pictures_in(&books[0]);
    let names: Vec<&str> = pictures.iter().map(|(n, _)| n.as_str()).collect();
    // photo (shared by the direct, redirected, mislabelled, retried and local copies, stored
    // once), webp → jpg, logo → png, cmyk → jpg, data: gif, and the cover.
    let kinds = |ext: &str| names.iter().filter(|n| n.ends_with(ext)).count();
    assert_eq!(names.len(), 6, "{names:?}");
    assert!(names.contains(&"OEBPS/images/cover.png"), "{names:?}");
    assert_eq!(
        (kinds(".png"), kinds(".jpg"), kinds(".gif")),
        (3, 2, 1),
        "{names:?}"
    );
    for (name, bytes) in &pictures {
        let img = image::load_from_memory(bytes).unwrap();
        assert!(img.width() <= 600, "{name} is {} wide", img.width());
        if name.ends_with(".jpg") {
            // The CMYK picture became an RGB JPEG.
            assert!(!matches!(img.color(), image::ColorType::Rgba8));
        }
    }
    let opf = epub_text(&books[0], ".opf");
    assert!(opf.contains("properties=\"cover-image\""), "{opf}");
    // Failed pictures keep their caption and a link to the original.
    let chapters: String = unzip(&books[0])
        .into_iter()
        .filter(|(n, _)| n.contains("post-"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect();
    assert!(chapters.contains("不存在 missing"));
    assert!(chapters.contains(&format!("href=\"{}\"", u("/missing.png"))));
    assert!(
        !chapters.contains("pixel.gif"),
        "the tracking pixel was dropped"
    );
    epubcheck(&books);

    // Second run: the server is gone, everything comes from the cache.
    drop(server);
    let again = out.path().join("again.json");
    embed("books2", &again, &["--offline"]);
    let json = report_of(&again);
    assert_eq!(json["summary"]["images_downloaded"], 0);
    assert!(json["summary"]["images_from_cache"].as_u64().unwrap() >= 6);
    let pictures = pictures_in(&epubs_in(&out.path().join("books2"))[0]);
    let names: Vec<&str> = pictures.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names.len(),
        6,
        "the same pictures, and a generated cover: {names:?}"
    );
    let cover = &pictures
        .iter()
        .find(|(n, _)| n.ends_with("cover.png"))
        .unwrap()
        .1;
    let cover = image::load_from_memory(cover).unwrap();
    assert_eq!((cover.width(), cover.height()), (1600, 2400), "generated");

    // Streaming (each book prepares its own pictures) counts them the same.
    let streamed = out.path().join("streamed.json");
    embed("books3", &streamed, &["--offline", "--low-memory"]);
    let streamed = report_of(&streamed);
    for count in [
        "images_from_cache",
        "images_downloaded",
        "images_embedded",
        "images_failed",
    ] {
        assert_eq!(
            streamed["summary"][count], json["summary"][count],
            "{count}"
        );
    }
}

#[test]
fn a_picture_that_failed_is_retried_on_the_next_run() {
    let server = Server::start();
    let out = tempfile::tempdir().unwrap();
    for format in ["epub", "markdown"] {
        let posts = out.path().join(format!("{format}-posts"));
        std::fs::create_dir(&posts).unwrap();
        let later = format!("/later-{format}.png");
        post(
            &posts,
            "later",
            "2024-02-01",
            &[("稍后 later", &server.url(&later))],
        );
        post(&posts, "other", "2024-03-01", &[]);
        let dest = out.path().join(format);
        let run = |n: usize| {
            let report = out.path().join(format!("{format}-{n}.json"));
            postbook()
                .args(["convert", "-t", format, "--images", "embed", "-q"])
                .arg("--allow-private-hosts")
                .arg(&posts)
                .arg("-o")
                .arg(&dest)
                .arg("--cache-dir")
                .arg(out.path().join("cache"))
                .arg("--report")
                .arg(&report)
                .assert()
                .success();
            report_of(&report)["summary"].clone()
        };
        let first = run(1);
        assert_eq!(server.hits(&later), 3, "tried three times");
        assert_eq!(first["images_failed"], 1, "{format}: {first}");
        // The server is back: only the output that missed the picture is made again.
        let second = run(2);
        assert_eq!(second["images_failed"], 0, "{format}: {second}");
        assert_eq!(second["images_embedded"], 1, "{format}: {second}");
        assert_eq!(
            second["skipped"], 1,
            "{format}: the complete output is up to date"
        );
        let third = run(3);
        assert_eq!(third["skipped"], third["outputs"], "{format}: {third}");
        assert_eq!(server.hits(&later), 4, "then found in the image cache");
    }
}

#[test]
fn a_stalled_server_times_out_quickly() {
    let server = Server::start();
    let posts = tempfile::tempdir().unwrap();
    post(
        posts.path(),
        "slow",
        "2024-02-01",
        &[("慢 slow", &server.url("/stall.png"))],
    );
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("r.json");
    // The server stalls for 20 s: without the 0.5 s timeout, three attempts would pass this.
    postbook()
        .timeout(Duration::from_secs(50))
        .args([
            "convert",
            "-t",
            "epub",
            "--images",
            "embed",
            "--no-cache",
            "--image-timeout",
            "0.5",
            "--allow-private-hosts",
        ])
        .arg(posts.path())
        .arg("-o")
        .arg(out.path())
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    assert!(warnings_of(&report_of(&report))
        .iter()
        .any(|w| w.contains("timed out")));
}

/// A scraped post naming a loopback address must not make postbook reach it: without
/// `--allow-private-hosts` the server sees no request at all, whether the URL names the
/// address, `localhost` or IPv6 loopback, and each picture is a `picture-missing` warning that
/// says why. Allowed in postbook.toml, the output is made again (the choice is part of its
/// fingerprint) and the picture is fetched.
#[test]
fn private_hosts_are_refused_before_any_request() {
    let server = Server::start();
    let port = server.port;
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("posts");
    std::fs::create_dir(&posts).unwrap();
    let localhost = format!("http://localhost:{port}/photo.png");
    // `0x7f.1` is how a browser may spell 127.0.0.1: the reader writes it so, so it is the
    // same picture as the first (two failed pictures, not three). IPv6 literals
    // are not tried here: the Markdown reader reports `[::1]` hosts as bad links before any
    // fetch (the classifier's unit tests cover them).
    let hex = format!("http://0x7f.1:{port}/photo.png");
    post(
        &posts,
        "local",
        "2024-05-01",
        &[
            ("本机 loopback", &server.url("/photo.png")),
            ("名字 name", &localhost),
            ("十六进制 hex", &hex),
        ],
    );
    let out = dir.path().join("out");
    let run = |n: usize| {
        let report = dir.path().join(format!("r{n}.json"));
        postbook()
            .timeout(Duration::from_secs(60))
            .args(["convert", "-t", "epub", "-g", "none", "--images", "embed"])
            .arg(&posts)
            .arg("-o")
            .arg(&out)
            .arg("--cache-dir")
            .arg(dir.path().join("cache"))
            .arg("--report")
            .arg(&report)
            .assert()
            .success();
        report_of(&report)
    };
    let first = run(1);
    assert_eq!(server.total_hits(), 0, "the server was reached");
    assert_eq!(first["summary"]["images_failed"], 2, "{}", first["summary"]);
    let warnings = warnings_of(&first);
    for reason in [
        "refused: 127.0.0.1 is a private address (use --allow-private-hosts)",
        "refused: localhost is a private address (use --allow-private-hosts)",
    ] {
        assert!(
            warnings
                .iter()
                .any(|w| w.starts_with("picture-missing: ") && w.contains(reason)),
            "no warning {reason:?}: {warnings:#?}"
        );
    }
    let books = epubs_in(&out);
    assert_eq!(books.len(), 1);
    let chapters: String = unzip(&books[0])
        .into_iter()
        .filter(|(n, _)| n.contains("post-"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect();
    assert!(chapters.contains("本机 loopback"), "the caption is kept");
    epubcheck(&books);

    // Allowed in postbook.toml: the book is made again and the picture fetched (whether
    // `localhost` connects depends on the order of the machine's answers for it; the server
    // listens on 127.0.0.1 only, so it may fail, but not as refused).
    std::fs::write(posts.join("postbook.toml"), "allow-private-hosts = true\n").unwrap();
    let second = run(2);
    assert_eq!(second["summary"]["skipped"], 0, "{}", second["summary"]);
    assert!(server.hits("/photo.png") >= 1, "127.0.0.1 at least");
    let warnings = warnings_of(&second);
    assert!(
        !warnings.iter().any(|w| w.contains("refused")),
        "{warnings:#?}"
    );
    let books = epubs_in(&out);
    assert!(pictures_in(&books[0])
        .iter()
        .any(|(_, bytes)| !bytes.is_empty()));
    epubcheck(&books);
}

#[test]
fn offline_without_cache_keeps_links() {
    let posts = tempfile::tempdir().unwrap();
    post(
        posts.path(),
        "p",
        "2024-03-01",
        &[("远程 remote", "http://127.0.0.1:9/x.png")],
    );
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("r.json");
    postbook()
        .args(["convert", "-t", "epub", "--images", "embed", "--offline"])
        .arg("--cache-dir")
        .arg(out.path().join("empty-cache"))
        .arg(posts.path())
        .arg("-o")
        .arg(out.path().join("b"))
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    assert!(warnings_of(&report_of(&report))
        .iter()
        .any(|w| w.contains("--offline")));
}

#[test]
fn markdown_notes_get_an_assets_folder() {
    let server = Server::start();
    let posts = tempfile::tempdir().unwrap();
    for (name, date, category) in [("a", "2024-04-01", "新闻"), ("b", "2024-04-02", "评论")] {
        let src = server.url("/photo.png");
        let body = format!(
            "---\ntitle: {name}\ndate: {date}\ncategories: [{category}]\n---\n\n![照片 photo]({src})\n\n![失败 gone]({})\n",
            server.url("/missing.png")
        );
        std::fs::write(posts.path().join(format!("{date}-{name}.md")), body).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    postbook()
        .args([
            "convert",
            "-t",
            "md",
            "-g",
            "category",
            "--images",
            "embed",
            "--no-cache",
            "--allow-private-hosts",
        ])
        .arg(posts.path())
        .arg("-o")
        .arg(out.path())
        .assert()
        .success();
    assert_eq!(server.hits("/photo.png"), 1);
    let assets = files_with_ext(&out.path().join("assets"), "png");
    assert_eq!(assets.len(), 1);
    assert_eq!(std::fs::read(&assets[0]).unwrap(), photo());
    let file = assets[0].file_name().unwrap().to_str().unwrap();
    let note = std::fs::read_to_string(out.path().join("新闻/2024-04-01-a.md")).unwrap();
    // Relative to the note, so Obsidian and Logseq open it; the failed one keeps its URL.
    assert!(
        note.contains(&format!("![照片 photo](../assets/{file})")),
        "{note}"
    );
    assert!(note.contains(&server.url("/missing.png")), "{note}");
}

#[test]
fn strip_drops_pictures_but_keeps_captions() {
    let out = tempfile::tempdir().unwrap();
    postbook()
        .args(["convert", "-t", "epub", "--images", "strip"])
        .arg(fixture("images"))
        .arg("-o")
        .arg(out.path())
        .assert()
        .success();
    let books = epubs_in(out.path());
    assert!(!books.is_empty());
    for book in &books {
        let entries = unzip(book);
        // Only the generated cover is left: it is drawn, not taken from the posts.
        assert!(
            !entries
                .iter()
                .any(|(n, _)| n.contains("images/") && !n.ends_with("images/cover.png")),
            "{book:?}"
        );
        let text: String = entries
            .iter()
            .filter(|(n, _)| n.contains("post-"))
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .collect();
        assert!(!text.contains("<img"), "{text}");
    }
    let source = std::fs::read_to_string(fixture("images/2023-02-01-images.md")).unwrap();
    let caption = source
        .split("![")
        .nth(1)
        .and_then(|s| s.split(']').next())
        .unwrap();
    let text: String = books
        .iter()
        .flat_map(|b| unzip(b))
        .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
        .collect();
    assert!(text.contains(caption), "caption {caption:?} lost");
}

#[test]
fn cover_file_goes_on_every_book() {
    let cover = samples().join("images/harbour.png");
    let (_out, books) = sample_books(&["--cover", cover.to_str().unwrap()]);
    assert_eq!(books.len(), 6);
    for book in &books {
        let entries = unzip(book);
        let file = |suffix: &str| {
            entries
                .iter()
                .find(|(n, _)| n.ends_with(suffix))
                .map(|(_, b)| b.clone())
                .unwrap_or_else(|| panic!("{book:?} has no {suffix}"))
        };
        assert_eq!(file("images/cover.png"), std::fs::read(&cover).unwrap());
        let opf = String::from_utf8(file(".opf")).unwrap();
        assert!(opf.contains("properties=\"cover-image\""), "{opf}");
        // Paths are escaped as XML, not as HTML (`&#x2f;` for every `/`).
        let page = String::from_utf8(file("cover.xhtml")).unwrap();
        assert!(page.contains("src=\"images/cover.png\""), "{page}");
    }
    epubcheck(&books[..1]);
    // A cover that is not a picture is a usage error, before anything is written.
    let bad = tempfile::tempdir().unwrap();
    postbook()
        .args(["convert", "-t", "epub", "--cover"])
        .arg(samples().join("undated-note.md"))
        .arg(samples())
        .arg("-o")
        .arg(bad.path().join("x"))
        .assert()
        .code(2);
}

/// Only an XML document whose root is an SVG `svg` element is embedded as SVG, and never with
/// a script: a web page with a drawing inside, or an SVG without its namespace (whose elements
/// are not SVG, so it would be embedded empty), are refused with their caption kept.
#[test]
fn only_real_svg_is_embedded_and_never_with_scripts() {
    let posts = tempfile::tempdir().unwrap();
    let dir = posts.path();
    std::fs::write(
        dir.join("page.svg"),
        "<!DOCTYPE html>\n<html><head><title>登录</title></head><body><p>请登录</p>\
         <svg xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"4\"/></svg></body></html>",
    )
    .unwrap();
    std::fs::write(
        dir.join("bare.svg"),
        "<svg viewBox=\"0 0 10 10\"><circle cx=\"5\" cy=\"5\" r=\"4\"/></svg>",
    )
    .unwrap();
    std::fs::write(
        dir.join("script.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\" onload=\"alert(1)\">\
         <script>alert(2)</script><a href=\"java&#10;script:alert(3)\"><circle cx=\"5\" cy=\"5\" r=\"4\"/></a>\
         <set attributeName=\"fill\" to=\"javascript:alert(4)\"/></svg>",
    )
    .unwrap();
    post(
        dir,
        "svg",
        "2024-03-01",
        &[
            ("网页说明", "page.svg"),
            ("无命名空间说明", "bare.svg"),
            ("脚本说明", "script.svg"),
        ],
    );
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    postbook()
        .args(["convert", "-t", "epub", "-g", "none", "--images", "embed"])
        .arg(dir)
        .arg("-o")
        .arg(out.path().join("books"))
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    let warnings = warnings_of(&report_of(&report));
    for (why, name) in [
        ("a web page (HTML), not a picture", "page.svg"),
        ("SVG namespace", "bare.svg"),
    ] {
        assert!(
            warnings.iter().any(|w| w.contains(why) && w.contains(name)),
            "no warning with {why:?} for {name}: {warnings:#?}"
        );
    }
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    let books = epubs_in(&out.path().join("books"));
    let svgs: Vec<String> = pictures_in(&books[0])
        .into_iter()
        .filter(|(n, _)| n.ends_with(".svg"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect();
    assert_eq!(svgs.len(), 1, "only the real SVG: {svgs:#?}");
    assert!(svgs[0].contains("<circle"), "{}", svgs[0]);
    for bad in ["script", "alert", "onload"] {
        assert!(!svgs[0].contains(bad), "{bad} in {}", svgs[0]);
    }
    let chapters: String = unzip(&books[0])
        .into_iter()
        .filter(|(n, _)| n.contains("post-"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect();
    assert!(chapters.contains("网页说明") && chapters.contains("无命名空间说明"));
    epubcheck(&books);
}

/// A drawing with what EPUB 3's SVG profile refuses (`fill` on a gradient and its stops,
/// `font-family` on a rectangle, a colour as an animation's `fill`, a keyword outside its
/// list, an SVG 2 element and attribute, a duplicate id) is embedded as what the profile
/// allows, and the book passes EPUBCheck.
#[test]
fn an_svg_is_embedded_within_the_epub_svg_profile() {
    let posts = tempfile::tempdir().unwrap();
    let dir = posts.path();
    std::fs::copy(fixture("svg/profile.svg"), dir.join("harbour.svg")).unwrap();
    post(
        dir,
        "drawing",
        "2024-03-03",
        &[("港口的黎明", "harbour.svg")],
    );
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    postbook()
        .args(["convert", "-t", "epub", "-g", "none", "--images", "embed"])
        .arg(dir)
        .arg("-o")
        .arg(out.path().join("books"))
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    assert_eq!(warnings_of(&report_of(&report)), Vec::<String>::new());
    let books = epubs_in(&out.path().join("books"));
    let svg = &the_svg_of(&books[0]);
    for kept in [
        "<linearGradient id=\"sky\"",
        "stop-color=\"#1e90ff\"",
        "Harbour at dawn",
    ] {
        assert!(svg.contains(kept), "{kept} lost: {svg}");
    }
    for dropped in [
        "fill=\"#abcdef\"",
        "fill=\"red\"",
        "Arial",
        "bevel",
        "mesh",
        "vector-effect",
    ] {
        assert!(!svg.contains(dropped), "{dropped} kept: {svg}");
    }
    epubcheck(&books);
}

/// The one SVG picture of `book`.
fn the_svg_of(book: &Path) -> String {
    let svgs: Vec<String> = pictures_in(book)
        .into_iter()
        .filter(|(n, _)| n.ends_with(".svg"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect();
    assert_eq!(svgs.len(), 1);
    svgs.into_iter().next().unwrap()
}

/// A mind-map SVG with placeholder paths (no `d`), a stop without `offset` and paint
/// references to ids it does not have makes a book EPUBCheck accepts, the drawing kept.
#[test]
fn an_svg_missing_required_attributes_makes_a_valid_book() {
    let posts = tempfile::tempdir().unwrap();
    let dir = posts.path();
    std::fs::copy(fixture("svg/required.svg"), dir.join("tides.svg")).unwrap();
    post(dir, "mind-map", "2024-03-04", &[("潮汐导图", "tides.svg")]);
    let out = tempfile::tempdir().unwrap();
    postbook()
        .args([
            "convert", "-q", "-t", "epub", "-g", "none", "--images", "embed",
        ])
        .arg(dir)
        .arg("-o")
        .arg(out.path().join("books"))
        .assert()
        .success();
    let books = epubs_in(&out.path().join("books"));
    let svg = the_svg_of(&books[0]);
    for kept in ["url(#dawn)", "url(#dusk)", "Mind map: tides"] {
        assert!(svg.contains(kept), "{kept} lost: {svg}");
    }
    for dropped in ["#missing", "#gone", "#nothing", "#placeholder"] {
        assert!(!svg.contains(dropped), "{dropped} kept: {svg}");
    }
    epubcheck(&books);
}

/// Symbolic links inside `--root`: followed when their target stays inside, refused by name
/// when it leaves.
#[cfg(unix)]
#[test]
fn symbolic_links_inside_the_root_are_followed_when_they_stay_inside() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let outside = tmp.path().join("outside");
    for d in [site.join("posts"), site.join("assets/img"), outside.clone()] {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(site.join("assets/img/in.png"), photo()).unwrap();
    std::fs::write(outside.join("out.png"), photo()).unwrap();
    symlink("../assets/img", site.join("posts/img")).unwrap();
    symlink("../outside", site.join("ext")).unwrap();
    post(
        &site.join("posts"),
        "links",
        "2024-03-02",
        &[("里面的图", "img/in.png"), ("外面的图", "/ext/out.png")],
    );
    let out = tmp.path().join("out");
    let report = tmp.path().join("report.json");
    postbook()
        .args(["convert", "-t", "epub", "-g", "none", "--root"])
        .arg(&site)
        .arg(site.join("posts"))
        .arg("-o")
        .arg(&out)
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    let warnings = warnings_of(&report_of(&report));
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    let want = format!(
        "symbolic link {}, whose target {} is outside the root folder",
        site.join("ext").display(),
        outside.canonicalize().unwrap().display()
    );
    assert!(warnings[0].contains(&want), "{warnings:#?}");
    let books = epubs_in(&out);
    assert_eq!(pictures_in(&books[0]).len(), 2, "the picture and the cover");
}
