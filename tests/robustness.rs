//! Hostile and broken input: each case gives a clear diagnostic (with line and column where
//! there is one) and exit code 2, every other file's findings survive, and nothing runs
//! longer than a generous bound (each run is killed after `LIMIT`). Large inputs are
//! generated at test time.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use insta_cmd::get_cargo_bin;
use serde_json::Value;

mod common;

/// No input may make salint run longer than this (the test binary is a debug build).
const LIMIT: Duration = Duration::from_secs(60);

/// A good file with a known finding (default-service-account at 7:5) that must survive.
const GOOD: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: api:1}]
";

struct Run {
    code: i32,
    json: Value,
    stderr: String,
}

/// Runs `salint check --format json ARGS` in `dir` under [`LIMIT`].
fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let started = Instant::now();
    let mut child = Command::new(get_cargo_bin("salint"))
        .current_dir(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        let _ = pipe.write_all(bytes);
    }
    let output = loop {
        if child.try_wait().unwrap().is_some() {
            break child.wait_with_output().unwrap();
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            panic!("salint {args:?} ran longer than {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: output.status.code().unwrap_or(-1),
        json: serde_json::from_slice(&output.stdout).unwrap_or(Value::Null),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn dir_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    common::scratch_repo(files)
}

/// `file line:col message` of each input error.
fn errors(run: &Run) -> Vec<String> {
    run.json["input_errors"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|e| {
            let at = match e.get("position").filter(|p| !p.is_null()) {
                Some(p) => format!(" {}:{}", p["line"], p["column"]),
                None => String::new(),
            };
            format!(
                "{}{at} {}",
                e["file"].as_str().unwrap(),
                e["message"].as_str().unwrap()
            )
        })
        .collect()
}

fn findings(run: &Run) -> Vec<String> {
    run.json["findings"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}:{}",
                f["code"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["span"]["start"]["line"],
                f["span"]["start"]["column"]
            )
        })
        .collect()
}

/// The good file's findings are all there.
fn good_survives(run: &Run) {
    let found = findings(run);
    assert!(
        found.contains(&"SA101 good.yaml:7:5".to_string()),
        "the good file's findings are gone: {found:?}\n{}",
        run.stderr
    );
}

fn bad_input(name: &str, bytes: &[u8], expected: &str) -> Run {
    let dir = dir_with(&[("good.yaml", GOOD.as_bytes()), (name, bytes)]);
    let run = run_in(dir.path(), &["."], None);
    assert_eq!(run.code, 2, "{name}: {}", run.stderr);
    let errors = errors(&run);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with(name) && e.contains(expected)),
        "{name}: expected an error with {expected:?}, got {errors:?}"
    );
    good_survives(&run);
    run
}

#[test]
fn alias_bombs_are_errors_not_out_of_memory() {
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (name, previous) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        bomb.push_str(&format!(
            "{name}: &{name} [*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous}]\n"
        ));
    }
    let run = bad_input("bomb.yaml", bomb.as_bytes(), "alias");
    assert!(
        errors(&run).iter().any(|e| e.starts_with("bomb.yaml ")),
        "{:?}",
        errors(&run)
    );
}

#[test]
fn ten_thousand_levels_of_nesting_are_an_error() {
    let seqs = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    bad_input("seqs.yaml", seqs.as_bytes(), "nest");
    let maps = format!("{}x{}", "{a: ".repeat(10_000), "}".repeat(10_000));
    bad_input("maps.yaml", maps.as_bytes(), "nest");
    let block: String = (0..10_000)
        .map(|i| format!("{}- \n", "  ".repeat(i % 3000)))
        .collect();
    let dir = dir_with(&[
        ("good.yaml", GOOD.as_bytes()),
        ("block.yaml", block.as_bytes()),
    ]);
    let run = run_in(dir.path(), &["."], None);
    good_survives(&run);
}

