//! `links.csv`: one row per resource. The first nine columns are a contract:
//! `id,folder,title,url,status,http_status,final_url,detail,checked_at`; new columns go last.

use super::Outcome;
use crate::cells::neutralise;
use crate::check::Hop;
use crate::time::rfc3339;
use std::io::{self, Write};

/// The header row, contract columns first.
pub const COLUMNS: [&str; 20] = [
    "id",
    "folder",
    "title",
    "url",
    "status",
    "http_status",
    "final_url",
    "detail",
    "checked_at",
    "similarity",
    "baseline_at",
    "failing_since",
    "redirects",
    "attempts",
    "elapsed_ms",
    "content_type",
    "bytes",
    "change",
    "failing_audits",
    "archived",
];

/// Writes every outcome as one CSV row (RFC 4180, UTF-8), cells that a spreadsheet would run
/// as a formula neutralised as `export` does: titles and URLs come from outside.
pub fn write(outcomes: &[Outcome], w: &mut dyn Write) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(COLUMNS)?;
    for o in outcomes {
        out.write_record(row(o).iter().map(|c| neutralise(c).into_owned()))?;
    }
    out.flush()
}

fn row(o: &Outcome) -> [String; 20] {
    let opt = |v: Option<String>| v.unwrap_or_default();
    [
        o.id.clone(),
        o.folder.clone(),
        o.title.clone(),
        o.url.clone(),
        o.status.as_str().to_string(),
        opt(o.http_status.map(|s| s.to_string())),
        opt(o.final_url.clone()),
        o.detail.clone(),
        rfc3339(o.checked_at),
        opt(o.similarity.map(|s| format!("{s:.3}"))),
        opt(o.baseline_at.map(rfc3339)),
        opt(o.failing_since.map(rfc3339)),
        chain(&o.redirects),
        o.attempts.to_string(),
        o.elapsed_ms.to_string(),
        opt(o.content_type.clone()),
        opt(o.bytes.map(|b| b.to_string())),
        opt(o.change.as_ref().map(|c| c.reasons.join("; "))),
        o.failing_audits.to_string(),
        opt(o.archived.clone()),
    ]
}

/// A redirect chain as `301 https://a/ -> 200 https://b/`; a page that moved the client on
/// itself is marked: `200 https://b/ (in-page) -> 200 https://c/`.
pub fn chain(hops: &[Hop]) -> String {
    hops.iter()
        .map(|h| {
            let mark = if h.in_page { " (in-page)" } else { "" };
            format!("{} {}{mark}", h.status, h.url)
        })
        .collect::<Vec<_>>()
        .join(" -> ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::Status;

    fn outcome() -> Outcome {
        Outcome {
            id: "ncmec".into(),
            folder: "csam".into(),
            title: "Title, with \"quotes\"".into(),
            url: "http://a.test/x".into(),
            status: Status::Moved,
            http_status: Some(200),
            final_url: Some("https://a.test/y".into()),
            detail: "permanent redirect (301) to https://a.test/y".into(),
            checked_at: "2026-11-28T12:00:00.5Z".parse().unwrap(),
            redirects: vec![
                Hop::new("http://a.test/x", 301),
                Hop::new("https://a.test/y", 200),
            ],
            attempts: 1,
            elapsed_ms: 12,
            content_type: Some("text/html".into()),
            bytes: Some(42),
            similarity: None,
            baseline_at: None,
            failing_since: None,
            change: None,
            failing_audits: 0,
            archived: None,
        }
    }

    #[test]
    fn contract_columns_come_first_and_values_are_quoted() {
        let mut buf = Vec::new();
        write(&[outcome()], &mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let mut lines = text.lines();
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("id,folder,title,url,status,http_status,final_url,detail,checked_at,")
        );
        assert_eq!(
            lines.next().unwrap(),
            "ncmec,csam,\"Title, with \"\"quotes\"\"\",http://a.test/x,moved,200,https://a.test/y,\
             permanent redirect (301) to https://a.test/y,2026-11-28T12:00:00Z,,,,\
             301 http://a.test/x -> 200 https://a.test/y,1,12,text/html,42,,0,"
        );
    }

    #[test]
    fn formula_cells_are_neutralised() {
        let mut o = outcome();
        o.title = "=HYPERLINK(\"http://evil\")".into();
        o.detail = "-1".into();
        let mut buf = Vec::new();
        write(&[o], &mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let row = text.lines().nth(1).unwrap();
        assert!(
            row.starts_with("ncmec,csam,\"'=HYPERLINK(\"\"http://evil\"\")\",http://a.test/x,"),
            "{row}"
        );
        assert!(row.contains(",'-1,"), "{row}");
    }
}
