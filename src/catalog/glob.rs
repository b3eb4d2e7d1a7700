//! The catalogue's small glob language and Docker rule text.
//!
//! [`name_matches`] evaluates the globs of evidence lists, markers and
//! protected names against one file name; [`suffix_matches`] applies a
//! `/`-separated suffix of such globs to a relative path; [`literal_rule`]
//! writes a Docker rule that matches exactly one path. Nothing here reads
//! the disk or allocates while matching.
/// Whether a single file name matches a simple glob: `*` (any run of
/// characters), `?` (one character), `[abc]` / `[a-z]` (one of a set; a
/// leading `^` or `!` negates). Everything else is literal. No allocation.
///
/// This is the glob language of `requires_sibling`, `requires_child`,
/// markers and protected names.
pub fn name_matches(pattern: &str, name: &str) -> bool {
    let p = pattern.as_bytes();
    let n = name.as_bytes();
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() {
            match p[pi] {
                b'*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                b'?' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                b'[' => {
                    if let Some((matched, next)) = class_match(p, pi, n[ni]) {
                        if matched {
                            pi = next;
                            ni += 1;
                            continue;
                        }
                    } else if n[ni] == b'[' {
                        pi += 1;
                        ni += 1;
                        continue;
                    }
                }
                c if c == n[ni] => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, sn)) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Matches byte `c` against the class starting at `p[start] == b'['`.
/// Returns whether it matched and the index after `]`, or `None` when the
/// class is unterminated (then `[` is literal).
fn class_match(p: &[u8], start: usize, c: u8) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = matches!(p.get(i), Some(b'^' | b'!'));
    if negate {
        i += 1;
    }
    let mut found = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == b']' && !first {
            return Some((found != negate, i + 1));
        }
        if i + 2 < p.len() && p[i + 1] == b'-' && p[i + 2] != b']' {
            found |= p[i] <= c && c <= p[i + 2];
            i += 3;
        } else {
            found |= p[i] == c;
            i += 1;
        }
        first = false;
    }
    None
}

/// A Docker rule that matches exactly this relative path and nothing else.
///
/// Plain paths come back unchanged. Otherwise the wildcard characters
/// `* ? [ ] \` (and `^`, an anchor in Docker's regexp mode) are escaped with
/// `\`, a leading `!` becomes `\!` (else it would be an exception), a leading
/// `#` gets a `/` prefix (else it would be a comment), and leading or
/// trailing whitespace, which Docker trims, is wrapped in a class (`[ ]`).
pub fn literal_rule(path: &str) -> String {
    let trimmed = path.trim();
    let plain = !path.contains(['*', '?', '[', ']', '\\'])
        && !path.starts_with('!')
        && trimmed.len() == path.len();
    if plain {
        return if path.starts_with('#') {
            format!("/{path}")
        } else {
            path.to_string()
        };
    }
    let lead = path.len() - path.trim_start().len();
    let tail = path.trim_end().len();
    let mut out = String::with_capacity(path.len() + 8);
    for (i, c) in path.char_indices() {
        if i < lead || i >= tail {
            out.push('[');
            out.push(c);
            out.push(']');
            continue;
        }
        match c {
            '*' | '?' | '[' | ']' | '\\' | '^' => {
                out.push('\\');
                out.push(c);
            }
            '!' | '#' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Whether the relative path `path` ends with the whole segments of
/// `suffix`, each segment of the suffix a [`name_matches`] glob
/// (`build/lib*` matches `build/lib.linux-x86_64-cpython-312` and
/// `pkg/build/lib`). Returns the number of segments before the suffix
/// began, or `None` when it does not match.
pub(crate) fn suffix_matches(path: &str, suffix: &str) -> Option<usize> {
    let want = suffix.split('/').count();
    let have = path.split('/').count();
    if have < want {
        return None;
    }
    let tail = path.split('/').skip(have - want);
    tail.zip(suffix.split('/'))
        .all(|(seg, glob)| name_matches(glob, seg))
        .then_some(have - want)
}

/// The first `n` segments of a relative path (`""` for none).
pub(crate) fn leading_segments(path: &str, n: usize) -> &str {
    if n == 0 {
        return "";
    }
    match path.match_indices('/').nth(n - 1) {
        Some((i, _)) => &path[..i],
        None => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_globs() {
        let cases: &[(&str, &str, bool)] = &[
            ("*.csproj", "Api.csproj", true),
            ("*.csproj", "Api.csproj.user", false),
            ("requirements*.txt", "requirements.txt", true),
            ("requirements*.txt", "requirements-dev.txt", true),
            ("requirements*.txt", "requirements.in", false),
            ("*.py[co]", "a.pyc", true),
            ("*.py[co]", "a.py", false),
            ("[!a]b", "xb", true),
            ("[!a]b", "ab", false),
            ("[^.]*", "laravel.log", true),
            ("[^.]*", ".gitignore", false),
            ("a[", "a[", true),
            ("*", "", true),
            ("Dockerfile*", "Dockerfile", true),
            ("?", "", false),
        ];
        for &(glob, name, want) in cases {
            assert_eq!(name_matches(glob, name), want, "{glob} vs {name}");
        }
    }

    #[test]
    fn suffixes() {
        let cases: &[(&str, &str, Option<usize>)] = &[
            ("build/lib", "build/lib*", Some(0)),
            ("pkg/build/lib.linux-x86_64", "build/lib*", Some(1)),
            ("build/bdist", "build/lib*", None),
            ("lib", "build/lib*", None),
            ("a/b/.next/cache", ".next/cache", Some(2)),
            ("x.next/cache", ".next/cache", None),
            ("storage/logs", "storage/logs", Some(0)),
        ];
        for &(path, suffix, want) in cases {
            assert_eq!(suffix_matches(path, suffix), want, "{path} vs {suffix}");
        }
        assert_eq!(leading_segments("a/b/c", 0), "");
        assert_eq!(leading_segments("a/b/c", 2), "a/b");
        assert_eq!(leading_segments("a/b/c", 3), "a/b/c");
    }

    #[test]
    fn literal_rules() {
        assert_eq!(literal_rule("a/b.txt"), "a/b.txt");
        assert_eq!(literal_rule("#notes"), "/#notes");
        assert_eq!(literal_rule("!x"), "\\!x");
        assert_eq!(literal_rule("a/[x]*.pem"), "a/\\[x\\]\\*.pem");
        assert_eq!(literal_rule(" a "), "[ ]a[ ]");
    }
}
