//! Tests of discovery as a whole, and the helpers the readers' tests share.

use std::path::{Path, PathBuf};

use super::*;

/// A build as compared in tests: context, Dockerfile, stage (paths
/// relative to the root, `.` for the root itself; absolute paths outside
/// it stay), and the origins described and joined with `; `.
pub(super) type Row = (String, String, Option<String>, String);

/// A temporary repository holding these files (parent directories created
/// as needed).
pub(super) fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
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

pub(super) fn rel(root: &Path, p: &Path) -> String {
    let root = clean(root);
    match p.strip_prefix(&root) {
        Ok(x) if x.as_os_str().is_empty() => ".".to_string(),
        Ok(x) => x.display().to_string(),
        Err(_) => p.display().to_string(),
    }
}

pub(super) fn as_row(root: &Path, b: &Build) -> Row {
    let origins: Vec<String> = b.origins.iter().map(Origin::describe).collect();
    (
        rel(root, &b.context),
        rel(root, &b.dockerfile),
        b.target.clone(),
        origins.join("; "),
    )
}

/// The builds and notes of [`discover`] on `d`.
pub(super) fn builds(d: &tempfile::TempDir) -> (Vec<Row>, Vec<String>) {
    let found = discover(d.path());
    let rows = found.builds.iter().map(|b| as_row(d.path(), b)).collect();
    (rows, found.notes)
}

pub(super) fn row(context: &str, dockerfile: &str, target: Option<&str>, origin: &str) -> Row {
    (
        context.to_string(),
        dockerfile.to_string(),
        target.map(str::to_string),
        origin.to_string(),
    )
}

/// The repository of `fixtures/builds`.
fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/builds")
}

#[test]
fn the_builds_fixture_end_to_end() {
    let root = fixture();
    let found = discover(&root);
    let rows: Vec<Row> = found.builds.iter().map(|b| as_row(&root, b)).collect();
    let key: Vec<(&str, &str, Option<&str>)> = rows
        .iter()
        .map(|r| (r.0.as_str(), r.1.as_str(), r.2.as_deref()))
        .collect();
    assert_eq!(
        key,
        [
            // Compose, in a sub-directory, context `..`.
            (".", "docker/Dockerfile", None),
            (
                "services/worker",
                "services/worker/Dockerfile",
                Some("runtime")
            ),
            // The workflow's build-push-action.
            ("services/api", "services/api/Dockerfile", Some("release")),
            // The bake file's targets.
            ("services/api", "services/api/Dockerfile", Some("test")),
            ("web", "web/Dockerfile", None),
            // The Makefile line and the script line.
            (".", "tools/Dockerfile-build", None),
            ("services/worker", "services/worker/Dockerfile.ci", None),
            // Undeclared: inferred from the root.
            (".", "deploy/migrate/Dockerfile", None),
        ],
        "{rows:#?}"
    );
    let origins =
        |i: usize| -> Vec<SourceKind> { found.builds[i].origins.iter().map(|o| o.kind).collect() };
    assert_eq!(origins(0), [SourceKind::Compose]);
    assert_eq!(rows[0].3, "docker/docker-compose.yml:4: service app");
    assert_eq!(origins(2), [SourceKind::Workflow, SourceKind::Bake]);
    assert_eq!(origins(5), [SourceKind::Makefile]);
    assert_eq!(origins(6), [SourceKind::Script]);
    assert_eq!(origins(7), [SourceKind::Inferred]);
    let inf = found.builds[7].inferred.as_ref().unwrap();
    assert!(inf.all_resolve && inf.counted == 3, "{inf:?}");
    assert_eq!(
        rows[7].3,
        "deploy/migrate/Dockerfile: context . inferred: 3/3 COPY/ADD sources resolve there"
    );
    assert!(found.builds.iter().take(7).all(|b| b.inferred.is_none()));
    assert!(found.notes.is_empty(), "{:?}", found.notes);
}

#[test]
fn discover_from_with_a_callers_walk_gives_the_same_and_parses_once() {
    let root = fixture();
    // Every entry of the tree through `candidate`, as a caller's walk would.
    let mut files = Vec::new();
    for e in walkdir::WalkDir::new(&root) {
        let e = e.unwrap();
        use std::os::unix::ffi::OsStrExt;
        let rel = e.path().strip_prefix(&root).unwrap();
        if rel.as_os_str().is_empty() {
            continue;
        }
        let kind = candidate(
            rel.as_os_str().as_bytes(),
            e.file_name().as_bytes(),
            e.file_type().is_dir(),
        );
        if let Some(k) = kind {
            files.push((rel.to_path_buf(), k));
        }
    }
    let mut parsed = ParsedDockerfiles::new();
    let a = discover_from(&root, files, &mut parsed);
    assert_eq!(a, discover(&root));
    // One Dockerfile needed inferring; asking again reads nothing more.
    assert_eq!(parsed.reads(), 1);
    let df = clean(&root.join("deploy/migrate/Dockerfile"));
    assert!(parsed.get(&df).is_some());
    assert_eq!(parsed.reads(), 1);
}

