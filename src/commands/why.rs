//! `ctxsize why`: is a path in the context, and which line decides it.
//!
//! A path is decided the way the walk reaches it: its parent chain is
//! replayed from the root, and an excluded ancestor that the builder skips
//! whole decides everything below it, whatever the patterns say about the
//! path itself (spec §5.3).

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use serde_json::json;

use crate::error::{Error, Result};
use crate::facts::context::{Context, Verdict};
use crate::relpath::as_path as os;

/// Turns a user path into a context-relative one: absolute paths and paths
/// relative to the current directory must lie inside the context.
pub fn relative_to_context(root: &Path, cwd: &Path, input: &Path) -> Result<(Vec<u8>, bool)> {
    use std::os::unix::ffi::OsStrExt;
    let trailing_slash = input.as_os_str().as_bytes().ends_with(b"/");
    let abs_root = normalize(&cwd.join(root));
    let abs = normalize(&cwd.join(input));
    let rel = abs.strip_prefix(&abs_root).map_err(|_| {
        Error::Usage(format!(
            "{}: outside the build context {}",
            input.display(),
            root.display()
        ))
    })?;
    if rel.as_os_str().is_empty() {
        return Err(Error::Usage(format!(
            "{}: is the context root itself, which is always sent",
            input.display()
        )));
    }
    Ok((rel.as_os_str().as_bytes().to_vec(), trailing_slash))
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// Runs `why` for each path.
pub fn run(
    ctx: &Context,
    paths: &[PathBuf],
    json_out: bool,
    out: &mut dyn Write,
) -> Result<super::ExitStatus> {
    ctx.require_valid()?;
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let io = |e: std::io::Error| Error::io("<stdout>", e);
    let mut rows = Vec::new();
    for p in paths {
        let (rel, slash) = relative_to_context(&ctx.root, &cwd, p)?;
        let is_dir = slash
            || std::fs::symlink_metadata(ctx.root.join(os(&rel)))
                .map(|m| m.is_dir())
                .unwrap_or(false);
        let v = ctx.decide(&rel, is_dir)?;
        if json_out {
            rows.push(to_json(ctx, &v));
        } else {
            writeln!(out, "{}", describe(ctx, &v)).map_err(io)?;
        }
    }
    if json_out {
        serde_json::to_writer_pretty(&mut *out, &rows).map_err(Error::json)?;
        writeln!(out).map_err(io)?;
    }
    Ok(super::ExitStatus::Success)
}

/// One line: `PATH: excluded by FILE:LINE:PATTERN (...)`.
pub fn describe(ctx: &Context, v: &Verdict) -> String {
    let path = String::from_utf8_lossy(&v.path);
    let mut s = format!(
        "{path}: {}",
        if v.included { "included" } else { "excluded" }
    );
    match v.rule {
        Some(i) => {
            let r = &ctx.matcher.rules()[i];
            let verb = if r.exception { "re-included by" } else { "by" };
            s.push_str(&format!(" {verb} {}", r.location()));
        }
        None if v.included => s.push_str(match &ctx.ignore {
            Some(_) => " (no rule matched)",
            None => " (no ignore file)",
        }),
        None => {}
    }
    if let Some(dir) = &v.via_parent {
        s.push_str(&format!(
            " (matched parent directory {})",
            String::from_utf8_lossy(dir)
        ));
    }
    if let Some(dir) = &v.pruned_by {
        s.push_str(&format!(
            "; the {} builder skips excluded directory {} whole (no exception starts with {}/)",
            ctx.builder.as_str(),
            String::from_utf8_lossy(dir),
            String::from_utf8_lossy(dir),
        ));
    }
    if v.arrives_empty {
        s.push_str(
            "; BuildKit sends it with 0 bytes (a later rule excludes a parent directory \
             when the file is read)",
        );
    }
    if !v.exists {
        s.push_str(" [does not exist]");
    }
    s
}

fn to_json(ctx: &Context, v: &Verdict) -> serde_json::Value {
    let (path, hex) = super::json_path(&v.path);
    let rule = v.rule.map(|i| {
        let r = &ctx.matcher.rules()[i];
        json!({
            "file": r.file.as_ref().map(|f| f.display().to_string()),
            "line": r.line,
            "pattern": String::from_utf8_lossy(&r.original),
            "exception": r.exception,
        })
    });
    let mut j = json!({
        "path": path,
        "exists": v.exists,
        "included": v.included,
        "rule": rule,
        "matched_parent": v.via_parent.as_ref().map(|d| String::from_utf8_lossy(d).into_owned()),
        "pruned_by": v.pruned_by.as_ref().map(|d| String::from_utf8_lossy(d).into_owned()),
        "arrives_empty": v.arrives_empty,
    });
    if let Some(h) = hex {
        j["path_hex"] = json!(h);
    }
    j
}
