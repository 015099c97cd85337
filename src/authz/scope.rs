//! Where a binding applies, and what a role gives through a binding of a scope.
//!
//! The binding's part of the authorizer (plugin/pkg/auth/authorizer/rbac/rbac.go,
//! `VisitRulesFor` in pkg/registry/rbac/validation/rule.go): a ClusterRoleBinding applies
//! to every request, a RoleBinding only to requests filed under its namespace. The API
//! server files requests on cluster-scoped resources and non-resource URLs under no
//! namespace, so a RoleBinding grants neither; but a request on one namespace object (`GET`,
//! `PUT`, `PATCH` or `DELETE /api/v1/namespaces/NS`, `GET /api/v1/watch/namespaces/NS`, and
//! its subresources) is filed under namespace NS, so a RoleBinding in NS reaches that one
//! object.

use super::capability::{Action, Capability, CAPABILITIES};
use super::matching::{allowed_objects, allows_url, wildcard_lists, Objects};
use super::resources::is_cluster_scoped;
use crate::model::rbac::{Binding, PolicyRule};
use crate::model::Namespace;

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'n> {
    /// A ClusterRoleBinding: everywhere.
    Cluster,
    /// A RoleBinding: in its namespace (`None` when it is not known: objects without one).
    Namespace(Option<&'n str>),
}

impl<'n> Scope<'n> {
    pub fn of(binding: &'n Binding) -> Scope<'n> {
        match &binding.namespace {
            _ if binding.cluster => Scope::Cluster,
            Some(Namespace::Named(ns)) => Scope::Namespace(Some(ns)),
            _ => Scope::Namespace(None),
        }
    }

    /// The scope of any binding of this kind, whatever its namespace: what a role gives is
    /// worked out once per role and kind of binding.
    pub fn of_kind(cluster_binding: bool) -> Scope<'static> {
        match cluster_binding {
            true => Scope::Cluster,
            false => Scope::Namespace(None),
        }
    }
}

/// The objects a request allowed through a binding may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach<'r> {
    Any,
    /// Only these names (`resourceNames`).
    Only(&'r [&'r str]),
    /// Only the namespace object of the RoleBinding's own namespace.
    OwnNamespace,
}

/// Verbs whose requests go to a collection's path (`POST /api/v1/namespaces`, `GET
/// /api/v1/namespaces`, `DELETE` of many): filed under no namespace, even for namespaces.
const COLLECTION_VERBS: &[&str] = &["create", "list", "deletecollection"];

/// Whether `rule`, bound in `scope`, allows `verb` on `resource` of `group`, and which
/// objects the request may then name.
pub fn scoped_allows<'r>(
    scope: Scope,
    rule: &'r PolicyRule,
    verb: &str,
    group: &str,
    resource: &str,
) -> Option<Reach<'r>> {
    let objects = allowed_objects(rule, verb, group, resource)?;
    let Scope::Namespace(own) = scope else {
        return Some(reach(objects));
    };
    if !is_cluster_scoped(group, resource) {
        return Some(reach(objects));
    }
    // Only the binding's own namespace object, by a request filed under that namespace.
    let namespace_object = group.is_empty()
        && resource.split('/').next() == Some("namespaces")
        && !COLLECTION_VERBS.contains(&verb);
    if !namespace_object {
        return None;
    }
    match (objects, own) {
        (Objects::Only(names), Some(own)) if !names.contains(&own) => None,
        _ => Some(Reach::OwnNamespace),
    }
}

/// Whether `rule`, bound in `scope`, allows `verb` on the non-resource URL `url`: only
/// ever through a ClusterRoleBinding.
pub fn scoped_allows_url(scope: Scope, rule: &PolicyRule, verb: &str, url: &str) -> bool {
    scope == Scope::Cluster && allows_url(rule, verb, url)
}

/// Whether the request `verb` on `resource` of `group` is one the API server checks in the
/// namespace of the object being written although the resource is cluster-scoped
/// ([`Action::checked_in_namespace`]: `bind` on ClusterRoles, checked in the namespace of
/// the RoleBinding being created).
pub fn is_checked_in_namespace(verb: &str, group: &str, resource: &str) -> bool {
    CAPABILITIES.iter().flat_map(|c| c.actions).any(|action| {
        action.checked_in_namespace
            && action.group == group
            && action.verbs.contains(&verb)
            && action.resources.contains(&resource)
    })
}

/// [`scoped_allows`] for a request as the API server checks it: a request checked in a
/// namespace ([`is_checked_in_namespace`]) is granted by a RoleBinding for objects written
/// in the binding's own namespace.
pub fn request_allows<'r>(
    scope: Scope,
    rule: &'r PolicyRule,
    verb: &str,
    group: &str,
    resource: &str,
) -> Option<Reach<'r>> {
    allows_in(
        is_checked_in_namespace(verb, group, resource),
        scope,
        (rule, verb, group, resource),
    )
}

