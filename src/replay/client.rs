//! The replay client: raw hyper connections (like `oha`), so what is timed is the request and
//! nothing else: no hidden pool, no retries, no redirects, no decompression. Each concurrency
//! lane keeps its own kept-alive HTTP/1.1 connection; under `--http2` one connection carries
//! every lane's streams. Every failure becomes a named transport error in the recording.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderValue, Request, Response, Uri, header};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::prepare::Prepared;
use crate::capture::recording::{Recording, ResponseHead};
use crate::capture::{ErrorKind, millis};
use crate::http::failure::{classify_body_error, error_chain};
use crate::http::headers::to_pairs;
use crate::http::version_name;
use crate::timing::Connection;
use crate::tls::{self, TlsError};

type Sender1 = http1::SendRequest<Full<Bytes>>;
type Sender2 = http2::SendRequest<Full<Bytes>>;

enum Conn {
    H1(Sender1),
    H2(Sender2),
}

/// A transport failure, named.
type Fail = (ErrorKind, String);

/// How to reach one target.
pub struct Client {
    host: String,
    port: u16,
    authority: HeaderValue,
    tls: Option<(tokio_rustls::TlsConnector, ServerName<'static>)>,
    http2: bool,
    timeout: Duration,
    shared: tokio::sync::Mutex<Option<Sender2>>,
}

/// One concurrency lane: requests on a lane go one after another, on its own connection.
#[derive(Default)]
pub struct Lane {
    idle: Option<Sender1>,
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("--target {0:?}: {1}")]
    Target(String, String),
    #[error(transparent)]
    Tls(#[from] TlsError),
}

impl Client {
    /// A client for the target base URL (`http` or `https`). `timeout` bounds each request
    /// from its send to the end of its body.
    pub fn new(
        base: &Uri,
        http2: bool,
        timeout: Duration,
        extra_cas: &[PathBuf],
    ) -> Result<Client, ClientError> {
        let bad = |why: &str| ClientError::Target(base.to_string(), why.to_owned());
        let https = match base.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(bad("it must start with http:// or https://")),
        };
        let authority = base.authority().ok_or_else(|| bad("it has no host"))?;
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
        let tls = if https {
            let cas: Vec<&std::path::Path> = extra_cas.iter().map(PathBuf::as_path).collect();
            let alpn: &[&[u8]] = if http2 {
                &[b"h2", b"http/1.1"]
            } else {
                &[b"http/1.1"]
            };
            let config = tls::client_config(&cas, alpn)?;
            let name = ServerName::try_from(host.clone())
                .map_err(|_| bad("its host is not a valid TLS server name"))?;
            Some((tokio_rustls::TlsConnector::from(Arc::new(config)), name))
        } else {
            None
        };
        Ok(Client {
            authority: HeaderValue::from_str(authority.as_str())
                .map_err(|_| bad("its host is not a valid Host header"))?,
            host,
            port,
            tls,
            http2,
            timeout,
            shared: tokio::sync::Mutex::new(None),
        })
    }

    /// Send one request and record everything that comes back, timed from `recording.start`
    /// (the request's intended start). Never fails: a failure is recorded in the recording.
    /// Returns what opening a connection took when the request had to open one (its lane's
    /// first request, or one after the server closed the lane's connection).
    pub async fn exchange(
        &self,
        lane: &mut Lane,
        prepared: &Prepared,
        recording: &mut Recording,
    ) -> Option<Connection> {
        let mut opened = None;
        self.exchange_on(lane, prepared, recording, &mut opened)
            .await;
        opened
    }

