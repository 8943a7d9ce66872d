//! The integration tests, in one binary so the suite links once: CLI tests run the real
//! `linkwatch` binary on fixture folders, HTTP tests start their own servers on 127.0.0.1.

// Each test module uses part of the dependencies; the library's own use is checked there.
#![allow(unused_crate_dependencies)]
// Test modules share helpers with `pub`; nothing here is an API.
#![allow(unreachable_pub)]

mod common;
mod support;

mod archive;
mod baseline;
mod baseline_cli;
mod check_cli;
mod cli_loop;
mod confirm_and_facts;
mod crash_safety;
mod engine;
mod history;
mod layers;
mod maintenance;
mod messy_web;
mod partial_runs;
mod pdf;
mod pipeline;
mod resolver;
mod scale;
mod schema;
mod shard_cli;
mod sibling_probe;
mod usage;
mod validate;
mod workflow_steps;
