//! What a binding lets its subjects do, in the terms that matter for escalation.
//!
//! A [`Capability`] is a dangerous thing to be able to do ("read every Secret", "run a pod
//! as any ServiceAccount") written as the API requests that achieve it. Matching follows
//! the RBAC authorizer exactly ([`PolicyRule::allows`]): `*` in verbs, apiGroups and
//! resources, subresources, `resourceNames` narrowing a rule to named objects. A RoleBinding
//! grants only inside its namespace, so it never grants a cluster-scoped resource (nodes,
//! webhooks, CRDs, PersistentVolumes, namespaces); a ClusterRoleBinding grants everywhere.
//! The rules, `explain-sa` and `who-can` all read permissions through this module.

use crate::graph::Graph;
use crate::model::rbac::{Binding, PolicyRule, Role, Subject, SubjectKind};

/// API requests, any one of which gives the capability.
#[derive(Debug)]
pub struct Action {
    pub verbs: &'static [&'static str],
    /// The API group (`""` is the core group).
    pub group: &'static str,
    /// Resources as the API server combines them (`pods/exec`).
    pub resources: &'static [&'static str],
    /// Cluster-scoped resources cannot be granted by a RoleBinding.
    pub cluster_scoped: bool,
    /// Requests the same role must allow too for this action to give the capability (a
    /// CSR is approved only with `approve` on its signer and `update` on its `approval`).
    pub also: &'static [Action],
}

/// A dangerous capability, and the rule that reports it.
#[derive(Debug)]
pub struct Capability {
    /// The rule's name.
    pub rule: &'static str,
    /// Whether the danger needs the request on every object of the resource (reading all
    /// Secrets), so a rule narrowed by `resourceNames` does not give it; otherwise one
    /// named object is enough (binding `cluster-admin`, exec into one pod, a token for one
    /// ServiceAccount).
    pub all_objects: bool,
    /// What it lets a subject do, as a verb phrase: "read Secrets".
    pub what: &'static str,
    /// Why that matters, one sentence.
    pub why: &'static str,
    pub actions: &'static [Action],
}

const fn action(
    verbs: &'static [&'static str],
    group: &'static str,
    resources: &'static [&'static str],
) -> Action {
    Action {
        verbs,
        group,
        resources,
        cluster_scoped: false,
        also: &[],
    }
}

const fn cluster_action(
    verbs: &'static [&'static str],
    group: &'static str,
    resources: &'static [&'static str],
) -> Action {
    Action {
        cluster_scoped: true,
        ..action(verbs, group, resources)
    }
}

const WRITE: &[&str] = &["create", "update", "patch", "delete"];
const WORKLOADS_APPS: &[&str] = &["deployments", "daemonsets", "statefulsets", "replicasets"];

pub const SECRETS_ACCESS: Capability = Capability {
    all_objects: true,
    rule: "secrets-access",
    what: "read Secrets",
    why: "Secrets hold credentials, legacy ServiceAccount tokens among them; `list` and `watch` return their contents as `get` does",
    actions: &[action(&["get", "list", "watch"], "", &["secrets"])],
};

pub const POD_CREATION: Capability = Capability {
    all_objects: false,
    rule: "pod-creation",
    what: "create pods or change pod templates",
    why: "whoever can run a pod can run it as any ServiceAccount of the namespace, mount that ServiceAccount's token and so hold every permission it has",
    actions: &[
        action(&["create"], "", &["pods", "replicationcontrollers"]),
        // A pod's image can be changed in place: the new code runs as the pod's SA.
        action(&["update", "patch"], "", &["pods", "replicationcontrollers"]),
        action(&["create", "update", "patch"], "apps", WORKLOADS_APPS),
        // A Job's pod template is immutable; a CronJob's is not.
        action(&["create"], "batch", &["jobs", "cronjobs"]),
        action(&["update", "patch"], "batch", &["cronjobs"]),
    ],
};

