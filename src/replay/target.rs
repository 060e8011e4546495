//! `--target`: a gateway's base URL, or the embedded reference gateway served for the run.

use http::Uri;

use crate::conformance::Profile;
use crate::gateway::Mode;

/// Where requests go.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A gateway at this base URL.
    Url(Uri),
    /// The reference gateway, served in-process on a loopback port for the run.
    Embedded(Mode),
}

impl Target {
    /// `embedded`, `embedded:strict`, `embedded:lenient`, `embedded:provider`,
    /// `embedded:translate`, or an http(s) URL with a host.
    pub fn parse(text: &str) -> Result<Target, String> {
        match text {
            "embedded" | "embedded:strict" => {
                return Ok(Target::Embedded(Mode::Validate(Profile::Strict)));
            }
            "embedded:lenient" => return Ok(Target::Embedded(Mode::Validate(Profile::Lenient))),
            "embedded:provider" => return Ok(Target::Embedded(Mode::Provider)),
            "embedded:translate" => return Ok(Target::Embedded(Mode::Translate)),
            _ if text.starts_with("embedded") => {
                return Err(format!(
                    "--target {text:?}: the embedded gateway is `embedded`, `embedded:strict`, `embedded:lenient`, `embedded:provider` or `embedded:translate`"
                ));
            }
            _ => {}
        }
        if !(text.starts_with("http://") || text.starts_with("https://")) {
            return Err(format!(
                "--target {text:?}: a URL must start with http:// or https:// (or use `embedded`)"
            ));
        }
        let uri: Uri = text
            .parse()
            .map_err(|err| format!("--target {text:?} is not a URL: {err}"))?;
        if uri.host().is_none_or(str::is_empty) {
            return Err(format!("--target {text:?} has no host"));
        }
        Ok(Target::Url(uri))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_bad_ones_say_what_is_expected() {
        assert_eq!(
            Target::parse("embedded").unwrap(),
            Target::Embedded(Mode::Validate(Profile::Strict))
        );
        assert_eq!(
            Target::parse("embedded:lenient").unwrap(),
            Target::Embedded(Mode::Validate(Profile::Lenient))
        );
        assert!(matches!(
            Target::parse("https://gw.example/api/v1").unwrap(),
            Target::Url(_)
        ));
        for (bad, says) in [
            ("embedded:loose", "embedded:lenient"),
            ("ftp://x/v1", "http://"),
            ("gw.example/v1", "http://"),
        ] {
            let err = Target::parse(bad).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
