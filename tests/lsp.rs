//! `salint lsp` driven over stdio as an editor drives it: initialize, didOpen, diagnostics
//! with codes and ranges, a quick fix applied, didChange clearing the finding (also in
//! another open document), hover, and shutdown/exit.

use std::path::Path;

use serde_json::{json, Value};

mod common;

use common::lsp::Client;

const APP: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  template:
    spec:
      serviceAccountName: api
      containers:
        - name: api
          image: registry.example/api:1
";

const SERVICE_ACCOUNT: &str = "\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: shop
";

/// A RoleBinding whose subject has a typo (`apx`): it grants shop/api nothing.
const BINDING: &str = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: api-reads-config
  namespace: shop
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
  - kind: ServiceAccount
    name: apx
    namespace: shop
";

fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn codes_and_ranges(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            let r = &d["range"];
            format!(
                "{} {}:{}-{}:{}",
                d["code"].as_str().unwrap(),
                r["start"]["line"],
                r["start"]["character"],
                r["end"]["line"],
                r["end"]["character"]
            )
        })
        .collect()
}

/// Applies LSP text edits (same file, non-overlapping) to `text`.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |position: &Value| -> usize {
        let line = position["line"].as_u64().unwrap() as usize;
        let character = position["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + character // the fixtures are ASCII
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, new) in edits {
        out.replace_range(start..end, new);
    }
    out
}

fn workspace() -> tempfile::TempDir {
    common::scratch_repo(&[
        ("k8s/app.yaml", APP),
        ("k8s/sa.yaml", SERVICE_ACCOUNT),
        ("k8s/binding.yaml", BINDING),
    ])
}

fn initialize(client: &mut Client, root: &Path) {
    let result = client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": file_uri(root),
            "workspaceFolders": [{"uri": file_uri(root), "name": "ws"}],
            "capabilities": {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}
        }),
    );
    assert_eq!(result["serverInfo"]["name"], "salint");
    assert_eq!(result["capabilities"]["hoverProvider"], true);
    client.notify("initialized", json!({}));
}

fn open(client: &mut Client, uri: &str, text: &str) {
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
    );
}

#[test]
fn diagnostics_quick_fix_hover_and_cross_file_updates() {
    let dir = workspace();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let app_uri = file_uri(&root.join("k8s/app.yaml"));
    let binding_uri = file_uri(&root.join("k8s/binding.yaml"));
    let mut client = Client::start(&root);
    initialize(&mut client, &root);

    // The token is needless: the only binding names `apx`, not `api`.
    open(&mut client, &app_uri, APP);
    let diagnostics = client.diagnostics_for(&app_uri);
    assert_eq!(codes_and_ranges(&diagnostics), ["SA201 7:4-7:8"]);
    let first = &diagnostics[0];
    assert_eq!(first["source"], "salint");
    assert_eq!(first["severity"], 2);
    assert!(first["codeDescription"]["href"]
        .as_str()
        .unwrap()
        .ends_with("/rules/needless-token-automount.md"));
    assert!(first["message"]
        .as_str()
        .unwrap()
        .starts_with("Deployment shop/api mounts a token for ServiceAccount shop/api"));

    // Hover on the serviceAccountName value.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": app_uri}, "position": {"line": 8, "character": 28}}),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("**ServiceAccount shop/api** (defined in `sa.yaml` line 1)"),
        "{text}"
    );
    assert!(
        text.contains("No binding in the workspace grants it anything."),
        "{text}"
    );

    // Fixing the binding in another open document clears the finding here.
    open(&mut client, &binding_uri, BINDING);
    assert_eq!(client.diagnostics_for(&binding_uri), Vec::<Value>::new());
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": binding_uri, "version": 2},
            "contentChanges": [{"text": BINDING.replace("name: apx", "name: api")}]
        }),
    );
    assert_eq!(client.diagnostics_for(&app_uri), Vec::<Value>::new());

    // Break it again, then apply the quick fix and send the fixed text.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": binding_uri, "version": 3}, "contentChanges": [{"text": BINDING}]}),
    );
    let diagnostics = client.diagnostics_for(&app_uri);
    assert_eq!(codes_and_ranges(&diagnostics), ["SA201 7:4-7:8"]);
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": app_uri},
            "range": diagnostics[0]["range"],
            "context": {"diagnostics": diagnostics}
        }),
    );
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Set `automountServiceAccountToken: false` on this pod spec",
            "Set `automountServiceAccountToken: false` on ServiceAccount api (all its pods)",
            "Suppress needless-token-automount on api with an annotation",
        ]
    );
    let fix = &actions[0];
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    let edits = fix["edit"]["changes"][&app_uri].as_array().unwrap();
    let fixed = apply(APP, edits);
    assert!(
        fixed.contains(
            "    spec:\n      automountServiceAccountToken: false\n      serviceAccountName: api\n"
        ),
        "{fixed}"
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": app_uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    assert_eq!(client.diagnostics_for(&app_uri), Vec::<Value>::new());

    // The suppression action keeps the indentation of metadata.
    let suppress = &actions[2];
    let edits = suppress["edit"]["changes"][&app_uri].as_array().unwrap();
    let suppressed = apply(APP, edits);
    assert!(
        suppressed.contains(
            "metadata:\n  annotations:\n    ignore.salint.io/needless-token-automount: \"TODO: say why this is acceptable\"\n  name: api\n"
        ),
        "{suppressed}"
    );

    shutdown(client);
}

