//! YAML with a span on every node, built from saphyr-parser's event stream.
//!
//! salint builds its own small tree (rather than a ready-made one) because it needs the
//! exact byte range of every key and value, control over alias expansion and nesting depth,
//! and each scalar's raw style so it can read booleans the way kubectl (YAML 1.1) does.

mod load;
mod node;
pub mod path;
pub mod prescan;
mod scalar;

pub use load::{
    for_each_document, for_each_in_part, for_each_pruned, load_documents, Document, DuplicateKey,
    LoadError, Stop, LIMITS,
};
pub use node::{Entry, Node, Scalar, ScalarStyle, Value};
pub use scalar::{yaml11_bool, Yaml11Bool};
