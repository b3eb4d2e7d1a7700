//! `report`, `check` and `init` on the sample projects in `fixtures/`,
//! copied into temporary directories (with a real git repository where the
//! test needs `.git`).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use crate::util::{ctxsize, filter, fixtures, run, Tree};

/// Copies `fixtures/<name>` into a fresh tree.
pub fn project(name: &str) -> Tree {
    let t = Tree::new();
    let src = fixtures().join(name);
    for e in walkdir::WalkDir::new(&src).min_depth(1) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(&src).unwrap();
        if e.file_type().is_dir() {
            fs::create_dir_all(t.join(rel)).unwrap();
        } else {
            fs::copy(e.path(), t.join(rel)).unwrap();
        }
    }
    t
}

/// Makes the tree a git repository with one commit.
pub fn git_init(t: &Tree) {
    git_init_excluding(t, "");
}

/// Makes the tree a git repository with one commit of everything but what
/// `exclude` (gitignore lines, kept in `.git/info/exclude`, outside the
/// tree) leaves out: a developer's clutter on disk, not committed.
pub fn git_init_excluding(t: &Tree, exclude: &str) {
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(args)
            .current_dir(t.path())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    fs::write(t.join(".git/info/exclude"), exclude).unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-qm", "init"]);
}

fn du(dir: &Path) -> (u64, u64) {
    let mut files = 0;
    let mut bytes = 0;
    for e in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if !e.file_type().is_dir() {
            files += 1;
            bytes += e.metadata().unwrap().len();
        }
    }
    (files, bytes)
}

fn json(t: &Tree, args: &[&str]) -> serde_json::Value {
    let (code, out, err) = run(ctxsize(t.path()).args(args));
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn fastapi_report_names_each_problem_with_sizes_and_rules() {
    let t = project("fastapi");
    // A realistic repository: the clutter is not committed.
    git_init_excluding(&t, ".venv/\n__pycache__/\nlogs/\n.env\n");
    let v = json(&t, &["report", "--json"]);
    let (files, bytes) = du(t.path());
    assert_eq!(v["context"]["files"], files);
    assert_eq!(v["context"]["bytes"], bytes);
    assert!(v["ignore_file"].is_null());
    let findings: BTreeMap<String, &serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().to_string(), f))
        .collect();
    for (rule, kind, path) in [
        (".env", "secret", ".env"),
        (".venv", "virtualenv", ".venv"),
        ("**/__pycache__", "cache", "app/__pycache__"),
        (".git", "vcs", ".git"),
        ("logs", "logs", "logs"),
    ] {
        let f = findings
            .get(rule)
            .unwrap_or_else(|| panic!("no finding with rule {rule}: {v:#}"));
        assert_eq!(f["kind"], kind, "{rule}");
        assert!(
            f["paths"].as_array().unwrap().iter().any(|p| p == path),
            "{rule}: {f}"
        );
        // Sizes are what is on disk below the paths.
        let expected: u64 = f["paths"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| du(&t.join(p.as_str().unwrap())).1)
            .sum();
        assert_eq!(f["bytes"], expected, "{rule}");
        // A rule for every depth (`**/__pycache__`) may save more than the
        // paths found: it also catches those inside other findings.
        assert!(f["saves_bytes"].as_u64() >= Some(expected.min(1)), "{rule}");
    }
    // The first finding is the secret.
    assert_eq!(v["findings"][0]["kind"], "secret");
    // The classic tar estimate covers every entry.
    assert!(v["context"]["tar_bytes"].as_u64().unwrap() > bytes);
}

#[test]
fn report_text_snapshot() {
    let t = project("fastapi");
    let (code, out, _) = run(ctxsize(t.path()).args(["report", "."]));
    assert_eq!(code, 0);
    insta::assert_snapshot!("report_fastapi_text", filter(&out, &t));
    let (_, out, _) =
        run(ctxsize(t.path()).args(["report", ".", "--bytes", "--depth", "1", "--top", "5"]));
    insta::assert_snapshot!("report_fastapi_text_bytes_depth1", filter(&out, &t));
}

#[test]
fn report_json_snapshot_with_ignore_file() {
    let t = project("node");
    t.write(".dockerignore", "node_modules\n.next\n");
    let v = json(&t, &["report", "--json"]);
    insta::assert_json_snapshot!("report_node_json", v);
    // The excluded heavy directories are marked in the tree.
    let excluded: Vec<&str> = v["heaviest"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["excluded"] == true)
        .map(|n| n["path"].as_str().unwrap())
        .collect();
    assert!(excluded.contains(&"node_modules"), "{excluded:?}");
}