#[test]
fn the_same_build_from_several_sources_is_listed_once_with_every_origin() {
    let d = repo(&[
        (
            "compose.yaml",
            "services:\n  web:\n    build: ./web\n  web2:\n    build:\n      context: web/\n",
        ),
        ("Makefile", "img:\n\tdocker build web\n"),
        ("web/Dockerfile", "FROM scratch\n"),
        ("api/Dockerfile", "FROM scratch\n"),
        (
            "compose.override.yaml",
            "services:\n  api:\n    build:\n      context: .\n      dockerfile: api/Dockerfile\n",
        ),
    ]);
    let (bs, notes) = builds(&d);
    assert_eq!(
        bs,
        [
            row(
                "web",
                "web/Dockerfile",
                None,
                "compose.yaml:2: service web; compose.yaml:4: service web2; Makefile:2: docker build web"
            ),
            // Compose uses api/Dockerfile with the root as context: it is not
            // listed again with an inferred context.
            row(".", "api/Dockerfile", None, "compose.override.yaml:2: service api"),
        ]
    );
    assert!(notes.is_empty(), "{notes:?}");
}

#[test]
fn vendored_trees_and_templates() {
    let d = repo(&[
        ("Dockerfile", "FROM scratch\n"),
        ("node_modules/x/Dockerfile", ""),
        (
            "node_modules/x/package.json",
            "{\"scripts\": {\"d\": \"docker build .\"}}",
        ),
        ("vendor/github.com/x/Dockerfile", ""),
        (
            "third_party/y/docker-compose.yml",
            "services:\n  a:\n    build: .\n",
        ),
        (".venv/pyvenv.cfg", ""),
        (".venv/lib/Dockerfile", ""),
        ("rust/Cargo.toml", ""),
        ("rust/target/Dockerfile", ""),
        // An ordinary `build` directory (no manifest next to it) is searched.
        ("build/docker/Dockerfile", "FROM scratch\n"),
        ("docker/Dockerfile.j2", "FROM {{ base }}\n"),
        ("Dockerfile.dockerignore", ""),
    ]);
    let (bs, notes) = builds(&d);
    let got: Vec<&str> = bs.iter().map(|b| b.1.as_str()).collect();
    assert_eq!(got, ["Dockerfile", "build/docker/Dockerfile"]);
    assert_eq!(
        notes,
        ["docker/Dockerfile.j2: a Dockerfile template, not built as it is; skipped."]
    );
}

#[test]
fn a_relative_root_gives_clean_relative_paths() {
    let d = repo(&[
        (
            "proj/compose.yaml",
            "services:\n  a:\n    build: ./a/../b\n",
        ),
        ("proj/c/Dockerfile", "FROM scratch\n"),
    ]);
    let root = d.path().join("proj/./");
    let found = discover(&root);
    let want_root = clean(&root);
    assert_eq!(found.builds[0].context, want_root.join("b"));
    assert_eq!(found.builds[1].dockerfile, want_root.join("c/Dockerfile"));
}

#[test]
fn a_missing_root_is_a_note() {
    let d = repo(&[]);
    let found = discover(&d.path().join("nope"));
    assert!(found.builds.is_empty());
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
fn an_unreadable_file_is_a_note() {
    let d = repo(&[("build.sh", "docker build .\n")]);
    // A directory where a candidate file is expected cannot be read as one.
    let mut files = vec![(PathBuf::from("build.sh"), FileKind::Script)];
    files.push((PathBuf::from("gone/compose.yaml"), FileKind::Compose));
    let found = discover_from(d.path(), files, &mut ParsedDockerfiles::new());
    assert_eq!(found.builds.len(), 1);
    assert_eq!(found.notes.len(), 1, "{:?}", found.notes);
    assert!(
        found.notes[0].starts_with("gone/compose.yaml: could not be read ("),
        "{:?}",
        found.notes
    );
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
fn origins_describe_themselves() {
    let o = Origin {
        kind: SourceKind::Compose,
        file: PathBuf::from("docker/docker-compose.yml"),
        line: Some(4),
        detail: "service app".to_string(),
    };
    assert_eq!(o.describe(), "docker/docker-compose.yml:4: service app");
    let o = Origin { line: None, ..o };
    assert_eq!(o.describe(), "docker/docker-compose.yml: service app");
    assert_eq!(SourceKind::PackageJson.as_str(), "package.json");
}
