//! `salint check`: reads the paths (and the context folder) as the configuration and the
//! flags say, lints each cluster, writes the report and picks the exit code.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use super::args::{CheckArgs, ColorChoice, Format};
use super::configuration::{apply_flags, apply_rule_selection, resolve_config, select_clusters};
use super::error::CliError;
use super::fixes;
use super::output::{write_output, write_output_with};
use super::Exit;
use crate::baseline::Baseline;
use crate::discover::{discover, display_path, InputSource};
use crate::escape;
use crate::input::{read_repository, ContextCache, InputError, ReadOptions};
use crate::report::{self, Report};

/// `salint check`: the report of every cluster's findings; the status says whether any
/// is at or above `--fail-on` and whether every input was read.
pub(super) fn check(args: &CheckArgs) -> Result<Exit, CliError> {
    check_with(args, None)
}

/// [`check`]; `fixed` is how many findings a `--fix` pass fixed before this run, which
/// then reports what is left.
fn check_with(args: &CheckArgs, fixed: Option<usize>) -> Result<Exit, CliError> {
    let reports = args.targets()?;
    let mut config = resolve_config(&args.config, &args.config_paths())?;
    apply_flags(&mut config, args);
    apply_rule_selection(&mut config, args)?;
    if let Some(message) = crate::config::context_outside_repository(&config) {
        return Err(CliError::ContextOutsideRepository(message));
    }
    let filter = config.file_filter()?.following_links(args.follow);
    let baseline = match &args.baseline {
        Some(path) => Some(Baseline::read(path).map_err(|source| CliError::Baseline {
            path: path.clone(),
            source,
        })?),
        None => None,
    };

    if let Err(message) = crate::kustomize::Renderer::find(&config.render.kustomize.value) {
        return Err(CliError::Renderer {
            message,
            origin: config.render.kustomize.origin.clone(),
        });
    }
    if let Err(message) = crate::helm::HelmRenderer::find(&config.render.helm.value) {
        return Err(CliError::Renderer {
            message,
            origin: config.render.helm.origin.clone(),
        });
    }

    // What to report on, and what to read: with a context folder, more than reported.
    let mut targets = discover(&args.paths, &filter);
    if args.force_exclude {
        force_exclude(&mut targets, &filter, config.base_dir.as_deref());
    }
    let stdin_display = args.stdin_filename.as_deref().map(display_path);
    let mut found = crate::discover::Discovered {
        inputs: targets.inputs.clone(),
        kustomizations: targets.kustomizations.clone(),
        charts: targets.charts.clone(),
        problems: targets.problems.clone(),
    };
    if let Some(context) = &config.context.value {
        let context = discover(std::slice::from_ref(context), &filter);
        found.inputs.extend(context.inputs);
        found.kustomizations.extend(context.kustomizations);
        found.charts.extend(context.charts);
        found.problems.extend(context.problems);
        crate::discover::sort_inputs(&mut found.inputs);
        for list in [&mut found.kustomizations, &mut found.charts] {
            list.sort();
            list.dedup();
        }
    }
    // Without a context folder every file read is a target: no names to compare.
    let in_context = config.context.value.is_some();
    let target_names: HashSet<String> = match in_context {
        true => targets
            .inputs
            .iter()
            .map(|source| source_display(source, stdin_display.as_deref()))
            .chain(targets.kustomizations.iter().map(|p| display_path(p)))
            .collect(),
        false => HashSet::new(),
    };
    // With a context folder only the roots the named files are part of are rendered.
    let target_paths: Option<Vec<PathBuf>> = in_context.then(|| {
        targets
            .inputs
            .iter()
            .filter_map(|source| match source {
                InputSource::File(path) => Some(path.clone()),
                InputSource::Stdin => None,
            })
            .chain(targets.kustomizations.iter().cloned())
            .map(|path| crate::kustomize::plan::canonical(&path))
            .collect()
    });
    // A context folder is read again on every commit: what earlier runs read of its files
    // is kept (`--no-cache`: not).
    let cache = match (&config.context.value, args.no_cache) {
        (Some(context), false) => {
            ContextCache::open(std::path::Path::new(context)).map(|mut cache| {
                cache.name_files(targets.inputs.iter().filter_map(|source| match source {
                    InputSource::File(path) => Some(path.as_path()),
                    InputSource::Stdin => None,
                }));
                Arc::new(cache)
            })
        }
        _ => None,
    };
    // Only the human format shows source lines; the others need positions alone.
    let read = ReadOptions {
        max_file_size: args.max_file_size,
        // The named files' changes are judged against their HEAD texts (`staged`).
        keep_text: in_context
            || args.fix
            || args.diff
            || reports.iter().any(|r| r.format == Format::Human),
        render: crate::input::RenderOptions {
            only_containing: target_paths,
            stdin_chart: args.chart.clone(),
            ..crate::input::RenderOptions::from_config(&config)
        },
        cache: cache.clone(),
    };
    let mut inputs = read_repository(&found, &read);
    if let Some(cache) = &cache {
        cache.save();
    }
    // Standard input is where `--stdin-filename` says, for per-path-ignores and every
    // report (numbering by display path is done: file ids stay).
    if let Some(display) = &stdin_display {
        for file in inputs.files.iter_mut().filter(|f| f.display == "<stdin>") {
            file.display = display.clone();
        }
        for error in inputs.errors.iter_mut().filter(|e| e.path == "<stdin>") {
            error.path = display.clone();
        }
    }
    // With a context folder, only the files named are reported on.
    let reported_files: Vec<bool> = inputs
        .files
        .iter()
        .map(|file| !in_context || target_names.contains(&file.display))
        .collect();
    let reported = |file: usize| reported_files[file];

    let mut clusters = crate::cluster::decide(&inputs, &config);
    select_clusters(&mut clusters, &config)?;
    if in_context {
        // The clusters the named files are part of.
        clusters.retain(|cluster| cluster.files.iter().any(|&f| reported(f)));
    }
    // Cached files come as their objects' identities, which decided the clusters; the
    // clusters judged read their trees.
    // The files whose trees are there: all of them, but with the cache the judged ones.
    let mut with_trees: Option<HashSet<usize>> = None;
    if let Some(cache) = &cache {
        let mut judged: Vec<usize> = (0..inputs.files.len()).filter(|&f| reported(f)).collect();
        for cluster in &clusters.list {
            judged.extend(&cluster.files);
            judged.extend(cluster.objects.iter().map(|&o| inputs.objects[o].file));
        }
        cache.hydrate(&mut inputs, &judged);
        with_trees = Some(judged.into_iter().collect());
    }
    let has_trees = |file: usize| with_trees.as_ref().is_none_or(|set| set.contains(&file));
    let inputs = inputs;
    if !args.quiet {
        for note in inputs.notes.iter().chain(&clusters.decision) {
            eprintln!("salint: note: {note}");
        }
    }

    let mut errors: Vec<InputError> = found
        .problems
        .iter()
        .map(|problem| InputError {
            path: problem.path.clone(),
            file: None,
            span: None,
            message: problem.message.clone(),
        })
        .collect();
    errors.extend(
        inputs
            .errors
            .iter()
            .filter(|e| match e.file {
                // A root that did not render is the named files' loss too.
                Some(file) => {
                    reported(file)
                        || inputs.files[file].role == crate::source::FileRole::Kustomization
                }
                None => !in_context || target_names.contains(&e.path),
            })
            .cloned(),
    );
    errors.sort_by(|a, b| (&a.path, a.span).cmp(&(&b.path, b.span)));

    let mut findings = crate::lint::lint_clusters(&inputs, &config, &clusters);
    // With a context, what the named files' changes create in the other files too.
    let caused = match in_context {
        true => super::staged::caused_elsewhere(
            &super::staged::RunSources {
                found: &found,
                // The HEAD side is read from a temporary copy: nothing to keep.
                options: &ReadOptions {
                    cache: None,
                    ..read.clone()
                },
            },
            &inputs,
            &config,
            &findings,
            &reported,
            &has_trees,
            &clusters,
        ),
        false => Vec::new(),
    };
    findings.retain(|f| reported(f.location.file));
    if !caused.is_empty() {
        findings.extend(caused);
        findings.sort_by(|a, b| {
            (a.location, a.rule.code(), &a.message).cmp(&(b.location, b.rule.code(), &b.message))
        });
    }
    let absent = match &baseline {
        Some(baseline) => baseline.compare(&mut findings),
        None => Vec::new(),
    };
    let file_count = (0..inputs.files.len())
        .filter(|&id| inputs.files[id].role != crate::source::FileRole::Rendered && reported(id))
        .count();
    let object_count = counted_objects(&inputs, &clusters, &reported);

    if (args.fix || args.diff) && fixed.is_none() {
        let planned = fixes::plan(&inputs, &config, &findings);
        if args.diff {
            let count = fixes::print_diff(&inputs, &planned)?;
            if !args.quiet {
                eprintln!("salint: {}", fixes::diff_summary(count, planned.len()));
            }
            return Ok(if !errors.is_empty() {
                Exit::BadInput
            } else if count > 0 && !args.exit_zero {
                Exit::Findings
            } else {
                Exit::Clean
            });
        }
        let count = fixes::write(&inputs, &planned)?;
        std::mem::forget(inputs);
        std::mem::forget(findings);
        return check_with(args, Some(count));
    }

    if let Some(path) = &args.write_baseline {
        let recorded = Baseline::record(&findings, &inputs.files);
        write_output(Some(path), &recorded.to_json())?;
        eprintln!(
            "salint: wrote {} findings to baseline {}",
            recorded.findings.len(),
            escape::text(&path.display().to_string())
        );
        return Ok(if errors.is_empty() {
            Exit::Clean
        } else {
            Exit::BadInput
        });
    }

    let notes: Vec<String> = inputs
        .notes
        .iter()
        .chain(&clusters.decision)
        .cloned()
        .collect();
    let report = Report {
        files: &inputs.files,
        findings: &findings,
        errors: &errors,
        notes: &notes,
        object_count,
        file_count,
        show_suppressed: args.show_suppressed,
        absent: &absent,
        baseline_used: baseline.is_some(),
    };
    let on_terminal = std::io::stdout().is_terminal();
    let mut human_on_stdout = false;
    for target in &reports {
        let to_stdout = target.path.is_none();
        let color = match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                to_stdout
                    && on_terminal
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        let path = target.path.as_ref();
        if to_stdout && args.statistics {
            write_output(path, &report::statistics(&report))?;
            continue;
        }
        human_on_stdout |= to_stdout && target.format == Format::Human;
        let human = report::human::Options {
            color,
            width: super::terminal::width(to_stdout && on_terminal),
            summary: !args.quiet,
            fixed,
        };
        match target.format {
            // Streamed, not built as one string: on a large run it is tens of MB.
            Format::Json => write_output_with(path, |out| report::json::write(&report, out)),
            Format::Human => write_output(path, &report::human::render_with(&report, &human)),
            Format::Sarif => write_output(path, &report::sarif::render(&report)),
            Format::Github => write_output(path, &report::github::render(&report)),
            Format::Compact => write_output(path, &report::compact::render(&report)),
            Format::Markdown => write_output(path, &report::markdown::render(&report)),
            Format::Junit => write_output(path, &report::junit::render(&report)),
            Format::Gitlab => write_output(path, &report::gitlab::render(&report)),
        }?;
    }
    let summary = report.summary();
    if !human_on_stdout && !args.quiet {
        eprintln!(
            "salint: {}{}",
            summary.line(),
            report::human::fixed_part(fixed)
        );
    }
    // The process ends next: freeing every tree node by node only costs time.
    std::mem::forget(inputs);
    // A staged values file or kustomization holds no object itself, yet its cluster was
    // judged: only a run that judged no object at all warns.
    let judged_any = clusters.list.iter().any(|c| !c.objects.is_empty());
    if object_count == 0 && !judged_any && errors.is_empty() {
        eprintln!(
            "salint: warning: no Kubernetes objects found in {file_count} file(s); nothing was checked"
        );
    }
    let exit = if !errors.is_empty() {
        Exit::BadInput
    } else if args.exit_zero {
        Exit::Clean
    } else if findings
        .iter()
        .any(|f| f.is_active() && f.severity >= config.fail_on.value)
    {
        Exit::Findings
    } else {
        Exit::Clean
    };
    // Likewise the findings, one by one with their messages and related lists.
    std::mem::forget(findings);
    Ok(exit)
}

