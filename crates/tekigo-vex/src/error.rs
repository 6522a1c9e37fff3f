use std::fmt;
use std::path::Path;

/// Why triage records could not be loaded, saved, imported or accepted, with where: the file
/// (or input name), the line and the field as far as they are known.
#[derive(Debug, thiserror::Error)]
pub struct VexError {
    /// The file path or input name; empty for a record given in memory.
    pub origin: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The field path (`statements[2].justification`), when known.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
    #[source]
    pub(crate) source: Option<std::io::Error>,
}

impl VexError {
    pub(crate) fn new(origin: &str, message: impl Into<String>) -> VexError {
        VexError {
            origin: origin.to_string(),
            line: None,
            field: None,
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn io(path: &Path, action: &str, source: std::io::Error) -> VexError {
        VexError {
            message: format!("cannot {action}: {source}"),
            source: Some(source),
            ..VexError::new(&path.display().to_string(), "")
        }
    }

    pub(crate) fn at_line(mut self, line: Option<usize>) -> VexError {
        self.line = line;
        self
    }

    pub(crate) fn at_field(mut self, field: impl Into<String>) -> VexError {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for VexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        if !self.origin.is_empty() {
            f.write_str(&self.origin)?;
            sep = ": ";
        }
        if let Some(line) = self.line {
            write!(f, "{}{line}", if sep.is_empty() { "line " } else { ":" })?;
            sep = ": ";
        }
        if let Some(field) = &self.field {
            write!(f, "{sep}{field}")?;
            sep = ": ";
        }
        write!(f, "{sep}{}", self.message)
    }
}
