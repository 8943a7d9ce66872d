//! The CSV export (RFC 4180, UTF-8), with cells a spreadsheet would run as a formula
//! neutralised, and CSV read back as a spreadsheet saved it.

use super::sheet::{Cell, ReadAs, Sheet, SheetError, SheetRow, Spreadsheet};
use super::{COLUMNS, Row};
use crate::cells::{neutralise, restore};
use std::borrow::Cow;
use std::io::{self, Write};

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

/// Reads CSV as one sheet of text cells, trimmed and with the `'` neutralisation undone. Text
/// that is not UTF-8 is what Excel's plain "CSV" format writes on Windows: Windows-1252.
pub fn read(bytes: &[u8]) -> Result<Spreadsheet, SheetError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, read_as) = match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), ReadAs::Csv),
        Err(_) => (
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0,
            ReadAs::CsvWindows1252,
        ),
    };
    let mut reader = ::csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // A record is a spreadsheet row even when a quoted cell spans lines.
    for (i, record) in reader.records().enumerate() {
        let number = i as u64 + 1;
        let record = record.map_err(|e| SheetError::Csv {
            row: number,
            message: e.to_string(),
        })?;
        let cells = record
            .iter()
            .map(|c| Cell::Text(restore(c.trim()).to_owned()))
            .collect();
        rows.push(SheetRow { number, cells });
    }
    Ok(Spreadsheet {
        read_as,
        sheets: vec![Sheet { name: None, rows }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &Spreadsheet) -> Vec<Vec<String>> {
        s.sheets[0]
            .rows
            .iter()
            .map(|r| r.cells.iter().map(Cell::text).collect())
            .collect()
    }

    #[test]
    fn utf8_with_a_bom_and_windows_1252_are_read() {
        let utf8 = read("\u{feff}title\r\n'=x,Ministère\r\n".as_bytes()).unwrap();
        assert_eq!(utf8.read_as, ReadAs::Csv);
        assert_eq!(texts(&utf8), [vec!["title"], vec!["=x", "Ministère"]]);

        let cp1252 = read(b"title\r\nMinist\xe8re \x96 \x80\r\n").unwrap();
        assert_eq!(cp1252.read_as, ReadAs::CsvWindows1252);
        assert_eq!(texts(&cp1252), [vec!["title"], vec!["Ministère – €"]]);
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them() {
        let s = read(b"a,b\n\"two\nlines\",x\ny,z\n").unwrap();
        let numbers: Vec<u64> = s.sheets[0].rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [1, 2, 3]);
    }
}
