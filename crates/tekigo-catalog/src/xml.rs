//! Escaping for text that tekigo writes into XML, SVG and HTML by hand (JUnit reports,
//! charts, zone drawings). One function for every writer, so that a hostile name from a
//! device image or a model file is treated the same way everywhere.

/// Escapes `s` for XML character data and for attribute values in either quote style.
///
/// Control characters other than tab, newline and carriage return are not allowed in an XML
/// 1.0 document even as character references, so they become U+FFFD (the replacement
/// character): the output stays well-formed and still shows that something was there.
/// `'` becomes `&#39;` rather than `&apos;`, which old HTML parsers do not know.
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_xml;

    #[test]
    fn markup_and_control_characters_are_neutralised() {
        assert_eq!(
            escape_xml("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(
            escape_xml("a\u{1b}[31m\u{0}b\tc\r\nd"),
            "a\u{fffd}[31m\u{fffd}b\tc\r\nd"
        );
        assert_eq!(escape_xml("ゾーン 3 — ok"), "ゾーン 3 — ok");
    }
}
