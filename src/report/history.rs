//! The audits' memory: `history.csv` (one row per complete audit of the whole catalog),
//! `history.svg` (its statuses per audit as stacked bars) and each resource's timeline (its
//! recent checks, kept in the baseline), as `report.md` and `linkwatch history` show them.
//!
//! Only a complete audit of the whole catalog is a row: a run with `--only`, one shard, an
//! interrupted or an offline run would make the trend jump for reasons that are not the links'.

use super::AuditResults;
use crate::fsutil::{WriteError, write_all_atomic};
use crate::state::{Baseline, Seen, StateError};
use crate::status::Status;
use crate::time::rfc3339;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// File names inside the output directory.
pub const HISTORY_CSV: &str = "history.csv";
pub const HISTORY_SVG: &str = "history.svg";
/// Fewest audits the chart is drawn for: with one there is no trend to show.
pub const MIN_AUDITS_FOR_CHART: usize = 2;
/// How many resources `linkwatch history` lists as changing status most often.
pub const MOST_CHANGED: usize = 10;

/// One complete audit in `history.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub finished_at: jiff::Timestamp,
    /// Every status, zero or not.
    pub counts: BTreeMap<Status, usize>,
    /// Links checked (every outcome but the skipped ones).
    pub checked: usize,
    /// Seconds the audit took, to a tenth.
    pub duration_s: f64,
}

impl Row {
    fn of(results: &AuditResults) -> Row {
        let seconds = results
            .finished_at
            .duration_since(results.started_at)
            .as_secs_f64()
            .max(0.0);
        Row {
            finished_at: results.finished_at,
            counts: results.counts(),
            checked: results
                .outcomes
                .iter()
                .filter(|o| o.status != Status::Skipped)
                .count(),
            duration_s: (seconds * 10.0).round() / 10.0,
        }
    }

    fn count(&self, status: Status) -> usize {
        self.counts.get(&status).copied().unwrap_or(0)
    }
}

/// Every complete audit of an `--out` directory, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub rows: Vec<Row>,
}

/// `history.csv` could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}: not a linkwatch history: {source}", path.display())]
    Corrupt {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },
    #[error("{}: line {line}: column {column} is not a {expected}: {value:?}", path.display())]
    Value {
        path: PathBuf,
        line: u64,
        column: String,
        expected: &'static str,
        value: String,
    },
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    State(#[from] StateError),
}

/// Whether `results` is a complete audit of the whole catalog, the only kind the history keeps.
pub fn is_full_audit(results: &AuditResults) -> bool {
    results.complete
        && results.only.is_empty()
        && results.shard.is_none()
        && results.checked_this_run.is_empty()
        && !results.network_down
}

