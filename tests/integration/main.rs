//! The integration tests: one binary, a module per area.

mod cli_ls_why;
mod hostile;
mod lint;
mod projects;
mod props;
mod util;
mod vectors;
