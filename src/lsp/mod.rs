//! `salint lsp`: a language server over stdio, with the whole workspace as context.
//!
//! On `initialize` the workspace folders are read in the background (same discovery and
//! configuration as `check`), so initialize answers at once. Every open document is linted
//! against that context on open and on each change (judging again only the clusters that
//! read the changed file, see [`workspace`]); diagnostics are published for every open
//! document whose diagnostics changed, the changed one or another (fixing a binding can
//! clear a finding in another file), and for no other. Watched-file events keep the context
//! current. Messages are `lsp-server`'s types over salint's own stdio transport
//! ([`transport`]: size cap, JSON-RPC errors, `shutdown`/`exit` answered even while the
//! server lints); a malformed message is answered with an error and the session goes on.

mod actions;
mod diagnostics;
mod hover;
mod position;
pub mod transport;
mod uri;
mod workspace;

use std::collections::HashMap;
use std::error::Error;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crossbeam_channel::select;
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, RegisterCapability, Request as _};
use lsp_types::{
    CodeActionParams, CodeActionProviderCapability, Diagnostic, DidChangeTextDocumentParams,
    DidChangeWatchedFilesParams, DidChangeWatchedFilesRegistrationOptions,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, FileSystemWatcher, GlobPattern,
    HoverParams, HoverProviderCapability, InitializeParams, MessageType, PublishDiagnosticsParams,
    Registration, RegistrationParams, ServerCapabilities, ServerInfo, ShowMessageParams,
    TextDocumentSyncCapability, TextDocumentSyncKind,
};
use serde_json::Value;

use transport::code;
pub use transport::Ending;
use workspace::{LoadLimits, Workspace};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// Serves the protocol on stdin/stdout until the client says `exit` or the input ends,
/// and returns how the session ended, which the command line turns into the exit code (0
/// after `shutdown`, 1 without: the specification's rule). `exit` ends the session at once,
/// whatever the server is doing: the server runs on a thread of its own, and the process
/// ends (and takes that thread with it) as soon as this returns.
pub fn run() -> Result<Ending> {
    let output: transport::Output = Arc::new(Mutex::new(Box::new(std::io::stdout())));
    let (to_server, from_client) = crossbeam_channel::unbounded::<Message>();
    let (to_client, from_server) = crossbeam_channel::unbounded::<Message>();
    let stopping = Arc::new(AtomicBool::new(false));
    {
        let output = output.clone();
        std::thread::spawn(move || {
            for message in from_server {
                let Ok(value) = serde_json::to_value(&message) else {
                    continue;
                };
                if transport::write_frame(&output, &value).is_err() {
                    break;
                }
            }
        });
    }
    let (ended, ending) = crossbeam_channel::bounded::<Ending>(1);
    {
        let output = output.clone();
        let stopping = stopping.clone();
        std::thread::spawn(move || {
            let ending =
                transport::read_loop(std::io::stdin().lock(), to_server, &output, &stopping);
            // Held while the process ends, so no message is cut in half.
            let _out = output.lock();
            let _ = ended.send(ending);
            loop {
                std::thread::park();
            }
        });
    }
    let connection = Connection {
        sender: to_client,
        receiver: from_client,
    };
    let (served, serving) = crossbeam_channel::bounded::<Result<bool>>(1);
    // The stack a main thread has: linting an open document recurses as deep as its YAML
    // nests (255 levels at most), as `salint check` does on the main thread.
    std::thread::Builder::new()
        .name("lsp-server".to_string())
        .stack_size(8 << 20)
        .spawn(move || {
            let _ = served.send(serve(&connection, stopping));
        })?;
    select! {
        recv(ending) -> ending => return Ok(ending?),
        recv(serving) -> served => {
            served??;
        }
    }
    // The client is gone (end of input): the reader says how the session ended.
    Ok(ending.recv()?)
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        // Saves too: Kustomize reads the disk, so a saved file is rendered again.
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            lsp_types::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(lsp_types::TextDocumentSyncSaveOptions::Supported(true)),
                ..lsp_types::TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// The server's state between messages.
struct Server<'c> {
    connection: &'c Connection,
    workspace: Workspace,
    /// Whether the background load of the workspace has arrived; until then nothing is
    /// published, because findings without their context would be wrong.
    loaded: bool,
    /// What was last published per open document.
    published: HashMap<PathBuf, Vec<Diagnostic>>,
    next_request: i32,
    /// After `shutdown`: requests are refused, nothing is published.
    shut_down: bool,
    /// Set when `shutdown` arrived, here or in the transport (which answers it while the
    /// server may be busy); stops publishing and the background load.
    stopping: Arc<AtomicBool>,
    /// The token of the workspace-loading progress, when the client shows progress.
    progress_token: Option<lsp_types::NumberOrString>,
    /// Tells the loader the client answered the token's creation.
    progress_created: Option<crossbeam_channel::Sender<bool>>,
    /// A message taken from the queue while looking for more changes to coalesce
    /// ([`Server::take_queued_changes`]): handled next, before anything newer.
    held: Option<Message>,
}

