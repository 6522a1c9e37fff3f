//! JSON laid out as `serde_json`'s pretty printer lays it out, byte for byte, written a
//! piece at a time: the findings of a scan are written as they are found, so the document
//! is never held whole (see [`PrettyItems`]).
//!
//! Finding rows, the bulk of it, are written by [`FindingRow::write_pretty`] without going
//! through serde: serde_json escapes every key and value a byte at a time and calls the
//! formatter for every bracket and line break, which made writing 15,152 rows a fifth of
//! the CPU time of the scan that found them (issue 20). The serde derive of
//! [`FindingRow`] stays the definition of the JSON; the writer is tested against it.

use crate::{FindingRow, SeverityOut, TriageOut};
use serde::Serialize;
use std::sync::Arc;
use tekigo_kconfig::Line;
use tekigo_vulndb::{Explanation, SourceMatch};

/// Items of a pretty-printed list written one at a time, joined by `,\n`, each as
/// `serde_json::to_vec_pretty` writes an item of a list `depth` levels in: a chunk of the
/// output of a scan that is written as it is found.
#[derive(Default)]
pub struct PrettyItems {
    pub json: Vec<u8>,
    pub count: usize,
    /// The first item that could not be written (none can with tekigo's types; kept, not
    /// ignored, so that an item is never silently missing).
    pub error: Option<serde_json::Error>,
}

impl PrettyItems {
    /// Empty, with room for the JSON of one chunk of a scan (tekigo-vulndb's `scan_ordered`
    /// hands 256 components to a chunk): 15,152 findings in 49 chunks wrote about 460 KB
    /// each, and a buffer grown from nothing was copied at every doubling into fresh pages,
    /// 4 ms of CPU in a scan of 107 (issue 20). Room never written is never touched, so a
    /// chunk with few findings costs no memory for it.
    pub fn for_chunk() -> PrettyItems {
        PrettyItems {
            json: Vec::with_capacity(1 << 20),
            ..PrettyItems::default()
        }
    }

    pub fn push<T: Serialize + ?Sized>(&mut self, value: &T, depth: usize) {
        let before = self.json.len();
        if self.count > 0 {
            self.json.extend_from_slice(b",\n");
        }
        match pretty_item(&mut self.json, value, depth) {
            Ok(()) => self.count += 1,
            Err(e) => {
                self.json.truncate(before);
                self.error.get_or_insert(e);
            }
        }
    }

    /// A finding row as [`PrettyItems::push`] would write it, without serde (see the
    /// module docs).
    pub fn push_row(&mut self, row: &FindingRow, depth: usize) {
        if self.count > 0 {
            self.json.extend_from_slice(b",\n");
        }
        indent(&mut self.json, depth);
        row.write_pretty(&mut self.json, depth);
        self.count += 1;
    }

    /// Empty again, its buffer kept for the next chunk.
    pub fn clear(&mut self) {
        self.json.clear();
        self.count = 0;
    }
}

/// Appends `value` as `serde_json::to_vec_pretty` writes an item of a list `depth` levels
/// in: its indentation, then the value with its lines indented to match. For a document
/// written item by item that must read byte for byte as the pretty printer would write it
/// whole (the JSON and SARIF of `tekigo vuln scan`). On an error nothing is appended.
fn pretty_item<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
    depth: usize,
) -> serde_json::Result<()> {
    let before = out.len();
    out.resize(before + 2 * depth, b' ');
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, Indented::new(depth));
    let result = value.serialize(&mut ser);
    if result.is_err() {
        out.truncate(before);
    }
    result
}

/// `serde_json`'s pretty printer with two-space indentation, byte for byte, starting at a
/// given depth and writing each line break and its indentation at once ([`line_parts`]).
struct Indented {
    depth: usize,
    has_value: bool,
}

impl Indented {
    fn new(depth: usize) -> Indented {
        Indented {
            depth,
            has_value: false,
        }
    }

    /// `,` when `comma`, a line break, and the indentation of the current depth.
    fn line<W: ?Sized + std::io::Write>(&self, w: &mut W, comma: bool) -> std::io::Result<()> {
        let (line, more) = line_parts(comma, self.depth);
        w.write_all(line)?;
        (0..more).try_for_each(|_| w.write_all(b"  "))
    }
}

