//! A Helm template read as the YAML it writes: its lines, with the template actions
//! (`{{ }}`, `{{- }}`) stepped over, as a tree of keys and list items, so a field of the
//! rendered object is found at the template line that writes it.
//!
//! A template is not YAML, so it is never parsed as such: each line is read for its
//! indentation, its key (`key:`), whether it starts a list item (`- `), and what its value is
//! (literal text, or an action that writes it). A line that holds only an action that
//! writes output (`{{- toYaml .Values.podSecurityContext | nindent 8 }}`, an `include`) writes
//! the fields below its parent key; control actions (`if`, `with`, `range`, `end`, comments)
//! write nothing and are skipped.

use crate::source::Span;
use crate::yaml::path::{Part, Step};
use crate::yaml::Node;

/// One step of a template line's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutlineStep {
    Key(String),
    /// A list item: its position among its parent's items in the template, its `name`
    /// when written literally, and whether an action writes it (`- name: {{ .n }}`, or
    /// an item inside a `range`): then it may be any rendered item.
    Item {
        ordinal: usize,
        name: Option<String>,
        templated: bool,
    },
}

/// A template line that writes something.
#[derive(Debug, Clone)]
pub struct OutlineLine {
    pub path: Vec<OutlineStep>,
    pub indent: usize,
    pub key: Option<Span>,
    /// The value's span: literal text, or the action(s) that write it.
    pub value: Option<Span>,
    /// Whether an action writes the value (`name: {{ include "x" . }}`).
    pub value_action: bool,
    /// The value as written, when no action writes it (quotes dropped).
    pub literal: Option<String>,
    /// A line that is one output action alone: it writes fields of its parent.
    pub action: Option<Span>,
}

/// One document of a template (`---` separates them).
#[derive(Debug, Clone, Default)]
pub struct OutlineDoc {
    pub lines: Vec<OutlineLine>,
    /// The document's first line that writes anything.
    pub first: Option<Span>,
    /// `kind:` when written literally.
    pub kind: Option<String>,
}

/// A template as its documents.
#[derive(Debug, Clone, Default)]
pub struct Outline {
    pub docs: Vec<OutlineDoc>,
}

/// What an action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ActionKind {
    Output,
    Control,
}

#[derive(Debug, Clone, Copy)]
struct Action {
    span: Span,
    kind: ActionKind,
}

/// Every `{{ ... }}` of a text (they may span lines), classified.
fn actions(text: &str) -> Vec<Action> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(open) = text[at..].find("{{").map(|i| at + i) {
        let close = match text[open + 2..].find("}}") {
            Some(i) => open + 2 + i + 2,
            None => text.len(),
        };
        let inner = text[open + 2..close.saturating_sub(2).max(open + 2)]
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim();
        let word = inner.split_whitespace().next().unwrap_or("");
        let control = inner.starts_with("/*")
            || matches!(
                word,
                "if" | "else"
                    | "end"
                    | "range"
                    | "with"
                    | "define"
                    | "block"
                    | "break"
                    | "continue"
            )
            || (word.starts_with('$') && inner.contains('='));
        found.push(Action {
            span: Span::new(open, close),
            kind: if control {
                ActionKind::Control
            } else {
                ActionKind::Output
            },
        });
        at = close;
    }
    found
}

/// The names `include` and `template` actions of a span call.
pub fn included_names(text: &str, span: Span) -> Vec<String> {
    let part = &text[span.start.min(text.len())..span.end.min(text.len())];
    let mut names = Vec::new();
    for word in ["include", "template"] {
        let mut rest = part;
        while let Some(at) = rest.find(word) {
            rest = &rest[at + word.len()..];
            let trimmed = rest.trim_start();
            if let Some(quoted) = trimmed.strip_prefix('"') {
                if let Some(end) = quoted.find('"') {
                    names.push(quoted[..end].to_string());
                }
            }
        }
    }
    names
}

/// The `.Values` paths a span reads (`.Values.serviceAccount.name`, `$.Values.x`).
pub fn values_read(text: &str, span: Span) -> Vec<Vec<String>> {
    let part = &text[span.start.min(text.len())..span.end.min(text.len())];
    let mut paths = Vec::new();
    let mut rest = part;
    while let Some(at) = rest.find(".Values.") {
        rest = &rest[at + ".Values.".len()..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '-'))
            .unwrap_or(rest.len());
        let path: Vec<String> = rest[..end]
            .split('.')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if !path.is_empty() {
            paths.push(path);
        }
    }
    paths
}