/// Serves one connection until it closes or the client says `exit`: `Ok(true)` after a
/// `shutdown`. `stopping` is set by a transport that answered `shutdown` itself.
pub fn serve(connection: &Connection, stopping: Arc<AtomicBool>) -> Result<bool> {
    let server_info = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo { name: "salint".to_string(), version: Some(env!("CARGO_PKG_VERSION").to_string()) },
    });
    let Some((id, params)) = wait_for_initialize(connection)? else {
        return Ok(false);
    };
    connection
        .sender
        .send(Response::new_ok(id, server_info).into())?;

    let roots = workspace_roots(&params);
    let watch = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    let progress = params
        .capabilities
        .window
        .as_ref()
        .and_then(|w| w.work_done_progress)
        .unwrap_or(false);
    let limits = LoadLimits::from_options(params.initialization_options.as_ref());

    let mut server = Server {
        connection,
        workspace: Workspace::new(roots.clone()),
        loaded: false,
        published: HashMap::new(),
        next_request: 0,
        shut_down: false,
        stopping: stopping.clone(),
        progress_token: None,
        progress_created: None,
        held: None,
    };
    // Progress needs a token the client created: the loader waits for its answer.
    let (created_tx, created_rx) = crossbeam_channel::bounded::<bool>(1);
    if progress {
        server.progress_token = Some(server.create_progress()?);
        server.progress_created = Some(created_tx);
    }
    let (loaded_tx, loaded_rx) = crossbeam_channel::bounded(1);
    let loader = Workspace::new(roots);
    let reporter = workspace::LoadReporter {
        sender: connection.sender.clone(),
        token: server.progress_token.clone(),
        created: progress.then_some(created_rx),
    };
    // The loader and the server share one flag: `shutdown` stops the load.
    {
        let stopping = stopping.clone();
        std::thread::spawn(move || {
            let _ = loaded_tx.send(loader.load_from_disk(&limits, &reporter, &stopping));
        });
    }
    if let Some(message) = server.workspace.config_error.clone() {
        server.notify::<ShowMessage>(ShowMessageParams {
            typ: MessageType::WARNING,
            message,
        })?;
    }
    if watch {
        server.register_watchers()?;
    }
    loop {
        if let Some(message) = server.held.take() {
            match server.handle(message)? {
                Next::Go => {}
                Next::ShutDown => stopping.store(true, Ordering::SeqCst),
                Next::Exit => return Ok(server.shut_down),
            }
            continue;
        }
        select! {
            recv(connection.receiver) -> message => {
                let Ok(message) = message else { return Ok(server.shut_down) };
                match server.handle(message)? {
                    Next::Go => {}
                    Next::ShutDown => stopping.store(true, Ordering::SeqCst),
                    Next::Exit => return Ok(server.shut_down),
                }
            }
            recv(loaded_rx) -> loaded => {
                if let Ok(loaded) = loaded {
                    server.workspace.add_loaded(loaded);
                    server.workspace.render(None);
                    server.loaded = true;
                    server.publish()?;
                }
            }
        }
    }
}

/// Waits for `initialize`, answering other requests with "not initialized" and a bad
/// `initialize` with "invalid params" (the client may send a good one). `None` when the
/// client left first.
fn wait_for_initialize(connection: &Connection) -> Result<Option<(RequestId, InitializeParams)>> {
    loop {
        let Ok(message) = connection.receiver.recv() else {
            return Ok(None);
        };
        match message {
            Message::Request(request) if request.method == "initialize" => {
                match serde_json::from_value::<InitializeParams>(request.params) {
                    Ok(params) => return Ok(Some((request.id, params))),
                    Err(e) => send_error(
                        connection,
                        request.id,
                        code::INVALID_PARAMS,
                        format!("invalid initialize params: {e}"),
                    )?,
                }
            }
            Message::Request(request) => send_error(
                connection,
                request.id,
                code::SERVER_NOT_INITIALIZED,
                "the server is not initialized".to_string(),
            )?,
            Message::Notification(n) if n.method == "exit" => return Ok(None),
            // Notifications before initialize are dropped, as the specification says.
            _ => {}
        }
    }
}

