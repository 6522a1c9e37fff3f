//! Package inventories read from real databases: this machine's dpkg status (checked
//! against `dpkg-query`, dpkg's own reader), Debian roots built by debootstrap when the
//! cache has them, an rpmdb.sqlite written by rpm itself, and hand-made apk and opkg
//! databases in the documented formats (see tests/fixtures/README.md). Also: damaged
//! records are reported with file and line, and a hostile image cannot lead the reader out.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use tekigo_pkgdb::{DbFormat, Ecosystem, Inventory, Package, ProblemKind};
use tekigo_rootfs::Root;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn read(root: &Path) -> Inventory {
    Inventory::read(&Root::open(root).expect("open root"))
}

fn find<'a>(inventory: &'a Inventory, name: &str) -> &'a Package {
    inventory
        .packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} not in the inventory"))
}

/// (name, version, arch, source name, source version) of every package dpkg itself says
/// has files on disk, from `dpkg-query --admindir=ADMIN`.
fn dpkg_query(admin: &Path) -> BTreeSet<(String, String, String, String, String)> {
    let out = Command::new("dpkg-query")
        .arg(format!("--admindir={}", admin.display()))
        .args([
            "-W",
            "-f",
            "${Package}\t${Version}\t${Architecture}\t${db:Status-Abbrev}\t${source:Package}\t${source:Version}\n",
        ])
        .output()
        .expect("dpkg-query (part of dpkg) runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            // The second letter of the abbreviated status is the package state; `n`
            // (not installed) and `c` (only configuration files left) have no files.
            let state = f[3].chars().nth(1).unwrap_or('n');
            "iHUFWt".contains(state).then(|| {
                (
                    f[0].to_string(),
                    f[1].to_string(),
                    f[2].to_string(),
                    f[4].to_string(),
                    f[5].to_string(),
                )
            })
        })
        .collect()
}

fn ours(inventory: &Inventory) -> BTreeSet<(String, String, String, String, String)> {
    inventory
        .packages
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.version.clone(),
                p.arch.clone().unwrap_or_default(),
                p.source_name.clone().unwrap_or_default(),
                p.source_version.clone().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn live_dpkg_status_agrees_with_dpkg_query() {
    let root = Root::live().unwrap();
    let inventory = Inventory::read(&root);
    assert!(inventory.problems.is_empty(), "{:?}", inventory.problems);
    assert_eq!(inventory.databases[0].format, DbFormat::DpkgStatus);
    assert_eq!(
        inventory.databases[0].path,
        Path::new("/var/lib/dpkg/status")
    );
    let expected = dpkg_query(Path::new("/var/lib/dpkg"));
    assert!(expected.len() > 50, "a Debian system has more packages");
    assert_eq!(ours(&inventory), expected);
    assert_eq!(inventory.databases[0].packages, expected.len());

    let os = inventory
        .os_release
        .as_ref()
        .expect("Debian has os-release");
    let distro = os.distro().unwrap();
    let dpkg = find(&inventory, "dpkg");
    assert_eq!(
        dpkg.purl,
        format!(
            "pkg:deb/{}/dpkg@{}?arch={}&distro={distro}",
            os.id.as_deref().unwrap(),
            dpkg.version.replace('+', "%2B"),
            dpkg.arch.as_deref().unwrap()
        )
    );
    // dpkg's own copyright file is machine-readable and names GPL-2+ among others.
    assert!(
        dpkg.licenses.iter().any(|l| l == "GPL-2+"),
        "{:?}",
        dpkg.licenses
    );
    assert!(dpkg.supplier.as_deref().unwrap().contains('@'));
}

/// Debian roots built by debootstrap (the scanner's test images and the benchmark's
/// bullseye root) wherever the cache holds them. Hidden directories (builds in progress)
/// and roots still holding `/debootstrap` (not finished) are left out.
fn debootstrap_roots() -> Vec<PathBuf> {
    let cache = std::env::var_os("TEKIGO_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/tekigo")));
    let mut found = Vec::new();
    let mut dirs: Vec<(PathBuf, usize)> = cache.into_iter().map(|c| (c, 0)).collect();
    while let Some((dir, depth)) = dirs.pop() {
        let hidden = dir
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden || dir.join("debootstrap").exists() {
            continue;
        }
        if dir.join("var/lib/dpkg/status").is_file() && dir.join("etc/debian_version").is_file() {
            found.push(dir);
            continue;
        }
        if depth < 4 {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    dirs.push((entry.path(), depth + 1));
                }
            }
        }
    }
    found
}

