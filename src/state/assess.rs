//! Deciding one checked resource's final status from the network's verdict, its content and
//! its history ([`decide`]: pure, CPU-heavy, runs on a blocking pool), and updating its
//! baseline entry ([`Baseline::apply`]: cheap, in the one consumer that owns the baseline).
//!
//! Precedence: network broken/blocked/failing (a failure confirmed over audits turns broken) >
//! soft404 > moved > changed > ok. A failure, block or soft-404 never replaces the accepted
//! content.

use super::{
    ACCEPTED_HISTORY, Baseline, DEFAULT_CONFIRM_SPAN, Facts, Pending, ResourceState, Snapshots,
    StateError,
};
use crate::catalog::{Entry, Watch};
use crate::check::Fetch;
use crate::content::soft404::{self, Sample};
use crate::content::{self, Change, Page, PdfRead, snapshot_text};
use crate::status::Status;
use crate::time;

/// Everything the orchestrator needs from one checked resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub status: Status,
    pub detail: String,
    /// Word-level similarity to the accepted text, when it was compared.
    pub similarity: Option<f64>,
    /// When the accepted content was recorded.
    pub baseline_at: Option<jiff::Timestamp>,
    /// First audit of the current run of failures.
    pub failing_since: Option<jiff::Timestamp>,
    /// Audits in a row that failed, this one included (0 when this one did not fail).
    pub failing_audits: u32,
    /// How the content differs from the accepted one (also when the status is `moved`).
    pub change: Option<Change>,
}

impl Assessment {
    fn new(status: Status, detail: String, st: &ResourceState) -> Assessment {
        Assessment {
            status,
            detail,
            similarity: None,
            baseline_at: st.baseline_at,
            failing_since: st.failing_since,
            failing_audits: st.consecutive_failures,
            change: None,
        }
    }
}

/// When a temporary failure is confirmed `broken`: once it failed in `after` audits in a row
/// that span at least `span` (from the first failing audit to this one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Confirm {
    pub after: u32,
    pub span: jiff::SignedDuration,
}

impl Default for Confirm {
    fn default() -> Confirm {
        Confirm::from(crate::DEFAULT_CONFIRM_AFTER)
    }
}

/// `after` failing audits over at least [`DEFAULT_CONFIRM_SPAN`].
impl From<u32> for Confirm {
    fn from(after: u32) -> Confirm {
        Confirm {
            after,
            span: DEFAULT_CONFIRM_SPAN,
        }
    }
}

/// Parses a confirmation span in jiff's friendly format (`0s`, `12h`, `3d`, `1d 12h`, `2w`),
/// a day being 24 hours; months, years and negative spans are refused.
pub fn parse_span(s: &str) -> Result<jiff::SignedDuration, String> {
    let invalid = |why: &dyn std::fmt::Display| {
        format!("invalid duration {s:?} (expected e.g. 0s, 12h, 3d): {why}")
    };
    let span: jiff::Span = s.trim().parse().map_err(|e| invalid(&e))?;
    let duration = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .map_err(|e| invalid(&e))?;
    if duration.is_negative() {
        return Err(invalid(&"it is negative"));
    }
    Ok(duration)
}

/// Everything decided about one checked resource, not yet applied to the baseline: the
/// verdict, the resource's new baseline entry, and the snapshot change that goes with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub assessment: Assessment,
    /// The page's sample when its signals are unclear (see [`soft404::unclear`]): the audit
    /// compares it with what the host answers for an address that cannot exist, and may then
    /// replace this decision with [`probed_soft404`]'s.
    pub probe: Option<Sample>,
    id: String,
    state: ResourceState,
    snapshot: SnapshotChange,
}

/// The snapshot file a decision writes or removes.
#[derive(Debug, Clone, PartialEq)]
enum SnapshotChange {
    None,
    Accepted(String),
    Pending(String),
    RemovePending,
}

/// A decision whose snapshot change is staged: only its baseline entry is left to apply.
#[derive(Debug)]
pub struct Staged {
    id: String,
    state: ResourceState,
}

impl Decision {
    /// Writes the snapshot change into `snapshots`' staging area (file I/O: run it where
    /// blocking is fine); what is left is cheap to [`Baseline::apply`].
    pub fn stage(self, snapshots: &Snapshots) -> Result<(Assessment, Staged), StateError> {
        match self.snapshot {
            SnapshotChange::None => {}
            SnapshotChange::Accepted(text) => {
                snapshots.write(&Snapshots::accepted_path(&self.id), &text)?;
            }
            SnapshotChange::Pending(text) => {
                snapshots.write(&Snapshots::pending_path(&self.id), &text)?;
            }
            SnapshotChange::RemovePending => {
                snapshots.remove(&Snapshots::pending_path(&self.id))?;
            }
        }
        let staged = Staged {
            id: self.id,
            state: self.state,
        };
        Ok((self.assessment, staged))
    }
}

