//! Diagnostics as lines of text, in two layouts: the problem list of
//! `check` (`subject: level: message [fix]`) and the line list of `lint`
//! (`FILE:LINE: pattern: message [code]`). Both end each diagnostic with a
//! newline and print nothing else; summaries belong to the commands.

use std::io::{self, Write};

use super::Diagnostic;

/// One `check` line: `subject: level: message (e.g. ...) [fix]`.
pub fn problem_line(d: &Diagnostic, out: &mut dyn Write) -> io::Result<()> {
    write!(
        out,
        "{}: {}: {}",
        d.subject,
        d.level(),
        d.message_with_examples()
    )?;
    if let Some(f) = &d.fix {
        write!(out, " [{}]", f.instruction())?;
    }
    writeln!(out)
}

/// One `lint` line: `FILE:LINE: pattern: message (e.g. ...) [code]`, or
/// `FILE: message [code]` for a diagnostic about a whole file.
pub fn lint_line(d: &Diagnostic, out: &mut dyn Write) -> io::Result<()> {
    match &d.pattern {
        Some(p) => write!(
            out,
            "{}: {}: {}",
            d.subject,
            p.trim(),
            d.message_with_examples()
        )?,
        None => write!(out, "{}: {}", d.subject, d.message_with_examples())?,
    }
    writeln!(out, " [{}]", d.check.name)
}
