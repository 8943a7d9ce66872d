//! `report.md`: what needs attention, for a person, rendered well on GitHub. Every piece of
//! text that came from a server or the catalog goes through [`text`] or [`link`], so it can never
//! break a table, inject markup, or `@mention` someone when the report becomes an issue body.

use super::AuditResults;
use super::Outcome;
use super::history::{self, HISTORY_SVG, MIN_AUDITS_FOR_CHART, Past};
use crate::status::Status;
use crate::time::rfc3339;
use regex::Regex;
use std::io::{self, Write};
use std::sync::LazyLock;

/// Statuses in the order a maintainer should read them: the worst for a reader first.
const ATTENTION_ORDER: [Status; 7] = [
    Status::Hijacked,
    Status::Broken,
    Status::Soft404,
    Status::Moved,
    Status::Changed,
    Status::Blocked,
    Status::Failing,
];

/// Writes the Markdown report; `past` gives the history chart at the top and the timelines of
/// the resources that need attention.
pub fn write(results: &AuditResults, past: &Past, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "# Link audit: {}", text(&results.catalog.title))?;
    writeln!(w)?;
    let took = results
        .finished_at
        .duration_since(results.started_at)
        .as_secs_f64()
        .max(0.0);
    writeln!(
        w,
        "Audited {} · {} links · {:.1} s",
        rfc3339(results.started_at),
        results.outcomes.len(),
        took
    )?;
    if past.audits >= MIN_AUDITS_FOR_CHART {
        writeln!(w, "\n![Audit history]({HISTORY_SVG})")?;
        writeln!(
            w,
            "\nBetween the last two complete audits: {}.",
            history::describe_deltas(&past.deltas)
        )?;
    } else {
        writeln!(
            w,
            "\nThe chart of statuses per audit appears once there are {MIN_AUDITS_FOR_CHART} complete audits ({} so far).",
            past.audits
        )?;
    }
    if !results.only.is_empty() {
        let only: Vec<String> = results.only.iter().map(|s| code(s)).collect();
        writeln!(
            w,
            "\nOnly part of the catalog was checked: {}.",
            only.join(", ")
        )?;
    }
    if !results.checked_this_run.is_empty() {
        writeln!(
            w,
            "\nThis run checked {} of the {} links below; the others keep the result and `checked_at` of an earlier audit.",
            results.checked_this_run.len(),
            results.outcomes.len()
        )?;
    }
    if !results.complete {
        let done = if results.checked_this_run.is_empty() {
            results.outcomes.len()
        } else {
            results.checked_this_run.len()
        };
        writeln!(
            w,
            "\n> [!WARNING]\n> This audit is **incomplete**: it was interrupted after {done} of {} links.",
            results.selected
        )?;
    }
    writeln!(w, "\n| status | links |\n|---|---:|")?;
    for (status, n) in results.counts() {
        writeln!(w, "| `{status}` | {n} |")?;
    }

    let attention: Vec<&Outcome> = results
        .outcomes
        .iter()
        .filter(|o| o.status.needs_attention())
        .collect();
    if attention.is_empty() {
        writeln!(w, "\nNothing needs attention.")?;
        return Ok(());
    }
    writeln!(w, "\n## Needs attention")?;
    writeln!(w, "\nRecent checks, oldest first: {}.", history::legend())?;
    for status in ATTENTION_ORDER {
        let of_status: Vec<&Outcome> = attention
            .iter()
            .copied()
            .filter(|o| o.status == status)
            .collect();
        if of_status.is_empty() {
            continue;
        }
        writeln!(w, "\n### `{status}` ({})", of_status.len())?;
        writeln!(w, "\n{}", meaning(status, results.confirm_after))?;
        for folder in &results.catalog.folders {
            write_folder(w, results, past, &of_status, &folder.id)?;
        }
        let known = |o: &&&Outcome| results.catalog.folders.iter().any(|f| f.id == o.folder);
        let orphans: Vec<&Outcome> = of_status.iter().filter(|o| !known(o)).copied().collect();
        if !orphans.is_empty() {
            write_rows(w, results, past, "(no folder)", &orphans)?;
        }
    }
    Ok(())
}

fn write_folder(
    w: &mut dyn Write,
    results: &AuditResults,
    past: &Past,
    outcomes: &[&Outcome],
    folder: &str,
) -> io::Result<()> {
    let rows: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.folder == folder)
        .copied()
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    write_rows(w, results, past, results.folder_title(folder), &rows)
}

