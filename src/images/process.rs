//! Making pictures fit for e-readers: formats they can show, sizes that fit their screens.
//!
//! EPUB 3 readers must support JPEG, PNG, GIF and SVG; many cannot show WebP, BMP or TIFF, and
//! CMYK JPEGs come out with inverted or wrong colours on several. Those are re-encoded. Pictures
//! that already fit are passed through byte for byte: re-encoding a JPEG only loses quality.

use super::asset::Asset;
use super::svg::SvgError;
use image::{DynamicImage, ExtendedColorType, ImageDecoder, ImageFormat, ImageReader};
use std::fmt;
use std::io::Cursor;

/// How pictures are prepared.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ProcessOptions {
    /// Downscale anything wider than this many pixels.
    pub max_width: u32,
    /// Downscale anything taller than this many pixels.
    pub max_height: u32,
    /// Convert to shades of grey (smaller files, and what e-ink shows anyway).
    pub grayscale: bool,
    /// Quality (1–100) for re-encoded JPEGs.
    pub jpeg_quality: u8,
}

impl Default for ProcessOptions {
    /// Sized for current 300 ppi e-readers (Kobo Sage 1440×1920, Kindle Scribe 1860×2480),
    /// without keeping camera-sized originals.
    fn default() -> Self {
        ProcessOptions {
            max_width: 1600,
            max_height: 2400,
            grayscale: false,
            jpeg_quality: 85,
        }
    }
}

/// Prepares downloaded or local picture bytes for embedding. `Ok(None)` means the picture is a
/// tracking pixel (1×1 or 2×2) and should be dropped; `Err` says why it cannot be used.
pub fn process(bytes: Vec<u8>, opts: &ProcessOptions) -> Result<Option<Asset>, ProcessError> {
    if bytes.is_empty() {
        return Err(ProcessError::Empty);
    }
    let format = match image::guess_format(&bytes) {
        Ok(f) => f,
        Err(_) if is_html(&bytes) => return Err(ProcessError::WebPage),
        Err(_) if is_svg(&bytes) => {
            let clean = super::svg::sanitize(&bytes)?;
            return Ok(Some(Asset::new(clean, "image/svg+xml", "svg")));
        }
        Err(_) => return Err(ProcessError::UnknownFormat),
    };
    if format == ImageFormat::Avif {
        // image decodes AVIF only through the dav1d C library (see README, Crates).
        return Err(ProcessError::Avif);
    }
    let cannot_decode = |e: image::ImageError| ProcessError::Decode {
        format,
        detail: e.to_string(),
    };
    let decoder = |bytes| {
        ImageReader::with_format(Cursor::new(bytes), format)
            .into_decoder()
            .map_err(cannot_decode)
    };
    let (width, height, cmyk) = {
        let d = decoder(&bytes)?;
        let (w, h) = d.dimensions();
        (
            w,
            h,
            matches!(d.original_color_type(), ExtendedColorType::Cmyk8),
        )
    };
    if width <= 2 && height <= 2 {
        return Ok(None);
    }
    let fits = width <= opts.max_width && height <= opts.max_height;
    // Animated GIFs would lose their animation if decoded; readers show them as they are.
    let passthrough = match format {
        ImageFormat::Gif => Some(("image/gif", "gif")),
        ImageFormat::Jpeg if fits && !opts.grayscale && !cmyk => Some(("image/jpeg", "jpg")),
        ImageFormat::Png if fits && !opts.grayscale => Some(("image/png", "png")),
        _ => None,
    };
    if let Some((media_type, extension)) = passthrough {
        let mut asset = Asset::new(bytes, media_type, extension);
        asset.dimensions = Some((width, height));
        return Ok(Some(asset));
    }
    let mut decoder = decoder(&bytes)?;
    decoder
        .set_limits(decode_limits())
        .map_err(|e| ProcessError::TooLarge(e.to_string()))?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(cannot_decode)?;
    if !fits {
        img = downscale(img, opts.max_width, opts.max_height);
    }
    if opts.grayscale {
        img = match img.color().has_alpha() {
            true => DynamicImage::ImageLuma8(on_white(&img.to_luma_alpha8())),
            false => DynamicImage::ImageLuma8(img.to_luma8()),
        };
    }
    let mut asset = encode(&img, format, opts)?;
    asset.dimensions = Some((img.width(), img.height()));
    Ok(Some(asset))
}

