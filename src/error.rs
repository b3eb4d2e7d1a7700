//! The library's error type.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::pattern::PatternError;

/// Everything that stops ctxsize from answering.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be read or written.
    Io {
        /// The path involved.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
    /// The ignore file has lines Docker refuses (all of them are listed).
    Patterns(Vec<PatternError>),
    /// The context directory is not usable.
    Context(String),
    /// Bad usage that the argument parser could not catch.
    Usage(String),
    /// Anything else, with a message that says what to do.
    Other(String),
}

impl Error {
    /// Wraps an I/O error with its path.
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl Error {
    /// A JSON writing error: an I/O error on stdout (a closed pipe, say)
    /// stays an I/O error, so the caller can treat it as one.
    pub fn json(e: serde_json::Error) -> Error {
        if e.is_io() {
            Error::io("<stdout>", io::Error::from(e))
        } else {
            Error::Other(e.to_string())
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Patterns(errors) => {
                for (i, e) in errors.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
            Error::Context(msg) | Error::Usage(msg) | Error::Other(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
