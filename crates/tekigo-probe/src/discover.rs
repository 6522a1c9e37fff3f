//! Which TCP ports are open, and what answers on each, told by what it says: a banner the
//! service sends first (SSH, FTP, Telnet), a TLS ServerHello, or the answer to a request
//! of the protocol (HTTP, MQTT, Modbus/TCP, OPC UA). Each guess is a new connection, and
//! only requests that read (no write function of Modbus, no publish in MQTT) are sent.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::net::{ConnectError, Net};
use crate::tls;
use crate::ProbeError;

/// What a port scan found.
#[derive(Debug, Default)]
pub struct Ports {
    pub open: Vec<u16>,
    pub closed: usize,
    /// No answer within the timeout (a firewall dropping, or a slow device).
    pub silent: usize,
    /// Ports not tried because the time limit was reached.
    pub not_tried: usize,
}

/// Connects to every port in `ports`, `concurrency` at a time under the rate limit.
/// Fails when the target cannot be reached at all.
pub fn tcp(net: &Net, ports: &[u16], concurrency: usize) -> Result<Ports, ProbeError> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let found = Mutex::new(Ports::default());
    let unreachable: Mutex<Option<String>> = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..concurrency.clamp(1, ports.len().max(1)) {
            s.spawn(|| loop {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&port) = ports.get(i) else { return };
                let r = net.connect(port);
                let mut f = found.lock().unwrap_or_else(|e| e.into_inner());
                match r {
                    Ok(_) => f.open.push(port),
                    Err(ConnectError::Probe(_)) => {
                        stop.store(true, Ordering::Relaxed);
                        f.not_tried += 1;
                    }
                    Err(e) if e.unreachable() => {
                        stop.store(true, Ordering::Relaxed);
                        *unreachable.lock().unwrap_or_else(|e| e.into_inner()) =
                            Some(e.to_string());
                    }
                    Err(ConnectError::Io(e)) if crate::net::is_timeout(&e) => f.silent += 1,
                    Err(_) => f.closed += 1,
                }
            });
        }
    });
    if let Some(e) = unreachable.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(ProbeError::Unreachable(net.target.addr.to_string(), e));
    }
    let mut f = found.into_inner().unwrap_or_else(|e| e.into_inner());
    let tried = f.open.len() + f.closed + f.silent;
    f.not_tried = ports.len().saturating_sub(tried);
    f.open.sort_unstable();
    Ok(f)
}

/// Parses a port list: `22,80,443`, ranges `1-1024`, or both; `-` alone is every port.
pub fn parse_ports(text: &str) -> Result<Vec<u16>, String> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (part, part),
        };
        let parse = |s: &str, default: u16| -> Result<u16, String> {
            if s.is_empty() {
                return Ok(default);
            }
            match s.parse::<u16>() {
                Ok(0) | Err(_) => Err(format!("{part:?}: ports are numbers from 1 to 65535")),
                Ok(p) => Ok(p),
            }
        };
        let (a, b) = (parse(a, 1)?, parse(b, 65535)?);
        if a > b {
            return Err(format!("{part:?}: the range is reversed"));
        }
        out.extend(a..=b);
    }
    out.sort_unstable();
    out.dedup();
    if out.is_empty() {
        return Err("no port given".into());
    }
    Ok(out)
}

/// Protocols the probe recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ssh,
    Telnet,
    Ftp,
    Http,
    Mqtt,
    Modbus,
    OpcUa,
    Smtp,
    Unknown,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Ssh => "ssh",
            Kind::Telnet => "telnet",
            Kind::Ftp => "ftp",
            Kind::Http => "http",
            Kind::Mqtt => "mqtt",
            Kind::Modbus => "modbus",
            Kind::OpcUa => "opcua",
            Kind::Smtp => "smtp",
            Kind::Unknown => "unknown",
        }
    }
}

/// A service on an open port.
#[derive(Debug, Clone)]
pub struct Service {
    pub port: u16,
    pub kind: Kind,
    /// Spoken inside TLS.
    pub tls: bool,
    /// What identified it, in a few words (the banner, the HTTP Server header).
    pub says: String,
}

impl Service {
    pub fn describe(&self) -> String {
        let mut s = if self.tls {
            format!("{} over TLS", self.kind.name())
        } else {
            self.kind.name().to_string()
        };
        if !self.says.is_empty() {
            s.push_str(&format!(": {}", self.says));
        }
        s
    }
}

/// How long a server-first protocol gets to speak.
const BANNER_WAIT: Duration = Duration::from_millis(1500);

fn text_line(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    let line = s
        .lines()
        .map(|l| l.trim_matches(|c: char| c.is_control() || c == ' '))
        .find(|l| !l.is_empty())
        .unwrap_or("");
    line.chars().filter(|c| !c.is_control()).take(100).collect()
}

