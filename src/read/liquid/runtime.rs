//! What the engine and its tags and filters share during one render: the [`Notes`] a render
//! takes for its warnings, the [`Lenient`] runtime that makes a missing variable `nil` as
//! Jekyll does, the partial-store marker of `include_relative`, and an error's first line.

use crate::warning::{Unknown, Warning, WarningKind};
use liquid_core::model::{KString, KStringCow, ScalarCow, ValueCow};
use liquid_core::runtime::{PartialStore, Registers, Runtime};
use liquid_core::{Error, Result, Value, ValueView};

/// Marks an `include_relative` name in the partial store (a name `_includes/` cannot have).
pub(super) const RELATIVE: &str = "\u{0}relative:";

/// What a render noted, for its warnings (the engine's per-render registers).
#[derive(Default)]
pub(super) struct Notes {
    pub(super) unknown_tags: Unknown,
    pub(super) unknown_filters: Unknown,
    pub(super) unknown_vars: Unknown,
    pub(super) missing_includes: Unknown,
    pub(super) broken_includes: Unknown,
    /// Filters that failed on their input ([`super::filters::make_forgiving`]).
    pub(super) failed_filters: Unknown,
    /// How deep includes are nested now.
    pub(super) depth: usize,
}

impl Notes {
    pub(super) fn into_warnings(self, warnings: &mut Vec<Warning>) {
        let liquid = WarningKind::UnknownLiquid;
        self.unknown_tags.into_warnings(
            liquid,
            "unknown Liquid tag",
            "a site plugin's? removed, the text around it kept",
            warnings,
        );
        self.unknown_filters.into_warnings(
            liquid,
            "unknown Liquid filter",
            "a site plugin's? its input passed through",
            warnings,
        );
        self.missing_includes.into_warnings(
            liquid,
            "unknown Liquid include",
            "not in the site's `_includes/`; removed",
            warnings,
        );
        self.unknown_vars
            .into_warnings(liquid, "unknown Liquid variable", "left empty", warnings);
        self.failed_filters.into_warnings(
            WarningKind::LiquidError,
            "Liquid filter failed",
            "its input passed through, the rest of the post's Liquid evaluated",
            warnings,
        );
        self.broken_includes.into_warnings(
            WarningKind::LiquidError,
            "Liquid include failed",
            "left out",
            warnings,
        );
    }
}

/// The first line of an engine error (the rest is a trace of the template).
pub(super) fn first_line(e: &Error) -> String {
    // A parse error reads `--> 1:6`, the text, a caret, then `= expected …`.
    let text = e.to_string();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let line = lines
        .iter()
        .find_map(|l| l.strip_prefix("= "))
        .or(lines.first().copied())
        .unwrap_or("");
    line.trim_start_matches("liquid:").trim().to_string()
}

/// A runtime on which a variable or key that does not exist is `nil`, as in Jekyll (the
/// engine's own runtime makes it an error). Unknown `site.*`, `page.*` and top-level names
/// are noted for a warning; `include.*` parameters are optional by design and are not.
pub(super) struct Lenient<R>(pub(super) R);

impl<R: Runtime> Runtime for Lenient<R> {
    fn partials(&self) -> &dyn PartialStore {
        self.0.partials()
    }
    fn name(&self) -> Option<liquid_core::model::KStringRef<'_>> {
        self.0.name()
    }
    fn roots(&self) -> std::collections::BTreeSet<KStringCow<'_>> {
        self.0.roots()
    }
    fn try_get(&self, path: &[ScalarCow<'_>]) -> Option<ValueCow<'_>> {
        self.0.try_get(path)
    }
    fn get(&self, path: &[ScalarCow<'_>]) -> Result<ValueCow<'_>> {
        if let Some(v) = self.0.try_get(path) {
            return Ok(v);
        }
        let root = path.first().map(|s| s.to_kstr().into_owned());
        if !matches!(
            root.as_deref(),
            Some("include" | "forloop" | "tablerowloop")
        ) {
            let name = path
                .iter()
                .map(|s| s.to_kstr().into_owned())
                .collect::<Vec<_>>()
                .join(".");
            self.registers().get_mut::<Notes>().unknown_vars.add(&name);
        }
        Ok(ValueCow::Owned(Value::Nil))
    }
    fn set_global(&self, name: KString, val: Value) -> Option<Value> {
        self.0.set_global(name, val)
    }
    fn set_index(&self, name: KString, val: Value) -> Option<Value> {
        self.0.set_index(name, val)
    }
    fn get_index<'a>(&'a self, name: &str) -> Option<ValueCow<'a>> {
        self.0.get_index(name)
    }
    fn registers(&self) -> &Registers {
        self.0.registers()
    }
}
