//! What chrome removal takes out of a post and how it is counted: the kinds of chrome, the
//! [`Cleaning`] a read carries (`--keep-chrome` or not, and what was removed), the per-kind
//! [`Counts`] of the report.

pub use crate::chrome_kind::{Kept, Kind};

/// One block taken out of a post, with its visible text (for `-v`, and for tests that check
/// no article sentence is among them).
#[derive(Debug, Clone, PartialEq)]
pub struct Removed {
    pub kind: Kind,
    pub text: String,
}

/// Above this many characters of text outside links, a block is article, whatever its names.
pub const MAX_PROSE: usize = 200;

/// Which kinds of chrome are being removed from the post being read (none with
/// `--keep-chrome`, none from an authored post: see [`super::scope`]), and what was removed
/// from it, in order. `read::read_post_with` makes one per post and passes it
/// down the readers that find chrome: the Markdown reader renders to HTML, which the HTML reader
/// parses ([`mark`]), then [`clean_blocks`] looks at the blocks. `Cleaning::default()` removes
/// chrome, as a run without `--keep-chrome` does (the readers' unit tests use it).
#[derive(Debug, Default)]
pub struct Cleaning {
    keep: Kept,
    removed: Vec<Removed>,
}

impl Cleaning {
    /// Chrome removal of every kind but the `keep` ones.
    pub fn new(keep: Kept) -> Cleaning {
        Cleaning {
            keep,
            removed: Vec::new(),
        }
    }

    /// Whether any kind of chrome is being removed.
    pub fn removing(&self) -> bool {
        self.keep.removes_any()
    }

    /// Whether chrome of `kind` is being removed.
    pub fn removes(&self, kind: Kind) -> bool {
        !self.keep.keeps(kind)
    }

    /// What was removed, in the order it was found.
    pub fn into_removed(self) -> Vec<Removed> {
        self.removed
    }

    /// Records an iframe of an unknown site dropped from a web page's body (an ad slot, see
    /// [`crate::read::embed`]): `promo` chrome, shown by its source.
    pub fn record_ad_slot(&mut self, src: &str) {
        self.record(Kind::Promo, format!("<iframe src=\"{src}\">"));
    }

    pub(super) fn record(&mut self, kind: Kind, text: String) {
        self.removed.push(Removed { kind, text });
    }
}

/// How many blocks of each kind were removed: the report's `chrome_removed`, per post and in
/// all. A fixed array rather than a map because every post's is held until the run ends (in its
/// record and its cache entry): a map's first node alone is ~400 bytes, which at 100,000 posts
/// was a quarter of the run's peak memory. Serialized as a map from kind name to count, in name
/// order, zeros left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts([u32; Kind::ALL.len()]);

impl Counts {
    /// The count of each kind in `removed`.
    pub fn of(removed: &[Removed]) -> Counts {
        let mut counts = Counts::default();
        for r in removed {
            counts.add(r.kind, 1);
        }
        counts
    }

    pub fn add(&mut self, kind: Kind, n: u32) {
        let slot = &mut self.0[kind as usize];
        *slot = slot.saturating_add(n);
    }

    pub fn get(&self, kind: Kind) -> u32 {
        self.0[kind as usize]
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&n| n == 0)
    }

    /// Adds every count of `other`.
    pub fn add_all(&mut self, other: &Counts) {
        for kind in Kind::ALL {
            self.add(kind, other.get(kind));
        }
    }

    /// The kinds with a count, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (Kind, u32)> + '_ {
        Kind::BY_NAME
            .iter()
            .map(|&kind| (kind, self.get(kind)))
            .filter(|&(_, n)| n > 0)
    }
}

impl serde::Serialize for Counts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter().map(|(kind, n)| (kind.name(), n)))
    }
}

impl<'de> serde::Deserialize<'de> for Counts {
    /// Kind names this version does not know (from a cache another version wrote) are left out.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Counts, D::Error> {
        let map = std::collections::BTreeMap::<String, u32>::deserialize(deserializer)?;
        let mut counts = Counts::default();
        for (name, n) in map {
            if let Some(kind) = Kind::ALL.into_iter().find(|k| k.name() == name) {
                counts.add(kind, n);
            }
        }
        Ok(counts)
    }
}