#[test]
fn a_file_above_the_size_limit_is_skipped_without_reading_it() {
    let dir = dir_with(&[("good.yaml", GOOD.as_bytes())]);
    // 200 MB, sparse: salint must decide from the size, not by reading it.
    let huge = std::fs::File::create(dir.path().join("huge.yaml")).unwrap();
    huge.set_len(200 * 1024 * 1024).unwrap();
    let run = run_in(dir.path(), &["."], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        errors(&run)
            .iter()
            .any(|e| e.starts_with("huge.yaml") && e.contains("--max-file-size")),
        "{:?}",
        errors(&run)
    );
    good_survives(&run);
    // The limit is a flag.
    let small = dir_with(&[("good.yaml", GOOD.as_bytes()), ("big.yaml", &[b'#'; 4096])]);
    let run = run_in(small.path(), &["--max-file-size", "1K", "."], None);
    assert!(
        errors(&run).iter().any(|e| e.starts_with("big.yaml")),
        "{:?}",
        errors(&run)
    );
    let run = run_in(small.path(), &["--max-file-size", "1M", "."], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let run = run_in(small.path(), &["--max-file-size", "lots", "."], None);
    assert_eq!(run.code, 2);
}

#[test]
fn a_hundred_thousand_documents_in_one_file() {
    let mut text = String::with_capacity(7 << 20);
    for i in 0..100_000 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}, namespace: shop}}\n"
        ));
    }
    let dir = dir_with(&[
        ("good.yaml", GOOD.as_bytes()),
        ("many.yaml", text.as_bytes()),
    ]);
    let run = run_in(dir.path(), &["."], None);
    assert_eq!(run.json["summary"]["objects"], 100_001, "{}", run.stderr);
    good_survives(&run);
}

