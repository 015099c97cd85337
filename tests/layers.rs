//! The import structure: each module of `src/` imports only modules of the layers below it,
//! so data flows one way (discover → input/yaml → model → authz/graph → rules →
//! suppress/baseline → report, the commands on top) and no import cycle can form. The
//! layers are the README's "How it works" list; a new module gets its place here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every top-level module of `src/`, lowest first: a module may import the modules listed
/// before it, never one after it.
const LAYERS: &[&str] = &[
    // Foundations: text and spans, escaping, child processes, size limits.
    "size",
    "source",
    "escape",
    "process",
    // The YAML loader, the rule catalog (ids and docs), the typed objects.
    "yaml",
    "catalog",
    "model",
    // Reading a repository: the file walk, `.salint.yaml`, the renderers, the inputs and
    // the clusters they form.
    "discover",
    "config",
    "kustomize",
    "helm",
    "input",
    "cluster",
    // RBAC facts, then the graph that asks them.
    "authz",
    "graph",
    // Judging: findings, rules, suppressions, baselines, the run that ties them.
    "finding",
    "rules",
    "suppress",
    "baseline",
    "lint",
    // The safe fixes of findings, as edits of the files (`--fix`, the editor's quick fixes).
    "fix",
    // Output.
    "report",
    "output_file",
    // Commands: the inspect answers, the language server, the fuzz and debug entry points,
    // the command line.
    "inspect",
    "lsp",
    "debug_dump",
    "fuzz",
    "cli",
];

/// The modules each `src/` file names through `crate::NAME`, by the file's top-level
/// module; comment lines are skipped.
fn imports(src: &Path) -> BTreeMap<String, BTreeSet<(String, String)>> {
    let mut found: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap();
            let first = relative.components().next().unwrap().as_os_str();
            let module = first.to_str().unwrap().trim_end_matches(".rs").to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            for (name, file) in crate_names(&text) {
                if name != module {
                    found
                        .entry(module.clone())
                        .or_default()
                        .insert((name, format!("{}:{file}", relative.display())));
                }
            }
        }
    }
    found
}

/// The `crate::NAME` paths in code lines of `text`, each with its 1-based line.
fn crate_names(text: &str) -> Vec<(String, usize)> {
    let mut names = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            // `crate::{a, b}` names several modules at once.
            if name.is_empty() && after.starts_with('{') {
                let group = &after[1..after.find('}').unwrap_or(after.len())];
                for part in group.split(',') {
                    let part = part.trim().split("::").next().unwrap_or("");
                    if !part.is_empty() {
                        names.push((part.to_string(), index + 1));
                    }
                }
            } else if !name.is_empty() {
                names.push((name, index + 1));
            }
            rest = after;
        }
    }
    names
}

/// The imports that run against the layers: (importer, imported, where).
fn violations(found: &BTreeMap<String, BTreeSet<(String, String)>>) -> Vec<String> {
    let rank = |module: &str| LAYERS.iter().position(|m| *m == module);
    let mut wrong = Vec::new();
    for (module, names) in found {
        let Some(own) = rank(module) else {
            continue;
        };
        for (name, place) in names {
            match rank(name) {
                Some(other) if other < own => {}
                Some(_) => wrong.push(format!(
                    "{place}: `{module}` imports `{name}`, a layer above or beside it"
                )),
                None => wrong.push(format!("{place}: `{name}` is not a module of LAYERS")),
            }
        }
    }
    wrong
}

#[test]
fn every_module_imports_only_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = imports(&src);
    // Every module of src/ has its layer (lib.rs and main.rs are the crate's roots).
    let mut modules: BTreeSet<String> = BTreeSet::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap();
        if name != "lib.rs" && name != "main.rs" && (path.is_dir() || name.ends_with(".rs")) {
            modules.insert(name.trim_end_matches(".rs").to_string());
        }
    }
    let listed: BTreeSet<String> = LAYERS.iter().map(|m| m.to_string()).collect();
    assert_eq!(modules, listed, "src/ and LAYERS list different modules");
    let wrong = violations(&found);
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
    // The scan sees real imports: the command line reaches every stage.
    let cli: BTreeSet<&str> = found["cli"].iter().map(|(name, _)| name.as_str()).collect();
    for stage in ["discover", "input", "lint", "report", "inspect", "lsp"] {
        assert!(cli.contains(stage), "the scan missed cli → {stage}");
    }
}

#[test]
fn an_import_against_the_layers_is_caught() {
    let names = crate_names(
        "use crate::report::json;\n// use crate::cli;\nuse crate::{graph::Graph, rules};\n",
    );
    assert_eq!(
        names,
        [
            ("report".to_string(), 1),
            ("graph".to_string(), 3),
            ("rules".to_string(), 3)
        ]
    );
    let mut found = BTreeMap::new();
    found.insert(
        "graph".to_string(),
        BTreeSet::from([
            ("model".to_string(), "graph/mod.rs:1".to_string()),
            ("rules".to_string(), "graph/mod.rs:2".to_string()),
            ("graph_helpers".to_string(), "graph/mod.rs:3".to_string()),
        ]),
    );
    assert_eq!(
        violations(&found),
        [
            "graph/mod.rs:3: `graph_helpers` is not a module of LAYERS",
            "graph/mod.rs:2: `graph` imports `rules`, a layer above or beside it",
        ]
    );
}
