//! One Kbuild file (`Kbuild` or `Makefile` of a kernel directory) evaluated under a
//! configuration, as far as it decides what is built.
//!
//! What is read: variable assignments (`:=`, `=`, `+=`, `?=`, with `\` continuations, an
//! `export` or `override` before the name), `$(CONFIG_X)` and `$(VAR)` references to
//! variables assigned earlier in the file (or given, fixed as on make's command line:
//! `SRCARCH`), `$(subst ...)`, `$(filter ...)`, `$(filter-out ...)`, and the conditionals
//! `ifeq`/`ifneq` (both the `(a,b)` and the quoted forms), `ifdef`/`ifndef`, `else`,
//! `endif`. Everything else (rules, `include`, functions such as `$(addprefix ...)`) is not
//! evaluated. A variable assigned under a condition that cannot be evaluated, or with a
//! word that cannot be expanded, is not completely known: references to it and conditions
//! on it cannot be evaluated either. Where such a thing could have added to a list that
//! builds objects (an unknown reference in an `obj-` or composite list, an assignment under a
//! condition that cannot be evaluated), the file is marked `uncertain` and callers never
//! conclude "not built" from it. A word that comes whole from a reference (`obj-y +=
//! $(mmu-y)`) keeps the line that first named it, so evidence cites that line (and its
//! gate).
//!
//! What is built: the words of `obj-y`, `obj-m` and `lib-y` after evaluation, and, for each
//! composite object `foo.o` among them, the words of `foo-objs`, `foo-y` and `foo-m`
//! (scripts/Makefile.build's multi-object rule), nested composites included.

use crate::config::Config;
use crate::Line;
use std::collections::{HashMap, HashSet};

/// The largest Kbuild file read (the largest in a 6.x tree is about 80 KB, the top-level
/// Makefile).
pub const MAX_SIZE: u64 = 4 << 20;
/// The most words a variable holds, the longest expansion, and the most references a word
/// is carried through: a hostile file doubling a variable line after line (`x := $(x)
/// $(x)`) would otherwise grow without bound. Past them the variable is not completely
/// known. Real Kbuild files stay far below (the largest list has a few hundred words).
const MAX_WORDS: usize = 1 << 16;
const MAX_EXPANSION: usize = 1 << 20;
const MAX_VIA: usize = 16;

/// One word of a list, the line that named it, and the lines that carried it whole into
/// other lists by reference (`obj-$(CONFIG_ARM64) += $(arm-obj-y)`), first to last.
#[derive(Debug, Clone)]
pub(crate) struct Word {
    pub(crate) text: String,
    pub(crate) line: usize,
    pub(crate) via: Vec<usize>,
}

impl Word {
    fn new(text: &str, line: usize) -> Word {
        Word {
            text: text.to_string(),
            line,
            via: Vec::new(),
        }
    }

    /// The lines that put it where it is, outermost first: the reference lines, last to
    /// first, then the line that named it.
    pub(crate) fn lines(&self) -> Vec<usize> {
        self.via.iter().rev().chain([&self.line]).copied().collect()
    }
}

/// A variable's value as far as it is known: `words` are certainly in it; when it is not
/// `complete`, more may be (a word that could not be expanded, a `+=` under a condition that
/// could not be evaluated) or its words may have been replaced (`:=` under such a
/// condition, then `words` is empty). A reference to a variable that is not complete cannot
/// be expanded.
#[derive(Debug, Clone, Default)]
pub(crate) struct Var {
    pub(crate) words: Vec<Word>,
    pub(crate) complete: bool,
}

type Vars = HashMap<String, Var>;

/// A file evaluated under one configuration.
#[derive(Debug)]
pub struct Evaluated {
    /// Object and directory words that are built (`foo.o`, `sub/bar.o`, `dir/`), with the
    /// lines that listed each (`Word::lines`).
    built: HashMap<String, Vec<usize>>,
    /// Every assignment line, for evidence, whatever its condition.
    lines: Vec<Assignment>,
    /// Something that could add to a build list was not evaluated (see module docs).
    pub uncertain: Vec<String>,
    /// Every variable at the end of the file.
    pub(crate) vars: Vars,
}

