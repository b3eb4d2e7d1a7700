//! Turning one cleaned pattern into a match strategy, exactly as Docker's
//! `patternmatcher` does (spec §3): exact, prefix and suffix patterns are
//! plain byte comparisons; everything else becomes a Go regular expression.
//!
//! Docker hands that expression to Go's `regexp` package. Rust's `regex`
//! crate has a different syntax (nested classes, `\<`, Unicode `\d`, no
//! `\Q…\E`), so the Go expression is parsed here, following Go's parser, and
//! re-emitted as an equivalent `regex` expression. Both engines run in
//! linear time.

use regex::bytes::Regex;

/// How a pattern is matched against a path.
#[derive(Clone, Debug)]
pub enum Strategy {
    /// The path equals the pattern.
    Exact(Box<[u8]>),
    /// The path starts with the text (the pattern minus its final `**`).
    Prefix(Box<[u8]>),
    /// The path ends with the text (the pattern minus its leading `**`), or
    /// the text is `/x` and the path is `x`.
    Suffix(Box<[u8]>),
    /// A compiled expression, matched against the path read as Go reads
    /// strings (each invalid UTF-8 byte is U+FFFD).
    Regex(Regex),
    /// The expression Go would reject; evaluating the pattern fails the
    /// build (spec §2.3). The text says why.
    Invalid(String),
}

impl Strategy {
    /// Compiles a cleaned pattern (no leading `!`).
    pub fn new(pattern: &[u8]) -> Strategy {
        let chars = go_runes(pattern);
        let mut kind = Kind::Exact;
        let mut re: Vec<char> = vec!['^'];
        let mut i = 0;
        let mut first = true;
        // text/scanner drops a BOM at the very start of the input.
        if chars.first() == Some(&'\u{feff}') {
            i = 1;
        }
        while i < chars.len() {
            let ch = chars[i];
            i += 1;
            if ch == '*' {
                if chars.get(i) == Some(&'*') {
                    i += 1;
                    if chars.get(i) == Some(&'/') {
                        i += 1;
                    }
                    if i == chars.len() {
                        if kind == Kind::Exact {
                            kind = Kind::Prefix;
                        } else {
                            re.push('.');
                            re.push('*');
                            kind = Kind::Regex;
                        }
                    } else {
                        re.extend("(.*/)?".chars());
                        kind = Kind::Regex;
                    }
                    if first {
                        kind = Kind::Suffix;
                    }
                } else {
                    re.extend("[^/]*".chars());
                    kind = Kind::Regex;
                }
            } else if ch == '?' {
                re.extend("[^/]".chars());
                kind = Kind::Regex;
            } else if matches!(ch, '.' | '+' | '(' | ')' | '$') {
                // Docker means to escape `|`, `{` and `}` too, but its
                // escape table drops every byte from 64 up: they reach the
                // regexp engine live (spec §3).
                re.push('\\');
                re.push(ch);
            } else if ch == '\\' {
                if i < chars.len() {
                    re.push('\\');
                    re.push(chars[i]);
                    i += 1;
                    kind = Kind::Regex;
                } else {
                    re.push('\\');
                }
            } else if ch == '[' || ch == ']' {
                re.push(ch);
                kind = Kind::Regex;
            } else {
                re.push(ch);
            }
            first = false;
        }
        match kind {
            Kind::Exact => Strategy::Exact(pattern.into()),
            Kind::Prefix => Strategy::Prefix(pattern[..pattern.len() - 2].into()),
            Kind::Suffix => Strategy::Suffix(pattern.get(2..).unwrap_or_default().into()),
            Kind::Regex => {
                re.push('$');
                match compile_go(&re) {
                    Ok(r) => Strategy::Regex(r),
                    Err(e) => Strategy::Invalid(e),
                }
            }
        }
    }

