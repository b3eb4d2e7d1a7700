//! Go's `path/filepath.Match`, ported on bytes, used only as Docker uses it:
//! `Match(pattern, ".")` decides whether a pattern is syntactically valid
//! (spec §2.1). Docker never uses its result for matching.

/// Returns `false` when Go's `filepath.Match(pattern, name)` returns
/// `ErrBadPattern`.
pub fn is_valid(pattern: &[u8]) -> bool {
    go_match(pattern, b".").is_ok()
}

/// Go's `filepath.Match(pattern, name)` as BuildKit uses it for `COPY`
/// wildcards: `false` also for a bad pattern.
pub fn matches(pattern: &[u8], name: &[u8]) -> bool {
    go_match(pattern, name).unwrap_or(false)
}

struct BadPattern;

fn go_match(mut pattern: &[u8], mut name: &[u8]) -> Result<bool, BadPattern> {
    'pattern: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(!name.contains(&b'/'));
        }
        let (t, ok, err) = match_chunk(chunk, name);
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if err {
            return Err(BadPattern);
        }
        if star {
            let mut i = 0;
            while i < name.len() && name[i] != b'/' {
                let (t, ok, err) = match_chunk(chunk, &name[i + 1..]);
                if ok {
                    if pattern.is_empty() && !t.is_empty() {
                        i += 1;
                        continue;
                    }
                    name = t;
                    continue 'pattern;
                }
                if err {
                    return Err(BadPattern);
                }
                i += 1;
            }
        }
        // Newer Go versions also check the rest of the pattern here; the
        // conformance vectors show Docker's check stops at the first chunk
        // that fails to match ".".
        return Ok(false);
    }
    Ok(name.is_empty())
}

fn scan_chunk(mut pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let mut star = false;
    while pattern.first() == Some(&b'*') {
        pattern = &pattern[1..];
        star = true;
    }
    let mut inrange = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' if i + 1 < pattern.len() => i += 1,
            b'[' => inrange = true,
            b']' => inrange = false,
            b'*' if !inrange => break,
            _ => {}
        }
        i += 1;
    }
    (star, &pattern[..i], &pattern[i..])
}

// Returns (rest, ok, bad_pattern).
fn match_chunk<'a>(mut chunk: &[u8], mut s: &'a [u8]) -> (&'a [u8], bool, bool) {
    let mut failed = false;
    while !chunk.is_empty() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match chunk[0] {
            b'[' => {
                let mut r = 0u32;
                if !failed {
                    let (c, n) = decode_rune(s);
                    r = c;
                    s = &s[n..];
                }
                chunk = &chunk[1..];
                let mut negated = false;
                if chunk.first() == Some(&b'^') {
                    negated = true;
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut nrange = 0;
                loop {
                    if chunk.first() == Some(&b']') && nrange > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let Some((lo, rest)) = get_esc(chunk) else {
                        return (b"", false, true);
                    };
                    chunk = rest;
                    let mut hi = lo;
                    if chunk[0] == b'-' {
                        let Some((h, rest)) = get_esc(&chunk[1..]) else {
                            return (b"", false, true);
                        };
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    nrange += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            b'?' => {
                if !failed {
                    if s[0] == b'/' {
                        failed = true;
                    }
                    let (_, n) = decode_rune(s);
                    s = &s[n..];
                }
                chunk = &chunk[1..];
            }
            c => {
                let mut c = c;
                if c == b'\\' {
                    chunk = &chunk[1..];
                    if chunk.is_empty() {
                        return (b"", false, true);
                    }
                    c = chunk[0];
                }
                if !failed {
                    if c != s[0] {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    if failed {
        return (b"", false, false);
    }
    (s, true, false)
}

// Go's getEsc: one (possibly escaped) rune of a class; None = ErrBadPattern.
fn get_esc(mut chunk: &[u8]) -> Option<(u32, &[u8])> {
    if chunk.is_empty() || chunk[0] == b'-' || chunk[0] == b']' {
        return None;
    }
    if chunk[0] == b'\\' {
        chunk = &chunk[1..];
        if chunk.is_empty() {
            return None;
        }
    }
    let (r, n) = decode_rune(chunk);
    if r == 0xFFFD && n == 1 {
        return None;
    }
    let rest = &chunk[n..];
    if rest.is_empty() {
        return None;
    }
    Some((r, rest))
}

/// Go's `utf8.DecodeRune`: invalid input decodes as U+FFFD of width 1.
pub(crate) fn decode_rune(s: &[u8]) -> (u32, usize) {
    let Some(&b) = s.first() else {
        return (0xFFFD, 0);
    };
    if b < 0x80 {
        return (u32::from(b), 1);
    }
    for n in 2..=4.min(s.len()) {
        if let Ok(t) = std::str::from_utf8(&s[..n]) {
            return (u32::from(t.chars().next().unwrap_or('\u{FFFD}')), n);
        }
    }
    (0xFFFD, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_check_as_docker() {
        for bad in [
            "[", "foo[", "[^", "[]", "x[]", "[^]", "[a-]x", "[-a]", "[]a]", "a\\", "foo\\", "[a",
            "[\\", "a[\\]", "[x-]", "*[",
        ] {
            assert!(!is_valid(bad.as_bytes()), "{bad:?} should be invalid");
        }
        for good in [
            "foo",
            "*",
            "**",
            "a/**/b",
            "[a]",
            "[^a]",
            "[!a]",
            "\\*",
            "[a-z]x",
            "[[:digit:]]",
            "a]",
            "f\\oo",
            "[z-a]",
            "*.md",
            "?",
            "[*]x",
            "\\[",
            "a*[",
            "!bang/*/[*/foo",
        ] {
            assert!(is_valid(good.as_bytes()), "{good:?} should be valid");
        }
    }
}
