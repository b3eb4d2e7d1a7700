//! Translation of `.gitignore` text into `.dockerignore` rules.
//!
//! This module owns the *textual* translation behind
//! `ctxsize init --from-gitignore`: given the contents of one `.gitignore`
//! and the directory it lives in (relative to the build-context root), it
//! produces `.dockerignore` lines that behave like the git patterns under
//! Docker's rules, and says which lines cannot behave exactly the same.
//!
//! What it handles:
//! * git syntax: comments, blank lines, `\`-escapes, trailing-space
//!   trimming, `!` negation, anchoring by a leading or middle `/`,
//!   directory-only patterns (trailing `/`), the `**` forms, `*`, `?` and
//!   bracket classes (`[!...]`, `[^...]`, ranges, `[:alpha:]`-style names);
//! * Docker syntax: every rule is anchored at the context root, `[!...]`
//!   is not a negated class, a rule must not start with `#`, whitespace at
//!   either end of a rule is trimmed, and a few characters that Docker
//!   hands to Go's `regexp` must be escaped;
//! * CRLF line ends, a UTF-8 byte-order mark, and duplicate rules.
//!
//! What it does not do: it never touches the file system (the caller reads
//! the `.gitignore` and writes the `.dockerignore`), and it does not match
//! paths against rules (that belongs to the ignore-file matcher). The only
//! matching done here is a small, conservative glob check used to decide
//! whether a negation may be affected by an excluded parent directory.

use std::fmt;

/// Why a translated rule does not behave exactly like its git pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Inexact {
    /// The git pattern ended in `/` and so matched directories only; Docker
    /// has no directory-only rules, so a *file* with that name is matched too.
    DirOnly,
    /// A negation whose path lies below a directory that an earlier rule of
    /// the same file may exclude. git cannot re-include such a path, Docker
    /// can, so Docker may send files that git ignores.
    ParentExcludedReinclude,
    /// The line could not be translated and produced no rule (`rule` is
    /// empty). The text says why.
    Unsupported(&'static str),
}

impl fmt::Display for Inexact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Inexact::DirOnly => f.write_str(
                "git applies this pattern to directories only, but Docker also excludes a file with a matching name.",
            ),
            Inexact::ParentExcludedReinclude => f.write_str(
                "an earlier rule may exclude a parent directory of this path; git cannot re-include a path inside an excluded directory, but Docker re-includes it.",
            ),
            Inexact::Unsupported(reason) => write!(f, "this line was not translated: {reason}."),
        }
    }
}

/// One translated `.gitignore` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translated {
    /// The `.dockerignore` rule, anchored at the context root. Empty when
    /// the line could not be translated (see [`Inexact::Unsupported`]); an
    /// empty line is also what Docker would skip.
    pub rule: String,
    /// 1-based line number in the `.gitignore`.
    pub source_line: usize,
    /// The source line as written (without line end or byte-order mark).
    pub original: String,
    /// Every way in which `rule` differs from the git pattern; empty when
    /// the translation is exact.
    pub inexact: Vec<Inexact>,
}

impl Translated {
    /// True when the line produced no rule.
    pub fn is_dropped(&self) -> bool {
        self.rule.is_empty()
    }
}

/// Translates the text of one `.gitignore` into `.dockerignore` rules.
///
/// `dir` is the directory holding the `.gitignore`, relative to the context
/// root, with `/` separators; `""`, `"."` and `"/"` mean the root, and a
/// leading `./` or `/` and a trailing `/` are ignored. `text` is the file's
/// contents.
///
/// Comments and blank lines produce nothing; every other line produces one
/// [`Translated`], in source order. A rule equal to an earlier one is
/// dropped when that cannot change the outcome (no rule of the other
/// polarity in between); otherwise the *earlier* copy is dropped, since the
/// later one decides. Output is deterministic.
pub fn translate(dir: &str, text: &str) -> Vec<Translated> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let base = base_components(dir);
    let mut out: Vec<Translated> = Vec::new();
    // Parallel to `out`: the structure of each rule (None when dropped).
    let mut shapes: Vec<Option<Shape>> = Vec::new();

    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let source_line = index + 1;
        let pattern = match parse_line(line) {
            Parsed::Skip => continue,
            Parsed::Bad(reason) => {
                out.push(Translated {
                    rule: String::new(),
                    source_line,
                    original: line.to_string(),
                    inexact: vec![Inexact::Unsupported(reason)],
                });
                shapes.push(None);
                continue;
            }
            Parsed::Pattern(p) => p,
        };

        let mut comps: Vec<Comp> = base.clone();
        if !pattern.anchored && pattern.comps.first() != Some(&Comp::Deep) {
            comps.push(Comp::Deep);
        }
        comps.extend(pattern.comps);
        let shape = Shape {
            negated: pattern.negated,
            comps,
        };
        let rule = render(&shape);
        let mut inexact = Vec::new();
        if pattern.dir_only {
            inexact.push(Inexact::DirOnly);
        }

        if let Some(first) = out.iter().position(|t| t.rule == rule) {
            let same_polarity_between = shapes[first + 1..]
                .iter()
                .flatten()
                .all(|s| s.negated == shape.negated);
            if same_polarity_between {
                continue;
            }
            out.remove(first);
            shapes.remove(first);
        }
        out.push(Translated {
            rule,
            source_line,
            original: line.to_string(),
            inexact,
        });
        shapes.push(Some(shape));
    }

    flag_parent_excluded(&mut out, &shapes);
    out
}

