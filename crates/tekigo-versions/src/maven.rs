//! Maven's `ComparableVersion` ordering (maven-artifact 3.8.7, with MNG-6964 and the "`.X` is
//! treated as `-X`" qualifier rule): items split at `.`, `-` and
//! digit/letter transitions, nested lists after `-` and transitions, well-known qualifiers
//! (`alpha` < `beta` < `milestone` < `rc` = `cr` < `snapshot` < release = `ga` = `final` = `release` <
//! `sp`), unknown qualifiers after them in lexical order, and trailing "null" items dropped
//! so `1` == `1.0` == `1.0.0`.
//!
//! Maven accepts any string; only the empty string is refused here, as no artifact has it.

use crate::num::{cmp_digits, strip_zeros};
use std::cmp::Ordering;

#[derive(Debug, Clone)]
pub(crate) enum Item {
    /// Digits without leading zeros (`""` is zero).
    Int(String),
    /// A qualifier, after aliasing.
    Str(String),
    List(Vec<Item>),
}

pub(crate) type Version = Vec<Item>;

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
/// `comparableQualifier("")`.
const RELEASE_INDEX: &str = "5";

fn string_item(value: &str, followed_by_digit: bool) -> Item {
    let value = match value {
        "a" if followed_by_digit => "alpha",
        "b" if followed_by_digit => "beta",
        "m" if followed_by_digit => "milestone",
        other => other,
    };
    let value = match value {
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    Item::Str(value.to_string())
}

fn parse_item(is_digit: bool, buf: &str) -> Item {
    if is_digit {
        Item::Int(strip_zeros(buf).to_string())
    } else {
        string_item(buf, false)
    }
}

/// Known qualifiers sort by index, unknown ones after all of them, lexically.
fn comparable_qualifier(q: &str) -> String {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(v) => v.is_empty(),
            Item::Str(v) => v.is_empty(),
            Item::List(l) => l.is_empty(),
        }
    }

    /// `Item.compareTo`, where `None` stands for Java's `null` (a missing item).
    fn compare(&self, other: Option<&Item>) -> Ordering {
        match (self, other) {
            (Item::Int(v), None) => {
                if v.is_empty() {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            (Item::Str(v), None) => comparable_qualifier(v).as_str().cmp(RELEASE_INDEX),
            // MNG-6964: the whole list decides, not only its first item.
            (Item::List(l), None) => l
                .iter()
                .map(|i| i.compare(None))
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal),
            (Item::Int(a), Some(Item::Int(b))) => cmp_digits(a, b),
            (Item::Int(_), Some(_)) => Ordering::Greater,
            (Item::Str(_), Some(Item::Int(_) | Item::List(_))) => Ordering::Less,
            (Item::Str(a), Some(Item::Str(b))) => {
                comparable_qualifier(a).cmp(&comparable_qualifier(b))
            }
            (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
            (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
            (Item::List(a), Some(Item::List(b))) => cmp_lists(a, b),
        }
    }
}

fn cmp_lists(a: &[Item], b: &[Item]) -> Ordering {
    for k in 0..a.len().max(b.len()) {
        let o = match (a.get(k), b.get(k)) {
            (Some(l), r) => l.compare(r),
            (None, Some(r)) => r.compare(None).reverse(),
            (None, None) => Ordering::Equal,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// `ListItem.normalize`: drop trailing null items, looking through non-null sub-lists.
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if list[i].is_null() {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

/// `ComparableVersion.parseVersion`. Each new sub-list is the last item of the current list,
/// so the lists form a chain, kept here as a stack and folded up at the end (innermost
/// normalised first, as Maven does).
pub(crate) fn parse(s: &str) -> Result<Version, String> {
    if s.is_empty() {
        return Err("version string is empty".into());
    }
    let version: Vec<char> = s.to_lowercase().chars().collect();
    let text = |from: usize, to: usize| version[from..to].iter().collect::<String>();
    let mut levels: Vec<Vec<Item>> = vec![Vec::new()];
    let mut is_digit = false;
    let mut start = 0;
    for (i, &c) in version.iter().enumerate() {
        let current = levels.len() - 1;
        if c == '.' || c == '-' {
            let item = if i == start {
                Item::Int(String::new())
            } else {
                parse_item(is_digit, &text(start, i))
            };
            levels[current].push(item);
            start = i + 1;
            if c == '-' {
                levels.push(Vec::new());
            }
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                // `1.0.0.X1` < `1.0.0-X2`: a qualifier after a dot opens a sub-list as if
                // it followed a dash.
                if !levels[current].is_empty() {
                    levels.push(Vec::new());
                }
                let current = levels.len() - 1;
                levels[current].push(string_item(&text(start, i), true));
                start = i;
                levels.push(Vec::new());
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                levels[current].push(parse_item(true, &text(start, i)));
                start = i;
                levels.push(Vec::new());
            }
            is_digit = false;
        }
    }
    if version.len() > start {
        if !is_digit && levels.last().is_some_and(|l| !l.is_empty()) {
            levels.push(Vec::new());
        }
        let current = levels.len() - 1;
        levels[current].push(parse_item(is_digit, &text(start, version.len())));
    }
    let mut inner = None;
    while let Some(mut list) = levels.pop() {
        if let Some(child) = inner.take() {
            list.push(Item::List(child));
        }
        normalize(&mut list);
        inner = Some(list);
    }
    Ok(inner.unwrap_or_default())
}

pub(crate) fn cmp(a: &Version, b: &Version) -> Ordering {
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

    #[test]
    fn maven_invalid() {
        check_invalid(Ecosystem::Maven, &[""]);
    }
}
