//! `salint lsp` against a misbehaving client: malformed messages get JSON-RPC errors and
//! the session goes on, a message's size is capped, `shutdown` is answered even while the
//! server lints, `exit` gives 0 after `shutdown` and 1 without, and the workspace load is
//! bounded, with progress and a message when it stops.

use std::io::Write;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use insta_cmd::get_cargo_bin;
use serde_json::{json, Value};

mod common;

/// How long any answer may take (a debug build; a generous bound, not a timing).
const WAIT: Duration = Duration::from_secs(20);

struct Client {
    child: Child,
    /// None once closed (the end of the client's stream).
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
}

impl Client {
    fn start(root: &Path) -> Client {
        let mut child = Command::new(get_cargo_bin("salint"))
            .arg("lsp")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let messages = common::lsp::messages_of(child.stdout.take().unwrap());
        Client {
            child,
            stdin: Some(stdin),
            messages,
        }
    }

    fn raw(&mut self, bytes: &[u8]) {
        if let Some(stdin) = &mut self.stdin {
            let _ = stdin.write_all(bytes);
            let _ = stdin.flush();
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        self.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    fn body(&mut self, body: &str) {
        self.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    /// The next message matching `wanted`; server requests are answered on the way.
    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let message = self
                .messages
                .recv_timeout(WAIT)
                .expect("the server answered in time");
            if message.get("method").is_some() && message.get("id").is_some() {
                let id = message["id"].clone();
                self.send(json!({"jsonrpc": "2.0", "id": id, "result": null}));
            }
            if wanted(&message) {
                return message;
            }
        }
    }

    /// The next response (a message with `result` or `error`).
    fn response(&mut self) -> Value {
        self.wait_for(|m| m.get("method").is_none())
    }

    fn exit_code(mut self) -> i32 {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            if started.elapsed() > WAIT {
                let _ = self.child.kill();
                panic!("the server did not exit");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn initialize(client: &mut Client, root: &Path, extra: Value) {
    let mut params = json!({
        "processId": null,
        "rootUri": file_uri(root),
        "capabilities": {},
    });
    if let (Some(params), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
        params.extend(extra.clone());
    }
    client.send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}));
    let response = client.response();
    assert_eq!(
        response["result"]["serverInfo"]["name"], "salint",
        "{response}"
    );
    client.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
}

fn error_code(response: &Value) -> i64 {
    response["error"]["code"].as_i64().unwrap_or(0)
}

fn hover(client: &mut Client, id: i64, uri: &str) -> Value {
    client.send(
        json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
        "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}}),
    );
    client.response()
}

#[test]
fn malformed_messages_get_json_rpc_errors_and_the_session_goes_on() {
    let dir = common::scratch_repo(&[("k8s/a.yaml", "kind: X\n")]);
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let uri = file_uri(&root.join("k8s/a.yaml"));
    let mut client = Client::start(&root);
    // Before initialize: not initialized; a bad initialize: invalid params.
    client.send(json!({"jsonrpc": "2.0", "id": 50, "method": "textDocument/hover", "params": {}}));
    assert_eq!(error_code(&client.response()), -32002);
    client.send(json!({"jsonrpc": "2.0", "id": 51, "method": "initialize",
        "params": {"capabilities": {}, "workspaceFolders": [{"uri": 7, "name": 8}]}}));
    let response = client.response();
    assert_eq!(
        (response["id"].clone(), error_code(&response)),
        (json!(51), -32602)
    );
    initialize(&mut client, &root, json!({}));

    client.body("{not json");
    let response = client.response();
    assert_eq!(
        (response["id"].clone(), error_code(&response)),
        (Value::Null, -32700)
    );
    client.body("[1, 2]");
    assert_eq!(error_code(&client.response()), -32600);
    for id in ["null", "1.5", "[1]", "true", "1180591620717411303424"] {
        client.body(&format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"textDocument/hover","params":{{}}}}"#
        ));
        let response = client.response();
        assert_eq!(
            (response["id"].clone(), error_code(&response)),
            (Value::Null, -32600),
            "id {id}"
        );
    }
    client.send(json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": "x"}));
    let response = client.response();
    assert_eq!(
        (response["id"].clone(), error_code(&response)),
        (json!(2), -32602)
    );
    // Notifications with bad params have no answer; the server goes on.
    client.send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": {"textDocument": {"uri": "not a uri", "languageId": "yaml", "version": 1, "text": ""}}}));
    client.send(json!({"jsonrpc": "2.0", "method": "textDocument/didChange",
        "params": {"textDocument": {"uri": uri, "version": 2},
                   "contentChanges": [{"range": {"start": {"line": -1, "character": 0},
                                                 "end": {"line": 0, "character": 0}}, "text": "x"}]}}));
    client.send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": 12}));
    let answer = hover(&mut client, 3, &uri);
    assert_eq!(answer["id"], 3);
    assert!(answer.get("error").is_none(), "{answer}");
    // Larger than 64 MiB: skipped as it streams by, answered, and the session goes on.
    let huge = 64 * 1024 * 1024 + 1;
    client.raw(format!("Content-Length: {huge}\r\n\r\n").as_bytes());
    client.raw(&vec![b' '; huge]);
    let response = client.response();
    assert_eq!(
        (response["id"].clone(), error_code(&response)),
        (Value::Null, -32600)
    );
    assert_eq!(hover(&mut client, 4, &uri)["id"], 4);

    client.send(json!({"jsonrpc": "2.0", "id": 5, "method": "shutdown"}));
    let response = client.response();
    assert_eq!(
        (response["id"].clone(), response["result"].clone()),
        (json!(5), Value::Null)
    );
    let after = hover(&mut client, 6, &uri);
    assert_eq!(
        (after["id"].clone(), error_code(&after)),
        (json!(6), -32600)
    );
    client.send(json!({"jsonrpc": "2.0", "method": "exit"}));
    assert_eq!(client.exit_code(), 0);
}

