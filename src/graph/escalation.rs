//! Escalation paths: what an identity can *become*, through chains of steps, from the
//! manifests alone.
//!
//! An *identity* is a ServiceAccount (defined, or only referenced, and each namespace's
//! `default`), a User or a Group. A *step* is one way an identity gets what another one
//! holds (the requests behind each are `crate::authz::steps`, matched with the
//! authorizer's own matching): run a pod as any ServiceAccount of a namespace, mint or
//! read its token, enter a running pod that mounts one, impersonate, bind (or rewrite) a
//! role to itself, go through the kubelet (`nodes/proxy`) or through a mutating webhook.
//! Group membership (`system:serviceaccounts[:NS]`, `system:authenticated`) joins an
//! identity to its groups at no cost, as the authorizer does.
//!
//! The closure is a graph over nodes: identities, the roles an identity can grant itself
//! in a place ([`Node::Granted`]), and *hubs* ("every ServiceAccount of namespace N"), so
//! that one `create pods` grant is one edge, not one per ServiceAccount of N (and one `bind`
//! on any Role one edge, not one per Role): its size is linear in identities × steps. Node ids are the sorted order of the nodes' keys (names,
//! never input positions), edges are sorted by their target and evidence, and the
//! shortest path to each capability is a 0-1 breadth-first search backwards from its
//! holders, computed once per run for every identity at once: the same input gives the
//! same paths whatever the file order or thread count.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::OnceLock;

use foldhash::{HashMap, HashMapExt};

use super::Graph;
use crate::authz::steps::{first_allowed, Want, STEP_REQUESTS};
use crate::authz::subjects::{
    ALL_SERVICE_ACCOUNTS_GROUP, AUTHENTICATED_GROUP, MASTERS_GROUP, SERVICE_ACCOUNTS_GROUP_PREFIX,
};
use crate::authz::{Reach, Scope, CAPABILITIES};
use crate::model::rbac::SubjectKind;
use crate::model::Namespace;

/// Who can hold permissions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Identity {
    ServiceAccount { namespace: Namespace, name: String },
    User(String),
    Group(String),
}

impl Identity {
    /// `ServiceAccount ns/name`, `User alice`, `Group devs`.
    pub fn label(&self) -> String {
        match self {
            Identity::ServiceAccount { namespace, name } => match namespace {
                Namespace::Named(ns) => format!("ServiceAccount {ns}/{name}"),
                Namespace::Implicit => format!("ServiceAccount {name}"),
            },
            Identity::User(name) => format!("User {name}"),
            Identity::Group(name) => format!("Group {name}"),
        }
    }

    pub fn service_account(namespace: &Namespace, name: &str) -> Identity {
        Identity::ServiceAccount {
            namespace: namespace.clone(),
            name: name.to_string(),
        }
    }
}

/// Where a grant or a step applies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Place {
    Namespace(Namespace),
    /// A RoleBinding in any namespace of one's choice (not cluster-scoped resources).
    EachNamespace,
    Cluster,
}

impl Place {
    /// "namespace shop", "every namespace", "the whole cluster".
    pub fn phrase(&self) -> String {
        match self {
            Place::Namespace(Namespace::Named(ns)) => format!("namespace {ns}"),
            Place::Namespace(Namespace::Implicit) => "the namespace it is applied to".into(),
            Place::EachNamespace => "any namespace".into(),
            Place::Cluster => "every namespace".into(),
        }
    }

    fn namespace(&self) -> Option<&Namespace> {
        match self {
            Place::Namespace(ns) => Some(ns),
            _ => None,
        }
    }

    /// Whether a request allowed in `self` reaches what is in `inner`.
    fn covers(&self, inner: &Place) -> bool {
        match self {
            Place::Cluster => true,
            Place::EachNamespace => !matches!(inner, Place::Cluster),
            Place::Namespace(_) => self == inner,
        }
    }
}

/// A role by name, as the closure keys it (never by input position).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RoleKey {
    pub cluster: bool,
    pub namespace: Option<Namespace>,
    pub name: String,
}

/// Sets of ServiceAccounts a step reaches at once.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Hub {
    /// Every ServiceAccount of a namespace (`None`: of every namespace).
    ServiceAccounts(Option<Namespace>),
    /// The ServiceAccounts whose token a workload mounts.
    MountedTokens(Option<Namespace>),
    /// The ServiceAccounts with a token Secret in the manifests.
    TokenSecrets(Option<Namespace>),
    Users,
    Groups,
    /// The Roles of a namespace (`None`: of every namespace), each granted in its own
    /// namespace: what `bind` on any Role gives, with a RoleBinding written there. One
    /// edge to it per holder, not one per Role: holders times Roles grew with the square of
    /// a repository.
    Roles(Option<Namespace>),
}

/// A node of the closure.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Node {
    Identity(Identity),
    /// A role an identity can bind to itself (or rewrite), in a place.
    Granted {
        role: RoleKey,
        place: Place,
    },
    Hub(Hub),
}

impl Node {
    pub fn label(&self) -> String {
        match self {
            Node::Identity(identity) => identity.label(),
            Node::Granted { role, place } => {
                let kind = if role.cluster { "ClusterRole" } else { "Role" };
                format!("{kind} {} in {}", role.name, place.phrase())
            }
            Node::Hub(hub) => format!("{hub:?}"),
        }
    }
}

/// What a step is, for its wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StepKind {
    RunAs,
    MintToken,
    ReadToken,
    EnterPod,
    Impersonate,
    GrantItself,
    ThroughNode,
    ThroughAdmission,
}

impl StepKind {
    pub fn name(self) -> &'static str {
        match self {
            StepKind::RunAs => "run-as",
            StepKind::MintToken => "mint-token",
            StepKind::ReadToken => "read-token",
            StepKind::EnterPod => "enter-pod",
            StepKind::Impersonate => "impersonate",
            StepKind::GrantItself => "grant-itself",
            StepKind::ThroughNode => "through-node",
            StepKind::ThroughAdmission => "through-admission",
        }
    }
}

/// A rule that allows a request: the binding that gives it to the step's start (`None`
/// for a role the start granted itself), the bound role, the role writing the rule and
/// the rule's index, and the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowed {
    pub binding: Option<usize>,
    /// The binding's subject that names the start.
    pub subject: Option<usize>,
    pub role: usize,
    pub holder: usize,
    pub rule: usize,
    pub verb: &'static str,
    pub group: &'static str,
    pub resource: &'static str,
}

/// One step's evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub kind: StepKind,
    pub allowed: Allowed,
    /// Where the request applies.
    pub place: Place,
    /// The companion request (`create` on the binding kind for `bind`, `update` on the
    /// role for `escalate`, a user to impersonate for groups).
    pub companion: Option<Box<Allowed>>,
    /// For `escalate`: the role, bound to the step's start, that it rewrites.
    pub rewritten: Option<usize>,
}

/// An edge: a step (weight 1), or group membership and hub expansion (`None`, weight 0).
#[derive(Debug, Clone)]
pub struct Edge {
    pub to: u32,
    pub step: Option<Step>,
}

/// How a node holds a capability directly: through this binding (for an identity) and
/// role; neither for `system:masters`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holding {
    pub binding: Option<usize>,
    pub role: Option<usize>,
}

/// Capability slots: 0 is cluster-admin (in effect, cluster-wide), then
/// [`CAPABILITIES`] in order.
pub const CLUSTER_ADMIN: usize = 0;
pub const SLOTS: usize = 1 + CAPABILITIES.len();

/// A path: the edges from its start, each as (from node, index into its edges).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub start: u32,
    pub edges: Vec<(u32, u32)>,
    pub end: u32,
}

/// One hop of a path as shown: a step from one identity (or granted role) to the next,
/// through hubs; or group membership (`step: None`).
#[derive(Debug, Clone, Copy)]
pub struct Hop<'e> {
    pub from: u32,
    pub to: u32,
    pub step: Option<&'e Step>,
}

/// Shortest paths toward one capability, from every node.
struct Toward {
    distance: Vec<u32>,
    /// The edge (index into the node's edges) the path leaves by; `u32::MAX` at a holder.
    next: Vec<u32>,
}

