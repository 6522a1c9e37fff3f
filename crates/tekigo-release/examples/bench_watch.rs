//! The watch's re-match measured (`scripts/bench-watch.sh`): SBOMS releases of COMPONENTS
//! components each, drawn from the 10,000-component SBOM of `scripts/bench-vuln.sh`'s data,
//! against its advisories; the watch (each distinct component matched once) beside matching
//! every SBOM on its own.
//!
//! `bench_watch DATA_DIR WORK_DIR [SBOMS] [COMPONENTS] [watch-only]` (DATA_DIR holds
//! `osv-*.zip` and `sbom.cdx.json` from `gen_bench`). Deterministic: a fixed linear
//! congruential generator picks the components. `watch-only` runs nothing but
//! `watch::watch` once after the set-up, so that the process's peak memory is the watch's
//! (the full run holds every parsed SBOM for the comparison).

use std::path::{Path, PathBuf};
use std::time::Instant;

struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err("usage: bench_watch DATA_DIR WORK_DIR [SBOMS] [COMPONENTS]".into());
    }
    let data = PathBuf::from(&args[1]);
    let work = PathBuf::from(&args[2]);
    let n_sboms: usize = args.get(3).map_or(Ok(1000), |s| s.parse())?;
    let n_comp: usize = args.get(4).map_or(Ok(1000), |s| s.parse())?;
    std::fs::create_dir_all(&work)?;
    let db_path = work.join("advisories.tkvdb");
    if !db_path.exists() {
        let mut zips: Vec<PathBuf> = std::fs::read_dir(&data)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "zip"))
            .collect();
        zips.sort();
        let t = Instant::now();
        let r = tekigo_vulndb::import(&db_path, &zips, &tekigo_vulndb::ImportOptions::default())?;
        println!(
            "import: {} advisories in {:.1} s",
            r.total,
            t.elapsed().as_secs_f64()
        );
    }
    let db = tekigo_vulndb::Db::open(&db_path)?;
    println!("advisories: {}", db.len());

    let source: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("sbom.cdx.json"))?)?;
    let pool = source["components"].as_array().ok_or("no components")?;
    let project = work.join(format!("project-{n_sboms}-{n_comp}"));
    if !project.join("releases").exists() {
        let mut rng = Lcg(42);
        for i in 0..n_sboms {
            let mut picked = std::collections::BTreeSet::new();
            while picked.len() < n_comp.min(pool.len()) {
                picked.insert(rng.below(pool.len() as u64) as usize);
            }
            let components: Vec<&serde_json::Value> = picked.iter().map(|&j| &pool[j]).collect();
            let sbom = serde_json::json!({
                "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
                "components": components,
            });
            write_release(&project, &format!("1.{i}"), &serde_json::to_vec(&sbom)?)?;
        }
    }

    if args.get(5).is_some_and(|a| a == "watch-only") {
        let _ = std::fs::remove_file(project.join(tekigo_release::watch::FINDINGS_FILE));
        let t = Instant::now();
        let outcome = tekigo_release::watch::watch(
            &project,
            None,
            &db,
            "2026-12-03",
            "2026-12-03T00:00:00Z",
        )?;
        println!(
            "watch only (list, parse, re-match, record {} new findings): {:.2} s",
            outcome.new.len(),
            t.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let t = Instant::now();
    let releases = tekigo_release::list(&project)?;
    let sboms: Vec<tekigo_sbom::Sbom> = releases
        .iter()
        .map(|r| tekigo_release::sboms(&project, r))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect();
    let parse = t.elapsed();
    let components: usize = sboms.iter().map(|s| s.components.len()).sum();
    let distinct: std::collections::BTreeSet<String> = sboms
        .iter()
        .flat_map(|s| s.components.iter())
        .map(|c| tekigo_vulnscan::query_of(c).label)
        .collect();
    println!(
        "{} SBOMs, {components} components, {} distinct; reading and parsing them: {:.2} s",
        sboms.len(),
        distinct.len(),
        parse.as_secs_f64()
    );

    let refs: Vec<&tekigo_sbom::Sbom> = sboms.iter().collect();
    let t = Instant::now();
    let shared = tekigo_release::watch::rematch(&db, &refs)?;
    let rematch = t.elapsed();
    let findings: usize = (0..shared.len()).map(|n| shared.findings(n).count()).sum();
    drop(shared);
    println!(
        "re-match, each distinct component once: {:.2} s, {findings} findings",
        rematch.as_secs_f64()
    );

    let _ = std::fs::remove_file(project.join(tekigo_release::watch::FINDINGS_FILE));
    let t = Instant::now();
    let outcome =
        tekigo_release::watch::watch(&project, None, &db, "2026-12-03", "2026-12-03T00:00:00Z")?;
    println!(
        "whole watch (list, parse, re-match, record {} new findings): {:.2} s",
        outcome.new.len(),
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let mut alone = 0;
    for s in &sboms {
        let queries: Vec<tekigo_vulndb::Query> =
            s.components.iter().map(tekigo_vulnscan::query_of).collect();
        alone += tekigo_vulndb::scan(&db, &queries)?.findings.len();
    }
    println!(
        "every SBOM matched on its own: {:.2} s, {alone} findings",
        t.elapsed().as_secs_f64()
    );
    assert_eq!(alone, findings, "both ways find the same");
    Ok(())
}

fn write_release(project: &Path, version: &str, sbom: &[u8]) -> std::io::Result<()> {
    let dir = project.join("releases").join(version);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("sbom.cdx.json"), sbom)?;
    let release = serde_json::json!({
        "format": 1, "version": version, "frozen_at": "2026-12-01T00:00:00Z",
        "support_until": null, "sboms": ["sbom.cdx.json"],
    });
    std::fs::write(dir.join("release.json"), serde_json::to_vec(&release)?)
}
