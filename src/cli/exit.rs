//! Exit codes: a documented contract, tested in `tests/`.

use std::process::ExitCode;

/// How a `linkwatch` run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Nothing needs attention (`validate`: the catalog is valid, warnings allowed).
    Ok = 0,
    /// Problems found: catalog errors (`validate`), a link with a status in `--fail-on`
    /// (`check`), an unformatted file (`fmt --check`).
    Problems = 1,
    /// Usage error, or the catalog could not be read or is invalid.
    Usage = 2,
    /// The network looks unavailable: nothing was written.
    Offline = 3,
    /// Interrupted (Ctrl-C, SIGINT): what finished was written, marked incomplete.
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}
