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
