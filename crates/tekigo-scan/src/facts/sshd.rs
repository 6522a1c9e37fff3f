//! sshd's effective configuration, read the way sshd reads it, without running it:
//! keywords are case-insensitive, the first value of a keyword wins, `Include` takes globs
//! relative to /etc/ssh and inserts the files in place (sorted), and `Match` blocks apply
//! only to the connections they match, up to the next `Match` or the end of the file that
//! opened them.
//!
//! An option's value therefore depends on the connection. sshd first reads the global
//! lines (and those under `Match all`), then, for each connection, the lines of the Match
//! blocks that connection matches; a value found there replaces the global one, and among
//! matching blocks the first value wins again. Without connection details the scanner
//! cannot know which blocks co-occur, so it looks at one context per Match block (a
//! connection that matches that block alone, plus `Match all`) and at the context of
//! connections no block selects; a check takes the worst of them (see [`Setting`]).

use std::rc::Rc;

use crate::ctx::{Ctx, TextFile, Unreadable};
use crate::model::Evidence;

pub const SSHD_CONFIG: &str = "/etc/ssh/sshd_config";
const SSHD_BINARIES: [&str; 2] = ["/usr/sbin/sshd", "/usr/bin/sshd"];
const MAX_DEPTH: usize = 16;

/// A `Match` line: the connections the lines after it apply to.
#[derive(Debug)]
pub struct MatchBlock {
    /// The criteria as written, such as `User root` or `Address 10.0.0.0/8`.
    pub criteria: String,
    pub file: Rc<TextFile>,
    pub number: usize,
    pub text: String,
}

impl MatchBlock {
    /// `Match all` selects every connection: its lines act like global ones that win.
    pub fn is_all(&self) -> bool {
        self.criteria.eq_ignore_ascii_case("all")
    }

    /// `Match User root (/etc/ssh/sshd_config:12)`: how a summary names the block.
    pub fn label(&self) -> String {
        format!(
            "Match {} ({}:{})",
            self.criteria, self.file.path, self.number
        )
    }
}

/// One keyword line as sshd sees it.
#[derive(Debug, Clone)]
pub struct SshdEntry {
    /// Lower case.
    pub keyword: String,
    pub value: String,
    /// The `Match` block the line is under, `None` at global scope.
    pub under_match: Option<Rc<MatchBlock>>,
    pub file: Rc<TextFile>,
    pub number: usize,
    pub text: String,
}

impl SshdEntry {
    /// The line, and under a Match block also the `Match` line that decides which
    /// connections get it (in the same evidence item when both are in one file).
    pub fn evidence(&self) -> Vec<Evidence> {
        let ev = self.file.evidence();
        let Some(m) = &self.under_match else {
            return vec![ev.with_line(self.number, self.text.clone())];
        };
        if Rc::ptr_eq(&m.file, &self.file) || m.file.path == self.file.path {
            vec![ev
                .with_line(m.number, m.text.clone())
                .with_line(self.number, self.text.clone())
                .with_value("match", m.criteria.clone())]
        } else {
            vec![
                m.file
                    .evidence()
                    .with_line(m.number, m.text.clone())
                    .with_value("match", m.criteria.clone()),
                ev.with_line(self.number, self.text.clone())
                    .with_value("match", m.criteria.clone()),
            ]
        }
    }
}

#[derive(Debug)]
pub struct SshdConfig {
    /// The main file, `None` when missing (sshd then runs on built-in defaults).
    pub main: Option<Rc<TextFile>>,
    pub entries: Vec<SshdEntry>,
    /// Every `Match` line, in the order sshd reads them.
    pub matches: Vec<Rc<MatchBlock>>,
    /// Include patterns that matched nothing, loops: facts for the evidence.
    pub notes: Vec<String>,
}

/// What an option comes to for one kind of connection.
#[derive(Debug, Clone, Copy)]
pub struct Setting<'a> {
    /// The Match block whose connections get this value; `None` for connections that no
    /// Match block (other than `Match all`) selects.
    pub context: Option<&'a MatchBlock>,
    /// The line that decides the value; `None` when OpenSSH's default applies.
    pub entry: Option<&'a SshdEntry>,
}

impl SshdConfig {
    pub(crate) fn read(ctx: &Ctx) -> Result<Option<SshdConfig>, Unreadable> {
        if ctx.first_existing(&SSHD_BINARIES)?.is_none() {
            return Ok(None);
        }
        let mut cfg = SshdConfig {
            main: ctx.text(SSHD_CONFIG)?,
            entries: Vec::new(),
            matches: Vec::new(),
            notes: Vec::new(),
        };
        if let Some(main) = cfg.main.clone() {
            let mut chain = Vec::new();
            cfg.parse(ctx, main, None, &mut chain)?;
        }
        Ok(Some(cfg))
    }

