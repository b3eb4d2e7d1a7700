//! Words and flags of an instruction: quoting, `--flag=value` words, the
//! JSON (exec) form.

/// Removes shell quotes and backslash escapes (no variable expansion).
pub(super) fn unquote(s: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => out.push(c),
            (_, '\\') => out.extend(chars.next()),
            (None, '\'' | '"') => quote = Some(c),
            (_, c) => out.push(c),
        }
    }
    out
}

/// Splits on whitespace outside quotes, keeping quotes and escapes in the
/// words (BuildKit's `parseWords`, used for `ARG`, `ENV` and heredoc lookup).
pub(super) fn split_words(s: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut blank_ok = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(ch) = chars.next() {
        if let Some(q) = quote {
            if ch == q {
                quote = None;
                word.push(ch);
            } else if ch == escape && q != '\'' {
                match chars.next() {
                    Some(next) => {
                        word.push(ch);
                        word.push(next);
                    }
                    None => quote = None,
                }
            } else {
                word.push(ch);
            }
            continue;
        }
        if ch.is_whitespace() {
            if in_word && (blank_ok || !word.is_empty()) {
                words.push(std::mem::take(&mut word));
            }
            in_word = false;
            blank_ok = false;
            continue;
        }
        in_word = true;
        if ch == '\'' || ch == '"' {
            quote = Some(ch);
            blank_ok = true;
            word.push(ch);
        } else if ch == escape {
            if let Some(next) = chars.next() {
                word.push(ch);
                word.push(next);
            }
        } else {
            word.push(ch);
        }
    }
    if in_word && (blank_ok || !word.is_empty()) {
        words.push(word);
    }
    words
}

/// Extracts the leading `--flag[=value]` words of an instruction (quotes
/// removed, `\` escapes, a lone `--` ends the flags). Returns the flag words
/// and the rest of the line.
pub(super) fn extract_flags(s: &str) -> (Vec<String>, &str) {
    let mut words = Vec::new();
    let mut chars = s.char_indices().peekable();
    loop {
        while chars.next_if(|&(_, c)| c.is_whitespace()).is_some() {}
        let Some(&(start, _)) = chars.peek() else {
            return (words, "");
        };
        if !s[start..].starts_with("--") {
            return (words, &s[start..]);
        }
        let mut word = String::new();
        let mut blank_ok = false;
        let mut quote: Option<char> = None;
        let mut end = None;
        while let Some((pos, c)) = chars.next() {
            if let Some(q) = quote {
                if c == q {
                    quote = None;
                } else if c == '\\' {
                    word.extend(chars.next().map(|(_, n)| n));
                } else {
                    word.push(c);
                }
                continue;
            }
            if c.is_whitespace() {
                end = Some(pos);
                break;
            }
            if c == '\'' || c == '"' {
                quote = Some(c);
                blank_ok = true;
            } else if c == '\\' {
                word.extend(chars.next().map(|(_, n)| n));
            } else {
                word.push(c);
            }
        }
        if word == "--" {
            return (words, end.map_or("", |p| &s[p..]));
        }
        if blank_ok || !word.is_empty() {
            words.push(word);
        }
        if end.is_none() {
            return (words, "");
        }
    }
}

