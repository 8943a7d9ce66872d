//! One attempt at one link: the HTTP clients, redirects and in-page moves followed by hand (none
//! from a public address to a private one), capped and decompressed bodies read within the
//! shared body budget, and network errors sorted into [`FailureKind`]s.

use crate::check::engine::PrivateAddresses;
use crate::check::fetch::{Failure, FailureKind, Hop};
use crate::check::moves;
use crate::check::resolve::{self, HostAnswer, ResolveError, Resolver};
use crate::url::is_internal_ip;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::{self, HeaderMap, HeaderValue};
use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use url::{Host, Url};

/// What the engine must know to build the HTTP clients.
#[derive(Debug, Clone)]
pub(crate) struct ClientSettings<'a> {
    pub user_agent: &'a str,
    pub per_host: usize,
    pub connect_timeout: Duration,
    pub private_addresses: PrivateAddresses,
    pub hosts: Arc<BTreeMap<String, HostAnswer>>,
}

/// Building the HTTP client failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot build the HTTP client")]
    Client(#[source] reqwest::Error),
    #[error("invalid User-Agent {0:?}")]
    UserAgent(String),
    #[error("cannot set up TLS (the system's root certificates): {0}")]
    Tls(String),
}

/// Most response header lines accepted (hyper's default is 100): some sites send a few hundred
/// (one `Set-Cookie` or `Link` per item, long security policies), and a browser shows them.
pub const MAX_RESPONSE_HEADERS: usize = 500;

/// The most an HTTP/1 connection's read buffer grows to (hyper's default is ~400 KiB). Each
/// connection, idle in the pool too, keeps a buffer of the size its reads last needed, so at
/// `--concurrency 256` the default held 40–60 MiB of mostly empty buffers. A response's status
/// line and headers must fit in it (a head that crosses this size may still be read whole when
/// the buffer has grown past it): heads this large are rare, since nginx proxies refuse ones
/// over 4–8 KiB by default, and one that does not fit is reported as such.
pub const READ_BUFFER_MAX: usize = 32 * 1024;

/// Most in-page moves (see [`moves`]) followed in one chain; each also counts as a redirect.
pub const MAX_IN_PAGE_MOVES: usize = 3;

/// Which addresses a request may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    Any,
    /// Public addresses only: IP literals are checked before the request, names by the resolver.
    Public,
}

/// The HTTP clients of one engine, sharing one cookie jar: one that may reach any address and
/// one whose resolver keeps only public ones, each also without a connection pool for a retry
/// that must go out on a fresh connection. The jar lives as long as the engine, one audit, so
/// a site that sets a cookie and sends the client back to the same URL is followed, not a loop.
#[derive(Debug, Clone)]
pub(crate) struct Clients {
    any: reqwest::Client,
    public: reqwest::Client,
    any_fresh: reqwest::Client,
    public_fresh: reqwest::Client,
    jar: Arc<Jar>,
    private_addresses: PrivateAddresses,
    hosts: Arc<BTreeMap<String, HostAnswer>>,
}

impl Clients {
    pub(crate) fn new(settings: &ClientSettings<'_>) -> Result<Clients, EngineError> {
        let jar = Arc::new(Jar::default());
        let tls = tls_config()?;
        let build = |public_only, pooled| build_client(settings, &jar, &tls, public_only, pooled);
        let (any, any_fresh) = (build(false, true)?, build(false, false)?);
        let (public, public_fresh) = match settings.private_addresses {
            PrivateAddresses::Allowed => (any.clone(), any_fresh.clone()),
            _ => (build(true, true)?, build(true, false)?),
        };
        Ok(Clients {
            any,
            public,
            any_fresh,
            public_fresh,
            jar,
            private_addresses: settings.private_addresses,
            hosts: Arc::clone(&settings.hosts),
        })
    }

    fn client(&self, reach: Reach, fresh: bool) -> &reqwest::Client {
        match (reach, fresh) {
            (Reach::Any, false) => &self.any,
            (Reach::Any, true) => &self.any_fresh,
            (Reach::Public, false) => &self.public,
            (Reach::Public, true) => &self.public_fresh,
        }
    }

    /// What the next hop may reach: `first` for the catalog's own URL, `inside` when the hop
    /// before it was answered from inside a network.
    fn reach(&self, first: bool, inside: bool) -> Reach {
        match self.private_addresses {
            PrivateAddresses::Allowed => Reach::Any,
            PrivateAddresses::Refused => Reach::Public,
            PrivateAddresses::CatalogOnly if first || inside => Reach::Any,
            PrivateAddresses::CatalogOnly => Reach::Public,
        }
    }