/// The body of each `{{ define "name" }}`: the span from the define to its `end`.
pub fn defines(text: &str) -> Vec<(String, Span)> {
    let all = actions(text);
    let mut found = Vec::new();
    for (i, action) in all.iter().enumerate() {
        let inner = inner_text(text, action.span);
        let Some(rest) = inner.strip_prefix("define") else {
            continue;
        };
        let Some(name) = rest
            .trim()
            .strip_prefix('"')
            .and_then(|r| r.split('"').next())
        else {
            continue;
        };
        let mut depth = 0usize;
        let mut end = text.len();
        for later in &all[i + 1..] {
            let word = inner_text(text, later.span)
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string();
            match word.as_str() {
                "if" | "range" | "with" | "define" | "block" => depth += 1,
                "end" if depth == 0 => {
                    end = later.span.end;
                    break;
                }
                "end" => depth -= 1,
                _ => {}
            }
        }
        found.push((name.to_string(), Span::new(action.span.start, end)));
    }
    found
}

fn inner_text(text: &str, span: Span) -> &str {
    let end = span.end.min(text.len());
    let start = (span.start + 2).min(end);
    let inner = &text[start..end.saturating_sub(2).max(start)];
    inner.trim_start_matches('-').trim_end_matches('-').trim()
}

impl Outline {
    /// Reads a template's lines.
    pub fn of(text: &str) -> Outline {
        let actions = actions(text);
        let in_action = |offset: usize| {
            actions
                .iter()
                .find(|a| a.span.start <= offset && offset < a.span.end)
        };
        let mut outline = Outline::default();
        let mut doc = OutlineDoc::default();
        // (indent, step, items seen below it)
        let mut stack: Vec<(usize, OutlineStep, usize)> = Vec::new();
        // Open `range` (and `with`/`if`, which `end` also closes) blocks: whether each is a
        // range. An item inside a range is written once per element.
        let mut blocks: Vec<bool> = Vec::new();
        let mut root_items = 0;
        let mut block_scalar: Option<usize> = None;
        let mut line_start = 0;
        while line_start < text.len() {
            let line_end = text[line_start..]
                .find('\n')
                .map_or(text.len(), |i| line_start + i);
            let next = (line_end + 1).min(text.len().max(line_end + 1));
            let line = &text[line_start..line_end];
            // A line that starts inside a multi-line action continues it.
            if let Some(action) = in_action(line_start).filter(|a| a.span.start < line_start) {
                let _ = action;
                line_start = next;
                continue;
            }
            let indent = line.len() - line.trim_start_matches(' ').len();
            for action in actions.iter().filter(|a| {
                a.kind == ActionKind::Control
                    && a.span.start >= line_start
                    && a.span.start < line_end.max(line_start + 1)
            }) {
                match inner_text(text, action.span)
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                {
                    "range" => blocks.push(true),
                    "if" | "with" | "define" | "block" => blocks.push(false),
                    "end" => {
                        blocks.pop();
                    }
                    _ => {}
                }
            }
            let in_range = blocks.iter().any(|&r| r);
            // What the line writes, outside actions and comments.
            let mut content = String::new();
            let mut first_output: Option<Action> = None;
            let mut offset = line_start + indent;
            while offset < line_end {
                if let Some(action) = in_action(offset) {
                    if action.kind == ActionKind::Output {
                        first_output.get_or_insert(*action);
                        content.push('\u{1}');
                    }
                    offset = action.span.end.max(offset + 1);
                    continue;
                }
                let c = text[offset..].chars().next().unwrap_or(' ');
                if c == '#' && (content.is_empty() || content.ends_with(' ')) {
                    break;
                }
                content.push(c);
                offset += c.len_utf8();
            }
            let trimmed = content.trim_end();
            if let Some(scalar_indent) = block_scalar {
                if trimmed.is_empty() || indent > scalar_indent {
                    line_start = next;
                    continue;
                }
                block_scalar = None;
            }
            if trimmed.trim() == "---" && indent == 0 {
                outline.docs.push(std::mem::take(&mut doc));
                stack.clear();
                root_items = 0;
                line_start = next;
                continue;
            }
            if trimmed.trim().is_empty() {
                line_start = next;
                continue;
            }
            let line_span = Span::new(line_start + indent, line_start + indent + line.trim().len());
            doc.first.get_or_insert(line_span);
            if trimmed.trim() == "\u{1}" {
                // One action alone: it writes fields of the enclosing key.
                while stack.last().is_some_and(|(i, _, _)| *i >= indent) {
                    stack.pop();
                }
                doc.lines.push(OutlineLine {
                    path: stack.iter().map(|(_, s, _)| s.clone()).collect(),
                    indent,
                    key: None,
                    value: None,
                    value_action: false,
                    literal: None,
                    action: first_output.map(|a| a.span),
                });
                line_start = next;
                continue;
            }
            // A list item: `- ` then maybe `key: value`.
            let mut rest_offset = line_start + indent;
            let mut key_indent = indent;
            let is_item = trimmed.starts_with("- ") || trimmed == "-";
            if is_item {
                while stack.last().is_some_and(|(i, s, _)| {
                    *i > indent || (*i == indent && matches!(s, OutlineStep::Item { .. }))
                }) {
                    stack.pop();
                }
                let ordinal = match stack.last_mut() {
                    Some((_, _, items)) => {
                        *items += 1;
                        *items - 1
                    }
                    None => {
                        root_items += 1;
                        root_items - 1
                    }
                };
                let name = item_name(text, line_start + indent + 2, line_end, &in_action);
                let templated = in_range || first_output.is_some() && name.is_none();
                stack.push((
                    indent,
                    OutlineStep::Item {
                        ordinal,
                        name,
                        templated,
                    },
                    0,
                ));
                key_indent = indent + 2;
                rest_offset = line_start + indent + 2;
                while text[rest_offset..line_end].starts_with(' ') {
                    rest_offset += 1;
                    key_indent += 1;
                }
            }
            // `key: value`, the colon outside actions and quotes.
            if let Some((key, key_span, colon)) = key_of(text, rest_offset, line_end, &in_action) {
                while stack.last().is_some_and(|(i, _, _)| *i >= key_indent) {
                    stack.pop();
                }
                if key == "kind" && stack.is_empty() {
                    doc.kind = text[colon + 1..line_end]
                        .trim()
                        .split('#')
                        .next()
                        .map(|k| k.trim().trim_matches('"').trim_matches('\'').to_string());
                }
                stack.push((key_indent, OutlineStep::Key(key), 0));
                let value_text = &text[colon + 1..line_end];
                let value_start = colon + 1 + (value_text.len() - value_text.trim_start().len());
                let value_trimmed = value_text.trim();
                let (value, value_action) =
                    if value_trimmed.is_empty() || value_trimmed.starts_with('#') {
                        (None, false)
                    } else {
                        let end = value_start
                            + value_text
                                .trim_start()
                                .split(" #")
                                .next()
                                .unwrap_or("")
                                .trim_end()
                                .len();
                        let span = Span::new(value_start, end.max(value_start));
                        let action = actions.iter().any(|a| {
                            a.kind == ActionKind::Output
                                && a.span.start >= span.start
                                && a.span.end <= line_end
                        });
                        if value_trimmed.starts_with('|') || value_trimmed.starts_with('>') {
                            block_scalar = Some(key_indent);
                        }
                        (Some(span), action)
                    };
                let literal = value
                    .filter(|_| !value_action)
                    .map(|span| unquoted(&text[span.start..span.end]));
                doc.lines.push(OutlineLine {
                    path: stack.iter().map(|(_, s, _)| s.clone()).collect(),
                    indent: key_indent,
                    key: Some(key_span),
                    value,
                    value_action,
                    literal,
                    action: None,
                });
            } else if is_item {
                // `- value` or `- {{ ... }}`.
                let value_span = Span::new(rest_offset, line_end);
                doc.lines.push(OutlineLine {
                    path: stack.iter().map(|(_, s, _)| s.clone()).collect(),
                    indent,
                    key: None,
                    value: Some(value_span),
                    value_action: first_output.is_some(),
                    literal: first_output
                        .is_none()
                        .then(|| unquoted(&text[value_span.start..value_span.end])),
                    action: None,
                });
            }
            line_start = next;
        }
        outline.docs.push(doc);
        outline.docs.retain(|d| !d.lines.is_empty());
        outline
    }
}

