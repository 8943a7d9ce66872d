//! Catalog diagnostics: what a problem is, where it is, and how it is shown (human, GitHub, JSON).

use crate::text::for_terminal;
use serde::Serialize;
use std::io::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// How serious a problem is: errors make `validate` fail, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem in one file, with its 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
    /// The text of the line the problem is on, without its line ending.
    #[serde(skip)]
    pub source_line: String,
    /// How many characters the caret line underlines (at least 1).
    #[serde(skip)]
    pub width: usize,
    /// Advice for `validate` only: commands that merely load the catalog do not repeat it.
    #[serde(skip)]
    pub advisory: bool,
}

impl Diagnostic {
    /// Marks the diagnostic as advice that only `validate` shows.
    pub fn advisory(mut self) -> Diagnostic {
        self.advisory = true;
        self
    }

    /// Adds a `help` line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }
}

/// A file's text with its line starts, to turn byte spans into lines and columns.
#[derive(Debug)]
pub(crate) struct Source {
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
    /// Where the part of `text` being parsed starts: spans are relative to it.
    pub offset: usize,
}

impl Source {
    pub(crate) fn new(path: PathBuf, text: String) -> Source {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Source {
            path,
            text,
            line_starts,
            offset: 0,
        }
    }

    /// A diagnostic at `span` (byte offsets into the part being parsed; clamped, so any span is
    /// safe).
    pub(crate) fn diag(
        &self,
        severity: Severity,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let (start, line_index, column) = self.position(span.start);
        let line_start = self.line_starts[line_index];
        let line_end = self.text[line_start..]
            .find('\n')
            .map_or(self.text.len(), |i| line_start + i);
        let source_line = self.text[line_start..line_end].trim_end_matches('\r');
        let end = span.end.saturating_add(self.offset);
        let end = floor_char_boundary(&self.text, end.clamp(start, line_end));
        let width = self.text[start..end].chars().count().max(1);
        Diagnostic {
            severity,
            file: self.path.clone(),
            line: line_index + 1,
            column,
            message: message.into(),
            help: None,
            source_line: source_line.to_owned(),
            width,
            advisory: false,
        }
    }

    pub(crate) fn error(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        self.diag(Severity::Error, span, message)
    }

    pub(crate) fn warning(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        self.diag(Severity::Warning, span, message)
    }

    /// `file:line:col` of a span, for messages that point at a second place.
    pub(crate) fn location(&self, span: Range<usize>) -> String {
        let (_, line_index, column) = self.position(span.start);
        location(&self.path, line_index + 1, column)
    }

    /// The offset (relative to [`Source::offset`]) clamped onto a character boundary in the
    /// whole text, its 0-based line and 1-based column.
    fn position(&self, offset: usize) -> (usize, usize, usize) {
        let offset = offset.saturating_add(self.offset);
        let start = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let line_index = self.line_starts.partition_point(|&s| s <= start) - 1;
        let column = self.text[self.line_starts[line_index]..start]
            .chars()
            .count()
            + 1;
        (start, line_index, column)
    }
}

