//! Regressions named after the issue that reported them (#12: "One model
//! of the repository's builds"), each written before its fix.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::util::{ctxsize, run, Tree};

fn json(t: &Tree, args: &[&str]) -> serde_json::Value {
    let (code, out, err) = run(ctxsize(t.path()).args(args));
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {out}"))
}

/// #12 item 6: `COPY *.json` was counted as 0 B in the per-instruction
/// sizes.
#[test]
fn issue12_copy_wildcard_counts_the_files_it_copies() {
    let t = Tree::new();
    t.write(
        "Dockerfile",
        "FROM scratch\nCOPY *.json /app/\nCOPY src/*.py /app/\n",
    )
    .file("package.json", 100)
    .file("tsconfig.json", 20)
    .file("README.md", 5000)
    .file("src/a.py", 7)
    .file("src/b.py", 8)
    .file("src/c.txt", 900)
    .write(".dockerignore", "tsconfig.json\n");
    let r = json(&t, &["report", "--json", "."]);
    let ins = &r["dockerfiles"][0]["instructions"];
    assert_eq!(ins[0]["bytes"], 100, "{ins}");
    assert_eq!(ins[0]["files"], 1, "{ins}");
    assert_eq!(ins[1]["bytes"], 15, "{ins}");
    assert_eq!(ins[1]["files"], 2, "{ins}");
    assert_eq!(r["dockerfiles"][0]["transfer_bytes"], 115);
}

