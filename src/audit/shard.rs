//! Sharded audits: stable host-grouped slices of a catalog (`check --shard K/N`), and merging the
//! shards' results and baselines into what one unsharded run would have written.

use crate::catalog::Catalog;
use crate::report::history::{History, HistoryError, Past};
use crate::report::{self, AuditResults, ReadResultsError, ReportError};
use crate::state::{self, Baseline, StateError, merge::ShardDir};
use crate::status::Status;
use std::path::{Path, PathBuf};

/// One of N stable slices of a catalog (`--shard K/N`, K from 1). Resources are grouped by host,
/// so every link to one host lands in the same shard and per-host limits still hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Whether the resource at `url` belongs to this shard. The slice depends only on the host
    /// (lowercased, with its port: the same key as the per-host limit) and N, never on the
    /// catalog's order or size.
    pub fn contains(&self, url: &str) -> bool {
        let host = crate::url::host_key(url);
        let hash = blake3::hash(host.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&hash.as_bytes()[..8]);
        u64::from_le_bytes(first) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("{s:?} is not a shard: expected K/N with 1 <= K <= N, e.g. 2/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// Shard results could not be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("no shard directories given")]
    Empty,
    #[error(transparent)]
    Read(#[from] ReadResultsError),
    #[error("{}: results.json is not a shard's (it was written without --shard)", dir.display())]
    NotAShard { dir: PathBuf },
    #[error("{}: shard {shard} does not belong with {expected} shards", dir.display())]
    CountMismatch {
        dir: PathBuf,
        shard: String,
        expected: u32,
    },
    #[error("shard {shard} is given twice: {} and {}", first.display(), second.display())]
    Duplicate {
        shard: String,
        first: PathBuf,
        second: PathBuf,
    },
    #[error(
        "{}: this shard started from another baseline than {} holds; merging would reset its accepted snapshots and failure counts (run the shards with --baseline {}, or merge with --reset-baseline)",
        dir.display(), out.display(), out.display()
    )]
    OtherBaseline { dir: PathBuf, out: PathBuf },
    #[error(
        "no shard's runner got an HTTP answer: the network looks unavailable, nothing was merged"
    )]
    Offline,
    #[error("shard(s) {missing} of {count} missing: merging them would lose links")]
    Missing { missing: String, count: u32 },
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error(transparent)]
    History(#[from] HistoryError),
}

/// Combines the results and baselines that `check --shard K/N` left in `shard_dirs` (one per
/// shard, every K from 1 to N exactly once) into `out_dir`: the same `results.json`, reports and
/// baseline one unsharded run would have written, outcomes in catalog order.
pub fn merge(
    catalog: &Catalog,
    shard_dirs: &[PathBuf],
    out_dir: &Path,
    reset_baseline: bool,
) -> Result<AuditResults, MergeError> {
    let mut parts: Vec<(Shard, &PathBuf, AuditResults)> = Vec::new();
    for dir in shard_dirs {
        let results = report::read_results(dir)?;
        let shard: Shard = results
            .shard
            .as_deref()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| MergeError::NotAShard { dir: dir.clone() })?;
        parts.push((shard, dir, results));
    }
    let count = parts.first().ok_or(MergeError::Empty)?.0.count;
    parts.sort_by_key(|(shard, _, _)| shard.index);
    for pair in parts.windows(2) {
        if pair[0].0 == pair[1].0 {
            return Err(MergeError::Duplicate {
                shard: pair[0].0.to_string(),
                first: pair[0].1.clone(),
                second: pair[1].1.clone(),
            });
        }
    }
    if let Some((shard, dir, _)) = parts.iter().find(|(s, _, _)| s.count != count) {
        return Err(MergeError::CountMismatch {
            dir: (*dir).clone(),
            shard: shard.to_string(),
            expected: count,
        });
    }
    let missing: Vec<String> = (1..=count)
        .filter(|k| !parts.iter().any(|(s, _, _)| s.index == *k))
        .map(|k| k.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing {
            missing: missing.join(", "),
            count,
        });
    }

    // Offline is decided over the whole audit: every shard that had links to check saw no
    // network. A shard with nothing to check says nothing either way.
    let mut attempted = parts
        .iter()
        .filter(|(_, _, r)| r.outcomes.iter().any(|o| o.status != Status::Skipped))
        .peekable();
    if attempted.peek().is_some() && attempted.all(|(_, _, r)| r.network_down) {
        return Err(MergeError::Offline);
    }
    if !reset_baseline {
        let current = Some(Baseline::load(out_dir)?.digest());
        if let Some((_, dir, _)) = parts.iter().find(|(_, _, r)| r.baseline_digest != current) {
            return Err(MergeError::OtherBaseline {
                dir: (*dir).clone(),
                out: out_dir.to_owned(),
            });
        }
    }
    for (shard, _, results) in parts.iter_mut().filter(|(_, _, r)| r.network_down) {
        for o in &mut results.outcomes {
            if o.status != Status::Skipped {
                o.status = Status::Failing;
                o.detail = format!(
                    "not checked: shard {shard}'s runner could not reach the network ({})",
                    o.detail
                );
            }
        }
    }
    let checked: Vec<Vec<String>> = parts
        .iter()
        .map(|(_, _, r)| {
            if r.network_down {
                return Vec::new();
            }
            r.outcomes
                .iter()
                .filter(|o| o.status != Status::Skipped)
                .map(|o| o.id.clone())
                .collect()
        })
        .collect();
    let dirs: Vec<ShardDir<'_>> = parts
        .iter()
        .zip(&checked)
        .map(|((_, dir, _), checked)| ShardDir {
            dir: dir.as_path(),
            checked,
        })
        .collect();
    state::merge::merge(out_dir, &dirs)?;

    let position = |id: &str| {
        catalog
            .resources
            .iter()
            .position(|e| e.resource.id == id)
            .unwrap_or(usize::MAX)
    };
    let mut iter = parts.into_iter().map(|(_, _, r)| r);
    let mut merged = iter.next().ok_or(MergeError::Empty)?;
    for part in iter {
        merged.started_at = merged.started_at.min(part.started_at);
        merged.finished_at = merged.finished_at.max(part.finished_at);
        merged.complete &= part.complete;
        merged.selected += part.selected;
        merged.outcomes.extend(part.outcomes);
    }
    merged.shard = None;
    merged.baseline_digest = None;
    merged.network_down = false;
    merged.outcomes.sort_by_key(|o| position(&o.id));
    let mut history = History::read(out_dir)?;
    let recorded = history.record(&merged);
    let past = Past::new(&history, Baseline::load(out_dir)?.recent());
    report::write_all(out_dir, &merged, &past)?;
    if recorded {
        history.write(out_dir)?;
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_refuse_nonsense() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "1/0", "2", "a/b", "1/-2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_url_lands_in_exactly_one_shard_and_hosts_stay_together() {
        let urls = [
            "https://a.test/1",
            "https://A.test/2",
            "https://b.test/",
            "http://c.test:8080/x",
            "https://d.test/y?q=1",
            "not a url",
        ];
        for count in 1..=5 {
            for url in urls {
                let owners = (1..=count)
                    .filter(|&index| Shard { index, count }.contains(url))
                    .count();
                assert_eq!(owners, 1, "{url} in {count} shards");
            }
            let shard_of = |url| (1..=count).find(|&index| Shard { index, count }.contains(url));
            assert_eq!(shard_of("https://a.test/1"), shard_of("https://A.test/2"));
        }
    }
}
