//! Red Hat's CSAF documents (the per-CVE VEX files and the RHSA advisories) as distribution
//! package data: the fixed version of each RPM per Red Hat Enterprise Linux release, i.e.
//! Red Hat's backports, compared with rpm's rules like osv.dev's Red Hat, AlmaLinux and
//! Rocky Linux records.
//!
//! In these documents a product status names a relationship (`default_component_of`)
//! between a component (a `product_version` with an `pkg:rpm/redhat/...` PURL) and a product
//! (a `product_name` with a CPE such as `cpe:/a:redhat:enterprise_linux:9::appstream`). The
//! generic CSAF matching (product name or PURL, known-affected products only, no release)
//! would report every RHEL 9 package below a fix made for RHEL 7, and never compare the
//! version with the fixed one; so such statuses are taken out of the CSAF body and become
//! one OSV-shaped advisory per vulnerability (`REDHAT-<CVE>` for a VEX file, whose tracking
//! id is the CVE; `<RHSA id>/<CVE>` for an advisory, so that the two never replace each
//! other), source `osv`, with the CVE and the document as aliases. The rule per status:
//!
//! - `fixed`, component PURL with a version: affected below that version, the PURL's
//!   `epoch` qualifier folded in (`1:3.0.1-47.el9_1`), i.e. `introduced 0`, `fixed V`;
//! - `known_affected` (the PURL names no version: not fixed yet): affected, no fix;
//! - any other status (`known_not_affected`, `under_investigation`): no entry.
//!
//! The release is the CPE's version, for the main stream of a release only
//! (`redhat:enterprise_linux` with a major version, `Red Hat:enterprise_linux:9::appstream`
//! as ecosystem): the extended-support streams (`rhel_eus`, `rhel_aus`, `rhel_e4s`, ...)
//! carry their own lower fixed versions, and a component's PURL (`distro=rhel-9.2`) does
//! not say whether it is on one, so matching them would report packages of the main stream
//! as affected. Their statuses, and those of other Red Hat products' RPMs, are left out:
//! the main stream's statement is the one a RHEL package is judged by.

use crate::model::{Advisory, Body, EventKind, OsvAffected, OsvEvent, OsvRange, RangeKind, Source};
use crate::query::PurlInfo;
use crate::Cpe;

/// The OSV-style ecosystem of a Red Hat product CPE on a main release stream, `None` for
/// anything else.
pub fn ecosystem(cpe: &str) -> Option<String> {
    let c = Cpe::parse(cpe)?;
    if c.vendor_product() != "redhat:enterprise_linux"
        || c.version.is_empty()
        || !c.version.chars().all(|ch| ch.is_ascii_digit())
    {
        return None;
    }
    // `cpe:/a:redhat:enterprise_linux:9::appstream` -> `enterprise_linux:9::appstream`.
    let rest = cpe.trim().splitn(4, ':').nth(3)?;
    Some(format!("Red Hat:{rest}"))
}

/// Whether a component PURL is a Red Hat RPM, whose statuses this module decides.
pub fn is_rpm(purl: &str) -> bool {
    PurlInfo::parse(purl).is_ok_and(|p| p.ty == "rpm" && p.namespace.as_deref() == Some("redhat"))
}

/// The RPM statuses of one vulnerability, gathered from its product statuses.
#[derive(Default)]
pub struct Packages {
    affected: Vec<OsvAffected>,
}

impl Packages {
    /// Records one status (`fixed` when `fixed`, else known affected) of the RPM `purl` on
    /// the release stream `ecosystem`.
    pub fn add(&mut self, ecosystem: &str, purl: &str, fixed: bool) {
        let Ok(p) = PurlInfo::parse(purl) else { return };
        let mut events = vec![OsvEvent {
            kind: EventKind::Introduced,
            version: "0".into(),
        }];
        if fixed {
            let Some(version) = p.full_version() else {
                return;
            };
            events.push(OsvEvent {
                kind: EventKind::Fixed,
                version,
            });
        }
        let range = OsvRange {
            kind: RangeKind::Ecosystem,
            events,
        };
        match self
            .affected
            .iter_mut()
            .find(|a| a.ecosystem == ecosystem && a.name == p.name)
        {
            Some(a) if a.ranges.contains(&range) => {}
            Some(a) => a.ranges.push(range),
            None => self.affected.push(OsvAffected {
                ecosystem: ecosystem.to_string(),
                name: p.name,
                purl: None,
                ranges: vec![range],
                versions: Vec::new(),
            }),
        }
    }

    /// The advisory of these statuses, `None` when there are none. `template` is the CSAF
    /// advisory of the same vulnerability (id, aliases, texts, scores).
    pub fn into_advisory(self, template: &Advisory, document: &str) -> Option<Advisory> {
        if self.affected.is_empty() {
            return None;
        }
        let id = if template.id == document {
            format!("REDHAT-{}", template.id)
        } else {
            format!("{document}/{}", template.id)
        };
        let mut aliases = vec![template.id.clone()];
        aliases.extend(template.aliases.iter().cloned());
        aliases.retain(|a| *a != id);
        aliases.dedup();
        Some(Advisory {
            id,
            source: Source::Osv,
            aliases,
            summary: template.summary.clone(),
            published: template.published.clone(),
            modified: template.modified.clone(),
            withdrawn: None,
            severity: template.severity.clone(),
            needs_review: Vec::new(),
            body: Body::Osv {
                affected: self.affected,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_streams_only() {
        assert_eq!(
            ecosystem("cpe:/a:redhat:enterprise_linux:9::appstream").as_deref(),
            Some("Red Hat:enterprise_linux:9::appstream")
        );
        assert_eq!(
            ecosystem("cpe:/o:redhat:enterprise_linux:6").as_deref(),
            Some("Red Hat:enterprise_linux:6")
        );
        assert_eq!(ecosystem("cpe:/a:redhat:rhel_eus:9.2::appstream"), None);
        assert_eq!(ecosystem("cpe:/a:redhat:openshift:4.14::el9"), None);
        assert_eq!(
            crate::query::osv_release("Red Hat:enterprise_linux:9::appstream"),
            Some("9")
        );
        assert!(is_rpm(
            "pkg:rpm/redhat/openssl@3.0.1-47.el9_1?arch=src&epoch=1"
        ));
        assert!(!is_rpm(
            "pkg:oci/ubi9?repository_url=registry.access.redhat.com"
        ));
    }
}
