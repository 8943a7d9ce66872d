//! The baseline: what each resource looked like when last accepted, saved atomically.
//!
//! It lives in the `--out` directory beside the reports, so a scheduled audit can commit it:
//! `state.json` (versioned by `schema_version`) holds one [`ResourceState`] per resource, and
//! `snapshots/<id>.txt` the accepted normalised text (title on the first line, then one sentence
//! per line) so that `git diff` between two audits shows what a site changed. A change not yet
//! accepted waits in `snapshots/pending/<id>.txt`.

mod accept;
mod assess;
pub mod merge;

pub use accept::{Accepted, Selection, accept};
pub use assess::{Assessment, assess};

use crate::content::Change;
use crate::fsutil::write_atomic;
use crate::status::Status;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

/// Version of `state.json`'s layout; a file with another version is refused, never guessed at.
pub const SCHEMA_VERSION: u32 = 1;
/// The baseline's file name inside the `--out` directory.
pub const STATE_FILE: &str = "state.json";
/// Folder of the accepted snapshots inside the `--out` directory.
pub const SNAPSHOT_DIR: &str = "snapshots";
/// Folder of the pending (seen, not yet accepted) snapshots inside [`SNAPSHOT_DIR`].
pub const PENDING_DIR: &str = "pending";
/// How many accepted fingerprints are remembered: a page flipping between these is unchanged.
pub const ACCEPTED_HISTORY: usize = 5;

/// Why the baseline could not be read or written. A resource's own failure is never one.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("{}: not a linkwatch baseline: {source}", path.display())]
    Corrupt {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error(
        "{}: schema_version {found} is not supported (this linkwatch reads version {SCHEMA_VERSION})",
        path.display()
    )]
    Version { path: PathBuf, found: String },
    #[error("{}: missing; the pending change cannot be accepted", path.display())]
    MissingSnapshot { path: PathBuf },
    #[error("not in the baseline: {}", ids.join(", "))]
    UnknownIds { ids: Vec<String> },
    #[error("no resource of folder {folder:?} is in the baseline")]
    UnknownFolder { folder: String },
}

/// Everything remembered between audits, keyed by resource id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub schema_version: u32,
    #[serde(default)]
    pub resources: BTreeMap<String, ResourceState>,
}

impl Default for Baseline {
    fn default() -> Baseline {
        Baseline {
            schema_version: SCHEMA_VERSION,
            resources: BTreeMap::new(),
        }
    }
}

/// What is remembered of one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceState {
    /// The catalog URL when last checked.
    pub url: String,
    /// The catalog folder when last checked (lets `accept --folder` work without the catalog).
    pub folder: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_checked_at: Option<jiff::Timestamp>,
    /// Last check whose answer was healthy and comparable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_good_at: Option<jiff::Timestamp>,
    /// The accepted title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The accepted fingerprint (blake3 hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// The last [`ACCEPTED_HISTORY`] accepted fingerprints, oldest first, the current one last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted_fingerprints: Vec<String>,
    /// The accepted length: bytes of text, or of the body for documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
    /// The accepted content is a document compared by hash only.
    #[serde(default)]
    pub is_document: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// When the accepted content was recorded or accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_at: Option<jiff::Timestamp>,
    /// First audit of the current run of failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<jiff::Timestamp>,
    /// Audits in a row that failed (reset by a healthy answer).
    #[serde(default)]
    pub consecutive_failures: u32,
    /// A change seen and not yet accepted; its text is in `snapshots/pending/<id>.txt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Pending>,
}

impl ResourceState {
    fn new(url: &str, folder: &str) -> ResourceState {
        ResourceState {
            url: url.to_string(),
            folder: folder.to_string(),
            final_url: None,
            last_status: None,
            last_checked_at: None,
            last_good_at: None,
            title: None,
            fingerprint: None,
            accepted_fingerprints: Vec::new(),
            length: None,
            is_document: false,
            content_type: None,
            etag: None,
            last_modified: None,
            baseline_at: None,
            failing_since: None,
            consecutive_failures: 0,
            pending: None,
        }
    }
}

/// The latest content seen, when it differs from the accepted one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pending {
    pub fingerprint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub length: u64,
    #[serde(default)]
    pub is_document: bool,
    pub first_seen_at: jiff::Timestamp,
    pub last_seen_at: jiff::Timestamp,
    /// How it differs from the accepted content.
    pub change: Change,
}

