//! `.ctxsize.toml` at the context root: budgets and policy for `check`.
//!
//! ```toml
//! max-size = "200MB"      # context size budget (bytes or a size with unit)
//! max-files = 20000       # context file-count budget
//! fail-on = ["secrets"]   # categories that make `check` exit 1
//! allow = [".env.ci"]     # paths (relative to the context) never reported
//! staged-max-size = "5MB" # staged files above this size are reported
//! builder = "podman"      # the builder the project uses (flag, then
//!                         # CTXSIZE_BUILDER, then this key)
//! ```
//! Flags override the file. Unknown keys are errors, so typos do not pass
//! silently.

use std::path::Path;

use serde::Deserialize;

use crate::checks::Category;
use crate::error::{Error, Result};
use crate::pattern::Builder;

/// The file name looked for at the context root.
pub const FILE_NAME: &str = ".ctxsize.toml";

/// A size given as a number of bytes or a string with a unit.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum SizeValue {
    Bytes(u64),
    Text(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    max_size: Option<SizeValue>,
    max_files: Option<u64>,
    fail_on: Option<Vec<String>>,
    allow: Option<Vec<String>>,
    staged_max_size: Option<SizeValue>,
    builder: Option<String>,
}

/// The settings read from `.ctxsize.toml`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Context size budget in bytes.
    pub max_size: Option<u64>,
    /// Context file-count budget.
    pub max_files: Option<u64>,
    /// Categories that fail `check`.
    pub fail_on: Option<Vec<Category>>,
    /// Paths never reported.
    pub allow: Vec<String>,
    /// Staged files above this size are reported.
    pub staged_max_size: Option<u64>,
    /// The builder the project uses (`buildkit`, `classic`, `podman`).
    pub builder: Option<Builder>,
}

/// Parses a size like `200MB`, `1.5GiB` or `1024`.
pub fn parse_size(s: &str) -> std::result::Result<u64, String> {
    s.trim()
        .parse::<bytesize::ByteSize>()
        .map(|b| b.as_u64())
        .map_err(|e| format!("invalid size {s:?}: {e} (examples: 200MB, 1.5GiB, 1024)"))
}

impl Config {
    /// Loads `DIR/.ctxsize.toml` when present.
    pub fn load(dir: &Path) -> Result<Config> {
        let path = dir.join(FILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(Error::io(&path, e)),
        };
        Config::parse(&text).map_err(|msg| Error::Usage(format!("{}:{msg}", path.display())))
    }

    /// Parses the file's text; errors name the line.
    pub fn parse(text: &str) -> std::result::Result<Config, String> {
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
                .unwrap_or(1);
            format!("{line}: {}", e.message())
        })?;
        let size = |v: Option<SizeValue>, key: &str| -> std::result::Result<Option<u64>, String> {
            match v {
                None => Ok(None),
                Some(SizeValue::Bytes(n)) => Ok(Some(n)),
                Some(SizeValue::Text(t)) => {
                    let line = text
                        .lines()
                        .position(|l| l.trim_start().starts_with(key))
                        .map_or(1, |i| i + 1);
                    parse_size(&t)
                        .map(Some)
                        .map_err(|e| format!("{line}: {key}: {e}"))
                }
            }
        };
        let fail_on = match &raw.fail_on {
            None => None,
            Some(cats) => Some(Category::parse_list(cats).map_err(|e| {
                let bad = cats
                    .iter()
                    .find(|c| Category::parse_list(&[c.as_str()]).is_err());
                let line = bad
                    .and_then(|c| text.lines().position(|l| l.contains(c.as_str())))
                    .map_or(1, |i| i + 1);
                format!("{line}: fail-on: {e}")
            })?),
        };
        Ok(Config {
            max_size: size(raw.max_size, "max-size")?,
            max_files: raw.max_files,
            fail_on,
            builder: match &raw.builder {
                None => None,
                Some(b) => Some(b.parse::<Builder>().map_err(|e| {
                    let line = text
                        .lines()
                        .position(|l| l.trim_start().starts_with("builder"))
                        .map_or(1, |i| i + 1);
                    format!("{line}: builder: {e}")
                })?),
            },
            allow: raw.allow.unwrap_or_default(),
            staged_max_size: size(raw.staged_max_size, "staged-max-size")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_names_lines() {
        let c = Config::parse("max-size = \"200MB\"\nmax-files = 10\nfail-on = [\"secrets\"]\n")
            .unwrap();
        assert_eq!(c.max_size, Some(200_000_000));
        assert_eq!(c.max_files, Some(10));
        let e = Config::parse("max-files = 1\nmax-sise = 3\n").unwrap_err();
        assert!(e.starts_with("2:"), "{e}");
        let e = Config::parse("max-size = \"lots\"\n").unwrap_err();
        assert!(e.starts_with("1: max-size"), "{e}");
        let e = Config::parse("fail-on = [\"secret\"]\n").unwrap_err();
        assert!(e.contains("unknown category"), "{e}");
    }
}
