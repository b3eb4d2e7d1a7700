//! #13 in the upper layers: the builder chosen once per project and said
//! in the report, `.containerignore` for Podman, files BuildKit sends with
//! 0 bytes, and lines whose effect differs between the builders.

use crate::util::{ctxsize, run, Tree};

fn json(t: &Tree, args: &[&str], env: &[(&str, &str)]) -> serde_json::Value {
    let mut cmd = ctxsize(t.path());
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let (code, out, err) = run(&mut cmd);
    assert!(code == 0 || code == 1, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
}

#[test]
fn builder_comes_from_flag_then_env_then_config_then_default() {
    let t = Tree::new();
    t.write("a.txt", "a").write(".dockerignore", "a.txt\n");
    let r = json(&t, &["report", "--json", "."], &[]);
    assert_eq!(r["builder"], "buildkit");
    assert!(
        r["builder_reason"].as_str().unwrap().contains("default"),
        "{r}"
    );
    t.write(".ctxsize.toml", "builder = \"buildah\"\n");
    let r = json(&t, &["report", "--json", "."], &[]);
    assert_eq!(r["builder"], "podman");
    assert_eq!(r["builder_reason"], "builder in .ctxsize.toml");
    let r = json(
        &t,
        &["report", "--json", "."],
        &[("CTXSIZE_BUILDER", "classic")],
    );
    assert_eq!(r["builder"], "classic");
    assert_eq!(r["builder_reason"], "CTXSIZE_BUILDER");
    let r = json(
        &t,
        &["report", "--json", "--builder", "buildkit", "."],
        &[("CTXSIZE_BUILDER", "classic")],
    );
    assert_eq!(r["builder"], "buildkit");
    assert_eq!(r["builder_reason"], "--builder");
    // A bad value is a usage error naming where it came from.
    let (code, _, err) = run(ctxsize(t.path())
        .args(["check", "."])
        .env("CTXSIZE_BUILDER", "docker"));
    assert_eq!(code, 2);
    assert!(err.contains("CTXSIZE_BUILDER"), "{err}");
}

#[test]
fn podman_reads_containerignore_and_docker_does_not() {
    let t = Tree::new();
    t.write("a.txt", "a")
        .write("b.txt", "b")
        .write(".containerignore", "a.txt\n")
        .write(".dockerignore", "b.txt\n");
    let (_, ls, _) = run(ctxsize(t.path()).args(["ls", "--builder", "podman", "."]));
    assert!(ls.contains("b.txt") && !ls.contains("a.txt\n"), "{ls}");
    let (_, ls, _) = run(ctxsize(t.path()).args(["ls", "."]));
    assert!(ls.contains("a.txt") && !ls.contains("b.txt"), "{ls}");
    // The report says which file each builder reads.
    let r = json(&t, &["report", "--json", "."], &[]);
    let by: Vec<(String, String)> = r["ignore_file_by_builder"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["builder"].as_str().unwrap().to_string(),
                b["path"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    assert!(
        by.contains(&("podman".into(), ".containerignore".into())),
        "{by:?}"
    );
    assert!(
        by.contains(&("buildkit".into(), ".dockerignore".into())),
        "{by:?}"
    );
    // The text report says it too.
    let (_, text, _) = run(ctxsize(t.path()).args(["report", "--color", "never", "."]));
    assert!(text.contains("podman reads .containerignore"), "{text}");
    // Under Docker, the .containerignore is a file nobody reads.
    let l = json(&t, &["lint", "--json", "."], &[]);
    assert!(
        l.as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "ignore-file-choice" && d["severity"] == "warning"),
        "{l}"
    );
}

#[test]
fn init_writes_the_file_podman_reads() {
    let t = Tree::new();
    t.write("Containerfile", "FROM scratch\nCOPY app.py /\n")
        .write("app.py", "print()\n")
        .file("__pycache__/x.pyc", 10);
    let (code, out, err) = run(ctxsize(t.path()).args(["init", "--builder", "podman", "."]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(t.join(".containerignore").is_file(), "{out}");
    assert!(!t.join(".dockerignore").exists());
    let (code, out, _) = run(ctxsize(t.path()).args(["init", "--builder", "podman", "."]));
    assert_eq!(code, 0);
    assert!(out.contains("up to date"), "{out}");
}

#[test]
fn files_buildkit_sends_empty_are_shown_and_reported() {
    let t = Tree::new();
    t.write(
        ".dockerignore",
        "node_modules\n!node_modules/my-local-pkg\n**/node_modules\n",
    )
    .write(
        "node_modules/my-local-pkg/index.js",
        "module.exports = 1;\n",
    )
    .write("node_modules/left-pad/index.js", "x\n")
    .write("app/main.js", "y\n");
    let (_, ls, _) = run(ctxsize(t.path()).args(["ls", "--long", "."]));
    assert!(
        ls.lines()
            .any(|l| l.starts_with("f\t           0\tnode_modules/my-local-pkg/index.js")),
        "{ls}"
    );
    let (_, ls, _) = run(ctxsize(t.path()).args(["ls", "--long", "--builder", "classic", "."]));
    assert!(
        ls.contains("20\tnode_modules/my-local-pkg/index.js"),
        "{ls}"
    );
    let c = json(&t, &["check", "--format", "json", "."], &[]);
    let empty: Vec<&serde_json::Value> = c["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["code"] == "arrives-empty")
        .collect();
    assert_eq!(empty.len(), 1, "{c}");
    assert_eq!(empty[0]["line"], 2);
    assert_eq!(empty[0]["severity"], "error");
    let (code, _, _) = run(ctxsize(t.path()).args(["check", "--strict", "."]));
    assert_eq!(code, 1, "an empty file in the image fails the strict check");
    let l = json(&t, &["lint", "--json", "."], &[]);
    assert!(
        l.as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "arrives-empty"),
        "{l}"
    );
}

#[test]
fn lines_read_differently_by_the_builders_are_named() {
    let t = Tree::new();
    t.write(".dockerignore", "a+b.txt\n")
        .write("a+b.txt", "1")
        .write("aab.txt", "2")
        .write("c.txt", "3");
    let l = json(&t, &["lint", "--json", "."], &[]);
    let d = l
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "builder-divergence")
        .unwrap_or_else(|| panic!("{l}"));
    assert_eq!(d["line"], 1);
    assert!(d["message"].as_str().unwrap().contains("Podman"), "{d}");
    assert!(
        d["examples"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e == "aab.txt"),
        "{d}"
    );
    // Only information while nothing says the project builds with Podman;
    // a warning once it does.
    assert_eq!(d["severity"], "info");
    t.write("Containerfile", "FROM scratch\n");
    let l = json(&t, &["lint", "--json", "."], &[]);
    let d = l
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "builder-divergence")
        .unwrap();
    assert_eq!(d["severity"], "warning", "{d}");
}

#[test]
fn an_unknown_builder_in_the_config_is_an_error_naming_its_line() {
    let t = Tree::new();
    t.write("a.txt", "a")
        .write(".ctxsize.toml", "max-files = 10\nbuilder = \"docker\"\n");
    for verb in [
        &["ls", "."][..],
        &["check", "."][..],
        &["report", "--json", "."][..],
    ] {
        let (code, out, err) = run(ctxsize(t.path()).args(verb));
        assert_eq!(code, 2, "{verb:?}: {out}{err}");
        assert!(
            err.contains(":2:") && err.contains("builder"),
            "{verb:?}: {err}"
        );
    }
    // The flag decides without reading the file.
    let (code, _, err) = run(ctxsize(t.path()).args(["ls", "--builder", "classic", "."]));
    assert_eq!(code, 0, "{err}");
}
