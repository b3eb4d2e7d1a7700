//! The context of a Dockerfile nothing declares, inferred from what it
//! copies.
//!
//! The candidates are the Dockerfile's own directory, then each directory
//! above it up to the repository root. The context is the first candidate
//! from which every counted source of a `COPY`, `ADD` or `RUN
//! --mount=type=bind` (of the stages the last stage needs) exists;
//! wildcard sources count when they match something. When no candidate
//! makes them all resolve, the one resolving the most is taken (the nearest
//! on a tie, the Dockerfile's own directory first), and
//! [`Inference::all_resolve`] is `false`: only then may a caller say the
//! build cannot work. Sources holding a variable whose value is unknown are
//! not counted (`COPY --from` copies are not context reads at all).

use std::path::{Path, PathBuf};

use super::files::Files;
use super::{dir_of, DockerfileSource};
use crate::pattern::gomatch;

/// How an inferred context was chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inference {
    /// Counted sources that exist from the chosen context.
    pub resolved: usize,
    /// Sources counted: literal `COPY`/`ADD`/bind-mount sources of the
    /// stages the build needs.
    pub counted: usize,
    /// Sources not counted because they hold a variable whose value is not
    /// known.
    pub uncounted: usize,
    /// Whether every counted source resolves from the chosen context.
    /// `false` means no candidate makes them all resolve.
    pub all_resolve: bool,
    /// The counted sources that do not resolve from the chosen context, as
    /// written after normalisation.
    pub missing: Vec<String>,
    /// Whether the Dockerfile could be read; when not, the context is its
    /// own directory and nothing was counted.
    pub readable: bool,
}

impl Inference {
    /// What was inferred and from what, with `context` (relative to the
    /// root) as the chosen directory: `context .. inferred: 3/3 COPY/ADD
    /// sources resolve there`.
    pub fn describe(&self, context: &Path) -> String {
        let ctx = context.display();
        if !self.readable {
            return format!(
                "context {ctx} assumed (its own directory): the Dockerfile could not be read"
            );
        }
        let mut s = if self.counted == 0 {
            format!("context {ctx} inferred: no COPY/ADD source to check, so its own directory")
        } else if self.all_resolve {
            format!(
                "context {ctx} inferred: {}/{} COPY/ADD sources resolve there",
                self.resolved, self.counted
            )
        } else {
            format!(
                "context {ctx} inferred: {}/{} COPY/ADD sources resolve there, the most of any directory up to the root; none makes all resolve",
                self.resolved, self.counted
            )
        };
        if self.uncounted > 0 {
            s.push_str(&format!(
                " ({} with unknown variables not counted)",
                self.uncounted
            ));
        }
        s
    }
}

/// The most directory entries one wildcard source may visit.
const GLOB_BUDGET: usize = 20_000;

/// Infers the context of the Dockerfile at `rel` (relative to the root):
/// the chosen directory, relative to the root, and how.
pub(super) fn infer(
    files: &mut Files<'_>,
    rel: &Path,
    dockerfiles: &mut dyn DockerfileSource,
) -> (PathBuf, Inference) {
    let own = dir_of(rel);
    let Some(df) = dockerfiles.get(&super::clean(&files.abs(rel))) else {
        files.notes.push(format!(
            "{}: could not be read; its context is taken to be its own directory.",
            rel.display()
        ));
        let inf = Inference {
            resolved: 0,
            counted: 0,
            uncounted: 0,
            all_resolve: true,
            missing: Vec::new(),
            readable: false,
        };
        return (own, inf);
    };
    let mut sources: Vec<(&str, bool)> = Vec::new();
    let mut uncounted = 0;
    for read in df.context_reads(None).unwrap_or_default() {
        for s in &read.sources {
            if s.unresolved.is_some() {
                uncounted += 1;
            } else {
                sources.push((s.path.as_str(), s.has_wildcard));
            }
        }
    }
    let mut candidates = vec![own.clone()];
    let mut up = own;
    while up != Path::new(".") {
        up = dir_of(&up);
        candidates.push(up.clone());
    }
    let mut best: Option<(PathBuf, Vec<String>)> = None;
    for c in candidates {
        let base = files.abs(&c);
        let missing: Vec<String> = sources
            .iter()
            .filter(|(p, wild)| !resolves(&base, p, *wild))
            .map(|(p, _)| p.to_string())
            .collect();
        let better = best.as_ref().is_none_or(|(_, m)| missing.len() < m.len());
        let done = missing.is_empty();
        if better {
            best = Some((c, missing));
        }
        if done {
            break;
        }
    }
    let (context, missing) = best.unwrap_or_default();
    let inf = Inference {
        resolved: sources.len() - missing.len(),
        counted: sources.len(),
        uncounted,
        all_resolve: missing.is_empty(),
        missing,
        readable: true,
    };
    (context, inf)
}

