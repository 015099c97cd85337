//! Repositories as they are (testdata/repos/): Kustomize overlays rendered by the real
//! Kustomize and reported on the source lines, several clusters side by side, duplicate
//! objects. Every finding's file, line, column and message is pinned, and what
//! `salint check .` says it decided.
//!
//! These tests run Kustomize (`kustomize build` or `kubectl kustomize` from PATH; `.ci/run`
//! installs kubectl when neither is there). Without it they fail when `CI` is set, and are
//! skipped with a message otherwise.

use std::path::{Path, PathBuf};
use std::process::Command;

use insta_cmd::assert_cmd_snapshot;
use serde_json::Value;

mod common;
use common::salint_in;

fn repo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/repos")
        .join(name)
}

fn check(dir: &Path, args: &[&str]) -> Command {
    let mut command = salint_in(dir);
    command.arg("check").args(args);
    command
}

/// The JSON report of `salint check ARGS` in `dir`.
fn json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let output = check(dir, &["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output.status.code().unwrap(), report)
}

/// `rule file:line:col [clusters]`, and each related location as `  -> file:line:col message`.
fn places(report: &Value) -> Vec<String> {
    let at = |value: &Value| {
        format!(
            "{}:{}:{}",
            value["file"].as_str().unwrap(),
            value["span"]["start"]["line"],
            value["span"]["start"]["column"]
        )
    };
    let mut out = Vec::new();
    for finding in report["findings"].as_array().unwrap() {
        let clusters: Vec<&str> = finding["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        out.push(format!(
            "{} {} {:?}",
            finding["rule"].as_str().unwrap(),
            at(finding),
            clusters
        ));
        for related in finding["related"].as_array().unwrap() {
            out.push(format!(
                "  -> {} {}",
                at(related),
                related["message"].as_str().unwrap()
            ));
        }
    }
    out
}

#[test]
fn flux_repository_each_root_its_own_cluster() {
    if !common::kustomize() {
        return;
    }
    assert_cmd_snapshot!(check(&repo("flux"), &["--format", "compact", "."]));
}

#[test]
fn flux_repository_located_in_patches_bases_and_transformers() {
    if !common::kustomize() {
        return;
    }
    let (code, report) = json(&repo("flux"), &["--show-suppressed", "."]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(places(&report).join("\n"));
    // The base's comment silences the worker's finding in staging, where it runs as web.
    let suppressed: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("suppression").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["file"], "apps/base/worker.yaml");
    assert_eq!(
        suppressed[0]["suppression"]["justification"],
        "the worker image ships no API client (SHOP-12)"
    );
}

#[test]
fn flux_repository_with_configured_clusters() {
    if !common::kustomize() {
        return;
    }
    // With clusters: staging's group binding (in clusters/staging) reaches the overlay's
    // ServiceAccounts: needless-token-automount goes there, and nothing says what was decided.
    assert_cmd_snapshot!(check(
        &repo("flux"),
        &[
            "--config",
            ".salint-clusters.yaml",
            "--format",
            "compact",
            "."
        ]
    ));
}

#[test]
fn patches_are_never_judged_as_objects_without_kustomize() {
    // Needs no Kustomize: rendering is off. The overlays' resources are linted as written,
    // with the overlay's namespace; the patch files never.
    assert_cmd_snapshot!(check(
        &repo("flux"),
        &["--render", "never", "--format", "compact", "."]
    ));
}

#[test]
fn a_missing_kustomize_is_said_once_and_is_no_error() {
    let empty = tempfile::tempdir().unwrap();
    let output = check(&repo("flux"), &["--format", "json", "."])
        .env("PATH", empty.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr
            .matches("kustomize not found: 4 kustomizations not rendered")
            .count(),
        1,
        "{stderr}"
    );
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    // No finding in a patch file: replicas.yaml, debug.yaml, worker-identity.yaml.
    for finding in report["findings"].as_array().unwrap() {
        let file = finding["file"].as_str().unwrap();
        assert!(
            !["replicas.yaml", "debug.yaml", "worker-identity.yaml"]
                .iter()
                .any(|patch| file.ends_with(patch)),
            "{file}"
        );
    }
}

#[test]
fn sibling_environments_are_clusters_with_the_shared_folder_in_each() {
    assert_cmd_snapshot!(check(&repo("environments"), &["--format", "compact", "."]));
}

