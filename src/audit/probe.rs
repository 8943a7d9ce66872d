//! The sibling probe: once per host and audit, what the host answers for an address that cannot
//! exist, for the resources whose soft-404 signals were unclear (see
//! [`soft404::unclear`](crate::content::soft404::unclear)).
//!
//! A host's probe is sent as soon as one of its resources needs it, added to the audit's own run
//! (see [`Feed`]): it is scheduled like any link of the host, within the per-host limit and any
//! `Retry-After` pause, ahead of the host's queue, through the same client (User-Agent, address
//! policy, cookie jar, body budget). It asks for a random name in the resource's folder, with
//! the resource's extension. The resources waiting for it are judged and staged already, and
//! wait without their bodies; once it answers, each is compared with the probe's page, and
//! becomes `soft404` when it is the same
//! page. Later resources of that host are compared with the same answer. At most
//! [`MAX_HELD`] resources wait at once; beyond that, a resource keeps the verdict it had
//! without the probe. A probe that fails, or any answer but a 2xx (a 404 or 410 above all: an
//! honest host), changes nothing; nor does a cancelled audit, whose waiting resources keep the
//! verdicts they had. Probes are never outcomes, never in the baseline, never counted as checked.

use super::Judged;
use crate::catalog::Watch;
use crate::check::engine::{Feed, Finished};
use crate::check::{Cancel, Request};
use crate::content::{self, soft404};
use crate::url::{WebUrl, host_key};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::task::JoinSet;

/// Most resources waiting for their host's probe at once, over all hosts.
pub(super) const MAX_HELD: usize = 512;

/// Prefix of a probe's file name; the rest is 16 random hex digits and the resource's extension.
pub(super) const PROBE_NAME: &str = "linkwatch-probe-";

/// What a host answered for an address that cannot exist, when it answered with a page (2xx).
#[derive(Debug)]
pub(super) struct CatchAll {
    /// The probe's path, e.g. `/guides/linkwatch-probe-0123456789abcdef.html`.
    path: String,
    /// The status it answered with, after redirects.
    status: u16,
    sample: soft404::Sample,
}

impl CatchAll {
    /// Whether a resource's page, sampled as `sample`, is this page; then the detail to give.
    pub(super) fn same_page(&self, sample: &soft404::Sample) -> Option<String> {
        soft404::same_as_probe(sample, &self.sample).then(|| {
            format!(
                "soft 404: this host answers every address with the same page (probe {} answered {})",
                self.path, self.status
            )
        })
    }
}

/// A host's probe has answered: the resources that waited for it, and its page if it is one.
#[derive(Debug)]
pub(super) struct Answered {
    pub(super) waited: Vec<Judged>,
    pub(super) catch_all: Option<Arc<CatchAll>>,
}

/// Where a judged resource goes next.
#[derive(Debug)]
pub(super) enum Route {
    /// To the baseline and the outcomes, as it is.
    Done(Judged),
    /// Nowhere yet: it waits for its host's probe.
    Waiting,
    /// To be compared with its host's catch-all page.
    Compare(Judged, Arc<CatchAll>),
}

#[derive(Debug)]
enum Host {
    Asking(Vec<Judged>),
    Answered(Option<Arc<CatchAll>>),
}

/// The audit's probes: one per host, sent when first needed, and the resources waiting for them.
#[derive(Debug)]
pub(super) struct Probes {
    /// Adds a probe to the audit's run; `None` once no more may be sent.
    feed: Option<Feed>,
    cancel: Cancel,
    hosts: HashMap<String, Host>,
    /// Probes sent and not answered yet, by their index in the run: host and URL.
    sent: HashMap<usize, (String, String)>,
    /// Answers being read.
    reading: JoinSet<(String, Option<CatchAll>)>,
    waiting: usize,
}

impl Probes {
    pub(super) fn new(feed: Feed, cancel: Cancel) -> Probes {
        Probes {
            feed: Some(feed),
            cancel,
            hosts: HashMap::new(),
            sent: HashMap::new(),
            reading: JoinSet::new(),
            waiting: 0,
        }
    }

    /// Whether no probe is on its way (so no resource waits).
    pub(super) fn is_idle(&self) -> bool {
        self.sent.is_empty() && self.reading.is_empty()
    }

    /// No more probes are sent: the run may end once the ones sent have answered.
    pub(super) fn close(&mut self) {
        self.feed = None;
    }

    /// Whether the finished link with this index of the run is a probe.
    pub(super) fn is_probe(&self, index: usize) -> bool {
        self.sent.contains_key(&index)
    }

    /// A probe's answer, from the run: its page is read on the blocking pool.
    pub(super) fn answer(&mut self, finished: Finished) {
        if let Some((host, probe)) = self.sent.remove(&finished.index) {
            self.reading.spawn(read(host, probe, finished));
        }
    }

    /// The run ended with probes unanswered (it was cancelled): the resources waiting for them
    /// go on with the verdicts they have.
    pub(super) fn abandon(&mut self) -> Vec<Judged> {
        let mut released = Vec::new();
        for (_, (host, _)) in self.sent.drain() {
            if let Some(Host::Asking(waited)) = self.hosts.insert(host, Host::Answered(None)) {
                released.extend(waited);
            }
        }
        self.waiting -= released.len();
        released
    }

