//! Plain web URLs: the `http(s)` links that make up nearly every link of a post, told apart
//! without parsing them.
//!
//! Every link and picture of every post is checked when read (`read::urls`) and normalized
//! when written into a chapter (`write::xhtml::safe_href`), both by the WHATWG URL parser (the
//! `url` crate). For a scraped news post that is dozens of parses, each of them building a URL
//! that comes out exactly as it went in: parsing was 2.5% of the instructions of converting
//! 10,000 synthetic posts to EPUB (`docs/performance.md`). The boilerplate check likewise
//! asks each post's source for its host (`read::chrome`). What is decided here is only
//! "nothing to do" (or "this is the host"); anything else still goes to the parser.

/// Whether `text` needs no encoding: only bytes RFC 3986 allows, `%` only where it starts an
/// escape (two hex digits), and at most one `#`.
pub fn is_encoded(text: &str) -> bool {
    scan(text.as_bytes()).is_some()
}

/// Whether the `%` at `i` starts an escape.
pub(crate) fn escape_at(bytes: &[u8], i: usize) -> bool {
    bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
        && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
}

/// The bytes [`is_encoded`] lets through (`%` when it starts an escape, `#` the first time): a
/// table, as every byte of every link and picture address is looked up.
pub(crate) const URL_BYTES: [bool; 256] = crate::byte_set::of(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#@!$&'()*+,;=%",
);

/// The bytes of [`URL_BYTES`] that [`scan`] looks at more closely.
const SPECIAL: [bool; 256] = crate::byte_set::of(b"%#?/.'");

/// What the WHATWG serializer would change in an encoded URL (or the part after its host).
struct Shape {
    /// A path segment that is or may be a dot segment: `/.` or `%2e` in the path.
    dot_in_path: bool,
    /// A `'` in the query, which the parser encodes there.
    quote_in_query: bool,
}

/// One pass over `bytes`: `None` unless [`is_encoded`], else its [`Shape`].
fn scan(bytes: &[u8]) -> Option<Shape> {
    let mut shape = Shape {
        dot_in_path: false,
        quote_in_query: false,
    };
    // Where the scan is: the path, the query (after `?`), the fragment (after `#`).
    let (mut query, mut fragment) = (false, false);
    for (i, &b) in bytes.iter().enumerate() {
        if !URL_BYTES[usize::from(b)] {
            return None;
        }
        if !SPECIAL[usize::from(b)] {
            continue;
        }
        let in_path = !query && !fragment;
        match b {
            b'%' if !escape_at(bytes, i) => return None,
            b'%' => {
                shape.dot_in_path |=
                    in_path && bytes[i + 1] == b'2' && bytes[i + 2].eq_ignore_ascii_case(&b'e')
            }
            b'#' if fragment => return None,
            b'#' => fragment = true,
            b'?' => query |= !fragment,
            b'.' => shape.dot_in_path |= in_path && i > 0 && bytes[i - 1] == b'/',
            b'\'' => shape.quote_in_query |= query && !fragment,
            _ => {}
        }
    }
    Some(shape)
}

/// `text` as `http://` or `https://` (lowercase), a host, and the rest (path, query and
/// fragment).
fn parts(text: &str) -> Option<(&str, &str)> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))?;
    Some(rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len())))
}

/// The host of an `http(s)` URL whose host is already in the form URL parsing gives it:
/// lowercase letters, digits, dots and hyphens, not an IPv4 address (its last label starts
/// with a letter) and not punycode (no `xn--`, which the parser decodes and may refuse).
/// `None` leaves the URL to the parser.
pub fn plain_host(url: &str) -> Option<&str> {
    let (host, _) = parts(url)?;
    let plain = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && !host.contains("xn--")
        && host
            .trim_end_matches('.')
            .rsplit('.')
            .next()
            .is_some_and(|last| last.starts_with(|c: char| c.is_ascii_lowercase()));
    plain.then_some(host)
}

/// Whether `host` is a domain name as [`is_plain`] asks: ASCII letters, digits and hyphens
/// in dot-separated labels of 1–63 characters that neither start nor end with a hyphen, none
/// starting `xn--`, the last starting with a letter; at most 253 characters.
fn is_plain_host(host: &str) -> bool {
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
            && !l.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--"))
    };
    host.len() <= 253
        && host.split('.').all(label_ok)
        && host
            .rsplit('.')
            .next()
            .is_some_and(|last| last.starts_with(|c: char| c.is_ascii_alphabetic()))
}

/// Whether `text` is an `http(s)` URL that the WHATWG parser accepts and that postbook's
/// checks keep as written: a lowercase scheme; a host of ASCII letters (of either case),
/// digits, hyphens and dots, in labels of 1–63 characters that neither start nor end with a
/// hyphen, the last starting with a letter (so never an IPv4 address), none starting `xn--`;
/// no user or port; and [`is_encoded`] after the host. Such a URL always parses: nothing in
/// it can fail.
pub fn is_plain(text: &str) -> bool {
    parts(text).is_some_and(|(host, tail)| is_plain_host(host) && is_encoded(tail))
}

