//! Measures what hostile pages cost [`linkwatch::content::extract`]: for each case, the time of
//! one extraction, the peak resident set of the process, and what the page came out as.
//!
//! ```text
//! cargo run --release --example hostile [-- CASE]
//! ```
//!
//! Each case runs in a fresh child process (this example re-executed with the case's name), so
//! the peak resident set printed is that case's alone. "extra" is the peak less the resident set
//! just before extraction, with the body already built.

// An example uses only part of the dependencies; `src/lib.rs` checks them.
#![allow(unused_crate_dependencies)]

use linkwatch::catalog::Watch;
use linkwatch::content::{Page, extract};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a case may run before it counts as hung.
const CASE_TIMEOUT: Duration = Duration::from_secs(120);

const MIB: usize = 1024 * 1024;

/// Words with no sentence end, so a run of them is one giant sentence.
const WORDS: &str = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod ";

struct Case {
    name: &'static str,
    content_type: &'static str,
    body: fn() -> Vec<u8>,
}

const CASES: [Case; 19] = [
    Case {
        name: "nul-flood",
        content_type: "text/html",
        body: || vec![0; 5 * MIB],
    },
    Case {
        name: "control-flood",
        content_type: "text/html",
        body: || {
            let controls: Vec<u8> = (1..0x20)
                .filter(|b| !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
                .collect();
            controls.iter().copied().cycle().take(5 * MIB).collect()
        },
    },
    Case {
        name: "nested-divs",
        content_type: "text/html",
        body: || repeat("<div>", 200_000, "x"),
    },
    Case {
        name: "attributes",
        content_type: "text/html",
        body: || {
            let mut body = String::from("<p");
            for i in 0..300_000 {
                body.push(' ');
                body.push_str(&letters(i));
            }
            body.push_str(">x</p>");
            body.into_bytes()
        },
    },
    Case {
        name: "nested-tables-3000",
        content_type: "text/html",
        body: || repeat("<table><tr><td>", 3_000, "x"),
    },
    Case {
        name: "nested-tables-100000",
        content_type: "text/html",
        body: || repeat("<table><tr><td>", 100_000, "x"),
    },
    Case {
        name: "giant-text",
        content_type: "text/html",
        body: || wrap("<p>", 4 * MIB, "</p>"),
    },
    Case {
        name: "giant-accented-text",
        content_type: "text/html",
        body: || {
            let words = "café crème brûlée déjà vu naïve façade über straße ";
            let mut body = String::from("<p>");
            body.push_str(&words.repeat(4 * MIB / words.len()));
            body.push_str("</p>");
            body.into_bytes()
        },
    },
    Case {
        name: "giant-title",
        content_type: "text/html",
        body: || wrap("<title>", 4 * MIB, "</title><p>Body.</p>"),
    },
    Case {
        name: "lt-flood",
        content_type: "text/html",
        body: || vec![b'<'; 5 * MIB],
    },
    Case {
        name: "formatting-reopened",
        content_type: "text/html",
        body: || {
            let mut body = String::from("<div>");
            for i in 0..500 {
                body.push_str(&format!("<b id={i}>"));
            }
            body.push_str("</div>");
            body.push_str(&"<p>x</p>".repeat(100_000));
            body.into_bytes()
        },
    },
    Case {
        name: "flat-tags",
        content_type: "text/html",
        body: || "<i></i>".repeat(5 * MIB / 7).into_bytes(),
    },
    Case {
        name: "unclosed-paragraphs",
        content_type: "text/html",
        body: || "<p>A short paragraph. ".repeat(5 * MIB / 22).into_bytes(),
    },
    Case {
        name: "quotes-in-attribute",
        content_type: "text/html",
        body: || {
            let mut body = b"<a b=x".to_vec();
            body.resize(5 * MIB, b'"');
            body.extend_from_slice(b">x</a>");
            body
        },
    },
    Case {
        name: "invalid-utf8",
        content_type: "text/html",
        body: || vec![0xFF; 5 * MIB],
    },
    Case {
        name: "plain-text-flood",
        content_type: "text/plain",
        body: || WORDS.repeat(5 * MIB / WORDS.len()).into_bytes(),
    },
    Case {
        name: "paragraphs-at-budget",
        content_type: "text/html",
        body: || "<p>x".repeat(99_000).into_bytes(),
    },
    Case {
        name: "large-normal-page",
        content_type: "text/html",
        body: || {
            let section = "<section><h2>Heading</h2><p>A sentence of text. Another one, with \
                           <a href=\"/x\">a link</a> and <em>emphasis</em>.</p><ul><li>One</li>\
                           <li>Two</li></ul></section>";
            let mut body = String::from("<!doctype html><html><head><title>Big</title></head>");
            body.push_str("<body><main>");
            body.push_str(&section.repeat(MIB / section.len()));
            body.push_str("</main></body></html>");
            body.into_bytes()
        },
    },
    Case {
        name: "small-normal-page",
        content_type: "text/html",
        body: || {
            b"<!doctype html><title>Small</title><main><h1>Hello</h1><p>One. Two.</p></main>"
                .to_vec()
        },
    },
];

/// A distinct attribute name for each `i`: a, b, …, z, ba, bb, …
fn letters(mut i: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'a' + (i % 26) as u8);
        i /= 26;
        if i == 0 {
            break;
        }
    }
    name.reverse();
    String::from_utf8(name).expect("ASCII letters")
}

