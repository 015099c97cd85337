//! `cluster-admin-binding`: bindings that hand out cluster-admin, by name, by an
//! equivalent role, or through the `system:masters` group.

use super::describe::{namespace_phrase, object_phrase, short_list, subject_phrase};
use super::{RuleContext, RuleOptions};
use crate::authz::is_cluster_admin_equivalent;
use crate::authz::subjects::MASTERS_GROUP;
use crate::config::{ConfigError, RuleOption, Setting, ShownOption};
use crate::model::rbac::{Binding, Subject, SubjectKind};

/// `rules: {cluster-admin-binding: {allowed-subjects: [KIND:NAME, ...]}}`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Subjects allowed to hold cluster-admin: `Group:NAME`, `User:NAME` or
    /// `ServiceAccount:NAMESPACE/NAME`.
    pub allowed_subjects: Vec<Setting<String>>,
}

impl RuleOptions for Options {
    fn read(options: &[RuleOption]) -> Result<Self, ConfigError> {
        let mut read = Options::default();
        for option in options {
            if option.key == "allowed-subjects" {
                let subjects = option.list()?;
                for subject in subjects {
                    let kind = subject.value.split_once(':').map(|(k, _)| k);
                    if !matches!(kind, Some("Group" | "User" | "ServiceAccount")) {
                        return Err(subject.error(format!(
                            "subject `{}` must be Group:NAME, User:NAME or ServiceAccount:NAMESPACE/NAME",
                            subject.value
                        )));
                    }
                }
                read.allowed_subjects = subjects.iter().map(|t| t.setting()).collect();
            }
        }
        Ok(read)
    }

    fn shown(&self) -> Vec<ShownOption> {
        vec![ShownOption::List {
            key: "allowed-subjects",
            items: self.allowed_subjects.clone(),
        }]
    }
}

pub fn check(ctx: &mut RuleContext<'_, '_>) {
    let graph = ctx.graph;
    let options: Options = ctx.options();
    let cis = ctx.cis_reference();
    // A role of `*` rules is also what CIS 5.1.3 (wildcards) is about.
    let cis_and_wildcards = ctx.cis_reference_with(&["5.1.3"]);
    for binding in &graph.bindings {
        let allowed = |subject: &Subject| {
            let key = subject_key(subject);
            options.allowed_subjects.iter().any(|a| a.value == key)
        };
        let all_allowed = !binding.subjects.is_empty() && binding.subjects.iter().all(allowed);
        let who = object_phrase(graph, binding.object);
        let subjects = subjects_phrase(binding);
        let scope = match &binding.namespace {
            Some(ns) => format!(
                "full control of {}, its Secrets and RBAC included",
                namespace_phrase(ns)
            ),
            None => "full control of the whole cluster".to_string(),
        };
        if let Some(role_ref) = binding.role_ref.as_ref().filter(|_| !all_allowed) {
            if role_ref.kind == "ClusterRole" && role_ref.name == "cluster-admin" {
                ctx.report(
                    binding.object,
                    role_ref.name_span,
                    "roleRef",
                    format!(
                        "{who} grants cluster-admin to {subjects}: {scope}. \
                         Bind a role with only the permissions these subjects need{cis}."
                    ),
                );
            } else if let Some((index, role)) = graph.bound_role(binding) {
                let everything = graph
                    .effective_rules(index)
                    .find(|(_, policy_rule)| is_cluster_admin_equivalent(policy_rule));
                if let Some((holder, policy_rule)) = everything {
                    let through = if holder.object.name != role.object.name {
                        format!(" (aggregated from ClusterRole `{}`)", holder.object.name)
                    } else {
                        String::new()
                    };
                    ctx.report(
                        binding.object,
                        role_ref.name_span,
                        "roleRef",
                        format!(
                            "{who} grants {} `{}` to {subjects}, and that role allows every verb on every resource in every API group{through}: \
                             it is cluster-admin under another name, {scope}. Narrow the role's rules to what the subjects need{cis_and_wildcards}.",
                            role.kind(),
                            role.name(),
                        ),
                    )
                    .with_related(
                        holder.object,
                        policy_rule.node.span,
                        format!("{} `{}` grants `*` on `*` here", holder.kind(), holder.name()),
                    );
                }
            }
        }
        for subject in &binding.subjects {
            if subject.kind == SubjectKind::Group
                && subject.name == MASTERS_GROUP
                && !allowed(subject)
            {
                ctx.report(
                    binding.object,
                    subject.name_span,
                    format!("subjects[Group:{MASTERS_GROUP}]"),
                    format!(
                        "{who} names the group `{MASTERS_GROUP}`, the hard-wired superuser group that bypasses RBAC: \
                         its members are cluster-admin whatever the bindings say, and removing a binding cannot revoke it. \
                         Bind a dedicated group to a least-privilege role instead (CIS 5.1.7)."
                    ),
                );
            }
        }
    }
}

fn subjects_phrase(binding: &Binding) -> String {
    let subjects: Vec<String> = binding.subjects.iter().map(subject_phrase).collect();
    if subjects.is_empty() {
        "no subject yet".to_string()
    } else {
        short_list(&subjects, 3)
    }
}

/// A subject as written in `allowed-subjects`: `Group:NAME`, `User:NAME`,
/// `ServiceAccount:NS/NAME`.
fn subject_key(subject: &Subject) -> String {
    match subject.kind {
        SubjectKind::Group => format!("Group:{}", subject.name),
        SubjectKind::User => format!("User:{}", subject.name),
        SubjectKind::ServiceAccount => format!(
            "ServiceAccount:{}/{}",
            subject.namespace.name().unwrap_or(""),
            subject.name
        ),
    }
}