/// The closure of one graph.
pub struct Escalation {
    nodes: Vec<Node>,
    ids: HashMap<Node, u32>,
    out: Vec<Vec<Edge>>,
    /// For each node, the edges into it: (from, index into `out[from]`).
    into: Vec<Vec<(u32, u32)>>,
    /// For each node, the capabilities it holds directly: (slot, how).
    holds: Vec<Vec<(usize, Holding)>>,
    toward: OnceLock<Vec<Toward>>,
    /// For wording: the first token Secret (by name) of each ServiceAccount, and the first
    /// workload (by kind and name) that mounts its token.
    token_secret_of: HashMap<(Namespace, String), String>,
    workload_of: HashMap<(Namespace, String), String>,
}

const NONE: u32 = u32::MAX;

impl Escalation {
    pub fn node(&self, id: u32) -> &Node {
        &self.nodes[id as usize]
    }

    pub fn id(&self, node: &Node) -> Option<u32> {
        self.ids.get(node).copied()
    }

    pub fn edges(&self, id: u32) -> &[Edge] {
        &self.out[id as usize]
    }

    /// Every node, in id order.
    pub fn nodes(&self) -> impl Iterator<Item = (u32, &Node)> {
        self.nodes.iter().enumerate().map(|(i, n)| (i as u32, n))
    }

    /// How node `id` holds capability `slot` directly, if it does.
    pub fn holding(&self, id: u32, slot: usize) -> Option<Holding> {
        self.holds[id as usize]
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|(_, h)| *h)
    }

    fn toward(&self) -> &[Toward] {
        self.toward
            .get_or_init(|| (0..SLOTS).map(|slot| self.search_toward(slot)).collect())
    }

    /// 0-1 breadth-first search backwards from every holder of `slot`, holders in id
    /// order, edges into a node in (from, edge) order: deterministic.
    fn search_toward(&self, slot: usize) -> Toward {
        let holders = self
            .holds
            .iter()
            .enumerate()
            .filter(|(_, holds)| holds.iter().any(|(s, _)| *s == slot))
            .map(|(id, _)| id as u32);
        self.search_back(holders)
    }

    /// 0-1 breadth-first search backwards from `sources` (in id order).
    fn search_back(&self, sources: impl Iterator<Item = u32>) -> Toward {
        let count = self.nodes.len();
        let mut distance = vec![NONE; count];
        let mut next = vec![NONE; count];
        let mut queue = VecDeque::new();
        for id in sources {
            if distance[id as usize] == NONE {
                distance[id as usize] = 0;
                queue.push_back(id);
            }
        }
        while let Some(v) = queue.pop_front() {
            let here = distance[v as usize];
            for &(u, edge) in &self.into[v as usize] {
                let weight = u32::from(self.out[u as usize][edge as usize].step.is_some());
                if here + weight < distance[u as usize] {
                    distance[u as usize] = here + weight;
                    next[u as usize] = edge;
                    match weight {
                        0 => queue.push_front(u),
                        _ => queue.push_back(u),
                    }
                }
            }
        }
        Toward { distance, next }
    }

    /// The number of steps from `id` to capability `slot` (0: held, through membership
    /// included), and the shortest path there.
    pub fn path_to_capability(&self, id: u32, slot: usize) -> Option<(u32, Path)> {
        self.path_along(&self.toward()[slot], id)
    }

    /// Every node that reaches one of `sources` (sorted ids) through at least one step,
    /// with its shortest path there, in id order.
    pub fn paths_toward(&self, sources: &[u32]) -> Vec<(u32, Path)> {
        let toward = self.search_back(sources.iter().copied());
        (0..self.nodes.len() as u32)
            .filter_map(|id| self.path_along(&toward, id))
            .filter(|(steps, _)| *steps > 0)
            .collect()
    }

    fn path_along(&self, toward: &Toward, id: u32) -> Option<(u32, Path)> {
        let steps = toward.distance[id as usize];
        if steps == NONE {
            return None;
        }
        let mut edges = Vec::new();
        let mut at = id;
        while toward.next[at as usize] != NONE {
            let edge = toward.next[at as usize];
            edges.push((at, edge));
            at = self.out[at as usize][edge as usize].to;
        }
        Some((
            steps,
            Path {
                start: id,
                edges,
                end: at,
            },
        ))
    }

    /// The shortest path from `from` to every node it reaches (itself left out), in id
    /// order of the end: a forward 0-1 breadth-first search, which does not go on past a
    /// holder of cluster-admin.
    pub fn paths_from(&self, from: u32) -> Vec<(u32, Path)> {
        let count = self.nodes.len();
        let mut distance = vec![NONE; count];
        let mut previous: Vec<(u32, u32)> = vec![(NONE, NONE); count];
        let mut queue = VecDeque::from([from]);
        distance[from as usize] = 0;
        while let Some(u) = queue.pop_front() {
            let here = distance[u as usize];
            // Past cluster-admin there is nothing more to become.
            if u != from && self.holding(u, CLUSTER_ADMIN).is_some() {
                continue;
            }
            for (index, edge) in self.out[u as usize].iter().enumerate() {
                let weight = u32::from(edge.step.is_some());
                if here + weight < distance[edge.to as usize] {
                    distance[edge.to as usize] = here + weight;
                    previous[edge.to as usize] = (u, index as u32);
                    match weight {
                        0 => queue.push_front(edge.to),
                        _ => queue.push_back(edge.to),
                    }
                }
            }
        }
        let mut found = Vec::new();
        for end in 0..count as u32 {
            if end == from || distance[end as usize] == NONE {
                continue;
            }
            let mut edges = Vec::new();
            let mut at = end;
            while at != from {
                let (u, index) = previous[at as usize];
                edges.push((u, index));
                at = u;
            }
            edges.reverse();
            found.push((
                distance[end as usize],
                Path {
                    start: from,
                    edges,
                    end,
                },
            ));
        }
        found
    }

    /// The hops of a path as shown: hubs folded into the step that reaches them.
    pub fn hops<'e>(&'e self, path: &Path) -> Vec<Hop<'e>> {
        let mut hops: Vec<Hop<'e>> = Vec::new();
        for &(from, index) in &path.edges {
            let edge = &self.out[from as usize][index as usize];
            let from_hub = matches!(self.nodes[from as usize], Node::Hub(_));
            match (&edge.step, from_hub, hops.last_mut()) {
                (None, true, Some(last)) => last.to = edge.to,
                (step, _, _) => hops.push(Hop {
                    from,
                    to: edge.to,
                    step: step.as_ref(),
                }),
            }
        }
        hops
    }
}

/// A step request a role's rule allows through a binding of one kind.
#[derive(Debug, Clone)]
struct Template {
    want: Want,
    holder: usize,
    rule: usize,
    verb: &'static str,
    group: &'static str,
    resource: &'static str,
    /// `None`: any object; else only these names (`resourceNames`).
    names: Option<Vec<String>>,
}

/// A template as one node holds it: where, through which binding and role.
struct Held<'t> {
    template: &'t Template,
    place: Place,
    binding: Option<(usize, usize)>,
    role: usize,
}

impl Held<'_> {
    fn allowed(&self) -> Allowed {
        Allowed {
            binding: self.binding.map(|(b, _)| b),
            subject: self.binding.map(|(_, s)| s),
            role: self.role,
            holder: self.template.holder,
            rule: self.template.rule,
            verb: self.template.verb,
            group: self.template.group,
            resource: self.template.resource,
        }
    }

    fn admits(&self, name: &str) -> bool {
        self.template
            .names
            .as_ref()
            .is_none_or(|names| names.iter().any(|n| n == name))
    }
}

/// A role grant a node holds: the binding and subject (none for a role granted to itself),
/// the role, and where it applies.
type Grant = (Option<(usize, usize)>, usize, Place);

/// An edge before the nodes are numbered: its target and step (none for weight 0).
type EdgeDraft = (Node, Option<Step>);

/// A node's edges and the capabilities it holds directly.
type Expanded = (Vec<EdgeDraft>, Vec<(usize, Holding)>);

struct Builder<'g, 'a> {
    graph: &'g Graph<'a>,
    grants: BTreeMap<Identity, Vec<(usize, usize)>>,
    service_accounts: BTreeMap<Namespace, BTreeSet<String>>,
    /// ServiceAccounts whose token a workload mounts, and the Pod objects doing so.
    mounted: BTreeMap<Namespace, BTreeSet<String>>,
    pods: BTreeMap<(Namespace, String), String>,
    /// Token Secrets: (namespace, Secret name) → ServiceAccount.
    token_secrets: BTreeMap<(Namespace, String), String>,
    users: BTreeSet<String>,
    groups: BTreeSet<String>,
    role_keys: Vec<RoleKey>,
    role_at: HashMap<RoleKey, usize>,
    /// The namespaced Roles of each namespace (indexes into `role_keys`), for `Hub::Roles`.
    roles_in: BTreeMap<Namespace, Vec<usize>>,
    templates: HashMap<(usize, bool), Vec<Template>>,
    edges: BTreeMap<Node, Vec<EdgeDraft>>,
    holds: BTreeMap<Node, Vec<(usize, Holding)>>,
    pending: Vec<Node>,
}

