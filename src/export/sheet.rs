//! Spreadsheets read back for `import`: the CSV or `.xlsx` file a maintainer saved, as sheets
//! of cells in rows numbered as the spreadsheet shows them (the header is row 1).

use jiff::civil::DateTime;

/// One cell as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (every CSV cell, with the `'` neutralisation undone).
    Text(String),
    /// An xlsx number cell; in a date column, a date serial a spreadsheet did not format.
    Number(f64),
    /// An xlsx cell formatted as a date or date and time.
    DateTime(DateTime),
    /// An xlsx formula that failed, as the spreadsheet shows it (`#NAME?`).
    Error(String),
}

impl Cell {
    /// The cell as the text a spreadsheet shows for it, dates as ISO 8601.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) | Cell::Error(s) => s.clone(),
            // Whole numbers (ids, HTTP statuses) without the `.0` of a float.
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::DateTime(dt) if dt.time() == jiff::civil::Time::midnight() => {
                dt.date().to_string()
            }
            Cell::DateTime(dt) => dt.strftime("%Y-%m-%d %H:%M:%S").to_string(),
        }
    }
}

/// One row: its number as the spreadsheet shows it, and its cells from the first used column.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    pub number: u64,
    pub cells: Vec<Cell>,
}

/// One sheet's rows, header first; a CSV file is one sheet without a name.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: Option<String>,
    pub rows: Vec<SheetRow>,
}

/// How a file was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadAs {
    /// CSV in UTF-8, with or without a byte-order mark.
    Csv,
    /// CSV that was not valid UTF-8, decoded as Windows-1252 (Excel's "CSV" on Windows).
    CsvWindows1252,
    /// A workbook's "All" sheet.
    XlsxAll,
    /// A workbook without an "All" sheet: its sheets named after folders.
    XlsxFolders,
}

/// A spreadsheet file read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Spreadsheet {
    pub read_as: ReadAs,
    pub sheets: Vec<Sheet>,
}

/// A file that is neither CSV nor a workbook `import` can use.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("row {row}: {message}")]
    Csv { row: u64, message: String },
    #[error("not a readable .xlsx workbook: {0}")]
    Xlsx(#[from] calamine::XlsxError),
    #[error("the workbook has no sheet named \"{all}\" nor one named after a folder ({folders})")]
    NoSheet { all: &'static str, folders: String },
}

/// Reads `bytes` as an `.xlsx` workbook when they are one (a zip archive), else as CSV.
/// `folders` are the folder ids, whose sheets are read when there is no "All" sheet.
pub fn read(bytes: &[u8], folders: &[&str]) -> Result<Spreadsheet, SheetError> {
    if bytes.starts_with(b"PK\x03\x04") {
        super::xlsx::read(bytes, folders)
    } else {
        super::csv::read(bytes)
    }
}
