//! Roles, ClusterRoles and their bindings.

use super::{Namespace, Object};
use crate::source::Span;
use crate::yaml::Node;

/// One entry of a role's `rules`.
#[derive(Debug)]
pub struct PolicyRule<'a> {
    pub node: &'a Node,
    pub api_groups: Vec<&'a str>,
    pub resources: Vec<&'a str>,
    pub verbs: Vec<&'a str>,
    pub resource_names: Vec<&'a str>,
    pub non_resource_urls: Vec<&'a str>,
}

impl<'a> PolicyRule<'a> {
    fn from_node(node: &'a Node) -> Self {
        let list = |key: &str| {
            node.get(key)
                .map(|n| n.str_items().collect())
                .unwrap_or_default()
        };
        PolicyRule {
            node,
            api_groups: list("apiGroups"),
            resources: list("resources"),
            verbs: list("verbs"),
            resource_names: list("resourceNames"),
            non_resource_urls: list("nonResourceURLs"),
        }
    }

    /// `*` verbs on `*` resources in `*` apiGroups, not narrowed by resourceNames: what
    /// cluster-admin grants on resources.
    pub fn grants_everything(&self) -> bool {
        self.verbs.contains(&"*")
            && self.resources.contains(&"*")
            && self.api_groups.contains(&"*")
            && self.resource_names.is_empty()
    }

    /// The span of the rule's entry (the `- ` item of `rules`).
    pub fn span(&self) -> Span {
        self.node.span
    }

    /// Whether the rule allows `verb` (`*` allows every verb).
    pub fn matches_verb(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| *v == "*" || *v == verb)
    }

    /// Whether the rule covers API group `group` (`""` is the core group).
    pub fn matches_group(&self, group: &str) -> bool {
        self.api_groups.iter().any(|g| *g == "*" || *g == group)
    }

    /// Whether the rule covers `resource`, written as the API server combines it:
    /// `pods` or `pods/exec`. As in Kubernetes' `ResourceMatches`: `*` covers every
    /// resource and subresource, `*/exec` covers the `exec` subresource of any resource,
    /// and otherwise the names must be equal (`pods` does not cover `pods/exec`).
    pub fn matches_resource(&self, resource: &str) -> bool {
        let subresource = resource.split_once('/').map(|(_, sub)| sub);
        self.resources.iter().any(|r| {
            *r == "*"
                || *r == resource
                || subresource.is_some_and(|sub| r.strip_prefix("*/") == Some(sub))
        })
    }

    /// Whether `resourceNames` limits the rule to named objects: then it reaches only the
    /// objects it names (see [`PolicyRule::allowed_objects`]).
    pub fn is_narrowed(&self) -> bool {
        !self.resource_names.is_empty()
    }

    /// Which objects the rule lets a request of `verb` on `resource` (`pods`, `pods/exec`) in
    /// `group` name: `None` if none, else all of them or only those of `resourceNames`.
    ///
    /// As the authorizer decides it (`RuleAllows` in plugin/pkg/auth/authorizer/rbac/rbac.go,
    /// `ResourceNameMatches` in pkg/apis/rbac/v1/evaluation_helpers.go): a rule with
    /// `resourceNames` allows only requests that carry one of those names. The API server's
    /// RequestInfo (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go) gives a name to
    /// every request on one object, to `list` and `watch` with the field selector
    /// `metadata.name=NAME`, and to a request on a subresource (`create` on `pods/exec`,
    /// `serviceaccounts/token` or `pods/eviction` names the parent object); only
    /// `deletecollection` and `create` on a resource itself (the name is in the body) carry
    /// none, so such a rule never allows those.
    pub fn allowed_objects(&self, verb: &str, group: &str, resource: &str) -> Option<Objects<'_>> {
        if !(self.matches_verb(verb)
            && self.matches_group(group)
            && self.matches_resource(resource))
        {
            return None;
        }
        if !self.is_narrowed() {
            return Some(Objects::Any);
        }
        let nameless = verb == "deletecollection" || (verb == "create" && !resource.contains('/'));
        (!nameless).then_some(Objects::Only(&self.resource_names))
    }

    /// Whether the rule allows `verb` on `resource` in `group` for at least one object
    /// (see [`PolicyRule::allowed_objects`]).
    pub fn allows_some(&self, verb: &str, group: &str, resource: &str) -> bool {
        self.allowed_objects(verb, group, resource).is_some()
    }

    /// Whether the rule allows `verb` on every object of `resource` in `group`: matched
    /// with Kubernetes' wildcard and subresource semantics, and not narrowed by
    /// `resourceNames`.
    pub fn allows(&self, verb: &str, group: &str, resource: &str) -> bool {
        matches!(
            self.allowed_objects(verb, group, resource),
            Some(Objects::Any)
        )
    }

    /// Whether the rule allows `verb` on the non-resource URL `url` (`/healthz`); trailing
    /// `*`s in the rule make a prefix match, as in Kubernetes' `NonResourceURLMatches`
    /// (pkg/apis/rbac/v1/evaluation_helpers.go).
    pub fn allows_url(&self, verb: &str, url: &str) -> bool {
        self.matches_verb(verb)
            && self.non_resource_urls.iter().any(|u| {
                if u.ends_with('*') {
                    url.starts_with(u.trim_end_matches('*'))
                } else {
                    *u == url
                }
            })
    }
}

