//! Page text: extraction, normalisation, fingerprints, similarity and diffs.
