//! Credentials found by their content, in files of any name.
//!
//! [`scan_content`] looks at the start of one text file (at most
//! [`SCAN_BYTES`]) for a few high-confidence formats, each a catalogue
//! entry of kind `secret` with matcher [`Matcher::Content`]
//! ([`content_entries`]): PEM private keys, AWS access key ids with a secret
//! access key beside them, GitHub, GitLab, Slack, Stripe live, Google API,
//! npm and PyPI tokens, and `_authToken=` lines. The shapes (prefixes,
//! alphabets, lengths) follow the published rules of gitleaks and
//! ripsecrets; values that are documentation (`AKIAIOSFODNN7EXAMPLE`,
//! `ghp_xxxx…`, `${NPM_TOKEN}`) are left alone.
//!
//! What comes out is the entry and a line number, never a byte of the value:
//! [`ContentHit`] holds only a `&'static Entry` and a `usize`.
//!
//! Cost: the caller first asks [`worth_scanning`] (name and size only: no
//! images, archives, fonts, compiled objects, lockfiles or files over
//! [`SCAN_MAX_FILE_BYTES`]), reads at most [`SCAN_BYTES`], and calls
//! [`scan_content`]. That makes one pass of a literal prefilter (the
//! formats' fixed prefixes, searched together) over the head and returns at
//! once when none occurs, which is almost every file; only the formats
//! whose prefix occurred run their precise pattern.

use std::sync::OnceLock;

use regex::bytes::Regex;

use super::entries::CONTENT_ENTRIES;
use super::entry::Entry;
use super::sniff::is_literal;

/// How many bytes from the start of a file [`scan_content`] looks at
/// (64 KiB). Longer input is cut here.
pub const SCAN_BYTES: usize = 64 * 1024;

/// Files larger than this are not worth reading for credentials (1 MiB):
/// credential files are small, large text files are data, logs and bundles.
pub const SCAN_MAX_FILE_BYTES: u64 = 1024 * 1024;

/// A credential format found in a file: which one and on which line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContentHit {
    /// The catalogue entry of the format (kind `secret`).
    pub entry: &'static Entry,
    /// The 1-based line where the value starts.
    pub line: usize,
}

/// The catalogue's content entries, one per format [`scan_content`] finds.
pub fn content_entries() -> &'static [Entry] {
    CONTENT_ENTRIES
}

/// Extensions of files that never hold a credential in text: images,
/// media, fonts, archives and packages, compiled code, databases and
/// binary data, office documents, source maps.
const SKIP_EXTENSIONS: &[&str] = &[
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "ico",
    "bmp",
    "tif",
    "tiff",
    "avif",
    "heic",
    "psd",
    "svg",
    "mp3",
    "mp4",
    "m4a",
    "wav",
    "ogg",
    "flac",
    "avi",
    "mov",
    "mkv",
    "webm",
    "woff",
    "woff2",
    "ttf",
    "otf",
    "eot",
    "zip",
    "tar",
    "gz",
    "tgz",
    "bz2",
    "xz",
    "zst",
    "7z",
    "rar",
    "jar",
    "war",
    "ear",
    "whl",
    "egg",
    "gem",
    "nupkg",
    "apk",
    "aab",
    "ipa",
    "deb",
    "rpm",
    "dmg",
    "iso",
    "so",
    "dylib",
    "dll",
    "exe",
    "o",
    "a",
    "lib",
    "obj",
    "class",
    "pyc",
    "pyo",
    "pyd",
    "wasm",
    "rlib",
    "rmeta",
    "node",
    "bin",
    "dat",
    "pdb",
    "sqlite",
    "sqlite3",
    "db",
    "parquet",
    "avro",
    "onnx",
    "pt",
    "pth",
    "safetensors",
    "h5",
    "pkl",
    "npy",
    "npz",
    "pdf",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "ppt",
    "pptx",
    "odt",
    "map",
    "pack",
    "idx",
];

/// Lockfiles: large, machine-written, full of hashes.
const SKIP_NAMES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lockb",
    "bun.lock",
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "pdm.lock",
    "Cargo.lock",
    "go.sum",
    "go.work.sum",
    "Gemfile.lock",
    "composer.lock",
    "gradle.lockfile",
    "packages.lock.json",
    ".terraform.lock.hcl",
];

