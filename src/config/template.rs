//! The file `salint init` writes.

/// A commented starting configuration: every key, with the defaults.
pub const INIT_TEMPLATE: &str = r#"# salint configuration (https://github.com/salint/salint#configuration)
# Command-line flags override these values; `salint config` shows the effective ones.

# Rules by name or code: off, note, warning or error; or a mapping with `severity`
# and the rule's options.
rules:
  # Identity
  default-service-account: warning
  shared-service-account:
    severity: warning
    # ServiceAccounts allowed to be shared, as namespace/name (or a bare name).
    allow: []
  missing-service-account: warning
  deprecated-service-account-field: warning
  # Tokens
  needless-token-automount: warning
  legacy-token-secret: warning
  powerful-token-mounted: warning
  long-lived-projected-token:
    severity: warning
    # The longest expirationSeconds accepted (one hour plus the kubelet's slack).
    max-expiration-seconds: 3607
  # RBAC
  cluster-admin-binding:
    severity: error
    # Subjects allowed to hold cluster-admin: Group:NAME, User:NAME, ServiceAccount:NS/NAME.
    allowed-subjects: []
  wildcard-permission: warning
  secrets-access: warning
  pod-creation: warning
  pod-exec: warning
  token-creation: warning
  privilege-escalation: error
  node-proxy: error
  control-plane-takeover: error
  anonymous-access: error
  broad-service-account-group: warning
  escalation-path: warning            # a path to cluster-admin is one level higher (error)
  # References
  cross-namespace-reference: warning
  dangling-role-ref: warning
  # Validity: values the API server would reject.
  invalid-field-type: error
  duplicate-key: warning
  duplicate-object: warning
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

# Which binding subjects the permission rules (secrets-access, pod-creation, ...) judge:
# service-accounts (ServiceAccounts and the groups that contain them, whose credentials sit
# in pods) or all (users and groups of people too).
permission-subjects: service-accounts

# A folder loaded as context for cross-object rules (findings only for the files named).
context: null

# Which files are applied to one cluster together, each cluster judged on its own
# (default: decided by salint; see the README's "Clusters").
clusters: {}
#  prod: ["clusters/prod/**", "apps/base/**"]
#  staging: ["clusters/staging/**", "apps/base/**"]

# How kustomizations are rendered: auto (kustomize build, else kubectl kustomize, from
# PATH), never (lint their resources as written), or a command the folder is appended to;
# and Helm charts: auto (helm from PATH), never, or a program taking helm's arguments.
render:
  kustomize: auto
  helm: auto
  # The release name of every chart (default: the chart's name).
  helm-release: null
  # The renderings of a chart: lists of values files (default: its own values, plus one
  # rendering per ci/*-values.yaml).
  helm-values: {}
  #  charts/web: [[], [values-prod.yaml]]
  # Seconds one rendering may take.
  timeout: 60
"#;
