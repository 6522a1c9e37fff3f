//! Charts as SVG text: the same markup is inlined in the HTML report and embedded as an
//! image in the PDF, so both show the same picture. Only basic SVG (paths, lines, text with
//! `text-anchor`) is used so that typst's SVG renderer draws it like a browser does.

use std::fmt::Write;
use tekigo_catalog::{escape_xml as escape, Fr, Level, MAX_LEVEL};

const TARGET_COLOUR: &str = "#c2410c";
const ACHIEVED_COLOUR: &str = "#1d4ed8";
const GRID_COLOUR: &str = "#9ca3af";
const FONT: &str = "Noto Sans CJK JP, Noto Sans, DejaVu Sans, sans-serif";

/// A radar chart of SL-T against SL-A per FR: seven axes (IAC .. RA), rings for levels 1-4.
/// The target is a dashed outline, the achieved levels a filled shape, so a reader sees at a
/// glance on which FRs the achieved shape falls inside the target.
pub fn radar_svg(
    target: &[Level; 7],
    achieved: &[Level; 7],
    target_label: &str,
    achieved_label: &str,
) -> String {
    let (cx, cy, radius) = (210.0, 185.0, 140.0);
    let point = |axis: usize, level: f64| {
        let angle = (-90.0 + axis as f64 * 360.0 / 7.0).to_radians();
        let r = radius * level / f64::from(MAX_LEVEL);
        (cx + r * angle.cos(), cy + r * angle.sin())
    };
    let polygon = |levels: &dyn Fn(usize) -> f64| {
        let mut d = String::new();
        for axis in 0..7 {
            let (x, y) = point(axis, levels(axis));
            let _ = write!(d, "{}{x:.1},{y:.1} ", if axis == 0 { "M" } else { "L" });
        }
        d.push('Z');
        d
    };
    let mut svg = open(420.0, 400.0, &format!("{target_label} / {achieved_label}"));
    for level in 1..=MAX_LEVEL {
        let _ = writeln!(
            svg,
            r#"<path d="{}" fill="none" stroke="{GRID_COLOUR}" stroke-width="0.8"/>"#,
            polygon(&|_| f64::from(level))
        );
        let (x, y) = point(0, f64::from(level));
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="10" fill="#6b7280">{level}</text>"##,
            x + 4.0,
            y + 4.0
        );
    }
    for (axis, fr) in Fr::ALL.iter().enumerate() {
        let (x, y) = point(axis, f64::from(MAX_LEVEL));
        let _ = writeln!(
            svg,
            r#"<line x1="{cx}" y1="{cy}" x2="{x:.1}" y2="{y:.1}" stroke="{GRID_COLOUR}" stroke-width="0.8"/>"#
        );
        let (lx, ly) = point(axis, f64::from(MAX_LEVEL) * 1.16);
        let anchor = if (lx - cx).abs() < 5.0 {
            "middle"
        } else if lx > cx {
            "start"
        } else {
            "end"
        };
        let _ = writeln!(
            svg,
            r#"<text x="{lx:.1}" y="{:.1}" font-size="12" font-weight="bold" text-anchor="{anchor}">{} {}</text>"#,
            ly + 4.0,
            fr.abbr(),
            format_args!("{}/{}", achieved[axis], target[axis]),
        );
    }
    let _ = writeln!(
        svg,
        r#"<path d="{}" fill="{ACHIEVED_COLOUR}" fill-opacity="0.3" stroke="{ACHIEVED_COLOUR}" stroke-width="2"/>"#,
        polygon(&|a| f64::from(achieved[a]))
    );
    let _ = writeln!(
        svg,
        r#"<path d="{}" fill="none" stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>"#,
        polygon(&|a| f64::from(target[a]))
    );
    legend(&mut svg, 385.0, target_label, achieved_label);
    svg.push_str("</svg>\n");
    svg
}

