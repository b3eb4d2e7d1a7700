//! Docker's `.dockerignore` semantics: reading pattern lines, compiling them
//! and deciding whether a path is in the build context.
//!
//! The seams follow Docker's own code: [`read`] is `ignorefile.ReadAll`,
//! [`Matcher::compile`] is `patternmatcher.New`, and [`Matcher::decide`] is
//! `MatchesUsingParentResults`, the rule of the classic builder since Docker
//! 23 and of current BuildKit (spec §4). This module does not touch the file
//! system and is not gitignore: patterns are anchored at the context root,
//! `dir/` is not directory-only, and exceptions reach inside excluded
//! directories.

pub mod gomatch;
pub mod goregex;
pub mod read;

use std::fmt;
use std::path::PathBuf;

pub use goregex::Strategy;

/// One compiled rule of an ignore file, with its provenance.
#[derive(Clone, Debug)]
pub struct Rule {
    /// The file the rule came from (`None` for rules added by ctxsize).
    pub file: Option<PathBuf>,
    /// 1-based line number (0 for rules added by ctxsize).
    pub line: usize,
    /// The line as written.
    pub original: Vec<u8>,
    /// The cleaned pattern, without the `!` of an exception.
    pub pattern: Vec<u8>,
    /// `true` for `!` exceptions (re-includes).
    pub exception: bool,
    /// How the pattern is matched.
    pub strategy: Strategy,
}

impl Rule {
    /// The pattern as Docker stores it (`!` prefixed for exceptions), lossy.
    pub fn display_pattern(&self) -> String {
        let p = String::from_utf8_lossy(&self.pattern);
        if self.exception {
            format!("!{p}")
        } else {
            p.into_owned()
        }
    }

    /// `FILE:LINE:PATTERN` as `git check-ignore -v` prints it, using the line
    /// as written.
    pub fn location(&self) -> String {
        let file = self
            .file
            .as_ref()
            .map_or_else(|| "<ctxsize>".to_string(), |f| f.display().to_string());
        format!(
            "{}:{}:{}",
            file,
            self.line,
            String::from_utf8_lossy(&self.original)
        )
    }

    /// Whether the pattern contains wildcard characters in the sense of
    /// BuildKit's pruning rule (`* [ ] ? ^ \`), ignoring a trailing `/**` or
    /// `/*` (spec §5.5).
    pub fn has_wildcards_for_pruning(&self) -> bool {
        let p = &self.pattern[..];
        let p = p
            .strip_suffix(b"/**")
            .or_else(|| p.strip_suffix(b"/*"))
            .unwrap_or(p);
        p.iter()
            .any(|b| matches!(b, b'*' | b'[' | b']' | b'?' | b'^' | b'\\'))
    }
}

/// An error in an ignore file that makes Docker refuse it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError {
    /// The file, when known.
    pub file: Option<PathBuf>,
    /// 1-based line number.
    pub line: usize,
    /// The line as written.
    pub original: Vec<u8>,
    /// What is wrong.
    pub kind: PatternErrorKind,
}

/// The kinds of [`PatternError`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternErrorKind {
    /// `!` alone (Docker: `illegal exclusion pattern: "!"`).
    LoneExclamation,
    /// Go's `filepath.Match` rejects it (Docker: `syntax error in pattern`).
    Syntax,
    /// It passes the syntax check but Go cannot compile its expression;
    /// Docker fails only when the walk evaluates it.
    Regexp(String),
    /// A line over 64 KiB.
    LineTooLong(usize),
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}:", file.display())?;
        }
        let text = String::from_utf8_lossy(&self.original);
        match &self.kind {
            PatternErrorKind::LoneExclamation => write!(
                f,
                "{}: {:?}: illegal exclusion pattern: \"!\" (a `!` must be followed by a pattern)",
                self.line,
                text.trim()
            ),
            PatternErrorKind::Syntax => write!(
                f,
                "{}: {:?}: syntax error in pattern (check `[...]` classes and a trailing `\\`)",
                self.line, text
            ),
            PatternErrorKind::Regexp(why) => write!(
                f,
                "{}: {:?}: syntax error in pattern ({why}); Docker fails as soon as it uses this pattern",
                self.line, text
            ),
            PatternErrorKind::LineTooLong(len) => write!(
                f,
                "{}: line is {len} bytes long; Docker rejects lines over 65535 bytes",
                self.line
            ),
        }
    }
}

impl std::error::Error for PatternError {}

/// The decision for one path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// `true` when the path is not sent.
    pub excluded: bool,
    /// Index of the deciding rule (the last one that applied), if any.
    pub rule: Option<usize>,
    /// The deciding rule applied because it matched a parent directory.
    pub via_parent: bool,
}

