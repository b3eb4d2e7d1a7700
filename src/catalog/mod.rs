//! The catalogue: what well-known paths in a build context are, and whether
//! they belong there.
//!
//! This module owns the knowledge base ([`ENTRIES`], in `entries.rs`) and the
//! look-ups over it:
//!
//! - [`match_dir`] and [`match_file`] classify one entry of a walk by its
//!   name, its relative path and cheap evidence around it (a sibling
//!   `Cargo.toml`, a `pyvenv.cfg` inside);
//! - [`needs_content_check`] and [`confirm_secret`] decide, from at most the
//!   first [`SNIFF_BYTES`] of a file, whether a candidate secret really holds
//!   one; only a `bool` comes out, never any of the content;
//! - [`detect_ecosystems`] names the stacks of a project from its root
//!   files, and [`stack_defaults`] / [`common_defaults`] give the
//!   conservative rules `ctxsize init` writes for them;
//! - [`is_protected`] names the manifests and lockfiles that must never be
//!   excluded.
//!
//! It does not walk, read files, or decide what the user's ignore file does:
//! the caller walks, reads at most [`SNIFF_BYTES`] of a candidate, and
//! evaluates rules with the Docker-exact matcher. Paths are relative to the
//! context root, use `/`, and have no leading `./`.
//!
//! # How a walker calls it
//!
//! For each directory entry, with its relative path and file name:
//!
//! 1. directory: `match_dir(rel, name, &child, &sibling)`; file:
//!    `match_file(rel, name, &sibling)`. Both compare the name first (a hash
//!    look-up and one pre-built glob set) and allocate nothing when nothing
//!    matches, which is the common case. `sibling(glob)` is asked only after
//!    a name matched an entry that needs evidence; `child(glob)` is asked for
//!    such entries and, for every directory no name claimed, once per name in
//!    [`dir_markers`] (so a walker that already holds the directory's
//!    listing answers from memory). Globs use only `*`, `?` and `[...]`;
//!    [`name_matches`] evaluates them.
//! 2. If an entry came back and [`needs_content_check`] says so, read at most
//!    [`SNIFF_BYTES`] from the start of the file and keep the finding only if
//!    [`confirm_secret`] returns `true`.
//! 3. A directory that matched is one finding: the caller does not report
//!    paths inside it again (it may still walk it to count bytes).
//!
//! At most one entry is returned per path: the first in table order whose
//! matcher and conditions hold. Entries recognised by a marker inside them
//! ([`Matcher::DirHolding`]) are tried after every name-based entry.

mod entries;

pub use entries::ENTRIES;

use std::collections::HashMap;
use std::sync::OnceLock;

use globset::{GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};

/// How many bytes from the start of a file [`confirm_secret`] looks at
/// (64 KiB). The caller reads at most this much; longer input is cut here.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// What kind of path an entry describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Version-control data (`.git`, `.hg`, `.svn`).
    Vcs,
    /// Installed third-party packages (`node_modules`, composer `vendor`).
    Dependencies,
    /// A Python virtual environment or conda environment.
    Virtualenv,
    /// A tool's cache, rebuilt on demand.
    Cache,
    /// Build output.
    Build,
    /// Log files.
    Logs,
    /// Test results and coverage reports.
    Coverage,
    /// Editor, IDE and operating-system clutter.
    Editor,
    /// Infrastructure tooling state (Terraform).
    Infra,
    /// Credentials and keys that must not end up in an image.
    Secret,
}

impl Kind {
    /// Stable lowercase name, as used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Vcs => "vcs",
            Kind::Dependencies => "dependencies",
            Kind::Virtualenv => "virtualenv",
            Kind::Cache => "cache",
            Kind::Build => "build",
            Kind::Logs => "logs",
            Kind::Coverage => "coverage",
            Kind::Editor => "editor",
            Kind::Infra => "infra",
            Kind::Secret => "secret",
        }
    }
}

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

/// How an entry recognises a path, before its conditions are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Matcher {
    /// A directory with exactly this name.
    DirName(&'static str),
    /// A directory whose relative path ends with these whole segments
    /// (`.next/cache` matches `.next/cache` and `web/.next/cache`).
    DirPath(&'static str),
    /// A directory whose name matches this glob (`*.egg-info`).
    DirGlob(&'static str),
    /// A directory of any name that holds an entry with this exact name
    /// (`pyvenv.cfg`, `CACHEDIR.TAG`).
    DirHolding(&'static str),
    /// A file with exactly this name.
    FileName(&'static str),
    /// A file whose name matches this glob (`*.log`, `.env.*`).
    FileGlob(&'static str),
    /// A file whose relative path ends with these whole segments
    /// (`.aws/credentials`).
    FilePath(&'static str),
}

impl Matcher {
    /// Whether this matcher recognises directories (else files).
    pub fn is_dir(self) -> bool {
        matches!(
            self,
            Matcher::DirName(_)
                | Matcher::DirPath(_)
                | Matcher::DirGlob(_)
                | Matcher::DirHolding(_)
        )
    }

    /// The name, glob or path suffix this matcher compares.
    pub fn text(self) -> &'static str {
        match self {
            Matcher::DirName(s)
            | Matcher::DirPath(s)
            | Matcher::DirGlob(s)
            | Matcher::DirHolding(s)
            | Matcher::FileName(s)
            | Matcher::FileGlob(s)
            | Matcher::FilePath(s) => s,
        }
    }
}

/// A fixed test on the start of a file that confirms a candidate secret.
///
/// Each check answers yes or no; none of them keeps or returns any of the
/// bytes it looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentCheck {
    /// A PEM `-----BEGIN ... PRIVATE KEY-----` line (RSA, EC, DSA, OPENSSH,
    /// ENCRYPTED, PGP or plain PKCS#8). Certificates and public keys fail.
    PrivateKey,
    /// An `.npmrc` line setting `_authToken`, `_auth` or `_password` to a
    /// literal value (not a `${VAR}` reference).
    NpmAuth,
    /// A `.yarnrc.yml` `npmAuthToken` or `npmAuthIdent` with a literal value.
    YarnAuth,
    /// A `.pypirc` `password` with a literal value.
    PypircPassword,
    /// A netrc `password` token followed by a value.
    Netrc,
    /// A URL with a password in its user part (`https://user:token@host`).
    GitCredentials,
    /// A Docker config `"auth"`, `"identitytoken"` or `"password"` with a
    /// non-empty value.
    DockerAuth,
    /// A kubeconfig `client-key-data`, `token`, `password` or
    /// `client-secret` with a literal value.
    Kubeconfig,
    /// A JSON object with `"type": "service_account"` and a `"private_key"`.
    ServiceAccount,
    /// Any key naming a password, secret, token or private key set to a
    /// literal value, or a private-key block.
    KeyLikeValues,
}

impl ContentCheck {
    /// What the check found when it passes, as a fixed phrase for reports
    /// (never any part of the file).
    pub fn evidence(self) -> &'static str {
        match self {
            ContentCheck::PrivateKey => "holds a PRIVATE KEY block",
            ContentCheck::NpmAuth => "sets a registry auth token",
            ContentCheck::YarnAuth => "sets npmAuthToken or npmAuthIdent",
            ContentCheck::PypircPassword => "sets a repository password",
            ContentCheck::Netrc => "holds a login password",
            ContentCheck::GitCredentials => "holds a URL with a password",
            ContentCheck::DockerAuth => "holds registry auth",
            ContentCheck::Kubeconfig => "holds a client key, token or password",
            ContentCheck::ServiceAccount => "is a service-account key",
            ContentCheck::KeyLikeValues => "sets a password, secret, token or key",
        }
    }

    fn run(self, head: &[u8]) -> bool {
        match self {
            ContentCheck::PrivateKey => sniff::private_key(head),
            ContentCheck::NpmAuth => sniff::npm_auth(head),
            ContentCheck::YarnAuth => sniff::yarn_auth(head),
            ContentCheck::PypircPassword => sniff::pypirc(head),
            ContentCheck::Netrc => sniff::netrc(head),
            ContentCheck::GitCredentials => sniff::git_credentials(head),
            ContentCheck::DockerAuth => sniff::docker_auth(head),
            ContentCheck::Kubeconfig => sniff::kubeconfig(head),
            ContentCheck::ServiceAccount => sniff::service_account(head),
            ContentCheck::KeyLikeValues => sniff::key_like_values(head),
        }
    }
}

/// One catalogue entry: a recognisable path, why it matters, and the
/// `.dockerignore` rule that keeps it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Stable kebab-case identifier (`python-pycache`).
    pub id: &'static str,
    /// What kind of path this is.
    pub kind: Kind,
    /// Stacks the entry belongs to; empty means any.
    pub ecosystems: &'static [Ecosystem],
    /// How the path is recognised.
    pub matcher: Matcher,
    /// The Docker rule that excludes the path at any depth (`**/__pycache__`);
    /// `None` when no pattern stands for every hit (marker-recognised
    /// directories), whose rules are the hit paths. See [`Entry::rules_for`].
    pub rule: Option<&'static str>,
    /// Evidence needed next to the path: the parent directory must hold an
    /// entry matching at least one of these globs (`Cargo.toml`, `*.csproj`).
    /// Empty means no condition.
    pub requires_sibling: &'static [&'static str],
    /// Evidence needed inside a directory: it must hold an entry matching at
    /// least one of these globs (`*.log`). Empty means no condition.
    pub requires_child: &'static [&'static str],
    /// Exact names the matcher would accept that are not this entry
    /// (`.env.example` for `.env.*`).
    pub except: &'static [&'static str],
    /// A test on the file's start that must pass before it is reported.
    pub content: Option<ContentCheck>,
    /// A relative path the matcher recognises and the rule matches.
    pub example: &'static str,
    /// One sentence for the user: what this is and why it should stay out.
    pub reason: &'static str,
}

