//! Atomic file writes: a temporary file in the target's directory, then a rename; several
//! files at once all-or-nothing; the clean-up of temporaries a killed run left behind; and the
//! check that a write into an output folder stays inside it.
//!
//! A target that is a symbolic link is written through to the file it points at (the link
//! stays), and a file that exists keeps its permissions.

use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// Prefix and suffix of every temporary file linkwatch writes beside a target.
pub const TEMP_PREFIX: &str = ".linkwatch-";
pub const TEMP_SUFFIX: &str = ".tmp";

/// Writes `path` atomically: readers see either the old file or the whole new one, never a
/// partial write, and an interrupted run leaves the old file in place.
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |w| w.write_all(contents))
}

/// Like [`write_atomic`], with the contents produced by `fill` writing into the temporary file.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let staged = Staged::new(path, fill)?;
    staged.commit()
}

/// Like [`write_atomic_with`], but leaves `path` untouched (no new modification time, nothing
/// for `git` to see) when what `fill` writes is what it already holds. Returns whether it wrote.
/// Neither the new contents nor the old are held in memory whole: the old file is read alongside
/// what `fill` writes, and no longer once they differ, so a changed file costs little more than a
/// plain write and an unchanged one is not synced.
pub fn write_atomic_if_changed(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<bool> {
    let target = target_of(path)?;
    let mut old = match std::fs::File::open(&target) {
        Ok(file) => Some(io::BufReader::with_capacity(COMPARE_BUFFER, file)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let staged = stage_unsynced(target, |w| {
        fill(&mut Compare {
            out: w,
            old: &mut old,
        })
    })?;
    if let Some(mut old) = old
        && old.fill_buf()?.is_empty()
    {
        return Ok(false);
    }
    staged.sync()?;
    staged.commit()?;
    Ok(true)
}

/// How much of the old file [`write_atomic_if_changed`] reads at once.
const COMPARE_BUFFER: usize = 64 * 1024;

/// Writes to `out` and compares what it wrote with what `old` reads next; `old` becomes `None`
/// at the first difference (the old file ended early, or holds other bytes).
struct Compare<'a> {
    out: &'a mut dyn Write,
    old: &'a mut Option<io::BufReader<std::fs::File>>,
}

impl Write for Compare<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        if let Some(old) = self.old.as_mut()
            && !reads_next(old, &buf[..n])?
        {
            *self.old = None;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Whether `old`'s next bytes are `new`; consumes what matched.
fn reads_next(old: &mut impl io::BufRead, mut new: &[u8]) -> io::Result<bool> {
    while !new.is_empty() {
        let have = old.fill_buf()?;
        let n = have.len().min(new.len());
        if n == 0 || have[..n] != new[..n] {
            return Ok(false);
        }
        old.consume(n);
        new = &new[n..];
    }
    Ok(true)
}

/// Writes every `(path, contents)` or none: each new file is written and synced beside its
/// target first, and only when all are ready are they renamed into place. A failure while
/// staging leaves every target as it was and no temporary behind.
pub fn write_all_atomic(files: &[(PathBuf, Vec<u8>)]) -> Result<(), WriteError> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, contents) in files {
        let file = Staged::new(path, |w| w.write_all(contents)).map_err(|source| WriteError {
            path: path.clone(),
            source,
        })?;
        staged.push(file);
    }
    for file in staged {
        let path = file.target.clone();
        file.commit()
            .map_err(|source| WriteError { path, source })?;
    }
    Ok(())
}

/// One file of [`write_all_atomic`] could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

/// Removes the temporary files (`.linkwatch-*.tmp`) that a run killed mid-write left in `dir`;
/// returns how many went. A missing directory has none.
pub fn remove_stale_temps(dir: &Path) -> io::Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(TEMP_PREFIX)
            && name.ends_with(TEMP_SUFFIX)
            && entry.file_type()?.is_file()
        {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Refuses to write `path` unless it lies inside `out_dir` through real directories only: a
/// component between `out_dir` and the file that is a symbolic link (`snapshots -> /etc`) or
/// `..` could carry the write outside the folder. `out_dir` itself may be a link; components
/// that do not exist yet are fine, since linkwatch creates them as directories.
pub fn ensure_within(out_dir: &Path, path: &Path) -> io::Result<()> {
    let outside = |why: String| {
        io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{why}; linkwatch writes only inside {}", out_dir.display()),
        )
    };
    let rel = path
        .strip_prefix(out_dir)
        .map_err(|_| outside(format!("{} is not inside the folder", path.display())))?;
    let mut dir = out_dir.to_path_buf();
    let mut components = rel.components().peekable();
    while let Some(component) = components.next() {
        if components.peek().is_none() {
            break;
        }
        let std::path::Component::Normal(name) = component else {
            return Err(outside(format!("{} leaves the folder", path.display())));
        };
        dir.push(name);
        match std::fs::symlink_metadata(&dir) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(outside(format!(
                    "{} is a symbolic link to a directory",
                    dir.display()
                )));
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A new file written beside its target, not yet in place: [`Staged::commit`] renames it over
/// the target; dropped uncommitted, it is deleted.
#[derive(Debug)]
pub struct Staged {
    tmp: NamedTempFile,
    target: PathBuf,
}

impl Staged {
    /// Writes a new file for `path` (through a symbolic link, to the file it points at) with
    /// what `fill` writes, and syncs it; `path` is untouched until [`Staged::commit`].
    pub fn new(
        path: &Path,
        fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<Staged> {
        let staged = stage_unsynced(target_of(path)?, fill)?;
        staged.sync()?;
        Ok(staged)
    }

    /// The file this one replaces.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Puts the new file in place of its target.
    pub fn commit(self) -> io::Result<()> {
        self.tmp.persist(&self.target).map_err(|e| e.error)?;
        Ok(())
    }

    fn sync(&self) -> io::Result<()> {
        self.tmp.as_file().sync_all()
    }
}

/// The file a write to `path` replaces: `path`, or the file it links to. Writing "through" a
/// symlink puts the temporary beside the link's target, so the rename replaces the target and the
/// link keeps pointing at it.
fn target_of(path: &Path) -> io::Result<PathBuf> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(path),
        _ => Ok(path.to_owned()),
    }
}

/// A temporary beside `target` holding what `fill` writes, with the target's permissions when it
/// exists; not synced yet.
fn stage_unsynced(
    target: PathBuf,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<Staged> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(&dir)?;
    {
        let mut buf = io::BufWriter::with_capacity(WRITE_BUFFER, tmp.as_file_mut());
        fill(&mut buf)?;
        buf.flush()?;
    }
    if let Ok(meta) = std::fs::metadata(&target) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    Ok(Staged { tmp, target })
}

/// Bytes gathered before each write to a temporary: large files (a baseline of tens of
/// megabytes) go out in few system calls.
const WRITE_BUFFER: usize = 64 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_existing_file_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("a.txt");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.txt")]);
    }

    #[test]
    fn unchanged_contents_are_not_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert!(write_atomic_if_changed(&path, |w| w.write_all(b"one")).unwrap());
        let written = std::fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(!write_atomic_if_changed(&path, |w| w.write_all(b"one")).unwrap());
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            written
        );
        assert!(write_atomic_if_changed(&path, |w| w.write_all(b"two")).unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("state.json")]);
    }

    #[test]
    fn a_file_that_only_begins_or_ends_alike_is_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        // Larger than the buffers on both sides, written in pieces of another size.
        let long: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let in_pieces = |bytes: &[u8]| {
            let bytes = bytes.to_vec();
            move |w: &mut dyn Write| {
                for piece in bytes.chunks(7_777) {
                    w.write_all(piece)?;
                }
                Ok(())
            }
        };
        assert!(write_atomic_if_changed(&path, in_pieces(&long)).unwrap());
        assert!(!write_atomic_if_changed(&path, in_pieces(&long)).unwrap());
        let shorter = &long[..long.len() - 1];
        assert!(write_atomic_if_changed(&path, in_pieces(shorter)).unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), shorter);
        assert!(write_atomic_if_changed(&path, in_pieces(&long)).unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), long);
        let mut late = long.clone();
        late[700_000] ^= 1;
        assert!(write_atomic_if_changed(&path, in_pieces(&late)).unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), late);
        assert!(!write_atomic_if_changed(&path, in_pieces(&late)).unwrap());
        assert_eq!(remove_stale_temps(dir.path()).unwrap(), 0);
    }

    #[test]
    fn failed_fill_keeps_old_contents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_atomic(&path, b"good").unwrap();
        let err = write_atomic_with(&path, |_| Err(io::Error::other("interrupted")));
        assert!(err.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"good");
    }

    #[test]
    fn several_files_are_written_all_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.toml");
        std::fs::write(&a, "old a").unwrap();
        // A directory cannot be created under a regular file: staging the second file fails.
        std::fs::write(dir.path().join("blocker"), "").unwrap();
        let b = dir.path().join("blocker").join("b.toml");
        let err = write_all_atomic(&[(a.clone(), b"new a".to_vec()), (b.clone(), b"b".to_vec())])
            .unwrap_err();
        assert_eq!(err.path, b);
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
        assert_eq!(
            remove_stale_temps(dir.path()).unwrap(),
            0,
            "no temporary left"
        );

        write_all_atomic(&[(a.clone(), b"new a".to_vec())]).unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new a");
    }

    #[cfg(unix)]
    #[test]
    fn writes_go_through_symlinks_and_keep_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.toml");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_directory_inside_the_folder_is_refused() {
        let out = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let snapshots = out.path().join("snapshots");
        std::os::unix::fs::symlink(elsewhere.path(), &snapshots).unwrap();
        let err = ensure_within(out.path(), &snapshots.join("a.txt")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
        assert!(
            err.to_string()
                .contains("is a symbolic link to a directory"),
            "{err}"
        );
        let real = out.path().join("real");
        std::fs::create_dir(&real).unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), real.join("pending")).unwrap();
        assert!(ensure_within(out.path(), &real.join("pending").join("a.txt")).is_err());
        assert!(ensure_within(out.path(), &real.join("..").join("x").join("a.txt")).is_err());
        assert!(ensure_within(out.path(), &elsewhere.path().join("a.txt")).is_err());

        ensure_within(out.path(), &out.path().join("results.json")).unwrap();
        ensure_within(out.path(), &real.join("a.txt")).unwrap();
        ensure_within(
            out.path(),
            &out.path().join("new").join("dir").join("a.txt"),
        )
        .unwrap();
        let linked_out = elsewhere.path().join("out");
        std::os::unix::fs::symlink(&real, &linked_out).unwrap();
        ensure_within(&linked_out, &linked_out.join("a.txt")).unwrap();
    }

    #[test]
    fn stale_temporaries_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".linkwatch-abc.tmp"), "half").unwrap();
        std::fs::write(dir.path().join("keep.toml"), "x").unwrap();
        assert_eq!(remove_stale_temps(dir.path()).unwrap(), 1);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("keep.toml")]);
    }
}
