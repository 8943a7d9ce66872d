//! The audit pipeline under hostile pages: many links at once, some of whose pages are costly or
//! absurd to read, still each get a verdict, and the ordinary ones are not held back or harmed.

use crate::common::{Project, check_async, res, stderr};
use crate::support::{Reply, TestServer};
use std::time::Duration;

fn hostile(kind: usize) -> Reply {
    match kind {
        0 => Reply::bytes("text/html", &vec![0u8; 1 << 20]),
        1 => Reply::html(&format!(
            "<title>Deep</title><body>{}deep{}</body>",
            "<div>".repeat(3_000),
            "</div>".repeat(3_000)
        )),
        2 => Reply::html(&format!(
            "<title>Attribute</title><div title=\"{}\">x</div>",
            "a".repeat(1 << 20)
        )),
        _ => Reply::html(&format!("<body>{}unclosed", "<b><i><u>".repeat(5_000))),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_pages_among_64_links_at_once_each_get_a_verdict_and_normal_ones_stay_ok() {
    let server = TestServer::start().await;
    let mut resources = Vec::new();
    for i in 0..64 {
        let path = format!("/p{i}");
        if i % 4 == 0 {
            server.route(&path, hostile(i / 4 % 4).after(Duration::from_millis(200)));
            resources.push(res(&format!("hostile-{i}"), server.url(&path)));
        } else {
            server.route(
                &path,
                Reply::html(&format!(
                    "<title>Normal {i}</title><main><p>Ordinary text of page {i}.</p></main>"
                ))
                .after(Duration::from_millis(200)),
            );
            resources.push(res(&format!("normal-{i}"), server.url(&path)));
        }
    }
    let project = Project::new(&resources);
    let out = check_async(project.path(), &["--concurrency", "64", "--per-host", "64"]).await;
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );

    let rows = project.links();
    assert_eq!(rows.len(), 64);
    for row in &rows {
        assert!(!row["status"].is_empty(), "{row:?}");
        if row["id"].starts_with("normal-") {
            assert_eq!(row["status"], "ok", "{row:?}");
        }
    }
    let at_once = server.max_concurrent();
    assert!(
        at_once >= 32,
        "the links were checked at once, saw {at_once}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_too_complex_to_read_is_checked_for_its_status_only() {
    let server = TestServer::start().await;
    let deep = format!(
        "<title>Deep</title><body>{}deep{}</body>",
        "<div>".repeat(200_000),
        "</div>".repeat(200_000)
    );
    server.route("/deep", Reply::html(&deep));
    let project = Project::new(&[res("deep", server.url("/deep"))]);
    let out = check_async(project.path(), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let row = project.row_in("reports", "deep");
    assert_eq!(row["status"], "ok");
    assert!(
        row["detail"].ends_with("page too complex to read; content not compared"),
        "{row:?}"
    );
    let snapshot = project
        .reports()
        .join(linkwatch::state::Snapshots::accepted_path("deep"));
    assert!(!snapshot.exists(), "nothing of it becomes the baseline");
}
