//! The baseline's crash-safe commit: a save stopped at each step of its protocol, as if the
//! process had died there, leaves a baseline that reads whole, and the next save finishes or
//! discards it; and `linkwatch check` killed with SIGKILL at any moment does the same.

use crate::common::{Project, check_async, copy_dir, res, snapshot_dir, stderr};
use crate::support::{Reply, TestServer};
use linkwatch::catalog::{Entry, Kind, Resource, Watch};
use linkwatch::check::{Fetch, Hop};
use linkwatch::state::commit::{self, CrashPoint};
use linkwatch::state::{self, Baseline, Snapshots};
use linkwatch::status::Status;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn entry(id: &str, watch: Option<Watch>) -> Entry {
    Entry {
        folder: "web".to_string(),
        resource: Resource {
            watch,
            ..Resource::new(
                id,
                &format!("Title of {id}"),
                &format!("https://example.org/{id}"),
                Kind::Guide,
                "Example",
            )
        },
    }
}

fn page(id: &str, version: &str) -> Fetch {
    let body = format!(
        "<title>{id}</title><main><p>{version} words about {id}: {}.</p></main>",
        (0..30)
            .map(|n| format!("{version}{n}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let url = format!("https://example.org/{id}");
    Fetch {
        chain: vec![Hop::new(url.clone(), 200)],
        final_url: url,
        http_status: Some(200),
        content_type: Some("text/html".to_string()),
        body: body.into_bytes(),
        attempts: 1,
        got_http_answer: true,
        ..Fetch::default()
    }
}

fn day(n: u8) -> jiff::Timestamp {
    format!("2026-11-{n:02}T06:00:00Z").parse().unwrap()
}

fn assess(baseline: &mut Baseline, snapshots: &Snapshots, entry: &Entry, fetch: &Fetch, n: u8) {
    let ok = (Status::Ok, "200 OK".to_string());
    state::assess(baseline, snapshots, entry, fetch, ok, 2, day(n)).unwrap();
}

/// A baseline of five resources, one of them with a pending change.
fn previous(out: &Path) {
    let mut baseline = Baseline::load(out).unwrap();
    let snapshots = Snapshots::new(out);
    for id in ["a", "b", "c", "d", "e"] {
        assess(
            &mut baseline,
            &snapshots,
            &entry(id, None),
            &page(id, "old"),
            1,
        );
    }
    baseline.save(out, &snapshots).unwrap();
    let mut baseline = Baseline::load(out).unwrap();
    let snapshots = Snapshots::new(out);
    assess(
        &mut baseline,
        &snapshots,
        &entry("e", None),
        &page("e", "new"),
        2,
    );
    baseline.save(out, &snapshots).unwrap();
}

/// The save under test: new pending changes, a new resource's accepted snapshot, and a pending
/// change dropped (its resource stopped tracking content). Stopped at `crash`, the staging is
/// left on disk as a dead process would leave it.
fn next_save(out: &Path, crash: Option<CrashPoint>) {
    let mut baseline = Baseline::load(out).unwrap();
    let snapshots = Snapshots::new(out);
    for id in ["a", "b", "c"] {
        assess(
            &mut baseline,
            &snapshots,
            &entry(id, None),
            &page(id, "new"),
            3,
        );
    }
    assess(
        &mut baseline,
        &snapshots,
        &entry("f", None),
        &page("f", "new"),
        3,
    );
    let untracked = Watch {
        content: Some(false),
        ..Watch::default()
    };
    assess(
        &mut baseline,
        &snapshots,
        &entry("e", Some(untracked)),
        &page("e", "new"),
        3,
    );
    baseline.save_until(out, &snapshots, crash).unwrap();
    std::mem::forget(snapshots);
}

fn matches(text: &str, fingerprint: &str, is_document: bool) -> bool {
    if is_document {
        text.contains(fingerprint)
    } else {
        blake3::hash(text.as_bytes()).to_hex().as_str() == fingerprint
    }
}

/// Every snapshot the baseline names exists and matches its fingerprint, as linkwatch reads
/// them (through a committed save not yet rolled forward).
pub fn assert_reads_whole(out: &Path) {
    let baseline = Baseline::load(out).expect("state.json parses");
    let snapshots = Snapshots::new(out);
    for (id, st) in &baseline.resources {
        if let Some(fingerprint) = &st.fingerprint {
            let text = snapshots.accepted(id).unwrap();
            let text = text.unwrap_or_else(|| panic!("{id}: accepted snapshot missing"));
            assert!(matches(&text, fingerprint, st.is_document), "{id}: {text}");
        }
        if let Some(pending) = &st.pending {
            let text = snapshots.pending(id).unwrap();
            let text = text.unwrap_or_else(|| panic!("{id}: pending snapshot missing"));
            assert!(
                matches(&text, &pending.fingerprint, pending.is_document),
                "{id}: {text}"
            );
        }
    }
}

/// The same, reading the bare files: `state.json` and `snapshots/` as git sees them.
pub fn assert_files_whole(out: &Path) {
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("state.json")).unwrap()).unwrap();
    let resources = state["resources"].as_object().unwrap();
    for (id, st) in resources {
        let is_document = st["is_document"].as_bool().unwrap_or(false);
        if let Some(fingerprint) = st["fingerprint"].as_str() {
            let text = std::fs::read_to_string(out.join(format!("snapshots/{id}.txt")))
                .unwrap_or_else(|e| panic!("{id}: {e}"));
            assert!(matches(&text, fingerprint, is_document), "{id}: {text}");
        }
        if let Some(pending) = st.get("pending") {
            let text = std::fs::read_to_string(out.join(format!("snapshots/pending/{id}.txt")))
                .unwrap_or_else(|e| panic!("{id} pending: {e}"));
            let is_document = pending["is_document"].as_bool().unwrap_or(false);
            assert!(
                matches(&text, pending["fingerprint"].as_str().unwrap(), is_document),
                "{id}: {text}"
            );
        }
    }
}

/// Names of linkwatch's own temporaries anywhere in `out`.
pub fn leftovers(out: &Path) -> Vec<PathBuf> {
    snapshot_dir(out)
        .into_iter()
        .map(|(path, _)| path)
        .filter(|p| {
            p.components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with(".linkwatch-"))
        })
        .collect()
}

