//! Credentials found by their content, in files of any name.
//!
//! [`scan_content`] looks at the start of one text file (at most
//! [`SCAN_BYTES`]) for a few high-confidence formats, each a catalogue
//! entry of kind `secret` with matcher `Matcher::Content`
//! ([`CONTENT_ENTRIES`]): PEM private keys, AWS access key ids with a
//! secret access key beside them, GitHub, GitLab, Slack, Stripe live, Google API,
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
    is_literal(v) && v.len() >= 16 && token_like(v)
}

/// The formats, gitleaks' and ripsecrets' shapes. A pattern's group 1 is
/// the value when it has one; the line reported is where the match starts.
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
        pattern: r#"(?m)_authToken[ \t]*=[ \t]*["']?([^\s"'#;\\]+)"#,
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
    /// Each format's pattern, compiled the first time its trigger occurs
    /// (most runs meet few or none of them).
    precise: Vec<(OnceLock<Regex>, &'static Entry)>,
    aws_secret: OnceLock<Regex>,
}

/// The pattern in `cell`, compiled on first use.
fn once<'a>(cell: &'a OnceLock<Regex>, pattern: &str) -> &'a Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("a content pattern compiles"))
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
                .map(|f| (OnceLock::new(), entry(f.id)))
                .collect(),
            aws_secret: OnceLock::new(),
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
        let re = once(re, f.pattern);
        let mut found = Vec::new();
        for caps in re.captures_iter(head) {
            let (Some(whole), value) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            if (f.real)(value.unwrap_or(whole).as_bytes()) {
                found.push(whole.start());
            }
        }
        if f.id == "aws-access-key"
            && !found.is_empty()
            && !once(&c.aws_secret, AWS_SECRET)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Marker inside every fake value: it must never appear in output.
    const CANARY: &str = "CTXCANARY";

    /// `n` characters of `alphabet`, deterministic, starting with the
    /// canary when the alphabet allows it.
    fn body(alphabet: &str, n: usize, seed: u64) -> String {
        let a = alphabet.as_bytes();
        let mut x = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut out = String::new();
        if CANARY.bytes().all(|c| a.contains(&c)) {
            out.push_str(CANARY);
        }
        while out.len() < n {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            out.push(char::from(a[((x >> 33) % a.len() as u64) as usize]));
        }
        out.truncate(n);
        out
    }

    const ALNUM: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    const URLSAFE: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
    const B64: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+/";

    fn pem(kind: &str) -> String {
        let lines: Vec<String> = (0..4).map(|i| body(B64, 64, i)).collect();
        format!(
            "-----BEGIN {kind}PRIVATE KEY-----\n{}\n-----END {kind}PRIVATE KEY-----\n",
            lines.join("\n")
        )
    }

    fn aws_id() -> String {
        format!("AKIA{}", body("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, 3))
    }

    fn aws_secret() -> String {
        body(B64, 40, 4)
    }

    /// (text, expected (id, line) hits); every value carries the canary.
    fn positives() -> Vec<(String, Vec<(&'static str, usize)>)> {
        // Split so that this file holds no token-shaped literal itself.
        let slack_bot = format!("xox{}-1234567890-9876543210-{}", "b", body(ALNUM, 24, 7));
        let pypi = format!("pypi-AgEIcHlwaS5vcmc{}", body(URLSAFE, 70, 8));
        vec![
            (pem("RSA "), vec![("private-key-block", 1)]),
            (pem(""), vec![("private-key-block", 1)]),
            (pem("OPENSSH "), vec![("private-key-block", 1)]),
            (
                format!("-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n{}\n", body(B64, 64, 9)),
                vec![("private-key-block", 1)],
            ),
            (
                format!("{{\"type\": \"service_account\",\n \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\\n\"}}", body(B64, 64, 10)),
                vec![("private-key-block", 2)],
            ),
            (
                format!("[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n", aws_id(), aws_secret()),
                vec![("aws-access-key", 2)],
            ),
            (
                format!("AWS_ACCESS_KEY_ID={}\nAWS_SECRET_ACCESS_KEY=\"{}\"\n", aws_id(), aws_secret()),
                vec![("aws-access-key", 1)],
            ),
            (
                format!("{{\"AccessKeyId\": \"{}\", \"SecretAccessKey\": \"{}\"}}", aws_id(), aws_secret()),
                vec![("aws-access-key", 1)],
            ),
            (format!("[github]\ntoken = ghp_{}\n", body(ALNUM, 36, 1)), vec![("github-token", 2)]),
            (format!("oauth: gho_{}", body(ALNUM, 36, 2)), vec![("github-token", 1)]),
            (format!("a\nb\nGH=ghs_{}\n", body(ALNUM, 36, 11)), vec![("github-token", 3)]),
            (format!("x = \"ghu_{}\"", body(ALNUM, 36, 12)), vec![("github-token", 1)]),
            (format!("ghr_{}", body(ALNUM, 36, 13)), vec![("github-token", 1)]),
            (
                format!("token: github_pat_{}\n", body("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_", 82, 14)),
                vec![("github-fine-grained-token", 1)],
            ),
            (format!("GITLAB_TOKEN=glpat-{}\n", body(URLSAFE, 20, 15)), vec![("gitlab-token", 1)]),
            (format!("slack:\n  bot: {slack_bot}\n"), vec![("slack-token", 2)]),
            (
                format!("SLACK=xox{}-1234567890-1234567890-1234567890-{}", "p", body(ALNUM, 32, 16)),
                vec![("slack-token", 1)],
            ),
            (format!("STRIPE_KEY=sk_live_{}\n", body(ALNUM, 24, 17)), vec![("stripe-live-key", 1)]),
            (format!("key = 'rk_live_{}'", body(ALNUM, 99, 18)), vec![("stripe-live-key", 1)]),
            (format!("maps_key: AIza{}\n", body(URLSAFE, 35, 19)), vec![("google-api-key", 1)]),
            (format!("apiKey: \"AIza{}\",", body(URLSAFE, 35, 20)), vec![("google-api-key", 1)]),
            (format!("NPM_TOKEN=npm_{}\n", body(ALNUM, 36, 21)), vec![("npm-token", 1)]),
            (format!("[pypi]\npassword = {pypi}\n"), vec![("pypi-token", 2)]),
            (
                format!("registry=https://r.example/\n//r.example/:_authToken={}\n", body(ALNUM, 30, 22)),
                vec![("registry-auth-token", 2)],
            ),
            (
                format!("# two\nghp_{}\nnpm_{}\n", body(ALNUM, 36, 23), body(ALNUM, 36, 24)),
                vec![("github-token", 2), ("npm-token", 3)],
            ),
        ]
    }

    fn negatives() -> Vec<String> {
        vec![
            String::new(),
            "fn main() { println!(\"hello\"); }\n".repeat(100),
            // Documentation of the header alone, and public material.
            "if line == \"-----BEGIN RSA PRIVATE KEY-----\" { parse() }\n".into(),
            "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2hlY2sgdGhpcyBvdXQgYW5kIHNlZSBpdCBpcyBmaW5l\n".into(),
            "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEc2VlIGl0IGlzIGEgcHVibGljIGtleQ\n".into(),
            // An AWS key id without its secret, and AWS's documented example.
            format!("aws_access_key_id = {}\n", aws_id()),
            "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n".into(),
            // Wrong lengths and placeholders.
            format!("ghp_{}", body(ALNUM, 35, 1)),
            format!("ghp_{}_x", body(ALNUM, 36, 1)),
            "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n".into(),
            "GITHUB_TOKEN=ghp_exampleexampleexampleexampleexample0\n".into(),
            "glpat-short\n".into(),
            format!("sk_test_{}", body(ALNUM, 24, 2)),
            format!("AIza{}", body(URLSAFE, 34, 3)),
            // npm's own variables, not tokens.
            "echo $npm_package_version $npm_config_registry npm_lifecycle_event\n".into(),
            "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n".into(),
            "_authToken=\n".into(),
            "pypi-AgEIcHlwaS5vcmc-too-short\n".into(),
            "xoxb-123\n".into(),
        ]
    }

    fn ids(hits: &[ContentHit]) -> Vec<(&'static str, usize)> {
        hits.iter().map(|h| (h.entry.id, h.line)).collect()
    }

    #[test]
    fn every_pattern_compiles() {
        // They compile on first use; a broken one must fail here, not in a
        // user's run.
        for f in FORMATS {
            Regex::new(f.pattern).unwrap_or_else(|e| panic!("{}: {e}", f.id));
        }
        Regex::new(AWS_SECRET).unwrap();
    }

    #[test]
    fn every_format_is_found_with_its_line() {
        for (text, want) in positives() {
            let hits = scan_content(text.as_bytes());
            assert_eq!(ids(&hits), want, "{}", text.replace(CANARY, "…"));
            for h in &hits {
                assert_eq!(h.entry.kind, super::super::Kind::Secret);
                assert_eq!(super::super::by_id(h.entry.id), Some(h.entry));
            }
        }
        let covered: std::collections::HashSet<_> = positives()
            .iter()
            .flat_map(|(_, w)| w.iter().map(|(id, _)| *id).collect::<Vec<_>>())
            .collect();
        for e in CONTENT_ENTRIES {
            assert!(covered.contains(e.id), "{} has no positive case", e.id);
        }
    }

    #[test]
    fn documentation_and_look_alikes_are_not_found() {
        for text in negatives() {
            assert_eq!(ids(&scan_content(text.as_bytes())), [], "{text}");
        }
    }

    #[test]
    fn the_canary_never_comes_out() {
        for (text, _) in positives() {
            let hits = scan_content(text.as_bytes());
            assert!(!hits.is_empty());
            let printed = [
                format!("{hits:?}"),
                format!("{:#?}", hits),
                hits.iter().map(|h| h.entry.reason).collect::<String>(),
                hits.iter()
                    .flat_map(|h| h.entry.rules(&["f"]).exact)
                    .collect::<String>(),
            ];
            for p in printed {
                assert!(!p.contains(CANARY), "leaked: {p}");
            }
        }
    }

    #[test]
    fn binary_and_late_content_are_skipped() {
        let token = format!("ghp_{}\n", body(ALNUM, 36, 1));
        let mut binary = token.clone().into_bytes();
        binary.push(0);
        assert!(scan_content(&binary).is_empty());
        let mut late = vec![b'\n'; SCAN_BYTES];
        late.extend_from_slice(token.as_bytes());
        assert!(scan_content(&late).is_empty());
        let mut early = token.into_bytes();
        early.extend(std::iter::repeat_n(b'x', SCAN_BYTES));
        assert_eq!(ids(&scan_content(&early)), [("github-token", 1)]);
    }

    #[test]
    fn which_files_are_worth_reading() {
        let cases: &[(&str, u64, bool)] = &[
            ("settings.ini", 300, true),
            ("credentials", 120, true),
            (".env.example", 80, true),
            ("server.crt.bak", 3000, true),
            ("Makefile", 900, true),
            ("app.js", 900_000, true),
            ("app.js", SCAN_MAX_FILE_BYTES + 1, false),
            ("empty.txt", 0, false),
            ("logo.PNG", 2000, false),
            ("font.woff2", 2000, false),
            ("lib.so", 2000, false),
            ("bundle.tar.gz", 2000, false),
            ("package-lock.json", 2000, false),
            ("go.sum", 2000, false),
            ("main.js.map", 2000, false),
            (".gitignore", 20, true),
        ];
        for &(name, size, want) in cases {
            assert_eq!(worth_scanning(name, size), want, "{name} {size}");
        }
    }

    /// Throughput on source text with nothing to find. Run with
    /// `cargo test --release --lib catalog::content::tests::throughput -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn throughput() {
        let mut text = String::new();
        let mut i = 0u64;
        while text.len() < SCAN_BYTES {
            text.push_str(&format!(
                "    let value_{i} = config.get(\"key_{i}\").unwrap_or_default(); // npm run build {}\n",
                body(ALNUM, 12, i)
            ));
            i += 1;
        }
        let head = &text.as_bytes()[..SCAN_BYTES];
        assert!(scan_content(head).is_empty());
        let rounds = 2000;
        let start = std::time::Instant::now();
        for _ in 0..rounds {
            assert!(scan_content(std::hint::black_box(head)).is_empty());
        }
        let secs = start.elapsed().as_secs_f64();
        let mb = (rounds * SCAN_BYTES) as f64 / 1e6;
        println!(
            "scan_content: {:.0} MB/s, {:.1} µs per 64 KiB head",
            mb / secs,
            secs * 1e6 / rounds as f64
        );
        // Real source text: this crate's own files, one head each.
        fn files(dir: &std::path::Path, out: &mut Vec<Vec<u8>>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    files(&p, out);
                } else if let Ok(mut b) = std::fs::read(&p) {
                    b.truncate(SCAN_BYTES);
                    out.push(b);
                }
            }
        }
        let mut heads = Vec::new();
        files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut heads,
        );
        let bytes: usize = heads.iter().map(Vec::len).sum();
        let start = std::time::Instant::now();
        let mut found = 0;
        for _ in 0..20 {
            for h in &heads {
                found += scan_content(std::hint::black_box(h)).len();
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "scan_content on src/ ({} files, {:.1} MB): {:.0} MB/s, {} hits",
            heads.len(),
            bytes as f64 / 1e6,
            20.0 * bytes as f64 / 1e6 / secs,
            found / 20
        );
        let small = b"PORT=8080\nDEBUG=false\n";
        let start = std::time::Instant::now();
        for _ in 0..200_000 {
            assert!(scan_content(std::hint::black_box(small)).is_empty());
        }
        println!(
            "scan_content: {:.2} µs per small file",
            start.elapsed().as_secs_f64() * 1e6 / 200_000.0
        );
    }
}
