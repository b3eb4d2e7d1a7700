//! Reading Dockerfiles the way BuildKit's Dockerfile frontend does, to find
//! which build-context paths each stage reads.
//!
//! This module owns:
//! - splitting a Dockerfile into instructions (parser directives, comments,
//!   line continuations with `\` or `` ` ``, CRLF, BOM, heredoc bodies);
//! - the stage graph (`FROM`, `COPY --from`, `RUN --mount=from=`) and which
//!   stages a `--target` needs;
//! - the context reads of `COPY`, `ADD` and `RUN --mount=type=bind`, with
//!   BuildKit-style variable substitution (`ARG`/`ENV` scoping, build args)
//!   and source path normalisation.
//!
//! It does not own, and never does:
//! - touching the file system (the caller passes the Dockerfile text);
//! - matching `.dockerignore` patterns, or expanding source wildcards against
//!   the context (sources keep their pattern text and a `has_wildcard` flag);
//! - running anything, pulling images or knowing what a base image contains
//!   (variables that only a base image could define stay unresolved).
//!
//! Parsing never fails and never panics: whatever BuildKit would reject is
//! reported as a [`Problem`] and parsing carries on.

mod expand;
mod lex;
mod paths;
mod stages;
mod words;

use std::collections::{HashMap, HashSet};
use std::fmt;

use expand::*;
use lex::*;
use paths::*;
use stages::*;
use words::*;

/// A parsed Dockerfile: its stages, their context reads and any problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// The escape and line-continuation character (`\` unless `# escape=` says `` ` ``).
    pub escape: char,
    /// The value of the `# syntax=` parser directive, if present. A custom
    /// frontend may read the file differently from what this module assumes.
    pub syntax: Option<String>,
    /// The build stages, in file order (index = position).
    pub stages: Vec<Stage>,
    /// Things BuildKit would reject or that could not be understood, by line.
    pub problems: Vec<Problem>,
}

/// One build stage, started by a `FROM` instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// Position of the stage in the file, starting at 0 (usable as `--from=<index>`).
    pub index: usize,
    /// The stage name from `FROM ... AS name`, lower-cased as BuildKit does.
    pub name: Option<String>,
    /// The base image or stage name after global `ARG` substitution (the raw
    /// text when it uses a variable whose value is unknown).
    pub base: String,
    /// The earlier stage this stage is built on, when `base` names one.
    pub base_stage: Option<usize>,
    /// The `--platform=` value of the `FROM`, after substitution when possible.
    pub platform: Option<String>,
    /// 1-based line of the `FROM` instruction.
    pub line: usize,
    /// Reads from the build context made by this stage, in file order.
    pub reads: Vec<ContextRead>,
    /// Stages this stage needs (base stage, `COPY --from`, `RUN --mount=from=`),
    /// sorted and without duplicates.
    pub depends_on: Vec<usize>,
}

/// The instruction kind that reads from the build context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadKind {
    /// A `COPY` without `--from`.
    Copy,
    /// An `ADD` (only its local sources; URLs and git refs are not context reads).
    Add,
    /// A `RUN --mount=type=bind` without `from=`.
    BindMount,
}

impl ReadKind {
    /// The instruction as users write it.
    pub fn as_str(self) -> &'static str {
        match self {
            ReadKind::Copy => "COPY",
            ReadKind::Add => "ADD",
            ReadKind::BindMount => "RUN --mount",
        }
    }
}

/// One instruction (or one bind mount of a `RUN`) that reads the build context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextRead {
    /// What kind of instruction reads.
    pub kind: ReadKind,
    /// 1-based line where the instruction starts.
    pub line: usize,
    /// The instruction text with continuations joined (heredoc bodies left
    /// out), for messages.
    pub instruction: String,
    /// The context sources read (never empty). Heredocs, URLs and git refs
    /// are left out.
    pub sources: Vec<Source>,
    /// The destination (`COPY`/`ADD`) or mount target, after substitution
    /// when possible.
    pub dest: Option<String>,
    /// `--exclude=` patterns, after substitution when possible.
    pub excludes: Vec<String>,
}

/// One source path of a context read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The source as written in the Dockerfile (for a bind mount without a
    /// source: `.`).
    pub original: String,
    /// The source after substitution, relative to the context root: leading
    /// `/` and `./` removed, `..` resolved lexically and clamped at the root,
    /// trailing `/` removed. `.` means the whole context. When `unresolved`
    /// is set this is the normalised original text instead.
    pub path: String,
    /// Whether `path` contains an unescaped `*`, `?` or `[` (a Go
    /// `filepath.Match` pattern matched per path segment).
    pub has_wildcard: bool,
    /// The first variable whose value is unknown here (declared without a
    /// value and not given as a build arg, or never declared), if any.
    pub unresolved: Option<String>,
}