pub(crate) fn location(file: &Path, line: usize, column: usize) -> String {
    format!("{}:{line}:{column}", file.display())
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Renders diagnostics the way rustc does: message, location, source line, caret, help.
pub fn render_human(diags: &[Diagnostic], w: &mut impl Write, color: bool) -> io::Result<()> {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    for d in diags {
        let gutter = d.line.to_string().len();
        let pad = " ".repeat(gutter);
        let (code, label) = match d.severity {
            Severity::Error => ("1;31", "error"),
            Severity::Warning => ("1;33", "warning"),
        };
        writeln!(
            w,
            "{}{}",
            paint(code, label),
            paint("1", &format!(": {}", for_terminal(&d.message)))
        )?;
        writeln!(
            w,
            "{pad}{} {}",
            paint("1;34", "-->"),
            location(&d.file, d.line, d.column)
        )?;
        let bar = paint("1;34", "|");
        writeln!(w, "{pad} {bar}")?;
        writeln!(
            w,
            "{} {bar} {}",
            paint("1;34", &d.line.to_string()),
            for_terminal(&d.source_line)
        )?;
        let lead: String = d
            .source_line
            .chars()
            .take(d.column - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        writeln!(w, "{pad} {bar} {lead}{}", paint(code, &"^".repeat(d.width)))?;
        if let Some(help) = &d.help {
            let help = for_terminal(help);
            writeln!(w, "{pad} {} help: {help}", paint("1;34", "="))?;
        }
        writeln!(w)?;
    }
    Ok(())
}

/// Renders diagnostics as GitHub Actions workflow commands (`::error file=…,line=…,col=…::…`).
pub fn render_github(diags: &[Diagnostic], w: &mut impl Write) -> io::Result<()> {
    for d in diags {
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        writeln!(
            w,
            "::{} file={},line={},col={}::{}",
            d.severity.as_str(),
            escape_property(&d.file.display().to_string()),
            d.line,
            d.column,
            escape_data(&message)
        )?;
    }
    Ok(())
}

/// Renders diagnostics as a JSON array of {severity, file, line, column, message, help}.
pub fn render_json(diags: &[Diagnostic], w: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, diags)?;
    writeln!(w)
}

/// GitHub's escaping of a workflow command's message, with other control characters made
/// visible.
fn escape_data(s: &str) -> String {
    let escaped = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    for_terminal(&escaped).into_owned()
}

/// GitHub's escaping of a workflow command's property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> Source {
        Source::new(PathBuf::from("c/a.toml"), text.to_owned())
    }

    #[test]
    fn spans_become_lines_and_character_columns() {
        let s = source("a = 1\ntitle = \"é\" x\n");
        let d = s.error(17..18, "m");
        assert_eq!((d.line, d.column, d.width), (2, 11, 1));
        assert_eq!(d.source_line, "title = \"é\" x");
    }

    #[test]
    fn out_of_range_and_mid_character_spans_are_clamped() {
        let s = source("é");
        let d = s.error(1..99, "m");
        assert_eq!((d.line, d.column, d.width), (1, 1, 1));
        let d = s.error(50..60, "m");
        assert_eq!((d.line, d.column), (1, 2));
    }

    #[test]
    fn human_output_has_caret_and_help() {
        let s = source("[[resource]]\nkidn = \"x\"\n");
        let d = s
            .error(13..17, "unknown field `kidn`")
            .with_help("did you mean `kind`?");
        let mut out = Vec::new();
        render_human(&[d], &mut out, false).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "error: unknown field `kidn`\n --> c/a.toml:2:1\n  |\n2 | kidn = \"x\"\n  | ^^^^\n  = help: did you mean `kind`?\n\n"
        );
    }

    #[test]
    fn github_escapes_message_and_properties() {
        let mut d = source("x").warning(0..1, "50% done\r\nnext");
        d.file = PathBuf::from("a:b,c.toml");
        let mut out = Vec::new();
        render_github(&[d], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "::warning file=a%3Ab%2Cc.toml,line=1,col=1::50%25 done%0D%0Anext\n"
        );
    }

    #[test]
    fn control_characters_from_a_catalog_never_reach_the_terminal() {
        let s = source("title = \"\u{1b}]0;pwned\u{7}x\"\n");
        let d = s
            .error(9..11, "bad \u{1b}[2J title")
            .with_help("\u{202e}txt");
        let mut out = Vec::new();
        render_human(std::slice::from_ref(&d), &mut out, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.chars().any(crate::text::is_unsafe), "{text:?}");
        assert!(text.contains("bad \\u{1b}[2J title"), "{text}");
        let mut out = Vec::new();
        render_github(&[d], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.chars().any(crate::text::is_unsafe), "{text:?}");
    }

    #[test]
    fn json_has_the_documented_fields() {
        let d = source("x").error(0..1, "bad");
        let mut out = Vec::new();
        render_json(&[d], &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            v,
            serde_json::json!([{"severity": "error", "file": "c/a.toml", "line": 1, "column": 1, "message": "bad", "help": null}])
        );
    }
}
