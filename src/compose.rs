//! The build targets of a repository: what `docker compose build` would
//! build, and the Dockerfiles lying in the tree.
//!
//! [`discover`] answers "which builds does this repository define?" so that
//! each one can be measured as its own context. It looks in two places:
//!
//! 1. **Compose files at the root.** Docker Compose reads the first of
//!    `compose.yaml`, `compose.yml`, `docker-compose.yml`,
//!    `docker-compose.yaml` and merges the first of `compose.override.yml`,
//!    `compose.override.yaml`, `docker-compose.override.yml`,
//!    `docker-compose.override.yaml` over it; that pair is read the same
//!    way here. Any other base file present is read on its own, with a
//!    note (a repository may still build from it with `-f`). Each
//!    `services.<name>.build` gives a context directory, a Dockerfile and a
//!    target stage, resolved the way Compose resolves them: YAML anchors,
//!    aliases and `<<` merge keys applied, `${VAR:-default}` interpolation,
//!    the context relative to the compose file, the Dockerfile relative to
//!    the context, override fields merged over the base file's one by one.
//! 2. **Dockerfiles in the tree** (`Dockerfile`, `dockerfile` (the Docker
//!    CLI's fallback name), `Containerfile`, `Dockerfile.<x>`,
//!    `<x>.Dockerfile`, `<x>.dockerfile`), at most
//!    [`MAX_DEPTH`] levels down, each with its own directory as context.
//!    The walk skips what cannot hold a project's Dockerfile: version-control
//!    data, `vendor`/`third_party` (other projects' code, Go's `vendor/`
//!    included), and every directory the catalogue recognises ([`crate::catalog::match_dir`],
//!    with its evidence checked on disk), such as `node_modules`, a
//!    virtualenv or a Cargo `target`. Those dominate large trees, so pruning
//!    them is what keeps the walk fast.
//!
//! Results are reproducible from the files alone: the process environment
//! is never read. A variable is taken from the `.env` file next to the
//! compose file; when it is not there, `${VAR:-default}` and
//! `${VAR-default}` give the default and a bare `${VAR}` leaves the service
//! unresolved.
//!
//! Nothing here fails: whatever cannot be read or resolved (a compose file
//! that does not parse, a URL context, an unset variable, `extends:`,
//! `include:`, an unreadable directory) becomes one sentence in
//! [`Discovery::notes`], naming the file and, where known, the line, and
//! discovery goes on. Paths are joined onto the root and cleaned lexically
//! (`.` and `..` removed), never canonicalised, and a Dockerfile that does
//! not exist is still returned: the caller reports it.
//!
//! This module does not build, measure or read Dockerfiles, does not follow
//! `extends:` or `include:`, and does not look for compose files below the
//! root.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use walkdir::{DirEntry, WalkDir};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::catalog;

/// One build the repository defines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildTarget {
    /// The build context directory: joined onto the root, lexically
    /// cleaned, not canonicalised.
    pub context: PathBuf,
    /// The Dockerfile, joined and cleaned the same way. It may not exist;
    /// the caller reports that.
    pub dockerfile: PathBuf,
    /// The stage to build (`build.target` in compose), if any.
    pub target: Option<String>,
    /// Where the target came from, for people: `compose.yaml: service web`
    /// or `Dockerfile found at svc/api/Dockerfile`. When the same build is
    /// defined several times, the origins are joined with `; `.
    pub origin: String,
}

/// What [`discover`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Discovery {
    /// The builds: compose targets first, in file and service order, then
    /// the Dockerfiles found in the tree, sorted by path. No two have the
    /// same context, Dockerfile and target.
    pub targets: Vec<BuildTarget>,
    /// What was skipped or left unresolved, one sentence each, naming the
    /// file (and the line, when known).
    pub notes: Vec<String>,
}

/// How many levels below the root the Dockerfile search looks
/// (`a/b/c/d/e/f/g/Dockerfile` is found, one level deeper is not).
pub const MAX_DEPTH: usize = 8;

/// Compose file names Docker Compose looks for, in its order of preference.
const BASE_FILES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];

