//! The provider leg of a run (`[provider]`): a recorder on the port the targets call as their
//! provider, answering as the embedded provider profile or forwarding to a real provider, one
//! recording session per target; after each target's replay its provider requests are linked
//! to the replayed requests that caused them (`legs`) and judged with them.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::file::{ProviderSpec, interpolate};
use super::judge::Answer;
use crate::capture::Exchange;
use crate::capture::input;
use crate::conformance::{Profile, Verdict};
use crate::http::client::ClientOptions;
use crate::http::serve::ConnectionLimits;
use crate::proxy::exchange::Limits;
use crate::record::console::Collect;
use crate::record::session::{self, Destination, RecordOptions};
use crate::report::model::LegResult;

/// Where the provider leg is recorded, resolved.
pub struct ProviderLeg {
    pub listen: SocketAddr,
    /// The real provider, or `None` for the embedded provider profile.
    pub upstream: Option<String>,
    /// `<out>/provider`: one session folder per target.
    pub captures: PathBuf,
}

impl ProviderLeg {
    /// Expand and check the `[provider]` table.
    pub fn resolve(spec: &ProviderSpec, out: &Path) -> Result<ProviderLeg, String> {
        let env = |name: &str| std::env::var(name).ok();
        let listen_text =
            interpolate(&spec.listen, env).map_err(|why| format!("[provider] listen: {why}"))?;
        let listen: SocketAddr = listen_text.parse().map_err(|_| {
            format!(
                "[provider] listen {listen_text:?} is not HOST:PORT (for example 127.0.0.1:18090)"
            )
        })?;
        let upstream = match &spec.upstream {
            Some(text) => {
                let url =
                    interpolate(text, env).map_err(|why| format!("[provider] upstream: {why}"))?;
                session::parse_upstream(&url).map_err(|err| format!("[provider] {err}"))?;
                Some(url)
            }
            None => None,
        };
        Ok(ProviderLeg {
            listen,
            upstream,
            captures: out.join("provider"),
        })
    }

    /// Bind the port once for the whole run, so no one else takes it between targets.
    pub fn bind(&self) -> Result<std::net::TcpListener, String> {
        let listener = std::net::TcpListener::bind(self.listen).map_err(|err| {
            format!(
                "[provider] cannot listen on {}: {err} (is another recorder or the provider itself on that port?)",
                self.listen
            )
        })?;
        listener
            .set_nonblocking(true)
            .map_err(|err| format!("[provider] {err}"))?;
        Ok(listener)
    }

    /// What to set in each gateway's configuration, for the console.
    pub fn hint(&self) -> String {
        let base = format!("http://{}", self.listen);
        let answering = match &self.upstream {
            Some(_) => "forwarding to the provider in [provider] upstream".to_owned(),
            None => "answering as the embedded provider profile".to_owned(),
        };
        format!(
            "provider leg: recording on {base} ({answering}); point each gateway's OpenAI provider at {base}/v1, its Anthropic provider at {base}"
        )
    }

    /// Start recording one target's provider leg on the run's listener.
    pub fn start(
        &self,
        listener: &std::net::TcpListener,
        session_name: &str,
    ) -> Result<Recording, String> {
        let listener = listener
            .try_clone()
            .and_then(tokio::net::TcpListener::from_std)
            .map_err(|err| format!("[provider] {err}"))?;
        let session_dir = self.captures.join(session_name);
        // A previous run's provider leg for this target is ours to replace.
        if session_dir.is_dir() {
            let _ = std::fs::remove_dir_all(&session_dir);
        }
        let destination = match &self.upstream {
            Some(base) => Destination::Upstream {
                base: base.clone(),
                client: ClientOptions::default(),
            },
            None => Destination::Provider,
        };
        let options = RecordOptions {
            destination,
            captures: self.captures.clone(),
            session: session_name.to_owned(),
            path_token: None,
            tls: None,
            keep_headers: Vec::new(),
            limits: Limits::default(),
            grace: Duration::from_secs(5),
            queue: 4096,
            connections: ConnectionLimits::default(),
            capture_memory: crate::capture::budget::DEFAULT_CAPTURE_MEMORY,
            lock: None,
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(session::run(
            listener,
            options,
            Box::new(Collect::default()),
            async move {
                let _ = stopped.await;
            },
        ));
        Ok(Recording {
            stop,
            task,
            session_dir,
        })
    }
}

/// One target's provider leg being recorded.
pub struct Recording {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<crate::record::WriterReport, session::RecordError>>,
    session_dir: PathBuf,
}

impl Recording {
    /// Stop recording, wait for every capture to be written, and read them back.
    pub async fn finish(self) -> Result<Vec<(String, Exchange)>, String> {
        let _ = self.stop.send(());
        match self.task.await {
            Ok(Ok(_)) => {}
            Ok(Err(err)) => return Err(format!("[provider] recording failed: {err}")),
            Err(err) => return Err(format!("[provider] recording failed: {err}")),
        }
        // No folder, or a folder without captures: the target never called its provider.
        let Ok(candidates) = input::expand(std::slice::from_ref(&self.session_dir)) else {
            return Ok(Vec::new());
        };
        Ok(candidates
            .iter()
            .flat_map(input::load)
            .filter_map(|loaded| loaded.result.ok().map(|e| (loaded.origin, e)))
            .collect())
    }
}

/// Link one target's provider requests to its replayed requests and judge each pair: the leg
/// of every answered capture, keyed by the id of the capture it replays.
pub fn judge(
    answers: &[(String, Answer)],
    providers: Vec<(String, Exchange)>,
    profile: Profile,
) -> HashMap<String, LegResult> {
    let by_id: HashMap<&str, &str> = answers
        .iter()
        .map(|(replay_of, answer)| (answer.exchange.id.as_str(), replay_of.as_str()))
        .collect();
    let clients: Vec<(String, Exchange)> = answers
        .iter()
        .map(|(replay_of, answer)| {
            (
                answer.file.clone().unwrap_or_else(|| replay_of.clone()),
                answer.exchange.clone(),
            )
        })
        .collect();
    let report = crate::legs::legs(clients, providers, profile);
    let mut legs: HashMap<String, LegResult> = HashMap::new();
    for (replay_of, _) in answers {
        legs.insert(
            replay_of.clone(),
            LegResult {
                provider_requests: 0,
                verdict: Verdict::Conforms,
                findings: Vec::new(),
            },
        );
    }
    for pair in report.pairs {
        let Some(replay_of) = by_id.get(pair.client.id.as_str()) else {
            continue;
        };
        let leg = legs.entry((*replay_of).to_owned()).or_insert(LegResult {
            provider_requests: 0,
            verdict: Verdict::Conforms,
            findings: Vec::new(),
        });
        leg.provider_requests += 1;
        if pair.verdict == Verdict::Breaks {
            leg.verdict = Verdict::Breaks;
        }
        for finding in pair.findings {
            if !leg.findings.contains(&finding) {
                leg.findings.push(finding);
            }
        }
    }
    legs
}
