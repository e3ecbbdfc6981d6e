//! Generated covers: a PNG showing a book's title, date range, authors and post count, for
//! books without a cover picture.
//!
//! Readers show the cover in their library grid; without one, a shelf of monthly books is a
//! wall of identical placeholders. The cover is drawn for e-ink: 1600×2400 (the 2:3 portrait of
//! most readers, at their resolution), 8-bit greyscale, black on white, large bold type.
//!
//! Text is drawn with two fonts bundled in the binary (SIL OFL 1.1, rebuilt by
//! `fonts/make-subset.py`), looked up glyph by glyph like a CSS font stack:
//! - a subset of Noto Sans Bold (`fonts/NotoSans-Bold-subset.ttf`): Latin with Latin Extended-A,
//!   -B and Additional, Greek with polytonic Greek, Cyrillic with its Supplement, combining
//!   accents, currency and letterlike symbols, so names like `Bērziņa-Čerenkova`, `Łukasz`,
//!   `Nguyễn`, `Σωκράτης` or `Ґрушевський` are drawn in one design;
//! - a subset of Noto Sans CJK SC Bold (`fonts/NotoSansCJKsc-Bold-subset.otf`): punctuation, kana
//!   and everything in GB2312, Big5 and JIS X 0208, so simplified and traditional Chinese and
//!   Japanese titles render (its Latin has only pinyin's letters).
//!
//! Letters come from Noto Sans first (one Latin design for a whole word, never a mix of the
//! two), general punctuation (`“ ” — …`) from Noto Sans CJK first (the forms Chinese text
//! expects). A character in neither font is drawn as the `.notdef` box (never a panic);
//! [`missing_glyphs`] lets the caller warn about it.
//! Glyphs are rasterized one by one with `ab_glyph` (no shaping, which CJK and Latin titles do
//! not need) and lines are broken with the Unicode line breaking algorithm (textwrap), so CJK
//! breaks between characters and Latin between words.
//!
//! This module sees only the cover's text, already formatted by the EPUB writer; the same text
//! always gives the same PNG bytes, so books stay reproducible.

use crate::images::Asset;
use ab_glyph::{point, Font, FontRef, GlyphId, PxScale, ScaleFont};
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{GrayImage, ImageEncoder, Luma};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use textwrap::core::Fragment;
use textwrap::WordSeparator;

/// Cover size in pixels: the 2:3 portrait of e-readers' screens.
pub const WIDTH: u32 = 1600;
pub const HEIGHT: u32 = 2400;
/// Left and right margin: no text comes closer to the edges.
pub const MARGIN_X: u32 = 180;
/// A double frame (a thick and a thin line) gives the white page an edge in a library grid.
const FRAME: [(u32, u32); 2] = [(72, 8), (96, 3)]; // inset, thickness
/// The band the title is centred in, and its limits.
const TITLE_TOP: f32 = 320.0;
const TITLE_BOTTOM: f32 = 1440.0;
const TITLE_MAX_LINES: usize = 6;
const TITLE_SIZES: (f32, f32, f32) = (192.0, 80.0, 8.0); // largest, smallest, step
const TITLE_LEADING: f32 = 1.28;
/// The rule between the title and the details.
const RULE_Y: u32 = 1560;
const RULE_WIDTH: u32 = 240;
const RULE_HEIGHT: u32 = 10;
/// Ink: 0 is black. Secondary lines are a dark grey, still crisp on e-ink.
const BLACK: u8 = 0;
const GREY: u8 = 0x40;

/// The bundled fonts (see the module documentation).
static LATIN_BYTES: &[u8] = include_bytes!("../../fonts/NotoSans-Bold-subset.ttf");
static CJK_BYTES: &[u8] = include_bytes!("../../fonts/NotoSansCJKsc-Bold-subset.otf");

/// One bundled font and the factor that gives its glyphs the em size of the CJK font's at
/// the same nominal size (`ab_glyph` scales by ascent minus descent, which differ by font).
struct Face {
    font: FontRef<'static>,
    scale: f32,
}

impl Face {
    fn scaled(&self, size: f32) -> PxScale {
        PxScale::from(size * self.scale)
    }
}

