//! Adoption in a real repository: the configuration file, suppressions with reasons (as
//! annotations and as comments), and baselines. Each test builds a small repository in a
//! temporary folder and runs the binary there, as a user would.

use std::path::Path;

use insta_cmd::assert_cmd_snapshot;
use serde_json::Value;

mod common;
use common::{salint_in, scratch_repo};

/// A Deployment in `shop` on the default SA: fires default-service-account (SA101) and
/// needless-token-automount (SA201), both at the pod template's `spec:` key (line 10).
const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: api:1
";

fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    scratch_repo(files)
}

struct Run {
    code: i32,
    json: Value,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let output = salint_in(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    Run {
        code: output.status.code().unwrap(),
        json: serde_json::from_str(&stdout).unwrap_or(Value::Null),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn sarif(dir: &Path, args: &[&str]) -> Value {
    let output = salint_in(dir)
        .args(["check", "--format", "sarif"])
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap()
}

/// `code file:line:col` of each finding, plus ` suppressed(kind: reason)` when suppressed.
fn listed(json: &Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let mut text = format!(
                "{} {}:{}:{}",
                f["code"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["span"]["start"]["line"],
                f["span"]["start"]["column"]
            );
            if let Some(s) = f.get("suppression") {
                text.push_str(&format!(
                    " suppressed({}: {})",
                    s["kind"].as_str().unwrap(),
                    s["justification"].as_str().unwrap()
                ));
            }
            text
        })
        .collect()
}

fn with_annotation(key: &str, value: &str, on_template: bool) -> String {
    let annotation = format!("    annotations:\n      {key}: {value}\n");
    if on_template {
        DEPLOYMENT.replace(
            "      labels: {app: api}\n",
            &format!(
                "      labels: {{app: api}}\n  {}",
                annotation.replace("\n  ", "\n    ")
            ),
        )
    } else {
        DEPLOYMENT
            .replace(
                "  namespace: shop\n",
                &format!("  namespace: shop\n{annotation}"),
            )
            .replace("    annotations:", "  annotations:")
            .replace("      ignore", "    ignore")
    }
}

#[test]
fn annotation_on_the_object_silences_that_rule_with_its_reason() {
    let yaml = with_annotation(
        "ignore.salint.io/default-service-account",
        "\"legacy app, owner: team-shop\"",
        false,
    );
    let dir = repo(&[("d.yaml", &yaml)]);
    let plain = run(dir.path(), &["."]);
    assert_eq!(listed(&plain.json), ["SA201 d.yaml:12:5"]);
    assert_eq!(plain.json["summary"]["suppressed"], 1);
    let shown = run(dir.path(), &["--show-suppressed", "."]);
    assert_eq!(
        listed(&shown.json),
        [
            "SA101 d.yaml:12:5 suppressed(inSource: legacy app, owner: team-shop)",
            "SA201 d.yaml:12:5"
        ]
    );
}

#[test]
fn annotation_on_the_pod_template_counts_and_codes_work_as_names() {
    let yaml = with_annotation("ignore.salint.io/SA201", "token read by the sidecar", true);
    let dir = repo(&[("d.yaml", &yaml)]);
    let result = run(dir.path(), &["."]);
    assert_eq!(listed(&result.json), ["SA101 d.yaml:12:5"]);
    assert_eq!(result.code, 1);
}

#[test]
fn annotation_all_silences_every_rule_on_the_object() {
    let yaml = with_annotation("ignore.salint.io/all", "vendored, see VENDOR.md", false);
    let dir = repo(&[("d.yaml", &yaml)]);
    let result = run(dir.path(), &["."]);
    assert_eq!(listed(&result.json), Vec::<String>::new());
    assert_eq!(result.json["summary"]["suppressed"], 2);
    assert_eq!(result.code, 0);
}

#[test]
fn comments_on_the_line_above_on_the_line_and_at_the_document_head() {
    let above = DEPLOYMENT.replace(
        "    spec:\n",
        "    # salint: ignore[default-service-account] batch image, no API use\n    spec:\n",
    );
    let same_line = DEPLOYMENT.replace(
        "    spec:\n",
        "    spec:  # salint: ignore[SA201, SA101] reviewed in SEC-12\n",
    );
    let head = format!(
        "# Source: shop/templates/api.yaml\n# salint: ignore[needless-token-automount] chart default, fixed upstream\n{DEPLOYMENT}"
    );
    // Three workloads, not one defined three times (that is a duplicate-object).
    let (above, head) = (
        above.replace("name: api\n", "name: batch\n"),
        head.replace("name: api\n", "name: report\n"),
    );
    let dir = repo(&[
        ("above.yaml", &above),
        ("same.yaml", &same_line),
        ("head.yaml", &head),
    ]);
    let result = run(dir.path(), &["--show-suppressed", "."]);
    assert_eq!(
        listed(&result.json),
        [
            "SA101 above.yaml:11:5 suppressed(inSource: batch image, no API use)",
            "SA201 above.yaml:11:5",
            "SA101 head.yaml:12:5",
            "SA201 head.yaml:12:5 suppressed(inSource: chart default, fixed upstream)",
            "SA101 same.yaml:10:5 suppressed(inSource: reviewed in SEC-12)",
            "SA201 same.yaml:10:5 suppressed(inSource: reviewed in SEC-12)",
        ]
    );
}

#[test]
fn ignore_file_covers_every_object_of_the_file() {
    let text = format!(
        "# salint: ignore-file[SA101] generated by the vendor's installer\n{DEPLOYMENT}---\n{}",
        DEPLOYMENT.replace("name: api", "name: worker")
    );
    let dir = repo(&[("vendor.yaml", &text)]);
    let result = run(dir.path(), &["."]);
    assert_eq!(
        listed(&result.json),
        ["SA201 vendor.yaml:11:5", "SA201 vendor.yaml:25:5"]
    );
    assert_eq!(result.json["summary"]["suppressed"], 2);
}

#[test]
fn a_suppression_without_reason_is_a_finding_and_a_stale_one_a_note() {
    let yaml = with_annotation("ignore.salint.io/default-service-account", "\"\"", false)
        .replace(
            "    ignore.salint.io/default-service-account: \"\"\n",
            "    ignore.salint.io/default-service-account: \"\"\n    ignore.salint.io/cluster-admin-binding: not a binding\n    ignore.salint.io/no-such-rule: typo\n",
        );
    let dir = repo(&[("d.yaml", &yaml)]);
    let result = run(dir.path(), &["--show-suppressed", "."]);
    let codes: Vec<String> = listed(&result.json);
    assert_eq!(
        codes,
        [
            "SA902 d.yaml:7:5",
            "SA901 d.yaml:8:5",
            "SA901 d.yaml:9:5",
            "SA101 d.yaml:14:5 suppressed(inSource: )",
            "SA201 d.yaml:14:5",
        ]
    );
    let messages: Vec<&str> = result.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages[2].contains("names no rule (no-such-rule)"),
        "{}",
        messages[2]
    );
    assert_eq!(result.json["findings"][1]["severity"], "note");
}

#[test]
fn a_suppression_of_a_rule_turned_off_is_not_stale() {
    let yaml = with_annotation("ignore.salint.io/SA301", "break-glass admin", false);
    let config = "rules:\n  cluster-admin-binding: off\n";
    let dir = repo(&[("d.yaml", &yaml), (".salint.yaml", config)]);
    let result = run(dir.path(), &["."]);
    assert!(!listed(&result.json).iter().any(|f| f.starts_with("SA901")));
}

#[test]
fn sarif_marks_suppressed_results_with_kind_and_justification() {
    let yaml = with_annotation("ignore.salint.io/SA101", "legacy", false);
    let config = "per-path-ignores:\n  \"vendor/**\": [needless-token-automount]\n";
    let vendored = DEPLOYMENT.replace("name: api\n", "name: vendored\n");
    let dir = repo(&[
        ("d.yaml", &yaml),
        ("vendor/x.yaml", &vendored),
        (".salint.yaml", config),
    ]);
    let log = sarif(dir.path(), &["."]);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let summary: Vec<String> = results
        .iter()
        .map(|r| {
            let file = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            match r.get("suppressions") {
                Some(s) => format!(
                    "{} {file} {} {}",
                    r["ruleId"].as_str().unwrap(),
                    s[0]["kind"].as_str().unwrap(),
                    s[0]["justification"].as_str().unwrap()
                ),
                None => format!("{} {file}", r["ruleId"].as_str().unwrap()),
            }
        })
        .collect();
    assert_eq!(
        summary,
        [
            "SA101 d.yaml inSource legacy",
            "SA201 d.yaml",
            "SA101 vendor/x.yaml",
            "SA201 vendor/x.yaml external per-path-ignores `vendor/**` (.salint.yaml:2:3)",
        ]
    );
    // An in-source suppression says where it is written.
    let at = &results[0]["suppressions"][0]["location"]["physicalLocation"]["region"];
    assert_eq!(
        (at["startLine"].as_i64(), at["startColumn"].as_i64()),
        (Some(7), Some(5))
    );
}

#[test]
fn config_turns_rules_off_and_changes_severity_by_name_or_code() {
    let config = "rules:\n  SA101: off\n  needless-token-automount: error\n";
    let dir = repo(&[("d.yaml", DEPLOYMENT), (".salint.yaml", config)]);
    let result = run(dir.path(), &["."]);
    assert_eq!(listed(&result.json), ["SA201 d.yaml:10:5"]);
    assert_eq!(result.json["findings"][0]["severity"], "error");
    // --no-config restores the defaults.
    let plain = run(dir.path(), &["--no-config", "."]);
    assert_eq!(
        listed(&plain.json),
        ["SA101 d.yaml:10:5", "SA201 d.yaml:10:5"]
    );
}

#[test]
fn config_is_found_in_a_parent_folder_and_its_paths_are_relative_to_it() {
    let config = "per-path-ignores:\n  \"k8s/legacy/**\": [SA101, SA201]\n";
    let dir = repo(&[
        ("k8s/legacy/d.yaml", DEPLOYMENT),
        ("k8s/new/d.yaml", DEPLOYMENT),
        (".salint.yaml", config),
    ]);
    // Run from inside k8s/: the glob is still relative to the config file's folder.
    let result = run(&dir.path().join("k8s"), &["."]);
    assert_eq!(
        listed(&result.json),
        ["SA101 new/d.yaml:10:5", "SA201 new/d.yaml:10:5"]
    );
    assert_eq!(result.json["summary"]["suppressed"], 2);
}

#[test]
fn config_options_skip_namespaces_and_flags_override_the_file() {
    let config = "namespaces:\n  skip: [shop]\nfail-on: error\n";
    let other = DEPLOYMENT.replace("namespace: shop", "namespace: web");
    let dir = repo(&[
        ("d.yaml", DEPLOYMENT),
        ("web.yaml", &other),
        (".salint.yaml", config),
    ]);
    let result = run(dir.path(), &["."]);
    assert_eq!(
        listed(&result.json),
        ["SA101 web.yaml:10:5", "SA201 web.yaml:10:5"]
    );
    assert_eq!(
        result.code, 0,
        "fail-on: error in the file ignores warnings"
    );
    let flagged = run(dir.path(), &["--fail-on", "warning", "."]);
    assert_eq!(flagged.code, 1, "--fail-on overrides the file");
}

#[test]
fn config_allows_named_shared_service_accounts_and_cluster_admin_subjects() {
    let manifests = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: a, namespace: ops}
spec:
  template:
    spec:
      serviceAccountName: runner
      automountServiceAccountToken: false
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: b, namespace: ops}
spec:
  template:
    spec:
      serviceAccountName: runner
      automountServiceAccountToken: false
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: runner, namespace: ops}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: Group, name: platform-admins, apiGroup: rbac.authorization.k8s.io}
";
    let dir = repo(&[("m.yaml", manifests)]);
    let before = run(dir.path(), &["."]);
    let codes: Vec<String> = listed(&before.json)
        .into_iter()
        .map(|f| f[..5].to_string())
        .collect();
    assert!(codes.contains(&"SA102".to_string()), "{codes:?}");
    assert!(codes.contains(&"SA301".to_string()), "{codes:?}");
    let config = "\
rules:
  shared-service-account:
    allow: [ops/runner]
  cluster-admin-binding:
    allowed-subjects: [\"Group:platform-admins\"]
";
    std::fs::write(dir.path().join(".salint.yaml"), config).unwrap();
    let after = run(dir.path(), &["."]);
    assert_eq!(
        listed(&after.json),
        Vec::<String>::new(),
        "{}",
        after.stderr
    );
}