impl Entry {
    const fn new(
        id: &'static str,
        kind: Kind,
        ecosystems: &'static [Ecosystem],
        matcher: Matcher,
        rule: Option<&'static str>,
        example: &'static str,
        reason: &'static str,
    ) -> Entry {
        Entry {
            id,
            kind,
            ecosystems,
            matcher,
            rule,
            requires_sibling: &[],
            requires_child: &[],
            except: &[],
            content: None,
            example,
            reason,
        }
    }

    const fn sibling(mut self, globs: &'static [&'static str]) -> Entry {
        self.requires_sibling = globs;
        self
    }

    const fn child(mut self, globs: &'static [&'static str]) -> Entry {
        self.requires_child = globs;
        self
    }

    const fn except(mut self, names: &'static [&'static str]) -> Entry {
        self.except = names;
        self
    }

    const fn content(mut self, check: ContentCheck) -> Entry {
        self.content = Some(check);
        self
    }

    /// The rule's root-only form (`__pycache__` for `**/__pycache__`).
    pub fn root_rule(&self) -> Option<&'static str> {
        self.rule.map(|r| r.strip_prefix("**/").unwrap_or(r))
    }

    /// Whether the name alone proves the entry: no sibling, child, content
    /// or exception condition, and a rule of its own. Only such entries get
    /// a wildcard rule from [`Entry::rules_for`].
    pub fn name_is_proof(&self) -> bool {
        self.rule.is_some()
            && self.requires_sibling.is_empty()
            && self.requires_child.is_empty()
            && self.except.is_empty()
            && self.content.is_none()
    }

    /// The `.dockerignore` rules that exclude these hits (relative paths
    /// this entry matched), in Docker syntax.
    ///
    /// - If the name alone proves the entry ([`Entry::name_is_proof`]): the
    ///   root form when every hit is at the root, else the `**/` form. One
    ///   rule.
    /// - Otherwise the evidence was per path (a sibling manifest, the
    ///   content, a marker inside), so a wildcard would also catch look-alikes
    ///   without it (a public `cert.pem`, `.env.example`, a `bin` of
    ///   scripts): one literal rule per hit, escaped, sorted and deduplicated.
    ///
    /// No hits give no rules.
    pub fn rules_for(&self, hits: &[&str]) -> Vec<String> {
        if hits.is_empty() {
            return Vec::new();
        }
        if let (true, Some(anywhere), Some(root)) =
            (self.name_is_proof(), self.rule, self.root_rule())
        {
            let depth = root.split('/').count();
            let all_root = hits.iter().all(|h| h.split('/').count() == depth);
            return vec![if all_root { root } else { anywhere }.to_string()];
        }
        let mut rules: Vec<String> = hits.iter().map(|h| literal_rule(h)).collect();
        rules.sort();
        rules.dedup();
        rules
    }

    /// Whether the path and name pass the matcher's own test, given that
    /// the name was already found by the name index or glob set.
    fn path_fits(&self, rel_path: &str, name: &str) -> bool {
        let path_ok = match self.matcher {
            Matcher::DirPath(suffix) | Matcher::FilePath(suffix) => {
                ends_with_segments(rel_path, suffix)
            }
            _ => true,
        };
        path_ok && !self.except.contains(&name)
    }

    fn conditions_hold(
        &self,
        child: &dyn Fn(&str) -> bool,
        sibling: &dyn Fn(&str) -> bool,
    ) -> bool {
        (self.requires_sibling.is_empty() || self.requires_sibling.iter().any(|g| sibling(g)))
            && (self.requires_child.is_empty() || self.requires_child.iter().any(|g| child(g)))
    }
}

/// Whether `path` is `suffix` or ends with `/` + `suffix`.
fn ends_with_segments(path: &str, suffix: &str) -> bool {
    path.ends_with(suffix)
        && (path.len() == suffix.len() || path.as_bytes()[path.len() - suffix.len() - 1] == b'/')
}

/// The entry with this id.
pub fn by_id(id: &str) -> Option<&'static Entry> {
    ENTRIES.iter().find(|e| e.id == id)
}

/// Pre-built look-ups for one side (directories or files) of [`ENTRIES`].
struct Side {
    /// Entry indices by exact name (the last segment for path matchers), in
    /// table order.
    names: HashMap<&'static str, Vec<u16>>,
    /// Every glob of this side at once: the cheap "does any glob match" test.
    globs: GlobSet,
    /// Each glob's entry index and its own matcher, in table order.
    glob_entries: Vec<(u16, GlobMatcher)>,
}

impl Side {
    fn new() -> Side {
        Side {
            names: HashMap::new(),
            globs: GlobSet::empty(),
            glob_entries: Vec::new(),
        }
    }

    /// The first entry in table order whose name or glob matches `name` and
    /// that `accept` takes. Allocates nothing.
    fn first(
        &self,
        name: &str,
        mut accept: impl FnMut(&'static Entry) -> bool,
    ) -> Option<&'static Entry> {
        let named: &[u16] = self.names.get(name).map_or(&[], Vec::as_slice);
        let globbed = !self.glob_entries.is_empty() && self.globs.is_match(name);
        if named.is_empty() && !globbed {
            return None;
        }
        let mut globs = self
            .glob_entries
            .iter()
            .filter(|(_, m)| globbed && m.is_match(name))
            .map(|&(i, _)| i)
            .peekable();
        let mut named = named.iter().copied().peekable();
        loop {
            // Merge the two ascending index lists, keeping table order.
            let next = match (named.peek(), globs.peek()) {
                (Some(&a), Some(&b)) if a <= b => named.next(),
                (Some(_), Some(_)) | (None, Some(_)) => globs.next(),
                (Some(_), None) => named.next(),
                (None, None) => return None,
            };
            let entry = &ENTRIES[usize::from(next?)];
            if accept(entry) {
                return Some(entry);
            }
        }
    }
}

