//! `linkwatch report`: re-render the reports from the last `results.json`, without the network.

use super::Exit;
use super::ReportFormat as Format;
use super::config::Project;
use anyhow::Context;
use linkwatch::report;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The directory holding `results.json`; its reports are rewritten [default: reports, or
    /// `out` in linkwatch.toml]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print one report to stdout instead of rewriting the files
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

pub(crate) fn run(args: Args, project: &Project) -> anyhow::Result<Exit> {
    let out = project.out(args.out);
    super::require_results(&out)?;
    let results = report::read_results(&out)?;
    let past = report::history::Past::read(&out)?;
    let Some(format) = args.format else {
        report::write_all(&out, &results, &past)?;
        println!(
            "rewrote {}, {} and {} in {} from {} outcomes",
            report::LINKS_CSV,
            report::REPORT_MD,
            report::RESULTS_JSON,
            out.display(),
            results.outcomes.len()
        );
        return Ok(Exit::Ok);
    };
    let mut stdout = std::io::stdout().lock();
    match format {
        Format::Markdown => report::markdown::write(&results, &past, &mut stdout),
        Format::Csv => report::csv::write(&results.outcomes, &mut stdout),
        Format::Json => report::json::write(&results, &mut stdout),
    }
    .and_then(|()| stdout.flush())
    .context("cannot write to stdout")?;
    Ok(Exit::Ok)
}
