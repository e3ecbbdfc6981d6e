//! Embedded players and pages (`<iframe>` videos, maps, tweets, plots, `<video>`, `<audio>`):
//! no reader can play them in a book, but dropping them loses what the author showed. Each
//! becomes a link to the original — a YouTube or Vimeo watch page, the tweet, the plot's page,
//! the media file — labelled in the post's language ([`Locale::embed`]) with its title when it
//! has one.
//!
//! The one table of embeds: the HTML reader reads every `<iframe>`, `<video>` and `<audio>`
//! here, and the template expanders (Hugo's `youtube`, `vimeo`, `tweet`, `instagram`, `gist`
//! shortcodes, Hexo's `youtube`, `vimeo`, `iframe` tags) write the element the generator would
//! have written ([`frame`]), so a shortcode, a tag and raw HTML give the same link paragraph.
//!
//! Which iframes count: in an author's own body (Markdown, template output; see
//! [`super::chrome::from_web_page`]) every one with a source, a page of an unknown site named
//! by its host. In a body that came from a web page an iframe of an unknown site is nearly
//! always an ad slot or a tracker: it is dropped there, and the HTML reader counts it as
//! `promo` chrome (kept as a link with `--keep-chrome`).
//!
//! Media files are linked, not packed into books: few e-readers play EPUB audio or video
//! (Kindle none), and a clip would outweigh the text it sits in. The link keeps the file's
//! name, so the reader of a book knows what the post showed.

use super::dom::attr;
use crate::locale::{Embedded, Locale};
use crate::model::{Inline, Link};
use ego_tree::NodeRef;
use scraper::Node;

/// What an embed element comes to.
#[derive(Debug, PartialEq)]
pub enum Embed {
    /// A link to what it shows.
    Link(Inline),
    /// An iframe of an unknown site in a web page's body (an ad slot): dropped, its source
    /// kept for the chrome count.
    AdSlot(String),
}

/// What `node` comes to when it is an embed (`<iframe>`, `<video>`, `<audio>`) with a source;
/// `None` for any other element, or an embed without a source or of another scheme
/// (`javascript:`). `locale` names it; `authored`: the body is an author's, not a web page's.
pub fn read_embed(node: NodeRef<'_, Node>, locale: Locale, authored: bool) -> Option<Embed> {
    let el = node.value().as_element()?;
    let name = el.name();
    // Plugins (`<object>`, `<embed>`) stay dropped: nothing can show them any more.
    if !matches!(name, "iframe" | "video" | "audio" | "script") {
        return None;
    }
    let value = |k: &str| attr(el, k).map(str::trim).filter(|v| !v.is_empty());
    // A gist's embed script (`gist.github.com/user/id.js?file=x`, what jekyll-gist and
    // GitHub's "Embed" button write) is the gist's page; any other script is not an embed.
    let gist = match name {
        "script" => Some(gist_page(value("src")?)?),
        _ => None,
    };
    let gist_page_url = gist.as_ref().map(|(url, _)| url.as_str());
    let src = gist_page_url
        .or_else(|| value("src"))
        .or_else(|| value("data-src"))
        .or_else(|| {
            // `<video><source src=…>`
            node.descendants()
                .filter_map(|d| d.value().as_element())
                .find(|e| e.name() == "source")
                .and_then(|e| attr(e, "src"))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        })?;
    let src = match src.strip_prefix("//") {
        Some(rest) => format!("https://{rest}"),
        None => src.to_string(),
    };
    let web = match src.split_once(':') {
        Some((scheme, _)) if !scheme.contains('/') => match scheme.to_ascii_lowercase().as_str() {
            "http" | "https" => true,
            _ => return None,
        },
        _ => false,
    };
    let title = match &gist {
        Some((_, file)) => file.as_deref(),
        None => value("title").or_else(|| value("aria-label")),
    };
    let (what, url) = match name {
        "video" => (Embedded::Video, src),
        "audio" => (Embedded::Audio, src),
        _ => match web.then(|| original_page(&src)).flatten() {
            Some(found) => found,
            None if authored => (Embedded::Page, src),
            None => return Some(Embed::AdSlot(src)),
        },
    };
    let host = url::Url::parse(&url).ok().and_then(|u| {
        u.host_str()
            .map(|h| h.trim_start_matches("www.").to_string())
    });
    let label = locale.embed(what, host.as_deref());
    // Players' default titles (`YouTube video player`) say nothing the label does not.
    let title = title.filter(|t| {
        let t = t.to_lowercase();
        !(t.contains("player") || t.contains("iframe") || t == label.to_lowercase())
    });
    let text = match (what, title) {
        // A page says what it is by its title, when it has one.
        (Embedded::Page, Some(t)) => t.to_string(),
        (_, Some(t)) => locale.labelled(&label, t),
        // A media file or a file of the site by its name: `Video: clip.mp4`.
        (Embedded::Video | Embedded::Audio | Embedded::Page, None) if host.is_none() => {
            match file_name(&url) {
                Some(f) => locale.labelled(&label, &f),
                None => label,
            }
        }
        (_, None) => label,
    };
    Some(Embed::Link(Inline::Link(Box::new(Link {
        url,
        title: None,
        content: vec![Inline::Text(text)],
        web: None,
    }))))
}

