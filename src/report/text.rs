//! Text rendering of a [`Report`]: a summary, a `dust`-style tree of the
//! heaviest paths with proportional bars, findings, and the rules to add.
//! Renders into any writer; colour and width are decided by the caller.

use std::io::{self, Write};

use console::Style;
use unicode_width::UnicodeWidthStr;

use super::{HeavyNode, Report};

/// How text is drawn.
#[derive(Clone, Copy, Debug)]
pub struct TextStyle {
    /// ANSI colours.
    pub color: bool,
    /// Terminal width in columns.
    pub width: usize,
    /// Exact byte counts instead of human sizes.
    pub exact: bool,
}

impl Default for TextStyle {
    fn default() -> Self {
        TextStyle {
            color: false,
            width: 80,
            exact: false,
        }
    }
}

impl TextStyle {
    /// A size for people: `340.2 MB`, or exact bytes with `--bytes`.
    pub fn size(&self, n: u64) -> String {
        if self.exact {
            format!("{} B", group(n))
        } else {
            human(n)
        }
    }

    fn paint(&self, style: &Style, s: &str) -> String {
        if self.color {
            style.apply_to(s).force_styling(true).to_string()
        } else {
            s.to_string()
        }
    }
}

/// A decimal size with one decimal: `1.2 MB`, `512 B`.
pub fn human(n: u64) -> String {
    bytesize::ByteSize::b(n).display().si().to_string()
}

/// `12345` as `12,345`.
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

// A blank line and a bold section title.
fn section(out: &mut dyn Write, st: &TextStyle, title: &str) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{}", st.paint(&Style::new().bold(), title))
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", group(n), if n == 1 { one } else { many })
}

