//! Embeds every YAML file under `checks/` (check definitions) and `data/` (default
//! credentials, known test keys, allowlists), so adding a check file needs no code change.

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    let manifest =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let mut out = String::new();
    for (dir, constant) in [("checks", "CHECK_FILES"), ("data", "DATA_FILES")] {
        let dir = manifest.join(dir);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut names: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|e| e.expect("directory entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        names.sort();
        out.push_str(&format!(
            "pub(crate) const {constant}: &[(&str, &str)] = &[\n"
        ));
        for path in names {
            println!("cargo:rerun-if-changed={}", path.display());
            let name = path
                .file_name()
                .expect("file name")
                .to_string_lossy()
                .into_owned();
            let abs = fs::canonicalize(&path).expect("canonical path");
            out.push_str(&format!(
                "    ({name:?}, include_str!({:?})),\n",
                abs.display().to_string()
            ));
        }
        out.push_str("];\n");
    }
    let dest =
        PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    fs::write(dest, out).expect("write embedded.rs");
}
