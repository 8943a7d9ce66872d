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
    /// The page itself sent the client on, at once: a `<meta http-equiv="refresh">` with a delay
    /// of 0, or a tiny page whose one script statement sets `location`. Its status is the
    /// page's own (a 2xx); the move counts as permanent (see [`Hop::is_permanent`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_page: bool,
}

impl Hop {
    /// A hop answered with a status (a redirect, or the final answer).
    pub fn new(url: impl Into<String>, status: u16) -> Hop {
        Hop {
            url: url.into(),
            status,
            in_page: false,
        }
    }

    /// Whether this hop moved the client on for good: a 301 or 308, or an immediate in-page
    /// move, which browsers follow before a reader sees the page and which nothing marks as
    /// temporary.
    pub fn is_permanent(&self) -> bool {
        self.in_page || matches!(self.status, 301 | 308)
    }
}

/// Why a request got no usable HTTP answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// The host name does not exist: the resolver answered "no such name" (NXDOMAIN).
    Dns,
    /// The resolver gave no answer: it timed out or failed temporarily (SERVFAIL, `EAI_AGAIN`).
    DnsUnavailable,
    /// The address is inside a network (loopback, private, link-local…) where this request may
    /// not go: a redirect from a public address, or any address in a pull-request check.
    PrivateAddress,
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
            FailureKind::DnsUnavailable => "dns-unavailable",
            FailureKind::PrivateAddress => "private-address",
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
    /// Why the body of a 2xx answer stopped short ("timed out after 20 s", "connection closed
    /// mid-body"), when it did: the status and headers are the answer, but the content must not
    /// be compared or snapshotted.
    pub body_incomplete: Option<String>,
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
    /// Whether the chain went through a permanent move (see [`Hop::is_permanent`]).
    pub fn permanently_redirected(&self) -> bool {
        self.chain.iter().any(Hop::is_permanent)
    }
}
