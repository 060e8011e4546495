//! The hand-off of finished recordings to whoever writes them, as the proxy sees it: a place
//! reserved before an exchange is forwarded, a send that never waits, and a bound on the memory
//! of what waits for the writer. The proxy holds the sending end; it never sees the writer.
//!
//! Two bounds. The channel has a slot for every exchange in flight or waiting to be written, so
//! a finished exchange always has its place and no capture is ever dropped. The backlog (the
//! finished recordings the writer has not taken yet) is kept under [`BacklogLimits`]: past
//! either limit, new requests wait before they are forwarded while those in flight go on. A
//! writer slower than the proxy (a slow disk, a small machine) then slows the traffic down
//! instead of holding thousands of recordings in memory.
//!
//! What is counted is what is held: a recording copies small response chunks out of the
//! connection's read buffers as it keeps them ([`Recording::keep_chunk`]). The bytes of
//! response bodies are also bounded while they stream, by the budget of every capture in flight
//! ([`super::budget`]).

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tokio::sync::{Notify, mpsc};

use super::recording::Recording;

/// How much may wait for the writer before new requests wait.
#[derive(Debug, Clone, Copy)]
pub struct BacklogLimits {
    pub recordings: usize,
    pub bytes: usize,
}

impl Default for BacklogLimits {
    fn default() -> Self {
        BacklogLimits {
            recordings: 256,
            bytes: 64 * 1024 * 1024,
        }
    }
}

/// Finished recordings not yet taken by the writer.
///
/// Waiters are woken once the backlog has drained to three quarters of its limits, not at
/// every recording the writer takes: waking every waiting request per capture (64 of them
/// under load) cost the writer more than writing the capture did.
#[derive(Debug)]
pub struct Backlog {
    limits: BacklogLimits,
    recordings: AtomicUsize,
    bytes: AtomicUsize,
    /// Some request is waiting for the backlog to drain.
    waiting: AtomicBool,
    drained: Notify,
}

impl Backlog {
    fn new(limits: BacklogLimits) -> Backlog {
        Backlog {
            limits,
            recordings: AtomicUsize::new(0),
            bytes: AtomicUsize::new(0),
            waiting: AtomicBool::new(false),
            drained: Notify::new(),
        }
    }

    /// Whether no finished recording waits for the writer (or is being written).
    pub fn is_empty(&self) -> bool {
        self.recordings.load(Ordering::Acquire) == 0
    }

    fn full(&self) -> bool {
        self.recordings.load(Ordering::Acquire) >= self.limits.recordings
            || self.bytes.load(Ordering::Acquire) >= self.limits.bytes
    }

    fn joined(&self, recording: &Recording) {
        self.recordings.fetch_add(1, Ordering::AcqRel);
        self.bytes
            .fetch_add(recording.held_bytes(), Ordering::AcqRel);
    }

    /// The writer is done with a recording that held `held` bytes when it joined (its capture
    /// is on disk, or lost).
    pub fn left(&self, held: usize) {
        let recordings = self.recordings.fetch_sub(1, Ordering::AcqRel) - 1;
        let bytes = self.bytes.fetch_sub(held, Ordering::AcqRel) - held;
        let low =
            recordings <= self.limits.recordings * 3 / 4 && bytes <= self.limits.bytes / 4 * 3;
        if (low || recordings == 0) && self.waiting.swap(false, Ordering::AcqRel) {
            self.drained.notify_waiters();
        }
    }
}

/// A queue with `slots` places (exchanges in flight or waiting to be written) and a backlog
/// bounded by `limits`: the sending end for the proxy, the receiving end and the backlog (told
/// when a recording is done with) for the writer.
pub fn channel(
    slots: usize,
    limits: BacklogLimits,
) -> (CaptureQueue, mpsc::Receiver<Box<Recording>>, Arc<Backlog>) {
    let (tx, rx) = mpsc::channel(slots.max(1));
    let backlog = Arc::new(Backlog::new(limits));
    (CaptureQueue::new(tx, backlog.clone()), rx, backlog)
}

/// A reserved place in the writer's queue; sending on it never waits.
pub struct QueueSlot {
    permit: mpsc::OwnedPermit<Box<Recording>>,
    backlog: Arc<Backlog>,
}

impl QueueSlot {
    /// Hand a finished recording to the writer.
    pub fn send(self, recording: Box<Recording>) {
        self.backlog.joined(&recording);
        self.permit.send(recording);
    }
}

/// The sending side, cloned into the proxy.
#[derive(Clone)]
pub struct CaptureQueue {
    tx: mpsc::Sender<Box<Recording>>,
    backlog: Arc<Backlog>,
    waiting_reported: Arc<AtomicBool>,
}

