//! What an audit found, and its writers: `links.csv`, `report.md` and `results.json`, each
//! writing into `impl Write`, and [`write_all`] putting all three into the output directory
//! atomically.

pub mod csv;
pub mod history;
pub mod json;
pub mod markdown;
mod outcome;

pub use outcome::Outcome;

use crate::fsutil::{Staged, ensure_within};
use crate::status::Status;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Version of the `results.json` layout; bumped on any incompatible change.
pub const RESULTS_SCHEMA_VERSION: u32 = 1;

/// File names inside the output directory.
pub const LINKS_CSV: &str = "links.csv";
pub const REPORT_MD: &str = "report.md";
pub const RESULTS_JSON: &str = "results.json";

/// Everything one audit found: the contents of `results.json`, from which every report can be
/// rendered again without touching the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditResults {
    pub schema_version: u32,
    pub catalog: CatalogInfo,
    pub started_at: jiff::Timestamp,
    pub finished_at: jiff::Timestamp,
    /// False when the run was interrupted before every selected link was checked.
    pub complete: bool,
    /// How many links the run meant to check (selected, skipped ones included).
    pub selected: usize,
    /// `--only` selectors, when the run covered part of the catalog.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only: Vec<String>,
    /// `K/N` when the run checked one shard of the catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// Consecutive failing audits after which a temporary failure counts as broken.
    pub confirm_after: u32,
    /// One per checked (or skipped) resource, in catalog order.
    pub outcomes: Vec<Outcome>,
    /// For a partial run (`--only`, `--changed-since`, `--shard`) laid over the last audit: the
    /// ids this run checked; the other outcomes are the last audit's, with their `checked_at`.
    /// Empty for a full run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checked_this_run: Vec<String>,
    /// A shard's: the digest of the baseline it started from (see `state::Baseline::digest`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_digest: Option<String>,
    /// A shard's: no link got an HTTP answer and every one failed at DNS or connect, so the
    /// shard's runner looks offline; its baseline was left untouched and `merge` decides.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub network_down: bool,
}

/// The catalog an audit covered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogInfo {
    pub title: String,
    pub publisher: String,
    /// Folder ids and titles, in catalog order.
    pub folders: Vec<FolderInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FolderInfo {
    pub id: String,
    pub title: String,
}

impl AuditResults {
    /// How many outcomes have each status; every status appears, zero or not.
    pub fn counts(&self) -> BTreeMap<Status, usize> {
        let mut counts: BTreeMap<Status, usize> = Status::ALL.iter().map(|&s| (s, 0)).collect();
        for o in &self.outcomes {
            *counts.entry(o.status).or_default() += 1;
        }
        counts
    }

    /// This partial run's outcomes laid over `previous` (the last audit of the same `--out`), so
    /// a partial run never replaces the full audit: every resource of `order` (the catalog's
    /// ids, in order) gets this run's outcome when it has one, else the previous one; resources
    /// no longer in the catalog are dropped. [`AuditResults::checked_this_run`] says which rows
    /// are new.
    pub fn over(mut self, previous: AuditResults, order: &[&str]) -> AuditResults {
        let mut fresh: std::collections::HashMap<String, Outcome> =
            self.outcomes.drain(..).map(|o| (o.id.clone(), o)).collect();
        let mut old: std::collections::HashMap<String, Outcome> = previous
            .outcomes
            .into_iter()
            .map(|o| (o.id.clone(), o))
            .collect();
        let mut checked = Vec::new();
        for id in order {
            if let Some(o) = fresh.remove(*id) {
                checked.push(o.id.clone());
                self.outcomes.push(o);
            } else if let Some(o) = old.remove(*id) {
                self.outcomes.push(o);
            }
        }
        self.checked_this_run = checked;
        self
    }

    /// The title of folder `id`, or the id itself when the catalog no longer has it.
    pub fn folder_title<'a>(&'a self, id: &'a str) -> &'a str {
        self.catalog
            .folders
            .iter()
            .find(|f| f.id == id)
            .map_or(id, |f| f.title.as_str())
    }
}

/// A report could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}")]
pub struct ReportError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Writes `links.csv`, `report.md` (with what `past` knows of earlier audits) and
/// `results.json` into `out_dir`, all three or none; a symlinked directory on the way is refused
/// (see [`ensure_within`]).
pub fn write_all(
    out_dir: &Path,
    results: &AuditResults,
    past: &history::Past,
) -> Result<(), ReportError> {
    stage_all(out_dir, results, past)?.commit()
}

/// The three reports of [`write_all`], written and synced beside their files but not in place:
/// an audit writes them while it saves its baseline, and puts them in place once that is saved.
#[derive(Debug)]
pub struct StagedReports(Vec<Staged>);

/// Writes the reports [`write_all`] writes, without putting them in place. `results.json`, the
/// largest, is written on a thread of its own while the other two are written here.
pub fn stage_all(
    out_dir: &Path,
    results: &AuditResults,
    past: &history::Past,
) -> Result<StagedReports, ReportError> {
    let stage = |name: &str, fill: &dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()>| {
        let path = out_dir.join(name);
        ensure_within(out_dir, &path)
            .and_then(|()| Staged::new(&path, |w| fill(w)))
            .map_err(|source| ReportError { path, source })
    };
    std::thread::scope(|s| {
        let json = s.spawn(|| stage(RESULTS_JSON, &|w| json::write(results, w)));
        let csv = stage(LINKS_CSV, &|w| csv::write(&results.outcomes, w));
        let md = stage(REPORT_MD, &|w| markdown::write(results, past, w));
        let json = json
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok(StagedReports(vec![json?, csv?, md?]))
    })
}

impl StagedReports {
    /// Puts the reports in place.
    pub fn commit(self) -> Result<(), ReportError> {
        for staged in self.0 {
            let path = staged.target().to_path_buf();
            staged
                .commit()
                .map_err(|source| ReportError { path, source })?;
        }
        Ok(())
    }
}

/// Reads `results.json` back.
pub fn read_results(out_dir: &Path) -> Result<AuditResults, ReadResultsError> {
    let path = out_dir.join(RESULTS_JSON);
    let text = std::fs::read_to_string(&path).map_err(|source| ReadResultsError::Read {
        path: path.clone(),
        source,
    })?;
    json::parse(&text).map_err(|source| ReadResultsError::Parse { path, source })
}

#[derive(Debug, thiserror::Error)]
pub enum ReadResultsError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a linkwatch results file")]
    Parse {
        path: PathBuf,
        #[source]
        source: json::ParseError,
    },
}
