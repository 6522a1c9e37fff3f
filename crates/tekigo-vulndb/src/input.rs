//! Reading advisory files: single JSON files, directories (recursively) and zip archives
//! (osv.dev's `all.zip` per ecosystem), with the format recognised from the content.

use crate::model::Advisory;
use crate::{csaf, cve5, debian_tracker, kev, nvd, osv};
use serde::de::IgnoredAny;
use serde::Deserialize;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The four formats tekigo imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Osv,
    Nvd,
    Csaf,
    Kev,
    Cve5,
    DebianTracker,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Osv => "OSV",
            Format::Nvd => "NVD CVE API 2.0",
            Format::Csaf => "CSAF 2.0",
            Format::Kev => "CISA KEV",
            Format::Cve5 => "CVE JSON 5",
            Format::DebianTracker => "Debian security tracker",
        })
    }
}

/// A document that could not be read or parsed, named by file (and zip entry).
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct InputError {
    /// The file, or `archive.zip!entry.json`.
    pub origin: String,
    /// What went wrong; JSON errors carry line and column.
    pub message: String,
}

/// The top-level keys that tell the formats apart, read without building the document.
#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    document: Option<IgnoredAny>,
    #[serde(default)]
    vulnerabilities: Option<IgnoredAny>,
    #[serde(default, rename = "catalogVersion")]
    catalog_version: Option<IgnoredAny>,
    #[serde(default)]
    id: Option<IgnoredAny>,
    #[serde(default, rename = "dataType")]
    data_type: Option<String>,
}

