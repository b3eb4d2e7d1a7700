//! Confirming a candidate from the start of its file: the content tests
//! behind [`ContentCheck`] (is this `.npmrc` holding a token, this `*.pem` a
//! private key, this file named like the Go module an executable?).
//!
//! Each test takes the (already bounded) start of a file and returns only a
//! `bool`; borrowed slices never leave this module. For credentials found
//! in files of any name, see `content.rs`.

use super::entry::{ContentCheck, Entry, Kind};

/// How many bytes from the start of a file [`confirm`] looks at (64 KiB).
/// The caller reads at most this much; longer input is cut here.
pub const SNIFF_BYTES: usize = 64 * 1024;

impl ContentCheck {
    pub(crate) fn run(self, head: &[u8]) -> bool {
        match self {
            ContentCheck::PrivateKey => private_key(head),
            ContentCheck::NpmAuth => npm_auth(head),
            ContentCheck::YarnAuth => yarn_auth(head),
            ContentCheck::PypircPassword => pypirc(head),
            ContentCheck::Netrc => netrc(head),
            ContentCheck::GitCredentials => git_credentials(head),
            ContentCheck::DockerAuth => docker_auth(head),
            ContentCheck::Kubeconfig => kubeconfig(head),
            ContentCheck::ServiceAccount => service_account(head),
            ContentCheck::KeyLikeValues => key_like_values(head),
            ContentCheck::Executable => executable(head),
        }
    }
}

/// Whether a file matched as `entry` must be read (at most
/// [`SNIFF_BYTES`]) and passed to [`confirm`] before it is reported.
pub fn needs_content_check(entry: &Entry) -> bool {
    entry.content.is_some()
}

/// [`needs_content_check`] knowing whether git tracks the file: a tracked
/// file may need its head too ([`Entry::tracked_content`](Entry#structfield.tracked_content)), and a tracked
/// file of an [`Entry::untracked_only`](Entry#structfield.untracked_only) entry needs nothing (it is not one).
pub fn needs_head(entry: &Entry, tracked: bool) -> bool {
    if tracked {
        !entry.untracked_only && (entry.content.is_some() || entry.tracked_content.is_some())
    } else {
        entry.content.is_some()
    }
}

/// Whether a path matched as `entry` is one, judged from `head` (the start
/// of the file; only the first [`SNIFF_BYTES`] are looked at) and from
/// whether git tracks it (`tracked`; pass `false` when unknown or outside a
/// repository).
///
/// Entries without a content check pass on their name (an empty `.env`
/// counts); an entry that is [`Entry::untracked_only`](Entry#structfield.untracked_only) fails when tracked,
/// and a tracked file must also pass [`Entry::tracked_content`](Entry#structfield.tracked_content).
/// The answer is a `bool` by design: no part of the content can come out of
/// this call. For a phrase to show, use the entry's `reason` or
/// [`ContentCheck::evidence`].
pub fn confirm(entry: &Entry, head: &[u8], tracked: bool) -> bool {
    if entry.untracked_only && tracked {
        return false;
    }
    let head = &head[..head.len().min(SNIFF_BYTES)];
    let tracked_ok = !tracked || entry.tracked_content.is_none_or(|check| check.run(head));
    tracked_ok && entry.content.is_none_or(|check| check.run(head))
}

/// [`confirm`] for secrets only: non-secret entries are never secrets.
pub fn confirm_secret(entry: &Entry, head: &[u8]) -> bool {
    entry.kind == Kind::Secret && confirm(entry, head, false)
}

/// Whether `head` is an executable's: ELF, Mach-O (32/64-bit, either byte
/// order, universal) or PE (`MZ`, and `PE\0\0` at the offset the DOS header
/// names when the head reaches it), or binary content of another shape (a
/// NUL byte: a preallocated or sparse copy, an unusual format). A file that
/// is named like its Go module, untracked and not text is its build output;
/// a script of that name is text and fails.
pub(crate) fn executable(head: &[u8]) -> bool {
    if head.is_empty() {
        return false;
    }
    magic(head) || head.contains(&0)
}

fn magic(head: &[u8]) -> bool {
    const MAGIC: [&[u8]; 7] = [
        b"\x7fELF",
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
        b"\xca\xfe\xba\xbf",
    ];
    if MAGIC.iter().any(|m| head.starts_with(m)) {
        return true;
    }
    if !head.starts_with(b"MZ") || head.len() < 0x40 {
        return false;
    }
    let at = u32::from_le_bytes([head[0x3c], head[0x3d], head[0x3e], head[0x3f]]) as usize;
    match head.get(at..at.saturating_add(4)) {
        Some(sig) => sig == b"PE\0\0",
        // The header lies beyond the head: `MZ` and a sane offset will do.
        None => (0x40..16 * 1024 * 1024).contains(&at),
    }
}

/// Position of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

fn lines(head: &[u8]) -> impl Iterator<Item = &[u8]> {
    head.split(|&c| c == b'\n').map(trim)
}

