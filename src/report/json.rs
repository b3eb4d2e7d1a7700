//! JSON rendering of a [`Report`]: raw byte counts, relative `/` paths,
//! stable field names, `schema_version` at the top (see README).

use std::io::{self, Write};

use super::Report;

/// Writes the report as pretty JSON with a final newline.
pub fn render(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    // `From` keeps the kind of an I/O error (a closed pipe stays one).
    serde_json::to_writer_pretty(&mut *out, r).map_err(io::Error::from)?;
    writeln!(out)
}
