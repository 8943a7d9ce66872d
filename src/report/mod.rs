//! placeholder module map entry