    /// Whether the answer for `url`, from `remote`, came from inside a network. A name that
    /// [`super::CheckConfig::hosts`] answers for counts as public.
    fn answered_inside(&self, url: &Url, remote: Option<SocketAddr>) -> bool {
        match url.host() {
            Some(Host::Ipv4(ip)) => is_internal_ip(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => is_internal_ip(IpAddr::V6(ip)),
            Some(Host::Domain(name)) if resolve::overridden(&self.hosts, name) => false,
            _ => remote.is_some_and(|addr| is_internal_ip(addr.ip())),
        }
    }

    /// The cookies the jar would send to `url`: part of what makes a repeated request new.
    fn cookies(&self, url: &Url) -> Option<HeaderValue> {
        self.jar.cookies(url)
    }
}

/// The TLS settings of every client: rustls with the platform's verifier (on Linux, the
/// system's root certificates), HTTP/2 or HTTP/1.1 by ALPN. Made once for all the clients, since
/// reading the root certificates is most of what building a client costs.
fn tls_config() -> Result<rustls::ClientConfig, EngineError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(Arc::clone(&provider))
        .map_err(|e| EngineError::Tls(e.to_string()))?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| EngineError::Tls(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Builds one client: the shared TLS settings, no automatic redirects, no automatic
/// decompression (bodies are decoded here, under the cap), the shared cookie jar, and the
/// resolver that tells "no such name" from "no answer" and, when `public_only`, keeps only
/// public addresses. Without `pooled`, every request opens a connection of its own.
fn build_client(
    settings: &ClientSettings<'_>,
    jar: &Arc<Jar>,
    tls: &rustls::ClientConfig,
    public_only: bool,
    pooled: bool,
) -> Result<reqwest::Client, EngineError> {
    let user_agent = HeaderValue::from_str(settings.user_agent)
        .map_err(|_| EngineError::UserAgent(settings.user_agent.to_owned()))?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::ACCEPT,
        HeaderValue::from_static("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    );
    headers.insert(
        header::ACCEPT_ENCODING,
        HeaderValue::from_static("gzip, deflate, br"),
    );
    let resolver = Resolver {
        public_only,
        hosts: Arc::clone(&settings.hosts),
        timeout: settings.connect_timeout.mul_f64(0.75),
    };
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls.clone())
        .user_agent(user_agent)
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(if pooled { settings.per_host } else { 0 })
        .connect_timeout(settings.connect_timeout)
        .http1_max_headers(MAX_RESPONSE_HEADERS)
        .http1_max_buf_size(READ_BUFFER_MAX)
        .cookie_provider(Arc::clone(jar))
        .dns_resolver(resolver)
        .build()
        .map_err(EngineError::Client)
}

/// Limits for one attempt.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub max_body_bytes: u64,
    pub max_redirects: usize,
}

/// The bytes of response bodies held in memory at once, over all links: read, waiting for the
/// consumer, or being extracted. A body holds its bytes from the read until its [`BodyPermit`]
/// is dropped; when the budget is spent, body reads wait.
///
/// One body at a time may go past the budget (the overdraft): a body larger than the whole
/// budget, or bodies that each hold part of it and all want more, still progress, so memory is
/// bounded by the budget plus one body cap. A compressed chunk is counted once decoded, so each
/// body being read may also be ahead by what one network chunk decodes to (at most the cap).
/// Waiting here does not count against a request's timeout (see [`Waits`]).
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    bytes: Arc<Semaphore>,
    total: u32,
    overdraft: Arc<Semaphore>,
}

impl Budget {
    pub(crate) fn new(total: u64) -> Budget {
        let total = u32::try_from(total.max(1)).unwrap_or(u32::MAX);
        Budget {
            bytes: Arc::new(Semaphore::new(total as usize)),
            total,
            overdraft: Arc::new(Semaphore::new(1)),
        }
    }

    /// Makes `permit` hold at least `bytes` (at most the whole budget), waiting while the budget
    /// is spent unless the overdraft is free.
    async fn cover(&self, permit: &mut BodyPermit, bytes: u64, waits: &Waits) {
        if permit.overdraft.is_some() {
            return;
        }
        let want = bytes.min(u64::from(self.total));
        let Ok(more) = u32::try_from(want.saturating_sub(permit.held())) else {
            return;
        };
        if more == 0 {
            return;
        }
        if let Ok(got) = self.bytes.clone().try_acquire_many_owned(more) {
            permit.add(got);
            return;
        }
        let _waiting = waits.start();
        tokio::select! {
            got = self.bytes.clone().acquire_many_owned(more) => {
                if let Ok(got) = got {
                    permit.add(got);
                }
            }
            got = self.overdraft.clone().acquire_owned() => {
                permit.overdraft = got.ok();
            }
        }
    }
}

