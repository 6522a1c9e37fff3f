//! TLS on the wire. Which protocol versions and cipher suites a service accepts is learnt
//! from a ClientHello written here byte by byte: rustls (like every modern library) cannot
//! offer SSL 3.0, TLS 1.0 or 1.1, and a ServerHello or an alert is all the answer needed.
//! Up to TLS 1.2 the server's certificate follows the ServerHello in clear; for a TLS
//! 1.3-only service, and to see what runs inside TLS, a full rustls handshake that accepts
//! any certificate (it reports on it, it does not trust it) is used.

use std::io::{Read, Write};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tekigo_verdict::{Evidence, Verdict};
use x509_parser::prelude::*;

use crate::checks::{self, Outcome};
use crate::net::{Conn, Net};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    Ssl3,
    Tls10,
    Tls11,
    Tls12,
    Tls13,
}

impl Version {
    pub const ALL: [Version; 5] = [
        Version::Ssl3,
        Version::Tls10,
        Version::Tls11,
        Version::Tls12,
        Version::Tls13,
    ];

    pub fn wire(self) -> u16 {
        match self {
            Version::Ssl3 => 0x0300,
            Version::Tls10 => 0x0301,
            Version::Tls11 => 0x0302,
            Version::Tls12 => 0x0303,
            Version::Tls13 => 0x0304,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Version::Ssl3 => "SSL 3.0",
            Version::Tls10 => "TLS 1.0",
            Version::Tls11 => "TLS 1.1",
            Version::Tls12 => "TLS 1.2",
            Version::Tls13 => "TLS 1.3",
        }
    }

    fn from_wire(v: u16) -> Option<Version> {
        Version::ALL.into_iter().find(|x| x.wire() == v)
    }

    /// SSL 3.0, TLS 1.0 and 1.1 are deprecated (RFC 7568, RFC 8996).
    pub fn deprecated(self) -> bool {
        self < Version::Tls12
    }
}

/// Suites offered with TLS 1.2: the usual modern ones and the legacy ones, so that any
/// server that speaks TLS 1.2 finds one it takes.
const TLS12_SUITES: &[u16] = &[
    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0x009e, 0x009f, 0xc023, 0xc027, 0xc024, 0xc028,
    0xc009, 0xc013, 0xc00a, 0xc014, 0x009c, 0x009d, 0x003c, 0x003d, 0x002f, 0x0035, 0x0033, 0x0039,
    0x000a, 0x0016, 0x0005, 0x0004,
];
/// Suites that exist before TLS 1.2 (CBC with SHA-1, 3DES, RC4).
const LEGACY_SUITES: &[u16] = &[
    0xc009, 0xc013, 0xc00a, 0xc014, 0x002f, 0x0035, 0x0033, 0x0039, 0x000a, 0x0016, 0x0005, 0x0004,
];
const TLS13_SUITES: &[u16] = &[0x1301, 0x1302, 0x1303];
/// Signals secure renegotiation support (RFC 5746), sent with every hello.
const RENEGOTIATION_SCSV: u16 = 0x00ff;

/// Classes of weak suites, offered one class at a time.
pub const WEAK_CLASSES: &[(&str, &[u16])] = &[
    (
        "NULL (no encryption)",
        &[0x0001, 0x0002, 0x003b, 0xc006, 0xc010],
    ),
    (
        "anonymous (no authentication)",
        &[
            0x0018, 0x001b, 0x0034, 0x003a, 0x006c, 0x006d, 0x00a6, 0x00a7, 0xc015, 0xc016, 0xc017,
            0xc018, 0xc019,
        ],
    ),
    (
        "export-grade",
        &[
            0x0003, 0x0006, 0x0008, 0x000b, 0x000e, 0x0011, 0x0014, 0x0017, 0x0019,
        ],
    ),
    ("RC4", &[0x0004, 0x0005, 0xc007, 0xc011]),
    ("DES", &[0x0009, 0x000c, 0x000f, 0x0012, 0x0015, 0x001a]),
    (
        "3DES",
        &[
            0x000a, 0x000d, 0x0010, 0x0013, 0x0016, 0xc008, 0xc012, 0xc003, 0xc00d,
        ],
    ),
];

