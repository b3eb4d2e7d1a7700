//! `check --format sarif` against the OASIS SARIF 2.1.0 schema.
//!
//! The schema is `fixtures/sarif/sarif-schema-2.1.0.json` (see the README
//! there); Python's `jsonschema` validates with the draft the schema's
//! `$schema` names (draft-04). Without `python3` + `jsonschema` the
//! validation is skipped with a printed reason, except under `CI=true`,
//! where it fails. The rule-table checks run regardless.

use std::fs;
use std::process::Command;

use serde_json::Value;

use crate::util::{ctxsize, fixtures, run, Tree};

/// Validates `doc` (a path) against `schema`; exit 0 valid, 1 invalid
/// (errors printed), 3 jsonschema not importable.
const VALIDATE: &str = r#"
import json, sys
try:
    import jsonschema
    from jsonschema.validators import validator_for
except ImportError as e:
    print(f"jsonschema not importable: {e}")
    sys.exit(3)
with open(sys.argv[1], encoding="utf-8") as f:
    schema = json.load(f)
with open(sys.argv[2], encoding="utf-8") as f:
    doc = json.load(f)
cls = validator_for(schema)
cls.check_schema(schema)
errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.absolute_path))
for e in errors:
    print("/".join(str(p) for p in e.absolute_path) or "(root)", ":", e.message)
print(f"validator: {cls.__name__}, errors: {len(errors)}")
sys.exit(1 if errors else 0)
"#;

enum Validation {
    Valid,
    Unavailable(String),
}

/// Validates a SARIF document with Python's jsonschema; panics when invalid.
fn validate(sarif: &str, tree: &Tree, name: &str) -> Validation {
    let schema = fixtures().join("sarif/sarif-schema-2.1.0.json");
    let doc = tree.join(format!("{name}.sarif"));
    fs::write(&doc, sarif).unwrap();
    let out = match Command::new("python3")
        .arg("-c")
        .arg(VALIDATE)
        .arg(&schema)
        .arg(&doc)
        .output()
    {
        Ok(o) => o,
        Err(e) => return Validation::Unavailable(format!("python3 not runnable: {e}")),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => Validation::Valid,
        Some(3) => Validation::Unavailable(format!(
            "{} (install it with `python3 -m pip install jsonschema`)",
            stdout.trim()
        )),
        _ => panic!(
            "{name}: SARIF output does not validate:\n{stdout}{stderr}\n--- document:\n{sarif}"
        ),
    }
}

/// Checks what the schema cannot: rules are unique, every result's ruleId
/// is a driver rule and ruleIndex points at it. Returns the rule ids seen.
fn check_rules(sarif: &Value, name: &str) -> Vec<String> {
    assert_eq!(sarif["version"], "2.1.0", "{name}");
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1, "{name}: one run");
    let run = &runs[0];
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("driver.rules");
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().expect("rule id"))
        .collect();
    for (i, id) in ids.iter().enumerate() {
        assert!(!ids[..i].contains(id), "{name}: rule {id} listed twice");
    }
    let results = run["results"].as_array().expect("results");
    let mut seen = Vec::new();
    for r in results {
        let rule_id = r["ruleId"].as_str().expect("ruleId");
        assert!(
            ids.contains(&rule_id),
            "{name}: ruleId {rule_id} is not a driver rule ({ids:?})"
        );
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert!(
            index < rules.len(),
            "{name}: ruleIndex {index} out of range"
        );
        assert_eq!(
            rules[index]["id"], rule_id,
            "{name}: ruleIndex {index} points at {} not {rule_id}",
            rules[index]["id"]
        );
        let level = r["level"].as_str().expect("level");
        assert!(
            matches!(level, "warning" | "error" | "note"),
            "{name}: level {level}"
        );
        assert!(
            !r["message"]["text"].as_str().unwrap_or("").is_empty(),
            "{name}: empty message"
        );
        seen.push(rule_id.to_string());
    }
    seen
}

/// Runs `ctxsize check --format sarif ARGS` in `tree`, validates the output
/// and returns (exit code, rule ids of the results, validation).
fn sarif_check(tree: &Tree, name: &str, args: &[&str]) -> (i32, Vec<String>, Validation) {
    let (code, out, err) = run(ctxsize(tree.path())
        .args(["check", "--format", "sarif"])
        .args(args));
    assert!(code == 0 || code == 1, "{name}: exit {code}\n{out}\n{err}");
    let doc: Value = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("{name}: not JSON ({e}):\n{out}\n{err}"));
    let ids = check_rules(&doc, name);
    let v = validate(&out, tree, name);
    (code, ids, v)
}

fn has(ids: &[String], id: &str) -> bool {
    ids.iter().any(|i| i == id)
}

