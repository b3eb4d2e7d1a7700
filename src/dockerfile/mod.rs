//! Reading Dockerfiles the way BuildKit's Dockerfile frontend does, to find
//! which build-context paths each stage reads.
//!
//! This module owns:
//! - splitting a Dockerfile into instructions (parser directives, comments,
//!   line continuations with `\` or `` ` ``, CRLF, BOM, heredoc bodies);
//! - the stage graph (`FROM`, `COPY --from`, `RUN --mount=from=`) and which
//!   stages a `--target` needs;
//! - the context reads of `COPY`, `ADD` and `RUN --mount=type=bind`, with
//!   BuildKit-style variable substitution (`ARG`/`ENV` scoping, build args)
//!   and source path normalisation.
//!
//! It does not own, and never does:
//! - touching the file system (the caller passes the Dockerfile text);
//! - matching `.dockerignore` patterns, or expanding source wildcards against
//!   the context (sources keep their pattern text and a `has_wildcard` flag);
//! - running anything, pulling images or knowing what a base image contains
//!   (variables that only a base image could define stay unresolved).
//!
//! Parsing never fails and never panics: whatever BuildKit would reject is
//! reported as a [`Problem`] and parsing carries on.

use std::collections::{HashMap, HashSet};
use std::fmt;

/// A parsed Dockerfile: its stages, their context reads and any problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// The escape and line-continuation character (`\` unless `# escape=` says `` ` ``).
    pub escape: char,
    /// The value of the `# syntax=` parser directive, if present. A custom
    /// frontend may read the file differently from what this module assumes.
    pub syntax: Option<String>,
    /// The build stages, in file order (index = position).
    pub stages: Vec<Stage>,
    /// Things BuildKit would reject or that could not be understood, by line.
    pub problems: Vec<Problem>,
}

/// One build stage, started by a `FROM` instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// Position of the stage in the file, starting at 0 (usable as `--from=<index>`).
    pub index: usize,
    /// The stage name from `FROM ... AS name`, lower-cased as BuildKit does.
    pub name: Option<String>,
    /// The base image or stage name after global `ARG` substitution (the raw
    /// text when it uses a variable whose value is unknown).
    pub base: String,
    /// The earlier stage this stage is built on, when `base` names one.
    pub base_stage: Option<usize>,
    /// The `--platform=` value of the `FROM`, after substitution when possible.
    pub platform: Option<String>,
    /// 1-based line of the `FROM` instruction.
    pub line: usize,
    /// Reads from the build context made by this stage, in file order.
    pub reads: Vec<ContextRead>,
    /// Stages this stage needs (base stage, `COPY --from`, `RUN --mount=from=`),
    /// sorted and without duplicates.
    pub depends_on: Vec<usize>,
}

/// The instruction kind that reads from the build context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadKind {
    /// A `COPY` without `--from`.
    Copy,
    /// An `ADD` (only its local sources; URLs and git refs are not context reads).
    Add,
    /// A `RUN --mount=type=bind` without `from=`.
    BindMount,
}

impl ReadKind {
    /// The instruction as users write it.
    pub fn as_str(self) -> &'static str {
        match self {
            ReadKind::Copy => "COPY",
            ReadKind::Add => "ADD",
            ReadKind::BindMount => "RUN --mount",
        }
    }
}

/// One instruction (or one bind mount of a `RUN`) that reads the build context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextRead {
    /// What kind of instruction reads.
    pub kind: ReadKind,
    /// 1-based line where the instruction starts.
    pub line: usize,
    /// The instruction text with continuations joined (heredoc bodies left
    /// out), for messages.
    pub instruction: String,
    /// The context sources read (never empty). Heredocs, URLs and git refs
    /// are left out.
    pub sources: Vec<Source>,
    /// The destination (`COPY`/`ADD`) or mount target, after substitution
    /// when possible.
    pub dest: Option<String>,
    /// `--exclude=` patterns, after substitution when possible.
    pub excludes: Vec<String>,
}

/// One source path of a context read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The source as written in the Dockerfile (for a bind mount without a
    /// source: `.`).
    pub original: String,
    /// The source after substitution, relative to the context root: leading
    /// `/` and `./` removed, `..` resolved lexically and clamped at the root,
    /// trailing `/` removed. `.` means the whole context. When `unresolved`
    /// is set this is the normalised original text instead.
    pub path: String,
    /// Whether `path` contains an unescaped `*`, `?` or `[` (a Go
    /// `filepath.Match` pattern matched per path segment).
    pub has_wildcard: bool,
    /// The first variable whose value is unknown here (declared without a
    /// value and not given as a build arg, or never declared), if any.
    pub unresolved: Option<String>,
}

/// Something BuildKit would reject or that this module could not understand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line where the instruction (or directive) starts.
    pub line: usize,
    /// A human-readable description.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Why a build target could not be chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetError {
    /// The Dockerfile has no `FROM` instruction.
    NoStages,
    /// No stage has this name.
    UnknownTarget(String),
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetError::NoStages => write!(f, "the Dockerfile has no build stage (no FROM)"),
            TargetError::UnknownTarget(t) => write!(f, "target stage {t:?} could not be found"),
        }
    }
}

impl std::error::Error for TargetError {}

/// Parses Dockerfile `text`. `build_args` are `--build-arg NAME=VALUE`
/// pairs: they override the defaults of declared `ARG`s (and give values to
/// `ARG`s declared without one); undeclared names have no effect.
///
/// Never panics; problems are collected in [`Dockerfile::problems`].
pub fn parse(text: &str, build_args: &[(String, String)]) -> Dockerfile {
    let lexed = lex(text);
    let mut builder = Builder::new(lexed.escape, build_args);
    builder.problems = lexed.problems;
    for inst in &lexed.instructions {
        builder.instruction(inst);
    }
    builder.finish(lexed.syntax)
}

impl Dockerfile {
    /// The index of the stage named `name` (case-insensitive).
    pub fn stage_index(&self, name: &str) -> Option<usize> {
        let wanted = name.to_ascii_lowercase();
        self.stages
            .iter()
            .position(|s| s.name.as_deref() == Some(wanted.as_str()))
    }

    /// The stages a build of `target` needs, sorted by index: the target
    /// stage (by name, case-insensitive; the last stage when `None`) and,
    /// transitively, every stage it depends on.
    pub fn reachable_stages(&self, target: Option<&str>) -> Result<Vec<usize>, TargetError> {
        let start = match target {
            _ if self.stages.is_empty() => return Err(TargetError::NoStages),
            None => self.stages.len() - 1,
            Some(t) => self
                .stage_index(t)
                .ok_or_else(|| TargetError::UnknownTarget(t.to_string()))?,
        };
        let mut seen = vec![false; self.stages.len()];
        let mut todo = vec![start];
        while let Some(i) = todo.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            todo.extend(
                self.stages[i]
                    .depends_on
                    .iter()
                    .copied()
                    .filter(|&d| !seen[d]),
            );
        }
        Ok((0..seen.len()).filter(|&i| seen[i]).collect())
    }

    /// The context reads of the stages a build of `target` needs (see
    /// [`Dockerfile::reachable_stages`]), in file order.
    pub fn context_reads(&self, target: Option<&str>) -> Result<Vec<&ContextRead>, TargetError> {
        Ok(self
            .reachable_stages(target)?
            .into_iter()
            .flat_map(|i| self.stages[i].reads.iter())
            .collect())
    }
}

// ---------------------------------------------------------------------------
// Lexing: physical lines to instructions.
// ---------------------------------------------------------------------------

/// One logical instruction: continuation-joined text and its first line.
struct RawInstruction {
    line: usize,
    text: String,
}

struct Lexed {
    escape: char,
    syntax: Option<String>,
    instructions: Vec<RawInstruction>,
    problems: Vec<Problem>,
}

fn lex(text: &str) -> Lexed {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let mut out = Lexed {
        escape: '\\',
        syntax: None,
        instructions: Vec::new(),
        problems: Vec::new(),
    };
    let mut directives_done = false;
    let mut seen_directives = HashSet::new();
    let mut i = 0;
    while i < lines.len() {
        let start = i + 1;
        let trimmed = lines[i].trim_start();
        i += 1;
        if !directives_done {
            if start == 1 && trimmed.starts_with("#!") {
                continue;
            }
            match parse_directive(trimmed) {
                Some((name, value)) => {
                    if !seen_directives.insert(name.clone()) {
                        out.problems.push(problem(
                            start,
                            format!("only one {name} parser directive can be used"),
                        ));
                        continue;
                    }
                    match name.as_str() {
                        "escape" => match value.as_str() {
                            "\\" => out.escape = '\\',
                            "`" => out.escape = '`',
                            _ => out.problems.push(problem(
                                start,
                                format!("invalid escape token {value:?} does not match ` or \\"),
                            )),
                        },
                        "syntax" => out.syntax = Some(value),
                        _ => {}
                    }
                    continue;
                }
                None => directives_done = true,
            }
        }
        if trimmed.starts_with('#') {
            continue;
        }
        let escape = out.escape;
        let (first, mut end) = trim_continuation(trimmed, escape);
        if end && first.trim().is_empty() {
            continue;
        }
        let mut joined = first.to_string();
        while !end && i < lines.len() {
            let raw = lines[i];
            i += 1;
            let t = raw.trim_start();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let (cont, e) = trim_continuation(raw, escape);
            joined.push_str(cont);
            end = e;
        }
        if joined.trim().is_empty() {
            continue;
        }
        for marker in heredoc_markers(&joined) {
            let mut terminated = false;
            while i < lines.len() {
                let body = lines[i];
                i += 1;
                let candidate = if marker.chomp {
                    body.trim_start_matches('\t')
                } else {
                    body
                };
                if candidate == marker.name {
                    terminated = true;
                    break;
                }
            }
            if !terminated {
                out.problems.push(problem(
                    start,
                    format!("unterminated heredoc <<{}", marker.name),
                ));
            }
        }
        out.instructions.push(RawInstruction {
            line: start,
            text: joined,
        });
    }
    out
}