#[test]
fn a_one_megabyte_line() {
    let line = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big, namespace: shop}}\ndata: {{k: \"{}\"}}\n",
        "x".repeat(1 << 20)
    );
    let flow = format!("items: [{}]\n", vec!["1"; 300_000].join(", "));
    let dir = dir_with(&[
        ("good.yaml", GOOD.as_bytes()),
        ("line.yaml", line.as_bytes()),
        ("flow.yaml", flow.as_bytes()),
    ]);
    let run = run_in(dir.path(), &["."], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    good_survives(&run);
}

#[test]
fn binary_content_and_nul_bytes_are_input_errors() {
    let mut binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    binary.splice(0..0, b"apiVersion: v1\n".iter().copied());
    bad_input("binary.yaml", &binary, "");
    bad_input("nul.yaml", b"apiVersion: v1\nkind: \x00Pod\n", "");
}

#[test]
fn invalid_utf8_is_reported_where_it_is() {
    let run = bad_input(
        "latin1.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n",
        "UTF-8",
    );
    assert!(
        errors(&run).iter().any(|e| e.starts_with("latin1.yaml 3:")),
        "{:?}",
        errors(&run)
    );
}

#[test]
fn bom_utf8_and_utf16_are_decoded_with_right_columns() {
    let mut utf8 = b"\xef\xbb\xbf".to_vec();
    utf8.extend_from_slice(GOOD.replace("name: api,", "name: bom8,").as_bytes());
    let mut utf16: Vec<u8> = vec![0xff, 0xfe];
    for unit in GOOD.replace("name: api,", "name: bom16,").encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let dir = dir_with(&[
        ("good.yaml", GOOD.as_bytes()),
        ("bom8.yaml", &utf8),
        ("bom16.yaml", &utf16),
    ]);
    let run = run_in(dir.path(), &["."], None);
    let found = findings(&run);
    for file in ["bom8.yaml", "bom16.yaml"] {
        assert!(
            found.contains(&format!("SA101 {file}:7:5")),
            "{file}: {found:?}"
        );
    }
}

#[test]
fn crlf_and_tabs_keep_columns_right() {
    // Tabs as separators inside flow collections and before comments, CRLF line ends.
    let text = "apiVersion: v1\r\nkind: Pod\r\nmetadata: {name: \"p\\tq\",\tnamespace: shop}\r\nspec: {containers: [{name: c,\timage: c}],\tserviceAccountName: default}\t# tab\r\n";
    let dir = dir_with(&[("tabs.yaml", text.as_bytes())]);
    let run = run_in(dir.path(), &["."], None);
    // `default` follows two tabs on line 4: column 63, each tab one character.
    assert!(
        findings(&run).contains(&"SA101 tabs.yaml:4:63".to_string()),
        "{:?}",
        findings(&run)
    );
    let end = &run.json["findings"][1]["span"]["end"];
    assert_eq!(
        (end["line"].as_u64(), end["column"].as_u64()),
        (Some(4), Some(70))
    );
}

#[test]
fn duplicate_keys_are_reported_and_the_later_value_wins() {
    let text = "\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  serviceAccountName: api
  automountServiceAccountToken: false
  containers: [{name: c, image: c}]
  automountServiceAccountToken: true
";
    let dir = dir_with(&[("dup.yaml", text.as_bytes())]);
    let run = run_in(dir.path(), &["."], None);
    let found = findings(&run);
    assert!(
        found.contains(&"SA502 dup.yaml:6:3".to_string()),
        "{found:?}"
    );
    // kubectl keeps `true`: the token is mounted, and nothing grants `api` anything.
    assert!(
        found.contains(&"SA201 dup.yaml:8:33".to_string()),
        "{found:?}"
    );
}

#[test]
fn wrong_types_say_what_the_api_server_does() {
    let text = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: 42
      automountServiceAccountToken: \"false\"
      containers: [{name: a, image: a}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: shop}
rules:
  apiGroups: [\"\"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: shop}
roleRef: {kind: Role, name: r, apiGroup: rbac.authorization.k8s.io}
subjects: \"x\"
";
    let dir = dir_with(&[("types.yaml", text.as_bytes())]);
    let run = run_in(dir.path(), &["."], None);
    let types: Vec<String> = findings(&run)
        .into_iter()
        .filter(|f| f.starts_with("SA501"))
        .collect();
    assert_eq!(
        types,
        [
            "SA501 types.yaml:7:27",
            "SA501 types.yaml:8:37",
            "SA501 types.yaml:15:3",
            "SA501 types.yaml:21:11"
        ]
    );
    let messages = run.json["findings"].to_string();
    assert!(messages.contains("the API server rejects the whole object"));
}

#[cfg(unix)]
#[test]
fn symlinks_are_followed_only_when_asked_and_loops_are_diagnosed() {
    let outside = dir_with(&[(
        "secret.yaml",
        GOOD.replace("name: api,", "name: outside,").as_bytes(),
    )]);
    let dir = dir_with(&[("good.yaml", GOOD.as_bytes())]);
    std::os::unix::fs::symlink(outside.path(), dir.path().join("linked")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
    let run = run_in(dir.path(), &["."], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        findings(&run),
        ["SA101 good.yaml:7:5", "SA201 good.yaml:7:5"]
    );
    let followed = run_in(dir.path(), &["--follow", "."], None);
    assert!(
        findings(&followed).contains(&"SA101 linked/secret.yaml:7:5".to_string()),
        "{:?}",
        findings(&followed)
    );
    assert_eq!(followed.code, 2, "the loop is a diagnostic");
    assert!(
        errors(&followed).iter().any(|e| e.contains("loop")),
        "{:?}",
        errors(&followed)
    );
    good_survives(&followed);
}

#[test]
fn a_folder_named_like_a_manifest_is_walked() {
    let dir = dir_with(&[("x.yaml/good.yaml", GOOD.as_bytes())]);
    let run = run_in(dir.path(), &["x.yaml"], None);
    assert!(
        findings(&run).contains(&"SA101 x.yaml/good.yaml:7:5".to_string()),
        "{:?}",
        findings(&run)
    );
}

#[cfg(unix)]
#[test]
fn a_file_that_is_gone_is_a_diagnostic() {
    let dir = dir_with(&[("good.yaml", GOOD.as_bytes())]);
    std::os::unix::fs::symlink(
        dir.path().join("vanished.yaml"),
        dir.path().join("dangling.yaml"),
    )
    .unwrap();
    let run = run_in(dir.path(), &["good.yaml", "dangling.yaml"], None);
    assert_eq!(run.code, 2);
    assert!(
        errors(&run)
            .iter()
            .any(|e| e.starts_with("dangling.yaml") && e.contains("No such file")),
        "{:?}",
        errors(&run)
    );
    good_survives(&run);
}

#[test]
fn stdin_empty_or_cut_short() {
    let dir = dir_with(&[]);
    let empty = run_in(dir.path(), &["-"], Some(b""));
    assert_eq!(empty.code, 0);
    let cut = run_in(
        dir.path(),
        &["-"],
        Some(b"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namesp"),
    );
    assert_eq!(cut.code, 2, "{}", cut.stderr);
    assert!(
        errors(&cut).iter().any(|e| e.starts_with("<stdin> 3:")),
        "{:?}",
        errors(&cut)
    );
}

#[test]
fn salint_writes_only_where_it_is_told() {
    let dir = dir_with(&[
        ("good.yaml", GOOD.as_bytes()),
        ("sub/more.yaml", GOOD.as_bytes()),
    ]);
    let listing = |dir: &Path| -> Vec<String> {
        let mut names = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(folder) = stack.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                names.push(path.strip_prefix(dir).unwrap().display().to_string());
                if path.is_dir() {
                    stack.push(path);
                }
            }
        }
        names.sort();
        names
    };
    let before = listing(dir.path());
    for format in ["human", "json", "sarif", "github", "compact", "markdown"] {
        let _ = run_in(dir.path(), &["--format", format, "."], None);
    }
    assert_eq!(listing(dir.path()), before, "a check wrote files");
    let _ = run_in(dir.path(), &["--output", "report.json", "."], None);
    let mut expected = before.clone();
    expected.push("report.json".to_string());
    expected.sort();
    assert_eq!(listing(dir.path()), expected);
}

#[test]
fn the_source_never_runs_programs_or_opens_connections() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![root];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for forbidden in [
                "process::Command",
                "TcpStream",
                "UdpSocket",
                "TcpListener",
                "std::net::",
            ] {
                assert!(
                    !text.contains(forbidden),
                    "{} uses {forbidden}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn regression_inputs_pass_through_the_whole_pipeline() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        salint::fuzz::loader(&bytes);
        salint::fuzz::pipeline(&bytes);
        count += 1;
    }
    assert!(count >= 6, "only {count} regression inputs");
}

/// Shapes kubectl (go-yaml) and PyYAML read that saphyr-parser 0.3.4 rejected, losing the
/// whole file: a quoted scalar continued at its key's indentation, and a tab after `key:`.
/// The values are PyYAML's (`CSafeLoader`); the oracle's go-yaml loads both files too.
#[test]
fn kubectl_yaml_shapes_load_with_kubectl_values() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/regressions");
    let read = |name: &str| {
        let inputs =
            salint::input::read_inputs(&[salint::discover::InputSource::File(dir.join(name))]);
        assert!(inputs.errors.is_empty(), "{name}: {:?}", inputs.errors);
        inputs
    };
    let quoted = read("quoted-scalar-at-key-indentation.yaml");
    let kinds: Vec<&str> = quoted.objects.iter().map(|o| o.kind.as_str()).collect();
    assert_eq!(kinds, ["CustomResourceDefinition", "ClusterRole"]);
    let role = &quoted.objects[1];
    assert_eq!(
        role.root
            .path(&["metadata", "annotations", "description"])
            .and_then(|n| n.as_str()),
        Some("edits widgets, continued at less indentation than the key")
    );
    assert_eq!(role.root.get("rules").map(|r| r.items().len()), Some(1));
    let tabs = read("tab-after-key-colon.yaml");
    let role = &tabs.objects[0];
    assert_eq!(
        (role.kind.as_str(), role.name.as_str()),
        ("Role", "tab-reader")
    );
    assert_eq!(role.api_version, "rbac.authorization.k8s.io/v1");
    assert_eq!(
        role.root
            .path(&["metadata", "labels", "app"])
            .and_then(|n| n.as_str()),
        Some("shop")
    );
}
