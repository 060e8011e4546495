//! The target as an oracle: send a body as the capture's request and tell the signature of
//! the answer. Several bodies go at once, up to the concurrency limit; their answers come back
//! in the order asked, so a shrink is deterministic whatever finishes first.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::Uri;
use serde_json::Value;

use super::signature::{self, Signature};
use crate::capture::convert::to_exchange;
use crate::capture::recording::Recording;
use crate::capture::redact::Redactor;
use crate::capture::resend::Rewrite;
use crate::capture::{Body, Exchange};
use crate::replay::client::{Client, Lane};
use crate::replay::prepare::{Auth, prepare};

pub struct Oracle {
    client: Client,
    base: Uri,
    /// The capture's exchange without its answer; each body goes in its request.
    template: Exchange,
    auth: Option<Auth>,
    rewrite: Rewrite,
    http2: bool,
    /// Answers are only compared, never written, so any key will do.
    redactor: Redactor,
    /// What was asked so far.
    requests: AtomicUsize,
    /// Of those, the sends that failed at the transport.
    transport_failures: AtomicUsize,
}

impl Oracle {
    pub fn new(
        client: Client,
        base: Uri,
        mut template: Exchange,
        auth: Option<Auth>,
        rewrite: Rewrite,
        http2: bool,
    ) -> Result<Oracle, String> {
        template.response = None;
        template.error = None;
        // A capture that cannot be sent is refused before the first request.
        prepare(&template, &base, auth.as_ref(), &rewrite)?;
        Ok(Oracle {
            client,
            base,
            template,
            auth,
            rewrite,
            http2,
            redactor: Redactor::with_key(b"cursor-harness shrink: answers are only compared"),
            requests: AtomicUsize::new(0),
            transport_failures: AtomicUsize::new(0),
        })
    }

    /// The exchange that would send `body`: the capture's request with that body.
    pub fn exchange_with(&self, body: &Value) -> Exchange {
        let mut exchange = self.template.clone();
        exchange.request.body = Some(Body::Json(body.clone()));
        exchange
    }

    /// The signatures of `bodies`, in order; `None` where the transport failed.
    /// Requests sent so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// Of those, the ones that got no answer.
    pub fn transport_failures(&self) -> usize {
        self.transport_failures.load(Ordering::Relaxed)
    }

    pub async fn ask(self: &Arc<Self>, bodies: Vec<Value>) -> Vec<Option<Signature>> {
        let mut tasks = tokio::task::JoinSet::new();
        let count = bodies.len();
        for (index, body) in bodies.into_iter().enumerate() {
            let oracle = self.clone();
            tasks.spawn(async move { (index, oracle.ask_one(body).await) });
        }
        let mut answers = vec![None; count];
        while let Some(joined) = tasks.join_next().await {
            if let Ok((index, answer)) = joined {
                answers[index] = answer;
            }
        }
        self.requests.fetch_add(count, Ordering::Relaxed);
        let failed = answers.iter().filter(|a| a.is_none()).count();
        self.transport_failures.fetch_add(failed, Ordering::Relaxed);
        answers
    }

    async fn ask_one(&self, body: Value) -> Option<Signature> {
        let exchange = self.exchange_with(&body);
        let prepared = prepare(&exchange, &self.base, self.auth.as_ref(), &self.rewrite).ok()?;
        let path = prepared
            .uri
            .path_and_query()
            .map_or("/", |pq| pq.as_str())
            .to_owned();
        let version = if self.http2 { "HTTP/2" } else { "HTTP/1.1" };
        let mut recording = Recording::new(
            prepared.method.to_string(),
            path,
            version.to_owned(),
            Vec::new(),
        );
        recording.request_body = Bytes::from(prepared.body.to_vec());
        let mut lane = Lane::default();
        self.client
            .exchange(&mut lane, &prepared, &mut recording)
            .await;
        let answered = to_exchange(
            &recording,
            "shrink",
            "cursor-harness shrink",
            &self.redactor,
        );
        signature::of(&answered)
    }
}
