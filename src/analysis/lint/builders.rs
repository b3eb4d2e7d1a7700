//! What depends on the builder: files BuildKit sends with 0 bytes, lines
//! whose effect differs between BuildKit, the classic builder and
//! Podman/Buildah, and ignore files that the builder in use does not read.

use std::collections::BTreeMap;

use super::{s, LintFinding};
use crate::checks::{self, Severity};
use crate::facts::context::Context;
use crate::facts::walk::Seen;
use crate::pattern::{Builder, Matcher};
use crate::scan::EntryKind;

/// One builder's answer for every path: sent, and the deciding rule.
type Answer = (Builder, Matcher, Vec<(bool, Option<usize>)>);

/// Where the paths that the builders disagree on are decided: the
/// builders that send them, those that do not, and the paths.
type Split = (Vec<Builder>, Vec<Builder>, Vec<String>);

/// Whether the project shows it is built with Podman/Buildah: a
/// `Containerfile` or a `.containerignore` at the context root.
pub fn uses_podman(ctx: &Context) -> bool {
    ctx.root.join(".containerignore").exists() || ctx.root.join("Containerfile").exists()
}

/// The ignore files a project keeps for another builder than the one in
/// use: a `.containerignore` (or a `Containerfile`) while building with
/// Docker, which never reads it; a `.containerignore` and a `.dockerignore`
/// that differ, so that the builders send different files.
pub fn ignore_choice(ctx: &Context, builder_is_default: bool) -> Vec<LintFinding> {
    let mut out = Vec::new();
    let container = std::fs::read(ctx.root.join(".containerignore")).ok();
    let docker = std::fs::read(ctx.root.join(".dockerignore")).ok();
    let mut push = |file: &str, message: String| {
        let mut f = LintFinding::new(checks::IGNORE_FILE_CHOICE, file, 0, String::new(), message);
        f.pattern = None;
        out.push(f);
    };
    if ctx.builder.is_docker() {
        if let Some(c) = &container {
            if docker.as_ref() != Some(c) {
                push(
                    ".containerignore",
                    format!(
                        "Docker never reads .containerignore: {} reads {} for this build{}",
                        ctx.builder.display_name(),
                        ctx.ignore_display()
                            .unwrap_or_else(|| "no ignore file (everything is sent)".into()),
                        if builder_is_default {
                            "; if the project builds with Podman or Buildah, say so with --builder podman or builder = \"podman\" in .ctxsize.toml"
                        } else {
                            ""
                        }
                    ),
                );
            }
        } else if builder_is_default && ctx.root.join("Containerfile").exists() {
            push(
                "Containerfile",
                "the project has a Containerfile, but ctxsize assumed Docker's BuildKit: if it builds with Podman or Buildah, say so with --builder podman (or builder = \"podman\" in .ctxsize.toml), whose ignore rules differ".into(),
            );
        }
    }
    if let (Some(c), Some(d)) = (&container, &docker) {
        if c != d && ctx.builder == Builder::Podman {
            push(
                ".dockerignore",
                "Podman reads .containerignore and Docker reads .dockerignore, and they differ: the builders send different files (keep one, or make them the same)".into(),
            );
        }
    }
    out
}

/// Files BuildKit sends with 0 bytes (an exception re-includes them below
/// a directory that a later line matches again), one finding per deciding
/// exception line.
pub fn arrives_empty(ctx: &Context, files: &[Vec<u8>], file: &str) -> Vec<LintFinding> {
    let m = &ctx.matcher;
    let mut by_line: BTreeMap<usize, Vec<&Vec<u8>>> = BTreeMap::new();
    for p in files {
        let line = m
            .decide_path(p, false)
            .ok()
            .and_then(|d| d.rule)
            .map_or(0, |i| m.rules()[i].line);
        by_line.entry(line).or_default().push(p);
    }
    by_line
        .into_iter()
        .map(|(line, paths)| {
            let pattern = line_text(m, line);
            let mut f = LintFinding::new(
                checks::ARRIVES_EMPTY,
                file,
                line,
                pattern,
                format!(
                    "BuildKit sends {} file{} that this exception re-includes with 0 bytes: a later line excludes their directory again, and BuildKit checks that again when it reads a file; the build works but the files are empty in the image (move the exception below the last line that matches their directory)",
                    paths.len(),
                    if paths.len() == 1 { "" } else { "s" }
                ),
            );
            f.examples = paths.iter().take(3).map(|p| s(p)).collect();
            f
        })
        .collect()
}