/// The objects the run judged that lie in reported files: each object of the clusters
/// once, a rendered one counted in the file it came from.
fn counted_objects(
    inputs: &crate::input::Inputs,
    clusters: &crate::cluster::Clusters,
    reported: &dyn Fn(usize) -> bool,
) -> usize {
    let mut seen = vec![false; inputs.objects.len()];
    for cluster in &clusters.list {
        for &object in &cluster.objects {
            seen[object] = true;
        }
    }
    seen.iter()
        .enumerate()
        .filter(|(object, &judged)| {
            judged && {
                let file = inputs
                    .renderings
                    .source_file(*object)
                    .unwrap_or(inputs.objects[*object].file);
                reported(file)
            }
        })
        .count()
}

/// `--force-exclude`: the files and kustomizations named on the command line that an
/// exclude glob matches (as named, or relative to the configuration's folder) are dropped,
/// as a folder walk would have skipped them.
fn force_exclude(
    found: &mut crate::discover::Discovered,
    filter: &crate::discover::FileFilter,
    base_dir: Option<&std::path::Path>,
) {
    let excluded = |path: &std::path::Path| {
        let named = path.strip_prefix(".").unwrap_or(path);
        let from_base = base_dir.and_then(|base| {
            let absolute = std::path::absolute(path).ok()?;
            Some(absolute.strip_prefix(base).ok()?.to_path_buf())
        });
        filter.excludes(named) || from_base.is_some_and(|relative| filter.excludes(&relative))
    };
    found.inputs.retain(|source| match source {
        InputSource::File(path) => !excluded(path),
        InputSource::Stdin => true,
    });
    found.kustomizations.retain(|path| !excluded(path));
    found.charts.retain(|path| !excluded(path));
}

fn source_display(source: &InputSource, stdin_display: Option<&str>) -> String {
    match source {
        InputSource::Stdin => stdin_display.unwrap_or("<stdin>").to_string(),
        InputSource::File(path) => display_path(path),
    }
}
