//! Ctrl-C: a conversion stops at the next safe point instead of dying mid-write.
//!
//! The first SIGINT (or SIGTERM) only sets a flag. `convert` checks it between chunks of posts
//! and before writing each output: the files being written are finished (each is renamed into
//! place whole), no other is written, the finished ones are recorded in the manifest, the
//! temporary files are removed, and the run says what was written and exits with 130, as a
//! shell does for a process killed by SIGINT. Work under way (a book waiting for its pictures)
//! is let finish and then thrown away; a second signal ends the process at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// The exit code of a run stopped by Ctrl-C (128 + SIGINT).
pub const EXIT_CODE: u8 = 130;

static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// Installs the handlers. Without them (a library caller, or installing failed) Ctrl-C keeps
/// its default effect, and [`requested`] is always false.
pub fn install() {
    let flag = FLAG.get_or_init(|| Arc::new(AtomicBool::new(false)));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // The exit is registered first, so it sees the flag as it was before this signal.
        let _ = signal_hook::flag::register_conditional_shutdown(
            signal,
            i32::from(EXIT_CODE),
            flag.clone(),
        );
        let _ = signal_hook::flag::register(signal, flag.clone());
    }
}

/// Whether the user asked the run to stop.
pub fn requested() -> bool {
    FLAG.get().is_some_and(|f| f.load(Ordering::Relaxed))
}
