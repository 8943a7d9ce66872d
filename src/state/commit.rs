//! Committing a baseline crash-safely while keeping the fixed file names (`state.json`,
//! `snapshots/<id>.txt`, `snapshots/pending/<id>.txt`) that reports and `git diff` rely on.
//!
//! A run stages each snapshot change as it is decided, without syncing (the disk write of each
//! file is only started, see [`start_writeback`]), in a directory of its own inside the `--out`
//! directory, `.linkwatch-staging-<random>/`: `write/<path>` holds the new
//! contents of `<out>/<path>`, and an empty `remove/<path>` marks `<out>/<path>` for deletion.
//! Nothing is held in memory. Saving ([`super::Baseline::save`]) then:
//!
//! 1. finishes a save a crash interrupted after its commit point (step 5), and deletes what runs
//!    that never reached it left: other `.linkwatch-staging-*` directories, `.linkwatch-*.tmp`;
//! 2. stages the new `state.json` as `write/state.json`;
//! 3. syncs everything staged at once: `syncfs` on Linux (one flush of the file system instead of
//!    one `fsync` per snapshot, which costs milliseconds each); elsewhere `fsync` on each staged
//!    file and directory;
//! 4. renames the staging directory to `<out>/.linkwatch-commit` and syncs `<out>`. This rename
//!    is the commit point;
//! 5. rolls forward: moves the staged `snapshots/` folder in whole when `<out>/snapshots` does
//!    not exist yet (a baseline's first save: one rename, not one per resource), else renames
//!    each staged snapshot over its place; deletes the marked files,
//!    renames `state.json` into place last, syncs the directories it changed, then deletes
//!    `.linkwatch-commit` and syncs `<out>`.
//!
//! A run killed before step 4 leaves the previous baseline as it was (its staging directory is
//! deleted by the next save); killed after it, the new baseline is whole in `.linkwatch-commit`,
//! and the next save (of `check`, `accept` or `merge`) redoes step 5, which may be repeated any
//! number of times. Readers write nothing: [`super::Baseline::load`] and
//! [`super::Snapshots`] read through a `.linkwatch-commit` a crash left, so they see the new
//! baseline whole even before it is rolled forward; only the bare files can mix old and new
//! snapshots until then. A save that changes no snapshot only replaces `state.json` atomically.
//!
//! One writer at a time per `--out` directory: a save deletes staging directories it does not
//! own.

use super::{PENDING_DIR, SNAPSHOT_DIR, STATE_FILE, StateError};
use crate::fsutil::ensure_within;
use std::io;
use std::path::{Path, PathBuf};

/// Name prefix of a run's staging directory inside the `--out` directory.
pub const STAGING_PREFIX: &str = ".linkwatch-staging-";
/// Name of a committed save's directory inside the `--out` directory while it is rolled forward.
pub const COMMIT_DIR: &str = ".linkwatch-commit";
/// Inside a staging or commit directory: the new contents of files, by path.
pub(super) const WRITE: &str = "write";
/// Inside a staging or commit directory: empty files marking the files to delete, by path.
pub(super) const REMOVE: &str = "remove";

/// A moment a save can be stopped at, as if the process had died right after it (for tests).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashPoint {
    /// Step 3 done: staged and synced, not committed.
    Synced,
    /// Step 4 done: committed, nothing rolled forward.
    Committed,
    /// Halfway through step 5: some snapshots are in place, `state.json` is not.
    RollingForward,
}

/// Finishes a save a crash interrupted after its commit point, and deletes what runs that never
/// reached it left behind (staging directories and temporary files).
pub fn recover(out_dir: &Path) -> Result<(), StateError> {
    recover_except(out_dir, None)
}

/// [`recover`], sparing the caller's own staging directory `keep`.
pub(super) fn recover_except(out_dir: &Path, keep: Option<&Path>) -> Result<(), StateError> {
    if out_dir.join(COMMIT_DIR).exists() {
        roll_forward(out_dir, None)?;
    }
    for entry in entries(out_dir)? {
        if name_of(&entry).starts_with(STAGING_PREFIX) && keep != Some(entry.as_path()) {
            std::fs::remove_dir_all(&entry).map_err(write_error(&entry))?;
        }
    }
    let snapshots = out_dir.join(SNAPSHOT_DIR);
    for dir in [
        out_dir.to_path_buf(),
        snapshots.join(PENDING_DIR),
        snapshots,
    ] {
        for entry in entries(&dir)? {
            let name = name_of(&entry);
            if name.starts_with(".linkwatch-") && name.ends_with(".tmp") && entry.is_file() {
                super::remove_file(&entry)?;
            }
        }
    }
    Ok(())
}

/// Steps 3 to 5: syncs the staging directory, commits it, and rolls it forward.
pub(super) fn commit(
    out_dir: &Path,
    staging: &Path,
    crash: Option<CrashPoint>,
) -> Result<(), StateError> {
    sync_tree(staging).map_err(write_error(staging))?;
    if crash == Some(CrashPoint::Synced) {
        return Ok(());
    }
    let committed = out_dir.join(COMMIT_DIR);
    std::fs::rename(staging, &committed).map_err(write_error(&committed))?;
    sync_dir(out_dir).map_err(write_error(out_dir))?;
    if crash == Some(CrashPoint::Committed) {
        return Ok(());
    }
    roll_forward(out_dir, crash)
}

