//! The URLs every cluster serves to everyone, and roles that grant nothing more.

use crate::model::rbac::PolicyRule;

/// Whether a role's rules grant nothing beyond what every authenticated identity has
/// anyway: discovery URLs, health checks and reviews of its own access.
pub fn is_trivial<'r, 'a: 'r>(rules: impl IntoIterator<Item = &'r PolicyRule<'a>>) -> bool {
    const SELF_REVIEWS: &[&str] = &[
        "selfsubjectaccessreviews",
        "selfsubjectrulesreviews",
        "selfsubjectreviews",
    ];
    rules.into_iter().all(|rule| {
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
pub fn is_public_url(url: &str) -> bool {
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

/// Whether every rule only reads the public URLs of [`is_public_url`].
pub fn only_public_urls<'r, 'a: 'r>(rules: impl IntoIterator<Item = &'r PolicyRule<'a>>) -> bool {
    rules.into_iter().all(|rule| {
        rule.resources.is_empty()
            && !rule.non_resource_urls.is_empty()
            && rule.non_resource_urls.iter().all(|u| is_public_url(u))
            && rule
                .verbs
                .iter()
                .all(|v| matches!(*v, "get" | "head" | "options"))
    })
}
