//! What the builds of one context need from it, so that no rule ctxsize
//! writes or suggests can break a build: the `COPY`/`ADD`/bind-mount
//! sources of every build that sends the context (reachable stages only),
//! lockfiles and manifests, the files `pyproject.toml` names for
//! packaging, and `.git` when the version comes from git.

use std::path::Path;

use crate::catalog;
use crate::pattern::Matcher;

/// A path the build needs.
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
    /// Compiled on first use (most needs are answered by name).
    matcher: std::sync::OnceLock<Matcher>,
}

impl Needed {
    /// A needed path (a Docker pattern) and why.
    pub fn new(pattern: String, why: String, whole_tree: bool) -> Needed {
        Needed {
            pattern,
            why,
            whole_tree,
            matcher: std::sync::OnceLock::new(),
        }
    }

    fn taken(&self, path: &[u8], third_party: bool) -> bool {
        if third_party && self.pattern.starts_with("**/") {
            return false;
        }
        let m = self
            .matcher
            .get_or_init(|| Matcher::from_patterns(&[self.pattern.as_bytes()]).matcher);
        let Some(r) = m.rules().first() else {
            return false;
        };
        if self.whole_tree {
            return m.decide_path(path, false).is_ok_and(|d| d.excluded);
        }
        r.strategy.matches(path).unwrap_or(false)
    }
}

// A name without a wildcard, escape, slash or anything Docker's cleaning
// would change: `**/NAME` then matches a path exactly when its last
// component is NAME.
fn is_literal_name(name: &str) -> bool {
    !name.is_empty()
        && name.is_ascii()
        && name != "."
        && name != ".."
        && !name.bytes().any(|b| {
            matches!(b, b'*' | b'?' | b'[' | b'\\' | b'/' | b'{' | b'}' | b'|')
                || b.is_ascii_whitespace()
        })
}