/// The HTML a template expander writes for an embed it knows by its `url` (a watch page, a
/// tweet, a gist, any page), for the HTML reader to read as it reads a post's own iframes: a
/// block of its own.
pub fn frame(url: &str, title: Option<&str>) -> String {
    let title = title.map(str::trim).filter(|t| !t.is_empty());
    format!(
        "\n\n<iframe src=\"{}\"{}></iframe>\n\n",
        crate::xml::escape(url),
        title
            .map(|t| format!(" title=\"{}\"", crate::xml::escape(t)))
            .unwrap_or_default()
    )
}

/// The page of a gist whose embed script is `src` (`https://gist.github.com/parkr/5555251.js`,
/// maybe with `?file=name`), and the file it shows.
fn gist_page(src: &str) -> Option<(String, Option<String>)> {
    let src = match src.strip_prefix("//") {
        Some(rest) => format!("https://{rest}"),
        None => src.to_string(),
    };
    let url = url::Url::parse(&src).ok()?;
    if url.host_str()? != "gist.github.com" {
        return None;
    }
    let path = url.path().strip_suffix(".js")?;
    let file = url
        .query_pairs()
        .find(|(k, _)| k == "file")
        .map(|(_, v)| v.into_owned());
    Some((format!("https://gist.github.com{path}"), file))
}