impl Indented {
    /// `[` or `{`: one level in, nothing in it yet.
    fn open<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    /// `]` or `}`: on a line of its own at the outer depth when the list or object has
    /// values, right after the opening one when it has none.
    fn close<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.line(w, false)?;
        }
        w.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line(w, !first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line(w, !first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

impl FindingRow {
    /// Appends the row as serde_json's pretty printer writes it `depth` levels in (its
    /// first line not indented). Field for field the serde derive of [`FindingRow`],
    /// which `row_writer_is_the_serde_derive` holds it to.
    pub fn write_pretty(&self, out: &mut Vec<u8>, depth: usize) {
        let mut o = Object::open(out, depth);
        o.str("vulnerability", &self.vulnerability);
        o.strs("aliases", &self.aliases);
        o.str("source", self.source);
        o.str("component", &self.component);
        o.str("version", &self.version);
        if let Some(s) = &self.summary {
            o.str("summary", s);
        }
        o.opt_object("severity", self.severity.as_ref(), SeverityOut::write);
        o.bool("kev", self.kev);
        o.opt_str("kev_date_added", self.kev_date_added.as_deref());
        o.opt_str("kev_due_date", self.kev_due_date.as_deref());
        o.opt_str("kev_ransomware", self.kev_ransomware.as_deref());
        o.opt_str("fixed_version", self.fixed_version.as_deref());
        o.opt_str("published", self.published.as_deref());
        o.opt_object("triage", self.triage.as_ref(), TriageOut::write);
        o.str("state", self.state.as_str());
        if let Some(j) = &self.justification {
            o.str("justification", j);
        }
        if !self.evidence.is_empty() {
            o.objects("evidence", &self.evidence, write_line);
        }
        if let Some(r) = &self.state_reason {
            o.str("state_reason", r);
        }
        o.bool("needs_review", self.needs_review);
        let written = o.object("explanation", &*self.explanation, write_explanation);
        let row_depth = o.depth;
        o.objects("sources", &self.sources, |s, o| {
            write_source(s, o, |o| {
                // The first source's explanation is the finding's own (one `Arc`): its
                // bytes are copied two levels deeper instead of written again (9 million of
                // the 851 million instructions of the 15k benchmark scan).
                if Arc::ptr_eq(&s.explanation, &self.explanation) {
                    o.copy_of("explanation", written.clone(), o.depth - row_depth);
                } else {
                    o.object("explanation", &*s.explanation, write_explanation);
                }
            })
        });
        o.close();
    }
}

impl SeverityOut {
    fn write(&self, o: &mut Object<'_>) {
        o.number("score", &self.score);
        o.opt_str("label", self.label.as_deref());
        o.opt_str("vector", self.vector.as_deref());
        o.str("kind", &self.kind);
    }
}

impl TriageOut {
    fn write(&self, o: &mut Object<'_>) {
        o.str("state", &self.state);
        o.opt_str("justification", self.justification.as_deref());
        o.opt_str("note", self.note.as_deref());
        o.str("author", &self.author);
        o.str("timestamp", &self.timestamp);
    }
}

fn write_line(line: &Line, o: &mut Object<'_>) {
    o.str("file", &line.file);
    o.number("number", &line.number);
    o.str("text", &line.text);
}

fn write_explanation(e: &Explanation, o: &mut Object<'_>) {
    o.str("matched_by", &e.matched_by);
    o.str("range", &e.range);
    o.str("comparison", &e.comparison);
    o.str("rules", e.rules);
    o.bool("exact", e.exact);
    if !e.notes.is_empty() {
        o.strs("notes", &e.notes);
    }
    if let Some(v) = &e.via_source {
        o.str("via_source", v);
    }
}

/// A source's fields, its explanation written by `explanation`.
fn write_source(s: &SourceMatch, o: &mut Object<'_>, explanation: impl FnOnce(&mut Object<'_>)) {
    o.str("source", s.source.as_str());
    o.str("advisory", &s.advisory);
    o.opt_str("fixed_version", s.fixed_version.as_deref());
    o.bool("needs_review", s.needs_review);
    explanation(o);
}

/// An object being written: `{` written, its keys one level further in than it.
struct Object<'o> {
    out: &'o mut Vec<u8>,
    /// The depth of its keys.
    depth: usize,
    empty: bool,
}

