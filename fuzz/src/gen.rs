//! Turns fuzzer bytes into structured inputs (ignore files made of
//! interesting pattern atoms, context paths), so that the fuzzer spends its
//! time on the matcher rather than on lexing noise.

/// Reads choices from fuzzer bytes; past the end every choice is 0.
pub struct Choices<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Choices<'a> {
    /// Wraps fuzzer input.
    pub fn new(data: &'a [u8]) -> Self {
        Choices { data, pos: 0 }
    }

    /// The next byte (0 once the input is used up).
    pub fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        usize::from(self.byte()) % n
    }

    /// One element of `xs`.
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    /// Whether the input is used up.
    pub fn exhausted(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// The unread rest of the input.
    pub fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or_default()
    }
}

/// Pattern atoms: literals, wildcards, classes (good, reversed and
/// malformed), escapes, regexp metacharacters, whitespace, BOM, invalid
/// UTF-8.
pub const PATTERN_ATOMS: &[&[u8]] = &[
    b"a", b"a", b"b", b"c", b"ab", b"x.txt", "é".as_bytes(), b"\xff", b"/", b"/", b"/", b".",
    b"..", b"*", b"*", b"*", b"**", b"**", b"**/", b"?", b"[ab]", b"[^a]", b"[a-c]", b"[c-a]",
    b"[[:digit:]]", b"[[:^alpha:]]", b"[!a]", b"[/]", b"[.]", b"[^/]", b"[\\]]", b"[+$|]",
    b"\\*", b"\\.", b"\\[", b"\\ ", b"\\!", b"\\#", b"^", b"$", b"+", b"(", b")", b"|", b"!",
    b"#", b" ", b" ", b"-", b"1", b"[", b"]", b"\\", "\u{feff}".as_bytes(), b"\r", b"\t",
    "\u{a0}".as_bytes(), "\u{fffd}".as_bytes(), b"\\\\",
];

/// Line prefixes (exception marks, slashes, whitespace, comments).
pub const LINE_PREFIXES: &[&[u8]] = &[
    b"", b"", b"", b"", b"!", b"!", b"/", b" ", b"!/", b"/!", b"! ", b"#", b"\t", b"./", b"!!",
    "\u{a0}".as_bytes(), b"../", b"**/",
];

/// Line suffixes.
pub const LINE_SUFFIXES: &[&[u8]] = &[
    b"", b"", b"", b"", b"/", b" ", b"\r", b"/.", b"/..", b"/**", b"/*", b"**",
];

/// Path segment atoms (never `/`).
pub const PATH_ATOMS: &[&[u8]] = &[
    b"a", b"a", b"b", b"c", b"ab", b"x.txt", "é".as_bytes(), b"\xff", b".", b"*", b"[", b"]",
    b"!", b"#", b" ", b"\n", b"^", b"$", b"+", b"1", b"\\", b"-", "\u{feff}".as_bytes(), b"\r",
    "\u{fffd}".as_bytes(), b"?", b"(", b"|", b"\t", b"A", b"_",
];

/// An ignore file of 0..8 lines built from [`PATTERN_ATOMS`].
pub fn ignore_file(c: &mut Choices) -> Vec<u8> {
    let mut out = Vec::new();
    if c.below(8) == 0 {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let crlf = c.below(4) == 0;
    let lines = c.below(8);
    for i in 0..lines {
        out.extend_from_slice(c.pick(LINE_PREFIXES));
        for _ in 0..c.below(7) {
            out.extend_from_slice(c.pick(PATTERN_ATOMS));
        }
        out.extend_from_slice(c.pick(LINE_SUFFIXES));
        if i + 1 < lines || c.below(2) == 0 {
            out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        }
    }
    out
}

/// A context path: 1..=4 segments, none empty, `.` or `..`.
pub fn context_path(c: &mut Choices) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..1 + c.below(4) {
        if i > 0 {
            out.push(b'/');
        }
        let mut seg = Vec::new();
        for _ in 0..1 + c.below(3) {
            seg.extend_from_slice(c.pick(PATH_ATOMS));
        }
        if seg == b"." || seg == b".." {
            seg = b"d".to_vec();
        }
        out.extend_from_slice(&seg);
    }
    out
}
