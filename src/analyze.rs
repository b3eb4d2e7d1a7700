//! From a scan to findings: the catalogue applied to what is in the
//! context, with the rule that keeps each finding out and what it saves.

use std::collections::BTreeMap;
use std::path::Path;

use crate::catalog;
use crate::context::Context;
use crate::pattern::Matcher;
use crate::relpath::{as_path as os, basename};
use crate::report::Finding;
use crate::scan::tree::{Classifier, Scan, Totals};
use crate::scan::{Entry, EntryKind, Status};

/// A catalogue hit recorded during the walk.
#[derive(Clone, Debug)]
struct Hit {
    entry: &'static catalog::Entry,
    path: String,
    is_dir: bool,
    size: u64,
}

/// The per-thread classifier run during the walk: names each directory's
/// children into a small arena while it is listed, and classifies the
/// directory and its files against the catalogue when the listing ends
/// (so that sibling and child evidence is complete).
#[derive(Default)]
pub struct Classify {
    dir: Vec<u8>,
    status: Option<Status>,
    names: Vec<u8>,
    spans: Vec<(u32, u32)>,
    files: Vec<(u32, u32, u64)>,
    hits: Vec<Hit>,
    errors: Vec<(String, String)>,
}

impl Classify {
    /// A fresh classifier.
    pub fn new() -> Classify {
        Classify::default()
    }

    fn name(&self, span: (u32, u32)) -> &[u8] {
        &self.names[span.0 as usize..span.1 as usize]
    }

    // The catalogue's evidence question: the listed directory from memory,
    // any other from disk.
    fn has(&self, root: &Path, dir: &str, glob: &str) -> bool {
        if dir.as_bytes() == self.dir.as_slice() && !glob.contains('/') {
            self.has_child(glob)
        } else {
            dir_has(root, dir.as_bytes(), glob)
        }
    }

    fn has_child(&self, glob: &str) -> bool {
        self.spans.iter().any(|&sp| {
            std::str::from_utf8(self.name(sp)).is_ok_and(|n| catalog::name_matches(glob, n))
        })
    }
}

fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut p = dir.to_vec();
    if !p.is_empty() {
        p.push(b'/');
    }
    p.extend_from_slice(name);
    p
}

// Does the directory `dir` (relative) hold an entry matching `glob`?
// Asked only for the few names that need evidence.
fn dir_has(root: &Path, dir: &[u8], glob: &str) -> bool {
    catalog::dir_has(&root.join(os(dir)), glob)
}

impl Classifier for Classify {
    fn enter_dir(&mut self, dir: &[u8], status: Status) {
        self.dir.clear();
        self.dir.extend_from_slice(dir);
        self.status = Some(status);
        self.names.clear();
        self.spans.clear();
        self.files.clear();
    }

    fn visit(&mut self, _root: &Path, e: &Entry<'_>) {
        if self.status == Some(Status::Pruned) {
            return;
        }
        let name = basename(e.path);
        let start = self.names.len() as u32;
        self.names.extend_from_slice(name);
        let span = (start, self.names.len() as u32);
        self.spans.push(span);
        if e.kind == EntryKind::File && e.status == Status::Included {
            self.files.push((span.0, span.1, e.size));
        }
    }

