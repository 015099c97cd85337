//! `--format junit` and `--format gitlab`, each validated against its schema, vendored
//! under `testdata/` with its origin (`testdata/junit/README.md`,
//! `testdata/gitlab/README.md`): the demo, a run with an unreadable file, a clean run. The
//! JUnit XSD is checked with the `xmlschema` Python package `.ci/run` installs into
//! `target/ci-tools` (missing: a failure when `CI` is set); the GitLab schema with `boon`.

use std::path::{Path, PathBuf};
use std::process::Command;

use insta_cmd::assert_cmd_snapshot;
use serde_json::Value;

mod common;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn salint() -> Command {
    let mut command = common::salint_in(root());
    // The JUnit timestamp, fixed as reproducible builds fix theirs: 2026-12-02T00:00:00.
    command.env("SOURCE_DATE_EPOCH", "1796169600");
    command
}

fn report(args: &[&str]) -> String {
    let output = salint().arg("check").args(args).output().unwrap();
    assert!(matches!(output.status.code(), Some(0..=2)));
    String::from_utf8(output.stdout).unwrap()
}

// --- GitLab Code Quality ---

fn gitlab_schema_errors(instance: &Value) -> Option<String> {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("testdata/gitlab/code-quality-report.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource("gitlab.json", schema).unwrap();
    let index = compiler.compile("gitlab.json", &mut schemas).unwrap();
    schemas
        .validate(instance, index)
        .err()
        .map(|e| format!("{e:#}"))
}

#[test]
fn gitlab_report_validates_and_points_into_the_repository() {
    for args in [
        &["--format", "gitlab", "testdata/demo"][..],
        &["--format", "gitlab", "testdata/broken"],
        &["--format", "gitlab", "--select", "SA104", "testdata/demo"],
    ] {
        let issues: Value = serde_json::from_str(&report(args)).unwrap();
        if let Some(errors) = gitlab_schema_errors(&issues) {
            panic!("{args:?}: {errors}");
        }
        let issues = issues.as_array().unwrap();
        let mut fingerprints: Vec<&str> = issues
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap())
            .collect();
        fingerprints.sort();
        fingerprints.dedup();
        assert_eq!(
            fingerprints.len(),
            issues.len(),
            "{args:?}: fingerprints repeat"
        );
        for issue in issues {
            let path = issue["location"]["path"].as_str().unwrap();
            assert!(root().join(path).is_file(), "{args:?}: {path}");
        }
    }
    let clean: Value = serde_json::from_str(&report(&[
        "--format",
        "gitlab",
        "--select",
        "SA104",
        "testdata/demo",
    ]))
    .unwrap();
    assert_eq!(clean, Value::Array(Vec::new()));
    // The schema does reject what GitLab would: a severity it does not know, no location.
    let wrong = serde_json::json!([{
        "description": "x", "check_name": "SA201", "fingerprint": "f", "severity": "warning",
        "location": { "path": "a.yaml", "lines": { "begin": 1 } }
    }]);
    assert!(gitlab_schema_errors(&wrong).is_some());
    let unplaced = serde_json::json!([{
        "description": "x", "check_name": "SA201", "fingerprint": "f", "severity": "major",
        "location": { "path": "a.yaml" }
    }]);
    assert!(gitlab_schema_errors(&unplaced).is_some());
}

#[test]
fn gitlab_report_of_the_demo() {
    assert_cmd_snapshot!(salint().args(["check", "--format", "gitlab", "testdata/demo"]));
}

// --- JUnit ---

/// A Python that has `xmlschema`: `target/ci-tools`'s, else the system's.
fn python_with_xmlschema() -> Option<PathBuf> {
    let candidates = [
        root().join("target/ci-tools/bin/python"),
        PathBuf::from("python3"),
    ];
    let found = candidates.into_iter().find(|python| {
        Command::new(python)
            .args(["-c", "import xmlschema"])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "xmlschema is not installed: .ci/run installs it into target/ci-tools"
        );
        eprintln!("note: xmlschema not installed; the JUnit XSD is not checked");
    }
    found
}

/// What `xmlschema` says of `xml` against the vendored XSD: None when it is valid.
fn junit_schema_errors(python: &Path, xml: &str) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.xml");
    std::fs::write(&file, xml).unwrap();
    let output = Command::new(python)
        .args([
            "-c",
            "import sys, xmlschema\n\
             schema = xmlschema.XMLSchema(sys.argv[1])\n\
             errors = [str(e) for e in schema.iter_errors(sys.argv[2])]\n\
             print('\\n'.join(errors))\n\
             sys.exit(1 if errors else 0)",
        ])
        .arg(root().join("testdata/junit/JUnit.xsd"))
        .arg(&file)
        .output()
        .unwrap();
    (!output.status.success()).then(|| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[test]
fn junit_report_validates_against_the_ant_schema() {
    let demo = report(&["--format", "junit", "testdata/demo"]);
    assert_eq!(demo.matches("<testcase ").count(), 20);
    assert_eq!(demo.matches("<failure ").count(), 20);
    let broken = report(&["--format", "junit", "testdata/broken"]);
    assert!(broken.contains("<error type=\"input-error\""), "{broken}");
    let clean = report(&["--format", "junit", "--select", "SA104", "testdata/demo"]);
    assert_eq!(clean.matches("<testcase ").count(), 1);
    assert!(!clean.contains("<failure"));
    let Some(python) = python_with_xmlschema() else {
        return;
    };
    for (name, xml) in [("demo", &demo), ("broken", &broken), ("clean", &clean)] {
        if let Some(errors) = junit_schema_errors(&python, xml) {
            panic!("{name}: {errors}\n{xml}");
        }
    }
    // The schema rejects a suite without its required parts.
    let wrong = "<?xml version=\"1.0\"?><testsuites><testsuite name=\"x\"/></testsuites>";
    assert!(junit_schema_errors(&python, wrong).is_some());
}

#[test]
fn junit_report_of_the_demo() {
    assert_cmd_snapshot!(salint().args(["check", "--format", "junit", "testdata/demo"]));
}
