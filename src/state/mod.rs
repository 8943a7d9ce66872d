//! The baseline: what each resource looked like when last accepted, staged as a run decides
//! it and committed crash-safely.
//!
//! It lives in the `--out` directory beside the reports, so a scheduled audit can commit it:
//! `state.json` (versioned by `schema_version`) holds one [`ResourceState`] per resource, and
//! `snapshots/<id>.txt` the accepted normalised text (title on the first line, then one sentence
//! per line) so that `git diff` between two audits shows what a site changed. A change not yet
//! accepted waits in `snapshots/pending/<id>.txt`. How new snapshots are staged and committed
//! together with `state.json` is described in [`commit`].

mod accept;
mod assess;
pub mod commit;
pub mod merge;
mod store;

pub use accept::{Accepted, Selection, accept};
pub use assess::{
    Assessment, Confirm, Decision, Staged, assess, decide, parse_span, probed_soft404,
};
pub use store::{Prior, Store};

use crate::content::Change;
use crate::fsutil::write_atomic_if_changed;
use crate::status::Status;
use commit::{COMMIT_DIR, CrashPoint, REMOVE, STAGING_PREFIX, WRITE};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

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
/// How many checks of a resource [`ResourceState::recent`] remembers: half a year of weekly
/// audits.
pub const RECENT_CHECKS: usize = 26;
/// The least time the failing audits of a temporary failure must span before it counts as
/// broken: two runs minutes apart never confirm an outage.
pub const DEFAULT_CONFIRM_SPAN: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

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
    #[error(
        "refusing to accept what {} now serve(s): the address looks hijacked (parked, spam or another owner); check it in a browser, then use --force",
        ids.join(", ")
    )]
    Hijacked { ids: Vec<String> },
    #[error("{} exists: --baseline would overwrite that baseline", path.display())]
    AlreadySeeded { path: PathBuf },
    #[error("no resource of folder {folder:?} is in the baseline")]
    UnknownFolder { folder: String },
    #[error("cannot keep the run's new baseline entries in a temporary file: {source}")]
    Spool { source: io::Error },
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
    /// Its last [`RECENT_CHECKS`] checks, oldest first: the resource's timeline.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recent: Vec<Seen>,
    /// The contact facts of the accepted content (see `content::Page::facts`); `None` when not
    /// recorded yet (a baseline from before they were), then taken from the next page that is
    /// the accepted content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<Facts>,
    /// A digest of the last body read as the accepted content, unchanged, together with all
    /// its reading depended on (see `assess::read_digest`): a later body with the same digest is
    /// that content again without being parsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_digest: Option<String>,
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
            recent: Vec::new(),
            facts: None,
            read_digest: None,
        }
    }

    /// Adds its last check (`last_status`, on the UTC day of `last_checked_at`) to
    /// [`ResourceState::recent`], forgetting the oldest beyond [`RECENT_CHECKS`].
    fn remember_check(&mut self) {
        let (Some(status), Some(at)) = (self.last_status, self.last_checked_at) else {
            return;
        };
        let date = jiff::tz::TimeZone::UTC.to_datetime(at).date();
        self.recent.push(Seen { date, status });
        let extra = self.recent.len().saturating_sub(RECENT_CHECKS);
        self.recent.drain(..extra);
    }
}

/// One check of a resource in its timeline: the UTC day and the status. Written as one string,
/// `"2026-11-28 broken"`, so that `state.json` gains one line per resource and audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Seen {
    pub date: jiff::civil::Date,
    pub status: Status,
}

impl From<Seen> for String {
    fn from(seen: Seen) -> String {
        format!("{} {}", seen.date, seen.status)
    }
}

impl TryFrom<String> for Seen {
    type Error = String;

