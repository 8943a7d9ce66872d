//! The CSV export (RFC 4180, UTF-8), with cells a spreadsheet would run as a formula
//! neutralised as the OWASP CSV-injection guidance says.

use super::{COLUMNS, Row};
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