#[test]
fn exit_without_shutdown_is_code_1() {
    let dir = common::scratch_repo(&[("k8s/a.yaml", "kind: X\n")]);
    let mut client = Client::start(dir.path());
    initialize(&mut client, dir.path(), json!({}));
    client.send(json!({"jsonrpc": "2.0", "method": "exit"}));
    assert_eq!(client.exit_code(), 1);
}

#[test]
fn a_claimed_size_is_not_allocated_and_the_end_of_input_ends_the_server() {
    let dir = common::scratch_repo(&[("k8s/a.yaml", "kind: X\n")]);
    for length in ["4000000000", "40000000000"] {
        let mut client = Client::start(dir.path());
        client.raw(format!("Content-Length: {length}\r\n\r\n{{}}").as_bytes());
        // The end of the stream, two bytes into the claimed body.
        client.stdin = None;
        assert_eq!(client.exit_code(), 1, "Content-Length {length}");
    }
}

#[test]
fn shutdown_is_answered_while_the_server_lints() {
    let dir = common::scratch_repo(&[("k8s/a.yaml", "kind: X\n")]);
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let mut client = Client::start(&root);
    initialize(&mut client, &root, json!({}));
    // A document whose lint takes seconds in a debug build.
    let mut text = String::new();
    for i in 0..20_000 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: shop}}\nspec:\n  containers: [{{name: c, image: i}}]\n"
        ));
    }
    let uri = file_uri(&root.join("k8s/big.yaml"));
    client.send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}}));
    client.send(json!({"jsonrpc": "2.0", "id": 9, "method": "shutdown"}));
    // The answer comes before the document's diagnostics: the main loop is still linting.
    let first =
        client.wait_for(|m| m["id"] == 9 || m["method"] == "textDocument/publishDiagnostics");
    assert_eq!(
        first["id"],
        9,
        "{}",
        &first.to_string()[..200.min(first.to_string().len())]
    );
    client.send(json!({"jsonrpc": "2.0", "method": "exit"}));
    assert_eq!(client.exit_code(), 0);
}

#[test]
fn the_workspace_load_is_bounded_with_progress_and_a_message() {
    let files: Vec<(String, &str)> = (0..5)
        .map(|i| {
            (
                format!("k8s/f{i}.yaml"),
                "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: shop}\n",
            )
        })
        .collect();
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let dir = common::scratch_repo(&files);
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let mut client = Client::start(&root);
    initialize(
        &mut client,
        &root,
        json!({"capabilities": {"window": {"workDoneProgress": true}},
               "initializationOptions": {"maxWorkspaceFiles": 2}}),
    );
    let create = client.wait_for(|m| m["method"] == "window/workDoneProgress/create");
    let token = create["params"]["token"].clone();
    let begin = client.wait_for(|m| m["method"] == "$/progress");
    assert_eq!(
        (
            begin["params"]["token"].clone(),
            begin["params"]["value"]["kind"].clone()
        ),
        (token.clone(), json!("begin"))
    );
    let end =
        client.wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end");
    assert_eq!(end["params"]["value"]["message"], "2 files read");
    let message = client.wait_for(|m| m["method"] == "window/showMessage");
    let text = message["params"]["message"].as_str().unwrap();
    assert!(
        text.contains("limit of 2 files") && text.contains("maxWorkspaceFiles"),
        "{text}"
    );
    client.send(json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    client.response();
    client.send(json!({"jsonrpc": "2.0", "method": "exit"}));
    assert_eq!(client.exit_code(), 0);

    // Within the limits: no message, and every file is read.
    let mut client = Client::start(&root);
    initialize(
        &mut client,
        &root,
        json!({"capabilities": {"window": {"workDoneProgress": true}}}),
    );
    let end =
        client.wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end");
    assert_eq!(end["params"]["value"]["message"], "5 files read");
    client.send(json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    let response = client.wait_for(|m| m["id"] == 2 || m["method"] == "window/showMessage");
    assert_eq!(response["id"], 2, "no message: {response}");
    client.send(json!({"jsonrpc": "2.0", "method": "exit"}));
    assert_eq!(client.exit_code(), 0);
}
