//! `record --forward`: the forward proxy's settings from the command line (CA, scope,
//! credentials, the open-proxy guard) and its banner.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use crate::cli::RecordArgs;
use crate::exit::Failure;
use crate::http::client::ClientOptions;
use crate::proxy::proxy_auth::ProxyAuth;
use crate::proxy::scope::Scope;
use crate::record::session::{Destination, ForwardOptions};
use crate::tls::ca::Authority;
use crate::tls::leaf_cache::DEFAULT_BOUND;

pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8788);

/// The forward destination, or a usage error that says what to do.
pub fn destination(
    args: &RecordArgs,
    listen: SocketAddr,
    client: ClientOptions,
) -> anyhow::Result<Destination> {
    let auth = match &args.proxy_auth_env {
        Some(var) => {
            let value = std::env::var(var).map_err(|_| {
                Failure::usage(format!(
                    "--proxy-auth-env {var}: the environment variable {var} is not set"
                ))
                .with_hint(format!(
                    "export {var}=user:password before starting the proxy"
                ))
            })?;
            Some(ProxyAuth::from_pair(&value).map_err(|why| {
                Failure::usage(format!("--proxy-auth-env {var}: {why}"))
                    .with_hint(format!("export {var}=user:password"))
            })?)
        }
        None => None,
    };
    if !listen.ip().is_loopback() && auth.is_none() && !args.allow_open_proxy {
        return Err(Failure::usage(format!(
            "--listen {listen} would let anyone who reaches that address use this proxy"
        ))
        .with_hint(
            "require credentials with --proxy-auth-env VAR (VAR=user:password), or on a network you control pass --allow-open-proxy",
        )
        .into());
    }
    let scope = Scope::parse(&args.intercept).map_err(Failure::usage)?;
    let dir = super::ca::resolve_dir(args.ca_dir.clone())?;
    let authority = Authority::load(&dir).map_err(|err| {
        let failure = Failure::usage(format!("record --forward needs its CA: {err}"));
        match err.hint() {
            Some(hint) => failure.with_hint(hint),
            None => failure,
        }
    })?;
    Ok(Destination::Forward(ForwardOptions {
        authority: Arc::new(authority),
        scope,
        auth,
        client,
        leaf_cache: DEFAULT_BOUND,
    }))
}

pub fn banner(args: &RecordArgs, local: SocketAddr, options: &ForwardOptions, session: &str) {
    let ca = options.authority.paths.cert.display();
    say!(
        "cursor-harness record --forward: proxy on http://{local} (HTTP/1.1 and HTTP/2 inside tunnels)"
    );
    if args.intercept.is_empty() {
        say!("  intercepting    every host");
    } else {
        say!(
            "  intercepting    {} (other hosts are tunnelled blind, not recorded)",
            args.intercept
                .iter()
                .flat_map(|list| list.split(','))
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    say!(
        "  CA              {ca} (sha256 {})",
        crate::tls::fingerprint(options.authority.certificate())
    );
    say!(
        "  captures        {}/",
        args.captures.join(session).display()
    );
    super::key_line(&args.captures);
    match &args.proxy_auth_env {
        Some(var) => say!("  proxy auth      Basic, credentials from ${var}"),
        None if !local.ip().is_loopback() => {
            say!("  WARNING: open proxy on {local} without credentials (--allow-open-proxy)")
        }
        None => {}
    }
    say!(
        "  use it:  HTTPS_PROXY=http://{local} HTTP_PROXY=http://{local} SSL_CERT_FILE={ca} some-client"
    );
    say!("           curl --proxy http://{local} --cacert {ca} https://api.openai.com/v1/models");
    say!(
        "  Ctrl-C stops; in-flight streams get {}s to finish.",
        args.grace
    );
    say!("{}", crate::record::console::COLUMNS);
}
