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

/// [`emit`] of the concatenation of `parts` (see [`json_list`]); to a file through a
/// temporary file and a rename, by the one implementation in tekigo-assess.
pub fn emit_parts(parts: &[&[u8]], path: Option<&Path>, binary: bool) -> Result<()> {
    match path {
        Some(path) => Ok(tekigo_assess::write_parts_atomically(path, parts)?),
        None => {
            let mut stdout = std::io::stdout().lock();
            if binary && stdout.is_terminal() {
                bail!("refusing to write a binary file to the terminal: use -o FILE");
            }
            for part in parts {
                stdout
                    .write_all(part)
                    .context("writing to standard output")?;
            }
            stdout.flush().context("writing to standard output")
        }
    }
}

pub fn json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// [`json`] of a list, byte for byte, in parts to be written one after the other (with
/// [`emit_parts`]); long lists are written on every core. The JSON of a large vulnerability
/// scan (thousands of findings, megabytes) took as long as the matching. Each share is
/// written as a list of its own; the pretty printer indents a list's items the same
/// whatever list they are in, so each share's list without its brackets, the shares joined
/// by commas, is the list as a whole would have been written.
pub fn json_list<T: serde::Serialize + Sync>(items: &[T]) -> Result<Vec<Vec<u8>>> {
    /// Below this many items per thread, one thread is quicker.
    const MIN_SHARE: usize = 1024;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len() / MIN_SHARE);
    json_in_shares(items, threads)
}

fn json_in_shares<T: serde::Serialize + Sync>(items: &[T], threads: usize) -> Result<Vec<Vec<u8>>> {
    if threads <= 1 || items.len() < 2 {
        return Ok(vec![json(&items)?]);
    }
    let share = items.len().div_ceil(threads);
    let shares: Vec<serde_json::Result<Vec<u8>>> = std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(share)
            .map(|chunk| s.spawn(move || serde_json::to_vec_pretty(chunk)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let last = shares.len() - 1;
    let mut parts = Vec::with_capacity(shares.len());
    for (i, share) in shares.into_iter().enumerate() {
        let mut part = share?;
        // Each share is `[\n` ITEMS `\n]`: the first keeps its opening bracket, the last
        // its closing one, and the ones between are joined by `,\n`.
        if part.len() < 4 {
            bail!("internal: unexpected JSON list shape");
        }
        if i == last {
            part.push(b'\n');
        } else {
            part.truncate(part.len() - 2);
        }
        if i > 0 {
            part[..2].copy_from_slice(b",\n");
        }
        parts.push(part);
    }
    Ok(parts)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_written_in_shares_is_the_list_written_whole() {
        let item = |i: usize| {
            serde_json::json!({
                "id": format!("CVE-2024-{i}"),
                "text": "quote \" backslash \\ newline \n 日本語",
                "empty_list": [],
                "empty_map": {},
                "nested": {"list": [1, {"deep": [i, null, true]}], "n": i as f64 / 3.0},
            })
        };
        for len in [0, 1, 2, 3, 10, 1025] {
            let items: Vec<_> = (0..len).map(item).collect();
            let whole = json(&items).unwrap();
            for threads in [1, 2, 3, 7] {
                assert_eq!(
                    String::from_utf8(json_in_shares(&items, threads).unwrap().concat()).unwrap(),
                    String::from_utf8(whole.clone()).unwrap(),
                    "{len} items in {threads} shares"
                );
            }
        }
    }
}
