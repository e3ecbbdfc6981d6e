//! The picture a theme shows above a post, named in its front matter: the post's page opens
//! with it, so the chapter does too (before the text, after the title).
//!
//! Only keys the popular themes show on the post's own page are read, by generator:
//! - Jekyll: Minimal Mistakes' `header.overlay_image`/`header.image` (`header.caption`,
//!   `header.image_description`), Chirpy's `image` (a path, or `path` with `alt`; its
//!   `media_subpath`/`img_path` prefix), Beautiful Jekyll's `cover-img`.
//! - Hugo: PaperMod's `cover.image` (`alt`, `caption`; not when `hidden`), LoveIt's, FixIt's
//!   and DoIt's `featuredImage`, Ananke's `featured_image`, Stack's `image`.
//! - Hexo: Butterfly's `top_img` and `cover`, Icarus' `cover`, Fluid's `banner_img`; and a
//!   gallery post's `photos` (a picture or a list), which landscape and its kin show above
//!   the post, after that one.
//!
//! Teasers and thumbnails (`header.teaser`, `index_img`, `thumbnail`, Hugo's `images` for
//! social cards) are shown in lists only, and are not read. A post whose text already shows the
//! same picture (by file name) keeps it once, where the text has it.

use super::Generator;
use crate::model::{Block, Image};
use serde_json::Value;

/// The pictures a theme shows above a post of a `generator` site with front matter `extra`,
/// but those its `blocks` already show. Their `src` is as written: the site resolves it like
/// any picture's.
pub fn pictures(generator: Generator, extra: &[(String, Value)], blocks: &[Block]) -> Vec<Image> {
    let mut out: Vec<Image> = picture(generator, extra).into_iter().collect();
    if generator == Generator::Hexo {
        let photos = extra.iter().find(|(k, _)| k == "photos").map(|(_, v)| v);
        let srcs = match photos {
            Some(Value::Array(xs)) => xs.iter().collect(),
            Some(x) => vec![x],
            None => vec![],
        };
        out.extend(
            srcs.into_iter()
                .filter_map(|x| x.as_str().map(str::trim).filter(|s| !s.is_empty()))
                .map(|src| Image {
                    src: src.to_string(),
                    alt: String::new(),
                    title: None,
                }),
        );
    }
    out.retain(|img| !shown(blocks, &img.src));
    out
}

