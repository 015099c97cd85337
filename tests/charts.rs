//! Helm charts in the repository (testdata/charts/): rendered by Helm's own engine, each
//! rendering judged as its own cluster, every finding located at the template line that
//! produces the field.
//!
//! The tests render through scripts/helm-template, a `helm template`-compatible command on
//! Helm's engine (helm-python-sdk), set as users set any Helm: `render.helm: COMMAND`.
//! `.ci/run` installs helm-python-sdk into target/ci-tools; without it these tests fail when
//! `CI` is set, and are skipped with a message otherwise.

use std::path::{Path, PathBuf};
use std::process::Command;

use insta_cmd::assert_cmd_snapshot;
use serde_json::Value;

mod common;
use common::salint_in;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shop() -> PathBuf {
    root().join("testdata/charts/shop")
}

/// A configuration whose `render.helm` is scripts/helm-template, with `extra` lines after
/// it, written to target/test-charts/NAME (one folder per test: they run in parallel).
/// The path returned is relative to the charts' repository, so snapshots hold no
/// machine's path.
fn config(python: &Path, name: &str, extra: &str) -> PathBuf {
    let dir = root().join("target/test-charts").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let command = format!(
        "{} {}",
        python.display(),
        root().join("scripts/helm-template").display()
    );
    std::fs::write(
        dir.join(".salint.yaml"),
        format!(
            "render:\n  helm: {}\n{extra}",
            serde_json::to_string(&command).unwrap()
        ),
    )
    .unwrap();
    PathBuf::from("../../../target/test-charts")
        .join(name)
        .join(".salint.yaml")
}

fn check(config: &Path, args: &[&str]) -> Command {
    let mut command = salint_in(&shop());
    command.arg("check").arg("--config").arg(config).args(args);
    command
}

fn json(config: &Path, args: &[&str]) -> (i32, Value) {
    let output = check(config, &["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        serde_json::from_slice(&output.stdout).unwrap_or(Value::Null),
    )
}

/// `rule file:line:col [clusters]`, each related location, and the rendered line.
fn places(report: &Value) -> Vec<String> {
    let at = |v: &Value| {
        format!(
            "{}:{}:{}",
            v["file"].as_str().unwrap(),
            v["span"]["start"]["line"],
            v["span"]["start"]["column"]
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
        let suppressed = match finding.get("suppression") {
            Some(s) => format!(" suppressed: {}", s["justification"].as_str().unwrap()),
            None => String::new(),
        };
        out.push(format!(
            "{} {} {:?}{suppressed}",
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
        if let Some(rendered) = finding.get("rendered") {
            out.push(format!(
                "  rendered {}:{}: {}",
                rendered["line"],
                rendered["column"],
                rendered["text"].as_str().unwrap()
            ));
        }
    }
    out
}

#[test]
fn charts_rendered_per_values_file_reported_on_template_lines() {
    let Some(python) = common::helm_python() else {
        return;
    };
    let config = config(&python, "compact", "");
    assert_cmd_snapshot!(check(&config, &["--format", "compact", "."]));
}

#[test]
fn template_locations_values_entries_and_rendered_lines() {
    let Some(python) = common::helm_python() else {
        return;
    };
    let config = config(&python, "places", "");
    let (code, report) = json(&config, &["--show-suppressed", "."]);
    assert_eq!(code, 1, "{report}");
    insta::assert_snapshot!(places(&report).join("\n"));
    // No parse error for a template, and the missing dependency is a note.
    assert_eq!(report["input_errors"], Value::Array(Vec::new()));
    let notes: Vec<&str> = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notes.iter().any(|n| n
            .starts_with("charts/legacy/Chart.yaml: dependency `postgresql` is not in charts/")),
        "{notes:?}"
    );
}

#[test]
fn configured_renderings_and_release_name() {
    let Some(python) = common::helm_python() else {
        return;
    };
    let chart = shop().join("charts/web");
    let config = config(
        &python,
        "configured",
        &format!(
            "  helm-release: shop\n  helm-values:\n    {}: [[], [ci/rbac-values.yaml]]\n",
            serde_json::to_string(&chart.display().to_string()).unwrap()
        ),
    );
    let (_, report) = json(
        &config,
        &["--cluster", "charts/web[ci/rbac-values.yaml]", "."],
    );
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert!(findings
        .iter()
        .all(|f| f["clusters"] == Value::Array(vec!["charts/web[ci/rbac-values.yaml]".into()])));
    // The release name shows in every rendered name.
    assert!(
        findings
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("shop-web")),
        "{findings:?}"
    );
}

#[test]
fn without_helm_charts_are_a_note_and_no_parse_error() {
    let empty = tempfile::tempdir().unwrap();
    let output = salint_in(&shop())
        .args(["check", "--no-config", "--format", "json", "."])
        .env("PATH", empty.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("helm not found: 2 charts not rendered"),
        "{stderr}"
    );
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["input_errors"], Value::Array(Vec::new()));
    assert_eq!(report["findings"], Value::Array(Vec::new()));
}

#[test]
fn sarif_of_a_chart_points_into_the_repository() {
    let Some(python) = common::helm_python() else {
        return;
    };
    let config = config(&python, "sarif", "");
    let output = check(&config, &["--format", "sarif", "."])
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&output.stdout).unwrap();
    // Relative URIs are relative to %SRCROOT%, the repository root the run declares.
    let root = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap()
        .strip_prefix("file://")
        .unwrap()
        .to_string();
    let in_repository = |location: &Value| {
        let artifact = &location["physicalLocation"]["artifactLocation"];
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%", "{artifact}");
        let uri = artifact["uri"].as_str().unwrap();
        assert!(Path::new(&root).join(uri).is_file(), "{uri}");
    };
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        in_repository(&result["locations"][0]);
        for related in result["relatedLocations"].as_array().into_iter().flatten() {
            in_repository(related);
        }
        assert!(
            result["properties"]["rendered"]["line"].is_number(),
            "{result}"
        );
    }
}

