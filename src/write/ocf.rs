//! The OCF container: the zip file an EPUB is, written whole in memory.
//!
//! Why not the `zip` crate's writer (still used to read books): it deflates each entry with a
//! new zlib-rs stream, and cannot take data compressed elsewhere. libdeflate compresses a
//! whole buffer at once, which is what an entry is here, and is much faster: on 41 monthly
//! books of the synthetic archive (18,643 entries, 137 MB) libdeflate's level 1 took 0.69 s
//! against 1.66 s for zlib-rs's level 4 as the `zip` crate ran it, for entries 1.8% larger
//! (64.3 MB against 63.2 MB); deflate was 16.5% of the CPU time of 100,000 posts → monthly
//! EPUBs (`docs/performance.md`).
//!
//! What is written is the plainest zip every reader takes: local header, data, central
//! directory, end record, no data descriptors and no extra fields (ZIP64 ones only where a
//! count, size or offset does not fit in the 16 or 32 bits of the classic records, as APPNOTE
//! 4.5.3 asks: a book of over 65,535 files, or over 4 GiB). Every entry has the book's
//! modification time and the permissions `rw-r--r--`, so the same book gives the same bytes.

use chrono::{DateTime, Datelike, Timelike, Utc};
use libdeflater::{CompressionLvl, Compressor};
use std::collections::HashSet;

/// libdeflate's level for every deflated entry; see the module's note.
const DEFLATE_LEVEL: i32 = 1;

/// How an entry's data is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// As it is: `mimetype` (OCF requires it), and pictures compressed already.
    Stored,
    Deflated,
}

impl Method {
    /// The zip's compression method number.
    fn code(self) -> u16 {
        match self {
            Method::Stored => 0,
            Method::Deflated => 8,
        }
    }
}

/// A zip being written.
pub struct Container {
    bytes: Vec<u8>,
    /// The central directory's records, in the order entries were added.
    central: Vec<u8>,
    entries: u64,
    /// The names added, each once: a zip with two entries of one name is not a valid EPUB.
    names: HashSet<String>,
    /// The MS-DOS time and date every entry is stamped with.
    stamp: (u16, u16),
    compressor: Compressor,
    /// Where each deflated entry is compressed before it is copied in.
    scratch: Vec<u8>,
}

/// All ones in a classic record's 16- or 32-bit field: a value this large or larger is given
/// in the ZIP64 records instead, and the field says so by holding this.
const MAX_16: u64 = 0xFFFF;
const MAX_32: u64 = 0xFFFF_FFFF;

/// "Made by" Unix (3), so readers apply the permissions; spec version 2.0, or 4.5 for ZIP64.
const MADE_BY_UNIX: u16 = 3 << 8;
/// Regular file, `rw-r--r--`, in the high half of the external attributes.
const FILE_MODE: u32 = 0o100644 << 16;

impl Container {
    /// An empty container whose entries are stamped `modified` (zip times have no zone, a
    /// two-second resolution, and years 1980–2107: a time outside them is stamped 1980-01-01).
    pub fn new(modified: DateTime<Utc>) -> Container {
        let level = CompressionLvl::new(DEFLATE_LEVEL).expect("a libdeflate level");
        Container {
            bytes: Vec::new(),
            central: Vec::new(),
            entries: 0,
            names: HashSet::new(),
            stamp: dos_stamp(modified),
            compressor: Compressor::new(level),
            scratch: Vec::new(),
        }
    }

    /// Adds `data` as the file `name` (a path with `/`). Fails for a name already added, and
    /// for one longer than a zip header can hold (64 KiB).
    pub fn add(&mut self, name: &str, data: &[u8], method: Method) -> anyhow::Result<()> {
        if u16::try_from(name.len()).is_err() {
            let start: String = name.chars().take(40).collect();
            anyhow::bail!("cannot add {start}…: a zip file name is at most 65,535 bytes");
        }
        if !self.names.insert(name.to_string()) {
            anyhow::bail!("cannot add {name} to the EPUB twice");
        }
        let body: &[u8] = match method {
            Method::Stored => data,
            Method::Deflated => {
                let bound = self.compressor.deflate_compress_bound(data.len());
                self.scratch.resize(bound, 0);
                let written = self
                    .compressor
                    .deflate_compress(data, &mut self.scratch)
                    .expect("libdeflate's bound is enough");
                &self.scratch[..written]
            }
        };
        let entry = Entry {
            name,
            method,
            crc: crc32fast::hash(data),
            size: data.len() as u64,
            compressed: body.len() as u64,
            offset: self.bytes.len() as u64,
            stamp: self.stamp,
        };
        entry.write_local(&mut self.bytes);
        self.bytes.extend_from_slice(body);
        entry.write_central(&mut self.central);
        self.entries += 1;
        Ok(())
    }

