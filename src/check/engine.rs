//! The scheduler: checks many links at once within a global and a per-host limit, retries what
//! may be temporary, honours `Retry-After` by pausing only that host, and stops on cancel.
//!
//! One loop, on a task of its own, owns all scheduling state and only schedules: it never
//! parses, diffs or touches the disk. Links wait in per-host queues; whenever a slot is free, the
//! ready host with the longest remaining queue gets it, so a host holding many links is never
//! idle while it still has work and free slots. Links waiting for a retry hold no slot. Each
//! finished link goes down a bounded channel to the caller ([`Engine::start`]); a finished link
//! the caller has not taken yet keeps its slot, so a slow consumer slows the checks down instead
//! of piling up bodies, while timers (backoffs, `Retry-After` pauses) keep firing.
//!
//! Bodies are held against a shared budget of [`BODY_BUDGET_BYTES`] (see
//! [`CheckConfig::body_budget`]) from the read until the caller drops the [`BodyPermit`] that
//! comes with each finished link, so memory follows the settings and not `concurrency × cap`.

use crate::check::fetch::{Failure, FailureKind, Fetch};
use crate::check::http::{self, Attempt, Budget, Clients, Limits, Validators, Waits};
pub use crate::check::http::{BodyPermit, EngineError};
pub use crate::check::resolve::HostAnswer;
use crate::url::host_key;
use reqwest::header;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// Most bytes of response bodies held in memory at once, over all links (4 MiB): bodies being
/// read, waiting for the consumer, or being extracted. When it is spent, body reads wait (and
/// their timeout with them); one body at a time may go past it, so a body larger than the
/// budget still progresses.
pub const BODY_BUDGET_BYTES: u64 = 4 * 1024 * 1024;

/// How politely and how patiently links are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckConfig {
    /// Requests in flight at once, over all hosts.
    pub concurrency: usize,
    /// Requests in flight at once to one host (host name and port).
    pub per_host: usize,
    /// Time one attempt may take: connection, redirects, headers and body.
    pub timeout: Duration,
    /// Extra attempts for failures that may be temporary.
    pub retries: u32,
    pub user_agent: String,
    /// Most body bytes read, counted on the wire and again decompressed.
    pub max_body_bytes: u64,
    /// Most redirects followed.
    pub max_redirects: usize,
    /// Longest `Retry-After` honoured; a longer one ends the retries.
    pub max_retry_after: Duration,
    /// Base of the exponential backoff between retries (full jitter).
    pub backoff_base: Duration,
    /// Most body bytes held in memory at once, over all links.
    pub body_budget: u64,
    /// Which requests may reach addresses inside a network.
    pub private_addresses: PrivateAddresses,
    /// Host names answered here instead of by DNS, lowercase: tests serve "public" hosts from
    /// loopback and script resolver failures with it.
    pub hosts: BTreeMap<String, HostAnswer>,
}

/// Which requests may reach an address inside a network: loopback, private, link-local,
/// unique-local, CGNAT or unspecified (see [`crate::url::is_internal_ip`]). Decided on the
/// addresses a name resolves to, so a public name resolving inside does not pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrivateAddresses {
    /// The catalog's own URL may be inside (a maintainer put it there), and so may a hop after
    /// one answered from inside; a redirect or in-page move from a public address to a private
    /// one is refused at that hop, before anything is sent. The normal audit.
    #[default]
    CatalogOnly,
    /// Every hop must be public, the first one too: pull-request checks, whose URLs were
    /// written by the pull request's author.
    Refused,
    /// Any address, at any hop (`--allow-private`): intranet catalogs, and tests on loopback.
    Allowed,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            concurrency: crate::DEFAULT_CONCURRENCY,
            per_host: crate::DEFAULT_PER_HOST,
            timeout: Duration::from_secs(crate::DEFAULT_TIMEOUT_SECS),
            retries: crate::DEFAULT_RETRIES,
            user_agent: crate::DEFAULT_USER_AGENT.to_owned(),
            max_body_bytes: crate::MAX_BODY_BYTES,
            max_redirects: crate::MAX_REDIRECTS,
            max_retry_after: Duration::from_secs(crate::MAX_RETRY_AFTER_SECS),
            backoff_base: Duration::from_millis(500),
            body_budget: BODY_BUDGET_BYTES,
            private_addresses: PrivateAddresses::default(),
            hosts: BTreeMap::new(),
        }
    }
}

