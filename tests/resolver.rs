//! An audit whose resolver fails for most of its hosts at once blames the resolver, not the
//! sites: those links stay `failing`, and none is confirmed broken, however sure the resolver
//! sounds.

use crate::common::{Project, res};
use crate::support::{Reply, TestServer};
use linkwatch::audit::{self, AuditConfig, AuditEnd, Progress};
use linkwatch::check::{Cancel, CheckConfig, HostAnswer};
use linkwatch::report::Outcome;
use linkwatch::status::Status;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

struct Quiet;

impl Progress for Quiet {
    fn start(&mut self, _: usize) {}
    fn done(&mut self, _: &Outcome) {}
}

/// Audits `project` twice with `confirm_after` 1 and the resolver's answers given; returns the
/// second audit's outcomes.
async fn audit_twice(project: &Project, hosts: &[(String, HostAnswer)]) -> Vec<Outcome> {
    let catalog = linkwatch::catalog::load(&project.catalog(), linkwatch::time::today())
        .expect("catalog loads")
        .catalog;
    let config = AuditConfig {
        engine: CheckConfig {
            timeout: Duration::from_secs(2),
            retries: 0,
            hosts: hosts.iter().cloned().collect(),
            ..CheckConfig::default()
        },
        confirm_after: 1,
        confirm_span: jiff::SignedDuration::ZERO,
        only: Vec::new(),
        shard: None,
        save_baseline: true,
        archive: None,
    };
    let mut outcomes = Vec::new();
    for _ in 0..2 {
        let end = audit::run(
            catalog.clone(),
            &project.reports(),
            &config,
            &Cancel::default(),
            &mut Quiet,
        )
        .await
        .expect("the audit runs");
        let AuditEnd::Written(results) = end else {
            panic!("the audit was written: {end:?}");
        };
        outcomes = results.outcomes;
    }
    outcomes
}

fn status_of<'a>(outcomes: &'a [Outcome], id: &str) -> &'a Outcome {
    outcomes
        .iter()
        .find(|o| o.id == id)
        .unwrap_or_else(|| panic!("no outcome for {id}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_most_hosts_fail_at_dns_at_once_none_is_confirmed_broken() {
    let server = TestServer::start().await;
    server.route("/", Reply::html("<title>Up</title><p>up</p>"));
    let mut hosts = vec![(
        "up.test".to_owned(),
        HostAnswer::Public(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]),
    )];
    let mut resources = vec![res(
        "up",
        format!("http://up.test:{}/", server.addr().port()),
    )];
    for i in 0..6 {
        let name = format!("down{i}.test");
        hosts.push((name.clone(), HostAnswer::NoSuchName));
        resources.push(res(&format!("down-{i}"), format!("http://{name}/page")));
    }
    let project = Project::new(&resources);
    let outcomes = audit_twice(&project, &hosts).await;
    assert_eq!(status_of(&outcomes, "up").status, Status::Ok);
    for i in 0..6 {
        let outcome = status_of(&outcomes, &format!("down-{i}"));
        assert_eq!(outcome.status, Status::Failing, "{outcome:?}");
        assert_eq!(
            outcome.detail,
            "host name does not resolve; the resolver looks broken: 6 of 7 hosts failed at DNS \
             in this audit, so none of them is confirmed broken"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_few_hosts_without_a_name_among_many_are_broken() {
    let server = TestServer::start().await;
    server.route("/", Reply::html("<title>Up</title><p>up</p>"));
    let mut hosts = vec![("gone.test".to_owned(), HostAnswer::NoSuchName)];
    let mut resources = vec![res("gone", "http://gone.test/page")];
    for i in 0..5 {
        let name = format!("up{i}.test");
        hosts.push((
            name.clone(),
            HostAnswer::Public(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]),
        ));
        resources.push(res(
            &format!("up-{i}"),
            format!("http://{name}:{}/", server.addr().port()),
        ));
    }
    let project = Project::new(&resources);
    let outcomes = audit_twice(&project, &hosts).await;
    let gone = status_of(&outcomes, "gone");
    assert_eq!(gone.status, Status::Broken, "{gone:?}");
    assert!(
        gone.detail.ends_with("host name does not resolve"),
        "{gone:?}"
    );
}