/// A grey picture with transparency laid on a white matte, for `--grayscale` (made for e-ink):
/// e-ink readers and dark themes show transparent parts in their page colour, on which a
/// diagram's black lines or a logo's dark text can vanish; on white they read as printed.
fn on_white(img: &image::GrayAlphaImage) -> image::GrayImage {
    image::GrayImage::from_fn(img.width(), img.height(), |x, y| {
        let image::LumaA([l, a]) = *img.get_pixel(x, y);
        let (l, a) = (u32::from(l), u32::from(a));
        // l·a + 255·(255 − a), over 255, rounded.
        image::Luma([((l * a + 255 * (255 - a) + 127) / 255) as u8])
    })
}

/// PNG where transparency or lossless content matters (PNG sources, any alpha), JPEG otherwise.
fn encode(
    img: &DynamicImage,
    source: ImageFormat,
    opts: &ProcessOptions,
) -> Result<Asset, ProcessError> {
    let mut out = Vec::new();
    let transparent = img.color().has_alpha() && has_transparency(img);
    if transparent || source == ImageFormat::Png {
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .map_err(|e| ProcessError::Encode {
                format: "PNG",
                detail: e.to_string(),
            })?;
        return Ok(Asset::new(out, "image/png", "png"));
    }
    let flat = match opts.grayscale {
        true => DynamicImage::ImageLuma8(img.to_luma8()),
        false => DynamicImage::ImageRgb8(img.to_rgb8()),
    };
    let color = match opts.grayscale {
        true => jpeg_encoder::ColorType::Luma,
        false => jpeg_encoder::ColorType::Rgb,
    };
    let (w, h) = (flat.width(), flat.height());
    let too_wide = |_| ProcessError::JpegTooLarge {
        width: w,
        height: h,
    };
    jpeg_encoder::Encoder::new(&mut out, opts.jpeg_quality.clamp(1, 100))
        .encode(
            flat.as_bytes(),
            u16::try_from(w).map_err(too_wide)?,
            u16::try_from(h).map_err(too_wide)?,
            color,
        )
        .map_err(|e| ProcessError::Encode {
            format: "JPEG",
            detail: e.to_string(),
        })?;
    Ok(Asset::new(out, "image/jpeg", "jpg"))
}

/// Why picture bytes cannot be embedded. Its message is a one-line reason for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProcessError {
    Empty,
    /// A web page (a login wall or error page) served or saved as a picture.
    WebPage,
    UnknownFormat,
    /// AVIF, which postbook cannot decode (see README, Crates).
    Avif,
    /// An SVG document that cannot be used ([`super::svg::sanitize`]).
    Svg(SvgError),
    Decode {
        format: ImageFormat,
        detail: String,
    },
    /// Larger than the decoding limits (a "decompression bomb").
    TooLarge(String),
    Encode {
        format: &'static str,
        detail: String,
    },
    /// Too wide or tall for the JPEG format.
    JpegTooLarge {
        width: u32,
        height: u32,
    },
}

impl fmt::Display for ProcessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProcessError::Empty => f.write_str("the image is empty"),
            ProcessError::WebPage => f.write_str("a web page (HTML), not a picture"),
            ProcessError::UnknownFormat => {
                f.write_str("not a picture postbook can read (unknown format)")
            }
            ProcessError::Avif => f.write_str("AVIF pictures are not supported; kept as a link"),
            ProcessError::Svg(e) => e.fmt(f),
            ProcessError::Decode { format, detail } => {
                write!(f, "cannot decode {format:?} image: {detail}")
            }
            ProcessError::TooLarge(detail) => write!(f, "image too large to decode: {detail}"),
            ProcessError::Encode { format, detail } => {
                write!(f, "cannot encode {format}: {detail}")
            }
            ProcessError::JpegTooLarge { width, height } => {
                write!(
                    f,
                    "cannot encode a {width}×{height} JPEG (65,535 px at most)"
                )
            }
        }
    }
}

impl std::error::Error for ProcessError {}

impl From<SvgError> for ProcessError {
    fn from(e: SvgError) -> Self {
        ProcessError::Svg(e)
    }
}

/// Shrinks `img` to fit `max_width`×`max_height`, keeping its aspect ratio, with a Catmull-Rom
/// (bicubic) filter. fast_image_resize does this with SIMD several times faster than `image`'s
/// own resize, which dominated the time of a whole conversion (bench/README.md); `image` is
/// the fallback for pixel types fast_image_resize does not take (floating point).
fn downscale(img: DynamicImage, max_width: u32, max_height: u32) -> DynamicImage {
    use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
    let (w, h) = (img.width() as f64, img.height() as f64);
    let scale = (max_width as f64 / w).min(max_height as f64 / h);
    let (nw, nh) = (
        ((w * scale).round() as u32).max(1),
        ((h * scale).round() as u32).max(1),
    );
    let mut dst = DynamicImage::new(nw, nh, img.color());
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom));
    match Resizer::new().resize(&img, &mut dst, &options) {
        Ok(()) => dst,
        Err(_) => img.resize(
            max_width,
            max_height,
            image::imageops::FilterType::CatmullRom,
        ),
    }
}