/// The fonts, parsed once per process (a monthly archive makes about a hundred covers):
/// `[Noto Sans, Noto Sans CJK]`.
fn faces() -> &'static [Face; 2] {
    static FACES: OnceLock<[Face; 2]> = OnceLock::new();
    FACES.get_or_init(|| {
        let parse = |bytes| FontRef::try_from_slice(bytes).expect("the bundled fonts parse");
        let (latin, cjk) = (parse(LATIN_BYTES), parse(CJK_BYTES));
        let height_per_em = |f: &FontRef| f.height_unscaled() / f.units_per_em().unwrap_or(1000.0);
        let latin_scale = height_per_em(&latin) / height_per_em(&cjk);
        [
            Face {
                font: latin,
                scale: latin_scale,
            },
            Face {
                font: cjk,
                scale: 1.0,
            },
        ]
    })
}

/// The font and glyph `c` is drawn with; the CJK font's `.notdef` box when no font has it.
fn glyph(c: char) -> (&'static Face, GlyphId) {
    let [latin, cjk] = faces();
    let order = match c {
        '\u{2000}'..='\u{206F}' => [cjk, latin],
        _ => [latin, cjk],
    };
    order
        .into_iter()
        .map(|face| (face, face.font.glyph_id(c)))
        .find(|(_, id)| *id != GlyphId(0))
        .unwrap_or((cjk, GlyphId(0)))
}

/// What a generated cover shows, each line already formatted for the book's language.
#[derive(Debug, Clone, Default)]
pub struct CoverText {
    pub title: String,
    /// `2023-05-01 – 2023-05-31`, `2023年5月1日 – 2023年5月31日`; none for undated books.
    pub dates: Option<String>,
    /// The authors or the collection the posts come from.
    pub byline: Option<String>,
    /// `共 31 篇`, `31 posts`.
    pub count: String,
}

/// Renders the cover as a greyscale PNG ready to embed.
pub fn render(text: &CoverText, glyphs: &GlyphCache) -> Asset {
    // A white page, filled once (`from_pixel` zeroes a fresh buffer and then fills it: twice
    // the 3.8 MB of writes on each book's cover).
    let white = vec![255; (WIDTH * HEIGHT) as usize];
    let mut page = Canvas {
        img: GrayImage::from_raw(WIDTH, HEIGHT, white).expect("the buffer fits the page"),
        glyphs,
    };
    draw_frame(&mut page.img);
    page.title(&text.title);
    draw_rule(&mut page.img);
    let mut y = RULE_Y as f32 + 200.0;
    if let Some(dates) = &text.dates {
        page.line(dates, 72.0, y, BLACK);
        y += 130.0;
    }
    if let Some(byline) = &text.byline {
        page.line(byline, 60.0, y, GREY);
    }
    page.line(&text.count, 56.0, HEIGHT as f32 - 230.0, GREY);
    Asset {
        bytes: encode(&page.img),
        media_type: "image/png",
        extension: "png",
        dimensions: Some((WIDTH, HEIGHT)),
    }
}

/// The characters of `text` the bundled font has no glyph for (drawn as `.notdef` boxes), in
/// order of appearance, each once.
pub fn missing_glyphs(text: &str) -> Vec<char> {
    let mut missing = Vec::new();
    for c in text.chars() {
        if drawn(c) && glyph(c).1 == GlyphId(0) && !missing.contains(&c) {
            missing.push(c);
        }
    }
    missing
}

/// Whether a character leaves ink (spaces, controls and invisible format marks do not).
fn drawn(c: char) -> bool {
    !(c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}'))
}

/// PNG, greyscale. `Fast` compression: a mostly white page compresses well either way, and the
/// better levels cost several times the time for a few percent (measured in the tests' notes).
/// The `Up` filter (each row minus the one above: a white row, or a row of a glyph's straight
/// stem, becomes zeros): the adaptive filter tries all five filters on every row, which cost
/// 0.82 G instructions on the corpus's 93 covers against 0.19 G, and the EPUB's deflate brings
/// both to within 6% of each other (`docs/performance.md`, issue 31).
fn encode(img: &GrayImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    PngEncoder::new_with_quality(&mut bytes, CompressionType::Fast, FilterType::Up)
        .write_image(img.as_raw(), WIDTH, HEIGHT, image::ExtendedColorType::L8)
        .expect("encoding a PNG into memory cannot fail");
    bytes
}

