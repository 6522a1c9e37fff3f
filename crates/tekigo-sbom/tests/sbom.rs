//! Parsing real SBOMs made by real tools (see fixtures/README.md), and broken ones.

use std::path::{Path, PathBuf};

use tekigo_sbom::{Component, ComponentKind, Format, Purl, Sbom, SourcePackage};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn load(name: &str) -> Sbom {
    Sbom::from_path(fixture(name)).unwrap_or_else(|e| panic!("{e}"))
}

fn by_name<'a>(sbom: &'a Sbom, name: &str) -> &'a Component {
    sbom.components
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no component {name}"))
}

/// The pinned part of the generated environment, as (name, version, purl).
const PINNED: [(&str, &str, &str); 4] = [
    ("requests", "2.31.0", "pkg:pypi/requests@2.31.0"),
    ("urllib3", "1.26.5", "pkg:pypi/urllib3@1.26.5"),
    ("idna", "3.6", "pkg:pypi/idna@3.6"),
    ("Jinja2", "3.1.3", "pkg:pypi/jinja2@3.1.3"),
];

#[test]
fn cyclonedx_py_documents_of_every_version_and_serialisation() {
    for version in ["1.4", "1.5", "1.6"] {
        let json = load(&format!("cyclonedx-py-{version}.cdx.json"));
        let xml = load(&format!("cyclonedx-py-{version}.cdx.xml"));
        assert_eq!(json.format, Format::CycloneDxJson);
        assert_eq!(xml.format, Format::CycloneDxXml);
        for sbom in [&json, &xml] {
            assert_eq!(sbom.spec_version, version);
            let subject = sbom.subject.as_ref().expect("pyproject gives a subject");
            assert_eq!(subject.name, "plant-gateway");
            assert_eq!(subject.version.as_deref(), Some("1.2.0"));
            // The venv: the four pinned packages, their three dependencies, pip, setuptools.
            // The generator's own tool components in metadata are not counted.
            assert_eq!(sbom.components.len(), 9, "{version} {}", sbom.format);
            for (name, v, purl) in PINNED {
                let c = by_name(sbom, name);
                assert_eq!(c.version.as_deref(), Some(v));
                assert_eq!(c.purl.as_ref().unwrap().original, purl);
                assert_eq!(c.kind, ComponentKind::Library);
                assert_eq!(c.id.as_deref(), Some(format!("{name}=={v}").as_str()));
            }
            assert!(sbom.warnings.is_empty(), "{:?}", sbom.warnings);
        }
        // JSON and XML of the same environment give the same components.
        assert_eq!(json.components, xml.components, "CycloneDX {version}");
        assert_eq!(json.subject, xml.subject);
    }
}

#[test]
fn sbom4python_spdx_tag_value_and_json_agree() {
    let tv = load("sbom4python.spdx");
    let json = load("sbom4python.spdx.json");
    assert_eq!(tv.format, Format::SpdxTagValue);
    assert_eq!(json.format, Format::SpdxJson);
    for sbom in [&tv, &json] {
        assert_eq!(sbom.spec_version, "SPDX-2.3");
        assert_eq!(sbom.subject.as_ref().unwrap().name, "Python-requests");
        // requests and its four dependencies; the files listed after a package are not
        // packages and their SPDXIDs do not overwrite the package's.
        let names: Vec<&str> = sbom.components.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "requests",
                "certifi",
                "charset-normalizer",
                "idna",
                "urllib3"
            ]
        );
        let requests = by_name(sbom, "requests");
        assert_eq!(requests.id.as_deref(), Some("SPDXRef-1-requests"));
        assert_eq!(requests.kind, ComponentKind::Application);
        assert_eq!(
            requests.supplier.as_deref(),
            Some("Kenneth Reitz (me@kennethreitz.org)")
        );
        assert_eq!(
            requests.cpes,
            ["cpe:2.3:a:kenneth_reitz:requests:2.31.0:*:*:*:*:*:*:*"]
        );
        let charset = by_name(sbom, "charset-normalizer");
        assert_eq!(charset.id.as_deref(), Some("SPDXRef-3-charset-normalizer"));
        let idna = by_name(sbom, "idna");
        assert_eq!(
            idna.purl.as_ref().unwrap().versioned_key(),
            "pkg:pypi/idna@3.6"
        );
        assert_eq!(idna.kind, ComponentKind::Library);
    }
    assert_eq!(tv.components, json.components);
}