/// Pre-built look-up structures over [`ENTRIES`].
struct Index {
    dirs: Side,
    files: Side,
    dir_holding: Vec<u16>,
    markers: Vec<&'static str>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(build_index)
}

fn compile_glob(pattern: &str) -> globset::Glob {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .expect("catalogue globs are valid (checked by the tests)")
}

fn build_index() -> Index {
    let mut dirs = Side::new();
    let mut files = Side::new();
    let mut dir_globs = GlobSetBuilder::new();
    let mut file_globs = GlobSetBuilder::new();
    let mut dir_holding = Vec::new();
    let mut markers = Vec::new();
    for (i, e) in ENTRIES.iter().enumerate() {
        let i = u16::try_from(i).expect("fewer than 65536 entries");
        let last = |p: &'static str| p.rsplit('/').next().unwrap_or(p);
        match e.matcher {
            Matcher::DirName(n) => dirs.names.entry(n).or_default().push(i),
            Matcher::DirPath(p) => dirs.names.entry(last(p)).or_default().push(i),
            Matcher::DirGlob(g) => {
                let glob = compile_glob(g);
                dirs.glob_entries.push((i, glob.compile_matcher()));
                dir_globs.add(glob);
            }
            Matcher::DirHolding(m) => {
                dir_holding.push(i);
                markers.push(m);
            }
            Matcher::FileName(n) => files.names.entry(n).or_default().push(i),
            Matcher::FilePath(p) => files.names.entry(last(p)).or_default().push(i),
            Matcher::FileGlob(g) => {
                let glob = compile_glob(g);
                files.glob_entries.push((i, glob.compile_matcher()));
                file_globs.add(glob);
            }
        }
    }
    dirs.globs = dir_globs.build().expect("catalogue glob set builds");
    files.globs = file_globs.build().expect("catalogue glob set builds");
    Index {
        dirs,
        files,
        dir_holding,
        markers,
    }
}

/// Classifies a directory of the walk.
///
/// - `rel_path`: its path relative to the context root (`web/node_modules`);
/// - `name`: its last segment (`node_modules`);
/// - `child(glob)`: does this directory hold an entry (file or directory)
///   whose name matches `glob`? Asked only for the marker names in
///   [`dir_markers`] and for the `requires_child` globs of entries whose
///   name already matched;
/// - `sibling(glob)`: does the parent directory hold an entry whose name
///   matches `glob`? Asked only for entries whose name already matched.
///
/// Returns the first entry, in table order, that recognises the directory
/// and whose conditions hold; name-based entries are tried before
/// marker-based ones. Nothing is allocated when no name matches. The caller
/// should not report paths inside a matched directory again.
pub fn match_dir(
    rel_path: &str,
    name: &str,
    child: &dyn Fn(&str) -> bool,
    sibling: &dyn Fn(&str) -> bool,
) -> Option<&'static Entry> {
    let ix = index();
    let named = ix.dirs.first(name, |e| {
        e.path_fits(rel_path, name) && e.conditions_hold(child, sibling)
    });
    if named.is_some() {
        return named;
    }
    ix.dir_holding
        .iter()
        .map(|&i| &ENTRIES[usize::from(i)])
        .find(|e| child(e.matcher.text()))
}

/// Classifies a file (or any non-directory) of the walk.
///
/// `rel_path` and `name` as for [`match_dir`]; `sibling` is asked only for
/// entries whose name already matched. Protected names ([`is_protected`])
/// never match. Nothing is allocated when no name matches.
///
/// When the returned entry [`needs_content_check`], it is only a candidate
/// until [`confirm_secret`] agrees.
pub fn match_file(
    rel_path: &str,
    name: &str,
    sibling: &dyn Fn(&str) -> bool,
) -> Option<&'static Entry> {
    let no_child = |_: &str| false;
    let mut protected = None;
    index().files.first(name, |e| {
        // Asked at most once, and only when some name or glob matched.
        !*protected.get_or_insert_with(|| is_protected(name))
            && e.path_fits(rel_path, name)
            && e.conditions_hold(&no_child, sibling)
    })
}

/// The names [`match_dir`] may ask `child` about for a directory no name
/// claimed (`pyvenv.cfg`, `conda-meta`, `CACHEDIR.TAG`), so a walker can
/// note them while it lists the directory.
pub fn dir_markers() -> &'static [&'static str] {
    &index().markers
}

/// Whether a file matched by `entry` must be sniffed by [`confirm_secret`]
/// before it is reported.
pub fn needs_content_check(entry: &Entry) -> bool {
    entry.content.is_some()
}

/// Whether a file matched as `entry` is a secret, judged from `head`, the
/// start of the file; only the first [`SNIFF_BYTES`] are looked at.
///
/// Secret entries without a content check are secrets by name (an empty
/// `.env` counts); non-secret entries never are. The answer is a `bool` by
/// design: no part of the content can come out of this call. For a phrase to
/// show, use the entry's `reason` or [`ContentCheck::evidence`].
pub fn confirm_secret(entry: &Entry, head: &[u8]) -> bool {
    if entry.kind != Kind::Secret {
        return false;
    }
    let head = &head[..head.len().min(SNIFF_BYTES)];
    match entry.content {
        None => true,
        Some(check) => check.run(head),
    }
}

/// Marker files that reveal each ecosystem at the project root (globs).
static MARKERS: &[(Ecosystem, &[&str])] = &[
    (
        Ecosystem::Python,
        &[
            "pyproject.toml",
            "setup.py",
            "setup.cfg",
            "requirements*.txt",
            "Pipfile",
            "manage.py",
        ],
    ),
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

/// The names (globs) [`is_protected`] accepts.
pub fn protected_names() -> &'static [&'static str] {
    PROTECTED
}

/// [`match_dir`] for the directory at `abs` (its path relative to the
/// context is `rel`), with the evidence looked up on disk.
pub fn match_dir_at(abs: &std::path::Path, rel: &str, name: &str) -> Option<&'static Entry> {
    let parent = abs.parent().unwrap_or(abs);
    match_dir(rel, name, &|g| dir_has(abs, g), &|g| dir_has(parent, g))
}

/// [`match_file`] for the file at `abs`, with the evidence looked up on disk.
pub fn match_file_at(abs: &std::path::Path, rel: &str, name: &str) -> Option<&'static Entry> {
    let parent = abs.parent().unwrap_or(abs);
    match_file(rel, name, &|g| dir_has(parent, g))
}

/// Does `dir` hold an entry whose name matches `glob` (catalogue glob
/// syntax)? The evidence check for [`match_dir`] and [`match_file`] on
/// disk: a literal name costs one `lstat`; a glob lists the directory.
pub fn dir_has(dir: &std::path::Path, glob: &str) -> bool {
    if !glob.contains(['*', '?', '[']) {
        return std::fs::symlink_metadata(dir.join(glob)).is_ok();
    }
    std::fs::read_dir(dir).is_ok_and(|rd| {
        rd.flatten().any(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| name_matches(glob, n))
        })
    })
}

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