/// The key of a `key: value` line starting at `start`: its text (quotes dropped), span and
/// the colon's offset. `None` when the line has no such colon, or the key is written by
/// an action.
fn key_of<'a>(
    text: &str,
    start: usize,
    end: usize,
    in_action: &dyn Fn(usize) -> Option<&'a Action>,
) -> Option<(String, Span, usize)> {
    let mut offset = start;
    let mut quote: Option<char> = None;
    while offset < end {
        if in_action(offset).is_some() {
            return None; // a templated key, or a value before any colon
        }
        let c = text[offset..].chars().next()?;
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') if offset == start => quote = Some(c),
            (None, ':') => {
                let after = text[offset + 1..end].chars().next();
                if after.is_none_or(|a| a == ' ' || a == '\t') {
                    let raw = text[start..offset].trim();
                    if raw.is_empty() || raw.starts_with('{') || raw.starts_with('[') {
                        return None;
                    }
                    let key = raw.trim_matches('"').trim_matches('\'').to_string();
                    let span = Span::new(start, start + raw.len());
                    return Some((key, span, offset));
                }
            }
            (None, '#') => return None,
            _ => {}
        }
        offset += c.len_utf8();
    }
    None
}

/// A literal value without its quotes and trailing comment.
fn unquoted(text: &str) -> String {
    let text = text.split(" #").next().unwrap_or("").trim();
    text.trim_matches('"').trim_matches('\'').to_string()
}