/// Per-rule "applied" bits of a directory, inherited by its children
/// (Docker's `MatchInfo`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParentState {
    bits: Vec<u64>,
}

impl ParentState {
    /// The state of the context root: nothing applied.
    pub fn root() -> ParentState {
        ParentState::default()
    }

    fn get(&self, i: usize) -> bool {
        self.bits
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    fn reset(&mut self, n: usize) {
        self.bits.clear();
        self.bits.resize(n.div_ceil(64), 0);
    }

    fn set(&mut self, i: usize) {
        self.bits[i / 64] |= 1 << (i % 64);
    }
}

/// A pattern evaluated during the walk cannot be compiled: Docker fails the
/// build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    /// Index of the rule.
    pub rule: usize,
}

/// A compiled ignore file: Docker's `PatternMatcher`.
#[derive(Clone, Debug, Default)]
pub struct Matcher {
    rules: Vec<Rule>,
    has_exceptions: bool,
    exceptions_have_wildcards: bool,
}

/// The result of compiling: the matcher and every error found (Docker stops
/// at the first; ctxsize lists them all).
pub struct Compiled {
    /// The usable rules (lines with errors are left out).
    pub matcher: Matcher,
    /// Errors that make Docker refuse the file outright.
    pub errors: Vec<PatternError>,
}

impl Matcher {
    /// Compiles ignore-file bytes. `file` is used for messages.
    pub fn from_bytes(data: &[u8], file: Option<PathBuf>) -> Compiled {
        match read::read_patterns(data) {
            Ok(lines) => Matcher::compile(
                lines.into_iter().map(|l| (l.line, l.original, l.pattern)),
                file,
            ),
            Err(read::ReadError::LineTooLong { line, len }) => Compiled {
                matcher: Matcher::default(),
                errors: vec![PatternError {
                    file,
                    line,
                    original: Vec::new(),
                    kind: PatternErrorKind::LineTooLong(len),
                }],
            },
        }
    }

    /// Compiles patterns as `patternmatcher.New` does: each is trimmed and
    /// cleaned again, a leading `!` marks an exception, and Go's
    /// `filepath.Match` syntax check applies.
    pub fn compile(
        lines: impl IntoIterator<Item = (usize, Vec<u8>, Vec<u8>)>,
        file: Option<PathBuf>,
    ) -> Compiled {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        for (line, original, pattern) in lines {
            let p = read::trim_space(&pattern);
            if p.is_empty() {
                continue;
            }
            let mut p = read::go_clean(p);
            let exception = p[0] == b'!';
            let err = |kind| PatternError {
                file: file.clone(),
                line,
                original: original.clone(),
                kind,
            };
            if exception {
                if p.len() == 1 {
                    errors.push(err(PatternErrorKind::LoneExclamation));
                    continue;
                }
                p.remove(0);
            }
            if !gomatch::is_valid(&p) {
                errors.push(err(PatternErrorKind::Syntax));
                continue;
            }
            let strategy = Strategy::new(&p);
            rules.push(Rule {
                file: file.clone(),
                line,
                original,
                pattern: p,
                exception,
                strategy,
            });
        }
        let has_exceptions = rules.iter().any(|r| r.exception);
        let exceptions_have_wildcards = rules
            .iter()
            .any(|r| r.exception && r.has_wildcards_for_pruning());
        Compiled {
            matcher: Matcher {
                rules,
                has_exceptions,
                exceptions_have_wildcards,
            },
            errors,
        }
    }

    /// Builds a matcher from pattern strings as `ReadAll` would return them
    /// (for rules ctxsize adds itself, and for tests).
    pub fn from_patterns<S: AsRef<[u8]>>(patterns: &[S]) -> Compiled {
        Matcher::compile(
            patterns.iter().enumerate().map(|(i, p)| {
                let p = p.as_ref().to_vec();
                (i + 1, p.clone(), p)
            }),
            None,
        )
    }

    /// Appends rules (used for the exceptions the classic CLI adds for
    /// `.dockerignore` and the Dockerfile).
    pub fn push_rules(&mut self, other: Matcher) {
        self.rules.extend(other.rules);
        self.has_exceptions = self.rules.iter().any(|r| r.exception);
        self.exceptions_have_wildcards = self
            .rules
            .iter()
            .any(|r| r.exception && r.has_wildcards_for_pruning());
    }

    /// The rules, in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Whether any rule is an exception.
    pub fn has_exceptions(&self) -> bool {
        self.has_exceptions
    }

    /// Whether any exception has wildcards (BuildKit then never prunes).
    pub fn exceptions_have_wildcards(&self) -> bool {
        self.exceptions_have_wildcards
    }

