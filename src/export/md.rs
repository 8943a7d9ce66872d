//! The Markdown export: one readable table per folder, every cell escaped.

use super::{LIST_SEPARATOR, Row, by_folder};
use crate::report::markdown::{link, text};
use std::io::{self, Write};

/// Writes a heading and a table per folder.
pub fn write(rows: &[Row], w: &mut dyn Write) -> io::Result<()> {
    let audited = rows.iter().any(|r| r.status.is_some());
    for (i, (id, title, list)) in by_folder(rows).into_iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        writeln!(w, "## {} (`{}`)", text(title), id)?;
        writeln!(w)?;
        write!(
            w,
            "| Id | Title | URL | Kind | Organization | Audience | Tags | Added | Reviewed |"
        )?;
        if audited {
            write!(w, " Status |")?;
        }
        writeln!(w)?;
        write!(w, "|---|---|---|---|---|---|---|---|---|")?;
        if audited {
            write!(w, "---|")?;
        }
        writeln!(w)?;
        for r in list {
            write!(
                w,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                text(&r.id),
                text(&r.title),
                link(&r.url),
                text(&r.kind),
                text(&r.organization),
                text(&r.audience.join(LIST_SEPARATOR)),
                text(&r.tags.join(LIST_SEPARATOR)),
                r.added.as_deref().unwrap_or(""),
                r.reviewed.as_deref().unwrap_or(""),
            )?;
            if audited {
                write!(w, " {}", r.status.as_deref().unwrap_or(""))?;
                if let Some(copy) = &r.archived {
                    write!(w, " (archived copy: {})", link(copy))?;
                }
                write!(w, " |")?;
            }
            writeln!(w)?;
        }
    }
    Ok(())
}