#[test]
fn report_prune_skips_excluded_directories() {
    let t = project("node");
    t.write(".dockerignore", "node_modules\n");
    let full = json(&t, &["report", "--json"]);
    let pruned = json(&t, &["report", "--json", "--prune"]);
    assert_eq!(full["context"], pruned["context"]);
    assert_eq!(pruned["excluded"]["measured"], false);
    assert!(
        full["excluded"]["files"].as_u64().unwrap() > pruned["excluded"]["files"].as_u64().unwrap()
    );
}

#[test]
fn secret_content_is_never_printed() {
    const CANARY: &str = "CTXSIZE-CANARY";
    for name in ["fastapi", "node", "monorepo"] {
        let t = project(name);
        let verbs: &[&[&str]] = &[
            &["ls"],
            &["ls", "--json", "--long"],
            &["ls", "--excluded"],
            &["why", ".env", ".npmrc", "keys/id_ed25519"],
            &["report"],
            &["report", "--json"],
            &["report", "--bytes"],
            &["check"],
            &["check", "--strict"],
            &["check", "--format", "json"],
            &["check", "--format", "github"],
            &["check", "--format", "sarif"],
            &["check", "--staged"],
            &["lint"],
            &["lint", "--json"],
            &["init", "--dry-run"],
            &["init", "--stdout"],
        ];
        for verb in verbs {
            let (_, out, err) = run(ctxsize(t.path()).args(*verb).env("RUST_BACKTRACE", "1"));
            assert!(
                !out.contains(CANARY) && !err.contains(CANARY),
                "{name} {verb:?} printed secret content"
            );
        }
    }
}

#[test]
fn check_warns_then_fails_when_asked() {
    let t = project("fastapi");
    let (code, out, _) = run(ctxsize(t.path()).arg("check"));
    assert_eq!(code, 0);
    assert!(
        out.contains(".env: warning: secret in the build context"),
        "{out}"
    );
    assert!(out.contains("[add `.env` to the ignore file]"), "{out}");
    assert!(
        out.lines().last().unwrap().starts_with("ctxsize check: "),
        "{out}"
    );
    let (code, out, _) = run(ctxsize(t.path()).args(["check", "--strict"]));
    assert_eq!(code, 1, "{out}");
    let (code, _, _) = run(ctxsize(t.path()).args(["check", "--fail-on", "secrets", "--quiet"]));
    assert_eq!(code, 1);
    let (code, out, _) =
        run(ctxsize(t.path()).args(["check", "--fail-on", "size", "--max-size", "1KB"]));
    assert_eq!(code, 1);
    assert!(out.contains("over the 1.0 kB budget"), "{out}");
    let (code, _, err) = run(ctxsize(t.path()).args(["check", "--fail-on", "nonsense"]));
    assert_eq!(code, 2);
    assert!(err.contains("unknown --fail-on category"), "{err}");
}

#[test]
fn check_is_silent_on_a_clean_project() {
    let t = project("fastapi");
    t.write(".dockerignore", ".git\n.venv\n.env\n**/__pycache__\nlogs\n");
    let (code, out, err) = run(ctxsize(t.path()).args(["check", "--strict"]));
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
}

#[test]
fn check_config_file_and_flags() {
    let t = project("fastapi");
    t.write(".dockerignore", ".git\n.venv\n**/__pycache__\nlogs\n");
    t.write(".ctxsize.toml", "fail-on = [\"secrets\"]\nallow = []\n");
    let (code, _, _) = run(ctxsize(t.path()).arg("check"));
    assert_eq!(code, 1);
    t.write(
        ".ctxsize.toml",
        "fail-on = [\"secrets\"]\nallow = [\".env\"]\n",
    );
    let (code, out, _) = run(ctxsize(t.path()).arg("check"));
    assert_eq!((code, out.as_str()), (0, ""));
    t.write(".ctxsize.toml", "max-files = 3\nfail-on = [\"size\"]\n");
    let (code, out, _) = run(ctxsize(t.path()).arg("check"));
    assert_eq!(code, 1, "{out}");
    let (code, _, _) = run(ctxsize(t.path()).args(["check", "--max-files", "100000"]));
    assert_eq!(code, 0, "a flag overrides the file");
    t.write(".ctxsize.toml", "max-files = 3\nmax-sise = 1\n");
    let (code, _, err) = run(ctxsize(t.path()).arg("check"));
    assert_eq!(code, 2);
    assert!(err.contains(".ctxsize.toml:2:"), "{err}");
}

