//! Reading a `.dockerignore` file into pattern lines, as Docker's
//! `ignorefile.ReadAll` does (spec §1), plus the byte-level helpers that
//! reading shares with compiling (`trim_space`, `go_clean`).
//!
//! This module knows nothing about matching; it only turns bytes into
//! numbered pattern strings.

/// Longest line Docker's reader accepts (Go's `bufio.MaxScanTokenSize` minus
/// the newline): a longer line fails the build.
pub const MAX_LINE: usize = 64 * 1024 - 1;

/// One pattern line as Docker's reader produces it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawPattern {
    /// 1-based line number in the file.
    pub line: usize,
    /// The line as written (without its line ending and, on line 1, the BOM).
    pub original: Vec<u8>,
    /// What `ReadAll` returns for the line: trimmed, cleaned, leading `/`
    /// removed, with a leading `!` for exceptions.
    pub pattern: Vec<u8>,
}

/// Why a file could not be read as a list of patterns at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    /// A line longer than 64 KiB (Docker: `bufio.Scanner: token too long`).
    LineTooLong {
        /// 1-based line number.
        line: usize,
        /// Its length in bytes.
        len: usize,
    },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::LineTooLong { line, len } => write!(
                f,
                "line {line}: line is {len} bytes long; Docker rejects lines over \
                 65535 bytes (bufio.Scanner: token too long)"
            ),
        }
    }
}

/// Splits `data` into lines the way Go's `bufio.ScanLines` does: at `\n`,
/// dropping one `\r` before it (or at the very end of the data).
pub fn split_lines(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    if data.is_empty() {
        return out;
    }
    let mut rest = data;
    loop {
        match rest.iter().position(|&b| b == b'\n') {
            Some(i) => {
                out.push(drop_cr(&rest[..i]));
                rest = &rest[i + 1..];
                if rest.is_empty() {
                    break;
                }
            }
            None => {
                out.push(drop_cr(rest));
                break;
            }
        }
    }
    out
}

