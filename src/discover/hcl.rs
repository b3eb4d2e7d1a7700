//! A reader for the subset of HCL that Bake files use: blocks with labels,
//! attributes, strings with `${...}` interpolation, heredocs, lists,
//! numbers, booleans and references. Objects, function calls, `for`
//! expressions and operators are skipped over and kept as
//! [`Expr::Other`]: Bake's `context`, `dockerfile`, `target` and
//! `inherits` rarely use them, and a value that needs them is reported as
//! unknown rather than guessed.
//!
//! A full HCL crate (`hcl-rs`) would evaluate more, but brings a parser
//! generator and several dependencies for what is a few hundred lines here,
//! and does not keep the line numbers the origins need.

/// A body: attributes and blocks, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Body {
    pub(super) attrs: Vec<Attr>,
    pub(super) blocks: Vec<Block>,
}

/// `kind "label" ... { body }`.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Block {
    pub(super) kind: String,
    pub(super) labels: Vec<String>,
    /// 1-based line of the block's first token.
    pub(super) line: usize,
    pub(super) body: Body,
}

/// `name = value`.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Attr {
    pub(super) name: String,
    pub(super) line: usize,
    pub(super) value: Expr,
}

/// A value.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Expr {
    /// A string, possibly with interpolations.
    Template(Vec<Part>),
    List(Vec<Expr>),
    /// A bare reference (`VERSION`, `target.base.context`).
    Ref(String),
    /// A number, `true`, `false` or `null`.
    Literal(String),
    /// Anything else, as written.
    Other(String),
}

/// A piece of a string template.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Part {
    Lit(String),
    /// The inside of `${...}`, trimmed, strip markers (`~`) removed.
    Interp(String),
    /// A `%{...}` directive: never evaluated here.
    Directive(String),
}

/// A syntax problem: 1-based line and message.
pub(super) type Error = (usize, String);

/// Parses a whole file.
pub(super) fn parse(text: &str) -> Result<Body, Error> {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        i: 0,
        line: 1,
        depth: 0,
    };
    p.body(false)
}

/// Splits a string's contents (no surrounding quotes, escapes already
/// handled or absent) into template parts.
pub(super) fn template(s: &str) -> Vec<Part> {
    let mut p = Parser {
        s: s.as_bytes(),
        text: s,
        i: 0,
        line: 1,
        depth: 0,
    };
    p.template_until(None)
        .unwrap_or_else(|_| vec![Part::Lit(s.to_string())])
}

