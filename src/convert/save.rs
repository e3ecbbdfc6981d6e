//! Save: write every planned output atomically under the clobber policy (see
//! [`write_output`]), in parallel, rendering each only when it is not up to date, then the
//! output folder's manifest; and the metadata cache of the next run.

use super::plan::Planned;
use super::report::{
    plural, post_warning, warn, OutputRecord, OutputStatus, ReplacedRecord, Report,
};
use crate::diag::{self, progress_bar, set_total};
use crate::incremental::{CacheWriter, CACHE_NAME};
use crate::options::{Options, Verbosity};
use crate::output::{
    sync_outputs, write_output, Made, Manifest, OutputError, ReplacedState, Written, MANIFEST_NAME,
};
use crate::write::BookStats;
use anyhow::Result;
use rayon::prelude::*;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Why an output was not written: the run was interrupted (Ctrl-C) first.
#[derive(Debug)]
struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted before it was written")
    }
}

impl std::error::Error for Interrupted {}

/// How outputs are saved: the options that decide whether and over what they are written.
pub(crate) struct Saving {
    /// `--dry-run`: record the plan, write nothing.
    pub dry_run: bool,
    /// `--rebuild`: render even outputs the manifest shows up to date.
    pub rebuild: bool,
    /// `--overwrite`: replace outputs a user edited.
    pub overwrite: bool,
    pub verbosity: Verbosity,
}

impl Saving {
    pub(crate) fn new(opts: &Options) -> Saving {
        Saving {
            dry_run: opts.dry_run,
            rebuild: opts.rebuild,
            overwrite: opts.overwrite,
            verbosity: opts.verbosity,
        }
    }
}

/// What became of one output: written (or found up to date: no stats, it was not rendered),
/// with the file's hash; or why not.
type Outcome = Result<(Written, String, Option<BookStats>)>;

/// Renders and writes every planned output in parallel under the clobber policy (see
/// [`write_output`]), or with `--dry-run` only records the plan. An output the manifest shows
/// up to date (same fingerprint, file untouched) is not rendered at all, unless `--rebuild`.
/// Per-output failures are reported and the run goes on; the manifest is saved at the end.
pub(crate) fn execute(
    opts: &Saving,
    dir: &Path,
    plans: &[Planned],
    report: &mut Report,
    what: &'static str,
    render: impl Fn(&Planned) -> Result<(Vec<u8>, BookStats)> + Sync,
) -> Result<()> {
    if opts.dry_run {
        let manifest = Manifest::load(dir);
        for plan in plans {
            let status = match up_to_date(opts, &manifest, dir, plan) {
                Some(_) => {
                    report.summary.skipped += 1;
                    OutputStatus::Unchanged
                }
                None => OutputStatus::Planned,
            };
            report.outputs.push(record(plan, status, None));
        }
        return Ok(());
    }
    if let Some(why) = report.unwritable.as_ref().map(ToString::to_string) {
        for plan in plans {
            let failed = record(plan, OutputStatus::Failed, Some(why.clone()));
            report.outputs.push(failed);
        }
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| OutputError::CreateFolder(dir.to_path_buf(), e))?;
    let mut manifest = Manifest::load(dir);
    let progress = progress_bar(opts.verbosity, what);
    set_total(&progress, plans.len());
    // What each output is made as is found here, in parallel: at 100,000 posts, making every
    // post's path absolute was 7% of an unchanged re-run, on one thread.
    let results: Vec<(Outcome, Duration, Option<Made>)> = plans
        .par_iter()
        .map(|plan| {
            let started = Instant::now();
            let result = match up_to_date(opts, &manifest, dir, plan) {
                Some(hash) => Ok((Written::Unchanged, hash, None)),
                // Ctrl-C: a file being written is finished; no other is started.
                None if crate::interrupt::requested() => Err(anyhow::Error::new(Interrupted)),
                None => render(plan).and_then(|(bytes, stats)| {
                    if crate::interrupt::requested() {
                        return Err(anyhow::Error::new(Interrupted));
                    }
                    let (written, hash) =
                        write_output(dir, &plan.path, &bytes, opts.overwrite, &manifest)?;
                    Ok((written, hash, Some(stats)))
                }),
            };
            progress.inc(1);
            (result, started.elapsed(), made(plan))
        })
        .collect();
    progress.finish_and_clear();
    // Flush only when something was written: `syncfs` also waits for other programs' writes.
    let wrote = results
        .iter()
        .any(|(r, _, _)| matches!(r, Ok((Written::Created | Written::Replaced, _, _))));
    if let Err(e) = wrote.then(|| sync_outputs(dir)).transpose() {
        diag::warning(&format!("cannot flush {} to disk: {e}", dir.display()));
    }
    let mut written = Vec::new();
    for (plan, (result, took, made)) in plans.iter().zip(results) {
        let done = (result, took);
        let record = outcome(opts, dir, plan, done, made.clone(), &mut manifest, report);
        if matches!(
            record.status,
            OutputStatus::Created | OutputStatus::Replaced | OutputStatus::Unchanged
        ) {
            written.extend(made);
        }
        report.outputs.push(record);
    }
    remove_replaced(opts, dir, plans, &written, &mut manifest, report);
    manifest
        .save(dir)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", dir.join(MANIFEST_NAME).display()))
}

/// What a book or note is made as, for the manifest ([`Made`]); `None` for a picture saved
/// beside notes (named after its content, never renamed).
fn made(plan: &Planned) -> Option<Made> {
    plan.asset
        .is_none()
        .then(|| Made::new(plan.key.as_deref(), &plan.posts))
}

