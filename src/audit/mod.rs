//! One audit from start to end: select the resources, check them through the engine, decide each
//! status against the baseline, guard against an offline run, and save the baseline and reports.
//!
//! The pipeline has three stages. The engine's scheduler, on a task of its own, only fetches and
//! hands each finished link down a bounded channel. [`run`]'s loop is the one consumer: it takes
//! a link only while fewer than one per core are being judged, sends it to tokio's blocking pool
//! for the CPU work (extraction, fingerprints, soft-404 signals, comparison with the accepted
//! snapshot read from disk) and the staging of its snapshot, then applies the decision to the
//! baseline it owns and records the outcome. A body is dropped, and its share of the body budget
//! freed, as soon as it is judged; what waits in the channel keeps its share, so a slow judge
//! slows the reads instead of growing memory. Neither the baseline nor the outcomes are held in
//! memory: the baseline is a [`Store`] (an index of `state.json`; each resource's entry is read
//! where it is judged, each new one spooled to disk), and each outcome is spooled as it is
//! recorded and read back, in order, for the reports. The reports and the baseline's commit are
//! written at the end, after the engine and its connections are gone: the baseline saved on the
//! blocking pool while the reports are written beside their files, and put in place once it is
//! saved. Before the run, [`Audit::prepare`] indexes the baseline and builds the engine on a
//! thread of its own while the caller loads the catalog.
//!
//! A resource whose soft-404 signals were unclear is judged and staged like any other, then waits
//! (without its body) for its host's sibling probe, which may turn it `soft404`; see [`probe`].
//!
//! Links that failed at DNS wait, bodiless, until every link is checked: when most hosts of the
//! audit failed at DNS at once, the resolver is the likelier culprit than the sites, and those
//! links are reported `failing` without touching their baseline, so none is confirmed broken.

mod probe;
pub mod shard;

use crate::catalog::{Catalog, Entry};
use crate::check::archive::{self, ArchiveConfig, Wanted};
use crate::check::engine::Finished;
use crate::check::{
    Cancel, CheckConfig, Engine, EngineError, FailureKind, Fetch, Request, classify,
};
use crate::content::soft404::Sample;
use crate::report::history::{History, Past};
use crate::report::{self, AuditResults, CatalogInfo, FolderInfo, Outcome, RESULTS_SCHEMA_VERSION};
use crate::spool::{Span, Spool};
use crate::state::{self, ResourceState, Snapshots, Staged, StateError, Store};
use crate::status::Status;
use crate::text;
use crate::time;
use crate::url::WebUrl;
use probe::{Probes, Route};
use shard::Shard;
use std::collections::HashMap;
use std::num::NonZero;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::task::{JoinError, JoinSet};

/// Most characters of a title in an outcome (the catalog's, or a page's in a change); longer
/// ones end in "...".
pub const MAX_TITLE_CHARS: usize = 300;
/// Most characters of an outcome's detail, and of each reason and diff line of a change.
pub const MAX_DETAIL_CHARS: usize = 1000;
/// Fewest hosts in an audit before their DNS failures may be blamed on the resolver.
const RESOLVER_MIN_HOSTS: usize = 5;
/// Share of the hosts (in percent) failing at DNS that blames the resolver, not the sites.
const RESOLVER_FAILED_PERCENT: usize = 80;

/// Everything an audit needs besides the catalog: resolved once from flags and `linkwatch.toml`.
#[derive(Debug, Clone)]
pub struct AuditConfig {
    pub engine: CheckConfig,
    /// Consecutive failing audits before a temporary failure counts as broken.
    pub confirm_after: u32,
    /// The least time those failing audits must span (see [`state::Confirm`]).
    pub confirm_span: jiff::SignedDuration,
    /// `--only` selectors: folder ids, resource ids or tags; empty means the whole catalog.
    pub only: Vec<String>,
    /// Check only this slice of the catalog (`--shard K/N`).
    pub shard: Option<Shard>,
    /// Save the baseline after the run; off for pull-request checks, which must not touch it.
    pub save_baseline: bool,
    /// Where archived copies of lost resources are looked up; `None` with `--no-archive`.
    pub archive: Option<ArchiveConfig>,
}

/// Receives the audit's progress; the binary draws a progress bar from it.
pub trait Progress {
    /// The audit is about to check `total` resources (skipped ones included).
    fn start(&mut self, total: usize);
    /// One resource is done.
    fn done(&mut self, outcome: &Outcome);
}

