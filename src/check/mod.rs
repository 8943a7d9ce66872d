//! Checking links: the HTTP client, the scheduler, and how evidence becomes a status.

pub mod outcome;

pub use outcome::{Change, Failure, FailureKind, Fetch, Hop, Outcome, Status};
