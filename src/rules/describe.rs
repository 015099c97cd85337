//! Phrases the rules share, so messages read the same everywhere.

use crate::graph::{Graph, Match, Reaching, Via};
use crate::model::rbac::{Binding, Role, Subject, SubjectKind};
use crate::model::{Namespace, Object, ObjectRef};

/// "namespace `x`", or words for the implicit namespace.
pub fn namespace_phrase(namespace: &Namespace) -> String {
    match namespace {
        Namespace::Named(name) => format!("namespace `{name}`"),
        Namespace::Implicit => "the namespace it is applied to".to_string(),
    }
}

/// `Kind ns/name` for an object.
pub fn object_phrase(graph: &Graph, object: &Object) -> String {
    ObjectRef::of(object, &graph.implicit).to_string()
}

/// A ServiceAccount as `ns/name` (or just `name` in the implicit namespace).
pub fn service_account_phrase(namespace: &Namespace, name: &str) -> String {
    match namespace {
        Namespace::Named(ns) => format!("{ns}/{name}"),
        Namespace::Implicit => name.to_string(),
    }
}

/// What a binding grants: "ClusterRole `view`".
pub fn role_phrase(binding: &Binding) -> String {
    match &binding.role_ref {
        Some(role_ref) => format!("{} `{}`", role_ref.kind, role_ref.name),
        None => "no role".to_string(),
    }
}

pub fn subject_phrase(subject: &Subject) -> String {
    match subject.kind {
        SubjectKind::ServiceAccount => format!(
            "ServiceAccount {}",
            service_account_phrase(&subject.namespace, subject.name)
        ),
        SubjectKind::Group => format!("Group {}", subject.name),
        SubjectKind::User => format!("User {}", subject.name),
    }
}

/// A short list: the first `limit` items, then "and N more".
pub fn short_list(items: &[String], limit: usize) -> String {
    let shown = items
        .iter()
        .take(limit)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > limit {
        format!("{shown} and {} more", items.len() - limit)
    } else {
        shown
    }
}

/// What the grants reaching a ServiceAccount amount to, for messages.
pub fn grants_phrase(grants: &[Reaching]) -> String {
    if grants.is_empty() {
        return "has no permission in the scanned manifests".to_string();
    }
    let mut items: Vec<String> = grants
        .iter()
        .map(|grant| {
            let via = match grant.via {
                Via::Name => String::new(),
                Via::Group(group) => format!(" via group {group}"),
            };
            let scope = match &grant.binding.namespace {
                Some(ns) => format!(" in {}", namespace_phrase(ns)),
                None => " cluster-wide".to_string(),
            };
            format!(
                "{}{scope} ({} {}{via})",
                role_phrase(grant.binding),
                grant.binding.kind(),
                grant.binding.object.name
            )
        })
        .collect();
    // Sorted: the message must not depend on the order the files were read in.
    items.sort();
    items.dedup();
    format!("is granted {}", short_list(&items, 3))
}

/// "ClusterRole `edit` (built in, Kubernetes v1.31)".
pub fn bound_role_phrase(role: &Role) -> String {
    if role.builtin {
        format!(
            "{} `{}` (built in, Kubernetes {})",
            role.kind(),
            role.name(),
            crate::model::builtin::KUBERNETES_VERSION
        )
    } else {
        format!("{} `{}`", role.kind(), role.name())
    }
}

/// "in namespace `shop`" or "in every namespace".
pub fn scope_phrase(binding: &Binding) -> String {
    match &binding.namespace {
        Some(ns) => format!("in {}", namespace_phrase(ns)),
        None => "in every namespace".to_string(),
    }
}

/// The field a subject finding is about: `subjects[Kind:ns/name]`.
pub fn subject_field(subject: &Subject) -> String {
    match subject.kind {
        SubjectKind::ServiceAccount => format!(
            "subjects[ServiceAccount:{}/{}]",
            subject.namespace.name().unwrap_or(""),
            subject.name
        ),
        SubjectKind::Group => format!("subjects[Group:{}]", subject.name),
        SubjectKind::User => format!("subjects[User:{}]", subject.name),
    }
}

/// "`create` on `pods`", with the group when it is not the core group, and the names
/// when `resourceNames` narrows the rule.
pub fn request_phrase(m: &Match) -> String {
    let mut phrase = if m.group.is_empty() {
        format!("`{}` on `{}`", m.verb, m.resource)
    } else {
        format!("`{}` on `{}.{}`", m.verb, m.resource, m.group)
    };
    if m.policy_rule.is_narrowed() {
        let names: Vec<String> = m
            .policy_rule
            .resource_names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect();
        phrase.push_str(&format!(" (only {})", names.join(", ")));
    }
    phrase
}

/// The distinct requests the matches allow, at most four.
pub fn requests_phrase(matches: &[Match]) -> String {
    let mut requests: Vec<String> = Vec::new();
    for m in matches {
        let phrase = request_phrase(m);
        if !requests.contains(&phrase) {
            requests.push(phrase);
        }
    }
    short_list(&requests, 4)
}

pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
