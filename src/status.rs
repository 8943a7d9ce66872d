//! The status vocabulary every layer names: a link's health, as reports, exports, flags and the
//! baseline spell it.

crate::vocabulary! {
    /// A link's health. The words are a contract: reports, exports and audits use exactly these.
    pub enum Status ("status") {
        /// Reachable and healthy.
        Ok = "ok",
        /// The address now serves something else (a parked domain, spam, another owner's site):
        /// remove or replace the link now.
        Hijacked = "hijacked",
        /// Reachable only through permanent redirects: update the catalog to the final URL.
        Moved = "moved",
        /// Healthy, but its content differs from the baseline.
        Changed = "changed",
        /// Answers, but the resource is gone.
        Soft404 = "soft404",
        /// Gone for sure.
        Broken = "broken",
        /// Failed this audit in a way that may be temporary.
        Failing = "failing",
        /// The server refuses automated checks: a person should look.
        Blocked = "blocked",
        /// `watch.skip` is set.
        Skipped = "skipped",
    }
}

/// Statuses that make `check` and `merge` exit 1 unless `--fail-on` or `linkwatch.toml` says
/// otherwise: a link that is gone, or that now leads somewhere a reader must not be sent.
pub const DEFAULT_FAIL_ON: [Status; 3] = [Status::Broken, Status::Soft404, Status::Hijacked];

impl Status {
    /// Whether a maintainer has something to do about a link with this status.
    pub fn needs_attention(self) -> bool {
        !matches!(self, Status::Ok | Status::Skipped)
    }

    /// What the status means, in one line (for `check --help`).
    pub fn meaning(self) -> &'static str {
        match self {
            Status::Ok => "reachable and healthy",
            Status::Hijacked => "the address now serves something else: remove or replace it now",
            Status::Moved => "reachable only through permanent redirects: update the URL",
            Status::Changed => "healthy, but its content differs from the baseline",
            Status::Soft404 => "answers, but the resource is gone",
            Status::Broken => "gone for sure",
            Status::Failing => "failed this audit in a way that may be temporary",
            Status::Blocked => "the server refuses automated checks: a person should look",
            Status::Skipped => "`watch.skip` is set",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_through_serde_parse_and_clap() {
        for &s in Status::ALL {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
            assert_eq!(s.as_str().parse::<Status>(), Ok(s));
            assert_eq!(
                <Status as clap::ValueEnum>::from_str(s.as_str(), false),
                Ok(s)
            );
        }
        assert_eq!(
            "brokn".parse::<Status>().unwrap_err(),
            "unknown status `brokn`: did you mean `broken`?"
        );
    }

    #[test]
    fn hijacked_needs_attention_and_fails_by_default() {
        assert!(Status::Hijacked.needs_attention());
        assert!(DEFAULT_FAIL_ON.contains(&Status::Hijacked));
        assert_eq!(Status::ALL[1], Status::Hijacked, "first after `ok`");
    }
}