impl<'a> Graph<'a> {
    /// The escalation closure, built the first time a rule or command asks.
    pub fn escalation(&self) -> &Escalation {
        self.escalation.get_or_init(|| build(self))
    }

    /// Whether any escalation path can take a step: every step is a request a binding
    /// gives (to its subject, or to a group its subject is in), so without a binding no
    /// path has one, and a rule need not build the closure to learn that (most clusters of
    /// a large repository bind nothing).
    pub fn may_have_escalation_paths(&self) -> bool {
        !self.bindings.is_empty()
    }
}

/// The entries of a map keyed by (namespace, name) in namespace `ns`, in key order: a
/// range, not a scan of every namespace's.
fn in_namespace<'m>(
    map: &'m BTreeMap<(Namespace, String), String>,
    ns: &'m Namespace,
) -> impl Iterator<Item = (&'m (Namespace, String), &'m String)> {
    map.range((ns.clone(), String::new())..)
        .take_while(move |((at, _), _)| at == ns)
}

/// The entries of such a map that a request allowed in `place` reaches, in key order.
fn in_place<'m>(
    map: &'m BTreeMap<(Namespace, String), String>,
    place: &'m Place,
) -> Box<dyn Iterator<Item = (&'m (Namespace, String), &'m String)> + 'm> {
    match place.namespace() {
        Some(ns) => Box::new(in_namespace(map, ns)),
        None => Box::new(map.iter()),
    }
}

/// A binding's identity by name, for sorting evidence.
fn binding_sort_key(graph: &Graph, binding: usize) -> (bool, Option<Namespace>, String) {
    let b = &graph.bindings[binding];
    (b.cluster, b.namespace.clone(), b.object.name.clone())
}

fn build(graph: &Graph) -> Escalation {
    let mut b = Builder {
        graph,
        grants: BTreeMap::new(),
        service_accounts: BTreeMap::new(),
        mounted: BTreeMap::new(),
        pods: BTreeMap::new(),
        token_secrets: BTreeMap::new(),
        users: BTreeSet::new(),
        groups: BTreeSet::new(),
        role_keys: Vec::with_capacity(graph.roles.len()),
        role_at: HashMap::with_capacity(graph.roles.len()),
        roles_in: BTreeMap::new(),
        templates: HashMap::new(),
        edges: BTreeMap::new(),
        holds: BTreeMap::new(),
        pending: Vec::new(),
    };
    b.collect();
    let identities: Vec<Identity> = b
        .service_accounts
        .iter()
        .flat_map(|(ns, names)| names.iter().map(|n| Identity::service_account(ns, n)))
        .chain(b.users.iter().cloned().map(Identity::User))
        .chain(b.groups.iter().cloned().map(Identity::Group))
        .collect();
    for identity in identities {
        b.pending.push(Node::Identity(identity));
    }
    while let Some(node) = b.pending.pop() {
        if b.edges.contains_key(&node) {
            continue;
        }
        let (edges, holds) = b.expand(&node);
        for (to, _) in &edges {
            if !b.edges.contains_key(to) {
                b.pending.push(to.clone());
            }
        }
        b.holds.insert(node.clone(), holds);
        b.edges.insert(node, edges);
    }
    b.finish()
}

impl<'g, 'a> Builder<'g, 'a> {
    /// The identities, who holds which binding, and what the steps' targets are.
    fn collect(&mut self) {
        let graph = self.graph;
        for (index, role) in graph.roles.iter().enumerate() {
            let key = RoleKey {
                cluster: role.cluster,
                namespace: role.namespace.clone(),
                name: role.name().to_string(),
            };
            self.role_at.entry(key.clone()).or_insert(index);
            if let (false, Some(ns)) = (key.cluster, &key.namespace) {
                self.roles_in.entry(ns.clone()).or_default().push(index);
            }
            self.role_keys.push(key);
        }
        let mut namespaces: BTreeSet<Namespace> = BTreeSet::new();
        let add_sa =
            |map: &mut BTreeMap<Namespace, BTreeSet<String>>, ns: &Namespace, name: &str| {
                map.entry(ns.clone()).or_default().insert(name.to_string());
            };
        for sa in &graph.service_accounts {
            add_sa(&mut self.service_accounts, &sa.namespace, sa.name());
        }
        for workload in &graph.workloads {
            namespaces.insert(workload.namespace.clone());
            add_sa(
                &mut self.service_accounts,
                &workload.namespace,
                &workload.service_account,
            );
            let mounted = graph.effective_automount(workload).mounted
                || workload.api_projected_token.is_some();
            if mounted {
                add_sa(
                    &mut self.mounted,
                    &workload.namespace,
                    &workload.service_account,
                );
                if workload.object.kind == "Pod" {
                    self.pods
                        .entry((workload.namespace.clone(), workload.object.name.clone()))
                        .or_insert_with(|| workload.service_account.clone());
                }
            }
        }
        for secret in &graph.token_secrets {
            namespaces.insert(secret.namespace.clone());
            if let Some((name, _)) = secret.service_account {
                add_sa(&mut self.service_accounts, &secret.namespace, name);
                self.token_secrets
                    .entry((secret.namespace.clone(), secret.object.name.clone()))
                    .or_insert_with(|| name.to_string());
            }
        }
        for role in &graph.roles {
            if let Some(ns) = &role.namespace {
                if !role.builtin {
                    namespaces.insert(ns.clone());
                }
            }
        }
        for (index, binding) in graph.bindings.iter().enumerate() {
            if let Some(ns) = &binding.namespace {
                namespaces.insert(ns.clone());
            }
            for (s, subject) in binding.subjects.iter().enumerate() {
                let identity = match subject.kind {
                    SubjectKind::ServiceAccount => {
                        namespaces.insert(subject.namespace.clone());
                        add_sa(&mut self.service_accounts, &subject.namespace, subject.name);
                        Identity::service_account(&subject.namespace, subject.name)
                    }
                    SubjectKind::User => {
                        self.users.insert(subject.name.to_string());
                        Identity::User(subject.name.to_string())
                    }
                    SubjectKind::Group => {
                        self.groups.insert(subject.name.to_string());
                        Identity::Group(subject.name.to_string())
                    }
                };
                self.grants.entry(identity).or_default().push((index, s));
            }
        }
        for sa in &graph.service_accounts {
            namespaces.insert(sa.namespace.clone());
        }
        // Every namespace has a `default` ServiceAccount, made by the control plane.
        for ns in namespaces {
            add_sa(&mut self.service_accounts, &ns, "default");
        }
        // Impersonating it bypasses RBAC.
        self.groups.insert(MASTERS_GROUP.to_string());
        for grants in self.grants.values_mut() {
            grants.sort_by_cached_key(|&(b, s)| (binding_sort_key(graph, b), s));
            grants.dedup_by_key(|(b, _)| *b);
        }
    }

    fn templates(&mut self, role: usize, cluster: bool) -> &[Template] {
        let graph = self.graph;
        // A template names the rule's holder, not the role: twins have the same ones.
        let role = graph.rules_twin(role);
        self.templates.entry((role, cluster)).or_insert_with(|| {
            let scope = Scope::of_kind(cluster);
            let mut found: Vec<Template> = Vec::new();
            for (holder, rule) in graph.effective_rule_indexes(role) {
                let policy_rule = &graph.roles[holder].rules[rule];
                for wanted in STEP_REQUESTS {
                    if found
                        .iter()
                        .any(|t| t.want == wanted.want && (t.holder, t.rule) == (holder, rule))
                    {
                        continue;
                    }
                    let Some((verb, resource, reach)) = first_allowed(wanted, scope, policy_rule)
                    else {
                        continue;
                    };
                    let names = match reach {
                        Reach::Any => None,
                        Reach::Only(names) => Some(names.iter().map(|n| n.to_string()).collect()),
                        Reach::OwnNamespace => continue,
                    };
                    found.push(Template {
                        want: wanted.want,
                        holder,
                        rule,
                        verb,
                        group: wanted.group,
                        resource,
                        names,
                    });
                }
            }
            found
        })
    }

