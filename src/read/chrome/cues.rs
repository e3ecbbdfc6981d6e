//! The words chrome is recognized by: labels of related-article lists and share bars,
//! subscription invitations, and button prompts, in the languages of news sites; matched as
//! whole labels only, never as words inside a sentence.

/// When `text` starts with one of `cues` as a whole label (followed by nothing, a colon, a
/// dash or a space), the number of non-whitespace characters of that label and its separator.
pub(super) fn cue_prefix(text: &str, cues: &Cues) -> Option<usize> {
    let text = text.trim_start_matches(['【', '[', '〖', '《', '■', '▶', '►', '»', ' ']);
    let first = &text.as_bytes()[..text.chars().next()?.len_utf8()];
    if !cues.may_start(first) {
        return None;
    }
    for cue in cues.words {
        // Most labels are not cues: compare whole cues only when the first character matches.
        if !cue
            .as_bytes()
            .get(..first.len())
            .is_some_and(|c| c.eq_ignore_ascii_case(first))
        {
            continue;
        }
        let Some(head) = text.get(..cue.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(cue) {
            continue;
        }
        let rest = &text[cue.len()..];
        let sep: String = rest
            .chars()
            .take_while(|c| {
                matches!(
                    c,
                    ':' | '：'
                        | '】'
                        | ']'
                        | '〗'
                        | '》'
                        | '|'
                        | '｜'
                        | '丨'
                        | '-'
                        | '—'
                        | '>'
                        | '»'
                        | ' '
                )
            })
            .collect();
        let after = &rest[sep.len()..];
        // A whole label: the cue ends there or at punctuation (not "Related to this, the
        // minister said"; a space ends a label only in scripts without spaces between words).
        let whole =
            after.is_empty() || !sep.trim().is_empty() || (!sep.is_empty() && !cue.is_ascii());
        if whole {
            let n = cue.chars().filter(|c| !c.is_whitespace()).count()
                + sep.chars().filter(|c| !c.is_whitespace()).count();
            return Some(n);
        }
    }
    None
}

pub(super) fn contains_cue(text: &str, cues: &[&str]) -> bool {
    let lower = text.to_lowercase();
    cues.iter().any(|c| lower.contains(c))
}

/// Words that start labels (or make up prompts), with a filter on their first character: most
/// text starts none of them, and the finder looks at the first text of every block of every
/// post.
pub(super) struct Cues {
    words: &'static [&'static str],
    /// Bit `first_char_key(w)` is set for every word `w`.
    firsts: [u64; 16],
}

impl Cues {
    const fn new(words: &'static [&'static str]) -> Cues {
        let mut firsts = [0; 16];
        let mut i = 0;
        while i < words.len() {
            let k = first_char_key(words[i].as_bytes());
            firsts[k / 64] |= 1 << (k % 64);
            i += 1;
        }
        Cues { words, firsts }
    }

    /// Whether a word may start with the character whose UTF-8 bytes `first` starts with (false
    /// means none does; true may be a collision).
    fn may_start(&self, first: &[u8]) -> bool {
        let k = first_char_key(first);
        self.firsts[k / 64] >> (k % 64) & 1 == 1
    }
}

/// The first character's bytes, ASCII folded to lower case, hashed to 10 bits.
pub(super) const fn first_char_key(bytes: &[u8]) -> usize {
    let len = match bytes[0] {
        0..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    };
    let mut h: u32 = 0;
    let mut i = 0;
    while i < len && i < bytes.len() {
        h = h
            .wrapping_mul(31)
            .wrapping_add(bytes[i].to_ascii_lowercase() as u32);
        i += 1;
    }
    (h % 1024) as usize
}

