//! The flags users bring from ruff, Trivy and Checkov: `--select`/`--extend-select`/
//! `--ignore`, `--exit-zero`, `--statistics`, `--quiet`, `--stdin-filename`,
//! `--force-exclude`, several `--format`s in one run, `rules --format`, `--version`, and the
//! human report at the terminal's width. Outputs pinned with insta.

use std::path::Path;
use std::process::Command;

use insta_cmd::assert_cmd_snapshot;

mod common;

fn salint() -> Command {
    common::salint_in(Path::new(env!("CARGO_MANIFEST_DIR")))
}

fn run(command: &mut Command) -> (i32, String, String) {
    let output = command.output().unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// The rule codes of a compact report, in order.
fn codes(compact: &str) -> Vec<String> {
    compact
        .lines()
        .filter_map(|line| line.split_once(" [")?.1.split_once(' '))
        .map(|(code, _)| code.to_string())
        .collect()
}

/// A Deployment running as `web`, whose token nothing uses, and a legacy token Secret.
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
apiVersion: v1
kind: Secret
metadata:
  name: web-token
  namespace: shop
  annotations: {kubernetes.io/service-account.name: web}
type: kubernetes.io/service-account-token
";

#[test]
fn select_and_ignore_narrow_the_rules() {
    assert_cmd_snapshot!(salint().args([
        "check",
        "-q",
        "--format",
        "compact",
        "--select",
        "rbac,SA201",
        "--ignore",
        "SA301",
        "--ignore=pod-exec",
        "testdata/demo"
    ]));
}

#[test]
fn selection_overrides_the_configuration_and_config_shows_it() {
    let repo = common::scratch_repo(&[
        ("k8s/app.yaml", APP),
        (".salint.yaml", "rules:\n  legacy-token-secret: off\n"),
    ]);
    let check = |flags: &[&str]| {
        let (_, stdout, _) = run(common::salint_in(repo.path())
            .args(["check", "-q", "-f", "compact"])
            .args(flags)
            .arg("k8s"));
        codes(&stdout)
    };
    assert_eq!(check(&[]), ["SA201"]);
    assert_eq!(
        check(&["--extend-select", "legacy-token-secret"]),
        ["SA201", "SA202"]
    );
    assert_eq!(check(&["--select", "tokens"]), ["SA201", "SA202"]);
    assert_eq!(
        check(&["--select", "tokens", "--ignore", "SA2"]),
        Vec::<String>::new()
    );
    assert_eq!(check(&["--select", "identity"]), Vec::<String>::new());
    let (code, stdout, _) = run(common::salint_in(repo.path()).args([
        "config",
        "--select",
        "tokens",
        "--ignore",
        "long-lived-projected-token",
        "k8s",
    ]));
    assert_eq!(code, 0);
    let rules: Vec<&str> = stdout
        .lines()
        .filter(|line| line.contains("# SA"))
        .collect();
    insta::assert_snapshot!(rules.join("\n"));
}

#[test]
fn an_unknown_selector_is_bad_usage() {
    assert_cmd_snapshot!(salint().args(["check", "--select", "SA9x", "testdata/demo"]));
}

#[test]
fn exit_zero_never_fails_on_findings_but_does_on_bad_input() {
    let (code, stdout, _) =
        run(salint().args(["check", "--exit-zero", "-f", "compact", "testdata/demo"]));
    assert_eq!(code, 0);
    assert_eq!(codes(&stdout).len(), 20);
    let (code, _, _) = run(salint().args(["check", "-f", "compact", "testdata/demo"]));
    assert_eq!(code, 1);
    let (code, _, _) = run(salint().args(["check", "--exit-zero", "testdata/broken"]));
    assert_eq!(code, 2);
}

#[test]
fn statistics_count_findings_per_rule() {
    assert_cmd_snapshot!(salint().args(["check", "--statistics", "testdata/demo"]));
}

#[test]
fn quiet_prints_the_findings_only() {
    let file = "testdata/demo/shop/workloads.yaml";
    let (code, stdout, stderr) = run(salint().args(["check", "-q", file]));
    assert_eq!((code, stderr.as_str()), (1, ""));
    assert!(stdout.contains("needless-token-automount"));
    assert!(!stdout.contains("salint: "), "{stdout}");
    let (_, loud, _) = run(salint().args(["check", file]));
    assert!(loud.contains("\nsalint: 6 findings"), "{loud}");
    let (_, _, stderr) = run(salint().args(["check", "-f", "compact", file]));
    assert!(stderr.contains("salint: 6 findings"), "{stderr}");
    let (_, _, stderr) = run(salint().args(["check", "-q", "-f", "compact", file]));
    assert_eq!(stderr, "");
}

#[test]
fn stdin_filename_locates_findings_and_picks_configuration_and_per_path_rules() {
    let repo = common::scratch_repo(&[(
        ".salint.yaml",
        "per-path-ignores:\n  \"legacy/**\": [needless-token-automount]\n",
    )]);
    // From outside the repository: the configuration is found from the name's folder.
    let elsewhere = tempfile::tempdir().unwrap();
    let named = |name: &Path| {
        let mut command = common::salint_in(elsewhere.path());
        command
            .args(["check", "-f", "compact", "--stdin-filename"])
            .arg(name)
            .arg("-");
        command
    };
    let (_, stdout, stderr) = run(named(&repo.path().join("k8s/app.yaml")).stdin_text(APP));
    let located = format!(
        "{}:6:5: warning [SA201",
        repo.path().join("k8s/app.yaml").display()
    );
    assert!(stdout.contains(&located), "{stdout}");
    assert!(!stderr.contains("suppressed"), "{stderr}");
    let (_, stdout, stderr) = run(named(&repo.path().join("legacy/app.yaml")).stdin_text(APP));
    assert!(!stdout.contains("SA201"), "{stdout}");
    assert!(stderr.contains("1 suppressed"), "{stderr}");
    // Relative to the working folder, as any path.
    assert_cmd_snapshot!(common::salint_in(repo.path())
        .args([
            "check",
            "-f",
            "compact",
            "--stdin-filename",
            "k8s/app.yaml",
            "-"
        ])
        .pass_stdin(APP));
}

trait StdinText {
    fn stdin_text(&mut self, text: &str) -> &mut Self;
}

impl StdinText for Command {
    /// Standard input from a file holding `text` (no thread to feed a pipe).
    fn stdin_text(&mut self, text: &str) -> &mut Self {
        let mut file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut file, text.as_bytes()).unwrap();
        std::io::Seek::rewind(&mut file).unwrap();
        self.stdin(file)
    }
}