fn u16be(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn u24be(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&(v as u32).to_be_bytes()[1..]);
}

fn extension(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
    u16be(out, kind);
    u16be(out, body.len() as u16);
    out.extend_from_slice(body);
}

fn random_bytes<const N: usize>() -> [u8; N] {
    // Not secret: a ClientHello random and a key share that is never used to derive keys.
    let mut out = [0u8; N];
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0) as u64;
    let mut x = seed ^ 0x9e37_79b9_7f4a_7c15;
    for b in out.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    out
}

/// A ClientHello offering `version` as the highest and `suites`. TLS 1.3 is offered with
/// the supported_versions extension (1.3 only) and an X25519 key share; SSL 3.0 without
/// extensions, as SSL 3.0 clients sent it.
pub fn client_hello(version: Version, suites: &[u16], sni: Option<&str>) -> Vec<u8> {
    let legacy = version.min(Version::Tls12);
    let mut body = Vec::new();
    u16be(&mut body, legacy.wire());
    body.extend_from_slice(&random_bytes::<32>());
    body.push(0); // no session id
    let mut all: Vec<u16> = suites.to_vec();
    all.push(RENEGOTIATION_SCSV);
    u16be(&mut body, (all.len() * 2) as u16);
    for s in &all {
        u16be(&mut body, *s);
    }
    body.extend_from_slice(&[1, 0]); // compression: null only
    if version != Version::Ssl3 {
        let mut ext = Vec::new();
        if let Some(name) = sni {
            let mut list = Vec::new();
            list.push(0u8);
            u16be(&mut list, name.len() as u16);
            list.extend_from_slice(name.as_bytes());
            let mut sn = Vec::new();
            u16be(&mut sn, list.len() as u16);
            sn.extend_from_slice(&list);
            extension(&mut ext, 0x0000, &sn);
        }
        // supported_groups: x25519, secp256r1, secp384r1, secp521r1, ffdhe2048
        extension(
            &mut ext,
            0x000a,
            &[
                0, 10, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18, 0x00, 0x19, 0x01, 0x00,
            ],
        );
        extension(&mut ext, 0x000b, &[1, 0]); // ec_point_formats: uncompressed
        if version >= Version::Tls12 {
            // signature_algorithms: ECDSA, RSA-PSS, RSA PKCS#1, Ed25519, and SHA-1 ones
            // so that an old server answers rather than aborting.
            let algs: [u16; 12] = [
                0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0807,
                0x0201, 0x0203,
            ];
            let mut sa = Vec::new();
            u16be(&mut sa, (algs.len() * 2) as u16);
            for a in algs {
                u16be(&mut sa, a);
            }
            extension(&mut ext, 0x000d, &sa);
        }
        if version == Version::Tls13 {
            extension(&mut ext, 0x002b, &[2, 0x03, 0x04]); // supported_versions: 1.3
            let mut ks = Vec::new();
            u16be(&mut ks, 36);
            u16be(&mut ks, 0x001d);
            u16be(&mut ks, 32);
            ks.extend_from_slice(&random_bytes::<32>());
            extension(&mut ext, 0x0033, &ks); // key_share: x25519
            extension(&mut ext, 0x002d, &[1, 1]); // psk_key_exchange_modes: psk_dhe_ke
        }
        u16be(&mut body, ext.len() as u16);
        body.extend_from_slice(&ext);
    }
    let mut hs = vec![1u8];
    u24be(&mut hs, body.len());
    hs.extend_from_slice(&body);
    let mut record = vec![0x16];
    // The record layer says TLS 1.0 (SSL 3.0 for SSL 3.0) whatever is offered, as
    // browsers do: some servers drop a hello whose record version is higher.
    u16be(&mut record, legacy.min(Version::Tls10).wire());
    u16be(&mut record, hs.len() as u16);
    record.extend_from_slice(&hs);
    record
}