/// One link to check, with the validators remembered from the baseline.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    pub url: String,
    /// Sent as `If-None-Match`.
    pub etag: Option<String>,
    /// Sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

impl Request {
    pub fn new(url: impl Into<String>) -> Request {
        Request {
            url: url.into(),
            ..Request::default()
        }
    }
}

/// A cancel handle shared between whoever decides to stop (e.g. a Ctrl-C handler) and the engine.
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    inner: Arc<CancelInner>,
}

#[derive(Debug, Default)]
struct CancelInner {
    cancelled: AtomicBool,
    notify: Notify,
}

impl Cancel {
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::SeqCst);
        self.inner.notify.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }

    /// Completes once [`Cancel::cancel`] has been called.
    pub async fn cancelled(&self) {
        loop {
            let notified = self.inner.notify.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

/// Counters over one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunStats {
    /// HTTP requests sent, redirects and retries included.
    pub requests_sent: u64,
    /// Answers with status 429 Too Many Requests.
    pub responses_429: u64,
    /// Most requests in flight at one moment.
    pub max_in_flight: usize,
    /// Attempts beyond the first, over all links.
    pub retries: u64,
}

/// One link's final evidence, as the engine hands it over.
#[derive(Debug)]
pub struct Finished {
    /// The link's position in the requests.
    pub index: usize,
    pub fetch: Fetch,
    /// Holds `fetch.body` against the body budget until dropped: drop it with the body.
    pub permit: BodyPermit,
}

/// A run in progress: its links come out of [`Checks::next`] as they finish. Dropping it stops
/// the run.
#[derive(Debug)]
pub struct Checks {
    finished: mpsc::Receiver<Finished>,
    scheduler: JoinSet<RunStats>,
}

impl Checks {
    /// The next finished link, in completion order; `None` once every link is done, or once the
    /// run was cancelled and what had finished was handed over.
    pub async fn next(&mut self) -> Option<Finished> {
        self.finished.recv().await
    }

    /// The run's counters, once it has ended; links not taken by then are dropped.
    pub async fn finish(mut self) -> RunStats {
        self.finished.close();
        while self.finished.recv().await.is_some() {}
        match self.scheduler.join_next().await {
            Some(Ok(stats)) => stats,
            Some(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            _ => RunStats::default(),
        }
    }
}

/// Adds links to a run started with [`Engine::start_fed`]; the run waits for more while this
/// lives.
#[derive(Debug, Clone)]
pub struct Feed {
    tx: mpsc::UnboundedSender<(usize, Request)>,
    next: Arc<AtomicUsize>,
}

impl Feed {
    /// Adds `request` to the run; its [`Finished::index`] is the number returned (after those of
    /// the run's first requests). `None` when the run has ended.
    pub fn add(&self, request: Request) -> Option<usize> {
        let index = self.next.fetch_add(1, Ordering::Relaxed);
        self.tx.send((index, request)).ok().map(|()| index)
    }
}

/// Checks links with one set of HTTP clients, one cookie jar and one body budget.
#[derive(Debug, Clone)]
pub struct Engine {
    clients: Clients,
    config: CheckConfig,
    budget: Budget,
}

impl Engine {
    /// Builds the HTTP clients (rustls, platform certificate verifier) and their cookie jar,
    /// which lives as long as this engine: one audit.
    pub fn new(config: CheckConfig) -> Result<Engine, EngineError> {
        let clients = Clients::new(&http::ClientSettings {
            user_agent: &config.user_agent,
            per_host: config.per_host.max(1),
            connect_timeout: config.timeout,
            private_addresses: config.private_addresses,
            hosts: Arc::new(config.hosts.clone()),
        })?;
        let budget = Budget::new(config.body_budget);
        Ok(Engine {
            clients,
            config,
            budget,
        })
    }

    pub fn config(&self) -> &CheckConfig {
        &self.config
    }

    /// Starts checking every request on a task of its own (call it inside a tokio runtime); the
    /// links come out of the returned [`Checks`] as they finish. When `cancel` fires no new
    /// request starts, links in flight are dropped, and what had finished is still handed over.
    pub fn start(&self, requests: Vec<Request>, cancel: &Cancel) -> Checks {
        self.start_with(requests, cancel, None)
    }

    /// [`Engine::start`], with a [`Feed`] that adds links to the run while it goes: they are
    /// scheduled with the others (per-host limit, `Retry-After` pauses), ahead of their host's
    /// queue, and come out of the same [`Checks`]. The run ends only once every link is done and
    /// the feed is dropped.
    pub fn start_fed(&self, requests: Vec<Request>, cancel: &Cancel) -> (Checks, Feed) {
        let (tx, rx) = mpsc::unbounded_channel();
        let feed = Feed {
            tx,
            next: Arc::new(AtomicUsize::new(requests.len())),
        };
        (self.start_with(requests, cancel, Some(rx)), feed)
    }

    fn start_with(
        &self,
        requests: Vec<Request>,
        cancel: &Cancel,
        fed: Option<mpsc::UnboundedReceiver<(usize, Request)>>,
    ) -> Checks {
        let (sender, finished) = mpsc::channel(self.config.concurrency.max(1));
        let mut scheduler = JoinSet::new();
        scheduler.spawn(self.clone().schedule(requests, cancel.clone(), sender, fed));
        Checks {
            finished,
            scheduler,
        }
    }

    /// Checks every request; calls `on_done(index_in_requests, fetch)` in completion order, on
    /// the caller's task. Keep it cheap: links finishing meanwhile wait for it. A body counts
    /// against the body budget until `on_done` returns. Returns when all are done or once
    /// `cancel` fires; links not finished by then get no callback.
    pub async fn run(
        &self,
        requests: Vec<Request>,
        cancel: &Cancel,
        mut on_done: impl FnMut(usize, Fetch),
    ) -> RunStats {
        let mut checks = self.start(requests, cancel);
        while let Some(finished) = checks.next().await {
            on_done(finished.index, finished.fetch);
        }
        checks.finish().await
    }

    /// The scheduler's loop: dispatches, books finished attempts, fires timers, and hands over
    /// finished links through `out` without ever waiting for the consumer.
    async fn schedule(
        self,
        requests: Vec<Request>,
        cancel: Cancel,
        out: mpsc::Sender<Finished>,
        mut fed: Option<mpsc::UnboundedReceiver<(usize, Request)>>,
    ) -> RunStats {
        let concurrency = self.config.concurrency.max(1);
        let mut sched = Scheduler::new(requests, self.config.per_host.max(1));
        let mut tasks: JoinSet<(usize, Job, Attempt)> = JoinSet::new();
        let mut stats = RunStats::default();
        // Finished links the channel has no room for yet; they keep their slots.
        let mut outbox: VecDeque<Finished> = VecDeque::new();
        loop {
            if cancel.is_cancelled() {
                break;
            }
            while tasks.len() + outbox.len() < concurrency {
                let Some((host, mut job)) = sched.next_ready() else {
                    break;
                };
                job.started.get_or_insert_with(Instant::now);
                tasks.spawn(self.attempt(host, job));
            }
            stats.max_in_flight = stats.max_in_flight.max(tasks.len());
            let next_timer = sched.next_timer();
            if tasks.is_empty() && next_timer.is_none() && outbox.is_empty() && fed.is_none() {
                return stats;
            }
            tokio::select! {
                biased;
                () = cancel.cancelled() => break,
                added = async { fed.as_mut()?.recv().await }, if fed.is_some() => {
                    match added {
                        Some((index, request)) => sched.add_first(index, request),
                        None => fed = None,
                    }
                }
                room = out.reserve(), if !outbox.is_empty() => {
                    let Ok(room) = room else {
                        return stats;
                    };
                    if let Some(finished) = outbox.pop_front() {
                        room.send(finished);
                    }
                }
                Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                    let (host, job, attempt) = match joined {
                        Ok(done) => done,
                        Err(e) => std::panic::resume_unwind(e.into_panic()),
                    };
                    if let Some(finished) = self.settle(&mut sched, &mut stats, host, job, attempt) {
                        outbox.push_back(finished);
                    }
                }
                () = tokio::time::sleep_until(next_timer.unwrap_or_else(Instant::now)), if next_timer.is_some() => {
                    sched.fire_timers(Instant::now());
                }
            }
        }
        drop(tasks);
        for finished in outbox {
            if out.send(finished).await.is_err() {
                break;
            }
        }
        stats
    }

    /// One attempt of one job, bounded by the timeout as a whole, less the time its body read
    /// waited for budget (a wait for memory is not the site's slowness).
    fn attempt(
        &self,
        host: usize,
        job: Job,
    ) -> impl Future<Output = (usize, Job, Attempt)> + Send + 'static {
        let clients = self.clients.clone();
        let budget = self.budget.clone();
        let timeout = self.config.timeout;
        let limits = Limits {
            max_body_bytes: self.config.max_body_bytes,
            max_redirects: self.config.max_redirects,
        };
        async move {
            let mut attempt = Attempt::default();
            let validators = Validators {
                etag: job.request.etag.as_deref(),
                last_modified: job.request.last_modified.as_deref(),
            };
            let waits = Waits::default();
            let started = Instant::now();
            let timed_out = {
                let fetch = http::fetch(
                    &clients,
                    &job.request.url,
                    validators,
                    limits,
                    &budget,
                    &waits,
                    &mut attempt,
                );
                tokio::pin!(fetch);
                loop {
                    let spent = waits.network_time(started, Instant::now());
                    let Some(left) = timeout.checked_sub(spent).filter(|l| !l.is_zero()) else {
                        break true;
                    };
                    tokio::select! {
                        () = &mut fetch => break false,
                        () = tokio::time::sleep(left) => {}
                    }
                }
            };
            if timed_out {
                let message = format!("timed out after {}", human_duration(timeout));
                if attempt.reading_body {
                    // The answer came; only its body was too slow. What was read of it is
                    // dropped with the read, and so is its share of the budget.
                    attempt.body_incomplete = Some(format!("body {message}"));
                    attempt.permit = BodyPermit::default();
                } else {
                    attempt.failure = Some(Failure {
                        kind: FailureKind::Timeout,
                        message,
                    });
                }
            }
            (host, job, attempt)
        }
    }

    /// Books a finished attempt: schedules a retry, or returns the link's final evidence.
    fn settle(
        &self,
        sched: &mut Scheduler,
        stats: &mut RunStats,
        host: usize,
        mut job: Job,
        attempt: Attempt,
    ) -> Option<Finished> {
        sched.release(host);
        stats.requests_sent += attempt.requests;
        if attempt.status == Some(429) {
            stats.responses_429 += 1;
        }
        job.attempts += 1;
        job.got_http_answer |= attempt.got_http_answer;
        let temporary = match &attempt.failure {
            Some(f) => matches!(
                f.kind,
                FailureKind::Timeout
                    | FailureKind::Connect
                    | FailureKind::Reset
                    | FailureKind::DnsUnavailable
            ),
            None => matches!(attempt.status, Some(429 | 500..=599)),
        };
        let retry_after = match attempt.status {
            Some(429 | 503) if attempt.failure.is_none() => attempt.retry_after(),
            _ => None,
        };
        let too_long = retry_after.filter(|wait| *wait > self.config.max_retry_after);
        if temporary && too_long.is_none() && job.attempts <= self.config.retries {
            stats.retries += 1;
            let now = Instant::now();
            match retry_after {
                Some(wait) => sched.pause_and_requeue(host, job, now + wait),
                None => {
                    let wait = self.backoff(job.attempts - 1);
                    if attempt.status == Some(429) {
                        sched.pause_and_requeue(host, job, now + wait);
                    } else {
                        sched.requeue_at(host, job, now + wait);
                    }
                }
            }
            return None;
        }
        let elapsed = job.started.map(|s| s.elapsed()).unwrap_or_default();
        let fetch = Fetch {
            content_type: attempt.header(header::CONTENT_TYPE),
            etag: attempt.header(header::ETAG),
            last_modified: attempt.header(header::LAST_MODIFIED),
            challenge: attempt.challenge(),
            retry_after_refused: too_long.map(|d| d.as_secs()),
            chain: attempt.chain,
            final_url: attempt.url,
            http_status: attempt.status,
            body: attempt.body,
            truncated: attempt.truncated,
            wire_bytes: attempt.wire_bytes,
            failure: attempt.failure,
            body_incomplete: attempt.body_incomplete,
            attempts: job.attempts,
            elapsed_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            got_http_answer: job.got_http_answer,
        };
        Some(Finished {
            index: job.index,
            fetch,
            permit: attempt.permit,
        })
    }

    /// Full jitter: a uniform wait between zero and `backoff_base · 2^retry`.
    fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self
            .config
            .backoff_base
            .saturating_mul(2u32.saturating_pow(retry.min(16)));
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(0..=millis))
    }
}

