//! Benchmarks what the user waits for: the whole `linkwatch check` command against a simulated
//! web on loopback addresses, next to the check engine alone.
//!
//! The simulated web runs in a child process (this example re-executed with `--serve`). Each host
//! is its own address (127.0.0.2, 127.0.0.3, …) on one port; every answer takes a fixed latency,
//! and a host answers 429 at once when more requests than the per-host limit arrive together. It
//! serves `small` pages (~1.2 KB) and `real` ones: ~100 KB shaped like NGO and government pages (a
//! `<head>` full of inline scripts and styles, a ~200-link menu, varied text, a footer), the same
//! on every request, so a second audit finds nothing changed.
//!
//! Every measured run is a child process, reaped with `wait4` for its peak RSS and CPU time:
//! - `engine`: the check engine alone (this example re-executed with `--engine-port`);
//! - `audit 1`: `target/release/linkwatch check` on a generated catalog, empty reports directory;
//! - `audit 2`: the same again, with the first audit's baseline in place;
//! - `lychee` (with `--lychee PATH`): lychee on a text file of the same URLs, for comparison.
//!
//! Each shape's heading gives the rounds bound: requests are whole, so the busiest slot makes
//! ⌈links / concurrency⌉ (or the largest host's ⌈links / per-host⌉) requests one after another,
//! and no run can take less than that many latencies (8.00 s for the defaults' uniform shape).
//! Each run prints its wall time; the ideal bound, max(latency × links / concurrency, latency ×
//! largest host's links / per-host), and the ratio of the two; requests per link and 429s as the
//! server counted them; peak RSS and user+sys CPU time; and for the audits their wall time over
//! the engine run's. A table of all runs ends the output. Every run is killed after
//! `--run-timeout` seconds (default 300) and reported as timed out.
//!
//! `--pages hostile` instead runs the command on one link per hostile page (NUL bytes, 200,000
//! nested `<div>`s, 300,000 attributes on one tag, nested tables, a 4 MiB text node, a 4 MiB
//! `<title>`), on one benign page for reference, and on 64 hostile links at once (`--mode` and
//! `--lychee` do not apply). A crash or timeout there is reported, not an error of the bench.
//!
//! The command is the release binary next to this example, so build it first:
//!
//! ```text
//! cargo build --release && cargo run --release --example bench -- [--links N] [--hosts H]
//!     [--latency-ms L] [--concurrency C] [--per-host P] [--shape uniform|skewed|both]
//!     [--pages small|real|both|hostile] [--mode engine|command|all] [--lychee PATH]
//!     [--run-timeout SECS]
//! ```

// An example uses only part of the dependencies; `src/lib.rs` checks them.
#![allow(unused_crate_dependencies)]

use clap::{Parser, ValueEnum};
use linkwatch::check::{Cancel, CheckConfig, Engine, Request};
use std::borrow::Cow;
// Writing to a String cannot fail, so its fmt::Result is dropped with `let _ =`.
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

mod support;

