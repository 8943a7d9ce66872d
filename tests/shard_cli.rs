//! Sharded audits: `check --shard K/N` on every slice, then `merge`, equals one unsharded run on
//! the same local servers (same statuses, same baseline).

use crate::common::{Project, copy_dir, read_links, res, run_in, snapshot_dir, stderr};
use crate::support::{Reply, TestServer};
use std::path::Path;

use crate::common::check_async as check;

/// `state.json` without the times of the run, which differ between any two runs.
fn state_without_times(dir: &Path) -> serde_json::Value {
    let mut state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("state.json")).unwrap()).unwrap();
    for (_, entry) in state["resources"].as_object_mut().unwrap().iter_mut() {
        let entry = entry.as_object_mut().unwrap();
        for key in [
            "last_checked_at",
            "last_good_at",
            "baseline_at",
            "failing_since",
        ] {
            entry.remove(key);
        }
        if let Some(pending) = entry.get_mut("pending").and_then(|p| p.as_object_mut()) {
            pending.remove("first_seen_at");
            pending.remove("last_seen_at");
        }
    }
    state
}

/// The rows of `links.csv` without the columns that record when and how fast.
fn rows_without_times(dir: &Path) -> Vec<Vec<(String, String)>> {
    read_links(&dir.join("links.csv"))
        .into_iter()
        .map(|row| {
            let mut row: Vec<(String, String)> = row
                .into_iter()
                .filter(|(k, _)| {
                    !["checked_at", "elapsed_ms", "baseline_at", "failing_since"]
                        .contains(&k.as_str())
                })
                .collect();
            row.sort();
            row
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merged_shards_equal_one_unsharded_run() {
    let servers = TestServer::start_many(6).await;
    let mut resources = Vec::new();
    for (h, server) in servers.iter().enumerate() {
        server.route("/page", Reply::html(&format!("<title>Host {h}</title><main><p>Stable words on host {h} about training.</p></main>")));
        server.route("/gone", Reply::status(404));
        server.route("/old", Reply::redirect(301, "/page"));
        resources.push(res(&format!("page-{h}"), server.url("/page")));
        resources.push(res(&format!("gone-{h}"), server.url("/gone")));
        resources.push(res(&format!("old-{h}"), server.url("/old")).in_folder("docs"));
    }
    let project = Project::new(&resources);
    let root = project.path();

    let first = check(root, &["--out", "base"]).await;
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    servers[0].route(
        "/page",
        Reply::html(
            "<title>Host 0, rewritten</title><main><p>Entirely different text now.</p></main>",
        ),
    );
    for dir in ["full", "s1", "s2", "s3"] {
        copy_dir(&root.join("base"), &root.join(dir));
    }

    check(root, &["--out", "full"]).await;
    for k in 1..=3 {
        let out = check(
            root,
            &["--out", &format!("s{k}"), "--shard", &format!("{k}/3")],
        )
        .await;
        assert!(out.status.code().unwrap() <= 1, "{}", stderr(&out));
    }
    let ids_of = |dir: &str| -> Vec<String> {
        read_links(&root.join(dir).join("links.csv"))
            .into_iter()
            .map(|r| r["id"].clone())
            .collect()
    };
    let mut union: Vec<String> = (1..=3).flat_map(|k| ids_of(&format!("s{k}"))).collect();
    union.sort();
    let mut all = ids_of("full");
    all.sort();
    assert_eq!(union, all, "the shards cover every resource exactly once");

    let merge = run_in(root, &["merge", "s1", "s2", "s3", "--out", "merged"]);
    assert_eq!(
        merge.status.code(),
        Some(1),
        "broken links make merge exit 1: {}",
        stderr(&merge)
    );
    assert!(
        String::from_utf8_lossy(&merge.stdout).starts_with("merged 3 shards: checked 18 links"),
        "{}",
        String::from_utf8_lossy(&merge.stdout)
    );

    let full = root.join("full");
    let merged = root.join("merged");
    assert_eq!(rows_without_times(&merged), rows_without_times(&full));
    assert_eq!(state_without_times(&merged), state_without_times(&full));
    assert_eq!(
        snapshot_dir(&merged.join("snapshots")),
        snapshot_dir(&full.join("snapshots")),
        "the same snapshots, byte for byte"
    );
    assert_eq!(project.row_in("merged", "page-0")["status"], "changed");
}

#[test]
fn merge_refuses_missing_or_unsharded_results() {
    let project = Project::new(&[res("a", "https://a.test/")]);
    let root = project.path();
    for (dir, shard) in [("s1", Some("1/3")), ("s2", Some("2/3")), ("plain", None)] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
        let shard = shard.map_or(String::new(), |s| format!("\"shard\": \"{s}\",\n"));
        std::fs::write(
            root.join(dir).join("results.json"),
            format!(
                "{{\"schema_version\": 1, {shard}\"catalog\": {{\"title\": \"T\", \"publisher\": \"P\", \"folders\": []}},\n\
                 \"started_at\": \"2026-11-28T00:00:00Z\", \"finished_at\": \"2026-11-28T00:00:01Z\",\n\
                 \"complete\": true, \"selected\": 0, \"confirm_after\": 2, \"outcomes\": []}}"
            ),
        )
        .unwrap();
    }
    let out = run_in(root, &["merge", "s1", "s2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("shard(s) 3 of 3 missing"),
        "{}",
        stderr(&out)
    );
    let out = run_in(root, &["merge", "s1", "plain"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("plain: results.json is not a shard's"),
        "{}",
        stderr(&out)
    );
    assert!(!root.join("reports").exists(), "nothing was written");
}