/// One assignment line of a file.
#[derive(Debug)]
pub(crate) struct Assignment {
    pub(crate) number: usize,
    /// The line as written (continuations joined).
    pub(crate) text: String,
    /// The left-hand side as written (`obj-$(CONFIG_X)`), without `export`/`override`.
    pub(crate) lhs: String,
    /// The words of the right-hand side as written.
    pub(crate) words: Vec<String>,
    /// Whether the line's conditions held (it took effect), did not, or cannot be told.
    pub(crate) state: Cond,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Cond {
    True,
    False,
    Unknown,
}

/// Joins `\` continuations; each logical line keeps its first physical line's number.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    for (n, raw) in text.lines().enumerate() {
        let (body, cont) = match raw.strip_suffix('\\') {
            Some(b) => (b, true),
            None => (raw, false),
        };
        match &mut cur {
            Some((_, s)) => {
                s.push(' ');
                s.push_str(body);
            }
            None => cur = Some((n + 1, body.to_string())),
        }
        if !cont {
            out.extend(cur.take());
        }
    }
    out.extend(cur);
    out
}

/// Removes a `#` comment (Make has no quoting that protects `#` in these lines, except `\#`).
fn strip_comment(s: &str) -> &str {
    let b = s.as_bytes();
    for i in 0..b.len() {
        if b[i] == b'#' && (i == 0 || b[i - 1] != b'\\') {
            return &s[..i];
        }
    }
    s
}

/// Expands `$(NAME)` and `${NAME}` references: `CONFIG_` symbols from the configuration,
/// other names from `vars`, `$(subst FROM,TO,TEXT)` (the kernel's idiom for turning `m`
/// into `y`) and `$(filter PATTERNS,TEXT)`/`$(filter-out PATTERNS,TEXT)` (the top-level
/// Makefile's tests of `MAKECMDGOALS`). `None` when a reference cannot be expanded (another
/// function, a variable not assigned or not completely known).
fn expand(s: &str, cfg: &Config, vars: &Vars) -> Option<String> {
    expand_depth(s, cfg, vars, 0)
}

