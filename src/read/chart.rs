//! Charts made with ai2html: a picture with its text laid over it in absolutely positioned
//! labels (`<div class="g-artboard">` holding `<img class="g-aiImg">` and `<div class="g-aiAbs"
//! style="top:…%;left:…%">` labels: headline, axis labels, values, notes). Outside a browser
//! the labels are a pile of words, but they are the chart's text, written by its author: the
//! HTML reader keeps the picture and, under it, the labels as a list in reading order (top to
//! bottom, then left to right, from their `top`/`left` styles). The chrome finder leaves
//! artboards alone (their positioned labels are not a widget).
//!
//! ai2html writes one artboard per screen width (a 300 px and a 1,020 px version of the same
//! chart) inside the graphic's box (`<div id="g-NAME-box">`), showing one at a time by CSS.
//! One of a box's artboards is read: the widest one not hidden in the page, so its picture and
//! labels are not repeated. The labels of the others follow only where their text is not
//! already there: versions for other widths sometimes say more (a credit line, a label the wide
//! layout leaves out), and the author's words are not dropped.

use super::dom::{attr, is_hidden};
use ego_tree::NodeRef;
use scraper::{CaseSensitivity, Node};

/// Whether an element is an ai2html artboard.
pub fn is_artboard(el: &scraper::node::Element) -> bool {
    el.name() == "div" && el.has_class("g-artboard", CaseSensitivity::AsciiCaseInsensitive)
}

