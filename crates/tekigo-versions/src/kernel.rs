//! Linux kernel versions, and the per-branch decision the kernel's CVE records call for.
//!
//! Since the kernel became a CVE numbering authority, each of its CVE records (CVE JSON 5)
//! states the fix per stable branch: `5.10.210 <= v <= 5.10.*` unaffected, `6.1.79 <= v <=
//! 6.1.*` unaffected, `0 <= v < 4.14` unaffected, everything else affected. A device kernel
//! is rarely a plain release: CIP kernels are `5.10.218-cip50`, PREEMPT_RT kernels
//! `6.1.83-rt28`, CIP's RT kernels `5.10.218-cip50-rt23`, distributions write `6.1.76-1`
//! (Debian's package), `6.1.0-18-amd64` (Debian's ABI name) or `5.14.0-362.8.1.el9_3`.
//!
//! The rules stated once here:
//!
//! - **Position.** A kernel's place on the version line is its upstream release: major,
//!   minor, sublevel (missing = 0), and an `-rcN` release candidate sorts before the release
//!   (`6.8-rc4 < 6.8 = 6.8.0 < 6.8.1`). What follows (`-cip50`, `-rt23`, a distribution's
//!   revision) is the flavour: it names who maintains the kernel, not where it stands, so
//!   `5.10.218-cip50` is at 5.10.218 on the 5.10 branch and carries every fix of 5.10.218.
//! - **Exactness.** A distribution version whose sublevel is `0` followed by a distribution
//!   suffix (`6.1.0-18-amd64`, `5.15.0-91.101`, `5.14.0-362.el9`) names the branch but not
//!   the upstream sublevel: the distribution rebases or backports under a frozen number. Such
//!   a version is [`KernelVersion::exact`] `false`, and a decision that depends on the
//!   sublevel within its own branch is `Unknown` (the distribution's own tracker decides
//!   those; see tekigo-vulndb's backport sources).
//! - **Ranges.** A range entry is `version <= v < lessThan` or `version <= v <=
//!   lessThanOrEqual`, or the single release `version`. A bound `5.10.*` means "every 5.10
//!   release": `v <= 5.10.*` when v's branch is at most 5.10; `*` is unbounded. Entries of
//!   `versionType: git` are commits, not releases, and are not evaluated here.
//! - **Decision.** Among the entries that contain v, any `affected` one makes v affected;
//!   else any `unaffected` one makes it unaffected; else the block's `defaultStatus` applies
//!   (`unknown` when the record gives none). Affected wins over unaffected because a record
//!   that contradicts itself must not hide a vulnerable kernel.

use std::cmp::Ordering;
use std::fmt;

/// Who maintains the kernel build the version names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flavour {
    /// A mainline release (`6.8`, `6.8-rc4`) or a stable release (`6.1.79`).
    Upstream,
    /// The Civil Infrastructure Platform's SLTS kernel: `-cipN`.
    Cip(u32),
    /// The PREEMPT_RT patch set: `-rtN`.
    Rt(u32),
    /// CIP's real-time kernel: `-cipN-rtM`.
    CipRt(u32, u32),
    /// Anything else after the upstream number: a distribution's revision or ABI name, or a
    /// vendor's local version. Kept as written.
    Distribution(String),
}

/// A Linux kernel version split into its upstream position and its flavour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelVersion {
    pub major: u32,
    pub minor: u32,
    /// `None` for a mainline release written without one (`6.8`); it counts as 0.
    pub sublevel: Option<u32>,
    /// The fourth number of a 2.6-era stable release (`2.6.32.70`), which the kernel's CVE
    /// records still cite.
    pub extra: Option<u32>,
    /// `Some(n)` for `-rcN`.
    pub rc: Option<u32>,
    pub flavour: Flavour,
}

