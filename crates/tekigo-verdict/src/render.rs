//! A report as people and CI systems read it: a summary grouped by FR, JUnit XML, SARIF
//! 2.1.0. JSON is the [`Report`] itself (see docs/scan-json.md).

use std::fmt::Write as _;

use serde_json::{json, Value};
use tekigo_catalog::{escape_xml as xml_escape, Lang};

use crate::model::{CheckResult, Direction, Evidence, Report, Verdict};

fn fr_of<'a>(report: &'a Report, r: &CheckResult) -> Option<&'a str> {
    let catalog = tekigo_catalog::Catalog::builtin().ok()?;
    r.requirements.iter().find_map(|id| {
        let (_, item) = catalog.find(id)?;
        let fr = item.fr?.to_string();
        report
            .summary
            .iter()
            .find(|s| s.fr == fr)
            .map(|s| s.fr.as_str())
    })
}

fn label(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "PASS",
        Verdict::Fail => "FAIL",
        Verdict::Absent => "ABSENT",
        Verdict::NotApplicable => "N/A",
        Verdict::Unreadable => "UNREAD",
    }
}

/// The human summary: per FR the reachable SL-C, then each check; findings with their
/// deciding evidence and the remediation.
pub fn human(report: &Report, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "tekigo {} of {} ({})",
        verb(report),
        report.target.path,
        report.target.kind
    );
    for (k, v) in &report.facts {
        let _ = writeln!(out, "  {k}: {v}");
    }
    for s in &report.summary {
        if s.checks == 0 {
            continue;
        }
        let _ = writeln!(
            out,
            "\n{} {} — SL-C from automated evidence: {}{}",
            s.fr,
            s.abbr,
            s.sl_c.map_or("-".into(), |l| l.to_string()),
            s.capped_by
                .as_ref()
                .map(|c| format!(" (capped by {c})"))
                .unwrap_or_default()
        );
        for r in report
            .results
            .iter()
            .filter(|r| fr_of(report, r) == Some(s.fr.as_str()))
        {
            let _ = writeln!(
                out,
                "  {:<6} {:<32} {:<22} {}",
                label(r.verdict),
                r.check,
                r.requirements.join(", "),
                r.title.get(lang)
            );
            if r.verdict == Verdict::Pass || r.verdict == Verdict::NotApplicable {
                continue;
            }
            let _ = writeln!(out, "         {}", r.detail);
            for e in r.evidence.iter().take(4) {
                if let Some(port) = e.port {
                    network_evidence(&mut out, port, e);
                    continue;
                }
                let path = e.path.as_deref().unwrap_or("");
                if e.lines.is_empty() && !path.is_empty() {
                    let _ = writeln!(out, "           {path}");
                }
                for l in e.lines.iter().take(4) {
                    let _ = writeln!(out, "           {path}:{}: {}", l.number, l.text);
                }
            }
            if r.verdict.is_finding() {
                let _ = writeln!(out, "         → {}", r.remediation.get(lang));
            }
        }
    }
    let count = |v: Verdict| report.results.iter().filter(|r| r.verdict == v).count();
    let _ = writeln!(
        out,
        "\n{} checks: {} pass, {} fail, {} absent, {} not applicable, {} unreadable",
        report.results.len(),
        count(Verdict::Pass),
        count(Verdict::Fail),
        count(Verdict::Absent),
        count(Verdict::NotApplicable),
        count(Verdict::Unreadable)
    );
    if let Some(b) = &report.baseline {
        let _ = writeln!(
            out,
            "against the baseline: {} new finding(s){}{}, {} fixed{}{}",
            b.new.len(),
            if b.new.is_empty() { "" } else { ": " },
            b.new.join(", "),
            b.fixed.len(),
            if b.fixed.is_empty() { "" } else { ": " },
            b.fixed.join(", ")
        );
    }
    out
}

/// A report of `tekigo probe` (a network target) or of `tekigo scan`.
fn verb(report: &Report) -> &'static str {
    if report.target.kind == NETWORK_TARGET {
        "probe"
    } else {
        "scan"
    }
}

/// `target.kind` of a probe report.
pub const NETWORK_TARGET: &str = "host";

fn arrow(d: Direction) -> &'static str {
    match d {
        Direction::Sent => ">",
        Direction::Received => "<",
        Direction::Event => "*",
    }
}

/// The port, derived values, and the first lines of the transcript.
fn network_evidence(out: &mut String, port: u16, e: &Evidence) {
    let proto = e.protocol.as_deref().unwrap_or("tcp");
    let values: Vec<String> = e.values.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let _ = writeln!(out, "           {port}/{proto} {}", values.join(" "));
    for x in e.transcript.iter().take(6) {
        let mut text: String = x.text.chars().take(100).collect();
        if text.len() < x.text.len() {
            text.push('…');
        }
        let _ = writeln!(out, "             {} {text}", arrow(x.direction));
    }
}

fn evidence_text(r: &CheckResult) -> String {
    let mut s = String::new();
    for e in &r.evidence {
        if let Some(port) = e.port {
            let _ = writeln!(s, "{}/{port}", e.protocol.as_deref().unwrap_or("tcp"));
            for x in &e.transcript {
                let _ = writeln!(s, "  {} {} {}", x.at, arrow(x.direction), x.text);
            }
        }
        if let Some(p) = &e.path {
            let _ = writeln!(
                s,
                "{p}{}",
                e.sha256
                    .as_ref()
                    .map(|h| format!(" sha256:{h}"))
                    .unwrap_or_default()
            );
        }
        for l in &e.lines {
            let _ = writeln!(s, "  {}: {}", l.number, l.text);
        }
        for (k, v) in &e.values {
            let _ = writeln!(s, "  {k} = {v}");
        }
        if let Some(n) = &e.note {
            let _ = writeln!(s, "  {n}");
        }
    }
    s
}

