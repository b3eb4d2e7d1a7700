//! The integration tests: one binary, a module per area.

mod cli_ls_why;
mod docker;
mod hostile;
mod lint;
mod packaging;
mod precommit;
mod projects;
mod props;
mod sarif;
mod util;
mod vectors;
