//! Why an inspection command cannot answer: the question names nothing the manifests hold,
//! or cannot be read. The text is the user's; the command line prints it and exits 2.

/// A question `explain-sa` or `who-can` cannot answer.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum InspectError {
    /// `who-can`'s RESOURCE is not `RESOURCE[.GROUP][/SUBRESOURCE]` or a URL; the text
    /// is [`Target::parse`](super::resources::Target::parse)'s.
    #[error("{0}")]
    Resource(String),
    /// `explain-sa`'s argument is not `NAMESPACE/NAME`.
    #[error("`{0}` is not NAMESPACE/NAME (e.g. shop/api): write the ServiceAccount's namespace, a slash and its name")]
    ServiceAccountName(String),
    /// Nothing in the cluster defines, uses or binds the ServiceAccount by name.
    #[error("ServiceAccount {namespace}/{name} is not in the manifests: no object defines it, no workload or token Secret uses it and no binding names it ({})", defined_hint(.defined))]
    UnknownServiceAccount {
        namespace: String,
        name: String,
        /// The ServiceAccounts the cluster defines (`ns/name`), sorted, each once.
        defined: Vec<String>,
    },
    /// `paths`' FROM or `--to` is not an identity.
    #[error("`{0}` is not an identity: write NAMESPACE/NAME (a ServiceAccount), ServiceAccount:NAMESPACE/NAME, User:NAME or Group:NAME")]
    Identity(String),
    /// `paths --to-capability` names no capability.
    #[error("`{0}` is not a capability: write one of {1}")]
    Capability(String, String),
    /// `paths`' FROM is nowhere in the manifests.
    #[error("{0} is not in the manifests: no object defines, uses or binds it")]
    UnknownIdentity(String),
}

/// The first ten ServiceAccounts defined, as a hint at what was meant.
fn defined_hint(defined: &[String]) -> String {
    if defined.is_empty() {
        return "the input defines no ServiceAccount".to_string();
    }
    let shown = &defined[..defined.len().min(10)];
    let more = match defined.len() - shown.len() {
        0 => String::new(),
        more => format!(" and {more} more"),
    };
    format!("ServiceAccounts defined: {}{more}", shown.join(", "))
}
