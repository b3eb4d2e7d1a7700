//! Which files of a tree can define a build, judged from their path alone.
//!
//! [`candidate`] is called for every entry of a walk (hundreds of thousands
//! on a large tree), so it rejects the common case with a few byte
//! comparisons on the name before it looks at anything else. It never
//! touches the disk: the catalogue checks that need evidence on disk happen
//! later, in [`super::discover_from`], and only for the few candidates.

/// What kind of build-defining file a path is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// A Dockerfile ([`is_dockerfile_name`]).
    Dockerfile,
    /// A Dockerfile template (`Dockerfile.j2`, `Dockerfile.erb`, ...): not
    /// built as it is; reported in a note.
    DockerfileTemplate,
    /// A Compose file (`compose.yaml`, `docker-compose.prod.yml`, ...).
    Compose,
    /// A GitHub Actions workflow (`.github/workflows/*.yml`).
    Workflow,
    /// A Bake file (`docker-bake.hcl`, `docker-bake.json`, their overrides).
    Bake,
    /// A Makefile (`Makefile`, `GNUmakefile`, `*.mk`, `Makefile.*`).
    Makefile,
    /// A shell script (`*.sh`, `*.bash`).
    Script,
    /// An npm `package.json` (its `scripts`).
    PackageJson,
    /// A Dev Container definition (`.devcontainer/devcontainer.json`,
    /// `.devcontainer.json`, `.devcontainer/<name>/devcontainer.json`).
    Devcontainer,
}

/// Directory names whose contents are never this repository's own builds:
/// version-control data and other projects' code (Go's `vendor/` has no
/// manifest beside it for the catalogue to recognise).
pub(super) const NOT_OURS: [&str; 6] = [
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "third_party",
    "vendor",
];

/// The kind of build-defining file at `rel` (relative to the root, `/`
/// separated, no leading `./`), whose last segment is `name`; `None` for
/// directories and for every other file.
///
/// Files under `vendor/`, `third_party/`, `node_modules/` and
/// version-control directories are rejected here; other directories the
/// catalogue recognises (a virtualenv, a Cargo `target`) need evidence on
/// disk and are filtered by [`super::discover_from`].
pub fn candidate(rel: &[u8], name: &[u8], is_dir: bool) -> Option<FileKind> {
    if is_dir || name.is_empty() {
        return None;
    }
    let kind = kind_of(rel, name)?;
    let dir = crate::relpath::parent(rel);
    if dir
        .split(|&b| b == b'/')
        .any(|seg| NOT_OURS.iter().any(|n| n.as_bytes() == seg))
    {
        return None;
    }
    Some(kind)
}

/// The name test of [`candidate`].
fn kind_of(rel: &[u8], name: &[u8]) -> Option<FileKind> {
    let last = name[name.len() - 1];
    // Dockerfile and Makefile names may end in anything after their
    // prefix: test the first byte for those, then the last byte for the
    // rest.
    let first = name[0];
    if first == b'D' || first == b'd' || first == b'C' {
        if let Some(kind) = dockerfile_kind(name) {
            return Some(kind);
        }
    }
    if first == b'M' && name.starts_with(b"Makefile.") {
        return Some(FileKind::Makefile);
    }
    match last {
        b'e' | b'E' => {
            if name.ends_with(b"ockerfile") || name.ends_with(b"ontainerfile") {
                return dockerfile_kind(name);
            }
            if name == b"Makefile" || name == b"makefile" || name == b"GNUmakefile" {
                return Some(FileKind::Makefile);
            }
            if name.ends_with(b".Makefile") || name.ends_with(b".makefile") {
                return Some(FileKind::Makefile);
            }
            None
        }
        b'l' | b'n' => {
            // .yml / .yaml / .hcl / .json
            if name.ends_with(b".yml") || name.ends_with(b".yaml") {
                return yaml_kind(rel, name);
            }
            if name.ends_with(b".hcl") || name.ends_with(b".json") {
                return json_hcl_kind(rel, name);
            }
            None
        }
        b'k' => (name.ends_with(b".mk") || name.ends_with(b".mak")).then_some(FileKind::Makefile),
        b'h' => (name.ends_with(b".sh") || name.ends_with(b".bash")).then_some(FileKind::Script),
        _ => None,
    }
}

fn yaml_kind(rel: &[u8], name: &[u8]) -> Option<FileKind> {
    if is_compose_name(name) {
        return Some(FileKind::Compose);
    }
    let dir = crate::relpath::parent(rel);
    (dir == b".github/workflows").then_some(FileKind::Workflow)
}