/// Override file names, in Docker Compose's order of preference.
const OVERRIDE_FILES: [&str; 4] = [
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

/// Build contexts that are not local directories (Compose's own list).
const REMOTE_PREFIXES: [&str; 6] = [
    "http://",
    "https://",
    "git://",
    "ssh://",
    "git@",
    "github.com/",
];

/// Finds the build targets of the repository at `root`: the compose
/// services with a `build` section, then the Dockerfiles in the tree that no
/// compose service already uses. See the module documentation for the
/// rules. Never fails: problems become [`Discovery::notes`].
pub fn discover(root: &Path) -> Discovery {
    let mut notes = Vec::new();
    let found = find_dockerfiles(root, &mut notes);
    let mut d = discover_with(root, found);
    notes.append(&mut d.notes);
    d.notes = notes;
    d
}

/// [`discover`] with the Dockerfiles already found by another walk (the
/// report's, which sees every path anyway): `found` are paths under `root`
/// that pass [`found_in_tree`].
pub fn discover_with(root: &Path, found: Vec<PathBuf>) -> Discovery {
    let mut notes = Vec::new();
    let compose = compose_targets(root, &mut notes);
    let mut found: Vec<PathBuf> = found.iter().map(|p| clean(p)).collect();
    found.sort();

    let mut targets: Vec<BuildTarget> = Vec::with_capacity(compose.len() + found.len());
    for (t, _) in &compose {
        push_unique(&mut targets, t.clone());
    }
    for path in found {
        let used = compose
            .iter()
            .any(|(t, claims)| *claims && t.dockerfile == path);
        if used {
            continue;
        }
        let context = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let origin = format!("Dockerfile found at {}", shown(root, &path));
        push_unique(
            &mut targets,
            BuildTarget {
                context,
                dockerfile: path,
                target: None,
                origin,
            },
        );
    }
    Discovery { targets, notes }
}

/// Adds `t`, or joins its origin onto an earlier target with the same
/// context, Dockerfile and stage.
fn push_unique(targets: &mut Vec<BuildTarget>, t: BuildTarget) {
    let same = targets
        .iter_mut()
        .find(|o| o.context == t.context && o.dockerfile == t.dockerfile && o.target == t.target);
    match same {
        Some(o) => {
            if !o.origin.split("; ").any(|x| x == t.origin) {
                o.origin.push_str("; ");
                o.origin.push_str(&t.origin);
            }
        }
        None => targets.push(t),
    }
}

/// `path` (cleaned) for messages: relative to the root when inside it.
fn shown(root: &Path, path: &Path) -> String {
    let root = clean(root);
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Removes `.` and resolves `..` against the components before it, without
/// touching the file system. An empty result is `.`; `..` above a root
/// stays at the root; leading `..` of a relative path are kept.
pub fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    let mut normals = 0usize;
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if normals > 0 {
                    out.pop();
                    normals -= 1;
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            Component::Normal(_) => {
                out.push(c);
                normals += 1;
            }
            Component::RootDir | Component::Prefix(_) => out.push(c.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

// ---------------------------------------------------------------------------
// Dockerfiles in the tree
// ---------------------------------------------------------------------------

/// Whether a file name is one Docker tooling treats as a Dockerfile:
/// `Dockerfile`, `dockerfile`, `Containerfile`, `Dockerfile.<x>`, `<x>.Dockerfile` or
/// `<x>.dockerfile`. Per-Dockerfile ignore files (`Dockerfile.dockerignore`)
/// and editor or patch leftovers (`Dockerfile.orig`, `.bak`, `.rej`,
/// `.swp`) are not.
pub fn is_dockerfile_name(name: &str) -> bool {
    const NOT_DOCKERFILES: [&str; 5] = [".dockerignore", ".orig", ".bak", ".rej", ".swp"];
    if name == "Dockerfile" || name == "dockerfile" || name == "Containerfile" {
        return true;
    }
    if NOT_DOCKERFILES.iter().any(|s| name.ends_with(s)) {
        return false;
    }
    let with_suffix = name
        .strip_prefix("Dockerfile.")
        .is_some_and(|x| !x.is_empty());
    let with_prefix = [".Dockerfile", ".dockerfile"]
        .iter()
        .any(|s| name.strip_suffix(s).is_some_and(|x| !x.is_empty()));
    with_suffix || with_prefix
}

/// Whether the walk should not enter this directory: the catalogue
/// recognises it (VCS data, dependencies, virtualenvs, caches, build output
/// with its evidence), so it cannot hold a project's own Dockerfile.
fn skip_dir(root: &Path, e: &DirEntry) -> bool {
    if e.depth() == 0 || !e.file_type().is_dir() {
        return false;
    }
    let (Ok(rel), Some(name)) = (e.path().strip_prefix(root), e.file_name().to_str()) else {
        return false;
    };
    let Some(rel) = rel.to_str() else {
        return false;
    };
    not_ours(e.path(), rel, name)
}

/// Whether the directory at `abs` holds what is not this repository's own
/// build: other projects' code or anything the catalogue recognises.
fn not_ours(abs: &Path, rel: &str, name: &str) -> bool {
    THIRD_PARTY.contains(&name) || catalog::match_dir_at(abs, rel, name).is_some()
}

/// Directories that hold other projects' code by convention, whatever the
/// catalogue's evidence says (Go's `vendor/` has no manifest beside it):
/// their Dockerfiles are not this repository's builds.
const THIRD_PARTY: [&str; 2] = ["vendor", "third_party"];

/// Whether a Dockerfile-named file at `rel` (relative to `root`, `/`
/// separated), seen by some walk, is one [`discover`] would list: at most
/// [`MAX_DEPTH`] levels down and in no directory the catalogue recognises.
pub fn found_in_tree(root: &Path, rel: &str) -> bool {
    let segments: Vec<&str> = rel.split('/').collect();
    if segments.len() > MAX_DEPTH || !segments.last().is_some_and(|n| is_dockerfile_name(n)) {
        return false;
    }
    let mut dir = root.to_path_buf();
    for (i, name) in segments[..segments.len() - 1].iter().enumerate() {
        dir.push(name);
        if not_ours(&dir, &segments[..=i].join("/"), name) {
            return false;
        }
    }
    true
}

/// The Dockerfiles under `root`, cleaned and sorted. Symbolic links are
/// listed when their name fits but never followed into; unreadable
/// directories become notes.
fn find_dockerfiles(root: &Path, notes: &mut Vec<String>) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let walk = WalkDir::new(root)
        .follow_links(false)
        .max_depth(MAX_DEPTH)
        .into_iter()
        .filter_entry(|e| !skip_dir(root, e));
    for item in walk {
        match item {
            Ok(e) => {
                if !e.file_type().is_dir() && e.file_name().to_str().is_some_and(is_dockerfile_name)
                {
                    found.push(clean(e.path()));
                }
            }
            Err(err) => {
                // Relative to the root, or the root itself when it fails.
                let path = err.path().unwrap_or(root);
                let shown = match path.strip_prefix(root) {
                    Ok(rel) if !rel.as_os_str().is_empty() => rel,
                    _ => path,
                };
                let why = err
                    .io_error()
                    .map_or_else(|| err.to_string(), ToString::to_string);
                notes.push(format!(
                    "{}: could not be read ({why}); Dockerfiles under it are not listed.",
                    shown.display()
                ));
            }
        }
    }
    found.sort();
    found
}

// ---------------------------------------------------------------------------
// A small YAML tree with lines, tags and shared aliases
// ---------------------------------------------------------------------------

/// One YAML node. Aliases share the anchored node (`Rc`), so a file that
/// repeats an alias many times costs no copies.
#[derive(Debug)]
struct Node {
    value: Value,
    /// 1-based line where the node starts.
    line: usize,
    /// The tag as written (`!reset`), if any.
    tag: Option<String>,
}

#[derive(Debug)]
enum Value {
    Scalar { text: String, plain: bool },
    Seq(Vec<Rc<Node>>),
    Map(Vec<(Rc<Node>, Rc<Node>)>),
}

impl Node {
    /// The text of a scalar that is not null.
    fn text(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, plain } if !(*plain && is_null(text)) => Some(text),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true } if is_null(text))
    }

    fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }
}

fn is_null(plain: &str) -> bool {
    matches!(plain, "" | "~" | "null" | "Null" | "NULL")
}

/// Deeper nesting than this is refused (it would only serve to exhaust the
/// stack when the tree is dropped).
const MAX_NESTING: usize = 256;

/// An open sequence or mapping while loading.
struct Frame {
    node: Node,
    anchor: usize,
    key: Option<Rc<Node>>,
}

/// Builds a [`Node`] tree from the parser's events.
#[derive(Default)]
struct Loader {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Rc<Node>>,
    root: Option<Rc<Node>>,
    /// The first problem: line, column (1-based), message.
    error: Option<(usize, usize, String)>,
}

