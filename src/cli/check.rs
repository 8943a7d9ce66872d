//! `linkwatch check`: resolve flags and `linkwatch.toml` into one audit configuration, run the
//! audit with a progress bar (or one line per link), print a one-line summary or the results in
//! a format, and pick the exit code.

use super::ReportFormat as Format;
use super::config::{FailOn, Project};
use super::paint;
use super::{Color, Exit};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use linkwatch::audit::shard::Shard;
use linkwatch::audit::{Audit, AuditConfig, AuditEnd, Progress};
use linkwatch::check::archive::ArchiveConfig;
use linkwatch::check::engine::{Cancel, CheckConfig, PrivateAddresses};
use linkwatch::report::{self, AuditResults, Outcome};
use linkwatch::status::Status;
use linkwatch::text::for_terminal;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, clap::Args)]
#[command(after_help = statuses_help())]
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
    /// Statuses that make the run exit 1, comma-separated, or `none` (links never do)
    /// [default: broken,soft404,hijacked]
    #[arg(long, value_name = "STATUSES")]
    pub fail_on: Option<FailOn>,
    /// Consecutive failing audits before a temporary failure counts as broken [default: 2]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub confirm_after: Option<u32>,
    /// The least time those failing audits must span, e.g. 0s, 12h, 3d [default: 1d]
    #[arg(long, value_name = "DURATION", value_parser = linkwatch::state::parse_span)]
    pub confirm_span: Option<jiff::SignedDuration>,
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
    /// Print one line per link as it finishes (status, id, URL, detail) on stderr
    #[arg(long, short, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Also print the results to stdout as results.json, report.md or links.csv would hold them;
    /// the summary line then goes to stderr
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Write the --format output to FILE (atomically) instead of stdout
    #[arg(long, short, value_name = "FILE", requires = "format")]
    pub output: Option<PathBuf>,
    /// When to colour the progress bar, the summary and --verbose lines; `auto` colours a
    /// terminal unless NO_COLOR is set
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    pub color: Color,
}

/// `Statuses:` and one line per status, for `check --help`.
fn statuses_help() -> String {
    let width = Status::ALL
        .iter()
        .map(|s| s.as_str().len())
        .max()
        .unwrap_or(0);
    let lines: Vec<String> = Status::ALL
        .iter()
        .map(|s| format!("  {:width$}  {}", s.as_str(), s.meaning()))
        .collect();
    format!("Statuses:\n{}", lines.join("\n"))
}

/// Everything `check` needs, resolved once: flags over `linkwatch.toml` over defaults.
struct Resolved {
    catalog: PathBuf,
    changed_since: Option<String>,
    out: PathBuf,
    fail_on: Vec<Status>,
    quiet: bool,
    verbose: bool,
    format: Option<Format>,
    output: Option<PathBuf>,
    color: Color,
    audit: AuditConfig,
}

impl Resolved {
    /// Whether stdout carries the `--format` output, so human lines go to stderr.
    fn results_on_stdout(&self) -> bool {
        self.format.is_some() && self.output.is_none()
    }

    /// Prints a human line (the summary) where it does not mix with the `--format` output.
    fn say(&self, line: impl FnOnce(bool) -> String) {
        if self.results_on_stdout() {
            eprintln!(
                "{}",
                line(self.color.enabled(std::io::stderr().is_terminal()))
            );
        } else {
            println!(
                "{}",
                line(self.color.enabled(std::io::stdout().is_terminal()))
            );
        }
    }
}

fn resolve(args: Args, project: Project) -> anyhow::Result<Resolved> {
    let catalog = project.catalog()?.to_path_buf();
    let fail_on = project.fail_on(args.fail_on.map(|f| f.0))?;
    let confirm_span = args
        .confirm_span
        .map_or_else(|| project.confirm_span(), Ok)?;
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
        verbose: args.verbose,
        format: args.format,
        output: args.output,
        color: args.color,
        audit: AuditConfig {
            engine,
            confirm_after: args
                .confirm_after
                .or(file.confirm_after)
                .unwrap_or(linkwatch::DEFAULT_CONFIRM_AFTER),
            confirm_span,
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

/// An `http` or `https` URL with a host.
fn web_url(s: &str) -> Result<String, String> {
    linkwatch::url::WebUrl::parse(s)
        .map(|u| u.to_string())
        .map_err(|e| e.to_string())
}

pub(crate) fn run(args: Args, project: Project) -> anyhow::Result<Exit> {
    let baseline_from = args.baseline.clone();
    let out_given = args.out.is_some();
    let mut scratch = None;
    let mut resolved = resolve(args, project)?;
    // The baseline in --out is indexed, and the HTTP clients built, while the catalog loads;
    // when the baseline comes from elsewhere (`--changed-since`, `--baseline`), after it is copied.
    let early = (resolved.changed_since.is_none() && baseline_from.is_none())
        .then(|| Audit::prepare(&resolved.out, resolved.audit.clone()));
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
            resolved
                .say(|_| format!("no links added or changed since {reference}: nothing to check"));
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
    let stderr_is_terminal = std::io::stderr().is_terminal();
    let mut progress = Bar::new(
        !resolved.quiet && stderr_is_terminal,
        resolved.verbose,
        resolved.color.enabled(stderr_is_terminal),
    );
    let cancel = Cancel::default();
    let end = runtime.block_on(async {
        let on_signal = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                on_signal.cancel();
            }
        });
        early
            .unwrap_or_else(|| Audit::prepare(&resolved.out, resolved.audit.clone()))
            .run(catalog, &cancel, &mut progress)
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
            print_results(&results, &resolved)?;
            resolved.say(|color| painted_summary(&results, &resolved.out, color));
            eprintln!(
                "linkwatch: this shard's runner looks offline (no link got an HTTP answer); its \
                 results are written for `linkwatch merge` to judge over all shards, its baseline \
                 was left untouched"
            );
            Ok(Exit::Ok)
        }
        AuditEnd::Written(results) if scratch.is_some() => {
            print_results(&results, &resolved)?;
            for o in &results.outcomes {
                println!("{}", finding(o));
            }
            resolved.say(|color| {
                format!(
                    "{}; no reports written (--out DIR keeps them)",
                    tally(&results, color)
                )
            });
            if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") {
                job_summary(&results, Path::new(&path))?;
            }
            Ok(exit_for(&results, &resolved.fail_on, &cancel))
        }
        AuditEnd::Written(results) => {
            print_results(&results, &resolved)?;
            resolved.say(|color| painted_summary(&results, &resolved.out, color));
            Ok(exit_for(&results, &resolved.fail_on, &cancel))
        }
    }
}

