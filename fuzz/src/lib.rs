//! Support code for ctxsize's fuzz targets: a reference implementation of
//! the `.dockerignore` spec and a small structured-input generator.

pub mod gen;
pub mod reference;

/// Bytes as a readable, escaped string for failure messages.
pub fn show(b: &[u8]) -> String {
    format!("\"{}\"", b.escape_ascii())
}
