//! Chrome that only shows once the readers have built the blocks: related-reading labels
//! split off from their lists, runs of headline links, the mirror's footer after a rule, lists
//! of links back to the post's own site.

use super::cues::{cue_prefix, RELATED_CUES};
use super::mark::visible_chars;
use super::removal::{Cleaning, Kind};
use crate::model::{for_each_plain_text, plain_text, Block, Inline, Meta};

// ---------------------------------------------------------------------------------------------
// Signals on the model: position, same-site links, the mirror's footer.

/// Cleans the blocks of a post after the readers built them: signals that need the post's
/// metadata (its source's host) or the blocks' positions. With `--keep-chrome`, link lists are
/// still made lists, never removed.
pub fn clean_blocks(blocks: &mut Vec<Block>, meta: &Meta, cleaning: &mut Cleaning) {
    links_to_lists(blocks);
    if !cleaning.removing() {
        return;
    }
    if cleaning.removes(Kind::Related) {
        remove_labelled_links(blocks, cleaning);
    }
    let host = meta.source.as_deref().and_then(host_of);
    let footer = cleaning.removes(Kind::Footer);
    let related = cleaning.removes(Kind::Related);
    // The tail: a footer, same-site headline lists, and the rules that set them off.
    while let Some(i) = blocks.iter().rposition(|b| *b != Block::Rule) {
        let after_rule = i > 0 && blocks[i - 1] == Block::Rule;
        let kind = match &blocks[i] {
            b if footer && after_rule && is_footer(b, host.as_deref()) => Kind::Footer,
            b if related && is_same_site_list(b, host.as_deref()) => Kind::Related,
            _ => break,
        };
        cleaning.record(kind, block_text(&blocks[i]));
        blocks.truncate(i);
        while blocks.last() == Some(&Block::Rule) {
            blocks.pop();
        }
    }
}

/// A related-reading label as a block of its own ("相关阅读：" ending a paragraph, split off at
/// its `<br><br>`), followed by blocks that are nothing but links: all of it goes.
pub(super) fn remove_labelled_links(blocks: &mut Vec<Block>, cleaning: &mut Cleaning) {
    let mut i = 0;
    while i < blocks.len() {
        let label = match &blocks[i] {
            // Labels are short: no paragraph's text is built just to find that out.
            Block::Paragraph(c) | Block::Heading { content: c, .. } if inlines_fit(c, &mut 64) => {
                let text = plain_text(c);
                cue_prefix(text.trim(), &RELATED_CUES).is_some_and(|n| n == visible_chars(&text))
            }
            _ => false,
        };
        let links = match label {
            true => blocks[i + 1..]
                .iter()
                .take_while(|b| is_links_only(b))
                .count(),
            false => 0,
        };
        if links > 0 {
            for b in blocks.drain(i..=i + links) {
                cleaning.record(Kind::Related, block_text(&b));
            }
        } else {
            i += 1;
        }
    }
}

/// A block of nothing but links: a headline link as paragraph or heading, or a list of them.
pub(super) fn is_links_only(block: &Block) -> bool {
    let inlines_are_links = |c: &[Inline]| {
        c.iter().any(|i| matches!(i, Inline::Link(_)))
            && c.iter().all(|i| match i {
                Inline::Link(_) | Inline::LineBreak => true,
                Inline::Text(t) => t.trim().is_empty(),
                Inline::Strong(inner) | Inline::Emph(inner) => {
                    inner.iter().all(|x| matches!(x, Inline::Link(_)))
                }
                _ => false,
            })
    };
    match block {
        Block::Paragraph(c) | Block::Heading { content: c, .. } => inlines_are_links(c),
        Block::List { items, .. } => items.iter().all(|item| item.iter().all(is_links_only)),
        Block::Quote(inner) => !inner.is_empty() && inner.iter().all(is_links_only),
        _ => false,
    }
}

/// A paragraph that is nothing but links (and spaces or separators between them) runs the
/// headlines together in one line: it becomes a list, one link per item.
pub(super) fn links_to_lists(blocks: &mut [Block]) {
    for b in blocks.iter_mut() {
        match b {
            Block::Paragraph(inlines) => {
                // Links with words: a linked picture alone in an item would read back as a figure.
                let links = inlines
                    .iter()
                    .filter(|i| matches!(i, Inline::Link(l) if is_text_link(l)))
                    .count();
                let only_links = inlines.iter().all(|i| match i {
                    Inline::Link(l) => is_text_link(l),
                    Inline::LineBreak => true,
                    Inline::Text(t) => t.trim().is_empty(),
                    _ => false,
                });
                if links >= 2 && only_links {
                    let items = std::mem::take(inlines)
                        .into_iter()
                        .filter(|i| matches!(i, Inline::Link(_)))
                        .map(|l| vec![Block::Paragraph(vec![l])])
                        .collect();
                    *b = Block::List {
                        ordered: false,
                        start: 1,
                        items,
                        tight: true,
                    };
                }
            }
            Block::Quote(inner) => links_to_lists(inner),
            Block::List { items, .. } => items.iter_mut().for_each(|i| links_to_lists(i)),
            _ => {}
        }
    }
}

pub(super) fn is_text_link(link: &crate::model::Link) -> bool {
    !plain_text(&link.content).trim().is_empty()
        && !link.content.iter().any(|i| matches!(i, Inline::Image(_)))
}