impl History {
    /// `<out_dir>/history.csv`; a missing file is an empty history. Columns are found by name,
    /// so a status added later reads as zero in older rows.
    pub fn read(out_dir: &Path) -> Result<History, HistoryError> {
        let path = out_dir.join(HISTORY_CSV);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(History::default()),
            Err(source) => return Err(HistoryError::Read { path, source }),
        };
        let corrupt = |source| HistoryError::Corrupt {
            path: path.clone(),
            source,
        };
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let headers = reader.headers().map_err(corrupt)?.clone();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(corrupt)?;
            let fields = Fields {
                path: &path,
                headers: &headers,
                record: &record,
            };
            let mut counts = BTreeMap::new();
            for &status in Status::ALL {
                counts.insert(status, fields.parse(status.as_str(), "count", Some(0))?);
            }
            rows.push(Row {
                finished_at: fields.parse("finished_at", "timestamp", None)?,
                counts,
                checked: fields.parse("checked", "count", None)?,
                duration_s: fields.parse("duration_s", "number of seconds", None)?,
            });
        }
        Ok(History { rows })
    }

    /// Adds `results` as the newest row when it is a complete audit of the whole catalog
    /// ([`is_full_audit`]); returns whether it did.
    pub fn record(&mut self, results: &AuditResults) -> bool {
        let full = is_full_audit(results);
        if full {
            self.rows.push(Row::of(results));
        }
        full
    }

    /// Writes `history.csv`, and `history.svg` once there are enough audits to draw, into
    /// `out_dir`: both or neither.
    pub fn write(&self, out_dir: &Path) -> Result<(), HistoryError> {
        let mut csv = Vec::new();
        self.write_csv(&mut csv).map_err(|source| WriteError {
            path: out_dir.join(HISTORY_CSV),
            source,
        })?;
        let mut files = vec![(out_dir.join(HISTORY_CSV), csv)];
        if let Some(svg) = self.svg() {
            files.push((out_dir.join(HISTORY_SVG), svg.into_bytes()));
        }
        Ok(write_all_atomic(&files)?)
    }

    /// The rows as `history.csv`: `finished_at`, one column per status, `checked`,
    /// `duration_s`.
    pub fn write_csv(&self, w: &mut dyn Write) -> io::Result<()> {
        let mut out = csv::Writer::from_writer(w);
        let mut header = vec!["finished_at"];
        header.extend(Status::ALL.iter().map(|s| s.as_str()));
        header.extend(["checked", "duration_s"]);
        out.write_record(&header)?;
        for row in &self.rows {
            let mut record = vec![rfc3339(row.finished_at)];
            record.extend(Status::ALL.iter().map(|&s| row.count(s).to_string()));
            record.push(row.checked.to_string());
            record.push(format!("{:.1}", row.duration_s));
            out.write_record(&record)?;
        }
        out.flush()
    }

    /// How many links of each status the newest audit has more (or fewer) than the one before;
    /// statuses whose count did not move are left out. Empty with fewer than two audits.
    pub fn deltas(&self) -> Vec<(Status, i64)> {
        let [.., before, last] = self.rows.as_slice() else {
            return Vec::new();
        };
        Status::ALL
            .iter()
            .map(|&s| (s, count_i64(last.count(s)) - count_i64(before.count(s))))
            .filter(|&(_, d)| d != 0)
            .collect()
    }

    /// The chart of statuses per audit as an SVG document, `None` with fewer than
    /// [`MIN_AUDITS_FOR_CHART`] audits. It draws its own light background, so it reads the
    /// same on GitHub's light and dark themes.
    pub fn svg(&self) -> Option<String> {
        (self.rows.len() >= MIN_AUDITS_FOR_CHART).then(|| chart(&self.rows))
    }
}

/// One record of `history.csv`, read by column name.
struct Fields<'a> {
    path: &'a Path,
    headers: &'a csv::StringRecord,
    record: &'a csv::StringRecord,
}

impl Fields<'_> {
    /// The value of `column`; `missing` when the column is absent or empty, if given.
    fn parse<T: std::str::FromStr>(
        &self,
        column: &str,
        expected: &'static str,
        missing: Option<T>,
    ) -> Result<T, HistoryError> {
        let value = self
            .headers
            .iter()
            .position(|h| h == column)
            .and_then(|i| self.record.get(i))
            .unwrap_or("");
        if let (true, Some(missing)) = (value.is_empty(), missing) {
            return Ok(missing);
        }
        value.parse().map_err(|_| HistoryError::Value {
            path: self.path.to_owned(),
            line: self.record.position().map_or(0, csv::Position::line),
            column: column.to_owned(),
            expected,
            value: value.to_owned(),
        })
    }
}

