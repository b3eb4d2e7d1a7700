//! The catalogue: what well-known paths (and credential formats) in a build
//! context are, and whether they belong there.
//!
//! It is pure knowledge: it does not walk, list or read on its own. The
//! caller walks, answers its questions about the tree around a path, reads
//! at most a bounded head of a file, knows whether git tracks it, and
//! evaluates rules with the Docker-exact matcher. (The one exception is the
//! convenience [`dir_has`] / [`match_dir_at`] / [`match_file_at`], which
//! answer those questions with an `lstat` or one directory listing.) Paths
//! are relative to the context root, use `/`, and have no leading `./`.
//!
//! # Modules
//!
//! - `entries.rs`: the data, [`ENTRIES`] (paths) and [`CONTENT_ENTRIES`]
//!   (credential formats); `entry.rs`: what an entry is ([`Entry`],
//!   [`Matcher`], [`Near`], [`ContentCheck`]) and its rule forms
//!   ([`Entry::rules`], [`Rules`]).
//! - `lookup.rs`: [`match_dir`] / [`match_file`], name and glob matching
//!   with the evidence around a path.
//! - `sniff.rs`: [`confirm`], confirming a name-matched candidate from its
//!   head (a `.npmrc` with a token, a `*.pem` with a private key, an
//!   executable) and its tracked state.
//! - `content.rs`: [`scan_content`], credentials found by content in files
//!   of any name, and [`worth_scanning`], which files to read at all.
//! - `gomod.rs`: [`GoModule`], Go binaries built next to `go.mod`.
//! - `envfile.rs`: [`is_env_template`], `.env.example` and friends are
//!   documentation, not secrets.
//! - `stacks.rs`: [`detect_ecosystems`], [`stack_defaults`],
//!   [`common_defaults`]: the rules `ctxsize init` writes per stack.
//! - `protected.rs`: [`is_protected`], manifests and lockfiles never to
//!   exclude. `glob.rs`: [`name_matches`], [`literal_rule`].
//!
//! # How a walker calls it
//!
//! For each directory entry, with its relative path and file name:
//!
//! 1. Directory: `match_dir(rel, name, &has)`; file: `match_file(rel, name,
//!    &has)`. `has(dir, glob)` answers "does `dir` hold an entry matching
//!    `glob`" (see `lookup.rs` for which directories are asked); it is asked
//!    only after a name matched, except for the [`dir_markers`] of a
//!    directory no name claimed.
//! 2. In a directory that holds `go.mod`: read the head of `go.mod` once
//!    ([`GoModule::from_go_mod`]) and ask [`GoModule::candidate`] for each
//!    file no entry claimed.
//! 3. If an entry came back and [`needs_head`] (given whether git tracks
//!    the file) says so, read at most [`SNIFF_BYTES`] from the start of the
//!    file; keep the finding only if [`confirm`] returns `true`.
//! 4. A directory that matched is one finding: the caller does not report
//!    paths inside it again (it may still walk it to count bytes, counting
//!    only what [`Entry::covers_inside`] accepts).
//! 5. For every file that is sent (or staged) and not inside a finding, if
//!    [`worth_scanning`] says so, read at most [`SCAN_BYTES`] and call
//!    [`scan_content`]; each [`ContentHit`] is a secret finding on that
//!    file (entry and line, never the value). Report whether git tracks the
//!    file: a tracked secret must also be rotated.
//!
//! At most one entry is returned per path: the first in table order whose
//! matcher and conditions hold. Entries recognised by a marker inside them
//! ([`Matcher::DirHolding`]) are tried after every name-based entry.
//!
//! # Tracked paths
//!
//! A finding on a path git tracks is the project's choice unless it is a
//! secret: callers should drop non-secret findings whose covered files are
//! tracked, and keep secret ones (saying they are tracked). Placeholders
//! such as `storage/logs/.gitignore` are not covered by their entry's rule
//! ([`Entry::covers_inside`]), so they never make a finding "tracked".
//!
//! # Rules
//!
//! [`Entry::rules`] gives both a general rule that stays true as the
//! project grows (`**/target` for 58 Maven modules, and the 59th) and the
//! exact per-hit fallback; [`Rules::proof`] says whether the general rule
//! can only catch the entry's own paths. When it cannot, the caller checks
//! it against the paths it knows (look-alikes without the evidence, paths a
//! build needs) and falls back to [`Rules::exact`] when it would exclude
//! one. [`Entry::rules_for`] is the conservative choice made for the caller.
//! Directories whose contents are junk but which must exist with their
//! tracked placeholders get one content rule (`storage/logs/[^.]*`), never
//! a `!` exception (see `entry.rs`).

mod content;
mod entries;
mod entry;
mod envfile;
mod glob;
mod gomod;
mod lookup;
mod protected;
mod sniff;
mod stacks;
#[cfg(test)]
mod tests;

pub use content::{scan_content, worth_scanning, ContentHit, SCAN_BYTES, SCAN_MAX_FILE_BYTES};
pub use entries::{by_id, CONTENT_ENTRIES, ENTRIES};
pub use entry::{ContentCheck, Entry, Kind, Matcher, Near, Rules};
pub use envfile::is_env_template;
pub use glob::{literal_rule, name_matches};
pub use gomod::{go_binary, GoModule};
pub use lookup::{dir_has, dir_markers, match_dir, match_dir_at, match_file, match_file_at};
pub use protected::{is_protected, protected_names};
pub use sniff::{confirm, confirm_secret, needs_content_check, needs_head, SNIFF_BYTES};
pub use stacks::{common_defaults, detect_ecosystems, stack_defaults, DefaultRule, Ecosystem};
