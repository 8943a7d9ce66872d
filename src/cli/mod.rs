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
}

/// Runs the parsed command and returns how it ended; `Err` means linkwatch itself failed.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Schema(args) => schema::run(args),
    }
}

pub mod schema;
pub mod validate;
