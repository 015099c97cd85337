//! The command line, pinned with insta snapshots: every format on the demo set, the rule
//! commands, bad input, stdin, and exit codes. With CI=true a changed snapshot fails.

use std::process::Command;

use insta_cmd::assert_cmd_snapshot;

mod common;

fn salint() -> Command {
    common::salint_in(std::path::Path::new(env!("CARGO_MANIFEST_DIR")))
}

#[test]
fn check_demo_human() {
    assert_cmd_snapshot!(salint().args(["check", "testdata/demo"]));
}

#[test]
fn check_demo_json() {
    assert_cmd_snapshot!(salint().args(["check", "--format", "json", "testdata/demo"]));
}

#[test]
fn check_demo_sarif() {
    // %SRCROOT% is declared as the checkout's absolute path, which differs per machine.
    insta::with_settings!({filters => vec![(r#""file:///[^"]*/""#, r#""file:///[CHECKOUT]/""#)]}, {
        assert_cmd_snapshot!(salint().args(["check", "--format", "sarif", "testdata/demo"]));
    });
}

#[test]
fn check_demo_github() {
    assert_cmd_snapshot!(salint().args([
        "check",
        "--format",
        "github",
        "testdata/demo",
        "testdata/broken"
    ]));
}

#[test]
fn check_demo_compact() {
    assert_cmd_snapshot!(salint().args([
        "check",
        "--format",
        "compact",
        "testdata/demo",
        "testdata/broken"
    ]));
}

#[test]
fn check_demo_markdown() {
    assert_cmd_snapshot!(salint().args([
        "check",
        "--format",
        "markdown",
        "testdata/demo",
        "testdata/broken"
    ]));
}

#[test]
fn completions_are_generated_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let output = salint().args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "{shell}");
        let script = String::from_utf8(output.stdout).unwrap();
        assert!(
            script.contains("salint") && script.contains("fail-on"),
            "{shell}"
        );
    }
}

#[test]
fn rules_table() {
    assert_cmd_snapshot!(salint().arg("rules"));
}

#[test]
fn explain_by_name_and_by_code_agree() {
    let by_name = salint()
        .args(["explain", "needless-token-automount"])
        .output()
        .unwrap();
    let by_code = salint().args(["explain", "sa201"]).output().unwrap();
    assert!(by_name.status.success());
    assert_eq!(by_name.stdout, by_code.stdout);
    assert_cmd_snapshot!(salint().args(["explain", "needless-token-automount"]));
}

#[test]
fn explain_unknown_rule() {
    assert_cmd_snapshot!(salint().args(["explain", "no-such-rule"]));
}

#[test]
fn broken_file_among_good_ones() {
    assert_cmd_snapshot!(salint().args(["check", "testdata/broken"]));
}

#[test]
fn broken_file_json() {
    assert_cmd_snapshot!(salint().args(["check", "--format", "json", "testdata/broken"]));
}

#[test]
fn missing_path_is_bad_input() {
    assert_cmd_snapshot!(salint().args([
        "check",
        "testdata/demo/shop/rbac.yaml",
        "testdata/no-such-dir"
    ]));
}

#[test]
fn helm_output_on_stdin() {
    let helm = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/demo/charts/report-generator.yaml"
    ))
    .unwrap();
    assert_cmd_snapshot!(salint()
        .args(["check", "--format", "json", "--namespace", "reports", "-"])
        .pass_stdin(helm));
}

#[test]
fn empty_stdin_says_nothing_was_checked() {
    assert_cmd_snapshot!(salint().args(["check", "-"]).pass_stdin(""));
}

#[test]
fn fail_on_error_ignores_warnings() {
    // Only warnings in this file: exit 0 with --fail-on error, 1 by default.
    let file = "testdata/demo/shop/workloads.yaml";
    let default = salint().args(["check", file]).output().unwrap();
    assert_eq!(default.status.code(), Some(1));
    let lenient = salint()
        .args(["check", "--fail-on", "error", file])
        .output()
        .unwrap();
    assert_eq!(lenient.status.code(), Some(0));
    let strict = salint()
        .args(["check", "--fail-on", "error", "testdata/demo"])
        .output()
        .unwrap();
    assert_eq!(
        strict.status.code(),
        Some(1),
        "demo has cluster-admin-binding errors"
    );
}

#[test]
fn clean_input_exits_zero() {
    assert_cmd_snapshot!(salint().args([
        "check",
        "testdata/demo/shop/rbac.yaml",
        "--exclude",
        "nothing"
    ]));
}

#[test]
fn output_file_gets_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("salint.sarif");
    let status = salint()
        .args(["check", "--format", "sarif", "--output"])
        .arg(&out)
        .arg("testdata/demo")
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let written = std::fs::read(&out).unwrap();
    let printed = salint()
        .args(["check", "--format", "sarif", "testdata/demo"])
        .output()
        .unwrap();
    assert_eq!(written, printed.stdout);
}

