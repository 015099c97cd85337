//! `salint lsp`: a language server over stdio, with the whole workspace as context.
//!
//! On `initialize` the workspace folders are read in the background (same discovery and
//! configuration as `check`), so initialize answers at once. Every open document is linted
//! against that context on open and on each change; diagnostics are published for the
//! changed document and for every other open document whose findings changed (fixing a
//! binding can clear a finding in another file). Watched-file events keep the context
//! current. Built on rust-analyzer's synchronous `lsp-server`.

mod actions;
mod diagnostics;
mod hover;
mod position;
mod uri;
mod workspace;

use std::collections::HashMap;
use std::error::Error;
use std::path::PathBuf;

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

use workspace::Workspace;

pub use actions::REASON_PLACEHOLDER;

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// Serves the protocol on stdin/stdout until the client says `exit`.
pub fn run() -> Result<()> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    io_threads.join()?;
    Ok(())
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
}

/// Serves one connection (stdio, or in-memory in tests).
pub fn serve(connection: &Connection) -> Result<()> {
    let server_info = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo { name: "salint".to_string(), version: Some(env!("CARGO_PKG_VERSION").to_string()) },
    });
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params)?;
    connection.initialize_finish(id, server_info)?;

    let roots = workspace_roots(&params);
    let watch = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);

    let (loaded_tx, loaded_rx) = crossbeam_channel::bounded(1);
    let loader = Workspace::new(roots.clone());
    std::thread::spawn(move || {
        let _ = loaded_tx.send(loader.load_from_disk());
    });

    let mut server = Server {
        connection,
        workspace: Workspace::new(roots),
        loaded: false,
        published: HashMap::new(),
        next_request: 0,
    };
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
        select! {
            recv(connection.receiver) -> message => {
                let Ok(message) = message else { return Ok(()) };
                if server.handle(message)? {
                    return Ok(());
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
    /// Handles one message; `true` when the client asked to shut down.
    fn handle(&mut self, message: Message) -> Result<bool> {
        match message {
            Message::Request(request) => {
                if self.connection.handle_shutdown(&request)? {
                    return Ok(true);
                }
                self.request(request)?;
            }
            Message::Notification(notification) => self.notification(notification)?,
            Message::Response(_) => {}
        }
        Ok(false)
    }

    fn request(&mut self, request: Request) -> Result<()> {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            CodeActionRequest::METHOD => {
                let params: CodeActionParams = serde_json::from_value(request.params)?;
                let actions = match uri::to_path(&params.text_document.uri) {
                    Some(path) => self
                        .workspace
                        .analyse(|analysis| actions::code_actions(analysis, &path, params.range)),
                    None => Vec::new(),
                };
                serde_json::to_value(actions)?
            }
            HoverRequest::METHOD => {
                let params: HoverParams = serde_json::from_value(request.params)?;
                let position = params.text_document_position_params;
                let hover = match uri::to_path(&position.text_document.uri) {
                    Some(path) => self
                        .workspace
                        .analyse(|analysis| hover::hover(analysis, &path, position.position)),
                    None => None,
                };
                serde_json::to_value(hover)?
            }
            other => {
                let response = Response::new_err(
                    id,
                    lsp_server::ErrorCode::MethodNotFound as i32,
                    format!("salint does not handle {other}"),
                );
                self.connection.sender.send(response.into())?;
                return Ok(());
            }
        };
        self.connection
            .sender
            .send(Response::new_ok(id, result).into())?;
        Ok(())
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
                let params: DidChangeTextDocumentParams =
                    serde_json::from_value(notification.params)?;
                let document = params.text_document;
                // Full sync: the last change holds the whole text.
                if let (Some(path), Some(change)) = (
                    uri::to_path(&document.uri),
                    params.content_changes.into_iter().last(),
                ) {
                    self.workspace
                        .set_text(&path, change.text, document.version);
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

    /// Lints the workspace and publishes, for every open document, diagnostics that
    /// differ from what it shows.
    fn publish(&mut self) -> Result<()> {
        if !self.loaded {
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
