//! Property tests: the matcher never panics, and deciding one path on its
//! own (as `why` does) agrees with the walk.

use std::collections::BTreeSet;

use ctxsize::pattern::Matcher;
use ctxsize::scan::{list, BuilderKind, EntryKind, Select};
use proptest::prelude::*;

use crate::util::Tree;

fn pattern_strategy() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "a", "b", "ab", "*", "**", "?", "/", "[a-c]", "[^a]", "\\*", ".", "..", "!", " ", "x{1,2}",
        "(", "|", "^", "$", "é", "[", "]", "\\", "-", "#",
    ]);
    prop::collection::vec(atoms, 0..8).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn matcher_never_panics(lines in prop::collection::vec(pattern_strategy(), 0..6),
                            path in prop::collection::vec(prop::sample::select(vec!["a", "b", "ab", "é", "x{1,2}", "*"]), 1..5)) {
        let compiled = Matcher::from_bytes(lines.join("\n").as_bytes(), None);
        let path = path.join("/");
        let _ = compiled.matcher.decide_path(path.as_bytes(), false);
        let _ = compiled.matcher.decide_path(path.as_bytes(), true);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn single_path_replay_agrees_with_walk(
        lines in prop::collection::vec(prop::sample::select(vec![
            "a", "a/b", "*", "*/b", "**/b", "a/**", "!a/b", "!**/c", "!a", "b*", "!b/c", "a/*/c", "**",
        ]), 0..5),
    ) {
        let t = Tree::new();
        for p in ["a/b/c", "a/c", "b/c", "b/a/b", "c", "a/b/d/c"] {
            t.file(p, 1);
        }
        let compiled = Matcher::from_bytes(lines.join("\n").as_bytes(), None);
        prop_assume!(compiled.errors.is_empty());
        let m = compiled.matcher;
        // A matcher-only check: with no pruning difference (walk under
        // BuildKit with no exceptions, or none reaching in), every file's
        // replayed decision equals the walk's when its ancestors are kept.
        let walked: BTreeSet<Vec<u8>> = list(t.path(), &m, BuilderKind::BuildKit, Select::Included)
            .unwrap()
            .entries
            .into_iter()
            .filter(|e| e.kind == EntryKind::File)
            .map(|e| e.path)
            .collect();
        for p in ["a/b/c", "a/c", "b/c", "b/a/b", "c", "a/b/d/c"] {
            let mut pruned = false;
            let mut prefix = String::new();
            for seg in p.split('/').collect::<Vec<_>>().split_last().unwrap().1 {
                if !prefix.is_empty() { prefix.push('/'); }
                prefix.push_str(seg);
                let d = m.decide_path(prefix.as_bytes(), true).unwrap();
                if d.excluded && ctxsize::scan::walk::prunes(&m, BuilderKind::BuildKit, prefix.as_bytes()) {
                    pruned = true;
                    break;
                }
            }
            let replay = !pruned && !m.decide_path(p.as_bytes(), false).unwrap().excluded;
            prop_assert_eq!(replay, walked.contains(p.as_bytes()), "path {} rules {:?}", p, lines);
        }
    }
}