#[test]
fn a_save_stopped_before_its_commit_point_leaves_the_previous_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    previous(out);
    let before = snapshot_dir(out);
    let loaded = Baseline::load(out).unwrap();

    next_save(out, Some(CrashPoint::Synced));
    assert!(!leftovers(out).is_empty(), "the staging is still there");
    assert_eq!(Baseline::load(out).unwrap(), loaded);
    assert_reads_whole(out);
    assert_files_whole(out);

    commit::recover(out).unwrap();
    assert_eq!(
        snapshot_dir(out),
        before,
        "the staging is gone, the rest untouched"
    );
}

#[test]
fn a_save_stopped_after_its_commit_point_reads_whole_and_is_rolled_forward() {
    let reference = tempfile::tempdir().unwrap();
    previous(reference.path());
    next_save(reference.path(), None);
    assert!(leftovers(reference.path()).is_empty());
    assert_files_whole(reference.path());
    let expected = snapshot_dir(reference.path());

    for crash in [CrashPoint::Committed, CrashPoint::RollingForward] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        previous(out);
        next_save(out, Some(crash));
        assert!(
            !leftovers(out).is_empty(),
            "{crash:?}: the commit is still there"
        );
        assert_saved_then_rolled_forward(out, reference.path(), &expected, crash);
    }
}

/// `out`, where a save stopped at `crash` after its commit point, reads as `reference` (the
/// same save, finished) does, and recovering it, even twice, makes its files `expected`.
fn assert_saved_then_rolled_forward(
    out: &Path,
    reference: &Path,
    expected: &[(PathBuf, Vec<u8>)],
    crash: CrashPoint,
) {
    assert_eq!(
        Baseline::load(out).unwrap(),
        Baseline::load(reference).unwrap(),
        "{crash:?}: read as saved"
    );
    assert_reads_whole(out);
    commit::recover(out).unwrap();
    commit::recover(out).unwrap();
    assert_eq!(snapshot_dir(out), expected, "{crash:?}: rolled forward");
}

#[test]
fn a_first_save_moves_its_snapshots_folder_in_whole_and_a_crash_there_is_rolled_forward() {
    let reference = tempfile::tempdir().unwrap();
    next_save(reference.path(), None);
    assert!(leftovers(reference.path()).is_empty());
    assert_files_whole(reference.path());
    let expected = snapshot_dir(reference.path());
    assert!(expected.len() > 3, "{expected:?}");

    for crash in [CrashPoint::Committed, CrashPoint::RollingForward] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        next_save(out, Some(crash));
        let moved = out.join("snapshots").is_dir();
        assert_eq!(
            moved,
            crash == CrashPoint::RollingForward,
            "{crash:?}: the snapshots folder moves in whole, after the commit point"
        );
        assert!(
            !out.join("state.json").exists(),
            "{crash:?}: state.json last"
        );
        assert_saved_then_rolled_forward(out, reference.path(), &expected, crash);
        assert_files_whole(out);
    }
}

