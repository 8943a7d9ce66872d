//! Combining the baselines that shards left into the one an unsharded run would have left.

use super::{Baseline, Snapshots, StateError};
use std::path::Path;

/// One shard's output directory and the ids it checked (its non-skipped outcomes).
pub struct ShardDir<'a> {
    pub dir: &'a Path,
    pub checked: &'a [String],
}

/// Writes into `out_dir` the baseline of all `shards` together. Every shard started from the
/// same previous baseline, so the first shard's baseline (with its snapshots) is the base, and
/// each other shard contributes the state and snapshots of the resources it checked.
pub fn merge(out_dir: &Path, shards: &[ShardDir<'_>]) -> Result<(), StateError> {
    let Some((first, rest)) = shards.split_first() else {
        return Ok(());
    };
    let mut merged = Baseline::load(first.dir)?;
    let snapshots = Snapshots::new(out_dir);
    let first_snapshots = Snapshots::new(first.dir);
    let base_ids: Vec<String> = merged.resources.keys().cloned().collect();
    for id in &base_ids {
        copy_snapshots(&first_snapshots, &snapshots, id)?;
    }
    for shard in rest {
        let baseline = Baseline::load(shard.dir)?;
        let shard_snapshots = Snapshots::new(shard.dir);
        for id in shard.checked {
            match baseline.resources.get(id) {
                Some(state) => {
                    merged.resources.insert(id.clone(), state.clone());
                }
                None => {
                    merged.resources.remove(id);
                }
            }
            copy_snapshots(&shard_snapshots, &snapshots, id)?;
        }
    }
    merged.save(out_dir, &snapshots)
}

fn copy_snapshots(from: &Snapshots, to: &Snapshots, id: &str) -> Result<(), StateError> {
    for (rel, text) in [
        (Snapshots::accepted_path(id), from.accepted(id)?),
        (Snapshots::pending_path(id), from.pending(id)?),
    ] {
        match text {
            Some(text) => to.write(&rel, &text)?,
            None => to.remove(&rel)?,
        }
    }
    Ok(())
}
