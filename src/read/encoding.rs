//! Turning a post file's bytes into text, whatever encoding an old site or editor used.
//!
//! Most posts are UTF-8, but Chinese and Japanese archives from before ~2010 are often GBK,
//! Big5 or Shift_JIS, and Windows tools write UTF-16. The order of evidence follows browsers:
//! a byte order mark, then valid UTF-8, then a `charset` the file declares itself (`<meta
//! charset>`), then a statistical guess (chardetng, Firefox's detector). Decoding never fails:
//! invalid sequences become U+FFFD with a warning.

use super::error::PostError;
use crate::warning::{Warning, WarningKind};
use encoding_rs::{Encoding, UTF_8};

/// [`decode`] for a file's bytes already owned: the common case, UTF-8 without a byte order
/// mark, becomes the text without a copy.
pub fn decode_owned(bytes: Vec<u8>, warnings: &mut Vec<Warning>) -> Result<String, PostError> {
    match utf8_string(bytes) {
        Ok(text) if !text.starts_with('\u{FEFF}') && !looks_binary(text.as_bytes()) => {
            not_empty(text)
        }
        Ok(text) => decode(text.as_bytes(), warnings),
        Err(bytes) => decode(&bytes, warnings),
    }
}

/// `String::from_utf8`, validating with `simdutf8` (already built for `encoding_rs`): the
/// standard library's check takes one byte at a time through CJK text, and was 1.3% of the
/// CPU of 100,000 Chinese posts → EPUB; `simdutf8` checks 32 bytes at a time.
fn utf8_string(bytes: Vec<u8>) -> Result<String, Vec<u8>> {
    if simdutf8::basic::from_utf8(&bytes).is_err() {
        return Err(bytes);
    }
    // SAFETY: simdutf8 has just checked that `bytes` is valid UTF-8.
    Ok(unsafe { String::from_utf8_unchecked(bytes) })
}

/// Whether a file without a byte order mark is binary: a NUL byte in its first 8 KiB. Looked
/// for with `memchr` (every post passes here; a loop over the bytes was 3% of converting the
/// shared corpus).
fn looks_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
}

/// Decodes a post file. Binary and empty files are refused with a reason rather than turned
/// into a post full of garbage.
pub fn decode(bytes: &[u8], warnings: &mut Vec<Warning>) -> Result<String, PostError> {
    // A BOM comes first: UTF-16 text is full of NUL bytes and would look binary.
    // A UTF-16 "BOM" (`FF FE`) can also be two stray bytes at the start of a UTF-8 file: real
    // UTF-16 has NUL bytes (ASCII) or does not read as UTF-8 at all (CJK), so a file that is
    // mostly valid UTF-8 after them is UTF-8 with two bad bytes.
    let stray_bom = |e: &Encoding| e != UTF_8 && !looks_binary(bytes) && mostly_utf8(bytes);
    if let Some((encoding, bom)) = Encoding::for_bom(bytes).filter(|(e, _)| !stray_bom(e)) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            warnings.push(Warning::new(
                WarningKind::Encoding,
                format!("invalid {} sequences replaced with U+FFFD", encoding.name()),
            ));
        }
        return not_empty(text.into_owned());
    }
    if looks_binary(bytes) {
        return Err(PostError::whole_file(
            "binary file (contains NUL bytes); skipped",
        ));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return not_empty(text.to_string());
    }
    let (encoding, how) = match declared_charset(bytes) {
        Some(e) if e != UTF_8 => (e, "declared by the file"),
        _ if mostly_utf8(bytes) => (UTF_8, "detected"),
        _ => {
            let mut detector =
                chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
            detector.feed(bytes, true);
            (
                detector.guess(None, chardetng::Utf8Detection::Allow),
                "detected",
            )
        }
    };
    // Without BOM sniffing: a real BOM was handled above, and stray `FF FE` bytes must not
    // switch the decoder to UTF-16 here.
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if encoding == UTF_8 {
        let valid = std::str::from_utf8(bytes)
            .map_err(|e| e.valid_up_to())
            .err();
        warnings.push(Warning::new(
            WarningKind::Encoding,
            format!(
                "invalid UTF-8 at byte {}; bad sequences replaced with U+FFFD",
                valid.unwrap_or(0)
            ),
        ));
    } else {
        warnings.push(Warning::new(
            WarningKind::Encoding,
            format!("not UTF-8: read as {} ({how})", encoding.name()),
        ));
        if had_errors {
            warnings.push(Warning::new(
                WarningKind::Encoding,
                format!("invalid {} sequences replaced with U+FFFD", encoding.name()),
            ));
        }
    }
    not_empty(text.into_owned())
}

/// UTF-8 with a few broken bytes (a truncated copy, one bad paste) is still UTF-8: text in a
/// legacy encoding almost never forms valid multi-byte UTF-8 sequences, and a detector would
/// misread the whole file as windows-1252 over a handful of errors.
///
/// Three- and four-byte sequences (all of CJK) count four times: in GBK or Big5 text about one
/// character in seven happens to form a valid two-byte sequence, but fewer than one in fifty a
/// three-byte one, so a short Chinese post with four stray bytes stays UTF-8 while a GBK post
/// (a valid sequence for every three or four bad ones) does not.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut valid, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        valid += chunk
            .valid()
            .chars()
            .map(|c| match c.len_utf8() {
                1 => 0,
                2 => 1,
                _ => 4,
            })
            .sum::<usize>();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    valid >= 4 * invalid
}

