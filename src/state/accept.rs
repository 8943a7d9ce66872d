//! `accept`: a maintainer takes the latest seen content of changed resources as their new
//! baseline.

use super::assess::remember;
use super::{Baseline, Snapshots, StateError};
use std::path::Path;

/// Which pending changes to accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// These resources (each must be in the baseline).
    Ids(Vec<String>),
    /// Every pending change, or those of one folder.
    All { folder: Option<String> },
}

/// One accepted change.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub id: String,
    pub old_title: Option<String>,
    pub new_title: Option<String>,
    /// Similarity of the accepted content to the one it replaces, when text was compared.
    pub similarity: Option<f64>,
    pub reasons: Vec<String>,
}

/// Promotes the pending snapshot of each selected resource to its accepted one and saves the
/// baseline in `out_dir` (with the same crash-safe commit as an audit). Content judged hijacked
/// is taken only with `force`; without it, nothing is accepted. Selected ids with nothing pending are left as they are (and are not in
/// the result). An id not in the baseline is an error, and nothing is accepted.
pub fn accept(
    out_dir: &Path,
    selection: &Selection,
    force: bool,
    now: jiff::Timestamp,
) -> Result<Vec<Accepted>, StateError> {
    let mut baseline = Baseline::load(out_dir)?;
    let ids: Vec<String> = match selection {
        Selection::Ids(ids) => {
            let unknown: Vec<String> = ids
                .iter()
                .filter(|id| !baseline.resources.contains_key(*id))
                .cloned()
                .collect();
            if !unknown.is_empty() {
                return Err(StateError::UnknownIds { ids: unknown });
            }
            ids.clone()
        }
        Selection::All { folder } => {
            if let Some(folder) = folder
                && !baseline.resources.values().any(|st| &st.folder == folder)
            {
                return Err(StateError::UnknownFolder {
                    folder: folder.clone(),
                });
            }
            baseline
                .resources
                .iter()
                .filter(|(_, st)| folder.as_ref().is_none_or(|f| &st.folder == f))
                .map(|(id, _)| id.clone())
                .collect()
        }
    };
    let hijacked: Vec<String> = ids
        .iter()
        .filter(|id| {
            baseline
                .resources
                .get(*id)
                .is_some_and(|st| st.pending.as_ref().is_some_and(|p| p.hijacked))
        })
        .cloned()
        .collect();
    if !force && !hijacked.is_empty() {
        return Err(StateError::Hijacked { ids: hijacked });
    }
    let snapshots = Snapshots::new(out_dir);
    let mut accepted = Vec::new();
    for id in ids {
        let Some(st) = baseline.resources.get_mut(&id) else {
            continue;
        };
        let Some(pending) = st.pending.clone() else {
            continue;
        };
        let text = snapshots
            .pending(&id)?
            .ok_or_else(|| StateError::MissingSnapshot {
                path: out_dir.join(Snapshots::pending_path(&id)),
            })?;
        snapshots.write(&Snapshots::accepted_path(&id), &text)?;
        snapshots.remove(&Snapshots::pending_path(&id))?;
        remember(st, &pending.fingerprint);
        st.title.clone_from(&pending.title);
        st.length = Some(pending.length);
        st.is_document = pending.is_document;
        st.facts.clone_from(&pending.facts);
        st.baseline_at = Some(now);
        st.pending = None;
        accepted.push(Accepted {
            id,
            old_title: pending.change.old_title,
            new_title: pending.change.new_title,
            similarity: pending.change.similarity,
            reasons: pending.change.reasons,
        });
    }
    if !accepted.is_empty() {
        baseline.save(out_dir, &snapshots)?;
    }
    Ok(accepted)
}
