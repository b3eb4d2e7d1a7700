//! Bake files (`docker-bake.hcl`, `docker-bake.json`, their overrides):
//! the targets `docker buildx bake` builds.
//!
//! A Bake run reads its files in order, merging same-named targets
//! attribute by attribute, and resolves each target's `context` (relative
//! to where bake runs), `dockerfile` (relative to the context, default
//! `Dockerfile`) and `target` through `inherits`. Variables take their
//! `default` (an unset variable without one is empty, as in Bake; the
//! process environment is never read); any other expression (a function
//! call, a conditional) leaves the value unknown: a note, and the target is
//! skipped.
//!
//! Runs come from `docker buildx bake` lines and `docker/bake-action`
//! steps ([`BakeCall`]), which name the files, the directory and the
//! targets (a group stands for its targets; none means the `default`
//! group). A Bake file no run names is read as `docker buildx bake` run in
//! its own directory would read it (the default file names of a directory
//! together, any other name alone); when a Dockerfile is missing from
//! there but present relative to a directory above, bake is taken to run
//! there (Bake files in `docker/` are often run from the root).
//!
//! Every target no other target inherits from, and every target of a
//! group, is listed with the Bake file as its origin; the targets a run
//! names get the run as a second origin.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::hcl::{self, Attr, Block, Body, Expr, Part};
use super::{dir_of, join, BakeCall, Declared, Files, Origin, SourceKind};

/// Bake's default file names, in the order it merges them.
const DEFAULT_FILES: [&str; 4] = [
    "docker-bake.json",
    "docker-bake.hcl",
    "docker-bake.override.json",
    "docker-bake.override.hcl",
];

/// One bake run: its files, its directory and who asked for it.
struct Run {
    files: Vec<PathBuf>,
    cwd: PathBuf,
    /// Found in the tree, not named by a run: look above `cwd` for
    /// Dockerfiles missing from it.
    standalone: bool,
    calls: Vec<(Option<Vec<String>>, Origin)>,
}

/// The builds of the Bake files `candidates` and of the runs `calls`.
pub(super) fn read_all(
    files: &mut Files<'_>,
    candidates: &[PathBuf],
    calls: Vec<BakeCall>,
) -> Vec<Declared> {
    let mut runs: Vec<Run> = Vec::new();
    for call in calls {
        let set = if call.files.is_empty() {
            DEFAULT_FILES
                .iter()
                .map(|n| join(&call.cwd, n))
                .filter(|p| files.is_file(p))
                .collect()
        } else {
            call.files.clone()
        };
        if set.is_empty() {
            files.notes.push(format!(
                "{}: no Bake file in {}; skipped.",
                call.origin.describe(),
                call.cwd.display()
            ));
            continue;
        }
        match runs
            .iter_mut()
            .find(|r| r.files == set && r.cwd == call.cwd)
        {
            Some(r) => r.calls.push((call.targets, call.origin)),
            None => runs.push(Run {
                files: set,
                cwd: call.cwd,
                standalone: false,
                calls: vec![(call.targets, call.origin)],
            }),
        }
    }
    for (dir, set) in standalone_sets(candidates) {
        if runs.iter().any(|r| set.iter().any(|f| r.files.contains(f))) {
            continue;
        }
        runs.push(Run {
            files: set,
            cwd: dir,
            standalone: true,
            calls: Vec::new(),
        });
    }
    let mut parsed: HashMap<PathBuf, Option<Rc<Body>>> = HashMap::new();
    let mut out = Vec::new();
    for run in runs {
        let mut def = Def::default();
        for f in &run.files {
            let body = parsed
                .entry(f.clone())
                .or_insert_with(|| read_file(files, f).map(Rc::new))
                .clone();
            if let Some(body) = body {
                def.merge(f, &body);
            }
        }
        emit(files, &def, &run, &mut out);
    }
    out
}

