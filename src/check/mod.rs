//! Checking links: the HTTP client, the scheduler, and how network evidence becomes a status.

pub mod archive;
pub mod classify;
pub mod engine;
pub mod fetch;
pub mod http;
mod moves;
mod resolve;

pub use classify::classify;
pub use engine::{
    Cancel, CheckConfig, Engine, EngineError, HostAnswer, PrivateAddresses, Request, RunStats,
};
pub use fetch::{Failure, FailureKind, Fetch, Hop};