    /// The role grants a node holds: (binding and subject, role, place).
    fn node_grants(&self, node: &Node) -> Vec<Grant> {
        let graph = self.graph;
        match node {
            Node::Identity(identity) => self
                .grants
                .get(identity)
                .map(Vec::as_slice)
                .unwrap_or(&[])
                .iter()
                .filter_map(|&(b, s)| {
                    let binding = &graph.bindings[b];
                    let (role, _) = graph.bound_role(binding)?;
                    let place = match &binding.namespace {
                        None => Place::Cluster,
                        Some(ns) => Place::Namespace(ns.clone()),
                    };
                    Some((Some((b, s)), role, place))
                })
                .collect(),
            Node::Granted { role, place } => self
                .role_at
                .get(role)
                .map(|&index| vec![(None, index, place.clone())])
                .unwrap_or_default(),
            Node::Hub(_) => Vec::new(),
        }
    }

    /// A node's edges and the capabilities it holds directly.
    fn expand(&mut self, node: &Node) -> Expanded {
        if let Node::Hub(hub) = node {
            return (self.hub_edges(hub), Vec::new());
        }
        let graph = self.graph;
        let grants = self.node_grants(node);
        let mut holds: Vec<(usize, Holding)> = Vec::new();
        let mut hold = |slot: usize, holding: Holding| {
            if !holds.iter().any(|(s, _)| *s == slot) {
                holds.push((slot, holding));
            }
        };
        if *node == Node::Identity(Identity::Group(MASTERS_GROUP.to_string())) {
            hold(
                CLUSTER_ADMIN,
                Holding {
                    binding: None,
                    role: None,
                },
            );
        }
        for (binding, role, place) in &grants {
            let cluster = *place == Place::Cluster;
            let holding = Holding {
                binding: binding.map(|(b, _)| b),
                role: Some(*role),
            };
            let admin = match binding {
                Some((b, _)) => graph.is_cluster_admin_equivalent(&graph.bindings[*b]),
                None => graph.role_is_cluster_admin_equivalent(*role),
            };
            if admin && cluster {
                hold(CLUSTER_ADMIN, holding);
            }
            let access = graph.role_access(*role, cluster);
            for (slot, capability) in CAPABILITIES.iter().enumerate() {
                if !access.capability(capability).is_empty() {
                    hold(slot + 1, holding);
                }
            }
        }
        holds.sort_by_key(|(slot, _)| *slot);
        let mut templates: Vec<(usize, Grant)> = Vec::new();
        for (binding, role, place) in &grants {
            let count = self.templates(*role, *place == Place::Cluster).len();
            for t in 0..count {
                templates.push((t, (*binding, *role, place.clone())));
            }
        }
        let held: Vec<Held> = templates
            .iter()
            .map(|(t, (binding, role, place))| Held {
                template: &self.templates[&(graph.rules_twin(*role), *place == Place::Cluster)][*t],
                place: place.clone(),
                binding: *binding,
                role: *role,
            })
            .collect();
        let mut edges = self.step_edges(&held, &grants);
        if let Node::Identity(identity) = node {
            edges.extend(self.membership(identity));
        }
        (edges, holds)
    }

    /// Group membership: a ServiceAccount is in `system:serviceaccounts`, its namespace's
    /// group and `system:authenticated`; a user in `system:authenticated`.
    fn membership(&self, identity: &Identity) -> Vec<EdgeDraft> {
        let groups: Vec<String> = match identity {
            Identity::ServiceAccount { namespace, .. } => {
                let mut groups = vec![
                    ALL_SERVICE_ACCOUNTS_GROUP.to_string(),
                    AUTHENTICATED_GROUP.to_string(),
                ];
                if let Namespace::Named(ns) = namespace {
                    groups.push(format!("{SERVICE_ACCOUNTS_GROUP_PREFIX}{ns}"));
                }
                groups
            }
            Identity::User(_) => vec![AUTHENTICATED_GROUP.to_string()],
            Identity::Group(_) => Vec::new(),
        };
        groups
            .into_iter()
            .filter(|g| self.groups.contains(g))
            .map(|g| (Node::Identity(Identity::Group(g)), None))
            .collect()
    }

    fn hub_edges(&self, hub: &Hub) -> Vec<EdgeDraft> {
        let sas = |map: &BTreeMap<Namespace, BTreeSet<String>>, ns: &Namespace| {
            map.get(ns)
                .into_iter()
                .flatten()
                .map(|name| (Node::Identity(Identity::service_account(ns, name)), None))
                .collect::<Vec<_>>()
        };
        let per_namespace = |map: &BTreeMap<Namespace, BTreeSet<String>>,
                             make: fn(Option<Namespace>) -> Hub| {
            map.keys()
                .map(|ns| (Node::Hub(make(Some(ns.clone()))), None))
                .collect::<Vec<_>>()
        };
        match hub {
            Hub::ServiceAccounts(Some(ns)) => sas(&self.service_accounts, ns),
            Hub::ServiceAccounts(None) => {
                per_namespace(&self.service_accounts, Hub::ServiceAccounts)
            }
            Hub::MountedTokens(Some(ns)) => sas(&self.mounted, ns),
            Hub::MountedTokens(None) => per_namespace(&self.mounted, Hub::MountedTokens),
            Hub::TokenSecrets(Some(ns)) => {
                let names: BTreeSet<&String> = in_namespace(&self.token_secrets, ns)
                    .map(|(_, sa)| sa)
                    .collect();
                names
                    .into_iter()
                    .map(|n| (Node::Identity(Identity::service_account(ns, n)), None))
                    .collect()
            }
            Hub::TokenSecrets(None) => {
                let namespaces: BTreeSet<&Namespace> =
                    self.token_secrets.keys().map(|(ns, _)| ns).collect();
                namespaces
                    .into_iter()
                    .map(|ns| (Node::Hub(Hub::TokenSecrets(Some(ns.clone()))), None))
                    .collect()
            }
            Hub::Users => self
                .users
                .iter()
                .map(|u| (Node::Identity(Identity::User(u.clone())), None))
                .collect(),
            Hub::Groups => self
                .groups
                .iter()
                .map(|g| (Node::Identity(Identity::Group(g.clone())), None))
                .collect(),
            Hub::Roles(Some(ns)) => self
                .roles_in
                .get(ns)
                .into_iter()
                .flatten()
                .map(|&role| {
                    let granted = Node::Granted {
                        role: self.role_keys[role].clone(),
                        place: Place::Namespace(ns.clone()),
                    };
                    (granted, None)
                })
                .collect(),
            Hub::Roles(None) => self
                .roles_in
                .keys()
                .map(|ns| (Node::Hub(Hub::Roles(Some(ns.clone()))), None))
                .collect(),
        }
    }

    /// The ServiceAccounts named `names` in `place` (every namespace for a cluster-wide one).
    fn named_service_accounts(&self, place: &Place, admits: impl Fn(&str) -> bool) -> Vec<Node> {
        let mut found = Vec::new();
        let namespaces: Box<dyn Iterator<Item = (&Namespace, &BTreeSet<String>)>> =
            match place.namespace() {
                Some(ns) => Box::new(self.service_accounts.get_key_value(ns).into_iter()),
                None => Box::new(self.service_accounts.iter()),
            };
        for (ns, names) in namespaces {
            for name in names {
                if admits(name) {
                    found.push(Node::Identity(Identity::service_account(ns, name)));
                }
            }
        }
        found
    }