/// What a server says first, if anything.
fn classify_banner(b: &[u8]) -> Option<(Kind, String)> {
    if b.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(b);
    if let Some(line) = text.lines().find(|l| l.starts_with("SSH-")) {
        return Some((Kind::Ssh, line.trim().to_string()));
    }
    if b[0] == 0xff {
        return Some((Kind::Telnet, String::new()));
    }
    if text.starts_with("220") {
        let kind = if text.to_ascii_uppercase().contains("SMTP") {
            Kind::Smtp
        } else {
            Kind::Ftp
        };
        return Some((kind, text_line(b)));
    }
    let lower = text.to_ascii_lowercase();
    if lower.trim_end().ends_with("login:") || lower.trim_end().ends_with("username:") {
        return Some((Kind::Telnet, String::new()));
    }
    Some((Kind::Unknown, text_line(b)))
}

/// The request each client-first protocol answers, and how to recognise the answer.
fn client_first(net: &Net, port: u16) -> Vec<(Kind, Vec<u8>)> {
    let url = format!("opc.tcp://{}:{port}", net.target.addr);
    let mut hel = Vec::new();
    hel.extend_from_slice(b"HELF");
    let size = 8 + 20 + 4 + url.len();
    hel.extend_from_slice(&(size as u32).to_le_bytes());
    for v in [0u32, 65536, 65536, 0, 0] {
        hel.extend_from_slice(&v.to_le_bytes());
    }
    hel.extend_from_slice(&(url.len() as i32).to_le_bytes());
    hel.extend_from_slice(url.as_bytes());
    let http = format!(
        "GET / HTTP/1.0\r\nHost: {}\r\nUser-Agent: tekigo-probe\r\n\r\n",
        host_header(net, port)
    )
    .into_bytes();
    // MQTT 3.1.1 CONNECT, clean session, client id "tekigo-probe", no credentials.
    let mut mqtt = vec![0x10, 0];
    mqtt.extend_from_slice(&[0, 4, b'M', b'Q', b'T', b'T', 4, 0x02, 0, 10, 0, 12]);
    mqtt.extend_from_slice(b"tekigo-probe");
    mqtt[1] = (mqtt.len() - 2) as u8;
    // Modbus/TCP: Read Device Identification (0x2B/0x0E, basic objects), unit 0xFF.
    let modbus = vec![0x74, 0x6b, 0, 0, 0, 5, 0xff, 0x2b, 0x0e, 0x01, 0x00];
    let mut order = vec![
        (Kind::Http, http),
        (Kind::Mqtt, mqtt),
        (Kind::OpcUa, hel),
        (Kind::Modbus, modbus),
    ];
    // The protocol of a well-known port is asked first.
    let first = match port {
        1883 | 8883 => Some(Kind::Mqtt),
        502 => Some(Kind::Modbus),
        4840 | 4843 => Some(Kind::OpcUa),
        _ => None,
    };
    if let Some(k) = first {
        order.sort_by_key(|(kind, _)| *kind != k);
    }
    order
}

pub fn host_header(net: &Net, port: u16) -> String {
    let host = match net.target.addr {
        std::net::IpAddr::V6(a) if net.target.named_by_address() => format!("[{a}]"),
        _ => net.target.name.clone(),
    };
    if port == 80 || port == 443 {
        host
    } else {
        format!("{host}:{port}")
    }
}

fn recognise(kind: Kind, b: &[u8]) -> Option<String> {
    match kind {
        Kind::Http if b.starts_with(b"HTTP/") => {
            let text = String::from_utf8_lossy(b);
            let server = text
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("server")
                        .then(|| v.trim().to_string())
                })
                .unwrap_or_default();
            Some(if server.is_empty() {
                text_line(b)
            } else {
                format!("{} (Server: {server})", text_line(b))
            })
        }
        Kind::Mqtt if b.len() >= 4 && b[0] == 0x20 && b[1] == 2 => Some(format!(
            "CONNACK return code {}{}",
            b[3],
            if b[3] == 0 {
                " (anonymous client accepted)"
            } else {
                ""
            }
        )),
        Kind::OpcUa if b.starts_with(b"ACKF") || b.starts_with(b"ERRF") => {
            Some(String::from_utf8_lossy(&b[..3]).into_owned())
        }
        Kind::Modbus if b.len() >= 8 && b[..4] == [0x74, 0x6b, 0, 0] && b[7] & 0x7f == 0x2b => {
            Some(if b[7] & 0x80 != 0 {
                "exception to Read Device Identification".into()
            } else {
                "Read Device Identification answered".into()
            })
        }
        _ => None,
    }
}

