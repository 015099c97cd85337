//! The inputs as they were with a few files at another version: pre-commit's `HEAD` side,
//! where only the staged files differ. Every other file and object is taken as this run
//! read it, so the comparison costs one parse of the changed files, not a second read of
//! the whole context.

use std::collections::HashMap;

use super::parse::parse_bytes;
use super::{InputError, Inputs};
use crate::source::{FileId, FileRole};

impl Inputs {
    /// These inputs with the manifests of `texts` (by file id) read from those texts
    /// instead, `None` for a file that did not exist (it keeps its id, with no objects).
    /// File ids stay, objects are renumbered in file order.
    ///
    /// `None` when this cannot stand for reading the files again: a changed file that is
    /// not a plain manifest (a kustomization, a chart's file), or a run in which Kustomize
    /// or Helm rendered (a renderer reads the disk, and its maps back to the repository
    /// are numbered by the objects before them).
    pub fn with_versions(&self, texts: &HashMap<FileId, Option<String>>) -> Option<Inputs> {
        let rendered = self.renderings.roots.iter().any(|r| r.rendered.is_some())
            || self.charts.renderings.iter().any(|r| r.rendered.is_some());
        let manifests_only = texts.keys().all(|&id| {
            self.files
                .get(id)
                .is_some_and(|file| file.role == FileRole::Manifest)
        });
        if rendered || !manifests_only {
            return None;
        }
        let mut objects_of: Vec<Vec<usize>> = vec![Vec::new(); self.files.len()];
        for object in &self.objects {
            objects_of.get_mut(object.file)?.push(object.index);
        }
        let mut versions = Inputs {
            files: Vec::with_capacity(self.files.len()),
            objects: Vec::with_capacity(self.objects.len()),
            errors: self
                .errors
                .iter()
                .filter(|e| e.file.is_none_or(|f| !texts.contains_key(&f)))
                .cloned()
                .collect(),
            notes: self.notes.clone(),
            renderings: self.renderings.clone(),
            charts: self.charts.clone(),
        };
        for (id, file) in self.files.iter().enumerate() {
            let Some(text) = texts.get(&id) else {
                versions.files.push(file.clone());
                for &object in &objects_of[id] {
                    let mut object = self.objects[object].clone();
                    object.index = versions.objects.len();
                    versions.objects.push(object);
                }
                continue;
            };
            // Read as the run reads a manifest (its text kept: the comparison is of
            // findings, and a finding's place is computed from it).
            let bytes = text.clone().unwrap_or_default().into_bytes();
            let parsed = parse_bytes(file.display.clone(), bytes).without_unused_trees();
            if let Some(error) = parsed.error {
                versions.errors.push(InputError {
                    file: Some(id),
                    ..error
                });
            }
            let Some(mut source) = parsed.source else {
                return None; // decoding never loses the file; if it did, read again
            };
            source.role = file.role;
            source.path = file.path.clone();
            versions.files.push(source);
            for mut object in parsed.objects {
                object.file = id;
                object.index = versions.objects.len();
                versions.objects.push(object);
            }
        }
        Some(versions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::read_texts;

    const APP: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web}\n---\n\
        apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n";
    const RBAC: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n\
        metadata: {name: view}\nroleRef: {kind: ClusterRole, name: view}\n";
    const CHANGED: &str = "# salint: ignore[SA201]\napiVersion: v1\nkind: Secret\n\
        metadata: {name: token}\ntype: kubernetes.io/service-account-token\n---\nkey: [\n";

    fn read(texts: &[(&str, &str)]) -> Inputs {
        read_texts(
            texts
                .iter()
                .map(|(name, text)| (name.to_string(), text.to_string()))
                .collect(),
        )
    }

    /// What replacing gives is what reading the files at that version gives: the same
    /// objects, trees, spans, errors and marked lines.
    #[test]
    fn a_file_at_another_version_reads_as_reading_it_there() {
        let now = read(&[("a.yaml", APP), ("b.yaml", RBAC), ("c.yaml", APP)]);
        let texts = HashMap::from([(1, Some(CHANGED.to_string()))]);
        let replaced = now.with_versions(&texts).unwrap();
        let there = read(&[("a.yaml", APP), ("b.yaml", CHANGED), ("c.yaml", APP)]);
        let identity = |inputs: &Inputs| {
            inputs
                .objects
                .iter()
                .map(|o| {
                    let o = o.clone();
                    (o.file, o.index, o.kind, o.name, o.head, o.root)
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(identity(&replaced), identity(&there));
        assert_eq!(replaced.objects.len(), 5);
        let errors = |inputs: &Inputs| {
            inputs
                .errors
                .iter()
                .map(|e| (e.file, e.span, e.message.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(errors(&replaced), errors(&there));
        assert_eq!(errors(&replaced).len(), 1);
        assert_eq!(replaced.files[1].marked_lines, there.files[1].marked_lines);
        assert_eq!(replaced.files[1].text, there.files[1].text);
    }

    /// A file that did not exist keeps its id, with no objects; the others are untouched.
    #[test]
    fn a_file_that_did_not_exist_keeps_its_id_with_no_objects() {
        let now = read(&[("a.yaml", APP), ("b.yaml", RBAC), ("c.yaml", APP)]);
        let replaced = now.with_versions(&HashMap::from([(0, None)])).unwrap();
        assert_eq!(replaced.files.len(), 3);
        let files: Vec<usize> = replaced.objects.iter().map(|o| o.file).collect();
        assert_eq!(files, [1, 2, 2]);
        let indexes: Vec<usize> = replaced.objects.iter().map(|o| o.index).collect();
        assert_eq!(indexes, [0, 1, 2]);
    }

    /// Only a plain manifest can be replaced without reading the disk again.
    #[test]
    fn a_file_that_is_not_a_manifest_is_read_again() {
        let mut now = read(&[
            ("kustomization.yaml", "resources: [a.yaml]\n"),
            ("a.yaml", APP),
        ]);
        now.files[0].role = FileRole::Kustomization;
        assert!(now.with_versions(&HashMap::from([(0, None)])).is_none());
        assert!(now.with_versions(&HashMap::from([(1, None)])).is_some());
    }
}
