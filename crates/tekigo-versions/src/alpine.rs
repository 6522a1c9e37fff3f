//! apk-tools version ordering (Gentoo-style): `digits{.digits}[letter]{_suffix[N]}[-rN]`.
//!
//! A port of apk-tools 2.x `src/version.c` (the comparison in Alpine's long-lived releases),
//! with numbers of any length instead of C `int`s that overflow on date-like components, and
//! with the leading-zero fix that current apk-tools' test data expects (see [`get_token`]).
//! apk-tools 3's `~hash` component is not supported and is reported as invalid.

use crate::num::cmp_digit_bytes;
use std::cmp::Ordering;

#[derive(Debug)]
pub(crate) struct Version<'a>(&'a str);

/// Token types in apk's order; the order matters, a later token type sorts lower.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tok {
    Invalid,
    DigitOrZero,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    RevisionNo,
    End,
}

/// A token's value. apk packs these into one `int`; they only ever meet values of the same
/// token type.
#[derive(Debug, Clone, Copy)]
enum Val<'a> {
    /// A dotted component with leading zeros: apk values it as minus the number of zeros, so
    /// `1.01` < `1.1` and `1.001` < `1.01`.
    Zeros(usize),
    Num(&'a [u8]),
    /// A letter's ASCII code, or a suffix rank (negative for pre-release suffixes).
    Small(i32),
}

impl Val<'_> {
    fn cmp(&self, other: &Val<'_>) -> Ordering {
        match (self, other) {
            (Val::Zeros(a), Val::Zeros(b)) => b.cmp(a),
            (Val::Zeros(_), _) => Ordering::Less,
            (_, Val::Zeros(_)) => Ordering::Greater,
            (Val::Num(a), Val::Num(b)) => cmp_digit_bytes(a, b),
            (Val::Small(a), Val::Small(b)) => a.cmp(b),
            // Never paired by the tokenizer; any consistent answer will do.
            (Val::Num(_), Val::Small(_)) => Ordering::Greater,
            (Val::Small(_), Val::Num(_)) => Ordering::Less,
        }
    }

    fn is_negative(&self) -> bool {
        matches!(self, Val::Zeros(n) if *n > 0) || matches!(self, Val::Small(v) if *v < 0)
    }
}

const PRE_SUFFIXES: [&[u8]; 4] = [b"alpha", b"beta", b"pre", b"rc"];
const POST_SUFFIXES: [&[u8]; 5] = [b"cvs", b"svn", b"git", b"hg", b"p"];

fn next_token(ty: &mut Tok, rest: &mut &[u8]) {
    let mut n = Tok::Invalid;
    match rest.first().copied() {
        None => n = Tok::End,
        Some(c) if matches!(*ty, Tok::Digit | Tok::DigitOrZero) && c.is_ascii_lowercase() => {
            n = Tok::Letter
        }
        Some(c) if *ty == Tok::Letter && c.is_ascii_digit() => n = Tok::Digit,
        Some(c) if *ty == Tok::Suffix && c.is_ascii_digit() => n = Tok::SuffixNo,
        Some(c) => {
            match c {
                b'.' => n = Tok::DigitOrZero,
                b'_' => n = Tok::Suffix,
                b'-' if rest.get(1) == Some(&b'r') => {
                    n = Tok::RevisionNo;
                    *rest = &rest[1..];
                }
                _ => {}
            }
            *rest = rest.get(1..).unwrap_or_default();
        }
    }
    let allowed_backstep = (n == Tok::DigitOrZero && *ty == Tok::Digit)
        || (n == Tok::Suffix && *ty == Tok::SuffixNo)
        || (n == Tok::Digit && *ty == Tok::Letter);
    if n < *ty && !allowed_backstep {
        n = Tok::Invalid;
    }
    *ty = n;
}

