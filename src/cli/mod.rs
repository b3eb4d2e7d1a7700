//! The command line: the only place that knows clap, terminals,
//! environment variables and process exit codes.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::{self, ExitStatus};
use crate::error::Error;
use crate::facts::context::{Context, ContextOptions};
use crate::facts::{Facts, Request};
use crate::report::{text::TextStyle, TreeOptions};
use crate::scan::BuilderKind;

mod completions;
mod printer;

use printer::ColorWhen;

/// Measure, explain and fix Docker build contexts.
///
/// ctxsize decides exactly which files `docker build` sends, using Docker's
/// own `.dockerignore` rules (not gitignore's), and tells you why.
///
/// Exit codes: 0 success; 1 `check` found a problem it was asked to fail on
/// (or `init --check` would change the file); 2 ctxsize itself failed (bad
/// usage, invalid ignore file, unusable context).
#[derive(Debug, Parser)]
#[command(
    name = "ctxsize",
    version = env!("CTXSIZE_VERSION"),
    max_term_width = 100,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// With no command, `ctxsize [DIR]` runs `report`.
    #[command(flatten)]
    report: ReportArgs,

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
    /// Podman and Buildah (local builds): their own reading of the ignore
    /// file, matching and lookup (.containerignore first).
    #[value(alias = "buildah")]
    Podman,
}

