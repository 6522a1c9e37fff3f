//! The summary lines of the commands that change things (`init`, `assess new`/`set`/
//! `import-scan`, `keygen`/`verify`, `vulndb import`, `vex set`/`import`, `server import`/
//! `export`, `audit verify`, `serve --demo`) in Japanese: each command runs once in
//! English and once in Japanese, and the English run must show an English sentence (so
//! the detector detects) while the Japanese run shows none.

mod common;

use common::{command, stderr, stdout};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Output, Stdio};

/// Names that are not English a person reads: the command's own name and the demo's
/// project ids.
const NAMES: [&str; 3] = ["tekigo", "serve", "gateway"];

/// The first English word in `text`, if any, with its line: what a Japanese user must
/// never read. A word is a token of two or more lowercase ASCII letters; paths, file
/// names, ids, hashes, flags and VEX states (`not_affected`) are tokens with other
/// characters in them and so never words.
fn english_sentence(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        line.split(|c: char| c.is_whitespace() || !c.is_ascii())
            .map(|t| t.trim_matches(['(', ')', ',', '.', ':', ';']))
            .find(|w| {
                w.len() >= 2 && w.chars().all(|c| c.is_ascii_lowercase()) && !NAMES.contains(w)
            })
            .map(|w| format!("{w:?} in {line:?}"))
    })
}

/// `tekigo ARGS` in `dir` in `lang` (by `--lang` or, for the server's commands, which may
/// run under a service manager, by TEKIGO_LANG); fails the test unless it exits 0 or 1.
fn run(dir: &Path, lang: &str, args: &[&str]) -> Output {
    let mut cmd = command(dir);
    if args[0] == "server" || args[0] == "audit" {
        cmd.env("TEKIGO_LANG", lang);
    } else {
        cmd.args(["--lang", lang]);
    }
    let out = cmd.args(args).output().expect("run tekigo");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        stderr(&out)
    );
    out
}

/// Runs `args` in English in `en` and in Japanese in `ja` (two copies of the same state):
/// the English output has a sentence, the Japanese one has none and contains `word`.
fn both(en: &Path, ja: &Path, args: &[&str], word: &str) {
    let english = run(en, "en", args);
    let english = format!("{}{}", stdout(&english), stderr(&english));
    assert!(
        english_sentence(&english).is_some(),
        "{args:?}: the detector finds no English in the English run:\n{english}"
    );
    let japanese = run(ja, "ja", args);
    let japanese = format!("{}{}", stdout(&japanese), stderr(&japanese));
    if let Some(s) = english_sentence(&japanese) {
        panic!("{args:?} in Japanese prints English: {s}\n{japanese}");
    }
    assert!(japanese.contains(word), "{args:?}: {word}\n{japanese}");
}

#[test]
fn the_detector_tells_english_sentences_from_paths_and_ids() {
    assert!(english_sentence("created p: tekigo.yaml, assessments/").is_some());
    assert!(english_sentence("OK    A.xlsx and 1 evidence file(s)").is_some());
    assert!(english_sentence("A: CR 1.1 を「充足」にしました").is_none());
    assert!(
        english_sentence("/tmp/.tmpAb/p/vex/triage.yaml GHSA-cx63-2mw6-8hw5 not_affected")
            .is_none()
    );
}