/// #12 item 6: `lint --json --fix` printed a text line after the JSON.
#[test]
fn issue12_lint_json_fix_prints_only_json() {
    let t = Tree::new();
    t.write(".dockerignore", "__pycache__\n")
        .file("__pycache__/a.pyc", 3)
        .file("pkg/__pycache__/b.pyc", 3)
        .file("pkg/m.py", 3);
    let (code, out, err) = run(ctxsize(t.path()).args(["lint", "--json", "--fix", "."]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"));
    assert!(v.is_array() || v.is_object(), "{v}");
    assert_eq!(
        std::fs::read_to_string(t.join(".dockerignore")).unwrap(),
        "**/__pycache__\n"
    );
}

/// #12 item 6: `fail-on = ["all"]` in `.ctxsize.toml` exited 2 while
/// `--fail-on all` worked.
#[test]
fn issue12_config_fail_on_all() {
    let t = Tree::new();
    t.write(".ctxsize.toml", "fail-on = [\"all\"]\n")
        .write(".dockerignore", "x\n")
        .write(".env", "A=1\n");
    let (code, out, err) = run(ctxsize(t.path()).args(["check", "."]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains(".env"), "{out}");
}

/// #12 item 6: `ls --json | head` printed "Broken pipe" and exited 2;
/// like plain `ls | head` it must stop silently.
#[test]
fn issue12_closed_pipe_is_silent_in_every_format() {
    let t = Tree::new();
    for i in 0..4000 {
        t.file(format!("d{}/file-{i:05}.txt", i % 10), 1);
    }
    for args in [
        &["ls", "."][..],
        &["ls", "--json", "."],
        &["ls", "--long", "."],
        &["report", "--json", "--top", "5000", "--depth", "9", "."],
    ] {
        let mut child = ctxsize(t.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // The reader is gone: the next writes fail with EPIPE.
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
    }
}

/// Found on a materialized real project (traefik): its `.dockerignore`
/// excludes `dist/` and re-includes `!dist/**/traefik`; `init` appended
/// `**/dist` below the exception. BuildKit's walk still sends the binaries
/// but its second check on reading excludes them: they arrived empty and
/// `lint`/`check` then failed on the file `init` had just written. A rule
/// that leaves a file of the user's exception empty undoes that exception:
/// `init` declines it, under every builder, and the verbs agree.
#[test]
fn init_never_empties_the_files_of_a_users_exception() {
    for builder in ["buildkit", "classic", "podman"] {
        let t = Tree::new();
        t.write("dist/.keep", "")
            .write("dist/app_linux_amd64/app", "binary")
            .write("web/dist/bundle.js", "x".repeat(5000))
            .write("web/package.json", "{}\n")
            .write("web/node_modules/left-pad/index.js", "x")
            .write(".dockerignore", "dist/\n!dist/**/app\n")
            .write(
                "Dockerfile",
                "FROM scratch\nARG TARGETPLATFORM\nCOPY ./dist/$TARGETPLATFORM/app /app\n",
            );
        let binary = || {
            let (code, out, err) =
                run(ctxsize(t.path()).args(["ls", "--long", "--builder", builder, "."]));
            assert_eq!(code, 0, "{err}");
            out.lines()
                .find(|l| l.ends_with("dist/app_linux_amd64/app"))
                .map(str::to_owned)
        };
        let verbs = [&["lint", "--check"][..], &["check", "--strict"][..]];
        let exits = || {
            verbs.map(|verb| {
                run(ctxsize(t.path())
                    .args(verb)
                    .args(["--builder", builder, "."]))
                .0
            })
        };
        // The classic builder and Podman never enter `dist` here: the
        // user's exception itself draws warnings there.
        let exits_before = exits();
        let before = binary();
        if builder == "buildkit" {
            let line = before.clone().expect("BuildKit sends the binary");
            assert!(line.split_whitespace().any(|w| w == "6"), "{line}");
        }
        let (code, out, err) = run(ctxsize(t.path()).args(["init", "--builder", builder, "."]));
        assert_eq!(code, 0, "{builder}: {out}{err}");
        let written = std::fs::read_to_string(t.join(".dockerignore")).unwrap();
        assert!(
            written.starts_with("dist/\n!dist/**/app\n"),
            "{builder}: the user's lines first: {written}"
        );
        assert_eq!(binary(), before, "{builder}: sent as before\n{written}");
        if builder == "buildkit" {
            assert_eq!(
                exits(),
                [0, 0],
                "{builder}: lint and check pass after init\n{written}"
            );
        } else {
            let after = exits();
            assert!(
                after[0] <= exits_before[0] && after[1] <= exits_before[1],
                "{builder}: init made no verdict worse: {exits_before:?} -> {after:?}\n{written}"
            );
        }
    }
}

/// Found by the review of #12: a line that looks like a comment but is a
/// pattern matching nothing was information in `lint` and a warning in
/// `check` and `report`, so `check --fail-on lint` failed where
/// `lint --check` passed. All three now say the same.
#[test]
fn comment_like_lines_have_one_severity_in_every_verb() {
    let t = Tree::new();
    t.write(
        ".dockerignore",
        ".git\n  # build output\nnode_modules # deps\n\
         docs/ # see docs/x\n  #*\n",
    )
    .file("app.py", 10)
    .file("#keep", 1)
    .file("docs/a.md", 10)
    .file(".git/HEAD", 10)
    .file(".git/x/y", 10);
    let severity_by_line = |items: &serde_json::Value, line_key: &str| {
        let mut v: Vec<(u64, String)> = items
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule_id"] == "CTX012")
            .map(|d| {
                (
                    d[line_key].as_u64().unwrap(),
                    d["severity"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let lint = json(&t, &["lint", "--json", "."]);
    let from_lint = severity_by_line(&lint, "line");
    // Matching nothing: information; `  #*` matches `#keep`: a warning.
    assert_eq!(
        from_lint,
        [
            (2, "info".to_string()),
            (3, "info".to_string()),
            (4, "info".to_string()),
            (5, "warning".to_string())
        ],
        "{lint}"
    );
    let check = json(&t, &["check", "--format", "json", "."]);
    assert_eq!(
        severity_by_line(&check["problems"], "line"),
        from_lint,
        "{check}"
    );
}

/// Found by the review of #12: the trailing-slash examples in `check` and
/// `report` were the first files each thread met, so they could change
/// from run to run and differ from `lint`'s. They are now the first in
/// path order, as in `lint`.
#[test]
fn trailing_slash_examples_are_the_same_every_run_and_in_every_verb() {
    let t = Tree::new();
    t.write(".dockerignore", "**/logs/\n");
    for i in 0..200 {
        t.file(format!("d{i:03}/sub/logs"), 1);
    }
    let examples = |v: &serde_json::Value| -> Vec<String> {
        let items = v.as_array().unwrap();
        let f = items
            .iter()
            .find(|d| d["rule_id"] == "CTX013")
            .unwrap_or_else(|| panic!("no CTX013 in {v}"));
        f["examples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap().to_string())
            .collect()
    };
    let from_lint = examples(&json(&t, &["lint", "--json", "."]));
    assert_eq!(
        from_lint,
        ["d000/sub/logs", "d001/sub/logs", "d002/sub/logs"],
        "lint"
    );
    for _ in 0..5 {
        let check = json(&t, &["check", "--format", "json", "."]);
        assert_eq!(examples(&check["problems"]), from_lint);
    }
}

/// Left untested last session: what `report` says about the other
/// contexts it cannot measure, and how it names a context outside the
/// directory reported on (it read `outside`, as if inside; now
/// `../outside`).
#[test]
fn report_names_the_contexts_it_cannot_measure() {
    let t = Tree::new();
    t.write("outside/Dockerfile", "FROM scratch\nCOPY . /x\n")
        .write("proj/Dockerfile", "FROM scratch\n")
        .write("proj/api/Dockerfile", "FROM scratch\nCOPY . /x\n")
        .write(
            "proj/compose.yaml",
            "services:\n  out:\n    build: ../outside\n  gone:\n    build:\n      context: ./missing\n  api:\n    build: ./api\n",
        );
    let errors = |args: &[&str]| -> Vec<(String, String, Option<String>)> {
        let v = json(&t, args);
        v["contexts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["context"].as_str().unwrap().to_string(),
                    c["dockerfiles"][0]["path"].as_str().unwrap().to_string(),
                    c["error"].as_str().map(String::from),
                )
            })
            .collect()
    };
    let e = |s: &str| Some(s.to_string());
    let row = |c: &str, d: &str, err: Option<String>| (c.to_string(), d.to_string(), err);
    assert_eq!(
        errors(&["report", "--json", "proj"]),
        [
            row(".", "Dockerfile", None),
            row(
                "../outside",
                "../outside/Dockerfile",
                e("outside the directory reported on; not measured")
            ),
            row(
                "missing",
                "missing/Dockerfile",
                e("the context directory does not exist; the build fails")
            ),
            row("api", "api/Dockerfile", None),
        ]
    );
    let pruned = errors(&["report", "--json", "--prune", "proj"]);
    assert_eq!(
        pruned[3],
        row(
            "api",
            "api/Dockerfile",
            e("not measured (--prune reads only this context)")
        )
    );
}