    fn try_from(s: String) -> Result<Seen, String> {
        let bad = || format!("{s:?} is not a check: expected \"<YYYY-MM-DD> <status>\"");
        let (date, status) = s.split_once(' ').ok_or_else(bad)?;
        Ok(Seen {
            date: date.parse().map_err(|_| bad())?,
            status: status.parse()?,
        })
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
    /// The content is a hijack (parked domain, spam, another owner): `accept` takes it only with
    /// `force`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hijacked: bool,
    /// Its contact facts, which become the accepted ones when it is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<Facts>,
}

/// A page's contact facts (see `content::Page::facts`) as the baseline keeps them: one string,
/// a fact per line, so the dozens of facts of each of a large catalog's resources cost one
/// allocation each, not dozens. `state.json` holds them as a list of strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts(Box<str>);

impl Facts {
    /// The facts in page order; a line break inside one (there is none in normalised text)
    /// would become a space.
    pub fn new(facts: &[String]) -> Facts {
        let mut joined = String::with_capacity(facts.iter().map(|f| f.len() + 1).sum());
        for (i, fact) in facts.iter().enumerate() {
            Facts::append(&mut joined, i == 0, fact);
        }
        Facts(joined.into_boxed_str())
    }

    /// Adds `fact` to the joined string: after a line break unless it is the `first`, with a
    /// line break inside it made a space.
    fn append(joined: &mut String, first: bool, fact: &str) {
        if !first {
            joined.push('\n');
        }
        for (i, line) in fact.split('\n').enumerate() {
            if i > 0 {
                joined.push(' ');
            }
            joined.push_str(line);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (!self.0.is_empty())
            .then(|| self.0.split('\n'))
            .into_iter()
            .flatten()
    }

    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }

    /// Whether these are exactly `facts`, in the same order.
    pub fn are(&self, facts: &[String]) -> bool {
        self.iter().eq(facts.iter().map(String::as_str))
    }
}

impl Serialize for Facts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Facts {
    /// Reads the list straight into the one string, without a string per fact.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Facts, D::Error> {
        deserializer.deserialize_seq(FactsVisitor)
    }
}

struct FactsVisitor;

impl<'de> serde::de::Visitor<'de> for FactsVisitor {
    type Value = Facts;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of facts (strings)")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Facts, A::Error> {
        let mut joined = String::new();
        let mut first = true;
        while seq
            .next_element_seed(AppendFact {
                to: &mut joined,
                first,
            })?
            .is_some()
        {
            first = false;
        }
        Ok(Facts(joined.into_boxed_str()))
    }
}

/// Appends one fact of the list to the joined string ([`Facts::append`]).
struct AppendFact<'a> {
    to: &'a mut String,
    first: bool,
}

impl<'de> serde::de::DeserializeSeed<'de> for AppendFact<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for AppendFact<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a fact (a string)")
    }

    fn visit_str<E: serde::de::Error>(self, fact: &str) -> Result<(), E> {
        Facts::append(self.to, self.first, fact);
        Ok(())
    }
}

impl Baseline {
    /// Reads `<out_dir>/state.json`; a missing file is an empty baseline. Writes nothing: a save
    /// that a crash left committed but not yet in place is read as saved.
    pub fn load(out_dir: &Path) -> Result<Baseline, StateError> {
        let Some((path, mut file)) = find_state(out_dir)? else {
            return Ok(Baseline::default());
        };
        let bytes = read_state(&path, &mut file)?;
        // Straight from the bytes: a `serde_json::Value` of a large baseline costs several
        // times its size.
        serde_json::from_slice(&bytes).map_err(|source| StateError::Corrupt { path, source })
    }