impl MarkedEventReceiver for Loader {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        match ev {
            Event::SequenceStart(anchor, tag) => {
                self.open(Value::Seq(Vec::new()), anchor, tag, mark);
            }
            Event::MappingStart(anchor, tag) => {
                self.open(Value::Map(Vec::new()), anchor, tag, mark);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    self.insert(frame.node, frame.anchor, mark);
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let node = Node {
                    value: Value::Scalar {
                        text,
                        plain: style == TScalarStyle::Plain,
                    },
                    line: mark.line(),
                    tag: tag_text(tag),
                };
                self.insert(node, anchor, mark);
            }
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(node) => self.insert_rc(node, mark),
                None => self.fail(mark, "unknown alias".to_string()),
            },
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

fn tag_text(tag: Option<yaml_rust2::parser::Tag>) -> Option<String> {
    tag.map(|t| t.handle + &t.suffix)
}

impl Loader {
    fn open(
        &mut self,
        value: Value,
        anchor: usize,
        tag: Option<yaml_rust2::parser::Tag>,
        mark: Marker,
    ) {
        if self.stack.len() >= MAX_NESTING {
            self.fail(mark, format!("nested deeper than {MAX_NESTING} levels"));
            return;
        }
        self.stack.push(Frame {
            node: Node {
                value,
                line: mark.line(),
                tag: tag_text(tag),
            },
            anchor,
            key: None,
        });
    }

    fn insert(&mut self, node: Node, anchor: usize, mark: Marker) {
        let node = Rc::new(node);
        // Anchor ids start at 1; 0 means none.
        if anchor > 0 {
            self.anchors.insert(anchor, Rc::clone(&node));
        }
        self.insert_rc(node, mark);
    }

    fn insert_rc(&mut self, node: Rc<Node>, mark: Marker) {
        let Some(frame) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return;
        };
        let duplicate = match &mut frame.node.value {
            Value::Seq(items) => {
                items.push(node);
                None
            }
            Value::Map(pairs) => match frame.key.take() {
                None => {
                    frame.key = Some(node);
                    None
                }
                Some(key) => {
                    let dup = scalar(&key)
                        .filter(|k| *k != "<<")
                        .filter(|k| pairs.iter().any(|(o, _)| scalar(o) == Some(k)))
                        .map(|k| (key.line, k.to_string()));
                    pairs.push((key, node));
                    dup
                }
            },
            // Only collections are pushed on the stack.
            Value::Scalar { .. } => None,
        };
        if let Some((line, key)) = duplicate {
            self.error = Some((line, mark.col() + 1, format!("duplicate key `{key}`")));
        }
    }

    fn fail(&mut self, mark: Marker, message: String) {
        self.error = Some((mark.line(), mark.col() + 1, message));
    }
}

/// The text of any scalar, null included.
fn scalar(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Scalar { text, .. } => Some(text),
        _ => None,
    }
}

/// A YAML syntax problem: 1-based line and column, and the parser's words.
type YamlError = (usize, usize, String);

/// Parses the first YAML document of `text`; `None` for an empty one.
fn parse_yaml(text: &str) -> Result<Option<Rc<Node>>, YamlError> {
    let mut loader = Loader::default();
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut loader, false) {
        let m = e.marker();
        return Err((m.line(), m.col() + 1, e.info().to_string()));
    }
    match loader.error {
        Some(err) => Err(err),
        None => Ok(loader.root),
    }
}

/// One key of a mapping after merge keys are applied.
#[derive(Debug)]
struct Pair {
    key: String,
    /// The key's line.
    line: usize,
    value: Rc<Node>,
}

/// How many keys one [`pairs`] call may visit, merged mappings included:
/// a guard against files that merge the same mappings over and over.
const MERGE_BUDGET: usize = 100_000;

/// The keys of a mapping with `<<` merge keys applied, as YAML 1.1 defines
/// them and Docker Compose applies them: the mapping's own keys win over
/// merged ones, and among `<<: [*a, *b]` the earlier mapping wins. Only a
/// plain (unquoted) `<<` merges. `None` when the node is not a mapping
/// (or when merging would visit more than [`MERGE_BUDGET`] keys).
/// yaml-rust2 resolves aliases but leaves `<<` as an ordinary key, hence
/// this.
fn pairs(node: &Node) -> Option<Vec<Pair>> {
    let mut budget = MERGE_BUDGET;
    pairs_within(node, &mut budget)
}

fn pairs_within(node: &Node, budget: &mut usize) -> Option<Vec<Pair>> {
    let Value::Map(map) = &node.value else {
        return None;
    };
    let mut own: Vec<Pair> = Vec::with_capacity(map.len());
    let mut merged: Vec<&Rc<Node>> = Vec::new();
    for (k, v) in map {
        *budget = budget.checked_sub(1)?;
        let Value::Scalar { text, plain } = &k.value else {
            continue;
        };
        if *plain && text == "<<" {
            match &v.value {
                Value::Map(_) => merged.push(v),
                Value::Seq(items) => merged.extend(items.iter().filter(|i| i.is_map())),
                Value::Scalar { .. } => {}
            }
            continue;
        }
        own.push(Pair {
            key: text.clone(),
            line: k.line,
            value: Rc::clone(v),
        });
    }
    for m in merged {
        for p in pairs_within(m, budget)? {
            if !own.iter().any(|o| o.key == p.key) {
                own.push(p);
            }
        }
    }
    Some(own)
}

fn get<'a>(pairs: &'a [Pair], key: &str) -> Option<&'a Pair> {
    pairs.iter().find(|p| p.key == key)
}

// ---------------------------------------------------------------------------
// Compose files
// ---------------------------------------------------------------------------

/// A string setting of a build section and where it was written.
#[derive(Clone, Debug)]
struct Field {
    text: String,
    file: String,
    line: usize,
}

/// A service's build settings as written, before interpolation.
#[derive(Clone, Debug, Default)]
struct BuildSpec {
    context: Option<Field>,
    dockerfile: Option<Field>,
    target: Option<Field>,
    /// Where `dockerfile_inline` was set.
    inline: Option<Field>,
    /// The compose files that set any of it, in order.
    files: Vec<String>,
}

/// A service's `build` key.
#[derive(Clone, Debug)]
enum Build {
    /// No `build` key (or `build: null`).
    Absent,
    /// `build: !reset` in an override file: the base file's build goes.
    Reset,
    /// A usable build section; `replace` for `!override` (no field merge).
    Spec { spec: Box<BuildSpec>, replace: bool },
    /// A build section that cannot be used: the note says why.
    Invalid(String),
}

/// One service of a compose file.
#[derive(Debug)]
struct Service {
    name: String,
    build: Build,
}

