//! `linkwatch pending`: list the content changes the baseline holds that nobody accepted yet.

use super::Exit;
use super::config::Project;
use linkwatch::state::Pending;
use linkwatch::text::for_terminal;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Only the pending changes of this folder.
    #[arg(long, value_name = "F")]
    pub folder: Option<String>,
    /// Directory holding the baseline (state.json and snapshots/) [default: reports, or `out`
    /// in linkwatch.toml]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub(crate) fn run(args: Args, project: &Project) -> anyhow::Result<Exit> {
    let out_dir = project.out(args.out);
    let baseline = super::require_baseline(&out_dir)?;
    let rows: Vec<[String; 4]> = baseline
        .resources
        .iter()
        .filter(|(_, st)| args.folder.as_ref().is_none_or(|f| &st.folder == f))
        .filter_map(|(id, st)| {
            let p = st.pending.as_ref()?;
            Some([
                id.clone(),
                st.folder.clone(),
                linkwatch::time::date(p.first_seen_at).to_string(),
                reasons(p),
            ])
        })
        .collect();
    let mut out = std::io::stdout().lock();
    if rows.is_empty() {
        let scope = args
            .folder
            .as_ref()
            .map_or_else(String::new, |f| format!(" in folder {}", for_terminal(f)));
        writeln!(out, "nothing pending{scope}")?;
        return Ok(Exit::Ok);
    }
    let header = ["id", "folder", "first seen", "reasons"].map(str::to_owned);
    let mut widths = [0; 3];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let line = format!(
            "{:w0$}  {:w1$}  {:w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
        );
        writeln!(out, "{}", for_terminal(&line))?;
    }
    let hijacked = baseline
        .resources
        .values()
        .filter(|st| args.folder.as_ref().is_none_or(|f| &st.folder == f))
        .filter(|st| st.pending.as_ref().is_some_and(|p| p.hijacked))
        .count();
    let count = match rows.len() {
        1 => "1 change".to_owned(),
        n => format!("{n} changes"),
    };
    let hijacked = match hijacked {
        0 => String::new(),
        n => format!(
            " ({n} HIJACKED: check {} in a browser; accept takes it only with --force)",
            if n == 1 { "it" } else { "them" }
        ),
    };
    writeln!(
        out,
        "{count} pending{hijacked}; see one with `linkwatch diff <id>`, accept it with \
         `linkwatch accept <id>`"
    )?;
    Ok(Exit::Ok)
}

/// The change's reasons, led by a warning when the new content looks like a hijack.
fn reasons(p: &Pending) -> String {
    let reasons = p.change.reasons.join("; ");
    if p.hijacked {
        format!("HIJACKED: {reasons}")
    } else {
        reasons
    }
}
