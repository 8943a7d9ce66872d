//! linkwatch keeps a curated catalog of outside web resources healthy.
//!
//! Data flows catalog → checks → baseline → reports:
//! - [`catalog`] loads and validates the hand-edited TOML catalog;
//! - [`check`] fetches every link concurrently and politely and classifies its health;
//! - [`content`] turns pages into normalised text, fingerprints and diffs;
//! - [`state`] owns the baseline that remembers each resource between audits;
//! - [`report`] writes what an audit found as CSV, Markdown and JSON.
//!
//! The library never prints: the `linkwatch` binary renders what it returns.

pub mod catalog;
pub mod check;
pub mod content;
pub mod export;
pub mod fsutil;
pub mod report;
pub mod state;

/// Where the catalog lives when `--catalog` is not given.
pub const DEFAULT_CATALOG_DIR: &str = "catalog";
/// Where reports and the baseline go when `--out` is not given.
pub const DEFAULT_OUT_DIR: &str = "reports";
/// Requests in flight at once, over all hosts.
pub const DEFAULT_CONCURRENCY: usize = 64;
/// Requests in flight at once to one host.
pub const DEFAULT_PER_HOST: usize = 4;
/// Seconds one request may take, body included.
pub const DEFAULT_TIMEOUT_SECS: u64 = 20;
/// Extra attempts for failures that may be temporary.
pub const DEFAULT_RETRIES: u32 = 2;
/// Consecutive failing audits before a temporary failure counts as broken.
pub const DEFAULT_CONFIRM_AFTER: u32 = 2;
/// The User-Agent sent with every request.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "linkwatch/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/linkwatch/linkwatch; catalog link checker)"
);
/// Most bytes read of one response body, counted both compressed (on the wire) and decompressed.
pub const MAX_BODY_BYTES: u64 = 5 * 1024 * 1024;
/// Most redirects followed before a chain counts as broken.
pub const MAX_REDIRECTS: usize = 10;
/// Longest `Retry-After` wait honoured, in seconds; a longer one leaves the link `failing`.
pub const MAX_RETRY_AFTER_SECS: u64 = 60;
/// Name of the optional settings file beside the catalog.
pub const CONFIG_FILE_NAME: &str = "linkwatch.toml";
