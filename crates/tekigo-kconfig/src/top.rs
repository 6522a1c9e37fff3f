//! The directories the top-level Makefile sends Kbuild into, besides `obj-y += sub/`.
//!
//! The top-level `Makefile` and the architecture's `arch/$(SRCARCH)/Makefile` (which the
//! top one includes) keep lists of directories relative to the top: `core-`, `drivers-`,
//! `libs-`, and in older kernels `init-`, `net-`, `virt-`, each with `y`, `m` or
//! `$(CONFIG_X)` after the dash. Which of them Kbuild descends into, the top Makefile says
//! itself: in Linux 6.1 `ARCH_CORE := $(core-y)`, `ARCH_LIB := $(filter %/, $(libs-y))` and
//! `ARCH_DRIVERS := $(drivers-y) $(drivers-m)`, which the top-level `Kbuild` adds to its
//! `obj-y`; in 5.10 and older `vmlinux-dirs` (`$(core-y) $(core-m) ... $(libs-m)`), which
//! the Makefile descends into itself. So `lib/` and `arch/arm64/lib/` are reached from the
//! top though no `Kbuild` names them, and in older kernels nearly every top directory is.
//!
//! How they are read: the top Makefile with the architecture's Makefile spliced in where it
//! is included, evaluated by `kbuild::evaluate` as `make` evaluates it for a build of the
//! kernel itself (fixed as on make's command line: `SRCARCH` from the configuration, no
//! goal, no external module, the invocation that builds; see `context`). Other `include`d
//! files are not read (they hold helpers and the configuration). The lists Kbuild descends into are those the taken assignments of
//! `vmlinux-dirs`, `ARCH_CORE`, `ARCH_LIB` and `ARCH_DRIVERS` refer to (`$(libs-y)`); only
//! words ending in `/` are directories. For a directory `D/` ([`Lists::says`]):
//!
//! - in a list Kbuild descends into: reached from the top, the evidence the line that put
//!   `D/` there (and its `.config` lines), as `obj-y += sub/` would be;
//! - named only on list lines that did not put it into such a list (`drivers-$(CONFIG_X)`
//!   with `X` off): the top does not reach it, with those lines as evidence, unless a list
//!   or those lines could not be evaluated;
//! - named on no list line: the lists say nothing; the parent's `Kbuild` alone decides.
//!
//! A tree without a top-level Makefile, an architecture the configuration does not name,
//! or a Makefile that defines none of those four variables has no lists.

use crate::config::Config;
use crate::kbuild::{evaluate, Cond, Evaluated};
use crate::Line;

/// The list names (before the `-`).
const LISTS: [&str; 6] = ["core", "drivers", "libs", "init", "net", "virt"];
/// The variables whose definitions name the lists Kbuild descends into.
const DESCENT: [&str; 4] = ["vmlinux-dirs", "ARCH_CORE", "ARCH_LIB", "ARCH_DRIVERS"];

/// The top-level lists evaluated under one configuration.
pub(crate) struct Lists {
    /// Per line of the spliced text: the file it comes from and its number there.
    origin: Vec<(usize, usize)>,
    /// The two files: `Makefile`, `arch/<arch>/Makefile`.
    files: [String; 2],
    /// The spliced text's lines, for evidence.
    text: Vec<String>,
    evaluated: Evaluated,
    /// The lists Kbuild descends into (`libs-y`), or `None` when a definition that names
    /// them is under a condition that cannot be evaluated.
    descended: Option<Vec<String>>,
}

/// What the top-level lists say of a directory.
pub(crate) enum Says {
    /// Reached from the top, with the list lines (the one naming it, and any that carried
    /// it by reference, outermost first).
    Reached(Vec<Line>),
    /// Named only on these list lines, none of which puts it in a list descended into.
    NotReached(Vec<Line>),
    /// Named on list lines, but something they depend on cannot be evaluated.
    Unsure(String),
    /// No list line names it.
    Silent,
}

/// The variables fixed for the evaluation, as in the invocation of make that builds the
/// kernel itself: the architecture's directory; the first invocation's work done (it sets
/// `sub_make_done` and re-runs make when it must, e.g. for `O=`) and none left for another;
/// no goal (`make` alone); no external module (no `M=`).
fn context(arch: &str) -> [(&str, &str); 5] {
    [
        ("SRCARCH", arch),
        ("sub_make_done", "1"),
        ("need-sub-make", ""),
        ("MAKECMDGOALS", ""),
        ("KBUILD_EXTMOD", ""),
    ]
}

