//! The report model: everything `ctxsize report` knows, as plain data that
//! renders to text ([`text`]) or JSON ([`json`]). Nothing here walks or
//! prints by itself.

pub mod json;
pub mod text;

use serde::Serialize;

use crate::scan::tree::{Scan, Totals};

/// Version of the JSON schema (bumped on incompatible changes; see the
/// README for what changed).
pub const SCHEMA_VERSION: u32 = 2;

pub use crate::analysis::findings::Finding;

/// A node of the heaviest-paths tree.
#[derive(Clone, Debug, Serialize)]
pub struct HeavyNode {
    /// Path relative to the context root.
    pub path: String,
    /// `dir` or `file`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Bytes in the context (for an excluded directory: bytes it keeps out,
    /// when measured).
    pub bytes: u64,
    /// Files in the context below it (or kept out, for excluded ones).
    pub files: u64,
    /// The directory is excluded by the ignore file.
    pub excluded: bool,
    /// Children, largest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<HeavyNode>,
}

/// An error met during the scan.
#[derive(Clone, Debug, Serialize)]
pub struct ScanErrorItem {
    /// Path relative to the context root.
    pub path: String,
    /// What failed.
    pub error: String,
}

/// Which ignore file applied.
#[derive(Clone, Debug, Default, Serialize)]
pub struct IgnoreInfo {
    /// Path (relative to the context when inside it).
    pub path: String,
    /// Why it applies.
    pub origin: &'static str,
}

/// Totals of the context as sent.
#[derive(Clone, Debug, Serialize)]
pub struct ContextTotals {
    /// Non-directory entries sent.
    pub files: u64,
    /// Apparent bytes sent (hard links once).
    pub bytes: u64,
    /// Size of the classic builder's tar stream.
    pub tar_bytes: u64,
    /// How the classic builder prints it.
    pub sending: String,
    /// Directories sent.
    pub dirs: u64,
    /// Symlinks sent.
    pub symlinks: u64,
}

/// Totals of what the ignore file keeps out.
#[derive(Clone, Debug, Serialize)]
pub struct ExcludedTotals {
    /// Files kept out.
    pub files: u64,
    /// Bytes kept out.
    pub bytes: u64,
    /// `false` when excluded directories were not walked (`--prune`): the
    /// figures then cover only excluded files Docker looks at.
    pub measured: bool,
}

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// JSON schema version.
    pub schema_version: u32,
    /// The context directory as given.
    pub root: String,
    /// `buildkit`, `classic` or `podman`.
    pub builder: &'static str,
    /// Why that builder: `--builder`, `CTXSIZE_BUILDER`, `.ctxsize.toml`,
    /// or the default.
    pub builder_reason: String,
    /// The ignore file each builder reads for this build (they differ:
    /// Podman prefers `.containerignore`, BuildKit a Dockerfile-specific
    /// file).
    pub ignore_file_by_builder: Vec<BuilderIgnore>,
    /// The ignore file in effect, or null.
    pub ignore_file: Option<IgnoreInfo>,
    /// What is sent.
    pub context: ContextTotals,
    /// What the ignore file keeps out.
    pub excluded: ExcludedTotals,
    /// Hard-linked files in the context whose bytes are counted once.
    pub hardlinks: Totals,
    /// The heaviest paths in the context (and excluded heavy directories).
    pub heaviest: Vec<HeavyNode>,
    /// Catalogue findings in the context.
    pub findings: Vec<Finding>,
    /// What BuildKit transfers for each Dockerfile, and what each
    /// `COPY`/`ADD` copies.
    pub dockerfiles: Vec<crate::analysis::transfers::DockerfileReport>,
    /// `COPY`/`ADD` sources the build will not find.
    pub copy_problems: Vec<String>,
    /// Ignore-file lines that do not do what they seem to (the lint checks
    /// that ride on the report's walk; `ctxsize lint` has them all).
    pub lint: Vec<crate::analysis::lint::LintFinding>,
    /// Every build found in the repository: context, Dockerfile, target,
    /// and where it was learned (or how its context was inferred).
    pub builds: Vec<BuildInfo>,
    /// Every build context of the repository (compose services and
    /// Dockerfiles found in the tree), each once with its effective ignore
    /// file; empty when the only build is this one.
    pub contexts: Vec<BuildContext>,
    /// What discovery skipped or could not resolve.
    pub discovery_notes: Vec<String>,
    /// Special files in the context (FIFOs, devices, sockets): reported,
    /// never read.
    pub special_files: Vec<String>,
    /// Paths that could not be read.
    pub errors: Vec<ScanErrorItem>,
}

