//! `ctxsize ls`: the entries of the build context, one per line.

use std::io::Write;

use serde_json::json;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::scan::{self, EntryKind, Select};

/// Options of `ls`.
#[derive(Clone, Debug, Default)]
pub struct LsOptions {
    /// List what the ignore file keeps out instead.
    pub excluded: bool,
    /// Size and type columns.
    pub long: bool,
    /// NUL-separated.
    pub nul: bool,
    /// JSON array.
    pub json: bool,
    /// Include directories.
    pub dirs: bool,
}

/// Runs `ls`, writing to `out`; walk errors go to `err`.
pub fn run(
    ctx: &Context,
    opts: &LsOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<super::ExitStatus> {
    ctx.require_valid()?;
    let select = if opts.excluded {
        Select::Excluded
    } else {
        Select::Included
    };
    let sizes = opts.long || opts.json;
    let listing = scan::list_with(&ctx.root, &ctx.matcher, ctx.builder, select, sizes)
        .map_err(|e| Error::Patterns(vec![ctx.matcher.eval_error(&e)]))?;
    let entries: Vec<_> = listing
        .entries
        .iter()
        .filter(|e| opts.dirs || e.kind != EntryKind::Dir)
        .filter(|e| opts.excluded || e.kind != EntryKind::Socket)
        .collect();
    let io = |e: std::io::Error| Error::io("<stdout>", e);
    if opts.json {
        let rows: Vec<_> = entries
            .iter()
            .map(|e| {
                let (path, hex) = super::json_path(&e.path);
                let mut v = json!({
                    "path": path,
                    "type": e.kind.code().to_string(),
                    "size": e.size,
                    "rule": e.rule.map(|i| ctx.matcher.rules()[i].location()),
                });
                if let Some(h) = hex {
                    v["path_hex"] = json!(h);
                }
                v
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &rows).map_err(|e| Error::Other(e.to_string()))?;
        writeln!(out).map_err(io)?;
    } else {
        let sep = if opts.nul { b'\0' } else { b'\n' };
        for e in &entries {
            if opts.long {
                write!(out, "{}\t{:>12}\t", e.kind.code(), e.size).map_err(io)?;
            }
            super::write_path(out, &e.path).map_err(io)?;
            out.write_all(&[sep]).map_err(io)?;
        }
    }
    for e in listing
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Socket)
    {
        if !opts.excluded {
            writeln!(
                err,
                "ctxsize: note: {}: socket, not sent by Docker",
                String::from_utf8_lossy(&e.path)
            )
            .ok();
        }
    }
    for e in &listing.errors {
        writeln!(err, "ctxsize: warning: {}: {}", e.display_path(), e.error).ok();
    }
    Ok(super::ExitStatus::Success)
}
