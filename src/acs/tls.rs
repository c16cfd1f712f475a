//! TLS for `serve --tls-cert/--tls-key`: a rustls acceptor from PEM files.

use std::io::{Error, ErrorKind};
use std::sync::Arc;

use tokio_rustls::TlsAcceptor;

use super::server::ServerTls;

fn invalid(path: &std::path::Path, what: &str) -> Error {
    Error::new(
        ErrorKind::InvalidInput,
        format!("{}: {what}", path.display()),
    )
}

/// Reads the certificate chain and key and builds an acceptor; errors name the file.
pub fn acceptor(tls: &ServerTls) -> std::io::Result<TlsAcceptor> {
    let cert_pem = crate::input::read_bytes(&tls.cert)
        .map_err(|e| invalid(&tls.cert, &format!("the certificate {}", e.problem)))?;
    let certs =
        crate::transport::pem_certificates(&cert_pem).map_err(|e| invalid(&tls.cert, &e))?;
    let key_pem = crate::input::read_bytes(&tls.key)
        .map_err(|e| invalid(&tls.key, &format!("the private key {}", e.problem)))?;
    let key = crate::transport::pem_private_key(&key_pem).map_err(|e| invalid(&tls.key, &e))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| invalid(&tls.cert, &format!("TLS setup: {e}")))?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(|e| invalid(&tls.key, &format!("certificate and key do not match: {e}")))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}