/// Deeper nesting than this is refused.
const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    line: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn peek_at(&self, n: usize) -> Option<u8> {
        self.s.get(self.i + n).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        if c == b'\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn err<T>(&self, msg: impl Into<String>) -> Result<T, Error> {
        Err((self.line, msg.into()))
    }

    /// Skips blanks and comments; newlines too when `newlines`.
    fn skip(&mut self, newlines: bool) {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\r' => {
                    self.bump();
                }
                b'\n' if newlines => {
                    self.bump();
                }
                b'#' => self.skip_line_comment(),
                b'/' if self.peek_at(1) == Some(b'/') => self.skip_line_comment(),
                b'/' if self.peek_at(1) == Some(b'*') => {
                    self.bump();
                    self.bump();
                    while self.peek().is_some()
                        && !(self.peek() == Some(b'*') && self.peek_at(1) == Some(b'/'))
                    {
                        self.bump();
                    }
                    self.bump();
                    self.bump();
                }
                _ => return,
            }
        }
    }

    fn skip_line_comment(&mut self) {
        while self.peek().is_some_and(|c| c != b'\n') {
            self.bump();
        }
    }

    fn ident(&mut self) -> Option<String> {
        let start = self.i;
        if !self
            .peek()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        {
            return None;
        }
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
        {
            self.bump();
        }
        Some(self.text[start..self.i].to_string())
    }

    fn body(&mut self, closing: bool) -> Result<Body, Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err("nested too deeply");
        }
        let mut body = Body::default();
        loop {
            self.skip(true);
            match self.peek() {
                None if closing => return self.err("a block is not closed"),
                None => break,
                Some(b'}') if closing => {
                    self.bump();
                    break;
                }
                _ => {}
            }
            let line = self.line;
            let Some(name) = self.ident() else {
                return self.err("expected an attribute or a block");
            };
            self.skip(false);
            if self.peek() == Some(b'=') && self.peek_at(1) != Some(b'=') {
                self.bump();
                self.skip(false);
                let value = self.expr()?;
                self.skip(false);
                if !matches!(self.peek(), None | Some(b'\n') | Some(b'}')) {
                    return self.err(format!("unexpected text after attribute {name}"));
                }
                body.attrs.push(Attr { name, line, value });
                continue;
            }
            let mut labels = Vec::new();
            loop {
                self.skip(false);
                match self.peek() {
                    Some(b'"') => {
                        self.bump();
                        let parts = self.template_until(Some(b'"'))?;
                        labels.push(flatten(&parts));
                    }
                    Some(b'{') => {
                        self.bump();
                        let inner = self.body(true)?;
                        body.blocks.push(Block {
                            kind: name,
                            labels,
                            line,
                            body: inner,
                        });
                        break;
                    }
                    _ => match self.ident() {
                        Some(l) => labels.push(l),
                        None => return self.err(format!("expected `=` or a block after {name}")),
                    },
                }
            }
        }
        self.depth -= 1;
        Ok(body)
    }

    fn expr(&mut self) -> Result<Expr, Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err("nested too deeply");
        }
        let start = self.i;
        let primary = match self.peek() {
            Some(b'"') => {
                self.bump();
                Expr::Template(self.template_until(Some(b'"'))?)
            }
            Some(b'<') if self.peek_at(1) == Some(b'<') => self.heredoc()?,
            Some(b'[') => {
                self.bump();
                let mut items = Vec::new();
                loop {
                    self.skip(true);
                    if self.peek() == Some(b']') {
                        self.bump();
                        break;
                    }
                    if self.peek().is_none() {
                        return self.err("a list is not closed");
                    }
                    items.push(self.expr()?);
                    self.skip(true);
                    match self.peek() {
                        Some(b',') => {
                            self.bump();
                        }
                        Some(b']') => {}
                        _ => return self.err("expected `,` or `]` in a list"),
                    }
                }
                Expr::List(items)
            }
            Some(b'{' | b'(') => {
                self.balanced()?;
                Expr::Other(self.text[start..self.i].to_string())
            }
            Some(c) if c.is_ascii_digit() || c == b'-' => {
                self.bump();
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'.')
                {
                    self.bump();
                }
                Expr::Literal(self.text[start..self.i].to_string())
            }
            Some(_) => {
                let Some(mut name) = self.ident() else {
                    return self.err("expected a value");
                };
                while self.peek() == Some(b'.') || self.peek() == Some(b'[') {
                    if self.peek() == Some(b'[') {
                        self.balanced()?;
                    } else {
                        self.bump();
                        self.ident();
                    }
                    name = self.text[start..self.i].to_string();
                }
                if self.peek() == Some(b'(') {
                    self.balanced()?;
                    Expr::Other(self.text[start..self.i].to_string())
                } else if matches!(name.as_str(), "true" | "false" | "null") {
                    Expr::Literal(name)
                } else {
                    Expr::Ref(name)
                }
            }
            None => return self.err("expected a value"),
        };
        // An operator or conditional after the first operand: skip to the
        // end of the expression.
        self.skip(false);
        let ends = |c: Option<u8>| matches!(c, None | Some(b'\n' | b',' | b']' | b'}' | b')'));
        let operator = |c: Option<u8>| {
            matches!(
                c,
                Some(
                    b'?' | b':'
                        | b'+'
                        | b'-'
                        | b'*'
                        | b'/'
                        | b'%'
                        | b'='
                        | b'!'
                        | b'<'
                        | b'>'
                        | b'&'
                        | b'|'
                )
            )
        };
        let result = if ends(self.peek()) {
            primary
        } else if !operator(self.peek()) {
            return self.err("unexpected text after a value");
        } else {
            while !ends(self.peek()) {
                match self.peek() {
                    Some(b'"') => {
                        self.bump();
                        self.template_until(Some(b'"'))?;
                    }
                    Some(b'[' | b'{' | b'(') => self.balanced()?,
                    _ => {
                        self.bump();
                    }
                }
            }
            Expr::Other(self.text[start..self.i].trim_end().to_string())
        };
        self.depth -= 1;
        Ok(result)
    }

    /// Skips a bracketed group (strings inside respected).
    fn balanced(&mut self) -> Result<(), Error> {
        let mut stack = Vec::new();
        loop {
            let Some(c) = self.bump() else {
                return self.err("a bracket is not closed");
            };
            match c {
                b'[' | b'{' | b'(' => {
                    stack.push(c);
                    if stack.len() > MAX_DEPTH {
                        return self.err("nested too deeply");
                    }
                }
                b']' | b'}' | b')' => {
                    stack.pop();
                    if stack.is_empty() {
                        return Ok(());
                    }
                }
                b'"' => {
                    self.template_until(Some(b'"'))?;
                }
                _ => {}
            }
        }
    }

    /// A template up to `end` (consumed), or to the end of the input.
    fn template_until(&mut self, end: Option<u8>) -> Result<Vec<Part>, Error> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        loop {
            let Some(c) = self.peek() else {
                if end.is_some() {
                    return self.err("a string is not closed");
                }
                break;
            };
            if Some(c) == end {
                self.bump();
                break;
            }
            if c == b'\n' && end.is_some() {
                return self.err("a string is not closed on its line");
            }
            match c {
                b'\\' if end.is_some() => {
                    self.bump();
                    match self.bump() {
                        Some(b'n') => lit.push('\n'),
                        Some(b't') => lit.push('\t'),
                        Some(b'r') => lit.push('\r'),
                        Some(b'"') => lit.push('"'),
                        Some(b'\\') => lit.push('\\'),
                        Some(b'u') => lit.push(self.unicode(4)),
                        Some(b'U') => lit.push(self.unicode(8)),
                        _ => return self.err("unknown escape in a string"),
                    }
                }
                b'$' | b'%' if self.peek_at(1) == Some(c) && self.peek_at(2) == Some(b'{') => {
                    self.bump();
                    self.bump();
                    self.bump();
                    lit.push(c as char);
                    lit.push('{');
                }
                b'$' | b'%' if self.peek_at(1) == Some(b'{') => {
                    self.bump();
                    self.bump();
                    let from = self.i;
                    let mut depth = 0usize;
                    loop {
                        match self.peek() {
                            None => return self.err("an interpolation is not closed"),
                            Some(b'}') if depth == 0 => break,
                            Some(b'}') => depth -= 1,
                            Some(b'{') => depth += 1,
                            Some(b'"') => {
                                self.bump();
                                self.template_until(Some(b'"'))?;
                                continue;
                            }
                            _ => {}
                        }
                        self.bump();
                    }
                    let inner = self.text[from..self.i]
                        .trim()
                        .trim_matches('~')
                        .trim()
                        .to_string();
                    self.bump();
                    if !lit.is_empty() {
                        parts.push(Part::Lit(std::mem::take(&mut lit)));
                    }
                    parts.push(if c == b'$' {
                        Part::Interp(inner)
                    } else {
                        Part::Directive(inner)
                    });
                }
                _ => {
                    let ch = self.text[self.i..].chars().next().unwrap_or(' ');
                    for _ in 0..ch.len_utf8() {
                        self.bump();
                    }
                    lit.push(ch);
                }
            }
        }
        if !lit.is_empty() || parts.is_empty() {
            parts.push(Part::Lit(lit));
        }
        Ok(parts)
    }

    fn unicode(&mut self, n: usize) -> char {
        let from = self.i;
        for _ in 0..n {
            self.bump();
        }
        let hex = self.text.get(from..self.i).unwrap_or_default();
        u32::from_str_radix(hex, 16)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or('\u{fffd}')
    }

    /// `<<EOT` / `<<-EOT` ... `EOT`.
    fn heredoc(&mut self) -> Result<Expr, Error> {
        self.bump();
        self.bump();
        let indent = self.peek() == Some(b'-');
        if indent {
            self.bump();
        }
        let Some(tag) = self.ident() else {
            return self.err("a heredoc needs a name");
        };
        self.skip_line_comment();
        self.bump();
        let mut lines = Vec::new();
        loop {
            if self.peek().is_none() {
                return self.err(format!("heredoc {tag} is not closed"));
            }
            let from = self.i;
            self.skip_line_comment();
            let line = &self.text[from..self.i];
            if line.trim() == tag {
                break;
            }
            lines.push(line.to_string());
            self.bump();
        }
        let text = if indent {
            let min = lines
                .iter()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.len() - l.trim_start().len())
                .min()
                .unwrap_or(0);
            lines
                .iter()
                .map(|l| l.get(min..).unwrap_or("").to_string() + "\n")
                .collect::<String>()
        } else {
            lines.iter().map(|l| l.clone() + "\n").collect()
        };
        Ok(Expr::Template(template(&text)))
    }
}

