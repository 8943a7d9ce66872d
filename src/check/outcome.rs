//! What one link's check yields: its health [`Status`], the network evidence ([`Fetch`]), and
//! the [`Outcome`] that reports, exports and the baseline are built from.
//!
//! A broken link is data: every failure of the site is an outcome, never an `Err`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A link's health. The words are a contract: reports, exports and audits use exactly these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Reachable and healthy.
    Ok,
    /// Reachable only through permanent redirects: update the catalog to the final URL.
    Moved,
    /// Healthy, but its content differs from the baseline.
    Changed,
    /// Answers, but the resource is gone.
    Soft404,
    /// Gone for sure.
    Broken,
    /// Failed this audit in a way that may be temporary.
    Failing,
    /// The server refuses automated checks: a person should look.
    Blocked,
    /// `watch.skip` is set.
    Skipped,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Ok,
        Status::Moved,
        Status::Changed,
        Status::Soft404,
        Status::Broken,
        Status::Failing,
        Status::Blocked,
        Status::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Moved => "moved",
            Status::Changed => "changed",
            Status::Soft404 => "soft404",
            Status::Broken => "broken",
            Status::Failing => "failing",
            Status::Blocked => "blocked",
            Status::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether a maintainer has something to do about a link with this status.
    pub fn needs_attention(self) -> bool {
        !matches!(self, Status::Ok | Status::Skipped)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One response in a redirect chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    pub url: String,
    pub status: u16,
}

/// Why a request got no usable HTTP answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// The host name does not resolve.
    Dns,
    /// Nothing listens (connection refused) or the host is unreachable.
    Connect,
    /// The TLS handshake failed, e.g. an untrusted or expired certificate.
    Tls,
    /// The connection was reset or closed mid-answer.
    Reset,
    /// The whole request, body included, took longer than the timeout.
    Timeout,
    /// More than the allowed number of redirects, or a redirect back to an earlier URL.
    RedirectLoop,
    /// A redirect to a scheme other than http(s), or an unusable `Location`.
    BadRedirect,
    /// The server broke HTTP itself.
    Protocol,
}

impl FailureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Dns => "dns",
            FailureKind::Connect => "connect",
            FailureKind::Tls => "tls",
            FailureKind::Reset => "reset",
            FailureKind::Timeout => "timeout",
            FailureKind::RedirectLoop => "redirect-loop",
            FailureKind::BadRedirect => "bad-redirect",
            FailureKind::Protocol => "protocol",
        }
    }
}

/// A failure with a short human message (e.g. "connection refused").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
}

/// Everything the network told us about one link, after retries: the evidence a status is
/// decided from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fetch {
    /// Every response received for the last attempt, in order; the last one is the final answer.
    pub chain: Vec<Hop>,
    /// The URL of the final answer (or of the request that failed).
    pub final_url: String,
    /// The final answer's status, when one came.
    pub http_status: Option<u16>,
    /// The final answer's `Content-Type`.
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Headers that betray a bot challenge (e.g. `cf-mitigated: challenge`).
    pub challenge: bool,
    /// The final answer's body, decompressed, at most [`crate::MAX_BODY_BYTES`] (or the cap set
    /// in the check configuration).
    pub body: Vec<u8>,
    /// The body was cut at the cap.
    pub truncated: bool,
    /// Bytes received on the wire for the final body (compressed size).
    pub wire_bytes: u64,
    /// Set when no usable answer came.
    pub failure: Option<Failure>,
    /// Attempts made (1 + retries used).
    pub attempts: u32,
    /// Wall time from the first attempt to the end, waits included.
    pub elapsed_ms: u64,
    /// Whether any attempt got an HTTP answer from anyone (for the offline guard).
    pub got_http_answer: bool,
    /// A `Retry-After` (in seconds) longer than the configured cap, which was not waited for.
    pub retry_after_refused: Option<u64>,
}

impl Fetch {
    /// Whether the chain went through a permanent redirect (301, 308).
    pub fn permanently_redirected(&self) -> bool {
        self.chain.iter().any(|h| matches!(h.status, 301 | 308))
    }
}

/// What a content change looks like, for the report (filled by the content comparison).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Change {
    /// Why it counts as changed, e.g. "title changed", "expected text \"x\" is gone".
    pub reasons: Vec<String>,
    pub old_title: Option<String>,
    pub new_title: Option<String>,
    /// Word-level similarity to the baseline, 0.0–1.0.
    pub similarity: Option<f64>,
    pub words_added: usize,
    pub words_removed: usize,
    /// A short unified-diff excerpt of the normalised text (at most about 15 lines).
    pub diff_excerpt: Vec<String>,
}

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
}
