//! `import`: compare a maintainer's spreadsheet with the catalog and apply the difference.

use crate::catalog::doc::{ReadError, append_resource, folder_file, read_folders};
use crate::catalog::{Audience, Catalog, Kind, Resource};
use crate::export::csv::restore;
use crate::url::WebUrl;
use std::io;
use std::path::{Path, PathBuf};

/// One resource as a maintainer's spreadsheet has it.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub folder: String,
    pub resource: Resource,
}

/// One change `import` would make.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportChange {
    Add(Imported),
    /// The resource with its new fields (the catalog's `watch` kept), the folder it was in, and
    /// the names of the fields that differ.
    Change {
        new: Imported,
        old_folder: String,
        fields: Vec<&'static str>,
    },
    Remove {
        id: String,
        folder: String,
    },
}

/// Compares the spreadsheet's rows with the catalog: rows with a new id are added, rows whose
/// fields differ are changed, and catalog resources missing from the rows are removed.
pub fn plan_import(catalog: &Catalog, rows: &[Imported]) -> Vec<ImportChange> {
    let mut changes = Vec::new();
    for row in rows {
        let Some(old) = catalog
            .resources
            .iter()
            .find(|e| e.resource.id == row.resource.id)
        else {
            changes.push(ImportChange::Add(row.clone()));
            continue;
        };
        let mut new = row.clone();
        new.resource.watch = old.resource.watch.clone();
        let (a, b) = (&old.resource, &new.resource);
        let fields: Vec<&'static str> = [
            ("folder", old.folder != new.folder),
            ("title", a.title != b.title),
            ("url", a.url != b.url),
            ("kind", a.kind != b.kind),
            ("organization", a.organization != b.organization),
            ("description", a.description != b.description),
            ("audience", a.audience != b.audience),
            ("tags", a.tags != b.tags),
            ("added", a.added != b.added),
            ("reviewed", a.reviewed != b.reviewed),
        ]
        .into_iter()
        .filter_map(|(name, differs)| differs.then_some(name))
        .collect();
        if !fields.is_empty() {
            changes.push(ImportChange::Change {
                new,
                old_folder: old.folder.clone(),
                fields,
            });
        }
    }
    for e in &catalog.resources {
        if !rows.iter().any(|r| r.resource.id == e.resource.id) {
            changes.push(ImportChange::Remove {
                id: e.resource.id.clone(),
                folder: e.folder.clone(),
            });
        }
    }
    changes
}

/// Applies `changes` to the folder files in `dir`; returns each changed file's old and new
/// text. A resource that changes folder leaves its old file and is appended to the new one.
pub fn apply_import(
    dir: &Path,
    catalog: &Catalog,
    changes: &[ImportChange],
) -> Result<Vec<(PathBuf, String, String)>, ReadError> {
    let ids: Vec<&str> = catalog.meta.folders.iter().map(|f| f.id.as_str()).collect();
    let mut files = read_folders(
        dir,
        ids.iter()
            .copied()
            .filter(|id| folder_file(dir, id).exists()),
    )?;
    let mut appended: Vec<(String, &Resource)> = Vec::new();
    for change in changes {
        match change {
            ImportChange::Add(new) => appended.push((new.folder.clone(), &new.resource)),
            ImportChange::Change {
                new, old_folder, ..
            } => {
                if let Some((_, _, doc)) = files.iter_mut().find(|(f, _, _)| f == old_folder) {
                    if *old_folder == new.folder {
                        doc.update(&new.resource)?;
                    } else {
                        doc.remove(&new.resource.id)?;
                        appended.push((new.folder.clone(), &new.resource));
                    }
                }
            }
            ImportChange::Remove { id, folder } => {
                if let Some((_, _, doc)) = files.iter_mut().find(|(f, _, _)| f == folder) {
                    doc.remove(id)?;
                }
            }
        }
    }
    let mut out = Vec::new();
    for (folder, old, doc) in files {
        let mut text = doc.render();
        for (_, r) in appended.iter().filter(|(f, _)| *f == folder) {
            text = append_resource(&text, r)?;
        }
        if text != old {
            out.push((doc.path().to_owned(), old, text));
        }
    }
    for folder in ids.iter().filter(|id| !folder_file(dir, id).exists()) {
        let mut text = String::new();
        for (_, r) in appended.iter().filter(|(f, _)| f == folder) {
            text = append_resource(&text, r)?;
        }
        if !text.is_empty() {
            out.push((folder_file(dir, folder), String::new(), text));
        }
    }
    Ok(out)
}

/// A spreadsheet row `import` cannot use; `row` counts the header as row 1, as a spreadsheet
/// shows it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("row {row}: {message}")]
pub struct RowError {
    pub row: u64,
    pub message: String,
}

/// Reads a CSV in the export's columns (the audit columns are ignored, extra columns too),
/// undoing the formula neutralisation. Every bad row is reported; `folders` are the folder ids
/// rows may name.
pub fn read(input: impl io::Read, folders: &[&str]) -> Result<Vec<Imported>, Vec<RowError>> {
    let mut reader = ::csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(input);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(vec![RowError {
                row: 1,
                message: e.to_string(),
            }]);
        }
    };
    let column = |name: &str| headers.iter().position(|h| restore(h.trim()) == name);
    let required = ["folder", "id", "title", "url", "kind", "organization"];
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|c| column(c).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(vec![RowError {
            row: 1,
            message: format!("missing column(s): {}", missing.join(", ")),
        }]);
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i as u64 + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let row = e.position().map_or(row, |p| p.line());
                errors.push(RowError {
                    row,
                    message: e.to_string(),
                });
                continue;
            }
        };
        let cell = |name: &str| {
            column(name)
                .and_then(|i| record.get(i))
                .map(|c| restore(c.trim()).to_owned())
                .unwrap_or_default()
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match parse_row(&cell, folders) {
            Ok(imported) => rows.push(imported),
            Err(message) => errors.push(RowError { row, message }),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn parse_row(cell: &dyn Fn(&str) -> String, folders: &[&str]) -> Result<Imported, String> {
    let folder = cell("folder");
    if !folders.contains(&folder.as_str()) {
        return Err(format!(
            "unknown folder `{folder}` (expected one of: {})",
            folders.join(", ")
        ));
    }
    let required = |name: &str| {
        let v = cell(name);
        if v.is_empty() {
            Err(format!("`{name}` is empty"))
        } else {
            Ok(v)
        }
    };
    let optional = |name: &str| Some(cell(name)).filter(|v| !v.is_empty());
    let list = |name: &str| -> Vec<String> {
        cell(name)
            .split([',', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let date = |name: &str| -> Result<Option<jiff::civil::Date>, String> {
        optional(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| format!("`{name}` is not a date like 2024-05-01: `{v}`"))
            })
            .transpose()
    };
    let kind_text = required("kind")?;
    let kind: Kind = kind_text.parse()?;
    let audience = list("audience")
        .iter()
        .map(|a| a.parse::<Audience>())
        .collect::<Result<Vec<_>, _>>()?;
    let url = required("url")?;
    if let Err(e) = WebUrl::parse(&url) {
        return Err(format!("`url` is not a web URL: {e}"));
    }
    Ok(Imported {
        folder,
        resource: Resource {
            id: required("id")?,
            title: required("title")?,
            url,
            kind,
            organization: required("organization")?,
            description: optional("description"),
            audience,
            tags: list("tags"),
            added: date("added")?,
            reviewed: date("reviewed")?,
            watch: None,
        },
    })
}
