//! Files staged for commit that would be sent and are secret-looking or
//! heavy: what `check --staged` adds for a pre-commit hook.

use crate::catalog;
use crate::error::Result;
use crate::facts::context::Context;
use crate::facts::walk::{read_head, read_prefix};

/// A staged file that would land in the context.
pub struct Staged {
    /// Path relative to the context.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Looks like a secret.
    pub secret: bool,
    /// Why (for secrets).
    pub reason: String,
    /// The rule that keeps it out.
    pub rule: String,
}

/// Judges the staged files (relative to the context): the ones the context
/// sends that are secrets or larger than `threshold`.
pub fn judge(ctx: &Context, staged: &[Vec<u8>], threshold: u64) -> Result<Vec<Staged>> {
    let mut found = Vec::new();
    for raw in staged {
        let Ok(rel) = std::str::from_utf8(raw) else {
            continue;
        };
        let abs = ctx.root.join(rel);
        let Ok(md) = std::fs::symlink_metadata(&abs) else {
            continue;
        };
        if !md.is_file() || !ctx.decide(raw, false)?.included {
            continue;
        }
        let name = &rel[rel.rfind('/').map_or(0, |i| i + 1)..];
        let has = |d: &str, g: &str| catalog::dir_has(&ctx.root.join(d), g);
        let entry = catalog::match_file(rel, name, &has);
        // Staged means tracked from now on.
        let by_name = entry.filter(|e| {
            e.kind == catalog::Kind::Secret
                && (!catalog::needs_head(e, true)
                    || read_head(&abs).is_ok_and(|h| catalog::confirm(e, &h, true)))
        });
        let by_content = if by_name.is_none() && catalog::worth_scanning(name, md.len()) {
            read_prefix(&abs, catalog::SCAN_BYTES)
                .ok()
                .and_then(|h| catalog::scan_content(&h).into_iter().next())
                .map(|h| h.entry)
        } else {
            None
        };
        let secret = by_name.or(by_content);
        let rule = |e: Option<&catalog::Entry>| {
            e.and_then(|e| e.rules_for(&[rel]).into_iter().next())
                .unwrap_or_else(|| catalog::literal_rule(rel))
        };
        if let Some(e) = secret {
            found.push(Staged {
                path: rel.to_string(),
                size: md.len(),
                secret: true,
                reason: e.reason.trim_end_matches('.').to_string(),
                rule: rule(Some(e)),
            });
        } else if md.len() > threshold {
            found.push(Staged {
                path: rel.to_string(),
                size: md.len(),
                secret: false,
                reason: String::new(),
                rule: rule(entry),
            });
        }
    }
    Ok(found)
}
