//! What one catalogue entry is: how it recognises a path ([`Matcher`]), the
//! evidence it needs around it ([`Near`], `requires_child`, a
//! [`ContentCheck`], "not tracked by git"), and the `.dockerignore` rules
//! that keep its hits out ([`Entry::rules`], [`Entry::rules_for`]).
//!
//! The table itself is in `entries.rs`; the look-ups that apply it are in
//! `lookup.rs`.
//!
//! # Rules with placeholders
//!
//! Some directories are runtime state whose *contents* are junk but which
//! the application needs to exist, and which projects keep in git with a
//! placeholder file (`storage/logs/.gitignore` in Laravel, `log/.keep` in
//! Rails). Such an entry has an [`Entry::inside`](Entry#structfield.inside) glob: its rule excludes
//! only what matches that glob inside the directory, one line, no `!`
//! exception needed. The glob `[^.]*` excludes every entry whose name does
//! not start with a dot, so `storage/logs/[^.]*` sends the directory and its
//! `.gitignore` / `.gitkeep` / `.keep` and nothing else; `bootstrap/cache/*.php`
//! keeps everything but the compiled PHP. (`[^.]` is a negated class in
//! Docker's Go-regexp translation, in every builder; `[!.]` would not be.)
//! A caller totalling what a hit sends should count only the paths
//! [`Entry::covers_inside`] accepts, so that a directory already reduced to
//! its placeholders is not reported again.

use super::glob::{literal_rule, name_matches, suffix_matches};
use super::stacks::Ecosystem;

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
    /// A local development database or other runtime state.
    Data,
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
            Kind::Data => "data",
            Kind::Secret => "secret",
        }
    }
}

/// How an entry recognises a path, before its conditions are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Matcher {
    /// A directory with exactly this name.
    DirName(&'static str),
    /// A directory whose relative path ends with these whole segments, each
    /// a glob (`.next/cache` matches `web/.next/cache`; `build/lib*` matches
    /// `build/lib.linux-x86_64-cpython-312`). Evidence beside it is looked
    /// for next to the suffix's first segment.
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
    /// A file whose relative path ends with these whole segments, each a
    /// glob (`.aws/credentials`).
    FilePath(&'static str),
    /// A file named after the Go module or `cmd/<name>` of the directory
    /// it is in: see [`GoModule`](super::GoModule). Never returned by
    /// [`match_file`](super::match_file).
    GoBinary,
    /// Not a path: a credential format found inside any file by
    /// [`scan_content`](super::scan_content).
    Content,
}

impl Matcher {
    /// Whether this matcher recognises directories (else files or content).
    pub fn is_dir(self) -> bool {
        matches!(
            self,
            Matcher::DirName(_)
                | Matcher::DirPath(_)
                | Matcher::DirGlob(_)
                | Matcher::DirHolding(_)
        )
    }

    /// The name, glob or path suffix this matcher compares (empty for
    /// [`Matcher::GoBinary`] and [`Matcher::Content`]).
    pub fn text(self) -> &'static str {
        match self {
            Matcher::DirName(s)
            | Matcher::DirPath(s)
            | Matcher::DirGlob(s)
            | Matcher::DirHolding(s)
            | Matcher::FileName(s)
            | Matcher::FileGlob(s)
            | Matcher::FilePath(s) => s,
            Matcher::GoBinary | Matcher::Content => "",
        }
    }

    /// How many path segments the matcher covers (2 for `tmp/cache`).
    fn segments(self) -> usize {
        match self {
            Matcher::DirPath(s) | Matcher::FilePath(s) => s.split('/').count(),
            _ => 1,
        }
    }
}

/// A fixed test on the start of a file that confirms a candidate.
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
    /// An executable: ELF, Mach-O (thin or universal) or PE (`MZ` with a
    /// `PE\0\0` header where the head reaches it), or other binary content
    /// (a NUL byte in the head); text such as a script fails.
    Executable,
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
            ContentCheck::Executable => "is a compiled executable",
        }
    }
}

/// Evidence in the directory beside a path (its parent, or for path
/// matchers the directory holding the suffix's first segment). Each list
/// holds globs in [`name_matches`] syntax; an item may name a path below
/// that directory (`config/application.rb`). Empty lists impose nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Near {
    /// At least one of these must be there (`Cargo.toml`, `pom.xml`).
    pub any: &'static [&'static str],
    /// Every one of these must be there (`Gemfile` and
    /// `config/application.rb`).
    pub all: &'static [&'static str],
    /// None of these may be there (`package.json` for a Python `dist`).
    pub none: &'static [&'static str],
}

