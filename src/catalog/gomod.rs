//! Compiled Go binaries at the top of a Go module: `go build` (or
//! `go build ./cmd/NAME`) writes a 50–100 MB executable named after the
//! module path's last element (or the `cmd/` directory) into the module's
//! directory, where the build context picks it up.
//!
//! The name alone is not enough (`api` may be a script), so a file is the
//! module's binary only when
//! 1. it is directly in a directory holding `go.mod`,
//! 2. its name (less `.exe`) is the module's binary name read from `go.mod`
//!    ([`GoModule::binary_name`]), a directory under `cmd/`, or (when the
//!    caller passes it, [`GoModule::with_dir_name`]) the name of the
//!    module's own directory,
//! 3. its first bytes are an executable's (ELF, Mach-O, PE) or otherwise
//!    not text (a NUL byte), and
//! 4. git does not track it.
//!
//! [`GoModule::candidate`] checks 1–2 from names; [`confirm`](super::confirm)
//! with the file's head and its tracked state checks 3–4.

use super::entries::by_id;
use super::entry::Entry;
use super::protected::is_protected;

/// What the walker learned from one directory's `go.mod`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoModule {
    binary: Option<String>,
    dir_name: Option<String>,
}

impl GoModule {
    /// From the start of `go.mod` (a few KiB is plenty: the `module`
    /// directive comes first).
    pub fn from_go_mod(head: &[u8]) -> GoModule {
        GoModule {
            binary: module_path(head).and_then(binary_name),
            dir_name: None,
        }
    }

    /// Also takes a file named like the module's own directory (`minio` in
    /// `.../minio/`, where `go build` of a module named after its
    /// repository writes it) as a candidate: for a `go.mod` whose module
    /// line could not be read, or a module path unlike its directory.
    pub fn with_dir_name(mut self, dir_name: &str) -> GoModule {
        self.dir_name = Some(dir_name.to_string());
        self
    }

    /// The name `go build` gives the module's main package: the module
    /// path's last element, or the one before a major-version suffix
    /// (`example.com/tool/v2` builds `tool`).
    pub fn binary_name(&self) -> Option<&str> {
        self.binary.as_deref()
    }

    /// The Go-binary entry when a file named `name`, directly in the
    /// module's directory, may be the module's build output: its name (less
    /// `.exe`) is [`GoModule::binary_name`] or `cmd_dir(name)` says `cmd/NAME`
    /// is a directory beside it (asked only for plausible names: no dot, not
    /// hidden, not a protected manifest). The caller then reads the file's
    /// head and keeps it only if [`confirm`](super::confirm) agrees.
    pub fn candidate(&self, name: &str, cmd_dir: &dyn Fn(&str) -> bool) -> Option<&'static Entry> {
        let stem = name.strip_suffix(".exe").unwrap_or(name);
        if stem.is_empty() || name.starts_with('.') || is_protected(name) {
            return None;
        }
        let named = self.binary.as_deref() == Some(stem) || self.dir_name.as_deref() == Some(stem);
        (named || (!stem.contains('.') && cmd_dir(stem))).then(go_binary)
    }
}

/// The catalogue's Go-binary entry.
pub fn go_binary() -> &'static Entry {
    by_id("go-binary").expect("the table has a go-binary entry")
}

/// The path of the `module` directive, unquoted.
fn module_path(head: &[u8]) -> Option<&str> {
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // A cut in the middle of a character: keep what is valid.
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
    };
    text.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("module")?;
        if !rest.starts_with([' ', '\t', '"', '`']) {
            return None;
        }
        let rest = rest.split("//").next()?.trim();
        let path = rest.trim_matches(['"', '`']).trim();
        (!path.is_empty() && !path.contains(char::is_whitespace)).then_some(path)
    })
}

