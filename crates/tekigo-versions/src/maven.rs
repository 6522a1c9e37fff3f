//! Maven's `ComparableVersion` ordering (maven-artifact 3.8.7, with MNG-6964 and the "`.X` is
//! treated as `-X`" qualifier rule): items split at `.`, `-` and
//! digit/letter transitions, nested lists after `-` and transitions, well-known qualifiers
//! (`alpha` < `beta` < `milestone` < `rc` = `cr` < `snapshot` < release = `ga` = `final` = `release` <
//! `sp`), unknown qualifiers after them in lexical order, and trailing "null" items dropped
//! so `1` == `1.0` == `1.0.0`.
//!
//! Maven accepts any string; only the empty string is refused here, as no artifact has it.

use crate::num::{cmp_digits, strip_zeros};
use std::borrow::Cow;
use std::cmp::Ordering;

/// A qualifier after lowercasing and aliasing. The derived order is Maven's
/// `comparableQualifier`: known qualifiers by their place in [`QUALIFIERS`], unknown ones
/// after all of them, lexically.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Qualifier<'a> {
    /// Index into [`QUALIFIERS`].
    Known(u8),
    /// Lowercased; borrowed from the version text when it is lowercase already.
    Other(Cow<'a, str>),
}

/// One parsed item, or the start of a sub-list. Maven nests each new sub-list as the last
/// item of the current list, so the lists form a chain; keeping them as one flat sequence
/// with `Open` where the next list starts needs a single allocation per version.
#[derive(Debug)]
pub(crate) enum Token<'a> {
    /// Digits without leading zeros (`""` is zero).
    Int(&'a str),
    Str(Qualifier<'a>),
    /// The rest of the sequence is a sub-list, the last item of the list before it.
    Open,
}

pub(crate) type Version<'a> = Vec<Token<'a>>;

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
/// `comparableQualifier("")`.
const RELEASE_INDEX: u8 = 5;

/// The index in [`QUALIFIERS`] of what the lowercase form of `value` spells after aliasing.
/// Comparing ignoring ASCII case stands for lowercasing because callers pass ASCII text
/// only.
fn known_qualifier(value: &str, followed_by_digit: bool) -> Option<u8> {
    let is = |q: &str| value.eq_ignore_ascii_case(q);
    let known = if followed_by_digit && is("a") {
        "alpha"
    } else if followed_by_digit && is("b") {
        "beta"
    } else if followed_by_digit && is("m") {
        "milestone"
    } else if is("ga") || is("final") || is("release") {
        ""
    } else if is("cr") {
        "rc"
    } else {
        return QUALIFIERS.iter().position(|q| is(q)).map(|i| i as u8);
    };
    QUALIFIERS.iter().position(|q| *q == known).map(|i| i as u8)
}

/// The qualifier item for `version[from..to]`, lowercased as part of the whole `version`
/// (as Maven lowercases the whole string before splitting it), then aliased.
fn string_item<'a>(version: &'a str, from: usize, to: usize, followed_by_digit: bool) -> Token<'a> {
    let text = &version[from..to];
    let lower: Cow<'a, str> = if text.is_ascii() {
        if let Some(i) = known_qualifier(text, followed_by_digit) {
            return Token::Str(Qualifier::Known(i));
        }
        if text.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(text)
        }
    } else {
        Cow::Owned(lowercase_in_context(version, from, to))
    };
    // Only non-ASCII text reaches here lowercased; its lowercase can still be ASCII (the
    // Kelvin sign is `k`), so it is looked up like ASCII text.
    match lower
        .is_ascii()
        .then(|| known_qualifier(&lower, followed_by_digit))
    {
        Some(Some(i)) => Token::Str(Qualifier::Known(i)),
        _ => Token::Str(Qualifier::Other(lower)),
    }
}

