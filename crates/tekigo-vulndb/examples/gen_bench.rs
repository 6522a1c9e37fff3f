//! Generates the benchmark input of `scripts/bench-vuln.sh`: OSV advisories over several
//! ecosystems, one zip archive per ecosystem as osv.dev distributes them (`all.zip`), and a
//! CycloneDX 1.5 SBOM whose components partly hit those advisories.
//!
//! `cargo run --release -p tekigo-vulndb --example gen_bench -- OUT_DIR ADVISORIES COMPONENTS
//! [sbom-only]`
//!
//! `sbom-only` writes only the SBOM (the advisories are drawn but not written): with the same
//! ADVISORIES, its first components are those of the SBOM a full run writes, so a larger
//! SBOM matches the zips already generated (`scripts/bench-vuln.sh` builds its SBOM with
//! 15,000 findings so).
//!
//! Deterministic (a fixed linear congruential generator), so every run measures the same data.

use std::io::Write;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// (OSV ecosystem, PURL prefix, version style)
const ECOSYSTEMS: [(&str, &str, &str); 7] = [
    ("Debian:12", "pkg:deb/debian/", "deb"),
    ("Alpine:v3.19", "pkg:apk/alpine/", "apk"),
    ("PyPI", "pkg:pypi/", "plain"),
    ("npm", "pkg:npm/", "plain"),
    ("crates.io", "pkg:cargo/", "plain"),
    ("Maven", "pkg:maven/org.bench/", "plain"),
    ("Go", "pkg:golang/example.com/bench/", "plain"),
];
const PACKAGES_PER_ECOSYSTEM: u64 = 20_000;

fn version(style: &str, major: u64, minor: u64, patch: u64, rev: u64) -> String {
    match style {
        "deb" => format!("{major}.{minor}.{patch}-{}", rev + 1),
        "apk" => format!("{major}.{minor}.{patch}-r{rev}"),
        _ => format!("{major}.{minor}.{patch}"),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (out, n_adv, n_comp, sbom_only) = match args.as_slice() {
        [_, out, n_adv, n_comp] => (out, n_adv, n_comp, false),
        [_, out, n_adv, n_comp, only] if only == "sbom-only" => (out, n_adv, n_comp, true),
        _ => return Err("usage: gen_bench OUT_DIR ADVISORIES COMPONENTS [sbom-only]".into()),
    };
    let out = std::path::Path::new(out);
    let (n_adv, n_comp): (u64, u64) = (n_adv.parse()?, n_comp.parse()?);
    std::fs::create_dir_all(out)?;
    let mut rng = Lcg(62443);
    let per_eco = n_adv / ECOSYSTEMS.len() as u64;
    for (e, (eco, _, style)) in ECOSYSTEMS.iter().enumerate() {
        let mut zip = match sbom_only {
            true => None,
            false => Some(zip::ZipWriter::new(std::io::BufWriter::new(
                std::fs::File::create(out.join(format!("osv-{e}.zip")))?,
            ))),
        };
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1));
        let count = if e == 0 {
            n_adv - per_eco * (ECOSYSTEMS.len() as u64 - 1)
        } else {
            per_eco
        };
        for i in 0..count {
            let pkg = rng.below(PACKAGES_PER_ECOSYSTEM);
            let name = match *eco {
                "Maven" => format!("org.bench:pkg{pkg}"),
                "Go" => format!("example.com/bench/pkg{pkg}"),
                _ => format!("pkg{pkg}"),
            };
            let major = rng.below(5);
            let minor = rng.below(20);
            let intro = if rng.below(3) == 0 {
                "0".to_string()
            } else {
                version(style, major, minor, 0, 0)
            };
            let fixed = version(style, major, minor, 1 + rng.below(9), rng.below(3));
            let listed: Vec<String> = (0..rng.below(4))
                .map(|p| format!("\"{}\"", version(style, major, minor, p, 0)))
                .collect();
            let id = format!("BENCH-{e}-{i}");
            let rec = format!(
                r#"{{"schema_version":"1.6.0","id":"{id}","modified":"2024-0{m}-1{d}T00:00:00Z","published":"2023-01-01T00:00:00Z","aliases":["CVE-{y}-{c}"],"summary":"Synthetic advisory {id} for {name}","details":"Generated for the tekigo benchmark: a flaw in {name} before {fixed}.","severity":[{{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:{ui}/S:U/C:H/I:{ii}/A:H"}}],"affected":[{{"package":{{"ecosystem":"{eco}","name":"{name}"}},"ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":"{intro}"}},{{"fixed":"{fixed}"}}]}}],"versions":[{versions}],"database_specific":{{"source":"bench"}}}}],"references":[{{"type":"ADVISORY","url":"https://example.invalid/advisories/{id}"}},{{"type":"WEB","url":"https://example.invalid/{name}/issues/{i}"}}],"database_specific":{{"severity":"HIGH"}}}}"#,
                m = 1 + rng.below(9),
                d = rng.below(10),
                y = 2015 + rng.below(10),
                c = 10_000 + i,
                ui = if rng.below(2) == 0 { "N" } else { "R" },
                ii = if rng.below(2) == 0 { "H" } else { "N" },
                versions = listed.join(","),
            );
            if let Some(zip) = &mut zip {
                zip.start_file(format!("{id}.json"), opts)?;
                zip.write_all(rec.as_bytes())?;
            }
        }
        if let Some(zip) = zip {
            zip.finish()?;
        }
    }
    let mut sbom = std::io::BufWriter::new(std::fs::File::create(out.join("sbom.cdx.json"))?);
    write!(
        sbom,
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.5","serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79","version":1,"metadata":{{"timestamp":"2024-05-01T00:00:00Z","component":{{"type":"firmware","name":"bench-device","version":"1.0"}}}},"components":["#
    )?;
    for i in 0..n_comp {
        if i > 0 {
            write!(sbom, ",")?;
        }
        let (eco, prefix, style) = ECOSYSTEMS[rng.below(ECOSYSTEMS.len() as u64) as usize];
        let pkg = rng.below(PACKAGES_PER_ECOSYSTEM);
        let v = version(
            style,
            rng.below(5),
            rng.below(20),
            rng.below(10),
            rng.below(3),
        );
        let qualifiers = match style {
            "deb" => "?arch=amd64&distro=debian-12",
            "apk" => "?arch=x86_64&distro=alpine-3.19.1",
            _ => "",
        };
        let name = format!("pkg{pkg}");
        let cpe = if i % 10 == 0 {
            format!(r#","cpe":"cpe:2.3:a:bench:{name}:{v}:*:*:*:*:*:*:*""#)
        } else {
            String::new()
        };
        write!(
            sbom,
            r#"{{"type":"library","bom-ref":"c{i}","name":"{name}","version":"{v}","purl":"{prefix}{name}@{v}{qualifiers}"{cpe},"licenses":[{{"license":{{"id":"MIT"}}}}],"hashes":[{{"alg":"SHA-256","content":"{:016x}{:016x}{:016x}{:016x}"}}],"properties":[{{"name":"ecosystem","value":"{eco}"}}]}}"#,
            rng.next(),
            rng.next(),
            rng.next(),
            rng.next()
        )?;
    }
    writeln!(sbom, "]}}")?;
    sbom.flush()?;
    Ok(())
}
