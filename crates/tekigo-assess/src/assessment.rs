//! One assessment: a subject judged against one standard, requirement by requirement.
//!
//! This is the check sheet of seed 004 turned into a record: each answer carries its status,
//! the reason for the choice (選択理由), the evidence, who judged it and whether a second
//! person reviewed it. The file is YAML so that it diffs and merges in git; the order of
//! answers is the catalog's order, never the order in which they were typed.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tekigo_catalog::{ComponentType, Level, SlVector};

/// Format version of assessment files; bumped only with a migration.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    pub format: u32,
    pub id: String,
    /// Catalog id of the standard, e.g. `62443-4-2`.
    pub standard: String,
    pub subject: Subject,
    pub target: Target,
    /// RFC 3339 timestamp.
    pub created: String,
    /// Keyed by catalog id. Ordered by id text in the file; consumers order by catalog.
    #[serde(default)]
    pub answers: BTreeMap<String, Answer>,
}

/// What is assessed: a component (4-2), a system (3-3, 3-2) or an organisation (4-1, 2-1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    pub kind: SubjectKind,
    pub name: String,
    /// The component type, for standards whose requirements depend on it (4-2).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub component_type: Option<ComponentType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SubjectKind {
    Component,
    System,
    Organisation,
}

/// The level the subject is meant to reach. In the file: seven levels in FR order for
/// security levels (`target: [2, 2, 2, 2, 2, 2, 2]`), one number for a maturity level
/// (`target: 3`), or `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Target {
    /// SL-T per FR, in FR order (IAC .. RA): 4-2 and 3-3.
    SecurityLevels(SlVector),
    /// Target maturity level 1-4: 4-1 and 2-1.
    MaturityLevel(Level),
    /// Standards without levels (3-2): progress only.
    None,
}

/// How a requirement is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Satisfied,
    Partial,
    NotSatisfied,
    /// Needs a justification in `reason`.
    NotApplicable,
    /// Met by another control; needs a description in `countermeasure`.
    Compensating,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Satisfied,
        Status::Partial,
        Status::NotSatisfied,
        Status::NotApplicable,
        Status::Compensating,
    ];

    /// The spelling used on the command line and in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Satisfied => "satisfied",
            Status::Partial => "partial",
            Status::NotSatisfied => "not-satisfied",
            Status::NotApplicable => "not-applicable",
            Status::Compensating => "compensating",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        let s = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether the status says the requirement is addressed (the check mark of the sheet).
    /// Levels do not use this alone: which answers meet a requirement in which vector is
    /// `results::Vector::meets`.
    pub fn is_met(self) -> bool {
        matches!(
            self,
            Status::Satisfied | Status::NotApplicable | Status::Compensating
        )
    }
}

/// How the assessor verified a requirement: the column a certification body reads to know
/// what kind of evidence stands behind a status. When an answer does not say, a report
/// derives it from the evidence ([`Answer::verification`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Looking at the product or its configuration.
    Inspection,
    /// Exercising the function (a test run, a behavioural probe).
    Test,
    /// Reading design, process or test documents.
    DocumentReview,
    /// An automated scan of the device image or configuration.
    Scan,
}

impl Method {
    pub const ALL: [Method; 4] = [
        Method::Inspection,
        Method::Test,
        Method::DocumentReview,
        Method::Scan,
    ];

    /// The spelling used on the command line and in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Inspection => "inspection",
            Method::Test => "test",
            Method::DocumentReview => "document-review",
            Method::Scan => "scan",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        let s = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        Method::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Review {
    #[default]
    Draft,
    Reviewed,
}

/// Who gave an answer. Answers suggested by a device scan may be replaced by the next scan;
/// a person's answer is replaced only on request (`--force`). An inherited answer is the
/// upstream supplier's, taken from a signed conformity package ([`Inheritance`]). A
/// `components` answer is a system (3-3) requirement suggested from the 4-2 results of the
/// zone's components ([`ComponentBasis`]); like a scan's, it is a suggestion a person
/// confirms (`results` states how it counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    #[default]
    Person,
    Scan,
    Inherited,
    Components,
}

