//! `linkwatch check`: resolve flags and `linkwatch.toml` into one audit configuration, run the
//! audit with a progress bar, print a one-line summary, and pick the exit code.

use super::Exit;
use super::config::Project;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use linkwatch::audit::shard::Shard;
use linkwatch::audit::{self, AuditConfig, AuditEnd, Progress};
use linkwatch::check::archive::ArchiveConfig;
use linkwatch::check::engine::{Cancel, CheckConfig, PrivateAddresses};
use linkwatch::report::AuditResults;
use linkwatch::report::Outcome;
use linkwatch::status::Status;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Where reports and the baseline go [default: reports]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Requests in flight at once, over all hosts [default: 64]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub concurrency: Option<u32>,
    /// Requests in flight at once to one host [default: 4]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000))]
    pub per_host: Option<u32>,
    /// Seconds one request may take, body included [default: 20]
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub timeout: Option<u64>,
    /// Extra attempts for failures that may be temporary [default: 2]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: Option<u32>,
    /// The User-Agent header sent with every request
    #[arg(long, value_name = "S")]
    pub user_agent: Option<String>,
    /// Check only these folders, resource ids or tags (repeatable)
    #[arg(long, value_name = "SELECTOR")]
    pub only: Vec<String>,
    /// Statuses that make the run exit 1, comma-separated [default: broken,soft404,hijacked]
    #[arg(long, value_name = "STATUSES", value_delimiter = ',', value_enum)]
    pub fail_on: Option<Vec<Status>>,
    /// Consecutive failing audits before a temporary failure counts as broken [default: 2]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub confirm_after: Option<u32>,
    /// Check only the resources added or changed since git REF, without touching the baseline
    #[arg(long, value_name = "REF", conflicts_with_all = ["only", "shard"])]
    pub changed_since: Option<String>,
    /// Check only the K-th of N stable slices of the catalog, grouped by host (e.g. 2/4)
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Start the shard from the baseline in DIR, copied into --out (which must hold none)
    #[arg(long, value_name = "DIR", requires = "shard")]
    pub baseline: Option<PathBuf>,
    /// Let requests reach loopback and private addresses at any hop, also through redirects
    /// and in pull-request checks (for intranet catalogs)
    #[arg(long)]
    pub allow_private: bool,
    /// Look up no archived copies of broken, soft404 and hijacked links
    #[arg(long, conflicts_with = "archive_url")]
    pub no_archive: bool,
    /// The Wayback Machine to ask for archived copies [default: https://archive.org]
    #[arg(long, value_name = "URL", value_parser = web_url)]
    pub archive_url: Option<String>,
    /// No progress bar: only the final one-line summary
    #[arg(long, short)]
    pub quiet: bool,
}

/// An `http` or `https` URL.
fn web_url(s: &str) -> Result<String, String> {
    match url::Url::parse(s) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(s.to_owned()),
        _ => Err("expected an http:// or https:// URL".to_owned()),
    }
}

/// Everything `check` needs, resolved once: flags over `linkwatch.toml` over defaults.
struct Resolved {
    catalog: PathBuf,
    changed_since: Option<String>,
    out: PathBuf,
    fail_on: Vec<Status>,
    quiet: bool,
    audit: AuditConfig,
}

fn resolve(args: Args, project: Project) -> anyhow::Result<Resolved> {
    let catalog = project.catalog()?.to_path_buf();
    let fail_on = project.fail_on(args.fail_on)?;
    let out = project.out(args.out);
    let file = project.settings;
    let defaults = CheckConfig::default();
    let engine = CheckConfig {
        concurrency: args
            .concurrency
            .map(|n| n as usize)
            .or(file.concurrency)
            .unwrap_or(defaults.concurrency)
            .max(1),
        per_host: args
            .per_host
            .map(|n| n as usize)
            .or(file.per_host)
            .unwrap_or(defaults.per_host)
            .max(1),
        timeout: args
            .timeout
            .or(file.timeout)
            .map_or(defaults.timeout, Duration::from_secs),
        retries: args.retries.or(file.retries).unwrap_or(defaults.retries),
        user_agent: args
            .user_agent
            .or(file.user_agent)
            .unwrap_or(defaults.user_agent.clone()),
        private_addresses: if args.allow_private || file.allow_private == Some(true) {
            PrivateAddresses::Allowed
        } else if args.changed_since.is_some() {
            // The pull request's author wrote these URLs.
            PrivateAddresses::Refused
        } else {
            PrivateAddresses::CatalogOnly
        },
        ..defaults
    };
    Ok(Resolved {
        out,
        catalog,
        changed_since: args.changed_since,
        fail_on,
        quiet: args.quiet,
        audit: AuditConfig {
            engine,
            confirm_after: args
                .confirm_after
                .or(file.confirm_after)
                .unwrap_or(linkwatch::DEFAULT_CONFIRM_AFTER),
            only: args.only,
            shard: args.shard,
            save_baseline: true,
            archive: (!args.no_archive && file.archive != Some(false)).then(|| ArchiveConfig {
                endpoint: args
                    .archive_url
                    .or(file.archive_url)
                    .unwrap_or_else(|| linkwatch::check::archive::DEFAULT_ARCHIVE_URL.to_owned()),
                ..ArchiveConfig::default()
            }),
        },
    })
}