fn strip_quotes(v: &[u8]) -> &[u8] {
    let v = trim(v);
    if v.len() >= 2 && (v[0] == b'"' || v[0] == b'\'') && v[v.len() - 1] == v[0] {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

/// Whether a value holds a URL with a literal password in its user part
/// (`postgres://app:s3cret@db/app`): a connection string is a credential
/// whatever its key is called. `${VAR}`, `<password>` and the like are
/// placeholders, not passwords.
pub(crate) fn url_password(value: &[u8]) -> bool {
    let Some(at) = value.windows(3).position(|w| w == b"://") else {
        return false;
    };
    let rest = &value[at + 3..];
    let end = rest
        .iter()
        .position(|&b| b == b'/' || b.is_ascii_whitespace() || b == b'"' || b == b'\'')
        .unwrap_or(rest.len());
    let authority = &rest[..end];
    let Some(user_end) = authority.iter().rposition(|&b| b == b'@') else {
        return false;
    };
    let userinfo = &authority[..user_end];
    let Some(colon) = userinfo.iter().position(|&b| b == b':') else {
        return false;
    };
    let password = &userinfo[colon + 1..];
    is_literal(password) && !password.contains(&b'$') && !password.starts_with(b"*")
}

/// Whether a value is a literal secret rather than empty, a reference
/// (`${VAR}`, `<%= ... %>`, `{{ ... }}`), a boolean, a number or an
/// obvious placeholder.
pub(crate) fn is_literal(value: &[u8]) -> bool {
    let mut v = trim(value);
    if let Some(stripped) = v.strip_suffix(b",") {
        v = trim(stripped);
    }
    let v = strip_quotes(v);
    if v.is_empty() {
        return false;
    }
    const REFS: [&[u8]; 8] = [b"$", b"<", b"{{", b"%(", b"#{", b"{", b"[", b"|"];
    if REFS.iter().any(|r| v.starts_with(r)) || v == b">" || v == b">-" {
        return false;
    }
    const WORDS: [&[u8]; 12] = [
        b"null",
        b"none",
        b"nil",
        b"~",
        b"true",
        b"false",
        b"yes",
        b"no",
        b"changeme",
        b"change_me",
        b"todo",
        b"redacted",
    ];
    if WORDS.iter().any(|w| v.eq_ignore_ascii_case(w)) {
        return false;
    }
    if v.iter().all(u8::is_ascii_digit) {
        return false;
    }
    !v.iter()
        .all(|c| matches!(c, b'*' | b'x' | b'X' | b'.' | b'-' | b'_'))
}

/// Splits a config line into key and value at the first of `seps`.
/// Comment lines give `None`. YAML list dashes and `export ` are dropped
/// from the key.
fn key_value<'a>(line: &'a [u8], seps: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
    if line.is_empty() || line[0] == b'#' || line[0] == b';' {
        return None;
    }
    let pos = line.iter().position(|c| seps.contains(c))?;
    let mut key = trim(&line[..pos]);
    if let Some(k) = key.strip_prefix(b"- ") {
        key = trim(k);
    }
    if let Some(k) = key.strip_prefix(b"export ") {
        key = trim(k);
    }
    let key = strip_quotes(key);
    // Only a simple key counts; JSON on one line is for `json_pairs`.
    let simple = key
        .iter()
        .all(|c| !c.is_ascii_whitespace() && !b"\"'{}[],".contains(c));
    simple.then_some((key, &line[pos + 1..]))
}

/// Calls `f(key, value)` for every `"key": "value"` pair of JSON-ish
/// text, stopping at the first `true`.
fn json_pairs(head: &[u8], mut f: impl FnMut(&[u8], &[u8]) -> bool) -> bool {
    let mut i = 0;
    let mut prev: Option<(usize, usize)> = None;
    while i < head.len() {
        if head[i] != b'"' {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut j = start;
        while j < head.len() && head[j] != b'"' {
            j += if head[j] == b'\\' { 2 } else { 1 };
        }
        if j >= head.len() {
            return false;
        }
        // A string right after `"key" :` is that key's value.
        if let Some((ks, ke)) = prev.take() {
            if f(&head[ks..ke], &head[start..j]) {
                return true;
            }
        } else {
            let mut k = j + 1;
            while k < head.len() && head[k].is_ascii_whitespace() {
                k += 1;
            }
            if k < head.len() && head[k] == b':' {
                k += 1;
                while k < head.len() && head[k].is_ascii_whitespace() {
                    k += 1;
                }
                if k < head.len() && head[k] == b'"' {
                    prev = Some((start, j));
                    i = k;
                    continue;
                }
            }
        }
        i = j + 1;
    }
    false
}

pub(crate) fn private_key(head: &[u8]) -> bool {
    let mut rest = head;
    while let Some(at) = find(rest, b"-----BEGIN ") {
        let line = &rest[at..];
        let end = line.iter().position(|&c| c == b'\n').unwrap_or(line.len());
        if find(&line[..end], b"PRIVATE KEY").is_some() {
            return true;
        }
        rest = &line[end.max(1)..];
    }
    false
}

pub(crate) fn npm_auth(head: &[u8]) -> bool {
    lines(head).any(|line| {
        key_value(line, b"=").is_some_and(|(k, v)| {
            (k.ends_with(b"_authToken") || k.ends_with(b"_auth") || k.ends_with(b"_password"))
                && is_literal(v)
        })
    })
}

pub(crate) fn yarn_auth(head: &[u8]) -> bool {
    lines(head).any(|line| {
        key_value(line, b":")
            .is_some_and(|(k, v)| (k == b"npmAuthToken" || k == b"npmAuthIdent") && is_literal(v))
    })
}

pub(crate) fn pypirc(head: &[u8]) -> bool {
    lines(head).any(|line| {
        key_value(line, b"=:")
            .is_some_and(|(k, v)| k.eq_ignore_ascii_case(b"password") && is_literal(v))
    })
}

pub(crate) fn netrc(head: &[u8]) -> bool {
    let mut words = head
        .split(|c| c.is_ascii_whitespace())
        .filter(|w| !w.is_empty());
    while let Some(w) = words.next() {
        if w == b"password" && words.next().is_some_and(is_literal) {
            return true;
        }
    }
    false
}

pub(crate) fn git_credentials(head: &[u8]) -> bool {
    let mut rest = head;
    while let Some(at) = find(rest, b"://") {
        let after = &rest[at + 3..];
        let end = after
            .iter()
            .position(|c| matches!(c, b'/' | b'\n' | b' ' | b'\t' | b'\r'))
            .unwrap_or(after.len());
        let authority = &after[..end];
        if let Some(atsign) = authority.iter().rposition(|&c| c == b'@') {
            let userinfo = &authority[..atsign];
            if let Some(colon) = userinfo.iter().position(|&c| c == b':') {
                if colon + 1 < userinfo.len() {
                    return true;
                }
            }
        }
        rest = after;
    }
    false
}

pub(crate) fn docker_auth(head: &[u8]) -> bool {
    json_pairs(head, |k, v| {
        matches!(k, b"auth" | b"identitytoken" | b"password") && !trim(v).is_empty()
    })
}

pub(crate) fn kubeconfig(head: &[u8]) -> bool {
    lines(head).any(|line| {
        key_value(line, b":").is_some_and(|(k, v)| {
            matches!(
                k,
                b"client-key-data"
                    | b"token"
                    | b"id-token"
                    | b"refresh-token"
                    | b"access-token"
                    | b"password"
                    | b"client-secret"
            ) && is_literal(v)
        })
    })
}

pub(crate) fn service_account(head: &[u8]) -> bool {
    let mut is_sa = false;
    let mut has_key = false;
    json_pairs(head, |k, v| {
        if k == b"type" && v == b"service_account" {
            is_sa = true;
        }
        if k == b"private_key" && !trim(v).is_empty() {
            has_key = true;
        }
        is_sa && has_key
    })
}

/// Whether a key names something secret (and not a URL or path to it).
fn secret_key_name(key: &[u8]) -> bool {
    const NAMES: [&[u8]; 12] = [
        b"password",
        b"passwd",
        b"secret",
        b"token",
        b"api_key",
        b"apikey",
        b"api-key",
        b"private_key",
        b"privatekey",
        b"private-key",
        b"access_key",
        b"accesskey",
    ];
    const NOT: [&[u8]; 8] = [
        b"url",
        b"uri",
        b"path",
        b"file",
        b"endpoint",
        b"type",
        b"ttl",
        b"expiry",
    ];
    if key.is_empty() || key.len() > 128 {
        return false;
    }
    let mut buf = [0u8; 128];
    let lower = &mut buf[..key.len()];
    lower.copy_from_slice(key);
    lower.make_ascii_lowercase();
    let lower = &*lower;
    NAMES.iter().any(|n| find(lower, n).is_some()) && !NOT.iter().any(|n| lower.ends_with(n))
}

pub(crate) fn key_like_values(head: &[u8]) -> bool {
    if private_key(head) {
        return true;
    }
    let in_lines = lines(head).any(|line| {
        key_value(line, b"=:")
            .is_some_and(|(k, v)| (secret_key_name(k) && is_literal(v)) || url_password(v))
    });
    in_lines || json_pairs(head, |k, v| secret_key_name(k) && is_literal(v))
}

#[cfg(test)]
mod url_password_tests {
    use super::url_password;

    #[test]
    fn a_literal_password_in_a_url_is_a_credential_a_placeholder_is_not() {
        for v in [
            &b"postgres://app:s3cret@db/app"[..],
            b"redis://:s3cr3tpass@cache:6379",
            b"\"mysql://root:hunter22@localhost:3306/x\"",
        ] {
            assert!(url_password(v), "{}", String::from_utf8_lossy(v));
        }
        for v in [
            &b"postgres://app:${PW}@db/app"[..],
            b"postgres://app:<password>@db/app",
            b"https://user@host/x",
            b"https://host/x",
            b"postgres://app@db:5432/app",
            b"not a url",
        ] {
            assert!(!url_password(v), "{}", String::from_utf8_lossy(v));
        }
    }
}
