//! Build command lines in Makefiles, shell scripts and `package.json`
//! scripts, and turning a command ([`super::command`]) into a build.
//!
//! Where a command runs decides what its relative paths mean:
//!
//! - a Makefile recipe runs in the Makefile's directory (`make -C`); an
//!   included `*.mk` or `Makefile.*` may run from the root;
//! - a shell script runs from wherever it is called, usually the root; a
//!   script that `cd`s to its own directory (`cd "$(dirname "$0")"`) runs
//!   there;
//! - an npm script runs in its `package.json`'s directory.
//!
//! The first of those directories from which the Dockerfile exists wins
//! (the first is kept when none does). Variables are expanded when the same
//! file assigns them once, to a literal value (`DOCKERFILE :=
//! docker/Dockerfile`, `CONTEXT=.`); `${VAR:-default}` in a script gives its
//! default when the script does not assign VAR.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::command::{self, BakeCmd, BuildCmd, Command, Dialect, Word};
use super::{dir_of, join, BakeCall, Declared, Files, Origin, SourceKind};

/// The builds of the Makefiles at `paths`; `docker buildx bake` lines go
/// to `calls`.
pub(super) fn read_makefiles(
    files: &mut Files<'_>,
    paths: &[PathBuf],
    calls: &mut Vec<BakeCall>,
) -> Vec<Declared> {
    let mut out = Vec::new();
    for p in paths {
        let Some(text) = files.text(p) else {
            continue;
        };
        let vars = make_vars(&text);
        let lookup = |n: &str| vars.get(n).cloned();
        let bases = bases([dir_of(p), PathBuf::from(".")]);
        for (line, cmds) in command::build_commands(&text, Dialect::Make, &lookup) {
            let at = At {
                kind: SourceKind::Makefile,
                file: p,
                line: Some(line),
                prefix: String::new(),
            };
            declare_all(files, cmds, &at, &bases, &mut out, calls);
        }
    }
    out
}

/// The builds of the shell scripts at `paths`.
pub(super) fn read_scripts(
    files: &mut Files<'_>,
    paths: &[PathBuf],
    calls: &mut Vec<BakeCall>,
) -> Vec<Declared> {
    let mut out = Vec::new();
    for p in paths {
        let Some(text) = files.text(p) else {
            continue;
        };
        if !command::mentions_build(&text) {
            continue;
        }
        let vars = shell_vars(&text);
        let lookup = |n: &str| vars.get(n).cloned();
        let here = dir_of(p);
        let bases = if cds_to_own_dir(&text) {
            bases([here, PathBuf::from(".")])
        } else {
            bases([PathBuf::from("."), here])
        };
        for (line, cmds) in command::build_commands(&text, Dialect::Shell, &lookup) {
            let at = At {
                kind: SourceKind::Script,
                file: p,
                line: Some(line),
                prefix: String::new(),
            };
            declare_all(files, cmds, &at, &bases, &mut out, calls);
        }
    }
    out
}

/// The builds of the `scripts` of the `package.json` files at `paths`.
pub(super) fn read_package_jsons(
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
        let json: serde_json::Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                files.notes.push(format!(
                    "{}:{}: not valid JSON ({e}); its scripts are not read.",
                    p.display(),
                    e.line()
                ));
                continue;
            }
        };
        let Some(scripts) = json.get("scripts").and_then(|s| s.as_object()) else {
            continue;
        };
        let bases = [dir_of(p)];
        for (name, script) in scripts {
            let Some(script) = script.as_str() else {
                continue;
            };
            if !command::mentions_build(script) {
                continue;
            }
            let cmds = command::commands(script, Dialect::Shell, &|_| None);
            let at = At {
                kind: SourceKind::PackageJson,
                file: p,
                line: line_of_key(&text, name),
                prefix: format!("script {name}: "),
            };
            declare_all(files, cmds, &at, &bases, &mut out, calls);
        }
    }
    out
}

/// Where a command line was found.
pub(super) struct At<'a> {
    pub(super) kind: SourceKind,
    pub(super) file: &'a Path,
    pub(super) line: Option<usize>,
    /// Put before the command in the origin (`script build: `).
    pub(super) prefix: String,
}

impl At<'_> {
    fn origin(&self, text: &str) -> Origin {
        Origin {
            kind: self.kind,
            file: self.file.to_path_buf(),
            line: self.line,
            detail: format!("{}{}", self.prefix, shorten(text)),
        }
    }

    fn note(&self, text: &str, why: &str) -> String {
        let place = match self.line {
            Some(l) => format!("{}:{l}", self.file.display()),
            None => self.file.display().to_string(),
        };
        format!(
            "{place}: {}`{}`: {why}; skipped.",
            self.prefix,
            shorten(text)
        )
    }
}

