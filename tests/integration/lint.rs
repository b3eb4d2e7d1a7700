//! `ctxsize lint` on real trees.

use std::fs;

use crate::util::{ctxsize, run, Tree};

fn lint(t: &Tree, args: &[&str]) -> (i32, String) {
    let (code, out, err) = run(ctxsize(t.path()).arg("lint").args(args));
    assert!(code == 0 || code == 1, "{err}");
    (code, out)
}

fn tree() -> Tree {
    let t = Tree::new();
    t.file("app/__pycache__/m.pyc", 3)
        .file("app/main.py", 3)
        .file("web/node_modules/x/index.js", 3)
        .file("keep.log", 1)
        .file("a.log", 1)
        .file("docs/a.md", 1);
    t
}

#[test]
fn finds_each_kind_of_mistake() {
    let t = tree();
    t.write(
        ".dockerignore",
        "__pycache__\nnode_modules\n  # indented\nfoo # trailing\n// x\nnothing-here\n!keep.log\n*.log\ndocs/\na+b*\n",
    );
    let (code, out) = lint(&t, &["--check"]);
    assert_eq!(code, 1);
    for (line, code) in [
        (1, "root-only"),
        (2, "root-only"),
        (3, "comment-like"),
        (4, "comment-like"),
        (5, "comment-like"),
        (6, "matches-nothing"),
        (7, "exception-before-rule"),
        (9, "trailing-slash"),
        (10, "older-docker"),
    ] {
        assert!(
            out.lines()
                .any(|l| l.starts_with(&format!(".dockerignore:{line}:"))
                    && l.ends_with(&format!("[{code}]"))),
            "line {line} {code} missing in:\n{out}"
        );
    }
    assert!(out.contains("use `**/__pycache__`"), "{out}");
    assert!(out.contains("app/__pycache__"), "{out}");
}

#[test]
fn fix_rewrites_lines_in_place() {
    let t = tree();
    let original = "# keep me\r\n__pycache__\r\n  # indented\r\n*.md";
    t.write(".dockerignore", original);
    let (_, out) = lint(&t, &["--fix"]);
    assert!(out.contains("fixed"), "{out}");
    assert_eq!(
        fs::read_to_string(t.join(".dockerignore")).unwrap(),
        "# keep me\r\n**/__pycache__\r\n# indented\r\n*.md"
    );
    let (_, out) = lint(&t, &["--fix"]);
    assert!(out.contains("nothing to fix"), "{out}");
}

#[test]
fn wildcard_exception_reports_builder_divergence() {
    let t = Tree::new();
    t.file("node_modules/a/package.json", 2)
        .file("node_modules/a/index.js", 2)
        .write(".dockerignore", "node_modules\n!**/package.json\n");
    let (_, out) = lint(&t, &[]);
    assert!(out.contains("[wildcard-exception]"), "{out}");
    assert!(out.contains("node_modules/a/package.json"), "{out}");
}

