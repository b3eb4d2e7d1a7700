//! Build command lines: `docker build`, `docker buildx build`, `podman
//! build`, `buildah bud` and `docker buildx bake`, as written in shell
//! scripts, Makefile recipes, `package.json` scripts and workflow `run:`
//! steps.
//!
//! A line is split into words with shell quoting, into commands at `&&`,
//! `||`, `;`, `|`, `&` and parentheses, and a `cd DIR` before a build in
//! the same line is kept. Variables are expanded only through the lookup the
//! caller gives (a Makefile's own literal assignments, a workflow's `env:`
//! and matrix); `$PWD`, `$(pwd)` and `$(CURDIR)` are the current directory.
//! A word holding anything else (`$X`, `$(cmd)`, `${{ ... }}`, backticks)
//! is [`Word::Var`]: the caller says why it is skipped.
//!
//! This is not a shell: no globbing, no functions, no control flow; a `cd`
//! only reaches the commands after it on the same line.

/// Which variable syntax a line uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dialect {
    /// A shell script, a `package.json` script.
    Shell,
    /// A Makefile recipe: `$(VAR)` and `${VAR}` are Make's, `$$` is `$`.
    Make,
    /// A workflow `run:` step: `${{ expr }}` besides the shell's.
    Actions,
}

/// One word of a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Word {
    /// Its value, quotes removed and variables expanded.
    Lit(String),
    /// It holds something that could not be expanded; the text as written.
    Var(String),
}

impl Word {
    /// The literal value, if any.
    pub(super) fn lit(&self) -> Option<&str> {
        match self {
            Word::Lit(s) => Some(s),
            Word::Var(_) => None,
        }
    }

    /// The text for messages.
    pub(super) fn shown(&self) -> &str {
        match self {
            Word::Lit(s) | Word::Var(s) => s,
        }
    }
}

/// A `build` command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct BuildCmd {
    /// `docker build`, `podman build`, ... (for the default Dockerfile name).
    pub(super) podman: bool,
    /// The `cd` arguments in effect, outermost first.
    pub(super) cd: Vec<Word>,
    /// `-f` / `--file`.
    pub(super) file: Option<Word>,
    /// `--target`.
    pub(super) target: Option<Word>,
    /// The context argument, if any.
    pub(super) context: Option<Word>,
    /// The command as written, for messages.
    pub(super) text: String,
}

/// A `docker buildx bake` command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct BakeCmd {
    pub(super) cd: Vec<Word>,
    /// `-f` / `--file`, in order.
    pub(super) files: Vec<Word>,
    /// The targets or groups named.
    pub(super) targets: Vec<Word>,
    pub(super) text: String,
}

/// A command of interest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Command {
    Build(BuildCmd),
    Bake(BakeCmd),
}

/// A logical line: physical lines joined at a trailing `\`, and the
/// 1-based number of the first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Line {
    pub(super) line: usize,
    pub(super) text: String,
}

/// Joins lines ending in `\` with the next (the `\` and newline removed,
/// as the shell does; a Makefile recipe's leading tab on the next line is
/// dropped too).
pub(super) fn logical_lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut cur: Option<Line> = None;
    for (i, raw) in text.lines().enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let (body, cont) = match raw.strip_suffix('\\') {
            Some(b) if !b.ends_with('\\') => (b, true),
            _ => (raw, false),
        };
        match &mut cur {
            Some(l) => {
                l.text.push(' ');
                l.text.push_str(body.trim_start_matches('\t'));
            }
            None => {
                cur = Some(Line {
                    line: i + 1,
                    text: body.to_string(),
                })
            }
        }
        if !cont {
            out.extend(cur.take());
        }
    }
    out.extend(cur);
    out
}

/// Cheap test before tokenising: whether the line can hold a command of
/// interest.
/// The commands of each logical line of `text` that may run a build, with
/// the line's 1-based number in `text`.
pub(super) fn build_commands(
    text: &str,
    dialect: Dialect,
    vars: Vars<'_>,
) -> Vec<(usize, Vec<Command>)> {
    logical_lines(text)
        .into_iter()
        .filter(|line| mentions_build(&line.text))
        .map(|line| (line.line, commands(&line.text, dialect, vars)))
        .filter(|(_, cmds)| !cmds.is_empty())
        .collect()
}

