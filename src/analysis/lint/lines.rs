//! What one ignore-file line says by itself: lines the builder rejects,
//! lines that look like comments but are patterns, a trailing `/`, and
//! characters older Docker (and Podman) read as regular-expression syntax.

use super::{s, LintFinding};
use crate::checks::{self, Severity};
use crate::facts::context::Context;
use crate::pattern::Rule;

/// Lines the builder rejects (the build fails), and expressions it accepts
/// but cannot compile (the build fails when a path reaches them).
pub fn invalid(ctx: &Context, file: &str) -> Vec<LintFinding> {
    let mut out = Vec::new();
    for e in &ctx.pattern_errors {
        let mut e2 = e.clone();
        e2.file = None;
        out.push(LintFinding::new(
            checks::INVALID,
            file,
            e.line,
            s(&e.original),
            format!("the builder rejects this line and the build fails: {e2}"),
        ));
    }
    if !ctx.pattern_errors.is_empty() {
        return out;
    }
    for e in ctx.matcher.lazy_errors() {
        out.push(LintFinding::new(
            checks::INVALID,
            file,
            e.line,
            s(&e.original),
            "Docker accepts this line but fails the build as soon as a path reaches it: its expression cannot be compiled".into(),
        ));
    }
    out
}

/// Whether a line reads like a comment but is a pattern (`  # x`,
/// `// x`, `x # y`): what [`line`] reports as comment-like.
pub fn is_comment_like(text: &str) -> bool {
    comment_like(text).is_some()
}

// Why a line reads like a comment but is a pattern, and the line to write
// instead when there is one.
fn comment_like(text: &str) -> Option<(&'static str, Option<String>)> {
    let trimmed = text.trim();
    if trimmed.starts_with('#') && !text.starts_with('#') {
        Some((
            "this line is a pattern, not a comment: `#` starts a comment only in the first column",
            Some(trimmed.to_string()),
        ))
    } else if trimmed.starts_with("//") {
        Some(("`//` does not start a comment in .dockerignore: this line is a pattern (use `#` in the first column)", None))
    } else if trimmed.contains(" #") {
        Some(("`#` starts a comment only in the first column: the whole line, comment included, is the pattern", None))
    } else {
        None
    }
}

/// The findings of one line. `files` are the files the rule matches, when
/// the tree was looked at (a trailing-slash or comment-like line that
/// matches nothing does no harm: information).
pub fn line(file: &str, r: &Rule, files: Option<Vec<String>>) -> Vec<LintFinding> {
    let matches_nothing = files.as_ref().is_some_and(|f| f.is_empty());
    let mut out = Vec::new();
    let text = s(&r.original);
    let trimmed = text.trim();
    let mut push = |check, message: String, examples: Vec<String>, fix: Option<String>| {
        let mut f = LintFinding::new(check, file, r.line, text.clone(), message);
        f.examples = examples;
        f.fix = fix;
        out.push(f);
    };
    if let Some((why, fix)) = comment_like(&text) {
        push(checks::COMMENT_LIKE, why.into(), Vec::new(), fix);
    }
    let body = trimmed.trim_start_matches('!');
    if body.len() > 1 && body.ends_with('/') {
        let files = files.unwrap_or_default();
        let also = if files.is_empty() {
            String::new()
        } else {
            format!(" (here it matches the files {})", files.join(", "))
        };
        push(checks::TRAILING_SLASH, format!("a trailing `/` does not mean \"directories only\" in .dockerignore: `{}` also matches files of that name{also}", body.trim_end_matches('/')), files, None);
    }
    if r.pattern.iter().any(|b| b"+(){}|".contains(b)) {
        push(checks::OLDER_DOCKER, "Docker 20.10 and older, and Podman/Buildah, read `+ ( ) { } |` in patterns as regular-expression syntax, so this line matches different paths there".into(), Vec::new(), None);
    }
    for f in &mut out {
        if (f.check.name == "trailing-slash" && f.examples.is_empty())
            || (f.check.name == "comment-like" && matches_nothing)
        {
            f.severity = Severity::Info;
        }
    }
    out
}
