//! The language server's stdio transport: framing, validation and the end of a session,
//! in place of `lsp_server::Connection::stdio`, whose reader ends the server on the first
//! malformed message, allocates a body of whatever size `Content-Length` claims before
//! reading a byte of it, and leaves `shutdown` and `exit` to a main loop that may be busy
//! linting.
//!
//! Here a reader thread:
//! - caps a message at [`MAX_MESSAGE_BYTES`] and reads the body as it arrives (a claimed
//!   size is never allocated up front); a larger one is skipped and answered with an error;
//! - answers what JSON-RPC 2.0 calls errors itself: a body that is not JSON (-32700 parse
//!   error), one that is not a request, notification or response, or a request whose `id`
//!   is neither a string nor an integer (-32600 invalid request, `id: null`);
//! - answers `shutdown` at once, even while the server lints, and from then on every
//!   request with -32600; on `exit` it ends the process within moments: code 0 after
//!   `shutdown`, 1 without, as the specification asks.
//!
//! Everything else goes on to the server as `lsp_server` messages, with `lsp-types`
//! parameters, as before.

use std::io::{self, BufRead, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crossbeam_channel::Sender;
use lsp_server::{Message, Notification, Request, RequestId, Response};
use serde_json::{json, Value};

/// The largest message read (64 MiB): far above any manifest an editor sends, far below
/// what would hurt.
pub const MAX_MESSAGE_BYTES: u64 = 64 << 20;

/// A header line longer than this ends the session: the stream cannot be framed.
const MAX_HEADER_LINE: u64 = 8 << 10;

/// JSON-RPC 2.0 error codes.
pub mod code {
    pub const PARSE_ERROR: i32 = -32700;
    pub const INVALID_REQUEST: i32 = -32600;
    pub const METHOD_NOT_FOUND: i32 = -32601;
    pub const INVALID_PARAMS: i32 = -32602;
    /// LSP: a request before `initialize`.
    pub const SERVER_NOT_INITIALIZED: i32 = -32002;
}

/// Where messages are written, shared by the reader (its own answers) and the writer.
pub type Output = Arc<Mutex<Box<dyn Write + Send>>>;

/// One framed message, or why there is none.
#[derive(Debug, PartialEq)]
pub enum Frame {
    Body(Vec<u8>),
    /// A message larger than [`MAX_MESSAGE_BYTES`], skipped.
    TooLarge(u64),
}

/// Reads the next message: `Ok(None)` at the end of input (also within a message), an
/// error when the header cannot be read (the stream is then lost).
pub fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Frame>> {
    let mut length: Option<u64> = None;
    let mut any_header = false;
    loop {
        let mut line = Vec::new();
        let read = input
            .by_ref()
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut line)?;
        if read == 0 {
            return Ok(None);
        }
        if !line.ends_with(b"\n") {
            if (line.len() as u64) < MAX_HEADER_LINE {
                return Ok(None); // cut short
            }
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a header line is longer than 8 KiB",
            ));
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if !any_header {
                continue; // stray line breaks between messages
            }
            break;
        }
        any_header = true;
        if let Some((name, value)) = text.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(value.trim().parse().map_err(|_| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("bad Content-Length `{}`", value.trim()),
                    )
                })?);
            }
        }
    }
    let Some(length) = length else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "a message without Content-Length",
        ));
    };
    if length > MAX_MESSAGE_BYTES {
        // Skipped as it streams by; at the end of input that is the end.
        let skipped = io::copy(&mut input.by_ref().take(length), &mut io::sink())?;
        return Ok((skipped == length).then_some(Frame::TooLarge(length)));
    }
    // Grown as bytes arrive: a claimed size costs nothing until it is sent.
    let mut body = Vec::with_capacity(length.min(64 << 10) as usize);
    input.by_ref().take(length).read_to_end(&mut body)?;
    if (body.len() as u64) < length {
        return Ok(None);
    }
    Ok(Some(Frame::Body(body)))
}

/// What a body holds.
#[derive(Debug)]
pub enum Classified {
    Message(Message),
    /// To be answered with this error (`id` null unless it could be read).
    Invalid {
        id: Value,
        code: i32,
        message: String,
    },
    /// Nothing to do (a response nobody waits for, in a shape we do not read).
    Ignored,
}

/// Sorts a body into a message for the server or an error to answer.
pub fn classify(body: &[u8]) -> Classified {
    let invalid = |id: Value, code: i32, message: &str| Classified::Invalid {
        id,
        code,
        message: message.to_string(),
    };
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => return invalid(Value::Null, code::PARSE_ERROR, &format!("parse error: {e}")),
    };
    let Value::Object(mut object) = value else {
        return invalid(
            Value::Null,
            code::INVALID_REQUEST,
            "a message must be a JSON object (batches are not part of LSP)",
        );
    };
    let id = object.remove("id");
    // An id is a string or an integer (LSP: a 32-bit one).
    let request_id = match &id {
        Some(Value::String(s)) => Some(RequestId::from(s.clone())),
        Some(Value::Number(n)) => n
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .map(RequestId::from),
        _ => None,
    };
    let params = object.remove("params").unwrap_or(Value::Null);
    match object.remove("method") {
        Some(Value::String(method)) => match (id, request_id) {
            (None, _) => {
                Classified::Message(Message::Notification(Notification { method, params }))
            }
            (Some(_), Some(id)) => {
                Classified::Message(Message::Request(Request { id, method, params }))
            }
            (Some(_), None) => invalid(
                Value::Null,
                code::INVALID_REQUEST,
                "a request's id must be a string or a 32-bit integer",
            ),
        },
        Some(_) => invalid(
            request_id.map_or(Value::Null, |_| id.unwrap_or(Value::Null)),
            code::INVALID_REQUEST,
            "`method` must be a string",
        ),
        None => match request_id {
            Some(id) if object.contains_key("result") || object.contains_key("error") => {
                let error = object
                    .remove("error")
                    .and_then(|e| serde_json::from_value(e).ok());
                Classified::Message(Message::Response(Response {
                    id,
                    result: object.remove("result"),
                    error,
                }))
            }
            _ if object.contains_key("result") || object.contains_key("error") => {
                Classified::Ignored
            }
            _ => invalid(
                Value::Null,
                code::INVALID_REQUEST,
                "neither a request, a notification nor a response",
            ),
        },
    }
}