fn get_token<'a>(ty: &mut Tok, rest: &mut &'a [u8]) -> Val<'a> {
    if rest.is_empty() {
        *ty = Tok::End;
        return Val::Small(0);
    }
    let digits = |s: &'a [u8]| {
        let len = s.iter().take_while(|c| c.is_ascii_digit()).count();
        (len, &s[..len])
    };
    let mut next_ty = None;
    let (len, val) = match *ty {
        Tok::DigitOrZero if rest[0] == b'0' => {
            let zeros = rest.iter().take_while(|&&c| c == b'0').count();
            // apk 2.x always continued with a digit token here, which read an empty number
            // before a suffix and made `6.0_pre1` > `6.0`; current apk-tools orders it below
            // (test/version.data), as continuing with the ordinary next token does.
            if rest.get(zeros).is_some_and(u8::is_ascii_digit) {
                next_ty = Some(Tok::Digit);
            }
            (zeros, Val::Zeros(zeros))
        }
        Tok::DigitOrZero | Tok::Digit | Tok::SuffixNo | Tok::RevisionNo => {
            let (len, s) = digits(rest);
            (len, Val::Num(s))
        }
        Tok::Letter => (1, Val::Small(i32::from(rest[0]))),
        Tok::Suffix => {
            let pre = PRE_SUFFIXES
                .iter()
                .zip(-4..)
                .find(|(s, _)| rest.starts_with(s));
            let post = POST_SUFFIXES
                .iter()
                .zip(0..)
                .find(|(s, _)| rest.starts_with(s));
            match pre.or(post) {
                Some((s, rank)) => (s.len(), Val::Small(rank)),
                None => {
                    *ty = Tok::Invalid;
                    return Val::Small(-1);
                }
            }
        }
        Tok::Invalid | Tok::End => {
            *ty = Tok::Invalid;
            return Val::Small(-1);
        }
    };
    *rest = rest.get(len..).unwrap_or_default();
    if rest.is_empty() {
        *ty = Tok::End;
    } else if let Some(t) = next_ty {
        *ty = t;
    } else {
        next_token(ty, rest);
    }
    val
}

/// Validates like `apk_version_validate`, and additionally requires a leading digit (as
/// apk-tools 3 does): apk 2 accepts `""` or `a`, which no real package carries.
pub(crate) fn parse(s: &str) -> Result<Version<'_>, String> {
    if s.is_empty() {
        return Err("version string is empty".into());
    }
    if !s.as_bytes()[0].is_ascii_digit() {
        return Err("version does not start with a digit".into());
    }
    let mut ty = Tok::Digit;
    let mut rest = s.as_bytes();
    while ty != Tok::End && ty != Tok::Invalid {
        get_token(&mut ty, &mut rest);
    }
    if ty == Tok::Invalid {
        let at = s.len() - rest.len();
        return Err(format!(
            "not of the form digits{{.digits}}[letter]{{_suffix[N]}}[-rN] (stopped at byte {at})"
        ));
    }
    Ok(Version(s))
}

/// `apk_version_compare_blob`.
pub(crate) fn cmp(a: &Version<'_>, b: &Version<'_>) -> Ordering {
    let (mut a, mut b) = (a.0.as_bytes(), b.0.as_bytes());
    let (mut at, mut bt) = (Tok::Digit, Tok::Digit);
    let (mut av, mut bv) = (Val::Small(0), Val::Small(0));
    while at == bt && at != Tok::End && at != Tok::Invalid && av.cmp(&bv) == Ordering::Equal {
        av = get_token(&mut at, &mut a);
        bv = get_token(&mut bt, &mut b);
    }
    match av.cmp(&bv) {
        Ordering::Equal => {}
        o => return o,
    }
    if at == bt {
        return Ordering::Equal;
    }
    // Equal so far: the longer version is greater, unless what follows is a pre-release
    // suffix.
    let (mut tt_a, mut tt_b) = (at, bt);
    if at == Tok::Suffix && get_token(&mut tt_a, &mut a).is_negative() {
        return Ordering::Less;
    }
    if bt == Tok::Suffix && get_token(&mut tt_b, &mut b).is_negative() {
        return Ordering::Greater;
    }
    bt.cmp(&at)
}

#[cfg(test)]
mod tests {
    use crate::testutil::{check_invalid, check_table};
    use crate::Ecosystem;

