//! Reading Dockerfiles the way BuildKit's frontend does, as far as needed to
//! know which build-context paths each stage reads: `COPY`/`ADD` sources
//! (shell and JSON forms, flags, `--from`, URLs, heredocs) and
//! `RUN --mount=type=bind` sources, with `ARG`/`ENV` substitution where the
//! value is known, and which stages a target reaches.
//!
//! It does not touch the file system and does not match `.dockerignore`
//! patterns; callers do.

use std::collections::HashMap;

/// How an instruction reads the context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadKind {
    /// `COPY`.
    Copy,
    /// `ADD`.
    Add,
    /// `RUN --mount=type=bind`.
    BindMount,
}

impl ReadKind {
    /// The instruction keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            ReadKind::Copy => "COPY",
            ReadKind::Add => "ADD",
            ReadKind::BindMount => "RUN --mount",
        }
    }
}

/// One source path of a read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// As written.
    pub original: String,
    /// Normalised, relative to the context root; `.` is the whole context.
    pub path: String,
    /// Holds `*`, `?` or `[` (matched per path segment).
    pub has_wildcard: bool,
    /// A variable whose value is unknown, when the source uses one.
    pub unresolved: Option<String>,
}

/// An instruction that reads the build context.
#[derive(Clone, Debug)]
pub struct ContextRead {
    /// Which instruction.
    pub kind: ReadKind,
    /// 1-based line where it starts.
    pub line: usize,
    /// The instruction text (continuations joined), for messages.
    pub text: String,
    /// Its context sources.
    pub sources: Vec<Source>,
    /// Destination (COPY/ADD) or target (mounts).
    pub dest: Option<String>,
}

/// A build stage.
#[derive(Clone, Debug)]
pub struct Stage {
    /// Position (0-based).
    pub index: usize,
    /// `AS name`, lowercased.
    pub name: Option<String>,
    /// The base image or stage.
    pub base: String,
    /// 1-based line of its `FROM`.
    pub line: usize,
    /// Reads of the context.
    pub reads: Vec<ContextRead>,
    /// Stages it depends on (`FROM stage`, `COPY --from`, mounts `from=`).
    pub depends_on: Vec<usize>,
}

/// Something the reader could not interpret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line.
    pub line: usize,
    /// What.
    pub message: String,
}

/// A parsed Dockerfile.
#[derive(Clone, Debug, Default)]
pub struct Dockerfile {
    /// The escape character (`\` or a backtick).
    pub escape: char,
    /// The stages, in order.
    pub stages: Vec<Stage>,
    /// Lines that could not be read.
    pub problems: Vec<Problem>,
}

/// `--target` names no stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetError(pub String);

impl std::fmt::Display for TargetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "target stage {:?} not found in the Dockerfile", self.0)
    }
}

struct Instruction {
    line: usize,
    keyword: String,
    args: String,
    text: String,
}

// Splits the file into instructions: directives, comments, continuations
// and heredoc bodies handled.
fn instructions(text: &str) -> (char, Vec<Instruction>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut escape = '\\';
    let mut i = 0;
    // Parser directives: only at the very top.
    while i < lines.len() {
        let l = lines[i].trim();
        let Some(body) = l.strip_prefix('#') else {
            break;
        };
        let Some((k, v)) = body.split_once('=') else {
            break;
        };
        let k = k.trim().to_ascii_lowercase();
        if k.is_empty() || k.contains(char::is_whitespace) {
            break;
        }
        if k == "escape" {
            match v.trim() {
                "`" => escape = '`',
                "\\" => escape = '\\',
                _ => {}
            }
        }
        i += 1;
    }
    let mut out = Vec::new();
    while i < lines.len() {
        let start = i;
        let first = lines[i];
        i += 1;
        let t = first.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let mut joined = String::new();
        let mut cur = first.to_string();
        loop {
            let trimmed = cur.trim_end();
            if let Some(body) = trimmed.strip_suffix(escape) {
                joined.push_str(body);
                // Next non-comment line continues the instruction.
                let mut next = None;
                while i < lines.len() {
                    let l = lines[i];
                    i += 1;
                    let lt = l.trim_start();
                    if lt.starts_with('#') || lt.is_empty() {
                        continue;
                    }
                    next = Some(l.to_string());
                    break;
                }
                match next {
                    Some(n) => cur = n,
                    None => break,
                }
            } else {
                joined.push_str(&cur);
                break;
            }
        }
        let joined = joined.trim().to_string();
        let (kw, args) = match joined.find(char::is_whitespace) {
            Some(p) => (joined[..p].to_string(), joined[p..].trim().to_string()),
            None => (joined.clone(), String::new()),
        };
        // Heredocs: skip their bodies.
        for (word, strip_tabs) in heredoc_words(&args) {
            while i < lines.len() {
                let l = lines[i];
                i += 1;
                let l = if strip_tabs {
                    l.trim_start_matches('\t')
                } else {
                    l
                };
                if l == word {
                    break;
                }
            }
        }
        out.push(Instruction {
            line: start + 1,
            keyword: kw.to_ascii_uppercase(),
            args,
            text: joined,
        });
    }
    (escape, out)
}