/// Why a line yields no rule.
const TRAILING_BACKSLASH: &str = "it ends with an unfinished `\\` escape, so git matches nothing";
const UNTERMINATED_CLASS: &str = "it has a `[` class without a closing `]`, so git matches nothing";
const UNKNOWN_CHAR_CLASS: &str =
    "it uses an unknown `[:name:]` character class, so git matches nothing";
const SLASH_ONLY_CLASS: &str =
    "it has a `[...]` class that can only match `/`, so git matches nothing";
const EMPTY_PATTERN: &str = "the pattern is empty, so git matches nothing";
const EMPTY_SEGMENT: &str = "it contains an empty path segment (`//`), so git matches nothing";
const DOT_SEGMENT: &str = "it contains a `.` or `..` path segment, so git matches nothing";

/// git's `[:name:]` classes; Go's `regexp` (used by Docker) knows them all.
const POSIX_CLASSES: [&str; 12] = [
    "alnum", "alpha", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space",
    "upper", "xdigit",
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum ClassItem {
    Char(char),
    Range(char, char),
    Posix(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Lit(char),
    Star,
    Any,
    Class {
        negated: bool,
        items: Vec<ClassItem>,
    },
}

/// One `/`-separated segment of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Comp {
    /// A `**` segment: zero or more directories.
    Deep,
    /// Any other segment.
    Glob(Vec<Piece>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Shape {
    negated: bool,
    comps: Vec<Comp>,
}

#[derive(Debug)]
struct Pattern {
    negated: bool,
    dir_only: bool,
    anchored: bool,
    comps: Vec<Comp>,
}

#[derive(Debug)]
enum Parsed {
    Skip,
    Bad(&'static str),
    Pattern(Pattern),
}

fn base_components(dir: &str) -> Vec<Comp> {
    dir.split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .map(|s| Comp::Glob(s.chars().map(Piece::Lit).collect()))
        .collect()
}

/// Removes unescaped trailing spaces, as git does (tabs are kept).
fn trim_trailing_spaces(line: &str) -> &str {
    let bytes = line.as_bytes();
    let mut cut: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' => {
                if cut.is_none() {
                    cut = Some(i);
                }
            }
            b'\\' => {
                i += 1;
                if i == bytes.len() {
                    return line;
                }
                cut = None;
            }
            _ => cut = None,
        }
        i += 1;
    }
    // `cut` is the index of an ASCII space, hence a char boundary.
    cut.map_or(line, |c| &line[..c])
}

fn parse_line(line: &str) -> Parsed {
    // git sees a C string: anything after a NUL is invisible to it.
    let line = line.split('\0').next().unwrap_or("");
    if line.starts_with('#') {
        return Parsed::Skip;
    }
    let body = trim_trailing_spaces(line);
    if body.is_empty() {
        return Parsed::Skip;
    }
    let (negated, body) = match body.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, body),
    };
    let (dir_only, body) = match body.strip_suffix('/') {
        Some(rest) => (true, rest),
        None => (false, body),
    };
    if body.is_empty() {
        return Parsed::Bad(EMPTY_PATTERN);
    }
    // git anchors on any remaining `/`, even an escaped one or one in `[...]`.
    let anchored = body.contains('/');

    let segments = match tokenize(body) {
        Ok(s) => s,
        Err(reason) => return Parsed::Bad(reason),
    };
    let mut segments = segments.into_iter();
    let mut comps = Vec::new();
    if body.starts_with('/') {
        segments.next();
    }
    for seg in segments {
        if seg.is_empty() {
            return Parsed::Bad(EMPTY_SEGMENT);
        }
        let comp = make_comp(seg);
        if let Comp::Glob(pieces) = &comp {
            let dots = pieces.iter().all(|p| *p == Piece::Lit('.'));
            if dots && pieces.len() <= 2 {
                return Parsed::Bad(DOT_SEGMENT);
            }
        }
        if comp == Comp::Deep && comps.last() == Some(&Comp::Deep) {
            continue;
        }
        comps.push(comp);
    }
    if comps.is_empty() {
        return Parsed::Bad(EMPTY_PATTERN);
    }
    Parsed::Pattern(Pattern {
        negated,
        dir_only,
        anchored,
        comps,
    })
}