/// Recognises the format of one JSON document from its top-level keys.
pub fn detect(bytes: &[u8]) -> Result<Format, String> {
    let probe: Probe = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if probe.data_type.as_deref() == Some("CVE_RECORD") {
        return Ok(Format::Cve5);
    }
    if probe.document.is_some() {
        return Ok(Format::Csaf);
    }
    if probe.catalog_version.is_some() {
        return Ok(Format::Kev);
    }
    if probe.vulnerabilities.is_some() {
        // NVD items are {"cve": {...}}, KEV items {"cveID": ...}: look at the first one.
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        return if kev::looks_like(&value) {
            Ok(Format::Kev)
        } else if nvd::looks_like(&value) {
            Ok(Format::Nvd)
        } else {
            Err("has `vulnerabilities` but neither NVD (`cve`) nor KEV (`cveID`) items".into())
        };
    }
    if probe.id.is_some() {
        return Ok(Format::Osv);
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if debian_tracker::looks_like(&value) {
        return Ok(Format::DebianTracker);
    }
    Err(
        "not an OSV record, NVD CVE API 2.0 response, CSAF 2.0 document, KEV catalogue, CVE JSON 5 record or Debian security tracker export"
            .to_string(),
    )
}

/// Parses one JSON document of any supported format.
pub fn parse_document(bytes: &[u8]) -> Result<(Format, Vec<Advisory>), String> {
    let format = detect(bytes)?;
    let advisories = match format {
        Format::Osv => osv::parse(bytes).map(|a| vec![a]),
        Format::Nvd => nvd::parse(bytes),
        Format::Csaf => csaf::parse(bytes),
        Format::Kev => kev::parse(bytes),
        Format::Cve5 => cve5::parse(bytes).map(|a| vec![a]),
        Format::DebianTracker => debian_tracker::parse(bytes),
    }
    .map_err(|e| format!("{format}: {e}"))?;
    Ok((format, advisories))
}

/// Receives each document's origin and parse result; returns `false` to stop the walk.
pub type Visitor<'a> = dyn FnMut(&str, Result<(Format, Vec<Advisory>), InputError>) -> bool + 'a;

/// Every document under `paths`, in a stable order: files as given, directories walked
/// recursively in name order (`*.json` and `*.zip`), zip archives entry by entry (`*.json`).
/// `visit` receives the origin and the parsed advisories (or the error) of each document; it
/// returns `false` to stop.
pub fn read_all(paths: &[PathBuf], visit: &mut Visitor<'_>) -> Result<(), InputError> {
    for path in paths {
        if !visit_path(path, true, visit)? {
            break;
        }
    }
    Ok(())
}

fn io_err(path: &Path, e: impl fmt::Display) -> InputError {
    InputError {
        origin: path.display().to_string(),
        message: e.to_string(),
    }
}

fn visit_path(path: &Path, explicit: bool, visit: &mut Visitor<'_>) -> Result<bool, InputError> {
    let meta = std::fs::metadata(path).map_err(|e| io_err(path, e))?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| io_err(path, e))?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(|e| io_err(path, e))?;
        entries.sort();
        for entry in entries {
            let is_dir = entry.is_dir();
            let ext = entry.extension().and_then(|e| e.to_str()).unwrap_or("");
            if (is_dir || ext == "json" || ext == "zip") && !visit_path(&entry, false, visit)? {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    let mut file = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    let mut magic = [0u8; 4];
    let n = file.read(&mut magic).map_err(|e| io_err(path, e))?;
    if n == 4 && &magic == b"PK\x03\x04" {
        return visit_zip(path, visit);
    }
    if !explicit && path.extension().and_then(|e| e.to_str()) != Some("json") {
        return Ok(true);
    }
    let bytes = std::fs::read(path).map_err(|e| io_err(path, e))?;
    let origin = path.display().to_string();
    let parsed = parse_document(&bytes).map_err(|message| InputError {
        origin: origin.clone(),
        message,
    });
    Ok(visit(&origin, parsed))
}

fn visit_zip(path: &Path, visit: &mut Visitor<'_>) -> Result<bool, InputError> {
    let file = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    let mut archive =
        zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| io_err(path, e))?;
    // Entries are inflated here with one reused decompressor and buffers: letting the zip
    // crate allocate a fresh inflate state per entry, interleaved with the records an import
    // keeps, fragmented the heap to 1.4 GB for one 71,000-entry archive (120 MB this way).
    let mut inflate = flate2::Decompress::new(false);
    let (mut raw, mut buf) = (Vec::new(), Vec::new());
    for i in 0..archive.len() {
        let mut entry = archive.by_index_raw(i).map_err(|e| io_err(path, e))?;
        let name = entry
            .name()
            .map_err(|e| io_err(path, format!("entry {i}: {e}")))?
            .into_owned();
        if entry.is_dir() || !name.ends_with(".json") {
            continue;
        }
        let origin = format!("{}!{name}", path.display());
        let fail = |message: String| InputError {
            origin: origin.clone(),
            message,
        };
        let (method, size, crc) = (entry.compression(), entry.size(), entry.crc32());
        raw.clear();
        entry
            .read_to_end(&mut raw)
            .map_err(|e| fail(e.to_string()))?;
        drop(entry);
        buf.clear();
        match method {
            zip::CompressionMethod::Stored => buf.extend_from_slice(&raw),
            zip::CompressionMethod::Deflated => {
                inflate_into(&mut inflate, &raw, size, &mut buf).map_err(&fail)?
            }
            other => return Err(fail(format!("unsupported zip compression {other:?}"))),
        }
        let mut check = flate2::Crc::new();
        check.update(&buf);
        if check.sum() != crc {
            return Err(fail("CRC mismatch: the archive is damaged".to_string()));
        }
        let parsed = parse_document(&buf).map_err(|message| InputError {
            origin: origin.clone(),
            message,
        });
        if !visit(&origin, parsed) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The largest entry inflated (the whole NVD 2.0 feed of a year is about 100 MB).
const MAX_ENTRY: usize = 1 << 30;

fn inflate_into(
    inflate: &mut flate2::Decompress,
    raw: &[u8],
    size: u64,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    inflate.reset(false);
    out.reserve((size as usize).min(MAX_ENTRY));
    loop {
        let consumed = inflate.total_in() as usize;
        let status = inflate
            .decompress_vec(
                &raw[consumed.min(raw.len())..],
                out,
                flate2::FlushDecompress::Finish,
            )
            .map_err(|e| format!("damaged deflate data: {e}"))?;
        match status {
            flate2::Status::StreamEnd => return Ok(()),
            _ if out.len() >= MAX_ENTRY => {
                return Err("entry inflates to more than 1 GiB".to_string())
            }
            _ if out.len() == out.capacity() => out.reserve(out.len().max(4096)),
            _ if inflate.total_in() as usize >= raw.len() => {
                return Err("truncated deflate data".to_string())
            }
            _ => {}
        }
    }
}
