//! Prepare: apply `--images` to the posts and, when pictures will be embedded, resolve,
//! download and prepare them all before any writing starts (see [`ImageStore`]). Tracking
//! pixels are removed from the posts here, so no writer has to know about them.

use super::report::{add_image_counts, Report};
use crate::diag::progress_bar;
use crate::images::{AssetSource, ImageOptions, ImagePolicy, ImageStore, Lookup};
use crate::model::Document;
use crate::options::Verbosity;
use anyhow::Result;
use std::path::Path;

/// What preparing pictures needs to know.
pub(crate) struct Pictures<'a> {
    pub images: &'a ImageOptions,
    /// Where local pictures are found (see [`crate::options::Options::image_root`]).
    pub root: &'a Path,
    /// Every output embeds pictures in itself (books), rather than linking to them.
    pub embedded: bool,
    /// Notes could save pictures beside them: written into a folder, not a dry run.
    pub saving: bool,
    pub verbosity: Verbosity,
}

/// Prepares every picture the outputs will hold (`--images strip` was applied with the other
/// post passes, [`super::passes`]): `None` when none will (notes that link to their pictures).
pub(crate) fn pictures(
    how: &Pictures,
    docs: &mut [Document],
    report: &mut Report,
) -> Result<Option<ImageStore>> {
    let needed = how.embedded || (how.images.policy == ImagePolicy::Embed && how.saving);
    if !needed {
        return Ok(None);
    }
    let progress = progress_bar(how.verbosity, "images");
    let refs: Vec<&Document> = docs.iter().collect();
    let store = ImageStore::prepare(&refs, how.root, how.images, &progress)
        .map_err(|e| anyhow::anyhow!("cannot prepare images: {e}"))?;
    progress.finish_and_clear();
    remove_tracking_pixels(docs, &store);
    add_image_counts(report, &store.counts);
    Ok(Some(store))
}

/// Removes the pictures `store` found to be tracking pixels from the posts.
pub(crate) fn remove_tracking_pixels(docs: &mut [Document], store: &ImageStore) {
    if store.has_dropped() {
        for doc in docs.iter_mut() {
            let meta = doc.meta.clone();
            doc.remove_images(&mut |img| matches!(store.lookup(&meta, &img.src), Lookup::Dropped));
        }
    }
}
