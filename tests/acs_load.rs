//! 1,000 concurrent connections each doing login + patron status are all answered (loopback,
//! bounded: every wait has a timeout, the test ends by itself).

mod acs_support;

use acs_support::{Client, LOGIN, start_default};

const CONNECTIONS: usize = 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_concurrent_connections_are_all_answered() {
    let server = start_default().await;
    let addr = server.addr();
    // Open every connection first so all 1,000 are connected at the same time.
    let mut clients = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        clients.push(Client::connect(addr).await);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for mut c in clients {
        tasks.spawn(async move {
            let login = c.ask(LOGIN).await;
            let status = c
                .ask("2300120060101    084237AOBR1|AA999999|AC|AD6789|")
                .await;
            login == "941" && status.starts_with("24 ") && status.contains("AEDavid J. Fiander|")
        });
    }
    let mut answered = 0;
    while let Some(ok) = tasks.join_next().await {
        if ok.expect("client task") {
            answered += 1;
        }
    }
    assert_eq!(answered, CONNECTIONS);
    let report = server.shutdown().await;
    assert_eq!(report.connections, CONNECTIONS as u64);
    assert_eq!(report.requests, 2 * CONNECTIONS as u64);
}
