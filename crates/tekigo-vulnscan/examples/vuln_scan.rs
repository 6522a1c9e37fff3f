//! `tekigo vuln scan SBOM --db DB --format json -o OUT` (and `--parse-only`, and `vulndb
//! import`) through the same library calls as the command, in a small binary: a release
//! build of the whole command (typst, the web server) takes the better part of an hour on
//! the shared 2-core machine, this one minutes. docs/PERFORMANCE.md says which figures came
//! from it.
//!
//!     vuln_scan import DB FILE...
//!     vuln_scan parse SBOM
//!     vuln_scan scan SBOM DB OUT

use std::io::Write;
use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("import") if args.len() > 3 => {
            let files: Vec<PathBuf> = args[3..].iter().map(PathBuf::from).collect();
            let r = tekigo_vulndb::import(
                Path::new(&args[2]),
                &files,
                &tekigo_vulndb::ImportOptions::default(),
            )?;
            println!("{} added, {} records", r.added, r.total);
        }
        Some("parse") if args.len() == 3 => {
            let sbom = tekigo_sbom::Sbom::from_path(Path::new(&args[2]))?;
            println!("{} components", sbom.components.len());
        }
        Some("scan") if args.len() == 5 => {
            let db = tekigo_vulndb::Db::open(Path::new(&args[3]))?;
            let mut out = std::io::BufWriter::new(std::fs::File::create(&args[4])?);
            let (_, found) = tekigo_vulnscan::scan_file_json(
                Path::new(&args[2]),
                &db,
                None,
                None,
                None,
                &mut out,
            )?;
            out.write_all(b"\n")?;
            out.flush()?;
            // As the command does: no freeing at exit.
            std::mem::forget(found);
        }
        _ => {
            return Err("usage: vuln_scan import DB FILE... | parse SBOM | scan SBOM DB OUT".into())
        }
    }
    Ok(())
}
