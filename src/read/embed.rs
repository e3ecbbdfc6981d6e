//! Embedded players (`<iframe>` videos, maps and tweets, `<video>`, `<audio>`): no reader can
//! play them in a book, but dropping them loses what the author showed. Each becomes a link to
//! the original — a YouTube or Vimeo watch page, the tweet — with its title when it has one.

use super::dom::attr;
use crate::model::{Inline, Link};
use ego_tree::NodeRef;
use scraper::Node;

/// The link an embed stands for, or `None` when `node` is not an embed (or has no source).
pub fn embed_link(node: NodeRef<'_, Node>) -> Option<Inline> {
    let el = node.value().as_element()?;
    let name = el.name();
    // Plugins (`<object>`, `<embed>`) stay dropped, as do iframes of unknown sites: in scraped
    // news those are ads and trackers, not content.
    if !matches!(name, "iframe" | "video" | "audio") {
        return None;
    }
    let value = |k: &str| attr(el, k).map(str::trim).filter(|v| !v.is_empty());
    let src = value("src").or_else(|| value("data-src")).or_else(|| {
        // `<video><source src=…>`
        node.descendants()
            .filter_map(|d| d.value().as_element())
            .find(|e| e.name() == "source")
            .and_then(|e| attr(e, "src"))
            .map(str::trim)
    })?;
    let src = match src.strip_prefix("//") {
        Some(rest) => format!("https://{rest}"),
        None => src.to_string(),
    };
    let scheme_ok = match src.split_once(':') {
        Some((scheme, _)) if !scheme.contains('/') => {
            matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https")
        }
        _ => true,
    };
    if !scheme_ok {
        return None;
    }
    let title = value("title")
        .or_else(|| value("aria-label"))
        .map(str::to_string);
    let (label, url) = match name {
        "video" => ("Video", src),
        "audio" => ("Audio", src),
        _ => original_page(&src)?,
    };
    // Players' default titles (`YouTube video player`) say nothing the label does not.
    let title = title.filter(|t| {
        let t = t.to_lowercase();
        !(t.contains("player") || t.contains("iframe") || t == label.to_lowercase())
    });
    let text = match title {
        Some(t) => format!("{label}: {t}"),
        None => label.to_string(),
    };
    Some(Inline::Link(Box::new(Link {
        url,
        title: None,
        content: vec![Inline::Text(text)],
        web: None,
    })))
}

/// The page a known player shows: (what it is, its URL).
fn original_page(src: &str) -> Option<(&'static str, String)> {
    let url = url::Url::parse(src).ok()?;
    let host = url.host_str().unwrap_or("").trim_start_matches("www.");
    let last = url
        .path_segments()
        .and_then(|mut s| s.rfind(|p| !p.is_empty()))
        .unwrap_or("");
    let query = |k: &str| {
        url.query_pairs()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.into_owned())
    };
    let found = match host {
        "youtube.com" | "youtube-nocookie.com" | "m.youtube.com"
            if url.path().starts_with("/embed/") && !last.is_empty() && last != "videoseries" =>
        {
            (
                "YouTube video",
                format!("https://www.youtube.com/watch?v={last}"),
            )
        }
        "player.vimeo.com" if !last.is_empty() => {
            ("Vimeo video", format!("https://vimeo.com/{last}"))
        }
        "platform.twitter.com" | "platform.x.com" => match query("id") {
            Some(id) => ("Tweet", format!("https://twitter.com/i/status/{id}")),
            None => ("Tweet", src.to_string()),
        },
        h if h.ends_with("google.com") && url.path().contains("/maps") => ("Map", src.to_string()),
        h if h.ends_with("openstreetmap.org") => ("Map", src.to_string()),
        h if h.ends_with("youtube.com") || h.ends_with("youtube-nocookie.com") => {
            ("YouTube video", src.to_string())
        }
        h if h.ends_with("dailymotion.com")
            || h.ends_with("player.bilibili.com")
            || h.ends_with("v.qq.com")
            || h.ends_with("ted.com")
            || h.ends_with("loom.com") =>
        {
            ("Video", src.to_string())
        }
        h if h.ends_with("soundcloud.com") || h.ends_with("spotify.com") => {
            ("Audio", src.to_string())
        }
        h if h.ends_with("codepen.io") || h.ends_with("jsfiddle.net") => {
            ("Code example", src.to_string())
        }
        _ => return None,
    };
    Some(found)
}

#[cfg(test)]
mod tests {
    use crate::model::{Block, Inline};
    use crate::read::html::read_html;

    fn links(html: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for b in read_html(html, &mut Vec::new()) {
            if let Block::Paragraph(xs) = b {
                for x in xs {
                    if let Inline::Link(l) = x {
                        out.push((l.url.clone(), crate::model::plain_text(&l.content)));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn embeds_become_links_to_the_original() {
        let got = links(concat!(
            r#"<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0" title="A talk"></iframe>"#,
            r#"<iframe src="//player.vimeo.com/video/76979871"></iframe>"#,
            r#"<iframe src="https://platform.twitter.com/embed/Tweet.html?id=20"></iframe>"#,
            r#"<iframe src="https://www.google.com/maps/embed?pb=x"></iframe>"#,
            r#"<video controls><source src="clip.mp4"></video>"#,
            r#"<p>Listen: <audio src="https://a.test/e.mp3" title="Episode 1"></audio></p>"#,
            r#"<iframe src="javascript:alert(1)"></iframe><iframe></iframe>"#,
            r#"<iframe src="https://ads.test/slot"></iframe><embed src="x.swf">"#,
            r#"<iframe src="https://www.youtube.com/embed/x1" title="YouTube video player"></iframe>"#,
        ));
        assert_eq!(
            got,
            [
                (
                    "https://www.youtube.com/watch?v=dQw4w9WgXcQ".into(),
                    "YouTube video: A talk".into()
                ),
                ("https://vimeo.com/76979871".into(), "Vimeo video".into()),
                ("https://twitter.com/i/status/20".into(), "Tweet".into()),
                (
                    "https://www.google.com/maps/embed?pb=x".into(),
                    "Map".into()
                ),
                ("clip.mp4".into(), "Video".into()),
                ("https://a.test/e.mp3".into(), "Audio: Episode 1".into()),
                (
                    "https://www.youtube.com/watch?v=x1".into(),
                    "YouTube video".into()
                ),
            ]
        );
    }
}