    fn step_edges(&self, held: &[Held], grants: &[Grant]) -> Vec<EdgeDraft> {
        let graph = self.graph;
        let mut edges: Vec<EdgeDraft> = Vec::new();
        let hub_of = |place: &Place, make: fn(Option<Namespace>) -> Hub| {
            Node::Hub(make(place.namespace().cloned()))
        };
        for h in held {
            let step = |kind: StepKind, companion: Option<&Held>| {
                Some(Step {
                    kind,
                    allowed: h.allowed(),
                    place: h.place.clone(),
                    companion: companion.map(|c| Box::new(c.allowed())),
                    rewritten: None,
                })
            };
            let names = h.template.names.is_some();
            match h.template.want {
                Want::RunPods => edges.push((
                    hub_of(&h.place, Hub::ServiceAccounts),
                    step(StepKind::RunAs, None),
                )),
                Want::TokenRequest | Want::ImpersonateServiceAccounts => {
                    let kind = match h.template.want {
                        Want::TokenRequest => StepKind::MintToken,
                        _ => StepKind::Impersonate,
                    };
                    if names {
                        for target in self.named_service_accounts(&h.place, |n| h.admits(n)) {
                            edges.push((target, step(kind, None)));
                        }
                    } else {
                        edges.push((hub_of(&h.place, Hub::ServiceAccounts), step(kind, None)));
                    }
                }
                Want::CreateSecrets => edges.push((
                    hub_of(&h.place, Hub::ServiceAccounts),
                    step(StepKind::MintToken, None),
                )),
                Want::ReadSecrets => {
                    if names {
                        for ((ns, secret), sa) in in_place(&self.token_secrets, &h.place) {
                            if h.admits(secret) {
                                edges.push((
                                    Node::Identity(Identity::service_account(ns, sa)),
                                    step(StepKind::ReadToken, None),
                                ));
                            }
                        }
                    } else {
                        edges.push((
                            hub_of(&h.place, Hub::TokenSecrets),
                            step(StepKind::ReadToken, None),
                        ));
                    }
                }
                Want::EnterPods => {
                    if names {
                        for ((ns, pod), sa) in in_place(&self.pods, &h.place) {
                            if h.admits(pod) {
                                edges.push((
                                    Node::Identity(Identity::service_account(ns, sa)),
                                    step(StepKind::EnterPod, None),
                                ));
                            }
                        }
                    } else {
                        edges.push((
                            hub_of(&h.place, Hub::MountedTokens),
                            step(StepKind::EnterPod, None),
                        ));
                    }
                }
                Want::ImpersonateUsers => {
                    if names {
                        for user in self.users.iter().filter(|u| h.admits(u)) {
                            edges.push((
                                Node::Identity(Identity::User(user.clone())),
                                step(StepKind::Impersonate, None),
                            ));
                        }
                    } else {
                        edges.push((Node::Hub(Hub::Users), step(StepKind::Impersonate, None)));
                    }
                }
                Want::ImpersonateGroups => {
                    // `Impersonate-Group` is read only with `Impersonate-User`.
                    let Some(user) = held.iter().find(|c| {
                        matches!(
                            c.template.want,
                            Want::ImpersonateUsers | Want::ImpersonateServiceAccounts
                        )
                    }) else {
                        continue;
                    };
                    if names {
                        for group in self.groups.iter().filter(|g| h.admits(g)) {
                            edges.push((
                                Node::Identity(Identity::Group(group.clone())),
                                step(StepKind::Impersonate, Some(user)),
                            ));
                        }
                    } else {
                        edges.push((
                            Node::Hub(Hub::Groups),
                            step(StepKind::Impersonate, Some(user)),
                        ));
                    }
                }
                Want::BindRoles | Want::BindClusterRoles => {
                    for write in held.iter().filter(|w| {
                        w.template.want == Want::WriteRoleBindings
                            || (h.template.want == Want::BindClusterRoles
                                && w.template.want == Want::WriteClusterRoleBindings)
                    }) {
                        let place = match write.template.want {
                            Want::WriteClusterRoleBindings => {
                                if h.place != Place::Cluster {
                                    continue;
                                }
                                Place::Cluster
                            }
                            _ => match (&h.place, &write.place) {
                                (Place::Namespace(a), Place::Namespace(b)) if a == b => {
                                    Place::Namespace(a.clone())
                                }
                                (Place::Namespace(_), Place::Namespace(_)) => continue,
                                (Place::Namespace(a), _) | (_, Place::Namespace(a)) => {
                                    Place::Namespace(a.clone())
                                }
                                _ => Place::EachNamespace,
                            },
                        };
                        if h.template.want == Want::BindRoles && h.template.names.is_none() {
                            let roles = match place.namespace() {
                                Some(ns) => self.roles_in.get(ns).map_or(0, Vec::len),
                                None => self.roles_in.len(),
                            };
                            if roles > 0 {
                                edges.push((
                                    Node::Hub(Hub::Roles(place.namespace().cloned())),
                                    step(StepKind::GrantItself, Some(write)),
                                ));
                            }
                            continue;
                        }
                        for (role, role_place) in self.bindable(h, &place) {
                            edges.push((
                                Node::Granted {
                                    role,
                                    place: role_place,
                                },
                                step(StepKind::GrantItself, Some(write)),
                            ));
                        }
                    }
                }
                Want::EscalateRoles | Want::EscalateClusterRoles => {
                    let cluster_roles = h.template.want == Want::EscalateClusterRoles;
                    let companion = match cluster_roles {
                        true => Want::UpdateClusterRoles,
                        false => Want::UpdateRoles,
                    };
                    for (_, role, place) in grants {
                        let key = &self.role_keys[*role];
                        if key.cluster != cluster_roles
                            || !h.admits(&key.name)
                            || !h.place.covers(place)
                            || graph.roles[*role].aggregation.is_some()
                        {
                            continue;
                        }
                        let Some(update) = held.iter().find(|u| {
                            u.template.want == companion
                                && u.admits(&key.name)
                                && u.place.covers(place)
                        }) else {
                            continue;
                        };
                        if let Some(admin) = self.cluster_admin() {
                            let mut rewrite = step(StepKind::GrantItself, Some(update));
                            if let Some(rewrite) = rewrite.as_mut() {
                                rewrite.rewritten = Some(*role);
                            }
                            edges.push((
                                Node::Granted {
                                    role: admin,
                                    place: place.clone(),
                                },
                                rewrite,
                            ));
                        }
                    }
                }
                Want::NodeProxy => edges.push((
                    Node::Hub(Hub::MountedTokens(None)),
                    step(StepKind::ThroughNode, None),
                )),
                Want::MutatingWebhooks => edges.push((
                    Node::Hub(Hub::ServiceAccounts(None)),
                    step(StepKind::ThroughAdmission, None),
                )),
                Want::WriteRoleBindings
                | Want::WriteClusterRoleBindings
                | Want::UpdateRoles
                | Want::UpdateClusterRoles => {}
            }
        }
        edges
    }

    /// The built-in ClusterRole `cluster-admin`: binding it gives every role's permissions.
    fn cluster_admin(&self) -> Option<RoleKey> {
        let key = RoleKey {
            cluster: true,
            namespace: None,
            name: "cluster-admin".to_string(),
        };
        self.role_at.contains_key(&key).then_some(key)
    }

    /// The roles `bind` lets one bind in `place`, each with where it then applies (a
    /// `bind` on any Role reaches them through [`Hub::Roles`] instead).
    fn bindable(&self, bind: &Held, place: &Place) -> Vec<(RoleKey, Place)> {
        let mut found = Vec::new();
        if bind.template.want == Want::BindClusterRoles {
            if bind.template.names.is_none() {
                // Any ClusterRole: cluster-admin holds what every other one holds.
                if let Some(admin) = self.cluster_admin() {
                    found.push((admin, place.clone()));
                }
                return found;
            }
            for key in &self.role_keys {
                if key.cluster && bind.admits(&key.name) {
                    found.push((key.clone(), place.clone()));
                }
            }
            return found;
        }
        for key in &self.role_keys {
            let Some(ns) = &key.namespace else { continue };
            let here = Place::Namespace(ns.clone());
            if !key.cluster && place.covers(&here) && bind.admits(&key.name) {
                found.push((key.clone(), here));
            }
        }
        found
    }

