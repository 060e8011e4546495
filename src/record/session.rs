//! A recording session end to end: the writer, the redactor, the proxy (reverse, stub or
//! forward) and the server, started together and stopped together.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use http::Uri;
use tokio::net::TcpListener;

use super::console::Console;
use super::{Writer, WriterConfig, WriterFailed, WriterReport};
use crate::capture::budget::CaptureBudget;
use crate::capture::queue::BacklogLimits;
use crate::capture::redact::{RedactError, Redactor};
use crate::fsio::lock::{self, FolderLock, LockError};
use crate::gateway::{Gateway, Mode};
use crate::http::client::{self, ClientOptions};
use crate::http::serve::{self, ConnectionLimits, Stop};
use crate::proxy::exchange::Pipeline;
use crate::proxy::forward::{Clients, ForwardProxy, Notices};
use crate::proxy::proxy_auth::ProxyAuth;
use crate::proxy::reverse::{Backend, Limits, ReverseProxy};
use crate::proxy::scope::Scope;
use crate::tls::ca::Authority;
use crate::tls::leaf_cache::LeafCache;

/// Where recorded requests go.
#[derive(Debug, Clone)]
pub enum Destination {
    /// Forward to a real gateway at this base URL.
    Upstream { base: String, client: ClientOptions },
    /// Answer with the embedded gateway (capture only).
    Stub,
    /// Answer as the provider a gateway calls, and record what the gateway sends it.
    Provider,
    /// Be a forward proxy: record what clients send through it (`record --forward`).
    Forward(ForwardOptions),
}

/// The forward proxy's settings.
#[derive(Debug, Clone)]
pub struct ForwardOptions {
    /// The CA that signs the leaves (`ca init`).
    pub authority: Arc<Authority>,
    /// Hosts to decrypt and record; the rest are tunnelled blind.
    pub scope: Scope,
    /// Credentials every client must present.
    pub auth: Option<ProxyAuth>,
    pub client: ClientOptions,
    /// How many hosts keep their leaf certificate.
    pub leaf_cache: usize,
}

#[derive(Debug, Clone)]
pub struct RecordOptions {
    pub destination: Destination,
    /// The captures root (`captures/`); the session folder goes inside it.
    pub captures: PathBuf,
    pub session: String,
    /// Required prefix `/t/<token>` on every path, when set.
    pub path_token: Option<String>,
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Non-secret headers to keep verbatim.
    pub keep_headers: Vec<String>,
    pub limits: Limits,
    pub grace: Duration,
    /// Captures allowed in flight or waiting to be written before new requests wait.
    pub queue: usize,
    /// How many connections at once, and how long one may stay silent.
    pub connections: ConnectionLimits,
    /// Bytes every capture in flight may hold together (`--max-capture-memory`).
    pub capture_memory: usize,
    /// The session's lock, when the caller took it already ([`lock_session`]); taken by
    /// [`run`] otherwise.
    pub lock: Option<Arc<FolderLock>>,
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("--upstream {url:?} is not a usable URL: {reason}")]
    UpstreamUrl { url: String, reason: String },
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    #[error(transparent)]
    Redact(#[from] RedactError),
    #[error("the listener has no local address: {source}")]
    Listener { source: std::io::Error },
    #[error(transparent)]
    WriterFailed(WriterFailed),
    #[error("cannot start the capture writer in {path}: {source}")]
    Writer {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Another recorder is writing this session: two would number captures twice.
    #[error("session {session} is being recorded by {holder}")]
    SessionBusy { session: String, holder: String },
    #[error(transparent)]
    Lock(LockError),
}

/// The lock file a recording session holds in its folder (a dot-file: folder walks skip it).
pub const LOCK_FILE: &str = ".record.lock";

/// Lock the session folder for this process; a lock whose holder died is taken over, saying
/// so through `notices`.
pub fn lock_session(
    session_dir: &std::path::Path,
    session: &str,
    notices: &Notices,
) -> Result<FolderLock, RecordError> {
    let writer_error = |source| RecordError::Writer {
        path: session_dir.to_owned(),
        source,
    };
    // The session folder is inside the captures folder: never a link to somewhere else.
    if let Some(captures) = session_dir.parent() {
        crate::fsio::refuse_links(captures, session_dir).map_err(writer_error)?;
    }
    crate::fsio::create_private_dir_all(session_dir).map_err(writer_error)?;
    let holder = format!(
        "process {} (cursor-harness record, started {})",
        std::process::id(),
        crate::capture::now_rfc3339()
    );
    match lock::lock(&session_dir.join(LOCK_FILE), &holder) {
        Ok(locked) => {
            if let Some(dead) = locked.taken_over {
                notices.warn(&format!(
                    "took over session {session} from {dead}, which is no longer running (it did not stop cleanly: its last captures may be missing from manifest.json)"
                ));
            }
            Ok(locked.lock)
        }
        Err(LockError::Held { holder, .. }) => Err(RecordError::SessionBusy {
            session: session.to_owned(),
            holder,
        }),
        Err(err) => Err(RecordError::Lock(err)),
    }
}

/// Parse and check an upstream base URL (http or https, with a host).
pub fn parse_upstream(url: &str) -> Result<Uri, RecordError> {
    let fail = |reason: &str| RecordError::UpstreamUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let uri: Uri = url
        .parse()
        .map_err(|err: http::uri::InvalidUri| fail(&err.to_string()))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err(fail("it must start with http:// or https://")),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(fail("it has no host"));
    }
    Ok(uri)
}