fn write_rows(
    w: &mut dyn Write,
    results: &AuditResults,
    past: &Past,
    folder_title: &str,
    rows: &[&Outcome],
) -> io::Result<()> {
    writeln!(w, "\n#### {}\n", text(folder_title))?;
    writeln!(
        w,
        "| resource | URL | what happened | recent checks | action |"
    )?;
    writeln!(w, "|---|---|---|---|---|")?;
    for o in rows {
        let recent = past.recent.get(&o.id).map_or(&[][..], Vec::as_slice);
        writeln!(
            w,
            "| {} (`{}`) | {} | {} | {} | {} |",
            text(&o.title),
            text(&o.id),
            link(&o.url),
            text(&o.detail),
            history::timeline(recent),
            action(o, results.confirm_after)
        )?;
    }
    for o in rows {
        if let Some(change) = o.change.as_ref().filter(|_| o.status == Status::Changed) {
            write_change(w, o, change)?;
        }
    }
    Ok(())
}

fn write_change(w: &mut dyn Write, o: &Outcome, change: &crate::content::Change) -> io::Result<()> {
    writeln!(
        w,
        "\n<details><summary>{} — what changed</summary>\n",
        html(&o.title)
    )?;
    for reason in &change.reasons {
        writeln!(w, "- {}", text(reason))?;
    }
    if change.old_title != change.new_title {
        writeln!(
            w,
            "- title: {} → {}",
            text(change.old_title.as_deref().unwrap_or("(none)")),
            text(change.new_title.as_deref().unwrap_or("(none)"))
        )?;
    }
    if let Some(sim) = change.similarity {
        writeln!(w, "- similarity to the baseline: {:.0}%", sim * 100.0)?;
    }
    writeln!(
        w,
        "- words added: {}, removed: {}",
        change.words_added, change.words_removed
    )?;
    if !change.diff_excerpt.is_empty() {
        let body = change.diff_excerpt.join("\n");
        let fence = fence_for(&body);
        writeln!(w, "\n{fence}diff\n{body}\n{fence}")?;
        writeln!(w, "\n{}", diff_note(o, change.diff_omitted))?;
    }
    writeln!(w, "\n</details>")
}

/// Under a diff excerpt: how much of the diff it left out, and where the whole text is.
fn diff_note(o: &Outcome, omitted: usize) -> String {
    let left_out = match omitted {
        0 => String::new(),
        1 => "1 more line of the diff is left out. ".to_owned(),
        n => format!("{n} more lines of the diff are left out. "),
    };
    let pending = crate::state::Snapshots::pending_path(&o.id);
    format!(
        "{left_out}The full new text is `{}` in the output directory; `linkwatch diff {}` shows the whole diff.",
        pending
            .to_string_lossy()
            .replace('\\', "/")
            .replace('`', "'"),
        o.id.replace('`', "'")
    )
}

/// What a status means, one line under its heading.
fn meaning(status: Status, confirm_after: u32) -> String {
    match status {
        Status::Hijacked => "The address now serves something else (parked domain, spam, or another owner): remove or replace the link now.".into(),
        Status::Broken => "Gone for sure: 404/410, no such host, bad certificate, redirect loop, or failing for several audits in a row.".into(),
        Status::Soft404 => "The page answers, but the resource is gone (a \"not found\" page, or a redirect to the home page).".into(),
        Status::Moved => "Reachable only through permanent redirects: update the catalog to the new URL (`linkwatch fix` does it).".into(),
        Status::Changed => "The content differs from the accepted baseline.".into(),
        Status::Blocked => "The server refuses automated checks: a person should look.".into(),
        Status::Failing => format!("Failed this audit in a way that may be temporary; it counts as broken after {confirm_after} audits in a row spanning at least `--confirm-span` (default a day)."),
        Status::Ok | Status::Skipped => String::new(),
    }
}

/// What a maintainer should do about one link.
fn action(o: &Outcome, confirm_after: u32) -> String {
    match o.status {
        Status::Hijacked => with_archived(
            o,
            "remove or replace the link now; never accept this content",
        ),
        Status::Moved => match &o.final_url {
            Some(url) => format!("update the URL to {}", link(url)),
            None => "update the URL".into(),
        },
        Status::Broken => with_archived(o, "find its new address, or remove it"),
        Status::Soft404 => with_archived(
            o,
            "open it in a browser; find its new address, or remove it",
        ),
        Status::Changed => format!(
            "review the change; when it is fine: `linkwatch accept {}`",
            text(&o.id)
        ),
        Status::Blocked => {
            "open it in a browser; if it is fine, add the status to `watch.accept`".into()
        }
        Status::Failing => {
            format!(
                "none yet: re-checked next audit (broken after {confirm_after} in a row, over at least `--confirm-span`)"
            )
        }
        Status::Ok | Status::Skipped => String::new(),
    }
}

