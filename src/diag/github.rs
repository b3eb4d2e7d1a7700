//! Diagnostics as GitHub Actions workflow commands
//! (`::warning file=F,line=L,title=T::message`), which the Actions runner
//! turns into annotations on the file and line.

use std::io::{self, Write};

use super::Diagnostic;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_prop(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Writes one workflow command per diagnostic. Information-only
/// diagnostics become `::notice`.
pub fn render(diags: &[Diagnostic], out: &mut dyn Write) -> io::Result<()> {
    for d in diags {
        let level = match d.level() {
            "info" => "notice",
            l => l,
        };
        let mut props = vec![format!(
            "title={}",
            escape_prop(&format!("ctxsize {}", d.check.id))
        )];
        if let Some(f) = &d.file {
            props.push(format!("file={}", escape_prop(f)));
            if let Some(l) = d.line.filter(|&l| l > 0) {
                props.push(format!("line={l}"));
            }
        }
        let mut msg = format!("{}: {}", d.subject, d.message_with_examples());
        if let Some(f) = &d.fix {
            msg.push_str(&format!(" [{}]", f.instruction()));
        }
        writeln!(out, "::{level} {}::{}", props.join(","), escape_data(&msg))?;
    }
    Ok(())
}
