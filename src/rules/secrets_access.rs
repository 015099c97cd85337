//! `secrets-access` (rules/secrets-access.md): a permission rule of the capability template
//! ([`super::capability`]); which requests give it is [`SECRETS_ACCESS`].

use super::capability::CapabilityRule;
use crate::authz::capability::SECRETS_ACCESS;

pub const RULE: CapabilityRule = CapabilityRule {
    capability: &SECRETS_ACCESS,
    what: "read Secrets",
    why: "Secrets hold credentials, legacy ServiceAccount tokens among them; `list` and `watch` return their contents as `get` does",
};
