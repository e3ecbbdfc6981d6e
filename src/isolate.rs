//! One post's bug is one post's error: a panic while reading or rendering (a bug; there should
//! be none) is caught at the boundary of that post or output, and becomes its error, with the
//! file name, while the run goes on and exits 1 — never 101 with every other post lost.
//!
//! Caught panics print nothing of their own: the Rust default hook's `thread '…' panicked at
//! …` lines are replaced by the one error line the report prints, which carries the panic's
//! message and where it happened. Panics anywhere else still print as usual.
//!
//! Tests need a panic to catch where postbook has none, so [`fault_point`] panics on purpose
//! when the environment variable `POSTBOOK_PANIC_AT` names that stage and file
//! (`read:post.md`, `render:post.md`). It is read once per run, and costs a comparison per
//! post when unset; it is a test hook, not a user option.

use std::cell::RefCell;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Once, OnceLock};

/// A panic caught by [`catch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panic {
    /// The panic's message.
    pub message: String,
    /// `file:line:column` in postbook's source, when the panic happened on the catching thread.
    pub location: Option<String>,
}

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "postbook bug: panicked: {}", self.message)?;
        if let Some(at) = &self.location {
            write!(f, " (at {at})")?;
        }
        f.write_str("; please report it")
    }
}

/// How many [`catch`] calls are running, on any thread: while there are some, the panic hook
/// stays quiet (a panic inside a rayon job inside a caught render surfaces on the catching
/// thread, but the hook runs on the job's).
static CATCHING: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Where this thread last panicked while [`CATCHING`], for the error message.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f`, turning a panic into a [`Panic`] instead of unwinding further.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, Panic> {
    quiet_hook();
    CATCHING.fetch_add(1, Ordering::SeqCst);
    LOCATION.with(|l| l.borrow_mut().take());
    // Whatever `f` left half-changed is dropped with the post or output it was making.
    let result = catch_unwind(AssertUnwindSafe(f));
    CATCHING.fetch_sub(1, Ordering::SeqCst);
    result.map_err(|payload| Panic {
        message: payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".into()),
        location: LOCATION.with(|l| l.borrow_mut().take()),
    })
}

/// Replaces the panic hook, once, by one that stays quiet while a [`catch`] runs and calls the
/// previous hook otherwise.
fn quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CATCHING.load(Ordering::SeqCst) > 0 {
                let at = info.location().map(ToString::to_string);
                LOCATION.with(|l| *l.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
}

/// Panics when `POSTBOOK_PANIC_AT` is `STAGE:NAME` and `path`'s file name is `NAME` (see the
/// module's doc): the stand-in for a bug, for tests of [`catch`]'s callers.
pub fn fault_point(stage: &str, path: &Path) {
    static AT: OnceLock<Option<String>> = OnceLock::new();
    let Some(at) = AT.get_or_init(|| std::env::var("POSTBOOK_PANIC_AT").ok()) else {
        return;
    };
    let name = path.file_name().map(|n| n.to_string_lossy());
    if at.split_once(':') == Some((stage, name.as_deref().unwrap_or_default())) {
        panic!("POSTBOOK_PANIC_AT={at}: a panic on purpose");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_with_its_message_and_place() {
        assert_eq!(catch(|| 7), Ok(7));
        let e = catch(|| {
            let s = String::from("中文");
            s[..1].len()
        })
        .unwrap_err();
        assert!(e.message.contains("not a char boundary"), "{e:?}");
        assert!(
            e.location
                .as_deref()
                .unwrap()
                .starts_with("src/isolate.rs:"),
            "{e:?}"
        );
        let line = e.to_string();
        assert!(
            line.starts_with("postbook bug: panicked: end byte index 1"),
            "{line}"
        );
        assert!(line.contains("(at src/isolate.rs:") && line.ends_with("please report it"));
        let e = catch(|| panic!("{} apples", 3)).unwrap_err();
        assert_eq!(e.message, "3 apples");
    }
}
