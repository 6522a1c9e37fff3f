//! TLS to PostgreSQL with rustls (the ring provider the rest of tekigo uses), driven by
//! libpq's `sslmode` and `sslrootcert` in the database URL.
//!
//! tokio-postgres itself knows only `disable`, `prefer` and `require` and refuses any
//! other parameter, so [`connect_options`] takes `sslmode` and `sslrootcert` out of the
//! URL and decides the TLS setting here. The modes, as libpq defines them:
//!
//! | `sslmode`            | encrypted                   | server certificate checked        |
//! |----------------------|-----------------------------|-----------------------------------|
//! | `disable`            | never                       | -                                 |
//! | `prefer` (default)   | when the server offers TLS  | no                                |
//! | `require`            | always, or no connection    | chain, only with `sslrootcert`    |
//! | `verify-ca`          | always, or no connection    | chain to `sslrootcert`            |
//! | `verify-full`        | always, or no connection    | chain and the URL's host name     |
//!
//! `verify-ca` and `verify-full` read the trust anchors from `sslrootcert` (PEM), by
//! default `~/.postgresql/root.crt` as libpq does. `allow`, `sslrootcert=system`, client
//! certificates (`sslcert`, `sslkey`) and revocation lists are not supported and are
//! refused with a message, never ignored.

use crate::StoreError;
use postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::client::WebPkiServerVerifier;
use tokio_rustls::rustls::crypto::{ring, CryptoProvider};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::{
    self, CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

/// What the URL asks for: the URL as tokio-postgres accepts it, its mode, and the
/// connector every connection of the pool uses.
pub fn connect_options(url: &str) -> Result<(postgres::Config, Rustls), StoreError> {
    let bad = StoreError::Url;
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut mode = "prefer".to_string();
    let mut root: Option<PathBuf> = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => mode = percent_decode(value).map_err(bad)?,
            "sslrootcert" => root = Some(PathBuf::from(percent_decode(value).map_err(bad)?)),
            "sslcert" | "sslkey" | "sslcrl" | "sslcrldir" | "sslpassword" => {
                return Err(bad(format!(
                    "{key} is not supported (no client certificates or revocation lists)"
                )))
            }
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let mut config: postgres::Config = url.parse()?;
    // The trust anchors: sslrootcert, or libpq's default file when a mode needs them.
    let anchors = |file: &Path| {
        read_roots(file).map_err(|m| {
            bad(format!(
                "sslrootcert {} (for sslmode={mode}): {m}",
                file.display()
            ))
        })
    };
    let required = || -> Result<RootCertStore, StoreError> {
        match &root {
            Some(file) => anchors(file),
            None => {
                let home = std::env::var_os("HOME").ok_or_else(|| {
                    bad(format!("sslmode={mode} needs sslrootcert=FILE (no HOME)"))
                })?;
                anchors(&Path::new(&home).join(".postgresql/root.crt"))
            }
        }
    };
    let check = match mode.as_str() {
        "disable" | "prefer" => Check::Nothing,
        "require" => match &root {
            Some(file) => Check::Chain(anchors(file)?),
            None => Check::Nothing,
        },
        "verify-ca" => Check::Chain(required()?),
        "verify-full" => Check::ChainAndName(required()?),
        other => {
            return Err(bad(format!(
                "sslmode={other} is not supported: use disable, prefer, require, verify-ca \
                 or verify-full"
            )))
        }
    };
    config.ssl_mode(match mode.as_str() {
        "disable" => postgres::config::SslMode::Disable,
        "prefer" => postgres::config::SslMode::Prefer,
        _ => postgres::config::SslMode::Require,
    });
    Ok((config, Rustls::new(check)?))
}

/// `%XX` escapes of a URL parameter (a file path may need them).
fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("bad %-escape in {s:?}"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("{s:?} is not UTF-8 once decoded"))
}

fn read_roots(file: &Path) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(file).map_err(|e| e.to_string())? {
        store
            .add(cert.map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    }
    if store.is_empty() {
        return Err("no PEM CERTIFICATE block in the file".into());
    }
    Ok(store)
}

/// How much of the server's certificate is checked.
enum Check {
    /// Encryption only, as libpq's `prefer` and `require` without a root certificate:
    /// the handshake's signatures are still verified, the certificate is not.
    Nothing,
    /// The chain to the given anchors; the name is not compared (`verify-ca`).
    Chain(RootCertStore),
    /// The chain and the host name of the URL (`verify-full`).
    ChainAndName(RootCertStore),
}

/// The connector handed to `postgres`: one rustls client configuration for the pool.
#[derive(Clone)]
pub struct Rustls(Arc<ClientConfig>);

impl Rustls {
    fn new(check: Check) -> Result<Rustls, StoreError> {
        let provider = Arc::new(ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| StoreError::Url(format!("TLS: {e}")))?;
        let verifier = |roots: RootCertStore| {
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| StoreError::Url(format!("sslrootcert: {e}")))
        };
        let config = match check {
            Check::ChainAndName(roots) => builder
                .with_webpki_verifier(verifier(roots)?)
                .with_no_client_auth(),
            Check::Chain(roots) => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyName(verifier(roots)?)))
                .with_no_client_auth(),
            Check::Nothing => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(Unchecked(provider)))
                .with_no_client_auth(),
        };
        Ok(Rustls(Arc::new(config)))
    }
}

/// `verify-ca`: the web PKI's verdict, except that a name mismatch is accepted.
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

/// `prefer`/`require` without anchors: any certificate, but the handshake signatures
/// must be right for the key it carries.
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// One connection's handshake: the server name comes from the URL's host. A Unix socket
/// has none, and tokio-postgres asks for a connector all the same (PostgreSQL then
/// declines TLS on the socket, so the handshake never runs).
pub struct Connect(Arc<ClientConfig>, Option<ServerName<'static>>);

/// The encrypted connection, as tokio-postgres wants it.
pub struct Stream<S>(tokio_rustls::client::TlsStream<S>);

impl<S> MakeTlsConnect<S> for Rustls
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = Stream<S>;
    type TlsConnect = Connect;
    type Error = rustls::pki_types::InvalidDnsNameError;

    fn make_tls_connect(&mut self, host: &str) -> Result<Connect, Self::Error> {
        let name = match host {
            "" => None,
            _ => Some(ServerName::try_from(host.to_string())?),
        };
        Ok(Connect(self.0.clone(), name))
    }
}

impl<S> TlsConnect<S> for Connect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = Stream<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Stream<S>>> + Send>>;

    fn connect(self, socket: S) -> Self::Future {
        let Connect(config, name) = self;
        Box::pin(async move {
            let name = name.ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "TLS needs a host name")
            })?;
            let tls = tokio_rustls::TlsConnector::from(config)
                .connect(name, socket)
                .await?;
            Ok(Stream(tls))
        })
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for Stream<S> {
    /// No `tls-server-end-point` binding: SCRAM runs without `-PLUS`, which every
    /// PostgreSQL accepts unless it is told to demand channel binding.
    fn channel_binding(&self) -> ChannelBinding {
        ChannelBinding::none()
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for Stream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Stream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}
