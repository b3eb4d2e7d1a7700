//! Compose's variables: `.env` files and `${VAR:-default}` interpolation.
//!
//! Only the `.env` file is read, never the process environment, so the
//! result depends on the repository alone. This module does not know where
//! a `.env` file is (the Compose reader decides) and does not touch the
//! disk.

use std::collections::HashMap;

/// `KEY=VALUE` lines of a `.env` file: blank lines and `#` comments
/// skipped, an `export ` prefix allowed, one pair of surrounding quotes
/// stripped, and ` #` ending an unquoted value. Values are taken
/// literally (no escapes, no `${...}` inside). A later line wins.
pub(super) fn parse_dotenv(text: &str) -> HashMap<String, String> {
    let mut vars = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if key.is_empty() || name_len(key) != key.len() {
            continue;
        }
        vars.insert(key.to_string(), unquote(value.trim()));
    }
    vars
}

fn unquote(v: &str) -> String {
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q) {
            if let Some(end) = inner.find(q) {
                return inner[..end].to_string();
            }
        }
    }
    match v.find(" #") {
        Some(i) => v[..i].trim_end().to_string(),
        None => v.to_string(),
    }
}

/// Why a value could not be interpolated.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Unresolved {
    /// This variable is needed and `.env` does not set it.
    Unset(String),
    /// A `$` that starts no valid expression.
    Syntax,
}

/// Compose interpolation over `.env` variables only: `$$` is `$`; `$VAR`
/// and `${VAR}` need VAR; `${VAR:-d}` / `${VAR-d}` give `d` when VAR is
/// unset or empty / unset; `${VAR:?e}` / `${VAR?e}` need VAR;
/// `${VAR:+r}` / `${VAR+r}` give `r` when VAR is set and non-empty / set,
/// else nothing. Defaults may hold expressions themselves.
pub(super) fn interpolate(s: &str, vars: &HashMap<String, String>) -> Result<String, Unresolved> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = closing_brace(body).ok_or(Unresolved::Syntax)?;
            out.push_str(&braced(&body[..end], vars)?);
            rest = &body[end + 1..];
        } else {
            let n = name_len(after);
            if n == 0 {
                return Err(Unresolved::Syntax);
            }
            let name = &after[..n];
            let value = vars
                .get(name)
                .ok_or_else(|| Unresolved::Unset(name.to_string()))?;
            out.push_str(value);
            rest = &after[n..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The inside of `${...}`.
fn braced(body: &str, vars: &HashMap<String, String>) -> Result<String, Unresolved> {
    let n = name_len(body);
    if n == 0 {
        return Err(Unresolved::Syntax);
    }
    let (name, op) = body.split_at(n);
    let value = vars.get(name);
    if op.is_empty() {
        return value
            .cloned()
            .ok_or_else(|| Unresolved::Unset(name.to_string()));
    }
    let (colon, op) = match op.strip_prefix(':') {
        Some(rest) => (true, rest),
        None => (false, op),
    };
    let set = value.filter(|v| !colon || !v.is_empty());
    let mut chars = op.chars();
    let kind = chars.next();
    let word = chars.as_str();
    match (kind, set) {
        (Some('-'), Some(v)) | (Some('?'), Some(v)) => Ok(v.clone()),
        (Some('-'), None) => interpolate(word, vars),
        (Some('?'), None) => Err(Unresolved::Unset(name.to_string())),
        (Some('+'), Some(_)) => interpolate(word, vars),
        (Some('+'), None) => Ok(String::new()),
        _ => Err(Unresolved::Syntax),
    }
}

/// Index of the `}` closing a `${` whose body starts `s`.
fn closing_brace(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'{' => depth += 1,
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Length of the variable name `s` starts with (`[_A-Za-z][_A-Za-z0-9]*`).
pub(super) fn name_len(s: &str) -> usize {
    let b = s.as_bytes();
    if !b
        .first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
    {
        return 0;
    }
    b.iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_lines() {
        let vars = parse_dotenv(
            "# settings\nAPP_DIR=services/app\nexport STAGE=\"release\"\nEMPTY=\nQUOTED='with space' \nTAIL=x # comment\nbad key=1\n",
        );
        let mut got: Vec<_> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        got.sort_unstable();
        assert_eq!(
            got,
            [
                ("APP_DIR", "services/app"),
                ("EMPTY", ""),
                ("QUOTED", "with space"),
                ("STAGE", "release"),
                ("TAIL", "x"),
            ]
        );
    }

    #[test]
    fn interpolation_rules() {
        let vars: HashMap<String, String> = [("A", "a"), ("E", ""), ("_B1", "b")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let ok = |s: &str| interpolate(s, &vars);
        assert_eq!(ok("plain"), Ok("plain".into()));
        assert_eq!(ok("$A/${_B1}"), Ok("a/b".into()));
        assert_eq!(ok("$$A"), Ok("$A".into()));
        assert_eq!(ok("${E:-d}|${E-d}|${U-d}|${U:-d}"), Ok("d||d|d".into()));
        assert_eq!(ok("${U:-${A}x}"), Ok("ax".into()));
        assert_eq!(ok("${A:+r}|${E:+r}|${E+r}|${U+r}"), Ok("r||r|".into()));
        assert_eq!(ok("${A:?need}"), Ok("a".into()));
        assert_eq!(ok("${U:?need}"), Err(Unresolved::Unset("U".into())));
        assert_eq!(ok("${E:?need}"), Err(Unresolved::Unset("E".into())));
        assert_eq!(ok("$U"), Err(Unresolved::Unset("U".into())));
        assert_eq!(ok("${A"), Err(Unresolved::Syntax));
        assert_eq!(ok("$ "), Err(Unresolved::Syntax));
        assert_eq!(ok("${A*x}"), Err(Unresolved::Syntax));
    }
}