/// The literal `name:` of a list item that starts at `start` (`- name: web`).
fn item_name<'a>(
    text: &str,
    start: usize,
    end: usize,
    in_action: &dyn Fn(usize) -> Option<&'a Action>,
) -> Option<String> {
    let rest = text.get(start..end)?.trim_start();
    let value = rest.strip_prefix("name:")?;
    let value_start = end - value.len();
    if (value_start..end).any(|o| in_action(o).is_some()) {
        return None;
    }
    let name = value
        .split(" #")
        .next()?
        .trim()
        .trim_matches('"')
        .trim_matches('\'');
    (!name.is_empty()).then(|| name.to_string())
}

/// Where a template writes the field at `steps` of a rendered object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub span: Span,
    /// The line it is on, for the `.Values` it reads.
    pub line: Span,
}

impl OutlineDoc {
    /// The template's place for the field at `steps`: the line that writes it; when an
    /// action writes it, that action (the value's action, or an action line below the
    /// nearest key the template writes); else the document's first line.
    /// `rendered` is the rendered object: a line whose literal value disagrees with the
    /// rendered one (the other branch of an `if`) is not the line that wrote it.
    pub fn locate(&self, steps: &[Step], part: Part, rendered: &Node) -> Option<Written> {
        let mut best: Option<(usize, usize)> = None;
        for (i, line) in self.lines.iter().enumerate() {
            if line.action.is_some() || (line.key.is_none() && line.value.is_none()) {
                continue;
            }
            let matched = matched_len(&line.path, steps);
            if matched != line.path.len() || best.is_some_and(|(len, _)| matched <= len) {
                continue;
            }
            if !agrees(line, &steps[..matched], matched == steps.len(), rendered) {
                continue;
            }
            best = Some((matched, i));
        }
        let line_of = |line: &OutlineLine| {
            let span = line.key.or(line.value).or(line.action).unwrap_or_default();
            Span::new(
                span.start,
                line.value
                    .or(line.action)
                    .map_or(span.end, |v| v.end.max(span.end)),
            )
        };
        match best {
            Some((len, i)) if len == steps.len() => {
                let line = &self.lines[i];
                let span = match (part, line.key, line.value) {
                    (Part::Key, Some(key), _) => key,
                    (Part::Value, _, Some(value)) => value,
                    (_, Some(key), _) => key,
                    (_, None, Some(value)) => value,
                    _ => return None,
                };
                Some(Written {
                    span,
                    line: line_of(line),
                })
            }
            Some((_, i)) => {
                let line = &self.lines[i];
                if line.value_action {
                    let value = line.value?;
                    return Some(Written {
                        span: value,
                        line: line_of(line),
                    });
                }
                // An action line among the fields below this key writes it.
                let below = self.lines[i + 1..]
                    .iter()
                    .take_while(|l| {
                        l.indent > line.indent
                            || l.action.is_some() && l.path.len() > line.path.len()
                    })
                    .find(|l| l.action.is_some() && l.path.len() == line.path.len())
                    .or_else(|| {
                        self.lines[i + 1..]
                            .iter()
                            .take_while(|l| l.indent > line.indent)
                            .find(|l| l.action.is_some())
                    });
                match below {
                    Some(action_line) => Some(Written {
                        span: action_line.action?,
                        line: line_of(action_line),
                    }),
                    None => Some(Written {
                        span: line.key.or(line.value)?,
                        line: line_of(line),
                    }),
                }
            }
            None => {
                // An action at the top writes the whole document.
                if let Some(action_line) = self
                    .lines
                    .iter()
                    .find(|l| l.action.is_some() && l.path.is_empty())
                {
                    return Some(Written {
                        span: action_line.action?,
                        line: line_of(action_line),
                    });
                }
                self.first.map(|span| Written { span, line: span })
            }
        }
    }
}