/// The suites to offer when probing `version` alone.
pub fn suites_for(version: Version) -> Vec<u16> {
    match version {
        Version::Tls13 => TLS13_SUITES.to_vec(),
        Version::Tls12 => TLS12_SUITES.to_vec(),
        _ => LEGACY_SUITES.to_vec(),
    }
}

/// What the server answered to a ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A ServerHello: the version and suite chosen, and the certificate chain when it was
    /// sent in clear (TLS 1.2 and lower).
    Hello {
        version: u16,
        suite: u16,
        certificates: Vec<Vec<u8>>,
    },
    Alert {
        level: u8,
        description: u8,
    },
    /// The connection closed or nothing came.
    Silent,
    /// Bytes that are not TLS.
    NotTls,
}

const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Most handshake bytes read (a certificate chain is rarely above a few KiB).
const MAX_HANDSHAKE: usize = 64 * 1024;

/// Reads records until the answer is known.
pub fn read_reply(conn: &mut Conn) -> Reply {
    let mut handshake = Vec::new();
    let mut hello: Option<(u16, u16)> = None;
    let mut certificates = Vec::new();
    loop {
        let Ok(header) = conn.read_exact(5) else {
            return match hello {
                Some((version, suite)) => Reply::Hello {
                    version,
                    suite,
                    certificates,
                },
                None => Reply::Silent,
            };
        };
        let kind = header[0];
        let len = u16::from_be_bytes([header[3], header[4]]) as usize;
        if !(0x14..=0x17).contains(&kind) || header[1] != 3 || len > 18432 {
            return Reply::NotTls;
        }
        let Ok(payload) = conn.read_exact(len) else {
            return Reply::Silent;
        };
        match kind {
            0x15 if payload.len() >= 2 => {
                if let Some((version, suite)) = hello {
                    return Reply::Hello {
                        version,
                        suite,
                        certificates,
                    };
                }
                return Reply::Alert {
                    level: payload[0],
                    description: payload[1],
                };
            }
            0x16 => handshake.extend_from_slice(&payload),
            0x14 => continue,
            _ => break,
        }
        // Take every complete handshake message.
        while handshake.len() >= 4 {
            let mlen = ((handshake[1] as usize) << 16)
                | ((handshake[2] as usize) << 8)
                | handshake[3] as usize;
            if handshake.len() < 4 + mlen {
                break;
            }
            let msg: Vec<u8> = handshake.drain(..4 + mlen).collect();
            let body = &msg[4..];
            match msg[0] {
                2 => match parse_server_hello(body) {
                    Some(h) => {
                        hello = Some(h);
                        if h.0 == Version::Tls13.wire() {
                            return Reply::Hello {
                                version: h.0,
                                suite: h.1,
                                certificates,
                            };
                        }
                    }
                    None => return Reply::NotTls,
                },
                11 => certificates = parse_certificates(body),
                14 => {
                    if let Some((version, suite)) = hello {
                        return Reply::Hello {
                            version,
                            suite,
                            certificates,
                        };
                    }
                }
                _ => {}
            }
        }
        if handshake.len() > MAX_HANDSHAKE {
            break;
        }
    }
    match hello {
        Some((version, suite)) => Reply::Hello {
            version,
            suite,
            certificates,
        },
        None => Reply::NotTls,
    }
}

/// The version (from supported_versions when present) and suite of a ServerHello, or of a
/// HelloRetryRequest, which also shows that TLS 1.3 is accepted.
fn parse_server_hello(b: &[u8]) -> Option<(u16, u16)> {
    let mut version = u16::from_be_bytes([*b.first()?, *b.get(1)?]);
    let random = b.get(2..34)?;
    let sid = *b.get(34)? as usize;
    let mut i = 35 + sid;
    let suite = u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?]);
    i += 3;
    if let Some(ext) = b.get(i + 2..) {
        let mut j = 0;
        while j + 4 <= ext.len() {
            let kind = u16::from_be_bytes([ext[j], ext[j + 1]]);
            let len = u16::from_be_bytes([ext[j + 2], ext[j + 3]]) as usize;
            if kind == 0x002b && len == 2 && j + 6 <= ext.len() {
                version = u16::from_be_bytes([ext[j + 4], ext[j + 5]]);
            }
            j += 4 + len;
        }
    }
    if random == HRR_RANDOM && version != Version::Tls13.wire() {
        return None;
    }
    Some((version, suite))
}

