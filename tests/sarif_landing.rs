//! SARIF that GitHub code scanning accepts and can place, whatever way salint is invoked:
//! relative, `./` and absolute paths inside the repository, an absolute path outside it
//! (`helm template … > $RUNNER_TEMP/rendered.yaml`), standard input with and without
//! `--stdin-filename`, names with spaces and non-ASCII letters, a baseline with a fixed
//! entry, suppressions, a run from a subfolder.
//!
//! Each log is checked three ways: against the vendored SARIF 2.1.0 schema; against the
//! rules of GitHub's ingestion that salint's locations touch (checked here, so the test
//! fails on its own); and with Microsoft's SARIF multitool (`validate --rule-kind Gh;Sarif`,
//! GitHub's own ingestion rules), which `.ci/run` installs from npm into
//! `target/ci-tools/npm` (or `SARIF_MULTITOOL` names). Without the multitool the test
//! fails when `CI` is set, and says it did not run it otherwise.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

mod common;

const APP: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: web
      containers: [{name: web, image: web:1}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: quiet
  namespace: shop
  annotations:
    ignore.salint.io/needless-token-automount: \"reviewed: the sidecar reads the token\"
    ignore.salint.io/SA104: \"stale\"
spec:
  template:
    spec:
      serviceAccountName: quiet
      containers: [{name: q, image: q:1}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: quiet, namespace: shop}
";

struct Run {
    name: &'static str,
    log: Value,
}

fn salint(dir: &Path, args: &[&str], stdin: Option<&str>) -> Value {
    let mut command = common::salint_in(dir);
    command
        .args(["check", "--no-config", "--format", "sarif"])
        .args(args);
    command.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    if let Some(text) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{args:?}: {stderr}"
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {stderr}"))
}

fn validate_schema(name: &str, instance: &Value) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("testdata/sarif/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource("sarif.json", schema).unwrap();
    let index = compiler.compile("sarif.json", &mut schemas).unwrap();
    if let Err(error) = schemas.validate(instance, index) {
        panic!("{name}: SARIF does not validate:\n{error:#}");
    }
}

/// `%XX` decoded; None when a `%` is not followed by two hex digits.
fn percent_decode(uri: &str) -> Option<String> {
    let bytes = uri.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Only characters RFC 3986 allows in a URI, `%` only as an escape.
fn assert_rfc3986(name: &str, uri: &str) {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c);
    assert!(uri.chars().all(allowed), "{name}: `{uri}` is not a URI");
    assert!(
        percent_decode(uri).is_some(),
        "{name}: bad escape in `{uri}`"
    );
}

/// Every `artifactLocation` in the log, wherever it is (results, related locations,
/// suppressions, notifications).
fn artifact_locations<'v>(value: &'v Value, out: &mut Vec<&'v Value>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if key == "artifactLocation" {
                    out.push(inner);
                }
                artifact_locations(inner, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| artifact_locations(item, out)),
        _ => {}
    }
}

/// What GitHub's ingestion asks of locations: a relative `uri` has a `uriBaseId` the run
/// declares (as an absolute `file://` URI ending in `/`), an absolute one is a `file://`
/// URI, never a bare path (SARIF1004); each names a file that exists (but the `stdin` of
/// standard input without a name); no `<stdin>`.
fn assert_lands(name: &str, log: &Value, repo: &Path) {
    let run = &log["runs"][0];
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap_or_else(|| panic!("{name}: %SRCROOT% not declared"));
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{name}: {base}"
    );
    assert_rfc3986(name, base);
    let root = PathBuf::from(percent_decode(base.strip_prefix("file://").unwrap()).unwrap());
    assert_eq!(
        root.canonicalize().unwrap(),
        repo.canonicalize().unwrap(),
        "{name}: %SRCROOT% is not the repository"
    );
    let mut locations = Vec::new();
    artifact_locations(run, &mut locations);
    assert!(!locations.is_empty(), "{name}: no locations");
    for location in locations {
        let uri = location["uri"].as_str().unwrap();
        assert_rfc3986(name, uri);
        assert!(!uri.contains("%3C") && !uri.contains('<'), "{name}: {uri}");
        let path = match location["uriBaseId"].as_str() {
            Some(base_id) => {
                assert_eq!(base_id, "%SRCROOT%", "{name}");
                assert!(!uri.starts_with('/') && !uri.contains(':'), "{name}: {uri}");
                assert!(!uri.split('/').any(|s| s == ".."), "{name}: {uri}");
                if uri == "stdin" {
                    continue;
                }
                root.join(percent_decode(uri).unwrap())
            }
            None => {
                let path = uri
                    .strip_prefix("file://")
                    .unwrap_or_else(|| panic!("{name}: `{uri}` is neither relative nor file://"));
                assert!(path.starts_with('/'), "{name}: {uri}");
                PathBuf::from(percent_decode(path).unwrap())
            }
        };
        assert!(path.is_file(), "{name}: {uri} names no file ({path:?})");
    }
}

