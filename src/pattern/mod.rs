//! Ignore-file semantics of every builder ctxsize reproduces: reading
//! pattern lines, compiling them and deciding whether a path is in the build
//! context.
//!
//! The seams follow Docker's own code: [`read`] is `ignorefile.ReadAll`,
//! [`Matcher::compile`] is `patternmatcher.New`, and [`Matcher::decide`] is
//! `MatchesUsingParentResults`, the rule of the classic builder since Docker
//! 23 and of current BuildKit (spec §4). [`Matcher::for_builder`] compiles
//! for one [`Builder`]: BuildKit adds the patterns it cannot send (§7.2,
//! §7.3) and the check it makes when it reads a file (§7.1,
//! [`Matcher::read_excludes`]); Podman reads, translates and decides with
//! its own rules (§8). This module does not touch the file system and is
//! not gitignore: patterns are anchored at the context root, `dir/` is not
//! directory-only, and exceptions reach inside excluded directories.

pub mod builder;
pub mod gomatch;
pub mod goregex;
pub mod read;

use std::fmt;
use std::path::PathBuf;

pub use builder::Builder;
pub use goregex::Strategy;

/// The size of BuildKit's pattern list above which the build fails: the sum
/// over the patterns of their length plus 48 bytes (spec §7.3; measured
/// between 1,048,296 and 1,048,320).
pub const BUILDKIT_PATTERN_LIST_LIMIT: usize = 1_048_300;

/// What HTTP/2 counts per pattern besides its bytes (spec §7.3).
const PATTERN_HEADER_OVERHEAD: usize = 48;

/// The extra header `exclude-patterns-encoded: 1` that comes with a
/// URL-encoded list (24 + 1 + 32 bytes).
const ENCODED_FLAG_HEADER: usize = 57;

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
    /// BuildKit only: a control character (below 0x20, or 0x7F) inside a
    /// pattern, while no pattern has a non-ASCII byte; gRPC refuses the
    /// pattern list and the build fails (spec §7.2).
    ControlCharacter(u8),
    /// BuildKit only: the pattern list is too large to send: Σ(length + 48)
    /// (the value given) exceeds [`BUILDKIT_PATTERN_LIST_LIMIT`]; reported
    /// at the line where the sum crosses the limit (spec §7.3).
    PatternListTooLarge(usize),
    /// Podman only: the pattern's expression does not compile. Podman and
    /// Buildah evaluate every pattern on every path, so the build fails
    /// whether or not the pattern could match (spec §8.3, T5).
    RegexpEager(String),
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
            PatternErrorKind::ControlCharacter(c) => write!(
                f,
                "{}: {:?}: BuildKit cannot send a pattern holding the control character \
                 0x{c:02X} (\"header key \\\"exclude-patterns\\\" contains value with \
                 non-printable ASCII characters\")",
                self.line, text
            ),
            PatternErrorKind::PatternListTooLarge(total) => write!(
                f,
                "{}: the pattern list takes {total} bytes to send (length + 48 each) and \
                 crosses BuildKit's limit of about {BUILDKIT_PATTERN_LIST_LIMIT} at this line \
                 (\"header list size to send violates the maximum size\")",
                self.line
            ),
            PatternErrorKind::RegexpEager(why) => write!(
                f,
                "{}: {:?}: syntax error in pattern ({why}); Podman and Buildah compile every \
                 pattern, used or not",
                self.line, text
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

    /// Whether no rule applied (as the root's state).
    pub fn is_empty(&self) -> bool {
        !self.any_from(0)
    }

    // Whether any bit at index `from` or above is set.
    fn any_from(&self, from: usize) -> bool {
        let w = from / 64;
        let Some(&first) = self.bits.get(w) else {
            return false;
        };
        first >> (from % 64) != 0 || self.bits[w + 1..].iter().any(|&b| b != 0)
    }
}

/// A pattern evaluated during the walk cannot be compiled: Docker fails the
/// build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    /// Index of the rule.
    pub rule: usize,
}