/// Turns one segment's pieces into a component: a segment made only of two
/// or more stars is `**`; elsewhere runs of stars act as a single `*`.
fn make_comp(seg: Vec<Piece>) -> Comp {
    if seg.len() >= 2 && seg.iter().all(|p| *p == Piece::Star) {
        return Comp::Deep;
    }
    let mut pieces: Vec<Piece> = Vec::with_capacity(seg.len());
    for p in seg {
        if p == Piece::Star && pieces.last() == Some(&Piece::Star) {
            continue;
        }
        pieces.push(p);
    }
    Comp::Glob(pieces)
}

/// Splits a git pattern body into `/`-separated segments of pieces.
fn tokenize(body: &str) -> Result<Vec<Vec<Piece>>, &'static str> {
    let chars: Vec<char> = body.chars().collect();
    let mut segments = vec![Vec::new()];
    let mut i = 0;
    while i < chars.len() {
        let piece = match chars[i] {
            '\\' => {
                let Some(&next) = chars.get(i + 1) else {
                    return Err(TRAILING_BACKSLASH);
                };
                i += 2;
                if next == '/' {
                    segments.push(Vec::new());
                    continue;
                }
                Piece::Lit(next)
            }
            '/' => {
                i += 1;
                segments.push(Vec::new());
                continue;
            }
            '*' => {
                i += 1;
                Piece::Star
            }
            '?' => {
                i += 1;
                Piece::Any
            }
            '[' => {
                let (piece, next) = parse_class(&chars, i + 1)?;
                i = next;
                piece
            }
            c => {
                i += 1;
                Piece::Lit(c)
            }
        };
        if let Some(seg) = segments.last_mut() {
            seg.push(piece);
        }
    }
    Ok(segments)
}

/// Parses a bracket class whose body starts at `start` (just after `[`),
/// following git's wildmatch. Returns the piece and the index after `]`.
fn parse_class(chars: &[char], start: usize) -> Result<(Piece, usize), &'static str> {
    let mut i = start;
    let mut negated = false;
    if matches!(chars.get(i), Some('!') | Some('^')) {
        negated = true;
        i += 1;
    }
    let mut items: Vec<ClassItem> = Vec::new();
    // The previous single character, which a following `-` turns into a range.
    let mut prev: Option<char> = None;
    let mut first = true;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(UNTERMINATED_CLASS);
        };
        if c == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        if c == '\\' {
            let Some(&e) = chars.get(i + 1) else {
                return Err(UNTERMINATED_CLASS);
            };
            items.push(ClassItem::Char(e));
            prev = Some(e);
            i += 2;
        } else if let (Some(lo), '-', Some(&next)) = (prev, c, chars.get(i + 1)) {
            if next == ']' {
                items.push(ClassItem::Char('-'));
                prev = Some('-');
                i += 1;
                continue;
            }
            let mut hi = next;
            i += 2;
            if hi == '\\' {
                let Some(&e) = chars.get(i) else {
                    return Err(UNTERMINATED_CLASS);
                };
                hi = e;
                i += 1;
            }
            items.pop();
            // git still matches `lo` itself when the range is reversed.
            items.push(if lo <= hi {
                ClassItem::Range(lo, hi)
            } else {
                ClassItem::Char(lo)
            });
            prev = None;
        } else if c == '[' && chars.get(i + 1) == Some(&':') {
            let name_start = i + 2;
            let Some(offset) = chars[name_start..].iter().position(|&ch| ch == ']') else {
                return Err(UNTERMINATED_CLASS);
            };
            let close = name_start + offset;
            if close > name_start && chars[close - 1] == ':' {
                let name: String = chars[name_start..close - 1].iter().collect();
                let Some(known) = POSIX_CLASSES.iter().find(|k| **k == name) else {
                    return Err(UNKNOWN_CHAR_CLASS);
                };
                items.push(ClassItem::Posix(known));
                prev = None;
                i = close + 1;
            } else {
                // Not a `[:name:]`: the `[` is an ordinary member.
                items.push(ClassItem::Char('['));
                prev = Some('[');
                i += 1;
            }
        } else {
            items.push(ClassItem::Char(c));
            prev = Some(c);
            i += 1;
        }
    }
    // git never lets a class match `/`.
    items.retain(|item| *item != ClassItem::Char('/'));
    if items.is_empty() {
        if negated {
            return Ok((Piece::Any, i));
        }
        return Err(SLASH_ONLY_CLASS);
    }
    Ok((Piece::Class { negated, items }, i))
}

