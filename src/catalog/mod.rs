//! The catalog: its types, loading with source spans, and validation.

pub mod model;
pub mod schema;

pub use model::{Audience, Catalog, CatalogFile, Entry, Folder, Kind, Resource, ResourceFile, Watch};