#[test]
fn dockerfile_specific_files_are_named() {
    let t = Tree::new();
    t.file("a", 1)
        .write(".dockerignore", "a\n")
        .write("Dockerfile.dev", "FROM scratch\n")
        .write("Dockerfile.dev.dockerignore", "b\n");
    let (_, out) = lint(&t, &["--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "dockerfile-specific"),
        "{out}"
    );
}

#[test]
fn clean_file_has_no_findings() {
    let t = tree();
    t.write(
        ".dockerignore",
        "**/__pycache__\n**/node_modules\n*.log\n!keep.log\n",
    );
    let (code, out) = lint(&t, &["--check"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, ".dockerignore: no findings\n");
}

#[test]
fn anchored_patterns_are_not_root_only_and_fixes_never_drop_sources() {
    let t = Tree::new();
    t.file("a/node_modules/x", 1)
        .file("src/build/main.go", 1)
        .file("out/build/x.o", 1)
        .write("Dockerfile", "FROM scratch\nCOPY src/build /app/build\n")
        .write(".dockerignore", "/node_modules\nbuild\n");
    let (_, out) = lint(&t, &[]);
    assert!(
        !out.contains(".dockerignore:1: /node_modules: `node_modules` matches only"),
        "{out}"
    );
    assert!(out.contains(".dockerignore:2: build:"), "{out}");
    let (_, out) = lint(&t, &["--fix"]);
    assert!(out.contains("nothing to fix"), "{out}");
    assert_eq!(
        fs::read_to_string(t.join(".dockerignore")).unwrap(),
        "/node_modules\nbuild\n"
    );
}

#[test]
fn one_level_pattern_is_found_and_fixed() {
    let t = Tree::new();
    t.file("node_modules/a/i.js", 1)
        .file("web/node_modules/b/i.js", 1)
        .file("pkg/web/node_modules/c/i.js", 1)
        .file("web/app.js", 1);
    t.write(".dockerignore", "*/node_modules\n");
    let (code, out) = lint(&t, &["--check"]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with(".dockerignore:1: */node_modules:") && out.contains("[one-level]"),
        "{out}"
    );
    // The two it misses, at the root and two levels down.
    assert!(
        out.contains("(e.g. node_modules, pkg/web/node_modules)"),
        "{out}"
    );
    lint(&t, &["--fix"]);
    assert_eq!(
        fs::read_to_string(t.path().join(".dockerignore")).unwrap(),
        "**/node_modules\n"
    );
    let (code, out) = lint(&t, &["--check"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn report_and_check_surface_lint_findings() {
    let t = Tree::new();
    t.file("app/__pycache__/m.pyc", 3)
        .file("app/main.py", 3)
        .file("logs", 2)
        .file("svc/x/node_modules/y/i.js", 1);
    t.write(
        ".dockerignore",
        "__pycache__\n*/node_modules\n  # note\nlogs/\ndist/\n",
    );
    // check: one line per finding, at file:line, with the change.
    let (code, out, err) = run(ctxsize(t.path()).arg("check"));
    assert_eq!(code, 0, "{err}");
    for want in [
        ".dockerignore:1: warning: `__pycache__` matches only at the context root",
        ".dockerignore:2: warning: `*/node_modules` matches only one directory below the root",
        // It matches nothing: information, as `lint` says.
        ".dockerignore:3: info: this line is a pattern, not a comment",
        ".dockerignore:4: warning: a trailing `/`",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(want)),
            "{want} missing in:\n{out}"
        );
    }
    assert!(
        out.contains("[change the line to `**/__pycache__`]"),
        "{out}"
    );
    // `dist/` catches no file: nothing to say outside `ctxsize lint`.
    assert!(!out.contains(".dockerignore:5:"), "{out}");
    // Advice: the check fails on it only when asked.
    let (code, _, _) = run(ctxsize(t.path()).args(["check", "--fail-on", "secrets,copy"]));
    assert_eq!(code, 0);
    let (code, _, _) = run(ctxsize(t.path()).args(["check", "--fail-on", "lint"]));
    assert_eq!(code, 1);
    let (_, json, _) = run(ctxsize(t.path()).args(["check", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    // Each kind of lint finding has its own stable id.
    let lint_ids: Vec<_> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["category"] == "lint")
        .map(|p| (p["line"].as_u64().unwrap(), p["rule_id"].as_str().unwrap()))
        .collect();
    assert_eq!(
        lint_ids,
        [(1, "CTX010"), (2, "CTX011"), (3, "CTX012"), (4, "CTX013")]
    );
    // report: the same findings, in text and JSON.
    let (code, out, err) = run(ctxsize(t.path()).args(["report", "--color", "never"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Ignore-file lines that do not do what they seem to (4)"),
        "{out}"
    );
    assert!(out.contains("    e.g. svc/x/node_modules"), "{out}");
    let (_, json, _) = run(ctxsize(t.path()).args(["report", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let codes: Vec<_> = v["lint"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        codes,
        ["root-only", "one-level", "comment-like", "trailing-slash"]
    );
    assert_eq!(v["lint"][0]["examples"][0], "app/__pycache__");
    assert_eq!(v["lint"][0]["fix"], "**/__pycache__");
}

#[test]
fn fix_needs_the_catalogue_evidence_on_disk() {
    // `lang/vendor` holds the project's own translations: with no
    // composer.json beside it, it is not Composer's vendor directory, and
    // `**/vendor` would drop tracked sources.
    let t = Tree::new();
    t.file("lang/vendor/webauthn/en/errors.php", 5)
        .file("vendor/autoload.php", 5)
        .file("app/__pycache__/m.pyc", 3);
    t.write(".dockerignore", "vendor/\n__pycache__\n");
    let (_, out) = lint(&t, &["--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let by_line = |l: u64| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|f| f["line"] == l && f["code"] == "root-only")
            .cloned()
            .unwrap_or_else(|| panic!("no root-only on line {l}: {out}"))
    };
    assert!(by_line(1)["fix"].is_null(), "{out}");
    assert_eq!(by_line(2)["fix"], "**/__pycache__");
    assert!(by_line(2)["message"]
        .as_str()
        .unwrap()
        .contains("1 deeper match stays in the context, with everything below"));
    lint(&t, &["--fix"]);
    assert_eq!(
        fs::read_to_string(t.path().join(".dockerignore")).unwrap(),
        "vendor/\n**/__pycache__\n"
    );
    let (_, ls, _) = run(ctxsize(t.path()).arg("ls"));
    assert!(ls.contains("lang/vendor/webauthn/en/errors.php"), "{ls}");
}

#[test]
fn one_level_rule_that_matches_nothing_says_so() {
    let t = Tree::new();
    t.file("bin/app.dll", 2).file("a/b/bin/x", 1);
    t.write(".dockerignore", "*/bin\n");
    let (_, out) = lint(&t, &[]);
    // `*/bin` would match `x/bin`; here every `bin` is deeper.
    assert!(out.contains("[one-level]"), "{out}");
    assert!(
        out.contains("as written it matches nothing in this tree"),
        "{out}"
    );
}
