//! What the benchmarks share: finding the release `linkwatch` binary, and running a child process
//! measured exactly (wall time, and from `wait4` its CPU time and peak RSS).

// Each example uses part of this module.
#![allow(dead_code)]

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) type BoxError = Box<dyn std::error::Error>;

/// How a measured child process ended.
#[derive(Debug, Clone, Copy)]
pub(crate) enum End {
    Exited(i32),
    Signalled(i32),
    TimedOut,
}

impl fmt::Display for End {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            End::Exited(code) => write!(f, "exit {code}"),
            End::Signalled(signal) => write!(f, "signal {signal}"),
            End::TimedOut => f.write_str("timed out"),
        }
    }
}

/// One measured run of a child process.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Run {
    pub(crate) end: End,
    pub(crate) wall: Duration,
    pub(crate) cpu_user: Duration,
    pub(crate) cpu_sys: Duration,
    pub(crate) peak_rss_kib: u64,
}

impl Run {
    pub(crate) fn cpu(&self) -> Duration {
        self.cpu_user + self.cpu_sys
    }

    pub(crate) fn peak_mib(&self) -> f64 {
        self.peak_rss_kib as f64 / 1024.0
    }
}

/// Runs `command` with stdout and stderr into `dir/stdout.txt` and `dir/stderr.txt`, killing it
/// after `limit`, and reaps it with `wait4` for its resource usage.
pub(crate) fn run_measured(
    command: &mut Command,
    dir: &Path,
    limit: Duration,
) -> Result<Run, BoxError> {
    command
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(dir.join("stdout.txt"))?)
        .stderr(std::fs::File::create(dir.join("stderr.txt"))?);
    let started = Instant::now();
    let child = command.spawn()?;
    let pid = libc::pid_t::try_from(child.id())?;
    let mut timed_out = false;
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: rusage is plain old data, for which all zeroes is a valid value.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let flags = if timed_out { 0 } else { libc::WNOHANG };
        // SAFETY: `pid` is our own child, reaped only here; both pointers are to locals.
        let got = unsafe { libc::wait4(pid, &mut status, flags, &mut usage) };
        if got == pid {
            break (status, usage);
        }
        if got < 0 {
            let error = std::io::Error::last_os_error();
            if error.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(error.into());
        }
        if started.elapsed() >= limit {
            // SAFETY: the child is not reaped yet, so `pid` is still its.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            timed_out = true;
        } else {
            // Polling keeps the wall time exact to a few milliseconds without a reaper thread.
            std::thread::sleep(Duration::from_millis(2));
        }
    };
    let wall = started.elapsed();
    let end = if timed_out {
        End::TimedOut
    } else if libc::WIFEXITED(status) {
        End::Exited(libc::WEXITSTATUS(status))
    } else {
        End::Signalled(libc::WTERMSIG(status))
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.unsigned_abs())
            + Duration::from_micros(t.tv_usec.unsigned_abs())
    };
    Ok(Run {
        end,
        wall,
        cpu_user: time(usage.ru_utime),
        cpu_sys: time(usage.ru_stime),
        // Linux reports ru_maxrss in KiB.
        peak_rss_kib: usage.ru_maxrss.unsigned_abs(),
    })
}

/// The `linkwatch` binary `cargo build --release` put beside this example's directory.
pub(crate) fn linkwatch_exe() -> Result<PathBuf, BoxError> {
    let exe = std::env::current_exe()?;
    let linkwatch = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("cannot find target/release from this example's path")?
        .join("linkwatch");
    if !linkwatch.is_file() {
        return Err(format!(
            "{} is missing: run `cargo build --release` first",
            linkwatch.display()
        )
        .into());
    }
    Ok(linkwatch)
}
