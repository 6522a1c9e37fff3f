//! The one model every report format is rendered from.
//!
//! Building it is where the judgement of the report lives: which requirements are listed,
//! what a gap recommends when the assessor wrote nothing, which evidence is indexed, which
//! catalog facts need a caveat. The templates only lay it out. Texts here are plain strings;
//! escaping is the renderer's job (HTML escapes, typst reads them as JSON strings).

use crate::i18n::Labels;
use crate::{ReportError, ReportInput};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use tekigo_assess::evidence::EvidenceStore;
use tekigo_assess::results::{self, Results, Row};
use tekigo_assess::{EvidenceRef, Origin, Review, Status, SubjectKind, Target};
use tekigo_catalog::{Confidence, Fr, Item, Lang, Level, Standard};

#[derive(Serialize)]
pub(crate) struct ReportData {
    pub lang: &'static str,
    pub title: String,
    pub subtitle: String,
    pub generated: String,
    pub tekigo_version: &'static str,
    pub labels: &'static BTreeMap<String, String>,
    pub cover: Vec<Field>,
    pub disclaimer: String,
    pub scope: Vec<Field>,
    /// The chart as SVG markup built by [`crate::chart`] (every text in it escaped there).
    #[serde(skip)]
    pub chart_svg: Option<String>,
    pub has_chart: bool,
    pub summary: Table,
    pub sections: Vec<Section>,
    pub gaps: Vec<GapRow>,
    pub findings: Vec<FindingRow>,
    pub evidence: EvidenceIndex,
    pub confidence: Vec<ConfidenceRow>,
    /// The computed results: the claimed, projected and with-compensating vectors, the
    /// not-applicable-only flags per FR, the shares of reviewed, person and scan answers.
    pub results: Results,
}

#[derive(Serialize)]
pub(crate) struct Field {
    pub label: String,
    pub value: String,
}

#[derive(Serialize)]
pub(crate) struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<TableRow>,
}

#[derive(Serialize)]
pub(crate) struct TableRow {
    pub cells: Vec<String>,
    /// Whether the row reached its target (drives the colour).
    pub ok: bool,
}

/// The requirements of one FR, practice, SPE or step.
#[derive(Serialize)]
pub(crate) struct Section {
    pub anchor: String,
    pub heading: String,
    pub rows: Vec<ReqRow>,
}

#[derive(Serialize)]
pub(crate) struct ReqRow {
    pub id: String,
    pub anchor: String,
    pub title: String,
    /// The title in the other language, when there is one.
    pub title_alt: Option<String>,
    pub level: String,
    /// Machine key: a `Status` spelling or `unanswered`.
    pub status: &'static str,
    pub status_label: String,
    pub above_target: bool,
    pub reason: String,
    pub countermeasure: Option<String>,
    pub evidence: Vec<EvidenceCell>,
    pub assessor: String,
    pub date: String,
    pub review: String,
    pub reviewed: bool,
    pub reviewer: Option<String>,
    pub from_scan: bool,
}

#[derive(Serialize)]
pub(crate) struct EvidenceCell {
    pub text: String,
    /// A link the reader may follow: only http(s) and mailto URLs, never loaded.
    pub href: Option<String>,
    /// The entry of the evidence index this refers to.
    pub anchor: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct GapRow {
    pub id: String,
    pub anchor: String,
    pub title: String,
    pub level: String,
    pub status_label: String,
    pub recommendations: Vec<String>,
}

#[derive(Serialize)]
pub(crate) struct FindingRow {
    pub id: String,
    pub anchor: String,
    pub issue: String,
    pub impact: String,
    pub recommendation: String,
    pub due: String,
}

#[derive(Serialize, Default)]
pub(crate) struct EvidenceIndex {
    pub files: Vec<FileEntry>,
    pub urls: Vec<UrlEntry>,
    pub scans: Vec<ScanEntry>,
}

#[derive(Serialize)]
pub(crate) struct FileEntry {
    pub sha256: String,
    pub anchor: String,
    pub names: String,
    pub size: String,
    pub added: String,
    pub used_by: String,
    pub missing: bool,
}

#[derive(Serialize)]
pub(crate) struct UrlEntry {
    pub url: String,
    pub href: Option<String>,
    pub used_by: String,
}

#[derive(Serialize)]
pub(crate) struct ScanEntry {
    pub check: String,
    pub verdict: String,
    pub sha256: String,
    pub anchor: String,
    pub details: String,
    pub used_by: String,
}

#[derive(Serialize)]
pub(crate) struct ConfidenceRow {
    pub id: String,
    pub title: String,
    pub confidence: String,
    pub note: String,
}

/// The standard the assessment is against, or the error that names it.
pub(crate) fn standard<'a>(input: &ReportInput<'a>) -> Result<&'a Standard, ReportError> {
    input
        .catalog
        .standard(&input.assessment.standard)
        .ok_or_else(|| ReportError::UnknownStandard {
            assessment: input.assessment.id.clone(),
            standard: input.assessment.standard.clone(),
        })
}

