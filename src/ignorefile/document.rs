//! An existing ignore file as a document that is only ever appended to:
//! every original byte (BOM, comments, blank lines, CRLF or LF, a missing
//! final newline) is kept, and new rules go into one marked block at the
//! end.

/// The comment that opens the block ctxsize appends.
pub const BLOCK_MARKER: &str = "# Added by ctxsize init: rules that change what this tree sends";

/// Line endings of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Newline {
    /// `\n`
    Lf,
    /// `\r\n`
    CrLf,
}

impl Newline {
    /// The bytes.
    pub fn as_str(self) -> &'static str {
        match self {
            Newline::Lf => "\n",
            Newline::CrLf => "\r\n",
        }
    }
}

/// What a document looks like, for appending in its style.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shape {
    /// The dominant line ending (LF when there are none).
    pub newline: Newline,
    /// Whether the file ends with a line ending (or is empty).
    pub final_newline: bool,
    /// Whether the file is empty.
    pub empty: bool,
}

/// Why a file cannot be merged into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotText {
    /// It holds NUL bytes.
    Binary,
    /// It is not valid UTF-8 (at byte offset).
    InvalidUtf8(usize),
}

impl std::fmt::Display for NotText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotText::Binary => f.write_str("it holds NUL bytes (binary, not a text file)"),
            NotText::InvalidUtf8(at) => write!(f, "it is not valid UTF-8 (at byte {at})"),
        }
    }
}

/// Checks that `data` is text that can be appended to.
pub fn check_text(data: &[u8]) -> Result<(), NotText> {
    if data.contains(&0) {
        return Err(NotText::Binary);
    }
    std::str::from_utf8(data).map_err(|e| NotText::InvalidUtf8(e.valid_up_to()))?;
    Ok(())
}

/// Reads the shape of a document.
pub fn shape(data: &[u8]) -> Shape {
    let lf = data.iter().filter(|&&b| b == b'\n').count();
    let crlf = data.windows(2).filter(|w| w == b"\r\n").count();
    Shape {
        newline: if crlf * 2 > lf {
            Newline::CrLf
        } else {
            Newline::Lf
        },
        final_newline: data.is_empty() || data.ends_with(b"\n"),
        empty: data.is_empty() || data == b"\xEF\xBB\xBF",
    }
}

/// Appends `rules` (with optional `# comment` lines already in them) as one
/// marked block. The original bytes are the prefix of the result,
/// unchanged; the block follows the file's line endings, and when the file
/// had no final newline, neither does the result.
pub fn append_block(data: &[u8], lines: &[String]) -> Vec<u8> {
    if lines.is_empty() {
        return data.to_vec();
    }
    let sh = shape(data);
    let nl = sh.newline.as_str();
    let mut out = data.to_vec();
    if !sh.empty {
        if !sh.final_newline {
            // A file ending in a lone `\r`: Docker drops it as the end of
            // the last line; a `\n` after it keeps that line as it was.
            if data.ends_with(b"\r") {
                out.push(b'\n');
            } else {
                out.extend_from_slice(nl.as_bytes());
            }
        }
        out.extend_from_slice(nl.as_bytes());
    }
    out.extend_from_slice(BLOCK_MARKER.as_bytes());
    for l in lines {
        out.extend_from_slice(nl.as_bytes());
        out.extend_from_slice(l.as_bytes());
    }
    if sh.final_newline {
        out.extend_from_slice(nl.as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_prefix_and_style() {
        let rules = vec!["**/__pycache__".to_string(), ".env".to_string()];
        let lf = append_block(b"a\n# c\n\nb\n", &rules);
        assert_eq!(
            String::from_utf8(lf).unwrap(),
            format!("a\n# c\n\nb\n\n{BLOCK_MARKER}\n**/__pycache__\n.env\n")
        );
        let crlf = append_block(b"\xEF\xBB\xBFa\r\nb\r\n", &rules);
        assert!(crlf.starts_with(b"\xEF\xBB\xBFa\r\nb\r\n\r\n# Added"));
        assert!(crlf.ends_with(b".env\r\n"));
        let nofinal = append_block(b"a", &rules);
        assert_eq!(
            String::from_utf8(nofinal).unwrap(),
            format!("a\n\n{BLOCK_MARKER}\n**/__pycache__\n.env")
        );
        let empty = append_block(b"", &rules);
        assert_eq!(
            String::from_utf8(empty).unwrap(),
            format!("{BLOCK_MARKER}\n**/__pycache__\n.env\n")
        );
    }

    #[test]
    fn lone_cr_at_end_stays_a_line_ending() {
        // Found by the merge_writer fuzz target.
        let old = b"a\r\nb\r";
        let new = append_block(old, &[".env".to_string()]);
        let lines = crate::pattern::read::split_lines(&new);
        assert_eq!(&lines[..2], &[&b"a"[..], &b"b"[..]]);
    }

    #[test]
    fn text_check() {
        assert!(check_text(b"a\n").is_ok());
        assert_eq!(check_text(b"a\0"), Err(NotText::Binary));
        assert_eq!(check_text(b"ab\xff"), Err(NotText::InvalidUtf8(2)));
    }
}
