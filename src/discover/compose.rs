//! Compose files: what `docker compose build` builds.
//!
//! Compose files are read wherever they are in the tree, one directory at a
//! time, the way Docker Compose reads them when run in that directory:
//!
//! - the first of `compose.yaml`, `compose.yml`, `docker-compose.yml`,
//!   `docker-compose.yaml` is the base file, and the first of
//!   `compose.override.yml`, `compose.override.yaml`,
//!   `docker-compose.override.yml`, `docker-compose.override.yaml` is merged
//!   over it; a second base file is read on its own, with a note;
//! - any other compose file of the directory (`compose.prod.yaml`,
//!   `docker-compose.override.ci.yml`) is merged over the base file as
//!   `docker compose -f <base> -f <file>` would, for the services whose
//!   `build` it sets, and read on its own where there is no base file.
//!
//! Each `services.<name>.build` gives a context directory (relative to the
//! compose file's directory), a Dockerfile (relative to the context) and a
//! target stage, resolved the way Compose resolves them: YAML anchors,
//! aliases and `<<` merge keys applied, `${VAR:-default}` interpolation
//! from the directory's `.env` file only (never the process environment),
//! override fields merged over the base file's one by one (`!reset` and
//! `!override` honoured). Services with `profiles:` are kept, with their
//! profiles in the origin. When a context does not exist next to the
//! compose file but does, with its Dockerfile, relative to a directory
//! above it, the file is one run with `--project-directory` there, and that
//! directory is used (the origin says so).
//!
//! Not followed, with a note: `extends:`, `include:`, `COMPOSE_FILE` in
//! `.env`. URL contexts and unset variables skip the service with a note.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::dotenv::{interpolate, parse_dotenv, Unresolved};
use super::yaml::{get, pairs, parse_yaml, scalar, Pair};
use super::{dir_of, join, Declared, Files, Origin, SourceKind};

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

/// Whether a build context is a URL or a Git remote, not a local directory.
pub(super) fn is_remote(context: &str) -> bool {
    REMOTE_PREFIXES.iter().any(|p| context.starts_with(p))
}

/// The builds of the compose files `paths` (relative to the root, sorted),
/// directory by directory.
pub(super) fn read_all(files: &mut Files<'_>, paths: &[PathBuf]) -> Vec<Declared> {
    let mut by_dir: Vec<(PathBuf, Vec<PathBuf>)> = Vec::new();
    for p in paths {
        let dir = dir_of(p);
        match by_dir.iter_mut().find(|(d, _)| *d == dir) {
            Some((_, v)) => v.push(p.clone()),
            None => by_dir.push((dir, vec![p.clone()])),
        }
    }
    let mut out = Vec::new();
    for (dir, in_dir) in by_dir {
        read_dir(files, &dir, &in_dir, &mut out);
    }
    out
}