fn binary_name(path: &str) -> Option<String> {
    let mut elems = path.rsplit('/').filter(|e| !e.is_empty());
    let last = elems.next()?;
    let is_major = |e: &str| {
        e.strip_prefix('v')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let name = if is_major(last) {
        elems.next().unwrap_or(last)
    } else {
        last
    };
    Some(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::confirm;

    #[test]
    fn binary_names_from_go_mod() {
        let cases: &[(&str, Option<&str>)] = &[
            ("module github.com/minio/minio\n\ngo 1.22\n", Some("minio")),
            (
                "// comment\nmodule example.com/tool/v2 // major\n",
                Some("tool"),
            ),
            ("module \"example.com/quoted\"\n", Some("quoted")),
            ("module `example.com/raw`\n", Some("raw")),
            ("module hello\n", Some("hello")),
            ("module gopkg.in/yaml.v3\n", Some("yaml.v3")),
            ("go 1.22\n", None),
            ("modules x\n", None),
            ("", None),
        ];
        for &(go_mod, want) in cases {
            let m = GoModule::from_go_mod(go_mod.as_bytes());
            assert_eq!(m.binary_name(), want, "{go_mod:?}");
        }
    }

    #[test]
    fn candidates_need_the_module_name_or_a_cmd_dir() {
        let m = GoModule::from_go_mod(b"module github.com/acme/server\n");
        let no_cmd = |_: &str| false;
        let cmd_api = |n: &str| n == "api";
        type Cmd<'a> = &'a dyn Fn(&str) -> bool;
        let cases: &[(&str, Cmd, bool)] = &[
            ("server", &no_cmd, true),
            ("server.exe", &no_cmd, true),
            ("api", &no_cmd, false),
            ("api", &cmd_api, true),
            ("api.exe", &cmd_api, true),
            ("api.sh", &cmd_api, false),
            ("server.go", &no_cmd, false),
            (".server", &no_cmd, false),
            ("go.mod", &|_: &str| true, false),
            ("Dockerfile", &|_: &str| true, false),
        ];
        for &(name, cmd, want) in cases {
            assert_eq!(m.candidate(name, cmd).is_some(), want, "{name}");
        }
        let none = GoModule::default();
        assert!(none.candidate("server", &no_cmd).is_none());
        let unread = GoModule::from_go_mod(b"# not a module line\n").with_dir_name("minio");
        assert!(unread.candidate("minio", &no_cmd).is_some());
        assert!(unread.candidate("mc", &no_cmd).is_none());
        assert!(none.candidate("api", &cmd_api).is_some());
    }

    #[test]
    fn executables_untracked_only() {
        let e = go_binary();
        let mut elf = b"\x7fELF\x02\x01\x01".to_vec();
        elf.resize(4096, 0);
        let mut macho = b"\xcf\xfa\xed\xfe\x0c\x00\x00\x01".to_vec();
        macho.resize(64, 0);
        let mut pe = vec![0u8; 0x100];
        pe[..2].copy_from_slice(b"MZ");
        pe[0x3c] = 0x80;
        pe[0x80..0x84].copy_from_slice(b"PE\0\0");
        let mut bad_pe = b"MZ".to_vec();
        bad_pe.resize(0x100, b' ');
        bad_pe[0x3c..0x40].copy_from_slice(b"\x80   ");
        bad_pe[0x80..0x84].copy_from_slice(b"PX  ");
        let cases: &[(&[u8], bool, bool)] = &[
            (&elf, false, true),
            (&elf, true, false),
            (&macho, false, true),
            (&pe, false, true),
            (&bad_pe, false, false),
            (b"#!/bin/sh\nexec ./server\n", false, false),
            (
                b"MZ but text, not an executable at all, long enough to hold a header",
                false,
                false,
            ),
            // Binary content of another shape (a sparse or preallocated
            // copy) is not text: the module's build output.
            (&[0u8; 4096], false, true),
            (&[0u8; 4096], true, false),
            (b"", false, false),
        ];
        for (i, &(head, tracked, want)) in cases.iter().enumerate() {
            assert_eq!(confirm(e, head, tracked), want, "case {i}");
        }
    }
}
