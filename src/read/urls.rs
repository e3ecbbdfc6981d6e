//! Link and picture URLs checked as browsers and EPUBCheck read them.
//!
//! Posts carry URLs no browser can follow: comment spam's `http://shop.com>buy`, a host with
//! a full-width colon, `http://` with nothing after it. Written into a book as they are, they
//! make EPUBCheck complain (RSC-020, RSC-023) and lead nowhere. So every link and picture of
//! the model is parsed once here, by the WHATWG URL rules browsers use (the `url` crate), and
//! its host is checked to be a real domain name (letters, digits, hyphens). A URL that passes
//! is kept as the author wrote it, or written as the browser would send it when it holds
//! characters a URL cannot carry (spaces, non-ASCII, a Unicode host, a stray `%`). One that
//! fails keeps its text (a link) or caption (a picture) and loses its target, with a
//! [`WarningKind::BadLink`] warning naming the URL.

use crate::model::{walk_mut, Block, Inline, VisitMut};
use crate::warning::{Warning, WarningKind};
use std::borrow::Cow;
use url::{Position, Url};

/// Checks every link and picture of `blocks`: repairs what a browser would, removes the
/// targets of URLs that cannot work, and warns about each of those.
pub fn check_links(blocks: &mut Vec<Block>, warnings: &mut Vec<Warning>) {
    struct Check<'w>(&'w mut Vec<Warning>);
    impl Check<'_> {
        /// Repairs `url` in place; `false` (and a warning) when it has no usable target.
        fn url(&mut self, url: &mut String, what: &str, fate: &str) -> bool {
            // Owned, so the borrow of `url` ends here.
            let repaired = checked(url).map(|c| match c {
                Cow::Borrowed(_) => None,
                Cow::Owned(repaired) => Some(repaired),
            });
            match repaired {
                Ok(None) => true,
                Ok(Some(repaired)) => {
                    *url = repaired;
                    true
                }
                Err(why) => {
                    // The source's text, not the percent-encoding the reader gave it.
                    let shown = percent_encoding::percent_decode_str(url).decode_utf8_lossy();
                    self.0.push(Warning::new(
                        WarningKind::BadLink,
                        format!("{what} URL {shown} is not valid ({why}); {fate}"),
                    ));
                    false
                }
            }
        }
    }
    impl VisitMut for Check<'_> {
        fn blocks(&mut self, blocks: &mut Vec<Block>) {
            blocks.retain_mut(|b| {
                let Block::Figure(img) = b else { return true };
                if self.url(&mut img.src, "picture", "its caption is kept") {
                    return true;
                }
                let alt = std::mem::take(&mut img.alt);
                *b = Block::Paragraph(vec![Inline::Text(alt)]);
                !matches!(b, Block::Paragraph(c) if matches!(&c[..], [Inline::Text(t)] if t.is_empty()))
            })
        }
        fn inlines(&mut self, inlines: &mut Vec<Inline>) {
            let mut unwrapped = false;
            let mut i = 0;
            while i < inlines.len() {
                let usable = match &mut inlines[i] {
                    Inline::Link(link) => {
                        // The post's web page is built from the site's config: repaired as a
                        // browser would (a permalink in Chinese), never warned about.
                        if let Some(web) = &link.web {
                            link.web = match checked(web) {
                                Ok(Cow::Owned(repaired)) => Some(repaired),
                                Ok(Cow::Borrowed(_)) => link.web.take(),
                                Err(_) => None,
                            };
                        }
                        self.url(&mut link.url, "link", "its text is kept without the link")
                    }
                    Inline::Image(img) => self.url(&mut img.src, "picture", "its alt text is kept"),
                    _ => true,
                };
                if !usable {
                    unwrapped = true;
                    match std::mem::replace(&mut inlines[i], Inline::LineBreak) {
                        Inline::Link(link) => {
                            let n = link.content.len();
                            inlines.splice(i..=i, link.content);
                            i += n;
                            continue;
                        }
                        Inline::Image(img) if img.alt.is_empty() => {
                            inlines.remove(i);
                            continue;
                        }
                        Inline::Image(img) => inlines[i] = Inline::Text(img.alt),
                        other => inlines[i] = other,
                    }
                }
                i += 1;
            }
            if unwrapped {
                // The text that was a link now runs into its neighbours: merged, as the
                // reader would have made it (and as the Markdown round trip reads it back).
                *inlines = crate::inline::normalize(std::mem::take(inlines));
            }
        }
    }
    walk_mut(blocks, &mut Check(warnings));
}