pub(crate) fn run(args: Args, project: Project) -> anyhow::Result<Exit> {
    let baseline_from = args.baseline.clone();
    let out_given = args.out.is_some();
    let mut scratch = None;
    let mut resolved = resolve(args, project)?;
    let Some(catalog) = super::load_catalog(&resolved.catalog)? else {
        return Ok(Exit::Usage);
    };
    if let Some(reference) = &resolved.changed_since {
        let ids = linkwatch::maintain::changed::changed_since(
            &resolved.catalog,
            &catalog,
            reference,
            linkwatch::time::today(),
        )?;
        if ids.is_empty() {
            println!("no links added or changed since {reference}: nothing to check");
            return Ok(Exit::Ok);
        }
        resolved.audit.only = ids;
        resolved.audit.save_baseline = false;
        if !out_given {
            // A pull-request check leaves `reports/` alone: it reads the baseline from a copy
            // and its findings go to the terminal and the job summary.
            let dir = tempfile::tempdir().context("cannot create a scratch directory")?;
            linkwatch::state::Baseline::seed(dir.path(), &resolved.out)?;
            resolved.out = dir.path().to_path_buf();
            scratch = Some(dir);
        }
    }
    if let Some(from) = &baseline_from {
        linkwatch::state::Baseline::seed(&resolved.out, from)?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let show_bar = !resolved.quiet && std::io::stderr().is_terminal();
    let mut progress = Bar::new(show_bar);
    let cancel = Cancel::default();
    let end = runtime.block_on(async {
        let on_signal = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                on_signal.cancel();
            }
        });
        audit::run(
            &catalog,
            &resolved.out,
            &resolved.audit,
            &cancel,
            &mut progress,
        )
        .await
    });
    progress.finish();
    match end? {
        AuditEnd::Offline { attempted } => {
            eprintln!(
                "linkwatch: the network looks unavailable: none of {attempted} links got an HTTP \
                 answer (every one failed at DNS or connect); reports and baseline in {} were left \
                 untouched",
                resolved.out.display()
            );
            Ok(Exit::Offline)
        }
        AuditEnd::Written(results) if results.network_down => {
            println!("{}", summary(&results, &resolved.out));
            eprintln!(
                "linkwatch: this shard's runner looks offline (no link got an HTTP answer); its \
                 results are written for `linkwatch merge` to judge over all shards, its baseline \
                 was left untouched"
            );
            Ok(Exit::Ok)
        }
        AuditEnd::Written(results) if scratch.is_some() => {
            for o in &results.outcomes {
                println!("{}", finding(o));
            }
            println!(
                "{}; no reports written (--out DIR keeps them)",
                tally(&results)
            );
            if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") {
                job_summary(&results, Path::new(&path))?;
            }
            Ok(exit_for(&results, &resolved.fail_on, &cancel))
        }
        AuditEnd::Written(results) => {
            println!("{}", summary(&results, &resolved.out));
            Ok(exit_for(&results, &resolved.fail_on, &cancel))
        }
    }
}

fn exit_for(results: &AuditResults, fail_on: &[Status], cancel: &Cancel) -> Exit {
    if cancel.is_cancelled() {
        Exit::Interrupted
    } else if results.outcomes.iter().any(|o| fail_on.contains(&o.status)) {
        Exit::Problems
    } else {
        Exit::Ok
    }
}

/// One checked link as a line, `broken    guide  https://a.test/x  404 Not Found`, with its
/// archived copy when it has one.
fn finding(o: &Outcome) -> String {
    let mut line = format!(
        "{:<8}  {}  {}  {}",
        o.status.as_str(),
        o.id,
        o.url,
        o.detail
    );
    if let Some(copy) = &o.archived {
        line.push_str(&format!("  (archived copy: {copy})"));
    }
    line
}

/// Appends the Markdown report to the GitHub Actions job summary at `path`.
fn job_summary(results: &AuditResults, path: &Path) -> anyhow::Result<()> {
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        linkwatch::report::markdown::write(results, &mut file)
    };
    write().with_context(|| format!("cannot write the job summary {}", path.display()))
}

/// `checked 57 links in 3.2 s: 50 ok, 3 moved, 4 broken; reports in reports/`
pub(crate) fn summary(results: &AuditResults, out: &Path) -> String {
    format!("{}; reports in {}", tally(results), out.display())
}

/// `checked 57 links in 3.2 s: 50 ok, 3 moved, 4 broken`
fn tally(results: &AuditResults) -> String {
    let counts: Vec<String> = results
        .counts()
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let took = results
        .finished_at
        .duration_since(results.started_at)
        .as_secs_f64();
    let head = if results.complete {
        format!("checked {} links", results.outcomes.len())
    } else {
        format!(
            "interrupted: checked {} of {} links (reports marked incomplete)",
            results.outcomes.len(),
            results.selected
        )
    };
    let counts = if counts.is_empty() {
        "nothing to check".to_string()
    } else {
        counts.join(", ")
    };
    format!("{head} in {took:.1} s: {counts}")
}

/// The progress bar on stderr: done/total, rate, ETA and problems so far; hidden when stderr is
/// not a terminal or with `--quiet`.
struct Bar {
    bar: ProgressBar,
    problems: usize,
}

impl Bar {
    fn new(visible: bool) -> Bar {
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} links · {rate} · ETA {eta} · {msg}")
                .expect("the progress template is valid")
                .with_key(
                    "rate",
                    |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.1} links/s", state.per_sec());
                    },
                ),
        );
        Bar { bar, problems: 0 }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bar {
    fn start(&mut self, total: usize) {
        self.bar.set_length(total as u64);
        self.bar.set_message("0 problems");
    }

    fn done(&mut self, outcome: &Outcome) {
        if outcome.status.needs_attention() {
            self.problems += 1;
            self.bar.set_message(format!("{} problems", self.problems));
        }
        self.bar.inc(1);
    }
}
