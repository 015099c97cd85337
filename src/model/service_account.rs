//! ServiceAccount objects.

use super::workload::BoolField;
use super::{Namespace, Object};
use crate::yaml::yaml11_bool;

#[derive(Debug)]
pub struct ServiceAccount<'a> {
    pub object: &'a Object,
    pub namespace: Namespace,
    /// The SA's own `automountServiceAccountToken`, applied when a pod spec sets none.
    pub automount: Option<BoolField>,
}

impl<'a> ServiceAccount<'a> {
    pub fn from_object(object: &'a Object, namespace: &Namespace) -> Option<Self> {
        (object.kind == "ServiceAccount").then(|| ServiceAccount {
            object,
            namespace: namespace.clone(),
            automount: object
                .root
                .get("automountServiceAccountToken")
                .map(|node| BoolField {
                    value: yaml11_bool(node),
                    span: node.span,
                }),
        })
    }

    pub fn name(&self) -> &str {
        &self.object.name
    }
}
