//! The graph's access questions, answered with `crate::authz`: which binding subjects reach
//! a ServiceAccount (by name or through a group), what a binding's role gives through its
//! scope (capabilities, wildcard rules, cluster-admin in effect), and one answer to "is
//! this binding dangerous" ([`Graph::dangers`]) for every part of salint that asks.

use super::Graph;
use super::{GroupSubjects, SubjectIndexes};
use crate::authz::subjects::{
    ALL_SERVICE_ACCOUNTS_GROUP, AUTHENTICATED_GROUP, SERVICE_ACCOUNTS_GROUP_PREFIX,
};
use crate::authz::{Capability, RoleAccess, Scope, CAPABILITIES};
use crate::model::rbac::{Binding, PolicyRule, Role, Subject};
use crate::model::Namespace;

/// How a binding reaches a ServiceAccount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via<'a> {
    /// A ServiceAccount subject naming it.
    Name,
    /// A group subject that contains it.
    Group(&'a str),
}

/// One binding subject that reaches a ServiceAccount.
#[derive(Debug, Clone, Copy)]
pub struct Reaching<'g, 'a> {
    pub binding: &'g Binding<'a>,
    pub subject: &'g Subject<'a>,
    pub via: Via<'g>,
    /// Whether it certainly reaches the ServiceAccount: not only because a namespace
    /// that is unknown (objects without one) may turn out to be the same as a known one.
    /// A finding that says an SA holds something rests on certain grants only.
    pub certain: bool,
}

/// One way a role rule gives a capability: the first request of an action it allows.
#[derive(Debug, Clone, Copy)]
pub struct Match<'g, 'a> {
    /// The role that holds the rule (an aggregated one, or the bound role itself).
    pub holder: &'g Role<'a>,
    pub policy_rule: &'g PolicyRule<'a>,
    pub verb: &'static str,
    pub group: &'static str,
    pub resource: &'static str,
}

/// What makes a binding dangerous: cluster-admin in effect, the capabilities its role gives
/// through its scope, rules using `*`.
#[derive(Debug, Clone, Default)]
pub struct Dangers {
    pub cluster_admin: bool,
    /// In the order of [`CAPABILITIES`].
    pub capabilities: Vec<&'static Capability>,
    pub wildcards: bool,
}

impl Dangers {
    /// Cluster-admin in effect, a dangerous capability, or a rule using `*`: what
    /// `powerful-token-mounted` reports a mounted token for (a `*` grows with every new
    /// resource and verb, so it counts even where today it reaches only ConfigMaps).
    pub fn is_dangerous(&self) -> bool {
        self.cluster_admin || !self.capabilities.is_empty() || self.wildcards
    }
}

