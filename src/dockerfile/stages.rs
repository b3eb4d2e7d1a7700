//! Building the stages from the instructions: `FROM`, `ARG`/`ENV`
//! scopes, `COPY`/`ADD`/`RUN --mount` context reads, `--from` references.

use super::*;

pub(super) fn problem(line: usize, message: impl Into<String>) -> Problem {
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
pub(super) const AUTOMATIC_ARGS: [&str; 8] = [
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
pub(super) struct StageRef {
    pub(super) stage: usize,
    pub(super) line: usize,
    pub(super) value: String,
}

pub(super) struct Builder {
    pub(super) escape: char,
    pub(super) build_args: HashMap<String, String>,
    /// Global (meta) ARGs, declared before the first FROM.
    pub(super) meta: Scope,
    pub(super) stages: Vec<Stage>,
    /// The variables of each stage, at the current point (final once the
    /// stage is over).
    pub(super) scopes: Vec<Scope>,
    pub(super) refs: Vec<StageRef>,
    pub(super) problems: Vec<Problem>,
}

impl Builder {
    pub(super) fn new(escape: char, build_args: &[(String, String)]) -> Self {
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

    pub(super) fn instruction(&mut self, inst: &RawInstruction) {
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

    pub(super) fn finish(mut self, syntax: Option<String>) -> Dockerfile {
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
