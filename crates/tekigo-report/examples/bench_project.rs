//! The report benchmark's project and renderer (scripts/bench-report.sh).
//!
//! ```text
//! bench_project make DIR [SL] [FILES]          every 4-2 embedded requirement at SL (4)
//!                                              answered, evidence in FILES (200) files
//! bench_project render DIR html|pdf|oscal OUT [en|ja]
//! ```
//!
//! `render` does what `tekigo report A --format F -o OUT` does: open the project, load and
//! validate assessment `A` (every evidence file is checked to be present), render, write.

#[path = "../tests/fixture/mod.rs"]
mod fixture;

use std::path::Path;
use std::process::ExitCode;
use tekigo_assess::Project;
use tekigo_catalog::Lang;
use tekigo_report::ReportInput;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["make", dir, rest @ ..] => make(Path::new(dir), rest),
        ["render", dir, format, out, rest @ ..] => render(
            Path::new(dir),
            format,
            Path::new(out),
            rest.first().copied(),
        ),
        _ => Err(
            "usage: bench_project make DIR [SL] [FILES] | render DIR html|pdf|oscal OUT [en|ja]"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench_project: {e}");
            ExitCode::from(2)
        }
    }
}

fn make(dir: &Path, rest: &[&str]) -> Result<(), String> {
    let sl = rest
        .first()
        .map_or(Ok(4), |s| s.parse::<u8>())
        .map_err(|e| e.to_string())?;
    let files = rest
        .get(1)
        .map_or(Ok(200), |s| s.parse::<usize>())
        .map_err(|e| e.to_string())?;
    let (_, a) = fixture::full(dir, sl, files);
    println!(
        "{}: assessment A with {} answers, {files} evidence files",
        dir.display(),
        a.answers.len()
    );
    Ok(())
}

fn render(dir: &Path, format: &str, out: &Path, lang: Option<&str>) -> Result<(), String> {
    let lang: Lang = lang.unwrap_or("ja").parse()?;
    let catalog = tekigo_catalog::Catalog::builtin().map_err(|e| e.to_string())?;
    let project = Project::open(dir).map_err(|e| e.to_string())?;
    let assessment = project
        .load_assessment(catalog, "A")
        .map_err(|e| e.to_string())?;
    let input = ReportInput {
        project: &project,
        catalog,
        assessment: &assessment,
        lang,
        generated: "2025-03-10T09:00:00Z",
        options: Default::default(),
    };
    let bytes = match format {
        "html" => tekigo_report::html(&input).map(String::into_bytes),
        "pdf" => tekigo_report::pdf(&input, None),
        "oscal" => tekigo_report::oscal(&input).map(|v| v.to_string().into_bytes()),
        other => return Err(format!("unknown format {other:?}")),
    }
    .map_err(|e| e.to_string())?;
    std::fs::write(out, bytes).map_err(|e| format!("{}: {e}", out.display()))
}