/// How an audit ended, when linkwatch itself did not fail.
#[derive(Debug)]
pub enum AuditEnd {
    /// Reports and baseline were written (the results say whether the run was complete).
    Written(Box<AuditResults>),
    /// No link got an HTTP answer and every one failed at DNS or connect: the network looks
    /// unavailable, and nothing was written.
    Offline { attempted: usize },
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("--only {0:?} matches no folder id, resource id or tag in the catalog")]
    NoMatch(String),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Report(#[from] report::ReportError),
    #[error(transparent)]
    History(#[from] report::history::HistoryError),
    #[error("cannot keep the audit's outcomes in a temporary file: {0}")]
    Spool(std::io::Error),
}

/// The resources an audit covers, in catalog order: all of them, or those whose folder id,
/// resource id or one of whose tags equals one of `only`, and of those the ones in `shard`. A
/// selector that matches nothing is an error, so a typo never passes as a clean audit.
pub fn select<'a>(
    catalog: &'a Catalog,
    only: &[String],
    shard: Option<Shard>,
) -> Result<Vec<&'a Entry>, AuditError> {
    let matches = |e: &Entry, sel: &str| {
        e.folder == sel || e.resource.id == sel || e.resource.tags.iter().any(|t| t == sel)
    };
    if let Some(unmatched) = only
        .iter()
        .find(|sel| !catalog.resources.iter().any(|e| matches(e, sel)))
    {
        return Err(AuditError::NoMatch(unmatched.clone()));
    }
    Ok(catalog
        .resources
        .iter()
        .filter(|e| only.is_empty() || only.iter().any(|sel| matches(e, sel)))
        .filter(|e| shard.is_none_or(|s| s.contains(&e.resource.url)))
        .collect())
}

/// Runs one audit of `catalog`, writing the baseline and reports into `out_dir`: [`Audit::run`]
/// of [`Audit::prepare`].
pub async fn run(
    catalog: Catalog,
    out_dir: &Path,
    config: &AuditConfig,
    cancel: &Cancel,
    progress: &mut dyn Progress,
) -> Result<AuditEnd, AuditError> {
    Audit::prepare(out_dir, config.clone())
        .run(catalog, cancel, progress)
        .await
}

/// An audit about to run. [`Audit::prepare`] starts, on a thread of its own, the work that does
/// not need the catalog (indexing the baseline, building the HTTP clients), so that it overlaps
/// the caller's loading of the catalog.
#[derive(Debug)]
pub struct Audit {
    out_dir: PathBuf,
    config: AuditConfig,
    setup: Setup,
}

/// The baseline and engine of an audit, being made or made.
#[derive(Debug)]
enum Setup {
    Making(std::thread::JoinHandle<Made>),
    Made(Box<Made>),
}

type Made = (Result<Store, StateError>, Result<Engine, EngineError>);

impl Audit {
    /// An audit into `out_dir` with `config`; starts indexing `<out_dir>/state.json` and building
    /// the engine. Writes nothing.
    pub fn prepare(out_dir: &Path, config: AuditConfig) -> Audit {
        let make = {
            let (out_dir, engine) = (out_dir.to_path_buf(), config.engine.clone());
            move || (Store::open(&out_dir), Engine::new(engine))
        };
        let setup = match std::thread::Builder::new()
            .name("audit-setup".into())
            .spawn(make.clone())
        {
            Ok(thread) => Setup::Making(thread),
            // No thread to be had: the work is done here instead.
            Err(_) => Setup::Made(Box::new(make())),
        };
        Audit {
            out_dir: out_dir.to_path_buf(),
            config,
            setup,
        }
    }

    /// Runs the audit of `catalog`, writing the baseline and reports. The catalog is dropped
    /// once every link is checked, before the outcomes are read back for the reports.
    ///
    /// When `cancel` fires, no new request starts, what finished is kept and written, and the
    /// results are marked incomplete. A resource that was not checked successfully keeps its
    /// previous baseline.
    pub async fn run(
        self,
        catalog: Catalog,
        cancel: &Cancel,
        progress: &mut dyn Progress,
    ) -> Result<AuditEnd, AuditError> {
        let Audit {
            out_dir,
            config,
            setup,
        } = self;
        audit(catalog, &out_dir, &config, setup, cancel, progress).await
    }
}

impl Setup {
    /// The baseline and the engine, once made.
    fn finish(self) -> Result<(Store, Engine), AuditError> {
        let (store, engine) = match self {
            Setup::Making(thread) => thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Setup::Made(made) => *made,
        };
        Ok((store?, engine?))
    }
}

