//! Reading files and standard input whole, within the size limit.

use std::io::Read;

use crate::discover::io_message;
use crate::size::human_size;

/// Reads a file whole, refusing one above `max_size` before reading it. One open, one
/// size query and one read per file: a run reads thousands.
pub(crate) fn read_file(path: &std::path::Path, max_size: u64) -> Result<Vec<u8>, String> {
    let cannot_read = |error: std::io::Error| format!("cannot read: {}", io_message(&error));
    let mut file = std::fs::File::open(path).map_err(cannot_read)?;
    let size = file.metadata().map_err(cannot_read)?.len();
    if size > max_size {
        return Err(too_large(size, max_size));
    }
    // A file that grew since the size query is still held to the limit.
    read_within(&mut file, max_size, size, cannot_read)
}

/// Reads `reader` to its end, at most `max_size` bytes (one more says it is larger), into
/// a buffer sized for `expected` bytes.
pub(crate) fn read_within(
    reader: impl Read,
    max_size: u64,
    expected: u64,
    cannot_read: impl Fn(std::io::Error) -> String,
) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::with_capacity(usize::try_from(expected.min(max_size)).unwrap_or(0));
    // Saturating: `--max-file-size 18446744073709551615` plus one wrapped to a limit of
    // zero bytes, and every file read as empty.
    reader
        .take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() as u64 > max_size {
        // Only the first bytes past the limit were read: the size is not known (a device
        // such as /dev/zero, a pipe, or a file that grew).
        return Err(format!(
            "skipped: more than the --max-file-size limit of {} (read up to the limit)",
            human_size(max_size)
        ));
    }
    Ok(bytes)
}

pub(crate) fn message_or_default(result: Option<&Result<Vec<u8>, String>>) -> String {
    match result {
        Some(Err(message)) => message.clone(),
        _ => "cannot read standard input".to_string(),
    }
}

pub(crate) fn read_stdin(max_size: u64) -> Result<Vec<u8>, String> {
    read_within(std::io::stdin().lock(), max_size, 0, |e| {
        format!("cannot read standard input: {}", io_message(&e))
    })
}

/// The diagnostic of a file above the size limit.
pub(crate) fn too_large(size: u64, max_size: u64) -> String {
    format!(
        "skipped: {} is larger than the --max-file-size limit of {}",
        human_size(size),
        human_size(max_size)
    )
}
