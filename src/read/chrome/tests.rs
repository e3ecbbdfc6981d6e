use super::boilerplate::{boilerplate, edge_hashes, remove_boilerplate};
use super::cleanup::{block_text, clean_blocks, host_of};
use super::cues::{cue_prefix, is_prompt, RELATED_CUES, SHARE_CUES};
use super::mark::{for_each_word, visible_chars};
use super::removal::{Cleaning, Counts, Kept, Kind, Removed};
use crate::model::{Block, Inline, Meta};
use crate::read::html::read_html_with;

#[test]
fn characters_are_counted_on_bytes() {
    for text in [
        "",
        "  a b\tc\n",
        "中文，测试。“引号”",
        "non\u{a0}breaking\u{3000}ideographic\u{2003}em\u{0b}vt",
        &"长句子。".repeat(300),
    ] {
        let visible = text.chars().filter(|c| !c.is_ascii_whitespace()).count();
        assert_eq!(visible_chars(text), visible, "{text}");
    }
}

#[test]
fn hosts_are_compared_without_case_port_or_www() {
    assert_eq!(
        host_of("https://www.Example.com:443/x").as_deref(),
        Some("example.com")
    );
    assert_eq!(
        host_of("https://news.example.com/a").as_deref(),
        Some("news.example.com")
    );
}