#[test]
fn documents_without_objects_get_no_diagnostics_and_parse_errors_show_in_place() {
    let dir = workspace();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let mut client = Client::start(&root);
    initialize(&mut client, &root);
    let values = file_uri(&root.join("values.yaml"));
    open(
        &mut client,
        &values,
        "replicaCount: 2\nimage:\n  tag: latest\n",
    );
    assert_eq!(client.diagnostics_for(&values), Vec::<Value>::new());
    let broken = file_uri(&root.join("k8s/broken.yaml"));
    open(
        &mut client,
        &broken,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: x\nspec: {}\n",
    );
    let diagnostics = client.diagnostics_for(&broken);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0]["code"], "input-error");
    assert_eq!(diagnostics[0]["range"]["start"]["line"], 3);
    shutdown(client);
}

fn shutdown(mut client: Client) {
    let result = client.request("shutdown", Value::Null);
    assert_eq!(result, Value::Null);
    client.notify("exit", Value::Null);
    let status = client.child.wait().unwrap();
    assert!(status.success());
}

#[test]
fn watched_file_changes_keep_the_context_current() {
    let dir = workspace();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let app_uri = file_uri(&root.join("k8s/app.yaml"));
    let mut client = Client::start(&root);
    initialize(&mut client, &root);
    open(&mut client, &app_uri, APP);
    assert_eq!(
        codes_and_ranges(&client.diagnostics_for(&app_uri)),
        ["SA201 7:4-7:8"]
    );
    // A binding appears on disk (a git pull, another editor): the token is used now.
    let grant = root.join("k8s/grant.yaml");
    std::fs::write(&grant, BINDING.replace("name: apx", "name: api")).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&grant), "type": 1}]}),
    );
    assert_eq!(client.diagnostics_for(&app_uri), Vec::<Value>::new());
    // And goes again.
    std::fs::remove_file(&grant).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&grant), "type": 3}]}),
    );
    assert_eq!(
        codes_and_ranges(&client.diagnostics_for(&app_uri)),
        ["SA201 7:4-7:8"]
    );
    shutdown(client);
}

/// Sends a full-text change of `uri`, then a request: every publish the change causes
/// comes before its answer (the server handles messages in order). The documents
/// published, as `path [codes and ranges]`, paths relative to `root`.
fn change_and_published(
    client: &mut Client,
    root: &Path,
    uri: &str,
    version: i32,
    text: &str,
) -> Vec<String> {
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
    );
    let barrier = format!("barrier-{version}");
    client.send(json!({
        "jsonrpc": "2.0", "id": barrier, "method": "textDocument/hover",
        "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}
    }));
    let prefix = file_uri(root) + "/";
    let published = std::cell::RefCell::new(Vec::new());
    client.wait_for(|m| {
        if m["method"] == "textDocument/publishDiagnostics" {
            let path = m["params"]["uri"]
                .as_str()
                .unwrap()
                .trim_start_matches(&prefix);
            let diagnostics = codes_and_ranges(m["params"]["diagnostics"].as_array().unwrap());
            published
                .borrow_mut()
                .push(format!("{path} {diagnostics:?}"));
        }
        m["id"] == json!(barrier) && m.get("method").is_none()
    });
    published.into_inner()
}

