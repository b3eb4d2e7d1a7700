//! GitHub Actions workflows: the images their steps build.
//!
//! Three kinds of step build:
//!
//! - `uses: docker/build-push-action`: `with.context` (default: the Git
//!   context, the repository root; `{{defaultContext}}:dir` is `dir`),
//!   `with.file` (relative to the root, like `docker build -f` run there;
//!   default `<context>/Dockerfile`) and `with.target`;
//! - `uses: docker/bake-action`: `with.files`, `with.targets`,
//!   `with.workdir`, handed to the Bake reader;
//! - `run:` lines with `docker build`, `docker buildx build`, `podman
//!   build`, `buildah bud` or `docker buildx bake`, run in the step's
//!   `working-directory` (or the job's or workflow's `defaults.run`).
//!
//! `${{ matrix.X }}` is expanded for every combination of a literal
//! `strategy.matrix` (lists and `include`, at most [`MAX_COMBINATIONS`]),
//! `${{ env.X }}` and `$X` from literal `env:` values of the workflow, job
//! and step, `${{ github.workspace }}` as the root. Any other expression
//! leaves the value unknown: a note, and the step is skipped. Reusable
//! workflows and composite actions are not followed.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::command::{self, Dialect};
use super::script::{declare_all, At};
use super::yaml::{get, pairs, parse_yaml, Node, Pair, Value};
use super::{join, BakeCall, Declared, Files, Origin, SourceKind};

/// The most matrix combinations expanded for one job.
pub(super) const MAX_COMBINATIONS: usize = 256;

/// The builds of the workflows at `paths`; bake steps go to `calls`.
pub(super) fn read_all(
    files: &mut Files<'_>,
    paths: &[PathBuf],
    calls: &mut Vec<BakeCall>,
) -> Vec<Declared> {
    let mut out = Vec::new();
    for p in paths {
        let Some(text) = files.text(p) else {
            continue;
        };
        if !super::command::may_name_engine(&text) {
            continue;
        }
        let doc = match parse_yaml(&text) {
            Ok(Some(doc)) => doc,
            Ok(None) => continue,
            Err((line, col, why)) => {
                files.notes.push(format!(
                    "{}:{line}:{col}: not valid YAML ({why}); the workflow is skipped.",
                    p.display()
                ));
                continue;
            }
        };
        let Some(top) = pairs(&doc) else {
            continue;
        };
        let wf = Scope {
            env: literal_map(get(&top, "env")),
            workdir: default_workdir(&top),
        };
        let Some(jobs) = get(&top, "jobs").and_then(|j| pairs(&j.value)) else {
            continue;
        };
        for job in &jobs {
            read_job(files, p, &wf, job, &mut out, calls);
        }
    }
    out
}

/// Literal `env:` values and the default working directory of a workflow
/// or job.
struct Scope {
    env: Vec<(String, String)>,
    workdir: Option<String>,
}

fn default_workdir(keys: &[Pair]) -> Option<String> {
    let defaults = pairs(&get(keys, "defaults")?.value)?;
    let run = pairs(&get(&defaults, "run")?.value)?;
    get(&run, "working-directory")?
        .value
        .text()
        .map(str::to_string)
}

/// The `KEY: literal` entries of a mapping (values holding expressions
/// are left out).
fn literal_map(p: Option<&Pair>) -> Vec<(String, String)> {
    p.and_then(|p| pairs(&p.value))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|kv| {
            let v = kv.value.text()?;
            (!v.contains("${{")).then(|| (kv.key, v.to_string()))
        })
        .collect()
}

