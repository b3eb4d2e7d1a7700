//! A deliberately simple reference implementation of the `.dockerignore`
//! spec (`shared/spec/dockerignore.md` §1, §2, §3 and the classic28 /
//! `MatchesUsingParentResults` rule of §4), written from the spec text and
//! independent of `ctxsize::pattern`.
//!
//! It is defined only on a subset of inputs. Whatever it does not model
//! (regexp escapes of letters and digits, `{`/`}`/`|` outside a class in a
//! regexp-type pattern (live regexp syntax), malformed classes that
//! Go's `filepath.Match` check might or might not catch, trailing
//! backslashes, a BOM before a leading `**`, lines over 64 KiB) makes
//! [`Reference::from_bytes`] return [`Unsupported`], and the fuzz target
//! skips the input.
//!
//! Patterns of the regexp kind are translated token by token (spec §3) and
//! matched by a small memoised backtracking matcher on runes (Go decoding:
//! each invalid UTF-8 byte is one U+FFFD). Like Go's regexp with Perl flags,
//! `.` does not match `\n`, while negated classes and `[^/]` do.

use std::collections::HashMap;

/// The input is outside the subset the reference models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub &'static str);

/// One rule as the reference reads it.
#[derive(Debug, Clone)]
pub struct RefRule {
    /// 1-based line.
    pub line: usize,
    /// The cleaned pattern without the `!` of an exception.
    pub pattern: Vec<u8>,
    /// `!` rule.
    pub exception: bool,
    /// How it matches.
    pub kind: RefKind,
}

/// How a reference rule matches (spec §3).
#[derive(Debug, Clone)]
pub enum RefKind {
    Exact(Vec<u8>),
    Prefix(Vec<u8>),
    Suffix(Vec<u8>),
    Regex(Vec<Tok>),
    /// Passes the syntax check but Go's regexp cannot compile it (spec 2.3).
    Invalid,
}

impl RefKind {
    /// The name `ctxsize::pattern::Strategy::kind` uses.
    pub fn name(&self) -> &'static str {
        match self {
            RefKind::Exact(_) => "exact",
            RefKind::Prefix(_) => "prefix",
            RefKind::Suffix(_) => "suffix",
            RefKind::Regex(_) | RefKind::Invalid => "regexp",
        }
    }
}

/// A token of a translated regexp-kind pattern.
#[derive(Debug, Clone)]
pub enum Tok {
    /// One literal rune.
    Lit(char),
    /// `?` → `[^/]`
    NotSlash,
    /// `*` → `[^/]*`
    Star,
    /// `**` not at the end → `(.*/)?`
    DirStar,
    /// `**` at the end → `.*`
    DotStar,
    /// `^`: an anchor at the start of the text.
    Begin,
    /// `[...]` in Go regexp syntax.
    Class { negated: bool, items: Vec<ClassItem> },
}

/// One item of a bracket class.
#[derive(Debug, Clone)]
pub enum ClassItem {
    Range(char, char),
    Posix { name: &'static str, negated: bool },
}

/// The reference's view of a whole ignore file.
#[derive(Debug, Clone)]
pub struct Reference {
    /// Usable rules, in file order.
    pub rules: Vec<RefRule>,
    /// Lines rejected as a lone `!` (the only error the supported subset
    /// can produce).
    pub lone_bang_lines: Vec<usize>,
}

/// The reference decision for a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefDecision {
    pub excluded: bool,
    pub rule: Option<usize>,
    pub via_parent: bool,
}

// ---------------------------------------------------------------------------
// Runes, Go style.

/// Decodes bytes as Go ranges over a string: every byte that does not start
/// a valid UTF-8 sequence is one U+FFFD.
pub fn go_runes(s: &[u8]) -> Vec<char> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        match std::str::from_utf8(&s[i..]) {
            Ok(t) => {
                out.extend(t.chars());
                break;
            }
            Err(e) => {
                let good = e.valid_up_to();
                out.extend(
                    std::str::from_utf8(&s[i..i + good])
                        .expect("valid prefix")
                        .chars(),
                );
                out.push('\u{FFFD}');
                i += good + 1;
            }
        }
    }
    out
}