/// `version.to_lowercase()[..]` for the part that `version[from..to]` becomes. Every
/// character lowercases on its own except `Σ`, whose lowercase (`σ` or final `ς`) depends on
/// the letters around it, possibly across a `.`; both forms have the same length, so the part
/// is found by adding up the lowercase lengths of the characters before it.
fn lowercase_in_context(version: &str, from: usize, to: usize) -> String {
    let text = &version[from..to];
    if !text.contains('Σ') {
        return text.to_lowercase();
    }
    let lower_len = |s: &str| -> usize {
        s.chars()
            .flat_map(char::to_lowercase)
            .map(char::len_utf8)
            .sum()
    };
    let start = lower_len(&version[..from]);
    let end = start + lower_len(text);
    // The lengths add up by construction; the fallback only guards against a change in
    // how the standard library lowercases, so no input can make this panic.
    version
        .to_lowercase()
        .get(start..end)
        .map_or_else(|| text.to_lowercase(), str::to_string)
}

fn int_item(digits: &str) -> Token<'_> {
    Token::Int(strip_zeros(digits))
}

fn parse_item<'a>(is_digit: bool, version: &'a str, from: usize, to: usize) -> Token<'a> {
    if is_digit {
        int_item(&version[from..to])
    } else {
        string_item(version, from, to, false)
    }
}

/// An item of one list: a token, or the sub-list that makes up the rest of the sequence.
#[derive(Clone, Copy)]
enum Item<'v, 'a> {
    Int(&'a str),
    Str(&'v Qualifier<'a>),
    List(&'v [Token<'a>]),
}

/// The items of the list that starts at the beginning of a token sequence.
struct Items<'v, 'a>(&'v [Token<'a>]);

impl<'v, 'a> Iterator for Items<'v, 'a> {
    type Item = Item<'v, 'a>;

    fn next(&mut self) -> Option<Item<'v, 'a>> {
        let (first, rest) = self.0.split_first()?;
        Some(match first {
            Token::Int(v) => {
                self.0 = rest;
                Item::Int(v)
            }
            Token::Str(q) => {
                self.0 = rest;
                Item::Str(q)
            }
            Token::Open => {
                self.0 = &[];
                Item::List(rest)
            }
        })
    }
}

impl Token<'_> {
    fn is_null(&self) -> bool {
        match self {
            Token::Int(v) => v.is_empty(),
            Token::Str(q) => *q == Qualifier::Known(RELEASE_INDEX),
            Token::Open => false,
        }
    }
}

