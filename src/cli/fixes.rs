//! `salint check --fix` and `--diff`: the safe fixes of `crate::fix`, written to the files
//! or shown as a unified diff.

use std::collections::BTreeMap;

use super::error::CliError;
use crate::config::Config;
use crate::finding::Finding;
use crate::fix::Edit;
use crate::input::Inputs;
use crate::source::FileId;

/// The safe edits of the findings, by file (in file order).
pub(super) fn plan(
    inputs: &Inputs,
    config: &Config,
    findings: &[Finding],
) -> BTreeMap<FileId, Vec<Edit>> {
    let mut planned: BTreeMap<FileId, Vec<Edit>> = BTreeMap::new();
    for edit in findings
        .iter()
        .filter_map(|finding| crate::fix::safe_fix(inputs, config, finding))
    {
        planned.entry(edit.file).or_default().push(edit);
    }
    planned
}

/// A file's text with its edits, when the file on disk still holds the text read (the
/// same bytes: no BOM, not UTF-16, not changed since): else nothing is written to it.
fn fixed_text(inputs: &Inputs, file: FileId, edits: &[Edit]) -> Option<(String, usize)> {
    let source = &inputs.files[file];
    let on_disk = std::fs::read(source.path.as_ref()?).ok()?;
    if on_disk != source.text.as_bytes() {
        return None;
    }
    let edits: Vec<&Edit> = edits.iter().collect();
    let (text, made) = crate::fix::apply(&source.text, &edits);
    (made > 0).then_some((text, made))
}

/// Prints the fixes as a unified diff (`--- a/PATH`, `+++ b/PATH`); how many it shows.
pub(super) fn print_diff(
    inputs: &Inputs,
    planned: &BTreeMap<FileId, Vec<Edit>>,
) -> Result<usize, CliError> {
    let mut out = String::new();
    let mut count = 0;
    for (&file, edits) in planned {
        let Some((text, made)) = fixed_text(inputs, file, edits) else {
            continue;
        };
        count += made;
        let display = crate::escape::text(&inputs.files[file].display).into_owned();
        let diff = similar::TextDiff::from_lines(inputs.files[file].text.as_str(), &text);
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{display}"), &format!("b/{display}"))
                .to_string(),
        );
    }
    super::output::write_output(None, &crate::escape::lines(&out))?;
    Ok(count)
}

/// `--diff`'s closing line.
pub(super) fn diff_summary(fixes: usize, files: usize) -> String {
    match fixes {
        0 => "no fixes to apply".to_string(),
        1 => "1 fix in 1 file; --fix applies it".to_string(),
        n => format!("{n} fixes in {files} file(s); --fix applies them"),
    }
}

/// Writes the fixed files (a temporary file renamed over each, its permissions kept; a
/// symbolic link is not written through: said, and left); how many findings it fixed.
pub(super) fn write(
    inputs: &Inputs,
    planned: &BTreeMap<FileId, Vec<Edit>>,
) -> Result<usize, CliError> {
    let mut count = 0;
    for (&file, edits) in planned {
        let Some((text, made)) = fixed_text(inputs, file, edits) else {
            continue;
        };
        let Some(path) = &inputs.files[file].path else {
            continue;
        };
        match crate::output_file::write_file(path, |out| out.write_all(text.as_bytes())) {
            Ok(()) => count += made,
            Err(crate::output_file::OutputError::SymbolicLink { .. }) => eprintln!(
                "salint: note: {} is a symbolic link: not fixed",
                crate::escape::text(&inputs.files[file].display)
            ),
            Err(error) => return Err(error.into()),
        }
    }
    Ok(count)
}