fn json_hcl_kind(rel: &[u8], name: &[u8]) -> Option<FileKind> {
    if name.starts_with(b"docker-bake") {
        let stem = name
            .strip_suffix(b".hcl")
            .or_else(|| name.strip_suffix(b".json"))?;
        // docker-bake.hcl, docker-bake.override.hcl, docker-bake.<x>.hcl
        return (stem == b"docker-bake" || stem.starts_with(b"docker-bake."))
            .then_some(FileKind::Bake);
    }
    if name == b"package.json" {
        return Some(FileKind::PackageJson);
    }
    if name == b".devcontainer.json" {
        return Some(FileKind::Devcontainer);
    }
    if name == b"devcontainer.json" {
        let dir = crate::relpath::parent(rel);
        let parent = crate::relpath::basename(dir);
        let grand = crate::relpath::basename(crate::relpath::parent(dir));
        if parent == b".devcontainer" || (grand == b".devcontainer" && dir != parent) {
            return Some(FileKind::Devcontainer);
        }
    }
    None
}

/// Whether `name` is a Compose file name: `compose.yaml`, `compose.yml`,
/// `docker-compose.yaml`, `docker-compose.yml`, or one of them with a
/// middle part (`compose.prod.yaml`, `docker-compose.override.yml`).
pub(super) fn is_compose_name(name: &[u8]) -> bool {
    let Some(stem) = name
        .strip_suffix(b".yml")
        .or_else(|| name.strip_suffix(b".yaml"))
    else {
        return false;
    };
    let stem = stem.strip_prefix(b"docker-").unwrap_or(stem);
    stem == b"compose" || (stem.starts_with(b"compose.") && stem.len() > b"compose.".len())
}

/// Suffixes of files that are not Dockerfiles although their name starts
/// like one: per-Dockerfile ignore files, editor and patch leftovers, and
/// documents or code about Dockerfiles (`Dockerfile.5.md`).
const NOT_DOCKERFILES: [&str; 22] = [
    ".dockerignore",
    ".orig",
    ".bak",
    ".rej",
    ".swp",
    ".old",
    "~",
    ".md",
    ".txt",
    ".rst",
    ".adoc",
    ".html",
    ".json",
    ".yml",
    ".yaml",
    ".toml",
    ".go",
    ".py",
    ".sh",
    ".js",
    ".ts",
    ".patch",
];

/// Suffixes of Dockerfile templates: rendered into a Dockerfile by some
/// tool, never built as they are.
const TEMPLATE_SUFFIXES: [&str; 13] = [
    ".j2",
    ".jinja",
    ".jinja2",
    ".erb",
    ".tmpl",
    ".tpl",
    ".template",
    ".in",
    ".mustache",
    ".hbs",
    ".gotmpl",
    ".example",
    ".sample",
];

/// Whether a file name is one Docker tooling treats as a Dockerfile:
/// `Dockerfile`, `dockerfile` (the Docker CLI's fallback name),
/// `Containerfile`, `Dockerfile.<x>`, `Dockerfile-<x>`, `Containerfile.<x>`,
/// `Containerfile-<x>`, `<x>.Dockerfile`, `<x>.dockerfile`,
/// `<x>.Containerfile`. Per-Dockerfile ignore files
/// (`Dockerfile.dockerignore`), editor or patch leftovers (`.orig`, `.bak`,
/// `.swp`, ...), documents (`Dockerfile.5.md`) and templates
/// (`Dockerfile.j2`, `.erb`, `.tmpl`, `.template`, `.in`, ...) are not.
pub fn is_dockerfile_name(name: &str) -> bool {
    dockerfile_kind(name.as_bytes()) == Some(FileKind::Dockerfile)
}