/// The compose files of one directory.
fn read_dir(files: &mut Files<'_>, dir: &Path, in_dir: &[PathBuf], out: &mut Vec<Declared>) {
    let named = |names: &[&str]| -> Vec<PathBuf> {
        names
            .iter()
            .filter_map(|n| {
                in_dir
                    .iter()
                    .find(|p| p.file_name().is_some_and(|f| f == *n))
            })
            .cloned()
            .collect()
    };
    let bases = named(&BASE_FILES);
    let overrides = named(&OVERRIDE_FILES);
    let others: Vec<&PathBuf> = in_dir
        .iter()
        .filter(|p| !bases.contains(p) && !overrides.contains(p))
        .collect();
    let mut env = DotEnv::new(dir);
    if env.vars(files).contains_key("COMPOSE_FILE") {
        files.notes.push(format!(
            "{}: COMPOSE_FILE is not honoured; the default compose file names are read instead.",
            join(dir, ".env").display()
        ));
    }
    let Some(first) = bases.first() else {
        for o in &overrides {
            files.notes.push(format!(
                "{}: no compose file next to it, so Docker Compose does not read it; skipped.",
                o.display()
            ));
        }
        for o in others {
            if let Some(services) = read_file(files, o) {
                emit(files, &mut env, dir, services, out);
            }
        }
        return;
    };
    let name = |p: &Path| {
        p.file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    for extra in &bases[1..] {
        files.notes.push(format!(
            "{}: Docker Compose reads only {} by default; read here on its own.",
            extra.display(),
            name(first)
        ));
    }
    if let Some((used, rest)) = overrides.split_first() {
        for o in rest {
            files.notes.push(format!(
                "{}: Docker Compose applies only {} over {}; skipped.",
                o.display(),
                name(used),
                name(first)
            ));
        }
    }
    let base = read_file(files, first);
    if let Some(base) = &base {
        let mut services = base.clone();
        if let Some(over) = overrides.first() {
            if let Some(more) = read_file(files, over) {
                merge_services(&mut services, more);
            }
        }
        emit(files, &mut env, dir, services, out);
    }
    for extra in &bases[1..] {
        if let Some(services) = read_file(files, extra) {
            emit(files, &mut env, dir, services, out);
        }
    }
    for o in others {
        let Some(more) = read_file(files, o) else {
            continue;
        };
        let mut merged = Vec::new();
        for s in more {
            if matches!(s.build, Build::Absent) {
                continue;
            }
            let under = base
                .as_ref()
                .and_then(|b| b.iter().find(|x| x.name == s.name));
            match under {
                Some(b) => merged.push(Service {
                    build: merge_build(b.build.clone(), s.build),
                    ..s
                }),
                None => merged.push(s),
            }
        }
        emit(files, &mut env, dir, merged, out);
    }
}

/// Resolves services into builds.
fn emit(
    files: &mut Files<'_>,
    env: &mut DotEnv,
    dir: &Path,
    services: Vec<Service>,
    out: &mut Vec<Declared>,
) {
    for svc in services {
        if let Some(d) = resolve(files, env, dir, svc) {
            out.push(d);
        }
    }
}

/// A string setting of a build section and where it was written.
#[derive(Clone, Debug)]
struct Field {
    text: String,
    file: PathBuf,
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
    files: Vec<PathBuf>,
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
#[derive(Clone, Debug)]
struct Service {
    name: String,
    /// The file and line of the service's key (the last file that set its
    /// build, after merging).
    file: PathBuf,
    line: usize,
    profiles: Vec<String>,
    build: Build,
}

/// Reads one compose file. Problems become notes; `None` when the file
/// cannot be used at all.
fn read_file(files: &mut Files<'_>, rel: &Path) -> Option<Vec<Service>> {
    let text = files.text(rel)?;
    let shown = rel.display();
    let doc = match parse_yaml(&text) {
        Ok(Some(doc)) => doc,
        Ok(None) => return Some(Vec::new()),
        Err((line, col, why)) => {
            files.notes.push(format!(
                "{shown}:{line}:{col}: not valid YAML ({why}); the file is skipped."
            ));
            return None;
        }
    };
    if doc.is_null() {
        return Some(Vec::new());
    }
    let Some(top) = pairs(&doc) else {
        files.notes.push(format!(
            "{shown}: the top level is not a mapping; the file is skipped."
        ));
        return None;
    };
    if let Some(inc) = get(&top, "include") {
        files.notes.push(format!(
            "{shown}:{}: include is not followed; services of included files are not listed.",
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
        files.notes.push(format!(
            "{shown}:{}: services is not a mapping; no service is read.",
            services.line
        ));
        return None;
    };
    let mut out = Vec::with_capacity(services.len());
    for svc in &services {
        let keys = pairs(&svc.value).unwrap_or_default();
        if let Some(ext) = get(&keys, "extends") {
            files.notes.push(format!(
                "{shown}:{}: service {}: extends is not followed; build settings it inherits are not read.",
                ext.line, svc.key
            ));
        }
        let build = get(&keys, "build").map_or(Build::Absent, |b| read_build(rel, &svc.key, b));
        let profiles = get(&keys, "profiles")
            .map(|p| match &p.value.value {
                super::yaml::Value::Seq(items) => items
                    .iter()
                    .filter_map(|i| i.text().map(str::to_string))
                    .collect(),
                _ => p.value.text().map(str::to_string).into_iter().collect(),
            })
            .unwrap_or_default();
        out.push(Service {
            name: svc.key.clone(),
            file: rel.to_path_buf(),
            line: svc.line,
            profiles,
            build,
        });
    }
    Some(out)
}

/// Reads a service's `build`: the short form (`build: ./dir`, the context)
/// or the long form (a mapping).
fn read_build(file: &Path, service: &str, build: &Pair) -> Build {
    let node = &build.value;
    let tag = node.tag.as_deref();
    if tag == Some("!reset") {
        return Build::Reset;
    }
    let replace = tag == Some("!override");
    let field = |p: &Pair| Field {
        text: scalar(&p.value).unwrap_or_default().to_string(),
        file: file.to_path_buf(),
        line: p.line,
    };
    if node.is_null() {
        return Build::Absent;
    }
    let mut spec = Box::new(BuildSpec {
        files: vec![file.to_path_buf()],
        ..BuildSpec::default()
    });
    if node.text().is_some() {
        spec.context = Some(field(build));
        return Build::Spec { spec, replace };
    }
    let Some(keys) = pairs(node) else {
        return Build::Invalid(format!(
            "{}:{}: service {service}: build is neither a path nor a mapping; skipped.",
            file.display(),
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
                "{}:{}: service {service}: build.{key} is not a string; skipped.",
                file.display(),
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
                if s.profiles.iter().any(|p| !b.profiles.contains(p)) {
                    b.profiles = s.profiles;
                }
            }
            None => base.push(s),
        }
    }
}

/// The variables of a directory's `.env` file, read the first time one is
/// needed.
struct DotEnv {
    path: PathBuf,
    vars: Option<HashMap<String, String>>,
}

impl DotEnv {
    fn new(dir: &Path) -> Self {
        DotEnv {
            path: join(dir, ".env"),
            vars: None,
        }
    }

    fn vars(&mut self, files: &mut Files<'_>) -> &HashMap<String, String> {
        let path = &self.path;
        self.vars.get_or_insert_with(|| {
            files
                .text_if_any(path)
                .map(|t| parse_dotenv(&t))
                .unwrap_or_default()
        })
    }
}

/// A field's value after interpolation, or a note naming what is missing.
fn expand(
    f: &Field,
    what: &str,
    service: &str,
    env: &mut DotEnv,
    files: &mut Files<'_>,
) -> Option<String> {
    if !f.text.contains('$') {
        return Some(f.text.clone());
    }
    let vars = env.vars(files);
    match interpolate(&f.text, vars) {
        Ok(v) => Some(v),
        Err(why) => {
            let why = match why {
                Unresolved::Unset(var) => format!(
                    "needs ${{{var}}}, which .env does not set (the environment is not read)"
                ),
                Unresolved::Syntax => format!("has an invalid $ expression ({})", f.text),
            };
            files.notes.push(format!(
                "{}:{}: service {service}: build.{what} {why}; skipped.",
                f.file.display(),
                f.line
            ));
            None
        }
    }
}

/// Turns a service's build settings into a build, or a note.
fn resolve(files: &mut Files<'_>, env: &mut DotEnv, dir: &Path, svc: Service) -> Option<Declared> {
    let spec = match svc.build {
        Build::Absent | Build::Reset => return None,
        Build::Invalid(note) => {
            files.notes.push(note);
            return None;
        }
        Build::Spec { spec, .. } => spec,
    };
    let name = svc.name.as_str();
    let context_text = match &spec.context {
        Some(f) => expand(f, "context", name, env, files)?,
        None => ".".to_string(),
    };
    if is_remote(&context_text) {
        let (file, line) = spec
            .context
            .as_ref()
            .map_or((svc.file.clone(), svc.line), |f| (f.file.clone(), f.line));
        files.notes.push(format!(
            "{}:{line}: service {name}: build context {context_text} is a URL, not a local directory; skipped.",
            file.display()
        ));
        return None;
    }
    let dockerfile_text = match (&spec.inline, &spec.dockerfile) {
        (Some(_), _) => None,
        (None, Some(f)) => {
            Some(expand(f, "dockerfile", name, env, files)?).filter(|t| !t.is_empty())
        }
        (None, None) => None,
    };
    let target = match &spec.target {
        Some(f) => Some(expand(f, "target", name, env, files)?).filter(|t| !t.is_empty()),
        None => None,
    };
    let df_text = dockerfile_text.as_deref().unwrap_or("Dockerfile");
    let mut context = join(dir, &context_text);
    let mut detail = format!("service {name}");
    if spec.files.len() > 1 {
        let others: Vec<String> = spec.files[1..]
            .iter()
            .map(|f| f.display().to_string())
            .collect();
        detail.push_str(&format!(" ({} merged over it)", others.join(", ")));
    }
    if !svc.profiles.is_empty() {
        detail.push_str(&format!(" (profiles: {})", svc.profiles.join(", ")));
    }
    let missing = !files.is_dir(&context)
        || (spec.inline.is_none() && !files.is_file(&join(&context, df_text)));
    if missing && !Path::new(&context_text).is_absolute() {
        if let Some(project) = project_dir(files, dir, &context_text, df_text) {
            context = join(&project, &context_text);
            detail.push_str(&format!(
                " (context relative to {}, the project directory: the build is not found from the compose file's directory)",
                project.display()
            ));
        }
    }
    let dockerfile = join(&context, df_text);
    if let Some(f) = &spec.inline {
        files.notes.push(format!(
            "{}:{}: service {name}: the inline Dockerfile (build.dockerfile_inline) is not read; {} stands in for it.",
            f.file.display(),
            f.line,
            dockerfile.display()
        ));
    }
    let first = spec.files.first().cloned().unwrap_or(svc.file.clone());
    let line = if first == svc.file {
        Some(svc.line)
    } else {
        None
    };
    Some(Declared {
        context,
        dockerfile,
        target,
        origin: Origin {
            kind: SourceKind::Compose,
            file: first,
            line,
            detail,
        },
        claims: spec.inline.is_none(),
    })
}

/// The nearest directory above `dir` from which `context` is a directory
/// and `dockerfile` (relative to it) a file: the project directory
/// (`--project-directory`) a compose file in `dir` is run with.
fn project_dir(files: &Files<'_>, dir: &Path, context: &str, dockerfile: &str) -> Option<PathBuf> {
    let mut up = dir.to_path_buf();
    while up != Path::new(".") {
        up = super::dir_of(&up);
        let ctx = join(&up, context);
        let inside = !ctx.starts_with("..");
        if inside && files.is_dir(&ctx) && files.is_file(&join(&ctx, dockerfile)) {
            return Some(up);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::tests::{builds, repo, row};

    #[test]
    fn short_form_is_the_context() {
        let d = repo(&[(
            "compose.yaml",
            "services:\n  web:\n    build: ./web\n  db:\n    image: postgres\n",
        )]);
        let (bs, notes) = builds(&d);
        assert_eq!(
            bs,
            [row(
                "web",
                "web/Dockerfile",
                None,
                "compose.yaml:2: service web"
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
        let (bs, notes) = builds(&d);
        assert_eq!(
            bs,
            [
                row(
                    ".",
                    "Dockerfile",
                    Some("prod"),
                    "docker-compose.yml:2: service root"
                ),
                row(
                    "services/api",
                    "services/api/docker/Dockerfile.prod",
                    None,
                    "docker-compose.yml:5: service api"
                ),
                row(
                    "app",
                    "Dockerfile",
                    None,
                    "docker-compose.yml:9: service up"
                ),
            ]
        );
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn compose_file_in_a_subdirectory_is_relative_to_its_directory() {
        let d = repo(&[
            (
                "docker/docker-compose.yml",
                "services:\n  app:\n    build:\n      context: ..\n      dockerfile: docker/Dockerfile\n\
                 \x20 side:\n    build: ./side\n",
            ),
            ("docker/Dockerfile", "FROM scratch\nCOPY go.mod Makefile ./\n"),
            ("docker/side/Dockerfile", "FROM scratch\n"),
            ("go.mod", "module x\n"),
            ("Makefile", "all:\n"),
        ]);
        let (bs, notes) = builds(&d);
        assert_eq!(
            bs,
            [
                row(
                    ".",
                    "docker/Dockerfile",
                    None,
                    "docker/docker-compose.yml:2: service app"
                ),
                row(
                    "docker/side",
                    "docker/side/Dockerfile",
                    None,
                    "docker/docker-compose.yml:6: service side"
                ),
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
        let (bs, _) = builds(&d);
        assert_eq!(
            bs,
            [row(
                "/srv/app",
                "/opt/df/Dockerfile",
                None,
                "compose.yml:2: service a"
            )]
        );
    }

    #[test]
    fn interpolation_uses_defaults_and_dotenv_never_the_environment() {
        let d = repo(&[
            (
                ".env",
                "APP_DIR=services/app\nexport STAGE=\"release\"\nEMPTY=\nQUOTED='with space' \nTAIL=x # comment\n",
            ),
            (
                "compose.yaml",
                "services:\n\
                 \x20 app:\n    build:\n      context: ${APP_DIR:-fallback}\n      dockerfile: ${DF-Dockerfile.$${x}}\n      target: $STAGE\n\
                 \x20 other:\n    build:\n      context: ${EMPTY:-./other}\n      target: ${EMPTY-none}${TAIL}\n\
                 \x20 third:\n    build: ${NOT_IN_DOTENV:-./third}/${QUOTED}\n\
                 \x20 web:\n    build:\n      context: ${PATH}/web\n",
            ),
        ]);
        let (bs, notes) = builds(&d);
        assert_eq!(
            bs,
            [
                row(
                    "services/app",
                    "services/app/Dockerfile.${x}",
                    Some("release"),
                    "compose.yaml:2: service app"
                ),
                row(
                    "other",
                    "other/Dockerfile",
                    Some("x"),
                    "compose.yaml:7: service other"
                ),
                row(
                    "third/with space",
                    "third/with space/Dockerfile",
                    None,
                    "compose.yaml:11: service third"
                ),
            ]
        );
        // PATH is set in every process environment; it still counts as unset.
        assert_eq!(
            notes,
            ["compose.yaml:15: service web: build.context needs ${PATH}, which .env does not set (the environment is not read); skipped."]
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
        let (bs, notes) = builds(&d);
        assert!(bs.is_empty(), "{bs:?}");
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
        let (bs, notes) = builds(&d);
        let got: Vec<_> = bs
            .iter()
            .map(|b| (b.0.as_str(), b.1.as_str(), b.2.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("svc", "svc/Dockerfile.prod", Some("base")),
                ("svc", "svc/Dockerfile.prod", Some("release")),
                ("common", "common/Dockerfile", None),
                // The earlier mapping of a merge list wins.
                ("extra", "extra/Dockerfile", None),
                // A quoted "<<" is an ordinary key: the build has only defaults.
                (".", "Dockerfile", None),
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
                 \x20 extra:\n    build: ./extra\n    profiles: [debug]\n",
            ),
        ]);
        let (bs, notes) = builds(&d);
        assert_eq!(
            bs,
            [
                row(
                    "web",
                    "web/Dockerfile.dev",
                    Some("prod"),
                    "compose.yaml:2: service web (compose.override.yml merged over it)"
                ),
                row(
                    "api2",
                    "api2/Dockerfile",
                    None,
                    "compose.yaml:7: service api (compose.override.yml merged over it)"
                ),
                row(
                    "swapped",
                    "swapped/Dockerfile",
                    None,
                    "compose.override.yml: service swap"
                ),
                row(
                    "extra",
                    "extra/Dockerfile",
                    None,
                    "compose.override.yml:13: service extra (profiles: debug)"
                ),
            ]
        );
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn other_compose_files_merge_over_the_base_or_stand_alone() {
        let d = repo(&[
            (
                "compose.yaml",
                "services:\n  web:\n    build: ./web\n  db:\n    image: x\n",
            ),
            (
                "compose.prod.yaml",
                "services:\n  web:\n    build:\n      target: prod\n  db:\n    restart: always\n",
            ),
            (
                "e2e/docker-compose.ci.yml",
                "services:\n  t:\n    build: .\n",
            ),
        ]);
        let (bs, notes) = builds(&d);
        assert_eq!(
            bs,
            [
                row("web", "web/Dockerfile", None, "compose.yaml:2: service web"),
                row(
                    "web",
                    "web/Dockerfile",
                    Some("prod"),
                    "compose.yaml: service web (compose.prod.yaml merged over it)"
                ),
                row(
                    "e2e",
                    "e2e/Dockerfile",
                    None,
                    "e2e/docker-compose.ci.yml:2: service t"
                ),
            ]
        );
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn a_context_missing_next_to_the_file_is_found_from_the_project_directory() {
        let d = repo(&[
            (
                "suites/example/compose/app/compose.dev.yml",
                "services:\n  app:\n    build:\n      context: example/compose/app\n      dockerfile: Dockerfile.dev\n",
            ),
            ("suites/example/compose/app/Dockerfile.dev", "FROM scratch\n"),
        ]);
        let (bs, notes) = builds(&d);
        assert_eq!(bs.len(), 1, "{bs:?}");
        assert_eq!(bs[0].0, "suites/example/compose/app");
        assert_eq!(bs[0].1, "suites/example/compose/app/Dockerfile.dev");
        assert!(
            bs[0]
                .3
                .contains("context relative to suites, the project directory"),
            "{bs:?}"
        );
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn a_dockerfile_missing_from_the_context_is_looked_for_from_directories_above() {
        let d = repo(&[
            (
                "suites/example/pam/compose.yml",
                "services:\n  pam:\n    build:\n      context: ../..\n      dockerfile: suites/example/pam/Dockerfile\n",
            ),
            ("suites/example/pam/Dockerfile", "FROM scratch\n"),
        ]);
        let (bs, notes) = builds(&d);
        assert_eq!(
            bs,
            [row(
                ".",
                "suites/example/pam/Dockerfile",
                None,
                "suites/example/pam/compose.yml:2: service pam (context relative to suites/example, the project directory: the build is not found from the compose file's directory)"
            )]
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
        ]);
        let (bs, notes) = builds(&d);
        assert!(bs.is_empty(), "{bs:?}");
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert_eq!(
            notes[0],
            "docker-compose.yml: Docker Compose reads only compose.yaml by default; read here on its own."
        );
        assert!(
            notes[1].starts_with("compose.yaml:4:") && notes[1].contains("not valid YAML"),
            "{notes:?}"
        );
        assert!(
            notes[2].starts_with("docker-compose.yml:4:") && notes[2].contains("duplicate key `a`"),
            "{notes:?}"
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
        let (bs, notes) = builds(&d);
        assert_eq!(
            bs,
            [row(
                "in",
                "in/Dockerfile",
                None,
                "compose.yaml:8: service inline"
            )]
        );
        assert_eq!(
            notes,
            [
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
            (
                "orphan/compose.override.yaml",
                "services:\n  a:\n    build: .\n",
            ),
        ]);
        let (bs, notes) = builds(&d);
        assert_eq!(
            bs,
            [row(
                "a",
                "a/Dockerfile",
                Some("t"),
                "compose.yaml:2: service a (compose.override.yml merged over it)"
            )]
        );
        assert_eq!(
            notes,
            [
                "docker-compose.override.yaml: Docker Compose applies only compose.override.yml over compose.yaml; skipped.",
                "orphan/compose.override.yaml: no compose file next to it, so Docker Compose does not read it; skipped.",
            ]
        );
    }

    #[test]
    fn compose_file_in_dotenv_is_noted() {
        let d = repo(&[
            (".env", "COMPOSE_FILE=compose.yaml:compose.prod.yaml\n"),
            ("compose.yaml", "services:\n  a:\n    build: ./a\n"),
        ]);
        let (bs, notes) = builds(&d);
        assert_eq!(bs.len(), 1);
        assert_eq!(
            notes,
            [".env: COMPOSE_FILE is not honoured; the default compose file names are read instead."]
        );
    }

    #[test]
    fn alias_bombs_are_cheap() {
        // Nine levels of ten aliases each: 10^9 nodes if copied, shared here.
        let mut bomb = String::from("a0: &a0 [x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            bomb.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
        }
        bomb.push_str("services:\n  web:\n    build: .\n");
        let d = repo(&[("compose.yaml", &bomb)]);
        let (bs, _) = builds(&d);
        assert_eq!(bs.len(), 1);
    }
}