// `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` in an instruction's arguments.
fn heredoc_words(args: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = args;
    while let Some(p) = rest.find("<<") {
        let mut t = &rest[p + 2..];
        let strip = t.starts_with('-');
        if strip {
            t = &t[1..];
        }
        let quoted = t.starts_with('"') || t.starts_with('\'');
        let t2 = if quoted { &t[1..] } else { t };
        let word: String = t2
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        if !word.is_empty() && (!quoted || t2[word.len()..].starts_with(['"', '\''])) {
            out.push((word, strip));
        }
        rest = &rest[p + 2..];
    }
    out
}

fn is_heredoc(tok: &str) -> bool {
    tok.starts_with("<<") && !heredoc_words(tok).is_empty()
}

// Splits leading `--flag[=value]` tokens off.
fn split_flags(args: &str) -> (Vec<(String, Option<String>)>, String) {
    let mut flags = Vec::new();
    let mut rest = args.trim_start();
    while let Some(body) = rest.strip_prefix("--") {
        let end = body.find(char::is_whitespace).unwrap_or(body.len());
        let tok = &body[..end];
        match tok.split_once('=') {
            Some((k, v)) => flags.push((k.to_ascii_lowercase(), Some(v.to_string()))),
            None => flags.push((tok.to_ascii_lowercase(), None)),
        }
        rest = body[end..].trim_start();
    }
    (flags, rest.to_string())
}

// JSON form `["a", "b"]`, or whitespace-separated words.
fn words(rest: &str) -> Vec<String> {
    let t = rest.trim();
    if t.starts_with('[') {
        if let Ok(serde_json::Value::Array(a)) = serde_json::from_str::<serde_json::Value>(t) {
            if a.iter().all(|v| v.is_string()) {
                return a
                    .into_iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect();
            }
        }
    }
    t.split_whitespace().map(String::from).collect()
}