/// Writes one framed message.
pub fn write_frame(output: &Output, value: &Value) -> io::Result<()> {
    let body = value.to_string();
    let mut out = output.lock().unwrap_or_else(|p| p.into_inner());
    write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    out.flush()
}

/// An error response as JSON-RPC writes it (`id` may be null, which `lsp_server` cannot).
pub fn error_response(id: Value, code: i32, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// How the session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// `exit` after `shutdown`.
    Clean,
    /// `exit` without `shutdown`, or the input ended first.
    Abrupt,
}

/// Reads messages until `exit` or the end of input, answering what it can itself and
/// passing the rest to `to_server`. `stopping` is set at `shutdown`, so the server and its
/// background work stop publishing.
pub fn read_loop(
    mut input: impl BufRead,
    to_server: Sender<Message>,
    output: &Output,
    stopping: &AtomicBool,
) -> Ending {
    let mut shut_down = false;
    loop {
        let frame = match read_frame(&mut input) {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(e) => {
                let _ = write_frame(
                    output,
                    &error_response(Value::Null, code::PARSE_ERROR, &e.to_string()),
                );
                break;
            }
        };
        let body = match frame {
            Frame::Body(body) => body,
            Frame::TooLarge(length) => {
                let message = format!(
                    "a message of {length} bytes is larger than the limit of {MAX_MESSAGE_BYTES} bytes"
                );
                let _ = write_frame(
                    output,
                    &error_response(Value::Null, code::INVALID_REQUEST, &message),
                );
                continue;
            }
        };
        let message = match classify(&body) {
            Classified::Message(message) => message,
            Classified::Invalid { id, code, message } => {
                let _ = write_frame(output, &error_response(id, code, &message));
                continue;
            }
            Classified::Ignored => continue,
        };
        match message {
            Message::Notification(n) if n.method == "exit" => {
                return if shut_down {
                    Ending::Clean
                } else {
                    Ending::Abrupt
                };
            }
            Message::Request(request) if shut_down => {
                let _ = write_frame(
                    output,
                    &error_response(
                        json!(request.id),
                        code::INVALID_REQUEST,
                        "the server is shutting down",
                    ),
                );
            }
            Message::Request(request) if request.method == "shutdown" => {
                shut_down = true;
                stopping.store(true, Ordering::SeqCst);
                let _ = write_frame(
                    output,
                    &json!({"jsonrpc": "2.0", "id": request.id, "result": null}),
                );
            }
            Message::Notification(_) | Message::Response(_) if shut_down => {}
            message => {
                if to_server.send(message).is_err() {
                    break;
                }
            }
        }
    }
    if shut_down {
        Ending::Clean
    } else {
        Ending::Abrupt
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(text: &[u8]) -> io::Result<Option<Frame>> {
        read_frame(&mut io::BufReader::new(text))
    }

    #[test]
    fn frames_are_read_within_their_length_and_the_cap() {
        assert_eq!(
            frame(b"Content-Length: 2\r\n\r\n{}").unwrap(),
            Some(Frame::Body(b"{}".to_vec()))
        );
        // A claimed size with too few bytes behind it: the end, nothing allocated for it.
        assert_eq!(
            frame(b"Content-Length: 4000000000\r\n\r\n{}").unwrap(),
            None
        );
        assert_eq!(
            frame(b"Content-Length: 40000000000\r\n\r\n{}").unwrap(),
            None
        );
        assert!(frame(b"Content-Length: x\r\n\r\n{}").is_err());
        assert!(frame(b"Content-Type: a\r\n\r\n{}").is_err());
        assert_eq!(frame(b"").unwrap(), None);
    }

    #[test]
    fn bodies_are_sorted_as_json_rpc_says() {
        let code_of = |body: &str| match classify(body.as_bytes()) {
            Classified::Invalid { code, id, .. } => Some((code, id)),
            _ => None,
        };
        assert_eq!(code_of("{"), Some((code::PARSE_ERROR, Value::Null)));
        assert_eq!(code_of("[1]"), Some((code::INVALID_REQUEST, Value::Null)));
        for id in ["null", "1.5", "[1]", "true", "1180591620717411303424"] {
            let body = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"textDocument/hover"}}"#);
            assert_eq!(
                code_of(&body),
                Some((code::INVALID_REQUEST, Value::Null)),
                "{id}"
            );
        }
        assert!(matches!(
            classify(br#"{"jsonrpc":"2.0","id":7,"method":"x","params":"x"}"#),
            Classified::Message(Message::Request(_))
        ));
        assert!(matches!(
            classify(br#"{"jsonrpc":"2.0","method":"x"}"#),
            Classified::Message(Message::Notification(_))
        ));
        assert!(matches!(
            classify(br#"{"jsonrpc":"2.0","id":"s-1","result":null}"#),
            Classified::Message(Message::Response(_))
        ));
    }
}
