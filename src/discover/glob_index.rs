//! A set of globs that matches exactly like one `globset::GlobSet` of the same globs, but
//! costs time and memory in proportion to the globs a run's paths can match, not to all of
//! them.
//!
//! Why: `GlobSet` compiles every glob up front, and a glob such as `**/vendor7/*.yaml`
//! (globset's "required extension" strategy) becomes a regex of its own that every `.yaml`
//! path is then tried against in turn. With 200,000 such `exclude` globs a configuration took
//! 7.5 s and 1.9 GB to load in a release build (12 s and more in a debug build), and each
//! path walked cost 200,000 regex searches.
//!
//! How: most globs written in a configuration name a folder or file, or the start or end of
//! one, literally (`vendor`, `charts/*/tests/**`, `**/generated-*`, `**/*.rendered.yaml`). A
//! path can only match such a glob if one of its components is that name, or starts or ends
//! with that text, so each glob is filed under one such need (the one fewest globs share),
//! and a path looks up only what its own components can meet. A bucket of globs is compiled,
//! by globset, the first time a path reaches it. Globs with no literal need (`*vendor*`), or
//! in a bucket too large to compile later without risk, are compiled up front into one
//! `GlobSet`, as before, so a set globset cannot build is still an error when the filter is
//! made.

use std::path::Path;
use std::sync::OnceLock;

use foldhash::{HashMap, HashMapExt};
use globset::{Glob, GlobSet, GlobSetBuilder};

use super::GlobError;

/// The most pattern bytes one lazily compiled bucket may hold. globset compiles a bucket's
/// regex-strategy globs into one automaton with a 10 MiB limit: 256 globs of 256 bytes of
/// `?*` (the costliest shape) build, 512 do not. A quarter of what builds keeps a bucket's
/// first use, in the middle of a folder walk, from ever failing; larger buckets are
/// compiled up front with the globs that have no literal need.
const BUCKET_BYTES: usize = 16 * 1024;

