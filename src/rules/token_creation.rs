//! `token-creation` (rules/token-creation.md): a permission rule of the capability template
//! ([`super::capability`]); which requests give it is [`TOKEN_CREATION`].

use super::capability::CapabilityRule;
use crate::authz::capability::TOKEN_CREATION;

pub const RULE: CapabilityRule = CapabilityRule {
    capability: &TOKEN_CREATION,
    what: "mint ServiceAccount tokens",
    why: "a token can be requested for any ServiceAccount of the namespace, and a Secret of type `kubernetes.io/service-account-token` makes the control plane write a never-expiring one",
};