    /// Compiles a cleaned pattern (no leading `!`) as Podman and Buildah do
    /// (spec §8.3, Docker 20.10's translation): no exact, prefix or suffix
    /// shortcuts, only `.` and `$` escaped, a leading U+FEFF dropped, and the
    /// expression `^` + translation + `(/.*)?$`, so that a pattern matches a
    /// path or any of its ancestors.
    ///
    /// Returns the strategy and whether it is the pattern's *own* form:
    /// when `true`, the strategy is `^` + translation + `$` (a plain
    /// [`Strategy::Exact`] when the pattern has no regexp syntax), which
    /// matches the path itself only, and a match of a directory carries to
    /// everything below it whose names have no newline (the `(/.*)?$`
    /// suffix, whose `.` stops at a newline). When `false` (a `|`, `\z` or
    /// `\Q` in the pattern, which make the suffix bind differently, or an
    /// expression that does not compile) the strategy is the whole
    /// expression and must be evaluated on every path.
    pub fn podman(pattern: &[u8]) -> (Strategy, bool) {
        let mut chars = go_runes(pattern);
        // text/scanner drops a BOM at the very start of the input (T4).
        if chars.first() == Some(&'\u{feff}') {
            chars.remove(0);
        }
        let literal = std::str::from_utf8(pattern).is_ok()
            && !chars.iter().any(|c| {
                matches!(
                    c,
                    '*' | '?'
                        | '\\'
                        | '+'
                        | '('
                        | ')'
                        | '|'
                        | '['
                        | ']'
                        | '{'
                        | '}'
                        | '^'
                        | '\u{FFFD}'
                )
            });
        if literal {
            let text: String = chars.into_iter().collect();
            return (Strategy::Exact(text.into_bytes().into()), true);
        }
        let mut re: Vec<char> = vec!['^'];
        let mut own_form = !chars.contains(&'|');
        let mut i = 0;
        while i < chars.len() {
            let ch = chars[i];
            i += 1;
            match ch {
                '*' if chars.get(i) == Some(&'*') => {
                    i += 1;
                    if chars.get(i) == Some(&'/') {
                        i += 1;
                    }
                    if i == chars.len() {
                        re.extend(".*".chars());
                    } else {
                        re.extend("(.*/)?".chars());
                    }
                }
                '*' => re.extend("[^/]*".chars()),
                '?' => re.extend("[^/]".chars()),
                '.' | '$' => {
                    re.push('\\');
                    re.push(ch);
                }
                '\\' => {
                    re.push('\\');
                    if let Some(&next) = chars.get(i) {
                        own_form &= !matches!(next, 'z' | 'Q');
                        re.push(next);
                        i += 1;
                    }
                }
                c => re.push(c),
            }
        }
        let mut whole = re.clone();
        whole.extend("(/.*)?$".chars());
        let whole = match compile_go(&whole) {
            Ok(r) => r,
            Err(e) => return (Strategy::Invalid(e), false),
        };
        if own_form {
            re.push('$');
            if let Ok(own) = compile_go(&re) {
                return (Strategy::Regex(own), true);
            }
        }
        (Strategy::Regex(whole), false)
    }

    /// Does the pattern match `path` (relative, `/`-separated)?
    /// `Err` carries the reason for a pattern Docker cannot compile.
    pub fn matches(&self, path: &[u8]) -> Result<bool, &str> {
        Ok(match self {
            Strategy::Exact(p) => path == &p[..],
            Strategy::Prefix(p) => path.starts_with(p),
            Strategy::Suffix(s) => {
                path.ends_with(s) || (s.first() == Some(&b'/') && path == &s[1..])
            }
            Strategy::Regex(re) => {
                if std::str::from_utf8(path).is_ok() {
                    re.is_match(path)
                } else {
                    let lossy: String = go_runes(path).into_iter().collect();
                    re.is_match(lossy.as_bytes())
                }
            }
            Strategy::Invalid(why) => return Err(why),
        })
    }

