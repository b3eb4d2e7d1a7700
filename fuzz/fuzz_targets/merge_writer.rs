//! `append_block` (the writer `ctxsize init` uses to merge rules into an
//! existing ignore file): on any text file (valid UTF-8, no NUL) and a few
//! rule lines, the original bytes are an exact prefix of the result, every
//! original line reads back unchanged and in order, and the result compiles
//! to the original file's rules followed by the new ones.
#![no_main]

use ctxsize::ignorefile::document::{append_block, check_text};
use ctxsize::pattern::read::split_lines;
use ctxsize::pattern::Matcher;
use ctxsize_fuzz::gen::{Choices, PATTERN_ATOMS};
use ctxsize_fuzz::show;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut c = Choices::new(data);
    // A few rule lines as `init` would add them: one line each, no CR or LF.
    let mut added = Vec::new();
    for _ in 0..1 + c.below(3) {
        let mut l = Vec::new();
        if c.below(4) == 0 {
            l.push(b'!');
        }
        for _ in 0..1 + c.below(4) {
            l.extend_from_slice(c.pick(PATTERN_ATOMS));
        }
        if c.below(8) == 0 {
            l.splice(0..0, b"# ".iter().copied());
        }
        let Ok(s) = String::from_utf8(l) else { return };
        if s.contains(['\r', '\n']) {
            return;
        }
        added.push(s);
    }
    let old = c.rest();
    if check_text(old).is_err() {
        return;
    }

    let new = append_block(old, &added);
    let ctx = || format!("old {} added {added:?} new {}", show(old), show(&new));
    assert!(new.starts_with(old), "not a prefix; {}", ctx());
    assert!(check_text(&new).is_ok(), "{}", ctx());

    // Every original line, as Docker splits lines, is unchanged. A file
    // that is only a BOM counts as empty (`document::shape`): the block
    // starts right after the BOM, on line 1.
    let old_lines = if old == b"\xEF\xBB\xBF" {
        Vec::new()
    } else {
        split_lines(old)
    };
    let new_lines = split_lines(&new);
    assert!(new_lines.len() >= old_lines.len(), "{}", ctx());
    assert_eq!(&new_lines[..old_lines.len()], &old_lines[..], "lines changed; {}", ctx());

    // Old rules, then the new ones.
    let before = Matcher::from_bytes(old, None);
    let after = Matcher::from_bytes(&new, None);
    let key = |r: &ctxsize::pattern::Rule| (r.line, r.original.clone(), r.pattern.clone(), r.exception);
    let old_rules: Vec<_> = before.matcher.rules().iter().map(key).collect();
    let new_rules: Vec<_> = after.matcher.rules().iter().map(key).collect();
    assert!(new_rules.len() >= old_rules.len(), "{}", ctx());
    assert_eq!(&new_rules[..old_rules.len()], &old_rules[..], "old rules changed; {}", ctx());
    // Each added line compiled alone (as a line after the first, so that a
    // BOM is not stripped) gives the rules the tail must hold.
    let mut expected = Vec::new();
    let mut expected_errors = before.errors.len();
    for l in &added {
        let mut one = b"\n".to_vec();
        one.extend_from_slice(l.as_bytes());
        let alone = Matcher::from_bytes(&one, None);
        expected_errors += alone.errors.len();
        expected.extend(alone.matcher.rules().iter().map(|r| (r.pattern.clone(), r.exception)));
    }
    let tail: Vec<_> = after.matcher.rules()[old_rules.len()..]
        .iter()
        .map(|r| (r.pattern.clone(), r.exception))
        .collect();
    assert_eq!(tail, expected, "new rules; {}", ctx());
    assert_eq!(after.errors.len(), expected_errors, "errors; {}", ctx());
    // The old errors keep their lines.
    assert_eq!(&after.errors[..before.errors.len()], &before.errors[..], "{}", ctx());
});