    /// The zip's bytes: the entries, the central directory and the end records.
    pub fn finish(mut self) -> Vec<u8> {
        let start = self.bytes.len() as u64;
        let size = self.central.len() as u64;
        self.bytes.append(&mut self.central);
        let out = &mut self.bytes;
        if self.entries >= MAX_16 || size >= MAX_32 || start >= MAX_32 {
            let zip64_end = out.len() as u64;
            put32(out, 0x0606_4b50);
            put64(out, 44); // the size of the rest of this record
            put16(out, MADE_BY_UNIX | 45);
            put16(out, 45);
            put32(out, 0); // this disk
            put32(out, 0); // the central directory's disk
            put64(out, self.entries);
            put64(out, self.entries);
            put64(out, size);
            put64(out, start);
            put32(out, 0x0706_4b50); // the locator
            put32(out, 0);
            put64(out, zip64_end);
            put32(out, 1); // disks in all
        }
        put32(out, 0x0605_4b50);
        put16(out, 0);
        put16(out, 0);
        let count = self.entries.min(MAX_16) as u16;
        put16(out, count);
        put16(out, count);
        put32(out, size.min(MAX_32) as u32);
        put32(out, start.min(MAX_32) as u32);
        put16(out, 0); // no comment
        self.bytes
    }
}

/// One entry, as its two headers describe it.
struct Entry<'a> {
    name: &'a str,
    method: Method,
    crc: u32,
    size: u64,
    compressed: u64,
    offset: u64,
    stamp: (u16, u16),
}

impl Entry<'_> {
    /// Whether the sizes need the ZIP64 extra field.
    fn large(&self) -> bool {
        self.size >= MAX_32 || self.compressed >= MAX_32
    }

    fn version_needed(&self, zip64: bool) -> u16 {
        match (zip64, self.method) {
            (true, _) => 45,
            (false, Method::Deflated) => 20,
            (false, Method::Stored) => 10,
        }
    }

    /// Version needed, flags (bit 11: the name is UTF-8), method, time, date and CRC: the
    /// fields both headers share.
    fn common(&self, out: &mut Vec<u8>, zip64: bool) {
        put16(out, self.version_needed(zip64));
        put16(out, if self.name.is_ascii() { 0 } else { 1 << 11 });
        put16(out, self.method.code());
        put16(out, self.stamp.0);
        put16(out, self.stamp.1);
        put32(out, self.crc);
    }

    fn write_local(&self, out: &mut Vec<u8>) {
        let large = self.large();
        put32(out, 0x0403_4b50);
        self.common(out, large);
        if large {
            put32(out, MAX_32 as u32);
            put32(out, MAX_32 as u32);
        } else {
            put32(out, self.compressed as u32);
            put32(out, self.size as u32);
        }
        put16(out, self.name.len() as u16);
        put16(out, if large { 20 } else { 0 });
        out.extend_from_slice(self.name.as_bytes());
        if large {
            put16(out, 0x0001);
            put16(out, 16);
            put64(out, self.size);
            put64(out, self.compressed);
        }
    }

    fn write_central(&self, out: &mut Vec<u8>) {
        // The ZIP64 field holds, in this order, only the values too large for their own field.
        let wide: Vec<u64> = [self.size, self.compressed, self.offset]
            .into_iter()
            .filter(|&v| v >= MAX_32)
            .collect();
        let zip64 = !wide.is_empty();
        put32(out, 0x0201_4b50);
        put16(out, MADE_BY_UNIX | if zip64 { 45 } else { 20 });
        self.common(out, zip64);
        put32(out, self.compressed.min(MAX_32) as u32);
        put32(out, self.size.min(MAX_32) as u32);
        put16(out, self.name.len() as u16);
        put16(out, if zip64 { 4 + 8 * wide.len() as u16 } else { 0 });
        put16(out, 0); // no comment
        put16(out, 0); // disk
        put16(out, 0); // internal attributes
        put32(out, FILE_MODE);
        put32(out, self.offset.min(MAX_32) as u32);
        out.extend_from_slice(self.name.as_bytes());
        if zip64 {
            put16(out, 0x0001);
            put16(out, 8 * wide.len() as u16);
            for value in wide {
                put64(out, value);
            }
        }
    }
}