/// "20 s" for whole seconds, "1500 ms" otherwise.
fn human_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// One link on its way through the scheduler.
struct Job {
    index: usize,
    request: Request,
    attempts: u32,
    got_http_answer: bool,
    started: Option<Instant>,
}

#[derive(Default)]
struct Host {
    queue: VecDeque<Job>,
    in_flight: usize,
    paused_until: Option<Instant>,
    /// The key under which this host sits in `Scheduler::ready`, if it does.
    ready_key: Option<usize>,
}

enum Timer {
    /// A retry whose backoff is over goes back to the front of its host's queue.
    Requeue(usize, Job),
    /// A host's `Retry-After` pause is over.
    Resume(usize),
}

/// Per-host queues and the set of hosts that may be sent a request now.
struct Scheduler {
    hosts: Vec<Host>,
    /// Each host's position in `hosts`, by [`host_key`].
    by_key: HashMap<String, usize>,
    per_host: usize,
    /// Hosts with queued work, a free slot and no pause, longest queue first.
    ready: BTreeSet<(Reverse<usize>, usize)>,
    timers: BTreeMap<(Instant, u64), Timer>,
    timer_seq: u64,
}

impl Scheduler {
    fn new(requests: Vec<Request>, per_host: usize) -> Scheduler {
        let mut sched = Scheduler {
            hosts: Vec::new(),
            by_key: HashMap::new(),
            per_host,
            ready: BTreeSet::new(),
            timers: BTreeMap::new(),
            timer_seq: 0,
        };
        for (index, request) in requests.into_iter().enumerate() {
            let (host, job) = sched.job(index, request);
            sched.hosts[host].queue.push_back(job);
        }
        for host in 0..sched.hosts.len() {
            sched.refresh(host);
        }
        sched
    }

