//! Ctrl-C: a conversion stops at the next safe point instead of dying mid-write.
//!
//! The first SIGINT (or SIGTERM) only sets a flag. `convert` checks it between chunks of posts,
//! between pictures and before writing each output, and stops waiting for downloads in flight
//! (their threads are abandoned: the process exits before their time-out). The files being
//! written are finished (each is renamed into place whole), no other is written, the finished
//! ones are recorded in the manifest, posts not reached are reported `not-run`, and the run
//! says what was written and exits with 130, as a shell does for a process killed by SIGINT.
//!
//! A second signal ends the process at once, but first removes the temporary files postbook
//! has open ([`Temporary`]): nothing half-written is left in the output or cache folders.
//!
//! The flag and the list of temporary files are process-wide, because signals are: one
//! process, one user asking it to stop.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

/// The exit code of a run stopped by Ctrl-C (128 + SIGINT).
pub const EXIT_CODE: u8 = 130;

/// Set by the first signal.
static REQUESTED: AtomicBool = AtomicBool::new(false);

/// The temporary files and folders to remove if a second signal ends the process.
static TEMPORARIES: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();

fn temporaries() -> std::sync::MutexGuard<'static, HashSet<PathBuf>> {
    let set = TEMPORARIES.get_or_init(Default::default);
    // A thread that panicked holding the lock left a valid set: go on with it.
    set.lock().unwrap_or_else(|e| e.into_inner())
}

/// Installs the handlers: a thread that waits for SIGINT and SIGTERM (outside signal-handler
/// context, so it may take locks and remove files). Without them (a library caller, or
/// installing failed) Ctrl-C keeps its default effect, and [`requested`] is always false.
pub fn install() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
            return;
        };
        let _ = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                for _ in signals.forever() {
                    if REQUESTED.swap(true, Ordering::SeqCst) {
                        remove(temporaries().drain());
                        std::process::exit(i32::from(EXIT_CODE));
                    }
                }
            });
    });
}

/// Whether the user asked the run to stop.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}

/// Removes the temporary files and folders still open when an interrupted run ends: those of
/// the downloads it stopped waiting for, whose threads the process exit ends mid-write.
pub fn remove_abandoned_temporaries() {
    if requested() {
        remove(temporaries().drain());
    }
}

/// Removes temporary files and folders.
fn remove(paths: impl Iterator<Item = PathBuf>) {
    for path in paths {
        let _ = match path.is_dir() {
            true => std::fs::remove_dir_all(&path),
            false => std::fs::remove_file(&path),
        };
    }
}

/// A temporary file or folder, registered for removal by a second signal for as long as
/// this value lives. Dropping it (the file was renamed into place, or removed) unregisters it.
#[derive(Debug)]
pub struct Temporary(PathBuf);

impl Temporary {
    pub fn register(path: &Path) -> Temporary {
        temporaries().insert(path.to_path_buf());
        Temporary(path.to_path_buf())
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        temporaries().remove(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporaries_are_registered_while_they_live() {
        let dir = tempfile::tempdir().unwrap();
        let (kept, left) = (dir.path().join("kept"), dir.path().join("left.tmp"));
        std::fs::write(&kept, "done").unwrap();
        std::fs::write(&left, "half").unwrap();
        let finished = Temporary::register(&kept);
        drop(finished);
        let _open = Temporary::register(&left);
        // Only this test's paths: other tests register theirs meanwhile.
        let registered: Vec<PathBuf> = temporaries()
            .iter()
            .filter(|p| p.starts_with(dir.path()))
            .cloned()
            .collect();
        assert_eq!(registered, std::slice::from_ref(&left));
        remove(registered.into_iter());
        assert!(kept.exists() && !left.exists());
    }
}
