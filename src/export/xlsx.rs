//! The spreadsheet export: an "All" sheet and one sheet per folder, each with a bold, frozen
//! header row, an autofilter, fitted column widths and URLs as real hyperlinks.

use super::{COLUMNS, Row, by_folder};
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
    let url_columns = ["url", "final_url"];
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