    /// Numbers the nodes in key order and sorts each node's edges.
    fn finish(self) -> Escalation {
        let graph = self.graph;
        let mut all: BTreeSet<&Node> = self.edges.keys().collect();
        for edges in self.edges.values() {
            all.extend(edges.iter().map(|(to, _)| to));
        }
        let nodes: Vec<Node> = all.into_iter().cloned().collect();
        let mut ids: HashMap<Node, u32> = HashMap::with_capacity(nodes.len());
        for (i, node) in nodes.iter().enumerate() {
            ids.insert(node.clone(), i as u32);
        }
        let evidence_key = |step: &Option<Step>| match step {
            None => None,
            Some(step) => Some((
                step.kind,
                step.allowed.binding.map(|b| binding_sort_key(graph, b)),
                self.role_keys[step.allowed.holder].clone(),
                step.allowed.rule,
                step.companion.as_ref().map(|c| {
                    (
                        c.binding.map(|b| binding_sort_key(graph, b)),
                        self.role_keys[c.holder].clone(),
                        c.rule,
                    )
                }),
            )),
        };
        let mut out: Vec<Vec<Edge>> = (0..nodes.len()).map(|_| Vec::new()).collect();
        let mut holds: Vec<Vec<(usize, Holding)>> = (0..nodes.len()).map(|_| Vec::new()).collect();
        for (node, edges) in self.edges {
            let from = ids[&node];
            let mut list: Vec<(u32, Option<Step>)> = edges
                .into_iter()
                .map(|(to, step)| (ids[&to], step))
                .filter(|(to, _)| *to != from)
                .collect();
            list.sort_by_cached_key(|(to, step)| (*to, evidence_key(step)));
            list.dedup_by_key(|(to, _)| *to);
            out[from as usize] = list
                .into_iter()
                .map(|(to, step)| Edge { to, step })
                .collect();
        }
        for (node, held) in self.holds {
            holds[ids[&node] as usize] = held;
        }
        let mut into: Vec<Vec<(u32, u32)>> = (0..nodes.len()).map(|_| Vec::new()).collect();
        for (from, edges) in out.iter().enumerate() {
            for (index, edge) in edges.iter().enumerate() {
                into[edge.to as usize].push((from as u32, index as u32));
            }
        }
        let mut token_secret_of: HashMap<(Namespace, String), String> = HashMap::new();
        for ((ns, secret), sa) in &self.token_secrets {
            token_secret_of
                .entry((ns.clone(), sa.clone()))
                .or_insert_with(|| secret.clone());
        }
        let mut workload_of: HashMap<(Namespace, String), String> = HashMap::new();
        let mut mounting: Vec<(&Namespace, &str, (&str, &str))> = graph
            .workloads
            .iter()
            .filter(|w| graph.effective_automount(w).mounted || w.api_projected_token.is_some())
            .map(|w| {
                (
                    &w.namespace,
                    w.service_account.as_str(),
                    (w.object.kind.as_str(), w.object.name.as_str()),
                )
            })
            .collect();
        mounting.sort();
        for (ns, sa, (kind, name)) in mounting {
            workload_of
                .entry((ns.clone(), sa.to_string()))
                .or_insert_with(|| format!("{kind} {}", ns.qualify(name)));
        }
        Escalation {
            nodes,
            ids,
            out,
            into,
            holds,
            toward: OnceLock::new(),
            token_secret_of,
            workload_of,
        }
    }
}

/// `RoleBinding shop/api-edit`, `ClusterRoleBinding admins`.
pub fn binding_label(graph: &Graph, binding: usize) -> String {
    graph.bindings[binding].label()
}

/// `ClusterRole edit`, `Role shop/reader`.
pub fn role_label(graph: &Graph, role: usize) -> String {
    graph.roles[role].label()
}

/// `create pods`, `create deployments.apps`.
pub fn request_words(allowed: &Allowed) -> String {
    match allowed.group {
        "" => format!("{} {}", allowed.verb, allowed.resource),
        group => format!("{} {}.{group}", allowed.verb, allowed.resource),
    }
}