    fn leave_dir(&mut self, root: &Path) {
        if self.status != Some(Status::Included) {
            return;
        }
        let dir = self.dir.clone();
        // The directory itself (not the root).
        if !dir.is_empty() {
            if let (Ok(rel), Ok(name)) = (
                std::str::from_utf8(&dir),
                std::str::from_utf8(basename(&dir)),
            ) {
                let has = |d: &str, g: &str| self.has(root, d, g);
                if let Some(entry) = catalog::match_dir(rel, name, &has) {
                    self.hits.push(Hit {
                        entry,
                        path: rel.to_string(),
                        is_dir: true,
                        size: 0,
                    });
                }
            }
        }
        // Its files.
        let files = std::mem::take(&mut self.files);
        for &(a, b, size) in &files {
            let name = self.name((a, b));
            let Ok(name_s) = std::str::from_utf8(name) else {
                continue;
            };
            let path = join(&dir, name);
            let Ok(rel) = std::str::from_utf8(&path) else {
                continue;
            };
            let has = |d: &str, g: &str| self.has(root, d, g);
            let Some(entry) = catalog::match_file(rel, name_s, &has) else {
                continue;
            };
            if catalog::needs_content_check(entry) {
                // Service-account keys are small and named like keys; do
                // not read every JSON file of the tree.
                if entry.id == "gcp-service-account" && (size > 16 * 1024 || !key_like_json(name_s))
                {
                    continue;
                }
                match read_head(&root.join(os(&path))) {
                    Ok(head) => {
                        if !catalog::confirm_secret(entry, &head) {
                            continue;
                        }
                    }
                    Err(err) => {
                        self.errors.push((rel.to_string(), err.to_string()));
                        continue;
                    }
                }
            }
            self.hits.push(Hit {
                entry,
                path: rel.to_string(),
                is_dir: false,
                size,
            });
        }
        self.files = files;
        self.files.clear();
    }
}

// Names a downloaded service-account key usually has: `key.json`,
// `*credentials*.json`, `service-account*.json`, gcloud's
// `PROJECT-1a2b3c4d5e6f.json`.
fn key_like_json(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let stem = lower.strip_suffix(".json").unwrap_or(&lower);
    let hex_tail = stem
        .rsplit_once('-')
        .is_some_and(|(_, t)| t.len() == 12 && t.bytes().all(|b| b.is_ascii_hexdigit()));
    hex_tail
        || [
            "key", "cred", "service", "account", "secret", "gcp", "google", "sa-", "sa_", "token",
        ]
        .iter()
        .any(|k| stem.contains(k))
}