/// The one picture the theme shows above a post (not yet checked against its text).
fn picture(generator: Generator, extra: &[(String, Value)]) -> Option<Image> {
    let get = |key: &str| extra.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    let text = |v: Option<&Value>| -> Option<String> {
        v.and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let field = |v: Option<&Value>, name: &str| text(v.and_then(|v| v.get(name)));
    let (src, alt, caption) = match generator {
        Generator::Jekyll => {
            let header = get("header");
            let image = get("image");
            if let Some(src) = field(header, "overlay_image").or_else(|| field(header, "image")) {
                (
                    src,
                    field(header, "image_description"),
                    field(header, "caption"),
                )
            } else if let Some(src) = text(image).or_else(|| field(image, "path")) {
                let prefix = text(get("media_subpath")).or_else(|| text(get("img_path")));
                let src = match prefix {
                    Some(p) if !src.contains(':') && !src.starts_with('/') => {
                        format!("{}/{}", p.trim_end_matches('/'), src)
                    }
                    _ => src,
                };
                (src, field(image, "alt"), None)
            } else {
                let cover = get("cover-img");
                let first = cover.and_then(Value::as_array).and_then(|s| s.first());
                // A list of paths, or of `path: caption` pairs.
                let src = text(cover)
                    .or_else(|| text(first))
                    .or_else(|| first?.as_object()?.keys().next().cloned())?;
                (src, None, None)
            }
        }
        Generator::Hugo => {
            let cover = get("cover");
            let hidden = cover
                .and_then(|c| c.get("hidden"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            match field(cover, "image").filter(|_| !hidden) {
                Some(src) => (src, field(cover, "alt"), field(cover, "caption")),
                None => {
                    let src = text(get("featuredImage"))
                        .or_else(|| text(get("featured_image")))
                        .or_else(|| text(get("image")))?;
                    (src, None, None)
                }
            }
        }
        Generator::Hexo => {
            let src = text(get("top_img"))
                .or_else(|| text(get("cover")))
                .or_else(|| text(get("banner_img")))?;
            (src, None, None)
        }
    };
    Some(Image {
        src,
        alt: caption.or(alt).unwrap_or_default(),
        title: None,
    })
}

/// Whether `blocks` hold a picture with the file name of `src`.
fn shown(blocks: &[Block], src: &str) -> bool {
    let name = |s: &str| {
        let path = s.split(['?', '#']).next().unwrap_or(s);
        path.rsplit('/').next().unwrap_or(path).to_string()
    };
    let wanted = name(src);
    let mut found = false;
    crate::model::walk(blocks, &mut |node| {
        if let crate::model::Node::Block(Block::Figure(img))
        | crate::model::Node::Inline(crate::model::Inline::Image(img)) = node
        {
            found |= name(&img.src) == wanted;
        }
        !found
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extra(yaml: &str) -> Vec<(String, Value)> {
        let map: serde_json::Map<String, Value> = serde_yaml_ng::from_str(yaml).unwrap();
        map.into_iter().collect()
    }

    #[test]
    fn each_theme_names_its_lead_picture() {
        let cases = [
            (
                Generator::Jekyll,
                "header:\n  overlay_image: /assets/a.jpg\n  caption: Dawn\n  teaser: t.jpg",
                "/assets/a.jpg",
                "Dawn",
            ),
            (
                Generator::Jekyll,
                "image:\n  path: b.png\n  alt: A boat\nmedia_subpath: /posts/2024",
                "/posts/2024/b.png",
                "A boat",
            ),
            (Generator::Jekyll, "image: /img/c.png", "/img/c.png", ""),
            (
                Generator::Jekyll,
                "cover-img: [\"/img/d.jpg\": \"Caption\"]",
                "/img/d.jpg",
                "",
            ),
            (
                Generator::Hugo,
                "cover:\n  image: cover.jpg\n  alt: Fields\n  caption: Fields at noon",
                "cover.jpg",
                "Fields at noon",
            ),
            (
                Generator::Hugo,
                "featuredImage: /images/f.webp",
                "/images/f.webp",
                "",
            ),
            (Generator::Hugo, "image: g.jpg", "g.jpg", ""),
            (
                Generator::Hexo,
                "cover: https://cdn.test/h.png",
                "https://cdn.test/h.png",
                "",
            ),
        ];
        for (generator, yaml, src, alt) in cases {
            let img = picture(generator, &extra(yaml)).unwrap_or_else(|| panic!("{yaml}"));
            assert_eq!((img.src.as_str(), img.alt.as_str()), (src, alt), "{yaml}");
        }
    }

    #[test]
    fn hidden_teasers_and_pictures_the_text_shows_are_not_leads() {
        for (generator, yaml) in [
            (Generator::Hugo, "cover:\n  image: c.jpg\n  hidden: true"),
            (Generator::Jekyll, "header:\n  teaser: t.jpg"),
            (
                Generator::Hexo,
                "index_img: /img/i.png\nthumbnail: t.png\ncover: false",
            ),
            (Generator::Hugo, "images: [social.png]"),
        ] {
            assert_eq!(pictures(generator, &extra(yaml), &[]), [], "{yaml}");
        }
        let body = [Block::Figure(Box::new(Image {
            src: "../assets/a.jpg?v=2".into(),
            alt: String::new(),
            title: None,
        }))];
        assert_eq!(
            pictures(Generator::Jekyll, &extra("image: /assets/a.jpg"), &body),
            []
        );
        // A Hexo gallery's photos follow its cover, but the one the text shows.
        let srcs: Vec<String> = pictures(
            Generator::Hexo,
            &extra("cover: /img/c.png\nphotos: [/g/a.png, '', ../assets/a.jpg]"),
            &body,
        )
        .into_iter()
        .map(|i| i.src)
        .collect();
        assert_eq!(srcs, ["/img/c.png", "/g/a.png"]);
    }
}