/// Writes the whole report.
pub fn render(r: &Report, st: &TextStyle, out: &mut dyn Write) -> io::Result<()> {
    let bold = Style::new().bold();
    let dim = Style::new().dim();
    let red = Style::new().red().bold();
    let yellow = Style::new().yellow();
    let green = Style::new().green();

    let ignore = match &r.ignore_file {
        Some(i) => format!("ignore file {} ({})", i.path, i.origin),
        None => "no ignore file".to_string(),
    };
    writeln!(
        out,
        "{} {}  {}",
        st.paint(&bold, "Build context"),
        r.root,
        st.paint(
            &dim,
            &format!("({}, {}; {ignore})", r.builder, r.builder_reason)
        )
    )?;
    // Say so when another builder would read another file.
    let mine = r
        .ignore_file_by_builder
        .iter()
        .find(|b| b.builder == r.builder)
        .and_then(|b| b.path.clone());
    let others: Vec<String> = r
        .ignore_file_by_builder
        .iter()
        .filter(|b| b.builder != r.builder && b.path != mine)
        .map(|b| {
            format!(
                "{} reads {}",
                b.builder,
                b.path.as_deref().unwrap_or("no ignore file")
            )
        })
        .collect();
    if !others.is_empty() {
        writeln!(
            out,
            "  {}",
            st.paint(&dim, &format!("({})", others.join("; ")))
        )?;
    }
    writeln!(
        out,
        "  sent      {:>14}  {:>10}   classic tar stream {} (\"Sending build context to Docker daemon  {}\")",
        plural(r.context.files, "file", "files"),
        st.size(r.context.bytes),
        st.size(r.context.tar_bytes),
        r.context.sending,
    )?;
    let kept_note = if r.excluded.measured {
        ""
    } else {
        " (excluded directories not measured: --prune)"
    };
    if r.ignore_file.is_some() {
        writeln!(
            out,
            "  kept out  {:>14}  {:>10}   by the ignore file{kept_note}",
            plural(r.excluded.files, "file", "files"),
            st.size(r.excluded.bytes),
        )?;
    }
    if r.hardlinks.files > 0 {
        writeln!(
            out,
            "  {} hard-linked paths share data with another path; their {} are counted once",
            group(r.hardlinks.files),
            st.size(r.hardlinks.bytes)
        )?;
    }

    if !r.heaviest.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", st.paint(&bold, "Heaviest in the context"))?;
        let size_w = max_size_width(&r.heaviest, st);
        let name_w = max_name_width(&r.heaviest, 0).min(st.width / 2);
        // size, space, percent (4), space, bar, space, tree + name
        let bar_w = st
            .width
            .saturating_sub(size_w + 1 + 4 + 1 + 1 + name_w + 2)
            .clamp(10, 50);
        let total = r.context.bytes.max(1);
        draw(&r.heaviest, "", st, out, size_w, bar_w, total, 0)?;
    }

    for d in &r.dockerfiles {
        writeln!(out)?;
        let what = if d.whole_context {
            format!(
                "BuildKit sends the whole context for {} (a `COPY .` or similar)",
                d.path
            )
        } else {
            format!(
                "BuildKit sends {} of the {} context for {}",
                st.size(d.transfer_bytes),
                st.size(r.context.bytes),
                d.path
            )
        };
        writeln!(out, "{}", st.paint(&bold, &what))?;
        for i in &d.instructions {
            let first = i.instruction.lines().next().unwrap_or("");
            let mut line = format!(
                "  {}:{}  `{}` copies {}",
                d.path,
                i.line,
                first,
                st.size(i.bytes)
            );
            if let Some((p, b)) = &i.largest {
                if *b > 0 && i.bytes > 0 && *b * 2 >= i.bytes {
                    line.push_str(&format!(": {} of it is {p}", st.size(*b)));
                }
            }
            writeln!(out, "{line}")?;
        }
    }
    if !r.copy_problems.is_empty() {
        writeln!(out)?;
        for p in &r.copy_problems {
            writeln!(out, "{} {p}", st.paint(&red, "build will fail:"))?;
        }
    }

    if !r.findings.is_empty() {
        section(out, st, &format!("Findings ({})", r.findings.len()))?;
        let kind_w = r.findings.iter().map(|f| f.kind.len()).max().unwrap_or(4);
        for f in &r.findings {
            let style = if f.is_secret() { &red } else { &yellow };
            let shown = summarize_paths(&f.paths);
            writeln!(
                out,
                "  {}  {}",
                st.paint(style, &format!("{:<kind_w$}", f.kind)),
                shown,
            )?;
            writeln!(
                out,
                "  {:kind_w$}  {}; {} in the context: {}",
                "",
                st.paint(&dim, f.reason.trim_end_matches('.')),
                plural(f.files, "file", "files"),
                st.size(f.bytes),
            )?;
            match &f.needed {
                Some(why) => writeln!(out, "  {:kind_w$}  not suggesting `{}`: {why}", "", f.rule)?,
                None => writeln!(
                    out,
                    "  {:kind_w$}  add `{}` (saves {})",
                    "",
                    st.paint(&green, &f.rule),
                    st.size(f.saves_bytes)
                )?,
            }
        }
        let rules: Vec<&str> = {
            let mut v: Vec<&str> = Vec::new();
            for f in r.findings.iter().filter(|f| f.needed.is_none()) {
                if !v.contains(&f.rule.as_str()) {
                    v.push(&f.rule);
                }
            }
            v
        };
        if !rules.is_empty() {
            section(
                out,
                st,
                "Add these lines to the ignore file (or run `ctxsize init`):",
            )?;
            for rule in rules {
                writeln!(out, "  {rule}")?;
            }
        }
    } else {
        writeln!(out)?;
        writeln!(
            out,
            "No heavy or secret paths from the catalogue are in the context."
        )?;
    }

    if !r.contexts.is_empty() {
        section(
            out,
            st,
            &format!("Build contexts in this repository ({})", r.contexts.len()),
        )?;
        for c in &r.contexts {
            let this = if c.this_report { " (this report)" } else { "" };
            writeln!(out, "  {}{this}", st.paint(&bold, &c.context))?;
            for d in &c.dockerfiles {
                let target = d
                    .target
                    .as_ref()
                    .map(|t| format!(" --target {t}"))
                    .unwrap_or_default();
                let missing = if d.exists { "" } else { " (missing)" };
                writeln!(
                    out,
                    "    {}{target}{missing}  {}",
                    d.path,
                    st.paint(&dim, &format!("[{}]", d.origin))
                )?;
            }
            if let Some(e) = &c.error {
                writeln!(out, "    {}", st.paint(&red, e))?;
                continue;
            }
            let ignore = match &c.ignore_file {
                Some(i) => format!("{} ({})", i.path, i.origin),
                None => "none: everything is sent".into(),
            };
            writeln!(out, "    ignore file: {ignore}")?;
            writeln!(
                out,
                "    sends {} in {}",
                st.size(c.bytes),
                plural(c.files, "file", "files")
            )?;
            for t in &c.transfers {
                let target = t
                    .target
                    .as_ref()
                    .map(|t| format!(" --target {t}"))
                    .unwrap_or_default();
                let how_much = if t.whole_context {
                    "all of it (a `.` source)".to_string()
                } else {
                    st.size(t.transfer_bytes)
                };
                writeln!(out, "    BuildKit sends {how_much} for {}{target}", t.path)?;
            }
            // Paths the build copies are not advice material here.
            for f in c.findings.iter().filter(|f| f.needed.is_none()) {
                let style = if f.is_secret() { &red } else { &yellow };
                let advice = match &f.needed {
                    Some(_) => String::new(),
                    None => format!(": add `{}`", f.rule),
                };
                writeln!(
                    out,
                    "    {} {} ({}){advice}",
                    st.paint(style, &f.kind),
                    summarize_paths(&f.paths),
                    st.size(f.bytes)
                )?;
            }
            for p in &c.copy_problems {
                writeln!(out, "    {} {p}", st.paint(&red, "build will fail:"))?;
            }
        }
        for n in &r.discovery_notes {
            writeln!(out, "  {}", st.paint(&dim, &format!("note: {n}")))?;
        }
    }

    if !r.lint.is_empty() {
        section(
            out,
            st,
            &format!(
                "Ignore-file lines that do not do what they seem to ({})",
                r.lint.len()
            ),
        )?;
        for f in &r.lint {
            writeln!(
                out,
                "  {}:{}: {}",
                f.file,
                f.line,
                st.paint(&yellow, f.pattern.as_deref().unwrap_or_default().trim())
            )?;
            writeln!(out, "    {}", f.message)?;
            if !f.examples.is_empty() && !f.examples_in_message() {
                writeln!(out, "    e.g. {}", f.examples.join(", "))?;
            }
            if let Some(fix) = &f.fix {
                writeln!(
                    out,
                    "    change the line to `{}` (`ctxsize lint --fix`)",
                    st.paint(&green, fix)
                )?;
            }
        }
    }

    if !r.special_files.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Special files in the context (not read): {}",
            r.special_files.join(", ")
        )?;
    }
    if !r.errors.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            st.paint(&red, &format!("Could not read {} paths:", r.errors.len()))
        )?;
        for e in &r.errors {
            writeln!(out, "  {}: {}", e.path, e.error)?;
        }
    }
    Ok(())
}

