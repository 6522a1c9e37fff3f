//! The files real kernel CVE records name, decided against real configurations and the real
//! Kbuild files of Linux 6.1.192 (Debian's `linux-source-6.1` 6.1.192-3) and 5.10.262
//! (Debian's `linux-source-5.10` 5.10.262-1), top-level Makefiles included. Every row was
//! checked by hand against the Makefile and `.config` lines it cites; `fixtures/README.md`
//! says where each file comes from.

use std::path::{Path, PathBuf};
use tekigo_kconfig::{Config, Decision, Tree};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn config(name: &str) -> Config {
    Config::read(&fixtures().join("config").join(name)).expect("fixture config")
}

/// A fixture tree, and the number of its directories with a Kbuild file.
type Fixture = (&'static str, usize);
const LINUX_6_1: Fixture = ("linux-6.1.192", 14);
const LINUX_5_10: Fixture = ("linux-5.10.262", 9);

/// What a row expects: built, not built with these `file:line` citations, or unknown with
/// a reason containing this text.
enum Want {
    Built(&'static [&'static str]),
    NotBuilt(&'static [&'static str]),
    Unknown(&'static str),
}

fn cites(evidence: &[tekigo_kconfig::Line]) -> Vec<String> {
    evidence
        .iter()
        .map(|l| {
            let file = Path::new(&l.file)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .filter(|f| f.ends_with(".config") || f.ends_with("defconfig"))
                .unwrap_or_else(|| l.file.clone());
            format!("{file}:{}", l.number)
        })
        .collect()
}