/// The text of the ignore file's line `line` as written (empty when no
/// rule stands there).
fn line_text(m: &Matcher, line: usize) -> String {
    m.rules()
        .iter()
        .find(|r| r.line == line)
        .map(|r| s(&r.original))
        .unwrap_or_default()
}

/// Lines whose effect differs between the builders, from every path of a
/// complete walk: each builder's file, compiled and walked its own way.
/// Information unless the project is built with more than one of the
/// builders that differ.
pub fn divergence(ctx: &Context, seen: &[Seen], file: &str) -> Vec<LintFinding> {
    let Some(ignore) = &ctx.ignore else {
        return Vec::new();
    };
    let mut answers: Vec<Answer> = Vec::new();
    for b in Builder::ALL {
        let c = Matcher::for_builder(b, &ignore.data, Some(ignore.path.clone()));
        if !c.errors.is_empty() {
            continue;
        }
        let Ok(sent) = super::replay_decisions(&c.matcher, b, seen) else {
            continue;
        };
        answers.push((b, c.matcher, sent));
    }
    let relevant = |b: Builder| b == ctx.builder || (b == Builder::Podman && uses_podman(ctx));
    // (line) -> (builders sending, builders not, paths)
    let mut by_line: BTreeMap<usize, Split> = BTreeMap::new();
    for (k, e) in seen.iter().enumerate() {
        if e.kind == EntryKind::Dir {
            continue;
        }
        let yes: Vec<Builder> = answers.iter().filter(|a| a.2[k].0).map(|a| a.0).collect();
        if yes.is_empty() || yes.len() == answers.len() {
            continue;
        }
        let no: Vec<Builder> = answers.iter().filter(|a| !a.2[k].0).map(|a| a.0).collect();
        // The line that decides it for a builder that keeps it out.
        let line = answers
            .iter()
            .find(|a| !a.2[k].0)
            .and_then(|a| a.2[k].1.map(|i| a.1.rules()[i].line))
            .or_else(|| {
                answers
                    .iter()
                    .find_map(|a| a.2[k].1.map(|i| a.1.rules()[i].line))
            })
            .unwrap_or(0);
        let slot = by_line
            .entry(line)
            .or_insert((yes.clone(), no.clone(), Vec::new()));
        slot.2.push(s(&e.path));
    }
    let names = |bs: &[Builder]| {
        bs.iter()
            .map(|b| b.display_name())
            .collect::<Vec<_>>()
            .join(" and ")
    };
    by_line
        .into_iter()
        .map(|(line, (yes, no, paths))| {
            let pattern = line_text(&ctx.matcher, line);
            let mut f = LintFinding::new(
                checks::BUILDER_DIVERGENCE,
                file,
                line,
                pattern,
                format!(
                    "the builders read this line differently: {} send{} {} path{} that {} keep{} out",
                    names(&yes),
                    if yes.len() == 1 { "s" } else { "" },
                    paths.len(),
                    if paths.len() == 1 { "" } else { "s" },
                    names(&no),
                    if no.len() == 1 { "s" } else { "" },
                ),
            );
            f.examples = paths.iter().take(3).cloned().collect();
            let both = yes.iter().any(|&b| relevant(b)) && no.iter().any(|&b| relevant(b));
            f.severity = if both { Severity::Warning } else { Severity::Info };
            f
        })
        .collect()
}