/// Matches `#[ \t]*name[ \t]*=[ \t]*value[ \t]*` for the known directives
/// (`syntax`, `escape`, `check`; names case-insensitive).
fn parse_directive(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix('#')?.trim_start_matches([' ', '\t']);
    if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let name_len = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let (name, rest) = rest.split_at(name_len);
    let value = rest
        .trim_start_matches([' ', '\t'])
        .strip_prefix('=')?
        .trim_matches([' ', '\t']);
    let name = name.to_ascii_lowercase();
    if value.is_empty() || !matches!(name.as_str(), "syntax" | "escape" | "check") {
        return None;
    }
    Some((name, value.to_string()))
}

/// Strips a trailing escape character (followed only by blanks). Returns the
/// line and whether the instruction ends here.
fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    match line.trim_end_matches([' ', '\t']).strip_suffix(escape) {
        Some(rest) => (rest, false),
        None => (line, true),
    }
}

/// Splits an instruction into its keyword and the rest (left-trimmed).
fn split_keyword(text: &str) -> (&str, &str) {
    let t = text.trim();
    match t.find(char::is_whitespace) {
        Some(p) => (&t[..p], t[p..].trim_start()),
        None => (t, ""),
    }
}

struct HeredocMarker {
    name: String,
    chomp: bool,
}

/// The heredocs opened by an instruction line (`RUN`, `COPY`, `ADD` in shell form).
fn heredoc_markers(line: &str) -> Vec<HeredocMarker> {
    if !line.contains("<<") {
        return Vec::new();
    }
    let (keyword, rest) = split_keyword(line);
    if !matches!(
        keyword.to_ascii_lowercase().as_str(),
        "run" | "copy" | "add"
    ) {
        return Vec::new();
    }
    let (_, args) = extract_flags(rest);
    if matches!(parse_json_args(args), JsonArgs::Strings(_)) {
        return Vec::new();
    }
    split_words(line, '\\')
        .iter()
        .filter_map(|w| parse_heredoc_word(w))
        .collect()
}

/// Matches BuildKit's `^(\d*)<<(-?)([^<]*)$` and unquotes the name.
fn parse_heredoc_word(word: &str) -> Option<HeredocMarker> {
    let rest = word
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let name = unquote(rest);
    if name.is_empty() {
        return None;
    }
    Some(HeredocMarker { name, chomp })
}

/// Removes shell quotes and backslash escapes (no variable expansion).
fn unquote(s: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => out.push(c),
            (_, '\\') => out.extend(chars.next()),
            (None, '\'' | '"') => quote = Some(c),
            (_, c) => out.push(c),
        }
    }
    out
}

/// Splits on whitespace outside quotes, keeping quotes and escapes in the
/// words (BuildKit's `parseWords`, used for `ARG`, `ENV` and heredoc lookup).
fn split_words(s: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut blank_ok = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(ch) = chars.next() {
        if let Some(q) = quote {
            if ch == q {
                quote = None;
                word.push(ch);
            } else if ch == escape && q != '\'' {
                match chars.next() {
                    Some(next) => {
                        word.push(ch);
                        word.push(next);
                    }
                    None => quote = None,
                }
            } else {
                word.push(ch);
            }
            continue;
        }
        if ch.is_whitespace() {
            if in_word && (blank_ok || !word.is_empty()) {
                words.push(std::mem::take(&mut word));
            }
            in_word = false;
            blank_ok = false;
            continue;
        }
        in_word = true;
        if ch == '\'' || ch == '"' {
            quote = Some(ch);
            blank_ok = true;
            word.push(ch);
        } else if ch == escape {
            if let Some(next) = chars.next() {
                word.push(ch);
                word.push(next);
            }
        } else {
            word.push(ch);
        }
    }
    if in_word && (blank_ok || !word.is_empty()) {
        words.push(word);
    }
    words
}

/// Extracts the leading `--flag[=value]` words of an instruction (quotes
/// removed, `\` escapes, a lone `--` ends the flags). Returns the flag words
/// and the rest of the line.
fn extract_flags(s: &str) -> (Vec<String>, &str) {
    let mut words = Vec::new();
    let mut chars = s.char_indices().peekable();
    loop {
        while chars.next_if(|&(_, c)| c.is_whitespace()).is_some() {}
        let Some(&(start, _)) = chars.peek() else {
            return (words, "");
        };
        if !s[start..].starts_with("--") {
            return (words, &s[start..]);
        }
        let mut word = String::new();
        let mut blank_ok = false;
        let mut quote: Option<char> = None;
        let mut end = None;
        while let Some((pos, c)) = chars.next() {
            if let Some(q) = quote {
                if c == q {
                    quote = None;
                } else if c == '\\' {
                    word.extend(chars.next().map(|(_, n)| n));
                } else {
                    word.push(c);
                }
                continue;
            }
            if c.is_whitespace() {
                end = Some(pos);
                break;
            }
            if c == '\'' || c == '"' {
                quote = Some(c);
                blank_ok = true;
            } else if c == '\\' {
                word.extend(chars.next().map(|(_, n)| n));
            } else {
                word.push(c);
            }
        }
        if word == "--" {
            return (words, end.map_or("", |p| &s[p..]));
        }
        if blank_ok || !word.is_empty() {
            words.push(word);
        }
        if end.is_none() {
            return (words, "");
        }
    }
}

