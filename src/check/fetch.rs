//! The network evidence of one link's check ([`Fetch`]): the redirect chain, the final answer
//! and its body, or why no usable answer came.
//!
//! A broken link is data: every failure of the site is evidence, never an `Err`.

use serde::{Deserialize, Serialize};

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
    /// The bot-protection vendor ("Cloudflare", "Akamai", "AWS WAF"…) whose challenge or block
    /// page the final answer is, whatever its status.
    pub challenge: Option<&'static str>,
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