/// A compiled ignore file: Docker's `PatternMatcher`, or Podman's when
/// compiled for [`Builder::Podman`].
#[derive(Clone, Debug, Default)]
pub struct Matcher {
    rules: Vec<Rule>,
    has_exceptions: bool,
    exceptions_have_wildcards: bool,
    /// Podman's reading and decision rule (spec §8) instead of Docker's.
    podman: bool,
    /// Podman: per rule, whether its strategy is the pattern's own form,
    /// whose match on a directory carries to the directory's children
    /// ([`Strategy::podman`]).
    carries: Vec<bool>,
    /// Docker: when BuildKit's check on reading a file can disagree with
    /// the walk (§7.1), the index of the first plain rule that comes after
    /// an exception and after another plain rule. Only that rule and later
    /// ones can make the check differ (an earlier plain rule is never
    /// skipped at a directory, an earlier exception never overrides one).
    read_check_from: Option<usize>,
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
    /// Compiles ignore-file bytes as `builder` reads them. `file` is used for
    /// messages.
    ///
    /// - [`Builder::Classic`]: Docker's reading and matching (the same as
    ///   [`Matcher::from_bytes`]).
    /// - [`Builder::BuildKit`]: the same rules, plus the patterns BuildKit
    ///   cannot send (control characters, a list too large) as errors.
    /// - [`Builder::Podman`]: Podman's reading (P1–P5), translation (T1–T5:
    ///   every pattern whose expression does not compile is an error) and
    ///   decision rule (D).
    pub fn for_builder(builder: Builder, data: &[u8], file: Option<PathBuf>) -> Compiled {
        match builder {
            Builder::Classic => Matcher::from_bytes(data, file),
            Builder::BuildKit => {
                let transport = match read::read_patterns(data) {
                    Ok(lines) => transport_errors(&lines, &file),
                    Err(_) => Vec::new(),
                };
                let mut c = Matcher::from_bytes(data, file);
                if !transport.is_empty() {
                    c.errors.extend(transport);
                    c.errors.sort_by_key(|e| e.line);
                }
                c
            }
            Builder::Podman => Matcher::compile_podman(read::read_patterns_podman(data), file),
        }
    }

