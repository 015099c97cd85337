//! The graph of one run: every object salint reasons about, indexed once, so rules ask
//! questions ("who grants this SA anything?") instead of rescanning objects.

use std::collections::HashMap;

use crate::model::rbac::{Binding, PolicyRule, Role, Subject, SubjectKind};
use crate::model::secret::TokenSecret;
use crate::model::service_account::ServiceAccount;
use crate::model::workload::Workload;
use crate::model::{Namespace, Object};
use crate::source::Span;
use crate::yaml::Yaml11Bool;

/// Groups every ServiceAccount belongs to, besides its namespace's group.
pub const ALL_SERVICE_ACCOUNTS_GROUP: &str = "system:serviceaccounts";
pub const AUTHENTICATED_GROUP: &str = "system:authenticated";
/// The group that bypasses RBAC altogether.
pub const MASTERS_GROUP: &str = "system:masters";

/// The identity of a workload across its controllers: the top-most owner found by following
/// `ownerReferences`, so a Deployment, its ReplicaSets and their Pods count as one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkloadKey {
    pub namespace: Namespace,
    pub kind: String,
    pub name: String,
}

/// How a binding reaches a ServiceAccount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via<'a> {
    /// A ServiceAccount subject naming it.
    Name,
    /// A group subject that contains it.
    Group(&'a str),
}

/// One binding subject that grants a ServiceAccount something.
#[derive(Debug, Clone, Copy)]
pub struct Grant<'g, 'a> {
    pub binding: &'g Binding<'a>,
    pub subject: &'g Subject<'a>,
    pub via: Via<'g>,
}

/// Where a workload's effective automount comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutomountSource {
    /// The pod spec's own field, at this span.
    PodSpec(Span),
    /// The ServiceAccount's field (the pod spec sets none).
    ServiceAccount(Span),
    /// Neither sets it: the token is mounted.
    Default,
}

/// Whether a workload's pods get the ServiceAccount token mounted, and why.
#[derive(Debug, Clone, Copy)]
pub struct EffectiveAutomount {
    pub mounted: bool,
    pub source: AutomountSource,
}

pub struct Graph<'a> {
    pub implicit: Namespace,
    pub service_accounts: Vec<ServiceAccount<'a>>,
    pub workloads: Vec<Workload<'a>>,
    pub roles: Vec<Role<'a>>,
    pub bindings: Vec<Binding<'a>>,
    pub token_secrets: Vec<TokenSecret<'a>>,
    service_accounts_by_name: HashMap<&'a str, Vec<usize>>,
    roles_by_name: HashMap<&'a str, Vec<usize>>,
    /// For each role, the roles whose rules it holds: itself, plus for an aggregating
    /// ClusterRole every ClusterRole its selectors reach (transitively).
    rule_sources: Vec<Vec<usize>>,
    workload_keys: Vec<WorkloadKey>,
    /// ServiceAccount subjects by name: (binding, subject) indexes.
    sa_subjects: HashMap<&'a str, Vec<(usize, usize)>>,
    /// Group subjects by group name.
    group_subjects: HashMap<&'a str, Vec<(usize, usize)>>,
}