/// Whether the source `path` (normalised, relative to a context) exists
/// under `base`.
fn resolves(base: &Path, path: &str, wildcard: bool) -> bool {
    if path == "." {
        return base.is_dir();
    }
    if !wildcard {
        return std::fs::symlink_metadata(base.join(path)).is_ok();
    }
    let segments: Vec<&str> = path.split('/').collect();
    let mut budget = GLOB_BUDGET;
    glob(base, &segments, &mut budget)
}

/// Whether the segment patterns match a path under `dir`.
fn glob(dir: &Path, segments: &[&str], budget: &mut usize) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return true;
    };
    if !first.contains(['*', '?', '[']) {
        let p = dir.join(first.replace('\\', ""));
        return std::fs::symlink_metadata(&p).is_ok()
            && (rest.is_empty() || p.is_dir())
            && glob(&p, rest, budget);
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    for e in entries.flatten() {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        use std::os::unix::ffi::OsStrExt;
        let name = e.file_name();
        if gomatch::matches(first.as_bytes(), name.as_bytes()) && glob(&e.path(), rest, budget) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::tests::{builds, repo, row};
    use super::super::{discover, SourceKind};

    #[test]
    fn own_directory_then_the_nearest_ancestor_where_all_resolve() {
        let d = repo(&[
            // Resolves in its own directory.
            ("svc/a/Dockerfile", "FROM scratch\nCOPY app.py *.txt ./\n"),
            ("svc/a/app.py", ""),
            ("svc/a/req.txt", ""),
            // Resolves only from svc (the nearest), also from the root.
            (
                "svc/b/Dockerfile",
                "FROM scratch\nCOPY a/app.py common/ /x/\n",
            ),
            ("svc/common/x", ""),
            ("a/app.py", ""),
            ("common/y", ""),
            // Resolves only from the root; an unknown variable is not counted,
            // nor is a stage copy or a stage the last one does not need.
            (
                "docker/Dockerfile.ci",
                "FROM scratch AS unused\nCOPY nowhere /\n\
                 FROM scratch AS build\nCOPY go.mod Makefile ./\nARG DIR\nCOPY ${DIR}/x /\n\
                 FROM scratch\nCOPY --from=build /go.mod /\nCOPY go.* /\n",
            ),
            ("go.mod", ""),
            ("Makefile", "all:\n"),
            // Nothing copied: its own directory.
            ("tools/Dockerfile", "FROM scratch\nRUN true\n"),
            // No candidate makes all resolve: the most wins, nearest first.
            ("x/y/Dockerfile", "FROM scratch\nCOPY only-in-x missing /\n"),
            ("x/only-in-x", ""),
            ("x/y/z/Dockerfile", "FROM scratch\nCOPY missing /\n"),
        ]);
        let (bs, notes) = builds(&d);
        assert_eq!(
            bs,
            [
                row(".", "docker/Dockerfile.ci", None, "docker/Dockerfile.ci: context . inferred: 3/3 COPY/ADD sources resolve there (1 with unknown variables not counted)"),
                row("svc/a", "svc/a/Dockerfile", None, "svc/a/Dockerfile: context svc/a inferred: 2/2 COPY/ADD sources resolve there"),
                row("svc", "svc/b/Dockerfile", None, "svc/b/Dockerfile: context svc inferred: 2/2 COPY/ADD sources resolve there"),
                row("tools", "tools/Dockerfile", None, "tools/Dockerfile: context tools inferred: no COPY/ADD source to check, so its own directory"),
                row("x", "x/y/Dockerfile", None, "x/y/Dockerfile: context x inferred: 1/2 COPY/ADD sources resolve there, the most of any directory up to the root; none makes all resolve"),
                row("x/y/z", "x/y/z/Dockerfile", None, "x/y/z/Dockerfile: context x/y/z inferred: 0/1 COPY/ADD sources resolve there, the most of any directory up to the root; none makes all resolve"),
            ]
        );
        assert!(notes.is_empty(), "{notes:?}");
        let found = discover(d.path());
        let ci = &found.builds[0];
        assert_eq!(ci.origins[0].kind, SourceKind::Inferred);
        let inf = ci.inferred.as_ref().unwrap();
        assert_eq!(
            (inf.resolved, inf.counted, inf.uncounted, inf.all_resolve),
            (3, 3, 1, true)
        );
        let xy = found.builds[4].inferred.as_ref().unwrap();
        assert!(!xy.all_resolve);
        assert_eq!(xy.missing, ["missing"]);
    }

    #[test]
    fn an_unreadable_dockerfile_keeps_its_directory_with_a_note() {
        let d = repo(&[("a/Dockerfile", "FROM scratch\nCOPY x /\n")]);
        let path = d.path().join("a/Dockerfile");
        std::fs::remove_file(&path).unwrap();
        // A dangling symbolic link: listed by the walk, unreadable.
        std::os::unix::fs::symlink(d.path().join("nowhere"), &path).unwrap();
        let (bs, notes) = builds(&d);
        assert_eq!(
            bs,
            [row("a", "a/Dockerfile", None, "a/Dockerfile: context a assumed (its own directory): the Dockerfile could not be read")]
        );
        assert_eq!(
            notes,
            ["a/Dockerfile: could not be read; its context is taken to be its own directory."]
        );
    }
}
