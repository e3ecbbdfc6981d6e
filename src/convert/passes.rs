//! The passes a post goes through after it is read and before its pictures are prepared:
//! the folder's boilerplate removed, then `--images strip`. One list, applied by both ways of
//! holding posts: to every post in memory after the whole folder was read (boilerplate is
//! only known then), and to each post of a streamed output as it is taken from the spill (or read again). Tracking
//! pixels follow picture preparation ([`super::prepare::remove_tracking_pixels`]).

use super::collect::list_chrome;
use crate::model::Document;
use crate::read::chrome;

/// What the passes need to know of the run.
pub(crate) struct PostPasses<'a> {
    /// The folder's boilerplate (see [`chrome::boilerplate`]); empty when kept.
    pub boilerplate: &'a [u64],
    /// `--images strip`.
    pub strip_images: bool,
    /// `-v`: each removed block is listed.
    pub verbose: bool,
}

impl PostPasses<'_> {
    /// Applies the passes to one post. `may_have_boilerplate` is false when the post is known
    /// to hold none (not from a web page, or none of its edge blocks is boilerplate), which
    /// spares most posts the walk.
    pub fn apply(&self, doc: &mut Document, may_have_boilerplate: bool) {
        if may_have_boilerplate && !self.boilerplate.is_empty() {
            let removed = chrome::remove_boilerplate(&doc.meta, &mut doc.blocks, self.boilerplate);
            if self.verbose {
                list_chrome(&doc.meta.path, &removed);
            }
        }
        if self.strip_images {
            doc.remove_images(&mut |_| true);
        }
    }
}
