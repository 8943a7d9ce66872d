//! Host names to addresses for the HTTP client: the system resolver, its failures told apart
//! ("no such name" against "no answer"), and the public-only guard that keeps a request from
//! reaching inside a network, decided on the addresses the connection will actually use.

use crate::url::is_internal_ip;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// What a host name resolves to when [`super::CheckConfig::hosts`] answers for it instead of
/// DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostAnswer {
    /// These addresses, counted as public whatever they are: a test's "public" host served
    /// from loopback.
    Public(Vec<IpAddr>),
    /// The name does not exist (NXDOMAIN).
    NoSuchName,
    /// The resolver gives no answer (a timeout, SERVFAIL).
    Unavailable,
}

/// Why a name gave no address to connect to. The HTTP client wraps it; [`super::http`] finds it
/// again in the error's source chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ResolveError {
    #[error("no such host name")]
    NoSuchName,
    #[error("name lookup failed: {0}")]
    Unavailable(String),
    #[error("resolves only to private addresses")]
    Private,
}

/// A resolver for the HTTP client. The public-only one keeps just the public addresses of a
/// name and refuses a name that has none, so a name that resolves inside (DNS rebinding
/// included) is never connected to: the connection uses exactly the addresses checked here.
#[derive(Debug, Clone)]
pub(crate) struct Resolver {
    pub public_only: bool,
    pub hosts: Arc<BTreeMap<String, HostAnswer>>,
    /// Longest wait for the system resolver, so a hung one is told as a DNS failure.
    pub timeout: Duration,
}

impl Resolve for Resolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().trim_end_matches('.').to_ascii_lowercase();
        let this = self.clone();
        Box::pin(async move {
            let addrs = this.lookup(&host).await?;
            Ok(Box::new(addrs.into_iter().map(|ip| SocketAddr::new(ip, 0))) as Addrs)
        })
    }
}

impl Resolver {
    async fn lookup(&self, host: &str) -> Result<Vec<IpAddr>, ResolveError> {
        let found = match self.hosts.get(host) {
            Some(HostAnswer::Public(addrs)) => return Ok(addrs.clone()),
            Some(HostAnswer::NoSuchName) => Err(ResolveError::NoSuchName),
            Some(HostAnswer::Unavailable) => Err(ResolveError::Unavailable("no answer".to_owned())),
            None => system_lookup(host, self.timeout).await,
        };
        let mut addrs = found?;
        if self.public_only {
            addrs.retain(|ip| !is_internal_ip(*ip));
            if addrs.is_empty() {
                return Err(ResolveError::Private);
            }
        }
        Ok(addrs)
    }
}

/// Whether `hosts` answers for `host`, so that its addresses count as public.
pub(crate) fn overridden(hosts: &BTreeMap<String, HostAnswer>, host: &str) -> bool {
    hosts.contains_key(host.trim_end_matches('.'))
}

async fn system_lookup(host: &str, timeout: Duration) -> Result<Vec<IpAddr>, ResolveError> {
    match tokio::time::timeout(timeout, tokio::net::lookup_host((host, 0))).await {
        Err(_) => Err(ResolveError::Unavailable("timed out".to_owned())),
        Ok(Err(e)) => Err(sort_lookup_error(&e)),
        Ok(Ok(addrs)) => {
            let addrs: Vec<IpAddr> = addrs.map(|a| a.ip()).collect();
            if addrs.is_empty() {
                Err(ResolveError::NoSuchName)
            } else {
                Ok(addrs)
            }
        }
    }
}

/// Tells a definite "no such name" from a resolver that did not answer. The standard library
/// reports `getaddrinfo` failures only as text: "failed to lookup address information: " and
/// the C library's `gai_strerror`, so the definite ones (`EAI_NONAME`, glibc's `EAI_NODATA`, and
/// Windows' `WSAHOST_NOT_FOUND`) are known by their words; everything else (`EAI_AGAIN`,
/// `EAI_FAIL`, a system error) is a resolver that may answer next time.
fn sort_lookup_error(error: &io::Error) -> ResolveError {
    let full = error.to_string();
    let text = full
        .strip_prefix("failed to lookup address information: ")
        .unwrap_or(&full);
    let lower = text.to_ascii_lowercase();
    if [
        "name or service not known",
        "no address associated with hostname",
        "nodename nor servname provided",
        "no such host is known",
    ]
    .iter()
    .any(|definite| lower.contains(definite))
    {
        ResolveError::NoSuchName
    } else {
        ResolveError::Unavailable(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver(public_only: bool, hosts: &[(&str, HostAnswer)]) -> Resolver {
        Resolver {
            public_only,
            hosts: Arc::new(
                hosts
                    .iter()
                    .map(|(name, answer)| ((*name).to_owned(), answer.clone()))
                    .collect(),
            ),
            timeout: Duration::from_secs(5),
        }
    }

    #[tokio::test]
    async fn public_only_keeps_public_addresses_and_refuses_names_resolving_inside() {
        let plain = resolver(false, &[]);
        let strict = resolver(true, &[]);
        assert!(plain.lookup("localhost").await.is_ok());
        assert_eq!(strict.lookup("localhost").await, Err(ResolveError::Private));
        let test = resolver(
            true,
            &[(
                "public.test",
                HostAnswer::Public(vec!["127.0.0.1".parse().unwrap()]),
            )],
        );
        assert_eq!(
            test.lookup("public.test").await,
            Ok(vec!["127.0.0.1".parse().unwrap()])
        );
    }

    #[test]
    fn lookup_errors_split_into_no_such_name_and_no_answer() {
        let gai = |text: &str| {
            sort_lookup_error(&io::Error::other(format!(
                "failed to lookup address information: {text}"
            )))
        };
        assert_eq!(gai("Name or service not known"), ResolveError::NoSuchName);
        assert_eq!(
            gai("nodename nor servname provided, or not known"),
            ResolveError::NoSuchName
        );
        assert_eq!(
            gai("No address associated with hostname"),
            ResolveError::NoSuchName
        );
        for temporary in [
            "Temporary failure in name resolution",
            "Non-recoverable failure in name resolution",
        ] {
            assert!(
                matches!(gai(temporary), ResolveError::Unavailable(_)),
                "{temporary}"
            );
        }
    }
}