    /// Routes a judged resource: on at once unless its signals were unclear; else to its host's
    /// probe, sending it now if it is the host's first.
    pub(super) fn route(&mut self, judged: Judged) -> Route {
        let Some(unclear) = &judged.unclear else {
            return Route::Done(judged);
        };
        let url = &unclear.entry.resource.url;
        let host = host_key(url);
        match self.hosts.get_mut(&host) {
            Some(Host::Answered(Some(catch_all))) => Route::Compare(judged, catch_all.clone()),
            Some(Host::Answered(None)) => Route::Done(judged),
            Some(Host::Asking(waiting)) if self.waiting < MAX_HELD => {
                waiting.push(judged);
                self.waiting += 1;
                Route::Waiting
            }
            Some(Host::Asking(_)) => Route::Done(judged),
            None if self.cancel.is_cancelled() => Route::Done(judged),
            None => {
                let sent = probe_url(url).and_then(|probe| {
                    let index = self.feed.as_ref()?.add(Request::new(probe.clone()))?;
                    self.sent.insert(index, (host.clone(), probe));
                    Some(())
                });
                if sent.is_none() {
                    self.hosts.insert(host, Host::Answered(None));
                    return Route::Done(judged);
                }
                if self.waiting < MAX_HELD {
                    self.waiting += 1;
                    self.hosts.insert(host, Host::Asking(vec![judged]));
                    Route::Waiting
                } else {
                    self.hosts.insert(host, Host::Asking(Vec::new()));
                    Route::Done(judged)
                }
            }
        }
    }

    /// The next probe to be read, with the resources that waited for it; `None` when none is
    /// being read.
    pub(super) async fn next(&mut self) -> Option<Answered> {
        let (host, catch_all) = match self.reading.join_next().await? {
            Ok(answer) => answer,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        };
        let catch_all = catch_all.map(Arc::new);
        let waited = match self.hosts.insert(host, Host::Answered(catch_all.clone())) {
            Some(Host::Asking(waited)) => waited,
            _ => Vec::new(),
        };
        self.waiting -= waited.len();
        Some(Answered { waited, catch_all })
    }
}

/// The probe of the host of `resource`: same scheme, host and port, the resource's folder (its
/// path up to the last `/`), and a random name that keeps the resource's extension (`.html`,
/// `.aspx`…); no query. `None` for a URL that is not a web URL.
pub(super) fn probe_url(resource: &str) -> Option<String> {
    let parsed = WebUrl::parse(resource).ok()?;
    let mut url = parsed.as_url().clone();
    let (folder, name) = url.path().rsplit_once('/').unwrap_or(("", url.path()));
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext)
        .filter(|ext| {
            (1..=5).contains(&ext.len()) && ext.bytes().all(|b| b.is_ascii_alphanumeric())
        })
        .map(|ext| format!(".{ext}"))
        .unwrap_or_default();
    let path = format!("{folder}/{PROBE_NAME}{:016x}{extension}", fastrand::u64(..));
    url.set_path(&path);
    url.set_query(None);
    url.set_fragment(None);
    Some(url.to_string())
}