/// Whether `lhs` (as written) assigns one of the lists.
fn is_list(lhs: &str) -> bool {
    LISTS
        .iter()
        .any(|l| lhs.strip_prefix(l).is_some_and(|r| r.starts_with('-')))
}

/// The `$(name-y)`/`$(name-m)` list references in `text`.
fn list_refs(text: &str) -> Vec<String> {
    text.split("$(")
        .skip(1)
        .filter_map(|r| r.split(')').next())
        .filter(|r| {
            r.rsplit_once('-')
                .is_some_and(|(l, s)| LISTS.contains(&l) && (s == "y" || s == "m"))
        })
        .map(str::to_string)
        .collect()
}

impl Lists {
    /// Evaluates `top` (the top-level Makefile's text) with `arch_text` (the text of
    /// `arch_file`, `arch/<arch>/Makefile`) spliced in at its `include`, under `cfg`.
    /// `None` when the Makefile defines none of the descent variables.
    pub(crate) fn evaluate(
        cfg: &Config,
        arch: &str,
        top: &str,
        arch_file: &str,
        arch_text: &str,
    ) -> Option<Lists> {
        let mut origin = Vec::new();
        let mut text = Vec::new();
        for (n, line) in top.lines().enumerate() {
            let words: Vec<&str> = line.split_whitespace().collect();
            let includes_arch = matches!(words.as_slice(),
                [kw, path] if ["include", "-include", "sinclude"].contains(kw)
                    && path.ends_with("arch/$(SRCARCH)/Makefile"));
            if includes_arch {
                for (m, l) in arch_text.lines().enumerate() {
                    origin.push((1, m + 1));
                    text.push(l.to_string());
                }
            } else {
                origin.push((0, n + 1));
                text.push(line.to_string());
            }
        }
        let joined = text.join("\n");
        let evaluated = evaluate(&joined, cfg, &context(arch));
        let definitions: Vec<_> = evaluated
            .assignments()
            .filter(|a| DESCENT.contains(&a.lhs.as_str()))
            .collect();
        if definitions.is_empty() {
            return None;
        }
        let descended = if definitions.iter().any(|a| a.state == Cond::Unknown) {
            None
        } else {
            let mut names: Vec<String> = definitions
                .iter()
                .filter(|a| a.state == Cond::True)
                .flat_map(|a| list_refs(&a.text))
                .collect();
            names.sort();
            names.dedup();
            Some(names)
        };
        Some(Lists {
            origin,
            files: ["Makefile".to_string(), arch_file.to_string()],
            text,
            evaluated,
            descended,
        })
    }

    /// Line `n` of the spliced text as evidence, in its own file.
    fn line(&self, n: usize) -> Line {
        let (file, number) = self
            .origin
            .get(n.wrapping_sub(1))
            .copied()
            .unwrap_or((0, 0));
        let text = self.text.get(n.wrapping_sub(1)).map_or("", |t| t.trim());
        crate::kbuild::line(&self.files[file], number, text)
    }

    /// What the lists say of `dir/` (see the module docs).
    pub(crate) fn says(&self, dir: &str) -> Says {
        let word = format!("{dir}/");
        let e = &self.evaluated;
        if let Some(descended) = &self.descended {
            for list in descended {
                let found = e
                    .vars
                    .get(list)
                    .and_then(|v| v.words.iter().find(|w| w.text == word));
                if let Some(w) = found {
                    return Says::Reached(w.lines().into_iter().map(|n| self.line(n)).collect());
                }
            }
        }
        let naming: Vec<_> = e
            .assignments()
            .filter(|a| is_list(&a.lhs) && a.words.contains(&word))
            .collect();
        if naming.is_empty() {
            return Says::Silent;
        }
        let Some(descended) = &self.descended else {
            return Says::Unsure(
                "Makefile: which lists Kbuild descends into is defined under a condition that \
                 cannot be evaluated"
                    .into(),
            );
        };
        if let Some(a) = naming.iter().find(|a| a.state == Cond::Unknown) {
            let l = self.line(a.number);
            return Says::Unsure(format!(
                "{}:{}: {} is under a condition that cannot be evaluated",
                l.file, l.number, l.text
            ));
        }
        // A list never assigned is empty, as in make: every list starts in these files.
        if let Some(list) = descended
            .iter()
            .find(|l| e.vars.get(*l).is_some_and(|v| !v.complete))
        {
            return Says::Unsure(format!(
                "Makefile: {list} is not completely known (a word or condition that cannot be \
                 evaluated)"
            ));
        }
        Says::NotReached(
            naming
                .iter()
                .map(|a| {
                    let at = self.line(a.number);
                    crate::kbuild::line(&at.file, at.number, &a.text)
                })
                .collect(),
        )
    }