/// Where relative references are resolved to check them: any base with a path will do.
static BASE: std::sync::LazyLock<Url> = std::sync::LazyLock::new(|| {
    Url::parse("https://postbook.invalid/posts/post.html").expect("a valid URL")
});

/// `url` as a valid URL: itself when it already is one, the form a browser would send when it
/// only needs characters encoded, or why it cannot be followed at all. Fragments (`#part`)
/// and `data:` URIs are left alone: they are matched to headings and decoded elsewhere.
pub fn checked(url: &str) -> Result<Cow<'_, str>, String> {
    // What the URL parser ignores: surrounding spaces and controls, tabs and newlines inside.
    let trimmed = url.trim_matches(|c: char| c <= ' ');
    let text: Cow<str> = match trimmed.contains(['\t', '\n', '\r']) {
        true => Cow::Owned(trimmed.replace(['\t', '\n', '\r'], "")),
        false if trimmed.len() == url.len() => Cow::Borrowed(url),
        false => Cow::Owned(trimmed.to_string()),
    };
    if text.is_empty()
        || text.starts_with('#')
        || text
            .get(..5)
            .is_some_and(|s| s.eq_ignore_ascii_case("data:"))
    {
        return Ok(text);
    }
    // Nearly every link of a post: no need to parse it (see `web_url`).
    if crate::web_url::is_plain(&text) {
        return Ok(text);
    }
    checked_by_parser(text)
}

/// [`checked`] by the WHATWG parser, for what `web_url::is_plain` cannot tell by itself.
fn checked_by_parser(text: Cow<'_, str>) -> Result<Cow<'_, str>, String> {
    let parsed = match Url::parse(&text) {
        Ok(u) => Some(u),
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            BASE.join(&text).map_err(|e| e.to_string())?;
            None
        }
        Err(e @ (url::ParseError::IdnaError | url::ParseError::InvalidDomainCharacter)) => {
            // "invalid international domain name" would puzzle the author of `shop.com>buy`.
            return Err(match authority(&text) {
                Some(a) => format!(
                    "{} is not a valid host name",
                    percent_encoding::percent_decode_str(a.host).decode_utf8_lossy()
                ),
                None => e.to_string(),
            });
        }
        Err(e) => return Err(e.to_string()),
    };
    if let Some(u) = &parsed {
        check_host(u)?;
    }
    if is_clean(&text, parsed.as_ref()) {
        return Ok(text);
    }
    Ok(Cow::Owned(match &parsed {
        // The parser's form: the host in ASCII (punycode), the rest percent-encoded as it
        // sends it; then what it leaves that other URL readers refuse.
        Some(u) => format!(
            "{}{}",
            &u[..Position::BeforePath],
            encode_unsafe(&u[Position::BeforePath..])
        ),
        None => encode_unsafe(&text).into_owned(),
    }))
}

