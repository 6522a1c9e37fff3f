//! Checks fed by the one filesystem walk: permissions, set-id programs, owners, keys and
//! certificates.

use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};
use tekigo_rootfs::Entry;
use x509_parser::pem::Pem;
use x509_parser::public_key::PublicKey;

use crate::ctx::{Ctx, Eval, Outcome, Unreadable};
use crate::facts::inventory::{Inventory, KEY_FILE_LIMIT};
use crate::model::{Evidence, Verdict};

const MAX_LISTED: usize = 25;

fn entry_evidence(e: &Entry) -> Evidence {
    Evidence::path(e.path.display().to_string())
        .with_value("mode", format!("{:04o}", e.metadata.mode))
        .with_value("uid", e.metadata.uid.to_string())
        .with_value("gid", e.metadata.gid.to_string())
}

/// Turns a list of offending walk entries into an outcome. A walk that could not read
/// part of the tree and found nothing is `unreadable`, not a pass.
fn walk_outcome(inv: &Inventory, bad: &[&Entry], fail: &str, pass: &str) -> Eval {
    if !bad.is_empty() {
        let mut evidence: Vec<Evidence> = bad
            .iter()
            .take(MAX_LISTED)
            .map(|e| entry_evidence(e))
            .collect();
        if bad.len() > MAX_LISTED {
            evidence.push(Evidence::note(format!(
                "{} more not listed",
                bad.len() - MAX_LISTED
            )));
        }
        return Ok(Outcome::new(
            Verdict::Fail,
            format!("{} {fail}", bad.len()),
            evidence,
        ));
    }
    if let Some((path, reason)) = inv.problems.first() {
        return Err(Unreadable {
            path: path.clone(),
            reason: format!(
                "the walk could not examine {} part(s) of the tree: {reason}",
                inv.problems.len()
            ),
        });
    }
    Ok(Outcome::new(
        Verdict::Pass,
        format!("{pass} ({} files examined)", inv.entries),
        vec![Evidence::note("one walk of the whole root")
            .with_value("files_examined", inv.entries.to_string())],
    ))
}

pub fn world_writable(ctx: &Ctx) -> Eval {
    let inv = ctx.inventory()?;
    let bad: Vec<&Entry> = inv.world_writable_files.iter().collect();
    walk_outcome(
        &inv,
        &bad,
        "world-writable file(s)",
        "no world-writable file",
    )
}

pub fn world_writable_dirs(ctx: &Ctx) -> Eval {
    let inv = ctx.inventory()?;
    let bad: Vec<&Entry> = inv.world_writable_dirs.iter().collect();
    walk_outcome(
        &inv,
        &bad,
        "world-writable director(ies) without the sticky bit",
        "every world-writable directory has the sticky bit",
    )
}

pub fn setid(ctx: &Ctx) -> Eval {
    let inv = ctx.inventory()?;
    let allowed = &ctx.data.setid.allowed;
    let bad: Vec<&Entry> = inv
        .setid
        .iter()
        .filter(|e| {
            let p = e.path.display().to_string();
            // /bin and /usr/bin are one directory on merged-/usr systems.
            let alt = p.strip_prefix("/usr").map(String::from);
            !allowed.iter().any(|a| {
                *a == p
                    || alt.as_deref() == Some(a.as_str())
                    || a.strip_prefix("/usr") == Some(p.as_str())
            })
        })
        .collect();
    let out = walk_outcome(
        &inv,
        &bad,
        "set-id program(s) not on the allowlist",
        "every set-id program is on the allowlist",
    )?;
    let mut out = out;
    if out.verdict == Verdict::Pass {
        out.evidence = inv.setid.iter().map(entry_evidence).collect();
        out.detail = format!(
            "{} set-id program(s), all on the allowlist ({} files examined)",
            inv.setid.len(),
            inv.entries
        );
    }
    Ok(out)
}

pub fn unowned(ctx: &Ctx) -> Eval {
    if !ctx.ownership_preserved {
        return Err(Unreadable {
            path: "/".into(),
            reason: "file owners were not kept when the archive was unpacked without root \
                     privileges"
                .into(),
        });
    }
    let acc = ctx.accounts()?;
    if acc.passwd.is_none() || acc.group_file.is_none() {
        return Ok(Outcome::new(
            Verdict::NotApplicable,
            "no /etc/passwd or /etc/group to resolve owners",
            vec![],
        ));
    }
    let inv = ctx.inventory()?;
    let bad: Vec<&Entry> = inv.unowned.iter().collect();
    walk_outcome(
        &inv,
        &bad,
        "file(s) owned by a UID or GID no account or group has",
        "every file belongs to a known user and group",
    )
}

