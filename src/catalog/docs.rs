//! Rule documentation: `rules/<name>.md`, embedded in the binary.
//!
//! Each file starts with YAML front matter (code, name, severity, category, cis,
//! security-severity, tags, summary) followed by Markdown with fenced `yaml bad` and
//! `yaml good` examples. The same text serves `salint rules`, `salint explain`, SARIF help
//! and the example tests.

use super::Severity;
use crate::yaml::{load_documents, Node};

/// A rule's parsed documentation.
#[derive(Debug, Clone)]
pub struct RuleDoc {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub category: String,
    /// CIS Kubernetes Benchmark recommendation, or empty.
    pub cis: String,
    /// GitHub's security-severity score (0.1 to 10).
    pub security_severity: f64,
    pub tags: Vec<String>,
    pub summary: String,
    /// The Markdown after the front matter.
    pub body: String,
    pub examples: Vec<Example>,
    /// The option keys the rule takes besides `severity`: those of the `yaml` block under
    /// `## Options` (`rules: {NAME: {KEY: ...}}`). The configuration accepts these and the
    /// rule reads them, so the doc is where an option is declared.
    pub option_keys: Vec<String>,
}

/// A fenced example of a rule doc.
#[derive(Debug, Clone)]
pub struct Example {
    /// `true` for `yaml bad` (the rule must fire), `false` for `yaml good`.
    pub bad: bool,
    pub yaml: String,
    /// The 1-based line of the doc where the example's first line is.
    pub doc_line: usize,
}

/// Parses one rule doc; the error says what is missing.
pub fn parse_rule_doc(text: &str) -> Result<RuleDoc, String> {
    let rest = text
        .strip_prefix("---\n")
        .ok_or("the doc must start with `---` front matter")?;
    let end = rest
        .find("\n---\n")
        .ok_or("the front matter has no closing `---`")?;
    let front = &rest[..end + 1];
    let body = rest[end + 5..].trim_start_matches('\n').to_string();
    let loaded = load_documents(front);
    if let Some(error) = loaded.error {
        return Err(format!("front matter: {}", error.message));
    }
    let root = loaded
        .documents
        .into_iter()
        .next()
        .ok_or("empty front matter")?
        .root;
    let text_of = |key: &str| -> Result<String, String> {
        root.get(key)
            .and_then(Node::as_str)
            .map(str::to_string)
            .ok_or(format!("front matter lacks `{key}`"))
    };
    let severity_text = text_of("severity")?;
    let name = text_of("name")?;
    let option_keys = option_keys(&body, &name)?;
    // Lines of the doc before the body: the body is a suffix of the doc.
    let front_lines = text[..text.len() - body.len()].matches('\n').count();
    Ok(RuleDoc {
        code: text_of("code")?,
        name,
        severity: Severity::parse(&severity_text)
            .ok_or(format!("unknown severity `{severity_text}`"))?,
        category: text_of("category")?,
        cis: root
            .get("cis")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string(),
        security_severity: text_of("security-severity")?
            .parse()
            .map_err(|_| "security-severity is not a number".to_string())?,
        tags: root
            .get("tags")
            .map(|t| t.str_items().map(str::to_string).collect())
            .unwrap_or_default(),
        summary: text_of("summary")?,
        examples: examples(&body, front_lines),
        option_keys,
        body,
    })
}

/// The keys of the rule's entry in the first `yaml` block under `## Options`; none
/// without that block (a rule may describe there the global settings it follows, as
/// `cross-namespace-reference` does `namespaces.system`).
fn option_keys(body: &str, name: &str) -> Result<Vec<String>, String> {
    let Some(section) = body.split("\n## Options\n").nth(1) else {
        return Ok(Vec::new());
    };
    let section = section.split("\n## ").next().unwrap_or("");
    let Some(block) = section
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
    else {
        return Ok(Vec::new());
    };
    let loaded = load_documents(block);
    if let Some(error) = loaded.error {
        return Err(format!("`## Options` block: {}", error.message));
    }
    let entry = loaded
        .documents
        .first()
        .and_then(|document| document.root.path(&["rules", name]))
        .and_then(Node::as_map)
        .ok_or(format!(
            "the `## Options` block does not show `rules: {{{name}: {{...}}}}`"
        ))?;
    Ok(entry
        .iter()
        .filter_map(|e| e.key.as_str().map(str::to_string))
        .filter(|key| key != "severity")
        .collect())
}

/// The fenced `yaml bad` / `yaml good` blocks of a doc body.
fn examples(body: &str, line_offset: usize) -> Vec<Example> {
    let mut found = Vec::new();
    let mut current: Option<(bool, usize, Vec<&str>)> = None;
    for (index, line) in body.lines().enumerate() {
        match &mut current {
            None => {
                let info = line.trim().strip_prefix("```").map(str::trim);
                let bad = match info {
                    Some("yaml bad") => true,
                    Some("yaml good") => false,
                    _ => continue,
                };
                current = Some((bad, line_offset + index + 2, Vec::new()));
            }
            Some((bad, doc_line, lines)) => {
                if line.trim() == "```" {
                    found.push(Example {
                        bad: *bad,
                        yaml: lines.join("\n") + "\n",
                        doc_line: *doc_line,
                    });
                    current = None;
                } else {
                    lines.push(line);
                }
            }
        }
    }
    found
}

impl RuleDoc {
    /// The doc as plain text for terminals: the body without front matter, with the
    /// fences' `bad`/`good` markers kept so readers see which is which.
    pub fn help_markdown(&self) -> &str {
        &self.body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_front_matter_and_examples() {
        let doc = "---\ncode: SA999\nname: x\nseverity: note\ncategory: c\ncis: \"\"\nsecurity-severity: 1.5\ntags: [a, b]\nsummary: S.\n---\n\n# x\n\n```yaml bad\na: 1\n```\n\n```yaml good\nb: 2\n```\n";
        let parsed = parse_rule_doc(doc).unwrap();
        assert_eq!(parsed.code, "SA999");
        assert_eq!(parsed.severity, Severity::Note);
        assert_eq!(parsed.tags, ["a", "b"]);
        assert_eq!(parsed.examples.len(), 2);
        assert!(parsed.examples[0].bad);
        assert_eq!(parsed.examples[0].yaml, "a: 1\n");
        assert_eq!(
            doc.lines().nth(parsed.examples[0].doc_line - 1),
            Some("a: 1")
        );
    }
}
