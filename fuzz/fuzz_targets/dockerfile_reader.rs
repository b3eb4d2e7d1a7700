//! Arbitrary UTF-8 as a Dockerfile: `dockerfile::parse` never panics, its
//! line numbers and stage references are in range, and `context_reads`
//! either succeeds or says why (`TargetError`).
#![no_main]

use ctxsize::dockerfile::{parse, TargetError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.matches('\n').count() + 1;
    let args = [
        ("A".to_string(), "x".to_string()),
        ("B".to_string(), String::new()),
        ("BASE".to_string(), "alpine".to_string()),
        ("DIR".to_string(), "../src/*".to_string()),
    ];
    for build_args in [&[][..], &args[..]] {
        let df = parse(text, build_args);
        let n = df.stages.len();
        for p in &df.problems {
            assert!(p.line >= 1 && p.line <= lines, "problem line {}: {p}", p.line);
            let _ = p.to_string();
        }
        for (i, s) in df.stages.iter().enumerate() {
            assert_eq!(s.index, i);
            assert!(s.line >= 1 && s.line <= lines, "stage line {}", s.line);
            if let Some(b) = s.base_stage {
                assert!(b < n, "base stage {b} of {n}");
            }
            assert!(
                s.depends_on.windows(2).all(|w| w[0] < w[1]),
                "depends_on not sorted/unique: {:?}",
                s.depends_on
            );
            assert!(s.depends_on.iter().all(|&d| d < n), "{:?}", s.depends_on);
            for r in &s.reads {
                assert!(r.line >= 1 && r.line <= lines, "read line {}", r.line);
                assert!(!r.sources.is_empty(), "a read with no sources: {r:?}");
                let _ = r.kind.as_str();
            }
        }
        match df.context_reads(None) {
            Ok(reads) => {
                assert!(n > 0);
                let total: usize = df.stages.iter().map(|s| s.reads.len()).sum();
                assert!(reads.len() <= total);
            }
            Err(e) => {
                assert_eq!(e, TargetError::NoStages);
                assert_eq!(n, 0);
                let _ = e.to_string();
            }
        }
        for s in &df.stages {
            if let Some(name) = &s.name {
                let r = df.context_reads(Some(name));
                assert!(r.is_ok(), "stage {name:?} cannot be targeted: {r:?}");
                let idx = df.stage_index(name);
                assert!(idx.is_some_and(|i| df.stages[i].name.as_deref() == Some(name.as_str())));
            }
        }
        match df.context_reads(Some("no-such-stage-\u{1F600}")) {
            Err(TargetError::UnknownTarget(_)) => {}
            Err(TargetError::NoStages) => assert_eq!(n, 0),
            Ok(_) => panic!("an unknown target was accepted"),
        }
    }
});