pub(super) fn mentions_build(line: &str) -> bool {
    line.contains("build") || line.contains("bud") || line.contains("bake")
}

/// A token of a line.
#[derive(Debug)]
enum Token {
    Word {
        word: Word,
        start: usize,
        end: usize,
    },
    /// A command separator.
    Sep,
    /// A redirection (`>`, `2>&1`, `< file`): `target` when the word after
    /// it is its file.
    Redirect { target: bool },
}

/// Variable lookup given by the caller: the value of a name, or of a
/// `${{ expr }}` expression (the trimmed expression).
pub(super) type Vars<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The build and bake commands of one logical line.
pub(super) fn commands(line: &str, dialect: Dialect, vars: Vars<'_>) -> Vec<Command> {
    let tokens = tokenize(line, dialect, vars);
    let mut out = Vec::new();
    let mut cd: Vec<Word> = Vec::new();
    let mut start = 0;
    for i in 0..=tokens.len() {
        if i < tokens.len() && !matches!(tokens[i], Token::Sep) {
            continue;
        }
        let mut words: Vec<(&Word, usize, usize)> = Vec::new();
        let mut skip_next = false;
        for t in &tokens[start..i] {
            match t {
                Token::Word { word, start, end } => {
                    if !std::mem::take(&mut skip_next) {
                        words.push((word, *start, *end));
                    }
                }
                Token::Redirect { target } => skip_next = *target,
                Token::Sep => {}
            }
        }
        start = i + 1;
        let Some(&(_, from, _)) = words.first() else {
            continue;
        };
        let to = words.last().map_or(from, |w| w.2);
        let text = line[from..to].trim().to_string();
        let ws: Vec<&Word> = words.iter().map(|w| w.0).collect();
        command(&ws, dialect, &mut cd, text, &mut out);
    }
    out
}

/// Words that may precede the command itself.
const PREFIXES: [&str; 14] = [
    "then", "do", "else", "elif", "if", "while", "until", "!", "time", "exec", "sudo", "command",
    "nohup", "env",
];

/// Interprets one simple command.
fn command(
    words: &[&Word],
    dialect: Dialect,
    cd: &mut Vec<Word>,
    text: String,
    out: &mut Vec<Command>,
) {
    let mut i = 0;
    while i < words.len() {
        match words[i] {
            Word::Lit(w) if PREFIXES.contains(&w.as_str()) => i += 1,
            Word::Lit(w) if is_assignment(w) => i += 1,
            Word::Var(w) if is_assignment(w) => i += 1,
            _ => break,
        }
    }
    let words = &words[i..];
    let Some(first) = words.first() else {
        return;
    };
    let tool = match first {
        Word::Lit(w) => {
            let w = if dialect == Dialect::Make {
                w.trim_start_matches(['@', '-', '+'])
            } else {
                w.as_str()
            };
            w.rsplit('/').next().unwrap_or(w).to_string()
        }
        Word::Var(v) => {
            let up = v.to_ascii_uppercase();
            let engine = ENGINE_VAR_WORDS.iter().any(|n| up.contains(n));
            if engine {
                "docker".to_string()
            } else {
                return;
            }
        }
    };
    let args = &words[1..];
    match tool.as_str() {
        "cd" | "pushd" => match args.first() {
            Some(Word::Lit(d)) if d != "-" && !d.starts_with('~') => cd.push(Word::Lit(d.clone())),
            Some(w) => cd.push(Word::Var(w.shown().to_string())),
            None => cd.push(Word::Var("~".to_string())),
        },
        "popd" => {
            cd.pop();
        }
        t if ENGINES.contains(&t) => {
            let podman = tool == "podman" || tool == "buildah";
            let Some((sub, rest)) = subcommand(&tool, args) else {
                return;
            };
            let text = cd
                .iter()
                .map(|d| format!("cd {} && ", d.shown()))
                .collect::<String>()
                + &text;
            let cd = cd.clone();
            match sub {
                Sub::Build => out.push(Command::Build(build_args(rest, podman, cd, text))),
                Sub::Bake => out.push(Command::Bake(bake_args(rest, cd, text))),
            }
        }
        _ => {}
    }
}

