//! Benchmarks the check engine against a simulated web on loopback addresses.
//!
//! The simulated web runs in a child process (this example re-executed with `--serve`), so the
//! peak RSS printed is the engine's own. Each host is its own address (127.0.0.2, 127.0.0.3, …)
//! on one port; every answer takes a fixed latency, and a host answers 429 at once when more
//! requests than the per-host limit arrive together.
//!
//! ```text
//! cargo run --release --example bench -- [--links N] [--hosts H] [--latency-ms L]
//!     [--concurrency C] [--per-host P] [--shape uniform|skewed|both]
//! ```

// An example uses only part of the dependencies; `src/lib.rs` checks them.
#![allow(unused_crate_dependencies)]

use clap::{Parser, ValueEnum};
use linkwatch::check::{Cancel, CheckConfig, Engine, Request};
use std::io::{BufRead, BufReader, Read};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

#[derive(Debug, Parser)]
struct Args {
    /// Links to check.
    #[arg(long, default_value_t = 10_000)]
    links: usize,
    /// Hosts the links are spread over (at most 60,000).
    #[arg(long, default_value_t = 100)]
    hosts: usize,
    /// Time every simulated answer takes, in milliseconds.
    #[arg(long, default_value_t = 200)]
    latency_ms: u64,
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
    #[arg(long, default_value_t = 8)]
    per_host: usize,
    #[arg(long, value_enum, default_value_t = Shape::Both)]
    shape: Shape,
    /// Internal: run the simulated web on this port (0 = pick one) and print the port.
    #[arg(long, hide = true)]
    serve: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Shape {
    /// Links spread evenly over the hosts.
    Uniform,
    /// One host holds a tenth of the links; the rest spread evenly.
    Skewed,
    Both,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    if !(1..=60_000).contains(&args.hosts) || args.links == 0 {
        return Err("--hosts must be 1..=60000 and --links at least 1".into());
    }
    let runtime = tokio::runtime::Runtime::new()?;
    if args.serve {
        return runtime.block_on(serve(args));
    }
    runtime.block_on(bench(args))
}

/// The address of simulated host `i`: 127.0.0.2 upwards.
fn host_ip(i: usize) -> Ipv4Addr {
    let n = u32::try_from(i + 2).expect("host count is bounded");
    Ipv4Addr::from(0x7f00_0000 | n)
}

async fn bench(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut child = Command::new(std::env::current_exe()?)
        .args([
            "--serve",
            "--hosts",
            &args.hosts.to_string(),
            "--latency-ms",
            &args.latency_ms.to_string(),
            "--per-host",
            &args.per_host.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().ok_or("no child stdout")?).read_line(&mut line)?;
    let port: u16 = line
        .trim()
        .parse()
        .map_err(|_| format!("server said {line:?}"))?;
    let shapes = match args.shape {
        Shape::Both => vec![Shape::Uniform, Shape::Skewed],
        one => vec![one],
    };
    let latency = Duration::from_millis(args.latency_ms);
    println!(
        "{} links, {} hosts, latency {} ms, concurrency {}, per-host {}",
        args.links, args.hosts, args.latency_ms, args.concurrency, args.per_host
    );
    for shape in shapes {
        let hosts = assign_hosts(shape, args.links, args.hosts);
        let largest = (0..args.hosts)
            .map(|h| hosts.iter().filter(|&&x| x == h).count())
            .max()
            .unwrap_or(0);
        let requests: Vec<Request> = hosts
            .iter()
            .enumerate()
            .map(|(i, &h)| Request::new(format!("http://{}:{port}/page/{i}", host_ip(h))))
            .collect();
        let engine = Engine::new(CheckConfig {
            concurrency: args.concurrency,
            per_host: args.per_host,
            ..CheckConfig::default()
        })?;
        let mut ok = 0usize;
        let started = Instant::now();
        let stats = engine
            .run(requests, &Cancel::default(), |_, fetch| {
                if fetch.http_status == Some(200) {
                    ok += 1;
                }
            })
            .await;
        let wall = started.elapsed();
        let ideal = (latency.mul_f64(args.links as f64 / args.concurrency as f64))
            .max(latency.mul_f64(largest as f64 / args.per_host as f64));
        println!("shape {shape:?} (largest host {largest} links):");
        println!("  wall time        {:.2} s", wall.as_secs_f64());
        println!("  ideal bound      {:.2} s", ideal.as_secs_f64());
        println!(
            "  ratio            {:.3}x",
            wall.as_secs_f64() / ideal.as_secs_f64()
        );
        println!(
            "  peak RSS         {:.1} MiB",
            peak_rss_kib()? as f64 / 1024.0
        );
        println!(
            "  requests/link    {:.3}",
            stats.requests_sent as f64 / args.links as f64
        );
        println!("  429s received    {}", stats.responses_429);
        println!("  max in flight    {}", stats.max_in_flight);
        println!("  answered 200     {ok}/{}", args.links);
    }
    drop(child.stdin.take());
    child.wait()?;
    Ok(())
}

/// Which host each link goes to.
fn assign_hosts(shape: Shape, links: usize, hosts: usize) -> Vec<usize> {
    match shape {
        Shape::Skewed if hosts > 1 => {
            let big = links / 10;
            (0..links)
                .map(|i| {
                    if i < big {
                        0
                    } else {
                        1 + (i - big) % (hosts - 1)
                    }
                })
                .collect()
        }
        _ => (0..links).map(|i| i % hosts).collect(),
    }
}

/// The engine process's peak resident set (VmHWM), in KiB.
fn peak_rss_kib() -> Result<u64, Box<dyn std::error::Error>> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .ok_or("no VmHWM in /proc/self/status")?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .ok_or("empty VmHWM")?
        .parse()?)
}

/// The simulated web: one listener per host address, all on one port, until stdin closes.
async fn serve(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let first = tokio::net::TcpListener::bind((host_ip(0), 0)).await?;
    let port = first.local_addr()?.port();
    let mut listeners = vec![first];
    for h in 1..args.hosts {
        listeners.push(
            tokio::net::TcpListener::bind(SocketAddr::new(IpAddr::V4(host_ip(h)), port)).await?,
        );
    }
    println!("{port}");
    let latency = Duration::from_millis(args.latency_ms);
    for listener in listeners {
        let busy = Arc::new(AtomicUsize::new(0));
        let limit = args.per_host;
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(connection(stream, busy.clone(), limit, latency));
            }
        });
    }
    // The parent closes our stdin when it is done (or dies).
    tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new())).await??;
    Ok(())
}

async fn connection(
    stream: tokio::net::TcpStream,
    busy: Arc<AtomicUsize>,
    limit: usize,
    latency: Duration,
) {
    let mut stream = tokio::io::BufReader::new(stream);
    let body = "<html><head><title>page</title></head><body>".to_owned()
        + &"<p>text</p>".repeat(100)
        + "</body></html>";
    loop {
        let mut line = String::new();
        // Request line, then headers up to the blank line.
        loop {
            line.clear();
            match stream.read_line(&mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) if line == "\r\n" || line == "\n" => break,
                Ok(_) => {}
            }
        }
        let now = busy.fetch_add(1, Ordering::SeqCst) + 1;
        let reply = if now > limit {
            "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n".to_owned()
        } else {
            tokio::time::sleep(latency).await;
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
        };
        let sent = stream.get_mut().write_all(reply.as_bytes()).await;
        busy.fetch_sub(1, Ordering::SeqCst);
        if sent.is_err() {
            return;
        }
    }
}