#[test]
fn salint_config_prints_each_value_with_its_origin() {
    let config = "namespace: shop\nrules:\n  SA101: error\nexclude: [\"charts/**\"]\n";
    let dir = repo(&[(".salint.yaml", config)]);
    assert_cmd_snapshot!(salint_in(dir.path()).args(["config", "--fail-on", "note"]));
}

#[test]
fn unknown_rule_in_config_names_the_nearest_rules_with_its_position() {
    let config = "rules:\n  default-service-acount: off\n";
    let dir = repo(&[("d.yaml", DEPLOYMENT), (".salint.yaml", config)]);
    assert_cmd_snapshot!(salint_in(dir.path()).args(["check", "."]));
}

#[test]
fn bad_config_values_are_errors_with_positions() {
    for (config, expected) in [
        (
            "rulez: {}\n",
            ".salint.yaml:1:1: unknown configuration key `rulez`",
        ),
        ("exclude: [\"a/[b\"]\n", ".salint.yaml:1:11:"),
        ("fail-on: 3\n", ".salint.yaml:1:10:"),
        ("rules:\n  SA101: loud\n", ".salint.yaml:2:10:"),
        ("namespaces: [a]\n", ".salint.yaml:1:13:"),
        ("rules: [\n", ".salint.yaml:"),
    ] {
        let dir = repo(&[("d.yaml", DEPLOYMENT), (".salint.yaml", config)]);
        let result = run(dir.path(), &["."]);
        assert_eq!(result.code, 2, "{config:?}: {}", result.stderr);
        assert!(
            result.stderr.contains(expected),
            "{config:?}: expected {expected:?} in\n{}",
            result.stderr
        );
    }
}