/// Whether a line that matches the first steps of a path can be the one that wrote them:
/// a literal value equal to the rendered one (when the whole path matched), or a value
/// that can hold what lies below (when only a prefix did).
fn agrees(line: &OutlineLine, steps: &[Step], whole: bool, rendered: &Node) -> bool {
    let Some(literal) = &line.literal else {
        return true;
    };
    let open = literal.is_empty()
        || literal.starts_with('[')
        || literal.starts_with('{')
        || literal.starts_with('|')
        || literal.starts_with('>');
    if !whole {
        // A scalar written here has nothing below it.
        return open;
    }
    let Some(found) = crate::yaml::path::follow(rendered, steps) else {
        return true;
    };
    if literal.starts_with('[') || literal.starts_with('{') {
        // A flow collection written here: the same items as the rendered one.
        let written = crate::yaml::load_documents(literal);
        return match written.documents.first() {
            Some(doc) => same_scalars(&doc.root, found.node),
            None => true,
        };
    }
    match &found.node.value {
        crate::yaml::Value::Scalar(scalar) => open || *scalar.text == **literal,
        // `rules: null` did not write the rendered rules.
        _ => !matches!(literal.as_str(), "null" | "~"),
    }
}

/// Whether two trees hold the same scalars in the same shape.
fn same_scalars(a: &Node, b: &Node) -> bool {
    use crate::yaml::Value;
    match (&a.value, &b.value) {
        (Value::Scalar(x), Value::Scalar(y)) => x.text == y.text,
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| same_scalars(a, b))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|entry| {
                    let key = entry.key.as_scalar().map_or("", |s| &s.text);
                    b.entry(key)
                        .is_some_and(|other| same_scalars(&entry.value, &other.value))
                })
        }
        _ => false,
    }
}