fn summarize_paths(paths: &[String]) -> String {
    const SHOW: usize = 4;
    let mut s = paths
        .iter()
        .take(SHOW)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if paths.len() > SHOW {
        s.push_str(&format!(" and {} more", paths.len() - SHOW));
    }
    s
}

fn max_size_width(nodes: &[HeavyNode], st: &TextStyle) -> usize {
    nodes
        .iter()
        .map(|n| st.size(n.bytes).len().max(max_size_width(&n.children, st)))
        .max()
        .unwrap_or(0)
}

fn max_name_width(nodes: &[HeavyNode], indent: usize) -> usize {
    nodes
        .iter()
        .map(|n| {
            (indent + 3 + n.path.rsplit('/').next().unwrap_or("").width() + 1)
                .max(max_name_width(&n.children, indent + 3))
        })
        .max()
        .unwrap_or(0)
}

const SHADES: [char; 4] = ['█', '▓', '▒', '░'];

#[allow(clippy::too_many_arguments)]
fn draw(
    nodes: &[HeavyNode],
    prefix: &str,
    st: &TextStyle,
    out: &mut dyn Write,
    size_w: usize,
    bar_w: usize,
    total: u64,
    depth: usize,
) -> io::Result<()> {
    let dim = Style::new().dim();
    let red = Style::new().red();
    for (i, n) in nodes.iter().enumerate() {
        let last = i + 1 == nodes.len();
        let glyph = if last { "└─ " } else { "├─ " };
        let name = n.path.rsplit('/').next().unwrap_or(&n.path);
        let name = if n.kind == "dir" {
            format!("{name}/")
        } else {
            name.to_string()
        };
        let size = st.size(n.bytes);
        let line = if n.excluded {
            let label = format!(
                "{:>size_w$}  excl {:bar_w$} {prefix}{glyph}{name}",
                size, "[kept out]"
            );
            st.paint(&dim, &label)
        } else {
            let frac = n.bytes as f64 / total as f64;
            let filled = ((frac * bar_w as f64).round() as usize).min(bar_w);
            let shade = SHADES[depth.min(3)];
            let bar: String = std::iter::repeat_n(shade, filled)
                .chain(std::iter::repeat_n(' ', bar_w - filled))
                .collect();
            let pct = format!("{:>3.0}%", frac * 100.0);
            let bar = if depth == 0 && i == 0 {
                st.paint(&red, &bar)
            } else {
                bar
            };
            format!("{size:>size_w$} {pct} {bar} {prefix}{glyph}{name}")
        };
        writeln!(out, "{line}")?;
        let child_prefix = format!("{prefix}{}", if last { "   " } else { "│  " });
        draw(
            &n.children,
            &child_prefix,
            st,
            out,
            size_w,
            bar_w,
            total,
            depth + 1,
        )?;
    }
    Ok(())
}
