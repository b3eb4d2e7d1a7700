//! ctxsize: Docker build contexts, measured and explained.
//!
//! The library decides, exactly as the builders do, which files of a
//! directory `docker build` (or `podman build`) sends as its build context
//! ([`pattern`], [`scan`]), finds the builds of a repository, and builds
//! reports, checks and ignore files on top of that.
//!
//! The modules are layered; each uses only those on its own level or below
//! (a test, `tests/integration/layers.rs`, keeps it so):
//!
//! 0. base helpers: [`relpath`];
//! 1. pure parsers and knowledge: [`pattern`], [`dockerfile`], [`catalog`],
//!    [`checks`], and the crate's [`error`] type (which carries the
//!    pattern errors);
//! 2. reading the disk: [`ignorefile`], [`scan`], [`discover`], [`config`];
//! 3. the facts of one run, gathered once: [`facts`];
//! 4. analyses of those facts: [`analysis`];
//! 5. one diagnostics model and the report, with their renderers: [`diag`],
//!    [`report`];
//! 6. the verbs: [`commands`];
//! 7. the command line: [`cli`].

pub mod analysis;
pub mod catalog;
pub mod checks;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diag;
pub mod discover;
pub mod dockerfile;
pub mod error;
pub mod facts;
pub mod ignorefile;
pub mod pattern;
pub mod relpath;
pub mod report;
pub mod scan;
