//! `check --changed-since REF`: which resources a pull request added or changed, found by
//! loading the catalog as it was at a git ref.

use crate::catalog::{self, Catalog};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The catalog at the git ref could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ChangedError {
    #[error("cannot run git (is it installed?)")]
    NoGit(#[source] std::io::Error),
    #[error("git {args} failed in {}: {stderr}", dir.display())]
    Git {
        args: String,
        dir: PathBuf,
        stderr: String,
    },
    #[error("git printed something that is not UTF-8")]
    NotUtf8,
    #[error("cannot copy the catalog at the git ref to {}", path.display())]
    Copy {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Ids of the resources in `current` that are new since `reference`, or whose URL or `watch`
/// settings differ from the catalog in `catalog_dir` at that git ref.
pub fn changed_since(
    catalog_dir: &Path,
    current: &Catalog,
    reference: &str,
    today: jiff::civil::Date,
) -> Result<Vec<String>, ChangedError> {
    let old_dir = tempfile::tempdir().map_err(|source| ChangedError::Copy {
        path: std::env::temp_dir(),
        source,
    })?;
    let git_dir = if catalog_dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        catalog_dir
    };
    let listing = git(
        git_dir,
        &[
            "ls-tree",
            "--name-only",
            "--end-of-options",
            reference,
            "./",
        ],
    )?;
    for name in listing.lines().filter(|n| n.ends_with(".toml")) {
        let text = git(
            git_dir,
            &["show", "--end-of-options", &format!("{reference}:./{name}")],
        )?;
        let path = old_dir.path().join(name);
        std::fs::write(&path, text).map_err(|source| ChangedError::Copy { path, source })?;
    }
    let old = if listing.is_empty() {
        None
    } else {
        catalog::load(old_dir.path(), today).ok().map(|l| l.catalog)
    };
    Ok(current
        .resources
        .iter()
        .filter(|e| {
            let before = old
                .as_ref()
                .and_then(|o| o.resources.iter().find(|b| b.resource.id == e.resource.id));
            before.is_none_or(|b| {
                b.resource.url != e.resource.url || b.resource.watch != e.resource.watch
            })
        })
        .map(|e| e.resource.id.clone())
        .collect())
}

fn git(dir: &Path, args: &[&str]) -> Result<String, ChangedError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(ChangedError::NoGit)?;
    if !out.status.success() {
        return Err(ChangedError::Git {
            args: args.join(" "),
            dir: dir.to_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    String::from_utf8(out.stdout).map_err(|_| ChangedError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ref_that_looks_like_an_option_is_never_one() {
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("git")
            .args(["init", "-q"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(status.success());
        let planted = dir.path().join("planted");
        let reference = format!("--output={}", planted.display());
        let current = Catalog {
            meta: Default::default(),
            resources: Vec::new(),
        };
        let today = jiff::civil::date(2026, 11, 28);
        let result = changed_since(dir.path(), &current, &reference, today);
        assert!(
            matches!(result, Err(ChangedError::Git { .. })),
            "{result:?}"
        );
        assert!(!planted.exists(), "git took the ref for an option");
    }
}
