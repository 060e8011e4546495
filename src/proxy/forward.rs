//! The forward proxy (`record --forward`): what clients reach through `HTTPS_PROXY` /
//! `HTTP_PROXY`.
//!
//! - `CONNECT host:port` to an intercepted host: answered 200, then the tunnel's TLS is
//!   terminated with a leaf minted by our CA and every request inside is recorded exactly like
//!   the reverse mode (`mitm.rs`). To any other host: a blind byte tunnel.
//! - Absolute-form requests (`GET http://host/path`): forwarded, and recorded when the host is
//!   intercepted.
//! - Anything else (a request *to* the proxy) gets a 400 that says how to use it.
//!
//! The proxy never connects to itself (a loop would eat every socket), and with
//! `--proxy-auth-env` every request must carry the credentials.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use http::{Method, Request, Response, StatusCode, Uri};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper_util::rt::TokioExecutor;
use hyper_util::rt::TokioIo;
use hyper_util::server::conn::auto;

use super::exchange::{Hop, Pipeline};
use super::proxy_auth::ProxyAuth;
use super::scope::Scope;
use crate::http::body::{ProxyBody, empty, openai_error};
use crate::http::client::HttpsClient;
use crate::http::headers::strip_hop_by_hop;
use crate::http::serve::{self, ConnectionSlot, Detached};
use crate::tls::leaf_cache::LeafCache;

/// The upstream clients, one per protocol a client can negotiate inside a tunnel.
pub struct Clients {
    /// HTTP/1.1 only: for clients that negotiated HTTP/1.1, and for plain-HTTP requests.
    pub http1: HttpsClient,
    /// HTTP/2 when the upstream offers it by ALPN, else HTTP/1.1: for clients that negotiated
    /// h2 (an upstream without h2 still gets the request rather than a failure).
    pub http2: HttpsClient,
}

pub struct ForwardProxy {
    pub pipeline: Pipeline,
    pub leaves: Arc<LeafCache>,
    pub scope: Scope,
    pub auth: Option<ProxyAuth>,
    pub clients: Clients,
    /// Where we listen, to refuse connecting to ourselves.
    pub listen: SocketAddr,
    pub connect_timeout: Duration,
    pub detached: Detached,
    pub notices: Notices,
    pub(super) builder: auto::Builder<TokioExecutor>,
}

