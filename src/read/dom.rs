//! Reading scraper's DOM: attributes and hidden elements, shared by the HTML reader, the chrome
//! finder and the embed links (each needs them; none of them should need the others for it).

/// An element's attributes in no namespace (the HTML ones, which `Element::attr` looks up), as
/// name and value. scraper's `attr` interns the name on every call, a hash into html5ever's atom
/// table; comparing the few attributes an element has is several times cheaper, and the reader
/// and the chrome finder ask for attributes of every element of every post. Where several are
/// wanted, one pass over these finds them all.
pub fn attrs(el: &scraper::node::Element) -> impl Iterator<Item = (&str, &str)> {
    el.attrs
        .iter()
        .filter(|(q, _)| q.ns.is_empty())
        .map(|(q, v)| (&*q.local, &**v))
}

/// The value of one attribute (see [`attrs`]).
pub fn attr<'a>(el: &'a scraper::node::Element, name: &str) -> Option<&'a str> {
    attrs(el).find(|&(n, _)| n == name).map(|(_, v)| v)
}

/// Whether `hay` contains `word` (lowercase ASCII) in any case: candidates are found by their
/// first byte with `memchr2`, which skips most of a long `style` between them.
fn contains_ignore_ascii_case(hay: &[u8], word: &[u8]) -> bool {
    let Some((&first, rest)) = word.split_first() else {
        return true;
    };
    memchr::memchr2_iter(first, first.to_ascii_uppercase(), hay).any(|at| {
        hay[at + 1..]
            .get(..rest.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(rest))
    })
}

pub fn is_hidden(el: &scraper::node::Element) -> bool {
    attrs(el).any(|(name, value)| match name {
        "hidden" => true,
        "aria-hidden" => value == "true" && el.name() != "span",
        "style" => hides(value),
        _ => false,
    })
}

/// Whether a `style` attribute hides its element (`display:none`, `visibility: hidden`, in any
/// case and spacing). Every element with a style passes here, and few hide: the words alone
/// are looked for first, without copying.
fn hides(style: &str) -> bool {
    let has = |word: &[u8]| contains_ignore_ascii_case(style.as_bytes(), word);
    if !has(b"none") && !has(b"hidden") {
        return false;
    }
    let squeezed: String = style
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    squeezed.contains("display:none") || squeezed.contains("visibility:hidden")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_that_hide_are_found_in_any_case_and_spacing() {
        for style in [
            "display:none",
            "DISPLAY : NONE",
            "font-size: 12pt; Visibility: Hidden",
            "color: red;display:\tnone !important",
        ] {
            assert!(hides(style), "{style}");
        }
        for style in [
            "",
            "font-family: 宋体; font-size: 12.0pt; mso-ascii-theme-font: minor-fareast",
            "display: block; overflow: hidden",
            "content: 'none'; visibility: visible",
        ] {
            assert!(!hides(style), "{style}");
        }
    }

    #[test]
    fn the_case_blind_search_agrees_with_a_window_by_window_one() {
        let reference = |hay: &[u8], word: &[u8]| {
            hay.windows(word.len())
                .any(|w| w.eq_ignore_ascii_case(word))
        };
        let hays = [
            "",
            "n",
            "no",
            "non",
            "none",
            "NONE",
            "xNoNe",
            "nonnone",
            "hidde",
            "hidden",
            "HiDdEn;",
            "font: 宋体 none",
            "nnnnnnone",
            "hhidden",
            "h",
            "宋体n",
        ];
        for hay in hays {
            for word in [&b"none"[..], b"hidden", b"n"] {
                assert_eq!(
                    contains_ignore_ascii_case(hay.as_bytes(), word),
                    reference(hay.as_bytes(), word),
                    "{hay:?} {word:?}"
                );
            }
        }
    }
}