pub const POD_EXEC: Capability = Capability {
    all_objects: false,
    rule: "pod-exec",
    what: "run commands in running pods",
    why: "exec and attach run code inside a pod, with its ServiceAccount token and its mounted Secrets; an ephemeral container does the same",
    actions: &[
        action(&["create", "get"], "", &["pods/exec", "pods/attach"]),
        action(&["patch", "update"], "", &["pods/ephemeralcontainers"]),
    ],
};

pub const TOKEN_CREATION: Capability = Capability {
    all_objects: false,
    rule: "token-creation",
    what: "mint ServiceAccount tokens",
    why: "a token can be requested for any ServiceAccount of the namespace, and a Secret of type `kubernetes.io/service-account-token` makes the control plane write a never-expiring one",
    actions: &[
        action(&["create"], "", &["serviceaccounts/token"]),
        action(&["create", "update", "patch"], "", &["secrets"]),
    ],
};

pub const PRIVILEGE_ESCALATION: Capability = Capability {
    all_objects: false,
    rule: "privilege-escalation",
    what: "grant or assume more than it holds",
    why: "`bind` and `escalate` on roles let a subject grant permissions it does not have, and `impersonate` lets it act as another user, group or ServiceAccount",
    actions: &[
        action(
            &["bind", "escalate"],
            "rbac.authorization.k8s.io",
            &["roles", "clusterroles"],
        ),
        action(&["impersonate"], "", &["serviceaccounts"]),
        cluster_action(&["impersonate"], "", &["users", "groups"]),
        cluster_action(
            &["impersonate"],
            "authentication.k8s.io",
            &["userextras", "uids"],
        ),
    ],
};

pub const NODE_PROXY: Capability = Capability {
    all_objects: false,
    rule: "node-proxy",
    what: "reach kubelets through nodes/proxy",
    why: "the kubelet API behind nodes/proxy runs commands in any pod of the node and bypasses admission and audit of pod exec",
    actions: &[cluster_action(&["get", "create"], "", &["nodes/proxy"])],
};

pub const CONTROL_PLANE_TAKEOVER: Capability = Capability {
    all_objects: false,
    rule: "control-plane-takeover",
    what: "change how the cluster admits, schedules or routes",
    why: "admission webhooks see and rewrite every object, approved client certificates are new identities, hostPath PersistentVolumes expose nodes, namespace labels switch Pod Security off, CRDs and node objects steer workloads, and services/status intercepts traffic (CVE-2020-8554)",
    actions: &[
        cluster_action(
            WRITE,
            "admissionregistration.k8s.io",
            &[
                "validatingwebhookconfigurations",
                "mutatingwebhookconfigurations",
            ],
        ),
        // Approving a CSR takes both (the CertificateSigningRequest approval REST strategy,
        // pkg/registry/certificates/certificates/strategy.go, and the signer check of
        // plugin/pkg/admission/certificates/approval/admission.go).
        Action {
            also: &[cluster_action(
                &["update"],
                "certificates.k8s.io",
                &["certificatesigningrequests/approval"],
            )],
            ..cluster_action(&["approve"], "certificates.k8s.io", &["signers"])
        },
        cluster_action(&["create"], "", &["persistentvolumes"]),
        // A RoleBinding reaches its own namespace object (`/api/v1/namespaces/NS` is in NS).
        action(&["update", "patch"], "", &["namespaces"]),
        cluster_action(WRITE, "apiextensions.k8s.io", &["customresourcedefinitions"]),
        action(&["update", "patch"], "", &["services/status"]),
        cluster_action(&["update", "patch"], "", &["nodes", "nodes/status"]),
    ],
};

/// Every capability the rules know, in report order.
pub const CAPABILITIES: &[&Capability] = &[
    &SECRETS_ACCESS,
    &POD_CREATION,
    &POD_EXEC,
    &TOKEN_CREATION,
    &PRIVILEGE_ESCALATION,
    &NODE_PROXY,
    &CONTROL_PLANE_TAKEOVER,
];

