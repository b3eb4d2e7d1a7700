//! The registry of checks: every diagnostic ctxsize can report declares
//! here its stable id, name, category, default severity, whether it has an
//! automatic fix, and its help text (as ruff's and hadolint's rule
//! registries do).
//!
//! Ids are stable and never reused: SARIF consumers and `allow` lists key
//! on them. The category is what `check --fail-on` and `.ctxsize.toml`'s
//! `fail-on` name. This module is plain data: it decides nothing and
//! renders nothing (see `diag` for that).

use std::fmt;

/// How much a diagnostic matters by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; never fails anything (a defensive rule that matches
    /// nothing yet, a finding the build needs).
    Info,
    /// Something to fix: the context is bigger or riskier than it should
    /// be, or a line does not do what it seems to.
    Warning,
    /// The build fails (or silently breaks) as things stand.
    Error,
}

impl Severity {
    /// `info`, `warning` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What `--fail-on` selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// Secrets in the context.
    Secrets,
    /// Heavy or generated paths in the context.
    Heavy,
    /// Size and file-count budgets.
    Size,
    /// Ignore-file lines a builder rejects.
    Invalid,
    /// `COPY`/`ADD` sources the build will not find, or finds empty.
    Copy,
    /// No ignore file.
    MissingIgnore,
    /// Ignore-file lines that do not do what they seem to.
    Lint,
}

impl Category {
    /// Every category, in the order `--help` lists them.
    pub const ALL: [Category; 7] = [
        Category::Secrets,
        Category::Heavy,
        Category::Size,
        Category::Invalid,
        Category::Copy,
        Category::MissingIgnore,
        Category::Lint,
    ];

    /// What `--strict` fails on.
    pub const STRICT: [Category; 5] = [
        Category::Secrets,
        Category::Heavy,
        Category::Size,
        Category::Invalid,
        Category::Copy,
    ];

