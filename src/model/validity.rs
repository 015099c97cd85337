//! Fields the API server would reject. salint types values the way kubectl does (YAML 1.1
//! through go-yaml v2: plain `42` is a number, plain `no` a boolean, a quoted `"false"` a
//! string), and an object with a field of the wrong type among those salint reads, or a
//! required one missing, never exists in the cluster: the API server rejects the whole
//! object (kubectl apply fails). The graph keeps such objects apart ([`Rejected`]), so the
//! rules judge nothing built on a value the cluster would never accept, and
//! `invalid-field-type` reports each field.

use super::rbac::{Binding, Role};
use super::service_account::ServiceAccount;
use super::workload::{projected_token_sources, Workload};
use super::{Namespace, Object};
use crate::yaml::{yaml11_bool, Node, ScalarStyle, Value, Yaml11Bool};

/// A value's JSON type after kubectl's YAML-to-JSON conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl JsonType {
    pub fn of(node: &Node) -> JsonType {
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

    /// "the boolean `off`", "a list".
    pub fn phrase(self, node: &Node) -> String {
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
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

    pub fn phrase(self) -> &'static str {
        match self {
            Expected::String => "a string",
            Expected::Bool => "a boolean (`true` or `false`, unquoted)",
            Expected::Integer => "a whole number",
            Expected::List => "a list",
            Expected::Mapping => "a mapping",
        }
    }
}

/// What is wrong with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// A value of the wrong type.
    WrongType(Expected),
    /// A ClusterRoleBinding's ServiceAccount subject without `namespace`: API validation
    /// requires one (`ValidateRoleBindingSubject` in pkg/apis/rbac/validation/validation.go).
    SubjectNamespaceRequired,
}

/// One field the API server rejects.
#[derive(Debug, Clone)]
pub struct InvalidField<'a> {
    /// The value at fault (for a missing field, the node it is missing from).
    pub node: &'a Node,
    /// The field's path, as findings name it (`serviceAccountName`, `subjects[].name`).
    pub path: String,
    pub problem: Problem,
}

/// An object the API server rejects, kept for `invalid-field-type` (and so that a binding
/// to a rejected role is not called dangling): no other rule judges it.
#[derive(Debug)]
pub struct Rejected<'a> {
    pub object: &'a Object,
    pub namespace: Namespace,
    pub fields: Vec<InvalidField<'a>>,
}

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
fn add<'a>(
    found: &mut Vec<InvalidField<'a>>,
    node: Option<&'a Node>,
    path: impl FieldPath,
    expected: Expected,
) {
    if let Some(node) = node {
        if !expected.accepts(JsonType::of(node)) {
            found.push(InvalidField {
                node,
                path: path.joined(),
                problem: Problem::WrongType(expected),
            });
        }
    }
}

/// The fields of a workload's pod spec that salint reads.
pub fn of_workload<'a>(workload: &Workload<'a>) -> Vec<InvalidField<'a>> {
    let mut found = Vec::new();
    let spec = workload.pod_spec;
    add(
        &mut found,
        spec.get("serviceAccountName"),
        "serviceAccountName",
        Expected::String,
    );
    add(
        &mut found,
        spec.get("serviceAccount"),
        "serviceAccount",
        Expected::String,
    );
    add(
        &mut found,
        spec.get("automountServiceAccountToken"),
        "automountServiceAccountToken",
        Expected::Bool,
    );
    for token in projected_token_sources(spec) {
        add(
            &mut found,
            token.value.get("expirationSeconds"),
            "serviceAccountToken.expirationSeconds",
            Expected::Integer,
        );
    }
    found
}

pub fn of_service_account<'a>(account: &ServiceAccount<'a>) -> Vec<InvalidField<'a>> {
    let mut found = Vec::new();
    add(
        &mut found,
        account.object.root.get("automountServiceAccountToken"),
        "automountServiceAccountToken",
        Expected::Bool,
    );
    found
}

pub fn of_role<'a>(role: &Role<'a>) -> Vec<InvalidField<'a>> {
    let mut found = Vec::new();
    if role.builtin {
        return found;
    }
    let rules = role.object.root.get("rules");
    add(&mut found, rules, "rules", Expected::List);
    for rule in rules.and_then(Node::as_seq).unwrap_or(&[]) {
        if !Expected::Mapping.accepts(JsonType::of(rule)) {
            add(&mut found, Some(rule), "rules[]", Expected::Mapping);
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
            add(&mut found, list, key, Expected::List);
            for item in list.and_then(Node::as_seq).unwrap_or(&[]) {
                add(&mut found, Some(item), (key, "[]"), Expected::String);
            }
        }
    }
    found
}

pub fn of_binding<'a>(binding: &Binding<'a>) -> Vec<InvalidField<'a>> {
    let mut found = Vec::new();
    let root = &binding.object.root;
    let role_ref = root.get("roleRef");
    add(&mut found, role_ref, "roleRef", Expected::Mapping);
    for key in ["kind", "name", "apiGroup"] {
        add(
            &mut found,
            role_ref.and_then(|r| r.get(key)),
            ("roleRef.", key),
            Expected::String,
        );
    }
    let subjects = root.get("subjects");
    add(&mut found, subjects, "subjects", Expected::List);
    for subject in subjects.and_then(Node::as_seq).unwrap_or(&[]) {
        if !Expected::Mapping.accepts(JsonType::of(subject)) {
            add(&mut found, Some(subject), "subjects[]", Expected::Mapping);
            continue;
        }
        for key in ["kind", "name", "namespace", "apiGroup"] {
            add(
                &mut found,
                subject.get(key),
                ("subjects[].", key),
                Expected::String,
            );
        }
        let is_service_account =
            subject.get("kind").and_then(Node::as_str) == Some("ServiceAccount");
        let namespace = subject.get("namespace").and_then(Node::as_str);
        if binding.cluster && is_service_account && namespace.is_none_or(str::is_empty) {
            found.push(InvalidField {
                node: subject.get("name").unwrap_or(subject),
                path: "subjects[].namespace".to_string(),
                problem: Problem::SubjectNamespaceRequired,
            });
        }
    }
    found
}