/// What a path must have for a glob to match it: a component that is, starts with or ends
/// with this text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Need<'a> {
    Component(&'a str),
    Start(&'a str),
    End(&'a str),
}

impl Need<'_> {
    fn text(&self) -> &str {
        match self {
            Need::Component(text) | Need::Start(text) | Need::End(text) => text,
        }
    }
}

pub(super) struct GlobIndex {
    /// The globs without a usable literal need, compiled when the index is made.
    unindexed: GlobSet,
    /// Globs that need a path component equal to the key.
    components: HashMap<Box<[u8]>, Bucket>,
    /// Globs that need a path component starting with the key, and the key lengths there
    /// are (ascending), so a component is cut only at those lengths.
    starts: HashMap<Box<[u8]>, Bucket>,
    start_lengths: Vec<usize>,
    /// Globs that need a path component ending with the key, and the key lengths.
    ends: HashMap<Box<[u8]>, Bucket>,
    end_lengths: Vec<usize>,
}

/// Globs that all have the same need, compiled on first use.
struct Bucket {
    patterns: Vec<Box<str>>,
    compiled: OnceLock<GlobSet>,
}

impl Bucket {
    fn is_match(&self, path: &Path) -> bool {
        self.compiled
            .get_or_init(|| {
                let mut builder = GlobSetBuilder::new();
                for pattern in &self.patterns {
                    builder.add(Glob::new(pattern).expect("parsed when the index was made"));
                }
                builder
                    .build()
                    .expect("a bucket within BUCKET_BYTES compiles")
            })
            .is_match(path)
    }
}

impl GlobIndex {
    /// Compiles `patterns`; a bad glob is an error naming it.
    pub(super) fn new(patterns: &[&str]) -> Result<Self, GlobError> {
        Self::with_bucket_bytes(patterns, BUCKET_BYTES)
    }

    /// [`GlobIndex::new`] with a bucket budget of `bucket_bytes` (tests shrink it).
    fn with_bucket_bytes(patterns: &[&str], bucket_bytes: usize) -> Result<Self, GlobError> {
        let parse = |pattern: &str| {
            Glob::new(pattern).map_err(|source| GlobError::Invalid {
                pattern: pattern.to_string(),
                source,
            })
        };
        for pattern in patterns {
            parse(pattern)?;
        }
        let needs: Vec<Vec<Need>> = patterns.iter().map(|p| literal_needs(p)).collect();
        let mut globs_per_need: HashMap<Need, usize> = HashMap::new();
        for glob_needs in &needs {
            let mut distinct = glob_needs.clone();
            distinct.sort_unstable();
            distinct.dedup();
            for need in distinct {
                *globs_per_need.entry(need).or_default() += 1;
            }
        }
        let mut filed: HashMap<Need, Vec<&str>> = HashMap::new();
        let mut unindexed = GlobSetBuilder::new();
        for (pattern, glob_needs) in patterns.iter().zip(&needs) {
            // The rarest need makes the smallest bucket; the longest text breaks ties.
            let rarest = glob_needs
                .iter()
                .min_by_key(|need| (globs_per_need[*need], std::cmp::Reverse(need.text().len())));
            match rarest {
                Some(need) => filed.entry(*need).or_default().push(pattern),
                None => {
                    unindexed.add(parse(pattern)?);
                }
            }
        }
        let mut index = GlobIndex {
            unindexed: GlobSet::empty(),
            components: HashMap::new(),
            starts: HashMap::new(),
            start_lengths: Vec::new(),
            ends: HashMap::new(),
            end_lengths: Vec::new(),
        };
        for (need, bucket_patterns) in filed {
            let bytes: usize = bucket_patterns.iter().map(|p| p.len()).sum();
            if bytes > bucket_bytes {
                for pattern in bucket_patterns {
                    unindexed.add(parse(pattern)?);
                }
                continue;
            }
            let bucket = Bucket {
                patterns: bucket_patterns.into_iter().map(Box::from).collect(),
                compiled: OnceLock::new(),
            };
            let (map, lengths) = match need {
                Need::Component(_) => (&mut index.components, None),
                Need::Start(_) => (&mut index.starts, Some(&mut index.start_lengths)),
                Need::End(_) => (&mut index.ends, Some(&mut index.end_lengths)),
            };
            map.insert(need.text().as_bytes().into(), bucket);
            if let Some(lengths) = lengths {
                lengths.push(need.text().len());
            }
        }
        for lengths in [&mut index.start_lengths, &mut index.end_lengths] {
            lengths.sort_unstable();
            lengths.dedup();
        }
        index.unindexed = unindexed.build().map_err(GlobError::Set)?;
        Ok(index)
    }

    /// Whether any glob matches `path` (as `GlobSet::is_match` would say).
    pub(super) fn is_match(&self, path: &Path) -> bool {
        if self.unindexed.is_match(path) {
            return true;
        }
        if self.components.is_empty() && self.starts.is_empty() && self.ends.is_empty() {
            return false;
        }
        let reaches = |map: &HashMap<Box<[u8]>, Bucket>, key: &[u8]| {
            map.get(key).is_some_and(|bucket| bucket.is_match(path))
        };
        candidate_bytes(path)
            .split(|&byte| byte == b'/')
            .any(|component| {
                reaches(&self.components, component)
                    || up_to(&self.start_lengths, component.len())
                        .iter()
                        .any(|&length| reaches(&self.starts, &component[..length]))
                    || up_to(&self.end_lengths, component.len())
                        .iter()
                        .any(|&length| reaches(&self.ends, &component[component.len() - length..]))
            })
    }
}

/// The lengths (ascending) no longer than `max`.
fn up_to(lengths: &[usize], max: usize) -> &[usize] {
    &lengths[..lengths.partition_point(|&length| length <= max)]
}

/// The path as globset matches it: its bytes, with `\` read as `/` on Windows.
#[cfg(unix)]
fn candidate_bytes(path: &Path) -> std::borrow::Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    std::borrow::Cow::Borrowed(path.as_os_str().as_bytes())
}

/// The path as globset matches it: its bytes, with `\` read as `/` on Windows.
#[cfg(not(unix))]
fn candidate_bytes(path: &Path) -> std::borrow::Cow<'_, [u8]> {
    let text = path.to_string_lossy();
    let bytes = if cfg!(windows) {
        text.replace('\\', "/").into_bytes()
    } else {
        text.into_owned().into_bytes()
    };
    std::borrow::Cow::Owned(bytes)
}