#[test]
fn init_writes_a_starting_file_that_loads_as_the_defaults() {
    let dir = repo(&[]);
    let status = salint_in(dir.path()).arg("init").status().unwrap();
    assert_eq!(status.code(), Some(0));
    let written = std::fs::read_to_string(dir.path().join(".salint.yaml")).unwrap();
    assert_eq!(written, salint::config::INIT_TEMPLATE);
    for rule in salint::catalog::all() {
        assert!(
            written.contains(&format!("\n  {}:", rule.name())),
            "the template lacks {}",
            rule.name()
        );
    }
    let again = salint_in(dir.path()).arg("init").output().unwrap();
    assert_eq!(again.status.code(), Some(2), "init does not overwrite");
    // The template's values are the defaults, so `salint config` shows the same values
    // with it and without a configuration file.
    let empty = tempfile::tempdir().unwrap();
    let described = |dir: &Path| -> Vec<String> {
        let out = salint_in(dir).arg("config").output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(" # ").next().unwrap().trim_end().to_string())
            .collect()
    };
    assert_eq!(described(dir.path()), described(empty.path()));
}

/// Two SAs without permissions, each mounted by a Deployment: SA201 twice, SA101 never.
fn baseline_repo() -> tempfile::TempDir {
    let workloads = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: api
      containers: [{name: api, image: api:1}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: worker
      containers: [{name: worker, image: worker:1}]
";
    repo(&[("workloads.yaml", workloads)])
}

#[test]
fn baseline_fails_only_on_new_findings_and_survives_reordering() {
    let dir = baseline_repo();
    let path = dir.path();
    let written = run(path, &["--write-baseline", "salint-baseline.json", "."]);
    assert_eq!(written.code, 0, "{}", written.stderr);
    let baseline: Value =
        serde_json::from_str(&std::fs::read_to_string(path.join("salint-baseline.json")).unwrap())
            .unwrap();
    assert_eq!(baseline["findings"].as_array().unwrap().len(), 2);

    // Reorder the documents, put a comment block on top, add a new workload.
    let text = std::fs::read_to_string(path.join("workloads.yaml")).unwrap();
    let (api, worker) = text.split_once("---\n").unwrap();
    let new = api
        .replace("name: api,", "name: batch,")
        .replace("Name: api", "Name: batch");
    std::fs::write(
        path.join("workloads.yaml"),
        format!("# Workloads of the shop.\n# Owned by team-shop.\n{worker}---\n{new}---\n{api}"),
    )
    .unwrap();
    let result = run(path, &["--baseline", "salint-baseline.json", "."]);
    assert_eq!(listed(&result.json), ["SA201 workloads.yaml:17:5"]);
    assert_eq!(result.json["findings"][0]["baseline_state"], "new");
    assert_eq!(result.json["summary"]["baseline_unchanged"], 2);
    assert_eq!(result.json["summary"]["baseline_absent"], 0);
    assert_eq!(result.code, 1);
}

#[test]
fn baseline_counts_fixed_entries_and_sarif_carries_the_states() {
    let dir = baseline_repo();
    let path = dir.path();
    run(path, &["--write-baseline", "b.json", "."]);
    // Fix the worker, add a new finding on another workload.
    let text = std::fs::read_to_string(path.join("workloads.yaml")).unwrap();
    let fixed = text.replace(
        "      serviceAccountName: worker\n",
        "      serviceAccountName: worker\n      automountServiceAccountToken: false\n",
    ) + "---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: once, namespace: shop}\nspec:\n  template:\n    spec:\n      serviceAccountName: jobs\n      containers: [{name: once, image: once:1}]\n";
    std::fs::write(path.join("workloads.yaml"), fixed).unwrap();
    let result = run(path, &["--baseline", "b.json", "."]);
    assert_eq!(result.json["summary"]["baseline_unchanged"], 1);
    assert_eq!(result.json["summary"]["baseline_absent"], 1);
    assert_eq!(
        result.json["baseline_absent"][0]["object"]["name"],
        "worker"
    );
    assert!(
        result
            .stderr
            .contains("1 already in the baseline, 1 fixed since"),
        "{}",
        result.stderr
    );
    let log = sarif(path, &["--baseline", "b.json", "."]);
    let states: Vec<String> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r["ruleId"].as_str().unwrap(),
                r["baselineState"].as_str().unwrap(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
            )
        })
        .collect();
    assert_eq!(
        states,
        ["SA201 unchanged 6", "SA201 new 25", "SA201 absent 15"]
    );
}

