//! Positions in source text, for errors that point at a line and column (front matter,
//! `postbook.toml`).

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    // A parser's offset may fall inside a character (an error at an invalid byte): counted
    // from the start of that character.
    let mut end = offset.min(src.len());
    while !src.is_char_boundary(end) {
        end -= 1;
    }
    let before = &src[..end];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_offset_inside_a_character_counts_from_its_start() {
        let src = "a = 1\nb = \"中文\"";
        let inside = src.find('中').unwrap() + 1;
        assert_eq!(super::line_col(src, inside), (2, 6));
        assert_eq!(super::line_col(src, src.len() + 9), (2, 9));
    }
}