fn parse_certificates(b: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    if b.len() < 3 {
        return out;
    }
    let total = ((b[0] as usize) << 16) | ((b[1] as usize) << 8) | b[2] as usize;
    let list = &b[3..b.len().min(3 + total)];
    let mut i = 0;
    while i + 3 <= list.len() {
        let len = ((list[i] as usize) << 16) | ((list[i + 1] as usize) << 8) | list[i + 2] as usize;
        let Some(der) = list.get(i + 3..i + 3 + len) else {
            break;
        };
        out.push(der.to_vec());
        i += 3 + len;
    }
    out
}

fn alert_name(d: u8) -> &'static str {
    match d {
        0 => "close_notify",
        10 => "unexpected_message",
        40 => "handshake_failure",
        47 => "illegal_parameter",
        50 => "decode_error",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        109 => "missing_extension",
        112 => "unrecognized_name",
        _ => "other",
    }
}

/// Offers `version` with `suites` on a new connection; the reply and the transcript.
pub fn offer(
    net: &Net,
    port: u16,
    version: Version,
    suites: &[u16],
    sni: Option<&str>,
) -> Result<(Reply, Evidence), String> {
    let mut conn = net.connect(port).map_err(|e| e.to_string())?;
    conn.transcript.event(&format!(
        "ClientHello offering {} with {} cipher suite(s)",
        version.name(),
        suites.len()
    ));
    conn.send(&client_hello(version, suites, sni))
        .map_err(|e| e.to_string())?;
    let reply = read_reply(&mut conn);
    conn.transcript.event(&match &reply {
        Reply::Hello { version, suite, .. } => format!(
            "ServerHello: {} with suite 0x{suite:04x}",
            Version::from_wire(*version).map_or("unknown version", |v| v.name())
        ),
        Reply::Alert { level, description } => format!(
            "alert {} ({description}), level {level}",
            alert_name(*description)
        ),
        Reply::Silent => "no answer".into(),
        Reply::NotTls => "an answer that is not TLS".into(),
    });
    Ok((reply, conn.evidence()))
}

/// The server name to send: the target's host name, never an address (RFC 6066).
pub fn sni(net: &Net) -> Option<String> {
    (!net.target.named_by_address()).then(|| net.target.name.clone())
}

/// The TLS checks on one service: versions, weak suites, and the certificate.
pub fn check(net: &Net, port: u16) -> Vec<Outcome> {
    let sni = sni(net);
    let mut out = Vec::new();
    let mut accepted = Vec::new();
    let mut evidence = Vec::new();
    let mut unreadable = Vec::new();
    let mut certificates: Vec<Vec<u8>> = Vec::new();
    for version in Version::ALL {
        match offer(net, port, version, &suites_for(version), sni.as_deref()) {
            Ok((
                Reply::Hello {
                    version: chosen,
                    certificates: certs,
                    ..
                },
                ev,
            )) => {
                if chosen == version.wire() {
                    accepted.push(version);
                    if !certs.is_empty() {
                        certificates = certs;
                    }
                }
                evidence.push(ev.with_value("offered", version.name()));
            }
            Ok((Reply::Silent, ev)) | Ok((Reply::NotTls, ev)) | Ok((Reply::Alert { .. }, ev)) => {
                evidence.push(ev.with_value("offered", version.name()))
            }
            Err(e) => unreadable.push(format!("{}: {e}", version.name())),
        }
    }
    let names = |v: &[Version]| v.iter().map(|x| x.name()).collect::<Vec<_>>().join(", ");
    let deprecated: Vec<Version> = accepted
        .iter()
        .copied()
        .filter(|v| v.deprecated())
        .collect();
    let versions = if !deprecated.is_empty() {
        Outcome::new(
            checks::TLS_VERSIONS,
            Some(port),
            Verdict::Fail,
            format!(
                "accepts {} (accepted: {})",
                names(&deprecated),
                names(&accepted)
            ),
        )
    } else if !unreadable.is_empty() {
        Outcome::new(
            checks::TLS_VERSIONS,
            Some(port),
            Verdict::Unreadable,
            format!("could not finish: {}", unreadable.join("; ")),
        )
    } else if accepted.is_empty() {
        Outcome::new(
            checks::TLS_VERSIONS,
            Some(port),
            Verdict::Unreadable,
            "no protocol version was accepted with the suites offered",
        )
    } else {
        Outcome::new(
            checks::TLS_VERSIONS,
            Some(port),
            Verdict::Pass,
            format!("accepts only {}", names(&accepted)),
        )
    };
    out.push(versions.with_all_evidence(evidence));
    out.push(weak_suites(net, port, &accepted, sni.as_deref()));
    if certificates.is_empty() && !accepted.is_empty() {
        certificates = handshake_certificates(net, port).unwrap_or_default();
    }
    out.extend(certificate_checks(net, port, &certificates));
    out
}

