//! `ctxsize completions SHELL` and `ctxsize man`: shell completion scripts
//! and man pages generated from the clap definition, so they cannot drift
//! from the flags the binary accepts.
//!
//! This is packaging help for users and distributions, not a command about
//! build contexts: it reads no directory and knows nothing of Docker.

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::commands::ExitStatus;
use crate::error::Error;

use super::Cli;

/// The name completions and man pages are written for.
const BIN: &str = "ctxsize";

/// Options of `ctxsize completions`.
#[derive(Debug, Args)]
pub(super) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    shell: Shell,
}

/// Options of `ctxsize man`.
#[derive(Debug, Args)]
pub(super) struct ManArgs {
    /// Write ctxsize.1 and one page per command (ctxsize-check.1, ...) into
    /// this directory (created if missing) instead of printing ctxsize.1.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Prints the completion script for the chosen shell.
pub(super) fn completions(
    args: &CompletionsArgs,
    out: &mut dyn Write,
) -> Result<ExitStatus, Error> {
    // clap_complete panics on a failed write (a closed pipe): generate into
    // memory, then write with ordinary error handling.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), BIN, &mut script);
    out.write_all(&script)
        .map_err(|e| Error::io("<stdout>", e))?;
    Ok(ExitStatus::Success)
}

/// Prints the man page, or writes every page into `--dir`.
pub(super) fn man(args: &ManArgs, out: &mut dyn Write) -> Result<ExitStatus, Error> {
    let cmd = Cli::command();
    match &args.dir {
        Some(dir) => {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            clap_mangen::generate_to(cmd, dir).map_err(|e| Error::io(dir, e))?;
        }
        None => {
            // As generate_to does: `help` gets no page, so it is not listed.
            let cmd = cmd.disable_help_subcommand(true);
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut page)
                .map_err(|e| Error::io("<stdout>", e))?;
            out.write_all(&page).map_err(|e| Error::io("<stdout>", e))?;
        }
    }
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each shell's script, generated from the real definition, names every
    /// command and a flag of `check`.
    #[test]
    fn every_shell_names_the_commands() {
        for shell in [
            Shell::Bash,
            Shell::Zsh,
            Shell::Fish,
            Shell::PowerShell,
            Shell::Elvish,
        ] {
            let mut out = Vec::new();
            completions(&CompletionsArgs { shell }, &mut out).unwrap();
            let script = String::from_utf8(out).unwrap();
            for word in ["report", "check", "init", "lint", "ls", "why", "staged"] {
                assert!(script.contains(word), "{shell}: no {word:?}");
            }
        }
    }

    #[test]
    fn man_page_is_roff_with_every_command() {
        let mut out = Vec::new();
        man(&ManArgs { dir: None }, &mut out).unwrap();
        let page = String::from_utf8(out).unwrap();
        assert!(page.starts_with(".ie \\n(.g .ds Aq"), "{}", &page[..80]);
        assert!(page.contains(".TH ctxsize 1"), "no title line");
        for word in ["report", "check", "init", "lint", "why", "completions"] {
            assert!(page.contains(word), "no {word:?}");
        }
    }

    #[test]
    fn man_dir_gets_one_page_per_command() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("man1");
        man(
            &ManArgs {
                dir: Some(target.clone()),
            },
            &mut Vec::new(),
        )
        .unwrap();
        for page in [
            "ctxsize.1",
            "ctxsize-check.1",
            "ctxsize-report.1",
            "ctxsize-man.1",
        ] {
            let text = fs::read_to_string(target.join(page)).unwrap_or_default();
            assert!(text.contains(".TH"), "{page} missing or empty");
        }
        let check = fs::read_to_string(target.join("ctxsize-check.1")).unwrap();
        assert!(check.contains("staged"), "ctxsize-check.1 lacks --staged");
    }
}