impl Baseline {
    /// Reads `<out_dir>/state.json`; a missing file is an empty baseline.
    pub fn load(out_dir: &Path) -> Result<Baseline, StateError> {
        let path = out_dir.join(STATE_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Baseline::default()),
            Err(source) => return Err(StateError::Read { path, source }),
        };
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|source| StateError::Corrupt {
                path: path.clone(),
                source,
            })?;
        match value.get("schema_version") {
            Some(v) if v.as_u64() == Some(u64::from(SCHEMA_VERSION)) => {}
            found => {
                return Err(StateError::Version {
                    path,
                    found: found.map_or_else(|| "(missing)".to_string(), |v| v.to_string()),
                });
            }
        }
        serde_json::from_value(value).map_err(|source| StateError::Corrupt { path, source })
    }

    /// Writes the snapshot files `snapshots` holds, then `state.json`, each atomically. Files of
    /// resources this run did not touch are left as they are; `state.json` is not rewritten when
    /// nothing in it changed.
    pub fn save(&self, out_dir: &Path, snapshots: &Snapshots) -> Result<(), StateError> {
        snapshots.flush(out_dir)?;
        let path = out_dir.join(STATE_FILE);
        let mut json = serde_json::to_vec_pretty(self).map_err(|source| StateError::Corrupt {
            path: path.clone(),
            source,
        })?;
        json.push(b'\n');
        if std::fs::read(&path).is_ok_and(|old| old == json) {
            return Ok(());
        }
        write_atomic(&path, &json).map_err(|source| StateError::Write { path, source })
    }

    /// The validators to send with the next request for `id` (ETag, Last-Modified), when there
    /// is an accepted content that a `304 Not Modified` would confirm.
    pub fn conditional(&self, id: &str) -> (Option<String>, Option<String>) {
        match self.resources.get(id) {
            Some(st) if st.fingerprint.is_some() => (st.etag.clone(), st.last_modified.clone()),
            _ => (None, None),
        }
    }
}

/// Snapshot files to write or remove on [`Baseline::save`]; files not touched are read from the
/// `--out` directory when first needed.
#[derive(Debug, Clone)]
pub struct Snapshots {
    out_dir: PathBuf,
    writes: BTreeMap<PathBuf, String>,
    removals: BTreeSet<PathBuf>,
}

impl Snapshots {
    /// Snapshots of the baseline in `out_dir`.
    pub fn new(out_dir: &Path) -> Snapshots {
        Snapshots {
            out_dir: out_dir.to_path_buf(),
            writes: BTreeMap::new(),
            removals: BTreeSet::new(),
        }
    }

    /// Path of `id`'s accepted snapshot, relative to the `--out` directory.
    pub fn accepted_path(id: &str) -> PathBuf {
        Path::new(SNAPSHOT_DIR).join(file_name(id))
    }

    /// Path of `id`'s pending snapshot, relative to the `--out` directory.
    pub fn pending_path(id: &str) -> PathBuf {
        Path::new(SNAPSHOT_DIR)
            .join(PENDING_DIR)
            .join(file_name(id))
    }

    /// The accepted snapshot of `id` (title line, blank line, text), if there is one.
    pub fn accepted(&self, id: &str) -> Result<Option<String>, StateError> {
        self.read(&Self::accepted_path(id))
    }

    /// The pending snapshot of `id`, if there is one.
    pub fn pending(&self, id: &str) -> Result<Option<String>, StateError> {
        self.read(&Self::pending_path(id))
    }

    fn read(&self, rel: &Path) -> Result<Option<String>, StateError> {
        if let Some(text) = self.writes.get(rel) {
            return Ok(Some(text.clone()));
        }
        if self.removals.contains(rel) {
            return Ok(None);
        }
        let path = self.out_dir.join(rel);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(StateError::Read { path, source }),
        }
    }

    fn write(&mut self, rel: PathBuf, text: String) {
        self.removals.remove(&rel);
        self.writes.insert(rel, text);
    }

    fn remove(&mut self, rel: PathBuf) {
        self.writes.remove(&rel);
        self.removals.insert(rel);
    }

    fn flush(&self, out_dir: &Path) -> Result<(), StateError> {
        for (rel, text) in &self.writes {
            let path = out_dir.join(rel);
            write_atomic(&path, text.as_bytes())
                .map_err(|source| StateError::Write { path, source })?;
        }
        for rel in &self.removals {
            let path = out_dir.join(rel);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(source) => return Err(StateError::Write { path, source }),
            }
        }
        Ok(())
    }
}

/// Ids are slugs; anything else is made safe to use as a file name.
fn file_name(id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}.txt")
}
