//! The CSV export (RFC 4180, UTF-8), with cells a spreadsheet would run as a formula
//! neutralised as the OWASP CSV-injection guidance says.

use super::{COLUMNS, Row};
use crate::catalog::edit::Imported;
use crate::catalog::{Audience, Kind, Resource};
use std::borrow::Cow;
use std::io::{self, Write};

/// Characters that make a spreadsheet read a cell as a formula when they come first.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Writes the header and one row per resource.
pub fn write(rows: &[Row], w: &mut dyn Write) -> io::Result<()> {
    let mut out = ::csv::Writer::from_writer(w);
    out.write_record(COLUMNS).map_err(io_error)?;
    for row in rows {
        out.write_record(row.cells().iter().map(|c| neutralise(c).into_owned()))
            .map_err(io_error)?;
    }
    out.flush()
}

/// Keeps the kind of an I/O error (a closed pipe stays `BrokenPipe`, which is not an error).
fn io_error(e: ::csv::Error) -> io::Error {
    match e.into_kind() {
        ::csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// Prefixes a single quote to a cell that starts like a formula. A cell that already starts
/// with a quote gets one more, so that [`restore`] gives back exactly the original text.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) || cell.starts_with('\'') {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Undoes [`neutralise`].
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) || rest.starts_with('\'') => rest,
        _ => cell,
    }
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
    let kind = Kind::parse(&kind_text).ok_or_else(|| {
        let all: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        format!(
            "unknown kind `{kind_text}` (expected one of: {})",
            all.join(", ")
        )
    })?;
    let audience = list("audience")
        .iter()
        .map(|a| Audience::parse(a).ok_or_else(|| format!("unknown audience `{a}`")))
        .collect::<Result<Vec<_>, _>>()?;
    let url = required("url")?;
    match url::Url::parse(&url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {}
        _ => return Err(format!("`url` is not an absolute http(s) URL: `{url}`")),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_restored() {
        for cell in [
            "=HYPERLINK(\"x\")",
            "+1",
            "-1",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "'=x",
            "'plain",
        ] {
            let n = neutralise(cell);
            assert!(n.starts_with('\''), "{cell:?} not neutralised");
            assert_eq!(restore(&n), cell);
        }
        assert_eq!(neutralise("Plain title"), "Plain title");
        assert_eq!(restore("Plain title"), "Plain title");
        assert_eq!(neutralise("Ünïcödé – ok"), "Ünïcödé – ok");
    }
}
