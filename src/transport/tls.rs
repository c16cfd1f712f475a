//! TLS over the TCP stream with rustls and the ring provider: system roots or a CA file (whose
//! certificates also pin a self-signed server certificate, see `pin`), an optional client
//! certificate, an SNI name, and an explicit `insecure` mode. A failed handshake is one line
//! saying what to do.

use std::path::Path;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::TlsOptions;
use super::connect::{Endpoint, Stream};
use super::error::TransportError;
use super::pin::CaFileVerifier;

/// Performs the TLS handshake on `tcp`.
pub async fn wrap(
    tcp: TcpStream,
    config: ClientConfig,
    endpoint: &Endpoint,
    shown: &str,
    opts: &TlsOptions,
) -> Result<Box<dyn Stream>, TransportError> {
    let name = opts.sni.clone().unwrap_or_else(|| endpoint.host.clone());
    let server_name = ServerName::try_from(name.clone()).map_err(|e| TransportError::Tls {
        endpoint: shown.to_string(),
        reason: format!("{name:?} is not a valid server name for SNI: {e}"),
    })?;
    let stream = TlsConnector::from(Arc::new(config))
        .connect(server_name, tcp)
        .await
        .map_err(|e| TransportError::Tls {
            endpoint: shown.to_string(),
            reason: handshake_failure(&e, opts),
        })?;
    Ok(Box::new(stream))
}

/// One line saying why the handshake failed and what to do about it.
fn handshake_failure(e: &std::io::Error, opts: &TlsOptions) -> String {
    let Some(tls) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    else {
        return e.to_string();
    };
    let ca = if opts.ca.is_some() {
        "the --ca file (tls.ca)"
    } else {
        "--ca FILE (profile: tls.ca)"
    };
    match tls {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => format!(
            "the server's certificate is not signed by a CA trusted here; give its CA certificate, or the server's own certificate to pin it, with {ca} (--insecure skips the check on test servers)"
        ),
        rustls::Error::InvalidCertificate(CertificateError::Other(other))
            if format!("{other:?}").contains("CaUsedAsEndEntity") =>
        {
            let what = "the server presents a CA certificate (CA:TRUE, as `openssl req -x509` makes them) as its own";
            if opts.ca.is_some() {
                format!(
                    "{what}, and it is not in the --ca file (tls.ca); put the server's certificate there to pin it"
                )
            } else {
                format!("{what}; give that certificate with {ca} to pin it")
            }
        }
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => format!(
            "{tls}; connect by a name the certificate holds, or give one with --sni NAME (profile: tls.sni)"
        ),
        rustls::Error::InvalidCertificate(
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. },
        ) => format!("{tls}; the server needs a current certificate (check this machine's clock)"),
        other => other.to_string(),
    }
}

/// Builds the rustls client configuration from the options (files are read here).
pub fn client_config(opts: &TlsOptions, shown: &str) -> Result<ClientConfig, TransportError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TransportError::Tls {
            endpoint: shown.to_string(),
            reason: e.to_string(),
        })?;
    let builder = if opts.insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAny(
                provider.signature_verification_algorithms,
            )))
    } else if let Some(ca) = &opts.ca {
        let certs = load_certs(ca, "CA file")?;
        let mut store = RootCertStore::empty();
        for cert in &certs {
            store
                .add(cert.clone())
                .map_err(|e| TransportError::TlsConfig {
                    what: "CA file",
                    path: ca.display().to_string(),
                    reason: format!("holds a certificate that cannot be a trust anchor: {e}"),
                })?;
        }
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider.clone())
            .build()
            .map_err(|e| TransportError::TlsConfig {
                what: "CA file",
                path: ca.display().to_string(),
                reason: e.to_string(),
            })?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(CaFileVerifier::new(webpki, certs)))
    } else {
        builder.with_root_certificates(system_roots(shown)?)
    };
    match (&opts.cert, &opts.key) {
        (None, None) => Ok(builder.with_no_client_auth()),
        (Some(cert), Some(key)) => {
            let chain = load_certs(cert, "client certificate")?;
            let key_der = load_key(key)?;
            builder
                .with_client_auth_cert(chain, key_der)
                .map_err(|e| TransportError::TlsConfig {
                    what: "private key",
                    path: key.display().to_string(),
                    reason: format!("does not fit the client certificate: {e}"),
                })
        }
        (Some(cert), None) => Err(TransportError::TlsConfig {
            what: "client certificate",
            path: cert.display().to_string(),
            reason: "has no private key; give the key file too".into(),
        }),
        (None, Some(key)) => Err(TransportError::TlsConfig {
            what: "private key",
            path: key.display().to_string(),
            reason: "has no client certificate; give the certificate file too".into(),
        }),
    }
}

