//! `Matcher` (reading, compiling, `decide_path`, `Strategy::matches`)
//! against the spec's reference implementation in `src/reference.rs`, on
//! generated ignore files and paths. Inputs the reference does not model
//! are skipped.
#![no_main]

use ctxsize::pattern::{Matcher, PatternErrorKind};
use ctxsize_fuzz::gen::{context_path, ignore_file, Choices};
use ctxsize_fuzz::reference::{self, Reference};
use ctxsize_fuzz::show;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut c = Choices::new(data);
    let file = ignore_file(&mut c);
    let Ok(want) = Reference::from_bytes(&file) else {
        return;
    };
    let got = Matcher::from_bytes(&file, None);
    let ctx = || format!("ignore file {}", show(&file));

    // Errors: in the supported subset only a lone `!` is rejected.
    let errors: Vec<_> = got.errors.iter().map(|e| (e.line, e.kind.clone())).collect();
    let want_errors: Vec<_> = want
        .lone_bang_lines
        .iter()
        .map(|&l| (l, PatternErrorKind::LoneExclamation))
        .collect();
    assert_eq!(errors, want_errors, "errors differ; {}", ctx());

    // Rules: same lines, exception flags, cleaned patterns and kinds.
    let rules = got.matcher.rules();
    let shape = |line, exc, pat: &[u8], kind| format!("line {line} !={exc} {} {kind}", show(pat));
    let got_rules: Vec<_> = rules
        .iter()
        .map(|r| shape(r.line, r.exception, &r.pattern, r.strategy.kind()))
        .collect();
    let want_rules: Vec<_> = want
        .rules
        .iter()
        .map(|r| shape(r.line, r.exception, &r.pattern, r.kind.name()))
        .collect();
    assert_eq!(got_rules, want_rules, "rules differ; {}", ctx());

    for _ in 0..4 {
        let path = context_path(&mut c);
        let is_dir = c.below(2) == 0;
        // Each pattern on its own.
        for (i, (r, w)) in rules.iter().zip(&want.rules).enumerate() {
            let g = r.strategy.matches(&path).ok();
            let e = reference::matches(&w.kind, &path).ok();
            assert_eq!(
                g,
                e,
                "rule {i} ({}) on path {}: ctxsize {g:?}, reference {e:?}; {}",
                show(&w.pattern),
                show(&path),
                ctx()
            );
        }
        // The whole decision, parent chain included.
        let g = got
            .matcher
            .decide_path(&path, is_dir)
            .map(|d| (d.excluded, d.rule, d.via_parent))
            .map_err(|e| e.rule);
        let e = want
            .decide(&path)
            .map(|d| (d.excluded, d.rule, d.via_parent));
        assert_eq!(
            g,
            e,
            "decision for path {} ((excluded, rule, via_parent) or Err(rule)): ctxsize {g:?}, reference {e:?}; {}",
            show(&path),
            ctx()
        );
        if c.exhausted() {
            break;
        }
    }
});