fn has_transparency(img: &DynamicImage) -> bool {
    match img {
        DynamicImage::ImageLumaA8(i) => i.pixels().any(|p| p.0[1] < 255),
        _ => img.to_rgba8().pixels().any(|p| p.0[3] < 255),
    }
}

/// A cap on decoded size so that a small file claiming 100,000 × 100,000 pixels cannot take
/// all memory (a "decompression bomb"). 16,384 × 16,384 and 1 GiB of pixel data.
fn decode_limits() -> image::Limits {
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(16_384);
    limits.max_image_height = Some(16_384);
    limits.max_alloc = Some(1 << 30);
    limits
}

/// Whether `bytes` are an SVG document: XML whose root element is `svg` (after any XML
/// declaration, comments and DOCTYPE). Not merely text containing `<svg`: a web page with an
/// inline drawing, served where a picture was expected, is not a picture.
pub fn is_svg(bytes: &[u8]) -> bool {
    matches!(root_element(bytes), Some(name) if name == "svg" || name.ends_with(":svg"))
}

/// Whether `bytes` look like an HTML page (a login wall or error page served as a picture).
fn is_html(bytes: &[u8]) -> bool {
    matches!(root_element(bytes), Some(name) if name.eq_ignore_ascii_case("html"))
        || String::from_utf8_lossy(&bytes[..bytes.len().min(512)])
            .trim_start_matches('\u{feff}')
            .trim_start()
            .get(..14)
            .is_some_and(|s| s.eq_ignore_ascii_case("<!doctype html"))
}

