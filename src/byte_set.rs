//! Sets of bytes as 256-entry tables, built at compile time: the scans that look at every byte
//! of a text (escaping for Markdown, checking URLs) find a byte's class with one lookup.

/// The set of the bytes in `members`.
pub const fn of(members: &[u8]) -> [bool; 256] {
    let mut set = [false; 256];
    let mut i = 0;
    while i < members.len() {
        set[members[i] as usize] = true;
        i += 1;
    }
    set
}

#[cfg(test)]
mod tests {
    #[test]
    fn holds_exactly_its_members() {
        let set = super::of(b"a%\xff");
        let members: Vec<u8> = (0..=255u8).filter(|&b| set[usize::from(b)]).collect();
        assert_eq!(members, b"%a\xff");
    }
}