fn render(shape: &Shape) -> String {
    let mut out = String::new();
    if shape.negated {
        out.push('!');
    }
    let last_comp = shape.comps.len().saturating_sub(1);
    for (ci, comp) in shape.comps.iter().enumerate() {
        if ci > 0 {
            out.push('/');
        }
        match comp {
            Comp::Deep => out.push_str("**"),
            Comp::Glob(pieces) => {
                let last_piece = pieces.len().saturating_sub(1);
                for (pi, piece) in pieces.iter().enumerate() {
                    let at_start = ci == 0 && pi == 0;
                    let at_end = ci == last_comp && pi == last_piece;
                    render_piece(&mut out, piece, at_start, at_end);
                }
            }
        }
    }
    out
}

fn render_piece(out: &mut String, piece: &Piece, at_start: bool, at_end: bool) {
    match piece {
        Piece::Star => out.push('*'),
        Piece::Any => out.push('?'),
        Piece::Lit(c) => {
            if (at_start || at_end) && c.is_whitespace() {
                // Docker trims whitespace at both ends of a line; a
                // one-character class survives the trim.
                out.push('[');
                out.push(*c);
                out.push(']');
            } else if matches!(c, '*' | '?' | '[' | ']' | '\\' | '^')
                || (at_start && matches!(c, '#' | '!'))
            {
                out.push('\\');
                out.push(*c);
            } else {
                out.push(*c);
            }
        }
        Piece::Class { negated, items } => {
            out.push('[');
            if *negated {
                out.push('^');
            }
            for item in items {
                match item {
                    ClassItem::Char(c) => push_class_char(out, *c),
                    ClassItem::Range(lo, hi) => {
                        push_class_char(out, *lo);
                        out.push('-');
                        push_class_char(out, *hi);
                    }
                    ClassItem::Posix(name) => {
                        out.push_str("[:");
                        out.push_str(name);
                        out.push_str(":]");
                    }
                }
            }
            out.push(']');
        }
    }
}

/// Inside a class, every ASCII punctuation character is escaped: Docker's
/// syntax check (Go's `filepath.Match`) rejects a bare `-` or `]`, and its
/// regexp conversion would rewrite a bare `*` or `?`. Escaping a letter or
/// digit is avoided because Go's `regexp` reads `\d`, `\w`, ... as classes.
fn push_class_char(out: &mut String, c: char) {
    if c.is_ascii_punctuation() {
        out.push('\\');
    }
    out.push(c);
}

/// Sets [`Inexact::ParentExcludedReinclude`] on negations whose path lies
/// below a directory that earlier rules may leave excluded.
fn flag_parent_excluded(out: &mut [Translated], shapes: &[Option<Shape>]) {
    let expanded: Vec<Option<(bool, Vec<Comp>)>> = shapes
        .iter()
        .map(|s| {
            s.as_ref()
                .map(|s| (s.negated, expand_trailing_deep(&s.comps)))
        })
        .collect();
    for (n, entry) in expanded.iter().enumerate() {
        let Some((true, comps)) = entry else {
            continue;
        };
        if parent_may_be_excluded(comps, &expanded[..n]) {
            out[n].inexact.push(Inexact::ParentExcludedReinclude);
        }
    }
}

/// A trailing `**` matches one or more segments (never the directory
/// itself), so it is modelled as "one segment, then zero or more".
fn expand_trailing_deep(comps: &[Comp]) -> Vec<Comp> {
    let mut v = comps.to_vec();
    if v.last() == Some(&Comp::Deep) {
        v.pop();
        v.push(Comp::Glob(vec![Piece::Star]));
        v.push(Comp::Deep);
    }
    v
}

fn parent_may_be_excluded(neg: &[Comp], earlier: &[Option<(bool, Vec<Comp>)>]) -> bool {
    (1..neg.len()).any(|k| {
        // Only prefixes with an explicit segment below them are ancestors.
        if !neg[k..].iter().any(|c| matches!(c, Comp::Glob(_))) {
            return false;
        }
        let ancestor = &neg[..k];
        let mut excluded = false;
        for (negated, comps) in earlier.iter().flatten() {
            if !*negated {
                if may_match(comps, ancestor) {
                    excluded = true;
                }
            } else if comps.as_slice() == ancestor {
                excluded = false;
            }
        }
        excluded
    })
}

/// Whether rule `p` may match some directory described by `a` (both lists
/// of segments). Conservative, with one deliberate limit: a `**` in `a`
/// only stands for directories that `p` matches with `**` or a bare `*`,
/// so that `*.log` is not assumed to exclude a directory named `x.log`.
fn may_match(p: &[Comp], a: &[Comp]) -> bool {
    let (np, na) = (p.len(), a.len());
    let mut seen = vec![false; (np + 1) * (na + 1)];
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, j)) = stack.pop() {
        let slot = i * (na + 1) + j;
        if seen[slot] {
            continue;
        }
        seen[slot] = true;
        if i == np && j == na {
            return true;
        }
        if j < na && a[j] == Comp::Deep {
            stack.push((i, j + 1));
        }
        match p.get(i) {
            Some(Comp::Deep) => {
                stack.push((i + 1, j));
                if j < na {
                    stack.push((i, j + 1));
                }
            }
            Some(Comp::Glob(g)) => match a.get(j) {
                Some(Comp::Glob(h)) if segments_may_overlap(g, h) => stack.push((i + 1, j + 1)),
                Some(Comp::Deep) if g.as_slice() == [Piece::Star] => stack.push((i + 1, j)),
                _ => {}
            },
            None => {}
        }
    }
    false
}

