//! The spreadsheet export: an "All" sheet and one sheet per folder, each with a bold, frozen
//! header row, an autofilter, fitted column widths and URLs as real hyperlinks; and such a
//! workbook read back.

use super::sheet::{Cell, ReadAs, Sheet, SheetError, SheetRow, Spreadsheet};
use super::{COLUMNS, Row, by_folder};
use calamine::{Data, ExcelDateTime, ExcelDateTimeType, Reader};
use jiff::civil::DateTime;
use rust_xlsxwriter::{Format, Url, Workbook, Worksheet, XlsxError};

/// Name of the sheet holding every resource.
pub const ALL_SHEET: &str = "All";
/// Widest column, in characters; longer text wraps out of view rather than widening the sheet.
const MAX_COLUMN_WIDTH: usize = 60;
/// Longest sheet name Excel accepts.
const MAX_SHEET_NAME: usize = 31;

/// Builds the workbook and returns the `.xlsx` bytes.
pub fn to_buffer(rows: &[Row]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let all: Vec<&Row> = rows.iter().collect();
    write_sheet(book.add_worksheet(), ALL_SHEET, &all)?;
    for (id, _, list) in by_folder(rows) {
        write_sheet(book.add_worksheet(), &sheet_name(id), &list)?;
    }
    book.save_to_buffer()
}

/// A folder id as a sheet name: at most 31 characters, never clashing with "All".
fn sheet_name(folder: &str) -> String {
    let name = if folder.eq_ignore_ascii_case(ALL_SHEET) {
        format!("folder-{folder}")
    } else {
        folder.to_owned()
    };
    name.chars().take(MAX_SHEET_NAME).collect()
}

fn write_sheet(sheet: &mut Worksheet, name: &str, rows: &[&Row]) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    let bold = Format::new().set_bold();
    let mut widths: Vec<usize> = COLUMNS.iter().map(|c| c.chars().count()).collect();
    for (col, header) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *header, &bold)?;
    }
    let url_columns = ["url", "final_url", "archived"];
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (col, cell) in row.cells().iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let c = col as u16;
            widths[col] = widths[col].max(cell.chars().count());
            if url_columns.contains(&COLUMNS[col]) {
                // Excel refuses some URLs (too long, odd characters): those stay text.
                if sheet.write_url(r, c, Url::new(cell.as_str())).is_ok() {
                    continue;
                }
            }
            if COLUMNS[col] == "http_status" {
                sheet.write_number(r, c, cell.parse::<f64>().unwrap_or_default())?;
            } else {
                sheet.write_string(r, c, cell)?;
            }
        }
    }
    for (col, width) in widths.iter().enumerate() {
        sheet.set_column_width(col as u16, (*width).min(MAX_COLUMN_WIDTH) as f64 + 2.0)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, rows.len() as u32, COLUMNS.len() as u16 - 1)?;
    Ok(())
}

/// Reads the "All" sheet of a workbook, or when there is none every sheet named after one of
/// `folders` (as [`to_buffer`] names them).
pub fn read(bytes: &[u8], folders: &[&str]) -> Result<Spreadsheet, SheetError> {
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes))?;
    let names = book.sheet_names();
    let (read_as, chosen): (ReadAs, Vec<String>) = if names.iter().any(|n| n == ALL_SHEET) {
        (ReadAs::XlsxAll, vec![ALL_SHEET.to_owned()])
    } else {
        let folder_sheets: Vec<String> = folders.iter().map(|f| sheet_name(f)).collect();
        let chosen: Vec<String> = names
            .into_iter()
            .filter(|n| folder_sheets.contains(n))
            .collect();
        if chosen.is_empty() {
            return Err(SheetError::NoSheet {
                all: ALL_SHEET,
                folders: folder_sheets.join(", "),
            });
        }
        (ReadAs::XlsxFolders, chosen)
    };
    let mut sheets = Vec::new();
    for name in chosen {
        let range = book.worksheet_range(&name)?;
        let first = range.start().map_or(0, |(row, _)| u64::from(row));
        let rows = range
            .rows()
            .enumerate()
            .map(|(i, cells)| SheetRow {
                number: first + i as u64 + 1,
                cells: cells.iter().map(cell).collect(),
            })
            .collect();
        sheets.push(Sheet {
            name: Some(name),
            rows,
        });
    }
    Ok(Spreadsheet { read_as, sheets })
}

fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Text(String::new()),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            Cell::Text(s.trim().to_owned())
        }
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Text(if *b { "TRUE" } else { "FALSE" }.to_owned()),
        Data::DateTime(dt) if dt.is_datetime() => {
            civil(dt).map_or(Cell::Number(dt.as_f64()), Cell::DateTime)
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

/// The date and time of an Excel serial date (days since 1899-12-30, the time of day as the
/// fraction) in a cell a spreadsheet did not format as a date; `None` outside Excel's range.
pub fn serial_date(serial: f64) -> Option<DateTime> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    civil(&ExcelDateTime::new(
        serial,
        ExcelDateTimeType::DateTime,
        false,
    ))
}

fn civil(dt: &ExcelDateTime) -> Option<DateTime> {
    let (year, month, day, hour, minute, second, milli) = dt.to_ymd_hms_milli();
    DateTime::new(
        i16::try_from(year).ok()?,
        month as i8,
        day as i8,
        hour as i8,
        minute as i8,
        second as i8,
        i32::from(milli) * 1_000_000,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_dates_are_days_since_1899_12_30() {
        assert_eq!(
            serial_date(46354.0),
            Some(jiff::civil::date(2026, 11, 28).at(0, 0, 0, 0))
        );
        assert_eq!(
            serial_date(46354.5),
            Some(jiff::civil::date(2026, 11, 28).at(12, 0, 0, 0))
        );
        assert_eq!(serial_date(0.0), None);
        assert_eq!(serial_date(3e6), None);
    }
}
