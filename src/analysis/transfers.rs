//! What BuildKit transfers for each build of a context: the paths the
//! reachable stages' `COPY`/`ADD`/bind mounts read, filtered by the ignore
//! file (a `.` source means everything), per build and per instruction.

use serde::Serialize;

use crate::facts::builds::Build;
use crate::facts::context::{display_path, Context};
use crate::facts::dockerfiles::Dockerfiles;
use crate::pattern::gomatch;
use crate::scan::tree::Scan;

/// One instruction's share of the context.
#[derive(Clone, Debug, Serialize)]
pub struct InstructionReport {
    /// 1-based line.
    pub line: usize,
    /// The instruction.
    pub instruction: String,
    /// Bytes it copies from the context.
    pub bytes: u64,
    /// Files it copies.
    pub files: u64,
    /// Its largest part, when it copies a directory.
    pub largest: Option<(String, u64)>,
}

/// What BuildKit sends for one Dockerfile.
#[derive(Clone, Debug, Serialize)]
pub struct DockerfileReport {
    /// The Dockerfile, as found.
    #[serde(skip)]
    pub file: std::path::PathBuf,
    /// The Dockerfile (relative to the context when inside it).
    pub path: String,
    /// The stage built (`--target`), when not the last.
    pub target: Option<String>,
    /// Names (or indexes) of the stages the target reaches.
    pub stages: Vec<String>,
    /// Whether some source is `.` (everything is sent).
    pub whole_context: bool,
    /// Bytes BuildKit transfers for these stages.
    pub transfer_bytes: u64,
    /// Files it transfers.
    pub transfer_files: u64,
    /// Per instruction.
    pub instructions: Vec<InstructionReport>,
}

/// BuildKit's transfer for each build of the context (each a Dockerfile
/// and the stage built): the referenced paths, filtered by the ignore file
/// (any `.` source means everything). Builds whose Dockerfile cannot be
/// read or whose target does not exist are left out (see `copies`).
pub fn transfers(
    ctx: &Context,
    scan: &Scan,
    builds: &[&Build],
    dockerfiles: &Dockerfiles,
) -> Vec<DockerfileReport> {
    let mut out = Vec::new();
    for b in builds {
        let (path, target) = (&b.dockerfile, &b.target);
        if out
            .iter()
            .any(|d: &DockerfileReport| d.file == *path && d.target == *target)
        {
            continue;
        }
        let Some(df) = dockerfiles.get(path) else {
            continue;
        };
        let Ok(stages) = df.reachable_stages(target.as_deref()) else {
            continue;
        };
        let mut instructions = Vec::new();
        let mut roots: Vec<String> = Vec::new();
        for &si in &stages {
            for r in &df.stages[si].reads {
                let mut bytes = 0;
                let mut files = 0;
                let mut largest: Option<(String, u64)> = None;
                for s in &r.sources {
                    let (b, f, big) = measure_source(ctx, scan, &s.path);
                    bytes += b;
                    files += f;
                    if big.as_ref().map(|x| x.1) > largest.as_ref().map(|x| x.1) {
                        largest = big;
                    }
                    roots.push(s.path.clone());
                }
                instructions.push(InstructionReport {
                    line: r.line,
                    instruction: r.instruction.clone(),
                    bytes,
                    files,
                    largest,
                });
            }
        }
        let whole = roots.iter().any(|r| r == ".");
        let (transfer_bytes, transfer_files) = if whole {
            (scan.included.bytes, scan.included.files)
        } else {
            roots.sort();
            roots.dedup();
            let distinct: Vec<&String> = roots
                .iter()
                .filter(|r| {
                    !roots
                        .iter()
                        .any(|o| o != *r && r.starts_with(&format!("{o}/")))
                })
                .collect();
            distinct.iter().fold((0, 0), |(b, f), r| {
                let (rb, rf, _) = measure_source(ctx, scan, r);
                (b + rb, f + rf)
            })
        };
        out.push(DockerfileReport {
            file: path.clone(),
            path: display_path(&ctx.root, path).display().to_string(),
            target: target.clone(),
            stages: stages
                .iter()
                .map(|&i| df.stages[i].name.clone().unwrap_or_else(|| i.to_string()))
                .collect(),
            whole_context: whole,
            transfer_bytes,
            transfer_files,
            instructions,
        });
    }
    out
}

