//! Maintenance: edits to the catalog planned from an audit or a spreadsheet (`fix`, `import`),
//! new resources (`add`), new catalogs (`init`), the resources a pull request touched
//! (`check --changed-since`), and the checks every edit passes before it is written.

pub mod add;
pub mod changed;
pub mod fix;
pub mod import;
pub mod init;

use crate::catalog::{self, CatalogError, Loaded};
use std::path::{Path, PathBuf};

/// How long [`unified_diff`] searches for the smallest diff of one file; past it, the diff is
/// still correct but may show more lines as changed than it had to.
pub const DIFF_DEADLINE: std::time::Duration = std::time::Duration::from_secs(2);

/// A unified diff of one file's old and new text, headed with its path (empty when equal).
/// Patience anchors on the lines that occur once (a catalog's `id = …` lines), so a file of
/// 100,000 resources with thousands of edits diffs in well under a second; the deadline bounds
/// the rest.
pub fn unified_diff(path: &Path, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let name = path.display().to_string();
    similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .timeout(DIFF_DEADLINE)
        .diff_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&name, &name)
        .to_string()
}

/// Loads the catalog in `dir` as it would be with `edits` applied, without touching `dir`:
/// the files are copied to a temporary directory first. Diagnostics name the real paths.
pub fn validate_edits(
    dir: &Path,
    edits: &[(PathBuf, String)],
    today: jiff::civil::Date,
) -> Result<Loaded, ValidateEditsError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ValidateEditsError::Io { path, source }
    };
    let tmp = tempfile::tempdir().map_err(io(dir))?;
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        if path.is_file()
            && let Some(name) = path.file_name()
        {
            std::fs::copy(&path, tmp.path().join(name)).map_err(io(&path))?;
        }
    }
    for (path, text) in edits {
        if let Some(name) = path.file_name() {
            std::fs::write(tmp.path().join(name), text).map_err(io(path))?;
        }
    }
    let mut loaded = catalog::load(tmp.path(), today)?;
    for d in &mut loaded.diagnostics {
        if let Ok(rel) = d.file.strip_prefix(tmp.path()) {
            d.file = dir.join(rel);
        }
    }
    Ok(loaded)
}

/// The edited catalog could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum ValidateEditsError {
    #[error("cannot copy the catalog to check the edit ({path})")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Load(#[from] CatalogError),
}
