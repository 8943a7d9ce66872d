//! Command-line arguments, their resolution into configurations, and one file per command.

pub(crate) mod exit;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use config::{GlobalArgs, Project};
use linkwatch::state::Baseline;
use std::io::{IsTerminal, Write};
use std::path::Path;

pub(crate) use exit::Exit;

/// Keeps a curated catalog of outside web resources healthy.
#[derive(Debug, Parser)]
#[command(name = "linkwatch", version, about, max_term_width = 100)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
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
    /// List the content changes waiting to be accepted.
    Pending(pending::Args),
    /// Show a pending content change as a diff of the accepted and the new text.
    Diff(diff::Args),
    /// Accept content changes as the new baseline.
    Accept(accept::Args),
    /// Re-render the reports from the last results.json, without the network.
    Report(report::Args),
    /// Combine the results of `check --shard K/N` runs into one audit.
    Merge(merge::Args),
    /// Show how the audits' statuses moved over time, or one resource's recent checks.
    History(history::Args),
    /// Write the catalog, with the last audit's findings, as CSV, xlsx, JSON or Markdown.
    Export(export::Args),
    /// Show what an edited CSV or xlsx export changes in the catalog; apply it with --write.
    Import(import::Args),
    /// Rewrite the catalog files in the canonical layout (--check: only report).
    Fmt(fmt::Args),
    /// Replace the URLs the last audit found moved with where they now live.
    Fix(fix::Args),
    /// Fetch a page and append it to a folder as a new resource.
    Add(add::Args),
    /// Start a catalog: catalog.toml, one folder, the schema and linkwatch.toml.
    Init(init::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell or elvish).
    Completions(completions::Args),
    /// Print the man page, of linkwatch or of one command.
    Man(man::Args),
}

/// Runs the parsed command and returns how it ended; `Err` means linkwatch itself failed.
pub(crate) fn run(cli: Cli) -> anyhow::Result<Exit> {
    let project = || Project::resolve(&cli.global);
    match cli.command {
        Command::Validate(args) => validate::run(args, &project()?),
        Command::Schema(args) => schema::run(args),
        Command::Check(args) => check::run(args, project()?),
        Command::Accept(args) => accept::run(args, &project()?),
        Command::Report(args) => report::run(args, &project()?),
        Command::Merge(args) => merge::run(args, &project()?),
        Command::History(args) => history::run(args, &project()?),
        Command::Export(args) => export::run(args, &project()?),
        Command::Import(args) => import::run(args, &project()?),
        Command::Fmt(args) => fmt::run(args, &project()?),
        Command::Fix(args) => fix::run(args, &project()?),
        Command::Add(args) => add::run(args, &project()?),
        Command::Init(args) => init::run(args, &cli.global),
        Command::Pending(args) => pending::run(args, &project()?),
        Command::Diff(args) => diff::run(args, &project()?),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}

/// When to colour what is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Color {
    Auto,
    Always,
    Never,
}

/// How `check`, `report` and `history` print to stdout: the writers of `results.json`,
/// `report.md` and `links.csv` (for `history`, its trend in the same three forms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ReportFormat {
    /// JSON, as results.json
    Json,
    /// Markdown, as report.md
    #[value(alias = "md")]
    Markdown,
    /// CSV, as links.csv
    Csv,
}

/// `s` in the ANSI style `code` (e.g. `1;31`) when `color` is on and there is a style.
pub(crate) fn paint(color: bool, code: &str, s: &str) -> String {
    if color && !code.is_empty() {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_owned()
    }
}

impl Color {
    /// Whether to colour a stream that is (or is not) a `terminal`.
    pub(crate) fn enabled(self, terminal: bool) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

/// `Err` saying how to make one when `out` holds no audit's `results.json`.
pub(crate) fn require_results(out: &Path) -> anyhow::Result<()> {
    if out.join(linkwatch::report::RESULTS_JSON).exists() {
        return Ok(());
    }
    bail!("{}", no_audit(out))
}

/// The baseline in `out`; `Err` saying how to make one when no audit left one there.
pub(crate) fn require_baseline(out: &Path) -> anyhow::Result<Baseline> {
    let baseline = Baseline::load(out)?;
    if baseline.resources.is_empty() {
        bail!("{}", no_audit(out));
    }
    Ok(baseline)
}

/// `no audit found in reports/: run `linkwatch check` first`
pub(crate) fn no_audit(out: &Path) -> String {
    let mut dir = out.display().to_string();
    if !dir.ends_with('/') {
        dir.push('/');
    }
    format!("no audit found in {dir}: run `linkwatch check` first")
}

/// Writes the edited catalog files (`(path, old text, new text)`) all or none, after removing
/// the temporaries a killed run left in `dir`.
pub(crate) fn write_catalog_files(
    dir: &Path,
    files: &[(std::path::PathBuf, String, String)],
) -> anyhow::Result<()> {
    linkwatch::fsutil::remove_stale_temps(dir)
        .with_context(|| format!("cannot clean {}", dir.display()))?;
    let writes: Vec<_> = files
        .iter()
        .map(|(path, _, new)| (path.clone(), new.clone().into_bytes()))
        .collect();
    linkwatch::fsutil::write_all_atomic(&writes)?;
    Ok(())
}

/// Loads the catalog for a command that needs a valid one: problems are printed to stderr with
/// the same messages as `validate`; `None` when there were errors.
pub(crate) fn load_catalog(dir: &Path) -> anyhow::Result<Option<linkwatch::catalog::Catalog>> {
    let loaded = linkwatch::catalog::load(dir, linkwatch::time::today())?;
    print_diagnostics(&loaded)?;
    Ok((!loaded.has_errors()).then_some(loaded.catalog))
}

/// Prints a load's diagnostics and summary to stderr, when there are any; advice that only
/// `validate` gives (e.g. an intranet URL) is left out.
pub(crate) fn print_diagnostics(loaded: &linkwatch::catalog::Loaded) -> anyhow::Result<()> {
    if loaded.diagnostics.iter().any(|d| !d.advisory) {
        let mut loaded = loaded.clone();
        loaded.diagnostics.retain(|d| !d.advisory);
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
pub(crate) mod diff;
pub(crate) mod export;
pub(crate) mod fix;
pub(crate) mod fmt;
pub(crate) mod history;
pub(crate) mod import;
pub(crate) mod init;
pub(crate) mod man;
pub(crate) mod merge;
pub(crate) mod pending;
pub(crate) mod report;
pub(crate) mod schema;
pub(crate) mod validate;
