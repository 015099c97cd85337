//! `invalid-field-type`: a field salint reads holds a value of the wrong type, the way
//! kubectl types YAML (YAML 1.1 through go-yaml v2: plain `42` is a number, plain `no` a
//! boolean, a quoted `"false"` a string). The API server rejects such an object, so it never
//! exists in the cluster; salint says so rather than guess what was meant.

use super::describe::object_phrase;
use super::Emitter;
use crate::model::workload::projected_token_sources;
use crate::model::Object;
use crate::yaml::{yaml11_bool, Node, ScalarStyle, Value, Yaml11Bool};

/// A value's JSON type after kubectl's YAML-to-JSON conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JsonType {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl JsonType {
    fn of(node: &Node) -> JsonType {
        match &node.value {
            Value::Seq(_) => JsonType::Array,
            Value::Map(_) => JsonType::Object,
            Value::Scalar(scalar) => {
                if scalar.tag.as_deref().is_some_and(|t| t.ends_with(":str"))
                    || scalar.style != ScalarStyle::Plain
                {
                    return JsonType::String;
                }
                if scalar.is_null() {
                    JsonType::Null
                } else if yaml11_bool(node) != Yaml11Bool::NotABool {
                    JsonType::Bool
                } else if is_number(&scalar.text) {
                    JsonType::Number
                } else {
                    JsonType::String
                }
            }
        }
    }

    fn phrase(self, node: &Node) -> String {
        let text = node.as_scalar().map(|s| s.text.to_string());
        match (self, text) {
            (JsonType::Null, _) => "null".to_string(),
            (JsonType::Bool, Some(t)) => format!("the boolean `{t}`"),
            (JsonType::Number, Some(t)) => format!("the number `{t}`"),
            (JsonType::String, Some(t)) => format!("the string \"{t}\""),
            (JsonType::Array, _) => "a list".to_string(),
            (JsonType::Object, _) => "a mapping".to_string(),
            (_, None) => "a value of another type".to_string(),
        }
    }
}

/// Integers (decimal, `0x`, `0o`, leading-zero octal, `_` separators) and floats.
fn is_number(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let body = if body.contains('_') {
        std::borrow::Cow::Owned(body.replace('_', ""))
    } else {
        std::borrow::Cow::Borrowed(body)
    };
    if body.is_empty() {
        return false;
    }
    let hex = body
        .strip_prefix("0x")
        .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()));
    let octal = body
        .strip_prefix("0o")
        .is_some_and(|o| !o.is_empty() && o.chars().all(|c| ('0'..='7').contains(&c)));
    hex || octal || body.chars().all(|c| c.is_ascii_digit()) || is_float(&body)
}