/// The rows a report lists: everything in scope, and answers given above the target.
pub(crate) fn listed_rows<'a>(std: &'a Standard, input: &ReportInput<'a>) -> Vec<Row<'a>> {
    results::rows(std, input.assessment)
        .into_iter()
        .filter(|r| r.in_scope || r.answer.is_some())
        .collect()
}

pub(crate) fn build(input: &ReportInput) -> Result<ReportData, ReportError> {
    let std = standard(input)?;
    let l = Labels::new(input.lang)?;
    let results = results::compute_with(std, input.assessment, input.project.config.review);
    let rows = listed_rows(std, input);
    let b = Builder {
        input,
        std,
        l: &l,
        lang: input.lang,
    };
    let chart_svg = b.chart(&results);
    let data = ReportData {
        lang: match input.lang {
            Lang::En => "en",
            Lang::Ja => "ja",
        },
        title: l.get("report.title"),
        subtitle: format!(
            "{} — {} — IEC {}",
            input.project.config.product.name, input.assessment.subject.name, std.info.id
        ),
        generated: input.generated.to_string(),
        tekigo_version: env!("CARGO_PKG_VERSION"),
        labels: l.all(),
        cover: b.cover(&results, &rows),
        disclaimer: l.get("cover.disclaimer"),
        scope: b.scope(&results),
        has_chart: chart_svg.is_some(),
        chart_svg,
        summary: b.summary(&results, &rows),
        sections: b.sections(&rows),
        gaps: b.gaps(&results),
        findings: b.findings(&rows),
        evidence: b.evidence(&rows)?,
        confidence: b.confidence(&rows),
        results: results.clone(),
    };
    l.finish()?;
    Ok(data)
}

struct Builder<'a> {
    input: &'a ReportInput<'a>,
    std: &'a Standard,
    l: &'a Labels,
    lang: Lang,
}

