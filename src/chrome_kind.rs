//! The kinds of site chrome (see [`crate::read::chrome`]) and the set of kinds a run keeps:
//! named by the options (`--keep-chrome related,widget`), used by the reader that removes
//! chrome and by the report that counts it. A leaf module, so that the options (which the
//! writers read) need not know the reader.

/// What a removed block was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Form labels, inputs and buttons.
    Form,
    /// Newsletter and subscription boxes or lines.
    Newsletter,
    /// Share bars and social buttons.
    Share,
    /// "Read more" / related-article lists.
    Related,
    /// Ads, promos, banners.
    Promo,
    /// Toolbars, breadcrumbs, pagination, site navigation.
    Navigation,
    /// "Click to enlarge", "continue reading" and other buttons.
    Prompt,
    /// Labels of interactive graphics.
    Widget,
    /// The site's or the mirror's footer.
    Footer,
    /// Short blocks repeated word for word across many posts of one source.
    Boilerplate,
}

impl Kind {
    /// Every kind, in declaration order (the index of each in [`Counts`]).
    pub const ALL: [Kind; 10] = [
        Kind::Form,
        Kind::Newsletter,
        Kind::Share,
        Kind::Related,
        Kind::Promo,
        Kind::Navigation,
        Kind::Prompt,
        Kind::Widget,
        Kind::Footer,
        Kind::Boilerplate,
    ];

    /// Every kind in the order of its name: the order of the report's maps.
    pub(crate) const BY_NAME: [Kind; 10] = [
        Kind::Boilerplate,
        Kind::Footer,
        Kind::Form,
        Kind::Navigation,
        Kind::Newsletter,
        Kind::Promo,
        Kind::Prompt,
        Kind::Related,
        Kind::Share,
        Kind::Widget,
    ];

    /// The name used in the report and on stderr.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Form => "form",
            Kind::Newsletter => "newsletter",
            Kind::Share => "share",
            Kind::Related => "related",
            Kind::Promo => "promo",
            Kind::Navigation => "navigation",
            Kind::Prompt => "prompt",
            Kind::Widget => "widget",
            Kind::Footer => "footer",
            Kind::Boilerplate => "boilerplate",
        }
    }
}

/// The kinds of chrome a run keeps (`--keep-chrome`, or `--keep-chrome related,widget`): none
/// by default, every kind with a bare `--keep-chrome`. A bit per [`Kind`], so it is `Copy` and
/// goes into [`crate::read::ReadOptions`] free.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Kept(u16);

impl Kept {
    /// Nothing kept: every kind of chrome is removed.
    pub const NONE: Kept = Kept(0);
    /// Everything kept: nothing is removed (also what an authored post gets, see
    /// `read::chrome::scope`).
    pub const ALL: Kept = Kept((1 << Kind::ALL.len()) - 1);

    /// Only `kinds` kept.
    pub fn of(kinds: &[Kind]) -> Kept {
        Kept(kinds.iter().fold(0, |bits, &k| bits | 1 << k as u16))
    }

    pub fn keeps(self, kind: Kind) -> bool {
        self.0 & (1 << kind as u16) != 0
    }

    /// Whether some kind of chrome is removed.
    pub fn removes_any(self) -> bool {
        self != Kept::ALL
    }

    /// The kept kinds in name order.
    pub fn kinds(self) -> impl Iterator<Item = Kind> {
        Kind::BY_NAME.into_iter().filter(move |&k| self.keeps(k))
    }

    /// Parses a comma list of kind names (`related,widget`), or `all`.
    pub fn parse(list: &str) -> Result<Kept, String> {
        let mut kinds = Vec::new();
        for name in list.split(',').map(str::trim) {
            if name.eq_ignore_ascii_case("all") {
                return Ok(Kept::ALL);
            }
            match Kind::ALL
                .into_iter()
                .find(|k| k.name().eq_ignore_ascii_case(name))
            {
                Some(kind) => kinds.push(kind),
                None => {
                    let names: Vec<&str> = Kind::BY_NAME.iter().map(|k| k.name()).collect();
                    return Err(format!(
                        "unknown kind of chrome {name:?}; the kinds are all, {}",
                        names.join(", ")
                    ));
                }
            }
        }
        Ok(Kept::of(&kinds))
    }
}

/// Serialized (in fingerprints and the cache header) as the list of kept kind names.
impl serde::Serialize for Kept {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.kinds().map(Kind::name))
    }
}

impl<'de> serde::Deserialize<'de> for Kept {
    /// Names this version does not know are left out (as for `read::chrome::Counts`).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Kept, D::Error> {
        let names = Vec::<String>::deserialize(deserializer)?;
        let kinds: Vec<Kind> = names
            .iter()
            .filter_map(|n| Kind::ALL.into_iter().find(|k| k.name() == n))
            .collect();
        Ok(Kept::of(&kinds))
    }
}
