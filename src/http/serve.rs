//! The accept loop every server of ours runs: plain TCP or TLS, HTTP/1.1 and HTTP/2 on the same
//! port (h2 by ALPN under TLS, by prior knowledge in clear text), bounded, and a graceful stop.
//!
//! Servers take an already-bound listener and a shutdown future, so tests bind port 0.
//! Connections a request hands off (CONNECT tunnels) are tracked in [`Detached`] and stop with
//! the server.
//!
//! Every connection lives under [`ConnectionLimits`], because a recorder exposed through a
//! tunnel is reachable by anyone, path token or not:
//! - at most `max_connections` at once, blind tunnels included: past that the loop stops
//!   accepting and new clients wait in the kernel's backlog (as tokio's mini-redis does), so a
//!   flood costs a queue, not a file descriptor each;
//! - a connection that sends no byte within `first_byte` is closed (the HTTP/2 detection of the
//!   connection builder would otherwise wait for its first bytes for ever);
//! - a connection with no request in flight for `idle` is closed, HTTP/1.1 keep-alive and
//!   HTTP/2 alike (HTTP/2 with a GOAWAY, so a request racing the close is refused cleanly and
//!   retried by the client); the same bound applies to reading one HTTP/1.1 request head, and
//!   HTTP/2 peers that stop answering pings are dropped even while a stream is open.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio::time::{Instant, Sleep};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::body::{BoxError, ProxyBody};

/// Connections served at once unless told otherwise (`--max-connections`). Each proxied
/// stream holds two sockets; 1,024 connections fit the usual raised limit on open files with
/// room for captures and the upstream pool.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// What every connection of a server lives under (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Connections open at once, tunnels included; more clients wait to be accepted.
    pub max_connections: usize,
    /// A connection that sends nothing within this is closed.
    pub first_byte: Duration,
    /// A connection with no request in flight for this long is closed; also the longest a
    /// client may take to send one HTTP/1.1 request head.
    pub idle: Duration,
}

impl ConnectionLimits {
    /// The limits for an idle timeout chosen by the user: the first byte is due within the
    /// same time, at most ten seconds (a client that connects has its request ready).
    pub fn with_idle(max_connections: usize, idle: Duration) -> ConnectionLimits {
        ConnectionLimits {
            max_connections: max_connections.max(1),
            first_byte: idle.min(Duration::from_secs(10)),
            idle,
        }
    }
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits::with_idle(DEFAULT_MAX_CONNECTIONS, Duration::from_secs(30))
    }
}

/// How a server stops, and the limits its connections live under until then.
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
    pub fn new(grace: Duration, limits: ConnectionLimits) -> Stop {
        Stop {
            grace,
            cut: Arc::new(AtomicBool::new(false)),
            detached: Detached {
                limits,
                ..Detached::default()
            },
        }
    }

    pub fn limits(&self) -> ConnectionLimits {
        self.detached.limits
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
    limits: ConnectionLimits,
}

impl Detached {
    /// Run `task` until it ends or the grace period runs out. `slot` is the place among
    /// `max_connections` of the connection the task took over: it is held until the task ends,
    /// so a tunnel counts like the connection it was.
    pub fn spawn(
        &self,
        slot: Option<ConnectionSlot>,
        task: impl Future<Output = ()> + Send + 'static,
    ) {
        let cut = self.cut.clone();
        self.tracker.spawn(async move {
            tokio::select! {
                () = cut.cancelled() => {}
                () = task => {}
            }
            drop(slot);
        });
    }

    /// Resolves when the server stops accepting: finish what is in flight, take nothing new.
    pub fn draining(&self) -> impl Future<Output = ()> + Send + 'static {
        self.draining.clone().cancelled_owned()
    }

    /// The limits of the server these connections came from.
    pub fn limits(&self) -> ConnectionLimits {
        self.limits
    }
}

