//! `check --changed-since REF`: which resources a pull request added or changed, found by
//! loading the catalog as it was at a git ref.

use anyhow::{Context, bail};
use linkwatch::catalog::{self, Catalog};
use std::path::Path;
use std::process::Command;

/// Ids of the resources in `current` that are new since `reference`, or whose URL or `watch`
/// settings differ from the catalog in `catalog_dir` at that git ref.
pub fn changed_since(
    catalog_dir: &Path,
    current: &Catalog,
    reference: &str,
) -> anyhow::Result<Vec<String>> {
    let old_dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let git_dir = if catalog_dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        catalog_dir
    };
    let listing = git(git_dir, &["ls-tree", "--name-only", reference, "./"])?;
    for name in listing.lines().filter(|n| n.ends_with(".toml")) {
        let text = git(git_dir, &["show", &format!("{reference}:./{name}")])?;
        std::fs::write(old_dir.path().join(name), text)
            .with_context(|| format!("cannot write a temporary copy of {name}"))?;
    }
    let old = if listing.is_empty() {
        None
    } else {
        let today = super::today();
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

fn git(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .context("cannot run git (is it installed?)")?;
    if !out.status.success() {
        bail!(
            "git {} failed in {}: {}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    String::from_utf8(out.stdout).context("git printed something that is not UTF-8")
}