/// The Bake files found in the tree, grouped as a run in their directory
/// would read them: the default names together, any other name alone.
fn standalone_sets(candidates: &[PathBuf]) -> Vec<(PathBuf, Vec<PathBuf>)> {
    let mut sets: Vec<(PathBuf, Vec<PathBuf>)> = Vec::new();
    for p in candidates {
        let dir = dir_of(p);
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if !DEFAULT_FILES.contains(&name) {
            sets.push((dir, vec![p.clone()]));
            continue;
        }
        let rank = |p: &PathBuf| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            DEFAULT_FILES.iter().position(|d| *d == n)
        };
        match sets
            .iter_mut()
            .find(|(d, s)| *d == dir && s.first().is_some_and(|f| rank(f).is_some()))
        {
            Some((_, s)) => {
                s.push(p.clone());
                s.sort_by_key(rank);
            }
            None => sets.push((dir, vec![p.clone()])),
        }
    }
    sets
}

/// Reads and parses one Bake file (HCL, or JSON by its extension).
fn read_file(files: &mut Files<'_>, rel: &Path) -> Option<Body> {
    let text = files.text(rel)?;
    let json = rel.extension().is_some_and(|e| e == "json");
    let parsed = if json {
        json_body(&text)
    } else {
        hcl::parse(&text)
    };
    match parsed {
        Ok(b) => Some(b),
        Err((line, why)) => {
            let kind = if json { "JSON" } else { "HCL" };
            files.notes.push(format!(
                "{}:{line}: not valid {kind} ({why}); the Bake file is skipped.",
                rel.display()
            ));
            None
        }
    }
}

/// A JSON Bake file as the same blocks an HCL one gives.
fn json_body(text: &str) -> Result<Body, hcl::Error> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| (e.line(), e.to_string()))?;
    let mut body = Body::default();
    for kind in ["variable", "group", "target"] {
        let Some(items) = v.get(kind).and_then(|i| i.as_object()) else {
            continue;
        };
        for (name, value) in items {
            let line = super::script::line_of_key(text, name).unwrap_or(1);
            let attrs = value
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| Attr {
                            name: k.clone(),
                            line,
                            value: json_expr(v),
                        })
                        .collect()
                })
                .unwrap_or_default();
            body.blocks.push(Block {
                kind: kind.to_string(),
                labels: vec![name.clone()],
                line,
                body: Body {
                    attrs,
                    blocks: Vec::new(),
                },
            });
        }
    }
    Ok(body)
}

fn json_expr(v: &serde_json::Value) -> Expr {
    match v {
        serde_json::Value::String(s) => Expr::Template(hcl::template(s)),
        serde_json::Value::Array(items) => Expr::List(items.iter().map(json_expr).collect()),
        serde_json::Value::Object(_) => Expr::Other(v.to_string()),
        other => Expr::Literal(other.to_string()),
    }
}

/// One target's definition, merged over the files of a run.
struct TargetDef {
    name: String,
    /// Where the target is first defined.
    file: PathBuf,
    line: usize,
    /// Attributes in the order set; a later one wins.
    attrs: Vec<(String, Expr)>,
}

/// The merged definitions of a run's files.
#[derive(Default)]
struct Def {
    vars: Vec<(String, Option<Expr>)>,
    groups: Vec<(String, Expr)>,
    targets: Vec<TargetDef>,
}

impl Def {
    fn merge(&mut self, file: &Path, body: &Body) {
        for b in &body.blocks {
            let Some(name) = b.labels.first() else {
                continue;
            };
            let attr = |n: &str| {
                b.body
                    .attrs
                    .iter()
                    .rev()
                    .find(|a| a.name == n)
                    .map(|a| a.value.clone())
            };
            match b.kind.as_str() {
                "variable" => {
                    self.vars.retain(|(v, _)| v != name);
                    self.vars.push((name.clone(), attr("default")));
                }
                "group" => {
                    self.groups.retain(|(g, _)| g != name);
                    self.groups.push((
                        name.clone(),
                        attr("targets").unwrap_or(Expr::List(Vec::new())),
                    ));
                }
                "target" => {
                    let attrs = b
                        .body
                        .attrs
                        .iter()
                        .map(|a| (a.name.clone(), a.value.clone()));
                    match self.targets.iter_mut().find(|t| t.name == *name) {
                        Some(t) => t.attrs.extend(attrs),
                        None => self.targets.push(TargetDef {
                            name: name.clone(),
                            file: file.to_path_buf(),
                            line: b.line,
                            attrs: attrs.collect(),
                        }),
                    }
                }
                _ => {}
            }
        }
        for a in &body.attrs {
            // Top-level attributes (`TAG = "x"` in an override file) set
            // variables.
            if let Some(v) = self.vars.iter_mut().find(|(n, _)| *n == a.name) {
                v.1 = Some(a.value.clone());
            }
        }
    }