use support::{BoxError, End, linkwatch_exe, run_measured};

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
    /// Which pages the simulated web serves; `hostile` runs the hostile-page cases instead.
    #[arg(long, value_enum, default_value_t = Pages::Both)]
    pages: Pages,
    /// The engine alone, the whole command (two audits), or both.
    #[arg(long, value_enum, default_value_t = Mode::All)]
    mode: Mode,
    /// Also time this lychee binary on the same URLs.
    #[arg(long, value_name = "PATH")]
    lychee: Option<PathBuf>,
    /// Kill a measured run still going after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    run_timeout: u64,
    /// Internal: run the simulated web on a free port, print the port, answer `stats` on stdin.
    #[arg(long, hide = true)]
    serve: bool,
    /// Internal: run the engine alone against the simulated web on this port.
    #[arg(long, hide = true)]
    engine_port: Option<u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Shape {
    /// Links spread evenly over the hosts.
    Uniform,
    /// One host holds a tenth of the links; the rest spread evenly.
    Skewed,
    Both,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Uniform => "uniform",
            Shape::Skewed => "skewed",
            Shape::Both => "both",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Pages {
    /// ~1.2 KB pages.
    Small,
    /// ~100 KB pages shaped like real NGO and government pages.
    Real,
    Both,
    /// Single-link runs on hostile pages, and one run on 64 of them at once.
    Hostile,
}

impl Pages {
    fn name(self) -> &'static str {
        match self {
            Pages::Small => "small",
            Pages::Real => "real",
            Pages::Both => "both",
            Pages::Hostile => "hostile",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    /// The check engine alone.
    Engine,
    /// The whole `linkwatch check` command: a first audit, then a second on its baseline.
    Command,
    All,
}

fn main() -> Result<(), BoxError> {
    let args = Args::parse();
    if !(1..=60_000).contains(&args.hosts) || args.links == 0 {
        return Err("--hosts must be 1..=60000 and --links at least 1".into());
    }
    if args.serve {
        return tokio::runtime::Runtime::new()?.block_on(serve(args));
    }
    if let Some(port) = args.engine_port {
        return tokio::runtime::Runtime::new()?.block_on(engine_only(args, port));
    }
    bench(&args)
}

/// The address of simulated host `i`: 127.0.0.2 upwards.
fn host_ip(i: usize) -> Ipv4Addr {
    let n = u32::try_from(i + 2).expect("host count is bounded");
    Ipv4Addr::from(0x7f00_0000 | n)
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

/// The URL of page `i` of kind `pages` on host `host`.
fn page_url(host: usize, port: u16, pages: Pages, i: usize) -> String {
    format!("http://{}:{port}/{}/{i}", host_ip(host), pages.name())
}

/// The links of one run, and how many of them the busiest host holds.
fn page_urls(args: &Args, shape: Shape, pages: Pages, port: u16) -> (Vec<String>, usize) {
    let hosts = assign_hosts(shape, args.links, args.hosts);
    let mut per_host = vec![0usize; args.hosts];
    for &h in &hosts {
        per_host[h] += 1;
    }
    let urls = hosts
        .iter()
        .enumerate()
        .map(|(i, &h)| page_url(h, port, pages, i))
        .collect();
    (urls, per_host.into_iter().max().unwrap_or(0))
}

// ---------------------------------------------------------------------------------------------
// The runs, measured from this process.

/// The simulated web in its child process; killed when dropped.
struct Server {
    child: std::process::Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    port: u16,
}

/// The server's counters since it started.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    requests: u64,
    too_many: u64,
}

impl Server {
    fn start(args: &Args) -> Result<Server, BoxError> {
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
        let stdin = child.stdin.take().ok_or("no server stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("no server stdout")?);
        let mut server = Server {
            child,
            stdin,
            stdout,
            port: 0,
        };
        let line = server.line()?;
        server.port = line
            .trim()
            .parse()
            .map_err(|_| format!("server said {line:?}"))?;
        Ok(server)
    }

    fn line(&mut self) -> Result<String, BoxError> {
        let mut line = String::new();
        if self.stdout.read_line(&mut line)? == 0 {
            return Err("the simulated web exited".into());
        }
        Ok(line)
    }

    fn counts(&mut self) -> Result<Counts, BoxError> {
        writeln!(self.stdin, "stats")?;
        self.stdin.flush()?;
        let line = self.line()?;
        let mut numbers = line.split_whitespace().map(str::parse::<u64>);
        match (numbers.next(), numbers.next()) {
            (Some(Ok(requests)), Some(Ok(too_many))) => Ok(Counts { requests, too_many }),
            _ => Err(format!("server stats {line:?}").into()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One measured run of a child process, with the server's counts over it.
#[derive(Debug, Clone, Copy)]
struct Measured {
    end: End,
    wall: Duration,
    cpu_user: Duration,
    cpu_sys: Duration,
    peak_rss_kib: u64,
    counts: Counts,
}

impl Measured {
    fn cpu(&self) -> Duration {
        self.cpu_user + self.cpu_sys
    }

    fn peak_mib(&self) -> f64 {
        self.peak_rss_kib as f64 / 1024.0
    }
}

/// Runs `command` with stdout and stderr into `dir`, killing it after `limit`; returns its wall
/// time, rusage and the server's counts over the run.
fn measure(
    server: &mut Server,
    command: &mut Command,
    dir: &Path,
    limit: Duration,
) -> Result<Measured, BoxError> {
    let before = server.counts()?;
    let run = run_measured(command, dir, limit)?;
    let after = server.counts()?;
    Ok(Measured {
        end: run.end,
        wall: run.wall,
        cpu_user: run.cpu_user,
        cpu_sys: run.cpu_sys,
        peak_rss_kib: run.peak_rss_kib,
        counts: Counts {
            requests: after.requests - before.requests,
            too_many: after.too_many - before.too_many,
        },
    })
}

/// Writes `dir/catalog/` with one folder holding one resource per URL.
fn write_catalog(dir: &Path, urls: &[String]) -> std::io::Result<()> {
    let catalog = dir.join("catalog");
    std::fs::create_dir_all(&catalog)?;
    std::fs::write(
        catalog.join("catalog.toml"),
        "title = \"Bench toolkit\"\npublisher = \"linkwatch bench\"\n\n\
         [[folder]]\nid = \"web\"\ntitle = \"Web pages\"\n",
    )?;
    let mut text = String::with_capacity(urls.len() * 128);
    for (i, url) in urls.iter().enumerate() {
        let _ = writeln!(
            text,
            "[[resource]]\nid = \"page-{i}\"\ntitle = \"Page {i}\"\nurl = \"{url}\"\n\
             kind = \"website\"\norganization = \"Bench\"\n"
        );
    }
    std::fs::write(catalog.join("web.toml"), text)
}

/// `linkwatch check` on the catalog in `dir`, reports in `dir/reports`.
fn check_command(linkwatch: &Path, dir: &Path, args: &Args) -> Command {
    let mut command = Command::new(linkwatch);
    command
        .arg("check")
        .arg("--quiet")
        .arg("--catalog")
        .arg(dir.join("catalog"))
        .arg("--out")
        .arg(dir.join("reports"))
        .args(["--concurrency", &args.concurrency.to_string()])
        .args(["--per-host", &args.per_host.to_string()])
        .current_dir(dir);
    command
}

/// The first line of file `name` in `dir`: a run's one-line summary.
fn first_line(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name))
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

/// The last lines a run wrote to stderr, to show why it failed.
fn stderr_tail(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("stderr.txt")).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(10)..].join("\n")
}

/// One line of the final table.
struct Row {
    shape: Shape,
    pages: Pages,
    run: &'static str,
    links: usize,
    ideal: Duration,
    measured: Measured,
    /// Wall time over the engine-only run's, for the command's audits.
    vs_engine: Option<f64>,
}

impl Row {
    fn ratio(&self) -> f64 {
        self.measured.wall.as_secs_f64() / self.ideal.as_secs_f64()
    }

    fn print(&self, detail: &str) {
        let m = &self.measured;
        println!(
            "{} / {} / {}:",
            self.shape.name(),
            self.pages.name(),
            self.run
        );
        println!("  wall time        {:.2} s", m.wall.as_secs_f64());
        println!("  ideal bound      {:.2} s", self.ideal.as_secs_f64());
        println!("  ratio            {:.3}x", self.ratio());
        if let Some(vs) = self.vs_engine {
            println!("  vs engine alone  {vs:.2}x");
        }
        println!(
            "  requests/link    {:.3}",
            m.counts.requests as f64 / self.links as f64
        );
        println!("  429s answered    {}", m.counts.too_many);
        println!("  peak RSS         {:.1} MiB", m.peak_mib());
        println!(
            "  CPU user+sys     {:.2} s ({:.2} + {:.2})",
            m.cpu().as_secs_f64(),
            m.cpu_user.as_secs_f64(),
            m.cpu_sys.as_secs_f64()
        );
        println!("  ended            {} {detail}", m.end);
    }
}

fn bench(args: &Args) -> Result<(), BoxError> {
    let limit = Duration::from_secs(args.run_timeout);
    if args.pages == Pages::Hostile {
        let linkwatch = linkwatch_exe()?;
        return hostile(args, &mut Server::start(args)?, &linkwatch, limit);
    }
    let linkwatch = match args.mode {
        Mode::Engine => None,
        Mode::Command | Mode::All => Some(linkwatch_exe()?),
    };
    let mut server = Server::start(args)?;
    let shapes = match args.shape {
        Shape::Both => vec![Shape::Uniform, Shape::Skewed],
        one => vec![one],
    };
    let kinds = match args.pages {
        Pages::Both => vec![Pages::Small, Pages::Real],
        one => vec![one],
    };
    let lychee_args = match &args.lychee {
        Some(path) => Some(lychee_args(path, args)?),
        None => None,
    };
    println!(
        "{} links, {} hosts, latency {} ms, concurrency {}, per-host {}",
        args.links, args.hosts, args.latency_ms, args.concurrency, args.per_host
    );
    let latency = Duration::from_millis(args.latency_ms);
    let mut rows = Vec::new();
    let mut kept = Vec::new();
    for &shape in &shapes {
        for &pages in &kinds {
            let (urls, largest) = page_urls(args, shape, pages, server.port);
            let ideal = (latency.mul_f64(args.links as f64 / args.concurrency as f64))
                .max(latency.mul_f64(largest as f64 / args.per_host as f64));
            let row = |run, measured, vs_engine| Row {
                shape,
                pages,
                run,
                links: args.links,
                ideal,
                measured,
                vs_engine,
            };
            // Requests are whole: some slot makes `rounds` of them one after another.
            let rounds = args
                .links
                .div_ceil(args.concurrency)
                .max(largest.div_ceil(args.per_host));
            println!(
                "\n{} shape, {} pages (largest host {largest} links; {rounds} requests in a row \
                 on the busiest slot, so no run can take under {:.2} s)",
                shape.name(),
                pages.name(),
                latency.mul_f64(rounds as f64).as_secs_f64()
            );
            // Kept until the bench ends: deleting 10,000 snapshot files makes the file system
            // slow to create the next run's (ext4 avoids reusing recently freed inodes), which
            // would be charged to the next first audit.
            kept.push(tempfile::tempdir()?);
            let dir = &kept[kept.len() - 1];
            let mut engine_wall = None;
            if args.mode != Mode::Command {
                let mut command = engine_command(args, shape, pages, server.port)?;
                let measured = measure(&mut server, &mut command, dir.path(), limit)?;
                require(&measured, &[0], "the engine run", dir.path())?;
                engine_wall = Some(measured.wall);
                let stats = first_line(dir.path(), "stdout.txt");
                let r = row("engine", measured, None);
                r.print(&format!("({stats})"));
                rows.push(r);
            }
            if let Some(linkwatch) = &linkwatch
                && args.mode != Mode::Engine
            {
                write_catalog(dir.path(), &urls)?;
                for run in ["audit 1", "audit 2"] {
                    let mut command = check_command(linkwatch, dir.path(), args);
                    let measured = measure(&mut server, &mut command, dir.path(), limit)?;
                    // 1 is a normal finish too: some links need attention.
                    require(&measured, &[0, 1], "linkwatch check", dir.path())?;
                    let vs = engine_wall.map(|e| measured.wall.as_secs_f64() / e.as_secs_f64());
                    let r = row(run, measured, vs);
                    r.print(&format!("({})", first_line(dir.path(), "stdout.txt")));
                    rows.push(r);
                }
            }
            if let (Some(path), Some(extra)) = (&args.lychee, &lychee_args) {
                let list = dir.path().join("urls.txt");
                std::fs::write(&list, urls.join("\n") + "\n")?;
                let mut command = Command::new(path);
                command.args(extra).arg(&list).current_dir(dir.path());
                let measured = measure(&mut server, &mut command, dir.path(), limit)?;
                let r = row("lychee", measured, None);
                r.print(&format!("(lychee {})", extra.join(" ")));
                rows.push(r);
            }
        }
    }
    print_table(&rows);
    Ok(())
}

/// The engine alone on one shape and kind of pages: this example re-executed.
fn engine_command(args: &Args, shape: Shape, pages: Pages, port: u16) -> Result<Command, BoxError> {
    let mut command = Command::new(std::env::current_exe()?);
    command.args([
        "--engine-port",
        &port.to_string(),
        "--links",
        &args.links.to_string(),
        "--hosts",
        &args.hosts.to_string(),
        "--concurrency",
        &args.concurrency.to_string(),
        "--per-host",
        &args.per_host.to_string(),
        "--shape",
        shape.name(),
        "--pages",
        pages.name(),
    ]);
    Ok(command)
}

/// An error unless the run exited with one of `codes`.
fn require(measured: &Measured, codes: &[i32], what: &str, dir: &Path) -> Result<(), BoxError> {
    match measured.end {
        End::Exited(code) if codes.contains(&code) => Ok(()),
        end => Err(format!("{what} ended with {end}:\n{}", stderr_tail(dir)).into()),
    }
}

/// lychee's flags for a run like ours; `--host-concurrency` only where this lychee has it.
fn lychee_args(path: &Path, args: &Args) -> Result<Vec<String>, BoxError> {
    let help = Command::new(path).arg("--help").output()?;
    let mut flags = vec![
        "--no-progress".to_owned(),
        "--max-concurrency".to_owned(),
        args.concurrency.to_string(),
    ];
    if String::from_utf8_lossy(&help.stdout).contains("--host-concurrency") {
        flags.extend(["--host-concurrency".to_owned(), args.per_host.to_string()]);
    }
    Ok(flags)
}

fn print_table(rows: &[Row]) {
    println!(
        "\n{:<8} {:<6} {:<8} {:>8} {:>8} {:>7} {:>8} {:>6} {:>9} {:>7} {:>10}",
        "shape",
        "pages",
        "run",
        "wall s",
        "ideal s",
        "ratio",
        "req/link",
        "429s",
        "peak MiB",
        "cpu s",
        "vs engine"
    );
    for r in rows {
        let m = &r.measured;
        let vs = r.vs_engine.map_or("-".to_owned(), |v| format!("{v:.2}x"));
        let wall = if matches!(m.end, End::TimedOut) {
            "timeout".to_owned()
        } else {
            format!("{:.2}", m.wall.as_secs_f64())
        };
        println!(
            "{:<8} {:<6} {:<8} {:>8} {:>8.2} {:>6.2}x {:>8.3} {:>6} {:>9.1} {:>7.2} {:>10}",
            r.shape.name(),
            r.pages.name(),
            r.run,
            wall,
            r.ideal.as_secs_f64(),
            r.ratio(),
            m.counts.requests as f64 / r.links as f64,
            m.counts.too_many,
            m.peak_mib(),
            m.cpu().as_secs_f64(),
            vs
        );
    }
}

/// Links in the run that checks many hostile pages at once.
const HOSTILE_MIX: usize = 64;

/// The hostile-page runs: one link each, a benign one for reference, then many at once.
fn hostile(
    args: &Args,
    server: &mut Server,
    linkwatch: &Path,
    limit: Duration,
) -> Result<(), BoxError> {
    println!(
        "hostile pages: latency {} ms, run timeout {} s; `vs benign` is peak RSS minus the benign \
         run's; `mixed` is {HOSTILE_MIX} links cycling through the cases",
        args.latency_ms, args.run_timeout
    );
    println!(
        "\n{:<16} {:>5} {:<11} {:>8} {:>7} {:>9} {:>10}  summary",
        "case", "links", "ended", "wall s", "cpu s", "peak MiB", "vs benign"
    );
    let port = server.port;
    let mut run = |name: &str, urls: Vec<String>, benign: Option<u64>| {
        let dir = tempfile::tempdir()?;
        write_catalog(dir.path(), &urls)?;
        let mut command = check_command(linkwatch, dir.path(), args);
        let m = measure(server, &mut command, dir.path(), limit)?;
        let vs = benign.map_or("-".to_owned(), |b| {
            format!("{:+.1}", (m.peak_rss_kib as f64 - b as f64) / 1024.0)
        });
        let summary = match m.end {
            End::Exited(0 | 1) => first_line(dir.path(), "stdout.txt"),
            End::TimedOut => format!("killed after {} s", args.run_timeout),
            End::Exited(_) | End::Signalled(_) => stderr_tail(dir.path()).replace('\n', " | "),
        };
        println!(
            "{name:<16} {:>5} {:<11} {:>8.2} {:>7.2} {:>9.1} {vs:>10}  {summary}",
            urls.len(),
            m.end.to_string(),
            m.wall.as_secs_f64(),
            m.cpu().as_secs_f64(),
            m.peak_mib(),
        );
        Ok::<_, BoxError>(m.peak_rss_kib)
    };
    let benign = run(
        "benign (real)",
        vec![page_url(0, port, Pages::Real, 0)],
        None,
    )?;
    for case in Hostile::ALL {
        run(case.name(), vec![case.url(0, port, 0)], Some(benign))?;
    }
    let mixed = (0..HOSTILE_MIX)
        .map(|i| Hostile::ALL[i % Hostile::ALL.len()].url(i % args.hosts, port, i))
        .collect();
    run("mixed", mixed, Some(benign))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The engine alone, in its own process.

async fn engine_only(args: Args, port: u16) -> Result<(), BoxError> {
    let (urls, _) = page_urls(&args, args.shape, args.pages, port);
    let engine = Engine::new(CheckConfig {
        concurrency: args.concurrency,
        per_host: args.per_host,
        ..CheckConfig::default()
    })?;
    let mut ok = 0usize;
    let stats = engine
        .run(
            urls.into_iter().map(Request::new).collect(),
            &Cancel::default(),
            |_, fetch| {
                if fetch.http_status == Some(200) {
                    ok += 1;
                }
            },
        )
        .await;
    println!(
        "answered 200: {ok}/{}, max in flight {}",
        args.links, stats.max_in_flight
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The simulated web.

/// Requests received and 429s answered, over all hosts.
#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    too_many: AtomicU64,
}

/// The simulated web: one listener per host address, all on one port, until stdin closes; each
/// `stats` line on stdin is answered with the counters.
async fn serve(args: Args) -> Result<(), BoxError> {
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
    let counters = Arc::new(Counters::default());
    for listener in listeners {
        let busy = Arc::new(AtomicUsize::new(0));
        let limit = args.per_host;
        let counters = counters.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection(
                    stream,
                    busy.clone(),
                    counters.clone(),
                    limit,
                    latency,
                ));
            }
        });
    }
    // The parent closes our stdin when it is done (or dies).
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        for line in std::io::stdin().lock().lines() {
            line?;
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{} {}",
                counters.requests.load(Ordering::SeqCst),
                counters.too_many.load(Ordering::SeqCst)
            )?;
            out.flush()?;
        }
        Ok(())
    })
    .await??;
    Ok(())
}

