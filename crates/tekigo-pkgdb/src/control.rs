//! The deb822 control format shared by dpkg and opkg databases: paragraphs of
//! `Field: value` lines separated by blank lines, with continuation lines starting with a
//! space or tab.

use crate::inventory::FileProblems;
use crate::ProblemKind;

/// One paragraph, with the line each field starts on.
#[derive(Debug)]
pub(crate) struct Paragraph {
    /// The line of its first field (1-based).
    pub line: u64,
    fields: Vec<Field>,
}

#[derive(Debug)]
struct Field {
    name: String,
    /// The first line's value, trimmed; continuation lines are not kept: no field read
    /// here spans lines.
    value: String,
}

impl Paragraph {
    /// The value of `name` (field names are case-insensitive), `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
            .map(|f| f.value.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// Splits `text` into paragraphs. A line that is neither a field nor a continuation is
/// reported and skipped; the rest of its paragraph is kept, so one damaged line does not
/// hide a package. A repeated field is reported and its first value kept.
pub(crate) fn paragraphs(text: &str, problems: &mut FileProblems<'_>) -> Vec<Paragraph> {
    let mut out = Vec::new();
    let mut current: Option<Paragraph> = None;
    for (index, line) in text.lines().enumerate() {
        let number = index as u64 + 1;
        if line.trim().is_empty() {
            out.extend(current.take());
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if current.is_none() {
                problems.push(
                    Some(number),
                    ProblemKind::Malformed,
                    "continuation line outside any field",
                );
            }
            continue;
        }
        let Some((name, value)) = line.split_once(':').filter(|(n, _)| valid_name(n)) else {
            problems.push(
                Some(number),
                ProblemKind::Malformed,
                format!("expected `Field: value`, found `{}`", excerpt(line)),
            );
            continue;
        };
        let paragraph = current.get_or_insert_with(|| Paragraph {
            line: number,
            fields: Vec::new(),
        });
        if paragraph
            .fields
            .iter()
            .any(|f| f.name.eq_ignore_ascii_case(name))
        {
            problems.push(
                Some(number),
                ProblemKind::Malformed,
                format!("field `{name}` repeated in one paragraph; the first value is kept"),
            );
            continue;
        }
        paragraph.fields.push(Field {
            name: name.to_string(),
            value: value.trim().to_string(),
        });
    }
    out.extend(current);
    out
}

/// deb822 field names: printable ASCII without spaces or colons, not starting with `#` or
/// `-`.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(['#', '-'])
        && name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
}

/// The start of a line for a message: enough to find it, never a whole megabyte.
pub(crate) fn excerpt(line: &str) -> String {
    const MAX: usize = 60;
    match line.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}...", &line[..end]),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn fields_continuations_and_damage() {
        let text = "Package: a\nVersion: 1\nDescription: x\n more\n .\n\n\n\
                    Package: b\ngarbage line\nVersion: 2\nversion: 3\n";
        let path = Path::new("/status");
        let mut problems = FileProblems::new(path);
        let paragraphs = paragraphs(text, &mut problems);
        let problems = problems.finish();
        assert_eq!(paragraphs.len(), 2);
        assert_eq!(paragraphs[0].line, 1);
        assert_eq!(paragraphs[0].get("description"), Some("x"));
        assert_eq!(paragraphs[1].line, 8);
        assert_eq!(paragraphs[1].get("Version"), Some("2"));
        let lines: Vec<_> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(9), Some(11)]);
        assert!(problems[0].message.contains("garbage line"));
    }

    #[test]
    fn problems_are_capped_with_a_count() {
        let text = "junk\n".repeat(150);
        let path = Path::new("/status");
        let mut problems = FileProblems::new(path);
        assert!(paragraphs(&text, &mut problems).is_empty());
        let problems = problems.finish();
        assert_eq!(problems.len(), 101);
        assert!(problems[100].message.starts_with("50 more problems"));
    }
}
