//! The Dockerfiles of a run, each read and parsed once and shared by every
//! analysis that needs it (needs, transfers, `COPY` checks, discovery).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::dockerfile::{self, Dockerfile};

/// A cache of parsed Dockerfiles keyed by path, with a count of the reads
/// (each path is read at most once; tests check it).
#[derive(Debug, Default)]
pub struct Dockerfiles {
    parsed: Mutex<HashMap<PathBuf, Option<Arc<Dockerfile>>>>,
    reads: Mutex<HashMap<PathBuf, usize>>,
}

impl Dockerfiles {
    /// An empty cache.
    pub fn new() -> Dockerfiles {
        Dockerfiles::default()
    }

    /// The parsed Dockerfile at `path`, or `None` when it cannot be read
    /// (missing, a directory, unreadable).
    pub fn get(&self, path: &Path) -> Option<Arc<Dockerfile>> {
        let mut parsed = self.parsed.lock().expect("dockerfile cache");
        if let Some(d) = parsed.get(path) {
            return d.clone();
        }
        *self
            .reads
            .lock()
            .expect("dockerfile reads")
            .entry(path.to_path_buf())
            .or_default() += 1;
        let d = std::fs::read(path)
            .ok()
            .map(|text| Arc::new(dockerfile::parse(&String::from_utf8_lossy(&text), &[])));
        parsed.insert(path.to_path_buf(), d.clone());
        d
    }

    /// How many times each path was read from disk.
    pub fn reads(&self) -> HashMap<PathBuf, usize> {
        self.reads.lock().expect("dockerfile reads").clone()
    }
}