/// The multitool's binary: `SARIF_MULTITOOL`, else where `.ci/run` installs it.
fn multitool() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SARIF_MULTITOOL") {
        return Some(PathBuf::from(path));
    }
    let installed = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/ci-tools/npm/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    installed.is_file().then_some(installed)
}

/// `Sarif.Multitool validate --rule-kind Gh;Sarif`: the problems it reports, one line each.
fn multitool_problems(tool: &Path, file: &Path) -> Vec<String> {
    let out = file.with_extension("validation.sarif");
    let status = Command::new(tool)
        .arg("validate")
        .arg(file)
        .args([
            "--rule-kind",
            "Gh;Sarif",
            "--log",
            "ForceOverwrite",
            "--output",
        ])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "the multitool could not read {file:?}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    report["runs"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|run| run["results"].as_array().cloned().unwrap_or_default())
        .map(|result| {
            format!(
                "{} {}: {}",
                result["ruleId"],
                result["level"],
                result["message"]["text"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn sarif_lands_on_github_from_every_invocation() {
    let repo = common::scratch_repo(&[
        ("k8s/app.yaml", APP),
        ("k8s/my app/ünïcode déploiement.yaml", APP),
        ("web/templates/deploy.yaml", "# a template\n"),
    ]);
    let outside = tempfile::tempdir().unwrap();
    let rendered = outside.path().join("rendered.yaml");
    std::fs::write(&rendered, APP).unwrap();
    let root = repo.path();
    let absolute_inside = root.join("k8s/app.yaml");
    let (absolute_inside, rendered) = (
        absolute_inside.to_str().unwrap(),
        rendered.to_str().unwrap(),
    );
    // A baseline of the whole file, then a file where one of its findings is fixed.
    let baseline = root.join("baseline.json");
    let status = common::salint_in(root)
        .args(["check", "--no-config", "--write-baseline"])
        .arg(&baseline)
        .arg("k8s/app.yaml")
        .output()
        .unwrap();
    assert!(status.status.success());
    let fixed = APP.replace(
        "      serviceAccountName: web\n",
        "      serviceAccountName: web\n      automountServiceAccountToken: false\n",
    );
    std::fs::write(root.join("k8s/fixed.yaml"), &fixed).unwrap();
    let baseline_entry = std::fs::read_to_string(&baseline)
        .unwrap()
        .replace("k8s/app.yaml", "k8s/fixed.yaml");
    std::fs::write(&baseline, baseline_entry).unwrap();
    let helm_output = format!("---\n# Source: web/templates/deploy.yaml\n{APP}");

    let dir = root.to_path_buf();
    let k8s = root.join("k8s");
    let cases: Vec<(&'static str, PathBuf, Vec<&str>, Option<&str>)> = vec![
        ("relative", dir.clone(), vec!["k8s/app.yaml"], None),
        ("dot-slash", dir.clone(), vec!["./k8s/app.yaml"], None),
        ("folder", dir.clone(), vec!["."], None),
        ("absolute inside", dir.clone(), vec![absolute_inside], None),
        ("absolute outside", dir.clone(), vec![rendered], None),
        (
            "from a subfolder",
            k8s.clone(),
            vec!["app.yaml", "../k8s/app.yaml"],
            None,
        ),
        ("stdin", dir.clone(), vec!["-"], Some(APP)),
        (
            "stdin with --stdin-filename",
            dir.clone(),
            vec!["--stdin-filename", "k8s/app.yaml", "-"],
            Some(APP),
        ),
        (
            "stdin of helm output",
            dir.clone(),
            vec!["-"],
            Some(&helm_output),
        ),
        (
            "spaces and non-ASCII",
            dir.clone(),
            vec!["k8s/my app/ünïcode déploiement.yaml"],
            None,
        ),
        (
            "baseline",
            dir.clone(),
            vec!["--baseline", "baseline.json", "k8s/fixed.yaml"],
            None,
        ),
        (
            "suppressions",
            dir.clone(),
            vec!["--show-suppressed", "k8s/app.yaml"],
            None,
        ),
    ];
    let out_dir = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for (name, cwd, args, stdin) in cases {
        runs.push(Run {
            name,
            log: salint(&cwd, &args, stdin),
        });
    }
    for run in &runs {
        validate_schema(run.name, &run.log);
        assert_lands(run.name, &run.log, root);
    }

    let results = |name: &str| -> Vec<Value> {
        let run = runs.iter().find(|r| r.name == name).unwrap();
        run.log["runs"][0]["results"].as_array().unwrap().clone()
    };
    let uri = |result: &Value| -> (Option<String>, String) {
        let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        (
            artifact["uriBaseId"].as_str().map(str::to_string),
            artifact["uri"].as_str().unwrap().to_string(),
        )
    };
    let srcroot = |path: &str| (Some("%SRCROOT%".to_string()), path.to_string());
    for name in [
        "relative",
        "dot-slash",
        "absolute inside",
        "from a subfolder",
    ] {
        assert_eq!(uri(&results(name)[0]), srcroot("k8s/app.yaml"), "{name}");
    }
    assert_eq!(
        uri(&results("stdin with --stdin-filename")[0]),
        srcroot("k8s/app.yaml")
    );
    assert_eq!(uri(&results("stdin")[0]), srcroot("stdin"));
    let outside_uri = uri(&results("absolute outside")[0]);
    assert_eq!(outside_uri.0, None);
    assert!(
        outside_uri.1.starts_with("file:///") && outside_uri.1.ends_with("/rendered.yaml"),
        "{outside_uri:?}"
    );
    assert_eq!(
        uri(&results("spaces and non-ASCII")[0]),
        srcroot("k8s/my%20app/%C3%BCn%C3%AFcode%20d%C3%A9ploiement.yaml")
    );
    // Helm's output on stdin: at its template, which is a file of the repository.
    let helm = results("stdin of helm output");
    assert!(helm
        .iter()
        .any(|r| r["properties"]["templateOrigin"].is_string()));
    for result in &helm {
        let expected = match result["properties"]["templateOrigin"].is_string() {
            true => srcroot("web/templates/deploy.yaml"),
            false => srcroot("stdin"),
        };
        assert_eq!(uri(result), expected, "{result}");
    }
    let absent = results("baseline");
    assert!(absent.iter().any(|r| r["baselineState"] == "absent"));
    let suppressed = results("suppressions");
    assert!(suppressed
        .iter()
        .any(|r| r["suppressions"][0]["kind"] == "inSource"));

    match multitool() {
        // One log with every case's run: the multitool takes seconds to start.
        Some(tool) => {
            let mut all = runs[0].log.clone();
            all["runs"] = Value::Array(runs.iter().map(|r| r.log["runs"][0].clone()).collect());
            let file = out_dir.path().join("all.sarif");
            std::fs::write(&file, serde_json::to_string_pretty(&all).unwrap()).unwrap();
            let problems = multitool_problems(&tool, &file);
            let names: Vec<&str> = runs.iter().map(|r| r.name).collect();
            assert!(problems.is_empty(), "runs {names:?}: {problems:#?}");
        }
        None if std::env::var_os("CI").is_some() => {
            panic!("the SARIF multitool is not installed (.ci/run installs it from npm)")
        }
        None => eprintln!("note: SARIF multitool not installed; GitHub's rules checked here only"),
    }
}
