//! The allocator, its pages, and handing memory back to the system between outputs of a
//! streaming run.

/// mimalloc instead of the system allocator. Reading a post is allocation-heavy (html5ever's
/// tokens and tree, the model's strings), and glibc's malloc, free and their locks were a fifth
/// of a conversion's CPU time. Measured on the shared corpus → Markdown: 0.59–0.62 → 0.55–0.58 s
/// of CPU (0.53–0.55 → 0.48–0.50 s with `--keep-chrome`); 100,000 posts → monthly EPUBs:
/// 51 → 43 s, for a peak RSS of 126 → 146 MB (see bench/README.md). Declared in the library
/// so that the binary, the tests and the benchmarks all measure the same allocator.
///
/// mimalloc 2 (`libmimalloc-sys`'s `v2` feature), not the crate's default 3: 100,000 posts →
/// monthly EPUBs, 5 rounds alternated on the 2-core machine, medians: 25.7 → 25.1 s wall, 49.5
/// → 47.4 s CPU (system time 4.4–5.2 → 3.6–4.0 s: fewer pages faulted in again), peak RSS 153 →
/// 145 MiB, and 147–153 MiB against 145–160 MiB over the rounds. Instructions on the corpus
/// are the same (−0.1%).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Sets the process's memory up: first thing in `main`, before the run allocates much.
pub fn configure() {
    no_huge_pages();
    purge_soon();
}

/// Turns transparent huge pages off for this process, where the system has them always on.
/// mimalloc reserves its memory in large aligned regions, which such a kernel backs with 2 MiB
/// pages: every first touch zeroes 2 MiB, and a page stays resident for a few small objects.
/// Measured with THP `always`: corpus → Markdown 95 → 59 MB peak, → one EPUB 117 → 77 MB,
/// 100,000 posts → monthly EPUBs 181 → 146 MB, the same CPU time. The setting applies to every
/// later page fault, in mappings old and new.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE only sets a flag on this process's memory map.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// `mi_option_purge_delay` in mimalloc 2's `mi_option_e` (`mimalloc.h`; `libmimalloc-sys`
/// names no constant for it). The test below checks it against the option's default.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Hands freed pages back to the system 1 ms after they are freed instead of mimalloc's
/// default 10 ms. Reading threads free each post's parse tree as soon as it is read; with
/// 10 ms its pages stay resident while the next posts are parsed. 100,000 posts →
/// monthly EPUBs, 3 rounds alternated: peak 146–148 MiB → 138–140 MiB, for 1 s more CPU (47.7
/// against 46.7 s, medians; wall 25.2 against 24.4 s); 0 ms (purge at once) reached 133 MiB for
/// 7.6 s more system time. The corpus keeps its CPU use (181–189%) and peaks.
/// An explicit `MIMALLOC_PURGE_DELAY` in the environment still wins.
fn purge_soon() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: mi_option_set stores an integer in mimalloc's option table.
        unsafe {
            libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 1);
        }
    }
}

/// Returns memory that was freed but is still held by the allocator to the system.
///
/// A streaming run renders one book per worker thread at a time (a monthly book of 400 posts is
/// about 15 MB of model, XHTML and zip) between the small, long-lived metadata of 100,000
/// posts. mimalloc purges freed pages on its own after a delay; collecting once per book frees
/// that book's pages at once (181 MB peak at 100,000 posts, against 214 MB without, measured
/// with huge pages), for about a millisecond, so it is called once per book, not per note.
pub fn release_free_memory() {
    // SAFETY: mi_collect only walks mimalloc's own heaps, under its own locks.
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option number is the purge delay's: it reads mimalloc's documented default, 10 ms,
    /// until set (unless the environment sets it).
    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        if let Some(delay) = std::env::var_os("MIMALLOC_PURGE_DELAY") {
            panic!("run without MIMALLOC_PURGE_DELAY (set to {delay:?}): it changes the default");
        }
        // SAFETY: reads and writes an integer of mimalloc's option table.
        let default = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(default, 10);
        purge_soon();
        let now = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(now, 1);
    }
}