/// The objects a rule lets a request name (see [`PolicyRule::allowed_objects`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objects<'r> {
    Any,
    /// Only these names (`resourceNames`).
    Only(&'r [&'r str]),
}

/// A label selector requirement of an aggregation rule.
#[derive(Debug)]
pub enum LabelRequirement<'a> {
    Equals(&'a str, &'a str),
    In(&'a str, Vec<&'a str>),
    NotIn(&'a str, Vec<&'a str>),
    Exists(&'a str),
    DoesNotExist(&'a str),
}

/// A `clusterRoleSelectors` entry: all requirements must hold.
#[derive(Debug)]
pub struct LabelSelector<'a> {
    pub requirements: Vec<LabelRequirement<'a>>,
    /// Whether `LabelSelectorAsSelector` (k8s.io/apimachinery `pkg/apis/meta/v1/helpers.go`)
    /// accepts it: an operator it knows, values for `In` and `NotIn` and none for `Exists`
    /// and `DoesNotExist`. The aggregation controller leaves a role with an invalid selector
    /// as it is.
    pub valid: bool,
}

impl<'a> LabelSelector<'a> {
    fn from_node(node: &'a Node) -> Self {
        let mut requirements = Vec::new();
        let mut valid = true;
        if let Some(labels) = node.get("matchLabels").and_then(Node::as_map) {
            for entry in labels {
                if let (Some(k), Some(v)) = (entry.key.as_str(), entry.value.as_str()) {
                    requirements.push(LabelRequirement::Equals(k, v));
                }
            }
        }
        for expression in node.get("matchExpressions").map(Node::items).unwrap_or(&[]) {
            let Some(key) = expression.get("key").and_then(Node::as_str) else {
                valid = false;
                continue;
            };
            let values: Vec<&str> = expression
                .get("values")
                .map(|n| n.str_items().collect())
                .unwrap_or_default();
            let operator = expression.get("operator").and_then(Node::as_str);
            match operator {
                Some("In") if !values.is_empty() => {
                    requirements.push(LabelRequirement::In(key, values))
                }
                Some("NotIn") if !values.is_empty() => {
                    requirements.push(LabelRequirement::NotIn(key, values))
                }
                Some("Exists") if values.is_empty() => {
                    requirements.push(LabelRequirement::Exists(key))
                }
                Some("DoesNotExist") if values.is_empty() => {
                    requirements.push(LabelRequirement::DoesNotExist(key))
                }
                _ => valid = false,
            }
        }
        LabelSelector {
            requirements,
            valid,
        }
    }

    /// Whether an object with these labels is selected. As in `LabelSelectorAsSelector`, an
    /// empty selector (`{}`) selects everything, cluster-admin included; an invalid one
    /// nothing.
    pub fn matches(&self, labels: &[(&str, &str)]) -> bool {
        let get = |key: &str| labels.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        self.valid
            && self.requirements.iter().all(|req| match req {
                LabelRequirement::Equals(k, v) => get(k) == Some(*v),
                LabelRequirement::In(k, vs) => get(k).is_some_and(|v| vs.contains(&v)),
                LabelRequirement::NotIn(k, vs) => get(k).is_none_or(|v| !vs.contains(&v)),
                LabelRequirement::Exists(k) => get(k).is_some(),
                LabelRequirement::DoesNotExist(k) => get(k).is_none(),
            })
    }
}

/// A Role or ClusterRole.
#[derive(Debug)]
pub struct Role<'a> {
    pub object: &'a Object,
    pub cluster: bool,
    /// The Role's namespace; `None` for ClusterRoles.
    pub namespace: Option<Namespace>,
    pub rules: Vec<PolicyRule<'a>>,
    /// `aggregationRule.clusterRoleSelectors`, for ClusterRoles that aggregate others.
    pub aggregation: Option<Vec<LabelSelector<'a>>>,
    /// The span of the `aggregationRule` key.
    pub aggregation_span: Option<Span>,
    pub labels: Vec<(&'a str, &'a str)>,
    /// A built-in ClusterRole known without its object (see `crate::builtin`).
    pub builtin: bool,
}

