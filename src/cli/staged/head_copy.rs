//! The `HEAD` side of a run whose clusters Kustomize or Helm renders: the renderers read the
//! disk, not salint's texts, so the repository is copied to a temporary folder with the
//! named files as they are at `HEAD` (left out when new), read and rendered there as the run
//! read the real one, and each file is then named as the file it copies. Only the files the
//! run read are copied (or, given `only`, those of the roots and charts concerned), with
//! each kustomization's folder (generator inputs such as `.env` files lie there) and each
//! chart's whole folder (Helm reads `.helmignore`, `files/`, packaged subcharts); a copy
//! larger than [`MAX_COPY_BYTES`] is not made.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::discover::{display_path, Discovered, InputSource};
use crate::input::{Inputs, ReadOptions};
use crate::kustomize::plan::canonical;
use crate::source::FileRole;

/// The most bytes copied for one comparison: a repository this large compares no staged
/// change's effect elsewhere (its own files are still reported).
pub(super) const MAX_COPY_BYTES: u64 = 1 << 30;

/// What the run read: the files discovery found, the kustomizations and charts, and how.
pub(in super::super) struct RunSources<'a> {
    pub found: &'a Discovered,
    pub options: &'a ReadOptions,
}

/// The inputs of the run with each named file (`head`, by its real path) as at `HEAD`,
/// of all the files the run read or of those in `only` (real paths, with the
/// kustomizations among them and the charts holding them):
/// `Some(text)`, or `None` for a file new since. `None` when the comparison cannot be made
/// fairly: a file outside the repository, standard input, a copy too large, a write that
/// failed.
pub(super) fn read_at_head(
    sources: &RunSources,
    inputs: &Inputs,
    head: &HashMap<PathBuf, Option<String>>,
    top: &Path,
    only: Option<&BTreeSet<PathBuf>>,
) -> Option<Inputs> {
    if sources.found.inputs.contains(&InputSource::Stdin) {
        return None;
    }
    let copy = tempfile::Builder::new()
        .prefix("salint-head-")
        .tempdir()
        .ok()?;
    let copy_root = canonical(copy.path());
    let into_copy = |path: &Path| -> Option<PathBuf> {
        let real = canonical(path);
        let relative = real.strip_prefix(top).ok()?;
        Some(copy_root.join(relative))
    };

    // Every file the run read (or those of `only`), each kustomization's folder, each
    // chart's folder.
    let wanted = |path: &Path| only.is_none_or(|only| only.contains(path));
    let mut files: BTreeSet<PathBuf> = inputs
        .files
        .iter()
        .filter_map(|file| file.path.as_deref().map(canonical))
        .filter(|path| wanted(path))
        .collect();
    let kustomizations: Vec<PathBuf> = sources
        .found
        .kustomizations
        .iter()
        .filter(|path| wanted(&canonical(path)))
        .cloned()
        .collect();
    for kustomization in &kustomizations {
        files.extend(
            files_in(kustomization.parent()?, false)
                .iter()
                .map(|p| canonical(p)),
        );
    }
    let charts: Vec<PathBuf> = sources
        .found
        .charts
        .iter()
        .filter(|chart| {
            let folder = chart.parent().map(canonical);
            only.is_none_or(|only| {
                folder.is_some_and(|folder| only.iter().any(|path| path.starts_with(&folder)))
            })
        })
        .cloned()
        .collect();
    for chart in &charts {
        files.extend(files_in(chart.parent()?, true).iter().map(|p| canonical(p)));
    }
    let mut copied_bytes = 0u64;
    for file in &files {
        let target = into_copy(file)?;
        let text = match head.get(file) {
            Some(Some(text)) => Some(text.as_bytes()),
            Some(None) => continue,
            None => None,
        };
        std::fs::create_dir_all(target.parent()?).ok()?;
        copied_bytes += match text {
            Some(text) => std::fs::write(&target, text).map(|()| text.len() as u64),
            None => std::fs::copy(file, &target),
        }
        .ok()?;
        if copied_bytes > MAX_COPY_BYTES {
            return None;
        }
    }

    // The run's sources, in the copy; a file new since HEAD is not there.
    let exists = |path: &PathBuf| path.exists();
    let found = Discovered {
        inputs: sources
            .found
            .inputs
            .iter()
            .filter_map(|source| match source {
                InputSource::File(path) => into_copy(path).filter(exists).map(InputSource::File),
                InputSource::Stdin => None,
            })
            .collect(),
        kustomizations: map_existing(&kustomizations, &into_copy),
        charts: map_existing(&charts, &into_copy),
        problems: Vec::new(),
    };
    let render = &sources.options.render;
    let options = ReadOptions {
        keep_text: false,
        render: crate::input::RenderOptions {
            helm_values: render
                .helm_values
                .iter()
                .filter_map(|(chart, renderings)| Some((into_copy(chart)?, renderings.clone())))
                .collect(),
            only_containing: render
                .only_containing
                .as_ref()
                .map(|paths| paths.iter().filter_map(|p| into_copy(p)).collect()),
            stdin_chart: None,
            ..render.clone()
        },
        ..sources.options.clone()
    };
    let mut at_head = crate::input::read_repository(&found, &options);
    // A rendering that failed in the copy but not in the run (a file the copy lacks) would
    // make every finding of that cluster look new: no comparison then.
    let rendering_failed = |errors: &[crate::input::InputError],
                            files: &[crate::source::SourceFile]| {
        errors
            .iter()
            .filter(|e| {
                e.file.is_some_and(|f| {
                    matches!(files[f].role, FileRole::Kustomization | FileRole::Chart)
                })
            })
            .count()
    };
    if rendering_failed(&at_head.errors, &at_head.files)
        > rendering_failed(&inputs.errors, &inputs.files)
    {
        return None;
    }

    // Each file named as the one it copies, so configured paths and the comparison match.
    let copy_prefix = format!("{}/", display_path(&copy_root));
    let top_prefix = match display_path(top).as_str() {
        "." => String::new(),
        top => format!("{top}/"),
    };
    let original_display: HashMap<PathBuf, &str> = inputs
        .files
        .iter()
        .filter_map(|file| Some((into_copy(file.path.as_ref()?)?, file.display.as_str())))
        .collect();
    for file in &mut at_head.files {
        let known = file
            .path
            .as_ref()
            .and_then(|path| original_display.get(path));
        file.display = match known {
            Some(display) => display.to_string(),
            // A rendering's name (`<kustomize DIR>`) holds the copy's folder.
            None => file.display.replace(&copy_prefix, &top_prefix),
        };
    }
    Some(at_head)
}

/// The regular files in `dir` (and below it when `recursive`), `.git` left out.
fn files_in(dir: &Path, recursive: bool) -> Vec<PathBuf> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut walk = ignore::WalkBuilder::new(dir);
    walk.standard_filters(false).follow_links(false);
    if !recursive {
        walk.max_depth(Some(1));
    }
    walk.filter_entry(|entry| entry.file_name() != ".git")
        .build()
        .filter_map(Result::ok)
        // A linked file is copied as its content (Helm and Kustomize read through links).
        .filter(|entry| entry.path().is_file())
        .map(ignore::DirEntry::into_path)
        .collect()
}

fn map_existing(paths: &[PathBuf], into_copy: &dyn Fn(&Path) -> Option<PathBuf>) -> Vec<PathBuf> {
    paths
        .iter()
        .filter_map(|path| into_copy(path))
        .filter(|path| path.exists())
        .collect()
}
