//! The head of an advisory: what a finding shows of it, in a small binary form that every
//! OSV posting carries.
//!
//! A scan reads one advisory per hit. Decoding the record's JSON took about 6 µs (the body
//! had to be walked to skip it, and every string was copied) and touched one more page of a
//! file of hundreds of megabytes: a third of a 10,000-component scan with 6,000 hits. The head
//! sits in the posting the matcher has just read, decodes in a fraction of that and borrows
//! every string from the memory-mapped file. NVD and CSAF matches, which need the body,
//! still decode the whole [`Advisory`] and take its head with [`AdvisoryHead::of`].

use crate::index::{put_str, Reader};
use crate::model::{Advisory, Body, Severity, Source};

/// The fields of an [`Advisory`] a finding shows, borrowed.
#[derive(Debug, Clone, PartialEq)]
pub struct AdvisoryHead<'a> {
    pub id: &'a str,
    pub source: Source,
    pub aliases: Vec<&'a str>,
    pub summary: Option<&'a str>,
    pub published: Option<&'a str>,
    pub withdrawn: bool,
    /// The record carries `needs_review` notes.
    pub needs_review: bool,
    /// [`Advisory::best_severity`].
    pub severity: Option<SeverityRef<'a>>,
    /// OSV: the package name of each `affected[]` entry, in order.
    pub affected_names: Vec<&'a str>,
    /// CSAF: the document id, an alias that names the document rather than the
    /// vulnerability.
    pub document: Option<&'a str>,
}

/// A [`Severity`], borrowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeverityRef<'a> {
    pub kind: &'a str,
    pub vector: Option<&'a str>,
    pub score: Option<f64>,
    pub label: Option<&'a str>,
}

impl SeverityRef<'_> {
    pub fn to_severity(self) -> Severity {
        Severity {
            kind: self.kind.to_string(),
            vector: self.vector.map(str::to_string),
            score: self.score,
            label: self.label.map(str::to_string),
        }
    }
}

impl<'a> AdvisoryHead<'a> {
    pub fn of(adv: &'a Advisory) -> AdvisoryHead<'a> {
        AdvisoryHead {
            id: &adv.id,
            source: adv.source,
            aliases: adv.aliases.iter().map(String::as_str).collect(),
            summary: adv.summary.as_deref(),
            published: adv.published.as_deref(),
            withdrawn: adv.withdrawn.is_some(),
            needs_review: !adv.needs_review.is_empty(),
            severity: adv.best_severity().map(|s| SeverityRef {
                kind: &s.kind,
                vector: s.vector.as_deref(),
                score: s.score,
                label: s.label.as_deref(),
            }),
            affected_names: match &adv.body {
                Body::Osv { affected } => affected.iter().map(|a| a.name.as_str()).collect(),
                _ => Vec::new(),
            },
            document: match &adv.body {
                Body::Csaf(c) => Some(&c.document),
                _ => None,
            },
        }
    }

    /// The id and every alias, for joins.
    pub fn ids(&self) -> impl Iterator<Item = &'a str> + '_ {
        std::iter::once(self.id).chain(self.aliases.iter().copied())
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        put_str(&mut out, self.id);
        out.push(self.source as u8);
        out.push(u8::from(self.withdrawn) | u8::from(self.needs_review) << 1);
        put_list(&mut out, &self.aliases);
        put_opt(&mut out, self.summary);
        put_opt(&mut out, self.published);
        match &self.severity {
            None => out.push(0),
            Some(s) => {
                out.push(1);
                put_str(&mut out, s.kind);
                put_opt(&mut out, s.vector);
                put_opt(&mut out, s.label);
                match s.score {
                    None => out.push(0),
                    Some(score) => {
                        out.push(1);
                        out.extend_from_slice(&score.to_le_bytes());
                    }
                }
            }
        }
        put_list(&mut out, &self.affected_names);
        put_opt(&mut out, self.document);
        out
    }

    /// Reads a head written by [`AdvisoryHead::encode`]; `None` for bytes that are not one
    /// (a damaged database).
    pub fn decode(buf: &'a [u8]) -> Option<AdvisoryHead<'a>> {
        let mut r = Reader { buf, pos: 0 };
        let id = r.str()?;
        let source = *Source::ALL.get(usize::from(r.u8()?))?;
        let flags = r.u8()?;
        let aliases = list(&mut r)?;
        let summary = opt(&mut r)?;
        let published = opt(&mut r)?;
        let severity = match r.u8()? {
            0 => None,
            1 => Some(SeverityRef {
                kind: r.str()?,
                vector: opt(&mut r)?,
                label: opt(&mut r)?,
                score: match r.u8()? {
                    0 => None,
                    1 => {
                        let b = r.buf.get(r.pos..r.pos + 8)?;
                        r.pos += 8;
                        Some(f64::from_le_bytes(b.try_into().ok()?))
                    }
                    _ => return None,
                },
            }),
            _ => return None,
        };
        let head = AdvisoryHead {
            id,
            source,
            aliases,
            summary,
            published,
            withdrawn: flags & 1 != 0,
            needs_review: flags & 2 != 0,
            severity,
            affected_names: list(&mut r)?,
            document: opt(&mut r)?,
        };
        (r.pos == buf.len()).then_some(head)
    }
}

fn put_opt(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
    }
}

fn put_list(out: &mut Vec<u8>, items: &[&str]) {
    out.extend_from_slice(&(items.len() as u32).to_le_bytes());
    for s in items {
        put_str(out, s);
    }
}

fn opt<'a>(r: &mut Reader<'a>) -> Option<Option<&'a str>> {
    match r.u8()? {
        0 => Some(None),
        1 => r.str().map(Some),
        _ => None,
    }
}