/// The bytes one fetched body holds against the body budget; they go back when this is dropped,
/// so drop it with the body.
#[derive(Debug, Default)]
pub struct BodyPermit {
    bytes: Option<OwnedSemaphorePermit>,
    overdraft: Option<OwnedSemaphorePermit>,
}

impl BodyPermit {
    fn held(&self) -> u64 {
        self.bytes.as_ref().map_or(0, |p| p.num_permits() as u64)
    }

    fn add(&mut self, more: OwnedSemaphorePermit) {
        match &mut self.bytes {
            Some(held) => held.merge(more),
            None => self.bytes = Some(more),
        }
    }
}

/// Time an attempt spent waiting for body budget. The timeout covers network time: wall time
/// less these waits, so a read that waits for memory is not cut short for it.
#[derive(Debug, Default)]
pub(crate) struct Waits {
    state: Mutex<WaitState>,
}

#[derive(Debug, Default)]
struct WaitState {
    total: Duration,
    since: Option<Instant>,
}

impl Waits {
    /// Wall time since `started` less the waits, up to `now`.
    pub(crate) fn network_time(&self, started: Instant, now: Instant) -> Duration {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let current = state
            .since
            .map_or(Duration::ZERO, |s| now.duration_since(s));
        now.duration_since(started)
            .saturating_sub(state.total + current)
    }

    /// Counts the time until the returned guard is dropped as waiting.
    fn start(&self) -> WaitGuard<'_> {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).since = Some(Instant::now());
        WaitGuard { waits: self }
    }
}

struct WaitGuard<'a> {
    waits: &'a Waits,
}

impl Drop for WaitGuard<'_> {
    fn drop(&mut self) {
        let mut state = self.waits.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(since) = state.since.take() {
            state.total += since.elapsed();
        }
    }
}

/// What one attempt saw. Filled as the attempt goes, so that a timeout keeps the chain so far.
#[derive(Debug, Default)]
pub(crate) struct Attempt {
    pub chain: Vec<Hop>,
    pub url: String,
    pub status: Option<u16>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// Holds `body`'s bytes against the body budget.
    pub permit: BodyPermit,
    pub truncated: bool,
    pub wire_bytes: u64,
    pub failure: Option<Failure>,
    /// Why the body of the final 2xx answer stopped short, when it did.
    pub body_incomplete: Option<String>,
    /// The final answer's body is being read: a timeout now leaves the answer standing, with
    /// its body incomplete.
    pub reading_body: bool,
    pub got_http_answer: bool,
    /// Requests sent in this attempt (one per hop, and one per repeat on a fresh connection).
    pub requests: u64,
}

impl Attempt {
    /// The `Retry-After` of the final answer, as a wait from now.
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        let value = self.headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
        if let Ok(secs) = value.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        let when = httpdate::parse_http_date(value).ok()?;
        Some(
            when.duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO),
        )
    }

    /// The bot-protection vendor whose challenge or block page this answer is ("Cloudflare",
    /// "AWS WAF"…), whatever its status: 403, 429, 503, 202 or even 200. `None` for an ordinary
    /// answer, also one served through such a vendor.
    ///
    /// Most vendors' headers (`Server: cloudflare`, `x-sucuri-id`, `x-datadome`…) are on every
    /// answer they proxy, so alone they prove nothing: they count with the vendor's challenge
    /// text in the body, or with a 403. Only headers sent with a challenge alone
    /// (`cf-mitigated: challenge`, `x-amzn-waf-action`, DataDome's `x-dd-b`) and texts found
    /// only on block pages ("Incapsula incident ID", "px-captcha") decide by themselves. A false
    /// "blocked" would hide an outage for good: a blocked link is never confirmed broken.
    pub(crate) fn challenge(&self) -> Option<&'static str> {
        let head = &self.body[..self.body.len().min(CHALLENGE_SCAN_BYTES)];
        bot_wall(&self.headers, self.status, head)
    }

    pub(crate) fn header(&self, name: header::HeaderName) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    fn fail(&mut self, kind: FailureKind, message: impl Into<String>) {
        self.failure = Some(Failure {
            kind,
            message: message.into(),
        });
    }
}

/// Most bytes of a body searched for a challenge page's texts: challenge pages are small, and
/// the same words further down belong to an ordinary page.
const CHALLENGE_SCAN_BYTES: usize = 64 * 1024;

