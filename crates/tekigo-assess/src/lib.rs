//! Assessments: the IEC 62443 check sheet as a living, evidence-backed record.
//!
//! A project directory ([`project`]) holds one YAML file per assessment ([`assessment`]) and
//! a content-addressed evidence store ([`evidence`]). From the answers this crate computes
//! what a reader of the check sheet wants to know ([`results`]): the security level each FR
//! reaches, the maturity of each practice, the gaps to the target and how much is
//! confirmed. [`sheet`] carries the record to and from the Excel shape of seed 004,
//! [`scan_import`] turns device-scan verdicts into suggested answers and [`vuln_import`] does
//! the same for vulnerability scans and their triage. [`sheet_import`] reads a check sheet
//! tekigo did not make (seed 004's shape, or any with a map of its columns).
//!
//! [`inherit`] takes a supplier's answers from a verified conformity package.
//!
//! [`regime`] shows the answers through other regimes (EU CRA, EN 303 645, SSDF, ...).
//!
//! Start reading at [`results`]: its module docs state the rules that give the levels.

pub mod assessment;
pub mod edit;
pub mod evidence;
pub mod freshness;
pub mod inherit;
pub mod project;
pub mod regime;
pub mod releases;
pub mod results;
pub mod scan_import;
pub mod sheet;
pub mod sheet_import;
mod validate;
pub mod vuln_import;

pub use assessment::{
    Answer, Assessment, BasisVerdict, ComponentBasis, EvidenceRef, Finding, Inheritance, Method,
    Origin, Review, Role, Status, Subject, SubjectKind, Target,
};
pub use project::{Project, ProjectConfig, UpkeepLimits};
pub use results::{compute, compute_with, Results, ReviewPolicy};
pub use tekigo_catalog::Problem;

use std::fmt;
use std::path::{Path, PathBuf};

/// Why an assessment operation failed. Invalid input lists every problem with its file and
/// line, so one pass fixes all of them.
#[derive(Debug, thiserror::Error)]
pub enum AssessError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", Problems(.0))]
    Invalid(Vec<Problem>),
    /// No `tekigo.yaml` in the directory or above it (`Project::discover`): a command run
    /// outside a project, which the command line tells in the user's language.
    #[error(
        "{}: no tekigo.yaml here or in any directory above; run `tekigo init DIR` first",
        start.display()
    )]
    NoProject { start: PathBuf },
}

struct Problems<'a>(&'a [Problem]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl AssessError {
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        AssessError::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    pub fn message(path: impl AsRef<Path>, message: impl fmt::Display) -> Self {
        AssessError::Invalid(vec![problem(path, None, message)])
    }

    /// `Ok` when there is nothing to report.
    pub fn from_problems(problems: Vec<Problem>) -> Result<(), AssessError> {
        if problems.is_empty() {
            Ok(())
        } else {
            Err(AssessError::Invalid(problems))
        }
    }
}

/// A problem of `path`, at `line` when known.
pub fn problem(path: impl AsRef<Path>, line: Option<usize>, message: impl fmt::Display) -> Problem {
    Problem {
        file: path.as_ref().display().to_string(),
        line,
        message: message.to_string(),
    }
}

/// The 1-based line on which a mapping key is written (`key:`, `"key":` or `'key':`).
pub fn line_of_key(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            let t = line.trim_start().trim_start_matches("- ");
            [
                format!("{key}:"),
                format!("\"{key}\":"),
                format!("'{key}':"),
            ]
            .iter()
            .any(|k| t.starts_with(k.as_str()))
        })
        .map(|i| i + 1)
}

/// Parses a project file; a problem names the file and line.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
) -> Result<T, AssessError> {
    serde_norway::from_str(text)
        .map_err(|e| AssessError::Invalid(vec![problem(path, e.location().map(|l| l.line()), e)]))
}

/// Checks an assessment held in memory (by the web application) by the rules a file must
/// keep before it is saved. Problems name the lines of the file it would become,
/// `assessments/ID.yaml`. Whether cited evidence exists is the caller's to check: the
/// server keeps its own record of which evidence a project may cite.
pub fn check(catalog: &tekigo_catalog::Catalog, a: &Assessment) -> Result<(), AssessError> {
    let path = PathBuf::from(format!("assessments/{}.yaml", a.id));
    let text = project::to_yaml(a).map_err(|e| AssessError::message(&path, e))?;
    AssessError::from_problems(validate::assessment(catalog, a, &path, &text))
}