/// The engines whose build commands are read.
const ENGINES: [&str; 4] = ["docker", "podman", "nerdctl", "buildah"];

/// A variable in command position whose name holds one of these words is
/// taken for the engine (`$CONTAINER_ENGINE build`, `${OCI_TOOL} build`).
const ENGINE_VAR_WORDS: [&str; 6] = ["DOCKER", "PODMAN", "BUILDAH", "CONTAINER", "ENGINE", "OCI"];

/// Whether `text` may hold a command [`commands`] reads: it names an
/// engine, or a variable that could stand for one. The cheap test before a
/// whole file (a workflow, a `package.json`) is parsed; it never says no
/// to a file in which a command would be found.
pub(super) fn may_name_engine(text: &str) -> bool {
    ENGINES.iter().any(|e| text.contains(e)) || {
        let up = text.to_ascii_uppercase();
        ENGINE_VAR_WORDS.iter().any(|w| up.contains(w))
    }
}

fn is_assignment(w: &str) -> bool {
    match w.split_once('=') {
        Some((name, _)) => super::dotenv::name_len(name) == name.len() && !name.is_empty(),
        None => false,
    }
}

enum Sub {
    Build,
    Bake,
}

/// Global options of `docker`/`podman` that take a value.
const GLOBAL_VALUE_FLAGS: [&str; 14] = [
    "--context",
    "-c",
    "--host",
    "-H",
    "--config",
    "--log-level",
    "-l",
    "--tlscacert",
    "--tlscert",
    "--tlskey",
    "--builder",
    "--root",
    "--runroot",
    "--storage-driver",
];

/// Finds the build or bake subcommand after the tool and its global
/// options; returns the words after it.
fn subcommand<'a, 'b>(tool: &str, args: &'b [&'a Word]) -> Option<(Sub, &'b [&'a Word])> {
    let mut i = 0;
    let mut path: Vec<&str> = Vec::new();
    while i < args.len() && path.len() < 2 {
        let Word::Lit(w) = args[i] else {
            return None;
        };
        if w.starts_with('-') {
            i += if GLOBAL_VALUE_FLAGS.contains(&w.as_str()) {
                2
            } else {
                1
            };
            continue;
        }
        path.push(w);
        i += 1;
        let sub = match (tool, path.as_slice()) {
            ("buildah", ["bud" | "build" | "build-using-dockerfile"]) => Some(Sub::Build),
            (_, ["build"]) if tool != "buildah" => Some(Sub::Build),
            (_, ["image" | "builder" | "buildx", "build"]) | (_, ["buildx", "b"]) => {
                Some(Sub::Build)
            }
            (_, ["buildx", "bake"]) => Some(Sub::Bake),
            (_, ["image" | "builder" | "buildx"]) => None,
            _ => return None,
        };
        if let Some(sub) = sub {
            return Some((sub, &args[i..]));
        }
    }
    None
}

/// Long options of the build commands that take a value (Docker, Buildx,
/// Podman and Buildah); unknown options are taken as switches unless
/// written `--name=value`.
const VALUE_FLAGS: [&str; 66] = [
    "add-host",
    "allow",
    "annotation",
    "arch",
    "attest",
    "authfile",
    "build-arg",
    "build-arg-file",
    "build-context",
    "builder",
    "cache-from",
    "cache-to",
    "call",
    "cap-add",
    "cap-drop",
    "cert-dir",
    "cgroup-parent",
    "cpu-period",
    "cpu-quota",
    "cpu-shares",
    "cpuset-cpus",
    "cpuset-mems",
    "creds",
    "decryption-key",
    "device",
    "dns",
    "dns-option",
    "dns-search",
    "env",
    "file",
    "format",
    "from",
    "iidfile",
    "ignorefile",
    "isolation",
    "jobs",
    "label",
    "layer-label",
    "logfile",
    "manifest",
    "memory",
    "memory-swap",
    "metadata-file",
    "network",
    "no-cache-filter",
    "os",
    "output",
    "platform",
    "policy",
    "progress",
    "provenance",
    "sbom",
    "secret",
    "security-opt",
    "set",
    "shm-size",
    "signature-policy",
    "ssh",
    "tag",
    "target",
    "timestamp",
    "ulimit",
    "userns",
    "variant",
    "volume",
    "list",
];