    async fn exchange_on(
        &self,
        lane: &mut Lane,
        prepared: &Prepared,
        recording: &mut Recording,
        opened: &mut Option<Connection>,
    ) {
        // One timer for the whole exchange: the head and every frame race the same deadline.
        let deadline = tokio::time::sleep(self.timeout);
        tokio::pin!(deadline);
        let head = tokio::select! {
            biased;
            head = self.send(lane, prepared, recording, opened) => head,
            () = &mut deadline => {
                return recording.fail(
                    ErrorKind::Timeout,
                    format!("no response head within {:?} (--timeout)", self.timeout),
                );
            }
        };
        let (response, conn) = match head {
            Ok(pair) => pair,
            Err((kind, message)) => return recording.fail(kind, message),
        };
        let (parts, mut body) = response.into_parts();
        recording.response = Some(ResponseHead {
            status: parts.status.as_u16(),
            http_version: version_name(parts.version).to_owned(),
            headers: to_pairs(&parts.headers),
            at: recording.elapsed(),
        });
        loop {
            let frame = tokio::select! {
                biased;
                frame = body.frame() => frame,
                () = &mut deadline => {
                    return recording.fail(
                        ErrorKind::Timeout,
                        format!(
                            "the response did not finish within {:?} (--timeout)",
                            self.timeout
                        ),
                    );
                }
            };
            match frame {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        recording.chunks.push((recording.elapsed(), data));
                    }
                }
                None => {
                    recording.ended = Some(recording.elapsed());
                    if let Conn::H1(sender) = conn
                        && !sender.is_closed()
                    {
                        lane.idle = Some(sender);
                    }
                    return;
                }
                Some(Err(err)) => {
                    let kind = classify_body_error(&err);
                    return recording.fail(kind, format!("the response broke off: {err}"));
                }
            }
        }
    }

    /// Send on the lane's kept-alive connection, or a new one when that turns out closed; what
    /// opening one took goes to `opened`.
    async fn send(
        &self,
        lane: &mut Lane,
        prepared: &Prepared,
        recording: &mut Recording,
        opened: &mut Option<Connection>,
    ) -> Result<(Response<Incoming>, Conn), Fail> {
        let (mut conn, setup) = self.check_out(lane).await?;
        let mut reused = setup.is_none();
        *opened = setup;
        loop {
            recording.http_version = match conn {
                Conn::H1(_) => "HTTP/1.1",
                Conn::H2(_) => "HTTP/2",
            }
            .to_owned();
            let request = self.request(prepared, matches!(conn, Conn::H2(_)));
            let sent = match &mut conn {
                Conn::H1(sender) => sender.try_send_request(request).await,
                Conn::H2(sender) => sender.try_send_request(request).await,
            };
            match sent {
                Ok(response) => return Ok((response, conn)),
                // A kept-alive connection the server closed while idle: the request never
                // left, so it is sent once more on a fresh connection.
                Err(err) if reused && err.message().is_some() => {
                    let (fresh, setup) = self.connect().await?;
                    conn = fresh;
                    *opened = Some(setup);
                    reused = false;
                }
                Err(err) => {
                    let err = err.into_error();
                    return Err((
                        classify_body_error(&err),
                        format!("the request failed: {}", error_chain(&err)),
                    ));
                }
            }
        }
    }

    fn request(&self, prepared: &Prepared, http2: bool) -> Request<Full<Bytes>> {
        let mut request = Request::new(Full::new(prepared.body.clone()));
        *request.method_mut() = prepared.method.clone();
        *request.headers_mut() = prepared.headers.clone();
        if http2 {
            *request.uri_mut() = prepared.uri.clone();
            *request.version_mut() = http::Version::HTTP_2;
        } else {
            // HTTP/1.1 wants origin-form and a Host header; the raw connection adds neither.
            *request.uri_mut() = prepared.origin_form.clone();
            request
                .headers_mut()
                .insert(header::HOST, self.authority.clone());
        }
        request
    }

    /// The connection to send on: an open one (no [`Connection`]), or a new one and what
    /// opening it took.
    async fn check_out(&self, lane: &mut Lane) -> Result<(Conn, Option<Connection>), Fail> {
        if self.http2 {
            let mut shared = self.shared.lock().await;
            if let Some(sender) = shared.as_ref().filter(|s| !s.is_closed()) {
                return Ok((Conn::H2(sender.clone()), None));
            }
            let (conn, setup) = self.connect().await?;
            if let Conn::H2(sender) = &conn {
                *shared = Some(sender.clone());
            }
            return Ok((conn, Some(setup)));
        }
        if let Some(mut sender) = lane.idle.take()
            && !sender.is_closed()
            && sender.ready().await.is_ok()
        {
            return Ok((Conn::H1(sender), None));
        }
        let (conn, setup) = self.connect().await?;
        Ok((conn, Some(setup)))
    }

    /// Open a connection, timing the TCP connect and the TLS handshake apart (as `oha` does).
    async fn connect(&self) -> Result<(Conn, Connection), Fail> {
        let target = format!("{}:{}", self.host, self.port);
        let started = Instant::now();
        let tcp = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|err| {
                let kind = if err.kind() == std::io::ErrorKind::TimedOut {
                    ErrorKind::Timeout
                } else {
                    ErrorKind::Connect
                };
                (kind, format!("cannot connect to {target}: {err}"))
            })?;
        let connect_ms = millis(started.elapsed());
        let _ = tcp.set_nodelay(true);
        match &self.tls {
            None => {
                let conn = handshake(tcp, self.http2).await?;
                Ok((
                    conn,
                    Connection {
                        connect_ms,
                        tls_ms: None,
                    },
                ))
            }
            Some((connector, name)) => {
                let started = Instant::now();
                let tls = connector
                    .connect(name.clone(), tcp)
                    .await
                    .map_err(|err| (ErrorKind::Tls, format!("TLS with {target} failed: {err}")))?;
                let tls_ms = Some(millis(started.elapsed()));
                let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
                let conn = handshake(tls, h2).await?;
                Ok((conn, Connection { connect_ms, tls_ms }))
            }
        }
    }
}

async fn handshake<T>(io: T, http2: bool) -> Result<Conn, Fail>
where
    T: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let io = TokioIo::new(io);
    let failed = |err: hyper::Error| {
        (
            classify_body_error(&err),
            format!("the HTTP handshake failed: {}", error_chain(&err)),
        )
    };
    if http2 {
        let (sender, conn) = http2::handshake(TokioExecutor::new(), io)
            .await
            .map_err(failed)?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Conn::H2(sender))
    } else {
        let (sender, conn) = http1::handshake(io).await.map_err(failed)?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Conn::H1(sender))
    }
}
