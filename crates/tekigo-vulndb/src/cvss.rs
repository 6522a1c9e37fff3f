//! CVSS base scores from vectors.
//!
//! OSV records carry CVSS vectors without scores, and `--fail-on high` needs a number. The
//! v3.x and v2 base equations are short and public (FIRST's specifications), so they are
//! computed here; CVSS v4 scores come from a large lookup table and are only taken when the
//! source states them.

use crate::model::Severity;

/// Builds a [`Severity`] from an OSV `severity[]` entry (`type`, `score`), where `score` is a
/// vector (or, in some feeds, a bare number).
pub fn from_osv(kind: &str, score: &str) -> Severity {
    let score = score.trim();
    let computed = match kind {
        "CVSS_V3" => v3_base(score),
        "CVSS_V2" => v2_base(score),
        _ => None,
    }
    .or_else(|| {
        score
            .parse::<f64>()
            .ok()
            .filter(|s| (0.0..=10.0).contains(s))
    });
    let vector = (score.parse::<f64>().is_err()).then(|| score.to_string());
    Severity {
        kind: kind.to_string(),
        vector,
        score: computed,
        label: computed.map(|s| label_for(s).to_string()),
    }
}

/// The qualitative rating of a CVSS v3 score (also used for v2 and v4, whose bands are close
/// enough for a fail threshold).
pub fn label_for(score: f64) -> &'static str {
    if score >= 9.0 {
        "CRITICAL"
    } else if score >= 7.0 {
        "HIGH"
    } else if score >= 4.0 {
        "MEDIUM"
    } else if score > 0.0 {
        "LOW"
    } else {
        "NONE"
    }
}

fn metrics(vector: &str) -> impl Iterator<Item = (&str, &str)> {
    vector.split('/').filter_map(|part| part.split_once(':'))
}

/// CVSS v3.0/v3.1 base score; `None` for an incomplete or invalid vector.
pub fn v3_base(vector: &str) -> Option<f64> {
    let rest = vector
        .strip_prefix("CVSS:3.1/")
        .or_else(|| vector.strip_prefix("CVSS:3.0/"))?;
    let (mut av, mut ac, mut pr, mut ui, mut s, mut c, mut i, mut a) =
        (None, None, None, None, None, None, None, None);
    for (k, v) in metrics(rest) {
        match k {
            "AV" => av = Some(v),
            "AC" => ac = Some(v),
            "PR" => pr = Some(v),
            "UI" => ui = Some(v),
            "S" => s = Some(v),
            "C" => c = Some(v),
            "I" => i = Some(v),
            "A" => a = Some(v),
            _ => {}
        }
    }
    let changed = match s? {
        "U" => false,
        "C" => true,
        _ => return None,
    };
    let av = match av? {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        "P" => 0.2,
        _ => return None,
    };
    let ac = match ac? {
        "L" => 0.77,
        "H" => 0.44,
        _ => return None,
    };
    let pr = match (pr?, changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        ("H", true) => 0.5,
        _ => return None,
    };
    let ui = match ui? {
        "N" => 0.85,
        "R" => 0.62,
        _ => return None,
    };
    let cia = |m: Option<&str>| match m? {
        "H" => Some(0.56),
        "L" => Some(0.22),
        "N" => Some(0.0),
        _ => None,
    };
    let iss = 1.0 - (1.0 - cia(c)?) * (1.0 - cia(i)?) * (1.0 - cia(a)?);
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02f64).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    if impact <= 0.0 {
        return Some(0.0);
    }
    let raw = if changed {
        (1.08 * (impact + exploitability)).min(10.0)
    } else {
        (impact + exploitability).min(10.0)
    };
    Some(roundup(raw))
}

/// CVSS v3.1 "Roundup": the smallest one-decimal number not below the input, robust against
/// floating-point noise.
fn roundup(x: f64) -> f64 {
    let int_input = (x * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        ((int_input / 10_000) + 1) as f64 / 10.0
    }
}

/// CVSS v2 base score; `None` for an incomplete or invalid vector.
pub fn v2_base(vector: &str) -> Option<f64> {
    let rest = vector.trim_start_matches('(').trim_end_matches(')');
    let (mut av, mut ac, mut au, mut c, mut i, mut a) = (None, None, None, None, None, None);
    for (k, v) in metrics(rest) {
        match k {
            "AV" => av = Some(v),
            "AC" => ac = Some(v),
            "Au" => au = Some(v),
            "C" => c = Some(v),
            "I" => i = Some(v),
            "A" => a = Some(v),
            _ => {}
        }
    }
    let av = match av? {
        "L" => 0.395,
        "A" => 0.646,
        "N" => 1.0,
        _ => return None,
    };
    let ac = match ac? {
        "H" => 0.35,
        "M" => 0.61,
        "L" => 0.71,
        _ => return None,
    };
    let au = match au? {
        "M" => 0.45,
        "S" => 0.56,
        "N" => 0.704,
        _ => return None,
    };
    let cia = |m: Option<&str>| match m? {
        "N" => Some(0.0),
        "P" => Some(0.275),
        "C" => Some(0.660),
        _ => None,
    };
    let impact = 10.41 * (1.0 - (1.0 - cia(c)?) * (1.0 - cia(i)?) * (1.0 - cia(a)?));
    let exploitability = 20.0 * av * ac * au;
    let f: f64 = if impact == 0.0 { 0.0 } else { 1.176 };
    let score: f64 = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * f;
    Some((score * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_scores_of_real_records() {
        // Log4Shell (GHSA-jfh8-c2jp-5v3q): 10.0; CVE-2022-29194 (NVD): 5.5; CVE-2020-13595
        // (NVD): 6.5; BSI-2022-0001 (temporal metrics ignored): 6.1, as the document states.
        assert_eq!(
            v3_base("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"),
            Some(10.0)
        );
        assert_eq!(
            v3_base("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H"),
            Some(5.5)
        );
        assert_eq!(
            v3_base("CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"),
            Some(6.5)
        );
        assert_eq!(
            v3_base("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Some(9.8)
        );
        assert_eq!(
            v3_base("CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:L/E:F/RL:O/RC:C"),
            Some(6.1)
        );
        assert_eq!(
            v3_base("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:N"),
            Some(0.0)
        );
        assert_eq!(v3_base("CVSS:3.1/AV:N/AC:L"), None);
        assert_eq!(v3_base("AV:N/AC:L/Au:N/C:P/I:P/A:P"), None);
    }

    #[test]
    fn v2_scores_of_real_records() {
        assert_eq!(v2_base("AV:L/AC:L/Au:N/C:N/I:N/A:P"), Some(2.1));
        assert_eq!(v2_base("AV:A/AC:L/Au:N/C:N/I:N/A:P"), Some(3.3));
        assert_eq!(v2_base("AV:N/AC:L/Au:N/C:C/I:C/A:C"), Some(10.0));
        assert_eq!(v2_base("AV:N/AC:L"), None);
    }

    #[test]
    fn osv_severity_entries() {
        let s = from_osv("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H");
        assert_eq!(s.score, Some(10.0));
        assert_eq!(s.label.as_deref(), Some("CRITICAL"));
        let bare = from_osv("CVSS_V3", "8.1");
        assert_eq!((bare.score, bare.vector), (Some(8.1), None));
        let v4 = from_osv(
            "CVSS_V4",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        );
        assert_eq!(v4.score, None);
        assert!(v4.vector.is_some());
    }
}
