//! salint: a linter for Kubernetes manifests that finds ServiceAccount, token and RBAC risks
//! by reading a whole manifest set into one graph.
//!
//! The public surface is small: [`read_inputs`] (or [`read_texts`]) reads manifests into
//! [`Inputs`], [`lint`] / [`lint_with_config`] judge them into [`finding::Finding`]s,
//! [`report`] renders them, [`catalog`] describes the rules, [`config`] is `.salint.yaml`.
//! Everything else is the crate's own; the layers and what each may import are listed in
//! the README ("How it works") and kept by `tests/layers.rs`:
//! discover → input/yaml → model → authz/graph → rules → suppress/baseline → report, with
//! the commands (inspect, lsp, cli) on top.

mod authz;
mod baseline;
pub mod catalog;
mod cli;
mod cluster;
pub mod config;
mod debug_dump;
mod discover;
mod escape;
pub mod finding;
pub(crate) mod fix;
#[doc(hidden)]
pub mod fuzz;
mod graph;
mod helm;
mod input;
mod inspect;
mod kustomize;
mod lint;
mod lsp;
mod model;
mod output_file;
mod process;
pub mod report;
mod rules;
mod size;
mod source;
mod suppress;
mod yaml;

pub use cli::run;
pub use config::Config;
pub use discover::{discover, FileFilter, InputSource};
pub use input::{
    read_inputs, read_inputs_with, read_texts, Inputs, ReadOptions, DEFAULT_MAX_FILE_SIZE,
};
pub use lint::{lint, lint_with_config, LintOptions};
pub use source::{SourceFile, Span};

/// Internals that the integration tests, benchmarks and example programs drive directly
/// (the graph, the inspect answers, the YAML loader). Not a stable interface.
#[doc(hidden)]
pub mod testing {
    pub use crate::authz::Target;
    pub use crate::cli::rules_markdown_table;
    pub use crate::debug_dump::read_values;
    pub use crate::escape::is_unsafe;
    pub use crate::graph::Graph;
    pub use crate::input::read_bytes;
    pub use crate::inspect::explain_sa::explain;
    pub use crate::inspect::who_can::{who_can, Answer};
    pub use crate::inspect::View;
    pub use crate::model::builtin::builtin_objects;
    pub use crate::model::document::{objects_parsing_everything, objects_skipping_unread};
    pub use crate::model::object::KEEP_UNREAD_PARTS;
    pub use crate::model::Namespace;
    pub use crate::yaml::{load_documents, Node};
}