impl Baseline {
    /// Makes a staged decision's entry the resource's baseline entry, its check added to the
    /// resource's timeline.
    pub fn apply(&mut self, staged: Staged) {
        let (id, state) = staged.applied();
        self.resources.insert(id, state);
    }
}

impl Staged {
    /// The resource's id and its entry as applied: its check added to its timeline.
    pub(super) fn applied(self) -> (String, ResourceState) {
        let mut state = self.state;
        state.remember_check();
        (self.id, state)
    }
}

/// Decides one checked resource's final status from the network evidence (`network`: the
/// engine's status and detail) and what the baseline knows of it: its entry (`prior`, `None`
/// for a new resource) and its accepted snapshot's text, read only if the content must be
/// compared. Pure apart from that read: extraction, fingerprinting, soft-404 signals and the
/// comparison all happen here, so it may run anywhere. A `failing` link turns `broken` as
/// `confirm` says.
pub fn decide(
    prior: Option<&ResourceState>,
    accepted_text: impl FnOnce() -> Option<String>,
    entry: &Entry,
    fetch: &Fetch,
    network: (Status, String),
    confirm: impl Into<Confirm>,
    now: jiff::Timestamp,
) -> Decision {
    let resource = &entry.resource;
    let mut st = checked_now(prior, entry, now);
    let (status, detail) = network;
    let mut probe = None;
    let (assessment, snapshot) = match status {
        Status::Failing | Status::Broken => (
            failure(&mut st, status, detail, confirm.into(), now),
            SnapshotChange::None,
        ),
        Status::Ok | Status::Moved => {
            st.consecutive_failures = 0;
            st.failing_since = None;
            let watch = resource.watch.clone().unwrap_or_default();
            let answer = Answer {
                url: &resource.url,
                watch: &watch,
                fetch,
                status,
                detail,
                now,
            };
            healthy(&mut st, accepted_text, &answer, &mut probe)
        }
        other => (Assessment::new(other, detail, &st), SnapshotChange::None),
    };
    st.last_status = Some(assessment.status);
    let probe = probe.filter(|_| {
        matches!(
            assessment.status,
            Status::Ok | Status::Moved | Status::Changed
        )
    });
    Decision {
        assessment,
        probe,
        id: resource.id.clone(),
        state: st,
        snapshot,
    }
}

/// The decision [`decide`] makes for a healthy answer whose page is a soft-404, for a resource
/// whose page turned out to be what its host answers for an address that cannot exist (the
/// sibling probe): `soft404` with `detail`, nothing recorded, a hijack that was waiting dropped.
pub fn probed_soft404(
    prior: Option<&ResourceState>,
    entry: &Entry,
    detail: String,
    now: jiff::Timestamp,
) -> Decision {
    let mut st = checked_now(prior, entry, now);
    st.consecutive_failures = 0;
    st.failing_since = None;
    let snapshot = match take_hijack(&mut st) {
        Some(_) => SnapshotChange::RemovePending,
        None => SnapshotChange::None,
    };
    let assessment = Assessment::new(Status::Soft404, detail, &st);
    st.last_status = Some(assessment.status);
    Decision {
        assessment,
        probe: None,
        id: entry.resource.id.clone(),
        state: st,
        snapshot,
    }
}

/// `entry`'s baseline entry as a check at `now` starts from: its prior one, or a new one.
fn checked_now(
    prior: Option<&ResourceState>,
    entry: &Entry,
    now: jiff::Timestamp,
) -> ResourceState {
    let resource = &entry.resource;
    let mut st = prior
        .cloned()
        .unwrap_or_else(|| ResourceState::new(&resource.url, &entry.folder));
    st.url.clone_from(&resource.url);
    st.folder.clone_from(&entry.folder);
    st.last_checked_at = Some(now);
    st
}

/// Takes a hijack seen before out of `st`'s pending change, returning when it was first seen;
/// any other pending change stays.
fn take_hijack(st: &mut ResourceState) -> Option<jiff::Timestamp> {
    match st.pending.take() {
        Some(p) if p.hijacked => Some(p.first_seen_at),
        other => {
            st.pending = other;
            None
        }
    }
}

