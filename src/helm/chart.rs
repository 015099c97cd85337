//! Helm charts in a repository: a folder with `Chart.yaml`. Its templates are not YAML
//! until Helm renders them, and its values files and `Chart.yaml` are not Kubernetes
//! objects: none of them is ever judged as a manifest.

use std::path::{Path, PathBuf};

use crate::yaml::{load_documents, Node};

/// A chart: its folder and what its `Chart.yaml` says.
#[derive(Debug, Clone)]
pub struct Chart {
    /// The chart's folder (absolute, real path).
    pub dir: PathBuf,
    /// Its `Chart.yaml`.
    pub file: PathBuf,
    /// `name:` of `Chart.yaml` (Helm writes it in every `# Source:` comment).
    pub name: String,
    /// Dependencies `Chart.yaml` declares that `charts/` does not hold: Helm refuses to
    /// render without them, and salint never downloads them.
    pub missing_dependencies: Vec<String>,
    /// The values files of each rendering, relative to the chart's folder, the chart's own
    /// `values.yaml` always first (implied).
    pub renderings: Vec<Vec<PathBuf>>,
}

/// Whether a file of `chart_dir` belongs to the chart rather than being a manifest: its
/// templates (and its subcharts' files), values files, `Chart.yaml`, `Chart.lock` and the
/// chart-testing values under `ci/`.
pub fn belongs_to_chart(chart_dir: &Path, path: &Path) -> bool {
    let Ok(relative) = path.strip_prefix(chart_dir) else {
        return false;
    };
    let mut components = relative.components();
    let Some(first) = components.next() else {
        return false;
    };
    let first = first.as_os_str().to_string_lossy();
    let in_folder = components.next().is_some();
    if in_folder {
        return matches!(first.as_ref(), "templates" | "charts" | "ci");
    }
    matches!(
        first.as_ref(),
        "Chart.yaml"
            | "Chart.lock"
            | "requirements.yaml"
            | "requirements.lock"
            | "values.schema.json"
    ) || (first.starts_with("values") && (first.ends_with(".yaml") || first.ends_with(".yml")))
}

impl Chart {
    /// Reads a chart's `Chart.yaml` (`chart_file`, a real path). `configured` is the list of
    /// renderings `render.helm-values` names for it, if any; else the chart's own values
    /// plus one rendering per `ci/*-values.yaml` (chart-testing's convention).
    pub fn read(chart_file: &Path, configured: Option<&[Vec<PathBuf>]>) -> Result<Chart, String> {
        let dir = chart_file.parent().unwrap_or(Path::new("")).to_path_buf();
        let text = std::fs::read_to_string(chart_file)
            .map_err(|e| format!("cannot read: {}", crate::discover::io_message(&e)))?;
        let loaded = load_documents(&text);
        if let Some(error) = loaded.error {
            return Err(format!("YAML parse error: {}", error.message));
        }
        let root = loaded.documents.into_iter().next().map(|d| d.root);
        let field = |key: &str| {
            root.as_ref()
                .and_then(|r| r.get(key))
                .and_then(Node::as_str)
        };
        let name = field("name")
            .map(str::to_string)
            .or_else(|| dir.file_name().map(|n| n.to_string_lossy().to_string()))
            .unwrap_or_default();
        let mut declared: Vec<String> = root
            .as_ref()
            .and_then(|r| r.get("dependencies"))
            .map(|deps| {
                deps.items()
                    .iter()
                    .filter_map(|d| d.get("name").and_then(Node::as_str).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        // apiVersion v1 charts list them in requirements.yaml.
        if let Ok(text) = std::fs::read_to_string(dir.join("requirements.yaml")) {
            if let Some(doc) = load_documents(&text).documents.into_iter().next() {
                declared.extend(
                    doc.root
                        .get("dependencies")
                        .map(Node::items)
                        .unwrap_or(&[])
                        .iter()
                        .filter_map(|d| d.get("name").and_then(Node::as_str).map(str::to_string)),
                );
            }
        }
        let missing_dependencies = declared
            .into_iter()
            .filter(|name| !has_dependency(&dir, name))
            .collect();
        let renderings = match configured {
            Some(list) => list.to_vec(),
            None => {
                let mut list = vec![Vec::new()];
                let mut ci: Vec<PathBuf> = std::fs::read_dir(dir.join("ci"))
                    .map(|entries| {
                        entries
                            .filter_map(Result::ok)
                            .map(|e| e.file_name().to_string_lossy().to_string())
                            .filter(|n| n.ends_with("-values.yaml") || n.ends_with("-values.yml"))
                            .map(|n| PathBuf::from("ci").join(n))
                            .collect()
                    })
                    .unwrap_or_default();
                ci.sort();
                list.extend(ci.into_iter().map(|file| vec![file]));
                list
            }
        };
        Ok(Chart {
            dir,
            file: chart_file.to_path_buf(),
            name,
            missing_dependencies,
            renderings,
        })
    }

    /// The name of one rendering's cluster: `CHART[VALUES]` (`charts/web[values.yaml]`,
    /// `charts/web[ci/prod-values.yaml]`).
    pub fn rendering_name(&self, values: &[PathBuf]) -> String {
        let chart = crate::discover::display_path(&self.dir);
        let files: Vec<String> = if values.is_empty() {
            vec!["values.yaml".to_string()]
        } else {
            values
                .iter()
                .map(|v| v.to_string_lossy().replace('\\', "/"))
                .collect()
        };
        format!("{chart}[{}]", files.join(","))
    }
}

/// Whether `charts/` holds dependency `name`: as a folder or an archive.
fn has_dependency(dir: &Path, name: &str) -> bool {
    let charts = dir.join("charts");
    if charts.join(name).join("Chart.yaml").is_file() {
        return true;
    }
    std::fs::read_dir(&charts).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|entry| {
            let file = entry.file_name().to_string_lossy().to_string();
            file.starts_with(&format!("{name}-")) && file.ends_with(".tgz")
        })
    })
}

/// The charts among these `Chart.yaml` files that are not another chart's subchart (a
/// subchart renders as part of its parent).
pub fn roots(chart_files: &[PathBuf]) -> Vec<PathBuf> {
    let dirs: Vec<PathBuf> = chart_files
        .iter()
        .filter_map(|f| f.parent().map(Path::to_path_buf))
        .collect();
    chart_files
        .iter()
        .filter(|file| {
            let dir = file.parent().unwrap_or(Path::new(""));
            !dirs
                .iter()
                .any(|other| other != dir && dir.starts_with(other.join("charts")))
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_files_are_not_manifests() {
        let dir = Path::new("/repo/web");
        for file in [
            "templates/deployment.yaml",
            "values.yaml",
            "values-prod.yaml",
            "Chart.yaml",
            "ci/a-values.yaml",
            "charts/db/templates/x.yaml",
        ] {
            assert!(belongs_to_chart(dir, &dir.join(file)), "{file}");
        }
        for file in ["crds/crd.yaml", "examples/rendered.yaml", "../other/x.yaml"] {
            assert!(!belongs_to_chart(dir, &dir.join(file)), "{file}");
        }
        let charts = [
            PathBuf::from("/r/web/Chart.yaml"),
            PathBuf::from("/r/web/charts/db/Chart.yaml"),
        ];
        assert_eq!(roots(&charts), [PathBuf::from("/r/web/Chart.yaml")]);
    }
}
