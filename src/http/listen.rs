//! Where a server listens: `ADDR:PORT` as an IP address (`127.0.0.1:8787`, `[::1]:8787`) or a
//! host name (`localhost:8787`), resolved once at start. A name that resolves to both families
//! listens on its IPv4 address, which is what `localhost` users mean and what the tools
//! pointed at it (curl, tunnels) try first.

use std::net::{SocketAddr, ToSocketAddrs as _};

/// Parse `--listen`: an address, or a host name and port.
pub fn parse(text: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let (host, port) = text.rsplit_once(':').ok_or_else(|| {
        format!("{text:?} has no port: write HOST:PORT, e.g. 127.0.0.1:8787 or localhost:8787")
    })?;
    let port: u16 = port
        .parse()
        .map_err(|_| format!("{text:?}: {port:?} is not a port number (0 to 65535)"))?;
    if host.is_empty() {
        return Err(format!(
            "{text:?} has no host: write HOST:PORT, e.g. 127.0.0.1:{port}"
        ));
    }
    let found: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|err| format!("{host:?} does not resolve to an address: {err}"))?
        .collect();
    found
        .iter()
        .find(|a| a.is_ipv4())
        .or(found.first())
        .copied()
        .ok_or_else(|| format!("{host:?} does not resolve to an address"))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn addresses_and_host_names_are_taken() {
        assert_eq!(
            parse("127.0.0.1:8787").unwrap().to_string(),
            "127.0.0.1:8787"
        );
        assert_eq!(parse("[::1]:0").unwrap().to_string(), "[::1]:0");
        let local = parse("localhost:8795").unwrap();
        assert!(local.ip().is_loopback(), "{local}");
        assert_eq!(local.port(), 8795);
        for bad in ["localhost", "localhost:http", ":80", "127.0.0.1:70000"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