impl From<BuilderArg> for BuilderKind {
    fn from(b: BuilderArg) -> Self {
        match b {
            BuilderArg::Buildkit => BuilderKind::BuildKit,
            BuilderArg::Classic => BuilderKind::Classic,
            BuilderArg::Podman => BuilderKind::Podman,
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

    /// Reproduce this builder: its ignore file, matching and walk. Default:
    /// CTXSIZE_BUILDER, else `builder` in DIR/.ctxsize.toml, else buildkit.
    #[arg(long, value_enum, value_name = "BUILDER")]
    builder: Option<BuilderArg>,

    /// The stage to build, as `docker build --target`: BuildKit reads only
    /// what the stages it reaches copy.
    #[arg(long, value_name = "STAGE")]
    target: Option<String>,
}

impl ContextArgs {
    fn request(&self) -> Result<Request, Error> {
        let (builder, builder_source) = choose(&self.dir, self.builder)?;
        Ok(Request {
            dir: self.dir.clone(),
            dockerfiles: self.file.clone(),
            ignore_file: self.ignore_file.clone(),
            builder,
            builder_source,
            target: self.target.clone(),
        })
    }
}

/// The builder: the flag, `CTXSIZE_BUILDER`, `.ctxsize.toml`, the default.
fn choose(dir: &std::path::Path, flag: Option<BuilderArg>) -> Result<(BuilderKind, String), Error> {
    let env = std::env::var("CTXSIZE_BUILDER").ok();
    crate::facts::choose_builder(dir, flag.map(Into::into), env.as_deref())
}

/// Options of `report` (also used when no command is given).
#[derive(Debug, Args)]
struct ReportArgs {
    #[command(flatten)]
    context: ContextArgs,
    /// Print JSON (schema in the README) instead of text.
    #[arg(long)]
    json: bool,
    /// Exact byte counts instead of human sizes.
    #[arg(long)]
    bytes: bool,
    /// Deepest level of the heaviest-paths tree.
    #[arg(long, default_value_t = 3, value_name = "N")]
    depth: usize,
    /// Most entries in the heaviest-paths tree.
    #[arg(long, default_value_t = 20, value_name = "N")]
    top: usize,
    /// Smallest size shown in the tree (e.g. 1MB, 500kB, 1024).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    min_size: Option<u64>,
    /// Do not walk excluded directories: faster, reads only what Docker
    /// reads, but what the ignore file saves is not measured.
    #[arg(long)]
    prune: bool,
}

use crate::config::parse_size;

/// `check --format`.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum FormatArg {
    /// Lines and a summary.
    Text,
    /// A JSON object.
    Json,
    /// GitHub Actions workflow commands (::warning file=...,line=...::).
    Github,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
}

impl From<FormatArg> for commands::check::Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Text => Self::Text,
            FormatArg::Json => Self::Json,
            FormatArg::Github => Self::Github,
            FormatArg::Sarif => Self::Sarif,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Report how big the context is, what is heaviest, what is dangerous,
    /// and what each suggested rule would save (the default command).
    ///
    /// Totals count apparent bytes, hard links once per inode. The classic
    /// builder's tar-stream size is shown as Docker prints it ("Sending
    /// build context to Docker daemon  X"). Findings come from a catalogue
    /// of well-known heavy and secret paths; a secret's content is never
    /// printed. Exit 0 even with findings; 2 on usage errors or an unusable
    /// context. Unreadable paths are listed and the report completes.
    Report(ReportArgs),
    /// Write a .dockerignore from what is on disk, or merge into the existing
    /// one without losing a line.
    ///
    /// With no ignore file: detects the stacks present and writes safe
    /// defaults plus rules for the heavy and secret paths found, in Docker
    /// syntax, grouped under comments. With one (the effective one,
    /// including NAME.dockerignore): keeps every existing byte and appends,
    /// in one marked block, only rules that change what this tree sends.
    /// Never adds a rule that excludes a COPY/ADD source, a lockfile or
    /// manifest, packaging files pyproject.toml names, or .git when the
    /// version comes from git; never undoes a `!` exception. A second run
    /// changes nothing. Writes atomically, keeping permissions. Writes the
    /// file the chosen builder reads: .containerignore under --builder
    /// podman for a project built from a Containerfile.
    Init {
        #[command(flatten)]
        context: ContextArgs,
        /// Print a unified diff and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Exit 1 if the file would change (for CI); write nothing.
        #[arg(long)]
        check: bool,
        /// Print the resulting file and write nothing.
        #[arg(long)]
        stdout: bool,
        /// Also translate the repository's .gitignore files into Docker
        /// syntax (`*.log` -> `**/*.log`, `/build` -> `build`).
        #[arg(long)]
        from_gitignore: bool,
    },
    /// Lint the ignore file: rules that do not do what their author thinks.
    ///
    /// Flags root-only patterns with deeper same-named paths left in the
    /// context (`__pycache__` instead of `**/__pycache__`), rules that match
    /// nothing or never decide anything, exceptions placed before the rule
    /// they undo, lines that look like comments but are patterns, trailing
    /// `/`, `*/name` that reaches one level only, wildcard exceptions that
    /// make BuildKit walk every excluded directory, lines the builders read
    /// differently, files BuildKit sends with 0 bytes, patterns older
    /// Docker reads differently, invalid lines, Dockerfile-specific ignore
    /// files, and an ignore file the builder does not read
    /// (.containerignore under Docker). Exit 0 (1 with --check on warnings
    /// and errors; information never fails).
    Lint {
        #[command(flatten)]
        context: ContextArgs,
        /// Rewrite fixable lines in place (same position and line ending),
        /// through the same safe writer as `init`.
        #[arg(long)]
        fix: bool,
        /// Exit 1 on warnings and errors (information never fails).
        #[arg(long)]
        check: bool,
        /// Print JSON (the same as --format json).
        #[arg(long)]
        json: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = FormatArg::Text)]
        format: FormatArg,
    },
    /// Check the context quickly and quietly (for pre-commit and CI).
    ///
    /// Walks like Docker (excluded directories are skipped, not measured)
    /// and prints one line per problem, `path: level: message [rule to
    /// add]`, then a one-line summary; nothing when all is well. Problems:
    /// secrets and heavy paths in the context, budgets exceeded, no ignore
    /// file, invalid patterns, COPY sources the ignore file excludes, files
    /// BuildKit sends with 0 bytes, misleading ignore-file lines, and (with
    /// --staged) files being committed that would be sent. Warns and exits
    /// 0 by default; --strict or --fail-on make the chosen categories exit
    /// with 1. Budgets and policy can also live in DIR/.ctxsize.toml (keys
    /// max-size, max-files, fail-on, allow, staged-max-size, builder);
    /// flags win.
    Check {
        #[command(flatten)]
        context: ContextArgs,
        /// Exit 1 on secrets, heavy paths, size budgets, invalid patterns
        /// and excluded COPY sources.
        #[arg(long)]
        strict: bool,
        /// Exit 1 on these categories: secrets, heavy, size, invalid, copy,
        /// missing-ignore, lint, all (comma-separated).
        #[arg(long, value_name = "LIST", value_delimiter = ',')]
        fail_on: Vec<String>,
        /// Context size budget (e.g. 200MB).
        #[arg(long, value_name = "SIZE", value_parser = parse_size)]
        max_size: Option<u64>,
        /// Context file-count budget.
        #[arg(long, value_name = "N")]
        max_files: Option<u64>,
        /// Also check files staged for commit (git) that would be sent.
        #[arg(long)]
        staged: bool,
        /// Staged files above this size are reported (default 5MB).
        #[arg(long, value_name = "SIZE", value_parser = parse_size)]
        staged_max_size: Option<u64>,
        /// Print nothing; only the exit code tells.
        #[arg(short, long)]
        quiet: bool,
        /// Always exit 0, even on failing problems or ctxsize errors (which
        /// are still printed): for hooks that must never block.
        #[arg(long)]
        exit_zero: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = FormatArg::Text)]
        format: FormatArg,
    },
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
        /// Reproduce this builder (default: CTXSIZE_BUILDER, .ctxsize.toml,
        /// buildkit).
        #[arg(long, value_enum, value_name = "BUILDER")]
        builder: Option<BuilderArg>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Paths to explain.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Print a shell completion script.
    ///
    /// bash: `source <(ctxsize completions bash)` in ~/.bashrc, or save it
    /// as ~/.local/share/bash-completion/completions/ctxsize. zsh: save it
    /// as `_ctxsize` in a directory of $fpath. fish: save it as
    /// ~/.config/fish/completions/ctxsize.fish.
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff), or write one page per command with --dir.
    ///
    /// `ctxsize man | man -l -` reads it; `ctxsize man --dir
    /// /usr/local/share/man/man1` installs it.
    Man(completions::ManArgs),
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
    let color = match cli.color {
        ColorChoice::Auto => ColorWhen::Auto,
        ColorChoice::Always => ColorWhen::Always,
        ColorChoice::Never => ColorWhen::Never,
    };
    match cli.command {
        None => report(cli.report, color, out),
        Some(Command::Report(args)) => report(args, color, out),
        Some(Command::Init {
            context,
            dry_run,
            check,
            stdout,
            from_gitignore,
        }) => {
            let facts = Facts::gather(context.request()?)?;
            let opts = commands::init::InitOptions {
                dry_run,
                check,
                stdout,
                from_gitignore,
            };
            commands::init::run(&facts, &opts, out)
        }
        Some(Command::Lint {
            context,
            fix,
            check,
            json,
            format,
        }) => {
            let facts = Facts::gather(context.request()?)?;
            let opts = commands::lint::LintOptions {
                fix,
                check,
                format: if json {
                    commands::check::Format::Json
                } else {
                    format.into()
                },
            };
            commands::lint::run(&facts, &opts, out)
        }
        Some(Command::Check {
            context,
            strict,
            fail_on,
            max_size,
            max_files,
            staged,
            staged_max_size,
            quiet,
            exit_zero,
            format,
        }) => {
            let result = (|| {
                let facts = Facts::gather(context.request()?)?;
                let fail_on =
                    commands::check::parse_fail_on(&fail_on, strict).map_err(Error::Usage)?;
                let opts = commands::check::CheckOptions {
                    fail_on,
                    max_size,
                    max_files,
                    staged,
                    staged_max_size,
                    quiet,
                    format: format.into(),
                };
                commands::check::run(&facts, &opts, out)
            })();
            match result {
                Err(e) if exit_zero => {
                    let _ = writeln!(err, "ctxsize: error: {e}");
                    Ok(ExitStatus::Success)
                }
                Ok(_) if exit_zero => Ok(ExitStatus::Success),
                r => r,
            }
        }
        Some(Command::Ls {
            context,
            excluded,
            long,
            null,
            json,
            dirs,
        }) => {
            let ctx = Context::open(&context.request()?.context_options())?;
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
            let (builder, _) = choose(&context, builder)?;
            let ctx = Context::open(&ContextOptions {
                dir: context,
                dockerfiles: file,
                ignore_file,
                builder,
            })?;
            commands::why::run(&ctx, &paths, json, out)
        }
        Some(Command::Completions(args)) => completions::completions(&args, out),
        Some(Command::Man(args)) => completions::man(&args, out),
    }
}

fn report(args: ReportArgs, color: ColorWhen, out: &mut dyn Write) -> Result<ExitStatus, Error> {
    let facts = Facts::gather(args.context.request()?)?;
    let opts = commands::report::ReportOptions {
        tree: TreeOptions {
            depth: args.depth.max(1),
            top: args.top.max(1),
            min_size: args.min_size.unwrap_or(0),
        },
        json: args.json,
        prune: args.prune,
        style: TextStyle {
            color: !args.json && printer::stdout_color(color),
            width: printer::width(),
            exact: args.bytes,
        },
    };
    let progress = printer::Progress::start(!args.json);
    let result = commands::report::run(&facts, &opts, progress.counter(), out);
    progress.finish();
    result
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_valid() {
        super::Cli::command().debug_assert();
    }
}