impl<'a> Role<'a> {
    pub fn from_object(object: &'a Object, namespace: &Namespace) -> Option<Self> {
        let cluster = match object.kind.as_str() {
            "Role" => false,
            "ClusterRole" => true,
            _ => return None,
        };
        if !object.api_version.starts_with("rbac.authorization.k8s.io/") {
            return None;
        }
        let rules = object
            .root
            .get("rules")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .map(PolicyRule::from_node)
            .collect();
        let aggregation_entry = object.root.entry("aggregationRule").filter(|_| cluster);
        let aggregation = aggregation_entry.map(|entry| {
            entry
                .value
                .get("clusterRoleSelectors")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .map(LabelSelector::from_node)
                .collect()
        });
        let labels = object
            .metadata()
            .and_then(|m| m.get("labels"))
            .and_then(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .filter_map(|e| Some((e.key.as_str()?, e.value.as_str()?)))
            .collect();
        Some(Role {
            object,
            cluster,
            namespace: (!cluster).then(|| namespace.clone()),
            rules,
            aggregation,
            aggregation_span: aggregation_entry.map(|e| e.key.span),
            labels,
            builtin: object.file == crate::builtin::BUILTIN_FILE,
        })
    }

    pub fn name(&self) -> &str {
        &self.object.name
    }

    pub fn kind(&self) -> &str {
        if self.cluster {
            "ClusterRole"
        } else {
            "Role"
        }
    }
}

/// A binding's `roleRef`.
#[derive(Debug)]
pub struct RoleRef<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    /// The span of the `roleRef.name` value.
    pub name_span: Span,
}

/// Kinds of binding subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    ServiceAccount,
    User,
    Group,
}

/// One subject of a binding.
#[derive(Debug)]
pub struct Subject<'a> {
    pub kind: SubjectKind,
    pub name: &'a str,
    pub name_span: Span,
    /// The namespace the subject refers to. A RoleBinding's ServiceAccount subject without
    /// `namespace` means the binding's own namespace.
    pub namespace: Namespace,
    /// The span of the subject's `namespace` value, when written.
    pub namespace_span: Option<Span>,
}

/// A RoleBinding or ClusterRoleBinding.
#[derive(Debug)]
pub struct Binding<'a> {
    pub object: &'a Object,
    pub cluster: bool,
    /// The binding's namespace (RoleBindings); `None` for ClusterRoleBindings.
    pub namespace: Option<Namespace>,
    pub role_ref: Option<RoleRef<'a>>,
    pub subjects: Vec<Subject<'a>>,
}

impl<'a> Binding<'a> {
    pub fn from_object(object: &'a Object, namespace: &Namespace) -> Option<Self> {
        let cluster = match object.kind.as_str() {
            "RoleBinding" => false,
            "ClusterRoleBinding" => true,
            _ => return None,
        };
        if !object.api_version.starts_with("rbac.authorization.k8s.io/") {
            return None;
        }
        let role_ref = object.root.get("roleRef").and_then(|node| {
            let name = node.get("name")?;
            Some(RoleRef {
                kind: node
                    .get("kind")
                    .and_then(Node::as_str)
                    .unwrap_or("ClusterRole"),
                name: name.as_str()?,
                name_span: name.span,
            })
        });
        let subjects = object
            .root
            .get("subjects")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(|node| {
                let kind = match node.get("kind")?.as_str()? {
                    "ServiceAccount" => SubjectKind::ServiceAccount,
                    "User" => SubjectKind::User,
                    "Group" => SubjectKind::Group,
                    _ => return None,
                };
                let name_node = node.get("name")?;
                // The user name of a ServiceAccount's token: the ServiceAccount itself.
                if kind == SubjectKind::User {
                    let name = name_node.as_str()?;
                    if let Some((ns, sa)) = name
                        .strip_prefix("system:serviceaccount:")
                        .and_then(|rest| rest.split_once(':'))
                        .filter(|(ns, sa)| !ns.is_empty() && !sa.is_empty())
                    {
                        return Some(Subject {
                            kind: SubjectKind::ServiceAccount,
                            name: sa,
                            name_span: name_node.span,
                            namespace: Namespace::Named(ns.to_string()),
                            namespace_span: None,
                        });
                    }
                }
                let namespace_node = node
                    .get("namespace")
                    .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()));
                let subject_namespace = match namespace_node.and_then(Node::as_str) {
                    Some(ns) => Namespace::Named(ns.to_string()),
                    None if !cluster => namespace.clone(),
                    // The API server rejects a ClusterRoleBinding whose ServiceAccount
                    // subject has no namespace: it grants nothing.
                    None if kind == SubjectKind::ServiceAccount => return None,
                    None => Namespace::Implicit,
                };
                Some(Subject {
                    kind,
                    name: name_node.as_str()?,
                    name_span: name_node.span,
                    namespace: subject_namespace,
                    namespace_span: namespace_node.map(|n| n.span),
                })
            })
            .collect();
        Some(Binding {
            object,
            cluster,
            namespace: (!cluster).then(|| namespace.clone()),
            role_ref,
            subjects,
        })
    }

    pub fn kind(&self) -> &str {
        if self.cluster {
            "ClusterRoleBinding"
        } else {
            "RoleBinding"
        }
    }
}