/// Whether a URL with a host is one DNS, EPUBCheck (`java.net.URI`) and the WHATWG "valid
/// domain" rules accept: labels of ASCII letters, digits and hyphens, not starting or ending
/// with a hyphen, the last starting with a letter. Browsers accept more (`a&b.com`), but no
/// such host exists. Underscores, common in real subdomains, are let through as EPUBCheck
/// does.
fn check_host(u: &Url) -> Result<(), String> {
    if !matches!(u.scheme(), "http" | "https" | "ftp" | "ws" | "wss") {
        return Ok(());
    }
    let Some(url::Host::Domain(host)) = u.host() else {
        return Ok(());
    };
    let name = host.strip_suffix('.').unwrap_or(host);
    let labels: Vec<&str> = name.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let ok = name.len() <= 253
        && labels.iter().all(label_ok)
        && (labels.len() == 1
            || labels
                .last()
                .is_some_and(|l| l.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')));
    match ok {
        true => Ok(()),
        false => Err(format!("{host} is not a valid host name")),
    }
}

/// Whether `text` can be written as it is: only characters a URL may hold, well-formed `%`
/// escapes, one `#`, and (with a host) `scheme://` and the host in ASCII as the parser reads it.
fn is_clean(text: &str, parsed: Option<&Url>) -> bool {
    let Some(u) = parsed.filter(|u| u.host().is_some()) else {
        return encode_unsafe(text) == text;
    };
    if !text
        .get(u.scheme().len()..)
        .is_some_and(|r| r.starts_with("://"))
    {
        return false;
    }
    let Some(Authority { host, at }) = authority(text) else {
        return false;
    };
    let (before, after) = (&text[..at], &text[at + host.len()..]);
    u.host_str().is_some_and(|h| h.eq_ignore_ascii_case(host))
        && [before, after]
            .iter()
            .all(|part| encode_unsafe(part) == *part)
}

/// Where the host of a URL with an authority (`scheme://` or `//`) is written.
struct Authority<'a> {
    host: &'a str,
    /// The host's byte offset in the URL.
    at: usize,
}

/// The host of `text` as written, when it has an authority: after `//` and any `user@`, up to
/// the port, path, query or fragment.
fn authority(text: &str) -> Option<Authority<'_>> {
    let start = text.find("//")? + 2;
    if text[..start - 2].contains(['/', '?', '#']) {
        return None;
    }
    let rest = &text[start..];
    let authority = &rest[..rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len())];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.starts_with('[') {
        true => host_port.find(']').map_or(host_port, |e| &host_port[..=e]),
        false => host_port.split(':').next().unwrap_or(host_port),
    };
    Some(Authority {
        host,
        at: start + (authority.len() - host_port.len()),
    })
}