fn read_job(
    files: &mut Files<'_>,
    wf_path: &Path,
    wf: &Scope,
    job: &Pair,
    out: &mut Vec<Declared>,
    calls: &mut Vec<BakeCall>,
) {
    let Some(keys) = pairs(&job.value) else {
        return;
    };
    let scope = Scope {
        env: literal_map(get(&keys, "env")),
        workdir: default_workdir(&keys).or_else(|| wf.workdir.clone()),
    };
    let matrix = get(&keys, "strategy")
        .and_then(|s| pairs(&s.value))
        .and_then(|s| get(&s, "matrix").map(|m| combinations(&m.value)));
    // A literal matrix gives '' for a key a combination lacks (as GitHub
    // does); with no matrix, or one given by an expression, `matrix.X` is
    // unknown.
    let known = matches!(matrix, Some(Some(_)));
    let combos = matrix.flatten().unwrap_or_else(|| vec![Vec::new()]);
    let Some(steps) = get(&keys, "steps") else {
        return;
    };
    let Value::Seq(steps) = &steps.value.value else {
        return;
    };
    for (i, step) in steps.iter().enumerate() {
        let Some(s) = pairs(step) else {
            continue;
        };
        let label = get(&s, "name")
            .or_else(|| get(&s, "id"))
            .and_then(|n| n.value.text())
            .map_or_else(|| format!("#{}", i + 1), |n| format!("'{n}'"));
        let step_env = literal_map(get(&s, "env"));
        let ctx = StepCtx {
            path: wf_path,
            job: &job.key,
            label,
            keys: &s,
        };
        let mut seen_notes: Vec<String> = Vec::new();
        let mut step_out: Vec<Declared> = Vec::new();
        let mut step_calls: Vec<BakeCall> = Vec::new();
        for combo in &combos {
            let env: Vec<&(String, String)> =
                step_env.iter().chain(&scope.env).chain(&wf.env).collect();
            let resolve = |expr: &str| -> Option<String> {
                if let Some(k) = expr.strip_prefix("matrix.") {
                    let v = combo.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
                    // GitHub gives '' for a key this combination lacks.
                    return v.or_else(|| known.then(String::new));
                }
                if let Some(k) = expr.strip_prefix("env.") {
                    return env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
                }
                match expr {
                    "github.workspace" => Some(".".to_string()),
                    _ => env.iter().find(|(n, _)| n == expr).map(|(_, v)| v.clone()),
                }
            };
            let before = files.notes.len();
            read_step(
                files,
                &ctx,
                &scope,
                &resolve,
                &mut step_out,
                &mut step_calls,
            );
            for n in files.notes.drain(before..).collect::<Vec<_>>() {
                if !seen_notes.contains(&n) {
                    seen_notes.push(n);
                }
            }
        }
        files.notes.append(&mut seen_notes);
        for d in step_out {
            if !out.contains(&d) {
                out.push(d);
            }
        }
        calls.append(&mut step_calls);
    }
}

/// Where a step is.
struct StepCtx<'a> {
    path: &'a Path,
    job: &'a str,
    label: String,
    keys: &'a [Pair],
}

impl StepCtx<'_> {
    fn origin(&self, line: usize, what: &str) -> Origin {
        Origin {
            kind: SourceKind::Workflow,
            file: self.path.to_path_buf(),
            line: Some(line),
            detail: format!("job {} step {} {what}", self.job, self.label),
        }
    }

    fn note(&self, line: usize, what: &str) -> String {
        format!(
            "{}:{line}: job {} step {}: {what}; skipped.",
            self.path.display(),
            self.job,
            self.label
        )
    }
}