    fn target(&self, name: &str) -> Option<&TargetDef> {
        self.targets.iter().find(|t| t.name == name)
    }

    /// A value as text, or the expression that could not be evaluated.
    fn string(&self, e: &Expr, depth: usize) -> Result<String, String> {
        if depth > 16 {
            return Err("a variable refers to itself".to_string());
        }
        match e {
            Expr::Template(parts) => {
                let mut out = String::new();
                for p in parts {
                    match p {
                        Part::Lit(s) => out.push_str(s),
                        Part::Interp(inner) => {
                            out.push_str(&self.var(inner, depth).ok_or(format!("${{{inner}}}"))??)
                        }
                        Part::Directive(d) => return Err(format!("%{{{d}}}")),
                    }
                }
                Ok(out)
            }
            Expr::Ref(name) => self.var(name, depth).ok_or(name.clone())?,
            Expr::Literal(s) => Ok(s.trim_matches('"').to_string()),
            Expr::List(_) => Err("a list".to_string()),
            Expr::Other(s) => Err(s.clone()),
        }
    }

    /// A variable's value; `None` when `name` is not a variable.
    fn var(&self, name: &str, depth: usize) -> Option<Result<String, String>> {
        let (_, default) = self.vars.iter().find(|(n, _)| n == name)?;
        Some(match default {
            None => Ok(String::new()),
            Some(e) => self.string(e, depth + 1),
        })
    }

    fn strings(&self, e: &Expr) -> Result<Vec<String>, String> {
        match e {
            Expr::List(items) => items.iter().map(|i| self.string(i, 0)).collect(),
            other => Ok(vec![self.string(other, 0)?]),
        }
    }

    /// A target's attribute, its parents' (`inherits`, later parents
    /// winning) under its own.
    fn attr(&self, t: &TargetDef, name: &str, depth: usize) -> Result<Option<Expr>, String> {
        if let Some((_, e)) = t.attrs.iter().rev().find(|(n, _)| n == name) {
            return Ok(Some(e.clone()));
        }
        if depth > 16 {
            return Err("inherits loops".to_string());
        }
        let Some((_, inherits)) = t.attrs.iter().rev().find(|(n, _)| n == "inherits") else {
            return Ok(None);
        };
        let mut found = None;
        for parent in self.strings(inherits)? {
            if let Some(p) = self.target(&parent) {
                if let Some(e) = self.attr(p, name, depth + 1)? {
                    found = Some(e);
                }
            }
        }
        Ok(found)
    }

    /// The targets `names` stand for (groups expanded), in order, without
    /// repeats; unknown names are returned apart.
    fn expand(&self, names: &[String]) -> (Vec<String>, Vec<String>) {
        let mut out = Vec::new();
        let mut unknown = Vec::new();
        let mut todo: Vec<(String, usize)> = names.iter().rev().map(|n| (n.clone(), 0)).collect();
        while let Some((n, depth)) = todo.pop() {
            if let Some((_, members)) = self.groups.iter().find(|(g, _)| *g == n) {
                if depth < 16 {
                    let members = self.strings(members).unwrap_or_default();
                    todo.extend(members.into_iter().rev().map(|m| (m, depth + 1)));
                }
            } else if self.target(&n).is_some() {
                if !out.contains(&n) {
                    out.push(n);
                }
            } else if !unknown.contains(&n) {
                unknown.push(n);
            }
        }
        (out, unknown)
    }

    /// The targets built on their own: those no target inherits from, and
    /// those of a group.
    fn buildable(&self) -> Vec<String> {
        let mut parents: Vec<String> = Vec::new();
        for t in &self.targets {
            if let Some((_, e)) = t.attrs.iter().rev().find(|(n, _)| n == "inherits") {
                parents.extend(self.strings(e).unwrap_or_default());
            }
        }
        let grouped: Vec<String> = self
            .groups
            .iter()
            .flat_map(|(g, _)| self.expand(std::slice::from_ref(g)).0)
            .collect();
        self.targets
            .iter()
            .filter(|t| !parents.contains(&t.name) || grouped.contains(&t.name))
            .map(|t| t.name.clone())
            .collect()
    }
}