fn send_error(connection: &Connection, id: RequestId, code: i32, message: String) -> Result<()> {
    connection
        .sender
        .send(Response::new_err(id, code, message).into())?;
    Ok(())
}

/// What the main loop does after a message.
enum Next {
    Go,
    ShutDown,
    Exit,
}

/// The id of the request that creates a progress token.
fn progress_request_id(token: &lsp_types::NumberOrString) -> RequestId {
    match token {
        lsp_types::NumberOrString::String(s) => RequestId::from(format!("create-{s}")),
        lsp_types::NumberOrString::Number(n) => RequestId::from(format!("create-{n}")),
    }
}

#[allow(deprecated)] // root_uri: older clients send only that
fn workspace_roots(params: &InitializeParams) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|folder| uri::to_path(&folder.uri))
        .collect();
    if roots.is_empty() {
        roots.extend(params.root_uri.as_ref().and_then(uri::to_path));
    }
    roots
}

impl Server<'_> {
    /// Handles one message.
    fn handle(&mut self, message: Message) -> Result<Next> {
        match message {
            Message::Request(request) if self.shut_down => {
                self.reply_error(
                    request.id,
                    code::INVALID_REQUEST,
                    "the server is shutting down".to_string(),
                )?;
            }
            Message::Request(request) if request.method == "shutdown" => {
                self.shut_down = true;
                self.connection
                    .sender
                    .send(Response::new_ok(request.id, Value::Null).into())?;
                return Ok(Next::ShutDown);
            }
            Message::Request(request) => self.request(request)?,
            Message::Notification(n) if n.method == "exit" => return Ok(Next::Exit),
            Message::Notification(_) if self.shut_down => {}
            Message::Notification(notification) => {
                let method = notification.method.clone();
                if let Err(e) = self.notification(notification) {
                    // A notification has no answer: say it in the client's log.
                    self.log(format!("salint: ignored {method}: {e}"))?;
                }
            }
            Message::Response(response) => {
                let created = self
                    .progress_token
                    .as_ref()
                    .is_some_and(|t| response.id == progress_request_id(t));
                if let (true, Some(created_tx)) = (created, self.progress_created.take()) {
                    let _ = created_tx.send(response.error.is_none());
                }
            }
        }
        Ok(Next::Go)
    }

    fn reply_error(&self, id: RequestId, code: i32, message: String) -> Result<()> {
        send_error(self.connection, id, code, message)
    }

    fn log(&self, message: String) -> Result<()> {
        self.notify::<lsp_types::notification::LogMessage>(lsp_types::LogMessageParams {
            typ: MessageType::WARNING,
            message,
        })
    }

    fn request(&mut self, request: Request) -> Result<()> {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            CodeActionRequest::METHOD => {
                let params: CodeActionParams = match serde_json::from_value(request.params) {
                    Ok(params) => params,
                    Err(e) => return self.invalid_params(id, e),
                };
                let actions = match uri::to_path(&params.text_document.uri) {
                    Some(path) => self
                        .workspace
                        .analyse(|analysis| actions::code_actions(analysis, &path, params.range)),
                    None => Vec::new(),
                };
                serde_json::to_value(actions)?
            }
            HoverRequest::METHOD => {
                let params: HoverParams = match serde_json::from_value(request.params) {
                    Ok(params) => params,
                    Err(e) => return self.invalid_params(id, e),
                };
                let position = params.text_document_position_params;
                let hover = match uri::to_path(&position.text_document.uri) {
                    Some(path) => self
                        .workspace
                        .analyse(|analysis| hover::hover(analysis, &path, position.position)),
                    None => None,
                };
                serde_json::to_value(hover)?
            }
            "initialize" => {
                return self.reply_error(
                    id,
                    code::INVALID_REQUEST,
                    "initialize was already answered".to_string(),
                );
            }
            other => {
                return self.reply_error(
                    id,
                    code::METHOD_NOT_FOUND,
                    format!("salint does not handle {other}"),
                );
            }
        };
        self.connection
            .sender
            .send(Response::new_ok(id, result).into())?;
        Ok(())
    }

    fn invalid_params(&self, id: RequestId, error: serde_json::Error) -> Result<()> {
        self.reply_error(id, code::INVALID_PARAMS, format!("invalid params: {error}"))
    }

    fn notification(&mut self, notification: Notification) -> Result<()> {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let params: DidOpenTextDocumentParams =
                    serde_json::from_value(notification.params)?;
                let document = params.text_document;
                if let Some(path) = uri::to_path(&document.uri) {
                    self.workspace
                        .set_text(&path, document.text, document.version);
                    if self.loaded {
                        self.workspace.render(None);
                    }
                    self.published.remove(&path);
                    self.publish()?;
                }
            }
            DidSaveTextDocument::METHOD => {
                let params: lsp_types::DidSaveTextDocumentParams =
                    serde_json::from_value(notification.params)?;
                if let Some(path) = uri::to_path(&params.text_document.uri) {
                    if self.loaded && self.workspace.render(Some(&path)) {
                        self.publish()?;
                    }
                }
            }
            DidChangeTextDocument::METHOD => {
                let changed = self.change(notification.params)?;
                if changed {
                    self.take_queued_changes()?;
                    self.publish()?;
                }
            }
            DidCloseTextDocument::METHOD => {
                let params: DidCloseTextDocumentParams =
                    serde_json::from_value(notification.params)?;
                if let Some(path) = uri::to_path(&params.text_document.uri) {
                    self.workspace.close(&path);
                    if self.published.remove(&path).is_some_and(|d| !d.is_empty()) {
                        self.send_diagnostics(&path, Vec::new())?;
                    }
                    self.publish()?;
                }
            }
            DidChangeWatchedFiles::METHOD => {
                let params: DidChangeWatchedFilesParams =
                    serde_json::from_value(notification.params)?;
                let mut config_changed = false;
                for change in params.changes {
                    if let Some(path) = uri::to_path(&change.uri) {
                        if path
                            .file_name()
                            .is_some_and(|n| n == crate::config::CONFIG_FILE_NAME)
                        {
                            config_changed = true;
                        }
                        self.workspace.refresh_from_disk(&path);
                    }
                }
                if config_changed {
                    self.workspace.reload_config();
                }
                self.publish()?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Takes a `didChange`'s text; whether it named a document and a text.
    fn change(&mut self, params: Value) -> Result<bool> {
        let params: DidChangeTextDocumentParams = serde_json::from_value(params)?;
        let document = params.text_document;
        // Full sync: the last change holds the whole text.
        let (Some(path), Some(change)) = (
            uri::to_path(&document.uri),
            params.content_changes.into_iter().last(),
        ) else {
            return Ok(false);
        };
        self.workspace
            .set_text(&path, change.text, document.version);
        Ok(true)
    }

    /// Takes the texts of the changes already waiting, so one lint answers them all: while
    /// a lint of a large cluster runs, an editor sends a change per keystroke, and judging
    /// each of them in turn would answer the last one later and later. Stops at the first
    /// other message, which is handled next (in order); what is published is the same as
    /// after the last change alone.
    fn take_queued_changes(&mut self) -> Result<()> {
        while let Ok(message) = self.connection.receiver.try_recv() {
            match message {
                Message::Notification(n) if n.method == DidChangeTextDocument::METHOD => {
                    if let Err(e) = self.change(n.params) {
                        self.log(format!("salint: ignored {}: {e}", n.method))?;
                    }
                }
                other => {
                    self.held = Some(other);
                    break;
                }
            }
        }
        Ok(())
    }

    /// Lints the workspace and publishes, for every open document, diagnostics that
    /// differ from what it shows.
    fn publish(&mut self) -> Result<()> {
        if !self.loaded || self.shut_down || self.stopping.load(Ordering::SeqCst) {
            return Ok(());
        }
        let open = self.workspace.open_paths();
        let fresh: Vec<(PathBuf, Vec<Diagnostic>)> = self.workspace.analyse(|analysis| {
            open.iter()
                .map(|path| (path.clone(), diagnostics::for_file(analysis, path)))
                .collect()
        });
        for (path, diagnostics) in fresh {
            if self.published.get(&path) != Some(&diagnostics) {
                self.send_diagnostics(&path, diagnostics.clone())?;
                self.published.insert(path, diagnostics);
            }
        }
        Ok(())
    }

    fn send_diagnostics(&self, path: &std::path::Path, diagnostics: Vec<Diagnostic>) -> Result<()> {
        self.notify::<PublishDiagnostics>(PublishDiagnosticsParams {
            uri: uri::from_path(path),
            diagnostics,
            version: None,
        })
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) -> Result<()> {
        self.connection
            .sender
            .send(Notification::new(N::METHOD.to_string(), params).into())?;
        Ok(())
    }

    /// Asks the client for a progress token for the workspace load
    /// (`window/workDoneProgress/create`); its answer arrives as a response.
    fn create_progress(&mut self) -> Result<lsp_types::NumberOrString> {
        let token = lsp_types::NumberOrString::String("salint-workspace-load".to_string());
        let request = Request::new(
            progress_request_id(&token),
            lsp_types::request::WorkDoneProgressCreate::METHOD.to_string(),
            lsp_types::WorkDoneProgressCreateParams {
                token: token.clone(),
            },
        );
        self.connection.sender.send(request.into())?;
        Ok(token)
    }

    /// Asks the client to report changes of manifests and of `.salint.yaml`.
    fn register_watchers(&mut self) -> Result<()> {
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/*.{yaml,yml,json}".to_string()),
                kind: None,
            }],
        };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "salint-watched-files".to_string(),
                method: DidChangeWatchedFiles::METHOD.to_string(),
                register_options: Some(serde_json::to_value(options)?),
            }],
        };
        self.next_request += 1;
        let request = Request::new(
            RequestId::from(format!("salint-{}", self.next_request)),
            RegisterCapability::METHOD.to_string(),
            params,
        );
        self.connection.sender.send(request.into())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A server over an in-memory connection, its workspace loaded (empty, in `root`).
    fn server<'c>(connection: &'c Connection, root: &std::path::Path) -> Server<'c> {
        Server {
            connection,
            workspace: Workspace::new(vec![root.to_path_buf()]),
            loaded: true,
            published: HashMap::new(),
            next_request: 0,
            shut_down: false,
            stopping: Arc::new(AtomicBool::new(false)),
            progress_token: None,
            progress_created: None,
            held: None,
        }
    }

    fn change(uri: &str, version: i32, text: &str) -> Message {
        Notification::new(
            DidChangeTextDocument::METHOD.to_string(),
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        )
        .into()
    }

    /// What the server sent so far: each publish as its diagnostics' messages, and each
    /// response as `response`.
    fn sent(client: &Connection) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        while let Ok(message) = client.receiver.try_recv() {
            match message {
                Message::Notification(n) if n.method == PublishDiagnostics::METHOD => {
                    let params: PublishDiagnosticsParams =
                        serde_json::from_value(n.params).unwrap();
                    out.push(params.diagnostics.into_iter().map(|d| d.message).collect());
                }
                Message::Response(_) => out.push(vec!["response".to_string()]),
                _ => {}
            }
        }
        out
    }

    const BROKEN: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: x\n";
    const OTHER_BROKEN: &str = "apiVersion: v1\nkind: [Pod\n";
    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: x, namespace: shop}\nspec:\n  containers: [{name: c, image: i}]\n";

    #[test]
    fn changes_waiting_in_the_queue_are_answered_by_one_lint_of_the_last() {
        let root = tempfile::tempdir().unwrap();
        let uri = format!("file://{}/pod.yaml", root.path().display());
        let (server_side, client) = Connection::memory();
        let mut served = server(&server_side, root.path());
        // Nothing waiting: the change is answered on its own.
        served.handle(change(&uri, 1, BROKEN)).unwrap();
        let alone = sent(&client);
        assert_eq!(alone.len(), 1);
        assert_eq!(alone[0].len(), 1, "the parse error: {alone:?}");
        // Three changes and a request waiting: one publish, for the last text, then the
        // request, answered after it.
        for (version, text) in [(2, OTHER_BROKEN), (3, BROKEN), (4, POD)] {
            client.sender.send(change(&uri, version, text)).unwrap();
        }
        let hover = Request::new(
            RequestId::from(7),
            HoverRequest::METHOD.to_string(),
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
        );
        client.sender.send(hover.into()).unwrap();
        let first = server_side.receiver.recv().unwrap();
        served.handle(first).unwrap();
        assert!(matches!(served.held, Some(Message::Request(_))));
        let coalesced = sent(&client);
        let held = served.held.take().unwrap();
        served.handle(held).unwrap();
        assert_eq!(sent(&client), [["response"]]);
        // The same diagnostics a server that saw only the last text publishes.
        let (other_side, other_client) = Connection::memory();
        let mut fresh = server(&other_side, root.path());
        fresh.handle(change(&uri, 4, POD)).unwrap();
        let wanted = sent(&other_client);
        assert_eq!(coalesced, wanted);
        assert!(!wanted[0].iter().any(|m| m.contains("parse")), "{wanted:?}");
    }
}
