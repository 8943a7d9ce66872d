//! The catalog's JSON Schema, generated from the serde types the loader uses.

use super::model::{CatalogFile, ResourceFile};

/// One schema that fits both `catalog.toml` and every `<folder-id>.toml`, as pretty JSON with a
/// trailing newline (the text committed as `catalog/catalog.schema.json`).
pub fn schema_json() -> String {
    let mut generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let catalog = generator.subschema_for::<CatalogFile>();
    let resources = generator.subschema_for::<ResourceFile>();
    let defs = generator.take_definitions(true);
    let schema = serde_json::json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "linkwatch catalog",
        "description": "catalog/catalog.toml (the toolkit and its folders) or catalog/<folder-id>.toml (a folder's resources).",
        "anyOf": [catalog, resources],
        "definitions": defs,
    });
    let mut text = serde_json::to_string_pretty(&schema).expect("a JSON value always serializes");
    text.push('\n');
    text
}
