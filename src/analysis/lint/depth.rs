//! Rules whose reach depends on depth in a way `.gitignore` habits do not
//! expect: a bare `name` matches only at the root, `*/name` only one level
//! down, while same-named paths elsewhere are sent. The observations come
//! from the walk ([`DepthMisses`]); the advice (`**/name`) is offered only
//! when it would exclude nothing a build needs.

use super::{s, LintFinding};
use crate::checks;
use crate::facts::needs::Needs;
use crate::facts::walk::{Depth, DepthMisses, MAX_EXAMPLES};
use crate::pattern::Matcher;

/// One `root-only` or `one-level` finding per rule with misses.
pub fn findings(
    matcher: &Matcher,
    misses: &DepthMisses,
    needs: &Needs,
    file: &str,
) -> Vec<LintFinding> {
    let rules = matcher.rules();
    let mut out = Vec::new();
    for m in &misses.rules {
        if m.paths.is_empty() {
            continue;
        }
        let Some(how) = m.depth else {
            continue;
        };
        let r = &rules[m.rule];
        let name = match how {
            Depth::RootOnly => &r.pattern[..],
            Depth::OneLevel => &r.pattern[2..],
        };
        let fixed = format!("**/{}", s(name));
        let count = m.paths.len();
        let stay = if count == 1 {
            "match stays"
        } else {
            "matches stay"
        };
        // A directory that stays brings everything below it.
        let below = if m.any_dir {
            ", with everything below"
        } else {
            ""
        };
        let needed = m
            .paths
            .iter()
            .find_map(|p| needs.taken_with_contents(p).map(|n| (p, n)));
        let advice = match needed {
            None => format!(": use `{fixed}`"),
            Some((p, n)) => format!(
                "; `{fixed}` would also exclude {} ({}), so list the paths to exclude one by one",
                s(p),
                n.why
            ),
        };
        let (check, message) = match how {
            Depth::RootOnly => (checks::ROOT_ONLY, format!(
                "`{}` matches only at the context root (this is not .gitignore); {count} deeper {stay} in the context{below}{advice}",
                s(&r.pattern),
            )),
            Depth::OneLevel => (checks::ONE_LEVEL, format!(
                "`{}` matches only one directory below the root (`*` never crosses a `/`); {count} {stay} in the context at other depths{below}{advice}",
                s(&r.pattern),
            )),
        };
        // Only known per-directory artifacts get an automatic fix: for
        // `*.md` or `tests` root-only may be what was meant. Every deeper
        // match must be an artifact, and none may be a path a build needs.
        let fix = (m.all_artifacts && needed.is_none()).then_some(fixed);
        let mut f = LintFinding::new(check, file, r.line, s(&r.original), message);
        // Without a safe fix the line may mean what it says (`core` for a
        // core dump at the root while `app/core` is a package), or the fix
        // would break a build: information, not a problem.
        if fix.is_none() {
            f.severity = crate::checks::Severity::Info;
        }
        f.examples = m.paths.iter().take(MAX_EXAMPLES).map(|p| s(p)).collect();
        f.fix = fix;
        out.push(f);
    }
    out
}
