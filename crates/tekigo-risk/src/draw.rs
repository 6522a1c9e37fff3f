//! The zone and conduit drawing (ZCR 6.3): SVG for reports and browsers, DOT for Graphviz.
//!
//! The SVG layout is deterministic and simple, so the same model always gives the same
//! bytes and a reviewer can diff drawings:
//!
//! - zones are boxes listing their assets, in rows by Purdue `level` (highest on top, zones
//!   without a level at the bottom), in file order within a row, each row centred;
//! - a conduit is a labelled node in the band below the highest row it touches, placed
//!   under the middle of its zones and pushed right until it overlaps no other node;
//! - each conduit is joined to each of its zones by an orthogonal line that leaves the node
//!   vertically, turns in the free strip between node and zone row, and meets the zone
//!   edge vertically; it is drawn beneath the boxes, and lines meeting one zone side are
//!   spread apart;
//! - every zone and conduit carries its SL-T vector; safety, external and wireless zones
//!   and wireless conduits are styled apart, with a legend.
//!
//! The SVG is self-contained (no stylesheet, image, font or link) and every text from the
//! model is escaped.

use crate::derive::Derivation;
use crate::model::{Asset, RiskModel, Zone};
use crate::text::label;
use crate::RiskError;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use tekigo_catalog::{escape_xml as escape, Lang, Level, SlVector};

const MARGIN: f64 = 20.0;
const PAD: f64 = 10.0;
const LINE: f64 = 16.0;
const TITLE: f64 = 20.0;
const H_GAP: f64 = 40.0;
const BAND: f64 = 96.0;
const NODE_H: f64 = 38.0;
const MIN_ZONE_W: f64 = 190.0;

/// Approximate rendered width at 12 px: wide (CJK) characters take a full em.
fn text_width(s: &str, bold: bool) -> f64 {
    let per = if bold { 7.4 } else { 6.9 };
    s.chars()
        .map(|c| if (c as u32) >= 0x1100 { 12.5 } else { per })
        .sum()
}

fn vector(v: &[Level; 7]) -> String {
    SlVector(*v).to_string()
}

struct Style {
    stroke: &'static str,
    fill: &'static str,
    dash: &'static str,
}

fn zone_style(z: &Zone, assets: &[&Asset]) -> Style {
    let all = |f: fn(&Asset) -> bool| !assets.is_empty() && assets.iter().all(|a| f(a));
    if z.safety {
        Style {
            stroke: "#b91c1c",
            fill: "#fef2f2",
            dash: "",
        }
    } else if all(|a| a.external) {
        Style {
            stroke: "#c2410c",
            fill: "#fff7ed",
            dash: "8 4",
        }
    } else if all(|a| a.wireless) {
        Style {
            stroke: "#1d4ed8",
            fill: "#eff6ff",
            dash: "3 3",
        }
    } else if all(|a| a.business) {
        Style {
            stroke: "#4b5563",
            fill: "#f3f4f6",
            dash: "",
        }
    } else {
        Style {
            stroke: "#1f2937",
            fill: "#ffffff",
            dash: "",
        }
    }
}

struct ZoneBox<'a> {
    zone: &'a Zone,
    lines: Vec<String>,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    row: usize,
}

impl ZoneBox<'_> {
    fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
}

struct Node {
    conduit: usize,
    label: String,
    sub: String,
    x: f64,
    y: f64,
    w: f64,
    band: usize,
}