/// Splits flag words into `(name, value)`; `--link` gives `("link", None)`.
fn parse_flag_words(words: &[String]) -> Vec<(String, Option<String>)> {
    words
        .iter()
        .map(|w| {
            let w = w.strip_prefix("--").unwrap_or(w);
            match w.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (w.to_string(), None),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// JSON (exec) form: a JSON array of strings.
// ---------------------------------------------------------------------------

enum JsonArgs {
    /// Not valid JSON: the instruction is in shell form.
    NotJson,
    /// Valid JSON array, but not all elements are strings (an error).
    NotStringArray,
    /// A JSON array of strings.
    Strings(Vec<String>),
}

fn parse_json_args(s: &str) -> JsonArgs {
    if !s.starts_with('[') {
        return JsonArgs::NotJson;
    }
    let mut p = JsonParser {
        b: s.as_bytes(),
        pos: 0,
    };
    match p.string_array() {
        Some((values, all_strings)) => {
            p.ws();
            if p.pos != p.b.len() {
                JsonArgs::NotJson
            } else if all_strings {
                JsonArgs::Strings(values)
            } else {
                JsonArgs::NotStringArray
            }
        }
        None => JsonArgs::NotJson,
    }
}

struct JsonParser<'a> {
    b: &'a [u8],
    pos: usize,
}

impl JsonParser<'_> {
    const MAX_DEPTH: usize = 256;

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn string_array(&mut self) -> Option<(Vec<String>, bool)> {
        self.ws();
        if !self.eat(b'[') {
            return None;
        }
        let mut values = Vec::new();
        let mut all_strings = true;
        self.ws();
        if self.eat(b']') {
            return Some((values, true));
        }
        loop {
            self.ws();
            if self.peek() == Some(b'"') {
                values.push(self.string()?);
            } else {
                self.value(1)?;
                all_strings = false;
            }
            self.ws();
            if self.eat(b',') {
                continue;
            }
            return if self.eat(b']') {
                Some((values, all_strings))
            } else {
                None
            };
        }
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        if depth > Self::MAX_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'[' => {
                self.pos += 1;
                self.ws();
                if self.eat(b']') {
                    return Some(());
                }
                loop {
                    self.value(depth + 1)?;
                    self.ws();
                    if !self.eat(b',') {
                        return self.eat(b']').then_some(());
                    }
                }
            }
            b'{' => {
                self.pos += 1;
                self.ws();
                if self.eat(b'}') {
                    return Some(());
                }
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return None;
                    }
                    self.string()?;
                    self.ws();
                    if !self.eat(b':') {
                        return None;
                    }
                    self.value(depth + 1)?;
                    self.ws();
                    if !self.eat(b',') {
                        return self.eat(b'}').then_some(());
                    }
                }
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.b.get(self.pos..)?.starts_with(word) {
            self.pos += word.len();
            Some(())
        } else {
            None
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Option<()> {
        self.eat(b'-');
        if !self.eat(b'0') && self.digits() == 0 {
            return None;
        }
        if self.eat(b'.') && self.digits() == 0 {
            return None;
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(())
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.b.get(self.pos..self.pos + 4)?;
        let text = std::str::from_utf8(digits).ok()?;
        let value = u32::from_str_radix(text, 16).ok()?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        Some(value)
    }

    fn string(&mut self) -> Option<String> {
        if !self.eat(b'"') {
            return None;
        }
        let mut buf: Vec<u8> = Vec::new();
        loop {
            let c = self.peek()?;
            self.pos += 1;
            match c {
                b'"' => return Some(String::from_utf8_lossy(&buf).into_owned()),
                b'\\' => {
                    let e = self.peek()?;
                    self.pos += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    };
                    let mut tmp = [0u8; 4];
                    buf.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                }
                c if c < 0x20 => return None,
                c => buf.push(c),
            }
        }
    }

    /// After `\u`: one code point, combining surrogate pairs (lone
    /// surrogates become U+FFFD, as in Go).
    fn unicode_escape(&mut self) -> Option<char> {
        let cp = self.hex4()?;
        if (0xD800..0xDC00).contains(&cp) {
            let save = self.pos;
            if self.b.get(self.pos..)?.starts_with(b"\\u") {
                self.pos += 2;
                if let Some(lo) = self.hex4() {
                    if (0xDC00..0xE000).contains(&lo) {
                        let combined = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        return Some(char::from_u32(combined).unwrap_or('\u{FFFD}'));
                    }
                }
                self.pos = save;
            }
            return Some('\u{FFFD}');
        }
        Some(char::from_u32(cp).unwrap_or('\u{FFFD}'))
    }
}

// ---------------------------------------------------------------------------
// Variable substitution (BuildKit's shell word processing, one word).
// ---------------------------------------------------------------------------

/// Variables in scope: `Some(value)` when known, `None` when declared but
/// with an unknown value.
type Scope = HashMap<String, Option<String>>;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Expanded {
    text: String,
    /// The first variable whose value was needed but is unknown.
    unresolved: Option<String>,
}

/// Processes one word like BuildKit's `ProcessWord`: quotes removed, escapes
/// applied, `$VAR`/`${VAR...}` substituted. `Err` is a syntax error.
fn expand(word: &str, escape: char, scope: &Scope) -> Result<Expanded, String> {
    let mut lexer = WordLexer {
        chars: word.chars().collect(),
        pos: 0,
        escape,
        scope,
        unresolved: None,
        depth: 0,
    };
    let text = lexer.until(None)?;
    Ok(Expanded {
        text,
        unresolved: lexer.unresolved,
    })
}

struct WordLexer<'a> {
    chars: Vec<char>,
    pos: usize,
    escape: char,
    scope: &'a Scope,
    unresolved: Option<String>,
    depth: usize,
}

impl WordLexer<'_> {
    const MAX_DEPTH: usize = 64;

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    fn mark(&mut self, name: &str) {
        if self.unresolved.is_none() {
            self.unresolved = Some(name.to_string());
        }
    }

    fn lookup(&self, name: &str) -> Option<String> {
        self.scope.get(name).cloned().flatten()
    }

    fn value_of(&mut self, name: &str) -> String {
        match self.lookup(name) {
            Some(v) => v,
            None => {
                self.mark(name);
                String::new()
            }
        }
    }

    fn until(&mut self, stop: Option<char>) -> Result<String, String> {
        let mut out = String::new();
        while let Some(ch) = self.peek() {
            if Some(ch) == stop {
                self.pos += 1;
                return Ok(out);
            }
            match ch {
                '\'' => out.push_str(&self.single_quote()?),
                '"' => out.push_str(&self.double_quote()?),
                '$' => out.push_str(&self.dollar()?),
                _ => {
                    self.pos += 1;
                    if ch == self.escape {
                        match self.next() {
                            Some(n) => out.push(n),
                            None => break,
                        }
                    } else {
                        out.push(ch);
                    }
                }
            }
        }
        match stop {
            Some(s) => Err(format!(
                "unexpected end of statement while looking for matching {s}"
            )),
            None => Ok(out),
        }
    }

    fn single_quote(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .to_string(),
                    )
                }
                Some('\'') => return Ok(out),
                Some(c) => out.push(c),
            }
        }
    }

    fn double_quote(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .to_string(),
                    )
                }
                Some('"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some('$') => out.push_str(&self.dollar()?),
                Some(c) => {
                    self.pos += 1;
                    if c == self.escape {
                        match self.peek() {
                            None => continue,
                            Some(n) if n == '"' || n == '$' || n == self.escape => {
                                self.pos += 1;
                                out.push(n);
                            }
                            Some(_) => out.push(c),
                        }
                    } else {
                        out.push(c);
                    }
                }
            }
        }
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        match self.peek() {
            Some(c) if c.is_ascii_digit() => {
                while let Some(d) = self.peek().filter(char::is_ascii_digit) {
                    name.push(d);
                    self.pos += 1;
                }
                return name;
            }
            Some(c @ ('*' | '#' | '@' | '?' | '-' | '$' | '!')) => {
                self.pos += 1;
                return c.to_string();
            }
            _ => {}
        }
        while let Some(c) = self.peek().filter(|c| c.is_alphanumeric() || *c == '_') {
            name.push(c);
            self.pos += 1;
        }
        name
    }

    fn dollar(&mut self) -> Result<String, String> {
        self.pos += 1;
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".to_string());
            }
            return Ok(self.value_of(&name));
        }
        self.pos += 1;
        match self.peek() {
            None => return Err("syntax error: missing '}'".to_string()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".to_string()),
            _ => {}
        }
        if self.depth >= Self::MAX_DEPTH {
            return Err("variable substitution nested too deeply".to_string());
        }
        self.depth += 1;
        let result = self.braced();
        self.depth -= 1;
        result
    }

    /// After `${`: the name, then `}` or a modifier and its word.
    fn braced(&mut self) -> Result<String, String> {
        let name = self.name();
        let ch = self
            .next()
            .ok_or_else(|| "syntax error: missing '}'".to_string())?;
        match ch {
            '}' => Ok(self.value_of(&name)),
            ':' | '-' | '+' | '?' => {
                let colon = ch == ':';
                let modifier = if colon {
                    self.next()
                        .ok_or_else(|| "syntax error: missing '}'".to_string())?
                } else {
                    ch
                };
                // The word's own unknown variables only matter if it is used.
                let outer = self.unresolved.take();
                let word = self.until(Some('}'))?;
                let word_unresolved = std::mem::replace(&mut self.unresolved, outer);
                let Some(value) = self.lookup(&name) else {
                    if matches!(modifier, '-' | '+' | '?') {
                        self.mark(&name);
                        return Ok(String::new());
                    }
                    return Err(format!("unsupported modifier ({modifier}) in substitution"));
                };
                let use_word = match modifier {
                    '-' => colon && value.is_empty(),
                    '+' => !(colon && value.is_empty()),
                    '?' if colon && value.is_empty() => {
                        let msg = if word.is_empty() {
                            "is not allowed to be empty"
                        } else {
                            word.as_str()
                        };
                        return Err(format!("{name}: {msg}"));
                    }
                    '?' => false,
                    m => return Err(format!("unsupported modifier ({m}) in substitution")),
                };
                if !use_word {
                    return Ok(if modifier == '+' {
                        String::new()
                    } else {
                        value
                    });
                }
                if let Some(u) = word_unresolved {
                    self.mark(&u);
                }
                Ok(word)
            }
            '#' | '%' | '/' => {
                // Pattern removal / replacement: not evaluated here.
                let outer = self.unresolved.take();
                self.until(Some('}'))?;
                self.unresolved = outer;
                self.mark(&name);
                Ok(String::new())
            }
            other => Err(format!("unsupported modifier ({other}) in substitution")),
        }
    }
}

// ---------------------------------------------------------------------------
// Paths.
// ---------------------------------------------------------------------------

/// Normalises a source relative to the context root (`.` = whole context).
fn normalize_path(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// Whether a path holds an unescaped Go `filepath.Match` meta character.
fn has_wildcard(p: &str) -> bool {
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '*' | '?' | '[' => return true,
            _ => {}
        }
    }
    false
}

fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

fn is_git_ref(s: &str) -> bool {
    s.starts_with("git@") || s.starts_with("git://") || s.starts_with("ssh://")
}

fn is_bool(s: &str) -> bool {
    s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
}

/// Splits a `--mount` value like Go's `encoding/csv` (one record).
fn split_csv(s: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.next_if_eq(&'"').is_some() {
            loop {
                match chars.next() {
                    None => return Err("extraneous or missing \" in quoted field".to_string()),
                    Some('"') if chars.next_if_eq(&'"').is_some() => field.push('"'),
                    Some('"') => break,
                    Some(c) => field.push(c),
                }
            }
            fields.push(field);
            match chars.next() {
                None => return Ok(fields),
                Some(',') => continue,
                Some(_) => return Err("extraneous or missing \" in quoted field".to_string()),
            }
        }
        loop {
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some(',') => break,
                Some('"') => return Err("bare \" in non-quoted field".to_string()),
                Some(c) => field.push(c),
            }
        }
        fields.push(field);
    }
}