/// Short options that take a value.
const SHORT_VALUE_FLAGS: [&str; 6] = ["-f", "-t", "-o", "-m", "-v", "-c"];

/// Splits the arguments of a build or bake into options and positionals.
fn options<'a>(args: &[&'a Word]) -> (Vec<(String, Option<Word>)>, Vec<&'a Word>) {
    let mut opts = Vec::new();
    let mut positional = Vec::new();
    let mut i = 0;
    let mut only_positional = false;
    while i < args.len() {
        let w = args[i];
        i += 1;
        let text = match w {
            Word::Lit(t) if !only_positional && t.starts_with('-') && t.len() > 1 => t,
            Word::Var(t) if !only_positional && t.starts_with("--") => {
                // `--file=$X`: the option is known, its value is not.
                let name = t
                    .trim_start_matches('-')
                    .split('=')
                    .next()
                    .unwrap_or_default();
                let value = if t.contains('=') {
                    Some(Word::Var(
                        t.split_once('=')
                            .map(|x| x.1)
                            .unwrap_or_default()
                            .to_string(),
                    ))
                } else {
                    None
                };
                opts.push((name.to_string(), value));
                continue;
            }
            _ => {
                positional.push(w);
                continue;
            }
        };
        if text == "--" {
            only_positional = true;
            continue;
        }
        let next = |i: &mut usize| {
            let v = args.get(*i).map(|w| (*w).clone());
            *i += 1;
            v
        };
        if let Some(long) = text.strip_prefix("--") {
            match long.split_once('=') {
                Some((name, value)) => {
                    opts.push((name.to_string(), Some(Word::Lit(value.to_string()))))
                }
                None if VALUE_FLAGS.contains(&long) => {
                    let v = next(&mut i);
                    opts.push((long.to_string(), v));
                }
                None => opts.push((long.to_string(), None)),
            }
            continue;
        }
        // `-x`, by characters: `-é` or a lone `-` is an unknown switch.
        let Some(short) = text.get(..2) else {
            opts.push((String::new(), None));
            continue;
        };
        let long = match short {
            "-f" => "file",
            "-t" => "tag",
            "-o" => "output",
            _ => "",
        };
        if SHORT_VALUE_FLAGS.contains(&short) {
            let attached = text[2..].trim_start_matches('=');
            let v = if attached.is_empty() {
                next(&mut i)
            } else {
                Some(Word::Lit(attached.to_string()))
            };
            opts.push((long.to_string(), v));
        } else {
            opts.push((String::new(), None));
        }
    }
    (opts, positional)
}

fn build_args(args: &[&Word], podman: bool, cd: Vec<Word>, text: String) -> BuildCmd {
    let (opts, positional) = options(args);
    let last = |name: &str| {
        opts.iter()
            .rev()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.clone())
    };
    BuildCmd {
        podman,
        cd,
        file: last("file"),
        target: last("target"),
        // A variable among the arguments usually holds options
        // (`$(BUILD_FLAGS) .`): a literal argument is the context.
        context: positional
            .iter()
            .find(|w| w.lit().is_some())
            .or(positional.first())
            .map(|w| (*w).clone()),
        text,
    }
}

fn bake_args(args: &[&Word], cd: Vec<Word>, text: String) -> BakeCmd {
    let (opts, positional) = options(args);
    BakeCmd {
        cd,
        files: opts
            .iter()
            .filter(|(n, _)| n == "file")
            .filter_map(|(_, v)| v.clone())
            .collect(),
        targets: positional.into_iter().cloned().collect(),
        text,
    }
}