/// JUnit XML: one test suite per FR, one test case per check; fail and absent are
/// failures, not applicable and unreadable are skipped with the reason.
pub fn junit(report: &Report, lang: Lang) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let failures = report
        .results
        .iter()
        .filter(|r| r.verdict.is_finding())
        .count();
    let _ = writeln!(
        out,
        "<testsuites name=\"tekigo {}\" tests=\"{}\" failures=\"{failures}\">",
        verb(report),
        report.results.len()
    );
    let mut groups: Vec<(String, Vec<&CheckResult>)> = Vec::new();
    for r in &report.results {
        let fr = fr_of(report, r).unwrap_or("other").to_string();
        match groups.iter_mut().find(|(f, _)| *f == fr) {
            Some((_, v)) => v.push(r),
            None => groups.push((fr, vec![r])),
        }
    }
    for (fr, results) in groups {
        let f = results.iter().filter(|r| r.verdict.is_finding()).count();
        let skipped = results
            .iter()
            .filter(|r| matches!(r.verdict, Verdict::NotApplicable | Verdict::Unreadable))
            .count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f}\" skipped=\"{skipped}\">",
            xml_escape(&fr),
            results.len()
        );
        for r in results {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{} {}\"",
                xml_escape(&fr),
                xml_escape(&r.check),
                xml_escape(r.title.get(lang))
            );
            let body = match r.verdict {
                Verdict::Pass => None,
                Verdict::Fail | Verdict::Absent => Some(format!(
                    "      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                    r.verdict,
                    xml_escape(&r.detail),
                    xml_escape(&format!(
                        "{}\n{}\n{}",
                        r.requirements.join(", "),
                        evidence_text(r),
                        r.remediation.get(lang)
                    ))
                )),
                Verdict::NotApplicable | Verdict::Unreadable => Some(format!(
                    "      <skipped message=\"{}: {}\"/>\n",
                    r.verdict,
                    xml_escape(&r.detail)
                )),
            };
            match body {
                None => out.push_str("/>\n"),
                Some(b) => {
                    out.push_str(">\n");
                    out.push_str(&b);
                    out.push_str("    </testcase>\n");
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// SARIF 2.1.0: one rule per check, one result per check with its kind (pass, fail,
/// notApplicable, review for unreadable), locations at the deciding lines.
pub fn sarif(report: &Report, lang: Lang) -> Value {
    let rules: Vec<Value> = report
        .results
        .iter()
        .map(|r| {
            json!({
                "id": r.check,
                "name": r.check,
                "shortDescription": {"text": r.title.get(lang)},
                "fullDescription": {"text": r.explanation.get(lang)},
                "help": {"text": r.remediation.get(lang)},
                "properties": {"requirements": r.requirements, "tags": r.requirements},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .results
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (kind, level) = match r.verdict {
                Verdict::Pass => ("pass", "none"),
                Verdict::Fail => ("fail", "error"),
                Verdict::Absent => ("fail", "warning"),
                Verdict::NotApplicable => ("notApplicable", "none"),
                Verdict::Unreadable => ("review", "none"),
            };
            let mut locations = Vec::new();
            for e in &r.evidence {
                if let (None, Some(port)) = (&e.path, e.port) {
                    let proto = e.protocol.as_deref().unwrap_or("tcp");
                    locations.push(json!({"physicalLocation": {"artifactLocation": {
                        "uri": format!("{proto}://{}:{port}", uri_host(&report.target.path))}}}));
                    continue;
                }
                let Some(path) = &e.path else { continue };
                let uri = path.trim_start_matches('/');
                if e.lines.is_empty() {
                    locations.push(json!({"physicalLocation": {
                        "artifactLocation": {"uri": uri, "uriBaseId": "ROOT"}}}));
                }
                for l in &e.lines {
                    if l.number == 0 {
                        continue;
                    }
                    locations.push(json!({"physicalLocation": {
                        "artifactLocation": {"uri": uri, "uriBaseId": "ROOT"},
                        "region": {"startLine": l.number, "snippet": {"text": l.text}}}}));
                }
            }
            locations.truncate(20);
            json!({
                "ruleId": r.check,
                "ruleIndex": i,
                "kind": kind,
                "level": level,
                "message": {"text": format!("{}: {}", r.verdict, r.detail)},
                "locations": locations,
                "properties": {"verdict": r.verdict, "requirements": r.requirements},
            })
        })
        .collect();
    let base = if report.target.kind == "live" {
        "file:///".to_string()
    } else {
        format!("file://{}/", report.target.path.trim_end_matches('/'))
    };
    let mut run = json!({
        "tool": {"driver": {
            "name": report.tool.name,
            "version": report.tool.version,
            "informationUri": env!("CARGO_PKG_REPOSITORY"),
            "rules": rules,
        }},
        "originalUriBaseIds": {"ROOT": {"uri": base}},
        "results": results,
    });
    if report.target.kind == NETWORK_TARGET {
        // Locations are network addresses, not files under a root.
        if let Some(run) = run.as_object_mut() {
            run.remove("originalUriBaseIds");
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    })
}

/// A host for a URI: IPv6 addresses in brackets.
fn uri_host(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}