impl<'a> Graph<'a> {
    /// Builds the graph over all objects of a run. `implicit` is the namespace of objects
    /// without `metadata.namespace`.
    pub fn build(objects: &'a [Object], implicit: Namespace) -> Graph<'a> {
        let mut graph = Graph {
            implicit: implicit.clone(),
            service_accounts: Vec::new(),
            workloads: Vec::new(),
            roles: Vec::new(),
            bindings: Vec::new(),
            token_secrets: Vec::new(),
            service_accounts_by_name: HashMap::new(),
            roles_by_name: HashMap::new(),
            rule_sources: Vec::new(),
            workload_keys: Vec::new(),
            sa_subjects: HashMap::new(),
            group_subjects: HashMap::new(),
        };
        for object in objects {
            let namespace = object.namespace(&implicit);
            if let Some(sa) = ServiceAccount::from_object(object, namespace.clone()) {
                graph
                    .service_accounts_by_name
                    .entry(object.name.as_str())
                    .or_default()
                    .push(graph.service_accounts.len());
                graph.service_accounts.push(sa);
            } else if let Some(workload) = Workload::from_object(object, namespace.clone()) {
                graph.workloads.push(workload);
            } else if let Some(role) = Role::from_object(object, namespace.clone()) {
                graph
                    .roles_by_name
                    .entry(object.name.as_str())
                    .or_default()
                    .push(graph.roles.len());
                graph.roles.push(role);
            } else if let Some(binding) = Binding::from_object(object, namespace.clone()) {
                let index = graph.bindings.len();
                for (s, subject) in binding.subjects.iter().enumerate() {
                    let map = match subject.kind {
                        SubjectKind::ServiceAccount => &mut graph.sa_subjects,
                        SubjectKind::Group => &mut graph.group_subjects,
                        SubjectKind::User => continue,
                    };
                    map.entry(subject.name).or_default().push((index, s));
                }
                graph.bindings.push(binding);
            } else if let Some(secret) = TokenSecret::from_object(object, namespace) {
                graph.token_secrets.push(secret);
            }
        }
        graph.add_builtin_roles();
        graph.rule_sources = resolve_aggregation(&graph.roles);
        graph.workload_keys = workload_keys(&graph.workloads);
        graph
    }

    /// Adds the built-in ClusterRoles the input does not define itself (a `kubectl get`
    /// dump carries them; then the dump's version wins).
    fn add_builtin_roles(&mut self) {
        for object in crate::builtin::builtin_objects() {
            let namespace = object.namespace(&Namespace::Implicit);
            let cluster = object.kind == "ClusterRole";
            let defined = self.roles_named(&object.name).any(|role| {
                role.cluster == cluster && (cluster || role.namespace.as_ref() == Some(&namespace))
            });
            if defined {
                continue;
            }
            if let Some(role) = Role::from_object(object, namespace) {
                self.roles_by_name
                    .entry(object.name.as_str())
                    .or_default()
                    .push(self.roles.len());
                self.roles.push(role);
            }
        }
    }

    /// The ServiceAccount `name` in exactly namespace `namespace`.
    pub fn service_account(
        &self,
        namespace: &Namespace,
        name: &str,
    ) -> Option<&ServiceAccount<'a>> {
        self.service_accounts_named(name)
            .find(|sa| &sa.namespace == namespace)
    }

    /// Every ServiceAccount called `name`, in any namespace.
    pub fn service_accounts_named<'g>(
        &'g self,
        name: &str,
    ) -> impl Iterator<Item = &'g ServiceAccount<'a>> + 'g {
        self.service_accounts_by_name
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .map(|&i| &self.service_accounts[i])
    }

    /// Every Role or ClusterRole called `name`.
    pub fn roles_named<'g>(&'g self, name: &str) -> impl Iterator<Item = &'g Role<'a>> + 'g {
        self.roles_by_name
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .map(|&i| &self.roles[i])
    }

    /// The role a binding's `roleRef` names, when it is in the input. A RoleBinding's Role
    /// must be in the binding's own namespace.
    pub fn bound_role(&self, binding: &Binding<'a>) -> Option<(usize, &Role<'a>)> {
        let role_ref = binding.role_ref.as_ref()?;
        let index = *self.roles_by_name.get(role_ref.name)?.iter().find(|&&i| {
            let role = &self.roles[i];
            match role_ref.kind {
                "ClusterRole" => role.cluster,
                "Role" => !role.cluster && role.namespace == binding.namespace,
                _ => false,
            }
        })?;
        Some((index, &self.roles[index]))
    }

    /// The rules a role grants, including those it aggregates, each with the role that
    /// holds it.
    pub fn effective_rules<'g>(
        &'g self,
        role: usize,
    ) -> impl Iterator<Item = (&'g Role<'a>, &'g PolicyRule<'a>)> + 'g {
        self.rule_sources[role].iter().flat_map(move |&source| {
            let source = &self.roles[source];
            source.rules.iter().map(move |rule| (source, rule))
        })
    }

    /// Every binding subject that reaches the ServiceAccount `name` in `namespace`: by
    /// name (namespaces that may be equal), or through the groups
    /// `system:serviceaccounts`, `system:serviceaccounts:<ns>` and `system:authenticated`.
    /// Sorted by binding order.
    pub fn grants<'g>(&'g self, namespace: &Namespace, name: &str) -> Vec<Grant<'g, 'a>> {
        let mut found = Vec::new();
        for &(b, s) in self.sa_subjects.get(name).map(Vec::as_slice).unwrap_or(&[]) {
            let subject = &self.bindings[b].subjects[s];
            if subject.namespace.may_equal(namespace) {
                found.push((b, s, Via::Name));
            }
        }
        for (group, indexes) in &self.group_subjects {
            let reaches = match *group {
                ALL_SERVICE_ACCOUNTS_GROUP | AUTHENTICATED_GROUP => true,
                other => other
                    .strip_prefix("system:serviceaccounts:")
                    .is_some_and(|ns| Namespace::Named(ns.to_string()).may_equal(namespace)),
            };
            if reaches {
                found.extend(indexes.iter().map(|&(b, s)| (b, s, Via::Group(group))));
            }
        }
        found.sort_by_key(|&(b, s, _)| (b, s));
        found
            .into_iter()
            .map(|(b, s, via)| Grant {
                binding: &self.bindings[b],
                subject: &self.bindings[b].subjects[s],
                via,
            })
            .collect()
    }

    /// The workload's identity across controllers (see [`WorkloadKey`]).
    pub fn workload_key(&self, workload: usize) -> &WorkloadKey {
        &self.workload_keys[workload]
    }

    /// Whether the workload's pods get a token: the pod spec's field wins, else the
    /// ServiceAccount's, else true.
    pub fn effective_automount(&self, workload: &Workload<'a>) -> EffectiveAutomount {
        if let Some(field) = workload.automount {
            return EffectiveAutomount {
                mounted: field.value != Yaml11Bool::False,
                source: AutomountSource::PodSpec(field.span),
            };
        }
        let sa_field = self
            .service_account(&workload.namespace, &workload.service_account)
            .and_then(|sa| sa.automount);
        match sa_field {
            Some(field) => EffectiveAutomount {
                mounted: field.value != Yaml11Bool::False,
                source: AutomountSource::ServiceAccount(field.span),
            },
            None => EffectiveAutomount {
                mounted: true,
                source: AutomountSource::Default,
            },
        }
    }
}