#[test]
fn the_next_save_finishes_a_committed_save_before_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    previous(out);
    next_save(out, Some(CrashPoint::RollingForward));
    std::fs::write(out.join("snapshots/.linkwatch-abc123.tmp"), "torn").unwrap();

    let mut baseline = Baseline::load(out).unwrap();
    let snapshots = Snapshots::new(out);
    assess(
        &mut baseline,
        &snapshots,
        &entry("d", None),
        &page("d", "new"),
        4,
    );
    baseline.save(out, &snapshots).unwrap();
    drop(snapshots);

    assert!(leftovers(out).is_empty(), "{:?}", leftovers(out));
    assert_files_whole(out);
    let st = Baseline::load(out).unwrap();
    assert!(
        st.resources["a"].pending.is_some(),
        "the earlier save is kept"
    );
    assert!(st.resources["d"].pending.is_some(), "and this one on top");
    assert!(st.resources["f"].fingerprint.is_some());
}

#[test]
fn a_run_dropped_without_saving_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    previous(out);
    let before = snapshot_dir(out);
    {
        let mut baseline = Baseline::load(out).unwrap();
        let snapshots = Snapshots::new(out);
        assess(
            &mut baseline,
            &snapshots,
            &entry("a", None),
            &page("a", "new"),
            3,
        );
        assert!(!leftovers(out).is_empty(), "the change is staged on disk");
    }
    assert_eq!(snapshot_dir(out), before);
}

/// When the test kills the second audit.
#[derive(Debug, Clone, Copy)]
enum Kill {
    After(Duration),
    /// As soon as its first snapshot change is staged.
    OnStaging,
    /// As soon as it has committed (while it rolls forward, if the test is quick enough).
    OnCommit,
}

/// Runs `linkwatch check` in `root` and kills it with SIGKILL at `kill` (or lets it finish
/// if it ends first).
fn check_killed(root: &Path, kill: Kill) {
    let reports = root.join("reports");
    let mut child = Command::new(env!("CARGO_BIN_EXE_linkwatch"))
        .args(["check", "--quiet", "--timeout", "5", "--retries", "0"])
        .args(["--per-host", "64"])
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let staging = || {
        std::fs::read_dir(&reports).is_ok_and(|mut list| {
            list.any(|e| {
                e.is_ok_and(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .starts_with(commit::STAGING_PREFIX)
                })
            })
        })
    };
    while child.try_wait().unwrap().is_none() {
        let now = match kill {
            Kill::After(wait) => started.elapsed() >= wait,
            Kill::OnStaging => staging(),
            Kill::OnCommit => reports.join(commit::COMMIT_DIR).exists(),
        };
        if now || started.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            break;
        }
    }
    child.wait().unwrap();
}

fn article(i: usize, version: &str) -> String {
    let words: Vec<String> = (0..40).map(|n| format!("{version}{i}x{n}")).collect();
    format!(
        "<title>Page {i}</title><main><h1>Page {i}</h1><p>{}.</p></main>",
        words.join(" ")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_killed_at_any_moment_leaves_a_whole_baseline_and_the_next_run_cleans_up() {
    const LINKS: usize = 60;
    let server = TestServer::start().await;
    let serve = |version: &str| {
        for i in 0..LINKS {
            let delay = Duration::from_millis(2 * i as u64);
            server.route(
                &format!("/p{i}"),
                Reply::html(&article(i, version)).after(delay),
            );
        }
    };
    serve("one");
    let resources: Vec<_> = (0..LINKS)
        .map(|i| res(&format!("p{i}"), server.url(&format!("/p{i}"))))
        .collect();
    let project = Project::new(&resources);
    let root = project.path().to_path_buf();
    let reports = project.reports();
    let all_at_once = ["--per-host", "64"];
    let first = check_async(&root, &all_at_once).await;
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let base = root.join("base");
    copy_dir(&reports, &base);
    serve("two");

    let kills = [
        Kill::After(Duration::from_millis(20)),
        Kill::After(Duration::from_millis(80)),
        Kill::OnStaging,
        Kill::OnCommit,
        Kill::OnCommit,
    ];
    for kill in kills {
        std::fs::remove_dir_all(&reports).unwrap();
        copy_dir(&base, &reports);
        let dir = root.clone();
        tokio::task::spawn_blocking(move || check_killed(&dir, kill))
            .await
            .unwrap();
        assert_reads_whole(&reports);
        if !reports.join(commit::COMMIT_DIR).exists() {
            assert_files_whole(&reports);
        }

        let next = check_async(&root, &all_at_once).await;
        assert_eq!(next.status.code(), Some(0), "{kill:?}: {}", stderr(&next));
        assert!(
            leftovers(&reports).is_empty(),
            "{kill:?}: {:?}",
            leftovers(&reports)
        );
        assert_files_whole(&reports);
        let changed = project
            .links()
            .iter()
            .filter(|row| row["status"] == "changed")
            .count();
        assert_eq!(changed, LINKS, "{kill:?}: every change is pending");
    }
}
