//! Deciding one checked resource's final status from the network's verdict, its content and
//! its history, and updating its baseline entry.
//!
//! Precedence: network broken/blocked/failing (a failure confirmed over audits turns broken) >
//! soft404 > moved > changed > ok. A failure, block or soft-404 never replaces the accepted
//! content.

use super::{ACCEPTED_HISTORY, Baseline, Pending, ResourceState, Snapshots};
use crate::catalog::{Entry, Watch};
use crate::check::Fetch;
use crate::content::{self, Change, Page, snapshot_text, soft404};
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
            change: None,
        }
    }
}

/// Decides one checked resource's final status from the network evidence (`network`: the
/// engine's status and detail) and its previous state, and updates the baseline entry and the
/// accepted/pending snapshots in place. A `failing` link turns `broken` after `confirm_after`
/// failing audits in a row.
pub fn assess(
    baseline: &mut Baseline,
    snapshots: &mut Snapshots,
    entry: &Entry,
    fetch: &Fetch,
    network: (Status, String),
    confirm_after: u32,
    now: jiff::Timestamp,
) -> Assessment {
    let resource = &entry.resource;
    let st = baseline
        .resources
        .entry(resource.id.clone())
        .or_insert_with(|| ResourceState::new(&resource.url, &entry.folder));
    st.url.clone_from(&resource.url);
    st.folder.clone_from(&entry.folder);
    st.last_checked_at = Some(now);
    let (status, detail) = network;
    let assessment = match status {
        Status::Failing | Status::Broken => failure(st, status, detail, confirm_after, now),
        Status::Ok | Status::Moved => {
            st.consecutive_failures = 0;
            st.failing_since = None;
            let watch = resource.watch.clone().unwrap_or_default();
            let answer = Answer {
                id: &resource.id,
                url: &resource.url,
                watch: &watch,
                fetch,
                status,
                detail,
                now,
            };
            healthy(st, snapshots, &answer)
        }
        other => Assessment::new(other, detail, st),
    };
    st.last_status = Some(assessment.status);
    assessment
}

fn failure(
    st: &mut ResourceState,
    status: Status,
    detail: String,
    confirm_after: u32,
    now: jiff::Timestamp,
) -> Assessment {
    if st.consecutive_failures == 0 || st.failing_since.is_none() {
        st.failing_since = Some(now);
    }
    st.consecutive_failures += 1;
    let confirmed = status == Status::Broken || st.consecutive_failures >= confirm_after;
    if !confirmed {
        return Assessment::new(Status::Failing, detail, st);
    }
    let detail = match st.failing_since {
        Some(since) if status == Status::Failing || st.consecutive_failures > 1 => {
            format!("broken since {}: {detail}", time::date(since))
        }
        _ => detail,
    };
    Assessment::new(Status::Broken, detail, st)
}

/// A healthy network answer and what it is judged against.
struct Answer<'a> {
    id: &'a str,
    url: &'a str,
    watch: &'a Watch,
    fetch: &'a Fetch,
    status: Status,
    detail: String,
    now: jiff::Timestamp,
}

fn healthy(st: &mut ResourceState, snapshots: &mut Snapshots, a: &Answer<'_>) -> Assessment {
    let fetch = a.fetch;
    if fetch.http_status == Some(304) {
        if st.fingerprint.is_none() {
            // Nothing to confirm: an empty 304 body must not become the baseline.
            return Assessment::new(a.status, a.detail.clone(), st);
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
        return unchanged;
    }
    let page = content::extract(&fetch.body, fetch.content_type.as_deref(), a.watch);
    let previous = st.length.map(|length| soft404::Previous {
        title: st.title.as_deref(),
        length,
    });
    let signals = soft404::signals(a.url, &fetch.final_url, &page, previous);
    if !signals.is_empty() {
        return Assessment::new(
            Status::Soft404,
            format!("soft 404: {}", signals.join("; ")),
            st,
        );
    }
    st.last_good_at = Some(a.now);
    st.final_url = Some(fetch.final_url.clone());
    st.content_type.clone_from(&fetch.content_type);
    if !a.watch.tracks_content() {
        st.title.clone_from(&page.title);
        st.length = Some(page.length);
        st.is_document = page.is_document;
        if st.pending.take().is_some() {
            snapshots.remove(Snapshots::pending_path(a.id));
        }
        return Assessment::new(a.status, a.detail.clone(), st);
    }
    if page.selector_matched == Some(false) {
        let selector = a.watch.selector.as_deref().unwrap_or_default();
        let detail = format!(
            "{}; selector `{selector}` matches nothing, content not compared",
            a.detail
        );
        return Assessment::new(a.status, detail, st);
    }
    st.etag.clone_from(&fetch.etag);
    st.last_modified.clone_from(&fetch.last_modified);
    if st.fingerprint.is_none() {
        record(st, snapshots, a.id, &page, a.now);
        return Assessment::new(a.status, a.detail.clone(), st);
    }
    if st.fingerprint.as_ref() == Some(&page.fingerprint) {
        let mut same = unchanged(st, a);
        if same.status != Status::Changed {
            same.similarity = Some(1.0);
        }
        return same;
    }
    if st.accepted_fingerprints.contains(&page.fingerprint) {
        return unchanged(st, a);
    }
    let old = match snapshots.accepted(a.id) {
        Ok(Some(old)) => old,
        _ => {
            record(st, snapshots, a.id, &page, a.now);
            let detail = format!("{}; accepted snapshot was missing, recorded anew", a.detail);
            return Assessment::new(a.status, detail, st);
        }
    };
    let accepted = content::Accepted {
        title: st.title.as_deref(),
        text: snapshot_text(&old),
        length: st.length.unwrap_or(0),
        is_document: st.is_document,
    };
    let change = content::compare(accepted, &page, a.watch);
    if change.reasons.is_empty() {
        let mut minor = unchanged(st, a);
        if minor.status != Status::Changed {
            minor.similarity = change.similarity;
        }
        return minor;
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
    });
    snapshots.write(Snapshots::pending_path(a.id), page.snapshot());
    unchanged(st, a)
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

/// Records `page` as the accepted content.
fn record(
    st: &mut ResourceState,
    snapshots: &mut Snapshots,
    id: &str,
    page: &Page,
    now: jiff::Timestamp,
) {
    remember(st, &page.fingerprint);
    st.title.clone_from(&page.title);
    st.length = Some(page.length);
    st.is_document = page.is_document;
    st.baseline_at = Some(now);
    snapshots.write(Snapshots::accepted_path(id), page.snapshot());
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
