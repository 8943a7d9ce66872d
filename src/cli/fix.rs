//! `linkwatch fix`: replace the URL of every resource the last audit found `moved` with where
//! it now lives, and list the moves a person should judge.

use super::Exit;
use super::config::Project;
use linkwatch::maintain::{self, fix};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Change nothing: print the diff that would be applied.
    #[arg(long)]
    pub dry_run: bool,
    /// Where the last audit's results.json is [default: reports, or `out` in linkwatch.toml]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub(crate) fn run(args: Args, project: &Project) -> anyhow::Result<Exit> {
    let dir = project.catalog()?;
    let Some(catalog) = super::load_catalog(dir)? else {
        return Ok(Exit::Usage);
    };
    let out = project.out(args.out);
    super::require_results(&out)?;
    let audit = linkwatch::report::read_results(&out)?;
    let plan = fix::plan_fixes(&catalog, &audit);
    let files = fix::apply_fixes(dir, &plan)?;
    let mut out = std::io::stdout().lock();
    if args.dry_run {
        for (path, old, new) in &files {
            write!(out, "{}", maintain::unified_diff(path, old, new))?;
        }
    } else {
        super::write_catalog_files(dir, &files)?;
    }
    for r in &plan.rewrites {
        let verb = if args.dry_run {
            "would update"
        } else {
            "updated"
        };
        writeln!(out, "{verb} {}: {} -> {}", r.id, r.from, r.to)?;
    }
    if !plan.for_review.is_empty() {
        writeln!(out, "left for a person to decide:")?;
        for r in &plan.for_review {
            writeln!(out, "  {}: {} -> {} ({})", r.id, r.from, r.to, r.reason)?;
        }
    }
    if plan.rewrites.is_empty() && plan.for_review.is_empty() {
        writeln!(
            out,
            "nothing to fix: the last audit found no moved resources"
        )?;
    }
    out.flush()?;
    Ok(Exit::Ok)
}
