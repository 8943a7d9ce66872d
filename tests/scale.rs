//! Writers that stay inside their folder, pages that misname their charset, and the catalog
//! edits `import` makes at the size of a large catalog.

use linkwatch::catalog::doc::CatalogDoc;
use linkwatch::catalog::{Entry, Kind, Resource, Watch};
use linkwatch::check::{Fetch, Hop};
use linkwatch::content;
use linkwatch::state::{self, Baseline, Snapshots, StateError};
use linkwatch::status::Status;
use std::collections::HashSet;
use std::path::Path;

const URL: &str = "https://example.org/guides/interview";

fn entry() -> Entry {
    Entry {
        folder: "f".to_owned(),
        resource: Resource::new(
            "guide",
            "Forensic interview guide",
            URL,
            Kind::Guide,
            "Example Center",
        ),
    }
}

fn page(fixture: &str) -> Fetch {
    let body = std::fs::read(Path::new("tests/fixtures/pages").join(fixture)).unwrap();
    Fetch {
        chain: vec![Hop::new(URL, 200)],
        final_url: URL.to_owned(),
        http_status: Some(200),
        content_type: Some("text/html; charset=utf-8".to_owned()),
        wire_bytes: body.len() as u64,
        body,
        attempts: 1,
        got_http_answer: true,
        ..Fetch::default()
    }
}

/// One audit of the resource into `out`, as the orchestrator runs it: load, assess, save.
fn audit(out: &Path, fixture: &str, day: u8) -> Result<(), StateError> {
    let mut baseline = Baseline::load(out)?;
    let snapshots = Snapshots::new(out);
    let at = format!("2026-11-{day:02}T06:00:00Z").parse().unwrap();
    let ok = (Status::Ok, "200 OK".to_owned());
    state::assess(
        &mut baseline,
        &snapshots,
        &entry(),
        &page(fixture),
        ok,
        2,
        at,
    )?;
    baseline.save(out, &snapshots)
}

fn is_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).unwrap().next().is_none()
}

#[cfg(unix)]
#[test]
fn the_baseline_is_not_written_through_a_symlinked_snapshots_dir() {
    let out = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), out.path().join("snapshots")).unwrap();
    let err = audit(out.path(), "guide.html", 1).unwrap_err();
    assert!(
        format!("{err}").contains("is a symbolic link to a directory"),
        "{err}"
    );
    assert!(is_empty(elsewhere.path()), "nothing written outside --out");
}

#[cfg(unix)]
#[test]
fn the_baseline_is_not_written_through_a_symlinked_subdir_of_out() {
    let out = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    audit(out.path(), "guide.html", 1).unwrap();
    let pending = out.path().join("snapshots").join("pending");
    assert!(!pending.exists());
    std::os::unix::fs::symlink(elsewhere.path(), &pending).unwrap();
    let err = audit(out.path(), "guide-rewritten.html", 2).unwrap_err();
    assert!(
        format!("{err}").contains("is a symbolic link to a directory"),
        "{err}"
    );
    assert!(is_empty(elsewhere.path()), "nothing written outside --out");
}

#[cfg(unix)]
#[test]
fn reports_are_written_into_a_symlinked_out_dir_but_not_through_a_linked_file_dir() {
    let results = linkwatch::report::AuditResults {
        schema_version: linkwatch::report::RESULTS_SCHEMA_VERSION,
        catalog: linkwatch::report::CatalogInfo {
            title: "T".to_owned(),
            publisher: "P".to_owned(),
            folders: vec![],
        },
        started_at: "2026-11-01T06:00:00Z".parse().unwrap(),
        finished_at: "2026-11-01T06:01:00Z".parse().unwrap(),
        complete: true,
        selected: 0,
        only: vec![],
        shard: None,
        confirm_after: 2,
        outcomes: vec![],
        checked_this_run: vec![],
        baseline_digest: None,
        network_down: false,
    };
    let root = tempfile::tempdir().unwrap();
    let real = root.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let linked_out = root.path().join("reports");
    std::os::unix::fs::symlink(&real, &linked_out).unwrap();
    // Staged reports are not in place until committed, and leave nothing when dropped.
    let staged = linkwatch::report::stage_all(&linked_out, &results, &Default::default()).unwrap();
    let names = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&real)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(names().len(), 3);
    assert!(names().iter().all(|n| n.ends_with(".tmp")), "{:?}", names());
    drop(staged);
    assert!(names().is_empty(), "{:?}", names());
    linkwatch::report::stage_all(&linked_out, &results, &Default::default())
        .unwrap()
        .commit()
        .unwrap();
    assert_eq!(names(), ["links.csv", "report.md", "results.json"]);
    std::fs::remove_file(real.join(linkwatch::report::RESULTS_JSON)).unwrap();
    linkwatch::report::write_all(&linked_out, &results, &Default::default()).unwrap();
    assert!(real.join(linkwatch::report::RESULTS_JSON).is_file());

    // A results file name that leads through a symlinked directory is refused.
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), real.join("sub")).unwrap();
    let err = linkwatch::fsutil::ensure_within(&linked_out, &linked_out.join("sub/links.csv"))
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied);
    assert!(is_empty(elsewhere.path()));
}

