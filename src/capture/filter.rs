//! Choosing exchanges by the model they name: `--model GLOB` on `check`, `replay` and `run`.
//! The model is the one as selected in Cursor (the request body's `model`), `_models` for the
//! Verify call (`GET …/models`) and `_unknown` for a request that names none: the names
//! scenario expectations match.

use super::Exchange;

/// The name an exchange is matched and grouped by.
pub fn model_key(exchange: &Exchange) -> &str {
    match &exchange.model {
        Some(model) => model,
        None if exchange.request.is_model_list() => "_models",
        None => "_unknown",
    }
}

/// A `--model` glob (`gpt-*`, `{claude-*,gemini-*}`, `_models`).
#[derive(Debug, Clone)]
pub struct ModelFilter {
    pattern: String,
    matcher: globset::GlobMatcher,
}

impl ModelFilter {
    pub fn new(pattern: &str) -> Result<ModelFilter, String> {
        let glob = globset::Glob::new(pattern)
            .map_err(|err| format!("--model {pattern:?} is not a glob: {err}"))?;
        Ok(ModelFilter {
            pattern: pattern.to_owned(),
            matcher: glob.compile_matcher(),
        })
    }

    /// The glob as given.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    pub fn matches(&self, exchange: &Exchange) -> bool {
        self.matcher.is_match(model_key(exchange))
    }

    /// Whether a loaded input stays: an exchange whose model matches, or an input that could
    /// not be read (its model is unknown, and a broken file is never hidden by a filter).
    pub fn keeps(&self, loaded: &super::input::Loaded) -> bool {
        loaded.result.as_ref().is_ok_and(|e| self.matches(e)) || loaded.result.is_err()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{Body, Provenance, ProvenanceKind, Request};

    fn exchange(method: &str, target: &str, body: Option<&str>) -> Exchange {
        Exchange::new(
            "s",
            Provenance {
                kind: ProvenanceKind::Synthesized,
                source: "test".into(),
            },
            Request {
                method: method.into(),
                target: target.into(),
                http_version: "HTTP/1.1".into(),
                headers: Vec::new(),
                body: body.map(|b| Body::from_bytes(b.as_bytes())),
                omitted: None,
                encoding_mismatch: None,
            },
        )
    }

    #[test]
    fn models_verify_calls_and_nameless_requests_match_by_their_key() {
        let gpt = exchange(
            "POST",
            "/v1/chat/completions",
            Some(r#"{"model":"gpt-5.5"}"#),
        );
        let verify = exchange("GET", "/v1/models", None);
        let nameless = exchange("POST", "/v1/chat/completions", Some("{}"));
        let filter = ModelFilter::new("{gpt-*,_models}").unwrap();
        assert!(filter.matches(&gpt) && filter.matches(&verify));
        assert!(!filter.matches(&nameless));
        assert_eq!(model_key(&nameless), "_unknown");
        assert!(ModelFilter::new("gpt-[").is_err());
    }
}