/// A connection's place among `max_connections`, in each request's extensions: a request that
/// hands its connection off (CONNECT) takes it along ([`Detached::spawn`]).
#[derive(Debug, Clone)]
pub struct ConnectionSlot(#[allow(dead_code)] Arc<OwnedSemaphorePermit>);

/// The connection settings every server of ours uses: HTTP/1.1 with keep-alive and HTTP/2 on
/// the same connection type, chosen by the client's first bytes; `idle` bounds an HTTP/1.1
/// request head, and HTTP/2 peers are pinged so a vanished one is noticed.
pub fn connection_builder(idle: Duration) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .keep_alive(true)
        .header_read_timeout(idle);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(1024)
        .keep_alive_interval(idle)
        .keep_alive_timeout(idle.min(Duration::from_secs(20)));
    builder
}

/// Serve HTTP on a connection the accept loop does not own (inside a tunnel), under the same
/// first-byte and idle limits, closing it gracefully once `draining` resolves.
pub async fn serve_detached<I, S, F>(
    builder: &auto::Builder<TokioExecutor>,
    io: I,
    service: S,
    limits: ConnectionLimits,
    draining: impl Future<Output = ()>,
) -> Result<(), BoxError>
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Result<Response<ProxyBody>, std::convert::Infallible>> + Send + 'static,
{
    serve_connection(builder, io, service, limits, None, draining).await
}

/// One connection: the first-byte deadline on its reads, its requests counted so that an idle
/// spell can be told, and a graceful close when it is idle too long or the server drains.
async fn serve_connection<I, S, F>(
    builder: &auto::Builder<TokioExecutor>,
    io: I,
    service: S,
    limits: ConnectionLimits,
    slot: Option<ConnectionSlot>,
    draining: impl Future<Output = ()>,
) -> Result<(), BoxError>
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Result<Response<ProxyBody>, std::convert::Infallible>> + Send + 'static,
{
    let activity = Arc::new(Activity::new());
    let counted = {
        let activity = activity.clone();
        move |mut request: Request<Incoming>| {
            if let Some(slot) = &slot {
                request.extensions_mut().insert(slot.clone());
            }
            let busy = Busy::start(activity.clone());
            let answer = service(request);
            async move {
                let response = answer.await?;
                Ok::<_, std::convert::Infallible>(
                    response.map(|body| Counted { inner: body, busy }.boxed()),
                )
            }
        }
    };
    let io = FirstByte::new(io, limits.first_byte);
    let conn = builder
        .serve_connection_with_upgrades(TokioIo::new(io), hyper::service::service_fn(counted));
    tokio::pin!(conn);
    tokio::pin!(draining);
    let mut closing = false;
    // Set once an idle connection was asked to close: it has nothing in flight, so it is
    // dropped if the close does not complete soon (HTTP/2 waits for the peer to answer a
    // ping after its GOAWAY, and a peer that sent only the preface never does).
    let mut drop_at: Option<Instant> = None;
    loop {
        let idle_since = activity.idle_since();
        let deadline = idle_since.map(|since| since + limits.idle);
        tokio::select! {
            result = conn.as_mut() => return result,
            () = &mut draining, if !closing => {
                closing = true;
                conn.as_mut().graceful_shutdown();
            }
            () = activity.changed.notified(), if !closing => {}
            () = sleep_until(deadline), if !closing && deadline.is_some() => {
                if activity.idle_since().is_some_and(|since| since.elapsed() >= limits.idle) {
                    closing = true;
                    drop_at = Some(Instant::now() + IDLE_CLOSE);
                    conn.as_mut().graceful_shutdown();
                }
            }
            () = sleep_until(drop_at), if drop_at.is_some() => {
                if activity.idle_since().is_some() {
                    return Ok(());
                }
                drop_at = None;
            }
        }
    }
}