fn system_roots(shown: &str) -> Result<RootCertStore, TransportError> {
    let mut store = RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    store.add_parsable_certificates(found.certs);
    if store.is_empty() {
        return Err(TransportError::Tls {
            endpoint: shown.to_string(),
            reason: "no system root certificates were found; give the server's CA with --ca FILE"
                .into(),
        });
    }
    Ok(store)
}

fn read(path: &Path, what: &'static str) -> Result<Vec<u8>, TransportError> {
    crate::input::read_bytes(path).map_err(|e| TransportError::TlsConfig {
        what,
        path: path.display().to_string(),
        reason: e.problem,
    })
}

fn load_certs(
    path: &Path,
    what: &'static str,
) -> Result<Vec<CertificateDer<'static>>, TransportError> {
    let bytes = read(path, what)?;
    pem_certificates(&bytes).map_err(|reason| TransportError::TlsConfig {
        what,
        path: path.display().to_string(),
        reason,
    })
}

fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, TransportError> {
    let bytes = read(path, "private key")?;
    pem_private_key(&bytes).map_err(|reason| TransportError::TlsConfig {
        what: "private key",
        path: path.display().to_string(),
        reason,
    })
}

/// Every certificate in PEM text (rustls-pki-types' `PemObject`); at least one, or why not.
pub fn pem_certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("is not valid PEM: {e}"))?;
    if certs.is_empty() {
        return Err(
            "holds no PEM certificate (-----BEGIN CERTIFICATE-----); give a PEM certificate file"
                .into(),
        );
    }
    Ok(certs)
}

/// The first private key in PEM text (PKCS#8, PKCS#1 or SEC1), or why there is none.
pub fn pem_private_key(pem: &[u8]) -> Result<PrivateKeyDer<'static>, String> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|e| match e {
        pem::Error::NoItemsFound => {
            "holds no PEM private key (-----BEGIN PRIVATE KEY-----, PKCS#8, PKCS#1 or SEC1); give the key file".into()
        }
        e => format!("is not valid PEM: {e}"),
    })
}

/// The `insecure` verifier: any certificate is accepted, but handshake signatures are still
/// checked so the connection is at least consistent with the certificate presented.
#[derive(Debug)]
struct AcceptAny(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_empty_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "").unwrap();
        let opts = TlsOptions {
            ca: Some(empty.clone()),
            ..TlsOptions::default()
        };
        let e = client_config(&opts, "h:1").unwrap_err().to_string();
        assert!(
            e.contains("empty.pem") && e.contains("no PEM certificate"),
            "{e}"
        );
        let opts = TlsOptions {
            ca: Some(dir.path().join("absent.pem")),
            ..TlsOptions::default()
        };
        let e = client_config(&opts, "h:1").unwrap_err().to_string();
        assert!(
            e.contains("absent.pem") && e.contains("does not exist"),
            "{e}"
        );
    }

    #[test]
    fn pem_files_without_a_certificate_or_key_say_so() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        assert_eq!(pem_certificates(cert.pem().as_bytes()).unwrap().len(), 1);
        assert!(pem_private_key(key.serialize_pem().as_bytes()).is_ok());
        let e = pem_private_key(cert.pem().as_bytes()).unwrap_err();
        assert!(e.contains("holds no PEM private key"), "{e}");
        let e = pem_certificates(key.serialize_pem().as_bytes()).unwrap_err();
        assert!(e.contains("holds no PEM certificate"), "{e}");
        let e = pem_certificates(b"-----BEGIN CERTIFICATE-----\nnot base64!\n").unwrap_err();
        assert!(e.contains("is not valid PEM"), "{e}");
    }

    #[test]
    fn a_certificate_without_a_key_is_refused() {
        let opts = TlsOptions {
            insecure: true,
            cert: Some("client.pem".into()),
            ..TlsOptions::default()
        };
        let e = client_config(&opts, "h:1").unwrap_err().to_string();
        assert!(e.contains("has no private key"), "{e}");
    }
}
