//! Variable expansion as BuildKit does it (`$VAR`, `${VAR:-default}`,
//! ...), with `ARG`/`ENV` scoping.

use super::*;

/// Variables in scope: `Some(value)` when known, `None` when declared but
/// with an unknown value.
pub(super) type Scope = HashMap<String, Option<String>>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Expanded {
    pub(super) text: String,
    /// The first variable whose value was needed but is unknown.
    pub(super) unresolved: Option<String>,
}

/// Processes one word like BuildKit's `ProcessWord`: quotes removed, escapes
/// applied, `$VAR`/`${VAR...}` substituted. `Err` is a syntax error.
pub(super) fn expand(word: &str, escape: char, scope: &Scope) -> Result<Expanded, String> {
    let mut lexer = WordLexer {
        chars: word.chars().collect(),
        pos: 0,
        escape,
        scope,
        unresolved: None,
        depth: 0,
    };
    let text = lexer.until(None)?;
    Ok(Expanded {
        text,
        unresolved: lexer.unresolved,
    })
}

pub(super) struct WordLexer<'a> {
    pub(super) chars: Vec<char>,
    pub(super) pos: usize,
    pub(super) escape: char,
    pub(super) scope: &'a Scope,
    pub(super) unresolved: Option<String>,
    pub(super) depth: usize,
}

impl WordLexer<'_> {
    const MAX_DEPTH: usize = 64;

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    fn mark(&mut self, name: &str) {
        if self.unresolved.is_none() {
            self.unresolved = Some(name.to_string());
        }
    }

    fn lookup(&self, name: &str) -> Option<String> {
        self.scope.get(name).cloned().flatten()
    }

    fn value_of(&mut self, name: &str) -> String {
        match self.lookup(name) {
            Some(v) => v,
            None => {
                self.mark(name);
                String::new()
            }
        }
    }

    fn until(&mut self, stop: Option<char>) -> Result<String, String> {
        let mut out = String::new();
        while let Some(ch) = self.peek() {
            if Some(ch) == stop {
                self.pos += 1;
                return Ok(out);
            }
            match ch {
                '\'' => out.push_str(&self.single_quote()?),
                '"' => out.push_str(&self.double_quote()?),
                '$' => out.push_str(&self.dollar()?),
                _ => {
                    self.pos += 1;
                    if ch == self.escape {
                        match self.next() {
                            Some(n) => out.push(n),
                            None => break,
                        }
                    } else {
                        out.push(ch);
                    }
                }
            }
        }
        match stop {
            Some(s) => Err(format!(
                "unexpected end of statement while looking for matching {s}"
            )),
            None => Ok(out),
        }
    }

    fn single_quote(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .to_string(),
                    )
                }
                Some('\'') => return Ok(out),
                Some(c) => out.push(c),
            }
        }
    }

    fn double_quote(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .to_string(),
                    )
                }
                Some('"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some('$') => out.push_str(&self.dollar()?),
                Some(c) => {
                    self.pos += 1;
                    if c == self.escape {
                        match self.peek() {
                            None => continue,
                            Some(n) if n == '"' || n == '$' || n == self.escape => {
                                self.pos += 1;
                                out.push(n);
                            }
                            Some(_) => out.push(c),
                        }
                    } else {
                        out.push(c);
                    }
                }
            }
        }
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        match self.peek() {
            Some(c) if c.is_ascii_digit() => {
                while let Some(d) = self.peek().filter(char::is_ascii_digit) {
                    name.push(d);
                    self.pos += 1;
                }
                return name;
            }
            Some(c @ ('*' | '#' | '@' | '?' | '-' | '$' | '!')) => {
                self.pos += 1;
                return c.to_string();
            }
            _ => {}
        }
        while let Some(c) = self.peek().filter(|c| c.is_alphanumeric() || *c == '_') {
            name.push(c);
            self.pos += 1;
        }
        name
    }

    fn dollar(&mut self) -> Result<String, String> {
        self.pos += 1;
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".to_string());
            }
            return Ok(self.value_of(&name));
        }
        self.pos += 1;
        match self.peek() {
            None => return Err("syntax error: missing '}'".to_string()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".to_string()),
            _ => {}
        }
        if self.depth >= Self::MAX_DEPTH {
            return Err("variable substitution nested too deeply".to_string());
        }
        self.depth += 1;
        let result = self.braced();
        self.depth -= 1;
        result
    }

    /// After `${`: the name, then `}` or a modifier and its word.
    fn braced(&mut self) -> Result<String, String> {
        let name = self.name();
        let ch = self
            .next()
            .ok_or_else(|| "syntax error: missing '}'".to_string())?;
        match ch {
            '}' => Ok(self.value_of(&name)),
            ':' | '-' | '+' | '?' => {
                let colon = ch == ':';
                let modifier = if colon {
                    self.next()
                        .ok_or_else(|| "syntax error: missing '}'".to_string())?
                } else {
                    ch
                };
                // The word's own unknown variables only matter if it is used.
                let outer = self.unresolved.take();
                let word = self.until(Some('}'))?;
                let word_unresolved = std::mem::replace(&mut self.unresolved, outer);
                let Some(value) = self.lookup(&name) else {
                    if matches!(modifier, '-' | '+' | '?') {
                        self.mark(&name);
                        return Ok(String::new());
                    }
                    return Err(format!("unsupported modifier ({modifier}) in substitution"));
                };
                let use_word = match modifier {
                    '-' => colon && value.is_empty(),
                    '+' => !(colon && value.is_empty()),
                    '?' if colon && value.is_empty() => {
                        let msg = if word.is_empty() {
                            "is not allowed to be empty"
                        } else {
                            word.as_str()
                        };
                        return Err(format!("{name}: {msg}"));
                    }
                    '?' => false,
                    m => return Err(format!("unsupported modifier ({m}) in substitution")),
                };
                if !use_word {
                    return Ok(if modifier == '+' {
                        String::new()
                    } else {
                        value
                    });
                }
                if let Some(u) = word_unresolved {
                    self.mark(&u);
                }
                Ok(word)
            }
            '#' | '%' | '/' => {
                // Pattern removal / replacement: not evaluated here.
                let outer = self.unresolved.take();
                self.until(Some('}'))?;
                self.unresolved = outer;
                self.mark(&name);
                Ok(String::new())
            }
            other => Err(format!("unsupported modifier ({other}) in substitution")),
        }
    }
}

// ---------------------------------------------------------------------------
// Paths.
// ---------------------------------------------------------------------------
