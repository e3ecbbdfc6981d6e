//! Site chrome: the furniture a news site puts inside an article's body — newsletter sign-up
//! boxes, share bars, "read more" link lists, ad and promo slots, "click to enlarge" prompts,
//! labels of interactive graphics, the mirror's own footer — found and taken out before the
//! model is built, so no writer shows it (`--keep-chrome` keeps it, `--keep-chrome
//! related,widget` keeps those kinds). Only bodies that came from a web page are cleaned
//! ([`scope`]): what an author wrote in Markdown is never chrome.
//!
//! Unlike a readability scorer, which keeps what looks most like the article and drops the rest,
//! this works the other way round: everything is kept unless it is positively recognized as
//! chrome, and every rule has a guard that refuses blocks carrying prose. Losing a sentence of
//! the article is worse than leaving a share bar in. Each signal and why it exists:
//!
//! - **Form controls** (`input`, `button`, `select`, `textarea`): an article never asks for
//!   input, so the short block around a control is its label and message text (sign-up boxes
//!   without a `<form>`, "enter a valid e-mail address", "thanks for subscribing").
//! - **Class, id and role names** (`subscribe`, `newsletter`, `share`, `social`, `related`,
//!   `recommend`, `promo`, `ad`, `banner`, `toolbar`, `comment-form`, …): what the site itself
//!   calls the block, in any language the text is in. Names are split into words (`moreArticle`
//!   → `more article`), so `shadow` is not `ad` and `shared` is not `share`.
//! - **Cue labels** (`延伸閱讀`, `相关阅读`, `Related`, `関連記事`, `分享到`, …): a block whose first
//!   words say it is a list of other articles or a share bar, and whose remaining text is (nearly)
//!   all links, or a label followed by such a block. Only whole labels count, never words in a
//!   sentence.
//! - **Link density**: a related-articles block is mostly link text; so is the run of headline
//!   links at the end of a post pointing back to its own site (position + same host).
//! - **Prompts**: a block or link whose whole text is `点击查看大图`, `Continue reading`, `Read
//!   more`, … — a button, not a sentence.
//! - **Positioned labels**: text placed with `top:…%; left:…%` over a picture is the legend of an
//!   interactive graphic (ai2html); alone, it is a pile of words.
//! - **Position**: the mirror's footer and the site's sign-off are the last blocks, after a rule;
//!   links to bare home pages (`https://feedx.net`) at the tail are a footer, not a citation.
//! - **Repetition across the folder** ([`edge_hashes`], applied by `convert`): a short block
//!   that opens or closes many posts of the same source, word for word, is the source's
//!   boilerplate. No per-page reader can see this; postbook reads the whole folder.
//!
//! Guards: a block is never chrome when it holds a `figcaption`, more than [`MAX_PROSE`]
//! characters of text outside links, or most of the post's text with some prose.

mod boilerplate;
mod cleanup;
mod cues;
mod mark;
mod removal;
mod scope;

pub use boilerplate::{boilerplate, edge_hashes, remove_boilerplate, BOILERPLATE_POSTS};
pub use cleanup::{block_text, clean_blocks};
pub use mark::{mark, Marks};
pub use removal::{Cleaning, Counts, Kept, Kind, Removed, MAX_PROSE};
pub use scope::from_web_page;

#[cfg(test)]
mod tests;
