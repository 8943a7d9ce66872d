//! Closed vocabularies (statuses, kinds, audiences): each word is written once, in the
//! [`vocabulary!`] invocation that defines its enum, and serde, clap, the JSON Schema, parsing and
//! every "did you mean" hint take it from there.

/// The candidate closest to `input`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(input, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A `help` line suggesting the closest candidate, or listing them all when none is close.
pub fn suggestion(input: &str, candidates: &[&str]) -> String {
    match did_you_mean(input, candidates.iter().copied()) {
        Some(c) => format!("did you mean `{c}`?"),
        None => format!("expected one of: {}", candidates.join(", ")),
    }
}

/// Defines a closed vocabulary: an enum whose variants are written with their one spelling.
/// It derives serde (the spelling is the serialised form), `JsonSchema` and `clap::ValueEnum`,
/// and gets `ALL`, `as_str`, `names`, `parse`, `Display` and a `FromStr` whose error says
/// "unknown <what> `x`" with a did-you-mean or the list of valid words.
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, schemars::JsonSchema,
        )]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant, )+
        }

        impl $name {
            /// Every word of the vocabulary, in its canonical order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word as written in catalogs, reports and flags.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// Every word, in order.
            pub fn names() -> Vec<&'static str> {
                Self::ALL.iter().map(|v| v.as_str()).collect()
            }

            /// The variant spelled exactly `s`.
            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<$name, String> {
                let s = s.trim();
                $name::parse(s).ok_or_else(|| {
                    format!(
                        "unknown {} `{s}`: {}",
                        $what,
                        $crate::vocab::suggestion(s, &$name::names())
                    )
                })
            }
        }

        impl clap::ValueEnum for $name {
            fn value_variants<'a>() -> &'a [Self] {
                Self::ALL
            }

            fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
                Some(clap::builder::PossibleValue::new(self.as_str()))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_typos_only() {
        let fields = ["id", "title", "url", "kind", "organization"];
        assert_eq!(did_you_mean("kidn", fields), Some("kind"));
        assert_eq!(did_you_mean("organisation", fields), Some("organization"));
        assert_eq!(did_you_mean("titel", fields), Some("title"));
        assert_eq!(did_you_mean("zzzzzz", fields), None);
        assert_eq!(suggestion("zz", &["a", "b"]), "expected one of: a, b");
        assert_eq!(
            suggestion("fact-shet", &["fact-sheet", "guide"]),
            "did you mean `fact-sheet`?"
        );
    }
}
