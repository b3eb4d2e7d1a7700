//! `ctxsize ls`: the entries of the build context, one per line.

use std::io::Write;

use serde_json::json;

use crate::error::{Error, Result};
use crate::facts::context::Context;
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
    let io = |e: std::io::Error| Error::io("<stdout>", e);
    // Streamed in path order as the listing is put together: no list of
    // every path is kept.
    let mut rows = Vec::new();
    let mut sockets = Vec::new();
    let mut failed = None;
    let sep = if opts.nul { b'\0' } else { b'\n' };
    let errors = scan::list::for_each(
        &ctx.root,
        &ctx.matcher,
        ctx.builder,
        select,
        sizes,
        &mut |e| {
            if failed.is_some() || (!opts.dirs && e.kind == EntryKind::Dir) {
                return;
            }
            if e.kind == EntryKind::Socket && !opts.excluded {
                sockets.push(String::from_utf8_lossy(e.path).into_owned());
                return;
            }
            if opts.json {
                let (path, hex) = super::json_path(e.path);
                let mut v = json!({
                    "path": path,
                    "type": e.kind.code().to_string(),
                    "size": e.size,
                    "rule": e.rule.map(|i| ctx.matcher.rules()[i].location()),
                });
                if let Some(h) = hex {
                    v["path_hex"] = json!(h);
                }
                rows.push(v);
                return;
            }
            let mut line = || -> std::io::Result<()> {
                if opts.long {
                    write!(out, "{}\t{:>12}\t", e.kind.code(), e.size)?;
                }
                super::write_path(out, e.path)?;
                out.write_all(&[sep])
            };
            if let Err(e) = line() {
                failed = Some(e);
            }
        },
    )
    .map_err(|e| Error::Patterns(vec![ctx.matcher.eval_error(&e)]))?;
    if let Some(e) = failed {
        return Err(io(e));
    }
    if opts.json {
        serde_json::to_writer_pretty(&mut *out, &rows).map_err(Error::json)?;
        writeln!(out).map_err(io)?;
    }
    for p in sockets {
        writeln!(err, "ctxsize: note: {p}: socket, not sent by Docker").ok();
    }
    for e in &errors {
        writeln!(err, "ctxsize: warning: {}: {}", e.display_path(), e.error).ok();
    }
    Ok(super::ExitStatus::Success)
}
