//! The web application in a real browser: runs e2e/app.spec.mjs (Playwright driving
//! Debian's chromium) against the `tekigo` binary of this build.
//!
//! Needs node, chromium and e2e/node_modules (scripts/setup/70-browser.sh installs them).
//! A missing tool fails this test rather than skipping it, so that CI cannot pass without
//! having run the browser.

use std::path::Path;
use std::process::Command;

#[test]
fn the_web_application_works_end_to_end_in_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    assert!(
        root.join("e2e/node_modules/playwright-core").is_dir(),
        "e2e/node_modules/playwright-core is missing: run scripts/setup/70-browser.sh"
    );
    let output = Command::new("node")
        .arg("e2e/app.spec.mjs")
        .current_dir(&root)
        .env("TEKIGO_BIN", env!("CARGO_BIN_EXE_tekigo"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): run scripts/setup/70-browser.sh"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "e2e/app.spec.mjs failed:\n{text}");
    assert!(text.contains("app.spec: ok"), "{text}");
}