/// Something BuildKit would reject or that this module could not understand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line where the instruction (or directive) starts.
    pub line: usize,
    /// A human-readable description.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Why a build target could not be chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetError {
    /// The Dockerfile has no `FROM` instruction.
    NoStages,
    /// No stage has this name.
    UnknownTarget(String),
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetError::NoStages => write!(f, "the Dockerfile has no build stage (no FROM)"),
            TargetError::UnknownTarget(t) => write!(f, "target stage {t:?} could not be found"),
        }
    }
}

impl std::error::Error for TargetError {}

/// Parses Dockerfile `text`. `build_args` are `--build-arg NAME=VALUE`
/// pairs: they override the defaults of declared `ARG`s (and give values to
/// `ARG`s declared without one); undeclared names have no effect.
///
/// Never panics; problems are collected in [`Dockerfile::problems`].
pub fn parse(text: &str, build_args: &[(String, String)]) -> Dockerfile {
    let lexed = lex(text);
    let mut builder = Builder::new(lexed.escape, build_args);
    builder.problems = lexed.problems;
    for inst in &lexed.instructions {
        builder.instruction(inst);
    }
    builder.finish(lexed.syntax)
}

impl Dockerfile {
    /// The index of the stage named `name` (case-insensitive).
    pub fn stage_index(&self, name: &str) -> Option<usize> {
        let wanted = name.to_ascii_lowercase();
        self.stages
            .iter()
            .position(|s| s.name.as_deref() == Some(wanted.as_str()))
    }

    /// The stages a build of `target` needs, sorted by index: the target
    /// stage (by name, case-insensitive; the last stage when `None`) and,
    /// transitively, every stage it depends on.
    pub fn reachable_stages(&self, target: Option<&str>) -> Result<Vec<usize>, TargetError> {
        let start = match target {
            _ if self.stages.is_empty() => return Err(TargetError::NoStages),
            None => self.stages.len() - 1,
            Some(t) => self
                .stage_index(t)
                .ok_or_else(|| TargetError::UnknownTarget(t.to_string()))?,
        };
        let mut seen = vec![false; self.stages.len()];
        let mut todo = vec![start];
        while let Some(i) = todo.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            todo.extend(
                self.stages[i]
                    .depends_on
                    .iter()
                    .copied()
                    .filter(|&d| !seen[d]),
            );
        }
        Ok((0..seen.len()).filter(|&i| seen[i]).collect())
    }

    /// The context reads of the stages a build of `target` needs (see
    /// [`Dockerfile::reachable_stages`]), in file order.
    pub fn context_reads(&self, target: Option<&str>) -> Result<Vec<&ContextRead>, TargetError> {
        Ok(self
            .reachable_stages(target)?
            .into_iter()
            .flat_map(|i| self.stages[i].reads.iter())
            .collect())
    }
}