/// Substitutes `$VAR`, `${VAR}`, `${VAR:-x}`, `${VAR-x}`, `${VAR:+x}`,
/// `${VAR+x}`; an escaped `$` stays literal. Returns the text and the first
/// variable whose value is unknown.
pub fn substitute(
    s: &str,
    vars: &HashMap<String, Option<String>>,
    escape: char,
) -> (String, Option<String>) {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut unresolved = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == escape && chars.get(i + 1) == Some(&'$') {
            out.push('$');
            i += 2;
            continue;
        }
        if c != '$' {
            out.push(c);
            i += 1;
            continue;
        }
        let (name, op, word, next) = if chars.get(i + 1) == Some(&'{') {
            let Some(end) = chars[i + 2..].iter().position(|&c| c == '}') else {
                out.push(c);
                i += 1;
                continue;
            };
            let inner: String = chars[i + 2..i + 2 + end].iter().collect();
            let next = i + 3 + end;
            let name: String = inner
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let after = &inner[name.len()..];
            let (op, word) = if let Some(w) = after.strip_prefix(":-") {
                (":-", w.to_string())
            } else if let Some(w) = after.strip_prefix(":+") {
                (":+", w.to_string())
            } else if let Some(w) = after.strip_prefix('-') {
                ("-", w.to_string())
            } else if let Some(w) = after.strip_prefix('+') {
                ("+", w.to_string())
            } else {
                ("", String::new())
            };
            (name, op, word, next)
        } else {
            let name: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                .collect();
            if name.is_empty() {
                out.push(c);
                i += 1;
                continue;
            }
            let next = i + 1 + name.chars().count();
            (name, "", String::new(), next)
        };
        let val = vars.get(&name).cloned();
        let set = matches!(&val, Some(Some(_)));
        let value = match &val {
            Some(Some(v)) => Some(v.clone()),
            _ => None,
        };
        match op {
            ":-" => out.push_str(&value.filter(|v| !v.is_empty()).unwrap_or(word)),
            "-" => out.push_str(&if set { value.unwrap_or_default() } else { word }),
            ":+" => {
                if value.as_deref().is_some_and(|v| !v.is_empty()) {
                    out.push_str(&word)
                }
            }
            "+" => {
                if set {
                    out.push_str(&word)
                }
            }
            _ => match value {
                Some(v) => out.push_str(&v),
                None => {
                    unresolved.get_or_insert(name.clone());
                    out.push_str(&format!("${{{name}}}"));
                }
            },
        }
        i = next;
    }
    (out, unresolved)
}

/// Normalises a source: relative to the context, `..` clamped at the root,
/// no trailing `/`; `.`, `./`, `/` and `` become `.`.
pub fn normalize(src: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in src.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

fn is_remote(src: &str) -> bool {
    let l = src.to_ascii_lowercase();
    l.starts_with("http://")
        || l.starts_with("https://")
        || l.starts_with("git@")
        || l.starts_with("git://")
        || l.starts_with("ssh://")
}

fn parse_env(args: &str) -> Vec<(String, String)> {
    let t = args.trim();
    // Legacy `ENV KEY value`.
    let first = t.split_whitespace().next().unwrap_or("");
    if !first.contains('=') {
        let mut it = t.splitn(2, char::is_whitespace);
        let k = it.next().unwrap_or("").to_string();
        let v = it.next().unwrap_or("").trim().to_string();
        return vec![(k, v)];
    }
    let mut out = Vec::new();
    let chars: Vec<char> = t.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        let ks = i;
        while i < chars.len() && chars[i] != '=' && !chars[i].is_whitespace() {
            i += 1;
        }
        let key: String = chars[ks..i].iter().collect();
        if i >= chars.len() || chars[i] != '=' {
            break;
        }
        i += 1;
        let mut val = String::new();
        let mut quote: Option<char> = None;
        while i < chars.len() {
            let c = chars[i];
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => val.push(c),
                None if c == '"' || c == '\'' => quote = Some(c),
                None if c.is_whitespace() => break,
                None if c == '\\' && i + 1 < chars.len() => {
                    i += 1;
                    val.push(chars[i]);
                }
                None => val.push(c),
            }
            i += 1;
        }
        out.push((key, val));
    }
    out
}