/// [`decide`], [`Decision::stage`] and [`Baseline::apply`] in one call: assesses one checked
/// resource against `baseline` and stages its snapshot change in `snapshots`.
pub fn assess(
    baseline: &mut Baseline,
    snapshots: &Snapshots,
    entry: &Entry,
    fetch: &Fetch,
    network: (Status, String),
    confirm: impl Into<Confirm>,
    now: jiff::Timestamp,
) -> Result<Assessment, StateError> {
    let id = &entry.resource.id;
    let decision = decide(
        baseline.resources.get(id),
        || snapshots.accepted(id).ok().flatten(),
        entry,
        fetch,
        network,
        confirm,
        now,
    );
    let (assessment, staged) = decision.stage(snapshots)?;
    baseline.apply(staged);
    Ok(assessment)
}

fn failure(
    st: &mut ResourceState,
    status: Status,
    detail: String,
    confirm: Confirm,
    now: jiff::Timestamp,
) -> Assessment {
    let since = match st.failing_since {
        Some(since) if st.consecutive_failures > 0 => since,
        _ => now,
    };
    st.failing_since = Some(since);
    st.consecutive_failures += 1;
    let spanned = now.duration_since(since) >= confirm.span;
    let confirmed =
        status == Status::Broken || (st.consecutive_failures >= confirm.after && spanned);
    if !confirmed {
        let n = st.consecutive_failures;
        let audits = if n == 1 { "audit" } else { "audits" };
        let detail = format!(
            "{detail}; failing in {n} {audits} since {}",
            time::date(since)
        );
        return Assessment::new(Status::Failing, detail, st);
    }
    let detail = if status == Status::Failing || st.consecutive_failures > 1 {
        format!("broken since {}: {detail}", time::date(since))
    } else {
        detail
    };
    Assessment::new(Status::Broken, detail, st)
}

/// A healthy network answer and what it is judged against.
struct Answer<'a> {
    url: &'a str,
    watch: &'a Watch,
    fetch: &'a Fetch,
    status: Status,
    detail: String,
    now: jiff::Timestamp,
}

fn healthy(
    st: &mut ResourceState,
    accepted_text: impl FnOnce() -> Option<String>,
    a: &Answer<'_>,
    probe: &mut Option<Sample>,
) -> (Assessment, SnapshotChange) {
    if a.fetch.body_incomplete.is_some() {
        // The detail already says "content not compared": nothing to judge the content by.
        return (
            Assessment::new(a.status, a.detail.clone(), st),
            SnapshotChange::None,
        );
    }
    // A hijack seen before is judged afresh: it stays pending only if this answer is one too.
    let hijacked_since = take_hijack(st);
    let (assessment, change) = answer(st, accepted_text, a, hijacked_since, probe);
    match change {
        SnapshotChange::None if hijacked_since.is_some() => {
            (assessment, SnapshotChange::RemovePending)
        }
        change => (assessment, change),
    }
}