/// A cover's page, and the run's glyphs its text is drawn with.
struct Canvas<'g> {
    img: GrayImage,
    glyphs: &'g GlyphCache,
}

impl Canvas<'_> {
    /// The title: as large as fits in [`TITLE_MAX_LINES`] lines inside the title band, centred;
    /// at the smallest size a title still too long is cut with an ellipsis. A book title of the
    /// form `collection — group` (`联合早报 — 2023-05`) puts the group on a line of its own.
    fn title(&mut self, title: &str) {
        let width = (WIDTH - 2 * MARGIN_X) as f32;
        let (largest, smallest, step) = TITLE_SIZES;
        let band = TITLE_BOTTOM - TITLE_TOP;
        let mut size = largest;
        let lines = loop {
            let lines: Vec<String> = title
                .split(" — ")
                .flat_map(|part| wrap(part, size, width))
                .collect();
            let fits =
                lines.len() <= TITLE_MAX_LINES && lines.len() as f32 * size * TITLE_LEADING <= band;
            if fits || size - step < smallest {
                break lines;
            }
            size -= step;
        };
        let max_lines = TITLE_MAX_LINES
            .min((band / (size * TITLE_LEADING)) as usize)
            .max(1);
        let lines = truncate_lines(lines, max_lines, size, width);
        let line_height = size * TITLE_LEADING;
        // Slack is shared 3:2 above and below, which sets a short title nearer the rule.
        let top = TITLE_TOP + (band - lines.len() as f32 * line_height) * 0.6;
        for (i, line) in lines.iter().enumerate() {
            let baseline = top + i as f32 * line_height + (line_height - size) / 2.0 + 0.88 * size;
            self.centred(line, size, baseline, BLACK);
        }
    }

    /// A short line (dates, byline, count): centred, shrunk to 70% of `size` if it is too wide,
    /// then cut with an ellipsis.
    fn line(&mut self, text: &str, size: f32, baseline: f32, ink: u8) {
        let text = text.trim();
        let width = (WIDTH - 2 * MARGIN_X) as f32;
        let size = if text_width(text, size) <= width {
            size
        } else {
            (size * width / text_width(text, size)).max(size * 0.7)
        };
        self.centred(&ellipsize(text, size, width), size, baseline, ink);
    }

    /// Draws one line of text centred horizontally on `baseline`.
    ///
    /// Each glyph is placed at a whole pixel (its pen position rounded, never more than half a
    /// pixel from where the advances put it, at sizes of 56 px and more), so a glyph looks the same
    /// wherever it is drawn and is rasterized once per size and ink ([`GlyphCache`]): the digits,
    /// `年`, `月`, the collection's name and the count line recur on every cover of a run, and
    /// rasterizing was half the CPU of a run that makes a book per day.
    fn centred(&mut self, text: &str, size: f32, baseline: f32, ink: u8) {
        let mut x = (WIDTH as f32 - text_width(text, size)) / 2.0;
        for c in text.chars() {
            let (face, id) = glyph(c);
            if drawn(c) {
                self.glyphs.raster(face, id, size, ink).draw(
                    &mut self.img,
                    x.round() as i64,
                    baseline.round() as i64,
                );
            }
            x += face.font.as_scaled(face.scaled(size)).h_advance(id);
        }
    }
}

/// Keeps at most `max` lines, ending the last one kept with `…` when some were cut.
fn truncate_lines(mut lines: Vec<String>, max: usize, size: f32, width: f32) -> Vec<String> {
    if lines.len() > max {
        lines.truncate(max);
        if let Some(last) = lines.last_mut() {
            *last = ellipsize(&format!("{last}…"), size, width);
        }
    }
    lines
}

