//! A kernel `.config` and a Kbuild file come from the device image and the user's tree:
//! parsing and evaluating them never panics, and a file is never both built and not built.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first part is a .config, the rest a Kbuild file (split at a NUL byte).
    let (config, kbuild) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b"obj-y += a.o\n"[..]),
    };
    let cfg = match tekigo_kconfig::Config::parse("fuzz.config", config) {
        Ok(c) => c,
        Err(e) => {
            assert_eq!(e.file, "fuzz.config");
            tekigo_kconfig::Config::parse("empty", b"").expect("empty config")
        }
    };
    let text = String::from_utf8_lossy(kbuild);
    let e = tekigo_kconfig::evaluate(&text, &cfg, &[("SRCARCH", "arm64")]);
    for word in ["a.o", "b/", "c.o"] {
        let _ = e.built_by(word);
        let _ = e.mentions(word);
    }
    let _ = tekigo_versions::KernelVersion::parse(&String::from_utf8_lossy(config));
});
