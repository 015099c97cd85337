//! Whether one policy rule allows a request, as the RBAC authorizer decides it (`RuleAllows`
//! in plugin/pkg/auth/authorizer/rbac/rbac.go, with the helpers of
//! pkg/apis/rbac/v1/evaluation_helpers.go). The binding's part, where the rule applies at
//! all, is [`super::scope`].

use crate::model::rbac::PolicyRule;

/// Whether the rule allows `verb` (`*` allows every verb).
pub fn matches_verb(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| *v == "*" || *v == verb)
}

/// Whether the rule covers API group `group` (`""` is the core group).
pub fn matches_group(rule: &PolicyRule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| *g == "*" || *g == group)
}

/// Whether the rule covers `resource`, written as the API server combines it: `pods` or
/// `pods/exec`. As in Kubernetes' `ResourceMatches`: `*` covers every resource and
/// subresource, `*/exec` covers the `exec` subresource of any resource, and otherwise the
/// names must be equal (`pods` does not cover `pods/exec`).
pub fn matches_resource(rule: &PolicyRule, resource: &str) -> bool {
    let subresource = resource.split_once('/').map(|(_, sub)| sub);
    rule.resources.iter().any(|r| {
        *r == "*"
            || *r == resource
            || subresource.is_some_and(|sub| r.strip_prefix("*/") == Some(sub))
    })
}

/// Whether a request of `verb` on `resource` carries no object name, so a rule narrowed by
/// `resourceNames` never allows it. The API server's RequestInfo
/// (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go) names every request on one
/// object, `list` and `watch` with the field selector `metadata.name=NAME`, and a request
/// on a subresource (`create` on `pods/exec`, `serviceaccounts/token` or `pods/eviction`
/// names the parent object); only `deletecollection` and `create` on a resource itself
/// (the name is in the body) carry none.
pub fn names_no_object(verb: &str, resource: &str) -> bool {
    verb == "deletecollection" || (verb == "create" && !resource.contains('/'))
}

/// The objects a rule lets a request name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objects<'r> {
    Any,
    /// Only these names (`resourceNames`).
    Only(&'r [&'r str]),
}

/// Which objects the rule lets a request of `verb` on `resource` (`pods`, `pods/exec`) in
/// `group` name: `None` if none, else all of them or only those of `resourceNames`
/// (`ResourceNameMatches`: a narrowed rule allows only requests that carry one of its
/// names, see [`names_no_object`]).
pub fn allowed_objects<'r>(
    rule: &'r PolicyRule,
    verb: &str,
    group: &str,
    resource: &str,
) -> Option<Objects<'r>> {
    if !(matches_verb(rule, verb) && matches_group(rule, group) && matches_resource(rule, resource))
    {
        return None;
    }
    if !rule.is_narrowed() {
        return Some(Objects::Any);
    }
    (!names_no_object(verb, resource)).then_some(Objects::Only(&rule.resource_names))
}

/// Whether the rule allows `verb` on the non-resource URL `url` (`/healthz`); trailing
/// `*`s in the rule make a prefix match, as in `NonResourceURLMatches`.
pub fn allows_url(rule: &PolicyRule, verb: &str, url: &str) -> bool {
    matches_verb(rule, verb)
        && rule.non_resource_urls.iter().any(|u| {
            if u.ends_with('*') {
                url.starts_with(u.trim_end_matches('*'))
            } else {
                *u == url
            }
        })
}

/// `*` verbs on `*` resources in `*` apiGroups, not narrowed by resourceNames: what
/// cluster-admin grants on resources.
pub fn is_cluster_admin_equivalent(rule: &PolicyRule) -> bool {
    rule.verbs.contains(&"*")
        && rule.resources.contains(&"*")
        && rule.api_groups.contains(&"*")
        && rule.resource_names.is_empty()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::load_documents;

    fn with_rule(yaml: &str, check: impl FnOnce(&PolicyRule)) {
        let loaded = load_documents(yaml);
        let root = &loaded.documents[0].root;
        check(&PolicyRule::from_node(root));
    }

    #[test]
    fn non_resource_urls_match_by_prefix_with_a_trailing_star() {
        with_rule(
            r#"{nonResourceURLs: ["/metrics*", /healthz], verbs: [get]}"#,
            |rule| {
                assert!(allows_url(rule, "get", "/metrics/cadvisor"));
                assert!(allows_url(rule, "get", "/healthz"));
                assert!(!allows_url(rule, "get", "/healthz/etcd"));
                assert!(!allows_url(rule, "post", "/healthz"));
            },
        );
    }

    #[test]
    fn wildcards_and_subresources_match_as_the_authorizer_matches_them() {
        with_rule(
            r#"{apiGroups: [""], resources: ["*/exec", pods], verbs: [create]}"#,
            |rule| {
                assert_eq!(
                    allowed_objects(rule, "create", "", "pods/exec"),
                    Some(Objects::Any)
                );
                assert_eq!(
                    allowed_objects(rule, "create", "", "nodes/exec"),
                    Some(Objects::Any)
                );
                assert_eq!(allowed_objects(rule, "create", "", "pods/attach"), None);
                assert_eq!(allowed_objects(rule, "create", "apps", "pods"), None);
                assert_eq!(wildcard_lists(rule), ["resources"]);
            },
        );
    }

    #[test]
    fn resource_names_narrow_every_request_that_names_an_object() {
        with_rule(
            r#"{apiGroups: [""], resources: [pods, pods/exec], verbs: ["*"], resourceNames: [web]}"#,
            |rule| {
                let web: &[&str] = &["web"];
                assert_eq!(
                    allowed_objects(rule, "get", "", "pods"),
                    Some(Objects::Only(web))
                );
                assert_eq!(
                    allowed_objects(rule, "list", "", "pods"),
                    Some(Objects::Only(web))
                );
                // The request names the parent pod.
                assert_eq!(
                    allowed_objects(rule, "create", "", "pods/exec"),
                    Some(Objects::Only(web))
                );
                // The name is in the body, or there is none.
                assert_eq!(allowed_objects(rule, "create", "", "pods"), None);
                assert_eq!(allowed_objects(rule, "deletecollection", "", "pods"), None);
                assert!(!is_cluster_admin_equivalent(rule));
            },
        );
    }
}