// Whether `path` lies inside a dependency tree (its manifests are not the
// project's).
fn inside_third_party(path: &[u8]) -> bool {
    path.split(|&b| b == b'/')
        .rev()
        .skip(1)
        .any(|seg| THIRD_PARTY_DIRS.contains(&seg))
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

/// Everything the builds of one context need from it.
#[derive(Clone, Debug, Default)]
pub struct Needs {
    items: Vec<Needed>,
    /// For the items `**/NAME` with a literal name: the first item's index
    /// per name (a path's base name looked up once, not matched against
    /// every manifest name).
    by_name: std::collections::HashMap<Vec<u8>, usize>,
    /// The items `**/GLOB` whose glob has no wildcard but `*`, with the
    /// glob: tried on the base name alone.
    by_glob: Vec<(usize, String)>,
    /// The indexes of the other items.
    others: Vec<usize>,
}

impl Needs {
    /// The needs of the context at `root`: the build sources given (each a
    /// Docker pattern and why), plus manifests, packaging files and `.git`
    /// for a version from git.
    pub fn gather(root: &Path, sources: Vec<(String, String)>) -> Needs {
        let mut items = Vec::new();
        // The catalogue's manifests and lockfiles. Its build definitions
        // (`Dockerfile*`, `.dockerignore`) are left out: BuildKit reads
        // them on its own, and a `COPY` that names them protects them.
        let manifests = catalog::protected_names()
            .iter()
            .filter(|n| !n.contains("Dockerfile") && !n.contains("dockerignore"));
        for name in manifests {
            items.push(Needed::new(
                format!("**/{name}"),
                "lockfiles and manifests are needed to install dependencies".into(),
                false,
            ));
        }
        let pyproject = std::fs::read_to_string(root.join("pyproject.toml")).unwrap_or_default();
        for (key, file) in packaging_files(&pyproject) {
            items.push(Needed::new(
                file.clone(),
                format!("pyproject.toml names it as `{key}`, so building the package needs it"),
                false,
            ));
        }
        let setup = ["setup.py", "setup.cfg"]
            .iter()
            .map(|f| std::fs::read_to_string(root.join(f)).unwrap_or_default())
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
            items.push(Needed::new(
                ".git".into(),
                format!("the version is derived from git ({k})"),
                true,
            ));
        }
        for (pattern, why) in sources {
            items.push(Needed::new(pattern, why, false));
        }
        Needs::from_items(items)
    }

    fn from_items(items: Vec<Needed>) -> Needs {
        let mut by_name = std::collections::HashMap::new();
        let mut by_glob = Vec::new();
        let mut others = Vec::new();
        for (i, n) in items.iter().enumerate() {
            match n.pattern.strip_prefix("**/") {
                Some(name) if !n.whole_tree && is_literal_name(name) => {
                    by_name.entry(name.as_bytes().to_vec()).or_insert(i);
                }
                Some(glob) if !n.whole_tree && is_literal_name(&glob.replace('*', "")) => {
                    by_glob.push((i, glob.to_string()));
                }
                _ => others.push(i),
            }
        }
        Needs {
            items,
            by_name,
            by_glob,
            others,
        }
    }

    /// The first need that excluding `path` with everything below it takes
    /// away: a need for the path itself, or one that names a path inside
    /// it (`COPY app/build/libs/app.jar` inside the directory `app/build`).
    pub fn taken_with_contents(&self, path: &[u8]) -> Option<&Needed> {
        self.taken_by(path).or_else(|| {
            self.items.iter().find(|n| {
                n.pattern.as_bytes().starts_with(path)
                    && n.pattern.as_bytes().get(path.len()) == Some(&b'/')
            })
        })
    }

    /// The first need that excluding `path` takes away.
    pub fn taken_by(&self, path: &[u8]) -> Option<&Needed> {
        let third = inside_third_party(path);
        // `**/NAME` matches exactly the paths named NAME, and never inside
        // a dependency tree.
        // `**/GLOB` with `*` alone matches when the base name does (a `*`
        // never crosses a `/`).
        let mut first = None;
        if !third {
            let base = crate::relpath::basename(path);
            first = self.by_name.get(base).copied();
            let name = std::str::from_utf8(base).ok();
            for (i, glob) in &self.by_glob {
                if first.is_some_and(|f| *i >= f) {
                    break;
                }
                let hit = match name {
                    Some(n) => crate::catalog::name_matches(glob, n),
                    None => self.items[*i].taken(path, third),
                };
                if hit {
                    first = Some(*i);
                    break;
                }
            }
        }
        let other = self
            .others
            .iter()
            .copied()
            .take_while(|&i| first.is_none_or(|f| i < f))
            .find(|&i| self.items[i].taken(path, third));
        other.or(first).map(|i| &self.items[i])
    }
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

#[cfg(test)]
mod tests {
    use super::Needs;

    // The indexes are a shortcut: the answer is the first item whose own
    // pattern takes the path, as matching every item in order gives.
    #[test]
    fn the_name_index_answers_as_every_pattern_would() {
        let dir = std::env::temp_dir();
        let sources = ["dist", "app/*.py", "**/*.whl", "conf/**", "**/x?.txt"]
            .iter()
            .map(|p| (p.to_string(), "COPY".to_string()))
            .collect();
        let needs = Needs::gather(&dir, sources);
        assert!(!needs.by_name.is_empty() && !needs.by_glob.is_empty());
        let paths: &[&[u8]] = &[
            b"package.json",
            b"web/package.json",
            b"node_modules/a/package.json",
            b"requirements.txt",
            b"a/requirements-dev.txt",
            b"requirements.txt/x",
            b"build.gradle.kts",
            b"src/App.csproj",
            b".csproj",
            b"vendor/x/App.csproj",
            b"dist",
            b"dist/a.js",
            b"app/main.py",
            b"app/sub/main.py",
            b"pkg/a.whl",
            b"conf/a/b",
            b"q/xy.txt",
            b"q/\xffrequirements.txt",
            b"requirements\xff.txt",
            b"Dockerfile.prod",
            b"README.md",
        ];
        for p in paths {
            let naive = needs
                .items
                .iter()
                .find(|n| n.taken(p, super::inside_third_party(p)))
                .map(|n| &n.pattern);
            assert_eq!(
                needs.taken_by(p).map(|n| &n.pattern),
                naive,
                "{}",
                String::from_utf8_lossy(p)
            );
        }
    }
}
