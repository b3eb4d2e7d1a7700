//! What the analyses found, as diagnostics: one function per kind of
//! finding, so that `check`, `lint` and `report` word each the same way.

use super::{Diagnostic, Fix};
use crate::analysis::copies::CopyProblem;
use crate::analysis::findings::Finding;
use crate::analysis::lint::LintFinding;
use crate::analysis::staged::Staged;
use crate::checks::{self, Severity};
use crate::facts::context::Context;

/// `rel` (relative to the context) as a path relative to the current
/// directory.
pub fn to_cwd(ctx: &Context, rel: &str) -> String {
    let p = ctx.root.join(rel);
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// A catalogue finding: a secret or a heavy path in the context, with the
/// rule to add, or (information only) the reason no rule is suggested.
pub fn finding(ctx: &Context, f: &Finding) -> Diagnostic {
    let first = f.paths.first().cloned().unwrap_or_default();
    let what = if f.is_secret() {
        "secret"
    } else {
        f.kind.as_str()
    };
    let mut message = format!(
        "{what} in the build context: {}",
        f.reason.trim_end_matches('.')
    );
    if let Some(line) = f.line {
        message.push_str(&format!(" (found by its content, line {line})"));
    }
    if f.paths.len() > 1 {
        message.push_str(&format!(" ({} paths)", f.paths.len()));
    }
    if f.tracked && f.is_secret() {
        message.push_str(
            "; git tracks it, so it is in the history too: remove it and rotate the credential",
        );
    }
    let check = if f.is_secret() {
        checks::SECRET
    } else {
        checks::HEAVY
    };
    let mut d = Diagnostic::new(check, first.clone(), message).at(to_cwd(ctx, &first), f.line);
    d.examples = f.paths.iter().skip(1).take(3).cloned().collect();
    match &f.needed {
        None => d.fix = Some(Fix::AddRules(f.rules.clone())),
        Some(why) => {
            d.check = checks::DECLINED;
            d.severity = Severity::Info;
            d.message = format!(
                "{what} sent on purpose: {}; `{}` is not suggested because {why}",
                f.reason.trim_end_matches('.'),
                f.rule
            );
        }
    }
    d
}

/// A lint finding at its ignore-file line. `file_cwd` is the ignore file
/// relative to the current directory.
pub fn lint(l: &LintFinding, file_cwd: Option<&str>) -> Diagnostic {
    let subject = if l.line > 0 {
        format!("{}:{}", l.file, l.line)
    } else {
        l.file.clone()
    };
    let mut d = Diagnostic::new(l.check, subject, l.message.clone()).severity(l.severity);
    d.file = Some(file_cwd.map_or_else(|| l.file.clone(), str::to_string));
    d.line = (l.line > 0).then_some(l.line);
    d.pattern = l.pattern.clone();
    d.examples = l.examples.clone();
    d.fix = l.fix.clone().map(Fix::ReplaceLine);
    d
}

/// A `COPY`/`ADD` source the build will not find.
pub fn copy(p: &CopyProblem) -> Diagnostic {
    let mut d = Diagnostic::new(checks::COPY, p.path.clone(), p.message.clone());
    d.file = p.file.clone();
    d.line = p.line;
    d.severity = p.severity;
    d
}

/// A staged file that would be sent.
pub fn staged(ctx: &Context, s: &Staged) -> Diagnostic {
    let (check, msg) = if s.secret {
        (
            checks::STAGED_SECRET,
            format!(
                "staged file looks like a secret and would be sent in the build context ({})",
                s.reason
            ),
        )
    } else {
        (
            checks::STAGED_HEAVY,
            format!(
                "staged file of {} would be sent in the build context",
                crate::report::text::human(s.size)
            ),
        )
    };
    Diagnostic::new(check, s.path.clone(), msg)
        .at(to_cwd(ctx, &s.path), None)
        .fix(Some(Fix::AddRules(vec![s.rule.clone()])))
}