#[test]
fn counts_index_every_kind_and_serialize_in_name_order() {
    for (i, kind) in Kind::ALL.into_iter().enumerate() {
        assert_eq!(kind as usize, i, "{kind:?}");
    }
    let names: Vec<&str> = Kind::BY_NAME.iter().map(|k| k.name()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(names, sorted);
    assert_eq!(names.len(), Kind::ALL.len());

    let removed = |kind| Removed {
        kind,
        text: String::new(),
    };
    let mut counts = Counts::of(&[
        removed(Kind::Share),
        removed(Kind::Footer),
        removed(Kind::Share),
    ]);
    counts.add(Kind::Boilerplate, 0);
    let json = serde_json::to_string(&counts).unwrap();
    assert_eq!(json, r#"{"footer":1,"share":2}"#);
    // Names another version wrote and this one does not know are dropped.
    let read: Counts = serde_json::from_str(r#"{"footer":1,"share":2,"sidebar":7}"#).unwrap();
    assert_eq!(read, counts);
    assert!(Counts::default().is_empty() && !counts.is_empty());
}

/// Reads `html` as a post body, removing chrome; returns the text of the blocks kept and what
/// was removed, by kind.
fn clean(html: &str) -> (String, Vec<(Kind, String)>) {
    let mut cleaning = Cleaning::new(Kept::NONE);
    let mut blocks = read_html_with(html, &mut Vec::new(), &mut cleaning);
    let meta = Meta {
        source: Some("https://www.example-news.test/a/1".into()),
        ..Meta::default()
    };
    clean_blocks(&mut blocks, &meta, &mut cleaning);
    let removed = cleaning.into_removed();
    let text = blocks.iter().map(block_text).collect::<Vec<_>>().join("\n");
    (
        text,
        removed.into_iter().map(|r| (r.kind, r.text)).collect(),
    )
}

fn words(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_word(value, |w| out.push(String::from_utf8(w.to_vec()).unwrap()));
    assert_eq!(out.pop().as_deref(), Some(""));
    out
}

#[test]
fn class_names_split_into_words() {
    assert_eq!(
        words("mySubscriptionInner"),
        ["my", "subscription", "inner"]
    );
    assert_eq!(words("o-self-promo--nl"), ["o", "self", "promo", "nl"]);
    assert_eq!(words("ads_KbHEVhh8Rw"), ["ads", "kb", "hevhh8", "rw"]);
    assert_eq!(words("shadow header"), ["shadow", "header"]);
}

#[test]
fn labels_are_whole() {
    assert_eq!(
        cue_prefix("延伸阅读：德国哈勒市枪击案", &RELATED_CUES),
        Some(5)
    );
    assert_eq!(cue_prefix("Related articles", &RELATED_CUES), Some(15));
    assert_eq!(cue_prefix("Related: more", &RELATED_CUES), Some(8));
    assert_eq!(
        cue_prefix("Related to this, the minister said", &RELATED_CUES),
        None
    );
    assert_eq!(cue_prefix("分享经济发展迅速", &SHARE_CUES), None);
    assert!(is_prompt("Continue reading »") && is_prompt("点击查看大图"));
    assert!(!is_prompt("Continue reading the report, she said"));
}

#[test]
fn a_sign_up_box_goes_with_its_labels_and_messages() {
    let (text, removed) = clean(
        "<p>正文第一段。</p><div class='SubscriptionInner'><div>訂閱《早安世界》電子報</div>\
         <input type='text' placeholder='請輸入電子信箱'><div class='errorMsg'>請輸入正確的電子信箱格式</div>\
         <a href='javascript:'>訂閱</a><div>感謝您的訂閱！</div></div><p>正文第二段。</p>",
    );
    assert_eq!(text, "正文第一段。\n正文第二段。");
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].0, Kind::Newsletter);
    assert!(removed[0].1.contains("請輸入正確的電子信箱格式"));
}

#[test]
fn names_without_matching_content_are_not_enough() {
    // A scraped site that puts its article text in boxes named like a sign-up form.
    let html = "<p>第一段。</p><div class=\"subscriInnTitle\">新疆这一波疫情爆发前，当地民众最先发消息指当地疫情恶化。</div>\
                <div class=\"social-embed\"><blockquote>Today they sanctioned me — Marco Rubio</blockquote></div>";
    let (text, removed) = clean(html);
    assert!(
        text.contains("新疆这一波疫情爆发前") && text.contains("sanctioned me"),
        "{text}"
    );
    assert!(removed.is_empty(), "{removed:?}");
}

#[test]
fn a_cue_word_inside_a_sentence_is_not_a_label() {
    let html =
        "<p>Chinese scholars in turn <a href=\"https://x.test/1\">recommended</a> that other \
                countries use the hospitals.</p><p>延伸阅读这本书的读者不多。</p>";
    let (text, removed) = clean(html);
    assert!(text.contains("recommended that other") && text.contains("延伸阅读这本书"));
    assert!(removed.is_empty(), "{removed:?}");
}

#[test]
fn related_lists_labelled_or_linking_home_go() {
    let (text, removed) = clean(
        "<p>Body.</p><p><a href=\"https://www.example-news.test/b\">延伸阅读：另一篇</a></p>\
         <p>相关阅读：</p><blockquote><p><a href=\"https://other.test/x\">一</a></p></blockquote>\
         <p>More body.</p><ul><li><a href=\"https://example-news.test/c\">C</a></li>\
         <li><a href=\"https://cn.example-news.test/d\">D</a></li></ul>",
    );
    assert_eq!(text, "Body.\nMore body.");
    assert!(
        removed.iter().all(|(k, _)| *k == Kind::Related),
        "{removed:?}"
    );
    assert_eq!(removed.len(), 4);
    // A list of links to other sites at the end is a list of sources: kept.
    let (text, _) = clean(
        "<p>Sources:</p><ul><li><a href=\"https://un.test/r.pdf\">UN report</a></li>\
         <li><a href=\"https://who.test/s.pdf\">WHO study</a></li></ul>",
    );
    assert!(text.contains("UN report") && text.contains("WHO study"));
}

#[test]
fn share_bars_prompts_and_graphic_labels_go_pictures_stay() {
    let (text, removed) = clean(
        "<div class=\"service-links\"><a href=\"https://twitter.com/share?url=x\"><img src=\"t.png\" alt=\"Twitter logo\"></a></div>\
         <div class=\"pic\"><img src=\"https://i.test/p.jpg\" alt=\"港口\"><p>点击查看大图</p></div>\
         <div><img src=\"https://i.test/map.png\" alt=\"map\"><p style=\"top: 12%; left: 40%;\">Tokyo 4/2</p></div>\
         <p>正文。</p>",
    );
    assert_eq!(text, "港口\nmap\n正文。");
    let kinds: Vec<Kind> = removed.iter().map(|(k, _)| *k).collect();
    assert_eq!(kinds, [Kind::Share, Kind::Prompt, Kind::Widget]);
}

#[test]
fn a_mirror_footer_after_a_rule_goes_a_closing_link_stays() {
    let (text, removed) = clean(
        "<p>正文。</p><br><hr><div>获取更多RSS：<br><a href=\"https://feedx.net\">https://feedx.net</a></div>",
    );
    assert_eq!(text, "正文。");
    assert_eq!(removed[0].0, Kind::Footer);
    let (text, removed) = clean("<p>最後再次附上網址：<a href=\"https://my.flightradar24.com/\">https://my.flightradar24.com/</a></p>");
    assert!(text.contains("flightradar24") && removed.is_empty());
}

#[test]
fn keep_chrome_removes_nothing() {
    let html =
        "<div class=\"share\"><a href=\"https://twitter.com/share?u=1\">Tweet</a></div><p>x</p>";
    let mut cleaning = Cleaning::new(Kept::ALL);
    let blocks = read_html_with(html, &mut Vec::new(), &mut cleaning);
    let removed = cleaning.into_removed();
    assert_eq!(blocks.len(), 2);
    assert!(removed.is_empty());
}

#[test]
fn boilerplate_needs_five_posts_of_one_source() {
    let meta = |host: &str| Meta {
        source: Some(format!("https://{host}/story")),
        ..Meta::default()
    };
    let para = |s: &str| Block::Paragraph(vec![Inline::Text(s.into())]);
    let sign_off = "© Harbour Times Media Group. All rights reserved.";
    let post = |i: usize| {
        vec![
            para(&format!("Story {i} has its own words.")),
            para(sign_off),
        ]
    };
    let mut hashes: Vec<Vec<u64>> = (0..5)
        .map(|i| edge_hashes(&meta("a.test"), &post(i)))
        .collect();
    // The same line from another source does not count for this one.
    hashes.push(edge_hashes(&meta("b.test"), &post(9)));
    let set = boilerplate(hashes.iter().map(Vec::as_slice));
    assert_eq!(set.len(), 1);
    let mut blocks = post(1);
    let removed = remove_boilerplate(&meta("a.test"), &mut blocks, &set);
    assert_eq!(blocks, vec![para("Story 1 has its own words.")]);
    assert_eq!(removed[0].kind, Kind::Boilerplate);
    let mut other = post(9);
    assert!(remove_boilerplate(&meta("b.test"), &mut other, &set).is_empty());
    // Short unlinked lines are credits, never boilerplate.
    assert!(edge_hashes(&meta("a.test"), &[para("责任编辑：叶紫微")]).is_empty());
}
