//! The integration tests: one binary, a module per area.

mod cli_ls_why;
mod props;
mod util;
mod vectors;