/// A command for messages: blanks collapsed, at most 100 characters.
fn shorten(text: &str) -> String {
    let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match t.char_indices().nth(100) {
        Some((i, _)) => format!("{}...", &t[..i]),
        None => t,
    }
}

/// The candidate directories, without repeats.
fn bases<const N: usize>(dirs: [PathBuf; N]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::with_capacity(N);
    for d in dirs {
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

/// Turns commands found at `at` into builds and bake calls; what cannot be
/// resolved becomes a note.
pub(super) fn declare_all(
    files: &mut Files<'_>,
    cmds: Vec<Command>,
    at: &At<'_>,
    bases: &[PathBuf],
    out: &mut Vec<Declared>,
    calls: &mut Vec<BakeCall>,
) {
    for c in cmds {
        match c {
            Command::Build(b) => match declare(files, &b, at, bases) {
                Ok(d) => out.push(d),
                Err(why) => files.notes.push(at.note(&b.text, &why)),
            },
            Command::Bake(b) => match bake_call(&b, at, bases) {
                Ok(c) => calls.push(c),
                Err(why) => files.notes.push(at.note(&b.text, &why)),
            },
        }
    }
}

/// The directory a command runs in: `base` and the `cd`s before it.
fn cwd(base: &Path, cd: &[Word]) -> Result<PathBuf, String> {
    let mut dir = base.to_path_buf();
    for w in cd {
        match w {
            Word::Lit(d) => dir = join(&dir, d),
            Word::Var(v) => return Err(format!("the directory of `cd {v}` is not known")),
        }
    }
    Ok(dir)
}

/// A build command as a build.
fn declare(
    files: &Files<'_>,
    b: &BuildCmd,
    at: &At<'_>,
    bases: &[PathBuf],
) -> Result<Declared, String> {
    let context = match &b.context {
        None => return Err("no context argument".to_string()),
        Some(Word::Var(v)) => return Err(format!("the context `{v}` is not literal")),
        Some(Word::Lit(c)) if c == "-" => return Err("the context comes from stdin".to_string()),
        Some(Word::Lit(c)) if super::compose::is_remote(c) => {
            return Err("the context is a URL, not a local directory".to_string())
        }
        Some(Word::Lit(c)) => c,
    };
    let file = match &b.file {
        None => None,
        Some(Word::Var(v)) => return Err(format!("the Dockerfile `{v}` is not literal")),
        Some(Word::Lit(f)) if f == "-" => return Err("the Dockerfile comes from stdin".to_string()),
        Some(Word::Lit(f)) => Some(f.as_str()),
    };
    let target = match &b.target {
        None => None,
        Some(Word::Var(v)) => return Err(format!("the target `{v}` is not literal")),
        Some(Word::Lit(t)) => Some(t.clone()).filter(|t| !t.is_empty()),
    };
    let mut first = None;
    for base in bases {
        let dir = cwd(base, &b.cd)?;
        let ctx = join(&dir, context);
        let df = match file {
            Some(f) => join(&dir, f),
            None if b.podman && files.is_file(&ctx.join("Containerfile")) => {
                ctx.join("Containerfile")
            }
            None => ctx.join("Dockerfile"),
        };
        let exists = files.is_file(&df);
        let found = (ctx, df);
        if exists {
            first = Some(found);
            break;
        }
        first.get_or_insert(found);
    }
    let (context, dockerfile) = first.ok_or_else(|| "no directory to run in".to_string())?;
    Ok(Declared {
        context,
        dockerfile,
        target,
        origin: at.origin(&b.text),
        claims: true,
    })
}

/// A bake command as a bake call.
fn bake_call(b: &BakeCmd, at: &At<'_>, bases: &[PathBuf]) -> Result<BakeCall, String> {
    let base = bases.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    let dir = cwd(&base, &b.cd)?;
    let mut bake_files = Vec::new();
    for f in &b.files {
        match f {
            Word::Lit(f) => bake_files.push(join(&dir, f)),
            Word::Var(v) => return Err(format!("the Bake file `{v}` is not literal")),
        }
    }
    let targets = b
        .targets
        .iter()
        .map(|t| t.lit().map(str::to_string))
        .collect::<Option<Vec<_>>>();
    Ok(BakeCall {
        files: bake_files,
        cwd: dir,
        targets,
        origin: at.origin(&b.text),
    })
}

/// Whether a script moves to its own directory (`cd "$(dirname "$0")"`,
/// `cd "${BASH_SOURCE%/*}"`), so that its relative paths are its own.
fn cds_to_own_dir(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        (l.starts_with("cd ") || l.starts_with("pushd ") || l.contains("&& cd "))
            && (l.contains("$0") || l.contains("BASH_SOURCE"))
            && !l.contains("..")
    })
}

