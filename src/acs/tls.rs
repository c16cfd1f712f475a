//! TLS for `serve --tls-cert/--tls-key`: a rustls acceptor from PEM files.

use std::io::{Error, ErrorKind};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
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
    let certs: Vec<CertificateDer<'static>> = rustls_pemfile::certs(&mut cert_pem.as_slice())
        .collect::<Result<_, _>>()
        .map_err(|e| invalid(&tls.cert, &format!("not a PEM certificate file: {e}")))?;
    if certs.is_empty() {
        return Err(invalid(
            &tls.cert,
            "no CERTIFICATE block found; give a PEM certificate chain",
        ));
    }
    let key_pem = crate::input::read_bytes(&tls.key)
        .map_err(|e| invalid(&tls.key, &format!("the private key {}", e.problem)))?;
    let key: PrivateKeyDer<'static> = rustls_pemfile::private_key(&mut key_pem.as_slice())
        .map_err(|e| invalid(&tls.key, &format!("not a PEM key file: {e}")))?
        .ok_or_else(|| {
            invalid(
                &tls.key,
                "no PRIVATE KEY block found; give a PEM private key",
            )
        })?;
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
