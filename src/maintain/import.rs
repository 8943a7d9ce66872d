//! `import`: compare a maintainer's spreadsheet with the catalog and apply the difference.
//! It merges: rows add or update resources, and a resource is removed only when asked
//! (`prune`), within the folders the spreadsheet covers.

use crate::catalog::doc::{ReadError, folder_file, push_resource, read_folders};
use crate::catalog::{Audience, Catalog, Kind, Resource};
use crate::export::sheet::{Cell, Sheet};
use crate::export::xlsx::serial_date;
use crate::url::WebUrl;
use jiff::civil::{Date, DateTime, Time};
use std::collections::{BTreeSet, HashMap, HashSet};
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

/// What `import` would do.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportPlan {
    pub changes: Vec<ImportChange>,
    /// Catalog resources without a row that stay: all of them without `prune`, those in
    /// folders the spreadsheet does not cover with it.
    pub kept: usize,
}

impl ImportPlan {
    /// How many resources the plan removes.
    pub fn removals(&self) -> usize {
        self.changes
            .iter()
            .filter(|c| matches!(c, ImportChange::Remove { .. }))
            .count()
    }

    /// Refuses a plan that removes more than a quarter of the `total` resources: that is a
    /// spreadsheet missing rows by mistake more often than a deliberate clean-up.
    pub fn check_removals(&self, total: usize) -> Result<(), TooManyRemovals> {
        let removing = self.removals();
        if removing * 4 > total {
            Err(TooManyRemovals { removing, total })
        } else {
            Ok(())
        }
    }
}

/// A prune that would remove more than a quarter of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("would remove {removing} of the catalog's {total} resources, more than a quarter")]
pub struct TooManyRemovals {
    pub removing: usize,
    pub total: usize,
}