impl Builder<'_> {
    fn field(&self, key: &str, value: impl Into<String>) -> Field {
        Field {
            label: self.l.get(key),
            value: value.into(),
        }
    }

    fn none(&self) -> String {
        self.l.get("report.none")
    }

    fn cover(&self, results: &Results, rows: &[Row]) -> Vec<Field> {
        let config = &self.input.project.config;
        let a = self.input.assessment;
        let mut out = vec![self.field("cover.product", &config.product.name)];
        if let Some(v) = &config.product.vendor {
            out.push(self.field("cover.vendor", v));
        }
        if let Some(v) = &config.product.version {
            out.push(self.field("cover.product_version", v));
        }
        let kind = self.l.get(match a.subject.kind {
            SubjectKind::Component => "kind.component",
            SubjectKind::System => "kind.system",
            SubjectKind::Organisation => "kind.organisation",
        });
        let subject = match self.component_type_name() {
            Some(ty) => format!("{} ({kind}, {ty})", a.subject.name),
            None => format!("{} ({kind})", a.subject.name),
        };
        out.push(self.field("cover.subject", subject));
        if let Some(v) = &a.subject.version {
            out.push(self.field("cover.subject_version", v));
        }
        out.push(self.field("cover.standard", self.standard_label()));
        out.push(self.field("cover.target", self.target_text()));
        let achieved = match (results.achieved, results.achieved_ml) {
            (Some(v), _) => format!("SL-A {}", vector(&v)),
            (None, Some(ml)) => format!("ML {ml}"),
            _ => format!("{} %", results.progress.met_percent),
        };
        out.push(self.field("cover.achieved", achieved));
        out.push(self.field("cover.assessment", &a.id));
        out.push(self.field("cover.created", &a.created));
        out.push(self.field("cover.date", self.input.generated));
        let people = |f: fn(&tekigo_assess::Answer) -> Option<&String>| {
            let mut v: Vec<&str> = rows
                .iter()
                .filter_map(|r| r.answer.and_then(f))
                .map(String::as_str)
                .filter(|s| !s.is_empty())
                .collect();
            v.sort_unstable();
            v.dedup();
            if v.is_empty() {
                self.none()
            } else {
                v.join(", ")
            }
        };
        out.push(self.field("cover.assessors", people(|a| a.assessor.as_ref())));
        out.push(self.field("cover.reviewers", people(|a| a.reviewer.as_ref())));
        out.push(self.field("cover.tekigo_version", env!("CARGO_PKG_VERSION")));
        out
    }

    fn standard_label(&self) -> String {
        let info = &self.std.info;
        format!(
            "IEC {} ({}): {}",
            info.id,
            info.edition,
            info.title.get(self.lang)
        )
    }

    fn component_type_name(&self) -> Option<String> {
        let ty = self.input.assessment.subject.component_type?;
        let named = self
            .input
            .catalog
            .common
            .component_types
            .iter()
            .find(|n| n.id == ty);
        Some(named.map_or_else(
            || ty.name().to_string(),
            |n| n.name.get(self.lang).to_string(),
        ))
    }

    fn target_text(&self) -> String {
        match self.input.assessment.target {
            Target::SecurityLevels(v) => format!("SL-T {}", vector(&v.0)),
            Target::MaturityLevel(l) => format!("ML {l}"),
            Target::None => self.none(),
        }
    }

    fn scope(&self, results: &Results) -> Vec<Field> {
        let p = &results.progress;
        let mut out = vec![self.field("scope.standard", self.standard_label())];
        if let Some(ty) = self.component_type_name() {
            out.push(self.field("scope.component_type", ty));
        }
        match self.input.assessment.target {
            Target::SecurityLevels(v) => out.push(self.field("scope.target_vector", vector(&v.0))),
            Target::MaturityLevel(l) => out.push(self.field("scope.target_ml", format!("ML {l}"))),
            Target::None => {}
        }
        out.push(self.field("scope.in_scope", p.in_scope.to_string()));
        out.push(self.field("scope.answered", p.answered.to_string()));
        out.push(self.field("scope.met", p.met.to_string()));
        out.push(self.field("scope.reviewed", p.reviewed.to_string()));
        out.push(self.field("scope.from_scan", p.from_scan.to_string()));
        out.push(self.field("scope.confirmed", format!("{} %", p.met_percent)));
        out
    }

    fn chart(&self, results: &Results) -> Option<String> {
        let (target, achieved) = (self.l.get("chart.target"), self.l.get("chart.achieved"));
        match (results.target, results.achieved, results.target_ml) {
            (Some(t), Some(a), _) => Some(crate::chart::radar_svg(&t, &a, &target, &achieved)),
            (_, _, Some(t)) => {
                let groups: Vec<(&str, Level)> = results
                    .groups
                    .iter()
                    .map(|g| (g.id.as_str(), g.achieved_ml))
                    .collect();
                Some(crate::chart::maturity_svg(
                    &groups,
                    t,
                    &target,
                    &self.l.get("chart.maturity"),
                ))
            }
            _ => None,
        }
    }

    fn fr_name(&self, fr: Fr) -> String {
        let name = self
            .input
            .catalog
            .common
            .foundational_requirements
            .iter()
            .find(|n| n.id == fr)
            .map(|n| n.name.get(self.lang).to_string())
            .unwrap_or_default();
        format!("{}: {name}", fr.label())
    }

    fn item_heading(&self, id: &str) -> String {
        match self.std.item(id) {
            Some(item) => format!("{} {}", item.id, item.title.get(self.lang)),
            None => id.to_string(),
        }
    }

    fn summary(&self, results: &Results, rows: &[Row]) -> Table {
        let cols = |keys: &[&str]| keys.iter().map(|k| self.l.get(k)).collect::<Vec<_>>();
        let verdict = |ok: bool| {
            self.l
                .get(if ok { "summary.reached" } else { "summary.gap" })
        };
        if results.target.is_some() {
            let rows = Fr::ALL
                .iter()
                .zip(&results.frs)
                .map(|(&fr, r)| {
                    let ok = r.achieved >= r.target;
                    let compensating = if r.compensating.is_empty() {
                        self.none()
                    } else {
                        r.compensating.join(", ")
                    };
                    TableRow {
                        cells: vec![
                            self.fr_name(fr),
                            format!("SL {}", r.target),
                            format!("SL {}", r.achieved),
                            format!("{} / {}", r.met, r.in_scope),
                            compensating,
                            verdict(ok),
                        ],
                        ok,
                    }
                })
                .collect();
            Table {
                columns: cols(&[
                    "summary.fr",
                    "summary.target",
                    "summary.achieved",
                    "summary.met_in_scope",
                    "summary.compensating",
                    "summary.result",
                ]),
                rows,
            }
        } else if let Some(target) = results.target_ml {
            let rows = results
                .groups
                .iter()
                .map(|g| {
                    let ok = g.achieved_ml >= target;
                    TableRow {
                        cells: vec![
                            self.item_heading(&g.id),
                            format!("ML {target}"),
                            format!("ML {}", g.achieved_ml),
                            format!("{} / {}", g.met, g.requirements),
                            verdict(ok),
                        ],
                        ok,
                    }
                })
                .collect();
            Table {
                columns: cols(&[
                    "summary.group",
                    "summary.target",
                    "summary.achieved",
                    "summary.met_in_scope",
                    "summary.result",
                ]),
                rows,
            }
        } else {
            let rows = self
                .groups(rows)
                .into_iter()
                .map(|(id, of_group)| {
                    let met = of_group
                        .iter()
                        .filter(|r| r.status().is_some_and(Status::is_met))
                        .count();
                    let ok = met == of_group.len();
                    TableRow {
                        cells: vec![
                            self.item_heading(&id),
                            format!("{met} / {}", of_group.len()),
                            verdict(ok),
                        ],
                        ok,
                    }
                })
                .collect();
            Table {
                columns: cols(&["summary.group", "summary.met_in_scope", "summary.result"]),
                rows,
            }
        }
    }

    /// Rows grouped by their top-level item (practice, SPE, step), in catalog order.
    fn groups<'r, 'x>(&self, rows: &'r [Row<'x>]) -> Vec<(String, Vec<&'r Row<'x>>)> {
        let mut out: Vec<(String, Vec<&'r Row<'x>>)> = Vec::new();
        for row in rows {
            let top = top_ancestor(self.std, row.item);
            match out.iter_mut().find(|(id, _)| id == top) {
                Some((_, v)) => v.push(row),
                None => out.push((top.to_string(), vec![row])),
            }
        }
        out
    }

    fn sections(&self, rows: &[Row]) -> Vec<Section> {
        if self.input.assessment.target_vector().is_some() {
            Fr::ALL
                .iter()
                .filter_map(|&fr| {
                    let of_fr: Vec<ReqRow> = rows
                        .iter()
                        .filter(|r| r.item.fr == Some(fr))
                        .map(|r| self.req_row(r))
                        .collect();
                    (!of_fr.is_empty()).then(|| Section {
                        anchor: format!("fr-{}", fr.number()),
                        heading: self.fr_name(fr),
                        rows: of_fr,
                    })
                })
                .collect()
        } else {
            self.groups(rows)
                .into_iter()
                .map(|(id, of_group)| Section {
                    anchor: format!("group-{}", token(&id)),
                    heading: self.item_heading(&id),
                    rows: of_group.into_iter().map(|r| self.req_row(r)).collect(),
                })
                .collect()
        }
    }

    fn status_label(&self, status: Option<Status>) -> String {
        self.l.get(&format!("status.{}", status_key(status)))
    }

    fn level_text(&self, row: &Row) -> String {
        match (self.input.assessment.target, row.item.min_sl) {
            (Target::SecurityLevels(_), Some(sl)) => format!("SL {sl}"),
            (Target::MaturityLevel(_), _) => row
                .answer
                .and_then(|a| a.maturity)
                .map(|m| format!("ML {m}"))
                .unwrap_or_default(),
            _ => String::new(),
        }
    }

    fn titles(&self, item: &Item) -> (String, Option<String>) {
        let other = match self.lang {
            Lang::En => Lang::Ja,
            Lang::Ja => Lang::En,
        };
        let (main, alt) = (item.title.get(self.lang), item.title.get(other));
        (
            main.to_string(),
            (alt != main && !alt.is_empty()).then(|| alt.to_string()),
        )
    }

    fn req_row(&self, row: &Row) -> ReqRow {
        let (title, title_alt) = self.titles(row.item);
        let a = row.answer;
        ReqRow {
            id: row.item.id.clone(),
            anchor: format!("req-{}", token(&row.item.id)),
            title,
            title_alt,
            level: self.level_text(row),
            status: status_key(row.status()),
            status_label: self.status_label(row.status()),
            above_target: !row.in_scope,
            reason: a.map(|a| a.reason.clone()).unwrap_or_default(),
            countermeasure: a.and_then(|a| a.countermeasure.clone()),
            evidence: a
                .map(|a| a.evidence.iter().map(evidence_cell).collect())
                .unwrap_or_default(),
            assessor: a.and_then(|a| a.assessor.clone()).unwrap_or_default(),
            date: a.map(|a| a.date.clone()).unwrap_or_default(),
            review: a
                .map(|a| {
                    self.l.get(match a.review {
                        Review::Draft => "review.draft",
                        Review::Reviewed => "review.reviewed",
                    })
                })
                .unwrap_or_default(),
            reviewed: a.is_some_and(|a| a.review == Review::Reviewed),
            reviewer: a.and_then(|a| a.reviewer.clone()),
            from_scan: a.is_some_and(|a| a.origin == Origin::Scan),
        }
    }

    fn gaps(&self, results: &Results) -> Vec<GapRow> {
        results
            .gaps
            .iter()
            .map(|g| {
                let item = self.std.item(&g.id);
                let recommendations = if g.recommendations.is_empty() {
                    let key = match g.status {
                        None => "recommend.unanswered",
                        Some(Status::NotSatisfied) => "recommend.not-satisfied",
                        Some(Status::Partial) => "recommend.partial",
                        // Met, but below the target maturity.
                        Some(_) => "recommend.maturity",
                    };
                    vec![self.l.get(key)]
                } else {
                    g.recommendations.clone()
                };
                let level = match (g.min_sl, g.maturity) {
                    (Some(sl), _) => format!("SL {sl}"),
                    (None, Some(ml)) => format!("ML {ml}"),
                    _ => String::new(),
                };
                GapRow {
                    id: g.id.clone(),
                    anchor: format!("req-{}", token(&g.id)),
                    title: item
                        .map(|i| i.title.get(self.lang).to_string())
                        .unwrap_or_default(),
                    level,
                    status_label: self.status_label(g.status),
                    recommendations,
                }
            })
            .collect()
    }

    fn findings(&self, rows: &[Row]) -> Vec<FindingRow> {
        rows.iter()
            .filter_map(|r| r.answer.map(|a| (r.item, a)))
            .flat_map(|(item, a)| {
                a.findings.iter().map(move |f| FindingRow {
                    id: item.id.clone(),
                    anchor: format!("req-{}", token(&item.id)),
                    issue: f.issue.clone(),
                    impact: f.impact.clone(),
                    recommendation: f.recommendation.clone(),
                    due: f.due.clone().unwrap_or_default(),
                })
            })
            .collect()
    }

    fn evidence(&self, rows: &[Row]) -> Result<EvidenceIndex, ReportError> {
        let store = self.input.project.evidence();
        // File hash -> (names cited, requirements); URL -> requirements;
        // (check, verdict, report hash) -> (details, requirements).
        let mut files: Ordered<String, (Vec<String>, Vec<String>)> = Ordered::default();
        let mut urls: Ordered<String, Vec<String>> = Ordered::default();
        let mut scans: Ordered<ScanKey, (Vec<String>, Vec<String>)> = Ordered::default();
        for row in rows {
            let Some(answer) = row.answer else { continue };
            let id = &row.item.id;
            for e in &answer.evidence {
                match e {
                    EvidenceRef::File { sha256, name } => {
                        let (names, used) = files.entry(sha256.clone());
                        push_unique(names, name);
                        push_unique(used, id);
                    }
                    EvidenceRef::Url { url } => push_unique(urls.entry(url.clone()), id),
                    EvidenceRef::Scan {
                        check,
                        verdict,
                        sha256,
                        details,
                    } => {
                        push_unique(&mut files.entry(sha256.clone()).1, id);
                        let (d, used) =
                            scans.entry((check.clone(), verdict.clone(), sha256.clone()));
                        for detail in details {
                            push_unique(d, detail);
                        }
                        push_unique(used, id);
                    }
                }
            }
        }
        let mut index = EvidenceIndex::default();
        for (sha256, (ref_names, used)) in files.into_entries() {
            index
                .files
                .push(file_entry(&store, self.input, sha256, ref_names, used)?);
        }
        index.urls = urls
            .into_entries()
            .map(|(url, used)| UrlEntry {
                href: safe_href(&url),
                url,
                used_by: used.join(", "),
            })
            .collect();
        index.scans = scans
            .into_entries()
            .map(|((check, verdict, sha256), (details, used))| ScanEntry {
                anchor: format!("ev-{sha256}"),
                check,
                verdict,
                sha256,
                details: details.join("; "),
                used_by: used.join(", "),
            })
            .collect();
        Ok(index)
    }

    /// Catalog facts behind the listed rows (and the headings above them) that are not
    /// rated high.
    fn confidence(&self, rows: &[Row]) -> Vec<ConfidenceRow> {
        let mut ids: Vec<&str> = Vec::new();
        for row in rows {
            let mut item = Some(row.item);
            while let Some(i) = item {
                if !ids.contains(&i.id.as_str()) {
                    ids.push(&i.id);
                }
                item = i.parent.as_deref().and_then(|p| self.std.item(p));
            }
        }
        self.std
            .items
            .iter()
            .filter(|i| ids.contains(&i.id.as_str()))
            .filter(|i| i.confidence != Some(Confidence::High))
            // A heading without a rating carries no level fact of its own.
            .filter(|i| i.confidence.is_some() || i.is_requirement())
            .map(|i| ConfidenceRow {
                id: i.id.clone(),
                title: i.title.get(self.lang).to_string(),
                confidence: self.l.get(match i.confidence {
                    Some(Confidence::High) => "confidence.high",
                    Some(Confidence::Medium) => "confidence.medium",
                    Some(Confidence::Low) => "confidence.low",
                    None => "confidence.unrated",
                }),
                note: i
                    .confidence_note
                    .clone()
                    .or_else(|| i.notes.clone())
                    .unwrap_or_default(),
            })
            .collect()
    }
}

