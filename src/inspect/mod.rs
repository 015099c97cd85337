//! Commands that show the graph rather than judge it: `salint explain-sa`, `salint who-can`,
//! `salint paths` and `salint graph`.
//!
//! They answer the questions a finding raises ("what else can this ServiceAccount do?",
//! "who else can read Secrets?", "how do these objects hang together?") from the same
//! [`Graph`](crate::graph::Graph) and the same RBAC facts ([`crate::authz`],
//! [`PolicyRule`](crate::model::rbac::PolicyRule)) as the rules, so a command never
//! disagrees with a finding. Each command builds a plain, serialisable answer first and
//! renders it afterwards: the human text and `--format json` are two views of one value.
//! Nothing here reads flags, prints or exits: a question it cannot answer is an
//! [`InspectError`], and `crate::cli` prints the answer or the error and picks the exit
//! code.

mod error;
pub mod explain_sa;
pub mod graph_render;
pub mod graph_view;
pub mod paths;
pub mod text;
pub mod who_can;

use serde::Serialize;

pub use error::InspectError;

use crate::graph::Graph;
use crate::input::Inputs;
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
        write!(f, "{}:{}", crate::escape::text(&self.file), self.line)
    }
}

/// What every command works on: the graph of one cluster, and the run's inputs to turn
/// spans into lines (a span in Kustomize's output into the line of the repository file
/// that wrote it).
pub struct View<'g, 'a> {
    pub graph: &'g Graph<'a>,
    pub inputs: &'g Inputs,
}

impl View<'_, '_> {
    /// The location of a span, or `None` for the built-in roles, which are in no input file.
    pub fn locate(&self, file: FileId, span: Span) -> Option<Location> {
        let (file, span) = match self.inputs.relocate(file, span) {
            Some(relocated) => (relocated.file, relocated.span),
            None => (file, span),
        };
        let source: &SourceFile = self.inputs.files.get(file)?;
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

/// Pretty JSON with a final newline.
pub fn to_json<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("the answer serialises");
    text.push('\n');
    text
}

/// The JSON answers of several clusters as one document:
/// `{"clusters": [{"cluster": NAME, "answer": ...}]}`, in the order given.
pub fn clusters_json(answers: &[(&str, String)]) -> String {
    let clusters: Vec<serde_json::Value> = answers
        .iter()
        .map(|(name, text)| {
            serde_json::json!({
                "cluster": name,
                "answer": serde_json::from_str::<serde_json::Value>(text)
                    .unwrap_or(serde_json::Value::Null),
            })
        })
        .collect();
    to_json(&serde_json::json!({ "clusters": clusters }))
}

/// The text answers of several clusters, each under an `== cluster NAME ==` heading.
pub fn clusters_text(answers: &[(&str, String)]) -> String {
    answers
        .iter()
        .map(|(name, text)| format!("== cluster {name} ==\n\n{text}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Kind, namespace and name of a binding or role, for JSON readers that want the parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectId {
    pub kind: String,
    /// `null` for cluster-scoped objects and the unknown implicit namespace.
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectId {
    pub fn binding(binding: &crate::model::rbac::Binding) -> ObjectId {
        ObjectId {
            kind: binding.kind().to_string(),
            namespace: binding
                .namespace
                .as_ref()
                .and_then(|ns| ns.name().map(str::to_string)),
            name: binding.object.name.clone(),
        }
    }

    pub fn role(role: &crate::model::rbac::Role) -> ObjectId {
        ObjectId {
            kind: role.kind().to_string(),
            namespace: role
                .namespace
                .as_ref()
                .and_then(|ns| ns.name().map(str::to_string)),
            name: role.name().to_string(),
        }
    }
}

/// A policy rule's lists as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleFields {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

impl RuleFields {
    pub fn of(rule: &crate::model::rbac::PolicyRule) -> RuleFields {
        let strings = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        RuleFields {
            verbs: strings(&rule.verbs),
            api_groups: strings(&rule.api_groups),
            resources: strings(&rule.resources),
            resource_names: strings(&rule.resource_names),
            non_resource_urls: strings(&rule.non_resource_urls),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn the_answers_of_several_clusters_go_under_their_names() {
        let text = super::clusters_text(&[("dev", "a\n".into()), ("prod", "b\n".into())]);
        assert_eq!(text, "== cluster dev ==\n\na\n\n== cluster prod ==\n\nb\n");
        let json = super::clusters_json(&[("dev", "{\"x\": 1}\n".into()), ("prod", "{}".into())]);
        assert!(json.ends_with("}\n"));
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            value,
            json!({"clusters": [
                {"cluster": "dev", "answer": {"x": 1}},
                {"cluster": "prod", "answer": {}},
            ]})
        );
    }
}
