//! `linkwatch diff`: show a pending content change in the terminal, as a unified diff of the
//! accepted snapshot and the one waiting to be accepted.

use super::config::Project;
use super::paint;
use super::{Color, Exit};
use anyhow::{Context, bail};
use linkwatch::state::{Snapshots, StateError};
use linkwatch::text::for_terminal;
use similar::{ChangeTag, TextDiff};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Ids of the resources whose pending change to show.
    #[arg(value_name = "ID", required = true)]
    pub ids: Vec<String>,
    /// When to colour the diff; `auto` colours a terminal unless `NO_COLOR` is set.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    pub color: Color,
    /// Directory holding the baseline (state.json and snapshots/) [default: reports, or `out`
    /// in linkwatch.toml]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub(crate) fn run(args: Args, project: &Project) -> anyhow::Result<Exit> {
    let out_dir = project.out(args.out);
    let baseline = super::require_baseline(&out_dir)?;
    let unknown: Vec<String> = args
        .ids
        .iter()
        .filter(|id| !baseline.resources.contains_key(*id))
        .map(|id| for_terminal(id).into_owned())
        .collect();
    if !unknown.is_empty() {
        return Err(StateError::UnknownIds { ids: unknown }.into());
    }
    let stdout = std::io::stdout();
    let color = args.color.enabled(stdout.is_terminal());
    let snapshots = Snapshots::new(&out_dir);
    let mut out = stdout.lock();
    for id in &args.ids {
        let st = &baseline.resources[id];
        let Some(pending) = &st.pending else {
            writeln!(out, "{id}: nothing pending")?;
            continue;
        };
        let new_path = out_dir.join(Snapshots::pending_path(id));
        let Some(new) = snapshots.pending(id)? else {
            bail!(
                "{}: missing; run `linkwatch check` again",
                new_path.display()
            );
        };
        let old = snapshots.accepted(id)?.unwrap_or_default();
        let verdict = if pending.hijacked {
            "HIJACKED"
        } else {
            "changed"
        };
        let head = format!(
            "{id} (folder {}): {verdict}, first seen {}: {}",
            st.folder,
            linkwatch::time::date(pending.first_seen_at),
            pending.change.reasons.join("; ")
        );
        writeln!(out, "{}", paint(color, "1", &for_terminal(&head)))?;
        let accepted = match st.baseline_at {
            Some(at) => format!("accepted {}", linkwatch::time::date(at)),
            None => "nothing accepted yet".to_owned(),
        };
        let old_name = format!(
            "{} ({accepted})",
            out_dir.join(Snapshots::accepted_path(id)).display()
        );
        let new_name = format!(
            "{} (seen {})",
            new_path.display(),
            linkwatch::time::date(pending.last_seen_at)
        );
        write!(out, "{}", unified(&old, &new, &old_name, &new_name, color))?;
        if pending.hijacked {
            writeln!(
                out,
                "check the address in a browser before `linkwatch accept {id} --force`"
            )?;
        }
    }
    out.flush().context("cannot write to stdout")?;
    Ok(Exit::Ok)
}

/// A unified diff of two snapshot texts, every line escaped for the terminal, coloured
/// (headers bold, hunk headers cyan, removed lines red, added lines green) when `color`.
fn unified(old: &str, new: &str, old_name: &str, new_name: &str, color: bool) -> String {
    let mut text = String::new();
    let mut line = |code: &str, s: &str| {
        text.push_str(&paint(color, code, &for_terminal(s)));
        text.push('\n');
    };
    line("1", &format!("--- {old_name}"));
    line("1", &format!("+++ {new_name}"));
    let diff = TextDiff::from_lines(old, new);
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        line("36", &hunk.header().to_string());
        for change in hunk.iter_changes() {
            let (sign, code) = match change.tag() {
                ChangeTag::Delete => ('-', "31"),
                ChangeTag::Insert => ('+', "32"),
                ChangeTag::Equal => (' ', ""),
            };
            line(
                code,
                &format!("{sign}{}", change.value().trim_end_matches('\n')),
            );
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_escaped_before_they_are_coloured() {
        let text = unified("Title\n\nold\n", "Title\n\nnew \u{1b}[2J\n", "a", "b", true);
        assert_eq!(
            text,
            "\x1b[1m--- a\x1b[0m\n\x1b[1m+++ b\x1b[0m\n\x1b[36m@@ -1,3 +1,3 @@\x1b[0m\n Title\n \n\
             \x1b[31m-old\x1b[0m\n\x1b[32m+new \\u{1b}[2J\x1b[0m\n"
        );
        let plain = unified("a\n", "b\n", "x", "y", false);
        assert_eq!(plain, "--- x\n+++ y\n@@ -1 +1 @@\n-a\n+b\n");
    }
}
