//! Spreadsheet cells written as text: every CSV linkwatch writes (`export`, `links.csv`)
//! neutralises cells a spreadsheet would run as a formula, as the OWASP CSV-injection guidance
//! says, and `import` undoes it.

use std::borrow::Cow;

/// Characters that make a spreadsheet read a cell as a formula when they come first.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a spreadsheet would read `text` as a formula if it were a cell.
pub fn starts_like_formula(text: &str) -> bool {
    text.starts_with(FORMULA_STARTS)
}

/// Prefixes a single quote to a cell that starts like a formula. A cell that already starts
/// with a quote gets one more, so that [`restore`] gives back exactly the original text.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if starts_like_formula(cell) || cell.starts_with('\'') {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Undoes [`neutralise`].
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if starts_like_formula(rest) || rest.starts_with('\'') => rest,
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
