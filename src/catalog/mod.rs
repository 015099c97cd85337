//! The rule catalog: which rules exist and what their docs say. A rule's identity is a
//! [`RuleId`] from one table; its doc (`rules/<name>.md`, embedded) is the single source of
//! its code, severity, category, CIS reference, summary, options and examples. Everything
//! that names rules (configuration, suppressions, findings, reports, the language server)
//! asks here; only `crate::rules` knows how a rule checks.

mod docs;
mod severity;

use std::sync::OnceLock;

pub use docs::{parse_rule_doc, Example, RuleDoc};
pub use severity::Severity;

/// Where the rule docs are published (SARIF `helpUri`, the language server's code links).
pub const INFORMATION_URI: &str = "https://github.com/salint/salint";

/// Declares [`RuleId`] and the table of names and embedded docs from one list.
macro_rules! rule_table {
    ($($variant:ident => $name:literal,)*) => {
        /// A rule, by identity. `Copy`, cheap to compare and hash; its name, code and doc
        /// come from the table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RuleId {
            $($variant,)*
        }

        /// (rule, name, doc source), in declaration order.
        const TABLE: &[(RuleId, &str, &str)] = &[
            $((RuleId::$variant, $name, include_str!(concat!("../../rules/", $name, ".md"))),)*
        ];
    };
}

rule_table! {
    DefaultServiceAccount => "default-service-account",
    SharedServiceAccount => "shared-service-account",
    MissingServiceAccount => "missing-service-account",
    DeprecatedServiceAccountField => "deprecated-service-account-field",
    NeedlessTokenAutomount => "needless-token-automount",
    LegacyTokenSecret => "legacy-token-secret",
    PowerfulTokenMounted => "powerful-token-mounted",
    LongLivedProjectedToken => "long-lived-projected-token",
    ClusterAdminBinding => "cluster-admin-binding",
    WildcardPermission => "wildcard-permission",
    SecretsAccess => "secrets-access",
    PodCreation => "pod-creation",
    PodExec => "pod-exec",
    TokenCreation => "token-creation",
    PrivilegeEscalation => "privilege-escalation",
    NodeProxy => "node-proxy",
    ControlPlaneTakeover => "control-plane-takeover",
    AnonymousAccess => "anonymous-access",
    BroadServiceAccountGroup => "broad-service-account-group",
    EscalationPath => "escalation-path",
    CrossNamespaceReference => "cross-namespace-reference",
    DanglingRoleRef => "dangling-role-ref",
    InvalidFieldType => "invalid-field-type",
    DuplicateKey => "duplicate-key",
    DuplicateObject => "duplicate-object",
    UnusedSuppression => "unused-suppression",
    SuppressionWithoutReason => "suppression-without-reason",
}

static DOCS: OnceLock<Vec<RuleDoc>> = OnceLock::new();

impl RuleId {
    fn entry(self) -> &'static (RuleId, &'static str, &'static str) {
        &TABLE[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.entry().1
    }

    /// The doc's Markdown source as embedded.
    pub fn doc_source(self) -> &'static str {
        self.entry().2
    }

    /// The parsed doc. The docs are part of the binary and a test parses each, so a
    /// broken doc cannot ship.
    pub fn doc(self) -> &'static RuleDoc {
        let docs = DOCS.get_or_init(|| {
            TABLE
                .iter()
                .map(|(_, name, source)| {
                    parse_rule_doc(source).unwrap_or_else(|e| panic!("rules/{name}.md: {e}"))
                })
                .collect()
        });
        &docs[self as usize]
    }

    pub fn code(self) -> &'static str {
        &self.doc().code
    }

    /// The published doc page.
    pub fn doc_url(self) -> String {
        format!("{INFORMATION_URI}/blob/main/rules/{}.md", self.name())
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Every rule, sorted by code.
pub fn all() -> Vec<RuleId> {
    let mut rules: Vec<RuleId> = TABLE.iter().map(|(id, _, _)| *id).collect();
    rules.sort_by_key(|r| r.code());
    rules
}

/// A rule by name or code (codes case-insensitively).
pub fn find(name_or_code: &str) -> Option<RuleId> {
    TABLE
        .iter()
        .map(|(id, _, _)| *id)
        .find(|r| r.name() == name_or_code || r.code().eq_ignore_ascii_case(name_or_code))
}

/// The rules a selector names, as `--select`/`--ignore` take them: `ALL`, a rule name, a
/// code or a code prefix (`SA2`: the token rules), or a category (`rbac`). Empty when it
/// names none.
pub fn select(selector: &str) -> Vec<RuleId> {
    if selector.eq_ignore_ascii_case("ALL") {
        return all();
    }
    let is_code_prefix = selector.len() >= 2
        && selector[..2].eq_ignore_ascii_case("SA")
        && selector[2..].bytes().all(|b| b.is_ascii_digit());
    all()
        .into_iter()
        .filter(|rule| {
            rule.name() == selector
                || rule.doc().category == selector
                || (is_code_prefix
                    && rule.code().len() >= selector.len()
                    && rule.code()[..selector.len()].eq_ignore_ascii_case(selector))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_takes_the_options_its_doc_shows() {
        let keys = |name: &str| find(name).unwrap().doc().option_keys.clone();
        assert_eq!(keys("shared-service-account"), ["allow"]);
        assert_eq!(
            keys("long-lived-projected-token"),
            ["max-expiration-seconds"]
        );
        assert_eq!(keys("cluster-admin-binding"), ["allowed-subjects"]);
        // A doc that describes only global settings under `## Options` declares none.
        assert!(keys("cross-namespace-reference").is_empty());
        assert!(keys("pod-exec").is_empty());
    }

    #[test]
    fn selectors_name_rules_by_name_code_prefix_and_category() {
        let names = |selector| -> Vec<&str> { select(selector).iter().map(|r| r.name()).collect() };
        assert_eq!(
            names("needless-token-automount"),
            ["needless-token-automount"]
        );
        assert_eq!(names("sa201"), ["needless-token-automount"]);
        assert_eq!(names("SA20").len(), 4);
        assert!(names("rbac").contains(&"cluster-admin-binding"));
        assert!(!names("rbac").contains(&"needless-token-automount"));
        assert_eq!(select("ALL").len(), all().len());
        assert!(select("no-such-rule").is_empty());
        assert!(select("SAx").is_empty());
        assert!(select("tokens-x").is_empty());
    }

    #[test]
    fn the_table_is_in_variant_order_and_each_doc_names_its_rule() {
        for (index, (id, name, _)) in TABLE.iter().enumerate() {
            assert_eq!(*id as usize, index);
            assert_eq!(id.doc().name, *name, "rules/{name}.md names another rule");
        }
    }
}
