//! The requests behind each escalation step: what an identity must be allowed to do to get
//! what another identity (or a role) holds. The steps themselves, and the closure over
//! them, are `crate::graph::escalation`'s; here are only the RBAC facts, matched with
//! [`super::scope::scoped_allows`] like every other request salint asks about.
//!
//! The facts (Kubernetes RBAC good practices, "Privilege escalation risks"):
//! - a pod names any ServiceAccount of its own namespace, so whoever creates pods (or
//!   writes the pod template of a workload controller) runs code as any of them;
//! - `create` on `serviceaccounts/token` mints a token for the named ServiceAccount, and a
//!   `kubernetes.io/service-account-token` Secret created in a namespace is filled by the
//!   control plane with a token of the ServiceAccount it names;
//! - `get`, `list` and `watch` on `secrets` return the token stored in a token Secret;
//! - `create` (or `get`, for the WebSocket upgrade) on `pods/exec` and `pods/attach`, and
//!   writing `pods/ephemeralcontainers`, run code in a running pod, which holds its token;
//! - `impersonate` on `users`, `groups` or `serviceaccounts` acts as that identity
//!   (impersonating groups needs a user to impersonate as well: the `Impersonate-Group`
//!   header is only read with `Impersonate-User`); `userextras` and `uids` only add to an
//!   impersonated user and give no identity of their own;
//! - `bind` on a role lets a subject create a binding to it although it does not hold the
//!   role's permissions, given `create` or `update` on the binding kind; `escalate` lets it
//!   write rules it does not hold into a role, given `update` or `patch` on that role;
//! - the kubelet API behind `nodes/proxy` runs commands in every pod of the node;
//! - a mutating admission webhook rewrites every pod created afterwards, its
//!   ServiceAccount included.

use super::matching::allowed_objects;
use super::scope::{scoped_allows, Reach, Scope};
use crate::model::rbac::PolicyRule;

/// One kind of request that makes (or completes) a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Want {
    /// Create pods, or write the pod template of a workload controller.
    RunPods,
    /// `create` on `serviceaccounts/token`.
    TokenRequest,
    /// `create` on `secrets`: a token Secret is filled by the control plane.
    CreateSecrets,
    /// `get`, `list` or `watch` on `secrets`.
    ReadSecrets,
    /// Exec, attach, ephemeral containers.
    EnterPods,
    ImpersonateUsers,
    ImpersonateGroups,
    ImpersonateServiceAccounts,
    /// `bind` on `roles` (namespaced) or `clusterroles`.
    BindRoles,
    BindClusterRoles,
    /// `create` or `update` on `rolebindings` / `clusterrolebindings`: the companion of `bind`.
    WriteRoleBindings,
    WriteClusterRoleBindings,
    /// `escalate` on `roles` / `clusterroles`.
    EscalateRoles,
    EscalateClusterRoles,
    /// `update` or `patch` on `roles` / `clusterroles`: the companion of `escalate`.
    UpdateRoles,
    UpdateClusterRoles,
    /// `get` or `create` on `nodes/proxy`.
    NodeProxy,
    /// Write mutating webhook configurations.
    MutatingWebhooks,
}

/// The requests of one [`Want`]: any of them is enough.
pub struct StepRequests {
    pub want: Want,
    pub verbs: &'static [&'static str],
    pub group: &'static str,
    pub resources: &'static [&'static str],
    /// Checked in the namespace of the binding being created although the resource is
    /// cluster-scoped (`bind`, see `super::capability::PRIVILEGE_ESCALATION`).
    pub checked_in_namespace: bool,
}

const fn requests(
    want: Want,
    verbs: &'static [&'static str],
    group: &'static str,
    resources: &'static [&'static str],
) -> StepRequests {
    StepRequests {
        want,
        verbs,
        group,
        resources,
        checked_in_namespace: false,
    }
}

const RBAC: &str = "rbac.authorization.k8s.io";

