//! The details parsers give in English, told in the user's language.
//!
//! serde and serde_json word their errors in English, always in the same shapes
//! (`invalid type: integer `7`, expected a string`, `missing field `name``, `EOF while
//! parsing a value`): under a Japanese `エラー:` frame (the CLI's) or error gist (the web
//! application's), the line that says what is wrong was the one line in English.
//! [`detail`] recognises those shapes wherever they are in a message (after the file, line
//! and field a reader put before them) and says them with the `serde.*` labels of
//! `i18n/labels.yaml`, the names and values they quote kept as written. A message in no
//! known shape is left as it is. The shapes are recognised in code (they are serde's, fixed);
//! the words are data.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use tekigo_catalog::Lang;

const SOURCE: &str = include_str!("../i18n/labels.yaml");

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    en: String,
    ja: String,
}

/// The labels, parsed on first use (only an error needs them); an unreadable file gives
/// no labels, and every message then stays as serde wrote it (the tests parse it first).
fn labels() -> &'static BTreeMap<String, Entry> {
    static LABELS: OnceLock<BTreeMap<String, Entry>> = OnceLock::new();
    LABELS.get_or_init(|| serde_norway::from_str(SOURCE).unwrap_or_default())
}

/// The text of `key` in `lang`; `None` when the file lacks it.
fn tr(lang: Lang, key: &str) -> Option<&'static str> {
    labels().get(key).map(|e| match lang {
        Lang::En => e.en.as_str(),
        Lang::Ja => e.ja.as_str(),
    })
}

/// [`tr`] with `{name}` placeholders filled in.
fn fill(lang: Lang, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> Option<String> {
    let mut text = tr(lang, key)?.to_string();
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), &value.to_string());
    }
    Some(text)
}

/// Messages whose English text is the whole shape: (the text, its label).
const FIXED: &[(&str, &str)] = &[
    ("expected value", "serde.expected_value"),
    ("expected `,` or `]`", "serde.expected_comma_or_bracket"),
    ("expected `,` or `}`", "serde.expected_comma_or_brace"),
    ("expected `:`", "serde.expected_colon"),
    ("expected ident", "serde.expected_ident"),
    ("trailing characters", "serde.trailing_characters"),
    ("trailing comma", "serde.trailing_comma"),
    ("key must be a string", "serde.key_must_be_a_string"),
    ("invalid escape", "serde.invalid_escape"),
    ("invalid number", "serde.invalid_number"),
    ("number out of range", "serde.number_out_of_range"),
    ("recursion limit exceeded", "serde.recursion_limit"),
    (
        "control character (\\u0000-\\u001F) found while parsing a string",
        "serde.control_character",
    ),
];

/// What serde names the kinds of values with, and their labels: the first that starts a
/// `found` or `expected` text is told in the user's language, the rest kept.
const KINDS: &[(&str, &str)] = &[
    ("a borrowed string", "serde.kind.string"),
    ("a string", "serde.kind.string"),
    ("string", "serde.kind.string"),
    ("a sequence", "serde.kind.sequence"),
    ("sequence", "serde.kind.sequence"),
    ("a map", "serde.kind.map"),
    ("map", "serde.kind.map"),
    ("a boolean", "serde.kind.boolean"),
    ("boolean", "serde.kind.boolean"),
    ("an integer", "serde.kind.integer"),
    ("integer", "serde.kind.integer"),
    ("floating point", "serde.kind.float"),
    ("unit value", "serde.kind.null"),
    ("null", "serde.kind.null"),
];

/// `text` with a parser's English detail told in `lang` (see the module docs).
pub fn detail(lang: Lang, text: &str) -> String {
    if lang == Lang::En {
        return text.to_string();
    }
    // serde_json's own `Display` ends with the place: " at line 3 column 5".
    let (body, at) = match text.rsplit_once(" at line ") {
        Some((body, place)) => match place.split_once(" column ") {
            Some((line, column))
                if !line.is_empty()
                    && line.bytes().all(|b| b.is_ascii_digit())
                    && column.bytes().all(|b| b.is_ascii_digit()) =>
            {
                let at = fill(lang, "serde.at", &[("line", &line), ("column", &column)]);
                (body, at.unwrap_or_else(|| text[body.len()..].to_string()))
            }
            _ => (text, String::new()),
        },
        None => (text, String::new()),
    };
    match shape(lang, body) {
        Some((before, told)) => format!("{before}{told}{at}"),
        None => format!("{body}{at}"),
    }
}

/// The text before a known shape in `body`, and the shape told in `lang`.
fn shape(lang: Lang, body: &str) -> Option<(&str, String)> {
    let pairs = |rest: &str, key: &str, found_label: &str| {
        let (found, expected) = rest.split_once(", expected ")?;
        fill(
            lang,
            key,
            &[
                (found_label, &kind(lang, found)),
                ("expected", &kind(lang, expected)),
            ],
        )
    };
    for (start, told) in [
        ("invalid type: ", ShapeOf::Pair("serde.invalid_type")),
        ("invalid value: ", ShapeOf::Pair("serde.invalid_value")),
        ("invalid length ", ShapeOf::Pair("serde.invalid_length")),
        ("unknown field ", ShapeOf::Named("serde.unknown_field")),
        ("unknown variant ", ShapeOf::Named("serde.unknown_variant")),
        ("missing field ", ShapeOf::Name("serde.missing_field")),
        ("duplicate field ", ShapeOf::Name("serde.duplicate_field")),
        ("EOF while parsing ", ShapeOf::Eof),
    ] {
        let Some(i) = body.find(start) else { continue };
        let (before, rest) = (&body[..i], &body[i + start.len()..]);
        let said = match told {
            ShapeOf::Pair(key) => pairs(rest, key, "found"),
            ShapeOf::Named(key) => match rest.split_once(", expected ") {
                Some((name, expected)) => {
                    let expected = expected.strip_prefix("one of ").unwrap_or(expected);
                    fill(lang, key, &[("name", &name), ("expected", &expected)])
                }
                // "there are no fields" / "there are no variants"
                None => rest
                    .split_once(", there are no ")
                    .and_then(|(name, _)| fill(lang, key, &[("name", &name), ("expected", &"-")])),
            },
            ShapeOf::Name(key) => fill(lang, key, &[("name", &rest)]),
            ShapeOf::Eof => fill(lang, "serde.eof", &[("what", &kind(lang, rest))]),
        };
        if let Some(said) = said {
            return Some((before, said));
        }
    }
    FIXED
        .iter()
        .find_map(|(english, key)| Some((body.strip_suffix(english)?, tr(lang, key)?.to_string())))
}