#[test]
fn debootstrapped_roots_agree_with_dpkg_query() {
    let roots = debootstrap_roots();
    if roots.is_empty() {
        eprintln!("no debootstrapped root in the cache; only the live system was compared");
        return;
    }
    for root in roots {
        eprintln!("comparing {}", root.display());
        let inventory = read(&root);
        assert!(
            inventory.problems.is_empty(),
            "{root:?}: {:?}",
            inventory.problems
        );
        let expected = dpkg_query(&root.join("var/lib/dpkg"));
        assert_eq!(ours(&inventory), expected, "{root:?}");
        let base = find(&inventory, "base-files");
        let os = inventory.os_release.as_ref().unwrap();
        assert!(base
            .purl
            .ends_with(&format!("distro={}", os.distro().unwrap())));
    }
}

#[test]
fn damaged_dpkg_status_reports_each_problem_by_line_and_keeps_the_rest() {
    let inventory = read(&fixture("dpkg-damaged"));
    let names: Vec<&str> = inventory.packages.iter().map(|p| p.name.as_str()).collect();
    // exim4-config is removed (config-files): not installed, and not a problem.
    assert_eq!(names, ["bash", "bsdutils", "cpp"]);
    let problems: Vec<(Option<u64>, ProblemKind)> = inventory
        .problems
        .iter()
        .map(|p| (p.line, p.kind))
        .collect();
    assert_eq!(
        problems,
        [
            (Some(35), ProblemKind::Malformed),
            (Some(55), ProblemKind::Malformed),
            (Some(59), ProblemKind::Malformed),
            (Some(75), ProblemKind::Malformed),
        ]
    );
    let text: Vec<String> = inventory.problems.iter().map(|p| p.to_string()).collect();
    assert!(text[0].starts_with("/var/lib/dpkg/status:35: expected `Field: value`"));
    assert!(text[1].contains("`half-written` has no `Version`"));
    assert!(text[2].contains("`odd-status` has status `install ok`"));
    assert!(text[3].contains("`Version` repeated"));
    // The first Version wins over the repeated one, and the source version comes from
    // `Source: NAME (VERSION)` when it differs from the binary's.
    let bash = find(&inventory, "bash");
    assert_eq!(bash.version, "5.2.15-2+b8");
    assert_eq!(bash.source_version.as_deref(), Some("5.2.15-2"));
    let cpp = find(&inventory, "cpp");
    assert_eq!(cpp.version, "4:12.2.0-3");
    assert_eq!(cpp.source_name.as_deref(), Some("gcc-defaults"));
    assert_eq!(cpp.source_version.as_deref(), Some("1.203"));
    assert_eq!(cpp.record, 32);
}

#[test]
fn distroless_status_d_reads_each_file_and_skips_md5sums() {
    let inventory = read(&fixture("distroless"));
    assert!(inventory.problems.is_empty(), "{:?}", inventory.problems);
    assert_eq!(inventory.databases.len(), 1);
    let db = &inventory.databases[0];
    assert_eq!(db.format, DbFormat::DpkgStatusD);
    assert_eq!(db.packages, 3);
    assert_eq!(db.sha256.len(), 64);
    let libc = find(&inventory, "libc6");
    assert_eq!(libc.source_name.as_deref(), Some("glibc"));
    assert_eq!(libc.database, Path::new("/var/lib/dpkg/status.d/libc6"));
    // libc6's copyright is free text: no licence guessed. tzdata's is DEP-5.
    assert!(libc.licenses.is_empty());
    assert_eq!(find(&inventory, "tzdata").licenses, ["public-domain"]);
    assert!(find(&inventory, "tzdata")
        .purl
        .contains("?arch=all&distro=debian-12"));
}

