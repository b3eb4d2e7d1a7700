//! The guards that keep the table honest (unique ids, examples that match
//! their own entry and rule, rules in plain Docker syntax), the look-ups
//! over it, and the confirmation of name-matched secrets. Tests of one
//! module's helpers live beside that module.

use std::collections::HashSet;

use super::entry::{ContentCheck, Matcher};
use super::lookup::{compile_glob, index};
use super::protected::tests::PROTECTED_SAMPLES;
use super::*;

/// Docker rule check for tests: the catalogue's rules use only `**/`,
/// `*`, `[...]` (negated with `^`) and `\` escapes, where globset with a
/// literal separator agrees with Docker.
fn rule_matches(rule: &str, path: &str) -> bool {
    compile_glob(rule).compile_matcher().is_match(path)
}

fn name_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap()
}

fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

/// A tree in memory: the listed paths and all their ancestors. Its `has`
/// answers the catalogue's evidence questions the way a walker would.
struct Tree(Vec<String>);

impl Tree {
    fn new(paths: &[&str]) -> Tree {
        let mut all = HashSet::new();
        for p in paths {
            let mut cur = *p;
            loop {
                all.insert(cur.to_string());
                if !cur.contains('/') {
                    break;
                }
                cur = parent_of(cur);
            }
        }
        Tree(all.into_iter().collect())
    }

    fn has(&self, dir: &str, glob: &str) -> bool {
        let (sub, last) = glob.rsplit_once('/').unwrap_or(("", glob));
        let target = match (dir, sub) {
            ("", s) => s.to_string(),
            (d, "") => d.to_string(),
            (d, s) => format!("{d}/{s}"),
        };
        self.0
            .iter()
            .any(|p| parent_of(p) == target && name_matches(last, name_of(p)))
    }

    fn dir(&self, rel: &str) -> Option<&'static str> {
        match_dir(rel, name_of(rel), &|d, g| self.has(d, g)).map(|e| e.id)
    }

    fn file(&self, rel: &str) -> Option<&'static str> {
        match_file(rel, name_of(rel), &|d, g| self.has(d, g)).map(|e| e.id)
    }
}

fn nothing(_: &str, _: &str) -> bool {
    false
}

/// Runs the real look-up on an entry's example, answering the evidence
/// questions with exactly the entry's own evidence.
fn classify_example(e: &Entry) -> Option<&'static Entry> {
    let path = e.example;
    let has = |d: &str, g: &str| {
        if d == path {
            e.requires_child.first() == Some(&g)
                || matches!(e.matcher, Matcher::DirHolding(m) if m == g)
        } else {
            e.near.any.first() == Some(&g) || e.near.all.contains(&g)
        }
    };
    if e.matcher.is_dir() {
        match_dir(path, name_of(path), &has)
    } else {
        match_file(path, name_of(path), &has)
    }
}

/// Path entries (not Go binaries, not content formats).
fn path_entries() -> impl Iterator<Item = &'static Entry> {
    ENTRIES.iter().filter(|e| e.matcher != Matcher::GoBinary)
}

// The look-up tries each glob on its own; globset (what the rules are
// checked with) must agree on every name the tests know.
#[test]
fn name_globs_match_as_globset_does() {
    use super::lookup::NameGlob;
    let mut names: Vec<String> = PROTECTED_SAMPLES.iter().map(|s| s.to_string()).collect();
    for e in ENTRIES {
        names.push(name_of(e.example).to_string());
    }
    names.extend(
        [
            "",
            ".",
            "~",
            "a~",
            "x.pyc",
            "x.pyo",
            "x.pyd",
            ".env",
            ".env.",
            "a.tfstate.",
            "junit.xml",
            "junitx.xml",
            "junit.xmlx",
            "kubeconfig",
            "npm-debug.log.1",
            "lib",
            "libx",
            "packs",
            "bdist.linux",
            ".coverage.",
            "a.egg-info",
            "egg-info",
        ]
        .map(String::from),
    );
    let mut globs = 0;
    for e in ENTRIES {
        let glob = match e.matcher {
            Matcher::DirGlob(g) | Matcher::FileGlob(g) => g,
            Matcher::DirPath(p) | Matcher::FilePath(p) => p.rsplit('/').next().unwrap(),
            _ => continue,
        };
        if !glob.contains(['*', '?', '[']) {
            continue;
        }
        globs += 1;
        let ours = NameGlob::new(glob);
        let theirs = compile_glob(glob).compile_matcher();
        for n in &names {
            assert_eq!(ours.matches(n), theirs.is_match(n), "{glob} on {n:?}");
        }
    }
    assert!(globs > 10);
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
    for e in ENTRIES.iter().chain(CONTENT_ENTRIES) {
        assert!(seen.insert(e.id), "duplicate id {}", e.id);
        assert!(
            e.id.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-'),
            "id not kebab-case: {}",
            e.id
        );
        assert!(!e.id.starts_with('-') && !e.id.ends_with('-') && !e.id.contains("--"));
        assert_eq!(by_id(e.id), Some(e));
    }
}

