//! The graph of one run: every object salint reasons about, indexed once, so rules ask
//! questions ("who grants this SA anything?") instead of rescanning objects.

use std::sync::OnceLock;

use foldhash::{HashMap, HashMapExt};

use rayon::prelude::*;

use crate::model::rbac::{Binding, LabelRequirement, PolicyRule, Role, Subject, SubjectKind};
use crate::model::secret::TokenSecret;
use crate::model::service_account::ServiceAccount;
use crate::model::validity::{self, InvalidField, Rejected};
use crate::model::workload::Workload;
use crate::model::{Namespace, Object};
use crate::permissions::RoleGrants;
use crate::source::Span;
use crate::yaml::Yaml11Bool;

/// Groups every ServiceAccount belongs to, besides its namespace's group.
pub const ALL_SERVICE_ACCOUNTS_GROUP: &str = "system:serviceaccounts";
/// The prefix of the group of one namespace's ServiceAccounts.
const SERVICE_ACCOUNTS_GROUP_PREFIX: &str = "system:serviceaccounts:";
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
    /// Whether it certainly reaches the ServiceAccount: not only because a namespace
    /// that is unknown (objects without one) may turn out to be the same as a known one.
    /// A finding that says an SA holds something rests on certain grants only.
    pub certain: bool,
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
    /// A mirror pod (annotation key at this span): the admission plugin leaves it alone.
    MirrorPod(Span),
    /// Every container already mounts a volume at the token path (the first `mountPath`
    /// here): the admission plugin adds no token.
    PathTaken(Span),
    /// The pod spec mounts a projected `kube-api-access-*` volume at the token path itself
    /// (this `mountPath`), as a pod read back from a cluster does.
    OwnTokenVolume(Span),
}

/// Whether a workload's pods get the ServiceAccount token mounted, and why.
#[derive(Debug, Clone, Copy)]
pub struct EffectiveAutomount {
    pub mounted: bool,
    pub source: AutomountSource,
}