/// Whether a file is worth reading for [`scan_content`], from its name
/// and size alone: not empty, at most [`SCAN_MAX_FILE_BYTES`], not a
/// lockfile, and no extension of binary or media content.
pub fn worth_scanning(name: &str, size: u64) -> bool {
    if size == 0 || size > SCAN_MAX_FILE_BYTES || SKIP_NAMES.contains(&name) {
        return false;
    }
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.len() <= 12 => {
            let mut buf = [0u8; 12];
            let lower = &mut buf[..ext.len()];
            lower.copy_from_slice(ext.as_bytes());
            lower.make_ascii_lowercase();
            !SKIP_EXTENSIONS.iter().any(|s| s.as_bytes() == lower)
        }
        _ => true,
    }
}

/// One format: its entry id, the literals that must occur for it to be
/// tried, its precise pattern, and a check of the matched value.
struct Format {
    id: &'static str,
    triggers: &'static [&'static str],
    pattern: &'static str,
    /// Whether the value (the pattern's group 1, else the whole match) is
    /// a real one rather than documentation.
    real: fn(&[u8]) -> bool,
}

/// A token of a random-looking alphabet: not a documented example, not a
/// run of the same character (`xxxx…`, `0000…`).
fn token_like(v: &[u8]) -> bool {
    let lower_has = |w: &[u8]| v.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w));
    if lower_has(b"example") || lower_has(b"xxxxxxxx") || lower_has(b"00000000") {
        return false;
    }
    let mut seen = [false; 256];
    let mut distinct = 0;
    for &b in v {
        if !seen[usize::from(b)] {
            seen[usize::from(b)] = true;
            distinct += 1;
        }
    }
    distinct >= 8
}

fn any_value(_: &[u8]) -> bool {
    true
}

fn auth_token_value(v: &[u8]) -> bool {
    is_literal(v) && v.len() >= 8 && token_like(v)
}

/// The formats, gitleaks' and ripsecrets' shapes. A pattern's group 1 is
/// the value when it has one.
static FORMATS: &[Format] = &[
    Format {
        id: "private-key-block",
        triggers: &["PRIVATE KEY"],
        // The header, optional armour headers, then key material (a
        // documentation string naming the header alone does not count).
        // Newlines may be real or JSON-escaped.
        pattern: r"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----(?:\\[rn]|[\r\n \t])+(?:[A-Za-z-]+: [^\r\n\\]*(?:\\[rn]|[\r\n])+)*([A-Za-z0-9+/=]{40,})",
        real: any_value,
    },
    Format {
        id: "aws-access-key",
        triggers: &["AKIA", "ASIA"],
        pattern: r"\b((?:AKIA|ASIA)[A-Z2-7]{16})\b",
        real: token_like_aws,
    },
    Format {
        id: "github-token",
        triggers: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        pattern: r"\b(gh[pousr]_[0-9A-Za-z]{36})\b",
        real: token_like,
    },
    Format {
        id: "github-fine-grained-token",
        triggers: &["github_pat_"],
        pattern: r"\b(github_pat_[0-9A-Za-z_]{82})\b",
        real: token_like,
    },
    Format {
        id: "gitlab-token",
        triggers: &["glpat-"],
        pattern: r"\b(glpat-[0-9A-Za-z_-]{20,300})",
        real: token_like,
    },
    Format {
        id: "slack-token",
        triggers: &["xoxa-", "xoxb-", "xoxp-", "xoxr-"],
        pattern: r"\b(xoxb-[0-9]{10,13}-[0-9]{10,13}[0-9A-Za-z-]*|xoxb-[0-9]{8,14}-[0-9A-Za-z]{18,26}|xoxp(?:-[0-9]{10,13}){3}-[0-9A-Za-z-]{28,34}|xox[ar]-(?:[0-9]-)?[0-9A-Za-z]{8,48})",
        real: token_like,
    },
    Format {
        id: "stripe-live-key",
        triggers: &["sk_live_", "rk_live_"],
        pattern: r"\b([sr]k_live_[0-9A-Za-z]{10,99})\b",
        real: token_like,
    },
    Format {
        id: "google-api-key",
        triggers: &["AIza"],
        pattern: r"\b(AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)",
        real: token_like,
    },
    Format {
        id: "npm-token",
        triggers: &["npm_"],
        pattern: r"\b(npm_[0-9A-Za-z]{36})\b",
        real: token_like,
    },
    Format {
        id: "pypi-token",
        triggers: &["pypi-AgEI"],
        pattern: r"(pypi-AgEIcHlwaS5vcmc[0-9A-Za-z_-]{50,1000})",
        real: any_value,
    },
    Format {
        id: "registry-auth-token",
        triggers: &["_authToken"],
        pattern: r#"(?m)_authToken[ \t]*=[ \t]*["']?([^\s"'#;]+)"#,
        real: auth_token_value,
    },
];