fn weak_suites(net: &Net, port: u16, accepted: &[Version], sni: Option<&str>) -> Outcome {
    // TLS 1.3 has no weak suites; the classes are offered with the highest version up to
    // 1.2 the service accepts.
    let Some(version) = accepted
        .iter()
        .rev()
        .find(|v| **v <= Version::Tls12)
        .copied()
    else {
        return Outcome::new(
            checks::TLS_CIPHERS,
            Some(port),
            if accepted.is_empty() {
                Verdict::Unreadable
            } else {
                Verdict::Pass
            },
            if accepted.is_empty() {
                "no protocol version accepted to offer suites with"
            } else {
                "TLS 1.3 only: it has no weak suites"
            },
        );
    };
    let mut taken = Vec::new();
    let mut evidence = Vec::new();
    let mut errors = Vec::new();
    for (class, suites) in WEAK_CLASSES {
        match offer(net, port, version, suites, sni) {
            Ok((Reply::Hello { suite, .. }, ev)) => {
                taken.push(format!("{class} (0x{suite:04x})"));
                evidence.push(ev.with_value("offered", format!("{} {class}", version.name())));
            }
            Ok((_, ev)) => {
                evidence.push(ev.with_value("offered", format!("{} {class}", version.name())))
            }
            Err(e) => errors.push(format!("{class}: {e}")),
        }
    }
    let (verdict, detail) = if !taken.is_empty() {
        (
            Verdict::Fail,
            format!("accepts {} with {}", taken.join(", "), version.name()),
        )
    } else if !errors.is_empty() {
        (
            Verdict::Unreadable,
            format!("could not finish: {}", errors.join("; ")),
        )
    } else {
        (
            Verdict::Pass,
            format!(
                "refuses NULL, anonymous, export, RC4, DES and 3DES suites with {}",
                version.name()
            ),
        )
    };
    // Refusals are many and alike: keep the evidence of accepted classes, or one refusal.
    if verdict != Verdict::Fail {
        evidence.truncate(1);
    }
    Outcome::new(checks::TLS_CIPHERS, Some(port), verdict, detail).with_all_evidence(evidence)
}

/// Certificates a verifier that accepts everything saw, for TLS 1.3-only services.
#[derive(Debug)]
struct Recorder {
    seen: Arc<Mutex<Vec<Vec<u8>>>>,
    schemes: Vec<SignatureScheme>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.push(end_entity.to_vec());
        seen.extend(intermediates.iter().map(|c| c.to_vec()));
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.verify_tls12_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }
}

/// A TLS session over a probe connection, with the certificates the server presented.
pub struct Session {
    pub stream: rustls::StreamOwned<rustls::ClientConnection, std::net::TcpStream>,
    pub certificates: Vec<Vec<u8>>,
    pub version: String,
}