#[test]
fn meta_charset_utf16_on_a_byte_page_means_utf8_and_a_bom_still_wins() {
    let watch = Watch::default();
    for label in ["utf-16", "UTF-16LE", "utf-16be"] {
        let body = format!(
            "<html><head><meta charset=\"{label}\"><title>Caf\u{e9}</title></head>\
             <body><p>Caf\u{e9} cr\u{e8}me</p></body></html>"
        );
        let page = content::extract(body.as_bytes(), Some("text/html"), &watch);
        assert_eq!(page.text, "Café crème", "{label}");
        assert_eq!(page.title.as_deref(), Some("Café"), "{label}");
    }
    let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
    for unit in "<meta charset=\"utf-16\"><p>Caf\u{e9}</p>".encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let page = content::extract(&utf16, Some("text/html"), &watch);
    assert_eq!(page.text, "Café");
}

#[test]
fn removing_many_resources_at_once_keeps_the_comments_of_those_that_stay() {
    let text = "# File header.\n\n# About a.\n[[resource]]\nid = \"a\"\n\n\
                # Section two.\n\n# About b.\n[[resource]]\nid = \"b\"\n\n\
                # About c.\n[[resource]]\nid = \"c\" # keep\n\n\
                # Trailing section.\n\n[[resource]]\nid = \"d\"\n";
    let mut doc = CatalogDoc::parse(Path::new("x.toml"), text).unwrap();
    doc.remove_all(&HashSet::from(["a", "b", "d"])).unwrap();
    assert_eq!(
        doc.render(),
        "# File header.\n\n# Section two.\n\n# About c.\n[[resource]]\nid = \"c\" # keep\n\n\
         # Trailing section.\n\n"
    );
    let mut one_by_one = CatalogDoc::parse(Path::new("x.toml"), text).unwrap();
    for id in ["a", "b", "d"] {
        one_by_one.remove(id).unwrap();
    }
    assert_eq!(one_by_one.render(), doc.render());
    assert!(doc.remove("a").is_err(), "a is gone");
}

#[test]
fn an_import_of_thousands_of_edited_rows_updates_each_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let n = 4_000;
    std::fs::write(
        dir.path().join("catalog.toml"),
        "title = \"T\"\npublisher = \"P\"\n\n[[folder]]\nid = \"a\"\ntitle = \"A\"\n\n\
         [[folder]]\nid = \"b\"\ntitle = \"B\"\n",
    )
    .unwrap();
    let mut a = String::new();
    for i in 0..n {
        a.push_str(&format!(
            "[[resource]]\nid = \"r{i}\"\ntitle = \"R {i}\"\nurl = \"https://example.org/{i}\"\n\
             kind = \"guide\"\norganization = \"Org\"\n\n"
        ));
    }
    std::fs::write(dir.path().join("a.toml"), a).unwrap();
    std::fs::write(dir.path().join("b.toml"), "").unwrap();
    let today = jiff::civil::date(2026, 11, 28);
    let loaded = linkwatch::catalog::load(dir.path(), today).unwrap();
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    use linkwatch::maintain::import::{Imported, apply_import, plan_import};
    // Every even resource gets a new title; every tenth moves to folder b.
    let rows: Vec<Imported> = loaded
        .catalog
        .resources
        .iter()
        .filter(|e| {
            e.resource.id[1..]
                .parse::<usize>()
                .unwrap()
                .is_multiple_of(2)
        })
        .map(|e| {
            let i: usize = e.resource.id[1..].parse().unwrap();
            let mut resource = e.resource.clone();
            resource.title = format!("R {i} edited");
            Imported {
                folder: if i.is_multiple_of(10) { "b" } else { "a" }.to_owned(),
                resource,
            }
        })
        .collect();
    let plan = plan_import(&loaded.catalog, &rows, false);
    assert_eq!(plan.changes.len(), n / 2);
    assert_eq!(plan.kept, n / 2);
    let files = apply_import(dir.path(), &loaded.catalog, &plan.changes).unwrap();
    for (path, _, new) in &files {
        std::fs::write(path, new).unwrap();
    }
    let after = linkwatch::catalog::load(dir.path(), today).unwrap();
    assert!(after.diagnostics.is_empty(), "{:?}", after.diagnostics);
    assert_eq!(after.catalog.resources.len(), n);
    for e in &after.catalog.resources {
        let i: usize = e.resource.id[1..].parse().unwrap();
        let title = if i.is_multiple_of(2) {
            format!("R {i} edited")
        } else {
            format!("R {i}")
        };
        assert_eq!(e.resource.title, title);
        let folder = if i.is_multiple_of(10) { "b" } else { "a" };
        assert_eq!(e.folder, folder, "{}", e.resource.id);
    }
}
