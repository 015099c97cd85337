//! `invalid-field-type`: a field salint reads holds a value of the wrong type, the way
//! kubectl types YAML (YAML 1.1 through go-yaml v2: plain `42` is a number, plain `no` a
//! boolean, a quoted `"false"` a string), or a ClusterRoleBinding's ServiceAccount subject
//! has no `namespace`. The API server rejects such an object, so it never exists in the
//! cluster; salint says so rather than guess what was meant, and no other rule judges the
//! object (see [`crate::model::validity`]).

use super::describe::object_phrase;
use super::Emitter;
use crate::model::validity::{JsonType, Problem};

pub fn check(emit: &mut Emitter<'_, '_>) {
    let graph = emit.graph;
    for rejected in &graph.rejected {
        let object = rejected.object;
        for field in &rejected.fields {
            let node = field.node;
            let message = match field.problem {
                Problem::WrongType(expected) => format!(
                    "{} has `{}` set to {}, but it must be {}: the API server rejects the whole object \
                     (kubectl apply fails), so it never exists in the cluster. Write it as {}.",
                    object_phrase(graph, object),
                    field.path,
                    JsonType::of(node).phrase(node),
                    expected.phrase(),
                    expected.phrase(),
                ),
                Problem::SubjectNamespaceRequired => format!(
                    "{} has a ServiceAccount subject without `namespace`: in a ClusterRoleBinding a ServiceAccount \
                     subject must name its namespace (subjects[].namespace: Required value), so the API server rejects \
                     the whole object and it grants nothing to any subject. Add the ServiceAccount's namespace.",
                    object_phrase(graph, object),
                ),
            };
            let suffix = match field.problem {
                Problem::WrongType(_) => "type",
                Problem::SubjectNamespaceRequired => "required",
            };
            emit.report(
                object,
                node.span,
                format!("{}@{suffix}", field.path),
                message,
            );
        }
    }
}