/// Identifies the service on `port`.
pub fn identify(net: &Net, port: u16) -> Service {
    let unknown = |says: String| Service {
        port,
        kind: Kind::Unknown,
        tls: false,
        says,
    };
    // 1. Server-first protocols.
    let Ok(mut conn) = net.connect(port) else {
        return unknown("closed while identifying".into());
    };
    let banner = conn
        .read_until(BANNER_WAIT.min(net.timeout), 4096, |b| {
            b.contains(&b'\n') || b[0] == 0xff
        })
        .unwrap_or_default();
    drop(conn);
    if let Some((kind, says)) = classify_banner(&banner) {
        return Service {
            port,
            kind,
            tls: false,
            says,
        };
    }
    // 2. TLS, and what it carries.
    if let Ok((reply, _)) = tls::offer(
        net,
        port,
        tls::Version::Tls12,
        &tls::suites_for(tls::Version::Tls12),
        tls::sni(net).as_deref(),
    ) {
        if matches!(reply, tls::Reply::Hello { .. } | tls::Reply::Alert { .. }) {
            return inside_tls(net, port);
        }
    }
    // 3. Client-first protocols.
    for (kind, request) in client_first(net, port) {
        let Ok(mut conn) = net.connect(port) else {
            break;
        };
        if conn.send(&request).is_err() {
            continue;
        }
        let answer = conn
            .read_until(BANNER_WAIT.min(net.timeout), 4096, |b| b.len() >= 4)
            .unwrap_or_default();
        if let Some(says) = recognise(kind, &answer) {
            return Service {
                port,
                kind,
                tls: false,
                says,
            };
        }
    }
    unknown(String::new())
}

fn inside_tls(net: &Net, port: u16) -> Service {
    let request = format!(
        "GET / HTTP/1.0\r\nHost: {}\r\nUser-Agent: tekigo-probe\r\n\r\n",
        host_header(net, port)
    );
    let (kind, says) = match tls::handshake(net, port) {
        Ok(mut s) => {
            let answer = s.talk(BANNER_WAIT.min(net.timeout), request.as_bytes(), 4096);
            let version = s.version.clone();
            match classify_banner(&answer) {
                Some((Kind::Unknown, _)) | None => match recognise(Kind::Http, &answer) {
                    Some(says) => (Kind::Http, format!("{version}, {says}")),
                    None => (Kind::Unknown, version),
                },
                Some((kind, says)) => (kind, format!("{version}, {says}")),
            }
        }
        Err(e) => (Kind::Unknown, format!("handshake failed: {e}")),
    };
    Service {
        port,
        kind,
        tls: true,
        says,
    }
}

/// Identifies every open port, a few at a time.
pub fn identify_all(net: &Net, open: &[u16], concurrency: usize) -> Vec<Service> {
    let next = AtomicUsize::new(0);
    let out = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..concurrency.clamp(1, 8).min(open.len().max(1)) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&port) = open.get(i) else { return };
                if net.expired() {
                    return;
                }
                let svc = identify(net, port);
                out.lock().unwrap_or_else(|e| e.into_inner()).push(svc);
            });
        }
    });
    let mut v = out.into_inner().unwrap_or_else(|e| e.into_inner());
    v.sort_by_key(|s| s.port);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_lists_take_numbers_and_ranges() {
        assert_eq!(parse_ports("22, 80,443").unwrap(), [22, 80, 443]);
        assert_eq!(parse_ports("20-23,22").unwrap(), [20, 21, 22, 23]);
        assert_eq!(parse_ports("-").unwrap().len(), 65535);
        assert_eq!(parse_ports("65530-").unwrap().len(), 6);
        for bad in ["0", "70000", "ssh", "30-20", ""] {
            assert!(parse_ports(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn banners_tell_server_first_protocols() {
        assert_eq!(
            classify_banner(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"),
            Some((Kind::Ssh, "SSH-2.0-OpenSSH_9.2p1 Debian-2".into()))
        );
        assert_eq!(classify_banner(b"\xff\xfd\x01").unwrap().0, Kind::Telnet);
        assert_eq!(
            classify_banner(b"220 (vsFTPd 3.0.3)\r\n").unwrap().0,
            Kind::Ftp
        );
        assert_eq!(
            classify_banner(b"220 mx ESMTP Postfix\r\n").unwrap().0,
            Kind::Smtp
        );
        assert_eq!(
            classify_banner(b"device-1 login: ").unwrap().0,
            Kind::Telnet
        );
        assert_eq!(classify_banner(b""), None);
    }

    #[test]
    fn answers_tell_client_first_protocols() {
        assert_eq!(
            recognise(Kind::Http, b"HTTP/1.0 200 OK\r\nServer: lighttpd\r\n\r\n").unwrap(),
            "HTTP/1.0 200 OK (Server: lighttpd)"
        );
        assert!(recognise(Kind::Mqtt, &[0x20, 2, 0, 0])
            .unwrap()
            .contains("anonymous"));
        assert!(recognise(Kind::Modbus, &[0x74, 0x6b, 0, 0, 0, 3, 0xff, 0xab, 1]).is_some());
        assert!(recognise(Kind::OpcUa, b"ACKF\x1c\0\0\0").is_some());
        assert!(recognise(Kind::Http, b"SSH-2.0-x").is_none());
    }
}
