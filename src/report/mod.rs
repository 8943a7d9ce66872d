//! Report writers: CSV, Markdown and JSON, each writing into `impl Write`.
