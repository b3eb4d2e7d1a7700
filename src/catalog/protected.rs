//! Names that must never be excluded: manifests, lockfiles and build
//! definitions. [`match_file`](super::match_file) never returns an entry
//! for them, and suggested rules are checked against them.

use super::glob::name_matches;

/// Manifests, lockfiles and build definitions that must never be excluded
/// (globs).
static PROTECTED: &[&str] = &[
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "pnpm-workspace.yaml",
    "bun.lockb",
    "bun.lock",
    "poetry.lock",
    "uv.lock",
    "Pipfile",
    "Pipfile.lock",
    "pdm.lock",
    "requirements*.txt",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "Cargo.toml",
    "Cargo.lock",
    "go.mod",
    "go.sum",
    "go.work",
    "go.work.sum",
    "Gemfile",
    "Gemfile.lock",
    "composer.json",
    "composer.lock",
    "pom.xml",
    "build.gradle*",
    "settings.gradle*",
    "gradle.lockfile",
    "packages.lock.json",
    "*.csproj",
    "*.fsproj",
    "*.vbproj",
    "*.sln",
    "global.json",
    ".terraform.lock.hcl",
    "Dockerfile*",
    "*.Dockerfile",
    "Containerfile*",
    ".dockerignore",
    "*.dockerignore",
];

/// Whether a file name is a manifest or lockfile that must never be
/// excluded (`package.json`, `Cargo.lock`, `requirements-dev.txt`,
/// `Dockerfile.prod`, `.dockerignore` ...).
pub fn is_protected(name: &str) -> bool {
    PROTECTED.iter().any(|g| name_matches(g, name))
}

/// The names (globs) [`is_protected`] accepts.
pub fn protected_names() -> &'static [&'static str] {
    PROTECTED
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Sample names for the protected globs.
    pub(crate) const PROTECTED_SAMPLES: &[&str] = &[
        "requirements.txt",
        "requirements-dev.txt",
        "build.gradle",
        "build.gradle.kts",
        "settings.gradle.kts",
        "App.csproj",
        "Lib.fsproj",
        "Dockerfile",
        "Dockerfile.prod",
        "api.Dockerfile",
        "Containerfile",
        "Dockerfile.dockerignore",
    ];

    #[test]
    fn protected_samples() {
        for name in PROTECTED_SAMPLES {
            assert!(is_protected(name), "{name}");
        }
        assert!(!is_protected("main.rs"));
        assert!(!is_protected(".env"));
    }
}
