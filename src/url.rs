//! URLs: the one validated web URL type, the per-host key, the "same page" and "home page"
//! rules that the loader, the checker, the soft-404 signals, `fix` and `add` all share, and which
//! addresses lie inside a network rather than on the public internet.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An absolute `http` or `https` URL with a host: what a catalog may link to and a checker can
/// fetch.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WebUrl(url::Url);

/// Why a text is not a [`WebUrl`]; its message is what `validate` prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("`{0}` is only a fragment, not a link to a page")]
    Fragment(String),
    #[error("URL contains whitespace; encode spaces as %20")]
    Whitespace,
    #[error("`{raw}` is not an absolute URL ({reason})")]
    NotAbsolute { raw: String, reason: String },
    #[error("URL scheme `{0}` is not http or https")]
    Scheme(String),
    #[error("`{0}` has no host")]
    NoHost(String),
}

impl WebUrl {
    pub fn parse(raw: &str) -> Result<WebUrl, UrlError> {
        if raw.starts_with('#') {
            return Err(UrlError::Fragment(raw.to_owned()));
        }
        if raw.chars().any(char::is_whitespace) {
            return Err(UrlError::Whitespace);
        }
        let url = url::Url::parse(raw).map_err(|e| UrlError::NotAbsolute {
            raw: raw.to_owned(),
            reason: e.to_string(),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(UrlError::Scheme(url.scheme().to_owned()));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(UrlError::NoHost(raw.to_owned()));
        }
        Ok(WebUrl(url))
    }

    pub fn as_url(&self) -> &url::Url {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The host, lowercased (IDNs in their ASCII form).
    pub fn host(&self) -> &str {
        self.0.host_str().unwrap_or_default()
    }

    /// The host without a leading `www.`: `www.example.org` and `example.org` are one site.
    pub fn site(&self) -> &str {
        let host = self.host();
        host.strip_prefix("www.").unwrap_or(host)
    }

    /// The registrable domain (the public suffix plus one label: `example.org`,
    /// `example.co.uk`), by the Public Suffix List; the host itself for an IP address or a name
    /// under no known suffix. Two URLs with different registrable domains belong to different
    /// owners.
    pub fn registrable_domain(&self) -> &str {
        let host = self.host();
        match self.0.host() {
            Some(url::Host::Domain(_)) => psl::domain_str(host).unwrap_or(host),
            _ => host,
        }
    }

    /// Whether this is a site's front door: `/`, `/index.html`, `/home` and the like. The query
    /// is ignored, since sites that send lost pages home often tag the redirect (`/?from=old`).
    pub fn is_home_page(&self) -> bool {
        const HOME_PATHS: [&str; 8] = [
            "",
            "/",
            "/index.html",
            "/index.htm",
            "/index.php",
            "/default.aspx",
            "/home",
            "/home/",
        ];
        HOME_PATHS.contains(&self.0.path().to_ascii_lowercase().as_str())
    }

    /// Whether the host plainly lies inside a network, without asking DNS: an internal IP
    /// literal (see [`is_internal_ip`]), `localhost`, a one-label name (`intranet`), or a name
    /// under a suffix kept for private use (`.localhost`, `.local`, `.internal`, `.home.arpa`).
    pub fn is_internal_host(&self) -> bool {
        match self.0.host() {
            Some(url::Host::Ipv4(ip)) => is_internal_ip(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => is_internal_ip(IpAddr::V6(ip)),
            Some(url::Host::Domain(name)) => {
                let name = name.trim_end_matches('.');
                !name.contains('.')
                    || [".localhost", ".local", ".internal", ".home.arpa"]
                        .iter()
                        .any(|suffix| name.ends_with(suffix))
            }
            None => false,
        }
    }

    /// The URL with its fragment dropped and a trailing slash of the path trimmed: two URLs
    /// with the same page key name the same page.
    pub fn page_key(&self) -> String {
        let mut u = self.0.clone();
        u.set_fragment(None);
        u.as_str().trim_end_matches('/').to_owned()
    }
}

impl fmt::Display for WebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

/// The per-host limit's key (and the shard key): lowercase host and port. Unparsable URLs share
/// one key; they fail before any request.
pub fn host_key(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(u) => format!(
            "{}:{}",
            u.host_str().unwrap_or_default().to_ascii_lowercase(),
            u.port_or_known_default().unwrap_or(0)
        ),
        Err(_) => String::new(),
    }
}

/// Whether `ip` lies inside a network rather than on the public internet: unspecified
/// (`0.0.0.0/8`, `::`), loopback (`127.0.0.0/8`, `::1`), private (RFC 1918), shared CGNAT space
/// (`100.64.0.0/10`), link-local (`169.254.0.0/16`, where cloud metadata services answer, and
/// `fe80::/10`), unique-local (`fc00::/7`), site-local (`fec0::/10`) and broadcast; an IPv6
/// address that carries an IPv4 one (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`, or NAT64
/// `64:ff9b::a.b.c.d`) is judged by the IPv4 address. A request to such an address reaches the
/// checker's own machine or network, not a site.
pub fn is_internal_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => is_internal_v6(v6),
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    a == 0
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || (a == 100 && (64..128).contains(&b))
}

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_internal_v4(v4);
    }
    let [.., a, b, c, d] = ip.octets();
    let embedded = Ipv4Addr::new(a, b, c, d);
    if segments[..6] == [0; 6] && !ip.is_unspecified() && !ip.is_loopback() {
        return is_internal_v4(embedded);
    }
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_internal_v4(embedded);
    }
    ip.is_unspecified()
        || ip.is_loopback()
        || (segments[0] & 0xfe00) == 0xfc00
        || (segments[0] & 0xffc0) == 0xfe80
        || (segments[0] & 0xffc0) == 0xfec0
}