/// Makefile variables assigned once, to a literal value (`NAME = v`,
/// `NAME := v`, `NAME ?= v`, `export NAME = v`), outside recipes.
fn make_vars(text: &str) -> HashMap<String, String> {
    let mut seen: HashMap<String, (usize, Option<String>)> = HashMap::new();
    for line in command::logical_lines(text) {
        if line.text.starts_with('\t') {
            continue;
        }
        let t = line.text.trim_start();
        let t = t
            .strip_prefix("export ")
            .or_else(|| t.strip_prefix("override "))
            .unwrap_or(t)
            .trim_start();
        let n = super::dotenv::name_len(t);
        if n == 0 {
            continue;
        }
        let (name, rest) = t.split_at(n);
        let rest = rest.trim_start();
        let value = ["::=", ":=", "?=", "+=", "="]
            .iter()
            .find_map(|op| rest.strip_prefix(op).map(|v| (*op, v)));
        let Some((op, value)) = value else {
            continue;
        };
        let value = value.split('#').next().unwrap_or_default().trim();
        let literal = (op != "+=" && !value.contains('$')).then(|| value.to_string());
        let e = seen.entry(name.to_string()).or_insert((0, None));
        e.0 += 1;
        e.1 = literal;
    }
    once(seen)
}

/// Shell variables assigned once in a script, to a literal word
/// (`NAME=v`, `NAME="v"`, `export NAME=v`).
fn shell_vars(text: &str) -> HashMap<String, String> {
    let mut seen: HashMap<String, (usize, Option<String>)> = HashMap::new();
    for line in text.lines() {
        let t = line.trim_start();
        let t = ["export ", "readonly ", "local ", "declare "]
            .iter()
            .find_map(|p| t.strip_prefix(p))
            .unwrap_or(t)
            .trim_start();
        let n = super::dotenv::name_len(t);
        if n == 0 || t.as_bytes().get(n) != Some(&b'=') {
            continue;
        }
        let name = &t[..n];
        let value = t[n + 1..].trim_end();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        let literal = !value.contains(['$', '`', ' ', ';', '&', '|', '(', '"', '\'']);
        let e = seen.entry(name.to_string()).or_insert((0, None));
        e.0 += 1;
        e.1 = literal.then(|| value.to_string());
    }
    once(seen)
}

fn once(seen: HashMap<String, (usize, Option<String>)>) -> HashMap<String, String> {
    seen.into_iter()
        .filter_map(|(k, (n, v))| if n == 1 { v.map(|v| (k, v)) } else { None })
        .collect()
}