/// A PEM block in a candidate file.
struct Block {
    path: String,
    sha256: String,
    label: String,
    der: Vec<u8>,
    encrypted: bool,
    mode: u32,
}

fn pem_blocks(ctx: &Ctx) -> Result<Vec<Block>, Unreadable> {
    let inv = ctx.inventory()?;
    let mut out = Vec::new();
    for path in &inv.key_candidates {
        let read = match ctx.root.read(path, KEY_FILE_LIMIT) {
            Ok(r) => r,
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e.into()),
        };
        if !read.bytes.windows(11).any(|w| w == b"-----BEGIN ") {
            // A DER certificate: SEQUENCE with a long length.
            if read.bytes.starts_with(&[0x30, 0x82]) && path.ends_with(".der")
                || path.ends_with(".cer")
            {
                out.push(Block {
                    path: read.path.display().to_string(),
                    sha256: read.sha256_hex(),
                    label: "CERTIFICATE".into(),
                    der: read.bytes.clone(),
                    encrypted: false,
                    mode: read.metadata.mode,
                });
            }
            continue;
        }
        let text = String::from_utf8_lossy(&read.bytes);
        let proc_encrypted = text.contains("Proc-Type: 4,ENCRYPTED");
        for pem in Pem::iter_from_buffer(&read.bytes).flatten() {
            out.push(Block {
                path: read.path.display().to_string(),
                sha256: read.sha256_hex(),
                encrypted: pem.label.contains("ENCRYPTED") || proc_encrypted,
                label: pem.label,
                der: pem.contents,
                mode: read.metadata.mode,
            });
        }
    }
    Ok(out)
}