/// Whether a single file name matches a simple glob: `*` (any run of
/// characters), `?` (one character), `[abc]` / `[a-z]` (one of a set; a
/// leading `^` or `!` negates). Everything else is literal. No allocation.
///
/// This is the glob language of `requires_sibling`, `requires_child`,
/// markers and protected names.
pub fn name_matches(pattern: &str, name: &str) -> bool {
    let p = pattern.as_bytes();
    let n = name.as_bytes();
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() {
            match p[pi] {
                b'*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                b'?' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                b'[' => {
                    if let Some((matched, next)) = class_match(p, pi, n[ni]) {
                        if matched {
                            pi = next;
                            ni += 1;
                            continue;
                        }
                    } else if n[ni] == b'[' {
                        pi += 1;
                        ni += 1;
                        continue;
                    }
                }
                c if c == n[ni] => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, sn)) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Matches byte `c` against the class starting at `p[start] == b'['`.
/// Returns whether it matched and the index after `]`, or `None` when the
/// class is unterminated (then `[` is literal).
fn class_match(p: &[u8], start: usize, c: u8) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = matches!(p.get(i), Some(b'^' | b'!'));
    if negate {
        i += 1;
    }
    let mut found = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == b']' && !first {
            return Some((found != negate, i + 1));
        }
        if i + 2 < p.len() && p[i + 1] == b'-' && p[i + 2] != b']' {
            found |= p[i] <= c && c <= p[i + 2];
            i += 3;
        } else {
            found |= p[i] == c;
            i += 1;
        }
        first = false;
    }
    None
}

