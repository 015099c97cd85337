//! Roles, ClusterRoles and their bindings.

use std::ops::Deref;

use super::{Namespace, Object};
use crate::source::Span;
use crate::yaml::Node;

/// One entry of a role's `rules`.
#[derive(Debug, Clone)]
pub struct PolicyRule<'a> {
    pub node: &'a Node,
    pub api_groups: Vec<&'a str>,
    pub resources: Vec<&'a str>,
    pub verbs: Vec<&'a str>,
    pub resource_names: Vec<&'a str>,
    pub non_resource_urls: Vec<&'a str>,
}

impl<'a> PolicyRule<'a> {
    pub fn from_node(node: &'a Node) -> Self {
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

    /// The span of the rule's entry (the `- ` item of `rules`).
    pub fn span(&self) -> Span {
        self.node.span
    }

    /// Whether `resourceNames` limits the rule to named objects: then it reaches only the
    /// objects it names (see `crate::authz::matching::allowed_objects`).
    pub fn is_narrowed(&self) -> bool {
        !self.resource_names.is_empty()
    }
}

/// A label selector requirement of an aggregation rule.
#[derive(Debug, Clone)]
pub enum LabelRequirement<'a> {
    Equals(&'a str, &'a str),
    In(&'a str, Vec<&'a str>),
    NotIn(&'a str, Vec<&'a str>),
    Exists(&'a str),
    DoesNotExist(&'a str),
}

/// A `clusterRoleSelectors` entry: all requirements must hold.
#[derive(Debug, Clone)]
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

/// A role's rules: its own, or a built-in role's, read once and shared (a `Cow` would make
/// `Role` invariant in its lifetime).
#[derive(Debug)]
pub enum Rules<'a> {
    Owned(Vec<PolicyRule<'a>>),
    Shared(&'a [PolicyRule<'a>]),
}

impl<'a> Deref for Rules<'a> {
    type Target = [PolicyRule<'a>];

    fn deref(&self) -> &[PolicyRule<'a>] {
        match self {
            Rules::Owned(rules) => rules,
            Rules::Shared(rules) => rules,
        }
    }
}

/// A Role or ClusterRole.
#[derive(Debug)]
pub struct Role<'a> {
    pub object: &'a Object,
    pub cluster: bool,
    /// The Role's namespace; `None` for ClusterRoles.
    pub namespace: Option<Namespace>,
    /// Borrowed for a built-in role: every cluster's graph shares the rules read once
    /// (see [`Role::shared`]).
    pub rules: Rules<'a>,
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
        let rules = Rules::Owned(rules);
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
            builtin: object.file == crate::model::builtin::BUILTIN_FILE,
        })
    }

    /// The same role, its rules borrowed from `self`: what a graph adds for a built-in
    /// role read once for the process, instead of reading its rules again per cluster.
    pub fn shared(&'a self) -> Role<'a> {
        Role {
            object: self.object,
            cluster: self.cluster,
            namespace: self.namespace.clone(),
            rules: Rules::Shared(&self.rules),
            aggregation: self.aggregation.clone(),
            aggregation_span: self.aggregation_span,
            labels: self.labels.clone(),
            builtin: self.builtin,
        }
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

    /// `ClusterRole edit`, `Role shop/reader`.
    pub fn label(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {}", self.kind(), ns.qualify(self.name())),
            None => format!("{} {}", self.kind(), self.name()),
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

    /// `RoleBinding shop/api-edit`, `ClusterRoleBinding admins`.
    pub fn label(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {}", self.kind(), ns.qualify(&self.object.name)),
            None => format!("{} {}", self.kind(), self.object.name),
        }
    }
}