/// Reads one compose file at the root. Problems become notes; `None` when
/// the file cannot be used at all.
fn read_compose(root: &Path, name: &str, notes: &mut Vec<String>) -> Option<Vec<Service>> {
    let text = match std::fs::read_to_string(root.join(name)) {
        Ok(t) => t,
        Err(e) => {
            notes.push(format!("{name}: could not be read ({e}); skipped."));
            return None;
        }
    };
    let doc = match parse_yaml(&text) {
        Ok(Some(doc)) => doc,
        Ok(None) => return Some(Vec::new()),
        Err((line, col, why)) => {
            notes.push(format!(
                "{name}:{line}:{col}: not valid YAML ({why}); the file is skipped."
            ));
            return None;
        }
    };
    if doc.is_null() {
        return Some(Vec::new());
    }
    let Some(top) = pairs(&doc) else {
        notes.push(format!(
            "{name}: the top level is not a mapping; the file is skipped."
        ));
        return None;
    };
    if let Some(inc) = get(&top, "include") {
        notes.push(format!(
            "{name}:{}: include is not followed; services of included files are not listed.",
            inc.line
        ));
    }
    let Some(services) = get(&top, "services") else {
        return Some(Vec::new());
    };
    if services.value.is_null() {
        return Some(Vec::new());
    }
    let Some(services) = pairs(&services.value) else {
        notes.push(format!(
            "{name}:{}: services is not a mapping; no service is read.",
            services.line
        ));
        return None;
    };
    let mut out = Vec::with_capacity(services.len());
    for svc in &services {
        let keys = pairs(&svc.value).unwrap_or_default();
        if let Some(ext) = get(&keys, "extends") {
            notes.push(format!(
                "{name}:{}: service {}: extends is not followed; build settings it inherits are not read.",
                ext.line, svc.key
            ));
        }
        let build = get(&keys, "build").map_or(Build::Absent, |b| read_build(name, &svc.key, b));
        out.push(Service {
            name: svc.key.clone(),
            build,
        });
    }
    Some(out)
}

/// Reads a service's `build`: the short form (`build: ./dir`, the context)
/// or the long form (a mapping).
fn read_build(file: &str, service: &str, build: &Pair) -> Build {
    let node = &build.value;
    let tag = node.tag.as_deref();
    if tag == Some("!reset") {
        return Build::Reset;
    }
    let replace = tag == Some("!override");
    let field = |p: &Pair| Field {
        text: scalar(&p.value).unwrap_or_default().to_string(),
        file: file.to_string(),
        line: p.line,
    };
    if node.is_null() {
        return Build::Absent;
    }
    let mut spec = Box::new(BuildSpec {
        files: vec![file.to_string()],
        ..BuildSpec::default()
    });
    if node.text().is_some() {
        spec.context = Some(field(build));
        return Build::Spec { spec, replace };
    }
    let Some(keys) = pairs(node) else {
        return Build::Invalid(format!(
            "{file}:{}: service {service}: build is neither a path nor a mapping; skipped.",
            build.line
        ));
    };
    for (key, slot) in [
        ("context", &mut spec.context),
        ("dockerfile", &mut spec.dockerfile),
        ("target", &mut spec.target),
        ("dockerfile_inline", &mut spec.inline),
    ] {
        let Some(p) = get(&keys, key) else {
            continue;
        };
        if p.value.is_null() {
            continue;
        }
        if p.value.text().is_none() {
            return Build::Invalid(format!(
                "{file}:{}: service {service}: build.{key} is not a string; skipped.",
                p.line
            ));
        }
        *slot = Some(field(p));
    }
    Build::Spec { spec, replace }
}

/// An override file's build over the base file's, the way Compose merges
/// them: field by field, unless the override says `!reset` or `!override`.
fn merge_build(base: Build, over: Build) -> Build {
    match (base, over) {
        (base, Build::Absent) => base,
        (_, Build::Reset) => Build::Absent,
        (
            Build::Spec {
                spec: mut b,
                replace,
            },
            Build::Spec {
                spec: o,
                replace: false,
            },
        ) => {
            b.context = o.context.or(b.context);
            b.dockerfile = o.dockerfile.or(b.dockerfile);
            b.target = o.target.or(b.target);
            b.inline = o.inline.or(b.inline);
            for f in o.files {
                if !b.files.contains(&f) {
                    b.files.push(f);
                }
            }
            Build::Spec { spec: b, replace }
        }
        (_, over) => over,
    }
}

/// Merges an override file's services into the base file's: same-named
/// services get their build merged, new ones are appended in order.
fn merge_services(base: &mut Vec<Service>, over: Vec<Service>) {
    for s in over {
        match base.iter_mut().find(|b| b.name == s.name) {
            Some(b) => {
                let old = std::mem::replace(&mut b.build, Build::Absent);
                b.build = merge_build(old, s.build);
            }
            None => base.push(s),
        }
    }
}

/// The variables of the `.env` file next to the compose files, read the
/// first time one is needed.
struct DotEnv<'a> {
    root: &'a Path,
    vars: Option<HashMap<String, String>>,
}

impl DotEnv<'_> {
    fn vars(&mut self, notes: &mut Vec<String>) -> &HashMap<String, String> {
        let root = self.root;
        self.vars
            .get_or_insert_with(|| match std::fs::read_to_string(root.join(".env")) {
                Ok(text) => parse_dotenv(&text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => HashMap::new(),
                Err(e) => {
                    notes.push(format!(
                        ".env: could not be read ({e}); its variables are taken as unset."
                    ));
                    HashMap::new()
                }
            })
    }
}

/// `KEY=VALUE` lines of a `.env` file: blank lines and `#` comments
/// skipped, an `export ` prefix allowed, one pair of surrounding quotes
/// stripped, and ` #` ending an unquoted value. Values are taken
/// literally (no escapes, no `${...}` inside). A later line wins.
fn parse_dotenv(text: &str) -> HashMap<String, String> {
    let mut vars = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if key.is_empty() || name_len(key) != key.len() {
            continue;
        }
        vars.insert(key.to_string(), unquote(value.trim()));
    }
    vars
}

fn unquote(v: &str) -> String {
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q) {
            if let Some(end) = inner.find(q) {
                return inner[..end].to_string();
            }
        }
    }
    match v.find(" #") {
        Some(i) => v[..i].trim_end().to_string(),
        None => v.to_string(),
    }
}

/// Why a value could not be interpolated.
#[derive(Debug, PartialEq, Eq)]
enum Unresolved {
    /// This variable is needed and `.env` does not set it.
    Unset(String),
    /// A `$` that starts no valid expression.
    Syntax,
}

