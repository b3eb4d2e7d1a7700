//! The integration tests: one binary, a module per area.

mod buildah;
mod builders;
mod catalog;
mod cli_ls_why;
mod docker;
mod facts;
mod hostile;
mod layers;
mod lint;
mod packaging;
mod precommit;
mod projects;
mod props;
mod regressions;
mod sarif;
mod util;
mod vectors;