    /// Compiles ignore-file bytes with Docker's reading and matching (both
    /// Docker builders). `file` is used for messages. BuildKit's limits on
    /// sending the patterns are checked by [`Matcher::for_builder`] only.
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
        let mut matcher = Matcher {
            rules,
            ..Matcher::default()
        };
        matcher.update_flags();
        Compiled { matcher, errors }
    }

    /// Compiles lines as Podman's matcher does (spec §8.2 steps 5–7, §8.3):
    /// the whole line, `!` included, is cleaned; a leading `!` then marks an
    /// exception whose rest is cleaned again and loses one leading `/`.
    fn compile_podman(lines: Vec<read::RawPattern>, file: Option<PathBuf>) -> Compiled {
        let mut rules = Vec::new();
        let mut carries = Vec::new();
        let mut errors = Vec::new();
        for l in lines {
            let err = |kind| PatternError {
                file: file.clone(),
                line: l.line,
                original: l.original.clone(),
                kind,
            };
            let mut p = read::go_clean(&l.pattern);
            let exception = p[0] == b'!';
            if exception {
                if p.len() == 1 {
                    errors.push(err(PatternErrorKind::LoneExclamation));
                    continue;
                }
                p = read::go_clean(&p[1..]);
                if p.first() == Some(&b'/') {
                    p.remove(0);
                }
            }
            if !gomatch::is_valid(&p) {
                errors.push(err(PatternErrorKind::Syntax));
                continue;
            }
            let (strategy, own) = Strategy::podman(&p);
            if let Strategy::Invalid(why) = &strategy {
                errors.push(err(PatternErrorKind::RegexpEager(why.clone())));
            }
            rules.push(Rule {
                file: file.clone(),
                line: l.line,
                original: l.original,
                pattern: p,
                exception,
                strategy,
            });
            carries.push(own);
        }
        let mut matcher = Matcher {
            rules,
            podman: true,
            carries,
            ..Matcher::default()
        };
        matcher.update_flags();
        Compiled { matcher, errors }
    }

    fn update_flags(&mut self) {
        self.has_exceptions = self.rules.iter().any(|r| r.exception);
        self.exceptions_have_wildcards = self
            .rules
            .iter()
            .any(|r| r.exception && r.has_wildcards_for_pruning());
        self.read_check_from = None;
        if !self.podman {
            let first_exception = self.rules.iter().position(|r| r.exception);
            let mut plain_before = false;
            self.read_check_from = self.rules.iter().enumerate().position(|(i, r)| {
                if r.exception {
                    return false;
                }
                let late = plain_before && first_exception.is_some_and(|e| e < i);
                plain_before = true;
                late
            });
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
    /// Both matchers should be compiled for the same builder.
    pub fn push_rules(&mut self, other: Matcher) {
        self.rules.extend(other.rules);
        if self.podman {
            self.carries.extend(other.carries);
            self.carries.resize(self.rules.len(), false);
        }
        self.update_flags();
    }

    /// Whether the rules are Podman's (compiled for [`Builder::Podman`]).
    pub fn is_podman(&self) -> bool {
        self.podman
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
    /// when the walk never evaluates them; for Podman they are compile
    /// errors as well, of kind [`PatternErrorKind::RegexpEager`]).
    pub fn lazy_errors(&self) -> Vec<PatternError> {
        self.rules
            .iter()
            .filter_map(|r| match &r.strategy {
                Strategy::Invalid(why) => Some(PatternError {
                    file: r.file.clone(),
                    line: r.line,
                    original: r.original.clone(),
                    kind: self.regexp_error(why.clone()),
                }),
                _ => None,
            })
            .collect()
    }

    fn regexp_error(&self, why: String) -> PatternErrorKind {
        if self.podman {
            PatternErrorKind::RegexpEager(why)
        } else {
            PatternErrorKind::Regexp(why)
        }
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
            kind: self.regexp_error(why),
        }
    }

    /// Decides `path` (relative, `/`-separated, no leading `./`) given the
    /// state of its parent directory ([`ParentState::root`] for entries at
    /// the root). When `out` is given it receives the state to pass to the
    /// path's children (only needed for directories).
    ///
    /// Docker's matcher tests a pattern against the path only while it can
    /// change the answer and inherits "applied" from the parent (parent
    /// results, §4); Podman's tests every pattern against the path and its
    /// ancestors, and the last one that matches wins (§8.4), so a pattern
    /// that cannot compile fails on the first path (T5).
    pub fn decide(
        &self,
        path: &[u8],
        parent: &ParentState,
        mut out: Option<&mut ParentState>,
    ) -> Result<Decision, EvalError> {
        if let Some(o) = out.as_deref_mut() {
            o.reset(self.rules.len());
        }
        if self.podman {
            return self.decide_podman(path, parent, out);
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

    // Podman: a pattern matches the path or an ancestor. The parent's bit
    // says it matched the parent or an ancestor; in its own form that
    // carries to the child unless the child's name has a newline (which the
    // `.` of `(/.*)?$` does not cross), and when the bit is clear only the
    // path itself can match (spec §8.4).
    fn decide_podman(
        &self,
        path: &[u8],
        parent: &ParentState,
        mut out: Option<&mut ParentState>,
    ) -> Result<Decision, EvalError> {
        let carry = !crate::relpath::basename(path).contains(&b'\n');
        let mut d = Decision {
            excluded: false,
            rule: None,
            via_parent: false,
        };
        for (i, rule) in self.rules.iter().enumerate() {
            let inherited = parent.get(i);
            let matched = if inherited && carry && self.carries[i] {
                true
            } else {
                match rule.strategy.matches(path) {
                    Ok(m) => m,
                    Err(_) => return Err(EvalError { rule: i }),
                }
            };
            if matched {
                if let Some(o) = out.as_deref_mut() {
                    o.set(i);
                }
                d = Decision {
                    excluded: !rule.exception,
                    rule: Some(i),
                    via_parent: inherited,
                };
            }
        }
        Ok(d)
    }

    /// Whether BuildKit's second check, when it reads a file's data, can ever
    /// exclude a file its walk keeps (spec §7.1). It can only when a plain
    /// rule follows an exception and another plain rule; otherwise the walk
    /// need not make the check at all.
    pub fn reads_can_differ(&self) -> bool {
        self.read_check_from.is_some()
    }

    /// The read-check state of directory `dir` for its children: which
    /// rules that can make the check differ match `dir` or an ancestor
    /// although the walk did not apply them (`walk_state` is `dir`'s own state from
    /// [`Matcher::decide`], `parent_read` its parent's read state, the root's
    /// being [`ParentState::root`]). Only needed when
    /// [`Matcher::reads_can_differ`]; a pattern that cannot compile counts as
    /// matching (BuildKit then sends the files empty rather than fail).
    pub fn read_state(
        &self,
        dir: &[u8],
        parent_read: &ParentState,
        walk_state: &ParentState,
        out: &mut ParentState,
    ) {
        out.reset(self.rules.len());
        let Some(first) = self.read_check_from else {
            return;
        };
        for (i, rule) in self.rules.iter().enumerate().skip(first) {
            let applies = parent_read.get(i)
                || (!walk_state.get(i) && rule.strategy.matches(dir).unwrap_or(true));
            if applies {
                out.set(i);
            }
        }
    }

    /// BuildKit's check on reading (spec §7.1): whether
    /// `MatchesOrParentMatches` excludes the file `path`, which the walk
    /// keeps with decision `d`; if so the file is sent with 0 bytes.
    /// `parent_read` is the read state of the file's directory
    /// ([`Matcher::read_state`]).
    ///
    /// The walk's last applying rule was an exception; the modern rule can
    /// only differ through a later rule that matches an ancestor where the
    /// walk skipped it. Plain rules after it were tested against the path by
    /// the walk and did not match, so only later exceptions need a test.
    pub fn read_excludes(&self, path: &[u8], d: &Decision, parent_read: &ParentState) -> bool {
        let (Some(from), Some(k), false) = (self.read_check_from, d.rule, d.excluded) else {
            return false;
        };
        let from = from.max(k + 1);
        if !parent_read.any_from(from) {
            return false;
        }
        for (i, rule) in self.rules.iter().enumerate().skip(from).rev() {
            if parent_read.get(i) {
                return !rule.exception;
            }
            if rule.exception {
                match rule.strategy.matches(path) {
                    Ok(true) => return false,
                    Ok(false) => {}
                    Err(_) => return true,
                }
            }
        }
        false
    }

    /// BuildKit's answer for one regular file on its own (spec §7.1): the
    /// walk keeps `path` but it is sent with 0 bytes. Replays the walk's and
    /// the read check's states from the root; whether the walk reaches the
    /// file at all (pruning) is not considered. `false` when the rules
    /// cannot make the two checks differ, or when the walk excludes the
    /// file or fails.
    pub fn arrives_empty(&self, path: &[u8]) -> bool {
        if !self.reads_can_differ() {
            return false;
        }
        let (mut state, mut next) = (ParentState::root(), ParentState::root());
        let (mut read, mut next_read) = (ParentState::root(), ParentState::root());
        for (i, &b) in path.iter().enumerate() {
            if b == b'/' {
                if self.decide(&path[..i], &state, Some(&mut next)).is_err() {
                    return false;
                }
                self.read_state(&path[..i], &read, &next, &mut next_read);
                std::mem::swap(&mut state, &mut next);
                std::mem::swap(&mut read, &mut next_read);
            }
        }
        match self.decide(path, &state, None) {
            Ok(d) => self.read_excludes(path, &d, &read),
            Err(_) => false,
        }
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

    /// Whether Podman's walk enters the excluded directory `dir` (spec §8.5,
    /// W): some exception pattern with `/` appended starts with `dir`
    /// (written without a trailing `/`), so `fo` is entered for `!fo*/keep`.
    pub fn exception_text_starts_with(&self, dir: &[u8]) -> bool {
        self.rules
            .iter()
            .any(|r| r.exception && r.pattern.starts_with(dir))
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

/// The patterns BuildKit cannot send (spec §7.2, §7.3), from the lines as
/// `ReadAll` returns them (what the frontend sends, `!` included).
fn transport_errors(lines: &[read::RawPattern], file: &Option<PathBuf>) -> Vec<PatternError> {
    let err = |l: &read::RawPattern, kind| PatternError {
        file: file.clone(),
        line: l.line,
        original: l.original.clone(),
        kind,
    };
    let mut out = Vec::new();
    // With any non-ASCII byte (invalid UTF-8 included) the list is sent
    // URL-encoded (`url.QueryEscape`), control characters and all.
    let encoded = lines.iter().any(|l| l.pattern.iter().any(|&b| b >= 0x80));
    if !encoded {
        for l in lines {
            if let Some(&c) = l.pattern.iter().find(|&&b| b < 0x20 || b == 0x7F) {
                out.push(err(l, PatternErrorKind::ControlCharacter(c)));
            }
        }
    }
    let sent_len = |p: &[u8]| -> usize {
        if !encoded {
            return p.len();
        }
        p.iter()
            .map(|&b| {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b' ') {
                    1
                } else {
                    3
                }
            })
            .sum()
    };
    let mut total = if encoded { ENCODED_FLAG_HEADER } else { 0 };
    let mut crossed = None;
    for l in lines {
        total += sent_len(&l.pattern) + PATTERN_HEADER_OVERHEAD;
        if crossed.is_none() && total > BUILDKIT_PATTERN_LIST_LIMIT {
            crossed = Some(l);
        }
    }
    if let Some(l) = crossed {
        out.push(err(l, PatternErrorKind::PatternListTooLarge(total)));
    }
    out
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

    fn for_builder(builder: Builder, text: &[u8]) -> Compiled {
        Matcher::for_builder(builder, text, None)
    }

    fn podman(patterns: &[&str]) -> Matcher {
        let c = for_builder(Builder::Podman, patterns.join("\n").as_bytes());
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        c.matcher
    }

    #[test]
    fn pipe_and_braces_are_live_in_regexp_mode_only() {
        // spec §3, vectors pipe-alternation, braces-live, pipe-literal.
        for (patterns, path, excluded) in [
            (&["*.txt|b*"][..], "a.txt", true),
            (&["*.txt|b*"], "b.log", true),
            (&["*.txt|b*"], "c.md", false),
            (&["*.txt|b*"], "d/ab", true),
            (&["*.txt|b*"], "d", false),
            (&["x{2}*"], "xx", true),
            (&["x{2}*"], "xxy", true),
            (&["x{2}*"], "x", false),
            (&["x{2}*"], "x{2}", false),
            (&["a|b"], "a|b", true),
            (&["a|b"], "a", false),
            (&["a|b"], "b", false),
        ] {
            let m = matcher(patterns);
            assert_eq!(
                m.decide_path(path.as_bytes(), false).unwrap().excluded,
                excluded,
                "{patterns:?} on {path}"
            );
        }
    }

    #[test]
    fn podman_decisions() {
        // (ignore file, path, excluded): spec §8.2–8.4.
        for (text, path, excluded) in [
            ("  /build", "build/out.o", false),       // P1
            ("/build/", "build/out.o", true),         // `/` stripped
            ("*.md\n! README.md", "README.md", true), // P2: the exception is for ` README.md`
            ("*.md\n!README.md", "README.md", false),
            ("!tmp/../b.txt", "b.txt", true), // P3: the `!` is cleaned away
            ("\u{feff}/node_modules", "node_modules/a/i.js", false), // P4
            ("\u{feff}y", "y", true),         // T4
            ("x\n\u{feff}z*", "z1", true),
            ("a+b.txt", "aab.txt", true), // T1
            ("a+b.txt", "a+b.txt", false),
            ("a|b", "b", true),
            ("a|b", "a/x", true),
            ("a|b", "x|y", false),
            ("a^b.txt", "a^b.txt", false), // T2
            ("**.pyc", "x.pyc", false),    // T3
            ("**.pyc", ".pyc", true),
            ("**.pyc", "a/.pyc", true),
            ("a/*.txt\n!a", "a/x.txt", false), // D
            ("x\n!x/f\nx", "x/f", true),
            ("a", "a/b/c", true),
            ("a", "ab", false),
        ] {
            let c = for_builder(Builder::Podman, text.as_bytes());
            assert!(c.errors.is_empty(), "{text:?}: {:?}", c.errors);
            assert_eq!(
                c.matcher
                    .decide_path(path.as_bytes(), false)
                    .unwrap()
                    .excluded,
                excluded,
                "{text:?} on {path}"
            );
        }
    }

    #[test]
    fn podman_newline_stops_an_ancestor_match() {
        // `(/.*)?$`: Go's `.` does not match a newline.
        let m = podman(&["a"]);
        assert!(m.decide_path(b"a/x", false).unwrap().excluded);
        assert!(!m.decide_path(b"a/x\ny", false).unwrap().excluded);
        assert!(!m.decide_path(b"a/x\ny/z", false).unwrap().excluded);
        let m = podman(&["a*"]);
        assert!(!m.decide_path(b"ab/x\ny", false).unwrap().excluded);
        assert!(m.decide_path(b"ab/x", false).unwrap().excluded);
    }

    #[test]
    fn podman_errors_are_eager() {
        // T5: `![z-a]` and `c++` fail the build however unused.
        for (text, lines) in [
            ("nomatch\n![z-a]\n", &[2][..]),
            ("c++\n", &[1]),
            ("ok\n[\n!\n!/\n", &[2, 3, 4]),
        ] {
            let c = for_builder(Builder::Podman, text.as_bytes());
            let got: Vec<usize> = c.errors.iter().map(|e| e.line).collect();
            assert_eq!(got, lines, "{text:?}");
        }
        let c = for_builder(Builder::Podman, b"c++\n");
        assert!(matches!(c.errors[0].kind, PatternErrorKind::RegexpEager(_)));
        assert!(matches!(
            c.matcher.lazy_errors()[0].kind,
            PatternErrorKind::RegexpEager(_)
        ));
        let e = c.matcher.decide_path(b"a", false).unwrap_err();
        assert_eq!(e.rule, 0);
        assert!(matches!(
            c.matcher.eval_error(&e).kind,
            PatternErrorKind::RegexpEager(_)
        ));
        // Docker evaluates `![z-a]` lazily and reads `c++` as an exact name.
        assert!(for_builder(Builder::Classic, b"nomatch\n![z-a]\nc++\n")
            .errors
            .is_empty());
        // P5: no line limit for Podman.
        let long = format!("a.txt\n{}\n", "x".repeat(70_000));
        assert!(for_builder(Builder::Podman, long.as_bytes())
            .errors
            .is_empty());
        assert!(!for_builder(Builder::BuildKit, long.as_bytes())
            .errors
            .is_empty());
    }

    #[test]
    fn podman_pruning_text() {
        // W1: `fo*/keep/` starts with `fo`; W2: `**/keep.txt/` does not.
        let m = podman(&["fo", "!fo*/keep"]);
        assert!(m.exception_text_starts_with(b"fo"));
        assert!(m.exception_text_starts_with(b"fo*"));
        assert!(!m.exception_text_starts_with(b"foo"));
        let m = podman(&["foo", "!**/keep.txt"]);
        assert!(!m.exception_text_starts_with(b"foo"));
        let m = podman(&["!/x/y/"]);
        assert_eq!(m.rules()[0].pattern, b"x/y");
    }

    #[test]
    fn buildkit_control_characters() {
        // spec §7.2: only inside a pattern, only without a non-ASCII pattern.
        for (text, lines) in [
            (&b"a\tb\n"[..], &[1][..]),
            (b"a.txt\rb.txt\n", &[1]),
            (b"ok\na\x7fb\n", &[2]),
            (b"a\x00b\n", &[1]),
            (b"a\tb\n\xc3\xbc\n", &[]),
            (b"a\tb\n\xff\n", &[]),
            (b"# a\tb\n\ta \r\n", &[]),
            (b"#\xc3\xbc\na\tb\n", &[2]),
        ] {
            let c = for_builder(Builder::BuildKit, text);
            let got: Vec<usize> = c.errors.iter().map(|e| e.line).collect();
            assert_eq!(got, lines, "{:?}", String::from_utf8_lossy(text));
            assert!(c
                .errors
                .iter()
                .all(|e| matches!(e.kind, PatternErrorKind::ControlCharacter(_))));
            for other in [Builder::Classic, Builder::Podman] {
                assert!(for_builder(other, text).errors.is_empty());
            }
        }
    }

    #[test]
    fn buildkit_pattern_list_limit() {
        // spec §7.3: the measured largest lists that still build, and one more.
        let list = |n: usize, pattern: &str| (0..n).map(|_| pattern).collect::<Vec<_>>().join("\n");
        let nine = "abcdefghi";
        let fifty_nine = "a".repeat(59);
        let two_hundred = "b".repeat(200);
        let encoded = format!("{}ü", "c".repeat(58));
        for (pattern, most) in [
            (nine, 18_391),
            (fifty_nine.as_str(), 9_797),
            (two_hundred.as_str(), 4_227),
            (encoded.as_str(), 9_359),
        ] {
            let ok = for_builder(Builder::BuildKit, list(most, pattern).as_bytes());
            assert!(ok.errors.is_empty(), "{most} x {}", pattern.len());
            let bad = for_builder(Builder::BuildKit, list(most + 1, pattern).as_bytes());
            assert_eq!(bad.errors.len(), 1, "{} x {}", most + 1, pattern.len());
            assert_eq!(bad.errors[0].line, most + 1);
            assert!(matches!(
                bad.errors[0].kind,
                PatternErrorKind::PatternListTooLarge(_)
            ));
            let classic = for_builder(Builder::Classic, list(most + 1, pattern).as_bytes());
            assert!(classic.errors.is_empty());
        }
    }

    #[test]
    fn buildkit_files_that_arrive_empty() {
        // spec §7.1: (rules, file, arrives empty).
        for (patterns, path, empty) in [
            (&["x", "!x/f", "x"][..], "x/f", true),
            (&["x", "!x/f", "x"], "y", false),
            (
                &[
                    "node_modules",
                    "!node_modules/my-local-pkg",
                    "**/node_modules",
                ],
                "node_modules/my-local-pkg/index.js",
                true,
            ),
            (
                &[
                    "node_modules",
                    "!node_modules/my-local-pkg",
                    "**/node_modules",
                ],
                "app/main.js",
                false,
            ),
            // The later plain rule matches the parent only: `*` is tried on
            // `b` by the read check, never by the walk (b was excluded).
            (&["b", "!**/c", "*"], "b/c", true),
            (&["b", "!**/c", "*"], "c", false),
            // A later exception that also applies through an ancestor wins.
            (&["x", "!x/f", "x", "!x"], "x/f", false),
            // No plain rule after the exception: never.
            (&["x", "!x/f"], "x/f", false),
            // `*`, `!src`, `src/**/*.test.js`: the later rule is tried on `src`
            // by the walk too, so nothing differs.
            (&["*", "!src", "src/**/*.test.js"], "src/a/b.js", false),
        ] {
            let m = matcher(patterns);
            assert_eq!(
                m.arrives_empty(path.as_bytes()),
                empty,
                "{patterns:?} {path}"
            );
        }
        assert!(!matcher(&["x", "!x/f"]).reads_can_differ());
        assert!(!matcher(&["!x", "x"]).reads_can_differ());
        assert!(matcher(&["x", "!x/f", "x"]).reads_can_differ());
        assert!(!podman(&["x", "!x/f", "x"]).reads_can_differ());
    }

    #[test]
    fn parent_state_any_from() {
        let mut s = ParentState::root();
        s.reset(130);
        assert!(!s.any_from(0));
        s.set(70);
        assert!(s.any_from(0) && s.any_from(70) && !s.any_from(71));
        assert!(!s.any_from(500));
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
