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
    let has = |word: &[u8]| {
        style
            .as_bytes()
            .windows(word.len())
            .any(|w| w.eq_ignore_ascii_case(word))
    };
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