    /// The short name of the strategy (`exact`, `prefix`, `suffix`, `regexp`).
    pub fn kind(&self) -> &'static str {
        match self {
            Strategy::Exact(_) => "exact",
            Strategy::Prefix(_) => "prefix",
            Strategy::Suffix(_) => "suffix",
            Strategy::Regex(_) | Strategy::Invalid(_) => "regexp",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Exact,
    Prefix,
    Suffix,
    Regex,
}

/// Decodes bytes as Go does when ranging over a string: each invalid byte is
/// one U+FFFD.
pub(crate) fn go_runes(s: &[u8]) -> Vec<char> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let (r, n) = super::gomatch::decode_rune(&s[i..]);
        out.push(char::from_u32(r).unwrap_or('\u{FFFD}'));
        i += n.max(1);
    }
    out
}

/// A Go expression, translated and compiled; `Err` says why Go or the
/// translation refuses it.
fn compile_go(re: &[char]) -> Result<Regex, String> {
    let rust = go_to_rust(re)?;
    Regex::new(&rust).map_err(|e| format!("unsupported expression: {e}"))
}

// ---------------------------------------------------------------------------
// Go regexp syntax (Perl flags: OneLine, ClassNL, PerlX, UnicodeGroups) to
// Rust `regex` syntax.

fn go_to_rust(s: &[char]) -> Result<String, String> {
    let mut out = String::with_capacity(s.len() * 2);
    let mut depth = 0usize;
    let mut i = 0;
    // Whether the last emitted item can take a repetition operator.
    let mut can_repeat = false;
    let mut last_was_repeat = false;
    while i < s.len() {
        let c = s[i];
        match c {
            '(' => {
                out.push_str("(?:");
                depth += 1;
                i += 1;
                can_repeat = false;
                last_was_repeat = false;
                continue;
            }
            ')' => {
                if depth == 0 {
                    return Err("unexpected ): unbalanced group".into());
                }
                depth -= 1;
                out.push(')');
                i += 1;
            }
            '*' | '?' | '+' => {
                if !can_repeat || last_was_repeat {
                    // Go: "missing argument to repetition operator" or
                    // "invalid nested repetition operator".
                    if last_was_repeat && c == '?' {
                        // non-greedy marker: allowed by Go (PerlX)
                        out.push('?');
                        i += 1;
                        last_was_repeat = false;
                        can_repeat = false;
                        continue;
                    }
                    return Err(format!("missing argument to repetition operator: {c}"));
                }
                out.push(c);
                i += 1;
                last_was_repeat = true;
                continue;
            }
            '{' if parse_repeat(&s[i..]).is_some() => {
                let (text, n, min, max) = parse_repeat(&s[i..]).unwrap_or_default();
                let max_n = max.unwrap_or(min);
                if !can_repeat || last_was_repeat {
                    return Err(format!("missing argument to repetition operator: {text}"));
                }
                if min > 1000 || max_n > 1000 || max_n < min {
                    return Err(format!("invalid repeat count: {text}"));
                }
                out.push_str(&text);
                i += n;
                last_was_repeat = true;
                continue;
            }
            '|' => {
                // Alternation: Go's `^` and `$` around the pattern then bind
                // to the outer branches only.
                out.push('|');
                i += 1;
                can_repeat = false;
                last_was_repeat = false;
                continue;
            }
            // Anchors are ordinary operands in Go: `^*` and `\z{2}` compile.
            '^' => {
                out.push('^');
                i += 1;
            }
            '$' => {
                out.push('$');
                i += 1;
            }
            '.' => {
                out.push('.');
                i += 1;
            }
            '[' => {
                let (class, n) = parse_class(&s[i..])?;
                out.push_str(&class);
                i += n;
            }
            '\\' => {
                let t = &s[i..];
                match t.get(1) {
                    None => return Err("trailing backslash at end of expression".into()),
                    Some('A') => {
                        out.push_str(r"\A");
                        i += 2;
                    }
                    Some('z') => {
                        out.push_str(r"\z");
                        i += 2;
                    }
                    Some('b') => {
                        out.push_str(r"(?-u:\b)");
                        i += 2;
                    }
                    Some('B') => {
                        out.push_str(r"(?-u:\B)");
                        i += 2;
                    }
                    Some('C') => return Err(r"invalid escape sequence: \C".into()),
                    Some('Q') => {
                        let rest = &t[2..];
                        let mut end = rest.len();
                        let mut skip = rest.len();
                        for k in 0..rest.len() {
                            if rest[k] == '\\' && rest.get(k + 1) == Some(&'E') {
                                end = k;
                                skip = k + 2;
                                break;
                            }
                        }
                        for &c in &rest[..end] {
                            push_literal(&mut out, c);
                        }
                        i += 2 + skip;
                        // An empty `\Q\E` pushes nothing: what came before
                        // stays the operand.
                        can_repeat = can_repeat || end > 0;
                        last_was_repeat = false;
                        continue;
                    }
                    Some('p') | Some('P') => {
                        let (cls, n) = parse_unicode_class(t)?;
                        out.push_str(&cls);
                        i += n;
                    }
                    Some(&d) if perl_class(d).is_some() => {
                        out.push('[');
                        out.push_str(perl_class(d).unwrap_or_default());
                        out.push(']');
                        i += 2;
                    }
                    Some(_) => {
                        let (r, n) = parse_escape(t)?;
                        push_literal(&mut out, r);
                        i += n;
                    }
                }
            }
            c => {
                push_literal(&mut out, c);
                i += 1;
            }
        }
        can_repeat = true;
        last_was_repeat = false;
    }
    if depth != 0 {
        return Err("missing closing ): unbalanced group".into());
    }
    Ok(out)
}