/// `text`, or as much of it as fits in `width` followed by `…`.
fn ellipsize(text: &str, size: f32, width: f32) -> String {
    if text_width(text, size) <= width {
        return text.to_string();
    }
    let mut out: String = text.trim_end_matches('…').to_string();
    while !out.is_empty() && text_width(&format!("{out}…"), size) > width {
        out.pop();
        out.truncate(out.trim_end().len());
    }
    format!("{out}…")
}

/// A run of text to wrap, measured in pixels: a word with the space after it, or one character
/// of a word too wide for a line.
#[derive(Debug)]
struct Piece {
    text: String,
    space: String,
    width: f64,
    space_width: f64,
}

impl Fragment for Piece {
    fn width(&self) -> f64 {
        self.width
    }
    fn whitespace_width(&self) -> f64 {
        self.space_width
    }
    fn penalty_width(&self) -> f64 {
        0.0
    }
}

/// Breaks `text` into lines no wider than `width` pixels at `size`, using Unicode line break
/// opportunities (between CJK characters, after spaces), then narrows the lines as far as the
/// line count allows so they come out balanced rather than one full line and a widow.
fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let pieces = pieces(text, size, width);
    let lines_at = |w: f32| textwrap::wrap_algorithms::wrap_first_fit(&pieces, &[w as f64]);
    let count = lines_at(width).len();
    let (mut lo, mut hi) = (width / 3.0, width);
    while hi - lo > 4.0 {
        let mid = (lo + hi) / 2.0;
        if lines_at(mid).len() == count && lines_at(mid).iter().all(|l| fits(l, mid)) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    lines_at(hi)
        .iter()
        .map(|line| {
            let mut s = String::new();
            for (i, p) in line.iter().enumerate() {
                s.push_str(&p.text);
                if i + 1 < line.len() {
                    s.push_str(&p.space);
                }
            }
            s
        })
        .collect()
}

/// Whether a wrapped line really fits (first-fit lets a single over-wide piece overflow).
fn fits(line: &[Piece], width: f32) -> bool {
    let total: f64 = line.iter().map(|p| p.width + p.space_width).sum::<f64>()
        - line.last().map_or(0.0, |p| p.space_width);
    total <= width as f64
}

/// The pieces of `text` for [`wrap`]; words wider than a line are split into characters.
fn pieces(text: &str, size: f32, width: f32) -> Vec<Piece> {
    let mut out = Vec::new();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for word in WordSeparator::UnicodeBreakProperties.find_words(&text) {
        let piece = |text: &str, space: &str| Piece {
            text: text.to_string(),
            space: space.to_string(),
            width: text_width(text, size) as f64,
            space_width: text_width(space, size) as f64,
        };
        if text_width(word.word, size) <= width {
            out.push(piece(word.word, word.whitespace));
            continue;
        }
        let chars: Vec<char> = word.word.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            let space = if i + 1 == chars.len() {
                word.whitespace
            } else {
                ""
            };
            out.push(piece(&c.to_string(), space));
        }
    }
    out
}

/// Width of `text` in pixels at `size` (advances only: covers are drawn without kerning).
fn text_width(text: &str, size: f32) -> f32 {
    text.chars()
        .map(|c| {
            let (face, id) = glyph(c);
            face.font.as_scaled(face.scaled(size)).h_advance(id)
        })
        .sum()
}

/// One glyph at one size and ink, rasterized: the page value each pixel of its box takes
/// (255 where it leaves no ink), the box placed relative to the pen position.
#[derive(Debug, PartialEq)]
struct Raster {
    left: i64,
    top: i64,
    width: usize,
    values: Box<[u8]>,
}

/// What a [`Raster`] is drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct RasterKey {
    cjk_face: bool,
    glyph: u16,
    size_bits: u32,
    ink: u8,
}

/// The glyphs a run's generated covers are drawn with, each rasterized once per size and ink:
/// the covers of a run share most of theirs (the collection's name, digits, `年`, `月`, the
/// count line). Kept by the EPUB writer for its run and shared by the threads drawing covers.
#[derive(Debug, Default)]
pub struct GlyphCache {
    rasters: Mutex<(HashMap<RasterKey, Arc<Raster>>, usize)>,
}

