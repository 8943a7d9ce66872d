//! The catalog's serde types: they are the schema (`linkwatch schema` is generated from them).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `catalog/catalog.toml`: the toolkit and its folders.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CatalogFile {
    /// The toolkit's title.
    pub title: String,
    /// Who publishes the toolkit.
    pub publisher: String,
    /// Where the toolkit itself is published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Who to ask about the catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// The folders; each has its resources in `<folder-id>.toml` beside this file.
    #[serde(default, rename = "folder")]
    pub folders: Vec<Folder>,
}

/// One folder of the toolkit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Folder {
    /// Slug: lowercase letters, digits and hyphens; names the file `<id>.toml`.
    #[schemars(regex(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `catalog/<folder-id>.toml`: the resources of one folder.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ResourceFile {
    #[serde(default, rename = "resource")]
    pub resources: Vec<Resource>,
}

/// One outside resource the toolkit links to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Resource {
    /// Slug, unique across the whole catalog.
    #[schemars(regex(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub id: String,
    #[schemars(length(min = 1))]
    pub title: String,
    /// Absolute http or https URL.
    #[schemars(url)]
    pub url: String,
    pub kind: Kind,
    /// Who publishes the resource.
    pub organization: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audience: Vec<Audience>,
    /// Free slugs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// When the resource joined the catalog (a TOML date).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "toml_date_opt"
    )]
    #[schemars(with = "Option<String>", extend("format" = "date"))]
    pub added: Option<jiff::civil::Date>,
    /// When a person last reviewed it (a TOML date, not in the future).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "toml_date_opt"
    )]
    #[schemars(with = "Option<String>", extend("format" = "date"))]
    pub reviewed: Option<jiff::civil::Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watch: Option<Watch>,
}

impl Resource {
    /// A resource with its required fields only: no description, audience, tags, dates or
    /// `watch` settings.
    pub fn new(id: &str, title: &str, url: &str, kind: Kind, organization: &str) -> Resource {
        Resource {
            id: id.to_owned(),
            title: title.to_owned(),
            url: url.to_owned(),
            kind,
            organization: organization.to_owned(),
            description: None,
            audience: Vec::new(),
            tags: Vec::new(),
            added: None,
            reviewed: None,
            watch: None,
        }
    }
}

/// How `check` treats one resource.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Watch {
    /// CSS selector of the part of the page whose changes matter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    /// Regexes of text whose changes never matter.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<String>,
    /// Text the page must keep containing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<String>,
    /// HTTP statuses to treat as healthy (e.g. a bot wall's 403).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accept: Vec<u16>,
    /// Track content changes (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<bool>,
    /// Do not check at all; the reason is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip: Option<String>,
    /// Word-level similarity (0.0–1.0) below which the content counts as changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub threshold: Option<f64>,
}

impl Watch {
    /// Whether content changes are tracked (the default).
    pub fn tracks_content(&self) -> bool {
        self.content.unwrap_or(true)
    }
}

crate::vocabulary! {
    /// What a resource is.
    pub enum Kind ("kind") {
        FactSheet = "fact-sheet",
        Guide = "guide",
        Protocol = "protocol",
        Research = "research",
        Report = "report",
        Training = "training",
        Video = "video",
        Hotline = "hotline",
        Organization = "organization",
        Website = "website",
        Legal = "legal",
        Tool = "tool",
    }
}

crate::vocabulary! {
    /// Who a resource is for.
    pub enum Audience ("audience") {
        Cac = "cac",
        Mdt = "mdt",
        LawEnforcement = "law-enforcement",
        Prosecutor = "prosecutor",
        Medical = "medical",
        MentalHealth = "mental-health",
        ChildWelfare = "child-welfare",
        VictimAdvocate = "victim-advocate",
        Caregiver = "caregiver",
        Educator = "educator",
        Youth = "youth",
    }
}

/// A loaded, valid catalog: the toolkit, its folders, and every resource with its folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    pub meta: CatalogFile,
    pub resources: Vec<Entry>,
}

/// One resource and where it lives.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The folder's id.
    pub folder: String,
    pub resource: Resource,
}

impl Catalog {
    /// The folder with `id`.
    pub fn folder(&self, id: &str) -> Option<&Folder> {
        self.meta.folders.iter().find(|f| f.id == id)
    }
}

/// TOML dates (`2024-05-01`) as `jiff::civil::Date`.
mod toml_date_opt {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(super) fn serialize<S: Serializer>(
        d: &Option<jiff::civil::Date>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => {
                let dt: toml::value::Datetime =
                    d.to_string().parse().map_err(serde::ser::Error::custom)?;
                s.serialize_some(&dt)
            }
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<jiff::civil::Date>, D::Error> {
        let dt = toml::value::Datetime::deserialize(d)?;
        match (dt.date, dt.time, dt.offset) {
            (Some(date), None, None) => {
                jiff::civil::Date::new(date.year as i16, date.month as i8, date.day as i8)
                    .map(Some)
                    .map_err(|e| D::Error::custom(format!("invalid date {dt}: {e}")))
            }
            _ => Err(D::Error::custom(format!(
                "expected a date like 2024-05-01, found {dt}"
            ))),
        }
    }
}