/// One way a role rule gives a capability: the first request of an action it allows.
#[derive(Debug, Clone, Copy)]
pub struct Match<'g, 'a> {
    /// The role that holds the rule (an aggregated one, or the bound role itself).
    pub holder: &'g Role<'a>,
    pub rule: &'g PolicyRule<'a>,
    pub verb: &'static str,
    pub group: &'static str,
    pub resource: &'static str,
}

impl Match<'_, '_> {
    /// "`create` on `pods`", with the group when it is not the core group, and the names
    /// when `resourceNames` narrows the rule.
    pub fn request_phrase(&self) -> String {
        let mut phrase = if self.group.is_empty() {
            format!("`{}` on `{}`", self.verb, self.resource)
        } else {
            format!("`{}` on `{}.{}`", self.verb, self.resource, self.group)
        };
        if self.rule.is_narrowed() {
            let names: Vec<String> = self
                .rule
                .resource_names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect();
            phrase.push_str(&format!(" (only {})", names.join(", ")));
        }
        phrase
    }
}

/// Whether the capability is reachable through `rule` under a binding of this scope,
/// and by which request, counting the actions that need more requests of the same role
/// (see [`Action::also`]) only when `others` (all the role's rules) allow those.
pub fn rule_match(
    capability: &Capability,
    rule: &PolicyRule,
    cluster_binding: bool,
    others: &[&PolicyRule],
) -> Option<(&'static str, &'static str, &'static str)> {
    usable_actions(capability, cluster_binding, others)
        .into_iter()
        .find_map(|action| action_match(capability, action, rule))
}

/// The actions of `capability` a binding of this scope can give through a role with
/// `rules`: those needing nothing more, and each needing more whose other requests the
/// role allows too, with those requests.
fn usable_actions(
    capability: &Capability,
    cluster_binding: bool,
    rules: &[&PolicyRule],
) -> Vec<&'static Action> {
    let in_scope = |action: &&Action| cluster_binding || !action.cluster_scoped;
    let mut usable: Vec<&'static Action> = Vec::new();
    let actions: &'static [Action] = capability.actions;
    for action in actions.iter().filter(in_scope) {
        if action.also.is_empty() {
            usable.push(action);
        } else if action.also.iter().filter(in_scope).count() == action.also.len()
            && action.also.iter().all(|needed| {
                rules
                    .iter()
                    .any(|rule| action_match(capability, needed, rule).is_some())
            })
        {
            usable.push(action);
            usable.extend(action.also.iter());
        }
    }
    usable
}

/// The first request of `action` that `rule` allows.
fn action_match(
    capability: &Capability,
    action: &Action,
    rule: &PolicyRule,
) -> Option<(&'static str, &'static str, &'static str)> {
    let (verbs, group): (&'static [&'static str], &'static str) = (action.verbs, action.group);
    let resources: &'static [&'static str] = action.resources;
    resources.iter().find_map(|resource| {
        verbs
            .iter()
            .find(|verb| match capability.all_objects {
                true => rule.allows(verb, group, resource),
                false => rule.allows_some(verb, group, resource),
            })
            .map(|verb| (*verb, group, *resource))
    })
}

/// The role a binding grants and all its rules (aggregated ones included).
pub fn binding_rules<'g, 'a>(
    graph: &'g Graph<'a>,
    binding: &Binding<'a>,
) -> Option<(&'g Role<'a>, Vec<(&'g Role<'a>, &'g PolicyRule<'a>)>)> {
    let (index, role) = graph.bound_role(binding)?;
    Some((role, graph.effective_rules(index).collect()))
}

/// The rules of a binding's role that give `capability`, one match per rule.
pub fn capability_matches<'g, 'a>(
    graph: &'g Graph<'a>,
    binding: &Binding<'a>,
    capability: &Capability,
) -> Vec<Match<'g, 'a>> {
    let Some((index, _)) = graph.bound_role(binding) else {
        return Vec::new();
    };
    role_capability_matches(graph, index, capability, binding.cluster)
}