/// Splits flag words into `(name, value)`; `--link` gives `("link", None)`.
pub(super) fn parse_flag_words(words: &[String]) -> Vec<(String, Option<String>)> {
    words
        .iter()
        .map(|w| {
            let w = w.strip_prefix("--").unwrap_or(w);
            match w.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (w.to_string(), None),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// JSON (exec) form: a JSON array of strings.
// ---------------------------------------------------------------------------

pub(super) enum JsonArgs {
    /// Not valid JSON: the instruction is in shell form.
    NotJson,
    /// Valid JSON array, but not all elements are strings (an error).
    NotStringArray,
    /// A JSON array of strings.
    Strings(Vec<String>),
}

pub(super) fn parse_json_args(s: &str) -> JsonArgs {
    if !s.starts_with('[') {
        return JsonArgs::NotJson;
    }
    let mut p = JsonParser {
        b: s.as_bytes(),
        pos: 0,
    };
    match p.string_array() {
        Some((values, all_strings)) => {
            p.ws();
            if p.pos != p.b.len() {
                JsonArgs::NotJson
            } else if all_strings {
                JsonArgs::Strings(values)
            } else {
                JsonArgs::NotStringArray
            }
        }
        None => JsonArgs::NotJson,
    }
}

pub(super) struct JsonParser<'a> {
    pub(super) b: &'a [u8],
    pub(super) pos: usize,
}

impl JsonParser<'_> {
    const MAX_DEPTH: usize = 256;

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn string_array(&mut self) -> Option<(Vec<String>, bool)> {
        self.ws();
        if !self.eat(b'[') {
            return None;
        }
        let mut values = Vec::new();
        let mut all_strings = true;
        self.ws();
        if self.eat(b']') {
            return Some((values, true));
        }
        loop {
            self.ws();
            if self.peek() == Some(b'"') {
                values.push(self.string()?);
            } else {
                self.value(1)?;
                all_strings = false;
            }
            self.ws();
            if self.eat(b',') {
                continue;
            }
            return if self.eat(b']') {
                Some((values, all_strings))
            } else {
                None
            };
        }
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        if depth > Self::MAX_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'[' => {
                self.pos += 1;
                self.ws();
                if self.eat(b']') {
                    return Some(());
                }
                loop {
                    self.value(depth + 1)?;
                    self.ws();
                    if !self.eat(b',') {
                        return self.eat(b']').then_some(());
                    }
                }
            }
            b'{' => {
                self.pos += 1;
                self.ws();
                if self.eat(b'}') {
                    return Some(());
                }
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return None;
                    }
                    self.string()?;
                    self.ws();
                    if !self.eat(b':') {
                        return None;
                    }
                    self.value(depth + 1)?;
                    self.ws();
                    if !self.eat(b',') {
                        return self.eat(b'}').then_some(());
                    }
                }
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.b.get(self.pos..)?.starts_with(word) {
            self.pos += word.len();
            Some(())
        } else {
            None
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Option<()> {
        self.eat(b'-');
        if !self.eat(b'0') && self.digits() == 0 {
            return None;
        }
        if self.eat(b'.') && self.digits() == 0 {
            return None;
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(())
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.b.get(self.pos..self.pos + 4)?;
        let text = std::str::from_utf8(digits).ok()?;
        let value = u32::from_str_radix(text, 16).ok()?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        Some(value)
    }

    fn string(&mut self) -> Option<String> {
        if !self.eat(b'"') {
            return None;
        }
        let mut buf: Vec<u8> = Vec::new();
        loop {
            let c = self.peek()?;
            self.pos += 1;
            match c {
                b'"' => return Some(String::from_utf8_lossy(&buf).into_owned()),
                b'\\' => {
                    let e = self.peek()?;
                    self.pos += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    };
                    let mut tmp = [0u8; 4];
                    buf.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                }
                c if c < 0x20 => return None,
                c => buf.push(c),
            }
        }
    }

    /// After `\u`: one code point, combining surrogate pairs (lone
    /// surrogates become U+FFFD, as in Go).
    fn unicode_escape(&mut self) -> Option<char> {
        let cp = self.hex4()?;
        if (0xD800..0xDC00).contains(&cp) {
            let save = self.pos;
            if self.b.get(self.pos..)?.starts_with(b"\\u") {
                self.pos += 2;
                if let Some(lo) = self.hex4() {
                    if (0xDC00..0xE000).contains(&lo) {
                        let combined = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        return Some(char::from_u32(combined).unwrap_or('\u{FFFD}'));
                    }
                }
                self.pos = save;
            }
            return Some('\u{FFFD}');
        }
        Some(char::from_u32(cp).unwrap_or('\u{FFFD}'))
    }
}

// ---------------------------------------------------------------------------
// Variable substitution (BuildKit's shell word processing, one word).
// ---------------------------------------------------------------------------