fn answer(
    st: &mut ResourceState,
    accepted_text: impl FnOnce() -> Option<String>,
    a: &Answer<'_>,
    hijacked_since: Option<jiff::Timestamp>,
    probe: &mut Option<Sample>,
) -> (Assessment, SnapshotChange) {
    let fetch = a.fetch;
    let keep = |assessment| (assessment, SnapshotChange::None);
    if fetch.http_status == Some(304) {
        if st.fingerprint.is_none() {
            // Nothing to confirm: an empty 304 body must not become the baseline.
            return keep(Assessment::new(a.status, a.detail.clone(), st));
        }
        st.last_good_at = Some(a.now);
        if fetch.etag.is_some() {
            st.etag.clone_from(&fetch.etag);
        }
        if fetch.last_modified.is_some() {
            st.last_modified.clone_from(&fetch.last_modified);
        }
        let mut unchanged = unchanged(st, a);
        if unchanged.status != Status::Changed {
            unchanged.similarity = Some(1.0);
        }
        return keep(unchanged);
    }
    let digest = read_digest(st, a);
    if digest.is_some() && st.read_digest == digest {
        // The very body last read as the accepted content, read the same way: unchanged.
        st.last_good_at = Some(a.now);
        st.final_url = Some(fetch.final_url.clone());
        st.content_type.clone_from(&fetch.content_type);
        st.etag.clone_from(&fetch.etag);
        st.last_modified.clone_from(&fetch.last_modified);
        let mut same = unchanged(st, a);
        if same.status != Status::Changed {
            same.similarity = Some(1.0);
        }
        return keep(same);
    }
    let page = content::extract(&fetch.body, fetch.content_type.as_deref(), a.watch);
    if let Some(why) = page.unread {
        // Checked for its status only: nothing to compare, nothing to record.
        st.last_good_at = Some(a.now);
        return keep(Assessment::new(
            a.status,
            format!("{}; {why}", a.detail),
            st,
        ));
    }
    // A PDF known only by its bytes says why, on every audit.
    let with_pdf_reason;
    let a = match page.pdf {
        Some(PdfRead::Bytes(why)) => {
            with_pdf_reason = Answer {
                detail: format!("{}; PDF compared by its bytes: {why}", a.detail),
                ..*a
            };
            &with_pdf_reason
        }
        _ => a,
    };
    // Content the maintainer accepted (by fingerprint) is never judged a hijack again.
    let current = st.fingerprint.as_ref() == Some(&page.fingerprint);
    let known = current || st.accepted_fingerprints.contains(&page.fingerprint);
    // The same text may link elsewhere: contact facts are compared even then.
    let facts_changed = current && st.facts.as_ref().is_some_and(|f| !f.are(&page.facts));
    let old_text = if st.fingerprint.is_some() && (!known || facts_changed) {
        accepted_text()
    } else {
        None
    };
    if !known && let Some(hijack) = hijacked(st, old_text.as_deref(), &page, a, hijacked_since) {
        return hijack;
    }
    let previous = st.length.map(|length| soft404::Previous {
        title: st.title.as_deref(),
        length,
    });
    let signals = soft404::signals(a.url, &fetch.final_url, &page, previous);
    if !signals.is_empty() {
        return keep(Assessment::new(
            Status::Soft404,
            format!("soft 404: {}", signals.join("; ")),
            st,
        ));
    }
    if let Some(anchor) = page.missing_anchor(a.url) {
        return keep(Assessment::new(
            Status::Broken,
            format!("anchor #{anchor} is gone"),
            st,
        ));
    }
    // Content not tracked is never known: it is unclear only where it lands somewhere new.
    let landed_before = st.final_url.as_deref() == Some(fetch.final_url.as_str());
    if !known && (a.watch.tracks_content() || !landed_before) {
        ask_probe(probe, a, &page, false);
    }
    st.last_good_at = Some(a.now);
    st.final_url = Some(fetch.final_url.clone());
    st.content_type.clone_from(&fetch.content_type);
    if !a.watch.tracks_content() {
        st.title.clone_from(&page.title);
        st.length = Some(page.length);
        st.is_document = page.is_document;
        let change = match st.pending.take() {
            Some(_) => SnapshotChange::RemovePending,
            None => SnapshotChange::None,
        };
        return (Assessment::new(a.status, a.detail.clone(), st), change);
    }
    if page.selector_matched == Some(false) {
        let selector = a.watch.selector.as_deref().unwrap_or_default();
        let detail = format!(
            "{}; selector `{selector}` matches nothing, content not compared",
            a.detail
        );
        return keep(Assessment::new(a.status, detail, st));
    }
    st.etag.clone_from(&fetch.etag);
    st.last_modified.clone_from(&fetch.last_modified);
    if st.fingerprint.is_none() {
        let change = record(st, &page, a.now);
        st.read_digest = read_digest(st, a);
        return (Assessment::new(a.status, a.detail.clone(), st), change);
    }
    if current && !facts_changed {
        // The digest taken before reading covers this state, unless the facts are new to it.
        st.read_digest = if st.facts.is_none() {
            st.facts = Some(Facts::new(&page.facts));
            read_digest(st, a)
        } else {
            digest
        };
        let mut same = unchanged(st, a);
        if same.status != Status::Changed {
            same.similarity = Some(1.0);
        }
        return keep(same);
    }
    if !current && st.accepted_fingerprints.contains(&page.fingerprint) {
        return keep(unchanged(st, a));
    }
    if st.is_document && page.pdf == Some(PdfRead::Text) {
        return pdf_read_as_text(st, &page, a);
    }
    let Some(old) = old_text else {
        let change = record(st, &page, a.now);
        let detail = format!("{}; accepted snapshot was missing, recorded anew", a.detail);
        return (Assessment::new(a.status, detail, st), change);
    };
    let accepted = content::Accepted {
        title: st.title.as_deref(),
        text: snapshot_text(&old),
        length: st.length.unwrap_or(0),
        is_document: st.is_document,
    };
    let mut change = content::compare(accepted, &page, a.watch);
    if let Some(facts) = &st.facts {
        // What a hotline's reader acts on comes first, whatever the similarity.
        let moved = content::fact_changes(&facts.to_vec(), &page.facts);
        change.reasons.splice(0..0, moved);
    }
    if change.reasons.is_empty() {
        if st.facts.is_none() {
            st.facts = Some(Facts::new(&page.facts));
        }
        let mut minor = unchanged(st, a);
        if minor.status != Status::Changed {
            minor.similarity = change.similarity;
        }
        return keep(minor);
    }
    if probe.is_none() {
        ask_probe(probe, a, &page, true);
    }
    let first_seen_at = st.pending.as_ref().map_or(a.now, |p| p.first_seen_at);
    st.pending = Some(Pending {
        fingerprint: page.fingerprint.clone(),
        title: page.title.clone(),
        length: page.length,
        is_document: page.is_document,
        first_seen_at,
        last_seen_at: a.now,
        change,
        hijacked: false,
        facts: Some(Facts::new(&page.facts)),
    });
    (unchanged(st, a), SnapshotChange::Pending(page.snapshot()))
}

