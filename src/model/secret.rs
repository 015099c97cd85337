//! Legacy ServiceAccount token Secrets.

use super::{Namespace, Object};
use crate::source::Span;
use crate::yaml::Node;

/// The Secret type the control plane fills with a never-expiring token.
pub const TOKEN_SECRET_TYPE: &str = "kubernetes.io/service-account-token";
/// The annotation naming the token's ServiceAccount.
pub const SA_NAME_ANNOTATION: &str = "kubernetes.io/service-account.name";

#[derive(Debug)]
pub struct TokenSecret<'a> {
    pub object: &'a Object,
    pub namespace: Namespace,
    /// The span of the `type` value.
    pub type_span: Span,
    /// The annotated ServiceAccount's name and the annotation value's span.
    pub service_account: Option<(&'a str, Span)>,
}

impl<'a> TokenSecret<'a> {
    pub fn from_object(object: &'a Object, namespace: &Namespace) -> Option<Self> {
        if object.kind != "Secret" {
            return None;
        }
        let type_node = object.root.get("type")?;
        if type_node.as_str()? != TOKEN_SECRET_TYPE {
            return None;
        }
        let service_account = object
            .meta_map_value("annotations", SA_NAME_ANNOTATION)
            .and_then(|node: &Node| Some((node.as_str()?, node.span)));
        Some(TokenSecret {
            object,
            namespace: namespace.clone(),
            type_span: type_node.span,
            service_account,
        })
    }
}
