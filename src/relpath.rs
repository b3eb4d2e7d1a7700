//! Helpers for context-relative paths as the walk produces them: raw bytes,
//! `/`-separated, no leading `./`, `b""` for the root.

use std::path::Path;

/// The parent directory (`b""` at the root level).
pub fn parent(p: &[u8]) -> &[u8] {
    p.iter()
        .rposition(|&b| b == b'/')
        .map_or(&p[..0], |i| &p[..i])
}

/// The last segment.
pub fn basename(p: &[u8]) -> &[u8] {
    p.iter()
        .rposition(|&b| b == b'/')
        .map_or(p, |i| &p[i + 1..])
}

/// The path, then each of its parents up to the top-level one.
pub fn ancestors(p: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::successors(Some(p), |q| {
        let up = parent(q);
        (!up.is_empty()).then_some(up)
    })
    .filter(|q| !q.is_empty())
}

/// The bytes as a path, to join onto the context root.
pub fn as_path(p: &[u8]) -> &Path {
    use std::os::unix::ffi::OsStrExt;
    Path::new(std::ffi::OsStr::from_bytes(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors_from_the_path_up() {
        let all: Vec<&[u8]> = ancestors(b"a/b/c").collect();
        assert_eq!(all, [&b"a/b/c"[..], b"a/b", b"a"]);
        assert_eq!(ancestors(b"").count(), 0);
    }

    #[test]
    fn parts() {
        assert_eq!(parent(b"a/b/c"), b"a/b");
        assert_eq!(parent(b"a"), b"");
        assert_eq!(basename(b"a/b/c"), b"c");
        assert_eq!(basename(b"c"), b"c");
    }
}
