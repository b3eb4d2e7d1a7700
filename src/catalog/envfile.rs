//! Env-file templates: `.env.example`, `.env.dev.example`,
//! `.env.e2e.template`, `app.env.sample`, `.env.dist` ... are documentation
//! of the variables a project reads, not secrets. No secret entry matches
//! them by name; a template that holds a live credential is still found by
//! [`scan_content`](super::scan_content).

/// Words that mark an env file as a template or documentation.
const MARKERS: &[&str] = &[
    "example",
    "examples",
    "sample",
    "samples",
    "template",
    "templates",
    "tpl",
    "tmpl",
    "dist",
    "default",
    "defaults",
    "schema",
    "skel",
    "skeleton",
    "stub",
    "placeholder",
    "reference",
];

/// Whether a file name is an env-file template: it has an `env` part and,
/// after it, a marker word (`example`, `sample`, `template`, `tpl`, `dist`,
/// `defaults`, ...), each a whole part between `.`, `-` or `_`,
/// case-insensitive. `.env.local.example`, `.env.example.complete` and
/// `prod.env.sample` are templates; `.env`, `.env.local`, `.env.production`
/// and `.env.distribution` are not.
pub fn is_env_template(name: &str) -> bool {
    let mut parts = name.split(['.', '-', '_']);
    if !parts.by_ref().any(|p| p.eq_ignore_ascii_case("env")) {
        return false;
    }
    parts.any(|p| MARKERS.iter().any(|m| p.eq_ignore_ascii_case(m)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_and_real_env_files() {
        let cases: &[(&str, bool)] = &[
            (".env.example", true),
            (".env.dev.example", true),
            (".env.local.example", true),
            (".env.e2e.template", true),
            (".env.example.complete", true),
            ("app.env.sample", true),
            ("prod.env.example", true),
            (".env.dist", true),
            (".env.sample", true),
            (".env.tpl", true),
            (".env.defaults", true),
            (".env.EXAMPLE", true),
            (".env-example", true),
            (".env_sample", true),
            (".env", false),
            (".env.local", false),
            (".env.production", false),
            (".env.distribution", false),
            (".env.examples-of-nothing", true),
            ("example.env", false),
            ("environment.example", false),
            ("README.md", false),
        ];
        for &(name, want) in cases {
            assert_eq!(is_env_template(name), want, "{name}");
        }
    }
}