async fn connection(
    stream: tokio::net::TcpStream,
    busy: Arc<AtomicUsize>,
    counters: Arc<Counters>,
    limit: usize,
    latency: Duration,
) {
    let mut stream = tokio::io::BufReader::new(stream);
    loop {
        let mut request = String::new();
        let mut line = String::new();
        // Request line, then headers up to the blank line.
        loop {
            line.clear();
            match stream.read_line(&mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) if line == "\r\n" || line == "\n" => break,
                Ok(_) if request.is_empty() => request.clone_from(&line),
                Ok(_) => {}
            }
        }
        counters.requests.fetch_add(1, Ordering::SeqCst);
        let now = busy.fetch_add(1, Ordering::SeqCst) + 1;
        let (head, body) = if now > limit {
            counters.too_many.fetch_add(1, Ordering::SeqCst);
            (
                "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n".to_owned(),
                Cow::Borrowed(&[][..]),
            )
        } else {
            tokio::time::sleep(latency).await;
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            match page(path) {
                Some(body) => (
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                         Content-Length: {}\r\n\r\n",
                        body.len()
                    ),
                    body,
                ),
                None => (
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_owned(),
                    Cow::Borrowed(&[][..]),
                ),
            }
        };
        let out = stream.get_mut();
        let sent = match out.write_all(head.as_bytes()).await {
            Ok(()) => out.write_all(&body).await,
            Err(e) => Err(e),
        };
        busy.fetch_sub(1, Ordering::SeqCst);
        if sent.is_err() {
            return;
        }
    }
}