/// Splits a line into words and separators, expanding what `vars` knows.
fn tokenize(line: &str, dialect: Dialect, vars: Vars<'_>) -> Vec<Token> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b' ' || c == b'\t' {
            i += 1;
            continue;
        }
        if c == b'#' {
            break;
        }
        if c == b'<' || c == b'>' {
            // A file descriptor written against it (`2>`) is not a word.
            if let Some(Token::Word {
                word: Word::Lit(w),
                end,
                ..
            }) = out.last()
            {
                if *end == i && !w.is_empty() && w.bytes().all(|d| d.is_ascii_digit()) {
                    out.pop();
                }
            }
            while i < b.len() && matches!(b[i], b'<' | b'>' | b'&') {
                i += 1;
            }
            let fd = i < b.len() && (b[i].is_ascii_digit() || b[i] == b'-');
            while fd && i < b.len() && (b[i].is_ascii_digit() || b[i] == b'-') {
                i += 1;
            }
            out.push(Token::Redirect { target: !fd });
            continue;
        }
        if matches!(c, b';' | b'&' | b'|' | b'(' | b')' | b'\n') {
            out.push(Token::Sep);
            i += 1;
            continue;
        }
        let start = i;
        let mut word = String::new();
        let mut unresolved = false;
        while i < b.len() {
            let c = b[i];
            if matches!(
                c,
                b' ' | b'\t' | b';' | b'&' | b'|' | b'(' | b')' | b'\n' | b'<' | b'>'
            ) {
                break;
            }
            match c {
                b'\'' => {
                    let end = line[i + 1..].find('\'').map_or(b.len(), |e| i + 1 + e);
                    word.push_str(&line[i + 1..end]);
                    i = (end + 1).min(b.len());
                }
                b'"' => {
                    i += 1;
                    while i < b.len() && b[i] != b'"' {
                        if b[i] == b'\\'
                            && i + 1 < b.len()
                            && matches!(b[i + 1], b'"' | b'\\' | b'$' | b'`')
                        {
                            word.push(b[i + 1] as char);
                            i += 2;
                        } else if b[i] == b'$' {
                            i = expand(line, i, dialect, vars, &mut word, &mut unresolved);
                        } else if b[i] == b'`' {
                            unresolved = true;
                            word.push('`');
                            i += 1;
                        } else {
                            let ch = line[i..].chars().next().unwrap_or(' ');
                            word.push(ch);
                            i += ch.len_utf8();
                        }
                    }
                    i += 1;
                }
                b'\\' if i + 1 < b.len() => {
                    let ch = line[i + 1..].chars().next().unwrap_or(' ');
                    word.push(ch);
                    i += 1 + ch.len_utf8();
                }
                b'$' => i = expand(line, i, dialect, vars, &mut word, &mut unresolved),
                b'`' => {
                    unresolved = true;
                    word.push('`');
                    i += 1;
                }
                _ => {
                    let ch = line[i..].chars().next().unwrap_or(' ');
                    word.push(ch);
                    i += ch.len_utf8();
                }
            }
        }
        let end = i.min(b.len());
        let word = if unresolved {
            Word::Var(line[start..end].to_string())
        } else {
            Word::Lit(word)
        };
        out.push(Token::Word { word, start, end });
    }
    out
}