impl KernelVersion {
    /// Parses a kernel version as `uname -r`, a kernel package or a CVE record writes it.
    /// A leading `v` (a git tag) is accepted. The error says what was expected.
    pub fn parse(text: &str) -> Result<KernelVersion, String> {
        let t = text.trim();
        let t = t.strip_prefix('v').unwrap_or(t);
        let (nums, rest) = match t.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
            Some(i) => (&t[..i], &t[i..]),
            None => (t, ""),
        };
        let mut parts = nums.split('.');
        let num = |p: Option<&str>, what: &str| -> Result<u32, String> {
            let p = p.ok_or_else(|| format!("no {what} number"))?;
            if p.is_empty() || p.len() > 9 {
                return Err(format!("{what} number {p:?} is not a number"));
            }
            p.parse()
                .map_err(|_| format!("{what} number {p:?} is not a number"))
        };
        let major = num(parts.next(), "major")?;
        let minor = num(parts.next(), "minor")?;
        let sublevel = match parts.next() {
            None => None,
            Some(p) => Some(num(Some(p), "sublevel")?),
        };
        let extra = match parts.next() {
            None => None,
            Some(p) => Some(num(Some(p), "fourth")?),
        };
        // Distribution versions may go on with more dotted numbers only after a `-`.
        if parts.next().is_some() {
            return Err("more than four dotted numbers before the suffix".into());
        }
        let mut rest = rest;
        let mut rc = None;
        if let Some(r) = rest.strip_prefix("-rc") {
            let end = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
            rc = Some(num(Some(&r[..end]), "release candidate")?);
            rest = &r[end..];
        }
        let flavour = flavour(rest)?;
        Ok(KernelVersion {
            major,
            minor,
            sublevel,
            extra,
            rc,
            flavour,
        })
    }

    /// The stable branch (`(5, 10)` for every 5.10.y kernel).
    pub fn branch(&self) -> (u32, u32) {
        (self.major, self.minor)
    }

    /// Whether the version gives the upstream sublevel (see the module docs, "Exactness").
    pub fn exact(&self) -> bool {
        !matches!(self.flavour, Flavour::Distribution(_)) || self.sublevel.unwrap_or(0) != 0
    }

    /// The upstream position: `(major, minor, sublevel, fourth, release-after-rc)`.
    fn key(&self) -> (u32, u32, u32, u32, u32) {
        (
            self.major,
            self.minor,
            self.sublevel.unwrap_or(0),
            self.extra.unwrap_or(0),
            self.rc.unwrap_or(u32::MAX),
        )
    }

    /// Orders two kernels by upstream position only (the flavour does not count).
    pub fn cmp_upstream(&self, other: &KernelVersion) -> Ordering {
        self.key().cmp(&other.key())
    }
}

fn flavour(rest: &str) -> Result<Flavour, String> {
    if rest.is_empty() {
        return Ok(Flavour::Upstream);
    }
    let tagged = |s: &str, tag: &str| -> Option<u32> {
        let n = s.strip_prefix(tag)?;
        (!n.is_empty() && n.len() <= 9 && n.bytes().all(|b| b.is_ascii_digit()))
            .then(|| n.parse().ok())
            .flatten()
    };
    let parts: Vec<&str> = rest.strip_prefix('-').unwrap_or("").split('-').collect();
    match parts.as_slice() {
        [a] if tagged(a, "cip").is_some() => Ok(Flavour::Cip(tagged(a, "cip").unwrap_or(0))),
        [a] if tagged(a, "rt").is_some() => Ok(Flavour::Rt(tagged(a, "rt").unwrap_or(0))),
        [a, b] if tagged(a, "cip").is_some() && tagged(b, "rt").is_some() => Ok(Flavour::CipRt(
            tagged(a, "cip").unwrap_or(0),
            tagged(b, "rt").unwrap_or(0),
        )),
        _ => {
            let printable = rest.len() <= 128
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._+~:".contains(c));
            if printable {
                Ok(Flavour::Distribution(rest.to_string()))
            } else {
                Err(format!("suffix {rest:?} is not a kernel local version"))
            }
        }
    }
}

impl fmt::Display for KernelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        if let Some(s) = self.sublevel {
            write!(f, ".{s}")?;
        }
        if let Some(e) = self.extra {
            write!(f, ".{e}")?;
        }
        if let Some(rc) = self.rc {
            write!(f, "-rc{rc}")?;
        }
        match &self.flavour {
            Flavour::Upstream => Ok(()),
            Flavour::Cip(c) => write!(f, "-cip{c}"),
            Flavour::Rt(r) => write!(f, "-rt{r}"),
            Flavour::CipRt(c, r) => write!(f, "-cip{c}-rt{r}"),
            Flavour::Distribution(s) => f.write_str(s),
        }
    }
}