// At most SNIFF_BYTES of a regular file, opened without following a
// symlink swapped in since the walk saw a file.
fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let md = std::fs::symlink_metadata(path)?;
    if !md.is_file() {
        return Ok(Vec::new());
    }
    let mut head = Vec::with_capacity(catalog::SNIFF_BYTES.min(md.len() as usize));
    std::fs::File::open(path)?
        .take(catalog::SNIFF_BYTES as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// Walks the context as Docker does (excluded directories skipped) and
/// returns the scan and its catalogue findings.
pub fn scan_findings(ctx: &Context) -> crate::error::Result<(Scan, Vec<Finding>)> {
    let (scan, classifiers) = crate::scan::tree::measure(
        &ctx.root,
        &ctx.matcher,
        ctx.builder,
        false,
        None,
        Classify::new,
    )
    .map_err(|e| crate::error::Error::Patterns(vec![ctx.matcher.eval_error(&e)]))?;
    let found = findings(ctx, &scan, classifiers);
    Ok((scan, found))
}

/// Merges the classifiers' hits into findings: hits inside another hit are
/// dropped, hits of one entry are grouped under the rule that keeps them
/// out, and each finding carries what is sent below it.
pub fn findings(ctx: &Context, scan: &Scan, classifiers: Vec<Classify>) -> Vec<Finding> {
    let needed = needed_paths(ctx).unwrap_or_default();
    findings_with(scan, classifiers, &needed)
}

/// [`findings`] with the paths the build needs already worked out.
pub fn findings_with(scan: &Scan, classifiers: Vec<Classify>, needed: &[Needed]) -> Vec<Finding> {
    let mut hits: Vec<Hit> = classifiers.into_iter().flat_map(|c| c.hits).collect();
    hits.sort_by(|a, b| a.path.cmp(&b.path));
    let mut kept: Vec<Hit> = Vec::new();
    for h in hits {
        let inside = kept.iter().rev().any(|k| {
            k.is_dir
                && h.path.len() > k.path.len()
                && h.path.starts_with(&k.path)
                && h.path.as_bytes()[k.path.len()] == b'/'
        });
        if !inside {
            kept.push(h);
        }
    }
    let mut by_entry: BTreeMap<&'static str, Vec<Hit>> = BTreeMap::new();
    for h in kept {
        by_entry.entry(h.entry.id).or_default().push(h);
    }
    let mut out = Vec::new();
    for (_, hits) in by_entry {
        let entry = hits[0].entry;
        let all: Vec<&str> = hits.iter().map(|h| h.path.as_str()).collect();
        let rules = entry.rules_for(&all);
        let groups: Vec<(String, Vec<&Hit>)> = if rules.len() == 1 {
            vec![(rules[0].clone(), hits.iter().collect())]
        } else {
            hits.iter()
                .map(|h| {
                    let r = entry.rules_for(&[h.path.as_str()]);
                    (
                        r.into_iter()
                            .next()
                            .unwrap_or_else(|| catalog::literal_rule(&h.path)),
                        vec![h],
                    )
                })
                .collect()
        };
        for (rule, hs) in groups {
            let mut t = Totals::default();
            for h in &hs {
                if h.is_dir {
                    if let Some(d) = scan.dir(h.path.as_bytes()) {
                        t.files += d.total_in.files;
                        t.bytes += d.total_in.bytes;
                    }
                } else {
                    t.files += 1;
                    t.bytes += h.size;
                }
            }
            if t.files == 0 && entry.kind != catalog::Kind::Secret {
                continue;
            }
            let paths: Vec<String> = hs.iter().map(|h| h.path.clone()).collect();
            let needed_by = paths
                .iter()
                .find_map(|p| needed.iter().find(|n| covers(p, n)).map(|n| (p, n)))
                .map(|(p, n)| format!("{p} is needed: {}", n.why));
            out.push(Finding {
                id: entry.id.to_string(),
                kind: entry.kind.as_str().to_string(),
                reason: entry.reason.to_string(),
                paths,
                files: t.files,
                bytes: t.bytes,
                rule,
                saves_bytes: t.bytes,
                saves_files: t.files,
                needed: needed_by,
            });
        }
    }
    // Secrets first, then by what each rule saves.
    out.sort_by(|a, b| {
        b.is_secret()
            .cmp(&a.is_secret())
            .then(b.saves_bytes.cmp(&a.saves_bytes))
            .then_with(|| a.paths.cmp(&b.paths))
    });
    out
}

// Whether excluding `hit` would take away a needed path: the hit is the
// needed path or holds it, or (for whole trees) lies inside it.
fn covers(hit: &str, n: &Needed) -> bool {
    let pattern = n.pattern.as_str();
    if pattern == hit || pattern.starts_with(&format!("{hit}/")) {
        return true;
    }
    let m = &n.matcher;
    if n.whole_tree {
        return m
            .decide_path(hit.as_bytes(), false)
            .is_ok_and(|d| d.excluded);
    }
    m.rules()
        .first()
        .is_some_and(|r| r.strategy.matches(hit.as_bytes()).unwrap_or(false))
}

/// Directories whose contents are someone else's manifests: a
/// `package.json` inside `node_modules` is not the project's.
const THIRD_PARTY_DIRS: &[&[u8]] = &[
    b"node_modules",
    b"bower_components",
    b"jspm_packages",
    b"vendor",
    b"site-packages",
    b".venv",
    b"venv",
    b".tox",
    b".nox",
    b"target",
    b".gradle",
    b".yarn",
    b".pnpm-store",
];

/// Whether excluding `path` takes away what `n` names (see [`Needed`]).
pub fn needs(n: &Needed, path: &[u8]) -> bool {
    if n.pattern.starts_with("**/")
        && path
            .split(|&b| b == b'/')
            .rev()
            .skip(1)
            .any(|seg| THIRD_PARTY_DIRS.contains(&seg))
    {
        return false;
    }
    let m = &n.matcher;
    let Some(r) = m.rules().first() else {
        return false;
    };
    if n.whole_tree {
        return m.decide_path(path, false).is_ok_and(|d| d.excluded);
    }
    r.strategy.matches(path).unwrap_or(false)
}

/// A staged file that would land in the context.
pub struct Staged {
    /// Path relative to the context.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Looks like a secret.
    pub secret: bool,
    /// Why (for secrets).
    pub reason: String,
    /// The rule that keeps it out.
    pub rule: String,
}

/// Staged files (git index) that would be sent and are heavy or secret.
/// Outside a git repository there are none.
pub fn staged(ctx: &Context, threshold: u64) -> crate::error::Result<Vec<Staged>> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(&ctx.root)
        .args([
            "diff",
            "--cached",
            "--name-only",
            "-z",
            "--diff-filter=ACMR",
            "--relative",
        ])
        .output();
    let Ok(out) = out else {
        return Ok(Vec::new());
    };
    if !out.status.success() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for raw in out.stdout.split(|&b| b == 0).filter(|p| !p.is_empty()) {
        let Ok(rel) = std::str::from_utf8(raw) else {
            continue;
        };
        let abs = ctx.root.join(rel);
        let Ok(md) = std::fs::symlink_metadata(&abs) else {
            continue;
        };
        if !md.is_file() || !crate::commands::why::decide(ctx, raw, false)?.included {
            continue;
        }
        let name = &rel[rel.rfind('/').map_or(0, |i| i + 1)..];
        let has = |d: &str, g: &str| dir_has(&ctx.root, d.as_bytes(), g);
        let entry = catalog::match_file(rel, name, &has);
        let secret = entry.filter(|e| {
            e.kind == catalog::Kind::Secret
                && (!catalog::needs_content_check(e)
                    || read_head(&abs).is_ok_and(|h| catalog::confirm_secret(e, &h)))
        });
        let rule = |e: Option<&catalog::Entry>| {
            e.and_then(|e| e.rules_for(&[rel]).into_iter().next())
                .unwrap_or_else(|| catalog::literal_rule(rel))
        };
        if let Some(e) = secret {
            found.push(Staged {
                path: rel.to_string(),
                size: md.len(),
                secret: true,
                reason: e.reason.trim_end_matches('.').to_string(),
                rule: rule(Some(e)),
            });
        } else if md.len() > threshold {
            found.push(Staged {
                path: rel.to_string(),
                size: md.len(),
                secret: false,
                reason: String::new(),
                rule: rule(entry),
            });
        }
    }
    Ok(found)
}

