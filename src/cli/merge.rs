//! `linkwatch merge`: combine the results of `check --shard K/N` runs into one audit.

use super::Exit;
use super::check::summary;
use super::config::{FailOn, Project};
use anyhow::bail;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The shards' output directories, one per shard
    #[arg(value_name = "DIR", required = true)]
    pub shards: Vec<PathBuf>,
    /// Where the merged reports and baseline go [default: reports, or `out` in linkwatch.toml]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Statuses that make the run exit 1, comma-separated [default: broken,soft404,hijacked]
    #[arg(long, value_name = "STATUSES")]
    pub fail_on: Option<FailOn>,
    /// Merge shards that started from another baseline than --out holds (their accepted
    /// snapshots and failure counts replace it)
    #[arg(long)]
    pub reset_baseline: bool,
}

pub(crate) fn run(args: Args, project: &Project) -> anyhow::Result<Exit> {
    let Some(catalog) = super::load_catalog(project.catalog()?)? else {
        return Ok(Exit::Usage);
    };
    for shard in &args.shards {
        if !shard.join(linkwatch::report::RESULTS_JSON).exists() {
            bail!(
                "{} (with --shard K/N --out {})",
                super::no_audit(shard),
                shard.display()
            );
        }
    }
    let out = project.out(args.out);
    let results =
        match linkwatch::audit::shard::merge(&catalog, &args.shards, &out, args.reset_baseline) {
            Ok(results) => results,
            Err(e @ linkwatch::audit::shard::MergeError::Offline) => {
                eprintln!(
                    "linkwatch: {e}; reports and baseline in {} were left untouched",
                    out.display()
                );
                return Ok(Exit::Offline);
            }
            Err(e) => return Err(e.into()),
        };
    println!(
        "merged {} shards: {}",
        args.shards.len(),
        summary(&results, &out)
    );
    let fail_on = project.fail_on(args.fail_on.map(|f| f.0))?;
    let failing = results.outcomes.iter().any(|o| fail_on.contains(&o.status));
    Ok(if failing { Exit::Problems } else { Exit::Ok })
}