// BuildKit's check on reading (spec §7.1), the slow way: the last rule
// that matches the path or any ancestor decides (`MatchesOrParentMatches`).
fn modern_excludes(m: &Matcher, path: &[u8]) -> bool {
    let mut prefixes: Vec<&[u8]> = path
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'/')
        .map(|(i, _)| &path[..i])
        .collect();
    prefixes.push(path);
    m.rules()
        .iter()
        .rev()
        .find(|r| prefixes.iter().any(|p| r.strategy.matches(p).unwrap()))
        .is_some_and(|r| !r.exception)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// The walk's files that arrive empty under BuildKit are exactly the
    /// files it keeps that the modern rule, evaluated naively, excludes;
    /// and replaying one path (`Matcher::arrives_empty`) says the same.
    #[test]
    fn files_that_arrive_empty_match_the_modern_rule(
        lines in prop::collection::vec(prop::sample::select(vec![
            "a", "a/b", "*", "*/b", "**/b", "a/**", "!a/b", "!**/c", "!a", "b*", "!b/c",
            "a/*/c", "**", "!a/b/d", "b", "!*", "**/a",
        ]), 1..7),
    ) {
        let t = Tree::new();
        let files = ["a/b/c", "a/c", "b/c", "b/a/b", "c", "a/b/d/c", "a/a/c", "b/b"];
        for p in files {
            t.file(p, 3);
        }
        let compiled = Matcher::from_bytes(lines.join("\n").as_bytes(), None);
        prop_assume!(compiled.errors.is_empty());
        let m = compiled.matcher;
        let listing = list(t.path(), &m, BuilderKind::BuildKit, Select::Included).unwrap();
        for e in listing.entries.iter().filter(|e| e.kind == EntryKind::File) {
            let want = modern_excludes(&m, &e.path);
            prop_assert_eq!(e.arrives_empty, want, "{} rules {:?}", String::from_utf8_lossy(&e.path), &lines);
            prop_assert_eq!(e.size, if want { 0 } else { 3 });
            prop_assert_eq!(m.arrives_empty(&e.path), want);
            if want {
                prop_assert!(m.reads_can_differ());
            }
        }
        // The other builders never send a file empty.
        for b in [BuilderKind::Classic, BuilderKind::Podman] {
            let l = list(t.path(), &m, b, Select::Included).unwrap();
            prop_assert!(l.entries.iter().all(|e| !e.arrives_empty));
        }
    }

    /// Podman: deciding one path by replaying its chain agrees with the
    /// walk, under Podman's pruning.
    #[test]
    fn podman_replay_agrees_with_walk(
        lines in prop::collection::vec(prop::sample::select(vec![
            "a", "a/b", "*", "*/b", "**/b", "a/**", "!a/b", "!**/c", "!a", "b*", "!b/c", "a/*/c",
            "**", "a|b", "!a*/b", "(a|b)/c", "a+", "!c",
        ]), 0..6),
    ) {
        let t = Tree::new();
        let files = ["a/b/c", "a/c", "b/c", "b/a/b", "c", "a/b/d/c", "aa/b"];
        for p in files {
            t.file(p, 1);
        }
        let compiled = Matcher::for_builder(BuilderKind::Podman, lines.join("\n").as_bytes(), None);
        prop_assume!(compiled.errors.is_empty());
        let m = compiled.matcher;
        let walked: BTreeSet<Vec<u8>> = list(t.path(), &m, BuilderKind::Podman, Select::Included)
            .unwrap()
            .entries
            .into_iter()
            .filter(|e| e.kind == EntryKind::File)
            .map(|e| e.path)
            .collect();
        for p in files {
            let mut pruned = false;
            let mut prefix = String::new();
            for seg in p.split('/').collect::<Vec<_>>().split_last().unwrap().1 {
                if !prefix.is_empty() { prefix.push('/'); }
                prefix.push_str(seg);
                let d = m.decide_path(prefix.as_bytes(), true).unwrap();
                if d.excluded && ctxsize::scan::walk::prunes(&m, BuilderKind::Podman, prefix.as_bytes()) {
                    pruned = true;
                    break;
                }
            }
            let replay = !pruned && !m.decide_path(p.as_bytes(), false).unwrap().excluded;
            prop_assert_eq!(replay, walked.contains(p.as_bytes()), "path {} rules {:?}", p, lines);
        }
    }
}

fn line_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        pattern_strategy(),
        "# [a-z ]{0,10}".prop_map(String::from),
        Just(String::new()),
        "[ \t]{1,3}".prop_map(String::from),
        "!?[a-z*/]{1,8}".prop_map(String::from),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Merging never changes or reorders an existing line, and the result
    /// parses to the old rules followed by the new ones.
    #[test]
    fn merge_keeps_every_line(
        lines in prop::collection::vec(line_strategy(), 0..12),
        crlf in any::<bool>(),
        bom in any::<bool>(),
        final_newline in any::<bool>(),
        added in prop::collection::vec(prop::sample::select(vec![".env", "**/__pycache__", ".git", "**/*.log", "node_modules"]), 1..4),
    ) {
        use ctxsize::ignorefile::document::append_block;
        let nl = if crlf { "\r\n" } else { "\n" };
        let mut text = String::new();
        if bom {
            text.push('\u{feff}');
        }
        text.push_str(&lines.join(nl));
        if final_newline && !lines.is_empty() {
            text.push_str(nl);
        }
        let old = text.into_bytes();
        let added: Vec<String> = added.into_iter().map(String::from).collect();
        let new = append_block(&old, &added);
        prop_assert!(new.starts_with(&old));
        let before = Matcher::from_bytes(&old, None);
        let after = Matcher::from_bytes(&new, None);
        // Same errors on the old lines, no new ones.
        prop_assert_eq!(before.errors.len(), after.errors.len());
        let old_rules: Vec<_> = before.matcher.rules().iter().map(|r| (r.line, r.original.clone(), r.pattern.clone())).collect();
        let new_rules: Vec<_> = after.matcher.rules().iter().map(|r| (r.line, r.original.clone(), r.pattern.clone())).collect();
        prop_assert_eq!(&new_rules[..old_rules.len()], &old_rules[..]);
        let tail: Vec<String> = new_rules[old_rules.len()..].iter().map(|r| String::from_utf8(r.2.clone()).unwrap()).collect();
        prop_assert_eq!(tail, added);
    }
}