/// Maturity per practice (4-1) or SPE (2-1) as bars, with the target level as a dashed line.
pub fn maturity_svg(
    groups: &[(&str, Level)],
    target: Level,
    target_label: &str,
    axis_label: &str,
) -> String {
    let (left, top, bar, gap, height) = (50.0, 20.0, 34.0, 16.0, 200.0);
    let width = left + groups.len() as f64 * (bar + gap) + 20.0;
    let y_of = |level: f64| top + height - height * level / f64::from(MAX_LEVEL);
    let mut svg = open(width.max(320.0), 300.0, axis_label);
    for level in 0..=MAX_LEVEL {
        let y = y_of(f64::from(level));
        let _ = writeln!(
            svg,
            r#"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{GRID_COLOUR}" stroke-width="0.6"/><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">{level}</text>"#,
            width - 20.0,
            left - 6.0,
            y + 4.0
        );
    }
    for (i, (id, level)) in groups.iter().enumerate() {
        let x = left + gap / 2.0 + i as f64 * (bar + gap);
        let y = y_of(f64::from(*level));
        let _ = writeln!(
            svg,
            r#"<path d="M{x:.1},{:.1} L{x:.1},{y:.1} L{:.1},{y:.1} L{:.1},{:.1} Z" fill="{ACHIEVED_COLOUR}" fill-opacity="0.6"/>"#,
            y_of(0.0),
            x + bar,
            x + bar,
            y_of(0.0)
        );
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="9" text-anchor="middle">{}</text>"#,
            x + bar / 2.0,
            y_of(0.0) + 14.0,
            escape(id)
        );
    }
    let ty = y_of(f64::from(target));
    let _ = writeln!(
        svg,
        r#"<line x1="{left}" y1="{ty:.1}" x2="{:.1}" y2="{ty:.1}" stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>"#,
        width - 20.0
    );
    legend(&mut svg, 285.0, target_label, axis_label);
    svg.push_str("</svg>\n");
    svg
}

fn open(width: f64, height: f64, label: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"{}\" \
         font-family=\"{FONT}\" fill=\"#111827\">\n",
        escape(label)
    )
}

fn legend(svg: &mut String, y: f64, target_label: &str, achieved_label: &str) {
    let _ = writeln!(
        svg,
        r#"<line x1="20" y1="{:.1}" x2="50" y2="{:.1}" stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/><text x="56" y="{y:.1}" font-size="11">{}</text>"#,
        y - 4.0,
        y - 4.0,
        escape(target_label)
    );
    let _ = writeln!(
        svg,
        r#"<path d="M180,{:.1} L210,{:.1} L210,{:.1} L180,{:.1} Z" fill="{ACHIEVED_COLOUR}" fill-opacity="0.5"/><text x="216" y="{y:.1}" font-size="11">{}</text>"#,
        y - 10.0,
        y - 10.0,
        y + 1.0,
        y + 1.0,
        escape(achieved_label)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_points(svg: &str, marker: &str) -> Vec<(f64, f64)> {
        let line = svg.lines().find(|l| l.contains(marker)).unwrap();
        let d = line
            .split("d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        d.trim_end_matches('Z')
            .split_whitespace()
            .map(|p| {
                let (x, y) = p.trim_start_matches(['M', 'L']).split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect()
    }

    #[test]
    fn radar_puts_each_level_at_its_radius() {
        let svg = radar_svg(&[4, 2, 2, 0, 1, 3, 4], &[4, 1, 0, 0, 1, 3, 2], "T", "A");
        let dist = |(x, y): (f64, f64)| ((x - 210.0f64).powi(2) + (y - 185.0f64).powi(2)).sqrt();
        let target = path_points(&svg, "stroke-dasharray=\"6 4\"/>");
        let achieved = path_points(&svg, "fill-opacity=\"0.3\"");
        let levels = |pts: &[(f64, f64)]| -> Vec<u8> {
            pts.iter()
                .map(|&p| (dist(p) / 35.0).round() as u8)
                .collect()
        };
        assert_eq!(levels(&target), vec![4, 2, 2, 0, 1, 3, 4]);
        assert_eq!(levels(&achieved), vec![4, 1, 0, 0, 1, 3, 2]);
        // First axis (IAC) points straight up.
        assert!((target[0].0 - 210.0).abs() < 0.1 && target[0].1 < 185.0);
        assert!(svg.contains(">IAC 4/4</text>") && svg.contains(">RA 2/4</text>"));
    }

    #[test]
    fn chart_text_is_escaped() {
        let svg = radar_svg(&[1; 7], &[1; 7], "<script>x</script>", "a&b\"");
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;x&lt;/script&gt;") && svg.contains("a&amp;b&quot;"));
        let svg = maturity_svg(&[("<b>", 2)], 3, "T", "M");
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
    }

    #[test]
    fn maturity_bars_have_the_level_height() {
        let svg = maturity_svg(&[("SM", 1), ("SR", 3)], 2, "Target", "ML");
        let bars: Vec<&str> = svg
            .lines()
            .filter(|l| l.contains("fill-opacity=\"0.6\""))
            .collect();
        assert_eq!(bars.len(), 2);
        // Height 200 for 4 levels: level 1 ends at y=170, level 3 at y=70.
        assert!(
            bars[0].contains("L15.0,170.0") || bars[0].contains(",170.0 L"),
            "{}",
            bars[0]
        );
        assert!(bars[1].contains(",70.0 L"), "{}", bars[1]);
        // The target line is at level 2 (y = 120).
        assert!(svg.contains(r#"y1="120.0" x2="#));
    }
}
