//! The library is layered: each module uses only modules of its own layer
//! or below (see `src/lib.rs`). This test reads every source file and
//! fails when one names a module of a higher layer.

use std::collections::BTreeMap;
use std::path::Path;

/// Top-level module -> layer.
const LAYERS: &[(&str, u8)] = &[
    ("error", 1),
    ("relpath", 0),
    ("pattern", 1),
    ("dockerfile", 1),
    ("catalog", 1),
    ("checks", 1),
    ("ignorefile", 2),
    ("scan", 2),
    ("compose", 2),
    ("discover", 2),
    ("config", 2),
    ("facts", 3),
    ("analysis", 4),
    ("diag", 5),
    ("report", 5),
    ("commands", 6),
    ("cli", 7),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// The top-level modules a file names: `crate::x`, and `use crate::{x, y}`.
fn named_modules(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for part in group[..end].split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out
}

#[test]
fn no_module_imports_from_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut files = 0;
    for e in walkdir::WalkDir::new(&src) {
        let e = e.unwrap();
        if e.path().extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let rel = e.path().strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" || top == "main" {
            continue;
        }
        let own = layer(&top)
            .unwrap_or_else(|| panic!("{}: module `{top}` has no layer in LAYERS", rel.display()));
        files += 1;
        let text = std::fs::read_to_string(e.path()).unwrap();
        for m in named_modules(&text) {
            let Some(l) = layer(&m) else {
                continue;
            };
            if l > own {
                violations
                    .entry(rel.display().to_string())
                    .or_default()
                    .push(format!("{m} (layer {l}) from layer {own}"));
            }
        }
    }
    assert!(files > 20, "only {files} files read");
    assert!(
        violations.is_empty(),
        "imports pointing up a layer:\n{violations:#?}"
    );
}

#[test]
fn the_checker_sees_imports() {
    assert_eq!(
        named_modules("use crate::{facts::Facts, scan};\nlet x = crate::cli::main();"),
        ["facts", "scan", "cli"]
    );
}
