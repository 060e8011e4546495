//! Which hosts the forward proxy intercepts (`--intercept`): the rest are tunnelled blind,
//! never decrypted and never recorded.
//!
//! A pattern is a host name or IP address (`api.openai.com`, `127.0.0.1`), `*.example.com`
//! (every name below example.com, at any depth, but not example.com itself), or `*` (every
//! host). Names compare without case and without a trailing dot. No pattern at all means every
//! host is intercepted.

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pattern {
    Any,
    Exact(String),
    /// `.example.com`: the name must end with it.
    Below(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    patterns: Vec<Pattern>,
}

impl Scope {
    /// Every host.
    pub fn all() -> Scope {
        Scope::default()
    }

    /// Parse patterns (each may be a comma-separated list).
    pub fn parse<S: AsRef<str>>(lists: &[S]) -> Result<Scope, String> {
        let mut patterns = Vec::new();
        for list in lists {
            for raw in list.as_ref().split(',') {
                patterns.push(parse_pattern(raw.trim())?);
            }
        }
        Ok(Scope { patterns })
    }

    /// Whether requests to `host` are decrypted and recorded.
    pub fn intercepts(&self, host: &str) -> bool {
        if self.patterns.is_empty() {
            return true;
        }
        let host = normalize(host);
        self.patterns.iter().any(|pattern| match pattern {
            Pattern::Any => true,
            Pattern::Exact(name) => *name == host,
            Pattern::Below(suffix) => host.len() > suffix.len() && host.ends_with(suffix.as_str()),
        })
    }
}

fn normalize(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

fn parse_pattern(raw: &str) -> Result<Pattern, String> {
    let fail = |why: &str| Err(format!("--intercept {raw:?}: {why}"));
    if raw.is_empty() {
        return fail("an empty pattern (a stray comma?)");
    }
    if raw == "*" {
        return Ok(Pattern::Any);
    }
    if raw.contains("://") || raw.contains('/') {
        return fail("give a host name, not a URL (api.openai.com, *.example.com)");
    }
    let (below, name) = match raw.strip_prefix("*.") {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    let name = normalize(name);
    if name.parse::<std::net::IpAddr>().is_ok() {
        return if below {
            fail("`*.` goes with a domain name, not an IP address")
        } else {
            Ok(Pattern::Exact(name))
        };
    }
    if name.contains(':') {
        return fail("ports are not part of a pattern; give the host only");
    }
    if name.contains('*') {
        return fail("`*` may only stand alone or as the first label (`*.example.com`)");
    }
    if rustls::pki_types::DnsName::try_from(name.as_str()).is_err() {
        return fail("not a host name");
    }
    Ok(if below {
        Pattern::Below(format!(".{name}"))
    } else {
        Pattern::Exact(name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_wildcards_and_addresses_match_as_documented() {
        let scope = Scope::parse(&["api.openai.com, *.gateway.example.com", "127.0.0.1"]).unwrap();
        for host in [
            "api.openai.com",
            "API.OpenAI.com.",
            "a.gateway.example.com",
            "a.b.gateway.example.com",
            "127.0.0.1",
        ] {
            assert!(scope.intercepts(host), "{host}");
        }
        for host in [
            "gateway.example.com",
            "xgateway.example.com",
            "openai.com",
            "api.openai.com.evil.test",
            "127.0.0.2",
        ] {
            assert!(!scope.intercepts(host), "{host}");
        }
        assert!(Scope::all().intercepts("anything.test"));
        assert!(Scope::parse(&["*"]).unwrap().intercepts("x.test"));
        assert!(Scope::parse(&["::1"]).unwrap().intercepts("[::1]"));
    }

    #[test]
    fn bad_patterns_name_the_flag_and_the_fix() {
        for (bad, says) in [
            ("https://api.openai.com", "not a URL"),
            ("api.openai.com:443", "ports"),
            ("a,,b", "empty"),
            ("api.*.com", "first label"),
            ("*.10.0.0.1", "IP address"),
            ("bad name", "not a host name"),
        ] {
            let err = Scope::parse(&[bad]).unwrap_err();
            assert!(err.starts_with("--intercept"), "{err}");
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
