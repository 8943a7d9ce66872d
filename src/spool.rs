//! Values kept on disk rather than in memory while a run goes on, so that the run's memory
//! follows its settings and not the catalog's size: each value is written as JSON to an unnamed
//! temporary file as it comes, and read back by the [`Span`] it was given. The file has no name,
//! so nothing is left behind however the process ends.

use serde::Serialize;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

/// Where one value lies in its file: bytes `offset..offset + len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub offset: u64,
    pub len: usize,
}

/// An append-only file of JSON values, shared by the threads that write and read it. The file
/// is made with the first value; writes take turns, reads go on beside them.
#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    file: OnceLock<File>,
    /// Where the file ends; held while a value is written.
    end: Mutex<u64>,
}

impl Spool {
    /// An empty spool in `dir`, or in the system's temporary folder when `dir` does not exist
    /// when the first value comes: beside the run's output, it takes that disk's room, not
    /// memory.
    pub fn new(dir: &Path) -> Spool {
        Spool {
            dir: dir.to_path_buf(),
            file: OnceLock::new(),
            end: Mutex::new(0),
        }
    }

    /// Writes `value` at the end; returns where it is.
    pub fn push(&self, value: &impl Serialize) -> io::Result<Span> {
        self.push_bytes(&serde_json::to_vec(value)?)
    }

    /// Writes `bytes` (a JSON value, in any layout) at the end; returns where they are.
    pub fn push_bytes(&self, bytes: &[u8]) -> io::Result<Span> {
        let mut end = self.end.lock().unwrap_or_else(PoisonError::into_inner);
        let file = match self.file.get() {
            Some(file) => file,
            None => {
                let made = self.create()?;
                self.file.get_or_init(|| made)
            }
        };
        write_at(file, bytes, *end)?;
        let span = Span {
            offset: *end,
            len: bytes.len(),
        };
        *end += bytes.len() as u64;
        Ok(span)
    }

    /// The bytes written at `at`.
    pub fn read_bytes(&self, at: Span) -> io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.read_into(at, &mut bytes)?;
        Ok(bytes)
    }

    /// Puts the bytes written at `at` in `bytes`, in place of what it held.
    pub fn read_into(&self, at: Span, bytes: &mut Vec<u8>) -> io::Result<()> {
        match self.file.get() {
            Some(file) => read_span(file, at, bytes),
            None => Err(io::Error::other("nothing was written to this spool")),
        }
    }

    /// Calls `each(i, bytes)` with the bytes written at `spans[i]`, for every span, reading the
    /// file front to back in large blocks rather than one value at a time (the spans are taken
    /// in the order they lie in the file, not the order given).
    pub fn read_each(
        &self,
        spans: &[Span],
        mut each: impl FnMut(usize, &[u8]) -> io::Result<()>,
    ) -> io::Result<()> {
        let Some(file) = self.file.get() else {
            return if spans.is_empty() {
                Ok(())
            } else {
                Err(io::Error::other("nothing was written to this spool"))
            };
        };
        let end = *self.end.lock().unwrap_or_else(PoisonError::into_inner);
        let mut order: Vec<usize> = (0..spans.len()).collect();
        order.sort_by_key(|&i| spans[i].offset);
        let mut block = Vec::new();
        let mut block_at = 0;
        for i in order {
            let at = spans[i];
            let within = at.offset.checked_sub(block_at).and_then(|start| {
                let start = usize::try_from(start).ok()?;
                block.get(start..start.checked_add(at.len)?)
            });
            let bytes = match within {
                Some(bytes) => bytes,
                None => {
                    let len = end
                        .saturating_sub(at.offset)
                        .min(READ_BLOCK.max(at.len) as u64);
                    read_span(
                        file,
                        Span {
                            offset: at.offset,
                            len: len as usize,
                        },
                        &mut block,
                    )?;
                    block_at = at.offset;
                    block.get(..at.len).ok_or(io::ErrorKind::UnexpectedEof)?
                }
            };
            each(i, bytes)?;
        }
        Ok(())
    }

    fn create(&self) -> io::Result<File> {
        if self.dir.is_dir() {
            tempfile::tempfile_in(&self.dir)
        } else {
            tempfile::tempfile()
        }
    }
}

/// How much of the file [`Spool::read_each`] reads at once.
const READ_BLOCK: usize = 256 * 1024;

/// Puts bytes `at` of `file` in `bytes`, in place of what it held. Reads from several threads
/// at once do not disturb each other, nor a writer that says where it writes.
pub fn read_span(file: &File, at: Span, bytes: &mut Vec<u8>) -> io::Result<()> {
    bytes.clear();
    bytes.resize(at.len, 0);
    read_at(file, bytes, at.offset)
}

#[cfg(unix)]
fn read_at(file: &File, bytes: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
}

#[cfg(unix)]
fn write_at(file: &File, bytes: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, offset)
}

#[cfg(windows)]
fn read_at(file: &File, mut bytes: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !bytes.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, bytes, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                bytes = &mut bytes[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(windows)]
fn write_at(file: &File, mut bytes: &[u8], mut offset: u64) -> io::Result<()> {
    while !bytes.is_empty() {
        match std::os::windows::fs::FileExt::seek_write(file, bytes, offset)? {
            0 => return Err(io::ErrorKind::WriteZero.into()),
            n => {
                bytes = &bytes[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value written at `at`, as the spool's readers decode it.
    fn read<T: serde::de::DeserializeOwned>(spool: &Spool, at: Span) -> io::Result<T> {
        Ok(serde_json::from_slice(&spool.read_bytes(at)?)?)
    }

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
            s.spawn(|| assert_eq!(read::<Vec<String>>(&spool, second).unwrap().len(), 3));
        });
        assert_eq!(
            read::<(String, u32)>(&spool, first).unwrap(),
            ("a".into(), 1)
        );
        assert_eq!(spool.read_bytes(first).unwrap(), br#"["a",1]"#);
        assert!(
            read::<u32>(&spool, first).is_err(),
            "another type is an error"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "the file has no name"
        );
        // Read in one pass, in the order they lie in the file, whatever the order asked.
        let big = spool.push_bytes(&vec![b'x'; 3 * READ_BLOCK]).unwrap();
        let last = spool.push(&"end").unwrap();
        let spans = [last, first, big, second, first];
        let mut got = vec![Vec::new(); spans.len()];
        spool
            .read_each(&spans, |i, bytes| {
                got[i] = bytes.to_vec();
                Ok(())
            })
            .unwrap();
        for (span, bytes) in spans.iter().zip(&got) {
            assert_eq!(*bytes, spool.read_bytes(*span).unwrap());
        }
        assert_eq!(got[0], br#""end""#);
        let beyond = Span {
            offset: last.offset,
            len: last.len + 1,
        };
        assert!(
            spool.read_each(&[beyond], |_, _| Ok(())).is_err(),
            "past the end"
        );
        // No folder yet: the system's temporary folder holds it.
        let elsewhere = Spool::new(&dir.path().join("not yet"));
        let at = elsewhere.push(&2).unwrap();
        assert_eq!(read::<u8>(&elsewhere, at).unwrap(), 2);
    }
}