/// The last segment of a URL's path, decoded: `clip.mp4`.
fn file_name(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let last = path.rsplit('/').find(|s| !s.is_empty())?;
    Some(
        percent_encoding::percent_decode_str(last)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// The page a player of a known site shows (what it is, its URL), from the player's URL or
/// the page's own (which expanders write: `youtube.com/watch?v=`, `twitter.com/u/status/1`).
fn original_page(src: &str) -> Option<(Embedded, String)> {
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
    let same = || src.to_string();
    let found = match host {
        "youtube.com" | "youtube-nocookie.com" | "m.youtube.com"
            if url.path().starts_with("/embed/") && !last.is_empty() && last != "videoseries" =>
        {
            (
                Embedded::YouTube,
                format!("https://www.youtube.com/watch?v={last}"),
            )
        }
        "player.vimeo.com" if !last.is_empty() => {
            (Embedded::Vimeo, format!("https://vimeo.com/{last}"))
        }
        "vimeo.com" => (Embedded::Vimeo, same()),
        "platform.twitter.com" | "platform.x.com" => match query("id") {
            Some(id) => (
                Embedded::Tweet,
                format!("https://twitter.com/i/status/{id}"),
            ),
            None => (Embedded::Tweet, same()),
        },
        "twitter.com" | "x.com" if url.path().contains("/status/") => (Embedded::Tweet, same()),
        "instagram.com" => (Embedded::Instagram, same()),
        "gist.github.com" => (Embedded::Gist, same()),
        h if h.ends_with("google.com") && url.path().contains("/maps") => (Embedded::Map, same()),
        h if h.ends_with("openstreetmap.org") => (Embedded::Map, same()),
        h if h.ends_with("youtube.com")
            || h.ends_with("youtube-nocookie.com")
            || h == "youtu.be" =>
        {
            (Embedded::YouTube, same())
        }
        h if h.ends_with("dailymotion.com")
            || h.ends_with("player.bilibili.com")
            || h == "bilibili.com" && url.path().starts_with("/video/")
            || h.ends_with("v.qq.com")
            || h.ends_with("ted.com")
            || h.ends_with("loom.com") =>
        {
            (Embedded::Video, same())
        }
        h if h.ends_with("soundcloud.com") || h.ends_with("spotify.com") => {
            (Embedded::Audio, same())
        }
        h if h.ends_with("codepen.io") || h.ends_with("jsfiddle.net") => (Embedded::Code, same()),
        _ => return None,
    };
    Some(found)
}

#[cfg(test)]
mod tests {
    use crate::locale::Locale;
    use crate::model::{Block, Inline};
    use crate::read::chrome::{Cleaning, Kept, Kind};
    use crate::read::html::{read_html, read_html_in, PostContext};

    fn links_of(blocks: Vec<Block>) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for b in blocks {
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

    fn links(html: &str) -> Vec<(String, String)> {
        links_of(read_html(html, &mut Vec::new()))
    }

    /// Read as an author's body (chrome kept, as for Markdown posts), in `locale`.
    fn authored(html: &str, locale: Locale) -> Vec<(String, String)> {
        let mut cleaning = Cleaning::new(Kept::ALL);
        links_of(read_html_in(
            html,
            &mut Vec::new(),
            &mut cleaning,
            PostContext {
                locale: Some(locale),
                bibliography: None,
            },
        ))
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
                ("clip.mp4".into(), "Video: clip.mp4".into()),
                ("https://a.test/e.mp3".into(), "Audio: Episode 1".into()),
                (
                    "https://www.youtube.com/watch?v=x1".into(),
                    "YouTube video".into()
                ),
            ]
        );
    }

    #[test]
    fn an_unknown_site_is_an_ad_slot_in_a_web_page_and_content_in_a_post() {
        let html = concat!(
            r#"<p>Text.</p><iframe src="https://plot.ly/~u/1.embed"></iframe>"#,
            r#"<iframe src="https://datawrapper.dwcdn.net/x/" title="Unemployment rate"></iframe>"#,
            r#"<iframe src="/assets/plotly/demo.html"></iframe>"#,
        );
        // A web page's body: dropped, and counted as promo chrome.
        let mut cleaning = Cleaning::default();
        let blocks = read_html_in(html, &mut Vec::new(), &mut cleaning, PostContext::default());
        assert!(links_of(blocks).is_empty());
        let removed = cleaning.into_removed();
        assert_eq!(removed.len(), 3, "{removed:?}");
        assert!(removed.iter().all(|r| r.kind == Kind::Promo));
        assert!(removed[0].text.contains("https://plot.ly/~u/1.embed"));
        // An author's: every one is a link paragraph, named by its title or host.
        assert_eq!(
            authored(html, Locale::English),
            [
                (
                    "https://plot.ly/~u/1.embed".into(),
                    "Embedded content from plot.ly".into()
                ),
                (
                    "https://datawrapper.dwcdn.net/x/".into(),
                    "Unemployment rate".into()
                ),
                (
                    "/assets/plotly/demo.html".into(),
                    "Embedded content: demo.html".into()
                ),
            ]
        );
        assert_eq!(
            authored(html, Locale::Chinese)[0].1,
            "来自 plot.ly 的嵌入内容"
        );
    }

    #[test]
    fn labels_follow_the_post_language_or_its_text() {
        let video = r#"<p>一段视频：</p><video src="/media/片段.mp4"></video>"#;
        assert_eq!(authored(video, Locale::Chinese)[0].1, "视频：片段.mp4");
        // No language given: the text's.
        let zh = concat!(
            "<p>中国国家主席习近平星期三在北京人民大会堂会见访华的俄罗斯总理米舒斯京。</p>",
            r#"<iframe src="https://www.youtube.com/embed/abc"></iframe>"#
        );
        assert_eq!(links(zh)[0].1, "YouTube 视频");
        // Told from the text a reader sees, not from a script before it.
        let script = format!(
            "<script>var message = \"{}\";</script>{zh}",
            "Please enable JavaScript to view the comments powered by our service. ".repeat(5)
        );
        assert_eq!(links(&script)[0].1, "YouTube 视频");
        assert_eq!(
            authored(&script, Locale::English)[0].1,
            "YouTube video",
            "the post's language, when known, wins"
        );
    }
}
