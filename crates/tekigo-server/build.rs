//! Embeds the example projects for `tekigo serve --demo`: their project files
//! (tekigo.yaml, assessments/, evidence/, risk/system.yaml), so that a demo needs nothing but the binary.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const EXAMPLES: &[&str] = &["gateway", "tekigo-self", "water-treatment"];

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let examples = manifest.join("../../examples");
    let mut out = String::from("pub const FILES: &[(&str, &str, &[u8])] = &[\n");
    for name in EXAMPLES {
        let root = examples.join(name);
        println!("cargo:rerun-if-changed={}", root.display());
        let mut files = Vec::new();
        collect(&root, &root, &mut files);
        files.sort();
        for rel in files {
            let abs = root.join(&rel).canonicalize().expect("example file");
            writeln!(
                out,
                "    ({name:?}, {rel:?}, include_bytes!({:?})),",
                abs.display()
            )
            .expect("write to string");
        }
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it")).join("demo.rs");
    std::fs::write(dest, out).expect("write demo.rs");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let rel = path.strip_prefix(root).expect("inside root");
        let rel_text = rel.to_string_lossy().replace('\\', "/");
        let wanted = rel_text == "tekigo.yaml"
            || rel_text.starts_with("assessments")
            || rel_text.starts_with("evidence")
            || rel_text == "risk"
            || rel_text == "risk/system.yaml";
        if !wanted {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            files.push(rel_text);
        }
    }
}