/// Step 5: puts a committed save's files in place; safe to repeat after a crash.
fn roll_forward(out_dir: &Path, crash: Option<CrashPoint>) -> Result<(), StateError> {
    let committed = out_dir.join(COMMIT_DIR);
    let written = committed.join(WRITE);
    let state = Path::new(STATE_FILE);
    // A baseline's first save has no snapshots folder yet: the staged one moves in whole, one
    // rename instead of one per resource. Repeating this after a crash finds it moved.
    let (staged_dir, target_dir) = (written.join(SNAPSHOT_DIR), out_dir.join(SNAPSHOT_DIR));
    if staged_dir.is_dir() && !target_dir.exists() {
        ensure_within(out_dir, &target_dir).map_err(write_error(&target_dir))?;
        std::fs::rename(&staged_dir, &target_dir).map_err(write_error(&target_dir))?;
        if crash == Some(CrashPoint::RollingForward) {
            return Ok(());
        }
    }
    let files: Vec<PathBuf> = files_under(&written)?
        .into_iter()
        .filter(|rel| rel != state)
        .collect();
    let mut made: Option<PathBuf> = None;
    for (n, rel) in files.iter().enumerate() {
        if crash == Some(CrashPoint::RollingForward) && n == files.len() / 2 {
            return Ok(());
        }
        let target = out_dir.join(rel);
        ensure_within(out_dir, &target).map_err(write_error(&target))?;
        if let Some(dir) = target.parent()
            && made.as_deref() != Some(dir)
        {
            std::fs::create_dir_all(dir).map_err(write_error(dir))?;
            made = Some(dir.to_path_buf());
        }
        std::fs::rename(written.join(rel), &target).map_err(write_error(&target))?;
    }
    for rel in files_under(&committed.join(REMOVE))? {
        let target = out_dir.join(rel);
        ensure_within(out_dir, &target).map_err(write_error(&target))?;
        super::remove_file(&target)?;
    }
    let staged_state = written.join(state);
    if staged_state.exists() {
        let target = out_dir.join(state);
        std::fs::rename(&staged_state, &target).map_err(write_error(&target))?;
    }
    let snapshots = out_dir.join(SNAPSHOT_DIR);
    for dir in [snapshots.join(PENDING_DIR), snapshots] {
        if dir.exists() {
            sync_dir(&dir).map_err(write_error(&dir))?;
        }
    }
    sync_dir(out_dir).map_err(write_error(out_dir))?;
    std::fs::remove_dir_all(&committed).map_err(write_error(&committed))?;
    sync_dir(out_dir).map_err(write_error(out_dir))
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The paths of `dir`'s entries; none when it does not exist.
fn entries(dir: &Path) -> Result<Vec<PathBuf>, StateError> {
    match std::fs::read_dir(dir) {
        Ok(list) => list
            .map(|e| e.map(|e| e.path()))
            .collect::<io::Result<_>>()
            .map_err(read_error(dir)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(source) => Err(read_error(dir)(source)),
    }
}

/// The paths of `dir`'s entries, each with whether it is a directory (from the listing, without
/// a `stat` per entry where the file system says); none when it does not exist.
fn typed_entries(dir: &Path) -> Result<Vec<(PathBuf, bool)>, StateError> {
    let list = match std::fs::read_dir(dir) {
        Ok(list) => list,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(read_error(dir)(source)),
    };
    list.map(|e| {
        let e = e?;
        Ok((e.path(), e.file_type()?.is_dir()))
    })
    .collect::<io::Result<_>>()
    .map_err(read_error(dir))
}

/// Every file under `root`, relative to it, in a stable order.
fn files_under(root: &Path) -> Result<Vec<PathBuf>, StateError> {
    let mut files = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for (path, is_dir) in typed_entries(&dir)? {
            if is_dir {
                dirs.push(path);
            } else if let Ok(rel) = path.strip_prefix(root) {
                files.push(rel.to_path_buf());
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Starts writing a staged file's contents to disk now, without waiting, so that the one sync
/// of step 3 finds little left to write: a first audit stages a file per resource, 100+ MB for
/// 10,000 pages, which would otherwise all be flushed at the end. On Linux `POSIX_FADV_DONTNEED`
/// starts writeback of the file's dirty pages (and drops only pages already clean); elsewhere
/// this does nothing.
pub(super) fn start_writeback(file: &std::fs::File) {
    #[cfg(target_os = "linux")]
    {
        // Only advice: a file system that ignores it is synced at step 3 all the same.
        let _ = rustix::fs::fadvise(file, 0, None, rustix::fs::Advice::DontNeed);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = file;
}

/// Makes every file and directory under `root` durable.
#[cfg(target_os = "linux")]
fn sync_tree(root: &Path) -> io::Result<()> {
    // One flush of the whole file system: far cheaper than an fsync per file, and it covers the
    // directory entries too. (Linux reports writeback errors from syncfs since 5.8.)
    rustix::fs::syncfs(std::fs::File::open(root)?)?;
    Ok(())
}

/// Makes every file and directory under `root` durable.
#[cfg(not(target_os = "linux"))]
fn sync_tree(root: &Path) -> io::Result<()> {
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                std::fs::File::open(&path)?.sync_all()?;
            }
        }
        sync_dir(&dir)?;
    }
    Ok(())
}

/// Makes the entries of `dir` (renames, deletions) durable.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Directories cannot be opened for syncing here; the file system orders its metadata.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

fn write_error(path: &Path) -> impl FnOnce(io::Error) -> StateError + '_ {
    move |source| StateError::Write {
        path: path.to_path_buf(),
        source,
    }
}

fn read_error(path: &Path) -> impl FnOnce(io::Error) -> StateError + '_ {
    move |source| StateError::Read {
        path: path.to_path_buf(),
        source,
    }
}