// Go's parseRepeat: `{n}`, `{n,}` or `{n,m}` at the start of `t`.
// Returns (text, consumed, min, max) with `None` for an open end.
fn parse_repeat(t: &[char]) -> Option<(String, usize, u32, Option<u32>)> {
    fn num(t: &[char], i: &mut usize) -> Option<u32> {
        let start = *i;
        while t.get(*i).is_some_and(|c| c.is_ascii_digit()) {
            *i += 1;
        }
        if *i == start {
            return None;
        }
        let digits: String = t[start..*i].iter().collect();
        Some(digits.parse::<u32>().unwrap_or(u32::MAX))
    }
    let mut i = 1;
    let min = num(t, &mut i)?;
    let max = if t.get(i) == Some(&',') {
        i += 1;
        if t.get(i) == Some(&'}') {
            None
        } else {
            Some(num(t, &mut i)?)
        }
    } else {
        Some(min)
    };
    if t.get(i) != Some(&'}') {
        return None;
    }
    i += 1;
    Some((t[..i].iter().collect(), i, min, max))
}

fn push_literal(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() {
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:X}}}", u32::from(c)));
    }
}

// Go's Perl classes are ASCII-only.
fn perl_class(c: char) -> Option<&'static str> {
    Some(match c {
        'd' => "0-9",
        'D' => "^0-9",
        's' => r"\t\n\x0C\r ",
        'S' => r"^\t\n\x0C\r ",
        'w' => "0-9A-Za-z_",
        'W' => "^0-9A-Za-z_",
        _ => return None,
    })
}

// The same sets, for use inside a bracket class (negated ones as nested
// negated classes).
fn perl_class_in_class(c: char) -> Option<&'static str> {
    Some(match c {
        'd' => "0-9",
        'D' => "[^0-9]",
        's' => r"\t\n\x0C\r ",
        'S' => r"[^\t\n\x0C\r ]",
        'w' => "0-9A-Za-z_",
        'W' => "[^0-9A-Za-z_]",
        _ => return None,
    })
}

// `\pL`, `\p{Greek}`, `\PL`, `\p{^Greek}`. Returns (rust, consumed).
fn parse_unicode_class(t: &[char]) -> Result<(String, usize), String> {
    let neg = t[1] == 'P';
    let Some(&c) = t.get(2) else {
        return Err("invalid character class range: \\p".into());
    };
    let (mut name, n): (String, usize) = if c == '{' {
        let Some(end) = t[3..].iter().position(|&c| c == '}') else {
            return Err("invalid character class range: unterminated \\p{".into());
        };
        (t[3..3 + end].iter().collect(), 4 + end)
    } else {
        (c.to_string(), 3)
    };
    let mut neg = neg;
    if let Some(rest) = name.strip_prefix('^') {
        neg = !neg;
        name = rest.to_string();
    }
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.starts_with(|c: char| c.is_ascii_uppercase());
    if !valid {
        return Err(format!("invalid character class range: \\p{{{name}}}"));
    }
    let rust = format!("\\{}{{{}}}", if neg { 'P' } else { 'p' }, name);
    if regex::Regex::new(&rust).is_err() {
        return Err(format!("invalid character class range: \\p{{{name}}}"));
    }
    Ok((rust, n))
}

