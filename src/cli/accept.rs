//! `linkwatch accept`: take the latest seen content of changed resources as their new baseline.

use super::Exit;
use linkwatch::state::{self, Accepted, Selection};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(group(
    clap::ArgGroup::new("which")
        .required(true)
        .multiple(true)
        .args(["ids", "all", "folder"])
))]
pub(crate) struct Args {
    /// Ids of the resources whose change to accept.
    #[arg(value_name = "ID", conflicts_with_all = ["all", "folder"])]
    pub ids: Vec<String>,
    /// Accept every pending change.
    #[arg(long)]
    pub all: bool,
    /// Accept only the pending changes of this folder.
    #[arg(long, value_name = "F")]
    pub folder: Option<String>,
    /// Also accept content judged `hijacked` (check it in a browser first).
    #[arg(long)]
    pub force: bool,
    /// Directory holding the baseline (state.json and snapshots/).
    #[arg(long, value_name = "DIR", default_value = linkwatch::DEFAULT_OUT_DIR)]
    pub out: PathBuf,
}

pub(crate) fn run(args: Args) -> anyhow::Result<Exit> {
    let selection = if args.ids.is_empty() {
        Selection::All {
            folder: args.folder,
        }
    } else {
        Selection::Ids(args.ids.clone())
    };
    let accepted = state::accept(&args.out, &selection, args.force, linkwatch::time::now())?;
    let mut out = std::io::stdout().lock();
    for a in &accepted {
        writeln!(out, "{}", describe(a))?;
    }
    for id in args
        .ids
        .iter()
        .filter(|id| !accepted.iter().any(|a| &a.id == *id))
    {
        writeln!(out, "{id}: nothing pending")?;
    }
    if accepted.is_empty() && args.ids.is_empty() {
        writeln!(out, "nothing pending to accept")?;
    }
    Ok(Exit::Ok)
}

fn describe(a: &Accepted) -> String {
    let title = |t: &Option<String>| {
        t.as_deref()
            .map_or("(no title)".to_string(), |t| format!("\"{t}\""))
    };
    let titles = if a.old_title == a.new_title {
        format!("title {}", title(&a.new_title))
    } else {
        format!("{} → {}", title(&a.old_title), title(&a.new_title))
    };
    let similarity = a
        .similarity
        .map_or_else(|| "document".to_string(), |s| format!("similarity {s:.2}"));
    format!(
        "accepted {}: {titles}, {similarity} ({})",
        a.id,
        a.reasons.join("; ")
    )
}
