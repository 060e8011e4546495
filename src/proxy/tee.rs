//! The tee: a response body that hands each frame to the client the moment it arrives and keeps
//! a copy with its arrival time beside it, within the capture limits (`--max-capture-body` for
//! one exchange, the budget of every capture in flight): past them the capture only counts what
//! it leaves out, and the client's stream goes on untouched.
//!
//! Nothing is buffered in the way: the tee polls the upstream only when the client side polls
//! it, so a slow client slows the upstream read (backpressure) instead of growing a queue. When
//! the body ends, fails, stalls past the idle timeout, or is dropped because the client went
//! away, the recording is completed exactly once and handed to the writer.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::time::Sleep;

use crate::capture::ErrorKind;
use crate::capture::budget::CaptureBudget;
use crate::capture::queue::QueueSlot;
use crate::capture::recording::Recording;
use crate::http::body::BoxError;
use crate::http::failure::{IdleTimeout, classify_body_error, error_chain};

pin_project_lite::pin_project! {
    pub struct Tee<B> {
        #[pin]
        inner: B,
        recording: Option<(Box<Recording>, QueueSlot)>,
        idle_timeout: Option<Duration>,
        capture_limit: usize,
        budget: CaptureBudget,
        kept: usize,
        #[pin]
        deadline: Option<Sleep>,
        shutting_down: Arc<AtomicBool>,
    }

    impl<B> PinnedDrop for Tee<B> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some((mut recording, permit)) = this.recording.take() {
                let (kind, message) = if this.shutting_down.load(Ordering::Relaxed) {
                    (ErrorKind::Other, "the recorder shut down before the response finished (grace period over); the upstream request was cancelled".to_owned())
                } else {
                    (ErrorKind::ClientDisconnected, format!(
                        "the client went away after {} bytes of the response; the upstream request was cancelled",
                        recording.response_bytes()
                    ))
                };
                recording.fail(kind, message);
                permit.send(recording);
            }
        }
    }
}

impl<B> Tee<B> {
    pub fn new(
        inner: B,
        recording: Box<Recording>,
        permit: QueueSlot,
        idle_timeout: Option<Duration>,
        capture_limit: usize,
        budget: CaptureBudget,
        shutting_down: Arc<AtomicBool>,
    ) -> Tee<B> {
        Tee {
            inner,
            recording: Some((recording, permit)),
            idle_timeout,
            capture_limit,
            budget,
            kept: 0,
            deadline: idle_timeout.map(tokio::time::sleep),
            shutting_down,
        }
    }
}

impl<B> Body for Tee<B>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let mut this = self.project();
        match this.inner.as_mut().poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                // An empty data frame (HTTP/2 often ends a stream with one) carries no bytes;
                // the end it marks is recorded as `ended`, not as a chunk.
                if let Some(data) = frame.data_ref()
                    && !data.is_empty()
                    && let Some((recording, _)) = this.recording.as_mut()
                {
                    let at = recording.elapsed();
                    recording.keep_chunk(at, data, this.kept, *this.capture_limit, this.budget);
                }
                if let (Some(timeout), Some(deadline)) =
                    (this.idle_timeout, this.deadline.as_mut().as_pin_mut())
                {
                    deadline.reset(tokio::time::Instant::now() + *timeout);
                }
                // A body that knows it is done will not be polled again: complete now, or the
                // drop would look like a client that went away.
                if this.inner.is_end_stream()
                    && let Some((mut recording, permit)) = this.recording.take()
                {
                    let at = recording.elapsed();
                    recording.ended = Some(at);
                    permit.send(recording);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(err))) => {
                let err: BoxError = err.into();
                if let Some((mut recording, permit)) = this.recording.take() {
                    let kind = classify_body_error(&*err);
                    recording.fail(
                        kind,
                        format!("the upstream response broke off: {}", error_chain(&*err)),
                    );
                    permit.send(recording);
                }
                Poll::Ready(Some(Err(err)))
            }
            Poll::Ready(None) => {
                if let Some((mut recording, permit)) = this.recording.take() {
                    let at = recording.elapsed();
                    recording.ended = Some(at);
                    permit.send(recording);
                }
                Poll::Ready(None)
            }
            Poll::Pending => {
                if let Some(deadline) = this.deadline.as_mut().as_pin_mut()
                    && deadline.poll(cx).is_ready()
                {
                    let timeout = this.idle_timeout.unwrap_or_default();
                    if let Some((mut recording, permit)) = this.recording.take() {
                        recording.fail(ErrorKind::Timeout, IdleTimeout(timeout).to_string());
                        permit.send(recording);
                    }
                    return Poll::Ready(Some(Err(Box::new(IdleTimeout(timeout)))));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
