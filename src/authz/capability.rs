//! The dangerous capabilities: things a subject should rarely be able to do ("read every
//! Secret", "run a pod as any ServiceAccount"), each written as the API requests that
//! achieve it and named after the rule that reports it. Whether a binding's scope reaches a
//! request is [`super::scope`]'s question (a RoleBinding never reaches `nodes/proxy`); the
//! wording of the findings is the rules'.

use crate::catalog::RuleId;

/// API requests, any one of which gives the capability.
#[derive(Debug)]
pub struct Action {
    pub verbs: &'static [&'static str],
    /// The API group (`""` is the core group).
    pub group: &'static str,
    /// Resources as the API server combines them (`pods/exec`).
    pub resources: &'static [&'static str],
    /// Requests the same role must allow too for this action to give the capability (a
    /// CSR is approved only with `approve` on its signer and `update` on its `approval`).
    pub also: &'static [Action],
    /// Whether the authorizer is asked in a namespace although the resource is
    /// cluster-scoped: `bind` on a ClusterRole is checked in the namespace of the RoleBinding
    /// being created (`BindingAuthorized` in pkg/registry/rbac/escalation_check.go), so a
    /// RoleBinding grants it there. No API request is filed that way.
    pub checked_in_namespace: bool,
}

/// A dangerous capability, and the rule that reports it.
#[derive(Debug)]
pub struct Capability {
    pub rule: RuleId,
    /// Whether the danger needs the request on every object of the resource (reading all
    /// Secrets), so a rule narrowed by `resourceNames` does not give it; otherwise one
    /// named object is enough (binding `cluster-admin`, exec into one pod, a token for one
    /// ServiceAccount).
    pub all_objects: bool,
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
        also: &[],
        checked_in_namespace: false,
    }
}

const WRITE: &[&str] = &["create", "update", "patch", "delete"];
const WORKLOADS_APPS: &[&str] = &["deployments", "daemonsets", "statefulsets", "replicasets"];

/// Secrets hold credentials, legacy ServiceAccount tokens among them; `list` and `watch`
/// return their contents as `get` does.
pub const SECRETS_ACCESS: Capability = Capability {
    rule: RuleId::SecretsAccess,
    all_objects: true,
    actions: &[action(&["get", "list", "watch"], "", &["secrets"])],
};

/// Whoever can run a pod can run it as any ServiceAccount of the namespace.
pub const POD_CREATION: Capability = Capability {
    rule: RuleId::PodCreation,
    all_objects: false,
    actions: &[
        action(&["create"], "", &["pods", "replicationcontrollers"]),
        // A pod's image can be changed in place: the new code runs as the pod's SA.
        action(
            &["update", "patch"],
            "",
            &["pods", "replicationcontrollers"],
        ),
        action(&["create", "update", "patch"], "apps", WORKLOADS_APPS),
        // A Job's pod template is immutable; a CronJob's is not.
        action(&["create"], "batch", &["jobs", "cronjobs"]),
        action(&["update", "patch"], "batch", &["cronjobs"]),
    ],
};

/// Exec and attach run code inside a pod; an ephemeral container does the same.
pub const POD_EXEC: Capability = Capability {
    rule: RuleId::PodExec,
    all_objects: false,
    actions: &[
        action(&["create", "get"], "", &["pods/exec", "pods/attach"]),
        action(&["patch", "update"], "", &["pods/ephemeralcontainers"]),
    ],
};

/// A token for any ServiceAccount of the namespace, or a never-expiring one written by the
/// control plane into a `kubernetes.io/service-account-token` Secret.
pub const TOKEN_CREATION: Capability = Capability {
    rule: RuleId::TokenCreation,
    all_objects: false,
    actions: &[
        action(&["create"], "", &["serviceaccounts/token"]),
        action(&["create", "update", "patch"], "", &["secrets"]),
    ],
};

/// `bind` and `escalate` grant what the subject does not hold; `impersonate` acts as
/// another identity.
pub const PRIVILEGE_ESCALATION: Capability = Capability {
    rule: RuleId::PrivilegeEscalation,
    all_objects: false,
    actions: &[
        Action {
            checked_in_namespace: true,
            ..action(
                &["bind"],
                "rbac.authorization.k8s.io",
                &["roles", "clusterroles"],
            )
        },
        // `escalate` is checked with the role write's own request (`RoleEscalationAuthorized`
        // in pkg/registry/rbac/escalation_check.go): a ClusterRole's is filed under no
        // namespace.
        action(
            &["escalate"],
            "rbac.authorization.k8s.io",
            &["roles", "clusterroles"],
        ),
        action(
            &["impersonate"],
            "",
            &["serviceaccounts", "users", "groups"],
        ),
        action(
            &["impersonate"],
            "authentication.k8s.io",
            &["userextras", "uids"],
        ),
    ],
};

/// The kubelet API behind `nodes/proxy` runs commands in any pod of the node.
pub const NODE_PROXY: Capability = Capability {
    rule: RuleId::NodeProxy,
    all_objects: false,
    actions: &[action(&["get", "create"], "", &["nodes/proxy"])],
};

/// Admission webhooks, client certificates, hostPath PersistentVolumes, namespace labels
/// (Pod Security), CRDs, node objects and `services/status` (CVE-2020-8554).
pub const CONTROL_PLANE_TAKEOVER: Capability = Capability {
    rule: RuleId::ControlPlaneTakeover,
    all_objects: false,
    actions: &[
        action(
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
            also: &[action(
                &["update"],
                "certificates.k8s.io",
                &["certificatesigningrequests/approval"],
            )],
            ..action(&["approve"], "certificates.k8s.io", &["signers"])
        },
        action(&["create"], "", &["persistentvolumes"]),
        // A RoleBinding reaches its own namespace object (`/api/v1/namespaces/NS` is in NS).
        action(&["update", "patch"], "", &["namespaces"]),
        action(
            WRITE,
            "apiextensions.k8s.io",
            &["customresourcedefinitions"],
        ),
        action(&["update", "patch"], "", &["services/status"]),
        action(&["update", "patch"], "", &["nodes", "nodes/status"]),
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

impl Capability {
    /// The capability's position in [`CAPABILITIES`].
    pub fn index(&self) -> usize {
        CAPABILITIES
            .iter()
            .position(|c| c.rule == self.rule)
            .expect("every capability is in CAPABILITIES")
    }
}
