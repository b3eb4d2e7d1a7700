//! Diagnostics as a SARIF 2.1.0 log for code scanning: every check of the
//! registry is a rule (stable id, name, help, category), every diagnostic a
//! result pointing at its file and line.

use serde_json::{json, Value};

use super::Diagnostic;
use crate::checks;

/// The SARIF log.
pub fn log(diags: &[Diagnostic]) -> Value {
    let rules: Vec<Value> = checks::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "name": c.name,
                "shortDescription": { "text": c.help },
                "defaultConfiguration": { "level": level(c.severity.as_str()) },
                "properties": { "category": c.category.as_str(), "fixable": c.fixable },
            })
        })
        .collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let uri = d.file.clone().unwrap_or_else(|| d.subject.clone());
            let mut location = json!({
                "physicalLocation": { "artifactLocation": { "uri": uri } }
            });
            if let Some(l) = d.line.filter(|&l| l > 0) {
                location["physicalLocation"]["region"] = json!({ "startLine": l });
            }
            let mut text = d.message_with_examples();
            if let Some(f) = &d.fix {
                let f = f.instruction();
                let mut c = f.chars();
                let f: String = c
                    .next()
                    .map(|c| c.to_ascii_uppercase())
                    .into_iter()
                    .chain(c)
                    .collect();
                text.push_str(&format!(" {f}."));
            }
            json!({
                "ruleId": d.check.id,
                "ruleIndex": checks::ALL.iter().position(|c| c.id == d.check.id).unwrap_or(0),
                "level": level(d.level()),
                "message": { "text": text },
                "locations": [location],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "ctxsize",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/ctxsize/ctxsize",
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

// SARIF's levels: error, warning, note.
fn level(l: &str) -> &'static str {
    match l {
        "error" => "error",
        "warning" => "warning",
        _ => "note",
    }
}