/// The name of the first element of a markup document, skipping what may come before it
/// (XML declaration, processing instructions, comments, a DOCTYPE with its internal subset).
fn root_element(bytes: &[u8]) -> Option<&str> {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // A multi-byte character cut at the end of the head.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    let mut rest = text.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<?") {
            rest = &r[r.find("?>")? + 2..];
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = &r[r.find("-->")? + 3..];
        } else if rest
            .as_bytes()
            .get(..9)
            .is_some_and(|b| b.eq_ignore_ascii_case(b"<!doctype"))
        {
            // The internal subset (`[ <!ENTITY …> ]`) may hold `>`.
            let end = match (rest.find('['), rest.find('>')) {
                (Some(open), Some(gt)) if open < gt => open + rest[open..].find("]")?,
                _ => 0,
            };
            rest = &rest[end + rest[end..].find('>')? + 1..];
        } else {
            let name = rest.strip_prefix('<')?;
            let end = name
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(name.len());
            return Some(&name[..end]).filter(|n| !n.is_empty());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    fn encode_as(img: DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), format).unwrap();
        out
    }

    fn dims(a: &Asset) -> (u32, u32) {
        image::load_from_memory(&a.bytes)
            .unwrap()
            .to_rgb8()
            .dimensions()
    }

    #[test]
    fn small_jpeg_and_png_pass_through_untouched() {
        let opts = ProcessOptions::default();
        let img = DynamicImage::ImageRgb8(RgbImage::from_pixel(40, 30, Rgb([200, 10, 10])));
        for (format, media) in [
            (ImageFormat::Jpeg, "image/jpeg"),
            (ImageFormat::Png, "image/png"),
        ] {
            let bytes = encode_as(img.clone(), format);
            let asset = process(bytes.clone(), &opts).unwrap().unwrap();
            assert_eq!(asset.media_type, media);
            assert_eq!(asset.bytes, bytes);
        }
    }

    #[test]
    fn webp_becomes_jpeg_or_png_when_transparent() {
        let opts = ProcessOptions::default();
        let opaque = DynamicImage::ImageRgba8(RgbaImage::from_pixel(20, 10, Rgba([1, 2, 3, 255])));
        let asset = process(encode_as(opaque, ImageFormat::WebP), &opts)
            .unwrap()
            .unwrap();
        assert_eq!((asset.media_type, dims(&asset)), ("image/jpeg", (20, 10)));
        let mut clear = RgbaImage::from_pixel(20, 10, Rgba([1, 2, 3, 255]));
        clear.put_pixel(0, 0, Rgba([0, 0, 0, 0]));
        let asset = process(
            encode_as(DynamicImage::ImageRgba8(clear), ImageFormat::WebP),
            &opts,
        )
        .unwrap()
        .unwrap();
        assert_eq!(asset.media_type, "image/png");
    }

    #[test]
    fn large_pictures_are_downscaled_keeping_aspect_and_greyed() {
        let opts = ProcessOptions {
            max_width: 100,
            grayscale: true,
            ..ProcessOptions::default()
        };
        let img = DynamicImage::ImageRgb8(RgbImage::from_pixel(400, 200, Rgb([200, 10, 10])));
        let asset = process(encode_as(img, ImageFormat::Jpeg), &opts)
            .unwrap()
            .unwrap();
        assert_eq!(asset.media_type, "image/jpeg");
        let out = image::load_from_memory(&asset.bytes).unwrap();
        assert_eq!((out.width(), out.height()), (100, 50));
        assert!(out.to_rgb8().pixels().all(|p| p[0] == p[1] && p[1] == p[2]));
    }

    /// `--grayscale` is for e-ink: transparent parts become white, so black lines drawn on a
    /// transparent background stay visible whatever the page colour; opaque parts keep their
    /// grey, and no transparency is left.
    #[test]
    fn grayscale_lays_transparent_pictures_on_white() {
        let opts = ProcessOptions {
            grayscale: true,
            ..ProcessOptions::default()
        };
        let mut img = RgbaImage::from_pixel(4, 4, Rgba([0, 0, 0, 0]));
        img.put_pixel(1, 1, Rgba([0, 0, 0, 255]));
        img.put_pixel(2, 2, Rgba([0, 0, 0, 128]));
        let asset = process(
            encode_as(DynamicImage::ImageRgba8(img), ImageFormat::Png),
            &opts,
        )
        .unwrap()
        .unwrap();
        assert_eq!(asset.media_type, "image/png");
        let out = image::load_from_memory(&asset.bytes).unwrap();
        assert!(!out.color().has_alpha(), "{:?}", out.color());
        let out = out.to_luma8();
        assert_eq!(out.get_pixel(0, 0).0, [255]);
        assert_eq!(out.get_pixel(1, 1).0, [0]);
        assert_eq!(out.get_pixel(2, 2).0, [127]);
    }

    #[test]
    fn tracking_pixels_are_dropped_and_garbage_refused() {
        let opts = ProcessOptions::default();
        let pixel = DynamicImage::ImageRgb8(RgbImage::new(1, 1));
        assert!(process(encode_as(pixel, ImageFormat::Gif), &opts)
            .unwrap()
            .is_none());
        assert!(process(b"<html>404</html>".to_vec(), &opts).is_err());
        assert!(process(Vec::new(), &opts).is_err());
        let svg = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec();
        assert_eq!(
            process(svg, &opts).unwrap().unwrap().media_type,
            "image/svg+xml"
        );
    }

    #[test]
    fn svg_is_an_xml_document_with_an_svg_root() {
        let opts = ProcessOptions::default();
        let svg = "\u{feff}<?xml version=\"1.0\"?>\n<!-- Generator: Illustrator -->\n<!DOCTYPE svg [ <!ENTITY a \"<b>\"> ]>\n<svg:svg xmlns:svg=\"http://www.w3.org/2000/svg\"/>";
        assert!(is_svg(svg.as_bytes()));
        assert_eq!(
            process(svg.as_bytes().to_vec(), &opts)
                .unwrap()
                .unwrap()
                .media_type,
            "image/svg+xml"
        );
        // Web pages served or saved as pictures, even well-formed ones with a drawing inside.
        for page in [
            "<!DOCTYPE html><html><body><svg xmlns=\"http://www.w3.org/2000/svg\"/></body></html>",
            "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><svg xmlns=\"http://www.w3.org/2000/svg\"/></body></html>",
            "<div><svg xmlns=\"http://www.w3.org/2000/svg\"/></div>",
        ] {
            assert!(!is_svg(page.as_bytes()), "{page}");
            let err = process(page.as_bytes().to_vec(), &opts).unwrap_err();
            assert!(
                matches!(err, ProcessError::WebPage | ProcessError::UnknownFormat),
                "{err:?}"
            );
            assert!(err.to_string().contains("not a picture"), "{err}");
        }
        // Text whose ninth byte falls inside a character is not a DOCTYPE (and no panic).
        for text in ["<中文字", "  <é<svg/>", "<!dé"] {
            assert!(!is_svg(text.as_bytes()), "{text}");
        }
        let err = process(b"<!doctype html><svg></svg>".to_vec(), &opts).unwrap_err();
        assert_eq!(err, ProcessError::WebPage);
        assert!(err.to_string().contains("web page"), "{err}");
    }
}
