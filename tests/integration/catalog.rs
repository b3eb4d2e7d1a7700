//! #14 through the binary: every case of `fixtures/catalog` gives exactly
//! the findings `expected.tsv` lists (evidence present and absent, each
//! token format, env templates), and no output carries a credential.

use std::collections::{BTreeMap, BTreeSet};

use crate::projects::project;
use crate::util::{ctxsize, fixtures, run};

fn expected() -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(fixtures().join("catalog/expected.tsv")).unwrap();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for l in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut f = l.split('\t');
        let (case, path, id) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
        out.entry(case.into())
            .or_default()
            .insert(format!("{path}\t{id}"));
    }
    out
}

#[test]
fn every_case_gives_its_expected_findings() {
    let want = expected();
    let mut cases = 0;
    for e in std::fs::read_dir(fixtures().join("catalog")).unwrap() {
        let e = e.unwrap();
        if !e.file_type().unwrap().is_dir() {
            continue;
        }
        let case = e.file_name().to_string_lossy().into_owned();
        cases += 1;
        let t = project(&format!("catalog/{case}"));
        let (code, out, err) = run(ctxsize(t.path()).args(["report", "--json", "."]));
        assert_eq!(code, 0, "{case}: {err}");
        assert!(
            !out.contains("CTXCANARY"),
            "{case}: a credential was printed"
        );
        let r: serde_json::Value = serde_json::from_str(&out).unwrap();
        let mut got = BTreeSet::new();
        for f in r["findings"].as_array().unwrap() {
            for p in f["paths"].as_array().unwrap() {
                let id = f["id"].as_str().unwrap();
                let id = match f["line"].as_u64() {
                    Some(l) => format!("{id}:{l}"),
                    None => id.to_string(),
                };
                got.insert(format!("{}\t{id}", p.as_str().unwrap()));
            }
        }
        let empty = BTreeSet::new();
        let want = want.get(&case).unwrap_or(&empty);
        assert_eq!(&got, want, "{case}");
        // No format of check or lint prints a credential either.
        for args in [
            &["check", "."][..],
            &["check", "--format", "json", "."],
            &["check", "--format", "sarif", "."],
            &["check", "--format", "github", "."],
            &["lint", "."],
            &["init", "--stdout", "."],
        ] {
            let (_, out, err) = run(ctxsize(t.path()).args(args));
            assert!(
                !out.contains("CTXCANARY") && !err.contains("CTXCANARY"),
                "{case} {args:?}: a credential was printed"
            );
        }
    }
    assert!(cases >= 15, "{cases} cases");
}

#[test]
fn secrets_found_by_content_name_file_kind_and_line() {
    let t = project("catalog/tokens");
    let (_, out, _) = run(ctxsize(t.path()).args(["check", "."]));
    assert!(
        out.lines()
            .any(|l| l.starts_with("deploy/credentials: warning: secret") && l.contains("line 2")),
        "{out}"
    );
}

#[test]
fn maven_modules_get_one_rule_that_stays_true() {
    let t = project("catalog/maven-modules");
    let (code, out, err) = run(ctxsize(t.path()).args(["init", "--stdout", "."]));
    assert_eq!(code, 0, "{err}");
    // docs/target is a look-alike without a pom.xml: `**/target` would
    // catch it, so the exact paths are written (and said why).
    let (_, said, _) = run(ctxsize(t.path()).args(["init", "--dry-run", "."]));
    if out.contains("**/target") {
        assert!(!t.join("docs/target").exists() || said.contains("docs/target"));
    } else {
        assert!(
            out.contains("mod-a/target") && out.contains("mod-c/target"),
            "{out}"
        );
        assert!(said.contains("not adding `**/target`"), "{said}");
    }
}

/// A tracked env file holding a connection string with a literal password
/// is a secret; the same file with a placeholder is not.
#[test]
fn a_tracked_env_file_with_a_password_in_a_url_is_a_secret() {
    let t = crate::util::Tree::new();
    t.write("app.env", "DATABASE_URL=postgres://app:s3cretpw@db/app\n")
        .write(
            "ci.env",
            "DATABASE_URL=postgres://app:${DB_PASSWORD}@db/app\n",
        )
        .write("Dockerfile", "FROM scratch\nCOPY . /\n")
        .write(".dockerignore", ".git\n");
    crate::projects::git_init(&t);
    let (_, out, err) = run(ctxsize(t.path()).args(["check", "."]));
    assert!(
        out.lines()
            .any(|l| l.starts_with("app.env: warning: secret")),
        "{out}{err}"
    );
    assert!(!out.contains("ci.env"), "{out}");
    assert!(
        !out.contains("s3cretpw"),
        "never a byte of the value: {out}"
    );
}

/// At the root of a Go checkout whose `go.mod` names no usable module, the
/// binary is named after the checkout's directory.
#[test]
fn a_go_binary_named_after_the_checkout_is_heavy() {
    let t = crate::util::Tree::new();
    let mut elf = b"\x7fELF\x02\x01\x01".to_vec();
    elf.resize(4096, 0);
    t.write("mytool/go.mod", "go 1.22\n")
        .write("mytool/main.go", "package main\nfunc main() {}\n")
        .write("mytool/mytool", &elf)
        .write("mytool/othertool", &elf);
    let (_, out, err) = run(ctxsize(&t.join("mytool")).args(["check", "."]));
    assert!(
        out.lines().any(|l| l.starts_with("mytool: warning:")),
        "{out}{err}"
    );
    assert!(!out.contains("othertool"), "{out}");
}
