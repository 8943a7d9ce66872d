//! The `linkwatch` binary: parse arguments, run the command, print the error chain once, exit.

// The library uses the rest of the dependencies; `src/lib.rs` checks them.
#![allow(unused_crate_dependencies)]

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(exit) => exit.into(),
        Err(err) => {
            if is_broken_pipe(&err) {
                return cli::Exit::Ok.into();
            }
            eprintln!("linkwatch: error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            cli::Exit::Usage.into()
        }
    }
}

/// A closed pipe (`linkwatch export | head`) is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
