//! A kernel configuration: `.config`, `/boot/config-*` or `/proc/config.gz`.
//!
//! Kconfig writes a generated configuration (it starts with `Automatically generated file;
//! DO NOT EDIT.`) with every visible symbol, either `CONFIG_X=value` or `# CONFIG_X is not
//! set`; a symbol missing from such a file is invisible under the other choices, and so off.
//! A defconfig (`make savedefconfig`) lists only what differs from the defaults, so there a
//! missing symbol tells nothing: [`Config::setting`] says `Absent`, and callers decide
//! `Unknown` unless the file is generated.

use crate::{Error, Line};
use std::collections::HashMap;
use std::io::Read;

/// The largest configuration read (a generated x86 `.config` is about 300 KB).
const MAX_SIZE: u64 = 16 << 20;

/// What a configuration says about one symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting {
    /// `CONFIG_X=y` or `CONFIG_X=m`: the code is built (in, or as a module).
    Built { module: bool, line: Line },
    /// `# CONFIG_X is not set`, or `CONFIG_X=n`.
    Off(Line),
    /// A value that is not a tristate (a string or a number).
    Value(String, Line),
    /// Not in the file.
    Absent,
}

/// A parsed kernel configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file name as given, for evidence.
    pub origin: String,
    /// Written by Kconfig with every visible symbol (see the module docs).
    pub generated: bool,
    symbols: HashMap<String, (Option<String>, Line)>,
}

impl Config {
    /// Reads a configuration file; gzip (`/proc/config.gz`) is recognised by its magic.
    pub fn read(path: &std::path::Path) -> Result<Config, Error> {
        let origin = path.display().to_string();
        let io = |e: std::io::Error| Error::new(&origin, 0, e.to_string());
        let file = std::fs::File::open(path).map_err(io)?;
        let mut raw = Vec::new();
        file.take(MAX_SIZE + 1).read_to_end(&mut raw).map_err(io)?;
        if raw.len() as u64 > MAX_SIZE {
            return Err(Error::new(&origin, 0, "larger than 16 MiB".into()));
        }
        if raw.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(raw.as_slice())
                .take(MAX_SIZE + 1)
                .read_to_end(&mut out)
                .map_err(|e| Error::new(&origin, 0, format!("damaged gzip data: {e}")))?;
            if out.len() as u64 > MAX_SIZE {
                return Err(Error::new(
                    &origin,
                    0,
                    "inflates to more than 16 MiB".into(),
                ));
            }
            raw = out;
        }
        Config::parse(&origin, &raw)
    }

    /// Parses configuration text; `origin` names the file in errors and evidence. A line
    /// that is neither blank, a comment nor `CONFIG_X=value` is an error with its number.
    pub fn parse(origin: &str, bytes: &[u8]) -> Result<Config, Error> {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| Error::new(origin, 0, format!("not UTF-8 text: {e}")))?;
        let mut symbols = HashMap::new();
        let mut generated = false;
        for (n, raw) in text.lines().enumerate() {
            let number = n + 1;
            let line = raw.trim();
            let at = || Line {
                file: origin.to_string(),
                number,
                text: line.to_string(),
            };
            if line.is_empty() {
                continue;
            }
            if let Some(comment) = line.strip_prefix('#') {
                let comment = comment.trim();
                if number <= 5 && comment.starts_with("Automatically generated file") {
                    generated = true;
                }
                if let Some(sym) = comment
                    .strip_suffix("is not set")
                    .and_then(|s| s.trim().strip_prefix("CONFIG_"))
                {
                    let sym = sym.trim();
                    if valid_symbol(sym) {
                        symbols.insert(sym.to_string(), (None, at()));
                    }
                }
                continue;
            }
            let Some((name, value)) = line.split_once('=') else {
                return Err(Error::new(
                    origin,
                    number,
                    format!("not CONFIG_X=value: {line:?}"),
                ));
            };
            let Some(sym) = name
                .trim()
                .strip_prefix("CONFIG_")
                .filter(|s| valid_symbol(s))
            else {
                return Err(Error::new(
                    origin,
                    number,
                    format!("{:?} is not a CONFIG_ symbol", name.trim()),
                ));
            };
            let value = value.trim();
            let value = (value != "n").then(|| value.to_string());
            symbols.insert(sym.to_string(), (value, at()));
        }
        Ok(Config {
            origin: origin.to_string(),
            generated,
            symbols,
        })
    }

    /// What the configuration says about `CONFIG_<symbol>` (give the name without
    /// `CONFIG_`).
    pub fn setting(&self, symbol: &str) -> Setting {
        match self.symbols.get(symbol) {
            None => Setting::Absent,
            Some((None, line)) => Setting::Off(line.clone()),
            Some((Some(v), line)) if v == "y" || v == "m" => Setting::Built {
                module: v == "m",
                line: line.clone(),
            },
            Some((Some(v), line)) => Setting::Value(v.clone(), line.clone()),
        }
    }

    /// The value Make sees for `$(CONFIG_<symbol>)`: `y`, `m`, the value, or empty.
    pub fn make_value(&self, symbol: &str) -> String {
        match self.symbols.get(symbol) {
            Some((Some(v), _)) => v.trim_matches('"').to_string(),
            _ => String::new(),
        }
    }

    /// The kernel's source architecture directory (`arch/<this>`), from the symbol every
    /// architecture sets, with the line that says so.
    pub fn arch(&self) -> Option<(&'static str, Line)> {
        const ARCHES: [(&str, &str); 10] = [
            ("X86", "x86"),
            ("ARM64", "arm64"),
            ("ARM", "arm"),
            ("RISCV", "riscv"),
            ("PPC", "powerpc"),
            ("MIPS", "mips"),
            ("S390", "s390"),
            ("LOONGARCH", "loongarch"),
            ("SUPERH", "sh"),
            ("SPARC", "sparc"),
        ];
        ARCHES
            .iter()
            .find_map(|(sym, dir)| match self.setting(sym) {
                Setting::Built { line, .. } => Some((*dir, line)),
                _ => None,
            })
    }
}