    /// Each resource's recent checks, in id order.
    pub fn recent(&self) -> impl Iterator<Item = (String, Vec<Seen>)> + '_ {
        self.resources
            .iter()
            .map(|(id, st)| (id.clone(), st.recent.clone()))
    }

    /// Commits this baseline into `out_dir` with the snapshot changes staged in `snapshots`
    /// (see [`commit`]): after a crash at any moment, `out_dir` holds either the previous
    /// baseline or this one, whole. Files of resources this run did not touch are left as they
    /// are; `state.json` is not rewritten when nothing in it changed. Also finishes a save that
    /// a crash interrupted and removes what aborted runs left behind.
    pub fn save(&self, out_dir: &Path, snapshots: &Snapshots) -> Result<(), StateError> {
        self.save_until(out_dir, snapshots, None)
    }

    /// [`Baseline::save`], stopped right after `crash` as if the process had died there.
    #[doc(hidden)]
    pub fn save_until(
        &self,
        out_dir: &Path,
        snapshots: &Snapshots,
        crash: Option<CrashPoint>,
    ) -> Result<(), StateError> {
        clean_up(out_dir, snapshots)?;
        save_json(out_dir, snapshots, crash, |w| {
            serde_json::to_writer_pretty(w, self).map_err(io::Error::from)
        })
    }

    /// The validators to send with the next request for `id` (ETag, Last-Modified), when there
    /// is an accepted content that a `304 Not Modified` would confirm.
    /// A fingerprint of the whole baseline: shards record the one they started from, so
    /// `merge` can tell whether they started from the baseline it merges into.
    pub fn digest(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        blake3::hash(&json).to_hex().to_string()
    }

    /// Copies the baseline of `from` (`state.json` and `snapshots/`) into `out_dir`, for a shard
    /// that starts from the audit's baseline (`check --shard K/N --baseline DIR`). Refuses when
    /// `out_dir` already holds a baseline, so nothing is overwritten.
    pub fn seed(out_dir: &Path, from: &Path) -> Result<(), StateError> {
        let target = out_dir.join(STATE_FILE);
        if target.exists() {
            return Err(StateError::AlreadySeeded { path: target });
        }
        let baseline = Baseline::load(from)?;
        let source = Snapshots::new(from);
        let snapshots = Snapshots::new(out_dir);
        for id in baseline.resources.keys() {
            for (rel, text) in [
                (Snapshots::accepted_path(id), source.accepted(id)?),
                (Snapshots::pending_path(id), source.pending(id)?),
            ] {
                if let Some(text) = text {
                    snapshots.write(&rel, &text)?;
                }
            }
        }
        baseline.save(out_dir, &snapshots)
    }

    pub fn conditional(&self, id: &str) -> (Option<String>, Option<String>) {
        match self.resources.get(id) {
            Some(st) if st.fingerprint.is_some() => (st.etag.clone(), st.last_modified.clone()),
            _ => (None, None),
        }
    }
}