/// The bytes of rasters a [`GlyphCache`] keeps before it starts over: a title's glyphs at
/// 192 px are 15–35 KB each, so this holds a hundred or more of those and many more of the
/// smaller lines', and memory stays small however many distinct titles a run draws. (Measured:
/// the corpus as 517 daily books keeps 492 rasters in 0.75 MB; 100,000 posts as 240 monthly
/// books 130 in 0.24 MB.)
const GLYPH_CACHE_BYTES: usize = 4 << 20;

impl GlyphCache {
    /// The raster of glyph `id` of `face` at `size` in `ink`, drawn on a miss (outside the
    /// lock, so the other threads go on).
    fn raster(&self, face: &'static Face, id: GlyphId, size: f32, ink: u8) -> Arc<Raster> {
        let key = RasterKey {
            cjk_face: std::ptr::eq(face, &faces()[1]),
            glyph: id.0,
            size_bits: size.to_bits(),
            ink,
        };
        let lock = || self.rasters.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(raster) = lock().0.get(&key) {
            return Arc::clone(raster);
        }
        let raster = Arc::new(Raster::draw_glyph(face, id, size, ink));
        let (cache, bytes) = &mut *lock();
        if *bytes + raster.values.len() > GLYPH_CACHE_BYTES {
            cache.clear();
            *bytes = 0;
        }
        *bytes += raster.values.len();
        cache.insert(key, Arc::clone(&raster));
        raster
    }
}

impl Raster {
    /// Rasterizes the glyph with its pen at the origin.
    fn draw_glyph(face: &Face, id: GlyphId, size: f32, ink: u8) -> Raster {
        let glyph = id.with_scale_and_position(face.scaled(size), point(0.0, 0.0));
        let Some(outline) = face.font.outline_glyph(glyph) else {
            return Raster {
                left: 0,
                top: 0,
                width: 0,
                values: Box::new([]),
            };
        };
        let bounds = outline.px_bounds();
        let width = bounds.width() as usize;
        let mut values = vec![255; width * bounds.height() as usize];
        outline.draw(|x, y, coverage| {
            if coverage > 0.0 {
                values[y as usize * width + x as usize] = inked(coverage, ink);
            }
        });
        Raster {
            left: bounds.min.x as i64,
            top: bounds.min.y as i64,
            width,
            values: values.into_boxed_slice(),
        }
    }

    /// Draws the raster with its pen at (`x`, `y`), clipped to the page; where glyphs overlap
    /// the darker value stays.
    fn draw(&self, img: &mut GrayImage, x: i64, y: i64) {
        if self.width == 0 {
            return;
        }
        let page: &mut [u8] = img;
        let (page_width, page_height) = (i64::from(WIDTH), i64::from(HEIGHT));
        let left = x + self.left;
        let first = (-left).clamp(0, self.width as i64) as usize;
        let last = (page_width - left).clamp(0, self.width as i64) as usize;
        if first >= last {
            return;
        }
        for (row, values) in self.values.chunks_exact(self.width).enumerate() {
            let py = y + self.top + row as i64;
            if !(0..page_height).contains(&py) {
                continue;
            }
            // Not negative: `first` moves a box past the left edge back onto the page.
            let start = (py * page_width + left + first as i64) as usize;
            let pixels = &mut page[start..start + (last - first)];
            for (pixel, &value) in pixels.iter_mut().zip(&values[first..last]) {
                *pixel = (*pixel).min(value);
            }
        }
    }
}

/// The page value of a pixel `coverage` (0–1) of it covered in `ink`: white darkened towards
/// the ink, rounded half away from zero as `f32::round` does, without the call to libm's
/// `roundf` that `round` compiles to on x86-64's baseline.
fn inked(coverage: f32, ink: u8) -> u8 {
    let value = 255.0 - coverage.clamp(0.0, 1.0) * (255.0 - f32::from(ink));
    // `value` is within 0..=255, so `as` truncates it, and the difference is exact.
    let whole = value as u8;
    whole + u8::from(value - f32::from(whole) >= 0.5)
}

