//! `linkwatch fmt`: rewrite the catalog files in the canonical layout, or check that they are.

use super::Exit;
use super::config::Project;
use anyhow::Context;
use linkwatch::catalog::fmt;
use linkwatch::maintain;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Change nothing: print a diff and exit 1 when a file is not formatted.
    #[arg(long)]
    pub check: bool,
}

pub(crate) fn run(args: Args, project: &Project) -> anyhow::Result<Exit> {
    let dir = project.catalog()?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the catalog directory {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    linkwatch::fsutil::remove_stale_temps(dir)
        .with_context(|| format!("cannot clean {}", dir.display()))?;
    let mut unformatted = 0;
    let mut writes = Vec::new();
    let mut out = std::io::stdout().lock();
    for path in &files {
        let old = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let new = fmt::format(path, &old)?;
        if new == old {
            continue;
        }
        unformatted += 1;
        if args.check {
            write!(out, "{}", maintain::unified_diff(path, &old, &new))?;
        } else {
            writes.push((path.clone(), new.into_bytes()));
        }
    }
    linkwatch::fsutil::write_all_atomic(&writes)?;
    for (path, _) in &writes {
        writeln!(out, "formatted {}", path.display())?;
    }
    out.flush()?;
    Ok(if args.check && unformatted > 0 {
        eprintln!(
            "{unformatted} of {} file(s) not formatted; run `linkwatch fmt`",
            files.len()
        );
        Exit::Problems
    } else {
        Exit::Ok
    })
}
