//! `linkwatch accept`: take the latest seen content of changed resources as their new baseline.

use super::Exit;
use super::config::Project;
use linkwatch::state::{self, Accepted, Selection};
use linkwatch::text::for_terminal;
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
    /// Directory holding the baseline (state.json and snapshots/) [default: reports, or `out`
    /// in linkwatch.toml]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub(crate) fn run(args: Args, project: &Project) -> anyhow::Result<Exit> {
    let out_dir = project.out(args.out);
    super::require_baseline(&out_dir)?;
    let selection = if args.ids.is_empty() {
        Selection::All {
            folder: args.folder,
        }
    } else {
        Selection::Ids(args.ids.clone())
    };
    let accepted = state::accept(&out_dir, &selection, args.force, linkwatch::time::now())?;
    let mut out = std::io::stdout().lock();
    for a in &accepted {
        writeln!(out, "{}", describe(a))?;
    }
    for id in args
        .ids
        .iter()
        .filter(|id| !accepted.iter().any(|a| &a.id == *id))
    {
        writeln!(out, "{}: nothing pending", for_terminal(id))?;
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
    let line = format!(
        "accepted {}: {titles}, {similarity} ({})",
        a.id,
        a.reasons.join("; ")
    );
    for_terminal(&line).into_owned()
}
