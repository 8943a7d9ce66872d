//! `linkwatch completions SHELL`: print a shell completion script for every command and flag.

use super::{Cli, Exit};
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::Write;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The shell to complete for.
    #[arg(value_name = "SHELL")]
    shell: Shell,
}

pub(crate) fn run(args: Args) -> anyhow::Result<Exit> {
    // clap_complete panics when its writer fails; render into memory so a closed pipe is the
    // ordinary error `main` already ignores.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "linkwatch", &mut script);
    std::io::stdout().write_all(&script)?;
    Ok(Exit::Ok)
}