/// `s` with what RFC 3986 does not allow in a URL percent-encoded: spaces, non-ASCII, `"<>`,
/// `` ` ``, `{|}`, `^`, `[\]`, a `%` that starts no escape, and every `#` after the first. All
/// mean the same encoded to the servers and readers that accept them raw.
fn encode_unsafe(s: &str) -> Cow<'_, str> {
    if crate::web_url::is_encoded(s) {
        return Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len() + 16);
    let mut seen_hash = false;
    for (i, &b) in bytes.iter().enumerate() {
        let keep = match b {
            b'%' => crate::web_url::escape_at(bytes, i),
            b'#' => !std::mem::replace(&mut seen_hash, true),
            _ => crate::web_url::URL_BYTES[usize::from(b)],
        };
        if keep {
            out.push(b as char);
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.extend([
                '%',
                HEX[usize::from(b >> 4)].into(),
                HEX[usize::from(b & 15)].into(),
            ]);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_urls_are_kept_as_written() {
        for url in [
            "https://example.com",
            "HTTP://Example.COM:8080/a/b?x=1&y=2#top",
            "https://a_b.blogspot.com/2014/01/post.html",
            "https://[::1]/x",
            "http://127.0.0.1/",
            "mailto:someone@example.com",
            "../other/index.md#part",
            "images/a%20b.png",
            "#中文-标题",
            "data:image/png;base64,aGk=",
            "https://xn--fsqu00a.xn--0zwm56d/",
            "http://localhost/",
        ] {
            assert!(
                matches!(checked(url), Ok(Cow::Borrowed(u)) if u == url),
                "{url}: {:?}",
                checked(url)
            );
        }
    }

    #[test]
    fn plain_urls_are_what_the_parser_keeps_as_written() {
        let mut taken = 0;
        for url in crate::web_url::tests::sample_urls() {
            if !crate::web_url::is_plain(&url) {
                continue;
            }
            taken += 1;
            assert_eq!(
                checked_by_parser(Cow::Borrowed(&url)),
                Ok(Cow::Borrowed(url.as_str())),
                "{url}"
            );
        }
        assert!(taken >= 2 * 6 * 8, "only {taken} URLs were taken as plain");
    }

    #[test]
    fn what_a_url_cannot_hold_is_encoded_byte_by_byte() {
        // Escapes are upper-case hex, byte by byte; `%` stays only before two hex digits, `#`
        // only the first time.
        assert_eq!(
            encode_unsafe("a b\u{7f}é#x#y%zz%41"),
            "a%20b%7F%C3%A9#x%23y%25zz%41"
        );
    }

    #[test]
    fn what_a_browser_encodes_is_encoded() {
        let cases = [
            ("  https://a.test/x y\n", "https://a.test/x%20y"),
            (
                "http://例子.测试/路径",
                "http://xn--fsqu00a.xn--0zwm56d/%E8%B7%AF%E5%BE%84",
            ),
            ("https://a.test/q?a|b^c", "https://a.test/q?a%7Cb%5Ec"),
            ("https://a.test/212%%E5", "https://a.test/212%25%E5"),
            ("https://a.test/x#y#z", "https://a.test/x#y%23z"),
            ("http:/a.test/p", "http://a.test/p"),
            ("http://%61.test/", "http://a.test/"),
            ("文件/图 1.png", "%E6%96%87%E4%BB%B6/%E5%9B%BE%201.png"),
            ("mailto:张@example.com", "mailto:%E5%BC%A0@example.com"),
        ];
        for (url, want) in cases {
            assert_eq!(checked(url).as_deref(), Ok(want), "{url}");
            assert!(matches!(checked(want), Ok(Cow::Borrowed(_))), "{want}");
        }
    }

    #[test]
    fn urls_that_lead_nowhere_are_refused() {
        for url in [
            "https://urlofchoice.com&/#8221",
            "http://cialtadalaff.com>",
            "http://erxbid.com]cialis",
            "http://https：//www.youtube.com/playlist",
            "http://为什么隐私保护法规并没能起到作用？",
            "http://",
            "http://a.test:99999/",
            "http://xn--a.com/",
            "http://foo-.bar.com/",
            "http://a..b.com/",
            "http://foo.1abc/",
            "//exa mple.com/x",
        ] {
            assert!(checked(url).is_err(), "{url}: {:?}", checked(url));
        }
    }

    #[test]
    fn bad_links_keep_their_text_and_bad_pictures_their_caption() {
        let link = |url: &str| {
            Inline::Link(Box::new(crate::model::Link {
                url: url.into(),
                title: None,
                content: vec![Inline::Text("shop".into())],
                web: None,
            }))
        };
        let img = |src: &str, alt: &str| crate::model::Image {
            src: src.into(),
            alt: alt.into(),
            title: None,
        };
        let mut blocks = vec![
            Block::Paragraph(vec![
                Inline::Text("a ".into()),
                link("http://shop.test&gt/"),
                Inline::Text(" b ".into()),
                link("https://ok.test/x y"),
                Inline::Image(Box::new(img("http://bad..test/a.png", ""))),
            ]),
            Block::Figure(Box::new(img("http://bad-.test/b.png", "caption"))),
            Block::Figure(Box::new(img("http://bad-.test/c.png", ""))),
        ];
        let mut warnings = Vec::new();
        check_links(&mut blocks, &mut warnings);
        assert_eq!(
            blocks,
            [
                Block::Paragraph(vec![
                    Inline::Text("a shop b ".into()),
                    link("https://ok.test/x%20y"),
                ]),
                Block::Paragraph(vec![Inline::Text("caption".into())]),
            ]
        );
        let messages: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(warnings.len(), 4, "{messages:?}");
        assert!(warnings.iter().all(|w| w.kind == WarningKind::BadLink));
        assert_eq!(
            messages[0],
            "link URL http://shop.test&gt/ is not valid (shop.test&gt is not a valid host name); \
             its text is kept without the link"
        );
        let why = |url| checked(url).unwrap_err();
        assert_eq!(
            why("http://a.test>buy"),
            "a.test>buy is not a valid host name"
        );
        assert_eq!(
            why("http://u@a%20b.test:80/x"),
            "a b.test is not a valid host name"
        );
        assert_eq!(why("http://"), "empty host");
    }
}
