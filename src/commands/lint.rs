//! `ctxsize lint`: print the lint findings as diagnostics, optionally fix
//! them in place.

use std::io::Write;

use crate::analysis::lint;
use crate::checks::Severity;
use crate::diag::{self, convert, Diagnostic};
use crate::error::{Error, Result};
use crate::facts::Facts;
use crate::ignorefile::write::{write_if_changed, Written};

use super::check::Format;

/// Options of `lint`.
#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    /// Rewrite fixable lines in place.
    pub fix: bool,
    /// Exit 1 when a finding is a warning or an error.
    pub check: bool,
    /// Output format.
    pub format: Format,
}

/// Runs `lint`.
pub fn run(facts: &Facts, opts: &LintOptions, out: &mut dyn Write) -> Result<super::ExitStatus> {
    let ctx = facts.main_context()?;
    let seen = if ctx.pattern_errors.is_empty() && ctx.ignore.is_some() {
        facts.walk_all(&ctx)?
    } else {
        Vec::new()
    };
    let needs = facts.needs(&ctx);
    let findings = lint::lint(&ctx, &seen, &needs, facts.request.builder_is_default())?;
    let file_cwd = ctx.ignore.as_ref().map(|f| f.path.display().to_string());
    let diags: Vec<Diagnostic> = findings
        .iter()
        .map(|f| convert::lint(f, file_cwd.as_deref()))
        .collect();
    let io = |e: std::io::Error| Error::io("<stdout>", e);
    match opts.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &diags).map_err(Error::json)?;
            writeln!(out).map_err(io)?;
        }
        Format::Github => diag::github::render(&diags, out).map_err(io)?,
        Format::Sarif => {
            serde_json::to_writer_pretty(&mut *out, &diag::sarif::log(&diags))
                .map_err(Error::json)?;
            writeln!(out).map_err(io)?;
        }
        Format::Text => {
            for d in &diags {
                diag::text::lint_line(d, out).map_err(io)?;
            }
            if diags.is_empty() {
                writeln!(
                    out,
                    "{}: no findings",
                    ctx.ignore_display()
                        .unwrap_or_else(|| "no ignore file".into())
                )
                .map_err(io)?;
            }
        }
    }
    if opts.fix {
        if let Some(file) = &ctx.ignore {
            let fixed = lint::apply_fixes(&file.data, &findings);
            // Outside text output, stdout holds the document only.
            let mut sink = std::io::sink();
            let say: &mut dyn Write = if opts.format == Format::Text {
                out
            } else {
                &mut sink
            };
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
    let failing = diags.iter().any(|d| d.severity >= Severity::Warning);
    Ok(if opts.check && failing {
        super::ExitStatus::Failure
    } else {
        super::ExitStatus::Success
    })
}
