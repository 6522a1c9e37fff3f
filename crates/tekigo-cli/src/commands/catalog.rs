use crate::cli::{CatalogCommand, ExportFormat, Global, ListFormat, ShowFormat};
use crate::context::Context;
use crate::i18n::{fill, tr};
use crate::output::{emit, json, table};
use anyhow::{anyhow, bail, Result};
use serde::Serialize;
use std::fmt::Write as _;
use std::process::ExitCode;
use tekigo_catalog::licensed::LicensedText;
use tekigo_catalog::{Catalog, ComponentType, Fr, Item, Lang, Standard};
use tekigo_export::{oscal_catalog, to_csv, ItemRecord};

pub fn run(global: &Global, cmd: CatalogCommand) -> Result<ExitCode> {
    // Validation must not load the catalog the normal way first: that is what it checks.
    let ctx = || Context::new(global);
    match cmd {
        CatalogCommand::Validate { dir } => validate(global, dir.as_deref()),
        CatalogCommand::List {
            standard,
            fr,
            format,
        } => list(&ctx()?, standard.as_deref(), fr.as_deref(), format),
        CatalogCommand::Show { id, format } => show(&ctx()?, &id, format),
        CatalogCommand::Export {
            standard,
            format,
            with_licensed_text,
            output,
        } => {
            let ctx = ctx()?;
            let std = standard_of(&ctx.catalog, &standard)?;
            let licensed = ctx.licensed()?;
            let licensed = with_licensed_text.then_some(&licensed);
            let bytes = match format {
                ExportFormat::Json => json(&records(std, std.items.iter(), ctx.lang, licensed))?,
                ExportFormat::Csv => to_csv(&records(std, std.items.iter(), ctx.lang, licensed))?,
                ExportFormat::Oscal => json(&oscal_catalog(
                    std,
                    ctx.lang,
                    licensed,
                    &tekigo_export::timestamp_now(),
                ))?,
            };
            emit(&bytes, output.as_deref(), false)?;
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::ImportText { file, text_lang } => {
            let ctx = ctx()?;
            let mut store = ctx.licensed()?;
            let report = store.import(&ctx.catalog, &file, text_lang, &ctx.data_dir)?;
            eprintln!(
                "imported {} English and {} Japanese texts from {} ({} rows without text); {} items now have licensed text in {}",
                report.english,
                report.japanese,
                file.display(),
                report.empty_rows,
                store.len(),
                LicensedText::path(&ctx.data_dir).display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn validate(global: &Global, dir: Option<&std::path::Path>) -> Result<ExitCode> {
    let dir = dir.or(global.catalog_dir.as_deref());
    let catalog = match dir {
        Some(dir) => Catalog::from_dir(dir)?,
        None => Catalog::builtin()?.clone(),
    };
    let items: usize = catalog.standards.iter().map(|s| s.items.len()).sum();
    let mappings: usize = catalog.mappings.iter().map(|m| m.mappings.len()).sum();
    println!(
        "{}: {} standards, {items} items, {mappings} mappings: valid",
        dir.map_or("built-in catalogs".to_string(), |d| d.display().to_string()),
        catalog.standards.len()
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn standard_of<'a>(catalog: &'a Catalog, name: &str) -> Result<&'a Standard> {
    catalog.standard(name).ok_or_else(|| {
        let known: Vec<&str> = catalog
            .standards
            .iter()
            .map(|s| s.info.id.as_str())
            .collect();
        anyhow!("unknown standard {name:?}: use one of {}", known.join(", "))
    })
}

pub(crate) fn records<'a>(
    std: &Standard,
    items: impl Iterator<Item = &'a Item>,
    lang: Lang,
    licensed: Option<&LicensedText>,
) -> Vec<ItemRecord> {
    items
        .map(|i| ItemRecord::new(std, i, lang, licensed))
        .collect()
}

fn list(
    ctx: &Context,
    standard: Option<&str>,
    fr: Option<&str>,
    format: ListFormat,
) -> Result<ExitCode> {
    let standards: Vec<&Standard> = match standard {
        Some(name) => vec![standard_of(&ctx.catalog, name)?],
        None => ctx.catalog.standards.iter().collect(),
    };
    let fr: Option<Fr> = fr
        .map(str::parse)
        .transpose()
        .map_err(|e: String| anyhow!(e))?;
    let licensed = ctx.licensed()?;
    let mut all = Vec::new();
    for std in standards {
        let items = std.items.iter().filter(|i| fr.is_none() || i.fr == fr);
        all.extend(records(std, items, ctx.lang, Some(&licensed)));
    }
    let bytes = match format {
        ListFormat::Json => json(&all)?,
        ListFormat::Csv => to_csv(&all)?,
        ListFormat::Table => {
            let l = ctx.lang;
            let mut t = table(&[
                tr(l, "col.id"),
                tr(l, "col.kind"),
                tr(l, "col.fr"),
                tr(l, "col.title"),
                tr(l, "col.min_sl"),
                tr(l, "col.type"),
            ]);
            for r in &all {
                t.add_row(vec![
                    r.id.clone(),
                    r.kind.clone(),
                    r.fr.clone().unwrap_or_default(),
                    r.title.clone(),
                    r.min_sl.map(|l| l.to_string()).unwrap_or_default(),
                    r.component_type.clone().unwrap_or_default(),
                ]);
            }
            format!("{t}\n{}\n", fill(l, "catalog.items", &[("n", &all.len())])).into_bytes()
        }
    };
    emit(&bytes, None, false)?;
    Ok(ExitCode::SUCCESS)
}

/// `catalog show --format json`: the item, its children and its cross-references.
#[derive(Serialize)]
struct ShowJson<'a> {
    #[serde(flatten)]
    item: ItemRecord,
    /// Lowest SL-C per component type at which this item or its component rows apply.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    levels_by_type: Vec<(&'static str, Option<u8>)>,
    children: Vec<ItemRecord>,
    mappings: Vec<MappingJson<'a>>,
    source: Option<&'a str>,
    notes: Option<&'a str>,
}

#[derive(Serialize)]
struct MappingJson<'a> {
    standard: &'a str,
    id: &'a str,
    relationship: tekigo_catalog::Relationship,
    reviewed: bool,
    direction: &'static str,
}

fn show(ctx: &Context, id: &str, format: ShowFormat) -> Result<ExitCode> {
    let Some((std, item)) = ctx.catalog.find(id) else {
        bail!(crate::i18n::UserError::new(
            "error.no_catalog_item",
            &[("id", id.to_string())]
        ));
    };
    let licensed = ctx.licensed()?;
    let lang = ctx.lang;
    let record = ItemRecord::new(std, item, lang, Some(&licensed));
    let children = records(std, std.children(&item.id), lang, Some(&licensed));
    let levels = levels_by_type(std, item);
    let mappings: Vec<MappingJson> = ctx
        .catalog
        .cross_refs(&item.id)
        .map(|x| MappingJson {
            standard: x.standard,
            id: x.id,
            relationship: x.mapping.relationship,
            reviewed: x.mapping.reviewed,
            direction: if x.outgoing { "to" } else { "from" },
        })
        .collect();
    let bytes = match format {
        ShowFormat::Json => json(&ShowJson {
            item: record,
            levels_by_type: levels,
            children,
            mappings,
            source: item.source.as_deref(),
            notes: item.notes.as_deref(),
        })?,
        ShowFormat::Text => {
            show_text(ctx, std, item, &record, &levels, &children, &mappings)?.into_bytes()
        }
    };
    emit(&bytes, None, false)?;
    Ok(ExitCode::SUCCESS)
}

/// The SL-C from which an item binds each component type: its own level for rows that
/// bind all types, the level of the matching component row for a deferring heading.
fn levels_by_type(std: &Standard, item: &Item) -> Vec<(&'static str, Option<u8>)> {
    if !std.items.iter().any(|i| i.component_type.is_some()) {
        return Vec::new();
    }
    ComponentType::ALL
        .iter()
        .map(|&ty| {
            let level = if item.defers_to.is_empty() {
                item.min_sl.filter(|_| item.binds(ty))
            } else {
                item.defers_to
                    .iter()
                    .filter_map(|d| std.item(d))
                    .find(|d| d.binds(ty))
                    .and_then(|d| d.min_sl)
            };
            (ty.name(), level)
        })
        .collect()
}

fn show_text(
    ctx: &Context,
    std: &Standard,
    item: &Item,
    r: &ItemRecord,
    levels: &[(&str, Option<u8>)],
    children: &[ItemRecord],
    mappings: &[MappingJson],
) -> Result<String> {
    let mut s = String::new();
    let other = if ctx.lang == Lang::Ja {
        &r.title_en
    } else {
        &r.title_ja
    };
    writeln!(s, "{}  {}", r.id, r.title)?;
    if !other.is_empty() {
        writeln!(s, "{:width$}  {other}", "", width = r.id.chars().count())?;
    }
    let field = |s: &mut String, name: &str, value: &str| -> std::fmt::Result {
        if value.is_empty() {
            Ok(())
        } else {
            // Padded by display width: a Japanese label is two columns per character.
            let width: usize = name.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
            writeln!(
                s,
                "  {name}{:pad$}{value}",
                "",
                pad = 12usize.saturating_sub(width).max(1)
            )
        }
    };
    let l = ctx.lang;
    let std_line = format!("{} ({}) · {}", std.info.id, std.info.edition, r.kind);
    field(&mut s, tr(l, "catalog.standard"), &std_line)?;
    field(&mut s, "FR", r.fr.as_deref().unwrap_or(""))?;
    field(
        &mut s,
        tr(l, "catalog.parent"),
        r.parent.as_deref().unwrap_or(""),
    )?;
    field(&mut s, tr(l, "catalog.summary"), &r.summary)?;
    let applies = tr(l, "catalog.applies");
    if let Some(level) = item.min_sl {
        let who = match item.component_type {
            _ if !std.items.iter().any(|i| i.component_type.is_some()) => {
                tr(l, "catalog.the_system").to_string()
            }
            None => tr(l, "catalog.every_type").to_string(),
            Some(t) => fill(l, "catalog.type_components", &[("type", &t)]),
        };
        field(
            &mut s,
            applies,
            &fill(
                l,
                "catalog.applies_from",
                &[("level", &level), ("who", &who)],
            ),
        )?;
    }
    if !item.disputed_levels.is_empty() {
        let d: Vec<String> = item.disputed_levels.iter().map(|l| l.to_string()).collect();
        field(
            &mut s,
            tr(l, "catalog.disputed"),
            &fill(l, "catalog.disputed_text", &[("levels", &d.join(", "))]),
        )?;
    }
    if !item.defers_to.is_empty() {
        field(
            &mut s,
            applies,
            &fill(
                l,
                "catalog.per_type",
                &[("rows", &item.defers_to.join(", "))],
            ),
        )?;
    }
    if item.no_component_requirement {
        field(&mut s, applies, tr(l, "catalog.no_component"))?;
    }
    if !levels.is_empty() {
        let v: Vec<String> = levels
            .iter()
            .map(|(ty, l)| format!("{ty} {}", l.map_or("-".to_string(), |l| format!("SL {l}+"))))
            .collect();
        field(&mut s, tr(l, "catalog.by_type"), &v.join(" · "))?;
    }
    field(&mut s, tr(l, "catalog.phases"), &r.phases.join(", "))?;
    field(&mut s, tr(l, "catalog.confidence"), &r.confidence_label())?;
    field(
        &mut s,
        tr(l, "catalog.notes"),
        item.notes.as_deref().unwrap_or(""),
    )?;
    field(
        &mut s,
        tr(l, "catalog.source"),
        item.source.as_deref().unwrap_or(""),
    )?;
    if !children.is_empty() {
        writeln!(s, "\n{}", tr(l, "catalog.children"))?;
        for c in children {
            let level = c.min_sl.map_or(String::new(), |l| format!("SL {l}+"));
            writeln!(s, "  {:<16}{:<7}{}", c.id, level, c.title)?;
        }
    }
    if !mappings.is_empty() {
        writeln!(s, "\n{}", tr(l, "catalog.cross_refs"))?;
        for m in mappings {
            let reviewed = tr(
                l,
                if m.reviewed {
                    "catalog.reviewed"
                } else {
                    "catalog.not_reviewed"
                },
            );
            let rel = format!("{:?}", m.relationship).to_lowercase();
            let rel = tr(l, &format!("relation.{rel}"));
            let direction = tr(l, &format!("catalog.{}", m.direction));
            writeln!(
                s,
                "  {direction} {} {} ({rel}, {reviewed})",
                m.standard, m.id
            )?;
        }
    }
    writeln!(s, "\n{}", tr(l, "catalog.licensed"))?;
    match &r.text {
        Some(text) => writeln!(s, "  {text}")?,
        None => writeln!(s, "  {}", tr(l, "catalog.not_imported"))?,
    }
    Ok(s)
}