/// The body served at `path`: `/small/I`, `/real/I` or `/hostile/CASE/I`.
fn page(path: &str) -> Option<Cow<'static, [u8]>> {
    static SMALL: LazyLock<String> = LazyLock::new(|| {
        "<html><head><title>page</title></head><body>".to_owned()
            + &"<p>text</p>".repeat(100)
            + "</body></html>"
    });
    let mut parts = path.strip_prefix('/')?.split('/');
    let page = match (parts.next()?, parts.next()?, parts.next()) {
        ("small", i, None) => {
            i.parse::<usize>().ok()?;
            Cow::Borrowed(SMALL.as_bytes())
        }
        ("real", i, None) => Cow::Owned(real_page(i.parse().ok()?).into_bytes()),
        ("hostile", case, Some(i)) => {
            i.parse::<usize>().ok()?;
            Cow::Borrowed(Hostile::ALL.into_iter().find(|c| c.name() == case)?.body())
        }
        _ => return None,
    };
    parts.next().is_none().then_some(page)
}

/// A tiny deterministic generator (xorshift64), so pages are the same on every request.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> XorShift {
        XorShift((seed.wrapping_add(1)).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).expect("below n")
    }

    fn word(&mut self) -> &'static str {
        WORDS[self.below(WORDS.len())]
    }

    /// `n` words, the first capitalised.
    fn phrase(&mut self, n: usize) -> String {
        let mut out = String::new();
        for k in 0..n {
            let word = self.word();
            if k == 0 {
                let mut chars = word.chars();
                out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
                out.push_str(chars.as_str());
            } else {
                out.push(' ');
                out.push_str(word);
            }
        }
        out
    }
}

