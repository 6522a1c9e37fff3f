use std::fmt;
use std::path::Path;

/// Why an SBOM could not be read, with where: the file (or other origin), and the line,
/// column and field path as far as the format lets us know them.
#[derive(Debug, thiserror::Error)]
pub struct SbomError {
    /// The file path (or the name the caller gave the input).
    pub origin: String,
    /// 1-based line of the problem, when known.
    pub line: Option<usize>,
    /// 1-based column of the problem, when known.
    pub column: Option<usize>,
    /// The field path inside the document (`components[3].version`), when known.
    pub field: Option<String>,
    /// What is wrong, in words a user can act on.
    pub message: String,
    #[source]
    source: Option<std::io::Error>,
}

impl SbomError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> SbomError {
        SbomError {
            origin: path.display().to_string(),
            line: None,
            column: None,
            field: None,
            message: format!("cannot read: {source}"),
            source: Some(source),
        }
    }

    /// A problem with the document as a whole (unknown format, missing version).
    pub(crate) fn format(origin: &str, message: impl Into<String>) -> SbomError {
        SbomError {
            origin: origin.to_string(),
            line: None,
            column: None,
            field: None,
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn at_line(origin: &str, line: usize, message: impl Into<String>) -> SbomError {
        SbomError {
            line: Some(line),
            ..SbomError::format(origin, message)
        }
    }

    pub(crate) fn at_field(origin: &str, field: &str, message: impl Into<String>) -> SbomError {
        SbomError {
            field: Some(field.to_string()),
            ..SbomError::format(origin, message)
        }
    }

    pub(crate) fn with_column(mut self, column: usize) -> SbomError {
        self.column = Some(column);
        self
    }
}

impl fmt::Display for SbomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.origin)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Converts a byte offset into a 1-based line number, for parsers that report offsets.
pub(crate) fn line_of(bytes: &[u8], offset: usize) -> usize {
    let end = offset.min(bytes.len());
    bytes[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Line numbers for increasing offsets, counted incrementally so that naming many places
/// in one large document stays linear.
pub(crate) struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    pub(crate) fn line_at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.bytes.len());
        if offset < self.offset {
            *self = LineCounter::new(self.bytes);
        }
        self.line += self.bytes[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = offset;
        self.line
    }
}
