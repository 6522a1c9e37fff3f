//! A webhook receiver for the tests of the watch (`tekigo vuln watch`, the server's
//! `vulndb-import`): a plain HTTP/1.1 server on a local port, independent of tekigo's
//! client, that records each request and can fail the first ones. Included by path.
#![allow(dead_code)] // not every test that includes it makes the receiver fail

/// The requests a receiver accepted: head and body of each.
pub type Requests = std::sync::Arc<std::sync::Mutex<Vec<(String, Vec<u8>)>>>;

/// A webhook receiver on a local port: records each request's headers and body, and
/// answers 500 to the first `fail_first` requests.
pub struct Receiver {
    pub url: String,
    pub got: Requests,
    pub fail: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

pub fn receiver() -> Receiver {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let got: Requests = Default::default();
    let fail = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (g, f) = (got.clone(), fail.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                head.push_str(&line);
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let failing = f
                .fetch_update(
                    std::sync::atomic::Ordering::SeqCst,
                    std::sync::atomic::Ordering::SeqCst,
                    |n| n.checked_sub(1),
                )
                .is_ok();
            let status = if failing {
                "500 Internal Server Error"
            } else {
                g.lock().unwrap().push((head, body));
                "204 No Content"
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    Receiver { url, got, fail }
}