/// The frame: [`FRAME`]'s rectangles, each line drawn inward from its inset.
fn draw_frame(img: &mut GrayImage) {
    for (inset, t) in FRAME {
        let (w, h) = (WIDTH - 2 * inset, HEIGHT - 2 * inset);
        fill(img, inset, inset, w, t);
        fill(img, inset, HEIGHT - inset - t, w, t);
        fill(img, inset, inset, t, h);
        fill(img, WIDTH - inset - t, inset, t, h);
    }
}

/// A short thick rule, centred, between the title and the details.
fn draw_rule(img: &mut GrayImage) {
    fill(
        img,
        (WIDTH - RULE_WIDTH) / 2,
        RULE_Y,
        RULE_WIDTH,
        RULE_HEIGHT,
    );
}

/// Paints a black rectangle.
fn fill(img: &mut GrayImage, left: u32, top: u32, width: u32, height: u32) {
    for y in top..top + height {
        for x in left..left + width {
            img.put_pixel(x, y, Luma([BLACK]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Where the frame ends: from here to [`MARGIN_X`] the page is blank.
    const FRAME_END: u32 = FRAME[1].0 + FRAME[1].1;

    fn pixels(asset: &Asset) -> GrayImage {
        let img = image::load_from_memory(&asset.bytes).expect("a valid PNG");
        assert_eq!(img.color(), image::ColorType::L8, "greyscale");
        img.to_luma8()
    }

    /// Non-white pixels in the rows `top..bottom` and columns `left..right`.
    fn ink(img: &GrayImage, (left, right): (u32, u32), (top, bottom): (u32, u32)) -> usize {
        (top..bottom)
            .flat_map(|y| (left..right).map(move |x| (x, y)))
            .filter(|&(x, y)| img.get_pixel(x, y).0[0] < 250)
            .count()
    }

    fn text(title: &str) -> CoverText {
        CoverText {
            title: title.into(),
            dates: Some("2023年5月1日 – 2023年5月31日".into()),
            byline: Some("联合早报".into()),
            count: "共 31 篇".into(),
        }
    }

    #[test]
    fn inked_rounds_as_f32_round_does() {
        // Every 97th float of 0–1 (about eleven million), and the ties of both inks.
        let ties = (0..=510).map(|n| (n as f32 / 2.0) / 255.0);
        let ties_grey = (0..=382).map(|n| (n as f32 / 2.0) / f32::from(255 - GREY));
        let sampled = (0..=1.0f32.to_bits()).step_by(97).map(f32::from_bits);
        for coverage in ties
            .chain(ties_grey)
            .chain(sampled)
            .chain([-1.0, 0.0, 1.0, 2.0])
        {
            for ink in [BLACK, GREY] {
                let value = 255.0 - coverage.clamp(0.0, 1.0) * (255.0 - f32::from(ink));
                assert_eq!(
                    inked(coverage, ink),
                    value.round() as u8,
                    "{coverage} {ink}"
                );
            }
        }
    }

    #[test]
    fn a_cached_raster_is_the_glyph_as_drawn() {
        let glyphs = GlyphCache::default();
        for (c, size, ink) in [('年', 192.0, BLACK), ('g', 72.0, GREY), ('Ж', 56.0, BLACK)] {
            let (face, id) = glyph(c);
            let fresh = Raster::draw_glyph(face, id, size, ink);
            assert!(fresh.values.iter().any(|&v| v < 128), "{c} leaves ink");
            assert_eq!(*glyphs.raster(face, id, size, ink), fresh);
            assert_eq!(
                *glyphs.raster(face, id, size, ink),
                fresh,
                "{c} from the cache"
            );
        }
    }

    #[test]
    fn glyphs_past_the_page_edges_are_clipped() {
        let (face, id) = glyph('W');
        let raster = GlyphCache::default().raster(face, id, 192.0, BLACK);
        let mut img = GrayImage::from_pixel(WIDTH, HEIGHT, Luma([255]));
        for (x, y) in [
            (-100, 50),
            (i64::from(WIDTH) - 20, 50),
            (800, 10),
            (800, i64::from(HEIGHT) + 300),
            (-5000, -5000),
        ] {
            raster.draw(&mut img, x, y);
        }
        // The left edge, the right edge and the top show the parts of the glyph inside.
        assert!(ink(&img, (0, 40), (0, 100)) > 0);
        assert!(ink(&img, (WIDTH - 20, WIDTH), (0, 100)) > 0);
        assert!(ink(&img, (700, 1000), (0, 20)) > 0);
        // The glyph below the page leaves nothing.
        assert_eq!(ink(&img, (0, WIDTH), (200, HEIGHT)), 0);
    }

    #[test]
    fn a_chinese_title_is_drawn_in_the_title_band() {
        let title = "联合早报 — 2023-05";
        assert_eq!(missing_glyphs(title), Vec::<char>::new());
        let asset = render(&text(title), &GlyphCache::default());
        assert_eq!(asset.dimensions, Some((WIDTH, HEIGHT)));
        assert!(asset.bytes.starts_with(b"\x89PNG"));
        let img = pixels(&asset);
        assert_eq!(img.dimensions(), (WIDTH, HEIGHT));
        let band = (TITLE_TOP as u32, TITLE_BOTTOM as u32);
        let title_ink = ink(&img, (MARGIN_X, WIDTH - MARGIN_X), band);
        assert!(
            title_ink > 20_000,
            "only {title_ink} dark pixels in the title band"
        );
        // The details are drawn below the rule, and nothing above the title band.
        assert!(ink(&img, (0, WIDTH), (RULE_Y + RULE_HEIGHT + 20, HEIGHT)) > 5_000);
        assert_eq!(
            ink(
                &img,
                (FRAME_END, WIDTH - FRAME_END),
                (FRAME_END, TITLE_TOP as u32 - 40)
            ),
            0
        );
    }

    #[test]
    fn glyphs_differ_from_the_notdef_box() {
        // A title of characters the font lacks draws boxes: the real glyphs must not look so.
        let boxes = pixels(&render(
            &text("\u{E000}\u{E001}\u{E002}\u{E003}"),
            &GlyphCache::default(),
        ));
        let hanzi = pixels(&render(&text("联合早报"), &GlyphCache::default()));
        assert_eq!(missing_glyphs("a\u{E000}b\u{E000}"), vec!['\u{E000}']);
        assert_ne!(boxes.as_raw(), hanzi.as_raw());
    }

    #[test]
    fn a_very_long_title_stays_inside_the_margins_and_its_band() {
        let long = format!(
            "{} {} {}",
            "美国驻成都总领事馆关闭前夕央视在附近直播，中美关系再度紧张。".repeat(6),
            "A remarkably long English headline about trade, technology and diplomacy".repeat(3),
            "https://www.zaobao.com.sg/news/china/story20230524-1396243-with-no-spaces-at-all",
        );
        let mut t = text(&long);
        t.byline =
            Some("作者甲、作者乙、作者丙、作者丁、作者戊、作者己、作者庚、作者辛、作者壬".into());
        let img = pixels(&render(&t, &GlyphCache::default()));
        assert!(ink(&img, (MARGIN_X, WIDTH - MARGIN_X), (0, HEIGHT)) > 50_000);
        let rows = (FRAME_END, HEIGHT - FRAME_END);
        let left = ink(&img, (FRAME_END, MARGIN_X), rows);
        let right = ink(&img, (WIDTH - MARGIN_X, WIDTH - FRAME_END), rows);
        assert_eq!((left, right), (0, 0), "ink in the side margins");
        let below_title = (TITLE_BOTTOM as u32 + 10, RULE_Y);
        assert_eq!(
            ink(&img, (FRAME_END, WIDTH - FRAME_END), below_title),
            0,
            "the title ran past its band"
        );
    }

    #[test]
    fn long_titles_are_wrapped_balanced_and_cut_with_an_ellipsis() {
        let width = (WIDTH - 2 * MARGIN_X) as f32;
        let lines = wrap("习近平会见俄罗斯总理米舒斯京", 168.0, width);
        assert_eq!(lines.len(), 2, "{lines:?}");
        let counts: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
        assert!(counts[0].abs_diff(counts[1]) <= 1, "unbalanced: {lines:?}");
        let english = wrap("Notes from the field on trade", 168.0, width);
        assert!(english
            .iter()
            .all(|l| !l.starts_with(' ') && !l.ends_with(' ')));
        assert!(english.iter().all(|l| !l.contains("fi eld")), "{english:?}");
        let cut = truncate_lines(vec!["一".repeat(6); 8], 6, 80.0, width);
        assert_eq!(cut.len(), 6);
        assert!(cut[5].ends_with('…'));
    }

    #[test]
    fn the_same_text_gives_the_same_bytes() {
        // From a fresh cache of glyphs and from one that drew them already.
        let glyphs = GlyphCache::default();
        let a = render(
            &text("闭馆声明公布后 央视在美驻成都总领馆附近直播"),
            &glyphs,
        );
        let b = render(
            &text("闭馆声明公布后 央视在美驻成都总领馆附近直播"),
            &glyphs,
        );
        assert_eq!(a.bytes, b.bytes);
        assert_ne!(
            a.bytes,
            render(&text("闭馆声明公布后"), &GlyphCache::default()).bytes
        );
    }

    /// Names in Latin with its extensions, Greek and Cyrillic are drawn, never as boxes
    /// (issue 17: `Bērziņa-Čerenkova` showed two), and so is every letter of those blocks.
    #[test]
    fn latin_greek_and_cyrillic_names_have_glyphs() {
        let names = [
            "Bērziņa-Čerenkova",
            "Łukasz Żółć",
            "Antonín Dvořák",
            "Ólafur Ragnar Grímsson",
            "Recep Tayyip Erdoğan, Şahin",
            "Nguyễn Thị Minh Khai",
            "Ørsted Ålesund Œuvre",
            "Ferenc Gyurcsány, Erdős Pál",
            "Σωκράτης Ἀριστοτέλης",
            "Фёдор Достоевский",
            "Михайло Грушевський, Ґанна",
            "Ҷамшед Ӯзбек Қазақ",
            "Kʻa-lama, Hawaiʻi №5 €",
        ];
        for name in names {
            assert_eq!(missing_glyphs(name), Vec::<char>::new(), "{name}");
        }
        let blocks = [
            0x00C0..=0x024F,
            0x0370..=0x03E1,
            0x03F0..=0x052F,
            0x1E00..=0x1FFF,
        ];
        let letters: String = blocks
            .into_iter()
            .flatten()
            .filter_map(char::from_u32)
            .filter(|c| c.is_alphabetic())
            .collect();
        assert!(letters.chars().count() > 1200);
        assert_eq!(missing_glyphs(&letters), Vec::<char>::new());
    }

    /// Latin letters (from Noto Sans) and CJK (from Noto Sans CJK) are drawn at one em size,
    /// so a mixed title does not change size from word to word.
    #[test]
    fn both_fonts_draw_at_one_size() {
        let [latin, cjk] = faces();
        let height = |face: &Face, c: char| {
            let glyph = face
                .font
                .glyph_id(c)
                .with_scale_and_position(face.scaled(200.0), point(0.0, 0.0));
            let b = face.font.outline_glyph(glyph).unwrap().px_bounds();
            b.max.y - b.min.y
        };
        let (l, c) = (height(latin, 'H'), height(cjk, 'H'));
        assert!((l - c).abs() / c < 0.1, "cap height {l} vs {c}");
        assert!(std::ptr::eq(glyph('ņ').0, latin));
        assert!(std::ptr::eq(glyph('报').0, cjk));
        assert!(std::ptr::eq(glyph('“').0, cjk));
    }

    /// Every title, author, category and tag of the sample and fixture posts (all of which can
    /// end up in a book title or byline) has a glyph in the bundled font.
    #[test]
    fn sample_and_fixture_titles_have_glyphs() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut checked = 0;
        for dir in ["samples", "tests/fixtures/good"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                let Ok(post) = crate::read::read_post(&path) else {
                    continue;
                };
                let meta = &post.doc.meta;
                let mut texts = vec![post.doc.display_title()];
                texts.extend(meta.authors.iter().chain(&meta.categories).cloned());
                texts.extend(meta.tags.iter().cloned());
                for t in texts {
                    assert_eq!(missing_glyphs(&t), Vec::<char>::new(), "{t:?} in {path:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked >= 10, "only {checked} texts checked");
    }
}
