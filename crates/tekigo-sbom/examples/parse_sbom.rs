//! Times parsing SBOM files, the baseline the scan benchmark compares against ("the scan
//! takes less than 3 times as long as merely parsing the SBOM").
//!
//! `cargo run --release -p tekigo-sbom --example parse_sbom -- FILE...`

use std::time::Instant;

fn main() {
    let mut status = 0;
    for path in std::env::args().skip(1) {
        let start = Instant::now();
        match tekigo_sbom::Sbom::from_path(&path) {
            Ok(sbom) => println!(
                "{path}: {} {} components, {} warnings, {:.1} ms",
                sbom.format,
                sbom.components.len(),
                sbom.warnings.len(),
                start.elapsed().as_secs_f64() * 1000.0
            ),
            Err(e) => {
                eprintln!("{e}");
                status = 2;
            }
        }
    }
    std::process::exit(status);
}