#[test]
fn spdx_tools_conversions_read_like_their_sources() {
    let from_json = load("spdx-tools.spdx");
    let from_tv = load("spdx-tools.spdx.json");
    let original = load("sbom4python.spdx.json");
    assert_eq!(from_json.format, Format::SpdxTagValue);
    assert_eq!(from_tv.format, Format::SpdxJson);
    assert_eq!(from_json.components, original.components);
    assert_eq!(from_tv.components, original.components);
}

#[test]
fn nested_components_are_flattened_in_document_order() {
    let json = load("nested-1.6.cdx.json");
    let xml = load("nested-1.6.cdx.xml");
    for sbom in [&json, &xml] {
        let names: Vec<&str> = sbom.components.iter().map(|c| c.name.as_str()).collect();
        // Pedigree ancestors, services and metadata tools are not components.
        assert_eq!(
            names,
            [
                "gw-firmware",
                "linux",
                "openssl",
                "libcrypto3",
                "fieldbus-stack",
                "sdk-server",
                "broken-purl"
            ]
        );
        let subject = sbom.subject.as_ref().unwrap();
        assert_eq!(subject.name, "GW-100 gateway");
        assert_eq!(subject.purl.as_ref().unwrap().ty, "generic");

        let kernel = by_name(sbom, "linux");
        assert_eq!(kernel.purl, None);
        assert_eq!(
            kernel.cpes,
            ["cpe:2.3:o:linux:linux_kernel:5.10.120:*:*:*:*:*:*:*"]
        );
        assert_eq!(kernel.kind, ComponentKind::OperatingSystem);

        let openssl = by_name(sbom, "openssl");
        let purl = openssl.purl.as_ref().unwrap();
        assert_eq!(
            (
                purl.ty.as_str(),
                purl.namespace.as_deref(),
                purl.version.as_deref()
            ),
            ("deb", Some("debian"), Some("3.0.11-1~deb12u2"))
        );
        assert_eq!(purl.qualifier("distro"), Some("debian-12"));
        assert_eq!(purl.qualifier("arch"), Some("armhf"));
        assert_eq!(purl.package_key(), "pkg:deb/debian/openssl");
        assert_eq!(openssl.supplier.as_deref(), Some("Debian"));

        let fieldbus = by_name(sbom, "fieldbus-stack");
        assert_eq!(fieldbus.supplier.as_deref(), Some("Müller & Söhne GmbH"));
        assert_eq!((fieldbus.purl.as_ref(), fieldbus.cpes.len()), (None, 0));
        assert_eq!(fieldbus.kind, ComponentKind::Library);

        let milo = by_name(sbom, "sdk-server");
        assert_eq!(milo.group.as_deref(), Some("org.eclipse.milo"));

        // The invalid PURL is a warning; the component stays, without PURL.
        assert_eq!(by_name(sbom, "broken-purl").purl, None);
        assert_eq!(sbom.warnings.len(), 1);
        assert!(
            sbom.warnings[0].contains("not a purl"),
            "{}",
            sbom.warnings[0]
        );
    }
    assert!(
        json.warnings[0].starts_with("components[2].purl"),
        "{}",
        json.warnings[0]
    );
    assert!(
        xml.warnings[0].starts_with("line 54 (component broken-purl)"),
        "{}",
        xml.warnings[0]
    );
    assert_eq!(json.components, xml.components);
}

fn parse_err(bytes: &str, name: &str) -> String {
    Sbom::from_slice(bytes.as_bytes(), name)
        .map(|s| panic!("{name} parsed: {s:?}"))
        .unwrap_err()
        .to_string()
}