/// The `state.json` a load reads, open: the committed one a crash left, else the one in place.
/// `None` when there is none.
fn find_state(out_dir: &Path) -> Result<Option<(PathBuf, std::fs::File)>, StateError> {
    for path in [
        out_dir.join(COMMIT_DIR).join(WRITE).join(STATE_FILE),
        out_dir.join(STATE_FILE),
    ] {
        match std::fs::File::open(&path) {
            Ok(file) => return Ok(Some((path, file))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(source) => return Err(StateError::Read { path, source }),
        }
    }
    Ok(None)
}

/// The bytes of `file`, the `state.json` at `path`, from where it stands to its end, after its
/// `schema_version` was checked.
fn read_state(path: &Path, file: &mut std::fs::File) -> Result<Vec<u8>, StateError> {
    let mut bytes = Vec::new();
    io::Read::read_to_end(file, &mut bytes).map_err(|source| StateError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    check_version(path, &bytes)?;
    Ok(bytes)
}

/// Refuses a `state.json` of another `schema_version`, reading only that field: a baseline of
/// another version may not parse as this one.
fn check_version(path: &Path, bytes: &[u8]) -> Result<(), StateError> {
    #[derive(Deserialize)]
    struct Version {
        schema_version: Option<serde_json::Value>,
    }
    let version: Version = serde_json::from_slice(bytes).map_err(|source| StateError::Corrupt {
        path: path.to_path_buf(),
        source,
    })?;
    match version.schema_version {
        Some(v) if v.as_u64() == Some(u64::from(SCHEMA_VERSION)) => Ok(()),
        found => Err(StateError::Version {
            path: path.to_path_buf(),
            found: found.map_or_else(|| "(missing)".to_string(), |v| v.to_string()),
        }),
    }
}

/// Finishes a save a crash interrupted in `out_dir`, and removes what aborted runs left behind
/// (other staging directories, `.linkwatch-*.tmp` files), sparing `snapshots`' own staging.
fn clean_up(out_dir: &Path, snapshots: &Snapshots) -> Result<(), StateError> {
    commit::recover_except(out_dir, Some(&snapshots.staging))
}

/// Commits the `state.json` that `write` writes (without its final line break) into `out_dir`,
/// which [`clean_up`] has readied, with the snapshot changes staged in `snapshots`: see
/// [`Baseline::save`].
fn save_json(
    out_dir: &Path,
    snapshots: &Snapshots,
    crash: Option<CrashPoint>,
    write: impl FnOnce(&mut dyn io::Write) -> io::Result<()>,
) -> Result<(), StateError> {
    let path = out_dir.join(STATE_FILE);
    // Streamed into its file: a large baseline is never held twice in memory.
    let json = |w: &mut dyn io::Write| {
        write(&mut *w)?;
        w.write_all(b"\n")
    };
    if !snapshots.staging.exists() {
        // No snapshot changes: replacing state.json alone is atomic.
        return write_atomic_if_changed(&path, json)
            .map(|_| ())
            .map_err(|source| StateError::Write { path, source });
    }
    snapshots.write_with(Path::new(STATE_FILE), json)?;
    let committed = commit::commit(out_dir, &snapshots.staging, crash);
    snapshots.forget_dirs();
    committed
}

/// The snapshot files of the baseline in an `--out` directory, and the changes a run stages to
/// them. Reads see the staged changes first, then a committed save a crash left unfinished,
/// then the files in place. Changes go to disk as they are made, into a staging directory of
/// this value's own that [`Baseline::save`] commits; one that is dropped uncommitted is deleted.
/// Writing takes `&self`, so one value may be shared by the threads that decide resources.
#[derive(Debug)]
pub struct Snapshots {
    out_dir: PathBuf,
    staging: PathBuf,
    /// Whether a removal was ever staged: until then no write has a removal mark to clear.
    removals: AtomicBool,
    /// Staging directories made so far: a first audit stages thousands of files in two.
    dirs: Mutex<HashSet<PathBuf>>,
}

impl Snapshots {
    /// Snapshots of the baseline in `out_dir`; nothing is written until a change is staged.
    pub fn new(out_dir: &Path) -> Snapshots {
        let name = format!("{STAGING_PREFIX}{:016x}", fastrand::u64(..));
        Snapshots {
            out_dir: out_dir.to_path_buf(),
            staging: out_dir.join(name),
            removals: AtomicBool::new(false),
            dirs: Mutex::new(HashSet::new()),
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
        for layer in [self.staging.clone(), self.out_dir.join(COMMIT_DIR)] {
            if let Some(bytes) = read_file(&layer.join(WRITE).join(rel))? {
                return Ok(Some(String::from_utf8_lossy(&bytes).into_owned()));
            }
            if layer.join(REMOVE).join(rel).exists() {
                return Ok(None);
            }
        }
        Ok(read_file(&self.out_dir.join(rel))?
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// Stages `text` as the new contents of `rel` (relative to the `--out` directory).
    fn write(&self, rel: &Path, text: impl AsRef<[u8]>) -> Result<(), StateError> {
        self.write_with(rel, |w| w.write_all(text.as_ref()))
    }

    /// Stages what `fill` writes as the new contents of `rel`.
    fn write_with(
        &self,
        rel: &Path,
        fill: impl FnOnce(&mut dyn io::Write) -> io::Result<()>,
    ) -> Result<(), StateError> {
        if self.removals.load(Ordering::Acquire) {
            remove_file(&self.staging.join(REMOVE).join(rel))?;
        }
        let path = self.staging.join(WRITE).join(rel);
        let written = match path.parent() {
            Some(dir) => self.make_dir(dir),
            None => Ok(()),
        }
        .and_then(|()| {
            let mut file = io::BufWriter::new(std::fs::File::create(&path)?);
            fill(&mut file)?;
            io::Write::flush(&mut file)?;
            commit::start_writeback(file.get_ref());
            Ok(())
        });
        written.map_err(|source| StateError::Write { path, source })
    }

    /// Drops what this run staged for `id`'s snapshots, so they stay as committed: for a
    /// decision staged early and then replaced by another (see [`probed_soft404`]).
    pub fn unstage(&self, id: &str) -> Result<(), StateError> {
        for rel in [Self::accepted_path(id), Self::pending_path(id)] {
            remove_file(&self.staging.join(WRITE).join(&rel))?;
            remove_file(&self.staging.join(REMOVE).join(&rel))?;
        }
        Ok(())
    }

    /// Stages the removal of `rel`.
    fn remove(&self, rel: &Path) -> Result<(), StateError> {
        remove_file(&self.staging.join(WRITE).join(rel))?;
        let committed = self.out_dir.join(COMMIT_DIR).join(WRITE).join(rel);
        if !self.out_dir.join(rel).exists() && !committed.exists() {
            return Ok(());
        }
        self.removals.store(true, Ordering::Release);
        let path = self.staging.join(REMOVE).join(rel);
        let written = match path.parent() {
            Some(dir) => self.make_dir(dir),
            None => Ok(()),
        }
        .and_then(|()| std::fs::write(&path, b""));
        written.map_err(|source| StateError::Write { path, source })
    }

    /// Creates the staging directory `dir` unless this value made it already.
    fn make_dir(&self, dir: &Path) -> io::Result<()> {
        let mut made = self
            .dirs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !made.contains(dir) {
            std::fs::create_dir_all(dir)?;
            made.insert(dir.to_path_buf());
        }
        Ok(())
    }

    /// Forgets the directories made: the staging directory is gone (committed or deleted).
    fn forget_dirs(&self) {
        self.dirs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }
}

impl Drop for Snapshots {
    fn drop(&mut self) {
        // Committed, this is gone already; uncommitted, it must not outlive the run. A failure
        // here leaves it for the next save to delete.
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

/// The bytes of `path`, or `None` when it does not exist.
fn read_file(path: &Path) -> Result<Option<Vec<u8>>, StateError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(StateError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Removes the file at `path`, if there is one.
fn remove_file(path: &Path) -> Result<(), StateError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(StateError::Write {
            path: path.to_path_buf(),
            source,
        }),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_one_string_in_memory_and_a_list_in_the_file() {
        let list = vec![
            "phone 1-800-555-0100".to_string(),
            "link /report".to_string(),
        ];
        let facts = Facts::new(&list);
        assert!(facts.are(&list));
        assert!(!facts.are(&list[..1]));
        assert_eq!(facts.to_vec(), list);
        let json = serde_json::to_string(&facts).unwrap();
        assert_eq!(json, r#"["phone 1-800-555-0100","link /report"]"#);
        assert_eq!(serde_json::from_str::<Facts>(&json).unwrap(), facts);
        let none = Facts::new(&[]);
        assert_eq!(none.iter().count(), 0);
        assert!(none.are(&[]));
        assert_eq!(serde_json::to_string(&none).unwrap(), "[]");
        assert_eq!(serde_json::from_str::<Facts>("[]").unwrap(), none);
        // Read straight into one string: escapes and line breaks come out as Facts::new has them.
        let escaped = r#"["email a\"b@x.org", "link /caf\u00e9", "two\nlines", "three"]"#;
        let expected = ["email a\"b@x.org", "link /café", "two\nlines", "three"].map(String::from);
        assert_eq!(
            serde_json::from_str::<Facts>(escaped).unwrap(),
            Facts::new(&expected)
        );
        assert!(serde_json::from_str::<Facts>(r#""link /a""#).is_err());
        assert!(serde_json::from_str::<Facts>("[1]").is_err());
    }

    #[test]
    fn a_timeline_keeps_the_last_checks_one_line_each() {
        let mut st = ResourceState::new("https://a.test/", "web");
        let start: jiff::Timestamp = "2026-01-01T23:30:00-02:00".parse().unwrap();
        for week in 0..30 {
            st.last_status = Some(if week % 2 == 0 {
                Status::Ok
            } else {
                Status::Failing
            });
            st.last_checked_at = Some(start + jiff::SignedDuration::from_hours(24 * 7 * week));
            st.remember_check();
        }
        assert_eq!(st.recent.len(), RECENT_CHECKS);
        assert_eq!(
            serde_json::to_value(st.recent[0]).unwrap(),
            "2026-01-30 ok",
            "the oldest four are gone; the day is UTC's"
        );
        let back: Seen = serde_json::from_str("\"2026-11-28 broken\"").unwrap();
        assert_eq!(back.status, Status::Broken);
        assert!(serde_json::from_str::<Seen>("\"2026-11-28\"").is_err());
        assert!(serde_json::from_str::<Seen>("\"2026-11-28 gone\"").is_err());
    }
}
