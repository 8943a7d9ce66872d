//! `linkwatch merge`: combine the results of `check --shard K/N` runs into one audit.

use super::Exit;
use super::check::summary;
use linkwatch::status::Status;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The shards' output directories, one per shard
    #[arg(value_name = "DIR", required = true)]
    pub shards: Vec<PathBuf>,
    /// Where the merged reports and baseline go
    #[arg(long, value_name = "DIR", default_value = linkwatch::DEFAULT_OUT_DIR)]
    pub out: PathBuf,
    /// The catalog directory (for the order of the reports)
    #[arg(long, value_name = "DIR", default_value = linkwatch::DEFAULT_CATALOG_DIR)]
    pub catalog: PathBuf,
    /// Statuses that make the run exit 1, comma-separated [default: broken,soft404,hijacked]
    #[arg(long, value_name = "STATUSES", value_delimiter = ',', value_enum)]
    pub fail_on: Option<Vec<Status>>,
}

pub(crate) fn run(args: Args) -> anyhow::Result<Exit> {
    let Some(catalog) = super::load_catalog(&args.catalog)? else {
        return Ok(Exit::Usage);
    };
    let results = linkwatch::audit::shard::merge(&catalog, &args.shards, &args.out)?;
    println!(
        "merged {} shards: {}",
        args.shards.len(),
        summary(&results, &args.out)
    );
    let fail_on = args
        .fail_on
        .unwrap_or_else(|| linkwatch::status::DEFAULT_FAIL_ON.to_vec());
    let failing = results.outcomes.iter().any(|o| fail_on.contains(&o.status));
    Ok(if failing { Exit::Problems } else { Exit::Ok })
}