/// Deltas as a sentence's end: "`ok` +1, `broken` -1", or that nothing moved.
pub fn describe_deltas(deltas: &[(Status, i64)]) -> String {
    if deltas.is_empty() {
        return "no status gained or lost links".to_owned();
    }
    deltas
        .iter()
        .map(|(s, d)| format!("`{s}` {d:+}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn count_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Colour of each status in the chart: green for healthy, reds for gone, greys for the rest.
fn colour(status: Status) -> &'static str {
    match status {
        Status::Ok => "#2da44e",
        Status::Hijacked => "#6e1423",
        Status::Moved => "#8250df",
        Status::Changed => "#0969da",
        Status::Soft404 => "#bc4c00",
        Status::Broken => "#cf222e",
        Status::Failing => "#d4a72c",
        Status::Blocked => "#57606a",
        Status::Skipped => "#afb8c1",
    }
}

const WIDTH: usize = 760;
const HEIGHT: usize = 320;
const LEFT: usize = 48;
const RIGHT: usize = 130;
const TOP: usize = 36;
const BOTTOM: usize = 48;
/// Horizontal room one date label needs, in pixels.
const DATE_LABEL_WIDTH: f64 = 76.0;
/// Most audits the chart shows, the newest: two years of weekly audits.
pub const MAX_AUDITS_IN_CHART: usize = 104;

/// Stacked bars, one per audit (the last [`MAX_AUDITS_IN_CHART`]), one `<g class="series">` per
/// status (in [`Status::ALL`] order, `ok` at the bottom), dates under the bars and a legend on
/// the right.
fn chart(rows: &[Row]) -> String {
    let rows = &rows[rows.len().saturating_sub(MAX_AUDITS_IN_CHART)..];
    let plot_w = (WIDTH - LEFT - RIGHT) as f64;
    let plot_h = (HEIGHT - TOP - BOTTOM) as f64;
    let most = rows
        .iter()
        .map(|r| r.counts.values().sum::<usize>())
        .max()
        .unwrap_or(0);
    let step = tick_step(most);
    let max = most.div_ceil(step).max(1) * step;
    let slot = plot_w / rows.len() as f64;
    let bar = (slot * 0.7).max(1.0);
    let y_of = |n: usize| TOP as f64 + plot_h - plot_h * n as f64 / max as f64;
    let base = TOP as f64 + plot_h;
    let mut s = String::new();
    let title = format!("Links per status in each of the last {} audits", rows.len());
    let _ = writeln!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{title}" font-family="-apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">"##
    );
    let _ = writeln!(s, "<title>{title}</title>");
    let _ = writeln!(
        s,
        r##"<rect width="{WIDTH}" height="{HEIGHT}" rx="6" fill="#ffffff" stroke="#d0d7de"/>"##
    );
    let _ = writeln!(
        s,
        r##"<text x="{LEFT}" y="22" font-size="14" font-weight="600" fill="#1f2328">Links per status, audit by audit</text>"##
    );
    for n in (0..=max).step_by(step) {
        let y = y_of(n);
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#d0d7de"/><text class="count" x="{}" y="{:.1}" text-anchor="end" fill="#57606a">{n}</text>"##,
            WIDTH - RIGHT,
            LEFT - 6,
            y + 4.0
        );
    }
    for &status in Status::ALL {
        let _ = writeln!(
            s,
            r##"<g class="series" data-status="{status}" fill="{}">"##,
            colour(status)
        );
        for (i, row) in rows.iter().enumerate() {
            let n = row.count(status);
            if n == 0 {
                continue;
            }
            let below: usize = Status::ALL
                .iter()
                .take_while(|&&t| t != status)
                .map(|&t| row.count(t))
                .sum();
            let top = y_of(below + n);
            let x = LEFT as f64 + slot * i as f64 + (slot - bar) / 2.0;
            let _ = writeln!(
                s,
                r##"<rect x="{x:.1}" y="{top:.1}" width="{bar:.1}" height="{:.1}"><title>{}: {n} {status}</title></rect>"##,
                y_of(below) - top,
                crate::time::date(row.finished_at)
            );
        }
        let _ = writeln!(s, "</g>");
    }
    let _ = writeln!(
        s,
        r##"<line x1="{LEFT}" x2="{}" y1="{base:.1}" y2="{base:.1}" stroke="#57606a"/>"##,
        WIDTH - RIGHT
    );
    // Labelled from the newest back, evenly, as far apart as a date is wide.
    let every = (DATE_LABEL_WIDTH / slot).ceil().max(1.0) as usize;
    for i in (0..rows.len()).rev().step_by(every).rev() {
        let x = LEFT as f64 + slot * (i as f64 + 0.5);
        let _ = writeln!(
            s,
            r##"<text class="date" x="{x:.1}" y="{:.1}" text-anchor="middle" fill="#57606a">{}</text>"##,
            base + 18.0,
            crate::time::date(rows[i].finished_at)
        );
    }
    let legend_x = WIDTH - RIGHT + 16;
    for (i, &status) in Status::ALL.iter().rev().enumerate() {
        let y = TOP + 4 + i * 20;
        let _ = writeln!(
            s,
            r##"<g class="legend"><rect x="{legend_x}" y="{y}" width="12" height="12" rx="2" fill="{}"/><text x="{}" y="{}" fill="#1f2328">{status}</text></g>"##,
            colour(status),
            legend_x + 18,
            y + 10
        );
    }
    s.push_str("</svg>\n");
    s
}