    fn parse(
        &mut self,
        ctx: &Ctx,
        file: Rc<TextFile>,
        mut under_match: Option<Rc<MatchBlock>>,
        chain: &mut Vec<String>,
    ) -> Result<(), Unreadable> {
        if chain.len() >= MAX_DEPTH || chain.contains(&file.path) {
            self.notes
                .push(format!("{}: include loop or too deep, not read", file.path));
            return Ok(());
        }
        chain.push(file.path.clone());
        for (number, raw) in file.lines() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (keyword, value) = split_keyword(line);
            let keyword = keyword.to_ascii_lowercase();
            match keyword.as_str() {
                "include" => {
                    for pattern in value.split_whitespace() {
                        for path in self.include_targets(ctx, pattern)? {
                            match ctx.text(&path)? {
                                Some(f) => self.parse(ctx, f, under_match.clone(), chain)?,
                                None => self.notes.push(format!("{path}: included, missing")),
                            }
                        }
                    }
                }
                "match" => {
                    let block = Rc::new(MatchBlock {
                        criteria: value.to_string(),
                        file: file.clone(),
                        number,
                        text: line.to_string(),
                    });
                    self.matches.push(block.clone());
                    under_match = Some(block);
                }
                _ => self.entries.push(SshdEntry {
                    keyword,
                    value: value.to_string(),
                    under_match: under_match.clone(),
                    file: file.clone(),
                    number,
                    text: line.to_string(),
                }),
            }
        }
        chain.pop();
        Ok(())
    }

    /// Files an `Include` argument names: relative to /etc/ssh, a glob in the last
    /// component expanded and sorted as glob(3) sorts.
    fn include_targets(&mut self, ctx: &Ctx, pattern: &str) -> Result<Vec<String>, Unreadable> {
        let full = crate::ctx::join("/etc/ssh", pattern);
        let (dir, name) = full.rsplit_once('/').unwrap_or(("/", &full));
        let dir = if dir.is_empty() { "/" } else { dir };
        if !name.contains(['*', '?', '[']) {
            return Ok(vec![full.clone()]);
        }
        let found = ctx.dir_files(dir, name)?;
        if found.is_empty() {
            self.notes.push(format!(
                "Include {pattern}: no file matches (allowed by sshd)"
            ));
        }
        Ok(found)
    }

    /// The line that sets `option` (lower case) for connections in `context`: the first
    /// one under `Match all` or under that block, else the first global one.
    pub fn value_in(&self, option: &str, context: Option<&MatchBlock>) -> Option<&SshdEntry> {
        let applies = |m: &MatchBlock| m.is_all() || context.is_some_and(|c| std::ptr::eq(c, m));
        let with_option = || self.entries.iter().filter(|e| e.keyword == option);
        with_option()
            .find(|e| e.under_match.as_deref().is_some_and(applies))
            .or_else(|| with_option().find(|e| e.under_match.is_none()))
    }

    /// The connection contexts in which any of `options` (lower case) can differ: the one
    /// no Match block selects, then each Match block (other than `Match all`) that sets
    /// one of them itself, in file order.
    pub fn contexts(&self, options: &[&str]) -> Vec<Option<&MatchBlock>> {
        let mut out = vec![None];
        for m in self.matches.iter().filter(|m| !m.is_all()) {
            let sets = options.iter().any(|o| {
                self.value_in(o, Some(m))
                    .and_then(|e| e.under_match.as_deref())
                    .is_some_and(|b| std::ptr::eq(b, &**m))
            });
            if sets {
                out.push(Some(&**m));
            }
        }
        out
    }

    /// `option` (lower case) in every context where it can differ, global context first.
    pub fn settings(&self, option: &str) -> Vec<Setting<'_>> {
        self.contexts(&[option])
            .into_iter()
            .map(|context| Setting {
                context,
                entry: self.value_in(option, context),
            })
            .collect()
    }

    /// Evidence that names the configuration files read.
    pub fn file_evidence(&self) -> Vec<Evidence> {
        let mut seen: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        if let Some(m) = &self.main {
            seen.push(&m.path);
            out.push(m.evidence());
        }
        for e in &self.entries {
            if !seen.contains(&e.file.path.as_str()) {
                seen.push(&e.file.path);
                out.push(e.file.evidence());
            }
        }
        out
    }
}