#[test]
fn rpm_sqlite_written_by_rpm_is_read_without_rpm() {
    let inventory = read(&fixture("rocky"));
    assert!(inventory.problems.is_empty(), "{:?}", inventory.problems);
    let db = &inventory.databases[0];
    assert_eq!(db.format, DbFormat::RpmSqlite);
    assert_eq!(db.path, Path::new("/var/lib/rpm/rpmdb.sqlite"));
    let got: Vec<_> = inventory
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.arch.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("openssl", "1:3.0.7-27.el9", Some("x86_64")),
            ("openssl-libs", "1:3.0.7-27.el9", Some("x86_64")),
            ("tzdata", "2024a-1.el9", Some("noarch")),
        ]
    );
    let libs = find(&inventory, "openssl-libs");
    assert_eq!(libs.ecosystem, Ecosystem::Rpm);
    assert_eq!(libs.source_name.as_deref(), Some("openssl"));
    assert_eq!(libs.source_version.as_deref(), Some("1:3.0.7-27.el9"));
    assert_eq!(libs.licenses, ["Apache-2.0"]);
    assert_eq!(
        libs.supplier.as_deref(),
        Some("Rocky Enterprise Software Foundation")
    );
    assert_eq!(
        libs.purl,
        "pkg:rpm/rocky/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rocky-9.3&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm"
    );
    assert_eq!(
        find(&inventory, "tzdata").licenses,
        ["LicenseRef-Fedora-Public-Domain AND (GPL-2.0-only WITH GCC-exception-2.0)"]
    );
}