fn is_float(text: &str) -> bool {
    matches!(text, ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN")
        || (text.chars().any(|c| c.is_ascii_digit())
            && text.parse::<f64>().is_ok()
            && text
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+')))
}

/// What a field must hold.
#[derive(Debug, Clone, Copy)]
enum Expected {
    String,
    Bool,
    Integer,
    List,
    Mapping,
}

impl Expected {
    fn accepts(self, found: JsonType) -> bool {
        found == JsonType::Null
            || matches!(
                (self, found),
                (Expected::String, JsonType::String)
                    | (Expected::Bool, JsonType::Bool)
                    | (Expected::Integer, JsonType::Number)
                    | (Expected::List, JsonType::Array)
                    | (Expected::Mapping, JsonType::Object)
            )
    }

    fn phrase(self) -> &'static str {
        match self {
            Expected::String => "a string",
            Expected::Bool => "a boolean (`true` or `false`, unquoted)",
            Expected::Integer => "a whole number",
            Expected::List => "a list",
            Expected::Mapping => "a mapping",
        }
    }
}

pub fn check(emit: &mut Emitter<'_, '_>) {
    let graph = emit.graph;
    let mut found: Vec<Problem> = Vec::new();
    for workload in &graph.workloads {
        let spec = workload.pod_spec;
        add(
            &mut found,
            workload.object,
            spec.get("serviceAccountName"),
            "serviceAccountName",
            Expected::String,
        );
        add(
            &mut found,
            workload.object,
            spec.get("serviceAccount"),
            "serviceAccount",
            Expected::String,
        );
        add(
            &mut found,
            workload.object,
            spec.get("automountServiceAccountToken"),
            "automountServiceAccountToken",
            Expected::Bool,
        );
        for token in projected_token_sources(spec) {
            add(
                &mut found,
                workload.object,
                token.value.get("expirationSeconds"),
                "serviceAccountToken.expirationSeconds",
                Expected::Integer,
            );
        }
    }
    for account in &graph.service_accounts {
        add(
            &mut found,
            account.object,
            account.object.root.get("automountServiceAccountToken"),
            "automountServiceAccountToken",
            Expected::Bool,
        );
    }
    for role in graph.roles.iter().filter(|r| !r.builtin) {
        let rules = role.object.root.get("rules");
        add(&mut found, role.object, rules, "rules", Expected::List);
        for rule in rules.and_then(Node::as_seq).unwrap_or(&[]) {
            if !Expected::Mapping.accepts(JsonType::of(rule)) {
                add(
                    &mut found,
                    role.object,
                    Some(rule),
                    "rules[]",
                    Expected::Mapping,
                );
                continue;
            }
            for key in [
                "apiGroups",
                "resources",
                "verbs",
                "resourceNames",
                "nonResourceURLs",
            ] {
                let list = rule.get(key);
                add(&mut found, role.object, list, key, Expected::List);
                for item in list.and_then(Node::as_seq).unwrap_or(&[]) {
                    add(
                        &mut found,
                        role.object,
                        Some(item),
                        (key, "[]"),
                        Expected::String,
                    );
                }
            }
        }
    }
    for binding in &graph.bindings {
        let root = &binding.object.root;
        let role_ref = root.get("roleRef");
        add(
            &mut found,
            binding.object,
            role_ref,
            "roleRef",
            Expected::Mapping,
        );
        for key in ["kind", "name", "apiGroup"] {
            add(
                &mut found,
                binding.object,
                role_ref.and_then(|r| r.get(key)),
                ("roleRef.", key),
                Expected::String,
            );
        }
        let subjects = root.get("subjects");
        add(
            &mut found,
            binding.object,
            subjects,
            "subjects",
            Expected::List,
        );
        for subject in subjects.and_then(Node::as_seq).unwrap_or(&[]) {
            if !Expected::Mapping.accepts(JsonType::of(subject)) {
                add(
                    &mut found,
                    binding.object,
                    Some(subject),
                    "subjects[]",
                    Expected::Mapping,
                );
                continue;
            }
            for key in ["kind", "name", "namespace", "apiGroup"] {
                add(
                    &mut found,
                    binding.object,
                    subject.get(key),
                    ("subjects[].", key),
                    Expected::String,
                );
            }
        }
    }
    for (object, node, path, expected) in found {
        let message = format!(
            "{} has `{path}` set to {}, but it must be {}: the API server rejects the whole object \
             (kubectl apply fails), so it never exists in the cluster. Write it as {}.",
            object_phrase(emit.graph, object),
            JsonType::of(node).phrase(node),
            expected.phrase(),
            expected.phrase(),
        );
        emit.report(object, node.span, format!("{path}@type"), message);
    }
}

type Problem<'x> = (&'x Object, &'x Node, String, Expected);

/// A field's path, in one or two pieces: joined only for a problem (every list item of
/// every role rule is checked, and nearly all are fine).
trait FieldPath {
    fn joined(&self) -> String;
}

impl FieldPath for &str {
    fn joined(&self) -> String {
        self.to_string()
    }
}

impl FieldPath for (&str, &str) {
    fn joined(&self) -> String {
        format!("{}{}", self.0, self.1)
    }
}

/// Records `node` at `path` when it does not have the expected type.
fn add<'x>(
    found: &mut Vec<Problem<'x>>,
    object: &'x Object,
    node: Option<&'x Node>,
    path: impl FieldPath,
    expected: Expected,
) {
    if let Some(node) = node {
        if !expected.accepts(JsonType::of(node)) {
            found.push((object, node, path.joined(), expected));
        }
    }
}