/// The builds of one run.
fn emit(files: &mut Files<'_>, def: &Def, run: &Run, out: &mut Vec<Declared>) {
    let mut resolved: Vec<(String, Option<Declared>)> = Vec::new();
    let mut build = |files: &mut Files<'_>, name: &str| -> Option<Declared> {
        if let Some((_, d)) = resolved.iter().find(|(n, _)| n == name) {
            return d.clone();
        }
        let t = def.target(name)?;
        let d = match declare(files, def, t, run) {
            Ok(d) => Some(d),
            Err(why) => {
                files.notes.push(format!(
                    "{}:{}: target \"{name}\": {why}; skipped.",
                    t.file.display(),
                    t.line
                ));
                None
            }
        };
        resolved.push((name.to_string(), d.clone()));
        d
    };
    let all = def.buildable();
    for name in &all {
        out.extend(build(files, name));
    }
    for (targets, origin) in &run.calls {
        let names = match targets {
            None => all.clone(),
            Some(t) if t.is_empty() => {
                let (names, unknown) = def.expand(&["default".to_string()]);
                if !unknown.is_empty() {
                    files.notes.push(format!(
                        "{}: the Bake files have no default group or target; their targets are listed without this run.",
                        origin.describe()
                    ));
                }
                names
            }
            Some(t) => {
                let (names, unknown) = def.expand(t);
                for u in unknown {
                    files.notes.push(format!(
                        "{}: no Bake target or group `{u}`; skipped.",
                        origin.describe()
                    ));
                }
                names
            }
        };
        for n in names {
            if let Some(mut d) = build(files, &n) {
                d.origin = Origin {
                    detail: format!("{} (Bake target \"{n}\")", origin.detail),
                    ..origin.clone()
                };
                out.push(d);
            }
        }
    }
}