/// An AWS key id that is not AWS's documented example.
fn token_like_aws(v: &[u8]) -> bool {
    !v.ends_with(b"EXAMPLE")
}

/// The secret access key an AWS key id needs beside it: a key naming the
/// secret, then 40 characters of its alphabet.
const AWS_SECRET: &str = r#"(?im)(?:secret_?access_?key|aws_?secret_?key|aws_?secret)["']?[ \t]*(?::|=|:=|=>)[ \t]*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#;

struct Compiled {
    prefilter: Regex,
    /// Trigger literal -> format index, in prefilter alternation order.
    triggers: Vec<(&'static [u8], usize)>,
    precise: Vec<(Regex, &'static Entry)>,
    aws_secret: Regex,
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let mut triggers = Vec::new();
        let mut alternation = Vec::new();
        for (i, f) in FORMATS.iter().enumerate() {
            for t in f.triggers {
                triggers.push((t.as_bytes(), i));
                alternation.push(regex::escape(t));
            }
        }
        let entry = |id: &str| {
            CONTENT_ENTRIES
                .iter()
                .find(|e| e.id == id)
                .expect("every content format has an entry")
        };
        Compiled {
            prefilter: Regex::new(&alternation.join("|")).expect("prefilter compiles"),
            triggers,
            precise: FORMATS
                .iter()
                .map(|f| (Regex::new(f.pattern).expect("format compiles"), entry(f.id)))
                .collect(),
            aws_secret: Regex::new(AWS_SECRET).expect("AWS secret pattern compiles"),
        }
    })
}

/// The credential formats in `head`, the start of a file (only the first
/// [`SCAN_BYTES`] are looked at), in line order, each (entry, line) once.
/// A head with a NUL byte is binary and gives nothing.
pub fn scan_content(head: &[u8]) -> Vec<ContentHit> {
    let head = &head[..head.len().min(SCAN_BYTES)];
    let c = compiled();
    // One pass of the prefilter; almost every file stops here.
    let mut wanted = 0u32;
    for m in c.prefilter.find_iter(head) {
        if let Some(&(_, i)) = c.triggers.iter().find(|(t, _)| *t == m.as_bytes()) {
            wanted |= 1 << i;
        }
    }
    if wanted == 0 || head.contains(&0) {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for (i, f) in FORMATS.iter().enumerate() {
        if wanted & (1 << i) == 0 {
            continue;
        }
        let (re, entry) = &c.precise[i];
        let mut found = Vec::new();
        for caps in re.captures_iter(head) {
            let Some(m) = caps.get(1).or_else(|| caps.get(0)) else {
                continue;
            };
            if (f.real)(m.as_bytes()) {
                found.push(m.start());
            }
        }
        if f.id == "aws-access-key"
            && !found.is_empty()
            && !c
                .aws_secret
                .captures_iter(head)
                .filter_map(|caps| caps.get(1))
                .any(|m| token_like(m.as_bytes()))
        {
            // An access key id alone is an identifier, not a credential.
            continue;
        }
        hits.extend(found.into_iter().map(|at| ContentHit {
            entry,
            line: line_of(head, at),
        }));
    }
    hits.sort_by(|a, b| a.line.cmp(&b.line).then_with(|| a.entry.id.cmp(b.entry.id)));
    hits.dedup();
    hits
}

fn line_of(head: &[u8], at: usize) -> usize {
    head[..at].iter().filter(|&&b| b == b'\n').count() + 1
}
