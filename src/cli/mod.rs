//! The command line: the only place that knows clap, terminals,
//! environment variables and process exit codes.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::{self, ExitStatus};
use crate::context::{Context, ContextOptions};
use crate::error::Error;
use crate::scan::BuilderKind;

/// Measure, explain and fix Docker build contexts.
///
/// ctxsize decides exactly which files `docker build` sends, using Docker's
/// own `.dockerignore` rules (not gitignore's), and tells you why.
///
/// Exit codes: 0 success; 1 `check` found a problem it was asked to fail on
/// (or `init --check` would change the file); 2 ctxsize itself failed (bad
/// usage, invalid ignore file, unusable context).
#[derive(Debug, Parser)]
#[command(name = "ctxsize", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// When to use colours: auto (a terminal, NO_COLOR unset), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,
}

/// Colour choice.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The builder whose behaviour to reproduce.
#[derive(Clone, Copy, Debug, Default, ValueEnum)]
enum BuilderArg {
    /// BuildKit, the default since Docker 23.
    #[default]
    Buildkit,
    /// The classic builder (DOCKER_BUILDKIT=0).
    Classic,
}

impl From<BuilderArg> for BuilderKind {
    fn from(b: BuilderArg) -> Self {
        match b {
            BuilderArg::Buildkit => BuilderKind::BuildKit,
            BuilderArg::Classic => BuilderKind::Classic,
        }
    }
}

/// Options every verb shares: where the context is and how it is built.
#[derive(Debug, Args)]
struct ContextArgs {
    /// The build context directory.
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,

    /// The Dockerfile (default: DIR/Dockerfile). Its NAME.dockerignore, when
    /// present, replaces DIR/.dockerignore under BuildKit.
    #[arg(short = 'f', long = "file", value_name = "DOCKERFILE")]
    file: Vec<PathBuf>,

    /// Use this ignore file instead of the one Docker would pick.
    #[arg(long, value_name = "FILE")]
    ignore_file: Option<PathBuf>,

    /// Reproduce this builder's walk (they differ for wildcard exceptions
    /// inside excluded directories).
    #[arg(long, value_enum, default_value_t = BuilderArg::Buildkit)]
    builder: BuilderArg,
}

impl ContextArgs {
    fn options(&self) -> ContextOptions {
        ContextOptions {
            dir: self.dir.clone(),
            dockerfiles: self.file.clone(),
            ignore_file: self.ignore_file.clone(),
            builder: self.builder.into(),
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the files of the build context, one path per line, sorted.
    ///
    /// Prints every non-directory entry Docker sends (regular files,
    /// symlinks, and special files such as FIFOs), relative to DIR with `/`
    /// separators, sorted bytewise, and nothing else on stdout. On an invalid
    /// ignore file it prints nothing to stdout, the error to stderr, and
    /// exits 2.
    Ls {
        #[command(flatten)]
        context: ContextArgs,
        /// List what the ignore file keeps out instead (including the
        /// contents of directories Docker skips whole).
        #[arg(long)]
        excluded: bool,
        /// Add type (f file, l symlink, d directory, p fifo, c/b device) and
        /// size columns, tab-separated.
        #[arg(short, long)]
        long: bool,
        /// Separate paths with NUL instead of newline (for xargs -0).
        #[arg(short = '0', long = "null")]
        null: bool,
        /// Print a JSON array of {path, type, size, rule}.
        #[arg(long)]
        json: bool,
        /// List directories too.
        #[arg(long)]
        dirs: bool,
    },
    /// Explain whether paths are in the context and which line decides.
    ///
    /// For each PATH prints `PATH: included|excluded by FILE:LINE:PATTERN`,
    /// saying when the rule matched a parent directory, when an excluded
    /// parent directory is skipped whole by the builder, when no rule
    /// matched, and when the path does not exist (the answer is still given
    /// for the patterns). Paths are relative to the current directory and
    /// must lie inside the context.
    Why {
        /// The build context directory.
        #[arg(long, value_name = "DIR", default_value = ".")]
        context: PathBuf,
        /// The Dockerfile (default: DIR/Dockerfile).
        #[arg(short = 'f', long = "file", value_name = "DOCKERFILE")]
        file: Vec<PathBuf>,
        /// Use this ignore file instead of the one Docker would pick.
        #[arg(long, value_name = "FILE")]
        ignore_file: Option<PathBuf>,
        /// Reproduce this builder's walk.
        #[arg(long, value_enum, default_value_t = BuilderArg::Buildkit)]
        builder: BuilderArg,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Paths to explain.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
}

/// Parses the arguments, runs the verb and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let stderr = io::stderr();
    let mut err = stderr.lock();
    let result = run(cli, &mut out, &mut err);
    let flushed = out.flush();
    match result {
        Ok(status) => {
            if let Err(e) = flushed {
                if e.kind() != io::ErrorKind::BrokenPipe {
                    let _ = writeln!(err, "ctxsize: error: {e}");
                    return 2;
                }
            }
            status.code()
        }
        Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            let _ = writeln!(err, "ctxsize: error: {e}");
            ExitStatus::Error.code()
        }
    }
}

fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<ExitStatus, Error> {
    let _ = cli.color;
    match cli.command {
        None => Err(Error::Usage(
            "no command given; try `ctxsize ls .` or `ctxsize --help`".into(),
        )),
        Some(Command::Ls {
            context,
            excluded,
            long,
            null,
            json,
            dirs,
        }) => {
            let ctx = Context::open(&context.options())?;
            let opts = commands::ls::LsOptions {
                excluded,
                long,
                nul: null,
                json,
                dirs,
            };
            commands::ls::run(&ctx, &opts, out, err)
        }
        Some(Command::Why {
            context,
            file,
            ignore_file,
            builder,
            json,
            paths,
        }) => {
            let ctx = Context::open(&ContextOptions {
                dir: context,
                dockerfiles: file,
                ignore_file,
                builder: builder.into(),
            })?;
            commands::why::run(&ctx, &paths, json, out)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_valid() {
        super::Cli::command().debug_assert();
    }
}
