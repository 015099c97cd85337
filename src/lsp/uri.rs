//! `file://` URIs and paths. Editors percent-encode paths in URIs; salint keeps absolute
//! paths internally, so the two must convert both ways without loss.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::Uri;

/// The `file://` URI of an absolute path.
pub fn from_path(path: &Path) -> Uri {
    let mut text = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                text.push(byte as char)
            }
            _ => text.push_str(&format!("%{byte:02X}")),
        }
    }
    Uri::from_str(&text).expect("a percent-encoded file URI parses")
}

/// The path of a `file://` URI; `None` for other schemes (untitled buffers, git views).
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file://host/path` is rare; `file:///path` has an empty host.
    let path = &rest[rest.find('/')?..];
    Some(PathBuf::from(percent_decode(path)))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((high * 16 + low) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_paths_with_spaces_and_non_ascii() {
        for path in [
            "/work/k8s/app.yaml",
            "/tmp/my charts/é.yaml",
            "/a/b%c#d.yaml",
        ] {
            let uri = from_path(Path::new(path));
            assert_eq!(
                to_path(&uri).unwrap(),
                PathBuf::from(path),
                "{}",
                uri.as_str()
            );
        }
        assert_eq!(
            to_path(&Uri::from_str("file:///c%3A/x.yaml").unwrap()).unwrap(),
            PathBuf::from("/c:/x.yaml")
        );
        assert!(to_path(&Uri::from_str("untitled:Untitled-1").unwrap()).is_none());
    }
}