#[test]
fn shared_rules_belong_to_one_matcher() {
    // Several entries may share a rule only as one name with different
    // evidence (`dist` of GoReleaser, Python or a bundler).
    let mut seen: Vec<(Kind, &str, Matcher)> = Vec::new();
    for e in ENTRIES {
        if let Some(r) = e.rule {
            if let Some(&(_, _, m)) = seen.iter().find(|(k, rr, _)| *k == e.kind && *rr == r) {
                assert_eq!(m, e.matcher, "rule {r} of {} shared across matchers", e.id);
                assert!(!e.near.is_empty(), "{}: shared rule without evidence", e.id);
            }
            seen.push((e.kind, r, e.matcher));
        }
    }
}

#[test]
fn reasons_are_one_sentence() {
    for e in ENTRIES.iter().chain(CONTENT_ENTRIES) {
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
fn content_entries_are_secrets_without_path_rules() {
    for e in CONTENT_ENTRIES {
        assert_eq!(e.kind, Kind::Secret, "{}", e.id);
        assert_eq!(e.matcher, Matcher::Content, "{}", e.id);
        assert_eq!(e.rule, None, "{}", e.id);
        let rules = e.rules(&[e.example]);
        assert_eq!(rules.general, None);
        assert_eq!(rules.exact, [e.example]);
    }
    assert!(ENTRIES.iter().all(|e| e.matcher != Matcher::Content));
}

#[test]
fn rules_are_plain_docker_patterns_derived_from_the_matcher() {
    for e in ENTRIES {
        let Some(rule) = e.rule else {
            assert!(
                matches!(e.matcher, Matcher::DirHolding(_) | Matcher::GoBinary),
                "{}: only marker entries and Go binaries may lack a rule",
                e.id
            );
            continue;
        };
        assert!(!rule.starts_with('!'), "{}: rule is an exception", e.id);
        assert!(!rule.ends_with('/'), "{}: trailing slash", e.id);
        assert!(
            !rule.contains(['{', '}', ' ', '!']),
            "{}: not plain Docker syntax",
            e.id
        );
        assert!(
            rule.starts_with("**/"),
            "{}: rule must be the any-depth form",
            e.id
        );
        assert!(!rule[3..].contains("**"), "{}: stray **", e.id);
        let want = match e.inside {
            Some(glob) => format!("{}/{glob}", e.matcher.text()),
            None => e.matcher.text().to_string(),
        };
        assert_eq!(
            e.root_rule(),
            Some(want.as_str()),
            "{}: rule differs from matcher",
            e.id
        );
        if e.inside.is_some() {
            assert!(e.matcher.is_dir(), "{}: inside needs a directory", e.id);
        }
    }
}

/// A path the rule of `e` excludes for a hit at `hit`: the hit itself, or
/// for entries with an `inside` glob a file inside that it covers.
fn excluded_sample(e: &Entry, hit: &str) -> String {
    match e.inside {
        Some(glob) => {
            let sample = glob.replace("[^.]", "x").replace('*', "x");
            assert!(e.covers_inside(&sample), "{}", e.id);
            format!("{hit}/{sample}")
        }
        None => hit.to_string(),
    }
}

#[test]
fn examples_are_recognised_by_their_own_entry_and_rule() {
    for e in path_entries() {
        if let Matcher::FileGlob(g) | Matcher::DirGlob(g) = e.matcher {
            // The test-side glob evaluator agrees with globset here.
            assert!(name_matches(g, name_of(e.example)), "{}", e.id);
        }
        let got = classify_example(e).map(|m| m.id);
        assert_eq!(got, Some(e.id), "example {} of {}", e.example, e.id);
        if let Some(rule) = e.rule {
            let sample = excluded_sample(e, e.example);
            assert!(
                rule_matches(rule, &sample),
                "{}: {rule} misses {sample}",
                e.id
            );
            let nested = format!("a/b/{sample}");
            assert!(
                rule_matches(rule, &nested),
                "{}: {rule} misses {nested}",
                e.id
            );
            let root = e.root_rule().unwrap();
            assert!(
                !rule_matches(root, &nested),
                "{}: root form {root} not anchored",
                e.id
            );
            if e.inside.is_some() {
                // The placeholder and the directory itself stay.
                for kept in [e.example.to_string(), format!("{}/.gitignore", e.example)] {
                    assert!(!rule_matches(rule, &kept), "{}: {rule} drops {kept}", e.id);
                }
                assert!(!e.covers_inside(".gitignore") && !e.covers_inside(".keep"));
            }
        }
        for r in e.rules_for(&[e.example]) {
            let sample = excluded_sample(e, e.example);
            assert!(rule_matches(&r, &sample), "{}: {r} misses {sample}", e.id);
        }
    }
}

#[test]
fn conditions_are_required() {
    for e in path_entries() {
        if e.near.any.is_empty() && e.near.all.is_empty() && e.requires_child.is_empty() {
            continue;
        }
        let got = if e.matcher.is_dir() {
            match_dir(e.example, name_of(e.example), &nothing)
        } else {
            match_file(e.example, name_of(e.example), &nothing)
        };
        assert_ne!(
            got.map(|m| m.id),
            Some(e.id),
            "{} matched without evidence",
            e.id
        );
    }
}

/// Evidence present and absent for the entries that need it, one line per
/// case: the tree, the path asked about, the entry expected.
#[test]
fn evidence_decides() {
    let dir_cases: &[(&[&str], &str, Option<&str>)] = &[
        // JVM and Rust build output.
        (
            &["pom.xml", "target/x.class"],
            "target",
            Some("build-target"),
        ),
        (&["target/x"], "target", None),
        (
            &["m/pom.xml", "m/target/a.jar"],
            "m/target",
            Some("build-target"),
        ),
        // Composer's vendor, not Go's.
        (&["composer.json", "vendor/a"], "vendor", Some("php-vendor")),
        (&["go.mod", "vendor/a"], "vendor", None),
        (
            &["vendor/bundle/x"],
            "vendor/bundle",
            Some("ruby-vendor-bundle"),
        ),
        // Virtualenvs and caches by their marker.
        (&["env/pyvenv.cfg"], "env", Some("python-virtualenv")),
        (&["env/bin/python"], "env", None),
        (&["x/y/CACHEDIR.TAG"], "x/y", Some("cachedir-tag")),
        (&["bin/App.dll", "Api.csproj"], "bin", Some("dotnet-bin")),
        // A name-based entry wins over a marker inside it.
        (
            &["Cargo.toml", "target/CACHEDIR.TAG"],
            "target",
            Some("build-target"),
        ),
        // dist: GoReleaser, Python, bundler.
        (
            &[
                ".goreleaser.yaml",
                "dist/artifacts.json",
                "dist/app_linux/app",
            ],
            "dist",
            Some("goreleaser-dist"),
        ),
        (&[".goreleaser.yml", "dist/notes.md"], "dist", None),
        (
            &["go.mod", "dist/artifacts.json"],
            "dist",
            Some("goreleaser-dist"),
        ),
        (
            &[".goreleaser.yml.tmpl", "dist/metadata.json"],
            "dist",
            Some("goreleaser-dist"),
        ),
        (&["dist/artifacts.json", "dist/metadata.json"], "dist", None),
        (&["go.mod", "dist/config.yaml"], "dist", None),
        (
            &["pyproject.toml", "dist/pkg-1.0-py3-none-any.whl"],
            "dist",
            Some("python-dist"),
        ),
        (
            &["setup.py", "dist/pkg-1.0.tar.gz"],
            "dist",
            Some("python-dist"),
        ),
        (&["pyproject.toml", "dist/index.html"], "dist", None),
        (
            &["manage.py", "requirements.txt", "dist/app-0.1.0.tar.gz"],
            "dist",
            Some("python-dist"),
        ),
        (
            &["requirements-dev.txt", "build/lib/app/x.py"],
            "build/lib",
            Some("python-build-lib"),
        ),
        (
            &["pyproject.toml", "package.json", "dist/pkg-1.0.tar.gz"],
            "dist",
            Some("dist-dir"),
        ),
        (&["package.json", "dist/main.js"], "dist", Some("dist-dir")),
        (&["dist/main.js"], "dist", None),
        // build/lib*: Python's staging, not a whole build/ of scripts.
        (
            &["pyproject.toml", "build/lib/pkg/__init__.py"],
            "build/lib",
            Some("python-build-lib"),
        ),
        (
            &["setup.py", "build/lib.linux-x86_64-cpython-312/m.so"],
            "build/lib.linux-x86_64-cpython-312",
            Some("python-build-lib"),
        ),
        (
            &["setup.cfg", "build/bdist.linux-x86_64/x"],
            "build/bdist.linux-x86_64",
            Some("python-build-bdist"),
        ),
        (&["pyproject.toml", "build/lib/x"], "build", None),
        (
            &["pyproject.toml", "package.json", "build/lib/x"],
            "build/lib",
            None,
        ),
        (&["build/lib/x"], "build/lib", None),
        (
            &["svc/pyproject.toml", "svc/build/lib/x"],
            "svc/build/lib",
            Some("python-build-lib"),
        ),
        // Rails: Gemfile and config/application.rb, both.
        (
            &["Gemfile", "config/application.rb", "tmp/cache/bootsnap/x"],
            "tmp/cache",
            Some("rails-tmp-cache"),
        ),
        (&["Gemfile", "tmp/cache/x"], "tmp/cache", None),
        (&["config/application.rb", "tmp/cache/x"], "tmp/cache", None),
        (
            &["Gemfile", "config/application.rb", "tmp/pids/server.pid"],
            "tmp/pids",
            Some("rails-tmp-pids"),
        ),
        (
            &["Gemfile", "config/application.rb", "log/.keep"],
            "log",
            Some("rails-log"),
        ),
        (&["Gemfile", "log/development.log"], "log", Some("log-dir")),
        (&["Gemfile", "log/.keep"], "log", None),
        (
            &["Gemfile", "config/application.rb", "public/assets/a.js"],
            "public/assets",
            Some("rails-public-assets"),
        ),
        (
            &["Gemfile", "config/application.rb", "public/packs/m.json"],
            "public/packs",
            Some("rails-public-packs"),
        ),
        (
            &[
                "Gemfile",
                "config/application.rb",
                "public/packs-test/m.json",
            ],
            "public/packs-test",
            Some("rails-public-packs"),
        ),
        (
            &["package.json", "public/assets/a.js"],
            "public/assets",
            None,
        ),
        (
            &["Gemfile", "config/application.rb", "app/tmp/cache/x"],
            "app/tmp/cache",
            None,
        ),
        // Laravel: artisan beside storage/ and bootstrap/.
        (
            &["artisan", "storage/logs/.gitignore"],
            "storage/logs",
            Some("laravel-logs"),
        ),
        (
            &["storage/logs/laravel.log"],
            "storage/logs",
            Some("logs-dir"),
        ),
        (&["storage/logs/.gitignore"], "storage/logs", None),
        (
            &["artisan", "storage/framework/views/a.php"],
            "storage/framework",
            Some("laravel-framework-storage"),
        ),
        (
            &["storage/framework/views/a.php"],
            "storage/framework",
            None,
        ),
        (
            &["artisan", "bootstrap/cache/config.php"],
            "bootstrap/cache",
            Some("laravel-bootstrap-cache"),
        ),
        (&["bootstrap/cache/config.php"], "bootstrap/cache", None),
        (
            &["api/artisan", "api/storage/logs/x"],
            "api/storage/logs",
            Some("laravel-logs"),
        ),
        // Gradle, npm and CMake build/ as before.
        (
            &["build.gradle", "build/libs/a.jar"],
            "build",
            Some("build-dir"),
        ),
        (
            &["api/build.gradle.kts", "api/build/x"],
            "api/build",
            Some("build-dir"),
        ),
        (
            &["package.json", "build/index.html"],
            "build",
            Some("build-dir"),
        ),
        (&["build/index.html"], "build", None),
        // Plain names that are no artifact without evidence.
        (&["src/cache/x"], "src/cache", None),
        (&["bundle/x"], "bundle", None),
        (&["src/x"], "src", None),
    ];
    for &(paths, rel, want) in dir_cases {
        assert_eq!(Tree::new(paths).dir(rel), want, "{rel} in {paths:?}");
    }
    let file_cases: &[(&[&str], &str, Option<&str>)] = &[
        (
            &["manage.py", "db.sqlite3"],
            "db.sqlite3",
            Some("django-sqlite"),
        ),
        (&["db.sqlite3"], "db.sqlite3", None),
        (
            &["web/manage.py", "web/db.sqlite3"],
            "web/db.sqlite3",
            Some("django-sqlite"),
        ),
        (&["manage.py", "data/db.sqlite3"], "data/db.sqlite3", None),
        (
            &["go.mod", "coverage.out"],
            "coverage.out",
            Some("go-coverage-profile"),
        ),
        (&["coverage.out"], "coverage.out", None),
        (
            &["bench/cpu.pprof"],
            "bench/cpu.pprof",
            Some("pprof-profile"),
        ),
    ];
    for &(paths, rel, want) in file_cases {
        assert_eq!(Tree::new(paths).file(rel), want, "{rel} in {paths:?}");
    }
}

#[test]
fn ordinary_paths_match_nothing() {
    for (path, name) in [
        ("src", "src"),
        ("src/main.rs", "main.rs"),
        ("README.md", "README.md"),
        ("app/views.py", "views.py"),
        ("config/settings.json", "settings.json"),
        ("logo.png", "logo.png"),
        ("server", "server"),
    ] {
        assert_eq!(match_dir(path, name, &nothing), None, "{path}");
        if !name.ends_with(".json") {
            assert_eq!(match_file(path, name, &nothing), None, "{path}");
        }
    }
    // Credentials files only count under their directory.
    assert_eq!(match_file("credentials", "credentials", &nothing), None);
    assert_eq!(match_file("docs/config", "config", &nothing), None);
    assert_eq!(match_file("id_rsa.pub", "id_rsa.pub", &nothing), None);
}

#[test]
fn protected_names_are_never_matched() {
    let yes = |_: &str, _: &str| true;
    let names = protected_names()
        .iter()
        .filter(|g| !g.contains(['*', '?', '[']))
        .chain(PROTECTED_SAMPLES);
    for name in names {
        assert!(is_protected(name), "{name} not protected");
        assert_eq!(match_file(name, name, &yes), None, "{name} matched");
        let nested = format!("svc/{name}");
        assert_eq!(match_file(&nested, name, &yes), None, "{nested} matched");
        // The raw matchers of non-secret entries leave them alone too.
        for e in ENTRIES
            .iter()
            .filter(|e| e.kind != Kind::Secret && !e.matcher.is_dir())
        {
            let hit = match e.matcher {
                Matcher::FileName(n) => n == *name,
                Matcher::FileGlob(g) => name_matches(g, name),
                Matcher::FilePath(p) => name.ends_with(p),
                _ => false,
            };
            assert!(!hit, "{} catches protected {name}", e.id);
        }
    }
}

#[test]
fn env_templates_are_not_secrets() {
    let templates = [
        ".env.example",
        ".env.sample",
        ".env.template",
        ".env.dist",
        ".env.dev.example",
        ".env.local.example",
        ".env.e2e.template",
        ".env.example.complete",
        "app.env.sample",
        "prod.env.example",
        ".env.vault",
    ];
    for name in templates {
        assert_eq!(match_file(name, name, &nothing), None, "{name}");
        let nested = format!("api/{name}");
        assert_eq!(match_file(&nested, name, &nothing), None, "{nested}");
    }
    let id = |p: &str| match_file(p, name_of(p), &nothing).map(|e| e.id);
    assert_eq!(id(".env.local"), Some("dotenv-variant"));
    assert_eq!(id(".env.production"), Some("dotenv-variant"));
    assert_eq!(id(".env.distribution"), Some("dotenv-variant"));
    assert_eq!(id("api/.env"), Some("dotenv"));
    assert_eq!(id("deploy/prod.env"), Some("named-env-file"));
}

#[test]
fn specific_entries_win_over_general_ones() {
    let id = |p: &str| match_file(p, name_of(p), &nothing).map(|e| e.id);
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
    let logs = by_id("laravel-logs").unwrap();
    assert_eq!(
        logs.rules_for(&["storage/logs", "api/storage/logs"]),
        ["api/storage/logs/[^.]*", "storage/logs/[^.]*"]
    );
}

/// Item 4 of issue 14: one rule that stays true as the project grows,
/// with the exact paths as the fallback.
#[test]
fn general_rules_for_growing_projects() {
    let modules: Vec<String> = (1..=58).map(|i| format!("mod{i:02}/target")).collect();
    let hits: Vec<&str> = modules.iter().map(String::as_str).collect();
    let target = by_id("build-target").unwrap().rules(&hits);
    assert_eq!(target.general.as_deref(), Some("**/target"));
    assert!(!target.proof, "target needs its manifest beside it");
    assert_eq!(target.exact.len(), 58);
    assert_eq!(target.exact[0], "mod01/target");

    type Case<'a> = (&'a str, &'a [&'a str], Option<&'a str>, bool, &'a [&'a str]);
    let cases: &[Case] = &[
        (
            "node-modules",
            &["node_modules"],
            Some("node_modules"),
            true,
            &["node_modules"],
        ),
        (
            "node-modules",
            &["node_modules", "packages/a/node_modules"],
            Some("**/node_modules"),
            true,
            &["node_modules", "packages/a/node_modules"],
        ),
        (
            "python-pycache",
            &["app/__pycache__", "app/sub/__pycache__"],
            Some("**/__pycache__"),
            true,
            &["app/__pycache__", "app/sub/__pycache__"],
        ),
        (
            "python-virtualenv",
            &[".venv", "services/api/.venv"],
            Some("**/.venv"),
            false,
            &[".venv", "services/api/.venv"],
        ),
        (
            "python-virtualenv",
            &[".venv"],
            Some(".venv"),
            false,
            &[".venv"],
        ),
        (
            "python-virtualenv",
            &[".venv", "env"],
            None,
            false,
            &[".venv", "env"],
        ),
        (
            "dist-dir",
            &["packages/a/dist", "packages/b/dist"],
            Some("**/dist"),
            false,
            &["packages/a/dist", "packages/b/dist"],
        ),
        (
            "laravel-logs",
            &["storage/logs"],
            Some("storage/logs/[^.]*"),
            false,
            &["storage/logs/[^.]*"],
        ),
        (
            "laravel-framework-storage",
            &["storage/framework", "api/storage/framework"],
            Some("**/storage/framework/*/[^.]*"),
            false,
            &["api/storage/framework/*/[^.]*", "storage/framework/*/[^.]*"],
        ),
        (
            "rails-tmp-cache",
            &["tmp/cache"],
            Some("tmp/cache"),
            false,
            &["tmp/cache"],
        ),
        ("private-key-pem", &["a.pem"], None, false, &["a.pem"]),
        ("go-binary", &["server"], None, false, &["server"]),
    ];
    for &(id, hits, general, proof, exact) in cases {
        let r = by_id(id).unwrap().rules(hits);
        assert_eq!(r.general.as_deref(), general, "{id} {hits:?}");
        assert_eq!(r.proof, proof, "{id} {hits:?}");
        assert_eq!(r.exact, exact, "{id} {hits:?}");
        if let Some(g) = &r.general {
            // The general rule covers every hit (or what it excludes inside).
            for h in hits {
                let sample = excluded_sample(by_id(id).unwrap(), h);
                assert!(rule_matches(g, &sample), "{g} misses {sample}");
            }
        }
    }
    assert_eq!(by_id("build-target").unwrap().rules(&[]).general, None);
}

#[test]
fn covers_inside_spares_placeholders() {
    let cases: &[(&str, &str, bool)] = &[
        ("laravel-logs", "laravel.log", true),
        ("laravel-logs", ".gitignore", false),
        ("laravel-framework-storage", "views/abc.php", true),
        ("laravel-framework-storage", "cache/data/ab/cd/x", true),
        ("laravel-framework-storage", "views/.gitignore", false),
        ("laravel-framework-storage", ".gitignore", false),
        ("laravel-framework-storage", "down", false),
        ("laravel-bootstrap-cache", "config.php", true),
        ("laravel-bootstrap-cache", ".gitignore", false),
        ("rails-log", "development.log", true),
        ("rails-log", ".keep", false),
        ("build-target", "debug/app", true),
    ];
    for &(id, inside, want) in cases {
        assert_eq!(
            by_id(id).unwrap().covers_inside(inside),
            want,
            "{id} {inside}"
        );
    }
}

#[test]
fn literal_rules_match_only_their_path() {
    for path in ["a/[x]*.pem", "we?ird/f\\ile", "a^b[1]"] {
        let rule = literal_rule(path);
        assert!(rule_matches(&rule, path), "{rule} misses {path}");
        assert!(!rule_matches(&rule, "a/xy.pem"));
    }
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
        Kind::Data,
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
            "data",
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

#[test]
fn markers_are_listed() {
    assert_eq!(dir_markers(), ["pyvenv.cfg", "conda-meta", "CACHEDIR.TAG"]);
}

// ---- secrets confirmed by their content ---------------------------------

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
        ContentCheck::Executable => format!("\x7fELF{c}"),
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
fn tracked_env_files_need_a_secret_in_them() {
    let cases: &[(&str, &str, bool, bool)] = &[
        ("dotenv", "PORT=8080\n", false, true),
        ("dotenv", "", false, true),
        ("dotenv", "PORT=8080\nDB_PASSWORD=\n", true, false),
        ("dotenv", "APP_KEY=${APP_KEY}\n", true, false),
        ("dotenv", "DB_PASSWORD=s3cr3t-value\n", true, true),
        (
            "dotenv-variant",
            "APP_ENV=docker\nDB_HOST=db\n",
            true,
            false,
        ),
        ("dotenv-variant", "API_TOKEN=abcdef123456\n", true, true),
        (
            "private-key-pem",
            "-----BEGIN PRIVATE KEY-----\nMIIE\n",
            true,
            true,
        ),
        ("aws-credentials", "", true, true),
    ];
    for &(id, content, tracked, want) in cases {
        let e = by_id(id).unwrap();
        assert_eq!(
            confirm(e, content.as_bytes(), tracked),
            want,
            "{id} {content:?} {tracked}"
        );
    }
    let dotenv = by_id("dotenv").unwrap();
    assert!(!needs_head(dotenv, false) && needs_head(dotenv, true));
    let go = by_id("go-binary").unwrap();
    assert!(needs_head(go, false) && !needs_head(go, true));
    assert!(!needs_head(by_id("node-modules").unwrap(), true));
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
        let key =
            format!("-----BEGIN {kind}PRIVATE KEY-----\nMIIE\n-----END {kind}PRIVATE KEY-----\n");
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
        match_file("tsconfig.json", "tsconfig.json", &nothing)
            .unwrap()
            .id,
        "gcp-service-account"
    );
    assert_eq!(match_file("package.json", "package.json", &nothing), None);
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

// ---- the fixture trees ---------------------------------------------------

/// Walks one fixture case as a caller would (directories that match are
/// not entered; files get name matching, the Go-binary check and content
/// scanning) and returns `(path, finding)` pairs, sorted.
fn findings_in(root: &std::path::Path) -> Vec<(String, String)> {
    use std::fs;
    fn head(p: &std::path::Path) -> Vec<u8> {
        use std::io::Read;
        let mut b = Vec::new();
        if let Ok(f) = fs::File::open(p) {
            let _ = f.take(SNIFF_BYTES as u64).read_to_end(&mut b);
        }
        b
    }
    fn walk(root: &std::path::Path, rel: &str, out: &mut Vec<(String, String)>) {
        let dir = root.join(rel);
        let dir_name = dir.canonicalize().unwrap();
        let dir_name = dir_name.file_name().unwrap().to_str().unwrap().to_string();
        let go = fs::read(dir.join("go.mod"))
            .ok()
            .map(|m| GoModule::from_go_mod(&m).with_dir_name(&dir_name));
        let mut names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        for name in names {
            let path = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let abs = root.join(&path);
            let Ok(md) = fs::symlink_metadata(&abs) else {
                continue;
            };
            if md.is_symlink() {
                continue;
            }
            if md.is_dir() {
                match match_dir_at(&abs, &path, &name) {
                    Some(e) => out.push((path, e.id.to_string())),
                    None => walk(root, &path, out),
                }
                continue;
            }
            let h = head(&abs);
            if let Some(e) = match_file_at(&abs, &path, &name) {
                if confirm(e, &h, false) {
                    out.push((path, e.id.to_string()));
                    continue;
                }
            }
            if let Some(e) = go
                .as_ref()
                .and_then(|g| g.candidate(&name, &|n| dir.join("cmd").join(n).is_dir()))
            {
                if confirm(e, &h, false) {
                    out.push((path, e.id.to_string()));
                    continue;
                }
            }
            if worth_scanning(&name, md.len()) {
                for hit in scan_content(&h) {
                    out.push((path.clone(), format!("{}:{}", hit.entry.id, hit.line)));
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(root, "", &mut out);
    out.sort();
    out
}

#[test]
fn fixtures_give_their_expected_findings() {
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/catalog");
    let expected = std::fs::read_to_string(base.join("expected.tsv")).unwrap();
    let mut want: std::collections::BTreeMap<String, Vec<(String, String)>> = Default::default();
    for line in expected
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        want.entry(f[0].to_string())
            .or_default()
            .push((f[1].to_string(), f[2].to_string()));
    }
    let mut cases: Vec<String> = std::fs::read_dir(&base)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    cases.sort();
    assert!(cases.len() >= 15, "{cases:?}");
    for case in &cases {
        assert!(!base.join(case).join("Dockerfile").exists(), "{case}");
        let mut w = want.remove(case).unwrap_or_default();
        w.sort();
        assert_eq!(findings_in(&base.join(case)), w, "case {case}");
    }
    assert!(
        want.is_empty(),
        "expected.tsv names missing cases: {want:?}"
    );
}

#[test]
fn fixture_tokens_never_reach_output() {
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/catalog");
    for case in ["tokens", "env-templates"] {
        let dir = base.join(case);
        let found = findings_in(&dir);
        assert!(!found.is_empty());
        assert!(!format!("{found:?}").contains("CTXCANARY"));
        for (path, _) in &found {
            let text = std::fs::read(dir.join(path)).unwrap();
            let hits = scan_content(&text);
            let printed = format!("{hits:?}{hits:#?}");
            assert!(!printed.contains("CTXCANARY"), "{path}");
        }
    }
}

/// Prints the findings of the tree at `$CTX_SURVEY_DIR` as TSV (a quick
/// look at a materialized corpus repository):
/// `CTX_SURVEY_DIR=/tmp/x cargo test --release --lib catalog::tests::survey -- --ignored --nocapture`.
#[test]
#[ignore]
fn survey() {
    let Some(dir) = std::env::var_os("CTX_SURVEY_DIR") else {
        return;
    };
    for (path, id) in findings_in(std::path::Path::new(&dir)) {
        println!("FINDING\t{path}\t{id}");
    }
}