#[test]
fn exclude_and_include_globs() {
    let excluded = salint()
        .args([
            "check",
            "--format",
            "json",
            "--exclude",
            "ci/**",
            "--exclude",
            "platform",
            "testdata/demo",
        ])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&excluded.stdout).unwrap();
    let files: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(!files.is_empty());
    assert!(
        files
            .iter()
            .all(|f| !f.contains("/ci/") && !f.contains("/platform/")),
        "{files:?}"
    );
    let included = salint()
        .args([
            "check",
            "--format",
            "json",
            "--include",
            "rbac.yaml",
            "testdata/demo",
        ])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&included.stdout).unwrap();
    assert_eq!(json["summary"]["files"], 1);
    let bad_glob = salint()
        .args(["check", "--exclude", "a[", "testdata/demo"])
        .output()
        .unwrap();
    assert_eq!(bad_glob.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_glob.stderr).contains("invalid glob"));
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    for format in ["human", "json", "sarif"] {
        let run = |threads: &str| {
            salint()
                .env("RAYON_NUM_THREADS", threads)
                .args([
                    "check",
                    "--format",
                    format,
                    "testdata/demo",
                    "testdata/broken",
                ])
                .output()
                .unwrap()
                .stdout
        };
        let one = run("1");
        assert_eq!(one, run("2"), "{format}");
        assert_eq!(one, run("8"), "{format}");
    }
}

