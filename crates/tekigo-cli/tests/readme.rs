//! README.md's commands as written. Every `sh` block runs with `sh`, in README order, in one
//! temporary directory laid out like the repository's root (the examples and catalogs the
//! commands name) with fixtures for the other files they read: real advisory records, a
//! real Debian 12 package database as the scanned root, workbooks built here. Each block
//! starts in a new shell in that directory, so files one block writes are there for the
//! next, as for a reader going down the page. Only this build's `tekigo` is on PATH ahead of
//! the system's, and nothing of the environment running the tests leaks in but PATH.
//!
//! A command passes when it exits 0, or 1 where its comment says "exit 1" (the README's
//! exit codes: 1 means findings), and every file it writes with `-o FILE` exists and is not
//! empty. A block after `<!-- readme-test: skip, REASON -->` is not run; the reason is
//! printed.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const MARK: &str = "<!-- readme-test: skip, ";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One fenced `sh` block of the README.
struct Block {
    /// README line of the opening fence.
    line: usize,
    section: String,
    skip: Option<String>,
    /// Logical commands (continuation lines joined) with the README line each starts on.
    commands: Vec<(usize, String)>,
}

/// The `sh` blocks of a README; a fenced block that looks like shell under another info
/// string is an error, so that no command escapes the test by its fence.
fn blocks(readme: &str) -> Result<Vec<Block>, String> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut out = Vec::new();
    let mut section = String::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(title) = line.strip_prefix("## ") {
            section = title.to_string();
        }
        let Some(info) = line.strip_prefix("```") else {
            i += 1;
            continue;
        };
        let start = i + 1;
        let end = (start..lines.len())
            .find(|&j| lines[j].starts_with("```"))
            .ok_or(format!("README.md:{start}: a code block is not closed"))?;
        match info.trim() {
            "sh" => {}
            "" | "bash" | "shell" | "console" | "shell-session" => {
                return Err(format!(
                    "README.md:{start}: a shell block must be fenced as ```sh to be run (or be \
                     marked `{MARK}REASON -->`)"
                ))
            }
            _ => {
                i = end + 1;
                continue;
            }
        }
        let skip = lines[..i]
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .and_then(|l| l.trim().strip_prefix(MARK))
            .map(|rest| rest.trim_end_matches("-->").trim().to_string());
        let mut commands = Vec::new();
        let mut j = start;
        while j < end {
            let first = j + 1;
            let mut command = String::new();
            loop {
                let text = lines[j];
                j += 1;
                match text.strip_suffix('\\') {
                    Some(head) if j < end => command.push_str(head),
                    _ => {
                        command.push_str(text);
                        break;
                    }
                }
            }
            let trimmed = command.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                commands.push((first, trimmed.to_string()));
            }
        }
        out.push(Block {
            line: start,
            section: section.clone(),
            skip,
            commands,
        });
        i = end + 1;
    }
    Ok(out)
}

/// The files a command says it writes: the word after each `-o`.
fn outputs(command: &str) -> Vec<&str> {
    let words: Vec<&str> = command.split_whitespace().collect();
    words
        .windows(2)
        .filter(|w| w[0] == "-o")
        .map(|w| w[1])
        .collect()
}

/// The block as a script that logs, after each command, `LINE STATUS` and `LINE missing
/// FILE` for an `-o FILE` not written, to the file named by $README_TEST_LOG.
fn script(block: &Block) -> String {
    let mut s = String::new();
    for (line, command) in &block.commands {
        s.push_str(&format!("printf '+ README.md:{line}\\n' >&2\n{command}\n"));
        s.push_str(&format!(
            "readme_status=$?; printf '{line} %d\\n' $readme_status >>\"$README_TEST_LOG\"\n"
        ));
        for file in outputs(command) {
            s.push_str(&format!(
                "[ $readme_status -gt 1 ] || [ -s {file} ] || printf '{line} missing {file}\\n' >>\"$README_TEST_LOG\"\n"
            ));
        }
    }
    s
}

/// A workbook of one sheet with these rows from A1.
fn workbook(path: &Path, rows: &[&[&str]]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            sheet.write(r as u32, c as u16, *text).unwrap();
        }
    }
    book.save(path).unwrap();
}