/// A status a CVE record gives a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KernelStatus {
    Affected,
    Unaffected,
    Unknown,
}

/// One `versions[]` entry of a CVE record, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct KernelRange<'a> {
    pub version: &'a str,
    pub less_than: Option<&'a str>,
    pub less_than_or_equal: Option<&'a str>,
    pub status: KernelStatus,
}

/// The outcome for one kernel against one `affected[]` block, with the entry that decided
/// it (`None` when the default status did) and why, in words a finding can quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelDecision {
    pub status: KernelStatus,
    pub deciding: Option<usize>,
    pub reason: String,
}

/// A range bound: a release, `M.m.*` (the whole branch) or `*`.
enum Bound {
    At(KernelVersion),
    Branch(u32, u32),
    Infinity,
}

fn bound(text: &str) -> Result<Bound, String> {
    let t = text.trim();
    if t == "*" {
        return Ok(Bound::Infinity);
    }
    if let Some(b) = t.strip_suffix(".*") {
        let v = KernelVersion::parse(b)?;
        if v.sublevel.is_some()
            || v.extra.is_some()
            || v.rc.is_some()
            || v.flavour != Flavour::Upstream
        {
            return Err(format!("{t:?}: a wildcard bound is MAJOR.MINOR.*"));
        }
        return Ok(Bound::Branch(v.major, v.minor));
    }
    KernelVersion::parse(t).map(Bound::At)
}

/// `Some(ordering of v against the bound)`, `None` when v's sublevel is unknown and the
/// bound lies inside v's branch.
fn cmp_bound(v: &KernelVersion, b: &Bound) -> Option<Ordering> {
    match b {
        Bound::Infinity => Some(Ordering::Less),
        Bound::Branch(ma, mi) => Some(match v.branch().cmp(&(*ma, *mi)) {
            Ordering::Equal => Ordering::Less,
            o => o,
        }),
        Bound::At(at) => {
            if !v.exact() && v.branch() == at.branch() && at.sublevel.unwrap_or(0) != 0 {
                None
            } else if !v.exact() && v.branch() == at.branch() {
                // `6.1.0-18-amd64` against `6.1` or `6.1-rc3`: at least the release.
                Some(if at.rc.is_some() {
                    Ordering::Greater
                } else {
                    Ordering::Equal
                })
            } else {
                Some(v.cmp_upstream(at))
            }
        }
    }
}

/// Whether `v` lies in the entry: `Some(true/false)`, `None` when that cannot be told (an
/// inexact distribution version against a bound inside its branch).
fn contains(v: &KernelVersion, r: &KernelRange<'_>) -> Result<Option<bool>, String> {
    // `0` is the start of the version line: every kernel is at or above it.
    let from = match r.version.trim() {
        "0" => None,
        text => Some(bound(text)?),
    };
    let low = match &from {
        None => Some(true),
        Some(b) => cmp_bound(v, b).map(|o| o != Ordering::Less),
    };
    let high = match (r.less_than, r.less_than_or_equal) {
        (Some(lt), _) => cmp_bound(v, &bound(lt)?).map(|o| o == Ordering::Less),
        (None, Some(le)) => cmp_bound(v, &bound(le)?).map(|o| o != Ordering::Greater),
        // A single release: the entry is exactly that release.
        (None, None) => match &from {
            Some(b) => cmp_bound(v, b).map(|o| o == Ordering::Equal),
            None => Some(false),
        },
    };
    Ok(match (low, high) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    })
}