fn repeat(open: &str, times: usize, inner: &str) -> Vec<u8> {
    let mut body = open.repeat(times);
    body.push_str(inner);
    body.into_bytes()
}

/// `open`, then `len` bytes of words without punctuation, then `close`.
fn wrap(open: &str, len: usize, close: &str) -> Vec<u8> {
    let mut body = String::from(open);
    body.push_str(&WORDS.repeat(len / WORDS.len()));
    body.push_str(close);
    body.into_bytes()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    match std::env::args().nth(1) {
        Some(name) => {
            let case = CASES
                .iter()
                .find(|c| c.name == name)
                .ok_or_else(|| format!("no case {name}"))?;
            println!("{}", run(case)?);
            Ok(())
        }
        None => table(),
    }
}

/// Runs every case in its own process and prints one row per case.
fn table() -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "{:<22} {:>9} {:>10} {:>10}  verdict",
        "case", "time ms", "peak MiB", "extra MiB"
    );
    for case in &CASES {
        let mut child = Command::new(std::env::current_exe()?)
            .arg(case.name)
            .stdout(Stdio::piped())
            .spawn()?;
        let started = Instant::now();
        while child.try_wait()?.is_none() {
            if started.elapsed() > CASE_TIMEOUT {
                child.kill()?;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let output = child.wait_with_output()?;
        let row = String::from_utf8(output.stdout)?;
        let row = row.trim_end();
        if row.is_empty() {
            println!(
                "{:<22} did not finish within {} s ({})",
                case.name,
                CASE_TIMEOUT.as_secs(),
                output.status
            );
        } else {
            println!("{:<22} {row}", case.name);
        }
    }
    Ok(())
}

/// Extracts one case's page and describes the cost and the outcome.
fn run(case: &Case) -> Result<String, Box<dyn std::error::Error>> {
    let body = (case.body)();
    let watch = Watch::default();
    // Resetting the high-water mark leaves the peak to extraction alone.
    std::fs::write("/proc/self/clear_refs", "5")?;
    let before = status_kib("VmRSS")?;
    let started = Instant::now();
    let page = extract(&body, Some(case.content_type), &watch);
    let elapsed = started.elapsed();
    let peak = status_kib("VmHWM")?;
    Ok(format!(
        "{:>9.1} {:>10.1} {:>10.1}  {}",
        elapsed.as_secs_f64() * 1000.0,
        peak as f64 / 1024.0,
        peak.saturating_sub(before) as f64 / 1024.0,
        verdict(&page, body.len())
    ))
}

fn verdict(page: &Page, body_len: usize) -> String {
    if let Some(reason) = page.unread {
        format!("unread: {reason}")
    } else if page.is_document {
        format!("document ({body_len} bytes hashed)")
    } else {
        format!(
            "text {} bytes, title {} chars",
            page.length,
            page.title.as_deref().map_or(0, |t| t.chars().count())
        )
    }
}

/// A `kB` line of `/proc/self/status`.
fn status_kib(field: &str) -> Result<u64, Box<dyn std::error::Error>> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let value = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .ok_or_else(|| format!("no {field} in /proc/self/status"))?;
    Ok(value
        .split_whitespace()
        .next()
        .ok_or("empty value")?
        .parse()?)
}