/// For each role, the roles whose rules it carries. Aggregating ClusterRoles collect the
/// ClusterRoles their selectors match, transitively, with a visited set against cycles.
fn resolve_aggregation(roles: &[Role]) -> Vec<Vec<usize>> {
    (0..roles.len())
        .map(|start| {
            let mut sources = vec![start];
            let mut queue = vec![start];
            while let Some(current) = queue.pop() {
                let Some(selectors) = &roles[current].aggregation else {
                    continue;
                };
                for (candidate, role) in roles.iter().enumerate() {
                    if role.cluster
                        && !sources.contains(&candidate)
                        && selectors.iter().any(|s| s.matches(&role.labels))
                    {
                        sources.push(candidate);
                        queue.push(candidate);
                    }
                }
            }
            sources.sort_unstable();
            sources
        })
        .collect()
}

/// Follows each workload's controller chain to the top-most owner. An owner that is not in
/// the input still names the identity (pods of one ReplicaSet are one workload); a
/// ReplicaSet missing from the input whose name is `<deployment>-<pod-template-hash>` maps
/// to that Deployment when it is in the input.
fn workload_keys(workloads: &[Workload]) -> Vec<WorkloadKey> {
    let index: HashMap<(&Namespace, &str, &str), usize> = workloads
        .iter()
        .enumerate()
        .map(|(i, w)| {
            (
                (&w.namespace, w.object.kind.as_str(), w.object.name.as_str()),
                i,
            )
        })
        .collect();
    workloads
        .iter()
        .map(|workload| {
            let mut key = WorkloadKey {
                namespace: workload.namespace.clone(),
                kind: workload.object.kind.clone(),
                name: workload.object.name.clone(),
            };
            let mut current = workload;
            for _ in 0..8 {
                let Some((kind, name)) = &current.controller else {
                    break;
                };
                let (kind, name) = deployment_of_orphan_replica_set(current, kind, name, &index);
                key = WorkloadKey {
                    namespace: workload.namespace.clone(),
                    kind: kind.to_string(),
                    name: name.to_string(),
                };
                match index.get(&(&workload.namespace, kind, name)) {
                    Some(&owner) => current = &workloads[owner],
                    None => break,
                }
            }
            key
        })
        .collect()
}

fn deployment_of_orphan_replica_set<'k>(
    pod: &Workload,
    kind: &'k str,
    name: &'k str,
    index: &HashMap<(&Namespace, &str, &str), usize>,
) -> (&'k str, &'k str) {
    if kind != "ReplicaSet" || index.contains_key(&(&pod.namespace, kind, name)) {
        return (kind, name);
    }
    let hash = pod
        .object
        .meta_map_value("labels", "pod-template-hash")
        .and_then(crate::yaml::Node::as_str);
    let deployment = hash.and_then(|hash| name.strip_suffix(hash)?.strip_suffix('-'));
    match deployment {
        Some(deployment) if index.contains_key(&(&pod.namespace, "Deployment", deployment)) => {
            ("Deployment", deployment)
        }
        _ => (kind, name),
    }
}