/// The rules of role `role` (aggregated ones included) that give `capability` through a
/// binding of the given scope, one match per rule. What a binding gets depends only on
/// these three, so callers judging many bindings of one role can ask once: an aggregating
/// ClusterRole holds the rules of every ClusterRole it selects, and asking per binding
/// grew with the square of the input.
pub fn role_capability_matches<'g, 'a>(
    graph: &'g Graph<'a>,
    role: usize,
    capability: &Capability,
    cluster_binding: bool,
) -> Vec<Match<'g, 'a>> {
    let Some(wanted) = CAPABILITIES.iter().position(|c| c.rule == capability.rule) else {
        // Not one the graph keeps: worked out here.
        let rules: Vec<&PolicyRule> = graph.effective_rules(role).map(|(_, r)| r).collect();
        return graph
            .effective_rules(role)
            .filter_map(|(holder, rule)| {
                let (verb, group, resource) =
                    rule_match(capability, rule, cluster_binding, &rules)?;
                Some(Match {
                    holder,
                    rule,
                    verb,
                    group,
                    resource,
                })
            })
            .collect();
    };
    graph.role_grants(role, cluster_binding).matches[wanted]
        .iter()
        .map(|m| {
            let holder = &graph.roles[m.holder];
            Match {
                holder,
                rule: &holder.rules[m.rule],
                verb: m.verb,
                group: m.group,
                resource: m.resource,
            }
        })
        .collect()
}

/// The rules of role `role` (aggregated ones included) that use `*` in verbs, resources
/// or apiGroups, with the role holding each.
pub fn wildcard_rules<'g, 'a>(
    graph: &'g Graph<'a>,
    role: usize,
    cluster_binding: bool,
) -> Vec<(&'g Role<'a>, &'g PolicyRule<'a>)> {
    graph
        .role_grants(role, cluster_binding)
        .wildcards
        .iter()
        .map(|&(holder, rule)| {
            let holder = &graph.roles[holder];
            (holder, &holder.rules[rule])
        })
        .collect()
}

/// What a role's rules give through a binding of one scope, by index into the graph's
/// roles and their rules (the graph keeps one per role and scope: [`Graph::role_grants`]).
#[derive(Debug)]
pub struct RoleGrants {
    /// For each of [`CAPABILITIES`], the rules that give it, in rule order.
    matches: Vec<Vec<GrantAt>>,
    /// The rules using `*`: (holding role, rule).
    wildcards: Vec<(usize, usize)>,
}

/// A rule that gives a capability: the first request of an action it allows.
#[derive(Debug, Clone, Copy)]
struct GrantAt {
    holder: usize,
    rule: usize,
    verb: &'static str,
    group: &'static str,
    resource: &'static str,
}

impl RoleGrants {
    /// Works out what role `role` gives; [`Graph::role_grants`] keeps the result.
    pub fn of(graph: &Graph, role: usize, cluster_binding: bool) -> RoleGrants {
        let mut grants = RoleGrants {
            matches: vec![Vec::new(); CAPABILITIES.len()],
            wildcards: Vec::new(),
        };
        let held = graph.effective_rule_indexes(role);
        let rule_at = |&(holder, index): &(usize, usize)| &graph.roles[holder].rules[index];
        let rules: Vec<&PolicyRule> = held.iter().map(rule_at).collect();
        for (capability, found) in CAPABILITIES.iter().zip(&mut grants.matches) {
            let actions = usable_actions(capability, cluster_binding, &rules);
            for at in &held {
                let rule = rule_at(at);
                if let Some((verb, group, resource)) = actions
                    .iter()
                    .find_map(|action| action_match(capability, action, rule))
                {
                    found.push(GrantAt {
                        holder: at.0,
                        rule: at.1,
                        verb,
                        group,
                        resource,
                    });
                }
            }
        }
        grants.wildcards = held
            .iter()
            .copied()
            .filter(|at| !wildcard_lists(rule_at(at)).is_empty())
            .collect();
        grants
    }
}