/// The vocabulary of generated text.
static WORDS: LazyLock<Vec<&str>> = LazyLock::new(|| {
    "children families services advocacy center program training support community safety \
     prevention resources report guidance national state local agency partners response \
     victims survivors youth health mental justice law enforcement court forensic interview \
     team multidisciplinary protocol evidence based practice research data outcomes funding \
     grant application deadline webinar conference registration members network \
     accreditation standards policy legislation federal office department public awareness \
     campaign education schools parents caregivers trauma informed care therapy medical exam \
     hotline help contact information about news events careers donate volunteer annual \
     quarterly newsletter statistics overview toolkit fact sheet guide online course module \
     certificate the and for with"
        .split_whitespace()
        .collect()
});

/// What every `real` page shares, built once: the `<head>` scripts and styles, menu, footer.
struct Chrome {
    head: String,
    nav: String,
    footer: String,
}

static CHROME: LazyLock<Chrome> = LazyLock::new(|| {
    let mut rng = XorShift::new(0xC0FFEE);
    let mut head = String::from(
        "<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, \
         initial-scale=1\">\n<link rel=\"stylesheet\" href=\"/themes/agency/css/site.min.css\">\n\
         <link rel=\"icon\" href=\"/favicon.ico\">\n",
    );
    for block in 0..2 {
        head.push_str("<style>\n");
        for k in 0..200 {
            let _ = writeln!(
                head,
                ".c-{block}-{k} .{w}{{margin:{}px {}px;padding:{}px;color:#{:06x};\
                 font-size:{}rem;display:flex}}",
                rng.below(40),
                rng.below(40),
                rng.below(24),
                rng.next() & 0xFF_FFFF,
                rng.below(3) + 1,
                w = rng.word(),
            );
        }
        head.push_str("</style>\n");
    }
    for block in 0..3 {
        head.push_str("<script>\n(function(){\"use strict\";\n");
        for k in 0..100 {
            let _ = writeln!(
                head,
                "function {w}_{block}_{k}(a,b){{var x=a*{}+b;if(x>{}){{return \
                 document.querySelectorAll(\".{w}\").length+x%{};}}return x;}}",
                rng.below(97) + 1,
                rng.below(1000),
                rng.below(13) + 1,
                w = rng.word(),
            );
        }
        head.push_str("})();\n</script>\n");
    }
    head.push_str(
        "<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\
         \"@type\":\"GovernmentOrganization\",\"name\":\"Example Agency\",\
         \"url\":\"https://agency.example\"}</script>\n\
         <script async src=\"https://www.googletagmanager.com/gtag/js?id=G-EXAMPLE\"></script>\n\
         <script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}\
         gtag('js',new Date());gtag('config','G-EXAMPLE');</script>\n",
    );
    let mut nav = String::from("<ul class=\"menu\">\n");
    for section in 0..20 {
        let title = rng.phrase(2);
        let _ = writeln!(
            nav,
            "<li class=\"menu-item\"><a href=\"/section-{section}\">{title}</a><ul class=\"sub\">"
        );
        for k in 0..9 {
            let _ = writeln!(
                nav,
                "<li><a href=\"/section-{section}/{}-{k}\">{}</a></li>",
                rng.word(),
                rng.phrase(3)
            );
        }
        nav.push_str("</ul></li>\n");
    }
    nav.push_str("</ul>\n");
    let mut footer = String::from("<div class=\"footer-links\"><ul>\n");
    for k in 0..60 {
        let _ = writeln!(
            footer,
            "<li><a href=\"/about/{}-{k}\">{}</a></li>",
            rng.word(),
            rng.phrase(2)
        );
    }
    footer.push_str(
        "</ul></div>\n<p class=\"address\">Example Agency, 100 Main Street, Suite 200, \
         Washington, DC 20001 · (800) 555-0100</p>\n<p class=\"copyright\">© Example Agency. \
         All rights reserved.</p>\n",
    );
    Chrome { head, nav, footer }
});

