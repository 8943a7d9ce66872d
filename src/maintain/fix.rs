//! `fix`: rewrite the URL of every resource the last audit found permanently moved, and name
//! the moves a person should judge.

use crate::catalog::Catalog;
use crate::catalog::doc::{ReadError, read_folders};
use crate::check::Hop;
use crate::report::AuditResults;
use crate::status::Status;
use crate::url::WebUrl;
use std::path::{Path, PathBuf};

/// What `fix` would do with the last audit's `moved` resources.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FixPlan {
    /// URLs to replace with where they now permanently redirect.
    pub rewrites: Vec<Rewrite>,
    /// Moves a person should judge: they end on a soft-404 or on another host's home page.
    pub for_review: Vec<Review>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rewrite {
    pub id: String,
    pub folder: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub id: String,
    pub from: String,
    pub to: String,
    pub reason: &'static str,
}

/// Decides, for every permanently redirected resource of `audit` still in `catalog` with the
/// audited URL, whether its URL can be rewritten or needs a person.
pub fn plan_fixes(catalog: &Catalog, audit: &AuditResults) -> FixPlan {
    let mut plan = FixPlan::default();
    for o in &audit.outcomes {
        let redirected = o.redirects.iter().any(Hop::is_permanent);
        let Some(to) = o.final_url.as_deref() else {
            continue;
        };
        let Some(entry) = catalog.resources.iter().find(|e| e.resource.id == o.id) else {
            continue;
        };
        if entry.resource.url != o.url || to == o.url {
            continue;
        }
        let review = |reason| Review {
            id: o.id.clone(),
            from: o.url.clone(),
            to: to.to_owned(),
            reason,
        };
        match o.status {
            Status::Moved if is_other_home_page(&o.url, to) => {
                plan.for_review
                    .push(review("ends on another host's home page"));
            }
            Status::Moved if changes_owner(&o.url, to) => {
                plan.for_review
                    .push(review("moves to another registrable domain"));
            }
            Status::Moved => plan.rewrites.push(Rewrite {
                id: o.id.clone(),
                folder: entry.folder.clone(),
                from: o.url.clone(),
                to: to.to_owned(),
            }),
            Status::Soft404 if redirected => {
                plan.for_review.push(review("ends on a soft-404 page"));
            }
            _ => {}
        }
    }
    plan
}

/// Whether `to` is the home page of a host other than `from`'s, while `from` was not a home
/// page: the usual sign of a site that redirects everything it lost to its front door.
fn is_other_home_page(from: &str, to: &str) -> bool {
    let (Ok(from), Ok(to)) = (WebUrl::parse(from), WebUrl::parse(to)) else {
        return false;
    };
    to.is_home_page() && !from.is_home_page() && from.site() != to.site()
}

/// Whether `to` belongs to another registrable domain than `from` (`ojp.gov` to `example.com`):
/// a lapsed or sold domain redirects too, so such a move needs a person, not a rewrite.
fn changes_owner(from: &str, to: &str) -> bool {
    let (Ok(from), Ok(to)) = (WebUrl::parse(from), WebUrl::parse(to)) else {
        return false;
    };
    from.registrable_domain() != to.registrable_domain()
}

/// Applies `plan.rewrites` to the folder files in `dir`; returns each changed file's old and
/// new text.
pub fn apply_fixes(
    dir: &Path,
    plan: &FixPlan,
) -> Result<Vec<(PathBuf, String, String)>, ReadError> {
    let mut folders: Vec<&str> = plan.rewrites.iter().map(|r| r.folder.as_str()).collect();
    folders.sort_unstable();
    folders.dedup();
    let mut out = Vec::new();
    for (folder, old, mut doc) in read_folders(dir, folders)? {
        for r in plan.rewrites.iter().filter(|r| r.folder == folder) {
            doc.set_url(&r.id, &r.to)?;
        }
        out.push((doc.path().to_owned(), old, doc.render()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_to_another_registrable_domain_change_owner() {
        assert!(!changes_owner(
            "https://ojjdp.ojp.gov/a",
            "https://www.ojp.gov/b"
        ));
        assert!(!changes_owner(
            "http://example.org/a",
            "https://www.example.org/a"
        ));
        assert!(changes_owner(
            "https://ojjdp.ojp.gov/a",
            "https://ojp-gov.example.com/a"
        ));
        assert!(changes_owner(
            "https://a.github.io/x",
            "https://b.github.io/x"
        ));
    }
}