/// [`FileKind::Dockerfile`], [`FileKind::DockerfileTemplate`] or `None`.
fn dockerfile_kind(name: &[u8]) -> Option<FileKind> {
    if name == b"Dockerfile" || name == b"dockerfile" || name == b"Containerfile" {
        return Some(FileKind::Dockerfile);
    }
    let shaped = |n: &[u8]| {
        let with_suffix = [&b"Dockerfile"[..], b"Containerfile"].iter().any(|p| {
            n.strip_prefix(*p)
                .is_some_and(|rest| rest.len() > 1 && (rest[0] == b'.' || rest[0] == b'-'))
        });
        let with_prefix = [&b".Dockerfile"[..], b".dockerfile", b".Containerfile"]
            .iter()
            .any(|s| n.strip_suffix(*s).is_some_and(|x| !x.is_empty()));
        with_suffix || with_prefix
    };
    if NOT_DOCKERFILES.iter().any(|s| name.ends_with(s.as_bytes())) {
        return None;
    }
    if let Some(stem) = TEMPLATE_SUFFIXES
        .iter()
        .find_map(|s| name.strip_suffix(s.as_bytes()))
    {
        let base = stem == b"Dockerfile" || stem == b"dockerfile" || stem == b"Containerfile";
        return (base || shaped(stem)).then_some(FileKind::DockerfileTemplate);
    }
    shaped(name).then_some(FileKind::Dockerfile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates() {
        use FileKind::*;
        let cases: &[(&str, Option<FileKind>)] = &[
            ("Dockerfile", Some(Dockerfile)),
            ("dockerfile", Some(Dockerfile)),
            ("svc/Dockerfile.dev", Some(Dockerfile)),
            ("svc/Dockerfile-build", Some(Dockerfile)),
            ("svc/Dockerfile-arm", Some(Dockerfile)),
            ("api.Dockerfile", Some(Dockerfile)),
            ("tools/worker.dockerfile", Some(Dockerfile)),
            ("Containerfile", Some(Dockerfile)),
            ("Containerfile.fedora", Some(Dockerfile)),
            ("Containerfile-ubi", Some(Dockerfile)),
            ("x.Containerfile", Some(Dockerfile)),
            ("docker/Dockerfile.j2", Some(DockerfileTemplate)),
            ("Dockerfile.erb", Some(DockerfileTemplate)),
            ("Dockerfile.prod.tmpl", Some(DockerfileTemplate)),
            ("Dockerfile.template", Some(DockerfileTemplate)),
            ("Dockerfile.in", Some(DockerfileTemplate)),
            ("IronbankDockerfile.erb", None),
            ("Dockerfile.dockerignore", None),
            ("api.Dockerfile.dockerignore", None),
            ("Dockerfile.5.md", None),
            ("Dockerfile.orig", None),
            ("Dockerfile.", None),
            ("Dockerfile-", None),
            (".Dockerfile", None),
            ("Dockerfiles", None),
            ("dockerfile.go", None),
            ("compose.yaml", Some(Compose)),
            ("compose.yml", Some(Compose)),
            ("docker/docker-compose.yml", Some(Compose)),
            ("docker-compose.override.yml", Some(Compose)),
            ("e2e/compose.prod.yaml", Some(Compose)),
            ("compose..yaml", None),
            ("compose-env.yaml", None),
            ("docker-compose", None),
            ("decompose.yml", None),
            (".github/workflows/ci.yml", Some(Workflow)),
            (".github/workflows/release.yaml", Some(Workflow)),
            (".github/workflows/sub/x.yml", None),
            (".github/dependabot.yml", None),
            ("docker-bake.hcl", Some(Bake)),
            ("docker/docker-bake.json", Some(Bake)),
            ("docker-bake.override.hcl", Some(Bake)),
            ("docker-bakery.hcl", None),
            ("main.hcl", None),
            ("Makefile", Some(Makefile)),
            ("sub/makefile", Some(Makefile)),
            ("GNUmakefile", Some(Makefile)),
            ("rules.mk", Some(Makefile)),
            ("Makefile.common", Some(Makefile)),
            ("docker.Makefile", Some(Makefile)),
            ("build.sh", Some(Script)),
            ("scripts/x.bash", Some(Script)),
            ("bash", None),
            ("package.json", Some(PackageJson)),
            ("web/package.json", Some(PackageJson)),
            ("package-lock.json", None),
            (".devcontainer/devcontainer.json", Some(Devcontainer)),
            (".devcontainer/py/devcontainer.json", Some(Devcontainer)),
            (".devcontainer.json", Some(Devcontainer)),
            ("devcontainer.json", None),
            ("x/devcontainer.json", None),
            ("README.md", None),
            ("src/main.rs", None),
            ("node_modules/x/package.json", None),
            ("web/node_modules/x/Dockerfile", None),
            ("vendor/github.com/x/Dockerfile", None),
            ("third_party/y/build.sh", None),
            (".git/hooks/pre-commit.sh", None),
            ("vendors/Dockerfile", Some(Dockerfile)),
        ];
        for (rel, want) in cases {
            let name = crate::relpath::basename(rel.as_bytes());
            assert_eq!(candidate(rel.as_bytes(), name, false), *want, "{rel}");
        }
        assert_eq!(candidate(b"Dockerfile", b"Dockerfile", true), None);
    }

    #[test]
    fn dockerfile_names() {
        for yes in [
            "Dockerfile",
            "Dockerfile-build",
            "x.dockerfile",
            "Containerfile.a",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in ["Dockerfile.j2", "Dockerfile.bak", "Dockerfiles", "README"] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }
}
