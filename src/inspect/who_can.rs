//! `salint who-can VERB RESOURCE [--namespace NS]`: every binding subject that can make the
//! request, each with its path subject ← binding → role → rule.
//!
//! Matching is the RBAC authorizer's, through [`PolicyRule`]: `*` in verbs, groups and
//! resources, `*/exec` for a subresource of any resource, `pods` not covering `pods/exec`.
//! A rule narrowed by `resourceNames` is shown with the names it allows (it allows no
//! `deletecollection`, nor `create` on a resource itself: those requests carry no object
//! name; `create` on a subresource such as `pods/exec` names the parent and is allowed), and
//! a RoleBinding, which never grants a cluster-scoped resource, still reaches the
//! `namespaces` object of its own namespace (the API server files `/api/v1/namespaces/NS`
//! and `/api/v1/watch/namespaces/NS` under namespace NS), and grants `bind` on ClusterRoles
//! for RoleBindings of its own namespace (the API server checks `bind` in the namespace of
//! the binding being written). `tests/authorizer.rs` holds this
//! to the real authorizer's answers.

use std::collections::BTreeMap;

use serde::Serialize;

use super::text;
use super::{at, Location, ObjectId, RuleFields, View};
use crate::authz::scope::{is_checked_in_namespace, request_allows, scoped_allows_url};
use crate::authz::{Reach, Scope, Target};
use crate::model::rbac::{Binding, PolicyRule, SubjectKind};
use crate::model::Namespace;

/// The answer, as printed by `--format json`.
#[derive(Debug, Serialize)]
pub struct Answer {
    pub verb: String,
    /// The resource as the API server combines it (`pods/exec`); `null` for a URL.
    pub resource: Option<String>,
    pub api_group: Option<String>,
    pub url: Option<String>,
    /// The namespace of the request (`--namespace`), if any.
    pub namespace: Option<String>,
    pub notes: Vec<String>,
    pub subjects: Vec<SubjectPaths>,
    /// With `--transitive`: the identities that reach one of the subjects through an
    /// escalation path, with the shortest path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transitive: Option<Vec<TransitiveSubject>>,
}

#[derive(Debug, Serialize)]
pub struct TransitiveSubject {
    pub subject: String,
    pub steps: u32,
    /// The subject of the answer the path ends at.
    pub through: String,
    pub path: super::paths::PathView,
}

/// Adds the identities that reach a subject of the answer through escalation paths
/// (`--transitive`), sorted as the closure numbers them (by kind, namespace and name).
pub fn add_transitive(view: &View, answer: &mut Answer) {
    use crate::graph::escalation::{Identity, Node};
    let esc = view.graph.escalation();
    let mut sources: Vec<u32> = answer
        .subjects
        .iter()
        .filter_map(|s| {
            let identity = match s.kind {
                "ServiceAccount" => Identity::service_account(
                    &s.namespace
                        .clone()
                        .map_or(Namespace::Implicit, Namespace::Named),
                    &s.name,
                ),
                "Group" => Identity::Group(s.name.clone()),
                _ => Identity::User(s.name.clone()),
            };
            esc.id(&Node::Identity(identity))
        })
        .collect();
    sources.sort_unstable();
    let mut found = Vec::new();
    for (steps, path) in esc.paths_toward(&sources) {
        let Node::Identity(identity) = esc.node(path.start) else {
            continue;
        };
        let path_view = super::paths::path_view_of(view, &path, steps);
        found.push(TransitiveSubject {
            subject: identity.label(),
            steps,
            through: esc.node(path.end).label(),
            path: path_view,
        });
    }
    answer.transitive = Some(found);
}