/// What the README's commands read, where they look for it.
fn fixtures(dir: &Path) {
    let repo = repo();
    std::fs::create_dir(dir.join("examples")).unwrap();
    for example in ["gateway", "water-treatment"] {
        common::copy_tree(
            &repo.join("examples").join(example),
            &dir.join("examples").join(example),
        );
    }
    common::copy_tree(&repo.join("catalogs"), &dir.join("catalogs"));

    // Text a user imports from a licensed copy (placeholders, not the standard's words).
    workbook(
        &dir.join("my-licensed-copy.xlsx"),
        &[
            &["id", "text_en"],
            &[
                "CR 1.1",
                "(the licensed text of CR 1.1 as the owner's copy has it)",
            ],
            &[
                "CR 1.2",
                "(the licensed text of CR 1.2 as the owner's copy has it)",
            ],
        ],
    );

    // The gateway project's inputs: a config file as evidence, the example's real device
    // scan, and a check sheet kept in Excel with English headers.
    let gw = dir.join("gw");
    std::fs::create_dir(&gw).unwrap();
    std::fs::write(
        gw.join("sshd_config"),
        "PasswordAuthentication no\nPermitRootLogin no\n",
    )
    .unwrap();
    std::fs::copy(
        repo.join("examples/gateway-inputs/scan.json"),
        gw.join("scan.json"),
    )
    .unwrap();
    workbook(
        &gw.join("their-sheet.xlsx"),
        &[
            &["Requirement", "Check", "Reason", "Evidence"],
            &["CR 1.2", "✓", "Each service authenticates with its own key"],
            &["CR 2.1", "✓", "Roles enforced by the web server"],
        ],
    );

    // A device root: real Debian 12 package records as a distroless image ships them.
    common::copy_tree(
        &repo.join("crates/tekigo-pkgdb/tests/fixtures/distroless"),
        &dir.join("rootfs"),
    );

    // A kernel tree (the Kbuild files of Linux 6.1.192 that tekigo-kconfig's tests use).
    common::copy_tree(
        &repo.join("crates/tekigo-kconfig/tests/fixtures/linux-6.1.192"),
        &dir.join("linux-6.1"),
    );

    // Advisory feeds as fetched: an osv.dev zip, NVD API pages, CSAF files, the KEV list.
    let advisories = repo.join("crates/tekigo-vulndb/tests/fixtures");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(dir.join("osv-debian.zip")).unwrap());
    zip.start_file("DSA-5514-1.json", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::copy(
        &mut std::fs::File::open(advisories.join("osv/DSA-5514-1.json")).unwrap(),
        &mut zip,
    )
    .unwrap();
    zip.finish().unwrap();
    common::copy_tree(&advisories.join("nvd"), &dir.join("nvd"));
    common::copy_tree(&advisories.join("csaf"), &dir.join("csaf"));
    std::fs::copy(
        advisories.join("kev/known_exploited_vulnerabilities.json"),
        dir.join("kev.json"),
    )
    .unwrap();
}

#[test]
fn the_readme_commands_run_as_written() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let blocks = blocks(&readme).unwrap_or_else(|e| panic!("{e}"));
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("work");
    std::fs::create_dir(&dir).unwrap();
    fixtures(&dir);
    let home = root.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let log = root.path().join("status.log");
    let bin = Path::new(env!("CARGO_BIN_EXE_tekigo")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();

    let mut failures = Vec::new();
    let mut ran = 0;
    for block in &blocks {
        if let Some(reason) = &block.skip {
            assert!(
                !reason.is_empty(),
                "README.md:{}: skipped without a reason",
                block.line
            );
            eprintln!(
                "skipped README.md:{} ({}): {reason}",
                block.line, block.section
            );
            continue;
        }
        std::fs::write(&log, "").unwrap();
        let out = Command::new("sh")
            .arg("-c")
            .arg(script(block))
            .current_dir(&dir)
            .env_clear()
            .env("PATH", &path)
            .env("HOME", &home)
            .env("USER", "reader")
            .env("README_TEST_LOG", &log)
            .output()
            .expect("run sh");
        ran += 1;
        let mut logged: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for entry in std::fs::read_to_string(&log).unwrap().lines() {
            let (line, what) = entry.split_once(' ').unwrap();
            logged
                .entry(line.parse().unwrap())
                .or_default()
                .push(what.to_string());
        }
        let output = format!(
            "--- stdout\n{}--- stderr\n{}",
            common::stdout(&out),
            common::stderr(&out)
        );
        for (line, command) in &block.commands {
            let allowed: &[&str] = if command.contains("exit 1") {
                &["0", "1"]
            } else {
                &["0"]
            };
            let problem = match logged.get(line).map(Vec::as_slice) {
                None | Some([]) => "did not run".to_string(),
                Some([status, ..]) if !allowed.contains(&status.as_str()) => {
                    format!("exit {status}")
                }
                Some([_, missing @ ..]) if !missing.is_empty() => missing.join(", "),
                Some(_) => continue,
            };
            failures.push(format!("README.md:{line}: {problem}: {command}\n{output}"));
        }
    }
    assert!(ran > 0, "no README block ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn blocks_are_found_with_their_lines_marks_and_continuations() {
    let readme = "## A\n\n```sh\ntekigo a -o x.json   # exit 1 when\n\n# note\ntekigo b \\\n  --c\n```\n\n<!-- readme-test: skip, needs the network -->\n```sh\ncurl x\n```\n```yaml\nk: v\n```\n";
    let found = blocks(readme).unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!((found[0].line, found[0].section.as_str()), (3, "A"));
    assert_eq!(found[0].skip, None);
    assert_eq!(
        found[0].commands,
        [
            (4, "tekigo a -o x.json   # exit 1 when".to_string()),
            (7, "tekigo b   --c".to_string())
        ]
    );
    assert_eq!(outputs(&found[0].commands[0].1), ["x.json"]);
    assert_eq!(found[1].skip.as_deref(), Some("needs the network"));
    let err = blocks("```\ntekigo x\n```\n").err().unwrap();
    assert!(
        err.contains("README.md:1") && err.contains("```sh"),
        "{err}"
    );
}