#[test]
fn file_order_on_the_command_line_does_not_matter() {
    let run = |args: &[&str]| {
        salint()
            .args(["check", "--format", "json"])
            .args(args)
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(
        run(&["testdata/demo/shop", "testdata/demo/ci"]),
        run(&["testdata/demo/ci", "testdata/demo/shop"])
    );
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let run = |args: &[&str], no_color: bool| {
        let mut command = salint();
        if no_color {
            command.env("NO_COLOR", "1");
        }
        let output = command
            .args(["check"])
            .args(args)
            .arg("testdata/demo")
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    assert!(run(&["--color", "always"], false).contains("\u{1b}["));
    assert!(
        run(&["--color", "always"], true).contains("\u{1b}["),
        "the flag wins"
    );
    // Not a terminal: auto means no colour.
    assert!(!run(&[], false).contains("\u{1b}["));
    assert!(!run(&["--color", "never"], false).contains("\u{1b}["));
}

/// Each error that stops a command before it is done prints its one line on stderr (after
/// the notes of what was read), nothing on stdout, and exits 2; the same commands without
/// the fault succeed. The text of every kind of error is pinned here.
#[cfg(unix)]
#[test]
fn errors_that_stop_a_command_print_their_line_and_exit_2() {
    let sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, namespace: shop}\n";
    let dir = common::scratch_repo(&[
        ("envs/dev/sa.yaml", sa),
        ("envs/prod/sa.yaml", sa),
        ("bad-baseline.json", "not json"),
        ("old-baseline.json", "{\"version\": 9, \"findings\": []}"),
        (
            "kustomize.salint.yaml",
            "render:\n  kustomize: \"no-such-kustomize-for-salint build\"\n",
        ),
        (
            "helm.salint.yaml",
            "render:\n  helm: no-such-helm-for-salint\n",
        ),
        ("out/kept", ""),
    ]);
    std::os::unix::fs::symlink("envs/dev/sa.yaml", dir.path().join("link.json")).unwrap();
    let failing: &[&[&str]] = &[
        &["check", "--exclude", "[", "."],
        &["check", "--config", "missing.yaml", "."],
        &["check", "--baseline", "bad-baseline.json", "."],
        &["check", "--baseline", "old-baseline.json", "."],
        &["check", "--baseline", "missing.json", "."],
        &["check", "--config", "kustomize.salint.yaml", "."],
        &["check", "--config", "helm.salint.yaml", "."],
        &["check", "--cluster", "nope", "."],
        &["check", "-f", "json", "-o", "out", "."],
        &["check", "-f", "json", "-o", "link.json", "."],
        &["check", "--write-baseline", "missing/b.json", "."],
        &["explain-sa", "api", "envs/dev"],
        &["explain-sa", "shop/nobody", "envs/dev"],
        &["who-can", "get", "pods/", "envs/dev"],
        &["who-can", "get", "pods", "--include", "a{", "envs/dev"],
        &["graph", "."],
        &["graph", "-o", "out", "envs/dev"],
    ];
    let mut transcript = String::new();
    for args in failing {
        let output = common::salint_in(dir.path()).args(*args).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.is_empty(), "{args:?} printed {stdout}");
        transcript.push_str(&format!(
            "$ salint {}\nexit {}\n{}\n",
            args.join(" "),
            output.status.code().unwrap(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    insta::assert_snapshot!(transcript);

    let passing: &[&[&str]] = &[
        &["check", "--exclude", "x", "--cluster", "envs/dev", "."],
        &["explain-sa", "shop/api", "envs/dev"],
        &["who-can", "get", "pods", "envs/dev"],
        &["graph", "-o", "out/graph.mmd", "envs/dev"],
    ];
    for args in passing {
        let output = common::salint_in(dir.path()).args(*args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Only the command line (`src/cli/`) parses flags, prints to standard error and picks an
/// exit code: no other module's code (comments aside) names clap, `eprintln!`,
/// `process::exit` or `ExitCode`, or imports `crate::cli` (the facade, lib.rs, re-exports
/// it). The scan is proven on `src/cli/`
/// itself, where each is found.
#[test]
fn only_the_command_line_parses_flags_prints_to_stderr_and_exits() {
    const OWNED_BY_CLI: [&str; 6] = [
        "clap::",
        "eprintln!",
        "eprint!",
        "process::exit",
        "ExitCode",
        "crate::cli",
    ];
    fn sources(folder: &std::path::Path, found: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code: Vec<&str> = text
                    .lines()
                    .filter(|line| !line.trim_start().starts_with("//"))
                    .collect();
                found.push((path.display().to_string(), code.join("\n")));
            }
        }
    }
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let cli = src.join("cli").display().to_string();
    let main = src.join("main.rs").display().to_string();
    // The facade re-exports `cli::run` (and, for tests, a table printer).
    let lib = src.join("lib.rs").display().to_string();
    let mut in_cli = std::collections::BTreeSet::new();
    for (path, text) in &files {
        for word in OWNED_BY_CLI {
            if path.starts_with(&cli) {
                if text.contains(word) {
                    in_cli.insert(word);
                }
            } else if *path != main && *path != lib {
                assert!(!text.contains(word), "{path} uses `{word}`: that is cli's");
            }
        }
    }
    // cli ends the process by returning an `ExitCode` from `main`, never with
    // `process::exit`, and has no reason to name itself.
    let expected = std::collections::BTreeSet::from(["ExitCode", "clap::", "eprint!", "eprintln!"]);
    assert_eq!(in_cli, expected);
}

/// Rule options are read by the rule that owns them: the configuration accepts the keys a
/// rule's doc lists under `## Options`, the rule judges each value (the error points at
/// it) and shows its defaults in `salint config`.
#[test]
fn rule_options_are_judged_by_their_rule_and_shown_with_their_origin() {
    let dir = common::scratch_repo(&[
        (
            "sa.yaml",
            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, namespace: shop}\n",
        ),
        ("unknown.yaml", "rules:\n  shared-service-account:\n    alow: [x]\n"),
        (
            "seconds.yaml",
            "rules:\n  long-lived-projected-token:\n    max-expiration-seconds: 60\n",
        ),
        (
            "seconds-list.yaml",
            "rules:\n  long-lived-projected-token:\n    max-expiration-seconds: [3600]\n",
        ),
        (
            "subject.yaml",
            "rules:\n  cluster-admin-binding:\n    allowed-subjects: [ops]\n",
        ),
        ("allow-type.yaml", "rules:\n  shared-service-account:\n    allow: web\n"),
        (
            "good.yaml",
            "rules:\n  shared-service-account:\n    allow: [monitoring/prometheus, fluent-bit]\n  long-lived-projected-token:\n    severity: error\n    max-expiration-seconds: 7200\n  cluster-admin-binding:\n    allowed-subjects: [\"Group:ops\"]\n",
        ),
    ]);
    let mut transcript = String::new();
    for config in [
        "unknown.yaml",
        "seconds.yaml",
        "seconds-list.yaml",
        "subject.yaml",
        "allow-type.yaml",
    ] {
        let output = common::salint_in(dir.path())
            .args(["check", "--config", config, "sa.yaml"])
            .output()
            .unwrap();
        transcript.push_str(&format!(
            "$ salint check --config {config} sa.yaml\nexit {}\n{}\n",
            output.status.code().unwrap(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    insta::assert_snapshot!("rule_option_errors", transcript);
    let shown = |args: &[&str]| {
        let output = common::salint_in(dir.path()).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .filter(|line| line.starts_with("    "))
            .map(|line| format!("{line}\n"))
            .collect::<String>()
    };
    insta::assert_snapshot!(
        "rule_options_shown",
        format!(
            "# configured\n{}# defaults\n{}",
            shown(&["config", "--config", "good.yaml"]),
            shown(&["config"])
        )
    );
    let good = common::salint_in(dir.path())
        .args(["check", "--config", "good.yaml", "sa.yaml"])
        .output()
        .unwrap();
    assert_eq!(good.status.code(), Some(0), "{good:?}");
}

/// A finding in a file that holds only kinds no rule reads beyond their identity
/// (`duplicate-object` between two ConfigMaps) is located at its line and column, and the
/// human report shows its snippet: such files drop their trees, not their positions or text.
#[test]
fn a_finding_in_a_file_of_unread_kinds_has_its_exact_place_and_snippet() {
    let dir = common::scratch_repo(&[(
        "k8s/settings.yaml",
        "# settings\n\n\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\n",
    )]);
    let run = |format: &str| {
        let output = common::salint_in(dir.path())
            .args(["check", "--color", "never", "--format", format, "k8s"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        String::from_utf8(output.stdout).unwrap()
    };
    let compact = run("compact");
    assert!(
        compact.starts_with("k8s/settings.yaml:4:1: warning [SA503 duplicate-object]"),
        "{compact}"
    );
    let human = run("human");
    assert!(!human.contains("Failed to read"), "{human}");
    assert!(human.contains("4 │ ╭─▶ apiVersion: v1"), "{human}");
}