/// Whether `a` and `b` name the same page (see [`WebUrl::page_key`]); text that is not a web
/// URL is compared as written.
pub fn same_page(a: &str, b: &str) -> bool {
    page_key(a) == page_key(b)
}

/// [`WebUrl::page_key`] of `raw`, or `raw` itself when it is not a web URL.
pub fn page_key(raw: &str) -> String {
    WebUrl::parse(raw).map_or_else(|_| raw.to_owned(), |u| u.page_key())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(raw: &str) -> Option<String> {
        WebUrl::parse(raw).err().map(|e| e.to_string())
    }

    #[test]
    fn web_urls_are_absolute_http_with_a_host() {
        assert_eq!(problem("https://example.org/a?b=c"), None);
        assert_eq!(problem("http://www2.fbi.gov/innolost/innolost.htm"), None);
        assert_eq!(
            problem("#top").unwrap(),
            "`#top` is only a fragment, not a link to a page"
        );
        assert_eq!(
            problem("https://example.org/a b").unwrap(),
            "URL contains whitespace; encode spaces as %20"
        );
        assert_eq!(
            problem("ftp://example.org/").unwrap(),
            "URL scheme `ftp` is not http or https"
        );
        assert_eq!(
            problem("example.org/page").unwrap(),
            "`example.org/page` is not an absolute URL (relative URL without a base)"
        );
        assert_eq!(
            problem("mailto:a@example.org").unwrap(),
            "URL scheme `mailto` is not http or https"
        );
        assert!(problem("https://").is_some());
    }

    #[test]
    fn host_key_ignores_case_and_fills_default_port() {
        assert_eq!(host_key("https://Example.ORG/a"), "example.org:443");
        assert_eq!(host_key("http://example.org:8080/"), "example.org:8080");
        assert_eq!(host_key("not a url"), "");
    }

    #[test]
    fn same_page_ignores_fragment_trailing_slash_and_host_case() {
        assert!(same_page("https://A.example/x/#top", "https://a.example/x"));
        assert!(same_page("https://a.example", "https://a.example/"));
        assert!(!same_page("https://a.example/x", "https://a.example/y"));
        assert!(!same_page(
            "https://a.example/x?a=1",
            "https://a.example/x?a=2"
        ));
    }

    #[test]
    fn home_pages_are_front_doors_whatever_their_query() {
        let home = |s: &str| WebUrl::parse(s).unwrap().is_home_page();
        assert!(home("https://a.example"));
        assert!(home("https://a.example/Index.html"));
        assert!(home("https://a.example/home/"));
        assert!(home("https://a.example/?from=old"));
        assert!(!home("https://a.example/guide"));
        assert_eq!(
            WebUrl::parse("https://www.a.example/").unwrap().site(),
            "a.example"
        );
    }

    #[test]
    fn internal_addresses_are_told_from_public_ones() {
        let internal = |s: &str| is_internal_ip(s.parse().unwrap());
        for inside in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "::",
            "::1",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "fec0::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(internal(inside), "{inside} is internal");
        }
        for public in [
            "8.8.8.8",
            "93.184.216.34",
            "172.32.0.1",
            "100.128.0.1",
            "100.63.255.255",
            "192.169.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(!internal(public), "{public} is public");
        }
    }

    #[test]
    fn internal_hosts_are_known_without_dns() {
        let internal = |s: &str| WebUrl::parse(s).unwrap().is_internal_host();
        for inside in [
            "http://127.0.0.1:8080/",
            "http://[::1]/",
            "http://169.254.169.254/latest/meta-data/",
            "http://localhost/",
            "http://intranet/wiki",
            "http://printer.local/",
            "http://app.internal/",
            "http://nas.home.arpa/",
            "http://dev.localhost/",
        ] {
            assert!(internal(inside), "{inside}");
        }
        for public in [
            "https://www.missingkids.org/",
            "http://8.8.8.8/",
            "https://local.gov/",
        ] {
            assert!(!internal(public), "{public}");
        }
    }

    #[test]
    fn registrable_domains_follow_the_public_suffix_list() {
        let domain = |s: &str| WebUrl::parse(s).unwrap().registrable_domain().to_owned();
        assert_eq!(domain("https://www.missingkids.org/x"), "missingkids.org");
        assert_eq!(domain("https://ojjdp.ojp.gov/"), "ojp.gov");
        assert_eq!(domain("https://www.nspcc.org.uk/"), "nspcc.org.uk");
        assert_eq!(domain("https://user.github.io/"), "user.github.io");
        assert_eq!(domain("http://127.0.0.1:8080/"), "127.0.0.1");
    }
}