/// [`scoped_allows`], or for an action checked in a namespace ([`Action::checked_in_namespace`])
/// the rule's answer in any namespace.
fn allows_for<'r>(
    action: &Action,
    scope: Scope,
    rule: &'r PolicyRule,
    verb: &str,
    group: &str,
    resource: &str,
) -> Option<Reach<'r>> {
    allows_in(
        action.checked_in_namespace,
        scope,
        (rule, verb, group, resource),
    )
}

/// The rule's answer in any namespace for a request checked in a namespace (a RoleBinding
/// grants it for objects of its own), else [`scoped_allows`].
fn allows_in<'r>(
    checked_in_namespace: bool,
    scope: Scope,
    (rule, verb, group, resource): (&'r PolicyRule, &str, &str, &str),
) -> Option<Reach<'r>> {
    match checked_in_namespace {
        true => allowed_objects(rule, verb, group, resource).map(reach),
        false => scoped_allows(scope, rule, verb, group, resource),
    }
}

fn reach(objects: Objects) -> Reach {
    match objects {
        Objects::Any => Reach::Any,
        Objects::Only(names) => Reach::Only(names),
    }
}

/// A rule that gives a capability: (role writing it, index into its `rules`), and the first
/// request of an action it allows.
#[derive(Debug, Clone, Copy)]
pub struct RuleAt {
    pub holder: usize,
    pub rule: usize,
    pub verb: &'static str,
    pub group: &'static str,
    pub resource: &'static str,
}

/// What a role's rules give through a binding of one kind: for each capability the rules
/// that give it, and the rules using `*`. Rules are named by (holding role, index into its
/// `rules`), as the graph holds them.
#[derive(Debug)]
pub struct RoleAccess {
    /// For each of [`CAPABILITIES`], the rules that give it, in rule order.
    capabilities: Vec<Vec<RuleAt>>,
    /// The rules using `*`.
    wildcards: Vec<(usize, usize)>,
}

impl RoleAccess {
    /// Works out what the rules `held` (with their places) give through a binding of
    /// `scope`.
    pub fn of(held: &[((usize, usize), &PolicyRule)], scope: Scope) -> RoleAccess {
        let rules: Vec<&PolicyRule> = held.iter().map(|(_, rule)| *rule).collect();
        let capabilities = CAPABILITIES
            .iter()
            .map(|capability| {
                let actions = usable_actions(capability, scope, &rules);
                held.iter()
                    .filter_map(|&((holder, index), rule)| {
                        let (verb, group, resource) = actions
                            .iter()
                            .find_map(|action| action_match(capability, action, rule, scope))?;
                        Some(RuleAt {
                            holder,
                            rule: index,
                            verb,
                            group,
                            resource,
                        })
                    })
                    .collect()
            })
            .collect();
        let wildcards = held
            .iter()
            .filter(|(_, rule)| !wildcard_lists(rule).is_empty())
            .map(|(at, _)| *at)
            .collect();
        RoleAccess {
            capabilities,
            wildcards,
        }
    }

    /// The rules that give `capability`, in rule order.
    pub fn capability(&self, capability: &Capability) -> &[RuleAt] {
        &self.capabilities[capability.index()]
    }

    /// The rules using `*` in verbs, resources or apiGroups.
    pub fn wildcards(&self) -> &[(usize, usize)] {
        &self.wildcards
    }
}

/// The actions of `capability` a binding of `scope` can give through a role with `rules`:
/// those needing nothing more, and each needing more whose other requests the role allows
/// too, with those requests.
fn usable_actions(
    capability: &Capability,
    scope: Scope,
    rules: &[&PolicyRule],
) -> Vec<&'static Action> {
    let mut usable: Vec<&'static Action> = Vec::new();
    let actions: &'static [Action] = capability.actions;
    for action in actions {
        if action.also.is_empty() {
            usable.push(action);
        } else if action.also.iter().all(|needed| {
            rules
                .iter()
                .any(|rule| action_match(capability, needed, rule, scope).is_some())
        }) {
            usable.push(action);
            usable.extend(action.also.iter());
        }
    }
    usable
}

/// The first request of `action` that `rule` allows in `scope`, on every object when the
/// capability needs all of them.
fn action_match(
    capability: &Capability,
    action: &Action,
    rule: &PolicyRule,
    scope: Scope,
) -> Option<(&'static str, &'static str, &'static str)> {
    let (verbs, group): (&'static [&'static str], &'static str) = (action.verbs, action.group);
    let resources: &'static [&'static str] = action.resources;
    resources.iter().find_map(|resource| {
        verbs
            .iter()
            .find(
                |verb| match allows_for(action, scope, rule, verb, group, resource) {
                    Some(Reach::Any) => true,
                    Some(_) => !capability.all_objects,
                    None => false,
                },
            )
            .map(|verb| (*verb, group, *resource))
    })
}
