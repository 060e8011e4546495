//! `cursor-harness record`: wire the options, print where to point Cursor, run until Ctrl-C or
//! SIGTERM, print the summary.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use super::record_forward as forward;
use crate::cli::RecordArgs;
use crate::exit::Failure;
use crate::http::client::ClientOptions;
use crate::proxy::reverse::Limits;
use crate::record::WriterReport;
use crate::record::console::{self, Stdout};
use crate::record::session::{self, Destination, RecordOptions};
use crate::tls;

const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8787);

pub fn run(args: RecordArgs) -> anyhow::Result<ExitCode> {
    mode_flags(&args)?;
    let session = match &args.session {
        Some(name) => super::valid_folder_name("--session", name, "qa-2026-11-26")?,
        None => format!(
            "session-{}",
            jiff::Timestamp::now()
                .to_zoned_datetime(jiff::tz::TimeZone::system())
                .strftime("%Y%m%d-%H%M%S")
        ),
    };
    let listen = args.listen.unwrap_or(if args.forward {
        forward::DEFAULT_LISTEN
    } else {
        DEFAULT_LISTEN
    });
    let path_token = if args.allow_no_token || args.forward {
        None
    } else {
        match &args.path_token {
            Some(token) => Some(valid_token(token)?),
            None => Some(session::random_token()?),
        }
    };
    // The self-signed certificate's file is removed when this guard goes, however `run` ends.
    let (tls_config, tls_note, self_signed) = server_tls(&args)?;
    let client = ClientOptions {
        extra_cas: args.upstream_ca.clone(),
        insecure: args.insecure_upstream,
        ..ClientOptions::default()
    };
    let destination = match &args.upstream {
        _ if args.forward => forward::destination(&args, listen, client)?,
        Some(base) => {
            session::parse_upstream(base).map_err(|err| Failure::usage(err.to_string()))?;
            Destination::Upstream {
                base: base.clone(),
                client,
            }
        }
        None if args.provider => Destination::Provider,
        None => Destination::Stub,
    };
    if args.insecure_upstream {
        eprintln!(
            "cursor-harness: WARNING: --insecure-upstream: upstream certificates are not verified; anyone between here and the upstream can read and change the traffic"
        );
    }
    let mut options = RecordOptions {
        destination: destination.clone(),
        captures: args.captures.clone(),
        session: session.clone(),
        path_token: path_token.clone(),
        tls: tls_config.clone(),
        keep_headers: args.keep_header.clone(),
        limits: Limits {
            max_request_body: args.max_request_body,
            max_capture_body: args.max_capture_body,
            response_timeout: Duration::from_secs(args.response_timeout),
            idle_timeout: Duration::from_secs(args.idle_timeout),
        },
        grace: Duration::from_secs(args.grace),
        queue: 4096,
        connections: args.connections.limits(),
        capture_memory: args.max_capture_memory,
        lock: None,
    };
    writable(&args.captures)?;
    // Before anything is printed or bound: a second recorder on this session stops here.
    let lock = session::lock_session(
        &args.captures.join(&session),
        &session,
        &crate::proxy::forward::Notices::new(|message| {
            eprintln!("cursor-harness: {}", crate::text::terminal::Line(message))
        }),
    )
    .map_err(session_error)?;
    options.lock = Some(Arc::new(lock));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let report = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen).await.map_err(|err| {
            Failure::operational(format!("cannot listen on {listen}: {err}")).with_hint(
                if err.kind() == std::io::ErrorKind::AddrInUse {
                    "another process uses that port; pick another with --listen 127.0.0.1:PORT"
                } else {
                    "check the address and your permissions"
                },
            )
        })?;
        let local = listener.local_addr()?;
        if let Destination::Forward(options) = &destination {
            forward::banner(&args, local, options, &session);
        } else {
            banner(
                &args,
                local,
                &destination,
                path_token.as_deref(),
                tls_config.is_some(),
                tls_note.as_deref(),
                self_signed.as_ref(),
                &session,
            );
        }
        if let Destination::Upstream { base, .. } = &destination {
            // Checked beside the start, not before it: a slow DNS must not hold the banner.
            let base = base.clone();
            tokio::spawn(async move {
                if let Some(why) = unreachable(&base).await {
                    eprintln!("cursor-harness: warning: {why}");
                }
            });
        }
        let console = if args.forward {
            Stdout::with_hosts()
        } else {
            Stdout::default()
        };
        let report = session::run(listener, options, Box::new(console), async move {
            super::stop_signal().await;
            eprintln!(
                "\ncursor-harness: stopping; in-flight streams get {}s to finish",
                args.grace
            );
        })
        .await
        .map_err(session_error)?;
        anyhow::Ok(report)
    })?;
    summary(&report, &args.captures.join(&session));
    Ok(if report.lost > 0 {
        ExitCode::from(crate::exit::OPERATIONAL)
    } else {
        ExitCode::SUCCESS
    })
}

