//! The catalog: its types, loading with source spans, validation, and format-preserving edits.

pub mod diag;
pub mod doc;
pub mod fmt;
pub mod load;
pub mod model;
pub mod schema;
pub mod validate;

pub use diag::{Diagnostic, Severity};
pub use load::{CatalogError, Loaded, load};
pub use model::{
    Audience, Catalog, CatalogFile, Entry, Folder, Kind, Resource, ResourceFile, Watch,
};