/// Reads one host's probe answer: its page, when it answered with one.
async fn read(host: String, probe: String, finished: Finished) -> (String, Option<CatchAll>) {
    let fetch = &finished.fetch;
    let page_answer = fetch.failure.is_none()
        && fetch.body_incomplete.is_none()
        && fetch.challenge.is_none()
        && fetch.http_status.is_some_and(|s| (200..300).contains(&s));
    if !page_answer {
        return (host, None);
    }
    // Reading the page is CPU work: the blocking pool's, like judging a resource.
    let read = tokio::task::spawn_blocking(move || {
        let fetch = &finished.fetch;
        let page = content::extract(
            &fetch.body,
            fetch.content_type.as_deref(),
            &Watch::default(),
        );
        let path =
            WebUrl::parse(&probe).map_or_else(|_| probe.clone(), |u| u.as_url().path().to_owned());
        CatchAll {
            path,
            status: fetch.http_status.unwrap_or_default(),
            sample: soft404::Sample::new(&probe, &fetch.final_url, &page),
        }
    })
    .await;
    match read {
        Ok(catch_all) => (host, Some(catch_all)),
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Unclear, checked};
    use crate::catalog::{Entry, Kind, Resource};
    use crate::check::{CheckConfig, Engine, Fetch, PrivateAddresses};
    use crate::state::Assessment;
    use crate::status::Status;

    /// A judged `ok` resource at `url` whose signals were unclear.
    fn unclear(slot: usize, url: &str) -> Judged {
        let entry = Entry {
            folder: "web".into(),
            resource: Resource::new(&format!("r{slot}"), "A page", url, Kind::Guide, "Example"),
        };
        let now = crate::time::now();
        let assessment = Assessment {
            status: Status::Ok,
            detail: "200 OK".into(),
            similarity: None,
            baseline_at: None,
            failing_since: None,
            failing_audits: 0,
            change: None,
        };
        let page = content::extract(
            b"<title>A page</title>",
            Some("text/html"),
            &Watch::default(),
        );
        Judged {
            slot,
            outcome: checked(&entry, &Fetch::default(), assessment, now),
            staged: None,
            unclear: Some(Box::new(Unclear {
                sample: soft404::Sample::new(url, url, &page),
                entry,
                prior: None,
                now,
            })),
        }
    }

    #[tokio::test]
    async fn one_probe_per_host_and_at_most_max_held_resources_wait_for_probes() {
        // Nothing listens on port 9 of loopback: the probe fails at once.
        let engine = Engine::new(CheckConfig {
            private_addresses: PrivateAddresses::Allowed,
            retries: 0,
            ..CheckConfig::default()
        })
        .unwrap();
        let (mut checks, feed) = engine.start_fed(Vec::new(), &Cancel::default());
        let mut probes = Probes::new(feed, Cancel::default());
        for slot in 0..=MAX_HELD {
            let route = probes.route(unclear(
                slot,
                &format!("http://127.0.0.1:9/docs/{slot}.html"),
            ));
            match route {
                Route::Waiting => assert!(slot < MAX_HELD, "{slot}"),
                Route::Done(judged) => assert_eq!(judged.slot, MAX_HELD, "beyond the cap"),
                Route::Compare(..) => panic!("{slot}: no answer yet"),
            }
        }
        let clear = Judged {
            unclear: None,
            ..unclear(MAX_HELD + 1, "http://127.0.0.1:9/docs/clear.html")
        };
        assert!(
            matches!(probes.route(clear), Route::Done(_)),
            "a clear page goes on"
        );
        assert_eq!(probes.sent.len(), 1, "one probe for the host");
        let finished = checks
            .next()
            .await
            .expect("the probe runs in the audit's run");
        assert!(probes.is_probe(finished.index));
        assert!(finished.fetch.failure.is_some(), "{:?}", finished.fetch);
        probes.answer(finished);
        let answered = probes.next().await.unwrap();
        assert_eq!(answered.waited.len(), MAX_HELD);
        assert!(answered.catch_all.is_none(), "a failed probe says nothing");
        assert!(probes.is_idle());
        assert!(probes.next().await.is_none());
        let later = unclear(0, "http://127.0.0.1:9/other/page.html");
        assert!(
            matches!(probes.route(later), Route::Done(_)),
            "the host's answer holds for the rest of the audit"
        );
        assert!(probes.is_idle(), "and is not asked again");

        // Closed, the feed sends nothing more, and the run ends.
        probes.close();
        let after = unclear(1, "http://127.0.0.1:9/elsewhere.html");
        let after = Judged {
            unclear: after.unclear.map(|mut u| {
                u.entry.resource.url = "http://localhost:9/elsewhere.html".into();
                u
            }),
            ..after
        };
        assert!(matches!(probes.route(after), Route::Done(_)));
        assert!(probes.is_idle());
        assert!(checks.next().await.is_none(), "the run ended");

        // A run that ends with a probe unanswered (cancelled) releases who waited for it.
        let cancel = Cancel::default();
        let (checks, feed) = engine.start_fed(Vec::new(), &cancel);
        let mut probes = Probes::new(feed, cancel.clone());
        let route = probes.route(unclear(0, "http://127.0.0.1:9/docs/a.html"));
        assert!(matches!(route, Route::Waiting));
        cancel.cancel();
        drop(checks);
        let released = probes.abandon();
        assert_eq!(released.len(), 1);
        assert!(probes.is_idle());
        let route = probes.route(unclear(1, "http://127.0.0.1:9/docs/b.html"));
        assert!(
            matches!(route, Route::Done(_)),
            "no probe once the audit is cancelled"
        );
    }

    #[test]
    fn a_probe_asks_for_a_random_name_in_the_resource_folder_with_its_extension() {
        let probe = probe_url("https://a.org:8443/guides/safety.aspx?id=3#top").unwrap();
        let rest = probe
            .strip_prefix("https://a.org:8443/guides/linkwatch-probe-")
            .unwrap();
        let (hex, ext) = rest.split_once('.').unwrap();
        assert_eq!(ext, "aspx");
        assert_eq!(hex.len(), 16);
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()), "{probe}");
        assert_ne!(
            probe,
            probe_url("https://a.org:8443/guides/safety.aspx").unwrap()
        );

        for (resource, folder) in [
            ("http://a.org/guides/", "http://a.org/guides/"),
            ("http://a.org/guides/safety", "http://a.org/guides/"),
            (
                "http://a.org/v1.2/notes.this-is-no-extension",
                "http://a.org/v1.2/",
            ),
            ("http://a.org/x", "http://a.org/"),
        ] {
            let probe = probe_url(resource).unwrap();
            let name = probe.strip_prefix(folder).unwrap();
            assert!(name.starts_with(PROBE_NAME), "{probe}");
            assert!(!name.contains('.'), "{probe}: no extension to keep");
        }
        assert_eq!(probe_url("mailto:x@a.org"), None);
    }
}