#[test]
fn check_github_format_points_at_lines() {
    let t = project("fastapi");
    t.write(".dockerignore", "ok\n[bad\n");
    let (code, out, _) = run(ctxsize(t.path()).args(["check", "--format", "github", "--strict"]));
    assert_eq!(code, 1);
    assert!(
        out.starts_with("::error title=ctxsize CTX006,file="),
        "{out}"
    );
    assert!(out.contains(".dockerignore,line=2::"), "{out}");
}

#[test]
fn check_staged_files() {
    let t = project("fastapi");
    t.write(".dockerignore", ".git\n.venv\n**/__pycache__\nlogs\n.env\n");
    git_init(&t);
    t.write("data/dump.sql", vec![b'x'; 6_000_000]);
    t.write("config/.env.production", "API_KEY=CTXSIZE-CANARY-staged\n");
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(t.path())
            .output()
            .unwrap();
    };
    git(&["add", "data/dump.sql", "config/.env.production"]);
    let (code, out, _) = run(ctxsize(t.path()).args(["check", "--staged"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("data/dump.sql: warning: staged file of 6.0 MB would be sent"),
        "{out}"
    );
    assert!(
        out.contains("config/.env.production: warning: staged file looks like a secret"),
        "{out}"
    );
}

fn init(t: &Tree, args: &[&str]) -> (i32, String) {
    let (code, out, err) = run(ctxsize(t.path()).arg("init").args(args));
    assert!(code == 0 || code == 1, "{args:?}: {err}");
    (code, out)
}

fn included(t: &Tree) -> Vec<String> {
    let (_, out, _) = run(ctxsize(t.path()).arg("ls"));
    out.lines().map(str::to_string).collect()
}

#[test]
fn init_generates_then_is_idempotent_on_every_project() {
    // (project, paths the Dockerfile needs that must stay in the context)
    let cases: &[(&str, &[&str])] = &[
        (
            "fastapi",
            &["requirements.txt", "app/main.py", "app/routers/items.py"],
        ),
        (
            "node",
            &[
                "package.json",
                "package-lock.json",
                "dist/server.js",
                "public/favicon.ico",
            ],
        ),
        (
            "rust",
            &[
                "Cargo.toml",
                "Cargo.lock",
                "crates/app/src/main.rs",
                "crates/core/Cargo.toml",
            ],
        ),
        (
            "scm-package",
            &[
                "pyproject.toml",
                "README.md",
                "LICENSE",
                "src/tool/cli.py",
                ".git/HEAD",
            ],
        ),
        (
            "php",
            &[
                "composer.json",
                "composer.lock",
                "public/index.php",
                "src/App.php",
            ],
        ),
        (
            "monorepo",
            &[
                "package.json",
                "packages/api/src/index.ts",
                "services/ml/requirements.txt",
            ],
        ),
    ];
    for (name, needed) in cases {
        let t = project(name);
        git_init(&t);
        let before = included(&t);
        let (code, out) = init(&t, &[]);
        assert_eq!(code, 0, "{name}: {out}");
        let text = fs::read_to_string(t.join(".dockerignore")).unwrap();
        assert!(
            text.starts_with("# Generated by ctxsize init"),
            "{name}: {text}"
        );
        let after = included(&t);
        assert!(
            after.len() < before.len(),
            "{name}: context not reduced\n{text}"
        );
        for n in *needed {
            assert!(
                after.iter().any(|p| p == n),
                "{name}: {n} left the context\n{text}"
            );
        }
        for secret in [".env", ".npmrc", "keys/id_ed25519"] {
            assert!(
                !after.iter().any(|p| p == secret),
                "{name}: {secret} still sent\n{text}"
            );
        }
        let (code, out) = init(&t, &[]);
        assert_eq!(code, 0);
        assert!(out.contains("up to date"), "{name}: second run: {out}");
        assert_eq!(fs::read_to_string(t.join(".dockerignore")).unwrap(), text);
        let (code, _) = init(&t, &["--check"]);
        assert_eq!(code, 0, "{name}");
    }
}

#[test]
fn init_merge_keeps_every_byte_and_respects_exceptions() {
    let t = project("fastapi");
    let original = b"\xEF\xBB\xBF# mine\r\n.git\r\n\r\n*.log\r\n!logs/app.log\r\n.venv".to_vec();
    t.write(".dockerignore", &original);
    let (code, out) = init(&t, &["--check"]);
    assert_eq!(code, 1, "{out}");
    let (code, out) = init(&t, &["--dry-run"]);
    assert_eq!(code, 0);
    assert!(out.contains("+**/__pycache__"), "{out}");
    assert_eq!(
        fs::read(t.join(".dockerignore")).unwrap(),
        original,
        "dry run wrote"
    );
    let (code, out) = init(&t, &[]);
    assert_eq!(code, 0, "{out}");
    let merged = fs::read(t.join(".dockerignore")).unwrap();
    assert!(merged.starts_with(&original), "existing bytes changed");
    let tail = String::from_utf8(merged[original.len()..].to_vec()).unwrap();
    assert!(
        tail.starts_with("\r\n\r\n# Added by ctxsize init"),
        "{tail:?}"
    );
    assert!(
        !tail.ends_with('\n'),
        "the file had no final newline: {tail:?}"
    );
    assert!(tail.contains("\r\n.env"), "{tail:?}");
    assert!(tail.contains("\r\n**/__pycache__"), "{tail:?}");
    assert!(!tail.contains("logs"), "would undo !logs/app.log: {tail:?}");
    assert!(included(&t).iter().any(|p| p == "logs/app.log"));
    let (code, out) = init(&t, &[]);
    assert_eq!(code, 0);
    assert!(out.contains("up to date"), "{out}");
}

#[test]
fn init_judges_rules_by_effect() {
    let t = project("fastapi");
    t.write(
        ".dockerignore",
        "**/__pycache__/**\n.git\n.venv\n.env\nlogs\n",
    );
    let (_, out) = init(&t, &["--dry-run"]);
    assert!(!out.contains("__pycache__"), "covered already: {out}");
}

#[test]
fn init_from_gitignore() {
    let t = project("fastapi");
    t.write(".gitignore", "*.log\n/build\nsub/\n");
    t.write("app/.gitignore", "tmp\n");
    let (_, out) = init(&t, &["--from-gitignore", "--stdout"]);
    assert!(out.contains("**/*.log\n"), "{out}");
    assert!(out.contains("\nbuild\n"), "{out}");
    assert!(out.contains("app/**/tmp\n"), "{out}");
    let (_, out) = init(&t, &["--from-gitignore", "--dry-run"]);
    assert!(
        out.contains("note: .gitignore:3"),
        "dir-only rule is named: {out}"
    );
}

#[test]
fn init_refuses_unusable_files() {
    let t = project("fastapi");
    t.write(".dockerignore", b"a\0b\n");
    // (Classic: under BuildKit the NUL is first an invalid pattern, §7.2.)
    let (code, _, err) = run(ctxsize(t.path()).args(["init", "--builder", "classic"]));
    assert_eq!(code, 2);
    assert!(err.contains("binary"), "{err}");
    assert_eq!(fs::read(t.join(".dockerignore")).unwrap(), b"a\0b\n");
    let t = project("fastapi");
    fs::create_dir(t.join(".dockerignore")).unwrap();
    let (code, _, err) = run(ctxsize(t.path()).arg("init"));
    assert_eq!(code, 2);
    assert!(err.contains("is a directory"), "{err}");
}

/// `docker init`'s ignore lists (shared/peers/docker-init-dockerignore.md).
const DOCKER_INIT_BASE: &str = "**/.classpath\n**/.dockerignore\n**/.env\n**/.git\n**/.gitignore\n**/.project\n**/.settings\n**/.toolstarget\n**/.vs\n**/.vscode\n**/*.*proj.user\n**/*.dbmdl\n**/*.jfm\n**/charts\n**/docker-compose*\n**/compose.y*ml\n**/Dockerfile*\n**/node_modules\n**/npm-debug.log\n**/obj\n**/secrets.dev.yaml\n**/values.dev.yaml\nLICENSE\nREADME.md\n";

fn docker_init_template(lang: &str) -> String {
    let extra = match lang {
        "python" => "**/.DS_Store\n**/__pycache__\n**/.venv\n**/bin\n",
        "node" => "**/.next\n**/.cache\n**/build\n**/dist\n",
        "php" => "**/vendor\n!**/composer.json\n!**/composer.lock\n",
        "rust" => "/bin\n/target\n",
        _ => "",
    };
    format!("{DOCKER_INIT_BASE}{extra}")
}

fn context_size(t: &Tree) -> (u64, u64) {
    let v = json(t, &["report", "--json", "--prune"]);
    (
        v["context"]["files"].as_u64().unwrap(),
        v["context"]["bytes"].as_u64().unwrap(),
    )
}

/// The comparison the closing note reports: context left by `docker
/// init`'s template and by `ctxsize init`, and the `COPY` sources (and
/// packaging inputs) each one breaks.
#[test]
fn compare_with_docker_init_templates() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("fastapi", "python", &["requirements.txt", "app/main.py"]),
        (
            "node",
            "node",
            &[
                "package.json",
                "package-lock.json",
                "dist/server.js",
                "public/favicon.ico",
            ],
        ),
        (
            "rust",
            "rust",
            &["Cargo.toml", "Cargo.lock", "crates/app/src/main.rs"],
        ),
        (
            "scm-package",
            "python",
            &[
                "pyproject.toml",
                "README.md",
                "LICENSE",
                "src/tool/cli.py",
                ".git/HEAD",
            ],
        ),
        (
            "php",
            "php",
            &[
                "composer.json",
                "composer.lock",
                "public/index.php",
                "src/App.php",
            ],
        ),
        (
            "monorepo",
            "node",
            &["package.json", "packages/api/src/index.ts"],
        ),
    ];
    println!(
        "{:<12} {:>22} {:>22} {:>8} {:>8}",
        "project", "docker init", "ctxsize init", "breaks", "breaks"
    );
    // Repositories as developers keep them: the clutter is on disk, not
    // committed.
    let clutter = ".venv/\n__pycache__/\n*.log\nlogs/\n.env\nnode_modules/\ndist/\ncoverage/\ntarget/\n.DS_Store\nvendor/\n*.swp\n.npmrc\n";
    for (name, lang, needed) in cases {
        let theirs = project(name);
        git_init_excluding(&theirs, clutter);
        theirs.write(".dockerignore", docker_init_template(lang));
        let ours = project(name);
        git_init_excluding(&ours, clutter);
        let (code, out) = init(&ours, &[]);
        assert_eq!(code, 0, "{out}");
        let broken = |t: &Tree| {
            let inc = included(t);
            needed
                .iter()
                .filter(|n| !inc.iter().any(|p| p == *n))
                .count()
        };
        let (tf, tb) = context_size(&theirs);
        let (of, ob) = context_size(&ours);
        let (tbk, obk) = (broken(&theirs), broken(&ours));
        println!(
            "{name:<12} {:>22} {:>22} {tbk:>8} {obk:>8}",
            format!("{tf} files {tb} B"),
            format!("{of} files {ob} B")
        );
        assert_eq!(obk, 0, "{name}: ctxsize init breaks a COPY source");
        if tbk == 0 {
            assert!(
                ob <= tb,
                "{name}: ctxsize leaves {ob} B, docker init {tb} B"
            );
        }
    }
}