/// A round step (1, 2 or 5 times a power of ten) that cuts `0..=most` into at most four.
fn tick_step(most: usize) -> usize {
    let mut power = 1;
    loop {
        for step in [power, 2 * power, 5 * power] {
            if most.div_ceil(step) <= 4 {
                return step;
            }
        }
        power *= 10;
    }
}

/// One character per status for timelines, as `report.md` and `linkwatch history` draw them.
pub fn symbol(status: Status) -> &'static str {
    match status {
        Status::Ok => "✅",
        Status::Hijacked => "☠️",
        Status::Moved => "↪️",
        Status::Changed => "📝",
        Status::Soft404 => "👻",
        Status::Broken => "❌",
        Status::Failing => "⚠️",
        Status::Blocked => "🚫",
        Status::Skipped => "⏭️",
    }
}

/// The legend of [`symbol`], one line.
pub fn legend() -> String {
    Status::ALL
        .iter()
        .map(|&s| format!("{} `{s}`", symbol(s)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A resource's checks as symbols, oldest first, and what they say: `✅❌❌ broken in 2 of the
/// last 3 checks, since 2026-11-20`.
pub fn timeline(recent: &[Seen]) -> String {
    let Some(last) = recent.last() else {
        return String::new();
    };
    let symbols: String = recent.iter().map(|s| symbol(s.status)).collect();
    let streak = recent
        .iter()
        .rev()
        .take_while(|s| s.status == last.status)
        .count();
    let since = recent[recent.len() - streak].date;
    let times = recent.iter().filter(|s| s.status == last.status).count();
    let status = last.status;
    if times == recent.len() {
        format!("{symbols} {status} since {since}")
    } else {
        format!(
            "{symbols} {status} in {times} of the last {} checks, since {since}",
            recent.len()
        )
    }
}

/// How often a timeline changed status from one check to the next.
pub fn changes(recent: &[Seen]) -> usize {
    recent
        .windows(2)
        .filter(|w| w[0].status != w[1].status)
        .count()
}

/// A resource that changed status, and its timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Changing {
    pub id: String,
    pub changes: usize,
    pub recent: Vec<Seen>,
}

/// The resources of `baseline` whose status changed most often over their recent checks, at
/// most [`MOST_CHANGED`], most changes first (ties by id); those that never changed are left
/// out.
pub fn most_changed(baseline: &Baseline) -> Vec<Changing> {
    let mut all: Vec<Changing> = baseline
        .resources
        .iter()
        .map(|(id, st)| Changing {
            id: id.clone(),
            changes: changes(&st.recent),
            recent: st.recent.clone(),
        })
        .filter(|c| c.changes > 0)
        .collect();
    all.sort_by(|a, b| b.changes.cmp(&a.changes).then_with(|| a.id.cmp(&b.id)));
    all.truncate(MOST_CHANGED);
    all
}

/// What `report.md` shows of the audits before this one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Past {
    /// Complete audits in the history, this one included when it is one.
    pub audits: usize,
    /// How the counts moved between the last two complete audits ([`History::deltas`]).
    pub deltas: Vec<(Status, i64)>,
    /// Each resource's recent checks, oldest first. `report.md` shows those of the resources that
    /// need attention, so an audit gives those alone.
    pub recent: HashMap<String, Vec<Seen>>,
}

impl Past {
    /// The past of `history` and of each resource's `recent` checks in the baseline
    /// ([`Baseline::recent`], `state::Store::recent`).
    pub fn new(history: &History, recent: impl IntoIterator<Item = (String, Vec<Seen>)>) -> Past {
        Past {
            audits: history.rows.len(),
            deltas: history.deltas(),
            recent: recent
                .into_iter()
                .filter(|(_, recent)| !recent.is_empty())
                .collect(),
        }
    }

    /// The past as `history.csv` and the baseline in `out_dir` hold it.
    pub fn read(out_dir: &Path) -> Result<Past, HistoryError> {
        Ok(Past::new(
            &History::read(out_dir)?,
            Baseline::load(out_dir)?.recent(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(date: &str, status: Status) -> Seen {
        Seen {
            date: date.parse().unwrap(),
            status,
        }
    }

    #[test]
    fn a_timeline_says_how_often_and_since_when() {
        let recent = [
            seen("2026-11-01", Status::Ok),
            seen("2026-11-08", Status::Failing),
            seen("2026-11-15", Status::Ok),
            seen("2026-11-22", Status::Failing),
            seen("2026-11-29", Status::Failing),
        ];
        assert_eq!(
            timeline(&recent),
            "✅⚠️✅⚠️⚠️ failing in 3 of the last 5 checks, since 2026-11-22"
        );
        assert_eq!(changes(&recent), 3);
        assert_eq!(timeline(&recent[..1]), "✅ ok since 2026-11-01");
        assert_eq!(timeline(&[]), "");
    }

    #[test]
    fn axis_steps_are_round() {
        assert_eq!(tick_step(0), 1);
        assert_eq!(tick_step(4), 1);
        assert_eq!(tick_step(7), 2);
        assert_eq!(tick_step(199), 50);
        assert_eq!(tick_step(201), 100);
    }

    #[test]
    fn csv_round_trips_and_reads_columns_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut counts: BTreeMap<Status, usize> = Status::ALL.iter().map(|&s| (s, 0)).collect();
        counts.insert(Status::Ok, 3);
        counts.insert(Status::Broken, 1);
        let history = History {
            rows: vec![Row {
                finished_at: "2026-11-28T10:00:00Z".parse().unwrap(),
                counts,
                checked: 4,
                duration_s: 1.5,
            }],
        };
        history.write(dir.path()).unwrap();
        assert_eq!(History::read(dir.path()).unwrap(), history);
        assert!(
            !dir.path().join(HISTORY_SVG).exists(),
            "one audit is no chart"
        );

        std::fs::write(
            dir.path().join(HISTORY_CSV),
            "duration_s,checked,ok,finished_at\n2.0,2,2,2026-11-28T10:00:00Z\n",
        )
        .unwrap();
        let read = History::read(dir.path()).unwrap();
        assert_eq!(read.rows[0].count(Status::Ok), 2);
        assert_eq!(read.rows[0].count(Status::Broken), 0);

        std::fs::write(
            dir.path().join(HISTORY_CSV),
            "finished_at,ok,checked,duration_s\nyesterday,2,2,2.0\n",
        )
        .unwrap();
        assert_eq!(
            History::read(dir.path()).unwrap_err().to_string(),
            format!(
                "{}: line 2: column finished_at is not a timestamp: \"yesterday\"",
                dir.path().join(HISTORY_CSV).display()
            )
        );
    }
}