impl Item<'_, '_> {
    /// `Item.compareTo`, where `None` stands for Java's `null` (a missing item).
    fn compare(self, other: Option<Item<'_, '_>>) -> Ordering {
        match (self, other) {
            (Item::Int(v), None) => {
                if v.is_empty() {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            (Item::Str(Qualifier::Known(i)), None) => i.cmp(&RELEASE_INDEX),
            (Item::Str(Qualifier::Other(_)), None) => Ordering::Greater,
            // MNG-6964: the whole list decides, not only its first item.
            (Item::List(l), None) => Items(l)
                .map(|i| i.compare(None))
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal),
            (Item::Int(a), Some(Item::Int(b))) => cmp_digits(a, b),
            (Item::Int(_), Some(_)) => Ordering::Greater,
            (Item::Str(_), Some(Item::Int(_) | Item::List(_))) => Ordering::Less,
            (Item::Str(a), Some(Item::Str(b))) => a.cmp(b),
            (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
            (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
            (Item::List(a), Some(Item::List(b))) => cmp_lists(a, b),
        }
    }
}

fn cmp_lists(a: &[Token<'_>], b: &[Token<'_>]) -> Ordering {
    let (mut a, mut b) = (Items(a), Items(b));
    loop {
        let o = match (a.next(), b.next()) {
            (Some(l), r) => l.compare(r),
            (None, Some(r)) => r.compare(None).reverse(),
            (None, None) => return Ordering::Equal,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
}

/// `ListItem.normalize` for the list that ends the sequence: drop its trailing null items.
/// Called when the list is complete, so the null items before a sub-list go as Maven's
/// normalisation (which looks through non-null sub-lists) removes them.
fn drop_trailing_nulls(tokens: &mut Vec<Token<'_>>) {
    while tokens.last().is_some_and(Token::is_null) {
        tokens.pop();
    }
}

/// Starts a sub-list after completing the current list.
fn open(tokens: &mut Vec<Token<'_>>) {
    drop_trailing_nulls(tokens);
    tokens.push(Token::Open);
}

/// Whether the list being filled (the one after the last `Open`) has no items yet.
fn current_is_empty(tokens: &[Token<'_>]) -> bool {
    matches!(tokens.last(), None | Some(Token::Open))
}

/// `ComparableVersion.parseVersion`. Characters are classified on the original text: Maven
/// lowercases first, but lowercasing never turns a character into `.`, `-` or an ASCII digit
/// (the tests check every character), so the items are the same.
pub(crate) fn parse(s: &str) -> Result<Version<'_>, String> {
    if s.is_empty() {
        return Err("version string is empty".into());
    }
    let mut tokens = Vec::with_capacity(8);
    let mut is_digit = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == '.' || c == '-' {
            let item = if i == start {
                Token::Int("")
            } else {
                parse_item(is_digit, s, start, i)
            };
            tokens.push(item);
            start = i + 1;
            if c == '-' {
                open(&mut tokens);
            }
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                // `1.0.0.X1` < `1.0.0-X2`: a qualifier after a dot opens a sub-list as if
                // it followed a dash.
                if !current_is_empty(&tokens) {
                    open(&mut tokens);
                }
                tokens.push(string_item(s, start, i, true));
                start = i;
                open(&mut tokens);
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                tokens.push(int_item(&s[start..i]));
                start = i;
                open(&mut tokens);
            }
            is_digit = false;
        }
    }
    if s.len() > start {
        if !is_digit && !current_is_empty(&tokens) {
            open(&mut tokens);
        }
        tokens.push(parse_item(is_digit, s, start, s.len()));
    }
    // Maven drops sub-lists that normalise to nothing, from the innermost outwards.
    drop_trailing_nulls(&mut tokens);
    while matches!(tokens.last(), Some(Token::Open)) {
        tokens.pop();
    }
    Ok(tokens)
}

pub(crate) fn cmp(a: &Version<'_>, b: &Version<'_>) -> Ordering {
    cmp_lists(a, b)
}

#[cfg(test)]
mod tests {
    use crate::testutil::{check_invalid, check_table};
    use crate::Ecosystem;

    /// Maven's ComparableVersionTest (QUALIFIER and NUMBER chains, equality and comparison
    /// cases); every row was also checked with maven-artifact 3.8.7's `ComparableVersion`,
    /// which orders `2.0.a` before `2-1` (older test suites list them the other way round).
    #[test]
    fn maven_ordering() {
        let qualifier_chain = [
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ];
        let number_chain = [
            "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1",
            "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11",
            "11", "11.a", "11b", "11c", "11m",
        ];
        for chain in [&qualifier_chain[..], &number_chain[..]] {
            let rows: Vec<_> = chain.windows(2).map(|w| (w[0], "<", w[1])).collect();
            check_table(Ecosystem::Maven, &rows);
        }
        check_table(
            Ecosystem::Maven,
            &[
                ("2.0.a", "=", "2.0.0.a"),
                ("1", "=", "1"),
                ("1", "=", "1.0"),
                ("1", "=", "1.0.0"),
                ("1.0", "=", "1.0.0"),
                ("1", "=", "1-0"),
                ("1", "=", "1.0-0"),
                ("1.0", "=", "1.0-0"),
                ("1a", "=", "1-a"),
                ("1a", "=", "1.0-a"),
                ("1a", "=", "1.0.0-a"),
                ("1.0a", "=", "1-a"),
                ("1.0.0a", "=", "1-a"),
                ("1x", "=", "1-x"),
                ("1x", "=", "1.0-x"),
                ("1x", "=", "1.0.0-x"),
                ("1.0x", "=", "1-x"),
                ("1.0.0x", "=", "1-x"),
                ("1ga", "=", "1"),
                ("1final", "=", "1"),
                ("1cr", "=", "1rc"),
                ("1a1", "=", "1-alpha-1"),
                ("1b2", "=", "1-beta-2"),
                ("1m3", "=", "1-milestone-3"),
                ("1X", "=", "1x"),
                ("1A", "=", "1a"),
                ("1GA", "=", "1"),
                ("1FINAL", "=", "1"),
                ("1Cr", "=", "1Rc"),
                ("1m3", "=", "1MILESTONE3"),
                ("1", "<", "2"),
                ("1.5", "<", "2"),
                ("1", "<", "2.5"),
                ("1.0", "<", "1.1"),
                ("1.1", "<", "1.2"),
                ("1.0.0", "<", "1.1"),
                ("1.0.1", "<", "1.1"),
                ("1.1", "<", "1.2.0"),
                ("1.0-alpha-1", "<", "1.0"),
                ("1.0-alpha-1", "<", "1.0-alpha-2"),
                ("1.0-alpha-1", "<", "1.0-beta-1"),
                ("1.0-beta-1", "<", "1.0-SNAPSHOT"),
                ("1.0-SNAPSHOT", "<", "1.0"),
                ("1.0-alpha-1-SNAPSHOT", "<", "1.0-alpha-1"),
                ("1.0", "<", "1.0-1"),
                ("1.0-1", "<", "1.0-2"),
                ("1.0.0", "<", "1.0-1"),
                ("2.0-1", "<", "2.0.1"),
                ("2.0.1-klm", "<", "2.0.1-lmn"),
                ("2.0.1", "<", "2.0.1-xyz"),
                ("2.0.1", "<", "2.0.1-123"),
                ("2.0.1-xyz", "<", "2.0.1-123"),
                // MNG-5568 and long numbers (int, long and BigInteger items).
                ("6.1.0rc3", "<", "6.1.0"),
                ("2.0.0.RELEASE", "=", "2.0.0"),
                ("1.0.0.Final", "=", "1.0.0"),
                ("2147483647", "<", "2147483648"),
                ("9223372036854775807", "<", "9223372036854775808"),
                ("100000000000000000000", ">", "99999999999999999999"),
                ("5.3.17", "<", "5.3.18"),
                ("2.14.1", "<", "2.15.0-rc1"),
                ("2.15.0-rc1", "<", "2.15.0"),
                ("2.17.0", ">", "2.16.0"),
            ],
        );
    }

    /// Upper case and non-ASCII text, which is classified on the original string but
    /// lowercased for qualifiers; every row was checked with maven-artifact 3.8.7's
    /// `ComparableVersion` (which lowercases with `Locale.ENGLISH`).
    #[test]
    fn maven_case_and_non_ascii() {
        check_table(
            Ecosystem::Maven,
            &[
                ("1.0.0.FINAL", "=", "1.0.0"),
                ("1.0RC1", "=", "1.0rc1"),
                ("1.0-SNAPSHOT", "=", "1.0-snapshot"),
                ("1.0.Final-1", "=", "1.0-1"),
                ("1-Rc.Sp", "=", "1-rc-sp"),
                ("1-xY", "=", "1-xy"),
                ("1-ÉTÉ", "=", "1-été"),
                ("1-Ü", "=", "1-ü"),
                ("1-ÜX", "<", "1-üy"),
                // Kelvin sign, whose lowercase is the ASCII `k`.
                ("1-\u{212A}", "=", "1-k"),
                ("1.A\u{212A}2", "=", "1-ak-2"),
                // A capital sigma lowercases to final `ς` at the end of a word, and the
                // word goes on across a `.`.
                ("1-\u{212A}Σ", "=", "1-kς"),
                ("1-AΣ", "=", "1-aς"),
                ("1-AΣ", "<", "1-aσ"),
                ("1-AΣ.B", "=", "1-aσ.b"),
                ("1.ΣA", "=", "1-σa"),
                (
                    "123456789012345678901234567890.0",
                    "<",
                    "123456789012345678901234567891",
                ),
            ],
        );
    }

    /// Items are split on the original text: no character's lowercase contains a separator
    /// or an ASCII digit unless the character is one.
    #[test]
    fn lowercasing_keeps_item_boundaries() {
        let special = |c: char| c == '.' || c == '-' || c.is_ascii_digit();
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            if !special(c) {
                assert!(!c.to_lowercase().any(special), "{c:?}");
            }
        }
    }

    #[test]
    fn maven_invalid() {
        check_invalid(Ecosystem::Maven, &[""]);
    }
}