/// Why the upstream cannot be reached with a TCP connection, if it cannot: said at start, so a
/// typo in --upstream or a gateway that is not running shows before Cursor's first request.
async fn unreachable(base: &str) -> Option<String> {
    let uri = session::parse_upstream(base).ok()?;
    let host = uri
        .host()?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
        Some("https") => 443,
        _ => 80,
    });
    let connect = tokio::net::TcpStream::connect((host.as_str(), port));
    let why = match tokio::time::timeout(Duration::from_secs(5), connect).await {
        Ok(Ok(_)) => return None,
        Ok(Err(err)) => err.to_string(),
        Err(_) => "no answer within 5s".to_owned(),
    };
    Some(format!(
        "the upstream {host}:{port} cannot be reached ({why}); until it can, requests get 502. Is the gateway running, and is --upstream right?"
    ))
}

/// Flags that mean something in one mode only are refused in the others, rather than taken and
/// ignored: a user who passes them expects them to act.
fn mode_flags(args: &RecordArgs) -> Result<(), Failure> {
    let mode = if args.stub { "--stub" } else { "--upstream" };
    if !args.forward {
        let given: Vec<&str> = [
            (!args.intercept.is_empty(), "--intercept"),
            (args.ca_dir.is_some(), "--ca-dir"),
            (args.proxy_auth_env.is_some(), "--proxy-auth-env"),
            (args.allow_open_proxy, "--allow-open-proxy"),
        ]
        .into_iter()
        .filter_map(|(given, flag)| given.then_some(flag))
        .collect();
        if !given.is_empty() {
            return Err(Failure::usage(format!(
                "{} only work(s) with --forward (the forward proxy), not with {mode}",
                given.join(", ")
            ))
            .with_hint(format!(
                "record as a forward proxy with --forward, or leave {} out",
                given.join(", ")
            )));
        }
    }
    if args.stub && !args.upstream_ca.is_empty() {
        return Err(Failure::usage(
            "--upstream-ca has nothing to trust with --stub: the embedded gateway answers, no upstream is reached",
        )
        .with_hint("leave --upstream-ca out, or record in front of your gateway with --upstream URL"));
    }
    Ok(())
}

