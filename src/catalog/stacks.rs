//! Stacks and defaults: which ecosystems a project uses, from the names at
//! its root ([`detect_ecosystems`]), and the conservative rules
//! `ctxsize init` writes for each ([`stack_defaults`], [`common_defaults`])
//! even before the paths exist. Findings on disk come from the entries, not
//! from here.

use super::glob::name_matches;

/// A language or tool stack, detected from marker files.
///
/// The declaration order is the order [`detect_ecosystems`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ecosystem {
    /// Python (pip, Poetry, uv, Pipenv, Django).
    Python,
    /// JavaScript and TypeScript (npm, Yarn, pnpm, Bun).
    Node,
    /// Rust (Cargo).
    Rust,
    /// Go modules.
    Go,
    /// JVM builds (Maven, Gradle).
    Java,
    /// .NET (C#, F#).
    Dotnet,
    /// Ruby (Bundler).
    Ruby,
    /// PHP (Composer).
    Php,
    /// Terraform.
    Terraform,
}

impl Ecosystem {
    /// Every ecosystem, in declaration order.
    pub const ALL: [Ecosystem; 9] = [
        Ecosystem::Python,
        Ecosystem::Node,
        Ecosystem::Rust,
        Ecosystem::Go,
        Ecosystem::Java,
        Ecosystem::Dotnet,
        Ecosystem::Ruby,
        Ecosystem::Php,
        Ecosystem::Terraform,
    ];

    /// Stable lowercase name, as used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Python => "python",
            Ecosystem::Node => "node",
            Ecosystem::Rust => "rust",
            Ecosystem::Go => "go",
            Ecosystem::Java => "java",
            Ecosystem::Dotnet => "dotnet",
            Ecosystem::Ruby => "ruby",
            Ecosystem::Php => "php",
            Ecosystem::Terraform => "terraform",
        }
    }
}

/// Marker files that reveal each ecosystem at the project root (globs).
static MARKERS: &[(Ecosystem, &[&str])] = &[
    (Ecosystem::Python, super::entries::PY_PACKAGE),
    (Ecosystem::Node, &["package.json"]),
    (Ecosystem::Rust, &["Cargo.toml"]),
    (Ecosystem::Go, &["go.mod"]),
    (
        Ecosystem::Java,
        &[
            "pom.xml",
            "build.gradle",
            "build.gradle.kts",
            "settings.gradle",
            "settings.gradle.kts",
            "gradlew",
        ],
    ),
    (
        Ecosystem::Dotnet,
        &["*.csproj", "*.fsproj", "*.vbproj", "*.sln", "global.json"],
    ),
    (Ecosystem::Ruby, &["Gemfile"]),
    (Ecosystem::Php, &["composer.json"]),
    (Ecosystem::Terraform, &["*.tf"]),
];

/// The ecosystems whose marker files appear among `root_names` (the names
/// of the context root's entries), each once, in [`Ecosystem`] declaration
/// order whatever the order of the names.
pub fn detect_ecosystems(root_names: &[&str]) -> Vec<Ecosystem> {
    MARKERS
        .iter()
        .filter(|(_, globs)| {
            globs
                .iter()
                .any(|g| root_names.iter().any(|n| name_matches(g, n)))
        })
        .map(|&(eco, _)| eco)
        .collect()
}

/// One rule `ctxsize init` writes, with the comment of its group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DefaultRule {
    /// A short comment naming the group (written once above the group).
    pub group: &'static str,
    /// The rule, in Docker `.dockerignore` syntax.
    pub rule: &'static str,
}

const fn dr(group: &'static str, rule: &'static str) -> DefaultRule {
    DefaultRule { group, rule }
}

const COMMON: &[DefaultRule] = &[
    dr("Version control", ".git"),
    dr("Version control", ".hg"),
    dr("Version control", ".svn"),
    dr("Editors and OS files", ".idea"),
    dr("Editors and OS files", ".vscode"),
    dr("Editors and OS files", "**/.DS_Store"),
    dr("Editors and OS files", "**/Thumbs.db"),
    dr("Editors and OS files", "**/*.swp"),
    dr("Local secrets", "**/.env"),
];

const PYTHON: &[DefaultRule] = &[
    dr("Python bytecode", "**/__pycache__"),
    dr("Python bytecode", "**/*.py[co]"),
    dr("Python environments", ".venv"),
    dr("Python environments", ".tox"),
    dr("Python environments", ".nox"),
    dr("Python tool caches", "**/.pytest_cache"),
    dr("Python tool caches", "**/.mypy_cache"),
    dr("Python tool caches", "**/.ruff_cache"),
    dr("Python tool caches", "**/.hypothesis"),
    dr("Python packaging metadata", "**/*.egg-info"),
    dr("Python coverage", ".coverage"),
    dr("Python coverage", "htmlcov"),
];

const NODE: &[DefaultRule] = &[
    dr("Node dependencies", "**/node_modules"),
    dr("Node dependencies", ".pnpm-store"),
    dr("Node logs", "npm-debug.log*"),
    dr("Node logs", "yarn-error.log"),
    dr("Node build caches", "**/.next"),
    dr("Node build caches", "**/.nuxt"),
    dr("Node build caches", "**/.svelte-kit"),
    dr("Node build caches", "**/.turbo"),
    dr("Node build caches", "**/.parcel-cache"),
    dr("Node build caches", "**/.eslintcache"),
    dr("Node coverage", ".nyc_output"),
];

const RUST: &[DefaultRule] = &[dr("Rust build output", "target")];

const GO: &[DefaultRule] = &[];