/// See [`Attempt::challenge`]; `body` is the start of the body (empty when none was read).
fn bot_wall(headers: &HeaderMap, status: Option<u16>, body: &[u8]) -> Option<&'static str> {
    let value = |name: &str| {
        headers.get(name).map(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .trim()
                .to_ascii_lowercase()
        })
    };
    let server = value("server").unwrap_or_default();
    let page = String::from_utf8_lossy(body).to_lowercase();
    let says = |texts: &[&str]| texts.iter().any(|t| page.contains(t));
    let refused = status == Some(403);
    if value("cf-mitigated").as_deref() == Some("challenge") {
        return Some("Cloudflare");
    }
    if value("x-amzn-waf-action").is_some() {
        return Some("AWS WAF");
    }
    // DataDome: 1 is a soft challenge (JavaScript), 2 a hard one (CAPTCHA).
    if matches!(value("x-dd-b").as_deref(), Some("1" | "2")) {
        return Some("DataDome");
    }
    if says(&["incapsula incident id", "_incapsula_resource"]) {
        return Some("Imperva");
    }
    if says(&["px-captcha"]) {
        return Some("PerimeterX");
    }
    if server == "cloudflare"
        && says(&[
            "<title>just a moment...</title>",
            "checking your browser",
            "cf-chl",
            "cf_chl",
        ])
    {
        return Some("Cloudflare");
    }
    // Akamai writes the reference number with entities: "Reference&#32;&#35;18&#46;…".
    if server.starts_with("akamaighost")
        && says(&["access denied"])
        && says(&["reference #", "reference&#32;&#35;"])
    {
        return Some("Akamai");
    }
    if (value("x-sucuri-id").is_some() || server.starts_with("sucuri"))
        && (refused || says(&["sucuri website firewall"]))
    {
        return Some("Sucuri");
    }
    if server == "ddos-guard" && (refused || says(&["checking your browser", "<title>ddos-guard"]))
    {
        return Some("DDoS-Guard");
    }
    if value("x-datadome").is_some() && (refused || says(&["captcha-delivery.com"])) {
        return Some("DataDome");
    }
    None
}

/// The conditional-request validators sent with a request.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Validators<'a> {
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
}

/// Fetches `start`, following redirects and in-page moves, reading the body of a final 2xx
/// answer within `budget` (the time spent waiting for it goes to `waits`). Never fails:
/// everything that goes wrong lands in `attempt.failure`. The caller bounds the time.
pub(crate) async fn fetch(
    clients: &Clients,
    start: &str,
    validators: Validators<'_>,
    limits: Limits,
    budget: &Budget,
    waits: &Waits,
    attempt: &mut Attempt,
) {
    attempt.url = start.to_owned();
    let mut url = match Url::parse(start) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => u,
        _ => {
            attempt.fail(
                FailureKind::BadRedirect,
                format!("not an http(s) URL: {start}"),
            );
            return;
        }
    };
    // A URL asked for again with the same cookies would get the same answer: a loop.
    let mut seen: HashSet<(Url, Option<HeaderValue>)> =
        HashSet::from([(url.clone(), clients.cookies(&url))]);
    let mut inside = false;
    let mut in_page_moves = 0;
    loop {
        attempt.url = url.to_string();
        let first = attempt.chain.is_empty();
        let reach = clients.reach(first, inside);
        let literal_inside = match url.host() {
            Some(Host::Ipv4(ip)) => is_internal_ip(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => is_internal_ip(IpAddr::V6(ip)),
            _ => false,
        };
        if reach == Reach::Public && literal_inside {
            attempt.fail(FailureKind::PrivateAddress, private_message(first));
            return;
        }
        let mut response = match send(clients, reach, &url, validators, attempt).await {
            Ok(r) => r,
            Err((kind, message)) => {
                let message = if kind == FailureKind::PrivateAddress {
                    private_message(first).to_owned()
                } else {
                    message
                };
                attempt.fail(kind, message);
                return;
            }
        };
        let status = response.status().as_u16();
        inside = clients.answered_inside(&url, response.remote_addr());
        attempt.got_http_answer = true;
        attempt.status = Some(status);
        attempt.chain.push(Hop::new(url.as_str(), status));
        attempt.headers = std::mem::take(response.headers_mut());
        if (300..400).contains(&status) && status != 304 {
            let Some(location) = attempt.headers.get(header::LOCATION) else {
                return;
            };
            let target = location.to_str().ok().and_then(|l| url.join(l.trim()).ok());
            let Some(target) = target else {
                let shown = String::from_utf8_lossy(location.as_bytes()).into_owned();
                attempt.fail(
                    FailureKind::BadRedirect,
                    format!("unusable redirect Location {shown:?}"),
                );
                return;
            };
            match next_hop(clients, &mut seen, target, limits, attempt) {
                Some(next) => url = next,
                None => return,
            }
            continue;
        }
        if !(200..300).contains(&status) {
            return;
        }
        read_body(&mut response, limits.max_body_bytes, budget, waits, attempt).await;
        if in_page_moves == MAX_IN_PAGE_MOVES
            || attempt.body_incomplete.is_some()
            || !is_html(attempt)
        {
            return;
        }
        let Some(target) = moves::in_page_move(&attempt.body).and_then(|raw| url.join(&raw).ok())
        else {
            return;
        };
        // A page that sends the client to itself with nothing new to show (no new cookie) is
        // a reload, judged as it is.
        if !matches!(target.scheme(), "http" | "https")
            || seen.contains(&(target.clone(), clients.cookies(&target)))
        {
            return;
        }
        if let Some(hop) = attempt.chain.last_mut() {
            hop.in_page = true;
        }
        in_page_moves += 1;
        attempt.body = Vec::new();
        attempt.permit = BodyPermit::default();
        attempt.truncated = false;
        attempt.wire_bytes = 0;
        match next_hop(clients, &mut seen, target, limits, attempt) {
            Some(next) => url = next,
            None => return,
        }
    }
}

