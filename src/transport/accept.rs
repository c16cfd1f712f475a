//! The accept loop of every server here (the emulator, the proxy, the metrics endpoint): a
//! connection cap, a brief back-off on accept errors, and a bounded shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// Serves connections from `listener` until `stopped` changes, each in a task of its own made
/// by `serve`, at most `max` at once. One over the cap is closed at once and handed to
/// `refused` with the number open. After the stop the open connections get `grace` to end;
/// what is left then is aborted.
pub async fn serve_capped<F>(
    listener: TcpListener,
    max: usize,
    mut stopped: watch::Receiver<bool>,
    grace: Duration,
    mut refused: impl FnMut(SocketAddr, usize),
    mut serve: impl FnMut(TcpStream, SocketAddr) -> F,
) where
    F: Future<Output = ()> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(max));
    let mut tasks = JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped.changed() => break,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else {
                    // Out of file descriptors or a reset during accept: back off briefly, keep serving.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let Ok(permit) = permits.clone().try_acquire_owned() else {
                    drop(stream);
                    refused(peer, max - permits.available_permits());
                    continue;
                };
                let connection = serve(stream, peer);
                tasks.spawn(async move {
                    let _permit = permit;
                    connection.await;
                });
            }
        }
    }
    drop(listener);
    let drained =
        tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tasks.shutdown().await;
    }
}