impl<'a> Graph<'a> {
    /// Every binding subject that reaches the ServiceAccount `name` in `namespace`: by
    /// name (namespaces that may be equal), or through the groups
    /// `system:serviceaccounts`, `system:serviceaccounts:<ns>` and `system:authenticated`.
    /// Sorted by binding order.
    pub fn bindings_reaching<'g>(
        &'g self,
        namespace: &Namespace,
        name: &str,
    ) -> Vec<Reaching<'g, 'a>> {
        let mut found = Vec::new();
        // By name: subjects naming this namespace or the implicit one; for the implicit
        // namespace, any.
        if let Some(by_namespace) = self.sa_subjects.get(name) {
            let lists: Vec<&SubjectIndexes> = match namespace {
                Namespace::Named(_) => [namespace, &Namespace::Implicit]
                    .into_iter()
                    .filter_map(|ns| by_namespace.get(ns))
                    .collect(),
                Namespace::Implicit => by_namespace.values().collect(),
            };
            for &(b, s) in lists.into_iter().flatten() {
                let certain = self.bindings[b].subjects[s].namespace == *namespace;
                found.push((b, s, Via::Name, certain));
            }
        }
        // Through groups: looked up by name, not by scanning every group of the run (which
        // grew with the square of the namespaces).
        let mut groups: Vec<GroupSubjects<'g>> = [ALL_SERVICE_ACCOUNTS_GROUP, AUTHENTICATED_GROUP]
            .into_iter()
            .filter_map(|group| self.group_subjects.get_key_value(group))
            .map(|(group, list)| (*group, list, true))
            .collect();
        match namespace {
            Namespace::Named(ns) => {
                let group = format!("{SERVICE_ACCOUNTS_GROUP_PREFIX}{ns}");
                groups.extend(
                    self.group_subjects
                        .get_key_value(group.as_str())
                        .map(|(group, list)| (*group, list, true)),
                );
            }
            Namespace::Implicit => groups.extend(
                self.group_subjects
                    .iter()
                    .filter(|(group, _)| group.starts_with(SERVICE_ACCOUNTS_GROUP_PREFIX))
                    .map(|(group, list)| (*group, list, false)),
            ),
        }
        for (group, indexes, certain) in groups {
            found.extend(
                indexes
                    .iter()
                    .map(|&(b, s)| (b, s, Via::Group(group), certain)),
            );
        }
        found.sort_by_key(|&(b, s, _, _)| (b, s));
        found
            .into_iter()
            .map(|(b, s, via, certain)| Reaching {
                binding: &self.bindings[b],
                subject: &self.bindings[b].subjects[s],
                via,
                certain,
            })
            .collect()
    }

    /// Whether one of the rules role `role` grants (aggregated ones included) is `*` on
    /// `*` in `*`, as cluster-admin's.
    pub fn role_is_cluster_admin_equivalent(&self, role: usize) -> bool {
        self.cluster_admin_equivalent[role]
    }

    /// Whether the binding's role is cluster-admin in effect (`*` on `*` in `*`): the core
    /// rule `cluster-admin-binding` reports those, so the finer rules stay quiet.
    pub fn is_cluster_admin_equivalent(&self, binding: &Binding) -> bool {
        binding
            .role_ref
            .as_ref()
            .is_some_and(|r| r.kind == "ClusterRole" && r.name == "cluster-admin")
            || self
                .bound_role(binding)
                .is_some_and(|(index, _)| self.role_is_cluster_admin_equivalent(index))
    }

    /// What role `role`'s rules give through a binding of the given kind: the capabilities
    /// and the wildcard rules. Worked out once per role and kind, for every rule and
    /// binding that asks: an aggregating ClusterRole holds the rules of every ClusterRole
    /// it selects, and asking per binding grew with the square of the input.
    pub fn role_access(&self, role: usize, cluster_binding: bool) -> &RoleAccess {
        let twin = self.rules_twin(role);
        if twin != role {
            return self.role_access(twin, cluster_binding);
        }
        self.role_access[role][usize::from(cluster_binding)].get_or_init(|| {
            let held: Vec<((usize, usize), &PolicyRule)> = self
                .effective_rule_indexes(role)
                .into_iter()
                .map(|(holder, rule)| ((holder, rule), &self.roles[holder].rules[rule]))
                .collect();
            RoleAccess::of(&held, Scope::of_kind(cluster_binding))
        })
    }

    /// The role a binding grants and all its rules (aggregated ones included).
    pub fn binding_rules<'g>(
        &'g self,
        binding: &Binding<'a>,
    ) -> Option<(&'g Role<'a>, Vec<(&'g Role<'a>, &'g PolicyRule<'a>)>)> {
        let (index, role) = self.bound_role(binding)?;
        Some((role, self.effective_rules(index).collect()))
    }

    /// The rules of a binding's role that give `capability` through its scope, one match
    /// per rule.
    pub fn binding_capability<'g>(
        &'g self,
        binding: &Binding<'a>,
        capability: &Capability,
    ) -> Vec<Match<'g, 'a>> {
        let Some((index, _)) = self.bound_role(binding) else {
            return Vec::new();
        };
        self.role_capability(index, capability, binding.cluster)
    }

    /// The rules of role `role` (aggregated ones included) that give `capability` through a
    /// binding of the given kind, one match per rule. What a binding gets depends only on
    /// these three, so callers judging many bindings of one role can ask once.
    pub fn role_capability<'g>(
        &'g self,
        role: usize,
        capability: &Capability,
        cluster_binding: bool,
    ) -> Vec<Match<'g, 'a>> {
        self.role_access(role, cluster_binding)
            .capability(capability)
            .iter()
            .map(|at| {
                let holder = &self.roles[at.holder];
                Match {
                    holder,
                    policy_rule: &holder.rules[at.rule],
                    verb: at.verb,
                    group: at.group,
                    resource: at.resource,
                }
            })
            .collect()
    }

    /// The rules of role `role` (aggregated ones included) that use `*` in verbs, resources
    /// or apiGroups, with the role holding each.
    pub fn wildcard_rules<'g>(
        &'g self,
        role: usize,
        cluster_binding: bool,
    ) -> Vec<(&'g Role<'a>, &'g PolicyRule<'a>)> {
        self.role_access(role, cluster_binding)
            .wildcards()
            .iter()
            .map(|&(holder, rule)| {
                let holder = &self.roles[holder];
                (holder, &holder.rules[rule])
            })
            .collect()
    }

    /// What makes a binding dangerous; nothing when its role is not in the input.
    pub fn dangers(&self, binding: &Binding<'a>) -> Dangers {
        let Some((index, _)) = self.bound_role(binding) else {
            return Dangers {
                cluster_admin: self.is_cluster_admin_equivalent(binding),
                ..Dangers::default()
            };
        };
        let access = self.role_access(index, binding.cluster);
        Dangers {
            cluster_admin: self.is_cluster_admin_equivalent(binding),
            capabilities: CAPABILITIES
                .iter()
                .copied()
                .filter(|capability| !access.capability(capability).is_empty())
                .collect(),
            wildcards: !access.wildcards().is_empty(),
        }
    }
}