/// A mirror's sign-off at the very end, set off by a rule: short, and linking to the bare home
/// pages of other sites (`获取更多RSS：https://feedx.net https://feedx.xyz`).
pub(super) fn is_footer(block: &Block, host: Option<&str>) -> bool {
    let Block::Paragraph(inlines) = block else {
        return false;
    };
    let text = plain_text(inlines);
    let chars = text.chars().filter(|c| !c.is_whitespace()).count();
    let mut links = 0;
    let mut home_pages = 0;
    for i in inlines {
        if let Inline::Link(l) = i {
            links += 1;
            let elsewhere = host.is_none_or(|h| host_of(&l.url).is_some_and(|x| !same_site(&x, h)));
            home_pages += usize::from(is_home_page(&l.url) && elsewhere);
        }
    }
    chars <= 120 && links > 0 && home_pages == links
}

pub(super) fn is_home_page(url: &str) -> bool {
    match url::Url::parse(url) {
        Ok(u) => {
            u.host_str().is_some()
                && matches!(u.path(), "" | "/")
                && u.query().is_none()
                && u.fragment().is_none()
        }
        Err(_) => false,
    }
}

/// A list of at least two headline links to the post's own site, and nothing else.
pub(super) fn is_same_site_list(block: &Block, host: Option<&str>) -> bool {
    let Some(host) = host else { return false };
    let Block::List { items, .. } = block else {
        return false;
    };
    items.len() >= 2
        && items.iter().all(|item| match item.as_slice() {
            [Block::Paragraph(inlines)] => match inlines.as_slice() {
                [Inline::Link(l)] => host_of(&l.url).is_some_and(|h| same_site(&h, host)),
                _ => false,
            },
            _ => false,
        })
}

pub(super) fn host_of(url: &str) -> Option<String> {
    let host = crate::web_url::plain_host(url)
        .map(str::to_owned)
        .or_else(|| {
            let u = url::Url::parse(url).ok()?;
            Some(u.host_str()?.to_ascii_lowercase())
        })?;
    Some(host.trim_start_matches("www.").to_owned())
}

/// `cn.nytimes.com` and `www.nytimes.com` are one site.
pub(super) fn same_site(a: &str, b: &str) -> bool {
    let base = |h: &str| {
        let parts: Vec<&str> = h.rsplitn(3, '.').collect();
        match parts.as_slice() {
            [tld, name, ..] if tld.len() == 2 && name.len() <= 3 => h.to_string(),
            [tld, name, ..] => format!("{name}.{tld}"),
            _ => h.to_string(),
        }
    };
    base(a) == base(b)
}

/// Whether the text of `inlines` takes at most `budget` bytes (what is left of it is left in
/// `budget`), found without building the text and stopping as soon as it does not.
pub(super) fn inlines_fit(inlines: &[Inline], budget: &mut usize) -> bool {
    inlines.iter().all(|i| match i {
        Inline::Text(t) | Inline::Code(t) => match budget.checked_sub(t.len()) {
            Some(left) => {
                *budget = left;
                true
            }
            None => false,
        },
        Inline::Emph(c)
        | Inline::Strong(c)
        | Inline::Strike(c)
        | Inline::Sub(c)
        | Inline::Sup(c) => inlines_fit(c, budget),
        Inline::Link(l) => inlines_fit(&l.content, budget),
        Inline::Image(img) => match budget.checked_sub(img.alt.len()) {
            Some(left) => {
                *budget = left;
                true
            }
            None => false,
        },
        Inline::Math(m) => match budget.checked_sub(m.tex.len()) {
            Some(left) => {
                *budget = left;
                true
            }
            None => false,
        },
        // A note's text is not part of its line.
        Inline::LineBreak | Inline::Note(_) | Inline::Check(_) => true,
    })
}

pub(super) fn block_fits(block: &Block, budget: &mut usize) -> bool {
    match block {
        Block::Paragraph(c) | Block::Heading { content: c, .. } => inlines_fit(c, budget),
        Block::List { items, .. } => items.iter().flatten().all(|b| block_fits(b, budget)),
        Block::Quote(inner) => inner.iter().all(|b| block_fits(b, budget)),
        _ => true,
    }
}

pub(super) fn block_has_link(block: &Block) -> bool {
    let inlines = |c: &[Inline]| c.iter().any(|i| matches!(i, Inline::Link(_)));
    match block {
        Block::Paragraph(c) | Block::Heading { content: c, .. } => inlines(c),
        Block::List { items, .. } => items.iter().flatten().any(block_has_link),
        Block::Quote(inner) => inner.iter().any(block_has_link),
        _ => false,
    }
}

/// A block's text, for the report.
pub fn block_text(block: &Block) -> String {
    let mut out = String::new();
    for_each_text(block, &mut |t| out.push_str(t));
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The pieces of a block's text in order, a space after each paragraph's.
pub(super) fn for_each_text(block: &Block, f: &mut dyn FnMut(&str)) {
    match block {
        Block::Heading { content, .. } | Block::Paragraph(content) => {
            for_each_plain_text(content, f);
            f(" ");
        }
        Block::List { items, .. } => items.iter().flatten().for_each(|b| for_each_text(b, f)),
        Block::Quote(inner) => inner.iter().for_each(|b| for_each_text(b, f)),
        Block::Code { text, .. } => f(text),
        Block::Figure(img) => f(&img.alt),
        Block::Table(_) | Block::Rule => {}
    }
}