/// Whether `artboard` is the one of its box that is read: the widest shown in the page (by its
/// `data-min-width`, then its width in pixels), the first of equals.
pub fn is_chosen(artboard: NodeRef<'_, Node>) -> bool {
    let mut best: Option<(NodeRef<'_, Node>, (f64, f64))> = None;
    for (n, width) in shown(artboard) {
        if best.is_none_or(|(_, w)| width > w) {
            best = Some((n, width));
        }
    }
    best.is_some_and(|(n, _)| n.id() == artboard.id())
}

/// The artboards of `artboard`'s box not hidden in the page, itself included, in page order.
pub fn artboards(artboard: NodeRef<'_, Node>) -> impl Iterator<Item = NodeRef<'_, Node>> {
    shown(artboard).into_iter().map(|(n, _)| n)
}

/// The shown artboards of `artboard`'s box, with their widths (`data-min-width`, pixels).
fn shown(artboard: NodeRef<'_, Node>) -> Vec<(NodeRef<'_, Node>, (f64, f64))> {
    let set = box_of(artboard);
    let mut out = Vec::new();
    for n in set.descendants() {
        let Some(el) = n.value().as_element() else {
            continue;
        };
        // Hidden itself, or by a wrapper inside the box (WSJ wraps each artboard).
        let hidden = is_hidden(el)
            || n.ancestors()
                .take_while(|a| a.id() != set.id())
                .any(|a| a.value().as_element().is_some_and(is_hidden));
        if !is_artboard(el) || hidden {
            continue;
        }
        let width = (
            attr(el, "data-min-width").and_then(number).unwrap_or(0.0),
            attr(el, "style")
                .and_then(|s| style_value(s, "width"))
                .unwrap_or(0.0),
        );
        out.push((n, width));
    }
    out
}

/// The box holding an artboard and its siblings for other screen widths: the nearest
/// ancestor named `g-…-box` (ai2html's own name), else one whose class is `ai2html` or
/// `ai2html_export`, else the artboard's parent.
fn box_of(artboard: NodeRef<'_, Node>) -> NodeRef<'_, Node> {
    let named = |n: &NodeRef<'_, Node>| {
        n.value()
            .as_element()
            .and_then(|e| attr(e, "id"))
            .is_some_and(|id| id.ends_with("-box"))
    };
    let classed = |n: &NodeRef<'_, Node>| {
        n.value().as_element().is_some_and(|e| {
            e.classes().any(|c| {
                c.eq_ignore_ascii_case("ai2html") || c.eq_ignore_ascii_case("ai2html_export")
            })
        })
    };
    artboard
        .ancestors()
        .find(named)
        .or_else(|| artboard.ancestors().find(classed))
        .or_else(|| artboard.parent())
        .unwrap_or(artboard)
}

/// The artboard's picture: its `g-aiImg`, else its first `<img>`.
pub fn picture(artboard: NodeRef<'_, Node>) -> Option<NodeRef<'_, Node>> {
    let img = |n: &NodeRef<'_, Node>, classed: bool| {
        n.value().as_element().is_some_and(|e| {
            e.name() == "img"
                && (!classed || e.has_class("g-aiImg", CaseSensitivity::AsciiCaseInsensitive))
        })
    };
    artboard
        .descendants()
        .find(|n| img(n, true))
        .or_else(|| artboard.descendants().find(|n| img(n, false)))
}

/// The artboard's labels (`g-aiAbs` elements other than pictures, outermost only), in reading
/// order: by their distance from the top, then from the left, as their styles place them
/// (`bottom`/`right` counted from the other side); labels without a position keep theirs in
/// the page, after the placed ones.
pub fn labels(artboard: NodeRef<'_, Node>) -> Vec<NodeRef<'_, Node>> {
    let is_label = |n: &NodeRef<'_, Node>| {
        n.value().as_element().is_some_and(|e| {
            e.name() != "img" && e.has_class("g-aiAbs", CaseSensitivity::AsciiCaseInsensitive)
        })
    };
    let mut found: Vec<(NodeRef<'_, Node>, (f64, f64))> = Vec::new();
    let mut stack: Vec<NodeRef<'_, Node>> = artboard.children().collect();
    stack.reverse();
    while let Some(n) = stack.pop() {
        if is_label(&n) {
            let style = n
                .value()
                .as_element()
                .and_then(|e| attr(e, "style"))
                .unwrap_or_default();
            found.push((n, position(style)));
            continue;
        }
        let mut children: Vec<_> = n.children().collect();
        children.reverse();
        stack.extend(children);
    }
    found.sort_by(|(_, a), (_, b)| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    found.into_iter().map(|(n, _)| n).collect()
}

/// Where a label sits, in percent of the artboard from its top and left (`f64::MAX` when the
/// style does not say).
fn position(style: &str) -> (f64, f64) {
    let from = |near: &str, far: &str| {
        style_value(style, near)
            .or_else(|| style_value(style, far).map(|v| 100.0 - v))
            .unwrap_or(f64::MAX)
    };
    (from("top", "bottom"), from("left", "right"))
}

/// The number a style gives `property` (`top:12.5%` → 12.5, `width: 300px` → 300).
fn style_value(style: &str, property: &str) -> Option<f64> {
    style.split(';').find_map(|decl| {
        let (name, value) = decl.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case(property)
            .then(|| number(value.trim().trim_end_matches('%').trim_end_matches("px")))
            .flatten()
    })
}

fn number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    #[test]
    fn positions_read_from_either_side() {
        assert_eq!(position("top:9.6%;left:0%;width:100%;"), (9.6, 0.0));
        assert_eq!(position("bottom: 10%; right: 25%"), (90.0, 75.0));
        assert_eq!(position("width:20px").0, f64::MAX);
    }

    #[test]
    fn the_widest_shown_artboard_of_a_box_is_chosen() {
        let html = Html::parse_fragment(
            r#"<div id="g-a-box">
            <div class="g-artboard" id="small" data-min-width="300"></div>
            <div class="g-artboard" id="large" data-min-width="1020"></div>
            <div class="g-artboard" id="hidden" data-min-width="2000" style="display:none"></div>
            </div>"#,
        );
        let chosen: Vec<&str> = html
            .tree
            .root()
            .descendants()
            .filter(|n| n.value().as_element().is_some_and(is_artboard) && is_chosen(*n))
            .filter_map(|n| attr(n.value().as_element().unwrap(), "id"))
            .collect();
        assert_eq!(chosen, ["large"]);
    }
}
