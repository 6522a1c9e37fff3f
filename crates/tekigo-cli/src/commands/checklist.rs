use crate::cli::{ChecklistArgs, ChecklistFormat};
use crate::commands::catalog::records;
use crate::context::Context;
use crate::i18n::{fill, tr, UserError};
use crate::output::{emit, json, table};
use anyhow::Result;
use std::fmt::Write as _;
use std::process::ExitCode;
use tekigo_catalog::ChecklistQuery;
use tekigo_export::{to_csv, ItemRecord};

pub fn run(ctx: &Context, args: ChecklistArgs) -> Result<ExitCode> {
    let query = ChecklistQuery {
        standard: args.standard,
        component_type: args.component_type,
        target: args.sl_t,
    };
    let (std, mut items) = ctx.catalog.checklist(&query)?;
    let phase = match args.phase.as_deref() {
        Some(text) => Some(ctx.catalog.phase(text).ok_or_else(|| {
            UserError::new("error.unknown_phase", &[("phase", format!("{text:?}"))])
        })?),
        None => None,
    };
    if let Some(phase) = phase {
        items.retain(|i| i.phases.contains(&phase));
    }
    let licensed = ctx.licensed()?;
    let rows = records(std, items.into_iter(), ctx.lang, Some(&licensed));
    let l = ctx.lang;
    let mut scope = fill(l, "checklist.scope", &[("standard", &std.info.id)]);
    if let Some(ty) = query.component_type {
        scope.push_str(&fill(l, "checklist.component", &[("type", &ty)]));
    }
    if let Some(v) = query.target {
        scope.push_str(&fill(l, "checklist.target", &[("vector", &v)]));
    }
    if let Some(phase) = phase {
        let name = ctx
            .catalog
            .common
            .lifecycle_phases
            .iter()
            .find(|p| p.id == phase)
            .map_or(phase.name(), |p| p.name.get(l));
        scope.push_str(&fill(l, "checklist.phase", &[("phase", &name)]));
    }
    let (bytes, binary) = match args.format {
        ChecklistFormat::Json => (json(&rows)?, false),
        ChecklistFormat::Csv => (to_csv(&rows)?, false),
        #[cfg(feature = "full")]
        ChecklistFormat::Xlsx => (tekigo_export::checklist_workbook(&scope, &rows)?, true),
        ChecklistFormat::Table => (render_table(ctx, &scope, &rows).into_bytes(), false),
    };
    emit(&bytes, args.output.as_deref(), binary)?;
    Ok(ExitCode::SUCCESS)
}

/// Requirements grouped under their FR (or practice, SPE, step), with counts per group.
fn render_table(ctx: &Context, scope: &str, rows: &[ItemRecord]) -> String {
    let mut out = format!("{scope}\n");
    let mut groups: Vec<(String, Vec<&ItemRecord>)> = Vec::new();
    for r in rows {
        let key =
            r.fr.clone()
                .or_else(|| r.parent.clone())
                .unwrap_or_default();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(r),
            None => groups.push((key, vec![r])),
        }
    }
    for (key, list) in &groups {
        let name = ctx
            .catalog
            .common
            .foundational_requirements
            .iter()
            .find(|f| f.id.label() == *key)
            .map(|f| f.name.get(ctx.lang).to_string())
            .or_else(|| {
                ctx.catalog
                    .find(key)
                    .map(|(_, i)| i.title.get(ctx.lang).to_string())
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "\n{key}  {name}: {}",
            fill(ctx.lang, "checklist.group", &[("n", &list.len())])
        );
        let l = ctx.lang;
        let mut t = table(&[
            tr(l, "col.id"),
            tr(l, "col.title"),
            tr(l, "col.min_sl"),
            tr(l, "col.confidence"),
        ]);
        for r in list {
            t.add_row(vec![
                r.id.clone(),
                r.title.clone(),
                r.min_sl.map(|l| l.to_string()).unwrap_or_default(),
                r.confidence_label(),
            ]);
        }
        let _ = writeln!(out, "{t}");
    }
    let _ = writeln!(
        out,
        "\n{}",
        fill(
            ctx.lang,
            "checklist.total",
            &[("n", &rows.len()), ("groups", &groups.len())]
        )
    );
    out
}