/// Sets `probe` to the page's sample when its signals are unclear (see [`soft404::unclear`];
/// `changed`: its content would be reported changed). The sample is of the whole page, as the
/// probe's is, also when the resource's watch narrows what is compared.
fn ask_probe(probe: &mut Option<Sample>, a: &Answer<'_>, page: &Page, changed: bool) {
    let fetch = a.fetch;
    if !soft404::unclear(a.url, &fetch.final_url, page, changed) {
        return;
    }
    let narrowed = a.watch.selector.is_some() || !a.watch.ignore.is_empty();
    let whole;
    let page = if narrowed {
        whole = content::extract(
            &fetch.body,
            fetch.content_type.as_deref(),
            &Watch::default(),
        );
        &whole
    } else {
        page
    };
    *probe = Some(Sample::new(a.url, &fetch.final_url, page));
}

/// A PDF accepted by its bytes (before PDFs were read as text, or while it had no text) that
/// now reads as text. The same bytes are the accepted document: its text becomes the accepted
/// content. Other bytes are a change, pending like any other, without a text diff (the accepted
/// content has no text).
fn pdf_read_as_text(
    st: &mut ResourceState,
    page: &Page,
    a: &Answer<'_>,
) -> (Assessment, SnapshotChange) {
    let bytes = blake3::hash(&a.fetch.body).to_hex().to_string();
    if st.fingerprint.as_ref() == Some(&bytes) {
        let change = record(st, page, a.now);
        let detail = format!(
            "{}; PDF now compared by its text; snapshot recorded anew",
            a.detail
        );
        let assessment = match st.pending {
            Some(_) => unchanged(st, a),
            None => Assessment::new(a.status, detail, st),
        };
        return (assessment, change);
    }
    let change = Change {
        reasons: vec!["PDF changed (was compared by bytes)".to_string()],
        old_title: st.title.clone(),
        new_title: page.title.clone(),
        ..Change::default()
    };
    st.pending = Some(Pending {
        fingerprint: page.fingerprint.clone(),
        title: page.title.clone(),
        length: page.length,
        is_document: false,
        first_seen_at: st.pending.as_ref().map_or(a.now, |p| p.first_seen_at),
        last_seen_at: a.now,
        change,
        hijacked: false,
        facts: Some(Facts::new(&page.facts)),
    });
    (unchanged(st, a), SnapshotChange::Pending(page.snapshot()))
}

/// `Some` verdict `hijacked` when the page shows a hijack (see [`content::hijack`]): the page
/// waits as a pending snapshot flagged hijacked, which `accept` takes only with `--force`; the
/// accepted content and `last_good_at` stay as they were.
fn hijacked(
    st: &mut ResourceState,
    old_text: Option<&str>,
    page: &Page,
    a: &Answer<'_>,
    since: Option<jiff::Timestamp>,
) -> Option<(Assessment, SnapshotChange)> {
    let accepted = old_text.map(|old| content::Accepted {
        title: st.title.as_deref(),
        text: snapshot_text(old),
        length: st.length.unwrap_or(0),
        is_document: st.is_document,
    });
    let evidence = content::hijack::signals(a.url, &a.fetch.final_url, page, accepted);
    if !evidence.hijacked() {
        return None;
    }
    let mut change = match accepted {
        Some(accepted) => content::compare(accepted, page, a.watch),
        None => Change::default(),
    };
    change.reasons = evidence.signals.iter().map(|s| s.what.clone()).collect();
    st.pending = Some(Pending {
        fingerprint: page.fingerprint.clone(),
        title: page.title.clone(),
        length: page.length,
        is_document: page.is_document,
        first_seen_at: since.unwrap_or(a.now),
        last_seen_at: a.now,
        change: change.clone(),
        hijacked: true,
        facts: Some(Facts::new(&page.facts)),
    });
    let assessment = Assessment {
        similarity: change.similarity,
        change: Some(change),
        ..Assessment::new(Status::Hijacked, evidence.detail(), st)
    };
    Some((assessment, SnapshotChange::Pending(page.snapshot())))
}

