//! The only way the probe reaches the network. A [`Net`] holds one socket address, the one
//! the user named, so nothing else can be contacted; every connection waits for its turn
//! under the rate limit and gives up at the global deadline.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tekigo_verdict::{Direction, Evidence, Exchange};

use crate::ProbeError;

/// The device under test: the name the user gave and the one address used.
#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    pub addr: IpAddr,
    /// Other addresses the name resolved to, which are not probed.
    pub not_probed: Vec<IpAddr>,
}

impl Target {
    /// Resolves `name` (a host name or a literal address). A name with several addresses
    /// uses the first IPv4 one (or the first), and says which were left out.
    pub fn resolve(name: &str) -> Result<Target, ProbeError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ProbeError::Target("the target is empty".into()));
        }
        let bare = name.trim_start_matches('[').trim_end_matches(']');
        if let Ok(addr) = bare.parse::<IpAddr>() {
            return Ok(Target {
                name: name.to_string(),
                addr,
                not_probed: Vec::new(),
            });
        }
        let addrs: Vec<IpAddr> = (bare, 0)
            .to_socket_addrs()
            .map_err(|e| ProbeError::Target(format!("{name}: cannot resolve: {e}")))?
            .map(|a| a.ip())
            .fold(Vec::new(), |mut v, a| {
                if !v.contains(&a) {
                    v.push(a);
                }
                v
            });
        let chosen = addrs
            .iter()
            .find(|a| a.is_ipv4())
            .or(addrs.first())
            .copied()
            .ok_or_else(|| ProbeError::Target(format!("{name}: resolves to no address")))?;
        Ok(Target {
            name: name.to_string(),
            addr: chosen,
            not_probed: addrs.into_iter().filter(|a| *a != chosen).collect(),
        })
    }

    /// True when `name` is an address rather than a host name.
    pub fn named_by_address(&self) -> bool {
        self.name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok()
    }
}

/// Connections to the target, paced and bounded in time.
pub struct Net {
    pub target: Target,
    /// New connections (TCP connects, UDP requests) per second, at most.
    rate: u32,
    next_slot: Mutex<Instant>,
    deadline: Instant,
    /// How long one connect or one read may take.
    pub timeout: Duration,
}

impl Net {
    pub fn new(target: Target, rate: u32, max_time: Duration, timeout: Duration) -> Net {
        let now = Instant::now();
        Net {
            target,
            rate: rate.max(1),
            next_slot: Mutex::new(now),
            deadline: now + max_time,
            timeout,
        }
    }

    pub fn addr(&self, port: u16) -> SocketAddr {
        SocketAddr::new(self.target.addr, port)
    }

    /// Time left before the global limit.
    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    pub fn expired(&self) -> bool {
        self.remaining().is_zero()
    }

    /// Takes the next connection slot under the rate limit: how long to wait for it.
    pub fn reserve(&self) -> Result<Duration, ProbeError> {
        let wait = {
            let mut next = self.next_slot.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let slot = (*next).max(now);
            *next = slot + Duration::from_secs(1) / self.rate;
            slot - now
        };
        if wait >= self.remaining() {
            return Err(ProbeError::TimeLimit);
        }
        Ok(wait)
    }

    /// Waits for the next connection slot under the rate limit.
    pub fn pace(&self) -> Result<(), ProbeError> {
        std::thread::sleep(self.reserve()?);
        Ok(())
    }

    /// A bound for one operation: the per-step timeout or what is left of the global one.
    pub fn bound(&self, d: Duration) -> Result<Duration, ProbeError> {
        let left = self.remaining();
        if left.is_zero() {
            return Err(ProbeError::TimeLimit);
        }
        Ok(d.min(left).max(Duration::from_millis(1)))
    }

    /// Opens a TCP connection to `port` of the target.
    pub fn connect(&self, port: u16) -> Result<Conn, ConnectError> {
        self.pace().map_err(ConnectError::Probe)?;
        let timeout = self.bound(self.timeout).map_err(ConnectError::Probe)?;
        let stream =
            TcpStream::connect_timeout(&self.addr(port), timeout).map_err(ConnectError::Io)?;
        let _ = stream.set_nodelay(true);
        Ok(Conn {
            stream,
            port,
            transcript: Transcript::default(),
            read_timeout: self.timeout,
        })
    }