#[test]
fn a_cluster_is_checked_alone_with_the_cluster_flag() {
    let (code, report) = json(&repo("environments"), &["--cluster", "envs/dev", "."]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["findings"], Value::Array(Vec::new()));
    let output = check(&repo("environments"), &["--cluster", "envs/qa", "."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8(output.stderr)
        .unwrap()
        .contains("no cluster named `envs/qa`; the clusters are: envs/dev, envs/prod"));
}

#[test]
fn the_same_object_twice_in_one_folder() {
    assert_cmd_snapshot!(check(&repo("duplicates"), &["--format", "compact", "."]));
}

#[test]
fn salint_config_lists_the_clusters_it_decides() {
    assert_cmd_snapshot!(salint_in(&repo("environments")).args(["config", "."]));
}

#[test]
fn remote_resources_are_not_fetched_and_a_rejected_root_does_not_stop_the_others() {
    if !common::kustomize() {
        return;
    }
    let (code, report) = json(&repo("overlays"), &["."]);
    assert_eq!(code, 2);
    let errors = report["input_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["file"], "broken/kustomization.yaml");
    let message = errors[0]["message"].as_str().unwrap();
    assert!(message.contains("missing.yaml"), "{message}");
    assert!(!message.contains("salint-kustomize-"), "{message}");
    assert_eq!(
        report["notes"][0],
        "remote/kustomization.yaml: remote resource `https://github.com/example/exporters//deploy?ref=v1.2.0` is not fetched"
    );
    // The remote overlay is linted without its remote base; the good one as usual.
    let files: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(files.contains(&"remote/exporter.yaml"), "{files:?}");
    assert!(files.contains(&"good/rbac.yaml"), "{files:?}");
    assert!(!files.iter().any(|f| f.starts_with("broken/")), "{files:?}");
}

#[test]
fn pre_commit_renders_the_roots_of_the_staged_files_and_reports_on_them() {
    if !common::kustomize() {
        return;
    }
    let (_, report) = json(&repo("flux"), &["--context", ".", "apps/base/web.yaml"]);
    let files: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["apps/base/web.yaml"]);
    // Both overlays read the base: both were rendered; the clusters folders were not.
    assert_eq!(
        report["findings"][0]["clusters"][0],
        "apps/overlays/staging"
    );
    assert_eq!(report["summary"]["files"], 1);
}

#[test]
fn sarif_of_a_kustomize_repository_points_into_its_files() {
    if !common::kustomize() {
        return;
    }
    let output = check(&repo("flux"), &["--format", "sarif", "."])
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&output.stdout).unwrap();
    let run = &log["runs"][0];
    // Relative to %SRCROOT%, the repository root the run declares.
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap()
        .strip_prefix("file://")
        .unwrap();
    for result in run["results"].as_array().unwrap() {
        let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
        let uri = artifact["uri"].as_str().unwrap();
        assert!(Path::new(root).join(uri).is_file(), "{uri}");
        assert!(result["properties"]["clusters"].is_array());
    }
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes[0]["level"], "note");
    assert!(notes[0]["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("4 clusters: "));
}

#[test]
fn annotations_survive_rendering_and_suppress_per_overlay() {
    if !common::kustomize() {
        return;
    }
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  annotations:\n    ignore.salint.io/needless-token-automount: \"the API client is loaded at start (SHOP-7)\"\nspec:\n  template:\n    spec:\n      containers: [{name: api, image: api:1}]\n";
    // qa silences default-service-account in its own patch; dev does not.
    let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  annotations:\n    ignore.salint.io/default-service-account: \"qa runs the upstream image as is\"\n";
    let dir = common::scratch_repo(&[
        ("base/kustomization.yaml", "resources: [api.yaml]\n"),
        ("base/api.yaml", deployment),
        (
            "dev/kustomization.yaml",
            "namespace: dev\nresources: [../base]\n",
        ),
        (
            "qa/kustomization.yaml",
            "namespace: qa\nresources: [../base]\npatches: [{path: quiet.yaml}]\n",
        ),
        ("qa/quiet.yaml", patch),
    ]);
    let (_, report) = json(dir.path(), &["--show-suppressed", "."]);
    let summary: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{} {:?} {}",
                f["rule"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["span"]["start"]["line"],
                f["clusters"],
                f["suppression"]["justification"]
                    .as_str()
                    .unwrap_or("active")
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            // Active in dev, silenced by qa's patch in qa: two entries for one place.
            "default-service-account base/api.yaml:9 Array [String(\"dev\")] active",
            "default-service-account base/api.yaml:9 Array [String(\"qa\")] qa runs the upstream image as is",
            // The base's annotation holds in both.
            "needless-token-automount base/api.yaml:9 Array [String(\"dev\"), String(\"qa\")] the API client is loaded at start (SHOP-7)",
        ]
    );
    // No suppression is stale: the patch's is used in qa, the base's in both.
    assert!(!summary.iter().any(|s| s.starts_with("unused-suppression")));
}