/// An action, followed by the link's archived copy when it has one.
fn with_archived(o: &Outcome, action: &str) -> String {
    match &o.archived {
        Some(copy) => format!("{action}; archived copy: {}", link(copy)),
        None => action.to_owned(),
    }
}

/// Escapes text for a Markdown table cell: no markup, no HTML, no table breaks, no mentions,
/// no issue references, one line.
pub fn text(s: &str) -> String {
    escape(s, |c, out| match c {
        '|' => out.push_str("&#124;"),
        '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '!' | '~' | '{' | '}' | '$' => {
            out.push('\\');
            out.push(c);
        }
        c => out.push(c),
    })
}

/// Escapes text for an HTML block (inside `<summary>`, where Markdown is not parsed), with
/// mentions and issue references broken and everything on one line.
fn html(s: &str) -> String {
    escape(s, |c, out| match c {
        '"' => out.push_str("&quot;"),
        c => out.push(c),
    })
}

/// What both contexts need: one line, no HTML, no `@mention`, no `#123`, `GH-123`, commit-id
/// or autolink (`https://`, `www.`) that GitHub would turn into a link, no control or bidi
/// characters; every other character goes through `rest`.
fn escape(s: &str, mut rest: impl FnMut(char, &mut String)) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("@\u{200b}"),
            '#' => out.push_str("#\u{200b}"),
            c if crate::text::is_unsafe(c) => {}
            c => rest(c, &mut out),
        }
    }
    defuse_autolinks(&out)
}

/// Breaks what GitHub links by itself in plain text with a zero-width space: `GH-123`, URLs
/// (`https://`), `www.` names, and runs of 7 to 40 hex digits that could be a commit id.
fn defuse_autolinks(s: &str) -> String {
    static AUTOLINK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:(gh)(-\d)|([a-z][a-z0-9+.-]*)(:\\?/\\?/)|(www)(\\?\.)|([0-9a-f]{4})([0-9a-f]{3,36})\b)")
            .expect("autolink pattern")
    });
    AUTOLINK
        .replace_all(s, |c: &regex::Captures<'_>| {
            let whole = &c[0];
            if let (Some(head), Some(tail)) = (c.get(7), c.get(8)) {
                let hex = whole;
                let is_commit_like = hex.bytes().any(|b| b.is_ascii_digit())
                    && hex.bytes().any(|b| b.is_ascii_alphabetic());
                return if is_commit_like {
                    format!("{}\u{200b}{}", head.as_str(), tail.as_str())
                } else {
                    whole.to_owned()
                };
            }
            let (head, tail) = [(1, 2), (3, 4), (5, 6)]
                .into_iter()
                .find_map(|(h, t)| Some((c.get(h)?, c.get(t)?)))
                .map_or((whole, ""), |(h, t)| (h.as_str(), t.as_str()));
            format!("{head}\u{200b}{tail}")
        })
        .into_owned()
}