#[test]
fn a_broken_baseline_is_bad_input() {
    let dir = baseline_repo();
    std::fs::write(
        dir.path().join("b.json"),
        "{\"version\": 9, \"findings\": []}",
    )
    .unwrap();
    let result = run(dir.path(), &["--baseline", "b.json", "."]);
    assert_eq!(result.code, 2);
    assert!(
        result
            .stderr
            .contains("baseline version 9 is not supported"),
        "{}",
        result.stderr
    );
}

#[test]
fn suppressions_in_skipped_namespaces_are_not_reported_as_unused() {
    let yaml = with_annotation("ignore.salint.io/SA101", "old", false);
    let config = "namespaces:\n  skip: [shop]\n";
    let dir = repo(&[("d.yaml", &yaml), (".salint.yaml", config)]);
    let result = run(dir.path(), &["--show-suppressed", "."]);
    assert_eq!(listed(&result.json), Vec::<String>::new());
}

#[test]
fn config_is_found_for_a_bare_file_name() {
    let config = "rules:\n  SA101: off\n  SA201: off\n";
    let dir = repo(&[("d.yaml", DEPLOYMENT), (".salint.yaml", config)]);
    let result = run(dir.path(), &["d.yaml"]);
    assert_eq!(
        listed(&result.json),
        Vec::<String>::new(),
        "{}",
        result.stderr
    );
}

