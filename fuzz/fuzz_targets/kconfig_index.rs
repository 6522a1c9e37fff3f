//! A Kbuild index (`tekigo kconfig index`) is a file a user hands over: reading it never
//! panics, and whatever it refuses is refused with its name.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Raw bytes, and the same bytes as the JSON inside a well-formed gzip stream (so the
    // fuzzer reaches the JSON checks without having to find a valid deflate stream).
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, data).expect("in memory");
    let wrapped = gz.finish().expect("in memory");
    for bytes in [data, &wrapped[..]] {
        if let Err(e) = tekigo_kconfig::parse_index("fuzz.kbuild", bytes) {
            assert_eq!(e.file, "fuzz.kbuild");
        }
    }
});