/// Prints or writes the results in the `--format` asked for, if any.
fn print_results(results: &AuditResults, resolved: &Resolved) -> anyhow::Result<()> {
    let Some(format) = resolved.format else {
        return Ok(());
    };
    // The same report.md the audit wrote, chart and timelines included.
    let past = report::history::Past::read(&resolved.out).unwrap_or_default();
    let render = |w: &mut dyn Write| match format {
        Format::Json => report::json::write(results, w),
        Format::Markdown => report::markdown::write(results, &past, w),
        Format::Csv => report::csv::write(&results.outcomes, w),
    };
    match &resolved.output {
        Some(path) => linkwatch::fsutil::write_atomic_with(path, render)
            .with_context(|| format!("cannot write {}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            render(&mut stdout)
                .and_then(|()| stdout.flush())
                .context("cannot write to stdout")
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
/// archived copy when it has one; server text escaped for the terminal.
fn finding(o: &Outcome) -> String {
    let mut line = format!(
        "{:<8}  {}  {}  {}",
        o.status.as_str(),
        o.id,
        for_terminal(&o.url),
        for_terminal(&o.detail)
    );
    if let Some(copy) = &o.archived {
        line.push_str(&format!("  (archived copy: {})", for_terminal(copy)));
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
        linkwatch::report::markdown::write(
            results,
            &linkwatch::report::history::Past::default(),
            &mut file,
        )
    };
    write().with_context(|| format!("cannot write the job summary {}", path.display()))
}

/// `checked 57 links in 3.2 s: 50 ok, 3 moved, 4 broken; reports in reports/`
pub(crate) fn summary(results: &AuditResults, out: &Path) -> String {
    painted_summary(results, out, false)
}

/// [`summary`], with each count in its status's colour when `color`.
fn painted_summary(results: &AuditResults, out: &Path, color: bool) -> String {
    format!("{}; reports in {}", tally(results, color), out.display())
}

/// `checked 57 links in 3.2 s: 50 ok, 3 moved, 4 broken`, each count in its status's colour
/// when `color`.
fn tally(results: &AuditResults, color: bool) -> String {
    let counts: Vec<String> = results
        .counts()
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| paint(color, style(s), &format!("{n} {s}")))
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

/// The SGR style a status is shown in: red for what fails by default, yellow for what asks for
/// a look, green for healthy.
fn style(status: Status) -> &'static str {
    match status {
        Status::Ok => "32",
        Status::Hijacked | Status::Soft404 | Status::Broken => "31",
        Status::Moved | Status::Changed | Status::Failing | Status::Blocked => "33",
        Status::Skipped => "2",
    }
}

/// `broken   gone-404  https://example.org/gone  404 Not Found`: one `--verbose` line, with the
/// server's text escaped for the terminal.
fn verbose_line(outcome: &Outcome, color: bool) -> String {
    let status = format!("{:8}", outcome.status.as_str());
    let line = format!(
        "{} {}  {}  {}",
        paint(color, style(outcome.status), &status),
        for_terminal(&outcome.id),
        for_terminal(&outcome.url),
        for_terminal(&outcome.detail),
    );
    line.trim_end().to_owned()
}

/// The progress bar on stderr: done/total, rate, ETA and problems so far; hidden when stderr is
/// not a terminal or with `--quiet`. With `--verbose`, one line per link above it.
struct Bar {
    bar: ProgressBar,
    problems: usize,
    verbose: bool,
    color: bool,
}

impl Bar {
    fn new(visible: bool, verbose: bool, color: bool) -> Bar {
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        let template = if color {
            "{bar:30.cyan/blue} {pos}/{len} links · {rate} · ETA {eta} · {msg}"
        } else {
            "{bar:30} {pos}/{len} links · {rate} · ETA {eta} · {msg}"
        };
        bar.set_style(
            ProgressStyle::with_template(template)
                .expect("the progress template is valid")
                .with_key(
                    "rate",
                    |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.1} links/s", state.per_sec());
                    },
                ),
        );
        Bar {
            bar,
            problems: 0,
            verbose,
            color,
        }
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
            let problems = format!("{} problems", self.problems);
            self.bar.set_message(paint(self.color, "33", &problems));
        }
        if self.verbose {
            let line = verbose_line(outcome, self.color);
            self.bar.suspend(|| eprintln!("{line}"));
        }
        self.bar.inc(1);
    }
}
