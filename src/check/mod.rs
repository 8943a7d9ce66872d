//! Checking links: the HTTP client, the scheduler, and how evidence becomes a status.

pub mod classify;
pub mod engine;
pub mod http;
pub mod audit;
pub mod outcome;

pub use classify::classify;
pub use engine::{Cancel, CheckConfig, Engine, EngineError, Request, RunStats};
pub use outcome::{Change, Failure, FailureKind, Fetch, Hop, Outcome, Status};