    /// Rules whose expression cannot be compiled (reported by `lint` even
    /// when the walk never evaluates them).
    pub fn lazy_errors(&self) -> Vec<PatternError> {
        self.rules
            .iter()
            .filter_map(|r| match &r.strategy {
                Strategy::Invalid(why) => Some(PatternError {
                    file: r.file.clone(),
                    line: r.line,
                    original: r.original.clone(),
                    kind: PatternErrorKind::Regexp(why.clone()),
                }),
                _ => None,
            })
            .collect()
    }

    /// The error to report when the walk evaluated a rule Docker cannot
    /// compile.
    pub fn eval_error(&self, e: &EvalError) -> PatternError {
        let r = &self.rules[e.rule];
        let why = match &r.strategy {
            Strategy::Invalid(why) => why.clone(),
            _ => String::from("cannot be compiled"),
        };
        PatternError {
            file: r.file.clone(),
            line: r.line,
            original: r.original.clone(),
            kind: PatternErrorKind::Regexp(why),
        }
    }

    /// Decides `path` (relative, `/`-separated, no leading `./`) given the
    /// state of its parent directory ([`ParentState::root`] for entries at
    /// the root). When `out` is given it receives the state to pass to the
    /// path's children (only needed for directories).
    pub fn decide(
        &self,
        path: &[u8],
        parent: &ParentState,
        mut out: Option<&mut ParentState>,
    ) -> Result<Decision, EvalError> {
        if let Some(o) = out.as_deref_mut() {
            o.reset(self.rules.len());
        }
        let mut d = Decision {
            excluded: false,
            rule: None,
            via_parent: false,
        };
        for (i, rule) in self.rules.iter().enumerate() {
            let mut via_parent = false;
            let applies = if parent.get(i) {
                via_parent = true;
                true
            } else {
                if rule.exception != d.excluded {
                    continue;
                }
                match rule.strategy.matches(path) {
                    Ok(m) => m,
                    Err(_) => return Err(EvalError { rule: i }),
                }
            };
            if applies {
                if let Some(o) = out.as_deref_mut() {
                    o.set(i);
                }
                d = Decision {
                    excluded: !rule.exception,
                    rule: Some(i),
                    via_parent,
                };
            }
        }
        Ok(d)
    }

    /// Decides a path on its own by replaying its parent chain from the
    /// root, exactly as the walk would reach it.
    pub fn decide_path(&self, path: &[u8], is_dir: bool) -> Result<Decision, EvalError> {
        let mut state = ParentState::root();
        let mut next = ParentState::root();
        for (i, &b) in path.iter().enumerate() {
            if b == b'/' {
                self.decide(&path[..i], &state, Some(&mut next))?;
                std::mem::swap(&mut state, &mut next);
            }
        }
        let mut own = ParentState::root();
        self.decide(path, &state, if is_dir { Some(&mut own) } else { None })
    }

    /// Whether the classic walk must enter the excluded directory `dir`
    /// (spec §5.3): some exception, read as text with `/` appended, starts
    /// with `dir/`.
    pub fn exception_reaches_into(&self, dir: &[u8]) -> bool {
        self.rules.iter().any(|r| {
            r.exception
                && r.pattern.starts_with(dir)
                && r.pattern.get(dir.len()).is_none_or(|&b| b == b'/')
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(patterns: &[&str]) -> Matcher {
        let c = Matcher::from_bytes(patterns.join("\n").as_bytes(), None);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        c.matcher
    }

    #[test]
    fn parent_results_corner_case() {
        // spec §4: `a/*.txt` then `!a` excludes a/x.txt under classic28.
        let m = matcher(&["a/*.txt", "!a"]);
        assert!(m.decide_path(b"a/x.txt", false).unwrap().excluded);
    }

    #[test]
    fn last_match_wins_and_parents_count() {
        let m = matcher(&["*.md", "!README.md", "README*"]);
        assert!(m.decide_path(b"README.md", false).unwrap().excluded);
        let m = matcher(&["foo/*"]);
        let d = m.decide_path(b"foo/a/b.txt", false).unwrap();
        assert!(d.excluded && d.via_parent);
        let m = matcher(&["*", "!*.md"]);
        assert!(m.decide_path(b"a/README.md", false).unwrap().excluded);
    }

    #[test]
    fn errors_name_lines() {
        let c = Matcher::from_bytes(b"ok\n[\n!\n!/\n", None);
        let lines: Vec<_> = c.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 4]);
    }

    #[test]
    fn exception_prefix() {
        let m = matcher(&["foo", "!foo/keep.txt"]);
        assert!(m.exception_reaches_into(b"foo"));
        assert!(!m.exception_reaches_into(b"fo"));
        let m = matcher(&["foo", "!**/keep.txt"]);
        assert!(!m.exception_reaches_into(b"foo"));
    }
}