    /// The name used by `--fail-on` and `.ctxsize.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Secrets => "secrets",
            Category::Heavy => "heavy",
            Category::Size => "size",
            Category::Invalid => "invalid",
            Category::Copy => "copy",
            Category::MissingIgnore => "missing-ignore",
            Category::Lint => "lint",
        }
    }

    /// Parses a category name.
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Parses a `--fail-on` list: names or `all`, comma-separated or not.
    pub fn parse_list<S: AsRef<str>>(items: &[S]) -> Result<Vec<Category>, String> {
        let mut out = Vec::new();
        for item in items.iter().flat_map(|s| s.as_ref().split(',')) {
            let item = item.trim();
            if item == "all" {
                out.extend(Category::ALL);
            } else if let Some(c) = Category::parse(item) {
                out.push(c);
            } else {
                let known: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
                return Err(format!(
                    "unknown category {item:?} (known: {}, all)",
                    known.join(", ")
                ));
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

/// One check of the registry.
#[derive(Debug)]
pub struct Check {
    /// Stable id (`CTX001`...), never reused.
    pub id: &'static str,
    /// Short kebab-case name; also the `code` of lint output.
    pub name: &'static str,
    /// Category for `--fail-on`.
    pub category: Category,
    /// Default severity (a diagnostic may carry a lower one, e.g. a
    /// defensive rule that matches nothing yet).
    pub severity: Severity,
    /// Whether `lint --fix` (or `init`) can fix it automatically.
    pub fixable: bool,
    /// One or two sentences for SARIF and `--help`.
    pub help: &'static str,
}

macro_rules! checks {
    ($($konst:ident = $id:literal $name:literal $cat:ident $sev:ident $fix:literal $help:literal;)*) => {
        $(
            #[doc = $help]
            pub const $konst: &Check = &Check {
                id: $id,
                name: $name,
                category: Category::$cat,
                severity: Severity::$sev,
                fixable: $fix,
                help: $help,
            };
        )*
        /// Every check, in id order.
        pub const ALL: &[&Check] = &[$($konst),*];
    };
}

checks! {
    SECRET = "CTX001" "secret-in-context" Secrets Warning true
        "A secret (credentials, a private key, a token, an .env file) is sent with the build context and may end up in an image layer.";
    HEAVY = "CTX002" "heavy-path-in-context" Heavy Warning true
        "A well-known heavy or generated path (VCS data, dependencies, caches, build output, logs) is sent with the build context.";
    SIZE_BUDGET = "CTX003" "context-size-over-budget" Size Warning false
        "The build context is larger than the configured size budget.";
    FILES_BUDGET = "CTX004" "context-files-over-budget" Size Warning false
        "The build context has more files than the configured budget.";
    NO_IGNORE = "CTX005" "no-ignore-file" MissingIgnore Warning true
        "There is no ignore file: everything in the context directory is sent.";
    INVALID = "CTX006" "invalid-pattern" Invalid Error false
        "An ignore-file line the builder rejects: the build fails (at once, or as soon as a path reaches the line).";
    COPY = "CTX007" "copy-source-excluded" Copy Error false
        "A COPY/ADD source is excluded by the ignore file or missing: the build fails with 'not found'.";
    STAGED_SECRET = "CTX008" "staged-secret" Secrets Warning true
        "A file being committed looks like a secret and would be sent with the build context.";
    STAGED_HEAVY = "CTX009" "staged-heavy-file" Heavy Warning true
        "A large file being committed would be sent with the build context.";
    ROOT_ONLY = "CTX010" "root-only" Lint Warning true
        "A bare name matches only at the context root (this is not .gitignore) while same-named paths deeper are sent. A warning when every one is well-known junk; information otherwise (the line may mean what it says).";
    ONE_LEVEL = "CTX011" "one-level" Lint Warning true
        "`*/name` matches one directory below the root only (`*` never crosses a `/`) while same-named paths at other depths are sent. A warning when every one is well-known junk; information otherwise.";
    COMMENT_LIKE = "CTX012" "comment-like" Lint Warning true
        "A line that looks like a comment is a pattern: `#` starts a comment only in the first column, and `//` never does.";
    TRAILING_SLASH = "CTX013" "trailing-slash" Lint Warning false
        "A trailing `/` does not mean \"directories only\" in an ignore file: the rule also matches files of that name.";
    OLDER_DOCKER = "CTX014" "older-docker" Lint Info false
        "Docker 20.10 and older, and Podman/Buildah, read `+ ( ) { } |` in patterns as regular-expression syntax.";
    MATCHES_NOTHING = "CTX015" "matches-nothing" Lint Info false
        "A rule or exception matches no path in this tree: harmless today, and often meant to guard against what is not there yet.";
    REDUNDANT = "CTX016" "redundant" Lint Info false
        "A rule never decides anything: an earlier rule already excludes everything it matches, or a later one overrides it.";
    EXCEPTION_BEFORE_RULE = "CTX017" "exception-before-rule" Lint Warning false
        "An exception comes before the rule it was meant to undo: the last matching line wins, so it re-includes nothing.";
    EXCEPTION_NO_EFFECT = "CTX018" "exception-no-effect" Lint Warning false
        "An exception re-includes nothing: what it matches sits in a directory the builder skips whole (a warning), or is sent anyway (information).";
    WILDCARD_EXCEPTION = "CTX019" "wildcard-exception" Lint Info false
        "A wildcard exception makes BuildKit walk into every excluded directory, and the builders then send different files.";
    DOCKERFILE_SPECIFIC = "CTX020" "dockerfile-specific" Lint Info false
        "A Dockerfile-specific ignore file replaces .dockerignore for that Dockerfile under BuildKit (they are not merged).";
    DECLINED = "CTX021" "needed-by-build" Heavy Info false
        "A well-known junk path is sent because a build needs it (a COPY source, a manifest, .git for the version): no rule is suggested.";
    BUILDER_DIVERGENCE = "CTX022" "builder-divergence" Lint Warning false
        "A line whose effect differs between the builders (BuildKit, the classic builder, Podman/Buildah): they send different files.";
    ARRIVES_EMPTY = "CTX023" "arrives-empty" Copy Error false
        "BuildKit sends this file with 0 bytes: an exception re-includes it below an excluded directory that a later line matches again.";
    IGNORE_FILE_CHOICE = "CTX024" "ignore-file-choice" Lint Warning false
        "The ignore file the builder reads is not the one the project maintains (.containerignore under Docker, or two files that differ).";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_are_unique_and_ordered() {
        for (i, a) in ALL.iter().enumerate() {
            assert_eq!(
                a.id,
                format!("CTX{:03}", i + 1),
                "ids are dense and in order"
            );
            for b in &ALL[i + 1..] {
                assert_ne!(a.name, b.name);
            }
            assert!(a.help.ends_with('.'), "{}", a.id);
        }
    }

    #[test]
    fn fail_on_lists() {
        assert_eq!(
            Category::parse_list(&["secrets,heavy", "secrets"]).unwrap(),
            vec![Category::Secrets, Category::Heavy]
        );
        assert_eq!(Category::parse_list(&["all"]).unwrap().len(), 7);
        assert!(Category::parse_list(&["secret"]).is_err());
    }
}