    /// The `CONFIG_` symbols the spliced text refers to: the evaluation depends on the
    /// configuration through these alone.
    pub(crate) fn symbols(top: &str, arch_text: &str) -> Vec<String> {
        let mut out = Evaluated::symbols(top);
        out.extend(Evaluated::symbols(arch_text));
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_lines_and_references() {
        assert!(is_list("drivers-$(CONFIG_SAMPLES)") && is_list("libs-y"));
        assert!(!is_list("drivers") && !is_list("KBUILD_VMLINUX_LIBS"));
        assert_eq!(
            list_refs("$(patsubst %/,%,$(filter %/, $(core-y) $(core-m) $(libs-y) $(head-y)))"),
            ["core-y", "core-m", "libs-y"]
        );
    }

    /// A made-up pair of Makefiles in the shape of the kernel's: the arch Makefile is
    /// spliced where it is included (lines cited in their own files), the goal tests are
    /// evaluated for a plain `make`, and each answer follows the module docs.
    #[test]
    fn lists_under_a_configuration() {
        let top = "config-build :=\n\
                   ifneq ($(filter %config,$(MAKECMDGOALS)),)\n\
                   config-build := 1\n\
                   endif\n\
                   ifdef config-build\n\
                   include $(srctree)/arch/$(SRCARCH)/Makefile\n\
                   else\n\
                   ifeq ($(KBUILD_EXTMOD),)\n\
                   core-y := init/\n\
                   drivers-$(CONFIG_SAMPLES) += samples/\n\
                   libs-y := lib/\n\
                   endif\n\
                   include $(srctree)/arch/$(SRCARCH)/Makefile\n\
                   ifeq ($(shell uname),Linux)\n\
                   drivers-y += odd/\n\
                   endif\n\
                   export ARCH_CORE := $(core-y)\n\
                   export ARCH_LIB := $(filter %/, $(libs-y))\n\
                   endif\n";
        let arch = "libs-y := arch/a/lib/ $(libs-y)\ncore-$(CONFIG_PCI) += arch/a/pci/\n";
        let cfg = Config::parse(
            "cfg",
            b"# Automatically generated file; DO NOT EDIT.\n# CONFIG_SAMPLES is not set\nCONFIG_PCI=y\n",
        )
        .unwrap();
        let lists = Lists::evaluate(&cfg, "a", top, "arch/a/Makefile", arch).unwrap();
        assert_eq!(
            lists.descended.as_deref(),
            Some(&["core-y".to_string(), "libs-y".to_string()][..])
        );
        let at = |l: Line| format!("{}:{}", l.file, l.number);
        for (dir, lines) in [
            // Named on line 11, kept by the arch Makefile's `$(libs-y)`.
            ("lib", &["arch/a/Makefile:1", "Makefile:11"][..]),
            ("arch/a/lib", &["arch/a/Makefile:1"]),
            ("arch/a/pci", &["arch/a/Makefile:2"]),
            ("init", &["Makefile:9"]),
        ] {
            match lists.says(dir) {
                Says::Reached(l) => {
                    assert_eq!(l.into_iter().map(at).collect::<Vec<_>>(), lines, "{dir}")
                }
                _ => panic!("{dir} should be reached"),
            }
        }
        // Gated off, and in drivers-, which no descent variable names here.
        match lists.says("samples") {
            Says::NotReached(lines) => {
                assert_eq!(
                    lines.iter().map(|l| at(l.clone())).collect::<Vec<_>>(),
                    ["Makefile:10"]
                )
            }
            _ => panic!("samples should not be reached"),
        }
        assert!(matches!(lists.says("odd"), Says::Unsure(r) if r.contains("Makefile:15")));
        assert!(matches!(lists.says("fs"), Says::Silent));
        // A Makefile without the descent variables has no lists.
        assert!(Lists::evaluate(&cfg, "a", "libs-y := lib/\n", "arch/a/Makefile", arch).is_none());
    }
}