    /// Puts a link added while the run goes first in its host's queue.
    fn add_first(&mut self, index: usize, request: Request) {
        let (host, job) = self.job(index, request);
        self.hosts[host].queue.push_front(job);
        self.refresh(host);
    }

    /// A new job for `request` and its host (a new host gets a queue of its own).
    fn job(&mut self, index: usize, request: Request) -> (usize, Job) {
        let next = self.hosts.len();
        let host = *self.by_key.entry(host_key(&request.url)).or_insert(next);
        if host == next {
            self.hosts.push(Host::default());
        }
        let job = Job {
            index,
            request,
            attempts: 0,
            got_http_answer: false,
            started: None,
        };
        (host, job)
    }

    /// Takes the next job of the ready host with the longest queue, and books its slot.
    fn next_ready(&mut self) -> Option<(usize, Job)> {
        let &(_, host) = self.ready.first()?;
        let job = self.hosts[host].queue.pop_front()?;
        self.hosts[host].in_flight += 1;
        self.refresh(host);
        Some((host, job))
    }

    fn release(&mut self, host: usize) {
        self.hosts[host].in_flight -= 1;
        self.refresh(host);
    }

    fn requeue_at(&mut self, host: usize, job: Job, at: Instant) {
        self.add_timer(at, Timer::Requeue(host, job));
    }

