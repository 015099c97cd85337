//! The built-in resources: which API group a bare name is in and which are cluster-scoped
//! (one table, for every question), and request targets as users write them (`pods`,
//! `pods/exec`, `deployments.apps`, `/healthz`), read the way `kubectl auth can-i` reads
//! them.
//!
//! Without a cluster there is no discovery, so the table stands in for it: it gives the API
//! group of a bare name (`deployments` is in `apps`, as kubectl would find out) and tells
//! cluster-scoped resources apart, because a RoleBinding never grants those (see
//! [`super::scope`]).

/// The built-in resources: (API group, resource, cluster-scoped). Subresources share the
/// scope of their resource. `users`, `groups`, `userextras`, `uids` and `signers` are
/// the virtual resources of impersonation and CSR approval.
const KNOWN: &[(&str, &str, bool)] = &[
    ("", "pods", false),
    ("", "services", false),
    ("", "endpoints", false),
    ("", "configmaps", false),
    ("", "secrets", false),
    ("", "serviceaccounts", false),
    ("", "persistentvolumeclaims", false),
    ("", "replicationcontrollers", false),
    ("", "events", false),
    ("", "limitranges", false),
    ("", "resourcequotas", false),
    ("", "podtemplates", false),
    ("", "bindings", false),
    ("", "nodes", true),
    ("", "namespaces", true),
    ("", "persistentvolumes", true),
    ("", "componentstatuses", true),
    ("", "users", true),
    ("", "groups", true),
    ("apps", "deployments", false),
    ("apps", "daemonsets", false),
    ("apps", "statefulsets", false),
    ("apps", "replicasets", false),
    ("apps", "controllerrevisions", false),
    ("batch", "jobs", false),
    ("batch", "cronjobs", false),
    ("autoscaling", "horizontalpodautoscalers", false),
    ("policy", "poddisruptionbudgets", false),
    ("networking.k8s.io", "ingresses", false),
    ("networking.k8s.io", "networkpolicies", false),
    ("networking.k8s.io", "ingressclasses", true),
    ("discovery.k8s.io", "endpointslices", false),
    ("coordination.k8s.io", "leases", false),
    ("rbac.authorization.k8s.io", "roles", false),
    ("rbac.authorization.k8s.io", "rolebindings", false),
    ("rbac.authorization.k8s.io", "clusterroles", true),
    ("rbac.authorization.k8s.io", "clusterrolebindings", true),
    ("storage.k8s.io", "storageclasses", true),
    ("storage.k8s.io", "csidrivers", true),
    ("storage.k8s.io", "csinodes", true),
    ("storage.k8s.io", "volumeattachments", true),
    ("storage.k8s.io", "csistoragecapacities", false),
    (
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        true,
    ),
    (
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        true,
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicies",
        true,
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicybindings",
        true,
    ),
    ("apiextensions.k8s.io", "customresourcedefinitions", true),
    ("apiregistration.k8s.io", "apiservices", true),
    ("certificates.k8s.io", "certificatesigningrequests", true),
    ("certificates.k8s.io", "signers", true),
    ("scheduling.k8s.io", "priorityclasses", true),
    ("node.k8s.io", "runtimeclasses", true),
    ("flowcontrol.apiserver.k8s.io", "flowschemas", true),
    (
        "flowcontrol.apiserver.k8s.io",
        "prioritylevelconfigurations",
        true,
    ),
    ("authentication.k8s.io", "tokenreviews", true),
    ("authentication.k8s.io", "selfsubjectreviews", true),
    ("authentication.k8s.io", "userextras", true),
    ("authentication.k8s.io", "uids", true),
    ("authorization.k8s.io", "subjectaccessreviews", true),
    ("authorization.k8s.io", "selfsubjectaccessreviews", true),
    ("authorization.k8s.io", "selfsubjectrulesreviews", true),
    ("authorization.k8s.io", "localsubjectaccessreviews", false),
];

/// Whether `resource` (`nodes/proxy` counts as `nodes`) of `group` is cluster-scoped.
/// Resources the table does not know (custom resources) count as namespaced: a
/// RoleBinding may grant them.
pub fn is_cluster_scoped(group: &str, resource: &str) -> bool {
    let base = resource.split('/').next().unwrap_or(resource);
    KNOWN
        .iter()
        .any(|&(g, r, cluster)| cluster && g == group && r == base)
}