/// Expands the `$` expression at `i`, appending its value (or marking the
/// word unresolved); returns the index after it.
fn expand(
    line: &str,
    i: usize,
    dialect: Dialect,
    vars: Vars<'_>,
    word: &mut String,
    unresolved: &mut bool,
) -> usize {
    let rest = &line[i + 1..];
    let mut value = |v: Option<String>, raw: &str| match v {
        Some(v) => word.push_str(&v),
        None => {
            *unresolved = true;
            word.push_str(raw);
        }
    };
    // ${{ expr }} (workflows)
    if dialect == Dialect::Actions {
        if let Some(body) = rest.strip_prefix("{{") {
            let end = body.find("}}").map_or(rest.len(), |e| e + 2);
            let expr = body[..end.saturating_sub(2).min(body.len())].trim();
            value(vars(expr), &line[i..(i + 1 + end + 2).min(line.len())]);
            return (i + 1 + end + 2).min(line.len());
        }
    }
    if dialect == Dialect::Make {
        if let Some(r) = rest.strip_prefix('$') {
            // `$$X` is the shell's $X: never known here.
            let n = super::dotenv::name_len(r);
            let len = if n > 0 {
                n
            } else {
                usize::from(r.starts_with('{') || r.starts_with('('))
            };
            value(None, &line[i..(i + 2 + len).min(line.len())]);
            return i + 2 + len;
        }
    }
    for (open, close) in [('{', '}'), ('(', ')')] {
        let Some(body) = rest.strip_prefix(open) else {
            continue;
        };
        let Some(end) = matching(body, open, close) else {
            value(None, &line[i..]);
            return line.len();
        };
        let inner = &body[..end];
        let raw = &line[i..i + 2 + end + 1];
        let next = i + 2 + end + 1;
        let shell_subst = open == '(' && dialect != Dialect::Make;
        let v = if shell_subst {
            (inner.trim() == "pwd").then(|| ".".to_string())
        } else {
            braced(inner, vars)
        };
        value(v, raw);
        return next;
    }
    let n = super::dotenv::name_len(rest);
    if n == 0 || dialect == Dialect::Make {
        // `$1`, `$@`, or Make's one-letter `$X`: not known.
        let len = rest.chars().next().map_or(0, char::len_utf8);
        value(None, &line[i..i + 1 + len]);
        return i + 1 + len;
    }
    let name = &rest[..n];
    value(lookup(name, vars), &line[i..i + 1 + n]);
    i + 1 + n
}

/// `NAME`, `NAME:-default` or `NAME-default` inside `${...}` or `$(...)`.
fn braced(inner: &str, vars: Vars<'_>) -> Option<String> {
    let n = super::dotenv::name_len(inner);
    if n == 0 {
        return None;
    }
    let (name, op) = inner.split_at(n);
    if op.is_empty() {
        return lookup(name, vars);
    }
    let default = op.strip_prefix(":-").or_else(|| op.strip_prefix('-'))?;
    match lookup(name, vars) {
        Some(v) if !v.is_empty() => Some(v),
        _ if default.contains(['$', '`']) => None,
        _ => Some(default.trim_matches(['"', '\'']).to_string()),
    }
}

fn lookup(name: &str, vars: Vars<'_>) -> Option<String> {
    match name {
        "PWD" | "CURDIR" => Some(".".to_string()),
        _ => vars(name),
    }
}

