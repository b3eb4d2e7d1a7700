//! The facts of a run are gathered once: each context is walked once and
//! each Dockerfile read and parsed once per run, whatever the verb.
//! Counted in the library, through the run's facts.

use std::collections::HashMap;
use std::path::PathBuf;

use ctxsize::commands::{check, init, report};
use ctxsize::facts::{Facts, Request};

use crate::projects::project;

fn facts(dir: PathBuf) -> Facts {
    Facts::gather(Request {
        dir,
        ..Request::default()
    })
    .unwrap()
}

fn assert_once(what: &str, counts: &HashMap<PathBuf, usize>) {
    assert!(!counts.is_empty(), "no {what} counted");
    for (path, n) in counts {
        assert_eq!(*n, 1, "{what} {} happened {n} times", path.display());
    }
}

#[test]
fn report_walks_each_context_once_and_parses_each_dockerfile_once() {
    let t = project("compose-app");
    let f = facts(t.path().to_path_buf());
    let r = report::build(&f, &report::ReportOptions::default(), None).unwrap();
    // api (two builds, one context), web (its own ignore file), and the
    // root, which this report is about.
    assert!(r.contexts.len() >= 3, "{:?}", r.contexts);
    assert_once("walk of", &f.walk_counts());
    assert_once("read of", &f.dockerfiles.reads());
    assert!(
        f.walk_counts().len() >= 3,
        "every context is walked: {:?}",
        f.walk_counts()
    );
}

#[test]
fn check_and_init_walk_once() {
    let t = project("fastapi");
    let f = facts(t.path().to_path_buf());
    check::evaluate(&f, &check::CheckOptions::default()).unwrap();
    assert_once("walk of", &f.walk_counts());
    assert_once("read of", &f.dockerfiles.reads());
    let f = facts(t.path().to_path_buf());
    let mut out = Vec::new();
    init::run(&f, &init::InitOptions::default(), &mut out).unwrap();
    assert_once("walk of", &f.walk_counts());
    assert!(
        String::from_utf8_lossy(&out).contains("wrote .dockerignore")
            || String::from_utf8_lossy(&out).contains("wrote "),
        "{}",
        String::from_utf8_lossy(&out)
    );
}