fn file_entry(
    store: &EvidenceStore,
    input: &ReportInput,
    sha256: String,
    ref_names: Vec<String>,
    used: Vec<String>,
) -> Result<FileEntry, ReportError> {
    let meta = store.meta(&sha256).map_err(|source| ReportError::Io {
        path: input
            .project
            .root
            .join(tekigo_assess::evidence::EVIDENCE_DIR)
            .join(format!("{sha256}.yaml")),
        source,
    })?;
    let mut names = meta.as_ref().map(|m| m.names.clone()).unwrap_or_default();
    for n in ref_names {
        push_unique(&mut names, &n);
    }
    Ok(FileEntry {
        anchor: format!("ev-{sha256}"),
        missing: !store.contains(&sha256),
        names: names.join(", "),
        size: meta
            .as_ref()
            .map(|m| m.size.to_string())
            .unwrap_or_default(),
        added: meta.map(|m| m.added).unwrap_or_default(),
        used_by: used.join(", "),
        sha256,
    })
}

fn evidence_cell(e: &EvidenceRef) -> EvidenceCell {
    match e {
        EvidenceRef::File { sha256, name } => EvidenceCell {
            text: format!("{name} ({})", short(sha256)),
            href: None,
            anchor: Some(format!("ev-{sha256}")),
        },
        EvidenceRef::Url { url } => EvidenceCell {
            text: url.clone(),
            href: safe_href(url),
            anchor: None,
        },
        EvidenceRef::Scan {
            check,
            verdict,
            sha256,
            ..
        } => EvidenceCell {
            text: format!("scan {check}: {verdict} ({})", short(sha256)),
            href: None,
            anchor: Some(format!("ev-{sha256}")),
        },
    }
}

