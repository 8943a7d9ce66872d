//! Values kept on disk rather than in memory while a run goes on, so that the run's memory
//! follows its settings and not the catalog's size: each value is written as JSON to an unnamed
//! temporary file as it comes, and read back by the [`Span`] it was given. The file has no name,
//! so nothing is left behind however the process ends.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// Where one value lies in its file: bytes `offset..offset + len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub offset: u64,
    pub len: usize,
}

/// An append-only file of JSON values, shared by the threads that write and read it. The file
/// is made with the first value.
#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    /// The file and where its end is, once a value was written.
    file: Mutex<Option<(File, u64)>>,
}

impl Spool {
    /// An empty spool in `dir`, or in the system's temporary folder when `dir` does not exist
    /// when the first value comes: beside the run's output, it takes that disk's room, not
    /// memory.
    pub fn new(dir: &Path) -> Spool {
        Spool {
            dir: dir.to_path_buf(),
            file: Mutex::new(None),
        }
    }

    /// Writes `value` at the end; returns where it is.
    pub fn push(&self, value: &impl Serialize) -> io::Result<Span> {
        self.push_bytes(&serde_json::to_vec(value)?)
    }

    /// Writes `bytes` (a JSON value, in any layout) at the end; returns where they are.
    pub fn push_bytes(&self, bytes: &[u8]) -> io::Result<Span> {
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        let (file, end) = match &mut *file {
            Some(file) => file,
            None => file.insert((self.create()?, 0)),
        };
        file.seek(SeekFrom::Start(*end))?;
        file.write_all(bytes)?;
        let span = Span {
            offset: *end,
            len: bytes.len(),
        };
        *end += bytes.len() as u64;
        Ok(span)
    }

    /// The value written at `at`.
    pub fn read<T: DeserializeOwned>(&self, at: Span) -> io::Result<T> {
        Ok(serde_json::from_slice(&self.read_bytes(at)?)?)
    }

    /// The bytes written at `at`.
    pub fn read_bytes(&self, at: Span) -> io::Result<Vec<u8>> {
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        match &mut *file {
            Some((file, _)) => read_span(file, at),
            None => Err(io::Error::other("nothing was written to this spool")),
        }
    }

    fn create(&self) -> io::Result<File> {
        if self.dir.is_dir() {
            tempfile::tempfile_in(&self.dir)
        } else {
            tempfile::tempfile()
        }
    }
}

/// Bytes `at` of `file`.
pub fn read_span(file: &mut File, at: Span) -> io::Result<Vec<u8>> {
    let mut bytes = vec![0; at.len];
    file.seek(SeekFrom::Start(at.offset))?;
    file.read_exact(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_as_written_from_any_thread() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path());
        assert!(
            spool.read_bytes(Span { offset: 0, len: 1 }).is_err(),
            "nothing yet"
        );
        let first = spool.push(&("a", 1)).unwrap();
        let second = spool.push(&vec!["b\nc".to_string(); 3]).unwrap();
        assert_eq!(first, Span { offset: 0, len: 7 });
        assert_eq!(second.offset, 7);
        std::thread::scope(|s| {
            s.spawn(|| assert_eq!(spool.read::<Vec<String>>(second).unwrap().len(), 3));
        });
        assert_eq!(spool.read::<(String, u32)>(first).unwrap(), ("a".into(), 1));
        assert_eq!(spool.read_bytes(first).unwrap(), br#"["a",1]"#);
        assert!(
            spool.read::<u32>(first).is_err(),
            "another type is an error"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "the file has no name"
        );
        // No folder yet: the system's temporary folder holds it.
        let elsewhere = Spool::new(&dir.path().join("not yet"));
        let at = elsewhere.push(&2).unwrap();
        assert_eq!(elsewhere.read::<u8>(at).unwrap(), 2);
    }
}
