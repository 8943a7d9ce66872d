//! The `linkwatch` binary: parse arguments, run the command, print the error chain once, exit.

// The library uses the rest of the dependencies; `src/lib.rs` checks them.
#![allow(unused_crate_dependencies)]

mod cli;

// jemalloc, set for a footprint that follows the settings: one arena and small thread caches,
// so that memory one thread frees is reused by the others, and freed pages go back to the
// system within a tenth of a second. glibc's malloc gives each thread an arena of its own, and
// an audit of ~100 KB pages kept 30-40 MiB more of it; see docs/audits.md#memory.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Read by jemalloc as it starts; `_RJEM_MALLOC_CONF` in the environment still overrides it.
#[cfg(all(target_os = "linux", not(target_env = "msvc")))]
#[unsafe(export_name = "_rjem_malloc_conf")]
static MALLOC_CONF: &[u8; 85] =
    b"narenas:1,background_thread:true,dirty_decay_ms:100,muzzy_decay_ms:0,tcache_max:1024\0";

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(exit) => exit.into(),
        Err(err) => {
            if is_broken_pipe(&err) {
                return cli::Exit::Ok.into();
            }
            eprintln!("linkwatch: error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            cli::Exit::Usage.into()
        }
    }
}

/// A closed pipe (`linkwatch export | head`) is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