impl ForwardProxy {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        pipeline: Pipeline,
        leaves: Arc<LeafCache>,
        scope: Scope,
        auth: Option<ProxyAuth>,
        clients: Clients,
        listen: SocketAddr,
        detached: Detached,
        notices: Notices,
    ) -> ForwardProxy {
        ForwardProxy {
            pipeline,
            leaves,
            scope,
            auth,
            clients,
            listen,
            connect_timeout: Duration::from_secs(10),
            notices,
            builder: serve::connection_builder(detached.limits().idle),
            detached,
        }
    }

    pub async fn handle(
        self: Arc<Self>,
        request: Request<Incoming>,
    ) -> Result<Response<ProxyBody>, Infallible> {
        if let Some(auth) = &self.auth
            && !auth.accepts(request.headers())
        {
            return Ok(ProxyAuth::challenge());
        }
        if request.method() == Method::CONNECT {
            return Ok(self.connect(request).await);
        }
        if request.uri().scheme().is_some() && request.uri().authority().is_some() {
            return Ok(self.absolute(request).await);
        }
        Ok(refuse(
            StatusCode::BAD_REQUEST,
            &format!(
                "this is a forward proxy: send requests through it (HTTPS_PROXY=http://{}), not to it",
                self.listen
            ),
            "not_a_proxy_request",
        ))
    }

    async fn connect(self: Arc<Self>, mut request: Request<Incoming>) -> Response<ProxyBody> {
        let Some((host, port)) = request
            .uri()
            .authority()
            .map(|a| (bare_host(a.host()), a.port_u16().unwrap_or(443)))
        else {
            return refuse(
                StatusCode::BAD_REQUEST,
                "CONNECT needs host:port",
                "bad_connect",
            );
        };
        if self.is_self(&host, port).await {
            return loop_refused(&host, port);
        }
        let upgrade = hyper::upgrade::on(&mut request);
        // The tunnel takes over the client's connection, and its place among --max-connections.
        let slot = request.extensions().get::<ConnectionSlot>().cloned();
        if self.scope.intercepts(&host) {
            let proxy = self.clone();
            self.detached.spawn(slot, async move {
                match upgrade.await {
                    Ok(upgraded) => proxy.intercept(TokioIo::new(upgraded), host, port).await,
                    Err(err) => tracing::debug!(error = %err, "CONNECT upgrade failed"),
                }
            });
            return Response::new(empty());
        }
        // Connect before answering, so a client learns of a refused host from the CONNECT
        // status rather than from a tunnel that closes at once.
        let connected = tokio::time::timeout(
            self.connect_timeout,
            tokio::net::TcpStream::connect((host.as_str(), port)),
        )
        .await;
        let mut server = match connected {
            Ok(Ok(stream)) => stream,
            Ok(Err(err)) => {
                return refuse(
                    StatusCode::BAD_GATEWAY,
                    &format!("cannot connect to {host}:{port}: {err}"),
                    "upstream_connect",
                );
            }
            Err(_) => {
                return refuse(
                    StatusCode::GATEWAY_TIMEOUT,
                    &format!("connecting to {host}:{port} timed out"),
                    "upstream_timeout",
                );
            }
        };
        let _ = server.set_nodelay(true);
        self.detached.spawn(slot, async move {
            if let Ok(upgraded) = upgrade.await {
                let mut client = TokioIo::new(upgraded);
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            }
        });
        Response::new(empty())
    }

    /// `GET http://host/path` and the like: forwarded (over HTTP/1.1), recorded when in scope.
    async fn absolute(&self, request: Request<Incoming>) -> Response<ProxyBody> {
        let uri = request.uri().clone();
        let scheme = uri.scheme_str().unwrap_or("http").to_ascii_lowercase();
        let host = bare_host(uri.host().unwrap_or_default());
        let default_port = if scheme == "https" { 443 } else { 80 };
        let port = uri.port_u16().unwrap_or(default_port);
        if !matches!(scheme.as_str(), "http" | "https") {
            return refuse(
                StatusCode::BAD_REQUEST,
                &format!("cannot proxy {scheme}:// URLs (only http and https)"),
                "bad_scheme",
            );
        }
        if self.is_self(&host, port).await {
            return loop_refused(&host, port);
        }
        if self.scope.intercepts(&host) {
            let hop = Hop::Upstream {
                client: &self.clients.http1,
                uri: Ok(uri),
                upstream: origin(&scheme, &host, port),
            };
            return self.pipeline.exchange(request, hop).await;
        }
        // Out of scope: forwarded as it is, not recorded.
        let (mut parts, body) = request.into_parts();
        strip_hop_by_hop(&mut parts.headers);
        let forward = Request::from_parts(parts, body.map_err(Into::into).boxed());
        match self.clients.http1.request(forward).await {
            Ok(response) => {
                let (mut parts, body) = response.into_parts();
                strip_hop_by_hop(&mut parts.headers);
                Response::from_parts(parts, body.map_err(Into::into).boxed())
            }
            Err(err) => {
                let (_, message) = crate::http::client::classify(&err, &format!("{host}:{port}"));
                refuse(StatusCode::BAD_GATEWAY, &message, "upstream_error")
            }
        }
    }

    /// The request inside an intercepted tunnel to `origin`.
    pub(super) async fn tunnelled(
        &self,
        request: Request<Incoming>,
        origin: &str,
        http2: bool,
    ) -> Response<ProxyBody> {
        let path_and_query = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
        let uri = format!("{origin}{path_and_query}")
            .parse::<Uri>()
            .map_err(|err| format!("cannot build the upstream URL: {err}"));
        let client = if http2 {
            &self.clients.http2
        } else {
            &self.clients.http1
        };
        let hop = Hop::Upstream {
            client,
            uri,
            upstream: origin.to_owned(),
        };
        self.pipeline.exchange(request, hop).await
    }

    /// Whether `host:port` is this proxy. Only a matching port can be; then the name is
    /// resolved and a loopback, unspecified or own address means us. The listener may be
    /// bound to every interface, so a local address of another interface is caught by
    /// connecting: a socket to our own machine has the same address at both ends.
    async fn is_self(&self, host: &str, port: u16) -> bool {
        if port != self.listen.port() {
            return false;
        }
        let Ok(Ok(addrs)) =
            tokio::time::timeout(self.connect_timeout, tokio::net::lookup_host((host, port))).await
        else {
            return false;
        };
        for addr in addrs {
            let ip = addr.ip();
            if ip.is_loopback() || ip.is_unspecified() || ip == self.listen.ip() {
                return true;
            }
            if let Ok(Ok(probe)) =
                tokio::time::timeout(Duration::from_secs(2), tokio::net::TcpStream::connect(addr))
                    .await
                && probe.local_addr().map(|a| a.ip()).ok() == Some(ip)
            {
                return true;
            }
        }
        false
    }
}

/// `[::1]` → `::1`; names lowercased without a trailing dot.
pub fn bare_host(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// The origin as browsers write it: `https://host`, with `:port` only when not the default.
pub fn origin(scheme: &str, host: &str, port: u16) -> String {
    let host = if host.parse::<IpAddr>().is_ok_and(|ip| ip.is_ipv6()) {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    let default = match scheme {
        "https" => 443,
        _ => 80,
    };
    if port == default {
        format!("{scheme}://{host}")
    } else {
        format!("{scheme}://{host}:{port}")
    }
}

fn refuse(status: StatusCode, message: &str, code: &str) -> Response<ProxyBody> {
    openai_error(
        status,
        &format!("cursor-harness: {message}"),
        "proxy_error",
        None,
        Some(code),
    )
}

fn loop_refused(host: &str, port: u16) -> Response<ProxyBody> {
    refuse(
        StatusCode::LOOP_DETECTED,
        &format!("{host}:{port} is this proxy; it does not connect to itself"),
        "proxy_loop",
    )
}

/// Warnings from the proxy about things that are not an exchange (a client that does not trust
/// the CA, a tunnel that could not be opened). Cheap to clone, callable from any task, unlike
/// the console itself, which belongs to the writer thread.
#[derive(Clone)]
pub struct Notices(Arc<dyn Fn(&str) + Send + Sync>);

impl Notices {
    pub fn new(sink: impl Fn(&str) + Send + Sync + 'static) -> Notices {
        Notices(Arc::new(sink))
    }

    pub fn warn(&self, message: &str) {
        (self.0)(message);
    }
}

impl std::fmt::Debug for Notices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Notices")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_omit_default_ports_and_bracket_ipv6() {
        assert_eq!(
            origin("https", "api.openai.com", 443),
            "https://api.openai.com"
        );
        assert_eq!(origin("https", "127.0.0.1", 8443), "https://127.0.0.1:8443");
        assert_eq!(origin("http", "::1", 80), "http://[::1]");
        assert_eq!(origin("https", "::1", 9), "https://[::1]:9");
        assert_eq!(bare_host("[::1]"), "::1");
        assert_eq!(bare_host("API.Example.COM."), "api.example.com");
    }
}
