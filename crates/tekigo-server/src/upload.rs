//! Uploads (evidence, scan reports, SBOMs) are authorised before their body is read, and
//! then streamed to a temporary file in the data directory, refused past the size limit.
//! A body is never held in memory whole by the server, so that uploads to a project the
//! caller cannot see cost nothing, and allowed ones cost their chunk buffers.

use crate::error::AppError;
use axum::body::Body;
use http_body_util::BodyExt;
use std::io::{Read, Seek, Write};
use std::path::Path;

/// An upload on disk. The file is removed when this is dropped.
pub struct Spooled {
    file: tempfile::NamedTempFile,
    len: u64,
}

impl Spooled {
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// A reader from the start of the upload.
    pub fn reader(&self) -> Result<std::fs::File, AppError> {
        let mut f = self.file.reopen().map_err(internal)?;
        f.rewind().map_err(internal)?;
        Ok(f)
    }

    /// The whole upload in memory, for parsers that need a slice; bounded by the limit
    /// it was spooled with.
    pub fn bytes(&self) -> Result<Vec<u8>, AppError> {
        let mut out = Vec::with_capacity(usize::try_from(self.len).unwrap_or(0));
        self.reader()?.read_to_end(&mut out).map_err(internal)?;
        Ok(out)
    }
}

fn internal(e: std::io::Error) -> AppError {
    AppError::Internal(format!("upload: {e}"))
}

/// Where uploads wait while they are read: inside the data directory, which only the
/// server's user can read.
fn spool_dir(data_dir: &Path) -> Result<std::path::PathBuf, AppError> {
    let dir = data_dir.join("uploads");
    std::fs::create_dir_all(&dir).map_err(internal)?;
    Ok(dir)
}

/// A temporary file being filled, refused past its limit.
struct Filling {
    file: tempfile::NamedTempFile,
    out: std::io::BufWriter<std::fs::File>,
    len: u64,
    limit: usize,
}

impl Filling {
    fn new(data_dir: &Path, limit: usize) -> Result<Filling, AppError> {
        let file = tempfile::NamedTempFile::new_in(spool_dir(data_dir)?).map_err(internal)?;
        let out = std::io::BufWriter::new(file.reopen().map_err(internal)?);
        Ok(Filling {
            file,
            out,
            len: 0,
            limit,
        })
    }

    fn push(&mut self, chunk: &[u8]) -> Result<(), AppError> {
        self.len += chunk.len() as u64;
        if self.len > self.limit as u64 {
            return Err(too_large(self.limit));
        }
        self.out.write_all(chunk).map_err(internal)
    }

    fn finish(mut self) -> Result<Spooled, AppError> {
        self.out.flush().map_err(internal)?;
        Ok(Spooled {
            file: self.file,
            len: self.len,
        })
    }
}

/// `bytes` as an upload (what the server makes itself: the demo's SBOM).
pub(crate) fn from_bytes(data_dir: &Path, bytes: &[u8]) -> Result<Spooled, AppError> {
    let mut filling = Filling::new(data_dir, bytes.len())?;
    filling.push(bytes)?;
    filling.finish()
}

/// Streams `body` to a temporary file; 413 past `limit` bytes.
pub async fn spool(data_dir: &Path, mut body: Body, limit: usize) -> Result<Spooled, AppError> {
    let mut filling = Filling::new(data_dir, limit)?;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| AppError::BadRequest(format!("upload: {e}")))?;
        if let Ok(data) = frame.into_data() {
            filling.push(&data)?;
        }
    }
    filling.finish()
}

pub fn too_large(limit: usize) -> AppError {
    AppError::TooLarge(format!(
        "upload larger than the server's limit of {limit} bytes (tekigo serve --max-upload)"
    ))
}

/// Streams one multipart field (a page's file input) to a temporary file, like [`spool`].
pub async fn spool_field(
    data_dir: &Path,
    mut field: axum::extract::multipart::Field<'_>,
    limit: usize,
) -> Result<Spooled, AppError> {
    let mut filling = Filling::new(data_dir, limit)?;
    while let Some(chunk) = field.chunk().await.map_err(crate::pages::upload_error)? {
        filling.push(&chunk)?;
    }
    filling.finish()
}