/// What a request is about: a resource of an API group, or a non-resource URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Resource {
        /// `""` is the core group.
        group: String,
        /// As the API server combines it: `pods` or `pods/exec`.
        resource: String,
        /// Whether the group was inferred from the table rather than written.
        inferred: bool,
        /// A bare name the table does not know: taken as a core resource.
        unknown: bool,
    },
    Url(String),
}

impl Target {
    /// Reads `RESOURCE[.GROUP][/SUBRESOURCE]` or a URL starting with `/`, as `kubectl auth
    /// can-i` does; the group of a bare name comes from the table of built-in resources.
    pub fn parse(text: &str) -> Result<Target, String> {
        if text.starts_with('/') {
            return Ok(Target::Url(text.to_string()));
        }
        let (main, subresource) = match text.split_once('/') {
            Some((main, sub)) => (main, Some(sub)),
            None => (text, None),
        };
        if main.is_empty() || subresource.is_some_and(|s| s.is_empty() || s.contains('/')) {
            return Err(format!(
                "cannot read resource `{text}`: write RESOURCE[.GROUP][/SUBRESOURCE], e.g. pods, pods/exec, deployments.apps"
            ));
        }
        let (name, group, inferred, unknown) = match main.split_once('.') {
            Some((name, group)) => (name, group.to_string(), false, false),
            None => match KNOWN.iter().find(|&&(_, r, _)| r == main) {
                Some(&(group, _, _)) => (main, group.to_string(), !group.is_empty(), false),
                None => (main, String::new(), false, main != "*"),
            },
        };
        let resource = match subresource {
            Some(sub) => format!("{name}/{sub}"),
            None => name.to_string(),
        };
        Ok(Target::Resource {
            group,
            resource,
            inferred,
            unknown,
        })
    }

    /// `secrets (core API group)`, `deployments (API group apps)`, `URL /healthz`.
    pub fn phrase(&self) -> String {
        match self {
            Target::Resource {
                group, resource, ..
            } if group.is_empty() => format!("{resource} (core API group)"),
            Target::Resource {
                group, resource, ..
            } => format!("{resource} (API group {group})"),
            Target::Url(url) => format!("the non-resource URL {url}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(group: &str, resource: &str, inferred: bool) -> Target {
        Target::Resource {
            group: group.into(),
            resource: resource.into(),
            inferred,
            unknown: false,
        }
    }

    #[test]
    fn resources_read_like_kubectl_auth_can_i() {
        assert_eq!(Target::parse("pods").unwrap(), resource("", "pods", false));
        assert_eq!(
            Target::parse("pods/exec").unwrap(),
            resource("", "pods/exec", false)
        );
        assert_eq!(
            Target::parse("deployments.apps").unwrap(),
            resource("apps", "deployments", false)
        );
        assert_eq!(
            Target::parse("deployments").unwrap(),
            resource("apps", "deployments", true)
        );
        assert_eq!(
            Target::parse("deployments.apps/scale").unwrap(),
            resource("apps", "deployments/scale", false)
        );
        assert_eq!(
            Target::parse("customresourcedefinitions.apiextensions.k8s.io").unwrap(),
            resource("apiextensions.k8s.io", "customresourcedefinitions", false)
        );
        assert_eq!(
            Target::parse("/healthz").unwrap(),
            Target::Url("/healthz".into())
        );
        assert!(Target::parse("pods/").is_err());
        assert!(Target::parse("a/b/c").is_err());
        assert!(matches!(
            Target::parse("widgets").unwrap(),
            Target::Resource { unknown: true, .. }
        ));
    }

    #[test]
    fn subresources_share_their_resource_scope() {
        assert!(is_cluster_scoped("", "nodes/proxy"));
        assert!(is_cluster_scoped("", "namespaces"));
        assert!(!is_cluster_scoped("", "pods/exec"));
        assert!(!is_cluster_scoped("example.com", "widgets"));
        assert!(!is_cluster_scoped("apps", "nodes"));
    }
}
