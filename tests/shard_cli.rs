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
    for dir in ["full", "s1", "s2", "s3", "merged"] {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merge_refuses_shards_from_another_baseline_and_check_takes_baseline() {
    let server = TestServer::start().await;
    server.route(
        "/page",
        Reply::html("<title>T</title><main><p>Stable words.</p></main>"),
    );
    let project = Project::new(&[res("page", server.url("/page"))]);
    let root = project.path();
    let first = check(root, &[]).await;
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));

    // A shard run on an empty directory did not start from reports/'s baseline.
    check(root, &["--out", "fresh", "--shard", "1/1"]).await;
    let merge = run_in(root, &["merge", "fresh"]);
    assert_eq!(merge.status.code(), Some(2));
    assert!(
        stderr(&merge).contains("started from another baseline than reports holds"),
        "{}",
        stderr(&merge)
    );
    let merge = run_in(root, &["merge", "fresh", "--reset-baseline"]);
    assert_eq!(merge.status.code(), Some(0), "{}", stderr(&merge));

    // --baseline copies the audit's baseline in, so nobody copies directories by hand.
    let out = check(
        root,
        &["--out", "seeded", "--shard", "1/1", "--baseline", "reports"],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let merge = run_in(root, &["merge", "seeded"]);
    assert_eq!(merge.status.code(), Some(0), "{}", stderr(&merge));
    let again = check(
        root,
        &["--out", "seeded", "--shard", "1/1", "--baseline", "reports"],
    )
    .await;
    assert_eq!(again.status.code(), Some(2), "never overwrites a baseline");
}

/// A port on 127.0.0.1 that nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_offline_shard_does_not_lose_the_audit_and_all_offline_is_offline() {
    use linkwatch::audit::shard::Shard;
    let one: Shard = "1/2".parse().unwrap();
    let servers = TestServer::start_many(8).await;
    let live: Vec<String> = servers
        .iter()
        .map(|s| {
            s.route("/p", Reply::html("<title>T</title><p>words</p>"));
            s.url("/p")
        })
        .filter(|u| !one.contains(u))
        .collect();
    let dead: Vec<String> = (0..40)
        .map(|_| format!("http://127.0.0.1:{}/p", closed_port()))
        .filter(|u| one.contains(u))
        .take(3)
        .collect();
    assert!(
        !live.is_empty() && !dead.is_empty(),
        "both shards have links"
    );
    let mut resources = Vec::new();
    for (i, url) in live.iter().enumerate() {
        resources.push(res(&format!("live-{i}"), url.clone()));
    }
    for (i, url) in dead.iter().enumerate() {
        resources.push(res(&format!("dead-{i}"), url.clone()));
    }
    let project = Project::new(&resources);
    let root = project.path();
    for k in 1..=2 {
        let out = check(
            root,
            &[
                "--out",
                &format!("s{k}"),
                "--shard",
                &format!("{k}/2"),
                "--baseline",
                "reports",
            ],
        )
        .await;
        assert_eq!(out.status.code(), Some(0), "shard {k}: {}", stderr(&out));
    }
    let merge = run_in(root, &["merge", "s1", "s2"]);
    assert_eq!(merge.status.code(), Some(0), "{}", stderr(&merge));
    for (i, _) in dead.iter().enumerate() {
        let row = project.row_in("reports", &format!("dead-{i}"));
        assert_eq!(row["status"], "failing");
        assert!(
            row["detail"].contains("could not reach the network"),
            "{:?}",
            row
        );
    }
    for (i, _) in live.iter().enumerate() {
        assert_eq!(
            project.row_in("reports", &format!("live-{i}"))["status"],
            "ok"
        );
    }

    // Every shard offline: the audit is offline, and nothing is merged.
    let only_dead = Project::new(
        &dead
            .iter()
            .enumerate()
            .map(|(i, u)| res(&format!("dead-{i}"), u.clone()))
            .collect::<Vec<_>>(),
    );
    let out = check(only_dead.path(), &["--out", "s1", "--shard", "1/2"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = check(only_dead.path(), &["--out", "s2", "--shard", "2/2"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let merge = run_in(only_dead.path(), &["merge", "s1", "s2", "--reset-baseline"]);
    assert_eq!(merge.status.code(), Some(3), "{}", stderr(&merge));
    assert!(!only_dead.path().join("reports/results.json").exists());
}