/// Decides one `affected[]` block of a CVE record for kernel `v` (the rule is in the module
/// docs, "Decision"). The error names the entry that could not be read.
pub fn kernel_status(
    v: &KernelVersion,
    ranges: &[KernelRange<'_>],
    default: KernelStatus,
) -> Result<KernelDecision, String> {
    let mut unaffected = None;
    let mut undecidable = None;
    for (i, r) in ranges.iter().enumerate() {
        let inside = contains(v, r).map_err(|e| format!("versions[{i}]: {e}"))?;
        match (inside, r.status) {
            (Some(true), KernelStatus::Affected) => {
                return Ok(KernelDecision {
                    status: KernelStatus::Affected,
                    deciding: Some(i),
                    reason: format!("{v} is in the affected range {}", range_text(r)),
                })
            }
            (Some(true), KernelStatus::Unaffected) => unaffected = unaffected.or(Some(i)),
            (None, _) => undecidable = undecidable.or(Some(i)),
            _ => {}
        }
    }
    if let Some(i) = undecidable {
        return Ok(KernelDecision {
            status: KernelStatus::Unknown,
            deciding: Some(i),
            reason: format!(
                "{v} does not give its upstream sublevel, and {} lies within its branch",
                range_text(&ranges[i])
            ),
        });
    }
    if let Some(i) = unaffected {
        return Ok(KernelDecision {
            status: KernelStatus::Unaffected,
            deciding: Some(i),
            reason: format!("{v} is in the unaffected range {}", range_text(&ranges[i])),
        });
    }
    Ok(KernelDecision {
        status: default,
        deciding: None,
        reason: format!("{v} is in no listed range: the default status applies"),
    })
}

/// An entry in words: `5.10.210 <= v <= 5.10.*`, `0 <= v < 4.14`, `= 6.5`.
pub fn range_text(r: &KernelRange<'_>) -> String {
    match (r.less_than, r.less_than_or_equal) {
        (Some(lt), _) => format!("{} <= v < {lt}", r.version),
        (None, Some(le)) => format!("{} <= v <= {le}", r.version),
        (None, None) => format!("v = {}", r.version),
    }
}

#[cfg(test)]
mod tests {
    use super::KernelStatus::*;
    use super::*;

    fn kv(s: &str) -> KernelVersion {
        KernelVersion::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn flavours_and_positions() {
        type Position = (u32, u32, Option<u32>, Option<u32>);
        let cases: &[(&str, Position, Flavour, bool)] = &[
            ("6.8", (6, 8, None, None), Flavour::Upstream, true),
            ("6.8-rc4", (6, 8, None, Some(4)), Flavour::Upstream, true),
            ("v6.1.79", (6, 1, Some(79), None), Flavour::Upstream, true),
            (
                "5.10.218-cip50",
                (5, 10, Some(218), None),
                Flavour::Cip(50),
                true,
            ),
            ("6.1.83-rt28", (6, 1, Some(83), None), Flavour::Rt(28), true),
            (
                "5.10.218-cip50-rt23",
                (5, 10, Some(218), None),
                Flavour::CipRt(50, 23),
                true,
            ),
            (
                "6.1.76-1",
                (6, 1, Some(76), None),
                Flavour::Distribution("-1".into()),
                true,
            ),
            (
                "6.1.0-18-amd64",
                (6, 1, Some(0), None),
                Flavour::Distribution("-18-amd64".into()),
                false,
            ),
            (
                "5.15.0-91-generic",
                (5, 15, Some(0), None),
                Flavour::Distribution("-91-generic".into()),
                false,
            ),
            (
                "5.14.0-362.8.1.el9_3.x86_64",
                (5, 14, Some(0), None),
                Flavour::Distribution("-362.8.1.el9_3.x86_64".into()),
                false,
            ),
            (
                "6.6.14+rpt-rpi-v8",
                (6, 6, Some(14), None),
                Flavour::Distribution("+rpt-rpi-v8".into()),
                true,
            ),
        ];
        for (text, (ma, mi, s, rc), fl, exact) in cases {
            let v = kv(text);
            assert_eq!(
                (v.major, v.minor, v.sublevel, v.rc, &v.flavour, v.exact()),
                (*ma, *mi, *s, *rc, fl, *exact),
                "{text}"
            );
            assert_eq!(v.to_string(), text.trim_start_matches('v'), "round trip");
        }
        for bad in [
            "",
            "6",
            "6.",
            "x.1",
            "6.1.2.3.4",
            "6.1-rc",
            "6.1 2",
            "6.1.2-é",
        ] {
            assert!(KernelVersion::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn order_is_upstream_position() {
        let order = [
            "6.8-rc1", "6.8-rc4", "6.8", "6.8.0", "6.8.1", "6.9-rc1", "6.10",
        ];
        for w in order.windows(2) {
            let o = kv(w[0]).cmp_upstream(&kv(w[1]));
            let want = if w == ["6.8", "6.8.0"] {
                Ordering::Equal
            } else {
                Ordering::Less
            };
            assert_eq!(o, want, "{} vs {}", w[0], w[1]);
        }
        assert_eq!(
            kv("5.10.218-cip50").cmp_upstream(&kv("5.10.218")),
            Ordering::Equal
        );
    }

    /// The "fixed per branch" block of CVE-2024-26602 (sched/membarrier), as the kernel's
    /// CNA wrote it: introduced in 4.14, fixed on each stable branch and in 6.8.
    fn membarrier() -> Vec<KernelRange<'static>> {
        let r = |version, lt, le, status| KernelRange {
            version,
            less_than: lt,
            less_than_or_equal: le,
            status,
        };
        vec![
            r("4.14", None, None, Affected),
            r("0", Some("4.14"), None, Unaffected),
            r("4.19.307", None, Some("4.19.*"), Unaffected),
            r("5.4.269", None, Some("5.4.*"), Unaffected),
            r("5.10.210", None, Some("5.10.*"), Unaffected),
            r("5.15.149", None, Some("5.15.*"), Unaffected),
            r("6.1.79", None, Some("6.1.*"), Unaffected),
            r("6.6.18", None, Some("6.6.*"), Unaffected),
            r("6.7.6", None, Some("6.7.*"), Unaffected),
            r("6.8", None, Some("*"), Unaffected),
        ]
    }

    #[test]
    fn per_branch_decisions() {
        let ranges = membarrier();
        let cases: &[(&str, KernelStatus, Option<usize>)] = &[
            // CIP: the branch's fix (5.10.210) is below the kernel's 5.10.218.
            ("5.10.218-cip50", Unaffected, Some(4)),
            ("5.10.218-cip50-rt23", Unaffected, Some(4)),
            // CIP: the fix is above the kernel.
            ("5.10.200-cip40", Affected, None),
            ("5.10.210-cip45", Unaffected, Some(4)),
            ("5.10.209", Affected, None),
            // 4.4 CIP is older than the introduction.
            ("4.4.302-cip80", Unaffected, Some(1)),
            ("4.14", Affected, Some(0)),
            ("4.14.300", Affected, None),
            ("6.8-rc4", Affected, None),
            ("6.8", Unaffected, Some(9)),
            ("6.12.3", Unaffected, Some(9)),
            // 6.2 was never fixed on its own branch: affected by default.
            ("6.2.16", Affected, None),
            ("6.1.83-rt28", Unaffected, Some(6)),
            ("6.1.76-1", Affected, None),
            ("6.1.0-18-amd64", Unknown, Some(6)),
            ("5.14.0-362.8.1.el9_3", Affected, None),
        ];
        for (text, want, deciding) in cases {
            let d = kernel_status(&kv(text), &ranges, Affected).unwrap();
            assert_eq!((d.status, d.deciding), (*want, *deciding), "{text}: {d:?}");
        }
    }

    /// A bug only a backport put on one branch: default unaffected, one affected range.
    #[test]
    fn another_branch_only() {
        let ranges = [KernelRange {
            version: "6.1.50",
            less_than: Some("6.1.60"),
            less_than_or_equal: None,
            status: Affected,
        }];
        let d = |v| kernel_status(&kv(v), &ranges, Unaffected).unwrap().status;
        assert_eq!(d("5.10.218-cip50"), Unaffected);
        assert_eq!(d("6.1.55-cip7"), Affected);
        assert_eq!(d("6.1.60"), Unaffected);
    }

    #[test]
    fn bad_bounds_are_errors_naming_the_entry() {
        let ranges = [KernelRange {
            version: "abc",
            less_than: None,
            less_than_or_equal: Some("5.10.*"),
            status: Unaffected,
        }];
        let e = kernel_status(&kv("5.10.1"), &ranges, Affected).unwrap_err();
        assert!(e.starts_with("versions[0]:"), "{e}");
    }
}