fn problem(line: usize, message: impl Into<String>) -> Problem {
    Problem {
        line,
        message: message.into(),
    }
}

// ---------------------------------------------------------------------------
// Building stages from instructions.
// ---------------------------------------------------------------------------

/// Platform ARGs BuildKit provides automatically in the global scope; their
/// values are only known when the caller passes them as build args.
const AUTOMATIC_ARGS: [&str; 8] = [
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// A `--from` / `from=` reference, resolved once all stage names are known.
struct StageRef {
    stage: usize,
    line: usize,
    value: String,
}

struct Builder {
    escape: char,
    build_args: HashMap<String, String>,
    /// Global (meta) ARGs, declared before the first FROM.
    meta: Scope,
    stages: Vec<Stage>,
    /// The variables of each stage, at the current point (final once the
    /// stage is over).
    scopes: Vec<Scope>,
    refs: Vec<StageRef>,
    problems: Vec<Problem>,
}

impl Builder {
    fn new(escape: char, build_args: &[(String, String)]) -> Self {
        let build_args: HashMap<String, String> = build_args.iter().cloned().collect();
        let meta = AUTOMATIC_ARGS
            .iter()
            .filter_map(|&n| Some((n.to_string(), Some(build_args.get(n)?.clone()))))
            .collect();
        Builder {
            escape,
            build_args,
            meta,
            stages: Vec::new(),
            scopes: Vec::new(),
            refs: Vec::new(),
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, line: usize, message: impl Into<String>) {
        self.problems.push(problem(line, message));
    }

    fn take_scope(&mut self) -> Scope {
        match self.scopes.last_mut() {
            Some(s) => std::mem::take(s),
            None => std::mem::take(&mut self.meta),
        }
    }

    fn put_scope(&mut self, scope: Scope) {
        match self.scopes.last_mut() {
            Some(s) => *s = scope,
            None => self.meta = scope,
        }
    }

    /// Expands `text`; `None` when a variable is unknown or on a syntax
    /// error (reported).
    fn eval(&mut self, text: &str, scope: &Scope, line: usize) -> Option<String> {
        match expand(text, self.escape, scope) {
            Ok(e) if e.unresolved.is_none() => Some(e.text),
            Ok(_) => None,
            Err(m) => {
                self.problem(line, format!("{text:?}: {m}"));
                None
            }
        }
    }

    /// Expands `text`, keeping it as written when it cannot be resolved.
    fn eval_or_raw(&mut self, text: &str, scope: &Scope, line: usize) -> String {
        self.eval(text, scope, line)
            .unwrap_or_else(|| text.to_string())
    }

    /// Builds a [`Source`]; `None` (reported) on a syntax error.
    fn source(&mut self, raw: &str, scope: &Scope, line: usize) -> Option<(Source, bool)> {
        let expanded = match expand(raw, self.escape, scope) {
            Ok(e) => e,
            Err(m) => {
                self.problem(line, format!("source {raw:?}: {m}"));
                return None;
            }
        };
        let resolved = expanded.unresolved.is_none();
        let basis = if resolved {
            expanded.text.as_str()
        } else {
            raw
        };
        Some((
            Source {
                original: raw.to_string(),
                path: normalize_path(basis),
                has_wildcard: has_wildcard(basis),
                unresolved: expanded.unresolved.clone(),
            },
            resolved,
        ))
    }

    /// Records a `--from`/`from=` reference of the current stage. Returns
    /// false when the value expands to nothing (meaning: no `--from`).
    fn stage_ref(&mut self, raw: &str, scope: &Scope, line: usize, what: &str) -> bool {
        match expand(raw, self.escape, scope) {
            Ok(e) if e.unresolved.is_none() => {
                if e.text.is_empty() {
                    return false;
                }
                self.refs.push(StageRef {
                    stage: self.stages.len() - 1,
                    line,
                    value: e.text,
                });
            }
            Ok(e) => self.problem(
                line,
                format!(
                    "{what}={raw}: variable {} has no known value; the stage dependency is unknown",
                    e.unresolved.unwrap_or_default()
                ),
            ),
            Err(m) => self.problem(line, format!("{what}={raw}: {m}")),
        }
        true
    }

    fn instruction(&mut self, inst: &RawInstruction) {
        let (keyword, rest) = split_keyword(&inst.text);
        let keyword = keyword.to_ascii_lowercase();
        let line = inst.line;
        if self.stages.is_empty() && keyword != "from" && keyword != "arg" {
            self.problem(
                line,
                format!(
                    "{} instruction before the first FROM",
                    keyword.to_ascii_uppercase()
                ),
            );
            return;
        }
        match keyword.as_str() {
            "from" => self.from(line, rest),
            "arg" => self.arg(line, rest),
            "env" => self.env(line, rest),
            "copy" => self.copy(inst, rest, ReadKind::Copy),
            "add" => self.copy(inst, rest, ReadKind::Add),
            "run" => self.run(inst, rest),
            "cmd" | "label" | "maintainer" | "expose" | "entrypoint" | "volume" | "user"
            | "workdir" | "onbuild" | "stopsignal" | "healthcheck" | "shell" => {}
            other => self.problem(
                line,
                format!("unknown instruction: {}", other.to_uppercase()),
            ),
        }
    }

    fn from(&mut self, line: usize, rest: &str) {
        let (flag_words, rest) = extract_flags(rest);
        let mut platform_raw = None;
        for (name, value) in parse_flag_words(&flag_words) {
            match (name.as_str(), value) {
                ("platform", Some(v)) => platform_raw = Some(v),
                (n, _) => self.problem(line, format!("FROM: unknown or invalid flag --{n}")),
            }
        }
        let args: Vec<&str> = rest.split_whitespace().collect();
        let (image, name) = match args.as_slice() {
            [image] => (*image, None),
            [image, as_kw, name] if as_kw.eq_ignore_ascii_case("as") => {
                (*image, Some(name.to_ascii_lowercase()))
            }
            _ => {
                self.problem(line, "FROM requires either one or three arguments");
                (args.first().copied().unwrap_or(""), None)
            }
        };
        let meta = std::mem::take(&mut self.meta);
        let base = match expand(image, self.escape, &meta) {
            Ok(e) if e.unresolved.is_none() => e.text,
            Ok(e) => {
                self.problem(
                    line,
                    format!(
                        "base {image:?}: variable {} has no known value",
                        e.unresolved.unwrap_or_default()
                    ),
                );
                image.to_string()
            }
            Err(m) => {
                self.problem(line, format!("base {image:?}: {m}"));
                image.to_string()
            }
        };
        let platform = platform_raw.map(|p| match expand(&p, self.escape, &meta) {
            Ok(e) if e.unresolved.is_none() => e.text,
            _ => p,
        });
        self.meta = meta;
        if let Some(n) = &name {
            let valid = n.starts_with(|c: char| c.is_ascii_lowercase())
                && n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c));
            if !valid {
                self.problem(line, format!("invalid name for build stage: {n:?}"));
            }
            if self.stages.iter().any(|s| s.name.as_ref() == Some(n)) {
                self.problem(line, format!("duplicate stage name {n:?}"));
            }
        }
        let base_lower = base.to_ascii_lowercase();
        let base_stage = self
            .stages
            .iter()
            .position(|s| s.name.as_deref() == Some(base_lower.as_str()));
        // A stage built on another stage inherits its ENV (and ARG) values.
        let scope = base_stage
            .map(|b| self.scopes[b].clone())
            .unwrap_or_default();
        self.stages.push(Stage {
            index: self.stages.len(),
            name,
            base,
            base_stage,
            platform,
            line,
            reads: Vec::new(),
            depends_on: base_stage.into_iter().collect(),
        });
        self.scopes.push(scope);
    }

    fn arg(&mut self, line: usize, rest: &str) {
        let words = split_words(rest, self.escape);
        if words.is_empty() {
            self.problem(line, "ARG requires at least one argument");
            return;
        }
        let in_stage = !self.stages.is_empty();
        let mut scope = self.take_scope();
        for word in &words {
            let (name, default) = match word.split_once('=') {
                Some((n, d)) => (n, Some(d)),
                None => (word.as_str(), None),
            };
            if name.is_empty() {
                self.problem(line, format!("ARG {word:?}: missing name"));
                continue;
            }
            let value = if let Some(v) = self.build_args.get(name) {
                Some(v.clone())
            } else if let Some(d) = default {
                self.eval(d, &scope, line)
            } else if in_stage {
                self.meta.get(name).cloned().flatten()
            } else {
                None
            };
            scope.insert(name.to_string(), value);
        }
        self.put_scope(scope);
    }

    fn env(&mut self, line: usize, rest: &str) {
        let words = split_words(rest, self.escape);
        let Some(first) = words.first() else {
            self.problem(line, "ENV requires at least one argument");
            return;
        };
        let mut scope = self.take_scope();
        if !first.contains('=') {
            // Legacy form: ENV NAME value with spaces
            match rest.trim().split_once(char::is_whitespace) {
                Some((name, value)) => {
                    let v = self.eval(value.trim_start(), &scope, line);
                    scope.insert(name.to_string(), v);
                }
                None => self.problem(line, "ENV must have two arguments"),
            }
        } else {
            for word in &words {
                match word.split_once('=') {
                    Some((name, value)) => {
                        let v = self.eval(value, &scope, line);
                        scope.insert(name.to_string(), v);
                    }
                    None => self.problem(
                        line,
                        format!("ENV: can't find = in {word:?}; must be of the form name=value"),
                    ),
                }
            }
        }
        self.put_scope(scope);
    }

    fn copy(&mut self, inst: &RawInstruction, rest: &str, kind: ReadKind) {
        let line = inst.line;
        let is_add = kind == ReadKind::Add;
        let what = if is_add { "ADD" } else { "COPY" };
        let (flag_words, rest) = extract_flags(rest);
        let mut from = None;
        let mut excludes_raw = Vec::new();
        for (name, value) in parse_flag_words(&flag_words) {
            match (name.as_str(), value) {
                ("from", Some(v)) => {
                    if is_add {
                        self.problem(line, "ADD does not support --from");
                    }
                    from = Some(v);
                }
                ("exclude", Some(v)) => excludes_raw.push(v),
                ("chown" | "chmod", Some(_)) => {}
                ("checksum", Some(_)) if is_add => {}
                ("link" | "parents", v) => self.check_bool(line, what, &name, v.as_deref()),
                ("keep-git-dir" | "unpack", v) if is_add => {
                    self.check_bool(line, what, &name, v.as_deref())
                }
                ("from" | "exclude" | "chown" | "chmod", None) => {
                    self.problem(line, format!("{what}: missing a value on flag --{name}"))
                }
                ("checksum", None) if is_add => {
                    self.problem(line, format!("{what}: missing a value on flag --{name}"))
                }
                _ => self.problem(line, format!("{what}: unknown flag --{name}")),
            }
        }
        let (args, json) = match parse_json_args(rest) {
            JsonArgs::Strings(v) => (v, true),
            JsonArgs::NotStringArray => {
                self.problem(
                    line,
                    format!("{what}: JSON form must be an array of strings"),
                );
                return;
            }
            JsonArgs::NotJson => (rest.split_whitespace().map(str::to_string).collect(), false),
        };
        let Some((dest_raw, sources_raw)) = args.split_last().filter(|(_, s)| !s.is_empty()) else {
            self.problem(line, format!("{what} requires at least two arguments"));
            return;
        };
        if !json && parse_heredoc_word(dest_raw).is_some() {
            self.problem(line, format!("{what}: a heredoc cannot be the destination"));
        }
        let scope = self.take_scope();
        if let Some(f) = &from {
            if self.stage_ref(f, &scope, line, "--from") {
                self.put_scope(scope);
                return;
            }
        }
        let mut sources = Vec::new();
        for raw in sources_raw {
            if !json && parse_heredoc_word(raw).is_some() {
                continue; // inline content
            }
            let Some((source, resolved)) = self.source(raw, &scope, line) else {
                continue;
            };
            if resolved {
                let text = expand(raw, self.escape, &scope)
                    .map(|e| e.text)
                    .unwrap_or_default();
                if is_url(&text) {
                    if !is_add {
                        self.problem(line, format!("COPY: source can't be a URL: {text}"));
                    }
                    continue;
                }
                if is_add && is_git_ref(&text) {
                    continue;
                }
            }
            sources.push(source);
        }
        let excludes = excludes_raw
            .iter()
            .map(|e| self.eval_or_raw(e, &scope, line))
            .collect();
        let dest = self.eval_or_raw(dest_raw, &scope, line);
        self.put_scope(scope);
        if sources.is_empty() {
            return;
        }
        self.push_read(ContextRead {
            kind,
            line,
            instruction: inst.text.trim().to_string(),
            sources,
            dest: Some(dest),
            excludes,
        });
    }

    fn check_bool(&mut self, line: usize, what: &str, name: &str, value: Option<&str>) {
        if let Some(v) = value.filter(|v| !is_bool(v)) {
            self.problem(
                line,
                format!("{what}: expecting boolean value for flag --{name}, not {v:?}"),
            );
        }
    }

    fn push_read(&mut self, read: ContextRead) {
        if let Some(stage) = self.stages.last_mut() {
            stage.reads.push(read);
        }
    }

    fn run(&mut self, inst: &RawInstruction, rest: &str) {
        let (flag_words, _) = extract_flags(rest);
        for (name, value) in parse_flag_words(&flag_words) {
            match (name.as_str(), value) {
                ("mount", Some(v)) => self.mount(inst, &v),
                ("network" | "security" | "device", Some(_)) => {}
                (n, None) if matches!(n, "mount" | "network" | "security" | "device") => {
                    self.problem(inst.line, format!("RUN: missing a value on flag --{n}"))
                }
                (n, _) => self.problem(inst.line, format!("RUN: unknown flag --{n}")),
            }
        }
    }

    fn mount(&mut self, inst: &RawInstruction, spec: &str) {
        let line = inst.line;
        let fields = match split_csv(spec) {
            Ok(f) => f,
            Err(m) => {
                self.problem(line, format!("--mount={spec}: {m}"));
                return;
            }
        };
        let mut kind = "bind".to_string();
        let mut from = None;
        let mut source = None;
        let mut target = None;
        for field in fields.iter().filter(|f| !f.trim().is_empty()) {
            let (key, value) = match field.split_once('=') {
                Some((k, v)) => (k.trim().to_ascii_lowercase(), Some(v.to_string())),
                None => (field.trim().to_ascii_lowercase(), None),
            };
            match (key.as_str(), value) {
                ("type", Some(t)) => {
                    let t = t.to_ascii_lowercase();
                    if !matches!(t.as_str(), "bind" | "cache" | "tmpfs" | "secret" | "ssh") {
                        self.problem(line, format!("--mount: unsupported mount type {t:?}"));
                        return;
                    }
                    kind = t;
                }
                ("from", Some(v)) => from = Some(v),
                ("source" | "src", Some(v)) => source = Some(v),
                ("target" | "dst" | "destination", Some(v)) => target = Some(v),
                ("readonly" | "ro" | "readwrite" | "rw" | "required", v) => {
                    self.check_bool(line, "RUN --mount", &key, v.as_deref())
                }
                ("id" | "sharing" | "mode" | "uid" | "gid" | "size" | "env", Some(_)) => {}
                _ => self.problem(line, format!("--mount: unexpected key {field:?}")),
            }
        }
        let scope = self.take_scope();
        if let Some(f) = &from {
            if kind != "secret" && kind != "ssh" && self.stage_ref(f, &scope, line, "from") {
                self.put_scope(scope);
                return;
            }
        }
        if kind != "bind" {
            self.put_scope(scope);
            return;
        }
        let raw = source.unwrap_or_else(|| ".".to_string());
        let read_source = self.source(&raw, &scope, line);
        let dest = target.map(|t| self.eval_or_raw(&t, &scope, line));
        self.put_scope(scope);
        if let Some((source, _)) = read_source {
            self.push_read(ContextRead {
                kind: ReadKind::BindMount,
                line,
                instruction: inst.text.trim().to_string(),
                sources: vec![source],
                dest,
                excludes: Vec::new(),
            });
        }
    }

    fn finish(mut self, syntax: Option<String>) -> Dockerfile {
        let refs = std::mem::take(&mut self.refs);
        for r in refs {
            let target = match r.value.parse::<usize>() {
                Ok(n) if n < self.stages.len() => Some(n),
                Ok(n) => {
                    self.problem(r.line, format!("invalid stage index {n}"));
                    None
                }
                Err(_) => {
                    let wanted = r.value.to_ascii_lowercase();
                    self.stages
                        .iter()
                        .position(|s| s.name.as_deref() == Some(wanted.as_str()))
                }
            };
            match target {
                Some(t) if t == r.stage => self.problem(
                    r.line,
                    format!("circular dependency: stage {} refers to itself", r.stage),
                ),
                Some(t) => self.stages[r.stage].depends_on.push(t),
                None => {} // an external image
            }
        }
        for stage in &mut self.stages {
            stage.depends_on.sort_unstable();
            stage.depends_on.dedup();
        }
        self.problems.sort_by_key(|p| p.line);
        Dockerfile {
            escape: self.escape,
            syntax,
            stages: self.stages,
            problems: self.problems,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Build args in test tables.
    type Pairs = &'static [(&'static str, &'static str)];
    /// Expected `(path, unresolved variable)` per source.
    type Unresolved = &'static [(&'static str, Option<&'static str>)];
    /// Expected result of `reachable_stages`.
    type Reach = Result<Vec<usize>, TargetError>;
    type Opt = Option<&'static str>;
    /// Expected expansion: `(text, unresolved)`, or `Err` for a syntax error.
    type Want = Result<(&'static str, Opt), ()>;

    fn args(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn all_sources(df: &Dockerfile) -> Vec<&Source> {
        df.stages
            .iter()
            .flat_map(|s| &s.reads)
            .flat_map(|r| &r.sources)
            .collect()
    }

    fn paths(df: &Dockerfile) -> Vec<String> {
        all_sources(df).iter().map(|s| s.path.clone()).collect()
    }

    #[test]
    fn context_paths() {
        #[rustfmt::skip]
        let cases: &[(&str, &str, Pairs, &[&str])] = &[
            ("shell form", "FROM a\nCOPY a b ./dest/\n", &[], &["a", "b"]),
            ("json form", "FROM a\nCOPY [\"a b\", \"c\", \"/dest\"]\n", &[], &["a b", "c"]),
            ("json escapes", "FROM a\nCOPY [\"d\\u0069r\\/x\", \"/d\"]", &[], &["dir/x"]),
            ("json spacing", "FROM a\nCOPY [ \"a\" , \"/d\" ] ", &[], &["a"]),
            ("invalid json is shell form", "FROM a\nCOPY [a-z]* /d/", &[], &["[a-z]*"]),
            ("quotes in shell words", "FROM a\nCOPY \"a\" 'b' /d", &[], &["a", "b"]),
            ("copy flags", "FROM a\nCOPY --chown=1:1 --chmod=755 --link --link=false --parents --exclude=*.md --exclude=x a /d", &[], &["a"]),
            ("add flags", "FROM a\nADD --checksum=sha256:abc --keep-git-dir=true --unpack=false --link a.tar /d", &[], &["a.tar"]),
            ("quoted flag value", "FROM a\nCOPY --chown=\"1 1\" a /d", &[], &["a"]),
            ("from stage", "FROM a AS b\nFROM c\nCOPY --from=b x /y\nCOPY z /w", &[], &["z"]),
            ("from index", "FROM a\nCOPY --from=0 x /y", &[], &[]),
            ("from image", "FROM a\nCOPY --from=alpine:3 /etc/x /y", &[], &[]),
            ("empty from is context", "FROM a\nCOPY --from= x /y", &[], &["x"]),
            ("add urls", "FROM a\nADD https://example.com/a.tgz http://x/y local /d/", &[], &["local"]),
            ("add git", "FROM a\nADD git@github.com:a/b.git /s\nADD https://github.com/a/b.git#main /s\nADD git://h/r /s\nADD ssh://git@h/r /s", &[], &[]),
            ("continuation", "FROM a\nCOPY a \\\n  b \\\n  /d/\n", &[], &["a", "b"]),
            ("continuation blanks after", "FROM a\nCOPY a \\  \t\n b /d", &[], &["a", "b"]),
            ("backtick escape", "# escape=`\nFROM a\nCOPY a `\n b /d\n", &[], &["a", "b"]),
            ("backslash literal under backtick", "# escape=`\nFROM a\nCOPY dir\\sub /d", &[], &["dir\\sub"]),
            ("comments in continuation", "FROM a\nCOPY a \\\n# c\n   # indented\n b /d", &[], &["a", "b"]),
            ("empty lines in continuation", "FROM a\nCOPY a \\\n\n   \n b /d", &[], &["a", "b"]),
            ("copy heredoc", "FROM a\nCOPY <<EOF /d\nCOPY fake /x\nEOF\nCOPY real /z\n", &[], &["real"]),
            ("run heredoc", "FROM a\nRUN <<EOF\nCOPY fake /x\nEOF\nCOPY real /z", &[], &["real"]),
            ("chomp heredoc", "FROM a\nCOPY <<-EOF /d\n\tCOPY fake /x\n\tEOF\nCOPY real /z", &[], &["real"]),
            ("quoted heredocs", "FROM a\nCOPY <<\"EOF\" /d\nCOPY f /x\nEOF\nRUN cat <<'E2'\nCOPY g /x\nE2\nCOPY real /z", &[], &["real"]),
            ("two heredocs", "FROM a\nRUN <<A <<B\nCOPY f1 /x\nA\nCOPY f2 /x\nB\nCOPY real /z", &[], &["real"]),
            ("heredoc and context source", "FROM a\nCOPY <<EOF ctx.txt /d/\nbody\nEOF\n", &[], &["ctx.txt"]),
            ("heredoc in json run is not one", "FROM a\nRUN [\"sh\", \"<<EOF\"]\nCOPY real /z\nEOF", &[], &["real"]),
            ("mount default type", "FROM a\nRUN --mount=target=/src make", &[], &["."]),
            ("mount bind source", "FROM a\nRUN --mount=type=bind,source=src,target=/s make", &[], &["src"]),
            ("mount src rw", "FROM a\nRUN --mount=type=bind,src=./a/b,target=/s,rw true", &[], &["a/b"]),
            ("mount readonly", "FROM a\nRUN --mount=type=bind,source=x,target=/x,readonly,ro=true true", &[], &["x"]),
            ("mount from stage", "FROM a AS build\nFROM b\nRUN --mount=type=bind,from=build,source=/out,target=/o true", &[], &[]),
            ("mount from no type", "FROM a\nRUN --mount=from=alpine,target=/o true", &[], &[]),
            ("other mounts", "FROM a\nRUN --mount=type=cache,target=/c --mount=type=secret,id=s --mount=type=ssh --mount=type=tmpfs,target=/t true", &[], &[]),
            ("two bind mounts", "FROM a\nRUN --mount=source=x,target=/x --mount=type=bind,source=y,target=/y --network=none true", &[], &["x", "y"]),
            ("arg", "FROM a\nARG DIR=src\nCOPY $DIR ${DIR}/x /d", &[], &["src", "src/x"]),
            ("arg forms", "FROM a\nARG E= S=set\nCOPY ${E:-def} ${S:-def} a${E-def} ${S:+alt} ${E:+alt}x ${S+alt} b${E+alt} /d", &[], &["def", "set", "a", "alt", "x", "alt", "balt"]),
            ("escaped dollar", "FROM a\nARG HOME=h\nCOPY \\$HOME '$HOME' \"$HOME\" /d", &[], &["$HOME", "$HOME", "h"]),
            ("global arg redeclared", "ARG V=1\nFROM a\nARG V\nCOPY f$V /d", &[], &["f1"]),
            ("build arg overrides global", "ARG V=1\nFROM a\nARG V\nCOPY f$V /d", &[("V", "2")], &["f2"]),
            ("build arg overrides stage default", "FROM a\nARG V=1\nCOPY f$V /d", &[("V", "3")], &["f3"]),
            ("stage default wins over global", "ARG V=1\nFROM a\nARG V=5\nCOPY f$V /d", &[], &["f5"]),
            ("global args chain", "ARG A=x\nARG B=${A}y\nFROM a\nARG B\nCOPY $B /d", &[], &["xy"]),
            ("env", "FROM a\nENV D=dir E=\"two words\"\nCOPY $D /d\nCOPY [\"$E\", \"/d\"]", &[], &["dir", "two words"]),
            ("legacy env", "FROM a\nENV D dir name\nCOPY [\"$D\", \"/d\"]", &[], &["dir name"]),
            ("env overrides arg later", "FROM a\nARG D=x\nENV D=y\nCOPY $D /d", &[], &["y"]),
            ("env inherited by child stage", "FROM a AS base\nENV D=x\nFROM base\nCOPY $D /d", &[], &["x"]),
            ("env from arg", "FROM a\nARG V=1\nENV W=v$V\nCOPY $W /d", &[], &["v1"]),
            ("crlf", "FROM a\r\nCOPY a \\\r\n b /d\r\n", &[], &["a", "b"]),
            ("bom", "\u{feff}FROM a\nCOPY a /d", &[], &["a"]),
            ("case-insensitive", "from a\ncopy a /d\nAdd b /d\nrUn --mount=target=/x true", &[], &["a", "b", "."]),
            ("wildcards kept", "FROM a\nCOPY *.txt dir/?.md [ab].c /d", &[], &["*.txt", "dir/?.md", "[ab].c"]),
            ("dotdot clamped", "FROM a\nCOPY ../../x a/../../b ./c/../d /d", &[], &["x", "b", "d"]),
            ("copy dot dot", "FROM a\nCOPY . .", &[], &["."]),
            ("root forms", "FROM a\nCOPY ./ / /x/", &[], &[".", "."]),
            ("trailing slash and leading slash", "FROM a\nCOPY dir/ /abs/p /d", &[], &["dir", "abs/p"]),
            ("add --from is not context", "FROM a AS s\nFROM b\nADD --from=s x /y", &[], &[]),
            ("instruction after heredoc body", "FROM a\nRUN <<EOF\nx\nEOF\nCOPY y /z", &[], &["y"]),
        ];
        for (name, text, build, want) in cases {
            let df = parse(text, &args(build));
            assert_eq!(paths(&df), *want, "case {name}: {:?}", df.problems);
        }
    }

    #[test]
    fn unresolved_sources() {
        #[rustfmt::skip]
        let cases: &[(&str, &str, Pairs, Unresolved)] = &[
            ("never declared", "FROM a\nCOPY $NOPE /d", &[], &[("$NOPE", Some("NOPE"))]),
            ("declared without value", "FROM a\nARG X\nCOPY ${X}/f /d", &[], &[("${X}/f", Some("X"))]),
            ("default form unknown", "FROM a\nARG X\nCOPY ${X:-d} /d", &[], &[("${X:-d}", Some("X"))]),
            ("build arg gives value", "FROM a\nARG X\nCOPY $X /d", &[("X", "v")], &[("v", None)]),
            ("build arg without ARG", "FROM a\nCOPY $X /d", &[("X", "v")], &[("$X", Some("X"))]),
            ("global not redeclared", "ARG G=1\nFROM a\nCOPY $G /d", &[], &[("$G", Some("G"))]),
            ("unused alternative", "FROM a\nARG S=1\nCOPY ${S:-$NOPE} /d", &[], &[("1", None)]),
            ("used alternative", "FROM a\nARG S=\nCOPY ${S:-$NOPE} /d", &[], &[("${S:-$NOPE}", Some("NOPE"))]),
            ("arg ends with stage", "FROM a\nARG X=1\nFROM b\nCOPY $X /d", &[], &[("$X", Some("X"))]),
            ("env from unknown", "FROM a\nENV A=$U\nCOPY $A /d", &[], &[("$A", Some("A"))]),
            ("platform arg", "FROM a\nARG TARGETARCH\nCOPY bin/$TARGETARCH /d", &[], &[("bin/$TARGETARCH", Some("TARGETARCH"))]),
            ("platform arg given", "FROM a\nARG TARGETARCH\nCOPY bin/$TARGETARCH /d", &[("TARGETARCH", "arm64")], &[("bin/arm64", None)]),
            ("pattern modifier", "FROM a\nARG V=1.2\nCOPY ${V%.*} /d", &[], &[("${V%.*}", Some("V"))]),
            ("mount source", "FROM a\nRUN --mount=source=$S,target=/x true", &[], &[("$S", Some("S"))]),
        ];
        for (name, text, build, want) in cases {
            let df = parse(text, &args(build));
            let got: Vec<(&str, Option<&str>)> = all_sources(&df)
                .iter()
                .map(|s| (s.path.as_str(), s.unresolved.as_deref()))
                .collect();
            assert_eq!(got, *want, "case {name}");
        }
    }

    #[test]
    fn wildcard_flags() {
        let cases: &[(&str, bool)] = &[
            ("*.txt", true),
            ("a?", true),
            ("[ab]", true),
            ("plain/path", false),
            ("\"a\\*\"", false),
            ("a\\*", true),
            (".", false),
        ];
        for (src, want) in cases {
            let df = parse(&format!("FROM a\nCOPY {src} /d"), &[]);
            let s = all_sources(&df);
            assert_eq!(s[0].has_wildcard, *want, "source {src}");
        }
    }

    #[test]
    fn dependencies() {
        #[rustfmt::skip]
        let cases: &[(&str, &str, &[&[usize]])] = &[
            ("from chain", "FROM a AS one\nFROM one AS two\nFROM two", &[&[], &[0], &[1]]),
            ("copy from name case-insensitive", "FROM a AS b\nFROM c\nCOPY --from=B x y", &[&[], &[0]]),
            ("copy from index", "FROM a\nFROM c\nCOPY --from=0 x y", &[&[], &[0]]),
            ("copy from image", "FROM a\nCOPY --from=alpine:3 x y", &[&[]]),
            ("mount from", "FROM a AS b\nFROM c\nRUN --mount=from=b,target=/x true", &[&[], &[0]]),
            ("cache mount from", "FROM a AS b\nFROM c\nRUN --mount=type=cache,from=b,target=/x true", &[&[], &[0]]),
            ("secret from ignored", "FROM a AS b\nFROM c\nRUN --mount=type=secret,id=x,from=b true", &[&[], &[]]),
            ("stage name upper case", "FROM a AS Build\nFROM build", &[&[], &[0]]),
            ("from arg in stage", "FROM a AS b\nFROM c\nARG S=b\nCOPY --from=$S x y", &[&[], &[0]]),
            ("global arg base", "ARG BASE=b\nFROM x AS b\nFROM ${BASE}", &[&[], &[0]]),
            ("later stage in copy from", "FROM a AS x\nCOPY --from=y a b\nFROM a AS y", &[&[1], &[]]),
            ("dedup", "FROM a AS x\nFROM x\nCOPY --from=x a b\nCOPY --from=0 a b", &[&[], &[0]]),
        ];
        for (name, text, want) in cases {
            let df = parse(text, &[]);
            let got: Vec<&[usize]> = df.stages.iter().map(|s| s.depends_on.as_slice()).collect();
            assert_eq!(got, *want, "case {name}: {:?}", df.problems);
        }
    }

    #[test]
    fn reachability() {
        let multi = "FROM a AS deps\nCOPY d /d\nFROM a AS build\nCOPY --from=deps x y\nCOPY b /b\n\
                     FROM a AS test\nCOPY t /t\nFROM build AS final\nCOPY f /f";
        let by_index = "FROM a AS x\nFROM b AS y\nCOPY --from=0 q r";
        let cycle = "FROM a AS x\nCOPY --from=y a b\nFROM a AS y\nCOPY --from=x a b";
        #[rustfmt::skip]
        let cases: &[(&str, Option<&str>, Reach)] = &[
            (multi, None, Ok(vec![0, 1, 3])),
            (multi, Some("test"), Ok(vec![2])),
            (multi, Some("BUILD"), Ok(vec![0, 1])),
            (multi, Some("nope"), Err(TargetError::UnknownTarget("nope".into()))),
            (by_index, None, Ok(vec![0, 1])),
            (by_index, Some("x"), Ok(vec![0])),
            (cycle, None, Ok(vec![0, 1])),
            ("", None, Err(TargetError::NoStages)),
            ("ARG A=1", Some("x"), Err(TargetError::NoStages)),
        ];
        for (text, target, want) in cases {
            let df = parse(text, &[]);
            assert_eq!(
                &df.reachable_stages(*target),
                want,
                "{text:?} target {target:?}"
            );
        }
        let df = parse(multi, &[]);
        let reads: Vec<&str> = df
            .context_reads(None)
            .unwrap()
            .iter()
            .map(|r| r.sources[0].path.as_str())
            .collect();
        assert_eq!(reads, ["d", "b", "f"]);
        let reads = df.context_reads(Some("test")).unwrap();
        assert_eq!(reads.len(), 1);
        assert_eq!(reads[0].sources[0].path, "t");
    }

    #[test]
    fn directives() {
        #[rustfmt::skip]
        let cases: &[(&str, char, Option<&str>)] = &[
            ("# escape=`\nFROM a", '`', None),
            ("# escape=\\\nFROM a", '\\', None),
            ("# syntax=docker/dockerfile:1\n# escape=`\nFROM a", '`', Some("docker/dockerfile:1")),
            ("  #  ESCAPE =  `  \nFROM a", '`', None),
            ("# check=skip=all\n# escape=`\nFROM a", '`', None),
            ("FROM a\n# escape=`", '\\', None),
            ("# comment\n# escape=`\nFROM a", '\\', None),
            ("\n# escape=`\nFROM a", '\\', None),
            ("# foo=bar\n# escape=`\nFROM a", '\\', None),
            ("\u{feff}# escape=`\r\nFROM a", '`', None),
            ("# escape=x\nFROM a", '\\', None),
        ];
        for (text, escape, syntax) in cases {
            let df = parse(text, &[]);
            assert_eq!(df.escape, *escape, "{text:?}");
            assert_eq!(df.syntax.as_deref(), *syntax, "{text:?}");
        }
    }

    #[test]
    fn problems_reported() {
        #[rustfmt::skip]
        let cases: &[(&str, &str)] = &[
            ("FROM a\nCOPY --bogus a b", "unknown flag --bogus"),
            ("FROM a\nCOPY --checksum=x a b", "unknown flag --checksum"),
            ("FROM a\nCOPY a", "requires at least two arguments"),
            ("FROM a\nCOPY []", "requires at least two arguments"),
            ("FROM a\nCOPY [1, \"b\"]", "array of strings"),
            ("RUN true\nFROM a", "before the first FROM"),
            ("FROM a\nCOPY <<EOF /d\nbody", "unterminated heredoc <<EOF"),
            ("# escape=x\nFROM a", "invalid escape"),
            ("# escape=`\n# escape=`\nFROM a", "only one escape"),
            ("FROM a AS x\nFROM b AS X", "duplicate stage name"),
            ("FROM a AS 1x", "invalid name for build stage"),
            ("FROM a\nCOPY --link=maybe a b", "expecting boolean"),
            ("FROM a\nCOPY https://x/y /d", "can't be a URL"),
            ("FROM a\nRUN --mount=type=weird,target=/x true", "unsupported mount type"),
            ("FROM a\nRUN --mount=type=bind,bogus=1 true", "unexpected key"),
            ("FROM a\nFOO bar", "unknown instruction: FOO"),
            ("FROM a\nCOPY \"a /d", "double-quote"),
            ("FROM a AS x\nCOPY --from=x a b", "circular dependency"),
            ("FROM a\nCOPY --from=7 a b", "invalid stage index 7"),
            ("FROM a\nCOPY --from=$S a b", "stage dependency is unknown"),
            ("FROM $IMG", "no known value"),
            ("FROM a b", "one or three arguments"),
            ("FROM a\nENV", "at least one argument"),
            ("FROM a\nENV A=1 B", "can't find ="),
        ];
        for (text, needle) in cases {
            let df = parse(text, &[]);
            assert!(
                df.problems.iter().any(|p| p.message.contains(needle)),
                "{text:?}: expected {needle:?} in {:?}",
                df.problems
            );
        }
        // A clean file has no problems.
        let df = parse("# syntax=docker/dockerfile:1\nFROM a AS b\nWORKDIR /x\nCOPY . .\nRUN make\nCMD [\"x\"]", &[]);
        assert_eq!(df.problems, []);
    }

    #[test]
    fn lines_text_dest_and_excludes() {
        let text = "FROM a AS Base\n\n# c\ncopy --exclude=*.md --exclude=$X a \\\n  b /d/\nRUN --mount=source=s,target=/t true\n";
        let df = parse(text, &[]);
        let stage = &df.stages[0];
        assert_eq!(
            (stage.line, stage.name.as_deref(), stage.base.as_str()),
            (1, Some("base"), "a")
        );
        let r = &stage.reads[0];
        assert_eq!(r.kind, ReadKind::Copy);
        assert_eq!(r.line, 4);
        assert_eq!(r.instruction, "copy --exclude=*.md --exclude=$X a   b /d/");
        assert_eq!(r.dest.as_deref(), Some("/d/"));
        assert_eq!(r.excludes, ["*.md", "$X"]);
        assert_eq!(r.sources[1].original, "b");
        let m = &stage.reads[1];
        assert_eq!(
            (m.kind, m.line, m.dest.as_deref()),
            (ReadKind::BindMount, 6, Some("/t"))
        );
        let df = parse("FROM a\nADD x /y", &[]);
        assert_eq!(df.stages[0].reads[0].kind, ReadKind::Add);
    }

    #[test]
    fn from_lines() {
        #[rustfmt::skip]
        let cases: &[(&str, Pairs, &str, Opt, Opt)] = &[
            ("ARG PY=3.12\nFROM python:${PY} AS Build", &[], "python:3.12", Some("build"), None),
            ("ARG PY=3.12\nFROM python:${PY}", &[("PY", "3.11")], "python:3.11", None, None),
            ("FROM --platform=$BUILDPLATFORM golang AS b", &[], "golang", Some("b"), Some("$BUILDPLATFORM")),
            ("FROM --platform=$BUILDPLATFORM golang", &[("BUILDPLATFORM", "linux/amd64")], "golang", None, Some("linux/amd64")),
            ("FROM $NOPE", &[], "$NOPE", None, None),
            ("FROM a as b", &[], "a", Some("b"), None),
        ];
        for (text, build, base, name, platform) in cases {
            let df = parse(text, &args(build));
            let s = &df.stages[0];
            assert_eq!(s.base, *base, "{text:?}");
            assert_eq!(s.name.as_deref(), *name, "{text:?}");
            assert_eq!(s.platform.as_deref(), *platform, "{text:?}");
        }
    }

    #[test]
    fn word_expansion() {
        let scope: Scope = [("A", Some("a")), ("E", Some("")), ("U", None)]
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect();
        #[rustfmt::skip]
        let cases: &[(&str, Want)] = &[
            ("$A", Ok(("a", None))),
            ("${A}", Ok(("a", None))),
            ("x${A}y$A-z", Ok(("xaya-z", None))),
            ("${E:-d}", Ok(("d", None))),
            ("${E-d}", Ok(("", None))),
            ("${A:+p}", Ok(("p", None))),
            ("${E:+p}", Ok(("", None))),
            ("${E+p}", Ok(("p", None))),
            ("${A:?m}", Ok(("a", None))),
            ("${N-d}", Ok(("", Some("N")))),
            ("$U", Ok(("", Some("U")))),
            ("${A:-$N}", Ok(("a", None))),
            ("${E:-$N}", Ok(("", Some("N")))),
            ("${E:-${A:-x}}", Ok(("a", None))),
            ("\\$A", Ok(("$A", None))),
            ("'$A'", Ok(("$A", None))),
            ("\"$A\"", Ok(("a", None))),
            ("\"a\\b\\\"\"", Ok(("a\\b\"", None))),
            ("$", Ok(("$", None))),
            ("a$/b", Ok(("a$/b", None))),
            ("trailing\\", Ok(("trailing", None))),
            ("${A", Err(())),
            ("${}", Err(())),
            ("'abc", Err(())),
            ("\"abc", Err(())),
            ("${E:?}", Err(())),
            ("${A!x}", Err(())),
        ];
        for (word, want) in cases {
            let got = expand(word, '\\', &scope);
            match (got, want) {
                (Ok(e), Ok((text, unresolved))) => {
                    assert_eq!(
                        (e.text.as_str(), e.unresolved.as_deref()),
                        (*text, *unresolved),
                        "{word}"
                    )
                }
                (Err(_), Err(())) => {}
                (got, _) => panic!("{word}: unexpected {got:?}"),
            }
        }
        let got = expand("`$A", '`', &scope).unwrap();
        assert_eq!(got.text, "$A");
    }

    #[test]
    fn path_normalisation() {
        let cases: &[(&str, &str)] = &[
            (".", "."),
            ("./", "."),
            ("/", "."),
            ("", "."),
            ("..", "."),
            ("a/./b//c/", "a/b/c"),
            ("/x/../../y", "y"),
            ("a/b/..", "a"),
            ("./.hidden", ".hidden"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_path(input), *want, "{input:?}");
        }
    }

    #[test]
    fn helpers() {
        let (flags, rest) = extract_flags("--a=1 --b=\"x y\" -- --c z");
        assert_eq!(
            (flags, rest.trim()),
            (vec!["--a=1".to_string(), "--b=x y".to_string()], "--c z")
        );
        assert_eq!(
            split_csv("type=bind,\"source=a,b\",x").unwrap(),
            ["type=bind", "source=a,b", "x"]
        );
        assert!(split_csv("a\"b").is_err());
        assert_eq!(
            split_words("A=\"a b\" B=c\\ d", '\\'),
            ["A=\"a b\"", "B=c\\ d"]
        );
        let markers: Vec<(String, bool)> = heredoc_markers("RUN 3<<-'E F' cat <<X x<<Y <<<Z")
            .into_iter()
            .map(|m| (m.name, m.chomp))
            .collect();
        assert_eq!(
            markers,
            [("E F".to_string(), true), ("X".to_string(), false)]
        );
        assert!(heredoc_markers("CMD <<EOF").is_empty());
    }

    #[test]
    fn garbage_in() {
        let long_line = format!("FROM a\nCOPY {} /d\n", "a".repeat(1 << 20));
        let deep_subst = format!("FROM a\nCOPY {} /d", "${a:-".repeat(100_000));
        let deep_json = format!("FROM a\nCOPY {}", "[".repeat(100_000));
        let many_continuations = format!("FROM a\nCOPY {}a /d", "x \\\n".repeat(50_000));
        let inputs: Vec<String> = [
            "",
            "\\",
            "FROM a\n\\",
            "FROM a\nCOPY a `",
            "# escape=`\n`",
            "FROM",
            "FROM a AS",
            "FROM a\nCOPY",
            "FROM a\nCOPY []",
            "FROM a\nCOPY [\"a\",",
            "FROM a\nCOPY [\"\\ud800\", \"\\ud800\\u0041\", \"/d\"]",
            "FROM a\nCOPY <<EOF /d\nno end",
            "FROM a\nRUN <<EOF <<EOF2\nEOF",
            "FROM a\nADD <<",
            "FROM a\nCOPY <<- /d",
            "\0\0FROM\0 a\0\nCOPY \0 \0\nRUN --mount=\0",
            "FROM a\nRUN --mount=\"",
            "FROM a\nRUN --mount=type=bind,source=\"",
            "FROM a\nRUN --mount",
            "FROM a\nCOPY --from= a b",
            "FROM a\nCOPY --exclude a b",
            "FROM a\nCOPY ${ /d\nCOPY $ /d\nCOPY ${A:",
            "FROM a\nARG =x\nARG\nENV\nENV A\nENV =",
            "FROM a\nCOPY \"unterminated /d",
            "\u{feff}",
            "\r\r\n\r",
            "FROM ä AS ü\nCOPY --from=é ß/… /d",
            "FROM a\nCOPY --from=99999999999999999999999 a b",
            "FROM a\nCOPY a\\",
            "# syntax=\n# escape=\n",
            "FROM a\nONBUILD COPY x y\nHEALTHCHECK NONE",
            "FROM a\nCOPY [\"a\", 1e5, {\"k\": [true, null]}, \"b\"]",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([long_line.clone(), deep_subst, deep_json, many_continuations])
        .collect();
        for input in &inputs {
            let df = parse(input, &args(&[("A", "1")]));
            let _ = df.reachable_stages(None);
            let _ = df.context_reads(Some("x"));
        }
        let df = parse(&long_line, &[]);
        assert_eq!(paths(&df)[0].len(), 1 << 20);
    }
}
