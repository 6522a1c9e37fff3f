//! Index keys and the compact posting encoding.
//!
//! A scan looks up every component under a few keys and must spend microseconds on each, so
//! the database keeps, per key, pre-parsed postings: for OSV the whole `affected[]` entry
//! (ecosystem, ranges, versions) and the advisory's head (what a finding shows, see
//! `head.rs`) in a small binary form that decodes without allocation of strings, so an OSV
//! match never reads the record; for NVD, CSAF and KEV just the record number (those matches
//! are rare and decode the record itself).
//!
//! Keys (NUL-separated so no name can forge another key):
//! - `osv\0<ecosystem base, lower-case>\0<normalised package name>`
//! - `cpe\0<vendor>:<product>` (NVD and CSAF)
//! - `name\0<normalised product name>` (CSAF products without CPE or PURL)
//! - `purl\0<type>/<namespace>/<name>` (CSAF PURL helpers)
//! - `kev\0<CVE id>`
//! - `kernel\0linux` (CVE JSON 5 records of the Linux kernel)

use crate::cpe::Cpe;
use crate::head::AdvisoryHead;
use crate::model::{Advisory, Body, EventKind, RangeKind};
use tekigo_versions::{Ecosystem, Event, Version};

/// The part of an OSV ecosystem before the first `:` (`Debian` of `Debian:12`), lower-case.
pub fn ecosystem_base(ecosystem: &str) -> String {
    ecosystem
        .split(':')
        .next()
        .unwrap_or(ecosystem)
        .trim()
        .to_ascii_lowercase()
}

/// A package name as the ecosystem compares names: PyPI per PEP 503 (lower-case, runs of
/// `-_.` as one `-`), everything else lower-case.
pub fn normalize_name(base: &str, name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    push_normalized(&mut out, base, name);
    out
}

/// [`normalize_name`], appended to `out`.
fn push_normalized(out: &mut String, base: &str, name: &str) {
    let name = name.trim();
    if base == "pypi" {
        let start = out.len();
        let mut sep = false;
        for c in name.chars() {
            if matches!(c, '-' | '_' | '.') {
                sep = true;
            } else {
                if sep && out.len() > start {
                    out.push('-');
                }
                sep = false;
                out.push(c.to_ascii_lowercase());
            }
        }
    } else {
        out.extend(name.chars().map(|c| c.to_ascii_lowercase()));
    }
}

/// The key of a package's OSV postings, made in one allocation (a scan makes one for every
/// component).
pub fn osv_key(ecosystem_base: &str, name: &str) -> String {
    let mut key = String::with_capacity(5 + ecosystem_base.len() + name.len());
    key.push_str("osv\0");
    key.push_str(ecosystem_base);
    key.push('\0');
    push_normalized(&mut key, ecosystem_base, name);
    key
}

pub fn cpe_key(cpe: &Cpe) -> String {
    format!("cpe\0{}", cpe.vendor_product())
}