#[test]
fn compose_repository_reports_each_context_once() {
    let t = project("compose-app");
    let size = |p: &str| fs::metadata(t.join(p)).unwrap().len();
    let v = json(&t, &["report", "--json"]);
    let ctxs = v["contexts"].as_array().unwrap();
    let names: Vec<&str> = ctxs
        .iter()
        .map(|c| c["context"].as_str().unwrap())
        .collect();
    // Compose services in file order (api and worker share a context and
    // ignore file: one entry), then the Dockerfile found in the tree.
    assert_eq!(names, ["api", "web", "cache", "tools/migrate"], "{v:#}");
    let api = &ctxs[0];
    let dfs: Vec<_> = api["dockerfiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap(),
                d["target"].as_str(),
                d["origin"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        dfs,
        [
            (
                "api/Dockerfile",
                Some("runtime"),
                "compose.yaml:5: service api"
            ),
            ("api/Dockerfile", None, "compose.yaml:9: service worker"),
        ]
    );
    assert_eq!(api["ignore_file"]["path"], "api/.dockerignore");
    // `__pycache__` at the api context's root is excluded by its file.
    let api_files = [
        "Dockerfile",
        ".dockerignore",
        "app.py",
        "requirements.txt",
        ".env",
    ];
    assert_eq!(api["files"], api_files.len() as u64);
    let api_bytes: u64 = api_files.iter().map(|f| size(&format!("api/{f}"))).sum();
    assert_eq!(api["bytes"], api_bytes);
    // `--target runtime` reaches the stage copying requirements.txt only; the
    // last stage copies `.`.
    let tr = api["transfers"].as_array().unwrap();
    assert_eq!(tr[0]["target"], "runtime");
    assert_eq!(tr[0]["transfer_bytes"], size("api/requirements.txt"));
    assert_eq!(tr[0]["whole_context"], false);
    assert_eq!(tr[1]["whole_context"], true);
    assert!(api["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["kind"] == "secret" && f["paths"][0] == ".env"));
    // The Dockerfile-specific ignore file is the one in effect for web.
    let web = &ctxs[1];
    assert_eq!(
        web["ignore_file"]["path"],
        "web/Dockerfile.prod.dockerignore"
    );
    assert_eq!(web["files"], 1);
    assert_eq!(
        web["transfers"][0]["transfer_bytes"],
        size("web/dist/index.html")
    );
    // `${CACHE_DIR:-./cache}` resolves to a directory that is not there.
    assert!(ctxs[2]["error"]
        .as_str()
        .unwrap()
        .contains("does not exist"));
    let mig = &ctxs[3];
    assert_eq!(
        mig["dockerfiles"][0]["origin"],
        "tools/migrate/Dockerfile: context tools/migrate inferred: 1/1 COPY/ADD sources resolve there"
    );
    assert!(mig["ignore_file"].is_null());
    assert_eq!(mig["files"], 2);
    // The same in text; --prune names the same contexts without measuring
    // them.
    let (code, out, _) = run(ctxsize(t.path()).args(["report", "--color", "never"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("Build contexts in this repository (4)"),
        "{out}"
    );
    assert!(
        out.contains("ignore file: web/Dockerfile.prod.dockerignore (Dockerfile-specific"),
        "{out}"
    );
    assert!(
        out.contains("BuildKit sends 17 B for api/Dockerfile --target runtime"),
        "{out}"
    );
    let pruned = json(&t, &["report", "--json", "--prune"]);
    let names: Vec<&str> = pruned["contexts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["context"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["api", "web", "cache", "tools/migrate"]);
    assert!(pruned["contexts"][0]["error"]
        .as_str()
        .unwrap()
        .starts_with("not measured"));
    // A project with one Dockerfile at its root has nothing more to say.
    let single = project("fastapi");
    let v = json(&single, &["report", "--json"]);
    assert_eq!(v["contexts"], serde_json::json!([]));
}

#[test]
fn discovery_skips_vendored_projects_and_finds_lowercase_dockerfile() {
    let t = Tree::new();
    t.write("go.mod", "module m\n")
        .write("vendor/modules.txt", "# github.com/x/y v1.0.0\n")
        .write("vendor/github.com/x/y/Dockerfile", "FROM scratch\n")
        .write("docker/dockerfile", "FROM scratch\nCOPY . /src\n")
        .write("Dockerfile", "FROM scratch\n");
    let v = json(&t, &["report", "--json"]);
    let names: Vec<&str> = v["contexts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["context"].as_str().unwrap())
        .collect();
    assert_eq!(names, [".", "docker"], "{v:#}");
}

#[test]
fn target_chooses_the_stages_that_are_read() {
    let t = Tree::new();
    t.write(
        "Dockerfile",
        "FROM scratch AS build\nCOPY secrets.txt /s\nFROM scratch AS runtime\nCOPY app.py /app/\n",
    )
    .write("app.py", "print(1)\n")
    .write("secrets.txt", "x\n")
    .write(".dockerignore", "secrets.txt\n");
    // The last stage does not reach `build`: its excluded source is no
    // problem, and neither is it with --target runtime.
    for args in [&["check"][..], &["check", "--target", "runtime"]] {
        let (code, out, err) = run(ctxsize(t.path()).args(args));
        assert_eq!(code, 0, "{err}");
        assert!(
            !out.contains("CTX007") && !out.contains("secrets.txt"),
            "{args:?}: {out}"
        );
    }
    // --target build reads secrets.txt, which the ignore file excludes.
    let (_, out, _) =
        run(ctxsize(t.path()).args(["check", "--target", "build", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["rule_id"] == "CTX007"
                && p["message"].as_str().unwrap().contains("secrets.txt")),
        "{out}"
    );
    // An unknown stage fails the build.
    let (_, out, _) = run(ctxsize(t.path()).args(["check", "--target", "nope"]));
    assert!(
        out.contains(r#"target stage "nope" could not be found"#),
        "{out}"
    );
    // report: the transfer follows the stage.
    let v = json(&t, &["report", "--json", "--target", "runtime"]);
    assert_eq!(v["dockerfiles"][0]["target"], "runtime");
    assert_eq!(v["dockerfiles"][0]["transfer_bytes"], 9);
}

/// #12: the verbs agree. After `init`, `lint --check` and `check --strict`
/// pass on every sample project: the rules `init` writes are in effect or
/// defensive, and what it declines is information for all three.
#[test]
fn init_then_lint_and_check_agree_on_every_project() {
    for e in fs::read_dir(fixtures()).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        let p = e.path();
        if !["Dockerfile", "compose.yaml", "docker-compose.yml"]
            .iter()
            .any(|f| p.join(f).is_file())
        {
            continue;
        }
        let t = project(&name);
        let (code, out, err) = run(ctxsize(t.path()).args(["init", "."]));
        assert_eq!(code, 0, "{name}: init: {out}{err}");
        let (code, out, err) = run(ctxsize(t.path()).args(["lint", "--check", "."]));
        assert_eq!(code, 0, "{name}: lint after init:\n{out}{err}");
        let (code, out, err) = run(ctxsize(t.path()).args(["check", "--strict", "."]));
        assert_eq!(code, 0, "{name}: check after init:\n{out}{err}");
        // What init declined, check explains (information, not failure).
        let (_, init_again, _) = run(ctxsize(t.path()).args(["init", "--dry-run", "."]));
        for line in init_again.lines().filter(|l| l.contains("not adding")) {
            let rule = line.split('`').nth(1).unwrap();
            assert!(
                out.contains(rule) || !out.contains("needed-by-build"),
                "{name}: init declines `{rule}`, check does not say so:\n{out}"
            );
        }
    }
}

/// #12: a repository whose Dockerfiles are built from sub-directories,
/// through a compose file in a sub-directory, a workflow, a bake file, a
/// Makefile and a script, plus one nothing declares: every build gets the
/// context it is really built with, says where that was learned, and no
/// build is said to fail.
#[test]
fn builds_fixture_every_build_gets_its_real_context() {
    let t = project("builds");
    let v = json(&t, &["report", "--json", "."]);
    let builds: Vec<(String, String, String, String)> = v["builds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["dockerfile"].as_str().unwrap().to_string(),
                b["context"].as_str().unwrap().to_string(),
                b["target"].as_str().unwrap_or("").to_string(),
                b["origin"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has = |df: &str, ctx: &str, target: &str, origin: &str| {
        assert!(
            builds
                .iter()
                .any(|b| b.0 == df && b.1 == ctx && b.2 == target && b.3.contains(origin)),
            "{df} from {ctx} ({origin}) missing in {builds:#?}"
        );
    };
    has("docker/Dockerfile", ".", "", "docker/docker-compose.yml");
    has(
        "services/worker/Dockerfile",
        "services/worker",
        "runtime",
        "docker/docker-compose.yml",
    );
    has(
        "services/api/Dockerfile",
        "services/api",
        "release",
        ".github/workflows/ci.yml",
    );
    has(
        "services/api/Dockerfile",
        "services/api",
        "test",
        "docker-bake.hcl",
    );
    has("web/Dockerfile", "web", "", "docker-bake.hcl");
    has("tools/Dockerfile-build", ".", "", "Makefile");
    has(
        "services/worker/Dockerfile.ci",
        "services/worker",
        "",
        "scripts/ci.sh",
    );
    has("deploy/migrate/Dockerfile", ".", "", "inferred");
    // Nothing fails: every source resolves from its real context.
    assert_eq!(v["copy_problems"], serde_json::json!([]), "{v:#}");
    for c in v["contexts"].as_array().unwrap() {
        assert_eq!(c["copy_problems"], serde_json::json!([]), "{c:#}");
    }
    // And check, which must not ask for anything init would decline.
    let (code, out, _) = run(ctxsize(t.path()).args(["check", "."]));
    assert_eq!(code, 0);
    assert!(
        !out.contains("CTX007") && !out.contains("build fails"),
        "{out}"
    );
}