/// `real` page `i`: the shared chrome around text of its own (~100 KB in all).
fn real_page(i: usize) -> String {
    let chrome = &*CHROME;
    let mut rng = XorShift::new(i as u64);
    let title = rng.phrase(5);
    let mut page = String::with_capacity(110_000);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<title>{title} | Example Agency</title>\n\
         {}</head>\n<body class=\"page page-{i}\">\n<a class=\"skip-link\" href=\"#content\">Skip \
         to main content</a>\n<header class=\"site-header\"><a class=\"logo\" href=\"/\">Example \
         Agency</a>\n<nav aria-label=\"Main menu\">\n{}</nav></header>\n",
        chrome.head, chrome.nav
    );
    // Half the pages mark their text with <main>; the rest are divs, as on many older sites.
    let (open, close) = if i.is_multiple_of(2) {
        ("<main id=\"content\">", "</main>")
    } else {
        ("<div id=\"content\" class=\"layout-content\">", "</div>")
    };
    let _ = writeln!(page, "{open}\n<h1>{title}</h1>");
    for p in 0..14 + rng.below(7) {
        if p % 5 == 4 {
            let _ = writeln!(page, "<h2>{}</h2>", rng.phrase(4));
        }
        page.push_str("<p>");
        let words = 70 + rng.below(40);
        for w in 0..words {
            if w > 0 {
                page.push(' ');
            }
            match rng.below(40) {
                0 => {
                    let _ = write!(
                        page,
                        "<a href=\"/resources/{}-{}\">{}</a>",
                        rng.word(),
                        rng.below(1000),
                        rng.phrase(2)
                    );
                }
                1 => {
                    let _ = write!(page, "<strong>{}</strong>", rng.word());
                }
                _ => page.push_str(rng.word()),
            }
        }
        page.push_str(".</p>\n");
    }
    let _ = write!(
        page,
        "{close}\n<footer class=\"site-footer\">\n{}</footer>\n</body>\n</html>\n",
        chrome.footer
    );
    page
}

