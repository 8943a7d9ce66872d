//! A scriptable HTTP/1.1 test server on 127.0.0.1, with full control over the bytes on the wire.
//!
//! Each test starts its own server ([`TestServer::start`], or [`TestServer::start_tls`] for a
//! self-signed certificate), declares routes (`path → Reply`), points the code under test at
//! [`TestServer::url`], and afterwards asks what the server saw: requests per path, their
//! methods and headers, and the most requests it was answering at once. Routes can be swapped
//! at any time (e.g. a page that changes between two audits). Unknown paths answer 404, or what
//! [`TestServer::fallback`] says (a host that answers every address).
//!
//! ```ignore
//! let server = TestServer::start().await;
//! server.route("/flaky", Reply::sequence([Reply::status(503), Reply::html("<p>ok</p>")]));
//! let url = server.url("/flaky");
//! ```
// Each test crate uses part of this shared module.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// What the server does for a request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A complete answer with `Content-Length`.
    Answer {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// A 200 answer whose body never ends (until the client hangs up, or 1 GiB).
    Endless,
    /// A 200 answer sending `body` one byte at a time, pausing `every` between bytes.
    Drip { body: Vec<u8>, every: Duration },
    /// Resets the connection (TCP RST) instead of answering.
    Reset,
    /// Waits, then replies.
    After(Duration, Box<Reply>),
    /// The n-th request to the path gets the n-th reply; the last one repeats.
    Sequence(Vec<Reply>),
    /// One reply for `HEAD` requests, another for every other method.
    ByMethod { head: Box<Reply>, other: Box<Reply> },
}

impl Reply {
    /// An answer with this status and a short text body.
    pub fn status(status: u16) -> Reply {
        Reply::Answer {
            status,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: format!("status {status}\n").into_bytes(),
        }
    }

    /// A 200 `text/html; charset=utf-8` page.
    pub fn html(body: &str) -> Reply {
        Reply::bytes("text/html; charset=utf-8", body.as_bytes())
    }

    /// A 200 answer with these exact bytes.
    pub fn bytes(content_type: &str, body: &[u8]) -> Reply {
        Reply::Answer {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.to_vec(),
        }
    }

    /// A redirect (`status` 301, 302, 303, 307, 308) to `location`, sent as given.
    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::status(status).header("Location", location)
    }

    /// A 200 HTML page sent gzip-compressed.
    pub fn gzip(body: &str) -> Reply {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(body.as_bytes()).expect("gzip into memory");
        Reply::html("")
            .with_body(enc.finish().expect("gzip into memory"))
            .header("Content-Encoding", "gzip")
    }

    /// A 200 HTML page sent brotli-compressed.
    pub fn brotli(body: &str) -> Reply {
        let mut out = Vec::new();
        {
            let mut enc = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
            enc.write_all(body.as_bytes()).expect("brotli into memory");
        }
        Reply::html("")
            .with_body(out)
            .header("Content-Encoding", "br")
    }

    /// A small gzip body that expands to `expanded` zero bytes.
    pub fn gzip_bomb(expanded: usize) -> Reply {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 64 * 1024];
        for _ in 0..expanded.div_ceil(zeros.len()) {
            enc.write_all(&zeros).expect("gzip into memory");
        }
        Reply::html("")
            .with_body(enc.finish().expect("gzip into memory"))
            .header("Content-Encoding", "gzip")
    }

    pub fn sequence(replies: impl IntoIterator<Item = Reply>) -> Reply {
        Reply::Sequence(replies.into_iter().collect())
    }

    /// Rejects `HEAD` with 405 and answers every other method with `self`.
    pub fn rejecting_head(self) -> Reply {
        Reply::ByMethod {
            head: Box::new(Reply::status(405)),
            other: Box::new(self),
        }
    }

    /// Waits `delay` before replying.
    pub fn after(self, delay: Duration) -> Reply {
        Reply::After(delay, Box::new(self))
    }

    /// Adds a header to an [`Reply::Answer`] (other replies are returned unchanged).
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Answer { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }

    /// Replaces the body of an [`Reply::Answer`].
    pub fn with_body(mut self, new: Vec<u8>) -> Reply {
        if let Reply::Answer { body, .. } = &mut self {
            *body = new;
        }
        self
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// Header names in lowercase.
    pub headers: Vec<(String, String)>,
    pub at: SystemTime,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What a server answers for a path it has no route for.
type Fallback = Arc<dyn Fn(&str) -> Reply + Send + Sync>;

#[derive(Default)]
struct Shared {
    routes: Mutex<HashMap<String, (Reply, usize)>>,
    fallback: Mutex<Option<Fallback>>,
    seen: Mutex<Vec<Seen>>,
    current: AtomicUsize,
    max: AtomicUsize,
}

/// A running test server; it stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    scheme: &'static str,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestServer {
    /// Starts a plain HTTP server on a free port of 127.0.0.1.
    pub async fn start() -> TestServer {
        TestServer::start_with(Arc::new(Shared::default())).await
    }

    async fn start_with(shared: Arc<Shared>) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        let state = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                // Closing with RST lets `Reply::Reset` reset; other closes happen after the
                // client is done anyway.
                let _ = stream.set_zero_linger();
                tokio::spawn(serve(stream, state.clone()));
            }
        });
        TestServer {
            addr,
            scheme: "http",
            shared,
            task,
        }
    }

    /// Starts `n` servers on different ports that share routes, request log and concurrency
    /// count: `n` hosts as far as a per-host limit goes, one server for
    /// [`TestServer::max_concurrent`].
    pub async fn start_many(n: usize) -> Vec<TestServer> {
        let shared = Arc::new(Shared::default());
        let mut servers = Vec::with_capacity(n);
        for _ in 0..n {
            servers.push(TestServer::start_with(shared.clone()).await);
        }
        servers
    }

    /// Starts an HTTPS server with a self-signed certificate for `127.0.0.1` and `localhost`,
    /// which no client trusts.
    pub async fn start_tls() -> TestServer {
        let certified =
            rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
                .expect("self-signed certificate");
        let key =
            rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .expect("TLS server config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared::default());
        let state = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let state = state.clone();
                tokio::spawn(async move {
                    if let Ok(tls) = acceptor.accept(stream).await {
                        serve(tls, state).await;
                    }
                });
            }
        });
        TestServer {
            addr,
            scheme: "https",
            shared,
            task,
        }
    }

    /// The URL of `path` on this server, e.g. `http://127.0.0.1:41234/page`.
    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{}", self.scheme, self.addr, path)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Sets (or swaps) what `path` answers; a sequence starts over.
    pub fn route(&self, path: &str, reply: Reply) -> &TestServer {
        self.shared
            .routes
            .lock()
            .expect("routes")
            .insert(path.to_owned(), (reply, 0));
        self
    }

    /// Answers every path without a route with `reply(path)` instead of 404: a catch-all host.
    pub fn fallback(&self, reply: impl Fn(&str) -> Reply + Send + Sync + 'static) -> &TestServer {
        *self.shared.fallback.lock().expect("fallback") = Some(Arc::new(reply));
        self
    }

    /// Requests received for `path`, any method.
    pub fn hits(&self, path: &str) -> usize {
        self.requests().iter().filter(|s| s.path == path).count()
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<Seen> {
        self.shared.seen.lock().expect("log").clone()
    }

    /// The most requests this server was answering at one moment.
    pub fn max_concurrent(&self) -> usize {
        self.shared.max.load(Ordering::SeqCst)
    }
}