// Go's parseEscape for a single-rune escape; `t` starts at the backslash.
fn parse_escape(t: &[char]) -> Result<(char, usize), String> {
    let invalid = |n: usize| {
        let text: String = t[..n.min(t.len())].iter().collect();
        Err(format!("invalid escape sequence: {text}"))
    };
    let Some(&c) = t.get(1) else {
        return Err("trailing backslash at end of expression".into());
    };
    let oct = |c: Option<&char>| c.is_some_and(|c| ('0'..='7').contains(c));
    match c {
        '1'..='7' if !oct(t.get(2)) => invalid(2),
        '0'..='7' => {
            let mut r = c as u32 - '0' as u32;
            let mut n = 2;
            while n < 4 && oct(t.get(n)) {
                r = r * 8 + (t[n] as u32 - '0' as u32);
                n += 1;
            }
            Ok((char::from_u32(r).unwrap_or('\u{FFFD}'), n))
        }
        'x' => {
            let Some(&c1) = t.get(2) else {
                return invalid(2);
            };
            if c1 == '{' {
                let mut r: u32 = 0;
                let mut n = 3;
                let mut nhex = 0;
                loop {
                    let Some(&c) = t.get(n) else {
                        return invalid(n);
                    };
                    n += 1;
                    if c == '}' {
                        break;
                    }
                    let Some(v) = c.to_digit(16) else {
                        return invalid(n);
                    };
                    r = r * 16 + v;
                    if r > 0x10FFFF {
                        return invalid(n);
                    }
                    nhex += 1;
                }
                if nhex == 0 {
                    return invalid(n);
                }
                return match char::from_u32(r) {
                    Some(ch) => Ok((ch, n)),
                    // Go accepts surrogates here; they can never match a path.
                    None => Ok(('\u{FFFF}', n)),
                };
            }
            let Some(&c2) = t.get(3) else {
                return invalid(3);
            };
            match (c1.to_digit(16), c2.to_digit(16)) {
                (Some(x), Some(y)) => Ok((char::from_u32(x * 16 + y).unwrap_or('\u{FFFD}'), 4)),
                _ => invalid(4),
            }
        }
        'a' => Ok(('\x07', 2)),
        'f' => Ok(('\x0C', 2)),
        'n' => Ok(('\n', 2)),
        'r' => Ok(('\r', 2)),
        't' => Ok(('\t', 2)),
        'v' => Ok(('\x0B', 2)),
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok((c, 2)),
        _ => invalid(2),
    }
}