#[derive(Debug, thiserror::Error)]
#[error("the capture writer has stopped")]
pub struct QueueClosed;

impl CaptureQueue {
    fn new(tx: mpsc::Sender<Box<Recording>>, backlog: Arc<Backlog>) -> CaptureQueue {
        CaptureQueue {
            tx,
            backlog,
            waiting_reported: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Reserve a queue slot for an exchange about to be forwarded; waits while the backlog is
    /// over its limits or the queue is full.
    pub async fn reserve(&self) -> Result<QueueSlot, QueueClosed> {
        loop {
            // Registered before the check, so a drain between the check and the wait counts.
            let drained = self.backlog.drained.notified();
            if !self.backlog.full() {
                break;
            }
            // Set after the registration and before the wait: the writer's next `left` below
            // the low mark sees it and wakes everyone registered.
            self.backlog.waiting.store(true, Ordering::Release);
            if !self.backlog.full() {
                break;
            }
            self.report_waiting();
            tokio::select! {
                () = drained => {}
                () = self.tx.closed() => return Err(QueueClosed),
            }
        }
        let permit = match self.tx.clone().try_reserve_owned() {
            Ok(permit) => permit,
            Err(mpsc::error::TrySendError::Full(tx)) => {
                self.report_waiting();
                tx.reserve_owned().await.map_err(|_| QueueClosed)?
            }
            Err(mpsc::error::TrySendError::Closed(_)) => return Err(QueueClosed),
        };
        Ok(QueueSlot {
            permit,
            backlog: self.backlog.clone(),
        })
    }

    fn report_waiting(&self) {
        if !self.waiting_reported.swap(true, Ordering::Relaxed) {
            let _ = writeln!(
                std::io::stderr(),
                "cursor-harness: the capture writer is behind; new requests wait for it (no capture is dropped)"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::Bytes;

    use super::*;

    fn recording(body: usize) -> Box<Recording> {
        let mut recording = Recording::new(
            "POST".to_owned(),
            "/v1/chat/completions".to_owned(),
            "HTTP/1.1".to_owned(),
            Vec::new(),
        );
        recording.request_body = Bytes::from(vec![b'x'; body]);
        Box::new(recording)
    }

    /// A queue with room for many in flight but a backlog of `limits`, and its writer's end.
    fn queue(
        limits: BacklogLimits,
    ) -> (CaptureQueue, mpsc::Receiver<Box<Recording>>, Arc<Backlog>) {
        channel(64, limits)
    }

    async fn waits(handle: &CaptureQueue) -> bool {
        tokio::time::timeout(Duration::from_millis(100), handle.reserve())
            .await
            .is_err()
    }

    #[tokio::test]
    async fn new_requests_wait_while_the_backlog_is_over_a_limit_and_go_on_when_it_drains() {
        for (limits, body) in [
            (
                BacklogLimits {
                    recordings: 2,
                    bytes: usize::MAX,
                },
                10,
            ),
            (
                BacklogLimits {
                    recordings: 100,
                    bytes: 50_000,
                },
                30_000,
            ),
        ] {
            let (handle, mut rx, backlog) = queue(limits);
            // Exchanges already in flight hold their places; only finished ones count.
            let first = handle.reserve().await.unwrap();
            let second = handle.reserve().await.unwrap();
            let third = handle.reserve().await.unwrap();
            first.send(recording(body));
            second.send(recording(body));
            assert!(waits(&handle).await, "{limits:?}");
            third.send(recording(body));
            let taken = rx.recv().await.unwrap();
            backlog.left(taken.held_bytes());
            assert!(
                waits(&handle).await,
                "still over with one taken: {limits:?}"
            );
            let taken = rx.recv().await.unwrap();
            let waiting = tokio::spawn({
                let handle = handle.clone();
                async move { handle.reserve().await.is_ok() }
            });
            tokio::time::sleep(Duration::from_millis(20)).await;
            backlog.left(taken.held_bytes());
            let reserved = tokio::time::timeout(Duration::from_secs(5), waiting).await;
            assert!(
                reserved.unwrap().unwrap(),
                "a drain wakes the waiting request"
            );
        }
    }

    #[tokio::test]
    async fn a_stopped_writer_ends_the_wait() {
        let (handle, rx, _) = queue(BacklogLimits {
            recordings: 1,
            bytes: usize::MAX,
        });
        handle.reserve().await.unwrap().send(recording(1));
        drop(rx);
        let reserved = tokio::time::timeout(Duration::from_secs(5), handle.reserve()).await;
        assert!(reserved.unwrap().is_err());
    }
}