impl Origin {
    /// The spelling used in files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Person => "person",
            Origin::Scan => "scan",
            Origin::Inherited => "inherited",
            Origin::Components => "components",
        }
    }
}

/// Who answers for a requirement, in the roles of IEC 62443 (seed 001's roles model): the
/// supplier of the platform a product is built on, the product supplier, the integrator
/// who builds the system, the asset owner who runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    PlatformSupplier,
    ProductSupplier,
    Integrator,
    AssetOwner,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::PlatformSupplier,
        Role::ProductSupplier,
        Role::Integrator,
        Role::AssetOwner,
    ];

    /// The spelling used on the command line and in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::PlatformSupplier => "platform-supplier",
            Role::ProductSupplier => "product-supplier",
            Role::Integrator => "integrator",
            Role::AssetOwner => "asset-owner",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Where an inherited answer comes from, and for a local answer that overrides an
/// inherited one, the upstream answer it overrides. Enough to trace the answer to the
/// signed package (kept in the evidence store) and to see, when the next package comes,
/// whether the upstream answer changed (`digest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inheritance {
    /// File name of the conformity package.
    pub package: String,
    /// SHA-256 of the package file; the file is in the evidence store under it.
    pub package_sha256: String,
    /// Fingerprint (SHA-256 of the raw ed25519 public key, hex) of the key that signed.
    pub signer: String,
    /// The upstream product and assessment, `PRODUCT/ASSESSMENT`.
    pub source: String,
    /// The upstream answer's status.
    pub status: Status,
    /// Whether the upstream answer counted toward the upstream's claimed levels (its
    /// origin and review under the upstream's review rule).
    pub counted: bool,
    /// SHA-256 of the upstream judgement (`inherit::digest`): a newer package with another
    /// digest changed this answer upstream.
    pub digest: String,
    /// The upstream answer changed in a newer package and nobody here looked at it since:
    /// it does not count until someone does (`assess set --reviewed-by`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub changed_upstream: bool,
    /// Evidence the package lists for this answer without carrying its bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// What a component of the zone says about the 4-2 requirements a system requirement is
/// mapped from, as recorded in a `components` answer (the rule that combines them is
/// tekigo-risk's `prefill`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentBasis {
    /// The component's name in tekigo.yaml.
    pub component: String,
    /// The 4-2 assessment the verdict rests on; `None` for a supplier's claim or nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment: Option<String>,
    /// The supplier's claim used in place of an assessment: `SOURCE: SCOPE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    /// The 4-2 ids the mapping gives for this system requirement and this component type.
    pub requirements: Vec<String>,
    pub verdict: BasisVerdict,
    /// For `deferred`: the party the component left the requirement to, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferred_to: Option<Role>,
    /// For `deferred`: which of `requirements` the component deferred (the others it may
    /// meet). Empty in files written before it existed: then all of `requirements`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deferred: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// One component's verdict on the 4-2 requirements behind a system requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BasisVerdict {
    /// Every mapped requirement is met by answers that count (or lies within a claimed SL-C).
    Met,
    /// At least one mapped requirement is answered and not met (or above a claimed SL-C).
    NotMet,
    /// The component left a mapped requirement to the next layer.
    Deferred,
    /// Nothing is known: no assessment and no claim, or the requirement is unanswered.
    Unknown,
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub status: Status,
    /// 選択理由: why this status was chosen (for not-applicable, the justification).
    #[serde(default)]
    pub reason: String,
    /// The compensating countermeasure, when status is `compensating`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub countermeasure: Option<String>,
    /// Maturity level reached (4-1 and 2-1 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maturity: Option<Level>,
    /// How the requirement was verified, when the assessor said so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<Method>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessor: Option<String>,
    /// Date of the judgement, YYYY-MM-DD.
    pub date: String,
    #[serde(default)]
    pub review: Review,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    #[serde(default, skip_serializing_if = "is_person")]
    pub origin: Origin,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// For `origin: inherited`, where the answer comes from; for a local answer, the
    /// inherited answer it overrides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inherited: Option<Inheritance>,
    /// Who answers for the requirement, when recorded ([`Answer::owner`] otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Role>,
    /// The requirement is left to this party (the next layer: the integrator, the asset
    /// owner). A deferred requirement is not met by this subject (see `results`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferred_to: Option<Role>,
    /// For `origin: components`, what each component of the zone says (kept when a person
    /// answers, as the record of the suggestion the answer replaced).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<ComponentBasis>,
}

