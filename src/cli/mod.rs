//! Command-line arguments, their resolution into configurations, and one file per command.

pub(crate) mod exit;

use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::Path;

pub(crate) use exit::Exit;

/// Keeps a curated catalog of outside web resources healthy.
#[derive(Debug, Parser)]
#[command(name = "linkwatch", version, about, max_term_width = 100)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check the catalog's schema and report every problem with file, line and column
    Validate(validate::Args),
    /// Print the catalog's JSON Schema.
    Schema(schema::Args),
    /// Check every link; write links.csv, report.md, results.json and the baseline.
    Check(check::Args),
    /// Accept content changes as the new baseline.
    Accept(accept::Args),
    /// Re-render the reports from the last results.json, without the network.
    Report(report::Args),
    /// Combine the results of `check --shard K/N` runs into one audit.
    Merge(merge::Args),
    /// Write the catalog, with the last audit's findings, as CSV, xlsx, JSON or Markdown.
    Export(export::Args),
    /// Show what an edited CSV export changes in the catalog; apply it with --write.
    Import(import::Args),
    /// Rewrite the catalog files in the canonical layout (--check: only report).
    Fmt(fmt::Args),
    /// Replace the URLs the last audit found moved with where they now live.
    Fix(fix::Args),
    /// Fetch a page and append it to a folder as a new resource.
    Add(add::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell or elvish).
    Completions(completions::Args),
    /// Print the man page, of linkwatch or of one command.
    Man(man::Args),
}

/// Runs the parsed command and returns how it ended; `Err` means linkwatch itself failed.
pub(crate) fn run(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Check(args) => check::run(args),
        Command::Accept(args) => accept::run(args),
        Command::Report(args) => report::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Export(args) => export::run(args),
        Command::Import(args) => import::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Fix(args) => fix::run(args),
        Command::Add(args) => add::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}

/// Loads the catalog for a command that needs a valid one: problems are printed to stderr with
/// the same messages as `validate`; `None` when there were errors.
pub(crate) fn load_catalog(dir: &Path) -> anyhow::Result<Option<linkwatch::catalog::Catalog>> {
    let loaded = linkwatch::catalog::load(dir, linkwatch::time::today())?;
    print_diagnostics(&loaded)?;
    Ok((!loaded.has_errors()).then_some(loaded.catalog))
}

/// Prints a load's diagnostics and summary to stderr, when there are any.
pub(crate) fn print_diagnostics(loaded: &linkwatch::catalog::Loaded) -> anyhow::Result<()> {
    if !loaded.diagnostics.is_empty() {
        let stderr = std::io::stderr();
        let color = stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let mut err = stderr.lock();
        linkwatch::catalog::diag::render_human(&loaded.diagnostics, &mut err, color)?;
        writeln!(err, "{}", loaded.summary())?;
    }
    Ok(())
}

pub(crate) mod accept;
pub(crate) mod add;
pub(crate) mod check;
pub(crate) mod completions;
pub(crate) mod config;
pub(crate) mod export;
pub(crate) mod fix;
pub(crate) mod fmt;
pub(crate) mod import;
pub(crate) mod man;
pub(crate) mod merge;
pub(crate) mod report;
pub(crate) mod schema;
pub(crate) mod validate;
