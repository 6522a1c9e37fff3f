//! Writing results: to a file atomically (temporary file, then rename) or to standard output.

use anyhow::{bail, Context as _, Result};
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use std::io::{IsTerminal, Write};
use std::path::Path;

/// Writes `bytes` to `path`, or to standard output when there is none. Binary formats are
/// refused on a terminal, where they would only garble the screen.
pub fn emit(bytes: &[u8], path: Option<&Path>, binary: bool) -> Result<()> {
    match path {
        Some(path) => write_atomically(path, bytes),
        None => {
            let mut stdout = std::io::stdout().lock();
            if binary && stdout.is_terminal() {
                bail!("refusing to write a binary file to the terminal: use -o FILE");
            }
            stdout
                .write_all(bytes)
                .context("writing to standard output")?;
            stdout.flush().context("writing to standard output")
        }
    }
}

/// A temporary file, then a rename: the one implementation lives in tekigo-assess.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    Ok(tekigo_assess::write_atomically(path, bytes)?)
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