/// Whether the binding's role is cluster-admin in effect (`*` on `*` in `*`): the core
/// rule `cluster-admin-binding` reports those, so the finer rules stay quiet.
pub fn grants_everything(graph: &Graph, binding: &Binding) -> bool {
    binding
        .role_ref
        .as_ref()
        .is_some_and(|r| r.kind == "ClusterRole" && r.name == "cluster-admin")
        || graph
            .bound_role(binding)
            .is_some_and(|(index, _)| graph.role_grants_everything(index))
}

/// Subjects that are the control plane's own identities (`system:kube-scheduler`,
/// `system:nodes`, ...): their bootstrap permissions are by design. The groups that reach
/// ordinary identities (`system:authenticated`, `system:unauthenticated`,
/// `system:serviceaccounts[:ns]`) and the anonymous user are not among them.
pub fn is_control_plane_subject(subject: &Subject) -> bool {
    match subject.kind {
        SubjectKind::ServiceAccount => false,
        SubjectKind::User => {
            subject.name.starts_with("system:") && subject.name != "system:anonymous"
        }
        SubjectKind::Group => {
            subject.name.starts_with("system:")
                && !matches!(
                    subject.name,
                    "system:authenticated" | "system:unauthenticated" | "system:serviceaccounts"
                )
                && !subject.name.starts_with("system:serviceaccounts:")
        }
    }
}

/// Whether a role grants nothing beyond what every authenticated identity has anyway:
/// discovery URLs, health checks and reviews of its own access.
pub fn is_trivial(rules: &[(&Role, &PolicyRule)]) -> bool {
    const SELF_REVIEWS: &[&str] = &[
        "selfsubjectaccessreviews",
        "selfsubjectrulesreviews",
        "selfsubjectreviews",
    ];
    rules.iter().all(|(_, rule)| {
        let read_only_urls = rule.resources.is_empty()
            && rule.non_resource_urls.iter().all(|u| is_public_url(u))
            && rule
                .verbs
                .iter()
                .all(|v| matches!(*v, "get" | "head" | "options"));
        let self_review = !rule.resources.is_empty()
            && rule.resources.iter().all(|r| SELF_REVIEWS.contains(r))
            && rule.verbs.iter().all(|v| *v == "create");
        read_only_urls || self_review
    })
}

/// URLs every cluster serves to everyone: discovery, health, version, the OIDC issuer
/// documents. `*` and prefixes such as `/logs` or `/debug` are not among them.
fn is_public_url(url: &str) -> bool {
    const PUBLIC: &[&str] = &[
        "/api",
        "/apis",
        "/version",
        "/healthz",
        "/livez",
        "/readyz",
        "/openapi",
        "/.well-known/openid-configuration",
        "/openid/v1/jwks",
    ];
    let base = url.trim_end_matches('*').trim_end_matches('/');
    PUBLIC
        .iter()
        .any(|p| base == *p || base.starts_with(&format!("{p}/")))
}

/// Whether every rule of a role only reads the public URLs of [`is_public_url`].
pub fn only_public_urls(rules: &[(&Role, &PolicyRule)]) -> bool {
    rules.iter().all(|(_, rule)| {
        rule.resources.is_empty()
            && !rule.non_resource_urls.is_empty()
            && rule.non_resource_urls.iter().all(|u| is_public_url(u))
            && rule
                .verbs
                .iter()
                .all(|v| matches!(*v, "get" | "head" | "options"))
    })
}

/// Which of a rule's lists hold `*` (`*/exec` included). Rules of nonResourceURLs only
/// grant no resources and are left alone.
pub fn wildcard_lists(rule: &PolicyRule) -> Vec<&'static str> {
    let mut found = Vec::new();
    if rule.resources.is_empty() {
        return found;
    }
    if rule.verbs.contains(&"*") {
        found.push("verbs");
    }
    if rule
        .resources
        .iter()
        .any(|r| *r == "*" || r.starts_with("*/"))
    {
        found.push("resources");
    }
    if rule.api_groups.contains(&"*") {
        found.push("apiGroups");
    }
    found
}
