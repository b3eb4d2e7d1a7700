//! The conformance vectors (`fixtures/vectors`, answers of the real engines):
//! every case's tree is built on disk, the ignore file is looked up and
//! compiled as each builder does, the context is walked under the classic
//! builder, BuildKit and Podman, and compared entry by entry (type, size
//! sent, path). Where a builder's answer is an error, ctxsize must refuse
//! the ignore file or fail the walk (the status is compared, not the
//! wording).

use std::path::PathBuf;

use base64::Engine as _;
use ctxsize::ignorefile;
use ctxsize::pattern::Builder;
use ctxsize::scan::{list, EntryKind, Select};
use serde_json::Value;

use crate::util::{fixtures, Tree};

type Entries = Vec<(String, u64, String)>;

fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

/// The context (and, beside it, a directory for a Dockerfile outside it).
struct Case {
    ctx: Tree,
    outside: Tree,
    build_file: Option<PathBuf>,
}

fn build(case: &Value) -> Case {
    let t = Tree::new();
    for e in case["tree"].as_array().unwrap() {
        let path = e["path"].as_str().unwrap();
        match e["type"].as_str().unwrap() {
            "f" => match e.get("content_b64").and_then(Value::as_str) {
                Some(content) => {
                    let bytes = b64(content);
                    assert_eq!(bytes.len() as u64, e["size"].as_u64().unwrap(), "{path}");
                    t.write(path, bytes);
                }
                None => {
                    t.file(path, e["size"].as_u64().unwrap() as usize);
                }
            },
            "d" => {
                t.mkdir(path);
            }
            "l" => {
                t.symlink(path, e["target"].as_str().unwrap());
            }
            other => panic!("unknown type {other}"),
        }
    }
    let ignore = b64(case["dockerignore_b64"].as_str().unwrap());
    // An empty one means no file at all.
    if !ignore.is_empty() {
        t.write(".dockerignore", ignore);
    }
    let outside = Tree::new();
    outside.write("Dockerfile", "FROM scratch\nCOPY . /ctx/\n");
    let build_file = case["build_file"].as_str().map(|f| t.join(f));
    Case {
        ctx: t,
        outside,
        build_file,
    }
}

/// What ctxsize says `builder` sends, or why the build fails.
fn ours(c: &Case, builder: Builder) -> Result<Entries, String> {
    let dockerfile = c
        .build_file
        .clone()
        .unwrap_or_else(|| c.outside.join("Dockerfile"));
    let file = ignorefile::resolve(c.ctx.path(), Some(&dockerfile), None, builder)
        .map_err(|e| e.to_string())?;
    let (matcher, errors) = ignorefile::compile(file.as_ref(), None);
    if let Some(e) = errors.first() {
        return Err(e.to_string());
    }
    let listing = list(c.ctx.path(), &matcher, builder, Select::Included)
        .map_err(|e| matcher.eval_error(&e).to_string())?;
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

fn expected(answer: &Value) -> Result<Entries, ()> {
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
    let mut errors = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        let c = build(&case);
        for builder in Builder::ALL {
            let key = builder.as_str();
            count += 1;
            let want = expected(&case[key]);
            let got = ours(&c, builder);
            let ok = match (&want, &got) {
                (Err(()), Err(_)) => {
                    errors += 1;
                    true
                }
                (Ok(w), Ok(g)) => w == g,
                _ => false,
            };
            if !ok {
                failures.push(format!(
                    "{} [{key}] note={:?}\n  ignore={:?}\n  want={:?}\n  got ={:?}",
                    case["id"],
                    case["note"],
                    String::from_utf8_lossy(&b64(case["dockerignore_b64"].as_str().unwrap())),
                    want,
                    got
                ));
            }
        }
    }
    println!(
        "{name}: {count} builder answers compared ({errors} errors), {} differ",
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

#[test]
fn engine_rules() {
    run_file("engine-rules.jsonl");
}

/// Every vector file in the directory is one of the tests above.
#[test]
fn every_vector_file_is_tested() {
    let mut files: Vec<String> = std::fs::read_dir(fixtures().join("vectors"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".jsonl"))
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "engine-rules.jsonl",
            "examples.jsonl",
            "random-seed1000.jsonl"
        ]
    );
}
