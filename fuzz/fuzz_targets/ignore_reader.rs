//! Arbitrary bytes as an ignore file: reading and compiling for every
//! builder never panic, every error and rule names a line of the file, and
//! evaluating the compiled rules on paths taken from the input (decisions,
//! pruning tests, BuildKit's check on reading) never panics either.
#![no_main]

use ctxsize::pattern::read::{read_patterns, ReadError};
use ctxsize::pattern::{Builder, Matcher};
use ctxsize_fuzz::show;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Lines as Go's bufio.ScanLines counts them.
    let nl = data.iter().filter(|&&b| b == b'\n').count();
    let line_count = nl + usize::from(!data.is_empty() && !data.ends_with(b"\n"));

    match read_patterns(data) {
        Ok(lines) => {
            let mut last = 0;
            for l in &lines {
                assert!(
                    l.line > last && l.line <= line_count,
                    "pattern line {} out of order or past {line_count} in {}",
                    l.line,
                    show(data)
                );
                last = l.line;
            }
        }
        Err(ReadError::LineTooLong { line, len }) => {
            assert!(line >= 1 && line <= line_count && len > 65_535);
        }
    }

    let compiled = Matcher::from_bytes(data, None);
    for e in compiled.errors.iter().chain(&compiled.matcher.lazy_errors()) {
        assert!(
            e.line >= 1 && e.line <= line_count,
            "error on line {} of a {line_count}-line file {}: {e}",
            e.line,
            show(data)
        );
        let _ = e.to_string();
    }
    let m = &compiled.matcher;
    for r in m.rules() {
        assert!(r.line >= 1 && r.line <= line_count, "rule line {}", r.line);
        let _ = (r.location(), r.display_pattern(), r.has_wildcards_for_pruning());
    }

    // Evaluate every rule on a few paths made from the input: the lines
    // themselves (as if they were file names) and some fixed ones.
    let mut paths: Vec<&[u8]> = vec![b"a", b"a/b", b".dockerignore", b"x/y/z.txt"];
    paths.extend(
        data.split(|&b| b == b'\n')
            .filter(|p| !p.is_empty())
            .take(4),
    );
    for p in &paths {
        evaluate(m, p);
    }

    // Every builder's reading: Podman splits at `\n` only (a final empty
    // line counts) and has no line limit.
    for builder in Builder::ALL {
        let c = Matcher::for_builder(builder, data, None);
        let lines = if builder == Builder::Podman {
            nl + 1
        } else {
            line_count
        };
        for e in &c.errors {
            assert!(
                e.line >= 1 && e.line <= lines,
                "{builder}: error on line {} of {lines} in {}: {e}",
                e.line,
                show(data)
            );
            let _ = e.to_string();
        }
        assert_eq!(c.matcher.is_podman(), builder == Builder::Podman);
        for p in &paths {
            evaluate(&c.matcher, p);
        }
    }
});

fn evaluate(m: &Matcher, p: &[u8]) {
    for r in m.rules() {
        assert!(r.line >= 1, "rule line {}", r.line);
        let _ = r.strategy.matches(p);
    }
    if let Ok(d) = m.decide_path(p, true) {
        if let Some(i) = d.rule {
            assert!(i < m.rules().len());
        }
    }
    let _ = m.arrives_empty(p);
    let _ = m.exception_reaches_into(p);
    let _ = m.exception_text_starts_with(p);
}
