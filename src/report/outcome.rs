//! The [`Outcome`] of checking one resource: one row of `links.csv`, one entry of
//! `results.json`, what reports and exports are built from.

use crate::check::Hop;
use crate::content::Change;
use crate::status::Status;
use serde::{Deserialize, Serialize};

/// The result of checking one resource: one row of `links.csv`, one entry of `results.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub id: String,
    pub folder: String,
    pub title: String,
    pub url: String,
    pub status: Status,
    pub http_status: Option<u16>,
    pub final_url: Option<String>,
    /// A short human reason, e.g. "404 Not Found" or "permanent redirect (301) to …".
    pub detail: String,
    pub checked_at: jiff::Timestamp,
    /// Every response of the chain, in order.
    #[serde(default)]
    pub redirects: Vec<Hop>,
    pub attempts: u32,
    pub elapsed_ms: u64,
    pub content_type: Option<String>,
    /// Body bytes read (decompressed).
    pub bytes: Option<u64>,
    /// Word-level similarity to the baseline, when there was one to compare with.
    #[serde(default)]
    pub similarity: Option<f64>,
    /// When the baseline this was compared with was accepted.
    #[serde(default)]
    pub baseline_at: Option<jiff::Timestamp>,
    /// First audit of the current run of failures.
    #[serde(default)]
    pub failing_since: Option<jiff::Timestamp>,
    #[serde(default)]
    pub change: Option<Change>,
    /// Audits in a row that failed, this one included (0 when this one did not fail).
    #[serde(default)]
    pub failing_audits: u32,
    /// A Wayback Machine snapshot of a `broken`, `soft404` or `hijacked` resource, from before
    /// linkwatch last saw it healthy, that answered 200.
    #[serde(default)]
    pub archived: Option<String>,
}
