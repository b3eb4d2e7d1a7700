//! Splitting a Dockerfile into instructions: parser directives, comments,
//! line continuations, heredoc bodies.

use super::*;

/// One logical instruction: continuation-joined text and its first line.
pub(super) struct RawInstruction {
    pub(super) line: usize,
    pub(super) text: String,
}

pub(super) struct Lexed {
    pub(super) escape: char,
    pub(super) syntax: Option<String>,
    pub(super) instructions: Vec<RawInstruction>,
    pub(super) problems: Vec<Problem>,
}

pub(super) fn lex(text: &str) -> Lexed {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let mut out = Lexed {
        escape: '\\',
        syntax: None,
        instructions: Vec::new(),
        problems: Vec::new(),
    };
    let mut directives_done = false;
    let mut seen_directives = HashSet::new();
    let mut i = 0;
    while i < lines.len() {
        let start = i + 1;
        let trimmed = lines[i].trim_start();
        i += 1;
        if !directives_done {
            if start == 1 && trimmed.starts_with("#!") {
                continue;
            }
            match parse_directive(trimmed) {
                Some((name, value)) => {
                    if !seen_directives.insert(name.clone()) {
                        out.problems.push(problem(
                            start,
                            format!("only one {name} parser directive can be used"),
                        ));
                        continue;
                    }
                    match name.as_str() {
                        "escape" => match value.as_str() {
                            "\\" => out.escape = '\\',
                            "`" => out.escape = '`',
                            _ => out.problems.push(problem(
                                start,
                                format!("invalid escape token {value:?} does not match ` or \\"),
                            )),
                        },
                        "syntax" => out.syntax = Some(value),
                        _ => {}
                    }
                    continue;
                }
                None => directives_done = true,
            }
        }
        if trimmed.starts_with('#') {
            continue;
        }
        let escape = out.escape;
        let (first, mut end) = trim_continuation(trimmed, escape);
        if end && first.trim().is_empty() {
            continue;
        }
        let mut joined = first.to_string();
        while !end && i < lines.len() {
            let raw = lines[i];
            i += 1;
            let t = raw.trim_start();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let (cont, e) = trim_continuation(raw, escape);
            joined.push_str(cont);
            end = e;
        }
        if joined.trim().is_empty() {
            continue;
        }
        for marker in heredoc_markers(&joined) {
            let mut terminated = false;
            while i < lines.len() {
                let body = lines[i];
                i += 1;
                let candidate = if marker.chomp {
                    body.trim_start_matches('\t')
                } else {
                    body
                };
                if candidate == marker.name {
                    terminated = true;
                    break;
                }
            }
            if !terminated {
                out.problems.push(problem(
                    start,
                    format!("unterminated heredoc <<{}", marker.name),
                ));
            }
        }
        out.instructions.push(RawInstruction {
            line: start,
            text: joined,
        });
    }
    out
}

/// Matches `#[ \t]*name[ \t]*=[ \t]*value[ \t]*` for the known directives
/// (`syntax`, `escape`, `check`; names case-insensitive).
pub(super) fn parse_directive(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix('#')?.trim_start_matches([' ', '\t']);
    if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let name_len = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let (name, rest) = rest.split_at(name_len);
    let value = rest
        .trim_start_matches([' ', '\t'])
        .strip_prefix('=')?
        .trim_matches([' ', '\t']);
    let name = name.to_ascii_lowercase();
    if value.is_empty() || !matches!(name.as_str(), "syntax" | "escape" | "check") {
        return None;
    }
    Some((name, value.to_string()))
}

/// Strips a trailing escape character (followed only by blanks). Returns the
/// line and whether the instruction ends here.
pub(super) fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    match line.trim_end_matches([' ', '\t']).strip_suffix(escape) {
        Some(rest) => (rest, false),
        None => (line, true),
    }
}

/// Splits an instruction into its keyword and the rest (left-trimmed).
pub(super) fn split_keyword(text: &str) -> (&str, &str) {
    let t = text.trim();
    match t.find(char::is_whitespace) {
        Some(p) => (&t[..p], t[p..].trim_start()),
        None => (t, ""),
    }
}

pub(super) struct HeredocMarker {
    pub(super) name: String,
    pub(super) chomp: bool,
}

/// The heredocs opened by an instruction line (`RUN`, `COPY`, `ADD` in shell form).
pub(super) fn heredoc_markers(line: &str) -> Vec<HeredocMarker> {
    if !line.contains("<<") {
        return Vec::new();
    }
    let (keyword, rest) = split_keyword(line);
    if !matches!(
        keyword.to_ascii_lowercase().as_str(),
        "run" | "copy" | "add"
    ) {
        return Vec::new();
    }
    let (_, args) = extract_flags(rest);
    if matches!(parse_json_args(args), JsonArgs::Strings(_)) {
        return Vec::new();
    }
    split_words(line, '\\')
        .iter()
        .filter_map(|w| parse_heredoc_word(w))
        .collect()
}

/// Matches BuildKit's `^(\d*)<<(-?)([^<]*)$` and unquotes the name.
pub(super) fn parse_heredoc_word(word: &str) -> Option<HeredocMarker> {
    let rest = word
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let name = unquote(rest);
    if name.is_empty() {
        return None;
    }
    Some(HeredocMarker { name, chomp })
}