impl Escalation {
    /// The words of a path, hop by hop: "it can create pods in namespace platform
    /// (RoleBinding platform/deployer), and a pod there can run as ServiceAccount
    /// platform/operator; as ServiceAccount platform/operator, it can ...". Plain text: the
    /// callers escape it for their output.
    pub fn path_phrase(&self, graph: &Graph, path: &Path) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut member_of: Option<String> = None;
        for (index, hop) in self.hops(path).iter().enumerate() {
            let Some(step) = hop.step else {
                member_of = Some(self.node(hop.to).label());
                continue;
            };
            let start = match (member_of.take(), index) {
                (Some(group), _) => format!("as a member of {group}, it can"),
                (None, 0) => "it can".to_string(),
                (None, _) => format!("as {}, it can", self.node(hop.from).label()),
            };
            parts.push(format!("{start} {}", self.step_phrase(graph, step, hop.to)));
        }
        if let Some(group) = member_of {
            parts.push(format!("it is a member of {group}"));
        }
        parts.join("; ")
    }

    /// One step, after "it can".
    pub fn step_phrase(&self, graph: &Graph, step: &Step, to: u32) -> String {
        let target = self.node(to).label();
        let via = match step.allowed.binding {
            Some(binding) => format!(" ({})", binding_label(graph, binding)),
            None => format!(" (through {})", role_label(graph, step.allowed.role)),
        };
        let request = request_words(&step.allowed);
        let place = step.place.phrase();
        let sa = match self.node(to) {
            Node::Identity(Identity::ServiceAccount { namespace, name }) => {
                Some((namespace.clone(), name.clone()))
            }
            _ => None,
        };
        let there = match step.place {
            Place::Namespace(_) => "there",
            _ => "of the cluster",
        };
        match step.kind {
            StepKind::RunAs => format!("{request} in {place}{via}, and a pod {there} can run as {target}"),
            StepKind::MintToken if step.allowed.resource == "secrets" => format!(
                "{request} in {place}{via}, and the control plane fills a token Secret with a token of {target}"
            ),
            StepKind::MintToken => format!("{request} in {place}{via}, a token of {target}"),
            StepKind::ReadToken => {
                let secret = sa
                    .and_then(|key| {
                        let ns = key.0.clone();
                        self.token_secret_of.get(&key).map(|s| ns.qualify(s))
                    })
                    .map(|s| format!("Secret {s}"))
                    .unwrap_or_else(|| "a Secret".to_string());
                format!("{request} in {place}{via}, and {secret} holds a token of {target}")
            }
            StepKind::EnterPod | StepKind::ThroughNode => {
                let workload = sa
                    .and_then(|key| self.workload_of.get(&key).cloned())
                    .unwrap_or_else(|| "a pod".to_string());
                match step.kind {
                    StepKind::EnterPod => format!(
                        "{request} in {place}{via}, and {workload} mounts the token of {target}"
                    ),
                    _ => format!(
                        "{request}{via}, and the kubelet API runs commands in {workload}, which mounts the token of {target}"
                    ),
                }
            }
            StepKind::Impersonate => format!("impersonate {target}{via}"),
            StepKind::GrantItself => {
                let companion = step
                    .companion
                    .as_ref()
                    .map(|c| request_words(c))
                    .unwrap_or_default();
                match step.rewritten {
                    Some(role) => format!(
                        "{request} and {companion} {} it is bound to{via}, writing into it every permission, so it holds everything in {}",
                        role_label(graph, role),
                        match self.node(to) {
                            Node::Granted { place, .. } => place.phrase(),
                            _ => place,
                        }
                    ),
                    None => format!("{request} and {companion}{via}, so it can bind {target} to itself"),
                }
            }
            StepKind::ThroughAdmission => format!(
                "{request}{via}, and a mutating webhook can make any new pod run as {target}"
            ),
        }
    }

    /// How the end of a path holds capability `slot`: "which ClusterRoleBinding ops binds
    /// to ClusterRole cluster-admin".
    pub fn holding_phrase(&self, graph: &Graph, end: u32, slot: usize) -> String {
        let Some(holding) = self.holding(end, slot) else {
            return String::new();
        };
        match (holding.binding, holding.role, self.node(end)) {
            (Some(binding), Some(role), _) => format!(
                "which {} binds to {}",
                binding_label(graph, binding),
                role_label(graph, role)
            ),
            (None, Some(role), _) => format!("which {} gives", role_label(graph, role)),
            _ => "a group that bypasses RBAC".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    //! Each step firing and not firing (wrong namespace, `resourceNames` that exclude the
    //! target, a RoleBinding that cannot reach a cluster-scoped step, a missing companion),
    //! cycles, a three-step path, the choice of the shortest path, and independence from
    //! the order of the files.
    use super::*;
    use crate::input::read_texts;

    const ADMIN: &str = "
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: target-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: target, namespace: prod}]
";

    /// A Role (or ClusterRole, with `namespace` empty) with one rule, bound to `subject` (a
    /// ServiceAccount `ns/name`) by a RoleBinding in `namespace` (a ClusterRoleBinding when
    /// empty).
    fn grant(name: &str, namespace: &str, subject: &str, rule: &str) -> String {
        let (sa_ns, sa) = subject.split_once('/').unwrap();
        let (role_kind, binding_kind, meta) = match namespace {
            "" => (
                "ClusterRole",
                "ClusterRoleBinding",
                format!("{{name: {name}}}"),
            ),
            ns => (
                "Role",
                "RoleBinding",
                format!("{{name: {name}, namespace: {ns}}}"),
            ),
        };
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1
kind: {role_kind}
metadata: {meta}
rules: [{rule}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: {binding_kind}
metadata: {meta}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {role_kind}, name: {name}}}
subjects: [{{kind: ServiceAccount, name: {sa}, namespace: {sa_ns}}}]
"
        )
    }

    /// A RoleBinding in `namespace` to a ClusterRole with one rule (it may name
    /// cluster-scoped resources).
    fn role_binding_to_cluster_role(
        name: &str,
        namespace: &str,
        subject: &str,
        rule: &str,
    ) -> String {
        let (sa_ns, sa) = subject.split_once('/').unwrap();
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: {name}}}
rules: [{rule}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: {name}, namespace: {namespace}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {name}}}
subjects: [{{kind: ServiceAccount, name: {sa}, namespace: {sa_ns}}}]
"
        )
    }

    fn pod(namespace: &str, name: &str, sa: &str) -> String {
        format!(
            "apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: {namespace}}}
spec: {{serviceAccountName: {sa}, containers: [{{name: c, image: i}}]}}
"
        )
    }

    fn token_secret(namespace: &str, name: &str, sa: &str) -> String {
        format!(
            "apiVersion: v1
kind: Secret
metadata: {{name: {name}, namespace: {namespace}, annotations: {{kubernetes.io/service-account.name: {sa}}}}}
type: kubernetes.io/service-account-token
"
        )
    }

    /// The steps from ServiceAccount `from` to cluster-admin, and the path's words, over
    /// the documents of `files` (one file each, in this order).
    fn to_admin(files: &[String], from: &str) -> Option<(u32, String)> {
        let texts = files
            .iter()
            .enumerate()
            .map(|(i, text)| (format!("f{i}.yaml"), text.clone()))
            .collect();
        let inputs = read_texts(texts);
        assert!(inputs.errors.is_empty(), "{:?}", inputs.errors);
        let graph = Graph::build(&inputs.objects, Namespace::Implicit);
        let esc = graph.escalation();
        let (ns, name) = from.split_once('/').unwrap();
        let id = esc.id(&Node::Identity(Identity::service_account(
            &Namespace::Named(ns.into()),
            name,
        )))?;
        let (steps, path) = esc.path_to_capability(id, CLUSTER_ADMIN)?;
        Some((steps, esc.path_phrase(&graph, &path)))
    }

    fn steps(files: &[String], from: &str) -> Option<u32> {
        to_admin(files, from).map(|(steps, _)| steps)
    }

    const CREATE_PODS: &str = r#"{apiGroups: [""], resources: [pods], verbs: [create]}"#;

    #[test]
    fn run_as_reaches_every_service_account_of_the_namespace_only() {
        let here = [grant("launch", "prod", "ci/dev", CREATE_PODS), ADMIN.into()];
        assert_eq!(steps(&here, "ci/dev"), Some(1));
        let (_, words) = to_admin(&here, "ci/dev").unwrap();
        assert!(words.contains("create pods in namespace prod (RoleBinding prod/launch), and a pod there can run as ServiceAccount prod/target"), "{words}");
        let elsewhere = [
            grant("launch", "staging", "ci/dev", CREATE_PODS),
            ADMIN.into(),
        ];
        assert_eq!(steps(&elsewhere, "ci/dev"), None);
        // A workload's pod template counts; a Job's only on create.
        let deployments = r#"{apiGroups: [apps], resources: [deployments], verbs: [patch]}"#;
        assert_eq!(
            steps(
                &[grant("d", "prod", "ci/dev", deployments), ADMIN.into()],
                "ci/dev"
            ),
            Some(1)
        );
        let jobs = r#"{apiGroups: [batch], resources: [jobs], verbs: [update, patch]}"#;
        assert_eq!(
            steps(
                &[grant("j", "prod", "ci/dev", jobs), ADMIN.into()],
                "ci/dev"
            ),
            None
        );
        // `create` on pods names no object: resourceNames never allow it.
        let named = r#"{apiGroups: [""], resources: [pods], verbs: [create], resourceNames: [x]}"#;
        assert_eq!(
            steps(
                &[grant("proxy", "prod", "ci/dev", named), ADMIN.into()],
                "ci/dev"
            ),
            None
        );
    }

    #[test]
    fn minting_a_token_is_narrowed_by_resource_names() {
        let rule = |names: &str| {
            format!(
                r#"{{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]{names}}}"#
            )
        };
        let any = [grant("mint", "prod", "ci/dev", &rule("")), ADMIN.into()];
        assert_eq!(steps(&any, "ci/dev"), Some(1));
        let named = [
            grant("mint", "prod", "ci/dev", &rule(", resourceNames: [target]")),
            ADMIN.into(),
        ];
        assert_eq!(steps(&named, "ci/dev"), Some(1));
        let other = [
            grant("mint", "prod", "ci/dev", &rule(", resourceNames: [other]")),
            ADMIN.into(),
        ];
        assert_eq!(steps(&other, "ci/dev"), None);
        let secrets = r#"{apiGroups: [""], resources: [secrets], verbs: [create]}"#;
        assert_eq!(
            steps(
                &[grant("s", "prod", "ci/dev", secrets), ADMIN.into()],
                "ci/dev"
            ),
            Some(1)
        );
    }

    #[test]
    fn reading_a_stored_token_needs_its_secret() {
        let read = r#"{apiGroups: [""], resources: [secrets], verbs: [get]}"#;
        let with_secret = [
            grant("read", "prod", "ci/dev", read),
            token_secret("prod", "target-token", "target"),
            ADMIN.into(),
        ];
        assert_eq!(steps(&with_secret, "ci/dev"), Some(1));
        assert_eq!(
            steps(
                &[grant("read", "prod", "ci/dev", read), ADMIN.into()],
                "ci/dev"
            ),
            None
        );
        let named =
            r#"{apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [other]}"#;
        let excluded = [
            grant("read", "prod", "ci/dev", named),
            token_secret("prod", "target-token", "target"),
            ADMIN.into(),
        ];
        assert_eq!(steps(&excluded, "ci/dev"), None);
    }

    #[test]
    fn entering_a_pod_needs_one_that_mounts_the_token() {
        let exec = r#"{apiGroups: [""], resources: [pods/exec], verbs: [create]}"#;
        let running = [
            grant("exec", "prod", "ci/dev", exec),
            pod("prod", "p", "target"),
            ADMIN.into(),
        ];
        assert_eq!(steps(&running, "ci/dev"), Some(1));
        assert_eq!(
            steps(
                &[grant("exec", "prod", "ci/dev", exec), ADMIN.into()],
                "ci/dev"
            ),
            None
        );
        let unmounted = pod("prod", "p", "target").replace(
            "serviceAccountName: target",
            "serviceAccountName: target, automountServiceAccountToken: false",
        );
        assert_eq!(
            steps(
                &[
                    grant("exec", "prod", "ci/dev", exec),
                    unmounted,
                    ADMIN.into()
                ],
                "ci/dev"
            ),
            None
        );
    }

    #[test]
    fn impersonating_users_is_cluster_scoped_and_groups_need_a_user() {
        let users = r#"{apiGroups: [""], resources: [users], verbs: [impersonate]}"#;
        let alice = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: alice-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, name: alice}]