impl<'o> Object<'o> {
    /// Writes `{` for an object `depth` levels in.
    fn open(out: &'o mut Vec<u8>, depth: usize) -> Object<'o> {
        out.push(b'{');
        Object {
            out,
            depth: depth + 1,
            empty: true,
        }
    }

    /// `}`: on a line of its own unless the object is empty, as the pretty printer does.
    fn close(self) {
        if !self.empty {
            line_break(self.out, self.depth - 1);
        }
        self.out.push(b'}');
    }

    /// The key's line, up to its value. Keys are tekigo's own field names: nothing in them
    /// needs escaping.
    fn key(&mut self, name: &str) {
        let comma = !std::mem::replace(&mut self.empty, false);
        self.out.reserve(2 * self.depth + name.len() + 6);
        line(self.out, comma, self.depth);
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\": ");
    }

    fn str(&mut self, name: &str, value: &str) {
        self.key(name);
        string(self.out, value);
    }

    fn opt_str(&mut self, name: &str, value: Option<&str>) {
        self.key(name);
        match value {
            Some(v) => string(self.out, v),
            None => self.out.extend_from_slice(b"null"),
        }
    }

    fn bool(&mut self, name: &str, value: bool) {
        self.key(name);
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
    }

    /// A number (or `Option` of one) as serde_json writes it (`10.0`, not `10`; `null` for
    /// a float that is not finite).
    fn number<T: Serialize>(&mut self, name: &str, value: &T) {
        self.key(name);
        if serde_json::to_writer(&mut *self.out, value).is_err() {
            // Numbers always serialize; should one not, the document still parses.
            self.out.extend_from_slice(b"null");
        }
    }