fn not_empty(text: String) -> Result<String, PostError> {
    if text.trim().is_empty() {
        Err(PostError::whole_file("empty file; skipped"))
    } else {
        Ok(text)
    }
}

/// The encoding named by a `charset=` in the first 4 KiB (`<meta charset="gbk">`, or the
/// `content="text/html; charset=big5"` form), the same prescan browsers do before parsing.
fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = bytes[..bytes.len().min(4096)].to_ascii_lowercase();
    let mut rest = &head[..];
    while let Some(i) = find(rest, b"charset") {
        rest = &rest[i + b"charset".len()..];
        let value = trim_start(rest).strip_prefix(b"=").map(trim_start);
        let Some(value) = value else { continue };
        let value = value
            .strip_prefix(b"\"")
            .or(value.strip_prefix(b"'"))
            .unwrap_or(value);
        let end = value
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':')))
            .unwrap_or(value.len());
        if let Some(e) = Encoding::for_label(&value[..end]) {
            return Some(e);
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> (String, Vec<String>) {
        let mut w = Vec::new();
        let text = decode(bytes, &mut w).unwrap();
        // The owned path agrees, warnings included.
        let mut owned_warnings = Vec::new();
        let owned = decode_owned(bytes.to_vec(), &mut owned_warnings).unwrap();
        assert_eq!((&owned, &owned_warnings), (&text, &w));
        (text, w.into_iter().map(|w| w.message).collect())
    }

    #[test]
    fn the_fast_utf8_check_agrees_with_the_standard_library() {
        // Chinese, ASCII and four-byte text, then every way of cutting it and of breaking one
        // byte: errors at every offset, inside and across simdutf8's 32- and 64-byte blocks.
        let text =
            "中国国家主席。ascii text between 🎉 and 北京新闻, then more ASCII to pass 64 bytes";
        let mut cases: Vec<Vec<u8>> = vec![Vec::new(), text.as_bytes().to_vec()];
        for cut in 0..=text.len() {
            cases.push(text.as_bytes()[..cut].to_vec());
            for bad in [0x80u8, 0xc3, 0xff] {
                let mut bytes = text.as_bytes().to_vec();
                if cut < bytes.len() {
                    bytes[cut] = bad;
                    cases.push(bytes);
                }
            }
        }
        for bytes in cases {
            let expected = String::from_utf8(bytes.clone()).map_err(|e| e.into_bytes());
            assert_eq!(utf8_string(bytes.clone()), expected, "{bytes:?}");
        }
    }

    #[test]
    fn stray_bytes_keep_a_short_chinese_post_utf8() {
        let post = "---\ntitle: 北京新闻\n---\n中国国家主席。\n".as_bytes();
        for at in [0, post.len() - 22] {
            let mut bytes = post.to_vec();
            bytes.splice(at..at, *b"\xff\xfe\xc3\x28");
            let mut warnings = Vec::new();
            let text = decode(&bytes, &mut warnings).unwrap();
            assert!(
                text.contains("title: 北京新闻") && text.contains("中国国家主席。"),
                "{text}"
            );
            assert_eq!(warnings.len(), 1, "{warnings:?}");
            assert!(
                warnings[0].message.starts_with("invalid UTF-8 at byte"),
                "{warnings:?}"
            );
        }
        // Real UTF-16 with its BOM is still UTF-16.
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                "---\ntitle: 北京\n---\n中文\n"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        assert!(decode(&utf16, &mut Vec::new())
            .unwrap()
            .contains("title: 北京"));
    }

    #[test]
    fn boms_and_utf8() {
        assert_eq!(read(b"\xEF\xBB\xBFhi").0, "hi");
        assert_eq!(read(b"\xFF\xFEh\0i\0").0, "hi");
        assert_eq!(read(b"\xFE\xFF\0h\0i").0, "hi");
        assert_eq!(read("中文".as_bytes()), ("中文".into(), vec![]));
    }

    #[test]
    fn legacy_cjk_encodings() {
        // "新闻标题：中国经济" in GBK, long enough for the detector.
        let (gbk, _, _) = encoding_rs::GBK.encode("新闻标题：中国经济继续增长，专家表示前景乐观。");
        let (text, w) = read(&gbk);
        assert_eq!(text, "新闻标题：中国经济继续增长，专家表示前景乐观。");
        assert!(w[0].contains("GBK"), "{w:?}");
        let (big5, _, _) = encoding_rs::BIG5.encode("<meta charset=big5>臺灣新聞");
        assert_eq!(read(&big5).0, "<meta charset=big5>臺灣新聞");
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">日本語",
        );
        assert!(read(&sjis).0.ends_with("日本語"));
    }

    #[test]
    fn refusals_and_replacements() {
        let mut w = Vec::new();
        assert!(decode(b"  \n", &mut w).is_err());
        assert!(decode(b"\xEF\xBB\xBF", &mut w).is_err());
        assert!(decode(b"a\0b", &mut w)
            .unwrap_err()
            .message
            .contains("binary"));
        // Detected as some encoding or replaced: never a failure.
        assert!(decode(b"ok \xFF\xFE\xFD end", &mut w).is_ok());
        // A few broken bytes in UTF-8 text do not turn it into windows-1252.
        let mut broken = "前半段正常，后半段也正常。".as_bytes().to_vec();
        broken.insert(9, 0xFF);
        let (text, w) = read(&broken);
        assert_eq!(text, "前半段\u{FFFD}正常，后半段也正常。");
        assert!(w[0].contains("U+FFFD"), "{w:?}");
    }
}