/// Serves requests on one connection until the client leaves or a reply ends the connection.
async fn serve<S: AsyncRead + AsyncWrite + Unpin>(stream: S, shared: Arc<Shared>) {
    let mut stream = BufReader::new(stream);
    loop {
        let Some(seen) = read_request(&mut stream).await else {
            return;
        };
        let reply = {
            let mut routes = shared.routes.lock().expect("routes");
            match routes.get_mut(&seen.path) {
                Some((reply, count)) => {
                    *count += 1;
                    resolve(reply, *count - 1, &seen.method)
                }
                None => match &*shared.fallback.lock().expect("fallback") {
                    Some(fallback) => resolve(&fallback(&seen.path), 0, &seen.method),
                    None => Reply::status(404),
                },
            }
        };
        let head = seen.method == "HEAD";
        shared.seen.lock().expect("log").push(seen);
        let now = shared.current.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max.fetch_max(now, Ordering::SeqCst);
        let keep_open = answer(stream.get_mut(), reply, head).await;
        shared.current.fetch_sub(1, Ordering::SeqCst);
        if !keep_open {
            return;
        }
    }
}

/// Picks the reply for the `nth` request (0-based) with this method.
fn resolve(reply: &Reply, nth: usize, method: &str) -> Reply {
    match reply {
        Reply::Sequence(replies) => match replies.get(nth).or(replies.last()) {
            Some(r) => resolve(r, nth, method),
            None => Reply::status(404),
        },
        Reply::ByMethod { head, other } => {
            resolve(if method == "HEAD" { head } else { other }, nth, method)
        }
        Reply::After(delay, next) => Reply::After(*delay, Box::new(resolve(next, nth, method))),
        other => other.clone(),
    }
}

async fn read_request<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut BufReader<S>,
) -> Option<Seen> {
    let mut line = String::new();
    if stream.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = Vec::new();
    for _ in 0..100 {
        let mut line = String::new();
        if stream.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            return Some(Seen {
                method,
                path,
                headers,
                at: SystemTime::now(),
            });
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    None
}

/// Writes one reply; returns whether the connection may serve another request.
async fn answer<S: AsyncWrite + Unpin>(stream: &mut S, reply: Reply, head: bool) -> bool {
    let mut reply = reply;
    loop {
        match reply {
            Reply::After(delay, next) => {
                tokio::time::sleep(delay).await;
                reply = *next;
            }
            Reply::Answer {
                status,
                headers,
                body,
            } => {
                let mut out = format!("HTTP/1.1 {status} Status\r\n");
                for (name, value) in &headers {
                    out.push_str(&format!("{name}: {value}\r\n"));
                }
                out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
                let mut bytes = out.into_bytes();
                if !head {
                    bytes.extend_from_slice(&body);
                }
                return stream.write_all(&bytes).await.is_ok() && stream.flush().await.is_ok();
            }
            Reply::Endless => {
                let start =
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n";
                if stream.write_all(start).await.is_err() {
                    return false;
                }
                let chunk = vec![b'a'; 16 * 1024];
                for _ in 0..65_536 {
                    if stream.write_all(&chunk).await.is_err() {
                        break;
                    }
                }
                return false;
            }
            Reply::Drip { body, every } => {
                let start = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                if stream.write_all(start.as_bytes()).await.is_err() {
                    return false;
                }
                for byte in body {
                    if stream.write_all(&[byte]).await.is_err() || stream.flush().await.is_err() {
                        return false;
                    }
                    tokio::time::sleep(every).await;
                }
                return true;
            }
            Reply::Reset => return false,
            Reply::Sequence(_) | Reply::ByMethod { .. } => {
                unreachable!("resolve() flattens sequences and method choices")
            }
        }
    }
}