/// A product name for comparison: lower-case, inner whitespace collapsed.
pub fn normalize_product(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

pub fn name_key(name: &str) -> String {
    format!("name\0{}", normalize_product(name))
}

pub fn purl_key(ty: &str, namespace: Option<&str>, name: &str) -> String {
    let ty = ty.to_ascii_lowercase();
    let name = normalize_name(if ty == "pypi" { "pypi" } else { "" }, name);
    match namespace {
        Some(ns) if !ns.is_empty() => format!("purl\0{ty}/{}/{name}", ns.to_ascii_lowercase()),
        _ => format!("purl\0{ty}/{name}"),
    }
}

/// The one key of every CVE JSON 5 record about the Linux kernel.
pub const KERNEL_KEY: &str = "kernel\0linux";

pub fn kev_key(cve: &str) -> String {
    format!("kev\0{}", cve.trim().to_ascii_uppercase())
}

/// The index entries of one advisory: (key, posting payload).
pub fn entries(adv: &Advisory) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let push_unique = |key: String, out: &mut Vec<(String, Vec<u8>)>| {
        if !out.iter().any(|(k, _)| *k == key) {
            out.push((key, Vec::new()));
        }
    };
    match &adv.body {
        Body::Osv { affected } => {
            let head = AdvisoryHead::of(adv).encode();
            for (i, a) in affected.iter().enumerate() {
                let key = osv_key(&ecosystem_base(&a.ecosystem), &a.name);
                out.push((key, encode_osv(i, a, &head)));
            }
        }
        Body::Nvd { configurations } => {
            for c in configurations {
                for n in &c.nodes {
                    for m in n.matches.iter().filter(|m| m.vulnerable) {
                        if let Some(cpe) = Cpe::parse(&m.criteria) {
                            push_unique(cpe_key(&cpe), &mut out);
                        }
                    }
                }
            }
        }
        Body::Csaf(body) => {
            for p in &body.products {
                if let Some(cpe) = p.cpe.as_deref().and_then(Cpe::parse) {
                    push_unique(cpe_key(&cpe), &mut out);
                }
                if let Some(purl) = p
                    .purl
                    .as_deref()
                    .and_then(|t| t.parse::<packageurl::PackageUrl>().ok())
                {
                    push_unique(purl_key(purl.ty(), purl.namespace(), purl.name()), &mut out);
                }
                if let Some(name) = &p.product {
                    push_unique(name_key(name), &mut out);
                }
            }
        }
        Body::Kev(_) => push_unique(kev_key(&adv.id), &mut out),
        Body::Cve5(body) => {
            if body
                .affected
                .iter()
                .any(|a| crate::cve5::is_linux_kernel(&a.vendor, &a.product))
            {
                push_unique(KERNEL_KEY.to_string(), &mut out);
            }
        }
    }
    out
}

pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn encode_osv(index: usize, a: &crate::model::OsvAffected, head: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + head.len());
    out.extend_from_slice(&(index as u32).to_le_bytes());
    put_str(&mut out, &a.ecosystem);
    out.extend_from_slice(&(a.ranges.len() as u32).to_le_bytes());
    for r in &a.ranges {
        out.push(match r.kind {
            RangeKind::Ecosystem => 0,
            RangeKind::Semver => 1,
            RangeKind::Git => 2,
        });
        out.extend_from_slice(&(r.events.len() as u32).to_le_bytes());
        for e in &r.events {
            out.push(match e.kind {
                EventKind::Introduced => 0,
                EventKind::Fixed => 1,
                EventKind::LastAffected => 2,
                EventKind::Limit => 3,
            });
            put_str(&mut out, &e.version);
        }
    }
    let listed = versions_to_compare(a);
    out.extend_from_slice(&(listed.len() as u32).to_le_bytes());
    for v in listed {
        put_str(&mut out, v);
    }
    out.extend_from_slice(head);
    out
}

/// The listed versions of an OSV entry that a scan must still compare one by one: those no
/// range of the entry holds, by the rule the matcher decides ranges with (its ecosystem's
/// ordering, `affected_parsed`, GIT ranges left out). A version equal to a listed one
/// compares as that one does with every event, so a range holding the listed version holds
/// it too, and the matcher asks the ranges first: such a listed version can never be what
/// decides a match, and is not stored. OSV.dev lists every version its ranges hold (hundreds
/// for some PyPI packages), and comparing them cost a parse each for every posting a
/// component did not match (issue 20).
fn versions_to_compare(a: &crate::model::OsvAffected) -> Vec<&str> {
    let eco = Ecosystem::from_osv(&a.ecosystem).unwrap_or(Ecosystem::Generic);
    let ranges: Vec<Vec<Event<&str>>> = a
        .ranges
        .iter()
        .filter(|r| r.kind != RangeKind::Git)
        .map(|r| r.events.iter().map(|e| event(e.kind, &e.version)).collect())
        .collect();
    a.versions
        .iter()
        .map(String::as_str)
        .filter(|listed| {
            let Ok(v) = Version::parse(eco, listed) else {
                return true;
            };
            !ranges
                .iter()
                .any(|events| tekigo_versions::affected_parsed(&v, events).is_ok_and(|a| a))
        })
        .collect()
}

