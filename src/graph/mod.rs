//! The graph of one run: every object salint reasons about, indexed once, so rules ask
//! questions ("who grants this SA anything?") instead of rescanning objects.

use std::sync::OnceLock;

use foldhash::{HashMap, HashMapExt};

use rayon::prelude::*;

mod access;
mod aggregation;
mod automount;
mod definitions;
pub mod escalation;
mod workload_key;

pub use access::{Match, Reaching, Via};
pub use automount::AutomountSource;
pub use definitions::Duplicate;
pub use workload_key::WorkloadKey;

use aggregation::{resolve_aggregation, twins, RuleSet};
use definitions::latest_definitions;
use workload_key::workload_keys;

use crate::authz::RoleAccess;
use crate::cluster::Cluster;
use crate::model::rbac::{Binding, PolicyRule, Role, SubjectKind};
use crate::model::secret::TokenSecret;
use crate::model::service_account::ServiceAccount;
use crate::model::validity::{self, InvalidField, Rejected};
use crate::model::workload::Workload;
use crate::model::{Namespace, Object};

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
pub(crate) type SubjectIndexes = Vec<(usize, usize)>;

/// A group's subjects, and whether membership is certain for the ServiceAccount asked
/// about.
pub(crate) type GroupSubjects<'g> = (&'g str, &'g SubjectIndexes, bool);

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
    cluster_admin_equivalent: Vec<bool>,
    /// For each role, what its rules give through a ClusterRoleBinding (`[1]`) or a
    /// RoleBinding (`[0]`), worked out the first time a rule asks (see
    /// [`Graph::role_access`]).
    role_access: Vec<[OnceLock<RoleAccess>; 2]>,
    /// For each role, the first role holding the same effective rules (see
    /// [`aggregation::twins`]): what they give is worked out once, for that one.
    rules_twin: Vec<usize>,
    workload_keys: Vec<WorkloadKey>,
    /// ServiceAccount subjects by name, then by the namespace they name: (binding, subject)
    /// indexes.
    sa_subjects: HashMap<&'a str, HashMap<Namespace, SubjectIndexes>>,
    /// Group subjects by group name.
    group_subjects: HashMap<&'a str, Vec<(usize, usize)>>,
    /// The escalation closure, built the first time a rule or command asks (see
    /// [`Graph::escalation`]).
    escalation: OnceLock<escalation::Escalation>,
}

impl<'a> Graph<'a> {
    /// Builds the graph over all objects of a run. `implicit` is the namespace of objects
    /// without `metadata.namespace`.
    pub fn build(objects: &'a [Object], implicit: Namespace) -> Graph<'a> {
        Graph::of(objects.iter().collect(), implicit)
    }

    /// The graph of `cluster`, whose objects are indexes into `objects` (the run's).
    pub fn of_cluster(cluster: &Cluster, objects: &'a [Object]) -> Graph<'a> {
        let members = cluster.objects.iter().map(|&i| &objects[i]).collect();
        Graph::of(members, cluster.implicit.clone())
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
        let roles = count(|m| matches!(m, Modelled::Role(_)))
            + crate::model::builtin::builtin_objects().len();
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
            cluster_admin_equivalent: Vec::new(),
            role_access: Vec::new(),
            rules_twin: Vec::new(),
            workload_keys: Vec::new(),
            sa_subjects: HashMap::new(),
            group_subjects: HashMap::new(),
            escalation: OnceLock::new(),
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
        graph.rules_twin = twins(&graph.rule_sets);
        graph.cluster_admin_equivalent = (0..graph.roles.len())
            .map(|role| {
                graph
                    .effective_rules(role)
                    .any(|(_, policy_rule)| crate::authz::is_cluster_admin_equivalent(policy_rule))
            })
            .collect();
        graph.role_access = graph.roles.iter().map(|_| Default::default()).collect();
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
        let builtin = crate::model::builtin::builtin_objects();
        for (object, role) in builtin.iter().zip(crate::model::builtin::builtin_roles()) {
            let namespace = object.namespace(&Namespace::Implicit);
            let cluster = object.kind == "ClusterRole";
            let defined = self.roles_named(&object.name).any(|role| {
                role.cluster == cluster && (cluster || role.namespace.as_ref() == Some(&namespace))
            });
            if defined {
                continue;
            }
            if let Some(role) = role.as_ref().map(Role::shared) {
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

    /// The rules role `role` grants, as (role writing the rule, index into its `rules`):
    /// its own, or for an aggregating ClusterRole those the aggregation gives it.
    /// The first role holding the same effective rules as `role` (itself, mostly): what
    /// depends only on those rules is worked out for it.
    pub fn rules_twin(&self, role: usize) -> usize {
        self.rules_twin[role]
    }

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

    /// The workload's identity across controllers (see [`WorkloadKey`]).
    pub fn workload_key(&self, workload: usize) -> &WorkloadKey {
        &self.workload_keys[workload]
    }
}