/// A COPY/ADD problem found by reading the Dockerfile.
pub struct CopyProblem {
    /// The source path.
    pub path: String,
    /// The Dockerfile (relative to the current directory).
    pub file: Option<String>,
    /// Its line.
    pub line: Option<usize>,
    /// One sentence.
    pub message: String,
}

/// COPY/ADD sources that the ignore file excludes or that do not exist.
pub fn copy_problems(ctx: &Context) -> crate::error::Result<Vec<CopyProblem>> {
    crate::dockerfile_reads::copy_problems(ctx)
}

/// A path the build needs, so no suggested rule may exclude it.
#[derive(Clone, Debug)]
pub struct Needed {
    /// A Docker pattern (cleaned, relative to the context) naming the path
    /// or paths (e.g. `dist`, `package.json`, `*.lock`).
    pub pattern: String,
    /// Why it is needed, for messages (`COPY in Dockerfile:5`).
    pub why: String,
    /// Everything below it is needed too (`.git` for a version from git);
    /// otherwise only the named paths themselves must stay (excluding a
    /// cache inside a copied directory does not break the build).
    pub whole_tree: bool,
    /// The pattern, compiled once.
    matcher: Matcher,
}

impl Needed {
    /// A needed path (a Docker pattern) and why.
    pub fn new(pattern: String, why: String, whole_tree: bool) -> Needed {
        let matcher = Matcher::from_patterns(&[pattern.as_bytes()]).matcher;
        Needed {
            pattern,
            why,
            whole_tree,
            matcher,
        }
    }
}

