//! The file `salint init` writes.

/// A commented starting configuration: every key, with the defaults.
pub const INIT_TEMPLATE: &str = r#"# salint configuration (https://github.com/salint/salint#configuration)
# Command-line flags override these values; `salint config` shows the effective ones.

# Rules by name or code: off, note, warning or error; or a mapping with `severity`
# and the rule's options.
rules:
  default-service-account: warning
  shared-service-account:
    severity: warning
    # ServiceAccounts allowed to be shared, as namespace/name (or a bare name).
    allow: []
  needless-token-automount: warning
  legacy-token-secret: warning
  cluster-admin-binding:
    severity: error
    # Subjects allowed to hold cluster-admin: Group:NAME, User:NAME, ServiceAccount:NS/NAME.
    allowed-subjects: []
  cross-namespace-reference: warning
  # Suppressions that silence nothing, and suppressions without a reason.
  unused-suppression: note
  suppression-without-reason: warning

# Files read inside folders (default: *.yaml, *.yml, *.json) and files skipped.
include: []
exclude: []

# The namespace of objects without metadata.namespace (what `kubectl -n` applies).
namespace: null

# Lowest severity that fails the run (exit code 1).
fail-on: warning

namespaces:
  # Objects in these namespaces get no findings.
  skip: []
  # References into or out of these namespaces are expected (cross-namespace-reference).
  system: [kube-system]

# Rules ignored for paths matching a glob.
per-path-ignores: {}
#  "legacy/**": [default-service-account]

# A folder loaded as context for cross-object rules (findings only for the files named).
context: null
"#;