/// Completes a handshake with rustls (TLS 1.2 or 1.3), accepting any certificate.
pub fn handshake(net: &Net, port: u16) -> Result<Session, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let recorder = Recorder {
        seen: seen.clone(),
        schemes: provider
            .signature_verification_algorithms
            .supported_schemes(),
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(recorder))
        .with_no_client_auth();
    let name: ServerName<'static> = match (net.target.named_by_address(), net.target.addr) {
        (true, addr) => ServerName::IpAddress(addr.into()),
        (false, _) => ServerName::try_from(net.target.name.clone())
            .map_err(|e| format!("{}: {e}", net.target.name))?,
    };
    let conn = rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
    let tcp = net.connect(port).map_err(|e| e.to_string())?;
    let sock = tcp.stream;
    sock.set_read_timeout(Some(net.timeout))
        .map_err(|e| e.to_string())?;
    sock.set_write_timeout(Some(net.timeout))
        .map_err(|e| e.to_string())?;
    let mut stream = rustls::StreamOwned::new(conn, sock);
    while stream.conn.is_handshaking() {
        stream
            .conn
            .complete_io(&mut stream.sock)
            .map_err(|e| format!("TLS handshake: {e}"))?;
    }
    let version = stream
        .conn
        .protocol_version()
        .map(|v| format!("{v:?}"))
        .unwrap_or_default();
    let certificates = seen.lock().unwrap_or_else(|e| e.into_inner()).clone();
    Ok(Session {
        stream,
        certificates,
        version,
    })
}

fn handshake_certificates(net: &Net, port: u16) -> Option<Vec<Vec<u8>>> {
    handshake(net, port).ok().map(|s| s.certificates)
}

impl Session {
    /// Reads what the server says first within `wait`, then, if nothing, sends `request`
    /// and reads the answer; bounded to `max` bytes.
    pub fn talk(&mut self, wait: Duration, request: &[u8], max: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let _ = self.stream.sock.set_read_timeout(Some(wait));
        let mut buf = [0u8; 4096];
        if let Ok(n) = self.stream.read(&mut buf) {
            out.extend_from_slice(&buf[..n]);
        }
        if out.is_empty() && self.stream.write_all(request).is_ok() {
            let _ = self.stream.flush();
            while out.len() < max {
                match self.stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => out.extend_from_slice(&buf[..n]),
                }
            }
        }
        out.truncate(max);
        out
    }
}

/// Signature algorithms that can be forged by a collision.
const WEAK_SIGNATURES: &[(&str, &str)] = &[
    ("1.2.840.113549.1.1.2", "md2WithRSAEncryption"),
    ("1.2.840.113549.1.1.4", "md5WithRSAEncryption"),
    ("1.2.840.113549.1.1.5", "sha1WithRSAEncryption"),
    ("1.2.840.10045.4.1", "ecdsa-with-SHA1"),
    ("1.2.840.10040.4.3", "dsa-with-sha1"),
    ("1.3.14.3.2.29", "sha1WithRSA (OIW)"),
];

