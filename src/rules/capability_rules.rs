//! The permission rules: one finding per binding subject that a dangerous capability
//! reaches (`secrets-access`, `pod-creation`, `pod-exec`, `token-creation`,
//! `privilege-escalation`, `node-proxy`, `control-plane-takeover`). Each finding sits on the
//! subject in the binding, names the role and the request it allows, and points at every
//! rule line that grants it. What counts is defined once, in `crate::permissions`.

use super::describe::{object_phrase, subject_phrase};
use super::Emitter;
use crate::config::Config;
use crate::graph::Graph;
use crate::model::rbac::{Binding, Role, Subject, SubjectKind};
use crate::permissions::{
    grants_everything, is_control_plane_subject, role_capability_matches, Capability, Match,
    CONTROL_PLANE_TAKEOVER, NODE_PROXY, POD_CREATION, POD_EXEC, PRIVILEGE_ESCALATION,
    SECRETS_ACCESS, TOKEN_CREATION,
};

pub fn secrets_access(emit: &mut Emitter<'_, '_>) {
    check(emit, &SECRETS_ACCESS, "CIS 5.1.2");
}

pub fn pod_creation(emit: &mut Emitter<'_, '_>) {
    check(emit, &POD_CREATION, "CIS 5.1.4");
}

pub fn pod_exec(emit: &mut Emitter<'_, '_>) {
    check(emit, &POD_EXEC, "");
}

pub fn token_creation(emit: &mut Emitter<'_, '_>) {
    check(emit, &TOKEN_CREATION, "CIS 5.1.13");
}

pub fn privilege_escalation(emit: &mut Emitter<'_, '_>) {
    check(emit, &PRIVILEGE_ESCALATION, "CIS 5.1.8");
}

pub fn node_proxy(emit: &mut Emitter<'_, '_>) {
    check(emit, &NODE_PROXY, "CIS 5.1.10");
}

pub fn control_plane_takeover(emit: &mut Emitter<'_, '_>) {
    check(emit, &CONTROL_PLANE_TAKEOVER, "CIS 5.1.9, 5.1.11, 5.1.12");
}

/// Bindings the API server creates itself (label `kubernetes.io/bootstrapping:
/// rbac-defaults`), as a `kubectl get` dump shows them: defaults, not choices.
pub fn is_bootstrap_default(binding: &Binding) -> bool {
    binding
        .object
        .meta_map_value("labels", "kubernetes.io/bootstrapping")
        .and_then(crate::yaml::Node::as_str)
        == Some("rbac-defaults")
}

/// Subjects the permission rules judge: ServiceAccounts and the groups that contain them
/// (their credentials sit in pods: a pod compromise becomes their permissions), or with
/// `permission-subjects: all` users and groups of people too; never the control plane's
/// own identities, nor `system:masters` (the core rule's).
pub fn judged_subjects<'b, 'a>(
    binding: &'b Binding<'a>,
    config: &Config,
) -> impl Iterator<Item = &'b Subject<'a>> {
    let all = config.permission_subjects_all.value;
    binding.subjects.iter().filter(move |subject| {
        // `system:masters` is among the control-plane identities (the core rule's).
        !is_control_plane_subject(subject) && (all || reaches_service_accounts(subject))
    })
}

/// A ServiceAccount, or a group every ServiceAccount (of a namespace) is in.
fn reaches_service_accounts(subject: &Subject) -> bool {
    match subject.kind {
        SubjectKind::ServiceAccount => true,
        SubjectKind::User => false,
        SubjectKind::Group => {
            matches!(
                subject.name,
                "system:serviceaccounts" | "system:authenticated"
            ) || subject.name.starts_with("system:serviceaccounts:")
        }
    }
}

/// "ClusterRole `edit` (built in, Kubernetes v1.31)".
pub fn bound_role_phrase(role: &Role) -> String {
    if role.builtin {
        format!(
            "{} `{}` (built in, Kubernetes {})",
            role.kind(),
            role.name(),
            crate::builtin::KUBERNETES_VERSION
        )
    } else {
        format!("{} `{}`", role.kind(), role.name())
    }
}

/// "in namespace `shop`" or "in every namespace".
pub fn scope_phrase(binding: &Binding) -> String {
    match &binding.namespace {
        Some(ns) => format!("in {}", super::describe::namespace_phrase(ns)),
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

/// The bindings the finer permission rules judge, with their role: bindings with
/// subjects, not the API server's own defaults, not cluster-admin in effect (the core rule
/// `cluster-admin-binding` reports those), whose role is in the input.
pub fn judged_bindings<'g, 'a>(
    graph: &'g Graph<'a>,
) -> impl Iterator<Item = (&'g Binding<'a>, usize, &'g Role<'a>)> {
    graph.bindings.iter().filter_map(move |binding| {
        if binding.subjects.is_empty()
            || is_bootstrap_default(binding)
            || grants_everything(graph, binding)
        {
            return None;
        }
        let (index, role) = graph.bound_role(binding)?;
        Some((binding, index, role))
    })
}

fn check(emit: &mut Emitter<'_, '_>, capability: &Capability, cis: &str) {
    let graph = emit.graph;
    for (binding, index, role) in judged_bindings(graph) {
        let matches = role_capability_matches(graph, index, capability, binding.cluster);
        let Some(first) = matches.first() else {
            continue;
        };
        let requests = requests_phrase(&matches);
        let through = match first.holder.name() == role.name() {
            true => String::new(),
            false => format!(" (aggregated from ClusterRole `{}`)", first.holder.name()),
        };
        let cis = if cis.is_empty() {
            String::new()
        } else {
            format!(" ({cis})")
        };
        for subject in judged_subjects(binding, emit.config) {
            let finding = emit.report(
                binding.object,
                subject.name_span,
                subject_field(subject),
                format!(
                    "{} lets {} {} {} through {}{through}: it allows {requests}. {}. \
                     Grant only the verbs and resources the subject needs{cis}.",
                    object_phrase(graph, binding.object),
                    subject_phrase(subject),
                    capability.what,
                    scope_phrase(binding),
                    bound_role_phrase(role),
                    capitalised(capability.why),
                ),
            );
            for m in &matches {
                finding.with_related(
                    m.holder.object,
                    m.rule.span(),
                    format!(
                        "{} `{}` allows {} here",
                        m.holder.kind(),
                        m.holder.name(),
                        m.request_phrase()
                    ),
                );
            }
        }
    }
}

/// The distinct requests the matches allow, at most four.
fn requests_phrase(matches: &[Match]) -> String {
    let mut requests: Vec<String> = Vec::new();
    for m in matches {
        let phrase = m.request_phrase();
        if !requests.contains(&phrase) {
            requests.push(phrase);
        }
    }
    super::describe::short_list(&requests, 4)
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