/// A `with:` or other value with its `${{ }}` expressions expanded, or the
/// first expression that could not be.
fn expand(text: &str, resolve: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("${{") {
        out.push_str(&rest[..i]);
        let body = &rest[i + 3..];
        let Some(end) = body.find("}}") else {
            return Err(rest[i..].to_string());
        };
        let expr = body[..end].trim();
        match resolve(expr) {
            Some(v) => out.push_str(&v),
            None => return Err(format!("${{{{ {expr} }}}}")),
        }
        rest = &body[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn read_step(
    files: &mut Files<'_>,
    step: &StepCtx<'_>,
    scope: &Scope,
    resolve: &dyn Fn(&str) -> Option<String>,
    out: &mut Vec<Declared>,
    calls: &mut Vec<BakeCall>,
) {
    let with = get(step.keys, "with")
        .and_then(|w| pairs(&w.value))
        .unwrap_or_default();
    let with_text = |key: &str| -> Option<(String, usize)> {
        let p = get(&with, key)?;
        let text = match &p.value.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|i| i.text())
                .collect::<Vec<_>>()
                .join("\n"),
            _ => p.value.text()?.to_string(),
        };
        Some((text, p.line))
    };
    if let Some(uses) = get(step.keys, "uses") {
        let action = uses.value.text().unwrap_or_default();
        let action = action.split('@').next().unwrap_or_default();
        let line = uses.line;
        match action {
            "docker/build-push-action" => {
                let mut get_value = |key: &str| -> Result<Option<String>, ()> {
                    let Some((text, at)) = with_text(key) else {
                        return Ok(None);
                    };
                    expand(&text, resolve).map(Some).map_err(|expr| {
                        files
                            .notes
                            .push(step.note(at, &format!("with.{key} `{expr}` is not known")));
                    })
                };
                let (Ok(context), Ok(file), Ok(target)) =
                    (get_value("context"), get_value("file"), get_value("target"))
                else {
                    return;
                };
                let context = context
                    .map(|c| {
                        c.strip_prefix("{{defaultContext}}")
                            .map(|r| r.strip_prefix(':').unwrap_or(".").to_string())
                            .unwrap_or(c)
                    })
                    .filter(|c| !c.is_empty())
                    .unwrap_or_else(|| ".".to_string());
                if super::compose::is_remote(&context) {
                    files
                        .notes
                        .push(step.note(line, &format!("the context {context} is a URL")));
                    return;
                }
                let ctx = join(Path::new("."), &context);
                let dockerfile = match file.filter(|f| !f.is_empty()) {
                    Some(f) => join(Path::new("."), &f),
                    None => ctx.join("Dockerfile"),
                };
                out.push(Declared {
                    context: ctx,
                    dockerfile,
                    target: target.filter(|t| !t.is_empty()),
                    origin: step.origin(line, "docker/build-push-action"),
                    claims: true,
                });
            }
            "docker/bake-action" => {
                let list = |key: &str| -> Result<Option<Vec<String>>, String> {
                    let Some((text, _)) = with_text(key) else {
                        return Ok(None);
                    };
                    let text = expand(&text, resolve)?;
                    Ok(Some(
                        text.split(['\n', ','])
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .collect(),
                    ))
                };
                let workdir = match with_text("workdir").map(|(t, _)| expand(&t, resolve)) {
                    None => PathBuf::from("."),
                    Some(Ok(w)) => join(Path::new("."), &w),
                    Some(Err(expr)) => {
                        files
                            .notes
                            .push(step.note(line, &format!("with.workdir `{expr}` is not known")));
                        return;
                    }
                };
                let bake_files = match list("files") {
                    Ok(f) => f.unwrap_or_default(),
                    Err(expr) => {
                        files
                            .notes
                            .push(step.note(line, &format!("with.files `{expr}` is not known")));
                        return;
                    }
                };
                let targets = match list("targets") {
                    Ok(t) => Some(t.unwrap_or_default()),
                    Err(_) => None,
                };
                calls.push(BakeCall {
                    files: bake_files.iter().map(|f| join(&workdir, f)).collect(),
                    cwd: workdir,
                    targets,
                    origin: step.origin(line, "docker/bake-action"),
                });
            }
            _ => {}
        }
        return;
    }
    let Some(run) = get(step.keys, "run") else {
        return;
    };
    let Some(script) = run.value.text() else {
        return;
    };
    if !command::mentions_build(script) {
        return;
    }
    let workdir = get(step.keys, "working-directory")
        .and_then(|w| w.value.text().map(str::to_string))
        .or_else(|| scope.workdir.clone());
    let base = match workdir.map(|w| expand(&w, resolve)) {
        None => PathBuf::from("."),
        Some(Ok(w)) => join(Path::new("."), &w),
        Some(Err(expr)) => {
            files.notes.push(step.note(
                run.line,
                &format!("working-directory `{expr}` is not known"),
            ));
            return;
        }
    };
    // yaml-rust2 marks a block scalar (`|`, `>`) at its first content line.
    let first_line = run.value.line;
    for (line, cmds) in command::build_commands(script, Dialect::Actions, resolve) {
        let at = At {
            kind: SourceKind::Workflow,
            file: step.path,
            line: Some(first_line + line - 1),
            prefix: format!("job {} step {}: ", step.job, step.label),
        };
        declare_all(files, cmds, &at, std::slice::from_ref(&base), out, calls);
    }
}

/// The combinations of a literal `strategy.matrix`: the product of its
/// lists, extended or added to by `include`, less `exclude`; `None` for a
/// matrix given by an expression.
fn combinations(matrix: &Rc<Node>) -> Option<Vec<Vec<(String, String)>>> {
    let keys = pairs(matrix)?;
    let scalars = |n: &Node| -> Vec<String> {
        match &n.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|i| i.text().map(str::to_string))
                .collect(),
            _ => n.text().map(str::to_string).into_iter().collect(),
        }
    };
    let mut combos: Vec<Vec<(String, String)>> = vec![Vec::new()];
    let mut originals: Vec<String> = Vec::new();
    for kv in &keys {
        if kv.key == "include" || kv.key == "exclude" {
            continue;
        }
        let values = scalars(&kv.value);
        if values.is_empty() {
            continue;
        }
        originals.push(kv.key.clone());
        let mut next = Vec::new();
        for c in &combos {
            for v in &values {
                if next.len() >= MAX_COMBINATIONS {
                    break;
                }
                let mut c = c.clone();
                c.push((kv.key.clone(), v.clone()));
                next.push(c);
            }
        }
        combos = next;
    }
    let entries = |key: &str| -> Vec<Vec<(String, String)>> {
        match get(&keys, key).map(|p| &p.value.value) {
            Some(Value::Seq(items)) => items
                .iter()
                .filter_map(|i| pairs(i))
                .map(|ps| {
                    ps.into_iter()
                        .filter_map(|p| p.value.text().map(|v| (p.key, v.to_string())))
                        .collect()
                })
                .collect(),
            _ => Vec::new(),
        }
    };
    let matches = |c: &[(String, String)], e: &[(String, String)], only: &[String]| {
        e.iter()
            .filter(|(k, _)| only.is_empty() || only.contains(k))
            .all(|(k, v)| {
                c.iter()
                    .find(|(ck, _)| ck == k)
                    .is_none_or(|(_, cv)| cv == v)
            })
    };
    for e in entries("exclude") {
        combos.retain(|c| !matches(c, &e, &[]));
    }
    let has_originals = !originals.is_empty();
    for e in entries("include") {
        let mut extended = false;
        if has_originals {
            for c in combos.iter_mut() {
                if matches(c, &e, &originals) {
                    for (k, v) in &e {
                        if !originals.contains(k) {
                            c.retain(|(ck, _)| ck != k);
                            c.push((k.clone(), v.clone()));
                        }
                    }
                    extended = true;
                }
            }
        }
        if !extended && combos.len() < MAX_COMBINATIONS {
            if combos.len() == 1 && combos[0].is_empty() {
                combos.clear();
            }
            combos.push(e);
        }
    }
    if combos.is_empty() {
        combos.push(Vec::new());
    }
    Some(combos)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{builds, repo, row};
    use super::*;

    #[test]
    fn build_push_action_context_file_target() {
        let d = repo(&[
            (
                ".github/workflows/ci.yml",
                "on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n\
                 \x20     - uses: actions/checkout@v4\n\
                 \x20     - name: Build\n        uses: docker/build-push-action@v6\n        with:\n          context: ./services/api\n          file: ./services/api/Dockerfile.prod\n          target: runtime\n\
                 \x20     - uses: docker/build-push-action@v5\n\
                 \x20     - uses: docker/build-push-action@v6\n        with:\n          context: \"{{defaultContext}}:web\"\n\
                 \x20     - uses: docker/build-push-action@v6\n        with:\n          file: ${{ steps.x.outputs.file }}\n",
            ),
            ("services/api/Dockerfile.prod", "FROM scratch\n"),
        ]);
        let (bs, notes) = builds(&d);
        assert_eq!(
            bs,
            [
                row(
                    "services/api",
                    "services/api/Dockerfile.prod",
                    Some("runtime"),
                    ".github/workflows/ci.yml:8: job image step 'Build' docker/build-push-action"
                ),
                row(
                    ".",
                    "Dockerfile",
                    None,
                    ".github/workflows/ci.yml:13: job image step #3 docker/build-push-action"
                ),
                row(
                    "web",
                    "web/Dockerfile",
                    None,
                    ".github/workflows/ci.yml:14: job image step #4 docker/build-push-action"
                ),
            ]
        );
        assert_eq!(
            notes,
            [".github/workflows/ci.yml:19: job image step #5: with.file `${{ steps.x.outputs.file }}` is not known; skipped."]
        );
    }

    #[test]
    fn matrix_env_and_run_lines() {
        let d = repo(&[(
            ".github/workflows/images.yaml",
            "on: push\nenv:\n  DF: docker/Dockerfile\njobs:\n  build:\n    strategy:\n      matrix:\n        flavor: [alpine, debian]\n        include:\n          - flavor: debian\n            stage: slim\n    defaults:\n      run:\n        working-directory: app\n    steps:\n\
             \x20     - uses: docker/build-push-action@v6\n        with:\n          file: Dockerfile.${{ matrix.flavor }}\n          target: ${{ matrix.stage }}\n\
             \x20     - name: plain\n        run: |\n          echo hi\n          docker build -f $DF \\\n            --target ${{ matrix.flavor }} .\n          docker build ${{ secrets.X }}\n",
        )]);
        let (bs, notes) = builds(&d);
        let got: Vec<_> = bs
            .iter()
            .map(|b| (b.0.as_str(), b.1.as_str(), b.2.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (".", "Dockerfile.alpine", None),
                (".", "Dockerfile.debian", Some("slim")),
                ("app", "app/docker/Dockerfile", Some("alpine")),
                ("app", "app/docker/Dockerfile", Some("debian")),
            ]
        );
        assert_eq!(bs[2].3, ".github/workflows/images.yaml:23: job build step 'plain': docker build -f $DF --target ${{ matrix.flavor }} .");
        assert_eq!(
            notes,
            [".github/workflows/images.yaml:25: job build step 'plain': `docker build ${{ secrets.X }}`: the context `${{ secrets.X }}` is not literal; skipped."]
        );
    }

    // A workflow that builds with nerdctl alone is read.
    #[test]
    fn run_lines_with_nerdctl() {
        let d = repo(&[(
            ".github/workflows/img.yml",
            "on: push\njobs:\n  img:\n    runs-on: ubuntu-latest\n    steps:\n\
             \x20     - run: nerdctl build -f deploy/Dockerfile --target prod .\n",
        )]);
        let (bs, notes) = builds(&d);
        let got: Vec<_> = bs
            .iter()
            .map(|b| (b.0.as_str(), b.1.as_str(), b.2.as_deref()))
            .collect();
        assert_eq!(got, [(".", "deploy/Dockerfile", Some("prod"))], "{notes:?}");
    }

    #[test]
    fn matrix_combinations() {
        let doc = parse_yaml(
            "a: [1, 2]\nb: [x]\ninclude:\n  - a: 1\n    c: extra\n  - a: 3\n    b: y\nexclude:\n  - a: 2\n",
        )
        .unwrap()
        .unwrap();
        let got = combinations(&doc);
        let s = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            got,
            Some(vec![
                s(&[("a", "1"), ("b", "x"), ("c", "extra")]),
                s(&[("a", "3"), ("b", "y")])
            ])
        );
        let expr = parse_yaml("${{ fromJson(x) }}").unwrap().unwrap();
        assert_eq!(combinations(&expr), None);
    }
}
