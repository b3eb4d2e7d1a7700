//! Arbitrary bytes as a repository's `compose.yaml` (and, after a NUL, its
//! `.env`): discovery never panics, never loops on aliases, and says what
//! it skipped in one line per note.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use ctxsize::discover::discover;
use libfuzzer_sys::fuzz_target;

// One directory per fuzzing process, rewritten for each input.
fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("ctxsize-fuzz-compose-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("temp dir");
        d
    })
}

fuzz_target!(|data: &[u8]| {
    let (compose, env) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let root = dir();
    std::fs::write(root.join("compose.yaml"), compose).expect("write compose.yaml");
    std::fs::write(root.join(".env"), env).expect("write .env");
    let d = discover(root);
    for n in &d.notes {
        assert!(!n.is_empty() && !n.contains('\n'), "note: {n:?}");
    }
    for b in &d.builds {
        assert!(!b.origins.is_empty());
        assert!(b.dockerfile.components().count() > 0);
    }
});
