//! The upkeep list as an iCalendar file (RFC 5545) a person subscribes to: one all-day
//! event per date, a timed event per hour clock. Lines end in CRLF and are folded at 75
//! octets without splitting a character; every event has a UID that stays the same while
//! the item stays (kind and subject), so a calendar updates an event instead of adding one.

use crate::{title, Item, State};
use tekigo_catalog::Lang;
use time::OffsetDateTime;

pub fn render(items: &[Item], now: OffsetDateTime, calendar_name: &str, lang: Lang) -> String {
    let stamp = basic_time(now);
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//tekigo//upkeep//EN".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        "METHOD:PUBLISH".to_string(),
        format!("X-WR-CALNAME:{}", escape(calendar_name)),
    ];
    for item in items {
        let uid = &tekigo_assess::evidence::sha256_bytes(
            format!("{}\n{}", item.kind, item.subject).as_bytes(),
        )[..32];
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:{uid}@tekigo"));
        lines.push(format!("DTSTAMP:{stamp}"));
        match crate::cra::parse_time(&item.due) {
            Some(t) => lines.push(format!("DTSTART:{}", basic_time(t))),
            None => {
                let day = item.due.replace('-', "");
                lines.push(format!("DTSTART;VALUE=DATE:{day}"));
            }
        }
        // A sign rather than a word: the summary is in the reader's language already.
        let mark = match item.state {
            State::Overdue => "⚠ ",
            State::DueSoon => "",
        };
        lines.push(format!(
            "SUMMARY:{}",
            escape(&format!(
                "{mark}{}: {}",
                title(item.kind, lang),
                item.subject
            ))
        ));
        lines.push(format!(
            "DESCRIPTION:{}",
            escape(&format!("{}\n{}", item.rule, item.source))
        ));
        lines.push(format!("CATEGORIES:{}", item.kind));
        lines.push("TRANSP:TRANSPARENT".into());
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for line in lines {
        fold(&line, &mut out);
    }
    out
}

/// `20261203T021100Z`.
fn basic_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// TEXT escaping of RFC 5545 3.3.11.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded at 75 octets (RFC 5545 3.1), continuation lines starting with a
/// space, each line ended by CRLF; a character's octets are never split.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for ch in line.chars() {
        let n = ch.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_folded_within_75_octets_on_character_boundaries() {
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "認証の有効期限、".repeat(30));
        fold(&long, &mut out);
        for l in out.split_terminator("\r\n") {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{long}\r\n"));
        assert!(!out.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
    }
}
