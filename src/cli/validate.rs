//! `linkwatch validate`: check the catalog and report every problem with file, line and column.

use super::config::Project;
use super::{Color, Exit};
use linkwatch::catalog::{self, diag};
use std::io::{IsTerminal, Write};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// How to print the problems found.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// When to colour the human output; `auto` colours a terminal unless NO_COLOR is set
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    pub color: Color,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// Messages with the source line and a caret, then a summary line.
    Human,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`), then a summary line.
    Github,
    /// A JSON array of {severity, file, line, column, message, help}.
    Json,
}

pub(crate) fn run(args: Args, project: &Project) -> anyhow::Result<Exit> {
    let today = linkwatch::time::today();
    let loaded = catalog::load(project.catalog()?, today)?;
    let stdout = std::io::stdout();
    let color = args.color.enabled(stdout.is_terminal());
    let mut out = stdout.lock();
    match args.format {
        Format::Human => {
            diag::render_human(&loaded.diagnostics, &mut out, color)?;
            writeln!(out, "{}", loaded.summary())?;
        }
        Format::Github => {
            diag::render_github(&loaded.diagnostics, &mut out)?;
            writeln!(out, "{}", loaded.summary())?;
        }
        Format::Json => diag::render_json(&loaded.diagnostics, &mut out)?,
    }
    out.flush()?;
    Ok(if loaded.has_errors() {
        Exit::Problems
    } else {
        Exit::Ok
    })
}
