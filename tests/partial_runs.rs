//! Partial runs (`--only`) never replace the full audit: they update their own rows of
//! `results.json`, `links.csv` and `report.md`, and the other rows keep their last result.

use crate::common::{Project, res, stderr};
use crate::support::{Reply, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_run_updates_its_rows_and_keeps_the_others_with_their_checked_at() {
    let server = TestServer::start().await;
    server.route("/a", Reply::html("<title>A</title><p>a</p>"));
    server.route("/b", Reply::html("<title>B</title><p>b</p>"));
    server.route("/c", Reply::html("<title>C</title><p>c</p>"));
    let project = Project::new(&[
        res("alpha", server.url("/a")),
        res("beta", server.url("/b")),
        res("gamma", server.url("/c")).in_folder("docs"),
    ]);
    let out = crate::common::check_async(project.path(), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let before = project.links();

    server.route("/b", Reply::status(404));
    let out = crate::common::check_async(project.path(), &["--only", "beta"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let after = project.links();
    let row = |rows: &[std::collections::HashMap<String, String>], id: &str| {
        rows.iter().find(|r| r["id"] == id).cloned().expect(id)
    };
    assert_eq!(after.len(), 3, "every row is still there");
    assert_eq!(row(&after, "beta")["status"], "broken");
    for id in ["alpha", "gamma"] {
        assert_eq!(
            row(&after, id),
            row(&before, id),
            "{id} keeps its last result"
        );
    }
    let report = std::fs::read_to_string(project.reports().join("report.md")).unwrap();
    assert!(
        report.contains("This run checked 1 of the 3 links below"),
        "{report}"
    );
}