/// The documents an edit republishes: those whose diagnostics changed, also in another
/// document, and the edited one when its diagnostics only moved; none in another folder's
/// cluster, and none at all when nothing changed.
#[test]
fn only_documents_whose_diagnostics_changed_are_published_again() {
    const COMMON: &str =
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\n";
    let dir = common::scratch_repo(&[
        ("prod/app.yaml", APP),
        ("prod/sa.yaml", SERVICE_ACCOUNT),
        ("prod/binding.yaml", BINDING),
        ("prod/common.yaml", COMMON),
        ("staging/app.yaml", APP),
        ("staging/sa.yaml", SERVICE_ACCOUNT),
        ("staging/common.yaml", COMMON),
    ]);
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let app = file_uri(&root.join("prod/app.yaml"));
    let binding = file_uri(&root.join("prod/binding.yaml"));
    let staging = file_uri(&root.join("staging/app.yaml"));
    let mut client = Client::start(&root);
    initialize(&mut client, &root);
    for (uri, text) in [(&app, APP), (&binding, BINDING), (&staging, APP)] {
        open(&mut client, uri, text);
        client.diagnostics_for(uri);
    }
    let fixed = BINDING.replace("name: apx", "name: api");
    // The binding names shop/api now: the needless token in prod/app.yaml is gone. The
    // binding's own diagnostics (none) and staging's (another cluster) stay as they were.
    assert_eq!(
        change_and_published(&mut client, &root, &binding, 2, &fixed),
        ["prod/app.yaml []"]
    );
    // And back: the finding returns in the other document.
    assert_eq!(
        change_and_published(&mut client, &root, &binding, 3, BINDING),
        ["prod/app.yaml [\"SA201 7:4-7:8\"]"]
    );
    // A comment at the end changes nothing: nothing is published.
    let commented = format!("{BINDING}# reviewed\n");
    assert_eq!(
        change_and_published(&mut client, &root, &binding, 4, &commented),
        Vec::<String>::new()
    );
    // A line on top moves the edited document's finding: it is published again, alone.
    let moved = format!("# the api\n{APP}");
    assert_eq!(
        change_and_published(&mut client, &root, &app, 5, &moved),
        ["prod/app.yaml [\"SA201 8:4-8:8\"]"]
    );
    // staging's own finding, edited there: prod's documents are not published.
    let fixed_there = format!("{APP}---\n{}", fixed);
    assert_eq!(
        change_and_published(&mut client, &root, &staging, 6, &fixed_there),
        ["staging/app.yaml []"]
    );
    shutdown(client);
}

/// The pod spec's tree goes without its containers; the fix still goes in as the pod spec's
/// first entry, at its indentation, even when `containers` is all it has.
#[test]
fn pod_spec_fix_goes_first_when_the_pod_spec_starts_with_containers() {
    const ONLY_CONTAINERS: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: web
          image: registry.example/web:1
";
    let dir = workspace();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let uri = file_uri(&root.join("k8s/web.yaml"));
    let mut client = Client::start(&root);
    initialize(&mut client, &root);
    open(&mut client, &uri, ONLY_CONTAINERS);
    let diagnostics = client.diagnostics_for(&uri);
    let automount: Vec<Value> = diagnostics
        .into_iter()
        .filter(|d| d["code"] == "SA201")
        .collect();
    assert_eq!(codes_and_ranges(&automount), ["SA201 7:4-7:8"]);
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": automount[0]["range"],
            "context": {"diagnostics": automount}
        }),
    );
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Set `automountServiceAccountToken: false` on this pod spec")
        .unwrap_or_else(|| panic!("no pod spec fix in {actions}"));
    let edits = fix["edit"]["changes"][&uri].as_array().unwrap();
    assert_eq!(
        apply(ONLY_CONTAINERS, edits),
        ONLY_CONTAINERS.replace(
            "    spec:\n      containers:",
            "    spec:\n      automountServiceAccountToken: false\n      containers:"
        )
    );
    shutdown(client);
}