/// Compares the spreadsheet's rows with the catalog: rows with a new id are added and rows
/// whose fields differ are changed. Catalog resources without a row are kept, unless `prune`:
/// then those in a folder that at least one row names are removed.
pub fn plan_import(catalog: &Catalog, rows: &[Imported], prune: bool) -> ImportPlan {
    let by_id: HashMap<&str, _> = catalog
        .resources
        .iter()
        .map(|e| (e.resource.id.as_str(), e))
        .collect();
    let mut changes = Vec::new();
    for row in rows {
        let Some(old) = by_id.get(row.resource.id.as_str()) else {
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
    let covered: BTreeSet<&str> = rows.iter().map(|r| r.folder.as_str()).collect();
    let in_rows: HashSet<&str> = rows.iter().map(|r| r.resource.id.as_str()).collect();
    let mut kept = 0;
    for e in &catalog.resources {
        if in_rows.contains(e.resource.id.as_str()) {
            continue;
        }
        if prune && covered.contains(e.folder.as_str()) {
            changes.push(ImportChange::Remove {
                id: e.resource.id.clone(),
                folder: e.folder.clone(),
            });
        } else {
            kept += 1;
        }
    }
    ImportPlan { changes, kept }
}

/// Applies `changes` to the folder files in `dir`; returns each changed file's old and new
/// text. A resource that changes folder leaves its old file and is appended to the new one.
/// The files are parsed one at a time, so memory follows the largest file, not the catalog.
pub fn apply_import(
    dir: &Path,
    catalog: &Catalog,
    changes: &[ImportChange],
) -> Result<Vec<(PathBuf, String, String)>, ReadError> {
    let mut updated: HashMap<&str, Vec<&Resource>> = HashMap::new();
    let mut appended: HashMap<&str, Vec<&Resource>> = HashMap::new();
    let mut removed: HashMap<&str, HashSet<&str>> = HashMap::new();
    for change in changes {
        match change {
            ImportChange::Add(new) => appended
                .entry(new.folder.as_str())
                .or_default()
                .push(&new.resource),
            ImportChange::Change {
                new, old_folder, ..
            } if *old_folder == new.folder => updated
                .entry(old_folder.as_str())
                .or_default()
                .push(&new.resource),
            ImportChange::Change {
                new, old_folder, ..
            } => {
                removed
                    .entry(old_folder.as_str())
                    .or_default()
                    .insert(new.resource.id.as_str());
                appended
                    .entry(new.folder.as_str())
                    .or_default()
                    .push(&new.resource);
            }
            ImportChange::Remove { id, folder } => {
                removed
                    .entry(folder.as_str())
                    .or_default()
                    .insert(id.as_str());
            }
        }
    }
    let mut out = Vec::new();
    for folder in catalog.meta.folders.iter().map(|f| f.id.as_str()) {
        let path = folder_file(dir, folder);
        let (old, mut text) = if path.exists() {
            let (_, old, mut doc) = read_folders(dir, [folder])?.remove(0);
            for r in updated.get(folder).into_iter().flatten() {
                doc.update(r)?;
            }
            if let Some(gone) = removed.get(folder) {
                doc.remove_all(gone)?;
            }
            let text = doc.render();
            (old, text)
        } else {
            (String::new(), String::new())
        };
        for r in appended.get(folder).into_iter().flatten() {
            push_resource(&mut text, r)?;
        }
        if text != old {
            out.push((path, old, text));
        }
    }
    Ok(out)
}

/// A spreadsheet row `import` cannot use; `row` counts the header as row 1, as a spreadsheet
/// shows it, and `sheet` names the workbook's sheet (none for CSV).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}row {row}: {message}", sheet.as_ref().map(|s| format!("sheet {s}, ")).unwrap_or_default())]
pub struct RowError {
    pub sheet: Option<String>,
    pub row: u64,
    pub message: String,
}

/// The columns a spreadsheet must have.
const REQUIRED: [&str; 6] = ["folder", "id", "title", "url", "kind", "organization"];
/// The other columns `import` reads.
const OPTIONAL: [&str; 5] = ["description", "audience", "tags", "added", "reviewed"];

/// Reads sheets in the export's columns (the audit columns are ignored, extra columns too).
/// Every bad row is reported; `folders` are the folder ids rows may name.
pub fn read(sheets: &[Sheet], folders: &[&str]) -> Result<Vec<Imported>, Vec<RowError>> {
    let mut rows: Vec<Imported> = Vec::new();
    let mut errors = Vec::new();
    let mut first_seen: HashMap<String, (Option<String>, u64)> = HashMap::new();
    for sheet in sheets {
        let error = |row: u64, message: String| RowError {
            sheet: sheet.name.clone(),
            row,
            message,
        };
        let Some((header, records)) = sheet.rows.split_first() else {
            errors.push(error(
                1,
                format!("missing column(s): {}", REQUIRED.join(", ")),
            ));
            continue;
        };
        let titles: Vec<String> = header.cells.iter().map(Cell::text).collect();
        let missing: Vec<&str> = REQUIRED
            .iter()
            .copied()
            .filter(|c| !titles.iter().any(|t| t == c))
            .collect();
        if !missing.is_empty() {
            errors.push(error(
                header.number,
                format!("missing column(s): {}", missing.join(", ")),
            ));
            continue;
        }
        for record in records {
            if record.cells.iter().all(|c| c.text().is_empty()) {
                continue;
            }
            let cells = Record {
                titles: &titles,
                cells: &record.cells,
            };
            match parse_row(&cells, folders) {
                Ok(imported) => {
                    let id = imported.resource.id.clone();
                    match first_seen.get(&id) {
                        Some((first_sheet, first_row)) => {
                            let at = match first_sheet {
                                Some(name) if Some(name) != sheet.name.as_ref() => {
                                    format!("sheet {name}, row {first_row}")
                                }
                                _ => format!("row {first_row}"),
                            };
                            errors.push(error(
                                record.number,
                                format!("duplicate id `{id}` (first at {at})"),
                            ));
                        }
                        None => {
                            first_seen.insert(id, (sheet.name.clone(), record.number));
                            rows.push(imported);
                        }
                    }
                }
                Err(message) => errors.push(error(record.number, message)),
            }
        }
    }
    if errors.is_empty() && rows.is_empty() {
        errors.push(RowError {
            sheet: sheets.first().and_then(|s| s.name.clone()),
            row: 2,
            message: "no data rows: the file has nothing to import".to_owned(),
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// A data row's cells, found by their column's title.
struct Record<'a> {
    titles: &'a [String],
    cells: &'a [Cell],
}

impl<'a> Record<'a> {
    fn get(&self, column: &str) -> Option<&'a Cell> {
        let i = self.titles.iter().position(|t| t == column)?;
        self.cells.get(i)
    }
}

fn parse_row(record: &Record<'_>, folders: &[&str]) -> Result<Imported, String> {
    let cell = |name: &str| record.get(name);
    for name in REQUIRED.iter().chain(&OPTIONAL) {
        if let Some(Cell::Error(e)) = cell(name) {
            return Err(format!("`{name}` holds the spreadsheet error {e}"));
        }
    }
    let text = |name: &str| cell(name).map(Cell::text).unwrap_or_default();
    let folder = text("folder");
    if !folders.contains(&folder.as_str()) {
        return Err(format!(
            "unknown folder `{folder}` (expected one of: {})",
            folders.join(", ")
        ));
    }
    let required = |name: &str| {
        let v = text(name);
        if v.is_empty() {
            Err(format!("`{name}` is empty"))
        } else {
            Ok(v)
        }
    };
    let optional = |name: &str| Some(text(name)).filter(|v| !v.is_empty());
    let list = |name: &str| -> Vec<String> {
        text(name)
            .split([',', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let date = |name: &str| date_cell(cell(name)).map_err(|e| e.message(name));
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

/// Why a date cell was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DateError {
    NotADate(String),
    /// Day and month could be either way round: the date read month first, and day first.
    Ambiguous {
        text: String,
        month_first: Date,
        day_first: Date,
    },
    TimeOfDay(String),
}

impl DateError {
    fn message(&self, column: &str) -> String {
        match self {
            DateError::NotADate(text) => {
                format!("`{column}` is not a date like 2024-05-01: `{text}`")
            }
            DateError::Ambiguous {
                text,
                month_first,
                day_first,
            } => format!(
                "`{column}`: ambiguous date {text}: write it as {month_first} or {day_first}"
            ),
            DateError::TimeOfDay(text) => format!(
                "`{column}` has a time of day, `{text}`: write the date alone, like 2024-05-01"
            ),
        }
    }
}

/// A date cell as a spreadsheet may have rewritten it: an xlsx date or serial number, or text.
fn date_cell(cell: Option<&Cell>) -> Result<Option<Date>, DateError> {
    match cell {
        None => Ok(None),
        Some(Cell::Text(text)) if text.is_empty() => Ok(None),
        Some(Cell::Text(text)) => parse_date(text).map(Some),
        Some(Cell::DateTime(dt)) => midnight(*dt).map(Some),
        Some(cell @ Cell::Number(n)) => serial_date(*n)
            .ok_or_else(|| DateError::NotADate(cell.text()))
            .and_then(midnight)
            .map(Some),
        Some(cell @ Cell::Error(_)) => Err(DateError::NotADate(cell.text())),
    }
}

fn midnight(dt: DateTime) -> Result<Date, DateError> {
    if dt.time() == Time::midnight() {
        Ok(dt.date())
    } else {
        Err(DateError::TimeOfDay(Cell::DateTime(dt).text()))
    }
}

/// Reads `2026-11-28`, and the forms spreadsheets rewrite it to: `2026-11-28 00:00:00`,
/// `11/28/2026` and `28/11/2026` (also with `.` or `-`; a day above 12 tells which is which,
/// and the same number twice needs no telling), each optionally with a midnight time.
fn parse_date(text: &str) -> Result<Date, DateError> {
    let not_a_date = || DateError::NotADate(text.to_owned());
    let (day, time) = match text.split_once([' ', 'T']) {
        Some((day, time)) => (day, Some(time.trim())),
        None => (text, None),
    };
    let date = if day.len() == 10 && day.as_bytes()[4] == b'-' {
        day.parse::<Date>().map_err(|_| not_a_date())?
    } else {
        let parts: Vec<&str> = day.split(['/', '.', '-']).collect();
        let number = |s: &str, digits: std::ops::RangeInclusive<usize>| {
            (digits.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<i16>().ok())
                .flatten()
        };
        let [a, b, year] = parts[..] else {
            return Err(not_a_date());
        };
        let (Some(a), Some(b), Some(year)) =
            (number(a, 1..=2), number(b, 1..=2), number(year, 4..=4))
        else {
            return Err(not_a_date());
        };
        let (month, day) = if a == b || (a <= 12 && b > 12) {
            (a, b)
        } else if a > 12 && b <= 12 {
            (b, a)
        } else if a <= 12 && b <= 12 {
            return Err(DateError::Ambiguous {
                text: text.to_owned(),
                month_first: jiff::civil::date(year, a as i8, b as i8),
                day_first: jiff::civil::date(year, b as i8, a as i8),
            });
        } else {
            return Err(not_a_date());
        };
        Date::new(year, month as i8, day as i8).map_err(|_| not_a_date())?
    };
    match time.map(parse_time) {
        None => Ok(date),
        Some(Some(t)) if t == Time::midnight() => Ok(date),
        Some(Some(_)) => Err(DateError::TimeOfDay(text.to_owned())),
        Some(None) => Err(not_a_date()),
    }
}

/// A time of day as spreadsheets write it: `0:00`, `00:00:00`, `00:00:00.000`.
fn parse_time(text: &str) -> Option<Time> {
    let digits = |s: &str, most: usize| {
        (1..=most).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    let (hms, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let parts: Vec<&str> = hms.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || !parts.iter().all(|p| digits(p, 2))
        || !digits(fraction, 9)
    {
        return None;
    }
    let part = |i: usize| parts.get(i).map_or(Some(0), |p| p.parse::<i8>().ok());
    let nanos = format!("{fraction:0<9}").parse::<i32>().ok()?;
    Time::new(part(0)?, part(1)?, part(2)?, nanos).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_csv(csv: &str) -> Result<Vec<Imported>, Vec<RowError>> {
        let sheets = crate::export::sheet::read(csv.as_bytes(), &["web"])
            .unwrap()
            .sheets;
        read(&sheets, &["web"])
    }

    const HEADER: &str = "folder,id,title,url,kind,organization\n";

    #[test]
    fn duplicate_ids_in_a_spreadsheet_are_rejected_with_both_rows() {
        let csv = format!(
            "{HEADER}web,a,A,https://a.example/,guide,Org\n\
             web,b,B,https://b.example/,guide,Org\n\
             web,a,A again,https://c.example/,guide,Org\n"
        );
        let errors = read_csv(&csv).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].to_string(),
            "row 4: duplicate id `a` (first at row 2)"
        );
    }

    #[test]
    fn a_spreadsheet_with_no_data_rows_is_rejected() {
        let errors = read_csv(HEADER).unwrap_err();
        assert_eq!(
            errors[0].to_string(),
            "row 2: no data rows: the file has nothing to import"
        );
    }

    #[test]
    fn dates_spreadsheets_rewrote_are_read_when_unambiguous() {
        let nov28 = jiff::civil::date(2026, 11, 28);
        for text in [
            "2026-11-28",
            "2026-11-28 00:00:00",
            "2026-11-28T00:00:00",
            "2026-11-28 00:00",
            "11/28/2026",
            "28/11/2026",
            "28.11.2026",
            "11/28/2026 0:00",
            "2026-11-28 00:00:00.000",
        ] {
            assert_eq!(parse_date(text), Ok(nov28), "{text}");
        }
        assert_eq!(parse_date("3/3/2026"), Ok(jiff::civil::date(2026, 3, 3)));
    }

    #[test]
    fn ambiguous_and_timed_dates_are_named() {
        assert_eq!(
            parse_date("03/04/2026").unwrap_err().message("added"),
            "`added`: ambiguous date 03/04/2026: write it as 2026-03-04 or 2026-04-03"
        );
        assert_eq!(
            parse_date("2026-11-28 13:45:00")
                .unwrap_err()
                .message("reviewed"),
            "`reviewed` has a time of day, `2026-11-28 13:45:00`: write the date alone, \
             like 2024-05-01"
        );
        for text in [
            "yesterday",
            "31/02/2026",
            "13/13/2026",
            "11/28/26",
            "2026-11-28 25:00",
        ] {
            assert_eq!(
                parse_date(text),
                Err(DateError::NotADate(text.to_owned())),
                "{text}"
            );
        }
    }

    #[test]
    fn xlsx_date_cells_and_serials_are_dates_at_midnight() {
        let nov28 = jiff::civil::date(2026, 11, 28);
        assert_eq!(date_cell(Some(&Cell::Number(46354.0))), Ok(Some(nov28)));
        assert_eq!(
            date_cell(Some(&Cell::DateTime(nov28.at(0, 0, 0, 0)))),
            Ok(Some(nov28))
        );
        assert_eq!(
            date_cell(Some(&Cell::DateTime(nov28.at(9, 30, 0, 0)))),
            Err(DateError::TimeOfDay("2026-11-28 09:30:00".into()))
        );
        assert_eq!(
            date_cell(Some(&Cell::Number(-3.0))),
            Err(DateError::NotADate("-3".into()))
        );
    }
}
