//! Dev Container definitions (`.devcontainer/devcontainer.json`,
//! `.devcontainer.json`, `.devcontainer/<name>/devcontainer.json`): the
//! image a `build` section builds.
//!
//! `build.dockerfile` and `build.context` are relative to the
//! `devcontainer.json`'s directory, the context defaulting to that
//! directory; `build.target` is the stage. The older top-level
//! `dockerFile` and `context` are read too. `${localWorkspaceFolder}` is
//! the repository root; any other `${...}` leaves the value unknown (a
//! note). The files are JSON with comments and trailing commas. Definitions
//! that use an image or a Compose file build nothing here (the Compose
//! reader sees the Compose file).

use std::path::{Path, PathBuf};

use super::{dir_of, join, Declared, Files, Origin, SourceKind};

/// The builds of the Dev Container definitions at `paths`.
pub(super) fn read_all(files: &mut Files<'_>, paths: &[PathBuf]) -> Vec<Declared> {
    let mut out = Vec::new();
    for p in paths {
        let Some(text) = files.text(p) else {
            continue;
        };
        let plain = strip_jsonc(&text);
        let json: serde_json::Value = match serde_json::from_str(&plain) {
            Ok(v) => v,
            Err(e) => {
                files.notes.push(format!(
                    "{}:{}: not valid JSON with comments ({e}); skipped.",
                    p.display(),
                    e.line()
                ));
                continue;
            }
        };
        let build = json.get("build");
        let field = |key: &str, legacy: &str| -> Option<String> {
            build
                .and_then(|b| b.get(key))
                .or_else(|| json.get(legacy))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let Some(dockerfile) = field("dockerfile", "dockerFile") else {
            continue;
        };
        let context = field("context", "context");
        let target = build
            .and_then(|b| b.get("target"))
            .and_then(|v| v.as_str())
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        let dir = dir_of(p);
        let line = super::script::line_of_key(&text, "dockerfile")
            .or_else(|| super::script::line_of_key(&text, "dockerFile"));
        let resolve = |v: &str| -> Result<PathBuf, String> {
            if let Some(rest) = v.strip_prefix("${localWorkspaceFolder}") {
                return Ok(join(Path::new("."), rest.trim_start_matches('/')));
            }
            if v.contains("${") {
                return Err(v.to_string());
            }
            Ok(join(&dir, v))
        };
        let (ctx, df) = match (
            context.as_deref().map(resolve).transpose(),
            resolve(&dockerfile),
        ) {
            (Ok(ctx), Ok(df)) => (ctx.unwrap_or_else(|| dir.clone()), df),
            (Err(v), _) | (_, Err(v)) => {
                files.notes.push(format!(
                    "{}: the build path `{v}` uses a variable that is not known; skipped.",
                    p.display()
                ));
                continue;
            }
        };
        let mut detail = format!("build.dockerfile {dockerfile}");
        match &context {
            Some(c) => detail.push_str(&format!(", build.context {c}")),
            None => detail.push_str(", default context (its directory)"),
        }
        out.push(Declared {
            context: ctx,
            dockerfile: df,
            target,
            origin: Origin {
                kind: SourceKind::Devcontainer,
                file: p.clone(),
                line,
                detail,
            },
            claims: true,
        });
    }
    out
}

/// JSON with comments as plain JSON: `//` and `/* */` comments and
/// trailing commas become spaces (newlines kept, so lines still match).
fn strip_jsonc(text: &str) -> String {
    drop_trailing_commas(&blank_comments(text))
}

/// The index just after the JSON string whose opening quote is `b[i]`.
fn string_end(b: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < b.len() && b[i] != b'"' {
        i += if b[i] == b'\\' { 2 } else { 1 };
    }
    (i + 1).min(b.len())
}

/// `//` and `/* */` comments outside strings as spaces, newlines kept.
fn blank_comments(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let end = string_end(b, i);
                out.extend_from_slice(&b[i..end]);
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    out.push(b' ');
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
                for &c in &b[i..end] {
                    out.push(if c == b'\n' { b'\n' } else { b' ' });
                }
                i = end;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// A comma outside strings followed (past blanks) by `}` or `]` as a
/// space: one forward pass over text whose comments are blanked already.
fn drop_trailing_commas(b: &[u8]) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let end = string_end(b, i);
                out.extend_from_slice(&b[i..end]);
                i = end;
            }
            b',' => {
                let next = b[i + 1..].iter().find(|c| !c.is_ascii_whitespace());
                out.push(if matches!(next, Some(b'}' | b']')) {
                    b' '
                } else {
                    b','
                });
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{builds, repo, row};
    use super::*;

    #[test]
    fn build_sections() {
        let d = repo(&[
            (
                ".devcontainer/devcontainer.json",
                "// dev\n{\n  \"name\": \"x\", /* c */\n  \"build\": {\n    \"dockerfile\": \"Dockerfile\",\n    \"context\": \"..\",\n    \"target\": \"dev\", // trailing\n  },\n}\n",
            ),
            (".devcontainer/py/devcontainer.json", "{ \"build\": { \"dockerfile\": \"../Dockerfile.py\" } }"),
            (".devcontainer.json", "{ \"dockerFile\": \"${localWorkspaceFolder}/docker/Dockerfile\", \"context\": \"${env:X}\" }"),
            ("sub/.devcontainer/devcontainer.json", "{ \"image\": \"x\" }"),
        ]);
        let (bs, notes) = builds(&d);
        assert_eq!(
            bs,
            [
                row(".", ".devcontainer/Dockerfile", Some("dev"), ".devcontainer/devcontainer.json:5: build.dockerfile Dockerfile, build.context .."),
                row(
                    ".devcontainer/py",
                    ".devcontainer/Dockerfile.py",
                    None,
                    ".devcontainer/py/devcontainer.json:1: build.dockerfile ../Dockerfile.py, default context (its directory)"
                ),
            ]
        );
        assert_eq!(notes, [".devcontainer.json: the build path `${env:X}` uses a variable that is not known; skipped."]);
    }

    #[test]
    fn jsonc() {
        assert_eq!(
            strip_jsonc("{\"a\": \"//x\", // c\n \"b\": [1,], /* d */ }"),
            "{\"a\": \"//x\",     \n \"b\": [1 ]          }"
        );
        // A comment after a trailing comma, and a comma before a comment.
        assert_eq!(strip_jsonc("[1, // one\n]"), "[1        \n]");
        assert_eq!(strip_jsonc("[1, // one\n2]"), "[1,       \n2]");
    }

    #[test]
    fn jsonc_with_a_comment_after_every_entry_is_read_in_linear_time() {
        // Each `,` followed by a comment once re-read the rest of the file:
        // 40 entries took hours.
        let mut text = String::from("{\n");
        for k in 0..2000 {
            text.push_str(&format!("  \"k{k}\": {k}, // entry {k}\n"));
        }
        text.push_str("}\n");
        let plain = strip_jsonc(&text);
        assert_eq!(plain.lines().count(), text.lines().count());
        let v: serde_json::Value = serde_json::from_str(&plain).expect("valid JSON");
        assert_eq!(v.as_object().map(|o| o.len()), Some(2000));
    }
}
