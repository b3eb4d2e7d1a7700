//! ctxsize: Docker build contexts, measured and explained.
//!
//! The library decides, exactly as Docker does, which files of a directory
//! `docker build` sends as its build context ([`pattern`], [`scan`]), and
//! builds reports, checks and ignore files on top of that.

pub mod analyze;
pub mod catalog;
pub mod cli;
pub mod commands;
pub mod config;
pub mod context;
pub mod discover;
pub mod dockerfile;
pub mod dockerfile_reads;
pub mod error;
pub mod ignorefile;
pub mod lint;
pub mod pattern;
pub mod relpath;
pub mod report;
pub mod scan;
