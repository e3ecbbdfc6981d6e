//! A source's boilerplate: short blocks that open or close many posts of the same source word
//! for word and link for link, found across the whole folder (no per-page reader can see them)
//! and removed. The links count: a daily index whose last item always reads "More headlines"
//! but links to a different story each day is that day's content, not the site's furniture.

use super::cleanup::{block_fits, block_has_link, block_text, for_each_text, host_of};
use super::removal::{Kind, Removed};
use crate::model::{Block, Inline, Meta, Node};
use std::collections::HashMap;

/// Blocks at most this long (in characters) can be a source's boilerplate.
pub(super) const MAX_BOILERPLATE: usize = 240;

/// Shorter blocks without a link are never boilerplate: they are bylines, editor and photo
/// credits, section names (`责任编辑：叶紫微`, `© 2020 AFP`), which recur because people and
/// agencies do, and which belong to the article.
pub(super) const MIN_BOILERPLATE: usize = 24;

/// How many blocks at each end of a post are looked at for boilerplate.
pub(super) const EDGE_BLOCKS: usize = 3;

// ---------------------------------------------------------------------------------------------
// The folder-wide signal: boilerplate repeated across posts of one source.

/// The source a post comes from, for comparing its boilerplate with its siblings': the host of
/// its original URL, else its first category or author.
pub(super) fn source_key(meta: &Meta) -> String {
    meta.source
        .as_deref()
        .and_then(host_of)
        .or_else(|| meta.categories.first().cloned())
        .or_else(|| meta.authors.first().cloned())
        .unwrap_or_default()
}

/// The identity of a short edge block: its source, its text without whitespace and its link
/// targets. `None` for blocks that are never boilerplate (headings, figures, code, tables,
/// long blocks).
pub(super) fn edge_hash(source: &str, block: &Block) -> Option<u64> {
    if !matches!(
        block,
        Block::Paragraph(_) | Block::List { .. } | Block::Quote(_)
    ) || !block_fits(block, &mut (MAX_BOILERPLATE * 4))
    {
        return None;
    }
    // Characters other than whitespace, counted no further than one too many, before anything
    // is hashed: most edge blocks are sentences too long to be boilerplate.
    let mut n = 0;
    for_each_text(block, &mut |text| {
        if n <= MAX_BOILERPLATE {
            n += text
                .chars()
                .filter(|c| !c.is_whitespace())
                .take(MAX_BOILERPLATE + 1 - n)
                .count();
        }
    });
    if n > MAX_BOILERPLATE || (n < MIN_BOILERPLATE && !block_has_link(block)) || n < 4 {
        return None;
    }
    // FNV-1a of the source, a NUL and the text without whitespace: stable across runs and
    // versions (the hashes are kept in the cache).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut add = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    source.bytes().chain([0]).for_each(&mut add);
    for_each_text(block, &mut |text| {
        text.split(char::is_whitespace)
            .for_each(|run| run.bytes().for_each(&mut add));
    });
    // The link targets after the text, each after a NUL (which no text holds): the same words
    // linking elsewhere are another block.
    crate::model::walk(std::slice::from_ref(block), &mut |node| {
        if let Node::Inline(Inline::Link(link)) = node {
            [0].iter().chain(link.url.as_bytes()).for_each(|&b| add(b));
        }
        true
    });
    Some(h)
}

/// The hashes of the short blocks that open and close a post (see [`edge_hash`]): what the
/// folder-wide boilerplate count is made of.
pub fn edge_hashes(meta: &Meta, blocks: &[Block]) -> Vec<u64> {
    let source = source_key(meta);
    let n = blocks.len();
    let mut out: Vec<u64> = blocks
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < EDGE_BLOCKS || *i + EDGE_BLOCKS >= n)
        .filter_map(|(_, b)| edge_hash(&source, b))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// In how many posts of one source a block must recur to be boilerplate.
pub const BOILERPLATE_POSTS: usize = 5;

/// The boilerplate of a folder: edge blocks found in at least [`BOILERPLATE_POSTS`] posts.
/// `hashes` is each post's [`edge_hashes`].
pub fn boilerplate<'a>(hashes: impl Iterator<Item = &'a [u64]>) -> Vec<u64> {
    let mut counts: HashMap<u64, usize> = HashMap::new();
    for post in hashes {
        for &h in post {
            *counts.entry(h).or_default() += 1;
        }
    }
    let mut out: Vec<u64> = counts
        .into_iter()
        .filter(|&(_, n)| n >= BOILERPLATE_POSTS)
        .map(|(h, _)| h)
        .collect();
    out.sort_unstable();
    out
}

/// Removes the edge blocks of a post that are its source's `boilerplate` (sorted), with any
/// rule left dangling at an end; returns what was removed.
pub fn remove_boilerplate(
    meta: &Meta,
    blocks: &mut Vec<Block>,
    boilerplate: &[u64],
) -> Vec<Removed> {
    let mut removed = Vec::new();
    if boilerplate.is_empty() {
        return removed;
    }
    let source = source_key(meta);
    let n = blocks.len();
    let mut i = 0;
    blocks.retain(|b| {
        let edge = i < EDGE_BLOCKS || i + EDGE_BLOCKS >= n;
        i += 1;
        let hit =
            edge && edge_hash(&source, b).is_some_and(|h| boilerplate.binary_search(&h).is_ok());
        if hit {
            removed.push(Removed {
                kind: Kind::Boilerplate,
                text: block_text(b),
            });
        }
        !hit
    });
    if !removed.is_empty() {
        while matches!(blocks.last(), Some(Block::Rule)) {
            blocks.pop();
        }
        while matches!(blocks.first(), Some(Block::Rule)) {
            blocks.remove(0);
        }
    }
    removed
}