/// `time` as MS-DOS time and date fields.
fn dos_stamp(time: DateTime<Utc>) -> (u16, u16) {
    if !(1980..=2107).contains(&time.year()) {
        return (0, 1 << 5 | 1);
    }
    let clock = (time.hour() << 11 | time.minute() << 5 | (time.second() / 2)) as u16;
    let date = ((time.year() - 1980) as u32) << 9 | time.month() << 5 | time.day();
    (clock, date as u16)
}

fn put16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put64(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(&value.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::io::{Cursor, Read};

    fn stamp() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2023, 11, 14, 22, 13, 20).unwrap()
    }

    /// What the `zip` crate, a reader written apart from this writer, reads back.
    fn read_back(bytes: Vec<u8>) -> Vec<(String, zip::CompressionMethod, Vec<u8>, u32)> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut entry = zip.by_index(i).unwrap();
                let mut data = Vec::new();
                entry.read_to_end(&mut data).unwrap();
                let mode = entry.unix_mode().unwrap();
                (entry.name().to_string(), entry.compression(), data, mode)
            })
            .collect()
    }

    /// Stored and deflated entries, empty and large, ASCII and UTF-8 names, read back by
    /// another zip reader with their data (the CRCs are checked as it reads), methods, time
    /// and permissions.
    #[test]
    fn entries_read_back_as_they_were_added() {
        let text = "第一章 <p>postbook</p>\n".repeat(5000).into_bytes();
        let files: Vec<(&str, Vec<u8>, Method)> = vec![
            ("mimetype", b"application/epub+zip".to_vec(), Method::Stored),
            ("OEBPS/post-0001.xhtml", text.clone(), Method::Deflated),
            ("OEBPS/empty.css", Vec::new(), Method::Deflated),
            (
                "OEBPS/images/照片.jpg",
                vec![0xFF, 0xD8, 0xFF, 7],
                Method::Stored,
            ),
        ];
        let mut container = Container::new(stamp());
        for (name, data, method) in &files {
            container.add(name, data, *method).unwrap();
        }
        let bytes = container.finish();
        assert_eq!(&bytes[30..38], b"mimetype");
        assert_eq!(&bytes[38..58], b"application/epub+zip");
        assert!(bytes.len() < text.len() / 4, "deflated: {}", bytes.len());
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes.clone())).unwrap();
        let time = zip.by_index(1).unwrap().last_modified().unwrap();
        let fields = (time.year(), time.month(), time.day(), time.hour());
        assert_eq!(fields, (2023, 11, 14, 22));
        assert_eq!((time.minute(), time.second()), (13, 20));
        let back = read_back(bytes);
        assert_eq!(back.len(), files.len());
        for ((name, data, method), (got_name, got_method, got_data, mode)) in files.iter().zip(back)
        {
            assert_eq!(&got_name, name);
            let expected = match method {
                Method::Stored => zip::CompressionMethod::Stored,
                Method::Deflated => zip::CompressionMethod::Deflated,
            };
            assert_eq!(got_method, expected, "{name}");
            assert_eq!(&got_data, data, "{name}");
            assert_eq!(mode, 0o100644, "{name}");
        }
    }

    /// 65,535 entries or more need the ZIP64 end records (a count of all ones in the classic
    /// record says "see ZIP64"); a reader finds every entry.
    #[test]
    fn a_container_of_more_entries_than_16_bits_count_is_read_whole() {
        let zip64_locator = |bytes: &[u8]| bytes.windows(4).any(|w| w == [0x50, 0x4b, 6, 7]);
        let with = |count: usize| {
            let mut container = Container::new(stamp());
            for i in 0..count {
                container.add(&i.to_string(), &[], Method::Stored).unwrap();
            }
            container.finish()
        };
        assert!(!zip64_locator(&with(65_534)));
        let boundary = with(65_535);
        assert!(zip64_locator(&boundary));
        let zip = zip::ZipArchive::new(Cursor::new(boundary)).unwrap();
        assert_eq!(zip.len(), 65_535);
        let mut container = Container::new(stamp());
        let count = 70_000;
        for i in 0..count {
            let name = format!("OEBPS/p{i}.xhtml");
            container
                .add(&name, name.as_bytes(), Method::Stored)
                .unwrap();
        }
        let bytes = container.finish();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(zip.len(), count);
        let mut last = String::new();
        let name = format!("OEBPS/p{}.xhtml", count - 1);
        zip.by_name(&name)
            .unwrap()
            .read_to_string(&mut last)
            .unwrap();
        assert_eq!(last, name);
    }

    /// Past 4 GiB (too large to build in a test) the central record moves the offset into
    /// the ZIP64 field, and only the fields that overflow.
    #[test]
    fn an_entry_past_four_gibibytes_gets_its_offset_in_the_zip64_field() {
        let entry = Entry {
            name: "OEBPS/p.xhtml",
            method: Method::Deflated,
            crc: 7,
            size: 100,
            compressed: 50,
            offset: 5 << 30,
            stamp: (0, 33),
        };
        let mut central = Vec::new();
        entry.write_central(&mut central);
        let u16_at = |i: usize| u16::from_le_bytes([central[i], central[i + 1]]);
        let u32_at = |i: usize| u32::from_le_bytes(central[i..i + 4].try_into().unwrap());
        assert_eq!(u16_at(6), 45, "version needed");
        assert_eq!((u32_at(20), u32_at(24)), (50, 100), "sizes fit");
        assert_eq!(u32_at(42), u32::MAX, "the offset does not");
        assert_eq!(u16_at(30), 12, "extra field length");
        let extra = &central[46 + entry.name.len()..];
        assert_eq!(extra[..4], [1, 0, 8, 0]);
        assert_eq!(
            u64::from_le_bytes(extra[4..12].try_into().unwrap()),
            5 << 30
        );
        let mut local = Vec::new();
        entry.write_local(&mut local);
        assert_eq!(local.len(), 30 + entry.name.len(), "no extra field locally");
    }

    #[test]
    fn a_name_added_twice_is_refused() {
        let mut container = Container::new(stamp());
        container
            .add("OEBPS/a.xhtml", b"x", Method::Deflated)
            .unwrap();
        let err = container
            .add("OEBPS/a.xhtml", b"y", Method::Stored)
            .unwrap_err();
        assert!(err.to_string().contains("OEBPS/a.xhtml"), "{err}");
        let back = read_back(container.finish());
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].2, b"x");
    }

    #[test]
    fn a_name_too_long_for_the_header_is_refused() {
        let mut container = Container::new(stamp());
        let name = format!("OEBPS/{}.xhtml", "页".repeat(30_000));
        let err = container.add(&name, b"x", Method::Deflated).unwrap_err();
        assert!(err.to_string().contains("at most 65,535 bytes"), "{err}");
        container
            .add("OEBPS/a.xhtml", b"x", Method::Deflated)
            .unwrap();
        let bytes = container.finish();
        assert_eq!(read_back(bytes).len(), 1);
    }

    #[test]
    fn times_outside_the_zip_range_become_1980() {
        let early = Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(dos_stamp(early), (0, 33));
        let (clock, date) = dos_stamp(stamp());
        assert_eq!(date >> 9, 43);
        assert_eq!((date >> 5 & 15, date & 31), (11, 14));
        assert_eq!((clock >> 11, clock >> 5 & 63, clock & 31), (22, 13, 10));
    }
}