    /// Rows from apk-tools' test/version.data (the rows with versions apk itself calls
    /// invalid are in `apk_invalid`).
    #[test]
    fn apk_ordering() {
        check_table(
            Ecosystem::Alpine,
            &[
                ("2.34", ">", "0.1.0_alpha"),
                ("0.1.0_alpha", "=", "0.1.0_alpha"),
                ("0.1.0_alpha", "<", "0.1.3_alpha"),
                ("0.1.0_alpha2", ">", "0.1.0_alpha"),
                ("0.1.0_alpha", "<", "2.2.39-r1"),
                ("2.2.39-r1", ">", "1.0.4-r3"),
                ("1.0.4-r3", "<", "1.0.4-r4"),
                ("1.0.4-r4", "<", "1.6"),
                ("1.0.2", ">", "0.7-r1"),
                ("1.1", ">", "1.1_alpha1"),
                ("1.2.1", ">", "1.2"),
                ("1.2", "<", "1.3_alpha"),
                ("1.3_alpha", "<", "1.3_alpha2"),
                ("0.7.0", "<", "0.8_beta1"),
                ("0.8_beta1", "<", "0.8_beta2"),
                ("3.10.18-r1", ">", "2.3.0b-r1"),
                ("2.3.0b-r1", "<", "2.3.0b-r2"),
                ("0.12.3", ">", "0.12"),
                ("0.12", "<", "0.13_beta1"),
                ("1.2.12.1", "<", "1.2.13"),
                ("3.1_p16", "<", "3.1_p17"),
                ("3.1_p17", ">", "1.06-r6"),
                ("1.06-r6", "<", "006"),
                ("006", ">", "1.0.0"),
                ("1.2.2-r1", ">", "1.2.2"),
                ("20060720", ">", "3.0.20060720"),
                ("2.5.1-r8", "<", "2.5.1a-r1"),
                ("20040401", ">", "2.0.0_rc3-r1"),
                ("3.0.0-r2", "<", "021109-r3"),
                ("3.9_pre20060124", ">", "0.01"),
                ("0.01", "<", "0.06"),
                ("1.1.7", "<", "6b-r7"),
                ("0.10.0-r1", ">", "0.10.0"),
                ("0.10.0", "<", "0.10.1_rc1"),
                ("1.1a", "<", "1.3a"),
                ("0.15.1b-r2", ">", "0.15.1b"),
                ("22.7-r1", "<", "22.7.3-r1"),
                ("22.7.3-r1", ">", "22.7"),
                ("2.1_pre20", "<", "2.1_pre26"),
                ("2.10.1", ">", "02.08.01b"),
                ("3.81", ">", "1.6d"),
                ("1.6d", ">", "1.2.07.8"),
                ("1.2.07.8", "<", "1.2.12.04"),
                ("1.2.12.04", "<", "1.2.12.05"),
                ("1.07-r1", "<", "1.07.5"),
                ("1.07.5", ">", "1.07"),
                ("0.1_pre20060810", "<", "0.1_pre20060817"),
                ("0.59s-r11", "<", "0.65"),
                ("4.01", "<", "4.20"),
                ("4.20", ">", "0.20070118"),
                ("0.20070118", "<", "0.20070207_rc1"),
                ("4.5_p1-r1", ">", "4.5_p1"),
                ("0.9.8c-r1", "<", "0.9.8d"),
                ("1.7", "<", "1.7b"),
                ("1.8.5", "<", "1.8.5_p2"),
                ("2.9.11_pre20051101-r3", ">", "2.9.11_pre20051101"),
                ("1.6.8_p12-r1", ">", "1.6.8_p9-r2"),
                ("0.9.28-r2", "<", "0.9.28.1"),
                ("0.9.28.1", "<", "087-r1"),
                ("104-r11", ">", "104-r9"),
                ("1.2.5_rc2", ">", "0.1"),
                ("20040406-r1", ">", "2.12r-r4"),
                ("2.12r-r4", "<", "2.12r-r5"),
                ("7.0.17", "<", "7.0.174"),
                ("1.4.4-r1", "<", "2.1.9.200602141850"),
                ("1.3-r0", "<", "1.3.1-r0"),
                ("1.3_pre1-r1", "<", "1.3.2"),
                ("1.0_p10-r0", ">", "1.0_p9-r0"),
                ("0.1.0_alpha_pre2", "<", "0.1.0_alpha"),
                (
                    "1.0.0_pre20191002222144-r0",
                    "<",
                    "1.0.0_pre20210530193627-r0",
                ),
                ("6.0_pre1", "<", "6.0"),
                ("6.1_pre1", "<", "6.1"),
                ("6.0_p1", ">", "6.0"),
                ("6.1_p1", ">", "6.1"),
                // Suffix ranks: alpha < beta < pre < rc < (release) < cvs < svn < git < hg < p
                ("1.0_alpha", "<", "1.0_beta"),
                ("1.0_beta", "<", "1.0_pre"),
                ("1.0_pre", "<", "1.0_rc"),
                ("1.0_rc", "<", "1.0"),
                ("1.0", "<", "1.0_cvs"),
                ("1.0_cvs", "<", "1.0_svn"),
                ("1.0_svn", "<", "1.0_git"),
                ("1.0_git", "<", "1.0_hg"),
                ("1.0_hg", "<", "1.0_p"),
                ("1.0_p", "<", "1.0a"),
            ],
        );
    }

    #[test]
    fn apk_invalid() {
        // "1.0bc" and "23_foo" are version.data's own examples of invalid versions.
        check_invalid(
            Ecosystem::Alpine,
            &[
                "",
                "a",
                "1.0bc",
                "23_foo",
                "1.0-rc1",
                "1.0-r1.2",
                "1.0~abc",
                "1.0 ",
                "1.A",
                "1.0-r1_p1",
                "1.0_foo",
            ],
        );
    }
}