/// The first 12 hex digits: enough to find the file, short enough for a table cell.
pub(crate) fn short(sha256: &str) -> &str {
    sha256.get(..12).unwrap_or(sha256)
}

/// A URL a reader may click: http, https or mailto, with nothing that could break out of an
/// attribute or smuggle a script (`javascript:` and `data:` stay text).
pub(crate) fn safe_href(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    let scheme_ok = ["http://", "https://", "mailto:"]
        .iter()
        .any(|s| lower.starts_with(s));
    let clean = !url.chars().any(|c| c.is_whitespace() || c.is_control());
    (scheme_ok && clean).then(|| url.trim().to_string())
}

fn status_key(status: Option<Status>) -> &'static str {
    status.map_or("unanswered", Status::as_str)
}

/// Security levels as the check sheets write them: `{2 2 0 1 3 1 3}`.
pub(crate) fn vector(levels: &[Level; 7]) -> String {
    let parts: Vec<String> = levels.iter().map(u8::to_string).collect();
    format!("{{{}}}", parts.join(" "))
}

fn top_ancestor<'a>(std: &'a Standard, item: &'a Item) -> &'a str {
    let mut current = item;
    while let Some(parent) = current.parent.as_deref().and_then(|p| std.item(p)) {
        current = parent;
    }
    &current.id
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

type ScanKey = (String, String, String);

/// Keys in order of first appearance (the catalog's order), each with its value.
struct Ordered<K, V> {
    keys: Vec<K>,
    values: HashMap<K, V>,
}

impl<K, V> Default for Ordered<K, V> {
    fn default() -> Self {
        Ordered {
            keys: Vec::new(),
            values: HashMap::new(),
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone, V: Default> Ordered<K, V> {
    fn entry(&mut self, key: K) -> &mut V {
        if !self.values.contains_key(&key) {
            self.keys.push(key.clone());
        }
        self.values.entry(key).or_default()
    }

    fn into_entries(mut self) -> impl Iterator<Item = (K, V)> {
        self.keys.into_iter().map(move |k| {
            let v = self.values.remove(&k).unwrap_or_default();
            (k, v)
        })
    }
}

/// An OSCAL token of a catalog id, the scheme of tekigo-export's OSCAL catalog.
pub(crate) use tekigo_export::oscal_token as token;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_web_links_become_links() {
        assert_eq!(
            safe_href("https://example.com/a?b=1").as_deref(),
            Some("https://example.com/a?b=1")
        );
        assert_eq!(safe_href("HTTP://x").as_deref(), Some("HTTP://x"));
        assert_eq!(safe_href("mailto:a@b").as_deref(), Some("mailto:a@b"));
        assert_eq!(safe_href("javascript:alert(1)"), None);
        assert_eq!(safe_href("data:text/html,<script>"), None);
        assert_eq!(safe_href("https://x\" onmouseover=\"y"), None);
        assert_eq!(safe_href("//evil.example/x"), None);
    }

    #[test]
    fn vectors_read_like_the_check_sheets() {
        assert_eq!(vector(&[2, 2, 0, 1, 3, 1, 3]), "{2 2 0 1 3 1 3}");
    }

    #[test]
    fn ordered_keeps_first_appearance() {
        let mut o: Ordered<&str, Vec<u8>> = Ordered::default();
        o.entry("b").push(1);
        o.entry("a").push(2);
        o.entry("b").push(3);
        let v: Vec<_> = o.into_entries().collect();
        assert_eq!(v, vec![("b", vec![1, 3]), ("a", vec![2])]);
    }
}
