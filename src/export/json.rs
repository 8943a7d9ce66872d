//! The JSON export: an array of row objects, for machines.

use super::Row;
use std::io::{self, Write};

/// Writes `rows` as a pretty-printed JSON array, with a final newline.
pub fn write(rows: &[Row], w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, rows)?;
    writeln!(w)
}