";
        assert_eq!(
            steps(&[grant("imp", "", "ci/dev", users), alice.into()], "ci/dev"),
            Some(1)
        );
        // A RoleBinding cannot grant a cluster-scoped request.
        assert_eq!(
            steps(
                &[
                    role_binding_to_cluster_role("imp", "ci", "ci/dev", users),
                    alice.into()
                ],
                "ci/dev"
            ),
            None
        );
        let masters = r#"{apiGroups: [""], resources: [groups], verbs: [impersonate], resourceNames: [system:masters]}"#;
        assert_eq!(
            steps(&[grant("imp", "", "ci/dev", masters)], "ci/dev"),
            None
        );
        let both = format!("{masters}, {users}");
        assert_eq!(
            steps(&[grant("imp", "", "ci/dev", &both)], "ci/dev"),
            Some(1)
        );
        let sa = r#"{apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate], resourceNames: [target]}"#;
        assert_eq!(
            steps(
                &[grant("imp", "prod", "ci/dev", sa), ADMIN.into()],
                "ci/dev"
            ),
            Some(1)
        );
        assert_eq!(
            steps(
                &[grant("imp", "staging", "ci/dev", sa), ADMIN.into()],
                "ci/dev"
            ),
            None
        );
    }

    #[test]
    fn bind_and_escalate_need_their_companion_verb() {
        let bind =
            r#"{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}"#;
        let write = r#"{apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [create]}"#;
        assert_eq!(steps(&[grant("b", "", "ci/dev", bind)], "ci/dev"), None);
        let (count, words) = to_admin(
            &[grant("b", "", "ci/dev", &format!("{bind}, {write}"))],
            "ci/dev",
        )
        .unwrap();
        assert_eq!(count, 1);
        assert!(
            words.contains(
                "bind clusterroles.rbac.authorization.k8s.io and create clusterrolebindings"
            ),
            "{words}"
        );
        // Through a RoleBinding: cluster-admin in that namespace only, not cluster-wide.
        let role_bindings = r#"{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}"#;
        assert_eq!(
            steps(
                &[role_binding_to_cluster_role(
                    "b",
                    "ci",
                    "ci/dev",
                    &format!("{bind}, {role_bindings}")
                )],
                "ci/dev"
            ),
            None
        );
        let escalate = r#"{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate], resourceNames: [b]}"#;
        let update = r#"{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [update], resourceNames: [b]}"#;
        assert_eq!(steps(&[grant("b", "", "ci/dev", escalate)], "ci/dev"), None);
        assert_eq!(
            steps(
                &[grant("b", "", "ci/dev", &format!("{escalate}, {update}"))],
                "ci/dev"
            ),
            Some(1)
        );
    }

    #[test]
    fn bind_on_any_role_reaches_the_roles_of_its_place_through_one_edge() {
        let bind = r#"{apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [bind]}"#;
        let write = r#"{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}"#;
        let both = format!("{bind}, {write}");
        // Role prod/launch lets whoever holds it run pods as prod/target, a cluster-admin.
        let launch = |ns: &str| grant("launch", ns, &format!("{ns}/nobody"), CREATE_PODS);
        let cluster_wide = [
            grant("b", "", "ci/dev", &both),
            launch("prod"),
            ADMIN.into(),
        ];
        let (count, words) = to_admin(&cluster_wide, "ci/dev").unwrap();
        assert_eq!(count, 2);
        assert!(
            words.contains("bind roles.rbac.authorization.k8s.io"),
            "{words}"
        );
        let in_prod = [
            role_binding_to_cluster_role("b", "prod", "ci/dev", &both),
            launch("prod"),
            ADMIN.into(),
        ];
        assert_eq!(steps(&in_prod, "ci/dev"), Some(2));
        let in_staging = [
            role_binding_to_cluster_role("b", "staging", "ci/dev", &both),
            launch("prod"),
            ADMIN.into(),
        ];
        assert_eq!(steps(&in_staging, "ci/dev"), None);
        // One edge to the set of Roles, however many Roles there are.
        let edges_of_dev = |files: Vec<String>| {
            let texts = files
                .into_iter()
                .enumerate()
                .map(|(i, text)| (format!("f{i}.yaml"), text))
                .collect();
            let inputs = read_texts(texts);
            let graph = Graph::build(&inputs.objects, Namespace::Implicit);
            let esc = graph.escalation();
            let dev = Identity::service_account(&Namespace::Named("ci".into()), "dev");
            esc.edges(esc.id(&Node::Identity(dev)).unwrap()).len()
        };
        let few = edges_of_dev(vec![grant("b", "", "ci/dev", &both), launch("prod")]);
        let many = edges_of_dev(
            ["prod", "qa", "web", "db"]
                .iter()
                .map(|ns| launch(ns))
                .chain([grant("b", "", "ci/dev", &both)])
                .collect(),
        );
        assert_eq!(few, many);
    }

    #[test]
    fn without_a_binding_no_path_takes_a_step() {
        let files = [
            pod("prod", "web", "target"),
            token_secret("prod", "target-token", "target"),
            pod("ci", "runner", "dev"),
        ];
        let texts = files
            .iter()
            .enumerate()
            .map(|(i, text)| (format!("f{i}.yaml"), text.clone()))
            .collect();
        let inputs = read_texts(texts);
        let graph = Graph::build(&inputs.objects, Namespace::Implicit);
        assert!(!graph.may_have_escalation_paths());
        let esc = graph.escalation();
        for (id, _) in esc.nodes() {
            for slot in 0..SLOTS {
                let steps = esc.path_to_capability(id, slot).map(|(steps, _)| steps);
                assert!(matches!(steps, None | Some(0)), "{:?}", esc.node(id));
            }
        }
        // One binding, and a path has a step.
        let mut bound = files.to_vec();
        bound.push(grant("launch", "prod", "ci/dev", CREATE_PODS));
        bound.push(ADMIN.into());
        assert_eq!(steps(&bound, "ci/dev"), Some(1));
    }

    #[test]
    fn node_proxy_and_webhooks_only_through_cluster_role_bindings() {
        let proxy = r#"{apiGroups: [""], resources: [nodes/proxy], verbs: [get]}"#;
        let mounted = pod("prod", "p", "target");
        assert_eq!(
            steps(
                &[
                    grant("proxy", "", "ci/dev", proxy),
                    mounted.clone(),
                    ADMIN.into()
                ],
                "ci/dev"
            ),
            Some(1)
        );
        assert_eq!(
            steps(
                &[
                    role_binding_to_cluster_role("proxy", "prod", "ci/dev", proxy),
                    mounted,
                    ADMIN.into()
                ],
                "ci/dev"
            ),
            None
        );
        let hooks = r#"{apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations], verbs: [create]}"#;
        assert_eq!(
            steps(&[grant("w", "", "ci/dev", hooks), ADMIN.into()], "ci/dev"),
            Some(1)
        );
        assert_eq!(
            steps(
                &[
                    role_binding_to_cluster_role("w", "prod", "ci/dev", hooks),
                    ADMIN.into()
                ],
                "ci/dev"
            ),
            None
        );
    }

    #[test]
    fn three_steps_cycles_and_the_shortest_path() {
        let mint = |names: &str| {
            format!(
                r#"{{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create], resourceNames: [{names}]}}"#
            )
        };
        // a → b → c → target, and back from c to a: a cycle on the way.
        let chain = vec![
            grant("ab", "ci", "ci/a", &mint("b")),
            grant("bc", "ci", "ci/b", &mint("c")),
            grant("ca", "ci", "ci/c", &mint("a")),
            grant("launch", "prod", "ci/c", CREATE_PODS),
            ADMIN.into(),
        ];
        assert_eq!(steps(&chain, "ci/a"), Some(3));
        assert_eq!(steps(&chain, "ci/b"), Some(2));
        // A shortcut from a straight to c: the path takes it.
        let mut shortcut = chain.clone();
        shortcut.push(grant("ac", "ci", "ci/a", &mint("c")));
        let (count, words) = to_admin(&shortcut, "ci/a").unwrap();
        assert_eq!(count, 2);
        assert!(words.contains("a token of ServiceAccount ci/c"), "{words}");
        // The same paths whatever the order of the files.
        let mut reversed = shortcut.clone();
        reversed.reverse();
        assert_eq!(to_admin(&reversed, "ci/a"), to_admin(&shortcut, "ci/a"));
    }

    #[test]
    fn group_membership_joins_identities() {
        let group_grant = "apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: all-launch, namespace: prod}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: launch}
subjects: [{kind: Group, name: 'system:serviceaccounts:ci'}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: launch}
rules: [{apiGroups: [''], resources: [pods], verbs: [create]}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: dev, namespace: ci}
";
        let (count, words) = to_admin(&[group_grant.into(), ADMIN.into()], "ci/dev").unwrap();
        assert_eq!(count, 1);
        assert!(
            words.starts_with("as a member of Group system:serviceaccounts:ci, it can create pods"),
            "{words}"
        );
        // Another namespace's ServiceAccounts are not in the group.
        let other = group_grant.replace("namespace: ci}", "namespace: qa}");
        assert_eq!(steps(&[other, ADMIN.into()], "qa/dev"), None);
    }
}
