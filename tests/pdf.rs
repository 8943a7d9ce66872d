//! PDFs over two audits against a local server: compared by their text, so a PDF regenerated
//! with new dates and IDs is `ok` and a revised one is `changed` with a text diff; by their bytes
//! when they have no text; and a baseline that recorded a PDF by its bytes (before PDFs were
//! read as text) raises no false change. The fixtures are in `tests/fixtures/pdf/`.

use crate::common::{Project, res, run_in, stderr};
use crate::support::{Reply, TestServer};
use std::collections::HashMap;

use crate::common::check_async as check;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/pdf/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn pdf(name: &str) -> Reply {
    Reply::bytes("application/pdf", &fixture(name))
}

/// Starts a server with `/guide.pdf` answering `first`, and a project that watches it.
async fn watching(first: &str) -> (TestServer, Project) {
    let server = TestServer::start().await;
    server.route("/guide.pdf", pdf(first));
    let project = Project::new(&[res("guide", server.url("/guide.pdf")).in_folder("docs")]);
    (server, project)
}

/// Runs one audit and returns the guide's row of `links.csv`.
async fn audit(project: &Project) -> HashMap<String, String> {
    let out = check(project.path(), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    project.row("guide")
}

fn read(project: &Project, file: &str) -> String {
    std::fs::read_to_string(project.reports().join(file)).unwrap()
}

fn state(project: &Project) -> serde_json::Value {
    serde_json::from_str(&read(project, "state.json")).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pdf_regenerated_with_new_dates_and_ids_is_ok() {
    let (server, project) = watching("guide.pdf").await;
    let first = audit(&project).await;
    assert_eq!(first["status"], "ok", "{first:?}");
    let snapshot = read(&project, "snapshots/guide.txt");
    assert!(
        snapshot.starts_with("Safety planning guide\n\n")
            && snapshot.contains("\nOur hotline is open day and night: call 1-800-555-0100.\n"),
        "the text is the snapshot: {snapshot}"
    );
    assert_eq!(state(&project)["resources"]["guide"]["is_document"], false);

    server.route("/guide.pdf", pdf("guide-regenerated.pdf"));
    let second = audit(&project).await;
    assert_eq!(
        (second["status"].as_str(), second["similarity"].as_str()),
        ("ok", "1.000"),
        "{second:?}"
    );
    assert!(!second["detail"].contains("PDF"), "{second:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revised_pdf_is_changed_with_a_text_diff() {
    let (server, project) = watching("guide.pdf").await;
    assert_eq!(audit(&project).await["status"], "ok");

    server.route("/guide.pdf", pdf("guide-revised.pdf"));
    let out = check(project.path(), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let row = project.row("guide");
    assert_eq!(row["status"], "changed", "{row:?}");
    assert!(
        row["detail"].contains("phone number 1-800-555-0100 became 1-800-555-0199"),
        "{row:?}"
    );
    let report = read(&project, "report.md");
    for line in [
        "-Keep important papers and a spare key somewhere safe.",
        "+Pack a bag with medicine, phone chargers and cash.",
    ] {
        assert!(report.contains(line), "{line} in {report}");
    }

    let accepted = run_in(project.path(), &["accept", "guide"]);
    assert_eq!(accepted.status.code(), Some(0), "{}", stderr(&accepted));
    assert_eq!(
        audit(&project).await["status"],
        "ok",
        "the revision is accepted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pdf_without_text_is_compared_by_its_bytes() {
    let (server, project) = watching("scanned.pdf").await;
    let first = audit(&project).await;
    assert_eq!(first["status"], "ok", "{first:?}");
    assert!(
        first["detail"]
            .ends_with("; PDF compared by its bytes: no extractable text (scanned images?)"),
        "{first:?}"
    );
    let len = fixture("scanned.pdf").len();
    let hash = blake3::hash(&fixture("scanned.pdf")).to_hex().to_string();
    assert_eq!(
        read(&project, "snapshots/guide.txt"),
        format!("\n\ndocument: {len} bytes, blake3 {hash}\n")
    );
    assert_eq!(state(&project)["resources"]["guide"]["is_document"], true);

    // The same again: unchanged.
    assert_eq!(audit(&project).await["status"], "ok");

    // Regenerated, with no text to tell: the bytes differ.
    server.route("/guide.pdf", pdf("scanned-regenerated.pdf"));
    let row = audit(&project).await;
    assert_eq!(row["status"], "changed", "{row:?}");
    assert!(
        row["detail"].contains(&format!("document changed ({len} → {len} bytes)")),
        "{row:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pdf_baseline_recorded_by_bytes_is_recorded_anew_as_text() {
    let (server, project) = watching("guide.pdf").await;
    assert_eq!(audit(&project).await["status"], "ok");

    // The baseline as linkwatch wrote it while it compared PDFs by their bytes.
    let body = fixture("guide.pdf");
    let hash = blake3::hash(&body).to_hex().to_string();
    let mut old = state(&project);
    let guide = old["resources"]["guide"].as_object_mut().unwrap();
    guide.remove("title");
    guide.insert("fingerprint".into(), hash.clone().into());
    guide.insert("accepted_fingerprints".into(), vec![hash.clone()].into());
    guide.insert("length".into(), body.len().into());
    guide.insert("is_document".into(), true.into());
    guide.insert("facts".into(), serde_json::json!([]));
    let reports = project.reports();
    std::fs::write(reports.join("state.json"), old.to_string()).unwrap();
    std::fs::write(
        reports.join("snapshots/guide.txt"),
        format!("\n\ndocument: {} bytes, blake3 {hash}\n", body.len()),
    )
    .unwrap();

    let upgraded = audit(&project).await;
    assert_eq!(upgraded["status"], "ok", "{upgraded:?}");
    assert!(
        upgraded["detail"].ends_with("; PDF now compared by its text; snapshot recorded anew"),
        "{upgraded:?}"
    );
    assert!(read(&project, "snapshots/guide.txt").contains("call 1-800-555-0100."));
    assert_eq!(state(&project)["resources"]["guide"]["is_document"], false);

    server.route("/guide.pdf", pdf("guide-regenerated.pdf"));
    let regenerated = audit(&project).await;
    assert_eq!(regenerated["status"], "ok", "{regenerated:?}");
    assert!(!regenerated["detail"].contains("PDF"), "{regenerated:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pdf_changed_since_its_bytes_baseline_says_so() {
    // No text at first: the baseline is the bytes.
    let (server, project) = watching("scanned.pdf").await;
    assert_eq!(audit(&project).await["status"], "ok");

    server.route("/guide.pdf", pdf("guide.pdf"));
    let row = audit(&project).await;
    assert_eq!(row["status"], "changed", "{row:?}");
    assert!(
        row["detail"].contains("PDF changed (was compared by bytes)"),
        "{row:?}"
    );
    assert_eq!(
        read(&project, "snapshots/guide.txt").lines().last(),
        Some(
            format!(
                "document: {} bytes, blake3 {}",
                fixture("scanned.pdf").len(),
                blake3::hash(&fixture("scanned.pdf")).to_hex()
            )
            .as_str()
        ),
        "the accepted bytes stay until the change is accepted"
    );

    let accepted = run_in(project.path(), &["accept", "guide"]);
    assert_eq!(accepted.status.code(), Some(0), "{}", stderr(&accepted));
    assert!(read(&project, "snapshots/guide.txt").contains("call 1-800-555-0100."));
    server.route("/guide.pdf", pdf("guide-regenerated.pdf"));
    let row = audit(&project).await;
    assert_eq!(row["status"], "ok", "compared by text since: {row:?}");
}
