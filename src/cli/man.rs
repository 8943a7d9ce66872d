//! `linkwatch man [COMMAND]`: print the roff man page of linkwatch, or of one of its commands.

use super::{Cli, Exit};
use anyhow::bail;
use clap::CommandFactory;
use std::io::Write;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The command whose page to print, linkwatch-COMMAND(1); without it, linkwatch(1), which
    /// lists the commands.
    #[arg(value_name = "COMMAND")]
    command: Option<String>,
}

pub(crate) fn run(args: Args) -> anyhow::Result<Exit> {
    let mut cli = Cli::command().disable_help_subcommand(true);
    // Building names each subcommand `linkwatch-<name>`, the title of its page.
    cli.build();
    let page = match &args.command {
        None => cli,
        Some(name) => match cli.find_subcommand(name) {
            Some(command) => command.clone(),
            None => {
                let names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
                bail!("no command `{name}`; one of: {}", names.join(", "));
            }
        },
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .source(format!("linkwatch {}", env!("CARGO_PKG_VERSION")))
        .render(&mut roff)?;
    std::io::stdout().write_all(&roff)?;
    Ok(Exit::Ok)
}