/// A URL as a Markdown autolink that cannot break out of its cell or its angle brackets.
pub fn link(url: &str) -> String {
    let mut out = String::with_capacity(url.len() + 2);
    out.push('<');
    for c in url.chars() {
        match c {
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '|' => out.push_str("%7C"),
            ' ' => out.push_str("%20"),
            '`' => out.push_str("%60"),
            '"' => out.push_str("%22"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('>');
    out
}

/// Inline code for text we produced ourselves or that has no backticks.
fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'"))
}

/// A code fence longer than any run of backticks in `body`.
fn fence_for(body: &str) -> String {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CatalogInfo, FolderInfo};

    fn outcome(id: &str, status: Status, detail: &str) -> Outcome {
        Outcome {
            id: id.into(),
            folder: "guides".into(),
            title: id.into(),
            url: format!("https://{id}.test/"),
            status,
            http_status: Some(200),
            final_url: None,
            detail: detail.into(),
            checked_at: "2026-11-28T12:00:00Z".parse().unwrap(),
            redirects: Vec::new(),
            attempts: 1,
            elapsed_ms: 1,
            content_type: None,
            bytes: None,
            similarity: None,
            baseline_at: None,
            failing_since: None,
            change: None,
            failing_audits: 0,
            archived: None,
        }
    }

    #[test]
    fn hijacked_comes_first_under_its_own_heading() {
        let results = AuditResults {
            schema_version: crate::report::RESULTS_SCHEMA_VERSION,
            catalog: CatalogInfo {
                title: "Toolkit".into(),
                publisher: "Us".into(),
                folders: vec![FolderInfo {
                    id: "guides".into(),
                    title: "Guides".into(),
                }],
            },
            started_at: "2026-11-28T12:00:00Z".parse().unwrap(),
            finished_at: "2026-11-28T12:00:01Z".parse().unwrap(),
            complete: true,
            selected: 2,
            only: Vec::new(),
            shard: None,
            confirm_after: 2,
            checked_this_run: Vec::new(),
            baseline_digest: None,
            network_down: false,
            outcomes: vec![
                outcome("gone", Status::Broken, "404 Not Found"),
                outcome(
                    "parked",
                    Status::Hijacked,
                    "hijacked: parking page (\"this domain may be for sale\")",
                ),
            ],
        };
        let mut buf = Vec::new();
        write(&results, &Past::default(), &mut buf).unwrap();
        let report = String::from_utf8(buf).unwrap();
        let hijacked = report.find("### `hijacked` (1)").expect("own heading");
        assert!(
            hijacked < report.find("### `broken` (1)").unwrap(),
            "{report}"
        );
        assert!(report.contains(
            "\nThe address now serves something else (parked domain, spam, or another owner): remove or replace the link now.\n"
        ));
        assert!(report.contains("| remove or replace the link now; never accept this content |"));
    }

    #[test]
    fn a_cut_diff_says_how_much_it_left_out_and_where_the_whole_text_is() {
        let mut o = outcome("guide", Status::Changed, "content changed");
        let change = crate::content::Change {
            diff_excerpt: vec!["@@ -1 +1 @@".into(), "-old".into(), "+new".into()],
            diff_omitted: 12,
            ..Default::default()
        };
        o.change = Some(change.clone());
        let mut buf = Vec::new();
        write_change(&mut buf, &o, &change).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(
            text.contains(
                "```\n\n12 more lines of the diff are left out. The full new text is \
                 `snapshots/pending/guide.txt` in the output directory; `linkwatch diff guide` \
                 shows the whole diff.\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn lost_links_name_their_archived_copy_in_the_action() {
        let mut o = outcome("gone", Status::Broken, "404 Not Found");
        o.archived = Some("https://web.archive.org/web/2026/https://gone.test/".into());
        assert_eq!(
            action(&o, 2),
            "find its new address, or remove it; archived copy: \
             <https://web.archive.org/web/2026/https://gone.test/>"
        );
    }

    #[test]
    fn text_cannot_break_tables_markup_or_mention() {
        let evil = "a|b <script>x</script> @team #99 [x](javascript:y) **bold**\nnext";
        let escaped = text(evil);
        assert!(!escaped.contains('|'));
        assert!(!escaped.contains('<'));
        assert!(!escaped.contains('\n'));
        assert!(!escaped.contains("@team"));
        assert!(!escaped.contains("#99"));
        assert!(escaped.contains("\\[x\\]\\(javascript:y\\)"));
        assert!(escaped.contains("\\*\\*bold\\*\\*"));
    }

    #[test]
    fn github_autolinks_in_server_text_are_broken() {
        let zw = '\u{200b}';
        assert_eq!(text("see GH-12"), format!("see GH{zw}-12"));
        assert_eq!(
            html("go to https://evil.example/x or www.evil.example"),
            format!("go to https{zw}://evil.example/x or www{zw}.evil.example")
        );
        assert_eq!(
            html("fixed in 1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d"),
            format!("fixed in 1a2b{zw}3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d")
        );
        assert_eq!(
            html("accessed deadbeef 1234567"),
            "accessed deadbeef 1234567"
        );
        assert_eq!(html("owner/repo#12 ref"), format!("owner/repo#{zw}12 ref"));
        assert_eq!(text("a\u{1b}[31mb\u{202e}c"), "a\\[31mbc");
    }

    #[test]
    fn summary_html_is_escaped_without_markdown_backslashes() {
        assert_eq!(
            html("a <b> & \"c\" @x\ny_z"),
            "a &lt;b&gt; &amp; &quot;c&quot; @\u{200b}x y_z"
        );
    }

    #[test]
    fn link_stays_inside_its_angle_brackets() {
        assert_eq!(
            link("https://a.test/x y>|z`"),
            "<https://a.test/x%20y%3E%7Cz%60>"
        );
    }

    #[test]
    fn fence_is_longer_than_any_backtick_run() {
        assert_eq!(fence_for("a ```` b"), "`````");
        assert_eq!(fence_for("plain"), "```");
    }
}