/// The 1-based line of the first `"key":` in a JSON text.
pub(super) fn line_of_key(text: &str, key: &str) -> Option<usize> {
    let quoted = serde_json::to_string(key).ok()?;
    let mut from = 0;
    while let Some(i) = text[from..].find(&quoted) {
        let at = from + i;
        let after = text[at + quoted.len()..].trim_start();
        if after.starts_with(':') {
            return Some(text[..at].matches('\n').count() + 1);
        }
        from = at + quoted.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::tests::{builds, repo, row};
    use super::*;

    #[test]
    fn makefile_lines_run_in_the_makefiles_directory() {
        let d = repo(&[
            (
                "Makefile",
                "DF := docker/Dockerfile-build\nTWICE = a\nTWICE = b\n\
                 build:\n\t@docker build -f $(DF) --target bin .\n\
                 \tdocker build -f $(TWICE) .\n\
                 \tdocker build \\\n\t\t-f ./hack/x.Dockerfile \\\n\t\twebui\n\
                 # docker build commented\n",
            ),
            ("docker/Dockerfile-build", "FROM scratch\n"),
            (
                "api/Makefile",
                "image:\n\tcd cmd && docker buildx build -f Dockerfile --target dev ..\n",
            ),
            ("api/cmd/Dockerfile", "FROM scratch\n"),
        ]);
        let (bs, notes) = builds(&d);
        assert_eq!(
            bs,
            [
                row(
                    ".",
                    "docker/Dockerfile-build",
                    Some("bin"),
                    "Makefile:5: @docker build -f $(DF) --target bin ."
                ),
                row(
                    "webui",
                    "hack/x.Dockerfile",
                    None,
                    "Makefile:7: docker build -f ./hack/x.Dockerfile webui"
                ),
                row(
                    "api",
                    "api/cmd/Dockerfile",
                    Some("dev"),
                    "api/Makefile:2: cd cmd && docker buildx build -f Dockerfile --target dev .."
                ),
            ]
        );
        assert_eq!(
            notes,
            ["Makefile:6: `docker build -f $(TWICE) .`: the Dockerfile `$(TWICE)` is not literal; skipped."]
        );
    }

    #[test]
    fn scripts_run_from_the_root_unless_they_cd_to_their_directory() {
        let d = repo(&[
            ("scripts/build.sh", "#!/bin/sh\nset -e\nCTX=app\ndocker build -f app/Dockerfile.ci \"$CTX\"\ndocker build -t x \"$1\"\n"),
            ("app/Dockerfile.ci", "FROM scratch\n"),
            ("tools/img.sh", "cd \"$(dirname \"$0\")\"\npodman build -t t .\n"),
            ("tools/Containerfile", "FROM scratch\n"),
            ("cd.bash", "cd \"$(dirname \"$0\")\"\ndocker build -f - . < x\n"),
        ]);
        let (bs, notes) = builds(&d);
        assert_eq!(
            bs,
            [
                row(
                    "app",
                    "app/Dockerfile.ci",
                    None,
                    "scripts/build.sh:4: docker build -f app/Dockerfile.ci \"$CTX\""
                ),
                row(
                    "tools",
                    "tools/Containerfile",
                    None,
                    "tools/img.sh:2: podman build -t t ."
                ),
            ]
        );
        assert_eq!(
            notes,
            [
                "cd.bash:2: `docker build -f - .`: the Dockerfile comes from stdin; skipped.",
                "scripts/build.sh:5: `docker build -t x \"$1\"`: the context `\"$1\"` is not literal; skipped.",
            ]
        );
    }

    #[test]
    fn package_json_scripts_run_in_the_packages_directory() {
        let d = repo(&[
            (
                "web/package.json",
                "{\n  \"name\": \"web\",\n  \"scripts\": {\n    \"build\": \"vite build\",\n    \"docker\": \"docker buildx build -f docker/app.dockerfile --target base2 .\"\n  }\n}\n",
            ),
            ("bad/package.json", "{ \"scripts\": { \"docker\": \"docker build .\" }"),
        ]);
        let (bs, notes) = builds(&d);
        assert_eq!(
            bs,
            [row(
                "web",
                "web/docker/app.dockerfile",
                Some("base2"),
                "web/package.json:5: script docker: docker buildx build -f docker/app.dockerfile --target base2 ."
            )]
        );
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with("bad/package.json:1: not valid JSON"),
            "{notes:?}"
        );
    }

    // The pre-filter knows every engine the command reader knows: a file
    // naming only nerdctl, or an engine variable, is still read.
    #[test]
    fn package_json_with_nerdctl_or_an_engine_variable() {
        let d = repo(&[
            (
                "a/package.json",
                "{\"scripts\": {\"img\": \"nerdctl build -f ops/Dockerfile .\"}}\n",
            ),
            (
                "b/package.json",
                "{\"scripts\": {\"img\": \"$CONTAINER_ENGINE build -t b .\"}}\n",
            ),
        ]);
        let (bs, notes) = builds(&d);
        assert_eq!(
            bs,
            [
                row(
                    "a",
                    "a/ops/Dockerfile",
                    None,
                    "a/package.json:1: script img: nerdctl build -f ops/Dockerfile ."
                ),
                row(
                    "b",
                    "b/Dockerfile",
                    None,
                    "b/package.json:1: script img: $CONTAINER_ENGINE build -t b ."
                ),
            ],
            "{notes:?}"
        );
    }

    #[test]
    fn variables_assigned_once() {
        let m = make_vars("A := x\nB ?= y # c\nC = $(A)\nD = 1\nD += 2\n\tE = r\nexport F=f\n");
        let mut got: Vec<_> = m.into_iter().collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("A".into(), "x".into()),
                ("B".into(), "y".into()),
                ("F".into(), "f".into())
            ]
        );
        let s = shell_vars("A=x\nexport B=\"y\"\nC=$(pwd)\nD=1\nD=2\n  local E='e'\nF=a b\n");
        let mut got: Vec<_> = s.into_iter().collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("A".into(), "x".into()),
                ("B".into(), "y".into()),
                ("E".into(), "e".into())
            ]
        );
    }
}