/// The drawing as a standalone SVG document.
pub fn svg(model: &RiskModel, derivation: &Derivation, lang: Lang) -> Result<String, RiskError> {
    let slt = label(lang, "draw.sl_t")?;
    // Rows by level, highest first; no level last.
    let mut levels: Vec<Option<u8>> = model.zones.iter().map(|z| z.level).collect();
    levels.sort_by(|a, b| b.cmp(a));
    levels.dedup();
    if let Some(pos) = levels.iter().position(Option::is_none) {
        let none = levels.remove(pos);
        levels.push(none);
    }
    let mut boxes: Vec<ZoneBox> = model
        .zones
        .iter()
        .map(|z| {
            let assets: Vec<String> = z
                .assets
                .iter()
                .map(|id| match model.asset(id) {
                    Some(a) => format!("• {} ({})", a.name.get(lang), a.asset_type),
                    None => format!("• {id} (?)"),
                })
                .collect();
            let sl = derivation.zone(&z.id).map(|t| t.sl_t).unwrap_or_default();
            let mut lines = vec![
                format!("{} · {}", z.id, z.name.get(lang)),
                format!("{slt} {}", vector(&sl)),
            ];
            lines.extend(assets);
            let w = lines
                .iter()
                .enumerate()
                .map(|(i, l)| text_width(l, i == 0))
                .fold(MIN_ZONE_W, f64::max)
                + 2.0 * PAD;
            let h = 2.0 * PAD + TITLE + LINE * (lines.len() - 1) as f64 + 4.0;
            let row = levels.iter().position(|l| *l == z.level).unwrap_or(0);
            ZoneBox {
                zone: z,
                lines,
                x: 0.0,
                y: 0.0,
                w,
                h,
                row,
            }
        })
        .collect();

    // Place rows.
    let rows = levels.len().max(1);
    let row_w: Vec<f64> = (0..rows)
        .map(|r| {
            let ws: Vec<f64> = boxes.iter().filter(|b| b.row == r).map(|b| b.w).collect();
            ws.iter().sum::<f64>() + H_GAP * (ws.len().saturating_sub(1)) as f64
        })
        .collect();
    let row_h: Vec<f64> = (0..rows)
        .map(|r| {
            boxes
                .iter()
                .filter(|b| b.row == r)
                .map(|b| b.h)
                .fold(0.0, f64::max)
        })
        .collect();
    let header = MARGIN + 28.0;
    let mut row_y = vec![header; rows];
    for r in 1..rows {
        row_y[r] = row_y[r - 1] + row_h[r - 1] + BAND;
    }
    let mut width = row_w.iter().cloned().fold(400.0, f64::max) + 2.0 * MARGIN;

    // Conduit nodes: in the band below the highest row they touch.
    let mut nodes: Vec<Node> = Vec::new();
    for (ci, c) in model.conduits.iter().enumerate() {
        let touched: Vec<usize> = boxes
            .iter()
            .enumerate()
            .filter(|(_, b)| c.zones.contains(&b.zone.id))
            .map(|(i, _)| i)
            .collect();
        let band = touched
            .iter()
            .map(|&i| boxes[i].row)
            .min()
            .unwrap_or(rows - 1);
        let sl = derivation
            .conduit(&c.id)
            .map(|t| t.sl_t)
            .unwrap_or_default();
        let label = format!("{} · {}", c.id, c.name.get(lang));
        let sub = format!("{slt} {}", vector(&sl));
        let w = text_width(&label, true).max(text_width(&sub, false)) + 2.0 * PAD;
        nodes.push(Node {
            conduit: ci,
            label,
            sub,
            x: 0.0,
            y: 0.0,
            w,
            band,
        });
    }
    // Now that row widths are known, place boxes, then nodes under their zones.
    for r in 0..rows {
        let mut x = (width - row_w[r]) / 2.0;
        for b in boxes.iter_mut().filter(|b| b.row == r) {
            b.x = x;
            b.y = row_y[r];
            x += b.w + H_GAP;
        }
    }
    let needs_bottom_band = nodes.iter().any(|n| n.band == rows - 1);
    for n in nodes.iter_mut() {
        let c = &model.conduits[n.conduit];
        let xs: Vec<f64> = boxes
            .iter()
            .filter(|b| c.zones.contains(&b.zone.id))
            .map(|b| b.cx())
            .collect();
        let mid = if xs.is_empty() {
            width / 2.0
        } else {
            xs.iter().sum::<f64>() / xs.len() as f64
        };
        n.x = (mid - n.w / 2.0).max(MARGIN);
        n.y = row_y[n.band] + row_h[n.band] + (BAND - NODE_H) / 2.0;
    }
    for band in 0..rows {
        let mut in_band: Vec<&mut Node> = nodes.iter_mut().filter(|n| n.band == band).collect();
        in_band.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.conduit.cmp(&b.conduit)));
        let mut next = MARGIN;
        for n in in_band {
            n.x = n.x.max(next);
            next = n.x + n.w + 14.0;
            width = width.max(next + MARGIN);
        }
    }
    let last = rows - 1;
    let height =
        row_y[last] + row_h[last] + if needs_bottom_band { BAND } else { 0.0 } + 56.0 + MARGIN;

    // Lines: for each zone side, spread the attachment points of the conduits meeting it.
    let mut attach: BTreeMap<(usize, bool), Vec<usize>> = BTreeMap::new();
    for (ni, n) in nodes.iter().enumerate() {
        let c = &model.conduits[n.conduit];
        for (bi, b) in boxes.iter().enumerate() {
            if c.zones.contains(&b.zone.id) {
                attach.entry((bi, b.row <= n.band)).or_default().push(ni);
            }
        }
    }
    let mut paths = String::new();
    for ((bi, above), list) in &attach {
        let b = &boxes[*bi];
        let k = list.len() as f64;
        for (j, ni) in list.iter().enumerate() {
            let n = &nodes[*ni];
            let c = &model.conduits[n.conduit];
            let spread = ((j as f64) - (k - 1.0) / 2.0) * 16.0;
            let zx = (b.cx() + spread).clamp(b.x + 8.0, b.x + b.w - 8.0);
            // Leave the node straight up or down, turn in the free strip between the node
            // and the zone row, then run straight to the zone's edge. Strips are staggered
            // per conduit so that parallel runs stay apart.
            let nx = zx.clamp(n.x + 12.0, n.x + n.w - 12.0);
            let stagger = ((n.conduit % 3) as f64 - 1.0) * 6.0;
            let gap = (BAND - NODE_H) / 2.0;
            let (ny, strip, zy) = if *above {
                (n.y, n.y - gap / 2.0 + stagger, b.y + b.h)
            } else {
                (n.y + NODE_H, n.y + NODE_H + gap / 2.0 + stagger, b.y)
            };
            let wireless = !c.channels.is_empty() && c.channels.iter().all(|ch| ch.wireless);
            let dash = if wireless {
                " stroke-dasharray=\"6 4\""
            } else {
                ""
            };
            let d = if (nx - zx).abs() < 0.5 {
                format!("M{nx:.1} {ny:.1} V{zy:.1}")
            } else {
                format!("M{nx:.1} {ny:.1} V{strip:.1} H{zx:.1} V{zy:.1}")
            };
            let _ = writeln!(
                paths,
                "<path d=\"{d}\" fill=\"none\" stroke=\"#4338ca\" stroke-width=\"2\"{dash}><title>{}</title></path>",
                escape(&format!("{} – {}", c.id, b.zone.id))
            );
        }
    }

    let mut out = String::new();
    let title = model.system.name.get(lang);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" \
         font-family=\"Noto Sans CJK JP, Noto Sans, DejaVu Sans, sans-serif\" font-size=\"12\" role=\"img\">",
        w = width,
        h = height
    );
    let _ = writeln!(
        out,
        "<title>{}</title>",
        escape(&format!("{}: {title}", label(lang, "draw.title")?))
    );
    let _ = writeln!(
        out,
        "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"
    );
    let _ = writeln!(
        out,
        "<text x=\"{MARGIN}\" y=\"{:.0}\" font-size=\"15\" font-weight=\"bold\">{}</text>",
        MARGIN + 12.0,
        escape(title)
    );
    out.push_str(&paths);
    for b in &boxes {
        let assets: Vec<&Asset> = b
            .zone
            .assets
            .iter()
            .filter_map(|a| model.asset(a))
            .collect();
        let s = zone_style(b.zone, &assets);
        let dash = if s.dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{}\"", s.dash)
        };
        let _ = writeln!(
            out,
            "<g class=\"zone\" id=\"{}\">",
            escape(&format!("zone-{}", b.zone.id))
        );
        let _ = writeln!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"6\" fill=\"{}\" stroke=\"{}\" stroke-width=\"2\"{dash}/>",
            b.x, b.y, b.w, b.h, s.fill, s.stroke
        );
        let mut y = b.y + PAD + 13.0;
        for (i, line) in b.lines.iter().enumerate() {
            let attrs = match i {
                0 => " font-weight=\"bold\" font-size=\"13\"",
                1 => " fill=\"#3730a3\"",
                _ => "",
            };
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{y:.1}\"{attrs}>{}</text>",
                b.x + PAD,
                escape(line)
            );
            y += if i == 0 { TITLE } else { LINE };
        }
        out.push_str("</g>\n");
    }
    for n in &nodes {
        let c = &model.conduits[n.conduit];
        let _ = writeln!(
            out,
            "<g class=\"conduit\" id=\"{}\">",
            escape(&format!("conduit-{}", c.id))
        );
        let _ = writeln!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{NODE_H}\" rx=\"{:.0}\" fill=\"#eef2ff\" stroke=\"#4338ca\" stroke-width=\"1.5\"/>",
            n.x,
            n.y,
            n.w,
            NODE_H / 2.0
        );
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>",
            n.x + n.w / 2.0,
            n.y + 16.0,
            escape(&n.label)
        );
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#3730a3\">{}</text>",
            n.x + n.w / 2.0,
            n.y + 31.0,
            escape(&n.sub)
        );
        out.push_str("</g>\n");
    }
    legend(&mut out, lang, height - MARGIN - 30.0)?;
    out.push_str("</svg>\n");
    Ok(out)
}