const POSIX: &[&str] = &[
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

// Go's parseClass; `s` starts at `[`. Returns (rust class, consumed).
fn parse_class(s: &[char]) -> Result<(String, usize), String> {
    let mut i = 1;
    let mut out = String::from("[");
    if s.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    let mut items = 0usize;
    let mut first = true;
    loop {
        let Some(&c) = s.get(i) else {
            return Err("missing closing ]".into());
        };
        if c == ']' && !first {
            break;
        }
        first = false;
        // POSIX [:name:]
        if c == '[' && s.get(i + 1) == Some(&':') {
            let rest = &s[i + 2..];
            if let Some(end) =
                (0..rest.len().saturating_sub(1)).find(|&k| rest[k] == ':' && rest[k + 1] == ']')
            {
                let name: String = rest[..end].iter().collect();
                let base = name.strip_prefix('^').unwrap_or(&name);
                if !POSIX.contains(&base) {
                    return Err(format!("invalid character class range: [:{name}:]"));
                }
                out.push_str(&format!("[:{name}:]"));
                items += 1;
                i += 2 + end + 2;
                continue;
            }
        }
        if c == '\\' {
            match s.get(i + 1) {
                Some('p') | Some('P') => {
                    let (cls, n) = parse_unicode_class(&s[i..])?;
                    out.push_str(&cls);
                    items += 1;
                    i += n;
                    continue;
                }
                Some(&d) if perl_class_in_class(d).is_some() => {
                    out.push_str(perl_class_in_class(d).unwrap_or_default());
                    items += 1;
                    i += 2;
                    continue;
                }
                _ => {}
            }
        }
        let (lo, n) = class_char(&s[i..])?;
        i += n;
        let mut hi = lo;
        if s.get(i) == Some(&'-') && s.get(i + 1).is_some_and(|&c| c != ']') {
            let (h, n) = class_char(&s[i + 1..])?;
            hi = h;
            i += 1 + n;
            if hi < lo {
                return Err("invalid character class range".into());
            }
        }
        push_class_char(&mut out, lo);
        if hi != lo {
            out.push('-');
            push_class_char(&mut out, hi);
        }
        items += 1;
    }
    if items == 0 {
        // Go accepts an empty class only through negation of everything;
        // unreachable here because `first` forces one item.
        return Err("missing closing ]".into());
    }
    out.push(']');
    Ok((out, i + 1))
}

fn class_char(t: &[char]) -> Result<(char, usize), String> {
    match t.first() {
        None => Err("missing closing ]".into()),
        Some('\\') => parse_escape(t),
        Some(&c) => Ok((c, 1)),
    }
}

fn push_class_char(out: &mut String, c: char) {
    out.push_str(&format!("\\x{{{:X}}}", u32::from(c)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        Strategy::new(pattern.as_bytes())
            .matches(path.as_bytes())
            .unwrap()
    }

    fn invalid(pattern: &str) -> bool {
        matches!(Strategy::new(pattern.as_bytes()), Strategy::Invalid(_))
    }

    macro_rules! matches {
        ($($pat:expr, $path:expr => $want:expr;)*) => {$(
            assert_eq!(m($pat, $path), $want, "pattern {:?} path {:?}", $pat, $path);
        )*};
    }

    #[test]
    fn spec_section_3() {
        matches! {
            "foo", "foo" => true;
            "foo", "foo/x" => false;
            "a^b", "a^b" => true;
            "a+b", "a+b" => true;
            "foo**", "foobar/x" => true;
            "foo/**", "foo" => false;
            "foo/**", "foo/a" => true;
            "**foo", "x/barfoo" => true;
            "**.txt", "b/c.txt" => true;
            "**/foo", "foo" => true;
            "**/foo", "a/b/foo" => true;
            "a/**/b", "a/b" => true;
            "a/**/b", "a/x/y/b" => true;
            "a**b", "ab" => true;
            "a**b", "ax/b" => true;
            "a**b", "axb" => false;
            "*", "a" => true;
            "*", "a/b" => false;
            "?", "/" => false;
            "[^a]", "b" => true;
            "[!a]", "!" => true;
            "[!a]", "b" => false;
            "a[^x]b", "a/b" => true;
            "[[:digit:]]x", "1x" => true;
            "[*]x", "]x" => true;
            "[*]x", "*x" => false;
            "\\*", "*" => true;
            "file\\d", "file1" => true;
            "file\\d", "filed" => false;
            "a^*", "a" => false;
            "^foo*", "foobar" => true;
            "^foo*", "^foobar" => false;
            "*", ".hidden" => true;
            "\u{feff}y*", "y1" => true;
            "\u{feff}y", "y" => false;
            "(a|b)*", "(a|b)x" => true;
            "x{2}[.]txt", "xx.txt" => true;
            "x{2}[.]txt", "x{2}.txt" => false;
            "x{1,}?", "xxxa" => true;
            "\\x41*", "A" => true;
            "\\pL*", "é" => true;
            "a\\Qb*", "ab[^/]*$" => true;
            "a\\Qb*", "abc" => false;
            "\\<*", "<" => true;
            "[\\d]*", "7" => true;
            "[a\\]]*", "]" => true;
            "é*", "é" => true;
            "*", "\u{fffd}" => true;
            // `|`, `{`, `}` are live in regexp mode, literal otherwise.
            "*.txt|b*", "d/ab" => true;
            "*.txt|b*", "c.md" => false;
            "*|x", "a/x" => true;
            "a|b", "a|b" => true;
            "a|b", "a" => false;
            "a|b**", "a|bc" => true;
            "**a|b", "xa|b" => true;
            "x{2}*", "xx" => true;
            "x{2}*", "x{2}" => false;
            "x{2}", "x{2}" => true;
            // Go repeats anchors: `^{2}` compiles and matches the empty start.
            "{2}x*", "xy" => true;
        }
    }

    fn podman(pattern: &str) -> (Strategy, bool) {
        Strategy::podman(pattern.as_bytes())
    }

    #[test]
    fn podman_translation() {
        // (pattern, path, matches, own form): spec §8.3.
        for (pattern, path, want, own) in [
            ("foo", "foo", true, true),
            ("foo", "foo/x", false, true),
            ("a.b$c", "a.b$c", true, true),
            ("a.b", "axb", false, true),
            ("\u{feff}y", "y", true, true),
            ("\u{feff}y*", "y1", true, true),
            ("a+b.txt", "aab.txt", true, true),
            ("a+b.txt", "a+b.txt", false, true),
            ("(a|b).txt", "b.txt", true, false),
            ("x{1,2}", "xx", true, true),
            ("a^b", "a^b", false, true),
            ("**.pyc", "x.pyc", false, true),
            ("**.pyc", ".pyc", true, true),
            ("**/foo", "a/b/foo", true, true),
            ("**foo", "x/barfoo", false, true),
            ("foo**", "foobar/x", true, true),
            ("a**b", "axb", false, true),
            ("*", "a/b", false, true),
            // The whole expression: the suffix binds to the last branch.
            ("a|b", "a", true, false),
            ("a|b", "ab/c", true, false),
            ("a|b", "xb/c", true, false),
            ("a|b", "x", false, false),
            ("a\\zb", "a", false, false),
        ] {
            let (s, o) = podman(pattern);
            assert_eq!(o, own, "{pattern:?} own form");
            assert_eq!(
                s.matches(path.as_bytes()).unwrap(),
                want,
                "{pattern:?} on {path:?}"
            );
        }
        assert!(std::matches!(podman("foo").0, Strategy::Exact(_)));
        for bad in ["c++", "[z-a]", "\\g", "a)", "(a", "x{3,2}"] {
            assert!(
                std::matches!(podman(bad).0, Strategy::Invalid(_)),
                "{bad:?} should not compile"
            );
        }
        // Docker reads the same patterns as names.
        for ok in ["c++", "a)", "(a"] {
            assert!(std::matches!(
                Strategy::new(ok.as_bytes()),
                Strategy::Exact(_)
            ));
        }
    }

    #[test]
    fn invalid_expressions() {
        for p in [
            "[z-a]",
            "f\\oo",
            "\\g",
            "\\i",
            "\\e",
            "[[:foo:]]",
            "\\1*",
            "\\C*",
            "a\\8*",
            "x{1001}*",
            "x{3,2}*",
        ] {
            assert!(invalid(p), "{p:?} should not compile");
        }
        for p in ["\\01*", "\\x{41}*", "\\a*", "[\\w]*", "\\b*"] {
            assert!(!invalid(p), "{p:?} should compile");
        }
    }

    #[test]
    fn invalid_utf8_path_matches_like_go() {
        let s = Strategy::new(b"a\xff*");
        assert!(s.matches(b"a\xfe").unwrap());
        assert!(s.matches("a\u{fffd}".as_bytes()).unwrap());
        assert!(Strategy::new(b"a?").matches(b"a\xff").unwrap());
    }
}
