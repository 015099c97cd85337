//! Where a command's output goes: standard output, or the file `--output` names.

use std::io::Write;
use std::path::PathBuf;

use super::error::CliError;

pub(super) fn write_output(path: Option<&PathBuf>, text: &str) -> Result<(), CliError> {
    write_output_with(path, |out| out.write_all(text.as_bytes()))
}

/// Writes to FILE, or to standard output, what `write` produces.
pub(super) fn write_output_with(
    path: Option<&PathBuf>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), CliError> {
    match path {
        // A temporary file renamed into place; links refused (see `output_file`).
        Some(path) => Ok(crate::output_file::write_file(path, write)?),
        None => {
            // Large blocks: standard output is line-buffered underneath, and a report of
            // thousands of findings written 8 KiB at a time cost a write call per block.
            let mut stdout = std::io::BufWriter::with_capacity(1 << 18, std::io::stdout().lock());
            match write(&mut stdout).and_then(|_| stdout.flush()) {
                Ok(()) => Ok(()),
                // A closed pipe (`salint check | head`) is not an error worth reporting.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(CliError::Stdout(e)),
            }
        }
    }
}