/// Pages built to make a parser or extractor work hard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hostile {
    NulBytes,
    NestedDivs,
    Attributes,
    NestedTables,
    TextNode,
    GiantTitle,
}

impl Hostile {
    const ALL: [Hostile; 6] = [
        Hostile::NulBytes,
        Hostile::NestedDivs,
        Hostile::Attributes,
        Hostile::NestedTables,
        Hostile::TextNode,
        Hostile::GiantTitle,
    ];

    fn name(self) -> &'static str {
        match self {
            Hostile::NulBytes => "nul-bytes",
            Hostile::NestedDivs => "nested-divs",
            Hostile::Attributes => "attributes",
            Hostile::NestedTables => "nested-tables",
            Hostile::TextNode => "text-node",
            Hostile::GiantTitle => "giant-title",
        }
    }

    fn url(self, host: usize, port: u16, i: usize) -> String {
        format!(
            "http://{}:{port}/hostile/{}/{i}",
            host_ip(host),
            self.name()
        )
    }

    /// The page, built on first use and kept.
    fn body(self) -> &'static [u8] {
        static BODIES: [OnceLock<Vec<u8>>; 6] = [const { OnceLock::new() }; 6];
        let index = Hostile::ALL
            .iter()
            .position(|&c| c == self)
            .expect("every case is in ALL");
        BODIES[index].get_or_init(|| self.build())
    }

    fn build(self) -> Vec<u8> {
        const MIB: usize = 1024 * 1024;
        let text = |bytes: usize| {
            let mut rng = XorShift::new(7);
            let mut out = String::with_capacity(bytes + 16);
            while out.len() < bytes {
                out.push_str(rng.word());
                out.push(' ');
            }
            out
        };
        let page = match self {
            Hostile::NulBytes => return vec![0; 5 * MIB],
            Hostile::NestedDivs => {
                "<!DOCTYPE html><html><body>".to_owned()
                    + &"<div>".repeat(200_000)
                    + "deep"
                    + &"</div>".repeat(200_000)
                    + "</body></html>"
            }
            Hostile::Attributes => {
                let mut page = String::from("<!DOCTYPE html><html><body><div");
                for k in 0..300_000 {
                    let _ = write!(page, " a{k}=\"\"");
                }
                page + ">wide</div></body></html>"
            }
            Hostile::NestedTables => {
                "<!DOCTYPE html><html><body>".to_owned()
                    + &"<table><tr><td>".repeat(100_000)
                    + "cell"
                    + &"</td></tr></table>".repeat(100_000)
                    + "</body></html>"
            }
            Hostile::TextNode => {
                "<!DOCTYPE html><html><body><p>".to_owned() + &text(4 * MIB) + "</p></body></html>"
            }
            Hostile::GiantTitle => {
                "<!DOCTYPE html><html><head><title>".to_owned()
                    + &text(4 * MIB)
                    + "</title></head><body><p>Short body.</p></body></html>"
            }
        };
        page.into_bytes()
    }
}