/// Parses an assessment's YAML text that came from outside the project (a conformity
/// package) and checks it against the catalog; `path` names it in every problem. Its
/// evidence is not looked for in any store.
pub fn parse_checked(
    catalog: &tekigo_catalog::Catalog,
    path: &Path,
    text: &str,
) -> Result<Assessment, AssessError> {
    let a: Assessment = parse_yaml(path, text)?;
    AssessError::from_problems(validate::assessment(catalog, &a, path, text))?;
    Ok(a)
}

/// Writes through a temporary file in the same directory and renames it over the target,
/// so a reader never sees half a file and a crash leaves the old one intact.
///
/// A target that exists and is not a regular file (`-o /dev/null`, a FIFO, `/dev/stdout`,
/// or a link to one) is written to in place: renaming over it would replace the device
/// itself, and as root that turned `/dev/null` into a regular file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), AssessError> {
    write_parts_atomically(path, &[bytes])
}

/// [`write_atomically`] of the concatenation of `parts`, without making it first (a large
/// output built in pieces on several threads).
pub fn write_parts_atomically(path: &Path, parts: &[&[u8]]) -> Result<(), AssessError> {
    write_atomically_with(path, |w| parts.iter().try_for_each(|p| w.write_all(p)))
        .map_err(|e: std::io::Error| AssessError::io(path, e))
}

/// [`write_atomically`] of what `write` writes, as it writes it (an output too large to
/// hold, such as a scan's findings written while the matching goes on), returning what
/// `write` returns. When `write` fails, the target keeps its old content and the error is
/// returned (naming no path: the caller's context does).
pub fn write_atomically_with<T, E: From<std::io::Error>>(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> Result<T, E>,
) -> Result<T, E> {
    use std::io::Write;
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut f = std::io::BufWriter::new(std::fs::OpenOptions::new().write(true).open(path)?);
        let written = write(&mut f)?;
        f.flush()?;
        return Ok(written);
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = std::io::BufWriter::new(tempfile::NamedTempFile::new_in(dir)?);
    let written = write(&mut tmp)?;
    let tmp = tmp.into_inner().map_err(|e| e.into_error())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(written)
}

/// Now, to the second, in UTC (RFC 3339).
pub fn now_rfc3339() -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Today's date, YYYY-MM-DD (UTC).
pub fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Why `s` is not a date tekigo accepts, `None` when it is one. A date written in the
/// right form that does not exist (`2027-02-30`) is told apart from a wrong form, so that
/// the person fixes the day rather than the format.
pub fn date_error(s: &str) -> Option<String> {
    if parse_date(s).is_some() {
        return None;
    }
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    Some(if shaped {
        format!("{s:?} is no date: {} has no day {}", &s[..7], &s[8..])
    } else {
        format!("{s:?} is not a date in the form YYYY-MM-DD")
    })
}

pub fn parse_date(s: &str) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, format).ok()
}

#[cfg(all(test, unix))]
mod write_tests {
    use super::{write_atomically, write_atomically_with};

    #[test]
    fn a_write_that_fails_halfway_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("findings.json");
        std::fs::write(&file, b"[]\n").unwrap();
        let failed: Result<(), _> = write_atomically_with(&file, |w| {
            w.write_all(b"[\n  {\"vulnerability\": ")?;
            Err(std::io::Error::other("the database is damaged"))
        });
        assert_eq!(failed.unwrap_err().to_string(), "the database is damaged");
        assert_eq!(std::fs::read(&file).unwrap(), b"[]\n");
        // Nothing is left behind next to it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        write_atomically_with(&file, |w| w.write_all(b"[1]")).unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"[1]");
    }

    #[test]
    fn special_files_are_written_in_place_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        // A link to /dev/null: the device must stay a device and the link a link.
        let link = dir.path().join("null");
        std::os::unix::fs::symlink("/dev/null", &link).unwrap();
        write_atomically(&link, b"findings").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
        // A FIFO: the reader receives the bytes.
        let fifo = dir.path().join("fifo");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write_atomically(&fifo, b"through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
        // A regular file is still replaced whole.
        let file = dir.path().join("out.json");
        std::fs::write(&file, b"old and longer").unwrap();
        write_atomically(&file, b"new").unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"new");
    }
}