/// Index in `s` of the `close` matching an already opened `open`.
fn matching(s: &str, open: char, close: char) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        if c == open {
            depth += 1;
        } else if c == close {
            if depth == 0 {
                return Some(i);
            }
            depth -= 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Option<Word> {
        Some(Word::Lit(s.to_string()))
    }

    fn var(s: &str) -> Option<Word> {
        Some(Word::Var(s.to_string()))
    }

    /// (file, target, context, cd) of the builds of a line.
    type Got = (Option<Word>, Option<Word>, Option<Word>, Vec<Word>);

    fn builds(line: &str, dialect: Dialect) -> Vec<Got> {
        let vars = |n: &str| match n {
            "DF" | "env.DF" => Some("docker/Dockerfile".to_string()),
            "matrix.dir" => Some("svc".to_string()),
            _ => None,
        };
        commands(line, dialect, &vars)
            .into_iter()
            .filter_map(|c| match c {
                Command::Build(b) => Some((b.file, b.target, b.context, b.cd)),
                Command::Bake(_) => None,
            })
            .collect()
    }

    #[test]
    fn build_lines() {
        use Dialect::*;
        let none = Vec::new;
        let cases: Vec<(&str, Dialect, Vec<Got>)> = vec![
            ("docker build .", Shell, vec![(None, None, lit("."), none())]),
            (
                "docker build -f docker/Dockerfile -t x:1 --target prod ctx",
                Shell,
                vec![(lit("docker/Dockerfile"), lit("prod"), lit("ctx"), none())],
            ),
            (
                "docker buildx build --platform linux/amd64 --file=a/Dockerfile --push --target=t .",
                Shell,
                vec![(lit("a/Dockerfile"), lit("t"), lit("."), none())],
            ),
            ("docker image build -fDockerfile.x .", Shell, vec![(lit("Dockerfile.x"), None, lit("."), none())]),
            ("podman build -t a -f Containerfile .", Shell, vec![(lit("Containerfile"), None, lit("."), none())]),
            ("buildah bud -f x/Dockerfile x", Shell, vec![(lit("x/Dockerfile"), None, lit("x"), none())]),
            ("sudo DOCKER_BUILDKIT=1 docker build 'my dir'", Shell, vec![(None, None, lit("my dir"), none())]),
            (
                "cd web && docker build -t web . && cd ..",
                Shell,
                vec![(None, None, lit("."), vec![Word::Lit("web".into())])],
            ),
            ("(cd $DIR; docker build .)", Shell, vec![(None, None, lit("."), vec![Word::Var("$DIR".into())])]),
            ("docker build -f $DOCKERFILE .", Shell, vec![(var("$DOCKERFILE"), None, lit("."), none())]),
            ("docker build $(BUILD_FLAGS) -t x .", Make, vec![(None, None, lit("."), none())]),
            ("docker build -t x $CTX", Shell, vec![(None, None, var("$CTX"), none())]),
            ("docker build -f \"$DF\" .", Shell, vec![(lit("docker/Dockerfile"), None, lit("."), none())]),
            ("docker build -f ${UNSET:-x/Dockerfile} .", Shell, vec![(lit("x/Dockerfile"), None, lit("."), none())]),
            ("docker build -f $(pwd)/Dockerfile $(pwd)", Shell, vec![(lit("./Dockerfile"), None, lit("."), none())]),
            // A switch that is not ASCII is unknown (it was cut inside its
            // character).
            ("docker build -é -t x .", Shell, vec![(None, None, lit("."), none())]),
            ("docker build `pwd`", Shell, vec![(None, None, var("`pwd`"), none())]),
            ("\t@docker build -f $(DF) .", Make, vec![(lit("docker/Dockerfile"), None, lit("."), none())]),
            ("\t$(DOCKER) build -f $(OTHER) .", Make, vec![(var("$(OTHER)"), None, lit("."), none())]),
            ("\tdocker build $$HOME", Make, vec![(None, None, var("$$HOME"), none())]),
            (
                "docker build -f ${{ env.DF }} ${{ matrix.dir }}",
                Actions,
                vec![(lit("docker/Dockerfile"), None, lit("svc"), none())],
            ),
            ("docker build -f x ${{ github.sha }}", Actions, vec![(lit("x"), None, var("${{ github.sha }}"), none())]),
            ("docker build", Shell, vec![(None, None, None, none())]),
            ("echo docker build . # docker build x", Shell, vec![]),
            ("docker build -f - . < Dockerfile 2>&1 >/dev/null", Shell, vec![(lit("-"), None, lit("."), none())]),
            ("docker build . 2> err.log", Shell, vec![(None, None, lit("."), none())]),
            ("docker run build", Shell, vec![]),
            ("docker compose build web", Shell, vec![]),
            ("npm run build", Shell, vec![]),
        ];
        for (line, dialect, want) in cases {
            assert_eq!(builds(line, dialect), want, "{line}");
        }
    }

    #[test]
    fn bake_lines() {
        let got = commands(
            "docker buildx bake -f a.hcl --file b.hcl --set *.platform=x binary test",
            Dialect::Shell,
            &|_| None,
        );
        assert_eq!(
            got,
            [Command::Bake(BakeCmd {
                cd: vec![],
                files: vec![Word::Lit("a.hcl".into()), Word::Lit("b.hcl".into())],
                targets: vec![Word::Lit("binary".into()), Word::Lit("test".into())],
                text: "docker buildx bake -f a.hcl --file b.hcl --set *.platform=x binary test"
                    .into(),
            })]
        );
    }

    #[test]
    fn continuation_lines() {
        let lines = logical_lines("a \\\n\t  b\nc\r\nd \\\\\ne\\");
        let got: Vec<(usize, &str)> = lines.iter().map(|l| (l.line, l.text.as_str())).collect();
        assert_eq!(got, [(1, "a    b"), (3, "c"), (4, "d \\\\"), (5, "e")]);
    }
}
