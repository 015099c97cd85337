//! Commands that show the graph rather than judge it: `salint explain-sa`, `salint who-can`
//! and `salint graph`.
//!
//! They answer the questions a finding raises ("what else can this ServiceAccount do?",
//! "who else can read Secrets?", "how do these objects hang together?") from the same
//! [`Graph`](crate::graph::Graph) and the same matching code ([`crate::permissions`],
//! [`PolicyRule`](crate::model::rbac::PolicyRule)) as the rules, so a command never
//! disagrees with a finding. Each command builds a plain, serialisable answer first and
//! renders it afterwards: the human text and `--format json` are two views of one value.

pub mod args;
pub mod explain_sa;
pub mod graph_render;
pub mod graph_view;
pub mod resources;
pub mod text;
pub mod who_can;

use serde::Serialize;

use crate::graph::Graph;
use crate::source::{FileId, SourceFile, Span};

/// A place in an input file, as shown to users (`path:line`) and written in JSON.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// What every command works on: the graph of the run, and the files to turn spans into
/// lines.
pub struct View<'g, 'a> {
    pub graph: &'g Graph<'a>,
    pub files: &'g [SourceFile],
}

impl View<'_, '_> {
    /// The location of a span, or `None` for the built-in roles, which are in no input file.
    pub fn locate(&self, file: FileId, span: Span) -> Option<Location> {
        let source = self.files.get(file)?;
        let position = source.position(span.start);
        Some(Location {
            file: source.display.clone(),
            line: position.line,
            column: position.column,
        })
    }

    /// The location of an object (its `metadata.name`).
    pub fn locate_object(&self, object: &crate::model::Object) -> Option<Location> {
        self.locate(object.file, object.name_span())
    }
}

/// " (path:line)" or nothing, for human text.
pub fn at(location: &Option<Location>) -> String {
    match location {
        Some(location) => format!(" ({location})"),
        None => String::new(),
    }
}