/// The failure message of a hop refused for its private address.
fn private_message(first: bool) -> &'static str {
    if first {
        "points to a private address, which pull-request checks do not fetch"
    } else {
        "redirects to a private address"
    }
}

/// Sends one GET for `url`. A connection closed or reset before any answer came is sent again
/// at once, once, on a fresh connection: a server may close an idle kept-alive connection just
/// as a request goes out on it, and that is no failure of the site (curl and browsers do the
/// same). That repeat is part of this attempt, not a retry.
async fn send(
    clients: &Clients,
    reach: Reach,
    url: &Url,
    validators: Validators<'_>,
    attempt: &mut Attempt,
) -> Result<reqwest::Response, (FailureKind, String)> {
    let mut fresh = false;
    loop {
        let mut request = clients.client(reach, fresh).get(url.clone());
        if let Some(etag) = validators.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(date) = validators.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, date);
        }
        attempt.requests += 1;
        match request.send().await {
            Ok(response) => return Ok(response),
            Err(e) => match describe_error(&e) {
                (FailureKind::Reset, _) if !fresh => fresh = true,
                failure => return Err(failure),
            },
        }
    }
}

/// Checks the target of a redirect or in-page move and records it as seen: `None` (with the
/// failure recorded) when it must not be followed.
fn next_hop(
    clients: &Clients,
    seen: &mut HashSet<(Url, Option<HeaderValue>)>,
    target: Url,
    limits: Limits,
    attempt: &mut Attempt,
) -> Option<Url> {
    let hops = attempt.chain.len();
    if !matches!(target.scheme(), "http" | "https") {
        attempt.fail(
            FailureKind::BadRedirect,
            format!("redirect to non-http(s) URL {target}"),
        );
        return None;
    }
    if !seen.insert((target.clone(), clients.cookies(&target))) {
        attempt.fail(
            FailureKind::RedirectLoop,
            format!("redirect loop after {hops} hops"),
        );
        return None;
    }
    if hops > limits.max_redirects {
        attempt.fail(
            FailureKind::RedirectLoop,
            format!("more than {} redirects", limits.max_redirects),
        );
        return None;
    }
    Some(target)
}

/// Whether the answer is an HTML page (or says nothing of its type), where a page may move.
fn is_html(attempt: &Attempt) -> bool {
    attempt
        .header(header::CONTENT_TYPE)
        .is_none_or(|t| t.to_ascii_lowercase().contains("html"))
}

/// Reads the body up to the cap, both on the wire and decompressed, holding its bytes against
/// `budget`: a chunk's bytes are covered before they are kept, and what a compressed chunk
/// decoded to before the next chunk is read.
async fn read_body(
    response: &mut reqwest::Response,
    cap: u64,
    budget: &Budget,
    waits: &Waits,
    attempt: &mut Attempt,
) {
    let encoding = attempt
        .header(header::CONTENT_ENCODING)
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut decoder = Decoder::new(encoding.trim(), cap);
    // A body of known length is read into a buffer of that size, not one grown by doubling.
    if let Some(length) = response.content_length().filter(|_| decoder.is_identity()) {
        let length = length.min(cap).min(PRESIZE_MAX);
        budget.cover(&mut attempt.permit, length, waits).await;
        decoder.reserve(usize::try_from(length).unwrap_or(0));
    }
    attempt.reading_body = true;
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => {
                let (_, message) = describe_error(&e);
                attempt.body_incomplete = Some(format!("body cut short: {message}"));
                break;
            }
        };
        let room = cap.saturating_sub(attempt.wire_bytes);
        let take = chunk.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        budget
            .cover(&mut attempt.permit, decoder.len() + take as u64, waits)
            .await;
        attempt.wire_bytes += take as u64;
        let step = decoder.write(&chunk[..take]);
        budget
            .cover(&mut attempt.permit, decoder.held(), waits)
            .await;
        match step {
            Step::More if take == chunk.len() => {}
            Step::More | Step::Full => {
                attempt.truncated = true;
                break;
            }
            Step::Undecodable => break,
        }
    }
    let mut out = decoder.finish();
    attempt.truncated |= out.full;
    // A buffer grown by doubling gives back its unused room before it waits to be judged.
    if out.bytes.capacity() - out.bytes.len() > out.bytes.len() / 8 {
        out.bytes.shrink_to_fit();
    }
    attempt.body = out.bytes;
    attempt.reading_body = false;
}

