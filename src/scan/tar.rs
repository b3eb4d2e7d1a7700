//! The size of the tar stream the classic builder sends (what it prints as
//! `Sending build context to Docker daemon  X`).
//!
//! Go's `archive/tar` writes a 512-byte header per entry, the data padded to
//! 512 bytes, and a PAX extended header (itself 512 bytes plus its records
//! padded to 512) when a name or link target cannot be stored in USTAR form
//! (longer than the 100/155 split allows, or not ASCII). Two zero blocks end
//! the stream. Directories are stored as `name/`. Hard links after the first
//! are header-only.

const BLOCK: u64 = 512;

/// Bytes one entry adds to the stream.
pub fn entry_bytes(name: &[u8], is_dir: bool, size: u64, link_target: Option<&[u8]>) -> u64 {
    // Only a directory's name changes (`name/`): copy nothing otherwise.
    let name: std::borrow::Cow<'_, [u8]> = if is_dir {
        let mut n = name.to_vec();
        n.push(b'/');
        n.into()
    } else {
        name.into()
    };
    let mut records = 0u64;
    if !fits_ustar_name(&name) {
        records += pax_record_len("path", name.len());
    }
    if let Some(t) = link_target {
        if t.len() > 100 || !t.is_ascii() {
            records += pax_record_len("linkpath", t.len());
        }
    }
    if size > 0o77777777777 {
        records += pax_record_len("size", size.to_string().len());
    }
    let pax = if records > 0 { BLOCK + pad(records) } else { 0 };
    pax + BLOCK + pad(size)
}

/// The two zero blocks that end the stream.
pub const TRAILER: u64 = 2 * BLOCK;

fn pad(n: u64) -> u64 {
    n.div_ceil(BLOCK) * BLOCK
}

// Go's splitUSTARPath: the name fits in 100 bytes, or splits at a `/` into
// a prefix of at most 155 and a non-empty name of at most 100; ASCII only.
fn fits_ustar_name(name: &[u8]) -> bool {
    if !name.is_ascii() {
        return false;
    }
    if name.len() <= 100 {
        return true;
    }
    let len = name.len();
    if len > 155 + 1 + 100 {
        return false;
    }
    let mut i = len.min(155 + 1) - 1;
    // Find the last '/' within the prefix limit.
    loop {
        if name[i] == b'/' {
            let nlen = len - i - 1;
            return i > 0 && nlen > 0 && nlen <= 100 && i <= 155;
        }
        if i == 0 {
            return false;
        }
        i -= 1;
    }
}

// A PAX record is "LEN KEY=VALUE\n" where LEN counts itself.
fn pax_record_len(key: &str, value_len: usize) -> u64 {
    let base = key.len() + value_len + 3; // ' ', '=', '\n'
    let mut total = base + 1;
    loop {
        let digits = total.to_string().len();
        if base + digits == total {
            return total as u64;
        }
        total = base + digits;
    }
}

/// The figure the classic builder prints: Go's `units.HumanSizeWithPrecision`
/// with 4 significant digits and decimal units (`3.072kB`, `341MB`).
pub fn docker_human_size(bytes: u64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut size = bytes as f64;
    let mut i = 0;
    while size >= 1000.0 && i < units.len() - 1 {
        size /= 1000.0;
        i += 1;
    }
    format!("{}{}", go_g4(size), units[i])
}

// Go's %.4g for values in [0, 1000): 4 significant digits, trailing zeros
// removed.
fn go_g4(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let exp = v.abs().log10().floor() as i32;
    let decimals = (3 - exp).max(0) as usize;
    let mut s = format!("{v:.decimals$}");
    // Rounding may carry into a new digit (999.95 -> "1000.0" style).
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_size_like_docker() {
        assert_eq!(docker_human_size(3072), "3.072kB");
        assert_eq!(docker_human_size(512), "512B");
        assert_eq!(docker_human_size(2048), "2.048kB");
        assert_eq!(docker_human_size(1_000_000), "1MB");
        assert_eq!(docker_human_size(1_234_567), "1.235MB");
        assert_eq!(docker_human_size(341_000_000), "341MB");
        assert_eq!(docker_human_size(0), "0B");
    }

    #[test]
    fn entry_sizes() {
        assert_eq!(entry_bytes(b"a", false, 0, None), 512);
        assert_eq!(entry_bytes(b"a", false, 1, None), 1024);
        assert_eq!(entry_bytes(b"a", false, 512, None), 1024);
        assert_eq!(entry_bytes(b"d", true, 0, None), 512);
        let long = vec![b'x'; 120];
        assert_eq!(entry_bytes(&long, false, 0, None), 1536);
        let mut split = vec![b'p'; 50];
        split.push(b'/');
        split.extend(vec![b'n'; 90]);
        assert_eq!(entry_bytes(&split, false, 0, None), 512);
        assert_eq!(entry_bytes("é".as_bytes(), false, 0, None), 1536);
        assert_eq!(pax_record_len("path", 1), 9);
    }
}