    /// Sends one UDP datagram to `port` and waits for one answer.
    pub fn udp_request(
        &self,
        port: u16,
        request: &[u8],
        transcript: &mut Transcript,
        shown: &str,
    ) -> Result<Option<Vec<u8>>, ProbeError> {
        self.pace()?;
        let local: SocketAddr = match self.target.addr {
            IpAddr::V4(_) => "0.0.0.0:0".parse().expect("literal address"),
            IpAddr::V6(_) => "[::]:0".parse().expect("literal address"),
        };
        let socket = UdpSocket::bind(local).map_err(ProbeError::io("UDP socket"))?;
        socket
            .connect(self.addr(port))
            .map_err(ProbeError::io("UDP connect"))?;
        socket
            .set_read_timeout(Some(self.bound(self.timeout)?))
            .map_err(ProbeError::io("UDP socket"))?;
        transcript.sent_text(shown);
        socket.send(request).map_err(ProbeError::io("UDP send"))?;
        let mut buf = vec![0u8; 4096];
        match socket.recv(&mut buf) {
            Ok(n) => {
                buf.truncate(n);
                transcript.received(&buf);
                Ok(Some(buf))
            }
            Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::ConnectionRefused => {
                transcript.event(&format!("no answer ({e})"));
                Ok(None)
            }
            Err(e) => Err(ProbeError::Io("UDP receive".into(), e)),
        }
    }
}

/// Why a connection could not be opened.
#[derive(Debug)]
pub enum ConnectError {
    Io(io::Error),
    Probe(ProbeError),
}

impl ConnectError {
    /// The target cannot be reached at all (no route), as opposed to a closed port.
    pub fn unreachable(&self) -> bool {
        match self {
            ConnectError::Io(e) => matches!(
                e.kind(),
                io::ErrorKind::NetworkUnreachable
                    | io::ErrorKind::HostUnreachable
                    | io::ErrorKind::AddrNotAvailable
            ),
            ConnectError::Probe(_) => false,
        }
    }
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectError::Io(e) => write!(f, "{e}"),
            ConnectError::Probe(e) => write!(f, "{e}"),
        }
    }
}

pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// One TCP connection with the transcript of everything sent and received on it.
pub struct Conn {
    pub stream: TcpStream,
    pub port: u16,
    pub transcript: Transcript,
    read_timeout: Duration,
}