/// An event of the kind and version given.
pub(crate) fn event(kind: EventKind, v: &str) -> Event<&str> {
    match kind {
        EventKind::Introduced => Event::Introduced(v),
        EventKind::Fixed => Event::Fixed(v),
        EventKind::LastAffected => Event::LastAffected(v),
        EventKind::Limit => Event::Limit(v),
    }
}

/// An OSV posting read back from the database, borrowing its strings.
///
/// A lookup decodes every posting under its key (a few per component) and keeps at most
/// one, so one `OsvPosting` is decoded into again and again ([`OsvPosting::decode`]): its
/// vectors are allocated once per lookup, not four times per posting (issue 20).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct OsvPosting<'a> {
    /// Position in the record's `affected[]`.
    pub affected: usize,
    pub ecosystem: &'a str,
    /// Each range's kind and its events, as positions in `events` (read them with
    /// [`OsvPosting::ranges`]).
    ranges: Vec<(RangeKind, std::ops::Range<usize>)>,
    /// The events of every range, one range after the other.
    events: Vec<Event<&'a str>>,
    /// The listed versions no range holds (see `versions_to_compare`): a database imported
    /// before issue 20's pruning holds them all, which decides the same.
    pub versions: Vec<&'a str>,
    /// The encoded [`AdvisoryHead`], decoded only for a match.
    pub head: &'a [u8],
}

impl<'a> OsvPosting<'a> {
    /// Decodes `buf` into this posting, replacing what it held; `None` for bytes that are
    /// not a posting (a corrupt database), the posting then holding part of them.
    pub fn decode(&mut self, buf: &'a [u8]) -> Option<()> {
        let mut r = Reader { buf, pos: 0 };
        self.ranges.clear();
        self.events.clear();
        self.versions.clear();
        self.affected = r.u32()?;
        self.ecosystem = r.str()?;
        for _ in 0..r.u32()? {
            let kind = match r.u8()? {
                0 => RangeKind::Ecosystem,
                1 => RangeKind::Semver,
                2 => RangeKind::Git,
                _ => return None,
            };
            let first = self.events.len();
            for _ in 0..r.u32()? {
                let kind = match r.u8()? {
                    0 => EventKind::Introduced,
                    1 => EventKind::Fixed,
                    2 => EventKind::LastAffected,
                    3 => EventKind::Limit,
                    _ => return None,
                };
                self.events.push(event(kind, r.str()?));
            }
            self.ranges.push((kind, first..self.events.len()));
        }
        for _ in 0..r.u32()? {
            self.versions.push(r.str()?);
        }
        self.head = buf.get(r.pos..)?;
        Some(())
    }

    /// Each range's kind and events.
    pub fn ranges(&self) -> impl Iterator<Item = (RangeKind, &[Event<&'a str>])> {
        self.ranges
            .iter()
            .map(|(kind, at)| (*kind, &self.events[at.clone()]))
    }

    /// The advisory's head; `None` when the bytes are damaged.
    pub fn head(&self) -> Option<AdvisoryHead<'a>> {
        AdvisoryHead::decode(self.head)
    }
}