async fn audit(
    catalog: Catalog,
    out_dir: &Path,
    config: &AuditConfig,
    setup: Setup,
    cancel: &Cancel,
    progress: &mut dyn Progress,
) -> Result<AuditEnd, AuditError> {
    let selected = select(&catalog, &config.only, config.shard)?;
    let (mut baseline, engine) = setup.finish()?;
    let baseline_digest = config.shard.map(|_| baseline.digest()).transpose()?;
    let snapshots = Arc::new(Snapshots::new(out_dir));
    let started_at = time::now();
    progress.start(selected.len());

    let mut outcomes = Outcomes::new(out_dir, selected.len());
    let mut to_check = Vec::new();
    for (i, entry) in selected.iter().enumerate() {
        match skip_reason(entry) {
            Some(reason) => {
                let outcome = skipped(entry, reason);
                progress.done(&outcome);
                outcomes.put(i, &outcome)?;
            }
            None => to_check.push(i),
        }
    }
    let requests: Vec<Request> = to_check
        .iter()
        .map(|&i| {
            let id = &selected[i].resource.id;
            let (etag, last_modified) = baseline.take_conditional(id);
            Request {
                url: selected[i].resource.url.clone(),
                etag,
                last_modified,
            }
        })
        .collect();

    let (mut checks, feed) = engine.start_fed(requests, cancel);
    let cores = std::thread::available_parallelism().map_or(1, NonZero::get);
    let mut judging = Judging {
        tasks: JoinSet::new(),
        probes: Probes::new(feed, cancel.clone()),
        snapshots: Arc::clone(&snapshots),
        save: config.save_baseline,
    };
    let mut receiving = true;
    let mut answered = false;
    let mut network_down_only = true;
    let mut dns = DnsTally::default();
    let mut held: Vec<Finished> = Vec::new();
    let judge = |slot: usize, baseline: &Store| Judge {
        slot,
        entry: selected[slot].clone(),
        prior: baseline.prior(&selected[slot].resource.id),
        snapshots: Arc::clone(&snapshots),
        confirm: state::Confirm {
            after: config.confirm_after,
            span: config.confirm_span,
        },
        save: config.save_baseline,
    };
    // Links of the catalog received from the run (its probes aside).
    let mut received = 0;
    while receiving || !judging.is_done() {
        // Once every link is in and judged, no resource can ask for a probe any more: the run
        // ends when the probes sent have answered.
        if received == to_check.len() && judging.tasks.is_empty() {
            judging.probes.close();
        }
        tokio::select! {
            Some(next) = judging.next(), if !judging.is_done() => {
                judging.take(next, &mut baseline, progress, &mut outcomes)?;
            }
            finished = checks.next(), if receiving && judging.tasks.len() < cores => {
                let Some(finished) = finished else {
                    receiving = false;
                    // Cancelled with probes out: their resources keep the verdicts they have.
                    for judged in judging.probes.abandon() {
                        absorb(judged, &mut baseline, progress, &mut outcomes)?;
                    }
                    continue;
                };
                if judging.probes.is_probe(finished.index) {
                    judging.probes.answer(finished);
                    continue;
                }
                received += 1;
                let fetch = &finished.fetch;
                answered |= fetch.got_http_answer;
                network_down_only &= fetch.failure.as_ref().is_some_and(|f| {
                    matches!(
                        f.kind,
                        FailureKind::Dns | FailureKind::DnsUnavailable | FailureKind::Connect
                    )
                });
                let slot = to_check[finished.index];
                if dns.count(&selected[slot].resource.url, fetch) {
                    held.push(finished);
                    continue;
                }
                judging.spawn(judge(slot, &baseline), finished);
            }
            else => break,
        }
    }
    checks.finish().await;
    let resolver_broken = dns.resolver_broken();
    for finished in held {
        let slot = to_check[finished.index];
        match &resolver_broken {
            Some(why) => {
                let outcome = not_confirmed(
                    selected[slot],
                    baseline.get(&selected[slot].resource.id)?.as_ref(),
                    &finished.fetch,
                    why,
                );
                progress.done(&outcome);
                outcomes.put(slot, &outcome)?;
            }
            None => {
                while judging.tasks.len() >= cores
                    && let Some(next) = judging.next().await
                {
                    judging.take(next, &mut baseline, progress, &mut outcomes)?;
                }
                judging.spawn(judge(slot, &baseline), finished);
            }
        }
    }
    while let Some(next) = judging.next().await {
        judging.take(next, &mut baseline, progress, &mut outcomes)?;
    }
    // The HTTP clients and their idle connections (each with its read buffer), and the catalog
    // but for what the reports need of it, go before the baseline and reports are written.
    drop(judging);
    drop(engine);
    let selected = selected.len();
    let order = lay_over(config).then(|| {
        let ids = catalog.resources.iter().map(|e| e.resource.id.clone());
        ids.collect::<Vec<String>>()
    });
    let info = catalog_info(&catalog);
    drop(catalog);

    let finished = to_check.iter().filter(|&&i| outcomes.has(i)).count();
    let network_down = !to_check.is_empty()
        && finished > 0
        && !answered
        && network_down_only
        && !cancel.is_cancelled();
    // One shard's runner offline is not the audit's: the shard writes what it saw, keeps its
    // baseline, and `merge` decides over all shards.
    if network_down && config.shard.is_none() {
        return Ok(AuditEnd::Offline {
            attempted: to_check.len(),
        });
    }

    // The baseline is saved on the blocking pool while the reports are written here, beside
    // their files once the save has cleaned the folder up (see `Store::clean_up`); they go in
    // place once it is saved, so a failed save leaves both as they were.
    let baseline = Arc::new(baseline);
    let (cleaned, folder_ready) = tokio::sync::oneshot::channel();
    let saving = (config.save_baseline && !network_down).then(|| {
        let (baseline, snapshots) = (Arc::clone(&baseline), Arc::clone(&snapshots));
        tokio::task::spawn_blocking(move || {
            baseline.clean_up(&snapshots)?;
            let _ = cleaned.send(());
            baseline.save(&snapshots)
        })
    });
    let ended = Ended {
        catalog: info,
        order,
        started_at,
        selected,
        baseline_digest,
        network_down,
        folder_ready,
    };
    let reports = reports(outcomes, &baseline, out_dir, config, cancel, ended).await;
    if let Some(saving) = saving {
        match saving.await {
            Ok(saved) => saved?,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
    let Reports {
        results,
        staged,
        history,
        recorded,
        unreadable,
    } = reports?;
    staged.commit()?;
    if let Some(e) = unreadable {
        return Err(e.into());
    }
    if recorded {
        history.write(out_dir)?;
    }
    Ok(AuditEnd::Written(Box::new(results)))
}

/// What an audit knows of itself when its last link is in.
struct Ended {
    catalog: CatalogInfo,
    /// The catalog's resource ids in order, when the results are laid over the last audit's
    /// (see [`lay_over_last_audit`]).
    order: Option<Vec<String>>,
    started_at: jiff::Timestamp,
    selected: usize,
    baseline_digest: Option<String>,
    network_down: bool,
    /// Comes once the save has cleaned the folder up, or never (the sender dropped) when there
    /// is no save or the clean-up failed: reports are written only after it, since a clean-up
    /// removes the temporary files it finds.
    folder_ready: tokio::sync::oneshot::Receiver<()>,
}

/// An audit's results and its reports, written but not yet in place.
struct Reports {
    results: AuditResults,
    staged: report::StagedReports,
    history: History,
    /// The history gained this audit, to be written once the reports are in place.
    recorded: bool,
    /// Why the history could not be read: the reports are written without it.
    unreadable: Option<report::history::HistoryError>,
}

/// The results of an audit from its spooled `outcomes` (with archived copies looked up for lost
/// links), and its reports written beside their files.
async fn reports(
    outcomes: Outcomes,
    baseline: &Store,
    out_dir: &Path,
    config: &AuditConfig,
    cancel: &Cancel,
    ended: Ended,
) -> Result<Reports, AuditError> {
    let mut outcomes = outcomes.into_vec()?;
    if let Some(archive) = config.archive.as_ref().filter(|_| !cancel.is_cancelled()) {
        let last_good = last_good(baseline, &outcomes)?;
        tokio::select! {
            () = find_archived(archive, &config.engine.user_agent, &last_good, out_dir, &mut outcomes) => {}
            () = cancel.cancelled() => {}
        }
    }
    let complete = outcomes.len() == ended.selected;
    let results = AuditResults {
        schema_version: RESULTS_SCHEMA_VERSION,
        catalog: ended.catalog,
        started_at: ended.started_at,
        finished_at: time::now(),
        complete,
        selected: ended.selected,
        only: config.only.clone(),
        shard: config.shard.map(|s| s.to_string()),
        confirm_after: config.confirm_after,
        outcomes,
        checked_this_run: Vec::new(),
        baseline_digest: ended.baseline_digest,
        network_down: ended.network_down,
    };
    let results = match ended.order {
        Some(order) => lay_over_last_audit(results, &order, out_dir),
        None => results,
    };
    // A history file that cannot be read never costs the audit: the baseline is saved and the
    // reports are written without the history, then the error names the file and line.
    let (mut history, unreadable) = match History::read(out_dir) {
        Ok(history) => (history, None),
        Err(e) => (History::default(), Some(e)),
    };
    // Only an audit that keeps its baseline is one the history remembers.
    let recorded = unreadable.is_none() && config.save_baseline && history.record(&results);
    let attention = results
        .outcomes
        .iter()
        .filter(|o| o.status.needs_attention());
    let past = Past::new(&history, baseline.recent(attention.map(|o| o.id.as_str()))?);
    let _ = ended.folder_ready.await;
    let staged = report::stage_all(out_dir, &results, &past)?;
    Ok(Reports {
        results,
        staged,
        history,
        recorded,
        unreadable,
    })
}

/// Whether the results of a run with `config` are laid over the last complete audit's: those
/// of part of the catalog (`--only`, `--changed-since`), not a shard's, whose results stay its
/// own (`merge` puts the shards together).
fn lay_over(config: &AuditConfig) -> bool {
    !config.only.is_empty() && config.shard.is_none()
}

/// A run of part of the catalog laid over the last complete audit in `out_dir` (see
/// [`lay_over`]), so the rows it did not check keep their last result; `order` is the catalog's
/// resource ids.
fn lay_over_last_audit(results: AuditResults, order: &[String], out_dir: &Path) -> AuditResults {
    match report::read_results(out_dir) {
        Ok(previous) if previous.shard.is_none() => {
            let order: Vec<&str> = order.iter().map(String::as_str).collect();
            results.over(previous, &order)
        }
        _ => results,
    }
}

/// What the reports say of the catalog.
fn catalog_info(catalog: &Catalog) -> CatalogInfo {
    CatalogInfo {
        title: catalog.meta.title.clone(),
        publisher: catalog.meta.publisher.clone(),
        folders: catalog
            .meta
            .folders
            .iter()
            .map(|f| FolderInfo {
                id: f.id.clone(),
                title: f.title.clone(),
            })
            .collect(),
    }
}

/// When the baseline last saw each resource healthy, for those whose outcome may need an
/// archived copy (see [`find_archived`]).
fn last_good(
    baseline: &Store,
    outcomes: &[Outcome],
) -> Result<HashMap<String, jiff::Timestamp>, StateError> {
    let mut last_good = HashMap::new();
    for o in outcomes.iter().filter(|o| lost(o.status)) {
        if let Some(at) = baseline.get(&o.id)?.and_then(|st| st.last_good_at) {
            last_good.insert(o.id.clone(), at);
        }
    }
    Ok(last_good)
}

/// The statuses of a resource that is lost, whose outcome may get an archived copy.
fn lost(status: Status) -> bool {
    matches!(status, Status::Broken | Status::Soft404 | Status::Hijacked)
}

/// Gives each `broken`, `soft404` and `hijacked` outcome an archived copy from before the last
/// time the baseline saw it healthy: one bounded phase after the checks, which an unreachable
/// archive only makes find nothing. A resource never seen healthy gets one only when `broken`:
/// the latest copy of a `soft404` or `hijacked` one may be the page that replaced it. A copy the
/// last audit in `out_dir` found for the same URL is kept without asking again: the moment it
/// was taken before has not moved while the link stayed lost.
async fn find_archived(
    archive: &ArchiveConfig,
    user_agent: &str,
    last_good: &HashMap<String, jiff::Timestamp>,
    out_dir: &Path,
    outcomes: &mut [Outcome],
) {
    let last_good_at = |o: &Outcome| last_good.get(&o.id).copied();
    let needs_copy =
        |o: &Outcome| lost(o.status) && (o.status == Status::Broken || last_good_at(o).is_some());
    if !outcomes.iter().any(needs_copy) {
        // Nothing to look up: the last results (a large catalog's are megabytes) stay unread.
        return;
    }
    let mut known: HashMap<(String, String), String> = report::read_results(out_dir)
        .map(|last| {
            last.outcomes
                .into_iter()
                .filter_map(|o| Some(((o.id, o.url), o.archived?)))
                .collect()
        })
        .unwrap_or_default();
    let mut slots = Vec::new();
    let mut wanted = Vec::new();
    for (i, o) in outcomes.iter_mut().enumerate() {
        if !needs_copy(o) {
            continue;
        }
        let before = last_good_at(o);
        if let Some(copy) = known.remove(&(o.id.clone(), o.url.clone())) {
            o.archived = Some(copy);
            continue;
        }
        slots.push(i);
        wanted.push(Wanted {
            url: o.url.clone(),
            before,
        });
    }
    let found = archive::lookup_all(archive, user_agent, wanted).await;
    for (i, copy) in slots.into_iter().zip(found) {
        outcomes[i].archived = copy;
    }
}

/// The judging stage: resources being judged on the blocking pool, and judged ones waiting for
/// their host's probe.
struct Judging {
    tasks: JoinSet<Result<Judged, StateError>>,
    probes: Probes,
    snapshots: Arc<Snapshots>,
    /// Stage snapshot changes (off when the baseline is not saved).
    save: bool,
}

/// What the judging stage has next.
enum Next {
    Judged(Box<Result<Result<Judged, StateError>, JoinError>>),
    Probed(probe::Answered),
}

impl Judging {
    /// Whether nothing is being judged and no resource waits for a probe.
    fn is_done(&self) -> bool {
        self.tasks.is_empty() && self.probes.is_idle()
    }

    fn spawn(&mut self, judge: Judge, finished: Finished) {
        self.tasks.spawn_blocking(move || judge.run(finished));
    }

    /// The next judged resource or probe answer; `None` once [`Judging::is_done`].
    async fn next(&mut self) -> Option<Next> {
        tokio::select! {
            Some(joined) = self.tasks.join_next(), if !self.tasks.is_empty() => {
                Some(Next::Judged(Box::new(joined)))
            }
            Some(answered) = self.probes.next(), if !self.probes.is_idle() => {
                Some(Next::Probed(answered))
            }
            else => None,
        }
    }

    /// Takes what [`Judging::next`] gave: a judged resource goes on to the baseline and the
    /// outcomes, or waits for its host's probe, or is compared with its answer; a probe's
    /// answer sends on the resources that waited for it.
    fn take(
        &mut self,
        next: Next,
        baseline: &mut Store,
        progress: &mut dyn Progress,
        outcomes: &mut Outcomes,
    ) -> Result<(), AuditError> {
        match next {
            Next::Judged(joined) => {
                let judged = match *joined {
                    Ok(judged) => judged?,
                    Err(e) => std::panic::resume_unwind(e.into_panic()),
                };
                match self.probes.route(judged) {
                    Route::Done(judged) => absorb(judged, baseline, progress, outcomes)?,
                    Route::Waiting => {}
                    Route::Compare(judged, catch_all) => self.compare(judged, catch_all),
                }
            }
            Next::Probed(answered) => {
                for judged in answered.waited {
                    match &answered.catch_all {
                        Some(catch_all) => self.compare(judged, Arc::clone(catch_all)),
                        None => absorb(judged, baseline, progress, outcomes)?,
                    }
                }
            }
        }
        Ok(())
    }

    /// Compares a judged resource with its host's catch-all page on the blocking pool; when it
    /// is that page, its decision is replaced by the probe's `soft404`, its staged snapshot
    /// change dropped.
    fn compare(&mut self, mut judged: Judged, catch_all: Arc<probe::CatchAll>) {
        let snapshots = Arc::clone(&self.snapshots);
        let save = self.save;
        self.tasks.spawn_blocking(move || {
            let Some(unclear) = judged.unclear.take() else {
                return Ok(judged);
            };
            let Some(detail) = catch_all.same_page(&unclear.sample) else {
                return Ok(judged);
            };
            let decision =
                state::probed_soft404(unclear.prior.as_ref(), &unclear.entry, detail, unclear.now);
            let assessment = if save {
                snapshots.unstage(&unclear.entry.resource.id)?;
                let (assessment, staged) = decision.stage(&snapshots)?;
                judged.staged = Some(staged);
                assessment
            } else {
                decision.assessment
            };
            assess_outcome(&mut judged.outcome, assessment);
            Ok(judged)
        });
    }
}

/// Applies one judged resource: its baseline entry, its progress, its outcome.
fn absorb(
    judged: Judged,
    baseline: &mut Store,
    progress: &mut dyn Progress,
    outcomes: &mut Outcomes,
) -> Result<(), AuditError> {
    if let Some(staged) = judged.staged {
        baseline.apply(staged)?;
    }
    progress.done(&judged.outcome);
    outcomes.put(judged.slot, &judged.outcome)
}

/// The outcomes of the run, by slot. Each goes to a spool on disk as soon as it is known, and
/// they are read back, in order, for the reports: until then the run holds none in memory.
struct Outcomes {
    spool: Spool,
    at: Vec<Option<Span>>,
}

impl Outcomes {
    /// Room for `slots` outcomes, spooled in `dir`.
    fn new(dir: &Path, slots: usize) -> Outcomes {
        Outcomes {
            spool: Spool::new(dir),
            at: vec![None; slots],
        }
    }

    fn put(&mut self, slot: usize, outcome: &Outcome) -> Result<(), AuditError> {
        self.at[slot] = Some(self.spool.push(outcome).map_err(AuditError::Spool)?);
        Ok(())
    }

    fn has(&self, slot: usize) -> bool {
        self.at[slot].is_some()
    }

    /// The outcomes there are, in slot order.
    fn into_vec(self) -> Result<Vec<Outcome>, AuditError> {
        let spans: Vec<Span> = self.at.iter().flatten().copied().collect();
        let mut all: Vec<Option<Outcome>> =
            std::iter::repeat_with(|| None).take(spans.len()).collect();
        self.spool
            .read_each(&spans, |i, bytes| {
                all[i] = Some(serde_json::from_slice(bytes)?);
                Ok(())
            })
            .map_err(AuditError::Spool)?;
        // Collected in place: the outcomes are never held twice.
        all.into_iter()
            .map(|o| {
                o.ok_or_else(|| {
                    AuditError::Spool(std::io::Error::other("an outcome was not read back"))
                })
            })
            .collect()
    }
}

/// Which hosts of the audit failed at DNS: a host counts as failed when every one of its links
/// failed at DNS, with "no such name" or with no answer.
#[derive(Debug, Default)]
struct DnsTally {
    hosts: HashMap<String, bool>,
}

impl DnsTally {
    /// Counts one finished link of `url`; returns whether it failed at DNS.
    fn count(&mut self, url: &str, fetch: &Fetch) -> bool {
        let failed = fetch
            .failure
            .as_ref()
            .is_some_and(|f| matches!(f.kind, FailureKind::Dns | FailureKind::DnsUnavailable));
        let host = WebUrl::parse(url)
            .map(|u| u.host().to_owned())
            .unwrap_or_default();
        *self.hosts.entry(host).or_insert(true) &= failed;
        failed
    }

    /// Why the resolver, not the sites, looks to blame, when at least [`RESOLVER_MIN_HOSTS`]
    /// hosts were checked and [`RESOLVER_FAILED_PERCENT`] of them failed at DNS.
    fn resolver_broken(&self) -> Option<String> {
        let total = self.hosts.len();
        let failed = self.hosts.values().filter(|&&f| f).count();
        (total >= RESOLVER_MIN_HOSTS && failed * 100 >= total * RESOLVER_FAILED_PERCENT).then(
            || {
                format!(
                    "the resolver looks broken: {failed} of {total} hosts failed at DNS in this \
                 audit, so none of them is confirmed broken"
                )
            },
        )
    }
}

/// The outcome of a link that failed at DNS while the resolver looked broken: `failing`, and
/// its baseline left as it was, since this audit tells nothing about the site.
fn not_confirmed(
    entry: &Entry,
    prior: Option<&ResourceState>,
    fetch: &Fetch,
    why: &str,
) -> Outcome {
    let (_, detail) = classify(fetch, &[]);
    let assessment = state::Assessment {
        status: Status::Failing,
        detail: format!("{detail}; {why}"),
        similarity: None,
        baseline_at: prior.and_then(|p| p.baseline_at),
        failing_since: prior.and_then(|p| p.failing_since),
        failing_audits: prior.map_or(0, |p| p.consecutive_failures),
        change: None,
    };
    checked(entry, fetch, assessment, time::now())
}

/// One checked resource on its way through the blocking pool, with what the consumer knows of it.
struct Judge {
    /// Its position among the selected resources.
    slot: usize,
    entry: Entry,
    /// Its baseline entry, read where the judging happens.
    prior: state::Prior,
    snapshots: Arc<Snapshots>,
    confirm: state::Confirm,
    /// Stage the snapshot change (off when the baseline is not saved).
    save: bool,
}

/// A judged resource: its outcome, and its baseline entry to apply when the baseline is saved.
#[derive(Debug)]
struct Judged {
    slot: usize,
    outcome: Outcome,
    staged: Option<Staged>,
    /// Set when its signals were unclear: what its host's probe is compared with.
    unclear: Option<Box<Unclear>>,
}

/// What replacing a resource's decision after its host's probe needs (see
/// [`state::probed_soft404`]).
#[derive(Debug)]
struct Unclear {
    sample: Sample,
    entry: Entry,
    prior: Option<ResourceState>,
    now: jiff::Timestamp,
}

impl Judge {
    /// Classifies, decides and stages one finished link; its body and budget go when this ends.
    fn run(self, finished: Finished) -> Result<Judged, StateError> {
        let fetch = &finished.fetch;
        let resource = &self.entry.resource;
        let accept = resource
            .watch
            .as_ref()
            .map_or(&[][..], |w| w.accept.as_slice());
        let network = classify(fetch, accept);
        let now = time::now();
        let prior = self.prior.read()?;
        let mut decision = state::decide(
            prior.as_ref(),
            || self.snapshots.accepted(&resource.id).ok().flatten(),
            &self.entry,
            fetch,
            network,
            self.confirm,
            now,
        );
        let sample = decision.probe.take();
        let (assessment, staged) = if self.save {
            let (assessment, staged) = decision.stage(&self.snapshots)?;
            (assessment, Some(staged))
        } else {
            (decision.assessment, None)
        };
        let outcome = checked(&self.entry, fetch, assessment, now);
        let unclear = sample.map(|sample| {
            Box::new(Unclear {
                sample,
                entry: self.entry,
                prior,
                now,
            })
        });
        Ok(Judged {
            slot: self.slot,
            outcome,
            staged,
            unclear,
        })
    }
}

fn skip_reason(entry: &Entry) -> Option<&str> {
    entry.resource.watch.as_ref()?.skip.as_deref()
}

fn skipped(entry: &Entry, reason: &str) -> Outcome {
    Outcome {
        id: entry.resource.id.clone(),
        folder: entry.folder.clone(),
        title: shown(&entry.resource.title, MAX_TITLE_CHARS),
        url: entry.resource.url.clone(),
        status: Status::Skipped,
        http_status: None,
        final_url: None,
        detail: shown(&format!("skipped: {reason}"), MAX_DETAIL_CHARS),
        checked_at: time::now(),
        redirects: Vec::new(),
        attempts: 0,
        elapsed_ms: 0,
        content_type: None,
        bytes: None,
        similarity: None,
        baseline_at: None,
        failing_since: None,
        failing_audits: 0,
        change: None,
        archived: None,
    }
}

/// Text on its way into an outcome, from a server or a file: without the control characters
/// that could act on a terminal or reorder what a reader sees, and cut to `max` characters.
fn shown(s: &str, max: usize) -> String {
    text::cap(&text::strip_unsafe(s), max).into_owned()
}

fn checked(
    entry: &Entry,
    fetch: &Fetch,
    assessment: state::Assessment,
    now: jiff::Timestamp,
) -> Outcome {
    let mut outcome = Outcome {
        id: entry.resource.id.clone(),
        folder: entry.folder.clone(),
        title: shown(&entry.resource.title, MAX_TITLE_CHARS),
        url: entry.resource.url.clone(),
        status: assessment.status,
        http_status: fetch.http_status,
        final_url: (!fetch.final_url.is_empty()).then(|| fetch.final_url.clone()),
        detail: String::new(),
        checked_at: now,
        redirects: fetch.chain.clone(),
        attempts: fetch.attempts,
        elapsed_ms: fetch.elapsed_ms,
        content_type: fetch
            .content_type
            .as_deref()
            .map(|t| shown(t, MAX_TITLE_CHARS)),
        bytes: fetch.http_status.map(|_| fetch.body.len() as u64),
        similarity: None,
        baseline_at: None,
        failing_since: None,
        failing_audits: 0,
        change: None,
        archived: None,
    };
    assess_outcome(&mut outcome, assessment);
    outcome
}

/// Gives `outcome` the verdict of `assessment`.
fn assess_outcome(outcome: &mut Outcome, assessment: state::Assessment) {
    let change = assessment.change.map(|mut change| {
        for title in [&mut change.old_title, &mut change.new_title]
            .into_iter()
            .flatten()
        {
            *title = shown(title, MAX_TITLE_CHARS);
        }
        for line in change.reasons.iter_mut().chain(&mut change.diff_excerpt) {
            *line = shown(line, MAX_DETAIL_CHARS);
        }
        change
    });
    outcome.status = assessment.status;
    outcome.detail = shown(&assessment.detail, MAX_DETAIL_CHARS);
    outcome.similarity = assessment.similarity;
    outcome.baseline_at = assessment.baseline_at;
    outcome.failing_since = assessment.failing_since;
    outcome.failing_audits = assessment.failing_audits;
    outcome.change = change;
}
