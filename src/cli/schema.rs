//! `linkwatch schema`: print the catalog's JSON Schema.

use super::Exit;
use std::io::Write;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_args: Args) -> anyhow::Result<Exit> {
    std::io::stdout().write_all(linkwatch::catalog::schema::schema_json().as_bytes())?;
    Ok(Exit::Ok)
}