fn is_person(o: &Origin) -> bool {
    *o == Origin::Person
}

impl Answer {
    /// A new answer of a person with nothing but its status and date.
    pub fn new(status: Status, date: String) -> Answer {
        Answer {
            status,
            reason: String::new(),
            countermeasure: None,
            maturity: None,
            method: None,
            evidence: Vec::new(),
            assessor: None,
            date,
            review: Review::Draft,
            reviewer: None,
            origin: Origin::Person,
            findings: Vec::new(),
            inherited: None,
            owner: None,
            deferred_to: None,
            components: Vec::new(),
        }
    }

    /// Who answers for the requirement. The rule, stated once: the owner recorded; else
    /// the party it is deferred to; else, for an inherited answer, the supplier of the
    /// layer below (the platform supplier under a component, the product supplier under a
    /// system); else the subject's own supplier (`local`: the product supplier of a
    /// component, the integrator of a system).
    pub fn owner(&self, kind: SubjectKind) -> Role {
        let (below, local) = match kind {
            SubjectKind::System => (Role::ProductSupplier, Role::Integrator),
            _ => (Role::PlatformSupplier, Role::ProductSupplier),
        };
        self.owner
            .or(self.deferred_to)
            .unwrap_or(match self.origin {
                Origin::Inherited => below,
                _ => local,
            })
    }

    /// How the requirement was verified: the method the assessor recorded, else the one
    /// the evidence shows. The rule, stated once: a probe's results (`tekigo probe`, a
    /// behavioural test) mean a test; other scan results a scan; stored files a document
    /// review; links alone an inspection of what they point at. With several kinds of
    /// evidence the first in that order wins. No evidence gives no method.
    pub fn verification(&self) -> Option<Method> {
        if self.method.is_some() {
            return self.method;
        }
        let probe = self.assessor.as_deref() == Some("tekigo probe");
        let order = [
            Method::Test,
            Method::Scan,
            Method::DocumentReview,
            Method::Inspection,
        ];
        self.evidence
            .iter()
            .map(|e| match e {
                EvidenceRef::Scan { .. } if probe => Method::Test,
                EvidenceRef::Scan { .. } => Method::Scan,
                EvidenceRef::File { .. } => Method::DocumentReview,
                EvidenceRef::Url { .. } => Method::Inspection,
            })
            .min_by_key(|m| order.iter().position(|o| o == m))
    }
}

/// Something that supports an answer. In the file: `kind: file|url|scan` and its fields.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EvidenceRef {
    /// A file in the project's evidence store.
    File {
        sha256: String,
        name: String,
    },
    Url {
        url: String,
    },
    /// A device-scan result: the check, its verdict, and the stored scan report.
    Scan {
        check: String,
        verdict: String,
        /// The scan report in the evidence store.
        sha256: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        details: Vec<String>,
    },
}

impl EvidenceRef {
    /// The evidence-store hash this reference depends on, if any.
    pub fn stored_sha256(&self) -> Option<&str> {
        match self {
            EvidenceRef::File { sha256, .. } | EvidenceRef::Scan { sha256, .. } => Some(sha256),
            EvidenceRef::Url { .. } => None,
        }
    }
}

/// A weakness found while assessing, with what to do about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub issue: String,
    #[serde(default)]
    pub impact: String,
    #[serde(default)]
    pub recommendation: String,
    /// YYYY-MM-DD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
}

impl Assessment {
    pub fn target_vector(&self) -> Option<SlVector> {
        match self.target {
            Target::SecurityLevels(v) => Some(v),
            _ => None,
        }
    }
}

impl Assessment {
    /// Every evidence-store hash the answers cite, once each, sorted.
    pub fn evidence_hashes(&self) -> std::collections::BTreeSet<&str> {
        self.answers
            .values()
            .flat_map(|a| a.evidence.iter().filter_map(EvidenceRef::stored_sha256))
            .collect()
    }
}