fn segments_may_overlap(g: &[Piece], h: &[Piece]) -> bool {
    match (literal(g), literal(h)) {
        (Some(a), Some(b)) => a == b,
        (None, Some(b)) => glob_match(g, &b),
        (Some(a), None) => glob_match(h, &a),
        (None, None) => true,
    }
}

fn literal(pieces: &[Piece]) -> Option<Vec<char>> {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Lit(c) => Some(*c),
            _ => None,
        })
        .collect()
}

/// Matches one segment glob against a literal name (`*` with backtracking).
fn glob_match(pieces: &[Piece], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pieces.get(p) {
            Some(Piece::Star) => {
                star = Some((p, t));
                p += 1;
                continue;
            }
            Some(piece) if piece_matches(piece, text[t]) => {
                p += 1;
                t += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, st)) => {
                p = sp + 1;
                t = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    pieces[p.min(pieces.len())..]
        .iter()
        .all(|piece| *piece == Piece::Star)
}

fn piece_matches(piece: &Piece, c: char) -> bool {
    match piece {
        Piece::Lit(l) => *l == c,
        Piece::Any => true,
        Piece::Star => false,
        Piece::Class { negated, items } => {
            let hit = items.iter().any(|item| match item {
                ClassItem::Char(x) => *x == c,
                ClassItem::Range(lo, hi) => (*lo..=*hi).contains(&c),
                ClassItem::Posix(name) => posix_contains(name, c),
            });
            hit != *negated
        }
    }
}

fn posix_contains(name: &str, c: char) -> bool {
    match name {
        "alnum" => c.is_ascii_alphanumeric(),
        "alpha" => c.is_ascii_alphabetic(),
        "blank" => c == ' ' || c == '\t',
        "cntrl" => c.is_ascii_control(),
        "digit" => c.is_ascii_digit(),
        "graph" => c.is_ascii_graphic(),
        "lower" => c.is_ascii_lowercase(),
        "print" => c.is_ascii_graphic() || c == ' ',
        "punct" => c.is_ascii_punctuation(),
        "space" => c.is_ascii_whitespace() || c == '\x0b',
        "upper" => c.is_ascii_uppercase(),
        "xdigit" => c.is_ascii_hexdigit(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(dir: &str, text: &str) -> Vec<String> {
        translate(dir, text).into_iter().map(|t| t.rule).collect()
    }

    fn flags(dir: &str, text: &str) -> Vec<Vec<Inexact>> {
        translate(dir, text)
            .into_iter()
            .map(|t| t.inexact)
            .collect()
    }

    #[test]
    fn single_lines() {
        use Inexact::*;
        // (dir, gitignore line, expected rule, expected notes)
        let cases: &[(&str, &str, &str, &[Inexact])] = &[
            // no slash: any depth below the .gitignore
            ("", "*.log", "**/*.log", &[]),
            ("sub", "*.log", "sub/**/*.log", &[]),
            ("", "foo", "**/foo", &[]),
            // leading slash: anchored
            ("", "/build", "build", &[]),
            ("sub", "/build", "sub/build", &[]),
            // middle slash: anchored
            ("", "docs/*.md", "docs/*.md", &[]),
            ("sub", "docs/*.md", "sub/docs/*.md", &[]),
            // trailing slash: directory only
            ("", "tmp/", "**/tmp", &[DirOnly]),
            ("sub", "tmp/", "sub/**/tmp", &[DirOnly]),
            ("", "/tmp/", "tmp", &[DirOnly]),
            ("", "a/b/", "a/b", &[DirOnly]),
            // ** forms
            ("", "**/foo", "**/foo", &[]),
            ("sub", "**/foo", "sub/**/foo", &[]),
            ("", "foo/**", "foo/**", &[]),
            ("sub", "foo/**", "sub/foo/**", &[]),
            ("", "a/**/b", "a/**/b", &[]),
            ("sub", "a/**/b", "sub/a/**/b", &[]),
            ("", "**", "**", &[]),
            ("sub", "**", "sub/**", &[]),
            ("", "/**/foo", "**/foo", &[]),
            ("", "a/**/**/b", "a/**/b", &[]),
            ("", "***/x", "**/x", &[]),
            // ** that is not a whole segment is a plain *
            ("", "foo**bar", "**/foo*bar", &[]),
            ("", "a/b**", "a/b*", &[]),
            ("", "**.txt", "**/*.txt", &[]),
            // negation
            ("", "!keep.log", "!**/keep.log", &[]),
            ("sub", "!/keep.log", "!sub/keep.log", &[]),
            ("", "!tmp/", "!**/tmp", &[DirOnly]),
            // escapes
            ("", "\\#x", "**/#x", &[]),
            ("", "\\!x", "**/!x", &[]),
            ("", "/\\#x", "\\#x", &[]),
            ("", "/\\!x", "\\!x", &[]),
            ("", "!/\\!x", "!\\!x", &[]),
            ("", "/#x", "\\#x", &[]),
            ("", "\\*.c", "**/\\*.c", &[]),
            ("", "a\\?b", "**/a\\?b", &[]),
            ("", "\\a\\b", "**/ab", &[]),
            ("", "a\\\\b", "**/a\\\\b", &[]),
            ("", "a^b", "**/a\\^b", &[]),
            ("", "a]b", "**/a\\]b", &[]),
            ("", "a.b+(c)", "**/a.b+(c)", &[]),
            // trailing spaces: trimmed unless escaped; kept ones use a class
            ("", "foo   ", "**/foo", &[]),
            ("", "foo\\ ", "**/foo[ ]", &[]),
            ("", "foo\\  ", "**/foo[ ]", &[]),
            ("", "foo\t", "**/foo[\t]", &[]),
            ("", "my file", "**/my file", &[]),
            ("", "/ lead", "[ ]lead", &[]),
            ("", " lead", "**/ lead", &[]),
            // character classes
            ("", "[!a-z]", "**/[^a-z]", &[]),
            ("", "[^a-z]", "**/[^a-z]", &[]),
            ("", "[a-z]x", "**/[a-z]x", &[]),
            ("", "file[0-9].txt", "**/file[0-9].txt", &[]),
            ("", "[\\]]", "**/[\\]]", &[]),
            ("", "[]a]", "**/[\\]a]", &[]),
            ("", "[!]a]", "**/[^\\]a]", &[]),
            ("", "[a-]", "**/[a\\-]", &[]),
            ("", "[-a]", "**/[\\-a]", &[]),
            ("", "[*?]", "**/[\\*\\?]", &[]),
            ("", "[\\d]", "**/[d]", &[]),
            ("", "[\\!-\\/]", "[\\!-\\/]", &[]), // a `/` anywhere anchors, as in git
            ("", "[z-a]", "**/[z]", &[]),
            ("", "[a-c-e]", "**/[a-c\\-e]", &[]),
            ("", "[[:alpha:]_]", "**/[[:alpha:]\\_]", &[]),
            ("", "[[:x]", "**/[\\[\\:x]", &[]),
            ("", "[!/]x", "?x", &[]),
            ("", "[/a]", "[a]", &[]),
            // dir given in several spellings
            ("sub/", "*.log", "sub/**/*.log", &[]),
            ("/sub", "*.log", "sub/**/*.log", &[]),
            ("./sub", "*.log", "sub/**/*.log", &[]),
            (".", "*.log", "**/*.log", &[]),
            ("/", "*.log", "**/*.log", &[]),
            ("a//b/", "*.log", "a/b/**/*.log", &[]),
            ("a/b/c", "/x/y", "a/b/c/x/y", &[]),
            ("#hash", "/x", "\\#hash/x", &[]),
            ("we[ird]", "/x", "we\\[ird\\]/x", &[]),
        ];
        for (dir, line, want, notes) in cases {
            let got = translate(dir, line);
            assert_eq!(got.len(), 1, "dir={dir:?} line={line:?}: {got:?}");
            assert_eq!(got[0].rule, *want, "dir={dir:?} line={line:?}");
            assert_eq!(got[0].inexact, *notes, "dir={dir:?} line={line:?}");
            assert_eq!(got[0].source_line, 1);
            assert_eq!(got[0].original, *line);
        }
    }

    #[test]
    fn lines_without_rules() {
        let cases: &[&str] = &[
            "",
            "   ",
            "# comment",
            "#",
            "#!negated comment",
            "\n\n\n",
            "# a\n\n  \n# b",
            "\u{feff}# bom comment",
        ];
        for text in cases {
            assert!(translate("", text).is_empty(), "text={text:?}");
        }
    }

    #[test]
    fn dropped_lines() {
        let cases: &[(&str, &str)] = &[
            ("\\", TRAILING_BACKSLASH),
            ("foo\\", TRAILING_BACKSLASH),
            ("[", UNTERMINATED_CLASS),
            ("a[bc", UNTERMINATED_CLASS),
            ("[\\", UNTERMINATED_CLASS),
            ("[a-\\", UNTERMINATED_CLASS),
            ("[[:alpha:]", UNTERMINATED_CLASS),
            ("[[:nope:]]", UNKNOWN_CHAR_CLASS),
            ("[[::]]", UNKNOWN_CHAR_CLASS),
            ("[/]x", SLASH_ONLY_CLASS),
            ("!", EMPTY_PATTERN),
            ("/", EMPTY_PATTERN),
            ("!/", EMPTY_PATTERN),
            ("//", EMPTY_SEGMENT),
            ("a//b", EMPTY_SEGMENT),
            ("a//", EMPTY_SEGMENT),
            ("./a", DOT_SEGMENT),
            ("a/../b", DOT_SEGMENT),
            ("/.", DOT_SEGMENT),
        ];
        for (line, reason) in cases {
            let got = translate("", line);
            assert_eq!(got.len(), 1, "line={line:?}: {got:?}");
            assert!(got[0].is_dropped(), "line={line:?}: {got:?}");
            assert_eq!(got[0].inexact, vec![Inexact::Unsupported(reason)]);
        }
    }

    #[test]
    fn whole_files() {
        // (dir, text, expected rules in order)
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "",
                "# build output\n/target\n\n*.log\n!keep.log\n",
                &["target", "**/*.log", "!**/keep.log"],
            ),
            (
                "",
                "/target\r\n*.log\r\n\r\n# c\r\n",
                &["target", "**/*.log"],
            ),
            ("", "\u{feff}/target\n*.o", &["target", "**/*.o"]),
            ("", "\u{feff}\r\n#x\r\nfoo\r", &["**/foo"]),
            (
                "services/api",
                "node_modules/\n/dist\n*.tmp\n",
                &[
                    "services/api/**/node_modules",
                    "services/api/dist",
                    "services/api/**/*.tmp",
                ],
            ),
            // duplicates: keep the first when nothing of the other polarity is between
            ("", "*.log\n/a\n*.log\n", &["**/*.log", "a"]),
            ("", "tmp/\ntmp\n", &["**/tmp"]),
            ("", "/a\n/a/\n", &["a"]),
            ("", "!x\n!x\n", &["!**/x"]),
            // ... otherwise the later copy decides, so the earlier one goes
            (
                "",
                "*.log\n!keep.log\n*.log\n",
                &["!**/keep.log", "**/*.log"],
            ),
        ];
        for (dir, text, want) in cases {
            assert_eq!(rules(dir, text), *want, "dir={dir:?} text={text:?}");
        }
    }

    #[test]
    fn source_lines_and_originals() {
        let got = translate("", "\u{feff}# c\r\n\r\nfoo/ \r\n\\\n");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].source_line, 3);
        assert_eq!(got[0].original, "foo/ ");
        assert_eq!(got[0].rule, "**/foo");
        assert_eq!(got[1].source_line, 4);
        assert_eq!(got[1].original, "\\");
    }

    #[test]
    fn negation_parent_flags() {
        use Inexact::*;
        // (dir, text, expected notes per produced line)
        let cases: &[(&str, &str, &[&[Inexact]])] = &[
            // plain negation of a file pattern: exact
            ("", "*.log\n!keep.log", &[&[], &[]]),
            // directory excluded, file below re-included
            (
                "",
                "build/\n!build/keep.txt",
                &[&[DirOnly], &[ParentExcludedReinclude]],
            ),
            (
                "",
                "build\n!build/keep.txt",
                &[&[], &[ParentExcludedReinclude]],
            ),
            (
                "",
                "/build\n!/build/a/b",
                &[&[], &[ParentExcludedReinclude]],
            ),
            ("", "foo\n!foo/**", &[&[], &[ParentExcludedReinclude]]),
            (
                "sub",
                "out/\n!out/x",
                &[&[DirOnly], &[ParentExcludedReinclude]],
            ),
            // `/*` excludes every top-level directory
            ("", "/*\n!keep.log", &[&[], &[ParentExcludedReinclude]]),
            ("", "*\n!keep.log", &[&[], &[ParentExcludedReinclude]]),
            // git's documented idiom: the parent is re-included first
            ("", "/*\n!/foo\n/foo/*\n!/foo/bar", &[&[], &[], &[], &[]]),
            // `foo/**` does not exclude foo/bar's parent foo
            ("", "foo/**\n!foo/bar", &[&[], &[]]),
            // ... but does exclude foo/bar when re-including foo/bar/baz
            (
                "",
                "foo/**\n!foo/bar/baz",
                &[&[], &[ParentExcludedReinclude]],
            ),
            // rule order matters: a later exclusion does not count
            ("", "!build/keep.txt\nbuild/", &[&[], &[DirOnly]]),
            // unrelated directory
            ("", "/other\n!/build/keep.txt", &[&[], &[]]),
            ("", "*.log\n!logs/keep.txt", &[&[], &[]]),
            ("", "[a-c]\n!b/x", &[&[], &[ParentExcludedReinclude]]),
            ("", "[a-c]\n!d/x", &[&[], &[]]),
            ("", "a*\n!abc/x", &[&[], &[ParentExcludedReinclude]]),
            ("", "?x\n!ab/x", &[&[], &[]]),
        ];
        for (dir, text, want) in cases {
            assert_eq!(flags(dir, text), *want, "dir={dir:?} text={text:?}");
        }
    }

    #[test]
    fn rules_are_docker_safe() {
        let mut odd: Vec<String> = [
            "\\",
            "[",
            "]",
            "!",
            "/",
            "**",
            "*",
            "?",
            "!!",
            "!#",
            "#",
            "\\ ",
            " ",
            "[]",
            "[!]",
            "[^]",
            "[]]",
            "[!]]",
            "[\\",
            "[a-",
            "[[:",
            "[[:]",
            "[[:]]",
            "a/**/",
            "**/",
            "/**",
            "!**",
            "\\/",
            "a\\/",
            "x\0y",
            "\t",
            "\u{a0}x\u{a0}",
            "ä/ö/**/ü",
            "[ä-ö]",
            "[z-a]",
            "\\\\",
            "!\\",
            "***",
            "a/***",
            "* ",
            "/ ",
            "!/ ",
            "\\!",
            "\\#",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        odd.push("a".repeat(10_000));
        odd.push("[".repeat(10_000));
        odd.push("*/".repeat(5_000));
        odd.push("\\".repeat(10_001));
        odd.push("[a-z]".repeat(2_000));
        for line in &odd {
            for dir in ["", "sub", "a b/", "#x"] {
                for t in translate(dir, line) {
                    assert_docker_safe(&t.rule, line);
                }
            }
        }
        // Negation checks over many lines must stay quick and not panic.
        let big: String = (0..300)
            .map(|i| format!("d{i}/\n!d{i}/keep\n**/x{i}/**\n!**/x{i}/y\n"))
            .collect();
        let got = translate("", &big);
        assert_eq!(got.len(), 1200);
    }

    /// Checks the properties Docker needs from a rule line.
    fn assert_docker_safe(rule: &str, line: &str) {
        if rule.is_empty() {
            return;
        }
        let ctx = format!("line={line:?} rule={rule:?}");
        assert!(!rule.starts_with('#'), "{ctx}");
        assert_eq!(rule.trim(), rule, "{ctx}");
        let body = rule.strip_prefix('!').unwrap_or(rule);
        assert!(!body.is_empty() && !body.starts_with('/'), "{ctx}");
        assert!(!body.ends_with('/') && !body.contains("//"), "{ctx}");
        assert!(body.split('/').all(|s| s != "." && s != ".."), "{ctx}");
        // Escapes complete, classes closed and non-empty, no bare `-`/`]`.
        let chars: Vec<char> = body.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '\\' => {
                    assert!(i + 1 < chars.len(), "{ctx}");
                    assert!(!chars[i + 1].is_ascii_alphanumeric(), "{ctx}");
                    i += 2;
                }
                '[' => {
                    i += 1;
                    if chars.get(i) == Some(&'^') {
                        i += 1;
                    }
                    let mut members = 0;
                    loop {
                        match chars.get(i) {
                            None => panic!("unclosed class: {ctx}"),
                            Some(']') => break,
                            Some('\\') => {
                                assert!(!chars[i + 1].is_ascii_alphanumeric(), "{ctx}");
                                i += 2;
                            }
                            Some('[') if chars.get(i + 1) == Some(&':') => {
                                let end = (i..chars.len()).find(|&j| chars[j] == ']');
                                i = end.expect("closed posix class") + 1;
                            }
                            Some(c) => {
                                assert!(!matches!(c, '*' | '?' | '/'), "{ctx}");
                                if *c == '-' {
                                    assert!(members > 0, "{ctx}");
                                }
                                i += 1;
                            }
                        }
                        members += 1;
                    }
                    assert!(members > 0, "{ctx}");
                    i += 1;
                }
                ']' => panic!("bare ]: {ctx}"),
                _ => i += 1,
            }
        }
    }

    #[test]
    fn display_is_one_sentence() {
        let all = [
            Inexact::DirOnly,
            Inexact::ParentExcludedReinclude,
            Inexact::Unsupported(EMPTY_PATTERN),
        ];
        for note in all {
            let text = note.to_string();
            assert!(text.ends_with('.'), "{text}");
            assert!(!text.contains('\n'), "{text}");
            assert!(text.len() > 20, "{text}");
        }
    }

    #[test]
    fn deterministic() {
        let text = "*.log\n!keep.log\nbuild/\n!build/x\n[!a]*\n";
        assert_eq!(translate("s", text), translate("s", text));
    }
}