    /// Holds the whole host back until `at`, with `job` first in line afterwards.
    fn pause_and_requeue(&mut self, host: usize, job: Job, at: Instant) {
        let h = &mut self.hosts[host];
        h.queue.push_front(job);
        h.paused_until = Some(h.paused_until.map_or(at, |p| p.max(at)));
        self.add_timer(at, Timer::Resume(host));
        self.refresh(host);
    }

    fn add_timer(&mut self, at: Instant, timer: Timer) {
        self.timer_seq += 1;
        self.timers.insert((at, self.timer_seq), timer);
    }

    fn next_timer(&self) -> Option<Instant> {
        self.timers.first_key_value().map(|(&(at, _), _)| at)
    }

    fn fire_timers(&mut self, now: Instant) {
        while let Some(entry) = self.timers.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let host = match entry.remove() {
                Timer::Requeue(host, job) => {
                    self.hosts[host].queue.push_front(job);
                    host
                }
                Timer::Resume(host) => {
                    let h = &mut self.hosts[host];
                    if h.paused_until.is_some_and(|p| p <= now) {
                        h.paused_until = None;
                    }
                    host
                }
            };
            self.refresh(host);
        }
    }

    /// Puts `host` into, or takes it out of, the ready set after its state changed.
    fn refresh(&mut self, host: usize) {
        let h = &mut self.hosts[host];
        let key = (!h.queue.is_empty() && h.in_flight < self.per_host && h.paused_until.is_none())
            .then_some(h.queue.len());
        if key == h.ready_key {
            return;
        }
        if let Some(old) = h.ready_key {
            self.ready.remove(&(Reverse(old), host));
        }
        if let Some(new) = key {
            self.ready.insert((Reverse(new), host));
        }
        h.ready_key = key;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheduler_favours_the_longest_queue() {
        let mut requests: Vec<Request> = (0..5)
            .map(|i| Request::new(format!("http://big.test/{i}")))
            .collect();
        requests.push(Request::new("http://small.test/"));
        let mut sched = Scheduler::new(requests, 2);
        let (first, _) = sched.next_ready().expect("work queued");
        let (second, _) = sched.next_ready().expect("work queued");
        assert_eq!((first, second), (0, 0));
        let (third, job) = sched.next_ready().expect("small host is ready");
        assert_eq!((third, job.index), (1, 5));
        assert!(sched.next_ready().is_none(), "big host is at its limit");
    }

    #[test]
    fn a_link_added_while_the_run_goes_waits_for_its_hosts_limit_and_goes_first() {
        let requests: Vec<Request> = (0..3)
            .map(|i| Request::new(format!("http://big.test/{i}")))
            .collect();
        let mut sched = Scheduler::new(requests, 2);
        let _ = sched.next_ready().expect("work queued");
        let _ = sched.next_ready().expect("work queued");
        sched.add_first(7, Request::new("http://big.test/probe"));
        assert!(sched.next_ready().is_none(), "the host is at its limit");
        sched.release(0);
        let (_, job) = sched.next_ready().expect("a slot is free");
        assert_eq!(job.index, 7, "the added link goes ahead of the queue");
        sched.add_first(8, Request::new("http://new.test/"));
        let (host, job) = sched.next_ready().expect("a new host is ready");
        assert_eq!((host, job.index), (1, 8));
    }
}
