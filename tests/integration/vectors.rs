//! The conformance vectors (`fixtures/vectors`, produced by Docker's own
//! matching code): every case's tree is built on disk, walked under both
//! builders, and compared entry by entry (type, size, path).

use base64::Engine as _;
use ctxsize::pattern::Matcher;
use ctxsize::scan::{list, BuilderKind, EntryKind, Select};
use serde_json::Value;

use crate::util::{fixtures, Tree};

fn build(case: &Value) -> Tree {
    let t = Tree::new();
    for e in case["tree"].as_array().unwrap() {
        let path = e["path"].as_str().unwrap();
        match e["type"].as_str().unwrap() {
            "f" => {
                t.file(path, e["size"].as_u64().unwrap() as usize);
            }
            "d" => {
                t.mkdir(path);
            }
            "l" => {
                t.symlink(path, e["target"].as_str().unwrap());
            }
            other => panic!("unknown type {other}"),
        }
    }
    let ignore = base64::engine::general_purpose::STANDARD
        .decode(case["dockerignore_b64"].as_str().unwrap())
        .unwrap();
    // The generator writes no file for an empty one.
    if !ignore.is_empty() {
        t.write(".dockerignore", ignore);
    }
    t
}

fn ours(t: &Tree, builder: BuilderKind) -> Result<Vec<(String, u64, String)>, String> {
    let data = std::fs::read(t.join(".dockerignore")).unwrap_or_default();
    let compiled = Matcher::from_bytes(&data, None);
    if let Some(e) = compiled.errors.first() {
        return Err(e.to_string());
    }
    let listing = list(t.path(), &compiled.matcher, builder, Select::Included)
        .map_err(|e| format!("rule {} fails", e.rule))?;
    assert!(listing.errors.is_empty(), "{:?}", listing.errors);
    Ok(listing
        .entries
        .into_iter()
        .map(|e| {
            let code = match e.kind {
                EntryKind::File => "f",
                EntryKind::Dir => "d",
                EntryKind::Symlink => "l",
                _ => "?",
            };
            (code.to_string(), e.size, String::from_utf8(e.path).unwrap())
        })
        .collect())
}

fn expected(answer: &Value) -> Result<Vec<(String, u64, String)>, ()> {
    if answer["error"].as_bool().unwrap() {
        return Err(());
    }
    Ok(answer["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e[0].as_str().unwrap().to_string(),
                e[1].as_u64().unwrap(),
                e[2].as_str().unwrap().to_string(),
            )
        })
        .collect())
}

fn run_file(name: &str) {
    let text = std::fs::read_to_string(fixtures().join("vectors").join(name)).unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        let t = build(&case);
        for (builder, key) in [
            (BuilderKind::Classic, "classic"),
            (BuilderKind::BuildKit, "buildkit"),
        ] {
            count += 1;
            let want = expected(&case[key]);
            let got = ours(&t, builder);
            let ok = match (&want, &got) {
                (Err(()), Err(_)) => true,
                (Ok(w), Ok(g)) => w == g,
                _ => false,
            };
            if !ok {
                failures.push(format!(
                    "{} [{key}] note={:?}\n  ignore={:?}\n  want={:?}\n  got ={:?}",
                    case["id"],
                    case["note"],
                    String::from_utf8_lossy(
                        &base64::engine::general_purpose::STANDARD
                            .decode(case["dockerignore_b64"].as_str().unwrap())
                            .unwrap()
                    ),
                    want,
                    got
                ));
            }
        }
    }
    println!(
        "{name}: {count} builder answers compared, {} differ",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {count} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn examples() {
    run_file("examples.jsonl");
}

#[test]
fn random_seed1000() {
    run_file("random-seed1000.jsonl");
}