/// A label's text (labels do not interpolate).
fn flatten(parts: &[Part]) -> String {
    parts
        .iter()
        .map(|p| match p {
            Part::Lit(s) => s.clone(),
            Part::Interp(s) => format!("${{{s}}}"),
            Part::Directive(s) => format!("%{{{s}}}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Expr {
        Expr::Template(vec![Part::Lit(s.to_string())])
    }

    #[test]
    fn blocks_attributes_and_values() {
        let body = parse(
            "# comment\nvariable \"TAG\" {\n  default = \"v${X}1\" // c\n}\n\
             /* block\ncomment */\ngroup default { targets = [\"a\", \"b\",\n] }\n\
             target \"a\" {\n  context = \".\"\n  args = {\n    A = \"1\"\n  }\n  platforms = [\"linux/amd64\"]\n  tags = concat([\"x\"], [\"y\"])\n  cond = X == \"\" ? \"a\" : \"b\"\n  n = 3\n  flag = true\n  r = target.b.context\n  s = \"esc\\\"aped $${no} %%{no} \\u00e9\"\n  h = <<-EOT\n    line ${TAG}\n    EOT\n}\n",
        )
        .unwrap();
        assert_eq!(body.blocks.len(), 3);
        assert_eq!(body.blocks[0].labels, ["TAG"]);
        assert_eq!(body.blocks[0].line, 2);
        assert_eq!(
            body.blocks[0].body.attrs[0].value,
            Expr::Template(vec![
                Part::Lit("v".into()),
                Part::Interp("X".into()),
                Part::Lit("1".into())
            ])
        );
        assert_eq!(body.blocks[1].kind, "group");
        assert_eq!(body.blocks[1].labels, ["default"]);
        assert_eq!(
            body.blocks[1].body.attrs[0].value,
            Expr::List(vec![lit("a"), lit("b")])
        );
        let t = &body.blocks[2];
        assert_eq!(t.line, 9);
        let attr = |n: &str| {
            t.body
                .attrs
                .iter()
                .find(|a| a.name == n)
                .map(|a| a.value.clone())
                .unwrap()
        };
        assert_eq!(attr("context"), lit("."));
        assert!(matches!(attr("args"), Expr::Other(_)));
        assert!(matches!(attr("tags"), Expr::Other(_)));
        assert_eq!(
            attr("cond"),
            Expr::Other("X == \"\" ? \"a\" : \"b\"".into())
        );
        assert_eq!(attr("n"), Expr::Literal("3".into()));
        assert_eq!(attr("flag"), Expr::Literal("true".into()));
        assert_eq!(attr("r"), Expr::Ref("target.b.context".into()));
        assert_eq!(attr("s"), lit("esc\"aped ${no} %{no} é"));
        assert_eq!(
            attr("h"),
            Expr::Template(vec![
                Part::Lit("line ".into()),
                Part::Interp("TAG".into()),
                Part::Lit("\n".into())
            ])
        );
        assert_eq!(
            t.body.attrs.iter().find(|a| a.name == "h").unwrap().line,
            21
        );
    }

    #[test]
    fn syntax_errors_have_lines() {
        for (text, line) in [
            ("target \"a\" {\n  context = \".\n}\n", 2),
            ("target \"a\" {\n", 2),
            ("x = [1, 2\n", 2),
            ("= 3\n", 1),
            ("a = 1 2\n", 1),
        ] {
            let got = parse(text);
            assert_eq!(
                got.as_ref().map_err(|e| e.0),
                Err(line),
                "{text:?}: {got:?}"
            );
        }
        let deep = format!("a = {}{}\n", "[".repeat(200), "]".repeat(200));
        assert!(parse(&deep).is_err());
    }
}