// (bytes, files, largest part) of one source in the context.
fn measure_source(ctx: &Context, scan: &Scan, path: &str) -> (u64, u64, Option<(String, u64)>) {
    let largest_child = |dir: &[u8]| {
        scan.dirs
            .iter()
            .filter(|d| {
                !d.path.is_empty()
                    && d.path.len() > dir.len()
                    && d.path.starts_with(dir)
                    && (dir.is_empty() || d.path[dir.len()] == b'/')
                    && !d.path[dir.len() + usize::from(!dir.is_empty())..].contains(&b'/')
            })
            .map(|d| {
                (
                    String::from_utf8_lossy(&d.path).into_owned(),
                    d.total_in.bytes,
                )
            })
            .chain(
                scan.top_files
                    .iter()
                    .filter(|f| {
                        let parent = f
                            .path
                            .iter()
                            .rposition(|&b| b == b'/')
                            .map_or(&f.path[..0], |i| &f.path[..i]);
                        parent == dir
                    })
                    .map(|f| (String::from_utf8_lossy(&f.path).into_owned(), f.size)),
            )
            .max_by_key(|x| x.1)
    };
    if path == "." {
        return (scan.included.bytes, scan.included.files, largest_child(b""));
    }
    if let Some(d) = scan.dir(path.as_bytes()) {
        return (
            d.total_in.bytes,
            d.total_in.files,
            largest_child(path.as_bytes()),
        );
    }
    if path.contains(['*', '?', '[']) {
        // What the wildcard copies: each sent match, a directory with
        // everything sent below it.
        let mut total = (0, 0, None::<(String, u64)>);
        for (rel, is_dir) in expand_wildcard(&ctx.root, path) {
            let (b, f, _) = if is_dir {
                match scan.dir(rel.as_bytes()) {
                    Some(d) => (d.total_in.bytes, d.total_in.files, None),
                    None => (0, 0, None),
                }
            } else {
                measure_source(ctx, scan, &rel)
            };
            total.0 += b;
            total.1 += f;
            if b > 0 && total.2.as_ref().is_none_or(|x| x.1 < b) {
                total.2 = Some((rel, b));
            }
        }
        return total;
    }
    match std::fs::symlink_metadata(ctx.root.join(path)) {
        Ok(md) if !md.is_dir() => {
            let inc = ctx.decide(path.as_bytes(), false).is_ok_and(|v| v.included);
            if inc {
                (md.len(), 1, None)
            } else {
                (0, 0, None)
            }
        }
        _ => (0, 0, None),
    }
}

/// The paths of the context a `COPY`/`ADD` wildcard source names (Go's
/// `filepath.Match` per segment, as BuildKit expands it), with whether each
/// is a directory. Segments without wildcards are joined without listing.
pub(crate) fn expand_wildcard(root: &std::path::Path, pattern: &str) -> Vec<(String, bool)> {
    let mut found: Vec<String> = vec![String::new()];
    let segments: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        let mut next = Vec::new();
        for base in &found {
            let join = |name: &str| {
                if base.is_empty() {
                    name.to_string()
                } else {
                    format!("{base}/{name}")
                }
            };
            if !seg.contains(['*', '?', '[', '\\']) {
                next.push(join(seg));
                continue;
            }
            let Ok(rd) = std::fs::read_dir(root.join(base)) else {
                continue;
            };
            let mut names: Vec<String> = rd
                .flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| gomatch::matches(seg.as_bytes(), n.as_bytes()))
                .collect();
            names.sort();
            next.extend(names.iter().map(|n| join(n)));
        }
        if !last {
            next.retain(|p| root.join(p).is_dir());
        }
        found = next;
    }
    found
        .into_iter()
        .filter_map(|p| {
            let md = std::fs::symlink_metadata(root.join(&p)).ok()?;
            Some((p, md.is_dir()))
        })
        .collect()
}
