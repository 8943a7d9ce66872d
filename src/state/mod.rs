//! The baseline: what each resource looked like when last accepted, saved atomically.
