//! Writing results: to a file atomically (temporary file, then rename) or to standard output.

use crate::i18n::UserError;
use anyhow::{Context as _, Result};
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
///
/// An error is told as a failure to write the output only when it is one (a write failed,
/// or the file could not be made or renamed into place); an error of what makes the output
/// (a damaged database met halfway through a scan) is passed on as it is.
pub fn emit_with<T>(
    path: Option<&Path>,
    binary: bool,
    write: impl FnOnce(&mut dyn Write) -> Result<T>,
) -> Result<T> {
    match path {
        Some(path) => {
            let mut of_output = true;
            tekigo_assess::write_atomically_with(path, |w| {
                let mut w = Watched::new(w);
                let result = write(&mut w);
                of_output = result.is_ok() || w.failed;
                result
            })
            .map_err(|e| {
                told(e, of_output, || {
                    UserError::new(
                        "error.writing_file",
                        &[("path", path.display().to_string())],
                    )
                })
            })
        }
        None => {
            let stdout = std::io::stdout();
            if binary && stdout.is_terminal() {
                return Err(UserError::new("error.binary_to_terminal", &[]).into());
            }
            let stdout_failed = || UserError::new("error.writing_stdout", &[]);
            let mut out = std::io::BufWriter::new(stdout.lock());
            let mut w = Watched::new(&mut out);
            let result = write(&mut w);
            let failed = w.failed;
            let result = result.map_err(|e| told(e, failed, stdout_failed))?;
            out.flush().with_context(stdout_failed)?;
            Ok(result)
        }
    }
}

/// `e`, told as a failure to write the output (`what`) when `of_output` says it is one.
fn told(e: anyhow::Error, of_output: bool, what: impl FnOnce() -> UserError) -> anyhow::Error {
    if of_output {
        e.context(what())
    } else {
        e
    }
}

/// A writer that remembers whether a write to it failed (see [`emit_with`]).
struct Watched<'a> {
    inner: &'a mut dyn Write,
    failed: bool,
}

impl<'a> Watched<'a> {
    fn new(inner: &'a mut dyn Write) -> Watched<'a> {
        Watched {
            inner,
            failed: false,
        }
    }

    fn watch<R>(&mut self, result: std::io::Result<R>) -> std::io::Result<R> {
        self.failed |= result.is_err();
        result
    }
}

impl Write for Watched<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let result = self.inner.write(buf);
        self.watch(result)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        let result = self.inner.write_all(buf);
        self.watch(result)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let result = self.inner.flush();
        self.watch(result)
    }
}

pub fn json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A spinner on standard error for work that takes seconds, drawn only when standard error
/// is a terminal (a CI log or a pipe gets nothing). Cleared when dropped, so that an error
/// leaves no half-drawn line above its message.
pub struct Spinner(Option<indicatif::ProgressBar>);

impl Spinner {
    pub fn start(message: &str) -> Spinner {
        if !std::io::stderr().is_terminal() {
            return Spinner(None);
        }
        let s = indicatif::ProgressBar::new_spinner();
        s.set_message(message.to_string());
        s.enable_steady_tick(std::time::Duration::from_millis(120));
        Spinner(Some(s))
    }

    /// A spinner that counts, drawn by an indicatif `template` (`{pos}`, `{msg}`...).
    #[cfg(feature = "full")]
    pub fn counting(template: &str) -> Spinner {
        let s = Spinner::start("");
        if let (Some(bar), Ok(style)) = (&s.0, indicatif::ProgressStyle::with_template(template)) {
            bar.set_style(style);
        }
        s
    }

    /// The bar, for work that reports its own progress.
    pub fn bar(&self) -> Option<&indicatif::ProgressBar> {
        self.0.as_ref()
    }

    pub fn say(&self, message: String) {
        if let Some(s) = &self.0 {
            s.set_message(message);
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(s) = &self.0 {
            s.finish_and_clear();
        }
    }
}

/// A table laid out for where it goes: to a terminal, as wide as the terminal; to a file or
/// a pipe (`to_terminal` false), 160 columns. A terminal that reports no usable width (a
/// pseudo-terminal without a size, as `script` and some CI runners give) counts as none:
/// laid out to its width of 0, every cell was one character wide.
pub fn table_to(header: &[&str], to_terminal: bool) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    if !to_terminal || t.width().is_none_or(|w| w < 40) {
        t.set_width(160);
    }
    t
}

/// [`table_to`] standard output.
pub fn table(header: &[&str]) -> Table {
    table_to(header, stdout_is_terminal())
}

/// Whether standard output is a terminal.
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer whose every write fails, as a full disk does.
    struct Full;

    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("no space left"))
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn only_a_failure_of_the_output_is_told_as_one() {
        let dir = tempfile::tempdir().unwrap();
        let written = |e: &anyhow::Error| e.downcast_ref::<UserError>().map(|u| u.key);

        // An error of what makes the output comes through as it is; nothing is written.
        let path = dir.path().join("out.json");
        let e = emit_with(Some(&path), false, |w| -> Result<()> {
            w.write_all(b"[")?;
            anyhow::bail!("the database is damaged")
        })
        .unwrap_err();
        assert_eq!(
            (written(&e), e.to_string()),
            (None, "the database is damaged".into())
        );
        assert!(!path.exists());

        // A file that cannot be made is a failure to write it, naming it.
        let path = dir.path().join("no/such/dir/out.json");
        let e = emit_with(Some(&path), false, |w| Ok(w.write_all(b"[]")?)).unwrap_err();
        assert_eq!(written(&e), Some("error.writing_file"));
        assert!(e.to_string().contains("no/such/dir/out.json"), "{e}");

        // A failed write is seen whatever the caller does with its error.
        let mut full = Full;
        let mut w = Watched::new(&mut full);
        assert!(w.write_all(b"x").is_err() && w.failed);
        let mut sink = Vec::new();
        let mut w = Watched::new(&mut sink);
        w.write_all(b"x").unwrap();
        assert!(!w.failed);
    }
}
