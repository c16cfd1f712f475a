//! Opening the byte stream: endpoint parsing, name resolution, TCP connect under the connect
//! timeout, then TLS on top when asked for.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::error::{TransportError, Wait};
use super::{ConnectOptions, tls};

/// A byte stream to a server: plain TCP or TLS over TCP.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// An endpoint split into host and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The host name or address, without IPv6 brackets.
    pub host: String,
    /// The port.
    pub port: u16,
}

/// Splits "host:port" or "\[v6\]:port".
pub fn parse_endpoint(endpoint: &str) -> Result<Endpoint, TransportError> {
    let bad = |reason: &str| TransportError::BadEndpoint {
        endpoint: endpoint.to_string(),
        reason: reason.to_string(),
    };
    let (host, port) = if let Some(rest) = endpoint.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| bad("has no closing ']'"))?;
        let port = after
            .strip_prefix(':')
            .ok_or_else(|| bad("has no port after ']'"))?;
        (host, port)
    } else {
        let (host, port) = endpoint
            .rsplit_once(':')
            .ok_or_else(|| bad("has no port"))?;
        if host.contains(':') {
            return Err(bad("looks like an IPv6 address without brackets"));
        }
        (host, port)
    };
    if host.is_empty() {
        return Err(bad("has no host"));
    }
    let port = port
        .parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| bad("has no valid port (1-65535)"))?;
    Ok(Endpoint {
        host: host.to_string(),
        port,
    })
}

/// Connects to `opts.endpoint`, every address of the name in turn, then wraps it in TLS if asked.
pub async fn open(opts: &ConnectOptions) -> Result<Box<dyn Stream>, TransportError> {
    let endpoint = parse_endpoint(&opts.endpoint)?;
    // Read the TLS files first: a missing CA file is the user's to fix, whatever the network says.
    let tls_config = match &opts.tls {
        Some(t) => Some((tls::client_config(t, &opts.endpoint)?, t)),
        None => None,
    };
    let limit = opts.timeouts.connect;
    let timeout = || TransportError::Timeout {
        wait: Wait::Connect,
        after: limit,
        request: None,
        received_so_far: Vec::new(),
    };
    let deadline = tokio::time::Instant::now() + limit;
    let tcp = tokio::time::timeout_at(deadline, tcp_connect(&endpoint, &opts.endpoint))
        .await
        .map_err(|_| timeout())??;
    // Requests are small and answered one at a time; Nagle would only add latency.
    let _ = tcp.set_nodelay(true);
    match tls_config {
        None => Ok(Box::new(tcp)),
        Some((config, t)) => {
            let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
            let handshake = tls::wrap(tcp, config, &endpoint, &opts.endpoint, t);
            let stream = tokio::time::timeout(remaining.max(Duration::from_millis(1)), handshake)
                .await
                .map_err(|_| timeout())??;
            Ok(stream)
        }
    }
}

async fn tcp_connect(endpoint: &Endpoint, shown: &str) -> Result<TcpStream, TransportError> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((endpoint.host.as_str(), endpoint.port))
        .await
        .map_err(|e| TransportError::Connect {
            endpoint: shown.to_string(),
            reason: format!("cannot resolve {:?}: {e}", endpoint.host),
        })?
        .collect();
    let mut last = None;
    for addr in &addrs {
        match TcpStream::connect(addr).await {
            Ok(s) => return Ok(s),
            Err(e) if addr.to_string() == shown => last = Some(e.to_string()),
            Err(e) => last = Some(format!("{addr}: {e}")),
        }
    }
    Err(TransportError::Connect {
        endpoint: shown.to_string(),
        reason: last.unwrap_or_else(|| format!("no address found for {:?}", endpoint.host)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse() {
        assert_eq!(
            parse_endpoint("127.0.0.1:6001").unwrap(),
            Endpoint {
                host: "127.0.0.1".into(),
                port: 6001
            }
        );
        assert_eq!(parse_endpoint("[::1]:6001").unwrap().host, "::1");
        assert_eq!(parse_endpoint("sip.example.org:8023").unwrap().port, 8023);
    }

    #[test]
    fn bad_endpoints_say_what_is_wrong() {
        for (input, why) in [
            ("localhost", "has no port"),
            ("::1:6001", "IPv6 address without brackets"),
            ("[::1]6001", "no port after"),
            ("host:0", "valid port"),
            ("host:99999", "valid port"),
            (":6001", "has no host"),
        ] {
            let e = parse_endpoint(input).unwrap_err().to_string();
            assert!(e.contains(why), "{input}: {e}");
        }
    }
}
