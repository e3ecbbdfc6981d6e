//! Notice boxes: the styled boxes Jekyll themes set an update note, a tip or a warning in
//! (Minimal Mistakes' `notice--info`, Bootstrap's `alert alert-info`, just-the-docs' `note`,
//! Chirpy's `prompt-tip`, al-folio's `block-tip`, `callout`s and `admonition`s), whether an
//! include writes them as HTML or kramdown gives a paragraph the class (`{: .notice--info}`).
//! They are part of the post: each becomes a quote, the model's box set off from the text
//! (as Hugo's admonition shortcodes do, [`super::shortcode`]), and every writer shows it.

/// Whether one class name marks a notice box.
pub fn is_notice_class(class: &str) -> bool {
    let class = class.to_ascii_lowercase();
    let prefixed = ["notice", "alert", "callout", "admonition", "prompt-"]
        .iter()
        .any(|p| {
            class
                .strip_prefix(p)
                .is_some_and(|rest| rest.is_empty() || p.ends_with('-') || rest.starts_with('-'))
        });
    prefixed
        || matches!(
            class.as_str(),
            "note"
                | "tip"
                | "warning"
                | "important"
                | "caution"
                | "block-tip"
                | "block-warning"
                | "block-danger"
        )
}

/// An alert quote's marker (`> [!WARNING]`, `> [!tip] Faster builds`, `> [!faq]- Folded`):
/// GitHub's alerts, which Hugo renders too (its blockquote render hooks, 0.132), and
/// Obsidian's callouts. Read from the quote's HTML before whitespace is collapsed, since only
/// the line tells a title (`[!TIP] Faster builds`) from the text after it.
#[derive(Debug, PartialEq, Eq)]
pub struct Alert {
    /// What leads the quote: the title, else the kind capitalized (`Warning`).
    pub label: String,
    /// The marker and title as the quote's first text starts with them, to remove.
    marker: String,
    title: String,
}

impl Alert {
    /// The alert a `<blockquote>` opens with: its first paragraph's first text starts with
    /// `[!kind]`, a word of letters (any: Obsidian has dozens, GitHub five).
    pub fn of(quote: ego_tree::NodeRef<'_, scraper::Node>) -> Option<Alert> {
        let first = quote.children().find(|c| match c.value() {
            scraper::Node::Text(t) => !t.trim().is_empty(),
            scraper::Node::Element(_) => true,
            _ => false,
        })?;
        if first.value().as_element()?.name() != "p" {
            return None;
        }
        let text = first.first_child()?;
        let text = text.value().as_text()?.trim_start();
        let rest = text.strip_prefix("[!")?;
        let end = rest.find(']')?;
        let kind = &rest[..end];
        if kind.is_empty() || kind.len() > 24 || !kind.chars().all(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        let after = &rest[end + 1..];
        let fold = after.strip_prefix(['+', '-']).map_or("", |_| &after[..1]);
        let line = after[fold.len()..].split('\n').next().unwrap_or("");
        let title = crate::inline::collapse_whitespace(line.trim());
        let label = match title.is_empty() {
            true => super::prose::capitalize(&kind.to_ascii_lowercase()),
            false => title.clone(),
        };
        Some(Alert {
            label,
            marker: format!("[!{kind}]{fold}"),
            title,
        })
    }

    /// Replaces the marker in the quote's `blocks` (read from its HTML) by the label in bold,
    /// as admonitions and notice boxes are led.
    pub fn lead(&self, blocks: &mut Vec<crate::model::Block>) {
        use crate::model::{Block, Inline};
        if let Some(Block::Paragraph(inlines)) = blocks.first_mut() {
            if let Some(Inline::Text(t)) = inlines.first_mut() {
                let rest = t.trim_start().strip_prefix(&self.marker).unwrap_or(t);
                let rest = rest.trim_start();
                let rest = rest.strip_prefix(self.title.as_str()).unwrap_or(rest);
                *t = rest.trim_start().to_string();
                if t.is_empty() {
                    inlines.remove(0);
                }
            }
            while matches!(inlines.first(), Some(Inline::LineBreak)) {
                inlines.remove(0);
            }
            if inlines.is_empty() {
                blocks.remove(0);
            }
        }
        let label = Inline::Strong(vec![Inline::Text(self.label.clone())]);
        blocks.insert(0, Block::Paragraph(vec![label]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theme_notice_classes() {
        for class in [
            "notice",
            "notice--info",
            "alert",
            "alert-warning",
            "callout",
            "callout-note",
            "admonition",
            "prompt-tip",
            "note",
            "block-tip",
            "Notice--Danger",
        ] {
            assert!(is_notice_class(class), "{class}");
        }
        for class in [
            "noticeable",
            "alerts",
            "notes",
            "block-center",
            "prompt",
            "footnote",
        ] {
            assert!(!is_notice_class(class), "{class}");
        }
    }
}
