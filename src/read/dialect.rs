//! The Markdown dialect: what postbook reads and writes, in one place for the reader, the
//! passes that must find code as the reader will ([`super::regions`]) and the tests that parse
//! notes back.

use pulldown_cmark::Options;

/// The Markdown dialect postbook writes: CommonMark with GitHub's tables, strikethrough,
/// footnotes and task lists, and `{#id}` heading anchors (Goldmark and kramdown both have them).
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// What postbook reads: its own dialect, and definition lists (`Term` then `: definition`),
/// which kramdown and Hugo's Goldmark both render and which it never writes.
pub fn read_options() -> Options {
    options() | Options::ENABLE_DEFINITION_LIST
}