const JAVA: &[DefaultRule] = &[dr("Gradle cache", "**/.gradle")];

const DOTNET: &[DefaultRule] = &[
    dr(".NET build output", "**/bin"),
    dr(".NET build output", "**/obj"),
    dr(".NET IDE and test files", "**/.vs"),
    dr(".NET IDE and test files", "**/*.*proj.user"),
    dr(".NET IDE and test files", "**/TestResults"),
];

const RUBY: &[DefaultRule] = &[
    dr("Ruby bundle", ".bundle"),
    dr("Ruby bundle", "vendor/bundle"),
    dr("Ruby logs and temp files", "log/*"),
    dr("Ruby logs and temp files", "tmp/*"),
    dr("Rails master key", "config/master.key"),
];

const PHP: &[DefaultRule] = &[
    dr("Composer packages", "vendor"),
    dr("PHP tool caches", ".phpunit.result.cache"),
    dr("PHP tool caches", ".phpunit.cache"),
    dr("PHP tool caches", ".php-cs-fixer.cache"),
];

const TERRAFORM: &[DefaultRule] = &[
    dr("Terraform working files", "**/.terraform"),
    dr("Terraform state", "**/*.tfstate"),
    dr("Terraform state", "**/*.tfstate.*"),
];

/// Conservative default rules for one stack, written by `ctxsize init` even
/// when the paths are not on disk yet. They exclude only what a build of
/// that stack recreates or never reads; outputs a Dockerfile commonly copies
/// (Maven `target/*.jar`, Gradle `build/libs`, `dist`) are left out and
/// should come from findings checked against the Dockerfile. Go has none.
pub fn stack_defaults(eco: Ecosystem) -> &'static [DefaultRule] {
    match eco {
        Ecosystem::Python => PYTHON,
        Ecosystem::Node => NODE,
        Ecosystem::Rust => RUST,
        Ecosystem::Go => GO,
        Ecosystem::Java => JAVA,
        Ecosystem::Dotnet => DOTNET,
        Ecosystem::Ruby => RUBY,
        Ecosystem::Php => PHP,
        Ecosystem::Terraform => TERRAFORM,
    }
}

/// Default rules for every project whatever its stack: version control,
/// editor and OS clutter, and `.env` files.
pub fn common_defaults() -> &'static [DefaultRule] {
    COMMON
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::protected::{protected_names, tests::PROTECTED_SAMPLES};
    use std::collections::HashSet;

    fn rule_matches(rule: &str, path: &str) -> bool {
        globset::GlobBuilder::new(rule)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .unwrap()
            .compile_matcher()
            .is_match(path)
    }

    #[test]
    fn ecosystems_from_markers() {
        assert_eq!(detect_ecosystems(&[]), []);
        assert_eq!(detect_ecosystems(&["README.md", "src"]), []);
        assert_eq!(
            detect_ecosystems(&["requirements-dev.txt"]),
            [Ecosystem::Python]
        );
        assert_eq!(detect_ecosystems(&["manage.py"]), [Ecosystem::Python]);
        assert_eq!(detect_ecosystems(&["Api.sln"]), [Ecosystem::Dotnet]);
        assert_eq!(detect_ecosystems(&["main.tf"]), [Ecosystem::Terraform]);
        assert_eq!(detect_ecosystems(&["build.gradle.kts"]), [Ecosystem::Java]);
        let names = [
            "main.tf",
            "package.json",
            "Gemfile",
            "go.mod",
            "pyproject.toml",
            "Cargo.toml",
            "composer.json",
            "pom.xml",
            "App.csproj",
            "setup.py",
        ];
        let all = detect_ecosystems(&names);
        assert_eq!(all, Ecosystem::ALL);
        let mut reversed = names;
        reversed.reverse();
        assert_eq!(detect_ecosystems(&reversed), all);
        assert_eq!(
            detect_ecosystems(&["package.json", "pyproject.toml", "package.json"]),
            [Ecosystem::Python, Ecosystem::Node]
        );
        let strs: Vec<_> = Ecosystem::ALL.iter().map(|e| e.as_str()).collect();
        assert_eq!(
            strs,
            [
                "python",
                "node",
                "rust",
                "go",
                "java",
                "dotnet",
                "ruby",
                "php",
                "terraform"
            ]
        );
    }

    #[test]
    fn defaults_are_plain_rules_that_spare_protected_files() {
        let mut all: Vec<&DefaultRule> = common_defaults().iter().collect();
        for eco in Ecosystem::ALL {
            all.extend(stack_defaults(eco));
        }
        let mut seen = HashSet::new();
        for d in all {
            assert!(!d.group.is_empty() && !d.group.contains('\n'));
            let r = d.rule;
            assert!(
                !r.starts_with('!') && !r.ends_with('/') && !r.contains(['{', ' ']),
                "{r}"
            );
            let m = |p: &str| rule_matches(r, p);
            assert!(seen.insert(r), "default rule {r} repeated");
            for name in protected_names()
                .iter()
                .filter(|g| !g.contains('*'))
                .chain(PROTECTED_SAMPLES)
            {
                assert!(!m(name), "{r} would exclude {name}");
                assert!(!m(&format!("pkg/{name}")), "{r} would exclude pkg/{name}");
            }
        }
        let python: Vec<_> = stack_defaults(Ecosystem::Python)
            .iter()
            .map(|d| d.rule)
            .collect();
        assert!(python.contains(&"**/__pycache__") && python.contains(&".venv"));
        assert_eq!(stack_defaults(Ecosystem::Rust)[0].rule, "target");
    }
}