/// What an object is to the graph, read on its own.
enum Modelled<'a> {
    ServiceAccount(ServiceAccount<'a>),
    Workload(Workload<'a>),
    Role(Role<'a>),
    Binding(Binding<'a>),
    TokenSecret(TokenSecret<'a>),
    Rejected(Rejected<'a>),
    Other,
}

impl<'a> Modelled<'a> {
    /// The object's typed view, or [`Modelled::Rejected`] when the API server would reject
    /// it (see [`crate::model::validity`]).
    fn of(object: &'a Object, implicit: &Namespace) -> Modelled<'a> {
        let namespace = &object.namespace(implicit);
        let checked = |fields: Vec<InvalidField<'a>>, modelled: Modelled<'a>| match fields {
            fields if fields.is_empty() => modelled,
            fields => Modelled::Rejected(Rejected {
                object,
                namespace: namespace.clone(),
                fields,
            }),
        };
        if let Some(sa) = ServiceAccount::from_object(object, namespace) {
            checked(
                validity::of_service_account(&sa),
                Modelled::ServiceAccount(sa),
            )
        } else if let Some(workload) = Workload::from_object(object, namespace) {
            checked(
                validity::of_workload(&workload),
                Modelled::Workload(workload),
            )
        } else if let Some(role) = Role::from_object(object, namespace) {
            checked(validity::of_role(&role), Modelled::Role(role))
        } else if let Some(binding) = Binding::from_object(object, namespace) {
            checked(validity::of_binding(&binding), Modelled::Binding(binding))
        } else if let Some(secret) = TokenSecret::from_object(object, namespace) {
            Modelled::TokenSecret(secret)
        } else {
            Modelled::Other
        }
    }
}

/// Binding subjects as (binding, subject) indexes.
type SubjectIndexes = Vec<(usize, usize)>;

/// A group's subjects, and whether membership is certain for the ServiceAccount asked
/// about.
type GroupSubjects<'g> = (&'g str, &'g SubjectIndexes, bool);

/// One object defined twice in a cluster: `kubectl apply` keeps the later definition, so
/// the graph holds only that one.
#[derive(Debug, Clone, Copy)]
pub struct Duplicate<'a> {
    pub earlier: &'a Object,
    pub later: &'a Object,
}

pub struct Graph<'a> {
    pub implicit: Namespace,
    /// Objects defined twice (kind, namespace and name), in input order of the earlier.
    pub duplicates: Vec<Duplicate<'a>>,
    pub service_accounts: Vec<ServiceAccount<'a>>,
    pub workloads: Vec<Workload<'a>>,
    pub roles: Vec<Role<'a>>,
    pub bindings: Vec<Binding<'a>>,
    pub token_secrets: Vec<TokenSecret<'a>>,
    /// Objects the API server would reject (a field of the wrong type, a required one
    /// missing): only `invalid-field-type` judges them, and they grant nothing.
    pub rejected: Vec<Rejected<'a>>,
    service_accounts_by_name: HashMap<&'a str, Vec<usize>>,
    /// The first ServiceAccount of each name and namespace: lookups stay constant when the
    /// same name (`default`) exists in every namespace.
    service_account_at: HashMap<&'a str, HashMap<Namespace, usize>>,
    /// The ServiceAccounts of each namespace, in input order.
    service_accounts_by_namespace: HashMap<Namespace, Vec<usize>>,
    roles_by_name: HashMap<&'a str, Vec<usize>>,
    /// What a `roleRef` resolves to: the first ClusterRole of a name, and the first Role of
    /// a name in each namespace.
    cluster_role_at: HashMap<&'a str, usize>,
    role_at: HashMap<&'a str, HashMap<Namespace, usize>>,
    /// For each role, the rules it holds (see [`RuleSet`]).
    rule_sets: Vec<RuleSet>,
    /// For each role, whether one of its effective rules is `*` on `*` in `*`: every
    /// permission rule asks it of every binding.
    grants_everything: Vec<bool>,
    /// For each role, what its rules give through a ClusterRoleBinding (`[1]`) or a
    /// RoleBinding (`[0]`), worked out the first time a rule asks (see
    /// [`Graph::role_grants`]).
    role_grants: Vec<[OnceLock<RoleGrants>; 2]>,
    workload_keys: Vec<WorkloadKey>,
    /// ServiceAccount subjects by name, then by the namespace they name: (binding, subject)
    /// indexes.
    sa_subjects: HashMap<&'a str, HashMap<Namespace, SubjectIndexes>>,
    /// Group subjects by group name.
    group_subjects: HashMap<&'a str, Vec<(usize, usize)>>,
}

impl<'a> Graph<'a> {
    /// Builds the graph over all objects of a run. `implicit` is the namespace of objects
    /// without `metadata.namespace`.
    pub fn build(objects: &'a [Object], implicit: Namespace) -> Graph<'a> {
        Graph::of(objects.iter().collect(), implicit)
    }

    /// Builds the graph of one cluster: these objects, in input order. Of an object
    /// defined twice only the later definition counts (see [`Graph::duplicates`]).
    pub fn of(objects: Vec<&'a Object>, implicit: Namespace) -> Graph<'a> {
        let (objects, duplicates) = latest_definitions(objects, &implicit);
        // Reading each object is independent (and most of the work): done in parallel, in
        // order; indexing them is serial, into collections sized once.
        let modelled: Vec<Modelled<'a>> = objects
            .par_iter()
            .map(|object| Modelled::of(object, &implicit))
            .filter(|modelled| !matches!(modelled, Modelled::Other))
            .collect();
        let count = |wanted: fn(&Modelled) -> bool| modelled.iter().filter(|m| wanted(m)).count();
        let accounts = count(|m| matches!(m, Modelled::ServiceAccount(_)));
        let roles =
            count(|m| matches!(m, Modelled::Role(_))) + crate::builtin::builtin_objects().len();
        let mut graph = Graph {
            implicit: implicit.clone(),
            duplicates,
            service_accounts: Vec::with_capacity(accounts),
            workloads: Vec::with_capacity(count(|m| matches!(m, Modelled::Workload(_)))),
            roles: Vec::with_capacity(roles),
            bindings: Vec::with_capacity(count(|m| matches!(m, Modelled::Binding(_)))),
            token_secrets: Vec::new(),
            rejected: Vec::new(),
            service_accounts_by_name: HashMap::with_capacity(accounts),
            service_account_at: HashMap::with_capacity(accounts),
            service_accounts_by_namespace: HashMap::new(),
            roles_by_name: HashMap::with_capacity(roles),
            cluster_role_at: HashMap::new(),
            role_at: HashMap::new(),
            rule_sets: Vec::new(),
            grants_everything: Vec::new(),
            role_grants: Vec::new(),
            workload_keys: Vec::new(),
            sa_subjects: HashMap::new(),
            group_subjects: HashMap::new(),
        };
        for modelled in modelled {
            match modelled {
                Modelled::ServiceAccount(sa) => graph.add_service_account(sa),
                Modelled::Workload(workload) => graph.workloads.push(workload),
                Modelled::Role(role) => graph.add_role(role),
                Modelled::Binding(binding) => graph.add_binding(binding),
                Modelled::TokenSecret(secret) => graph.token_secrets.push(secret),
                Modelled::Rejected(rejected) => graph.rejected.push(rejected),
                Modelled::Other => {}
            }
        }
        graph.add_builtin_roles();
        graph.index_role_refs();
        graph.rule_sets = resolve_aggregation(&graph.roles);
        graph.grants_everything = (0..graph.roles.len())
            .map(|role| {
                graph
                    .effective_rules(role)
                    .any(|(_, rule)| rule.grants_everything())
            })
            .collect();
        graph.role_grants = graph.roles.iter().map(|_| Default::default()).collect();
        graph.workload_keys = workload_keys(&graph.workloads);
        graph
    }

    fn add_service_account(&mut self, sa: ServiceAccount<'a>) {
        let index = self.service_accounts.len();
        let name = sa.object.name.as_str();
        self.service_accounts_by_name
            .entry(name)
            .or_default()
            .push(index);
        self.service_account_at
            .entry(name)
            .or_default()
            .entry(sa.namespace.clone())
            .or_insert(index);
        self.service_accounts_by_namespace
            .entry(sa.namespace.clone())
            .or_default()
            .push(index);
        self.service_accounts.push(sa);
    }

    fn add_role(&mut self, role: Role<'a>) {
        self.roles_by_name
            .entry(role.object.name.as_str())
            .or_default()
            .push(self.roles.len());
        self.roles.push(role);
    }

    /// Adds a binding and indexes its ServiceAccount and group subjects.
    fn add_binding(&mut self, binding: Binding<'a>) {
        let index = self.bindings.len();
        for (s, subject) in binding.subjects.iter().enumerate() {
            match subject.kind {
                SubjectKind::ServiceAccount => self
                    .sa_subjects
                    .entry(subject.name)
                    .or_default()
                    .entry(subject.namespace.clone())
                    .or_default()
                    .push((index, s)),
                SubjectKind::Group => self
                    .group_subjects
                    .entry(subject.name)
                    .or_default()
                    .push((index, s)),
                SubjectKind::User => {}
            }
        }
        self.bindings.push(binding);
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
            if let Some(role) = Role::from_object(object, &namespace) {
                self.roles_by_name
                    .entry(object.name.as_str())
                    .or_default()
                    .push(self.roles.len());
                self.roles.push(role);
            }
        }
    }

    /// Indexes roles for [`Graph::bound_role`], in role order so the first one wins.
    fn index_role_refs(&mut self) {
        for (index, role) in self.roles.iter().enumerate() {
            let name = role.object.name.as_str();
            match &role.namespace {
                _ if role.cluster => {
                    self.cluster_role_at.entry(name).or_insert(index);
                }
                Some(namespace) => {
                    self.role_at
                        .entry(name)
                        .or_default()
                        .entry(namespace.clone())
                        .or_insert(index);
                }
                None => {}
            }
        }
    }

    /// The ServiceAccount `name` in exactly namespace `namespace`.
    pub fn service_account(
        &self,
        namespace: &Namespace,
        name: &str,
    ) -> Option<&ServiceAccount<'a>> {
        let index = *self.service_account_at.get(name)?.get(namespace)?;
        Some(&self.service_accounts[index])
    }

    /// The ServiceAccounts defined in exactly namespace `namespace`, in input order.
    pub fn service_accounts_in<'g>(
        &'g self,
        namespace: &Namespace,
    ) -> impl Iterator<Item = &'g ServiceAccount<'a>> + 'g {
        self.service_accounts_by_namespace
            .get(namespace)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .map(|&i| &self.service_accounts[i])
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

    /// Whether the input has an object of `kind` called `name` (in a namespace that may be
    /// `namespace`, when given) that the API server would reject: a reference to it is not
    /// dangling, the object is invalid (and reported so).
    pub fn rejected_object(&self, kind: &str, name: &str, namespace: Option<&Namespace>) -> bool {
        self.rejected.iter().any(|r| {
            r.object.kind == kind
                && r.object.name == name
                && namespace.is_none_or(|ns| r.namespace.may_equal(ns))
        })
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
        let index = match role_ref.kind {
            "ClusterRole" => *self.cluster_role_at.get(role_ref.name)?,
            "Role" => *self
                .role_at
                .get(role_ref.name)?
                .get(binding.namespace.as_ref()?)?,
            _ => return None,
        };
        Some((index, &self.roles[index]))
    }

    /// Whether one of the rules role `role` grants (aggregated ones included) is `*` on
    /// `*` in `*`, as cluster-admin's.
    pub fn role_grants_everything(&self, role: usize) -> bool {
        self.grants_everything[role]
    }

    /// What role `role`'s rules give through a binding of the given scope: the capabilities
    /// and the wildcard rules. Worked out once per role and scope, for every rule and
    /// binding that asks: an aggregating ClusterRole holds the rules of every ClusterRole
    /// it selects, and asking per binding grew with the square of the input.
    pub fn role_grants(&self, role: usize, cluster_binding: bool) -> &RoleGrants {
        self.role_grants[role][usize::from(cluster_binding)]
            .get_or_init(|| RoleGrants::of(self, role, cluster_binding))
    }

    /// The rules role `role` grants, as (role writing the rule, index into its `rules`):
    /// its own, or for an aggregating ClusterRole those the aggregation gives it.
    pub fn effective_rule_indexes(&self, role: usize) -> Vec<(usize, usize)> {
        match &self.rule_sets[role] {
            RuleSet::Own => (0..self.roles[role].rules.len())
                .map(|rule| (role, rule))
                .collect(),
            RuleSet::Aggregated(rules) => rules.clone(),
        }
    }

    /// The rules a role grants (aggregated ones for an aggregating ClusterRole), each with
    /// the role whose `rules` write it.
    pub fn effective_rules<'g>(
        &'g self,
        role: usize,
    ) -> impl Iterator<Item = (&'g Role<'a>, &'g PolicyRule<'a>)> + 'g {
        let (own, aggregated): (&'g [PolicyRule<'a>], &'g [(usize, usize)]) =
            match &self.rule_sets[role] {
                RuleSet::Own => (&self.roles[role].rules, &[]),
                RuleSet::Aggregated(rules) => (&[], rules),
            };
        let holder = &self.roles[role];
        own.iter()
            .map(move |rule| (holder, rule))
            .chain(aggregated.iter().map(move |&(source, rule)| {
                let source = &self.roles[source];
                (source, &source.rules[rule])
            }))
    }

    /// Every binding subject that reaches the ServiceAccount `name` in `namespace`: by
    /// name (namespaces that may be equal), or through the groups
    /// `system:serviceaccounts`, `system:serviceaccounts:<ns>` and `system:authenticated`.
    /// Sorted by binding order.
    pub fn grants<'g>(&'g self, namespace: &Namespace, name: &str) -> Vec<Grant<'g, 'a>> {
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
            .map(|(b, s, via, certain)| Grant {
                binding: &self.bindings[b],
                subject: &self.bindings[b].subjects[s],
                via,
                certain,
            })
            .collect()
    }

    /// The workload's identity across controllers (see [`WorkloadKey`]).
    pub fn workload_key(&self, workload: usize) -> &WorkloadKey {
        &self.workload_keys[workload]
    }

    /// Whether the workload's pods get the API token mounted, as the ServiceAccount
    /// admission plugin decides it (plugin/pkg/admission/serviceaccount/admission.go): not
    /// for a mirror pod; else automount (the pod spec's field wins, else the
    /// ServiceAccount's, else true) mounts it into each container that mounts nothing at the
    /// token path yet; and a pod spec may mount a `kube-api-access-*` volume itself.
    pub fn effective_automount(&self, workload: &Workload<'a>) -> EffectiveAutomount {
        let facts = &workload.token_mount;
        let own = facts.own_token_mount.map(|span| EffectiveAutomount {
            mounted: true,
            source: AutomountSource::OwnTokenVolume(span),
        });
        if let Some(span) = facts.mirror {
            return own.unwrap_or(EffectiveAutomount {
                mounted: false,
                source: AutomountSource::MirrorPod(span),
            });
        }
        let wanted = self.automount_setting(workload);
        let plugin_mounts = facts.plugin_volume_projected && facts.path_taken < facts.containers;
        match (wanted.mounted, plugin_mounts, own, facts.first_path_taken) {
            (true, true, _, _) | (false, _, None, _) => wanted,
            (_, _, Some(own), _) => own,
            (true, false, None, Some(span)) if facts.path_taken == facts.containers => {
                EffectiveAutomount {
                    mounted: false,
                    source: AutomountSource::PathTaken(span),
                }
            }
            // No container, or the `kube-api-access-*` volume it would reuse holds no token.
            (true, false, None, _) => EffectiveAutomount {
                mounted: false,
                source: wanted.source,
            },
        }
    }

    /// `automountServiceAccountToken` in effect: the pod spec's field wins, else the
    /// ServiceAccount's, else true.
    fn automount_setting(&self, workload: &Workload<'a>) -> EffectiveAutomount {
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

/// The objects without the earlier definitions of an object defined twice (same kind,
/// namespace and name), and those pairs. Unnamed objects (`generateName`) are never the
/// same object.
fn latest_definitions<'a>(
    objects: Vec<&'a Object>,
    implicit: &Namespace,
) -> (Vec<&'a Object>, Vec<Duplicate<'a>>) {
    let mut latest: HashMap<(&str, Option<Namespace>, &str), usize> =
        HashMap::with_capacity(objects.len());
    let mut dropped = vec![false; objects.len()];
    let mut duplicates = Vec::new();
    for (position, object) in objects.iter().enumerate() {
        if object.name.is_empty() {
            continue;
        }
        let namespace = (!object.is_cluster_scoped()).then(|| object.namespace(implicit));
        let key = (object.kind.as_str(), namespace, object.name.as_str());
        if let Some(earlier) = latest.insert(key, position) {
            dropped[earlier] = true;
            duplicates.push(Duplicate {
                earlier: objects[earlier],
                later: object,
            });
        }
    }
    if duplicates.is_empty() {
        return (objects, duplicates);
    }
    let kept = objects
        .into_iter()
        .zip(dropped)
        .filter(|(_, dropped)| !dropped)
        .map(|(object, _)| object)
        .collect();
    (kept, duplicates)
}

/// The rules a role holds.
#[derive(Debug, Clone)]
enum RuleSet {
    /// Its own `rules`.
    Own,
    /// An aggregating ClusterRole's: what the aggregation controller writes into its
    /// `rules`, replacing its own, as (role writing the rule, index into its `rules`).
    Aggregated(Vec<(usize, usize)>),
}

/// The rules of every role after ClusterRole aggregation, as the clusterrole-aggregation
/// controller leaves them (`syncClusterRole` in pkg/controller/clusterroleaggregation/
/// clusterroleaggregation_controller.go): an aggregating ClusterRole's `rules` are replaced
/// by those of the ClusterRoles each selector matches (an empty selector matches every
/// ClusterRole), in selector order and then by role name, skipping itself and rules already
/// taken. The controller redoes a role whenever any ClusterRole changes; here every
/// aggregating role is redone in turn, in input order, until nothing changes (at most 100
/// rounds), which gives what it converges to and the same answer for cycles as the oracle.
/// A role with an invalid selector is left as it is. Candidates come from an index of
/// ClusterRoles by label, so a run with many ClusterRoles does not compare every
/// aggregating role with every role.
fn resolve_aggregation(roles: &[Role]) -> Vec<RuleSet> {
    let mut sets = vec![RuleSet::Own; roles.len()];
    let aggregating: Vec<usize> = (0..roles.len())
        .filter(|&i| {
            roles[i].cluster
                && roles[i]
                    .aggregation
                    .as_ref()
                    .is_some_and(|selectors| selectors.iter().all(|s| s.valid))
        })
        .collect();
    if aggregating.is_empty() {
        return sets;
    }
    let labels = LabelIndex::new(roles);
    let contents = RuleContents::new(roles);
    // Each aggregating role's selected roles, sorted by name per selector: labels never change.
    let selected: Vec<Vec<usize>> = aggregating
        .iter()
        .map(|&role| {
            let mut all = Vec::new();
            for selector in roles[role].aggregation.iter().flatten() {
                let mut matched: Vec<usize> = labels
                    .candidates(&selector.requirements)
                    .iter()
                    .copied()
                    .filter(|&c| {
                        roles[c].object.name != roles[role].object.name
                            && selector.matches(&roles[c].labels)
                    })
                    .collect();
                matched.sort_by(|&a, &b| roles[a].object.name.cmp(&roles[b].object.name));
                all.extend(matched);
            }
            all
        })
        .collect();
    for _round in 0..100 {
        let mut changed = false;
        for (&role, selected) in aggregating.iter().zip(&selected) {
            let mut taken = foldhash::HashSet::default();
            let mut rules = Vec::new();
            let mut take = |holder: usize, rule: usize| {
                if taken.insert(contents.id(holder, rule)) {
                    rules.push((holder, rule));
                }
            };
            for &source in selected {
                match &sets[source] {
                    RuleSet::Own => (0..roles[source].rules.len()).for_each(|r| take(source, r)),
                    RuleSet::Aggregated(held) => held.iter().for_each(|&(h, r)| take(h, r)),
                }
            }
            let same = match &sets[role] {
                RuleSet::Aggregated(current) => contents.same(current, &rules),
                RuleSet::Own => contents.same(
                    &(0..roles[role].rules.len())
                        .map(|rule| (role, rule))
                        .collect::<Vec<_>>(),
                    &rules,
                ),
            };
            if !same {
                sets[role] = RuleSet::Aggregated(rules);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    sets
}

/// Rules by content: two rules with the same lists (in the same order) are one, as
/// `equality.Semantic.DeepEqual` sees them in the aggregation controller.
struct RuleContents {
    /// For each role, the content id of each of its rules.
    ids: Vec<Vec<usize>>,
}

impl RuleContents {
    fn new(roles: &[Role]) -> Self {
        type Lists<'r> = [&'r [&'r str]; 5];
        let mut known: HashMap<Lists, usize> = HashMap::new();
        let ids = roles
            .iter()
            .map(|role| {
                role.rules
                    .iter()
                    .map(|rule| {
                        let lists: Lists = [
                            rule.verbs.as_slice(),
                            rule.api_groups.as_slice(),
                            rule.resources.as_slice(),
                            rule.resource_names.as_slice(),
                            rule.non_resource_urls.as_slice(),
                        ];
                        let next = known.len();
                        *known.entry(lists).or_insert(next)
                    })
                    .collect()
            })
            .collect();
        RuleContents { ids }
    }

    fn id(&self, role: usize, rule: usize) -> usize {
        self.ids[role][rule]
    }

    fn same(&self, a: &[(usize, usize)], b: &[(usize, usize)]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(&(r1, i1), &(r2, i2))| self.id(r1, i1) == self.id(r2, i2))
    }
}

/// ClusterRoles by label key and by key and value, for aggregation.
struct LabelIndex<'r> {
    all: Vec<usize>,
    by_key: HashMap<&'r str, Vec<usize>>,
    by_pair: HashMap<(&'r str, &'r str), Vec<usize>>,
}

impl<'r> LabelIndex<'r> {
    fn new(roles: &'r [Role]) -> Self {
        let mut index = LabelIndex {
            all: Vec::new(),
            by_key: HashMap::new(),
            by_pair: HashMap::new(),
        };
        for (i, role) in roles.iter().enumerate().filter(|(_, r)| r.cluster) {
            index.all.push(i);
            for &(key, value) in &role.labels {
                let keys = index.by_key.entry(key).or_default();
                if keys.last() != Some(&i) {
                    keys.push(i);
                }
                let pairs = index.by_pair.entry((key, value)).or_default();
                if pairs.last() != Some(&i) {
                    pairs.push(i);
                }
            }
        }
        index
    }

    /// ClusterRoles that may meet all `requirements`: those with the label the first
    /// `Equals`, `In` or `Exists` requirement needs, else every ClusterRole.
    fn candidates(&self, requirements: &[LabelRequirement<'r>]) -> &[usize] {
        let narrowed = requirements
            .iter()
            .find_map(|requirement| match requirement {
                LabelRequirement::Equals(key, value) => Some(
                    self.by_pair
                        .get(&(*key, *value))
                        .map_or(&[][..], Vec::as_slice),
                ),
                LabelRequirement::In(key, _) | LabelRequirement::Exists(key) => {
                    Some(self.by_key.get(key).map_or(&[][..], Vec::as_slice))
                }
                LabelRequirement::NotIn(..) | LabelRequirement::DoesNotExist(_) => None,
            });
        narrowed.unwrap_or(&self.all)
    }
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