/// Everything the build needs from the context: `COPY`/`ADD`/bind-mount
/// sources of the Dockerfiles, lockfiles and manifests, packaging files a
/// `pyproject.toml` names, and `.git` when the version comes from git.
pub fn needed_paths(ctx: &Context) -> crate::error::Result<Vec<Needed>> {
    let mut out = Vec::new();
    // The catalogue's manifests and lockfiles. Its build definitions
    // (`Dockerfile*`, `.dockerignore`) are left out here: BuildKit reads
    // them on its own, and a `COPY` that names them protects them.
    let manifests = catalog::protected_names()
        .iter()
        .filter(|n| !n.contains("Dockerfile") && !n.contains("dockerignore"));
    for name in manifests {
        out.push(Needed::new(
            format!("**/{name}"),
            "lockfiles and manifests are needed to install dependencies".into(),
            false,
        ));
    }
    let pyproject = std::fs::read_to_string(ctx.root.join("pyproject.toml")).unwrap_or_default();
    for (key, file) in packaging_files(&pyproject) {
        out.push(Needed::new(
            file.clone(),
            format!("pyproject.toml names it as `{key}`, so building the package needs it"),
            false,
        ));
    }
    let setup = ["setup.py", "setup.cfg"]
        .iter()
        .map(|f| std::fs::read_to_string(ctx.root.join(f)).unwrap_or_default())
        .collect::<String>();
    let vcs_version = [
        "setuptools_scm",
        "setuptools-scm",
        "hatch-vcs",
        "hatch_vcs",
        "versioneer",
        "use_scm_version",
        "pdm-backend\"",
        "poetry-dynamic-versioning",
        "dunamai",
    ]
    .iter()
    .find(|k| pyproject.contains(*k) || setup.contains(*k));
    if let Some(k) = vcs_version {
        out.push(Needed::new(
            ".git".into(),
            format!("the version is derived from git ({k})"),
            true,
        ));
    }
    out.extend(crate::dockerfile_reads::needed(ctx));
    Ok(out)
}

// `readme = "README.md"`, `license = {file = "LICENSE"}`, `license-files`.
fn packaging_files(pyproject: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Ok(doc) = pyproject.parse::<toml::Table>() else {
        return out;
    };
    let Some(project) = doc.get("project").and_then(|p| p.as_table()) else {
        return out;
    };
    match project.get("readme") {
        Some(toml::Value::String(f)) => out.push(("readme".into(), f.clone())),
        Some(toml::Value::Table(t)) => {
            if let Some(f) = t.get("file").and_then(|f| f.as_str()) {
                out.push(("readme".into(), f.to_string()));
            }
        }
        _ => {}
    }
    if let Some(toml::Value::Table(t)) = project.get("license") {
        if let Some(f) = t.get("file").and_then(|f| f.as_str()) {
            out.push(("license".into(), f.to_string()));
        }
    }
    if let Some(toml::Value::Array(a)) = project.get("license-files") {
        for f in a.iter().filter_map(|v| v.as_str()) {
            out.push(("license-files".into(), f.to_string()));
        }
    }
    out
}

/// Default rules for the stacks found at the context root:
/// `(group comment, rule)` in a deterministic order.
pub fn stack_rules(ctx: &Context) -> Vec<(String, String)> {
    let names: Vec<String> = std::fs::read_dir(&ctx.root)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut out: Vec<(String, String)> = catalog::common_defaults()
        .iter()
        .map(|d| (d.group.to_string(), d.rule.to_string()))
        .collect();
    // BuildKit reads the Dockerfile and the ignore file on its own; in the
    // context they only bust the cache of `COPY . .` (the classic builder
    // sends them anyway). A `COPY` that names them keeps them (needed).
    let build_files = "Build definitions (the builder reads them on its own)";
    for rule in [
        ".dockerignore",
        "Dockerfile*",
        "*.Dockerfile",
        "docker-compose*.yml",
        "compose*.yaml",
    ] {
        out.push((build_files.to_string(), rule.to_string()));
    }
    for eco in catalog::detect_ecosystems(&refs) {
        for d in catalog::stack_defaults(eco) {
            out.push((d.group.to_string(), d.rule.to_string()));
        }
    }
    out
}