/// Reads the binary forms written with [`put_str`] and little-endian integers; every read is
/// bounds-checked and gives `None` past the end.
pub(crate) struct Reader<'a> {
    pub(crate) buf: &'a [u8],
    pub(crate) pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn u8(&mut self) -> Option<u8> {
        let b = *self.buf.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }
    pub(crate) fn u32(&mut self) -> Option<usize> {
        let b = self.buf.get(self.pos..self.pos.checked_add(4)?)?;
        self.pos += 4;
        Some(u32::from_le_bytes(b.try_into().ok()?) as usize)
    }
    pub(crate) fn u64(&mut self) -> Option<usize> {
        let b = self.buf.get(self.pos..self.pos.checked_add(8)?)?;
        self.pos += 8;
        usize::try_from(u64::from_le_bytes(b.try_into().ok()?)).ok()
    }
    /// Length-prefixed bytes.
    pub(crate) fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = self.u32()?;
        let b = self.buf.get(self.pos..self.pos.checked_add(len)?)?;
        self.pos += len;
        Some(b)
    }
    /// Length-prefixed UTF-8. Nearly every stored string is short ASCII (ecosystems,
    /// versions, ids), which is checked as such first: `str::from_utf8`'s general check,
    /// called for each of the 180,000 strings of the 15k scan's postings, was 3 % of its
    /// CPU time (issue 20).
    pub(crate) fn str(&mut self) -> Option<&'a str> {
        let b = self.bytes()?;
        if b.is_ascii() {
            // SAFETY: ASCII bytes are valid UTF-8.
            return Some(unsafe { std::str::from_utf8_unchecked(b) });
        }
        std::str::from_utf8(b).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OsvAffected, OsvEvent, OsvRange};

    /// ASCII, other UTF-8 and bytes that are not UTF-8 (a damaged or hostile file): the
    /// first two read back as written, the last is refused, whatever its length.
    #[test]
    fn stored_strings_are_checked_utf8() {
        for text in [
            "",
            "PyPI",
            "1.2.3-rc.1",
            "glibc 2.36 の修正",
            "é",
            &"x".repeat(40),
        ] {
            let mut buf = Vec::new();
            put_str(&mut buf, text);
            assert_eq!(Reader { buf: &buf, pos: 0 }.str(), Some(text));
        }
        for bad in [
            &b"\xff"[..],
            b"abc\xc3",
            b"\xed\xa0\x80",
            &[b'a'; 33]
                .iter()
                .chain(b"\x80")
                .copied()
                .collect::<Vec<u8>>(),
        ] {
            let mut buf = (bad.len() as u32).to_le_bytes().to_vec();
            buf.extend_from_slice(bad);
            assert_eq!(Reader { buf: &buf, pos: 0 }.str(), None, "{bad:?}");
        }
    }

    #[test]
    fn names_and_keys() {
        assert_eq!(
            normalize_name("pypi", "Zope.Interface__x"),
            "zope-interface-x"
        );
        assert_eq!(normalize_name("npm", "@Angular/Core"), "@angular/core");
        assert_eq!(ecosystem_base("Ubuntu:Pro:18.04:LTS"), "ubuntu");
        assert_eq!(osv_key("pypi", "PyYAML"), "osv\0pypi\0pyyaml");
        assert_eq!(normalize_product("  SIMATIC  S7-1500 "), "simatic s7-1500");
    }

    #[test]
    fn osv_posting_round_trip_and_corruption() {
        let a = OsvAffected {
            ecosystem: "Debian:12".into(),
            name: "glibc".into(),
            purl: None,
            ranges: vec![OsvRange {
                kind: RangeKind::Ecosystem,
                events: vec![
                    OsvEvent {
                        kind: EventKind::Introduced,
                        version: "0".into(),
                    },
                    OsvEvent {
                        kind: EventKind::Fixed,
                        version: "2.36-9+deb12u3".into(),
                    },
                ],
            }],
            // 2.36-9 is below the fix: the range holds it and the posting leaves it out.
            versions: vec!["2.36-9".into(), "2.37-1".into()],
        };
        let adv: Advisory = serde_json::from_str(
            r#"{"id":"DSA-1","source":"osv","aliases":["CVE-2024-1"],
                "body":{"format":"osv","affected":[]}}"#,
        )
        .unwrap();
        let head = AdvisoryHead::of(&adv);
        let bytes = encode_osv(3, &a, &head.encode());
        let mut p = OsvPosting::default();
        p.decode(&bytes).unwrap();
        assert_eq!(p.affected, 3);
        assert_eq!(p.ecosystem, "Debian:12");
        let (kind, events) = p.ranges().next().unwrap();
        assert_eq!(kind, RangeKind::Ecosystem);
        assert_eq!(events[1], Event::Fixed("2.36-9+deb12u3"));
        assert_eq!(p.versions, vec!["2.37-1"]);
        assert_eq!(p.head(), Some(head));
        // A cut in the matching part fails to decode; a cut in the head leaves a head that
        // does not decode.
        for cut in 0..bytes.len() {
            assert!(
                p.decode(&bytes[..cut]).is_none() || p.head().is_none(),
                "truncated at {cut}"
            );
        }
    }
}
