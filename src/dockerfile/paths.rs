//! Source paths and small value parsers: normalisation, wildcards, URLs
//! and git refs, CSV mount options.

/// Normalises a source relative to the context root (`.` = whole context).
pub(super) fn normalize_path(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// Whether a path holds an unescaped Go `filepath.Match` meta character.
pub(super) fn has_wildcard(p: &str) -> bool {
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '*' | '?' | '[' => return true,
            _ => {}
        }
    }
    false
}

pub(super) fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

pub(super) fn is_git_ref(s: &str) -> bool {
    s.starts_with("git@") || s.starts_with("git://") || s.starts_with("ssh://")
}

pub(super) fn is_bool(s: &str) -> bool {
    s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
}

/// Splits a `--mount` value like Go's `encoding/csv` (one record).
pub(super) fn split_csv(s: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.next_if_eq(&'"').is_some() {
            loop {
                match chars.next() {
                    None => return Err("extraneous or missing \" in quoted field".to_string()),
                    Some('"') if chars.next_if_eq(&'"').is_some() => field.push('"'),
                    Some('"') => break,
                    Some(c) => field.push(c),
                }
            }
            fields.push(field);
            match chars.next() {
                None => return Ok(fields),
                Some(',') => continue,
                Some(_) => return Err("extraneous or missing \" in quoted field".to_string()),
            }
        }
        loop {
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some(',') => break,
                Some('"') => return Err("bare \" in non-quoted field".to_string()),
                Some(c) => field.push(c),
            }
        }
        fields.push(field);
    }
}