impl Near {
    /// No condition.
    pub const NONE: Near = Near {
        any: &[],
        all: &[],
        none: &[],
    };

    /// Whether there is no condition at all.
    pub fn is_empty(&self) -> bool {
        self.any.is_empty() && self.all.is_empty() && self.none.is_empty()
    }

    pub(crate) fn holds(&self, has: &dyn Fn(&str) -> bool) -> bool {
        (self.any.is_empty() || self.any.iter().any(|g| has(g)))
            && self.all.iter().all(|g| has(g))
            && !self.none.iter().any(|g| has(g))
    }
}

/// One catalogue entry: a recognisable path (or content), why it matters,
/// and the `.dockerignore` rule that keeps it out.
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
    /// The Docker rule that excludes the path at any depth (`**/__pycache__`,
    /// `**/storage/logs/[^.]*`); `None` when no pattern stands for every hit
    /// (marker-recognised directories, Go binaries, content findings),
    /// whose rules are the hit paths. See [`Entry::rules`].
    pub rule: Option<&'static str>,
    /// Evidence needed beside the path.
    pub near: Near,
    /// Evidence needed inside a directory: it must hold an entry matching at
    /// least one of these globs (`*.log`). Empty means no condition.
    pub requires_child: &'static [&'static str],
    /// Exact names the matcher would accept that are not this entry
    /// (`.env.vault` for `.env.*`). Env-file templates are left out of
    /// every secret entry without being listed here (see
    /// [`is_env_template`](super::is_env_template)).
    pub except: &'static [&'static str],
    /// For a directory whose contents are junk but which must stay (with
    /// its tracked placeholders): the glob, relative to the directory, of
    /// what the rule excludes (`[^.]*`, `*.php`, `*/[^.]*`). See the module
    /// docs.
    pub inside: Option<&'static str>,
    /// A test on the file's start that must pass before it is reported.
    pub content: Option<ContentCheck>,
    /// Only an untracked file counts: a tracked one is the project's own
    /// (a committed script named like the module).
    pub untracked_only: bool,
    /// A test that must also pass when git tracks the file: a committed
    /// `.env.docker` is usually a template, a secret only if it sets one.
    pub tracked_content: Option<ContentCheck>,
    /// A relative path the matcher recognises and the rule matches.
    pub example: &'static str,
    /// One sentence for the user: what this is and why it should stay out.
    pub reason: &'static str,
}

/// The rules that keep one entry's hits out, in two forms: the caller (who
/// knows what the builds need) picks the general one or falls back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rules {
    /// One rule for every hit, present and future: the root form (`target`)
    /// when every hit is at the context root, else the any-depth form
    /// (`**/target`, `**/storage/logs/[^.]*`). `None` when the entry has no
    /// pattern that stands for its hits (content-confirmed files, Go
    /// binaries, marker directories whose hits have different names).
    pub general: Option<String>,
    /// Whether `general` can only catch this entry's paths: the name alone
    /// proves the entry. When `false`, the evidence was checked per hit
    /// (a sibling `pom.xml`, a `pyvenv.cfg` inside), so the general rule
    /// also catches look-alikes without it: the caller must check that it
    /// excludes no path that is not a hit and nothing a build needs, and
    /// otherwise use `exact`.
    pub proof: bool,
    /// One rule per hit, escaped, sorted and deduplicated.
    pub exact: Vec<String>,
}

