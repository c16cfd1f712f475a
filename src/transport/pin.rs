//! Trusting the certificates of a `--ca` file (profile `tls.ca`), pins included. A self-signed
//! server certificate made the common way (`openssl req -x509 ...`, which marks it CA:TRUE) is
//! refused by WebPKI as the server's own certificate (`CaUsedAsEndEntity`). As curl does, a
//! server certificate that is byte for byte one of the certificates in the file is accepted as
//! pinned; its name and its dates are still checked. Everything else goes through WebPKI.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, Error, SignatureScheme};

/// WebPKI over the file's certificates, then the exact certificates of the file as pins.
#[derive(Debug)]
pub struct CaFileVerifier {
    webpki: Arc<WebPkiServerVerifier>,
    pinned: Vec<CertificateDer<'static>>,
}

impl CaFileVerifier {
    /// A verifier trusting `certs` as CAs, and each of them as a pinned server certificate.
    pub fn new(webpki: Arc<WebPkiServerVerifier>, certs: Vec<CertificateDer<'static>>) -> Self {
        CaFileVerifier {
            webpki,
            pinned: certs,
        }
    }
}

impl ServerCertVerifier for CaFileVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let verdict = self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        match verdict {
            Err(_)
                if self
                    .pinned
                    .iter()
                    .any(|p| p.as_ref() == end_entity.as_ref()) =>
            {
                let parsed = ParsedCertificate::try_from(end_entity)?;
                rustls::client::verify_server_name(&parsed, server_name)?;
                let (not_before, not_after) =
                    validity(end_entity.as_ref()).ok_or(CertificateError::BadEncoding)?;
                let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
                if now < not_before {
                    return Err(CertificateError::NotValidYet.into());
                }
                if now > not_after {
                    return Err(CertificateError::Expired.into());
                }
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// One DER element at the start of `input`: its tag, its contents and what follows it.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 {
            return None;
        }
        let len = rest
            .get(..n)?
            .iter()
            .fold(0usize, |acc, &b| acc << 8 | usize::from(b));
        (len, rest.get(n..)?)
    };
    Some((tag, rest.get(..len)?, rest.get(len..)?))
}

/// The certificate's notBefore and notAfter (RFC 5280 4.1.2.5), in seconds since 1970.
fn validity(cert: &[u8]) -> Option<(i64, i64)> {
    let (_, certificate, _) = element(cert)?;
    let (_, tbs, _) = element(certificate)?;
    let mut rest = tbs;
    // The version is an optional [0] EXPLICIT element; then serial, signature, issuer.
    if rest.first() == Some(&0xA0) {
        rest = element(rest)?.2;
    }
    for _ in 0..3 {
        rest = element(rest)?.2;
    }
    let (_, validity, _) = element(rest)?;
    let (tag1, not_before, after) = element(validity)?;
    let (tag2, not_after, _) = element(after)?;
    Some((time(tag1, not_before)?, time(tag2, not_after)?))
}

/// A UTCTime (YYMMDDHHMMSSZ, years 1950-2049) or GeneralizedTime (YYYYMMDDHHMMSSZ).
fn time(tag: u8, bytes: &[u8]) -> Option<i64> {
    const UTC_TIME: u8 = 0x17;
    const GENERALIZED_TIME: u8 = 0x18;
    let text = std::str::from_utf8(bytes).ok()?.strip_suffix('Z')?;
    let full = match tag {
        UTC_TIME => {
            let yy: u8 = text.get(..2)?.parse().ok()?;
            format!("{}{text}", if yy >= 50 { "19" } else { "20" })
        }
        GENERALIZED_TIME => text.to_string(),
        _ => return None,
    };
    chrono::NaiveDateTime::parse_from_str(&full, "%Y%m%d%H%M%S")
        .ok()
        .map(|t| t.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_is_read_in_both_time_forms() {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        params.not_before = rcgen::date_time_ymd(2001, 2, 3);
        params.not_after = rcgen::date_time_ymd(2060, 1, 1);
        let cert = params.self_signed(&key).unwrap();
        let (from, to) = validity(cert.der()).unwrap();
        assert_eq!(from, 981_158_400, "2001-02-03 00:00:00 UTC (UTCTime)");
        assert_eq!(
            to, 2_840_140_800,
            "2060-01-01 00:00:00 UTC (GeneralizedTime)"
        );
        assert_eq!(validity(b"\x30\x03\x02\x01\x00"), None);
        assert_eq!(element(b"\x30\x85\x00\x00\x00\x00\x01"), None);
    }
}