/// Whether `text` is [`is_plain`] and already in the form the WHATWG parser serializes it to,
/// so that parsing and writing it back gives `text` again: a lowercase host, a path (at least
/// `/`) without dot segments (nothing like `/.` or `%2e` at all, to keep the rule simple), and
/// no `'` in the query (the parser encodes it there).
pub fn is_serialized(text: &str) -> bool {
    let Some((host, tail)) = parts(text) else {
        return false;
    };
    is_plain_host(host)
        && !host.bytes().any(|b| b.is_ascii_uppercase())
        && tail.starts_with('/')
        && scan(tail.as_bytes()).is_some_and(|shape| !shape.dot_in_path && !shape.quote_in_query)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// URLs of every shape the two rules must tell apart: schemes × hosts × what follows.
    pub(crate) fn sample_urls() -> Vec<String> {
        let schemes = [
            "http://", "https://", "HTTP://", "Https://", "ftp://", "http:/", "",
        ];
        let long_label = "a".repeat(64);
        let longest_host = ["a"; 127].join(".");
        let too_long_host = ["b"; 128].join(".");
        let hosts = [
            "example.com",
            "www.zaobao.com.sg",
            "Example.COM",
            "a-b.c-d.org",
            "localhost",
            "a",
            "a_b.blogspot.com",
            "xn--fsqu00a.xn--0zwm56d",
            "XN--a.com",
            "xn--a.com",
            "foo-.bar.com",
            "-foo.com",
            "a..b.com",
            "example.com.",
            ".example.com",
            "foo.1abc",
            "foo.0x1f",
            "127.0.0.1",
            "999.1.1.1",
            "1.2.3",
            "123",
            "0x7f",
            "a.test:8080",
            "a.test:99999",
            "u@a.test",
            "u:p@a.test",
            "[::1]",
            "例子.测试",
            "a%20b.test",
            "a.test>buy",
            "",
            &long_label,
            &longest_host,
            &too_long_host,
        ];
        let tails = [
            "",
            "/",
            "/gb/20/12/17/n12628197.htm",
            "/gb/tag/%E5%A4%A7%E8%BF%9E.html",
            "/a/%2e%2E/b",
            "/.well-known/x",
            "/a/./b",
            "/a/../b",
            "/a/..",
            "/a.b/c.html",
            "/x?q=/./%2e&r='",
            "/x#/../%2E'",
            "?q=1&r=2",
            "/p?q='x'#'y'",
            "/p#frag?x=1'",
            "#top",
            "/a#b#c",
            "/a b",
            "/%zz",
            "/%4",
            "/%aa",
            "/路径",
            "/a\\b",
            "\\b",
            "/a|b^c{d}",
            "/~u/(x)!$&*+,;=:@",
        ];
        let mut urls = Vec::new();
        for scheme in schemes {
            for host in hosts {
                for tail in tails {
                    urls.push(format!("{scheme}{host}{tail}"));
                }
            }
        }
        urls
    }

    #[test]
    fn serialized_urls_come_out_of_the_parser_unchanged() {
        let mut taken = 0;
        for url in sample_urls() {
            if !is_serialized(&url) {
                continue;
            }
            taken += 1;
            let parsed = url::Url::parse(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(parsed.as_str(), url);
        }
        assert!(
            taken >= 2 * 4 * 8,
            "only {taken} URLs were taken as serialized"
        );
        for (url, serialized) in [
            (
                "https://www.epochtimes.com/gb/tag/%E5%A4%A7%E8%BF%9E.html",
                true,
            ),
            ("https://a-b.c-d.org/x?y=1#z'", true),
            ("http://example.com", false),
            ("http://Example.com/", false),
            ("http://example.com/a/../b", false),
            ("http://example.com/?q='", false),
        ] {
            assert_eq!(is_serialized(url), serialized, "{url}");
        }
    }

    #[test]
    fn plain_hosts_are_the_hosts_url_parsing_gives() {
        let parsed = |u: &str| {
            url::Url::parse(u)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
        };
        let mut taken = 0;
        for url in sample_urls() {
            if let Some(host) = plain_host(&url) {
                taken += 1;
                assert_eq!(Some(host.to_owned()), parsed(&url), "{url}");
            }
        }
        assert!(taken >= 2 * 4 * 8, "only {taken} URLs had a plain host");
        for u in [
            "https://www.iyouport.org/%e8%a2%ab/?share=twitter",
            "http://example.com",
            "https://a-b.c-d.example.co.uk?x=1#y",
            "https://news.example.",
        ] {
            assert_eq!(plain_host(u).map(str::to_owned), parsed(u), "{u}");
        }
        // Left to the URL parser: case, ports, user info, IPv4, punycode, other schemes.
        for u in [
            "https://Example.com/",
            "https://example.com:8080/",
            "https://user@example.com/",
            "http://127.1/",
            "http://1.2.3.4/",
            "https://xn--fsqu00a.xn--3lr804guic/",
            "ftp://example.com/",
            "http://www.curry-5.com>curry",
        ] {
            assert_eq!(plain_host(u), None, "{u}");
        }
    }

    #[test]
    fn the_byte_table_agrees_with_the_rule_it_encodes() {
        for b in 0..=255u8 {
            let rule = b.is_ascii_alphanumeric() || b"-._~:/?#@!$&'()*+,;=%".contains(&b);
            assert_eq!(URL_BYTES[usize::from(b)], rule, "{b:#04x}");
        }
        assert!(is_encoded("/a%20b?c=d#e"));
        for text in ["a b", "é", "%zz", "%4", "#a#b", "a\\b", "{x}"] {
            assert!(!is_encoded(text), "{text}");
        }
    }
}
