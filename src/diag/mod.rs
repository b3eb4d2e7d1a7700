//! One diagnostic model for every verb: `check`, `lint` and `report` turn
//! what the analyses found into [`Diagnostic`]s, and the renderers here
//! ([`text`], [`github`], [`sarif`], and serde for JSON) print them the same
//! way whoever asks.
//!
//! A diagnostic names its [`Check`] (id, category, default severity, help
//! from the registry in [`crate::checks`]), what it is about, where to point
//! (a file and line when there is one), one sentence, example paths, and the
//! fix when there is a safe one. Nothing here decides *whether* something is
//! a problem; that is the analyses' job.

pub mod convert;
pub mod github;
pub mod sarif;
pub mod text;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::checks::{Category, Check, Severity};

/// The automatic fix of a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fix {
    /// Append these lines (a rule, maybe followed by exceptions) to the
    /// ignore file; `init` does it.
    AddRules(Vec<String>),
    /// Replace the line the diagnostic points at; `lint --fix` does it.
    ReplaceLine(String),
}

impl Fix {
    /// The fix as an instruction for text output.
    pub fn instruction(&self) -> String {
        match self {
            Fix::AddRules(r) => format!("add `{}` to the ignore file", r.join("` + `")),
            Fix::ReplaceLine(l) => format!("change the line to `{l}`"),
        }
    }

    /// The new text: the rules (one per line) or the replacement line.
    pub fn text(&self) -> String {
        match self {
            Fix::AddRules(r) => r.join("\n"),
            Fix::ReplaceLine(l) => l.clone(),
        }
    }
}

/// One thing ctxsize reports.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// The check (id, name, category, help).
    pub check: &'static Check,
    /// This diagnostic's severity (may be lower than the check's default).
    pub severity: Severity,
    /// What it is about: a path relative to the context, `FILE:LINE` of an
    /// ignore-file line, or `.` for the whole context.
    pub subject: String,
    /// A file to point at, relative to the current directory.
    pub file: Option<String>,
    /// 1-based line in `file`.
    pub line: Option<usize>,
    /// The ignore-file line as written, for line diagnostics.
    pub pattern: Option<String>,
    /// One sentence.
    pub message: String,
    /// A few example paths.
    pub examples: Vec<String>,
    /// The safe fix, if there is one.
    pub fix: Option<Fix>,
    /// Whether this diagnostic fails the run (`check --fail-on`, `lint
    /// --check`); decided by the command.
    pub fails: bool,
}

impl Diagnostic {
    /// A diagnostic of `check` at its default severity.
    pub fn new(
        check: &'static Check,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            check,
            severity: check.severity,
            subject: subject.into(),
            file: None,
            line: None,
            pattern: None,
            message: message.into(),
            examples: Vec::new(),
            fix: None,
            fails: false,
        }
    }

    /// Points at a file (relative to the current directory) and line.
    pub fn at(mut self, file: impl Into<String>, line: Option<usize>) -> Self {
        self.file = Some(file.into());
        self.line = line;
        self
    }

    /// With this severity.
    pub fn severity(mut self, s: Severity) -> Self {
        self.severity = s;
        self
    }

    /// With a fix.
    pub fn fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }

    /// The level printed: `error` when it fails the run, else the
    /// severity.
    pub fn level(&self) -> &'static str {
        if self.fails {
            "error"
        } else {
            self.severity.as_str()
        }
    }

    /// The message with its examples, when the message does not name them.
    pub fn message_with_examples(&self) -> String {
        let mut m = self.message.clone();
        let named = matches!(self.check.name, "trailing-slash" | "wildcard-exception");
        if !self.examples.is_empty() && !named {
            m.push_str(&format!(" (e.g. {})", self.examples.join(", ")));
        }
        m
    }
}

impl Serialize for Diagnostic {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Diagnostic", 13)?;
        st.serialize_field("rule_id", self.check.id)?;
        st.serialize_field("code", self.check.name)?;
        st.serialize_field("category", self.check.category.as_str())?;
        st.serialize_field("severity", self.severity.as_str())?;
        st.serialize_field("path", &self.subject)?;
        st.serialize_field("file", &self.file)?;
        st.serialize_field("line", &self.line)?;
        st.serialize_field("pattern", &self.pattern)?;
        st.serialize_field("message", &self.message)?;
        st.serialize_field("examples", &self.examples)?;
        st.serialize_field("fix", &self.fix.as_ref().map(Fix::text))?;
        st.serialize_field(
            "fix_kind",
            &self.fix.as_ref().map(|f| match f {
                Fix::AddRules(_) => "add-rules",
                Fix::ReplaceLine(_) => "replace-line",
            }),
        )?;
        st.serialize_field("fails", &self.fails)?;
        st.end()
    }
}

/// Sorts diagnostics for output (by id, subject, line) and drops exact
/// repeats.
pub fn sort(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        a.check
            .id
            .cmp(b.check.id)
            .then_with(|| a.subject.cmp(&b.subject))
            .then_with(|| a.line.cmp(&b.line))
    });
    diags.dedup_by(|a, b| {
        a.check.id == b.check.id
            && a.subject == b.subject
            && a.line == b.line
            && a.message == b.message
    });
}

/// Marks the diagnostics that fail the run: at least warning severity and
/// in one of `categories`.
pub fn mark_failing(diags: &mut [Diagnostic], categories: &[Category]) {
    for d in diags {
        d.fails = d.severity >= Severity::Warning && categories.contains(&d.check.category);
    }
}