// ---------------------------------------------------------------------------
// Lexing: physical lines to instructions.
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// Build args in test tables.
    type Pairs = &'static [(&'static str, &'static str)];
    /// Expected `(path, unresolved variable)` per source.
    type Unresolved = &'static [(&'static str, Option<&'static str>)];
    /// Expected result of `reachable_stages`.
    type Reach = Result<Vec<usize>, TargetError>;
    type Opt = Option<&'static str>;
    /// Expected expansion: `(text, unresolved)`, or `Err` for a syntax error.
    type Want = Result<(&'static str, Opt), ()>;

    fn args(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn all_sources(df: &Dockerfile) -> Vec<&Source> {
        df.stages
            .iter()
            .flat_map(|s| &s.reads)
            .flat_map(|r| &r.sources)
            .collect()
    }

    fn paths(df: &Dockerfile) -> Vec<String> {
        all_sources(df).iter().map(|s| s.path.clone()).collect()
    }

    #[test]
    fn context_paths() {
        #[rustfmt::skip]
        let cases: &[(&str, &str, Pairs, &[&str])] = &[
            ("shell form", "FROM a\nCOPY a b ./dest/\n", &[], &["a", "b"]),
            ("json form", "FROM a\nCOPY [\"a b\", \"c\", \"/dest\"]\n", &[], &["a b", "c"]),
            ("json escapes", "FROM a\nCOPY [\"d\\u0069r\\/x\", \"/d\"]", &[], &["dir/x"]),
            ("json spacing", "FROM a\nCOPY [ \"a\" , \"/d\" ] ", &[], &["a"]),
            ("invalid json is shell form", "FROM a\nCOPY [a-z]* /d/", &[], &["[a-z]*"]),
            ("quotes in shell words", "FROM a\nCOPY \"a\" 'b' /d", &[], &["a", "b"]),
            ("copy flags", "FROM a\nCOPY --chown=1:1 --chmod=755 --link --link=false --parents --exclude=*.md --exclude=x a /d", &[], &["a"]),
            ("add flags", "FROM a\nADD --checksum=sha256:abc --keep-git-dir=true --unpack=false --link a.tar /d", &[], &["a.tar"]),
            ("quoted flag value", "FROM a\nCOPY --chown=\"1 1\" a /d", &[], &["a"]),
            ("from stage", "FROM a AS b\nFROM c\nCOPY --from=b x /y\nCOPY z /w", &[], &["z"]),
            ("from index", "FROM a\nCOPY --from=0 x /y", &[], &[]),
            ("from image", "FROM a\nCOPY --from=alpine:3 /etc/x /y", &[], &[]),
            ("empty from is context", "FROM a\nCOPY --from= x /y", &[], &["x"]),
            ("add urls", "FROM a\nADD https://example.com/a.tgz http://x/y local /d/", &[], &["local"]),
            ("add git", "FROM a\nADD git@github.com:a/b.git /s\nADD https://github.com/a/b.git#main /s\nADD git://h/r /s\nADD ssh://git@h/r /s", &[], &[]),
            ("continuation", "FROM a\nCOPY a \\\n  b \\\n  /d/\n", &[], &["a", "b"]),
            ("continuation blanks after", "FROM a\nCOPY a \\  \t\n b /d", &[], &["a", "b"]),
            ("backtick escape", "# escape=`\nFROM a\nCOPY a `\n b /d\n", &[], &["a", "b"]),
            ("backslash literal under backtick", "# escape=`\nFROM a\nCOPY dir\\sub /d", &[], &["dir\\sub"]),
            ("comments in continuation", "FROM a\nCOPY a \\\n# c\n   # indented\n b /d", &[], &["a", "b"]),
            ("empty lines in continuation", "FROM a\nCOPY a \\\n\n   \n b /d", &[], &["a", "b"]),
            ("copy heredoc", "FROM a\nCOPY <<EOF /d\nCOPY fake /x\nEOF\nCOPY real /z\n", &[], &["real"]),
            ("run heredoc", "FROM a\nRUN <<EOF\nCOPY fake /x\nEOF\nCOPY real /z", &[], &["real"]),
            ("chomp heredoc", "FROM a\nCOPY <<-EOF /d\n\tCOPY fake /x\n\tEOF\nCOPY real /z", &[], &["real"]),
            ("quoted heredocs", "FROM a\nCOPY <<\"EOF\" /d\nCOPY f /x\nEOF\nRUN cat <<'E2'\nCOPY g /x\nE2\nCOPY real /z", &[], &["real"]),
            ("two heredocs", "FROM a\nRUN <<A <<B\nCOPY f1 /x\nA\nCOPY f2 /x\nB\nCOPY real /z", &[], &["real"]),
            ("heredoc and context source", "FROM a\nCOPY <<EOF ctx.txt /d/\nbody\nEOF\n", &[], &["ctx.txt"]),
            ("heredoc in json run is not one", "FROM a\nRUN [\"sh\", \"<<EOF\"]\nCOPY real /z\nEOF", &[], &["real"]),
            ("mount default type", "FROM a\nRUN --mount=target=/src make", &[], &["."]),
            ("mount bind source", "FROM a\nRUN --mount=type=bind,source=src,target=/s make", &[], &["src"]),
            ("mount src rw", "FROM a\nRUN --mount=type=bind,src=./a/b,target=/s,rw true", &[], &["a/b"]),
            ("mount readonly", "FROM a\nRUN --mount=type=bind,source=x,target=/x,readonly,ro=true true", &[], &["x"]),
            ("mount from stage", "FROM a AS build\nFROM b\nRUN --mount=type=bind,from=build,source=/out,target=/o true", &[], &[]),
            ("mount from no type", "FROM a\nRUN --mount=from=alpine,target=/o true", &[], &[]),
            ("other mounts", "FROM a\nRUN --mount=type=cache,target=/c --mount=type=secret,id=s --mount=type=ssh --mount=type=tmpfs,target=/t true", &[], &[]),
            ("two bind mounts", "FROM a\nRUN --mount=source=x,target=/x --mount=type=bind,source=y,target=/y --network=none true", &[], &["x", "y"]),
            ("arg", "FROM a\nARG DIR=src\nCOPY $DIR ${DIR}/x /d", &[], &["src", "src/x"]),
            ("arg forms", "FROM a\nARG E= S=set\nCOPY ${E:-def} ${S:-def} a${E-def} ${S:+alt} ${E:+alt}x ${S+alt} b${E+alt} /d", &[], &["def", "set", "a", "alt", "x", "alt", "balt"]),
            ("escaped dollar", "FROM a\nARG HOME=h\nCOPY \\$HOME '$HOME' \"$HOME\" /d", &[], &["$HOME", "$HOME", "h"]),
            ("global arg redeclared", "ARG V=1\nFROM a\nARG V\nCOPY f$V /d", &[], &["f1"]),
            ("build arg overrides global", "ARG V=1\nFROM a\nARG V\nCOPY f$V /d", &[("V", "2")], &["f2"]),
            ("build arg overrides stage default", "FROM a\nARG V=1\nCOPY f$V /d", &[("V", "3")], &["f3"]),
            ("stage default wins over global", "ARG V=1\nFROM a\nARG V=5\nCOPY f$V /d", &[], &["f5"]),
            ("global args chain", "ARG A=x\nARG B=${A}y\nFROM a\nARG B\nCOPY $B /d", &[], &["xy"]),
            ("env", "FROM a\nENV D=dir E=\"two words\"\nCOPY $D /d\nCOPY [\"$E\", \"/d\"]", &[], &["dir", "two words"]),
            ("legacy env", "FROM a\nENV D dir name\nCOPY [\"$D\", \"/d\"]", &[], &["dir name"]),
            ("env overrides arg later", "FROM a\nARG D=x\nENV D=y\nCOPY $D /d", &[], &["y"]),
            ("env inherited by child stage", "FROM a AS base\nENV D=x\nFROM base\nCOPY $D /d", &[], &["x"]),
            ("env from arg", "FROM a\nARG V=1\nENV W=v$V\nCOPY $W /d", &[], &["v1"]),
            ("crlf", "FROM a\r\nCOPY a \\\r\n b /d\r\n", &[], &["a", "b"]),
            ("bom", "\u{feff}FROM a\nCOPY a /d", &[], &["a"]),
            ("case-insensitive", "from a\ncopy a /d\nAdd b /d\nrUn --mount=target=/x true", &[], &["a", "b", "."]),
            ("wildcards kept", "FROM a\nCOPY *.txt dir/?.md [ab].c /d", &[], &["*.txt", "dir/?.md", "[ab].c"]),
            ("dotdot clamped", "FROM a\nCOPY ../../x a/../../b ./c/../d /d", &[], &["x", "b", "d"]),
            ("copy dot dot", "FROM a\nCOPY . .", &[], &["."]),
            ("root forms", "FROM a\nCOPY ./ / /x/", &[], &[".", "."]),
            ("trailing slash and leading slash", "FROM a\nCOPY dir/ /abs/p /d", &[], &["dir", "abs/p"]),
            ("add --from is not context", "FROM a AS s\nFROM b\nADD --from=s x /y", &[], &[]),
            ("instruction after heredoc body", "FROM a\nRUN <<EOF\nx\nEOF\nCOPY y /z", &[], &["y"]),
        ];
        for (name, text, build, want) in cases {
            let df = parse(text, &args(build));
            assert_eq!(paths(&df), *want, "case {name}: {:?}", df.problems);
        }
    }

    #[test]
    fn unresolved_sources() {
        #[rustfmt::skip]
        let cases: &[(&str, &str, Pairs, Unresolved)] = &[
            ("never declared", "FROM a\nCOPY $NOPE /d", &[], &[("$NOPE", Some("NOPE"))]),
            ("declared without value", "FROM a\nARG X\nCOPY ${X}/f /d", &[], &[("${X}/f", Some("X"))]),
            ("default form unknown", "FROM a\nARG X\nCOPY ${X:-d} /d", &[], &[("${X:-d}", Some("X"))]),
            ("build arg gives value", "FROM a\nARG X\nCOPY $X /d", &[("X", "v")], &[("v", None)]),
            ("build arg without ARG", "FROM a\nCOPY $X /d", &[("X", "v")], &[("$X", Some("X"))]),
            ("global not redeclared", "ARG G=1\nFROM a\nCOPY $G /d", &[], &[("$G", Some("G"))]),
            ("unused alternative", "FROM a\nARG S=1\nCOPY ${S:-$NOPE} /d", &[], &[("1", None)]),
            ("used alternative", "FROM a\nARG S=\nCOPY ${S:-$NOPE} /d", &[], &[("${S:-$NOPE}", Some("NOPE"))]),
            ("arg ends with stage", "FROM a\nARG X=1\nFROM b\nCOPY $X /d", &[], &[("$X", Some("X"))]),
            ("env from unknown", "FROM a\nENV A=$U\nCOPY $A /d", &[], &[("$A", Some("A"))]),
            ("platform arg", "FROM a\nARG TARGETARCH\nCOPY bin/$TARGETARCH /d", &[], &[("bin/$TARGETARCH", Some("TARGETARCH"))]),
            ("platform arg given", "FROM a\nARG TARGETARCH\nCOPY bin/$TARGETARCH /d", &[("TARGETARCH", "arm64")], &[("bin/arm64", None)]),
            ("pattern modifier", "FROM a\nARG V=1.2\nCOPY ${V%.*} /d", &[], &[("${V%.*}", Some("V"))]),
            ("mount source", "FROM a\nRUN --mount=source=$S,target=/x true", &[], &[("$S", Some("S"))]),
        ];
        for (name, text, build, want) in cases {
            let df = parse(text, &args(build));
            let got: Vec<(&str, Option<&str>)> = all_sources(&df)
                .iter()
                .map(|s| (s.path.as_str(), s.unresolved.as_deref()))
                .collect();
            assert_eq!(got, *want, "case {name}");
        }
    }

    #[test]
    fn wildcard_flags() {
        let cases: &[(&str, bool)] = &[
            ("*.txt", true),
            ("a?", true),
            ("[ab]", true),
            ("plain/path", false),
            ("\"a\\*\"", false),
            ("a\\*", true),
            (".", false),
        ];
        for (src, want) in cases {
            let df = parse(&format!("FROM a\nCOPY {src} /d"), &[]);
            let s = all_sources(&df);
            assert_eq!(s[0].has_wildcard, *want, "source {src}");
        }
    }

    #[test]
    fn dependencies() {
        #[rustfmt::skip]
        let cases: &[(&str, &str, &[&[usize]])] = &[
            ("from chain", "FROM a AS one\nFROM one AS two\nFROM two", &[&[], &[0], &[1]]),
            ("copy from name case-insensitive", "FROM a AS b\nFROM c\nCOPY --from=B x y", &[&[], &[0]]),
            ("copy from index", "FROM a\nFROM c\nCOPY --from=0 x y", &[&[], &[0]]),
            ("copy from image", "FROM a\nCOPY --from=alpine:3 x y", &[&[]]),
            ("mount from", "FROM a AS b\nFROM c\nRUN --mount=from=b,target=/x true", &[&[], &[0]]),
            ("cache mount from", "FROM a AS b\nFROM c\nRUN --mount=type=cache,from=b,target=/x true", &[&[], &[0]]),
            ("secret from ignored", "FROM a AS b\nFROM c\nRUN --mount=type=secret,id=x,from=b true", &[&[], &[]]),
            ("stage name upper case", "FROM a AS Build\nFROM build", &[&[], &[0]]),
            ("from arg in stage", "FROM a AS b\nFROM c\nARG S=b\nCOPY --from=$S x y", &[&[], &[0]]),
            ("global arg base", "ARG BASE=b\nFROM x AS b\nFROM ${BASE}", &[&[], &[0]]),
            ("later stage in copy from", "FROM a AS x\nCOPY --from=y a b\nFROM a AS y", &[&[1], &[]]),
            ("dedup", "FROM a AS x\nFROM x\nCOPY --from=x a b\nCOPY --from=0 a b", &[&[], &[0]]),
        ];
        for (name, text, want) in cases {
            let df = parse(text, &[]);
            let got: Vec<&[usize]> = df.stages.iter().map(|s| s.depends_on.as_slice()).collect();
            assert_eq!(got, *want, "case {name}: {:?}", df.problems);
        }
    }

    #[test]
    fn reachability() {
        let multi = "FROM a AS deps\nCOPY d /d\nFROM a AS build\nCOPY --from=deps x y\nCOPY b /b\n\
                     FROM a AS test\nCOPY t /t\nFROM build AS final\nCOPY f /f";
        let by_index = "FROM a AS x\nFROM b AS y\nCOPY --from=0 q r";
        let cycle = "FROM a AS x\nCOPY --from=y a b\nFROM a AS y\nCOPY --from=x a b";
        #[rustfmt::skip]
        let cases: &[(&str, Option<&str>, Reach)] = &[
            (multi, None, Ok(vec![0, 1, 3])),
            (multi, Some("test"), Ok(vec![2])),
            (multi, Some("BUILD"), Ok(vec![0, 1])),
            (multi, Some("nope"), Err(TargetError::UnknownTarget("nope".into()))),
            (by_index, None, Ok(vec![0, 1])),
            (by_index, Some("x"), Ok(vec![0])),
            (cycle, None, Ok(vec![0, 1])),
            ("", None, Err(TargetError::NoStages)),
            ("ARG A=1", Some("x"), Err(TargetError::NoStages)),
        ];
        for (text, target, want) in cases {
            let df = parse(text, &[]);
            assert_eq!(
                &df.reachable_stages(*target),
                want,
                "{text:?} target {target:?}"
            );
        }
        let df = parse(multi, &[]);
        let reads: Vec<&str> = df
            .context_reads(None)
            .unwrap()
            .iter()
            .map(|r| r.sources[0].path.as_str())
            .collect();
        assert_eq!(reads, ["d", "b", "f"]);
        let reads = df.context_reads(Some("test")).unwrap();
        assert_eq!(reads.len(), 1);
        assert_eq!(reads[0].sources[0].path, "t");
    }

    #[test]
    fn directives() {
        #[rustfmt::skip]
        let cases: &[(&str, char, Option<&str>)] = &[
            ("# escape=`\nFROM a", '`', None),
            ("# escape=\\\nFROM a", '\\', None),
            ("# syntax=docker/dockerfile:1\n# escape=`\nFROM a", '`', Some("docker/dockerfile:1")),
            ("  #  ESCAPE =  `  \nFROM a", '`', None),
            ("# check=skip=all\n# escape=`\nFROM a", '`', None),
            ("FROM a\n# escape=`", '\\', None),
            ("# comment\n# escape=`\nFROM a", '\\', None),
            ("\n# escape=`\nFROM a", '\\', None),
            ("# foo=bar\n# escape=`\nFROM a", '\\', None),
            ("\u{feff}# escape=`\r\nFROM a", '`', None),
            ("# escape=x\nFROM a", '\\', None),
        ];
        for (text, escape, syntax) in cases {
            let df = parse(text, &[]);
            assert_eq!(df.escape, *escape, "{text:?}");
            assert_eq!(df.syntax.as_deref(), *syntax, "{text:?}");
        }
    }

    #[test]
    fn problems_reported() {
        #[rustfmt::skip]
        let cases: &[(&str, &str)] = &[
            ("FROM a\nCOPY --bogus a b", "unknown flag --bogus"),
            ("FROM a\nCOPY --checksum=x a b", "unknown flag --checksum"),
            ("FROM a\nCOPY a", "requires at least two arguments"),
            ("FROM a\nCOPY []", "requires at least two arguments"),
            ("FROM a\nCOPY [1, \"b\"]", "array of strings"),
            ("RUN true\nFROM a", "before the first FROM"),
            ("FROM a\nCOPY <<EOF /d\nbody", "unterminated heredoc <<EOF"),
            ("# escape=x\nFROM a", "invalid escape"),
            ("# escape=`\n# escape=`\nFROM a", "only one escape"),
            ("FROM a AS x\nFROM b AS X", "duplicate stage name"),
            ("FROM a AS 1x", "invalid name for build stage"),
            ("FROM a\nCOPY --link=maybe a b", "expecting boolean"),
            ("FROM a\nCOPY https://x/y /d", "can't be a URL"),
            ("FROM a\nRUN --mount=type=weird,target=/x true", "unsupported mount type"),
            ("FROM a\nRUN --mount=type=bind,bogus=1 true", "unexpected key"),
            ("FROM a\nFOO bar", "unknown instruction: FOO"),
            ("FROM a\nCOPY \"a /d", "double-quote"),
            ("FROM a AS x\nCOPY --from=x a b", "circular dependency"),
            ("FROM a\nCOPY --from=7 a b", "invalid stage index 7"),
            ("FROM a\nCOPY --from=$S a b", "stage dependency is unknown"),
            ("FROM $IMG", "no known value"),
            ("FROM a b", "one or three arguments"),
            ("FROM a\nENV", "at least one argument"),
            ("FROM a\nENV A=1 B", "can't find ="),
        ];
        for (text, needle) in cases {
            let df = parse(text, &[]);
            assert!(
                df.problems.iter().any(|p| p.message.contains(needle)),
                "{text:?}: expected {needle:?} in {:?}",
                df.problems
            );
        }
        // A clean file has no problems.
        let df = parse("# syntax=docker/dockerfile:1\nFROM a AS b\nWORKDIR /x\nCOPY . .\nRUN make\nCMD [\"x\"]", &[]);
        assert_eq!(df.problems, []);
    }

    #[test]
    fn lines_text_dest_and_excludes() {
        let text = "FROM a AS Base\n\n# c\ncopy --exclude=*.md --exclude=$X a \\\n  b /d/\nRUN --mount=source=s,target=/t true\n";
        let df = parse(text, &[]);
        let stage = &df.stages[0];
        assert_eq!(
            (stage.line, stage.name.as_deref(), stage.base.as_str()),
            (1, Some("base"), "a")
        );
        let r = &stage.reads[0];
        assert_eq!(r.kind, ReadKind::Copy);
        assert_eq!(r.line, 4);
        assert_eq!(r.instruction, "copy --exclude=*.md --exclude=$X a   b /d/");
        assert_eq!(r.dest.as_deref(), Some("/d/"));
        assert_eq!(r.excludes, ["*.md", "$X"]);
        assert_eq!(r.sources[1].original, "b");
        let m = &stage.reads[1];
        assert_eq!(
            (m.kind, m.line, m.dest.as_deref()),
            (ReadKind::BindMount, 6, Some("/t"))
        );
        let df = parse("FROM a\nADD x /y", &[]);
        assert_eq!(df.stages[0].reads[0].kind, ReadKind::Add);
    }

    #[test]
    fn from_lines() {
        #[rustfmt::skip]
        let cases: &[(&str, Pairs, &str, Opt, Opt)] = &[
            ("ARG PY=3.12\nFROM python:${PY} AS Build", &[], "python:3.12", Some("build"), None),
            ("ARG PY=3.12\nFROM python:${PY}", &[("PY", "3.11")], "python:3.11", None, None),
            ("FROM --platform=$BUILDPLATFORM golang AS b", &[], "golang", Some("b"), Some("$BUILDPLATFORM")),
            ("FROM --platform=$BUILDPLATFORM golang", &[("BUILDPLATFORM", "linux/amd64")], "golang", None, Some("linux/amd64")),
            ("FROM $NOPE", &[], "$NOPE", None, None),
            ("FROM a as b", &[], "a", Some("b"), None),
        ];
        for (text, build, base, name, platform) in cases {
            let df = parse(text, &args(build));
            let s = &df.stages[0];
            assert_eq!(s.base, *base, "{text:?}");
            assert_eq!(s.name.as_deref(), *name, "{text:?}");
            assert_eq!(s.platform.as_deref(), *platform, "{text:?}");
        }
    }

    #[test]
    fn word_expansion() {
        let scope: Scope = [("A", Some("a")), ("E", Some("")), ("U", None)]
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect();
        #[rustfmt::skip]
        let cases: &[(&str, Want)] = &[
            ("$A", Ok(("a", None))),
            ("${A}", Ok(("a", None))),
            ("x${A}y$A-z", Ok(("xaya-z", None))),
            ("${E:-d}", Ok(("d", None))),
            ("${E-d}", Ok(("", None))),
            ("${A:+p}", Ok(("p", None))),
            ("${E:+p}", Ok(("", None))),
            ("${E+p}", Ok(("p", None))),
            ("${A:?m}", Ok(("a", None))),
            ("${N-d}", Ok(("", Some("N")))),
            ("$U", Ok(("", Some("U")))),
            ("${A:-$N}", Ok(("a", None))),
            ("${E:-$N}", Ok(("", Some("N")))),
            ("${E:-${A:-x}}", Ok(("a", None))),
            ("\\$A", Ok(("$A", None))),
            ("'$A'", Ok(("$A", None))),
            ("\"$A\"", Ok(("a", None))),
            ("\"a\\b\\\"\"", Ok(("a\\b\"", None))),
            ("$", Ok(("$", None))),
            ("a$/b", Ok(("a$/b", None))),
            ("trailing\\", Ok(("trailing", None))),
            ("${A", Err(())),
            ("${}", Err(())),
            ("'abc", Err(())),
            ("\"abc", Err(())),
            ("${E:?}", Err(())),
            ("${A!x}", Err(())),
        ];
        for (word, want) in cases {
            let got = expand(word, '\\', &scope);
            match (got, want) {
                (Ok(e), Ok((text, unresolved))) => {
                    assert_eq!(
                        (e.text.as_str(), e.unresolved.as_deref()),
                        (*text, *unresolved),
                        "{word}"
                    )
                }
                (Err(_), Err(())) => {}
                (got, _) => panic!("{word}: unexpected {got:?}"),
            }
        }
        let got = expand("`$A", '`', &scope).unwrap();
        assert_eq!(got.text, "$A");
    }

    #[test]
    fn path_normalisation() {
        let cases: &[(&str, &str)] = &[
            (".", "."),
            ("./", "."),
            ("/", "."),
            ("", "."),
            ("..", "."),
            ("a/./b//c/", "a/b/c"),
            ("/x/../../y", "y"),
            ("a/b/..", "a"),
            ("./.hidden", ".hidden"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_path(input), *want, "{input:?}");
        }
    }

    #[test]
    fn helpers() {
        let (flags, rest) = extract_flags("--a=1 --b=\"x y\" -- --c z");
        assert_eq!(
            (flags, rest.trim()),
            (vec!["--a=1".to_string(), "--b=x y".to_string()], "--c z")
        );
        assert_eq!(
            split_csv("type=bind,\"source=a,b\",x").unwrap(),
            ["type=bind", "source=a,b", "x"]
        );
        assert!(split_csv("a\"b").is_err());
        assert_eq!(
            split_words("A=\"a b\" B=c\\ d", '\\'),
            ["A=\"a b\"", "B=c\\ d"]
        );
        let markers: Vec<(String, bool)> = heredoc_markers("RUN 3<<-'E F' cat <<X x<<Y <<<Z")
            .into_iter()
            .map(|m| (m.name, m.chomp))
            .collect();
        assert_eq!(
            markers,
            [("E F".to_string(), true), ("X".to_string(), false)]
        );
        assert!(heredoc_markers("CMD <<EOF").is_empty());
    }

    #[test]
    fn garbage_in() {
        let long_line = format!("FROM a\nCOPY {} /d\n", "a".repeat(1 << 20));
        let deep_subst = format!("FROM a\nCOPY {} /d", "${a:-".repeat(100_000));
        let deep_json = format!("FROM a\nCOPY {}", "[".repeat(100_000));
        let many_continuations = format!("FROM a\nCOPY {}a /d", "x \\\n".repeat(50_000));
        let inputs: Vec<String> = [
            "",
            "\\",
            "FROM a\n\\",
            "FROM a\nCOPY a `",
            "# escape=`\n`",
            "FROM",
            "FROM a AS",
            "FROM a\nCOPY",
            "FROM a\nCOPY []",
            "FROM a\nCOPY [\"a\",",
            "FROM a\nCOPY [\"\\ud800\", \"\\ud800\\u0041\", \"/d\"]",
            "FROM a\nCOPY <<EOF /d\nno end",
            "FROM a\nRUN <<EOF <<EOF2\nEOF",
            "FROM a\nADD <<",
            "FROM a\nCOPY <<- /d",
            "\0\0FROM\0 a\0\nCOPY \0 \0\nRUN --mount=\0",
            "FROM a\nRUN --mount=\"",
            "FROM a\nRUN --mount=type=bind,source=\"",
            "FROM a\nRUN --mount",
            "FROM a\nCOPY --from= a b",
            "FROM a\nCOPY --exclude a b",
            "FROM a\nCOPY ${ /d\nCOPY $ /d\nCOPY ${A:",
            "FROM a\nARG =x\nARG\nENV\nENV A\nENV =",
            "FROM a\nCOPY \"unterminated /d",
            "\u{feff}",
            "\r\r\n\r",
            "FROM ä AS ü\nCOPY --from=é ß/… /d",
            "FROM a\nCOPY --from=99999999999999999999999 a b",
            "FROM a\nCOPY a\\",
            "# syntax=\n# escape=\n",
            "FROM a\nONBUILD COPY x y\nHEALTHCHECK NONE",
            "FROM a\nCOPY [\"a\", 1e5, {\"k\": [true, null]}, \"b\"]",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([long_line.clone(), deep_subst, deep_json, many_continuations])
        .collect();
        for input in &inputs {
            let df = parse(input, &args(&[("A", "1")]));
            let _ = df.reachable_stages(None);
            let _ = df.context_reads(Some("x"));
        }
        let df = parse(&long_line, &[]);
        assert_eq!(paths(&df)[0].len(), 1 << 20);
    }
}
