//! Command-line arguments, their resolution into configurations, and one file per command.

pub mod exit;

use clap::{Parser, Subcommand};

pub use exit::Exit;

/// Keeps a curated catalog of outside web resources healthy.
#[derive(Debug, Parser)]
#[command(name = "linkwatch", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the catalog's schema and report every problem with file, line and column
    Validate(validate::Args),
    /// Print the catalog's JSON Schema.
    Schema(schema::Args),
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
}

/// Runs the parsed command and returns how it ended; `Err` means linkwatch itself failed.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Export(args) => export::run(args),
        Command::Import(args) => import::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Fix(args) => fix::run(args),
        Command::Add(args) => add::run(args),
    }
}

pub mod add;
pub mod export;
pub mod fix;
pub mod fmt;
pub mod import;
pub mod schema;
pub mod validate;
