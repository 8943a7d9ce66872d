//! linkwatch keeps a curated catalog of outside web resources healthy.
//!
//! Data flows catalog → checks → baseline → reports, and the modules are layers whose imports
//! only point down (`tests/layers.rs` fails the build's tests when one points up):
//!
//! | layer | modules | owns |
//! |---|---|---|
//! | 0 | [`url`], [`status`], [`time`], [`vocab`], [`text`], [`cells`], [`fsutil`], [`spool`] | the shared words: URLs, statuses, clock, safe text, formula-safe spreadsheet cells, atomic writes, values kept on disk during a run |
//! | 1 | [`catalog`] | the catalog's model, loading with spans, validation, format-preserving edits |
//! | 2 | [`content`], [`check`] | page text and content change; fetching and network verdicts |
//! | 3 | [`state`] | the baseline: assessment against it, staging, atomic commit |
//! | 4 | [`report`] | [`report::Outcome`], audit results and their writers |
//! | 5 | [`audit`], [`export`] | one audit end to end; the catalog as spreadsheets |
//! | 6 | [`maintain`] | edits planned from an audit or a spreadsheet |
//!
//! The library never prints: the `linkwatch` binary (the `cli` layer above all of these)
//! parses arguments, renders what the library returns, and picks the exit code.

// The library's unit tests do not use the integration tests' dev-dependencies.
#![cfg_attr(test, allow(unused_crate_dependencies))]

// The binary's own dependencies: argument errors, the progress bar, completions and the man
// page live there.
use anyhow as _;
use clap_complete as _;
use clap_mangen as _;
use indicatif as _;
#[cfg(not(target_env = "msvc"))]
use tikv_jemallocator as _;

pub mod audit;
pub mod catalog;
pub mod cells;
pub mod check;
pub mod content;
pub mod export;
pub mod fsutil;
pub mod maintain;
pub mod report;
pub mod spool;
pub mod state;
pub mod status;
pub mod text;
pub mod time;
pub mod url;
pub mod vocab;

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
