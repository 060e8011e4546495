//! The accept loop every server of ours runs: plain TCP or TLS, HTTP/1.1 and HTTP/2 on the same
//! port (h2 by ALPN under TLS, by prior knowledge in clear text), and a graceful stop.
//!
//! Servers take an already-bound listener and a shutdown future, so tests bind port 0.
//! Connections a request hands off (CONNECT tunnels) are tracked in [`Detached`] and stop with
//! the server.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::body::{BoxError, ProxyBody};

/// How a server stops.
#[derive(Debug, Clone)]
pub struct Stop {
    /// In-flight requests may finish for this long after the shutdown signal.
    pub grace: Duration,
    /// Set when the grace period ran out and connections were cut.
    pub cut: Arc<AtomicBool>,
    /// Connections handed off by a request (CONNECT tunnels), stopped with the rest.
    pub detached: Detached,
}

impl Stop {
    pub fn new(grace: Duration) -> Stop {
        Stop {
            grace,
            cut: Arc::new(AtomicBool::new(false)),
            detached: Detached::default(),
        }
    }
}

/// Connections that outlive the request that opened them (a CONNECT tunnel, and what is served
/// inside it): the accept loop no longer owns them, so they are tracked here, told to drain
/// when the server stops, waited for within the same grace period and cut with the rest.
#[derive(Debug, Clone, Default)]
pub struct Detached {
    tracker: TaskTracker,
    draining: CancellationToken,
    cut: CancellationToken,
}

impl Detached {
    /// Run `task` until it ends or the grace period runs out.
    pub fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let cut = self.cut.clone();
        self.tracker.spawn(async move {
            tokio::select! {
                () = cut.cancelled() => {}
                () = task => {}
            }
        });
    }

    /// Resolves when the server stops accepting: finish what is in flight, take nothing new.
    pub fn draining(&self) -> impl Future<Output = ()> + Send + 'static {
        self.draining.clone().cancelled_owned()
    }
}

/// The connection settings every server of ours uses: HTTP/1.1 with keep-alive and HTTP/2 on
/// the same connection type, chosen by the client's first bytes.
pub fn connection_builder() -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(1024);
    builder
}

/// Serve HTTP on a connection the accept loop does not own (inside a tunnel), closing it
/// gracefully once `draining` resolves.
pub async fn serve_detached<I, S, F>(
    builder: &auto::Builder<TokioExecutor>,
    io: I,
    service: S,
    draining: impl Future<Output = ()>,
) -> Result<(), BoxError>
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    S: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Result<Response<ProxyBody>, std::convert::Infallible>> + Send + 'static,
{
    let conn = builder.serve_connection(TokioIo::new(io), hyper::service::service_fn(service));
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => return result,
        () = draining => conn.as_mut().graceful_shutdown(),
    }
    conn.await
}

/// Serve `service` on `listener` until `shutdown` resolves, then stop accepting, let open
/// exchanges finish within the grace period, and cut what is left.
pub async fn serve<S, F>(
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    service: S,
    shutdown: impl Future<Output = ()>,
    stop: Stop,
) where
    S: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Result<Response<ProxyBody>, std::convert::Infallible>> + Send + 'static,
{
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let builder = Arc::new(connection_builder());
    tokio::pin!(shutdown);
    loop {
        while connections.try_join_next().is_some() {}
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(err) => {
                // Out of file descriptors and the like: back off instead of spinning.
                tracing::warn!(error = %err, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = service.clone();
        let builder = builder.clone();
        let acceptor = acceptor.clone();
        let watcher = graceful.watcher();
        connections.spawn(async move {
            let hyper_service = hyper::service::service_fn(service);
            let result = match acceptor {
                Some(acceptor) => {
                    let handshake =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream))
                            .await;
                    match handshake {
                        Ok(Ok(tls)) => {
                            let conn = builder
                                .serve_connection_with_upgrades(TokioIo::new(tls), hyper_service);
                            watcher.watch(conn.into_owned()).await
                        }
                        Ok(Err(err)) => {
                            tracing::info!(%peer, error = %err, "TLS handshake failed");
                            return;
                        }
                        Err(_) => return,
                    }
                }
                None => {
                    let conn =
                        builder.serve_connection_with_upgrades(TokioIo::new(stream), hyper_service);
                    watcher.watch(conn.into_owned()).await
                }
            };
            if let Err(err) = result {
                tracing::debug!(%peer, error = %err, "connection ended with an error");
            }
        });
    }
    drop(listener);
    let detached = stop.detached;
    detached.draining.cancel();
    detached.tracker.close();
    // Accepted connections first: until they are done, one of them may still open a tunnel.
    let finished = tokio::time::timeout(stop.grace, async {
        graceful.shutdown().await;
        detached.tracker.wait().await;
    })
    .await;
    if finished.is_err() {
        stop.cut.store(true, Ordering::Relaxed);
        connections.abort_all();
        detached.cut.cancel();
    }
    while connections.join_next().await.is_some() {}
    detached.tracker.wait().await;
}

/// Raise this process's soft limit on open files to its hard limit. Every proxied stream is
/// two sockets and every capture waiting for its sync an open file, and the usual soft limit
/// (1,024 on most Linux distributions, 256 on macOS) is far below what the system allows
/// (the hard limit, often a million): without this a few hundred concurrent streams fail to
/// accept or to connect. Servers do this at start; nothing is lost when it cannot be done.
pub fn raise_open_files_limit() {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let limit = getrlimit(Resource::Nofile);
        if limit.current < limit.maximum {
            // macOS refuses more than OPEN_MAX for the soft limit, whatever the hard one says.
            let wanted = if cfg!(target_os = "macos") {
                limit.maximum.map(|max| max.min(10_240))
            } else {
                limit.maximum
            };
            let _ = setrlimit(
                Resource::Nofile,
                Rlimit {
                    current: wanted,
                    maximum: limit.maximum,
                },
            );
        }
    }
}