fn valid_symbol(s: &str) -> bool {
    !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_with_their_lines() {
        let text = "#\n# Automatically generated file; DO NOT EDIT.\n#\nCONFIG_NET=y\n\
                    CONFIG_EXT4_FS=m\n# CONFIG_NTFS3_FS is not set\nCONFIG_HZ=250\n\
                    CONFIG_LOCALVERSION=\"-cip\"\nCONFIG_FOO=n\n";
        let c = Config::parse("cfg", text.as_bytes()).unwrap();
        assert!(c.generated);
        assert!(
            matches!(c.setting("NET"), Setting::Built { module: false, line } if line.number == 4)
        );
        assert!(matches!(
            c.setting("EXT4_FS"),
            Setting::Built { module: true, .. }
        ));
        assert!(
            matches!(c.setting("NTFS3_FS"), Setting::Off(l) if l.number == 6 && l.text == "# CONFIG_NTFS3_FS is not set")
        );
        assert!(matches!(c.setting("HZ"), Setting::Value(v, _) if v == "250"));
        assert!(matches!(c.setting("FOO"), Setting::Off(_)));
        assert_eq!(c.setting("BAR"), Setting::Absent);
        assert_eq!(c.make_value("LOCALVERSION"), "-cip");
        assert_eq!(c.make_value("NTFS3_FS"), "");
    }

    #[test]
    fn errors_name_the_line() {
        let e = Config::parse("x.config", b"CONFIG_A=y\nhello\n").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("x.config", 2));
        let e = Config::parse("x.config", b"FOO=y\n").unwrap_err();
        assert_eq!(e.line, 1);
        let c = Config::parse("d", b"CONFIG_A=y\n").unwrap();
        assert!(!c.generated, "a defconfig is not generated");
    }
}