#[test]
fn helm_output_on_stdin_is_located_in_the_chart_named() {
    let Some(python) = common::helm_python() else {
        return;
    };
    let rendered = Command::new(&python)
        .arg(root().join("scripts/helm-template"))
        .args(["template", "web", "charts/web"])
        .current_dir(shop())
        .output()
        .unwrap();
    assert!(rendered.status.success());
    let run = |args: &[&str]| {
        let mut child = salint_in(&shop())
            .args(["check", "--no-config", "--format", "json"])
            .args(args)
            .arg("-")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(&rendered.stdout)
            .unwrap();
        let output = child.wait_with_output().unwrap();
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let files: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["file"].as_str().unwrap().to_string())
            .collect();
        files
    };
    // `# Source: web/...` names no folder here: located on standard input, as ever.
    assert!(run(&[]).iter().all(|f| f == "<stdin>"));
    // With the chart named, in its templates.
    let located = run(&["--chart", "charts/web"]);
    assert!(
        located.contains(&"charts/web/templates/deployment.yaml".to_string()),
        "{located:?}"
    );
    assert!(!located.iter().any(|f| f == "<stdin>"), "{located:?}");
}

#[test]
fn pre_commit_renders_only_the_charts_of_the_staged_files() {
    let Some(python) = common::helm_python() else {
        return;
    };
    let config = config(&python, "pre-commit", "");
    let (_, report) = json(
        &config,
        &["--context", ".", "charts/web/templates/worker.yaml"],
    );
    let files: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(!files.is_empty());
    assert!(
        files
            .iter()
            .all(|f| *f == "charts/web/templates/worker.yaml"),
        "{files:?}"
    );
    // The legacy chart was not looked at: no note about its missing dependency.
    let notes = report["notes"].to_string();
    assert!(!notes.contains("legacy"), "{notes}");
}