/// How many steps of `steps` a template line's path matches, from the start.
fn matched_len(path: &[OutlineStep], steps: &[Step]) -> usize {
    let mut matched = 0;
    for (template, rendered) in path.iter().zip(steps) {
        let same = match (template, rendered) {
            (OutlineStep::Key(a), Step::Key(b)) => a == &**b,
            (OutlineStep::Item { name: Some(a), .. }, Step::Item { name: Some(b), .. }) => {
                a == &**b
            }
            // A templated item (`range`, `{{ .name }}`) may be any of the rendered ones.
            (
                OutlineStep::Item {
                    templated: true, ..
                },
                Step::Item { .. },
            ) => true,
            (OutlineStep::Item { ordinal, .. }, Step::Item { index, .. }) => ordinal == index,
            _ => false,
        };
        if !same {
            break;
        }
        matched += 1;
    }
    matched
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"web.fullname\" . }}\n  labels:\n    {{- include \"web.labels\" . | nindent 4 }}\nspec:\n  {{- if not .Values.autoscaling.enabled }}\n  replicas: {{ .Values.replicaCount }}\n  {{- end }}\n  template:\n    spec:\n      {{- with .Values.podSecurityContext }}\n      securityContext:\n        {{- toYaml . | nindent 8 }}\n      {{- end }}\n      serviceAccountName: {{ include \"web.serviceAccountName\" . }}\n      {{- with .Values.pod }}\n      {{- toYaml . | nindent 6 }}\n      {{- end }}\n      containers:\n        - name: {{ .Chart.Name }}\n          image: \"{{ .Values.image.repository }}\"\n          ports:\n            - name: http\n              containerPort: 80\n";

    fn keys(path: &[&str]) -> Vec<Step> {
        path.iter().map(|k| Step::Key((*k).into())).collect()
    }

    fn at(text: &str, written: Option<Written>) -> &str {
        let span = written.unwrap().span;
        &text[span.start..span.end]
    }

    #[test]
    fn finds_the_line_that_writes_a_field() {
        let outline = Outline::of(DEPLOYMENT);
        let empty = crate::yaml::load_documents("{}").documents.remove(0).root;
        assert_eq!(outline.docs.len(), 1);
        let doc = &outline.docs[0];
        assert_eq!(doc.kind.as_deref(), Some("Deployment"));
        let sa = keys(&["spec", "template", "spec", "serviceAccountName"]);
        assert_eq!(
            at(DEPLOYMENT, doc.locate(&sa, Part::Value, &empty)),
            "{{ include \"web.serviceAccountName\" . }}"
        );
        assert_eq!(
            at(DEPLOYMENT, doc.locate(&sa, Part::Key, &empty)),
            "serviceAccountName"
        );
        // Written by the action line among the pod spec's own fields.
        let automount = keys(&["spec", "template", "spec", "automountServiceAccountToken"]);
        assert_eq!(
            at(DEPLOYMENT, doc.locate(&automount, Part::Value, &empty)),
            "{{- toYaml . | nindent 6 }}"
        );
        let pod_spec = keys(&["spec", "template", "spec"]);
        assert_eq!(
            at(DEPLOYMENT, doc.locate(&pod_spec, Part::Key, &empty)),
            "spec"
        );
        // Under `securityContext:`, its toYaml.
        let run_as = keys(&["spec", "template", "spec", "securityContext", "runAsUser"]);
        assert_eq!(
            at(DEPLOYMENT, doc.locate(&run_as, Part::Value, &empty)),
            "{{- toYaml . | nindent 8 }}"
        );
        // List items by name.
        let mut port = keys(&["spec", "template", "spec", "containers"]);
        port.push(Step::Item {
            index: 0,
            name: Some("web".into()),
        });
        port.push(Step::Key("ports".into()));
        port.push(Step::Item {
            index: 0,
            name: Some("http".into()),
        });
        port.push(Step::Key("containerPort".into()));
        assert_eq!(at(DEPLOYMENT, doc.locate(&port, Part::Value, &empty)), "80");
        assert_eq!(
            values_read(DEPLOYMENT, Span::new(0, DEPLOYMENT.len()))[0],
            ["autoscaling", "enabled"]
        );
    }

    #[test]
    fn the_branch_that_wrote_the_value() {
        let text = "kind: ClusterRole\n{{- if not .Values.proxy }}\nrules: null\n{{- else }}\nrules:\n  {{- if .Values.proxy }}\n  - apiGroups: [\"\"]\n    resources: [pods]\n    verbs: [create]\n  {{- end }}\n  {{- toYaml .Values.extraRules | nindent 2 }}\n{{- end }}\n";
        let doc = &Outline::of(text).docs[0];
        let rendered = crate::yaml::load_documents(
            "kind: ClusterRole\nrules:\n- apiGroups: ['']\n  resources: [secrets]\n  verbs: [get]\n",
        )
        .documents
        .remove(0)
        .root;
        let steps = vec![
            Step::Key("rules".into()),
            Step::Item {
                index: 0,
                name: None,
            },
            Step::Key("verbs".into()),
        ];
        // Not `verbs: [create]` of the conditional item, nor `rules: null`: the toYaml.
        assert_eq!(
            at(text, doc.locate(&steps, Part::Value, &rendered)),
            "{{- toYaml .Values.extraRules | nindent 2 }}"
        );
    }

    #[test]
    fn documents_defines_and_includes() {
        let text = "{{- if .Values.rbac.create }}\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nrules: []\n{{- end }}\n";
        let outline = Outline::of(text);
        let kinds: Vec<_> = outline.docs.iter().map(|d| d.kind.clone()).collect();
        assert_eq!(kinds, [Some("ServiceAccount".into()), Some("Role".into())]);
        let helpers = "{{- define \"web.sa\" -}}\n{{- if .Values.serviceAccount.create }}\n{{- default \"x\" .Values.serviceAccount.name }}\n{{- end }}\n{{- end }}\n{{- define \"other\" }}o{{ end }}\n";
        let found = defines(helpers);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].0, "web.sa");
        assert_eq!(
            values_read(helpers, found[0].1),
            [
                vec!["serviceAccount", "create"],
                vec!["serviceAccount", "name"]
            ]
        );
        let line = "name: {{ include \"web.sa\" . }}";
        assert_eq!(included_names(line, Span::new(0, line.len())), ["web.sa"]);
    }
}