/// The verdict when nothing new was seen: `changed` while a change waits to be accepted
/// (`moved` still wins, with the change attached), else the network's status.
fn unchanged(st: &ResourceState, a: &Answer<'_>) -> Assessment {
    let Some(pending) = &st.pending else {
        return Assessment::new(a.status, a.detail.clone(), st);
    };
    let change = pending.change.clone();
    let summary = format!(
        "content changed (first seen {}): {}",
        time::date(pending.first_seen_at),
        change.reasons.join("; ")
    );
    let (status, detail) = if a.status == Status::Moved {
        (Status::Moved, format!("{}; {summary}", a.detail))
    } else {
        (Status::Changed, summary)
    };
    Assessment {
        similarity: change.similarity,
        change: Some(change),
        ..Assessment::new(status, detail, st)
    }
}

/// Raised whenever extraction, normalisation or the judging of an unchanged page changes, so
/// that a body read by another version is read again (see [`read_digest`]).
const READING_VERSION: u32 = 1;

/// The digest of a body (its bytes up to the cap) together with everything its judgement as the
/// accepted content depends on: the URL (its `#fragment`), the final URL (soft-404 signals),
/// the content type, the watch settings, the accepted fingerprint, title, length and facts, and
/// [`READING_VERSION`]. Recorded when a body reads as the accepted content and passes every
/// check, so a later body with the same digest would read and judge the same: it is unchanged
/// without being parsed. `None` when content is not tracked, and for documents.
fn read_digest(st: &ResourceState, a: &Answer<'_>) -> Option<String> {
    // A document is only hashed anyway, and a PDF read by its bytes says why on every audit.
    if !a.watch.tracks_content() || st.is_document {
        return None;
    }
    let fingerprint = st.fingerprint.as_deref()?;
    let mut hasher = blake3::Hasher::new();
    let mut field = |bytes: &[u8]| {
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    field(&READING_VERSION.to_le_bytes());
    field(a.url.as_bytes());
    field(a.fetch.final_url.as_bytes());
    field(a.fetch.content_type.as_deref().unwrap_or("\0").as_bytes());
    field(
        serde_json::to_string(a.watch)
            .unwrap_or_default()
            .as_bytes(),
    );
    field(fingerprint.as_bytes());
    field(st.title.as_deref().unwrap_or("\0").as_bytes());
    field(&st.length.unwrap_or(u64::MAX).to_le_bytes());
    field(&[u8::from(st.is_document)]);
    for fact in st.facts.iter().flat_map(Facts::iter) {
        field(fact.as_bytes());
    }
    field(b"body");
    field(&a.fetch.body);
    Some(hasher.finalize().to_hex().to_string())
}

/// Records `page` as the accepted content.
fn record(st: &mut ResourceState, page: &Page, now: jiff::Timestamp) -> SnapshotChange {
    remember(st, &page.fingerprint);
    st.title.clone_from(&page.title);
    st.length = Some(page.length);
    st.is_document = page.is_document;
    st.facts = Some(Facts::new(&page.facts));
    st.baseline_at = Some(now);
    SnapshotChange::Accepted(page.snapshot())
}

/// Makes `fingerprint` the accepted one, keeping the last [`ACCEPTED_HISTORY`].
pub(super) fn remember(st: &mut ResourceState, fingerprint: &str) {
    st.accepted_fingerprints.retain(|f| f != fingerprint);
    st.accepted_fingerprints.push(fingerprint.to_string());
    let excess = st
        .accepted_fingerprints
        .len()
        .saturating_sub(ACCEPTED_HISTORY);
    st.accepted_fingerprints.drain(..excess);
    st.fingerprint = Some(fingerprint.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Kind, Resource};

    const URL: &str = "https://a.test/guides/safety.html";

    fn entry() -> Entry {
        Entry {
            folder: "web".into(),
            resource: Resource::new("safety", "Online safety", URL, Kind::Guide, "Example"),
        }
    }

    fn page(body: &str) -> Fetch {
        Fetch {
            final_url: URL.into(),
            http_status: Some(200),
            content_type: Some("text/html".into()),
            body: body.as_bytes().to_vec(),
            attempts: 1,
            got_http_answer: true,
            ..Fetch::default()
        }
    }

    const GUIDE: &str = "<title>Online safety</title><main><p>Start the conversation early and \
        keep it going as your child grows.</p><p>Agree on rules for devices together.</p></main>";
    const WELCOME: &str = "<title>Welcome to Example</title><main><p>Example supports parents \
        and carers across the region.</p><p>Browse our services or contact our team.</p></main>";

    fn ok() -> (Status, String) {
        (Status::Ok, "200 OK".into())
    }

    #[test]
    fn only_an_unclear_page_asks_for_its_hosts_probe() {
        let at = |h| {
            "2026-11-02T00:00:00Z".parse::<jiff::Timestamp>().unwrap()
                + jiff::SignedDuration::from_hours(h)
        };
        let first = decide(None, || None, &entry(), &page(GUIDE), ok(), 2, at(0));
        assert_eq!(first.assessment.status, Status::Ok);
        assert_eq!(first.probe, None, "a first look at a plain page is clear");
        let SnapshotChange::Accepted(text) = first.snapshot.clone() else {
            panic!("recorded: {first:?}");
        };
        let prior = first.state;
        let same = decide(
            Some(&prior),
            || None,
            &entry(),
            &page(GUIDE),
            ok(),
            2,
            at(1),
        );
        assert_eq!((same.assessment.status, same.probe), (Status::Ok, None));
        let changed = decide(
            Some(&prior),
            || Some(text),
            &entry(),
            &page(WELCOME),
            ok(),
            2,
            at(1),
        );
        assert_eq!(changed.assessment.status, Status::Changed);
        assert!(
            changed.probe.is_some(),
            "did the page turn into the host's catch-all?"
        );
        let gone = page("<title>Page not found</title><main><p>Sorry.</p></main>");
        let soft = decide(Some(&prior), || None, &entry(), &gone, ok(), 2, at(1));
        assert_eq!(
            (soft.assessment.status, soft.probe),
            (Status::Soft404, None)
        );
    }

    #[test]
    fn a_body_read_before_as_the_accepted_content_is_not_read_again() {
        let at = |h| {
            "2026-11-02T00:00:00Z".parse::<jiff::Timestamp>().unwrap()
                + jiff::SignedDuration::from_hours(h)
        };
        let first = decide(None, || None, &entry(), &page(GUIDE), ok(), 2, at(0));
        let SnapshotChange::Accepted(text) = first.snapshot.clone() else {
            panic!("recorded: {first:?}");
        };
        let accepted = || Some(text.clone());
        let prior = first.state;
        assert!(prior.read_digest.is_some(), "recorded with its digest");
        let same = decide(
            Some(&prior),
            || panic!("an unchanged body needs no snapshot"),
            &entry(),
            &page(GUIDE),
            ok(),
            2,
            at(1),
        );
        assert_eq!(same.assessment.status, Status::Ok);
        assert_eq!(same.assessment.similarity, Some(1.0));
        assert_eq!(same.state.read_digest, prior.read_digest);

        // A digest made for WELCOME's body under GUIDE's accepted content: only a shortcut that
        // skips reading the body can call WELCOME unchanged.
        let mut primed = prior.clone();
        let digest_for = |st: &ResourceState, watch: &Watch, fetch: &Fetch| {
            let a = Answer {
                url: URL,
                watch,
                fetch,
                status: Status::Ok,
                detail: String::new(),
                now: at(1),
            };
            read_digest(st, &a)
        };
        primed.read_digest = digest_for(&primed, &Watch::default(), &page(WELCOME));
        let skipped = decide(
            Some(&primed),
            || None,
            &entry(),
            &page(WELCOME),
            ok(),
            2,
            at(1),
        );
        assert_eq!(skipped.assessment.status, Status::Ok, "{skipped:?}");
        assert_eq!(skipped.snapshot, SnapshotChange::None);

        // The digest covers what the reading depends on: another watch, another final URL or
        // another accepted title reads the body again.
        let mut watched = entry();
        watched.resource.watch = Some(Watch {
            ignore: vec!["conversation".into()],
            ..Watch::default()
        });
        let reread = decide(
            Some(&primed),
            accepted,
            &watched,
            &page(WELCOME),
            ok(),
            2,
            at(1),
        );
        assert_ne!(reread.assessment.status, Status::Ok, "{reread:?}");
        let landed = Fetch {
            final_url: "https://a.test/guides/safety.html?from=old".into(),
            ..page(WELCOME)
        };
        let reread = decide(Some(&primed), accepted, &entry(), &landed, ok(), 2, at(1));
        assert_ne!(reread.assessment.status, Status::Ok, "{reread:?}");
        let mut retitled = primed.clone();
        retitled.title = Some("Online safety (new)".into());
        let reread = decide(
            Some(&retitled),
            accepted,
            &entry(),
            &page(WELCOME),
            ok(),
            2,
            at(1),
        );
        assert_ne!(reread.assessment.status, Status::Ok, "{reread:?}");
        assert!(digest_for(&prior, &Watch::default(), &page(GUIDE)).is_some());
        let untracked = Watch {
            content: Some(false),
            ..Watch::default()
        };
        assert_eq!(digest_for(&prior, &untracked, &page(GUIDE)), None);
    }

    #[test]
    fn content_not_tracked_asks_only_when_it_lands_somewhere_new() {
        let at = |h| {
            "2026-11-02T00:00:00Z".parse::<jiff::Timestamp>().unwrap()
                + jiff::SignedDuration::from_hours(h)
        };
        let mut untracked = entry();
        untracked.resource.watch = Some(Watch {
            content: Some(false),
            ..Watch::default()
        });
        let landed = |url: &str| Fetch {
            final_url: url.into(),
            ..page(GUIDE)
        };
        let moved = landed("https://a.test/guides/new.html");
        let first = decide(None, || None, &untracked, &moved, ok(), 2, at(0));
        assert!(first.probe.is_some(), "sent on to another page of the site");
        let again = decide(
            Some(&first.state),
            || None,
            &untracked,
            &moved,
            ok(),
            2,
            at(1),
        );
        assert_eq!(again.probe, None, "where it landed last time");
        let elsewhere = landed("https://a.test/start.html");
        let third = decide(
            Some(&again.state),
            || None,
            &untracked,
            &elsewhere,
            ok(),
            2,
            at(2),
        );
        assert!(third.probe.is_some(), "somewhere new");
    }

    #[test]
    fn the_probes_soft404_is_the_one_decide_makes_for_a_soft404() {
        let at = |h| {
            "2026-11-02T00:00:00Z".parse::<jiff::Timestamp>().unwrap()
                + jiff::SignedDuration::from_hours(h)
        };
        let mut prior = decide(None, || None, &entry(), &page(GUIDE), ok(), 2, at(0)).state;
        prior.consecutive_failures = 1;
        prior.failing_since = Some(at(0));
        let waiting = |hijacked| Pending {
            fingerprint: "f".into(),
            title: None,
            length: 3,
            is_document: false,
            first_seen_at: at(0),
            last_seen_at: at(0),
            change: Change::default(),
            hijacked,
            facts: None,
        };
        let gone = page("<title>Page not found</title><main><p>Sorry.</p></main>");
        for pending in [None, Some(waiting(false)), Some(waiting(true))] {
            prior.pending = pending;
            let decided = decide(Some(&prior), || None, &entry(), &gone, ok(), 2, at(30));
            assert_eq!(decided.assessment.status, Status::Soft404);
            let probed = probed_soft404(
                Some(&prior),
                &entry(),
                decided.assessment.detail.clone(),
                at(30),
            );
            assert_eq!(probed, decided);
        }
        let new = decide(None, || None, &entry(), &gone, ok(), 2, at(30));
        assert_eq!(
            probed_soft404(None, &entry(), new.assessment.detail.clone(), at(30)),
            new
        );
    }

    #[test]
    fn confirm_spans_are_friendly_durations_with_24_hour_days() {
        let hours = |h| jiff::SignedDuration::from_hours(h);
        assert_eq!(parse_span("0s"), Ok(jiff::SignedDuration::ZERO));
        assert_eq!(parse_span("12h"), Ok(hours(12)));
        assert_eq!(parse_span("3d"), Ok(hours(72)));
        assert_eq!(parse_span(" 1d 12h "), Ok(hours(36)));
        assert_eq!(parse_span("2w"), Ok(hours(336)));
        for bad in ["", "soon", "-1d", "1mo", "3"] {
            assert!(parse_span(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn failures_are_confirmed_only_once_they_span_the_confirm_span() {
        let mut st = ResourceState::new("https://a.test/", "f");
        let at = |h: i64| {
            "2026-11-02T00:00:00Z".parse::<jiff::Timestamp>().unwrap()
                + jiff::SignedDuration::from_hours(h)
        };
        let confirm = Confirm::from(2);
        let mut fail = |h| failure(&mut st, Status::Failing, "503".into(), confirm, at(h));
        assert_eq!(fail(0).status, Status::Failing);
        assert_eq!(fail(1).status, Status::Failing, "two audits an hour apart");
        let a = fail(23);
        assert_eq!((a.status, a.failing_audits), (Status::Failing, 3));
        let a = fail(24);
        assert_eq!((a.status, a.failing_audits), (Status::Broken, 4));
        assert_eq!(a.detail, "broken since 2026-11-02: 503");
    }
}
