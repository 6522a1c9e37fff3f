//! Writing results: to a file atomically (temporary file, then rename) or to standard output.

use anyhow::{bail, Context as _, Result};
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use std::io::{IsTerminal, Write};
use std::path::Path;

/// Writes `bytes` to `path`, or to standard output when there is none. Binary formats are
/// refused on a terminal, where they would only garble the screen.
pub fn emit(bytes: &[u8], path: Option<&Path>, binary: bool) -> Result<()> {
    emit_parts(&[bytes], path, binary)
}

/// [`emit`] of the concatenation of `parts`, for output made in pieces; to a file through a
/// temporary file and a rename, by the one implementation in tekigo-assess.
pub fn emit_parts(parts: &[&[u8]], path: Option<&Path>, binary: bool) -> Result<()> {
    emit_with(path, binary, |w| {
        for part in parts {
            w.write_all(part)?;
        }
        Ok(())
    })
}

/// [`emit`] of what `write` writes, as it writes it (output too large to hold). To a file,
/// the file is replaced only when `write` succeeds; on standard output, what was written
/// before a failure stays written.
pub fn emit_with<T>(
    path: Option<&Path>,
    binary: bool,
    write: impl FnOnce(&mut dyn Write) -> Result<T>,
) -> Result<T> {
    match path {
        Some(path) => tekigo_assess::write_atomically_with(path, write)
            .with_context(|| format!("writing {}", path.display())),
        None => {
            let stdout = std::io::stdout();
            if binary && stdout.is_terminal() {
                bail!("refusing to write a binary file to the terminal: use -o FILE");
            }
            let mut out = std::io::BufWriter::new(stdout.lock());
            let result = write(&mut out).context("writing to standard output")?;
            out.flush().context("writing to standard output")?;
            Ok(result)
        }
    }
}

pub fn json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    Ok(bytes)
}

pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    if !std::io::stdout().is_terminal() {
        t.set_width(160);
    }
    t
}
