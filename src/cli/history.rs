//! `linkwatch history`: the trend of the complete audits and the resources that changed status
//! most often, or one resource's timeline, from `history.csv` and the baseline.

use super::Exit;
use super::ReportFormat as Format;
use super::config::Project;
use anyhow::Context;
use linkwatch::report::history::{self, Changing, HISTORY_CSV, History};
use linkwatch::report::markdown::text;
use linkwatch::state::{Seen, StateError};
use linkwatch::status::Status;
use linkwatch::text::for_terminal;
use linkwatch::time::rfc3339;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Print this resource's recent checks instead of the trend
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// How to print it
    #[arg(long, value_enum, default_value = "md")]
    pub format: Format,
    /// The directory holding history.csv and the baseline [default: reports, or `out` in
    /// linkwatch.toml]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub(crate) fn run(args: Args, project: &Project) -> anyhow::Result<Exit> {
    let out = project.out(args.out);
    let baseline = super::require_baseline(&out)?;
    let mut stdout = std::io::stdout().lock();
    if let Some(id) = &args.id {
        let Some(st) = baseline.resources.get(id) else {
            return Err(StateError::UnknownIds {
                ids: vec![for_terminal(id).into_owned()],
            }
            .into());
        };
        timeline(&mut stdout, args.format, id, &st.recent)
    } else {
        let history = History::read(&out)?;
        let changing = history::most_changed(&baseline);
        trend(&mut stdout, args.format, &history, &changing)
    }
    .and_then(|()| stdout.flush().map_err(Into::into))
    .context("cannot write to stdout")?;
    Ok(Exit::Ok)
}

fn trend(
    w: &mut dyn Write,
    format: Format,
    history: &History,
    changing: &[Changing],
) -> anyhow::Result<()> {
    match format {
        Format::Csv => history.write_csv(w)?,
        Format::Json => {
            let value = serde_json::json!({
                "audits": history.rows,
                "most_changed": changing
                    .iter()
                    .map(|c| serde_json::json!({
                        "id": c.id,
                        "changes": c.changes,
                        "recent": checks_json(&c.recent),
                    }))
                    .collect::<Vec<_>>(),
            });
            serde_json::to_writer_pretty(&mut *w, &value)?;
            writeln!(w)?;
        }
        Format::Markdown => trend_md(w, history, changing)?,
    }
    Ok(())
}

fn trend_md(w: &mut dyn Write, history: &History, changing: &[Changing]) -> anyhow::Result<()> {
    writeln!(w, "# Audit history\n")?;
    if history.rows.is_empty() {
        writeln!(
            w,
            "No complete audit is recorded in {HISTORY_CSV} yet: every full `linkwatch check` and `linkwatch merge` adds one."
        )?;
    } else {
        let shown: Vec<Status> = Status::ALL
            .iter()
            .copied()
            .filter(|&s| history.rows.iter().any(|r| r.counts.get(&s) > Some(&0)))
            .collect();
        let names: Vec<String> = shown.iter().map(|s| format!("`{s}`")).collect();
        writeln!(
            w,
            "| finished | {} | checked | seconds |",
            names.join(" | ")
        )?;
        writeln!(w, "|---|{}---:|---:|", "---:|".repeat(shown.len()))?;
        for row in &history.rows {
            let counts: Vec<String> = shown
                .iter()
                .map(|s| row.counts.get(s).copied().unwrap_or(0).to_string())
                .collect();
            writeln!(
                w,
                "| {} | {} | {} | {:.1} |",
                rfc3339(row.finished_at),
                counts.join(" | "),
                row.checked,
                row.duration_s
            )?;
        }
        if history.rows.len() >= 2 {
            writeln!(
                w,
                "\nSince the previous audit: {}.",
                history::describe_deltas(&history.deltas())
            )?;
        }
    }
    writeln!(w, "\n## Changed status most often\n")?;
    if changing.is_empty() {
        writeln!(w, "No resource changed status in its recent checks.")?;
        return Ok(());
    }
    writeln!(w, "Recent checks, oldest first: {}.\n", history::legend())?;
    writeln!(w, "| resource | changes | recent checks |\n|---|---:|---|")?;
    for c in changing {
        writeln!(
            w,
            "| `{}` | {} | {} |",
            text(&c.id),
            c.changes,
            history::timeline(&c.recent)
        )?;
    }
    Ok(())
}

fn timeline(w: &mut dyn Write, format: Format, id: &str, recent: &[Seen]) -> anyhow::Result<()> {
    match format {
        Format::Csv => {
            let mut out = csv::Writer::from_writer(w);
            out.write_record(["date", "status"])?;
            for seen in recent {
                out.write_record([seen.date.to_string(), seen.status.to_string()])?;
            }
            out.flush()?;
        }
        Format::Json => {
            let value = serde_json::json!({ "id": id, "recent": checks_json(recent) });
            serde_json::to_writer_pretty(&mut *w, &value)?;
            writeln!(w)?;
        }
        Format::Markdown => {
            writeln!(w, "# `{}`: recent checks\n", text(id))?;
            if recent.is_empty() {
                writeln!(
                    w,
                    "No check recorded yet: the timeline starts with the next audit."
                )?;
                return Ok(());
            }
            writeln!(w, "{}\n", history::timeline(recent))?;
            writeln!(w, "| date | status |\n|---|---|")?;
            for seen in recent {
                writeln!(
                    w,
                    "| {} | {} `{}` |",
                    seen.date,
                    history::symbol(seen.status),
                    seen.status
                )?;
            }
        }
    }
    Ok(())
}

/// Checks as JSON objects, `{"date": "2026-11-28", "status": "ok"}`.
fn checks_json(recent: &[Seen]) -> Vec<serde_json::Value> {
    recent
        .iter()
        .map(|s| serde_json::json!({ "date": s.date.to_string(), "status": s.status }))
        .collect()
}
