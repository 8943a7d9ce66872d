//! `linkwatch export`: the catalog as one row per resource, joined with the last audit when
//! there is one, and its writers (CSV, spreadsheet, JSON, Markdown); CSV and spreadsheets read
//! back for `import`.

pub mod csv;
pub mod json;
pub mod md;
pub mod sheet;
pub mod xlsx;

use crate::catalog::Catalog;
use crate::report::AuditResults;
use crate::time::rfc3339;
use serde::Serialize;
use std::collections::HashMap;

/// The columns of every export, in order; `import` reads the CSV back by these names.
pub const COLUMNS: [&str; 18] = [
    "folder",
    "folder_title",
    "id",
    "title",
    "url",
    "kind",
    "organization",
    "audience",
    "tags",
    "description",
    "added",
    "reviewed",
    "status",
    "http_status",
    "final_url",
    "checked_at",
    "failing_since",
    "archived",
];

/// Separator of list cells (`audience`, `tags`) in CSV and spreadsheet exports.
pub const LIST_SEPARATOR: &str = ", ";

/// One resource with its folder and, when an audit covered it, what the audit found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub folder: String,
    pub folder_title: String,
    pub id: String,
    pub title: String,
    pub url: String,
    pub kind: String,
    pub organization: String,
    pub audience: Vec<String>,
    pub tags: Vec<String>,
    pub description: Option<String>,
    pub added: Option<String>,
    pub reviewed: Option<String>,
    pub status: Option<String>,
    pub http_status: Option<u16>,
    pub final_url: Option<String>,
    pub checked_at: Option<String>,
    pub failing_since: Option<String>,
    /// An archived copy of a lost resource (see [`crate::report::Outcome::archived`]).
    pub archived: Option<String>,
}

impl Row {
    /// The row as text cells in [`COLUMNS`] order; lists joined with [`LIST_SEPARATOR`].
    pub fn cells(&self) -> [String; 18] {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        [
            self.folder.clone(),
            self.folder_title.clone(),
            self.id.clone(),
            self.title.clone(),
            self.url.clone(),
            self.kind.clone(),
            self.organization.clone(),
            self.audience.join(LIST_SEPARATOR),
            self.tags.join(LIST_SEPARATOR),
            opt(&self.description),
            opt(&self.added),
            opt(&self.reviewed),
            opt(&self.status),
            self.http_status.map(|s| s.to_string()).unwrap_or_default(),
            opt(&self.final_url),
            opt(&self.checked_at),
            opt(&self.failing_since),
            opt(&self.archived),
        ]
    }
}

/// One row per resource, in catalog order; the audit columns are filled for resources the
/// audit covered.
pub fn rows(catalog: &Catalog, audit: Option<&AuditResults>) -> Vec<Row> {
    let outcomes: HashMap<&str, _> = audit
        .map(|a| a.outcomes.iter().map(|o| (o.id.as_str(), o)).collect())
        .unwrap_or_default();
    catalog
        .resources
        .iter()
        .map(|entry| {
            let r = &entry.resource;
            let outcome = outcomes.get(r.id.as_str());
            Row {
                folder: entry.folder.clone(),
                folder_title: catalog
                    .folder(&entry.folder)
                    .map_or_else(|| entry.folder.clone(), |f| f.title.clone()),
                id: r.id.clone(),
                title: r.title.clone(),
                url: r.url.clone(),
                kind: r.kind.as_str().to_owned(),
                organization: r.organization.clone(),
                audience: r.audience.iter().map(|a| a.as_str().to_owned()).collect(),
                tags: r.tags.clone(),
                description: r.description.clone(),
                added: r.added.map(|d| d.to_string()),
                reviewed: r.reviewed.map(|d| d.to_string()),
                status: outcome.map(|o| o.status.as_str().to_owned()),
                http_status: outcome.and_then(|o| o.http_status),
                final_url: outcome.and_then(|o| o.final_url.clone()),
                checked_at: outcome.map(|o| rfc3339(o.checked_at)),
                failing_since: outcome.and_then(|o| o.failing_since.map(rfc3339)),
                archived: outcome.and_then(|o| o.archived.clone()),
            }
        })
        .collect()
}

/// The folders of `rows` in first-seen order, each with its title and its rows.
pub fn by_folder(rows: &[Row]) -> Vec<(&str, &str, Vec<&Row>)> {
    let mut folders: Vec<(&str, &str, Vec<&Row>)> = Vec::new();
    for row in rows {
        match folders.iter_mut().find(|(id, _, _)| *id == row.folder) {
            Some((_, _, list)) => list.push(row),
            None => folders.push((&row.folder, &row.folder_title, vec![row])),
        }
    }
    folders
}
