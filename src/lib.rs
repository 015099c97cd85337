//! salint: a linter for Kubernetes manifests that finds ServiceAccount, token and RBAC risks
//! by reading a whole manifest set into one graph.
//!
//! The pipeline reads in one direction: [`discover`] files → [`input`] (read and parse with
//! spans) → [`model`] (typed views of the objects salint cares about) → [`graph`] (indexes
//! built once) → [`rules`] (pure functions of the graph) → [`finding`]s → [`report`].

pub mod authz;
pub mod baseline;
pub mod catalog;
pub mod cli;
pub mod cluster;
pub mod config;
#[doc(hidden)]
pub mod debug_dump;
pub mod discover;
pub mod escape;
pub mod finding;
pub(crate) mod fix;
#[doc(hidden)]
pub mod fuzz;
pub mod graph;
pub mod helm;
pub mod input;
pub mod inspect;
pub mod kustomize;
pub mod lint;
pub mod lsp;
pub mod model;
pub mod output_file;
pub mod process;
pub mod report;
pub mod rules;
pub mod size;
pub mod source;
pub mod suppress;
pub mod yaml;
