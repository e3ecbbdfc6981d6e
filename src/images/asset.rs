//! A picture ready to be stored in a book or beside a note.

/// Picture bytes ready to embed, with their detected type.
#[derive(Debug, Clone)]
pub struct Asset {
    pub bytes: Vec<u8>,
    /// A media type every EPUB 3 reader must support (`image/jpeg`, `png`, `gif`, `svg+xml`).
    pub media_type: &'static str,
    pub extension: &'static str,
    /// Width and height in pixels, when known (not for SVG).
    pub dimensions: Option<(u32, u32)>,
}

impl Asset {
    pub fn new(bytes: Vec<u8>, media_type: &'static str, extension: &'static str) -> Asset {
        Asset {
            bytes,
            media_type,
            extension,
            dimensions: None,
        }
    }

    /// A file name from the content (`3f2a….jpg`): identical pictures get one file.
    pub fn file_name(&self) -> String {
        let mut name = crate::output::sha256_hex(&self.bytes);
        name.truncate(16);
        format!("{name}.{}", self.extension)
    }
}