/// Compose interpolation over `.env` variables only: `$$` is `$`; `$VAR`
/// and `${VAR}` need VAR; `${VAR:-d}` / `${VAR-d}` give `d` when VAR is
/// unset or empty / unset; `${VAR:?e}` / `${VAR?e}` need VAR;
/// `${VAR:+r}` / `${VAR+r}` give `r` when VAR is set and non-empty / set,
/// else nothing. Defaults may hold expressions themselves.
fn interpolate(s: &str, vars: &HashMap<String, String>) -> Result<String, Unresolved> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = closing_brace(body).ok_or(Unresolved::Syntax)?;
            out.push_str(&braced(&body[..end], vars)?);
            rest = &body[end + 1..];
        } else {
            let n = name_len(after);
            if n == 0 {
                return Err(Unresolved::Syntax);
            }
            let name = &after[..n];
            let value = vars
                .get(name)
                .ok_or_else(|| Unresolved::Unset(name.to_string()))?;
            out.push_str(value);
            rest = &after[n..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The inside of `${...}`.
fn braced(body: &str, vars: &HashMap<String, String>) -> Result<String, Unresolved> {
    let n = name_len(body);
    if n == 0 {
        return Err(Unresolved::Syntax);
    }
    let (name, op) = body.split_at(n);
    let value = vars.get(name);
    if op.is_empty() {
        return value
            .cloned()
            .ok_or_else(|| Unresolved::Unset(name.to_string()));
    }
    let (colon, op) = match op.strip_prefix(':') {
        Some(rest) => (true, rest),
        None => (false, op),
    };
    let set = value.filter(|v| !colon || !v.is_empty());
    let mut chars = op.chars();
    let kind = chars.next();
    let word = chars.as_str();
    match (kind, set) {
        (Some('-'), Some(v)) | (Some('?'), Some(v)) => Ok(v.clone()),
        (Some('-'), None) => interpolate(word, vars),
        (Some('?'), None) => Err(Unresolved::Unset(name.to_string())),
        (Some('+'), Some(_)) => interpolate(word, vars),
        (Some('+'), None) => Ok(String::new()),
        _ => Err(Unresolved::Syntax),
    }
}

/// Index of the `}` closing a `${` whose body starts `s`.
fn closing_brace(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'{' => depth += 1,
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Length of the variable name `s` starts with (`[_A-Za-z][_A-Za-z0-9]*`).
fn name_len(s: &str) -> usize {
    let b = s.as_bytes();
    if !b
        .first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
    {
        return 0;
    }
    b.iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count()
}

/// The compose targets at `root`, in file and service order, each with
/// whether it claims its Dockerfile (an inline Dockerfile claims none).
fn compose_targets(root: &Path, notes: &mut Vec<String>) -> Vec<(BuildTarget, bool)> {
    let exists = |n: &&str| root.join(n).is_file();
    let bases: Vec<&str> = BASE_FILES.iter().copied().filter(exists).collect();
    let overrides: Vec<&str> = OVERRIDE_FILES.iter().copied().filter(exists).collect();
    let mut dotenv = DotEnv { root, vars: None };
    if root.join(".env").is_file() && dotenv.vars(notes).contains_key("COMPOSE_FILE") {
        notes.push(
            ".env: COMPOSE_FILE is not honoured; the default compose file names are read instead."
                .to_string(),
        );
    }
    let Some(&first) = bases.first() else {
        for o in overrides {
            notes.push(format!(
                "{o}: no compose file next to it, so Docker Compose does not read it; skipped."
            ));
        }
        return Vec::new();
    };
    for extra in &bases[1..] {
        notes.push(format!(
            "{extra}: Docker Compose reads only {first} by default; read here on its own."
        ));
    }
    if let Some((&used, rest)) = overrides.split_first() {
        for o in rest {
            notes.push(format!(
                "{o}: Docker Compose applies only {used} over {first}; skipped."
            ));
        }
    }

    let mut out = Vec::new();
    for (i, base) in bases.iter().enumerate() {
        let Some(mut services) = read_compose(root, base, notes) else {
            continue;
        };
        if i == 0 {
            if let Some(over) = overrides.first() {
                if let Some(more) = read_compose(root, over, notes) {
                    merge_services(&mut services, more);
                }
            }
        }
        for svc in services {
            if let Some(t) = resolve(root, svc, &mut dotenv, notes) {
                out.push(t);
            }
        }
    }
    out
}

/// A field's value after interpolation, or a note naming what is missing.
fn expand(
    f: &Field,
    what: &str,
    service: &str,
    dotenv: &mut DotEnv<'_>,
    notes: &mut Vec<String>,
) -> Option<String> {
    if !f.text.contains('$') {
        return Some(f.text.clone());
    }
    let vars = dotenv.vars(notes);
    match interpolate(&f.text, vars) {
        Ok(v) => Some(v),
        Err(why) => {
            let why = match why {
                Unresolved::Unset(var) => format!(
                    "needs ${{{var}}}, which .env does not set (the environment is not read)"
                ),
                Unresolved::Syntax => format!("has an invalid $ expression ({})", f.text),
            };
            notes.push(format!(
                "{}:{}: service {service}: build.{what} {why}; skipped.",
                f.file, f.line
            ));
            None
        }
    }
}

/// Turns a service's build settings into a target, or a note.
fn resolve(
    root: &Path,
    svc: Service,
    dotenv: &mut DotEnv<'_>,
    notes: &mut Vec<String>,
) -> Option<(BuildTarget, bool)> {
    let spec = match svc.build {
        Build::Absent | Build::Reset => return None,
        Build::Invalid(note) => {
            notes.push(note);
            return None;
        }
        Build::Spec { spec, .. } => spec,
    };
    let name = svc.name.as_str();
    let context_text = match &spec.context {
        Some(f) => expand(f, "context", name, dotenv, notes)?,
        None => ".".to_string(),
    };
    if REMOTE_PREFIXES.iter().any(|p| context_text.starts_with(p)) {
        let (file, line) = spec
            .context
            .as_ref()
            .map_or(("", 0), |f| (f.file.as_str(), f.line));
        notes.push(format!(
            "{file}:{line}: service {name}: build context {context_text} is a URL, not a local directory; skipped."
        ));
        return None;
    }
    let context = clean(&root.join(&context_text));
    let (dockerfile, claims) = match &spec.inline {
        Some(f) => {
            let dockerfile = context.join("Dockerfile");
            notes.push(format!(
                "{}:{}: service {name}: the inline Dockerfile (build.dockerfile_inline) is not read; {} stands in for it.",
                f.file,
                f.line,
                shown(root, &dockerfile)
            ));
            (dockerfile, false)
        }
        None => {
            let text = match &spec.dockerfile {
                Some(f) => expand(f, "dockerfile", name, dotenv, notes)?,
                None => "Dockerfile".to_string(),
            };
            let text = if text.is_empty() {
                "Dockerfile".to_string()
            } else {
                text
            };
            (clean(&context.join(text)), true)
        }
    };
    let target = match &spec.target {
        Some(f) => Some(expand(f, "target", name, dotenv, notes)?).filter(|t| !t.is_empty()),
        None => None,
    };
    let origin = format!("{}: service {name}", spec.files.join(" + "));
    Some((
        BuildTarget {
            context,
            dockerfile,
            target,
            origin,
        },
        claims,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A target as compared in tests: context, Dockerfile, stage, origin.
    type Row = (String, String, Option<String>, String);

    /// A temporary repository holding these files (parent directories
    /// created as needed).
    fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for (path, text) in files {
            let p = dir.path().join(path);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            std::fs::write(p, text).expect("write");
        }
        dir
    }

    /// A target as (context, dockerfile, target, origin), paths relative to
    /// the root (`.` for the root itself); absolute paths outside it stay.
    fn rel(root: &Path, t: &BuildTarget) -> Row {
        let r = |p: &Path| {
            let root = clean(root);
            match p.strip_prefix(&root) {
                Ok(x) if x.as_os_str().is_empty() => ".".to_string(),
                Ok(x) => x.display().to_string(),
                Err(_) => p.display().to_string(),
            }
        };
        (
            r(&t.context),
            r(&t.dockerfile),
            t.target.clone(),
            t.origin.clone(),
        )
    }

    fn targets(d: &tempfile::TempDir) -> (Vec<Row>, Vec<String>) {
        let found = discover(d.path());
        let ts = found.targets.iter().map(|t| rel(d.path(), t)).collect();
        (ts, found.notes)
    }

    fn t(context: &str, dockerfile: &str, target: Option<&str>, origin: &str) -> Row {
        (
            context.to_string(),
            dockerfile.to_string(),
            target.map(str::to_string),
            origin.to_string(),
        )
    }

    #[test]
    fn short_form_is_the_context() {
        let d = repo(&[(
            "compose.yaml",
            "services:\n  web:\n    build: ./web\n  db:\n    image: postgres\n",
        )]);
        let (ts, notes) = targets(&d);
        assert_eq!(
            ts,
            vec![t(
                "web",
                "web/Dockerfile",
                None,
                "compose.yaml: service web"
            )]
        );
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn long_form_defaults_and_relative_dockerfile() {
        let d = repo(&[(
            "docker-compose.yml",
            "services:\n\
             \x20 root:\n    build:\n      target: prod\n\
             \x20 api:\n    build:\n      context: ./services/api/\n      dockerfile: docker/Dockerfile.prod\n\
             \x20 up:\n    build:\n      context: app\n      dockerfile: ../Dockerfile\n",
        )]);
        let (ts, notes) = targets(&d);
        assert_eq!(
            ts,
            vec![
                t(
                    ".",
                    "Dockerfile",
                    Some("prod"),
                    "docker-compose.yml: service root"
                ),
                t(
                    "services/api",
                    "services/api/docker/Dockerfile.prod",
                    None,
                    "docker-compose.yml: service api"
                ),
                t("app", "Dockerfile", None, "docker-compose.yml: service up"),
            ]
        );
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn absolute_paths_stay_absolute() {
        let d = repo(&[(
            "compose.yml",
            "services:\n  a:\n    build:\n      context: /srv/app/./x/..\n      dockerfile: /opt/df/Dockerfile\n",
        )]);
        let (ts, _) = targets(&d);
        assert_eq!(
            ts,
            vec![t(
                "/srv/app",
                "/opt/df/Dockerfile",
                None,
                "compose.yml: service a"
            )]
        );
    }

    #[test]
    fn interpolation_uses_defaults_and_dotenv_never_the_environment() {
        let d = repo(&[
            (
                ".env",
                "# settings\nAPP_DIR=services/app\nexport STAGE=\"release\"\nEMPTY=\nQUOTED='with space' \nTAIL=x # comment\n",
            ),
            (
                "compose.yaml",
                "services:\n\
                 \x20 app:\n    build:\n      context: ${APP_DIR:-fallback}\n      dockerfile: ${DF-Dockerfile.$${x}}\n      target: $STAGE\n\
                 \x20 other:\n    build:\n      context: ${EMPTY:-./other}\n      target: ${EMPTY-none}${TAIL}\n\
                 \x20 third:\n    build: ${NOT_IN_DOTENV:-./third}/${QUOTED}\n",
            ),
        ]);
        let (ts, notes) = targets(&d);
        assert_eq!(
            ts,
            vec![
                t(
                    "services/app",
                    "services/app/Dockerfile.${x}",
                    Some("release"),
                    "compose.yaml: service app"
                ),
                t(
                    "other",
                    "other/Dockerfile",
                    Some("x"),
                    "compose.yaml: service other"
                ),
                t(
                    "third/with space",
                    "third/with space/Dockerfile",
                    None,
                    "compose.yaml: service third"
                ),
            ]
        );
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn unset_variable_skips_the_service_with_a_note() {
        // PATH is set in every process environment; it must still count as unset.
        let d = repo(&[(
            "compose.yaml",
            "services:\n  web:\n    build:\n      context: ${PATH}/web\n  ok:\n    build: .\n",
        )]);
        let (ts, notes) = targets(&d);
        assert_eq!(
            ts,
            vec![t(".", "Dockerfile", None, "compose.yaml: service ok")]
        );
        assert_eq!(
            notes,
            vec![
                "compose.yaml:4: service web: build.context needs ${PATH}, which .env does not set (the environment is not read); skipped."
            ]
        );
    }

    #[test]
    fn url_contexts_are_skipped_with_a_note() {
        let d = repo(&[(
            "compose.yaml",
            "services:\n\
             \x20 a:\n    build: https://github.com/docker/app.git#main\n\
             \x20 b:\n    build:\n      context: git@github.com:docker/app.git\n\
             \x20 c:\n    build: github.com/docker/app\n",
        )]);
        let (ts, notes) = targets(&d);
        assert!(ts.is_empty(), "{ts:?}");
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert_eq!(
            notes[0],
            "compose.yaml:3: service a: build context https://github.com/docker/app.git#main is a URL, not a local directory; skipped."
        );
        assert!(
            notes[1].starts_with("compose.yaml:6: service b:"),
            "{notes:?}"
        );
        assert!(
            notes[2].starts_with("compose.yaml:8: service c:"),
            "{notes:?}"
        );
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let d = repo(&[(
            "compose.yaml",
            "x-build: &build\n  context: ./svc\n  dockerfile: Dockerfile.prod\n  target: base\n\
             x-common: &common\n  restart: always\n  build:\n    context: ./common\n\
             x-extra: &extra\n  build:\n    context: ./extra\n\
             services:\n\
             \x20 plain:\n    build: *build\n\
             \x20 merged:\n    build:\n      <<: *build\n      target: release\n\
             \x20 whole:\n    <<: *common\n\
             \x20 list:\n    <<: [*extra, *common]\n\
             \x20 quoted:\n    build:\n      \"<<\": *build\n",
        )]);
        let (ts, notes) = targets(&d);
        assert_eq!(
            ts,
            vec![
                t(
                    "svc",
                    "svc/Dockerfile.prod",
                    Some("base"),
                    "compose.yaml: service plain"
                ),
                t(
                    "svc",
                    "svc/Dockerfile.prod",
                    Some("release"),
                    "compose.yaml: service merged"
                ),
                t(
                    "common",
                    "common/Dockerfile",
                    None,
                    "compose.yaml: service whole"
                ),
                // The earlier mapping of a merge list wins.
                t(
                    "extra",
                    "extra/Dockerfile",
                    None,
                    "compose.yaml: service list"
                ),
                // A quoted "<<" is an ordinary key: the build has only defaults.
                t(".", "Dockerfile", None, "compose.yaml: service quoted"),
            ]
        );
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn override_file_merges_build_fields() {
        let d = repo(&[
            (
                "compose.yaml",
                "services:\n\
                 \x20 web:\n    build:\n      context: ./web\n      dockerfile: Dockerfile.dev\n      target: dev\n\
                 \x20 api:\n    build: ./api\n\
                 \x20 gone:\n    build: ./gone\n\
                 \x20 swap:\n    build:\n      context: ./swap\n      target: t\n",
            ),
            (
                "compose.override.yml",
                "services:\n\
                 \x20 web:\n    build:\n      target: prod\n\
                 \x20 api:\n    build: ./api2\n    environment: [A=1]\n\
                 \x20 gone:\n    build: !reset null\n\
                 \x20 swap:\n    build: !override\n      context: ./swapped\n\
                 \x20 extra:\n    build: ./extra\n",
            ),
        ]);
        let (ts, notes) = targets(&d);
        let both = "compose.yaml + compose.override.yml";
        assert_eq!(
            ts,
            vec![
                t(
                    "web",
                    "web/Dockerfile.dev",
                    Some("prod"),
                    &format!("{both}: service web")
                ),
                t(
                    "api2",
                    "api2/Dockerfile",
                    None,
                    &format!("{both}: service api")
                ),
                t(
                    "swapped",
                    "swapped/Dockerfile",
                    None,
                    "compose.override.yml: service swap"
                ),
                t(
                    "extra",
                    "extra/Dockerfile",
                    None,
                    "compose.override.yml: service extra"
                ),
            ]
        );
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn invalid_yaml_is_a_note_with_its_line_and_discovery_goes_on() {
        let d = repo(&[
            (
                "compose.yaml",
                "services:\n  web:\n    build: [./web\n  db: x\n",
            ),
            (
                "docker-compose.yml",
                "services:\n  a:\n    build: .\n  a:\n    build: ./b\n",
            ),
            ("svc/Dockerfile", "FROM scratch\n"),
        ]);
        let found = discover(d.path());
        let ts: Vec<_> = found.targets.iter().map(|t| rel(d.path(), t)).collect();
        assert_eq!(
            ts,
            vec![t(
                "svc",
                "svc/Dockerfile",
                None,
                "Dockerfile found at svc/Dockerfile"
            )]
        );
        assert_eq!(found.notes.len(), 3, "{:?}", found.notes);
        assert_eq!(
            found.notes[0],
            "docker-compose.yml: Docker Compose reads only compose.yaml by default; read here on its own."
        );
        assert!(
            found.notes[1].starts_with("compose.yaml:4:")
                && found.notes[1].contains("not valid YAML"),
            "{:?}",
            found.notes
        );
        assert!(
            found.notes[2].starts_with("docker-compose.yml:4:")
                && found.notes[2].contains("duplicate key `a`"),
            "{:?}",
            found.notes
        );
    }

    #[test]
    fn extends_include_inline_and_bad_build_are_noted() {
        let d = repo(&[(
            "compose.yaml",
            "include:\n  - other.yaml\n\
             services:\n\
             \x20 child:\n    extends:\n      file: base.yaml\n      service: web\n\
             \x20 inline:\n    build:\n      context: ./in\n      dockerfile_inline: |\n        FROM scratch\n\
             \x20 bad:\n    build: [a, b]\n\
             \x20 nested:\n    build:\n      context: {a: b}\n",
        )]);
        let (ts, notes) = targets(&d);
        assert_eq!(
            ts,
            vec![t(
                "in",
                "in/Dockerfile",
                None,
                "compose.yaml: service inline"
            )]
        );
        assert_eq!(
            notes,
            vec![
                "compose.yaml:1: include is not followed; services of included files are not listed.",
                "compose.yaml:5: service child: extends is not followed; build settings it inherits are not read.",
                "compose.yaml:11: service inline: the inline Dockerfile (build.dockerfile_inline) is not read; in/Dockerfile stands in for it.",
                "compose.yaml:14: service bad: build is neither a path nor a mapping; skipped.",
                "compose.yaml:17: service nested: build.context is not a string; skipped.",
            ]
        );
    }

    #[test]
    fn only_one_override_applies_and_an_orphan_override_is_not_read() {
        let d = repo(&[
            ("compose.yaml", "services:\n  a:\n    build: ./a\n"),
            (
                "compose.override.yml",
                "services:\n  a:\n    build:\n      target: t\n",
            ),
            (
                "docker-compose.override.yaml",
                "services:\n  a:\n    build: ./zzz\n",
            ),
        ]);
        let (ts, notes) = targets(&d);
        assert_eq!(
            ts,
            vec![t(
                "a",
                "a/Dockerfile",
                Some("t"),
                "compose.yaml + compose.override.yml: service a"
            )]
        );
        assert_eq!(
            notes,
            vec!["docker-compose.override.yaml: Docker Compose applies only compose.override.yml over compose.yaml; skipped."]
        );

        let d = repo(&[("compose.override.yaml", "services:\n  a:\n    build: .\n")]);
        let (ts, notes) = targets(&d);
        assert!(ts.is_empty());
        assert_eq!(
            notes,
            vec!["compose.override.yaml: no compose file next to it, so Docker Compose does not read it; skipped."]
        );
    }

    #[test]
    fn dockerfiles_in_the_tree_skip_catalogued_directories() {
        let d = repo(&[
            ("Dockerfile", ""),
            ("Dockerfile.dev", ""),
            ("Dockerfile.dockerignore", ""),
            ("api.Dockerfile", ""),
            ("tools/worker.dockerfile", ""),
            ("svc/a/Dockerfile", ""),
            ("svc/b/Containerfile", ""),
            ("svc/b/notes.md", ""),
            ("node_modules/x/Dockerfile", ""),
            (".git/Dockerfile", ""),
            (".venv/pyvenv.cfg", ""),
            (".venv/lib/Dockerfile", ""),
            ("rust/Cargo.toml", ""),
            ("rust/target/Dockerfile", ""),
            // An ordinary `build` directory (no manifest next to it) is searched.
            ("build/docker/Dockerfile", ""),
            // Too deep: nine levels.
            ("1/2/3/4/5/6/7/8/Dockerfile", ""),
            ("1/2/3/4/5/6/7/Dockerfile", ""),
        ]);
        let (ts, notes) = targets(&d);
        let got: Vec<(&str, &str)> = ts.iter().map(|x| (x.0.as_str(), x.1.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("1/2/3/4/5/6/7", "1/2/3/4/5/6/7/Dockerfile"),
                (".", "Dockerfile"),
                (".", "Dockerfile.dev"),
                (".", "api.Dockerfile"),
                ("build/docker", "build/docker/Dockerfile"),
                ("svc/a", "svc/a/Dockerfile"),
                ("svc/b", "svc/b/Containerfile"),
                ("tools", "tools/worker.dockerfile"),
            ]
        );
        assert_eq!(ts[5].3, "Dockerfile found at svc/a/Dockerfile");
        assert!(ts.iter().all(|x| x.2.is_none()));
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn compose_targets_come_first_and_are_not_repeated() {
        let d = repo(&[
            (
                "compose.yaml",
                "services:\n\
                 \x20 web:\n    build: ./web\n\
                 \x20 web2:\n    build:\n      context: web/\n\
                 \x20 api:\n    build:\n      context: .\n      dockerfile: api/Dockerfile\n",
            ),
            ("web/Dockerfile", ""),
            ("api/Dockerfile", ""),
            ("zz/Dockerfile", ""),
        ]);
        let (ts, notes) = targets(&d);
        assert_eq!(
            ts,
            vec![
                t(
                    "web",
                    "web/Dockerfile",
                    None,
                    "compose.yaml: service web; compose.yaml: service web2"
                ),
                // Compose uses api/Dockerfile with the root as context: the
                // found file is not listed again with api/ as context.
                t(".", "api/Dockerfile", None, "compose.yaml: service api"),
                t(
                    "zz",
                    "zz/Dockerfile",
                    None,
                    "Dockerfile found at zz/Dockerfile"
                ),
            ]
        );
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn a_relative_root_gives_clean_relative_paths() {
        let d = repo(&[
            (
                "proj/compose.yaml",
                "services:\n  a:\n    build: ./a/../b\n",
            ),
            ("proj/c/Dockerfile", ""),
        ]);
        let root = d.path().join("proj/./");
        let found = discover(&root);
        let want_root = clean(&root);
        assert_eq!(found.targets[0].context, want_root.join("b"));
        assert_eq!(found.targets[1].dockerfile, want_root.join("c/Dockerfile"));
    }

    #[test]
    fn a_missing_root_is_a_note() {
        let d = repo(&[]);
        let found = discover(&d.path().join("nope"));
        assert!(found.targets.is_empty());
        assert_eq!(found.notes.len(), 1, "{:?}", found.notes);
        assert!(
            found.notes[0].starts_with(&format!(
                "{}: could not be read (",
                d.path().join("nope").display()
            )),
            "{:?}",
            found.notes
        );
    }

    #[test]
    fn compose_file_in_dotenv_is_noted() {
        let d = repo(&[
            (".env", "COMPOSE_FILE=compose.yaml:compose.prod.yaml\n"),
            ("compose.yaml", "services:\n  a:\n    build: ./a\n"),
        ]);
        let (ts, notes) = targets(&d);
        assert_eq!(ts.len(), 1);
        assert_eq!(
            notes,
            vec![".env: COMPOSE_FILE is not honoured; the default compose file names are read instead."]
        );
    }

    #[test]
    fn interpolation_rules() {
        let vars: HashMap<String, String> = [("A", "a"), ("E", ""), ("_B1", "b")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let ok = |s: &str| interpolate(s, &vars);
        assert_eq!(ok("plain"), Ok("plain".into()));
        assert_eq!(ok("$A/${_B1}"), Ok("a/b".into()));
        assert_eq!(ok("$$A"), Ok("$A".into()));
        assert_eq!(ok("${E:-d}|${E-d}|${U-d}|${U:-d}"), Ok("d||d|d".into()));
        assert_eq!(ok("${U:-${A}x}"), Ok("ax".into()));
        assert_eq!(ok("${A:+r}|${E:+r}|${E+r}|${U+r}"), Ok("r||r|".into()));
        assert_eq!(ok("${A:?need}"), Ok("a".into()));
        assert_eq!(ok("${U:?need}"), Err(Unresolved::Unset("U".into())));
        assert_eq!(ok("${E:?need}"), Err(Unresolved::Unset("E".into())));
        assert_eq!(ok("$U"), Err(Unresolved::Unset("U".into())));
        assert_eq!(ok("${A"), Err(Unresolved::Syntax));
        assert_eq!(ok("$ "), Err(Unresolved::Syntax));
        assert_eq!(ok("${A*x}"), Err(Unresolved::Syntax));
    }

    #[test]
    fn lexical_clean() {
        for (from, to) in [
            ("a/./b/../c", "a/c"),
            ("./", "."),
            ("a/..", "."),
            ("../a/../../b", "../../b"),
            ("/a/../..", "/"),
            ("/x/./y/", "/x/y"),
        ] {
            assert_eq!(clean(Path::new(from)), PathBuf::from(to), "{from}");
        }
    }

    #[test]
    fn dockerfile_names() {
        for yes in [
            "Dockerfile",
            "dockerfile",
            "Containerfile",
            "Dockerfile.dev",
            "api.Dockerfile",
            "api.dockerfile",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "Dockerfile.",
            ".Dockerfile",
            "Dockerfile.dockerignore",
            "api.Dockerfile.dockerignore",
            "Dockerfile.orig",
            "Dockerfiles",
            "README.md",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }

    #[test]
    fn deep_nesting_and_alias_bombs_are_refused_or_cheap() {
        let deep = format!("a: {}{}\n", "[".repeat(1000), "]".repeat(1000));
        assert!(parse_yaml(&deep).is_err());
        // Nine levels of ten aliases each: 10^9 nodes if copied, shared here.
        let mut bomb = String::from("a0: &a0 [x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            bomb.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
        }
        bomb.push_str("services:\n  web:\n    build: .\n");
        let d = repo(&[("compose.yaml", &bomb)]);
        let (ts, _) = targets(&d);
        assert_eq!(ts.len(), 1);
    }
}