#[derive(Debug, Serialize)]
pub struct SubjectPaths {
    pub subject: String,
    pub kind: &'static str,
    pub name: String,
    /// A ServiceAccount's namespace, when known.
    pub namespace: Option<String>,
    pub paths: Vec<PathStep>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PathStep {
    pub binding: String,
    pub binding_object: ObjectId,
    pub binding_location: Option<Location>,
    pub scope: String,
    pub role: String,
    pub role_object: ObjectId,
    pub role_builtin: bool,
    pub role_location: Option<Location>,
    pub rule: String,
    pub rule_fields: RuleFields,
    /// The aggregated role holding the rule, when not the bound role itself.
    pub rule_from: Option<String>,
    pub rule_location: Option<Location>,
    /// The only objects the request may name; empty when it may name any.
    pub only: Vec<String>,
}

/// Every subject that can make the request, sorted by subject, then binding and rule.
pub fn who_can(view: &View, verb: &str, target: &Target, namespace: Option<&str>) -> Answer {
    let graph = view.graph;
    let request_namespace = namespace.map(|ns| Namespace::Named(ns.to_string()));
    let mut subjects: BTreeMap<(u8, String, String), SubjectPaths> = BTreeMap::new();
    let mut steps: Vec<(String, usize, &Binding, PathStep)> = Vec::new();
    for binding in &graph.bindings {
        let in_scope = match (&request_namespace, &binding.namespace) {
            (Some(wanted), Some(ns)) => ns.may_equal(wanted),
            _ => true,
        };
        let Some((index, role)) = graph.bound_role(binding).filter(|_| in_scope) else {
            continue;
        };
        for (ordinal, (holder, rule)) in graph.effective_rules(index).enumerate() {
            let Some(only) = allowed(binding, rule, verb, target) else {
                continue;
            };
            let step = PathStep {
                binding: text::binding_label(binding),
                binding_object: ObjectId::binding(binding),
                binding_location: view.locate_object(binding.object),
                scope: text::scope(binding),
                role: text::role_label(role),
                role_object: ObjectId::role(role),
                role_builtin: role.builtin,
                role_location: view.locate_object(role.object),
                rule: text::rule(rule),
                rule_fields: RuleFields::of(rule),
                rule_from: (!std::ptr::eq(holder, role)).then(|| text::role_short(holder)),
                rule_location: view.locate(holder.object.file, rule.span()),
                only,
            };
            steps.push((step.binding.clone(), ordinal, binding, step));
        }
    }
    steps.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    for (_, _, binding, step) in steps {
        for subject in &binding.subjects {
            let (rank, kind) = match subject.kind {
                SubjectKind::ServiceAccount => (0, "ServiceAccount"),
                SubjectKind::Group => (1, "Group"),
                SubjectKind::User => (2, "User"),
            };
            let sa_namespace = match subject.kind {
                SubjectKind::ServiceAccount => subject.namespace.name().map(str::to_string),
                _ => None,
            };
            let key = (
                rank,
                sa_namespace.clone().unwrap_or_default(),
                subject.name.to_string(),
            );
            let entry = subjects.entry(key).or_insert_with(|| SubjectPaths {
                subject: text::subject_label(subject),
                kind,
                name: subject.name.to_string(),
                namespace: sa_namespace,
                paths: Vec::new(),
            });
            if !entry.paths.iter().any(|p| same_step(p, &step)) {
                entry.paths.push(step.clone());
            }
        }
    }
    let (resource, api_group, url, notes) = match target {
        Target::Resource {
            group,
            resource,
            inferred,
            unknown,
        } => {
            let mut notes = Vec::new();
            if *inferred {
                notes.push(format!("`{resource}` read as {resource}.{group}"));
            }
            if is_checked_in_namespace(verb, group, resource) && resource == "clusterroles" {
                notes.push(format!(
                    "`{verb}` on clusterroles is checked in the namespace of the RoleBinding being written: a RoleBinding grants it for RoleBindings of its own namespace"
                ));
            }
            if *unknown {
                notes.push(format!(
                    "`{resource}` is not a built-in resource: read as one of the core API group (write {resource}.GROUP for another group)"
                ));
            }
            (Some(resource.clone()), Some(group.clone()), None, notes)
        }
        Target::Url(url) => (None, None, Some(url.clone()), Vec::new()),
    };
    Answer {
        verb: verb.to_string(),
        resource,
        api_group,
        url,
        namespace: namespace.map(str::to_string),
        notes,
        subjects: subjects.into_values().collect(),
        transitive: None,
    }
}

fn same_step(a: &PathStep, b: &PathStep) -> bool {
    a.binding == b.binding && a.rule_location == b.rule_location && a.rule == b.rule
}

/// Whether `policy_rule`, bound by `binding`, allows the request: `None` if not, else the
/// only object names it allows (empty: any). The authorizer's answer, from
/// [`crate::authz::scope`].
pub fn allowed(
    binding: &Binding,
    policy_rule: &PolicyRule,
    verb: &str,
    target: &Target,
) -> Option<Vec<String>> {
    let scope = Scope::of(binding);
    let (group, resource) = match target {
        Target::Url(url) => {
            return scoped_allows_url(scope, policy_rule, verb, url).then(Vec::new);
        }
        Target::Resource {
            group, resource, ..
        } => (group.as_str(), resource.as_str()),
    };
    Some(
        match request_allows(scope, policy_rule, verb, group, resource)? {
            Reach::Any => Vec::new(),
            Reach::Only(names) => names.iter().map(|n| n.to_string()).collect(),
            Reach::OwnNamespace => vec![match scope {
                Scope::Namespace(Some(ns)) => ns.to_string(),
                _ => "the namespace the binding is applied to".to_string(),
            }],
        },
    )
}

/// The human text.
pub fn render_human(answer: &Answer) -> String {
    let what = match (&answer.url, &answer.resource, &answer.api_group) {
        (Some(url), _, _) => Target::Url(url.clone()).phrase(),
        (None, Some(resource), Some(group)) => Target::Resource {
            group: group.clone(),
            resource: resource.clone(),
            inferred: false,
            unknown: false,
        }
        .phrase(),
        _ => String::new(),
    };
    // Every name is escaped: a manifest's strings must not reach the terminal raw.
    let t = |text: &str| crate::escape::text(text).into_owned();
    let what = t(&what);
    let scope = match &answer.namespace {
        Some(ns) => format!("in namespace {}", t(ns)),
        None => "in any namespace or cluster-wide".to_string(),
    };
    let mut out = String::new();
    for note in &answer.notes {
        out.push_str(&format!("note: {}\n", t(note)));
    }
    out.push_str(&format!("Who can {} {what} {scope}:\n", t(&answer.verb)));
    if answer.subjects.is_empty() {
        out.push_str("\n  nobody in the manifests\n");
    }
    for subject in &answer.subjects {
        out.push_str(&format!("\n{}\n", t(&subject.subject)));
        for path in &subject.paths {
            out.push_str(&format!(
                "  ← {}{}, {}\n",
                t(&path.binding),
                at(&path.binding_location),
                t(&scope_words(&path.scope))
            ));
            out.push_str(&format!(
                "    → {}{}\n",
                t(&path.role),
                at(&path.role_location)
            ));
            let from = match &path.rule_from {
                Some(from) => format!(" [from {}]", t(from)),
                None => String::new(),
            };
            out.push_str(&format!(
                "    → {}{from}{}\n",
                t(&path.rule),
                at(&path.rule_location)
            ));
            if !path.only.is_empty() {
                out.push_str(&format!("      only {}\n", t(&path.only.join(", "))));
            }
        }
    }
    let bindings: std::collections::BTreeSet<&str> = answer
        .subjects
        .iter()
        .flat_map(|s| s.paths.iter().map(|p| p.binding.as_str()))
        .collect();
    out.push_str(&format!(
        "\n{} subject(s) through {} binding(s). Not listed: members of group system:masters, which bypasses RBAC.\n",
        answer.subjects.len(),
        bindings.len()
    ));
    if let Some(transitive) = &answer.transitive {
        out.push_str("\nThrough escalation paths:\n");
        if transitive.is_empty() {
            out.push_str("  nobody more\n");
        }
        for subject in transitive {
            out.push_str(&format!(
                "\n{} (becomes {} in {} step{})\n",
                t(&subject.subject),
                t(&subject.through),
                subject.steps,
                if subject.steps == 1 { "" } else { "s" }
            ));
            out.push_str(&super::paths::render_paths(
                std::slice::from_ref(&subject.path),
                "  ",
            ));
        }
    }
    out
}

fn scope_words(scope: &str) -> String {
    if scope == "cluster-wide" {
        scope.to_string()
    } else {
        format!("in {scope}")
    }
}