/// A Docker rule that matches exactly this relative path and nothing else.
///
/// Plain paths come back unchanged. Otherwise the wildcard characters
/// `* ? [ ] \` (and `^`, an anchor in Docker's regexp mode) are escaped with
/// `\`, a leading `!` becomes `\!` (else it would be an exception), a leading
/// `#` gets a `/` prefix (else it would be a comment), and leading or
/// trailing whitespace, which Docker trims, is wrapped in a class (`[ ]`).
pub fn literal_rule(path: &str) -> String {
    let trimmed = path.trim();
    let plain = !path.contains(['*', '?', '[', ']', '\\'])
        && !path.starts_with('!')
        && trimmed.len() == path.len();
    if plain {
        return if path.starts_with('#') {
            format!("/{path}")
        } else {
            path.to_string()
        };
    }
    let lead = path.len() - path.trim_start().len();
    let tail = path.trim_end().len();
    let mut out = String::with_capacity(path.len() + 8);
    for (i, c) in path.char_indices() {
        if i < lead || i >= tail {
            out.push('[');
            out.push(c);
            out.push(']');
            continue;
        }
        match c {
            '*' | '?' | '[' | ']' | '\\' | '^' => {
                out.push('\\');
                out.push(c);
            }
            '!' | '#' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Content tests behind [`ContentCheck`]. Each takes the (already bounded)
/// start of a file and returns only a `bool`; borrowed slices never leave
/// this module.
mod sniff {
    /// Position of `needle` in `hay`.
    fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
        if needle.is_empty() || hay.len() < needle.len() {
            return None;
        }
        hay.windows(needle.len()).position(|w| w == needle)
    }

    fn trim(b: &[u8]) -> &[u8] {
        b.trim_ascii()
    }

    fn lines(head: &[u8]) -> impl Iterator<Item = &[u8]> {
        head.split(|&c| c == b'\n').map(trim)
    }

    fn strip_quotes(v: &[u8]) -> &[u8] {
        let v = trim(v);
        if v.len() >= 2 && (v[0] == b'"' || v[0] == b'\'') && v[v.len() - 1] == v[0] {
            &v[1..v.len() - 1]
        } else {
            v
        }
    }

    /// Whether a value is a literal secret rather than empty, a reference
    /// (`${VAR}`, `<%= ... %>`, `{{ ... }}`), a boolean, a number or an
    /// obvious placeholder.
    pub(super) fn is_literal(value: &[u8]) -> bool {
        let mut v = trim(value);
        if let Some(stripped) = v.strip_suffix(b",") {
            v = trim(stripped);
        }
        let v = strip_quotes(v);
        if v.is_empty() {
            return false;
        }
        const REFS: [&[u8]; 8] = [b"$", b"<", b"{{", b"%(", b"#{", b"{", b"[", b"|"];
        if REFS.iter().any(|r| v.starts_with(r)) || v == b">" || v == b">-" {
            return false;
        }
        const WORDS: [&[u8]; 12] = [
            b"null",
            b"none",
            b"nil",
            b"~",
            b"true",
            b"false",
            b"yes",
            b"no",
            b"changeme",
            b"change_me",
            b"todo",
            b"redacted",
        ];
        if WORDS.iter().any(|w| v.eq_ignore_ascii_case(w)) {
            return false;
        }
        if v.iter().all(u8::is_ascii_digit) {
            return false;
        }
        !v.iter()
            .all(|c| matches!(c, b'*' | b'x' | b'X' | b'.' | b'-' | b'_'))
    }

    /// Splits a config line into key and value at the first of `seps`.
    /// Comment lines give `None`. YAML list dashes and `export ` are dropped
    /// from the key.
    fn key_value<'a>(line: &'a [u8], seps: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
        if line.is_empty() || line[0] == b'#' || line[0] == b';' {
            return None;
        }
        let pos = line.iter().position(|c| seps.contains(c))?;
        let mut key = trim(&line[..pos]);
        if let Some(k) = key.strip_prefix(b"- ") {
            key = trim(k);
        }
        if let Some(k) = key.strip_prefix(b"export ") {
            key = trim(k);
        }
        let key = strip_quotes(key);
        // Only a simple key counts; JSON on one line is for `json_pairs`.
        let simple = key
            .iter()
            .all(|c| !c.is_ascii_whitespace() && !b"\"'{}[],".contains(c));
        simple.then_some((key, &line[pos + 1..]))
    }

    /// Calls `f(key, value)` for every `"key": "value"` pair of JSON-ish
    /// text, stopping at the first `true`.
    fn json_pairs(head: &[u8], mut f: impl FnMut(&[u8], &[u8]) -> bool) -> bool {
        let mut i = 0;
        let mut prev: Option<(usize, usize)> = None;
        while i < head.len() {
            if head[i] != b'"' {
                i += 1;
                continue;
            }
            let start = i + 1;
            let mut j = start;
            while j < head.len() && head[j] != b'"' {
                j += if head[j] == b'\\' { 2 } else { 1 };
            }
            if j >= head.len() {
                return false;
            }
            // A string right after `"key" :` is that key's value.
            if let Some((ks, ke)) = prev.take() {
                if f(&head[ks..ke], &head[start..j]) {
                    return true;
                }
            } else {
                let mut k = j + 1;
                while k < head.len() && head[k].is_ascii_whitespace() {
                    k += 1;
                }
                if k < head.len() && head[k] == b':' {
                    k += 1;
                    while k < head.len() && head[k].is_ascii_whitespace() {
                        k += 1;
                    }
                    if k < head.len() && head[k] == b'"' {
                        prev = Some((start, j));
                        i = k;
                        continue;
                    }
                }
            }
            i = j + 1;
        }
        false
    }

    pub(super) fn private_key(head: &[u8]) -> bool {
        let mut rest = head;
        while let Some(at) = find(rest, b"-----BEGIN ") {
            let line = &rest[at..];
            let end = line.iter().position(|&c| c == b'\n').unwrap_or(line.len());
            if find(&line[..end], b"PRIVATE KEY").is_some() {
                return true;
            }
            rest = &line[end.max(1)..];
        }
        false
    }

    pub(super) fn npm_auth(head: &[u8]) -> bool {
        lines(head).any(|line| {
            key_value(line, b"=").is_some_and(|(k, v)| {
                (k.ends_with(b"_authToken") || k.ends_with(b"_auth") || k.ends_with(b"_password"))
                    && is_literal(v)
            })
        })
    }

    pub(super) fn yarn_auth(head: &[u8]) -> bool {
        lines(head).any(|line| {
            key_value(line, b":").is_some_and(|(k, v)| {
                (k == b"npmAuthToken" || k == b"npmAuthIdent") && is_literal(v)
            })
        })
    }

    pub(super) fn pypirc(head: &[u8]) -> bool {
        lines(head).any(|line| {
            key_value(line, b"=:")
                .is_some_and(|(k, v)| k.eq_ignore_ascii_case(b"password") && is_literal(v))
        })
    }

    pub(super) fn netrc(head: &[u8]) -> bool {
        let mut words = head
            .split(|c| c.is_ascii_whitespace())
            .filter(|w| !w.is_empty());
        while let Some(w) = words.next() {
            if w == b"password" && words.next().is_some_and(is_literal) {
                return true;
            }
        }
        false
    }

    pub(super) fn git_credentials(head: &[u8]) -> bool {
        let mut rest = head;
        while let Some(at) = find(rest, b"://") {
            let after = &rest[at + 3..];
            let end = after
                .iter()
                .position(|c| matches!(c, b'/' | b'\n' | b' ' | b'\t' | b'\r'))
                .unwrap_or(after.len());
            let authority = &after[..end];
            if let Some(atsign) = authority.iter().rposition(|&c| c == b'@') {
                let userinfo = &authority[..atsign];
                if let Some(colon) = userinfo.iter().position(|&c| c == b':') {
                    if colon + 1 < userinfo.len() {
                        return true;
                    }
                }
            }
            rest = after;
        }
        false
    }

    pub(super) fn docker_auth(head: &[u8]) -> bool {
        json_pairs(head, |k, v| {
            matches!(k, b"auth" | b"identitytoken" | b"password") && !trim(v).is_empty()
        })
    }

    pub(super) fn kubeconfig(head: &[u8]) -> bool {
        lines(head).any(|line| {
            key_value(line, b":").is_some_and(|(k, v)| {
                matches!(
                    k,
                    b"client-key-data"
                        | b"token"
                        | b"id-token"
                        | b"refresh-token"
                        | b"access-token"
                        | b"password"
                        | b"client-secret"
                ) && is_literal(v)
            })
        })
    }

    pub(super) fn service_account(head: &[u8]) -> bool {
        let mut is_sa = false;
        let mut has_key = false;
        json_pairs(head, |k, v| {
            if k == b"type" && v == b"service_account" {
                is_sa = true;
            }
            if k == b"private_key" && !trim(v).is_empty() {
                has_key = true;
            }
            is_sa && has_key
        })
    }

    /// Whether a key names something secret (and not a URL or path to it).
    fn secret_key_name(key: &[u8]) -> bool {
        const NAMES: [&[u8]; 12] = [
            b"password",
            b"passwd",
            b"secret",
            b"token",
            b"api_key",
            b"apikey",
            b"api-key",
            b"private_key",
            b"privatekey",
            b"private-key",
            b"access_key",
            b"accesskey",
        ];
        const NOT: [&[u8]; 8] = [
            b"url",
            b"uri",
            b"path",
            b"file",
            b"endpoint",
            b"type",
            b"ttl",
            b"expiry",
        ];
        if key.is_empty() || key.len() > 128 {
            return false;
        }
        let mut buf = [0u8; 128];
        let lower = &mut buf[..key.len()];
        lower.copy_from_slice(key);
        lower.make_ascii_lowercase();
        let lower = &*lower;
        NAMES.iter().any(|n| find(lower, n).is_some()) && !NOT.iter().any(|n| lower.ends_with(n))
    }

    pub(super) fn key_like_values(head: &[u8]) -> bool {
        if private_key(head) {
            return true;
        }
        let in_lines = lines(head).any(|line| {
            key_value(line, b"=:").is_some_and(|(k, v)| secret_key_name(k) && is_literal(v))
        });
        in_lines || json_pairs(head, |k, v| secret_key_name(k) && is_literal(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Docker rule check for tests: the catalogue's rules use only `**/`,
    /// `*`, `[...]` and `\` escapes, where globset with a literal separator
    /// agrees with Docker.
    fn rule_matches(rule: &str, path: &str) -> bool {
        compile_glob(rule).compile_matcher().is_match(path)
    }

    fn name_of(path: &str) -> &str {
        path.rsplit('/').next().unwrap()
    }

    /// Runs the real look-up on an entry's example, answering `child` and
    /// `sibling` with exactly the entry's own evidence.
    fn classify_example(e: &Entry) -> Option<&'static Entry> {
        let path = e.example;
        let child = |g: &str| {
            e.requires_child.first() == Some(&g)
                || matches!(e.matcher, Matcher::DirHolding(m) if m == g)
        };
        let sibling = |g: &str| e.requires_sibling.first() == Some(&g);
        if e.matcher.is_dir() {
            match_dir(path, name_of(path), &child, &sibling)
        } else {
            match_file(path, name_of(path), &sibling)
        }
    }

    #[test]
    fn globs_compile() {
        let ix = index();
        assert!(!ix.files.glob_entries.is_empty());
        for e in ENTRIES {
            if let Some(r) = e.rule {
                compile_glob(r);
            }
        }
    }

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut seen = HashSet::new();
        for e in ENTRIES {
            assert!(seen.insert(e.id), "duplicate id {}", e.id);
            assert!(
                e.id.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-'),
                "id not kebab-case: {}",
                e.id
            );
            assert!(!e.id.starts_with('-') && !e.id.ends_with('-') && !e.id.contains("--"));
        }
    }

    #[test]
    fn rules_are_unique_within_a_kind() {
        let mut seen = HashSet::new();
        for e in ENTRIES {
            if let Some(r) = e.rule {
                assert!(
                    seen.insert((e.kind, r)),
                    "duplicate rule {r} in {}",
                    e.kind.as_str()
                );
            }
        }
    }

    #[test]
    fn reasons_are_one_sentence() {
        for e in ENTRIES {
            let r = e.reason;
            assert!(!r.trim().is_empty(), "{}: empty reason", e.id);
            assert!(r.ends_with('.'), "{}: reason must end with a period", e.id);
            assert!(r.len() < 160, "{}: reason too long", e.id);
            assert!(
                !r[..r.len() - 1].contains(". "),
                "{}: more than one sentence",
                e.id
            );
        }
    }

    #[test]
    fn rules_are_plain_docker_patterns_derived_from_the_matcher() {
        for e in ENTRIES {
            let Some(rule) = e.rule else {
                assert!(
                    matches!(e.matcher, Matcher::DirHolding(_)),
                    "{}: only marker entries may lack a rule",
                    e.id
                );
                continue;
            };
            assert!(!rule.starts_with('!'), "{}: rule is an exception", e.id);
            assert!(!rule.ends_with('/'), "{}: trailing slash", e.id);
            assert!(
                !rule.contains(['{', '}', ' ']),
                "{}: not plain Docker syntax",
                e.id
            );
            assert!(
                rule.starts_with("**/"),
                "{}: rule must be the any-depth form",
                e.id
            );
            assert!(!rule[3..].contains("**"), "{}: stray **", e.id);
            assert_eq!(
                e.root_rule(),
                Some(e.matcher.text()),
                "{}: rule differs from matcher",
                e.id
            );
        }
    }

    #[test]
    fn examples_are_recognised_by_their_own_entry_and_rule() {
        for e in ENTRIES {
            if let Matcher::FileGlob(g) | Matcher::DirGlob(g) = e.matcher {
                // The test-side glob evaluator agrees with globset here.
                assert!(name_matches(g, name_of(e.example)), "{}", e.id);
            }
            let got = classify_example(e).map(|m| m.id);
            assert_eq!(got, Some(e.id), "example {} of {}", e.example, e.id);
            if let Some(rule) = e.rule {
                assert!(
                    rule_matches(rule, e.example),
                    "{}: {rule} misses {}",
                    e.id,
                    e.example
                );
                let nested = format!("a/b/{}", e.example);
                assert!(
                    rule_matches(rule, &nested),
                    "{}: {rule} misses {nested}",
                    e.id
                );
                let root = e.root_rule().unwrap();
                assert!(rule_matches(root, e.matcher.text()) || root.contains(['*', '[']));
                assert!(
                    !rule_matches(root, &nested),
                    "{}: root form {root} not anchored",
                    e.id
                );
            }
            for r in e.rules_for(&[e.example]) {
                assert!(
                    rule_matches(&r, e.example),
                    "{}: {r} misses {}",
                    e.id,
                    e.example
                );
            }
        }
    }

    #[test]
    fn conditions_are_required() {
        let no = |_: &str| false;
        for e in ENTRIES {
            if e.requires_sibling.is_empty() && e.requires_child.is_empty() {
                continue;
            }
            let name = name_of(e.example);
            let got = match_dir(e.example, name, &no, &no);
            assert_ne!(
                got.map(|m| m.id),
                Some(e.id),
                "{} matched without evidence",
                e.id
            );
        }
        let yes = |_: &str| true;
        assert_eq!(match_dir("target", "target", &no, &no), None);
        assert_eq!(match_dir("vendor", "vendor", &no, &no), None);
        assert_eq!(match_dir("env", "env", &no, &no), None);
        assert_eq!(
            match_dir("bin", "bin", &no, &|g| g == "*.csproj")
                .unwrap()
                .id,
            "dotnet-bin"
        );
        assert_eq!(
            match_dir("env", "env", &|g| g == "pyvenv.cfg", &no)
                .unwrap()
                .id,
            "python-virtualenv"
        );
        assert_eq!(
            match_dir("venv", "venv", &yes, &no).unwrap().id,
            "python-virtualenv"
        );
        assert_eq!(
            match_dir("x/y", "y", &|g| g == "CACHEDIR.TAG", &no)
                .unwrap()
                .id,
            "cachedir-tag"
        );
        // A name-based entry wins over a marker inside it.
        assert_eq!(
            match_dir("target", "target", &yes, &yes).unwrap().id,
            "build-target"
        );
        // Go keeps its vendor directory.
        assert_eq!(match_dir("vendor", "vendor", &no, &|g| g == "go.mod"), None);
        assert_eq!(
            match_dir("vendor/bundle", "bundle", &no, &no).unwrap().id,
            "ruby-vendor-bundle"
        );
        assert_eq!(match_dir("bundle", "bundle", &no, &no), None);
        assert_eq!(match_dir("src/cache", "cache", &no, &no), None);
    }

    #[test]
    fn ordinary_paths_match_nothing() {
        let no = |_: &str| false;
        for (path, name) in [
            ("src", "src"),
            ("src/main.rs", "main.rs"),
            ("README.md", "README.md"),
            ("app/views.py", "views.py"),
            ("config/settings.json", "settings.json"),
            ("logo.png", "logo.png"),
        ] {
            assert_eq!(match_dir(path, name, &no, &no), None, "{path}");
            if !name.ends_with(".json") {
                assert_eq!(match_file(path, name, &no), None, "{path}");
            }
        }
        // Credentials files only count under their directory.
        assert_eq!(match_file("credentials", "credentials", &no), None);
        assert_eq!(match_file("docs/config", "config", &no), None);
        assert_eq!(match_file("id_rsa.pub", "id_rsa.pub", &no), None);
    }

    /// Sample names for the protected globs.
    const PROTECTED_SAMPLES: &[&str] = &[
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
    fn protected_names_are_never_matched() {
        let names = PROTECTED
            .iter()
            .filter(|g| !g.contains(['*', '?', '[']))
            .chain(PROTECTED_SAMPLES);
        for name in names {
            assert!(is_protected(name), "{name} not protected");
            assert_eq!(match_file(name, name, &|_| true), None, "{name} matched");
            let nested = format!("svc/{name}");
            assert_eq!(
                match_file(&nested, name, &|_| true),
                None,
                "{nested} matched"
            );
            // The raw matchers of non-secret entries leave them alone too.
            for e in ENTRIES
                .iter()
                .filter(|e| e.kind != Kind::Secret && !e.matcher.is_dir())
            {
                let hit = match e.matcher {
                    Matcher::FileName(n) => n == *name,
                    Matcher::FileGlob(g) => name_matches(g, name),
                    Matcher::FilePath(p) => ends_with_segments(name, p),
                    _ => false,
                };
                assert!(!hit, "{} catches protected {name}", e.id);
            }
        }
        assert!(!is_protected("main.rs"));
        assert!(!is_protected(".env"));
    }

    #[test]
    fn env_templates_are_not_secrets() {
        let no = |_: &str| false;
        for name in [".env.example", ".env.sample", ".env.template", ".env.dist"] {
            assert_eq!(match_file(name, name, &no), None, "{name}");
        }
        assert_eq!(
            match_file(".env.local", ".env.local", &no).unwrap().id,
            "dotenv-variant"
        );
        assert_eq!(match_file("api/.env", ".env", &no).unwrap().id, "dotenv");
    }

    #[test]
    fn specific_entries_win_over_general_ones() {
        let no = |_: &str| false;
        let id = |p: &str| match_file(p, name_of(p), &no).map(|e| e.id);
        assert_eq!(id("npm-debug.log"), Some("npm-debug-log"));
        assert_eq!(id("npm-debug.log.1234"), Some("npm-debug-log"));
        assert_eq!(id("yarn-error.log"), Some("yarn-error-log"));
        assert_eq!(id("server.log"), Some("log-files"));
        assert_eq!(id(".docker/config.json"), Some("docker-config"));
        assert_eq!(id("credentials.json"), Some("credentials-json"));
        assert_eq!(id("prod.tfvars.json"), Some("terraform-tfvars-json"));
        assert_eq!(id("config/master.key"), Some("rails-master-key"));
        assert_eq!(id("other/master.key"), Some("private-key-file"));
        assert_eq!(
            id("terraform.tfstate.backup"),
            Some("terraform-state-backup")
        );
        assert_eq!(id(".terraform.lock.hcl"), None);
        assert_eq!(id("mod.pyo"), Some("python-bytecode"));
        assert_eq!(id(".coveragerc"), None);
    }

    #[test]
    fn rules_for_hits() {
        let pycache = by_id("python-pycache").unwrap();
        assert_eq!(pycache.rules_for(&["__pycache__"]), ["__pycache__"]);
        assert_eq!(
            pycache.rules_for(&["__pycache__", "app/__pycache__"]),
            ["**/__pycache__"]
        );
        assert!(pycache.rules_for(&[]).is_empty());
        let aws = by_id("aws-credentials").unwrap();
        assert_eq!(aws.rules_for(&[".aws/credentials"]), [".aws/credentials"]);
        assert_eq!(
            aws.rules_for(&["ops/.aws/credentials"]),
            ["**/.aws/credentials"]
        );
        let logs = by_id("log-files").unwrap();
        assert_eq!(logs.rules_for(&["a.log", "b.log"]), ["*.log"]);
        // Evidence-based entries name exactly their hits.
        let pem = by_id("private-key-pem").unwrap();
        assert_eq!(
            pem.rules_for(&["z/key.pem", "a/key.pem", "a/key.pem"]),
            ["a/key.pem", "z/key.pem"]
        );
        let venv = by_id("python-virtualenv").unwrap();
        assert_eq!(venv.rules_for(&[".venv"]), [".venv"]);
        let target = by_id("build-target").unwrap();
        assert_eq!(target.rules_for(&["target"]), ["target"]);
        assert_eq!(target.rules_for(&["crates/x/target"]), ["crates/x/target"]);
    }

    #[test]
    fn literal_rules_match_only_their_path() {
        assert_eq!(literal_rule("a/b.txt"), "a/b.txt");
        assert_eq!(literal_rule("#notes"), "/#notes");
        assert_eq!(literal_rule("!x"), "\\!x");
        assert_eq!(literal_rule("a/[x]*.pem"), "a/\\[x\\]\\*.pem");
        assert_eq!(literal_rule(" a "), "[ ]a[ ]");
        for path in ["a/[x]*.pem", "we?ird/f\\ile", "a^b[1]"] {
            let rule = literal_rule(path);
            assert!(rule_matches(&rule, path), "{rule} misses {path}");
            assert!(!rule_matches(&rule, "a/xy.pem"));
        }
    }

    #[test]
    fn name_globs() {
        assert!(name_matches("*.csproj", "Api.csproj"));
        assert!(!name_matches("*.csproj", "Api.csproj.user"));
        assert!(name_matches("requirements*.txt", "requirements.txt"));
        assert!(name_matches("requirements*.txt", "requirements-dev.txt"));
        assert!(!name_matches("requirements*.txt", "requirements.in"));
        assert!(name_matches("*.py[co]", "a.pyc"));
        assert!(!name_matches("*.py[co]", "a.py"));
        assert!(name_matches("[!a]b", "xb"));
        assert!(!name_matches("[!a]b", "ab"));
        assert!(name_matches("a[", "a["));
        assert!(name_matches("*", ""));
        assert!(name_matches("Dockerfile*", "Dockerfile"));
        assert!(!name_matches("?", ""));
    }

    // ---- ecosystems and defaults -----------------------------------------

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
            let m = compile_glob(r).compile_matcher();
            assert!(seen.insert(r), "default rule {r} repeated");
            for name in PROTECTED
                .iter()
                .filter(|g| !g.contains('*'))
                .chain(PROTECTED_SAMPLES)
            {
                assert!(!m.is_match(name), "{r} would exclude {name}");
                assert!(
                    !m.is_match(format!("pkg/{name}")),
                    "{r} would exclude pkg/{name}"
                );
            }
        }
        let python: Vec<_> = stack_defaults(Ecosystem::Python)
            .iter()
            .map(|d| d.rule)
            .collect();
        assert!(python.contains(&"**/__pycache__") && python.contains(&".venv"));
        assert_eq!(stack_defaults(Ecosystem::Rust)[0].rule, "target");
    }

    #[test]
    fn kind_names_are_stable() {
        let kinds = [
            Kind::Vcs,
            Kind::Dependencies,
            Kind::Virtualenv,
            Kind::Cache,
            Kind::Build,
            Kind::Logs,
            Kind::Coverage,
            Kind::Editor,
            Kind::Infra,
            Kind::Secret,
        ];
        let names: Vec<_> = kinds.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "vcs",
                "dependencies",
                "virtualenv",
                "cache",
                "build",
                "logs",
                "coverage",
                "editor",
                "infra",
                "secret"
            ]
        );
        for k in kinds {
            assert!(
                ENTRIES.iter().any(|e| e.kind == k),
                "no entry of kind {}",
                k.as_str()
            );
        }
    }

    // ---- secret sniffing -------------------------------------------------

    const CANARY: &str = "CANARY-7f3a";

    fn secret(id: &str, content: &str) -> bool {
        confirm_secret(by_id(id).unwrap(), content.as_bytes())
    }

    /// Content that each content check accepts, carrying the canary.
    fn positive_sample(check: ContentCheck) -> String {
        let c = CANARY;
        match check {
            ContentCheck::PrivateKey => {
                format!("-----BEGIN RSA PRIVATE KEY-----\n{c}\n-----END RSA PRIVATE KEY-----\n")
            }
            ContentCheck::NpmAuth => format!("//registry.npmjs.org/:_authToken={c}\n"),
            ContentCheck::YarnAuth => format!("npmScopes:\n  acme:\n    npmAuthToken: \"{c}\"\n"),
            ContentCheck::PypircPassword => {
                format!("[pypi]\nusername = __token__\npassword = {c}\n")
            }
            ContentCheck::Netrc => format!("machine example.com login bob password {c}\n"),
            ContentCheck::GitCredentials => format!("https://bob:{c}@github.com\n"),
            ContentCheck::DockerAuth => format!("{{\"auths\":{{\"r.io\":{{\"auth\":\"{c}\"}}}}}}"),
            ContentCheck::Kubeconfig => format!("users:\n- name: u\n  user:\n    token: {c}\n"),
            ContentCheck::ServiceAccount => format!(
                "{{\"type\": \"service_account\", \"project_id\": \"p\", \"private_key\": \"{c}\"}}"
            ),
            ContentCheck::KeyLikeValues => format!("api_key: {c}\n"),
        }
    }

    /// The canary can never come out: `confirm_secret` returns a `bool`,
    /// and every string the API can hand out is static text that does not
    /// hold it.
    #[test]
    fn canary_never_leaves_confirm_secret() {
        fn returns_bool(f: fn(&Entry, &[u8]) -> bool) -> fn(&Entry, &[u8]) -> bool {
            f
        }
        let confirm = returns_bool(confirm_secret);
        let needs: fn(&Entry) -> bool = needs_content_check;
        for e in ENTRIES.iter().filter(|e| e.kind == Kind::Secret) {
            let content = match e.content {
                Some(check) => positive_sample(check),
                None => format!("SECRET={CANARY}\n"),
            };
            assert!(
                confirm(e, content.as_bytes()),
                "{} rejected its own sample",
                e.id
            );
            assert_eq!(needs(e), e.content.is_some());
            let printable = [
                format!("{e:?}"),
                e.reason.to_string(),
                e.content
                    .map(|c| c.evidence().to_string())
                    .unwrap_or_default(),
                e.rules_for(&[e.example]).join("\n"),
            ];
            for text in printable {
                assert!(!text.contains(CANARY), "{} leaks the canary", e.id);
            }
        }
    }

    #[test]
    fn every_content_check_accepts_its_sample() {
        for e in ENTRIES.iter().filter(|e| e.content.is_some()) {
            let check = e.content.unwrap();
            assert!(check.run(positive_sample(check).as_bytes()), "{:?}", check);
            assert!(!check.run(b""), "{check:?} accepts empty content");
            assert!(!check.evidence().is_empty());
        }
    }

    #[test]
    fn name_alone_is_enough_for_dotenv() {
        assert!(secret("dotenv", ""));
        assert!(secret("dotenv-variant", "A=1\n"));
        assert!(secret("aws-credentials", ""));
        // Non-secret entries are never secrets.
        assert!(!confirm_secret(
            by_id("log-files").unwrap(),
            b"password=hunter2"
        ));
    }

    #[test]
    fn pem_private_keys_versus_public_material() {
        let cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        let public = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n";
        let rsa_public = "-----BEGIN RSA PUBLIC KEY-----\nMIIB\n-----END RSA PUBLIC KEY-----\n";
        for c in [cert, public, rsa_public, "", "just text PRIVATE KEY"] {
            assert!(!secret("private-key-pem", c), "{c}");
        }
        for kind in ["RSA ", "EC ", "DSA ", "OPENSSH ", "ENCRYPTED ", ""] {
            let key = format!(
                "-----BEGIN {kind}PRIVATE KEY-----\nMIIE\n-----END {kind}PRIVATE KEY-----\n"
            );
            assert!(secret("private-key-pem", &key), "{kind}");
            assert!(secret("private-key-file", &key), "{kind}");
            // A chain with the key after the certificate.
            assert!(secret("private-key-pem", &format!("{cert}{key}")));
        }
        assert!(secret(
            "private-key-file",
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\n"
        ));
    }

    #[test]
    fn npmrc_with_and_without_auth() {
        assert!(!secret(
            "npmrc-auth",
            "registry=https://registry.npmjs.org/\n"
        ));
        assert!(!secret(
            "npmrc-auth",
            "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"
        ));
        assert!(!secret("npmrc-auth", "# _authToken=abc\nsave-exact=true\n"));
        assert!(secret(
            "npmrc-auth",
            "registry=https://r/\n//r/:_authToken=npm_abcdef\n"
        ));
        assert!(secret("npmrc-auth", "_auth=Ym9iOnNlY3JldA==\n"));
        assert!(secret("npmrc-auth", "//r/:_password=c2VjcmV0\n"));
        assert!(!secret(
            "yarnrc-auth",
            "nodeLinker: node-modules\nnpmAuthToken: \"${NPM_TOKEN}\"\n"
        ));
        assert!(secret("yarnrc-auth", "npmAuthToken: npm_abcdef\n"));
    }

    #[test]
    fn other_credential_files() {
        assert!(!secret(
            "pypirc",
            "[distutils]\nindex-servers = pypi\n[pypi]\nusername = bob\n"
        ));
        assert!(secret("pypirc", "[pypi]\npassword: pypi-AgEI\n"));
        assert!(!secret("netrc", "machine example.com login bob\n"));
        assert!(secret(
            "netrc",
            "machine a\n  login b\n  password c0rrect\n"
        ));
        assert!(secret(
            "netrc",
            "machine a password $X\nmachine b password c0rrect\n"
        ));
        assert!(!secret("git-credentials", "https://github.com\n"));
        assert!(!secret("git-credentials", "https://bob@github.com\n"));
        assert!(secret("git-credentials", "https://bob:ghp_x@github.com\n"));
        assert!(!secret(
            "docker-config",
            "{\"auths\": {\"ghcr.io\": {}}, \"credsStore\": \"desktop\"}"
        ));
        assert!(!secret(
            "docker-config",
            "{\"auths\": {\"ghcr.io\": {\"auth\": \"\"}}}"
        ));
        assert!(secret(
            "docker-config",
            "{\n  \"auths\": {\n    \"ghcr.io\": {\n      \"auth\": \"Ym9iOng=\"\n    }\n  }\n}"
        ));
        assert!(secret(
            "dockercfg",
            "{\"https://index.docker.io/v1/\":{\"auth\":\"Ym9iOng=\",\"email\":\"b@x\"}}"
        ));
        assert!(!secret(
            "secrets-yml",
            "production:\n  secret_key_base: <%= ENV[\"SECRET_KEY_BASE\"] %>\n"
        ));
        assert!(secret(
            "secrets-yml",
            "production:\n  secret_key_base: 3b7cd727ee24e8444053437c36\n"
        ));
        assert!(!secret(
            "credentials-json",
            "{\"token_uri\": \"https://oauth2.googleapis.com/token\"}"
        ));
        assert!(secret(
            "credentials-json",
            "{\"installed\":{\"client_id\":\"x\",\"client_secret\":\"GOCSPX-abc\"}}"
        ));
        assert!(!secret(
            "named-env-file",
            "PORT=8080\nDEBUG=false\nDB_PASSWORD=\n"
        ));
        assert!(secret("named-env-file", "export DB_PASSWORD=s3cr3t\n"));
        assert!(!secret(
            "secrets-yaml",
            "apiVersion: v1\nkind: Secret\ndata:\n  password: ${DB_PASSWORD}\n"
        ));
    }

    #[test]
    fn service_account_json_versus_ordinary_json() {
        let sa = r#"{
  "type": "service_account",
  "project_id": "demo",
  "private_key_id": "abc",
  "private_key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
  "client_email": "ci@demo.iam.gserviceaccount.com"
}"#;
        assert!(secret("gcp-service-account", sa));
        let ordinary =
            r#"{"name": "demo", "type": "module", "private": true, "scripts": {"build": "tsc"}}"#;
        assert!(!secret("gcp-service-account", ordinary));
        let no_key = r#"{"type": "service_account", "client_email": "x"}"#;
        assert!(!secret("gcp-service-account", no_key));
        let mention = r#"{"doc": "set type to service_account and add private_key"}"#;
        assert!(!secret("gcp-service-account", mention));
        assert_eq!(
            match_file("tsconfig.json", "tsconfig.json", &|_| false)
                .unwrap()
                .id,
            "gcp-service-account"
        );
        assert_eq!(match_file("package.json", "package.json", &|_| false), None);
    }

    #[test]
    fn kubeconfig_with_and_without_credentials() {
        let base = "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: LS0tLS1\n    server: https://k8s.example.com\n  name: prod\n";
        let exec = format!("{base}users:\n- name: u\n  user:\n    exec:\n      command: aws\n");
        assert!(!secret("kubeconfig-default", &exec));
        let key = format!("{base}users:\n- name: u\n  user:\n    client-certificate-data: LS0t\n    client-key-data: LS0tLS1CRUdJTg==\n");
        assert!(secret("kubeconfig-default", &key));
        let token = format!("{base}users:\n- name: u\n  user:\n    token: eyJhbGciOi\n");
        assert!(secret("kubeconfig-file", &token));
        let templated = format!("{base}users:\n- name: u\n  user:\n    token: ${{K8S_TOKEN}}\n");
        assert!(!secret("kubeconfig-file", &templated));
    }

    #[test]
    fn only_the_first_sniff_bytes_count() {
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----\n";
        let mut late = vec![b'#'; SNIFF_BYTES];
        late.extend_from_slice(key.as_bytes());
        assert!(!confirm_secret(by_id("private-key-pem").unwrap(), &late));
        let mut early = key.as_bytes().to_vec();
        early.extend(std::iter::repeat_n(b'\n', SNIFF_BYTES * 2));
        assert!(confirm_secret(by_id("private-key-pem").unwrap(), &early));
        // A key cut by the bound is judged on what is left of its BEGIN line.
        let mut cut = vec![b' '; SNIFF_BYTES - 40];
        cut.extend_from_slice(key.as_bytes());
        assert!(confirm_secret(by_id("private-key-pem").unwrap(), &cut));
        let mut cut_early = vec![b' '; SNIFF_BYTES - 5];
        cut_early.extend_from_slice(key.as_bytes());
        assert!(!confirm_secret(
            by_id("private-key-pem").unwrap(),
            &cut_early
        ));
    }

    #[test]
    fn markers_are_listed() {
        assert_eq!(dir_markers(), ["pyvenv.cfg", "conda-meta", "CACHEDIR.TAG"]);
    }
}
