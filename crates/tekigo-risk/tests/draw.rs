//! The drawing: well-formed, self-contained, escaped SVG that renders in headless Chromium
//! with no network, and a DOT graph with a cluster per zone and a node per conduit.

mod common;

use common::*;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::path::Path;
use std::process::Command;
use tekigo_catalog::Lang;
use tekigo_risk::draw::{dot, svg};
use tekigo_risk::{derive, Document};

fn example() -> Document {
    parse(&example_text())
}

/// Element names and their count, failing on any XML error.
fn parse_xml(text: &str) -> Vec<String> {
    let mut reader = Reader::from_str(text);
    let mut names = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let name = e.name();
                let text: &str = name.as_ref();
                names.push(text.to_string())
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not XML at {}: {e}", reader.error_position()),
        }
    }
    names
}

#[test]
fn the_svg_is_well_formed_and_labels_every_zone_and_conduit_with_its_sl_t() {
    let doc = example();
    let d = derive(&doc.model);
    let text = svg(&doc.model, &d, Lang::En).unwrap();
    let names = parse_xml(&text);
    assert_eq!(names[0], "svg");
    assert_eq!(
        names.iter().filter(|n| *n == "g").count(),
        doc.model.zones.len() + doc.model.conduits.len()
    );
    for z in &d.zones {
        assert!(text.contains(&format!("id=\"zone-{}\"", z.id)));
        let label = format!("SL-T {{{}}}", z.sl_t.map(|l| l.to_string()).join(" "));
        assert!(text.contains(&label), "zone {} lacks {label}", z.id);
    }
    for c in &d.conduits {
        assert!(text.contains(&format!("id=\"conduit-{}\"", c.id)));
    }
    // One line per (conduit, distinct zone).
    let edges: usize = doc
        .model
        .conduits
        .iter()
        .map(|c| {
            let mut z = c.zones.clone();
            z.sort();
            z.dedup();
            z.len()
        })
        .sum();
    assert_eq!(names.iter().filter(|n| *n == "path").count(), edges);
    // Self-contained: the only URL is the SVG namespace.
    assert_eq!(text.matches("http").count(), 1);
    assert!(!text.contains("href") && !text.contains("<image") && !text.contains("<script"));
    // Japanese labels come from the model and the label file.
    let ja = svg(&doc.model, &d, Lang::Ja).unwrap();
    parse_xml(&ja);
    assert!(ja.contains("塩素安全（SIS）") && ja.contains("安全ゾーン"));
}

#[test]
fn the_same_model_gives_the_same_bytes() {
    let doc = example();
    let d = derive(&doc.model);
    assert_eq!(
        svg(&doc.model, &d, Lang::En).unwrap(),
        svg(&doc.model, &d, Lang::En).unwrap()
    );
}

#[test]
fn hostile_names_are_escaped() {
    let evil = "<script>alert(1)</script> & \"quoted\" 'x'";
    let doc = with(|m| {
        m.zones[0].name = tekigo_risk::model::Words::One(evil.into());
        m.assets[0].asset_type = "</text><image href=\"http://evil/\"/>".into();
    });
    let d = derive(&doc.model);
    let text = svg(&doc.model, &d, Lang::En).unwrap();
    parse_xml(&text);
    assert!(!text.contains("<script") && !text.contains("<image"));
    assert!(
        text.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; &#39;x&#39;")
    );
    let g = dot(&doc.model, &d, Lang::En).unwrap();
    assert!(g.contains(r#"\"quoted\""#));
}

#[test]
fn the_dot_graph_has_a_cluster_per_zone_and_a_node_per_conduit() {
    let doc = example();
    let d = derive(&doc.model);
    let g = dot(&doc.model, &d, Lang::En).unwrap();
    assert!(g.starts_with("graph \"Riverside water treatment plant\" {"));
    // Braces balance (SL vectors hold one pair each).
    assert_eq!(g.matches('{').count(), g.matches('}').count());
    assert_eq!(
        g.matches("subgraph \"cluster_zone_").count(),
        doc.model.zones.len()
    );
    for c in &doc.model.conduits {
        assert!(
            g.contains(&format!("\"conduit:{}\" [shape=box", c.id)),
            "{}",
            c.id
        );
    }
    // The radio link is dashed, ends at the remote-sites cluster.
    assert!(g.contains("\"conduit:c-radio\" -- \"asset:rtu-reservoir\" [lhead=\"cluster_zone_remote-sites\", color=\"#4338ca\", style=dashed];"));
    assert_eq!(g.matches(" -- ").count(), 2 * doc.model.conduits.len());
    assert!(g.contains("SL-T {3 3 3 1 3 2 3}"));
}

/// Renders `file` in headless Chromium with networking disabled and returns the PNG size.
fn screenshot(dir: &Path, file: &Path, name: &str) -> u64 {
    let png = dir.join(format!("{name}.png"));
    let profile = dir.join(format!("profile-{name}"));
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-default-browser-check",
            "--hide-scrollbars",
            "--window-size=1600,1200",
            // Any request to a host would fail: no network for the page.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=127.0.0.1:9",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("chromium is needed for this test: run scripts/setup/50-report.sh");
    assert!(
        png.is_file(),
        "no screenshot: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    bytes.len() as u64
}

#[test]
fn the_svg_renders_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let doc = example();
    let d = derive(&doc.model);
    let drawing = dir.path().join("zones.svg");
    std::fs::write(&drawing, svg(&doc.model, &d, Lang::Ja).unwrap()).unwrap();
    let blank = dir.path().join("blank.svg");
    std::fs::write(&blank, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1600\" height=\"1200\"><rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/></svg>").unwrap();
    let drawn = screenshot(dir.path(), &drawing, "zones");
    let empty = screenshot(dir.path(), &blank, "blank");
    // Boxes, lines and text compress far worse than a white page.
    assert!(
        drawn > 5 * empty && drawn > 20_000,
        "drawing {drawn} bytes, blank {empty} bytes"
    );
}

#[test]
fn an_empty_model_still_draws_and_reports() {
    let doc = with(|m| {
        m.assets.clear();
        m.zones.clear();
        m.conduits.clear();
        m.flows.clear();
        m.risks.clear();
    });
    let d = derive(&doc.model);
    parse_xml(&svg(&doc.model, &d, Lang::En).unwrap());
    assert!(dot(&doc.model, &d, Lang::En).unwrap().ends_with("}\n"));
    let v = tekigo_risk::check(&doc, catalog(), &[]).unwrap();
    let page = tekigo_risk::report::html(&tekigo_risk::report::ReportInput {
        doc: &doc,
        catalog: catalog(),
        project: "p",
        derivation: &d,
        violations: &v,
        feasibility: &[],
        lang: Lang::Ja,
    })
    .unwrap();
    assert!(page.contains("違反はありません"));
}

/// `drawing` is the picture of a project directory: for the example project, the file
/// `tekigo risk draw --format svg` wrote (examples/water-treatment.sh); for a directory
/// without a model, an error naming the file to write.
#[test]
fn drawing_of_a_project_directory() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/water-treatment");
    let committed = std::fs::read_to_string(root.join("risk/zones.svg")).unwrap();
    assert_eq!(tekigo_risk::drawing(&root, Lang::En).unwrap(), committed);
    assert!(tekigo_risk::drawing(&root, Lang::Ja)
        .unwrap()
        .contains("リバーサイド浄水場"));
    let empty = tempfile::tempdir().unwrap();
    let err = tekigo_risk::drawing(empty.path(), Lang::En)
        .unwrap_err()
        .to_string();
    assert!(err.contains("risk/system.yaml"), "{err}");
}