/// The rpm fixture agrees with rpm's own query of the same file, when rpm is installed.
#[test]
fn rpm_sqlite_agrees_with_rpm_query() {
    if Command::new("rpm").arg("--version").output().is_err() {
        eprintln!("rpm is not installed; compared with the values of the spec files only");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("rocky/var/lib/rpm/rpmdb.sqlite"),
        dir.path().join("rpmdb.sqlite"),
    )
    .unwrap();
    let out = Command::new("rpm")
        .arg("--dbpath")
        .arg(dir.path())
        .args([
            "-qa",
            "--qf",
            "%{NAME}|%{EVR}|%{ARCH}|%{LICENSE}|%{VENDOR}\n",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: BTreeSet<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let inventory = read(&fixture("rocky"));
    let ours: BTreeSet<String> = inventory
        .packages
        .iter()
        .map(|p| {
            format!(
                "{}|{}|{}|{}|{}",
                p.name,
                p.version,
                p.arch.as_deref().unwrap_or(""),
                p.licenses.join(""),
                p.supplier.as_deref().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(ours, theirs);
}

/// A copy of the rpm fixture root in a temporary directory, to damage.
fn rocky_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let rpm = dir.path().join("var/lib/rpm");
    std::fs::create_dir_all(&rpm).unwrap();
    std::fs::copy(
        fixture("rocky/var/lib/rpm/rpmdb.sqlite"),
        rpm.join("rpmdb.sqlite"),
    )
    .unwrap();
    dir
}

#[test]
fn damaged_rpm_header_is_reported_and_the_others_read() {
    let dir = rocky_copy();
    let db = dir.path().join("var/lib/rpm/rpmdb.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE Packages SET blob = substr(blob, 1, 200) WHERE hnum = 2",
        [],
    )
    .unwrap();
    drop(conn);
    let inventory = read(dir.path());
    let names: Vec<&str> = inventory.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(inventory.problems.len(), 1, "{:?}", inventory.problems);
    let problem = &inventory.problems[0];
    assert_eq!(problem.line, Some(2));
    assert_eq!(problem.kind, ProblemKind::Malformed);
    assert!(
        problem
            .to_string()
            .starts_with("/var/lib/rpm/rpmdb.sqlite:2: rpm header 2: declares"),
        "{problem}"
    );
}

#[test]
fn rpm_write_ahead_log_and_other_formats_are_reported() {
    let dir = rocky_copy();
    let rpm = dir.path().join("var/lib/rpm");
    std::fs::write(rpm.join("rpmdb.sqlite-wal"), [0u8; 32]).unwrap();
    let inventory = read(dir.path());
    assert_eq!(inventory.packages.len(), 3);
    assert_eq!(inventory.problems[0].kind, ProblemKind::Incomplete);
    assert_eq!(
        inventory.problems[0].path,
        Path::new("/var/lib/rpm/rpmdb.sqlite-wal")
    );

    // Garbage instead of SQLite; a `Packages` view instead of a table.
    std::fs::write(rpm.join("rpmdb.sqlite-wal"), []).unwrap();
    std::fs::write(
        rpm.join("rpmdb.sqlite"),
        b"not a database at all".repeat(10),
    )
    .unwrap();
    let inventory = read(dir.path());
    assert!(inventory.packages.is_empty());
    assert!(inventory.problems[0]
        .message
        .contains("not a SQLite database"));

    std::fs::remove_file(rpm.join("rpmdb.sqlite")).unwrap();
    let conn = rusqlite::Connection::open(rpm.join("rpmdb.sqlite")).unwrap();
    conn.execute_batch("CREATE VIEW Packages AS SELECT 1 AS hnum, x'00' AS blob;")
        .unwrap();
    drop(conn);
    let inventory = read(dir.path());
    assert!(inventory.problems[0]
        .message
        .contains("no `Packages` table"));

    // RHEL 8's Berkeley DB: not read, and said so.
    std::fs::remove_file(rpm.join("rpmdb.sqlite")).unwrap();
    std::fs::write(rpm.join("Packages"), [0u8; 4096]).unwrap();
    let inventory = read(dir.path());
    assert_eq!(inventory.problems.len(), 1);
    assert_eq!(inventory.problems[0].kind, ProblemKind::Unsupported);
    assert!(inventory.problems[0].message.contains("Berkeley DB"));
}

#[test]
fn apk_installed_with_origins_and_maintainers() {
    let inventory = read(&fixture("alpine"));
    assert!(inventory.problems.is_empty(), "{:?}", inventory.problems);
    assert_eq!(inventory.packages.len(), 5);
    let ssl_client = find(&inventory, "ssl_client");
    assert_eq!(ssl_client.ecosystem, Ecosystem::Apk);
    assert_eq!(ssl_client.source_name.as_deref(), Some("busybox"));
    assert_eq!(
        ssl_client.purl,
        "pkg:apk/alpine/ssl_client@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1&upstream=busybox"
    );
    let musl = find(&inventory, "musl");
    assert_eq!(musl.version, "1.2.4_git20230717-r4");
    // Its own origin: no `upstream`.
    assert!(!musl.purl.contains("upstream"), "{}", musl.purl);
    assert_eq!(musl.licenses, ["MIT"]);
    assert_eq!(
        musl.supplier.as_deref(),
        Some("Timo Teräs <timo.teras@iki.fi>")
    );
    assert_eq!(musl.record, 1);
}

#[test]
fn damaged_apk_records_are_reported_by_line() {
    let inventory = read(&fixture("apk-damaged"));
    let names: Vec<&str> = inventory.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["musl", "scanelf", "zlib"]);
    let lines: Vec<Option<u64>> = inventory.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [Some(9), Some(15), Some(18), Some(21)]);
    assert!(inventory.problems[0].message.contains("second `P:`"));
    assert!(inventory.problems[1]
        .message
        .contains("`no-version` has no `V:`"));
    assert!(inventory.problems[2].message.contains("`#garbage"));
    assert!(inventory.problems[3].message.contains("without `P:`"));
    // No os-release in this image: Alpine is assumed as the namespace, no distro.
    assert_eq!(
        find(&inventory, "zlib").purl,
        "pkg:apk/alpine/zlib@1.3.1-r0?arch=x86_64"
    );
}

#[test]
fn openwrt_opkg_status_completed_from_control_files() {
    let inventory = read(&fixture("openwrt"));
    assert!(inventory.problems.is_empty(), "{:?}", inventory.problems);
    let names: Vec<&str> = inventory.packages.iter().map(|p| p.name.as_str()).collect();
    // odhcpd-ipv6only is `not-installed`.
    assert_eq!(names, ["busybox", "dropbear", "libopenssl3"]);
    let ssl = find(&inventory, "libopenssl3");
    assert_eq!(ssl.ecosystem, Ecosystem::Opkg);
    assert_eq!(ssl.source_name.as_deref(), Some("openssl"));
    assert_eq!(ssl.licenses, ["Apache-2.0"]);
    assert_eq!(ssl.cpe.as_deref(), Some("cpe:/a:openssl:openssl"));
    assert_eq!(ssl.section.as_deref(), Some("libs"));
    assert_eq!(
        ssl.purl,
        "pkg:opkg/openwrt/libopenssl3@3.0.12-1?arch=x86_64&distro=openwrt-23.05.2"
    );
    assert_eq!(
        find(&inventory, "busybox").supplier.as_deref(),
        Some("Felix Fietkau <nbd@nbd.name>")
    );
    assert_eq!(
        find(&inventory, "dropbear").source_name.as_deref(),
        Some("dropbear")
    );
}

#[test]
fn yocto_opkg_source_is_the_recipe() {
    let inventory = read(&fixture("yocto"));
    assert!(inventory.problems.is_empty(), "{:?}", inventory.problems);
    assert_eq!(
        inventory.databases[0].path,
        Path::new("/var/lib/opkg/status")
    );
    let sshd = find(&inventory, "openssh-sshd");
    assert_eq!(sshd.source_name.as_deref(), Some("openssh"));
    assert_eq!(sshd.arch.as_deref(), Some("core2-64"));
    assert_eq!(sshd.licenses, ["BSD-2-Clause & BSD-3-Clause & ISC & MIT"]);
    assert!(sshd
        .purl
        .starts_with("pkg:opkg/poky/openssh-sshd@8.9p1-r0?"));
}

#[test]
fn a_system_without_package_manager_has_no_database_and_no_problem() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("bin")).unwrap();
    let inventory = read(dir.path());
    assert!(inventory.databases.is_empty());
    assert!(inventory.packages.is_empty());
    assert!(inventory.problems.is_empty());
    assert!(inventory.os_release.is_none());
}

