//! Words for the objects the inspection commands print, kept in one place so the three
//! commands (and their JSON) name a binding, a role or a rule the same way. Plain text, no
//! Markdown: these go to a terminal or into a picture's labels.

use crate::model::builtin::KUBERNETES_VERSION;
use crate::model::rbac::{Binding, PolicyRule, Role, Subject, SubjectKind};
use crate::model::Namespace;

use crate::authz::is_cluster_scoped;

/// `ns/name`, or `name` alone in the unknown implicit namespace.
pub fn namespaced(namespace: &Namespace, name: &str) -> String {
    namespace.qualify(name)
}

/// `RoleBinding shop/api-edit`, `ClusterRoleBinding admins`.
pub fn binding_label(binding: &Binding) -> String {
    binding.label()
}

/// `ClusterRole edit (built in, Kubernetes v1.31)`, `Role shop/reader`.
pub fn role_label(role: &Role) -> String {
    let name = match &role.namespace {
        Some(ns) => namespaced(ns, role.name()),
        None => role.name().to_string(),
    };
    if role.builtin {
        format!(
            "{} {name} (built in, Kubernetes {KUBERNETES_VERSION})",
            role.kind()
        )
    } else {
        format!("{} {name}", role.kind())
    }
}

/// `ClusterRole view (built in)`: a role named in passing (an aggregated role).
pub fn role_short(role: &Role) -> String {
    let label = format!("{} {}", role.kind(), role.name());
    if role.builtin {
        format!("{label} (built in)")
    } else {
        label
    }
}

/// The role a binding names when it is neither in the input nor built in.
pub fn missing_role_label(binding: &Binding) -> String {
    match &binding.role_ref {
        Some(role_ref) => format!(
            "{} {} (not in the input and not built in: grants nothing known)",
            role_ref.kind, role_ref.name
        ),
        None => "no roleRef".to_string(),
    }
}

/// `ServiceAccount shop/api`, `Group system:serviceaccounts`, `User alice`.
pub fn subject_label(subject: &Subject) -> String {
    match subject.kind {
        SubjectKind::ServiceAccount => format!(
            "ServiceAccount {}",
            namespaced(&subject.namespace, subject.name)
        ),
        SubjectKind::Group => format!("Group {}", subject.name),
        SubjectKind::User => format!("User {}", subject.name),
    }
}

/// Where a binding grants: `namespace shop`, or `cluster-wide`.
pub fn scope(binding: &Binding) -> String {
    match &binding.namespace {
        Some(Namespace::Named(ns)) => format!("namespace {ns}"),
        Some(Namespace::Implicit) => "the namespace it is applied to".to_string(),
        None => "cluster-wide".to_string(),
    }
}

/// API groups as written, `""` as `core`.
pub fn groups(api_groups: &[&str]) -> String {
    let names: Vec<&str> = api_groups
        .iter()
        .map(|g| if g.is_empty() { "core" } else { g })
        .collect();
    names.join(", ")
}

/// `get, list on secrets, configmaps (core)`, `get on /healthz (non-resource URLs)`, with
/// `only named a, b` for a rule narrowed by resourceNames.
pub fn rule(rule: &PolicyRule) -> String {
    let verbs = rule.verbs.join(", ");
    let mut parts = Vec::new();
    if !rule.resources.is_empty() || rule.non_resource_urls.is_empty() {
        let mut text = format!(
            "{verbs} on {} ({})",
            rule.resources.join(", "),
            groups(&rule.api_groups)
        );
        if rule.is_narrowed() {
            text.push_str(&format!(", only named {}", rule.resource_names.join(", ")));
        }
        parts.push(text);
    }
    if !rule.non_resource_urls.is_empty() {
        parts.push(format!(
            "{verbs} on {} (non-resource URLs)",
            rule.non_resource_urls.join(", ")
        ));
    }
    parts.join("; ")
}

/// What a RoleBinding cannot give of this rule: cluster-scoped resources (the
/// `namespaces` object of its own namespace excepted) and non-resource URLs. Empty for
/// ClusterRoleBindings.
pub fn role_binding_limits(binding: &Binding, rule: &PolicyRule) -> Vec<String> {
    if binding.cluster {
        return Vec::new();
    }
    let mut notes = Vec::new();
    let cluster_scoped: Vec<&str> = rule
        .resources
        .iter()
        .filter(|r| {
            rule.api_groups
                .iter()
                .any(|g| *g != "*" && is_cluster_scoped(g, r))
        })
        .copied()
        .collect();
    let (own_namespace, others): (Vec<&str>, Vec<&str>) = cluster_scoped
        .into_iter()
        .partition(|r| r.split('/').next() == Some("namespaces"));
    if !others.is_empty() {
        notes.push(format!(
            "{} cluster-scoped: not granted through a RoleBinding",
            others.join(", ")
        ));
    }
    if !own_namespace.is_empty() {
        let ns = match &binding.namespace {
            Some(Namespace::Named(ns)) => format!("namespace {ns}"),
            _ => "its own namespace".to_string(),
        };
        notes.push(format!(
            "{}: through a RoleBinding only requests on {ns}, no list, create or deletecollection",
            own_namespace.join(", ")
        ));
    }
    if !rule.non_resource_urls.is_empty() {
        notes.push("non-resource URLs: not granted through a RoleBinding".to_string());
    }
    notes
}
