//! Embeds every YAML file under the workspace's `catalogs/` directory (the top level,
//! `frameworks/`, `regimes/` and `mappings/`) so that adding a catalog file needs no code change.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

const SUBDIRS: [&str; 4] = ["", "frameworks", "regimes", "mappings"];

fn main() {
    let manifest =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest.join("../../catalogs");
    let mut files = Vec::new();
    for sub in SUBDIRS {
        let dir = root.join(sub);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut names: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|e| e.expect("directory entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        names.sort();
        for path in names {
            println!("cargo:rerun-if-changed={}", path.display());
            let rel = Path::new(sub).join(path.file_name().expect("file name"));
            files.push((
                rel.to_string_lossy().replace('\\', "/"),
                fs::canonicalize(&path).expect("canonical path"),
            ));
        }
    }
    let mut out = String::from(
        "/// Catalog files built into the binary: (path under `catalogs/`, content).\n",
    );
    out.push_str("pub(crate) const EMBEDDED: &[(&str, &str)] = &[\n");
    for (rel, abs) in files {
        out.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            abs.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest =
        PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    fs::write(dest, out).expect("write embedded.rs");
}