/// Prove the captures folder takes files before anything is printed or bound: otherwise the
/// banner tells Cursor where to go and the first capture is what fails.
fn writable(captures: &std::path::Path) -> Result<(), Failure> {
    let fail = |err: std::io::Error| {
        Failure::operational(format!(
            "cannot write captures under {}: {err}",
            captures.display()
        ))
        .with_hint("make that folder writable, or choose another with --captures DIR")
    };
    crate::fsio::create_private_dir_all(captures).map_err(fail)?;
    let probe = captures.join(format!(".cursor-harness-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(fail)?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

fn session_error(err: session::RecordError) -> anyhow::Error {
    match err {
        session::RecordError::SessionBusy { .. } => Failure::operational(err.to_string())
            .with_hint(
                "two recorders on one session would number their captures twice: stop that one first, or record into another --session",
            )
            .into(),
        other => other.into(),
    }
}

/// A chosen path token is the only thing between the internet and the gateway: it must be as
/// hard to guess as the generated one (16+ characters of `[A-Za-z0-9_-]`, which also keeps it a
/// single path segment).
fn valid_token(token: &str) -> anyhow::Result<String> {
    let ok = token.len() >= 16
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(token.to_owned())
    } else {
        Err(Failure::usage(
            "--path-token must be at least 16 characters of letters, digits, '-' and '_'",
        )
        .with_hint("leave --path-token out and a random 128-bit token is made for you")
        .into())
    }
}

/// The self-signed certificate's PEM file, for clients to trust while the recorder runs;
/// removed when the recorder stops.
struct SelfSignedFile {
    path: std::path::PathBuf,
    names: Vec<String>,
}

impl Drop for SelfSignedFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

type ServerTls = (
    Option<Arc<rustls::ServerConfig>>,
    Option<String>,
    Option<SelfSignedFile>,
);

fn server_tls(args: &RecordArgs) -> anyhow::Result<ServerTls> {
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        let (chain, key) =
            tls::load_pem_pair(cert, key).map_err(|err| Failure::usage(err.to_string()))?;
        let note = format!(
            "certificate {} (sha256 {})",
            cert.display(),
            tls::fingerprint(&chain[0])
        );
        return Ok((
            Some(Arc::new(
                tls::server_config(chain, key).map_err(|err| Failure::usage(err.to_string()))?,
            )),
            Some(note),
            None,
        ));
    }
    if !args.tls_self_signed.is_empty() {
        let generated = tls::self_signed(&args.tls_self_signed)?;
        let path =
            std::env::temp_dir().join(format!("cursor-harness-record-{}.pem", std::process::id()));
        crate::fsio::write_public_atomically(&path, generated.cert_pem.as_bytes())?;
        let file = SelfSignedFile {
            path,
            names: args.tls_self_signed.clone(),
        };
        let note = format!(
            "self-signed certificate for {} (sha256 {}), written to {} for clients to trust while the recorder runs",
            args.tls_self_signed.join(", "),
            tls::fingerprint(&generated.chain[0]),
            file.path.display()
        );
        return Ok((
            Some(Arc::new(tls::server_config(
                generated.chain,
                generated.key,
            )?)),
            Some(note),
            Some(file),
        ));
    }
    Ok((None, None, None))
}

/// A curl command that reaches the recorder at `local` and trusts its self-signed certificate:
/// the URL names a host the certificate is for (an IP address it names, or its first name
/// resolved to the listening address).
fn local_test_command(local: std::net::SocketAddr, file: &SelfSignedFile, path: &str) -> String {
    let ip = if local.ip().is_unspecified() {
        if local.is_ipv4() {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            IpAddr::V6(std::net::Ipv6Addr::LOCALHOST)
        }
    } else {
        local.ip()
    };
    let port = local.port();
    let bracketed = |ip: IpAddr| match ip {
        IpAddr::V6(v6) => format!("[{v6}]"),
        IpAddr::V4(v4) => v4.to_string(),
    };
    let cacert = shell_word(&file.path.display().to_string());
    let named_ip = file
        .names
        .iter()
        .any(|name| name.parse::<IpAddr>().ok() == Some(ip));
    match file
        .names
        .iter()
        .find(|name| name.parse::<IpAddr>().is_err())
    {
        Some(name) if !named_ip => format!(
            "curl --cacert {cacert} --resolve {name}:{port}:{} https://{name}:{port}{path}",
            bracketed(ip)
        ),
        _ => format!(
            "curl --cacert {cacert} https://{}:{port}{path}",
            bracketed(ip)
        ),
    }
}

/// A word the shell reads as it is: single-quoted when it holds anything but the safe characters.
fn shell_word(word: &str) -> String {
    if word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c))
    {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[allow(clippy::too_many_arguments)]
fn banner(
    args: &RecordArgs,
    local: std::net::SocketAddr,
    destination: &Destination,
    token: Option<&str>,
    tls: bool,
    tls_note: Option<&str>,
    self_signed: Option<&SelfSignedFile>,
    session: &str,
) {
    let scheme = if tls { "https" } else { "http" };
    let prefix = token.map_or(String::new(), |t| format!("/t/{t}"));
    say!("cursor-harness record: listening on {scheme}://{local} (HTTP/1.1 and HTTP/2)");
    match destination {
        Destination::Upstream { base, .. } => {
            say!("  forwarding to   {}", shown_upstream(base))
        }
        Destination::Stub => {
            say!("  stub mode       answering every request with the embedded gateway")
        }
        Destination::Provider => {
            say!(
                "  provider mode   answering as each provider at its own endpoint, recording the provider leg"
            );
            say!(
                "    point the gateway's OpenAI provider at   <base>/v1  (chat/completions, responses)"
            );
            say!("    its Anthropic provider at                <base>     (/v1/messages)");
            say!(
                "    its Gemini provider at                   <base>     (/v1beta/models/M:generateContent)"
            );
        }
        Destination::Forward(_) => {}
    }
    if let Some(note) = tls_note {
        say!("  tls             {note}");
    }
    say!(
        "  captures        {}/",
        args.captures.join(session).display()
    );
    super::key_line(&args.captures);
    match &args.public_url {
        Some(public) => say!(
            "  base URL for Cursor: {}{prefix}/v1",
            public.trim_end_matches('/')
        ),
        None => {
            say!("  base URL for Cursor: https://<your tunnel host>{prefix}/v1");
            say!(
                "    (Cursor's servers cannot reach {local}: expose it with e.g. `cloudflared tunnel --url {scheme}://{local}`)"
            );
            let models = format!("{prefix}/v1/models");
            match self_signed {
                Some(file) => say!(
                    "    local test:  {}",
                    local_test_command(local, file, &models)
                ),
                None => say!("    local test:  curl {scheme}://{local}{models}"),
            }
        }
    }
    if token.is_none() && !local.ip().is_loopback() {
        say!(
            "  WARNING: no path token and listening on {local}: anyone who can reach it can use it"
        );
    }
    say!(
        "  Ctrl-C stops; in-flight streams get {}s to finish.",
        args.grace
    );
    say!("{}", console::COLUMNS);
}

/// Where requests go, for the banner: scheme, host, port and path of the upstream base. A user,
/// password or query in `--upstream` is not used for forwarding, and is not printed either.
fn shown_upstream(base: &str) -> String {
    match session::parse_upstream(base) {
        Ok(uri) => {
            let port = uri
                .port_u16()
                .map_or(String::new(), |port| format!(":{port}"));
            format!(
                "{}://{}{port}{}",
                uri.scheme_str().unwrap_or("http"),
                uri.host().unwrap_or_default(),
                uri.path()
            )
        }
        Err(_) => "(not a usable URL)".to_owned(),
    }
}

fn summary(report: &WriterReport, folder: &std::path::Path) {
    say!(
        "\nstopped: {} capture(s) written to {}/ · {} lost · {} with transport errors",
        report.written,
        folder.display(),
        report.lost,
        report.transport_errors
    );
    for ((model, dialect), count) in &report.per_model {
        let model = crate::text::terminal::line(model);
        say!("  {model:<32} {dialect:<18} {count}");
    }
    if report.lost > 0 {
        eprintln!(
            "cursor-harness: {} capture(s) could not be written (see the warnings above)",
            report.lost
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_local_test_command_names_a_host_the_certificate_is_for() {
        let file = |names: &[&str]| super::SelfSignedFile {
            path: "/tmp/cursor-harness-record-1.pem".into(),
            names: names.iter().map(|n| (*n).to_owned()).collect(),
        };
        let local = "127.0.0.1:8443".parse().unwrap();
        let ip = file(&["127.0.0.1", "localhost"]);
        assert_eq!(
            super::local_test_command(local, &ip, "/v1/models"),
            "curl --cacert /tmp/cursor-harness-record-1.pem https://127.0.0.1:8443/v1/models"
        );
        let name = file(&["recorder.example"]);
        assert_eq!(
            super::local_test_command("0.0.0.0:8443".parse().unwrap(), &name, "/v1/models"),
            "curl --cacert /tmp/cursor-harness-record-1.pem --resolve recorder.example:8443:127.0.0.1 https://recorder.example:8443/v1/models"
        );
        std::mem::forget(ip);
        std::mem::forget(name);
    }

    #[test]
    fn the_banner_shows_where_requests_go_without_credentials() {
        assert_eq!(
            super::shown_upstream(
                "https://user:hunter2hunter2@gw.example:8443/api/v1?key=AIzaSecret"
            ),
            "https://gw.example:8443/api/v1"
        );
        assert_eq!(
            super::shown_upstream("http://[::1]:9/v1"),
            "http://[::1]:9/v1"
        );
    }
}