/// Which ignore file one builder reads.
#[derive(Clone, Debug, Serialize)]
pub struct BuilderIgnore {
    /// `buildkit`, `classic` or `podman`.
    pub builder: &'static str,
    /// The file (relative to the context when inside it), or null.
    pub path: Option<String>,
}

/// The ignore file each builder reads for the context's build.
pub fn ignore_files_by_builder(
    ctx: &crate::facts::context::Context,
    explicit: Option<&std::path::Path>,
) -> Vec<BuilderIgnore> {
    crate::pattern::Builder::ALL
        .iter()
        .map(|&b| BuilderIgnore {
            builder: b.as_str(),
            path: crate::ignorefile::resolve(
                &ctx.root,
                ctx.dockerfiles.first().map(|p| p.as_path()),
                explicit,
                b,
            )
            .ok()
            .flatten()
            .map(|f| {
                crate::facts::context::display_path(&ctx.root, &f.path)
                    .display()
                    .to_string()
            }),
        })
        .collect()
}

/// A Dockerfile building from a context.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ContextDockerfile {
    /// Its path (relative to the reported directory when inside it).
    pub path: String,
    /// The stage built (compose `build.target`), if any.
    pub target: Option<String>,
    /// Where the build is defined (`compose.yaml: service api`,
    /// `Dockerfile found at ...`).
    pub origin: String,
    /// How the context was inferred, when nothing declares it.
    pub inferred: Option<String>,
    /// Whether the file exists.
    pub exists: bool,
}

/// One build of the repository.
#[derive(Clone, Debug, Serialize)]
pub struct BuildInfo {
    /// The context directory (relative to the reported directory).
    pub context: String,
    /// The Dockerfile.
    pub dockerfile: String,
    /// The stage built, if not the last.
    pub target: Option<String>,
    /// Where the build is declared (`docker/compose.yml: service api`), or
    /// `the command line`.
    pub origin: String,
    /// How the context was inferred, when nothing declares it.
    pub inferred: Option<String>,
}

impl BuildInfo {
    /// The build as the report shows it, paths relative to `root`.
    pub fn new(root: &std::path::Path, b: &crate::facts::builds::Build) -> BuildInfo {
        BuildInfo {
            context: crate::facts::shown(root, &b.context),
            dockerfile: crate::facts::shown(root, &b.dockerfile),
            target: b.target.clone(),
            origin: b.origin.clone(),
            inferred: b.inferred.as_ref().map(|i| i.how.clone()),
        }
    }
}

/// One build context of the repository, measured as Docker would send it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct BuildContext {
    /// The context directory (relative to the reported directory).
    pub context: String,
    /// The Dockerfiles that build from it with this ignore file.
    pub dockerfiles: Vec<ContextDockerfile>,
    /// The ignore file in effect, or null.
    pub ignore_file: Option<IgnoreInfo>,
    /// This is the context the rest of the report is about.
    pub this_report: bool,
    /// Files sent.
    pub files: u64,
    /// Bytes sent.
    pub bytes: u64,
    /// What BuildKit transfers for each Dockerfile.
    pub transfers: Vec<crate::analysis::transfers::DockerfileReport>,
    /// Catalogue findings in this context.
    pub findings: Vec<Finding>,
    /// `COPY`/`ADD` sources its builds will not find.
    pub copy_problems: Vec<String>,
    /// Why it was not measured, if it was not.
    pub error: Option<String>,
}

/// Options for the heaviest-paths tree.
#[derive(Clone, Copy, Debug)]
pub struct TreeOptions {
    /// Deepest level shown (1 = top-level entries).
    pub depth: usize,
    /// Most nodes shown.
    pub top: usize,
    /// Smallest size shown.
    pub min_size: u64,
}

impl Default for TreeOptions {
    fn default() -> Self {
        TreeOptions {
            depth: 3,
            top: 20,
            min_size: 0,
        }
    }
}

fn lossy(p: &[u8]) -> String {
    String::from_utf8_lossy(p).into_owned()
}