#[test]
fn broken_json_names_file_line_column_and_field() {
    let text = "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.5\",\n  \"components\": [\n    {\"name\": \"a\"},\n    {\"name\": \"b\", \"version\": 3}\n  ]\n}\n";
    let e = parse_err(text, "bad.cdx.json");
    assert!(e.starts_with("bad.cdx.json:6:"), "{e}");
    assert!(e.contains("components[1].version"), "{e}");
    assert!(e.contains("invalid type: integer"), "{e}");

    let e = parse_err("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":[{\"version\":\"1\"}]}", "x.json");
    assert!(
        e.contains("components[0]") && e.contains("missing field `name`"),
        "{e}"
    );

    let e = parse_err(
        "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"2.0\"}",
        "v.json",
    );
    assert_eq!(
        e,
        "v.json: specVersion: CycloneDX \"2.0\" is not supported (1.4, 1.5, 1.6 are)"
    );

    let e = parse_err(
        "{\"spdxVersion\":\"SPDX-2.3\",\"packages\":[{\"name\":\"p\",\"externalRefs\":[{}]}]}",
        "s.json",
    );
    assert!(
        e.contains("packages[0].externalRefs[0]") && e.contains("referenceCategory"),
        "{e}"
    );

    let e = parse_err(
        "{\"@context\":\"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\",\"@graph\":[]}",
        "s3.json",
    );
    assert!(e.contains("JSON-LD"), "{e}");

    let e = parse_err(
        "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\"} trailing",
        "t.json",
    );
    assert!(e.starts_with("t.json:1:"), "{e}");
}

#[test]
fn broken_xml_names_file_and_line() {
    let text = "<?xml version=\"1.0\"?>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\">\n<components>\n<component type=\"library\"><name>a</name>\n</components>\n</bom>\n";
    let e = parse_err(text, "bad.cdx.xml");
    assert!(e.starts_with("bad.cdx.xml:5"), "{e}");

    let text = "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\">\n<components>\n<component type=\"library\">\n<version>1</version></component>\n</components></bom>";
    assert_eq!(
        parse_err(text, "n.xml"),
        "n.xml:3: <component> without a <name>"
    );

    let e = parse_err("<bom xmlns=\"http://example.com/other\"/>", "ns.xml");
    assert!(e.contains("no CycloneDX namespace"), "{e}");

    let e = parse_err(
        "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>",
        "r.xml",
    );
    assert!(e.contains("SPDX RDF/XML is not supported"), "{e}");

    let e = parse_err(
        "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\">\n<components>",
        "eof.xml",
    );
    assert!(
        e.starts_with("eof.xml:2") && e.contains("ends before"),
        "{e}"
    );

    let text = "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"><components>\n<component type=\"library\"><name>a&bogus;</name></component></components></bom>";
    let e = parse_err(text, "ent.xml");
    assert!(e.starts_with("ent.xml:2") && e.contains("bogus"), "{e}");
}

#[test]
fn broken_tag_value_names_file_and_line() {
    let e = parse_err(
        "SPDXVersion: SPDX-2.3\nDocumentName: x\nPackageName: p\nthis line has no tag\n",
        "t.spdx",
    );
    assert!(e.starts_with("t.spdx:4: expected `Tag: value`"), "{e}");

    let e = parse_err(
        "SPDXVersion: SPDX-2.3\nPackageName: p\nPackageComment: <text>never\nclosed\n",
        "t.spdx",
    );
    assert!(
        e.starts_with("t.spdx:3:") && e.contains("never closed"),
        "{e}"
    );

    let e = parse_err(
        "SPDXVersion: SPDX-2.3\nPackageName: p\nExternalRef: SECURITY cpe23Type\n",
        "t.spdx",
    );
    assert!(
        e.starts_with("t.spdx:3:") && e.contains("CATEGORY TYPE LOCATOR"),
        "{e}"
    );

    let e = parse_err("SPDXVersion: SPDX-3.0\n", "t.spdx");
    assert!(
        e.starts_with("t.spdx:1:") && e.contains("not supported"),
        "{e}"
    );

    let e = parse_err("hello world\n", "t.txt");
    assert!(e.contains("not a CycloneDX"), "{e}");
    assert!(parse_err("  \n", "empty").contains("empty"));

    let missing = Sbom::from_path(fixture("does-not-exist.json"))
        .unwrap_err()
        .to_string();
    assert!(
        missing.contains("does-not-exist.json") && missing.contains("cannot read"),
        "{missing}"
    );
}

#[test]
fn tag_value_multiline_text_and_purpose() {
    let text = "SPDXVersion: SPDX-2.3\nDocumentName: doc\nPackageName: libfoo\nSPDXID: SPDXRef-foo\nPackageVersion: NOASSERTION\nPackageComment: <text>line one\nPackageName: inside text, not a package\n</text>\nPackageSupplier: Organization: ACME\nPrimaryPackagePurpose: OPERATING-SYSTEM\nExternalRef: PACKAGE_MANAGER purl pkg:npm/%40scope/foo@1.0.0\nExternalRef: SECURITY cpe22Type cpe:/a:acme:foo:1.0\n";
    let sbom = Sbom::from_slice(text.as_bytes(), "m.spdx").unwrap();
    assert_eq!(sbom.components.len(), 1);
    let c = &sbom.components[0];
    assert_eq!(c.version, None);
    assert_eq!(c.supplier.as_deref(), Some("ACME"));
    assert_eq!(c.kind, ComponentKind::OperatingSystem);
    assert_eq!(c.cpes, ["cpe:/a:acme:foo:1.0"]);
    let purl = c.purl.as_ref().unwrap();
    assert_eq!(
        (purl.namespace.as_deref(), purl.name.as_str()),
        (Some("@scope"), "foo")
    );
}

#[test]
fn parse_as_refuses_the_other_format() {
    let bytes = std::fs::read(fixture("sbom4python.spdx.json")).unwrap();
    let e = Sbom::parse_as(Format::CycloneDxJson, &bytes, "f")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("expected cyclonedx-json, but the document is spdx-json"),
        "{e}"
    );
    assert_eq!(
        Sbom::parse_as(Format::SpdxJson, &bytes, "f")
            .unwrap()
            .components
            .len(),
        5
    );
}

#[derive(serde::Deserialize)]
struct PurlCase {
    description: String,
    purl: String,
    #[serde(rename = "type")]
    ty: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
    version: Option<String>,
    subpath: Option<String>,
    is_invalid: bool,
}

#[test]
fn purl_spec_test_suite() {
    let data = std::fs::read(fixture("purl-test-suite-data.json")).unwrap();
    let cases: Vec<PurlCase> = serde_json::from_slice(&data).unwrap();
    assert!(cases.len() >= 20);
    for case in cases {
        match (Purl::parse(&case.purl), case.is_invalid) {
            (Err(_), true) => {}
            (Ok(p), true) => panic!("{}: accepted {:?}", case.description, p),
            (Err(e), false) => panic!("{}: {e}", case.description),
            (Ok(p), false) => {
                assert_eq!(Some(p.ty), case.ty, "{}", case.description);
                assert_eq!(p.namespace, case.namespace, "{}", case.description);
                assert_eq!(Some(p.name), case.name, "{}", case.description);
                assert_eq!(p.version, case.version, "{}", case.description);
                assert_eq!(p.subpath, case.subpath, "{}", case.description);
                assert_eq!(p.original, case.purl);
            }
        }
    }
}

fn source_of(sbom: &Sbom, name: &str) -> Option<(String, Option<String>)> {
    by_name(sbom, name)
        .source
        .as_ref()
        .map(|s| (s.name.clone(), s.version.clone()))
}

fn src(name: &str, version: Option<&str>) -> Option<(String, Option<String>)> {
    Some((name.to_string(), version.map(str::to_string)))
}

/// syft writes the source in the PURL (`upstream`) and in properties; the XML is the same
/// document converted by cyclonedx-python-lib.
#[test]
fn syft_source_packages_from_the_purl_in_json_and_xml() {
    for file in [
        "syft-0.78-distroless.cdx.json",
        "syft-0.78-distroless.cdx.xml",
    ] {
        let sbom = load(file);
        assert_eq!(source_of(&sbom, "libc6"), src("glibc", None), "{file}");
        assert_eq!(
            source_of(&sbom, "libssl1.1"),
            src("openssl", None),
            "{file}"
        );
        // dpkg writes no `Source:` when the names and versions agree: nor does syft.
        assert_eq!(source_of(&sbom, "openssl"), None, "{file}");
        assert_eq!(source_of(&sbom, "tzdata"), None, "{file}");
    }
}

/// Trivy puts the source only in properties (CycloneDX) or `sourceInfo` (SPDX), with the
/// epoch of openssl-libs in `SrcEpoch` or the version text.
#[test]
fn trivy_source_packages_from_properties_and_source_info() {
    // The SPDX fixtures name the binary as its own source; read as written.
    for (file, libs_source) in [
        ("trivy-centos-7.cdx.json", "openssl"),
        ("trivy-centos-7.cdx.xml", "openssl"),
        ("trivy-centos-7.spdx.json", "openssl-libs"),
        ("trivy-centos-7.spdx", "openssl-libs"),
    ] {
        let sbom = load(file);
        assert_eq!(
            source_of(&sbom, "openssl-libs"),
            src(libs_source, Some("1:1.0.2k-16.el7")),
            "{file}"
        );
        assert_eq!(
            source_of(&sbom, "bash"),
            src("bash", Some("4.2.46-31.el7")),
            "{file}"
        );
    }
}

/// debsbom lists source packages as packages of their own, linked by `SRC GENERATES BIN`,
/// in its JSON and in the tag-value spdx-tools converts it to.
#[test]
fn debsbom_source_packages_from_generates_relationships() {
    for file in ["debsbom-0.10.2.spdx.json", "debsbom-0.10.2.spdx"] {
        let sbom = load(file);
        assert_eq!(
            source_of(&sbom, "libc6"),
            src("glibc", Some("2.36-9+deb12u14")),
            "{file}"
        );
        // A binNMU: the binary is 5.2.15-2+b13, its source 5.2.15-2.
        let bash: Vec<&Component> = sbom
            .components
            .iter()
            .filter(|c| c.name == "bash" && c.version.as_deref() == Some("5.2.15-2+b13"))
            .collect();
        assert_eq!(bash.len(), 1, "{file}");
        assert_eq!(
            bash[0].source,
            SourcePackage::new("bash", Some("5.2.15-2")),
            "{file}"
        );
        // An epoch the source package does not have.
        assert_eq!(
            source_of(&sbom, "bsdutils"),
            src("util-linux", Some("2.38.1-5+deb12u3")),
            "{file}"
        );
        // The source packages themselves are built from nothing.
        assert_eq!(source_of(&sbom, "glibc"), None, "{file}");
    }
}

/// The SPDX form `BIN GENERATED_FROM SRC`, and the CycloneDX pedigree (the hand-made
/// fixture's openssl derives from `openssl-upstream` 3.0.11).
#[test]
fn generated_from_and_pedigree_ancestors() {
    let text = "SPDXVersion: SPDX-2.3\nDocumentName: x\n\
                PackageName: libcrypto3\nSPDXID: SPDXRef-bin\nPackageVersion: 3.1.4-r1\n\
                PackageName: openssl\nSPDXID: SPDXRef-src\nPackageVersion: 3.1.4-r1\n\
                Relationship: SPDXRef-bin GENERATED_FROM SPDXRef-src\n\
                Relationship: SPDXRef-bin GENERATED_FROM SPDXRef-missing\n";
    let sbom = Sbom::from_slice(text.as_bytes(), "x.spdx").unwrap();
    assert_eq!(
        source_of(&sbom, "libcrypto3"),
        src("openssl", Some("3.1.4-r1"))
    );
    assert_eq!(source_of(&sbom, "openssl"), None);
    for file in ["nested-1.6.cdx.json", "nested-1.6.cdx.xml"] {
        let sbom = load(file);
        assert_eq!(
            source_of(&sbom, "openssl"),
            src("openssl-upstream", Some("3.0.11")),
            "{file}"
        );
        assert_eq!(source_of(&sbom, "libcrypto3"), None, "{file}");
    }
}

/// `stream_path` hands each component over as soon as it is read (a scan matches them
/// while the rest is read), in the order `from_path` lists them, and on an error after
/// some components it has handed those over and fails as `from_path` does.
#[test]
fn streamed_components_come_while_reading_in_document_order() {
    for name in [
        "cyclonedx-py-1.6.cdx.json",
        "nested-1.6.cdx.json",
        "syft-0.78-distroless.cdx.xml",
        "trivy-centos-7.spdx.json",
        "debsbom-0.10.2.spdx",
    ] {
        let whole = load(name);
        let mut streamed = Vec::new();
        let rest = Sbom::stream_path(fixture(name), &mut |c| streamed.push(c)).unwrap();
        assert!(!whole.components.is_empty(), "{name}");
        assert_eq!(streamed, whole.components, "{name}");
        assert!(rest.components.is_empty(), "{name}");
        assert_eq!(
            (rest.format, rest.subject, rest.warnings),
            (whole.format, whole.subject, whole.warnings),
            "{name}"
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.cdx.json");
    std::fs::write(
        &broken,
        "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": [\n\
         {\"name\": \"a\", \"purl\": \"pkg:pypi/a@1\"},\n{\"name\": \"b\"},\n{\"name\": 3}\n]}",
    )
    .unwrap();
    let mut streamed = Vec::new();
    let e = Sbom::stream_path(&broken, &mut |c| streamed.push(c.name)).unwrap_err();
    assert_eq!(streamed, ["a", "b"]);
    assert_eq!(
        e.to_string(),
        Sbom::from_path(&broken).unwrap_err().to_string()
    );
    assert!(e.to_string().contains(":4:"), "{e}");
    assert!(e.to_string().contains("components[2].name"), "{e}");

    // The subject's nested components come first when `metadata` does, after the others
    // when it follows them (document order either way).
    let meta = r#""metadata": {"component": {"name": "product", "components": [{"name": "fw"}]}}"#;
    let list = r#""components": [{"name": "lib"}]"#;
    for (text, want) in [
        (format!("{meta}, {list}"), ["fw", "lib"]),
        (format!("{list}, {meta}"), ["lib", "fw"]),
    ] {
        let doc = format!(r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", {text}}}"#);
        let sbom = Sbom::from_slice(doc.as_bytes(), "m.json").unwrap();
        let names: Vec<&str> = sbom.components.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, want);
        assert_eq!(sbom.subject.unwrap().name, "product");
    }
}