/// What any path matching `pattern` must have, read from its components between `/`: a
/// component without `*` or `?` is a path component exactly; the text before the first
/// (after the last) wildcard of any other starts (ends) one. globset turns a component's
/// text into literals with a `/` or the start or end of the path on each side, whatever
/// `*` and `**` stand around it. Only globs without `[`, `{`, `}` and `\` are read: in
/// those a `/` may sit inside a class or an alternative, or a character may be escaped,
/// and reading them as plain text could file a glob under a need it does not have; they
/// are compiled up front.
fn literal_needs(pattern: &str) -> Vec<Need<'_>> {
    if pattern.contains(['[', '{', '}', '\\']) {
        return Vec::new();
    }
    let mut needs = Vec::new();
    for component in pattern.split('/').filter(|c| !c.is_empty()) {
        match (component.find(['*', '?']), component.rfind(['*', '?'])) {
            (Some(first), Some(last)) => {
                if first > 0 {
                    needs.push(Need::Start(&component[..first]));
                }
                if last + 1 < component.len() {
                    needs.push(Need::End(&component[last + 1..]));
                }
            }
            _ => needs.push(Need::Component(component)),
        }
    }
    needs
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn globset(patterns: &[&str]) -> GlobSet {
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            builder.add(Glob::new(pattern).unwrap());
        }
        builder.build().unwrap()
    }

    #[test]
    fn a_glob_needs_its_plain_components_and_the_plain_ends_of_the_others() {
        use Need::*;
        assert_eq!(
            literal_needs("**/vendor7/*.yaml"),
            [Component("vendor7"), End(".yaml")]
        );
        assert_eq!(
            literal_needs("charts/*/tests/**"),
            [Component("charts"), Component("tests")]
        );
        assert_eq!(
            literal_needs("/legacy//app-*-v?.yaml"),
            [Component("legacy"), Start("app-"), End(".yaml")]
        );
        assert!(literal_needs("*vendor*").is_empty());
        assert!(literal_needs("**/*").is_empty());
        assert!(literal_needs("{a,b}/vendor").is_empty());
        assert!(literal_needs("[[:alpha:]/vendor/]").is_empty());
        assert!(literal_needs(r"vendor/\*").is_empty());
    }

    #[test]
    fn globs_are_filed_under_their_rarest_need() {
        let index = GlobIndex::new(&[
            "charts/*/tests/**",
            "charts/a/**",
            "**/generated-*.yaml",
            "**/*-v2.json",
            "*.tmp",
            "*vendor*",
            "{a,b}",
        ])
        .unwrap();
        let keys = |map: &HashMap<Box<[u8]>, Bucket>| {
            let mut keys: Vec<String> = map
                .keys()
                .map(|key| String::from_utf8_lossy(key).into_owned())
                .collect();
            keys.sort();
            keys
        };
        assert_eq!(keys(&index.components), ["a", "tests"]);
        assert_eq!(keys(&index.starts), ["generated-"]);
        assert_eq!(keys(&index.ends), ["-v2.json", ".tmp"]);
        assert_eq!(index.unindexed.len(), 2, "`*vendor*` and `{{a,b}}`");
        assert!(index.is_match(Path::new("charts/x/tests/t.yaml")));
        assert!(index.is_match(Path::new("charts/a/values.yaml")));
        assert!(index.is_match(Path::new("deep/generated-1.yaml")));
        assert!(index.is_match(Path::new("deep/app-v2.json")));
        assert!(index.is_match(Path::new("deep/x.tmp")));
        assert!(index.is_match(Path::new("b")));
        assert!(index.is_match(Path::new("x/my-vendor-y")));
        assert!(!index.is_match(Path::new("charts/x/templates/t.yaml")));
        assert!(!index.is_match(Path::new("tests/x.yaml")));
        assert!(!index.is_match(Path::new("deep/generated-1.json")));
        assert!(!index.is_match(Path::new("deep/x-generated-1.yaml")));
        assert!(!index.is_match(Path::new("deep/app-v2.json.bak")));
    }

    /// A bucket over the byte budget is compiled up front with the unindexed globs, and
    /// still matches.
    #[test]
    fn an_oversized_bucket_is_compiled_up_front() {
        let patterns = ["vendor/*", "vendor/?*", "**/keep/x"];
        let index = GlobIndex::with_bucket_bytes(&patterns, 12).unwrap();
        assert_eq!(index.components.len(), 1);
        assert!(index.components.contains_key(&b"keep"[..]));
        assert!(index.ends.is_empty());
        assert!(index.is_match(Path::new("vendor/b1")));
        assert!(index.is_match(Path::new("deep/keep/x")));
        assert!(!index.is_match(Path::new("vendor")));
        assert!(!index.is_match(Path::new("other/b1")));
    }

    #[test]
    fn a_bad_glob_is_an_error_naming_it() {
        let error = GlobIndex::new(&["ok/**", "a{b"]).err().unwrap();
        assert!(
            error.to_string().starts_with("invalid glob `a{b`"),
            "{error}"
        );
    }

    /// Hundreds of thousands of globs cost little until a path needs them.
    #[test]
    fn many_globs_are_filed_without_compiling_them() {
        let patterns: Vec<String> = (0..20_000)
            .map(|i| format!("**/vendor{i}/*.yaml"))
            .collect();
        let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
        let index = GlobIndex::new(&patterns).unwrap();
        assert_eq!(index.components.len(), 20_000);
        assert!(index.is_match(Path::new("a/vendor7/x.yaml")));
        assert!(!index.is_match(Path::new("a/vendor7/b/x.json")));
        let compiled = index
            .components
            .values()
            .filter(|bucket| bucket.compiled.get().is_some())
            .count();
        assert_eq!(compiled, 1);
    }

    /// Globs and paths over a small alphabet, where separators, stars, classes and
    /// alternatives meet often.
    fn glob_text() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec![
                "a", "b", "ab", "/", "/", "*", "*", "**", "**/", "/**", "?", ",", ".yaml", "{a,b}",
                "[ab]", "[!a]", "\\*", "]", "!",
            ]),
            0..8,
        )
        .prop_map(|parts| parts.concat())
    }

    fn path_text() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec!["a", "b", "ab", "/", "*", ",", ".yaml", "]", "!"]),
            0..8,
        )
        .prop_map(|parts| parts.concat())
    }

    /// A path the glob likely matches: its wildcards replaced by text `seed` picks
    /// (separators included, since `*` and `?` match `/` too), escapes by what they escape.
    fn instance(pattern: &str, mut seed: u32) -> String {
        let mut pick = |options: &[&'static str]| {
            let option = options[seed as usize % options.len()];
            seed /= options.len() as u32;
            option
        };
        let mut path = String::new();
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' if chars.peek() == Some(&'*') => {
                    chars.next();
                    path.push_str(pick(&["", "a", "a/b", "/"]));
                }
                '*' => path.push_str(pick(&["", "b", "ab", "b/a"])),
                '?' => path.push_str(pick(&["a", "/", "."])),
                '\\' => path.extend(chars.next()),
                c => path.push(c),
            }
        }
        path
    }

    proptest! {
        /// The index says what one `GlobSet` of the same globs says, for every path, with
        /// buckets lazily compiled and with every bucket over budget.
        #[test]
        fn matches_like_one_globset(
            patterns in prop::collection::vec(glob_text(), 0..6),
            mut paths in prop::collection::vec(path_text(), 1..6),
            seeds in prop::collection::vec(any::<u32>(), 1..4),
        ) {
            let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
            prop_assume!(patterns.iter().all(|p| Glob::new(p).is_ok()));
            for pattern in &patterns {
                paths.extend(seeds.iter().map(|&seed| instance(pattern, seed)));
            }
            let expected = globset(&patterns);
            for budget in [BUCKET_BYTES, 0] {
                let index = GlobIndex::with_bucket_bytes(&patterns, budget).unwrap();
                for path in &paths {
                    prop_assert_eq!(
                        index.is_match(Path::new(path)),
                        expected.is_match(Path::new(path)),
                        "globs {:?} path {:?} budget {}", patterns, path, budget
                    );
                }
            }
        }
    }
}