fn expand_depth(s: &str, cfg: &Config, vars: &Vars, depth: usize) -> Option<String> {
    if depth > 8 {
        return None;
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (open, close) = match after.chars().next() {
            Some('(') => ('(', ')'),
            Some('{') => ('{', '}'),
            Some('$') => {
                out.push('$');
                rest = &after[1..];
                continue;
            }
            _ => return None,
        };
        let mut level = 0usize;
        let mut end = None;
        for (j, c) in after.char_indices() {
            if c == open {
                level += 1;
            } else if c == close {
                level -= 1;
                if level == 0 {
                    end = Some(j);
                    break;
                }
            }
        }
        let end = end?;
        let inner = &after[1..end];
        if let Some(args) = inner.strip_prefix("subst ") {
            let parts = split_args(args);
            let [from, to, text] = parts.as_slice() else {
                return None;
            };
            let from = expand_depth(from, cfg, vars, depth + 1)?;
            let to = expand_depth(to, cfg, vars, depth + 1)?;
            let text = expand_depth(text, cfg, vars, depth + 1)?;
            if from.is_empty() {
                return None;
            }
            out.push_str(&text.replace(&from, &to));
        } else if let Some((keep, args)) = inner
            .strip_prefix("filter ")
            .map(|a| (true, a))
            .or_else(|| inner.strip_prefix("filter-out ").map(|a| (false, a)))
        {
            let parts = split_args(args);
            let [patterns, text] = parts.as_slice() else {
                return None;
            };
            let patterns = expand_depth(patterns, cfg, vars, depth + 1)?;
            let text = expand_depth(text, cfg, vars, depth + 1)?;
            let kept: Vec<&str> = text
                .split_whitespace()
                .filter(|w| patterns.split_whitespace().any(|p| matches_pattern(p, w)) == keep)
                .collect();
            out.push_str(&kept.join(" "));
        } else if inner.contains(['$', '(', ' ', ',', ':']) {
            return None;
        } else if let Some(sym) = inner.strip_prefix("CONFIG_") {
            out.push_str(&cfg.make_value(sym));
        } else {
            let var = vars.get(inner).filter(|v| v.complete)?;
            let joined: Vec<&str> = var.words.iter().map(|w| w.text.as_str()).collect();
            out.push_str(&joined.join(" "));
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    (out.len() <= MAX_EXPANSION).then_some(out)
}

/// Splits a function's arguments at the commas outside any reference.
fn split_args(args: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut level = 0i32;
    let mut start = 0;
    for (i, c) in args.char_indices() {
        match c {
            '(' | '{' => level += 1,
            ')' | '}' => level -= 1,
            ',' if level == 0 => {
                out.push(&args[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&args[start..]);
    out
}

/// Make's pattern match: `%` (at most one) stands for any text.
fn matches_pattern(pattern: &str, word: &str) -> bool {
    match pattern.split_once('%') {
        Some((pre, post)) => {
            word.len() >= pre.len() + post.len() && word.starts_with(pre) && word.ends_with(post)
        }
        None => pattern == word,
    }
}

/// Whether a variable name is one whose words can end up built: `obj-y`, `obj-m`, `lib-y`,
/// or a composite's parts (`foo-objs`, `foo-y`, `foo-m`).
fn builds(name: &str) -> bool {
    const NOT_OBJECTS: [&str; 8] = [
        "flags",
        "always",
        "extra-",
        "hostprogs",
        "userprogs",
        "targets",
        "clean-",
        "subdir-",
    ];
    if NOT_OBJECTS.iter().any(|n| name.contains(n)) {
        return false;
    }
    matches!(name, "obj-y" | "obj-m" | "lib-y")
        || name.ends_with("-objs")
        || name.ends_with("-y")
        || name.ends_with("-m")
}

fn condition(line: &str, cfg: &Config, vars: &Vars) -> Cond {
    let (kw, arg) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let arg = arg.trim();
    match kw {
        "ifdef" | "ifndef" => {
            let set = match arg.strip_prefix("CONFIG_") {
                Some(sym) => !cfg.make_value(sym).is_empty(),
                None => match vars.get(arg) {
                    Some(v) if !v.words.is_empty() => true,
                    Some(v) if v.complete => false,
                    _ => return Cond::Unknown,
                },
            };
            if set == (kw == "ifdef") {
                Cond::True
            } else {
                Cond::False
            }
        }
        "ifeq" | "ifneq" => {
            let (a, b) =
                if let Some(inner) = arg.strip_prefix('(').and_then(|a| a.strip_suffix(')')) {
                    // Split at the comma outside any `$(...)`.
                    let mut depth = 0i32;
                    let mut split = None;
                    for (i, c) in inner.char_indices() {
                        match c {
                            '(' | '{' => depth += 1,
                            ')' | '}' => depth -= 1,
                            ',' if depth == 0 => {
                                split = Some(i);
                                break;
                            }
                            _ => {}
                        }
                    }
                    let Some(i) = split else { return Cond::Unknown };
                    (inner[..i].to_string(), inner[i + 1..].to_string())
                } else {
                    let quoted: Vec<&str> = arg.split(['"', '\'']).collect();
                    if quoted.len() != 5 {
                        return Cond::Unknown;
                    }
                    (quoted[1].to_string(), quoted[3].to_string())
                };
            match (expand(a.trim(), cfg, vars), expand(b.trim(), cfg, vars)) {
                (Some(x), Some(y)) => {
                    if (x.trim() == y.trim()) == (kw == "ifeq") {
                        Cond::True
                    } else {
                        Cond::False
                    }
                }
                _ => Cond::Unknown,
            }
        }
        _ => Cond::Unknown,
    }
}

/// Evaluates one Kbuild file's text under `cfg`, with `given` variables (`SRCARCH`).
/// Given variables are fixed as on make's command line: the file's own assignments to
/// them do not count.
pub fn evaluate(text: &str, cfg: &Config, given: &[(&str, &str)]) -> Evaluated {
    let mut vars: Vars = given
        .iter()
        .map(|(k, v)| {
            let words = v.split_whitespace().map(|t| Word::new(t, 0)).collect();
            (
                k.to_string(),
                Var {
                    words,
                    complete: true,
                },
            )
        })
        .collect();
    let mut lines = Vec::new();
    let mut uncertain = Vec::new();
    // The conditional stack: (this branch's state, whether an earlier branch was taken).
    let mut stack: Vec<(Cond, Cond)> = Vec::new();
    for (number, raw) in logical_lines(text) {
        let line = strip_comment(&raw).trim();
        if line.is_empty() || raw.starts_with('\t') {
            continue;
        }
        let first = line.split_whitespace().next().unwrap_or("");
        match first {
            "ifeq" | "ifneq" | "ifdef" | "ifndef" => {
                let c = condition(line, cfg, &vars);
                stack.push((c, c));
                continue;
            }
            "else" => {
                if let Some((cur, taken)) = stack.last_mut() {
                    let rest = line["else".len()..].trim();
                    let next = if rest.is_empty() {
                        Cond::True
                    } else {
                        condition(rest, cfg, &vars)
                    };
                    let (c, t) = match (*taken, next) {
                        (Cond::True, _) => (Cond::False, Cond::True),
                        (Cond::False, n) => (n, n),
                        (Cond::Unknown, _) => (Cond::Unknown, Cond::Unknown),
                    };
                    *cur = c;
                    *taken = t;
                }
                continue;
            }
            "endif" => {
                stack.pop();
                continue;
            }
            _ => {}
        }
        // An assignment: NAME OP VALUE, OP one of := += ?= = (not ==, not a rule's `:`).
        let Some((lhs, op, rhs)) = split_assignment(line) else {
            continue;
        };
        let lhs = lhs.trim();
        let lhs = ["export", "override"]
            .iter()
            .fold(lhs, |l, p| match l.strip_prefix(p) {
                Some(rest) if rest.starts_with(char::is_whitespace) => rest.trim_start(),
                _ => l,
            });
        let state = stack
            .iter()
            .fold(Cond::True, |acc, (c, _)| match (acc, *c) {
                (Cond::False, _) | (_, Cond::False) => Cond::False,
                (Cond::Unknown, _) | (_, Cond::Unknown) => Cond::Unknown,
                _ => Cond::True,
            });
        let rhs_words: Vec<String> = rhs.split_whitespace().map(str::to_string).collect();
        lines.push(Assignment {
            number,
            text: line.to_string(),
            lhs: lhs.to_string(),
            words: rhs_words.clone(),
            state,
        });
        let Some(name) = expand(lhs, cfg, &vars) else {
            if lhs.contains("obj") {
                uncertain.push(format!(
                    "line {number}: the variable name {lhs:?} cannot be expanded"
                ));
            }
            continue;
        };
        let name = name.trim().to_string();
        if state == Cond::False || given.iter().any(|(k, _)| *k == name) {
            continue;
        }
        if state == Cond::Unknown {
            if builds(&name) {
                uncertain.push(format!(
                    "line {number}: {name} is assigned under a condition that cannot be evaluated"
                ));
            }
            // Its words may or may not have been added, or replaced.
            let var = vars.entry(name).or_default();
            if op != "+=" {
                var.words.clear();
            }
            var.complete = false;
            continue;
        }
        let mut words = Vec::new();
        let mut complete = true;
        for w in &rhs_words {
            // A whole-word reference keeps the lines that named its words, so evidence
            // cites the line a word was first written on.
            let reference = w
                .strip_prefix("$(")
                .and_then(|r| r.strip_suffix(')'))
                .or_else(|| w.strip_prefix("${").and_then(|r| r.strip_suffix('}')))
                .filter(|r| {
                    !r.contains(['$', '(', '{', ' ', ',', ':']) && !r.starts_with("CONFIG_")
                });
            if let Some(var) = reference.and_then(|r| vars.get(r)).filter(|v| {
                v.complete
                    && v.words.len() <= MAX_WORDS.saturating_sub(words.len())
                    && v.words.iter().all(|w| w.via.len() < MAX_VIA)
            }) {
                words.extend(var.words.iter().map(|w| {
                    let mut w = w.clone();
                    w.via.push(number);
                    w
                }));
                continue;
            }
            match expand(w, cfg, &vars) {
                Some(x) => words.extend(x.split_whitespace().map(|t| Word::new(t, number))),
                None => {
                    complete = false;
                    if builds(&name) {
                        uncertain.push(format!("line {number}: {w} in {name} cannot be expanded"));
                    }
                }
            }
        }
        if words.len() > MAX_WORDS {
            words.truncate(MAX_WORDS);
            complete = false;
        }
        let existed = vars.contains_key(&name);
        let var = vars.entry(name).or_default();
        match op {
            "+=" => {
                var.complete = (var.complete || !existed) && complete;
                var.words.extend(words);
                if var.words.len() > MAX_WORDS {
                    var.words.truncate(MAX_WORDS);
                    var.complete = false;
                }
            }
            // Make assigns `?=` only to a variable not assigned before.
            "?=" if existed => {}
            _ => {
                var.words = words;
                var.complete = complete;
            }
        }
    }
    // What is built: obj-y, obj-m, lib-y, then composites' parts.
    let mut built: HashMap<String, Vec<usize>> = HashMap::new();
    let mut queue: Vec<Word> = ["obj-y", "obj-m", "lib-y"]
        .iter()
        .flat_map(|k| vars.get(*k).map(|v| v.words.clone()).unwrap_or_default())
        .collect();
    let mut seen = HashSet::new();
    while let Some(w) = queue.pop() {
        if !seen.insert(w.text.clone()) {
            continue;
        }
        if let Some(stem) = w.text.strip_suffix(".o") {
            for suffix in ["-objs", "-y", "-m"] {
                if let Some(parts) = vars.get(&format!("{stem}{suffix}")) {
                    queue.extend(parts.words.iter().cloned());
                }
            }
        }
        let lines = w.lines();
        built.entry(w.text).or_insert(lines);
    }
    Evaluated {
        built,
        lines,
        uncertain,
        vars,
    }
}

/// Splits `NAME OP VALUE` (OP one of `:=`, `+=`, `?=`, `=`); `None` for a rule (`a: b`)
/// or anything else. `:` and `=` inside a reference (`$(x:.o=.c)`) do not count.
fn split_assignment(line: &str) -> Option<(&str, &str, &str)> {
    let b = line.as_bytes();
    let mut depth = 0i32;
    for i in 0..b.len() {
        match b[i] {
            b'(' | b'{' => depth += 1,
            b')' | b'}' => depth -= 1,
            _ if depth > 0 => {}
            b':' | b'+' | b'?' if b.get(i + 1) == Some(&b'=') => {
                return Some((&line[..i], &line[i..i + 2], &line[i + 2..]));
            }
            b'=' => return Some((&line[..i], "=", &line[i + 1..])),
            b':' => return None,
            _ => {}
        }
    }
    None
}

impl Evaluated {
    /// Every assignment line, in order, whatever its condition.
    pub(crate) fn assignments(&self) -> impl Iterator<Item = &Assignment> {
        self.lines.iter()
    }

    /// The lines that made `word` built, if it is (the outermost first: see `Word::lines`).
    pub fn built_by(&self, word: &str) -> Option<&[usize]> {
        self.built.get(word).map(Vec::as_slice)
    }

    /// Every assignment line that names `word` (whatever its condition), with its text.
    pub fn mentions(&self, word: &str) -> Vec<(usize, String)> {
        self.lines
            .iter()
            .filter(|a| a.words.iter().any(|w| w == word))
            .map(|a| (a.number, a.text.clone()))
            .collect()
    }

    /// The `CONFIG_` symbols a line refers to.
    pub fn symbols(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(i) = rest.find("CONFIG_") {
            let tail = &rest[i + 7..];
            let end = tail
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(tail.len());
            if end > 0 && !out.iter().any(|s| s == &tail[..end]) {
                out.push(tail[..end].to_string());
            }
            rest = &tail[end..];
        }
        out
    }
}

/// A line of a Kbuild file as evidence.
pub fn line(file: &str, number: usize, text: &str) -> Line {
    Line {
        file: file.to_string(),
        number,
        text: text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(text: &str) -> Config {
        Config::parse("cfg", text.as_bytes()).unwrap()
    }

    #[test]
    fn lists_conditions_and_composites() {
        let mk = "obj-y := a.o\n\
                  obj-$(CONFIG_B) += b.o sub/\n\
                  obj-$(CONFIG_C) += c.o\n\
                  big-objs := p1.o \\\n  p2.o\n\
                  big-$(CONFIG_D) += p3.o\n\
                  obj-$(CONFIG_BIG) += big.o\n\
                  tmp-$(CONFIG_T) := t.o\n\
                  obj-y += $(tmp-y)\n\
                  ifeq ($(CONFIG_E),y)\nobj-y += e.o\nelse\nobj-y += note.o\nendif\n\
                  ifdef CONFIG_F\nobj-y += f.o\nendif\n\
                  ifneq ($(CONFIG_G),)\nobj-y += g.o\nendif\n";
        let c = cfg(
            "CONFIG_B=m\nCONFIG_BIG=y\nCONFIG_T=y\nCONFIG_E=y\n# CONFIG_F is not set\nCONFIG_G=m\n",
        );
        let e = evaluate(mk, &c, &[]);
        for built in [
            "a.o", "b.o", "sub/", "p1.o", "p2.o", "big.o", "t.o", "e.o", "g.o",
        ] {
            assert!(e.built_by(built).is_some(), "{built} should be built");
        }
        for off in ["c.o", "p3.o", "note.o", "f.o"] {
            assert!(e.built_by(off).is_none(), "{off} should not be built");
        }
        assert_eq!(
            e.built_by("p2.o"),
            Some(&[4][..]),
            "a continuation keeps its first line"
        );
        // A word carried whole by a reference cites that line, then the one naming it.
        assert_eq!(e.built_by("t.o"), Some(&[9, 8][..]));
        assert!(e.uncertain.is_empty(), "{:?}", e.uncertain);
        assert_eq!(
            e.mentions("c.o"),
            vec![(3, "obj-$(CONFIG_C) += c.o".to_string())]
        );
        assert_eq!(
            Evaluated::symbols("obj-$(CONFIG_C) += $(CONFIG_D_E)"),
            ["C", "D_E"]
        );
    }

    #[test]
    fn what_cannot_be_evaluated_is_uncertain() {
        let mk =
            "obj-y += $(addprefix x/, a.o)\nifeq ($(shell uname),Linux)\nobj-y += b.o\nendif\n";
        let e = evaluate(mk, &cfg(""), &[]);
        assert_eq!(e.uncertain.len(), 2, "{:?}", e.uncertain);
        // The kernel's `m` to `y` idiom, and flags that are not objects.
        let mk = "obj-$(subst m,y,$(CONFIG_H)) += h/\nccflags-y += -I$(src)\n";
        let e = evaluate(mk, &cfg("CONFIG_H=m\n"), &[]);
        assert!(
            e.built_by("h/").is_some() && e.uncertain.is_empty(),
            "{e:?}"
        );
        // A file that doubles a list line after line stays bounded and is not trusted.
        let mk = format!(
            "x := a.o\n{}obj-y += $(x)\n",
            "x := $(x) $(x) $(x)\n".repeat(40)
        );
        let e = evaluate(&mk, &cfg(""), &[]);
        assert!(!e.vars["x"].complete && e.vars["x"].words.len() <= MAX_WORDS);
        assert!(!e.uncertain.is_empty(), "{:?}", e.uncertain);
        let mk = "obj-y += arch/$(SRCARCH)/\n";
        let e = evaluate(mk, &cfg(""), &[("SRCARCH", "arm64")]);
        assert!(e.built_by("arch/arm64/").is_some());
    }
}