#[test]
fn commands_that_change_things_report_in_japanese() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let (en_root, ja_root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (en, ja) = (en_root.path(), ja_root.path());
    for dir in [en, ja] {
        // A device root for the scan: one sshd setting that a check decides on.
        std::fs::create_dir_all(dir.join("root/etc/ssh")).unwrap();
        std::fs::write(
            dir.join("root/etc/ssh/sshd_config"),
            "PermitRootLogin yes\n",
        )
        .unwrap();
    }
    let (en_p, ja_p) = (en.join("p"), ja.join("p"));
    both(
        en,
        ja,
        &["init", "p", "--product", "GW", "--component", "gw:embedded"],
        "を作成しました",
    );
    both(
        &en_p,
        &ja_p,
        &[
            "assess",
            "new",
            "--standard",
            "62443-4-2",
            "--component",
            "gw",
            "--sl-t",
            "2",
            "--id",
            "A",
        ],
        "評価 A を作成しました",
    );
    both(
        &en_p,
        &ja_p,
        &[
            "assess",
            "set",
            "A",
            "CR 2.11",
            "--status",
            "partial",
            "--reason",
            "手作業で確認",
        ],
        "「部分的に充足」にしました",
    );
    for dir in [en, ja] {
        let out = command(dir)
            .args([
                "scan",
                "--root",
                "root",
                "--format",
                "json",
                "-o",
                "p/scan.json",
            ])
            .output()
            .unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    }
    both(
        &en_p,
        &ja_p,
        &["assess", "import-scan", "A", "scan.json"],
        "置き換えるには --force",
    );

    // Signed reports.
    both(&en_p, &ja_p, &["keygen", "signer.key"], "秘密鍵");
    for dir in [&en_p, &ja_p] {
        let args = [
            "report",
            "A",
            "--format",
            "xlsx",
            "-o",
            "A.xlsx",
            "--sign-key",
            "signer.key",
        ];
        run(dir, "en", &args);
    }
    both(
        &en_p,
        &ja_p,
        &["verify", "A.xlsx"],
        "鍵は固定されていません",
    );
    both(
        &en_p,
        &ja_p,
        &["verify", "A.xlsx", "--public-key", "signer.key.pub"],
        "指定された鍵",
    );

    // Advisories and triage.
    let osv = fixtures.join("pypi-osv");
    both(
        &en_p,
        &ja_p,
        &["vulndb", "import", "--db", "vuln.db", osv.to_str().unwrap()],
        "要確認",
    );
    let set = [
        "vex",
        "set",
        "pkg:pypi/setuptools@65.5.0",
        "GHSA-cx63-2mw6-8hw5",
        "--status",
        "not_affected",
        "--justification",
        "vulnerable_code_not_in_execute_path",
        "--author",
        "alice",
    ];
    both(&en_p, &ja_p, &set, "に保存しました");
    let mut again = set.to_vec();
    again[5] = "under_investigation";
    again.truncate(6);
    again.extend(["--author", "alice"]);
    both(&en_p, &ja_p, &again, "以前は not_affected");
    for dir in [&en_p, &ja_p] {
        run(
            dir,
            "en",
            &[
                "vex", "export", "--format", "openvex", "--author", "alice", "-o", "vex.json",
            ],
        );
    }
    both(&en_p, &ja_p, &["vex", "import", "vex.json"], "件置き換え");

    // The server's data directory: import, export, audit.
    both(
        en,
        ja,
        &["server", "import", "--data", "srv", "--id", "gw-100", "p"],
        "取り込みました",
    );
    both(
        en,
        ja,
        &["server", "export", "--data", "srv", "gw-100", "exported-p"],
        "書き出しました",
    );
    both(en, ja, &["audit", "verify", "--data", "srv"], "監査証跡");

    // Plain HTTP on an address other machines reach: the warning that logging in will not
    // work there, on standard error.
    for (dir, lang, says) in [
        (en, "en", "is not a loopback address"),
        (ja, "ja", "ループバックアドレスではありません"),
    ] {
        let mut child = command(dir)
            .env("TEKIGO_LANG", lang)
            .args(["serve", "--data", "open", "--bind", "0.0.0.0:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let err = child.stderr.take().unwrap();
        let (send, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let warning = lines
            .recv_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_default();
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(warning.contains(says), "{lang}: {warning:?}");
        if lang == "ja" {
            assert_eq!(english_sentence(&warning), None, "{warning}");
        }
    }

    // `serve --demo`: the lines up to the setup token, but the address line that scripts
    // read (`listening on`) and the token's.
    for (dir, lang) in [(en, "en"), (ja, "ja")] {
        let mut child = command(dir)
            .env("TEKIGO_LANG", lang)
            .args(["serve", "--demo", "--data", "demo", "--bind", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = Vec::new();
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
            let line = line.unwrap();
            if line.starts_with("setup token: ") {
                break;
            }
            if !line.contains("listening on") {
                lines.push(line);
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let text = lines.join("\n");
        assert!(lines.len() >= 3, "{text}");
        match lang {
            "en" => assert!(english_sentence(&text).is_some(), "{text}"),
            _ => {
                assert_eq!(english_sentence(&text), None, "{text}");
                assert!(
                    text.contains("デモのプロジェクト water-treatment")
                        && text.contains("初回の起動です"),
                    "{text}"
                );
            }
        }
    }
}