fn certificate_checks(net: &Net, port: u16, chain: &[Vec<u8>]) -> Vec<Outcome> {
    let ids = [
        checks::TLS_KEY,
        checks::TLS_SIGNATURE,
        checks::TLS_VALIDITY,
        checks::TLS_HOSTNAME,
    ];
    let Some(der) = chain.first() else {
        return ids
            .iter()
            .map(|id| {
                Outcome::new(
                    id,
                    Some(port),
                    Verdict::Unreadable,
                    "the service presented no certificate the probe could read",
                )
            })
            .collect();
    };
    let cert = match X509Certificate::from_der(der) {
        Ok((_, c)) => c,
        Err(e) => {
            return ids
                .iter()
                .map(|id| {
                    Outcome::new(
                        id,
                        Some(port),
                        Verdict::Unreadable,
                        format!("the certificate does not parse: {e}"),
                    )
                })
                .collect()
        }
    };
    let subject = cert.subject().to_string();
    let base = Evidence {
        port: Some(port),
        protocol: Some("tcp".into()),
        ..Evidence::default()
    }
    .with_value("subject", subject.clone())
    .with_value("issuer", cert.issuer().to_string())
    .with_value("not_before", cert.validity().not_before.to_string())
    .with_value("not_after", cert.validity().not_after.to_string());
    let mut out = Vec::new();

    let (kind, bits) = key_size(&cert);
    let minimum = if kind == "EC" { 256 } else { 2048 };
    let key_ev = base
        .clone()
        .with_value("key", format!("{kind} {bits} bits"));
    out.push(
        match (kind, bits) {
            ("Ed25519" | "Ed448", _) => Outcome::new(
                checks::TLS_KEY,
                Some(port),
                Verdict::Pass,
                format!("{kind} key"),
            ),
            (_, 0) => Outcome::new(
                checks::TLS_KEY,
                Some(port),
                Verdict::Unreadable,
                format!("key type {kind} not recognised"),
            ),
            (_, b) if b < minimum => Outcome::new(
                checks::TLS_KEY,
                Some(port),
                Verdict::Fail,
                format!("{kind} key of {b} bits (at least {minimum} needed)"),
            ),
            (_, b) => Outcome::new(
                checks::TLS_KEY,
                Some(port),
                Verdict::Pass,
                format!("{kind} key of {b} bits"),
            ),
        }
        .with_evidence(key_ev),
    );

    let oid = cert.signature_algorithm.algorithm.to_id_string();
    let sig_ev = base.clone().with_value("signature_algorithm", oid.clone());
    out.push(
        match WEAK_SIGNATURES.iter().find(|(o, _)| *o == oid) {
            Some((_, name)) => Outcome::new(
                checks::TLS_SIGNATURE,
                Some(port),
                Verdict::Fail,
                format!("signed with {name}"),
            ),
            None => Outcome::new(
                checks::TLS_SIGNATURE,
                Some(port),
                Verdict::Pass,
                format!("signature algorithm {oid}"),
            ),
        }
        .with_evidence(sig_ev),
    );

    let now = ASN1Time::now();
    let validity = cert.validity();
    out.push(
        if now < validity.not_before {
            Outcome::new(
                checks::TLS_VALIDITY,
                Some(port),
                Verdict::Fail,
                format!("not valid before {}", validity.not_before),
            )
        } else if now > validity.not_after {
            Outcome::new(
                checks::TLS_VALIDITY,
                Some(port),
                Verdict::Fail,
                format!("expired on {}", validity.not_after),
            )
        } else {
            Outcome::new(
                checks::TLS_VALIDITY,
                Some(port),
                Verdict::Pass,
                format!("valid until {}", validity.not_after),
            )
        }
        .with_evidence(base.clone()),
    );

    let names = certificate_names(&cert);
    let host_ev = base.with_value("names", names.join(", "));
    let wanted = net
        .target
        .name
        .trim_start_matches('[')
        .trim_end_matches(']');
    out.push(
        if names_match(&names, wanted, net.target.addr) {
            Outcome::new(
                checks::TLS_HOSTNAME,
                Some(port),
                Verdict::Pass,
                format!("the certificate names {wanted}"),
            )
        } else {
            Outcome::new(
                checks::TLS_HOSTNAME,
                Some(port),
                Verdict::Fail,
                format!(
                    "the certificate names {} but the device was reached as {wanted}",
                    if names.is_empty() {
                        "nothing".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
            )
        }
        .with_evidence(host_ev),
    );
    out
}

/// The key type and its size in bits (the modulus for RSA and DSA, the field for EC).
fn key_size(cert: &X509Certificate) -> (&'static str, usize) {
    use x509_parser::public_key::PublicKey;
    match cert.public_key().parsed() {
        Ok(PublicKey::RSA(k)) => ("RSA", k.key_size()),
        Ok(PublicKey::EC(k)) => ("EC", k.key_size()),
        Ok(PublicKey::DSA(p)) => ("DSA", p.len() * 8),
        _ => {
            let oid = cert.public_key().algorithm.algorithm.to_id_string();
            match oid.as_str() {
                "1.3.101.112" => ("Ed25519", 256),
                "1.3.101.113" => ("Ed448", 456),
                _ => ("unknown", 0),
            }
        }
    }
}

/// DNS names and addresses in subjectAltName, or the common name when there is none.
fn certificate_names(cert: &X509Certificate) -> Vec<String> {
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for n in &san.value.general_names {
            match n {
                GeneralName::DNSName(d) => names.push(d.to_string()),
                GeneralName::IPAddress(b) => match b.len() {
                    4 => names.push(
                        IpAddr::from(<[u8; 4]>::try_from(*b).unwrap_or_default()).to_string(),
                    ),
                    16 => names.push(
                        IpAddr::from(<[u8; 16]>::try_from(*b).unwrap_or_default()).to_string(),
                    ),
                    _ => {}
                },
                _ => {}
            }
        }
    }
    if names.is_empty() {
        for cn in cert.subject().iter_common_name() {
            if let Ok(s) = cn.as_str() {
                names.push(s.to_string());
            }
        }
    }
    names
}

/// RFC 6125 matching: exact (case-insensitive) or one left-most `*` label; an address
/// only against an address.
pub fn names_match(names: &[String], wanted: &str, addr: IpAddr) -> bool {
    if wanted.parse::<IpAddr>().is_ok() {
        return names.iter().any(|n| n.parse::<IpAddr>().ok() == Some(addr));
    }
    let wanted = wanted.trim_end_matches('.').to_ascii_lowercase();
    names.iter().any(|n| {
        let n = n.trim_end_matches('.').to_ascii_lowercase();
        match n.strip_prefix("*.") {
            Some(rest) => wanted
                .split_once('.')
                .is_some_and(|(first, tail)| !first.is_empty() && tail == rest),
            None => n == wanted,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tls10_hello_is_well_formed() {
        let h = client_hello(Version::Tls10, LEGACY_SUITES, Some("plc.example"));
        assert_eq!(&h[..3], &[0x16, 0x03, 0x01]);
        let len = u16::from_be_bytes([h[3], h[4]]) as usize;
        assert_eq!(h.len(), 5 + len);
        assert_eq!(h[5], 1, "ClientHello");
        assert_eq!(&h[9..11], &[0x03, 0x01], "client_version TLS 1.0");
        let suites_len = u16::from_be_bytes([h[44], h[45]]) as usize;
        assert_eq!(suites_len, (LEGACY_SUITES.len() + 1) * 2);
        let text = String::from_utf8_lossy(&h);
        assert!(text.contains("plc.example"));
        let ssl3 = client_hello(Version::Ssl3, LEGACY_SUITES, Some("plc.example"));
        assert_eq!(&ssl3[1..3], &[3, 0]);
        assert!(!String::from_utf8_lossy(&ssl3).contains("plc.example"));
    }

    #[test]
    fn server_hello_versions_come_from_supported_versions() {
        let mut b = vec![0x03, 0x03];
        b.extend_from_slice(&[7u8; 32]);
        b.push(0);
        b.extend_from_slice(&[0x13, 0x01, 0x00]);
        b.extend_from_slice(&[0x00, 0x06, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04]);
        assert_eq!(parse_server_hello(&b), Some((0x0304, 0x1301)));
        assert_eq!(parse_server_hello(&b[..30]), None);
    }

    #[test]
    fn names_match_like_rfc_6125() {
        let a: IpAddr = "192.0.2.7".parse().unwrap();
        let names = vec!["*.plant.example".to_string(), "192.0.2.7".to_string()];
        assert!(names_match(&names, "plc1.plant.example", a));
        assert!(names_match(&names, "PLC1.plant.example.", a));
        assert!(!names_match(&names, "a.plc1.plant.example", a));
        assert!(!names_match(&names, "plant.example", a));
        assert!(names_match(&names, "192.0.2.7", a));
        assert!(!names_match(&["plc1".into()], "192.0.2.7", a));
    }
}