/// Every request a step needs, in the order steps are tried. A Job's pod template is
/// immutable once created, so only `create` counts for jobs.
pub const STEP_REQUESTS: &[StepRequests] = &[
    requests(Want::RunPods, &["create"], "", &["pods"]),
    requests(
        Want::RunPods,
        &["create", "update", "patch"],
        "apps",
        &["deployments", "daemonsets", "statefulsets", "replicasets"],
    ),
    requests(
        Want::RunPods,
        &["create", "update", "patch"],
        "",
        &["replicationcontrollers"],
    ),
    requests(Want::RunPods, &["create"], "batch", &["jobs"]),
    requests(
        Want::RunPods,
        &["create", "update", "patch"],
        "batch",
        &["cronjobs"],
    ),
    requests(
        Want::TokenRequest,
        &["create"],
        "",
        &["serviceaccounts/token"],
    ),
    requests(Want::CreateSecrets, &["create"], "", &["secrets"]),
    requests(
        Want::ReadSecrets,
        &["get", "list", "watch"],
        "",
        &["secrets"],
    ),
    requests(
        Want::EnterPods,
        &["create", "get"],
        "",
        &["pods/exec", "pods/attach"],
    ),
    requests(
        Want::EnterPods,
        &["patch", "update"],
        "",
        &["pods/ephemeralcontainers"],
    ),
    requests(Want::ImpersonateUsers, &["impersonate"], "", &["users"]),
    requests(Want::ImpersonateGroups, &["impersonate"], "", &["groups"]),
    requests(
        Want::ImpersonateServiceAccounts,
        &["impersonate"],
        "",
        &["serviceaccounts"],
    ),
    StepRequests {
        checked_in_namespace: true,
        ..requests(Want::BindRoles, &["bind"], RBAC, &["roles"])
    },
    StepRequests {
        checked_in_namespace: true,
        ..requests(Want::BindClusterRoles, &["bind"], RBAC, &["clusterroles"])
    },
    requests(
        Want::WriteRoleBindings,
        &["create", "update"],
        RBAC,
        &["rolebindings"],
    ),
    requests(
        Want::WriteClusterRoleBindings,
        &["create", "update"],
        RBAC,
        &["clusterrolebindings"],
    ),
    requests(Want::EscalateRoles, &["escalate"], RBAC, &["roles"]),
    requests(
        Want::EscalateClusterRoles,
        &["escalate"],
        RBAC,
        &["clusterroles"],
    ),
    requests(Want::UpdateRoles, &["update", "patch"], RBAC, &["roles"]),
    requests(
        Want::UpdateClusterRoles,
        &["update", "patch"],
        RBAC,
        &["clusterroles"],
    ),
    requests(Want::NodeProxy, &["get", "create"], "", &["nodes/proxy"]),
    requests(
        Want::MutatingWebhooks,
        &["create", "update", "patch"],
        "admissionregistration.k8s.io",
        &["mutatingwebhookconfigurations"],
    ),
];

/// The first request of `wanted` that `rule`, bound in `scope`, allows, and which objects
/// it may name: the authorizer's answer ([`scoped_allows`]), or for a request checked in
/// a namespace the rule's answer in any namespace.
pub fn first_allowed<'r>(
    wanted: &StepRequests,
    scope: Scope,
    rule: &'r PolicyRule,
) -> Option<(&'static str, &'static str, Reach<'r>)> {
    wanted.resources.iter().find_map(|resource| {
        wanted.verbs.iter().find_map(|verb| {
            let reach = match wanted.checked_in_namespace {
                true => allowed_objects(rule, verb, wanted.group, resource).map(|o| match o {
                    super::matching::Objects::Any => Reach::Any,
                    super::matching::Objects::Only(names) => Reach::Only(names),
                }),
                false => scoped_allows(scope, rule, verb, wanted.group, resource),
            }?;
            Some((*verb, *resource, reach))
        })
    })
}
