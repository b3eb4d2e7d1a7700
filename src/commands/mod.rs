//! One module per verb: typed options in, output written to a writer, an
//! [`ExitStatus`] out. Nothing here parses arguments or looks at terminals.

pub mod check;
pub mod init;
pub mod lint;
pub mod ls;
pub mod report;
pub mod why;

/// How a verb ended (documented in `--help` and the README).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: done.
    Success,
    /// 1: `check` found something it was asked to fail on, or `init --check`
    /// would change the file.
    Failure,
    /// 2: ctxsize could not do its job (bad usage, invalid ignore file,
    /// unusable context).
    Error,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> i32 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        }
    }
}

/// Writes bytes of a path: raw on Unix, so non-UTF-8 names survive.
pub(crate) fn write_path(out: &mut dyn std::io::Write, path: &[u8]) -> std::io::Result<()> {
    out.write_all(path)
}

/// A path as a JSON-safe string; `None` when it is valid UTF-8, else the
/// hex of its bytes in the second field.
pub(crate) fn json_path(path: &[u8]) -> (String, Option<String>) {
    match std::str::from_utf8(path) {
        Ok(s) => (s.to_string(), None),
        Err(_) => (
            String::from_utf8_lossy(path).into_owned(),
            Some(path.iter().map(|b| format!("{b:02x}")).collect()),
        ),
    }
}