/// The most room made for a body from its `Content-Length` before any of it arrives: a server
/// may announce more than it sends. Beyond this a buffer grows as the bytes come.
const PRESIZE_MAX: u64 = 1024 * 1024;

/// A sink that keeps at most `cap` bytes and then refuses, so a decoder stops expanding.
#[derive(Debug)]
struct CapWriter {
    bytes: Vec<u8>,
    cap: usize,
    full: bool,
}

impl Write for CapWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = self.cap - self.bytes.len();
        if buf.len() > room {
            self.bytes.extend_from_slice(&buf[..room]);
            self.full = true;
            return Err(io::Error::other("body cap reached"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

enum Step {
    More,
    Full,
    Undecodable,
}

/// The body decoder picked from `Content-Encoding`. `deflate` is decided on the first bytes,
/// because servers send both zlib-wrapped and raw deflate under that name.
enum Decoder {
    Identity(CapWriter),
    Gzip(flate2::write::MultiGzDecoder<CapWriter>),
    DeflatePending(CapWriter, Vec<u8>),
    Zlib(flate2::write::ZlibDecoder<CapWriter>),
    Deflate(flate2::write::DeflateDecoder<CapWriter>),
    Brotli(Box<brotli::DecompressorWriter<CapWriter>>),
}

impl Decoder {
    fn new(encoding: &str, cap: u64) -> Decoder {
        let sink = CapWriter {
            bytes: Vec::new(),
            cap: usize::try_from(cap).unwrap_or(usize::MAX),
            full: false,
        };
        match encoding {
            "gzip" | "x-gzip" => Decoder::Gzip(flate2::write::MultiGzDecoder::new(sink)),
            "deflate" => Decoder::DeflatePending(sink, Vec::new()),
            "br" => Decoder::Brotli(Box::new(brotli::DecompressorWriter::new(sink, 8192))),
            _ => Decoder::Identity(sink),
        }
    }

    /// Bytes of body decoded so far.
    fn len(&self) -> u64 {
        self.sink().bytes.len() as u64
    }

    /// Bytes the body's buffer holds: what it decoded and the room it has grown for more.
    fn held(&self) -> u64 {
        self.sink().bytes.capacity() as u64
    }

    fn is_identity(&self) -> bool {
        matches!(self, Decoder::Identity(_))
    }

    /// Makes room for `bytes` more bytes of body, exactly.
    fn reserve(&mut self, bytes: usize) {
        if let Decoder::Identity(w) = self {
            w.bytes.reserve_exact(bytes);
        }
    }

    fn sink(&self) -> &CapWriter {
        match self {
            Decoder::Identity(w) | Decoder::DeflatePending(w, _) => w,
            Decoder::Gzip(d) => d.get_ref(),
            Decoder::Zlib(d) => d.get_ref(),
            Decoder::Deflate(d) => d.get_ref(),
            Decoder::Brotli(d) => d.get_ref(),
        }
    }

    fn write(&mut self, data: &[u8]) -> Step {
        if let Decoder::DeflatePending(_, head) = self {
            head.extend_from_slice(data);
            if head.len() < 2 {
                return Step::More;
            }
            if let Decoder::DeflatePending(sink, head) =
                std::mem::replace(self, Decoder::Identity(empty_sink()))
            {
                let zlib = head[0] & 0x0f == 8 && u16::from_be_bytes([head[0], head[1]]) % 31 == 0;
                *self = if zlib {
                    Decoder::Zlib(flate2::write::ZlibDecoder::new(sink))
                } else {
                    Decoder::Deflate(flate2::write::DeflateDecoder::new(sink))
                };
                return self.write(&head);
            }
        }
        let result = match self {
            Decoder::Identity(w) => w.write_all(data),
            Decoder::Gzip(d) => d.write_all(data),
            Decoder::Zlib(d) => d.write_all(data),
            Decoder::Deflate(d) => d.write_all(data),
            Decoder::Brotli(d) => d.write_all(data),
            Decoder::DeflatePending(..) => Ok(()),
        };
        match result {
            Ok(()) => Step::More,
            Err(_) if self.sink().full => Step::Full,
            Err(_) => Step::Undecodable,
        }
    }

    /// Flushes what the decoder still holds and hands back the body.
    fn finish(self) -> CapWriter {
        match self {
            Decoder::Identity(w) => w,
            Decoder::DeflatePending(mut w, head) => {
                // Too short to tell the framing: keep the bytes as they came.
                let _ = w.write_all(&head);
                w
            }
            Decoder::Gzip(mut d) => {
                let _ = d.try_finish();
                std::mem::replace(d.get_mut(), empty_sink())
            }
            Decoder::Zlib(mut d) => {
                let _ = d.try_finish();
                std::mem::replace(d.get_mut(), empty_sink())
            }
            Decoder::Deflate(mut d) => {
                let _ = d.try_finish();
                std::mem::replace(d.get_mut(), empty_sink())
            }
            Decoder::Brotli(mut d) => {
                let _ = d.close();
                std::mem::replace(d.get_mut(), empty_sink())
            }
        }
    }
}

fn empty_sink() -> CapWriter {
    CapWriter {
        bytes: Vec::new(),
        cap: 0,
        full: false,
    }
}

/// Sorts a client error into a failure kind with a short human message, from the error's
/// source chain (reqwest wraps hyper, which wraps io and rustls errors, and the resolver's).
pub(crate) fn describe_error(error: &reqwest::Error) -> (FailureKind, String) {
    if error.is_timeout() {
        return (FailureKind::Timeout, "connection timed out".to_owned());
    }
    let mut texts = Vec::new();
    let mut io_kind = None;
    let mut tls = None;
    let mut resolve = None;
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        texts.push(e.to_string());
        if let Some(r) = e.downcast_ref::<rustls::Error>() {
            tls.get_or_insert_with(|| r.to_string());
        }
        if let Some(r) = e.downcast_ref::<ResolveError>() {
            resolve.get_or_insert_with(|| r.clone());
        }
        if let Some(io) = e.downcast_ref::<io::Error>() {
            io_kind.get_or_insert(io.kind());
            // io::Error::source skips the wrapped error itself, so look at it here.
            if let Some(r) = io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                tls.get_or_insert_with(|| r.to_string());
            }
        }
        current = e.source();
    }
    let all = texts.join(": ");
    let lower = all.to_ascii_lowercase();
    if let Some(message) = tls {
        return (FailureKind::Tls, format!("TLS error: {message}"));
    }
    if let Some(resolve) = resolve {
        return match resolve {
            ResolveError::NoSuchName => (FailureKind::Dns, "host name does not resolve".to_owned()),
            ResolveError::Unavailable(why) => (
                FailureKind::DnsUnavailable,
                format!("the resolver gave no answer ({why})"),
            ),
            ResolveError::Private => (
                FailureKind::PrivateAddress,
                "resolves only to private addresses".to_owned(),
            ),
        };
    }
    match io_kind {
        Some(io::ErrorKind::ConnectionRefused) => {
            return (FailureKind::Connect, "connection refused".to_owned());
        }
        Some(io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable) => {
            return (FailureKind::Connect, "host unreachable".to_owned());
        }
        Some(
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof,
        ) => return (FailureKind::Reset, "connection reset".to_owned()),
        Some(io::ErrorKind::TimedOut) => {
            return (FailureKind::Timeout, "connection timed out".to_owned());
        }
        _ => {}
    }
    if lower.contains("certificate") || lower.contains("tls handshake") {
        return (FailureKind::Tls, format!("TLS error: {all}"));
    }
    if lower.contains("message head is too large") {
        return (
            FailureKind::Protocol,
            format!("response headers over {} KiB", READ_BUFFER_MAX / 1024),
        );
    }
    if lower.contains("connection closed") || lower.contains("connection reset") {
        return (
            FailureKind::Reset,
            "connection closed mid-answer".to_owned(),
        );
    }
    if error.is_connect() {
        return (FailureKind::Connect, format!("cannot connect: {all}"));
    }
    (FailureKind::Protocol, format!("HTTP error: {all}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(encoding: &str, data: &[u8], cap: u64) -> CapWriter {
        let mut decoder = Decoder::new(encoding, cap);
        for chunk in data.chunks(7) {
            if !matches!(decoder.write(chunk), Step::More) {
                break;
            }
        }
        decoder.finish()
    }

    #[test]
    fn deflate_accepts_zlib_and_raw_framing() {
        let text = b"hello deflate, hello deflate, hello deflate";
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        zlib.write_all(text).expect("in memory");
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        raw.write_all(text).expect("in memory");
        for data in [
            zlib.finish().expect("in memory"),
            raw.finish().expect("in memory"),
        ] {
            let out = decode("deflate", &data, 1024);
            assert_eq!((out.bytes.as_slice(), out.full), (&text[..], false));
        }
    }

    #[test]
    fn cap_cuts_decompressed_output() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&[b'z'; 10_000]).expect("in memory");
        let out = decode("gzip", &gz.finish().expect("in memory"), 100);
        assert_eq!((out.bytes.len(), out.full), (100, true));
    }

    /// Header names and values of a test answer.
    type Headers<'a> = &'a [(&'a str, &'a str)];

    fn wall(status: u16, headers: Headers<'_>, body: &str) -> Option<&'static str> {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(
                header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        let attempt = Attempt {
            status: Some(status),
            headers: map,
            body: body.as_bytes().to_vec(),
            ..Attempt::default()
        };
        attempt.challenge()
    }

    #[test]
    fn bot_walls_are_named_by_vendor_in_any_status() {
        let moment = "<html><head><title>Just a moment...</title></head><body>x</body></html>";
        let cases: [(u16, Headers<'_>, &str, &str); 15] = [
            (403, &[("cf-mitigated", "challenge")], "", "Cloudflare"),
            (200, &[("Server", "cloudflare")], moment, "Cloudflare"),
            (
                503,
                &[("server", "cloudflare")],
                "<p>Checking your browser before accessing</p>",
                "Cloudflare",
            ),
            (
                403,
                &[("Server", "cloudflare")],
                "<script src=\"/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=1\"></script><div id=\"cf-chl-widget\">",
                "Cloudflare",
            ),
            (
                403,
                &[("Server", "AkamaiGHost")],
                "<H1>Access Denied</H1> You don't have permission. Reference&#32;&#35;18&#46;2f1a",
                "Akamai",
            ),
            (
                503,
                &[("Server", "AkamaiGHost")],
                "<TITLE>Access Denied</TITLE> Reference #18.2f1a",
                "Akamai",
            ),
            (403, &[("x-sucuri-id", "11005")], "", "Sucuri"),
            (
                200,
                &[("Server", "Sucuri/Cloudproxy")],
                "<title>Sucuri WebSite Firewall - Access Denied</title>",
                "Sucuri",
            ),
            (403, &[("Server", "ddos-guard")], "", "DDoS-Guard"),
            (202, &[("x-amzn-waf-action", "challenge")], "", "AWS WAF"),
            (405, &[("x-amzn-waf-action", "captcha")], "", "AWS WAF"),
            (
                403,
                &[("x-datadome", "protected"), ("x-dd-b", "2")],
                "",
                "DataDome",
            ),
            (
                200,
                &[("x-datadome", "protected")],
                "<script src=\"https://ct.captcha-delivery.com/c.js\"></script>",
                "DataDome",
            ),
            (
                200,
                &[],
                "Request unsuccessful. Incapsula incident ID: 1234-5678",
                "Imperva",
            ),
            (403, &[], "<div id=\"px-captcha\"></div>", "PerimeterX"),
        ];
        for (status, headers, body, vendor) in cases {
            assert_eq!(
                wall(status, headers, body),
                Some(vendor),
                "{status} {headers:?} {body}"
            );
        }
    }

    #[test]
    fn ordinary_answers_through_a_protection_vendor_are_no_wall() {
        let page =
            "<title>Help for parents</title><p>Talk to your child about what they do online.</p>";
        let cases: [(u16, Headers<'_>, &str); 9] = [
            (200, &[("Server", "cloudflare")], page),
            // An origin outage passed through the vendor must stay a failure, not a wall.
            (503, &[("Server", "cloudflare")], ""),
            (200, &[("x-sucuri-id", "11005")], page),
            (503, &[("x-sucuri-id", "11005")], ""),
            (200, &[("Server", "ddos-guard")], page),
            (200, &[("x-datadome", "protected")], page),
            (200, &[("Server", "AkamaiGHost")], page),
            (200, &[("cf-mitigated", "none")], page),
            // The words alone, without the vendor that serves them, prove nothing.
            (
                200,
                &[],
                "<title>Just a moment...</title><p>Access Denied. Reference #1</p>",
            ),
        ];
        for (status, headers, body) in cases {
            assert_eq!(wall(status, headers, body), None, "{status} {headers:?}");
        }
    }

    #[test]
    fn identity_passes_bytes_through() {
        let out = decode("", b"\xff\xfe plain", 1024);
        assert_eq!(out.bytes, b"\xff\xfe plain");
    }
}
