//! `privilege-escalation` (rules/privilege-escalation.md): a permission rule of the capability template
//! ([`super::capability`]); which requests give it is [`PRIVILEGE_ESCALATION`].

use super::capability::CapabilityRule;
use crate::authz::capability::PRIVILEGE_ESCALATION;

pub const RULE: CapabilityRule = CapabilityRule {
    capability: &PRIVILEGE_ESCALATION,
    what: "grant or assume more than it holds",
    why: "`bind` and `escalate` on roles let a subject grant permissions it does not have, and `impersonate` lets it act as another user, group or ServiceAccount",
};
