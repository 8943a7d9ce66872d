//! `linkwatch validate` on fixture catalogs: exact output and exit codes, in every format.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/catalogs")
}

/// Runs `linkwatch validate ARGS` from `dir`, so paths in the output are relative to it.
fn validate(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_linkwatch"))
        .arg("validate")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Each fixture's human output equals its `expected.txt`, with the exit code given.
fn assert_fixture(name: &str, code: i32) {
    let out = validate(&fixtures(), &["--catalog", name]);
    let expected = std::fs::read_to_string(fixtures().join(name).join("expected.txt")).unwrap();
    assert_eq!(stdout(&out), expected, "output of fixture {name}");
    assert_eq!(out.status.code(), Some(code), "exit code of fixture {name}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn valid_catalog_passes() {
    assert_fixture("valid", 0);
    assert_eq!(
        stdout(&validate(&fixtures(), &["--catalog", "valid"])),
        "catalog OK: 2 resources in 2 folders\n"
    );
}

#[test]
fn toml_syntax_error() {
    assert_fixture("syntax", 1);
}

#[test]
fn invalid_calendar_date_is_a_syntax_error() {
    assert_fixture("invalid-date", 1);
}

#[test]
fn file_that_is_not_utf8() {
    assert_fixture("not-utf8", 1);
}

#[test]
fn missing_required_fields() {
    assert_fixture("missing-fields", 1);
}

#[test]
fn unknown_fields_with_did_you_mean() {
    assert_fixture("unknown-fields", 1);
}

#[test]
fn wrong_types() {
    assert_fixture("wrong-types", 1);
}

#[test]
fn bad_slugs() {
    assert_fixture("bad-slugs", 1);
}

#[test]
fn duplicate_ids_across_files() {
    assert_fixture("duplicate-ids", 1);
}

#[test]
fn duplicate_urls_are_a_warning() {
    assert_fixture("duplicate-urls", 0);
}

#[test]
fn bad_urls() {
    assert_fixture("bad-urls", 1);
}

#[test]
fn kinds_and_audiences_outside_the_vocabulary() {
    assert_fixture("vocabulary", 1);
}

#[test]
fn future_and_malformed_dates() {
    assert_fixture("dates", 1);
}

#[test]
fn orphan_file_and_folder_without_file_are_warnings() {
    assert_fixture("orphans", 0);
}

#[test]
fn watch_rules() {
    assert_fixture("watch", 1);
}

#[test]
fn github_format() {
    let out = validate(&fixtures(), &["--catalog", "orphans", "--format", "github"]);
    assert_eq!(
        stdout(&out),
        "::warning file=orphans/catalog.toml,line=5,col=6::folder `guides` has no file guides.toml%0Ahelp: create orphans/guides.toml with its [[resource]] tables, or remove the folder\n\
         ::warning file=orphans/guide.toml,line=1,col=1::guide.toml belongs to no folder; its resources are not loaded%0Ahelp: did you mean to name it guides.toml?\n\
         0 errors, 2 warnings in 2 files\n"
    );
    assert_eq!(out.status.code(), Some(0));
    let out = validate(
        &fixtures(),
        &["--catalog", "duplicate-ids", "--format", "github"],
    );
    assert_eq!(
        stdout(&out),
        "::error file=duplicate-ids/more.toml,line=2,col=6::duplicate resource id `same` (first defined at duplicate-ids/guides.toml:2:6)\n\
         1 error, 0 warnings in 3 files\n"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn json_format() {
    let out = validate(
        &fixtures(),
        &["--catalog", "vocabulary", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!([
            {"severity": "error", "file": "vocabulary/guides.toml", "line": 5, "column": 8,
             "message": "unknown kind `factsheet`", "help": "did you mean `fact-sheet`?"},
            {"severity": "error", "file": "vocabulary/guides.toml", "line": 7, "column": 20,
             "message": "unknown audience `law-enforcment`", "help": "did you mean `law-enforcement`?"},
            {"severity": "error", "file": "vocabulary/guides.toml", "line": 7, "column": 38,
             "message": "unknown audience `aliens`",
             "help": "expected one of: cac, mdt, law-enforcement, prosecutor, medical, mental-health, child-welfare, victim-advocate, caregiver, educator, youth"}
        ])
    );
    assert_eq!(out.status.code(), Some(1));
    let out = validate(&fixtures(), &["--catalog", "valid", "--format", "json"]);
    assert_eq!(stdout(&out), "[]\n");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn missing_directory_exits_2() {
    let out = validate(&fixtures(), &["--catalog", "no-such-dir"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "linkwatch: error: catalog directory no-such-dir not found\n"
    );
}

#[test]
fn missing_catalog_toml_exits_2() {
    let out = validate(&fixtures(), &["--catalog", "no-catalog-file"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "linkwatch: error: no-catalog-file/catalog.toml not found: a catalog directory needs its catalog.toml\n"
    );
}

#[test]
fn bundled_catalog_is_valid() {
    let out = validate(Path::new(env!("CARGO_MANIFEST_DIR")), &[]);
    assert_eq!(stdout(&out), "catalog OK: 57 resources in 4 folders\n");
    assert_eq!(out.status.code(), Some(0));
}