impl Entry {
    pub(crate) const fn new(
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
            near: Near::NONE,
            requires_child: &[],
            except: &[],
            inside: None,
            content: None,
            untracked_only: false,
            tracked_content: None,
            example,
            reason,
        }
    }

    /// Needs one of `globs` beside it.
    pub(crate) const fn sibling(mut self, globs: &'static [&'static str]) -> Entry {
        self.near.any = globs;
        self
    }

    /// Needs all of `globs` beside it.
    pub(crate) const fn siblings_all(mut self, globs: &'static [&'static str]) -> Entry {
        self.near.all = globs;
        self
    }

    /// Needs none of `globs` beside it.
    pub(crate) const fn no_sibling(mut self, globs: &'static [&'static str]) -> Entry {
        self.near.none = globs;
        self
    }

    pub(crate) const fn child(mut self, globs: &'static [&'static str]) -> Entry {
        self.requires_child = globs;
        self
    }

    pub(crate) const fn except(mut self, names: &'static [&'static str]) -> Entry {
        self.except = names;
        self
    }

    pub(crate) const fn inside(mut self, glob: &'static str) -> Entry {
        self.inside = Some(glob);
        self
    }

    pub(crate) const fn content(mut self, check: ContentCheck) -> Entry {
        self.content = Some(check);
        self
    }

    pub(crate) const fn tracked_content(mut self, check: ContentCheck) -> Entry {
        self.tracked_content = Some(check);
        self
    }

    pub(crate) const fn untracked_only(mut self) -> Entry {
        self.untracked_only = true;
        self
    }

    /// The rule's root-only form (`__pycache__` for `**/__pycache__`).
    pub fn root_rule(&self) -> Option<&'static str> {
        self.rule.map(|r| r.strip_prefix("**/").unwrap_or(r))
    }

    /// Whether the name alone proves the entry: no evidence of any kind
    /// and a rule of its own. Only such entries get a wildcard rule from
    /// [`Entry::rules_for`], and [`Rules::proof`] is this.
    pub fn name_is_proof(&self) -> bool {
        self.rule.is_some()
            && self.near.is_empty()
            && self.requires_child.is_empty()
            && self.except.is_empty()
            && self.content.is_none()
            && !self.untracked_only
    }

    /// The exact rule for one hit: the path, escaped, plus the
    /// [`Entry::inside`](Entry#structfield.inside) glob (`storage/logs/[^.]*`).
    pub fn exact_rule(&self, hit: &str) -> String {
        let path = literal_rule(hit);
        match self.inside {
            Some(glob) => format!("{path}/{glob}"),
            None => path,
        }
    }

    /// Whether a path inside a directory hit (relative to the hit, `/`
    /// separated) is excluded by this entry's rule: always, unless the
    /// entry has an [`Entry::inside`](Entry#structfield.inside) glob, whose segments must match the
    /// path's leading segments (`.gitignore` is not covered by `[^.]*`;
    /// `cache/.gitignore` is not covered by `*/[^.]*`).
    pub fn covers_inside(&self, inside_path: &str) -> bool {
        let Some(glob) = self.inside else {
            return true;
        };
        let want = glob.split('/').count();
        glob.split('/')
            .zip(inside_path.split('/'))
            .filter(|(g, s)| name_matches(g, s))
            .count()
            == want
    }

    /// Both rule forms for these hits (relative paths this entry matched).
    /// No hits give no rules. See [`Rules`].
    pub fn rules(&self, hits: &[&str]) -> Rules {
        let mut exact: Vec<String> = hits.iter().map(|h| self.exact_rule(h)).collect();
        exact.sort();
        exact.dedup();
        if hits.is_empty() {
            return Rules {
                general: None,
                proof: false,
                exact,
            };
        }
        let depth = self.matcher.segments();
        let all_root = hits.iter().all(|h| h.split('/').count() == depth);
        let general = match (self.rule, self.root_rule()) {
            _ if self.content.is_some() || self.untracked_only => None,
            (Some(anywhere), Some(root)) => {
                Some(if all_root { root } else { anywhere }.to_string())
            }
            _ if matches!(self.matcher, Matcher::DirHolding(_)) => {
                // Marker directories: one name for all hits, or nothing.
                let last = |h: &&str| h.rsplit('/').next().unwrap_or(h).to_string();
                let name = last(&hits[0]);
                hits.iter().all(|h| last(h) == name).then(|| {
                    let name = literal_rule(&name);
                    if all_root {
                        name
                    } else {
                        format!("**/{name}")
                    }
                })
            }
            _ => None,
        };
        Rules {
            proof: general.is_some() && self.name_is_proof(),
            general,
            exact,
        }
    }

    /// The `.dockerignore` rules that exclude these hits, the conservative
    /// way: [`Rules::general`] when the name alone proves the entry
    /// ([`Rules::proof`]), one rule; otherwise [`Rules::exact`], one rule
    /// per hit, since a wildcard would also catch look-alikes without the
    /// evidence (a public `cert.pem`, a `bin` of scripts). No hits give no
    /// rules. Callers that can check look-alikes use [`Entry::rules`].
    pub fn rules_for(&self, hits: &[&str]) -> Vec<String> {
        let rules = self.rules(hits);
        match rules.general {
            Some(general) if rules.proof => vec![general],
            _ => rules.exact,
        }
    }

    /// Whether the path and name pass the matcher's own test, given that
    /// the name was already found by the name index or glob set. Returns
    /// the evidence directory: the parent of the suffix's first segment.
    pub(crate) fn path_fits<'p>(&self, rel_path: &'p str, name: &str) -> Option<&'p str> {
        if self.except.contains(&name) {
            return None;
        }
        let before = match self.matcher {
            Matcher::DirPath(suffix) | Matcher::FilePath(suffix) => {
                suffix_matches(rel_path, suffix)?
            }
            _ => rel_path.split('/').count() - 1,
        };
        Some(super::glob::leading_segments(rel_path, before))
    }
}