/// `Keyword value`, `Keyword=value` or `Keyword = value`.
fn split_keyword(line: &str) -> (&str, &str) {
    let end = line
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(line.len());
    let (k, rest) = line.split_at(end);
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim();
    (k, strip_quotes(rest))
}

fn strip_quotes(v: &str) -> &str {
    v.strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(v)
}

/// The OpenSSH version of the server, from the package database or, without one, from the
/// version string compiled into the binary (read, never run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpensshVersion {
    /// As found, such as `9.2p1`.
    pub version: String,
    pub major: u32,
    pub minor: u32,
    pub evidence: Evidence,
}

impl OpensshVersion {
    pub(crate) fn detect(ctx: &Ctx) -> Result<Option<OpensshVersion>, Unreadable> {
        if let Some(dpkg) = ctx.dpkg()?.as_ref() {
            if let Some((v, line)) = dpkg.version("openssh-server") {
                // Debian: [epoch:]upstream-revision; upstream is like 9.2p1.
                let upstream = v.split_once(':').map_or(v, |(_, r)| r);
                let upstream = upstream.rsplit_once('-').map_or(upstream, |(u, _)| u);
                if let Some(parsed) = OpensshVersion::parse(upstream) {
                    let evidence = Evidence {
                        path: Some(dpkg.path.clone()),
                        sha256: Some(dpkg.sha256.clone()),
                        ..Evidence::default()
                    }
                    .with_line(line, "Package: openssh-server")
                    .with_value("openssh-server", v);
                    return Ok(Some(OpensshVersion { evidence, ..parsed }));
                }
            }
        }
        for bin in SSHD_BINARIES {
            let read = match ctx.root.read(bin, 16 << 20) {
                Ok(r) => r,
                Err(e) if e.is_not_found() => continue,
                Err(e) => return Err(e.into()),
            };
            if let Some(found) = find_version_string(&read.bytes) {
                if let Some(parsed) = OpensshVersion::parse(&found) {
                    let evidence = Evidence {
                        path: Some(read.path.display().to_string()),
                        sha256: Some(read.sha256_hex()),
                        ..Evidence::default()
                    }
                    .with_value("version_string", format!("OpenSSH_{found}"));
                    return Ok(Some(OpensshVersion { evidence, ..parsed }));
                }
            }
        }
        Ok(None)
    }

    /// `9.2p1` or `8.4`; the portable suffix is kept in `version` only.
    pub fn parse(v: &str) -> Option<OpensshVersion> {
        let mut parts = v.split(|c: char| !c.is_ascii_digit());
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().and_then(|m| m.parse().ok()).unwrap_or(0);
        Some(OpensshVersion {
            version: v.to_string(),
            major,
            minor,
            evidence: Evidence::default(),
        })
    }

    /// At least `major.minor`.
    pub fn at_least(&self, major: u32, minor: u32) -> bool {
        (self.major, self.minor) >= (major, minor)
    }
}

/// The version after `OpenSSH_` in a binary, such as `9.2p1`.
fn find_version_string(bytes: &[u8]) -> Option<String> {
    let needle = b"OpenSSH_";
    let mut start = 0;
    while let Some(pos) = bytes[start..]
        .windows(needle.len())
        .position(|w| w == needle)
    {
        let at = start + pos + needle.len();
        let version: String = bytes[at..]
            .iter()
            .take(16)
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'.')
            .map(|&b| b as char)
            .collect();
        if version.starts_with(|c: char| c.is_ascii_digit()) && version.contains('.') {
            return Some(version);
        }
        start = at;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_forms() {
        assert_eq!(
            split_keyword("ClientAliveCountMax 0"),
            ("ClientAliveCountMax", "0")
        );
        assert_eq!(
            split_keyword("Banner=/etc/issue.net"),
            ("Banner", "/etc/issue.net")
        );
        assert_eq!(split_keyword("Banner = \"/etc/x\""), ("Banner", "/etc/x"));
    }

    #[test]
    fn version_in_binary() {
        let bin = b"\0\0OpenSSH_\0junk OpenSSH_9.2p1 Debian-2+deb12u3\0";
        assert_eq!(find_version_string(bin).as_deref(), Some("9.2p1"));
        let v = OpensshVersion::parse("8.1p1").unwrap();
        assert!(!v.at_least(8, 2));
        assert!(OpensshVersion::parse("8.2p1").unwrap().at_least(8, 2));
        assert!(OpensshVersion::parse("10.0p2").unwrap().at_least(8, 2));
    }
}