#[test]
fn hostile_links_stay_inside_the_image() {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path();
    // Links at the host's files, absolute and by climbing: inside the image they lead to
    // files the image does not have, so nothing of the host's may appear.
    std::fs::create_dir_all(image.join("lib/apk/db")).unwrap();
    std::os::unix::fs::symlink("/var/lib/dpkg/status", image.join("lib/apk/db/installed")).unwrap();
    std::fs::create_dir_all(image.join("etc")).unwrap();
    std::os::unix::fs::symlink(
        "../../../../../../../../usr/lib/os-release",
        image.join("etc/os-release"),
    )
    .unwrap();
    let inventory = read(image);
    assert!(inventory.databases.is_empty(), "{:?}", inventory.databases);
    assert!(inventory.os_release.is_none());
    assert!(inventory.problems.is_empty(), "{:?}", inventory.problems);

    // A link to "the host's" dpkg directory is, inside the image, a link to itself: a
    // loop, reported as unreadable instead of read from the host (apk's link leads there).
    std::fs::create_dir_all(image.join("var/lib")).unwrap();
    std::os::unix::fs::symlink("/var/lib/dpkg", image.join("var/lib/dpkg")).unwrap();
    let inventory = read(image);
    assert!(inventory.packages.is_empty());
    let paths: Vec<&Path> = inventory
        .problems
        .iter()
        .map(|p| p.path.as_path())
        .collect();
    assert_eq!(
        paths,
        [
            Path::new("/var/lib/dpkg/status"),
            Path::new("/var/lib/dpkg/status.d"),
            Path::new("/lib/apk/db/installed"),
        ]
    );
    assert!(inventory.problems[0].message.contains("symbolic links"));

    // A FIFO where apk's database belongs is never opened (opening it would block).
    std::fs::remove_file(image.join("var/lib/dpkg")).unwrap();
    std::fs::remove_file(image.join("lib/apk/db/installed")).unwrap();
    let status = Command::new("mkfifo")
        .arg(image.join("lib/apk/db/installed"))
        .status()
        .unwrap();
    assert!(status.success());
    let inventory = read(image);
    assert_eq!(inventory.problems.len(), 1);
    assert_eq!(inventory.problems[0].kind, ProblemKind::Unreadable);
    assert!(
        inventory.problems[0].message.contains("FIFO"),
        "{}",
        inventory.problems[0]
    );
}

#[test]
fn inventory_round_trips_through_json() {
    let inventory = read(&fixture("openwrt"));
    let json = serde_json::to_value(&inventory).unwrap();
    assert_eq!(json["databases"][0]["format"], "opkg-status");
    assert_eq!(json["packages"][0]["ecosystem"], "opkg");
    let back: Inventory = serde_json::from_value(json).unwrap();
    assert_eq!(back, inventory);
}

#[test]
fn fedora_layout_with_var_lib_rpm_linking_to_sysimage_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let sysimage = dir.path().join("usr/lib/sysimage/rpm");
    std::fs::create_dir_all(&sysimage).unwrap();
    std::fs::copy(
        fixture("rocky/var/lib/rpm/rpmdb.sqlite"),
        sysimage.join("rpmdb.sqlite"),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("var/lib")).unwrap();
    std::os::unix::fs::symlink("../../usr/lib/sysimage/rpm", dir.path().join("var/lib/rpm"))
        .unwrap();
    let inventory = read(dir.path());
    assert!(inventory.problems.is_empty(), "{:?}", inventory.problems);
    assert_eq!(inventory.databases.len(), 1);
    assert_eq!(
        inventory.databases[0].path,
        Path::new("/usr/lib/sysimage/rpm/rpmdb.sqlite")
    );
    assert_eq!(inventory.packages.len(), 3);
}