/// `(rune, byte length, is_valid)` for each rune of `s`, Go style.
fn runes_with_len(s: &[u8]) -> Vec<(char, usize, bool)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let end = (i + 4).min(s.len());
        let mut found = None;
        for n in 1..=end - i {
            if let Ok(t) = std::str::from_utf8(&s[i..i + n]) {
                found = Some((t.chars().next().expect("one char"), n));
                break;
            }
        }
        match found {
            Some((c, n)) => {
                out.push((c, n, true));
                i += n;
            }
            None => {
                out.push(('\u{FFFD}', 1, false));
                i += 1;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// §1 Reading.

/// Go's `strings.TrimSpace`: Unicode White_Space at both ends (Rust's
/// `char::is_whitespace` is the same property); an invalid byte stops it.
fn trim(s: &[u8]) -> &[u8] {
    let runes = runes_with_len(s);
    let mut start = 0;
    let mut lo = 0;
    while lo < runes.len() && runes[lo].2 && runes[lo].0.is_whitespace() {
        start += runes[lo].1;
        lo += 1;
    }
    let mut end = s.len();
    let mut hi = runes.len();
    while hi > lo && runes[hi - 1].2 && runes[hi - 1].0.is_whitespace() {
        end -= runes[hi - 1].1;
        hi -= 1;
    }
    &s[start..end]
}

/// Go's `filepath.Clean` with `/`, from its documented rules.
fn clean(p: &[u8]) -> Vec<u8> {
    if p.is_empty() {
        return b".".to_vec();
    }
    let rooted = p[0] == b'/';
    let mut stack: Vec<&[u8]> = Vec::new();
    for seg in p.split(|&b| b == b'/') {
        match seg {
            b"" | b"." => {}
            b".." => {
                if stack.last().is_some_and(|s| *s != b"..") {
                    stack.pop();
                } else if !rooted {
                    stack.push(seg);
                }
            }
            _ => stack.push(seg),
        }
    }
    let mut out = Vec::new();
    if rooted {
        out.push(b'/');
    }
    out.extend_from_slice(&stack.join(&b'/'));
    if out.is_empty() {
        out.push(b'.');
    }
    out
}

/// What `ReadAll` returns for one line (after BOM removal), or `None`.
fn read_line(line: &[u8]) -> Option<Vec<u8>> {
    if line.first() == Some(&b'#') {
        return None;
    }
    let p = trim(line);
    if p.is_empty() {
        return None;
    }
    let (bang, rest) = match p.strip_prefix(b"!") {
        Some(r) => (true, trim(r)),
        None => (false, p),
    };
    let mut out = Vec::new();
    if bang {
        out.push(b'!');
    }
    if !rest.is_empty() {
        let mut c = clean(rest);
        if c.len() > 1 && c[0] == b'/' {
            c.remove(0);
        }
        out.extend_from_slice(&c);
    }
    Some(out)
}

impl Reference {
    /// Reads and compiles an ignore file (spec §1 and §2).
    pub fn from_bytes(data: &[u8]) -> Result<Reference, Unsupported> {
        // Lines: split at `\n`; a `\r` before `\n` or at the very end goes.
        let mut lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
        if data.ends_with(b"\n") || data.is_empty() {
            lines.pop();
        }
        let mut rules = Vec::new();
        let mut lone_bang_lines = Vec::new();
        for (i, mut line) in lines.into_iter().enumerate() {
            // Every line was followed by `\n` or is the last one, so one
            // `\r` at its end goes either way.
            line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.len() > 60_000 {
                return Err(Unsupported("long line"));
            }
            if i == 0 {
                line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
            }
            let Some(p) = read_line(line) else { continue };
            // patternmatcher.New: trim, clean, `!`.
            let p = trim(&p);
            if p.is_empty() {
                continue;
            }
            let p = clean(p);
            let (exception, pattern) = if p[0] == b'!' {
                if p.len() == 1 {
                    lone_bang_lines.push(i + 1);
                    continue;
                }
                (true, p[1..].to_vec())
            } else {
                (false, p)
            };
            let kind = compile(&pattern)?;
            rules.push(RefRule {
                line: i + 1,
                pattern,
                exception,
                kind,
            });
        }
        Ok(Reference {
            rules,
            lone_bang_lines,
        })
    }

    /// classic28's decision for `path` (spec §4, `MatchesUsingParentResults`),
    /// computed directory by directory from the root. `Err(i)` when the walk
    /// evaluates rule `i`, which cannot be compiled.
    pub fn decide(&self, path: &[u8]) -> Result<RefDecision, usize> {
        let segments: Vec<&[u8]> = path.split(|&b| b == b'/').collect();
        // applied[i]: rule i applied to the parent directory.
        let mut applied = vec![false; self.rules.len()];
        let mut decision = RefDecision {
            excluded: false,
            rule: None,
            via_parent: false,
        };
        for depth in 1..=segments.len() {
            let prefix = segments[..depth].join(&b'/');
            let mut now = vec![false; self.rules.len()];
            let mut d = RefDecision {
                excluded: false,
                rule: None,
                via_parent: false,
            };
            for (i, rule) in self.rules.iter().enumerate() {
                let applies;
                let via_parent;
                if applied[i] {
                    applies = true;
                    via_parent = true;
                } else {
                    // A plain pattern is only tried while the path is not
                    // excluded, an exception only while it is.
                    if rule.exception != d.excluded {
                        continue;
                    }
                    applies = matches(&rule.kind, &prefix).map_err(|()| i)?;
                    via_parent = false;
                }
                if applies {
                    now[i] = true;
                    d = RefDecision {
                        excluded: !rule.exception,
                        rule: Some(i),
                        via_parent,
                    };
                }
            }
            applied = now;
            decision = d;
        }
        Ok(decision)
    }
}

// ---------------------------------------------------------------------------
// §3 Translating one pattern.

fn has_special(s: &[u8]) -> bool {
    s.iter().any(|b| matches!(b, b'*' | b'?' | b'[' | b']' | b'\\'))
}

/// Compiles a cleaned pattern (no `!`).
pub fn compile(p: &[u8]) -> Result<RefKind, Unsupported> {
    if !has_special(p) {
        return Ok(RefKind::Exact(p.to_vec()));
    }
    if p.starts_with(b"**") && !has_special(&p[2..]) {
        return Ok(RefKind::Suffix(p[2..].to_vec()));
    }
    if p.ends_with(b"**") && !has_special(&p[..p.len() - 2]) {
        if p.starts_with("\u{feff}".as_bytes()) && p.len() == 5 {
            return Err(Unsupported("BOM then **"));
        }
        return Ok(RefKind::Prefix(p[..p.len() - 2].to_vec()));
    }
    let mut r = go_runes(p);
    if r.first() == Some(&'\u{feff}') {
        if r.get(1) == Some(&'*') && r.get(2) == Some(&'*') {
            return Err(Unsupported("BOM then **"));
        }
        r.remove(0);
    }
    let mut toks = Vec::new();
    let mut invalid = false;
    let mut i = 0;
    while i < r.len() {
        let c = r[i];
        i += 1;
        match c {
            '*' => {
                if r.get(i) == Some(&'*') {
                    i += 1;
                    if r.get(i) == Some(&'/') {
                        i += 1;
                    }
                    toks.push(if i == r.len() { Tok::DotStar } else { Tok::DirStar });
                } else {
                    toks.push(Tok::Star);
                }
            }
            '?' => toks.push(Tok::NotSlash),
            '^' => toks.push(Tok::Begin),
            '{' | '}' | '|' => return Err(Unsupported("{, } or | is live regexp syntax")),
            '\\' => {
                let Some(&e) = r.get(i) else {
                    return Err(Unsupported("trailing backslash"));
                };
                i += 1;
                if e.is_ascii_alphanumeric() {
                    return Err(Unsupported("escaped letter or digit"));
                } else if e.is_ascii() {
                    toks.push(Tok::Lit(e));
                } else {
                    // Go: invalid escape sequence.
                    invalid = true;
                }
            }
            '[' => {
                let (tok, n, bad) = class(&r[i..])?;
                invalid |= bad;
                toks.push(tok);
                i += n;
            }
            // `]` outside a class, `. + ( ) $` and everything else.
            c => toks.push(Tok::Lit(c)),
        }
    }
    if invalid {
        Ok(RefKind::Invalid)
    } else {
        Ok(RefKind::Regex(toks))
    }
}

const POSIX: &[&str] = &[
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// One plain class character (`\` + ASCII punctuation, or a rune that needs
/// no care). Returns (rune, consumed).
fn class_char(r: &[char]) -> Result<(char, usize), Unsupported> {
    match r.first() {
        None => Err(Unsupported("unterminated class")),
        Some('\\') => match r.get(1) {
            Some(&e) if e.is_ascii() && !e.is_ascii_alphanumeric() => Ok((e, 2)),
            _ => Err(Unsupported("escape in class")),
        },
        Some('*' | '?' | '{' | '}' | '[' | '-' | ']') => Err(Unsupported("class character")),
        Some(&c) => Ok((c, 1)),
    }
}

/// Parses a class after its `[`. Returns (token, consumed, invalid).
fn class(r: &[char]) -> Result<(Tok, usize, bool), Unsupported> {
    let mut i = 0;
    let mut negated = false;
    if r.first() == Some(&'^') {
        negated = true;
        i = 1;
    }
    let mut items = Vec::new();
    let mut invalid = false;
    loop {
        match r.get(i) {
            None => return Err(Unsupported("unterminated class")),
            Some(']') if !items.is_empty() => {
                i += 1;
                break;
            }
            Some('[') if r.get(i + 1) == Some(&':') => {
                // [:name:] or [:^name:], and it must end the class (so that
                // filepath.Match's view of the brackets stays harmless).
                let rest: String = r[i + 2..].iter().collect();
                let (neg, rest) = match rest.strip_prefix('^') {
                    Some(x) => (true, x),
                    None => (false, rest.as_str()),
                };
                let Some(&name) = POSIX.iter().find(|n| {
                    rest.starts_with(**n) && rest[n.len()..].starts_with(":]]")
                }) else {
                    return Err(Unsupported("posix class"));
                };
                items.push(ClassItem::Posix {
                    name,
                    negated: neg,
                });
                i += 2 + usize::from(neg) + name.len() + 2;
            }
            Some(_) => {
                let (lo, n) = class_char(&r[i..])?;
                i += n;
                let mut hi = lo;
                if r.get(i) == Some(&'-') {
                    let (h, n) = class_char(&r[i + 1..])?;
                    hi = h;
                    i += 1 + n;
                    if hi < lo {
                        invalid = true;
                    }
                }
                items.push(ClassItem::Range(lo, hi));
            }
        }
    }
    Ok((Tok::Class { negated, items }, i, invalid))
}

fn posix(name: &str, c: char) -> bool {
    let c = c as u32;
    let in_ = |lo: u8, hi: u8| (lo as u32..=hi as u32).contains(&c);
    match name {
        "alnum" => in_(b'0', b'9') || in_(b'A', b'Z') || in_(b'a', b'z'),
        "alpha" => in_(b'A', b'Z') || in_(b'a', b'z'),
        "ascii" => c <= 0x7F,
        "blank" => c == 9 || c == 32,
        "cntrl" => c <= 0x1F || c == 0x7F,
        "digit" => in_(b'0', b'9'),
        "graph" => in_(b'!', b'~'),
        "lower" => in_(b'a', b'z'),
        "print" => in_(b' ', b'~'),
        "punct" => in_(b'!', b'/') || in_(b':', b'@') || in_(b'[', b'`') || in_(b'{', b'~'),
        "space" => in_(9, 13) || c == 32,
        "upper" => in_(b'A', b'Z'),
        "word" => in_(b'0', b'9') || in_(b'A', b'Z') || in_(b'a', b'z') || c == u32::from(b'_'),
        "xdigit" => in_(b'0', b'9') || in_(b'A', b'F') || in_(b'a', b'f'),
        _ => unreachable!("unknown posix class"),
    }
}

fn class_has(negated: bool, items: &[ClassItem], c: char) -> bool {
    let hit = items.iter().any(|it| match *it {
        ClassItem::Range(lo, hi) => lo <= c && c <= hi,
        ClassItem::Posix { name, negated } => posix(name, c) != negated,
    });
    hit != negated
}

/// Does a rule match `path`? `Err(())` for a pattern Go cannot compile.
pub fn matches(kind: &RefKind, path: &[u8]) -> Result<bool, ()> {
    Ok(match kind {
        RefKind::Exact(p) => path == &p[..],
        RefKind::Prefix(p) => path.starts_with(p),
        RefKind::Suffix(s) => path.ends_with(s) || (s.first() == Some(&b'/') && path == &s[1..]),
        RefKind::Regex(toks) => {
            let runes = go_runes(path);
            let mut memo = HashMap::new();
            match_at(toks, 0, &runes, 0, &mut memo)
        }
        RefKind::Invalid => return Err(()),
    })
}

/// Anchored backtracking: do `toks[t..]` match exactly `s[i..]`?
fn match_at(
    toks: &[Tok],
    t: usize,
    s: &[char],
    i: usize,
    memo: &mut HashMap<(usize, usize), bool>,
) -> bool {
    if let Some(&m) = memo.get(&(t, i)) {
        return m;
    }
    let result = if t == toks.len() {
        i == s.len()
    } else {
        match &toks[t] {
            Tok::Lit(c) => s.get(i) == Some(c) && match_at(toks, t + 1, s, i + 1, memo),
            Tok::NotSlash => {
                s.get(i).is_some_and(|&c| c != '/') && match_at(toks, t + 1, s, i + 1, memo)
            }
            Tok::Class { negated, items } => {
                s.get(i).is_some_and(|&c| class_has(*negated, items, c))
                    && match_at(toks, t + 1, s, i + 1, memo)
            }
            Tok::Begin => i == 0 && match_at(toks, t + 1, s, i, memo),
            Tok::Star => {
                // Any run of non-`/` runes.
                let mut j = i;
                loop {
                    if match_at(toks, t + 1, s, j, memo) {
                        break true;
                    }
                    if j < s.len() && s[j] != '/' {
                        j += 1;
                    } else {
                        break false;
                    }
                }
            }
            Tok::DotStar => {
                // Any run of runes other than `\n`.
                let mut j = i;
                loop {
                    if match_at(toks, t + 1, s, j, memo) {
                        break true;
                    }
                    if j < s.len() && s[j] != '\n' {
                        j += 1;
                    } else {
                        break false;
                    }
                }
            }
            Tok::DirStar => {
                // Nothing, or a run of non-`\n` runes ending in `/`.
                if match_at(toks, t + 1, s, i, memo) {
                    true
                } else {
                    let mut j = i;
                    let mut found = false;
                    while j < s.len() && s[j] != '\n' {
                        if s[j] == '/' && match_at(toks, t + 1, s, j + 1, memo) {
                            found = true;
                            break;
                        }
                        j += 1;
                    }
                    found
                }
            }
        }
    };
    memo.insert((t, i), result);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        matches(&compile(pattern.as_bytes()).unwrap(), path.as_bytes()).unwrap()
    }

    #[test]
    fn spec_examples() {
        let cases: &[(&str, &str, bool)] = &[
            ("foo", "foo", true),
            ("foo", "foo/x", false),
            ("a^b", "a^b", true),
            ("a+b", "a+b", true),
            ("foo**", "foobar/x", true),
            ("foo/**", "foo", false),
            ("foo/**", "foo/a", true),
            ("**foo", "x/barfoo", true),
            ("**/foo", "foo", true),
            ("**/foo", "a/b/foo", true),
            ("a/**/b", "a/b", true),
            ("a/**/b", "a/x/y/b", true),
            ("a**b", "ab", true),
            ("a**b", "ax/b", true),
            ("a**b", "axb", false),
            ("*", "a/b", false),
            ("[^a]", "b", true),
            ("[!a]", "!", true),
            ("[!a]", "b", false),
            ("a[^x]b", "a/b", true),
            ("[[:digit:]]x", "1x", true),
            ("\\*", "*", true),
            ("a^*", "a", false),
            ("^foo*", "foobar", true),
            ("^foo*", "^foobar", false),
            ("*", ".hidden", true),
            ("\u{feff}y*", "y1", true),
            ("\u{feff}y", "y", false),
            ("a*/**", "ab/c\nd", false),
            ("a/**", "a/c\nd", true),
            ("a?", "a\n", true),
        ];
        for &(p, path, want) in cases {
            assert_eq!(m(p, path), want, "{p:?} {path:?}");
        }
    }

    #[test]
    fn parent_results() {
        let r = Reference::from_bytes(b"a/*.txt\n!a\n").unwrap();
        assert!(r.decide(b"a/x.txt").unwrap().excluded);
        let r = Reference::from_bytes(b"*\n!*.md\n").unwrap();
        assert!(r.decide(b"a/README.md").unwrap().excluded);
        let r = Reference::from_bytes(b"x\n![z-a]\n").unwrap();
        assert!(!r.decide(b"y").unwrap().excluded);
        assert_eq!(r.decide(b"x"), Err(1));
    }

    #[test]
    fn reading() {
        let r = Reference::from_bytes(b"\xef\xbb\xbfa\r\n#c\n #d\n! /x/\n/!y\n!\n/ z\n").unwrap();
        let got: Vec<_> = r
            .rules
            .iter()
            .map(|r| (r.exception, String::from_utf8(r.pattern.clone()).unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                (false, "a".into()),
                (false, "#d".into()),
                (true, "x".into()),
                (true, "y".into()),
                (false, "z".into())
            ]
        );
        assert_eq!(r.lone_bang_lines, [6]);
    }
}