/// How long an idle connection's graceful close may take before the connection is dropped.
const IDLE_CLOSE: Duration = Duration::from_secs(2);

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// Requests in flight on one connection, and since when it has had none.
struct Activity {
    in_flight: AtomicUsize,
    /// When the last request ended (or the connection opened).
    last: Mutex<Instant>,
    /// Told when the connection goes idle or busy, so the idle deadline is looked at again.
    changed: Notify,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            in_flight: AtomicUsize::new(0),
            last: Mutex::new(Instant::now()),
            changed: Notify::new(),
        }
    }

    /// `Some(since)` when no request is in flight.
    fn idle_since(&self) -> Option<Instant> {
        let last = *self
            .last
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        (self.in_flight.load(Ordering::Acquire) == 0).then_some(last)
    }
}

/// One request in flight, from the service call to the end of its response body.
struct Busy(Arc<Activity>);

impl Busy {
    fn start(activity: Arc<Activity>) -> Busy {
        if activity.in_flight.fetch_add(1, Ordering::AcqRel) == 0 {
            activity.changed.notify_one();
        }
        Busy(activity)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        *self
            .0
            .last
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Instant::now();
        if self.0.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.changed.notify_one();
        }
    }
}

/// A response body that keeps its request counted as in flight until it is dropped.
struct Counted {
    inner: ProxyBody,
    #[allow(dead_code)]
    busy: Busy,
}

impl Body for Counted {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A connection whose reads fail with `TimedOut` when no byte has come within the deadline.
struct FirstByte<I> {
    inner: I,
    deadline: Option<Pin<Box<Sleep>>>,
}

impl<I> FirstByte<I> {
    fn new(inner: I, within: Duration) -> FirstByte<I> {
        FirstByte {
            inner,
            deadline: Some(Box::pin(tokio::time::sleep(within))),
        }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for FirstByte<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let read = Pin::new(&mut self.inner).poll_read(cx, buf);
        let Some(deadline) = self.deadline.as_mut() else {
            return read;
        };
        if read.is_pending() && deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client sent nothing within the first-byte timeout",
            )));
        }
        if matches!(read, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.deadline = None;
        }
        read
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for FirstByte<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Accept errors (out of file descriptors, mostly) are waited out, doubling from the first
/// wait to the longest, as tokio's mini-redis does; unlike it the server never gives up, since
/// the connections it holds are still being served.
const ACCEPT_BACKOFF_FIRST: Duration = Duration::from_millis(10);
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

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
    let limits = stop.limits();
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut connections = JoinSet::new();
    let builder = Arc::new(connection_builder(limits.idle));
    let mut backoff = Duration::ZERO;
    let mut full_reported = false;
    tokio::pin!(shutdown);
    loop {
        while connections.try_join_next().is_some() {}
        let permit = match slots.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if !full_reported {
                    full_reported = true;
                    tracing::warn!(
                        "{} connections are open (--max-connections): new clients wait until one closes",
                        limits.max_connections
                    );
                }
                tokio::select! {
                    () = &mut shutdown => break,
                    permit = slots.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
                }
            }
        };
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => {
                backoff = Duration::ZERO;
                pair
            }
            Err(err) => {
                backoff = (backoff * 2).clamp(ACCEPT_BACKOFF_FIRST, ACCEPT_BACKOFF_MAX);
                tracing::warn!(error = %err, "accept failed; trying again in {backoff:?}");
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(backoff) => continue,
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let service = service.clone();
        let builder = builder.clone();
        let acceptor = acceptor.clone();
        let draining = stop.detached.draining();
        let slot = ConnectionSlot(Arc::new(permit));
        connections.spawn(async move {
            let result = match acceptor {
                Some(acceptor) => {
                    let handshake =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream))
                            .await;
                    match handshake {
                        Ok(Ok(tls)) => {
                            serve_connection(&builder, tls, service, limits, Some(slot), draining)
                                .await
                        }
                        Ok(Err(err)) => {
                            tracing::info!(%peer, error = %err, "TLS handshake failed");
                            return;
                        }
                        Err(_) => return,
                    }
                }
                None => {
                    serve_connection(&builder, stream, service, limits, Some(slot), draining).await
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
        while connections.join_next().await.is_some() {}
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
