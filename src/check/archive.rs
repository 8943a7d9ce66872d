//! Archived copies from the Wayback Machine: the availability lookup for a URL and a moment, and
//! the check that the snapshot it names answers 200. Lookups run in one bounded phase whose
//! every failure (unreachable, slow, odd answer) is simply "no archived copy", never an error.

use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// The archive asked when `--archive-url` and `archive-url` are not given.
pub const DEFAULT_ARCHIVE_URL: &str = "https://archive.org";
/// Most time one lookup (availability query and snapshot check) may take.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(3);
/// Most time the whole lookup phase of an audit may take.
pub const PHASE_BUDGET: Duration = Duration::from_secs(10);
/// Lookups in flight at once.
pub const MAX_CONCURRENT_LOOKUPS: usize = 4;
/// Most bytes read of an availability answer.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// Where and how archived copies are looked up.
#[derive(Debug, Clone)]
pub struct ArchiveConfig {
    /// The archive's base URL; the availability API is `{endpoint}/wayback/available`.
    pub endpoint: String,
    pub lookup_timeout: Duration,
    pub budget: Duration,
    pub concurrency: usize,
}

impl Default for ArchiveConfig {
    fn default() -> ArchiveConfig {
        ArchiveConfig {
            endpoint: DEFAULT_ARCHIVE_URL.to_owned(),
            lookup_timeout: LOOKUP_TIMEOUT,
            budget: PHASE_BUDGET,
            concurrency: MAX_CONCURRENT_LOOKUPS,
        }
    }
}

/// One archived copy wanted: of `url`, taken at or before `before` (when linkwatch last saw it
/// healthy), else the latest.
#[derive(Debug, Clone)]
pub struct Wanted {
    pub url: String,
    pub before: Option<jiff::Timestamp>,
}

/// The availability API's answer, as far as it is used.
#[derive(Debug, Deserialize)]
struct Available {
    #[serde(default)]
    archived_snapshots: Snapshots,
}

#[derive(Debug, Default, Deserialize)]
struct Snapshots {
    closest: Option<Closest>,
}

#[derive(Debug, Deserialize)]
struct Closest {
    #[serde(default)]
    available: bool,
    url: String,
    timestamp: String,
    #[serde(default)]
    status: String,
}

/// Looks up archived copies for each of `wanted`, at most `config.concurrency` at once, each
/// within `config.lookup_timeout`, all within `config.budget`: the snapshot URL of each, in
/// order, or `None` when the archive has no healthy copy before the moment or did not answer
/// in time.
pub async fn lookup_all(
    config: &ArchiveConfig,
    user_agent: &str,
    wanted: Vec<Wanted>,
) -> Vec<Option<String>> {
    let mut found = vec![None; wanted.len()];
    if wanted.is_empty() {
        return found;
    }
    // Another part of the process may have installed a provider first; either one verifies.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Ok(client) = reqwest::Client::builder()
        .user_agent(user_agent)
        .connect_timeout(config.lookup_timeout)
        .timeout(config.lookup_timeout)
        .build()
    else {
        return found;
    };
    let deadline = tokio::time::Instant::now() + config.budget;
    let permits = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let endpoint = config.endpoint.trim_end_matches('/').to_owned();
    let mut lookups = JoinSet::new();
    for (i, w) in wanted.into_iter().enumerate() {
        let client = client.clone();
        let permits = Arc::clone(&permits);
        let endpoint = endpoint.clone();
        let timeout = config.lookup_timeout;
        lookups.spawn(async move {
            let _permit = permits.acquire_owned().await.ok()?;
            let copy = tokio::time::timeout(timeout, closest(&client, &endpoint, &w)).await;
            Some((i, copy.ok().flatten()?))
        });
    }
    while let Ok(Some(joined)) = tokio::time::timeout_at(deadline, lookups.join_next()).await {
        if let Ok(Some((i, url))) = joined {
            found[i] = Some(url);
        }
    }
    lookups.abort_all();
    found
}

/// The snapshot of `w` closest before its moment that the archive recorded as 200 and that
/// answers 200 now.
async fn closest(client: &reqwest::Client, endpoint: &str, w: &Wanted) -> Option<String> {
    let mut params = vec![("url", w.url.clone())];
    let before = w.before.map(wayback_time);
    if let Some(t) = &before {
        params.push(("timestamp", t.clone()));
    }
    let query =
        url::Url::parse_with_params(&format!("{endpoint}/wayback/available"), &params).ok()?;
    let mut answer = client.get(query).send().await.ok()?;
    if !answer.status().is_success() {
        return None;
    }
    let mut body = Vec::new();
    while let Some(chunk) = answer.chunk().await.ok()? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_ANSWER_BYTES {
            return None;
        }
    }
    let closest = serde_json::from_slice::<Available>(&body)
        .ok()?
        .archived_snapshots
        .closest?;
    // Timestamps are fixed-width digits, so text order is time order.
    let too_late = before
        .as_ref()
        .is_some_and(|b| closest.timestamp.len() != b.len() || closest.timestamp > *b);
    if !closest.available || closest.status != "200" || too_late {
        return None;
    }
    let snapshot = url::Url::parse(&closest.url).ok()?;
    if !matches!(snapshot.scheme(), "http" | "https") {
        return None;
    }
    let check = client.get(snapshot.clone()).send().await.ok()?;
    (check.status() == reqwest::StatusCode::OK).then(|| snapshot.to_string())
}

/// A moment as the Wayback Machine writes it: `YYYYMMDDhhmmss`, UTC.
pub fn wayback_time(t: jiff::Timestamp) -> String {
    t.strftime("%Y%m%d%H%M%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wayback_time_is_fourteen_utc_digits() {
        let t: jiff::Timestamp = "2026-03-04T05:06:07.8+02:00".parse().unwrap();
        assert_eq!(wayback_time(t), "20260304030607");
    }
}