#[test]
fn sarif_output_matches_the_oasis_schema() {
    let mut unavailable = None;
    let mut note = |v: Validation| {
        if let Validation::Unavailable(why) = v {
            unavailable = Some(why);
        }
    };

    // No ignore file, both budgets exceeded, a secret, a heavy path, and a
    // COPY source that does not exist; --strict makes some of them errors.
    let t = Tree::new();
    t.write("Dockerfile", "FROM alpine\nCOPY app.py missing.txt /app/\n")
        .write("app.py", "print('hi')\n")
        .write(".env", "API_KEY=fake-0000000000000000\n")
        .file("node_modules/left-pad/index.js", 2000)
        .file("data/blob.bin", 4096);
    let (code, ids, v) = sarif_check(&t, "budgets", &["--max-size", "1kB", "--max-files", "2"]);
    note(v);
    assert_eq!(code, 0, "warnings only without --strict");
    for id in ["CTX003", "CTX004", "CTX005"] {
        assert!(has(&ids, id), "budgets: no {id} in {ids:?}");
    }
    let (code, ids, v) = sarif_check(
        &t,
        "budgets-strict",
        &["--strict", "--max-size", "1kB", "--max-files", "2"],
    );
    note(v);
    assert_eq!(code, 1, "--strict fails on the budgets");
    assert!(has(&ids, "CTX003"), "{ids:?}");

    // An invalid pattern: the result points at the ignore file's line.
    let t = Tree::new();
    t.write("Dockerfile", "FROM alpine\n")
        .write(".dockerignore", "# comment\n[\n");
    let (_, ids, v) = sarif_check(&t, "invalid", &["--strict"]);
    note(v);
    assert_eq!(ids, ["CTX006"], "invalid: {ids:?}");

    // A COPY source the ignore file excludes (a region with a line).
    let t = Tree::new();
    t.write("Dockerfile", "FROM alpine\nCOPY app.py /app/\n")
        .write("app.py", "print('hi')\n")
        .write(".dockerignore", "app.py\n");
    let (_, ids, v) = sarif_check(&t, "copy", &[]);
    note(v);
    assert!(has(&ids, "CTX007"), "copy: {ids:?}");

    // No problems: an empty result list is still a valid log.
    let t = Tree::new();
    t.write("Dockerfile", "FROM alpine\nCOPY app.py /app/\n")
        .write("app.py", "print('hi')\n")
        .write(".dockerignore", ".git\n");
    let (code, ids, v) = sarif_check(&t, "clean", &["--strict"]);
    note(v);
    assert_eq!(code, 0);
    assert!(ids.is_empty(), "clean: {ids:?}");

    if let Some(why) = unavailable {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("SARIF schema validation cannot run under CI=true: {why}");
        }
        eprintln!("SKIPPED sarif schema validation: {why}");
    }
}

/// `lint --format sarif|github`: the same findings as `lint --json`, each
/// under its own rule id, information as a SARIF `note` and a GitHub
/// `notice`, and the SARIF log valid against the schema.
#[test]
fn lint_renders_its_findings_as_sarif_and_github_annotations() {
    let t = Tree::new();
    t.file("app/__pycache__/m.pyc", 3)
        .file("app/main.py", 3)
        .file("x.log", 1)
        .file("keep/a.log", 1)
        .write(
            ".dockerignore",
            "__pycache__\n*.log\n*.log\n!app/main.py\nnothing-here\n",
        );
    let (code, json, err) = run(ctxsize(t.path()).args(["lint", "--json", "."]));
    assert_eq!(code, 0, "{err}");
    let json: Value = serde_json::from_str(&json).unwrap();
    let want: Vec<(String, String, u64)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // Redundant (CTX016) and an exception whose file is sent anyway
    // (CTX018) among them, both information.
    for (id, line) in [("CTX010", 1), ("CTX016", 3), ("CTX018", 4), ("CTX015", 5)] {
        assert!(
            want.iter().any(|(i, _, l)| i == id && *l == line),
            "{id} at line {line} missing in {want:?}"
        );
    }
    assert!(want.iter().any(|(i, s, _)| i == "CTX016" && s == "info"));

    let (code, out, err) = run(ctxsize(t.path()).args(["lint", "--format", "sarif", "."]));
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let ids = check_rules(&doc, "lint");
    let levels: Vec<String> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["level"].as_str().unwrap().to_string())
        .collect();
    let lines: Vec<u64> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
        })
        .collect();
    let from_sarif: Vec<(String, String, u64)> = ids
        .into_iter()
        .zip(levels)
        .zip(lines)
        .map(|((i, l), n)| {
            let sev = match l.as_str() {
                "note" => "info",
                other => other,
            };
            (i, sev.to_string(), n)
        })
        .collect();
    assert_eq!(from_sarif, want);
    if let Validation::Unavailable(why) = validate(&out, &t, "lint") {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("SARIF schema validation cannot run under CI=true: {why}");
        }
        eprintln!("SKIPPED sarif schema validation: {why}");
    }

    let (code, out, err) = run(ctxsize(t.path()).args(["lint", "--format", "github", "."]));
    assert_eq!(code, 0, "{err}");
    let from_github: Vec<(String, String, u64)> = out
        .lines()
        .map(|l| {
            let (kind, rest) = l.strip_prefix("::").unwrap().split_once(' ').unwrap();
            let id = rest
                .split("title=ctxsize ")
                .nth(1)
                .unwrap()
                .split(',')
                .next()
                .unwrap();
            let line: u64 = rest
                .split("line=")
                .nth(1)
                .unwrap()
                .split("::")
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let sev = match kind {
                "notice" => "info",
                other => other,
            };
            (id.to_string(), sev.to_string(), line)
        })
        .collect();
    assert_eq!(from_github, want, "{out}");
}
