//! `ctxsize lint`: print the lint findings, optionally fix them.

use std::io::Write;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::ignorefile::write::{write_if_changed, Written};
use crate::lint;

/// Runs `lint`.
pub fn run(
    ctx: &Context,
    fix: bool,
    check: bool,
    json: bool,
    out: &mut dyn Write,
) -> Result<super::ExitStatus> {
    let findings = lint::lint(ctx)?;
    let io = |e: std::io::Error| Error::io("<stdout>", e);
    if json {
        serde_json::to_writer_pretty(&mut *out, &findings).map_err(Error::json)?;
        writeln!(out).map_err(io)?;
    } else {
        for f in &findings {
            if f.line > 0 {
                write!(
                    out,
                    "{}:{}: {}: {}",
                    f.file,
                    f.line,
                    f.pattern.trim(),
                    f.message
                )
                .map_err(io)?;
            } else {
                write!(out, "{}: {}", f.file, f.message).map_err(io)?;
            }
            if !f.examples.is_empty() && !f.examples_in_message() {
                write!(out, " (e.g. {})", f.examples.join(", ")).map_err(io)?;
            }
            writeln!(out, " [{}]", f.code).map_err(io)?;
        }
        if findings.is_empty() && !json {
            writeln!(
                out,
                "{}: no findings",
                ctx.ignore_display()
                    .unwrap_or_else(|| "no ignore file".into())
            )
            .map_err(io)?;
        }
    }
    if fix {
        if let Some(file) = &ctx.ignore {
            let fixed = lint::apply_fixes(&file.data, &findings);
            // With --json, stdout holds the JSON document only.
            let mut sink = std::io::sink();
            let say: &mut dyn Write = if json { &mut sink } else { out };
            match write_if_changed(&file.path, &fixed)? {
                Written::Unchanged => writeln!(say, "nothing to fix").map_err(io)?,
                _ => writeln!(
                    say,
                    "fixed {} line(s) in {}",
                    findings.iter().filter(|f| f.fix.is_some()).count(),
                    file.path.display()
                )
                .map_err(io)?,
            }
        }
    }
    Ok(if check && !findings.is_empty() {
        super::ExitStatus::Failure
    } else {
        super::ExitStatus::Success
    })
}