/// A target as a build.
fn declare(files: &Files<'_>, def: &Def, t: &TargetDef, run: &Run) -> Result<Declared, String> {
    let text = |name: &str| -> Result<Option<String>, String> {
        match def.attr(t, name, 0)? {
            None => Ok(None),
            Some(e) => def
                .string(&e, 0)
                .map(Some)
                .map_err(|expr| format!("{name} `{expr}` is not known")),
        }
    };
    let context = text("context")?
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| ".".to_string());
    let dockerfile = text("dockerfile")?.filter(|d| !d.is_empty());
    let target = text("target")?.filter(|s| !s.is_empty());
    let inline = def.attr(t, "dockerfile-inline", 0)?.is_some();
    let context = context
        .strip_prefix("cwd://")
        .unwrap_or(&context)
        .to_string();
    if super::compose::is_remote(&context) {
        return Err(format!(
            "the context {context} is a URL, not a local directory"
        ));
    }
    if context.starts_with("target:") || context.contains("://") {
        return Err(format!("the context {context} is not a local directory"));
    }
    let locate = |cwd: &Path| {
        let ctx = join(cwd, &context);
        let df = match &dockerfile {
            Some(d) => match d.strip_prefix("cwd://") {
                Some(rel) => join(cwd, rel),
                None => join(&ctx, d),
            },
            None => ctx.join("Dockerfile"),
        };
        (ctx, df)
    };
    let mut detail = format!("target \"{}\"", t.name);
    let (mut ctx, mut df) = locate(&run.cwd);
    if run.standalone && !inline && !files.is_file(&df) {
        let mut up = run.cwd.clone();
        while up != Path::new(".") {
            up = dir_of(&up);
            let (c, d) = locate(&up);
            if files.is_file(&d) {
                detail.push_str(&format!(
                    " (bake run from {}, where the Dockerfile is)",
                    up.display()
                ));
                (ctx, df) = (c, d);
                break;
            }
        }
    }
    Ok(Declared {
        context: ctx,
        dockerfile: df,
        target,
        origin: Origin {
            kind: SourceKind::Bake,
            file: t.file.clone(),
            line: Some(t.line),
            detail,
        },
        claims: !inline,
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{builds, repo, row};

    #[test]
    fn targets_inherits_variables_and_groups() {
        let d = repo(&[
            (
                "docker-bake.hcl",
                "variable \"DIR\" {\n  default = \"svc\"\n}\nvariable \"EMPTY\" {}\n\
                 group \"default\" {\n  targets = [\"app\", \"all\"]\n}\ngroup \"all\" {\n  targets = [\"base\"]\n}\n\
                 target \"_common\" {\n  context = \"${DIR}\"\n}\n\
                 target \"base\" {\n  inherits = [\"_common\"]\n  target = \"base\"\n}\n\
                 target \"app\" {\n  inherits = [\"base\"]\n  dockerfile = \"docker/Dockerfile.app${EMPTY}\"\n  target = \"app\"\n}\n\
                 target \"fn\" {\n  context = notequal(\"\", DIR) ? DIR : \".\"\n}\n",
            ),
            ("docker-bake.override.hcl", "target \"app\" {\n  target = \"release\"\n}\n"),
        ]);
        let (bs, notes) = builds(&d);
        assert_eq!(
            bs,
            [
                row(
                    "svc",
                    "svc/Dockerfile",
                    Some("base"),
                    "docker-bake.hcl:14: target \"base\""
                ),
                row(
                    "svc",
                    "svc/docker/Dockerfile.app",
                    Some("release"),
                    "docker-bake.hcl:18: target \"app\""
                ),
            ]
        );
        assert_eq!(
            notes,
            ["docker-bake.hcl:23: target \"fn\": context `notequal(\"\", DIR) ? DIR : \".\"` is not known; skipped."]
        );
    }

    #[test]
    fn runs_from_workflows_and_makefiles() {
        let d = repo(&[
            (
                "docker/docker-bake.hcl",
                "target \"debian\" {\n  dockerfile = \"docker/Dockerfile.debian\"\n}\n\
                 target \"debian-multi\" {\n  inherits = [\"debian\"]\n}\n",
            ),
            ("docker/Dockerfile.debian", "FROM scratch\n"),
            (
                ".github/workflows/release.yml",
                "jobs:\n  b:\n    steps:\n      - uses: docker/bake-action@v6\n        with:\n          files: docker/docker-bake.hcl\n          targets: debian-multi\n",
            ),
            (
                "docker-bake.json",
                "{\"target\": {\"bin\": {\"target\": \"binary\"}, \"x\": {\"context\": \"${NOPE}\"}}}",
            ),
            ("Makefile", "bin:\n\tdocker buildx bake bin nothing\n"),
        ]);
        let (bs, notes) = builds(&d);
        assert_eq!(
            bs,
            [
                row(
                    ".",
                    "docker/Dockerfile.debian",
                    None,
                    "docker/docker-bake.hcl:4: target \"debian-multi\"; .github/workflows/release.yml:4: job b step #1 docker/bake-action (Bake target \"debian-multi\")"
                ),
                row(".", "Dockerfile", Some("binary"), "docker-bake.json:1: target \"bin\"; Makefile:2: docker buildx bake bin nothing (Bake target \"bin\")"),
            ]
        );
        assert_eq!(
            notes,
            [
                "docker-bake.json:1: target \"x\": context `${NOPE}` is not known; skipped.",
                "Makefile:2: docker buildx bake bin nothing: no Bake target or group `nothing`; skipped.",
            ]
        );
    }

    #[test]
    fn a_standalone_bake_file_below_the_root_runs_where_its_dockerfiles_are() {
        let d = repo(&[
            (
                "docker/docker-bake.hcl",
                "target \"a\" {\n  dockerfile = \"docker/Dockerfile.a\"\n}\ntarget \"b\" {}\n",
            ),
            ("docker/Dockerfile.a", "FROM scratch\n"),
            ("docker/Dockerfile", "FROM scratch\n"),
        ]);
        let (bs, notes) = builds(&d);
        assert_eq!(
            bs,
            [
                row(
                    ".",
                    "docker/Dockerfile.a",
                    None,
                    "docker/docker-bake.hcl:1: target \"a\" (bake run from ., where the Dockerfile is)"
                ),
                row("docker", "docker/Dockerfile", None, "docker/docker-bake.hcl:4: target \"b\""),
            ]
        );
        assert!(notes.is_empty(), "{notes:?}");
    }
}