/// Parses a Dockerfile. `build_args` override `ARG` defaults.
pub fn parse(text: &str, build_args: &[(String, String)]) -> Dockerfile {
    let (escape, insts) = instructions(text);
    let overrides: HashMap<&str, &str> = build_args
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut df = Dockerfile {
        escape,
        ..Dockerfile::default()
    };
    let mut global: HashMap<String, Option<String>> = HashMap::new();
    let mut vars: HashMap<String, Option<String>> = HashMap::new();
    let mut stage_env: Vec<HashMap<String, Option<String>>> = Vec::new();
    for ins in insts {
        match ins.keyword.as_str() {
            "ARG" => {
                for tok in ins.args.split_whitespace() {
                    let (k, d) = match tok.split_once('=') {
                        Some((k, v)) => (k.to_string(), Some(v.trim_matches('"').to_string())),
                        None => (tok.to_string(), None),
                    };
                    let value = overrides
                        .get(k.as_str())
                        .map(|v| Some(v.to_string()))
                        .unwrap_or_else(|| match &d {
                            Some(v) => Some(
                                substitute(
                                    v,
                                    if df.stages.is_empty() { &global } else { &vars },
                                    escape,
                                )
                                .0,
                            ),
                            None if !df.stages.is_empty() => global.get(&k).cloned().flatten(),
                            None => None,
                        });
                    if df.stages.is_empty() {
                        global.insert(k, value);
                    } else {
                        vars.insert(k, value);
                    }
                }
            }
            "FROM" => {
                let (_, rest) = split_flags(&ins.args);
                let toks: Vec<&str> = rest.split_whitespace().collect();
                let base = substitute(toks.first().copied().unwrap_or(""), &global, escape).0;
                let name = (toks.len() >= 3 && toks[1].eq_ignore_ascii_case("as"))
                    .then(|| toks[2].to_ascii_lowercase());
                let index = df.stages.len();
                let parent = df
                    .stages
                    .iter()
                    .position(|s| s.name.as_deref() == Some(&base.to_ascii_lowercase()));
                vars = match parent {
                    Some(p) => stage_env.get(p).cloned().unwrap_or_default(),
                    None => HashMap::new(),
                };
                df.stages.push(Stage {
                    index,
                    name,
                    base,
                    line: ins.line,
                    reads: Vec::new(),
                    depends_on: parent.into_iter().collect(),
                });
                stage_env.push(HashMap::new());
            }
            "ENV" if !df.stages.is_empty() => {
                for (k, v) in parse_env(&ins.args) {
                    let v = substitute(&v, &vars, escape).0;
                    vars.insert(k.clone(), Some(v.clone()));
                    if let Some(e) = stage_env.last_mut() {
                        e.insert(k, Some(v));
                    }
                }
            }
            "COPY" | "ADD" if !df.stages.is_empty() => {
                let kind = if ins.keyword == "COPY" {
                    ReadKind::Copy
                } else {
                    ReadKind::Add
                };
                let (flags, rest) = split_flags(&ins.args);
                let mut ws = words(&rest);
                if ws.len() < 2 {
                    df.problems.push(Problem {
                        line: ins.line,
                        message: format!("{} needs a source and a destination", ins.keyword),
                    });
                    continue;
                }
                let dest = ws.pop();
                if let Some((_, Some(from))) = flags.iter().find(|(k, _)| k == "from") {
                    let from = substitute(from, &vars, escape).0.to_ascii_lowercase();
                    let dep = df
                        .stages
                        .iter()
                        .position(|s| s.name.as_deref() == Some(&from))
                        .or_else(|| from.parse::<usize>().ok().filter(|&n| n < df.stages.len()));
                    if let (Some(d), Some(st)) = (dep, df.stages.last_mut()) {
                        if !st.depends_on.contains(&d) {
                            st.depends_on.push(d);
                        }
                    }
                    continue;
                }
                let sources: Vec<Source> = ws
                    .iter()
                    .filter(|w| !is_heredoc(w))
                    .filter(|w| !(kind == ReadKind::Add && is_remote(w)))
                    .map(|w| source(w, &vars, escape))
                    .collect();
                if let Some(st) = df.stages.last_mut() {
                    st.reads.push(ContextRead {
                        kind,
                        line: ins.line,
                        text: ins.text.clone(),
                        sources,
                        dest,
                    });
                }
            }
            "RUN" if !df.stages.is_empty() => {
                let (flags, _) = split_flags(&ins.args);
                for (k, v) in &flags {
                    if k != "mount" {
                        continue;
                    }
                    let mut fields: HashMap<String, String> = HashMap::new();
                    for f in v.as_deref().unwrap_or("").split(',') {
                        let (a, b) = f.split_once('=').unwrap_or((f, "true"));
                        fields.insert(a.trim().to_ascii_lowercase(), b.trim().to_string());
                    }
                    let typ = fields.get("type").map(String::as_str).unwrap_or("bind");
                    if let Some(from) = fields.get("from") {
                        let from = substitute(from, &vars, escape).0.to_ascii_lowercase();
                        let dep = df
                            .stages
                            .iter()
                            .position(|s| s.name.as_deref() == Some(&from))
                            .or_else(|| {
                                from.parse::<usize>().ok().filter(|&n| n < df.stages.len())
                            });
                        if let (Some(d), Some(st)) = (dep, df.stages.last_mut()) {
                            if !st.depends_on.contains(&d) {
                                st.depends_on.push(d);
                            }
                        }
                        continue;
                    }
                    if typ != "bind" {
                        continue;
                    }
                    let src = fields
                        .get("source")
                        .or_else(|| fields.get("src"))
                        .cloned()
                        .unwrap_or_else(|| ".".into());
                    let target = fields
                        .get("target")
                        .or_else(|| fields.get("dst"))
                        .or_else(|| fields.get("destination"))
                        .cloned();
                    let s = source(&src, &vars, escape);
                    if let Some(st) = df.stages.last_mut() {
                        st.reads.push(ContextRead {
                            kind: ReadKind::BindMount,
                            line: ins.line,
                            text: ins.text.clone(),
                            sources: vec![s],
                            dest: target,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    df
}

fn source(w: &str, vars: &HashMap<String, Option<String>>, escape: char) -> Source {
    let (sub, unresolved) = substitute(w, vars, escape);
    let path = normalize(&sub);
    Source {
        original: w.to_string(),
        has_wildcard: path.contains(['*', '?', '[']),
        path,
        unresolved,
    }
}

impl Dockerfile {
    /// The target stage (by name, case-insensitive; default the last) and
    /// every stage it depends on, in order.
    pub fn reachable_stages(&self, target: Option<&str>) -> Result<Vec<usize>, TargetError> {
        if self.stages.is_empty() {
            return Ok(Vec::new());
        }
        let start = match target {
            None => self.stages.len() - 1,
            Some(t) => {
                let tl = t.to_ascii_lowercase();
                self.stages
                    .iter()
                    .position(|s| s.name.as_deref() == Some(&tl))
                    .ok_or_else(|| TargetError(t.to_string()))?
            }
        };
        let mut seen = vec![false; self.stages.len()];
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            stack.extend(self.stages[i].depends_on.iter().copied());
        }
        Ok((0..self.stages.len()).filter(|&i| seen[i]).collect())
    }

    /// The context reads of the stages `target` reaches.
    pub fn context_reads(&self, target: Option<&str>) -> Result<Vec<&ContextRead>, TargetError> {
        let stages = self.reachable_stages(target)?;
        Ok(stages
            .into_iter()
            .flat_map(|i| self.stages[i].reads.iter())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn srcs(text: &str) -> Vec<String> {
        parse(text, &[])
            .context_reads(None)
            .unwrap()
            .iter()
            .flat_map(|r| r.sources.iter().map(|s| s.path.clone()))
            .collect()
    }

    #[test]
    fn forms_and_flags() {
        let cases: &[(&str, &[&str])] = &[
            ("FROM a\nCOPY . .\n", &["."]),
            ("FROM a\ncopy ./app/ /srv/\n", &["app"]),
            ("FROM a\nCOPY [\"a b\", \"c\", \"/dest\"]\n", &["a b", "c"]),
            ("FROM a\nCOPY --chown=1:1 --chmod=755 --link x y /d/\n", &["x", "y"]),
            ("FROM a\nCOPY --link=false --parents --exclude=*.md src /d\n", &["src"]),
            ("FROM a\nADD --checksum=sha256:00 https://example.com/x.tgz /x\nADD git@github.com:a/b.git /b\nADD local.tgz /\n", &["local.tgz"]),
            ("FROM a AS build\nRUN x\nFROM b\nCOPY --from=build /out /out\nCOPY --from=0 /o /o\nCOPY --from=alpine:3 /etc/x /x\n", &[]),
            ("FROM a\nCOPY a \\\n  b \\\n  # comment\n  /d\n", &["a", "b"]),
            ("# escape=`\nFROM a\nCOPY a `\n  b /d\n", &["a", "b"]),
            ("FROM a\nCOPY <<EOF /etc/x\nCOPY not-a-source /\nEOF\nCOPY real /r\n", &["real"]),
            ("FROM a\nRUN <<-EOF bash\n\tCOPY fake /\n\tEOF\nCOPY <<'A' <<\"B\" /d/\nx\nA\ny\nB\n", &[]),
            ("FROM a\nRUN --mount=type=bind,source=req.txt,target=/r pip install\nRUN --mount=target=/src make\nRUN --mount=type=cache,target=/c x\nRUN --mount=type=bind,from=build,src=/o,target=/o x\n", &["req.txt", "."]),
            ("FROM a\nCOPY ../../etc/passwd /x\nCOPY / /y\nCOPY *.json ./\n", &["etc/passwd", ".", "*.json"]),
            ("\u{feff}FROM a\r\nCOPY a /b\r\n", &["a"]),
        ];
        for (text, want) in cases {
            assert_eq!(srcs(text), *want, "{text:?}");
        }
    }

    #[test]
    fn variables() {
        let df = parse("ARG APP=api\nARG VER\nFROM python:${VER:-3.12}\nARG APP\nENV DIR=/srv SRC=src/${APP}\nCOPY ${SRC} $DIR\nCOPY ${UNKNOWN}/x /y\nCOPY \\$lit /z\n", &[]);
        let reads = df.context_reads(None).unwrap();
        assert_eq!(df.stages[0].base, "python:3.12");
        assert_eq!(reads[0].sources[0].path, "src/api");
        assert_eq!(reads[1].sources[0].unresolved.as_deref(), Some("UNKNOWN"));
        assert_eq!(reads[2].sources[0].path, "$lit");
        let df = parse(
            "ARG APP=api\nFROM a\nARG APP\nCOPY $APP /\n",
            &[("APP".into(), "web".into())],
        );
        assert_eq!(df.context_reads(None).unwrap()[0].sources[0].path, "web");
        // A global ARG is not visible in a stage until re-declared.
        let df = parse("ARG APP=api\nFROM a\nCOPY $APP /\n", &[]);
        assert_eq!(
            df.context_reads(None).unwrap()[0].sources[0]
                .unresolved
                .as_deref(),
            Some("APP")
        );
        assert_eq!(
            substitute(
                "${A:+yes}${B-def}",
                &HashMap::from([("A".into(), Some("1".into()))]),
                '\\'
            )
            .0,
            "yesdef"
        );
    }

    #[test]
    fn reachability() {
        let text = "FROM a AS deps\nCOPY package.json /\nFROM a AS test\nCOPY tests /t\nFROM deps AS build\nCOPY src /s\nFROM b\nCOPY --from=build /o /o\n";
        let df = parse(text, &[]);
        assert_eq!(df.reachable_stages(None).unwrap(), vec![0, 2, 3]);
        assert_eq!(srcs(text), ["package.json", "src"]);
        assert_eq!(df.reachable_stages(Some("TEST")).unwrap(), vec![1]);
        assert!(df.reachable_stages(Some("nope")).is_err());
    }

    #[test]
    fn garbage_in_never_panics() {
        for text in [
            "COPY",
            "FROM",
            "FROM a\nCOPY <<EOF",
            "FROM a\nCOPY x \\",
            "FROM a\nCOPY []",
            "FROM a\nCOPY [\"x\"",
            "\0\0",
            "FROM a\nRUN --mount=",
            "FROM a\nCOPY ${",
            "FROM a\nCOPY $",
        ] {
            let _ = parse(text, &[]);
        }
        let big = format!("FROM a\nCOPY {} /d\n", "x".repeat(1 << 20));
        assert_eq!(parse(&big, &[]).context_reads(None).unwrap().len(), 1);
    }
}