#[derive(Clone, Copy)]
enum ShapeOf {
    /// `<found>, expected <expected>`
    Pair(&'static str),
    /// `<name>, expected <list>` or `<name>, there are no ...`
    Named(&'static str),
    /// `<name>`
    Name(&'static str),
    /// `a value`, `a list`, `an object`, `a string`
    Eof,
}

/// A `found` or `expected` text of serde's with its leading kind in `lang`.
fn kind(lang: Lang, text: &str) -> String {
    let eof = [
        ("a value", "serde.kind.value"),
        ("a list", "serde.kind.sequence"),
        ("an object", "serde.kind.map"),
    ];
    for (english, key) in KINDS.iter().chain(&eof) {
        if let Some(rest) = text.strip_prefix(english) {
            if let Some(word) = tr(lang, key).filter(|_| rest.is_empty() || rest.starts_with(' ')) {
                return format!("{word}{rest}");
            }
        }
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Component {
        name: String,
        count: u32,
        kind: Kind,
        tags: Option<Vec<String>>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Library,
    }

    /// The real messages of serde_json for each shape: told in Japanese, no English of
    /// the shape is left and what they quote is; in English, unchanged.
    #[test]
    fn serde_json_s_messages_are_told_in_japanese() {
        let cases = [
            (r#"{"name": 7}"#, "型が違います", "7"),
            (r#"{"name": "a", "count": -1}"#, "値が不正です", "-1"),
            (
                r#"{"name": "a", "count": 1, "kind": "firmware"}"#,
                "未知の値",
                "firmware",
            ),
            (r#"{"name": "a", "colour": 1}"#, "未知の項目", "colour"),
            (r#"{"name": "a", "count": 1}"#, "必須の項目", "kind"),
            (r#"{"name": "a", "name": "b"}"#, "重複", "name"),
            (r#"{"name": "a","#, "ファイルが終わっています", ""),
            (
                r#"{"name": "a", "count": 1, "kind": "library"} x"#,
                "余分な文字",
                "",
            ),
            (
                r#"{"name": "a", "count": 1, "kind": "library", "tags": tru}"#,
                "true、false、null",
                "",
            ),
            (r#"{"name": }"#, "値がありません", ""),
            (r#"{"name": "a" "count": 1}"#, "`,` か `}`", ""),
            (
                r#"{"name": "a", "count": 1, "kind": "library", "tags": ["x" 1]}"#,
                "`,` か `]`",
                "",
            ),
        ];
        for (json, said, quoted) in cases {
            let e = serde_json::from_str::<Component>(json)
                .unwrap_err()
                .to_string();
            let ja = detail(Lang::Ja, &e);
            assert!(
                ja.contains(said) && ja.contains(quoted),
                "{json}: {e} -> {ja}"
            );
            // Every placeholder of the Japanese text was filled.
            for name in ["{found}", "{expected}", "{name}", "{what}", "{line}"] {
                assert!(!ja.contains(name), "{json}: {ja}");
            }
            for english in [
                "invalid",
                "expected",
                "unknown",
                "missing",
                "duplicate",
                "EOF",
                "trailing",
                " at line ",
            ] {
                assert!(!ja.contains(english), "{json}: {e} -> {ja}");
            }
            assert!(
                ja.contains("行") && ja.contains("列"),
                "{json}: the place: {ja}"
            );
            assert_eq!(detail(Lang::En, &e), e);
        }
        // Invalid length, from a fixed-size array.
        let e = serde_json::from_str::<[u8; 2]>("[1]")
            .unwrap_err()
            .to_string();
        assert!(
            detail(Lang::Ja, &e).starts_with("要素の数が不正です"),
            "{e}"
        );
        // A map's key that is not a string.
        let e = serde_json::from_str::<BTreeMap<String, u8>>("{1: 2}")
            .unwrap_err()
            .to_string();
        assert!(detail(Lang::Ja, &e).contains("キー"), "{e}");
    }

    /// The labels parse (that both languages are given, tekigo-cli's
    /// `no_label_exists_in_one_language_only` checks for every label file).
    #[test]
    fn the_labels_parse() {
        let parsed: BTreeMap<String, Entry> = serde_norway::from_str(SOURCE).unwrap();
        assert!(parsed.len() >= 30, "{}", parsed.len());
    }

    /// The shape is found after what a reader put before it, which stays.
    #[test]
    fn what_comes_before_the_shape_is_kept() {
        let line = "bad.cdx.json:1:99: components[0].version: invalid type: integer `7`, expected a string";
        assert_eq!(
            detail(Lang::Ja, line),
            "bad.cdx.json:1:99: components[0].version: 型が違います: 整数 `7`（期待される型: 文字列）"
        );
        let other = "the key table is damaged";
        assert_eq!(detail(Lang::Ja, other), other);
    }
}