fn drop_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Reads an ignore file's bytes into patterns, exactly as Docker's
/// `ignorefile.ReadAll`: BOM on the first line, `#` comments in column one,
/// whitespace trimming, `!` exceptions, `filepath.Clean`, one leading `/`
/// removed.
pub fn read_patterns(data: &[u8]) -> Result<Vec<RawPattern>, ReadError> {
    let mut out = Vec::new();
    for (i, raw) in split_lines(data).into_iter().enumerate() {
        let line = i + 1;
        // bufio.Scanner counts the `\r` it later drops against its limit.
        let full_len = raw.len() + usize::from(has_cr_at(data, raw));
        if full_len > MAX_LINE {
            return Err(ReadError::LineTooLong {
                line,
                len: full_len,
            });
        }
        let mut bytes = raw;
        if i == 0 {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        if let Some(pattern) = read_line(bytes) {
            out.push(RawPattern {
                line,
                original: bytes.to_vec(),
                pattern,
            });
        }
    }
    Ok(out)
}

// Whether the line slice was followed by a `\r` that `drop_cr` removed.
fn has_cr_at(data: &[u8], line: &[u8]) -> bool {
    let start = line.as_ptr() as usize - data.as_ptr() as usize;
    data.get(start + line.len()) == Some(&b'\r')
}

/// Reads an ignore file's bytes as Podman and Buildah do (imagebuilder's
/// `ParseIgnore`, then the trimming of containers/storage's matcher; spec
/// §8.2 steps 1–4): lines split at `\n` only, a line dropped when empty or
/// when its first byte is `#`, **all** leading and trailing `/` removed
/// before whitespace is trimmed, no BOM handling, no length limit.
///
/// The returned `pattern` is trimmed but not cleaned: the matcher cleans it
/// with its leading `!` (steps 5–6, [`super::Matcher::for_builder`]).
/// `original` is the line without a trailing `\r`.
pub fn read_patterns_podman(data: &[u8]) -> Vec<RawPattern> {
    let mut out = Vec::new();
    for (i, raw) in data.split(|&b| b == b'\n').enumerate() {
        if raw.is_empty() || raw[0] == b'#' {
            continue;
        }
        let start = raw.iter().position(|&b| b != b'/').unwrap_or(raw.len());
        let end = raw
            .iter()
            .rposition(|&b| b != b'/')
            .map_or(start, |e| e + 1);
        let pattern = trim_space(&raw[start..end.max(start)]);
        if pattern.is_empty() {
            continue;
        }
        out.push(RawPattern {
            line: i + 1,
            original: raw.strip_suffix(b"\r").unwrap_or(raw).to_vec(),
            pattern: pattern.to_vec(),
        });
    }
    out
}

/// Processes one line (after BOM removal) into its `ReadAll` form, or `None`
/// for comments and blank lines.
pub fn read_line(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.first() == Some(&b'#') {
        return None;
    }
    let mut pattern = trim_space(bytes);
    if pattern.is_empty() {
        return None;
    }
    let invert = pattern[0] == b'!';
    if invert {
        pattern = trim_space(&pattern[1..]);
    }
    let mut out = Vec::with_capacity(pattern.len() + 1);
    if invert {
        out.push(b'!');
    }
    if !pattern.is_empty() {
        let mut cleaned = go_clean(pattern);
        if cleaned.len() > 1 && cleaned[0] == b'/' {
            cleaned.remove(0);
        }
        out.extend_from_slice(&cleaned);
    }
    Some(out)
}

/// Go's `strings.TrimSpace` on bytes: Unicode White_Space at both ends;
/// stops at invalid UTF-8.
pub fn trim_space(mut s: &[u8]) -> &[u8] {
    while let Some((c, n)) = first_char(s) {
        if !c.is_whitespace() {
            break;
        }
        s = &s[n..];
    }
    while let Some((c, n)) = last_char(s) {
        if !c.is_whitespace() {
            break;
        }
        s = &s[..s.len() - n];
    }
    s
}

fn first_char(s: &[u8]) -> Option<(char, usize)> {
    let b = *s.first()?;
    if b < 0x80 {
        return Some((b as char, 1));
    }
    let n = utf8_len(b)?;
    let c = std::str::from_utf8(s.get(..n)?).ok()?.chars().next()?;
    Some((c, n))
}

fn last_char(s: &[u8]) -> Option<(char, usize)> {
    let b = *s.last()?;
    if b < 0x80 {
        return Some((b as char, 1));
    }
    for n in 2..=4.min(s.len()) {
        if let Ok(t) = std::str::from_utf8(&s[s.len() - n..]) {
            return t.chars().next().map(|c| (c, n));
        }
    }
    None
}

fn utf8_len(b: u8) -> Option<usize> {
    match b {
        0xC2..=0xDF => Some(2),
        0xE0..=0xEF => Some(3),
        0xF0..=0xF4 => Some(4),
        _ => None,
    }
}

/// Go's `path/filepath.Clean` for `/` separators, on bytes.
pub fn go_clean(path: &[u8]) -> Vec<u8> {
    if path.is_empty() {
        return b".".to_vec();
    }
    let rooted = path[0] == b'/';
    let n = path.len();
    let mut out: Vec<u8> = Vec::with_capacity(n);
    let mut r = 0;
    let mut dotdot = 0;
    if rooted {
        out.push(b'/');
        r = 1;
        dotdot = 1;
    }
    while r < n {
        if path[r] == b'/' || (path[r] == b'.' && (r + 1 == n || path[r + 1] == b'/')) {
            r += 1;
        } else if path[r] == b'.' && path[r + 1] == b'.' && (r + 2 == n || path[r + 2] == b'/') {
            r += 2;
            if out.len() > dotdot {
                let mut w = out.len() - 1;
                while w > dotdot && out[w] != b'/' {
                    w -= 1;
                }
                out.truncate(w);
            } else if !rooted {
                if !out.is_empty() {
                    out.push(b'/');
                }
                out.extend_from_slice(b"..");
                dotdot = out.len();
            }
        } else {
            if (rooted && out.len() != 1) || (!rooted && !out.is_empty()) {
                out.push(b'/');
            }
            while r < n && path[r] != b'/' {
                out.push(path[r]);
                r += 1;
            }
        }
    }
    if out.is_empty() {
        out.push(b'.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! clean {
        ($($input:expr => $want:expr,)*) => {$(
            assert_eq!(
                String::from_utf8(go_clean($input.as_bytes())).unwrap(),
                $want,
                "clean({:?})",
                $input
            );
        )*};
    }

    #[test]
    fn clean_matches_go() {
        clean! {
            "" => ".",
            "abc" => "abc",
            "abc/def" => "abc/def",
            "a/b/c" => "a/b/c",
            "." => ".",
            ".." => "..",
            "../.." => "../..",
            "../../abc" => "../../abc",
            "/abc" => "/abc",
            "/" => "/",
            "abc/" => "abc",
            "abc/def/" => "abc/def",
            "/abc/" => "/abc",
            "abc//def//ghi" => "abc/def/ghi",
            "//abc" => "/abc",
            "abc//" => "abc",
            "abc/./def" => "abc/def",
            "/./abc/def" => "/abc/def",
            "abc/." => "abc",
            "abc/def/ghi/../jkl" => "abc/def/jkl",
            "abc/def/../ghi/../jkl" => "abc/jkl",
            "abc/def/.." => "abc",
            "abc/def/../.." => ".",
            "/abc/def/../.." => "/",
            "abc/def/../../.." => "..",
            "/abc/def/../../.." => "/",
            "abc/def/../../../ghi/jkl/../../../mno" => "../../mno",
            "/../abc" => "/abc",
            "abc/./../def" => "def",
            "abc//./../def" => "def",
            "abc/../../././../def" => "../../def",
            "!/" => "!",
            "zz/../foo" => "foo",
        }
    }

    fn patterns(data: &str) -> Vec<String> {
        read_patterns(data.as_bytes())
            .unwrap()
            .into_iter()
            .map(|p| String::from_utf8(p.pattern).unwrap())
            .collect()
    }

    #[test]
    fn read_all_rules() {
        assert_eq!(
            patterns("\u{feff}a\r\n#c\n #d\n\n  b  \n"),
            ["a", "#d", "b"]
        );
        assert_eq!(
            patterns("! foo/\n!/bar\n/!baz\n/\n./x/\n"),
            ["!foo", "!bar", "!baz", "/", "x"]
        );
        assert_eq!(patterns("!\n!   \n!!x\n"), ["!", "!", "!!x"]);
        assert_eq!(patterns("a\rb\n"), ["a\rb"]);
        assert_eq!(patterns("x\r"), ["x"]);
        assert_eq!(patterns("\u{feff}#c\nz\u{feff}\n"), ["z\u{feff}"]);
        assert_eq!(patterns("a\n\u{feff}b\n"), ["a", "\u{feff}b"]);
        assert_eq!(patterns("foo\\ \n"), ["foo\\"]);
        assert_eq!(patterns("\u{a0}x\u{85}\n"), ["x"]);
    }

    fn podman(data: &str) -> Vec<String> {
        read_patterns_podman(data.as_bytes())
            .into_iter()
            .map(|p| String::from_utf8(p.pattern).unwrap())
            .collect()
    }

    #[test]
    fn podman_reading_rules() {
        // P1: whitespace before the `/` keeps it; P2: no trim after `!`
        // here (the matcher cleans); `/` stripped before whitespace.
        assert_eq!(
            podman("  /build\n! README.md\n//x//\nfoo /\n/\n\n#c\n #d\r\n"),
            ["/build", "! README.md", "x", "foo", "#d"]
        );
        // P4: no BOM handling; CRLF trimmed as whitespace; lone CR kept inside.
        assert_eq!(
            podman("\u{feff}/node_modules\r\na\rb\n"),
            ["\u{feff}/node_modules", "a\rb"]
        );
        // P5: no line limit.
        assert_eq!(podman(&"a".repeat(MAX_LINE + 10)).len(), 1);
        let lines: Vec<usize> = read_patterns_podman(b"a\n\n#x\nb")
            .iter()
            .map(|p| p.line)
            .collect();
        assert_eq!(lines, [1, 4]);
    }

    #[test]
    fn long_lines() {
        let ok = "a".repeat(MAX_LINE);
        assert!(read_patterns(ok.as_bytes()).is_ok());
        let bad = "a".repeat(MAX_LINE + 1);
        assert_eq!(
            read_patterns(bad.as_bytes()),
            Err(ReadError::LineTooLong {
                line: 1,
                len: MAX_LINE + 1
            })
        );
        let crlf = format!("{}\r\n", "a".repeat(MAX_LINE));
        assert!(read_patterns(crlf.as_bytes()).is_err());
    }

    #[test]
    fn trim_handles_invalid_utf8() {
        assert_eq!(trim_space(b" \xff "), b"\xff");
        assert_eq!(trim_space(b"\t\xe2\x80\x83x\xe3\x80\x80"), b"x");
    }
}