    /// Writes an object; returns where its value (`{` to `}`) is in the output.
    fn object<T>(
        &mut self,
        name: &str,
        value: &T,
        fields: impl FnOnce(&T, &mut Object<'_>),
    ) -> std::ops::Range<usize> {
        self.key(name);
        let start = self.out.len();
        let mut inner = Object::open(self.out, self.depth);
        fields(value, &mut inner);
        inner.close();
        start..self.out.len()
    }

    /// A value already written at `value` in the output, again under `name`, `deeper`
    /// levels further in: each of its line breaks takes that much more indentation. (A line
    /// break in JSON text is always layout: within strings it is escaped.)
    fn copy_of(&mut self, name: &str, value: std::ops::Range<usize>, deeper: usize) {
        self.key(name);
        let mut start = value.start;
        while let Some(n) = memchr::memchr(b'\n', &self.out[start..value.end]) {
            self.out.extend_from_within(start..start + n + 1);
            indent(self.out, deeper);
            start += n + 1;
        }
        self.out.extend_from_within(start..value.end);
    }

    fn opt_object<T>(
        &mut self,
        name: &str,
        value: Option<&T>,
        fields: impl FnOnce(&T, &mut Object<'_>),
    ) {
        match value {
            Some(v) => {
                self.object(name, v, fields);
            }
            None => {
                self.key(name);
                self.out.extend_from_slice(b"null");
            }
        }
    }

    fn strs(&mut self, name: &str, items: &[String]) {
        self.key(name);
        list(self.out, self.depth, items, |out, _, s| string(out, s));
    }

    fn objects<T>(&mut self, name: &str, items: &[T], fields: impl Fn(&T, &mut Object<'_>)) {
        self.key(name);
        list(self.out, self.depth, items, |out, depth, item| {
            let mut o = Object::open(out, depth);
            fields(item, &mut o);
            o.close();
        });
    }
}

/// A list `depth` levels in, each item on its own line one level further in; `[]` when
/// empty.
fn list<T>(out: &mut Vec<u8>, depth: usize, items: &[T], item: impl Fn(&mut Vec<u8>, usize, &T)) {
    out.push(b'[');
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        line_break(out, depth + 1);
        item(out, depth + 1, x);
    }
    if !items.is_empty() {
        line_break(out, depth);
    }
    out.push(b']');
}

fn line_break(out: &mut Vec<u8>, depth: usize) {
    line(out, false, depth);
}

/// `,` when `comma`, a line break and the indentation of `depth`, written at once.
fn line(out: &mut Vec<u8>, comma: bool, depth: usize) {
    let (line, more) = line_parts(comma, depth);
    out.extend_from_slice(line);
    indent(out, more);
}

/// `,` when `comma`, a line break and the indentation of `depth` as one slice, and the
/// levels of indentation still to write past the 40 it holds (the pretty printer writes
/// the indentation two spaces at a time: a fifth of the time of writing 15,000 findings
/// went to such small writes).
fn line_parts(comma: bool, depth: usize) -> (&'static [u8], usize) {
    /// A comma, a line break and enough spaces for 40 levels.
    const LINE: &[u8; 82] =
        b",\n                                                                                ";
    let start = usize::from(!comma);
    match LINE.get(start..2 + 2 * depth) {
        Some(line) => (line, 0),
        None => (&LINE[start..2], depth),
    }
}

fn indent(out: &mut Vec<u8>, depth: usize) {
    out.resize(out.len() + 2 * depth, b' ');
}

/// A JSON string as serde_json writes it: `"` and `\` escaped, control characters as `\n`,
/// `\t` and the like or `\u00XX`, everything else (non-ASCII too) as it is. Most strings
/// need no escape at all, which is checked sixteen bytes at a time.
fn string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    if needs_escape(bytes) {
        escape(out, bytes);
    } else {
        out.extend_from_slice(bytes);
    }
    out.push(b'"');
}

fn needs_escape(bytes: &[u8]) -> bool {
    let special = |b: u8| (b < 0x20) | (b == b'"') | (b == b'\\');
    let mut chunks = bytes.chunks_exact(16);
    // No early exit within a chunk, so that the check is vectorized.
    chunks.any(|c| c.iter().fold(false, |any, &b| any | special(b)))
        || chunks.remainder().iter().any(|&b| special(b))
}

fn escape(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            0..0x20 => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 15)],
            ]),
            _ => out.push(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FindingState;
    use tekigo_vulndb::Source;

    fn indented(v: &serde_json::Value) -> String {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, Indented::new(0));
        v.serialize(&mut ser).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Byte for byte the pretty printer, on empty, nested and deeper-than-the-line values.
    #[test]
    fn indented_is_the_pretty_printer() {
        let mut deep = serde_json::json!({"x": [1, {"y": []}], "z": {}});
        for i in 0..50 {
            deep = if i % 2 == 0 {
                serde_json::json!([deep, "a\"b\n", null, 1.5])
            } else {
                serde_json::json!({"k": deep, "e": [], "o": {}, "t": true})
            };
        }
        for v in [
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!([[]]),
            serde_json::json!({"a": {"b": [1, 2, {"c": null}]}, "d": "é\u{1}"}),
            deep,
        ] {
            assert_eq!(indented(&v), serde_json::to_string_pretty(&v).unwrap());
        }
    }

    /// Strings with every ASCII byte, one special byte at every place around the 16-byte
    /// chunks of the check, and text that is not ASCII: as serde_json escapes them.
    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut texts: Vec<String> = (0u8..0x80).map(|b| format!("a{}b", b as char)).collect();
        for at in 0..40 {
            for special in ['"', '\\', '\n', '\u{1f}', '\u{7f}', 'é'] {
                let mut s: String = "x".repeat(40);
                s.insert(at, special);
                texts.push(s);
            }
        }
        texts.extend([
            "".into(),
            "適合 \u{2028} \u{feff}".into(),
            "\u{0}".repeat(33),
        ]);
        for t in texts {
            let mut out = Vec::new();
            string(&mut out, &t);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&t).unwrap()
            );
        }
    }

    fn explanation(tag: &str, full: bool) -> Explanation {
        Explanation {
            matched_by: format!("OSV PyPI package {tag}"),
            range: "ECOSYSTEM range: introduced 0, fixed 1.2.2".into(),
            comparison: "0.0.0 < fixed \"1.2.2\"\\".into(),
            rules: "PEP 440 version ordering",
            exact: full,
            notes: if full {
                vec!["a note\twith a tab".into(), "二つ目".into()]
            } else {
                Vec::new()
            },
            via_source: full.then(|| "src 1.0".to_string()),
        }
    }

    /// A row with every optional field present and one with every one absent (and lists
    /// empty), with strings that need escaping.
    fn rows() -> Vec<FindingRow> {
        let full = FindingRow {
            vulnerability: "CVE-2024-0001".into(),
            aliases: vec!["GHSA-xxxx".into(), "DSA-1\u{1}".into()],
            source: "osv",
            component: "pkg:pypi/a@1.0?x=\"y\"".into(),
            version: "1.0".into(),
            summary: Some("line one\nline two — 脆弱性".into()),
            severity: Some(SeverityOut {
                score: Some(10.0),
                label: Some("CRITICAL".into()),
                vector: Some("CVSS:3.1/AV:N".into()),
                kind: "CVSS_V3".into(),
            }),
            kev: true,
            kev_date_added: Some("2024-01-02".into()),
            kev_due_date: Some("2024-01-23".into()),
            kev_ransomware: Some("Known".into()),
            fixed_version: Some("1.2.2".into()),
            published: Some("2023-01-01T00:00:00Z".into()),
            triage: Some(TriageOut {
                state: "not_affected".into(),
                justification: Some("vulnerable_code_not_present".into()),
                note: Some("checked by \"hand\"".into()),
                author: "山田".into(),
                timestamp: "2026-12-03T00:00:00Z".into(),
            }),
            state: FindingState::NotAffected,
            justification: Some("vulnerable_code_not_present".into()),
            evidence: vec![
                Line {
                    file: "net/Makefile".into(),
                    number: 12,
                    text: "obj-$(CONFIG_X)\t+= x.o".into(),
                },
                Line {
                    file: ".config".into(),
                    number: 0,
                    text: "# CONFIG_X is not set".into(),
                },
            ],
            state_reason: Some("reason".into()),
            needs_review: true,
            explanation: explanation("a", true).into(),
            sources: vec![
                SourceMatch {
                    source: Source::Osv,
                    advisory: "GHSA-xxxx".into(),
                    fixed_version: Some("1.2.2".into()),
                    needs_review: false,
                    explanation: explanation("a", true).into(),
                },
                SourceMatch {
                    source: Source::Nvd,
                    advisory: "CVE-2024-0001".into(),
                    fixed_version: None,
                    needs_review: true,
                    explanation: explanation("b", false).into(),
                },
            ],
            component_ref: Default::default(),
            decision: None,
        };
        let mut bare = full.clone();
        bare.aliases.clear();
        bare.summary = None;
        bare.severity = Some(SeverityOut {
            score: None,
            label: None,
            vector: None,
            kind: "".into(),
        });
        (bare.kev, bare.needs_review) = (false, false);
        bare.kev_date_added = None;
        bare.kev_due_date = None;
        bare.kev_ransomware = None;
        bare.fixed_version = None;
        bare.published = None;
        bare.triage = None;
        bare.state = FindingState::Affected;
        bare.justification = None;
        bare.evidence.clear();
        bare.state_reason = None;
        bare.explanation = explanation("c", false).into();
        bare.sources.clear();
        let mut no_severity = bare.clone();
        no_severity.severity = None;
        no_severity.state = FindingState::Unknown;
        // As the matcher makes them: the first source's explanation is the finding's own
        // `Arc` (its bytes are copied, not written again), the second another.
        let mut shared = full.clone();
        shared.sources[0].explanation = shared.explanation.clone();
        vec![full, bare, no_severity, shared]
    }

    /// The direct writer and the serde derive write the same bytes, at any depth and as
    /// several items of one list.
    #[test]
    fn row_writer_is_the_serde_derive() {
        for depth in [0, 1, 3] {
            let (mut by_serde, mut by_hand) = (PrettyItems::default(), PrettyItems::default());
            for row in rows() {
                by_serde.push(&row, depth);
                by_hand.push_row(&row, depth);
            }
            assert!(by_serde.error.is_none());
            assert_eq!(by_hand.count, rows().len());
            assert_eq!(
                String::from_utf8(by_hand.json).unwrap(),
                String::from_utf8(by_serde.json).unwrap(),
                "depth {depth}"
            );
        }
    }
}
