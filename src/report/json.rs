//! `results.json`: everything an audit found, versioned, for re-rendering and merging.

use super::{AuditResults, RESULTS_SCHEMA_VERSION};
use std::io::{self, Write};

/// Writes `results` as pretty JSON with a trailing newline.
pub fn write(results: &AuditResults, w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, results)?;
    w.write_all(b"\n")
}

#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error(
        "schema_version {found} is not supported (this linkwatch reads {RESULTS_SCHEMA_VERSION})"
    )]
    Version { found: u64 },
}

/// Parses `results.json`, refusing other schema versions.
pub fn parse(text: &str) -> Result<AuditResults, ParseError> {
    // The version first, the rest skipped unread; then the results straight from the text (a
    // `serde_json::Value` of a large audit's results costs several times their size).
    #[derive(serde::Deserialize)]
    struct Version {
        schema_version: Option<serde_json::Value>,
    }
    let version: Version = serde_json::from_str(text)?;
    let found = version
        .schema_version
        .as_ref()
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    if found != u64::from(RESULTS_SCHEMA_VERSION) {
        return Err(ParseError::Version { found });
    }
    Ok(serde_json::from_str(text)?)
}