#[test]
fn force_exclude_applies_excludes_to_named_files() {
    let repo = common::scratch_repo(&[
        ("vendor/app.yaml", APP),
        ("k8s/app.yaml", APP),
        (".salint.yaml", "exclude: [\"vendor/**\"]\n"),
    ]);
    let check = |flags: &[&str]| {
        let (code, stdout, _) = run(common::salint_in(repo.path())
            .args(["check", "-q", "-f", "compact"])
            .args(flags)
            .args(["vendor/app.yaml", "./k8s/app.yaml"]));
        (code, stdout)
    };
    let (code, named) = check(&[]);
    assert_eq!(code, 1);
    assert!(named.contains("vendor/app.yaml:"), "{named}");
    let (code, forced) = check(&["--force-exclude"]);
    assert_eq!(code, 1);
    assert!(!forced.contains("vendor/app.yaml:"), "{forced}");
    assert!(forced.contains("k8s/app.yaml:"), "{forced}");
}

#[test]
fn several_reports_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("salint.sarif");
    let summary = dir.path().join("summary.md");
    let (code, stdout, stderr) = run(salint()
        .args(["check", "--format", "human", "--format"])
        .arg(format!("sarif:{}", sarif.display()))
        .arg("--format")
        .arg(format!("markdown:{}", summary.display()))
        .arg("testdata/demo"));
    assert_eq!(code, 1, "{stderr}");
    let (_, human, _) = run(salint().args(["check", "testdata/demo"]));
    assert_eq!(stdout, human);
    let (_, markdown, _) = run(salint().args(["check", "-f", "markdown", "testdata/demo"]));
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), markdown);
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 20);
    // The human report is on standard output: no second summary on stderr.
    assert!(!stderr.contains("findings"), "{stderr}");
}

#[test]
fn two_reports_on_standard_output_are_bad_usage() {
    assert_cmd_snapshot!(salint().args([
        "check",
        "--format",
        "human",
        "--format",
        "json",
        "testdata/demo"
    ]));
}

#[test]
fn rules_as_json_and_markdown() {
    assert_cmd_snapshot!(salint().args(["rules", "--format", "json"]));
    let (code, markdown, _) = run(salint().args(["rules", "--format", "markdown"]));
    assert_eq!(code, 0);
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(readme.contains(&markdown), "README's rule table differs");
}

#[test]
fn rules_table_fits_the_width() {
    for width in [80, 100, 120] {
        let (_, table, _) = run(salint().arg("rules").env("COLUMNS", width.to_string()));
        for line in table.lines() {
            // One word, `(system:serviceaccounts[:<namespace>])`, is longer than any column.
            let fits = line.chars().count() <= width || !line.trim().contains(' ');
            assert!(fits, "{width}: {line}");
        }
        // Every row's columns start where the header's do.
        let header = table.lines().next().unwrap();
        let summary_column = header.find("SUMMARY").unwrap();
        let row = table
            .lines()
            .find(|l| l.starts_with("SA104 deprecated-service-account-field"))
            .unwrap();
        assert_eq!(row.find("warning"), header.find("SEVERITY"), "{row}");
        if width >= 100 {
            assert_eq!(row.find("A pod spec"), Some(summary_column), "{row}");
        }
    }
    assert_cmd_snapshot!(salint().arg("rules").env("COLUMNS", "80"));
}

#[test]
fn version_names_the_built_in_roles_release() {
    assert_cmd_snapshot!(salint().arg("--version"));
}

#[test]
fn the_human_report_follows_columns_and_breaks_no_word() {
    let file = "testdata/demo/shop/workloads.yaml";
    let (_, narrow, _) = run(salint().args(["check", file]).env("COLUMNS", "72"));
    let (_, default, _) = run(salint().args(["check", file]));
    assert_ne!(narrow, default);
    // Every word of each message is whole on some line.
    let (_, compact, _) = run(salint().args(["check", "-f", "compact", file]));
    let words: std::collections::HashSet<&str> = narrow
        .split(|c: char| c.is_whitespace() || c == '│' || c == '·')
        .collect();
    for line in compact.lines() {
        let message = line.split_once("] ").unwrap().1;
        for word in message.split_whitespace() {
            assert!(words.contains(word), "`{word}` is broken in:\n{narrow}");
        }
    }
    for line in narrow.lines() {
        let is_source = line
            .trim_start()
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit());
        assert!(is_source || line.chars().count() <= 72, "{line}");
    }
    assert_cmd_snapshot!(salint().args(["check", file]).env("COLUMNS", "72"));
}