/// Labels of related-article lists, in the languages of news sites.
pub(super) static RELATED_CUES: Cues = Cues::new(&[
    "延伸閱讀",
    "延伸阅读",
    "相關閱讀",
    "相关阅读",
    "相關新聞",
    "相关新闻",
    "相關報導",
    "相关报道",
    "相關文章",
    "相关文章",
    "推薦閱讀",
    "推荐阅读",
    "推荐文章",
    "猜你喜歡",
    "猜你喜欢",
    "更多新聞",
    "更多新闻",
    "更多報導",
    "往期回顾",
    "往期回顧",
    "热门文章",
    "熱門文章",
    "閱讀更多",
    "阅读更多",
    "関連記事",
    "関連ニュース",
    "あわせて読みたい",
    "관련 기사",
    "관련기사",
    "Related articles",
    "Related stories",
    "Related coverage",
    "Related content",
    "Related links",
    "Related news",
    "Related posts",
    "Related reading",
    "Related",
    "Read more",
    "Read also",
    "Read next",
    "More on this story",
    "More from",
    "Recommended",
    "You may also like",
    "You might also like",
    "Also read",
    "See also",
    "Lire aussi",
    "À lire aussi",
    "Mehr zum Thema",
    "Lesen Sie auch",
    "Leer más",
    "Te puede interesar",
    "Leia também",
]);

/// Labels of share bars.
pub(super) static SHARE_CUES: Cues = Cues::new(&[
    "分享到",
    "分享至",
    "分享",
    "分享本文",
    "Share this article",
    "Share this story",
    "Share this",
    "Share on",
    "Share",
    "シェア",
    "共有",
    "공유하기",
    "Partager",
    "Teilen",
    "Compartir",
]);

/// Words of a subscription invitation (lowercase).
pub(super) const SUBSCRIBE_CUES: &[&str] = &[
    "订阅",
    "訂閱",
    "电子报",
    "電子報",
    "newsletter",
    "subscribe",
    "sign up",
    "メルマガ",
    "購読",
    "구독",
    "abonnez",
    "abonnieren",
    "suscríbete",
];

/// Words asking to subscribe (lowercase): a line that names a newsletter is not yet an
/// invitation ("Newsletters" is also a category).
pub(super) const SUBSCRIBE_VERBS: &[&str] = &[
    "订阅",
    "訂閱",
    "subscribe",
    "sign up",
    "購読",
    "登録",
    "구독",
    "abonnez",
    "abonnieren",
    "suscríbete",
];

/// Whole-block texts of buttons and prompts (compared without case, spaces and arrows).
pub(super) static PROMPTS: Cues = Cues::new(&[
    "点击查看大图",
    "點擊查看大圖",
    "点击看大图",
    "點擊看大圖",
    "点击图片查看大图",
    "点击放大",
    "點擊放大",
    "查看大图",
    "查看原图",
    "继续阅读",
    "繼續閱讀",
    "阅读全文",
    "閱讀全文",
    "查看全文",
    "阅读原文",
    "閱讀原文",
    "查看原文",
    "展开全文",
    "展開全文",
    "点击阅读全文",
    "點擊閱讀全文",
    "clicktoenlarge",
    "clicktoexpand",
    "clickheretoenlarge",
    "continuereading",
    "continuereadingthemainstory",
    "continuereadingthestory",
    "readmore",
    "readthefullstory",
    "readthefullarticle",
    "readfullstory",
    "readfullarticle",
    "続きを読む",
    "もっと見る",
    "拡大する",
    "더보기",
    "계속읽기",
    "lirelasuite",
    "weiterlesen",
    "leermás",
]);

/// Text longer than this, in bytes, is never a prompt.
pub(super) const PROMPT_LEN: usize = 80;

/// Whether `text` is nothing but a prompt ("点击查看大图", "Continue reading »").
pub(super) fn is_prompt(text: &str) -> bool {
    if text.len() > PROMPT_LEN {
        return false;
    }
    // Most text is no prompt: its first letter already says so (this runs on every short text).
    let Some(first) = text.chars().find(|c| c.is_alphanumeric()) else {
        return false;
    };
    let first = first.to_lowercase().next().unwrap_or(first);
    if !PROMPTS.may_start(first.encode_utf8(&mut [0; 4]).as_bytes()) {
        return false;
    }
    // The key (letters and digits, lowercase) in a buffer on the stack: this runs on every
    // short label of every post.
    let mut buf = [0u8; 96];
    let mut len = 0;
    for c in text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
    {
        if len + c.len_utf8() > buf.len() {
            return false;
        }
        len += c.encode_utf8(&mut buf[len..]).len();
    }
    let key = std::str::from_utf8(&buf[..len]).unwrap_or_default();
    !key.is_empty() && PROMPTS.words.contains(&key)
}
