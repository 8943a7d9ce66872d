//! The committed JSON Schema matches the serde types, and the validator knows the same fields.

use linkwatch::catalog::load::{
    CATALOG_FIELDS, FOLDER_FIELDS, RESOURCE_FIELDS, RESOURCE_FILE_FIELDS, WATCH_FIELDS,
};
use linkwatch::catalog::schema::schema_json;
use std::collections::BTreeSet;
use std::path::Path;

#[test]
fn committed_schema_matches_generated() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog/catalog.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == schema_json(),
        "{} is out of date with the serde types; regenerate it with:\n  cargo run -- schema > catalog/catalog.schema.json",
        path.display()
    );
}

#[test]
fn validator_fields_equal_schema_properties() {
    let schema: serde_json::Value = serde_json::from_str(&schema_json()).unwrap();
    for (definition, fields) in [
        ("CatalogFile", CATALOG_FIELDS),
        ("Folder", FOLDER_FIELDS),
        ("ResourceFile", RESOURCE_FILE_FIELDS),
        ("Resource", RESOURCE_FIELDS),
        ("Watch", WATCH_FIELDS),
    ] {
        let properties: BTreeSet<&str> = schema["definitions"][definition]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("no properties for {definition}"))
            .keys()
            .map(String::as_str)
            .collect();
        let known: BTreeSet<&str> = fields.iter().copied().collect();
        assert_eq!(known, properties, "fields of {definition}");
    }
}

#[test]
fn bundled_files_point_editors_at_the_schema() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog");
    let mut toml_files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            toml_files += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            assert_eq!(
                text.lines().next(),
                Some("#:schema ./catalog.schema.json"),
                "{}",
                path.display()
            );
        }
    }
    assert_eq!(toml_files, 5);
}
