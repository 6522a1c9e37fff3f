//! The web application in a real browser: runs the scripts of e2e/ (Playwright driving
//! Debian's chromium) against the `tekigo` binary of this build.
//!
//! Needs node, chromium and e2e/node_modules (scripts/setup/70-browser.sh installs them).
//! A missing tool fails this test rather than skipping it, so that CI cannot pass without
//! having run the browser.

use std::path::Path;
use std::process::Command;

/// Runs one script of e2e/ against this build's binary and returns its output; the script
/// prints `NAME: ok` when every step passed.
fn run(script: &str, name: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    assert!(
        root.join("e2e/node_modules/playwright-core").is_dir(),
        "e2e/node_modules/playwright-core is missing: run scripts/setup/70-browser.sh"
    );
    let output = Command::new("node")
        .arg(script)
        .current_dir(&root)
        .env("TEKIGO_BIN", env!("CARGO_BIN_EXE_tekigo"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): run scripts/setup/70-browser.sh"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{script} failed:\n{text}");
    assert!(text.contains(&format!("{name}: ok")), "{text}");
    text
}

#[test]
fn the_web_application_works_end_to_end_in_chromium() {
    run("e2e/app.spec.mjs", "app.spec");
}

/// A team's first day in Japanese through the pages: project, component, assessment,
/// answer with evidence, member, zones drawing, PDF.
#[test]
fn a_team_sets_up_and_assesses_in_japanese_in_chromium() {
    run("e2e/team.spec.mjs", "team.spec");
}

/// Screenshots of every page at 1366 and 390 pixels (target/screenshots), no page wider
/// than the window, no text wider than its box on the check sheet at 1024 pixels.
#[test]
fn every_page_fits_its_width_in_chromium() {
    run("e2e/layout.spec.mjs", "layout.spec");
}

/// The upkeep in Japanese: an expired certificate added through the form shows as overdue
/// on the upkeep page, and the dashboard's overdue count goes up.
#[test]
fn the_upkeep_page_and_the_certificate_form_work_in_japanese_in_chromium() {
    run("e2e/upkeep.spec.mjs", "upkeep.spec");
}