/// Removes the books and notes of earlier runs that this run's `written` outputs replace: the
/// same book or note now under another name, as when its title (and so its file name) was
/// edited ([`Manifest::replaced_by`]). A file is removed only when it still holds what
/// postbook wrote; one a user edited since stays, with a warning. Each is in the report.
fn remove_replaced(
    opts: &Saving,
    dir: &Path,
    plans: &[Planned],
    written: &[Made],
    manifest: &mut Manifest,
    report: &mut Report,
) {
    if written.is_empty() {
        return;
    }
    let planned: Vec<&Path> = plans.iter().map(|p| p.path.as_path()).collect();
    let written: Vec<&Made> = written.iter().collect();
    for old in manifest.replaced_by(dir, &planned, &written) {
        let shown = old.path.display();
        let removed = match old.state {
            ReplacedState::Gone => {
                manifest.forget(dir, &old.path);
                continue;
            }
            ReplacedState::Edited => {
                warn(
                    opts.verbosity,
                    &format!(
                        "not removing {shown}: this run's output replaces it, but it was edited \
                         since postbook wrote it"
                    ),
                );
                false
            }
            ReplacedState::Intact => match std::fs::remove_file(&old.path) {
                Ok(()) => {
                    manifest.forget(dir, &old.path);
                    if opts.verbosity == Verbosity::Verbose {
                        eprintln!("removed {shown} (replaced by this run's output)");
                    }
                    true
                }
                Err(e) => {
                    warn(opts.verbosity, &format!("cannot remove {shown}: {e}"));
                    false
                }
            },
        };
        report.summary.removed += usize::from(removed);
        report.replaced.push(ReplacedRecord {
            path: old.path,
            removed,
        });
    }
}

/// The hash of the file already at `plan`'s path, when it is up to date.
fn up_to_date(opts: &Saving, manifest: &Manifest, dir: &Path, plan: &Planned) -> Option<String> {
    let inputs = plan.fingerprint.as_deref().filter(|_| !opts.rebuild)?;
    manifest.up_to_date(dir, &plan.path, inputs)
}

/// The record of a planned output.
fn record(plan: &Planned, status: OutputStatus, error: Option<String>) -> OutputRecord {
    OutputRecord {
        path: Arc::from(plan.path.as_path()),
        status,
        title: plan.title.clone(),
        posts: plan.posts.clone(),
        error,
    }
}

/// Records what became of one output: in the manifest (unless a user's edit was kept), and
/// its pictures and warnings in the report; returns its record.
fn outcome(
    opts: &Saving,
    dir: &Path,
    plan: &Planned,
    (result, took): (Outcome, Duration),
    made: Option<Made>,
    manifest: &mut Manifest,
    report: &mut Report,
) -> OutputRecord {
    match result {
        Ok((Written::Kept, _, _)) => {
            // Not written: its manifest entry stays what postbook last wrote, so the edit
            // is kept on every run until `--overwrite`.
            warn(
                opts.verbosity,
                &format!(
                    "keeping {}: edited since postbook wrote it (pass --overwrite to replace it)",
                    plan.path.display()
                ),
            );
            record(plan, OutputStatus::Kept, None)
        }
        Ok((written, hash, stats)) => {
            // An output missing a picture is not recorded as up to date: the next run
            // makes it again and retries the picture.
            let incomplete = stats.as_ref().is_some_and(|s| s.incomplete);
            let inputs = plan.fingerprint.clone().filter(|_| !incomplete);
            manifest.record(dir, &plan.path, hash, inputs, made);
            let rendered = match stats {
                Some(stats) => {
                    report.summary.images_embedded += stats.images_embedded;
                    report.summary.images_linked += stats.images_linked;
                    report.summary.images_failed += stats.images_failed;
                    report.summary.pictures_without_alt += stats.pictures_without_alt;
                    for (post, w) in stats.warnings {
                        post_warning(report, opts.verbosity, &post, w);
                    }
                    format!("{:.1} ms", took.as_secs_f64() * 1000.0)
                }
                None => {
                    report.summary.skipped += 1;
                    "up to date, not rendered".into()
                }
            };
            if opts.verbosity == Verbosity::Verbose {
                let status = written.name();
                let (path, n) = (plan.path.display(), plan.posts.len());
                let n = plural(n, "post", "posts");
                eprintln!("{status} {path} ({n}, {rendered})");
            }
            record(plan, written.into(), None)
        }
        Err(e) if e.is::<Interrupted>() => record(plan, OutputStatus::NotRun, Some(e.to_string())),
        Err(e) => {
            diag::error(&format!("{e:#}"));
            record(plan, OutputStatus::Failed, Some(format!("{e:#}")))
        }
    }
}

/// Whether files can be written in the output folder `dir` (created if missing): a
/// temporary file is made there and removed.
pub(crate) fn writable(dir: &Path) -> std::result::Result<(), OutputError> {
    std::fs::create_dir_all(dir).map_err(|e| OutputError::CreateFolder(dir.to_path_buf(), e))?;
    crate::output::temporary_for(&dir.join(MANIFEST_NAME))
        .map(drop)
        .map_err(|e| OutputError::FolderNotWritable(dir.to_path_buf(), e))
}

/// Removes `.postbook-*.tmp` files that a killed run left in the output folder (a run that
/// ends normally leaves none). Two runs writing into one folder at once are not supported.
pub(crate) fn remove_stale_temporaries(dir: &Path) {
    for entry in walkdir::WalkDir::new(dir)
        .max_depth(2)
        .into_iter()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_file() && name.starts_with(".postbook-") && name.ends_with(".tmp") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Saves the metadata cache for the next run into `dir`, saying so when it cannot.
pub(crate) fn save_cache(cache: CacheWriter, dir: &Path, verbosity: Verbosity) {
    if let Err(e) = cache.save(dir) {
        warn(
            verbosity,
            &format!("cannot write {}: {e}", dir.join(CACHE_NAME).display()),
        );
    }
}