/// Run a recording session on `listener` until `shutdown`, then finish writing every capture
/// and report. The destination chooses the proxy: reverse (upstream or stub) or forward.
pub async fn run(
    listener: TcpListener,
    options: RecordOptions,
    console: Box<dyn Console>,
    shutdown: impl Future<Output = ()>,
) -> Result<WriterReport, RecordError> {
    let notices = console.notices();
    let mut redactor =
        Redactor::for_folder(&options.captures)?.keep_headers(&options.keep_headers)?;
    if let Some(token) = &options.path_token {
        redactor = redactor.with_literal(token.clone());
    }
    if let Destination::Forward(forward) = &options.destination
        && let Some(auth) = &forward.auth
    {
        for secret in auth.secrets() {
            redactor = redactor.with_literal(secret);
        }
    }
    let version = env!("CARGO_PKG_VERSION");
    let source = match &options.destination {
        Destination::Upstream { .. } => {
            format!("cursor-harness {version} record (reverse proxy in front of a gateway)")
        }
        Destination::Stub => {
            format!("cursor-harness {version} record --stub (answered by the embedded gateway)")
        }
        Destination::Provider => format!(
            "cursor-harness {version} record --stub --provider (the provider leg: answered by the embedded provider profile)"
        ),
        Destination::Forward(_) => {
            format!("cursor-harness {version} record --forward (forward proxy, TLS intercepted)")
        }
    };
    let session_dir = options.captures.join(&options.session);
    // Held until every capture is written (dropped at the end of this function).
    let _lock = match options.lock.clone() {
        Some(lock) => lock,
        None => Arc::new(lock_session(&session_dir, &options.session, &notices)?),
    };
    let writer = Writer::spawn(
        WriterConfig {
            session_dir: session_dir.clone(),
            session: options.session.clone(),
            source,
            redactor,
            queue: options.queue,
            backlog: BacklogLimits::default(),
            sync_interval: Duration::from_secs(1),
        },
        console,
    )
    .map_err(|source| RecordError::Writer {
        path: session_dir,
        source,
    })?;
    let stop = Stop::new(options.grace, options.connections);
    let pipeline = Pipeline {
        limits: options.limits.clone(),
        budget: CaptureBudget::new(options.capture_memory),
        writer: writer.handle(),
        shutting_down: stop.cut.clone(),
    };
    let backend = match &options.destination {
        Destination::Upstream { base, client } => Backend::Upstream {
            base: parse_upstream(base)?,
            client: Box::new(client::client(client)?),
        },
        Destination::Stub => Backend::Local(Box::new(Gateway::new(Mode::Stub))),
        Destination::Provider => Backend::Local(Box::new(Gateway::new(Mode::Provider))),
        Destination::Forward(forward) => {
            let listen = listener
                .local_addr()
                .map_err(|source| RecordError::Listener { source })?;
            let clients = Clients {
                http1: client::client(&ClientOptions {
                    http2: false,
                    ..forward.client.clone()
                })?,
                http2: client::client(&ClientOptions {
                    http2: true,
                    ..forward.client.clone()
                })?,
            };
            let proxy = Arc::new(ForwardProxy::new(
                pipeline,
                Arc::new(LeafCache::new(
                    forward.authority.clone(),
                    forward.leaf_cache,
                )),
                forward.scope.clone(),
                forward.auth.clone(),
                clients,
                listen,
                stop.detached.clone(),
                notices,
            ));
            // Plain HTTP to the proxy: clients speak TLS inside their tunnels, not to us.
            serve::serve(
                listener,
                None,
                move |request| proxy.clone().handle(request),
                shutdown,
                stop,
            )
            .await;
            return finish(writer).await;
        }
    };
    let proxy = Arc::new(ReverseProxy {
        backend,
        path_token: options.path_token.clone(),
        pipeline,
    });
    serve::serve(
        listener,
        options.tls.clone(),
        move |request| proxy.clone().handle(request),
        shutdown,
        stop,
    )
    .await;
    finish(writer).await
}

/// [`run`] under its name from before forward mode existed.
pub async fn run_reverse(
    listener: TcpListener,
    options: RecordOptions,
    console: Box<dyn Console>,
    shutdown: impl Future<Output = ()>,
) -> Result<WriterReport, RecordError> {
    run(listener, options, console, shutdown).await
}

/// The service (and its writer handle) is gone with the server; the writer can drain.
async fn finish(writer: Writer) -> Result<WriterReport, RecordError> {
    tokio::task::spawn_blocking(move || writer.finish())
        .await
        .map_err(|_| RecordError::WriterFailed(WriterFailed))?
        .map_err(RecordError::WriterFailed)
}

/// The system's random-number generator failed: nothing secret can be made.
#[derive(Debug, thiserror::Error)]
#[error("the system's random-number generator failed; cannot make an unguessable path token")]
pub struct NoRandomness;

/// A random path token: 128 bits, URL-safe.
pub fn random_token() -> Result<String, NoRandomness> {
    let mut bytes = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .map_err(|_| NoRandomness)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