fn legend(out: &mut String, lang: Lang, y: f64) -> Result<(), RiskError> {
    let items = [
        ("draw.legend.zone", "#1f2937", "#ffffff", ""),
        ("draw.legend.safety", "#b91c1c", "#fef2f2", ""),
        ("draw.legend.external", "#c2410c", "#fff7ed", "8 4"),
        ("draw.legend.wireless", "#1d4ed8", "#eff6ff", "3 3"),
        ("draw.legend.conduit", "#4338ca", "#eef2ff", ""),
    ];
    let mut x = MARGIN;
    for (key, stroke, fill, dash) in items {
        let text = label(lang, key)?;
        let dash = if dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{dash}\"")
        };
        let _ = writeln!(
            out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"22\" height=\"14\" rx=\"3\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"2\"{dash}/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x + 28.0,
            y + 11.5,
            escape(text)
        );
        x += 28.0 + text_width(text, false) + 22.0;
    }
    Ok(())
}

/// Escapes text for a double-quoted DOT string.
fn dot_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The drawing as a Graphviz graph: a cluster per zone holding its assets, a node per
/// conduit joined to each of its zones (`compound=true`, edges end at the cluster).
pub fn dot(model: &RiskModel, derivation: &Derivation, lang: Lang) -> Result<String, RiskError> {
    let slt = label(lang, "draw.sl_t")?;
    let mut out = String::new();
    let _ = writeln!(out, "graph {} {{", dot_str(model.system.name.get(lang)));
    let _ = writeln!(
        out,
        "  graph [compound=true, rankdir=TB, fontname=\"sans-serif\", label={}, labelloc=t];",
        dot_str(model.system.name.get(lang))
    );
    out.push_str("  node [shape=box, fontname=\"sans-serif\", fontsize=10];\n");
    // The node an edge to a zone lands on: its first asset, or an invisible anchor.
    let mut anchor: BTreeMap<&str, String> = BTreeMap::new();
    for z in &model.zones {
        let assets: Vec<&Asset> = z.assets.iter().filter_map(|a| model.asset(a)).collect();
        let s = zone_style(z, &assets);
        let sl = derivation.zone(&z.id).map(|t| t.sl_t).unwrap_or_default();
        let _ = writeln!(
            out,
            "  subgraph {} {{",
            dot_str(&format!("cluster_zone_{}", z.id))
        );
        let _ = writeln!(
            out,
            "    label={}; color={}; style={}; fillcolor={};",
            dot_str(&format!(
                "{} · {}\n{slt} {}",
                z.id,
                z.name.get(lang),
                vector(&sl)
            )),
            dot_str(s.stroke),
            dot_str(if s.dash.is_empty() {
                "filled"
            } else {
                "filled,dashed"
            }),
            dot_str(s.fill)
        );
        for a in &assets {
            let _ = writeln!(
                out,
                "    {} [label={}];",
                dot_str(&format!("asset:{}", a.id)),
                dot_str(&format!("{}\n({})", a.name.get(lang), a.asset_type))
            );
        }
        let first = match assets.first() {
            Some(a) => format!("asset:{}", a.id),
            None => {
                let id = format!("zone:{}", z.id);
                let _ = writeln!(out, "    {} [shape=point, style=invis];", dot_str(&id));
                id
            }
        };
        anchor.insert(&z.id, first);
        out.push_str("  }\n");
    }
    for c in &model.conduits {
        let sl = derivation
            .conduit(&c.id)
            .map(|t| t.sl_t)
            .unwrap_or_default();
        let node = format!("conduit:{}", c.id);
        let _ = writeln!(
            out,
            "  {} [shape=box, style=\"rounded,filled\", fillcolor=\"#eef2ff\", color=\"#4338ca\", label={}];",
            dot_str(&node),
            dot_str(&format!("{} · {}\n{slt} {}", c.id, c.name.get(lang), vector(&sl)))
        );
        let wireless = !c.channels.is_empty() && c.channels.iter().all(|ch| ch.wireless);
        let mut seen: Vec<&String> = Vec::new();
        for z in c.zones.iter() {
            if seen.contains(&z) {
                continue;
            }
            seen.push(z);
            if let Some(a) = anchor.get(z.as_str()) {
                let _ = writeln!(
                    out,
                    "  {} -- {} [lhead={}, color=\"#4338ca\"{}];",
                    dot_str(&node),
                    dot_str(a),
                    dot_str(&format!("cluster_zone_{z}")),
                    if wireless { ", style=dashed" } else { "" }
                );
            }
        }
    }
    out.push_str("}\n");
    Ok(out)
}
