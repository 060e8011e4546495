//! A recording session end to end: the writer, the redactor, the reverse proxy and the server,
//! started together and stopped together.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use http::Uri;
use tokio::net::TcpListener;

use super::console::Console;
use super::{Writer, WriterConfig, WriterReport};
use crate::gateway::{Gateway, Mode};
use crate::proxy::exchange::Pipeline;
use crate::proxy::reverse::{Limits, ReverseProxy, Target};
use crate::proxy::server::{self, Stop};
use crate::proxy::upstream::{self, ClientOptions};
use crate::redact::{RedactError, Redactor};

/// Where recorded requests go.
#[derive(Debug, Clone)]
pub enum Destination {
    /// Forward to a real gateway at this base URL.
    Upstream { base: String, client: ClientOptions },
    /// Answer with the embedded gateway (capture only).
    Stub,
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
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("--upstream {url:?} is not a usable URL: {reason}")]
    UpstreamUrl { url: String, reason: String },
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    #[error(transparent)]
    Redact(#[from] RedactError),
    #[error("cannot start the capture writer in {path}: {source}")]
    Writer {
        path: PathBuf,
        source: std::io::Error,
    },
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

/// Run a reverse-proxy recording session on `listener` until `shutdown`, then finish writing
/// every capture and report.
pub async fn run_reverse(
    listener: TcpListener,
    options: RecordOptions,
    console: Box<dyn Console>,
    shutdown: impl Future<Output = ()>,
) -> Result<WriterReport, RecordError> {
    let target = match &options.destination {
        Destination::Upstream { base, client } => Target::Upstream {
            base: parse_upstream(base)?,
            client: Box::new(upstream::client(client)?),
        },
        Destination::Stub => Target::Embedded(Gateway::new(Mode::Stub)),
    };
    let mut redactor =
        Redactor::for_folder(&options.captures)?.keep_headers(&options.keep_headers)?;
    if let Some(token) = &options.path_token {
        redactor = redactor.with_literal(token.clone());
    }
    let source = match &options.destination {
        Destination::Upstream { .. } => format!(
            "cursor-harness {} record (reverse proxy in front of a gateway)",
            env!("CARGO_PKG_VERSION")
        ),
        Destination::Stub => format!(
            "cursor-harness {} record --stub (answered by the embedded gateway)",
            env!("CARGO_PKG_VERSION")
        ),
    };
    let session_dir = options.captures.join(&options.session);
    let writer = Writer::spawn(
        WriterConfig {
            session_dir: session_dir.clone(),
            session: options.session.clone(),
            source,
            redactor,
            queue: options.queue,
            sync_interval: Duration::from_secs(1),
        },
        console,
    )
    .map_err(|source| RecordError::Writer {
        path: session_dir,
        source,
    })?;
    let stop = Stop::new(options.grace);
    let proxy = Arc::new(ReverseProxy {
        target,
        path_token: options.path_token.clone(),
        pipeline: Pipeline {
            limits: options.limits.clone(),
            writer: writer.handle(),
            shutting_down: stop.cut.clone(),
        },
    });
    server::serve(
        listener,
        options.tls.clone(),
        move |request| proxy.clone().handle(request),
        shutdown,
        stop,
    )
    .await;
    // The service (and its writer handle) is gone with the server; the writer can drain.
    Ok(tokio::task::spawn_blocking(move || writer.finish())
        .await
        .unwrap_or_default())
}

/// A random path token: 128 bits, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 16];
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