fn list<'a>(r: &mut Reader<'a>) -> Option<Vec<&'a str>> {
    let n = r.u32()?;
    // Bounded by what the buffer could hold, so a damaged count cannot reserve gigabytes.
    let mut out = Vec::with_capacity(n.min(r.buf.len() / 4));
    for _ in 0..n {
        out.push(r.str()?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(json: &str) -> Advisory {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn round_trip_and_damage() {
        let osv = sample(
            r#"{"id":"GHSA-x","source":"osv","aliases":["CVE-2024-1","PYSEC-1"],
                "summary":"a \"quoted\" flaw","published":"2024-01-02T00:00:00Z",
                "withdrawn":"2024-02-01","needs_review":["GIT range"],
                "severity":[{"kind":"label","label":"HIGH"},
                            {"kind":"CVSS_V3","vector":"CVSS:3.1/AV:N","score":9.8}],
                "body":{"format":"osv","affected":[
                    {"ecosystem":"PyPI","name":"one"},{"ecosystem":"PyPI","name":"two"}]}}"#,
        );
        let csaf = sample(
            r#"{"id":"CVE-2024-2","source":"csaf","aliases":["VDE-2024-001"],
                "body":{"format":"csaf","document":"VDE-2024-001","products":[]}}"#,
        );
        for adv in [&osv, &csaf] {
            let head = AdvisoryHead::of(adv);
            let bytes = head.encode();
            assert_eq!(AdvisoryHead::decode(&bytes), Some(head.clone()));
            // Every truncation and a trailing byte are refused, not misread.
            for cut in 0..bytes.len() {
                assert_eq!(AdvisoryHead::decode(&bytes[..cut]), None, "cut at {cut}");
            }
            let mut longer = bytes.clone();
            longer.push(0);
            assert_eq!(AdvisoryHead::decode(&longer), None);
        }
        let head = AdvisoryHead::of(&osv);
        assert!(head.withdrawn && head.needs_review);
        assert_eq!(head.severity.map(|s| s.score), Some(Some(9.8)));
        assert_eq!(head.affected_names, ["one", "two"]);
        assert_eq!(
            head.ids().collect::<Vec<_>>(),
            ["GHSA-x", "CVE-2024-1", "PYSEC-1"]
        );
        let head = AdvisoryHead::of(&csaf);
        assert_eq!(head.document, Some("VDE-2024-001"));
        assert!(!head.withdrawn && !head.needs_review && head.severity.is_none());
    }
}