#[test]
fn system_namespaces_may_reach_across() {
    let binding = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: custom-metrics-auth-reader, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: extension-apiserver-authentication-reader}
subjects:
  - {kind: ServiceAccount, name: custom-metrics-apiserver, namespace: custom-metrics}
";
    let dir = repo(&[("b.yaml", binding)]);
    assert_eq!(listed(&run(dir.path(), &["."]).json), Vec::<String>::new());
    std::fs::write(
        dir.path().join(".salint.yaml"),
        "namespaces:\n  system: []\n",
    )
    .unwrap();
    assert_eq!(listed(&run(dir.path(), &["."]).json), ["SA401 b.yaml:6:71"]);
}

#[test]
fn a_finding_suppressed_after_the_baseline_is_not_counted_as_fixed() {
    let dir = baseline_repo();
    let path = dir.path();
    run(path, &["--write-baseline", "b.json", "."]);
    let text = std::fs::read_to_string(path.join("workloads.yaml")).unwrap();
    std::fs::write(
        path.join("workloads.yaml"),
        format!("# salint: ignore-file[SA201] tokens reviewed in SEC-7\n{text}"),
    )
    .unwrap();
    let result = run(path, &["--baseline", "b.json", "."]);
    assert_eq!(result.json["summary"]["suppressed"], 2);
    assert_eq!(result.json["summary"]["baseline_absent"], 0);
    assert_eq!(result.code, 0);
}