impl Conn {
    pub fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.transcript.sent(bytes);
        self.stream.write_all(bytes)
    }

    /// Sends bytes that contain `secret`; the transcript shows it masked.
    pub fn send_secret(&mut self, bytes: &[u8], secret: &str) -> io::Result<()> {
        self.transcript.sent_masked(bytes, secret);
        self.stream.write_all(bytes)
    }

    /// Reads what arrives within `wait` (bounded to `max` bytes), stopping early when
    /// `done` says the answer is complete. An empty result means the peer said nothing.
    pub fn read_until(
        &mut self,
        wait: Duration,
        max: usize,
        done: impl Fn(&[u8]) -> bool,
    ) -> io::Result<Vec<u8>> {
        let end = Instant::now() + wait;
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        while out.len() < max {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            self.stream.set_read_timeout(Some(left))?;
            match self.stream.read(&mut buf) {
                Ok(0) => {
                    self.transcript.event("connection closed by the device");
                    break;
                }
                Ok(n) => {
                    self.transcript.received(&buf[..n]);
                    out.extend_from_slice(&buf[..n]);
                    if done(&out) {
                        break;
                    }
                }
                Err(e) if is_timeout(&e) => break,
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {
                    self.transcript.event("connection reset by the device");
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        out.truncate(max);
        Ok(out)
    }

    /// Reads with the probe's per-read timeout.
    pub fn read_some(&mut self, max: usize, done: impl Fn(&[u8]) -> bool) -> io::Result<Vec<u8>> {
        self.read_until(self.read_timeout, max, done)
    }

    /// Reads exactly `n` bytes or fails.
    pub fn read_exact(&mut self, n: usize) -> io::Result<Vec<u8>> {
        self.stream.set_read_timeout(Some(self.read_timeout))?;
        let mut out = vec![0u8; n];
        self.stream.read_exact(&mut out)?;
        self.transcript.received(&out);
        Ok(out)
    }

    /// Evidence for this connection: the port and the transcript.
    pub fn evidence(self) -> Evidence {
        let _ = self.stream.shutdown(Shutdown::Both);
        self.transcript.evidence(self.port)
    }
}

/// Most lines kept per transcript and characters per line: evidence stays readable and a
/// chatty or hostile device cannot make the report large.
const MAX_EXCHANGES: usize = 40;
const MAX_TEXT: usize = 240;

/// What was sent and received, as printable text with secrets masked.
#[derive(Debug, Default, Clone)]
pub struct Transcript {
    pub lines: Vec<Exchange>,
    dropped: usize,
}

impl Transcript {
    fn push(&mut self, direction: Direction, text: String) {
        if self.lines.len() >= MAX_EXCHANGES {
            self.dropped += 1;
            return;
        }
        self.lines.push(Exchange {
            at: now(),
            direction,
            text,
        });
    }

    pub fn sent(&mut self, bytes: &[u8]) {
        self.push(Direction::Sent, printable(bytes));
    }

    pub fn sent_text(&mut self, text: &str) {
        self.push(Direction::Sent, bounded(text));
    }

    pub fn sent_masked(&mut self, bytes: &[u8], secret: &str) {
        self.push(Direction::Sent, printable(&mask(bytes, secret)));
    }

    pub fn received(&mut self, bytes: &[u8]) {
        self.push(Direction::Received, printable(bytes));
    }

    pub fn received_text(&mut self, text: &str) {
        self.push(Direction::Received, bounded(text));
    }

    pub fn event(&mut self, text: &str) {
        self.push(Direction::Event, bounded(text));
    }

    pub fn evidence(mut self, port: u16) -> Evidence {
        if self.dropped > 0 {
            let n = self.dropped;
            self.dropped = 0;
            self.lines.push(Exchange {
                at: now(),
                direction: Direction::Event,
                text: format!("{n} more exchange(s) not kept"),
            });
        }
        Evidence {
            port: Some(port),
            protocol: Some("tcp".into()),
            transcript: self.lines,
            ..Evidence::default()
        }
    }
}

/// The mask that replaces a secret in every transcript.
pub const MASK: &str = "********";

/// `bytes` with every occurrence of `secret` replaced by [`MASK`].
pub fn mask(bytes: &[u8], secret: &str) -> Vec<u8> {
    let s = secret.as_bytes();
    if s.is_empty() {
        return bytes.to_vec();
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(s) {
            out.extend_from_slice(MASK.as_bytes());
            i += s.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// Printable text: ASCII printable bytes and valid UTF-8 letters as they are, CR and LF as
/// `\r` `\n`, everything else `\xNN`; at most [`MAX_TEXT`] characters.
pub fn printable(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut push = |out: &mut String, piece: &str| -> bool {
        if count >= MAX_TEXT {
            return false;
        }
        out.push_str(piece);
        count += 1;
        true
    };
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            let piece = match c {
                '\r' => "\\r".to_string(),
                '\n' => "\\n".to_string(),
                '\t' => "\\t".to_string(),
                c if c.is_control() => format!("\\x{:02x}", c as u32),
                c => c.to_string(),
            };
            if !push(&mut out, &piece) {
                out.push_str(&format!("… ({} bytes in all)", bytes.len()));
                return out;
            }
        }
        for b in chunk.invalid() {
            if !push(&mut out, &format!("\\x{b:02x}")) {
                out.push_str(&format!("… ({} bytes in all)", bytes.len()));
                return out;
            }
        }
    }
    out
}

fn bounded(text: &str) -> String {
    printable(text.as_bytes())
}

/// The current time, RFC 3339 UTC with milliseconds.
pub fn now() -> String {
    let t = time::OffsetDateTime::now_utc();
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    t.format(&format).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_wherever_they_occur() {
        let sent = mask(b"USER root\r\nPASS hunter2hunter2\r\n", "hunter2");
        assert_eq!(sent, b"USER root\r\nPASS ****************\r\n");
        assert!(!printable(&sent).contains("hunter2"));
    }

    #[test]
    fn transcripts_are_printable_and_bounded() {
        assert_eq!(
            printable(b"SSH-2.0-x\r\n\xff\xfb\x01"),
            "SSH-2.0-x\\r\\n\\xff\\xfb\\x01"
        );
        let long = printable(&[b'a'; 1000]);
        assert!(long.starts_with(&"a".repeat(MAX_TEXT)));
        assert!(long.ends_with("(1000 bytes in all)"));
        let mut t = Transcript::default();
        for _ in 0..100 {
            t.sent(b"x");
        }
        let e = t.evidence(23);
        assert_eq!(e.transcript.len(), MAX_EXCHANGES + 1);
        assert_eq!(e.port, Some(23));
    }

    #[test]
    fn a_literal_address_is_used_as_given_and_no_name_is_an_error() {
        let t = Target::resolve("127.0.0.1").unwrap();
        assert_eq!(t.addr.to_string(), "127.0.0.1");
        assert!(t.named_by_address());
        let t = Target::resolve("[::1]").unwrap();
        assert_eq!(t.addr.to_string(), "::1");
        assert!(Target::resolve("  ").is_err());
        assert!(Target::resolve("no-such-host.invalid").is_err());
    }
}