/// A Kustomize workspace: opening a base file renders the overlays that read it, and the
/// diagnostics are theirs, located in the base; a saved patch renders again.
#[test]
fn kustomize_roots_are_rendered_on_open_and_on_save() {
    if !common::kustomize() {
        return;
    }
    let base = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      serviceAccountName: web\n      containers:\n        - name: web\n          image: web:1\n";
    let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      automountServiceAccountToken: true\n";
    let dir = common::scratch_repo(&[
        ("base/kustomization.yaml", "resources: [web.yaml]\n"),
        ("base/web.yaml", base),
        (
            "prod/kustomization.yaml",
            "namespace: prod\nresources: [../base]\npatches: [{path: automount.yaml}]\n",
        ),
        ("prod/automount.yaml", patch),
    ]);
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let base_uri = file_uri(&root.join("base/web.yaml"));
    let patch_uri = file_uri(&root.join("prod/automount.yaml"));
    let mut client = Client::start(&root);
    initialize(&mut client, &root);

    // Opening the patch renders prod: the automount it sets is the finding's place.
    open(&mut client, &patch_uri, patch);
    let diagnostics = client.diagnostics_for(&patch_uri);
    assert_eq!(codes_and_ranges(&diagnostics), ["SA201 7:36-7:40"]);
    assert!(diagnostics[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("Deployment prod/web mounts a token"));
    // The base is read by the same rendering: nothing of its own to say.
    open(&mut client, &base_uri, base);
    assert_eq!(client.diagnostics_for(&base_uri), Vec::<Value>::new());

    // The patch turned off and saved: rendered again, the finding is gone.
    let fixed = patch.replace("true", "false");
    std::fs::write(root.join("prod/automount.yaml"), &fixed).unwrap();
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": patch_uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": patch_uri}}),
    );
    let diagnostics = client.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == patch_uri
            && m["params"]["diagnostics"] == json!([])
    });
    assert_eq!(diagnostics["params"]["diagnostics"], json!([]));
    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    let _ = client.child.wait();
}

/// A chart in the workspace: opening a template renders the chart (Helm's engine through
/// scripts/helm-template, as `render.helm` says), its findings are shown on the template
/// line, and a template gets no parse errors.
#[test]
fn chart_templates_get_the_diagnostics_of_their_renderings() {
    let root_dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let Some(python) = common::helm_python() else {
        return;
    };
    let command = format!(
        "{} {}",
        python.display(),
        root_dir.join("scripts/helm-template").display()
    );
    let template = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-api\nspec:\n  template:\n    spec:\n      {{- with .Values.pod }}\n      {{- toYaml . | nindent 6 }}\n      {{- end }}\n      containers:\n        - name: api\n          image: api:1\n";
    let dir = common::scratch_repo(&[
        (
            ".salint.yaml",
            format!(
                "render:\n  helm: {}\n",
                serde_json::to_string(&command).unwrap()
            )
            .as_str(),
        ),
        (
            "api/Chart.yaml",
            "apiVersion: v2\nname: api\nversion: 0.1.0\n",
        ),
        ("api/values.yaml", "pod:\n  serviceAccountName: default\n"),
        ("api/templates/deployment.yaml", template),
    ]);
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let uri = file_uri(&root.join("api/templates/deployment.yaml"));
    let mut client = Client::start(&root);
    initialize(&mut client, &root);
    open(&mut client, &uri, template);
    let diagnostics = client.diagnostics_for(&uri);
    // The token at the pod spec's key; the ServiceAccount where the toYaml writes the pod
    // spec's fields (from values.yaml); no parse error.
    assert_eq!(
        codes_and_ranges(&diagnostics),
        ["SA201 6:4-6:8", "SA101 8:6-8:33"]
    );
    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    let _ = client.child.wait();
}

/// A suppression that silences nothing gets `unused-suppression` and the quick fix that
/// removes it: the comment's line goes, every other byte stays, and the diagnostic with it.
#[test]
fn unused_suppression_quick_fix_removes_the_comment() {
    const CONFIG_MAP: &str = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  # salint: ignore[pod-exec] nothing here execs
  mode: fast
";
    let dir = workspace();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let uri = file_uri(&root.join("k8s/settings.yaml"));
    let mut client = Client::start(&root);
    initialize(&mut client, &root);
    open(&mut client, &uri, CONFIG_MAP);
    let diagnostics = client.diagnostics_for(&uri);
    assert_eq!(codes_and_ranges(&diagnostics), ["SA901 6:2-6:47"]);
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": diagnostics[0]["range"],
            "context": {"diagnostics": diagnostics}
        }),
    );
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Remove this suppression: it silences nothing")
        .unwrap_or_else(|| panic!("no removal in {actions}"));
    assert_eq!(fix["kind"], "quickfix");
    let edits = fix["edit"]["changes"][&uri].as_array().unwrap();
    let fixed = apply(CONFIG_MAP, edits);
    assert_eq!(
        fixed,
        CONFIG_MAP.replace("  # salint: ignore[pod-exec] nothing here execs\n", "")
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    assert_eq!(client.diagnostics_for(&uri), Vec::<Value>::new());
    shutdown(client);
}