/// Private keys must not be readable by other users.
pub fn private_key_permissions(ctx: &Ctx) -> Eval {
    let blocks = pem_blocks(ctx)?;
    let keys: Vec<&Block> = blocks
        .iter()
        .filter(|b| b.label.ends_with("PRIVATE KEY"))
        .collect();
    if keys.is_empty() {
        return Ok(Outcome::new(
            Verdict::NotApplicable,
            "no private key file found",
            vec![],
        ));
    }
    let mut bad = Vec::new();
    let mut evidence = Vec::new();
    let mut files: Vec<&str> = Vec::new();
    for k in &keys {
        if files.contains(&k.path.as_str()) {
            continue;
        }
        files.push(&k.path);
        let ev = Evidence {
            path: Some(k.path.clone()),
            sha256: Some(k.sha256.clone()),
            ..Evidence::default()
        }
        .with_value("mode", format!("{:04o}", k.mode))
        .with_value("type", k.label.clone())
        .with_value(
            "passphrase",
            if k.encrypted { "yes" } else { "no" }.to_string(),
        );
        if k.mode & 0o007 != 0 {
            bad.push(format!("{} ({:04o})", k.path, k.mode));
        }
        evidence.push(ev);
    }
    if bad.is_empty() {
        Ok(Outcome::new(
            Verdict::Pass,
            format!(
                "{} private key file(s), none readable by others",
                files.len()
            ),
            evidence,
        ))
    } else {
        Ok(Outcome::new(
            Verdict::Fail,
            format!("private keys readable by any user: {}", bad.join(", ")),
            evidence,
        ))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Certificates and public keys whose fingerprint is a published test key.
pub fn known_test_keys(ctx: &Ctx) -> Eval {
    let blocks = pem_blocks(ctx)?;
    let known = &ctx.data.test_keys.keys;
    let mut evidence = Vec::new();
    let mut names = Vec::new();
    let mut examined = 0;
    for b in &blocks {
        let (cert_fp, spki_fp) = match b.label.as_str() {
            "CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                let spki = x509_parser::parse_x509_certificate(&b.der)
                    .ok()
                    .map(|(_, c)| hex(&Sha256::digest(c.public_key().raw)));
                (Some(hex(&Sha256::digest(&b.der))), spki)
            }
            "PUBLIC KEY" => (None, Some(hex(&Sha256::digest(&b.der)))),
            _ => continue,
        };
        examined += 1;
        for k in known {
            let hit = (cert_fp.is_some() && cert_fp == k.cert_sha256)
                || (spki_fp.is_some() && spki_fp == k.spki_sha256);
            if hit {
                names.push(format!("{} ({})", b.path, k.name));
                evidence.push(
                    Evidence {
                        path: Some(b.path.clone()),
                        sha256: Some(b.sha256.clone()),
                        ..Evidence::default()
                    }
                    .with_value("test_key", k.name.clone())
                    .with_value("published_in", k.source.clone())
                    .with_value(
                        "fingerprint_sha256",
                        cert_fp.clone().or(spki_fp.clone()).unwrap_or_default(),
                    ),
                );
            }
        }
    }
    if !names.is_empty() {
        return Ok(Outcome::new(
            Verdict::Fail,
            format!("published test keys: {}", names.join(", ")),
            evidence,
        ));
    }
    Ok(Outcome::new(
        Verdict::Pass,
        format!(
            "none of {examined} certificate(s) and public key(s) is one of {} known test keys",
            known.len()
        ),
        vec![
            Evidence::note("certificates and public keys found by the walk")
                .with_value("examined", examined.to_string()),
        ],
    ))
}

/// Trust stores hold other parties' roots; their quality is the distribution's concern.
const TRUST_STORES: [&str; 5] = [
    "/etc/ssl/certs/",
    "/usr/share/ca-certificates/",
    "/etc/pki/ca-trust/",
    "/usr/share/pki/",
    "/etc/ca-certificates/",
];

/// The device's own certificates: RSA under 2048 bits, EC under 256, MD5 or SHA-1
/// signatures, or expired.
pub fn weak_certificates(ctx: &Ctx) -> Eval {
    const WEAK_SIG_OIDS: [(&str, &str); 4] = [
        ("1.2.840.113549.1.1.4", "md5WithRSA"),
        ("1.2.840.113549.1.1.5", "sha1WithRSA"),
        ("1.2.840.10045.4.1", "ecdsa-with-SHA1"),
        ("1.2.840.10040.4.3", "dsa-with-SHA1"),
    ];
    let blocks = pem_blocks(ctx)?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let mut evidence = Vec::new();
    let mut problems = Vec::new();
    let mut count = 0;
    for b in blocks.iter().filter(|b| b.label == "CERTIFICATE") {
        if TRUST_STORES.iter().any(|t| b.path.starts_with(t)) {
            continue;
        }
        let Ok((_, cert)) = x509_parser::parse_x509_certificate(&b.der) else {
            continue;
        };
        count += 1;
        let mut issues = Vec::new();
        let bits = cert.public_key().parsed().ok().map(|k| match &k {
            PublicKey::RSA(_) => ("RSA", k.key_size()),
            PublicKey::EC(_) => ("EC", k.key_size()),
            _ => ("other", k.key_size()),
        });
        match bits {
            Some(("RSA", n)) if n < 2048 => issues.push(format!("RSA {n} bits")),
            Some(("EC", n)) if n > 0 && n < 256 => issues.push(format!("EC {n} bits")),
            _ => {}
        }
        let oid = cert.signature_algorithm.algorithm.to_id_string();
        let self_signed = cert.subject() == cert.issuer();
        if let Some((_, name)) = WEAK_SIG_OIDS.iter().find(|(o, _)| *o == oid) {
            if !self_signed {
                issues.push(format!("signed with {name}"));
            }
        }
        let not_after = cert.validity().not_after.timestamp();
        if not_after < now {
            issues.push("expired".into());
        }
        let mut ev = Evidence {
            path: Some(b.path.clone()),
            sha256: Some(b.sha256.clone()),
            ..Evidence::default()
        }
        .with_value("subject", cert.subject().to_string())
        .with_value("not_after", cert.validity().not_after.to_string())
        .with_value("signature", oid);
        if let Some((kind, n)) = bits {
            ev = ev.with_value("key", format!("{kind} {n}"));
        }
        if !issues.is_empty() {
            problems.push(format!("{}: {}", b.path, issues.join(", ")));
            evidence.push(ev);
        } else if evidence.len() < MAX_LISTED && problems.is_empty() {
            evidence.push(ev);
        }
    }
    if count == 0 {
        return Ok(Outcome::new(
            Verdict::NotApplicable,
            "no certificate outside the trust store",
            vec![],
        ));
    }
    if problems.is_empty() {
        Ok(Outcome::new(
            Verdict::Pass,
            format!("{count} certificate(s), all with strong keys and signatures, none expired"),
            evidence,
        ))
    } else {
        evidence.retain(|e| {
            problems
                .iter()
                .any(|p| Some(p.split(':').next().unwrap_or("")) == e.path.as_deref())
        });
        Ok(Outcome::new(Verdict::Fail, problems.join("; "), evidence))
    }
}
