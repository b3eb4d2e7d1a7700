//! The builders whose context ctxsize reproduces, and what sets them apart
//! at the level of patterns (spec "Names used", §5.5, §7, §8).
//!
//! This module only names them; the reading and matching rules live in
//! [`super::read`], [`super::goregex`] and [`super::Matcher`], the walk's
//! pruning rule in `scan::walk::prunes`.

/// Which builder's behaviour to reproduce.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Builder {
    /// Current BuildKit / buildx (the default since Docker 23): Docker's
    /// reading and matching, parent results, its own pruning rule (§5.5),
    /// files sent with 0 bytes (§7.1), patterns it cannot send (§7.2, §7.3).
    #[default]
    BuildKit,
    /// The classic builder of Docker 23 and later (`DOCKER_BUILDKIT=0`):
    /// Docker's reading and matching, parent results, classic pruning (§5.3).
    Classic,
    /// Podman and Buildah, local builds: their own reading (P), Docker
    /// 20.10's translation (T), "any ancestor" decisions (D), their own
    /// pruning (W) and ignore-file lookup (§8).
    Podman,
}

impl Builder {
    /// Every builder, in a fixed order (for tables and divergence checks).
    pub const ALL: [Builder; 3] = [Builder::BuildKit, Builder::Classic, Builder::Podman];

    /// `buildkit`, `classic` or `podman`.
    pub fn as_str(self) -> &'static str {
        match self {
            Builder::BuildKit => "buildkit",
            Builder::Classic => "classic",
            Builder::Podman => "podman",
        }
    }

    /// A name for messages: `BuildKit`, `the classic builder`,
    /// `Podman/Buildah`.
    pub fn display_name(self) -> &'static str {
        match self {
            Builder::BuildKit => "BuildKit",
            Builder::Classic => "the classic builder",
            Builder::Podman => "Podman/Buildah",
        }
    }

    /// Whether the builder uses Docker's reading and matching (BuildKit and
    /// the classic builder), as opposed to Podman's.
    pub fn is_docker(self) -> bool {
        matches!(self, Builder::BuildKit | Builder::Classic)
    }
}

impl std::fmt::Display for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Builder {
    type Err = String;

    /// `buildkit`, `classic`, `podman` or `buildah` (case-insensitive).
    fn from_str(s: &str) -> Result<Builder, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "buildkit" => Ok(Builder::BuildKit),
            "classic" => Ok(Builder::Classic),
            "podman" | "buildah" => Ok(Builder::Podman),
            other => Err(format!(
                "unknown builder {other:?} (expected buildkit, classic, podman or buildah)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for b in Builder::ALL {
            assert_eq!(b.as_str().parse::<Builder>(), Ok(b));
        }
        assert_eq!("Buildah".parse::<Builder>(), Ok(Builder::Podman));
        assert!("docker".parse::<Builder>().is_err());
        assert_eq!(Builder::default(), Builder::BuildKit);
    }
}