fn depth_of(p: &[u8]) -> usize {
    1 + p.iter().filter(|&&b| b == b'/').count()
}

/// Builds the heaviest-paths tree from a scan: the `top` largest directories
/// and files in the context down to `depth`, with their ancestors, plus the
/// excluded directories at the top of what is kept out.
pub fn heaviest(scan: &Scan, opts: TreeOptions) -> Vec<HeavyNode> {
    struct Cand {
        path: Vec<u8>,
        dir: bool,
        bytes: u64,
        files: u64,
        excluded: bool,
    }
    let mut cands: Vec<Cand> = Vec::new();
    for d in &scan.dirs {
        if d.path.is_empty() || depth_of(&d.path) > opts.depth {
            continue;
        }
        if (d.status == crate::scan::Status::Included || d.total_in.files > 0)
            && d.total_in.bytes >= opts.min_size.max(1)
        {
            cands.push(Cand {
                path: d.path.clone(),
                dir: true,
                bytes: d.total_in.bytes,
                files: d.total_in.files,
                excluded: false,
            });
        }
    }
    for f in &scan.top_files {
        if depth_of(&f.path) <= opts.depth && f.size >= opts.min_size.max(1) {
            cands.push(Cand {
                path: f.path.clone(),
                dir: false,
                bytes: f.size,
                files: 1,
                excluded: false,
            });
        }
    }
    cands.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.path.cmp(&b.path)));
    cands.truncate(opts.top);
    // Add missing ancestors so that the tree is connected.
    let mut chosen: std::collections::BTreeMap<Vec<u8>, Cand> =
        cands.into_iter().map(|c| (c.path.clone(), c)).collect();
    let keys: Vec<Vec<u8>> = chosen.keys().cloned().collect();
    for k in keys {
        let mut p = crate::relpath::parent(&k);
        while !p.is_empty() && !chosen.contains_key(p) {
            if let Some(d) = scan.dir(p) {
                chosen.insert(
                    p.to_vec(),
                    Cand {
                        path: p.to_vec(),
                        dir: true,
                        bytes: d.total_in.bytes,
                        files: d.total_in.files,
                        excluded: false,
                    },
                );
            }
            p = crate::relpath::parent(p);
        }
    }
    // Excluded directories whose parent is sent: what the ignore file saves.
    let mut excluded: Vec<Cand> = scan
        .dirs
        .iter()
        .filter(|d| {
            !d.path.is_empty()
                && d.status != crate::scan::Status::Included
                && depth_of(&d.path) <= opts.depth
                && scan
                    .dir(crate::relpath::parent(&d.path))
                    .is_some_and(|p| p.status == crate::scan::Status::Included)
                && (d.total_out.bytes >= opts.min_size.max(1) || !scan.measured_pruned)
        })
        .map(|d| Cand {
            path: d.path.clone(),
            dir: true,
            bytes: d.total_out.bytes,
            files: d.total_out.files,
            excluded: true,
        })
        .collect();
    excluded.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.path.cmp(&b.path)));
    excluded.truncate(opts.top.div_ceil(2).max(1));
    for c in excluded {
        if c.path.is_empty() || chosen.contains_key(&c.path) {
            continue;
        }
        let p = crate::relpath::parent(&c.path);
        if p.is_empty() || chosen.contains_key(p) {
            chosen.insert(c.path.clone(), c);
        }
    }
    // Assemble.
    fn build(parent: &[u8], chosen: &std::collections::BTreeMap<Vec<u8>, Cand>) -> Vec<HeavyNode> {
        let mut nodes: Vec<HeavyNode> = chosen
            .values()
            .filter(|c| crate::relpath::parent(&c.path) == parent)
            .map(|c| HeavyNode {
                path: lossy(&c.path),
                kind: if c.dir { "dir" } else { "file" },
                bytes: c.bytes,
                files: c.files,
                excluded: c.excluded,
                children: if c.dir {
                    build(&c.path, chosen)
                } else {
                    Vec::new()
                },
            })
            .collect();
        nodes.sort_by(|a, b| {
            a.excluded
                .cmp(&b.excluded)
                .then(b.bytes.cmp(&a.bytes))
                .then_with(|| a.path.cmp(&b.path))
        });
        nodes
    }
    build(b"", &chosen)
}
