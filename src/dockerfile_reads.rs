//! What the Dockerfiles read from the context (filled in by the Dockerfile
//! reader).

use crate::analyze::Needed;
use crate::context::Context;

/// `COPY`/`ADD`/bind-mount sources other than `.`, as needed paths.
pub fn needed(_ctx: &Context) -> Vec<Needed> {
    Vec::new()
}