/// The fixture tree read from its compact index (`tekigo kconfig index`).
fn indexed((name, dirs): Fixture) -> Tree {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("tekigo-kbuild-index-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let index = dir.join(format!("{name}.kbuild"));
    let files = tekigo_kconfig::build_index(&fixtures().join(name), &index).unwrap();
    assert_eq!(files, dirs, "the fixture tree's Kbuild files");
    let t = Tree::open(&index).expect("index");
    std::fs::remove_dir_all(&dir).unwrap();
    t
}

/// Every row holds for the tree, and its index decides each file exactly as the tree does
/// (same decision, evidence and reason).
fn check(cfg: &Config, rows: &[(&str, Want)]) {
    check_in(LINUX_6_1, cfg, rows)
}

fn check_in(fixture: Fixture, cfg: &Config, rows: &[(&str, Want)]) {
    let mut t = Tree::open(&fixtures().join(fixture.0)).expect("fixture tree");
    let mut from_index = indexed(fixture);
    let mut failures = Vec::new();
    for (file, want) in rows {
        let got = t.decide(cfg, file).expect("readable tree");
        let same = from_index.decide(cfg, file).expect("readable index");
        if same != got {
            failures.push(format!(
                "{file}: the index gives {same:?}, the tree {got:?}"
            ));
        }
        let ok = match (want, &got) {
            (Want::Built(c), Decision::Built { evidence }) => cites(evidence) == *c,
            (Want::NotBuilt(c), Decision::NotBuilt { evidence }) => cites(evidence) == *c,
            (Want::Unknown(r), Decision::Unknown { reason }) => reason.contains(r),
            _ => false,
        };
        if !ok {
            let shown = match &got {
                Decision::Built { evidence } => format!("Built {:?}", cites(evidence)),
                Decision::NotBuilt { evidence } => format!("NotBuilt {:?}", cites(evidence)),
                Decision::Unknown { reason } => format!("Unknown {reason:?}"),
            };
            failures.push(format!("{file}: got {shown}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} on {}:\n{}",
        cfg.origin,
        fixture.0,
        failures.join("\n")
    );
}

/// `make ARCH=arm64 defconfig` on 6.1.192: a generated configuration for an arm64 board.
#[test]
fn arm64_board() {
    let cfg = config("arm64-6.1.192.config");
    assert!(cfg.generated);
    check(
        &cfg,
        &[
            // CVE-2024-26581: part of the composite nf_tables.o, which CONFIG_NF_TABLES gates;
            // the board has netfilter but not nftables.
            (
                "net/netfilter/nft_set_rbtree.c",
                Want::NotBuilt(&[
                    "net/netfilter/Makefile:85",
                    "net/netfilter/Makefile:99",
                    "arm64-6.1.192.config:1080",
                ]),
            ),
            // CVE-2024-26640: obj-y in net/ipv4, which CONFIG_INET brings in under net/.
            (
                "net/ipv4/tcp.c",
                Want::Built(&[
                    "Kbuild:97",
                    "arm64-6.1.192.config:970",
                    "net/Makefile:17",
                    "arm64-6.1.192.config:987",
                    "net/ipv4/Makefile:6",
                ]),
            ),
            // CVE-2024-26704: part of ext4.o (ext4-y), built in.
            (
                "fs/ext4/move_extent.c",
                Want::Built(&[
                    "Kbuild:86",
                    "fs/Makefile:70",
                    "arm64-6.1.192.config:9063",
                    "fs/ext4/Makefile:8",
                ]),
            ),
            // CVE-2025-40313: the directory fs/ntfs3/ is gated in fs/Makefile.
            (
                "fs/ntfs3/inode.c",
                Want::NotBuilt(&["fs/Makefile:99", "arm64-6.1.192.config:9139"]),
            ),
            // CVE-2024-26598: a file in a subdirectory without its own Makefile, named as
            // vgic/vgic-its.o in kvm-y; arch/arm64/ through arch/$(SRCARCH)/.
            (
                "arch/arm64/kvm/vgic/vgic-its.c",
                Want::Built(&[
                    "Kbuild:81",
                    "arch/arm64/Kbuild:7",
                    "arm64-6.1.192.config:672",
                    "arch/arm64/kvm/Makefile:13",
                ]),
            ),
            // CVE-2024-26602: membarrier.c is #included by build_utility.c; no Kbuild line
            // names it, so nothing is concluded.
            (
                "kernel/sched/membarrier.c",
                Want::Unknown("does not name membarrier.o"),
            ),
            (
                "include/net/sock.h",
                Want::Unknown("not a C or assembly source"),
            ),
            ("../../etc/passwd.c", Want::Unknown("not a path inside")),
            (
                "drivers/net/phy/phy.c",
                Want::Unknown("does not name drivers/"),
            ),
            // CVE-2024-36891: lib/ is named by no Kbuild file, but by the top-level
            // Makefile's libs-y (kept there by arch/arm64/Makefile's `$(libs-y)`), which
            // the top Kbuild adds as obj-y += $(ARCH_LIB); maple_tree.o is in lib-y.
            (
                "lib/maple_tree.c",
                Want::Built(&["arch/arm64/Makefile:146", "Makefile:765", "lib/Makefile:30"]),
            ),
            // In lib/ (reached), but its own line is gated off by the configuration.
            (
                "lib/test_maple_tree.c",
                Want::NotBuilt(&["lib/Makefile:94", "arm64-6.1.192.config:10071"]),
            ),
            // arch/arm64/lib/ comes from arch/arm64/Makefile's libs-y (relative to the top),
            // not from arch/arm64/Kbuild, which does not name lib/.
            (
                "arch/arm64/lib/crc32.S",
                Want::Built(&[
                    "arch/arm64/Makefile:146",
                    "arch/arm64/lib/Makefile:22",
                    "arm64-6.1.192.config:9710",
                ]),
            ),
            // CVE-2023-53726: csum.o is in arch/arm64/lib/Makefile's lib-y.
            (
                "arch/arm64/lib/csum.c",
                Want::Built(&["arch/arm64/Makefile:146", "arch/arm64/lib/Makefile:6"]),
            ),
        ],
    );
}

/// Linux 5.10 (the CIP SLTS kernels' branch) has no directory list in its top-level
/// `Kbuild`: the top `Makefile` and `arch/arm64/Makefile` name every top directory in
/// core-y, drivers-y and libs-y, which it descends into itself (`vmlinux-dirs`). The
/// configuration is the arm64 6.1 one, as in docs/PERFORMANCE.md's scans of a 5.10 kernel.
#[test]
fn linux_5_10_top_level_lists() {
    let cfg = config("arm64-6.1.192.config");
    check_in(
        LINUX_5_10,
        &cfg,
        &[
            // CVE-2026-43418: core-y += kernel/ ... (after the arch Makefile is included).
            (
                "kernel/fork.c",
                Want::Built(&["Makefile:1154", "kernel/Makefile:6"]),
            ),
            // memory.o is in mmu-$(CONFIG_MMU), which obj-y takes whole: the obj-y line,
            // the line that names it, and its symbol, are the evidence.
            (
                "mm/memory.c",
                Want::Built(&[
                    "Makefile:1154",
                    "mm/Makefile:48",
                    "mm/Makefile:38",
                    "arm64-6.1.192.config:270",
                ]),
            ),
            // CVE-2023-52701: net/ is in drivers-y in 5.10.
            (
                "net/socket.c",
                Want::Built(&["Makefile:675", "net/Makefile:9", "arm64-6.1.192.config:970"]),
            ),
            // CVE-2022-49152: libs-y := lib/.
            (
                "lib/xarray.c",
                Want::Built(&["arch/arm64/Makefile:148", "Makefile:676", "lib/Makefile:33"]),
            ),
            (
                "arch/arm64/lib/crc32.S",
                Want::Built(&[
                    "arch/arm64/Makefile:148",
                    "arch/arm64/lib/Makefile:16",
                    "arm64-6.1.192.config:9710",
                ]),
            ),
            // samples/ only through drivers-$(CONFIG_SAMPLES), off; vfio-mdev/ is obj-y
            // in samples/Makefile, so the top-level line alone decides.
            (
                "samples/vfio-mdev/mtty.c",
                Want::NotBuilt(&["Makefile:674", "arm64-6.1.192.config:10017"]),
            ),
            // A directory that no list and no Kbuild file names stays unknown.
            (
                "tools/lib/bpf/btf.c",
                Want::Unknown("Kbuild does not name tools/lib/bpf/btf.o"),
            ),
        ],
    );
}

/// Debian's configuration of its 6.1.192 amd64 kernel (`linux-config-6.1`).
#[test]
fn debian_amd64() {
    let cfg = config("debian-amd64-6.1.192.config");
    check(
        &cfg,
        &[
            (
                "net/netfilter/nft_set_rbtree.c",
                Want::Built(&[
                    "Kbuild:97",
                    "debian-amd64-6.1.192.config:1146",
                    "net/Makefile:16",
                    "debian-amd64-6.1.192.config:1278",
                    "net/netfilter/Makefile:85",
                ]),
            ),
            // Another architecture's file.
            (
                "arch/arm64/kvm/vgic/vgic-its.c",
                Want::NotBuilt(&[
                    "debian-amd64-6.1.192.config:301",
                    "arch/arm64/kvm/vgic/vgic-its.c:0",
                ]),
            ),
            (
                "fs/ntfs3/inode.c",
                Want::NotBuilt(&["fs/Makefile:99", "debian-amd64-6.1.192.config:9437"]),
            ),
        ],
    );
}

/// A defconfig lists only what differs from the defaults: a symbol it does not list may
/// well be on, so nothing is concluded from its absence.
#[test]
fn a_defconfig_concludes_nothing_from_absence() {
    let cfg = config("arm64_defconfig");
    assert!(!cfg.generated);
    check(
        &cfg,
        &[
            (
                "net/netfilter/nft_set_rbtree.c",
                Want::Unknown("CONFIG_NF_TABLES is not in"),
            ),
            (
                "fs/ntfs3/inode.c",
                Want::Unknown("CONFIG_NTFS3_FS is not in"),
            ),
        ],
    );
}

#[test]
fn bad_input_is_an_error_naming_the_file() {
    let e = Tree::open(&fixtures().join("config/arm64_defconfig"))
        .err()
        .expect("not a dir");
    assert!(e.to_string().contains("arm64_defconfig"), "{e}");
    let e = Config::read(&fixtures().join("linux-6.1.192/net/Makefile")).unwrap_err();
    assert!(e.to_string().contains("net/Makefile:"), "{e}");
    // /proc/config.gz is gzip.
    let dir = std::env::temp_dir().join(format!("tekigo-kconfig-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let gz = dir.join("config.gz");
    let raw = std::fs::read(fixtures().join("config/arm64-6.1.192.config")).unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, &raw).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let cfg = Config::read(&gz).unwrap();
    assert!(cfg.generated);
    assert!(matches!(
        cfg.setting("NF_TABLES"),
        tekigo_kconfig::Setting::Off(l) if l.number == 1080
    ));
    std::fs::write(&gz, [0x1f, 0x8b, 8, 0, 0, 0]).unwrap();
    let e = Config::read(&gz).unwrap_err();
    assert!(e.message.contains("gzip"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
