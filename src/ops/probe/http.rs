//! `GET /metrics` over HTTP/1.1 (hyper) for Prometheus to scrape while `probe --every` runs.
//!
//! Bounded like every server here: at most [`MAX_SCRAPERS`] connections at once (more are
//! closed at once), headers within [`HEADER_TIMEOUT`], a whole connection within
//! [`CONNECTION_TIMEOUT`], one request per connection.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode, header};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::metrics::Metrics;
use crate::transport::accept::serve_capped;

/// Scrapes served at once; a monitoring system needs one or two.
pub const MAX_SCRAPERS: usize = 16;
/// The request's headers must arrive within this.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection is closed after this, whatever it is doing.
pub const CONNECTION_TIMEOUT: Duration = Duration::from_secs(30);

/// The content type of OpenMetrics text, which `Metrics::encode` writes.
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A running metrics endpoint.
pub struct MetricsServer {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl MetricsServer {
    /// Serves `metrics` on `listener` until [`MetricsServer::shutdown`].
    pub fn start(listener: TcpListener, metrics: Arc<Metrics>) -> std::io::Result<MetricsServer> {
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, metrics, stopped));
        Ok(MetricsServer { addr, stop, task })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting and ends the open connections.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

async fn accept_loop(listener: TcpListener, metrics: Arc<Metrics>, stopped: watch::Receiver<bool>) {
    let serve = |stream: TcpStream, _| {
        let metrics = metrics.clone();
        async move {
            let service = hyper::service::service_fn(move |req| {
                let body = respond(&metrics, &req);
                async move { Ok::<_, Infallible>(body) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .keep_alive(false)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            let _ = tokio::time::timeout(CONNECTION_TIMEOUT, conn).await;
        }
    };
    // A scrape left open at the stop is cut at once: no grace.
    serve_capped(
        listener,
        MAX_SCRAPERS,
        stopped,
        Duration::ZERO,
        |_, _| {},
        serve,
    )
    .await;
}

fn respond(metrics: &Metrics, req: &Request<Incoming>) -> Response<http_body_util::Full<Bytes>> {
    let (status, content_type, body) = match (req.method(), req.uri().path()) {
        (&Method::GET | &Method::HEAD, "/metrics") => {
            (StatusCode::OK, OPENMETRICS, metrics.encode())
        }
        (&Method::GET | &Method::HEAD, _) => (
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "not found: the metrics are at /metrics\n".to_string(),
        ),
        _ => (
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            "only GET /metrics\n".to_string(),
        ),
    };
    let mut response = Response::new(http_body_util::Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    if let Ok(v) = header::HeaderValue::from_str(content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn get(addr: SocketAddr, path: &str) -> String {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut out = String::new();
        tokio::time::timeout(Duration::from_secs(10), s.read_to_string(&mut out))
            .await
            .unwrap()
            .unwrap();
        out
    }

    #[tokio::test]
    async fn metrics_are_served_and_other_paths_are_not() {
        let metrics = Arc::new(Metrics::new());
        metrics.update(
            "h:1",
            &[crate::ops::probe::AccountResult {
                user: "a".into(),
                class: crate::ops::probe::Class::Ok,
                level: crate::ops::probe::Level::Ok,
                phases: Vec::new(),
                total: Duration::from_millis(1),
                detail: None,
            }],
            std::time::SystemTime::now(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = MetricsServer::start(listener, metrics).unwrap();
        let ok = get(server.addr(), "/metrics").await;
        assert!(ok.starts_with("HTTP/1.1 200 OK"), "{ok}");
        assert!(ok.contains("application/openmetrics-text"), "{ok}");
        assert!(
            ok.contains(r#"sip2_probe_up{endpoint="h:1",account="a"} 1"#),
            "{ok}"
        );
        let missing = get(server.addr(), "/").await;
        assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
        server.shutdown().await;
    }
}
